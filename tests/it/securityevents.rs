//! securityevents against the loopback server: one read for all fifteen
//! CIS categories, the home-region read of global events, dedupe, ranges.

use serde_json::{Value, json};

use crate::util::{PLUGIN, Reply, Request, SECRET, Server, authorization_parts, now, run, run_env};

/// An event as LookupEvents returns it, built from its inner record.
fn event(id: &str, record: Value) -> Value {
    let mut record = record;
    record["eventID"] = json!(id);
    record["eventTime"] = json!("2024-01-01T00:00:00Z");
    json!({
        "EventId": id,
        "EventName": record["eventName"],
        // Inside any window: the state directory's cache drops events
        // older than the window.
        "EventTime": now() - 300,
        "CloudTrailEvent": record.to_string(),
    })
}

fn call(id: &str, source: &str, name: &str) -> Value {
    event(
        id,
        json!({
            "eventType": "AwsApiCall",
            "eventSource": source,
            "eventName": name,
            "awsRegion": "eu-west-1",
            "sourceIPAddress": "192.0.2.7",
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/alice"},
        }),
    )
}

fn with(mut e: Value, patch: Value) -> Value {
    let mut record: Value = serde_json::from_str(e["CloudTrailEvent"].as_str().unwrap()).unwrap();
    for (k, v) in patch.as_object().unwrap() {
        record[k] = v.clone();
    }
    e["CloudTrailEvent"] = json!(record.to_string());
    e
}

/// A window with events for every category (two for security groups),
/// plus benign ones that match none.
fn window() -> Vec<Value> {
    vec![
        with(
            call("u1", "ec2.amazonaws.com", "RunInstances"),
            json!({"errorCode": "Client.UnauthorizedOperation"}),
        ),
        with(
            call("m1", "signin.amazonaws.com", "ConsoleLogin"),
            json!({"eventType": "AwsConsoleSignIn",
                   "additionalEventData": {"MFAUsed": "No"},
                   "responseElements": {"ConsoleLogin": "Success"}}),
        ),
        with(
            call("r1", "s3.amazonaws.com", "ListBuckets"),
            json!({"userIdentity": {"type": "Root", "arn": "arn:aws:iam::123456789012:root"}}),
        ),
        call("i1", "iam.amazonaws.com", "AttachRolePolicy"),
        call("t1", "cloudtrail.amazonaws.com", "StopLogging"),
        with(
            call("f1", "signin.amazonaws.com", "ConsoleLogin"),
            json!({"eventType": "AwsConsoleSignIn", "errorMessage": "Failed authentication",
                   "responseElements": {"ConsoleLogin": "Failure"}}),
        ),
        call("k1", "kms.amazonaws.com", "ScheduleKeyDeletion"),
        call("s1", "s3.amazonaws.com", "PutBucketPolicy"),
        call("c1", "config.amazonaws.com", "StopConfigurationRecorder"),
        call("g1", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress"),
        call("g2", "ec2.amazonaws.com", "DeleteSecurityGroup"),
        call("n1", "ec2.amazonaws.com", "CreateNetworkAclEntry"),
        call("w1", "ec2.amazonaws.com", "AttachInternetGateway"),
        call("rt1", "ec2.amazonaws.com", "CreateRoute"),
        call("v1", "ec2.amazonaws.com", "CreateVpc"),
        call("o1", "organizations.amazonaws.com", "CreateAccount"),
        // Benign: read calls, an MFA login, a root action AWS took, a key
        // disabled by name in another service.
        call("b1", "ec2.amazonaws.com", "DescribeInstances"),
        with(
            call("b2", "signin.amazonaws.com", "ConsoleLogin"),
            json!({"additionalEventData": {"MFAUsed": "Yes"},
                   "responseElements": {"ConsoleLogin": "Success"}}),
        ),
        with(
            call("b3", "s3.amazonaws.com", "ListBuckets"),
            json!({"userIdentity": {"type": "Root", "invokedBy": "support.amazonaws.com"}}),
        ),
        call("b4", "lambda.amazonaws.com", "DisableKey"),
    ]
}

/// Serves `events` over pages of 8, whatever the region.
fn paged(events: Vec<Value>) -> Server {
    Server::start(move |req: &Request| {
        let page: usize = req.json()["NextToken"]
            .as_str()
            .map_or(0, |t| t.parse().unwrap());
        let chunk: Vec<Value> = events.iter().skip(page * 8).take(8).cloned().collect();
        let mut out = json!({ "Events": chunk });
        if (page + 1) * 8 < events.len() {
            out["NextToken"] = json!((page + 1).to_string());
        }
        Reply::json(200, out)
    })
}

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        PLUGIN,
        "--custommode=paws",
        "--region=eu-west-1",
        "--aws-access-key=AKIDEXAMPLE",
        "--mode=securityevents",
    ];
    a.extend_from_slice(extra);
    a
}

/// A run judged on the whole window: no state directory.
fn check(server: &Server, extra: &[&str]) -> crate::util::Run {
    let endpoint = format!("--endpoint-url={}", server.url("/"));
    let secret = format!("--aws-secret-key={SECRET}");
    let mut more = vec![secret.as_str(), endpoint.as_str(), "--disable-statefile"];
    more.extend_from_slice(extra);
    run(&args(&more))
}

const ALL_PERFDATA: &str = "'unauthorized_api_calls'=1;0:0;;0; \
'console_login_without_mfa'=1;0:0;;0; 'root_account_usage'=1;;0:0;0; \
'iam_policy_changes'=1;0:0;;0; 'cloudtrail_changes'=1;;0:0;0; \
'console_auth_failures'=1;0:0;;0; 'cmk_disable_or_deletion'=1;;0:0;0; \
's3_bucket_policy_changes'=1;0:0;;0; 'aws_config_changes'=1;;0:0;0; \
'security_group_changes'=2;0:0;;0; 'nacl_changes'=1;0:0;;0; \
'network_gateway_changes'=1;0:0;;0; 'route_table_changes'=1;0:0;;0; \
'vpc_changes'=1;0:0;;0; 'organizations_changes'=1;0:0;;0;";

#[test]
fn every_category_from_one_read() {
    let s = paged(window());
    let r = check(&s, &[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let (text, perf) = r.line().split_once(" | ").unwrap();
    assert_eq!(
        text,
        "CRITICAL: root account uses: 1 - CloudTrail changes: 1 - KMS keys disabled or \
         scheduled for deletion: 1 - AWS Config changes: 1 WARNING: unauthorized API calls: 1 \
         - console logins without MFA: 1 - IAM policy changes: 1 - console authentication \
         failures: 1 - S3 bucket policy changes: 1 - security group changes: 2 - network ACL \
         changes: 1 - network gateway changes: 1 - route table changes: 1 - VPC changes: 1 - \
         Organizations changes: 1"
    );
    assert_eq!(perf, ALL_PERFDATA);
    // One paged read of the window for all fifteen categories.
    let reqs = s.requests();
    assert_eq!(reqs.len(), 3);
    for q in &reqs {
        assert_eq!(
            q.header("x-amz-target"),
            Some("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents")
        );
        let body = q.json();
        assert!(body.get("LookupAttributes").is_none(), "{body}");
        assert!(body["StartTime"].as_f64().unwrap() < body["EndTime"].as_f64().unwrap());
    }
}

#[test]
fn quiet_window_is_ok() {
    let s = paged(vec![call("b1", "ec2.amazonaws.com", "DescribeInstances")]);
    let r = check(&s, &["--delta=30"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout
            .starts_with("OK: no security events in the last 30 minutes (15 categories) | "),
        "{}",
        r.stdout
    );
}

#[test]
fn verbose_lists_each_matching_event() {
    let s = paged(window());
    let r = check(
        &s,
        &[
            "--verbose",
            "--filter-category=^(unauthorized_api_calls|vpc_changes)$",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(
        r.stdout,
        "WARNING: unauthorized API calls: 1 - VPC changes: 1 | 'unauthorized_api_calls'=1;0:0;;0; \
         'vpc_changes'=1;0:0;;0;\n\
         2024-01-01T00:00:00Z unauthorized_api_calls RunInstances \
         arn:aws:iam::123456789012:user/alice 192.0.2.7 eu-west-1 Client.UnauthorizedOperation\n\
         2024-01-01T00:00:00Z vpc_changes CreateVpc arn:aws:iam::123456789012:user/alice \
         192.0.2.7 eu-west-1\n"
    );
}

#[test]
fn ranges_replace_the_defaults_and_empty_keeps_them() {
    let s = paged(window());
    let r = check(
        &s,
        &[
            "--filter-category=root|vpc",
            "--critical-root_account_usage=",
            "--warning-root_account_usage=5",
            "--critical-vpc_changes=0",
        ],
    );
    // The empty critical keeps root's default (CRITICAL above 0).
    assert_eq!(
        r.line(),
        "CRITICAL: root account uses: 1 - VPC changes: 1 | 'root_account_usage'=1;0:5;0:0;0; \
         'vpc_changes'=1;0:0;0:0;0;"
    );
    let bad = check(&s, &["--warning-vpc_changes=x"]);
    assert_eq!(bad.code, 3);
    assert!(bad.line().contains("'x'"), "{}", bad.stdout);
    let none = check(&s, &["--filter-category=nothing"]);
    assert_eq!(none.code, 3);
    assert!(none.line().contains("'nothing'"), "{}", none.stdout);
}

/// Which region a request was signed for.
fn region_of(req: &Request) -> String {
    let parts = authorization_parts(req.header("authorization").unwrap());
    parts["Credential"].split('/').nth(2).unwrap().to_owned()
}

/// Without --endpoint-url (the endpoint comes from the environment), the
/// home region is read too: its global events count once, its regional
/// ones belong to us-east-1's own check.
#[test]
fn home_region_global_events_merged_once() {
    let s = Server::start(|req: &Request| {
        let events = if region_of(req) == "us-east-1" {
            vec![
                call("dup", "iam.amazonaws.com", "PutUserPolicy"),
                call("o1", "organizations.amazonaws.com", "CreateAccount"),
                call("v-east", "ec2.amazonaws.com", "CreateVpc"),
            ]
        } else {
            vec![
                call("dup", "iam.amazonaws.com", "PutUserPolicy"),
                call("g1", "ec2.amazonaws.com", "CreateSecurityGroup"),
            ]
        };
        Reply::json(200, json!({ "Events": events }))
    });
    let secret = format!("--aws-secret-key={SECRET}");
    let url = s.url("/");
    let r = run_env(
        &args(&[
            &secret,
            "--disable-statefile",
            "--filter-category=iam|organizations|vpc|security_group",
        ]),
        &[("AWS_ENDPOINT_URL_CLOUDTRAIL", &url)],
    );
    assert_eq!(
        r.line(),
        "WARNING: IAM policy changes: 1 - security group changes: 1 - Organizations changes: 1 \
         | 'iam_policy_changes'=1;0:0;;0; 'security_group_changes'=1;0:0;;0; \
         'vpc_changes'=0;0:0;;0; 'organizations_changes'=1;0:0;;0;"
    );
    let regions: Vec<String> = s.requests().iter().map(region_of).collect();
    assert_eq!(regions, ["eu-west-1", "us-east-1"]);

    // Regional categories only: no home-region read.
    let s2 = paged(window());
    let url = s2.url("/");
    let r = run_env(
        &args(&[&secret, "--filter-category=vpc"]),
        &[("AWS_ENDPOINT_URL_CLOUDTRAIL", &url)],
    );
    assert_eq!(r.code, 1);
    let regions: Vec<String> = s2.requests().iter().map(region_of).collect();
    assert!(regions.iter().all(|r| r == "eu-west-1"), "{regions:?}");
}

#[test]
fn endpoint_url_reads_only_that_endpoint() {
    let s = paged(window());
    let r = check(&s, &["--filter-category=iam"]);
    assert_eq!(r.code, 1);
    let regions: Vec<String> = s.requests().iter().map(region_of).collect();
    assert!(regions.iter().all(|r| r == "eu-west-1"), "{regions:?}");
}

#[test]
fn a_failed_read_is_unknown_never_ok() {
    let s = Server::start(|_| Reply::aws_error(400, "AccessDeniedException", "not allowed"));
    let r = check(&s, &[]);
    assert_eq!(r.code, 3);
    assert!(r.line().starts_with("UNKNOWN: "), "{}", r.stdout);
    assert!(r.line().contains("AccessDeniedException"), "{}", r.stdout);
}

/// With a state directory, an event alerts on the first run that sees it,
/// even when it shows up late in a window an earlier run already read.
#[test]
fn state_directory_alerts_each_event_once() {
    let events = std::sync::Arc::new(std::sync::Mutex::new(vec![call(
        "v1",
        "ec2.amazonaws.com",
        "CreateVpc",
    )]));
    let served = events.clone();
    let s = Server::start(move |_| Reply::json(200, json!({ "Events": *served.lock().unwrap() })));
    let dir = crate::util::TempDir::new("watch-state");
    let state = format!("--statefile-dir={}", dir.0.display());
    let endpoint = format!("--endpoint-url={}", s.url("/"));
    let secret = format!("--aws-secret-key={SECRET}");
    let go = || {
        run(&args(&[
            &secret,
            &endpoint,
            &state,
            "--filter-category=vpc",
        ]))
    };
    let first = go();
    assert_eq!(
        first.line(),
        "WARNING: VPC changes: 1 new (1 in the window) | 'vpc_changes'=1;;;0; \
         'vpc_changes_new'=1;0:0;;0;"
    );
    let second = go();
    assert_eq!(second.code, 0, "{}", second.stdout);
    assert!(
        second.line().contains("'vpc_changes_new'=0;"),
        "{}",
        second.stdout
    );
    // A late event lands in the window: it alerts once.
    events
        .lock()
        .unwrap()
        .push(call("v2", "ec2.amazonaws.com", "DeleteVpc"));
    let third = go();
    assert_eq!(
        third.line(),
        "WARNING: VPC changes: 1 new (2 in the window) | 'vpc_changes'=2;;;0; \
         'vpc_changes_new'=1;0:0;;0;"
    );
    assert_eq!(go().code, 0);
}

/// Every category's range options, each landing in its own perfdata.
const EVERY_RANGE: [&str; 30] = [
    "--warning-unauthorized_api_calls=1",
    "--critical-unauthorized_api_calls=2",
    "--warning-console_login_without_mfa=1",
    "--critical-console_login_without_mfa=2",
    "--warning-root_account_usage=1",
    "--critical-root_account_usage=2",
    "--warning-iam_policy_changes=1",
    "--critical-iam_policy_changes=2",
    "--warning-cloudtrail_changes=1",
    "--critical-cloudtrail_changes=2",
    "--warning-console_auth_failures=1",
    "--critical-console_auth_failures=2",
    "--warning-cmk_disable_or_deletion=1",
    "--critical-cmk_disable_or_deletion=2",
    "--warning-s3_bucket_policy_changes=1",
    "--critical-s3_bucket_policy_changes=2",
    "--warning-aws_config_changes=1",
    "--critical-aws_config_changes=2",
    "--warning-security_group_changes=1",
    "--critical-security_group_changes=2",
    "--warning-nacl_changes=1",
    "--critical-nacl_changes=2",
    "--warning-network_gateway_changes=1",
    "--critical-network_gateway_changes=2",
    "--warning-route_table_changes=1",
    "--critical-route_table_changes=2",
    "--warning-vpc_changes=1",
    "--critical-vpc_changes=2",
    "--warning-organizations_changes=1",
    "--critical-organizations_changes=2",
];

#[test]
fn every_range_option_reaches_its_category() {
    let s = paged(window());
    let mut extra: Vec<&str> = EVERY_RANGE.to_vec();
    extra.push("--verbose");
    let r = check(&s, &extra);
    // security groups: 2 events, CRITICAL above 2 is not reached, WARNING
    // above 1 is; every other category has 1 event: OK.
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.line()
            .starts_with("WARNING: security group changes: 2 | "),
        "{}",
        r.stdout
    );
    let perf = r.line().split_once(" | ").unwrap().1;
    let fields: Vec<&str> = perf.split(' ').collect();
    assert_eq!(fields.len(), 15);
    for f in fields {
        assert!(f.ends_with(";0:1;0:2;0;"), "{f}");
    }
}

/// `--regions` without the home region: the first region's run reads the
/// global events, the others do not, so each counts once.
#[test]
fn several_regions_read_the_global_events_once() {
    let s = Server::start(|req: &Request| {
        let events = match region_of(req).as_str() {
            "us-east-1" => vec![call("i1", "iam.amazonaws.com", "PutUserPolicy")],
            _ => Vec::new(),
        };
        Reply::json(200, json!({ "Events": events }))
    });
    let secret = format!("--aws-secret-key={SECRET}");
    let url = s.url("/");
    let mut a = args(&[
        &secret,
        "--disable-statefile",
        "--filter-category=iam",
        "--regions=eu-west-1,eu-central-1",
    ]);
    a.retain(|x| *x != "--region=eu-west-1");
    let r = run_env(&a, &[("AWS_ENDPOINT_URL_CLOUDTRAIL", &url)]);
    assert_eq!(
        r.line(),
        "WARNING: eu-west-1: IAM policy changes: 1 | 'eu-west-1~iam_policy_changes'=1;0:0;;0; \
         'eu-central-1~iam_policy_changes'=0;0:0;;0;"
    );
    let regions: Vec<String> = s.requests().iter().map(region_of).collect();
    assert_eq!(regions, ["eu-west-1", "us-east-1", "eu-central-1"]);
}
