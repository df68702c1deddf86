//! Running at scale: checks started together share the API rate through
//! the state directory, role credentials are reused across runs, and
//! countevents reads only what is new.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::countevents::event;
use crate::util::{
    PLUGIN, Reply, Request, SECRET, Server, TempDir, form, now, run_env, signing_key_id,
    sts_credentials,
};

/// LookupEvents at most 2 per second per access key (a token bucket of 2),
/// else ThrottlingException; counts what it throttled.
fn quota_server(throttled: Arc<AtomicUsize>) -> Server {
    let bucket: Mutex<(f64, Instant)> = Mutex::new((2.0, Instant::now()));
    Server::start(move |_q: &Request| {
        let mut b = bucket.lock().unwrap();
        let elapsed = b.1.elapsed().as_secs_f64();
        b.0 = (b.0 + elapsed * 2.0).min(2.0);
        b.1 = Instant::now();
        if b.0 < 1.0 {
            throttled.fetch_add(1, Ordering::SeqCst);
            return Reply::aws_error(400, "ThrottlingException", "Rate exceeded");
        }
        b.0 -= 1.0;
        Reply::json(200, json!({"Events": []}))
    })
}

fn count_args(url: &str, state: &str) -> Vec<String> {
    vec![
        PLUGIN.into(),
        "--mode=countevents".into(),
        "--region=eu-west-1".into(),
        "--aws-access-key=AKIDEXAMPLE".into(),
        format!("--aws-secret-key={SECRET}"),
        format!("--endpoint-url={url}"),
        format!("--statefile-dir={state}"),
        "--timeout=50".into(),
    ]
}

#[test]
fn thirty_checks_at_once_share_the_quota() {
    let throttled = Arc::new(AtomicUsize::new(0));
    let s = Arc::new(quota_server(Arc::clone(&throttled)));
    let state = TempDir::new("quota");
    let args = count_args(&s.url("/"), &state.0.to_string_lossy());
    let started = Instant::now();
    let handles: Vec<_> = (0..30)
        .map(|_| {
            let args = args.clone();
            std::thread::spawn(move || {
                let a: Vec<&str> = args.iter().map(String::as_str).collect();
                run_env(&a, &[])
            })
        })
        .collect();
    for h in handles {
        let r = h.join().unwrap();
        assert_eq!(
            (r.line(), r.code),
            ("OK: Number of events: 0.00 | 'events_count'=0.00;;;0;", 0)
        );
    }
    assert_eq!(
        throttled.load(Ordering::SeqCst),
        0,
        "the shared bucket let a request over 2/s"
    );
    assert_eq!(s.requests().len(), 30);
    // 30 requests at 1.8/s: about 16 s; an upper bound only.
    assert!(started.elapsed() < Duration::from_secs(45));
}

#[test]
fn a_queue_longer_than_the_timeout_is_said_before_sending() {
    let s = Server::start(|_| Reply::json(200, json!({"Events": []})));
    let state = TempDir::new("queue");
    let mut args = count_args(&s.url("/"), &state.0.to_string_lossy());
    args.push("--api-rate=0.2".into());
    args.push("--timeout=2".into());
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    // The first takes the slot; the next must wait 5 s, over its 2 s.
    assert_eq!(run_env(&a, &[]).code, 0);
    let r = run_env(&a, &[]);
    assert_eq!(r.code, 3);
    assert!(
        r.line()
            .starts_with("UNKNOWN: LookupEvents not sent: quota wait would exceed timeout"),
        "{}",
        r.stdout
    );
    assert_eq!(s.requests().len(), 1, "nothing was sent the second time");
    // --api-rate=0 turns pacing off.
    let mut off = args.clone();
    off.push("--api-rate=0".into());
    let a: Vec<&str> = off.iter().map(String::as_str).collect();
    assert_eq!(run_env(&a, &[]).code, 0);
}

/// STS and CloudTrail together; counts AssumeRole calls; `expires_in`
/// seconds of validity; while `reject` holds a token, the next request
/// bearing it is refused as expired.
fn role_server(
    assumes: Arc<AtomicUsize>,
    expires_in: i64,
    reject: Arc<Mutex<Option<String>>>,
) -> Server {
    Server::start(move |q: &Request| {
        if form(q).get("Action").map(String::as_str) == Some("AssumeRole") {
            let n = assumes.fetch_add(1, Ordering::SeqCst);
            let mut reply = sts_credentials(
                "AssumeRole",
                &format!("ASIAROLE{n}"),
                "ROLESECRET",
                &format!("TOKEN{n}"),
            );
            let exp = crate::util::iso8601(now() + expires_in);
            let body = String::from_utf8(reply.body)
                .unwrap()
                .replace("2099-01-01T00:00:00Z", &exp);
            reply.body = body.into_bytes();
            return reply;
        }
        let mut r = reject.lock().unwrap();
        if r.is_some() && q.header("x-amz-security-token") == r.as_deref() {
            *r = None;
            return Reply::aws_error(
                400,
                "ExpiredTokenException",
                "The security token included in the request is expired",
            );
        }
        Reply::json(200, json!({"IsLogging": true}))
    })
}

fn no_reject() -> Arc<Mutex<Option<String>>> {
    Arc::new(Mutex::new(None))
}

fn role_check(s: &Server, state: &str) -> crate::util::Run {
    let url = s.url("/");
    run_env(
        &[
            PLUGIN,
            "--mode=checktrailstatus",
            "--region=eu-west-1",
            "--trail-name=t",
            "--aws-access-key=BASEKEY",
            "--aws-secret-key=BASESECRET",
            "--aws-role-arn=arn:aws:iam::123456789012:role/Audit",
            &format!("--endpoint-url={url}"),
            &format!("--sts-endpoint-url={url}"),
            &format!("--statefile-dir={state}"),
        ],
        &[],
    )
}

#[test]
fn role_credentials_are_assumed_once_across_runs() {
    let assumes = Arc::new(AtomicUsize::new(0));
    let s = role_server(Arc::clone(&assumes), 3600, no_reject());
    let state = TempDir::new("role");
    let dir = state.0.to_string_lossy().into_owned();
    for _ in 0..3 {
        assert_eq!(role_check(&s, &dir).code, 0);
    }
    assert_eq!(assumes.load(Ordering::SeqCst), 1);
    let signers: Vec<String> = s
        .requests()
        .iter()
        .filter(|q| q.operation() == "GetTrailStatus")
        .map(signing_key_id)
        .collect();
    assert_eq!(signers, vec!["ASIAROLE0"; 3]);
    // The cache holds the temporary keys, 0600, and never the base secret.
    for f in std::fs::read_dir(&state.0).unwrap() {
        let p = f.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        assert!(!text.contains("BASESECRET"), "{}", p.display());
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o077,
            0,
            "{}",
            p.display()
        );
    }
    // Another base secret never reuses them.
    let url = s.url("/");
    let r = run_env(
        &[
            PLUGIN,
            "--mode=checktrailstatus",
            "--region=eu-west-1",
            "--trail-name=t",
            "--aws-access-key=BASEKEY",
            "--aws-secret-key=OTHERSECRET",
            "--aws-role-arn=arn:aws:iam::123456789012:role/Audit",
            &format!("--endpoint-url={url}"),
            &format!("--sts-endpoint-url={url}"),
            &format!("--statefile-dir={dir}"),
        ],
        &[],
    );
    assert_eq!(r.code, 0);
    assert_eq!(assumes.load(Ordering::SeqCst), 2);
}

#[test]
fn credentials_close_to_expiry_are_assumed_again() {
    let assumes = Arc::new(AtomicUsize::new(0));
    // Valid for 2 minutes: under the 5-minute margin.
    let s = role_server(Arc::clone(&assumes), 120, no_reject());
    let state = TempDir::new("expiry");
    let dir = state.0.to_string_lossy().into_owned();
    assert_eq!(role_check(&s, &dir).code, 0);
    assert_eq!(role_check(&s, &dir).code, 0);
    assert_eq!(assumes.load(Ordering::SeqCst), 2);
}

#[test]
fn rejected_cached_credentials_are_replaced_in_the_same_run() {
    let assumes = Arc::new(AtomicUsize::new(0));
    let reject = no_reject();
    let s = role_server(Arc::clone(&assumes), 3600, Arc::clone(&reject));
    let state = TempDir::new("reject");
    let dir = state.0.to_string_lossy().into_owned();
    assert_eq!(role_check(&s, &dir).code, 0);
    // The role is revoked behind our back: the cached TOKEN0 is refused.
    *reject.lock().unwrap() = Some("TOKEN0".into());
    let r = role_check(&s, &dir);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(
        assumes.load(Ordering::SeqCst),
        2,
        "re-assumed once in the same run"
    );
    let last = s
        .requests()
        .into_iter()
        .rfind(|q| q.operation() == "GetTrailStatus")
        .unwrap();
    assert_eq!(last.header("x-amz-security-token"), Some("TOKEN1"));
    // A fresh (not cached) credential that is refused is just UNKNOWN.
    let state2 = TempDir::new("reject2");
    *reject.lock().unwrap() = Some("TOKEN2".into());
    let r = role_check(&s, &state2.0.to_string_lossy());
    assert_eq!(r.code, 3);
    assert!(r.stdout.contains("ExpiredTokenException"), "{}", r.stdout);
}

/// Events spread over the last 50 minutes, 4 per page; `extra` more are
/// added later. Counts pages served.
struct History {
    events: Mutex<Vec<(String, i64)>>,
    pages: AtomicUsize,
}

fn history_server(h: Arc<History>) -> Server {
    Server::start(move |q: &Request| {
        h.pages.fetch_add(1, Ordering::SeqCst);
        let body = q.json();
        let start = body["StartTime"].as_i64().unwrap();
        let end = body["EndTime"].as_i64().unwrap();
        let page: usize = body
            .get("NextToken")
            .and_then(Value::as_str)
            .map_or(0, |t| t.parse().unwrap());
        let mut all: Vec<(String, i64)> = h
            .events
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, t)| *t >= start && *t <= end)
            .cloned()
            .collect();
        all.sort_by_key(|(_, t)| -t);
        let chunk: Vec<Value> = all
            .iter()
            .skip(page * 4)
            .take(4)
            .map(|(id, t)| {
                let mut e = event(id, "AwsApiCall", None);
                e["EventTime"] = json!(*t as f64);
                e
            })
            .collect();
        let mut out = json!({"Events": chunk});
        if all.len() > (page + 1) * 4 {
            out["NextToken"] = json!((page + 1).to_string());
        }
        Reply::json(200, out)
    })
}

#[test]
fn incremental_counts_equal_full_reads_with_fewer_pages() {
    let t = now();
    let h = Arc::new(History {
        events: Mutex::new(
            (0..40)
                // Half a minute off every window edge, so the seconds
                // between two reads never move an event across one.
                .map(|i| (format!("e{i}"), t - 3000 + i * 60 + 30))
                .collect(),
        ),
        pages: AtomicUsize::new(0),
    });
    let s = history_server(Arc::clone(&h));
    let state = TempDir::new("incremental");
    let dir = state.0.to_string_lossy().into_owned();
    let mut args = count_args(&s.url("/"), &dir);
    args.push("--api-rate=0".into());
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let full_then = |a: &[&str]| {
        let mut f: Vec<&str> = a
            .iter()
            .copied()
            .filter(|x| !x.starts_with("--statefile-dir"))
            .collect();
        f.push("--disable-statefile");
        run_env(&f, &[]).line().to_owned()
    };
    let r1 = run_env(&a, &[]);
    assert_eq!(
        r1.line(),
        "OK: Number of events: 40.00 | 'events_count'=40.00;;;0;"
    );
    let first_pages = h.pages.swap(0, Ordering::SeqCst);
    assert_eq!(first_pages, 10);
    // New events arrive, one of them late (timed before the last run's end).
    h.events
        .lock()
        .unwrap()
        .extend([("late".to_owned(), t - 120), ("new".to_owned(), now())]);
    let r2 = run_env(&a, &[]);
    let second_pages = h.pages.swap(0, Ordering::SeqCst);
    assert_eq!(r2.line(), full_then(&a), "incremental and full reads agree");
    assert_eq!(
        r2.line(),
        "OK: Number of events: 42.00 | 'events_count'=42.00;;;0;"
    );
    h.pages.swap(0, Ordering::SeqCst);
    assert!(
        second_pages <= 5,
        "read {second_pages} pages instead of about 11"
    );
    // Another window length: a full read.
    let mut other = args.clone();
    other.push("--delta=30".into());
    let a: Vec<&str> = other.iter().map(String::as_str).collect();
    let r3 = run_env(&a, &[]);
    assert_eq!(r3.line(), full_then(&a));
}
