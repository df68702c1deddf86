//! Where a trail's files are, for the modes that read its bucket
//! (logintegrity, bucketposture, the log-file source of countevents and
//! securityevents): DescribeTrails, or the command line (`--s3-bucket`, a
//! log archive account) without it; and an organization trail's folder.

use crate::aws::arn::{self, Arn};
use std::time::Duration;

use crate::aws::backend::Backend;
use crate::aws::s3::{self, ListQuery};
use crate::error::Error;
use crate::modes::logintegrity::valid_organization_id;
use crate::trace::Trace;

/// The trail's bucket and what is known of it.
pub struct Located {
    /// The trail's name, or the bucket's when no trail was named.
    pub trail_name: String,
    pub home_region: String,
    /// `--account-id`, else the trail ARN's (the management account for
    /// an organization trail).
    pub account_id: Option<String>,
    pub bucket: String,
    pub prefix: String,
    /// `LogFileValidationEnabled`; true when not asked.
    pub validation: bool,
    /// What DescribeTrails says; unknown with `--s3-bucket`.
    pub organization_trail: Option<bool>,
}

/// `--s3-bucket`, `--s3-prefix`, `--account-id`.
#[derive(Clone, Copy)]
pub struct Given<'a> {
    pub bucket: Option<&'a str>,
    pub prefix: Option<&'a str>,
    pub account_id: Option<&'a str>,
}

/// `trail` (a name or ARN) through DescribeTrails, unless the bucket is
/// given: then the home region is the trail ARN's, else the region's.
pub fn locate(
    b: &Backend<'_>,
    trail: Option<&str>,
    given: Given<'_>,
    trace: &mut Trace,
) -> Result<Located, Error> {
    let arn = trail.and_then(Arn::trail);
    if let Some(bucket) = given.bucket {
        return Ok(Located {
            trail_name: trail.map_or(bucket, arn::trail_name).to_owned(),
            home_region: arn.and_then(|a| a.region).unwrap_or(b.region()).to_owned(),
            account_id: given
                .account_id
                .or_else(|| arn.and_then(|a| a.account))
                .map(str::to_owned),
            bucket: bucket.to_owned(),
            prefix: given.prefix.unwrap_or_default().to_owned(),
            // Not asked without DescribeTrails: the digests tell.
            validation: true,
            organization_trail: None,
        });
    }
    let Some(trail) = trail else {
        return Err(Error::Option("Need to specify --trail-name option.".into()));
    };
    let t = b.describe_trail(trail, trace)?;
    let op = "DescribeTrails";
    let account_id = t
        .arn
        .as_deref()
        .and_then(Arn::parse)
        .and_then(|a| a.account)
        .ok_or_else(|| Error::BadResponse {
            op,
            detail: format!("trail {} has no TrailARN with an account", t.name),
        })?;
    let bucket = t.s3_bucket.clone().ok_or_else(|| Error::BadResponse {
        op,
        detail: format!("trail {} has no S3BucketName", t.name),
    })?;
    Ok(Located {
        trail_name: t.name.clone(),
        home_region: t
            .home_region
            .clone()
            .unwrap_or_else(|| b.region().to_owned()),
        account_id: Some(account_id.to_owned()),
        bucket,
        prefix: t.s3_key_prefix.clone().unwrap_or_default(),
        validation: t.log_file_validation,
        organization_trail: Some(t.is_organization_trail),
    })
}

/// `[PREFIX/]AWSLogs/`: every file CloudTrail writes is under it.
pub fn logs_root(prefix: &str) -> String {
    match prefix {
        "" => "AWSLogs/".to_owned(),
        p => format!("{p}/AWSLogs/"),
    }
}

/// Folders listed at most under `AWSLogs/` and under an organization's
/// folder: an organization holds at most 10 000 accounts by default.
pub const MAX_FOLDERS: usize = 20_000;

/// The folder names one level under `prefix` (`Delimiter=/`), at most
/// `max` of them.
pub fn folders(
    s3: &s3::Client<'_>,
    bucket: &str,
    prefix: &str,
    max: usize,
    trace: &mut Trace,
) -> Result<Vec<String>, Error> {
    let listing = s3.list_objects(
        bucket,
        &ListQuery {
            prefix,
            start_after: None,
            delimiter: Some("/"),
            max_keys: 0,
            max_pages: (max / s3::PAGE_KEYS as usize + 1) as u32,
            max_items: max,
        },
        trace,
    )?;
    let mut names: Vec<String> = listing
        .prefixes
        .iter()
        .filter_map(|p| p.strip_prefix(prefix)?.strip_suffix('/'))
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// The organization folder the logs are in: `given` (`--organization-id`),
/// else the single `o-…/` under `AWSLogs/` when the trail is an
/// organization trail (or may be one: `--s3-bucket` without the account's
/// own folder), else none. `all_accounts`: every member account is read,
/// so the folder is needed whatever the trail says.
pub fn organization(
    s3: &s3::Client<'_>,
    at: &Located,
    given: Option<&str>,
    all_accounts: bool,
    trace: &mut Trace,
) -> Result<Option<String>, Error> {
    if let Some(o) = given {
        return Ok(Some(o.to_owned()));
    }
    if at.organization_trail == Some(false) && !all_accounts {
        return Ok(None);
    }
    let root = logs_root(&at.prefix);
    let names = folders(s3, &at.bucket, &root, MAX_FOLDERS, trace)?;
    let orgs: Vec<&String> = names.iter().filter(|n| valid_organization_id(n)).collect();
    // With --s3-bucket the layout is not known: the account's own folder
    // is a trail of its own.
    let own = at.organization_trail.is_none()
        && !all_accounts
        && at.account_id.as_ref().is_some_and(|a| names.contains(a));
    match orgs.as_slice() {
        [] => Ok(None),
        _ if own => Ok(None),
        [one] => {
            trace.log(|| format!("organization folder {root}{one}/"));
            Ok(Some((*one).clone()))
        }
        several => Err(Error::Option(format!(
            "several organization folders under s3://{}/{root}: {}; name one with \
             --organization-id.",
            at.bucket,
            several
                .iter()
                .map(|o| o.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The time the S3 modes keep, when reading many files, for saving what
/// they read and answering: a fifth of the check's time, at most 3 s. No
/// read starts with less than this left.
pub fn reserve(s3: &s3::Client<'_>) -> Duration {
    Duration::from_millis(s3.caller.limit.secs.saturating_mul(200)).min(Duration::from_secs(3))
}
