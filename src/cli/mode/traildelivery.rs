//! `traildelivery`: are the logs arriving? One pair of ranges per metric
//! of [`METRICS`].

use crate::cli::help::Section;
use crate::cli::options::{Opt, Raw, per_label};
use crate::cli::values::override_thresholds;
use crate::error::Error;
use crate::modes::traildelivery::{METRICS, Options};

use super::{ModeName, PerLabel};

const DELIVERY: &[ModeName] = &[ModeName::TrailDelivery];

/// Shown as `--warning-delivery-age`, as the first releases spelled it.
const METRIC_RANGES: PerLabel = PerLabel {
    labels: || METRICS.iter().map(|m| m.label).collect(),
    sep: '-',
};

pub const OPTIONS: &[Opt] = &[
    per_label("warning", &METRIC_RANGES, DELIVERY),
    per_label("critical", &METRIC_RANGES, DELIVERY),
];

pub const HELP: Section = Section {
    title: "Mode",
    intro: "Check that the trail's logs actually arrive (GetTrailStatus and DescribeTrails): \
            S3 delivery error and age; CloudWatch Logs error and age when the trail has a log \
            group; digest error and age when log file validation is on; SNS notification \
            error when the trail has a topic. Ages are in seconds; an error metric is 1.",
    items: &[
        super::ALL_TRAILS,
        super::FILTER_TRAIL_NAME,
        super::TRAIL_NAME,
    ],
    from_table: range_items,
};

fn range_items() -> Vec<(String, String)> {
    METRICS
        .iter()
        .map(|m| METRIC_RANGES.help_item(m.label, m.help))
        .collect()
}

/// A given range replaces the metric's default, an empty one keeps it.
pub fn build(raw: &Raw) -> Result<Options, Error> {
    let mut o = Options::default();
    for m in &METRICS {
        override_thresholds(raw, &METRIC_RANGES.spelled(m.label), (m.thresholds)(&mut o))?;
    }
    Ok(o)
}
