//! `bucketposture`: the trail's log bucket (lifecycle, versioning, MFA
//! delete, Object Lock, Block Public Access), each check a variable of
//! the status expressions, `log_retention` a metric with ranges.

use crate::cli::help::{Item, Section};
use crate::cli::options::{Opt, Raw, mode_opt};
use crate::cli::values::{number, override_thresholds, positive_number};
use crate::config::{Mode, Posture};
use crate::error::Error;
use crate::modes::bucketposture::{
    DEFAULT_CRITICAL, DEFAULT_WARNING, LOG_RETENTION, Options, variables,
};

use super::{ModeName, TrailChoice};

const POSTURE: &[ModeName] = &[ModeName::BucketPosture];

/// `--warning-log-retention`; `_` is accepted too.
const RETENTION_RANGES: super::PerLabel = super::PerLabel {
    labels: || vec![LOG_RETENTION],
    sep: '-',
};

pub const OPTIONS: &[Opt] = &[
    mode_opt("retention-days", POSTURE),
    crate::cli::options::per_label("warning", &RETENTION_RANGES, POSTURE),
    crate::cli::options::per_label("critical", &RETENTION_RANGES, POSTURE),
];

pub const HELP: Section = Section {
    title: "Mode",
    intro: "Check the trail's log bucket for the ways to defeat CloudTrail without touching \
            the trail (S3 GetBucketLifecycleConfiguration, GetBucketVersioning, \
            GetObjectLockConfiguration, GetPublicAccessBlock, and S3 Control's account-level \
            GetPublicAccessBlock). Each check is a true/false/unknown variable (unknown: the \
            read was denied): %{bucket_lifecycle}: no enabled, untagged lifecycle rule whose \
            prefix overlaps [PREFIX/]AWSLogs/ expires current or noncurrent objects sooner \
            than --retention-days (Stratus Red Team \
            aws.defense-evasion.cloudtrail-lifecycle-rule); %{bucket_versioning} (Security Hub \
            S3.14); %{bucket_public_access}: the four Block Public Access settings on, at \
            bucket or account level (S3.1, S3.8, CloudTrail.6); %{bucket_mfa_delete} (S3.20); \
            %{bucket_object_lock}: Object Lock with a default retention (S3.15); and %{name}. \
            log_retention: the shortest such expiry in days (no metric when no rule applies). \
            Daily is often enough; run it where the bucket lives.",
    items: &[
        super::TRAIL_NAME,
        super::s3::LOCATION_ITEMS[0],
        super::s3::LOCATION_ITEMS[1],
        super::s3::LOCATION_ITEMS[2],
        Item {
            tag: "--retention-days",
            text: "A lifecycle rule expiring CloudTrail's objects sooner fails \
                   bucket_lifecycle (default: 365, PCI DSS 10.5.1's year).",
        },
        Item {
            tag: "--warning-status",
            text: "Condition for WARNING (default: %{bucket_lifecycle} eq \"false\" or \
                   %{bucket_versioning} eq \"false\" or %{bucket_public_access} eq \"false\"; \
                   empty: never).",
        },
        Item {
            tag: "--critical-status",
            text: "Condition for CRITICAL (default: none: the critical is log_retention's).",
        },
        Item {
            tag: "--filter-check",
            text: "Only the checks whose name matches this regular expression (log_retention \
                   included); the others read as passing and their reads are not made.",
        },
        Item {
            tag: "--warning-log-retention --critical-log-retention",
            text: "Days of the shortest expiry (default critical: 7:, a week or less is the \
                   attack pattern, not a retention policy).",
        },
        super::s3::HELP_ITEMS[0],
        super::s3::HELP_ITEMS[1],
        super::s3::HELP_ITEMS[2],
    ],
    from_table: Vec::new,
};

const RETENTION_RANGE: &str = "a positive whole number of days";

pub fn build(raw: &Raw, trails: TrailChoice) -> Result<Mode, Error> {
    let trail = super::one_trail(trails, "bucketposture", "it checks one bucket.")?;
    if raw.get("regions").is_some() {
        return Err(Error::Option(
            "--regions is not for --mode=bucketposture: it checks one bucket, where it is.".into(),
        ));
    }
    let super::s3::Location {
        bucket,
        prefix,
        account_id,
    } = super::s3::location(raw)?;
    if trail.is_none() && bucket.is_none() {
        return Err(Error::Option(
            "Need to specify --trail-name option (or --s3-bucket).".into(),
        ));
    }
    let super::Status {
        warning,
        critical,
        filter,
    } = super::status_options(raw, &variables(), (DEFAULT_WARNING, DEFAULT_CRITICAL))?;
    let mut opts = Options {
        warning,
        critical,
        filter,
        ..Options::default()
    };
    if let Some(days) = number(raw, "retention-days", RETENTION_RANGE, |d| {
        positive_number(d)
            .filter(|v| v.fract() == 0.0 && *v <= f64::from(u32::MAX))
            .map(|v| v as u32)
    })? {
        opts.retention_days = days;
    }
    override_thresholds(
        raw,
        &RETENTION_RANGES.spelled(LOG_RETENTION),
        &mut opts.log_retention,
    )?;
    Ok(Mode::BucketPosture(Box::new(Posture {
        trail,
        bucket,
        prefix,
        account_id,
        opts,
    })))
}
