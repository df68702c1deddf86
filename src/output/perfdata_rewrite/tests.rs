//! The generic options' pure parts, against upstream's functions in
//! `centreon/plugins/output.pm` and `misc.pm` (as the written spec of
//! upstream's behaviour describes them, sections quoted as §n).
//! Several metrics at once here, which the two modes cannot produce.

use super::*;
use crate::output::generic::GenericArgs;
use crate::output::testing::{BASE, Ran, counted, events, generic, shown, table, trail};
use crate::status::State;

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

/// As conditions: nesting past [`crate::expr::MAX_DEPTH`] is refused,
/// never a stack overflow.
#[test]
fn math_nesting_is_bounded() {
    let max = crate::expr::MAX_DEPTH;
    let fine = [
        format!("{}current{}", "(".repeat(max - 1), ")".repeat(max - 1)),
        format!("{}current", "-".repeat(max - 1)),
        format!("1{}", "+1".repeat(max - 1)),
    ];
    for ok in &fine {
        assert!(Arith::parse(ok).is_ok(), "{ok}");
    }
    for n in [max + 1, 3_000, 200_000] {
        for bad in [
            format!("{}current{}", "(".repeat(n), ")".repeat(n)),
            format!("{}current", "-".repeat(n)),
            format!("{}current", "+".repeat(n)),
            format!("1{}", "+1".repeat(n)),
            format!("1{}", "*2".repeat(n)),
        ] {
            let e = Arith::parse(&bad).err().unwrap_or_default();
            assert!(e.contains("nested deeper than 64 levels"), "{n}: {e}");
        }
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

// ---------------------------------------------------------------------
// The rows of tests/it/generic.rs for the perfdata rewrites, on the outcome the mode
// handed over in that run; the binary keeps one or two of them.
// ---------------------------------------------------------------------

#[test]
fn filter_perfdata() {
    table(&[
        // output.pm::filter_perfdata: unanchored match keeps it.
        (&["--filter-perfdata=count"], counted(), BASE, 0),
        // output.pm::output_txt: nothing kept, no `|` at all.
        (
            &["--filter-perfdata=zzz"],
            counted(),
            "OK: Number of events: 3.00 \n",
            0,
        ),
        // output.pm::filter_perfdata: case-sensitive.
        (
            &["--filter-perfdata=COUNT"],
            counted(),
            "OK: Number of events: 3.00 \n",
            0,
        ),
        // output.pm::filter_perfdata: empty keeps everything.
        (&["--filter-perfdata="], counted(), BASE, 0),
        // output.pm::filter_perfdata: applied after change_perfdata.
        (
            &[
                "--change-perfdata=events_count,foo",
                "--filter-perfdata=^foo$",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'foo'=3.00;;;0;\n",
            0,
        ),
        // output.pm::filter_perfdata: applies to extended metrics.
        (
            &[
                "--extend-perfdata=events_count,foo",
                "--filter-perfdata=^foo",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'foo'=3.00;;;0;\n",
            0,
        ),
        // output.pm::filter_perfdata: does not change the status.
        (
            &["--filter-perfdata=zzz"],
            events(State::Critical, "", "2"),
            "CRITICAL: Number of events: 3.00 \n",
            2,
        ),
        // Deviation (regex-lite): an invalid pattern is an UNKNOWN
        // naming the option, before anything is printed.
        (
            &["--filter-perfdata=("],
            counted(),
            "UNKNOWN: --filter-perfdata '(' is not a supported regular expression: found open group without closing ')' \n",
            3,
        ),
        // Deviation (regex-lite): look-around is refused, not ignored.
        (
            &["--filter-perfdata=^events(?=_)"],
            counted(),
            "UNKNOWN: --filter-perfdata '^events(?=_)' is not a supported regular expression: look-around is not supported \n",
            3,
        ),
    ]);
    table(&[(
        &["--filter-perfdata=^events"],
        trail(true),
        "OK: Trail is logging: 1 \n",
        0,
    )]);
}

#[test]
fn filter_perfdata_adv() {
    let none = "OK: Number of events: 3.00 \n";
    table(&[
        // output.pm::filter_perfdata + misc test_eval: numeric, kept.
        (&["--filter-perfdata-adv=%(value) > 2"], counted(), BASE, 0),
        // output.pm::check_options: %{x} like %(x); dropped.
        (&["--filter-perfdata-adv=%{value} > 5"], counted(), none, 0),
        // output.pm::filter_perfdata: regex match on the label.
        (
            &["--filter-perfdata-adv=%(label) =~ /events/"],
            counted(),
            BASE,
            0,
        ),
        // output.pm::filter_perfdata: the mode key.
        (
            &["--filter-perfdata-adv=%(mode) eq \"countevents\""],
            counted(),
            BASE,
            0,
        ),
        (
            &["--filter-perfdata-adv=%(mode) ne 'countevents'"],
            counted(),
            none,
            0,
        ),
        // output.pm POD example.
        (
            &["--filter-perfdata-adv=not (%(value) == 0 and %(max) eq \"\")"],
            counted(),
            BASE,
            0,
        ),
        // output.pm::filter_perfdata: min is 0, unit and max empty.
        (
            &["--filter-perfdata-adv=%(min) == 0 && %(unit) eq '' && %(max) eq ''"],
            counted(),
            BASE,
            0,
        ),
        // output.pm::filter_perfdata: the (echoed) warning string.
        (
            &["--filter-perfdata-adv=%(warning) eq '0:5'"],
            events(State::Ok, "5", ""),
            "OK: Number of events: 3.00 | 'events_count'=3.00;0:5;;0;\n",
            0,
        ),
        // output.pm::filter_perfdata: after change_perfdata.
        (
            &[
                "--change-perfdata=events_count,,,,,10",
                "--filter-perfdata-adv=%(max) >= 10",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;;;0;10\n",
            0,
        ),
        // output.pm::filter_perfdata: both filters must pass.
        (
            &[
                "--extend-perfdata=events_count,foo,math(current*10)",
                "--filter-perfdata=^(events|foo)",
                "--filter-perfdata-adv=%(value) < 10",
            ],
            counted(),
            BASE,
            0,
        ),
        (
            &[
                "--extend-perfdata=events_count,foo,math(current*10)",
                "--filter-perfdata=foo",
                "--filter-perfdata-adv=%(value) < 10",
            ],
            counted(),
            none,
            0,
        ),
        // output.pm::check_options: empty = disabled.
        (&["--filter-perfdata-adv="], counted(), BASE, 0),
        // Deviation (Perl code refused): an UNKNOWN naming the option.
        (
            &["--filter-perfdata-adv=system(\"x\")"],
            counted(),
            "UNKNOWN: --filter-perfdata-adv 'system(\"x\")': unknown word 'system' (variables are written %{name}) \n",
            3,
        ),
        // output.pm::filter_perfdata: a syntax error is an UNKNOWN
        // (upstream: `Unsafe code evaluation`).
        (
            &["--filter-perfdata-adv=%(value) =="],
            counted(),
            "UNKNOWN: --filter-perfdata-adv '%(value) ==': unexpected end \n",
            3,
        ),
        // Deviation: an unknown variable is named (upstream: undef,
        // the metric silently dropped).
        (
            &["--filter-perfdata-adv=%(nosuch)"],
            counted(),
            "UNKNOWN: --filter-perfdata-adv '%(nosuch)': unknown variable %{nosuch} (known: %{label}, %{value}, %{unit}, %{warning}, %{critical}, %{min}, %{max}, %{mode}, %{alert_triggered()}) \n",
            3,
        ),
    ]);
}

#[test]
fn filter_perfdata_adv_alert_triggered() {
    table(&[
        // output.pm::filter_perfdata + misc::alert_triggered: 3 is
        // outside warning 0:2: kept.
        (
            &[
                "--change-perfdata=events_count,,,,,,2,5",
                "--filter-perfdata-adv=alert_triggered()",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;2;5;0;\n",
            0,
        ),
        // misc::alert_triggered: inside 0:4 and 0:5: dropped.
        (
            &[
                "--change-perfdata=events_count,,,,,,4,5",
                "--filter-perfdata-adv=alert_triggered()",
            ],
            counted(),
            "OK: Number of events: 3.00 \n",
            0,
        ),
    ]);
}

#[test]
fn filter_uom() {
    table(&[
        // output.pm::output_txt: a matching unit stays.
        (
            &["--change-perfdata=events_count,,,ms", "--filter-uom=ms"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00ms;;;0;\n",
            0,
        ),
        // output.pm::output_txt: a unit that does not match is blanked.
        (
            &["--change-perfdata=events_count,,,B", "--filter-uom=ms"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;;;0;\n",
            0,
        ),
        // output.pm::output_txt: the empty unit matches ^$.
        (&["--filter-uom=^$"], counted(), BASE, 0),
        // output.pm::output_txt: the empty unit never has to match.
        (&["--filter-uom=ms"], counted(), BASE, 0),
        // output.pm::output_txt: unanchored.
        (
            &["--change-perfdata=events_count,,,Bps", "--filter-uom=B"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00Bps;;;0;\n",
            0,
        ),
        // output.pm::output_txt: the metric stays, only the unit goes.
        (
            &[
                "--change-perfdata=events_count,,,%",
                "--filter-uom=^(ms|s)$",
                "--output-ignore-label",
            ],
            counted(),
            "Number of events: 3.00 | 'events_count'=3.00;;;0;\n",
            0,
        ),
        // output.pm: empty = not given.
        (
            &["--change-perfdata=events_count,,,ms", "--filter-uom="],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00ms;;;0;\n",
            0,
        ),
        // Deviation (regex-lite): an invalid pattern is an UNKNOWN.
        (
            &["--filter-uom=("],
            counted(),
            "UNKNOWN: --filter-uom '(' is not a supported regular expression: found open group without closing ')' \n",
            3,
        ),
    ]);
}

#[test]
fn explode_perfdata_max() {
    let max10 = "--change-perfdata=events_count,,,ms,,10";
    table(&[
        // output.pm::apply_perfdata_explode: without a value, every
        // metric with a max gets LABEL_max (value max, unit kept).
        (
            &[max10, "--explode-perfdata-max"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00ms;;;0;10 'events_count_max'=10ms;;;;\n",
            0,
        ),
        // output.pm::check_options: an empty value is the same.
        (
            &[max10, "--explode-perfdata-max="],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00ms;;;0;10 'events_count_max'=10ms;;;;\n",
            0,
        ),
        // output.pm::apply_perfdata_explode: no max, nothing added.
        (&["--explode-perfdata-max"], counted(), BASE, 0),
        // output.pm::apply_perfdata_explode: match,newlabel.
        (
            &[max10, "--explode-perfdata-max=events,total_max"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00ms;;;0;10 'total_max'=10ms;;;;\n",
            0,
        ),
        // output.pm::apply_perfdata_explode: no match, nothing.
        (
            &[max10, "--explode-perfdata-max=zzz,total_max"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00ms;;;0;10\n",
            0,
        ),
        // output.pm::check_options: a third field is ignored.
        (
            &[max10, "--explode-perfdata-max=events,a,b"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00ms;;;0;10 'a'=10ms;;;;\n",
            0,
        ),
        // output.pm::check_options: the first empty: the rest ignored.
        (
            &[
                max10,
                "--explode-perfdata-max=",
                "--explode-perfdata-max=events,a",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00ms;;;0;10 'events_count_max'=10ms;;;;\n",
            0,
        ),
        // output.pm::change_perfdata: explode runs after every
        // change/extend/group.
        (
            &[
                "--explode-perfdata-max",
                "--extend-perfdata=events_count,pct,percent()",
                max10,
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00ms;;;0;10 'pct'=30.00%;;;0;100 'events_count_max'=10ms;;;; 'pct_max'=100%;;;;\n",
            0,
        ),
        // output.pm::check_options: match without newlabel.
        (
            &[max10, "--explode-perfdata-max=events"],
            counted(),
            "UNKNOWN: Wrong explode-perfdata-max option 'events' (syntax: match,value) \n",
            3,
        ),
        // output.pm::check_options: a later empty value after a rule.
        (
            &[
                max10,
                "--explode-perfdata-max=events,a",
                "--explode-perfdata-max=",
            ],
            counted(),
            "UNKNOWN: Wrong explode-perfdata-max option '' (syntax: match,value) \n",
            3,
        ),
    ]);
}

#[test]
fn change_and_extend_perfdata() {
    table(&[
        // output.pm::apply_perfdata_extend: rename.
        (
            &["--change-perfdata=events_count,foo"],
            counted(),
            "OK: Number of events: 3.00 | 'foo'=3.00;;;0;\n",
            0,
        ),
        // output.pm::apply_perfdata_extend: s{match}{newlabel}, first
        // occurrence only.
        (
            &["--change-perfdata=events,foo"],
            counted(),
            "OK: Number of events: 3.00 | 'foo_count'=3.00;;;0;\n",
            0,
        ),
        (
            &["--change-perfdata=e,E"],
            counted(),
            "OK: Number of events: 3.00 | 'Events_count'=3.00;;;0;\n",
            0,
        ),
        // output.pm::apply_perfdata_extend: $1 in newlabel.
        (
            &["--change-perfdata=events_(count),$1_x"],
            counted(),
            "OK: Number of events: 3.00 | 'count_x'=3.00;;;0;\n",
            0,
        ),
        // output.pm::apply_perfdata_extend: ${1} too.
        (
            &["--change-perfdata=(events)_(count),${2}_${1}"],
            counted(),
            "OK: Number of events: 3.00 | 'count_events'=3.00;;;0;\n",
            0,
        ),
        // output.pm::apply_perfdata_extend: no match, unchanged.
        (&["--change-perfdata=zzz,foo"], counted(), BASE, 0),
        // output.pm::parse_perfdata_extend_args: empty match, ignored.
        (&["--change-perfdata=,foo"], counted(), BASE, 0),
        // output.pm::apply_perfdata_extend: labels are not trimmed.
        (
            &["--change-perfdata=events_count, x "],
            counted(),
            "OK: Number of events: 3.00 | ' x '=3.00;;;0;\n",
            0,
        ),
        // output.pm::output_txt: a quote in a label is doubled (upstream
        // prints it as is, breaking the perfdata).
        (
            &["--change-perfdata=events_count,a'b"],
            counted(),
            "OK: Number of events: 3.00 | 'a''b'=3.00;;;0;\n",
            0,
        ),
        // output.pm::apply_perfdata_extend: unit field.
        (
            &["--change-perfdata=events_count,,,ms"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00ms;;;0;\n",
            0,
        ),
        // output.pm::apply_perfdata_extend: min and max fields.
        (
            &["--change-perfdata=events_count,,,,1,10"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;;;1;10\n",
            0,
        ),
        // output.pm::apply_perfdata_thresholds: numbers.
        (
            &["--change-perfdata=events_count,,,,,10,5,8"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;5;8;0;10\n",
            0,
        ),
        // output.pm::apply_perfdata_thresholds: % of max.
        (
            &["--change-perfdata=events_count,,,,,10,20%,80%"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;2;8;0;10\n",
            0,
        ),
        // output.pm::apply_perfdata_thresholds: % in a range.
        (
            &["--change-perfdata=events_count,,,,,200,10%:20%,50%:"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;20:40;100:;0;200\n",
            0,
        ),
        // output.pm::apply_perfdata_thresholds: % without max is empty.
        (
            &["--change-perfdata=events_count,,,,,,20%,80%"],
            counted(),
            BASE,
            0,
        ),
        // output.pm::apply_perfdata_thresholds: @ and ~ are lost.
        (
            &["--change-perfdata=events_count,,,,,10,@1:5,~:8"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;1:5;:8;0;10\n",
            0,
        ),
        // output.pm::apply_perfdata_thresholds: no number → empty;
        // decimals kept.
        (
            &["--change-perfdata=events_count,,,,,10,abc,1.5:2.5"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;;1.5:2.5;0;10\n",
            0,
        ),
        // output.pm::apply_perfdata_thresholds: replaces the echoed
        // threshold; the status is the mode's.
        (
            &["--change-perfdata=events_count,,,,,,9"],
            events(State::Warning, "1", ""),
            "WARNING: Number of events: 3.00 | 'events_count'=3.00;9;;0;\n",
            1,
        ),
        // output.pm::apply_perfdata_extend: several changes in order.
        (
            &[
                "--change-perfdata=events_count,foo",
                "--change-perfdata=foo,bar,,s",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'bar'=3.00s;;;0;\n",
            0,
        ),
        // output.pm::apply_perfdata_extend: extend adds a copy after.
        (
            &["--extend-perfdata=events_count,foo"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;;;0; 'foo'=3.00;;;0;\n",
            0,
        ),
        // output.pm::apply_perfdata_extend: extend with $1 and math().
        (
            &["--extend-perfdata=events_(.*),x_$1,math(current*2)"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;;;0; 'x_count'=6;;;0;\n",
            0,
        ),
        // output.pm::apply_perfdata_extend: extend without newlabel
        // duplicates.
        (
            &["--extend-perfdata=events_count,,,ms"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;;;0; 'events_count'=3.00ms;;;0;\n",
            0,
        ),
        // output.pm::load_perfdata_extend_args: every change runs
        // before every extend, whatever the command-line order.
        (
            &[
                "--change-perfdata=events_count,,,,,10",
                "--extend-perfdata=events_count,pct,percent()",
                "--change-perfdata=events_count,ec",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'ec'=3.00;;;0;10\n",
            0,
        ),
        (
            &[
                "--extend-perfdata=events_count,pct,percent()",
                "--change-perfdata=events_count,,,,,10",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;;;0;10 'pct'=30.00%;;;0;100\n",
            0,
        ),
        // output.pm::output_txt: the rewrites never change the status.
        (
            &["--change-perfdata=events_count,,math(current-3)"],
            events(State::Critical, "", "1"),
            "CRITICAL: Number of events: 3.00 | 'events_count'=0;;0:1;0;\n",
            2,
        ),
        // Deviation: an unknown method is an UNKNOWN (upstream drops
        // the rule, saying so only under --debug).
        (
            &["--change-perfdata=events_count,,foo()"],
            counted(),
            "UNKNOWN: --change-perfdata 'events_count,,foo()': method 'foo' is unknown (invert, percent, scale, math, min, max, sum, average) \n",
            3,
        ),
        (
            &["--extend-perfdata=events_count,x,invert"],
            counted(),
            "UNKNOWN: --extend-perfdata 'events_count,x,invert': method 'invert' is not name(arguments) \n",
            3,
        ),
        // Deviation: eval() runs Perl code upstream; refused.
        (
            &["--change-perfdata=events_count,,eval(%(value) = 42)"],
            counted(),
            "UNKNOWN: --change-perfdata 'events_count,,eval(%(value) = 42)': eval() runs Perl code upstream and is not supported; use math() \n",
            3,
        ),
        // Deviation (regex-lite): an invalid match.
        (
            &["--change-perfdata=(,x"],
            counted(),
            "UNKNOWN: --change-perfdata '(' is not a supported regular expression: found open group without closing ')' \n",
            3,
        ),
    ]);
}

#[test]
fn invert_and_percent() {
    table(&[
        // output.pm::apply_pfdata_invert: max − value, thresholds
        // mirrored (2:5 → 5:8, :8 → 2:10).
        (
            &[
                "--change-perfdata=events_count,,,,,10,2:5,:8",
                "--change-perfdata=events_count,,invert()",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=7;5:8;2:10;0;10\n",
            0,
        ),
        // output.pm::apply_pfdata_invert: on the echoed thresholds.
        (
            &[
                "--change-perfdata=events_count,,,,,10",
                "--change-perfdata=events_count,,invert()",
            ],
            events(State::Ok, "7", ""),
            "OK: Number of events: 3.00 | 'events_count'=7;3:10;;0;10\n",
            0,
        ),
        // misc::get_threshold_litteral: @ kept.
        (
            &[
                "--change-perfdata=events_count,,,,,10",
                "--change-perfdata=events_count,,invert()",
            ],
            events(State::Ok, "@1:2", ""),
            "OK: Number of events: 3.00 | 'events_count'=7;@8:9;;0;10\n",
            0,
        ),
        // output.pm::apply_pfdata_invert: no max, no-op.
        (
            &["--change-perfdata=events_count,,invert()"],
            counted(),
            BASE,
            0,
        ),
        // output.pm::apply_perfdata_extend: the method runs before the
        // fields of the same rule (max still empty: no-op).
        (
            &["--change-perfdata=events_count,,invert(),,,10,2:5,:8"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;2:5;:8;0;10\n",
            0,
        ),
        // output.pm::apply_pfdata_percent: value, thresholds, unit %,
        // max 100.
        (
            &[
                "--change-perfdata=events_count,,,,,7",
                "--change-perfdata=events_count,,percent()",
            ],
            events(State::Ok, "2:5", "3"),
            "OK: Number of events: 3.00 | 'events_count'=42.86%;28.57:71.43;0.00:42.86;0;100\n",
            0,
        ),
        // output.pm::apply_pfdata_percent: on an extended copy.
        (
            &[
                "--change-perfdata=events_count,,,,,10",
                "--extend-perfdata=events_count,bar,percent()",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;;;0;10 'bar'=30.00%;;;0;100\n",
            0,
        ),
        // output.pm::apply_perfdata_extend: fields override the method
        // (unit and max).
        (
            &[
                "--change-perfdata=events_count,,,,,10",
                "--change-perfdata=events_count,,percent(),pct,,1",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=30.00pct;;;0;1\n",
            0,
        ),
        // output.pm::apply_pfdata_percent: no max, no-op.
        (
            &["--change-perfdata=events_count,,percent()"],
            counted(),
            BASE,
            0,
        ),
    ]);
}

#[test]
fn math_division_by_zero_keeps_the_value() {
    table(&[
        // output.pm::apply_pfdata_math: eval error → value unchanged.
        (
            &["--change-perfdata=events_count,,math(current/0)"],
            counted(),
            BASE,
            0,
        ),
    ]);
}

#[test]
fn scale() {
    table(&[
        // misc::scale_bytesbit (auto): a lower-case prefix, base 1024.
        (
            &[
                "--change-perfdata=events_count,,math(current*123456789),kB",
                "--change-perfdata=events_count,,scale(auto)",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=353.21gB;;;0;\n",
            0,
        ),
        // output.pm::apply_pfdata_scale: a unit scale() does not know
        // is left alone.
        (
            &[
                "--change-perfdata=events_count,,,ms",
                "--change-perfdata=events_count,,scale(MB)",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00ms;;;0;\n",
            0,
        ),
        // output.pm::apply_pfdata_scale: no unit, no-op.
        (
            &["--change-perfdata=events_count,,scale(MB)"],
            counted(),
            BASE,
            0,
        ),
        // misc::scale_bytesbit: bits to bytes ÷8, same prefix.
        (
            &[
                "--change-perfdata=events_count,,,b",
                "--change-perfdata=events_count,,scale(B)",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=0.38B;;;0;\n",
            0,
        ),
        // output.pm::parse_pfdata_scale: an unknown target (Deviation:
        // an UNKNOWN, upstream drops the rule).
        (
            &["--change-perfdata=events_count,,scale(XB)"],
            counted(),
            "UNKNOWN: --change-perfdata 'events_count,,scale(XB)': scale unit 'XB' is not one of B, b, bps, Bps, b/s with an optional K/M/G/T/P/E prefix \n",
            3,
        ),
    ]);
}

#[test]
fn scale_from_unprefixed_units() {
    let big = "--change-perfdata=events_count,,math(current*123456789),B,,500000000";
    table(&[
        // misc::scale_bytesbit (auto): 370370367B → 353.21mB, max
        // and thresholds scaled, thresholds not rounded.
        (
            &[
                "--change-perfdata=events_count,,math(current*123456789),B,,500000000,1000000:2000000,10000000",
                "--change-perfdata=events_count,,scale(auto)",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=353.21mB;0.95367431640625:1.9073486328125;0:9.5367431640625;0;476.84\n",
            0,
        ),
        // misc::scale_bytesbit: fixed target MB.
        (
            &[big, "--change-perfdata=events_count,,scale(MB)"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=353.21MB;;;0;476.84\n",
            0,
        ),
        // misc::scale_bytesbit: bytes to Mbps ×8, base 1000.
        (
            &[big, "--change-perfdata=events_count,,scale(Mbps)"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=2962.96Mbps;;;0;4000.00\n",
            0,
        ),
        // misc::scale_bytesbit (auto) on bits: value base 1024, max
        // with the fixed-target base 1000.
        (
            &[
                "--change-perfdata=events_count,,math(current*123456789),b,,500000000",
                "--change-perfdata=events_count,,scale(auto)",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=353.21mb;;;0;500.00\n",
            0,
        ),
        // misc::scale_bytesbit: Bps to kb, thresholds ×8 ÷1000.
        (
            &[
                "--change-perfdata=events_count,,math(current*123456789),Bps,,500000000,100:200",
                "--change-perfdata=events_count,,scale(kb)",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=2962962.94kb;0.8:1.6;;0;4000000.00\n",
            0,
        ),
        // misc::scale_bytesbit (auto): below 1024 no prefix.
        (
            &[
                "--change-perfdata=events_count,,,B",
                "--change-perfdata=events_count,,scale()",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00B;;;0;\n",
            0,
        ),
        // misc::scale_bytesbit: B to kB.
        (
            &[
                "--change-perfdata=events_count,,,B",
                "--change-perfdata=events_count,,scale(kB)",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=0.00kB;;;0;\n",
            0,
        ),
    ]);
}

#[test]
fn extend_perfdata_group() {
    table(&[
        // output.pm::apply_perfdata_extend (group, no match): sum, unit,
        // min, max and % thresholds.
        (
            &["--extend-perfdata-group=,total,sum(events),ms,0,100,80%,90%"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;;;0; 'total'=3ms;80;90;0;100\n",
            0,
        ),
        // output.pm::apply_pfdata_average: sprintf('%.2f').
        (
            &["--extend-perfdata-group=,total,average(events)"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;;;0; 'total'=3.00;;;;\n",
            0,
        ),
        // output.pm::apply_pfdata_min/max: the original value string.
        (
            &["--extend-perfdata-group=,total,min(events)"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;;;0; 'total'=3.00;;;;\n",
            0,
        ),
        (
            &["--extend-perfdata-group=,total,max(events)"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;;;0; 'total'=3.00;;;;\n",
            0,
        ),
        // output.pm::apply_perfdata_extend: no match, nothing added.
        (
            &["--extend-perfdata-group=,total,sum(nomatch)"],
            counted(),
            BASE,
            0,
        ),
        // output.pm::apply_perfdata_extend: no method, nothing added.
        (&["--extend-perfdata-group=,total"], counted(), BASE, 0),
        (&["--extend-perfdata-group=events,s"], counted(), BASE, 0),
        // output.pm::apply_perfdata_extend: later groups see earlier
        // ones.
        (
            &[
                "--extend-perfdata-group=,total,sum(events)",
                "--extend-perfdata-group=,all,sum(total|events)",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;;;0; 'total'=3;;;; 'all'=6;;;;\n",
            0,
        ),
        // output.pm::apply_perfdata_extend: over several metrics; each
        // group sees the ones appended before it (sm = 3+4+3.5+3+4).
        (
            &[
                "--extend-perfdata=events_count,a,math(current+1)",
                "--extend-perfdata-group=,avg,average(.)",
                "--extend-perfdata-group=,mn,min(.)",
                "--extend-perfdata-group=,mx,max(.)",
                "--extend-perfdata-group=,sm,sum(.)",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;;;0; 'a'=4;;;0; 'avg'=3.50;;;; 'mn'=3.00;;;; 'mx'=4;;;; 'sm'=17.5;;;;\n",
            0,
        ),
        // output.pm::apply_perfdata_extend (group with match): one
        // metric per match, $1 in the label and in the method's pattern.
        (
            &["--extend-perfdata-group=events_(.*),grp_$1,sum(events_$1)"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;;;0; 'grp_count'=3;;;;\n",
            0,
        ),
        (
            &[
                "--extend-perfdata=events_count,a_count,math(current*10)",
                "--extend-perfdata-group=(.*)_count,g_$1,max(^$1_)",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;;;0; 'a_count'=30;;;0; 'g_events'=3.00;;;; 'g_a'=30;;;;\n",
            0,
        ),
        // output.pm::load_perfdata_extend_args: groups run after every
        // change and extend.
        (
            &[
                "--extend-perfdata-group=,total,sum(count)",
                "--change-perfdata=events_count,x_count,math(current*2)",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'x_count'=6;;;0; 'total'=6;;;;\n",
            0,
        ),
        // output.pm::apply_pfdata_sum: usable in a change too.
        (
            &["--change-perfdata=events_count,,sum(events)"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3;;;0;\n",
            0,
        ),
        // output.pm::apply_pfdata_sum: no match in a change or extend
        // keeps the value.
        (
            &["--extend-perfdata=events_count,s,sum(zzz)"],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;;;0; 's'=3.00;;;0;\n",
            0,
        ),
    ]);
}

#[test]
fn math() {
    let m = |e: &str| format!("--change-perfdata=events_count,,math({e})");
    let cases: Vec<(Vec<String>, Ran, &str, i32)> = vec![
        // output.pm::apply_pfdata_math: current + 10, a Perl number.
        (
            vec![m("current + 10")],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=13;;;0;\n",
            0,
        ),
        // output.pm::apply_pfdata_math: %.15g.
        (
            vec![m("current * 2 / 3")],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=2;;;0;\n",
            0,
        ),
        (
            vec![m("current / 7")],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=0.428571428571429;;;0;\n",
            0,
        ),
        // Deviation: never an exponent (upstream 3e+18).
        (
            vec![m("current*1000000000000000000")],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3000000000000000000;;;0;\n",
            0,
        ),
        // output.pm::apply_pfdata_math: negative results.
        (
            vec![m("current-4")],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=-1;;;0;\n",
            0,
        ),
        (
            vec![m("-current")],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=-3;;;0;\n",
            0,
        ),
        // output.pm::apply_pfdata_math: parentheses.
        (
            vec![m("(current + 1) * 2")],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=8;;;0;\n",
            0,
        ),
        // output.pm::apply_pfdata_math: decimals.
        (
            vec![m("current * 0.1")],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=0.3;;;0;\n",
            0,
        ),
        // output.pm::apply_pfdata_math: |1 maps the thresholds and sets
        // max to 100 (upstream's quirk, kept).
        (
            vec![
                "--change-perfdata=events_count,,,,,10,2:5,:8".into(),
                m("current*2|1"),
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=6;4:10;0:16;0;100\n",
            0,
        ),
        (
            vec![m("current*2|1")],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=6;;;0;100\n",
            0,
        ),
        // output.pm::apply_pfdata_math: |0 leaves thresholds and max.
        (
            vec![
                "--change-perfdata=events_count,,,,,10,2:5,:8".into(),
                m("current*2|0"),
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=6;2:5;:8;0;10\n",
            0,
        ),
        // output.pm::apply_pfdata_math: on the echoed thresholds.
        (
            vec![m("current * 10|1")],
            events(State::Warning, "1:2", ""),
            "WARNING: Number of events: 3.00 | 'events_count'=30;10:20;;0;100\n",
            1,
        ),
        // output.pm::parse_pfdata_math: `e` is rejected (Deviation: as an
        // UNKNOWN, upstream drops the rule).
        (
            vec![m("current * 1e20")],
            counted(),
            "UNKNOWN: --change-perfdata 'events_count,,math(current * 1e20)': math expression 'current * 1e20': unexpected 'e20' \n",
            3,
        ),
        // output.pm::parse_pfdata_math: `%` is rejected.
        (
            vec![m("current % 2")],
            counted(),
            "UNKNOWN: --change-perfdata 'events_count,,math(current % 2)': math expression 'current % 2': unexpected '%2' \n",
            3,
        ),
    ];
    for (extra, ran, out, code) in &cases {
        let args: Vec<&str> = extra.iter().map(String::as_str).collect();
        assert_eq!(shown(&args, ran), ((*out).to_owned(), *code), "{extra:?}");
    }
}

#[test]
fn range_perfdata() {
    let cases: Vec<(Vec<&str>, Ran, &str, i32)> = vec![
        // output.pm::range_perfdata: 0, as they are.
        (
            vec!["--range-perfdata=0"],
            events(State::Critical, "5", "@0:8"),
            "CRITICAL: Number of events: 3.00 | 'events_count'=3.00;0:5;@0:8;0;\n",
            2,
        ),
        // output.pm::range_perfdata: 1 drops a zero start, @ kept.
        (
            vec!["--range-perfdata=1"],
            events(State::Critical, "5", "@0:8"),
            "CRITICAL: Number of events: 3.00 | 'events_count'=3.00;5;@8;0;\n",
            2,
        ),
        // output.pm::check_options: no value is 1.
        (
            vec!["--range-perfdata"],
            events(State::Critical, "5", "@0:8"),
            "CRITICAL: Number of events: 3.00 | 'events_count'=3.00;5;@8;0;\n",
            2,
        ),
        (
            vec!["--range-perfdata="],
            events(State::Critical, "5", "@0:8"),
            "CRITICAL: Number of events: 3.00 | 'events_count'=3.00;5;@8;0;\n",
            2,
        ),
        // output.pm::range_perfdata: 2 drops both.
        (
            vec!["--range-perfdata=2"],
            events(State::Critical, "5", "@0:8"),
            "CRITICAL: Number of events: 3.00 | 'events_count'=3.00;;;0;\n",
            2,
        ),
        // output.pm::check_options: anything else.
        (
            vec!["--range-perfdata=3"],
            events(State::Critical, "5", "@0:8"),
            "UNKNOWN: Wrong range-perfdata option '3' \n",
            3,
        ),
        (
            vec!["--range-perfdata=x"],
            events(State::Critical, "5", "@0:8"),
            "UNKNOWN: Wrong range-perfdata option 'x' \n",
            3,
        ),
        // output.pm::range_perfdata: 0.0: is a zero start, 0.5: is not.
        (
            vec![
                "--change-perfdata=events_count,,,,,,0.0:5,0.5:8",
                "--range-perfdata=1",
            ],
            counted(),
            "OK: Number of events: 3.00 | 'events_count'=3.00;5;0.5:8;0;\n",
            0,
        ),
        // output.pm::range_perfdata: a non-zero start stays.
        (
            vec!["--range-perfdata=1"],
            events(State::Ok, "1:5", ""),
            "OK: Number of events: 3.00 | 'events_count'=3.00;1:5;;0;\n",
            0,
        ),
        // output.pm::range_perfdata: on extended metrics too.
        (
            vec!["--extend-perfdata=events_count,x", "--range-perfdata=1"],
            events(State::Ok, "5", ""),
            "OK: Number of events: 3.00 | 'events_count'=3.00;5;;0; 'x'=3.00;5;;0;\n",
            0,
        ),
    ];
    for (extra, ran, out, code) in &cases {
        assert_eq!(shown(extra, ran), ((*out).to_owned(), *code), "{extra:?}");
    }
}
