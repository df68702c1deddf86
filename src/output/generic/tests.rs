//! The generic options' pure parts, against upstream's functions in
//! `centreon/plugins/output.pm` and `misc.pm` (as the written spec of
//! upstream's behaviour describes them, sections quoted as §n).
//! Several metrics at once here, which the two modes cannot produce.

use super::*;
use crate::output::Perfdata;

fn m(label: &str, value: &str) -> Metric {
    Metric {
        label: label.into(),
        value: value.into(),
        ..Metric::default()
    }
}

fn with_max(label: &str, value: &str, max: &str) -> Metric {
    Metric {
        max: max.into(),
        ..m(label, value)
    }
}

fn generic(args: GenericArgs<'_>) -> Generic {
    Generic::parse(&args).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn error(args: GenericArgs<'_>) -> String {
    match Generic::parse(&args) {
        Ok(_) => panic!("{args:?} should be refused"),
        Err(e) => e,
    }
}

/// The perfdata part of a text line, as output_txt prints it.
fn line(ms: &[Metric]) -> String {
    ms.iter().map(Metric::text).collect::<Vec<_>>().join(" ")
}

fn traffic() -> Vec<Metric> {
    vec![
        m("traffic_in_a", "3.00"),
        m("traffic_out_a", "30"),
        m("traffic_in_b", "300"),
        m("traffic_out_b", "3000"),
    ]
}

#[test]
fn metric_text_and_from_perfdata() {
    // output.pm::output_txt: 'label'=value unit;warn;crit;min;max, quotes
    // doubled.
    let x = Metric {
        label: "a'b".into(),
        value: "1".into(),
        unit: "ms".into(),
        warning: "5".into(),
        critical: "1:8".into(),
        min: "0".into(),
        max: "10".into(),
    };
    assert_eq!(x.text(), "'a''b'=1ms;5;1:8;0;10");
    // output.pm::perfdata_add: a mode's perfdata as strings (countevents'
    // sprintf("%.2f"), min 0, our echoed threshold).
    let p = Perfdata {
        decimals: Some(2),
        warning: Range::parse("5"),
        min: Some(0.0),
        ..Perfdata::new("events_count", 3.0)
    };
    assert_eq!(
        Metric::from_perfdata(&p),
        Metric {
            label: "events_count".into(),
            value: "3.00".into(),
            warning: "0:5".into(),
            min: "0".into(),
            ..Metric::default()
        }
    );
}

#[test]
fn group_with_match_doc_example() {
    // output.pm POD: traffic_in_(.*),traffic_$1,sum(traffic_(in|out)_$1).
    let g = generic(GenericArgs {
        extend_perfdata_group: vec!["traffic_in_(.*),traffic_$1,sum(traffic_(in|out)_$1)"],
        ..Default::default()
    });
    assert_eq!(
        line(&g.metrics(traffic(), "m")),
        "'traffic_in_a'=3.00;;;; 'traffic_out_a'=30;;;; 'traffic_in_b'=300;;;; \
         'traffic_out_b'=3000;;;; 'traffic_a'=33;;;; 'traffic_b'=3300;;;;"
    );
}

#[test]
fn group_without_match_aggregates_everything_it_names() {
    let cases = [
        // output.pm::apply_pfdata_sum: a Perl number.
        (",total,sum(_in_)", "'total'=303;;;;"),
        // output.pm::apply_pfdata_average: sprintf('%.2f').
        (",avg,average(_in_)", "'avg'=151.50;;;;"),
        // output.pm::apply_pfdata_min/max: the value string as it was.
        (",lo,min(traffic)", "'lo'=3.00;;;;"),
        (",hi,max(traffic)", "'hi'=3000;;;;"),
        // output.pm::apply_perfdata_extend: unit/min/max and thresholds.
        (
            ",total,sum(out),b,0,4000,50%,75%",
            "'total'=3030b;2000;3000;0;4000",
        ),
        // output.pm::apply_perfdata_extend: nothing matches, nothing added.
        (",none,sum(zzz)", ""),
        // output.pm::apply_perfdata_extend: no method, nothing added.
        (",none", ""),
    ];
    for (spec, added) in cases {
        let g = generic(GenericArgs {
            extend_perfdata_group: vec![spec],
            ..Default::default()
        });
        let out = g.metrics(traffic(), "m");
        assert_eq!(line(out.get(4..).unwrap_or_default()), added, "{spec}");
        assert_eq!(out.len(), 4 + usize::from(!added.is_empty()), "{spec}");
    }
}

#[test]
fn group_match_gives_one_metric_per_match() {
    // output.pm::apply_perfdata_extend: every label the match hits makes
    // a metric; $1 of that label in the method's pattern.
    let g = generic(GenericArgs {
        extend_perfdata_group: vec!["traffic_(in|out)_(a|b),$1,max(traffic_$1_)"],
        ..Default::default()
    });
    let out = g.metrics(traffic(), "m");
    assert_eq!(
        line(&out[4..]),
        "'in'=300;;;; 'out'=3000;;;; 'in'=300;;;; 'out'=3000;;;;"
    );
}

#[test]
fn aggregates_skip_values_without_digits() {
    // output.pm::apply_pfdata_sum: only values matching /\d+/.
    let ms = vec![m("a_1", "2"), m("a_2", "U"), m("a_3", "")];
    assert_eq!(
        aggregate(&Method::Sum("a_".into()), &ms, None),
        Some("2".into())
    );
    assert_eq!(
        aggregate(&Method::Average("a_".into()), &ms, None),
        Some("2.00".into())
    );
    assert_eq!(aggregate(&Method::Sum("zzz".into()), &ms, None), None);
}

#[test]
fn captures_are_quoted_in_aggregate_patterns() {
    // output.pm::apply_perfdata_extend: $1 in the pattern is the text of
    // the capture, not a pattern (here: a literal dot).
    assert_eq!(
        with_captures("x_$1_$2", &["all".into(), "a.b".into(), "c".into()]),
        "x_a\\.b_c"
    );
    assert_eq!(with_captures("x_$10", &["all".into(), "a".into()]), "x_a0");
}

#[test]
fn change_extend_group_order() {
    // output.pm::load_perfdata_extend_args: all changes, then all
    // extends, then all groups, whatever the command-line order.
    let g = generic(GenericArgs {
        change_perfdata: vec!["traffic_in_a,in_a", "in_a,,math(current*2)"],
        extend_perfdata: vec!["in_a,copy_a"],
        extend_perfdata_group: vec![",sum_a,sum(_a$)"],
        ..Default::default()
    });
    let out = g.metrics(traffic(), "m");
    assert_eq!(
        line(&out),
        "'in_a'=6;;;; 'traffic_out_a'=30;;;; 'traffic_in_b'=300;;;; 'traffic_out_b'=3000;;;; \
         'copy_a'=6;;;; 'sum_a'=42;;;;"
    );
}

#[test]
fn filters_and_uom_and_range() {
    let mut ms = traffic();
    ms[0].unit = "b".into();
    ms[1].unit = "B".into();
    ms[2].warning = "0:10".into();
    ms[3].critical = "@0.0:5".into();
    // output.pm::filter_perfdata: regex then adv, both must hold.
    let g = generic(GenericArgs {
        filter_perfdata: Some("_in_|_out_a"),
        filter_perfdata_adv: Some("%(value) >= 30 or %(unit) eq 'b'"),
        ..Default::default()
    });
    let labels: Vec<String> = g
        .metrics(ms.clone(), "m")
        .into_iter()
        .map(|x| x.label)
        .collect();
    assert_eq!(labels, ["traffic_in_a", "traffic_out_a", "traffic_in_b"]);
    // output.pm::output_txt: --filter-uom blanks, --range-perfdata=1
    // shortens zero starts.
    let g = generic(GenericArgs {
        filter_uom: Some("^b$"),
        range_perfdata: Some("1"),
        ..Default::default()
    });
    assert_eq!(
        line(&g.metrics(ms.clone(), "m")),
        "'traffic_in_a'=3.00b;;;; 'traffic_out_a'=30;;;; 'traffic_in_b'=300;10;;; \
         'traffic_out_b'=3000;;@5;;"
    );
    // output.pm::filter_perfdata: %(mode) is the --mode value.
    let g = generic(GenericArgs {
        filter_perfdata_adv: Some("%(mode) eq 'countevents'"),
        ..Default::default()
    });
    assert_eq!(g.metrics(ms.clone(), "countevents").len(), 4);
    assert!(g.metrics(ms, "").is_empty());
}

#[test]
fn range_forms() {
    // output.pm::range_perfdata: s/^(@?)-?[0\.]+:/$1/ for 1, '' for 2.
    for (r, one) in [
        ("0:5", "5"),
        ("@0:5", "@5"),
        ("0.0:8", "8"),
        ("00:8", "8"),
        ("-0:8", "8"),
        ("0.5:8", "0.5:8"),
        ("10:20", "10:20"),
        (":5", ":5"),
        ("~:5", "~:5"),
        ("0:", ""),
        ("5", "5"),
        ("", ""),
    ] {
        assert_eq!(range_form(r, 1), one, "{r}");
        assert_eq!(range_form(r, 0), r, "{r}");
        assert_eq!(range_form(r, 2), "", "{r}");
    }
}

#[test]
fn threshold_fields() {
    // output.pm::apply_perfdata_thresholds: per `:` part, N% of max, else
    // the first number, else ''.
    for (field, max, want) in [
        ("5", "", "5"),
        ("20%", "10", "2"),
        ("33%", "10", "3.3"),
        ("20%", "", ""),
        ("10%:20%", "200", "20:40"),
        ("50%:", "200", "100:"),
        ("@1:5", "", "1:5"),
        ("~:8", "", ":8"),
        ("-5:-1", "", "5:1"),
        ("abc", "", ""),
        ("1.5:2.5", "", "1.5:2.5"),
        ("x10y", "", "10"),
        ("1.", "", "1"),
        (":", "", ":"),
    ] {
        assert_eq!(threshold_field(field, max), want, "{field} max {max}");
    }
}

#[test]
fn threshold_field_takes_one_decimal_number() {
    assert_eq!(threshold_field("1.2.3", ""), "1.2");
    assert_eq!(threshold_field("1.2.3:4", ""), "1.2:4");
}

#[test]
fn invert_and_percent_mirror_ranges() {
    let g = |spec: &'static str| {
        generic(GenericArgs {
            change_perfdata: vec![spec],
            ..Default::default()
        })
    };
    let base = Metric {
        warning: "2:5".into(),
        critical: "0:8".into(),
        ..with_max("x", "3", "10")
    };
    // output.pm::apply_pfdata_invert + misc::get_threshold_litteral.
    assert_eq!(
        line(&g("x,,invert()").metrics(vec![base.clone()], "m")),
        "'x'=7;5:8;2:10;;10"
    );
    // misc::parse_threshold: infinities swap (~:5 → 5:, 10: → ~:0), @ kept.
    let inf = Metric {
        warning: "~:5".into(),
        critical: "@10:".into(),
        ..with_max("x", "3", "10")
    };
    assert_eq!(
        line(&g("x,,invert()").metrics(vec![inf], "m")),
        "'x'=7;5:;@~:0;;10"
    );
    // misc::parse_threshold: an invalid threshold is left as it is.
    let bad = Metric {
        warning: "abc".into(),
        ..with_max("x", "3", "10")
    };
    assert_eq!(
        line(&g("x,,invert()").metrics(vec![bad], "m")),
        "'x'=7;abc;;;10"
    );
    // output.pm::apply_pfdata_percent.
    assert_eq!(
        line(&g("x,,percent()").metrics(vec![base], "m")),
        "'x'=30.00%;20.00:50.00;0.00:80.00;;100"
    );
}

#[test]
fn math_expressions() {
    // output.pm::parse_pfdata_math: ^((?:[\s.\-+*/0-9()]|current)+)$.
    for (e, v, want) in [
        ("current + 10", 3.0, 13.0),
        ("1 + 2 * 3", 0.0, 7.0),
        ("(1 + 2) * 3", 0.0, 9.0),
        ("current - 1 - 1", 3.0, 1.0),
        ("8 / 2 / 2", 0.0, 2.0),
        ("-current", 3.0, -3.0),
        ("--current", 3.0, 3.0),
        ("+current", 3.0, 3.0),
        (".5 * current", 4.0, 2.0),
        ("current*current", 3.0, 9.0),
    ] {
        let a = Arith::parse(e).unwrap_or_else(|err| panic!("{e}: {err}"));
        assert_eq!(a.eval(v), want, "{e}");
    }
    assert!(Arith::parse("current / 0").unwrap().eval(3.0).is_infinite());
    for bad in [
        "",
        "1e5",
        "current %2",
        "(1",
        "cur",
        "current x",
        "1..2",
        "2 ** 3",
    ] {
        assert!(Arith::parse(bad).is_err(), "{bad:?} should be refused");
    }
}

#[test]
fn units_split() {
    // misc::scale_bytesbit: ^([KMGTPEkmgtpe])?(B|b|bps|Bps|b/s|auto)$.
    for (u, p, rest) in [
        ("MB", "M", "B"),
        ("kb/s", "k", "b/s"),
        ("Bps", "", "Bps"),
        ("B", "", "B"),
        ("M", "", "M"),
        ("Tbps", "T", "bps"),
    ] {
        assert_eq!(split_unit(u), Some((p.into(), rest.into())), "{u}");
    }
    assert_eq!(split_unit(""), None);
}

#[test]
fn scale_from_bytes_without_prefix() {
    let mut x = Metric {
        unit: "B".into(),
        ..m("x", "3")
    };
    apply_method(&Method::Scale(None), &mut x, &[], &[]);
    assert_eq!((x.value.as_str(), x.unit.as_str()), ("3.00", "B"));
    let mut x = Metric {
        unit: "B".into(),
        ..with_max("x", "370370367", "500000000")
    };
    apply_method(
        &Method::Scale(Some(("M".into(), "B".into()))),
        &mut x,
        &[],
        &[],
    );
    assert_eq!(
        (x.value.as_str(), x.unit.as_str(), x.max.as_str()),
        ("353.21", "MB", "476.84")
    );
}

#[test]
fn scale_with_a_prefixed_source() {
    // misc::scale_bytesbit (auto): kB, divide by 1024 while ≥ 1024.
    let mut x = Metric {
        unit: "kB".into(),
        ..m("x", "370370367")
    };
    apply_method(&Method::Scale(None), &mut x, &[], &[]);
    assert_eq!((x.value.as_str(), x.unit.as_str()), ("353.21", "gB"));
    // misc::scale_bytesbit: kB to MB, max rounded, thresholds not.
    let mut x = Metric {
        unit: "kB".into(),
        warning: "1024:3072".into(),
        ..with_max("x", "2048", "4096")
    };
    apply_method(
        &Method::Scale(Some(("M".into(), "B".into()))),
        &mut x,
        &[],
        &[],
    );
    assert_eq!(x.text(), "'x'=2.00MB;1:3;;;4.00");
    // output.pm::apply_pfdata_scale: other units untouched.
    let mut x = Metric {
        unit: "ms".into(),
        ..m("x", "3")
    };
    apply_method(&Method::Scale(None), &mut x, &[], &[]);
    assert_eq!(x.text(), "'x'=3ms;;;;");
}

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
fn exit_states() {
    let g = generic(GenericArgs {
        change_exit: vec!["ok=warning", "warning=critical", "OK=Critical"],
        ..Default::default()
    });
    // output.pm::exit: one lookup, later same source wins.
    assert_eq!(g.exit_state(State::Ok, None), State::Critical);
    assert_eq!(g.exit_state(State::Warning, None), State::Critical);
    assert_eq!(g.exit_state(State::Unknown, None), State::Unknown);
    // output.pm::exit: the adv exit replaces the state before the mapping.
    assert_eq!(
        g.exit_state(State::Unknown, Some(State::Ok)),
        State::Critical
    );
    assert_eq!(
        Generic::default().exit_state(State::Critical, Some(State::Ok)),
        State::Ok
    );
}

#[test]
fn explode_rules() {
    let ms = vec![
        with_max("cpu_a", "1", "4"),
        with_max("mem_a", "2", "8"),
        m("nomax", "3"),
    ];
    // output.pm::apply_perfdata_explode: all with a max.
    let g = generic(GenericArgs {
        explode_perfdata_max: Some(vec![]),
        ..Default::default()
    });
    assert_eq!(
        line(&g.metrics(ms.clone(), "m")[3..]),
        "'cpu_a_max'=4;;;; 'mem_a_max'=8;;;;"
    );
    // output.pm::apply_perfdata_explode: the first rule that matches.
    let g = generic(GenericArgs {
        explode_perfdata_max: Some(vec!["_a,a_total", "mem,mem_total"]),
        ..Default::default()
    });
    assert_eq!(
        line(&g.metrics(ms.clone(), "m")[3..]),
        "'a_total'=4;;;; 'a_total'=8;;;;"
    );
    let g = generic(GenericArgs {
        explode_perfdata_max: Some(vec!["mem,mem_total", "_a,a_total"]),
        ..Default::default()
    });
    assert_eq!(
        line(&g.metrics(ms, "m")[3..]),
        "'a_total'=4;;;; 'mem_total'=8;;;;"
    );
}

#[test]
fn parse_errors_name_the_option() {
    assert_eq!(
        error(GenericArgs {
            range_perfdata: Some("3"),
            ..Default::default()
        }),
        "Wrong range-perfdata option '3'"
    );
    assert_eq!(
        error(GenericArgs {
            explode_perfdata_max: Some(vec!["a,b", ""]),
            ..Default::default()
        }),
        "Wrong explode-perfdata-max option '' (syntax: match,value)"
    );
    assert_eq!(
        error(GenericArgs {
            change_exit: vec!["ok=pending"],
            ..Default::default()
        }),
        "--change-exit 'ok=pending' is not STATE=STATE (ok, warning, critical, unknown)"
    );
    assert_eq!(
        error(GenericArgs {
            change_output_adv: vec!["%(exit_code) == 0,x,bogus"],
            ..Default::default()
        }),
        "--change-output-adv '%(exit_code) == 0,x,bogus': exit 'bogus' is not ok, warning, critical or unknown"
    );
    assert_eq!(
        error(GenericArgs {
            change_output_adv: vec!["%(value) == 0,x"],
            ..Default::default()
        }),
        "--change-output-adv '%(value) == 0,x': unknown variable %{value} (known: %{short_output}, %{exit_code})"
    );
    assert_eq!(
        error(GenericArgs {
            extend_perfdata: vec!["a,b,scale(XB)"],
            ..Default::default()
        }),
        "--extend-perfdata 'a,b,scale(XB)': scale unit 'XB' is not one of B, b, bps, Bps, b/s with an optional K/M/G/T/P/E prefix"
    );
    assert_eq!(
        error(GenericArgs {
            extend_perfdata_group: vec![",t,sum(()"],
            ..Default::default()
        })
        .split(':')
        .next(),
        Some("--extend-perfdata-group '(' is not a supported regular expression")
    );
    assert!(
        error(GenericArgs {
            filter_perfdata: Some("a{2,1}"),
            ..Default::default()
        })
        .starts_with("--filter-perfdata 'a{2,1}' is not a supported regular expression")
    );
}

#[test]
fn parse_accepts_upstreams_forms() {
    // output.pm::check_options: --range-perfdata without value is 1.
    let g = generic(GenericArgs {
        range_perfdata: Some(""),
        ..Default::default()
    });
    assert_eq!(g.range_perfdata, 1);
    // output.pm::check_options: the first explode value empty → all.
    let g = generic(GenericArgs {
        explode_perfdata_max: Some(vec!["", "a,b"]),
        ..Default::default()
    });
    assert!(matches!(g.explode, Explode::All));
    // output.pm::parse_perfdata_extend_args: empty match ignored for
    // change/extend, kept for groups.
    let g = generic(GenericArgs {
        change_perfdata: vec![",x"],
        extend_perfdata: vec![",y"],
        extend_perfdata_group: vec![",z,sum(.)"],
        ..Default::default()
    });
    assert_eq!(g.rewrites.len(), 1);
    // output.pm::check_options: an adv rule with an empty condition is
    // ignored; text and exit optional.
    assert!(Adv::parse(",x,critical").unwrap().is_none());
    let a = Adv::parse("%(exit_code) == 0").unwrap().unwrap();
    assert_eq!((a.text, a.exit), (None, None));
    let a = Adv::parse("%(exit_code) == 0,,Warning").unwrap().unwrap();
    assert_eq!((a.text, a.exit), (None, Some(State::Warning)));
}
