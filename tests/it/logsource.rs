//! `--source=s3` end to end in-process (the clock set): countevents and
//! securityevents reading a trail's log files from a loopback S3 (the
//! logintegrity stub: DescribeTrails, ListObjectsV2 with prefix and
//! start-after, GetObject gzip-compressing what the test builds).

use std::time::Duration;

use check_cloudtrail::aws::credentials::SharedFiles;
use check_cloudtrail::env::MapEnv;
use check_cloudtrail::{cli, execute};
use serde_json::{Value, json};

use crate::logintegrity::{ACCOUNT, Bucket, hooked_server, server, slow_server};
use crate::util::{At, PLUGIN, Request, SECRET, Server, TempDir};

/// 2026-01-01T04:30:00Z.
const NOW: i64 = 1_767_241_800;

fn folder(region: &str) -> String {
    format!("AWSLogs/{ACCOUNT}/CloudTrail/{region}/2026/01/01/")
}

/// A log file's key in `region`'s folder, delivered at `hhmm`.
fn key(region: &str, hhmm: &str, unique: &str) -> String {
    format!(
        "{}{ACCOUNT}_CloudTrail_{region}_20260101T{hhmm}Z_{unique}.json.gz",
        folder(region)
    )
}

/// A record at 2026-01-01T`hhmm`.
fn record(id: &str, hhmm: &str, name: &str, extra: Value) -> Value {
    let mut r = json!({
        "eventVersion": "1.09",
        "eventID": id,
        "eventTime": format!("2026-01-01T{}:{}:00Z", &hhmm[..2], &hhmm[2..]),
        "eventName": name,
        "eventSource": "ec2.amazonaws.com",
        "eventType": "AwsApiCall",
        "eventCategory": "Management",
        "awsRegion": "us-east-1",
        "userAgent": "aws-cli/2",
        "sourceIPAddress": "203.0.113.5",
        "userIdentity": {"type": "IAMUser", "userName": "alice",
            "arn": format!("arn:aws:iam::{ACCOUNT}:user/alice")},
    });
    for (k, v) in extra.as_object().unwrap() {
        r[k] = v.clone();
    }
    r
}

fn file(records: Vec<Value>) -> (Vec<u8>, Vec<(String, String)>) {
    (
        json!({"Records": records}).to_string().into_bytes(),
        Vec::new(),
    )
}

/// The window 03:30–04:30 (`--delta=60`), listed from 03:15.
fn bucket() -> Bucket {
    let mut b = Bucket::new();
    // Before the listing's start: never read (it would count).
    b.insert(
        key("us-east-1", "0310", "a"),
        file(vec![record("early", "0331", "RunInstances", json!({}))]),
    );
    b.insert(
        key("us-east-1", "0320", "b"),
        file(vec![
            record("before", "0316", "RunInstances", json!({})),
            record("m1", "0331", "RunInstances", json!({})),
        ]),
    );
    b.insert(
        key("us-east-1", "0400", "c"),
        file(vec![
            record(
                "login",
                "0355",
                "ConsoleLogin",
                json!({"eventSource": "signin.amazonaws.com", "eventType": "AwsConsoleSignIn",
                "responseElements": {"ConsoleLogin": "Success"},
                "additionalEventData": {"MFAUsed": "No"}}),
            ),
            record(
                "data",
                "0358",
                "GetObject",
                json!({"eventSource": "s3.amazonaws.com", "eventCategory": "Data",
                "readOnly": true, "resources": [{"type": "AWS::S3::Object",
                "ARN": "arn:aws:s3:::data/x"}]}),
            ),
            record(
                "self",
                "0359",
                "LookupEvents",
                json!({"userAgent": "check_cloudtrail/1.0",
                "eventSource": "cloudtrail.amazonaws.com"}),
            ),
        ]),
    );
    // Another region's folder: not read for --region=us-east-1.
    b.insert(
        key("eu-west-1", "0400", "d"),
        file(vec![record("other", "0359", "RunInstances", json!({}))]),
    );
    b
}

fn check(server: &Server, args: &[&str]) -> (String, u8) {
    check_at(server, args, NOW)
}

/// [`check`] at `now`; with the state directory when `args` name one.
fn check_at(server: &Server, args: &[&str], now: i64) -> (String, u8) {
    let endpoint = format!("--endpoint-url={}", server.url("/"));
    let s3 = format!("--s3-endpoint-url={}", server.url("/"));
    let secret = format!("--aws-secret-key={SECRET}");
    // --regions takes CloudTrail's endpoint from the environment only.
    let regions = args.iter().any(|a| a.starts_with("--regions"));
    let mut argv = vec![
        "check_cloudtrail",
        PLUGIN,
        "--region=us-east-1",
        "--aws-access-key=AKIDEXAMPLE",
        &s3,
        &secret,
        "--source=s3",
        "--trail-name=demo",
        "--delta=60",
    ];
    if !regions {
        argv.push(&endpoint);
    }
    if !args.iter().any(|a| a.starts_with("--statefile-dir")) {
        argv.push("--disable-statefile");
    }
    argv.extend_from_slice(args);
    let url = server.url("/");
    let mut vars = vec![
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_CONFIG_FILE", "/dev/null"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
    ];
    if regions {
        vars.push(("AWS_ENDPOINT_URL_CLOUDTRAIL", &url));
    }
    let env = MapEnv::new(&vars);
    let files = SharedFiles::load(&env);
    let inv = cli::parse(argv, &env, files.as_ref().ok());
    let done = execute(inv, &env, &files, &At(now), &|_, _| Ok(()));
    (done.text, done.exit_code)
}

fn s3_gets(reqs: &[Request]) -> Vec<String> {
    reqs.iter()
        .filter(|r| r.method == "GET" && !r.path.contains("list-type="))
        .map(|r| r.path.clone())
        .collect()
}

#[test]
fn countevents_counts_the_window_of_the_regions_log_files() {
    let (server, _) = server(bucket(), true);
    let (text, code) = check(&server, &["--mode=countevents"]);
    assert_eq!(
        text, "OK: Number of events: 3.00 | 'events_count'=3.00;;;0;\n",
        "{text}"
    );
    assert_eq!(code, 0);
    let reqs = server.requests();
    let lists: Vec<&Request> = reqs
        .iter()
        .filter(|r| r.path.contains("list-type="))
        .collect();
    assert_eq!(lists.len(), 1, "one day folder");
    let prefix = folder("us-east-1").replace('/', "%2F");
    assert!(
        lists[0].path.contains(&format!("prefix={prefix}")),
        "{}",
        lists[0].path
    );
    let after = format!("start-after={prefix}{ACCOUNT}_CloudTrail_us-east-1_20260101T0315Z");
    assert!(lists[0].path.contains(&after), "{}", lists[0].path);
    // Read at once, in no set order.
    let mut gets = s3_gets(&reqs);
    gets.sort();
    assert_eq!(
        gets,
        [
            format!("/ct-bucket/{}", key("us-east-1", "0320", "b")),
            format!("/ct-bucket/{}", key("us-east-1", "0400", "c")),
        ]
    );
}

#[test]
fn filters_categories_and_our_own_calls() {
    let (server, _) = server(bucket(), true);
    let line = |args: &[&str]| {
        let mut all = vec!["--mode=countevents"];
        all.extend_from_slice(args);
        check(&server, &all).0
    };
    assert_eq!(
        line(&["--exclude-self"]),
        "OK: Number of events: 2.00 | 'events_count'=2.00;;;0;\n"
    );
    assert_eq!(
        line(&["--event-category=data", "--verbose"]),
        "OK: Number of events: 1.00 | 'events_count'=1.00;;;0;\n\
         2026-01-01T03:58:00Z GetObject alice 203.0.113.5\n"
    );
    assert_eq!(
        line(&["--event-category=NetworkActivity"]),
        "OK: Number of events: 0.00 | 'events_count'=0.00;;;0;\n"
    );
    // The lookup attribute LookupEvents would filter, checked here.
    assert_eq!(
        line(&[
            "--username=alice",
            "--event-name=ConsoleLogin",
            "--critical-count=0"
        ]),
        "CRITICAL: Number of events: 1.00 | 'events_count'=1.00;;0:0;0;\n"
    );
    assert_eq!(
        line(&["--resource-type=AWS::S3::Object", "--event-category=Data"]),
        "OK: Number of events: 1.00 | 'events_count'=1.00;;;0;\n"
    );
}

#[test]
fn securityevents_finds_the_cis_categories_in_log_files() {
    let (server, _) = server(bucket(), true);
    let (text, code) = check(
        &server,
        &["--mode=securityevents", "--filter-category=console_login"],
    );
    assert!(
        text.starts_with("WARNING: console logins without MFA: 1"),
        "{text}"
    );
    assert_eq!(code, 1);
}

#[test]
fn a_malformed_log_file_is_unknown_naming_it() {
    let mut b = bucket();
    let bad = key("us-east-1", "0410", "bad");
    b.insert(bad.clone(), (b"{\"Records\": [oops".to_vec(), Vec::new()));
    let (server, _) = server(b, true);
    let (text, code) = check(&server, &["--mode=countevents"]);
    assert_eq!(code, 3, "{text}");
    assert!(
        text.starts_with(&format!(
            "UNKNOWN: GetObject failed: unexpected response: log file s3://ct-bucket/{bad}: not JSON"
        )),
        "{text}"
    );
}

#[test]
fn with_the_state_a_malformed_file_stays_unknown_until_it_leaves_the_window() {
    // Between files that are read and kept: the next run's listing must
    // not start past it.
    let mut b = bucket();
    let bad = key("us-east-1", "0330", "bad");
    b.insert(bad.clone(), (b"{\"Records\": [oops".to_vec(), Vec::new()));
    let (server, _) = server(b, true);
    let dir = TempDir::new("logsource-malformed");
    let state = format!("--statefile-dir={}", dir.0.display());
    for run in 0..2 {
        let (text, code) = check(&server, &["--mode=countevents", &state]);
        assert_eq!((code, run), (3, run), "{text}");
        assert!(
            text.contains(&format!("log file s3://ct-bucket/{bad}")),
            "{text}"
        );
    }
    // At 04:50 it left the window (03:50 less the margin).
    let (text, code) = check_at(&server, &["--mode=countevents", &state], NOW + 1200);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn a_partial_read_is_unknown_never_ok() {
    let (server, _) = slow_server(bucket(), true, Duration::from_secs(4));
    let (text, code) = check(&server, &["--mode=countevents", "--timeout=2"]);
    assert_eq!(code, 3, "{text}");
    assert!(
        text.starts_with(
            "UNKNOWN: GetObject stopped: the check's --timeout of 2s ran out with 2 of 2 log \
             files (the first s3://ct-bucket/AWSLogs/"
        ),
        "{text}"
    );
}

#[test]
fn options_of_the_log_file_source() {
    let (server, _) = server(bucket(), true);
    let refused = |args: &[&str]| {
        let (text, code) = check(&server, args);
        assert_eq!(code, 3, "{text}");
        text
    };
    assert!(
        refused(&[
            "--mode=countevents",
            "--event-category=Data",
            "--source=api"
        ])
        .contains("LookupEvents returns management and Insights events only")
    );
    assert!(
        refused(&["--mode=countevents", "--insight", "--event-category=Data"])
            .contains("--insight means --event-category=Insight")
    );
    assert!(
        refused(&["--mode=countevents", "--custommode=awscli"])
            .contains("--custommode=awscli: --source=s3")
    );
    assert!(
        refused(&["--mode=countevents", "--source=api"])
            .contains("--trail-name is for --source=s3")
    );
    assert!(refused(&["--mode=countevents", "--source=ftp"]).contains("--source 'ftp'"));
    for paging in ["--max-pages=5", "--stop-at-critical"] {
        let text = refused(&["--mode=countevents", "--critical-count=10", paging]);
        assert!(
            text.contains("bounds LookupEvents' pages (--source=api)"),
            "{text}"
        );
    }
    assert!(refused(&["--mode=securityevents", "--max-pages=5"]).contains("--max-pages bounds"),);
    assert!(
        refused(&["--mode=countevents", "--organization-id=bad"])
            .contains("--organization-id 'bad' is not an organization id")
    );
    assert!(
        refused(&[
            "--mode=countevents",
            "--s3-bucket=ct-bucket",
            "--trail-name="
        ])
        .contains("needs --account-id")
    );
    let (text, _) = check(
        &server,
        &[
            "--mode=countevents",
            "--s3-bucket=ct-bucket",
            "--account-id=123456789012",
            "--s3-prefix=",
        ],
    );
    assert!(text.starts_with("OK: Number of events: 3.00"), "{text}");
}

#[test]
fn each_region_of_regions_reads_its_own_folder() {
    let (server, _) = server(bucket(), true);
    let (text, code) = check(
        &server,
        &[
            "--mode=countevents",
            "--regions=us-east-1,eu-west-1",
            "--critical-count=2",
        ],
    );
    assert_eq!(
        text,
        "CRITICAL: us-east-1: Number of events: 3.00 | \
         'us-east-1~events_count'=3.00;;0:2;0; 'eu-west-1~events_count'=1.00;;0:2;0;\n",
        "{text}"
    );
    assert_eq!(code, 2);
    let gets = s3_gets(&server.requests());
    assert!(gets.contains(&format!("/ct-bucket/{}", key("eu-west-1", "0400", "d"))));
}

#[test]
fn an_organization_folder_and_a_window_over_midnight() {
    // The organization trail's layout, found under AWSLogs/ (--s3-bucket:
    // no DescribeTrails), and a window from 23:30 the day before.
    let org = "o-abcdefghij";
    let mut b = Bucket::new();
    for (k, v) in bucket() {
        b.insert(k.replace("AWSLogs/", &format!("AWSLogs/{org}/")), v);
    }
    let late = format!(
        "AWSLogs/{org}/{ACCOUNT}/CloudTrail/us-east-1/2025/12/31/\
         {ACCOUNT}_CloudTrail_us-east-1_20251231T2355Z_e.json.gz"
    );
    let mut r = record("late", "0000", "RunInstances", json!({}));
    r["eventTime"] = json!("2025-12-31T23:50:00Z");
    b.insert(late.clone(), file(vec![r]));
    let (server, _) = server(b, true);
    let (text, code) = check(
        &server,
        &[
            "--mode=countevents",
            "--s3-bucket=ct-bucket",
            "--account-id=123456789012",
            "--trail-name=",
            "--delta=300",
        ],
    );
    // 23:50, and the 5 records of 03:10-04:00 (03:16 is in this window).
    assert_eq!(
        text, "OK: Number of events: 6.00 | 'events_count'=6.00;;;0;\n",
        "{text}"
    );
    assert_eq!(code, 0);
    let reqs = server.requests();
    let lists: Vec<&str> = reqs
        .iter()
        .filter(|r| r.path.contains("list-type="))
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(lists.len(), 3, "AWSLogs/, then two day folders: {lists:?}");
    assert!(lists[0].contains("delimiter=%2F"), "{}", lists[0]);
    assert!(lists[1].contains("2025%2F12%2F31%2F"), "{}", lists[1]);
    assert!(
        lists[1].contains("us-east-1_20251231T2315Z"),
        "{}",
        lists[1]
    );
    assert!(lists[2].contains("2026%2F01%2F01%2F"), "{}", lists[2]);
    assert!(
        lists[2].contains("us-east-1_20260101T0000Z"),
        "{}",
        lists[2]
    );
    assert!(s3_gets(&reqs).contains(&format!("/ct-bucket/{late}")));
}

#[test]
fn insights_events_are_read_from_their_own_folder() {
    let mut b = bucket();
    let insight = format!(
        "AWSLogs/{ACCOUNT}/CloudTrail-Insight/us-east-1/2026/01/01/\
         {ACCOUNT}_CloudTrail-Insight_us-east-1_20260101T0400Z_i.json.gz"
    );
    let mut r = record("ins", "0350", "RunInstances", json!({}));
    r["eventCategory"] = json!("Insight");
    r["eventType"] = json!("AwsCloudTrailInsight");
    b.insert(insight.clone(), file(vec![r]));
    let (server, _) = server(b, true);
    let (text, _) = check(&server, &["--mode=countevents", "--insight"]);
    assert_eq!(
        text, "OK: Number of events: 1.00 | 'events_count'=1.00;;;0;\n",
        "{text}"
    );
    assert_eq!(
        s3_gets(&server.requests()),
        [format!("/ct-bucket/{insight}")]
    );
}

/// The GETs of log files among the requests from the `from`th on.
fn gets_since(server: &Server, from: usize) -> Vec<String> {
    s3_gets(&server.requests()[from..])
}

#[test]
fn with_the_state_each_log_file_is_read_once_and_the_answer_is_a_whole_reads() {
    let (server, objects) = server(bucket(), true);
    let dir = TempDir::new("logsource-state");
    let state = format!("--statefile-dir={}", dir.0.display());
    let args = ["--mode=countevents", "--verbose", &state];
    let stateless = |server: &Server, now: i64, extra: &[&str]| {
        let mut a = vec!["--mode=countevents", "--verbose"];
        a.extend_from_slice(extra);
        check_at(server, &a, now).0
    };
    let first = check(&server, &args).0;
    assert_eq!(first, stateless(&server, NOW, &[]));
    assert!(first.starts_with("OK: Number of events: 3.00"), "{first}");

    // A file delivered since: the only one read.
    let new = key("us-east-1", "0410", "n");
    objects.lock().unwrap().insert(
        new.clone(),
        file(vec![record("n1", "0405", "StopInstances", json!({}))]),
    );
    let n = server.requests().len();
    let second = check(&server, &args).0;
    assert_eq!(gets_since(&server, n), [format!("/ct-bucket/{new}")]);
    // Its listing starts a quarter hour before the newest file read
    // (04:00), not at the window's 03:15: the file of 03:20 comes from
    // the state.
    let lists: Vec<String> = server.requests()[n..]
        .iter()
        .filter(|r| r.path.contains("list-type="))
        .map(|r| r.path.clone())
        .collect();
    assert!(
        lists.iter().any(|p| p.contains("20260101T0345Z"))
            && !lists.iter().any(|p| p.contains("20260101T0315Z")),
        "{lists:?}"
    );
    assert_eq!(second, stateless(&server, NOW, &[]));
    assert!(second.starts_with("OK: Number of events: 4.00"), "{second}");

    // Other filters keep their own state (what is kept is what counts):
    // their first run reads every file, the next none.
    for extra in [["--exclude-self"], ["--filter-event-name=^Stop"]] {
        let mut a = args.to_vec();
        a.extend_from_slice(&extra);
        for reads in [3, 0] {
            let n = server.requests().len();
            let line = check(&server, &a).0;
            assert_eq!(gets_since(&server, n).len(), reads, "{extra:?}");
            assert_eq!(line, stateless(&server, NOW, &extra), "{extra:?}");
        }
    }

    // Ten minutes on, the window has moved: nothing new is read, and the
    // events gone out of it are not counted (03:31 is out at 04:40).
    let later = NOW + 600;
    let n = server.requests().len();
    let moved = check_at(&server, &args, later).0;
    assert_eq!(gets_since(&server, n), Vec::<String>::new());
    assert_eq!(moved, stateless(&server, later, &[]));
    assert!(moved.starts_with("OK: Number of events: 3.00"), "{moved}");

    // Corrupted state files: every file is read again, same answer.
    let kept: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("check_cloudtrail_logfiles_"))
        .collect();
    assert_eq!(kept.len(), 3, "one per filter set: {kept:?}");
    for k in &kept {
        let text = std::fs::read_to_string(k).unwrap();
        std::fs::write(k, &text[..text.len() / 2]).unwrap();
    }
    let n = server.requests().len();
    let again = check_at(&server, &args, later).0;
    assert_eq!(
        gets_since(&server, n).len(),
        2,
        "the files of 04:00 and 04:10"
    );
    assert_eq!(again, moved);
}

#[test]
fn a_partial_read_keeps_the_files_it_read() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    // The file of 04:00 takes longer than the check's time, once.
    let slow = Arc::new(AtomicBool::new(true));
    let late = Arc::clone(&slow);
    let (server, _) = hooked_server(bucket(), true, move |r| {
        if r.path.contains("T0400Z_c") && late.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_secs(4));
        }
        None
    });
    let dir = TempDir::new("logsource-partial");
    let state = format!("--statefile-dir={}", dir.0.display());
    let (text, code) = check(&server, &["--mode=countevents", "--timeout=3", &state]);
    assert_eq!(code, 3, "{text}");
    assert!(text.contains("ran out with 1 of 2 log files"), "{text}");
    slow.store(false, Ordering::SeqCst);
    let n = server.requests().len();
    let (text, _) = check(&server, &["--mode=countevents", &state]);
    assert_eq!(
        gets_since(&server, n),
        [format!("/ct-bucket/{}", key("us-east-1", "0400", "c"))]
    );
    assert_eq!(text, check(&server, &["--mode=countevents"]).0);
}

#[test]
fn past_the_cap_nothing_is_kept_and_each_run_reads_the_file_again() {
    // One more full row than the state keeps, all in the window: ids that
    // are not UUIDs keep their rows (the compact form is for UUIDs).
    let records: Vec<Value> = (0..=20_000)
        .map(|i| record(&format!("e{i}"), "0350", "RunInstances", json!({})))
        .collect();
    let mut b = Bucket::new();
    let big = key("us-east-1", "0400", "big");
    b.insert(big.clone(), file(records));
    let (server, _) = server(b, true);
    let dir = TempDir::new("logsource-cap");
    let state = format!("--statefile-dir={}", dir.0.display());
    let stateless = check(&server, &["--mode=countevents"]).0;
    assert!(
        stateless.starts_with("OK: Number of events: 20001.00"),
        "{stateless}"
    );
    for _ in 0..2 {
        let n = server.requests().len();
        let (text, _) = check(&server, &["--mode=countevents", &state]);
        assert_eq!(text, stateless);
        assert_eq!(gets_since(&server, n), [format!("/ct-bucket/{big}")]);
    }
}

/// A canonical eventID, as CloudTrail writes them.
fn uuid(n: usize) -> String {
    format!("{:08x}-0000-4000-8000-{n:012x}", n % 7)
}

#[test]
fn a_busy_window_is_counted_whole_and_kept_compact() {
    // 30 000 events, every one counted (no filter), over the 20 000 rows
    // the state once kept; in three files.
    let mut b = Bucket::new();
    for (f, hhmm) in ["0340", "0350", "0400"].iter().enumerate() {
        let records: Vec<Value> = (0..10_000)
            .map(|i| record(&uuid(f * 10_000 + i), hhmm, "GetObject", json!({})))
            .collect();
        b.insert(key("us-east-1", hhmm, "busy"), file(records));
    }
    let (server, objects) = server(b, true);
    let stateless = check(&server, &["--mode=countevents"]).0;
    assert!(
        stateless.starts_with("OK: Number of events: 30000.00"),
        "{stateless}"
    );
    let dir = TempDir::new("logsource-busy");
    let state = format!("--statefile-dir={}", dir.0.display());
    let args = ["--mode=countevents", &state];
    let n = server.requests().len();
    assert_eq!(check(&server, &args).0, stateless);
    assert_eq!(gets_since(&server, n).len(), 3);
    // A file delivered since, holding one event again (CloudTrail may
    // deliver one twice): only it is read, the event counts once.
    let new = key("us-east-1", "0410", "n");
    objects.lock().unwrap().insert(
        new.clone(),
        file(vec![
            record(&uuid(30_000), "0405", "GetObject", json!({})),
            record(&uuid(5), "0340", "GetObject", json!({})),
        ]),
    );
    let n = server.requests().len();
    let second = check(&server, &args).0;
    assert_eq!(gets_since(&server, n), [format!("/ct-bucket/{new}")]);
    assert!(
        second.starts_with("OK: Number of events: 30001.00"),
        "{second}"
    );
    assert_eq!(second, check(&server, &["--mode=countevents"]).0);
    // The state is compact: ~30 bytes an event, not a row of ~400.
    let size: u64 = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("check_cloudtrail_logfiles_"))
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    assert!(size < 30_002 * 32, "{size}");
}

#[test]
fn securityevents_alert_once_on_compact_events() {
    let login = |id: &str, hhmm: &str| {
        record(
            id,
            hhmm,
            "ConsoleLogin",
            json!({"eventSource": "signin.amazonaws.com", "eventType": "AwsConsoleSignIn",
            "responseElements": {"ConsoleLogin": "Success"},
            "additionalEventData": {"MFAUsed": "No"}}),
        )
    };
    let mut b = Bucket::new();
    b.insert(
        key("us-east-1", "0400", "c"),
        file(vec![
            login(&uuid(1), "0355"),
            record(&uuid(2), "0356", "RunInstances", json!({})),
        ]),
    );
    let (server, objects) = server(b, true);
    let dir = TempDir::new("logsource-seen");
    let state = format!("--statefile-dir={}", dir.0.display());
    let args = [
        "--mode=securityevents",
        "--filter-category=console_login",
        &state,
    ];
    let first = check(&server, &args).0;
    assert!(
        first.starts_with("WARNING: console logins without MFA: 1 new (1 in the window)"),
        "{first}"
    );
    // A late login: only it is new; the first one is not again.
    let new = key("us-east-1", "0410", "n");
    objects
        .lock()
        .unwrap()
        .insert(new.clone(), file(vec![login(&uuid(3), "0405")]));
    let n = server.requests().len();
    let second = check(&server, &args).0;
    assert_eq!(gets_since(&server, n), [format!("/ct-bucket/{new}")]);
    assert!(
        second.starts_with("WARNING: console logins without MFA: 1 new (2 in the window)"),
        "{second}"
    );
    let third = check(&server, &args).0;
    assert!(third.starts_with("OK: no security events"), "{third}");
    // With --verbose (its own state, the events kept whole): the same
    // counts, the events listed.
    let mut verbose = args.to_vec();
    verbose.push("--verbose");
    let listed = check(&server, &verbose).0;
    assert!(listed.starts_with("OK: no security events"), "{listed}");
    let stateless = check(
        &server,
        &[
            "--mode=securityevents",
            "--filter-category=console_login",
            "--verbose",
        ],
    )
    .0;
    assert!(
        stateless.contains("console_login_without_mfa ConsoleLogin alice 203.0.113.5"),
        "{stateless}"
    );
}
