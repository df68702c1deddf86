//! Entry points shared by the `fuzz/` cargo-fuzz targets and the stable
//! test that replays their committed corpus: each takes arbitrary bytes,
//! must never panic, and checks the invariants that hold for any input.
//! They are part of the library so both callers exercise the same code.

use crate::aws::apierror::api_error;
use crate::aws::cloudtrail::{events_page_from, timestamp, trail_status_from};
use crate::aws::endpoint::Endpoint;
use crate::aws::http::Response;
use crate::aws::{profile, sts};
use crate::output::{Entry, Format, Outcome, Presentation, budget, present};
use crate::perfdata::{Perfdata, format_number};
use crate::status::State;
use crate::text::breaks_line;
use crate::threshold::Range;

/// Threshold parser: whatever parses displays to a form that parses back
/// to the same range, and evaluating it never panics.
pub fn threshold(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(r) = Range::parse(text) {
        let shown = r.to_string();
        assert_eq!(Range::parse(&shown), Some(r), "{text:?} shown as {shown:?}");
        assert!(r.start <= r.end);
        for v in [r.start, r.end, 0.0, -1.0, 1e9, f64::NAN] {
            let _ = r.alerts(v);
        }
    }
}

/// Perfdata formatter: the first 8 bytes are a value, the rest a label.
/// The value is a plain decimal or `U`, never an exponent, NaN or inf;
/// the label comes back from its quotes unchanged.
pub fn perfdata(data: &[u8]) {
    let (num, rest) = data.split_at(data.len().min(8));
    let mut bits = [0u8; 8];
    for (b, n) in bits.iter_mut().zip(num) {
        *b = *n;
    }
    let value = f64::from_le_bytes(bits);
    let label = String::from_utf8_lossy(rest).into_owned();
    let decimals = rest.first().map(|d| usize::from(*d % 4));
    for d in [None, decimals] {
        let v = format_number(value, d);
        assert!(
            v == "U"
                || v.bytes()
                    .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-'),
            "{value} formatted as {v}"
        );
        let p = Perfdata {
            decimals: d,
            min: Some(value),
            ..Perfdata::new(&label, value)
        };
        let text = p.to_string();
        let quoted = text
            .strip_prefix('\'')
            .and_then(|t| t.rsplit_once("'="))
            .map(|(l, _)| l.replace("''", "'"));
        assert_eq!(quoted.as_deref(), Some(label.as_str()), "{text}");
        assert_eq!(
            text.matches(';').count() - label.matches(';').count(),
            4,
            "{text}"
        );
    }
}

/// The condition language and `math()` over any text: parsed or refused
/// (past [`crate::expr::MAX_DEPTH`] too), evaluated without a panic or
/// a stack overflow.
pub fn conditions(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match crate::expr::Expr::parse(&text) {
        Ok(e) => {
            let _ = e.eval(&|name| Some(name.to_owned()));
            let _ = e.variables();
        }
        Err(m) => assert!(!m.is_empty()),
    }
    if let Ok(a) = crate::output::perfdata_rewrite::math::Arith::parse(&text) {
        for v in [0.0, -1.5, f64::NAN, f64::INFINITY] {
            let _ = a.eval(v);
        }
    }
}

/// Every reader of outside data: JSON answers, AWS error bodies, STS XML,
/// timestamps, profile files, command lines, endpoint URLs. None may
/// panic, whatever the bytes.
pub fn readers(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = events_page_from(data, 50);
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = trail_status_from(&v);
        for k in ["StartLoggingTime", "EventTime"] {
            let _ = timestamp(&v, k);
        }
    }
    let resp = Response {
        status: 400,
        headers: vec![
            ("x-amzn-errortype".into(), text.chars().take(40).collect()),
            ("date".into(), text.chars().take(40).collect()),
        ],
        body: data.to_vec(),
    };
    let _ = api_error("LookupEvents", &resp, 0).to_string();
    let _ = sts::credentials_from_xml("AssumeRole", &text, "fuzz");
    let _ = crate::time::parse_iso8601(&text);
    let _ = crate::time::parse_http_date(&text);
    let _ = profile::parse(&text, profile::FileKind::Config);
    let _ = profile::parse(&text, profile::FileKind::Credentials);
    let _ = crate::process::split(&text);
    let _ = Endpoint::parse(&text);
    let _ = crate::error::one_line(&text);
}

/// An outcome whose every outside text is `text`, `n` times over.
fn outcome_of(text: &str, n: usize) -> Outcome {
    let mut o = Outcome::default();
    for i in 0..n {
        o.entries.push(Entry {
            state: if i % 2 == 0 {
                State::Critical
            } else {
                State::Ok
            },
            text: text.to_owned(),
        });
        o.long.push(text.to_owned());
        o.perfdata.push(Perfdata {
            unit: text.to_owned(),
            ..Perfdata::new(text, 1.0)
        });
    }
    o
}

fn render(o: &Outcome, format: Format) -> String {
    let p = Presentation {
        format,
        long: true,
        budget: Some(budget::MAX),
        mode: "fuzz".into(),
        ..Presentation::default()
    };
    present(o, &p, false).text
}

/// The output stage: arbitrary text as every outside string of an
/// outcome, once and enough times to overrun the budget, in every format.
/// Text: one status line, the long lines after it, nothing that breaks a
/// line, within the budget. JSON parses back to the same shape; XML and
/// OpenMetrics hold only what their grammar allows, with as many markup
/// characters as the same outcome with a harmless text.
pub fn output(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for n in [1, 3, 200] {
        let o = outcome_of(&text, n);
        // Empty stays empty (`<unit/>`), anything else is one plain word.
        let plain = outcome_of(if text.is_empty() { "" } else { "x" }, n);
        let t = render(&o, Format::Text);
        assert!(t.len() <= budget::MAX, "{} bytes", t.len());
        assert!(!t.chars().any(|c| breaks_line(c) && c != '\n'), "{t:?}");
        let first = t.lines().next().unwrap_or_default();
        assert!(first.matches('|').count() <= 1, "{first:?}");
        assert!(t.lines().skip(1).all(|l| !l.contains('|')), "{t:?}");
        if n == 1 {
            assert_eq!(t.lines().count(), 2, "{t:?}");
        }

        let j = render(&o, Format::Json);
        let v: serde_json::Value = serde_json::from_str(&j).unwrap_or_default();
        let outputs = v.pointer("/plugin/outputs").and_then(|o| o.as_array());
        assert_eq!(outputs.map(Vec::len), Some(2 * n), "{j}");
        assert!(!j.chars().any(breaks_line), "{j:?}");

        let x = render(&o, Format::Xml);
        let markup = |s: &str| s.matches(['<', '>', '"']).count();
        assert_eq!(markup(&x), markup(&render(&plain, Format::Xml)), "{x}");
        assert!(
            x.chars()
                .all(|c| c == '\n' || !(breaks_line(c) || matches!(c, '\u{fffe}' | '\u{ffff}'))),
            "{x:?}"
        );

        let m = render(&o, Format::OpenMetrics);
        assert_eq!(
            m.lines().count(),
            render(&plain, Format::OpenMetrics).lines().count(),
            "{m}"
        );
        for line in m.lines().filter(|l| !l.starts_with('#')) {
            openmetrics_labels(line);
        }
    }
}

/// `name{k="v",…} value ts`: every label value closed, escapes only
/// `\\`, `\"` and `\n`.
fn openmetrics_labels(line: &str) {
    let rest = line.split_once('{').map_or("", |(_, r)| r);
    let mut chars = rest.chars();
    loop {
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        assert!(
            !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{line:?}"
        );
        assert_eq!(chars.next(), Some('"'), "{line:?}");
        loop {
            let c = chars.next();
            assert!(c.is_some(), "unclosed label value in {line:?}");
            match c {
                Some('\\') => assert!(matches!(chars.next(), Some('\\' | '"' | 'n')), "{line:?}"),
                Some('"') | None => break,
                Some(c) => assert!(!breaks_line(c), "{line:?}"),
            }
        }
        let after = chars.next();
        if after != Some(',') {
            assert_eq!(after, Some('}'), "after a label value in {line:?}");
            break;
        }
    }
    let tail: String = chars.collect();
    assert_eq!(tail.split(' ').count(), 3, "{line:?}");
}

/// The command lines [`pipeline`] runs an answer through, picked by its
/// first byte: both event modes, with and without patterns and long
/// output.
const PIPELINE_ARGS: [&[&str]; 4] = [
    &["--mode=countevents"],
    &[
        "--mode=countevents",
        "--error-message=(?:a?){20}a{20}|Denied$",
        "--filter-event-name=^(Console|Get)",
        "--event-type=AwsApiCall",
        "--warning-count=1",
        "--verbose",
    ],
    &["--mode=securityevents"],
    &[
        "--mode=securityevents",
        "--verbose",
        "--critical-unauthorized-api-calls=0",
    ],
];

/// A LookupEvents answer through the whole pipeline: read (the page
/// bounds included), evaluated by an event mode, rendered. Whatever the
/// bytes, the output is one status line (plus long output only under
/// `--verbose`), the exit code 0–3, and the run ends within its deadline
/// plus the match of one event.
pub fn pipeline(data: &[u8]) {
    use crate::aws::cloudtrail::MAX_RESULTS;
    use crate::cli::{Command, parse};
    use crate::clock::{Clock, Deadline, SystemClock};
    use crate::config::Mode;
    use crate::env::MapEnv;
    use crate::error::{Error, Limit};
    use crate::json::Answer;
    use crate::modes::{countevents, securityevents};
    use crate::output::{Outcome, present};
    use std::time::{Duration, Instant};

    let (pick, body) = data.split_first().unwrap_or((&0, &[]));
    let extra = PIPELINE_ARGS
        .get(usize::from(*pick) % PIPELINE_ARGS.len())
        .copied()
        .unwrap_or_default();
    let mut argv = vec![
        "check_cloudtrail",
        "--plugin=cloud::aws::cloudtrail::plugin",
        "--region=eu-west-1",
        "--aws-access-key=AK",
        "--aws-secret-key=SK",
    ];
    argv.extend_from_slice(extra);
    let inv = parse(argv, &MapEnv::default(), None);
    assert!(
        matches!(inv.command, Ok(Command::Check(_))),
        "the pipeline's own command line does not parse: {extra:?}"
    );
    let Ok(Command::Check(cfg)) = &inv.command else {
        return;
    };
    let limit = Limit {
        secs: 2,
        option: "--timeout",
    };
    let started = Instant::now();
    let deadline = Deadline::new(
        &SystemClock,
        SystemClock.now() + Duration::from_secs(2),
        limit,
    );
    let answer = Answer {
        bytes: body.to_vec(),
        not_json: "HTTP 200 body is not JSON".into(),
    };
    let evaluated = crate::aws::cloudtrail::events_page_from(body, MAX_RESULTS)
        .map_err(|e| Error::BadResponse {
            op: "LookupEvents",
            detail: answer.detail(e),
        })
        .and_then(|(events, _)| match &cfg.mode {
            Mode::CountEvents(opts) => countevents::evaluate_read(opts, &events, true, &deadline),
            Mode::SecurityEvents { opts, .. } => securityevents::evaluate(
                opts,
                &crate::modes::counted::Tally::of_events(events),
                None,
                &deadline,
            ),
            _ => Ok(Outcome::default()),
        });
    let (outcome, error) = match evaluated {
        Ok(o) => (o, false),
        Err(e) => (Outcome::single(inv.error_state, e.to_string()), true),
    };
    let shown = present(&outcome, &inv.presentation, error);
    assert!(shown.exit_code <= 3, "exit {}", shown.exit_code);
    let first = shown.text.lines().next().unwrap_or_default();
    assert!(
        ["OK: ", "WARNING: ", "CRITICAL: ", "UNKNOWN: "]
            .iter()
            .any(|s| first.starts_with(s)),
        "{first:?}"
    );
    if !inv.verbose {
        assert_eq!(shown.text.matches('\n').count(), 1, "{:?}", shown.text);
    }
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?} for {} bytes",
        started.elapsed(),
        data.len()
    );
}

/// Every reader of the state directory's files: buckets, cached
/// credentials, the events kept between runs, securityevents' seen-file.
/// The plugin only reads files it wrote itself, but a disk, a crash or an
/// older version can still leave anything there: none may panic, and
/// what reads back holds the invariants the callers rely on.
/// What the statefile target decodes log-file states for.
const LOGSTATE_HEADER: crate::run::logstate::Header<'static> = crate::run::logstate::Header {
    bucket: "b",
    folder: "AWSLogs/1/CloudTrail/r/",
    category: "Management",
    filters: "",
    long: false,
    from: 1_700_000_000,
};

pub fn statefile(data: &[u8]) {
    let _ = crate::aws::quota::stored_tat(data);
    for now in [0, 1_700_000_000, i64::MAX, i64::MIN] {
        if let Some(c) = crate::aws::credentials::from_cache_file(data, now) {
            assert!(c.expiration().is_some_and(|e| e > now.saturating_add(300)));
        }
    }
    if let Ok(c) = crate::run::window::decode_events(data) {
        assert!(c.events.len() <= crate::modes::countevents::MAX_CACHED_EVENTS);
        assert!(c.events.iter().all(|e| e.time.is_some()));
    }
    let _ = crate::modes::securityevents::seen_before(crate::statefile::parse(data).as_ref());
    // The log-file source's state: within its caps, and what it holds
    // written again reads back the same.
    use crate::run::logstate;
    let h = LOGSTATE_HEADER;
    if let Ok((kept, resume)) = logstate::decode(data, h) {
        let events: usize = kept.values().map(|t| t.len()).sum();
        assert!(kept.len() <= logstate::MAX_FILES);
        assert!(events <= logstate::MAX_COMPACT + crate::modes::countevents::MAX_CACHED_EVENTS);
        let mut again = Vec::new();
        let files: Vec<(&str, &crate::modes::counted::Tally)> =
            kept.iter().map(|(k, t)| (k.as_str(), t)).collect();
        if logstate::encode(&mut again, h, files.iter().copied(), resume).is_ok() {
            assert_eq!(
                logstate::decode(again.as_slice(), h).ok(),
                Some((kept, resume))
            );
        }
    }
}

/// logintegrity's readers of outside data: a digest file, a
/// ListPublicKeys answer, a key's DER, and a walk over a bucket whose
/// every digest is `data`. None may panic; a key read from DER is a part
/// of it; a walk over one listed key checks that key at most once.
pub fn digests(data: &[u8]) {
    use crate::modes::logintegrity::digest::{self, Digest, LogFile, PublicKey};
    use crate::modes::logintegrity::walk::{self, Chain, Fetch, LogRead, Object, Store, Window};
    if let Ok(fields) = digest::parse_object(data)
        && let Ok(d) = Digest::from_object(&fields)
    {
        assert!(digest::string_to_sign(&d, data).matches('\n').count() >= 3);
    }
    let keys = digest::public_keys_from(data)
        .map(|(k, _)| k)
        .unwrap_or_default();
    if let Ok(inner) = digest::rsa_public_key(data) {
        assert!(inner.len() <= data.len() && data.ends_with(inner) || inner == data);
    }
    struct Same<'a>(&'a [u8], Vec<PublicKey>);
    impl Store for Same<'_> {
        fn digest(&mut self, _: &str, _: &str) -> Fetch {
            Fetch::Found(Object {
                bytes: self.0.to_vec(),
                signature: Some(hex::encode(self.0.get(..32).unwrap_or_default())),
                signature_algorithm: Some("SHA256withRSA".into()),
                backfill_generation: Some("2026-01-01T03:00:00Z".into()),
            })
        }
        fn public_keys(&mut self, _: i64, _: i64) -> Result<Vec<PublicKey>, String> {
            Ok(self.1.clone())
        }
        fn logs(&mut self, files: &[LogFile], _: bool) -> Vec<LogRead> {
            files.iter().map(|_| LogRead::Present).collect()
        }
    }
    let chain = Chain {
        bucket: "b".into(),
        key_prefix: String::new(),
        organization_id: None,
        account_id: "1".into(),
        source_region: "r".into(),
        trail_name: "t".into(),
        home_region: "r".into(),
    };
    let key = "AWSLogs/1/CloudTrail-Digest/r/2026/01/01/1_CloudTrail-Digest_r_t_r_20260101T010000Z.json.gz";
    let w = Window {
        start: 1_767_225_600,
        end: 1_767_240_000,
    };
    if let Ok(r) = walk::walk(
        &mut Same(data, keys),
        &chain,
        &[key.to_owned()],
        w,
        Some(true),
    ) {
        assert!(r.digests.len() <= 1);
    }
}

/// The header [`listings`] reads a state file for.
const KEPT_HEADER: crate::run::integrity::kept::Header<'static> =
    crate::run::integrity::kept::Header {
        delta: 86_400,
        verify: "hash",
    };

/// The S3 answers and the files logintegrity reads: a ListObjectsV2 page,
/// a GetBucketLocation answer, an S3 error body (each status the client
/// tells apart), the state kept between runs, and a gzip stream (every
/// member, and the first alone) under small caps. None may panic; a page
/// has no more objects or prefixes than its text names, and a token only
/// when truncated; a region is a host name label; a decoded state is no
/// larger than its bytes and round-trips through `encode`; an inflated
/// stream is within its cap, hashed as handed over, the same however the
/// bytes arrive, and its first member a prefix of all of them.
pub fn listings(data: &[u8]) {
    use crate::aws::s3;
    use crate::error::Error;
    use crate::run::integrity::kept;

    let text = String::from_utf8_lossy(data);
    if let Ok(p) = s3::list_page(&text) {
        assert!(p.objects.len() <= text.matches("Contents").count());
        assert!(p.prefixes.len() <= text.matches("CommonPrefixes").count());
        assert!(p.next.as_ref().is_none_or(|t| !t.is_empty()));
    }
    // bucketposture's reads of the bucket's configuration: no panic, and
    // no more rules than the text names.
    if let Ok(rules) = crate::aws::s3config::lifecycle(&text) {
        assert!(rules.len() <= text.matches("Rule").count());
    }
    let _ = crate::aws::s3config::versioning(&text);
    let _ = crate::aws::s3config::object_lock(&text);
    let _ = crate::aws::s3config::public_access_block(&text);
    if let Ok(r) = s3::location_region(&text) {
        assert!((1..=64).contains(&r.len()), "{r:?}");
        assert!(
            r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{r:?}"
        );
    }
    // A status only matters without a body (a HEAD's answer).
    let answers: &[(u16, &'static str)] = if data.is_empty() {
        &[
            (301, "HeadObject"),
            (403, "HeadObject"),
            (404, "HeadObject"),
            (500, "HeadObject"),
        ]
    } else {
        &[(403, "GetBucketLocation"), (400, "ListObjectsV2")]
    };
    for &(status, op) in answers {
        let resp = Response {
            status,
            headers: vec![("date".into(), text.chars().take(40).collect())],
            body: data.to_vec(),
        };
        let e = s3::error_of(op, &resp, 1_767_225_600);
        assert!(
            matches!(&e, Error::Api { .. } | Error::Http { .. }),
            "{op} {status}: {e:?}"
        );
        if let Error::Api {
            code,
            message,
            hint,
            ..
        } = &e
        {
            assert!(!code.is_empty());
            assert!(message.chars().count() <= crate::error::MAX_KEPT + 1);
            if code == "AccessDenied" {
                assert!(hint.as_ref().is_some_and(|h| h.contains("s3:")), "{e:?}");
            }
        }
        if let Error::Http { status: s, .. } = &e {
            assert_eq!(*s, status);
        }
        let _ = e.to_string();
    }

    if let Ok(k) = kept::decode(data, KEPT_HEADER) {
        let built = k.regions.len()
            + k.digests
                .values()
                .map(|d| 1 + d.digest.log_files.len())
                .sum::<usize>()
            + k.logs.len();
        assert!(
            built <= data.len(),
            "{built} items from {} bytes",
            data.len()
        );
        let mut again = Vec::new();
        assert!(kept::encode(&mut again, KEPT_HEADER, &k).is_ok());
        assert_eq!(kept::decode(again.as_slice(), KEPT_HEADER).as_ref(), Ok(&k));
        let mut pruned = k;
        pruned.prune(i64::MIN, i64::MAX);
        pruned.prune(i64::MAX, i64::MIN);
    }

    for cap in [100, 70_000] {
        inflations(data, cap);
    }
}

/// [`listings`]' gzip part: `data` inflated whole and first member alone,
/// from one slice and one byte at a time: the same outcome either way.
fn inflations(data: &[u8], cap: u64) {
    use crate::gzip::{InflateError, Inflated, inflate, inflate_first};
    use std::io::Read;

    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((b, rest)), Some(out)) => {
                    *out = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }
    // What came out, checked against what was handed over.
    let checked = |out: &[u8], r: &Result<Inflated, InflateError>| {
        if let Ok(done) = r {
            assert_eq!(done.size, out.len() as u64);
            let sha = ring::digest::digest(&ring::digest::SHA256, out);
            assert_eq!(done.sha256.as_slice(), sha.as_ref());
        }
        assert!(
            out.len() as u64 <= cap,
            "{} bytes past a cap of {cap}",
            out.len()
        );
        // A slice never fails, the sink never refuses.
        assert!(
            matches!(
                r,
                Ok(_) | Err(InflateError::Corrupt(_) | InflateError::TooLarge(_))
            ),
            "{r:?}"
        );
        if let Err(InflateError::TooLarge(c)) = r {
            assert_eq!(*c, cap);
        }
    };
    // Only whether it failed: a member both too large and corrupt is
    // either, as the decoder meets one or the other first (flate2 drops
    // what a read inflated when the same read meets bad data).
    let kind = |r: &Result<Inflated, InflateError>| r.as_ref().ok().cloned();
    let mut results = Vec::new();
    for trickle in [false, true] {
        let mut all = Vec::new();
        let mut sink = |c: &[u8]| {
            all.extend_from_slice(c);
            Ok(())
        };
        let whole = if trickle {
            inflate(Trickle(data), cap, &mut sink)
        } else {
            inflate(data, cap, &mut sink)
        };
        checked(&all, &whole);
        let mut first = Vec::new();
        let mut sink = |c: &[u8]| {
            first.extend_from_slice(c);
            Ok(())
        };
        let one = if trickle {
            inflate_first(Trickle(data), cap, &mut sink)
        } else {
            inflate_first(data, cap, &mut sink)
        };
        let (one, trailing) = match one {
            Ok((d, t)) => (Ok(d), Some(t)),
            Err(e) => (Err(e), None),
        };
        checked(&first, &one);
        if whole.is_ok() {
            assert!(one.is_ok() && all.starts_with(&first));
        }
        if trailing == Some(false) {
            assert_eq!(kind(&whole), kind(&one));
        }
        results.push((kind(&whole), kind(&one), trailing));
    }
    assert_eq!(results.first(), results.last(), "{data:?}");
}

/// The S3 client as a mode's backend will build it, for the loopback and
/// moto tests (no mode reads S3 yet, and no test may reach `aws::http`
/// another way): static keys, `endpoint` as `--s3-endpoint-url` (path
/// style) or the public endpoint when `None`, first signing `region`, a
/// 20 s deadline, 3 attempts, no pacing. Returns what `f` returned and the
/// `--debug` lines.
#[doc(hidden)]
pub fn with_s3<R>(
    endpoint: Option<&str>,
    region: &str,
    keys: (&str, &str, Option<&str>),
    f: impl FnOnce(&crate::aws::s3::Client<'_>, &mut crate::trace::Trace) -> R,
) -> Result<(R, Vec<String>), String> {
    use crate::aws::{caller, credentials::Credentials, http, quota, s3};
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let net = http::Client::new(
        &http::Options {
            proxy: http::ProxySetting::Direct,
            user_agent: "check_cloudtrail-test".into(),
            ..http::Options::default()
        },
        deadline,
    )
    .map_err(|e| e.to_string())?;
    let pacer = quota::LocalPacer::new(quota::Rates::all(0.0));
    let caller = caller::Caller {
        http: &net,
        clock: &crate::clock::SystemClock,
        limit: crate::error::Limit {
            secs: 20,
            option: "--timeout",
        },
        max_attempts: 3,
        throttle: &pacer,
    };
    let creds = Credentials::new(keys.0, keys.1, keys.2);
    let env = crate::env::MapEnv::new(&[]);
    let addressing = s3::Addressing::resolve(region, false, endpoint, &env)?;
    let client = s3::Client::new(&caller, &creds, &addressing, region);
    let mut trace = crate::trace::Trace::new(true);
    let r = f(&client, &mut trace);
    Ok((r, trace.lines))
}

/// A trail's log file (`--source=s3`): the bytes as a gzip file, and as
/// the JSON of one (gzipped here). Never a panic; every record handed
/// over is counted; a file that reads is a `Records` list of that many.
pub fn logfiles(data: &[u8]) {
    use crate::aws::logfile;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    let mut seen = 0usize;
    if let Ok(n) = logfile::read(data, &mut |_| {
        seen += 1;
        Ok(())
    }) {
        assert_eq!(n, seen);
    }
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    if gz.write_all(data).is_err() {
        return;
    }
    let Ok(file) = gz.finish() else { return };
    let mut got = Vec::new();
    let read = logfile::read(file.as_slice(), &mut |event| {
        got.push(event.clone());
        Ok(())
    });
    if let Ok(n) = read {
        assert_eq!(n, got.len());
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
            // A `Value` keeps the last of a key given twice; the reader
            // reads every `Records` list: the last one's events end it.
            let listed = v.get("Records").and_then(serde_json::Value::as_array);
            let listed = listed.map_or(&[][..], Vec::as_slice);
            let last = got
                .get(n.saturating_sub(listed.len())..)
                .unwrap_or_default();
            assert_eq!(last.len(), listed.len(), "{v}");
            // Each event is the one the Value-based derivation makes of
            // its record.
            for (record, event) in listed.iter().zip(last) {
                assert_eq!(
                    crate::aws::cloudtrail::Event::from_record(record).as_ref(),
                    Ok(event)
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_points_take_edge_inputs() {
        for d in [
            &b""[..],
            b"\0",
            b"@~:",
            b"10:5",
            b"\xff\xfe",
            b"{\"Events\":[{}]}",
            b"<Code>x",
        ] {
            threshold(d);
            perfdata(d);
            conditions(d);
            readers(d);
            output(d);
            pipeline(d);
            statefile(d);
            listings(d);
        }
        perfdata(&f64::NAN.to_le_bytes());
        // A valid events file whose bytes are then cut and flipped below.
        statefile(EVENTS);
        perfdata(&[&f64::INFINITY.to_le_bytes()[..], b"a'b=c;d"].concat());
    }

    /// A small logintegrity state: one region, one digest listing two
    /// log files, both kept as verified.
    fn kept_sample() -> crate::run::integrity::kept::Kept {
        use crate::modes::logintegrity::digest::{Digest, LogFile};
        use crate::run::integrity::kept::{Kept, KeptDigest, KeptLog, Stamp};
        let (bucket, end) = ("trail-bucket", 1_767_322_800);
        let key = "AWSLogs/123456789012/CloudTrail-Digest/eu-west-1/2026/01/02/123456789012_CloudTrail-Digest_eu-west-1_main_eu-west-1_20260102T030000Z.json.gz";
        let log_files: Vec<LogFile> = (0..2)
            .map(|i| LogFile {
                bucket: bucket.into(),
                key: format!("AWSLogs/123456789012/CloudTrail/eu-west-1/2026/01/02/{i}.json.gz"),
                hash: format!("{i:064x}"),
            })
            .collect();
        let mut k = Kept::default();
        k.regions.insert("eu-west-1".into(), end);
        for f in &log_files {
            k.logs.insert(
                (f.bucket.clone(), f.key.clone()),
                KeptLog {
                    stamp: Stamp::new("\"9b2cf535f27731c974343645a3985328\"", end - 60),
                    hash: f.hash.clone(),
                },
            );
        }
        k.digests.insert(
            (bucket.into(), key.into()),
            KeptDigest {
                stamp: Stamp::new("d41d8cd98f00b204e9800998ecf8427e", end + 300),
                digest: Digest {
                    start: end - 3600,
                    end,
                    end_time: crate::time::iso8601(end),
                    bucket: bucket.into(),
                    object: key.into(),
                    fingerprint: "6a4e1a0b7e5c9f2d1c3b4a5968778695".into(),
                    previous: Some((bucket.into(), key.replace("T030000Z", "T020000Z"))),
                    previous_signature: None,
                    log_files,
                },
            },
        );
        k
    }

    /// The corpus' state file is what `encode` writes today: a change of
    /// format shows here, not as a seed that silently stopped decoding
    /// (`WRITE_SEED=1 cargo test the_state_seed` writes it anew).
    #[test]
    fn the_state_seed_is_what_encode_writes() {
        use crate::run::integrity::kept;
        let mut written = Vec::new();
        kept::encode(&mut written, KEPT_HEADER, &kept_sample()).unwrap();
        let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/listings/state");
        if std::env::var_os("WRITE_SEED").is_some() {
            std::fs::write(seed, &written).unwrap();
        }
        assert_eq!(
            String::from_utf8_lossy(&std::fs::read(seed).unwrap()),
            String::from_utf8_lossy(&written)
        );
        assert_eq!(
            kept::decode(written.as_slice(), KEPT_HEADER),
            Ok(kept_sample())
        );
        listings(&written);
    }

    /// The log-file source's state in the statefile corpus is what
    /// `logstate::encode` writes today (`WRITE_SEED=1` writes it anew).
    #[test]
    fn the_log_file_state_seed_is_what_encode_writes() {
        use crate::aws::cloudtrail::Event;
        use crate::modes::counted::{Counted, Tally, uuid};
        use crate::run::logstate;
        let id = "3038ebd2-c98a-4c65-9b6e-e22506292313";
        let one = Tally {
            full: vec![Event {
                event_id: "not-a-uuid".into(),
                time: Some(1_700_000_200),
                event_name: Some("GetObject".into()),
                ..Event::default()
            }],
            compact: vec![Counted {
                id: uuid(id).unwrap(),
                time: 1_700_000_100,
                tags: 1,
            }],
        };
        let mut written = Vec::new();
        let files = [("AWSLogs/1/CloudTrail/r/2023/11/14/k.json.gz", &one)];
        logstate::encode(
            &mut written,
            LOGSTATE_HEADER,
            files.iter().copied(),
            Some(1_700_000_000),
        )
        .unwrap();
        let seed = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fuzz/corpus/statefile/logstate"
        );
        if std::env::var_os("WRITE_SEED").is_some() {
            std::fs::write(seed, &written).unwrap();
        }
        assert_eq!(
            String::from_utf8_lossy(&std::fs::read(seed).unwrap()),
            String::from_utf8_lossy(&written)
        );
        let (kept, resume) = logstate::decode(written.as_slice(), LOGSTATE_HEADER).unwrap();
        assert_eq!((kept.len(), resume), (1, Some(1_700_000_000)));
        statefile(&written);
    }

    const EVENTS: &[u8] = b"{\"version\":1,\"format\":4,\"delta\":3600,\"end\":100,\"count\":1}\n[\"a\",50,null,null,\"CreateVpc\",null,null,[[null,\"r\"]]]\n";

    proptest::proptest! {
        #[test]
        fn state_file_readers_take_any_bytes(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            statefile(&data);
        }

        #[test]
        fn state_file_readers_take_damaged_files(cut in 0..EVENTS.len(), at in 0..EVENTS.len(), byte in proptest::prelude::any::<u8>()) {
            let mut d = EVENTS.to_vec();
            if let Some(b) = d.get_mut(at) {
                *b = byte;
            }
            d.truncate(cut);
            statefile(&d);
        }
    }
}
