//! The binary's own answers: help, version, lists, usage errors.

use crate::util::{MODES, PLUGIN, run};

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
            .ends_with("Modes Available:\n   bucketposture\n   checktrailstatus\n   countevents\n   listtrails\n   logintegrity\n   securityevents\n   traildelivery\n   trailsecurity\n")
    );
    assert_eq!(r.code, 3);
    // --opt-exit applies to these as upstream (option_exit).
    assert_eq!(run(&[PLUGIN, "--help", "--opt-exit=ok"]).code, 0);
}

#[test]
fn generate_man_prints_the_manual_and_exits_0() {
    let r = run(&["--generate=man"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.starts_with(".TH CHECK_CLOUDTRAIL 1 "));
    // Every mode has its subsection, with its own options.
    for mode in MODES {
        assert!(r.stdout.contains(&format!("\n.SS {mode}\n")), "{mode}");
    }
    for tag in [
        r"\fB\-\-aws\-secret\-key\fR",
        r"\fB\-\-warning\-root_account_usage\fR",
        r"\fB\-\-command\-path\fR",
        r"\fB\-\-statefile\-dir\fR",
    ] {
        assert!(r.stdout.contains(tag), "{tag}");
    }
    let r = run(&["--generate=html"]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (
            "UNKNOWN: Unknown value 'html' for --generate (only 'man'). \n",
            3
        )
    );
}

/// Quoted `AWS_*` / `XDG_*` / `CHECK_CLOUDTRAIL_*` names in the program's
/// sources (test modules and files and the help texts left out), but
/// `AWS_PAGER`, which is only set for the child, and the debug build's
/// panic hook test switch.
fn env_names_read_by_the_program() -> std::collections::BTreeSet<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs")
                // The help texts name them too: they are what is checked.
                && p.file_name().is_some_and(|n| n != "tests.rs" && n != "help.rs")
            {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let re = regex_lite::Regex::new(r#""((?:AWS|XDG|CHECK_CLOUDTRAIL)_[A-Z_]*[A-Z])""#).unwrap();
    let mut names = std::collections::BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let program = text.split("#[cfg(test)]").next().unwrap();
        for c in re.captures_iter(program) {
            names.insert(c[1].to_owned());
        }
        // The per-service override is built from the service name.
        if program.contains("\"AWS_ENDPOINT_URL_{}\"") {
            names.insert("AWS_ENDPOINT_URL_CLOUDTRAIL".into());
            names.insert("AWS_ENDPOINT_URL_STS".into());
        }
    }
    names.remove("AWS_PAGER");
    names.remove("CHECK_CLOUDTRAIL_TEST_PANIC");
    names
}

#[test]
fn man_page_environment_is_what_the_program_reads() {
    let page = run(&["--generate=man"]).stdout;
    let section = page
        .split(".SH ENVIRONMENT\n")
        .nth(1)
        .and_then(|rest| rest.split("\n.SH ").next())
        .expect("an ENVIRONMENT section");
    let re = regex_lite::Regex::new(r"\\fB([A-Z_\\-]+)\\fR").unwrap();
    let documented: std::collections::BTreeSet<String> = re
        .captures_iter(section)
        .map(|c| c[1].replace("\\-", "-"))
        .filter(|n| {
            ["AWS_", "XDG_", "CHECK_CLOUDTRAIL_"]
                .iter()
                .any(|p| n.starts_with(p))
        })
        .collect();
    let read = env_names_read_by_the_program();
    assert!(read.len() > 20, "{read:?}");
    let undocumented: Vec<_> = read.difference(&documented).collect();
    let stale: Vec<_> = documented.difference(&read).collect();
    assert!(
        undocumented.is_empty() && stale.is_empty(),
        "read but not in the man page: {undocumented:?}; in the man page but never read: {stale:?}"
    );
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
        "--redis-server=127.0.0.1",
    ]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (
            "UNKNOWN: option --redis-server is not supported: state is kept in files, see --statefile-dir. \n",
            3
        )
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

#[test]
fn a_panic_is_still_an_unknown_answer() {
    let r = crate::util::run_env(
        &[PLUGIN, "--mode=countevents", "--region=eu-west-1"],
        &[("CHECK_CLOUDTRAIL_TEST_PANIC", "1")],
    );
    assert_eq!(r.code, 3);
    assert_eq!(
        r.stdout,
        "UNKNOWN: internal error: deliberate test panic \n"
    );
}

#[test]
fn hostile_values_never_break_the_output() {
    let huge = "x".repeat(100 * 1024);
    let cases: Vec<(String, &str)> = vec![
        (format!("--trail-name={huge}"), "--region"),
        (format!("--region={huge}"), "is not a region name"),
        (
            format!("--warning-count={huge}"),
            "Wrong warning-count threshold",
        ),
        (
            "--warning-count=1\nCRITICAL: forged | 'x'=1".to_owned(),
            "Wrong warning-count threshold",
        ),
        (
            "--error-message=(a|b".to_owned(),
            "is not a supported regular expression",
        ),
        ("--delta=5 minutes".to_owned(), "--delta must be"),
        ("--timeout=-3".to_owned(), "--timeout must be"),
        ("--max-pages=1|2".to_owned(), "--max-pages must be"),
    ];
    for (arg, says) in cases {
        let mut args = vec![PLUGIN, "--mode=countevents"];
        if !arg.starts_with("--region") {
            args.push("--region=eu-west-1");
        }
        if arg.starts_with("--trail-name") {
            args = vec![PLUGIN, "--mode=checktrailstatus"];
        }
        args.push(&arg);
        let r = run(&args);
        assert_eq!(r.code, 3, "{}", r.stdout);
        assert!(
            r.stdout.contains(says),
            "{says}: {}",
            r.stdout.chars().take(300).collect::<String>()
        );
        assert_eq!(r.stdout.lines().count(), 1, "one line only");
        assert!(
            !r.stdout.contains('|'),
            "a '|' would start perfdata: {}",
            r.stdout
        );
        assert!(r.stdout.len() < 1000, "the line is cut");
    }
}
