use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::util::{Reply, Server, run_against};

/// An event as LookupEvents returns it, the record as a JSON string.
pub fn event(id: &str, event_type: &str, error: Option<&str>) -> Value {
    let mut record = json!({
        "eventVersion": "1.08",
        "eventID": id,
        "eventType": event_type,
        "eventName": "LookupEvents",
        "eventSource": "cloudtrail.amazonaws.com",
        "awsRegion": "eu-west-1",
    });
    if let Some(e) = error {
        record["errorCode"] = json!("SomeError");
        record["errorMessage"] = json!(e);
    }
    json!({
        "EventId": id,
        "EventName": "LookupEvents",
        "EventTime": 1.704067200E9,
        "ReadOnly": "true",
        "CloudTrailEvent": record.to_string(),
    })
}

/// 12 events over 3 pages: 5 AwsApiCall, 4 AwsConsoleSignIn (2 failed
/// logins), 3 AwsServiceEvent (1 with an error).
fn paged_server() -> Server {
    Server::paged(3, |page| match page {
        0 => vec![
            event("e1", "AwsApiCall", None),
            event("e2", "AwsApiCall", None),
            event("e3", "AwsConsoleSignIn", Some("Failed authentication")),
            event("e4", "AwsConsoleSignIn", None),
        ],
        1 => vec![
            event("e5", "AwsApiCall", None),
            event("e6", "AwsServiceEvent", Some("Internal error")),
            event("e7", "AwsServiceEvent", None),
            event("e8", "AwsConsoleSignIn", Some("Failed authentication")),
        ],
        _ => vec![
            event("e9", "AwsApiCall", None),
            event("e10", "AwsApiCall", None),
            event("e11", "AwsServiceEvent", None),
            event("e12", "AwsConsoleSignIn", None),
        ],
    })
}

fn count(server: &Server, extra: &[&str]) -> crate::util::Run {
    run_against(
        server,
        &[&["--custommode=paws", "--mode=countevents"][..], extra].concat(),
    )
}

#[test]
fn counts_every_page() {
    let s = paged_server();
    let r = count(&s, &[]);
    assert_eq!(
        r.stdout,
        "OK: Number of events: 12.00 | 'events_count'=12.00;;;0;\n"
    );
    assert_eq!(r.code, 0);
    assert_eq!(s.requests().len(), 3);
}

#[test]
fn requests_keep_window_and_follow_tokens() {
    let s = paged_server();
    let before = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    count(&s, &["--delta=10"]);
    let after = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let reqs = s.requests();
    let first = reqs[0].json();
    let end = first["EndTime"].as_i64().expect("EndTime is an integer");
    let start = first["StartTime"]
        .as_i64()
        .expect("StartTime is an integer");
    assert!(
        before <= end && end <= after,
        "{end} not in {before}..{after}"
    );
    assert_eq!(end - start, 600);
    assert_eq!(
        first,
        json!({"StartTime": start, "EndTime": end, "MaxResults": 50})
    );
    assert_eq!(
        reqs[1].json(),
        json!({"StartTime": start, "EndTime": end, "MaxResults": 50, "NextToken": "page-2"})
    );
    assert_eq!(reqs[2].json()["NextToken"], "page-3");
    for q in &reqs {
        assert_eq!(q.method, "POST");
        assert_eq!(
            q.header("x-amz-target"),
            Some("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents")
        );
        assert_eq!(q.header("content-type"), Some("application/x-amz-json-1.1"));
        assert!(
            q.header("authorization")
                .is_some_and(|a| a.contains("/eu-west-1/cloudtrail/aws4_request"))
        );
    }
}

#[test]
fn default_window_is_one_hour() {
    let s = paged_server();
    count(&s, &[]);
    let first = s.requests()[0].json();
    assert_eq!(
        first["EndTime"].as_i64().unwrap() - first["StartTime"].as_i64().unwrap(),
        3600
    );
}

#[test]
fn pages_are_paced_at_two_per_second() {
    let s = paged_server();
    count(&s, &[]);
    let reqs = s.requests();
    for pair in reqs.windows(2) {
        let gap = pair[1].at.duration_since(pair[0].at);
        assert!(gap >= Duration::from_millis(490), "requests {gap:?} apart");
    }
}

#[test]
fn filters() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--event-type=AwsApiCall"],
            "OK: Number of events: 5.00 | 'events_count'=5.00;;;0;\n",
        ),
        (
            &["--error-message=Failed"],
            "OK: Number of events: 2.00 | 'events_count'=2.00;;;0;\n",
        ),
        (
            &["--error-message=error"],
            "OK: Number of events: 1.00 | 'events_count'=1.00;;;0;\n",
        ),
        (
            &["--error-message=ERROR"],
            "OK: Number of events: 0.00 | 'events_count'=0.00;;;0;\n",
        ),
        // Either filter counts an event (upstream's OR).
        (
            &["--event-type=AwsServiceEvent", "--error-message=Failed"],
            "OK: Number of events: 5.00 | 'events_count'=5.00;;;0;\n",
        ),
    ];
    for (extra, line) in cases {
        let s = paged_server();
        assert_eq!(count(&s, extra).stdout, *line, "{extra:?}");
    }
}

#[test]
fn thresholds_give_each_state() {
    let cases: &[(&[&str], &str, i32)] = &[
        (
            &["--warning-count=15", "--critical-count=20"],
            "OK: Number of events: 12.00 | 'events_count'=12.00;0:15;0:20;0;\n",
            0,
        ),
        (
            &["--warning-count=10", "--critical-count=20"],
            "WARNING: Number of events: 12.00 | 'events_count'=12.00;0:10;0:20;0;\n",
            1,
        ),
        (
            &["--warning-count=5", "--critical-count=10"],
            "CRITICAL: Number of events: 12.00 | 'events_count'=12.00;0:5;0:10;0;\n",
            2,
        ),
        (
            &["--critical-count=@12:12"],
            "CRITICAL: Number of events: 12.00 | 'events_count'=12.00;;@12:12;0;\n",
            2,
        ),
        (
            &["--warning-count=13:"],
            "WARNING: Number of events: 12.00 | 'events_count'=12.00;13:;;0;\n",
            1,
        ),
    ];
    for (extra, line, code) in cases {
        let s = paged_server();
        let r = count(&s, extra);
        assert_eq!((r.stdout.as_str(), r.code), (*line, *code), "{extra:?}");
    }
}

#[test]
fn page_cap_is_unknown_never_a_partial_count() {
    let s = Server::start(|_| {
        Reply::json(
            200,
            json!({"Events": [event("x", "AwsApiCall", None)], "NextToken": format!("t{}", rand_token())}),
        )
    });
    let r = count(&s, &["--max-pages=3"]);
    assert_eq!(r.code, 3);
    assert!(
        r.stdout
            .starts_with("UNKNOWN: LookupEvents stopped after 3 pages (--max-pages)"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("Number of events"));
    assert_eq!(s.requests().len(), 3);
}

#[test]
fn timeout_ends_paging_as_unknown() {
    let s = Server::start(|_| {
        Reply::json(
            200,
            json!({"Events": [], "NextToken": format!("t{}", rand_token())}),
        )
    });
    let started = std::time::Instant::now();
    let r = count(&s, &["--timeout=2"]);
    assert_eq!(r.code, 3);
    // Pages come every 0.56 s at the default 1.8/s: the budget runs out
    // waiting for a slot, which is said before the request is sent.
    assert!(
        r.stdout.starts_with(
            "UNKNOWN: LookupEvents not sent: quota wait would exceed timeout (the API rate"
        ) && r.stdout.contains("past the --timeout of 2s"),
        "{}",
        r.stdout
    );
    assert!(started.elapsed() < Duration::from_secs(7));
}

#[test]
fn a_repeated_token_is_not_followed_forever() {
    let s = Server::start(|_| Reply::json(200, json!({"Events": [], "NextToken": "same"})));
    let r = count(&s, &[]);
    assert_eq!(r.code, 3);
    assert_eq!(
        r.stdout,
        "UNKNOWN: LookupEvents failed: unexpected response: the same NextToken came back twice \n"
    );
}

fn rand_token() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}
