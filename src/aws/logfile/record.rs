//! One record of a log file, read by serde visitors straight into the
//! fields [`Event::from_record`] uses (strings borrowed from the text
//! when they have no escapes), everything else skipped unbuilt: no
//! `Value` per record. The same event as [`Event::from_record`]'s (the
//! tests and the fuzz target compare them), written over the event of
//! the record before: most records are dropped as soon as read, and
//! building each one's strings anew was most of the allocator's work
//! (one lock for every worker under musl).

use std::borrow::Cow;
use std::fmt;

use serde_core::de::{
    self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Number;

use crate::aws::cloudtrail::{Event, EventCategory};
use crate::json::{Bounded, Budget};

/// The keys read, at any level: compared where they lie in the text.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Key {
    Records,
    EventId,
    EventTime,
    EventType,
    ErrorMessage,
    EventName,
    EventSource,
    UserIdentity,
    Resources,
    ReadOnly,
    ErrorCode,
    UserAgent,
    SourceIp,
    AdditionalEventData,
    ResponseElements,
    Region,
    EventCategory,
    ManagementEvent,
    Type,
    UserName,
    Arn,
    AccessKeyId,
    InvokedBy,
    ResourceArn,
    MfaUsed,
    ConsoleLogin,
    Other,
}

pub(super) struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
        Ok(key(s))
    }
}

/// Every key of every record is looked up, and most are not read: by
/// length first, so that most are told apart by one comparison (a
/// plain `match` on the text, at this crate's size-first opt-level,
/// compares against each name in turn: a tenth of the parse).
fn key(s: &str) -> Key {
    let among = |names: &[(&str, Key)]| {
        names
            .iter()
            .find(|(name, _)| *name == s)
            .map_or(Key::Other, |(_, k)| *k)
    };
    match s.len() {
        3 => among(&[("arn", Key::Arn), ("ARN", Key::ResourceArn)]),
        4 => among(&[("type", Key::Type)]),
        7 => among(&[
            ("eventID", Key::EventId),
            ("Records", Key::Records),
            ("MFAUsed", Key::MfaUsed),
        ]),
        8 => among(&[("readOnly", Key::ReadOnly), ("userName", Key::UserName)]),
        9 => among(&[
            ("eventTime", Key::EventTime),
            ("eventName", Key::EventName),
            ("eventType", Key::EventType),
            ("awsRegion", Key::Region),
            ("userAgent", Key::UserAgent),
            ("resources", Key::Resources),
            ("errorCode", Key::ErrorCode),
            ("invokedBy", Key::InvokedBy),
        ]),
        11 => among(&[
            ("eventSource", Key::EventSource),
            ("accessKeyId", Key::AccessKeyId),
        ]),
        12 => among(&[
            ("userIdentity", Key::UserIdentity),
            ("errorMessage", Key::ErrorMessage),
            ("ConsoleLogin", Key::ConsoleLogin),
        ]),
        13 => among(&[("eventCategory", Key::EventCategory)]),
        15 => among(&[
            ("sourceIPAddress", Key::SourceIp),
            ("managementEvent", Key::ManagementEvent),
        ]),
        16 => among(&[("responseElements", Key::ResponseElements)]),
        19 => among(&[("additionalEventData", Key::AdditionalEventData)]),
        _ => Key::Other,
    }
}

/// What a field makes of each JSON type it may hold: by default the
/// field is absent (`absent`) and its value skipped, as
/// [`Event::from_record`] has a field of the wrong type.
pub(super) trait Field<'de>: Sized {
    type Out;
    fn absent(self) -> Self::Out;
    fn text(self, _: Cow<'de, str>) -> Self::Out {
        self.absent()
    }
    fn boolean(self, _: bool) -> Self::Out {
        self.absent()
    }
    fn number(self, _: Number) -> Self::Out {
        self.absent()
    }
    fn null(self) -> Self::Out {
        self.absent()
    }
    fn seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Out, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(self.absent())
    }
    fn map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Out, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(self.absent())
    }
}

/// A [`Field`] read from the parser: whatever the value's type.
pub(super) struct Seed<F>(pub(super) F);

impl<'de, F: Field<'de>> DeserializeSeed<'de> for Seed<F> {
    type Value = F::Out;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<F::Out, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, F: Field<'de>> Visitor<'de> for Seed<F> {
    type Value = F::Out;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<F::Out, E> {
        Ok(self.0.boolean(b))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<F::Out, E> {
        Ok(self.0.number(n.into()))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<F::Out, E> {
        Ok(self.0.number(n.into()))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<F::Out, E> {
        // JSON has no infinite or NaN number: serde_json refuses them.
        Ok(match Number::from_f64(n) {
            Some(n) => self.0.number(n),
            None => self.0.absent(),
        })
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<F::Out, E> {
        Ok(self.0.text(Cow::Borrowed(s)))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<F::Out, E> {
        Ok(self.0.text(Cow::Owned(s.to_owned())))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<F::Out, E> {
        Ok(self.0.text(Cow::Owned(s)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<F::Out, E> {
        Ok(self.0.null())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<F::Out, A::Error> {
        self.0.seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<F::Out, A::Error> {
        self.0.map(map)
    }
}

type Text<'de> = Option<Cow<'de, str>>;

/// A string field, borrowed from the text when it has no escapes.
struct TextField;

impl<'de> Field<'de> for TextField {
    type Out = Text<'de>;
    fn absent(self) -> Text<'de> {
        None
    }
    fn text(self, s: Cow<'de, str>) -> Text<'de> {
        Some(s)
    }
}

/// `managementEvent`.
struct BoolField;

impl Field<'_> for BoolField {
    type Out = Option<bool>;
    fn absent(self) -> Option<bool> {
        None
    }
    fn boolean(self, b: bool) -> Option<bool> {
        Some(b)
    }
}

/// `readOnly`: a boolean, or a string in any case.
struct ReadOnlyField;

impl<'de> Field<'de> for ReadOnlyField {
    type Out = Text<'de>;
    fn absent(self) -> Text<'de> {
        None
    }
    fn boolean(self, b: bool) -> Text<'de> {
        Some(Cow::Borrowed(if b { "true" } else { "false" }))
    }
    fn text(self, s: Cow<'de, str>) -> Text<'de> {
        // Nearly always lower case already: no copy then.
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            Some(Cow::Owned(s.to_ascii_lowercase()))
        } else {
            Some(s)
        }
    }
}

/// `eventTime` as [`super::cloudtrail::timestamp`] reads it: a time,
/// none (null), or why it is not one.
struct TimeField<'a>(&'a Budget);

type Time = Result<Option<i64>, String>;

fn not_a_time(shown: &dyn fmt::Display) -> Time {
    Err(format!("eventTime is not a time: {shown}"))
}

impl<'de> Field<'de> for TimeField<'_> {
    type Out = Time;
    fn absent(self) -> Time {
        Ok(None)
    }
    fn text(self, s: Cow<'de, str>) -> Time {
        match crate::time::parse_iso8601(&s) {
            Some(t) => Ok(Some(t)),
            None => not_a_time(&format_args!("'{s}'")),
        }
    }
    fn boolean(self, b: bool) -> Time {
        not_a_time(&b)
    }
    fn number(self, n: Number) -> Time {
        match n.as_f64().filter(|f| f.is_finite() && f.abs() < 1e13) {
            // Whole seconds are enough for every use here.
            Some(f) => Ok(Some(f.floor() as i64)),
            None => not_a_time(&n),
        }
    }
    // An array or an object is quoted: built within the record's budget.
    fn seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Time, A::Error> {
        Ok(not_a_time(&Bounded(self.0).visit_seq(seq)?))
    }
    fn map<A: MapAccess<'de>>(self, map: A) -> Result<Time, A::Error> {
        Ok(not_a_time(&Bounded(self.0).visit_map(map)?))
    }
}

/// One string of an object (`additionalEventData.MFAUsed`…).
struct NestedField(Key);

impl<'de> Field<'de> for NestedField {
    type Out = Text<'de>;
    fn absent(self) -> Text<'de> {
        None
    }
    fn map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text<'de>, A::Error> {
        let mut out = None;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if key == self.0 {
                out = map.next_value_seed(Seed(TextField))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(out)
    }
}

/// `userIdentity`'s strings.
#[derive(Default)]
struct Identity<'de> {
    kind: Text<'de>,
    user_name: Text<'de>,
    arn: Text<'de>,
    access_key_id: Text<'de>,
    invoked_by: Text<'de>,
}

struct IdentityField;

impl<'de> Field<'de> for IdentityField {
    type Out = Identity<'de>;
    fn absent(self) -> Identity<'de> {
        Identity::default()
    }
    fn map<A: MapAccess<'de>>(self, mut map: A) -> Result<Identity<'de>, A::Error> {
        let mut out = Identity::default();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let slot = match key {
                Key::Type => &mut out.kind,
                Key::UserName => &mut out.user_name,
                Key::Arn => &mut out.arn,
                Key::AccessKeyId => &mut out.access_key_id,
                Key::InvokedBy => &mut out.invoked_by,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *slot = map.next_value_seed(Seed(TextField))?;
        }
        Ok(out)
    }
}

impl Identity<'_> {
    /// [`username`] of the same identity.
    fn username(&self) -> Option<&str> {
        let last_part = || self.arn.as_deref().and_then(|a| a.rsplit('/').next());
        match self.kind.as_deref() {
            Some("Root") => Some("root"),
            Some("AssumedRole" | "FederatedUser") => last_part().or(self.user_name.as_deref()),
            _ => self.user_name.as_deref(),
        }
        .filter(|u| !u.is_empty())
    }
}

type Resource<'de> = (Text<'de>, Text<'de>);

/// `resources[]`, each one value of the record's budget: a list of
/// millions of `{}` would otherwise be millions of pairs. Written over
/// the list of the record before, its strings reused.
struct ResourcesField<'a>(&'a Budget, &'a mut Resources);

type Resources = Vec<(Option<String>, Option<String>)>;

impl<'de> Field<'de> for ResourcesField<'_> {
    type Out = ();
    fn absent(self) {
        self.1.clear();
    }
    fn seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut n = 0;
        while let Some((kind, arn)) = seq.next_element_seed(Seed(ResourceField))? {
            self.0.take()?;
            match self.1.get_mut(n) {
                Some((k, a)) => {
                    put(k, kind.as_deref());
                    put(a, arn.as_deref());
                }
                None => self.1.push((own(kind), own(arn))),
            }
            n += 1;
        }
        self.1.truncate(n);
        Ok(())
    }
}

/// One resource: `{type, ARN}`, both absent when it is not an object.
struct ResourceField;

impl<'de> Field<'de> for ResourceField {
    type Out = Resource<'de>;
    fn absent(self) -> Resource<'de> {
        (None, None)
    }
    fn map<A: MapAccess<'de>>(self, mut map: A) -> Result<Resource<'de>, A::Error> {
        let mut out = (None, None);
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key {
                Key::Type => out.0 = map.next_value_seed(Seed(TextField))?,
                Key::ResourceArn => out.1 = map.next_value_seed(Seed(TextField))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }
}

/// What [`Event::from_record`] reads of a record, as read: a key given
/// twice counts by its last value, as in a `Value`.
pub(super) struct Fields<'de> {
    event_id: Text<'de>,
    time: Time,
    event_type: Text<'de>,
    error_message: Text<'de>,
    event_name: Text<'de>,
    event_source: Text<'de>,
    /// All absent when missing or not an object (no user name either).
    identity: Identity<'de>,
    /// Whether the record has `resources` (read into the event's own).
    resources: bool,
    read_only: Text<'de>,
    error_code: Text<'de>,
    user_agent: Text<'de>,
    source_ip: Text<'de>,
    mfa_used: Text<'de>,
    console_login: Text<'de>,
    region: Text<'de>,
    category: Text<'de>,
    management: Option<bool>,
}

/// A record: its fields when it is an object, else none; its resources
/// read into the list given.
pub(super) struct RecordField<'a>(pub(super) &'a Budget, pub(super) &'a mut Resources);

impl<'de> Field<'de> for RecordField<'_> {
    type Out = Option<Fields<'de>>;
    fn absent(self) -> Option<Fields<'de>> {
        None
    }
    fn map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Fields<'de>>, A::Error> {
        let mut f = Fields {
            event_id: None,
            time: Ok(None),
            event_type: None,
            error_message: None,
            event_name: None,
            event_source: None,
            identity: Identity::default(),
            resources: false,
            read_only: None,
            error_code: None,
            user_agent: None,
            source_ip: None,
            mfa_used: None,
            console_login: None,
            region: None,
            category: None,
            management: None,
        };
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let slot = match key {
                Key::EventId => &mut f.event_id,
                Key::EventType => &mut f.event_type,
                Key::ErrorMessage => &mut f.error_message,
                Key::EventName => &mut f.event_name,
                Key::EventSource => &mut f.event_source,
                Key::ErrorCode => &mut f.error_code,
                Key::UserAgent => &mut f.user_agent,
                Key::SourceIp => &mut f.source_ip,
                Key::Region => &mut f.region,
                Key::EventCategory => &mut f.category,
                Key::EventTime => {
                    f.time = map.next_value_seed(Seed(TimeField(self.0)))?;
                    continue;
                }
                Key::UserIdentity => {
                    f.identity = map.next_value_seed(Seed(IdentityField))?;
                    continue;
                }
                Key::Resources => {
                    map.next_value_seed(Seed(ResourcesField(self.0, &mut *self.1)))?;
                    f.resources = true;
                    continue;
                }
                Key::ReadOnly => {
                    f.read_only = map.next_value_seed(Seed(ReadOnlyField))?;
                    continue;
                }
                Key::ManagementEvent => {
                    f.management = map.next_value_seed(Seed(BoolField))?;
                    continue;
                }
                Key::AdditionalEventData => {
                    f.mfa_used = map.next_value_seed(Seed(NestedField(Key::MfaUsed)))?;
                    continue;
                }
                Key::ResponseElements => {
                    f.console_login = map.next_value_seed(Seed(NestedField(Key::ConsoleLogin)))?;
                    continue;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *slot = map.next_value_seed(Seed(TextField))?;
        }
        Ok(Some(f))
    }
}

/// `slot` made `value`, its string's capacity kept when it has one.
fn put(slot: &mut Option<String>, value: Option<&str>) {
    match (slot.as_mut(), value) {
        (Some(s), Some(v)) => {
            s.clear();
            s.push_str(v);
        }
        (None, Some(v)) => *slot = Some(v.to_owned()),
        (_, None) => *slot = None,
    }
}

fn own(t: Text<'_>) -> Option<String> {
    t.map(Cow::into_owned)
}

impl Fields<'_> {
    /// `e` made the event [`Event::from_record`] makes of the same
    /// record (its resources already read by [`RecordField`]); left
    /// partly written when the record is not one.
    pub(super) fn fill(self, e: &mut Event) -> Result<(), String> {
        let id = self.event_id.ok_or("no eventID")?;
        let at = self.time?.ok_or("no eventTime")?;
        // Every field named: one added to Event must be written here too,
        // or it would keep the record before's value.
        let Event {
            event_id,
            event_type,
            error_message,
            time,
            event_name,
            event_source,
            username,
            resources,
            access_key_id,
            read_only,
            error_code,
            user_agent,
            source_ip,
            user_arn,
            event_time,
            user_type,
            invoked_by,
            mfa_used,
            console_login,
            region,
            category,
        } = e;
        event_id.clear();
        event_id.push_str(&id);
        if !self.resources {
            resources.clear();
        }
        let identity = &self.identity;
        put(username, identity.username());
        put(event_type, self.event_type.as_deref());
        put(error_message, self.error_message.as_deref());
        *time = Some(at);
        put(event_name, self.event_name.as_deref());
        put(event_source, self.event_source.as_deref());
        put(access_key_id, identity.access_key_id.as_deref());
        put(read_only, self.read_only.as_deref());
        put(error_code, self.error_code.as_deref());
        put(user_agent, self.user_agent.as_deref());
        put(source_ip, self.source_ip.as_deref());
        put(user_arn, identity.arn.as_deref());
        *event_time = Some(at);
        put(user_type, identity.kind.as_deref());
        put(invoked_by, identity.invoked_by.as_deref());
        put(mfa_used, self.mfa_used.as_deref());
        put(console_login, self.console_login.as_deref());
        put(region, self.region.as_deref());
        *category = Some(EventCategory::of_fields(
            self.category.as_deref(),
            self.management,
        ));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_read_is_found_by_its_name() {
        let names = [
            ("Records", Key::Records),
            ("eventID", Key::EventId),
            ("eventTime", Key::EventTime),
            ("eventType", Key::EventType),
            ("errorMessage", Key::ErrorMessage),
            ("eventName", Key::EventName),
            ("eventSource", Key::EventSource),
            ("userIdentity", Key::UserIdentity),
            ("resources", Key::Resources),
            ("readOnly", Key::ReadOnly),
            ("errorCode", Key::ErrorCode),
            ("userAgent", Key::UserAgent),
            ("sourceIPAddress", Key::SourceIp),
            ("additionalEventData", Key::AdditionalEventData),
            ("responseElements", Key::ResponseElements),
            ("awsRegion", Key::Region),
            ("eventCategory", Key::EventCategory),
            ("managementEvent", Key::ManagementEvent),
            ("type", Key::Type),
            ("userName", Key::UserName),
            ("arn", Key::Arn),
            ("accessKeyId", Key::AccessKeyId),
            ("invokedBy", Key::InvokedBy),
            ("ARN", Key::ResourceArn),
            ("MFAUsed", Key::MfaUsed),
            ("ConsoleLogin", Key::ConsoleLogin),
        ];
        for (name, k) in names {
            assert!(key(name) == k, "{name}");
        }
        for other in ["", "eventid", "Type", "eventVersion", "records", "arn "] {
            assert!(key(other) == Key::Other, "{other}");
        }
    }
}
