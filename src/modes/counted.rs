//! The events of a log-file read as they are counted: most as a compact
//! [`Counted`] (24 bytes: an id, a time, which counters it adds to), the
//! rest as full [`Event`]s — those long output lists, and those whose
//! eventID would not survive the compact form. An `Event` is ~500 bytes
//! before its text, so a busy window is only countable compact.

use std::collections::HashSet;

use crate::aws::cloudtrail::Event;

/// One event that counts, without its fields: what counting, dedupe and
/// securityevents' first-seen ids need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counted {
    /// The eventID as a UUID ([`uuid`]).
    pub id: [u8; 16],
    /// `eventTime`, epoch seconds: u32 reaches 2106 and keeps the struct
    /// at 24 bytes instead of 32.
    pub time: u32,
    /// The counters it adds to: countevents bit 0; securityevents bit i
    /// for its i-th selected category.
    pub tags: u16,
}

/// What [`Counted::pack`] writes per event.
pub const PACKED: usize = 22;

impl Counted {
    /// The compact form of `e`, when it round-trips: its id a canonical
    /// UUID (what CloudTrail writes) and its time within u32. Anything
    /// else stays a full event, so the eventID compared by dedupe and
    /// the first-seen state is always the record's own text.
    pub fn of(e: &Event, tags: u16) -> Option<Counted> {
        Some(Counted {
            id: uuid(&e.event_id)?,
            time: u32::try_from(e.time?).ok()?,
            tags,
        })
    }

    /// `time` as [`Event::time`] has it.
    pub fn at(&self) -> i64 {
        i64::from(self.time)
    }

    /// The id as the record wrote it.
    pub fn event_id(&self) -> String {
        uuid_text(&self.id)
    }

    /// Little-endian id, time, tags.
    pub fn pack(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.id);
        out.extend_from_slice(&self.time.to_le_bytes());
        out.extend_from_slice(&self.tags.to_le_bytes());
    }

    /// What [`Counted::pack`] wrote, `PACKED` bytes.
    pub fn unpack(b: &[u8; PACKED]) -> Counted {
        let mut id = [0; 16];
        id.copy_from_slice(&b[..16]);
        Counted {
            id,
            time: u32::from_le_bytes([b[16], b[17], b[18], b[19]]),
            tags: u16::from_le_bytes([b[20], b[21]]),
        }
    }
}

/// Where the hyphens of a canonical UUID are, in its text.
const HYPHENS: [usize; 4] = [8, 13, 18, 23];

/// The 16 bytes of a canonical lowercase UUID (`8-4-4-4-12` hex digits);
/// `None` for any other text, which would not render back the same.
pub fn uuid(text: &str) -> Option<[u8; 16]> {
    let canonical = text.len() == 36
        && text
            .bytes()
            .enumerate()
            .all(|(i, c)| match HYPHENS.contains(&i) {
                true => c == b'-',
                false => matches!(c, b'0'..=b'9' | b'a'..=b'f'),
            });
    if !canonical {
        return None;
    }
    // Each group of hex digits into its bytes: no allocation per record.
    let mut out = [0u8; 16];
    let mut at = 0;
    for group in text.split('-') {
        let bytes = out.get_mut(at..at + group.len() / 2)?;
        hex::decode_to_slice(group, bytes).ok()?;
        at += group.len() / 2;
    }
    Some(out)
}

/// The canonical lowercase text of a UUID's bytes.
pub fn uuid_text(id: &[u8; 16]) -> String {
    let hex = hex::encode(id);
    let mut out = String::with_capacity(36);
    for (i, c) in hex.chars().enumerate() {
        if matches!(i, 8 | 12 | 16 | 20) {
            out.push('-');
        }
        out.push(c);
    }
    out
}

/// The events of a read that count: `full` ones (listed by long output,
/// or of an id without compact form) and `compact` ones.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    pub full: Vec<Event>,
    pub compact: Vec<Counted>,
}

impl Tally {
    /// A list of full events (LookupEvents' reads).
    pub fn of_events(full: Vec<Event>) -> Tally {
        Tally {
            full,
            compact: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.full.len() + self.compact.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each eventID once, as LookupEvents gives it (CloudTrail may deliver
    /// an event twice; securityevents' home-region read sees some again):
    /// the first full event of an id, and one compact event of an id with
    /// the counters of all. The compact ones end in id order, which
    /// nothing shown depends on; sorting in place holds no second set.
    pub fn dedupe(&mut self) {
        let mut seen = HashSet::new();
        self.full.retain(|e| seen.insert(e.event_id.clone()));
        self.compact.sort_unstable_by_key(|c| c.id);
        self.compact.dedup_by(|later, first| {
            let same = later.id == first.id;
            if same {
                first.tags |= later.tags;
            }
            same
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3038ebd2-c98a-4c65-9b6e-e22506292313";

    #[test]
    fn compact_is_small() {
        assert_eq!(std::mem::size_of::<Counted>(), 24);
    }

    #[test]
    fn canonical_uuids_round_trip_and_nothing_else_is_compact() {
        let bytes = uuid(ID).unwrap();
        assert_eq!(uuid_text(&bytes), ID);
        assert_eq!(bytes[0], 0x30);
        assert_eq!(bytes[15], 0x13);
        for other in [
            "3038EBD2-C98A-4C65-9B6E-E22506292313",
            "3038ebd2c98a4c659b6ee22506292313",
            "{3038ebd2-c98a-4c65-9b6e-e22506292313}",
            "3038ebd2-c98a-4c65-9b6e-e2250629231g",
            "3038ebd2-c98a-4c65-9b6e-e2250629231",
            "3038ebd2-c98a-4c65-9b6ee-2250629231",
            "3038ebd2-c98a-4c65-9b6e-e22506292313 ",
            "é038ebd2-c98a-4c65-9b6e-e2250629231",
            "",
            "e1",
        ] {
            assert_eq!(uuid(other), None, "{other}");
            assert_eq!(Counted::of(&Event::at(other, 5), 1), None, "{other}");
        }
        let c = Counted::of(&Event::at(ID, 1_700_000_000), 0b101).unwrap();
        assert_eq!(
            (c.event_id(), c.at(), c.tags),
            (ID.into(), 1_700_000_000, 5)
        );
        // A time outside u32 (or none) keeps the full event.
        assert_eq!(Counted::of(&Event::at(ID, -1), 1), None);
        assert_eq!(Counted::of(&Event::at(ID, 1 << 32), 1), None);
        assert_eq!(
            Counted::of(
                &Event {
                    time: None,
                    ..Event::at(ID, 0)
                },
                1
            ),
            None
        );
    }

    #[test]
    fn packed_round_trip() {
        let c = Counted {
            id: uuid(ID).unwrap(),
            time: u32::MAX - 7,
            tags: 0x4001,
        };
        let mut buf = Vec::new();
        c.pack(&mut buf);
        assert_eq!(buf.len(), PACKED);
        let b: [u8; PACKED] = buf.as_slice().try_into().unwrap();
        assert_eq!(Counted::unpack(&b), c);
    }

    #[test]
    fn dedupe_counts_an_id_once_and_merges_its_counters() {
        let other = "00000000-0000-4000-8000-000000000001";
        let c = |id: &str, tags: u16| Counted::of(&Event::at(id, 10), tags).unwrap();
        let mut t = Tally {
            full: vec![Event::at("x", 1), Event::at("y", 2), Event::at("x", 3)],
            compact: vec![c(ID, 1), c(other, 1), c(ID, 2)],
        };
        t.dedupe();
        assert_eq!(t.full, [Event::at("x", 1), Event::at("y", 2)]);
        let mut ids: Vec<(String, u16)> =
            t.compact.iter().map(|c| (c.event_id(), c.tags)).collect();
        ids.sort();
        assert_eq!(ids, [(other.into(), 1), (ID.into(), 3)]);
        assert_eq!(t.len(), 4);
    }
}
