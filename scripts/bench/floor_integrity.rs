//! The logintegrity benchmark's floor (`scripts/bench.sh`,
//! `BENCH_ONLY=logintegrity`): the requests `check_cloudtrail
//! --mode=logintegrity` makes over the window (every listing, every
//! digest GET, every log file GET, ListPublicKeys), issued one
//! after the other with one ureq agent, each body read to the end and
//! dropped. No signing, no XML, no inflating, no hashing, no RSA: what any
//! static Rust program pays here to move the same bytes with the same HTTP
//! stack. The plan (one request a line) comes from the stub's `/_plan`
//! (`scripts/bench/s3stub.py`); built as a Cargo example so it gets
//! check_cloudtrail's ureq, profile and static musl target.
//!
//!   bench_floor_integrity BASE_URL PLAN_FILE
//!
//! Plan lines: `GET PATH`, `HEAD PATH`, `POST PATH REGION TARGET BODY`.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, plan] = args.as_slice() else {
        eprintln!("usage: bench_floor_integrity BASE_URL PLAN_FILE");
        return ExitCode::from(3);
    };
    let plan = match std::fs::read_to_string(plan) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("bench_floor_integrity: {plan}: {e}");
            return ExitCode::from(3);
        }
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .into();
    let (mut requests, mut bytes) = (0u64, 0u64);
    for line in plan.lines().filter(|l| !l.is_empty()) {
        let mut f = line.splitn(5, ' ');
        let (method, path) = (f.next().unwrap_or(""), f.next().unwrap_or(""));
        let url = format!("{base}{path}");
        // Fixed headers shaped like a signed call, so the server does the
        // same work as for the plugin; nothing is computed.
        let sent = match method {
            "GET" => s3(agent.get(&url)).call(),
            "HEAD" => s3(agent.head(&url)).call(),
            "POST" => {
                let (region, target) = (f.next().unwrap_or(""), f.next().unwrap_or(""));
                agent
                    .post(&url)
                    .header("Content-Type", "application/x-amz-json-1.1")
                    .header(
                        "X-Amz-Target",
                        format!("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.{target}"),
                    )
                    .header("X-Amz-Date", "20260101T000000Z")
                    .header(
                        "Authorization",
                        format!(
                            "AWS4-HMAC-SHA256 Credential=AKIDFLOOR/20260101/{region}/cloudtrail/\
                             aws4_request, SignedHeaders=host;x-amz-date, Signature=0"
                        ),
                    )
                    .send(f.next().unwrap_or("{}").as_bytes())
            }
            _ => {
                eprintln!("bench_floor_integrity: bad plan line: {line}");
                return ExitCode::from(3);
            }
        };
        let read = sent.and_then(|mut r| {
            let status = r.status().as_u16();
            let n = std::io::copy(&mut r.body_mut().as_reader(), &mut std::io::sink())?;
            Ok((status, n))
        });
        match read {
            Ok((200, n)) => {
                requests += 1;
                bytes += n;
            }
            Ok((status, _)) => {
                eprintln!("bench_floor_integrity: HTTP {status} for {method} {path}");
                return ExitCode::from(2);
            }
            Err(e) => {
                eprintln!("bench_floor_integrity: {method} {path}: {e}");
                return ExitCode::from(3);
            }
        }
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{requests} requests, {bytes} bytes");
    ExitCode::SUCCESS
}

/// An S3 request's fixed headers.
fn s3<B>(r: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
    r.header("X-Amz-Date", "20260101T000000Z")
        .header(
            "X-Amz-Content-SHA256",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        )
        .header(
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDFLOOR/20260101/eu-west-1/s3/aws4_request, \
             SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0",
        )
}
