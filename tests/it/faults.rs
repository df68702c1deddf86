//! Fault injection: every way a server or the network can fail ends with
//! the right state and a one-line reason naming what happened, within
//! `--timeout` + 5 s, never a partial count reported as OK, and never a
//! secret, token or signature in the output — plain, with `--debug` and
//! with `--verbose`.
//!
//! The scenarios run one after the other in a single test: several of
//! them measure time.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::util::{
    PLUGIN, RawServer, Reply, Request, Run, SECRET, Server, run, run_without_network, take_request,
};

const TOKEN: &str = "FQoGZXIvYXdzSESSIONTOKENEXAMPLE";

#[derive(Clone, Copy, PartialEq, Debug)]
enum Mode {
    Status,
    Count,
}

/// What a scenario's server received (to find the signatures sent).
type Received = Box<dyn Fn() -> Vec<Request>>;
/// Starts a scenario's server: its URL and what it received.
type Start = Box<dyn Fn() -> (String, Received)>;

struct Scenario {
    name: &'static str,
    /// The endpoint URL and a way to read the signatures it received.
    endpoint: Start,
    modes: &'static [Mode],
    timeout: u64,
    code: i32,
    /// What the first line must contain.
    says: &'static str,
    /// Run without any network (name resolution).
    no_network: bool,
}

fn server(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> (String, Received) {
    let s = Arc::new(Server::start(handler));
    let url = s.url("/");
    (url, Box::new(move || s.requests()))
}

fn raw(
    behave: impl Fn(std::net::TcpStream, &Mutex<Vec<Request>>) + Send + Sync + 'static,
) -> (String, Received) {
    let s = RawServer::start(behave);
    let url = s.url();
    let reqs = Arc::clone(&s.requests);
    (url, Box::new(move || reqs.lock().unwrap().clone()))
}

fn status(code: u16, body: &'static str) -> Reply {
    Reply {
        status: code,
        headers: vec![],
        body: body.as_bytes().to_vec(),
    }
}

fn scenarios() -> Vec<Scenario> {
    const BOTH: &[Mode] = &[Mode::Status, Mode::Count];
    const COUNT: &[Mode] = &[Mode::Count];
    let aws = |code: u16, error: &'static str| -> Start {
        Box::new(move || server(move |_| Reply::aws_error(code, error, "injected")))
    };
    let mut v = vec![
        Scenario {
            name: "throttled twice, then fine",
            endpoint: Box::new(|| {
                let n = AtomicUsize::new(0);
                server(move |q| {
                    if n.fetch_add(1, Ordering::SeqCst) < 2 {
                        Reply::aws_error(400, "ThrottlingException", "Rate exceeded")
                    } else if q.operation() == "GetTrailStatus" {
                        Reply::json(200, json!({"IsLogging": true}))
                    } else {
                        Reply::json(200, json!({"Events": []}))
                    }
                })
            }),
            modes: BOTH,
            timeout: 30,
            code: 0,
            says: "OK: ",
            no_network: false,
        },
        Scenario {
            name: "throttled forever",
            endpoint: aws(400, "ThrottlingException"),
            modes: BOTH,
            timeout: 10,
            code: 3,
            says: "failed: ThrottlingException: injected",
            no_network: false,
        },
        Scenario {
            name: "403 AccessDenied",
            endpoint: aws(403, "AccessDeniedException"),
            modes: BOTH,
            timeout: 10,
            code: 3,
            says: "failed: AccessDeniedException: injected",
            no_network: false,
        },
        Scenario {
            name: "200 with HTML",
            endpoint: Box::new(|| {
                server(|_| status(200, "<html><body>Please log in</body></html>"))
            }),
            modes: BOTH,
            timeout: 10,
            code: 3,
            says: "body is not JSON",
            no_network: false,
        },
        Scenario {
            name: "200 with truncated JSON",
            endpoint: Box::new(|| {
                server(|_| status(200, "{\"Events\": [{\"EventId\": \"a\", \"CloudTr"))
            }),
            modes: BOTH,
            timeout: 10,
            code: 3,
            says: "body is not JSON",
            no_network: false,
        },
        Scenario {
            name: "JSON without Events",
            endpoint: Box::new(|| server(|_| Reply::json(200, json!({"Items": []})))),
            modes: COUNT,
            timeout: 10,
            code: 3,
            says: "no Events in the answer",
            no_network: false,
        },
        Scenario {
            name: "JSON with wrong types",
            endpoint: Box::new(|| {
                server(|_| {
                    Reply::json(
                        200,
                        json!({"Events": [{"CloudTrailEvent": 42}], "IsLogging": "yes"}),
                    )
                })
            }),
            modes: BOTH,
            timeout: 10,
            code: 3,
            says: "is not ",
            no_network: false,
        },
        Scenario {
            name: "NextToken that never ends",
            endpoint: Box::new(|| {
                let n = AtomicUsize::new(0);
                server(move |_| {
                    Reply::json(
                        200,
                        json!({"Events": [], "NextToken": format!("t{}", n.fetch_add(1, Ordering::SeqCst))}),
                    )
                })
            }),
            modes: COUNT,
            timeout: 30,
            code: 3,
            says: "stopped after 3 pages (--max-pages)",
            no_network: false,
        },
        Scenario {
            name: "a byte per second",
            endpoint: Box::new(|| {
                raw(|mut s, rec| {
                    if take_request(&s, rec).is_none() {
                        return;
                    }
                    let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n");
                    for _ in 0..60 {
                        if s.write_all(b" ").is_err() {
                            return;
                        }
                        thread::sleep(Duration::from_secs(1));
                    }
                })
            }),
            modes: BOTH,
            timeout: 2,
            code: 3,
            says: "timed out, the check's --timeout of 2s ran out",
            no_network: false,
        },
        Scenario {
            name: "accepts and never answers",
            endpoint: Box::new(|| {
                raw(|s, rec| {
                    let _ = take_request(&s, rec);
                    thread::sleep(Duration::from_secs(60));
                })
            }),
            modes: BOTH,
            timeout: 2,
            code: 3,
            says: "timed out, the check's --timeout of 2s ran out",
            no_network: false,
        },
        Scenario {
            name: "connection refused",
            endpoint: Box::new(|| {
                let port = std::net::TcpListener::bind("127.0.0.1:0")
                    .unwrap()
                    .local_addr()
                    .unwrap()
                    .port();
                (format!("http://127.0.0.1:{port}/"), Box::new(Vec::new))
            }),
            modes: BOTH,
            timeout: 10,
            code: 3,
            says: "connection refused by 127.0.0.1:",
            no_network: false,
        },
        Scenario {
            name: "connection cut mid-body",
            endpoint: Box::new(|| {
                raw(|mut s, rec| {
                    if take_request(&s, rec).is_none() {
                        return;
                    }
                    let _ = s.write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 5000\r\n\r\n{\"IsLogging\": tr",
                    );
                    let _ = s.flush();
                    let _ = s.shutdown(std::net::Shutdown::Both);
                })
            }),
            modes: BOTH,
            timeout: 10,
            code: 3,
            says: "127.0.0.1:",
            no_network: false,
        },
        Scenario {
            name: "unresolvable host",
            endpoint: Box::new(|| ("http://cloudtrail.invalid/".to_owned(), Box::new(Vec::new))),
            modes: BOTH,
            timeout: 10,
            code: 3,
            says: "could not resolve host cloudtrail.invalid",
            no_network: true,
        },
        Scenario {
            name: "a body larger than any sane page",
            endpoint: Box::new(|| {
                raw(|mut s, rec| {
                    if take_request(&s, rec).is_none() {
                        return;
                    }
                    let size = 17 * 1024 * 1024;
                    let _ = s.write_all(
                        format!("HTTP/1.1 200 OK\r\ncontent-length: {size}\r\n\r\n").as_bytes(),
                    );
                    let chunk = vec![b' '; 64 * 1024];
                    for _ in 0..(size / chunk.len()) {
                        if s.write_all(&chunk).is_err() {
                            return;
                        }
                    }
                })
            }),
            modes: BOTH,
            timeout: 20,
            code: 3,
            says: "response body larger than 16 MiB",
            no_network: false,
        },
    ];
    for code in [500, 502, 503, 504] {
        v.push(Scenario {
            name: "server error, always",
            endpoint: Box::new(move || {
                server(move |_| Reply {
                    status: code,
                    headers: vec![],
                    body: b"<html>Bad Gateway</html>".to_vec(),
                })
            }),
            modes: BOTH,
            timeout: 20,
            code: 3,
            says: match code {
                500 => "failed: HTTP 500: <html>Bad Gateway</html> (after 3 attempts)",
                502 => "failed: HTTP 502: <html>Bad Gateway</html> (after 3 attempts)",
                503 => "failed: HTTP 503: <html>Bad Gateway</html> (after 3 attempts)",
                _ => "failed: HTTP 504: <html>Bad Gateway</html> (after 3 attempts)",
            },
            no_network: false,
        });
    }
    for code in [
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "ExpiredTokenException",
        "TrailNotFoundException",
        "InvalidTimeRangeException",
    ] {
        v.push(Scenario {
            name: "400 from AWS",
            endpoint: aws(400, code),
            modes: BOTH,
            timeout: 10,
            code: 3,
            says: code,
            no_network: false,
        });
    }
    v.push(Scenario {
        name: "InvalidNextToken on the second page",
        endpoint: Box::new(|| {
            server(|q| {
                if q.json().get("NextToken").is_some() {
                    Reply::aws_error(400, "InvalidNextTokenException", "bad token")
                } else {
                    Reply::json(200, json!({"Events": [], "NextToken": "t1"}))
                }
            })
        }),
        modes: COUNT,
        timeout: 10,
        code: 3,
        says: "LookupEvents failed: InvalidNextTokenException: bad token",
        no_network: false,
    });
    v
}

fn invoke(s: &Scenario, url: &str, mode: Mode, extra: &str) -> Run {
    let ep = format!("--endpoint-url={url}");
    let secret = format!("--aws-secret-key={SECRET}");
    let token = format!("--aws-session-token={TOKEN}");
    let timeout = format!("--timeout={}", s.timeout);
    let mut args = vec![
        PLUGIN,
        "--region=eu-west-1",
        "--aws-access-key=AKIDEXAMPLE",
        &secret,
        &token,
        &ep,
        &timeout,
    ];
    match mode {
        Mode::Status => args.extend(["--mode=checktrailstatus", "--trail-name=my-trail"]),
        Mode::Count => args.extend(["--mode=countevents", "--max-pages=3"]),
    }
    if !extra.is_empty() {
        args.push(extra);
    }
    if s.no_network {
        run_without_network(&args)
    } else {
        run(&args)
    }
}

#[test]
fn every_fault_ends_in_its_state_with_a_reason_and_no_secret() {
    for s in scenarios() {
        for &mode in s.modes {
            for extra in ["", "--debug", "--verbose"] {
                let (url, received) = (s.endpoint)();
                let started = Instant::now();
                let r = invoke(&s, &url, mode, extra);
                let took = started.elapsed();
                let what = format!("{} / {mode:?} / {extra:?}:\n{}", s.name, r.stdout);
                assert_eq!(r.code, s.code, "{what}");
                let label = ["OK", "WARNING", "CRITICAL", "UNKNOWN"][s.code as usize];
                assert!(r.line().starts_with(&format!("{label}: ")), "{what}");
                assert!(r.line().contains(s.says), "expected '{}' in {what}", s.says);
                assert!(
                    took < Duration::from_secs(s.timeout + 5),
                    "took {took:?}: {what}"
                );
                if s.code != 0 {
                    assert!(!r.stdout.contains("Number of events"), "{what}");
                }
                let mut secrets = vec![SECRET.to_owned(), TOKEN.to_owned()];
                for q in received() {
                    if let Some(a) = q.header("authorization") {
                        secrets.push(a.rsplit("Signature=").next().unwrap().to_owned());
                    }
                }
                for secret in &secrets {
                    assert!(
                        !r.stdout.contains(secret.as_str()),
                        "{secret} leaked in {what}"
                    );
                }
                if extra == "--debug" && !s.no_network {
                    assert!(r.stdout.contains("  > x-amz-target: "), "{what}");
                }
            }
        }
    }
}
