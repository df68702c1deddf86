//! The standard retry mode: throttling, 5xx and dropped connections are
//! retried (3 attempts, jittered backoff), within --timeout; errors that
//! would fail again are not.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::util::{PLUGIN, Reply, Request, Server, run_against};

/// Fails the first `n` requests with `fail`, then answers logging.
fn flaky(n: usize, fail: fn() -> Reply) -> Server {
    let count = Arc::new(AtomicUsize::new(0));
    Server::start(move |_: &Request| {
        if count.fetch_add(1, Ordering::SeqCst) < n {
            fail()
        } else {
            Reply::json(200, json!({"IsLogging": true}))
        }
    })
}

fn check(s: &Server, extra: &[&str]) -> crate::util::Run {
    run_against(
        s,
        &[&["--mode=checktrailstatus", "--trail-name=t"][..], extra].concat(),
    )
}

#[test]
fn throttled_twice_then_ok() {
    let s = flaky(2, || {
        Reply::aws_error(400, "ThrottlingException", "Rate exceeded")
    });
    let r = check(&s, &[]);
    assert_eq!(
        (r.line(), r.code),
        ("OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;", 0)
    );
    let reqs = s.requests();
    assert_eq!(reqs.len(), 3);
    // Each attempt is signed afresh.
    assert!(reqs.iter().all(|q| q.header("authorization").is_some()));
}

#[test]
fn server_errors_are_retried() {
    for status in [500, 502, 503, 504, 429] {
        let s = Server::start({
            let count = Arc::new(AtomicUsize::new(0));
            move |_: &Request| {
                if count.fetch_add(1, Ordering::SeqCst) == 0 {
                    Reply {
                        status,
                        headers: vec![],
                        body: b"<html>busy</html>".to_vec(),
                    }
                } else {
                    Reply::json(200, json!({"IsLogging": true}))
                }
            }
        });
        let r = check(&s, &[]);
        assert_eq!(r.code, 0, "{status}: {}", r.stdout);
        assert_eq!(s.requests().len(), 2, "{status}");
    }
}

#[test]
fn throttled_forever_ends_within_the_timeout() {
    let s = Server::start(|_| Reply::aws_error(400, "ThrottlingException", "Rate exceeded"));
    let started = Instant::now();
    let r = check(&s, &["--timeout=3"]);
    assert_eq!(r.code, 3);
    assert!(
        r.stdout
            .starts_with("UNKNOWN: GetTrailStatus failed: ThrottlingException: Rate exceeded"),
        "{}",
        r.stdout
    );
    assert!(started.elapsed() < Duration::from_secs(8));
    assert!((1..=3).contains(&s.requests().len()));
}

#[test]
fn auth_and_validation_errors_are_not_retried() {
    for code in [
        "InvalidSignatureException",
        "UnrecognizedClientException",
        "AccessDeniedException",
        "TrailNotFoundException",
    ] {
        let s = Server::start(move |_| Reply::aws_error(400, code, "no"));
        let r = check(&s, &[]);
        assert_eq!(r.code, 3);
        assert_eq!(s.requests().len(), 1, "{code} was retried");
    }
}

#[test]
fn max_attempts_from_the_environment() {
    let s = Server::start(|_| Reply::aws_error(503, "ServiceUnavailable", "down"));
    let ep = format!("--endpoint-url={}", s.url("/"));
    let r = crate::util::run_env(
        &[
            PLUGIN,
            "--region=eu-west-1",
            "--aws-access-key=AK",
            "--aws-secret-key=S",
            &ep,
            "--mode=checktrailstatus",
            "--trail-name=t",
        ],
        &[("AWS_MAX_ATTEMPTS", "1")],
    );
    assert_eq!(
        r.stdout,
        "UNKNOWN: GetTrailStatus failed: ServiceUnavailable: down \n"
    );
    assert_eq!(s.requests().len(), 1);
}
