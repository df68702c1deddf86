//! `--source=s3`: the window's events read from the trail's own log
//! files, for countevents and securityevents. The trail's bucket and
//! organization folder are found as logintegrity finds them
//! ([`bucket`]); the region's day folders the window touches are listed
//! from shortly before its start ([`LATENESS_MARGIN`]); the files are
//! read a few at a time on [`pool`], each inflated and parsed as it
//! arrives ([`logfile`]), and only the events that count are kept.
//! With a state directory each file is read once: what a later window
//! may count of it is kept ([`logstate`]) and given again from there.
//! The events then go to the same evaluation as LookupEvents'.

use std::collections::HashSet;
use std::path::Path;

use super::bucket::{self, Given};
use super::logstate;
use super::pool;
use crate::aws::arn::Arn;
use crate::aws::backend::Backend;
use crate::aws::cloudtrail::EventCategory;
use crate::aws::cloudtrail::{Event, MAX_EVENTS_BYTES};
use crate::aws::connection::Connection;
use crate::aws::logfile::{self, LogFileError};
use crate::aws::s3::{self, ListQuery};
use crate::error::{Error, Limit};
use crate::modes::counted::{Counted, Tally};
use crate::modes::countevents::{self, LogSource, MAX_CACHED_EVENTS};
use crate::statefile::StateDir;
use crate::trace::Trace;

/// How far before the window's start the listing starts. A log file is
/// named by the minute it was delivered, and holds the events of the
/// ~5 minutes before; its name may also be a minute or two earlier than
/// the last event it holds (the file is named when it is opened). Files
/// named up to a quarter hour before the window may hold events of the
/// window: about three files a region more per run.
pub const LATENESS_MARGIN: i64 = 15 * 60;

/// ListObjectsV2 pages of 1 000 keys per day folder: a region delivers a
/// file every ~5 minutes per account (288 a day), more when busy.
const LIST_PAGES: u32 = 100;

/// A log file's compressed size at most: streamed, so only the time a
/// read takes grows with it.
const MAX_FILE_BYTES: u64 = 1 << 30;

/// What one log source read needs besides the backend.
pub struct Read<'a> {
    pub opts: &'a countevents::Options,
    pub src: &'a LogSource,
    /// The region whose folder is read.
    pub region: &'a str,
    pub now: i64,
    /// The counters an event adds to (0: it does not count): the category
    /// and the filters are checked here, the window by the read.
    pub tags: &'a (dyn Fn(&Event) -> u16 + Sync),
    /// Everything that decides `tags`: what a state written for other
    /// filters kept is not what this read counts.
    pub filters: &'a str,
    /// Whether long output lists the events: then each is kept whole
    /// ([`counted`](crate::modes::counted)).
    pub long: bool,
    /// Where the files read are kept for the next run ([`logstate`]).
    pub state: Option<&'a StateDir>,
}

/// The events of the window in `r.region`'s folder that count. Every
/// file of the window is read, or the read fails: a count of part of
/// them is never given.
pub fn events(b: &Backend<'_>, r: &Read<'_>, trace: &mut Trace) -> Result<Tally, Error> {
    let src = r.src;
    let at = bucket::locate(
        b,
        src.trail.as_deref(),
        Given {
            bucket: src.bucket.as_deref(),
            prefix: src.prefix.as_deref(),
            account_id: src.account_id.as_deref(),
        },
        trace,
    )?;
    let Some(account) = at.account_id.clone() else {
        return Err(Error::Option(
            "--s3-bucket needs --account-id when --trail-name is not an ARN.".into(),
        ));
    };
    b.with_s3(&at.home_region, trace, |s3, trace| {
        let org = bucket::organization(s3, &at, src.organization_id.as_deref(), false, trace)?;
        let kind = match r.opts.category {
            EventCategory::Insight => "CloudTrail-Insight",
            _ => "CloudTrail",
        };
        let folder = format!(
            "{}{}{account}/{kind}/{}/",
            bucket::logs_root(&at.prefix),
            org.map_or(String::new(), |o| format!("{o}/")),
            r.region
        );
        let delta = i64::try_from(r.opts.delta.as_secs()).unwrap_or(i64::MAX);
        let start = r.now.saturating_sub(delta);
        let header = logstate::Header {
            bucket: &at.bucket,
            folder: &folder,
            category: r.opts.category.name(),
            filters: r.filters,
            long: r.long,
            from: start,
        };
        let state = r.state.map(|st| {
            let path = st.file(
                "logfiles",
                &format!(
                    "{}|{folder}|{delta}|{}|{}|{}",
                    at.bucket, header.category, r.filters, r.long
                ),
            );
            (st, path)
        });
        let (mut kept, resume) = match &state {
            Some((st, path)) => load(st, path, header, trace),
            None => (logstate::Kept::new(), None),
        };
        let from = start.saturating_sub(LATENESS_MARGIN);
        let list_from = resume.map_or(from, |r| r.max(from));
        let mut keys = list(
            s3,
            &at.bucket,
            (&folder, &account, kind, r.region),
            list_from,
            r.now,
            trace,
        )?;
        trace.log(|| {
            format!(
                "log files: {} under s3://{}/{folder} from {}",
                keys.len(),
                at.bucket,
                crate::time::iso8601(list_from)
            )
        });
        // The files kept that were named before the listing's start are
        // still there (log files are never rewritten); those named before
        // the window's margin left it.
        kept.retain(|k, _| key_minute(k).is_some_and(|m| m >= minute_of(from)));
        keys.extend(
            kept.keys()
                .filter(|k| key_minute(k).is_some_and(|m| m < minute_of(list_from)))
                .cloned(),
        );
        // Day folders and names sort as the delivery times do.
        keys.sort_unstable();
        keys.dedup();
        let fresh: Vec<&str> = keys
            .iter()
            .map(String::as_str)
            .filter(|k| !kept.contains_key(*k))
            .collect();
        if state.is_some() {
            trace.log(|| {
                format!(
                    "log files: {} kept from the last run, {} to read",
                    kept.len(),
                    fresh.len()
                )
            });
        }
        let how = How {
            tags: r.tags,
            start,
            long: r.long,
        };
        let reads = fetch(s3, &at.bucket, &fresh, &how, trace);
        let mut reads = fresh.iter().zip(reads);
        let mut files = Files::default();
        for key in &keys {
            let file = match kept.remove(key) {
                Some(t) => Some(Ok(t)),
                None => reads.next().and_then(|(_, read)| read),
            };
            files.add(key, file, start);
        }
        if let Some((st, path)) = &state {
            save(st, path, header, (&files.read, &keys), trace);
        }
        files.outcome(&at.bucket, keys.len(), s3.caller.limit, r.now)
    })?
}

/// Where the next run's listing may start: [`LATENESS_MARGIN`] before
/// the newest file kept (the `StartAfter` of each day folder then skips
/// what was read, and whole day folders of a long window are not listed
/// again), and never after the first file listed but not kept (failed,
/// malformed, not read for lack of time, over the caps): it must be
/// listed and read again. Files are named when CloudTrail opens them,
/// and two of the same minute sort by a random suffix, so a file named
/// shortly before the newest one kept may appear after it: the margin
/// lists those again (their events count once). A name not in
/// CloudTrail's form (never expected) lists the whole window.
fn resume(keys: &[String], kept: &HashSet<&str>) -> Option<i64> {
    let mut newest = None;
    for key in keys {
        let minute = key_minute(key)?;
        if !kept.contains(key.as_str()) {
            return newest.map(|n: i64| n.saturating_sub(LATENESS_MARGIN).min(minute));
        }
        newest = Some(minute);
    }
    newest.map(|n| n.saturating_sub(LATENESS_MARGIN))
}

/// The start of the minute `t` is in.
fn minute_of(t: i64) -> i64 {
    t - t.rem_euclid(60)
}

/// The minute in a log file's name
/// (`ACCOUNT_CloudTrail_REGION_20240101T0005Z_UNIQUE.json.gz`), epoch
/// seconds.
fn key_minute(key: &str) -> Option<i64> {
    let name = key.rsplit('/').next()?;
    let d = name.split('_').find(|p| {
        p.len() == 14
            && p.bytes().enumerate().all(|(i, c)| match i {
                8 => c == b'T',
                13 => c == b'Z',
                _ => c.is_ascii_digit(),
            })
    })?;
    crate::time::parse_iso8601(&format!(
        "{}-{}-{}T{}:{}:00Z",
        d.get(..4)?,
        d.get(4..6)?,
        d.get(6..8)?,
        d.get(9..11)?,
        d.get(11..13)?
    ))
}

/// The day folders from the day of `from` to the day of `end`, each
/// listed from the key of that instant's minute on (keys sort by
/// delivery time within a day folder).
fn list(
    s3: &s3::Client<'_>,
    bucket: &str,
    (folder, account, kind, region): (&str, &str, &str, &str),
    from: i64,
    end: i64,
    trace: &mut Trace,
) -> Result<Vec<String>, Error> {
    let mut keys = Vec::new();
    let mut day = from - from.rem_euclid(86_400);
    while day <= end {
        let stamp = crate::time::iso8601(day.max(from));
        // 2024-01-01T00:05:00Z → 2024/01/01/ and 20240101T0005Z.
        let (date, time) = stamp.split_once('T').unwrap_or((&stamp, ""));
        let prefix = format!("{folder}{}/", date.replace('-', "/"));
        let minute = format!(
            "{}T{}Z",
            date.replace('-', ""),
            time.get(..5).unwrap_or_default().replace(':', "")
        );
        let after = format!("{prefix}{account}_{kind}_{region}_{minute}");
        let listing = s3.list_objects(
            bucket,
            &ListQuery {
                prefix: &prefix,
                start_after: Some(&after),
                delimiter: None,
                max_keys: 0,
                max_pages: LIST_PAGES,
                max_items: (LIST_PAGES * s3::PAGE_KEYS) as usize,
            },
            trace,
        )?;
        if !listing.complete {
            return Err(Error::PageCap {
                op: "ListObjectsV2",
                pages: LIST_PAGES,
            });
        }
        keys.extend(
            listing
                .objects
                .into_iter()
                .map(|o| o.key)
                .filter(|k| k.ends_with(".json.gz")),
        );
        day += 86_400;
    }
    Ok(keys)
}

/// The files kept by the last run, if its state is usable; why not
/// goes to `--debug`.
fn load(
    st: &StateDir,
    path: &Path,
    header: logstate::Header<'_>,
    trace: &mut Trace,
) -> (logstate::Kept, Option<i64>) {
    let read = st
        .reader(path, logstate::CAP)
        .map(|r| logstate::decode(r, header));
    for n in st.take_notes() {
        trace.log(|| n);
    }
    match read {
        Some(Ok(kept)) => kept,
        Some(Err(why)) => {
            trace.log(|| format!("state: ignored {}: {why}", path.display()));
            (logstate::Kept::new(), None)
        }
        None => (logstate::Kept::new(), None),
    }
}

/// Writes the files read for the next run, the newest first within the
/// caps ([`logstate::fitting`]); those left out are read again by the
/// next run. A file that cannot be written only costs the next run a
/// whole read.
fn save(
    st: &StateDir,
    path: &Path,
    header: logstate::Header<'_>,
    (read, keys): (&[(&str, Tally)], &[String]),
    trace: &mut Trace,
) {
    let files: Vec<(&str, &Tally)> = read.iter().map(|(k, t)| (*k, t)).collect();
    let fits = logstate::fitting(&files);
    let left = fits.iter().filter(|f| !**f).count();
    if left > 0 {
        trace.log(|| {
            format!(
                "log files: {left} over the {} files, {} compact or {MAX_CACHED_EVENTS} full \
                 events kept between runs: the next run reads them again",
                logstate::MAX_FILES,
                logstate::MAX_COMPACT
            )
        });
    }
    let kept = files
        .into_iter()
        .zip(fits)
        .filter_map(|(f, fits)| fits.then_some(f));
    let names: HashSet<&str> = kept.clone().map(|(k, _)| k).collect();
    let resume = resume(keys, &names);
    let _ = st.write_with(path, logstate::CAP, |w| {
        logstate::encode(w, header, kept, resume)
    });
    for n in st.take_notes() {
        trace.log(|| n);
    }
}

/// The most compact events one read holds: 24 bytes each, ~96 MB. Past
/// it the window is refused rather than counted in part.
pub const MAX_COMPACT_HELD: usize = 4_000_000;

/// The window's events gathered file by file, in the listing's order (a
/// file kept from the last run gives the events a read would).
#[derive(Default)]
struct Files<'k> {
    /// Each file read (or kept) whole: its events from the window's start
    /// on, kept for the next run even when the read is partial.
    read: Vec<(&'k str, Tally)>,
    /// The full events' weight, and the compact events, held.
    held: usize,
    compact: usize,
    /// The first error, in the listing's order: the read's outcome.
    error: Option<Error>,
    /// Files not read for lack of time.
    left: Vec<&'k str>,
}

impl<'k> Files<'k> {
    fn add(&mut self, key: &'k str, file: FileRead, start: i64) {
        let mut file = match file {
            None => return self.left.push(key),
            Some(Err(e)) => {
                self.error.get_or_insert(e);
                return;
            }
            Some(Ok(file)) => file,
        };
        // A file kept from an earlier window may hold events before this
        // one: not counted, and not kept for later windows either.
        file.full.retain(|e| e.time.is_some_and(|t| t >= start));
        file.compact.retain(|c| c.at() >= start);
        self.held = file
            .full
            .iter()
            .fold(self.held, |sum, e| sum.saturating_add(e.weight()));
        self.compact = self.compact.saturating_add(file.compact.len());
        if self.error.is_none() && self.held > MAX_EVENTS_BYTES {
            self.error = Some(Error::BadResponse {
                op: "GetObject",
                detail: format!(
                    "the events read hold more than {}, the most one read keeps; \
                     narrow --delta or the filters",
                    crate::env::size(MAX_EVENTS_BYTES as u64)
                ),
            });
        }
        if self.error.is_none() && self.compact > MAX_COMPACT_HELD {
            self.error = Some(Error::BadResponse {
                op: "GetObject",
                detail: format!(
                    "more than {MAX_COMPACT_HELD} events count, the most one read holds; \
                     narrow --delta or the filters"
                ),
            });
        }
        self.read.push((key, file));
    }

    /// The events up to `now`, each once, or the first error, or — files
    /// left for lack of time — a partial read: a count of part of the
    /// window is never given.
    fn outcome(self, bucket: &str, listed: usize, limit: Limit, now: i64) -> Result<Tally, Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if let Some(first) = self.left.first() {
            return Err(Error::Partial {
                op: "GetObject",
                left: format!(
                    "{} of {listed} log files (the first s3://{bucket}/{first})",
                    self.left.len()
                ),
                limit,
            });
        }
        let mut all = Tally::default();
        for (_, t) in self.read {
            all.full.extend(
                t.full
                    .into_iter()
                    .filter(|e| e.time.is_some_and(|t| t <= now)),
            );
            all.compact
                .extend(t.compact.into_iter().filter(|c| c.at() <= now));
        }
        all.dedupe();
        // LookupEvents answers newest first, and --verbose lists the
        // events in the order read: the same order here (files come in
        // delivery order, records in no promised order).
        all.full.sort_by_key(|e| std::cmp::Reverse(e.time));
        Ok(all)
    }
}

/// What a file read keeps: the events from the window's start on whose
/// `tags` are not 0; each compact unless `long` (or it has no compact
/// form).
struct How<'a> {
    tags: &'a (dyn Fn(&Event) -> u16 + Sync),
    start: i64,
    long: bool,
}

/// One file's read: the events, or why not; `None` when it was not
/// started for lack of time.
type FileRead = Option<Result<Tally, Error>>;

/// The files read on the pool, each file's outcome in `keys`' order.
fn fetch(
    s3: &s3::Client<'_>,
    bucket: &str,
    keys: &[&str],
    how: &How<'_>,
    trace: &mut Trace,
) -> Vec<FileRead> {
    let reserve = bucket::reserve(s3);
    pool::map(keys.len(), pool::WORKERS, trace, |i, t| {
        let key = keys.get(i)?;
        if s3.caller.http.remaining() < reserve {
            return None;
        }
        match read_file(s3, bucket, key, how, t) {
            Err(Error::Timeout { .. }) => None,
            other => Some(other),
        }
    })
}

/// One log file: the events that count of it (future ones too: a later
/// window counts them); a malformed file is an error naming it.
fn read_file(
    s3: &s3::Client<'_>,
    bucket: &str,
    key: &str,
    how: &How<'_>,
    trace: &mut Trace,
) -> Result<Tally, Error> {
    let mut body = s3.get_object(bucket, key, MAX_FILE_BYTES, trace)?;
    let mut kept = Tally::default();
    let read = logfile::read(&mut body, &mut |e| {
        if e.time.is_none_or(|t| t < how.start) {
            return Ok(());
        }
        let tags = (how.tags)(e);
        if tags == 0 {
            return Ok(());
        }
        match Counted::of(e, tags).filter(|_| !how.long) {
            Some(c) => kept.compact.push(c),
            None => kept.full.push(e.clone()),
        }
        Ok(())
    });
    match read {
        Ok(records) => {
            trace.log(|| format!("{key}: {records} records, {} kept", kept.len()));
            Ok(kept)
        }
        Err(LogFileError::Source(io)) => Err(body.error(io)),
        Err(LogFileError::Malformed(why)) => Err(Error::BadResponse {
            op: "GetObject",
            detail: format!("log file s3://{bucket}/{key}: {why}"),
        }),
    }
}

/// The ARNs our own calls show in records (`userIdentity.arn`): the
/// sessions of `--aws-role-arn` and `--s3-role-arn`
/// (`arn:P:sts::A:assumed-role/NAME/SESSION`). Keys used without a role
/// are only known by their user agent.
pub fn own_arns(conn: &Connection) -> Vec<String> {
    [conn.role.as_ref(), conn.s3.role.as_ref()]
        .into_iter()
        .flatten()
        .filter_map(|role| {
            let arn = Arn::parse(&role.arn)?;
            let name = arn.resource.strip_prefix("role/")?.rsplit('/').next()?;
            Some(format!(
                "arn:{}:sts::{}:assumed-role/{name}/{}",
                arn.partition, arn.account?, role.session_name
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::sts::Role;

    #[test]
    fn the_minute_in_a_log_files_name() {
        let key = "AWSLogs/o-1/123456789012/CloudTrail/eu-west-1/2026/01/01/\
                   123456789012_CloudTrail_eu-west-1_20260101T0405Z_Ab_9.json.gz";
        assert_eq!(key_minute(key), Some(1_767_240_300));
        for odd in [
            "x/1_CloudTrail_r_20260101T04Z_a.json.gz",
            "20260101X0405Z",
            "",
        ] {
            assert_eq!(key_minute(odd), None, "{odd}");
        }
    }

    #[test]
    fn the_listing_resumes_a_margin_before_the_newest_file_kept() {
        let name = |hhmm: &str| format!("d/1_CloudTrail_r_20260101T{hhmm}Z_u.json.gz");
        let at = |hhmm: &str| key_minute(&name(hhmm)).unwrap_or_default();
        let keys: Vec<String> = ["0320", "0400", "0410"].map(name).into();
        let kept = |which: &[&str]| -> HashSet<&str> {
            keys.iter()
                .map(String::as_str)
                .filter(|k| which.iter().any(|w| k.contains(w)))
                .collect()
        };
        assert_eq!(resume(&keys, &kept(&[])), None, "nothing kept");
        assert_eq!(
            resume(&keys, &kept(&["0320", "0400", "0410"])),
            Some(at("0355"))
        );
        // The file of 04:00 failed or did not fit: listed again.
        assert_eq!(resume(&keys, &kept(&["0320", "0410"])), Some(at("0305")));
        assert_eq!(resume(&keys, &kept(&["0320"])), Some(at("0305")));
        assert_eq!(resume(&keys, &kept(&["0410"])), None, "the first not kept");
        let mut odd = keys.clone();
        odd.push("d/odd.json.gz".into());
        assert_eq!(resume(&odd, &kept(&["0320", "0400", "0410"])), None);
    }

    #[test]
    fn our_own_sessions() {
        let role = |arn: &str, session: &str| Role {
            arn: arn.into(),
            session_name: session.into(),
            external_id: None,
            duration: None,
        };
        let mut conn = Connection::default();
        assert!(own_arns(&conn).is_empty());
        conn.role = Some(role("arn:aws:iam::123456789012:role/ops/Monitor", "cc"));
        conn.s3.role = Some(role("arn:aws-cn:iam::210987654321:role/Reader", "s3"));
        assert_eq!(
            own_arns(&conn),
            [
                "arn:aws:sts::123456789012:assumed-role/Monitor/cc",
                "arn:aws-cn:sts::210987654321:assumed-role/Reader/s3"
            ]
        );
        conn.role = Some(role("not an arn", "x"));
        assert_eq!(own_arns(&conn).len(), 1);
    }

    const LIMIT: Limit = Limit {
        secs: 10,
        option: "--timeout",
    };

    fn counted(n: u32, time: u32) -> Counted {
        Counted {
            id: crate::modes::counted::uuid(&format!("00000000-0000-4000-8000-{n:012x}")).unwrap(),
            time,
            tags: 1,
        }
    }

    #[test]
    fn files_give_the_window_each_event_once() {
        let mut files = Files::default();
        let one = Tally {
            full: vec![Event::at("x", 150), Event::at("old", 50)],
            compact: vec![counted(1, 100), counted(2, 99), counted(3, 300)],
        };
        // The same event delivered in a second file counts once.
        let two = Tally {
            full: vec![Event::at("x", 150), Event::at("y", 180)],
            compact: vec![counted(1, 100), counted(4, 201)],
        };
        files.add("k1", Some(Ok(one)), 100);
        files.add("k2", Some(Ok(two)), 100);
        // What is kept for the next run: from the window's start on,
        // events after its end too (a later window counts them).
        assert_eq!(files.read[0].1.compact, [counted(1, 100), counted(3, 300)]);
        assert_eq!(files.read[0].1.full, [Event::at("x", 150)]);
        let t = files.outcome("b", 2, LIMIT, 200).unwrap();
        assert_eq!(
            t.full,
            [Event::at("y", 180), Event::at("x", 150)],
            "newest first"
        );
        assert_eq!(t.compact, [counted(1, 100)]);
    }

    #[test]
    fn a_partial_or_failed_read_is_never_a_count() {
        let mut files = Files::default();
        files.add("k1", Some(Ok(Tally::default())), 0);
        files.add("k2", None, 0);
        let e = files.outcome("b", 2, LIMIT, 9).unwrap_err();
        assert!(matches!(e, Error::Partial { .. }), "{e}");
        assert!(e.to_string().contains("1 of 2 log files"), "{e}");
        let mut files = Files::default();
        files.add("k1", Some(Err(Error::Internal("x".into()))), 0);
        files.add("k2", Some(Ok(Tally::default())), 0);
        assert!(files.outcome("b", 2, LIMIT, 9).is_err());
    }

    #[test]
    fn past_the_memory_caps_the_read_is_refused() {
        let mut files = Files::default();
        let many = Tally {
            full: Vec::new(),
            compact: vec![counted(1, 10); MAX_COMPACT_HELD / 2 + 1],
        };
        files.add("k1", Some(Ok(many.clone())), 0);
        assert!(files.error.is_none());
        files.add("k2", Some(Ok(many)), 0);
        let e = files.outcome("b", 2, LIMIT, 99).unwrap_err().to_string();
        assert!(e.contains("more than 4000000 events count"), "{e}");
        let mut files = Files::default();
        let big = Event {
            error_message: Some("m".repeat(MAX_EVENTS_BYTES)),
            ..Event::at("x", 10)
        };
        files.add("k1", Some(Ok(Tally::of_events(vec![big]))), 0);
        let e = files.outcome("b", 1, LIMIT, 99).unwrap_err().to_string();
        assert!(e.contains("hold more than 16 MiB"), "{e}");
    }
}
