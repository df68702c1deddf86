//! `trailsecurity`: the trail's configuration against CIS and Security
//! Hub, each check a variable of the status expressions.

use crate::cli::help::{Item, Section};
use crate::cli::options::{Opt, Raw, mode_opt};
use crate::cli::values::pattern;
use crate::error::Error;
use crate::expr::Expr;
use crate::modes::trailsecurity::{DEFAULT_CRITICAL, DEFAULT_WARNING, Options, variables};

use super::ModeName;

const SECURITY: &[ModeName] = &[ModeName::TrailSecurity];

pub const OPTIONS: &[Opt] = &[
    mode_opt("warning-status", SECURITY),
    mode_opt("critical-status", SECURITY),
    mode_opt("filter-check", SECURITY),
];

pub const HELP: Section = Section {
    title: "Mode",
    intro: "Check the trail's configuration against CIS AWS Foundations and Security Hub \
            (DescribeTrails, GetEventSelectors, GetTrailStatus). Each check is a true/false \
            variable: %{logging} (Security Hub CloudTrail.3), %{multi_region} (CIS 3.1, \
            CloudTrail.1), %{management_events}: every read and write management event \
            recorded (CIS 3.1, CloudTrail.1), %{global_service_events} (CIS 3.1), \
            %{log_file_validation} (CIS 3.2, CloudTrail.4), %{kms_encryption} (CIS 3.7, \
            CloudTrail.2), %{cloudwatch_logs} (CIS 3.4, CloudTrail.5); and %{name}.",
    items: &[
        super::ALL_TRAILS,
        super::FILTER_TRAIL_NAME,
        super::TRAIL_NAME,
        Item {
            tag: "--warning-status",
            text: "Condition for WARNING (default: %{log_file_validation} eq \"false\" or \
                   %{kms_encryption} eq \"false\" or %{cloudwatch_logs} eq \"false\" or \
                   %{global_service_events} eq \"false\"; empty: never).",
        },
        Item {
            tag: "--critical-status",
            text: "Condition for CRITICAL (default: %{logging} eq \"false\" or %{multi_region} eq \
                   \"false\" or %{management_events} eq \"false\"; empty: never).",
        },
        Item {
            tag: "--filter-check",
            text: "Only the checks whose name matches this regular expression (the others read \
                   as passing).",
        },
    ],
    from_table: Vec::new,
};

/// The status expressions (an empty one turns that state off) and
/// `--filter-check`.
pub fn build(raw: &Raw) -> Result<Options, Error> {
    let expr = |name: &str, default: &str| -> Result<Option<Expr>, Error> {
        let text = match raw.last(name) {
            Some("") => return Ok(None),
            Some(t) => t,
            None => default,
        };
        Expr::parse_with(text, &variables())
            .map(Some)
            .map_err(|e| Error::Option(format!("--{name} '{text}': {e}")))
    };
    Ok(Options {
        warning: expr("warning-status", DEFAULT_WARNING)?,
        critical: expr("critical-status", DEFAULT_CRITICAL)?,
        filter: pattern(raw, "filter-check")?,
    })
}
