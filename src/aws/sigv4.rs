//! AWS Signature Version 4, header placement, one function per spec step.
//!
//! Each step (canonical request, string to sign, signing key, signature,
//! Authorization value) is its own function so that each is pinned by its
//! own known-answer test: the AWS signing suite cases that apply to header
//! signing, and CloudTrail/STS vectors cross-checked with botocore.
//!
//! The caller hands in exactly the headers it will send and the exact body
//! bytes; what is signed is then what goes on the wire. Time is a
//! parameter, never read here.

use super::crypto::{hmac_sha256, sha256_hex};
use crate::time;

pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// What the signer needs to know of a request.
pub struct Request<'a> {
    pub method: &'a str,
    /// The path as it goes on the wire (already percent-encoded if needed).
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: &'a str,
    /// Every header to sign, `host` included, in the order they are sent.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    /// How the path becomes the canonical URI: S3 differs from the rest.
    pub uri: UriRule,
}

/// The one place S3's SigV4 differs in the canonical request (besides the
/// `x-amz-content-sha256` header, which the caller adds and signs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum UriRule {
    /// Every service but S3: dot segments and empty segments removed,
    /// then the wire path encoded once more.
    Normalized,
    /// S3: the path exactly as sent (an object key may hold `//` or
    /// `..`, and is already encoded once on the wire).
    AsSent,
}

/// The keys a request is signed with, borrowed from wherever they are
/// kept: the signer needs nothing else of credentials. No `Debug`, so the
/// secret cannot reach a debug line through it.
pub struct Keys<'a> {
    pub access_key: &'a str,
    pub secret_key: &'a str,
    /// For temporary credentials.
    pub session_token: Option<&'a str>,
}

/// The credential scope's moving parts.
pub struct Scope<'a> {
    pub region: &'a str,
    pub service: &'a str,
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// RFC 3986 encoding as SigV4 wants it: unreserved bytes kept, every other
/// byte `%XX` with upper-case hex (so a space is `%20`, never `+`).
pub fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit));
        match hex {
            Some(h) if b == b'%' => {
                let digits = std::str::from_utf8(h).unwrap_or("00");
                out.push(u8::from_str_radix(digits, 16).unwrap_or(0));
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// RFC 3986 §5.2.4 dot-segment removal, plus the collapsing of empty
/// segments that every AWS service but S3 expects (botocore does the same).
fn normalize_path(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let mut s = String::from("/");
    s.push_str(&out.join("/"));
    if path.ends_with('/') && !out.is_empty() {
        s.push('/');
    }
    s
}

/// Step 2.2: the canonical URI. Non-S3 services sign the wire path encoded
/// once more, so a `%` already on the wire becomes `%25` here.
pub fn canonical_uri(path: &str) -> String {
    uri_encode(&normalize_path(path), true)
}

/// Step 2.3: the canonical query string, pairs encoded then sorted.
pub fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                uri_encode(&percent_decode(k), false),
                uri_encode(&percent_decode(v), false),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Collapses every run of whitespace to one space and trims the ends.
fn trim_all(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Steps 2.4 and 2.5: the canonical header block and the signed-header
/// list. Names are lower-cased and sorted; repeated names are joined with
/// `,` in the order sent.
pub fn canonical_headers(headers: &[(String, String)]) -> (String, String) {
    let mut merged: Vec<(String, String)> = Vec::new();
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        let value = trim_all(value);
        match merged.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => {
                v.push(',');
                v.push_str(&value);
            }
            None => merged.push((name, value)),
        }
    }
    merged.sort_by(|a, b| a.0.cmp(&b.0));
    let block: String = merged.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let signed = merged
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(";");
    (block, signed)
}

impl UriRule {
    /// The rule of a signing name, as botocore picks `S3SigV4Auth` by
    /// service.
    pub fn of(service: &str) -> UriRule {
        if is_s3(service) {
            UriRule::AsSent
        } else {
            UriRule::Normalized
        }
    }
}

/// S3 (and S3 Control) sign `x-amz-content-sha256` and keep the path as sent.
pub fn is_s3(service: &str) -> bool {
    service == "s3" || service == "s3-control"
}

/// Step 2.2 under the request's rule.
fn canonical_uri_for(path: &str, rule: UriRule) -> String {
    match rule {
        UriRule::Normalized => canonical_uri(path),
        UriRule::AsSent if path.is_empty() => "/".to_owned(),
        UriRule::AsSent => path.to_owned(),
    }
}

/// Step 2: the canonical request, and the signed-header list it used.
pub fn canonical_request(req: &Request<'_>) -> (String, String) {
    let (headers, signed) = canonical_headers(req.headers);
    let creq = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method.to_ascii_uppercase(),
        canonical_uri_for(req.path, req.uri),
        canonical_query(req.query),
        headers,
        signed,
        sha256_hex(req.body)
    );
    (creq, signed)
}

/// `<date>/<region>/<service>/aws4_request`.
pub fn credential_scope(amz_date: &str, scope: &Scope<'_>) -> String {
    let date = amz_date.get(..8).unwrap_or(amz_date);
    format!("{date}/{}/{}/aws4_request", scope.region, scope.service)
}

/// Step 3.
pub fn string_to_sign(amz_date: &str, credential_scope: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{amz_date}\n{credential_scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

/// Step 4: kDate → kRegion → kService → kSigning.
pub fn signing_key(secret: &str, date: &str, scope: &Scope<'_>) -> [u8; 32] {
    let k_date = hmac_sha256(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac_sha256(&k_date, scope.region.as_bytes());
    let k_service = hmac_sha256(&k_region, scope.service.as_bytes());
    hmac_sha256(&k_service, b"aws4_request")
}

/// Step 5.
pub fn signature(signing_key: &[u8; 32], string_to_sign: &str) -> String {
    hex::encode(hmac_sha256(signing_key, string_to_sign.as_bytes()))
}

/// Step 6: the `Authorization` header value.
pub fn authorization(access_key: &str, credential_scope: &str, signed: &str, sig: &str) -> String {
    format!(
        "{ALGORITHM} Credential={access_key}/{credential_scope}, SignedHeaders={signed}, Signature={sig}"
    )
}

/// The headers a caller adds to its request after [`sign`].
pub struct Signed {
    pub amz_date: String,
    pub authorization: String,
}

/// The headers SigV4 itself contributes before signing: `x-amz-date`, and
/// `x-amz-security-token` for temporary credentials (signed, as botocore
/// and the AWS SDKs do for CloudTrail and STS).
pub fn signing_headers(keys: &Keys<'_>, epoch: i64) -> Vec<(String, String)> {
    let mut h = vec![("x-amz-date".to_owned(), time::amz_date(epoch))];
    if let Some(token) = keys.session_token {
        h.push(("x-amz-security-token".to_owned(), token.to_owned()));
    }
    h
}

/// Runs every step. `req.headers` must already hold the headers from
/// [`signing_headers`] for the same `epoch`.
pub fn sign(req: &Request<'_>, keys: &Keys<'_>, scope: &Scope<'_>, epoch: i64) -> Signed {
    let amz_date = time::amz_date(epoch);
    let (creq, signed) = canonical_request(req);
    let cscope = credential_scope(&amz_date, scope);
    let sts = string_to_sign(&amz_date, &cscope, &creq);
    let key = signing_key(
        keys.secret_key,
        amz_date.get(..8).unwrap_or_default(),
        scope,
    );
    let sig = signature(&key, &sts);
    Signed {
        authorization: authorization(keys.access_key, &cscope, &signed, &sig),
        amz_date,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AKID: &str = "AKIDEXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    /// 2015-08-30T12:36:00Z, the suites' instant.
    const T: i64 = 1_440_938_160;
    const SUITE: Scope<'static> = Scope {
        region: "us-east-1",
        service: "service",
    };
    const EMPTY_SHA: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn example_keys(session_token: Option<&str>) -> Keys<'_> {
        Keys {
            access_key: AKID,
            secret_key: SECRET,
            session_token,
        }
    }

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    fn suite_sig(method: &str, path: &str, query: &str, headers: &[(&str, &str)]) -> String {
        let mut hs = h(headers);
        hs.push(("X-Amz-Date".into(), time::amz_date(T)));
        let req = Request {
            method,
            path,
            query,
            headers: &hs,
            body: b"",
            uri: UriRule::Normalized,
        };
        let keys = example_keys(None);
        let signed = sign(&req, &keys, &SUITE, T);
        let sig = signed
            .authorization
            .rsplit("Signature=")
            .next()
            .unwrap_or("");
        sig.to_owned()
    }

    // aws-c-auth v4/post-vanilla, each stage on its own.
    #[test]
    fn post_vanilla_canonical_request() {
        let hs = h(&[
            ("Host", "example.amazonaws.com"),
            ("X-Amz-Date", "20150830T123600Z"),
        ]);
        let req = Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &hs,
            body: b"",
            uri: UriRule::Normalized,
        };
        let (creq, signed) = canonical_request(&req);
        assert_eq!(
            creq,
            format!(
                "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n{EMPTY_SHA}"
            )
        );
        assert_eq!(signed, "host;x-amz-date");
    }

    #[test]
    fn post_vanilla_string_to_sign() {
        let creq = format!(
            "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n{EMPTY_SHA}"
        );
        let scope = credential_scope("20150830T123600Z", &SUITE);
        assert_eq!(scope, "20150830/us-east-1/service/aws4_request");
        assert_eq!(
            string_to_sign("20150830T123600Z", &scope, &creq),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\
             553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87"
        );
    }

    #[test]
    fn post_vanilla_signature() {
        let sts = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\
                   553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87";
        let key = signing_key(SECRET, "20150830", &SUITE);
        assert_eq!(
            signature(&key, sts),
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        );
    }

    #[test]
    fn suite_cases() {
        let host = ("Host", "example.amazonaws.com");
        assert_eq!(
            suite_sig("GET", "/", "", &[host]),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
        assert_eq!(
            suite_sig("POST", "/", "", &[host]),
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        );
        // get-slash-dot-slash-normalized signs as plain GET /.
        assert_eq!(
            suite_sig("GET", "/./", "", &[host]),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
        assert_eq!(
            suite_sig("GET", "/example space/", "", &[host]),
            "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"
        );
        assert_eq!(
            suite_sig("GET", "/\u{1234}", "", &[host]),
            "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"
        );
        assert_eq!(
            suite_sig(
                "GET",
                "/",
                "",
                &[
                    host,
                    ("My-Header1", " value1"),
                    ("My-Header2", " \"a   b   c\"")
                ]
            ),
            "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"
        );
        assert_eq!(
            suite_sig(
                "GET",
                "/",
                "",
                &[
                    host,
                    ("My-Header1", "value2"),
                    ("My-Header1", "value2"),
                    ("My-Header1", "value1")
                ]
            ),
            "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"
        );
        assert_eq!(
            suite_sig(
                "GET",
                "/",
                "Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
                &[host]
            ),
            "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"
        );
    }

    #[test]
    fn suite_session_token() {
        let token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
        let keys = example_keys(Some(token));
        let mut hs = h(&[("Host", "example.amazonaws.com")]);
        hs.extend(signing_headers(&keys, T));
        let req = Request {
            method: "GET",
            path: "/",
            query: "",
            headers: &hs,
            body: b"",
            uri: UriRule::Normalized,
        };
        let (creq, _) = canonical_request(&req);
        assert!(creq.contains(&format!("\nx-amz-security-token:{token}\n")));
        assert!(sign(&req, &keys, &SUITE, T).authorization.ends_with(
            "Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"
        ));
    }

    fn cloudtrail(
        host: &str,
        target: &str,
        body: &[u8],
        token: Option<&str>,
        region: &str,
    ) -> String {
        let keys = example_keys(token);
        let mut hs = h(&[
            ("content-type", "application/x-amz-json-1.1"),
            ("host", host),
            (
                "x-amz-target",
                &format!("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.{target}"),
            ),
        ]);
        hs.extend(signing_headers(&keys, T));
        let req = Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &hs,
            body,
            uri: UriRule::Normalized,
        };
        let scope = Scope {
            region,
            service: "cloudtrail",
        };
        sign(&req, &keys, &scope, T).authorization
    }

    // Project vectors (a)–(e), computed with botocore's SigV4Auth.
    #[test]
    fn cloudtrail_get_trail_status() {
        let body = br#"{"Name": "MyTrail"}"#;
        assert_eq!(
            cloudtrail(
                "cloudtrail.us-east-1.amazonaws.com",
                "GetTrailStatus",
                body,
                None,
                "us-east-1"
            ),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/cloudtrail/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-target, \
             Signature=2a33e7eb5b6e2dcb2aeb48afa75b7554c27f8d3936d4fe8aa12d6410d17bf2d1"
        );
        let with_token = cloudtrail(
            "cloudtrail.us-east-1.amazonaws.com",
            "GetTrailStatus",
            body,
            Some("FQoGZXIvYXdzEXAMPLETOKEN//////////wEaDEXAMPLE="),
            "us-east-1",
        );
        assert!(with_token.contains(
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"
        ));
        assert!(with_token.ends_with(
            "Signature=e736b98eca569d3face1813ffd892fbaf673b5f48f95b622d954f80fd431b414"
        ));
        let local = cloudtrail("127.0.0.1:3000", "GetTrailStatus", body, None, "us-east-1");
        assert!(local.ends_with(
            "Signature=730ffea024b2f9d4b555fd4ea3f0252905fca337eb47b14dbff34559611a7e61"
        ));
    }

    #[test]
    fn cloudtrail_lookup_events() {
        let body = br#"{"StartTime": 1704067200, "EndTime": 1704070800, "MaxResults": 50}"#;
        assert_eq!(
            sha256_hex(body),
            "4e58ed4bd5a0b2ae7f5a024972b48d4a674eb25bd90502a0516472140681a319"
        );
        let a = cloudtrail(
            "cloudtrail.eu-west-1.amazonaws.com",
            "LookupEvents",
            body,
            None,
            "eu-west-1",
        );
        assert!(a.contains("Credential=AKIDEXAMPLE/20150830/eu-west-1/cloudtrail/aws4_request,"));
        assert!(a.ends_with(
            "Signature=6cf4bb7b1a0cfbe30f794fe3779dd60dc73a843ac8ae24263e97aacdeba1ac30"
        ));
    }

    #[test]
    fn sts_assume_role() {
        let body = b"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=centreon-plugins&DurationSeconds=3600";
        assert_eq!(
            sha256_hex(body),
            "afa921e5030ce303e87db2c89ecb722ec0b2fa4d7be1bfdeeaecfc01acc5210e"
        );
        let keys = example_keys(None);
        let mut hs = h(&[
            (
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            ),
            ("host", "sts.eu-west-1.amazonaws.com"),
        ]);
        hs.extend(signing_headers(&keys, T));
        let req = Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &hs,
            body,
            uri: UriRule::Normalized,
        };
        let scope = Scope {
            region: "eu-west-1",
            service: "sts",
        };
        let a = sign(&req, &keys, &scope, T).authorization;
        assert!(a.contains("SignedHeaders=content-type;host;x-amz-date,"));
        assert!(a.ends_with(
            "Signature=b0bd71424e6bc98a338b3e60660e85d494e4df648e0fd7738fb2d07d1d95321f"
        ));
    }

    #[test]
    fn paths_are_normalized_and_double_encoded() {
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/a//b/../c/./d/"), "/a/c/d/");
        assert_eq!(
            canonical_uri("/cloudtrail/events/x%20y"),
            "/cloudtrail/events/x%2520y"
        );
        assert_eq!(canonical_uri("/../.."), "/");
    }

    #[test]
    fn query_encoding_never_uses_plus() {
        assert_eq!(canonical_query("b=x y&a=1"), "a=1&b=x%20y");
        assert_eq!(canonical_query("k"), "k=");
        assert_eq!(canonical_query(""), "");
        assert_eq!(canonical_query("a=%"), "a=%25");
    }

    /// An S3 request as the S3 client builds it: `x-amz-content-sha256`
    /// signed, path as sent. Known answers from botocore 1.43's
    /// `S3SigV4Auth` at the suites' instant.
    fn s3(method: &str, host: &str, path: &str, query: &str, region: &str) -> String {
        let keys = example_keys(None);
        let mut hs = h(&[("host", host), ("x-amz-content-sha256", EMPTY_SHA)]);
        hs.extend(signing_headers(&keys, T));
        let req = Request {
            method,
            path,
            query,
            headers: &hs,
            body: b"",
            uri: UriRule::AsSent,
        };
        let scope = Scope {
            region,
            service: "s3",
        };
        sign(&req, &keys, &scope, T).authorization
    }

    #[test]
    fn s3_vectors_match_botocore() {
        let get = s3(
            "GET",
            "examplebucket.s3.eu-west-1.amazonaws.com",
            "/AWSLogs/123456789012/CloudTrail-Digest/eu-west-1/2026/01/02/a%20b%2Bc.json.gz",
            "",
            "eu-west-1",
        );
        assert_eq!(
            get,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/s3/aws4_request, \
             SignedHeaders=host;x-amz-content-sha256;x-amz-date, \
             Signature=678b21d8c8fd4b7c6369b77a49428eb451a99aba3b86f45d6959c3a638836f8a"
        );
        let list = s3(
            "GET",
            "examplebucket.s3.eu-west-1.amazonaws.com",
            "/",
            "list-type=2&prefix=AWSLogs%2F123%2F&start-after=AWSLogs%2F123%2Fx&max-keys=1000",
            "eu-west-1",
        );
        assert!(list.ends_with(
            "Signature=0308271b73cb532c173a62b55722ed36a725b398bd299152253440be571d99a2"
        ));
        // Path style, and a key that other services would normalise.
        let head = s3(
            "HEAD",
            "127.0.0.1:9000",
            "/my.bucket/a//b/../c.json.gz",
            "",
            "us-east-1",
        );
        assert!(head.ends_with(
            "Signature=a02c054af7de3294839bc7b15e57cd55c2712ecf0ad847babe75911816424d5d"
        ));
        let location = s3(
            "GET",
            "examplebucket.s3.amazonaws.com",
            "/",
            "location",
            "us-east-1",
        );
        assert!(location.ends_with(
            "Signature=75f46d1e86e1717a90b65a89f6b62e42f88f9b3a608b51e8bdb4981e38ba42a5"
        ));
    }

    #[test]
    fn s3_paths_are_kept_as_sent() {
        assert_eq!(
            canonical_uri_for("/a//b/../x%20y", UriRule::AsSent),
            "/a//b/../x%20y"
        );
        assert_eq!(canonical_uri_for("", UriRule::AsSent), "/");
    }
}
