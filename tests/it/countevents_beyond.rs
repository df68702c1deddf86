//! countevents beyond upstream (issue "[beyond]"): the lookup-attribute
//! filters (`--event-name`, `--event-source`, `--username`,
//! `--resource-type`, `--resource-name`, `--access-key-id`, `--read-only`:
//! the first given goes to LookupEvents, the others are checked here),
//! `--error-code`, `--filter-event-name`, `--insight`, `--exclude-self`,
//! the `--verbose` event list and `--stop-at-critical`. Every case checks
//! the exact request body and the exact output and exit code.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::util::{PLUGIN, Reply, Request, Run, Server, TempDir, now, run, run_against};

/// 2024-01-01T00:00:00Z.
const T0: i64 = 1_704_067_200;

/// One management event: the outer fields LookupEvents gives and the
/// record as a JSON string.
struct Ev {
    id: &'static str,
    name: &'static str,
    source: &'static str,
    user: Option<&'static str>,
    key: &'static str,
    read_only: bool,
    resources: &'static [(&'static str, &'static str)],
    error: Option<(&'static str, &'static str)>,
    agent: &'static str,
    ip: &'static str,
    event_type: &'static str,
}

const BASE_EV: Ev = Ev {
    id: "",
    name: "",
    source: "",
    user: Some("alice"),
    key: "AKIAALICE0000000001",
    read_only: false,
    resources: &[],
    error: None,
    agent: "aws-cli/2.15.0",
    ip: "203.0.113.1",
    event_type: "AwsApiCall",
};

/// The event as LookupEvents returns it, at `t` (epoch seconds).
fn event_json(e: &Ev, t: i64) -> Value {
    let mut record = json!({
        "eventVersion": "1.09",
        "eventID": e.id,
        "eventTime": check_cloudtrail::time::iso8601(t),
        "eventName": e.name,
        "eventSource": e.source,
        "eventType": e.event_type,
        "userAgent": e.agent,
        "sourceIPAddress": e.ip,
        "readOnly": e.read_only,
        "userIdentity": {
            "type": "IAMUser",
            "arn": format!("arn:aws:iam::123456789012:user/{}", e.user.unwrap_or("svc")),
            "accessKeyId": e.key,
        },
    });
    if let Some((code, message)) = e.error {
        record["errorCode"] = json!(code);
        record["errorMessage"] = json!(message);
    }
    let mut outer = json!({
        "EventId": e.id,
        "EventName": e.name,
        "EventSource": e.source,
        "EventTime": t,
        "AccessKeyId": e.key,
        "ReadOnly": e.read_only.to_string(),
        "Resources": e.resources.iter().map(|(t, n)| json!({"ResourceType": t, "ResourceName": n})).collect::<Vec<_>>(),
        "CloudTrailEvent": record.to_string(),
    });
    if let Some(u) = e.user {
        outer["Username"] = json!(u);
    }
    outer
}

/// Six management events, one second apart from T0 + 1.
fn management() -> Vec<Ev> {
    vec![
        Ev {
            id: "e1",
            name: "ConsoleLogin",
            source: "signin.amazonaws.com",
            agent: "Mozilla/5.0",
            event_type: "AwsConsoleSignIn",
            ..BASE_EV
        },
        Ev {
            id: "e2",
            name: "ConsoleLogin",
            source: "signin.amazonaws.com",
            user: Some("bob"),
            key: "AKIABOB00000000002",
            agent: "Mozilla/5.0",
            ip: "203.0.113.2",
            event_type: "AwsConsoleSignIn",
            ..BASE_EV
        },
        Ev {
            id: "e3",
            name: "CreateUser",
            source: "iam.amazonaws.com",
            resources: &[("AWS::IAM::User", "carol")],
            error: Some((
                "AccessDenied",
                "User: alice is not authorized to perform: iam:CreateUser",
            )),
            ip: "203.0.113.3",
            ..BASE_EV
        },
        Ev {
            id: "e4",
            name: "LookupEvents",
            source: "cloudtrail.amazonaws.com",
            user: Some("nagios"),
            key: "AKIANAGIOS00000004",
            read_only: true,
            agent: "check_cloudtrail/0.1.0",
            ip: "192.0.2.4",
            ..BASE_EV
        },
        Ev {
            id: "e5",
            name: "PutObject",
            source: "s3.amazonaws.com",
            user: None,
            key: "ASIADEPLOY00000005",
            resources: &[
                ("AWS::S3::Bucket", "logs"),
                ("AWS::S3::Object", "logs/a.txt"),
            ],
            ip: "AWS Internal",
            ..BASE_EV
        },
        Ev {
            id: "e6",
            name: "DeleteUser",
            source: "iam.amazonaws.com",
            resources: &[("AWS::IAM::User", "bob")],
            error: Some((
                "AccessDenied",
                "User: alice is not authorized to perform: iam:DeleteUser",
            )),
            ip: "203.0.113.6",
            ..BASE_EV
        },
    ]
}

/// Two Insights events.
fn insights() -> Vec<Value> {
    ["i1", "i2"]
        .iter()
        .map(|id| {
            let record = json!({
                "eventVersion": "1.08",
                "eventID": id,
                "eventTime": "2024-01-01T00:10:00Z",
                "eventType": "AwsCloudTrailInsight",
                "eventCategory": "Insight",
                "insightDetails": {
                    "state": "Start",
                    "eventSource": "s3.amazonaws.com",
                    "eventName": "PutObject",
                    "insightType": "ApiCallRateInsight",
                },
            });
            json!({
                "EventId": id,
                "EventName": "PutObject",
                "EventSource": "s3.amazonaws.com",
                "EventTime": T0 + 600,
                "Resources": [],
                "CloudTrailEvent": record.to_string(),
            })
        })
        .collect()
}

/// Whether an outer event has the lookup attribute, as CloudTrail sees it.
fn has_attribute(e: &Value, key: &str, value: &str) -> bool {
    let resources = || e["Resources"].as_array().cloned().unwrap_or_default();
    match key {
        "ResourceType" | "ResourceName" => resources().iter().any(|r| r[key] == value),
        _ => e[key] == value,
    }
}

/// A LookupEvents that filters as CloudTrail does: the one lookup
/// attribute, the category and (with `window`) the time window; `page`
/// events a page, the NextToken being the offset of the next.
fn server_of(events: Vec<Value>, window: bool, page: usize) -> Server {
    let insight = insights();
    Server::start(move |req: &Request| {
        let body = req.json();
        let list = if body["EventCategory"] == "insight" {
            &insight
        } else {
            &events
        };
        let attrs = body["LookupAttributes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if attrs.len() > 1 {
            return Reply::aws_error(
                400,
                "InvalidLookupAttributesException",
                "You cannot have more than 1 lookup attribute",
            );
        }
        let (start, end) = (body["StartTime"].as_i64(), body["EndTime"].as_i64());
        let out: Vec<Value> = list
            .iter()
            .filter(|e| {
                attrs.iter().all(|a| {
                    has_attribute(
                        e,
                        a["AttributeKey"].as_str().unwrap(),
                        a["AttributeValue"].as_str().unwrap(),
                    )
                })
            })
            .filter(|e| {
                let t = e["EventTime"].as_i64().unwrap();
                !window || (start.is_none_or(|s| t >= s) && end.is_none_or(|x| t <= x))
            })
            .cloned()
            .collect();
        let offset: usize = body["NextToken"].as_str().map_or(0, |t| t.parse().unwrap());
        let mut reply =
            json!({ "Events": out[offset.min(out.len())..(offset + page).min(out.len())] });
        if offset + page < out.len() {
            reply["NextToken"] = json!((offset + page).to_string());
        }
        Reply::json(200, reply)
    })
}

/// The six management events at T0 + 1 … T0 + 6, whatever the window
/// asked (a test's window never reaches 2024).
fn server() -> Server {
    let events: Vec<Value> = management()
        .iter()
        .zip(1..)
        .map(|(e, i)| event_json(e, T0 + i))
        .collect();
    server_of(events, false, 50)
}

fn count(s: &Server, extra: &[&str]) -> Run {
    run_against(
        s,
        &[&["--custommode=paws", "--mode=countevents"][..], extra].concat(),
    )
}

fn line(n: usize) -> String {
    format!("OK: Number of events: {n}.00 | 'events_count'={n}.00;;;0;\n")
}

/// The body of a request without its window, which is checked apart:
/// an hour ending now.
fn body_without_window(req: &Request) -> Value {
    let mut b = req.json();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let (start, end) = (
        b["StartTime"].as_i64().unwrap(),
        b["EndTime"].as_i64().unwrap(),
    );
    assert_eq!(end - start, 3600, "{b}");
    assert!((now - 30..=now).contains(&end), "{b}");
    let o = b.as_object_mut().unwrap();
    o.remove("StartTime");
    o.remove("EndTime");
    b
}

#[test]
fn each_lookup_attribute_goes_to_the_api() {
    let cases: &[(&str, &str, &str, usize)] = &[
        ("--event-name=ConsoleLogin", "EventName", "ConsoleLogin", 2),
        (
            "--event-source=iam.amazonaws.com",
            "EventSource",
            "iam.amazonaws.com",
            2,
        ),
        ("--username=alice", "Username", "alice", 3),
        (
            "--resource-type=AWS::IAM::User",
            "ResourceType",
            "AWS::IAM::User",
            2,
        ),
        ("--resource-name=logs", "ResourceName", "logs", 1),
        (
            "--access-key-id=AKIABOB00000000002",
            "AccessKeyId",
            "AKIABOB00000000002",
            1,
        ),
        ("--read-only=true", "ReadOnly", "true", 1),
        // Any case, sent as CloudTrail writes it.
        ("--read-only=FALSE", "ReadOnly", "false", 5),
    ];
    for (opt, key, value, n) in cases {
        let s = server();
        let r = count(&s, &[opt]);
        assert_eq!((r.stdout.as_str(), r.code), (line(*n).as_str(), 0), "{opt}");
        let reqs = s.requests();
        assert_eq!(reqs.len(), 1);
        assert_eq!(
            body_without_window(&reqs[0]),
            json!({
                "MaxResults": 50,
                "LookupAttributes": [{"AttributeKey": key, "AttributeValue": value}]
            }),
            "{opt}"
        );
    }
    // Without any: no LookupAttributes, no EventCategory.
    let s = server();
    assert_eq!(count(&s, &[]).stdout, line(6));
    assert_eq!(
        body_without_window(&s.requests()[0]),
        json!({"MaxResults": 50})
    );
}

#[test]
fn only_the_first_attribute_goes_to_the_api_the_others_filter_here() {
    // (options, the attribute sent, count)
    let cases: &[(&[&str], (&str, &str), usize)] = &[
        // ConsoleLogin from the API (e1, e2), bob here.
        (
            &["--username=bob", "--event-name=ConsoleLogin"],
            ("EventName", "ConsoleLogin"),
            1,
        ),
        // iam from the API (e3, e6); alice and not read-only here.
        (
            &[
                "--read-only=false",
                "--username=alice",
                "--event-source=iam.amazonaws.com",
            ],
            ("EventSource", "iam.amazonaws.com"),
            2,
        ),
        // IAM users from the API (e3, e6); the one named bob here.
        (
            &["--resource-name=bob", "--resource-type=AWS::IAM::User"],
            ("ResourceType", "AWS::IAM::User"),
            1,
        ),
        // Any of an event's resources.
        (
            &["--resource-type=AWS::S3::Object", "--resource-name=logs"],
            ("ResourceType", "AWS::S3::Object"),
            1,
        ),
        (
            &["--access-key-id=AKIAALICE0000000001", "--username=alice"],
            ("Username", "alice"),
            3,
        ),
        // Exact and case-sensitive here.
        (
            &["--event-name=ConsoleLogin", "--username=ALICE"],
            ("EventName", "ConsoleLogin"),
            0,
        ),
        // e5 has no Username (its identity's ARN does not count as one).
        (
            &["--event-source=s3.amazonaws.com", "--username=svc"],
            ("EventSource", "s3.amazonaws.com"),
            0,
        ),
    ];
    for (opts, (key, value), n) in cases {
        let s = server();
        let r = count(&s, opts);
        assert_eq!(
            (r.stdout.as_str(), r.code),
            (line(*n).as_str(), 0),
            "{opts:?}"
        );
        assert_eq!(
            body_without_window(&s.requests()[0]),
            json!({
                "MaxResults": 50,
                "LookupAttributes": [{"AttributeKey": key, "AttributeValue": value}]
            }),
            "{opts:?}"
        );
    }
}

#[test]
fn insight_asks_for_insights_events() {
    let s = server();
    let r = count(&s, &["--insight"]);
    assert_eq!((r.stdout.as_str(), r.code), (line(2).as_str(), 0));
    assert_eq!(
        body_without_window(&s.requests()[0]),
        json!({"MaxResults": 50, "EventCategory": "insight"})
    );
    let s = server();
    let r = count(&s, &["--insight", "--event-name=PutObject", "--verbose"]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (
            "OK: Number of events: 2.00 | 'events_count'=2.00;;;0;\n\
             2024-01-01T00:10:00Z PutObject - -\n\
             2024-01-01T00:10:00Z PutObject - -\n",
            0
        )
    );
    assert_eq!(
        body_without_window(&s.requests()[0]),
        json!({
            "MaxResults": 50,
            "EventCategory": "insight",
            "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "PutObject"}]
        })
    );
    // Given 0, a flag is off.
    let s = server();
    assert_eq!(count(&s, &["--insight=0"]).stdout, line(6));
    assert_eq!(
        body_without_window(&s.requests()[0]),
        json!({"MaxResults": 50})
    );
}

#[test]
fn error_code_event_name_pattern_and_self_filter_here() {
    let cases: &[(&[&str], usize)] = &[
        (&["--error-code=AccessDenied"], 2),
        // Exact: neither a prefix nor another case.
        (&["--error-code=Access"], 0),
        (&["--error-code=accessdenied"], 0),
        (&["--filter-event-name=User$"], 2),
        (&["--filter-event-name=^(Create|Put)"], 2),
        (&["--filter-event-name=Login"], 2),
        // Unanchored, case-sensitive; (?i) for either case.
        (&["--filter-event-name=login"], 0),
        (&["--filter-event-name=(?i)login"], 2),
        (&["--exclude-self"], 5),
        (&["--exclude-self=0"], 6),
        (
            &["--error-code=AccessDenied", "--filter-event-name=^Delete"],
            1,
        ),
        (&["--exclude-self", "--filter-event-name=Events$"], 0),
    ];
    for (opts, n) in cases {
        let s = server();
        let r = count(&s, opts);
        assert_eq!(
            (r.stdout.as_str(), r.code),
            (line(*n).as_str(), 0),
            "{opts:?}"
        );
        // Nothing of these reaches the API.
        assert_eq!(
            body_without_window(&s.requests()[0]),
            json!({"MaxResults": 50}),
            "{opts:?}"
        );
    }
}

#[test]
fn our_filters_and_upstreams_or() {
    let cases: &[(&[&str], usize)] = &[
        // Upstream: a sign-in or a message matching: e1, e2, e3, e6.
        (
            &[
                "--event-type=AwsConsoleSignIn",
                "--error-message=authorized",
            ],
            4,
        ),
        // And alice's (sent to the API): e1, e3, e6.
        (
            &[
                "--event-type=AwsConsoleSignIn",
                "--error-message=authorized",
                "--username=alice",
            ],
            3,
        ),
        // And an error code: e3, e6.
        (
            &[
                "--event-type=AwsConsoleSignIn",
                "--error-message=authorized",
                "--username=alice",
                "--error-code=AccessDenied",
            ],
            2,
        ),
        // And a name: e6.
        (
            &[
                "--event-type=AwsConsoleSignIn",
                "--error-message=authorized",
                "--username=alice",
                "--error-code=AccessDenied",
                "--filter-event-name=Delete",
            ],
            1,
        ),
        // Our own LookupEvents calls, left out: e4 was AwsApiCall.
        (&["--event-type=AwsApiCall", "--exclude-self"], 3),
        (&["--event-type=AwsApiCall"], 4),
    ];
    for (opts, n) in cases {
        let s = server();
        let r = count(&s, opts);
        assert_eq!(
            (r.stdout.as_str(), r.code),
            (line(*n).as_str(), 0),
            "{opts:?}"
        );
    }
}

#[test]
fn thresholds_apply_to_the_filtered_count() {
    let s = server();
    let r = count(
        &s,
        &[
            "--error-code=AccessDenied",
            "--warning-count=0",
            "--critical-count=5",
        ],
    );
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (
            "WARNING: Number of events: 2.00 | 'events_count'=2.00;0:0;0:5;0;\n",
            1
        )
    );
}

#[test]
fn verbose_lists_the_events_counted() {
    let s = server();
    // Without --verbose, the line alone.
    let r = count(&s, &["--error-code=AccessDenied"]);
    assert_eq!(r.stdout, line(2));
    let r = count(&s, &["--error-code=AccessDenied", "--verbose"]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (
            "OK: Number of events: 2.00 | 'events_count'=2.00;;;0;\n\
             2024-01-01T00:00:03Z CreateUser alice 203.0.113.3 AccessDenied\n\
             2024-01-01T00:00:06Z DeleteUser alice 203.0.113.6 AccessDenied\n",
            0
        )
    );
    // No Username: the identity's ARN; no error: nothing after the address.
    let r = count(&s, &["--resource-name=logs", "--verbose"]);
    assert_eq!(
        r.stdout,
        "OK: Number of events: 1.00 | 'events_count'=1.00;;;0;\n\
         2024-01-01T00:00:05Z PutObject arn:aws:iam::123456789012:user/svc AWS Internal\n"
    );
    // A CRITICAL keeps them; a count of 0 lists nothing.
    let r = count(
        &s,
        &[
            "--event-name=ConsoleLogin",
            "--critical-count=1",
            "--verbose",
        ],
    );
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (
            "CRITICAL: Number of events: 2.00 | 'events_count'=2.00;;0:1;0;\n\
             2024-01-01T00:00:01Z ConsoleLogin alice 203.0.113.1\n\
             2024-01-01T00:00:02Z ConsoleLogin bob 203.0.113.2\n",
            2
        )
    );
    let r = count(&s, &["--event-name=Nothing", "--verbose"]);
    assert_eq!(r.stdout, line(0));
}

#[test]
fn verbose_lists_at_most_fifty() {
    // 60 events over two pages of 50 and 10.
    let all: Vec<Value> = (0..60)
        .map(|i| {
            let mut v = event_json(
                &Ev {
                    id: "x",
                    name: "GetObject",
                    source: "s3.amazonaws.com",
                    ..BASE_EV
                },
                T0 + i,
            );
            v["EventId"] = json!(format!("g{i}"));
            v
        })
        .collect();
    let s = Server::start(move |req: &Request| {
        let second = req.json().get("NextToken").is_some();
        if second {
            Reply::json(200, json!({"Events": all[50..].to_vec()}))
        } else {
            Reply::json(
                200,
                json!({"Events": all[..50].to_vec(), "NextToken": "p2"}),
            )
        }
    });
    let r = count(&s, &["--verbose"]);
    assert_eq!(r.code, 0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 1 + 50 + 1, "{}", r.stdout);
    assert_eq!(
        lines[0],
        "OK: Number of events: 60.00 | 'events_count'=60.00;;;0;"
    );
    assert_eq!(lines[1], "2024-01-01T00:00:00Z GetObject alice 203.0.113.1");
    assert_eq!(
        lines[50],
        "2024-01-01T00:00:49Z GetObject alice 203.0.113.1"
    );
    assert_eq!(lines[51], "… and 10 more");
    // Not listed without --verbose; --debug lists them too.
    assert_eq!(count(&s, &[]).stdout.lines().count(), 1);
    let r = count(&s, &["--debug"]);
    assert!(r.stdout.contains("\n… and 10 more\n"), "{}", r.stdout);
}

/// 12 events over 3 pages of 4; every second one failed with
/// AccessDenied.
fn paged_server() -> Server {
    Server::paged(3, |page| {
        (0..4)
            .map(|i| {
                let n = page as i64 * 4 + i;
                let mut v = event_json(
                    &Ev {
                        id: "x",
                        name: "GetObject",
                        source: "s3.amazonaws.com",
                        error: (i % 2 == 1).then_some(("AccessDenied", "denied")),
                        ..BASE_EV
                    },
                    T0 + n,
                );
                v["EventId"] = json!(format!("p{n}"));
                v
            })
            .collect()
    })
}

#[test]
fn stop_at_critical_stops_paging() {
    // (options, requests, line, exit)
    let cases: &[(&[&str], usize, &str, i32)] = &[
        // 8 > 5 after two pages: the third is not read.
        (
            &["--critical-count=5", "--stop-at-critical"],
            2,
            "CRITICAL: Number of events: at least 8.00 | 'events_count'=8.00;;0:5;0;\n",
            2,
        ),
        // Without the flag, every page.
        (
            &["--critical-count=5"],
            3,
            "CRITICAL: Number of events: 12.00 | 'events_count'=12.00;;0:5;0;\n",
            2,
        ),
        // Beyond only on the last page: the count is whole.
        (
            &["--critical-count=10", "--stop-at-critical"],
            3,
            "CRITICAL: Number of events: 12.00 | 'events_count'=12.00;;0:10;0;\n",
            2,
        ),
        // Never beyond: everything read, OK.
        (
            &["--critical-count=20", "--stop-at-critical"],
            3,
            "OK: Number of events: 12.00 | 'events_count'=12.00;;0:20;0;\n",
            0,
        ),
        (
            &[
                "--critical-count=~:3",
                "--warning-count=1",
                "--stop-at-critical",
            ],
            1,
            "CRITICAL: Number of events: at least 4.00 | 'events_count'=4.00;0:1;~:3;0;\n",
            2,
        ),
        // @2: alerts from 2 up.
        (
            &["--critical-count=@2:", "--stop-at-critical"],
            1,
            "CRITICAL: Number of events: at least 4.00 | 'events_count'=4.00;;@2:;0;\n",
            2,
        ),
        // The filters count: 2 per page, 4 > 3 after two pages.
        (
            &[
                "--error-code=AccessDenied",
                "--critical-count=3",
                "--stop-at-critical",
            ],
            2,
            "CRITICAL: Number of events: at least 4.00 | 'events_count'=4.00;;0:3;0;\n",
            2,
        ),
        // At the page cap, CRITICAL known wins over the cap's UNKNOWN…
        (
            &["--max-pages=1", "--critical-count=3", "--stop-at-critical"],
            1,
            "CRITICAL: Number of events: at least 4.00 | 'events_count'=4.00;;0:3;0;\n",
            2,
        ),
        // …but not otherwise.
        (
            &["--max-pages=1", "--critical-count=10", "--stop-at-critical"],
            1,
            "UNKNOWN: LookupEvents stopped after 1 pages (--max-pages) with more events left: the count would be partial; narrow --delta or raise --max-pages \n",
            3,
        ),
    ];
    for (opts, requests, out, code) in cases {
        let s = paged_server();
        let r = count(&s, opts);
        assert_eq!((r.stdout.as_str(), r.code), (*out, *code), "{opts:?}");
        assert_eq!(s.requests().len(), *requests, "{opts:?}");
    }
    // --verbose lists the events read.
    let s = paged_server();
    let r = count(
        &s,
        &[
            "--error-code=AccessDenied",
            "--critical-count=3",
            "--stop-at-critical",
            "--verbose",
        ],
    );
    assert_eq!(
        r.stdout,
        "CRITICAL: Number of events: at least 4.00 | 'events_count'=4.00;;0:3;0;\n\
         2024-01-01T00:00:01Z GetObject alice 203.0.113.1 AccessDenied\n\
         2024-01-01T00:00:03Z GetObject alice 203.0.113.1 AccessDenied\n\
         2024-01-01T00:00:05Z GetObject alice 203.0.113.1 AccessDenied\n\
         2024-01-01T00:00:07Z GetObject alice 203.0.113.1 AccessDenied\n"
    );
}

#[test]
fn stop_at_critical_needs_a_range_alerting_above() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--stop-at-critical"],
            "UNKNOWN: --stop-at-critical needs --critical-count (like 10: CRITICAL above 10). \n",
        ),
        (
            &["--stop-at-critical", "--critical-count=10:"],
            "UNKNOWN: --stop-at-critical needs a --critical-count that alerts above a bound (like 10, ~:10, 5:10 or @10:), got '10:'. \n",
        ),
        (
            &["--stop-at-critical", "--critical-count=@1:9"],
            "UNKNOWN: --stop-at-critical needs a --critical-count that alerts above a bound (like 10, ~:10, 5:10 or @10:), got '@1:9'. \n",
        ),
    ];
    for (opts, out) in cases {
        let s = paged_server();
        let r = count(&s, opts);
        assert_eq!((r.stdout.as_str(), r.code), (*out, 3), "{opts:?}");
        assert!(s.requests().is_empty());
    }
}

#[test]
fn bad_values_are_unknown_before_any_request() {
    let cases: &[(&str, &str)] = &[
        (
            "--read-only=maybe",
            "UNKNOWN: --read-only must be true or false, got 'maybe'. \n",
        ),
        (
            "--access-key-id=akiaexample",
            "UNKNOWN: --access-key-id 'akiaexample' is not an access key id (16 to 128 of A-Z and 0-9). \n",
        ),
        (
            "--event-name=Console\tLogin",
            "UNKNOWN: --event-name 'Console Login' is not a lookup value: at most 2000 characters, no control characters. \n",
        ),
        (
            "--username=a\u{7}b",
            "UNKNOWN: --username 'a b' is not a lookup value: at most 2000 characters, no control characters. \n",
        ),
        (
            "--error-code=Access\nDenied",
            "UNKNOWN: --error-code 'Access Denied' is not an error code: at most 2000 characters, no control characters. \n",
        ),
        (
            "--filter-event-name=(?!Get)",
            "UNKNOWN: --filter-event-name '(?!Get)' is not a supported regular expression: look-around is not supported \n",
        ),
        (
            "--filter-event-name=Get\\w++",
            "UNKNOWN: --filter-event-name 'Get\\w++' is not a supported regular expression: possessive quantifiers are not supported \n",
        ),
    ];
    for (opt, out) in cases {
        let s = server();
        let r = count(&s, &[opt]);
        assert_eq!((r.stdout.as_str(), r.code), (*out, 3), "{opt}");
        assert!(s.requests().is_empty());
    }
    // Mode options: unknown with the other mode.
    let r = run(&[
        PLUGIN,
        "--mode=checktrailstatus",
        "--region=eu-west-1",
        "--trail-name=t",
        "--exclude-self",
    ]);
    assert_eq!(r.code, 3);
    assert_eq!(r.line(), "UNKNOWN: Unknown option: --exclude-self ");
}

/// Events inside the last hour, so that incremental reads keep them:
/// e1 and e2 (ConsoleLogin) half an hour before the time returned, the
/// others a minute before; `page` a page.
fn recent_server(page: usize) -> (Server, i64) {
    let t = now();
    let events: Vec<Value> = management()
        .iter()
        .enumerate()
        .map(|(i, e)| event_json(e, if i < 2 { t - 1800 } else { t - 60 }))
        .collect();
    (server_of(events, true, page), t)
}

/// The window of a run's first request: its length in seconds.
fn window_of(req: &Request) -> i64 {
    let b = req.json();
    b["EndTime"].as_i64().unwrap() - b["StartTime"].as_i64().unwrap()
}

#[test]
fn the_events_kept_are_per_query() {
    let (s, t) = recent_server(50);
    let dir = TempDir::new("beyond-cache");
    let state = format!("--statefile-dir={}", dir.0.display());
    let mut seen = 0;
    let mut go = |opts: &[&str]| -> (String, i64, Value) {
        let mut v = vec![state.as_str()];
        v.extend_from_slice(opts);
        let r = count(&s, &v);
        let reqs = s.requests();
        let first = &reqs[seen];
        seen = reqs.len();
        (r.stdout, window_of(first), first.json())
    };
    // A full read, kept.
    let (out, w, _) = go(&["--event-name=ConsoleLogin"]);
    assert_eq!((out.as_str(), w), (line(2).as_str(), 3600));
    // Another query: its own full read.
    let (out, w, body) = go(&["--event-name=CreateUser"]);
    assert_eq!((out.as_str(), w), (line(1).as_str(), 3600));
    assert_eq!(body["LookupAttributes"][0]["AttributeValue"], "CreateUser");
    // No attribute, or Insights: other queries too.
    assert_eq!(go(&[]).1, 3600);
    assert_eq!(go(&["--insight"]).1, 3600);
    // The first query again: since the last run minus 15 minutes, which
    // no longer reaches the ConsoleLogins of half an hour ago: they come
    // from the state, with every field our filters read.
    let (out, w, _) = go(&["--event-name=ConsoleLogin"]);
    assert_eq!(out, line(2));
    assert!(w < 1000, "{w}");
    let (out, w, _) = go(&["--event-name=ConsoleLogin", "--username=bob", "--verbose"]);
    assert!(w < 1000, "{w}");
    assert_eq!(
        out,
        format!(
            "{}{} ConsoleLogin bob 203.0.113.2\n",
            line(1),
            check_cloudtrail::time::iso8601(t - 1800)
        )
    );
}

#[test]
fn a_stopped_read_is_not_kept() {
    let s = paged_server();
    let dir = TempDir::new("beyond-stop");
    let state = format!("--statefile-dir={}", dir.0.display());
    let r = count(&s, &[&state, "--critical-count=5", "--stop-at-critical"]);
    assert_eq!(r.code, 2);
    assert_eq!(s.requests().len(), 2);
    // The next run reads the whole window again…
    let r = count(&s, &[&state]);
    assert_eq!(r.stdout, line(12));
    let reqs = s.requests();
    assert_eq!(reqs.len(), 5);
    assert_eq!(window_of(&reqs[2]), 3600);
    // …and keeps it: the one after reads only since then.
    count(&s, &[&state]);
    assert!(window_of(&s.requests()[5]) < 1000);
}

#[test]
fn stop_at_critical_counts_the_events_kept() {
    let (s, _) = recent_server(2);
    let dir = TempDir::new("beyond-stop-kept");
    let state = format!("--statefile-dir={}", dir.0.display());
    // A full read of 6 events over 3 pages, kept.
    assert_eq!(count(&s, &[&state]).stdout, line(6));
    assert_eq!(s.requests().len(), 3);
    // Since then minus 15 minutes: the 4 recent events over 2 pages. After
    // the first, 2 read and 4 kept (the half-hour-old ConsoleLogins and
    // the 2 recent events not read again yet): 6 > 3.
    let r = count(&s, &[&state, "--critical-count=3", "--stop-at-critical"]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (
            "CRITICAL: Number of events: at least 6.00 | 'events_count'=6.00;;0:3;0;\n",
            2
        )
    );
    let reqs = s.requests();
    assert_eq!(reqs.len(), 4);
    assert!(window_of(&reqs[3]) < 1000);
    // With a filter, only the matching ones count: ConsoleLogin, both
    // kept (2 > 1 at once, but never asked before a page is read).
    let r = count(
        &s,
        &[
            &state,
            "--filter-event-name=Login",
            "--critical-count=1",
            "--stop-at-critical",
        ],
    );
    assert_eq!(
        r.stdout,
        "CRITICAL: Number of events: at least 2.00 | 'events_count'=2.00;;0:1;0;\n"
    );
    assert_eq!(s.requests().len(), 5);
}

/// A fake `aws` that writes its arguments (one a line, then `--`) to a
/// log and answers two pages of the paged events.
fn fake_aws(dir: &TempDir) -> String {
    let page = |n: i64, next: Option<&str>| {
        let events: Vec<Value> = (0..4)
            .map(|i| {
                let mut v = event_json(
                    &Ev {
                        id: "x",
                        name: if i == 0 { "ConsoleLogin" } else { "GetObject" },
                        source: "s3.amazonaws.com",
                        error: (i % 2 == 1).then_some(("AccessDenied", "denied")),
                        ..BASE_EV
                    },
                    T0 + n * 4 + i,
                );
                v["EventId"] = json!(format!("c{}", n * 4 + i));
                v
            })
            .collect();
        let mut out = json!({ "Events": events });
        if let Some(t) = next {
            out["NextToken"] = json!(t);
        }
        out.to_string()
    };
    dir.write("page1.json", &page(0, Some("tok2")), false);
    dir.write("page2.json", &page(1, None), false);
    let d = dir.0.display();
    dir.write(
        "aws",
        &format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done >> {d}/args.log\n\
             echo -- >> {d}/args.log\n\
             case \" $* \" in *' --starting-token '*) cat {d}/page2.json ;; *) cat {d}/page1.json ;; esac\n"
        ),
        true,
    );
    d.to_string()
}

/// Each run of the fake CLI: its arguments.
fn cli_runs(dir: &TempDir) -> Vec<Vec<String>> {
    let log = std::fs::read_to_string(dir.0.join("args.log")).unwrap_or_default();
    log.split("--\n")
        .filter(|r| !r.is_empty())
        .map(|r| r.lines().map(str::to_owned).collect())
        .collect()
}

fn count_cli(dir: &str, extra: &[&str]) -> Run {
    let path = format!("--command-path={dir}");
    let mut args = vec![
        PLUGIN,
        "--custommode=awscli",
        &path,
        "--region=eu-west-1",
        "--aws-access-key=AKIDEXAMPLE",
        "--aws-secret-key=SECRETEXAMPLE",
        "--mode=countevents",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn awscli_passes_the_query() {
    let dir = TempDir::new("beyond-aws");
    let d = fake_aws(&dir);
    let r = count_cli(
        &d,
        &[
            "--event-name=ConsoleLogin",
            "--username=alice",
            "--insight",
            "--error-code=AccessDenied",
        ],
    );
    // ConsoleLogin sent; alice and AccessDenied checked here: 4 of 8.
    assert_eq!((r.stdout.as_str(), r.code), (line(4).as_str(), 0));
    let runs = cli_runs(&dir);
    assert_eq!(runs.len(), 2);
    let first = &runs[0];
    let (start, end) = (&first[3], &first[5]);
    assert_eq!(
        end.parse::<i64>().unwrap() - start.parse::<i64>().unwrap(),
        3600
    );
    assert_eq!(
        first,
        &[
            "cloudtrail",
            "lookup-events",
            "--start-time",
            start,
            "--end-time",
            end,
            "--lookup-attributes",
            "AttributeKey=EventName,AttributeValue=ConsoleLogin",
            "--event-category",
            "insight",
            "--max-items",
            "50",
            "--page-size",
            "50",
            "--region",
            "eu-west-1",
            "--output",
            "json",
        ]
    );
    assert_eq!(runs[1][..first.len()], first[..]);
    assert_eq!(runs[1][first.len()..], ["--starting-token", "tok2"]);
}

#[test]
fn awscli_values_beyond_the_shorthand_go_as_json() {
    let dir = TempDir::new("beyond-aws-json");
    let d = fake_aws(&dir);
    count_cli(&d, &["--resource-name=my bucket,2"]);
    let runs = cli_runs(&dir);
    assert_eq!(runs[0][6], "--lookup-attributes");
    assert_eq!(
        serde_json::from_str::<Value>(&runs[0][7]).unwrap(),
        json!([{"AttributeKey": "ResourceName", "AttributeValue": "my bucket,2"}])
    );
    assert_eq!(runs[0][8], "--max-items");
}

#[test]
fn awscli_stops_at_critical_too() {
    let dir = TempDir::new("beyond-aws-stop");
    let d = fake_aws(&dir);
    let r = count_cli(&d, &["--critical-count=3", "--stop-at-critical"]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (
            "CRITICAL: Number of events: at least 4.00 | 'events_count'=4.00;;0:3;0;\n",
            2
        )
    );
    assert_eq!(cli_runs(&dir).len(), 1);
    // --exclude-self and --filter-event-name through the CLI as well.
    let dir = TempDir::new("beyond-aws-filters");
    let d = fake_aws(&dir);
    let r = count_cli(&d, &["--filter-event-name=^Get", "--exclude-self"]);
    assert_eq!(r.stdout, line(6));
    assert!(cli_runs(&dir)[0].iter().all(|a| a != "--lookup-attributes"));
}
