//! `Generic::parse`: upstream's accepted forms and our error messages,
//! one per option family.

use super::*;
use crate::output::testing::{error, generic};

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
}
