//! `--mode=logintegrity` end to end in-process (the clock set to the
//! fixtures' time): a loopback CloudTrail answering DescribeTrails and
//! ListPublicKeys and a loopback S3 serving the committed fixtures
//! (tests/fixtures/logintegrity/store.json), gzip and metadata included.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use check_cloudtrail::aws::credentials::SharedFiles;
use check_cloudtrail::env::MapEnv;
use check_cloudtrail::{cli, execute};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};

use crate::util::{At, PLUGIN, Reply, Request, SECRET, Server, TempDir, run};

const FIXTURE: &str = include_str!("../fixtures/logintegrity/store.json");
pub(crate) const ACCOUNT: &str = "123456789012";

fn fixture() -> Value {
    serde_json::from_str(FIXTURE).unwrap()
}

fn digest_key(name: &str) -> String {
    fixture()["digests"][name]["key"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// 2026-01-01T04:30:00Z: half an hour after the chain's last digest.
const NOW: i64 = 1_767_241_800;

/// The bucket: key → (uncompressed body, user metadata).
pub(crate) type Bucket = BTreeMap<String, (Vec<u8>, Vec<(String, String)>)>;

/// The fixture's objects, without the digests not named in `digests`
/// (the log files are all there).
pub(crate) fn bucket(digests: &[&str]) -> Bucket {
    let f = fixture();
    let keep: Vec<String> = digests.iter().map(|d| digest_key(d)).collect();
    f["objects"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| !k.contains("CloudTrail-Digest") || keep.contains(k))
        .map(|(k, v)| {
            let meta = v["metadata"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(n, v)| (n.clone(), v.as_str().unwrap().to_owned()))
                        .collect()
                })
                .unwrap_or_default();
            (
                k.clone(),
                (v["body"].as_str().unwrap().as_bytes().to_vec(), meta),
            )
        })
        .collect()
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

fn xml(status: u16, body: String) -> Reply {
    Reply {
        status,
        headers: vec![("content-type".into(), "application/xml".into())],
        body: body.into_bytes(),
    }
}

fn list(objects: &Bucket, query: &str) -> Reply {
    let params: BTreeMap<String, String> = query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), decode(v)))
        .collect();
    let prefix = params.get("prefix").cloned().unwrap_or_default();
    let after = params.get("start-after").cloned().unwrap_or_default();
    let keys = objects
        .keys()
        .filter(|k| k.starts_with(&prefix) && **k > after);
    let mut body = String::from("<ListBucketResult><Name>ct-bucket</Name>");
    if params.get("delimiter").map(String::as_str) == Some("/") {
        let mut seen: Vec<String> = keys
            .filter_map(|k| {
                let rest = &k[prefix.len()..];
                rest.find('/').map(|i| format!("{prefix}{}", &rest[..=i]))
            })
            .collect();
        seen.dedup();
        for p in seen {
            body.push_str(&format!(
                "<CommonPrefixes><Prefix>{p}</Prefix></CommonPrefixes>"
            ));
        }
    } else {
        for k in keys {
            body.push_str(&format!(
                "<Contents><Key>{k}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>\
                 <ETag>&quot;{}&quot;</ETag><Size>10</Size></Contents>",
                etag(&objects[k])
            ));
        }
    }
    body.push_str("<IsTruncated>false</IsTruncated></ListBucketResult>");
    xml(200, body)
}

/// An object's ETag: its content's (an overwrite changes it, as in S3).
fn etag((body, meta): &(Vec<u8>, Vec<(String, String)>)) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body.iter().chain(format!("{meta:?}").as_bytes()) {
        h = (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The headers S3 sends with an object (GET and HEAD alike).
fn object_headers(object: &(Vec<u8>, Vec<(String, String)>)) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = object
        .1
        .iter()
        .map(|(n, v)| (format!("x-amz-meta-{n}"), v.clone()))
        .collect();
    headers.push(("etag".into(), format!("\"{}\"", etag(object))));
    headers.push((
        "last-modified".into(),
        "Thu, 01 Jan 2026 00:00:00 GMT".into(),
    ));
    headers
}

/// CloudTrail (POST) and S3 (GET, HEAD on `/ct-bucket…`) on one port.
pub(crate) fn server(objects: Bucket, validation: bool) -> (Server, Arc<Mutex<Bucket>>) {
    slow_server(objects, validation, Duration::ZERO)
}

/// [`server`], each object read (GET of a key, HEAD) taking `delay`.
pub(crate) fn slow_server(
    objects: Bucket,
    validation: bool,
    delay: Duration,
) -> (Server, Arc<Mutex<Bucket>>) {
    hooked_server(objects, validation, move |r| {
        if r.method == "HEAD" || r.method == "GET" && !r.path.contains("list-type=") {
            std::thread::sleep(delay);
        }
        None
    })
}

/// [`server`], `hook` answering first when it has an answer.
pub(crate) fn hooked_server(
    objects: Bucket,
    validation: bool,
    hook: impl Fn(&Request) -> Option<Reply> + Send + Sync + 'static,
) -> (Server, Arc<Mutex<Bucket>>) {
    let shared = Arc::new(Mutex::new(objects));
    let objects = Arc::clone(&shared);
    let server = Server::start(move |r: &Request| {
        if let Some(reply) = hook(r) {
            return reply;
        }
        if r.method == "POST" {
            return match r.operation() {
                "DescribeTrails" => Reply::json(
                    200,
                    json!({"trailList": [{
                        "Name": "demo",
                        "TrailARN": format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/demo"),
                        "HomeRegion": "us-east-1",
                        "S3BucketName": "ct-bucket",
                        "LogFileValidationEnabled": validation,
                    }]}),
                ),
                "ListPublicKeys" => Reply::json(200, fixture()["keys"].clone()),
                other => Reply::aws_error(400, "UnknownOperationException", other),
            };
        }
        let objects = objects.lock().unwrap();
        let (path, query) = r.path.split_once('?').unwrap_or((&r.path, ""));
        let Some(rest) = path.strip_prefix("/ct-bucket") else {
            return xml(404, "<Error><Code>NoSuchBucket</Code></Error>".into());
        };
        if rest.is_empty() || rest == "/" {
            return list(&objects, query);
        }
        let key = decode(&rest[1..]);
        match (r.method.as_str(), objects.get(&key)) {
            ("HEAD", Some(object)) => Reply {
                status: 200,
                headers: object_headers(object),
                body: Vec::new(),
            },
            ("HEAD", None) => Reply {
                status: 404,
                headers: Vec::new(),
                body: Vec::new(),
            },
            (_, Some(object)) => Reply {
                status: 200,
                headers: object_headers(object),
                body: gz(&object.0),
            },
            (_, None) => xml(
                404,
                "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>"
                    .into(),
            ),
        }
    });
    (server, shared)
}

/// A check at [`NOW`] against `server`, with `args` after the usual ones.
pub(crate) fn check(server: &Server, args: &[&str], env: &[(&str, &str)]) -> (String, u8) {
    let endpoint = format!("--endpoint-url={}", server.url("/"));
    let s3 = format!("--s3-endpoint-url={}", server.url("/"));
    let mut argv = vec![
        "check_cloudtrail",
        PLUGIN,
        "--mode=logintegrity",
        "--region=us-east-1",
        "--aws-access-key=AKIDEXAMPLE",
        &endpoint,
        &s3,
    ];
    if !args.iter().any(|a| a.starts_with("--statefile-dir=")) {
        argv.push("--disable-statefile");
    }
    let secret = format!("--aws-secret-key={SECRET}");
    argv.push(&secret);
    argv.extend_from_slice(args);
    let mut vars = vec![
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_CONFIG_FILE", "/dev/null"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
    ];
    vars.extend_from_slice(env);
    let env = MapEnv::new(&vars);
    let files = SharedFiles::load(&env);
    let inv = cli::parse(argv, &env, files.as_ref().ok());
    let done = execute(inv, &env, &files, &At(NOW), &|_, _| Ok(()));
    (done.text, done.exit_code)
}

pub(crate) const CHAIN: [&str; 5] = ["D1", "D2", "D3", "D4", "B1"];

#[test]
fn a_valid_chain_is_ok_with_every_metric() {
    let (server, _) = server(bucket(&CHAIN), true);
    let (text, code) = check(&server, &["--trail-name=demo", "--delta=270"], &[]);
    assert_eq!(
        text.lines().next().unwrap(),
        "OK: digest files: 5 valid, 0 invalid, 0 missing - log files: 5 valid, 0 invalid, \
         0 missing - chain breaks: 0 - newest valid digest ended 30m 0s ago | \
         'digests_valid'=5;;;0; 'digests_invalid'=0;;0:0;0; 'digests_missing'=0;;0:0;0; \
         'logs_valid'=5;;;0; 'logs_invalid'=0;;0:0;0; 'logs_missing'=0;;0:0;0; \
         'chain_breaks'=0;0:0;;0; 'digest_age'=1800s;0:7200;0:21600;0;",
        "{text}"
    );
    assert_eq!(code, 0);
    let reqs = server.requests();
    // ListPublicKeys signed for the source region, over the window.
    let keys: Vec<&Request> = reqs
        .iter()
        .filter(|r| r.operation() == "ListPublicKeys")
        .collect();
    assert!(!keys.is_empty());
    assert!(
        keys[0]
            .header("authorization")
            .unwrap()
            .contains("/us-east-1/cloudtrail/aws4_request")
    );
    assert_eq!(keys[0].json()["StartTime"], json!(NOW - 270 * 60));
    // Every log file read whole (GET), every digest's metadata (HEAD).
    let gets = reqs
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("/CloudTrail/"))
        .count();
    assert_eq!(gets, 5);
    // Both spellings of a label; digest-age is traildelivery's name too.
    let (text, code) = check(
        &server,
        &[
            "--trail-name=demo",
            "--delta=270",
            "--warning-digest-age=1000",
            "--critical-digests_invalid=5",
        ],
        &[],
    );
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("'digests_invalid'=0;;0:5;0;") && text.contains("'digest_age'=1800s;0:1000;"),
        "{text}"
    );
}

#[test]
fn an_edited_log_is_critical() {
    let (server, objects) = server(bucket(&CHAIN), true);
    {
        let mut o = objects.lock().unwrap();
        let k = o
            .keys()
            .find(|k| k.contains("_bbbb.json.gz"))
            .unwrap()
            .clone();
        o.get_mut(&k).unwrap().0.push(b' ');
    }
    let (text, code) = check(
        &server,
        &["--trail-name=demo", "--delta=270", "--verbose"],
        &[],
    );
    assert_eq!(code, 2, "{text}");
    assert!(
        text.starts_with("CRITICAL: log files: 4 valid, 1 invalid, 0 missing"),
        "{text}"
    );
    assert!(
        text.contains("_bbbb.json.gz INVALID: hash value doesn't match"),
        "{text}"
    );
    // --verify-logs=exists cannot see an edit.
    let (text, code) = check(
        &server,
        &["--trail-name=demo", "--delta=270", "--verify-logs=exists"],
        &[],
    );
    assert_eq!(code, 0, "{text}");
}

#[test]
fn a_deleted_digest_is_critical() {
    let (server, _) = server(bucket(&["D1", "D3", "D4", "B1"]), true);
    let (text, code) = check(
        &server,
        &["--trail-name=demo", "--delta=270", "--verbose"],
        &[],
    );
    assert_eq!(code, 2, "{text}");
    assert!(
        text.starts_with("CRITICAL: digest files: 4 valid, 0 invalid, 1 missing"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "digest file s3://ct-bucket/{} INVALID: not found",
            digest_key("D2")
        )),
        "{text}"
    );
}

#[test]
fn validation_off_is_critical_without_reading_s3() {
    let (server, _) = server(bucket(&CHAIN), false);
    let (text, code) = check(&server, &["--trail-name=demo"], &[]);
    assert_eq!(
        (text.lines().next().unwrap(), code),
        (
            "CRITICAL: log file validation is off on trail demo: no digest to verify ",
            2
        )
    );
    assert!(server.requests().iter().all(|r| r.method == "POST"));
}

#[test]
fn with_s3_bucket_no_describe_trails() {
    let (server, _) = server(bucket(&CHAIN), true);
    let (text, code) = check(
        &server,
        &[
            "--trail-name=demo",
            "--s3-bucket=ct-bucket",
            &format!("--account-id={ACCOUNT}"),
            "--delta=270",
            "--filter-region=^us-",
        ],
        &[],
    );
    assert_eq!(code, 0, "{text}");
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.operation() != "DescribeTrails")
    );
    // Not an ARN and no --account-id: asked for.
    let (text, code) = check(
        &server,
        &["--trail-name=demo", "--s3-bucket=ct-bucket", "--delta=270"],
        &[],
    );
    assert_eq!(code, 3, "{text}");
    assert!(text.contains("--account-id"), "{text}");
}

#[test]
fn awscli_is_refused_unless_the_poller_says_builtin() {
    let r = run(&[
        PLUGIN,
        "--mode=logintegrity",
        "--custommode=awscli",
        "--region=us-east-1",
        "--trail-name=demo",
    ]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "validate-logs has no incremental form; logintegrity needs the built-in client"
        ),
        "{}",
        r.stdout
    );
    let (server, _) = server(bucket(&CHAIN), true);
    let (text, code) = check(
        &server,
        &["--trail-name=demo", "--delta=270", "--custommode=awscli"],
        &[("CHECK_CLOUDTRAIL_AWSCLI", "builtin")],
    );
    assert_eq!(code, 0, "{text}");
}

#[test]
fn regions_and_all_trails_are_refused() {
    for (extra, said) in [
        (
            "--regions=us-east-1,eu-west-1",
            "--regions is not for --mode=logintegrity",
        ),
        (
            "--all-trails",
            "--all-trails or --filter-trail-name is not for --mode=logintegrity",
        ),
    ] {
        let r = run(&[
            PLUGIN,
            "--mode=logintegrity",
            "--region=us-east-1",
            "--trail-name=demo",
            extra,
        ]);
        assert_eq!(r.code, 3, "{}", r.stdout);
        assert!(r.stdout.contains(said), "{}", r.stdout);
    }
}

#[test]
fn every_option_is_read_and_checked() {
    let (server, _) = server(bucket(&CHAIN), true);
    // A window, prefix and region filter that find nothing: CRITICAL.
    let (text, code) = check(
        &server,
        &[
            "--trail-name=demo",
            "--s3-bucket=ct-bucket",
            "--s3-prefix=elsewhere/",
            &format!("--account-id={ACCOUNT}"),
            "--filter-region=^eu-",
            "--verify-logs=none",
        ],
        &[],
    );
    assert_eq!(code, 2, "{text}");
    assert!(
        text.starts_with("CRITICAL: no digest folder under s3://ct-bucket/elsewhere/AWSLogs/"),
        "{text}"
    );
    for (bad, said) in [
        ("--verify-logs=all", "--verify-logs 'all'"),
        ("--account-id=12", "--account-id '12'"),
        ("--delta=200000", "--delta must be"),
        ("--s3-endpoint-url=ftp://x", "--s3-endpoint-url"),
    ] {
        let (text, code) = check(
            &server,
            &["--trail-name=demo", "--s3-bucket=ct-bucket", bad],
            &[],
        );
        assert_eq!(code, 3, "{bad}: {text}");
        assert!(text.contains(said), "{bad}: {text}");
    }
    for label in [
        "digests-valid",
        "digests-invalid",
        "digests-missing",
        "logs-valid",
        "logs-invalid",
        "logs-missing",
        "chain-breaks",
        "digest-age",
    ] {
        for level in ["warning", "critical"] {
            let bad = format!("--{level}-{label}=x:y");
            let (text, code) = check(&server, &["--trail-name=demo", &bad], &[]);
            assert_eq!(code, 3, "{bad}: {text}");
        }
    }
    // Literal names, as --help shows them.
    let _ = [
        "--warning-digests-valid",
        "--critical-digests-valid",
        "--warning-digests-invalid",
        "--critical-digests-invalid",
        "--warning-digests-missing",
        "--critical-digests-missing",
        "--warning-logs-valid",
        "--critical-logs-valid",
        "--warning-logs-invalid",
        "--critical-logs-invalid",
        "--warning-logs-missing",
        "--critical-logs-missing",
        "--warning-chain-breaks",
        "--critical-chain-breaks",
    ];
}

/// The requests that read an object (GET of a key, HEAD), not a listing.
fn object_reads(reqs: &[Request]) -> Vec<String> {
    reqs.iter()
        .filter(|r| r.method == "HEAD" || r.method == "GET" && !r.path.contains("list-type="))
        .map(|r| r.path.clone())
        .collect()
}

fn log_key(objects: &Arc<Mutex<Bucket>>, unique: &str) -> String {
    objects
        .lock()
        .unwrap()
        .keys()
        .find(|k| k.contains(unique))
        .unwrap()
        .clone()
}

#[test]
fn a_second_run_lists_and_reads_nothing_unchanged_and_sees_every_change() {
    let dir = TempDir::new("integrity-state");
    let state = format!("--statefile-dir={}", dir.0.display());
    let (server, objects) = server(bucket(&CHAIN), true);
    let args = [
        "--trail-name=demo",
        "--delta=270",
        "--verbose",
        state.as_str(),
    ];
    let (first, code) = check(&server, &args, &[]);
    assert_eq!(code, 0, "{first}");
    let seen = server.requests().len();
    // The same answer, the whole window's perfdata, from listings alone.
    let (second, code) = check(&server, &args, &[]);
    assert_eq!((second.as_str(), code), (first.as_str(), 0));
    let again = &server.requests()[seen..];
    assert_eq!(object_reads(again), Vec::<String>::new());
    assert!(again.iter().all(|r| r.operation() != "ListPublicKeys"));
    let lists = again
        .iter()
        .filter(|r| r.path.contains("list-type="))
        .count();
    // Source regions, the region's digests, the log files' day folder.
    assert_eq!(lists, 3, "{again:?}");

    // A verified log file overwritten: read again, found edited.
    let edited = log_key(&objects, "_bbbb.json.gz");
    objects
        .lock()
        .unwrap()
        .get_mut(&edited)
        .unwrap()
        .0
        .push(b' ');
    // Another deleted: missing, and known so from the listing alone.
    let deleted = log_key(&objects, "_cccc.json.gz");
    objects.lock().unwrap().remove(&deleted);
    let seen = server.requests().len();
    let (third, code) = check(&server, &args, &[]);
    assert_eq!(code, 2, "{third}");
    assert!(
        third.starts_with("CRITICAL: log files: 3 valid, 1 invalid, 1 missing"),
        "{third}"
    );
    assert!(
        third.contains("_bbbb.json.gz INVALID: hash value doesn't match"),
        "{third}"
    );
    assert!(
        third.contains("_cccc.json.gz INVALID: not found"),
        "{third}"
    );
    let reads = object_reads(&server.requests()[seen..]);
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert!(reads[0].ends_with("_bbbb.json.gz"), "{reads:?}");
    // And a run without the state says the same.
    let stateless: Vec<&str> = args[..3].to_vec();
    let (fresh, _) = check(&server, &stateless, &[]);
    assert_eq!(fresh, third);
}

#[test]
fn a_deleted_verified_digest_is_missing_on_the_next_run() {
    let dir = TempDir::new("integrity-state-digest");
    let state = format!("--statefile-dir={}", dir.0.display());
    let (server, objects) = server(bucket(&CHAIN), true);
    let args = ["--trail-name=demo", "--delta=270", state.as_str()];
    assert_eq!(check(&server, &args, &[]).1, 0);
    objects.lock().unwrap().remove(&digest_key("D2"));
    let (text, code) = check(&server, &args, &[]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.starts_with("CRITICAL: digest files: 4 valid, 0 invalid, 1 missing"),
        "{text}"
    );
}

#[test]
fn a_walk_out_of_time_is_unknown_then_the_next_run_goes_on() {
    let dir = TempDir::new("integrity-partial");
    let state = format!("--statefile-dir={}", dir.0.display());
    // Every object read takes 700 ms, and S3 is paced as CloudTrail (its
    // default is unpaced): a 5 s check (1 s kept for the answer) reads a
    // part of the window.
    let (slow, _) = slow_server(bucket(&CHAIN), true, Duration::from_millis(700));
    let args = [
        "--trail-name=demo",
        "--delta=270",
        "--timeout=5",
        "--api-rate=9",
        state.as_str(),
    ];
    let (text, code) = check(&slow, &args, &[]);
    assert_eq!(code, 3, "{text}");
    let status = text.lines().next().unwrap();
    assert!(status.contains("partial read: verified back to "), "{text}");
    assert!(status.contains(" left when the time ran out"), "{text}");
    assert!(
        !status.contains('|'),
        "no perfdata for part of a window: {text}"
    );
    // The next runs start where the last one stopped.
    let mut last = text;
    for _ in 0..4 {
        let (text, code) = check(&slow, &args, &[]);
        last = text;
        if code == 0 {
            break;
        }
        assert_eq!(code, 3, "{last}");
    }
    assert!(last.starts_with("OK: digest files: 5 valid"), "{last}");
}

#[test]
fn exists_lists_the_log_folders_and_reads_no_log_file() {
    let (server, objects) = server(bucket(&CHAIN), true);
    let deleted = log_key(&objects, "_cccc.json.gz");
    objects.lock().unwrap().remove(&deleted);
    let (text, code) = check(
        &server,
        &[
            "--trail-name=demo",
            "--delta=270",
            "--verify-logs=exists",
            "--verbose",
        ],
        &[],
    );
    assert_eq!(code, 2, "{text}");
    assert!(
        text.starts_with("CRITICAL: log files: 4 valid, 0 invalid, 1 missing"),
        "{text}"
    );
    assert!(text.contains("_cccc.json.gz INVALID: not found"), "{text}");
    // s3:GetObject on the digests only: no log file is read or HEADed.
    let reads = object_reads(&server.requests());
    assert!(
        reads.iter().all(|p| p.contains("CloudTrail-Digest")),
        "{reads:?}"
    );
}

#[test]
fn a_log_file_denied_suggests_exists() {
    let (denied, _) = hooked_server(bucket(&CHAIN), true, |r| {
        (r.method == "GET" && r.path.contains("/CloudTrail/")).then(|| {
            xml(
                403,
                "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>".into(),
            )
        })
    });
    let (text, code) = check(&denied, &["--trail-name=demo", "--delta=270"], &[]);
    assert_eq!(code, 3, "{text}");
    assert!(text.contains("s3:GetObject"), "{text}");
    assert!(
        text.contains("--verify-logs=exists checks that log files are there"),
        "{text}"
    );
}

#[test]
fn organization_options_are_checked() {
    let (server, _) = server(bucket(&CHAIN), true);
    for (args, says) in [
        (
            &["--trail-name=demo", "--organization-id=o-UPPER"][..],
            "--organization-id 'o-UPPER' is not an organization id",
        ),
        (
            &[
                "--trail-name=demo",
                "--s3-bucket=ct-bucket",
                "--account-id=123456789012",
                "--all-accounts",
            ][..],
            "--account-id and --all-accounts",
        ),
        // No AWSLogs/o-…/ folder in this bucket: not an organization trail.
        (
            &[
                "--trail-name=demo",
                "--all-accounts",
                "--warning-accounts-total=1:",
                "--critical-accounts-total=1:",
                "--warning-accounts-failing=0",
                "--critical-accounts-failing=1",
            ][..],
            "--all-accounts: no organization folder (AWSLogs/o-…/) under s3://ct-bucket/AWSLogs/",
        ),
    ] {
        let (text, code) = check(&server, args, &[]);
        assert_eq!(code, 3, "{args:?}: {text}");
        assert!(text.contains(says), "{args:?}: {text}");
    }
    // A named organization whose folder holds nothing: CRITICAL, not OK.
    let (text, code) = check(
        &server,
        &["--trail-name=demo", "--organization-id=o-abcdefghij"],
        &[],
    );
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("no digest folder under s3://ct-bucket/AWSLogs/o-abcdefghij/123456789012/"),
        "{text}"
    );
}
