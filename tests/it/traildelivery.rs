//! `traildelivery` against a loopback server answering DescribeTrails and
//! GetTrailStatus: which sub-checks apply, exact lines, request shape.

use serde_json::{Value, json};

use crate::util::{PLUGIN, Reply, Request, Server, now, run, run_against};

/// A trail configured by `trail`, whose status is `status`.
fn server(trail: Value, status: Value) -> Server {
    Server::start(move |q: &Request| match q.operation() {
        "DescribeTrails" => Reply::json(200, json!({"trailList": [trail.clone()]})),
        "GetTrailStatus" => Reply::json(200, status.clone()),
        other => Reply::aws_error(400, "UnknownOperationException", other),
    })
}

fn check(s: &Server, extra: &[&str]) -> crate::util::Run {
    run_against(
        s,
        &[&["--mode=traildelivery", "--trail-name=main"][..], extra].concat(),
    )
}

const ARN: &str = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/main";

fn full_trail() -> Value {
    json!({"Name": "main", "TrailARN": ARN, "HomeRegion": "eu-west-1",
           "LogFileValidationEnabled": true,
           "CloudWatchLogsLogGroupArn": "arn:aws:logs:eu-west-1:123456789012:log-group:ct:*",
           "SnsTopicARN": "arn:aws:sns:eu-west-1:123456789012:ct"})
}

#[test]
fn a_healthy_trail_is_ok_and_every_delivery_is_measured() {
    let t = now();
    let s = server(
        full_trail(),
        json!({"IsLogging": true, "LatestDeliveryTime": t - 120,
               "LatestCloudWatchLogsDeliveryTime": t - 30, "LatestDigestDeliveryTime": t - 1800}),
    );
    let r = check(&s, &["--verbose"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let mut lines = r.stdout.lines();
    let first = lines.next().unwrap();
    assert!(
        first.starts_with("OK: Trail main: logs delivered 2m "),
        "{first}"
    );
    for metric in [
        "'delivery_error'=0;;0:0;0;1",
        "'cloudwatch_logs_error'=0;;0:0;0;1",
        "'digest_error'=0;;0:0;0;1",
        "'notification_error'=0;0:0;;0;1",
    ] {
        assert!(first.contains(metric), "{metric} in {first}");
    }
    assert!(
        first.contains("'delivery_age'=12") && first.contains("s;0:21600;0:86400;0;"),
        "{first}"
    );
    assert!(
        r.stdout.contains("\nno SNS notification error\n"),
        "{}",
        r.stdout
    );
    // DescribeTrails asks for this trail, shadow trails included; the
    // status is then asked by ARN.
    let reqs = s.requests();
    assert_eq!(reqs[0].operation(), "DescribeTrails");
    assert_eq!(
        reqs[0].json(),
        json!({"trailNameList": ["main"], "includeShadowTrails": true})
    );
    assert_eq!(reqs[1].operation(), "GetTrailStatus");
    assert_eq!(reqs[1].json(), json!({"Name": ARN}));
}

#[test]
fn a_broken_bucket_is_critical_though_logging() {
    let t = now();
    let s = server(
        json!({"Name": "main", "TrailARN": ARN}),
        json!({"IsLogging": true, "LatestDeliveryTime": t - 100_000, "LatestDeliveryError": "AccessDenied"}),
    );
    let r = check(&s, &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.line().starts_with("CRITICAL: Trail main: S3 delivery error: AccessDenied - Trail main: S3 log files: last delivery 27h "),
        "{}",
        r.stdout
    );
    // Only S3 applies: no log group, no validation, no topic.
    assert!(
        !r.line().contains("cloudwatch")
            && !r.line().contains("digest")
            && !r.line().contains("notification")
    );
}

#[test]
fn thresholds_are_options() {
    let t = now();
    let s = server(
        full_trail(),
        json!({"IsLogging": true, "LatestDeliveryTime": t - 600,
               "LatestCloudWatchLogsDeliveryTime": t - 4000, "LatestDigestDeliveryTime": t - 100,
               "LatestNotificationError": "AuthorizationError"}),
    );
    // Defaults: CloudWatch Logs 4000 s is fine (warning 7200), SNS warns.
    let r = check(&s, &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.line()
            .starts_with("WARNING: Trail main: SNS notification error: AuthorizationError"),
        "{}",
        r.stdout
    );
    let r = check(
        &s,
        &[
            "--warning-notification-error=",
            "--critical-notification-error=2",
            "--warning-cloudwatch-logs-age=3600",
            "--critical-cloudwatch-logs-age=7200",
            "--warning-delivery-age=300",
            "--critical-delivery-age=900",
            "--warning-digest-age=50",
            "--critical-digest-age=5000",
            "--warning-delivery-error=0",
            "--critical-delivery-error=1",
            "--warning-cloudwatch-logs-error=0",
            "--critical-cloudwatch-logs-error=1",
            "--warning-digest-error=0",
            "--critical-digest-error=1",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    let line = r.line();
    assert!(
        line.contains("WARNING: Trail main: S3 log files: last delivery 10m "),
        "{line}"
    );
    assert!(
        line.contains("Trail main: CloudWatch Logs: last delivery 1h 6m "),
        "{line}"
    );
    // The age is measured when the check runs, a second or two after
    // the server's times were set on a loaded machine.
    let age = regex_lite::Regex::new(r"'delivery_age'=60[0-9]s;0:300;0:900;0;").unwrap();
    assert!(age.is_match(line), "{line}");
    let r = check(&s, &["--critical-delivery-age=abc"]);
    assert_eq!(
        r.stdout,
        "UNKNOWN: Wrong critical-delivery-age threshold 'abc'. \n"
    );
}

#[test]
fn unknown_trail_and_missing_name() {
    let s = Server::start(|_| Reply::json(200, json!({"trailList": []})));
    let r = check(&s, &[]);
    assert_eq!(r.code, 3);
    assert_eq!(
        r.stdout,
        "UNKNOWN: DescribeTrails failed: TrailNotFoundException: no trail named main in the answer \n"
    );
    let r = run(&[PLUGIN, "--mode=traildelivery", "--region=eu-west-1"]);
    assert_eq!(r.stdout, "UNKNOWN: Need to specify --trail-name option. \n");
    // countevents' options do not exist here, as upstream's per-mode options.
    let r = run(&[
        PLUGIN,
        "--mode=traildelivery",
        "--region=eu-west-1",
        "--trail-name=t",
        "--delta=5",
    ]);
    assert!(
        r.stdout.starts_with("UNKNOWN: Unknown option: --delta"),
        "{}",
        r.stdout
    );
}
