//! Every input bounded in memory and time: files past their cap, pages
//! past what was asked, a read holding too much, a child printing too
//! much, and `--timeout` covering the matching of events too.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::countevents::event;
use crate::util::{PLUGIN, Reply, SECRET, Server, TempDir, run_against, run_env};

/// What a run may take past `--timeout`: the match of the event in hand
/// (at most 4 KiB of text), then rendering and exit.
const MARGIN: Duration = Duration::from_secs(1);

fn timed(f: impl FnOnce() -> crate::util::Run) -> (crate::util::Run, Duration) {
    let started = Instant::now();
    let r = f();
    (r, started.elapsed())
}

/// A pattern whose match costs its size times the text's (regex-lite
/// never backtracks, but simulates every state at each byte): about a
/// tenth of a second per 4 KB message in a debug build.
const SLOW: &str = "--error-message=(?:a?){50}a{50}z";

#[test]
fn matching_stops_at_the_timeout() {
    let message = "a".repeat(4000);
    let s = Server::paged(2, move |p| {
        (0..50)
            .map(|i| event(&format!("e{p}-{i}"), "AwsApiCall", Some(&message)))
            .collect()
    });
    let (r, took) = timed(|| run_against(&s, &["--mode=countevents", "--timeout=3", SLOW]));
    assert_eq!(
        r.stdout,
        "UNKNOWN: Matching events failed: timed out, the check's --timeout of 3s ran out \n"
    );
    assert!(took <= Duration::from_secs(3) + MARGIN, "{took:?}");
}

#[test]
fn patterns_see_the_first_4_kib_of_a_field() {
    let long = format!("{}Denied", "a".repeat(400_000));
    let short = format!("{}Denied", "a".repeat(4000));
    let s = Server::paged(1, move |_| {
        vec![
            event("long", "AwsApiCall", Some(&long)),
            event("short", "AwsApiCall", Some(&short)),
        ]
    });
    let (r, took) = timed(|| run_against(&s, &["--mode=countevents", "--timeout=3", SLOW]));
    assert!(
        r.stdout.starts_with("OK: Number of events: 0.00"),
        "{}",
        r.stdout
    );
    assert!(took <= Duration::from_secs(3) + MARGIN, "{took:?}");
    // The end of a message past 4 KiB is not seen; a shorter one is.
    let r = run_against(&s, &["--mode=countevents", "--error-message=Denied$"]);
    assert!(
        r.stdout.starts_with("OK: Number of events: 1.00"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_page_holds_at_most_what_was_asked() {
    let s = Server::start(|_| {
        let events: Vec<_> = (0..51)
            .map(|i| json!({"EventId": format!("e{i}"), "CloudTrailEvent": "{}"}))
            .collect();
        Reply::json(200, json!({ "Events": events }))
    });
    let r = run_against(&s, &["--mode=countevents"]);
    assert_eq!(
        r.stdout,
        "UNKNOWN: LookupEvents failed: unexpected response: more than 50 events in one page \
         (at most 50 were asked for) \n"
    );
    // Fifty is a whole page, not an error.
    let s = Server::paged(1, |_| {
        (0..50)
            .map(|i| event(&format!("e{i}"), "AwsApiCall", None))
            .collect()
    });
    let r = run_against(&s, &["--mode=countevents"]);
    assert!(
        r.stdout.starts_with("OK: Number of events: 50.00"),
        "{}",
        r.stdout
    );
}

#[test]
fn the_events_of_one_read_are_bounded() {
    // 50 events of 200 KB a page: the third page passes 16 MiB.
    let message = "x".repeat(200_000);
    let s = Server::paged(5, move |p| {
        (0..50)
            .map(|i| event(&format!("e{p}-{i}"), "AwsApiCall", Some(&message)))
            .collect()
    });
    let r = run_against(&s, &["--mode=countevents", "--timeout=20"]);
    assert_eq!(
        r.stdout,
        "UNKNOWN: LookupEvents failed: unexpected response: the events read hold more than \
         16 MiB, the most one read keeps; narrow --delta \n"
    );
}

/// The trail status check with `env`, keys from the environment unless
/// the test's own source gives them.
fn status_with(s: &Server, args: &[&str], env: &[(&str, &str)]) -> crate::util::Run {
    let endpoint = format!("--endpoint-url={}", s.url("/"));
    let mut all = vec![
        PLUGIN,
        "--region=eu-west-1",
        &endpoint,
        "--mode=checktrailstatus",
        "--trail-name=t",
    ];
    all.extend_from_slice(args);
    run_env(&all, env)
}

#[test]
fn files_past_their_cap_are_refused() {
    let s = Server::start(|_| Reply::json(200, json!({"IsLogging": true})));
    let dir = TempDir::new("caps");
    let big = dir.write("big", &"#".repeat((1 << 20) + 1), false);
    let keys = [
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
    ];
    let r = status_with(&s, &[&format!("--ca-bundle={big}")], &keys);
    assert_eq!(
        r.stdout,
        format!(
            "UNKNOWN: --ca-bundle '{big}': cannot read it: larger than 1 MiB, the most read \
             from such a file \n"
        )
    );
    let r = status_with(&s, &[], &[("AWS_CONFIG_FILE", big.as_str())]);
    assert_eq!(
        r.stdout,
        format!(
            "UNKNOWN: cannot get AWS credentials: cannot read {big}: larger than 1 MiB, the \
             most read from such a file \n"
        )
    );
    let token = dir.write("token", &"t".repeat((64 << 10) + 1), false);
    let r = status_with(
        &s,
        &[],
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", token.as_str()),
            ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/Pod"),
        ],
    );
    assert!(
        r.stdout.contains(&format!(
            "cannot read token file {token}: larger than 64 KiB, the most read from such a file"
        )),
        "{}",
        r.stdout
    );
    // A FIFO where the bundle should be: refused at once, not waited on.
    let fifo = dir.0.join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.unwrap().success());
    let fifo = fifo.display().to_string();
    let (r, took) = timed(|| status_with(&s, &[&format!("--ca-bundle={fifo}")], &keys));
    assert_eq!(
        r.stdout,
        format!("UNKNOWN: --ca-bundle '{fifo}': cannot read it: not a regular file \n")
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn credential_process_output_is_capped() {
    let s = Server::start(|_| Reply::json(200, json!({"IsLogging": true})));
    let dir = TempDir::new("procflood");
    let flood = dir.write("flood.sh", "#!/bin/sh\nhead -c 5000000 /dev/zero\n", true);
    let config = dir.write(
        "config",
        &format!("[default]\ncredential_process = {flood}\n"),
        false,
    );
    let r = status_with(&s, &[], &[("AWS_CONFIG_FILE", config.as_str())]);
    assert_eq!(
        r.stdout,
        "UNKNOWN: cannot get AWS credentials: profile 'default' credential_process: printed \
         more than 1 MiB on stdout, the most read from it \n"
    );
}
