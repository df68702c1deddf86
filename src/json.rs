//! JSON from outside (AWS answers, the aws CLI's output, credential
//! documents, CloudTrail records) parsed under a budget of values, so the
//! memory a parse takes follows from the size of the bytes, never from
//! their shape: 16 MB of `[1,1,1,…]` would otherwise become 8 million
//! 32-byte values (256 MB). Lists whose length the API bounds are read
//! one element at a time and refused past that length before the rest
//! is built ([`read_list`]).
//!
//! `serde_core` is the trait half of serde that `serde_json` is built on
//! (already compiled in, no derive): its `DeserializeSeed` lets a parse
//! count as it builds.

use std::cell::{Cell, RefCell};
use std::fmt;

use serde_core::de::{
    self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::{Map, Value};

/// The most values one parse keeps (every scalar, list, object and key
/// counts one). A LookupEvents page holds about 20 per event outside its
/// records, and one CloudTrail record a few hundred (the largest real
/// ones, 256 KB, some thousands): 100,000 is far above any real answer,
/// and at under 100 bytes a value it bounds a parse to about 10 MB on top
/// of the text itself.
pub const MAX_VALUES: usize = 100_000;

/// Why a page could not be read: not JSON at all (the caller says what
/// the bytes were, and quotes them), or JSON of the wrong shape.
#[derive(Debug)]
pub enum ReadError {
    NotJson(serde_json::Error),
    Shape(String),
}

/// Values left to a parse, and the first error of our own (kept apart
/// from serde_json's, which would add a position to its text).
pub(crate) struct Budget {
    left: Cell<usize>,
    why: RefCell<Option<String>>,
}

impl Budget {
    pub(crate) fn new() -> Budget {
        Budget {
            left: Cell::new(MAX_VALUES),
            why: RefCell::new(None),
        }
    }

    pub(crate) fn fail<E: de::Error>(&self, why: String) -> E {
        let mut slot = self.why.borrow_mut();
        if slot.is_none() {
            *slot = Some(why);
        }
        E::custom("refused")
    }

    pub(crate) fn take<E: de::Error>(&self) -> Result<(), E> {
        match self.left.get().checked_sub(1) {
            Some(n) => {
                self.left.set(n);
                Ok(())
            }
            None => Err(self.fail(format!("more than {MAX_VALUES} JSON values"))),
        }
    }

    /// A new item's budget: the values of the one before were dropped.
    pub(crate) fn refill(&self) {
        self.left.set(MAX_VALUES);
    }

    /// A parse's error: ours when we raised it, else serde_json's, which
    /// says the bytes are not JSON, or — a data error — that they are
    /// not the object expected (`not_object`).
    pub(crate) fn error(self, e: serde_json::Error, not_object: &str) -> ReadError {
        match self.why.into_inner() {
            Some(why) => ReadError::Shape(why),
            None if e.is_data() => ReadError::Shape(not_object.to_owned()),
            None => ReadError::NotJson(e),
        }
    }
}

/// Builds a `Value`, one unit of the budget per value.
pub(crate) struct Bounded<'a>(pub(crate) &'a Budget);

impl<'de> DeserializeSeed<'de> for Bounded<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Bounded<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        self.0.take()?;
        Ok(Value::Bool(b))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        self.0.take()?;
        Ok(Value::from(n))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        self.0.take()?;
        Ok(Value::from(n))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Value, E> {
        self.0.take()?;
        Ok(Value::from(n))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        self.0.take()?;
        Ok(Value::String(s.to_owned()))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        self.0.take()?;
        Ok(Value::String(s))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.0.take()?;
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.0.take()?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Bounded(self.0))? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.0.take()?;
        let mut out = Map::new();
        while let Some(k) = map.next_key::<String>()? {
            self.0.take()?;
            let v = map.next_value_seed(Bounded(self.0))?;
            out.insert(k, v);
        }
        Ok(Value::Object(out))
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotJson(e) => write!(f, "{e}"),
            ReadError::Shape(s) => f.write_str(s),
        }
    }
}

/// Any JSON document, within [`MAX_VALUES`].
pub fn parse(bytes: &[u8]) -> Result<Value, ReadError> {
    let budget = Budget::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let read = Bounded(&budget).deserialize(&mut de).and_then(|v| {
        de.end()?;
        Ok(v)
    });
    read.map_err(|e| match budget.why.into_inner() {
        Some(why) => ReadError::Shape(why),
        None => ReadError::NotJson(e),
    })
}

/// One answer as it came (a body, the aws CLI's stdout), with what to
/// call it when it is not JSON: the message quotes it.
pub struct Answer {
    pub bytes: Vec<u8>,
    /// `HTTP 200 body is not JSON`, `the aws CLI printed no JSON`.
    pub not_json: String,
}

impl Answer {
    /// The `unexpected response` detail for a read error of this answer.
    pub fn detail(&self, e: ReadError) -> String {
        match e {
            ReadError::NotJson(e) => format!(
                "{} ({e}): {}",
                self.not_json,
                crate::error::one_line(&String::from_utf8_lossy(&self.bytes))
            ),
            ReadError::Shape(s) => s,
        }
    }

    /// The whole answer as a (bounded) `Value`.
    pub fn value(&self) -> Result<Value, String> {
        parse(&self.bytes).map_err(|e| self.detail(e))
    }
}

/// What [`read_list`] reads: the object's list under `key`, at most `max`
/// items long (`noun` names them in messages), and its `NextToken`.
pub struct List<'a> {
    pub key: &'a str,
    pub max: usize,
    pub noun: &'a str,
}

/// One page of a list API: `{key: [...], "NextToken": ...}`. Each item is
/// built as a bounded `Value`, handed to `item` (with its index) and
/// dropped, so only the page's bytes and the items made from them are
/// held; the item past `max` is refused before it is built.
pub fn read_list<T>(
    bytes: &[u8],
    list: &List<'_>,
    item: &mut dyn FnMut(usize, &Value) -> Result<T, String>,
) -> Result<(Vec<T>, Option<String>), ReadError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    list_from(&mut de, list, item)
}

fn list_from<'de, R: serde_json::de::Read<'de>, T>(
    de: &mut serde_json::Deserializer<R>,
    list: &List<'_>,
    item: &mut dyn FnMut(usize, &Value) -> Result<T, String>,
) -> Result<(Vec<T>, Option<String>), ReadError> {
    let budget = Budget::new();
    let page = PageVisitor {
        budget: &budget,
        list,
        item,
    };
    let read = de.deserialize_map(page).and_then(|v| {
        de.end()?;
        Ok(v)
    });
    let (items, token) =
        read.map_err(|e| budget.error(e, &format!("no {} in the answer", list.key)))?;
    let items = items.ok_or_else(|| ReadError::Shape(format!("no {} in the answer", list.key)))?;
    let next = match token {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => return Err(ReadError::Shape("NextToken is not a string".into())),
    };
    Ok((items, next))
}

struct PageVisitor<'a, 'b, T> {
    budget: &'a Budget,
    list: &'a List<'a>,
    item: &'b mut dyn FnMut(usize, &Value) -> Result<T, String>,
}

impl<'de, T> Visitor<'de> for PageVisitor<'_, '_, T> {
    type Value = (Option<Vec<T>>, Option<Value>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut items, mut token) = (None, None);
        while let Some(k) = map.next_key::<String>()? {
            if k == self.list.key {
                let seed = ItemsSeed {
                    budget: self.budget,
                    list: self.list,
                    item: &mut *self.item,
                };
                items = Some(map.next_value_seed(seed)?);
            } else if k == "NextToken" {
                token = Some(map.next_value_seed(Bounded(self.budget))?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok((items, token))
    }
}

struct ItemsSeed<'a, 'b, T> {
    budget: &'a Budget,
    list: &'a List<'a>,
    item: &'b mut dyn FnMut(usize, &Value) -> Result<T, String>,
}

impl<'de, T> DeserializeSeed<'de> for ItemsSeed<'_, '_, T> {
    type Value = Vec<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<T> ItemsSeed<'_, '_, T> {
    fn not_a_list<E: de::Error>(&self) -> E {
        self.budget.fail(format!("{} is not a list", self.list.key))
    }
}

impl<'de, T> Visitor<'de> for ItemsSeed<'_, '_, T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} as a list", self.list.key)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut out = Vec::new();
        loop {
            if out.len() == self.list.max {
                // One more is enough to know: it is skipped, not built.
                return match seq.next_element::<IgnoredAny>()? {
                    None => Ok(out),
                    Some(_) => Err(self.budget.fail(format!(
                        "more than {} {} in one page (at most {} were asked for)",
                        self.list.max, self.list.noun, self.list.max
                    ))),
                };
            }
            let Some(v) = seq.next_element_seed(Bounded(self.budget))? else {
                return Ok(out);
            };
            let index = out.len();
            out.push((self.item)(index, &v).map_err(|why| self.budget.fail(why))?);
            // The item's values are dropped: they no longer count.
            self.budget.refill();
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Vec<T>, A::Error> {
        Err(self.not_a_list())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Vec<T>, E> {
        Err(self.not_a_list())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Vec<T>, E> {
        Err(self.not_a_list())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Vec<T>, E> {
        Err(self.not_a_list())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Vec<T>, E> {
        Err(self.not_a_list())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Vec<T>, E> {
        Err(self.not_a_list())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
        Err(self.not_a_list())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(bytes: &[u8], max: usize) -> Result<(Vec<u64>, Option<String>), String> {
        let list = List {
            key: "Events",
            max,
            noun: "events",
        };
        read_list(bytes, &list, &mut |i, v| {
            v.as_u64()
                .ok_or_else(|| format!("event #{}: not a number", i + 1))
        })
        .map_err(|e| match e {
            ReadError::NotJson(e) => format!("not JSON ({e})"),
            ReadError::Shape(s) => s,
        })
    }

    #[test]
    fn pages_are_read_item_by_item_within_their_length() {
        assert_eq!(
            events(br#"{"x":[[{}]],"Events":[1,2],"NextToken":"t"}"#, 2),
            Ok((vec![1, 2], Some("t".into())))
        );
        assert_eq!(
            events(br#"{"Events":[],"NextToken":""}"#, 2),
            Ok((vec![], None))
        );
        assert_eq!(
            events(br#"{"Events":[1,2,3]}"#, 2).unwrap_err(),
            "more than 2 events in one page (at most 2 were asked for)"
        );
        assert_eq!(
            events(br#"{"Events":[1,"a"]}"#, 2).unwrap_err(),
            "event #2: not a number"
        );
        assert_eq!(
            events(br#"{"Events":{}}"#, 2).unwrap_err(),
            "Events is not a list"
        );
        assert_eq!(
            events(br#"{"Events":"x"}"#, 2).unwrap_err(),
            "Events is not a list"
        );
        assert_eq!(
            events(br#"{"Items":[]}"#, 2).unwrap_err(),
            "no Events in the answer"
        );
        assert_eq!(events(br#"[1]"#, 2).unwrap_err(), "no Events in the answer");
        assert_eq!(
            events(br#"{"Events":[],"NextToken":5}"#, 2).unwrap_err(),
            "NextToken is not a string"
        );
        assert!(
            events(br#"{"Events":[1"#, 2)
                .unwrap_err()
                .starts_with("not JSON")
        );
        assert!(
            events(br#"{"Events":[]} x"#, 2)
                .unwrap_err()
                .starts_with("not JSON")
        );
    }

    #[test]
    fn a_page_of_many_tiny_events_is_refused_at_the_first_extra_one() {
        let mut page = b"{\"Events\":[".to_vec();
        page.extend(b"1,".repeat(600_000));
        page.extend(b"1]}");
        assert_eq!(
            events(&page, 50).unwrap_err(),
            "more than 50 events in one page (at most 50 were asked for)"
        );
    }

    #[test]
    fn values_are_budgeted() {
        let many = format!("[{}0]", "0,".repeat(MAX_VALUES));
        assert_eq!(
            parse(many.as_bytes()).unwrap_err().to_string(),
            "more than 100000 JSON values"
        );
        let fits = format!("[{}0]", "0,".repeat(MAX_VALUES - 2));
        assert_eq!(
            parse(fits.as_bytes()).unwrap().as_array().unwrap().len(),
            MAX_VALUES - 1
        );
        // Inside one item of a page too.
        let page = format!("{{\"Events\":[{many}]}}");
        assert_eq!(
            events(page.as_bytes(), 50).unwrap_err(),
            "more than 100000 JSON values"
        );
        // Deep nesting stops at serde_json's recursion limit.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(
            parse(deep.as_bytes())
                .unwrap_err()
                .to_string()
                .contains("recursion limit")
        );
        assert_eq!(
            parse(br#"{"a":[1,2.5,"x",null,true,{"b":{}}]}"#).unwrap(),
            serde_json::json!({"a":[1,2.5,"x",null,true,{"b":{}}]})
        );
    }
}
