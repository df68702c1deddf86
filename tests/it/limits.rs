//! Every input bounded in depth and range: a condition or `math()` nested
//! past 64 levels, and a number outside its option's real range, end as
//! one UNKNOWN line quoting the option, the value and the allowed range,
//! never as a crash or an "internal error".

use crate::util::{Reply, Server, run_against, run_env};
use serde_json::json;

fn trail_server() -> Server {
    Server::start(|_| Reply::json(200, json!({"IsLogging": true, "LatestDeliveryTime": 1.0e9})))
}

/// A condition nested 3 000 levels deep overflowed the 8 MiB main stack
/// (exit 134, no output at all): now it is refused while parsed.
#[test]
fn deep_conditions_and_math_are_refused() {
    let server = trail_server();
    let deep = |n: usize, inner: &str| format!("{}{inner}{}", "(".repeat(n), ")".repeat(n));
    let cases = [
        format!("--filter-perfdata-adv={}", deep(3_000, "%(value) > 0")),
        format!(
            "--change-output-adv={},x",
            deep(3_000, "%{short_output} ne ''")
        ),
        format!(
            "--change-perfdata=trail_is_logging,,math({})",
            deep(3_000, "current")
        ),
        format!(
            "--extend-perfdata=trail_is_logging,x,math({}current)",
            "-".repeat(100_000)
        ),
        format!("--change-output-adv={}1,x", "!".repeat(100_000)),
    ];
    for arg in &cases {
        let r = run_against(
            &server,
            &["--mode=checktrailstatus", "--trail-name=t", arg.as_str()],
        );
        assert_eq!(r.code, 3, "{arg:.60}: {}", r.stdout);
        let option = arg.split('=').next().unwrap();
        assert!(
            r.line().starts_with(&format!("UNKNOWN: {option} '"))
                && r.line().contains("nested deeper than 64 levels"),
            "{}",
            r.stdout
        );
    }
    // 64 levels are fine.
    let r = run_against(
        &server,
        &[
            "--mode=checktrailstatus",
            "--trail-name=t",
            &format!(
                "--change-perfdata=trail_is_logging,,math({})",
                deep(63, "current")
            ),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
}

/// A `source_profile` chain is a recursion too: bounded at 64 profiles.
#[test]
fn long_source_profile_chains_are_refused() {
    let server = trail_server();
    let dir = crate::util::TempDir::new("chain");
    let mut config = String::new();
    for i in 0..5_000 {
        config.push_str(&format!(
            "[profile p{i}]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = p{}\n",
            i + 1
        ));
    }
    config
        .push_str("[profile p5000]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = x\n");
    let path = dir.write("config", &config, false);
    let r = run_env(
        &[
            crate::util::PLUGIN,
            "--mode=checktrailstatus",
            "--region=eu-west-1",
            "--trail-name=t",
            "--aws-profile=p0",
            &format!("--endpoint-url={}", server.url("/")),
        ],
        &[("AWS_CONFIG_FILE", path.as_str())],
    );
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(
        r.line()
            .contains("source_profile chain longer than 64 profiles, from p0"),
        "{}",
        r.stdout
    );
    assert!(server.requests().is_empty());
}

/// Every numeric option and variable outside its real range: one UNKNOWN
/// line naming it, quoting the value and saying the range, and nothing
/// sent. Before, huge values ended as "internal error" (a Duration
/// overflow), `--delta=99999999999` sent a StartTime before 1970, and a
/// proxy port that is not a number silently became port 80.
/// Arguments, variables, and what the line must say.
type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

#[test]
fn numbers_out_of_range_are_refused_with_the_range() {
    let server = trail_server();
    let url = format!("--endpoint-url={}", server.url("/"));
    let secret = format!("--aws-secret-key={}", crate::util::SECRET);
    let base = [
        crate::util::PLUGIN,
        "--region=eu-west-1",
        "--aws-access-key=AKIDEXAMPLE",
        secret.as_str(),
        url.as_str(),
    ];
    let cases: [Case; 14] = [
        (
            &["--mode=countevents", "--delta=99999999999999999999999"],
            &[],
            "--delta must be a positive number of minutes, at most 129600 (the 90 days of CloudTrail's event history), got '99999999999999999999999'.",
        ),
        (
            &["--mode=countevents", "--delta=99999999999"],
            &[],
            "--delta must be",
        ),
        (
            &["--mode=countevents", "--delta=129601"],
            &[],
            "at most 129600",
        ),
        (
            &["--mode=securityevents", "--delta=99999999999"],
            &[],
            "--delta must be",
        ),
        (
            &["--mode=countevents", "--api-rate=1e-300"],
            &[],
            "--api-rate must be 0 (no pacing) or from 0.001 to 1000 requests per second, got '1e-300'.",
        ),
        (
            &["--mode=countevents", "--api-rate=inf"],
            &[],
            "--api-rate must be",
        ),
        (
            &["--mode=countevents", "--max-pages=10001"],
            &[],
            "--max-pages must be a whole number of pages from 1 to 10000, got '10001'.",
        ),
        (
            &["--mode=countevents", "--timeout=86401"],
            &[],
            "--timeout must be",
        ),
        (
            &[
                "--mode=countevents",
                "--global-timeout=99999999999999999999",
            ],
            &[],
            "--global-timeout must be",
        ),
        (
            &["--mode=countevents", "--proxyurl=http://proxy:80x"],
            &[],
            "--proxyurl must be a proxy URL whose port is a number from 1 to 65535, got 'http://proxy:80x'.",
        ),
        (
            &["--mode=countevents"],
            &[("HTTPS_PROXY", "http://proxy:3128x")],
            "HTTPS_PROXY must be a proxy URL whose port is a number from 1 to 65535, got 'http://proxy:3128x'.",
        ),
        (
            &["--mode=countevents"],
            &[("AWS_MAX_ATTEMPTS", "99999999999")],
            "AWS_MAX_ATTEMPTS must be a whole number of attempts from 1 to 10, got '99999999999'.",
        ),
        (
            &["--mode=countevents", "--endpoint-url=http://127.0.0.1:0/"],
            &[],
            "bad port '0' (a number from 1 to 65535)",
        ),
        (
            &[
                "--mode=countevents",
                "--endpoint-url=http://127.0.0.1:99999/",
            ],
            &[],
            "bad port '99999'",
        ),
    ];
    for (args, env, says) in cases {
        let mut all = base.to_vec();
        all.extend_from_slice(args);
        let r = run_env(&all, env);
        assert_eq!(r.code, 3, "{args:?}: {}", r.stdout);
        assert!(
            r.line().starts_with("UNKNOWN: ") && r.line().contains(says),
            "{args:?} {env:?}: {}",
            r.stdout
        );
        assert!(!r.stdout.contains("internal error"), "{}", r.stdout);
    }
    assert!(server.requests().is_empty(), "nothing may be sent");
}

/// The metadata service's timeout is read only when the chain gets
/// there: a huge one overflowed the Duration ("internal error").
#[test]
fn metadata_timeout_out_of_range() {
    let r = run_env(
        &[
            crate::util::PLUGIN,
            "--mode=checktrailstatus",
            "--region=eu-west-1",
            "--trail-name=t",
        ],
        &[
            ("AWS_EC2_METADATA_DISABLED", "false"),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9"),
            ("AWS_METADATA_SERVICE_TIMEOUT", "1e300"),
        ],
    );
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(
        r.line().contains(
            "AWS_METADATA_SERVICE_TIMEOUT must be a positive number of seconds, at most 86400, got '1e300'."
        ),
        "{}",
        r.stdout
    );
}
