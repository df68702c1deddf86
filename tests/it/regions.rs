//! `--regions`: the same check in several regions, one result.

use serde_json::json;

use crate::util::{PLUGIN, Reply, Request, SECRET, Server, authorization_parts, run, run_env};

/// Logging everywhere but in us-east-1, by the signing region.
fn server() -> Server {
    Server::start(|q: &Request| {
        let cred = authorization_parts(q.header("authorization").unwrap())["Credential"].clone();
        let region = cred.split('/').nth(2).unwrap_or("").to_owned();
        match q.operation() {
            "GetTrailStatus" => Reply::json(200, json!({"IsLogging": region != "us-east-1"})),
            "LookupEvents" => Reply::json(200, json!({"Events": []})),
            other => Reply::aws_error(400, "UnknownOperationException", other),
        }
    })
}

fn regions(s: &Server, extra: &[&str]) -> crate::util::Run {
    let secret = format!("--aws-secret-key={SECRET}");
    let mut args = vec![PLUGIN, "--aws-access-key=AK", &secret];
    args.extend_from_slice(extra);
    let url = s.url("/");
    run_env(&args, &[("AWS_ENDPOINT_URL_CLOUDTRAIL", &url)])
}

#[test]
fn each_region_is_asked_and_the_worst_wins() {
    let s = server();
    let r = regions(
        &s,
        &[
            "--mode=checktrailstatus",
            "--trail-name=main",
            "--regions=eu-west-1,us-east-1",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(
        r.line(),
        "CRITICAL: us-east-1: Trail is logging: 0 | 'eu-west-1~trail_is_logging'=1;;;0; 'us-east-1~trail_is_logging'=0;;;0;"
    );
    let signed: Vec<String> = s
        .requests()
        .iter()
        .map(|q| {
            authorization_parts(q.header("authorization").unwrap())["Credential"]
                .split('/')
                .nth(2)
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(signed, ["eu-west-1", "us-east-1"]);
    let r = regions(
        &s,
        &[
            "--mode=countevents",
            "--regions=eu-west-1, eu-central-1",
            "--api-rate=0",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(
        r.line(),
        "OK: All 2 regions are ok | 'eu-west-1~events_count'=0.00;;;0; 'eu-central-1~events_count'=0.00;;;0;"
    );
}

#[test]
fn regions_need_the_public_endpoints() {
    let r = run(&[
        PLUGIN,
        "--mode=checktrailstatus",
        "--trail-name=t",
        "--regions=eu-west-1",
        "--endpoint-url=http://127.0.0.1:9/",
    ]);
    assert_eq!(
        r.stdout,
        "UNKNOWN: --regions cannot be combined with --endpoint-url: one endpoint is one region. \n"
    );
    let r = run(&[
        PLUGIN,
        "--mode=checktrailstatus",
        "--trail-name=t",
        "--regions=eu-west-1,EU",
    ]);
    assert!(
        r.stdout
            .starts_with("UNKNOWN: --regions: 'EU' is not a region name"),
        "{}",
        r.stdout
    );
}
