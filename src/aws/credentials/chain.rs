//! The provider chain: which source of credentials wins (the order is in
//! the module's parent), profiles with their roles, environment keys, web
//! identity and `credential_process`.

use serde_json::Value;

use super::cache::cached;
use super::metadata::{container, credentials_from_json, instance_metadata};
use super::value::{CredentialFlags, Credentials};
use super::world::{SharedFiles, World};
use crate::aws::crypto::keyed_hash;
use crate::aws::profile::Profile;
use crate::aws::sts::{self, Role};
use crate::env::Env;
use crate::error::Error;
use crate::process;
use crate::trace::Trace;

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
    // Each profile of a source_profile chain is one more frame of this
    // recursion (and one more AssumeRole): bounded as every nesting is.
    if visited.len() > crate::expr::MAX_DEPTH {
        return Err(Error::Credentials(format!(
            "source_profile chain longer than {} profiles, from {}",
            crate::expr::MAX_DEPTH,
            visited.first().map_or(name, String::as_str)
        )));
    }
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
        .read_file(std::path::Path::new(token_file), crate::env::MAX_TOKEN_FILE)
        .map_err(|e| {
            Error::Credentials(format!(
                "{source}: cannot read token file {token_file}: {e}"
            ))
        })?;
    let token = token.trim();
    // A secret from the moment it is read: STS may quote it back.
    trace.secrets([token.to_owned()]);
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
        keyed_hash(token, "check_cloudtrail web identity cache"),
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

/// A credential document is a few hundred bytes (a session token is at
/// most a few KB): 1 MiB of stdout is far beyond any real one. Stderr is
/// only quoted in an error line, and 64 KiB is more than a line can show.
const CREDENTIAL_PROCESS_CAPS: process::Caps = process::Caps {
    stdout: 1 << 20,
    stderr: 64 << 10,
};

/// `credential_process`: run without a shell, JSON on stdout, Version 1.
fn credential_process(cmd: &str, label: &str, world: &World<'_>) -> Result<Credentials, Error> {
    let source = format!("{label} credential_process");
    let argv = process::split(cmd)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| Error::Credentials(format!("{source}: cannot split '{cmd}'")))?;
    let out = process::run(&argv, &[], world.local.remaining(), CREDENTIAL_PROCESS_CAPS).map_err(
        |e| {
            Error::Credentials(match e {
                process::RunError::TimedOut => {
                    format!("{source}: still running at the timeout, killed")
                }
                other => format!("{source}: {other}"),
            })
        },
    )?;
    if out.code != Some(0) {
        return Err(Error::Credentials(format!(
            "{source} exited with {}: {}",
            out.code
                .map_or("a signal".to_owned(), |c| format!("code {c}")),
            // Whole (cut when shown, after redaction), and without what
            // looks like a key or token nobody told us about.
            crate::trace::redact_secret_like(&String::from_utf8_lossy(&out.stderr))
        )));
    }
    let v: Value = crate::json::parse(&out.stdout)
        .map_err(|e| Error::Credentials(format!("{source}: output is not JSON ({e})")))?;
    if v.get("Version").and_then(Value::as_i64) != Some(1) {
        return Err(Error::Credentials(format!(
            "{source}: output Version must be 1"
        )));
    }
    credentials_from_json(&v, "SessionToken", &source)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
