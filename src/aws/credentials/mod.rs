//! AWS credentials and where they come from: botocore's provider chain.
//!
//! First match wins:
//! 1. `--aws-access-key` / `--aws-secret-key` / `--aws-session-token`;
//! 2. with `--aws-profile`, that profile's chain only (environment keys are
//!    skipped, as with the CLI's `--profile`); otherwise the environment
//!    keys (`AWS_ACCESS_KEY_ID` …), then the profile named by `AWS_PROFILE`
//!    (else `default`);
//! 3. a profile: `role_arn` with `source_profile` (chains followed, loops
//!    refused) or `credential_source`; `web_identity_token_file`; keys in
//!    the credentials file; `credential_process`; keys in the config file;
//! 4. web identity from `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`;
//! 5. container credentials (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` /
//!    `_FULL_URI`);
//! 6. EC2 instance metadata (IMDSv2), unless `AWS_EC2_METADATA_DISABLED`.
//!
//! The files below are layered: `value` (the types, all that `sts` and the
//! signed call need), `cache`, `world`, `metadata`, then `chain`, which
//! calls `sts`. Callers outside `aws/` use the names re-exported here.

pub(super) mod cache;
pub(super) mod chain;
pub(super) mod metadata;
pub(super) mod value;
pub(super) mod world;

pub use cache::{CACHED, Cache, cached, from_cache_file};
pub use chain::resolve;
pub use value::{CredentialFlags, Credentials};
pub use world::{SharedFiles, World};
