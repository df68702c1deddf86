//! Where a trail's files are, for the modes that read its bucket
//! (logintegrity, bucketposture): DescribeTrails, or the command line
//! (`--s3-bucket`, a log archive account) without it.

use crate::aws::arn::{self, Arn};
use crate::aws::backend::Backend;
use crate::error::Error;
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
