//! What the providers read and reach: the shared config and credentials
//! files, the environment, STS and the local metadata endpoints.

use std::path::PathBuf;

use super::cache::Cache;
use crate::aws::caller::{Caller, Target};
use crate::aws::http;
use crate::aws::profile::{self, FileKind, Profile, Profiles};
use crate::env::Env;
use crate::error::Error;

/// The shared files, read once.
pub struct SharedFiles {
    pub config: Profiles,
    pub credentials: Profiles,
    pub config_path: PathBuf,
    pub credentials_path: PathBuf,
}

impl SharedFiles {
    /// `AWS_CONFIG_FILE` (else `~/.aws/config`) and
    /// `AWS_SHARED_CREDENTIALS_FILE` (else `~/.aws/credentials`). A
    /// missing file is an empty one; an unreadable one is an error.
    pub fn load(env: &dyn Env) -> Result<SharedFiles, Error> {
        let path = |var: &str, default: &str| {
            env.var(var)
                .map(PathBuf::from)
                .or_else(|| env.home_path(default))
                .unwrap_or_else(|| PathBuf::from(default))
        };
        let config_path = path("AWS_CONFIG_FILE", ".aws/config");
        let credentials_path = path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
        let read = |p: &PathBuf, kind| match env.read_file(p, crate::env::MAX_PROFILE_FILE) {
            Ok(text) => Ok(profile::parse(&text, kind)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Profiles::default()),
            Err(e) => Err(Error::Credentials(format!(
                "cannot read {}: {e}",
                p.display()
            ))),
        };
        Ok(SharedFiles {
            config: read(&config_path, FileKind::Config)?,
            credentials: read(&credentials_path, FileKind::Credentials)?,
            config_path,
            credentials_path,
        })
    }

    /// A profile's settings from both files, the credentials file on top.
    pub fn merged(&self, name: &str) -> Option<Profile> {
        let cfg = self.config.get(name);
        let cred = self.credentials.get(name);
        if cfg.is_none() && cred.is_none() {
            return None;
        }
        let mut p = cfg.cloned().unwrap_or_default();
        for (k, v) in cred.into_iter().flatten() {
            p.insert(k.clone(), v.clone());
        }
        Some(p)
    }

    /// The profile the chain reads when `--aws-profile` is not given.
    pub fn default_profile_name(env: &dyn Env) -> String {
        env.var("AWS_PROFILE")
            .or_else(|| env.var("AWS_DEFAULT_PROFILE"))
            .unwrap_or_else(|| "default".to_owned())
    }

    /// `region` of the profile in use, for region resolution.
    pub fn region(&self, profile: &str) -> Option<String> {
        self.merged(profile)
            .and_then(|p| p.get("region").cloned())
            .filter(|r| !r.is_empty())
    }
}

/// What the providers reach the world with.
pub struct World<'a> {
    pub env: &'a dyn Env,
    pub files: &'a SharedFiles,
    /// For STS (through the proxy, retried).
    pub caller: &'a Caller<'a>,
    pub sts: &'a Target<'a>,
    /// For instance metadata and container endpoints: never proxied.
    pub local: &'a http::Client,
    /// Where temporary credentials are kept between runs, if anywhere.
    pub cache: Option<Cache<'a>>,
}
