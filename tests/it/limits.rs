//! Every input bounded in depth and range: a condition or `math()` nested
//! past 64 levels, and a number outside its option's real range, end as
//! one UNKNOWN line quoting the option, the value and the allowed range,
//! never as a crash or an "internal error".

use crate::util::{Reply, Server, run_against, run_env};
use serde_json::json;

fn trail_server() -> Server {
    Server::start(|_| {
        Reply::json(
            200,
            json!({"IsLogging": true, "LatestDeliveryTime": 1.0e9}),
        )
    })
}

/// A condition nested 3 000 levels deep overflowed the 8 MiB main stack
/// (exit 134, no output at all): now it is refused while parsed.
#[test]
fn deep_conditions_and_math_are_refused() {
    let server = trail_server();
    let deep = |n: usize, inner: &str| format!("{}{inner}{}", "(".repeat(n), ")".repeat(n));
    let cases = [
        format!("--filter-perfdata-adv={}", deep(3_000, "%(value) > 0")),
        format!("--change-output-adv={},x", deep(3_000, "%{short_output} ne ''")),
        format!("--change-perfdata=trail_is_logging,,math({})", deep(3_000, "current")),
        format!("--extend-perfdata=trail_is_logging,x,math({}current)", "-".repeat(100_000)),
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
            &format!("--change-perfdata=trail_is_logging,,math({})", deep(63, "current")),
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
    config.push_str("[profile p5000]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = x\n");
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
