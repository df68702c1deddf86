//! CloudTrail over the AWS JSON 1.1 protocol: `POST /` (or the endpoint's
//! own path), `X-Amz-Target`, a JSON body, SigV4 with service `cloudtrail`.

use std::time::Duration;

use serde_json::{Value, json};

use super::credentials::Credentials;
use super::http::{self, TransportError};
use super::{Clock, Trace, api_error, debug_header, sigv4};
use crate::error::Error;

const TARGET_PREFIX: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101";
const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// A parsed endpoint URL: what we send to and what we sign.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// The full URL requests are POSTed to.
    pub url: String,
    /// `host[:port]`, the port only when not the scheme's default: the
    /// Host header we send and sign (the same rule as botocore).
    pub host: String,
    /// The path on the wire (`/` or a custom endpoint's own path).
    pub path: String,
    pub query: String,
}

impl Endpoint {
    pub fn parse(url: &str) -> Result<Endpoint, String> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| format!("'{url}' is not a URL (no http:// or https://)"))?;
        let default_port = match scheme.to_ascii_lowercase().as_str() {
            "http" => "80",
            "https" => "443",
            _ => {
                return Err(format!(
                    "'{url}': only http and https endpoints are supported"
                ));
            }
        };
        let split = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(split);
        if authority.is_empty() || authority.contains('@') {
            return Err(format!("'{url}': expected scheme://host[:port][/path]"));
        }
        let tail = tail.split('#').next().unwrap_or("");
        let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
        let bad = || format!("'{url}': expected scheme://host[:port][/path]");
        let (name, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (inner, rest) = v6.split_once(']').ok_or_else(bad)?;
            let port = match rest {
                "" => None,
                r => Some(r.strip_prefix(':').ok_or_else(bad)?),
            };
            (format!("[{inner}]"), port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_owned(), Some(p)),
                None => (authority.to_owned(), None),
            }
        };
        if name.is_empty() || name == "[]" {
            return Err(bad());
        }
        if let Some(p) = port {
            if !p.bytes().all(|b| b.is_ascii_digit()) || p.parse::<u16>().is_err() {
                return Err(format!("'{url}': bad port '{p}'"));
            }
        }
        let name = name.to_ascii_lowercase();
        let host = match port {
            Some(p) if p != default_port => format!("{name}:{p}"),
            _ => name,
        };
        let path = if path.is_empty() { "/" } else { path };
        Ok(Endpoint {
            url: if query.is_empty() {
                format!("{scheme}://{authority}{path}")
            } else {
                format!("{scheme}://{authority}{path}?{query}")
            },
            host,
            path: path.to_owned(),
            query: query.to_owned(),
        })
    }

    /// The public CloudTrail endpoint of a region, per partition.
    pub fn for_region(region: &str) -> Endpoint {
        let suffix = if region.starts_with("cn-") {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        let host = format!("cloudtrail.{region}.{suffix}");
        Endpoint {
            url: format!("https://{host}/"),
            host,
            path: "/".into(),
            query: String::new(),
        }
    }
}

/// `GetTrailStatus`, the fields the modes read.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailStatus {
    pub is_logging: bool,
}

/// One LookupEvents event, reduced to what the modes need.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Event {
    pub event_id: String,
    /// The inner record's `eventType` (`AwsApiCall`, `AwsConsoleSignIn`…).
    pub event_type: Option<String>,
    pub error_message: Option<String>,
}

/// The time window and paging bounds of one `LookupEvents` read.
#[derive(Debug, Clone)]
pub struct Lookup {
    pub start: i64,
    pub end: i64,
    pub max_pages: u32,
    /// Minimum spacing between two requests (the LookupEvents quota is
    /// 2 per second per account and region).
    pub min_interval: Duration,
}

pub struct Client<'a> {
    pub http: &'a http::Client,
    pub creds: &'a Credentials,
    pub endpoint: &'a Endpoint,
    pub region: &'a str,
    pub clock: &'a dyn Clock,
    /// The configured `--timeout`, for messages.
    pub timeout_secs: u64,
}

impl Client<'_> {
    /// One signed call; the parsed JSON answer or the error line.
    pub fn call(
        &self,
        op: &'static str,
        params: &Value,
        trace: &mut Trace,
    ) -> Result<Value, Error> {
        // Serialized once: the bytes signed are the bytes sent.
        let body = serde_json::to_vec(params).map_err(|e| Error::Internal(e.to_string()))?;
        let epoch = self.clock.epoch();
        let mut headers = vec![
            ("content-type".to_owned(), CONTENT_TYPE.to_owned()),
            ("host".to_owned(), self.endpoint.host.clone()),
            ("x-amz-target".to_owned(), format!("{TARGET_PREFIX}.{op}")),
        ];
        headers.extend(sigv4::signing_headers(self.creds, epoch));
        let signed = sigv4::sign(
            &sigv4::Request {
                method: "POST",
                path: &self.endpoint.path,
                query: &self.endpoint.query,
                headers: &headers,
                body: &body,
            },
            self.creds,
            &sigv4::Scope {
                region: self.region,
                service: "cloudtrail",
            },
            epoch,
        );
        headers.push(("authorization".to_owned(), signed.authorization));
        trace.log(|| format!("{op}: POST {}", self.endpoint.url));
        for (n, v) in &headers {
            trace.log(|| format!("  > {}", debug_header(n, v)));
        }
        trace.log(|| format!("  > body: {}", String::from_utf8_lossy(&body)));
        let resp = self
            .http
            .post(&self.endpoint.url, &headers, &body)
            .map_err(|e| match e {
                TransportError::Timeout => Error::Timeout {
                    op,
                    secs: self.timeout_secs,
                },
                other => Error::Transport {
                    op,
                    detail: other.to_string(),
                },
            })?;
        trace.log(|| format!("  < HTTP {} ({} bytes)", resp.status, resp.body.len()));
        trace.log(|| {
            format!(
                "  < body: {}",
                crate::error::one_line(&String::from_utf8_lossy(&resp.body))
            )
        });
        if !(200..300).contains(&resp.status) {
            return Err(api_error(op, &resp, epoch));
        }
        serde_json::from_slice(&resp.body).map_err(|e| Error::BadResponse {
            op,
            detail: format!(
                "HTTP {} body is not JSON ({e}): {}",
                resp.status,
                String::from_utf8_lossy(&resp.body)
            ),
        })
    }

    pub fn get_trail_status(&self, name: &str, trace: &mut Trace) -> Result<TrailStatus, Error> {
        const OP: &str = "GetTrailStatus";
        let v = self.call(OP, &json!({ "Name": name }), trace)?;
        trail_status_from(&v).map_err(|detail| Error::BadResponse { op: OP, detail })
    }

    /// Every event of the window, following `NextToken`, paced, bounded
    /// by `max_pages` and the run's deadline: either all of them or an
    /// error, never a silent partial list.
    pub fn lookup_events(&self, q: &Lookup, trace: &mut Trace) -> Result<Vec<Event>, Error> {
        const OP: &str = "LookupEvents";
        let mut events = Vec::new();
        let mut token: Option<String> = None;
        let mut pacer = Pacer::new(q.min_interval);
        let mut pages = 0u32;
        loop {
            if pages >= q.max_pages {
                return Err(Error::PageCap {
                    op: OP,
                    pages: q.max_pages,
                });
            }
            let wait = pacer.wait(self.clock.now());
            if wait >= self.http.remaining() {
                return Err(Error::Timeout {
                    op: OP,
                    secs: self.timeout_secs,
                });
            }
            if !wait.is_zero() {
                self.clock.sleep(wait);
            }
            pacer.record(self.clock.now());
            let mut params = json!({
                "StartTime": q.start,
                "EndTime": q.end,
                "MaxResults": 50,
            });
            if let (Some(t), Some(obj)) = (&token, params.as_object_mut()) {
                obj.insert("NextToken".into(), Value::String(t.clone()));
            }
            let page = self.call(OP, &params, trace)?;
            pages += 1;
            let (mut page_events, next) =
                events_page_from(&page).map_err(|detail| Error::BadResponse { op: OP, detail })?;
            events.append(&mut page_events);
            match next {
                Some(t) if Some(&t) == token.as_ref() => {
                    return Err(Error::BadResponse {
                        op: OP,
                        detail: "the same NextToken came back twice".into(),
                    });
                }
                Some(t) => token = Some(t),
                None => return Ok(events),
            }
        }
    }
}

/// Keeps successive requests at least `interval` apart, the first one
/// going at once. Pure: the caller passes the time and does the sleeping.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    last: Option<std::time::Instant>,
}

impl Pacer {
    pub fn new(interval: Duration) -> Self {
        Pacer {
            interval,
            last: None,
        }
    }

    pub fn wait(&self, now: std::time::Instant) -> Duration {
        match self.last {
            Some(last) => (last + self.interval).saturating_duration_since(now),
            None => Duration::ZERO,
        }
    }

    pub fn record(&mut self, at: std::time::Instant) {
        self.last = Some(at);
    }
}

/// `IsLogging` must be a JSON boolean: a missing field is not "false".
pub fn trail_status_from(v: &Value) -> Result<TrailStatus, String> {
    match v.get("IsLogging") {
        Some(Value::Bool(b)) => Ok(TrailStatus { is_logging: *b }),
        Some(other) => Err(format!("IsLogging is not a boolean: {}", other)),
        None => Err("no IsLogging in the answer".into()),
    }
}

/// One page: its events and the next token. Only the fields the modes use
/// are checked (Centreon's own mock sends `EventTime` as a string).
pub fn events_page_from(v: &Value) -> Result<(Vec<Event>, Option<String>), String> {
    let list = match v.get("Events") {
        Some(Value::Array(a)) => a,
        Some(_) => return Err("Events is not a list".into()),
        None => return Err("no Events in the answer".into()),
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, e) in list.iter().enumerate() {
        out.push(event_from(e).map_err(|d| format!("event #{}: {d}", i + 1))?);
    }
    let next = match v.get("NextToken") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("NextToken is not a string".into()),
    };
    Ok((out, next))
}

fn event_from(e: &Value) -> Result<Event, String> {
    let outer_id = e.get("EventId").and_then(Value::as_str).unwrap_or_default();
    let raw = match e.get("CloudTrailEvent") {
        Some(Value::String(s)) => s,
        Some(_) => return Err("CloudTrailEvent is not a string".into()),
        None => return Err("no CloudTrailEvent".into()),
    };
    let inner: Value =
        serde_json::from_str(raw).map_err(|err| format!("CloudTrailEvent is not JSON ({err})"))?;
    if !inner.is_object() {
        return Err("CloudTrailEvent is not a JSON object".into());
    }
    let text = |k: &str| inner.get(k).and_then(Value::as_str).map(str::to_owned);
    Ok(Event {
        event_id: text("eventID").unwrap_or_else(|| outer_id.to_owned()),
        event_type: text("eventType"),
        error_message: text("errorMessage"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        let e = Endpoint::parse("http://localhost:3000/cloudtrail/gettrailstatus/true").unwrap();
        assert_eq!(e.host, "localhost:3000");
        assert_eq!(e.path, "/cloudtrail/gettrailstatus/true");
        assert_eq!(
            e.url,
            "http://localhost:3000/cloudtrail/gettrailstatus/true"
        );
        let e = Endpoint::parse("https://cloudtrail.eu-west-1.amazonaws.com:443").unwrap();
        assert_eq!(e.host, "cloudtrail.eu-west-1.amazonaws.com");
        assert_eq!(e.path, "/");
        let e = Endpoint::parse("http://127.0.0.1:80/?a=b").unwrap();
        assert_eq!((e.host.as_str(), e.query.as_str()), ("127.0.0.1", "a=b"));
        let e = Endpoint::parse("http://[::1]:8080/").unwrap();
        assert_eq!(e.host, "[::1]:8080");
        for bad in [
            "localhost:3000",
            "ftp://x/",
            "http:///x",
            "http://u:p@h/",
            "http://h:x/",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Endpoint::for_region("cn-north-1").host,
            "cloudtrail.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            Endpoint::for_region("eu-west-1").url,
            "https://cloudtrail.eu-west-1.amazonaws.com/"
        );
    }

    #[test]
    fn trail_status_must_be_boolean() {
        assert_eq!(
            trail_status_from(&json!({"IsLogging": true})),
            Ok(TrailStatus { is_logging: true })
        );
        assert!(trail_status_from(&json!({})).is_err());
        assert!(trail_status_from(&json!({"IsLogging": "true"})).is_err());
    }

    #[test]
    fn event_pages() {
        let page = json!({
            "Events": [
                {"EventId": "a", "EventTime": "not a number",
                 "CloudTrailEvent": "{\"eventID\":\"a\",\"eventType\":\"AwsApiCall\"}"},
                {"EventId": "b",
                 "CloudTrailEvent": "{\"eventType\":\"AwsConsoleSignIn\",\"errorMessage\":\"Login error\"}"}
            ],
            "NextToken": "T2"
        });
        let (events, next) = events_page_from(&page).unwrap();
        assert_eq!(next.as_deref(), Some("T2"));
        assert_eq!(events[0].event_type.as_deref(), Some("AwsApiCall"));
        assert_eq!(events[1].event_id, "b");
        assert_eq!(events[1].error_message.as_deref(), Some("Login error"));
        assert!(events_page_from(&json!({"NextToken": "x"})).is_err());
        assert!(events_page_from(&json!({"Events": {}})).is_err());
        assert!(events_page_from(&json!({"Events": [{"CloudTrailEvent": "{"}]})).is_err());
        assert!(events_page_from(&json!({"Events": [{}]})).is_err());
        assert_eq!(
            events_page_from(&json!({"Events": [], "NextToken": ""}))
                .unwrap()
                .1,
            None
        );
    }

    #[test]
    fn pacer_spaces_requests() {
        let t0 = std::time::Instant::now();
        let mut p = Pacer::new(Duration::from_millis(500));
        assert_eq!(p.wait(t0), Duration::ZERO);
        p.record(t0);
        assert_eq!(
            p.wait(t0 + Duration::from_millis(100)),
            Duration::from_millis(400)
        );
        assert_eq!(p.wait(t0 + Duration::from_millis(700)), Duration::ZERO);
    }
}
