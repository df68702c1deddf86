//! `trailsecurity` against a loopback server: DescribeTrails,
//! GetEventSelectors, GetTrailStatus and GetInsightSelectors, the default
//! status expressions and the user's, `--require-data-events`.

use serde_json::{Value, json};

use crate::util::{PLUGIN, Reply, Request, Server, TempDir, run, run_against};

const ARN: &str = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/main";

fn server(trail: Value, selectors: Value, logging: bool) -> Server {
    server_with(trail, selectors, logging, || {
        Reply::json(
            200,
            json!({"TrailARN": ARN, "InsightSelectors": both_insights()}),
        )
    })
}

/// The same, with `insights` answering GetInsightSelectors.
fn server_with(
    trail: Value,
    selectors: Value,
    logging: bool,
    insights: impl Fn() -> Reply + Send + Sync + 'static,
) -> Server {
    Server::start(move |q: &Request| match q.operation() {
        "DescribeTrails" => Reply::json(200, json!({"trailList": [trail.clone()]})),
        "GetEventSelectors" => Reply::json(200, selectors.clone()),
        "GetTrailStatus" => Reply::json(200, json!({"IsLogging": logging})),
        "GetInsightSelectors" => insights(),
        other => Reply::aws_error(400, "UnknownOperationException", other),
    })
}

fn both_insights() -> Value {
    json!([{"InsightType": "ApiCallRateInsight"}, {"InsightType": "ApiErrorRateInsight"}])
}

/// The perfdata of the eight checks, `failing` ones 0.
fn perf(failing: &[&str]) -> String {
    [
        "logging",
        "multi_region",
        "management_events",
        "global_service_events",
        "log_file_validation",
        "kms_encryption",
        "cloudwatch_logs",
        "insights",
    ]
    .iter()
    .map(|c| format!("'{c}'={};;;0;1", u8::from(!failing.contains(c))))
    .collect::<Vec<_>>()
    .join(" ")
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
        "OK: Trail main: all 8 security checks pass | 'logging'=1;;;0;1 'multi_region'=1;;;0;1 \
         'management_events'=1;;;0;1 'global_service_events'=1;;;0;1 'log_file_validation'=1;;;0;1 \
         'kms_encryption'=1;;;0;1 'cloudwatch_logs'=1;;;0;1 'insights'=1;;;0;1"
    );
    assert!(r.stdout.contains(
        "\ninsights: ok (no benchmark control; unusual API call and error volumes: credential \
         abuse, enumeration)\n"
    ));
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
        [
            "DescribeTrails",
            "GetEventSelectors",
            "GetTrailStatus",
            "GetInsightSelectors"
        ]
    );
    assert_eq!(s.requests()[1].json(), json!({"TrailName": ARN}));
    assert_eq!(s.requests()[3].json(), json!({"TrailName": ARN}));
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

#[test]
fn insights_off_is_named_and_measured_but_alerts_only_when_asked() {
    let off = "OK: Trail main: Insights not on for both API call and error rates";
    let answers: [fn() -> Reply; 4] = [
        || {
            Reply::aws_error(
                400,
                "InsightNotEnabledException",
                "Trail main does not have Insights enabled.",
            )
        },
        || Reply::json(200, json!({"TrailARN": ARN, "InsightSelectors": []})),
        || Reply::json(200, json!({"TrailARN": ARN})),
        || {
            Reply::json(
                200,
                json!({"InsightSelectors": [{"InsightType": "ApiCallRateInsight"}]}),
            )
        },
    ];
    for answer in answers {
        let s = server_with(good_trail(), all_management(), true, answer);
        let r = check(&s, &[]);
        assert_eq!(r.code, 0, "{}", r.stdout);
        assert_eq!(r.line(), format!("{off} | {}", perf(&["insights"])));
        let r = check(&s, &["--warning-status=%{insights} eq \"false\""]);
        assert_eq!(r.code, 1, "{}", r.stdout);
    }
}

#[test]
fn a_denied_insights_read_is_unknown_like_the_other_reads() {
    let denied = |op: &'static str| {
        move || {
            Reply::aws_error(
                400,
                "AccessDeniedException",
                &format!(
                    "User: arn:aws:iam::123456789012:user/m is not authorized to perform: cloudtrail:{op}"
                ),
            )
        }
    };
    let s = server_with(
        good_trail(),
        all_management(),
        true,
        denied("GetInsightSelectors"),
    );
    let r = check(&s, &[]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(
        r.line().starts_with(
            "UNKNOWN: GetInsightSelectors failed: AccessDeniedException: User: \
             arn:aws:iam::123456789012:user/m is not authorized to perform: \
             cloudtrail:GetInsightSelectors"
        ),
        "{}",
        r.stdout
    );
    // As a denied GetEventSelectors is.
    let events = Server::start(move |q: &Request| match q.operation() {
        "DescribeTrails" => Reply::json(200, json!({"trailList": [good_trail()]})),
        _ => denied("GetEventSelectors")(),
    });
    let r = check(&events, &[]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(
        r.line()
            .starts_with("UNKNOWN: GetEventSelectors failed: AccessDeniedException: ")
    );
    // Left out by --filter-check, insights needs no call (nor the IAM).
    let r = check(&s, &["--filter-check=^(?:logging|kms_encryption)$"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(
        r.line(),
        "OK: Trail main: all 2 security checks pass | 'logging'=1;;;0;1 'kms_encryption'=1;;;0;1"
    );
    let insights = s
        .requests()
        .iter()
        .filter(|q| q.operation() == "GetInsightSelectors")
        .count();
    assert_eq!((s.requests().len(), insights), (7, 1));
}

fn s3_data(rw: &str, values: &[&str]) -> Value {
    json!({"EventSelectors": [{"ReadWriteType": rw, "IncludeManagementEvents": true,
                               "DataResources": [{"Type": "AWS::S3::Object", "Values": values}]}]})
}

const PAYROLL: &str = "--require-data-events=AWS::S3::Object=arn:aws:s3:::payroll/";

#[test]
fn required_data_events_join_the_default_critical() {
    // Without the option: no data_events metric, whatever the selectors.
    let s = server(good_trail(), s3_data("All", &["arn:aws:s3:::other/"]), true);
    let r = check(&s, &[]);
    assert_eq!(
        r.line(),
        format!("OK: Trail main: all 8 security checks pass | {}", perf(&[]))
    );
    // Asked for, not recorded: CRITICAL by default, named with what is missing.
    let r = check(&s, &[PAYROLL]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(
        r.line(),
        format!(
            "CRITICAL: Trail main: does not record every read and write data event of \
             AWS::S3::Object=arn:aws:s3:::payroll/ | {} 'data_events'=0;;;0;1",
            perf(&[])
        )
    );
    // An explicit --critical-status stays as given.
    let r = check(&s, &[PAYROLL, "--critical-status=%{logging} eq \"false\""]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.line().ends_with(" 'data_events'=0;;;0;1"), "{}", r.stdout);
    // The bucket recorded, reads and writes: 9 checks pass.
    let s = server(
        good_trail(),
        s3_data("All", &["arn:aws:s3:::payroll/"]),
        true,
    );
    let r = check(
        &s,
        &[
            PAYROLL,
            "--require-data-events=AWS::S3::Object=arn:aws:s3:::payroll/2026/",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(
        r.line(),
        format!(
            "OK: Trail main: all 9 security checks pass | {} 'data_events'=1;;;0;1",
            perf(&[])
        )
    );
    // Writes only: not enough. Every bucket asked for: not enough either.
    let s = server(good_trail(), s3_data("WriteOnly", &["arn:aws:s3"]), true);
    assert_eq!(check(&s, &[PAYROLL]).code, 2);
    let s = server(
        good_trail(),
        s3_data("All", &["arn:aws:s3:::payroll/"]),
        true,
    );
    let r = check(&s, &["--require-data-events=AWS::S3::Object", PAYROLL]);
    assert!(
        r.line().starts_with(
            "CRITICAL: Trail main: does not record every read and write data event of \
             AWS::S3::Object |"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn required_data_events_from_advanced_selectors() {
    let advanced = |arn: Value| {
        json!({"AdvancedEventSelectors": [
            {"Name": "management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
            {"Name": "payroll", "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                arn]}]})
    };
    let starts = json!({"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::payroll/"]});
    let r = check(&server(good_trail(), advanced(starts), true), &[PAYROLL]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.line().ends_with(" 'data_events'=1;;;0;1"), "{}", r.stdout);
    // Only the .csv files: not the whole prefix.
    let ends = json!({"Field": "resources.ARN", "EndsWith": [".csv"]});
    let r = check(&server(good_trail(), advanced(ends), true), &[PAYROLL]);
    assert_eq!(r.code, 2, "{}", r.stdout);
}

#[test]
fn a_bad_data_events_requirement_is_refused() {
    let s = server(good_trail(), all_management(), true);
    let r = check(&s, &["--require-data-events=S3::Object"]);
    assert_eq!(r.code, 3);
    assert!(
        r.stdout.starts_with(
            "UNKNOWN: --require-data-events 'S3::Object': 'S3::Object' is not a resource type"
        ),
        "{}",
        r.stdout
    );
    assert!(s.requests().is_empty());
}

/// The aws CLI path: get-insight-selectors, and the CLI's
/// InsightNotEnabledException read as the built-in client's.
#[test]
fn awscli_asks_the_insight_selectors_too() {
    let dir = TempDir::new("trailsecurity-aws");
    let d = dir.0.display();
    dir.write(
        "trails.json",
        &json!({"trailList": [good_trail()]}).to_string(),
        false,
    );
    dir.write("selectors.json", &all_management().to_string(), false);
    dir.write(
        "status.json",
        &json!({"IsLogging": true}).to_string(),
        false,
    );
    dir.write(
        "aws",
        &format!(
            "#!/bin/sh\nprintf '%s ' \"$@\" >> {d}/args.log; echo >> {d}/args.log\n\
             case \"$2\" in\n\
             describe-trails) cat {d}/trails.json ;;\n\
             get-event-selectors) cat {d}/selectors.json ;;\n\
             get-trail-status) cat {d}/status.json ;;\n\
             get-insight-selectors) echo >&2; echo 'An error occurred (InsightNotEnabledException) \
             when calling the GetInsightSelectors operation: Trail main does not have Insights \
             enabled.' >&2; exit 254 ;;\n\
             esac\n"
        ),
        true,
    );
    let path = format!("--command-path={d}");
    let r = run(&[
        PLUGIN,
        "--custommode=awscli",
        &path,
        "--region=eu-west-1",
        "--aws-access-key=AKIDEXAMPLE",
        "--aws-secret-key=SECRETEXAMPLE",
        "--mode=trailsecurity",
        "--trail-name=main",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        r.line(),
        format!(
            "OK: Trail main: Insights not on for both API call and error rates | {}",
            perf(&["insights"])
        )
    );
    let log = std::fs::read_to_string(dir.0.join("args.log")).unwrap_or_default();
    assert!(
        log.lines().any(|l| l.starts_with(&format!(
            "cloudtrail get-insight-selectors --trail-name {ARN} --region eu-west-1"
        ))),
        "{log}"
    );
}
