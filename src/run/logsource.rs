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
use std::sync::atomic::{AtomicUsize, Ordering};

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
    /// Whether an event is kept (it may count): the window and the
    /// category are checked here.
    pub keep: &'a (dyn Fn(&Event) -> bool + Sync),
    /// Where the files read are kept for the next run ([`logstate`]).
    pub state: Option<&'a StateDir>,
}

/// The events of the window in `r.region`'s folder that `r.keep` keeps.
/// Every file of the window is read, or the read fails: a count of part
/// of them is never given.
pub fn events(b: &Backend<'_>, r: &Read<'_>, trace: &mut Trace) -> Result<Vec<Event>, Error> {
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
        let keys = list(
            s3,
            &at.bucket,
            (&folder, &account, kind, r.region),
            start,
            r.now,
            trace,
        )?;
        trace.log(|| {
            format!(
                "log files: {} under s3://{}/{folder} from {}",
                keys.len(),
                at.bucket,
                crate::time::iso8601(start.saturating_sub(LATENESS_MARGIN))
            )
        });
        let in_window = |e: &Event| e.time.is_some_and(|t| t >= start && t <= r.now);
        let keep = |e: &Event| in_window(e) && (r.keep)(e);
        // What a later window may count of a file: its category's events
        // from this window's start on (the windows only move forward).
        let stores =
            |e: &Event| e.time.is_some_and(|t| t >= start) && countevents::in_category(r.opts, e);
        let header = logstate::Header {
            bucket: &at.bucket,
            folder: &folder,
            category: r.opts.category.name(),
            from: start,
        };
        let state = r.state.map(|st| {
            let path = st.file(
                "logfiles",
                &format!("{}|{folder}|{delta}|{}", at.bucket, header.category),
            );
            (st, path)
        });
        let mut kept = match &state {
            Some((st, path)) => load(st, path, header, trace),
            None => logstate::Kept::new(),
        };
        // Only the files listed again are of use: the others left the window.
        let listed: HashSet<&str> = keys.iter().map(String::as_str).collect();
        kept.retain(|k, _| listed.contains(k.as_str()));
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
        let store = Store {
            keeps: &stores,
            used: AtomicUsize::new(kept.values().map(Vec::len).sum()),
        };
        let reads = fetch(
            s3,
            &at.bucket,
            &fresh,
            &keep,
            state.is_some().then_some(&store),
            trace,
        );
        let mut reads = fresh.iter().zip(reads);
        let mut files = Files::default();
        for key in &keys {
            let file = match kept.remove(key) {
                Some(mut events) => {
                    events.retain(|e| stores(e));
                    Some(Ok(FileEvents {
                        events,
                        whole: true,
                    }))
                }
                None => reads.next().and_then(|(_, read)| read),
            };
            files.add(key, file, &keep);
        }
        if let Some((st, path)) = &state {
            save(st, path, header, &files.whole, trace);
        }
        let mut events = files.outcome(&at.bucket, keys.len(), s3.caller.limit)?;
        // LookupEvents answers newest first, and --verbose lists the
        // events in the order read: the same order here (files come in
        // delivery order, records in no promised order).
        events.sort_by_key(|e| std::cmp::Reverse(e.time));
        Ok(events)
    })?
}

/// The day folders from the day of `start − margin` to the day of `end`,
/// each listed from the key of that instant on (keys sort by delivery
/// time within a day folder).
fn list(
    s3: &s3::Client<'_>,
    bucket: &str,
    (folder, account, kind, region): (&str, &str, &str, &str),
    start: i64,
    end: i64,
    trace: &mut Trace,
) -> Result<Vec<String>, Error> {
    let from = start.saturating_sub(LATENESS_MARGIN);
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
) -> logstate::Kept {
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
            logstate::Kept::new()
        }
        None => logstate::Kept::new(),
    }
}

/// Writes the files read whole for the next run, unless over the caps
/// (then it reads every file again, as the api source's cache does). A
/// file that cannot be written only costs the next run a whole read.
fn save(
    st: &StateDir,
    path: &Path,
    header: logstate::Header<'_>,
    whole: &[(String, Vec<Event>)],
    trace: &mut Trace,
) {
    if let Some(why) = logstate::too_many(whole.iter().map(|(_, e)| e)) {
        st.remove(path);
        trace.log(|| format!("log files: {why}: the next run reads every file"));
    } else {
        let files = whole.iter().map(|(k, e)| (k.as_str(), e.as_slice()));
        let _ = st.write_with(path, logstate::CAP, |w| logstate::encode(w, header, files));
    }
    for n in st.take_notes() {
        trace.log(|| n);
    }
}

/// One file's events: when `whole`, every event the [`Store`] keeps
/// (what a later window may count, kept for the next run); otherwise
/// only those that count.
struct FileEvents {
    events: Vec<Event>,
    whole: bool,
}

/// With a state directory, what is kept of each file for the next run,
/// and how many events are held so: past [`MAX_CACHED_EVENTS`] a file
/// keeps only what counts (memory stays that of a read without state),
/// and is read again by the next run.
struct Store<'a> {
    keeps: &'a (dyn Fn(&Event) -> bool + Sync),
    used: AtomicUsize,
}

/// The window's events gathered file by file, in the listing's order (a
/// file kept from the last run gives the events a read would).
#[derive(Default)]
struct Files<'k> {
    events: Vec<Event>,
    held: usize,
    /// The first error, in the listing's order: the read's outcome.
    error: Option<Error>,
    /// Files not read for lack of time.
    left: Vec<&'k str>,
    /// The files read whole: kept for the next run, even when the read
    /// is partial.
    whole: Vec<(String, Vec<Event>)>,
}

impl<'k> Files<'k> {
    fn add(&mut self, key: &'k str, file: FileRead, keep: &dyn Fn(&Event) -> bool) {
        let file = match file {
            None => return self.left.push(key),
            Some(Err(e)) => {
                self.error.get_or_insert(e);
                return;
            }
            Some(Ok(file)) => file,
        };
        let mut file = file;
        if self.error.is_none() {
            let counted: Vec<Event> = if file.whole {
                file.events.iter().filter(|e| keep(e)).cloned().collect()
            } else {
                std::mem::take(&mut file.events)
            };
            self.held = counted
                .iter()
                .fold(self.held, |sum, e| sum.saturating_add(e.weight()));
            if self.held > MAX_EVENTS_BYTES {
                self.error = Some(Error::BadResponse {
                    op: "GetObject",
                    detail: format!(
                        "the events read hold more than {}, the most one read keeps; \
                         narrow --delta or the filters",
                        crate::env::size(MAX_EVENTS_BYTES as u64)
                    ),
                });
            } else {
                self.events.extend(counted);
            }
        }
        if file.whole {
            self.whole.push((key.to_owned(), file.events));
        }
    }

    /// The events, or the first error, or — files left for lack of time
    /// — a partial read: a count of part of the window is never given.
    fn outcome(self, bucket: &str, listed: usize, limit: Limit) -> Result<Vec<Event>, Error> {
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
        Ok(self.events)
    }
}

/// Whether an event is kept.
type Filter<'a> = dyn Fn(&Event) -> bool + Sync + 'a;

/// One file's read: the events, or why not; `None` when it was not
/// started for lack of time.
type FileRead = Option<Result<FileEvents, Error>>;

/// The files read on the pool, each file's outcome in `keys`' order.
fn fetch(
    s3: &s3::Client<'_>,
    bucket: &str,
    keys: &[&str],
    keep: &(dyn Fn(&Event) -> bool + Sync),
    store: Option<&Store<'_>>,
    trace: &mut Trace,
) -> Vec<FileRead> {
    let reserve = bucket::reserve(s3);
    pool::map(keys.len(), pool::WORKERS, trace, |i, t| {
        let key = keys.get(i)?;
        if s3.caller.http.remaining() < reserve {
            return None;
        }
        match read_file(s3, bucket, key, (keep, store), t) {
            Err(Error::Timeout { .. }) => None,
            other => Some(other),
        }
    })
}

/// One log file: the events `store` keeps for the next run (within its
/// budget), else those `keep` keeps; a malformed file is an error
/// naming it.
fn read_file(
    s3: &s3::Client<'_>,
    bucket: &str,
    key: &str,
    (keep, store): (&Filter<'_>, Option<&Store<'_>>),
    trace: &mut Trace,
) -> Result<FileEvents, Error> {
    let mut body = s3.get_object(bucket, key, MAX_FILE_BYTES, trace)?;
    let mut kept = Vec::new();
    let mut whole = store.is_some();
    let read = logfile::read(&mut body, &mut |e| {
        if let Some(st) = store.filter(|_| whole) {
            if !(st.keeps)(&e) {
                return Ok(());
            }
            if st.used.fetch_add(1, Ordering::Relaxed) < MAX_CACHED_EVENTS {
                kept.push(e);
                return Ok(());
            }
            // Over the budget: this file is read again next run.
            whole = false;
            kept.retain(|e| keep(e));
        }
        if keep(&e) {
            kept.push(e);
        }
        Ok(())
    });
    match read {
        Ok(records) => {
            trace.log(|| format!("{key}: {records} records, {} kept", kept.len()));
            if store.is_some() && !whole {
                trace.log(|| {
                    format!(
                        "{key}: over the {MAX_CACHED_EVENTS} events kept between runs: not kept"
                    )
                });
            }
            Ok(FileEvents {
                events: kept,
                whole,
            })
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
}
