//! `trailsecurity`: the trail's configuration against CIS and Security
//! Hub, each check a variable of the status expressions.

use crate::cli::help::{Item, Section};
use crate::cli::options::{Opt, Raw};
use crate::error::Error;
use crate::modes::trailsecurity::{DEFAULT_CRITICAL, DEFAULT_WARNING, Options, variables};

/// Its status options are [`super::STATUS_OPTIONS`].
pub const OPTIONS: &[Opt] = &[];

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
    let super::Status {
        warning,
        critical,
        filter,
    } = super::status_options(raw, &variables(), (DEFAULT_WARNING, DEFAULT_CRITICAL))?;
    Ok(Options {
        warning,
        critical,
        filter,
    })
}
