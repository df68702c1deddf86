//! A failed call is UNKNOWN with the reason, never "OK: 0 events".

use std::net::TcpListener;

use serde_json::json;

use crate::util::{PLUGIN, Reply, SECRET, Server, run, run_env};

fn both_modes(endpoint: &str, extra: &[&str]) -> Vec<crate::util::Run> {
    let ep = format!("--endpoint-url={endpoint}");
    let secret = format!("--aws-secret-key={SECRET}");
    let base = [
        PLUGIN,
        "--region=eu-west-1",
        "--aws-access-key=AKIDEXAMPLE",
        &secret,
        &ep,
    ];
    ["--mode=checktrailstatus", "--mode=countevents"]
        .into_iter()
        .map(|mode| {
            let mut args = base.to_vec();
            args.push(mode);
            if mode.ends_with("checktrailstatus") {
                args.push("--trail-name=my-trail");
            }
            args.extend_from_slice(extra);
            run(&args)
        })
        .collect()
}

#[test]
fn aws_error_bodies_become_the_unknown_line() {
    // (status, code, message, retried): throttling and 5xx are retried
    // (3 attempts in all), the rest fail at once.
    let cases = [
        (
            400,
            "TrailNotFoundException",
            "Unknown trail: my-trail for the user: 123456789012",
            false,
        ),
        (
            400,
            "AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/x is not authorized to perform: cloudtrail:LookupEvents",
            false,
        ),
        (
            400,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
            false,
        ),
        (
            400,
            "ExpiredTokenException",
            "The security token included in the request is expired",
            false,
        ),
        (400, "ThrottlingException", "Rate exceeded", true),
        (500, "InternalFailure", "internal error", true),
    ];
    for (status, code, message, retried) in cases {
        let s = Server::start(move |_| Reply::aws_error(status, code, message));
        let runs = both_modes(&s.url("/"), &[]);
        for (r, op) in runs.iter().zip(["GetTrailStatus", "LookupEvents"]) {
            assert_eq!(r.code, 3);
            let suffix = if retried { " (after 3 attempts)" } else { "" };
            assert_eq!(
                r.stdout,
                format!("UNKNOWN: {op} failed: {code}: {message}{suffix} \n")
            );
        }
        assert_eq!(s.requests().len(), if retried { 6 } else { 2 }, "{code}");
    }
}

#[test]
fn coral_style_type_and_header() {
    let s = Server::start(|_| {
        Reply {
        status: 400,
        headers: vec![("x-amzn-errortype".into(), "InvalidSignatureException:http://internal.amazon.com/coral/".into())],
        body: br#"{"__type":"com.amazon.coral.service#InvalidSignatureException","Message":"The request signature we calculated does not match the signature you provided."}"#.to_vec(),
    }
    });
    let r = &both_modes(&s.url("/"), &[])[0];
    assert_eq!(
        r.stdout,
        "UNKNOWN: GetTrailStatus failed: InvalidSignatureException: The request signature we calculated does not match the signature you provided. \n"
    );
}

#[test]
fn clock_skew_says_by_how_much() {
    let s = Server::start(|_| {
        Reply {
        status: 400,
        headers: vec![("date".into(), "Sun, 30 Aug 2015 12:36:00 GMT".into())],
        body: br#"{"__type":"InvalidSignatureException","message":"Signature expired: 20260101T000000Z is now earlier than 20150830T123100Z (20150830T123600Z - 5 min.)"}"#.to_vec(),
    }
    });
    let r = &both_modes(&s.url("/"), &[])[0];
    assert_eq!(r.code, 3);
    assert!(
        r.stdout.contains("the poller's clock is") && r.stdout.contains("ahead of the server's"),
        "{}",
        r.stdout
    );
}

#[test]
fn non_json_success_is_unknown() {
    let s = Server::start(|_| Reply {
        status: 200,
        headers: vec![],
        body: b"<html><body>captive portal</body></html>".to_vec(),
    });
    for r in both_modes(&s.url("/"), &[]) {
        assert_eq!(r.code, 3);
        assert!(
            r.stdout
                .contains("failed: unexpected response: HTTP 200 body is not JSON"),
            "{}",
            r.stdout
        );
    }
}

#[test]
fn missing_events_is_unknown() {
    let s = Server::start(|_| Reply::json(200, json!({"NextToken": null})));
    let r = &both_modes(&s.url("/"), &[])[1];
    assert_eq!(
        r.stdout,
        "UNKNOWN: LookupEvents failed: unexpected response: no Events in the answer \n"
    );
}

#[test]
fn connection_refused() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for (r, op) in both_modes(&format!("http://127.0.0.1:{port}/"), &[])
        .iter()
        .zip(["GetTrailStatus", "LookupEvents"])
    {
        assert_eq!(
            r.stdout,
            format!(
                "UNKNOWN: {op} failed: connection refused by 127.0.0.1:{port} (after 3 attempts) \n"
            )
        );
        assert_eq!(r.code, 3);
    }
}

#[test]
fn opt_exit_sets_the_error_state() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = &both_modes(
        &format!("http://127.0.0.1:{port}/"),
        &["--opt-exit=critical"],
    )[0];
    assert_eq!(r.code, 2);
    assert!(
        r.stdout
            .starts_with("CRITICAL: GetTrailStatus failed: connection refused"),
        "{}",
        r.stdout
    );
}

#[test]
fn no_credentials_is_unknown() {
    let s = Server::start(|_| Reply::json(200, json!({"IsLogging": true})));
    let r = run_env(
        &[
            PLUGIN,
            "--region=eu-west-1",
            "--mode=checktrailstatus",
            "--trail-name=t",
            &format!("--endpoint-url={}", s.url("/")),
        ],
        &[],
    );
    assert_eq!(r.code, 3);
    assert!(
        r.stdout
            .starts_with("UNKNOWN: cannot get AWS credentials: none found: "),
        "{}",
        r.stdout
    );
    assert!(s.requests().is_empty());
}

#[test]
fn debug_shows_the_exchange_without_secrets() {
    let s = Server::start(|_| Reply::aws_error(400, "InvalidSignatureException", "nope"));
    let r = &both_modes(
        &s.url("/"),
        &[
            "--debug",
            "--verbose",
            "--aws-session-token=SESSIONTOKENVALUE",
        ],
    )[0];
    assert_eq!(r.code, 3);
    assert!(r.stdout.contains(
        "x-amz-target: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetTrailStatus"
    ));
    assert!(r.stdout.contains("< HTTP 400"));
    let q = &s.requests()[0];
    let sig = q
        .header("authorization")
        .unwrap()
        .rsplit("Signature=")
        .next()
        .unwrap()
        .to_owned();
    for secret in [SECRET, "SESSIONTOKENVALUE", sig.as_str()] {
        assert!(!r.stdout.contains(secret), "{secret} leaked:\n{}", r.stdout);
    }
}

#[test]
fn bad_endpoint_and_proxy_urls() {
    let secret = format!("--aws-secret-key={SECRET}");
    let base = [
        PLUGIN,
        "--region=eu-west-1",
        "--aws-access-key=AK",
        secret.as_str(),
        "--mode=checktrailstatus",
        "--trail-name=t",
    ];
    let mut args = base.to_vec();
    args.push("--endpoint-url=localhost:3000");
    let r = run(&args);
    assert_eq!(r.code, 3);
    assert!(
        r.stdout
            .starts_with("UNKNOWN: --endpoint-url 'localhost:3000' is not a URL"),
        "{}",
        r.stdout
    );
}
