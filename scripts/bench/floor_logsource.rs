//! The logsource benchmark's floor (`scripts/bench.sh`,
//! `BENCH_ONLY=logsource`): the log files `countevents --source=s3` reads
//! over the window, each fetched with one ureq agent, inflated (flate2,
//! miniz_oxide, as check_cloudtrail does) and parsed as it streams
//! (serde_json over the inflating reader, through serde_core's visitor
//! traits as src/json.rs does): for every record, `eventTime` and
//! `eventID` are read and everything else is skipped, and the record
//! counts when its time is in the window. No listing, no signing, no
//! filters, no state: what any static Rust program pays to get the same
//! events out of the same files with the same crates. One file at a
//! time, one thread: its CPU time is the floor of the work.
//!
//!   bench_floor_logsource BASE_URL PLAN_FILE START END
//!
//! PLAN_FILE: one `GET PATH` a line (the stub's `/_plan`); START and END:
//! the window as `YYYY-MM-DDTHH:MM:SSZ` (compared as text, which for
//! this fixed format is comparing times). Prints `N events in the window,
//! M records, B bytes inflated, F files`.

use std::fmt;
use std::io::{BufReader, Read, Write};
use std::process::ExitCode;

use flate2::read::MultiGzDecoder;
use serde_core::de::{
    self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};

struct Counts {
    start: String,
    end: String,
    records: u64,
    in_window: u64,
}

/// A reader counting the bytes read through it (the inflated size).
struct Counting<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n += n as u64;
        Ok(n)
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, plan, start, end] = args.as_slice() else {
        eprintln!("usage: bench_floor_logsource BASE_URL PLAN_FILE START END");
        return ExitCode::from(3);
    };
    let plan = match std::fs::read_to_string(plan) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("bench_floor_logsource: {plan}: {e}");
            return ExitCode::from(3);
        }
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .into();
    let mut counts = Counts {
        start: start.clone(),
        end: end.clone(),
        records: 0,
        in_window: 0,
    };
    let (mut files, mut inflated) = (0u64, 0u64);
    for line in plan.lines().filter(|l| !l.is_empty()) {
        let Some(path) = line.strip_prefix("GET ") else {
            eprintln!("bench_floor_logsource: bad plan line: {line}");
            return ExitCode::from(3);
        };
        let mut resp = match agent
            .get(format!("{base}{path}"))
            .header("X-Amz-Date", "20260101T000000Z")
            .header(
                "X-Amz-Content-SHA256",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            )
            .header(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDFLOOR/20260101/eu-west-1/s3/aws4_request, \
                 SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0",
            )
            .call()
        {
            Ok(r) if r.status().as_u16() == 200 => r,
            Ok(r) => {
                eprintln!("bench_floor_logsource: HTTP {} for {path}", r.status());
                return ExitCode::from(2);
            }
            Err(e) => {
                eprintln!("bench_floor_logsource: GET {path}: {e}");
                return ExitCode::from(3);
            }
        };
        let body = resp.body_mut().with_config().limit(u64::MAX).reader();
        let mut reader = Counting {
            inner: MultiGzDecoder::new(BufReader::with_capacity(64 << 10, body)),
            n: 0,
        };
        let parsed = {
            let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(
                64 << 10,
                &mut reader,
            ));
            de.deserialize_map(FileVisitor(&mut counts))
                .and_then(|()| de.end())
        };
        if let Err(e) = parsed {
            eprintln!("bench_floor_logsource: {path}: {e}");
            return ExitCode::from(2);
        }
        files += 1;
        inflated += reader.n;
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{} events in the window, {} records, {inflated} bytes inflated, {files} files",
        counts.in_window, counts.records
    );
    ExitCode::SUCCESS
}

/// `{"Records": [...], ...}`: the records counted, anything else skipped.
struct FileVisitor<'a>(&'a mut Counts);

impl<'de> Visitor<'de> for FileVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a CloudTrail log file")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if key == Key::Records {
                map.next_value_seed(RecordsSeed(&mut *self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct RecordsSeed<'a>(&'a mut Counts);

impl<'de> DeserializeSeed<'de> for RecordsSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RecordsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(RecordSeed(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

struct RecordSeed<'a>(&'a mut Counts);

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (mut time, mut id) = (None::<String>, None::<String>);
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key {
                Key::EventTime => time = Some(map.next_value_seed(StringSeed)?),
                Key::EventId => id = Some(map.next_value_seed(StringSeed)?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let c = self.0;
        c.records += 1;
        if id.is_some()
            && time
                .as_deref()
                .is_some_and(|t| t >= c.start.as_str() && t <= c.end.as_str())
        {
            c.in_window += 1;
        }
        Ok(())
    }
}

#[derive(PartialEq, Eq)]
enum Key {
    Records,
    EventTime,
    EventId,
    Other,
}

/// A key compared where it lies in the parser's buffer: no allocation.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
        Ok(match s {
            "Records" => Key::Records,
            "eventTime" => Key::EventTime,
            "eventID" => Key::EventId,
            _ => Key::Other,
        })
    }
}

struct StringSeed;

impl<'de> DeserializeSeed<'de> for StringSeed {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for StringSeed {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<String, E> {
        Ok(s.to_owned())
    }
}
