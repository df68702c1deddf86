//! `--custommode=awscli`: the same calls through the `aws` CLI, as
//! upstream's `cloud::aws::custom::awscli` does, without its bugs: the
//! `cloudtrail` word is always there, nothing goes through a shell, the
//! pager is off, the child is killed at the timeout, and paging is ours
//! (one page per run of the CLI, so `--max-pages` and pacing hold).
//!
//! Credentials go to the child through its environment, never its
//! arguments (which `ps` shows to every user).

use std::time::Instant;

use serde_json::Value;

use super::cloudtrail::{
    Lookup, MAX_RESULTS, Paged, Query, StopAfter, Trail, TrailStatus, collect_events,
    trail_status_from, trails_from,
};
use super::connection::{AwsCli, Connection};
use super::credentials::value::Credentials;
use super::pager::Pager;
use super::selectors::{EventSelectors, insights_on};
use super::sts::Role;
use super::xml::xml_text;
use crate::clock::Clock;
use crate::error::Error;
use crate::json::Answer;
use crate::process::{self, RunError};
use crate::trace::Trace;

/// What a run of the CLI needs: how AWS is reached (`--fips` is told
/// with `AWS_USE_FIPS_ENDPOINT`, the proxy with `HTTPS_PROXY`), where,
/// and until when.
pub struct Cli<'a> {
    pub conn: &'a Connection,
    pub region: &'a str,
    pub deadline: Instant,
    pub limit: crate::error::Limit,
    pub clock: &'a dyn Clock,
    /// Paces the CLI's LookupEvents runs like the native client's.
    pub throttle: &'a dyn super::quota::Throttle,
}

/// The program and the arguments before the generated ones.
fn program(opts: &AwsCli) -> Vec<String> {
    let cmd = match &opts.command_path {
        Some(dir) => std::path::Path::new(dir)
            .join(&opts.command)
            .to_string_lossy()
            .into_owned(),
        None => opts.command.clone(),
    };
    if opts.sudo {
        vec!["sudo".to_owned(), cmd]
    } else {
        vec![cmd]
    }
}

/// The child's environment: credentials, profile, proxy and no pager.
fn child_env(cli: &Cli<'_>, assumed: Option<&Credentials>) -> Vec<(String, Option<String>)> {
    let mut env: Vec<(String, Option<String>)> = vec![("AWS_PAGER".into(), Some(String::new()))];
    let set = |env: &mut Vec<(String, Option<String>)>, k: &str, v: Option<&str>| {
        env.push((k.to_owned(), v.map(str::to_owned)));
    };
    match assumed {
        Some(c) => {
            set(&mut env, "AWS_ACCESS_KEY_ID", Some(c.access_key()));
            set(&mut env, "AWS_SECRET_ACCESS_KEY", Some(c.secret_key()));
            set(&mut env, "AWS_SESSION_TOKEN", c.session_token());
            // The role's keys must win over any profile.
            set(&mut env, "AWS_PROFILE", None);
        }
        None => {
            let f = &cli.conn.credentials;
            if let (Some(ak), Some(sk)) = (&f.access_key, &f.secret_key) {
                set(&mut env, "AWS_ACCESS_KEY_ID", Some(ak));
                set(&mut env, "AWS_SECRET_ACCESS_KEY", Some(sk));
                set(&mut env, "AWS_SESSION_TOKEN", f.session_token.as_deref());
            }
            if let Some(p) = &f.profile {
                set(&mut env, "AWS_PROFILE", Some(p));
            }
        }
    }
    if cli.conn.fips {
        set(&mut env, "AWS_USE_FIPS_ENDPOINT", Some("true"));
    }
    if let Some(p) = cli.conn.proxy.as_ref().map(|p| p.0.as_str()) {
        for k in ["HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"] {
            set(&mut env, k, Some(p));
        }
    }
    env
}

/// Arguments every generated command ends with.
fn common_args(cli: &Cli<'_>, endpoint: Option<&str>) -> Vec<String> {
    let mut a = vec![
        "--region".to_owned(),
        cli.region.to_owned(),
        "--output".to_owned(),
        "json".to_owned(),
    ];
    if let Some(e) = endpoint {
        a.extend(["--endpoint-url".to_owned(), e.to_owned()]);
    }
    if let Some(c) = &cli.conn.ca_bundle {
        a.extend(["--ca-bundle".to_owned(), c.to_owned()]);
    }
    if cli.conn.skip_ssl_check {
        a.push("--no-verify-ssl".to_owned());
    }
    a
}

/// One CLI run prints one answer: at most a page of 50 events, the same
/// bound as the built-in client's HTTP body (16 MiB, `http::MAX_BODY`),
/// which holds 50 events of the largest size CloudTrail records even as
/// the CLI's indented JSON. Stderr is only quoted: 64 KiB is plenty.
const AWS_CLI_CAPS: process::Caps = process::Caps {
    stdout: super::http::MAX_BODY,
    stderr: 64 << 10,
};

/// Runs one CLI command for `op`; its parsed JSON output or the error line.
fn run(
    cli: &Cli<'_>,
    op: &'static str,
    args: Vec<String>,
    env: &[(String, Option<String>)],
    trace: &mut Trace,
) -> Result<Value, Error> {
    run_raw(cli, op, args, env, trace)?
        .value()
        .map_err(|detail| Error::BadResponse { op, detail })
}

/// Runs one CLI command for `op`; its output, read by the caller.
fn run_raw(
    cli: &Cli<'_>,
    op: &'static str,
    args: Vec<String>,
    env: &[(String, Option<String>)],
    trace: &mut Trace,
) -> Result<Answer, Error> {
    let mut argv = program(&cli.conn.awscli);
    argv.extend(args);
    trace.log(|| format!("{op}: command line: {}", argv.join(" ")));
    let left = cli.deadline.saturating_duration_since(cli.clock.now());
    if left.is_zero() {
        return Err(Error::Timeout {
            op,
            limit: cli.limit,
        });
    }
    let out = process::run(&argv, env, left, AWS_CLI_CAPS).map_err(|e| match e {
        RunError::TimedOut => Error::Timeout {
            op,
            limit: cli.limit,
        },
        RunError::Spawn(m) => Error::Transport { op, detail: m },
        other @ RunError::TooMuchOutput { .. } => Error::Transport {
            op,
            detail: format!("the aws CLI {other}"),
        },
    })?;
    let stderr = crate::trace::redact_secret_like(&String::from_utf8_lossy(&out.stderr));
    trace.log(|| {
        format!(
            "  < exit {:?}, {} bytes of output",
            out.code,
            out.stdout.len()
        )
    });
    if !stderr.trim().is_empty() {
        trace.log_quoted("  < stderr: ", || stderr.clone());
    }
    if out.code != Some(0) {
        return Err(cli_error(op, out.code, &stderr));
    }
    Ok(Answer {
        bytes: out.stdout,
        not_json: "the aws CLI printed no JSON".into(),
    })
}

/// The CLI says `An error occurred (Code) when calling the Op operation:
/// message` on stderr, with exit code 254 (252: bad parameters, 253: bad
/// configuration such as no credentials, 255: anything else).
pub fn cli_error(op: &'static str, code: Option<i32>, stderr: &str) -> Error {
    // An XML error body (query-protocol services, moto) comes on the
    // following lines: its <Code> and <Message> are the real error.
    if stderr.contains("An error occurred (")
        && let Some(code) = xml_text(stderr, "Code")
    {
        return Error::Api {
            op,
            code,
            message: xml_text(stderr, "Message").unwrap_or_default(),
            hint: None,
        };
    }
    if let Some(line) = stderr.lines().find(|l| l.contains("An error occurred (")) {
        let after = line
            .split_once("An error occurred (")
            .map_or("", |(_, r)| r);
        if let Some((error_code, rest)) = after.split_once(')') {
            let message = rest.split_once(": ").map_or("", |(_, m)| m).trim();
            return Error::Api {
                op,
                code: error_code.to_owned(),
                message: message.to_owned(),
                hint: None,
            };
        }
    }
    let meaning = match code {
        Some(252) => "bad command syntax or parameter",
        Some(253) => "bad environment or configuration (credentials?)",
        Some(254) => "the service returned an error",
        Some(255) => "command failed",
        Some(130) => "interrupted",
        None => "killed by a signal",
        Some(_) => "command failed",
    };
    let last = stderr
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or("");
    Error::Transport {
        op,
        detail: format!(
            "the aws CLI exited with {} ({meaning}){}",
            code.map_or("a signal".to_owned(), |c| format!("code {c}")),
            if last.is_empty() {
                String::new()
            } else {
                format!(": {last}")
            }
        ),
    }
}

/// `aws sts assume-role` for `--aws-role-arn`; the JSON answer's
/// credentials.
fn assume(cli: &Cli<'_>, role: &Role, trace: &mut Trace) -> Result<Credentials, Error> {
    const OP: &str = "AssumeRole";
    let mut args = vec![
        "sts".to_owned(),
        "assume-role".to_owned(),
        "--role-arn".to_owned(),
        role.arn.clone(),
        "--role-session-name".to_owned(),
        role.session_name.clone(),
    ];
    if let Some(x) = &role.external_id {
        args.extend(["--external-id".to_owned(), x.clone()]);
    }
    if let Some(d) = role.duration {
        args.extend(["--duration-seconds".to_owned(), d.to_string()]);
    }
    args.extend(common_args(cli, cli.conn.sts_endpoint.as_deref()));
    let v = run(cli, OP, args, &child_env(cli, None), trace)?;
    let c = v.get("Credentials").ok_or_else(|| Error::BadResponse {
        op: OP,
        detail: "no Credentials in the answer".into(),
    })?;
    let get = |k: &str| c.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    match (
        get("AccessKeyId"),
        get("SecretAccessKey"),
        get("SessionToken"),
    ) {
        (Some(ak), Some(sk), Some(t)) => {
            Ok(Credentials::new(ak, sk, Some(t)).with_source(format!("role {}", role.arn)))
        }
        _ => Err(Error::BadResponse {
            op: OP,
            detail: "incomplete Credentials in the answer".into(),
        }),
    }
}

/// The child's environment for the CloudTrail commands: prepared once
/// per check (after assuming the role, if any) and passed to each run.
pub type ChildEnv = Vec<(String, Option<String>)>;

/// The environment for the CloudTrail commands, after the role if any.
pub fn prepare(cli: &Cli<'_>, trace: &mut Trace) -> Result<ChildEnv, Error> {
    let assumed = match &cli.conn.role {
        Some(role) => {
            let c = assume(cli, role, trace)?;
            trace.secrets(c.secrets());
            Some(c)
        }
        None => None,
    };
    Ok(child_env(cli, assumed.as_ref()))
}

/// `--command-options` replaces the generated arguments.
fn custom_args(cli: &Cli<'_>) -> Result<Option<Vec<String>>, Error> {
    match &cli.conn.awscli.command_options {
        None => Ok(None),
        Some(o) => process::split(o)
            .map(Some)
            .ok_or_else(|| Error::Option(format!("--command-options '{o}': unbalanced quotes"))),
    }
}

/// `aws cloudtrail get-trail-status` (or `--command-options`).
pub fn trail_status(
    cli: &Cli<'_>,
    env: &ChildEnv,
    trail_name: &str,
    trace: &mut Trace,
) -> Result<TrailStatus, Error> {
    const OP: &str = "GetTrailStatus";
    let args = match custom_args(cli)? {
        Some(a) => a,
        None => {
            let mut a = vec![
                "cloudtrail".to_owned(),
                "get-trail-status".to_owned(),
                "--name".to_owned(),
                trail_name.to_owned(),
            ];
            a.extend(common_args(cli, cli.conn.endpoint.as_deref()));
            a
        }
    };
    let v = run(cli, OP, args, env, trace)?;
    trail_status_from(&v).map_err(|detail| Error::BadResponse { op: OP, detail })
}

/// `aws cloudtrail describe-trails` for one trail (name or ARN), shadow
/// trails included so an ARN from another region is found.
pub fn describe_trail(
    cli: &Cli<'_>,
    env: &ChildEnv,
    trail_name: &str,
    trace: &mut Trace,
) -> Result<Trail, Error> {
    const OP: &str = "DescribeTrails";
    let mut args = vec![
        "cloudtrail".to_owned(),
        "describe-trails".to_owned(),
        "--trail-name-list".to_owned(),
        trail_name.to_owned(),
        "--include-shadow-trails".to_owned(),
    ];
    args.extend(common_args(cli, cli.conn.endpoint.as_deref()));
    let v = run(cli, OP, args, env, trace)?;
    let trails = trails_from(&v).map_err(|detail| Error::BadResponse { op: OP, detail })?;
    super::cloudtrail::pick_trail(trails, trail_name)
}

/// `aws cloudtrail list-trails` (the CLI follows the pages itself).
pub fn list_trails(cli: &Cli<'_>, env: &ChildEnv, trace: &mut Trace) -> Result<Vec<Trail>, Error> {
    const OP: &str = "ListTrails";
    let mut args = vec!["cloudtrail".to_owned(), "list-trails".to_owned()];
    args.extend(common_args(cli, cli.conn.endpoint.as_deref()));
    let v = run(cli, OP, args, env, trace)?;
    super::cloudtrail::list_trails_page(&v)
        .map(|(t, _)| t)
        .map_err(|detail| Error::BadResponse { op: OP, detail })
}

/// `aws cloudtrail get-event-selectors`: what the trail records.
pub fn event_selectors(
    cli: &Cli<'_>,
    env: &ChildEnv,
    trail: &str,
    trace: &mut Trace,
) -> Result<EventSelectors, Error> {
    const OP: &str = "GetEventSelectors";
    let v = run(
        cli,
        OP,
        trail_args("get-event-selectors", cli, trail),
        env,
        trace,
    )?;
    EventSelectors::from_answer(&v).map_err(|detail| Error::BadResponse { op: OP, detail })
}

/// `aws cloudtrail get-insight-selectors`: whether Insights watches both
/// API call and error rates. Without Insights the CLI exits with
/// `An error occurred (InsightNotEnabledException)`, read as the built-in
/// client's error.
pub fn insights(
    cli: &Cli<'_>,
    env: &ChildEnv,
    trail: &str,
    trace: &mut Trace,
) -> Result<bool, Error> {
    const OP: &str = "GetInsightSelectors";
    let v = run(
        cli,
        OP,
        trail_args("get-insight-selectors", cli, trail),
        env,
        trace,
    )?;
    insights_on(&v).map_err(|detail| Error::BadResponse { op: OP, detail })
}

/// `aws cloudtrail <command> --trail-name <trail>` and the common arguments.
fn trail_args(command: &str, cli: &Cli<'_>, trail: &str) -> Vec<String> {
    let mut args = vec![
        "cloudtrail".to_owned(),
        command.to_owned(),
        "--trail-name".to_owned(),
        trail.to_owned(),
    ];
    args.extend(common_args(cli, cli.conn.endpoint.as_deref()));
    args
}

/// `--lookup-attributes` and `--event-category` for a query. The
/// attribute is written in the CLI's shorthand
/// (`AttributeKey=K,AttributeValue=V`) when its value is plain, else as
/// JSON, which the CLI takes for any value.
fn query_args(q: &Query) -> Vec<String> {
    let mut a = Vec::new();
    if let Some(attr) = &q.attribute {
        let plain = !attr.value.is_empty()
            && attr
                .value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.:/@+*".contains(c));
        let value = if plain {
            format!(
                "AttributeKey={},AttributeValue={}",
                attr.key.api_name(),
                attr.value
            )
        } else {
            serde_json::json!([{"AttributeKey": attr.key.api_name(), "AttributeValue": attr.value}])
                .to_string()
        };
        a.extend(["--lookup-attributes".to_owned(), value]);
    }
    if q.insight {
        a.extend(["--event-category".to_owned(), "insight".to_owned()]);
    }
    a
}

/// Every event of the window, one CLI run per page of 50 (`--max-items`
/// makes the CLI print its own `NextToken`, fed back with
/// `--starting-token`), paced and capped like the built-in client, and
/// stopped like it when `stop` says so.
pub fn lookup_events(
    cli: &Cli<'_>,
    env: &ChildEnv,
    q: &Lookup,
    stop: &mut StopAfter<'_>,
    trace: &mut Trace,
) -> Result<Paged, Error> {
    const OP: &str = "LookupEvents";
    let custom = custom_args(cli)?;
    // `--command-options` may leave out `--max-items`, and then the CLI
    // prints the whole window in one output: the most a paged read could
    // have gathered is still the bound.
    let per_page = match custom {
        None => MAX_RESULTS,
        Some(_) => MAX_RESULTS.saturating_mul(q.max_pages as usize),
    };
    let pager = Pager {
        clock: cli.clock,
        remaining: &|| cli.deadline.saturating_duration_since(cli.clock.now()),
        limit: cli.limit,
        max_pages: q.max_pages,
        throttle: Some(cli.throttle),
    };
    collect_events(
        &pager,
        &mut |token, trace| {
            let mut args = match &custom {
                Some(a) => a.clone(),
                None => {
                    let mut a = vec![
                        "cloudtrail".to_owned(),
                        "lookup-events".to_owned(),
                        "--start-time".to_owned(),
                        q.start.to_string(),
                        "--end-time".to_owned(),
                        q.end.to_string(),
                    ];
                    a.extend(query_args(&q.query));
                    a.extend([
                        "--max-items".to_owned(),
                        MAX_RESULTS.to_string(),
                        "--page-size".to_owned(),
                        MAX_RESULTS.to_string(),
                    ]);
                    a.extend(common_args(cli, cli.conn.endpoint.as_deref()));
                    a
                }
            };
            if let Some(t) = token {
                args.extend(["--starting-token".to_owned(), t.to_owned()]);
            }
            run_raw(cli, OP, args, env, trace)
        },
        per_page,
        stop,
        trace,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_errors() {
        let e = cli_error(
            "GetTrailStatus",
            Some(254),
            "\nAn error occurred (TrailNotFoundException) when calling the GetTrailStatus operation: Unknown trail: x for the user: 123456789012\n",
        );
        assert_eq!(
            e.to_string(),
            "GetTrailStatus failed: TrailNotFoundException: Unknown trail: x for the user: 123456789012"
        );
        let e = cli_error(
            "LookupEvents",
            Some(253),
            "Unable to locate credentials. You can configure credentials by running \"aws configure\".\n",
        );
        assert_eq!(
            e.to_string(),
            "LookupEvents failed: the aws CLI exited with code 253 (bad environment or configuration (credentials?)): Unable to locate credentials. You can configure credentials by running \"aws configure\"."
        );
        let e = cli_error("LookupEvents", None, "");
        assert_eq!(
            e.to_string(),
            "LookupEvents failed: the aws CLI exited with a signal (killed by a signal)"
        );
    }

    #[test]
    fn xml_error_bodies_on_stderr() {
        let e = cli_error(
            "GetTrailStatus",
            Some(255),
            "\nAn error occurred (403) when calling the GetTrailStatus operation: <?xml version=\"1.0\"?>\n<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>User: x is not authorized</Message></Error></Errors></ErrorResponse>\n",
        );
        assert_eq!(
            e.to_string(),
            "GetTrailStatus failed: AccessDenied: User: x is not authorized"
        );
    }

    #[test]
    fn lookup_attributes_and_category() {
        use crate::aws::cloudtrail::{Attribute, AttributeKey};
        assert!(query_args(&Query::default()).is_empty());
        let q = |key, value: &str, insight| Query {
            attribute: Some(Attribute {
                key,
                value: value.to_owned(),
            }),
            insight,
        };
        assert_eq!(
            query_args(&q(AttributeKey::EventName, "ConsoleLogin", false)),
            vec![
                "--lookup-attributes",
                "AttributeKey=EventName,AttributeValue=ConsoleLogin"
            ]
        );
        assert_eq!(
            query_args(&q(
                AttributeKey::ResourceName,
                "arn:aws:s3:::my-bucket/a+b@c",
                true
            )),
            vec![
                "--lookup-attributes",
                "AttributeKey=ResourceName,AttributeValue=arn:aws:s3:::my-bucket/a+b@c",
                "--event-category",
                "insight"
            ]
        );
        // Commas, quotes, spaces, brackets: the JSON form, which the CLI
        // reads whatever the value.
        assert_eq!(
            query_args(&q(AttributeKey::Username, "a,b \"c\" [d]", false)),
            vec![
                "--lookup-attributes",
                r#"[{"AttributeKey":"Username","AttributeValue":"a,b \"c\" [d]"}]"#
            ]
        );
        assert_eq!(
            query_args(&Query {
                attribute: None,
                insight: true
            }),
            vec!["--event-category", "insight"]
        );
    }

    #[test]
    fn command_and_environment() {
        let conn = Connection {
            awscli: AwsCli {
                command: "aws".into(),
                command_path: Some("/opt/aws/bin".into()),
                command_options: None,
                sudo: true,
            },
            credentials: crate::aws::credentials::CredentialFlags {
                access_key: Some("AK".into()),
                secret_key: Some("SK".into()),
                session_token: None,
                profile: Some("mon".into()),
            },
            endpoint: Some("http://127.0.0.1:1/".into()),
            proxy: Some(crate::aws::http::ProxyUrl("http://proxy:3128".into())),
            skip_ssl_check: true,
            ..Connection::default()
        };
        assert_eq!(program(&conn.awscli), vec!["sudo", "/opt/aws/bin/aws"]);
        let cli = Cli {
            conn: &conn,
            region: "eu-west-1",
            deadline: Instant::now(),
            limit: crate::error::Limit {
                secs: 1,
                option: "--timeout",
            },
            clock: &crate::clock::SystemClock,
            throttle: &crate::aws::quota::LocalPacer::new(crate::aws::quota::Rates::default()),
        };
        let env = child_env(&cli, None);
        let has = |k: &str, v: Option<&str>| env.iter().any(|(a, b)| a == k && b.as_deref() == v);
        assert!(has("AWS_PAGER", Some("")));
        assert!(has("AWS_ACCESS_KEY_ID", Some("AK")) && has("AWS_SECRET_ACCESS_KEY", Some("SK")));
        assert!(has("AWS_SESSION_TOKEN", None));
        assert!(has("AWS_PROFILE", Some("mon")));
        assert!(has("HTTPS_PROXY", Some("http://proxy:3128")));
        let args = common_args(&cli, conn.endpoint.as_deref());
        assert_eq!(
            args,
            vec![
                "--region",
                "eu-west-1",
                "--output",
                "json",
                "--endpoint-url",
                "http://127.0.0.1:1/",
                "--no-verify-ssl"
            ]
        );
        // Secrets never on the command line.
        assert!(!args.iter().any(|a| a.contains("SK")));
    }
}
