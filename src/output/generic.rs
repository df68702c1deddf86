//! Centreon's generic output options, as `centreon/plugins/output.pm`
//! applies them, on metrics held as strings the way Perl holds them.
//!
//! Order (upstream's): the short output is built, then rewritten by every
//! `--change-short-output` and then every `--change-output-adv`; the
//! perfdata is rewritten by every `--change-perfdata`, then every
//! `--extend-perfdata`, then every `--extend-perfdata-group`, then
//! `--explode-perfdata-max`; each metric is then kept or dropped by
//! `--filter-perfdata` and `--filter-perfdata-adv`, its unit blanked by
//! `--filter-uom`, its ranges shortened by `--range-perfdata`; long lines
//! go through `--change-long-output`; last, the exit code is replaced by a
//! `--change-output-adv` exit and mapped by `--change-exit` (the printed
//! label stays).
//!
//! Each family has its own room ([`super::perfdata_rewrite`],
//! [`super::text_rewrite`], [`super::exit_rewrite`]); here they are
//! parsed together, so one bad option stops the run before any output.

use regex_lite::{Regex, RegexBuilder};

use super::exit_rewrite::parse_change_exit;
use super::metric::METRIC_VARIABLES;
use super::perfdata_rewrite::{
    Explode, Rewrite, parse_explode, parse_range_perfdata, parse_rewrites,
};
use super::text_rewrite::{Adv, Subst};
use crate::expr::Expr;
use crate::status::State;

pub(super) fn regex(option: &str, re: &str, case_insensitive: bool) -> Result<Regex, String> {
    RegexBuilder::new(re)
        .case_insensitive(case_insensitive)
        .build()
        .map_err(|e| {
            format!(
                "{option} '{re}' is not a supported regular expression: {}",
                e.to_string().lines().last().unwrap_or("invalid")
            )
        })
}

/// Every generic option, parsed.
#[derive(Clone, Debug, Default)]
pub struct Generic {
    pub filter_perfdata: Option<Regex>,
    pub filter_perfdata_adv: Option<Expr>,
    pub filter_uom: Option<Regex>,
    pub rewrites: Vec<Rewrite>,
    pub explode: Explode,
    pub change_short: Vec<Subst>,
    pub change_long: Vec<Subst>,
    pub change_adv: Vec<Adv>,
    /// `--change-exit`: (from, to) pairs, later ones winning.
    pub change_exit: Vec<(State, State)>,
    /// `--range-perfdata`: 0, 1 or 2.
    pub range_perfdata: u8,
}

/// The raw values of the generic options (lists in command-line order).
#[derive(Clone, Debug, Default)]
pub struct GenericArgs<'a> {
    pub filter_perfdata: Option<&'a str>,
    pub filter_perfdata_adv: Option<&'a str>,
    pub filter_uom: Option<&'a str>,
    pub change_perfdata: Vec<&'a str>,
    pub extend_perfdata: Vec<&'a str>,
    pub extend_perfdata_group: Vec<&'a str>,
    /// `None`: not given; `Some([])`: given without a value.
    pub explode_perfdata_max: Option<Vec<&'a str>>,
    pub change_short_output: Vec<&'a str>,
    pub change_long_output: Vec<&'a str>,
    pub change_output_adv: Vec<&'a str>,
    pub change_exit: Vec<&'a str>,
    pub range_perfdata: Option<&'a str>,
}

impl Generic {
    /// Validates everything at once; the error is the whole message.
    pub fn parse(a: &GenericArgs<'_>) -> Result<Generic, String> {
        let mut g = Generic {
            filter_perfdata: a
                .filter_perfdata
                .map(|r| regex("--filter-perfdata", r, false))
                .transpose()?,
            filter_perfdata_adv: a
                .filter_perfdata_adv
                .map(|e| {
                    Expr::parse_with(e, &METRIC_VARIABLES)
                        .map_err(|m| format!("--filter-perfdata-adv '{e}': {m}"))
                })
                .transpose()?,
            filter_uom: a
                .filter_uom
                .map(|r| regex("--filter-uom", r, false))
                .transpose()?,
            ..Generic::default()
        };
        g.rewrites = parse_rewrites(
            &a.change_perfdata,
            &a.extend_perfdata,
            &a.extend_perfdata_group,
        )?;
        g.explode = parse_explode(a.explode_perfdata_max.as_deref())?;
        for s in &a.change_short_output {
            g.change_short
                .push(Subst::parse("--change-short-output", s)?);
        }
        for s in &a.change_long_output {
            g.change_long.push(Subst::parse("--change-long-output", s)?);
        }
        for s in &a.change_output_adv {
            g.change_adv.extend(Adv::parse(s)?);
        }
        for s in &a.change_exit {
            g.change_exit.push(parse_change_exit(s)?);
        }
        g.range_perfdata = parse_range_perfdata(a.range_perfdata)?;
        Ok(g)
    }
}

#[cfg(test)]
mod tests;
