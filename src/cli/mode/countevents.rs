//! `countevents`: the management events of the last `--delta` minutes
//! that pass the filters, counted against a pair of ranges.

use std::time::Duration;

use crate::aws::cloudtrail::{Attribute, AttributeKey, Query};
use crate::aws::cloudtrail::{CATEGORIES, EventCategory};
use crate::cli::help::{Item, Section};
use crate::cli::options::{Opt, Raw, mode_flag, mode_opt};
use crate::cli::values::{number, parsed, pattern, positive_number, threshold};
use crate::error::Error;
use crate::modes::countevents::{LogSource, Options, Source};
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
    mode_opt(SOURCE, WINDOW),
    mode_opt(EVENT_CATEGORY, WINDOW),
];

const SOURCE: &str = "source";
const EVENT_CATEGORY: &str = "event-category";

/// `--source`'s values: LookupEvents, or the trail's log files.
const SOURCES: [(&str, bool); 2] = [("api", false), ("s3", true)];

/// `--source` and `--event-category` in each window mode's section.
pub const SOURCE_ITEMS: [Item; 2] = [
    Item {
        tag: "--source",
        text: "api: LookupEvents (default; management and Insights events, ~15 minutes late, \
               2 requests a second); s3: the trail's own log files in S3 (every category, \
               ~5 minutes late; needs --trail-name or --s3-bucket, and the built-in client).",
    },
    Item {
        tag: "--event-category",
        text: "Management (default), Data, NetworkActivity or Insight (any case): the \
               records' eventCategory counted. LookupEvents holds only Management and \
               Insight; --insight is Insight.",
    },
];

/// `--trail-name` and the S3 options, with `--source=s3`.
pub const S3_ITEMS: [Item; 8] = [
    super::TRAIL_NAME_S3,
    super::s3::LOCATION_ITEMS[0],
    super::s3::LOCATION_ITEMS[1],
    super::s3::LOCATION_ITEMS[2],
    super::s3::ORGANIZATION_ITEM,
    super::s3::HELP_ITEMS[0],
    super::s3::HELP_ITEMS[1],
    super::s3::HELP_ITEMS[2],
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
            (LookupEvents; with --source=s3, the events of the trail's log files, of any \
            --event-category). With --verbose, the events counted are listed (time, name, user, \
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
                   the LookupEvents quota. Not with --source=s3.",
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
        SOURCE_ITEMS[0],
        SOURCE_ITEMS[1],
        S3_ITEMS[0],
        S3_ITEMS[1],
        S3_ITEMS[2],
        S3_ITEMS[3],
        S3_ITEMS[4],
        S3_ITEMS[5],
        S3_ITEMS[6],
        S3_ITEMS[7],
        Item {
            tag: "--stop-at-critical",
            text: "Stop reading pages once the count is CRITICAL whatever the rest holds \
                   (needs a --critical-count alerting above a bound, like 10); the output \
                   then says 'at least N'. Not with --source=s3.",
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

/// Without a state directory the log-file source reads every file of
/// its window on each run: a week of files is already hundreds of
/// thousands of GETs in a busy account.
const MAX_S3_DELTA_MINUTES: f64 = 7.0 * 24.0 * 60.0;

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
    let category = category(raw)?;
    let source = source(raw, category)?;
    if source != Source::Api && delta.as_secs_f64() > MAX_S3_DELTA_MINUTES * 60.0 {
        return Err(Error::Option(format!(
            "--delta '{}': at most {MAX_S3_DELTA_MINUTES} minutes (7 days) with --source=s3, \
             whose runs read every log file of the window.",
            raw.get("delta").unwrap_or_default()
        )));
    }
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
            insight: category == EventCategory::Insight,
        },
        attributes: attributes.collect(),
        error_code,
        filter_event_name: pattern(raw, "filter-event-name")?,
        exclude_self: raw.flag("exclude-self"),
        stop_at_critical,
        category,
        source,
    })
}

/// `--event-category`, and `--insight` as its Insight; both given must
/// agree.
fn category(raw: &Raw) -> Result<EventCategory, Error> {
    let insight = raw.flag("insight");
    let Some(given) = raw.get(EVENT_CATEGORY) else {
        return Ok(match insight {
            true => EventCategory::Insight,
            false => EventCategory::Management,
        });
    };
    let c = EventCategory::parse(given).ok_or_else(|| {
        Error::Option(format!(
            "--{EVENT_CATEGORY} '{given}': must be one of {}.",
            CATEGORIES.map(|(_, n)| n).join(", ")
        ))
    })?;
    if insight && c != EventCategory::Insight {
        return Err(Error::Option(format!(
            "--insight means --{EVENT_CATEGORY}=Insight: not with --{EVENT_CATEGORY}='{given}'."
        )));
    }
    Ok(c)
}

/// `--source`, and with s3 where the trail's log files are: the S3
/// options (and `--trail-name`) are refused with the api source, whose
/// reads they would not change.
fn source(raw: &Raw, category: EventCategory) -> Result<Source, Error> {
    let given = raw.get(SOURCE).unwrap_or("api");
    let s3 = SOURCES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(given))
        .map(|(_, s3)| *s3)
        .ok_or_else(|| {
            Error::Option(format!(
                "--{SOURCE} '{given}': must be {}.",
                SOURCES.map(|(n, _)| format!("'{n}'")).join(" or ")
            ))
        })?;
    let trail = raw.get("trail-name").map(str::to_owned);
    if !s3 && !matches!(category, EventCategory::Management | EventCategory::Insight) {
        return Err(Error::Option(format!(
            "--{EVENT_CATEGORY}={}: LookupEvents returns management and Insights events \
             only; the other categories are in the trail's log files (--source=s3).",
            category.name()
        )));
    }
    if !s3 {
        let other = match trail {
            Some(_) => Some("trail-name"),
            None => super::s3::first_given(raw),
        };
        return match other {
            Some(o) => Err(Error::Option(format!(
                "--{o} is for --{SOURCE}=s3 (the trail's log files); LookupEvents reads the \
                 region's event history."
            ))),
            None => Ok(Source::Api),
        };
    }
    // Both options bound LookupEvents' paging; a log-file read has no
    // pages to stop at, and silently ignoring them would read more than
    // the admin asked for.
    for (given, o) in [
        (raw.get("max-pages").is_some(), "max-pages"),
        (raw.flag("stop-at-critical"), "stop-at-critical"),
    ] {
        if given {
            return Err(Error::Option(format!(
                "--{o} bounds LookupEvents' pages (--{SOURCE}=api); --{SOURCE}=s3 reads every \
                 log file of the window, within --timeout."
            )));
        }
    }
    let super::s3::Location {
        bucket,
        prefix,
        account_id,
    } = super::s3::location(raw)?;
    if trail.is_none() && bucket.is_none() {
        return Err(Error::Option("Need to specify --trail-name option.".into()));
    }
    let arn_account = trail
        .as_deref()
        .and_then(crate::aws::arn::Arn::trail)
        .and_then(|a| a.account);
    if bucket.is_some() && account_id.is_none() && arn_account.is_none() {
        return Err(Error::Option(
            "--s3-bucket needs --account-id when --trail-name is not an ARN.".into(),
        ));
    }
    Ok(Source::S3(Box::new(LogSource {
        trail,
        bucket,
        prefix,
        account_id,
        organization_id: super::s3::organization_id(raw)?,
    })))
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
