//! `trailsecurity` against a loopback server: DescribeTrails,
//! GetEventSelectors and GetTrailStatus, the default status expressions
//! and the user's.

use serde_json::{Value, json};

use crate::util::{Reply, Request, Server, run_against};

const ARN: &str = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/main";

fn server(trail: Value, selectors: Value, logging: bool) -> Server {
    Server::start(move |q: &Request| match q.operation() {
        "DescribeTrails" => Reply::json(200, json!({"trailList": [trail.clone()]})),
        "GetEventSelectors" => Reply::json(200, selectors.clone()),
        "GetTrailStatus" => Reply::json(200, json!({"IsLogging": logging})),
        other => Reply::aws_error(400, "UnknownOperationException", other),
    })
}

fn check(s: &Server, extra: &[&str]) -> crate::util::Run {
    run_against(
        s,
        &[&["--mode=trailsecurity", "--trail-name=main"][..], extra].concat(),
    )
}

fn good_trail() -> Value {
    json!({"Name": "main", "TrailARN": ARN, "IsMultiRegionTrail": true,
           "IncludeGlobalServiceEvents": true, "LogFileValidationEnabled": true,
           "KmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/k",
           "CloudWatchLogsLogGroupArn": "arn:aws:logs:eu-west-1:123456789012:log-group:ct:*"})
}

fn all_management() -> Value {
    json!({"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true,
                                "ExcludeManagementEventSources": []}]})
}

#[test]
fn a_benchmark_trail_is_ok() {
    let s = server(good_trail(), all_management(), true);
    let r = check(&s, &["--verbose"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(
        r.line(),
        "OK: Trail main: all 7 security checks pass | 'logging'=1;;;0;1 'multi_region'=1;;;0;1 \
         'management_events'=1;;;0;1 'global_service_events'=1;;;0;1 'log_file_validation'=1;;;0;1 \
         'kms_encryption'=1;;;0;1 'cloudwatch_logs'=1;;;0;1"
    );
    assert!(
        r.stdout
            .contains("\nkms_encryption: ok (CIS 3.7, Security Hub CloudTrail.2)\n")
    );
    let ops: Vec<String> = s
        .requests()
        .iter()
        .map(|q| q.operation().to_owned())
        .collect();
    assert_eq!(
        ops,
        ["DescribeTrails", "GetEventSelectors", "GetTrailStatus"]
    );
    assert_eq!(s.requests()[1].json(), json!({"TrailName": ARN}));
}

#[test]
fn defaults_warn_on_hardening_and_alert_on_coverage() {
    let weak = json!({"Name": "main", "TrailARN": ARN, "IsMultiRegionTrail": true,
                      "IncludeGlobalServiceEvents": true});
    let s = server(weak.clone(), all_management(), true);
    let r = check(&s, &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.line().starts_with("WARNING: Trail main: log file validation off, logs not encrypted with KMS, not sent to CloudWatch Logs |"), "{}", r.stdout);
    // Write-only management events: CRITICAL.
    let s = server(
        weak,
        json!({"EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": true}]}),
        true,
    );
    assert_eq!(check(&s, &[]).code, 2);
    // Not logging: CRITICAL.
    let s = server(good_trail(), all_management(), false);
    let r = check(&s, &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.line().starts_with("CRITICAL: Trail main: not logging |"),
        "{}",
        r.stdout
    );
}

#[test]
fn status_expressions_and_filter() {
    let weak = json!({"Name": "main", "TrailARN": ARN, "IsMultiRegionTrail": false});
    let s = server(weak, all_management(), true);
    // Only encryption matters, and it is critical.
    let r = check(
        &s,
        &[
            "--filter-check=^kms",
            "--warning-status=",
            "--critical-status=%{kms_encryption} eq \"false\"",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(
        r.line(),
        "CRITICAL: Trail main: logs not encrypted with KMS | 'kms_encryption'=0;;;0;1"
    );
    // Both expressions empty: never alerts.
    let r = check(&s, &["--warning-status=", "--critical-status="]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // A bad expression names the option and quotes it.
    let r = check(&s, &["--critical-status=%{nope} eq 1"]);
    assert_eq!(r.code, 3);
    assert!(
        r.stdout
            .starts_with("UNKNOWN: --critical-status '%{nope} eq 1': unknown variable %{nope}"),
        "{}",
        r.stdout
    );
}
