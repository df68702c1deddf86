//! `--source=s3`: the window's events read from the trail's own log
//! files, for countevents and securityevents. The trail's bucket and
//! organization folder are found as logintegrity finds them
//! ([`bucket`]); the region's day folders the window touches are listed
//! from shortly before its start ([`LATENESS_MARGIN`]); the files are
//! read a few at a time on [`pool`], each inflated and parsed as it
//! arrives ([`logfile`]), and only the events that count are kept.
//! The events then go to the same evaluation as LookupEvents'.

use std::time::Duration;

use super::bucket::{self, Given};
use super::pool;
use crate::aws::arn::Arn;
use crate::aws::backend::Backend;
use crate::aws::cloudtrail::EventCategory;
use crate::aws::cloudtrail::{Event, MAX_EVENTS_BYTES};
use crate::aws::connection::Connection;
use crate::aws::logfile::{self, LogFileError};
use crate::aws::s3::{self, ListQuery};
use crate::error::Error;
use crate::modes::countevents::{self, LogSource};
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
        fetch(s3, &at.bucket, &keys, &keep, trace)
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

/// One file's read: the events kept, or why not; `None` when it was not
/// started for lack of time.
type FileRead = Option<Result<Vec<Event>, Error>>;

/// Every file read on the pool, the events kept; the first error ends
/// the read, and files left for lack of time make it partial.
fn fetch(
    s3: &s3::Client<'_>,
    bucket: &str,
    keys: &[String],
    keep: &(dyn Fn(&Event) -> bool + Sync),
    trace: &mut Trace,
) -> Result<Vec<Event>, Error> {
    let reserve = reserve(s3);
    let reads: Vec<FileRead> = pool::map(keys.len(), pool::WORKERS, trace, |i, t| {
        let key = keys.get(i)?;
        if s3.caller.http.remaining() < reserve {
            return None;
        }
        match read_file(s3, bucket, key, keep, t) {
            Err(Error::Timeout { .. }) => None,
            other => Some(other),
        }
    });
    let mut events = Vec::new();
    let mut held = 0usize;
    let mut left = Vec::new();
    for (key, read) in keys.iter().zip(reads) {
        match read {
            None => left.push(key.as_str()),
            Some(Err(e)) => return Err(e),
            Some(Ok(kept)) => {
                held = kept
                    .iter()
                    .fold(held, |sum, e| sum.saturating_add(e.weight()));
                if held > MAX_EVENTS_BYTES {
                    return Err(Error::BadResponse {
                        op: "GetObject",
                        detail: format!(
                            "the events read hold more than {}, the most one read keeps; \
                             narrow --delta or the filters",
                            crate::env::size(MAX_EVENTS_BYTES as u64)
                        ),
                    });
                }
                events.extend(kept);
            }
        }
    }
    if let Some(first) = left.first() {
        return Err(Error::Partial {
            op: "GetObject",
            left: format!(
                "{} of {} log files (the first s3://{bucket}/{first})",
                left.len(),
                keys.len()
            ),
            limit: s3.caller.limit,
        });
    }
    Ok(events)
}

/// One log file, the events `keep` keeps; a malformed file is an error
/// naming it.
fn read_file(
    s3: &s3::Client<'_>,
    bucket: &str,
    key: &str,
    keep: &(dyn Fn(&Event) -> bool + Sync),
    trace: &mut Trace,
) -> Result<Vec<Event>, Error> {
    let mut body = s3.get_object(bucket, key, MAX_FILE_BYTES, trace)?;
    let mut kept = Vec::new();
    let read = logfile::read(&mut body, &mut |_, e| {
        if keep(&e) {
            kept.push(e);
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

/// The time kept for answering: a fifth of the check's time, at most 3 s
/// (as logintegrity's reads).
fn reserve(s3: &s3::Client<'_>) -> Duration {
    Duration::from_millis(s3.caller.limit.secs.saturating_mul(200)).min(Duration::from_secs(3))
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
