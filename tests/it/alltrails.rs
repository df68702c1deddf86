//! `--all-trails` / `--filter-trail-name` on the trail modes: every trail
//! visible in the region, asked by ARN, one result combined.

use serde_json::{Value, json};

use crate::util::{Reply, Request, Server, run_against};

const MAIN: &str = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/main";
const ORG: &str = "arn:aws:cloudtrail:us-east-1:999999999999:trail/org";

fn server(trails: Value, org_logging: bool) -> Server {
    Server::start(move |q: &Request| match q.operation() {
        "ListTrails" => Reply::json(200, json!({"Trails": trails.clone()})),
        "GetTrailStatus" => {
            let name = q.json()["Name"].as_str().unwrap_or("").to_owned();
            Reply::json(
                200,
                json!({"IsLogging": name != ORG || org_logging, "LatestDeliveryTime": 1}),
            )
        }
        "DescribeTrails" => {
            let name = q.json()["trailNameList"][0]
                .as_str()
                .unwrap_or("")
                .to_owned();
            Reply::json(
                200,
                json!({"trailList": [{"Name": name.rsplit('/').next(), "TrailARN": name, "IsMultiRegionTrail": true}]}),
            )
        }
        "GetEventSelectors" => Reply::json(200, json!({"EventSelectors": []})),
        "GetInsightSelectors" => Reply::json(200, json!({})),
        other => Reply::aws_error(400, "UnknownOperationException", other),
    })
}

fn two() -> Value {
    json!([{"Name": "main", "TrailARN": MAIN, "HomeRegion": "eu-west-1"},
           {"Name": "org", "TrailARN": ORG, "HomeRegion": "us-east-1"}])
}

fn check(s: &Server, mode: &str, extra: &[&str]) -> crate::util::Run {
    let mode = format!("--mode={mode}");
    run_against(s, &[&[mode.as_str()][..], extra].concat())
}

#[test]
fn every_trail_by_arn_worst_state_wins() {
    let s = server(two(), false);
    let r = check(&s, "checktrailstatus", &["--all-trails"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(
        r.line(),
        "CRITICAL: org: Trail is logging: 0 | 'main#trail_is_logging'=1;;;0; 'org#trail_is_logging'=0;;;0;"
    );
    let asked: Vec<String> = s
        .requests()
        .iter()
        .filter(|q| q.operation() == "GetTrailStatus")
        .map(|q| q.json()["Name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(asked, [MAIN, ORG]);
    let r = check(
        &server(two(), true),
        "checktrailstatus",
        &["--all-trails", "--verbose"],
    );
    assert_eq!(r.code, 0);
    assert!(
        r.line().starts_with("OK: All 2 trails are ok | "),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("\nOK: org: Trail is logging: 1\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn filter_and_no_trail() {
    let s = server(two(), false);
    let r = check(&s, "checktrailstatus", &["--filter-trail-name=^main$"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(
        r.line(),
        "OK: All 1 trails are ok | 'main#trail_is_logging'=1;;;0;"
    );
    let r = check(
        &server(json!([]), true),
        "checktrailstatus",
        &["--all-trails"],
    );
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "CRITICAL: no trail found in eu-west-1 \n");
}

#[test]
fn delivery_and_security_over_all_trails() {
    let s = server(two(), true);
    let r = check(&s, "traildelivery", &["--all-trails"]);
    // LatestDeliveryTime 1: decades old, critical for both.
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.line().contains("Trail main: S3 log files: last delivery")
            && r.line().contains("Trail org: S3 log files"),
        "{}",
        r.stdout
    );
    assert!(r.line().contains("'main#delivery_age'=") && r.line().contains("'org#delivery_age'="));
    let r = check(
        &s,
        "trailsecurity",
        &[
            "--all-trails",
            "--warning-status=",
            "--critical-status=%{logging} eq \"false\"",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.line().starts_with("OK: All 2 trails are ok |"),
        "{}",
        r.stdout
    );
    // The awscli path does not do several trails.
    let r = check(
        &s,
        "checktrailstatus",
        &["--all-trails", "--custommode=awscli"],
    );
    assert_eq!(r.code, 3);
}
