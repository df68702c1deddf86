//! The text rewrites' pure parts, against `output.pm`'s
//! `output_txt_short` and `change_long_output`.

use super::*;
use crate::output::generic::GenericArgs;
use crate::output::testing::generic;

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
