//! The generic options' pure parts, against upstream's functions in
//! `centreon/plugins/output.pm` and `misc.pm` (as the written spec of
//! upstream's behaviour describes them, sections quoted as §n).
//! Several metrics at once here, which the two modes cannot produce.

use super::*;
use crate::output::generic::GenericArgs;
use crate::output::testing::generic;

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
