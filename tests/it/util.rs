//! A loopback HTTP/1.1 server that records what arrives and answers from a
//! handler, and a runner for the built binary with a clean environment.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Lower-cased names, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// When it arrived (to check pacing).
    pub at: Instant,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }

    /// The operation named by X-Amz-Target.
    pub fn operation(&self) -> &str {
        self.header("x-amz-target")
            .and_then(|t| t.rsplit('.').next())
            .unwrap_or("")
    }
}

#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/x-amz-json-1.1".into())],
            body: body.to_string().into_bytes(),
        }
    }

    pub fn aws_error(status: u16, code: &str, message: &str) -> Reply {
        Reply::json(
            status,
            serde_json::json!({"__type": code, "message": message}),
        )
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

pub struct Server {
    pub port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let recorded = Arc::clone(&requests);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                let handler = Arc::clone(&handler);
                let recorded = Arc::clone(&recorded);
                thread::spawn(move || serve(stream, &*handler, &recorded));
            }
        });
        Server { port, requests }
    }

    /// LookupEvents over `pages` pages linked by the tokens `page-2`,
    /// `page-3`…; `events(n)` fills page `n` (from 0). Any other token is
    /// an InvalidNextTokenException.
    pub fn paged(
        pages: usize,
        events: impl Fn(usize) -> Vec<serde_json::Value> + Send + Sync + 'static,
    ) -> Server {
        Server::start(move |req: &Request| {
            let body = req.json();
            let page = match body.get("NextToken").and_then(serde_json::Value::as_str) {
                None => 0,
                Some(t) => match (2..=pages).find(|n| t == format!("page-{n}")) {
                    Some(n) => n - 1,
                    None => return Reply::aws_error(400, "InvalidNextTokenException", "bad token"),
                },
            };
            let mut out = serde_json::json!({ "Events": events(page) });
            if page + 1 < pages {
                out["NextToken"] = serde_json::json!(format!("page-{}", page + 2));
            }
            Reply::json(200, out)
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().expect("lock").clone()
    }
}

pub fn read_request(r: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (n, v) = h.split_once(':')?;
        headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
    }
    let len = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body,
        at: Instant::now(),
    })
}

fn serve(stream: TcpStream, handler: &Handler, recorded: &Mutex<Vec<Request>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(mut out) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while let Some(req) = read_request(&mut reader) {
        recorded.lock().expect("lock").push(req.clone());
        let reply = handler(&req);
        let mut head = format!(
            "HTTP/1.1 {} X\r\ncontent-length: {}\r\n",
            reply.status,
            reply.body.len()
        );
        for (n, v) in &reply.headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        head.push_str("\r\n");
        if out.write_all(head.as_bytes()).is_err() || out.write_all(&reply.body).is_err() {
            return;
        }
    }
}

/// What a run of the binary gave.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    /// The first line, as Nagios reads it.
    pub fn line(&self) -> &str {
        self.stdout.lines().next().unwrap_or("")
    }
}

pub const PLUGIN: &str = "--plugin=cloud::aws::cloudtrail::plugin";

/// Every mode the binary holds, as `--list-mode` lists them.
pub const MODES: [&str; 8] = [
    "bucketposture",
    "checktrailstatus",
    "countevents",
    "listtrails",
    "logintegrity",
    "securityevents",
    "traildelivery",
    "trailsecurity",
];
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// Runs the binary with only the variables given (no proxy, no AWS
/// settings inherited, IMDS disabled).
pub fn run_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_check_cloudtrail"));
    cmd.env_clear()
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .args(args);
    // Every run gets a state directory of its own unless the test gives
    // one: runs never share buckets or caches by accident.
    let own_state = TempDir::new("state");
    if !args
        .iter()
        .any(|a| a.starts_with("--statefile-dir") || a.starts_with("--disable-statefile"))
    {
        cmd.arg(format!("--statefile-dir={}", own_state.0.display()));
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out: Output = cmd.output().expect("run check_cloudtrail");
    let run = Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    };
    assert!(
        (0..=3).contains(&run.code),
        "exit code {} out of 0..=3: {}",
        run.code,
        run.stdout
    );
    assert!(
        run.stderr.is_empty(),
        "stderr must stay empty: {}",
        run.stderr
    );
    run
}

pub fn run(args: &[&str]) -> Run {
    run_env(args, &[])
}

/// The usual check against a loopback `Server`: this plugin, region
/// eu-west-1, keys on the command line and the endpoint at `/`, then
/// `args` (a mode's own options first, a test's extras after).
pub fn run_against(server: &Server, args: &[&str]) -> Run {
    let endpoint = format!("--endpoint-url={}", server.url("/"));
    let secret = format!("--aws-secret-key={SECRET}");
    let mut all = vec![
        PLUGIN,
        "--region=eu-west-1",
        "--aws-access-key=AKIDEXAMPLE",
        &secret,
        &endpoint,
    ];
    all.extend_from_slice(args);
    run(&all)
}

/// Parses `Credential=AK/date/region/service/aws4_request, SignedHeaders=…, Signature=…`.
pub fn authorization_parts(auth: &str) -> HashMap<String, String> {
    let rest = auth
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .expect("AWS4-HMAC-SHA256 scheme");
    rest.split(", ")
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// A directory of its own under the system temp dir, removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "check_cloudtrail-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }

    /// Writes a file (mode 0755 when `exec`) and returns its path.
    pub fn write(&self, name: &str, text: &str, exec: bool) -> String {
        use std::os::unix::fs::PermissionsExt;
        let p = self.0.join(name);
        std::fs::write(&p, text).expect("write file");
        if exec {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        p.to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The access key a signed request used.
pub fn signing_key_id(req: &Request) -> String {
    let auth = req.header("authorization").expect("signed request");
    authorization_parts(auth)["Credential"]
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// An STS AssumeRole / AssumeRoleWithWebIdentity answer.
pub fn sts_credentials(action: &str, ak: &str, sk: &str, token: &str) -> Reply {
    let body = format!(
        "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{action}Result>\
         <Credentials><AccessKeyId>{ak}</AccessKeyId><SecretAccessKey>{sk}</SecretAccessKey>\
         <SessionToken>{token}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>\
         </Credentials></{action}Result></{action}Response>"
    );
    Reply {
        status: 200,
        headers: vec![("content-type".into(), "text/xml".into())],
        body: body.into_bytes(),
    }
}

/// Parses an `application/x-www-form-urlencoded` body.
pub fn form(req: &Request) -> HashMap<String, String> {
    let decode = |s: &str| {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%'
                && i + 2 < b.len() + 1
                && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
            {
                out.push(v);
                i += 3;
                continue;
            }
            out.push(if b[i] == b'+' { b' ' } else { b[i] });
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    String::from_utf8_lossy(&req.body)
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

/// A server whose every connection is handed to `behave` as it is: for
/// answers no well-behaved server gives (slow, silent, cut off, huge).
/// Requests it reads are recorded like [`Server`]'s.
pub struct RawServer {
    pub port: u16,
    pub requests: Arc<Mutex<Vec<Request>>>,
}

impl RawServer {
    pub fn start(
        behave: impl Fn(TcpStream, &Mutex<Vec<Request>>) + Send + Sync + 'static,
    ) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        let behave = Arc::new(behave);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                let behave = Arc::clone(&behave);
                let recorded = Arc::clone(&recorded);
                thread::spawn(move || behave(stream, &recorded));
            }
        });
        RawServer { port, requests }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

/// Reads one request off a raw connection and records it.
pub fn take_request(stream: &TcpStream, recorded: &Mutex<Vec<Request>>) -> Option<Request> {
    let mut r = BufReader::new(stream.try_clone().ok()?);
    let req = read_request(&mut r)?;
    recorded.lock().expect("lock").push(req.clone());
    Some(req)
}

/// Runs the binary in a new network namespace with no interface up, so
/// that a name cannot be resolved and nothing can leave the machine
/// (needs root or the unshare permission, which CI has).
pub fn run_without_network(args: &[&str]) -> Run {
    let out = Command::new("unshare")
        .arg("-n")
        .arg(env!("CARGO_BIN_EXE_check_cloudtrail"))
        .args(args)
        .env_clear()
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .expect("run unshare -n: install util-linux");
    let run = Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    };
    assert!(
        run.stderr.is_empty(),
        "unshare -n failed (this test needs root or CAP_SYS_ADMIN): {}",
        run.stderr
    );
    run
}

/// Now, in epoch seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `YYYY-MM-DDTHH:MM:SSZ` for an epoch, as STS writes expirations.
pub fn iso8601(epoch: i64) -> String {
    check_cloudtrail::time::iso8601(epoch)
}

/// The wall clock at `epoch`, for checks run in-process; the rest is real
/// time.
pub struct At(pub i64);

impl check_cloudtrail::clock::Clock for At {
    fn epoch(&self) -> i64 {
        self.0
    }
    fn epoch_millis(&self) -> i64 {
        self.0 * 1000
    }
    fn now(&self) -> std::time::Instant {
        std::time::Instant::now()
    }
    fn sleep(&self, d: std::time::Duration) {
        std::thread::sleep(d);
    }
    fn jitter(&self) -> f64 {
        0.0
    }
}
