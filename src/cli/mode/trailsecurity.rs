//! `trailsecurity`: the trail's configuration against CIS and Security
//! Hub, each check a variable of the status expressions.

use crate::aws::selectors::DataEvents;
use crate::cli::help::{Item, Section};
use crate::cli::options::{Kind, Opt, Raw, mode_opt};
use crate::error::Error;
use crate::modes::trailsecurity::{
    DATA_EVENTS_CRITICAL, DEFAULT_CRITICAL, DEFAULT_WARNING, Options, variables,
};

use super::ModeName;

const SECURITY: &[ModeName] = &[ModeName::TrailSecurity];

/// Its status options are [`super::STATUS_OPTIONS`].
pub const OPTIONS: &[Opt] = &[Opt {
    kind: Kind::List,
    ..mode_opt("require-data-events", SECURITY)
}];

pub const HELP: Section = Section {
    title: "Mode",
    intro: "Check the trail's configuration against CIS AWS Foundations and Security Hub \
            (DescribeTrails, GetEventSelectors, GetTrailStatus, GetInsightSelectors). Each check \
            is a true/false variable, with its control or what it defends against: %{logging} \
            (Security Hub CloudTrail.3), %{multi_region} (CIS 3.1, CloudTrail.1), %{management_events}: \
            every read and write management event recorded (CIS 3.1, CloudTrail.1), \
            %{global_service_events} (CIS 3.1), %{log_file_validation} (CIS 3.2, CloudTrail.4), \
            %{kms_encryption} (CIS 3.7, CloudTrail.2), %{cloudwatch_logs} (CIS 3.4, \
            CloudTrail.5), %{insights}: Insights on both API call and error rates (no benchmark \
            control; unusual API call and error volumes: credential abuse, enumeration; in no \
            default expression), %{data_events}: the data events --require-data-events asks for \
            are recorded (Stratus Red Team aws.defense-evasion.cloudtrail-event-selectors); and \
            %{name}.",
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
                   \"false\" or %{management_events} eq \"false\", with --require-data-events also or \
                   %{data_events} eq \"false\"; empty: never).",
        },
        Item {
            tag: "--filter-check",
            text: "Only the checks whose name matches this regular expression (the others read \
                   as passing; GetInsightSelectors is not called when insights is left out).",
        },
        Item {
            tag: "--require-data-events",
            text: "TYPE[=ARN_PREFIX], repeatable: the %{data_events} check, false unless a basic \
                   or advanced event selector records both the read and the write data events of \
                   that resource type (as selectors name it: AWS::S3::Object, \
                   AWS::Lambda::Function, AWS::DynamoDB::Table...) for every resource whose ARN \
                   starts with ARN_PREFIX (none: every resource of the type), e.g. \
                   AWS::S3::Object=arn:aws:s3:::payroll/. Selectors that narrow in other ways \
                   (EndsWith, other fields) do not count. Adds or %{data_events} eq \"false\" to \
                   the default --critical-status.",
        },
    ],
    from_table: Vec::new,
};

/// The status expressions (an empty one turns that state off),
/// `--filter-check` and `--require-data-events` (which the default
/// `--critical-status` then includes).
pub fn build(raw: &Raw) -> Result<Options, Error> {
    let data_events = raw
        .list("require-data-events")
        .into_iter()
        .map(|d| {
            DataEvents::parse(d)
                .map_err(|e| Error::Option(format!("--require-data-events '{d}': {e}")))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let critical = if data_events.is_empty() {
        DEFAULT_CRITICAL.to_owned()
    } else {
        format!("{DEFAULT_CRITICAL}{DATA_EVENTS_CRITICAL}")
    };
    let super::Status {
        warning,
        critical,
        filter,
    } = super::status_options(raw, &variables(), (DEFAULT_WARNING, &critical))?;
    Ok(Options {
        warning,
        critical,
        filter,
        data_events,
    })
}
