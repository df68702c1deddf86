//! The parts of a [`Config`](crate::config::Config) every mode shares:
//! how AWS is reached (the connector), how long and how fast (limits),
//! how the result is shown (presentation) and where state is kept.

use std::time::Duration;

use super::options::Raw;
use super::values::{number, parsed, positive_number};
use crate::aws::connection::{AwsCli, Connection};
use crate::aws::credentials::{CredentialFlags, SharedFiles};
use crate::aws::http::ProxyUrl;
use crate::aws::quota::Rates;
use crate::aws::sts::Role;
use crate::env::Env;
use crate::error::{Error, Limit};
use crate::output::generic::{Generic, GenericArgs};
use crate::output::{Format, Presentation};

/// Lower-case letters, digits and `-`, at most 64.
fn is_region_name(r: &str) -> bool {
    r.len() <= 64
        && r.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `--regions`: the same check in each region, through the regional
/// endpoints only.
pub fn regions(raw: &Raw) -> Result<Vec<String>, Error> {
    let Some(list) = raw.get("regions") else {
        return Ok(Vec::new());
    };
    let rs: Vec<String> = list
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(bad) = rs.iter().find(|r| !is_region_name(r)) {
        return Err(Error::Option(format!(
            "--regions: '{bad}' is not a region name (lower-case letters, digits and '-')."
        )));
    }
    if raw.get("endpoint-url").is_some() || raw.get("endpoint").is_some() {
        return Err(Error::Option(
            "--regions cannot be combined with --endpoint-url: one endpoint is one region.".into(),
        ));
    }
    Ok(rs)
}

/// The region of the first run: `--region`, else the first of
/// `--regions`, else [`region_of`].
pub fn region(
    raw: &Raw,
    regions: &[String],
    env: &dyn Env,
    files: Option<&SharedFiles>,
) -> Result<String, Error> {
    match regions.first() {
        Some(first) if raw.get("region").is_none() => Ok(first.clone()),
        _ => region_of(raw, raw.get("trail-name"), env, files),
    }
}

/// `arn:aws:cloudtrail:eu-west-1:123456789012:trail/x` → `eu-west-1`.
pub fn arn_region(name: &str) -> Option<&str> {
    crate::aws::arn::Arn::parse(name)
        .filter(|a| a.service == "cloudtrail")
        .and_then(|a| a.region)
}

/// `--region`, else a trail ARN's region, else `AWS_REGION` /
/// `AWS_DEFAULT_REGION`, else the `region` of the profile in use (from
/// the profile files `main` loaded, once for the whole run: none when
/// they could not be read, which the credential step reports). Checked
/// before anything is built from it.
fn region_of(
    raw: &Raw,
    trail_name: Option<&str>,
    env: &dyn Env,
    files: Option<&SharedFiles>,
) -> Result<String, Error> {
    let from_profile = || {
        let name = raw
            .get("aws-profile")
            .map_or_else(|| SharedFiles::default_profile_name(env), str::to_owned);
        files.and_then(|f| f.region(&name))
    };
    let region = raw
        .get("region")
        .map(str::to_owned)
        .or_else(|| trail_name.and_then(arn_region).map(str::to_owned))
        .or_else(|| env.var("AWS_REGION"))
        .or_else(|| env.var("AWS_DEFAULT_REGION"))
        .or_else(from_profile)
        .ok_or_else(|| Error::Option("Need to specify --region option.".into()))?;
    let valid = region.len() <= 64
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !valid {
        return Err(Error::Option(format!(
            "--region '{region}' is not a region name (lower-case letters, digits and '-')."
        )));
    }
    Ok(region)
}

/// Time and pace.
pub struct Limits {
    pub float_precision: Option<usize>,
    pub rates: Rates,
    pub timeout: Duration,
    pub limit: Limit,
}

/// `--float-precision`, `--api-rate`, `--global-timeout` and `--timeout`.
pub fn limits(raw: &Raw) -> Result<Limits, Error> {
    let float_precision = number(
        raw,
        "float-precision",
        "a number of decimals from 0 to 20",
        |p| parsed(p, |n: &usize| *n <= 20),
    )?;
    // Below 0.001 (one request every 16 minutes) the interval between two
    // requests outgrows any run and, near 0, any Duration.
    let rates = number(
        raw,
        "api-rate",
        "0 (no pacing) or from 0.001 to 1000 requests per second",
        |r| parsed(r, |v: &f64| *v == 0.0 || (0.001..=1000.0).contains(v)),
    )?
    .map_or_else(Rates::default, Rates::all);
    let global_timeout = number(
        raw,
        "global-timeout",
        "a number of seconds from 1 to 86400",
        |g| {
            // Upstream takes the first run of digits.
            let digits: String = g
                .chars()
                .skip_while(|c| !c.is_ascii_digit())
                .take_while(char::is_ascii_digit)
                .collect();
            parsed(&digits, |n: &u64| *n > 0 && *n <= 86_400)
        },
    )?;
    let timeout = number(
        raw,
        "timeout",
        "a positive number of seconds (at most 86400)",
        |t| {
            positive_number(t)
                .filter(|s| *s <= 86_400.0)
                .map(Duration::from_secs_f64)
        },
    )?
    .unwrap_or(Duration::from_secs(50));
    let limit = match global_timeout {
        Some(g) if Duration::from_secs(g) < timeout => Limit {
            secs: g,
            option: "--global-timeout",
        },
        _ => Limit {
            secs: timeout.as_secs().max(1),
            option: "--timeout",
        },
    };
    Ok(Limits {
        float_precision,
        rates,
        timeout: timeout.min(Duration::from_secs(limit.secs)),
        limit,
    })
}

/// Credentials, role, endpoints, proxy, TLS and the aws CLI's options.
pub fn connection(raw: &Raw, env: &dyn Env) -> Result<Connection, Error> {
    let credentials = CredentialFlags {
        access_key: raw.get("aws-access-key").map(str::to_owned),
        secret_key: raw.get("aws-secret-key").map(str::to_owned),
        session_token: raw.get("aws-session-token").map(str::to_owned),
        profile: raw.get("aws-profile").map(str::to_owned),
    };
    let role = role_of(raw, "aws-role-arn", "aws-external-id")?;
    let endpoint = match endpoint_of(raw, "endpoint-url")? {
        Some(u) => Some(u),
        None => endpoint_of(raw, "endpoint")?,
    };
    let proxy = raw.get("proxyurl").map(|p| ProxyUrl(p.to_owned()));
    if let Some(p) = &proxy {
        p.check_port("--proxyurl")?;
    }
    Ok(Connection {
        credentials,
        role,
        endpoint,
        sts_endpoint: endpoint_of(raw, "sts-endpoint-url")?,
        s3: super::mode::s3::build(raw)?,
        fips: raw.flag("fips") || env.flag("AWS_USE_FIPS_ENDPOINT"),
        proxy,
        ca_bundle: raw
            .get("ca-bundle")
            .map(str::to_owned)
            .or_else(|| env.var("AWS_CA_BUNDLE")),
        skip_ssl_check: raw.flag("skip-ssl-check"),
        awscli: AwsCli {
            command: raw.get("command").unwrap_or("aws").to_owned(),
            command_path: raw.get("command-path").map(str::to_owned),
            command_options: raw.get("command-options").map(str::to_owned),
            sudo: raw.flag("sudo"),
        },
    })
}

/// The URL option `name`, checked.
pub(in crate::cli) fn endpoint_of(raw: &Raw, name: &str) -> Result<Option<String>, Error> {
    match raw.get(name) {
        None => Ok(None),
        Some(u) => crate::aws::endpoint::Endpoint::parse(u)
            .map(|_| Some(u.to_owned()))
            .map_err(|e| Error::Option(format!("--{name} {e}"))),
    }
}

/// The role option `arn_opt` (`--aws-role-arn`, `--s3-role-arn`) with
/// its external id option, and for both roles `--aws-role-session-name`
/// (default `centreon-plugins`, as upstream) and `--aws-role-duration`
/// (seconds, 900–43200): one session name says who monitors, whichever
/// role it takes.
pub(in crate::cli) fn role_of(
    raw: &Raw,
    arn_opt: &str,
    external_id_opt: &str,
) -> Result<Option<Role>, Error> {
    let Some(arn) = raw.get(arn_opt) else {
        return Ok(None);
    };
    if !arn.starts_with("arn:") || arn.len() < 20 || arn.len() > 2048 {
        return Err(Error::Option(format!(
            "--{arn_opt} '{arn}' is not a role ARN (arn:aws:iam::<account>:role/<name>)."
        )));
    }
    // The characters and lengths STS accepts, so a typo fails here and
    // not as an AssumeRole error.
    let fits = |v: &str, len: std::ops::RangeInclusive<usize>, extra: &[u8]| {
        len.contains(&v.len())
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
    };
    let session_name = raw
        .get("aws-role-session-name")
        .unwrap_or("centreon-plugins");
    if !fits(session_name, 2..=64, b"_+=,.@-") {
        return Err(Error::Option(format!(
            "--aws-role-session-name '{session_name}' must be 2 to 64 of [A-Za-z0-9_+=,.@-]."
        )));
    }
    let external_id = raw.get(external_id_opt).map(str::to_owned);
    if let Some(x) = &external_id
        && !fits(x, 2..=1224, b"_+=,.@:/-")
    {
        return Err(Error::Option(format!(
            "--{external_id_opt} '{x}' must be 2 to 1224 of [A-Za-z0-9_+=,.@:/-]."
        )));
    }
    let duration = number(raw, "aws-role-duration", "900 to 43200 seconds", |d| {
        parsed(d, |n: &u32| (900..=43_200).contains(n))
    })?;
    Ok(Some(Role {
        arn: arn.to_owned(),
        session_name: session_name.to_owned(),
        external_id,
        duration,
    }))
}

/// Whether long output is shown (`--verbose`, `--debug`): the log-file
/// source keeps the listed events' fields only then.
pub fn long(raw: &Raw) -> bool {
    raw.flag("verbose") || raw.flag("debug") || raw.flag("debug-stream")
}

/// The generic output options, validated.
pub fn presentation(raw: &Raw) -> Result<Presentation, Error> {
    let args = GenericArgs {
        filter_perfdata: raw.get("filter-perfdata"),
        filter_perfdata_adv: raw.get("filter-perfdata-adv"),
        filter_uom: raw.get("filter-uom"),
        change_perfdata: raw.list("change-perfdata"),
        extend_perfdata: raw.list("extend-perfdata"),
        extend_perfdata_group: raw.list("extend-perfdata-group"),
        // Given empty means "every metric with a maximum".
        explode_perfdata_max: raw.all("explode-perfdata-max"),
        change_short_output: raw.list("change-short-output"),
        change_long_output: raw.list("change-long-output"),
        change_output_adv: raw.list("change-output-adv"),
        change_exit: raw.list("change-exit"),
        range_perfdata: raw.last("range-perfdata"),
    };
    let generic = Generic::parse(&args).map_err(Error::Option)?;
    let format = Format::from_flags(|f| raw.flag(f));
    Ok(Presentation {
        generic,
        format,
        long: long(raw),
        ignore_label: raw.flag("output-ignore-label"),
        ignore_perfdata: raw.flag("output-ignore-perfdata"),
        plugin: raw
            .get("plugin")
            .unwrap_or("cloud::aws::cloudtrail::plugin")
            .to_owned(),
        mode: raw.get("mode").unwrap_or_default().to_owned(),
        epoch_ms: 0,
        status_metric: Format::status_metric_from_flags(|f| raw.flag(f)),
        // Where the text goes is execute's to say.
        budget: None,
    })
}

/// `--statefile-*` and `--disable-statefile`.
pub fn state(raw: &Raw) -> crate::statefile::Options {
    crate::statefile::Options {
        dir: raw.get("statefile-dir").map(str::to_owned),
        suffix: raw.get("statefile-suffix").unwrap_or_default().to_owned(),
        concat_cwd: raw.flag("statefile-concat-cwd"),
        disabled: raw.flag("disable-statefile"),
    }
}
