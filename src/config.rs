//! A validated check: what `cli` makes of the command line, data only.
//! Each mode's own options live in its mode file; this is the rest.

use std::time::Duration;

use regex_lite::Regex;

use crate::aws::connection::Connection;
use crate::aws::quota;
use crate::error::Limit;
use crate::modes::{
    bucketposture, countevents, listtrails, logintegrity, securityevents, traildelivery,
    trailsecurity,
};
use crate::statefile;

/// Defined with the backend it chooses; named here with the rest of the
/// configuration.
pub use crate::aws::backend::CustomMode;

/// Which trails a trail mode checks.
#[derive(Clone, Debug)]
pub enum Trails {
    /// `--trail-name`: one trail, by name or ARN.
    One(String),
    /// `--all-trails` or `--filter-trail-name`: every trail visible in
    /// the region, or those whose name matches.
    All(Option<Regex>),
}

#[derive(Clone, Debug)]
pub enum Mode {
    CheckTrailStatus {
        trails: Trails,
    },
    CountEvents(Box<countevents::Options>),
    TrailDelivery {
        trails: Trails,
        thresholds: traildelivery::Options,
    },
    TrailSecurity {
        trails: Trails,
        opts: trailsecurity::Options,
    },
    ListTrails {
        filter: Option<Regex>,
        disco: Option<listtrails::Disco>,
        json: bool,
    },
    SecurityEvents {
        /// The one read of the window: every management event.
        read: Box<countevents::Options>,
        opts: securityevents::Options,
    },
    LogIntegrity(Box<Integrity>),
    BucketPosture(Box<Posture>),
}

/// `bucketposture`: which trail's bucket, or which bucket.
#[derive(Debug, Clone)]
pub struct Posture {
    /// `--trail-name`: DescribeTrails gives the bucket, unless `--s3-bucket`.
    pub trail: Option<String>,
    pub bucket: Option<String>,
    pub prefix: Option<String>,
    /// `--account-id`: the bucket's account, for its account-level Block
    /// Public Access (else `--s3-role-arn`'s, else the trail ARN's).
    pub account_id: Option<String>,
    pub opts: bucketposture::Options,
}

/// `logintegrity`: which trail's digests, where, over which window.
#[derive(Clone, Debug)]
pub struct Integrity {
    /// `--trail-name`: a name or an ARN.
    pub trail: String,
    /// `--s3-bucket`: read this bucket without DescribeTrails.
    pub bucket: Option<String>,
    /// `--s3-prefix` (with `--s3-bucket`).
    pub prefix: Option<String>,
    /// `--account-id` (with `--s3-bucket`), else the ARN's.
    pub account_id: Option<String>,
    /// `--organization-id`: `o-…`, else the single `AWSLogs/o-…/` folder
    /// when the trail is an organization trail.
    pub organization_id: Option<String>,
    /// `--all-accounts`: every member account folder of the organization.
    pub all_accounts: bool,
    /// `--filter-region`: the source regions checked.
    pub filter_region: Option<Regex>,
    /// `--delta`, in seconds: the window ends now.
    pub delta: i64,
    pub opts: logintegrity::Options,
}

/// A validated check.
#[derive(Debug, Clone)]
pub struct Config {
    pub mode: Mode,
    pub custom_mode: CustomMode,
    pub region: String,
    /// Credentials, role, endpoints, proxy, TLS, the aws CLI's options.
    pub connection: Connection,
    pub timeout: Duration,
    /// The time limit for messages: `--timeout` or a shorter
    /// `--global-timeout`.
    pub limit: Limit,
    /// `--regions`: the same check in each of these regions.
    pub regions: Vec<String>,
    /// Where state is kept (`--statefile-*`, `--disable-statefile`).
    pub state: statefile::Options,
    /// `--api-rate`: requests per second for every API (0: no pacing);
    /// else a little under each API's quota.
    pub rates: quota::Rates,
    /// Long output is shown (`--verbose`, `--debug`): the log-file source
    /// then keeps every field of the events it lists.
    pub long: bool,
}
