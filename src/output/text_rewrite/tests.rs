//! The text rewrites' pure parts, against `output.pm`'s
//! `output_txt_short` and `change_long_output`.

use super::*;
use crate::output::generic::GenericArgs;
use crate::output::testing::{
    BASE, Ran, TRAIL_OK, counted, events, failed, generic, shown, table, trail,
};
use crate::status::State;

#[test]
fn substitutions() {
    // output.pm::output_txt_short: eval "s{pattern}{replacement}modifiers".
    for (spec, text, want) in [
        ("OK~Up~gi", "ok: ok", "Up: Up"),
        ("ok~Up~i", "ok: ok", "Up: ok"),
        ("o~0", "foo", "f0o"),
        ("o~0~g", "foo", "f00"),
        ("(\\d+)~<$1>~g", "a1b22", "a<1>b<22>"),
        ("^~> ~mg", "a\nb", "> a\n> b"),
        ("a . b~x~x", "a-b", "x"),
        ("a.b~x~s", "a\nb", "x"),
        ("a~\\x21", "a", "!"),
        ("a~$$", "a", "$$"),
        ("x~y~g~ignored", "xx", "yy"),
        ("nomatch~y", "abc", "abc"),
        ("b", "abc", "ac"),
    ] {
        let s = Subst::parse("--opt", spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
        assert_eq!(s.apply(text), want, "{spec}");
    }
    assert_eq!(
        Subst::parse("--opt", "a~b~e").unwrap_err(),
        "--opt 'a~b~e': modifier 'e' is not supported (g, i, m, s, x)"
    );
    assert!(
        Subst::parse("--opt", "(~x")
            .unwrap_err()
            .starts_with("--opt '(~x': '(' is not a supported regular expression: ")
    );
}

#[test]
fn short_output_rules() {
    let g = generic(GenericArgs {
        change_short_output: vec!["OK~Up"],
        change_output_adv: vec![
            "%(short_output) =~ /^Up/,First,warning",
            // Every rule sees the text as --change-short-output left it.
            "%(short_output) =~ /^First/,Second,critical",
            "%(exit_code) == 0,,unknown",
        ],
        ..Default::default()
    });
    // output.pm::output_txt_short: short rules, then adv rules; the last
    // matching exit wins.
    assert_eq!(
        g.short_output("OK: x ", State::Ok),
        ("First".to_owned(), Some(State::Unknown))
    );
    // output.pm::output_txt_short: exit_code is the state's number.
    assert_eq!(
        g.short_output("WARNING: x ", State::Warning),
        ("WARNING: x ".to_owned(), None)
    );
    // Nothing given: unchanged.
    assert_eq!(
        Generic::default().short_output("OK: x ", State::Ok),
        ("OK: x ".to_owned(), None)
    );
}

#[test]
fn long_output_rules() {
    let lines = vec!["a b".to_owned(), "c".to_owned()];
    // output.pm::change_long_output: joined by \n, rules, re-split.
    let g = generic(GenericArgs {
        change_long_output: vec![" ~\\n~g", "c~C"],
        ..Default::default()
    });
    assert_eq!(g.long_output(&lines), ["a", "b", "C"]);
    // output.pm::change_long_output: trailing empty lines are lost.
    let g = generic(GenericArgs {
        change_long_output: vec!["c~\\n\\n"],
        ..Default::default()
    });
    assert_eq!(g.long_output(&lines), ["a b"]);
    assert_eq!(Generic::default().long_output(&lines), lines);
}

#[test]
fn adv_rules_parse_upstreams_forms() {
    // output.pm::check_options: an adv rule with an empty condition is
    // ignored; text and exit optional.
    assert!(Adv::parse(",x,critical").unwrap().is_none());
    let a = Adv::parse("%(exit_code) == 0").unwrap().unwrap();
    assert_eq!((a.text, a.exit), (None, None));
    let a = Adv::parse("%(exit_code) == 0,,Warning").unwrap().unwrap();
    assert_eq!((a.text, a.exit), (None, Some(State::Warning)));
}

// ---------------------------------------------------------------------
// The rows of tests/it/generic.rs for the text rewrites, on the outcome the mode
// handed over in that run; the binary keeps one or two of them.
// ---------------------------------------------------------------------

#[test]
fn change_long_output() {
    table(&[
        // output.pm::change_long_output: with --verbose.
        (
            &["--verbose", "--change-long-output=never~NEVER~g"],
            trail(true),
            "OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\nlogging started: NEVER, stopped: NEVER\nlatest log delivery: NEVER\n",
            0,
        ),
        // output.pm::change_long_output: the lines are joined, so
        // without g only the first match in the whole text.
        (
            &["--verbose", "--change-long-output=never~NEVER"],
            trail(true),
            "OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\nlogging started: NEVER, stopped: never\nlatest log delivery: never\n",
            0,
        ),
        // output.pm::change_long_output: ^ with m on every line.
        (
            &["--verbose", "--change-long-output=^~> ~mg"],
            trail(true),
            "OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\n> logging started: never, stopped: never\n> latest log delivery: never\n",
            0,
        ),
        // output.pm::change_long_output: re-split on \n.
        (
            &["--verbose", "--change-long-output=, ~\\n"],
            trail(true),
            "OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\nlogging started: never\nstopped: never\nlatest log delivery: never\n",
            0,
        ),
        // output.pm::change_long_output: the status line is not touched.
        (
            &["--verbose", "--change-long-output=Trail~TRAIL~g"],
            trail(true),
            "OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\nlogging started: never, stopped: never\nlatest log delivery: never\n",
            0,
        ),
        // output.pm::display: several rules in order.
        (
            &[
                "--verbose",
                "--change-long-output=never~N~g",
                "--change-long-output=N~0~g",
            ],
            trail(true),
            "OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\nlogging started: 0, stopped: 0\nlatest log delivery: 0\n",
            0,
        ),
        // output.pm::display: no long output without --verbose.
        (
            &["--change-long-output=never~NEVER~g"],
            trail(true),
            TRAIL_OK,
            0,
        ),
    ]);
}

#[test]
fn change_output_adv() {
    table(&[
        // output.pm::output_txt_short: the text replaces the whole
        // short output (no label, no space), the exit is set.
        (
            &["--change-output-adv=%(short_output) =~ /events/,Replaced,critical"],
            counted(),
            "Replaced| 'events_count'=3.00;;;0;\n",
            2,
        ),
        // output.pm::output_txt_short: exit only.
        (
            &["--change-output-adv=%{exit_code} == 0,,warning"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;;;0;\n",
            1,
        ),
        // output.pm::output_txt_short: text only.
        (
            &["--change-output-adv=%{exit_code} == 0,Fine"],
            counted(),
            "Fine| 'events_count'=3.00;;;0;\n",
            0,
        ),
        // output.pm::output_txt_short: false condition, nothing.
        (
            &["--change-output-adv=%{exit_code} == 2,Bad,critical"],
            counted(),
            BASE,
            0,
        ),
        // output.pm::exit: --change-exit after the adv exit.
        (
            &[
                "--change-output-adv=%(short_output) =~ /events/,Replaced,critical",
                "--change-exit=critical=unknown",
            ],
            counted(),
            "Replaced| 'events_count'=3.00;;;0;\n",
            3,
        ),
        // output.pm::output_txt_short: later rules win.
        (
            &[
                "--change-output-adv=%(exit_code) == 0,A,critical",
                "--change-output-adv=%(exit_code) == 0,B,warning",
            ],
            counted(),
            "B| 'events_count'=3.00;;;0;\n",
            1,
        ),
        // output.pm::output_txt: with --output-ignore-perfdata.
        (
            &[
                "--change-output-adv=%(short_output) =~ /events/,Replaced",
                "--output-ignore-perfdata",
            ],
            counted(),
            "Replaced\n",
            0,
        ),
        // Centreon's own test suite example.
        (
            &[
                "--change-output-adv=%(short_output) =~ /OK:/ and %(exit_code) == 0,Forced from OK to WARNING,WARNING",
            ],
            counted(),
            "Forced from OK to WARNING| 'events_count'=3.00;;;0;\n",
            1,
        ),
        (
            &[
                "--change-output-adv=%(short_output) =~ /OK:/ and %(exit_code) == 0,Forced from OK to WARNING,WARNING",
            ],
            events(State::Warning, "1", ""),
            "WARNING: Number of events: 3.00 | 'events_count'=3.00;0:1;;0;\n",
            1,
        ),
        // output.pm::output_txt_short: exit_code is the mode's state.
        (
            &["--change-output-adv=%(exit_code) == 1,Was warning,ok"],
            events(State::Warning, "1", ""),
            "Was warning| 'events_count'=3.00;0:1;;0;\n",
            0,
        ),
        // output.pm::output_txt_short: short_output has the trailing
        // space.
        (
            &["--change-output-adv=%(short_output) =~ /3\\.00 $/,End"],
            counted(),
            "End| 'events_count'=3.00;;;0;\n",
            0,
        ),
        // output.pm::output_txt_short: after --change-short-output.
        (
            &[
                "--change-short-output=OK~Up",
                "--change-output-adv=%(short_output) =~ /^Up/,Seen Up",
            ],
            counted(),
            "Seen Up| 'events_count'=3.00;;;0;\n",
            0,
        ),
        // output.pm::check_options: empty condition, ignored.
        (&["--change-output-adv=,x,critical"], counted(), BASE, 0),
        // output.pm::option_exit: errors go through it too.
        (
            &["--change-output-adv=%(exit_code) == 3,Err,critical"],
            failed(
                "countevents",
                State::Unknown,
                "Wrong warning-count threshold 'abc'.",
            ),
            "Err\n",
            2,
        ),
        // Deviation: a bad exit is an UNKNOWN (upstream: ignored).
        (
            &["--change-output-adv=%(short_output) =~ /events/,Replaced,bogus"],
            counted(),
            "UNKNOWN: --change-output-adv '%(short_output) =~ /events/,Replaced,bogus': exit 'bogus' is not ok, warning, critical or unknown \n",
            3,
        ),
        // Deviation: PENDING (exit 4) is not a Nagios state here.
        (
            &["--change-output-adv=%(exit_code) == 0,Replaced,pending"],
            counted(),
            "UNKNOWN: --change-output-adv '%(exit_code) == 0,Replaced,pending': exit 'pending' is not ok, warning, critical or unknown \n",
            3,
        ),
        // output.pm::output_txt_short: a syntax error is an UNKNOWN
        // (upstream dies with nothing on stdout).
        (
            &["--change-output-adv=%(exit_code) = = 1,x,ok"],
            counted(),
            "UNKNOWN: --change-output-adv '%(exit_code) = = 1,x,ok': unexpected '=' at '= = 1' \n",
            3,
        ),
    ]);
}

#[test]
fn change_short_output() {
    let perf = "| 'events_count'=3.00;;;0;\n";
    let line = |short: &str| format!("{short}{perf}");
    let cases: Vec<(Vec<&str>, Ran, String, i32)> = vec![

        // output.pm::output_txt_short: g and i.
        (vec!["--change-short-output=OK~Up~gi"], counted(), line("Up: Number of events: 3.00 "), 0),
        // output.pm::output_txt_short: rules in order, each on the result.
        (vec!["--change-short-output=ok~Up~gi", "--change-short-output=Up~Down"], counted(), line("Down: Number of events: 3.00 "), 0),
        // output.pm::output_txt_short: no replacement deletes.
        (vec!["--change-short-output=events"], counted(), line("OK: Number of : 3.00 "), 0),
        // output.pm::output_txt_short: $1.
        (vec!["--change-short-output=(\\d+)\\.00~<$1>~g"], counted(), line("OK: Number of events: <3> "), 0),
        // output.pm::output_txt_short: the trailing space is in the text.
        (vec!["--change-short-output= $~!"], counted(), line("OK: Number of events: 3.00!"), 0),
        // output.pm::output_txt_short: without g, the first only.
        (vec!["--change-short-output=e~E"], counted(), line("OK: NumbEr of events: 3.00 "), 0),
        (vec!["--change-short-output=e~E~g"], counted(), line("OK: NumbEr of EvEnts: 3.00 "), 0),
        // output.pm::output_txt_short: case-sensitive without i.
        (vec!["--change-short-output=E~X~"], counted(), line("OK: Number of events: 3.00 "), 0),
        (vec!["--change-short-output=E~X~i"], counted(), line("OK: NumbXr of events: 3.00 "), 0),
        // output.pm::output_txt_short: Perl escapes in the replacement.
        (vec!["--change-short-output=OK~\\x21"], counted(), line("!: Number of events: 3.00 "), 0),
        // output.pm::output_txt_short: fields after the third ignored.
        (vec!["--change-short-output=OK~Up~g~x"], counted(), line("Up: Number of events: 3.00 "), 0),
        // output.pm::output_txt_short: the label of a WARNING, rc kept.
        (vec!["--change-short-output=^WARNING~Careful"], events(State::Warning, "1", ""), "Careful: Number of events: 3.00 | 'events_count'=3.00;0:1;;0;\n".into(), 1),
        // output.pm::option_exit: also on errors.
        (vec!["--change-short-output=Wrong~Bad"], failed("countevents", State::Unknown, "Wrong warning-count threshold 'abc'."), "UNKNOWN: Bad warning-count threshold 'abc'. \n".into(), 3),
        // output.pm::output_txt: a `|` produced by a rule cannot start
        // perfdata.
        (vec!["--change-short-output=3.00~3.00 | 'x'=1"], counted(), line("OK: Number of events: 3.00 / 'x'=1 "), 0),
        // Deviation (regex-lite): an invalid pattern is an UNKNOWN
        // (upstream leaves the text unchanged).
        (vec!["--change-short-output=(~x"], counted(), "UNKNOWN: --change-short-output '(~x': '(' is not a supported regular expression: found open group without closing ')' \n".into(), 3),
        // Deviation (Perl code refused): the e modifier.
        (vec!["--change-short-output=OK~Up~e"], counted(), "UNKNOWN: --change-short-output 'OK~Up~e': modifier 'e' is not supported (g, i, m, s, x) \n".into(), 3),
    ];
    for (extra, ran, out, code) in &cases {
        assert_eq!(shown(extra, ran), (out.clone(), *code), "{extra:?}");
    }
}
