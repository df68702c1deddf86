//! `countevents`: the management events of the last `--delta` minutes
//! that pass the filters, counted against a pair of ranges.

use std::time::Duration;

use crate::aws::cloudtrail::{Attribute, AttributeKey, Query};
use crate::cli::help::{Item, Section};
use crate::cli::options::{Opt, Raw, mode_flag, mode_opt};
use crate::cli::values::{number, parsed, pattern, positive_number, threshold};
use crate::error::Error;
use crate::modes::countevents::Options;
use crate::threshold::{Range, Thresholds};

use super::ModeName;

const COUNT: &[ModeName] = &[ModeName::CountEvents];
/// securityevents reads its window the same way.
const WINDOW: &[ModeName] = &[ModeName::CountEvents, ModeName::SecurityEvents];
/// logintegrity's window is `--delta` minutes too.
const DELTA: &[ModeName] = &[
    ModeName::CountEvents,
    ModeName::SecurityEvents,
    ModeName::LogIntegrity,
];

/// Upstream's (cloud/aws/cloudtrail/mode/countevents.pm), then ours:
/// filters, insight events, early stop.
pub const OPTIONS: &[Opt] = &[
    mode_opt("event-type", COUNT),
    mode_opt("error-message", COUNT),
    mode_opt("delta", DELTA),
    mode_opt("warning-count", COUNT),
    mode_opt("critical-count", COUNT),
    mode_opt("max-pages", WINDOW),
    mode_opt("event-name", COUNT),
    mode_opt("event-source", COUNT),
    mode_opt("username", COUNT),
    mode_opt("resource-type", COUNT),
    mode_opt("resource-name", COUNT),
    mode_opt("access-key-id", COUNT),
    mode_opt("read-only", COUNT),
    mode_opt("error-code", COUNT),
    mode_opt("filter-event-name", COUNT),
    mode_flag("insight", COUNT),
    mode_flag("exclude-self", COUNT),
    mode_flag("stop-at-critical", COUNT),
];

/// The lookup-attribute options, in the order that picks the one sent to
/// LookupEvents (the first given); the others filter on our side.
pub const ATTRIBUTE_OPTIONS: [(&str, AttributeKey); 7] = [
    ("event-name", AttributeKey::EventName),
    ("event-source", AttributeKey::EventSource),
    ("username", AttributeKey::Username),
    ("resource-type", AttributeKey::ResourceType),
    ("resource-name", AttributeKey::ResourceName),
    ("access-key-id", AttributeKey::AccessKeyId),
    ("read-only", AttributeKey::ReadOnly),
];

pub const HELP: Section = Section {
    title: "Mode",
    intro: "Check cloudtrail events: count the management events of the last --delta minutes \
            (LookupEvents). With --verbose, the events counted are listed (time, name, user, \
            source IP, error code), at most 50.",
    items: &[
        Item {
            tag: "--event-type",
            text: "Filter by event type (exact match on the record's eventType, e.g. \
                   AwsApiCall, AwsConsoleSignIn).",
        },
        Item {
            tag: "--error-message",
            text: "Filter on an error message pattern (unanchored, case-sensitive regular \
                   expression). With --event-type too, an event matching either filter counts.",
        },
        Item {
            tag: "--delta",
            text: "Time depth for search (minutes, default: 60).",
        },
        Item {
            tag: "--warning-count",
            text: "Set warning threshold for the number of events (Nagios range).",
        },
        Item {
            tag: "--critical-count",
            text: "Set critical threshold for the number of events (Nagios range).",
        },
        Item {
            tag: "--max-pages",
            text: "Stop with UNKNOWN after this many LookupEvents pages of 50 events rather \
                   than report a partial count (default: 100). Pages are paced at 2 per second, \
                   the LookupEvents quota.",
        },
        Item {
            tag: "--event-name",
            text: "Only events of this name (e.g. ConsoleLogin).\n\n\
                   Every filter from here on must hold, and so must --event-type or \
                   --error-message when given. LookupEvents filters on one attribute: the \
                   first given of --event-name, --event-source, --username, --resource-type, \
                   --resource-name, --access-key-id, --read-only; the others are checked on \
                   the events it returns (exact, case-sensitive).",
        },
        Item {
            tag: "--event-source",
            text: "Only events of this service (e.g. iam.amazonaws.com).",
        },
        Item {
            tag: "--username",
            text: "Only events of this user name (the event's Username).",
        },
        Item {
            tag: "--resource-type",
            text: "Only events with a resource of this type (e.g. AWS::S3::Bucket).",
        },
        Item {
            tag: "--resource-name",
            text: "Only events with a resource of this name (e.g. a bucket name or an ARN).",
        },
        Item {
            tag: "--access-key-id",
            text: "Only events made with this access key id (16 to 128 of A-Z and 0-9).",
        },
        Item {
            tag: "--read-only",
            text: "true: only read-only events; false: only events that change something.",
        },
        Item {
            tag: "--error-code",
            text: "Only events whose record has this errorCode (exact match, e.g. \
                   AccessDenied).",
        },
        Item {
            tag: "--filter-event-name",
            text: "Only events whose name matches this regular expression (unanchored, \
                   case-sensitive).",
        },
        Item {
            tag: "--insight",
            text: "Count CloudTrail Insights events instead of management events \
                   (EventCategory insight).",
        },
        Item {
            tag: "--exclude-self",
            text: "Leave out the events of this plugin's own calls (user agent \
                   check_cloudtrail/...).",
        },
        Item {
            tag: "--stop-at-critical",
            text: "Stop reading pages once the count is CRITICAL whatever the rest holds \
                   (needs a --critical-count alerting above a bound, like 10); the output \
                   then says 'at least N'.",
        },
    ],
    from_table: Vec::new,
};

/// LookupEvents reads CloudTrail's event history, which keeps 90 days: a
/// longer window cannot find more, and an unbounded one overflowed the
/// duration or sent a StartTime before 1970.
const MAX_DELTA_MINUTES: f64 = 90.0 * 24.0 * 60.0;
const DELTA_RANGE: &str =
    "a positive number of minutes, at most 129600 (the 90 days of CloudTrail's event history)";

/// 10 000 pages of 50 events, at LookupEvents' quota of 2 requests a
/// second, take 83 minutes: more than any poller's check may last.
const MAX_PAGES: u32 = 10_000;

pub fn build(raw: &Raw, float_precision: Option<usize>) -> Result<Options, Error> {
    let warning = threshold(raw, "warning-count")?;
    let critical = threshold(raw, "critical-count")?;
    let delta = number(raw, "delta", DELTA_RANGE, |d| {
        positive_number(d)
            .filter(|m| *m <= MAX_DELTA_MINUTES)
            .map(|m| Duration::from_secs_f64(m * 60.0))
            .filter(|d| d.as_secs() >= 1)
    })?
    .unwrap_or(Duration::from_secs(3600));
    let error_message = pattern(raw, "error-message")?;
    let max_pages = number(
        raw,
        "max-pages",
        "a whole number of pages from 1 to 10000",
        |p| parsed(p, |n: &u32| (1..=MAX_PAGES).contains(n)),
    )?
    .unwrap_or(100);
    let mut attributes = attributes(raw)?.into_iter();
    let error_code = match raw.get("error-code") {
        Some(c) if !valid_text(c) => {
            return Err(Error::Option(format!(
                "--error-code '{c}' is not an error code: at most {MAX_VALUE} characters, \
                 no control characters."
            )));
        }
        c => c.map(str::to_owned),
    };
    let stop_at_critical = raw.flag("stop-at-critical");
    if stop_at_critical {
        can_stop_at(critical, raw.get("critical-count"))?;
    }
    Ok(Options {
        event_type: raw.get("event-type").map(str::to_owned),
        error_message,
        delta,
        thresholds: Thresholds { warning, critical },
        float_precision,
        max_pages,
        query: Query {
            attribute: attributes.next(),
            insight: raw.flag("insight"),
        },
        attributes: attributes.collect(),
        error_code,
        filter_event_name: pattern(raw, "filter-event-name")?,
        exclude_self: raw.flag("exclude-self"),
        stop_at_critical,
    })
}

/// The lookup attributes given, in [`ATTRIBUTE_OPTIONS`] order.
fn attributes(raw: &Raw) -> Result<Vec<Attribute>, Error> {
    let mut attributes = Vec::new();
    for (name, key) in ATTRIBUTE_OPTIONS {
        if let Some(v) = raw.get(name) {
            attributes.push(Attribute {
                key,
                value: attribute_value(name, key, v)?,
            });
        }
    }
    Ok(attributes)
}

/// `--stop-at-critical` stops once the count cannot leave CRITICAL, so
/// the critical range must alert above a bound.
fn can_stop_at(critical: Option<Range>, given: Option<&str>) -> Result<(), Error> {
    match (critical, given) {
        (Some(r), _) if r.alerts_above_a_bound() => Ok(()),
        (_, Some(c)) => Err(Error::Option(format!(
            "--stop-at-critical needs a --critical-count that alerts above a bound \
             (like 10, ~:10, 5:10 or @10:), got '{c}'."
        ))),
        (_, None) => Err(Error::Option(
            "--stop-at-critical needs --critical-count (like 10: CRITICAL above 10).".into(),
        )),
    }
}

/// The longest value LookupEvents takes for an attribute.
const MAX_VALUE: usize = 2000;

/// At most [`MAX_VALUE`] characters, none of them a control character.
fn valid_text(v: &str) -> bool {
    v.chars().count() <= MAX_VALUE && !v.chars().any(char::is_control)
}

/// A lookup attribute's value, checked so that LookupEvents never gets
/// one it refuses: `--read-only` is `true` or `false` (any case), an
/// access key id is 16 to 128 of `A-Z0-9`, the others plain text.
fn attribute_value(name: &str, key: AttributeKey, v: &str) -> Result<String, Error> {
    match key {
        AttributeKey::ReadOnly => match v.to_ascii_lowercase().as_str() {
            l @ ("true" | "false") => Ok(l.to_owned()),
            _ => Err(Error::Option(format!(
                "--read-only must be true or false, got '{v}'."
            ))),
        },
        AttributeKey::AccessKeyId
            if !(16..=128).contains(&v.len())
                || !v
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) =>
        {
            Err(Error::Option(format!(
                "--access-key-id '{v}' is not an access key id (16 to 128 of A-Z and 0-9)."
            )))
        }
        _ if !valid_text(v) => Err(Error::Option(format!(
            "--{name} '{v}' is not a lookup value: at most {MAX_VALUE} characters, \
             no control characters."
        ))),
        _ => Ok(v.to_owned()),
    }
}
