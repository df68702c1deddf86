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
//! The secret key and the session token never leave [`Credentials`] except
//! into the signer: `Debug` prints the access key id only.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use super::profile::{self, FileKind, Profile, Profiles};
use super::sts::{self, Role};
use super::{Caller, Target, http};
use crate::env::Env;
use crate::error::{Error, one_line};
use crate::process;
use crate::trace::Trace;

#[derive(Clone)]
pub struct Credentials {
    access_key: String,
    secret_key: String,
    session_token: Option<String>,
    /// Epoch seconds, for temporary credentials.
    expiration: Option<i64>,
    /// Where they came from, for messages and `--debug`.
    source: String,
}

impl Credentials {
    pub fn new(access_key: &str, secret_key: &str, session_token: Option<&str>) -> Self {
        Credentials {
            access_key: access_key.to_owned(),
            secret_key: secret_key.to_owned(),
            session_token: session_token.map(str::to_owned),
            expiration: None,
            source: "explicit".to_owned(),
        }
    }

    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }

    pub fn with_expiration(mut self, epoch: i64) -> Self {
        self.expiration = Some(epoch);
        self
    }

    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    pub fn expiration(&self) -> Option<i64> {
        self.expiration
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every secret string these credentials hold, for output redaction.
    pub fn secrets(&self) -> Vec<String> {
        let mut v = vec![self.secret_key.clone()];
        v.extend(self.session_token.clone());
        v
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expiration", &self.expiration)
            .field("source", &self.source)
            .finish()
    }
}

/// What the command line said about credentials. Empty values were
/// already turned into `None` by the option parser.
#[derive(Clone, Default, PartialEq)]
pub struct CredentialFlags {
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub session_token: Option<String>,
    /// `--aws-profile`.
    pub profile: Option<String>,
}

impl fmt::Debug for CredentialFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialFlags")
            .field("access_key", &self.access_key)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("profile", &self.profile)
            .finish()
    }
}

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
        let read = |p: &PathBuf, kind| match env.read_file(p) {
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

/// Temporary credentials (web identity, container, instance metadata)
/// reused across runs until 5 minutes before they expire.
pub struct Cache<'a> {
    pub state: &'a crate::statefile::StateDir,
    /// Epoch seconds now.
    pub now: i64,
    /// Ignore what is kept (AWS just rejected it).
    pub refresh: bool,
}

/// What marks credentials that came from the state directory.
pub const CACHED: &str = "(cached)";

/// `fetch` unless the cache holds credentials for `key` that have more
/// than 5 minutes left; what `fetch` gets is kept (temporary keys only,
/// mode 0600).
pub fn cached(
    cache: Option<&Cache<'_>>,
    kind: &str,
    key: &str,
    fetch: impl FnOnce() -> Result<Credentials, Error>,
) -> Result<Credentials, Error> {
    let Some(c) = cache else {
        return fetch();
    };
    let path = c.state.file(kind, key);
    if !c.refresh {
        let kept = c.state.read(&path).and_then(|v| {
            let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
            let exp = v.get("expiration")?.as_i64()?;
            (exp > c.now + 300).then_some(())?;
            Some(
                Credentials::new(
                    &text("access_key")?,
                    &text("secret_key")?,
                    text("session_token").as_deref(),
                )
                .with_expiration(exp)
                .with_source(format!("{} {CACHED}", text("source")?)),
            )
        });
        if let Some(k) = kept {
            return Ok(k);
        }
    }
    let fresh = fetch()?;
    if let Some(exp) = fresh.expiration() {
        let _ = c.state.write(
            &path,
            &serde_json::json!({
                "version": crate::statefile::VERSION,
                "access_key": fresh.access_key(),
                "secret_key": fresh.secret_key(),
                "session_token": fresh.session_token(),
                "expiration": exp,
                "source": fresh.source(),
            }),
        );
    }
    Ok(fresh)
}

/// Keys from a profile's settings, when both halves are there.
fn keys_from(p: &Profile, source: &str) -> Result<Option<Credentials>, Error> {
    let get = |k: &str| p.get(k).filter(|v| !v.is_empty());
    match (get("aws_access_key_id"), get("aws_secret_access_key")) {
        (Some(ak), Some(sk)) => {
            let token = get("aws_session_token").or_else(|| get("aws_security_token"));
            Ok(Some(
                Credentials::new(ak, sk, token.map(String::as_str)).with_source(source),
            ))
        }
        (Some(_), None) => Err(Error::Credentials(format!(
            "{source} has aws_access_key_id but no aws_secret_access_key"
        ))),
        _ => Ok(None),
    }
}

fn env_keys(env: &dyn Env) -> Result<Option<Credentials>, Error> {
    match (
        env.var("AWS_ACCESS_KEY_ID"),
        env.var("AWS_SECRET_ACCESS_KEY"),
    ) {
        (Some(ak), Some(sk)) => {
            let token = env
                .var("AWS_SESSION_TOKEN")
                .or_else(|| env.var("AWS_SECURITY_TOKEN"));
            Ok(Some(
                Credentials::new(&ak, &sk, token.as_deref()).with_source("environment"),
            ))
        }
        (Some(_), None) => Err(Error::Credentials(
            "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not".into(),
        )),
        _ => Ok(None),
    }
}

/// Resolves the base credentials (before `--aws-role-arn`).
pub fn resolve(
    flags: &CredentialFlags,
    world: &World<'_>,
    trace: &mut Trace,
) -> Result<Credentials, Error> {
    match (&flags.access_key, &flags.secret_key) {
        (Some(ak), Some(sk)) => {
            return Ok(Credentials::new(ak, sk, flags.session_token.as_deref())
                .with_source("command line"));
        }
        (Some(_), None) => {
            return Err(Error::Credentials(
                "--aws-access-key is set but --aws-secret-key is not".into(),
            ));
        }
        (None, Some(_)) => {
            return Err(Error::Credentials(
                "--aws-secret-key is set but --aws-access-key is not".into(),
            ));
        }
        (None, None) => {}
    }
    if let Some(name) = &flags.profile {
        return match from_profile(name, world, &mut Vec::new(), trace)? {
            Some(c) => Ok(c),
            None => Err(Error::Credentials(format!(
                "profile '{name}' has no credentials (no keys, role_arn, web_identity_token_file \
                 or credential_process)"
            ))),
        };
    }
    if let Some(c) = env_keys(world.env)? {
        return Ok(c);
    }
    let name = SharedFiles::default_profile_name(world.env);
    let named =
        world.env.var("AWS_PROFILE").is_some() || world.env.var("AWS_DEFAULT_PROFILE").is_some();
    if (world.files.merged(&name).is_some() || named)
        && let Some(c) = from_profile(&name, world, &mut Vec::new(), trace)?
    {
        return Ok(c);
    }
    if let (Some(file), Some(role)) = (
        world.env.var("AWS_WEB_IDENTITY_TOKEN_FILE"),
        world.env.var("AWS_ROLE_ARN"),
    ) {
        let session = world
            .env
            .var("AWS_ROLE_SESSION_NAME")
            .unwrap_or_else(|| "check_cloudtrail".to_owned());
        return web_identity(
            &file,
            &role,
            &session,
            "web identity (environment)",
            world,
            trace,
        );
    }
    if world
        .env
        .var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        .is_some()
        || world
            .env
            .var("AWS_CONTAINER_CREDENTIALS_FULL_URI")
            .is_some()
    {
        return container(world, trace);
    }
    if world.env.flag("AWS_EC2_METADATA_DISABLED") {
        return Err(Error::Credentials(format!(
            "none found: no --aws-access-key/--aws-secret-key, no AWS_ACCESS_KEY_ID/\
             AWS_SECRET_ACCESS_KEY, no usable profile '{name}' in {} or {}, no web identity \
             or container credentials, and instance metadata is disabled \
             (AWS_EC2_METADATA_DISABLED)",
            world.files.config_path.display(),
            world.files.credentials_path.display()
        )));
    }
    instance_metadata(world, trace).map_err(|e| {
        Error::Credentials(format!(
            "none found: no --aws-access-key/--aws-secret-key, no AWS_ACCESS_KEY_ID/\
             AWS_SECRET_ACCESS_KEY, no usable profile '{name}' in {} or {}, no web identity or \
             container credentials, and {}",
            world.files.config_path.display(),
            world.files.credentials_path.display(),
            match e {
                Error::Credentials(m) => m,
                other => other.to_string(),
            }
        ))
    })
}

/// One profile's credentials, `visited` guarding `source_profile` loops.
fn from_profile(
    name: &str,
    world: &World<'_>,
    visited: &mut Vec<String>,
    trace: &mut Trace,
) -> Result<Option<Credentials>, Error> {
    let label = format!("profile '{name}'");
    let Some(p) = world.files.merged(name) else {
        return Err(Error::Credentials(format!(
            "{label} not found in {} or {}",
            world.files.config_path.display(),
            world.files.credentials_path.display()
        )));
    };
    if visited.iter().any(|v| v == name) {
        visited.push(name.to_owned());
        return Err(Error::Credentials(format!(
            "source_profile loop: {}",
            visited.join(" -> ")
        )));
    }
    visited.push(name.to_owned());
    let get = |k: &str| p.get(k).filter(|v| !v.is_empty()).cloned();
    if get("sso_start_url").is_some() || get("sso_session").is_some() {
        return Err(Error::Credentials(format!(
            "{label} uses IAM Identity Center (SSO), which needs an interactive login: \
             use keys, a role or credential_process for monitoring"
        )));
    }
    if let Some(role_arn) = get("role_arn") {
        if get("mfa_serial").is_some() {
            return Err(Error::Credentials(format!(
                "{label} needs an MFA code (mfa_serial), which a check cannot type"
            )));
        }
        let session = get("role_session_name").unwrap_or_else(|| "check_cloudtrail".to_owned());
        if let Some(token_file) = get("web_identity_token_file") {
            return web_identity(
                &token_file,
                &role_arn,
                &session,
                "web identity (profile)",
                world,
                trace,
            )
            .map(Some);
        }
        let base = match (get("source_profile"), get("credential_source")) {
            (Some(_), Some(_)) => {
                return Err(Error::Credentials(format!(
                    "{label} sets both source_profile and credential_source"
                )));
            }
            (Some(src), None) if src == name => {
                // A profile may hold the keys its own role is assumed with.
                keys_from(&p, &label)?.ok_or_else(|| {
                    Error::Credentials(format!("{label} is its own source_profile but has no keys"))
                })?
            }
            (Some(src), None) => from_profile(&src, world, visited, trace)?.ok_or_else(|| {
                Error::Credentials(format!(
                    "source_profile '{src}' of {label} has no credentials"
                ))
            })?,
            (None, Some(source)) => match source.as_str() {
                "Environment" => env_keys(world.env)?.ok_or_else(|| {
                    Error::Credentials(format!(
                        "{label}: credential_source Environment, but AWS_ACCESS_KEY_ID is not set"
                    ))
                })?,
                "Ec2InstanceMetadata" => instance_metadata(world, trace)?,
                "EcsContainer" => container(world, trace)?,
                other => {
                    return Err(Error::Credentials(format!(
                        "{label}: unknown credential_source '{other}' \
                         (Environment, Ec2InstanceMetadata or EcsContainer)"
                    )));
                }
            },
            (None, None) => {
                return Err(Error::Credentials(format!(
                    "{label} has role_arn but no source_profile, credential_source or \
                     web_identity_token_file"
                )));
            }
        };
        let duration = match get("duration_seconds") {
            None => None,
            Some(d) => Some(d.parse::<u32>().map_err(|_| {
                Error::Credentials(format!("{label}: duration_seconds '{d}' is not a number"))
            })?),
        };
        let role = Role {
            arn: role_arn,
            session_name: session,
            external_id: get("external_id"),
            duration,
        };
        trace.log(|| {
            format!(
                "credentials: {label} assumes {} with keys from {}",
                role.arn,
                base.source()
            )
        });
        return sts::assume_role(world.caller, world.sts, &base, &role, trace)
            .map(|c| Some(c.with_source(format!("{label} role {}", role.arn))));
    }
    if let Some(token_file) = get("web_identity_token_file") {
        return Err(Error::Credentials(format!(
            "{label} has web_identity_token_file '{token_file}' but no role_arn"
        )));
    }
    if let Some(c) = world
        .files
        .credentials
        .get(name)
        .map_or(Ok(None), |c| keys_from(c, &label))?
    {
        return Ok(Some(c));
    }
    if let Some(cmd) = get("credential_process") {
        return credential_process(&cmd, &label, world).map(Some);
    }
    world
        .files
        .config
        .get(name)
        .map_or(Ok(None), |c| keys_from(c, &label))
}

fn web_identity(
    token_file: &str,
    role_arn: &str,
    session: &str,
    source: &'static str,
    world: &World<'_>,
    trace: &mut Trace,
) -> Result<Credentials, Error> {
    let token = world
        .env
        .read_file(std::path::Path::new(token_file))
        .map_err(|e| {
            Error::Credentials(format!(
                "{source}: cannot read token file {token_file}: {e}"
            ))
        })?;
    let token = token.trim();
    if token.is_empty() {
        return Err(Error::Credentials(format!(
            "{source}: token file {token_file} is empty"
        )));
    }
    trace.log(|| format!("credentials: {source}, role {role_arn}"));
    // A new token (they rotate) means new credentials: it is in the key,
    // through a keyed hash.
    let key = format!(
        "{role_arn}|{session}|{token_file}|{}|{}",
        crate::aws::crypto::keyed_hash(token, "check_cloudtrail web identity cache"),
        world.sts.endpoint.url
    );
    cached(world.cache.as_ref(), "webidentity", &key, || {
        sts::assume_role_with_web_identity(
            world.caller,
            world.sts,
            role_arn,
            session,
            token,
            source,
            trace,
        )
    })
}

/// Reads the credential fields of a JSON document (container endpoint,
/// instance metadata, credential_process), naming `source` on failure.
fn credentials_from_json(v: &Value, token_key: &str, source: &str) -> Result<Credentials, Error> {
    let get = |k: &str| v.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let (Some(ak), Some(sk)) = (get("AccessKeyId"), get("SecretAccessKey")) else {
        return Err(Error::Credentials(format!(
            "{source}: the answer has no AccessKeyId/SecretAccessKey"
        )));
    };
    let mut c = Credentials::new(ak, sk, get(token_key)).with_source(source);
    if let Some(exp) = get("Expiration") {
        let at = crate::time::parse_iso8601(exp).ok_or_else(|| {
            Error::Credentials(format!("{source}: Expiration '{exp}' is not a date"))
        })?;
        c = c.with_expiration(at);
    }
    Ok(c)
}

/// `credential_process`: run without a shell, JSON on stdout, Version 1.
fn credential_process(cmd: &str, label: &str, world: &World<'_>) -> Result<Credentials, Error> {
    let source = format!("{label} credential_process");
    let argv = process::split(cmd)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| Error::Credentials(format!("{source}: cannot split '{cmd}'")))?;
    let out = process::run(&argv, &[], world.local.remaining()).map_err(|e| {
        Error::Credentials(match e {
            process::RunError::Spawn(m) => format!("{source}: {m}"),
            process::RunError::TimedOut => {
                format!("{source}: still running at the timeout, killed")
            }
        })
    })?;
    if out.code != Some(0) {
        return Err(Error::Credentials(format!(
            "{source} exited with {}: {}",
            out.code
                .map_or("a signal".to_owned(), |c| format!("code {c}")),
            one_line(&String::from_utf8_lossy(&out.stderr))
        )));
    }
    let v: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| Error::Credentials(format!("{source}: output is not JSON ({e})")))?;
    if v.get("Version").and_then(Value::as_i64) != Some(1) {
        return Err(Error::Credentials(format!(
            "{source}: output Version must be 1"
        )));
    }
    credentials_from_json(&v, "SessionToken", &source)
}

/// Hosts a full container-credentials URI may name (botocore's list).
fn container_host_allowed(host: &str) -> bool {
    http::is_loopback(host)
        || ["169.254.170.2", "169.254.170.23", "[fd00:ec2::23]"]
            .iter()
            .any(|h| host == *h || host.starts_with(&format!("{h}:")))
}

fn container(world: &World<'_>, trace: &mut Trace) -> Result<Credentials, Error> {
    let env = world.env;
    let key = format!(
        "{}|{}|{}",
        env.var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
            .unwrap_or_default(),
        env.var("AWS_CONTAINER_CREDENTIALS_FULL_URI")
            .unwrap_or_default(),
        env.var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
            .or_else(|| env.var("AWS_CONTAINER_AUTHORIZATION_TOKEN"))
            .map(|t| crate::aws::crypto::keyed_hash(&t, "check_cloudtrail container cache"))
            .unwrap_or_default()
    );
    cached(world.cache.as_ref(), "container", &key, || {
        container_fetch(world, trace)
    })
}

fn container_fetch(world: &World<'_>, trace: &mut Trace) -> Result<Credentials, Error> {
    const SOURCE: &str = "container credentials";
    let env = world.env;
    let url = match (
        env.var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
        env.var("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
    ) {
        (Some(rel), _) => format!("http://169.254.170.2{rel}"),
        (None, Some(full)) => {
            let ep = super::endpoint::Endpoint::parse(&full).map_err(|e| {
                Error::Credentials(format!("{SOURCE}: AWS_CONTAINER_CREDENTIALS_FULL_URI {e}"))
            })?;
            if !container_host_allowed(&ep.host) {
                return Err(Error::Credentials(format!(
                    "{SOURCE}: AWS_CONTAINER_CREDENTIALS_FULL_URI host {} is not a loopback or \
                     container metadata address",
                    ep.host
                )));
            }
            full
        }
        (None, None) => return Err(Error::Credentials(format!("{SOURCE}: not configured"))),
    };
    let token = match env.var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
        Some(f) => Some(
            env.read_file(std::path::Path::new(&f))
                .map_err(|e| Error::Credentials(format!("{SOURCE}: cannot read {f}: {e}")))?
                .trim()
                .to_owned(),
        ),
        None => env.var("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
    };
    let mut headers = Vec::new();
    if let Some(t) = token {
        if t.contains(['\r', '\n']) {
            return Err(Error::Credentials(format!(
                "{SOURCE}: the authorization token contains a line break"
            )));
        }
        headers.push(("authorization".to_owned(), t));
    }
    trace.log(|| format!("credentials: GET {url}"));
    let resp = world
        .local
        .request("GET", &url, &headers, None, Some(Duration::from_secs(2)))
        .map_err(|e| Error::Credentials(format!("{SOURCE} from {url}: {e}")))?;
    if resp.status != 200 {
        return Err(Error::Credentials(format!(
            "{SOURCE} from {url}: HTTP {}: {}",
            resp.status,
            one_line(&String::from_utf8_lossy(&resp.body))
        )));
    }
    let v: Value = serde_json::from_slice(&resp.body)
        .map_err(|e| Error::Credentials(format!("{SOURCE}: answer is not JSON ({e})")))?;
    credentials_from_json(&v, "Token", SOURCE)
}

fn instance_metadata(world: &World<'_>, trace: &mut Trace) -> Result<Credentials, Error> {
    let key = world
        .env
        .var("AWS_EC2_METADATA_SERVICE_ENDPOINT")
        .unwrap_or_else(|| "default".to_owned());
    cached(world.cache.as_ref(), "imds", &key, || {
        instance_metadata_fetch(world, trace)
    })
}

fn instance_metadata_fetch(world: &World<'_>, trace: &mut Trace) -> Result<Credentials, Error> {
    const SOURCE: &str = "instance metadata (IMDSv2)";
    let env = world.env;
    let base = env
        .var("AWS_EC2_METADATA_SERVICE_ENDPOINT")
        .unwrap_or_else(|| {
            if env
                .var("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")
                .is_some_and(|m| m.eq_ignore_ascii_case("ipv6"))
            {
                "http://[fd00:ec2::254]".to_owned()
            } else {
                "http://169.254.169.254".to_owned()
            }
        });
    let base = base.trim_end_matches('/');
    // Short: a poller that is not on EC2 must not wait for long here.
    let limit = env
        .var("AWS_METADATA_SERVICE_TIMEOUT")
        .and_then(|t| t.parse::<f64>().ok())
        .filter(|t| t.is_finite() && *t > 0.0)
        .map_or(Duration::from_secs(1), Duration::from_secs_f64);
    let fail = |what: String| Error::Credentials(format!("{SOURCE} at {base}: {what}"));
    let get = |path: &str, headers: &[(String, String)], method: &str| {
        let url = format!("{base}{path}");
        world
            .local
            .request(method, &url, headers, None, Some(limit))
            .map_err(|e| fail(e.to_string()))
            .and_then(|r| {
                if r.status == 200 {
                    Ok(String::from_utf8_lossy(&r.body).into_owned())
                } else {
                    Err(fail(format!("HTTP {} for {path}", r.status)))
                }
            })
    };
    trace.log(|| format!("credentials: {SOURCE} at {base}"));
    let token = get(
        "/latest/api/token",
        &[(
            "x-aws-ec2-metadata-token-ttl-seconds".to_owned(),
            "21600".to_owned(),
        )],
        "PUT",
    )?;
    let auth = [(
        "x-aws-ec2-metadata-token".to_owned(),
        token.trim().to_owned(),
    )];
    let roles = get("/latest/meta-data/iam/security-credentials/", &auth, "GET")?;
    let role = roles
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .ok_or_else(|| fail("the instance has no IAM role".into()))?
        .to_owned();
    let doc = get(
        &format!("/latest/meta-data/iam/security-credentials/{role}"),
        &auth,
        "GET",
    )?;
    let v: Value =
        serde_json::from_str(&doc).map_err(|e| fail(format!("answer is not JSON ({e})")))?;
    if let Some(code) = v
        .get("Code")
        .and_then(Value::as_str)
        .filter(|c| *c != "Success")
    {
        let msg = v.get("Message").and_then(Value::as_str).unwrap_or("");
        return Err(fail(format!("{code}: {msg}")));
    }
    credentials_from_json(&v, "Token", SOURCE)
        .map(|c| c.with_source(format!("{SOURCE} role {role}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials::new("AKIA1", "SECRETVALUE", Some("TOKENVALUE"));
        let d = format!("{c:?} {c:#?}");
        assert!(d.contains("AKIA1"));
        assert!(!d.contains("SECRETVALUE") && !d.contains("TOKENVALUE"));
        let f = CredentialFlags {
            access_key: Some("AKIA1".into()),
            secret_key: Some("SECRETVALUE".into()),
            session_token: Some("TOKENVALUE".into()),
            profile: Some("p".into()),
        };
        let d = format!("{f:?}");
        assert!(!d.contains("SECRETVALUE") && !d.contains("TOKENVALUE"));
    }

    #[test]
    fn profile_keys() {
        let p: Profile = [
            ("aws_access_key_id", "AK"),
            ("aws_secret_access_key", "SK"),
            ("aws_security_token", "T"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let c = keys_from(&p, "profile 'x'").unwrap().unwrap();
        assert_eq!(
            (c.access_key(), c.secret_key(), c.session_token()),
            ("AK", "SK", Some("T"))
        );
        let half: Profile = [("aws_access_key_id".to_owned(), "AK".to_owned())]
            .into_iter()
            .collect();
        assert!(
            keys_from(&half, "profile 'x'")
                .unwrap_err()
                .to_string()
                .contains("no aws_secret_access_key")
        );
        assert!(keys_from(&Profile::new(), "p").unwrap().is_none());
    }

    #[test]
    fn json_documents() {
        let v: Value = serde_json::from_str(
            r#"{"Code":"Success","AccessKeyId":"ASIA","SecretAccessKey":"S","Token":"T","Expiration":"2015-08-30T12:36:00Z"}"#,
        )
        .unwrap();
        let c = credentials_from_json(&v, "Token", "imds").unwrap();
        assert_eq!(c.expiration(), Some(1_440_938_160));
        assert_eq!(c.session_token(), Some("T"));
        let bad: Value = serde_json::from_str(r#"{"AccessKeyId":"A"}"#).unwrap();
        assert!(credentials_from_json(&bad, "Token", "imds").is_err());
    }

    #[test]
    fn container_hosts() {
        for h in [
            "127.0.0.1:8080",
            "localhost",
            "169.254.170.2",
            "169.254.170.23:80",
            "[fd00:ec2::23]",
        ] {
            assert!(container_host_allowed(h), "{h}");
        }
        for h in ["169.254.169.254", "example.com", "169.254.170.20"] {
            assert!(!container_host_allowed(h), "{h}");
        }
    }
}
