//! `logintegrity`: the trail's signed digest chain over the last
//! `--delta` minutes, one pair of ranges per metric of [`METRICS`].

use crate::cli::help::{Item, Section};
use crate::cli::options::{Opt, Raw, mode_flag, mode_opt, per_label};
use crate::cli::values::{number, override_thresholds, pattern, positive_number};
use crate::config::{Integrity, Mode, Trails};
use crate::error::Error;
use crate::modes::logintegrity::{METRICS, Options, VerifyLogs};

use super::{ModeName, PerLabel, TrailChoice};

const INTEGRITY: &[ModeName] = &[ModeName::LogIntegrity];

/// Shown as `--warning-digests-invalid`; `_` is accepted too.
const METRIC_RANGES: PerLabel = PerLabel {
    labels: || METRICS.iter().map(|m| m.label).collect(),
    sep: '-',
};

pub const OPTIONS: &[Opt] = &[
    mode_flag("all-accounts", INTEGRITY),
    mode_opt("filter-region", INTEGRITY),
    mode_opt("verify-logs", INTEGRITY),
    per_label("warning", &METRIC_RANGES, INTEGRITY),
    per_label("critical", &METRIC_RANGES, INTEGRITY),
];

/// 90 days of hourly digests is 2 160 digests per source region: a first
/// run over it takes several runs (each goes on where the last stopped).
const MAX_DELTA_MINUTES: f64 = 90.0 * 24.0 * 60.0;
const DELTA_RANGE: &str = "a positive number of minutes, at most 129600 (90 days)";
const DEFAULT_DELTA_MINUTES: i64 = 1440;

pub const HELP: Section = Section {
    title: "Mode",
    intro: "Check that the trail's log files are the ones CloudTrail wrote, as aws cloudtrail \
            validate-logs does over the last --delta minutes: every digest file's signature \
            (ListPublicKeys), the chain linking the digests, and each log file's SHA-256 (S3 \
            ListObjectsV2, GetObject). Every source region under \
            AWSLogs/[o-ID/]ACCOUNT/CloudTrail-Digest/ is checked and the counts summed \
            (digest_age: the stalest region's newest valid digest). With the state directory, \
            files verified before and listed unchanged are not read again. Needs the \
            built-in client (--custommode=api).",
    items: &[
        super::TRAIL_NAME,
        super::s3::LOCATION_ITEMS[0],
        super::s3::LOCATION_ITEMS[1],
        super::s3::LOCATION_ITEMS[2],
        super::s3::ORGANIZATION_ITEM,
        Item {
            tag: "--all-accounts",
            text: "Check every member account folder of the organization trail (sums, plus \
                   accounts_total and accounts_failing; organizations:ListAccounts, when \
                   allowed, adds active accounts without a folder as failing).",
        },
        Item {
            tag: "--filter-region",
            text: "Only the source regions whose name matches this regular expression.",
        },
        Item {
            tag: "--delta",
            text: "The window checked, in minutes up to now (default: 1440, at most 129600).",
        },
        Item {
            tag: "--verify-logs",
            text: "hash: read and hash every log file (default); exists: only that it is there \
                   (HeadObject); none: digests only.",
        },
        super::s3::HELP_ITEMS[0],
        super::s3::HELP_ITEMS[1],
        super::s3::HELP_ITEMS[2],
    ],
    from_table: range_items,
};

fn range_items() -> Vec<(String, String)> {
    METRICS
        .iter()
        .map(|m| METRIC_RANGES.help_item(m.label, m.help))
        .collect()
}

fn refused(what: &str, why: &str) -> Error {
    Error::Option(format!("{what} is not for --mode=logintegrity: {why}"))
}

pub fn build(raw: &Raw, trails: TrailChoice) -> Result<Mode, Error> {
    if trails.several() {
        return Err(refused(
            "--all-trails or --filter-trail-name",
            "it checks one trail's digest chain (--trail-name).",
        ));
    }
    if raw.get("regions").is_some() {
        return Err(refused(
            "--regions",
            "it checks every source region the trail's digests are in (--filter-region narrows them).",
        ));
    }
    let trail = match trails.required()? {
        Trails::One(name) => name,
        Trails::All(_) => return Err(Error::Internal("several trails".into())),
    };
    let super::s3::Location {
        bucket,
        prefix,
        account_id,
    } = super::s3::location(raw)?;
    let all_accounts = raw.flag("all-accounts");
    if all_accounts && account_id.is_some() {
        return Err(Error::Option(
            "--account-id and --all-accounts: one account, or every member account, not both."
                .into(),
        ));
    }
    let organization_id = super::s3::organization_id(raw)?;
    let delta = number(raw, "delta", DELTA_RANGE, |d| {
        positive_number(d)
            .filter(|m| *m <= MAX_DELTA_MINUTES)
            .map(|m| (m * 60.0) as i64)
            .filter(|s| *s >= 1)
    })?
    .unwrap_or(DEFAULT_DELTA_MINUTES * 60);
    let mut opts = Options::default();
    if let Some(v) = raw.get("verify-logs") {
        opts.verify_logs = VerifyLogs::parse(v).ok_or_else(|| {
            Error::Option(format!(
                "--verify-logs '{v}': must be 'hash', 'exists' or 'none'."
            ))
        })?;
    }
    for m in &METRICS {
        override_thresholds(
            raw,
            &METRIC_RANGES.spelled(m.label),
            (m.thresholds)(&mut opts),
        )?;
    }
    Ok(Mode::LogIntegrity(Box::new(Integrity {
        trail,
        bucket,
        prefix,
        account_id,
        organization_id,
        all_accounts,
        filter_region: pattern(raw, "filter-region")?,
        delta,
        opts,
    })))
}
