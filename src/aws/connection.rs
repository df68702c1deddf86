//! How AWS is reached, whichever client runs and whatever the region:
//! what the command line and the environment say of credentials, role,
//! endpoints, proxy, TLS and the `aws` CLI. The configuration owns it;
//! the clients borrow it.

use super::credentials::CredentialFlags;
use super::http::ProxyUrl;
use super::sts::Role;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Connection {
    pub credentials: CredentialFlags,
    /// `--aws-role-arn` and its companions.
    pub role: Option<Role>,
    /// `--endpoint-url` / `--endpoint` (CloudTrail): one endpoint for
    /// every region.
    pub endpoint: Option<String>,
    /// `--sts-endpoint-url`.
    pub sts_endpoint: Option<String>,
    /// The S3 reading modes' own options.
    pub s3: S3Access,
    /// `--fips` or `AWS_USE_FIPS_ENDPOINT`.
    pub fips: bool,
    pub proxy: Option<ProxyUrl>,
    /// `--ca-bundle` or `AWS_CA_BUNDLE`: a PEM file replacing the roots.
    pub ca_bundle: Option<String>,
    pub skip_ssl_check: bool,
    pub awscli: AwsCli,
}

/// How the modes that read S3 reach the bucket (logintegrity today; a
/// later S3 mode takes the same options, `cli::mode::s3`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct S3Access {
    /// `--s3-endpoint-url`; `--endpoint-url` never applies to S3.
    pub endpoint: Option<String>,
    /// `--s3-role-arn` (with `--s3-external-id`): assumed with the main
    /// credentials (themselves perhaps `--aws-role-arn`'s) for the S3
    /// reads only, e.g. a bucket in a log archive account. CloudTrail
    /// calls keep the main credentials.
    pub role: Option<Role>,
}

/// The awscli custom mode's own options.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AwsCli {
    /// `--command` (default `aws`).
    pub command: String,
    pub command_path: Option<String>,
    /// `--command-options`: replaces the generated arguments.
    pub command_options: Option<String>,
    pub sudo: bool,
}
