//! Centreon's robot tests (`tests/cloud/aws/cloudtrail/*.robot`), rewritten
//! against a loopback server that answers as their Mockoon mock does: the
//! same options, the endpoint's host:port swapped for ours and its path
//! kept, the same expected lines (perfdata thresholds aside: upstream
//! drops them, we echo them).

use serde_json::{Value, json};

use crate::util::{PLUGIN, Reply, Request, Server, run};

/// The robot suites' common options.
const CMD: [&str; 5] = [
    PLUGIN,
    "--custommode=paws",
    "--region=eu-west",
    "--aws-secret-key=secret",
    "--aws-access-key=key",
];

/// The mock's GetTrailStatus route: `IsLogging` from the path, every other
/// field as the mock has it (note the deprecated string fields).
fn trail_status(req: &Request) -> Reply {
    let logging = req.path.rsplit('/').next() == Some("true");
    Reply::json(
        200,
        json!({
            "IsLogging": logging,
            "LatestCloudWatchLogsDeliveryError": "error",
            "LatestCloudWatchLogsDeliveryTime": 1683298944.125,
            "LatestDeliveryAttemptSucceeded": "2023-05-05T15:02:24Z",
            "LatestDeliveryAttemptTime": "2023-05-05T15:02:24Z",
            "LatestDeliveryError": "error",
            "LatestDeliveryTime": 1683298944.125,
            "LatestDigestDeliveryError": "error",
            "LatestDigestDeliveryTime": 1683298944.125,
            "LatestNotificationAttemptSucceeded": "2023-05-05T15:02:24Z",
            "LatestNotificationAttemptTime": "2023-05-05T15:02:24Z",
            "LatestNotificationError": "error",
            "LatestNotificationTime": 1683298944.125,
            "StartLoggingTime": 1683298944.125,
            "StopLoggingTime": 1683298477.918,
            "TimeLoggingStarted": "2023-05-05T15:02:24Z",
            "TimeLoggingStopped": "2023-05-05T14:54:37Z"
        }),
    )
}

/// The mock's events route: counts per event type from the path, two
/// types failing with fixed messages, and a NextToken on the first page
/// when the path says so.
fn events(req: &Request) -> Reply {
    let parts: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    let param = |name: &str| {
        parts
            .iter()
            .position(|p| *p == name)
            .and_then(|i| parts.get(i + 1))
            .copied()
            .unwrap_or("0")
    };
    let kinds = [
        ("AwsApiCall", None),
        ("AwsServiceEvent", None),
        (
            "AwsConsoleAction",
            Some(("ThrottlingException", "Rate exceeded error")),
        ),
        (
            "AwsConsoleSignIn",
            Some(("LoginErrorException", "Login error")),
        ),
    ];
    let mut list = Vec::new();
    for (kind, error) in kinds {
        let n: usize = param(kind).parse().unwrap_or(0);
        for i in 0..n {
            let mut record = json!({
                "awsRegion": "eu-west-1",
                "eventCategory": "Management",
                "eventID": format!("{kind}-{i}"),
                "eventName": "LookupEvents",
                "eventSource": "cloudtrail.amazonaws.com",
                "eventTime": "2024-05-05T15:02:24Z",
                "eventType": kind,
                "eventVersion": "1.08",
                "managementEvent": true,
                "readOnly": true,
                "userIdentity": {"type": "AssumedRole", "accountId": "123456789012"},
            });
            if let Some((code, message)) = error {
                record["errorCode"] = json!(code);
                record["errorMessage"] = json!(message);
            }
            list.push(json!({
                "AccessKeyId": "AKIAEXAMPLE",
                "CloudTrailEvent": record.to_string(),
                "EventId": format!("{kind}-{i}"),
                "EventName": "LookupEvents",
                "EventSource": "cloudtrail.amazonaws.com",
                // The mock sends a date string here; countevents never reads it.
                "EventTime": "Sun May 05 2024 15:02:24 GMT+0000",
                "ReadOnly": "true",
                "Resources": [],
                "Username": "user"
            }));
        }
    }
    let mut out = json!({ "Events": list });
    let first_page = req.json().get("NextToken").is_none();
    if param("NextToken") == "true" && first_page {
        out["NextToken"] = Value::String("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".into());
    }
    Reply::json(200, out)
}

fn mock() -> Server {
    Server::start(|req| {
        if req.path.starts_with("/cloudtrail/gettrailstatus/") {
            trail_status(req)
        } else if req.path.starts_with("/cloudtrail/events/") {
            events(req)
        } else {
            Reply::aws_error(404, "NotFound", "no route")
        }
    })
}

#[test]
fn checktrailstatus_robot() {
    let cases = [
        (
            "true",
            "OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;",
            0,
        ),
        (
            "false",
            "CRITICAL: Trail is logging: 0 | 'trail_is_logging'=0;;;0;",
            2,
        ),
    ];
    let server = mock();
    for (status, expected, code) in cases {
        let endpoint = format!(
            "--endpoint={}",
            server.url(&format!("/cloudtrail/gettrailstatus/{status}"))
        );
        let mut args = CMD.to_vec();
        args.extend([
            "--mode=checktrailstatus",
            &endpoint,
            "--trail-name=trailname",
        ]);
        let r = run(&args);
        assert_eq!((r.line(), r.code), (expected, code), "tc {status}");
    }
}

#[test]
fn countevents_robot() {
    // tc, AwsApiCall, AwsServiceEvent, AwsConsoleAction, AwsConsoleSignIn,
    // NextToken, extra options, expected line (thresholds echoed), exit.
    type Case<'a> = (u8, u8, u8, u8, u8, &'a str, &'a [&'a str], &'a str, i32);
    let cases: &[Case] = &[
        (
            1,
            4,
            2,
            1,
            3,
            "false",
            &[],
            "OK: Number of events: 10.00 | 'events_count'=10.00;;;0;",
            0,
        ),
        (
            2,
            4,
            2,
            1,
            3,
            "true",
            &[],
            "OK: Number of events: 20.00 | 'events_count'=20.00;;;0;",
            0,
        ),
        (
            3,
            4,
            2,
            1,
            3,
            "false",
            &["--event-type=AwsApiCall"],
            "OK: Number of events: 4.00 | 'events_count'=4.00;;;0;",
            0,
        ),
        (
            4,
            4,
            2,
            1,
            3,
            "false",
            &["--event-type=AwsServiceEvent"],
            "OK: Number of events: 2.00 | 'events_count'=2.00;;;0;",
            0,
        ),
        (
            5,
            4,
            2,
            1,
            3,
            "false",
            &["--delta=10"],
            "OK: Number of events: 10.00 | 'events_count'=10.00;;;0;",
            0,
        ),
        (
            6,
            4,
            2,
            1,
            3,
            "false",
            &["--error-message=Login error"],
            "OK: Number of events: 3.00 | 'events_count'=3.00;;;0;",
            0,
        ),
        (
            7,
            4,
            2,
            1,
            3,
            "false",
            &["--error-message=.*error"],
            "OK: Number of events: 4.00 | 'events_count'=4.00;;;0;",
            0,
        ),
        (
            8,
            4,
            2,
            1,
            3,
            "false",
            &["--warning-count=3"],
            "WARNING: Number of events: 10.00 | 'events_count'=10.00;0:3;;0;",
            1,
        ),
        (
            9,
            4,
            2,
            1,
            3,
            "false",
            &["--critical-count=5"],
            "CRITICAL: Number of events: 10.00 | 'events_count'=10.00;;0:5;0;",
            2,
        ),
    ];
    let server = mock();
    for (tc, api, svc, action, signin, next, extra, expected, code) in cases {
        let path = format!(
            "/cloudtrail/events/AwsApiCall/{api}/AwsServiceEvent/{svc}/AwsConsoleAction/{action}/AwsConsoleSignIn/{signin}/NextToken/{next}"
        );
        let endpoint = format!("--endpoint={}", server.url(&path));
        let mut args = CMD.to_vec();
        args.extend(["--mode=countevents", &endpoint]);
        args.extend_from_slice(extra);
        let r = run(&args);
        assert_eq!((r.line(), r.code), (*expected, *code), "tc {tc}");
    }
}
