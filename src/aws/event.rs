//! An event as the modes see it, whichever source read it: a
//! LookupEvents answer ([`super::cloudtrail`]), a log file's record
//! ([`super::logfile`]) or a cached row ([`Event::to_row`]); and the
//! category a record is of.

use serde_json::{Value, json};

/// A record's `eventCategory`: what LookupEvents can return (management
/// and Insights events) and what only log files hold (data and network
/// activity events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventCategory {
    Management,
    Data,
    NetworkActivity,
    Insight,
}

/// Each category and its name, as records and `--event-category` spell it.
pub const CATEGORIES: [(EventCategory, &str); 4] = [
    (EventCategory::Management, "Management"),
    (EventCategory::Data, "Data"),
    (EventCategory::NetworkActivity, "NetworkActivity"),
    (EventCategory::Insight, "Insight"),
];

impl EventCategory {
    pub fn name(self) -> &'static str {
        CATEGORIES
            .iter()
            .find(|(c, _)| *c == self)
            .map_or("", |(_, n)| n)
    }

    /// A category by name, in any case.
    pub fn parse(s: &str) -> Option<EventCategory> {
        CATEGORIES
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(s))
            .map(|(c, _)| *c)
    }

    /// The category of a record: its `eventCategory`; records written
    /// before that field existed (eventVersion < 1.07) say whether they
    /// are management events (`managementEvent`), else they are.
    pub fn of_record(r: &Value) -> EventCategory {
        EventCategory::of_fields(
            r.get("eventCategory").and_then(Value::as_str),
            r.get("managementEvent").and_then(Value::as_bool),
        )
    }

    /// [`EventCategory::of_record`] from the record's `eventCategory`
    /// and `managementEvent`, each when of the right type.
    pub fn of_fields(category: Option<&str>, management: Option<bool>) -> EventCategory {
        match category {
            Some(name) => EventCategory::parse(name).unwrap_or(EventCategory::Management),
            None if management == Some(false) => EventCategory::Data,
            None => EventCategory::Management,
        }
    }
}

/// One LookupEvents event, reduced to what the modes need. Every field
/// but the id is optional: a missing one only means a filter on it does
/// not match (Centreon's own mock leaves several out).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Event {
    pub event_id: String,
    /// The inner record's `eventType` (`AwsApiCall`, `AwsConsoleSignIn`…).
    pub event_type: Option<String>,
    pub error_message: Option<String>,
    /// `EventTime` (epoch seconds) when it reads as a time: the incremental
    /// cache needs it to drop events leaving the window. Centreon's mock
    /// sends a date string there, so an unreadable one is just `None`.
    pub time: Option<i64>,
    /// `EventName`, else the record's `eventName`.
    pub event_name: Option<String>,
    /// `EventSource`, else the record's `eventSource`.
    pub event_source: Option<String>,
    /// `Username`.
    pub username: Option<String>,
    /// `Resources[]` as (`ResourceType`, `ResourceName`), either may be
    /// missing.
    pub resources: Vec<(Option<String>, Option<String>)>,
    /// `AccessKeyId`, else the record's `userIdentity.accessKeyId`.
    pub access_key_id: Option<String>,
    /// `ReadOnly` (`"true"`/`"false"`), else the record's `readOnly`.
    pub read_only: Option<String>,
    /// The record's `errorCode`.
    pub error_code: Option<String>,
    /// The record's `userAgent`.
    pub user_agent: Option<String>,
    /// The record's `sourceIPAddress`.
    pub source_ip: Option<String>,
    /// The record's `userIdentity.arn`.
    pub user_arn: Option<String>,
    /// The record's `eventTime` (epoch seconds) when it reads as a time.
    pub event_time: Option<i64>,
    /// The record's `userIdentity.type` (`Root`, `IAMUser`…).
    pub user_type: Option<String>,
    /// The record's `userIdentity.invokedBy` (an AWS service acting for
    /// the identity).
    pub invoked_by: Option<String>,
    /// The record's `additionalEventData.MFAUsed` (`Yes`/`No`).
    pub mfa_used: Option<String>,
    /// The record's `responseElements.ConsoleLogin` (`Success`/`Failure`).
    pub console_login: Option<String>,
    /// The record's `awsRegion`.
    pub region: Option<String>,
    /// The record's `eventCategory` ([`EventCategory::of_record`]).
    pub category: Option<EventCategory>,
}

impl Event {
    /// About what the event takes in memory: itself and its text.
    pub fn weight(&self) -> usize {
        let text = [
            &self.event_type,
            &self.error_message,
            &self.event_name,
            &self.event_source,
            &self.username,
            &self.access_key_id,
            &self.read_only,
            &self.error_code,
            &self.user_agent,
            &self.source_ip,
            &self.user_arn,
            &self.user_type,
            &self.invoked_by,
            &self.mfa_used,
            &self.console_login,
            &self.region,
        ]
        .iter()
        .map(|f| f.as_ref().map_or(0, String::len))
        .sum::<usize>();
        let resources = self
            .resources
            .iter()
            .map(|(t, n)| {
                std::mem::size_of::<(Option<String>, Option<String>)>()
                    + t.as_ref().map_or(0, String::len)
                    + n.as_ref().map_or(0, String::len)
            })
            .sum::<usize>();
        std::mem::size_of::<Event>() + self.event_id.len() + text + resources
    }

    /// The event as the incremental cache stores it: one JSON array, the
    /// fields in [`Event::from_row`]'s order (no key names: a third of the
    /// size of an object).
    pub fn to_row(&self) -> Value {
        json!([
            self.event_id,
            self.time,
            self.event_type,
            self.error_message,
            self.event_name,
            self.event_source,
            self.username,
            self.resources
                .iter()
                .map(|(t, n)| json!([t, n]))
                .collect::<Vec<_>>(),
            self.access_key_id,
            self.read_only,
            self.error_code,
            self.user_agent,
            self.source_ip,
            self.user_arn,
            self.event_time,
            self.user_type,
            self.invoked_by,
            self.mfa_used,
            self.console_login,
            self.region,
            self.category.map(EventCategory::name),
        ])
    }

    /// An event from its cache row; `None` unless it has an id and a time.
    pub fn from_row(v: &Value) -> Option<Event> {
        let row = v.as_array()?;
        let text = |i: usize| row.get(i).and_then(Value::as_str).map(str::to_owned);
        let resources = match row.get(7) {
            None | Some(Value::Null) => Vec::new(),
            Some(r) => r
                .as_array()?
                .iter()
                .map(|pair| {
                    let part = |i: usize| pair.get(i).and_then(Value::as_str).map(str::to_owned);
                    (part(0), part(1))
                })
                .collect(),
        };
        Some(Event {
            event_id: text(0)?,
            time: Some(row.get(1)?.as_i64()?),
            event_type: text(2),
            error_message: text(3),
            event_name: text(4),
            event_source: text(5),
            username: text(6),
            resources,
            access_key_id: text(8),
            read_only: text(9),
            error_code: text(10),
            user_agent: text(11),
            source_ip: text(12),
            user_arn: text(13),
            event_time: row.get(14).and_then(Value::as_i64),
            user_type: text(15),
            invoked_by: text(16),
            mfa_used: text(17),
            console_login: text(18),
            region: text(19),
            category: row
                .get(20)
                .and_then(Value::as_str)
                .and_then(EventCategory::parse),
        })
    }
}
