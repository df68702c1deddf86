//! The signed call: one POST to an AWS endpoint, signed afresh for each
//! attempt, retried as the standard retry mode says, paced under the
//! API's quota, within the run's deadline, and traced for `--debug` with
//! every secret hidden.

use super::apierror::api_error;
use super::credentials::value::Credentials;
use super::{endpoint, http, quota, retry, sigv4};
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

/// One request as [`Caller::call`] sends it.
pub struct Request<'a> {
    pub method: &'static str,
    /// Content type and the like; `host` and the SigV4 headers are added.
    pub headers: &'a [(&'a str, String)],
    pub body: &'a [u8],
    /// Leave a 2xx body unread, for the caller to stream.
    pub stream: bool,
    /// Non-2xx answers handed back (body read) rather than made an error
    /// and retried: S3's wrong-region redirects, HEAD's 404.
    pub hand_back: Option<&'a dyn Fn(&http::Response) -> bool>,
}

/// What [`Caller::call`] hands back.
pub enum Answer {
    /// A 2xx (unless streamed) or a handed-back status, body read whole.
    Read(http::Response),
    /// A 2xx whose body is still to be read.
    Open(http::Stream),
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
        creds: Option<&Credentials>,
        headers: &[(&str, String)],
        body: &[u8],
        trace: &mut Trace,
    ) -> Result<http::Response, Error> {
        let req = Request {
            method: "POST",
            headers,
            body,
            stream: false,
            hand_back: None,
        };
        match self.call(op, target, creds, &req, trace)? {
            Answer::Read(resp) => Ok(resp),
            // Not asked for: read it all the same.
            Answer::Open(s) => s
                .into_response()
                .map_err(|e| transport_error(op, e, self.limit)),
        }
    }

    /// Any request, signed for `target` (S3's rules when its signing name
    /// is S3's), retried, paced and traced like every other.
    pub fn call(
        &self,
        op: &'static str,
        target: &Target<'_>,
        creds: Option<&Credentials>,
        req: &Request<'_>,
        trace: &mut Trace,
    ) -> Result<Answer, Error> {
        let body = req.body;
        let mut attempt = 1;
        loop {
            let paced = !sigv4::is_s3(target.service) || self.throttle.paces_s3();
            let acquired = match paced {
                true => self.throttle.acquire(op, self.clock, self.http.remaining()),
                false => Ok(()),
            };
            if let Err(q) = acquired {
                return Err(Error::Quota {
                    op,
                    wait_ms: u64::try_from(q.wait.as_millis()).unwrap_or(u64::MAX),
                    limit: self.limit,
                });
            }
            // Signed afresh each attempt: X-Amz-Date moves on.
            let epoch = self.clock.epoch();
            let mut all: Vec<(String, String)> = req
                .headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.clone()))
                .collect();
            all.push(("host".to_owned(), target.endpoint.host.clone()));
            if sigv4::is_s3(target.service) {
                all.push((
                    "x-amz-content-sha256".to_owned(),
                    super::crypto::sha256_hex(body),
                ));
            }
            if let Some(c) = creds {
                let keys = sigv4::Keys {
                    access_key: c.access_key(),
                    secret_key: c.secret_key(),
                    session_token: c.session_token(),
                };
                all.extend(sigv4::signing_headers(&keys, epoch));
                let signed = sigv4::sign(
                    &sigv4::Request {
                        method: req.method,
                        path: &target.endpoint.path,
                        query: &target.endpoint.query,
                        headers: &all,
                        body,
                        uri: sigv4::UriRule::of(target.service),
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
            trace.log(|| {
                format!(
                    "{op}: {} {} (attempt {attempt})",
                    req.method, target.endpoint.url
                )
            });
            for (n, v) in &all {
                trace.log(|| format!("  > {}", debug_header(n, v)));
            }
            if req.method == "POST" {
                // Printed whole, so the final redaction sees every secret whole.
                trace.log(|| format!("  > body: {}", String::from_utf8_lossy(body)));
            }
            let url = &target.endpoint.url;
            let outcome = if req.method == "POST" {
                self.http.post(url, &all, body).map(Answer::Read)
            } else {
                self.http.open(req.method, url, &all).and_then(|s| {
                    if req.stream && (200..300).contains(&s.status) {
                        Ok(Answer::Open(s))
                    } else {
                        s.into_response().map(Answer::Read)
                    }
                })
            };
            let (error, retry) = match outcome {
                Ok(Answer::Open(s)) => {
                    trace.log(|| format!("  < HTTP {} (body streamed)", s.status));
                    return Ok(Answer::Open(s));
                }
                Ok(Answer::Read(resp)) => {
                    trace.log(|| format!("  < HTTP {} ({} bytes)", resp.status, resp.body.len()));
                    trace.log_quoted("  < body: ", || {
                        String::from_utf8_lossy(&resp.body).into_owned()
                    });
                    if (200..300).contains(&resp.status) || req.hand_back.is_some_and(|f| f(&resp))
                    {
                        return Ok(Answer::Read(resp));
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
                    (transport_error(op, e, self.limit), transient)
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

/// A request that got no answer (or not all of it) as the error line.
pub fn transport_error(
    op: &'static str,
    e: http::TransportError,
    limit: crate::error::Limit,
) -> Error {
    match e {
        http::TransportError::Timeout => Error::Timeout { op, limit },
        e => Error::Transport {
            op,
            detail: e.to_string(),
        },
    }
}

/// Says how many attempts an error took, when more than one.
fn with_attempts(e: Error, attempts: u32) -> Error {
    if attempts < 2 {
        return e;
    }
    e.noted(&format!("after {attempts} attempts"))
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

#[cfg(test)]
mod tests {
    use super::*;

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
