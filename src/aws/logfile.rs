//! A trail's log file as CloudTrail writes it to S3: gzip of
//! `{"Records":[…]}`, read as it inflates. serde_json reads the inflating
//! stream and builds one record's tree at a time (within the JSON value
//! budget, [`crate::json`]), which becomes an [`Event`] and is dropped:
//! memory follows the largest record, never the file.
//!
//! A record carries more than LookupEvents shows, but not the fields
//! LookupEvents derives on its side: [`Event::from_record`] derives them
//! as LookupEvents does where the record holds the data (README, "Field
//! derivation").

use std::io::{self, BufReader, Read};

use flate2::bufread::MultiGzDecoder;
use serde_json::Value;

use super::cloudtrail::{Event, EventCategory, timestamp};
use crate::json::{List, ReadError};

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

/// Buffered reads of the inflated JSON: serde_json's reader asks a byte
/// at a time.
const STEP: usize = 64 * 1024;

/// Reads the log file `input` (gzip, every member) as it arrives, each
/// record handed to `each` with its event; the number of records.
pub fn read(
    input: impl Read,
    each: &mut dyn FnMut(&Value, Event) -> Result<(), String>,
) -> Result<usize, LogFileError> {
    read_within(input, MAX_INFLATED, each)
}

fn read_within(
    input: impl Read,
    max_inflated: u64,
    each: &mut dyn FnMut(&Value, Event) -> Result<(), String>,
) -> Result<usize, LogFileError> {
    let mut source = Watch::new(input, u64::MAX);
    let mut inflated = Watch::new(
        MultiGzDecoder::new(BufReader::with_capacity(STEP, &mut source)),
        max_inflated,
    );
    let list = List {
        key: "Records",
        max: usize::MAX,
        noun: "records",
    };
    let mut count = 0usize;
    let read = crate::json::read_list_from(
        BufReader::with_capacity(STEP, &mut inflated),
        &list,
        &mut |i, r| {
            count = i + 1;
            let e = Event::from_record(r).map_err(|why| format!("record #{}: {why}", i + 1))?;
            each(r, e)
        },
    );
    let over = inflated.over;
    let failed = source.failed.take();
    match read {
        Ok(_) => Ok(count),
        Err(_) if failed.is_some() => Err(LogFileError::Source(
            failed.unwrap_or_else(|| io::Error::other("the download failed")),
        )),
        Err(_) if over => Err(LogFileError::Malformed(format!(
            "uncompressed content larger than {}",
            crate::env::size(max_inflated)
        ))),
        Err(ReadError::Shape(why)) if why == "no Records in the answer" => Err(
            LogFileError::Malformed("not a log file: no Records list".into()),
        ),
        Err(ReadError::Shape(why)) => Err(LogFileError::Malformed(why)),
        Err(ReadError::NotJson(e)) if e.is_io() => Err(LogFileError::Malformed(format!(
            "not a valid gzip stream ({e})"
        ))),
        Err(ReadError::NotJson(e)) => Err(LogFileError::Malformed(format!("not JSON ({e})"))),
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
        read(bytes, &mut |_, e| {
            out.push(e);
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
        match read_within(&big[..], 1000, &mut |_, e| {
            none.push(e);
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
        match read(Fails(part), &mut |_, _| Ok(())) {
            Err(LogFileError::Source(e)) => assert_eq!(e.kind(), io::ErrorKind::TimedOut),
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
