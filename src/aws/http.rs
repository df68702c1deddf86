//! The only file that touches the network.
//!
//! One ureq agent per run: status codes are not errors (AWS puts its
//! error code in the body), every request is bounded by what is left of
//! the run's `--timeout`, and bodies are capped so a hostile or broken
//! server cannot make us buffer without end.

use std::io;
use std::time::{Duration, Instant};

use ureq::Agent;

/// Largest body we read. A LookupEvents page of 50 events is well under
/// a megabyte in practice; anything near this is not a CloudTrail answer.
pub const MAX_BODY: u64 = 16 * 1024 * 1024;

/// Why a request got no HTTP answer.
#[derive(Debug, Clone, PartialEq)]
pub enum TransportError {
    /// The run's deadline passed (before or during the request).
    Timeout,
    Refused(String),
    Resolve(String),
    Tls(String),
    TooLarge,
    /// Anything else: reset, protocol garbage, bad URL…
    Other(String),
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransportError::Timeout => f.write_str("timed out"),
            TransportError::Refused(h) => write!(f, "connection refused by {h}"),
            TransportError::Resolve(h) => write!(f, "could not resolve host {h}"),
            TransportError::Tls(d) => write!(f, "TLS error: {d}"),
            TransportError::TooLarge => {
                write!(f, "response body larger than {} MiB", MAX_BODY >> 20)
            }
            TransportError::Other(d) => f.write_str(d),
        }
    }
}

/// What came back.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--proxyurl`; `None` lets ureq read the `*_PROXY` environment.
    pub proxy: Option<String>,
    pub user_agent: String,
}

pub struct Client {
    agent: Agent,
    deadline: Instant,
}

impl Client {
    /// `deadline` is the instant the whole run must be over by.
    pub fn new(opts: &Options, deadline: Instant) -> Result<Client, TransportError> {
        let mut cfg = Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(opts.user_agent.as_str())
            // AWS JSON endpoints never redirect; following one would
            // re-send a signed request somewhere we did not sign for.
            .max_redirects(0)
            .max_redirects_will_error(false);
        if let Some(p) = &opts.proxy {
            let proxy = ureq::Proxy::new(p).map_err(|_| {
                TransportError::Other(format!("invalid proxy URL '{}'", redact_userinfo(p)))
            })?;
            cfg = cfg.proxy(Some(proxy));
        }
        Ok(Client {
            agent: cfg.build().into(),
            deadline,
        })
    }

    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// POSTs `body` with exactly `headers` (which must include the signed
    /// `host`) and reads the whole answer, within the run's deadline.
    pub fn post(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Response, TransportError> {
        let left = self.remaining();
        if left.is_zero() {
            return Err(TransportError::Timeout);
        }
        let mut req = self
            .agent
            .post(url)
            .config()
            .timeout_global(Some(left))
            .build();
        for (n, v) in headers {
            req = req.header(n.as_str(), v.as_str());
        }
        let mut resp = req.send(body).map_err(|e| map_error(e, url))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| map_error(e, url))?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    host.to_owned()
}

/// `http://user:pass@proxy:3128` → `http://***@proxy:3128`.
pub fn redact_userinfo(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let (authority, tail) = rest.split_at(authority_end);
            match authority.rsplit_once('@') {
                Some((_, host)) => format!("{scheme}://***@{host}{tail}"),
                None => url.to_owned(),
            }
        }
        None => url.to_owned(),
    }
}

fn io_detail(e: &io::Error, url: &str) -> TransportError {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => TransportError::Refused(host_of(url)),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => TransportError::Timeout,
        io::ErrorKind::ConnectionReset => {
            TransportError::Other(format!("connection reset by peer ({e})"))
        }
        io::ErrorKind::UnexpectedEof => {
            TransportError::Other("connection closed before the answer was complete".into())
        }
        _ => TransportError::Other(format!("I/O error: {e}")),
    }
}

fn map_error(e: ureq::Error, url: &str) -> TransportError {
    match e {
        ureq::Error::Timeout(_) => TransportError::Timeout,
        ureq::Error::HostNotFound => TransportError::Resolve(host_of(url)),
        ureq::Error::BodyExceedsLimit(_) => TransportError::TooLarge,
        ureq::Error::Io(io) => {
            // ureq wraps its own errors in io::Error while reading bodies.
            match io.get_ref().and_then(|i| i.downcast_ref::<ureq::Error>()) {
                Some(ureq::Error::BodyExceedsLimit(_)) => TransportError::TooLarge,
                Some(ureq::Error::Timeout(_)) => TransportError::Timeout,
                _ => io_detail(&io, url),
            }
        }
        ureq::Error::ConnectionFailed => {
            TransportError::Other(format!("cannot connect to {}", host_of(url)))
        }
        ureq::Error::Tls(d) => TransportError::Tls(d.to_owned()),
        ureq::Error::Rustls(r) => TransportError::Tls(r.to_string()),
        ureq::Error::BadUri(u) => TransportError::Other(format!("bad URL: {u}")),
        ureq::Error::InvalidProxyUrl => TransportError::Other("invalid proxy URL".into()),
        other => TransportError::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_redaction() {
        assert_eq!(
            host_of("https://cloudtrail.eu-west-1.amazonaws.com/"),
            "cloudtrail.eu-west-1.amazonaws.com"
        );
        assert_eq!(host_of("http://u:p@127.0.0.1:8080/x"), "127.0.0.1:8080");
        assert_eq!(
            redact_userinfo("http://user:p%40ss@proxy:3128"),
            "http://***@proxy:3128"
        );
        assert_eq!(
            redact_userinfo("http://proxy:3128/a@b"),
            "http://proxy:3128/a@b"
        );
        assert_eq!(redact_userinfo("proxy:3128"), "proxy:3128");
    }

    #[test]
    fn refused_connection_is_named() {
        // Bind then drop a listener so the port is free and nobody answers.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(9);
        let client = Client::new(
            &Options {
                proxy: None,
                user_agent: "t".into(),
            },
            Instant::now() + Duration::from_secs(5),
        )
        .unwrap();
        let url = format!("http://127.0.0.1:{port}/");
        let err = client.post(&url, &[], b"{}").unwrap_err();
        assert!(matches!(err, TransportError::Refused(_)), "{err:?}");
    }
}
