//! The bucket configuration reads against a loopback S3 and S3 Control:
//! what is sent (path-style path, subresource query, signed headers, S3
//! Control's account header and endpoint variable) and how answers are
//! read ("never configured" as `None`, AccessDenied naming the IAM
//! action). Through `fuzz::with_s3`, the client as a backend builds it.

use check_cloudtrail::aws::s3config::{ObjectLock, PublicAccessBlock, Versioning};
use check_cloudtrail::aws::sigv4;
use check_cloudtrail::env::MapEnv;
use check_cloudtrail::error::Error;
use check_cloudtrail::fuzz::with_s3;

use crate::util::{Reply, Request, SECRET, Server, authorization_parts};

const EMPTY_SHA: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const KEYS: (&str, &str, Option<&str>) = ("AKIDEXAMPLE", SECRET, Some("SESSIONTOKENVALUE"));
const ACCOUNT: &str = "123456789012";
const CONTROL_PATH: &str = "/v20180820/configuration/publicAccessBlock";
const NS: &str = r#"xmlns="http://s3.amazonaws.com/doc/2006-03-01/""#;

fn xml(status: u16, body: &str) -> Reply {
    Reply {
        status,
        headers: vec![("content-type".into(), "application/xml".into())],
        body: body.as_bytes().to_vec(),
    }
}

fn s3_error(status: u16, code: &str) -> Reply {
    xml(
        status,
        &format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
             <Message>m {code}</Message><RequestId>1</RequestId></Error>"
        ),
    )
}

const LIFECYCLE: &str = "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
    <Rule><ID>expire-logs</ID><Filter><Prefix>AWSLogs/</Prefix></Filter><Status>Enabled</Status>\
    <Expiration><Days>365</Days></Expiration></Rule></LifecycleConfiguration>";

const ALL_BLOCKED: &str = "<PublicAccessBlockConfiguration>\
    <BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>\
    <BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>\
    </PublicAccessBlockConfiguration>";

/// The SigV4 signature recomputed over what arrived (the headers it names,
/// the path as sent, S3's rule: not normalised), as AWS would check it.
fn check_signature(r: &Request, region: &str) {
    let auth = authorization_parts(r.header("authorization").unwrap());
    assert_eq!(
        auth["Credential"].split('/').skip(2).collect::<Vec<_>>(),
        [region, "s3", "aws4_request"],
        "{auth:?}"
    );
    let headers: Vec<(String, String)> = auth["SignedHeaders"]
        .split(';')
        .map(|n| (n.to_owned(), r.header(n).unwrap_or_default().to_owned()))
        .collect();
    let (path, query) = r.path.split_once('?').unwrap_or((&r.path, ""));
    let (creq, _) = sigv4::canonical_request(&sigv4::Request {
        method: &r.method,
        path,
        query,
        headers: &headers,
        body: b"",
        uri: sigv4::UriRule::AsSent,
    });
    let amz_date = r.header("x-amz-date").unwrap();
    let scope = sigv4::Scope {
        region,
        service: "s3",
    };
    let cscope = sigv4::credential_scope(amz_date, &scope);
    let key = sigv4::signing_key(SECRET, &amz_date[..8], &scope);
    let sts = sigv4::string_to_sign(amz_date, &cscope, &creq);
    assert_eq!(sigv4::signature(&key, &sts), auth["Signature"], "{creq}");
    assert_eq!(r.header("x-amz-content-sha256"), Some(EMPTY_SHA), "{r:?}");
}

#[test]
fn bucket_configuration_reads_send_the_subresource_and_read_the_answer() {
    let server = Server::start(|r| match r.path.split_once('?').map(|(_, q)| q) {
        Some("lifecycle") => xml(200, LIFECYCLE),
        Some("versioning") => xml(
            200,
            &format!(
                "<VersioningConfiguration {NS}><Status>Enabled</Status>\
                 <MfaDelete>Enabled</MfaDelete></VersioningConfiguration>"
            ),
        ),
        Some("object-lock") => xml(
            200,
            &format!(
                "<ObjectLockConfiguration {NS}><ObjectLockEnabled>Enabled</ObjectLockEnabled>\
                 <Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Years>1</Years>\
                 </DefaultRetention></Rule></ObjectLockConfiguration>"
            ),
        ),
        Some("publicAccessBlock") => xml(200, ALL_BLOCKED),
        _ => s3_error(400, "Unexpected"),
    });
    let ((lifecycle, versioning, lock, pab), lines) =
        with_s3(Some(&server.url("")), "eu-west-1", KEYS, |c, t| {
            (
                c.bucket_lifecycle("trail-logs", t),
                c.bucket_versioning("trail-logs", t),
                c.bucket_object_lock("trail-logs", t),
                c.bucket_public_access_block("trail-logs", t),
            )
        })
        .unwrap();
    let rules = lifecycle.unwrap().unwrap();
    assert_eq!(
        (
            rules[0].id.as_deref(),
            rules[0].prefix.as_str(),
            rules[0].expiration_days
        ),
        (Some("expire-logs"), "AWSLogs/", Some(365))
    );
    assert_eq!(
        versioning.unwrap(),
        Versioning {
            status: Some("Enabled".into()),
            mfa_delete: true
        }
    );
    assert_eq!(
        lock.unwrap(),
        Some(ObjectLock {
            enabled: true,
            default_retention: Some(("COMPLIANCE".into(), 365))
        })
    );
    assert!(pab.unwrap().unwrap().all());
    let reqs = server.requests();
    let paths: Vec<_> = reqs.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/trail-logs/?lifecycle",
            "/trail-logs/?versioning",
            "/trail-logs/?object-lock",
            "/trail-logs/?publicAccessBlock"
        ]
    );
    for r in &reqs {
        assert_eq!(r.method, "GET");
        check_signature(r, "eu-west-1");
    }
    let all = lines.join("\n");
    assert!(
        all.contains("GetBucketLifecycleConfiguration: GET http://127.0.0.1:"),
        "{all}"
    );
    assert!(!all.contains(SECRET), "{all}");
}

#[test]
fn never_configured_is_none() {
    let server = Server::start(|r| match r.path.split_once('?').map(|(_, q)| q) {
        Some("lifecycle") => s3_error(404, "NoSuchLifecycleConfiguration"),
        Some("versioning") => xml(200, &format!("<VersioningConfiguration {NS}/>")),
        Some("object-lock") => s3_error(404, "ObjectLockConfigurationNotFoundError"),
        _ => s3_error(404, "NoSuchPublicAccessBlockConfiguration"),
    });
    let env = MapEnv::new(&[("AWS_ENDPOINT_URL_S3_CONTROL", &server.url(""))]);
    let ((lifecycle, versioning, lock, pab, account), _) =
        with_s3(Some(&server.url("")), "eu-west-1", KEYS, |c, t| {
            (
                c.bucket_lifecycle("trail-logs", t),
                c.bucket_versioning("trail-logs", t),
                c.bucket_object_lock("trail-logs", t),
                c.bucket_public_access_block("trail-logs", t),
                c.account_public_access_block(ACCOUNT, &env, t),
            )
        })
        .unwrap();
    assert_eq!(lifecycle.unwrap(), None);
    assert_eq!(versioning.unwrap(), Versioning::default());
    assert_eq!(lock.unwrap(), None);
    assert_eq!(pab.unwrap(), None);
    assert_eq!(account.unwrap(), None);
    // A missing configuration is an answer: nothing retried.
    assert_eq!(server.requests().len(), 5);
}

#[test]
fn access_denied_names_each_iam_action() {
    let server = Server::start(|_| s3_error(403, "AccessDenied"));
    let env = MapEnv::new(&[("AWS_ENDPOINT_URL_S3_CONTROL", &server.url(""))]);
    let (errors, _) = with_s3(Some(&server.url("")), "eu-west-1", KEYS, |c, t| {
        [
            c.bucket_lifecycle("b-1", t).map(|_| ()),
            c.bucket_versioning("b-1", t).map(|_| ()),
            c.bucket_object_lock("b-1", t).map(|_| ()),
            c.bucket_public_access_block("b-1", t).map(|_| ()),
            c.account_public_access_block(ACCOUNT, &env, t).map(|_| ()),
        ]
    })
    .unwrap();
    let lines: Vec<String> = errors
        .into_iter()
        .map(|e| e.unwrap_err().to_string())
        .collect();
    for (line, (op, action)) in lines.iter().zip([
        (
            "GetBucketLifecycleConfiguration",
            "s3:GetLifecycleConfiguration",
        ),
        ("GetBucketVersioning", "s3:GetBucketVersioning"),
        (
            "GetObjectLockConfiguration",
            "s3:GetBucketObjectLockConfiguration",
        ),
        ("GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"),
        (
            "S3Control.GetPublicAccessBlock",
            "s3:GetAccountPublicAccessBlock",
        ),
    ]) {
        assert!(
            line.starts_with(&format!("{op} failed: AccessDenied")),
            "{line}"
        );
        assert!(
            line.contains(&format!("the credentials need {action}")),
            "{line}"
        );
    }
    assert_eq!(server.requests().len(), 5);
}

#[test]
fn s3_control_goes_to_its_own_endpoint_with_the_account_header_signed() {
    let control = Server::start(|_| xml(200, ALL_BLOCKED));
    // S3's endpoint is never asked: S3 Control has its own.
    let s3 = Server::start(|_| s3_error(500, "WrongServer"));
    let env = MapEnv::new(&[
        ("AWS_ENDPOINT_URL_S3_CONTROL", &control.url("/ctl/")),
        ("AWS_ENDPOINT_URL_S3", &s3.url("")),
    ]);
    let (pab, lines) = with_s3(Some(&s3.url("")), "ap-south-2", KEYS, |c, t| {
        c.account_public_access_block(ACCOUNT, &env, t)
    })
    .unwrap();
    assert_eq!(
        pab.unwrap(),
        Some(PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: true,
            restrict_public_buckets: true,
        })
    );
    assert!(s3.requests().is_empty());
    let reqs = control.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", format!("/ctl{CONTROL_PATH}").as_str())
    );
    assert_eq!(
        r.header("host"),
        Some(format!("127.0.0.1:{}", control.port).as_str())
    );
    assert_eq!(r.header("x-amz-account-id"), Some(ACCOUNT));
    let auth = authorization_parts(r.header("authorization").unwrap());
    assert_eq!(
        auth["SignedHeaders"],
        "host;x-amz-account-id;x-amz-content-sha256;x-amz-date;x-amz-security-token"
    );
    check_signature(r, "ap-south-2");
    let all = lines.join("\n");
    assert!(
        all.contains(&format!(
            "S3Control.GetPublicAccessBlock: GET {}",
            control.url(&format!("/ctl{CONTROL_PATH}"))
        )),
        "{all}"
    );
}

#[test]
fn s3_control_refuses_what_cannot_be_a_host_label() {
    let env = MapEnv::new(&[]);
    let (r, _) = with_s3(Some("http://127.0.0.1:9"), "eu-west-1", KEYS, |c, t| {
        c.account_public_access_block("evil.example.com/x", &env, t)
    })
    .unwrap();
    match r.unwrap_err() {
        Error::Option(m) => assert!(m.contains("'evil.example.com/x'"), "{m}"),
        other => panic!("{other:?}"),
    }
}
