//! A validated check: what `cli` makes of the command line, data only.
//! Each mode's own options live in its mode file; this is the rest.

use std::time::Duration;

use regex_lite::Regex;

use crate::aws::awscli;
use crate::aws::credentials::CredentialFlags;
use crate::aws::http::ProxyUrl;
use crate::aws::quota;
use crate::aws::sts::Role;
use crate::error::Limit;
use crate::modes::{countevents, listtrails, securityevents, traildelivery, trailsecurity};
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
}

/// A validated check.
#[derive(Debug, Clone)]
pub struct Config {
    pub mode: Mode,
    pub custom_mode: CustomMode,
    pub region: String,
    /// `--endpoint-url` / `--endpoint` (CloudTrail).
    pub endpoint: Option<String>,
    /// `--sts-endpoint-url`.
    pub sts_endpoint: Option<String>,
    /// `--fips` or `AWS_USE_FIPS_ENDPOINT`.
    pub fips: bool,
    pub credentials: CredentialFlags,
    /// `--aws-role-arn` and its companions.
    pub role: Option<Role>,
    pub proxy: Option<ProxyUrl>,
    /// `--ca-bundle` or `AWS_CA_BUNDLE`: a PEM file replacing the roots.
    pub ca_bundle: Option<String>,
    pub skip_ssl_check: bool,
    pub timeout: Duration,
    /// The time limit for messages: `--timeout` or a shorter
    /// `--global-timeout`.
    pub limit: Limit,
    pub awscli: awscli::Options,
    /// `--regions`: the same check in each of these regions.
    pub regions: Vec<String>,
    /// securityevents: global events come from another region's run of
    /// the same `--regions` check (so they count once), not from an extra
    /// read of the home region.
    pub global_elsewhere: bool,
    /// Where state is kept (`--statefile-*`, `--disable-statefile`).
    pub state: statefile::Options,
    /// `--api-rate`: requests per second for every API (0: no pacing);
    /// else a little under each API's quota.
    pub rates: quota::Rates,
}
