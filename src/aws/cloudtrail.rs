//! CloudTrail over the AWS JSON 1.1 protocol: `POST /` (or the endpoint's
//! own path), `X-Amz-Target`, a JSON body, SigV4 with service `cloudtrail`.

use serde_json::{Value, json};

use super::caller::{Caller, Target};
// The event model lived here first: its paths stay valid.
use super::credentials::value::Credentials;
use super::endpoint::Endpoint;
pub use super::event::{CATEGORIES, Event, EventCategory};
use super::pager::{FetchPage, Pager, Stop};
use super::selectors::{EventSelectors, insights_on};
use crate::error::Error;
use crate::json::{Answer, ReadError};
use crate::trace::Trace;

const TARGET_PREFIX: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101";
const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// `GetTrailStatus`, the fields the modes read. Times are epoch seconds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrailStatus {
    pub is_logging: bool,
    pub start_logging_time: Option<i64>,
    pub stop_logging_time: Option<i64>,
    pub latest_delivery_time: Option<i64>,
    pub latest_delivery_error: Option<String>,
    pub latest_cloudwatch_logs_delivery_time: Option<i64>,
    pub latest_cloudwatch_logs_delivery_error: Option<String>,
    pub latest_digest_delivery_time: Option<i64>,
    pub latest_digest_delivery_error: Option<String>,
    pub latest_notification_time: Option<i64>,
    pub latest_notification_error: Option<String>,
}

/// A trail's configuration, from `DescribeTrails`: what decides which
/// deliveries a trail has to make.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trail {
    pub name: String,
    pub arn: Option<String>,
    pub home_region: Option<String>,
    pub is_multi_region: bool,
    pub log_file_validation: bool,
    pub cloudwatch_logs_log_group: Option<String>,
    pub sns_topic: Option<String>,
    pub kms_key_id: Option<String>,
    pub include_global_service_events: bool,
    pub is_organization_trail: bool,
    /// `S3BucketName` and `S3KeyPrefix`: where the logs and digests go.
    pub s3_bucket: Option<String>,
    pub s3_key_prefix: Option<String>,
}

/// A page's `NextToken`: absent, null or empty means the last page.
fn next_token(v: &Value) -> Result<Option<String>, String> {
    match v.get("NextToken") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err("NextToken is not a string".into()),
    }
}

/// One `ListTrails` page: `Trails[{TrailARN, Name, HomeRegion}]`.
pub fn list_trails_page(v: &Value) -> Result<(Vec<Trail>, Option<String>), String> {
    let list = match v.get("Trails") {
        Some(Value::Array(a)) => a,
        None | Some(Value::Null) => return Ok((Vec::new(), None)),
        Some(_) => return Err("Trails is not a list".into()),
    };
    let trails = list
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let text = |k: &str| {
                t.get(k)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            };
            Ok(Trail {
                name: text("Name").ok_or_else(|| format!("trail #{} has no Name", i + 1))?,
                arn: text("TrailARN"),
                home_region: text("HomeRegion"),
                ..Trail::default()
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let next = next_token(v)?;
    Ok((trails, next))
}

/// The trail asked for among those `DescribeTrails` returned, by name or
/// ARN: never another one (moto, and so LocalStack, return every trail
/// whatever the list asked for).
pub fn pick_trail(trails: Vec<Trail>, name: &str) -> Result<Trail, Error> {
    trails
        .into_iter()
        .find(|t| t.name == name || t.arn.as_deref() == Some(name))
        .ok_or_else(|| Error::Api {
            op: "DescribeTrails",
            code: "TrailNotFoundException".into(),
            message: format!("no trail named {name} in the answer"),
            hint: None,
        })
}

/// `DescribeTrails`' `trailList`.
pub fn trails_from(v: &Value) -> Result<Vec<Trail>, String> {
    let list = match v.get("trailList") {
        Some(Value::Array(a)) => a,
        Some(_) => return Err("trailList is not a list".into()),
        None => return Err("no trailList in the answer".into()),
    };
    list.iter()
        .enumerate()
        .map(|(i, t)| {
            let text = |k: &str| {
                t.get(k)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            };
            let flag = |k: &str| t.get(k).and_then(Value::as_bool).unwrap_or(false);
            Ok(Trail {
                name: text("Name").ok_or_else(|| format!("trail #{} has no Name", i + 1))?,
                arn: text("TrailARN"),
                home_region: text("HomeRegion"),
                is_multi_region: flag("IsMultiRegionTrail"),
                log_file_validation: flag("LogFileValidationEnabled"),
                cloudwatch_logs_log_group: text("CloudWatchLogsLogGroupArn"),
                sns_topic: text("SnsTopicARN"),
                kms_key_id: text("KmsKeyId"),
                include_global_service_events: flag("IncludeGlobalServiceEvents"),
                is_organization_trail: flag("IsOrganizationTrail"),
                s3_bucket: text("S3BucketName"),
                s3_key_prefix: text("S3KeyPrefix"),
            })
        })
        .collect()
}

/// A LookupEvents lookup attribute (the API takes one per request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeKey {
    EventName,
    EventSource,
    Username,
    ResourceType,
    ResourceName,
    AccessKeyId,
    ReadOnly,
}

impl AttributeKey {
    /// The `AttributeKey` the API and the `aws` CLI take.
    pub fn api_name(self) -> &'static str {
        match self {
            AttributeKey::EventName => "EventName",
            AttributeKey::EventSource => "EventSource",
            AttributeKey::Username => "Username",
            AttributeKey::ResourceType => "ResourceType",
            AttributeKey::ResourceName => "ResourceName",
            AttributeKey::AccessKeyId => "AccessKeyId",
            AttributeKey::ReadOnly => "ReadOnly",
        }
    }
}

/// An attribute and the value it must have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub key: AttributeKey,
    pub value: String,
}

/// What LookupEvents itself filters on: at most one lookup attribute
/// and/or the Insights category.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub attribute: Option<Attribute>,
    /// `EventCategory: insight`: Insights events instead of management
    /// events.
    pub insight: bool,
}

impl Query {
    /// Adds `LookupAttributes` and `EventCategory` to a request body.
    pub fn fill(&self, params: &mut serde_json::Map<String, Value>) {
        if let Some(a) = &self.attribute {
            params.insert(
                "LookupAttributes".into(),
                json!([{"AttributeKey": a.key.api_name(), "AttributeValue": a.value}]),
            );
        }
        if self.insight {
            params.insert("EventCategory".into(), json!("insight"));
        }
    }

    /// Names the query in cache keys: `all` without a filter, so two
    /// queries never share the events of a window.
    pub fn key(&self) -> String {
        let mut parts = Vec::new();
        if self.insight {
            parts.push("insight".to_owned());
        }
        if let Some(a) = &self.attribute {
            parts.push(format!("{}={}", a.key.api_name(), a.value));
        }
        if parts.is_empty() {
            "all".to_owned()
        } else {
            parts.join("|")
        }
    }
}

/// The time window and paging bounds of one `LookupEvents` read.
#[derive(Debug, Clone)]
pub struct Lookup {
    pub start: i64,
    pub end: i64,
    pub max_pages: u32,
    pub query: Query,
}

/// The events a read gave: all of the window, or — when the caller's
/// `stop` said so — those of the pages read so far.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Paged {
    pub events: Vec<Event>,
    /// False when paging stopped early with pages left.
    pub complete: bool,
}

/// Asked after each page that has another after it, with every event so
/// far: true stops paging there (the read is then not complete).
pub type StopAfter<'a> = Stop<'a, Event>;

pub struct Client<'a> {
    pub caller: &'a Caller<'a>,
    pub creds: &'a Credentials,
    pub endpoint: &'a Endpoint,
    pub region: &'a str,
}

impl Client<'_> {
    /// One signed call (retried as the standard mode says); the parsed
    /// JSON answer or the error line.
    pub fn call(
        &self,
        op: &'static str,
        params: &Value,
        trace: &mut Trace,
    ) -> Result<Value, Error> {
        self.call_raw(op, params, trace)?
            .value()
            .map_err(|detail| Error::BadResponse { op, detail })
    }

    /// One signed call; the answer's bytes, read by the caller.
    fn call_raw(
        &self,
        op: &'static str,
        params: &Value,
        trace: &mut Trace,
    ) -> Result<Answer, Error> {
        // Serialized once: the bytes signed are the bytes sent.
        let body = serde_json::to_vec(params).map_err(|e| Error::Internal(e.to_string()))?;
        let headers = [
            ("content-type", CONTENT_TYPE.to_owned()),
            ("x-amz-target", format!("{TARGET_PREFIX}.{op}")),
        ];
        let target = Target {
            endpoint: self.endpoint,
            region: self.region,
            service: "cloudtrail",
        };
        let resp = self
            .caller
            .send(op, &target, Some(self.creds), &headers, &body, trace)?;
        Ok(Answer {
            not_json: format!("HTTP {} body is not JSON", resp.status),
            bytes: resp.body,
        })
    }

    /// One `ListPublicKeys` page over `[from, to]` (epoch seconds): the
    /// answer's bytes, read by the caller (`NextToken` included).
    pub fn list_public_keys_page(
        &self,
        (from, to): (i64, i64),
        token: Option<&str>,
        trace: &mut Trace,
    ) -> Result<Vec<u8>, Error> {
        let mut params = json!({"StartTime": from, "EndTime": to});
        if let (Some(t), Some(m)) = (token, params.as_object_mut()) {
            m.insert("NextToken".into(), json!(t));
        }
        Ok(self.call_raw("ListPublicKeys", &params, trace)?.bytes)
    }

    /// `DescribeTrails` for one trail (name or ARN), shadow trails
    /// included so an ARN from another region is found.
    pub fn describe_trail(&self, name: &str, trace: &mut Trace) -> Result<Trail, Error> {
        const OP: &str = "DescribeTrails";
        let v = self.call(
            OP,
            &json!({"trailNameList": [name], "includeShadowTrails": true}),
            trace,
        )?;
        let trails = trails_from(&v).map_err(|detail| Error::BadResponse { op: OP, detail })?;
        pick_trail(trails, name)
    }

    /// `ListTrails`, every page: the trails visible in this region (its
    /// own, and multi-region or organization trails of other regions and
    /// accounts), with their home region and ARN.
    pub fn list_trails(&self, max_pages: u32, trace: &mut Trace) -> Result<Vec<Trail>, Error> {
        const OP: &str = "ListTrails";
        let pager = Pager {
            clock: self.caller.clock,
            remaining: &|| self.caller.http.remaining(),
            limit: self.caller.limit,
            max_pages,
            throttle: None,
        };
        pager
            .collect(
                OP,
                &mut list_trails_read,
                &mut |token, trace| {
                    let params = match token {
                        Some(t) => json!({"NextToken": t}),
                        None => json!({}),
                    };
                    self.call_raw(OP, &params, trace)
                },
                &mut |_| false,
                trace,
            )
            .map(|pages| pages.items)
    }

    /// `GetEventSelectors`: what the trail records.
    pub fn event_selectors(&self, name: &str, trace: &mut Trace) -> Result<EventSelectors, Error> {
        const OP: &str = "GetEventSelectors";
        let v = self.call(OP, &json!({"TrailName": name}), trace)?;
        EventSelectors::from_answer(&v).map_err(|detail| Error::BadResponse { op: OP, detail })
    }

    /// `GetInsightSelectors`: whether Insights watches both API call and
    /// error rates (`InsightNotEnabledException` is the caller's to read).
    pub fn insights(&self, name: &str, trace: &mut Trace) -> Result<bool, Error> {
        const OP: &str = "GetInsightSelectors";
        let v = self.call(OP, &json!({"TrailName": name}), trace)?;
        insights_on(&v).map_err(|detail| Error::BadResponse { op: OP, detail })
    }

    pub fn get_trail_status(&self, name: &str, trace: &mut Trace) -> Result<TrailStatus, Error> {
        const OP: &str = "GetTrailStatus";
        let v = self.call(OP, &json!({ "Name": name }), trace)?;
        trail_status_from(&v).map_err(|detail| Error::BadResponse { op: OP, detail })
    }

    /// Every event of the window, following `NextToken`, paced, bounded
    /// by `max_pages` and the run's deadline: either all of them, or those
    /// read until `stop` said enough (marked incomplete), or an error;
    /// never a silent partial list.
    pub fn lookup_events(
        &self,
        q: &Lookup,
        stop: &mut StopAfter<'_>,
        trace: &mut Trace,
    ) -> Result<Paged, Error> {
        let pager = Pager {
            clock: self.caller.clock,
            remaining: &|| self.caller.http.remaining(),
            limit: self.caller.limit,
            max_pages: q.max_pages,
            throttle: None,
        };
        collect_events(
            &pager,
            &mut |token, trace| {
                let mut params = json!({
                    "StartTime": q.start,
                    "EndTime": q.end,
                    "MaxResults": MAX_RESULTS,
                });
                if let Some(obj) = params.as_object_mut() {
                    q.query.fill(obj);
                    if let Some(t) = token {
                        obj.insert("NextToken".into(), Value::String(t.to_owned()));
                    }
                }
                self.call_raw(LOOKUP_EVENTS, &params, trace)
            },
            MAX_RESULTS,
            stop,
            trace,
        )
    }
}

const LOOKUP_EVENTS: &str = "LookupEvents";

/// The `MaxResults` (and the aws CLI's `--max-items`) of every
/// LookupEvents page: the API's own maximum. A page holding more is not
/// what was asked for, and is refused before it is built.
pub const MAX_RESULTS: usize = 50;

/// The most the events of one read may hold, text and all: 5,000 events
/// (100 pages, the `--max-pages` default) hold about 3 MB of the fields
/// kept, so 16 MiB is far past any real read, and with one page's body
/// (16 MiB) and its parse keeps a run well under 64 MB.
pub const MAX_EVENTS_BYTES: usize = 16 << 20;

/// `ListTrails` pages are read within the JSON value budget
/// (`json::MAX_VALUES`), a few values a trail.
fn list_trails_read(bytes: &[u8]) -> Result<(Vec<Trail>, Option<String>), ReadError> {
    let v = crate::json::parse(bytes)?;
    list_trails_page(&v).map_err(ReadError::Shape)
}

/// Every event of a LookupEvents read, whoever fetches its pages (our
/// client or the `aws` CLI), each page of at most `per_page` events and
/// all of them within [`MAX_EVENTS_BYTES`].
pub fn collect_events(
    pager: &Pager<'_>,
    fetch: &mut FetchPage<'_>,
    per_page: usize,
    stop: &mut StopAfter<'_>,
    trace: &mut Trace,
) -> Result<Paged, Error> {
    let mut held = 0usize;
    let mut read = |bytes: &[u8]| {
        let (events, next) = events_page_from(bytes, per_page)?;
        held = events
            .iter()
            .fold(held, |sum, e| sum.saturating_add(e.weight()));
        if held > MAX_EVENTS_BYTES {
            return Err(ReadError::Shape(format!(
                "the events read hold more than {}, the most one read keeps; narrow --delta",
                crate::env::size(MAX_EVENTS_BYTES as u64)
            )));
        }
        Ok((events, next))
    };
    let pages = pager.collect(LOOKUP_EVENTS, &mut read, fetch, stop, trace)?;
    Ok(Paged {
        events: pages.items,
        complete: pages.complete,
    })
}

/// `IsLogging` must be a JSON boolean: a missing field is not "false".
pub fn trail_status_from(v: &Value) -> Result<TrailStatus, String> {
    let is_logging = match v.get("IsLogging") {
        Some(Value::Bool(b)) => *b,
        Some(other) => return Err(format!("IsLogging is not a boolean: {other}")),
        None => return Err("no IsLogging in the answer".into()),
    };
    let error = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .filter(|e| !e.is_empty())
            .map(str::to_owned)
    };
    Ok(TrailStatus {
        is_logging,
        start_logging_time: timestamp(v, "StartLoggingTime")?,
        stop_logging_time: timestamp(v, "StopLoggingTime")?,
        latest_delivery_time: timestamp(v, "LatestDeliveryTime")?,
        latest_delivery_error: error("LatestDeliveryError"),
        latest_cloudwatch_logs_delivery_time: timestamp(v, "LatestCloudWatchLogsDeliveryTime")?,
        latest_cloudwatch_logs_delivery_error: error("LatestCloudWatchLogsDeliveryError"),
        latest_digest_delivery_time: timestamp(v, "LatestDigestDeliveryTime")?,
        latest_digest_delivery_error: error("LatestDigestDeliveryError"),
        latest_notification_time: timestamp(v, "LatestNotificationTime")?,
        latest_notification_error: error("LatestNotificationError"),
    })
}

/// A timestamp field as the API sends it (epoch seconds, possibly with an
/// exponent: `1.683298944125E9`) or as the `aws` CLI v2 prints it
/// (ISO-8601 with an offset). Absent or null is `None`.
pub fn timestamp(v: &Value, key: &str) -> Result<Option<i64>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|f| f.is_finite() && f.abs() < 1e13)
            // Whole seconds are enough for every use here.
            .map(|f| Some(f.floor() as i64))
            .ok_or_else(|| format!("{key} is not a time: {n}")),
        Some(Value::String(s)) => crate::time::parse_iso8601(s)
            .map(Some)
            .ok_or_else(|| format!("{key} is not a time: '{s}'")),
        Some(other) => Err(format!("{key} is not a time: {other}")),
    }
}

/// One page: its events (at most `max`, refused before the rest is
/// built) and the next token. Only the fields the modes use are checked
/// (Centreon's own mock sends `EventTime` as a string).
pub fn events_page_from(
    bytes: &[u8],
    max: usize,
) -> Result<(Vec<Event>, Option<String>), ReadError> {
    let mut room = usize::MAX;
    events_page_within(bytes, max, &mut room)
}

/// [`events_page_from`], each event taken out of `room` (what the events
/// of the read may still hold) as it is made: the one past it fails.
fn events_page_within(
    bytes: &[u8],
    max: usize,
    room: &mut usize,
) -> Result<(Vec<Event>, Option<String>), ReadError> {
    let list = crate::json::List {
        key: "Events",
        max,
        noun: "events",
    };
    crate::json::read_list(bytes, &list, &mut |i, e| {
        let event = event_from(e).map_err(|d| format!("event #{}: {d}", i + 1))?;
        *room = room.checked_sub(event.weight()).ok_or_else(|| {
            format!(
                "the events read hold more than {}, the most one read keeps; narrow --delta",
                crate::env::size(MAX_EVENTS_BYTES as u64)
            )
        })?;
        Ok(event)
    })
}

fn event_from(e: &Value) -> Result<Event, String> {
    let outer_id = e.get("EventId").and_then(Value::as_str).unwrap_or_default();
    let raw = match e.get("CloudTrailEvent") {
        Some(Value::String(s)) => s,
        Some(_) => return Err("CloudTrailEvent is not a string".into()),
        None => return Err("no CloudTrailEvent".into()),
    };
    let inner = crate::json::parse(raw.as_bytes())
        .map_err(|err| format!("CloudTrailEvent is not JSON ({err})"))?;
    if !inner.is_object() {
        return Err("CloudTrailEvent is not a JSON object".into());
    }
    // Optional fields: a missing or oddly typed one is just absent.
    let text = |k: &str| inner.get(k).and_then(Value::as_str).map(str::to_owned);
    let outer = |k: &str| e.get(k).and_then(Value::as_str).map(str::to_owned);
    let nested = |outer_key: &str, k: &str| {
        inner
            .get(outer_key)
            .and_then(|u| u.get(k))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let identity = |k: &str| nested("userIdentity", k);
    let resources = e
        .get("Resources")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|r| {
                    let field = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_owned);
                    (field("ResourceType"), field("ResourceName"))
                })
                .collect()
        })
        .unwrap_or_default();
    let read_only = outer("ReadOnly").or_else(|| match inner.get("readOnly") {
        Some(Value::Bool(b)) => Some(b.to_string()),
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    });
    Ok(Event {
        event_id: text("eventID").unwrap_or_else(|| outer_id.to_owned()),
        event_type: text("eventType"),
        error_message: text("errorMessage"),
        time: timestamp(e, "EventTime").ok().flatten(),
        event_name: outer("EventName").or_else(|| text("eventName")),
        event_source: outer("EventSource").or_else(|| text("eventSource")),
        username: outer("Username"),
        resources,
        access_key_id: outer("AccessKeyId").or_else(|| identity("accessKeyId")),
        read_only,
        error_code: text("errorCode"),
        user_agent: text("userAgent"),
        source_ip: text("sourceIPAddress"),
        user_arn: identity("arn"),
        event_time: timestamp(&inner, "eventTime").ok().flatten(),
        user_type: identity("type"),
        invoked_by: identity("invokedBy"),
        mfa_used: nested("additionalEventData", "MFAUsed"),
        console_login: nested("responseElements", "ConsoleLogin"),
        region: text("awsRegion"),
        category: Some(EventCategory::of_record(&inner)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;

    impl Event {
        /// An event of only an id and a time, for the tests of the crate.
        pub fn at(id: &str, time: i64) -> Event {
            Event {
                event_id: id.into(),
                time: Some(time),
                ..Event::default()
            }
        }
    }
    use proptest::prelude::*;
    use std::time::Duration;

    fn page_of(v: &Value) -> Result<(Vec<Event>, Option<String>), ReadError> {
        events_page_from(v.to_string().as_bytes(), MAX_RESULTS)
    }

    /// Pieces of CloudTrail-shaped JSON, so random inputs reach past the
    /// first `{`.
    fn json_like() -> impl Strategy<Value = Vec<u8>> {
        let pieces = prop_oneof![
            Just("{".to_owned()),
            Just("}".to_owned()),
            Just("[".to_owned()),
            Just("]".to_owned()),
            Just(",".to_owned()),
            Just(":".to_owned()),
            Just("\"Events\"".to_owned()),
            Just("\"NextToken\"".to_owned()),
            Just("\"CloudTrailEvent\"".to_owned()),
            Just("\"IsLogging\"".to_owned()),
            Just("\"StartLoggingTime\"".to_owned()),
            Just("\"{\\\"eventType\\\":\\\"AwsApiCall\\\"}\"".to_owned()),
            Just("true".to_owned()),
            Just("null".to_owned()),
            Just("1.5E9".to_owned()),
            Just("\"2023-01-21T13:58:49.666000-05:00\"".to_owned()),
            "\\PC{0,8}".prop_map(|s| format!("{s:?}")),
        ];
        proptest::collection::vec(pieces, 0..24).prop_map(|v| v.concat().into_bytes())
    }

    proptest! {
        #[test]
        fn readers_never_panic_on_bytes(data in proptest::collection::vec(any::<u8>(), 0..256)) {
            crate::fuzz::readers(&data);
        }

        #[test]
        fn readers_never_panic_on_json_like_text(data in json_like()) {
            crate::fuzz::readers(&data);
        }

        #[test]
        fn the_pipeline_holds_on_json_like_text(pick in any::<u8>(), data in json_like()) {
            crate::fuzz::pipeline(&[&[pick][..], &data].concat());
        }
    }

    #[test]
    fn timestamps_from_the_api_and_both_clis() {
        let v = json!({
            "IsLogging": false,
            "StartLoggingTime": 1.683298944125E9,
            "StopLoggingTime": "2023-05-05T10:54:37.918000-04:00",
            "LatestDeliveryTime": 1683298944,
            "LatestDeliveryError": "AccessDenied",
            "TimeLoggingStopped": "not parsed: deprecated string field"
        });
        let s = trail_status_from(&v).unwrap();
        assert_eq!(s.start_logging_time, Some(1_683_298_944));
        assert_eq!(s.stop_logging_time, Some(1_683_298_477));
        assert_eq!(s.latest_delivery_time, Some(1_683_298_944));
        assert_eq!(s.latest_delivery_error.as_deref(), Some("AccessDenied"));
        assert!(
            trail_status_from(&json!({"IsLogging": true, "StartLoggingTime": "yesterday"}))
                .is_err()
        );
        assert!(trail_status_from(&json!({"IsLogging": true, "StartLoggingTime": true})).is_err());
        assert_eq!(timestamp(&json!({"T": null}), "T"), Ok(None));
    }

    #[test]
    fn the_trail_asked_for_or_none() {
        let t = |n: &str| Trail {
            name: n.into(),
            arn: Some(format!("arn:aws:cloudtrail:eu-west-1:1:trail/{n}")),
            ..Trail::default()
        };
        assert_eq!(
            pick_trail(vec![t("first"), t("second")], "second")
                .unwrap()
                .name,
            "second"
        );
        assert_eq!(
            pick_trail(
                vec![t("first"), t("second")],
                "arn:aws:cloudtrail:eu-west-1:1:trail/second"
            )
            .unwrap()
            .name,
            "second"
        );
        assert!(pick_trail(vec![t("first")], "second").is_err());
    }

    #[test]
    fn describe_trails_answers() {
        let v = json!({"trailList": [{
            "Name": "main", "TrailARN": "arn:aws:cloudtrail:eu-west-1:1:trail/main",
            "HomeRegion": "eu-west-1", "IsMultiRegionTrail": true,
            "LogFileValidationEnabled": true, "CloudWatchLogsLogGroupArn": "arn:aws:logs:x",
            "SnsTopicARN": "", "KmsKeyId": "arn:aws:kms:k"
        }]});
        let t = trails_from(&v).unwrap();
        assert_eq!(t[0].name, "main");
        assert!(t[0].is_multi_region && t[0].log_file_validation);
        assert_eq!(t[0].sns_topic, None);
        assert!(trails_from(&json!({})).is_err());
        assert!(trails_from(&json!({"trailList": [{}]})).is_err());
    }

    #[test]
    fn trail_status_must_be_boolean() {
        assert_eq!(
            trail_status_from(&json!({"IsLogging": true})),
            Ok(TrailStatus {
                is_logging: true,
                ..TrailStatus::default()
            })
        );
        assert!(trail_status_from(&json!({})).is_err());
        assert!(trail_status_from(&json!({"IsLogging": "true"})).is_err());
    }

    #[test]
    fn event_pages() {
        let page = json!({
            "Events": [
                {"EventId": "a", "EventTime": "not a number",
                 "CloudTrailEvent": "{\"eventID\":\"a\",\"eventType\":\"AwsApiCall\"}"},
                {"EventId": "b",
                 "CloudTrailEvent": "{\"eventType\":\"AwsConsoleSignIn\",\"errorMessage\":\"Login error\"}"}
            ],
            "NextToken": "T2"
        });
        let (events, next) = page_of(&page).unwrap();
        assert_eq!(next.as_deref(), Some("T2"));
        assert_eq!(events[0].event_type.as_deref(), Some("AwsApiCall"));
        assert_eq!(events[1].event_id, "b");
        assert_eq!(events[1].error_message.as_deref(), Some("Login error"));
        assert!(page_of(&json!({"NextToken": "x"})).is_err());
        assert!(page_of(&json!({"Events": {}})).is_err());
        assert!(page_of(&json!({"Events": [{"CloudTrailEvent": "{"}]})).is_err());
        assert!(page_of(&json!({"Events": [{}]})).is_err());
        assert_eq!(
            page_of(&json!({"Events": [], "NextToken": ""})).unwrap().1,
            None
        );
    }

    #[test]
    fn outer_and_record_fields() {
        let record = json!({
            "eventID": "id-1",
            "eventType": "AwsApiCall",
            "eventName": "InnerName",
            "eventSource": "inner.amazonaws.com",
            "eventTime": "2024-01-01T00:00:05Z",
            "errorCode": "AccessDenied",
            "errorMessage": "no",
            "userAgent": "check_cloudtrail/0.1.0",
            "sourceIPAddress": "203.0.113.5",
            "readOnly": false,
            "userIdentity": {"arn": "arn:aws:iam::123456789012:user/alice", "accessKeyId": "ASIAINNER0000000"}
        });
        let page = json!({"Events": [{
            "EventId": "id-1",
            "EventName": "ConsoleLogin",
            "EventSource": "signin.amazonaws.com",
            "EventTime": 1.7040672E9,
            "Username": "alice",
            "AccessKeyId": "AKIAIOSFODNN7EXAMPLE",
            "ReadOnly": "true",
            "Resources": [
                {"ResourceType": "AWS::S3::Bucket", "ResourceName": "logs"},
                {"ResourceName": "only-a-name"},
                "not an object"
            ],
            "CloudTrailEvent": record.to_string()
        }]});
        let (events, _) = page_of(&page).unwrap();
        let e = &events[0];
        assert_eq!(e.event_name.as_deref(), Some("ConsoleLogin"));
        assert_eq!(e.event_source.as_deref(), Some("signin.amazonaws.com"));
        assert_eq!(e.username.as_deref(), Some("alice"));
        assert_eq!(e.access_key_id.as_deref(), Some("AKIAIOSFODNN7EXAMPLE"));
        assert_eq!(e.read_only.as_deref(), Some("true"));
        assert_eq!(
            e.resources,
            vec![
                (Some("AWS::S3::Bucket".into()), Some("logs".into())),
                (None, Some("only-a-name".into())),
                (None, None)
            ]
        );
        assert_eq!(e.error_code.as_deref(), Some("AccessDenied"));
        assert_eq!(e.user_agent.as_deref(), Some("check_cloudtrail/0.1.0"));
        assert_eq!(e.source_ip.as_deref(), Some("203.0.113.5"));
        assert_eq!(
            e.user_arn.as_deref(),
            Some("arn:aws:iam::123456789012:user/alice")
        );
        assert_eq!(e.time, Some(1_704_067_200));
        assert_eq!(e.event_time, Some(1_704_067_205));
        // The cache keeps every field.
        assert_eq!(Event::from_row(&e.to_row()).as_ref(), Some(e));

        // Without the outer fields, the record's own; odd types are absent,
        // never an error.
        let bare = json!({"Events": [{
            "Resources": {"not": "a list"},
            "Username": 5,
            "CloudTrailEvent": record.to_string()
        }]});
        let (events, _) = page_of(&bare).unwrap();
        let e = &events[0];
        assert_eq!(e.event_name.as_deref(), Some("InnerName"));
        assert_eq!(e.event_source.as_deref(), Some("inner.amazonaws.com"));
        assert_eq!(e.username, None);
        assert!(e.resources.is_empty());
        assert_eq!(e.access_key_id.as_deref(), Some("ASIAINNER0000000"));
        assert_eq!(e.read_only.as_deref(), Some("false"));
        let odd = json!({"Events": [{"CloudTrailEvent":
            "{\"eventTime\": \"yesterday\", \"userIdentity\": \"x\", \"readOnly\": 1}"}]});
        let (events, _) = page_of(&odd).unwrap();
        assert_eq!(events[0].event_time, None);
        assert_eq!(events[0].user_arn, None);
        assert_eq!(events[0].read_only, None);
    }

    #[test]
    fn query_body_and_key() {
        let mut body = serde_json::Map::new();
        Query::default().fill(&mut body);
        assert!(body.is_empty());
        assert_eq!(Query::default().key(), "all");
        let q = Query {
            attribute: Some(Attribute {
                key: AttributeKey::ResourceType,
                value: "AWS::S3::Bucket".into(),
            }),
            insight: true,
        };
        q.fill(&mut body);
        assert_eq!(
            Value::Object(body),
            json!({
                "LookupAttributes": [{"AttributeKey": "ResourceType", "AttributeValue": "AWS::S3::Bucket"}],
                "EventCategory": "insight"
            })
        );
        assert_eq!(q.key(), "insight|ResourceType=AWS::S3::Bucket");
        let other = Query {
            insight: false,
            ..q.clone()
        };
        assert_ne!(other.key(), q.key());
    }

    struct NoClock;
    impl Clock for NoClock {
        fn epoch(&self) -> i64 {
            0
        }
        fn epoch_millis(&self) -> i64 {
            0
        }
        fn now(&self) -> std::time::Instant {
            std::time::Instant::now()
        }
        fn sleep(&self, _: Duration) {}
        fn jitter(&self) -> f64 {
            0.0
        }
    }

    #[test]
    fn pager_stops_when_asked_and_only_with_pages_left() {
        let pager = Pager {
            clock: &NoClock,
            remaining: &|| Duration::from_secs(60),
            limit: crate::error::Limit {
                secs: 60,
                option: "--timeout",
            },
            max_pages: 3,
            throttle: None,
        };
        let page = |token: Option<&str>| {
            let (ids, next) = match token {
                None => (["a", "b"], Some("t2")),
                Some("t2") => (["c", "d"], Some("t3")),
                _ => (["e", "f"], None),
            };
            let events: Vec<Value> = ids
                .iter()
                .map(|i| json!({"EventId": i, "CloudTrailEvent": "{}"}))
                .collect();
            Ok(Answer {
                bytes: json!({"Events": events, "NextToken": next})
                    .to_string()
                    .into_bytes(),
                not_json: "body is not JSON".into(),
            })
        };
        let mut trace = Trace::new(true);
        let mut calls = Vec::new();
        let got = collect_events(
            &pager,
            &mut |t, _| page(t),
            MAX_RESULTS,
            &mut |events| {
                calls.push(events.len());
                events.len() >= 4
            },
            &mut trace,
        )
        .unwrap();
        assert!(!got.complete);
        assert_eq!(got.events.len(), 4);
        assert_eq!(calls, [2, 4]);
        assert_eq!(
            trace.lines,
            ["LookupEvents: stopped after 2 pages, more events left unread"]
        );
        // Never asked after the last page: the read is complete.
        let mut calls = 0;
        let got = collect_events(
            &pager,
            &mut |t, _| page(t),
            MAX_RESULTS,
            &mut |_| {
                calls += 1;
                false
            },
            &mut Trace::new(false),
        )
        .unwrap();
        assert!(got.complete);
        assert_eq!(got.events.len(), 6);
        assert_eq!(calls, 2);
        // At the page cap, a stop still wins over the cap's UNKNOWN.
        let capped = Pager {
            max_pages: 1,
            ..pager
        };
        let got = collect_events(
            &capped,
            &mut |t, _| page(t),
            MAX_RESULTS,
            &mut |_| true,
            &mut Trace::new(false),
        )
        .unwrap();
        assert_eq!((got.events.len(), got.complete), (2, false));
        assert!(matches!(
            collect_events(
                &capped,
                &mut |t, _| page(t),
                MAX_RESULTS,
                &mut |_| false,
                &mut Trace::new(false)
            ),
            Err(Error::PageCap { pages: 1, .. })
        ));
    }
}
