//! What `--source=s3` keeps between runs in the state directory, per
//! log folder (bucket, prefix, organization, account, kind, region),
//! `--delta`, `--event-category`, the filters that decide what counts and
//! whether long output lists the events: for each log file already read
//! whose name is still listed, its key and the events of it that count,
//! from the window's start on (a later window may count them). Each is
//! kept compact ([`Counted`]: id, time, counters, 22 bytes packed), or —
//! when long output lists it, or its eventID is not a canonical UUID —
//! as a full row ([`Event::to_row`]). A log file never changes once
//! written, so a file kept is not fetched again; the state only saves
//! work, the answer is that of a whole read.

use std::collections::HashMap;
use std::io::{self, Read, Write};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::aws::cloudtrail::Event;
use crate::modes::counted::{Counted, PACKED, Tally};
use crate::modes::countevents::MAX_CACHED_EVENTS;
use crate::statefile::{self, VERSION};

/// The layout of the file: a header line, then per file a line
/// `{"key": K, "compact": N, "full": M}`, its N compact events packed
/// and base64'd [`CHUNK`] a line, and its M full events, one row a line.
/// 1: every event of the category as a row, whatever the filters.
const FORMAT: u64 = 2;

/// Compact events per line: a line is read whole, so a file of many
/// events is read in ~30 KB steps rather than one line of megabytes.
const CHUNK: usize = 1024;

/// Compact events kept at most: ~29.3 bytes each in the file (22 packed,
/// base64), 24 in memory, so 1 000 000 make ~29 MB either way — a busy
/// account's hour of every event. Past it, the files that do not fit are
/// read again by the next run.
pub const MAX_COMPACT: usize = 1_000_000;

/// The file's size cap: the compact events (30 bytes each with room to
/// spare), the full rows as the api source's events file caps them
/// (`window::EVENTS_CAP`: [`MAX_CACHED_EVENTS`] rows), and the keys.
pub const CAP: u64 = MAX_COMPACT as u64 * 30 + super::window::EVENTS_CAP + MAX_FILES as u64 * 256;

/// Files kept at most: a region's folder gets ~288 a day per account, so
/// this is weeks of them; each costs its key (~120 bytes).
pub const MAX_FILES: usize = 20_000;

/// What the file is written for: a file written for another folder,
/// category, filters or long output is refused, and so is one whose
/// events start after this window's start (another `--delta`, or a clock
/// set back): events this window counts may not be in it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Header<'a> {
    pub bucket: &'a str,
    pub folder: &'a str,
    pub category: &'a str,
    /// What decides whether an event counts, and its counters.
    pub filters: &'a str,
    /// Whether long output lists the events: then they are kept whole.
    pub long: bool,
    /// The window's start, epoch seconds: the events of each file from
    /// this instant on are kept.
    pub from: i64,
}

/// The files kept: key → the events of the file that count.
pub type Kept = HashMap<String, Tally>;

/// Which of `files` (in the listing's order) are kept: the newest first,
/// as many as the caps allow (they stay in the window longest); the
/// others are read again by the next run.
pub fn fitting(files: &[(&str, &Tally)]) -> Vec<bool> {
    let (mut n, mut compact, mut full) = (0usize, 0usize, 0usize);
    let mut keep = vec![false; files.len()];
    for (i, (_, t)) in files.iter().enumerate().rev() {
        let (c, f) = (compact + t.compact.len(), full + t.full.len());
        if n < MAX_FILES && c <= MAX_COMPACT && f <= MAX_CACHED_EVENTS {
            (n, compact, full) = (n + 1, c, f);
            if let Some(k) = keep.get_mut(i) {
                *k = true;
            }
        }
    }
    keep
}

/// Writes `files` (key, events) for `h`, the keys in the order given.
/// `resume`: where the next run's listing may start (every file named
/// before it is kept, or left the window), if anywhere but the window's
/// start.
pub fn encode<'a>(
    w: &mut impl Write,
    h: Header<'_>,
    files: impl Iterator<Item = (&'a str, &'a Tally)> + Clone,
    resume: Option<i64>,
) -> io::Result<()> {
    let (mut count, mut compact, mut full) = (0usize, 0usize, 0usize);
    for (_, t) in files.clone() {
        count += 1;
        compact += t.compact.len();
        full += t.full.len();
    }
    let head = json!({"version": VERSION, "format": FORMAT, "bucket": h.bucket,
        "folder": h.folder, "category": h.category, "filters": h.filters, "long": h.long,
        "from": h.from, "files": count, "compact": compact, "full": full, "resume": resume});
    serde_json::to_writer(&mut *w, &head)?;
    let mut packed = Vec::with_capacity(CHUNK * PACKED);
    for (key, t) in files {
        w.write_all(b"\n")?;
        let entry = json!({"key": key, "compact": t.compact.len(), "full": t.full.len()});
        serde_json::to_writer(&mut *w, &entry)?;
        for chunk in t.compact.chunks(CHUNK) {
            packed.clear();
            chunk.iter().for_each(|c| c.pack(&mut packed));
            w.write_all(b"\n\"")?;
            w.write_all(STANDARD.encode(&packed).as_bytes())?;
            w.write_all(b"\"")?;
        }
        for e in &t.full {
            w.write_all(b"\n")?;
            serde_json::to_writer(&mut *w, &e.to_row())?;
        }
    }
    w.write_all(b"\n")
}

/// Reads a file [`encode`] wrote for `h` (or for an earlier window of the
/// same folder and filters); why not, otherwise (then every file is read
/// again). Bounded by its header's counts, themselves within the caps,
/// and checked against them: a cut file is refused.
/// With the files, where this run's listing may start ([`encode`]).
pub fn decode(r: impl Read, h: Header<'_>) -> Result<(Kept, Option<i64>), String> {
    let (head, mut lines) = statefile::JsonLines::open(r, FORMAT)?;
    let text = |k: &str| head.get(k).and_then(Value::as_str);
    if text("bucket") != Some(h.bucket)
        || text("folder") != Some(h.folder)
        || text("category") != Some(h.category)
    {
        return Err("written for another folder or category".into());
    }
    if text("filters") != Some(h.filters) {
        return Err("written for other filters".into());
    }
    if head.get("long").and_then(Value::as_bool) != Some(h.long) {
        return Err("written with long output on or off, not as now".into());
    }
    let count = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
    };
    let (Some(from), Some(files), Some(compact), Some(full)) = (
        head.get("from").and_then(Value::as_i64),
        count(&head, "files"),
        count(&head, "compact"),
        count(&head, "full"),
    ) else {
        return Err("header incomplete".into());
    };
    if from > h.from {
        return Err("its events start after this window's start".into());
    }
    if files > MAX_FILES || compact > MAX_COMPACT || full > MAX_CACHED_EVENTS {
        return Err(format!(
            "{files} files, {compact} compact and {full} full events, over the caps"
        ));
    }
    let mut kept = Kept::with_capacity(files);
    let (mut compact_left, mut full_left) = (compact, full);
    let mut packed = Vec::with_capacity(CHUNK * PACKED);
    while let Some(line) = lines.next_value()? {
        if kept.len() == files {
            return Err("more files than its header says".into());
        }
        let (Some(key), Some(nc), Some(nf)) = (
            line.get("key").and_then(Value::as_str),
            count(&line, "compact"),
            count(&line, "full"),
        ) else {
            return Err("a malformed file entry".into());
        };
        if nc > compact_left || nf > full_left {
            return Err("more events than its header says".into());
        }
        (compact_left, full_left) = (compact_left - nc, full_left - nf);
        let mut t = Tally {
            full: Vec::with_capacity(nf),
            compact: Vec::with_capacity(nc),
        };
        while t.compact.len() < nc {
            let line = lines.next_value()?.ok_or("fewer events than it says")?;
            let text = line
                .as_str()
                .ok_or("compact events that are not a string")?;
            packed.clear();
            STANDARD
                .decode_vec(text, &mut packed)
                .map_err(|e| format!("compact events not base64 ({e})"))?;
            let want = (nc - t.compact.len()).min(CHUNK) * PACKED;
            if packed.len() != want {
                return Err("a line of compact events of the wrong length".into());
            }
            t.compact.extend(
                packed
                    .chunks_exact(PACKED)
                    .filter_map(|b| <&[u8; PACKED]>::try_from(b).ok())
                    .map(Counted::unpack),
            );
        }
        for _ in 0..nf {
            let row = lines.next_value()?.ok_or("fewer events than it says")?;
            t.full
                .push(Event::from_row(&row).ok_or("an event without an id or a time")?);
        }
        if kept.insert(key.to_owned(), t).is_some() {
            return Err("a file listed twice".into());
        }
    }
    if kept.len() != files || compact_left != 0 || full_left != 0 {
        return Err("fewer files or events than its header says".into());
    }
    // Absent or null: list the whole window (a file of an older run).
    let resume = head.get("resume").and_then(Value::as_i64);
    Ok((kept, resume))
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: Header<'static> = Header {
        bucket: "b",
        folder: "AWSLogs/1/CloudTrail/us-east-1/",
        category: "Management",
        filters: "{}",
        long: false,
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

    fn uuid(n: u32) -> String {
        format!("00000000-0000-4000-8000-{n:012x}")
    }

    fn compact(n: u32, time: i64) -> Counted {
        Counted::of(&ev(&uuid(n), time), 1 + (n % 3) as u16).unwrap()
    }

    fn sample() -> Vec<(String, Tally)> {
        vec![
            (
                "k1".into(),
                Tally {
                    full: vec![ev("a", 1000), ev("b", 1100)],
                    compact: (0..CHUNK as u32 + 5).map(|n| compact(n, 1000)).collect(),
                },
            ),
            ("k2".into(), Tally::default()),
            (
                "k3".into(),
                Tally {
                    full: vec![ev("c", 1200)],
                    compact: vec![compact(7, 1300)],
                },
            ),
        ]
    }

    fn bytes(h: Header<'_>, files: &[(String, Tally)]) -> Vec<u8> {
        let mut buf = Vec::new();
        encode(
            &mut buf,
            h,
            files.iter().map(|(k, t)| (k.as_str(), t)),
            Some(1200),
        )
        .unwrap();
        buf
    }

    #[test]
    fn what_is_written_is_read_back() {
        let files = sample();
        let buf = bytes(H, &files);
        let (back, resume) = decode(buf.as_slice(), H).unwrap();
        assert_eq!(resume, Some(1200));
        assert_eq!(back, files.into_iter().collect::<Kept>());
        // A later window of the same folder reads it too.
        assert!(decode(buf.as_slice(), Header { from: 2000, ..H }).is_ok());
        // What a compact event costs in the file, as README says.
        let per = (buf.len() as f64 - 600.0) / (CHUNK + 6) as f64;
        assert!((29.0..31.0).contains(&per), "{per}");
    }

    #[test]
    fn another_folder_filter_window_version_or_format_is_refused() {
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
            (
                Header {
                    filters: "{\"error_code\":\"x\"}",
                    ..H
                },
                "other filters",
            ),
            (Header { long: true, ..H }, "long output"),
            (Header { from: 999, ..H }, "start after"),
        ] {
            let e = decode(buf.as_slice(), h).unwrap_err();
            assert!(e.contains(why), "{e}");
        }
        let text = String::from_utf8(buf).unwrap();
        let other = text.replacen("\"format\":2", "\"format\":1", 1);
        assert!(decode(other.as_bytes(), H).unwrap_err().contains("format"));
        let other = text.replacen("\"version\":1", "\"version\":9", 1);
        assert!(decode(other.as_bytes(), H).unwrap_err().contains("version"));
        for bad in ["", "{}", "not json", "[1]\n[2]"] {
            assert!(decode(bad.as_bytes(), H).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_cut_garbled_or_padded_file_is_refused() {
        let text = String::from_utf8(bytes(H, &sample())).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // Header; k1, 2 lines of compact events and 2 rows; k2; k3, 1
        // line and 1 row.
        assert_eq!(lines.len(), 10);
        for n in 1..lines.len() {
            let cut = lines[..n].join("\n");
            assert!(decode(cut.as_bytes(), H).is_err(), "cut at {n}");
        }
        let more = format!("{text}{}\n", json!({"key": "k4", "compact": 0, "full": 0}));
        assert!(
            decode(more.as_bytes(), H)
                .unwrap_err()
                .contains("more files")
        );
        let twice = text.replacen("\"key\":\"k3\"", "\"key\":\"k1\"", 1);
        assert!(decode(twice.as_bytes(), H).unwrap_err().contains("twice"));
        let no_time = text.replacen("[\"c\",1200", "[\"c\",null", 1);
        assert!(
            decode(no_time.as_bytes(), H)
                .unwrap_err()
                .contains("without")
        );
        // A line of compact events shortened, or not base64.
        let short = lines[3].get(..lines[3].len() - 5).unwrap().to_owned() + "\"";
        let garbled = text.replacen(lines[3], &short, 1);
        assert!(decode(garbled.as_bytes(), H).is_err());
        let garbled = text.replacen(lines[3], "\"!!!!\"", 1);
        assert!(
            decode(garbled.as_bytes(), H)
                .unwrap_err()
                .contains("base64")
        );
        let garbled = text.replacen(lines[3], "[1]", 1);
        assert!(
            decode(garbled.as_bytes(), H)
                .unwrap_err()
                .contains("string")
        );
    }

    #[test]
    fn the_caps_are_checked_on_both_sides() {
        let text = String::from_utf8(bytes(H, &sample())).unwrap();
        for (field, n) in [
            ("compact", MAX_COMPACT + 1),
            ("full", MAX_CACHED_EVENTS + 1),
            ("files", MAX_FILES + 1),
        ] {
            let over = text.replacen(
                &format!("\"{field}\":"),
                &format!("\"{field}\":{n},\"x\":"),
                1,
            );
            assert!(
                decode(over.as_bytes(), H)
                    .unwrap_err()
                    .contains("over the caps"),
                "{field}"
            );
        }
        // A full file fits its size cap.
        assert!(CAP >= MAX_COMPACT as u64 * 30 + MAX_CACHED_EVENTS as u64 * 1600);
    }

    #[test]
    fn the_newest_files_are_kept_within_the_caps() {
        let big = |compact: usize, full: usize| Tally {
            full: vec![ev("x", 1000); full],
            compact: vec![compact_one(); compact],
        };
        fn compact_one() -> Counted {
            compact(1, 1000)
        }
        let files = [
            ("old", big(MAX_COMPACT / 2, 0)),
            ("mid", big(MAX_COMPACT / 2 + 1, 0)),
            ("new", big(MAX_COMPACT / 2, 0)),
        ];
        let refs: Vec<(&str, &Tally)> = files.iter().map(|(k, t)| (*k, t)).collect();
        assert_eq!(fitting(&refs), [true, false, true]);
        let rows = [
            ("a", big(0, MAX_CACHED_EVENTS)),
            ("b", big(0, 1)),
            ("c", big(5, 0)),
        ];
        let refs: Vec<(&str, &Tally)> = rows.iter().map(|(k, t)| (*k, t)).collect();
        assert_eq!(fitting(&refs), [false, true, true]);
        let many = vec![Tally::default(); MAX_FILES + 2];
        let refs: Vec<(&str, &Tally)> = many.iter().map(|t| ("k", t)).collect();
        let fits = fitting(&refs);
        assert_eq!(fits.iter().filter(|f| **f).count(), MAX_FILES);
        assert!(!fits[0] && !fits[1] && fits[2]);
    }
}
