//! The benchmark's floor (`scripts/bench.sh`): a process that makes one
//! POST with ureq and exits. No signing, no credentials, no option
//! parsing, no JSON: what any static Rust program pays here to start and
//! make one call to the same loopback server with the same HTTP stack.
//! Built as a Cargo example so it gets check_cloudtrail's ureq, profile
//! and static musl target.
//!
//!   bench_floor URL OPERATION BODY

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, operation, body] = args.as_slice() else {
        eprintln!("usage: bench_floor URL OPERATION BODY");
        return ExitCode::from(3);
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .into();
    // A fixed header set shaped like a signed call, so the server does the
    // same work as for the plugin; nothing is computed.
    let sent = agent
        .post(url)
        .header("Content-Type", "application/x-amz-json-1.1")
        .header(
            "X-Amz-Target",
            format!("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.{operation}"),
        )
        .header("X-Amz-Date", "20260101T000000Z")
        .header(
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDFLOOR/20260101/eu-west-1/cloudtrail/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=0",
        )
        .send(body.as_bytes());
    let text = match sent.and_then(|mut r| {
        let status = r.status().as_u16();
        r.body_mut().read_to_string().map(|t| (status, t))
    }) {
        Ok((200, t)) => t,
        Ok((status, t)) => {
            eprintln!("bench_floor: HTTP {status}: {t}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("bench_floor: {e}");
            return ExitCode::from(3);
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{} bytes", text.len());
    ExitCode::SUCCESS
}
