//! Credentials served over local HTTP: the container endpoint (ECS,
//! EKS Pod Identity) and EC2 instance metadata (IMDSv2), each kept in the
//! cache until shortly before it expires.

use std::time::Duration;

use serde_json::Value;

use super::cache::cached;
use super::value::Credentials;
use super::world::World;
use crate::aws::crypto::keyed_hash;
use crate::aws::endpoint::Endpoint;
use crate::aws::http;
use crate::error::Error;
use crate::trace::Trace;

/// Reads the credential fields of a JSON document (container endpoint,
/// instance metadata, credential_process), naming `source` on failure.
pub(super) fn credentials_from_json(
    v: &Value,
    token_key: &str,
    source: &str,
) -> Result<Credentials, Error> {
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

/// Hosts a full container-credentials URI may name (botocore's list).
fn container_host_allowed(host: &str) -> bool {
    http::is_loopback(host)
        || ["169.254.170.2", "169.254.170.23", "[fd00:ec2::23]"]
            .iter()
            .any(|h| host == *h || host.starts_with(&format!("{h}:")))
}

pub(super) fn container(world: &World<'_>, trace: &mut Trace) -> Result<Credentials, Error> {
    let env = world.env;
    let key = format!(
        "{}|{}|{}",
        env.var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
            .unwrap_or_default(),
        env.var("AWS_CONTAINER_CREDENTIALS_FULL_URI")
            .unwrap_or_default(),
        env.var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
            .or_else(|| env.var("AWS_CONTAINER_AUTHORIZATION_TOKEN"))
            .map(|t| keyed_hash(&t, "check_cloudtrail container cache"))
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
            let ep = Endpoint::parse(&full).map_err(|e| {
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
            env.read_file(std::path::Path::new(&f), crate::env::MAX_TOKEN_FILE)
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
            String::from_utf8_lossy(&resp.body)
        )));
    }
    let v: Value = crate::json::parse(&resp.body)
        .map_err(|e| Error::Credentials(format!("{SOURCE}: answer is not JSON ({e})")))?;
    credentials_from_json(&v, "Token", SOURCE)
}

pub(super) fn instance_metadata(
    world: &World<'_>,
    trace: &mut Trace,
) -> Result<Credentials, Error> {
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
    // Never longer than a run may last (--global-timeout's 86400 s).
    let limit = crate::env::number(
        env,
        "AWS_METADATA_SERVICE_TIMEOUT",
        "a positive number of seconds, at most 86400",
        |t| {
            crate::env::decimal(t)
                .filter(|s| *s > 0.0 && *s <= 86_400.0)
                .map(Duration::from_secs_f64)
        },
    )?
    .unwrap_or(Duration::from_secs(1));
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
    let v: Value = crate::json::parse(doc.as_bytes())
        .map_err(|e| fail(format!("answer is not JSON ({e})")))?;
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
