//! `--s3-role-arn` / `--s3-external-id` through logintegrity in-process,
//! against the loopback CloudTrail + S3 of `logintegrity.rs` and a
//! loopback STS: S3 requests signed with the assumed role's keys and
//! token, CloudTrail requests with the main ones, the external id sent,
//! STS failures named, the credentials cached in the state directory.

use std::sync::{Arc, Mutex};

use crate::logintegrity::{ACCOUNT, CHAIN, bucket, check, server};
use crate::util::{Reply, Request, SECRET, Server, TempDir, form, signing_key_id, sts_credentials};

const S3_ROLE: &str = "arn:aws:iam::444455556666:role/LogArchiveRead";
const MAIN_ROLE: &str = "arn:aws:iam::123456789012:role/CloudTrailRead";
const S3_SECRET: &str = "s3RoleSecretKeyEXAMPLEs3RoleSecretKey/+x";
const S3_TOKEN: &str = "S3ROLESESSIONTOKENvalue";
const MAIN_SECRET: &str = "mainRoleSecretKeyEXAMPLEmainRoleSecret/+";
const MAIN_TOKEN: &str = "MAINROLESESSIONTOKENvalue";

/// A loopback STS: each role its own keys, or `fail` for every call.
fn sts(fail: Option<Reply>) -> Server {
    let fail = Arc::new(Mutex::new(fail));
    Server::start(move |r: &Request| {
        if let Some(f) = fail.lock().unwrap().as_ref() {
            return Reply {
                status: f.status,
                headers: f.headers.clone(),
                body: f.body.clone(),
            };
        }
        match form(r).get("RoleArn").map(String::as_str) {
            Some(S3_ROLE) => sts_credentials("AssumeRole", "ASIAS3ROLE", S3_SECRET, S3_TOKEN),
            Some(MAIN_ROLE) => {
                sts_credentials("AssumeRole", "ASIAMAINROLE", MAIN_SECRET, MAIN_TOKEN)
            }
            other => Reply::aws_error(400, "ValidationError", &format!("{other:?}")),
        }
    })
}

fn sts_flag(s: &Server) -> String {
    format!("--sts-endpoint-url={}", s.url("/"))
}

/// The S3 requests (GET/HEAD) and the CloudTrail ones (POST).
fn split(reqs: &[Request]) -> (Vec<&Request>, Vec<&Request>) {
    reqs.iter().partition(|r| r.method != "POST")
}

#[test]
fn s3_reads_use_the_s3_role_and_cloudtrail_the_main_keys() {
    let (store, _) = server(bucket(&CHAIN), true);
    let sts = sts(None);
    let (text, code) = check(
        &store,
        &[
            "--trail-name=demo",
            "--delta=270",
            &sts_flag(&sts),
            &format!("--s3-role-arn={S3_ROLE}"),
            "--s3-external-id=archive-ext",
            "--debug",
        ],
        &[],
    );
    assert_eq!(code, 0, "{text}");
    // One AssumeRole, signed with the main keys, the external id and the
    // default session name sent.
    let calls = sts.requests();
    assert_eq!(calls.len(), 1, "{calls:?}");
    let f = form(&calls[0]);
    assert_eq!(f["Action"], "AssumeRole");
    assert_eq!(f["RoleArn"], S3_ROLE);
    assert_eq!(f["ExternalId"], "archive-ext");
    assert_eq!(f["RoleSessionName"], "centreon-plugins");
    assert_eq!(signing_key_id(&calls[0]), "AKIDEXAMPLE");
    let reqs = store.requests();
    let (s3, cloudtrail) = split(&reqs);
    assert!(!s3.is_empty() && !cloudtrail.is_empty());
    for r in &s3 {
        assert_eq!(signing_key_id(r), "ASIAS3ROLE", "{} {}", r.method, r.path);
        assert_eq!(r.header("x-amz-security-token"), Some(S3_TOKEN));
    }
    for r in &cloudtrail {
        assert_eq!(signing_key_id(r), "AKIDEXAMPLE", "{}", r.operation());
        assert_eq!(r.header("x-amz-security-token"), None);
    }
    // The debug output never shows the role's secrets.
    for secret in [S3_SECRET, S3_TOKEN, SECRET] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert!(text.contains(&format!("assuming {S3_ROLE}")), "{text}");
}

#[test]
fn the_s3_role_is_assumed_with_the_main_role() {
    let (store, _) = server(bucket(&CHAIN), true);
    let sts = sts(None);
    let (text, code) = check(
        &store,
        &[
            "--trail-name=demo",
            "--delta=270",
            &sts_flag(&sts),
            &format!("--aws-role-arn={MAIN_ROLE}"),
            &format!("--s3-role-arn={S3_ROLE}"),
            "--aws-role-session-name=nagios",
        ],
        &[],
    );
    assert_eq!(code, 0, "{text}");
    let calls = sts.requests();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(form(&calls[0])["RoleArn"], MAIN_ROLE);
    assert_eq!(signing_key_id(&calls[0]), "AKIDEXAMPLE");
    let s3_call = form(&calls[1]);
    assert_eq!(s3_call["RoleArn"], S3_ROLE);
    assert_eq!(s3_call["RoleSessionName"], "nagios");
    assert!(!s3_call.contains_key("ExternalId"));
    assert_eq!(signing_key_id(&calls[1]), "ASIAMAINROLE");
    assert_eq!(calls[1].header("x-amz-security-token"), Some(MAIN_TOKEN));
    let reqs = store.requests();
    let (s3, cloudtrail) = split(&reqs);
    assert!(s3.iter().all(|r| signing_key_id(r) == "ASIAS3ROLE"));
    assert!(
        cloudtrail
            .iter()
            .all(|r| signing_key_id(r) == "ASIAMAINROLE"
                && r.header("x-amz-security-token") == Some(MAIN_TOKEN))
    );
}

#[test]
fn an_sts_failure_is_one_unknown_line_naming_the_role() {
    let denied = Reply {
        status: 403,
        headers: vec![("content-type".into(), "text/xml".into())],
        body: b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: \
arn:aws:iam::123456789012:user/mon is not authorized to perform: sts:AssumeRole</Message>\
</Error></ErrorResponse>"
            .to_vec(),
    };
    let garbage = Reply {
        status: 200,
        headers: vec![],
        body: b"<nothing/>".to_vec(),
    };
    for (reply, starts) in [
        (denied, "UNKNOWN: AssumeRole failed: AccessDenied: User: "),
        (garbage, "UNKNOWN: AssumeRole failed: unexpected response: "),
    ] {
        let (store, _) = server(bucket(&CHAIN), true);
        let sts = sts(Some(reply));
        let (text, code) = check(
            &store,
            &[
                "--trail-name=demo",
                &sts_flag(&sts),
                &format!("--s3-role-arn={S3_ROLE}"),
            ],
            &[],
        );
        assert_eq!(code, 3, "{text}");
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(text.starts_with(starts), "{text}");
        assert!(text.contains(&format!("--s3-role-arn {S3_ROLE}")), "{text}");
        // Nothing read from S3 without the role.
        assert!(store.requests().iter().all(|r| r.method == "POST"));
    }
}

#[test]
fn the_s3_role_is_cached_apart_from_the_main_role() {
    let state = TempDir::new("s3role");
    let dir = format!("--statefile-dir={}", state.0.display());
    let (store, _) = server(bucket(&CHAIN), true);
    let sts = sts(None);
    let run = |role_flag: &str| {
        let (text, code) = check(
            &store,
            &[
                "--trail-name=demo",
                "--delta=270",
                &sts_flag(&sts),
                role_flag,
                "--disable-statefile=0",
                &dir,
                // The shared pacing is not what is tested here.
                "--api-rate=0",
            ],
            &[],
        );
        assert_eq!(code, 0, "{text}");
    };
    let s3_role = format!("--s3-role-arn={S3_ROLE}");
    run(&s3_role);
    assert_eq!(sts.requests().len(), 1);
    // The second run takes the role's keys from the state directory.
    run(&s3_role);
    assert_eq!(sts.requests().len(), 1);
    let reqs = store.requests();
    let (s3, _) = split(&reqs);
    assert!(
        s3.iter().all(|r| signing_key_id(r) == "ASIAS3ROLE"
            && r.header("x-amz-security-token") == Some(S3_TOKEN))
    );
    // The same ARN as the main role is another cache entry (and its
    // keys sign CloudTrail, not S3).
    run(&format!("--aws-role-arn={S3_ROLE}"));
    assert_eq!(sts.requests().len(), 2);
    run(&format!("--aws-role-arn={S3_ROLE}"));
    assert_eq!(sts.requests().len(), 2);
    let files = std::fs::read_dir(&state.0)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect::<Vec<_>>();
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("check_cloudtrail_s3role_")),
        "{files:?}"
    );
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("check_cloudtrail_role_")),
        "{files:?}"
    );
    for f in &files {
        let body = std::fs::read_to_string(state.0.join(f)).unwrap_or_default();
        assert!(!body.contains(SECRET), "{f} keeps the long-term secret");
    }
}

#[test]
fn s3_role_options_are_checked() {
    let (store, _) = server(bucket(&CHAIN), true);
    for (bad, said) in [
        (
            vec!["--s3-external-id=archive-ext"],
            "--s3-external-id needs --s3-role-arn",
        ),
        (
            vec!["--s3-role-arn=role/x"],
            "--s3-role-arn 'role/x' is not a role ARN",
        ),
        (
            vec![
                "--s3-role-arn=arn:aws:iam::444455556666:role/LogArchiveRead",
                "--s3-external-id=a b",
            ],
            "--s3-external-id 'a b' must be",
        ),
    ] {
        let mut args = vec!["--trail-name=demo", "--s3-bucket=ct-bucket"];
        args.extend(bad.iter().copied());
        let (text, code) = check(&store, &args, &[]);
        assert_eq!(code, 3, "{bad:?}: {text}");
        assert!(text.contains(said), "{bad:?}: {text}");
    }
    assert!(store.requests().is_empty());
    // Only the modes that read S3 have them.
    let r = crate::util::run(&[
        crate::util::PLUGIN,
        "--mode=checktrailstatus",
        "--region=us-east-1",
        "--trail-name=demo",
        &format!("--s3-role-arn={S3_ROLE}"),
    ]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(r.stdout.contains("s3-role-arn"), "{}", r.stdout);
    let _ = ACCOUNT;
}

#[test]
fn cached_s3_role_keys_s3_rejects_are_replaced_once() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let state = TempDir::new("s3role-renew");
    let dir = format!("--statefile-dir={}", state.0.display());
    // STS hands out TOKEN1, then TOKEN2.
    let issued = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&issued);
    let sts = Server::start(move |_| {
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        sts_credentials("AssumeRole", "ASIAS3ROLE", S3_SECRET, &format!("TOKEN{n}"))
    });
    // An empty bucket that, once `expired`, refuses TOKEN1 as S3 does.
    let expired = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&expired);
    let store = Server::start(move |r: &Request| {
        if flag.load(Ordering::SeqCst) && r.header("x-amz-security-token") == Some("TOKEN1") {
            return Reply {
                status: 400,
                headers: vec![],
                body: b"<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>".to_vec(),
            };
        }
        Reply {
            status: 200,
            headers: vec![],
            body: b"<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>".to_vec(),
        }
    });
    let run = || {
        check(
            &store,
            &[
                "--trail-name=demo",
                "--s3-bucket=ct-bucket",
                &format!("--account-id={ACCOUNT}"),
                &sts_flag(&sts),
                &format!("--s3-role-arn={S3_ROLE}"),
                "--disable-statefile=0",
                &dir,
                "--api-rate=0",
                "--debug",
            ],
            &[],
        )
    };
    let (text, code) = run();
    assert_eq!(code, 2, "{text}");
    assert!(text.starts_with("CRITICAL: no digest folder"), "{text}");
    assert_eq!(issued.load(Ordering::SeqCst), 1);
    expired.store(true, Ordering::SeqCst);
    let (text, code) = run();
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("cached S3 role credentials rejected (ExpiredToken)"),
        "{text}"
    );
    assert_eq!(issued.load(Ordering::SeqCst), 2);
    let last = store.requests().pop().unwrap();
    assert_eq!(last.header("x-amz-security-token"), Some("TOKEN2"));
    // The fresh keys are kept: the next run asks STS nothing.
    let (_, code) = run();
    assert_eq!(code, 2);
    assert_eq!(issued.load(Ordering::SeqCst), 2);
}
