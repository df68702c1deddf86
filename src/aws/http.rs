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
    /// The proxy (`host:port`) answered CONNECT with 407: the credentials
    /// in the proxy URL are missing or wrong.
    ProxyAuth(String),
    /// Anything else: reset, protocol garbage, bad URL…
    Other(String),
}

impl TransportError {
    /// Worth another attempt? A certificate, a name or proxy credentials
    /// that failed once fail again (and a proxy counting failed logins
    /// may lock the account).
    pub fn transient(&self) -> bool {
        !matches!(
            self,
            TransportError::Tls(_) | TransportError::Resolve(_) | TransportError::ProxyAuth(_)
        )
    }
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
            TransportError::ProxyAuth(p) => {
                write!(f, "proxy authentication required (HTTP 407) by {p}")
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

/// A proxy URL, which may carry a password: `Debug` hides it.
#[derive(Clone, PartialEq)]
pub struct ProxyUrl(pub String);

impl std::fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ProxyUrl({:?})", redact_userinfo(&self.0))
    }
}

impl ProxyUrl {
    /// A port that is not a number would silently become 80 in ureq:
    /// refused, naming `from` (the option or variable) with the URL shown
    /// without its password.
    pub fn check_port(&self, from: &str) -> Result<(), crate::error::Error> {
        match super::endpoint::port_text(&self.0) {
            Some(p) if !super::endpoint::valid_port(p) => Err(crate::error::Error::out_of_range(
                from,
                &format!("a proxy URL whose port is {}", super::endpoint::PORT_RANGE),
                &redact_userinfo(&self.0),
            )),
            _ => Ok(()),
        }
    }
}

/// The variables ureq takes a proxy from, in its order (the first that
/// parses wins).
pub const PROXY_VARS: [&str; 6] = [
    "ALL_PROXY",
    "all_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
];

/// Which proxy the AWS requests use.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum ProxySetting {
    /// `ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY` (and lower-case), with
    /// `NO_PROXY`, read by ureq.
    #[default]
    Environment,
    /// `--proxyurl`.
    Url(ProxyUrl),
    /// No proxy at all (instance metadata, container credentials).
    Direct,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub proxy: ProxySetting,
    pub user_agent: String,
    /// PEM roots replacing the bundled ones (`--ca-bundle`, `AWS_CA_BUNDLE`).
    pub ca_bundle: Option<Vec<u8>>,
    /// `--skip-ssl-check`: no certificate verification at all.
    pub skip_verify: bool,
}

pub struct Client {
    /// For AWS endpoints: through the proxy, if any.
    agent: Agent,
    /// For loopback hosts, which never go through a proxy.
    direct: Agent,
    /// `host:port` of the proxy `agent` uses, for messages.
    proxy: Option<String>,
    deadline: Instant,
}

/// Reads PEM certificates; an error names what is wrong with the bundle.
pub fn parse_ca_bundle(pem: &[u8]) -> Result<Vec<ureq::tls::Certificate<'static>>, String> {
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => certs.push(c),
            Ok(_) => {}
            Err(e) => return Err(format!("not a PEM bundle ({e})")),
        }
    }
    if certs.is_empty() {
        return Err("no certificate in it".into());
    }
    Ok(certs)
}

impl Client {
    /// `deadline` is the instant the whole run must be over by.
    pub fn new(opts: &Options, deadline: Instant) -> Result<Client, TransportError> {
        let mut tls = ureq::tls::TlsConfig::builder();
        if let Some(pem) = &opts.ca_bundle {
            let certs = parse_ca_bundle(pem).map_err(TransportError::Tls)?;
            tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
        }
        if opts.skip_verify {
            tls = tls.disable_verification(true);
        }
        let tls = tls.build();
        let base = || {
            Agent::config_builder()
                .http_status_as_error(false)
                .user_agent(opts.user_agent.as_str())
                // AWS endpoints never redirect; following one would re-send
                // a signed request somewhere we did not sign for.
                .max_redirects(0)
                .max_redirects_will_error(false)
                .tls_config(tls.clone())
        };
        let proxy = match &opts.proxy {
            ProxySetting::Environment => ureq::Proxy::try_from_env(),
            ProxySetting::Direct => None,
            ProxySetting::Url(ProxyUrl(p)) => Some(ureq::Proxy::new(p).map_err(|_| {
                TransportError::Other(format!("invalid proxy URL '{}'", redact_userinfo(p)))
            })?),
        };
        let proxy_addr = proxy.as_ref().map(|p| format!("{}:{}", p.host(), p.port()));
        Ok(Client {
            proxy: proxy_addr,
            agent: base().proxy(proxy).build().into(),
            direct: base().proxy(None).build().into(),
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
        self.request("POST", url, headers, Some(body), None)
    }

    /// Any method, bounded by the run's deadline and by `limit` when
    /// given (metadata services get short limits).
    pub fn request(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: Option<&[u8]>,
        limit: Option<Duration>,
    ) -> Result<Response, TransportError> {
        self.start(method, url, headers, body, limit)?
            .into_response()
    }

    /// Sends a bodiless request (S3's GET and HEAD) and hands back the
    /// answer with its body unread, to be read as it arrives: the run's
    /// deadline still bounds the whole exchange, body included.
    pub fn open(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
    ) -> Result<Stream, TransportError> {
        self.start(method, url, headers, None, None)
    }

    fn start(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: Option<&[u8]>,
        limit: Option<Duration>,
    ) -> Result<Stream, TransportError> {
        let left = self.remaining();
        if left.is_zero() {
            return Err(TransportError::Timeout);
        }
        let budget = limit.map_or(left, |l| l.min(left));
        let (agent, via) = if is_loopback(&host_of(url)) {
            (&self.direct, None)
        } else {
            (&self.agent, self.proxy.as_deref())
        };
        let http_req = ureq::http::Request::builder().method(method).uri(url);
        let mut http_req = http_req;
        for (n, v) in headers {
            http_req = http_req.header(n.as_str(), v.as_str());
        }
        let http_req = http_req
            .body(body.map(<[u8]>::to_vec).unwrap_or_default())
            .map_err(|e| TransportError::Other(format!("bad request: {e}")))?;
        // timeout_global covers the body too, however it is read.
        let http_req = agent
            .configure_request(http_req)
            .timeout_global(Some(budget))
            .build();
        let resp = agent.run(http_req).map_err(|e| match e {
            // A metadata service that does not answer in its short limit
            // is "not there", not the run's timeout.
            ureq::Error::Timeout(_) if limit.is_some() && budget < left => {
                TransportError::Other(format!("no answer within {} ms", budget.as_millis()))
            }
            e => through(map_error(e, url), via),
        })?;
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
        Ok(Stream {
            status,
            headers,
            body: resp.into_body(),
            url: url.to_owned(),
            via: via.map(str::to_owned),
        })
    }
}

/// An answer whose body has not been read yet.
pub struct Stream {
    pub status: u16,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    body: ureq::Body,
    url: String,
    via: Option<String>,
}

impl Stream {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Reads the whole body, up to [`MAX_BODY`]: for answers that are
    /// small by nature (JSON pages, XML, errors).
    pub fn into_response(mut self) -> Result<Response, TransportError> {
        let body = self
            .body
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| through(map_error(e, &self.url), self.via.as_deref()))?;
        Ok(Response {
            status: self.status,
            headers: self.headers,
            body,
        })
    }

    /// The body as a reader of at most `limit` bytes (more is an error,
    /// never a silent cut). Its I/O errors become a [`TransportError`]
    /// through [`read_error`].
    pub fn into_reader(self, limit: u64) -> impl io::Read {
        self.body.into_with_config().limit(limit).reader()
    }
}

/// What an I/O error from [`Stream::into_reader`] means: the deadline,
/// the size limit, or the connection.
pub fn read_error(e: io::Error, url: &str) -> TransportError {
    map_error(ureq::Error::Io(e), url)
}

/// `localhost`, `127.0.0.0/8` and `[::1]`: never proxied.
pub fn is_loopback(host_port: &str) -> bool {
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or(v6)
    } else {
        host_port.rsplit_once(':').map_or(host_port, |(h, _)| h)
    };
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    host.to_owned()
}

/// The host alone, without a port.
fn host_name(url: &str) -> String {
    let h = host_of(url);
    if h.starts_with('[') {
        return h.split(']').next().map_or(h.clone(), |v| format!("{v}]"));
    }
    h.rsplit_once(':').map_or(h.clone(), |(n, _)| n.to_owned())
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
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => {
            TransportError::Other(format!("connection reset by {}", host_of(url)))
        }
        io::ErrorKind::UnexpectedEof => TransportError::Other(format!(
            "connection to {} closed before the answer was complete",
            host_of(url)
        )),
        // std reports getaddrinfo failures as uncategorised I/O errors.
        _ if e.to_string().contains("lookup address") => TransportError::Resolve(host_name(url)),
        // rustls reports certificate and handshake failures this way.
        io::ErrorKind::InvalidData => TransportError::Tls(e.to_string()),
        _ => TransportError::Other(format!("I/O error: {e}")),
    }
}

/// With a proxy, a connection that cannot be made is the proxy's.
fn through(e: TransportError, proxy: Option<&str>) -> TransportError {
    match (e, proxy) {
        (TransportError::Refused(_), Some(p)) => TransportError::Refused(format!("proxy {p}")),
        (TransportError::ProxyAuth(_), Some(p)) => TransportError::ProxyAuth(p.to_owned()),
        (TransportError::Other(d), Some(p)) if d.starts_with("CONNECT proxy failed") => {
            TransportError::Other(format!("proxy {p}: {d}"))
        }
        (e, _) => e,
    }
}

fn map_error(e: ureq::Error, url: &str) -> TransportError {
    match e {
        ureq::Error::Timeout(_) => TransportError::Timeout,
        ureq::Error::HostNotFound => TransportError::Resolve(host_name(url)),
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
        // ureq's only word for it: "proxy server responded 407/…". The
        // proxy's address is added by `through`, which knows it.
        ureq::Error::ConnectProxyFailed(reason) if reason.contains("responded 407") => {
            TransportError::ProxyAuth("the proxy".into())
        }
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
    fn host_names() {
        assert_eq!(
            host_name("http://cloudtrail.invalid:8080/x"),
            "cloudtrail.invalid"
        );
        assert_eq!(host_name("https://[::1]:443/"), "[::1]");
        assert_eq!(host_name("https://h/"), "h");
    }

    #[test]
    fn loopback_hosts() {
        for h in [
            "127.0.0.1:8080",
            "localhost",
            "LOCALHOST:1",
            "[::1]:9",
            "127.3.2.1",
            "a.localhost:80",
        ] {
            assert!(is_loopback(h), "{h}");
        }
        for h in [
            "169.254.169.254",
            "cloudtrail.eu-west-1.amazonaws.com",
            "[fd00:ec2::254]:80",
            "128.0.0.1",
        ] {
            assert!(!is_loopback(h), "{h}");
        }
    }

    #[test]
    fn proxy_authentication_is_final_and_names_the_proxy() {
        let e = map_error(
            ureq::Error::ConnectProxyFailed("proxy server responded 407/407".into()),
            "https://cloudtrail.eu-west-1.amazonaws.com/",
        );
        let e = through(e, Some("proxy.example:3128"));
        assert_eq!(
            e.to_string(),
            "proxy authentication required (HTTP 407) by proxy.example:3128"
        );
        assert!(!e.transient());
        let other = map_error(
            ureq::Error::ConnectProxyFailed("proxy server responded 502/502".into()),
            "https://h/",
        );
        assert!(other.transient(), "{other:?}");
    }

    #[test]
    fn ca_bundles() {
        assert!(parse_ca_bundle(b"").unwrap_err().contains("no certificate"));
        assert!(parse_ca_bundle(b"hello").is_err());
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
                proxy: ProxySetting::Direct,
                user_agent: "t".into(),
                ..Options::default()
            },
            Instant::now() + Duration::from_secs(5),
        )
        .unwrap();
        let url = format!("http://127.0.0.1:{port}/");
        let err = client.post(&url, &[], b"{}").unwrap_err();
        assert!(matches!(err, TransportError::Refused(_)), "{err:?}");
    }
}
