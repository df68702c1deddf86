//! Amazon S3, as much as reading a trail's files needs: `ListObjectsV2`,
//! `GetObject` (streamed: a log file is inflated and hashed as it
//! arrives), `HeadObject` (user metadata) and `GetBucketLocation`. Signed
//! and sent by the same `Caller` as every other call (credentials, proxy,
//! CA, retries, deadline, redaction); S3's own rules are here: addressing
//! (virtual-hosted or path style), XML answers, the bucket's region
//! (`GetBucketLocation` before the first request on the public endpoint)
//! and the wrong-region redirect, followed once by signing for the
//! bucket's region.

use std::io::Read;
use std::sync::Mutex;

use super::apierror::api_error;
use super::caller::{Answer, Caller, Request, Target, transport_error};
use super::credentials::value::Credentials;
use super::endpoint::{self, Endpoint};
use super::http;
use super::sigv4::uri_encode;
use super::xml;
use crate::error::Error;
use crate::gzip::{self, InflateError, Inflated};
use crate::trace::Trace;

/// Keys per page asked for (S3's own maximum).
pub const PAGE_KEYS: u32 = 1000;

/// Where S3 requests go.
#[derive(Debug, Clone, PartialEq)]
pub enum Addressing {
    /// The public regional endpoint (FIPS if asked): virtual-hosted
    /// (`BUCKET.s3.REGION.amazonaws.com`) unless the bucket name cannot
    /// be a host name label (dots break the wildcard certificate).
    Public { fips: bool },
    /// `--s3-endpoint-url`, `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`:
    /// always path style (`ENDPOINT/BUCKET/KEY`), as botocore does for
    /// custom endpoints such as moto, MinIO or a VPC endpoint by IP.
    Custom(Endpoint),
}

impl Addressing {
    /// `--s3-endpoint-url` (`flag`), else the SDKs' variables (unless
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`), else the public endpoint.
    /// `--endpoint-url` is CloudTrail's and never applies here.
    pub fn resolve(
        region: &str,
        fips: bool,
        flag: Option<&str>,
        env: &dyn crate::env::Env,
    ) -> Result<Addressing, String> {
        let e = endpoint::resolve("s3", region, fips, flag, env)?;
        let public = endpoint::public("s3", region, fips)?;
        Ok(if e == public {
            Addressing::Public { fips }
        } else {
            Addressing::Custom(e)
        })
    }
}

/// Whether `bucket` can be the first label of a virtual-hosted name over
/// HTTPS (botocore's `is_valid_virtual_host`, without dots).
pub fn virtual_host_ok(bucket: &str) -> bool {
    (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !bucket.starts_with('-')
        && !bucket.ends_with('-')
}

/// The endpoint of one request: the bucket, the key (sent encoded once,
/// `/` kept) and the query string (already encoded).
pub fn locate(
    addressing: &Addressing,
    region: &str,
    bucket: &str,
    key: &str,
    query: &str,
) -> Result<Endpoint, String> {
    if bucket.is_empty() || bucket.len() > 255 || bucket.contains(['/', '?', '#']) {
        return Err(format!("'{bucket}' is not a bucket name"));
    }
    let key = uri_encode(key, true);
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    let url = match addressing {
        Addressing::Custom(e) => {
            let scheme = e.url.split_once("://").map_or("https", |(s, _)| s);
            let base = e.path.trim_end_matches('/');
            format!(
                "{scheme}://{}{base}/{}/{key}{query}",
                e.host,
                uri_encode(bucket, false)
            )
        }
        Addressing::Public { fips } => {
            let host = endpoint::public("s3", region, *fips)?.host;
            if virtual_host_ok(bucket) {
                format!("https://{bucket}.{host}/{key}{query}")
            } else {
                format!("https://{host}/{}/{key}{query}", uri_encode(bucket, false))
            }
        }
    };
    Endpoint::parse(&url)
}

/// One object of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    pub key: String,
    pub size: u64,
    pub etag: String,
    /// Epoch seconds.
    pub last_modified: i64,
}

/// What `ListObjectsV2` asks for.
#[derive(Debug, Clone, Default)]
pub struct ListQuery<'a> {
    pub prefix: &'a str,
    /// Only keys after this one (digest keys sort by time).
    pub start_after: Option<&'a str>,
    /// `/` to list one level and get the common prefixes.
    pub delimiter: Option<&'a str>,
    /// Keys per page, 1 to [`PAGE_KEYS`] (0 means `PAGE_KEYS`).
    pub max_keys: u32,
    /// Pages read at most.
    pub max_pages: u32,
    /// Keys and prefixes kept at most, over all pages.
    pub max_items: usize,
}

/// Every object and common prefix read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listing {
    pub objects: Vec<Object>,
    pub prefixes: Vec<String>,
    /// False when a bound stopped the reading before S3's last page.
    pub complete: bool,
}

/// One `ListBucketResult` page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub objects: Vec<Object>,
    pub prefixes: Vec<String>,
    /// The token of the next page, when truncated.
    pub next: Option<String>,
}

/// Reads one `ListBucketResult` page.
pub fn list_page(text: &str) -> Result<Page, String> {
    let doc = xml::parse(text)?;
    let root = doc.root_element();
    if root.tag_name().name() != "ListBucketResult" {
        return Err(format!(
            "<{}> where ListBucketResult was expected",
            root.tag_name().name()
        ));
    }
    let mut objects = Vec::new();
    for c in xml::children(root, "Contents") {
        let field =
            |tag: &str| xml::child_text(c, tag).ok_or_else(|| format!("a Contents without {tag}"));
        let key = field("Key")?;
        let size = field("Size")?;
        let size = size
            .trim()
            .parse()
            .map_err(|_| format!("Size '{size}' of '{key}' is not a number"))?;
        let modified = field("LastModified")?;
        let last_modified = crate::time::parse_iso8601(&modified)
            .ok_or_else(|| format!("LastModified '{modified}' of '{key}' is not a date"))?;
        objects.push(Object {
            etag: xml::child_text(c, "ETag").unwrap_or_default(),
            key,
            size,
            last_modified,
        });
    }
    let prefixes = xml::children(root, "CommonPrefixes")
        .filter_map(|p| xml::child_text(p, "Prefix"))
        .collect();
    let truncated = xml::child_text(root, "IsTruncated").is_some_and(|t| t.trim() == "true");
    let next = xml::child_text(root, "NextContinuationToken").filter(|t| !t.is_empty());
    if truncated && next.is_none() {
        return Err("IsTruncated without NextContinuationToken".into());
    }
    Ok(Page {
        objects,
        prefixes,
        next: next.filter(|_| truncated),
    })
}

/// `LocationConstraint` as a region: empty is us-east-1, the legacy `EU`
/// is eu-west-1, anything else must look like a region name (it becomes
/// a host name and a signing scope).
pub fn location_region(text: &str) -> Result<String, String> {
    let doc = xml::parse(text)?;
    let root = doc.root_element();
    if root.tag_name().name() != "LocationConstraint" {
        return Err(format!(
            "<{}> where LocationConstraint was expected",
            root.tag_name().name()
        ));
    }
    let region = xml::text(root);
    Ok(match region.trim() {
        "" => "us-east-1".to_owned(),
        "EU" => "eu-west-1".to_owned(),
        r if (1..=64).contains(&r.len())
            && r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') =>
        {
            r.to_owned()
        }
        r => return Err(format!("LocationConstraint '{r}' is not a region name")),
    })
}

/// The S3 operations (S3 Control's included: same credentials) and the
/// IAM action each needs, named in AccessDenied lines.
const PERMISSIONS: [(&str, &str); 9] = [
    ("ListObjectsV2", "s3:ListBucket"),
    ("GetObject", "s3:GetObject"),
    ("HeadObject", "s3:GetObject"),
    (LOCATION_OP, "s3:GetBucketLocation"),
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
    (CONTROL_OP, "s3:GetAccountPublicAccessBlock"),
];

/// S3 Control's `GetPublicAccessBlock`, named apart from the bucket's
/// operation of the same name so each error says which level failed.
pub const CONTROL_OP: &str = "S3Control.GetPublicAccessBlock";

/// Whether `op` is an S3 operation, so an error can be told to come from
/// S3 (whose credentials may be `--s3-role-arn`'s).
pub fn is_op(op: &str) -> bool {
    PERMISSIONS.iter().any(|(o, _)| *o == op)
}

const LOCATION_OP: &str = "GetBucketLocation";

/// Before a bucket's first request: the region to sign for, from
/// `GetBucketLocation` (`ask`), on the public endpoint only. A custom
/// endpoint (`--s3-endpoint-url`, `AWS_ENDPOINT_URL_S3`: moto, MinIO, a
/// VPC endpoint) serves the one region it was configured for, so the
/// configured region is signed for as before and nothing is asked.
/// Credentials that may not ask (AccessDenied: `s3:GetBucketLocation` is
/// often left out of a bucket policy) give `None`: the wrong-region
/// redirect is followed instead. Any other error stands (the listing
/// would meet it too).
pub fn region_first(
    addressing: &Addressing,
    ask: impl FnOnce() -> Result<String, Error>,
) -> Result<Option<String>, Error> {
    if !matches!(addressing, Addressing::Public { .. }) {
        return Ok(None);
    }
    match ask() {
        Ok(r) => Ok(Some(r)),
        Err(Error::Api { code, .. }) if code == "AccessDenied" => Ok(None),
        Err(e) => Err(e),
    }
}

/// What `HeadObject` tells of an object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Head {
    pub size: Option<u64>,
    pub etag: Option<String>,
    /// `Last-Modified`, epoch seconds.
    pub last_modified: Option<i64>,
    /// User metadata: `x-amz-meta-NAME` headers as (`name`, value), names
    /// lower-cased, prefix removed.
    pub metadata: Vec<(String, String)>,
}

impl Head {
    pub fn meta(&self, name: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn head_from(resp: &http::Response) -> Head {
    head_of(&resp.headers)
}

/// What the headers of a HEAD or GET answer say of the object.
fn head_of(headers: &[(String, String)]) -> Head {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    Head {
        size: header("content-length").and_then(|v| v.trim().parse().ok()),
        etag: header("etag").map(str::to_owned),
        last_modified: header("last-modified").and_then(crate::time::parse_http_date),
        metadata: headers
            .iter()
            .filter_map(|(n, v)| Some((n.strip_prefix("x-amz-meta-")?.to_owned(), v.clone())))
            .collect(),
    }
}

/// An object's body, read as it arrives; its read errors become the
/// usual error line through [`Body::error`].
pub struct Body {
    /// What the GET's headers say (ETag, Last-Modified, user metadata):
    /// no HeadObject is needed after a GetObject.
    pub head: Head,
    reader: Box<dyn Read>,
    url: String,
    limit: crate::error::Limit,
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.reader.read(buf)
    }
}

impl Body {
    /// The error line of a failed read (deadline, size cap, connection).
    pub fn error(&self, e: std::io::Error) -> Error {
        transport_error("GetObject", http::read_error(e, &self.url), self.limit)
    }
}

/// The error line of an S3 answer signed at `signed_at`: its XML
/// `<Code>`, or for a HEAD (no body) a code from the status; AccessDenied
/// names the action.
pub(crate) fn error_of(op: &'static str, resp: &http::Response, signed_at: i64) -> Error {
    let bodiless = match resp.status {
        301 => Some("PermanentRedirect"),
        403 => Some("AccessDenied"),
        404 => Some("NotFound"),
        _ => None,
    }
    .filter(|_| resp.body.is_empty());
    let e = match bodiless {
        Some(code) => Error::Api {
            op,
            code: code.to_owned(),
            message: format!("HTTP {}", resp.status),
            hint: None,
        },
        None => api_error(op, resp, signed_at),
    };
    with_permission(e)
}

/// The S3 client. `region` is where the bucket is believed to be; a
/// redirect naming another region is followed once and remembered. It is
/// `Sync`: logintegrity reads log files on a few threads through one.
pub struct Client<'a> {
    pub caller: &'a Caller<'a>,
    pub creds: &'a Credentials,
    pub addressing: &'a Addressing,
    region: Mutex<String>,
    /// Buckets whose region was asked already (see [`region_first`]).
    located: Mutex<Vec<String>>,
}

/// The IAM action `op` needs, for AccessDenied lines.
pub(super) fn permission(op: &str) -> &'static str {
    PERMISSIONS
        .iter()
        .find(|(o, _)| *o == op)
        .map_or("s3:GetObject", |(_, p)| p)
}

/// An AccessDenied line names the action the credentials lack.
pub(super) fn with_permission(e: Error) -> Error {
    match e {
        Error::Api {
            op,
            code,
            message,
            hint: None,
        } if code == "AccessDenied" => Error::Api {
            op,
            code,
            message,
            hint: Some(format!("the credentials need {}", permission(op))),
        },
        e => e,
    }
}

impl<'a> Client<'a> {
    pub fn new(
        caller: &'a Caller<'a>,
        creds: &'a Credentials,
        addressing: &'a Addressing,
        region: &str,
    ) -> Client<'a> {
        Client {
            caller,
            creds,
            addressing,
            region: Mutex::new(region.to_owned()),
            located: Mutex::new(Vec::new()),
        }
    }

    /// Once per bucket, before its first request: sign for the region
    /// `GetBucketLocation` gives (public endpoint only, see
    /// [`region_first`]).
    fn locate_bucket(&self, bucket: &str, trace: &mut Trace) -> Result<(), Error> {
        {
            let Ok(mut located) = self.located.lock() else {
                return Ok(());
            };
            if located.iter().any(|b| b == bucket) {
                return Ok(());
            }
            located.push(bucket.to_owned());
        }
        match region_first(self.addressing, || self.bucket_region(bucket, trace))? {
            Some(r) => {
                trace.log(|| format!("{LOCATION_OP}: bucket {bucket} is in {r}"));
                if let Ok(mut slot) = self.region.lock() {
                    *slot = r;
                }
            }
            None if matches!(self.addressing, Addressing::Public { .. }) => trace.log(|| {
                format!(
                    "{LOCATION_OP}: denied on bucket {bucket}: signing for {} and following \
                     a wrong-region redirect",
                    self.region()
                )
            }),
            None => {}
        }
        Ok(())
    }

    /// The region requests are signed for now.
    pub fn region(&self) -> String {
        self.region.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// One request, following a wrong-region answer once.
    pub(super) fn exchange(
        &self,
        op: &'static str,
        method: &'static str,
        (bucket, key, query): (&str, &str, &str),
        stream: bool,
        trace: &mut Trace,
    ) -> Result<Answer, Error> {
        if op != LOCATION_OP {
            self.locate_bucket(bucket, trace)?;
        }
        let mut redirected = false;
        loop {
            let region = self.region();
            let endpoint = locate(self.addressing, &region, bucket, key, query)
                .map_err(|detail| Error::BadResponse { op, detail })?;
            let target = Target {
                endpoint: &endpoint,
                region: &region,
                service: "s3",
            };
            // A redirect or 400 naming the bucket's region is followed;
            // HEAD's 404 is "missing". Anything else is retried as usual.
            let hand_back = |r: &http::Response| {
                r.header("x-amz-bucket-region").is_some() && matches!(r.status, 301 | 400)
                    // HEAD answers have no body, so no code to retry on:
                    // a code is made from the status here.
                    || method == "HEAD" && matches!(r.status, 301 | 403 | 404)
            };
            let req = Request {
                method,
                headers: &[],
                body: b"",
                stream,
                hand_back: Some(&hand_back),
            };
            let answer = self
                .caller
                .call(op, &target, Some(self.creds), &req, trace)
                .map_err(with_permission)?;
            let resp = match answer {
                Answer::Open(_) => return Ok(answer),
                Answer::Read(r) if (200..300).contains(&r.status) => return Ok(Answer::Read(r)),
                Answer::Read(r) => r,
            };
            let elsewhere = resp
                .header("x-amz-bucket-region")
                .map(str::trim)
                .filter(|r| !r.is_empty() && *r != region)
                .map(str::to_owned);
            match elsewhere {
                Some(r) if !redirected && matches!(resp.status, 301 | 400) => {
                    trace.log(|| format!("{op}: bucket {bucket} is in {r}: signing for it"));
                    if let Ok(mut slot) = self.region.lock() {
                        *slot = r;
                    }
                    redirected = true;
                }
                _ if resp.status == 404 && method == "HEAD" => return Ok(Answer::Read(resp)),
                _ => return Err(self.error(op, &resp)),
            }
        }
    }

    fn error(&self, op: &'static str, resp: &http::Response) -> Error {
        error_of(op, resp, self.caller.clock.epoch())
    }

    pub(super) fn read_xml<T>(
        op: &'static str,
        answer: Answer,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<T, Error> {
        let Answer::Read(resp) = answer else {
            return Err(Error::Internal(format!("{op}: unexpected stream")));
        };
        let text = String::from_utf8_lossy(&resp.body);
        parse(&text).map_err(|detail| Error::BadResponse { op, detail })
    }

    /// `ListObjectsV2`, page after page within `q`'s bounds.
    pub fn list_objects(
        &self,
        bucket: &str,
        q: &ListQuery<'_>,
        trace: &mut Trace,
    ) -> Result<Listing, Error> {
        const OP: &str = "ListObjectsV2";
        let max_keys = match q.max_keys {
            0 => PAGE_KEYS,
            n => n.min(PAGE_KEYS),
        };
        let mut listing = Listing::default();
        let mut token: Option<String> = None;
        for _ in 0..q.max_pages {
            let mut query = format!(
                "list-type=2&max-keys={max_keys}&prefix={}",
                uri_encode(q.prefix, false)
            );
            for (name, value) in [
                ("start-after", q.start_after),
                ("delimiter", q.delimiter),
                ("continuation-token", token.as_deref()),
            ] {
                if let Some(v) = value {
                    query.push_str(&format!("&{name}={}", uri_encode(v, false)));
                }
            }
            let answer = self.exchange(OP, "GET", (bucket, "", &query), false, trace)?;
            let Page {
                objects,
                prefixes,
                next,
            } = Self::read_xml(OP, answer, list_page)?;
            listing.objects.extend(objects);
            listing.prefixes.extend(prefixes);
            if listing.objects.len() + listing.prefixes.len() > q.max_items {
                listing.objects.truncate(q.max_items);
                let room = q.max_items.saturating_sub(listing.objects.len());
                listing.prefixes.truncate(room);
                return Ok(listing);
            }
            match next {
                None => {
                    listing.complete = true;
                    return Ok(listing);
                }
                Some(t) if token.as_deref() == Some(t.as_str()) => {
                    return Err(Error::BadResponse {
                        op: OP,
                        detail: "the same continuation token twice".into(),
                    });
                }
                Some(t) => token = Some(t),
            }
        }
        Ok(listing)
    }

    /// `GetObject`: the body as it arrives, at most `max_bytes`.
    pub fn get_object(
        &self,
        bucket: &str,
        key: &str,
        max_bytes: u64,
        trace: &mut Trace,
    ) -> Result<Body, Error> {
        const OP: &str = "GetObject";
        let answer = self.exchange(OP, "GET", (bucket, key, ""), true, trace)?;
        let url = locate(self.addressing, &self.region(), bucket, key, "")
            .map(|e| e.url)
            .unwrap_or_default();
        let (head, reader): (Head, Box<dyn Read>) = match answer {
            Answer::Open(s) => (head_of(&s.headers), Box::new(s.into_reader(max_bytes))),
            // A 2xx read whole (not asked for, but harmless).
            Answer::Read(r) => (head_of(&r.headers), Box::new(std::io::Cursor::new(r.body))),
        };
        Ok(Body {
            head,
            reader,
            url,
            limit: self.caller.limit,
        })
    }

    /// `GetObject` of a gzip file (a log or digest file), inflated as it
    /// arrives: every uncompressed byte hashed and handed to `sink`. At
    /// most `max_bytes` compressed and `max_out` uncompressed.
    pub fn get_gzip(
        &self,
        bucket: &str,
        key: &str,
        (max_bytes, max_out): (u64, u64),
        sink: &mut dyn FnMut(&[u8]) -> Result<(), String>,
        trace: &mut Trace,
    ) -> Result<Inflated, Error> {
        let mut body = self.get_object(bucket, key, max_bytes, trace)?;
        gzip::inflate(&mut body, max_out, sink).map_err(|e| match e {
            InflateError::Source(io) => body.error(io),
            e => Error::BadResponse {
                op: "GetObject",
                detail: format!("s3://{bucket}/{key}: {e}"),
            },
        })
    }

    /// `HeadObject`: the object's size, ETag and user metadata; `None`
    /// when there is no such key.
    pub fn head_object(
        &self,
        bucket: &str,
        key: &str,
        trace: &mut Trace,
    ) -> Result<Option<Head>, Error> {
        match self.exchange("HeadObject", "HEAD", (bucket, key, ""), false, trace)? {
            Answer::Read(r) if r.status == 404 => Ok(None),
            Answer::Read(r) => Ok(Some(head_from(&r))),
            Answer::Open(_) => Err(Error::Internal("HeadObject: unexpected stream".into())),
        }
    }

    /// `GetBucketLocation`: the bucket's region. The answer is a few
    /// bytes; like every read one it is capped by `http::MAX_BODY`, and
    /// the XML reader bounds its nodes.
    pub fn bucket_region(&self, bucket: &str, trace: &mut Trace) -> Result<String, Error> {
        let answer = self.exchange(LOCATION_OP, "GET", (bucket, "", "location"), false, trace)?;
        Self::read_xml(LOCATION_OP, answer, location_region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::MapEnv;

    fn url(a: &Addressing, region: &str, bucket: &str, key: &str, q: &str) -> String {
        locate(a, region, bucket, key, q).unwrap().url
    }

    #[test]
    fn addressing_rules() {
        let public = Addressing::Public { fips: false };
        assert_eq!(
            url(
                &public,
                "eu-west-1",
                "trail-logs",
                "AWSLogs/1/a b+c.json.gz",
                ""
            ),
            "https://trail-logs.s3.eu-west-1.amazonaws.com/AWSLogs/1/a%20b%2Bc.json.gz"
        );
        // Dots break the wildcard certificate: path style.
        assert_eq!(
            url(&public, "eu-west-1", "my.logs", "k", ""),
            "https://s3.eu-west-1.amazonaws.com/my.logs/k"
        );
        assert_eq!(
            url(&public, "cn-north-1", "b-1", "", "location"),
            "https://b-1.s3.cn-north-1.amazonaws.com.cn/?location"
        );
        assert_eq!(
            url(
                &Addressing::Public { fips: true },
                "us-east-1",
                "b-1",
                "",
                ""
            ),
            "https://b-1.s3-fips.us-east-1.amazonaws.com/"
        );
        let custom = Addressing::Custom(Endpoint::parse("http://127.0.0.1:9000/base/").unwrap());
        let e = locate(
            &custom,
            "eu-west-1",
            "trail-logs",
            "a//b/../c",
            "list-type=2",
        )
        .unwrap();
        assert_eq!(
            e.url,
            "http://127.0.0.1:9000/base/trail-logs/a//b/../c?list-type=2"
        );
        assert_eq!(e.path, "/base/trail-logs/a//b/../c");
        assert_eq!(e.query, "list-type=2");
        for bad in ["", "a/b", "a?b", "a#b"] {
            assert!(locate(&public, "eu-west-1", bad, "k", "").is_err(), "{bad}");
        }
        for (b, ok) in [
            ("abc", true),
            ("ab", false),
            ("Abc", false),
            ("a_b", false),
            ("-ab", false),
            ("a.b", false),
        ] {
            assert_eq!(virtual_host_ok(b), ok, "{b}");
        }
    }

    #[test]
    fn endpoint_resolution() {
        let env = |pairs: &[(&str, &str)]| MapEnv::new(pairs);
        let r = |flag: Option<&str>, e: &MapEnv| {
            Addressing::resolve("eu-west-1", false, flag, e).unwrap()
        };
        assert_eq!(r(None, &env(&[])), Addressing::Public { fips: false });
        let custom = |u: &str| Addressing::Custom(Endpoint::parse(u).unwrap());
        assert_eq!(
            r(
                Some("http://flag:1"),
                &env(&[("AWS_ENDPOINT_URL_S3", "http://s3:2")])
            ),
            custom("http://flag:1")
        );
        assert_eq!(
            r(
                None,
                &env(&[
                    ("AWS_ENDPOINT_URL_S3", "http://s3:2"),
                    ("AWS_ENDPOINT_URL", "http://all:3")
                ])
            ),
            custom("http://s3:2")
        );
        assert_eq!(
            r(None, &env(&[("AWS_ENDPOINT_URL", "http://all:3")])),
            custom("http://all:3")
        );
        assert_eq!(
            r(
                None,
                &env(&[
                    ("AWS_ENDPOINT_URL", "http://all:3"),
                    ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
                ])
            ),
            Addressing::Public { fips: false }
        );
        // CloudTrail's own variable is not S3's.
        assert_eq!(
            r(
                None,
                &env(&[("AWS_ENDPOINT_URL_CLOUDTRAIL", "http://ct:4")])
            ),
            Addressing::Public { fips: false }
        );
    }

    const PAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>AWSLogs/</Prefix>
<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
<Contents><Key>AWSLogs/a&amp;b.json.gz</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified>
<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>1234</Size><StorageClass>STANDARD</StorageClass></Contents>
<Contents><Key>AWSLogs/c</Key><LastModified>2026-01-02T03:04:06Z</LastModified><Size>0</Size></Contents>
<CommonPrefixes><Prefix>AWSLogs/o-1/</Prefix></CommonPrefixes></ListBucketResult>"#;

    #[test]
    fn list_pages() {
        let p = list_page(PAGE).unwrap();
        assert_eq!(p.objects.len(), 2);
        let o = &p.objects[0];
        assert_eq!(o.key, "AWSLogs/a&b.json.gz");
        assert_eq!(
            (o.size, o.etag.as_str()),
            (1234, "\"9b2cf535f27731c974343645a3985328\"")
        );
        assert_eq!(o.last_modified, 1_767_323_045);
        assert_eq!(p.prefixes, ["AWSLogs/o-1/"]);
        assert_eq!(
            p.next.as_deref(),
            Some("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
        );
        let last = PAGE.replace("<IsTruncated>true", "<IsTruncated>false");
        assert_eq!(list_page(&last).unwrap().next, None);
        let empty = "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>";
        assert_eq!(list_page(empty).unwrap(), Page::default());
    }

    #[test]
    fn bad_list_pages_are_refused() {
        for (xml, why) in [
            (
                "<Error><Code>X</Code></Error>",
                "ListBucketResult was expected",
            ),
            (
                "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
                "without Key",
            ),
            (
                "<ListBucketResult><Contents><Key>k</Key><Size>-1</Size><LastModified>2026-01-01T00:00:00Z</LastModified></Contents></ListBucketResult>",
                "not a number",
            ),
            (
                "<ListBucketResult><Contents><Key>k</Key><Size>1</Size><LastModified>soon</LastModified></Contents></ListBucketResult>",
                "not a date",
            ),
            (
                "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
                "without NextContinuationToken",
            ),
            ("<ListBucketResult>", "not XML"),
            ("", "not XML"),
        ] {
            let e = list_page(xml).unwrap_err();
            assert!(e.contains(why), "{xml}: {e}");
        }
        let many = format!(
            "<ListBucketResult>{}</ListBucketResult>",
            "<Contents><Key>k</Key></Contents>".repeat(40_000)
        );
        assert!(list_page(&many).unwrap_err().contains("nodes"));
    }

    #[test]
    fn bucket_locations() {
        let loc = |body: &str| location_region(body).unwrap();
        assert_eq!(
            loc(r#"<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>"#),
            "us-east-1"
        );
        assert_eq!(
            loc("<LocationConstraint>EU</LocationConstraint>"),
            "eu-west-1"
        );
        assert_eq!(
            loc("<LocationConstraint>ap-south-2</LocationConstraint>"),
            "ap-south-2"
        );
        assert!(location_region("<Other/>").is_err());
        // Whatever S3 says becomes a host name: garbage is quoted back.
        for bad in [
            "<LocationConstraint>eu west</LocationConstraint>",
            "<LocationConstraint>EU.evil.example/x</LocationConstraint>",
        ] {
            let e = location_region(bad).unwrap_err();
            assert!(e.starts_with("LocationConstraint '"), "{e}");
            assert!(e.contains(&bad[20..bad.len() - 21]), "{e}");
        }
        assert!(location_region("not xml").unwrap_err().contains("not XML"));
    }

    fn api(code: &str) -> Error {
        Error::Api {
            op: LOCATION_OP,
            code: code.into(),
            message: "m".into(),
            hint: None,
        }
    }

    #[test]
    fn the_region_is_asked_on_the_public_endpoint_only() {
        let public = Addressing::Public { fips: false };
        assert_eq!(
            region_first(&public, || Ok("ap-south-2".into())).unwrap(),
            Some("ap-south-2".into())
        );
        // Denied: the redirect path instead, no error.
        assert_eq!(
            region_first(&public, || Err(api("AccessDenied"))).unwrap(),
            None
        );
        // Anything else is the check's error.
        assert!(matches!(
            region_first(&public, || Err(api("NoSuchBucket"))),
            Err(Error::Api { code, .. }) if code == "NoSuchBucket"
        ));
        // A custom endpoint serves the configured region: nothing asked.
        let custom = Addressing::Custom(Endpoint::parse("http://127.0.0.1:9000").unwrap());
        assert_eq!(
            region_first(&custom, || panic!("asked a custom endpoint")).unwrap(),
            None
        );
    }

    #[test]
    fn head_metadata() {
        let resp = http::Response {
            status: 200,
            headers: vec![
                ("content-length".into(), "42".into()),
                ("etag".into(), "\"e\"".into()),
                ("x-amz-meta-signature".into(), "abcd".into()),
                (
                    "x-amz-meta-signature-algorithm".into(),
                    "SHA256withRSA".into(),
                ),
            ],
            body: Vec::new(),
        };
        let h = head_from(&resp);
        assert_eq!(h.size, Some(42));
        assert_eq!(h.meta("Signature"), Some("abcd"));
        assert_eq!(h.meta("signature-algorithm"), Some("SHA256withRSA"));
        assert_eq!(h.meta("missing"), None);
    }
}
