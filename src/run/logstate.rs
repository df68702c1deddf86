//! What `--source=s3` keeps between runs in the state directory, per
//! log folder (bucket, prefix, organization, account, kind, region),
//! `--delta` and `--event-category`: for each log file already read whose
//! name is still listed, its key and its events that a future window may
//! count — those of the category from the window's start on, every field
//! kept ([`Event::to_row`]), so every filter, `--exclude-self` and
//! `--verbose` apply to them as to a fresh read. A log file never changes
//! once written, so a file kept is not fetched again; the state only
//! saves work, the answer is that of a whole read.

use std::collections::HashMap;
use std::io::{self, Read, Write};

use serde_json::{Value, json};

use crate::aws::cloudtrail::Event;
use crate::modes::countevents::MAX_CACHED_EVENTS;
use crate::statefile::{self, VERSION};

/// The layout of the file: a header line, then per file a line
/// `{"key": K, "events": N}` and its N events, one row a line.
const FORMAT: u64 = 1;

/// The file's size cap, that of the api source's events
/// (`window::EVENTS_CAP`): [`MAX_CACHED_EVENTS`] rows with room to spare,
/// plus the keys.
pub const CAP: u64 = super::window::EVENTS_CAP + MAX_FILES as u64 * 256;

/// Files kept at most: a region's folder gets ~288 a day per account, so
/// this is weeks of them; each costs its key (~120 bytes).
pub const MAX_FILES: usize = 20_000;

/// What the file is written for: a file written for another folder or
/// category is refused, and so is one whose events start after this
/// window's start (another `--delta`, or a clock set back): events this
/// window counts may not be in it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Header<'a> {
    pub bucket: &'a str,
    pub folder: &'a str,
    pub category: &'a str,
    /// The window's start, epoch seconds: the events of each file from
    /// this instant on are kept.
    pub from: i64,
}

/// The files kept: key → the events of the file kept (in the file's
/// order).
pub type Kept = HashMap<String, Vec<Event>>;

/// Why `files` are not kept, if they are not: more files or events than
/// the caps.
pub fn too_many<'a>(files: impl Iterator<Item = &'a Vec<Event>>) -> Option<String> {
    let (mut n, mut events) = (0usize, 0usize);
    for f in files {
        n += 1;
        events = events.saturating_add(f.len());
    }
    if n > MAX_FILES {
        Some(format!("{n} log files, over the {MAX_FILES} kept"))
    } else if events > MAX_CACHED_EVENTS {
        Some(format!(
            "{events} events, over the {MAX_CACHED_EVENTS} kept"
        ))
    } else {
        None
    }
}

/// Writes `files` (key, events) for `h`, the keys in the order given.
pub fn encode<'a>(
    w: &mut impl Write,
    h: Header<'_>,
    files: impl Iterator<Item = (&'a str, &'a [Event])> + Clone,
) -> io::Result<()> {
    let (mut count, mut events) = (0usize, 0usize);
    for (_, e) in files.clone() {
        count += 1;
        events += e.len();
    }
    let head = json!({"version": VERSION, "format": FORMAT, "bucket": h.bucket,
        "folder": h.folder, "category": h.category, "from": h.from,
        "files": count, "events": events});
    serde_json::to_writer(&mut *w, &head)?;
    for (key, evs) in files {
        w.write_all(b"\n")?;
        serde_json::to_writer(&mut *w, &json!({"key": key, "events": evs.len()}))?;
        for e in evs {
            w.write_all(b"\n")?;
            serde_json::to_writer(&mut *w, &e.to_row())?;
        }
    }
    w.write_all(b"\n")
}

/// Reads a file [`encode`] wrote for `h` (or for an earlier window of the
/// same folder); why not, otherwise (then every file is read again).
/// Bounded by its header's counts, themselves within the caps, and
/// checked against them: a cut file is refused.
pub fn decode(r: impl Read, h: Header<'_>) -> Result<Kept, String> {
    let (head, mut lines) = statefile::JsonLines::open(r, FORMAT)?;
    let text = |k: &str| head.get(k).and_then(Value::as_str);
    if text("bucket") != Some(h.bucket)
        || text("folder") != Some(h.folder)
        || text("category") != Some(h.category)
    {
        return Err("written for another folder or category".into());
    }
    let count = |k: &str| {
        head.get(k)
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
    };
    let (Some(from), Some(files), Some(events)) = (
        head.get("from").and_then(Value::as_i64),
        count("files"),
        count("events"),
    ) else {
        return Err("header incomplete".into());
    };
    if from > h.from {
        return Err("its events start after this window's start".into());
    }
    if files > MAX_FILES || events > MAX_CACHED_EVENTS {
        return Err(format!("{files} files and {events} events, over the caps"));
    }
    let mut kept = Kept::with_capacity(files);
    let mut left = events;
    while let Some(line) = lines.next_value()? {
        if kept.len() == files {
            return Err("more files than its header says".into());
        }
        let (Some(key), Some(n)) = (
            line.get("key").and_then(Value::as_str),
            line.get("events")
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok()),
        ) else {
            return Err("a malformed file entry".into());
        };
        if n > left {
            return Err("more events than its header says".into());
        }
        left -= n;
        let mut evs = Vec::with_capacity(n);
        for _ in 0..n {
            let row = lines.next_value()?.ok_or("fewer events than it says")?;
            evs.push(Event::from_row(&row).ok_or("an event without an id or a time")?);
        }
        if kept.insert(key.to_owned(), evs).is_some() {
            return Err("a file listed twice".into());
        }
    }
    if kept.len() != files || left != 0 {
        return Err("fewer files or events than its header says".into());
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: Header<'static> = Header {
        bucket: "b",
        folder: "AWSLogs/1/CloudTrail/us-east-1/",
        category: "Management",
        from: 1000,
    };

    fn ev(id: &str, time: i64) -> Event {
        Event {
            event_id: id.to_owned(),
            time: Some(time),
            event_name: Some("RunInstances".into()),
            user_arn: Some("arn:aws:iam::1:user/a".into()),
            resources: vec![(
                Some("AWS::S3::Object".into()),
                Some("arn:aws:s3:::x/y".into()),
            )],
            category: Some(crate::aws::cloudtrail::EventCategory::Management),
            ..Event::default()
        }
    }

    fn sample() -> Vec<(String, Vec<Event>)> {
        vec![
            ("k1".into(), vec![ev("a", 1000), ev("b", 1100)]),
            ("k2".into(), Vec::new()),
            ("k3".into(), vec![ev("c", 1200)]),
        ]
    }

    fn bytes(h: Header<'_>, files: &[(String, Vec<Event>)]) -> Vec<u8> {
        let mut buf = Vec::new();
        encode(
            &mut buf,
            h,
            files.iter().map(|(k, e)| (k.as_str(), e.as_slice())),
        )
        .unwrap();
        buf
    }

    #[test]
    fn what_is_written_is_read_back() {
        let files = sample();
        let back = decode(bytes(H, &files).as_slice(), H).unwrap();
        assert_eq!(back, files.into_iter().collect::<Kept>());
        // A later window of the same folder reads it too.
        assert!(decode(bytes(H, &sample()).as_slice(), Header { from: 2000, ..H }).is_ok());
    }

    #[test]
    fn another_folder_window_version_or_format_is_refused() {
        let buf = bytes(H, &sample());
        for (h, why) in [
            (Header { folder: "x/", ..H }, "another folder"),
            (Header { bucket: "c", ..H }, "another folder"),
            (
                Header {
                    category: "Data",
                    ..H
                },
                "or category",
            ),
            (Header { from: 999, ..H }, "start after"),
        ] {
            let e = decode(buf.as_slice(), h).unwrap_err();
            assert!(e.contains(why), "{e}");
        }
        let text = String::from_utf8(buf).unwrap();
        let other = text.replacen("\"format\":1", "\"format\":2", 1);
        assert!(decode(other.as_bytes(), H).unwrap_err().contains("format"));
        let other = text.replacen("\"version\":1", "\"version\":9", 1);
        assert!(decode(other.as_bytes(), H).unwrap_err().contains("version"));
        for bad in ["", "{}", "not json", "[1]\n[2]"] {
            assert!(decode(bad.as_bytes(), H).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_cut_or_padded_file_is_refused() {
        let text = String::from_utf8(bytes(H, &sample())).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // Header, k1 and 2 rows, k2, k3 and 1 row.
        assert_eq!(lines.len(), 7);
        for n in 1..lines.len() {
            let cut = lines[..n].join("\n");
            assert!(decode(cut.as_bytes(), H).is_err(), "cut at {n}");
        }
        let more = format!("{text}{}\n", json!({"key": "k4", "events": 0}));
        assert!(
            decode(more.as_bytes(), H)
                .unwrap_err()
                .contains("more files")
        );
        let twice = text.replacen("\"key\":\"k3\"", "\"key\":\"k1\"", 1);
        assert!(decode(twice.as_bytes(), H).unwrap_err().contains("twice"));
        let row = text.replacen("\"events\":0", "\"events\":1", 1);
        assert!(decode(row.as_bytes(), H).is_err());
        let no_time = text.replacen("[\"c\",1200", "[\"c\",null", 1);
        assert!(
            decode(no_time.as_bytes(), H)
                .unwrap_err()
                .contains("without")
        );
    }

    #[test]
    fn the_caps_are_checked_on_both_sides() {
        let text = String::from_utf8(bytes(H, &sample())).unwrap();
        let over = text.replacen(
            "\"events\":3",
            &format!("\"events\":{}", MAX_CACHED_EVENTS + 1),
            1,
        );
        assert!(
            decode(over.as_bytes(), H)
                .unwrap_err()
                .contains("over the caps")
        );
        let over = text.replacen("\"files\":3", &format!("\"files\":{}", MAX_FILES + 1), 1);
        assert!(
            decode(over.as_bytes(), H)
                .unwrap_err()
                .contains("over the caps")
        );
        let many = vec![ev("a", 1000); MAX_CACHED_EVENTS + 1];
        assert!(too_many([many].iter()).unwrap().contains("events"));
        let files = vec![Vec::new(); MAX_FILES + 1];
        assert!(too_many(files.iter()).unwrap().contains("log files"));
        assert_eq!(too_many(sample().iter().map(|(_, e)| e)), None);
        // A full file fits its size cap: rows of ~1.6 KB on average.
        assert!(CAP >= (MAX_CACHED_EVENTS as u64) * 1600);
    }
}
