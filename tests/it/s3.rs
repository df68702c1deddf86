//! The S3 client against a loopback S3: what is sent (method, path-style
//! path, query, `x-amz-content-sha256`, signed headers, signing region)
//! and how answers are read (paging, streamed gzip, metadata, regions,
//! errors). Through `fuzz::with_s3`, the client as a backend builds it.

use std::io::Write;

use check_cloudtrail::aws::s3::ListQuery;
use check_cloudtrail::error::Error;
use check_cloudtrail::fuzz::with_s3;
use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};

use crate::util::{Reply, Request, SECRET, Server};

const EMPTY_SHA: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const KEYS: (&str, &str, Option<&str>) = ("AKIDEXAMPLE", SECRET, Some("SESSIONTOKENVALUE"));

fn xml(status: u16, body: &str) -> Reply {
    Reply {
        status,
        headers: vec![("content-type".into(), "application/xml".into())],
        body: body.as_bytes().to_vec(),
    }
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Every request is a signed S3 request.
fn check_signed(r: &Request, region: &str) {
    assert_eq!(r.header("x-amz-content-sha256"), Some(EMPTY_SHA), "{r:?}");
    let auth = r.header("authorization").unwrap();
    assert!(
        auth.contains(&format!("/{region}/s3/aws4_request,")),
        "{auth}"
    );
    assert!(
        auth.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"),
        "{auth}"
    );
}

fn contents(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| {
            format!(
                "<Contents><Key>{k}</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified>\
                 <ETag>&quot;e&quot;</ETag><Size>10</Size></Contents>"
            )
        })
        .collect()
}

#[test]
fn list_objects_pages_with_continuation_tokens() {
    let server = Server::start(|r| {
        if r.path.contains("continuation-token=t%2F2") {
            xml(
                200,
                &format!(
                    "<ListBucketResult><IsTruncated>false</IsTruncated>{}</ListBucketResult>",
                    contents(&["AWSLogs/c"])
                ),
            )
        } else {
            xml(
                200,
                &format!(
                    "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t/2</NextContinuationToken>{}\
                 <CommonPrefixes><Prefix>AWSLogs/o-1/</Prefix></CommonPrefixes></ListBucketResult>",
                    contents(&["AWSLogs/a", "AWSLogs/b"])
                ),
            )
        }
    });
    let q = ListQuery {
        prefix: "AWSLogs/",
        start_after: Some("AWSLogs/0 x"),
        delimiter: Some("/"),
        max_keys: 2,
        max_pages: 10,
        max_items: 100,
    };
    let (listing, lines) = with_s3(Some(&server.url("")), "eu-west-1", KEYS, |c, t| {
        c.list_objects("trail-logs", &q, t)
    })
    .unwrap();
    let listing = listing.unwrap();
    let keys: Vec<_> = listing.objects.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, ["AWSLogs/a", "AWSLogs/b", "AWSLogs/c"]);
    assert_eq!(listing.prefixes, ["AWSLogs/o-1/"]);
    assert!(listing.complete);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].method, "GET");
    assert_eq!(
        reqs[0].path,
        "/trail-logs/?list-type=2&max-keys=2&prefix=AWSLogs%2F&start-after=AWSLogs%2F0%20x&delimiter=%2F"
    );
    assert!(
        reqs[1].path.ends_with("&continuation-token=t%2F2"),
        "{}",
        reqs[1].path
    );
    for r in &reqs {
        check_signed(r, "eu-west-1");
    }
    // The debug lines show the request, never a secret.
    let all = lines.join("\n");
    assert!(
        all.contains("ListObjectsV2: GET http://127.0.0.1:"),
        "{all}"
    );
    assert!(
        !all.contains(SECRET) && !all.contains("SESSIONTOKENVALUE"),
        "{all}"
    );
}

#[test]
fn list_objects_stops_at_its_bounds() {
    let server = Server::start(|_| {
        xml(
            200,
            &format!(
                "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>again{}</NextContinuationToken>{}</ListBucketResult>",
                rand_suffix(),
                contents(&["k1", "k2"])
            ),
        )
    });
    let q = ListQuery {
        max_pages: 3,
        max_items: 1000,
        ..ListQuery::default()
    };
    let (listing, _) = with_s3(Some(&server.url("")), "eu-west-1", KEYS, |c, t| {
        c.list_objects("b-1", &q, t)
    })
    .unwrap();
    let listing = listing.unwrap();
    assert_eq!((listing.objects.len(), listing.complete), (6, false));
    assert_eq!(server.requests().len(), 3);
    let q = ListQuery {
        max_pages: 3,
        max_items: 3,
        ..ListQuery::default()
    };
    let (listing, _) = with_s3(Some(&server.url("")), "eu-west-1", KEYS, |c, t| {
        c.list_objects("b-1", &q, t)
    })
    .unwrap();
    let listing = listing.unwrap();
    assert_eq!((listing.objects.len(), listing.complete), (3, false));
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[test]
fn get_object_is_inflated_and_hashed_as_it_arrives() {
    let data: Vec<u8> = (0..400_000u32)
        .flat_map(|i| (i % 251).to_le_bytes())
        .collect();
    let body = gz(&data);
    let mut trailing = body.clone();
    trailing.extend_from_slice(b"appended");
    let server = Server::start(move |r| {
        let bytes = if r.path.ends_with("trailing.json.gz") {
            trailing.clone()
        } else {
            body.clone()
        };
        Reply {
            status: 200,
            headers: vec![],
            body: bytes,
        }
    });
    let key = "AWSLogs/123456789012/CloudTrail/eu-west-1/2026/01/02/a b.json.gz";
    let mut seen = 0usize;
    let (done, _) = with_s3(Some(&server.url("/")), "eu-west-1", KEYS, |c, t| {
        c.get_gzip(
            "trail-logs",
            key,
            (1 << 30, 1 << 30),
            &mut |chunk| {
                seen += chunk.len();
                Ok(())
            },
            t,
        )
    })
    .unwrap();
    let done = done.unwrap();
    assert_eq!(done.size, data.len() as u64);
    assert_eq!(seen, data.len());
    assert_eq!(done.sha256_hex(), hex::encode(Sha256::digest(&data)));
    let req = &server.requests()[0];
    assert_eq!(req.method, "GET");
    assert_eq!(
        req.path,
        "/trail-logs/AWSLogs/123456789012/CloudTrail/eu-west-1/2026/01/02/a%20b.json.gz"
    );
    check_signed(req, "eu-west-1");

    let (e, _) = with_s3(Some(&server.url("")), "eu-west-1", KEYS, |c, t| {
        c.get_gzip(
            "trail-logs",
            "trailing.json.gz",
            (1 << 30, 1 << 30),
            &mut |_| Ok(()),
            t,
        )
    })
    .unwrap();
    let e = e.unwrap_err();
    assert!(
        matches!(
            e,
            Error::BadResponse {
                op: "GetObject",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        e.to_string().ends_with(
            "s3://trail-logs/trailing.json.gz: unexpected data after end of compressed stream"
        ),
        "{e}"
    );
    // The compressed size is capped too.
    let (e, _) = with_s3(Some(&server.url("")), "eu-west-1", KEYS, |c, t| {
        c.get_gzip(
            "trail-logs",
            "x.json.gz",
            (1000, 1 << 30),
            &mut |_| Ok(()),
            t,
        )
    })
    .unwrap();
    assert!(matches!(e, Err(Error::Transport { .. })), "{e:?}");
}

#[test]
fn head_object_reads_user_metadata_and_404_is_missing() {
    let server = Server::start(|r| {
        if r.path.ends_with("/missing") {
            return Reply {
                status: 404,
                headers: vec![],
                body: vec![],
            };
        }
        Reply {
            status: 200,
            headers: vec![
                ("x-amz-meta-signature".into(), "0a1b".into()),
                (
                    "x-amz-meta-signature-algorithm".into(),
                    "SHA256withRSA".into(),
                ),
                ("etag".into(), "\"abc\"".into()),
            ],
            body: vec![],
        }
    });
    let ((found, missing), _) = with_s3(Some(&server.url("")), "eu-west-1", KEYS, |c, t| {
        (
            c.head_object("b-1", "digest.json.gz", t),
            c.head_object("b-1", "missing", t),
        )
    })
    .unwrap();
    let found = found.unwrap().unwrap();
    assert_eq!(found.meta("signature"), Some("0a1b"));
    assert_eq!(found.meta("signature-algorithm"), Some("SHA256withRSA"));
    assert_eq!(missing.unwrap(), None);
    let reqs = server.requests();
    assert_eq!(reqs[0].method, "HEAD");
    check_signed(&reqs[0], "eu-west-1");
    // 404 is an answer, not retried.
    assert_eq!(reqs.len(), 2);
}

#[test]
fn wrong_region_is_followed_once_then_remembered() {
    let server = Server::start(|r| {
        let auth = r.header("authorization").unwrap_or("");
        if r.path.ends_with("?location") {
            return xml(200, "<LocationConstraint>EU</LocationConstraint>");
        }
        if auth.contains("/eu-west-2/s3/") {
            xml(
                200,
                "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>",
            )
        } else {
            let mut reply = xml(
                301,
                "<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message></Error>",
            );
            reply
                .headers
                .push(("x-amz-bucket-region".into(), "eu-west-2".into()));
            reply
        }
    });
    let q = ListQuery {
        max_pages: 1,
        max_items: 10,
        ..ListQuery::default()
    };
    let ((first, second, region, location), lines) =
        with_s3(Some(&server.url("")), "us-east-1", KEYS, |c, t| {
            let first = c.list_objects("b-1", &q, t);
            let second = c.list_objects("b-1", &q, t);
            (first, second, c.region(), c.bucket_region("b-1", t))
        })
        .unwrap();
    assert!(first.unwrap().complete);
    assert!(second.unwrap().complete);
    assert_eq!(region, "eu-west-2");
    assert_eq!(location.unwrap(), "eu-west-1");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 4, "{reqs:?}");
    check_signed(&reqs[0], "us-east-1");
    check_signed(&reqs[1], "eu-west-2");
    check_signed(&reqs[2], "eu-west-2");
    assert!(reqs[3].path.ends_with("/b-1/?location"), "{}", reqs[3].path);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("bucket b-1 is in eu-west-2")),
        "{lines:?}"
    );

    // A bucket that redirects for ever is followed once only.
    let server = Server::start(|_| {
        let mut reply = xml(
            301,
            "<Error><Code>PermanentRedirect</Code><Message>m</Message></Error>",
        );
        reply.headers.push((
            "x-amz-bucket-region".into(),
            format!("eu-west-{}", rand_suffix() % 1000),
        ));
        reply
    });
    let (e, _) = with_s3(Some(&server.url("")), "us-east-1", KEYS, |c, t| {
        c.list_objects("b-1", &q, t)
    })
    .unwrap();
    assert!(
        matches!(e, Err(Error::Api { ref code, .. }) if code == "PermanentRedirect"),
        "{e:?}"
    );
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn errors_are_the_usual_lines_and_access_denied_names_the_permission() {
    let server = Server::start(|r| {
        if r.method == "HEAD" {
            return Reply {
                status: 403,
                headers: vec![],
                body: vec![],
            };
        }
        if r.path.contains("list-type") {
            return xml(
                403,
                "<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>1</RequestId></Error>",
            );
        }
        xml(
            404,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>k</Key></Error>",
        )
    });
    let q = ListQuery {
        max_pages: 1,
        max_items: 10,
        ..ListQuery::default()
    };
    let ((list, get, head), _) = with_s3(Some(&server.url("")), "eu-west-1", KEYS, |c, t| {
        (
            c.list_objects("b-1", &q, t),
            c.get_object("b-1", "k", 100, t).map(|_| ()),
            c.head_object("b-1", "k", t),
        )
    })
    .unwrap();
    let hint = |e: &Error| match e {
        Error::Api { code, hint, .. } => (code.clone(), hint.clone()),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        hint(&list.unwrap_err()),
        (
            "AccessDenied".into(),
            Some("the credentials need s3:ListBucket".into())
        )
    );
    let get = get.unwrap_err();
    assert_eq!(hint(&get).0, "NoSuchKey");
    assert!(
        get.to_string()
            .contains("The specified key does not exist."),
        "{get}"
    );
    assert_eq!(
        hint(&head.unwrap_err()),
        (
            "AccessDenied".into(),
            Some("the credentials need s3:GetObject".into())
        )
    );
    // None of these is worth a retry.
    assert_eq!(server.requests().len(), 3);
}
