//! The binary's own answers: help, version, lists, usage errors.

use crate::util::{PLUGIN, run};

#[test]
fn help_and_version_exit_unknown() {
    let r = run(&[PLUGIN, "--mode=countevents", "--help"]);
    assert_eq!(r.code, 3);
    assert!(r.stdout.starts_with("\nPlugin Description:\n"));
    assert!(
        r.stdout
            .contains("    --delta Time depth for search (minutes, default: 60).\n")
    );
    let r = run(&[PLUGIN, "--version"]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (
            format!("Plugin Version: {} \n", env!("CARGO_PKG_VERSION")).as_str(),
            3
        )
    );
    let r = run(&[PLUGIN, "--list-mode"]);
    assert!(
        r.stdout
            .ends_with("Modes Available:\n   checktrailstatus\n   countevents\n")
    );
    assert_eq!(r.code, 3);
    // --opt-exit applies to these as upstream (option_exit).
    assert_eq!(run(&[PLUGIN, "--help", "--opt-exit=ok"]).code, 0);
}

#[test]
fn unknown_option_prints_usage() {
    let r = run(&[PLUGIN, "--mode=countevents", "--region=eu-west-1", "--foo"]);
    assert_eq!(r.code, 3);
    let mut lines = r.stdout.lines();
    assert_eq!(lines.next(), Some("UNKNOWN: Unknown option: --foo "));
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("Usage: check_cloudtrail"))
    );
    assert!(r.stdout.lines().count() <= 24);
}

#[test]
fn missing_things() {
    let r = run(&[PLUGIN, "--mode=checktrailstatus", "--trail-name=t"]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        ("UNKNOWN: Need to specify --region option. \n", 3)
    );
    let r = run(&[PLUGIN, "--mode=checktrailstatus", "--region=eu-west-1"]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        ("UNKNOWN: Need to specify --trail-name option. \n", 3)
    );
    let r = run(&[
        PLUGIN,
        "--mode=countevents",
        "--region=eu-west-1",
        "--warning-count=x",
    ]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        ("UNKNOWN: Wrong warning-count threshold 'x'. \n", 3)
    );
    let r = run(&[
        PLUGIN,
        "--mode=countevents",
        "--region=eu-west-1",
        "--statefile-dir=/tmp",
    ]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        ("UNKNOWN: option --statefile-dir is not supported yet \n", 3)
    );
}

#[test]
fn hostile_trail_name_cannot_forge_a_status() {
    let r = run(&[
        PLUGIN,
        "--mode=checktrailstatus",
        "--region=BAD|x",
        "--trail-name=t",
    ]);
    assert_eq!(r.code, 3);
    assert_eq!(r.stdout.lines().count(), 1);
    assert!(!r.stdout.contains('|'));
}
