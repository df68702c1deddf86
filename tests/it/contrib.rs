//! The integration files under `contrib/` use only options `--help`
//! documents, so a copied definition never fails on an unknown option.

use regex_lite::Regex;

use crate::util::{MODES, PLUGIN, run};

const FILES: [(&str, &str); 3] = [
    (
        "contrib/centreon/clapi-commands.txt",
        include_str!("../../contrib/centreon/clapi-commands.txt"),
    ),
    (
        "contrib/nagios/commands.cfg",
        include_str!("../../contrib/nagios/commands.cfg"),
    ),
    (
        "contrib/icinga2/check_cloudtrail.conf",
        include_str!("../../contrib/icinga2/check_cloudtrail.conf"),
    ),
];

fn options_in(text: &str) -> Vec<String> {
    // Upper case too: a typo like --event-categoryX must fail here.
    let re = Regex::new(r"--[A-Za-z][A-Za-z0-9_-]*[A-Za-z0-9]").unwrap();
    let mut v: Vec<String> = re.find_iter(text).map(|m| m.as_str().to_owned()).collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn every_option_of_the_contrib_files_is_in_help() {
    let mut help = run(&[PLUGIN, "--help"]).stdout;
    for mode in MODES {
        for custom in ["api", "awscli"] {
            let r = run(&[
                PLUGIN,
                &format!("--mode={mode}"),
                &format!("--custommode={custom}"),
                "--help",
            ]);
            help.push_str(&r.stdout);
        }
    }
    let documented = options_in(&help);
    for (path, text) in FILES {
        let used = options_in(text);
        assert!(used.len() >= 8, "{path}: {used:?}");
        let missing: Vec<&String> = used.iter().filter(|o| !documented.contains(o)).collect();
        assert!(
            missing.is_empty(),
            "{path} uses options --help does not know: {missing:?}"
        );
    }
}

/// Each command's mode exists, and the Centreon commands call every mode.
#[test]
fn the_commands_name_real_modes() {
    let re = Regex::new(r"--mode=([a-z]+)").unwrap();
    let (_, centreon) = FILES[0];
    let mut modes: Vec<&str> = re
        .captures_iter(centreon)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    modes.sort();
    modes.dedup();
    assert_eq!(modes, MODES);
    for (path, text) in FILES {
        for c in re.captures_iter(text) {
            let m = c.get(1).unwrap().as_str();
            assert!(MODES.contains(&m), "{path}: --mode={m}");
        }
    }
}
