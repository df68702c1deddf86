//! Talking to AWS: signing, credentials, HTTP, and the service calls.

pub mod awscli;
pub mod cloudtrail;
pub mod credentials;
pub mod crypto;
pub mod endpoint;
pub mod http;
pub mod profile;
pub mod quota;
pub mod retry;
pub mod sigv4;
pub mod sts;

use crate::clock::Clock;
use crate::error::Error;
use crate::trace::Trace;

/// One AWS service endpoint as a call target.
pub struct Target<'a> {
    pub endpoint: &'a endpoint::Endpoint,
    /// The signing region.
    pub region: &'a str,
    /// The signing name (`cloudtrail`, `sts`).
    pub service: &'static str,
}

/// Sends signed requests, retrying what is worth retrying, all within the
/// run's deadline.
pub struct Caller<'a> {
    pub http: &'a http::Client,
    pub clock: &'a dyn Clock,
    /// The configured `--timeout`, for messages.
    pub limit: crate::error::Limit,
    /// Attempts per call, first included (3, or `AWS_MAX_ATTEMPTS`).
    pub max_attempts: u32,
    /// Paces every attempt under the API's quota.
    pub throttle: &'a dyn quota::Throttle,
}

impl Caller<'_> {
    /// POSTs `body` with `headers` (content type and the like; `host` and
    /// the SigV4 headers are added here), signed with `creds` when given
    /// (STS's web-identity call is unsigned). A 2xx answer, or the error
    /// line of the last attempt.
    pub fn send(
        &self,
        op: &'static str,
        target: &Target<'_>,
        creds: Option<&credentials::Credentials>,
        headers: &[(&str, String)],
        body: &[u8],
        trace: &mut Trace,
    ) -> Result<http::Response, Error> {
        let mut attempt = 1;
        loop {
            if let Err(q) = self.throttle.acquire(op, self.clock, self.http.remaining()) {
                return Err(Error::Quota {
                    op,
                    wait_ms: u64::try_from(q.wait.as_millis()).unwrap_or(u64::MAX),
                    limit: self.limit,
                });
            }
            // Signed afresh each attempt: X-Amz-Date moves on.
            let epoch = self.clock.epoch();
            let mut all: Vec<(String, String)> = headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.clone()))
                .collect();
            all.push(("host".to_owned(), target.endpoint.host.clone()));
            if let Some(c) = creds {
                let keys = sigv4::Keys {
                    access_key: c.access_key(),
                    secret_key: c.secret_key(),
                    session_token: c.session_token(),
                };
                all.extend(sigv4::signing_headers(&keys, epoch));
                let signed = sigv4::sign(
                    &sigv4::Request {
                        method: "POST",
                        path: &target.endpoint.path,
                        query: &target.endpoint.query,
                        headers: &all,
                        body,
                    },
                    &keys,
                    &sigv4::Scope {
                        region: target.region,
                        service: target.service,
                    },
                    epoch,
                );
                all.push(("authorization".to_owned(), signed.authorization));
            }
            trace.log(|| format!("{op}: POST {} (attempt {attempt})", target.endpoint.url));
            for (n, v) in &all {
                trace.log(|| format!("  > {}", debug_header(n, v)));
            }
            trace.log(|| format!("  > body: {}", redact_form_body(body)));
            let outcome = self.http.post(&target.endpoint.url, &all, body);
            let (error, retry) = match outcome {
                Ok(resp) => {
                    trace.log(|| format!("  < HTTP {} ({} bytes)", resp.status, resp.body.len()));
                    trace.log(|| {
                        format!(
                            "  < body: {}",
                            crate::error::one_line(&redact_xml_secrets(&String::from_utf8_lossy(
                                &resp.body
                            )))
                        )
                    });
                    if (200..300).contains(&resp.status) {
                        return Ok(resp);
                    }
                    let error = api_error(op, &resp, epoch);
                    let code = match &error {
                        Error::Api { code, .. } => Some(code.as_str()),
                        _ => None,
                    };
                    let retry = retry::retryable_answer(resp.status, code);
                    (error, retry)
                }
                Err(http::TransportError::Timeout) => {
                    return Err(Error::Timeout {
                        op,
                        limit: self.limit,
                    });
                }
                Err(e) => {
                    trace.log(|| format!("  < no answer: {e}"));
                    let transient = e.transient();
                    (
                        Error::Transport {
                            op,
                            detail: e.to_string(),
                        },
                        transient,
                    )
                }
            };
            let wait = retry::backoff(attempt, self.clock.jitter());
            if !retry || attempt >= self.max_attempts || !retry::fits(wait, self.http.remaining()) {
                return Err(with_attempts(error, attempt));
            }
            trace.log(|| format!("  retrying in {} ms", wait.as_millis()));
            self.clock.sleep(wait);
            attempt += 1;
        }
    }
}

/// Says how many attempts an error took, when more than one.
fn with_attempts(e: Error, attempts: u32) -> Error {
    if attempts < 2 {
        return e;
    }
    let note = format!("after {attempts} attempts");
    match e {
        Error::Api {
            op,
            code,
            message,
            hint,
        } => Error::Api {
            op,
            code,
            message,
            hint: Some(match hint {
                Some(h) => format!("{h}; {note}"),
                None => note,
            }),
        },
        Error::Transport { op, detail } => Error::Transport {
            op,
            detail: format!("{detail} ({note})"),
        },
        Error::Http { op, status, body } => Error::Http {
            op,
            status,
            body: format!("{} ({note})", crate::error::one_line(&body)),
        },
        other => other,
    }
}

/// Form bodies carry a web identity token; JSON bodies carry no secret.
fn redact_form_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if !text.contains("WebIdentityToken=") {
        return text.into_owned();
    }
    text.split('&')
        .map(|kv| match kv.split_once('=') {
            Some(("WebIdentityToken", _)) => "WebIdentityToken=<redacted>".to_owned(),
            _ => kv.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// STS answers hold a secret key and a session token.
fn redact_xml_secrets(text: &str) -> String {
    let mut out = text.to_owned();
    for tag in ["SecretAccessKey", "SessionToken"] {
        if let Some(v) = xml_text(&out, tag)
            && !v.is_empty()
        {
            out = out.replace(&v, "<redacted>");
        }
    }
    out
}

/// Headers whose values are secret or derived from a secret.
pub const SENSITIVE_HEADERS: [&str; 2] = ["authorization", "x-amz-security-token"];

/// One header line for `--debug`, with sensitive values hidden.
pub fn debug_header(name: &str, value: &str) -> String {
    if SENSITIVE_HEADERS
        .iter()
        .any(|h| h.eq_ignore_ascii_case(name))
    {
        match value.split_once("Signature=") {
            // Keep the credential scope and signed headers: they are
            // what one needs to debug a signature mismatch.
            Some((head, _)) => format!("{name}: {head}Signature=<redacted>"),
            None => format!("{name}: <redacted>"),
        }
    } else {
        format!("{name}: {value}")
    }
}

/// Cuts an error code the way the AWS JSON protocol says: text before a
/// `:`, then text after a `#`.
pub fn sanitize_error_code(raw: &str) -> String {
    let before_colon = raw.split(':').next().unwrap_or(raw);
    let after_hash = before_colon.rsplit('#').next().unwrap_or(before_colon);
    after_hash.trim().to_owned()
}

/// Text of the first `<tag>…</tag>` in a small XML document. Enough for
/// the AWS query-protocol error and STS answers; entities are decoded.
pub fn xml_text(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = xml.find(&open)? + open.len();
    let len = xml.get(start..)?.find(&close)?;
    let raw = xml.get(start..start + len)?;
    Some(
        raw.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

/// Turns a non-2xx answer into the error line: the code from the
/// `x-amzn-errortype` header, else the JSON `__type` or `code`, else an
/// XML `<Code>` (moto and query-protocol services answer in XML), else the
/// HTTP status. The message from `message`/`Message`.
pub fn api_error(op: &'static str, resp: &http::Response, signed_at: i64) -> Error {
    let text = String::from_utf8_lossy(&resp.body);
    let json: Option<serde_json::Value> = serde_json::from_str(&text).ok();
    let field = |names: &[&str]| -> Option<String> {
        let obj = json.as_ref()?.as_object()?;
        names
            .iter()
            .find_map(|n| obj.get(*n).and_then(|v| v.as_str()).map(str::to_owned))
    };
    let code = resp
        .header("x-amzn-errortype")
        .map(str::to_owned)
        .or_else(|| field(&["__type", "code"]))
        .or_else(|| xml_text(&text, "Code"))
        .map(|c| sanitize_error_code(&c))
        .filter(|c| !c.is_empty());
    let message = field(&["message", "Message"])
        .or_else(|| xml_text(&text, "Message"))
        .unwrap_or_default();
    let Some(code) = code else {
        return Error::Http {
            op,
            status: resp.status,
            body: text.into_owned(),
        };
    };
    let hint = skew_hint(&code, &message, resp.header("date"), signed_at);
    Error::Api {
        op,
        code,
        message,
        hint,
    }
}

/// When AWS rejects a request for its time, say how far off our clock is,
/// from the server's `Date` header.
fn skew_hint(code: &str, message: &str, date: Option<&str>, signed_at: i64) -> Option<String> {
    let about_time = code == "RequestTimeTooSkewed"
        || code == "RequestExpired"
        || message.contains("Signature expired")
        || message.contains("Signature not yet current");
    if !about_time {
        return None;
    }
    let server = date.and_then(crate::time::parse_http_date);
    Some(match server {
        Some(server) => {
            let skew = signed_at - server;
            let dir = if skew >= 0 { "ahead of" } else { "behind" };
            format!(
                "the poller's clock is {} {dir} the server's: fix NTP on this host",
                crate::time::human_duration(skew)
            )
        }
        None => "the poller's clock is off: fix NTP on this host".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> http::Response {
        http::Response {
            status,
            headers: headers
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn error_codes_are_sanitized() {
        assert_eq!(
            sanitize_error_code(
                "aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/"
            ),
            "FooError"
        );
        assert_eq!(
            sanitize_error_code("com.amazon.coral.service#SerializationException"),
            "SerializationException"
        );
        assert_eq!(
            sanitize_error_code("ThrottlingException"),
            "ThrottlingException"
        );
    }

    #[test]
    fn json_error_body() {
        let e = api_error(
            "GetTrailStatus",
            &resp(
                400,
                &[],
                r#"{"__type":"TrailNotFoundException","message":"Unknown trail: x for the user: 1"}"#,
            ),
            0,
        );
        assert_eq!(
            e.to_string(),
            "GetTrailStatus failed: TrailNotFoundException: Unknown trail: x for the user: 1"
        );
        // The header wins, `Message` is read too.
        let e = api_error(
            "LookupEvents",
            &resp(
                400,
                &[("x-amzn-errortype", "ThrottlingException:http://x")],
                r#"{"__type":"Other","Message":"Rate exceeded"}"#,
            ),
            0,
        );
        assert_eq!(
            e.to_string(),
            "LookupEvents failed: ThrottlingException: Rate exceeded"
        );
    }

    #[test]
    fn xml_error_body() {
        let body = "<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>\
                    <Message>The request signature we calculated does not match &amp; so on</Message>\
                    </Error></ErrorResponse>";
        let e = api_error("GetTrailStatus", &resp(403, &[], body), 0);
        assert_eq!(
            e.to_string(),
            "GetTrailStatus failed: SignatureDoesNotMatch: The request signature we calculated does not match & so on"
        );
    }

    #[test]
    fn unreadable_error_body_keeps_status() {
        let e = api_error(
            "LookupEvents",
            &resp(502, &[], "<html>Bad gateway</html>"),
            0,
        );
        assert_eq!(
            e.to_string(),
            "LookupEvents failed: HTTP 502: <html>Bad gateway</html>"
        );
    }

    #[test]
    fn clock_skew_is_measured() {
        let body = r#"{"__type":"InvalidSignatureException","message":"Signature expired: 20150830T123600Z is now earlier than 20150830T124600Z (20150830T125100Z - 5 min.)"}"#;
        let e = api_error(
            "GetTrailStatus",
            &resp(400, &[("date", "Sun, 30 Aug 2015 13:36:00 GMT")], body),
            1_440_938_160,
        );
        let s = e.to_string();
        assert!(s.contains("clock is 1h 0m 0s behind the server's"), "{s}");
    }

    #[test]
    fn debug_headers_hide_secrets() {
        let a = debug_header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/cloudtrail/aws4_request, SignedHeaders=host, Signature=abcdef",
        );
        assert!(!a.contains("abcdef") && a.contains("Credential=AK/"));
        assert_eq!(
            debug_header("X-Amz-Security-Token", "TOKEN"),
            "X-Amz-Security-Token: <redacted>"
        );
        assert_eq!(debug_header("x-amz-target", "T"), "x-amz-target: T");
    }
}
