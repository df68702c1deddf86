//! Entry points shared by the `fuzz/` cargo-fuzz targets and the stable
//! test that replays their committed corpus: each takes arbitrary bytes,
//! must never panic, and checks the invariants that hold for any input.
//! They are part of the library so both callers exercise the same code.

use crate::aws::apierror::api_error;
use crate::aws::cloudtrail::{events_page_from, timestamp, trail_status_from};
use crate::aws::endpoint::Endpoint;
use crate::aws::http::Response;
use crate::aws::{profile, sts};
use crate::perfdata::{Perfdata, format_number};
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

/// Every reader of outside data: JSON answers, AWS error bodies, STS XML,
/// timestamps, profile files, command lines, endpoint URLs. None may
/// panic, whatever the bytes.
pub fn readers(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = trail_status_from(&v);
        let _ = events_page_from(&v);
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

/// Every reader of the state directory's files: buckets, cached
/// credentials, the events kept between runs, securityevents' seen-file.
/// The plugin only reads files it wrote itself, but a disk, a crash or an
/// older version can still leave anything there: none may panic, and
/// what reads back holds the invariants the callers rely on.
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
            readers(d);
            statefile(d);
        }
        perfdata(&f64::NAN.to_le_bytes());
        // A valid events file whose bytes are then cut and flipped below.
        statefile(EVENTS);
        perfdata(&[&f64::INFINITY.to_le_bytes()[..], b"a'b=c;d"].concat());
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
