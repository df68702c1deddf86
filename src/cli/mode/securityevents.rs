//! `securityevents`: the CIS §4 categories ([`CATEGORIES`]) counted over
//! one read of the window, one pair of ranges per category.

use crate::cli::help::{Item, Section};
use crate::cli::options::{Opt, Raw, mode_opt, per_label};
use crate::cli::values::{override_thresholds, pattern};
use crate::config::Mode;
use crate::error::Error;
use crate::modes::cis::{CATEGORIES, Default};
use crate::modes::securityevents::Options;

use super::{ModeName, PerLabel};

const WATCH: &[ModeName] = &[ModeName::SecurityEvents];

/// Shown as the perfdata label, `--warning-unauthorized_api_calls`.
const CATEGORY_RANGES: PerLabel = PerLabel {
    labels: || CATEGORIES.iter().map(|c| c.label).collect(),
    sep: '_',
};

/// `--delta` and `--max-pages` are countevents' (same read).
pub const OPTIONS: &[Opt] = &[
    mode_opt("filter-category", WATCH),
    per_label("warning", &CATEGORY_RANGES, WATCH),
    per_label("critical", &CATEGORY_RANGES, WATCH),
];

pub const HELP: Section = Section {
    title: "Mode",
    intro: "Count the CIS AWS Foundations 4.1-4.15 monitoring events (Security Hub \
            CloudWatch.1-14) in the last --delta minutes of event history, from one paged \
            LookupEvents read (or the trail's log files with --source=s3): no log group or \
            metric filter needed. One perfdata \
            label per category, named as its range options below. IAM, Organizations and console sign-in events are \
            recorded in the partition's home region (us-east-1, cn-north-1, us-gov-west-1): when \
            --region is another one, that region is read too, and an event seen in both counts \
            once; with --endpoint-url only that endpoint is read. With --verbose, the matching \
            events are listed (time, category, name, user ARN, source IP, region, error code), \
            at most 100. Each category has a warning and a critical Nagios range, below, \
            on its count: with a state directory, the count of the events first seen since the \
            previous run (so a late event alerts once), else of the window. A given range \
            replaces the default, an empty one keeps it.",
    items: &[
        Item {
            tag: "--delta",
            text: "Time depth for search (minutes, default: 60).",
        },
        Item {
            tag: "--max-pages",
            text: "Stop with UNKNOWN after this many LookupEvents pages of 50 events per region \
                   read (default: 100). Not with --source=s3.",
        },
        Item {
            tag: "--filter-category",
            text: "Only the categories whose label matches this regular expression.",
        },
        super::countevents::SOURCE_ITEMS[0],
        super::countevents::SOURCE_ITEMS[1],
        super::countevents::S3_ITEMS[0],
        super::countevents::S3_ITEMS[1],
        super::countevents::S3_ITEMS[2],
        super::countevents::S3_ITEMS[3],
        super::countevents::S3_ITEMS[4],
        super::countevents::S3_ITEMS[5],
        super::countevents::S3_ITEMS[6],
        super::countevents::S3_ITEMS[7],
    ],
    from_table: range_items,
};

fn range_items() -> Vec<(String, String)> {
    CATEGORIES
        .iter()
        .map(|c| {
            let label = CATEGORY_RANGES.spelled(c.label);
            let control = c
                .control
                .map(|s| format!(", Security Hub {s}"))
                .unwrap_or_default();
            let level = match c.default {
                Default::Warning => "WARNING",
                Default::Critical => "CRITICAL",
            };
            (
                format!("--warning-{label}"),
                format!(
                    "and --critical-{label}: CIS {}{control}. Default: {level} above 0.",
                    c.cis
                ),
            )
        })
        .collect()
}

/// The window read like countevents' (same `--delta`, `--max-pages`, no
/// filter), the categories `--filter-category` keeps, each with its
/// ranges: a given one replaces the default, an empty one keeps it.
pub fn build(raw: &Raw, float_precision: Option<usize>) -> Result<Mode, Error> {
    let read = super::countevents::build(raw, float_precision)?;
    let filter = pattern(raw, "filter-category")?;
    let mut selected = Vec::new();
    for c in CATEGORIES
        .iter()
        .filter(|c| filter.as_ref().is_none_or(|re| re.is_match(c.label)))
    {
        let mut t = c.default_thresholds();
        override_thresholds(raw, &CATEGORY_RANGES.spelled(c.label), &mut t)?;
        selected.push((c, t));
    }
    if selected.is_empty() {
        return Err(Error::Option(format!(
            "--filter-category '{}' matches no category.",
            raw.get("filter-category").unwrap_or_default()
        )));
    }
    let delta_minutes = read.delta.as_secs() / 60;
    Ok(Mode::SecurityEvents {
        read: Box::new(read),
        opts: Options {
            selected,
            delta_minutes,
        },
    })
}
