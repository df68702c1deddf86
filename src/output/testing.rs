//! What the unit tests of the generic options share. A row reads as the
//! binary's run in `tests/it/generic.rs` did: the options as the command
//! line gives them, the outcome the mode handed over for the loopback
//! server's answer (three events for countevents, a trail status for
//! checktrailstatus), the exact text and exit code.

use super::generic::{Generic, GenericArgs};
use super::{Format, Outcome, Presentation, present};
use crate::error::Error;
use crate::perfdata::Perfdata;
use crate::status::State;
use crate::threshold::Range;

/// The countevents line with no option.
pub const BASE: &str = "OK: Number of events: 3.00 | 'events_count'=3.00;;;0;\n";
/// The checktrailstatus line of a logging trail.
pub const TRAIL_OK: &str = "OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\n";

pub fn generic(args: GenericArgs<'_>) -> Generic {
    Generic::parse(&args).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

pub fn error(args: GenericArgs<'_>) -> String {
    match Generic::parse(&args) {
        Ok(_) => panic!("{args:?} should be refused"),
        Err(e) => e,
    }
}

/// What a mode handed to the output stage.
#[derive(Clone, Debug)]
pub struct Ran {
    pub mode: &'static str,
    pub outcome: Outcome,
    /// An execution error (a bad mode option): `outcome` is its message.
    pub error: bool,
}

/// countevents on the server's three events, with the thresholds its
/// `--warning-count`/`--critical-count` echo and the state they gave.
pub fn events(state: State, warning: &str, critical: &str) -> Ran {
    let mut outcome = Outcome::single(state, "Number of events: 3.00");
    outcome.perfdata.push(Perfdata {
        decimals: Some(2),
        warning: Range::parse(warning),
        critical: Range::parse(critical),
        min: Some(0.0),
        ..Perfdata::new("events_count", 3.0)
    });
    outcome.long = [
        "2024-01-01T00:00:00Z LookupEvents - -",
        "2024-01-01T00:00:00Z LookupEvents - - SomeError",
        "2024-01-01T00:00:00Z LookupEvents - -",
    ]
    .map(str::to_owned)
    .to_vec();
    Ran {
        mode: "countevents",
        outcome,
        error: false,
    }
}

/// countevents with no threshold: `OK: Number of events: 3.00`.
pub fn counted() -> Ran {
    events(State::Ok, "", "")
}

/// checktrailstatus on a trail that logs (OK) or not (CRITICAL) and never
/// delivered.
pub fn trail(logging: bool) -> Ran {
    let v = u8::from(logging);
    let state = if logging { State::Ok } else { State::Critical };
    let mut outcome = Outcome::single(state, format!("Trail is logging: {v}"));
    outcome.perfdata.push(Perfdata {
        min: Some(0.0),
        ..Perfdata::new("trail_is_logging", f64::from(v))
    });
    outcome.long = [
        "logging started: never, stopped: never",
        "latest log delivery: never",
    ]
    .map(str::to_owned)
    .to_vec();
    Ran {
        mode: "checktrailstatus",
        outcome,
        error: false,
    }
}

/// A mode option the mode refused (`--warning-count=abc`), under the
/// `--opt-exit` state.
pub fn failed(mode: &'static str, state: State, message: &str) -> Ran {
    Ran {
        mode,
        outcome: Outcome::single(state, Error::Option(message.to_owned()).to_string()),
        error: true,
    }
}

/// The generic options of a command line (`--name=value`, or `--name`
/// alone for an empty value), read the way the command-line parser reads
/// them: the last value of a single option, empty values dropped from
/// lists, a flag off when `0`.
fn presentation(opts: &[&str], mode: &str) -> Result<Presentation, String> {
    let given: Vec<(&str, &str)> = opts
        .iter()
        .map(|o| {
            let o = o.strip_prefix("--").unwrap_or(o);
            o.split_once('=').unwrap_or((o, ""))
        })
        .collect();
    let all = |name: &str| -> Vec<&str> {
        given
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .collect()
    };
    let list =
        |name: &str| -> Vec<&str> { all(name).into_iter().filter(|v| !v.is_empty()).collect() };
    let last = |name: &str| all(name).last().copied();
    let get = |name: &str| last(name).filter(|v| !v.is_empty());
    let flag = |name: &str| last(name).is_some_and(|v| v != "0");
    let generic = Generic::parse(&GenericArgs {
        filter_perfdata: get("filter-perfdata"),
        filter_perfdata_adv: get("filter-perfdata-adv"),
        filter_uom: get("filter-uom"),
        change_perfdata: list("change-perfdata"),
        extend_perfdata: list("extend-perfdata"),
        extend_perfdata_group: list("extend-perfdata-group"),
        explode_perfdata_max: last("explode-perfdata-max").map(|_| all("explode-perfdata-max")),
        change_short_output: list("change-short-output"),
        change_long_output: list("change-long-output"),
        change_output_adv: list("change-output-adv"),
        change_exit: list("change-exit"),
        range_perfdata: last("range-perfdata"),
    })?;
    let format = Format::from_flags(|f| flag(f));
    Ok(Presentation {
        generic,
        format,
        long: flag("verbose"),
        ignore_label: flag("output-ignore-label"),
        ignore_perfdata: flag("output-ignore-perfdata"),
        plugin: "cloud::aws::cloudtrail::plugin".into(),
        mode: mode.into(),
        epoch_ms: 0,
        status_metric: Format::status_metric_from_flags(|f| flag(f)),
    })
}

/// The text and exit code for these options on what the mode handed
/// over; a refused generic option is the binary's UNKNOWN line.
pub fn shown(opts: &[&str], ran: &Ran) -> (String, i32) {
    let p = match presentation(opts, ran.mode) {
        Ok(p) => present(&ran.outcome, &p, ran.error),
        Err(e) => present(
            &Outcome::single(State::Unknown, Error::Option(e).to_string()),
            &Presentation::default(),
            true,
        ),
    };
    (p.text, i32::from(p.exit_code))
}

/// Options, the mode's outcome, exact text, exit code.
pub type Case<'a> = (&'a [&'a str], Ran, &'a str, i32);

pub fn table(cases: &[Case<'_>]) {
    for (opts, ran, text, code) in cases {
        assert_eq!(
            shown(opts, ran),
            ((*text).to_owned(), *code),
            "options {opts:?}"
        );
    }
}
