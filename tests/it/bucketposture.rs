//! `--mode=bucketposture` against a loopback CloudTrail (DescribeTrails),
//! S3 (the bucket's configuration) and S3 Control (the account's Block
//! Public Access) on one port: what moto cannot show — denied reads, the
//! account level — and which requests `--filter-check` leaves out.

use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::util::{Reply, Request, Run, SECRET, Server, run_env};

const ACCOUNT: &str = "111122223333";
const CONTROL_PATH: &str = "/v20180820/configuration/publicAccessBlock";
const ALL_BLOCKED: &str = "<PublicAccessBlockConfiguration>\
    <BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>\
    <BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>\
    </PublicAccessBlockConfiguration>";

fn xml(status: u16, body: &str) -> Reply {
    Reply {
        status,
        headers: vec![("content-type".into(), "application/xml".into())],
        body: body.as_bytes().to_vec(),
    }
}

fn error(status: u16, code: &str) -> Reply {
    xml(
        status,
        &format!("<Error><Code>{code}</Code><Message>m {code}</Message></Error>"),
    )
}

/// The bucket `logs` (prefix `org`): each configuration answered by
/// `answers` by its query word (`lifecycle`, `versioning`, `object-lock`,
/// `publicAccessBlock`, `account`), else "not configured".
fn server(answers: &[(&'static str, Reply)]) -> Server {
    let answers: Arc<Mutex<Vec<(&'static str, Reply)>>> = Arc::new(Mutex::new(answers.to_vec()));
    Server::start(move |r: &Request| {
        if r.method == "POST" {
            return Reply::json(
                200,
                json!({"trailList": [{
                    "Name": "main",
                    "TrailARN": format!("arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/main"),
                    "HomeRegion": "eu-west-1",
                    "S3BucketName": "logs",
                    "S3KeyPrefix": "org",
                }]}),
            );
        }
        let word = if r.path.starts_with(CONTROL_PATH) {
            "account"
        } else {
            r.path
                .split_once('?')
                .map_or("", |(_, q)| q)
                .split('=')
                .next()
                .unwrap_or("")
        };
        let found = answers
            .lock()
            .unwrap()
            .iter()
            .find(|(w, _)| *w == word)
            .map(|(_, reply)| reply.clone());
        found.unwrap_or_else(|| match word {
            "lifecycle" => error(404, "NoSuchLifecycleConfiguration"),
            "versioning" => xml(200, "<VersioningConfiguration/>"),
            "object-lock" => error(404, "ObjectLockConfigurationNotFoundError"),
            _ => error(404, "NoSuchPublicAccessBlockConfiguration"),
        })
    })
}

fn check(server: &Server, args: &[&str]) -> Run {
    let url = server.url("/");
    let endpoint = format!("--endpoint-url={url}");
    let s3 = format!("--s3-endpoint-url={url}");
    let secret = format!("--aws-secret-key={SECRET}");
    let mut all = vec![
        "--plugin=cloud::aws::cloudtrail::plugin",
        "--mode=bucketposture",
        "--region=eu-west-1",
        "--aws-access-key=AKIDEXAMPLE",
        &secret,
        &endpoint,
        &s3,
    ];
    all.extend_from_slice(args);
    run_env(
        &all,
        &[("AWS_ENDPOINT_URL_S3_CONTROL", url.trim_end_matches('/'))],
    )
}

const HARDENED: [(&str, &str); 4] = [
    (
        "versioning",
        "<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Enabled</MfaDelete>\
         </VersioningConfiguration>",
    ),
    (
        "object-lock",
        "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule>\
         <DefaultRetention><Mode>COMPLIANCE</Mode><Years>1</Years></DefaultRetention></Rule>\
         </ObjectLockConfiguration>",
    ),
    ("publicAccessBlock", ALL_BLOCKED),
    (
        "lifecycle",
        "<LifecycleConfiguration><Rule><ID>other</ID><Filter><Prefix>tmp/</Prefix></Filter>\
         <Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>\
         </LifecycleConfiguration>",
    ),
];

fn hardened() -> Vec<(&'static str, Reply)> {
    HARDENED.iter().map(|(w, b)| (*w, xml(200, b))).collect()
}

#[test]
fn a_hardened_bucket_is_ok_and_the_trail_names_it() {
    let s = server(&hardened());
    let r = check(&s, &["--trail-name=main"]);
    assert_eq!(
        r.stdout.lines().next().unwrap(),
        "OK: Bucket logs: all 5 posture checks pass | 'bucket_lifecycle'=1;;;0;1 \
         'bucket_versioning'=1;;;0;1 'bucket_public_access'=1;;;0;1 'bucket_mfa_delete'=1;;;0;1 \
         'bucket_object_lock'=1;;;0;1",
        "{}",
        r.stdout
    );
    assert_eq!(r.code, 0);
    let reqs = s.requests();
    // DescribeTrails once, then the four bucket reads and S3 Control's,
    // which names the trail's account.
    assert_eq!(reqs.iter().filter(|r| r.method == "POST").count(), 1);
    let control: Vec<&Request> = reqs.iter().filter(|r| r.path == CONTROL_PATH).collect();
    assert_eq!(control.len(), 1);
    assert_eq!(control[0].header("x-amz-account-id"), Some(ACCOUNT));
    assert!(
        control[0]
            .header("authorization")
            .unwrap()
            .contains("x-amz-account-id")
    );
    for word in [
        "lifecycle",
        "versioning",
        "object-lock",
        "publicAccessBlock",
    ] {
        assert!(
            reqs.iter().any(|r| r.path == format!("/logs/?{word}")),
            "{word}: {reqs:?}"
        );
    }
}

#[test]
fn a_day_long_rule_on_the_digest_folder_pages() {
    let mut answers = hardened();
    answers.retain(|(w, _)| *w != "lifecycle");
    answers.push((
        "lifecycle",
        xml(
            200,
            "<LifecycleConfiguration><Rule><ID>quiet</ID><Filter><Prefix>\
             org/AWSLogs/111122223333/CloudTrail-Digest/</Prefix></Filter><Status>Enabled</Status>\
             <Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>",
        ),
    ));
    let s = server(&answers);
    let r = check(&s, &["--trail-name=main", "--verbose"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stdout.starts_with(
            "CRITICAL: Bucket logs: a lifecycle rule expires CloudTrail's objects sooner than \
             the retention, CloudTrail's objects expire after 1 days |"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("'log_retention'=1d;;7:;0;"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "bucket_lifecycle: a lifecycle rule expires CloudTrail's objects sooner than \
                       the retention: lifecycle rule quiet expires objects under org/AWSLogs/ \
                       after 1 days (retention asked: 365)"
        ),
        "{}",
        r.stdout
    );
    // Thresholds and the retention asked are options.
    let r = check(
        &s,
        &[
            "--trail-name=main",
            "--critical-log-retention=~:",
            "--warning-log-retention=30:",
            "--retention-days=1",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("'log_retention'=1d;30:;~:;0;"),
        "{}",
        r.stdout
    );
}

#[test]
fn denied_reads_are_unknown_checks_and_all_denied_is_unknown() {
    let mut answers = vec![
        ("lifecycle", error(403, "AccessDenied")),
        ("publicAccessBlock", error(403, "AccessDenied")),
    ];
    answers.push(("account", xml(200, ALL_BLOCKED)));
    let s = server(&answers);
    let r = check(
        &s,
        &["--s3-bucket=logs", "--account-id=444455556666", "--verbose"],
    );
    // Versioning never enabled: WARNING; the account's settings block
    // public access whatever the bucket's say.
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.starts_with(
            "WARNING: Bucket logs: versioning not enabled, MFA delete not enabled, no Object \
             Lock default retention |"
        ),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("'bucket_lifecycle'"), "{}", r.stdout);
    assert!(
        r.stdout.contains("'bucket_public_access'=1"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("s3:GetLifecycleConfiguration"),
        "{}",
        r.stdout
    );
    let reqs = s.requests();
    assert!(reqs.iter().all(|r| r.method != "POST"), "no DescribeTrails");
    let control = reqs.iter().find(|r| r.path == CONTROL_PATH).unwrap();
    assert_eq!(control.header("x-amz-account-id"), Some("444455556666"));

    let denied: Vec<(&str, Reply)> = [
        "lifecycle",
        "versioning",
        "object-lock",
        "publicAccessBlock",
        "account",
    ]
    .into_iter()
    .map(|w| (w, error(403, "AccessDenied")))
    .collect();
    let s = server(&denied);
    let r = check(&s, &["--s3-bucket=logs", "--account-id=444455556666"]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(
        r.stdout.starts_with(
            "UNKNOWN: Bucket logs: every read was refused: the credentials need \
             s3:GetLifecycleConfiguration, s3:GetBucketVersioning, s3:GetBucketPublicAccessBlock \
             and s3:GetAccountPublicAccessBlock, s3:GetBucketObjectLockConfiguration"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn filter_check_skips_the_reads_of_the_checks_it_leaves_out() {
    let s = server(&hardened());
    let r = check(
        &s,
        &[
            "--trail-name=main",
            "--filter-check=versioning|mfa",
            "--warning-status=%{bucket_mfa_delete} eq \"false\"",
            "--critical-status=%{name} eq \"other\"",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout
            .starts_with("OK: Bucket logs: all 2 posture checks pass |"),
        "{}",
        r.stdout
    );
    let words: Vec<String> = s
        .requests()
        .iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(words, ["/logs/?versioning"], "{words:?}");
}

#[test]
fn options_are_checked_and_awscli_refused() {
    let s = server(&hardened());
    for (args, says) in [
        (
            &["--trail-name=main", "--retention-days=0"][..],
            "--retention-days",
        ),
        (
            &["--trail-name=main", "--retention-days=1.5"][..],
            "--retention-days",
        ),
        (&["--s3-prefix=org"][..], "--s3-prefix needs --s3-bucket"),
        (&[][..], "Need to specify --trail-name option"),
        (
            &["--all-trails"][..],
            "--all-trails or --filter-trail-name is not for --mode=bucketposture",
        ),
        (
            &["--trail-name=main", "--regions=eu-west-1,us-east-1"][..],
            "--regions",
        ),
        (
            &["--trail-name=main", "--warning-status=%{nope} eq 1"][..],
            "--warning-status",
        ),
        (
            &["--trail-name=main", "--custommode=awscli"][..],
            "bucketposture would start six",
        ),
    ] {
        let r = check(&s, args);
        assert_eq!(r.code, 3, "{args:?}: {}", r.stdout);
        assert!(r.stdout.contains(says), "{args:?}: {}", r.stdout);
    }
}
