//! A trail's log file as CloudTrail writes it to S3: gzip of
//! `{"Records":[…]}`, inflated into memory (up to [`IN_MEMORY`], past it
//! parsed as it inflates) and parsed one record at a time: only the
//! fields an [`Event`] holds are read, straight from the text (borrowed
//! where they have no escapes), everything else skipped unbuilt. Memory
//! follows the buffer and the largest record's fields, never the file.
//!
//! A record carries more than LookupEvents shows, but not the fields
//! LookupEvents derives on its side: [`Event::from_record`] derives them
//! as LookupEvents does where the record holds the data (README, "Field
//! derivation"); the reader derives the same from the fields it reads
//! (the tests and the fuzz target compare the two).

use std::fmt;
use std::io::{self, BufReader, Read};

use flate2::bufread::MultiGzDecoder;
use serde_core::de::{
    self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Value;

use super::cloudtrail::{Event, EventCategory, timestamp};
use crate::json::{Budget, ReadError};

mod record;

use record::{Key, KeySeed, RecordField, Seed};

/// The most uncompressed bytes one log file may inflate to: CloudTrail
/// delivers a file every ~5 minutes per region and splits larger ones, so
/// real files are megabytes; past this it is a gzip bomb.
pub const MAX_INFLATED: u64 = 1 << 30;

/// Why a log file could not be read.
#[derive(Debug)]
pub enum LogFileError {
    /// The download itself failed (network, deadline): the source's own
    /// error, for its reader to describe.
    Source(io::Error),
    /// Not gzip, not `{"Records":[…]}`, a record without an id or a time,
    /// or too large: the file's problem.
    Malformed(String),
}

/// Keeps the first error of the reader it wraps apart (so a network
/// failure is not taken for corrupt data when a decoder passes it on),
/// and refuses more than `left` bytes.
struct Watch<R> {
    inner: R,
    left: u64,
    failed: Option<io::Error>,
    over: bool,
}

impl<R: Read> Watch<R> {
    fn new(inner: R, left: u64) -> Self {
        Watch {
            inner,
            left,
            failed: None,
            over: false,
        }
    }
}

impl<R: Read> Read for Watch<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf).map_err(|e| {
            let text = e.to_string();
            self.failed.get_or_insert(e);
            io::Error::other(text)
        })?;
        match self.left.checked_sub(n as u64) {
            Some(left) => {
                self.left = left;
                Ok(n)
            }
            None => {
                self.over = true;
                Err(io::Error::other("too large"))
            }
        }
    }
}

/// Buffered reads of the compressed body, and of the inflated JSON when
/// a file is too large to hold ([`IN_MEMORY`]): serde_json's reader asks
/// a byte at a time.
const STEP: usize = 64 * 1024;

/// The most inflated bytes of one file parsed from memory. serde_json
/// parses a slice several times faster than a reader (no per-byte call,
/// strings borrowed in place), and a log file holds ~5 minutes of one
/// region: real ones inflate to a few MB, so nearly every file fits. The
/// source reads 8 files at once (its pool's workers): at most
/// 64 MiB of buffers, and only for files that large (what is not written
/// is never resident). A larger file is parsed from this buffer and then
/// the rest of the stream, so memory stays bounded and the file is read.
const IN_MEMORY: usize = 8 << 20;

/// Reads the log file `input` (gzip, every member), each record's event
/// handed to `each` as the record is parsed; the number of records.
pub fn read(
    input: impl Read,
    each: &mut dyn FnMut(&Event) -> Result<(), String>,
) -> Result<usize, LogFileError> {
    read_within(input, MAX_INFLATED, IN_MEMORY, each)
}

fn read_within(
    input: impl Read,
    max_inflated: u64,
    in_memory: usize,
    each: &mut dyn FnMut(&Event) -> Result<(), String>,
) -> Result<usize, LogFileError> {
    let mut source = Watch::new(input, u64::MAX);
    let mut inflated = Watch::new(
        MultiGzDecoder::new(BufReader::with_capacity(STEP, &mut source)),
        max_inflated,
    );
    let mut count = 0usize;
    // Reserved whole: growing by doubling would copy, and could reach
    // twice the bound; pages never written are never resident.
    let mut buf = Vec::with_capacity(in_memory.saturating_add(1));
    let filled = (&mut inflated)
        .take((in_memory as u64).saturating_add(1))
        .read_to_end(&mut buf);
    let read = match filled {
        Err(e) => Err(Failure::Inflate(e)),
        Ok(n) if n <= in_memory => {
            parse(serde_json::Deserializer::from_slice(&buf), &mut count, each)
                .map_err(Failure::Parse)
        }
        Ok(_) => {
            let rest = BufReader::with_capacity(STEP, &mut inflated);
            let stream = io::Cursor::new(&buf[..]).chain(rest);
            parse(
                serde_json::Deserializer::from_reader(stream),
                &mut count,
                each,
            )
            .map_err(Failure::Parse)
        }
    };
    let over = inflated.over;
    let failed = source.failed.take();
    let gzip = |e: &dyn std::fmt::Display| {
        LogFileError::Malformed(format!("not a valid gzip stream ({e})"))
    };
    match read {
        Ok(()) => Ok(count),
        Err(_) if failed.is_some() => Err(LogFileError::Source(
            failed.unwrap_or_else(|| io::Error::other("the download failed")),
        )),
        Err(_) if over => Err(LogFileError::Malformed(format!(
            "uncompressed content larger than {}",
            crate::env::size(max_inflated)
        ))),
        Err(Failure::Inflate(e)) => Err(gzip(&e)),
        Err(Failure::Parse(ReadError::Shape(why))) => Err(LogFileError::Malformed(why)),
        Err(Failure::Parse(ReadError::NotJson(e))) if e.is_io() => Err(gzip(&e)),
        Err(Failure::Parse(ReadError::NotJson(e))) => {
            Err(LogFileError::Malformed(format!("not JSON ({e})")))
        }
    }
}

/// Why a read stopped, before the download's and the size's own errors
/// are told apart.
enum Failure {
    Inflate(io::Error),
    Parse(ReadError),
}

const NO_RECORDS: &str = "not a log file: no Records list";

/// Parses `{"Records": [...], ...}` from `de`, each record's event handed
/// to `each` as it is read; `count` the records handed.
fn parse<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
    count: &mut usize,
    each: &mut dyn FnMut(&Event) -> Result<(), String>,
) -> Result<(), ReadError> {
    let budget = Budget::new();
    // One event for every record of the file, rewritten by each.
    let mut event = Event::default();
    let file = FileVisitor(RecordsSeed {
        budget: &budget,
        count,
        event: &mut event,
        each,
    });
    let read = de.deserialize_map(file).and_then(|found| {
        de.end()?;
        Ok(found)
    });
    match read {
        Ok(true) => Ok(()),
        Ok(false) => Err(ReadError::Shape(NO_RECORDS.into())),
        Err(e) => Err(budget.error(e, NO_RECORDS)),
    }
}

/// The top level: its `Records` read, anything else skipped; whether
/// there was a `Records` list.
struct FileVisitor<'a, 'b>(RecordsSeed<'a, 'b>);

impl<'de> Visitor<'de> for FileVisitor<'_, '_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<bool, A::Error> {
        let mut found = false;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if key == Key::Records {
                map.next_value_seed(self.0.again())?;
                found = true;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

struct RecordsSeed<'a, 'b> {
    budget: &'a Budget,
    count: &'a mut usize,
    event: &'a mut Event,
    each: &'b mut dyn FnMut(&Event) -> Result<(), String>,
}

impl<'de> DeserializeSeed<'de> for RecordsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl RecordsSeed<'_, '_> {
    /// The same seed again, for a `Records` key (a file with two
    /// `Records` lists counts the records of both).
    fn again(&mut self) -> RecordsSeed<'_, '_> {
        RecordsSeed {
            budget: self.budget,
            count: &mut *self.count,
            event: &mut *self.event,
            each: &mut *self.each,
        }
    }

    fn not_a_list<E: de::Error>(&self) -> E {
        self.budget.fail("Records is not a list".into())
    }
}

impl<'de> Visitor<'de> for RecordsSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Records as a list")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            // Each record is one budget: the one before was dropped.
            self.budget.refill();
            let field = RecordField(self.budget, &mut self.event.resources);
            let Some(record) = seq.next_element_seed(Seed(field))? else {
                return Ok(());
            };
            *self.count += 1;
            let n = *self.count;
            record
                .ok_or_else(|| "not a JSON object".to_owned())
                .and_then(|f| f.fill(self.event))
                .map_err(|why| self.budget.fail(format!("record #{n}: {why}")))?;
            (self.each)(self.event).map_err(|why| self.budget.fail(why))?;
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(self.not_a_list())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(self.not_a_list())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(self.not_a_list())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(self.not_a_list())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(self.not_a_list())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(self.not_a_list())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(self.not_a_list())
    }
}

/// The user name LookupEvents shows for a record's `userIdentity`: an
/// IAM user's `userName`, `root` for the root user, the session name of
/// an assumed role or federated user (the last part of its ARN), else
/// the identity's `userName` when it has one (AWS services, accounts and
/// Identity Center users often have none).
fn username(identity: &Value) -> Option<String> {
    let text = |k: &str| identity.get(k).and_then(Value::as_str);
    let last_part = || text("arn").and_then(|a| a.rsplit('/').next());
    match text("type") {
        Some("Root") => Some("root"),
        Some("AssumedRole" | "FederatedUser") => last_part().or_else(|| text("userName")),
        _ => text("userName"),
    }
    .filter(|u| !u.is_empty())
    .map(str::to_owned)
}

impl Event {
    /// An event from a log file's record, the fields LookupEvents adds
    /// (`Username`, `Resources`, `ReadOnly`, `AccessKeyId`) derived from
    /// the record as LookupEvents does where the record holds the data.
    /// A record must have an `eventID` and an `eventTime`; any other field
    /// missing or oddly typed is only absent.
    pub fn from_record(r: &Value) -> Result<Event, String> {
        if !r.is_object() {
            return Err("not a JSON object".into());
        }
        let text = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_owned);
        let nested = |outer: &str, k: &str| {
            r.get(outer)
                .and_then(|o| o.get(k))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let identity = |k: &str| nested("userIdentity", k);
        let event_id = text("eventID").ok_or("no eventID")?;
        let time = timestamp(r, "eventTime")?.ok_or("no eventTime")?;
        // `resources[]` as `{type, ARN}`: LookupEvents shows the same pairs,
        // and for many management events more, derived from the request
        // (a bucket's name): the record does not hold those.
        let resources = r
            .get("resources")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|x| {
                        let field = |k: &str| x.get(k).and_then(Value::as_str).map(str::to_owned);
                        (field("type"), field("ARN"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let read_only = match r.get("readOnly") {
            Some(Value::Bool(b)) => Some(b.to_string()),
            Some(Value::String(s)) => Some(s.to_ascii_lowercase()),
            _ => None,
        };
        Ok(Event {
            event_id,
            event_type: text("eventType"),
            error_message: text("errorMessage"),
            time: Some(time),
            event_name: text("eventName"),
            event_source: text("eventSource"),
            username: r.get("userIdentity").and_then(username),
            resources,
            access_key_id: identity("accessKeyId"),
            read_only,
            error_code: text("errorCode"),
            user_agent: text("userAgent"),
            source_ip: text("sourceIPAddress"),
            user_arn: identity("arn"),
            event_time: Some(time),
            user_type: identity("type"),
            invoked_by: identity("invokedBy"),
            mfa_used: nested("additionalEventData", "MFAUsed"),
            console_login: nested("responseElements", "ConsoleLogin"),
            region: text("awsRegion"),
            category: Some(EventCategory::of_record(r)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::cloudtrail::CATEGORIES;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use serde_json::json;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn record(id: &str, identity: Value) -> Value {
        json!({
            "eventVersion": "1.09",
            "eventID": id,
            "eventTime": "2024-01-01T00:00:05Z",
            "eventName": "GetObject",
            "eventSource": "s3.amazonaws.com",
            "eventType": "AwsApiCall",
            "eventCategory": "Data",
            "awsRegion": "eu-west-1",
            "readOnly": true,
            "userAgent": "aws-cli/2",
            "sourceIPAddress": "203.0.113.5",
            "userIdentity": identity,
            "resources": [
                {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::logs/a.txt"},
                {"type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::logs", "accountId": "1"}
            ]
        })
    }

    fn events(bytes: &[u8]) -> Result<Vec<Event>, LogFileError> {
        let mut out = Vec::new();
        read(bytes, &mut |e| {
            out.push(e.clone());
            Ok(())
        })?;
        Ok(out)
    }

    fn malformed(bytes: &[u8]) -> String {
        match events(bytes) {
            Err(LogFileError::Malformed(why)) => why,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn records_become_events_with_lookup_events_fields() {
        let user = json!({"type": "IAMUser", "userName": "alice", "accessKeyId": "AKIAX",
            "arn": "arn:aws:iam::123456789012:user/alice"});
        let role = json!({"type": "AssumedRole",
            "arn": "arn:aws:sts::123456789012:assumed-role/Monitor/check_cloudtrail"});
        let root = json!({"type": "Root", "arn": "arn:aws:iam::123456789012:root"});
        let service = json!({"type": "AWSService", "invokedBy": "s3.amazonaws.com"});
        let file = json!({"Records": [record("a", user), record("b", role), record("c", root),
            record("d", service)]});
        let got = events(&gz(file.to_string().as_bytes())).unwrap();
        let names: Vec<Option<&str>> = got.iter().map(|e| e.username.as_deref()).collect();
        assert_eq!(
            names,
            [Some("alice"), Some("check_cloudtrail"), Some("root"), None]
        );
        let e = &got[0];
        assert_eq!(e.event_id, "a");
        assert_eq!(
            (e.time, e.event_time),
            (Some(1_704_067_205), Some(1_704_067_205))
        );
        assert_eq!(e.category, Some(EventCategory::Data));
        assert_eq!(e.read_only.as_deref(), Some("true"));
        assert_eq!(e.access_key_id.as_deref(), Some("AKIAX"));
        assert_eq!(
            e.resources[1],
            (
                Some("AWS::S3::Bucket".into()),
                Some("arn:aws:s3:::logs".into())
            )
        );
        assert_eq!(got[3].invoked_by.as_deref(), Some("s3.amazonaws.com"));
        // The cache keeps the category too.
        assert_eq!(Event::from_row(&e.to_row()).as_ref(), Some(e));
    }

    #[test]
    fn categories_by_name_and_for_old_records() {
        assert_eq!(
            EventCategory::parse("networkactivity"),
            Some(EventCategory::NetworkActivity)
        );
        assert_eq!(EventCategory::parse("other"), None);
        for (c, n) in CATEGORIES {
            assert_eq!(c.name(), n);
        }
        assert_eq!(
            EventCategory::of_record(&json!({"managementEvent": false})),
            EventCategory::Data
        );
        assert_eq!(
            EventCategory::of_record(&json!({})),
            EventCategory::Management
        );
        assert_eq!(
            EventCategory::of_record(&json!({"eventCategory": "Insight"})),
            EventCategory::Insight
        );
    }

    #[test]
    fn members_and_unknown_keys_are_read() {
        let mut two = gz(br#"{"x": {"y": [1]}, "Records": [{"eventID": "a", "#);
        two.extend(gz(br#""eventTime": "2024-01-01T00:00:00Z"}]}"#));
        assert_eq!(events(&two).unwrap().len(), 1);
        assert!(events(&gz(br#"{"Records": []}"#)).unwrap().is_empty());
    }

    #[test]
    fn a_malformed_file_says_what_is_wrong() {
        assert!(malformed(b"{\"Records\": []}").starts_with("not a valid gzip stream"));
        assert_eq!(
            malformed(&gz(br#"{"Items": []}"#)),
            "not a log file: no Records list"
        );
        assert!(malformed(&gz(br#"{"Records": [{"eventID": "a""#)).starts_with("not JSON"));
        assert_eq!(
            malformed(&gz(br#"{"Records": [{"eventID": "a"}]}"#)),
            "record #1: no eventTime"
        );
        assert_eq!(
            malformed(&gz(
                br#"{"Records": [{"eventTime": "2024-01-01T00:00:00Z"}]}"#
            )),
            "record #1: no eventID"
        );
        assert_eq!(
            malformed(&gz(br#"{"Records": [1]}"#)),
            "record #1: not a JSON object"
        );
        let mut cut = gz(br#"{"Records": []}"#);
        cut.truncate(cut.len() - 4);
        assert!(malformed(&cut).starts_with("not a valid gzip stream"));
        let big = gz(format!("{{\"Records\": [], \"pad\": \"{}\"}}", "x".repeat(5000)).as_bytes());
        let mut none = Vec::<Event>::new();
        match read_within(&big[..], 1000, IN_MEMORY, &mut |e| {
            none.push(e.clone());
            Ok(())
        }) {
            Err(LogFileError::Malformed(why)) => {
                assert_eq!(why, "uncompressed content larger than 1000 bytes")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_failed_download_is_not_a_malformed_file() {
        struct Fails(Vec<u8>);
        impl Read for Fails {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0.is_empty() {
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "deadline"));
                }
                let n = buf.len().min(self.0.len()).min(10);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0.drain(..n);
                Ok(n)
            }
        }
        let mut part = gz(br#"{"Records": [{"eventID": "a"}, {"eventID": "b"}]}"#);
        part.truncate(20);
        match read(Fails(part), &mut |_| Ok(())) {
            Err(LogFileError::Source(e)) => assert_eq!(e.kind(), io::ErrorKind::TimedOut),
            other => panic!("{other:?}"),
        }
    }

    /// Each record through the reader and through [`Event::from_record`]
    /// (its `Value`): the same event, or the same error.
    fn same_as_from_record(records: &[Value]) {
        for r in records {
            let file = json!({"Records": [r]}).to_string();
            let got = events(&gz(file.as_bytes())).map(|mut e| e.remove(0));
            // As parsed from the text: serde_json's float parsing may end
            // a unit in the last place away from the number written.
            let parsed: Value = serde_json::from_str(&file).unwrap();
            let want = Event::from_record(&parsed["Records"][0]);
            match (got, want) {
                (Ok(g), Ok(w)) => assert_eq!(g, w, "{r}"),
                (Err(LogFileError::Malformed(g)), Err(w)) => {
                    assert_eq!(g, format!("record #1: {w}"), "{r}")
                }
                (g, w) => panic!("{r}: {g:?} against {w:?}"),
            }
        }
    }

    #[test]
    fn the_reader_derives_what_from_record_derives() {
        let time = "2024-01-01T00:00:05Z";
        let mut odd = vec![
            json!({"eventID": "a", "eventTime": time}),
            json!({"eventID": "a", "eventTime": 1.7e9, "readOnly": "TRUE",
                "managementEvent": false, "userIdentity": "x", "resources": {}}),
            json!({"eventID": "a", "eventTime": 1_700_000_000, "eventCategory": 5,
                "managementEvent": "false", "readOnly": 1, "resources": [1, {"type": 2}, []],
                "additionalEventData": {"MFAUsed": "Yes", "x": [{}]},
                "responseElements": {"ConsoleLogin": 1}, "errorCode": null,
                "userIdentity": {"type": "FederatedUser", "arn": "a/", "userName": "u"}}),
            json!({"eventID": "a", "eventTime": time, "eventCategory": "NetworkActivity",
                "userIdentity": {"type": "AssumedRole", "userName": "u"},
                "eventName": "caf\u{e9} \"q\"", "awsRegion": ["eu-west-1"]}),
            json!({"eventID": "a", "eventTime": time, "eventCategory": "Unknown",
                "userIdentity": {"type": "Root"}, "readOnly": false}),
            json!({"eventID": 1, "eventTime": time}),
            json!({"eventID": "a"}),
            json!({"eventTime": time}),
            json!({"eventID": "a", "eventTime": null}),
            json!({"eventID": "a", "eventTime": "yesterday"}),
            json!({"eventID": "a", "eventTime": 1e14}),
            json!({"eventID": "a", "eventTime": -5}),
            json!({"eventID": "a", "eventTime": 1.5e20}),
            json!({"eventID": "a", "eventTime": true}),
            json!({"eventID": "a", "eventTime": [1, {"b": null}]}),
            json!({"eventID": "a", "eventTime": {"at": "now"}}),
            json!([1]),
            json!("x"),
            json!(null),
        ];
        odd.push(record("b", json!({"type": "IAMUser", "userName": "alice"})));
        same_as_from_record(&odd);
    }

    /// Record-shaped JSON: the keys the reader reads (and others) at
    /// every level, with values of every type.
    fn record_like() -> impl proptest::strategy::Strategy<Value = Vec<Value>> {
        use proptest::prelude::*;
        let key = prop::sample::select(vec![
            "eventID",
            "eventTime",
            "eventType",
            "errorMessage",
            "eventName",
            "eventSource",
            "userIdentity",
            "resources",
            "readOnly",
            "errorCode",
            "userAgent",
            "sourceIPAddress",
            "additionalEventData",
            "responseElements",
            "awsRegion",
            "eventCategory",
            "managementEvent",
            "type",
            "userName",
            "arn",
            "accessKeyId",
            "invokedBy",
            "ARN",
            "MFAUsed",
            "ConsoleLogin",
            "Records",
            "x",
        ]);
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1e14..1e14f64).prop_map(Value::from),
            prop::sample::select(vec![
                "2024-01-01T00:00:05Z",
                "Root",
                "AssumedRole",
                "FederatedUser",
                "a/b/",
                "arn:aws:sts::1:assumed-role/R/s",
                "Data",
                "Insight",
                "TRUE",
                "",
            ])
            .prop_map(Value::from),
            "\\PC{0,6}".prop_map(Value::from),
        ];
        let inner_key = key.clone();
        let object = move |inner: BoxedStrategy<Value>| {
            prop::collection::vec((inner_key.clone(), inner), 0..6).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            })
        };
        let value = leaf.prop_recursive(3, 32, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                object(inner),
            ]
        });
        let entries = prop::collection::vec((key, value), 0..10);
        prop::collection::vec(entries, 1..4).prop_map(|records| {
            records
                .into_iter()
                .map(|kv| {
                    let mut r = json!({"eventID": "a", "eventTime": "2024-01-01T00:00:05Z"});
                    for (k, v) in kv {
                        r[k] = v;
                    }
                    r
                })
                .collect()
        })
    }

    proptest::proptest! {
        #[test]
        fn any_record_reads_as_from_record_derives_it(records in record_like()) {
            same_as_from_record(&records);
        }

        // The reader writes each record over the event of the one before.
        #[test]
        fn records_in_one_file_read_as_each_alone(records in record_like()) {
            // As parsed from the text (floats), as in same_as_from_record;
            // a record that does not read would end the file.
            let parsed: Value = serde_json::from_str(&json!(records).to_string()).unwrap();
            let (good, want): (Vec<&Value>, Vec<Event>) = parsed
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| Some((r, Event::from_record(r).ok()?)))
                .unzip();
            let file = json!({"Records": good}).to_string();
            assert_eq!(events(&gz(file.as_bytes())).unwrap(), want);
        }
    }

    #[test]
    fn a_field_a_record_lacks_is_absent_whatever_the_record_before_had() {
        let full = json!({
            "eventID": "a",
            "eventTime": "2024-01-01T00:00:05Z",
            "eventType": "AwsApiCall",
            "errorMessage": "denied",
            "eventName": "GetObject",
            "eventSource": "s3.amazonaws.com",
            "userIdentity": {"type": "IAMUser", "userName": "bob",
                "arn": "arn:aws:iam::1:user/bob", "accessKeyId": "AKIA1",
                "invokedBy": "s3.amazonaws.com"},
            "resources": [{"type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::b"},
                {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::b/k"}],
            "readOnly": "TRUE",
            "errorCode": "AccessDenied",
            "userAgent": "aws-cli/2",
            "sourceIPAddress": "203.0.113.5",
            "additionalEventData": {"MFAUsed": "Yes"},
            "responseElements": {"ConsoleLogin": "Success"},
            "awsRegion": "eu-west-1",
            "eventCategory": "Data",
            "managementEvent": false
        });
        let bare = json!({"eventID": "b", "eventTime": 5});
        let fewer = json!({"eventID": "c", "eventTime": 6,
            "resources": [{"ARN": "arn:aws:s3:::c"}]});
        let records = [&full, &bare, &full, &fewer, &full];
        let file = json!({ "Records": records }).to_string();
        let want: Vec<Event> = records
            .iter()
            .map(|r| Event::from_record(r).unwrap())
            .collect();
        let got = events(&gz(file.as_bytes())).unwrap();
        assert_eq!(got, want);
        let first = &got[0];
        assert!(
            first.error_message.is_some()
                && first.username.is_some()
                && first.access_key_id.is_some()
                && first.read_only.is_some()
                && first.error_code.is_some()
                && first.user_agent.is_some()
                && first.source_ip.is_some()
                && first.user_arn.is_some()
                && first.user_type.is_some()
                && first.invoked_by.is_some()
                && first.mfa_used.is_some()
                && first.console_login.is_some()
                && first.region.is_some()
                && first.resources.len() == 2
        );
        // Nothing of the full record before it is left.
        assert_eq!(
            got[1],
            Event {
                event_id: "b".into(),
                time: Some(5),
                event_time: Some(5),
                category: Some(EventCategory::of_fields(None, None)),
                ..Event::default()
            }
        );
        assert_eq!(got[3].resources, [(None, Some("arn:aws:s3:::c".into()))]);
    }

    #[test]
    fn a_key_given_twice_counts_by_its_last_value() {
        let file = br#"{"Records": [{"eventID": "a", "eventID": "b",
            "eventTime": 5, "eventTime": "2024-01-01T00:00:00Z",
            "eventName": "X", "eventName": 1,
            "userIdentity": {"type": "Root"}, "userIdentity": {"userName": "u"},
            "resources": [{}], "resources": 1}]}"#;
        let value: Value = serde_json::from_slice(file).unwrap();
        let want = Event::from_record(&value["Records"][0]).unwrap();
        let got = events(&gz(file)).unwrap();
        assert_eq!(got, [want]);
        assert_eq!(
            (got[0].event_id.as_str(), got[0].username.as_deref()),
            ("b", Some("u"))
        );
    }

    #[test]
    fn a_resource_list_is_bounded() {
        let many = format!(
            "{{\"Records\": [{{\"eventID\": \"a\", \"eventTime\": 0, \"resources\": [{}{{}}]}}]}}",
            "{},".repeat(crate::json::MAX_VALUES)
        );
        assert_eq!(
            malformed(&gz(many.as_bytes())),
            "more than 100000 JSON values"
        );
    }

    #[test]
    fn a_file_larger_than_memory_is_read_as_it_inflates() {
        let rec = |i: usize| record(&format!("e{i}"), json!({"type": "Root"}));
        let file = json!({"x": "pad", "Records": (0..50).map(rec).collect::<Vec<_>>()});
        let bytes = gz(file.to_string().as_bytes());
        let read_in = |in_memory: usize, bytes: &[u8]| {
            let mut out = Vec::new();
            read_within(bytes, MAX_INFLATED, in_memory, &mut |e| {
                out.push(e.clone());
                Ok(())
            })
            .map(|n| (n, out))
        };
        let whole = read_in(IN_MEMORY, &bytes).unwrap();
        for in_memory in [0, 1, 100, 5000] {
            assert_eq!(read_in(in_memory, &bytes).unwrap(), whole);
        }
        assert_eq!(whole.0, 50);
        // Its errors are the same: a cut stream, JSON cut short.
        let mut cut = bytes.clone();
        cut.truncate(cut.len() - 4);
        for in_memory in [100, IN_MEMORY] {
            match read_in(in_memory, &cut) {
                Err(LogFileError::Malformed(why)) => {
                    assert!(why.starts_with("not a valid gzip stream"), "{why}")
                }
                other => panic!("{other:?}"),
            }
            let short = gz(&file.to_string().as_bytes()[..2000]);
            match read_in(in_memory, &short) {
                Err(LogFileError::Malformed(why)) => assert!(why.starts_with("not JSON"), "{why}"),
                other => panic!("{other:?}"),
            }
        }
        let big = gz(format!("{{\"Records\": [], \"pad\": \"{}\"}}", "x".repeat(5000)).as_bytes());
        match read_within(&big[..], 1000, 100, &mut |_| Ok(())) {
            Err(LogFileError::Malformed(why)) => {
                assert_eq!(why, "uncompressed content larger than 1000 bytes")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_record_is_one_budget() {
        // Many records of many values each: the budget is per record.
        let rec = format!(
            "{{\"eventID\":\"a\",\"eventTime\":\"2024-01-01T00:00:00Z\",\"x\":[{}0]}}",
            "0,".repeat(1000)
        );
        let file = format!("{{\"Records\":[{}]}}", vec![rec; 200].join(","));
        assert_eq!(events(&gz(file.as_bytes())).unwrap().len(), 200);
    }
}
