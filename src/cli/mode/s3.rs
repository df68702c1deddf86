//! The options of the modes that read S3 (logintegrity, bucketposture,
//! and countevents and securityevents with `--source=s3`): where the
//! bucket is reached and, for a bucket in another account, the role the
//! S3 reads assume. Declared once here so a later S3 mode adds its name
//! to [`S3_MODES`] and its help lists [`HELP_ITEMS`].

use crate::aws::connection::S3Access;
use crate::cli::help::Item;
use crate::cli::options::{Opt, Raw, mode_opt};
use crate::error::Error;
use crate::modes::logintegrity::valid_organization_id;

use super::ModeName;

/// The modes that read S3.
pub const S3_MODES: &[ModeName] = &[
    ModeName::LogIntegrity,
    ModeName::BucketPosture,
    ModeName::CountEvents,
    ModeName::SecurityEvents,
];

/// The modes that read a trail's log folders, an organization trail's
/// under `AWSLogs/o-ID/`.
const ORGANIZATION_MODES: &[ModeName] = &[
    ModeName::LogIntegrity,
    ModeName::CountEvents,
    ModeName::SecurityEvents,
];

const BUCKET: &str = "s3-bucket";
const PREFIX: &str = "s3-prefix";
const ACCOUNT_ID: &str = "account-id";
const ENDPOINT_URL: &str = "s3-endpoint-url";
const ROLE_ARN: &str = "s3-role-arn";
const EXTERNAL_ID: &str = "s3-external-id";
const ORGANIZATION_ID: &str = "organization-id";

pub const OPTIONS: &[Opt] = &[
    mode_opt(BUCKET, S3_MODES),
    mode_opt(PREFIX, S3_MODES),
    mode_opt(ACCOUNT_ID, S3_MODES),
    mode_opt(ENDPOINT_URL, S3_MODES),
    mode_opt(ROLE_ARN, S3_MODES),
    mode_opt(EXTERNAL_ID, S3_MODES),
    mode_opt(ORGANIZATION_ID, ORGANIZATION_MODES),
];

/// `--organization-id`, in the sections of [`ORGANIZATION_MODES`].
pub const ORGANIZATION_ITEM: Item = Item {
    tag: "--organization-id",
    text: "An organization trail's id (o-…), whose logs are under AWSLogs/o-ID/ACCOUNT/ \
           (default: the single o-… folder under AWSLogs/).",
};

/// `--organization-id`, checked.
pub fn organization_id(raw: &Raw) -> Result<Option<String>, Error> {
    match raw.get(ORGANIZATION_ID) {
        Some(o) if !valid_organization_id(o) => Err(Error::Option(format!(
            "--{ORGANIZATION_ID} '{o}' is not an organization id (o- and 10 to 32 lower-case \
             letters or digits)."
        ))),
        o => Ok(o.map(str::to_owned)),
    }
}

/// Their `--help` items, in each S3 mode's section.
pub const HELP_ITEMS: [Item; 3] = [
    Item {
        tag: "--s3-endpoint-url",
        text: "S3 endpoint URL (default: AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else \
               the public endpoint, where the bucket's region is asked with \
               GetBucketLocation); --endpoint-url is CloudTrail's only.",
    },
    Item {
        tag: "--s3-role-arn",
        text: "Assume this role for the S3 reads only (a bucket in another account, e.g. a \
               log archive account): STS AssumeRole with the main credentials (after \
               --aws-role-arn if given), with --aws-role-session-name and \
               --aws-role-duration; CloudTrail calls keep the main credentials.",
    },
    Item {
        tag: "--s3-external-id",
        text: "External id the --s3-role-arn role's trust policy asks for.",
    },
];

/// Where the trail's files are, in each S3 mode's section.
pub const LOCATION_ITEMS: [Item; 3] = [
    Item {
        tag: "--s3-bucket",
        text: "Read this bucket without DescribeTrails (e.g. in a log archive account); the \
               trail's home region is its ARN's, else --region.",
    },
    Item {
        tag: "--s3-prefix",
        text: "The trail's S3 key prefix, with --s3-bucket (default: none).",
    },
    Item {
        tag: "--account-id",
        text: "The account whose logs are read, with --s3-bucket (default: the trail ARN's).",
    },
];

/// The first of these options given, for the modes where they apply to
/// one source only.
pub fn first_given(raw: &Raw) -> Option<&'static str> {
    OPTIONS.iter().find_map(|o| match o.name {
        crate::cli::options::Name::Exact(n) if raw.get(n).is_some() => Some(n),
        _ => None,
    })
}

/// `--s3-bucket [--s3-prefix] [--account-id]`.
pub struct Location {
    pub bucket: Option<String>,
    /// Without slashes at either end.
    pub prefix: Option<String>,
    pub account_id: Option<String>,
}

/// `--s3-bucket [--s3-prefix] [--account-id]`, checked.
pub fn location(raw: &Raw) -> Result<Location, Error> {
    let bucket = raw.get(BUCKET).map(str::to_owned);
    for needs_bucket in [PREFIX, ACCOUNT_ID] {
        if bucket.is_none() && raw.get(needs_bucket).is_some() {
            return Err(Error::Option(format!(
                "--{needs_bucket} needs --{BUCKET} (without it, DescribeTrails tells)."
            )));
        }
    }
    if let Some(a) = raw.get(ACCOUNT_ID)
        && !crate::aws::arn::is_account_id(a)
    {
        return Err(Error::Option(format!(
            "--{ACCOUNT_ID} '{a}' is not an account id (12 digits)."
        )));
    }
    Ok(Location {
        bucket,
        prefix: raw.get(PREFIX).map(|p| p.trim_matches('/').to_owned()),
        account_id: raw.get(ACCOUNT_ID).map(str::to_owned),
    })
}

/// `--s3-endpoint-url`, `--s3-role-arn` and `--s3-external-id`, checked.
/// The options exist only with the S3 modes, so with any other mode
/// nothing is given here.
pub fn build(raw: &Raw) -> Result<S3Access, Error> {
    if raw.get(ROLE_ARN).is_none() && raw.get(EXTERNAL_ID).is_some() {
        return Err(Error::Option(format!(
            "--{EXTERNAL_ID} needs --{ROLE_ARN} (the main role's is --aws-external-id)."
        )));
    }
    Ok(S3Access {
        endpoint: super::super::build::endpoint_of(raw, ENDPOINT_URL)?,
        role: super::super::build::role_of(raw, ROLE_ARN, EXTERNAL_ID)?,
    })
}
