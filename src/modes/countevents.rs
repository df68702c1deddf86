//! `countevents`: how many management (or Insights) events in the last
//! `--delta` minutes, optionally only those of an event type or whose
//! error message matches a pattern (upstream's filters), and only those
//! passing our own filters (LookupEvents).

use std::collections::HashSet;
use std::time::Duration;

use regex_lite::Regex;
use serde_json::{Value, json};

use super::counted::{Counted, Tally};
use crate::aws::cloudtrail::EventCategory;
use crate::aws::cloudtrail::{Attribute, AttributeKey, Event, Lookup, Paged, Query};
use crate::clock::Deadline;
use crate::error::{Error, one_line};
use crate::output::Outcome;
use crate::perfdata::Perfdata;
use crate::threshold::Thresholds;

/// What countevents needs (securityevents reads its window the same way).
#[derive(Clone, Debug)]
pub struct Options {
    pub event_type: Option<String>,
    pub error_message: Option<Regex>,
    pub delta: Duration,
    pub thresholds: Thresholds,
    /// `--float-precision`: decimals the thresholds are rounded to.
    pub float_precision: Option<usize>,
    pub max_pages: u32,
    /// What LookupEvents filters itself: the first lookup-attribute
    /// option given, `--insight`.
    pub query: Query,
    /// The other lookup-attribute options given: checked on our side.
    pub attributes: Vec<Attribute>,
    /// `--error-code`: exact match on the record's `errorCode`.
    pub error_code: Option<String>,
    /// `--filter-event-name`: unanchored pattern on the event name.
    pub filter_event_name: Option<Regex>,
    /// `--exclude-self`: drop the events of our own calls.
    pub exclude_self: bool,
    /// `--stop-at-critical`: stop paging once the count is CRITICAL
    /// whatever the pages left hold.
    pub stop_at_critical: bool,
    /// `--event-category` (`--insight`: Insight): the record's
    /// `eventCategory` counted (LookupEvents: management or Insights).
    pub category: EventCategory,
    /// `--source`: where the window's events are read.
    pub source: Source,
}

/// Where the window's events are read.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Source {
    /// LookupEvents (event history).
    #[default]
    Api,
    /// The trail's log files in S3.
    S3(Box<LogSource>),
}

/// `--source=s3`: which trail's log files (as logintegrity finds them).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogSource {
    /// `--trail-name`: DescribeTrails gives the bucket, unless `--s3-bucket`.
    pub trail: Option<String>,
    pub bucket: Option<String>,
    pub prefix: Option<String>,
    pub account_id: Option<String>,
    /// `--organization-id`, else the single `AWSLogs/o-…/` folder of an
    /// organization trail.
    pub organization_id: Option<String>,
}

/// How our own calls show in the record's `userAgent`: the User-Agent we
/// send is `check_cloudtrail/<version>` (`aws::backend::USER_AGENT`).
pub const SELF_AGENT_PREFIX: &str = concat!(env!("CARGO_PKG_NAME"), "/");

/// At most this many events are listed under `--verbose`.
pub const LISTED: usize = 50;

/// Upstream's filter (`countevents.pm` `run`): with neither filter every
/// event counts; otherwise an event counts when its `eventType` equals
/// `--event-type` **or** its non-empty `errorMessage` matches the
/// unanchored, case-sensitive `--error-message` pattern.
fn upstream_matches(opts: &Options, e: &Event) -> bool {
    if opts.event_type.is_none() && opts.error_message.is_none() {
        return true;
    }
    let by_type = opts
        .event_type
        .as_deref()
        .is_some_and(|t| e.event_type.as_deref() == Some(t));
    let by_message = match (&opts.error_message, e.error_message.as_deref()) {
        (Some(re), Some(msg)) if !msg.is_empty() => re.is_match(matched_part(msg)),
        _ => false,
    };
    by_type || by_message
}

/// A lookup attribute checked on our side: exact, case-sensitive, on the
/// event's field (any of its resources for the resource attributes).
pub fn attribute_matches(a: &Attribute, e: &Event) -> bool {
    let is = |field: &Option<String>| field.as_deref() == Some(a.value.as_str());
    match a.key {
        AttributeKey::EventName => is(&e.event_name),
        AttributeKey::EventSource => is(&e.event_source),
        AttributeKey::Username => is(&e.username),
        AttributeKey::ResourceType => e.resources.iter().any(|(t, _)| is(t)),
        AttributeKey::ResourceName => e.resources.iter().any(|(_, n)| is(n)),
        AttributeKey::AccessKeyId => is(&e.access_key_id),
        AttributeKey::ReadOnly => e
            .read_only
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case(&a.value)),
    }
}

/// Whether our own calls made this event (its `userAgent` is ours).
pub fn is_ours(e: &Event) -> bool {
    e.user_agent
        .as_deref()
        .is_some_and(|ua| ua.starts_with(SELF_AGENT_PREFIX))
}

/// Whether an event counts: upstream's filter (an OR of its two options)
/// and every one of ours.
pub fn matches(opts: &Options, e: &Event) -> bool {
    upstream_matches(opts, e)
        && opts.attributes.iter().all(|a| attribute_matches(a, e))
        && opts
            .error_code
            .as_deref()
            .is_none_or(|c| e.error_code.as_deref() == Some(c))
        && opts.filter_event_name.as_ref().is_none_or(|re| {
            e.event_name
                .as_deref()
                .is_some_and(|n| re.is_match(matched_part(n)))
        })
        && !(opts.exclude_self && is_ours(e))
}

/// On the log-file source, what LookupEvents filters itself (the
/// category, the lookup attribute) is checked on our side.
pub fn in_query(opts: &Options, e: &Event) -> bool {
    in_category(opts, e)
        && opts
            .query
            .attribute
            .as_ref()
            .is_none_or(|a| attribute_matches(a, e))
}

/// On the log-file source, everything besides the category that decides
/// whether an event counts: what the state keeps of a log file was
/// filtered so, and serves only the same filters. `own` are the ARNs
/// `--exclude-self` drops besides our user agent.
pub fn filter_key(opts: &Options, own: &[String]) -> String {
    let attributes: Vec<Value> = opts
        .attributes
        .iter()
        .map(|a| json!([a.key.api_name(), a.value]))
        .collect();
    json!({
        "mode": "countevents",
        "query": opts.query.key(),
        "event_type": opts.event_type,
        "error_message": opts.error_message.as_ref().map(Regex::as_str),
        "attributes": attributes,
        "error_code": opts.error_code,
        "filter_event_name": opts.filter_event_name.as_ref().map(Regex::as_str),
        "exclude_self": opts.exclude_self.then_some(own),
    })
    .to_string()
}

/// Whether a record is of `--event-category` (one without the field is a
/// management event, as [`EventCategory::of_record`] has it).
pub fn in_category(opts: &Options, e: &Event) -> bool {
    e.category.unwrap_or(EventCategory::Management) == opts.category
}

/// The most of a field the patterns (`--error-message`,
/// `--filter-event-name`) are matched against: the time one match takes
/// grows with the text times the pattern, and a real error message is
/// far shorter (an encoded authorization message, the longest, about
/// 2 KB); a longer one is matched on its first 4 KiB.
pub const MATCHED_BYTES: usize = 4 << 10;

/// The part of `text` a pattern sees: its first [`MATCHED_BYTES`], cut on
/// a character boundary.
fn matched_part(text: &str) -> &str {
    if text.len() <= MATCHED_BYTES {
        return text;
    }
    let end = (0..=MATCHED_BYTES)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    text.get(..end).unwrap_or_default()
}

/// What a run that ran out of time while matching was doing.
pub const MATCHING: &str = "Matching events";

/// The events `keep` takes, the run's deadline checked before each one.
pub fn matching<'e>(
    events: impl IntoIterator<Item = &'e Event>,
    deadline: &Deadline<'_>,
    mut keep: impl FnMut(&Event) -> bool,
) -> Result<Vec<&'e Event>, Error> {
    let mut out = Vec::new();
    for e in events {
        deadline.check(MATCHING)?;
        if keep(e) {
            out.push(e);
        }
    }
    Ok(out)
}

/// How many events count.
pub fn count(opts: &Options, events: &[Event], deadline: &Deadline<'_>) -> Result<usize, Error> {
    Ok(matching(events, deadline, |e| matches(opts, e))?.len())
}

/// [`count`] of `merge(cached, fresh, window_start)`, without building it.
pub fn count_merged(
    opts: &Options,
    (cached, fresh): (&[Event], &[Event]),
    window_start: i64,
    deadline: &Deadline<'_>,
) -> Result<usize, Error> {
    let counts = |e: &Event| e.time.is_none_or(|t| t >= window_start) && matches(opts, e);
    let seen: HashSet<&str> = fresh.iter().map(|e| e.event_id.as_str()).collect();
    Ok(matching(fresh, deadline, counts)?.len()
        + matching(cached, deadline, |e| {
            !seen.contains(e.event_id.as_str()) && counts(e)
        })?
        .len())
}

/// With `--stop-at-critical`: true once `count` events make the check
/// CRITICAL whatever the pages left hold (the count only grows).
pub fn critical_already(opts: &Options, count: usize) -> bool {
    opts.stop_at_critical
        && opts
            .thresholds
            .critical_from(count as f64, opts.float_precision)
}

/// What a `--verbose` line says of an event, each part one line of text
/// and `-` where the event says nothing: time, name, user, source IP, and
/// the error code when there is one.
pub struct Parts {
    pub time: String,
    pub name: String,
    pub user: String,
    pub ip: String,
    pub code: Option<String>,
}

/// `-` for a missing or empty field, else the field on one line.
pub fn or_dash(v: Option<&str>) -> String {
    v.filter(|s| !s.is_empty())
        .map_or_else(|| "-".to_owned(), one_line)
}

pub fn parts(e: &Event) -> Parts {
    let time = e
        .event_time
        .or(e.time)
        .map_or_else(|| "-".to_owned(), crate::time::iso8601);
    let user = e
        .username
        .as_deref()
        .filter(|u| !u.is_empty())
        .or(e.user_arn.as_deref());
    Parts {
        time,
        name: or_dash(e.event_name.as_deref()),
        user: or_dash(user),
        ip: or_dash(e.source_ip.as_deref()),
        code: e
            .error_code
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(|c| or_dash(Some(c))),
    }
}

/// One `--verbose` line: `time name user sourceIP [errorCode]`.
pub fn event_line(e: &Event) -> String {
    let p = parts(e);
    let mut line = format!("{} {} {} {}", p.time, p.name, p.user, p.ip);
    if let Some(code) = p.code {
        line.push(' ');
        line.push_str(&code);
    }
    line
}

/// How far before the previous run's end an incremental read starts:
/// event history is delivered minutes late, so the last quarter hour is
/// always read again.
pub const OVERLAP_SECS: i64 = 15 * 60;

/// The events of the last run, as kept in the state directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Cached {
    /// The window length the events were read for, in seconds.
    pub delta: i64,
    /// Where the last read ended (epoch seconds).
    pub end: i64,
    pub events: Vec<Event>,
}

/// Where to start reading for the window `[now - delta, now]`: the whole
/// window, or only what came since the last run (minus the overlap) when
/// the cache is for the same window length and still overlaps it.
pub fn read_from(cache: Option<&Cached>, delta: i64, now: i64) -> (i64, bool) {
    let window_start = now - delta;
    match cache {
        Some(c) if c.delta == delta && c.end >= window_start && c.end <= now => {
            ((c.end - OVERLAP_SECS).max(window_start), true)
        }
        _ => (window_start, false),
    }
}

/// The window's events: the fresh ones, then the cached ones not seen
/// again, without those older than the window. The same event is counted
/// once (by event id).
pub fn merge(cached: &[Event], fresh: Vec<Event>, window_start: i64) -> Vec<Event> {
    let mut out = fresh;
    let seen: std::collections::HashSet<String> = out.iter().map(|e| e.event_id.clone()).collect();
    out.extend(
        cached
            .iter()
            .filter(|e| !seen.contains(&e.event_id))
            .cloned(),
    );
    out.retain(|e| e.time.is_none_or(|t| t >= window_start));
    out
}

/// The most events kept between runs. A check reads at most ~100
/// events a second (LookupEvents: 2 requests of 50), so a window this
/// large takes minutes to read whole: past it, caching no longer makes a
/// check fit its timeout, and the memory (~1 KB an event) and the file
/// (~0.5 KB an event) stop being small. Past it, each run reads its
/// whole window.
pub const MAX_CACHED_EVENTS: usize = 20_000;

/// Whether a read's events may be kept for the next run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Keep {
    /// Yes: they are the whole window of `delta` seconds up to `end`.
    Window { delta: i64, end: i64 },
    /// No: the read stopped early, or an event has no time to prune it by.
    Partial,
    /// No: more than [`MAX_CACHED_EVENTS`].
    TooMany,
}

/// One read of the window, planned from what the last run kept: where it
/// starts, when paging may stop, and what it ends as.
pub struct Plan<'a> {
    opts: &'a Options,
    now: i64,
    window_start: i64,
    /// Where LookupEvents starts: the window's start, or (incremental)
    /// shortly before the last run's end.
    pub start: i64,
    /// The events kept by the last run, when this read only completes them.
    pub kept: Option<&'a [Event]>,
}

/// Plans the read of `[now - delta, now]` for `opts`, with the last run's
/// events if any.
pub fn plan<'a>(opts: &'a Options, cached: Option<&'a Cached>, now: i64) -> Plan<'a> {
    let window_start = now.saturating_sub(i64::try_from(opts.delta.as_secs()).unwrap_or(i64::MAX));
    let (start, incremental) = read_from(cached, now - window_start, now);
    Plan {
        opts,
        now,
        window_start,
        start,
        kept: cached.filter(|_| incremental).map(|c| c.events.as_slice()),
    }
}

impl Plan<'_> {
    /// The LookupEvents read this plan makes.
    pub fn lookup(&self) -> Lookup {
        Lookup {
            start: self.start,
            end: self.now,
            max_pages: self.opts.max_pages,
            query: self.opts.query.clone(),
        }
    }

    /// With `--stop-at-critical`: whether the events read so far already
    /// make the window CRITICAL, counted as the result will be. Out of
    /// time, it stops too: the evaluation that follows says so.
    pub fn stop(&self, fresh: &[Event], deadline: &Deadline<'_>) -> bool {
        if !self.opts.stop_at_critical {
            return false;
        }
        let counted = match self.kept {
            Some(k) => count_merged(self.opts, (k, fresh), self.window_start, deadline),
            None => count(self.opts, fresh, deadline),
        };
        counted.is_err() || counted.is_ok_and(|n| critical_already(self.opts, n))
    }

    /// The window's events from what was read, and whether the next run
    /// may keep them: only a whole window whose every event has a time can
    /// be pruned next time, so a read stopped early is never kept; nor is
    /// a window of more than [`MAX_CACHED_EVENTS`].
    pub fn finish(self, fresh: Paged) -> (Paged, Keep) {
        let events = match self.kept {
            Some(k) => merge(k, fresh.events, self.window_start),
            None => fresh.events,
        };
        let keep = if !fresh.complete || events.iter().any(|e| e.time.is_none()) {
            Keep::Partial
        } else if events.len() > MAX_CACHED_EVENTS {
            Keep::TooMany
        } else {
            Keep::Window {
                delta: self.now - self.window_start,
                end: self.now,
            }
        };
        (
            Paged {
                events,
                complete: fresh.complete,
            },
            keep,
        )
    }
}

/// The outcome of a complete read, with no time limit.
#[cfg(test)]
pub fn evaluate(opts: &Options, events: &[Event]) -> Outcome {
    evaluate_read(opts, events, true, &Deadline::none()).unwrap_or_default()
}

/// The outcome of a read, `complete` or stopped early by
/// `--stop-at-critical` (then the count is a lower bound: `at least N`).
/// The matching events go to long output, at most [`LISTED`] of them.
/// Matching stops when the run's time is up.
pub fn evaluate_read(
    opts: &Options,
    events: &[Event],
    complete: bool,
    deadline: &Deadline<'_>,
) -> Result<Outcome, Error> {
    let matching: Vec<&Event> = matching(events, deadline, |e| matches(opts, e))?;
    Ok(outcome(opts, &matching, 0, complete))
}

/// The outcome of a whole log-file read: its full events are matched as
/// a LookupEvents read's; its compact ones were matched as they were
/// read, each counts.
pub fn evaluate_tally(
    opts: &Options,
    tally: &Tally,
    deadline: &Deadline<'_>,
) -> Result<Outcome, Error> {
    let matching: Vec<&Event> = matching(&tally.full, deadline, |e| matches(opts, e))?;
    let compact = counting(&tally.compact, deadline, |c| c.tags & 1 != 0)?;
    Ok(outcome(opts, &matching, compact, true))
}

/// How many of `compact` `counts` takes, the run's deadline checked
/// every so many (one check per event would cost more than the count).
pub fn counting(
    compact: &[Counted],
    deadline: &Deadline<'_>,
    counts: impl Fn(&Counted) -> bool,
) -> Result<usize, Error> {
    let mut n = 0;
    for chunk in compact.chunks(1 << 16) {
        deadline.check(MATCHING)?;
        n += chunk.iter().filter(|c| counts(c)).count();
    }
    Ok(n)
}

/// The count of `matching` and `compact` more, `matching` listed (the
/// compact events have nothing to list: they are kept so only when long
/// output is off, [`crate::modes::counted`]).
fn outcome(opts: &Options, matching: &[&Event], compact: usize, complete: bool) -> Outcome {
    let total = matching.len() + compact;
    // Counts stay far below 2^53, where f64 is exact.
    let value = total as f64;
    let mut outcome = Outcome::single(
        opts.thresholds
            .evaluate_rounded(value, opts.float_precision),
        if complete {
            format!("Number of events: {value:.2}")
        } else {
            format!("Number of events: at least {value:.2}")
        },
    );
    // Upstream drops the thresholds from this perfdata (it asks for the
    // wrong labels); we echo them, as the guidelines want.
    outcome.perfdata.push(Perfdata {
        decimals: Some(2),
        warning: opts.thresholds.warning,
        critical: opts.thresholds.critical,
        min: Some(0.0),
        ..Perfdata::new("events_count", value)
    });
    let listed = matching.len().min(LISTED);
    outcome
        .long
        .extend(matching.iter().take(listed).map(|e| event_line(e)));
    if total > listed {
        outcome.long.push(format!("… and {} more", total - listed));
    }
    outcome
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use regex_lite::Regex;

    use super::*;
    use crate::aws::cloudtrail::Query;
    use crate::output::text;
    use crate::status::State;
    use crate::threshold::{Range, Thresholds};

    fn ev(t: &str, msg: Option<&str>) -> Event {
        Event {
            event_id: String::new(),
            event_type: Some(t.into()),
            error_message: msg.map(str::to_owned),
            time: None,
            ..Event::default()
        }
    }

    #[test]
    fn incremental_windows() {
        let cache = Cached {
            delta: 3600,
            end: 10_000,
            events: vec![],
        };
        // Same window length, recent: from the last end minus the overlap.
        assert_eq!(
            read_from(Some(&cache), 3600, 10_300),
            (10_000 - OVERLAP_SECS, true)
        );
        // The overlap never reaches before the window.
        let short = Cached {
            delta: 600,
            ..cache.clone()
        };
        assert_eq!(read_from(Some(&short), 600, 10_300), (9_700, true));
        // Another window length, or a cache older than the window: full read.
        assert_eq!(read_from(Some(&cache), 1800, 10_300), (8_500, false));
        assert_eq!(read_from(Some(&cache), 3600, 20_000), (16_400, false));
        assert_eq!(read_from(None, 3600, 10_300), (6_700, false));
        // A cache from the future (clock moved back): full read.
        assert_eq!(read_from(Some(&cache), 3600, 9_000), (5_400, false));
    }

    #[test]
    fn merge_counts_each_event_once_and_drops_old_ones() {
        let cached = vec![
            Event::at("a", 100),
            Event::at("b", 200),
            Event::at("c", 300),
        ];
        let fresh = vec![Event::at("c", 300), Event::at("d", 400)];
        let ids: Vec<String> = merge(&cached, fresh, 150)
            .into_iter()
            .map(|e| e.event_id)
            .collect();
        assert_eq!(ids, vec!["c", "d", "b"]);
    }

    /// The Centreon mock's window: 4 AwsApiCall, 2 AwsServiceEvent,
    /// 1 AwsConsoleAction ("Rate exceeded error"), 3 AwsConsoleSignIn
    /// ("Login error").
    #[test]
    fn matching_stops_at_the_deadline() {
        use crate::clock::{Clock, SystemClock};
        let limit = crate::error::Limit {
            secs: 10,
            option: "--timeout",
        };
        let passed = Deadline::new(&SystemClock, SystemClock.now(), limit);
        let o = opts(None, Some("Denied"), None, None);
        let e = evaluate_read(&o, &mock_events(), true, &passed).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Matching events failed: timed out, the check's --timeout of 10s ran out"
        );
        assert!(count(&o, &[], &passed).is_ok_and(|n| n == 0));
        let o = Options {
            stop_at_critical: true,
            category: EventCategory::Management,
            source: Source::Api,
            ..opts(None, None, None, Some("5"))
        };
        let p = plan(&o, None, 1000);
        assert!(
            p.stop(&mock_events(), &passed),
            "out of time, the read stops"
        );
    }

    #[test]
    fn patterns_see_the_first_4_kib() {
        assert_eq!(matched_part("short"), "short");
        let long = "é".repeat(MATCHED_BYTES);
        let part = matched_part(&long);
        assert!(part.len() <= MATCHED_BYTES && part.len() >= MATCHED_BYTES - 1);
        assert!(long.starts_with(part));
    }

    fn mock_events() -> Vec<Event> {
        let mut v = Vec::new();
        v.extend((0..4).map(|_| ev("AwsApiCall", None)));
        v.extend((0..2).map(|_| ev("AwsServiceEvent", None)));
        v.push(ev("AwsConsoleAction", Some("Rate exceeded error")));
        v.extend((0..3).map(|_| ev("AwsConsoleSignIn", Some("Login error"))));
        v
    }

    fn opts(
        event_type: Option<&str>,
        re: Option<&str>,
        w: Option<&str>,
        c: Option<&str>,
    ) -> Options {
        Options {
            event_type: event_type.map(str::to_owned),
            error_message: re.map(|r| Regex::new(r).unwrap()),
            delta: Duration::from_secs(3600),
            thresholds: Thresholds {
                warning: w.and_then(Range::parse),
                critical: c.and_then(Range::parse),
            },
            float_precision: None,
            max_pages: 100,
            query: Query::default(),
            attributes: Vec::new(),
            error_code: None,
            filter_event_name: None,
            exclude_self: false,
            stop_at_critical: false,
            category: EventCategory::Management,
            source: Source::Api,
        }
    }

    fn line(o: &Options) -> String {
        text(&evaluate(o, &mock_events()), false)
    }

    #[test]
    fn centreon_robot_cases() {
        assert_eq!(
            line(&opts(None, None, None, None)),
            "OK: Number of events: 10.00 | 'events_count'=10.00;;;0;\n"
        );
        assert_eq!(
            line(&opts(Some("AwsApiCall"), None, None, None)),
            "OK: Number of events: 4.00 | 'events_count'=4.00;;;0;\n"
        );
        assert_eq!(
            line(&opts(Some("AwsServiceEvent"), None, None, None)),
            "OK: Number of events: 2.00 | 'events_count'=2.00;;;0;\n"
        );
        assert_eq!(
            line(&opts(None, Some("Login error"), None, None)),
            "OK: Number of events: 3.00 | 'events_count'=3.00;;;0;\n"
        );
        assert_eq!(
            line(&opts(None, Some(".*error"), None, None)),
            "OK: Number of events: 4.00 | 'events_count'=4.00;;;0;\n"
        );
        assert_eq!(
            line(&opts(None, None, Some("3"), None)),
            "WARNING: Number of events: 10.00 | 'events_count'=10.00;0:3;;0;\n"
        );
        assert_eq!(
            line(&opts(None, None, None, Some("5"))),
            "CRITICAL: Number of events: 10.00 | 'events_count'=10.00;;0:5;0;\n"
        );
    }

    #[test]
    fn filters_combine_with_or_and_are_case_sensitive() {
        let o = opts(Some("AwsApiCall"), Some("Login"), None, None);
        assert_eq!(evaluate(&o, &mock_events()).perfdata[0].value, 7.0);
        let o = opts(None, Some("login"), None, None);
        assert_eq!(evaluate(&o, &mock_events()).perfdata[0].value, 0.0);
        // An empty error message never matches, even a pattern that would.
        let o = opts(None, Some(".*"), None, None);
        assert_eq!(
            evaluate(&o, &[ev("AwsApiCall", Some(""))]).perfdata[0].value,
            0.0
        );
    }

    #[test]
    fn critical_wins() {
        let o = opts(None, None, Some("5"), Some("8"));
        assert_eq!(evaluate(&o, &mock_events()).state(), State::Critical);
    }

    /// A fuller event for our own filters.
    fn full(id: &str, name: &str, user: &str, code: Option<&str>) -> Event {
        Event {
            event_id: id.into(),
            event_type: Some("AwsApiCall".into()),
            time: Some(1_704_067_200),
            event_name: Some(name.into()),
            event_source: Some("iam.amazonaws.com".into()),
            username: Some(user.into()),
            resources: vec![(
                Some("AWS::IAM::User".into()),
                Some(format!("arn:aws:iam::123456789012:user/{user}")),
            )],
            access_key_id: Some("AKIAIOSFODNN7EXAMPLE".into()),
            read_only: Some("false".into()),
            error_code: code.map(str::to_owned),
            error_message: code.map(|c| format!("{c} happened")),
            user_agent: Some("aws-cli/2.15.0".into()),
            source_ip: Some("203.0.113.5".into()),
            user_arn: Some(format!("arn:aws:iam::123456789012:user/{user}")),
            event_time: Some(1_704_067_201),
            ..Event::default()
        }
    }

    fn attr(key: AttributeKey, value: &str) -> Attribute {
        Attribute {
            key,
            value: value.into(),
        }
    }

    #[test]
    fn attributes_checked_on_our_side() {
        let e = full("a", "CreateUser", "alice", None);
        for (key, yes, no) in [
            (AttributeKey::EventName, "CreateUser", "createuser"),
            (AttributeKey::EventSource, "iam.amazonaws.com", "iam"),
            (AttributeKey::Username, "alice", "bob"),
            (
                AttributeKey::ResourceType,
                "AWS::IAM::User",
                "AWS::S3::Bucket",
            ),
            (
                AttributeKey::ResourceName,
                "arn:aws:iam::123456789012:user/alice",
                "alice",
            ),
            (
                AttributeKey::AccessKeyId,
                "AKIAIOSFODNN7EXAMPLE",
                "AKIAOTHEROTHER00",
            ),
            (AttributeKey::ReadOnly, "false", "true"),
        ] {
            assert!(attribute_matches(&attr(key, yes), &e), "{key:?} {yes}");
            assert!(!attribute_matches(&attr(key, no), &e), "{key:?} {no}");
            // A field the event lacks never matches.
            assert!(!attribute_matches(&attr(key, yes), &Event::default()));
        }
        // Any of the resources.
        let mut two = e.clone();
        two.resources.push((Some("AWS::S3::Bucket".into()), None));
        assert!(attribute_matches(
            &attr(AttributeKey::ResourceType, "AWS::S3::Bucket"),
            &two
        ));
    }

    #[test]
    fn every_filter_must_hold_and_upstream_stays_an_or() {
        let events = [
            full("1", "ConsoleLogin", "alice", Some("AccessDenied")),
            full("2", "ConsoleLogin", "bob", None),
            full("3", "CreateUser", "alice", Some("AccessDenied")),
            Event {
                event_type: Some("AwsConsoleSignIn".into()),
                ..full("4", "ConsoleLogin", "alice", None)
            },
            Event {
                user_agent: Some("check_cloudtrail/0.1.0".into()),
                ..full("5", "ConsoleLogin", "alice", Some("AccessDenied"))
            },
        ];
        let ids = |o: &Options| -> Vec<String> {
            events
                .iter()
                .filter(|e| matches(o, e))
                .map(|e| e.event_id.clone())
                .collect()
        };
        let mut o = opts(None, None, None, None);
        assert_eq!(ids(&o), ["1", "2", "3", "4", "5"]);
        o.attributes = vec![attr(AttributeKey::Username, "alice")];
        assert_eq!(ids(&o), ["1", "3", "4", "5"]);
        o.error_code = Some("AccessDenied".into());
        assert_eq!(ids(&o), ["1", "3", "5"]);
        o.filter_event_name = Some(Regex::new("Login").unwrap());
        assert_eq!(ids(&o), ["1", "5"]);
        o.exclude_self = true;
        assert_eq!(ids(&o), ["1"]);
        // Upstream's pair: either one, and ours on top.
        let mut o = opts(Some("AwsConsoleSignIn"), Some("Denied"), None, None);
        assert_eq!(ids(&o), ["1", "3", "4", "5"]);
        o.attributes = vec![attr(AttributeKey::EventName, "ConsoleLogin")];
        assert_eq!(ids(&o), ["1", "4", "5"]);
        o.exclude_self = true;
        assert_eq!(ids(&o), ["1", "4"]);
        // The error code is exact; the name pattern unanchored and
        // case-sensitive.
        let mut o = opts(None, None, None, None);
        o.error_code = Some("Access".into());
        assert!(ids(&o).is_empty());
        o.error_code = None;
        o.filter_event_name = Some(Regex::new("^Create").unwrap());
        assert_eq!(ids(&o), ["3"]);
        o.filter_event_name = Some(Regex::new("login").unwrap());
        assert!(ids(&o).is_empty());
    }

    #[test]
    fn self_agent_is_our_user_agent() {
        assert!(crate::aws::backend::USER_AGENT.starts_with(SELF_AGENT_PREFIX));
        let ours = |ua: &str| {
            is_ours(&Event {
                user_agent: Some(ua.into()),
                ..Event::default()
            })
        };
        assert!(ours("check_cloudtrail/0.1.0"));
        assert!(!ours("aws-cli/2.15.0 check_cloudtrail/0.1.0"));
        assert!(!ours("check_cloudtrail"));
        assert!(!is_ours(&Event::default()));
    }

    #[test]
    fn verbose_lines() {
        assert_eq!(
            event_line(&full("1", "ConsoleLogin", "alice", Some("AccessDenied"))),
            "2024-01-01T00:00:01Z ConsoleLogin alice 203.0.113.5 AccessDenied"
        );
        // No Username: the identity's ARN; no record time: the outer one;
        // no error: nothing after the address.
        let e = Event {
            username: None,
            event_time: None,
            ..full("2", "CreateUser", "bob", None)
        };
        assert_eq!(
            event_line(&e),
            "2024-01-01T00:00:00Z CreateUser arn:aws:iam::123456789012:user/bob 203.0.113.5"
        );
        assert_eq!(event_line(&Event::default()), "- - - -");
        // Hostile text stays on its line and is cut.
        let e = Event {
            event_name: Some(format!("x\ny|{}", "z".repeat(400))),
            ..Event::default()
        };
        let line = event_line(&e);
        assert!(!line.contains('\n') && !line.contains('|'), "{line}");
        assert!(line.chars().count() < 320, "{line}");
    }

    #[test]
    fn verbose_lists_at_most_fifty() {
        let o = opts(None, None, None, None);
        let events: Vec<Event> = (0..53)
            .map(|i| full(&i.to_string(), "GetObject", "svc", None))
            .collect();
        let out = evaluate(&o, &events);
        assert_eq!(out.long.len(), 51);
        assert_eq!(out.long[50], "… and 3 more");
        assert_eq!(
            out.long[0],
            "2024-01-01T00:00:01Z GetObject svc 203.0.113.5"
        );
        let out = evaluate(&o, &events[..50]);
        assert_eq!(out.long.len(), 50);
        // Only the matching ones; the short line and perfdata never change.
        let mut only = o.clone();
        only.error_code = Some("Nope".into());
        let out = evaluate(&only, &events);
        assert!(out.long.is_empty());
        assert_eq!(
            text(&evaluate(&o, &events), false),
            "OK: Number of events: 53.00 | 'events_count'=53.00;;;0;\n"
        );
    }

    #[test]
    fn stopped_reads_say_at_least() {
        let mut o = opts(None, None, Some("2"), Some("5"));
        o.stop_at_critical = true;
        let events: Vec<Event> = (0..6).map(|i| Event::at(&i.to_string(), 100)).collect();
        assert_eq!(
            text(
                &evaluate_read(&o, &events, false, &Deadline::none()).unwrap(),
                false
            ),
            "CRITICAL: Number of events: at least 6.00 | 'events_count'=6.00;0:2;0:5;0;\n"
        );
        assert!(!critical_already(&o, 5));
        assert!(critical_already(&o, 6));
        // Without the flag, never.
        o.stop_at_critical = false;
        assert!(!critical_already(&o, 600));
        // A range that alerts below its bound can never be known early.
        let mut low = opts(None, None, None, Some("10:"));
        low.stop_at_critical = true;
        assert!(!critical_already(&low, 0) && !critical_already(&low, 1000));
    }

    #[test]
    fn merged_count_agrees_with_merge() {
        let mut o = opts(None, None, None, None);
        o.filter_event_name = Some(Regex::new("Login").unwrap());
        let mk = |id: &str, name: &str, t: i64| Event {
            time: Some(t),
            ..full(id, name, "u", None)
        };
        let cached = vec![
            mk("a", "ConsoleLogin", 100),
            mk("b", "ConsoleLogin", 200),
            mk("c", "CreateUser", 300),
            mk("d", "ConsoleLogin", 300),
        ];
        let fresh = vec![mk("d", "ConsoleLogin", 300), mk("e", "ConsoleLogin", 400)];
        let merged = merge(&cached, fresh.clone(), 150);
        let none = Deadline::none();
        assert_eq!(
            count_merged(&o, (&cached, &fresh), 150, &none).unwrap(),
            count(&o, &merged, &none).unwrap()
        );
        assert_eq!(count(&o, &merged, &none).unwrap(), 3);
        assert_eq!(count_merged(&o, (&[], &fresh), 0, &none).unwrap(), 2);
    }

    #[test]
    fn compact_events_count_as_their_full_selves() {
        use crate::modes::counted::Counted;
        let o = opts(None, None, Some("2"), None);
        let events: Vec<Event> = (0..3)
            .map(|n| {
                full(
                    &format!("00000000-0000-4000-8000-{n:012x}"),
                    "GetObject",
                    "u",
                    None,
                )
            })
            .collect();
        let tally = Tally {
            full: vec![full("not-a-uuid", "GetObject", "u", None)],
            compact: events.iter().map(|e| Counted::of(e, 1).unwrap()).collect(),
        };
        let mut four = events.clone();
        four.push(full("not-a-uuid", "GetObject", "u", None));
        let d = Deadline::none();
        let compact = evaluate_tally(&o, &tally, &d).unwrap();
        assert_eq!(text(&compact, false), text(&evaluate(&o, &four), false));
        assert_eq!(
            text(&compact, false),
            "WARNING: Number of events: 4.00 | 'events_count'=4.00;0:2;;0;\n"
        );
        // The full one listed, the compact ones only counted.
        assert_eq!(compact.long.len(), 2);
        assert_eq!(compact.long[1], "… and 3 more");
    }

    #[test]
    fn the_filter_key_changes_with_every_filter() {
        let base = opts(None, None, None, None);
        let key = |o: &Options, own: &[String]| filter_key(o, own);
        let own = ["arn:aws:sts::1:assumed-role/r/s".to_owned()];
        let mut seen = HashSet::from([key(&base, &[])]);
        let mut changed = |o: Options, own: &[String]| assert!(seen.insert(key(&o, own)));
        changed(opts(Some("AwsApiCall"), None, None, None), &[]);
        changed(opts(None, Some("x"), None, None), &[]);
        changed(
            Options {
                error_code: Some("E".into()),
                ..base.clone()
            },
            &[],
        );
        changed(
            Options {
                filter_event_name: Some(Regex::new("^Get").unwrap()),
                ..base.clone()
            },
            &[],
        );
        changed(
            Options {
                attributes: vec![attr(AttributeKey::Username, "alice")],
                ..base.clone()
            },
            &[],
        );
        let excluding = Options {
            exclude_self: true,
            ..base.clone()
        };
        changed(excluding.clone(), &[]);
        changed(excluding, &own);
        changed(
            Options {
                query: Query {
                    attribute: Some(attr(AttributeKey::EventName, "GetObject")),
                    ..Query::default()
                },
                ..base.clone()
            },
            &[],
        );
        // Thresholds and the like do not decide what counts.
        assert_eq!(
            key(&opts(None, None, Some("5"), None), &own),
            key(&base, &[])
        );
    }
}
