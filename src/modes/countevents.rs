//! `countevents`: how many management events in the last `--delta`
//! minutes, optionally only those of an event type or whose error message
//! matches a pattern (LookupEvents).

use crate::aws::cloudtrail::Event;
use crate::cli::CountEvents;
use crate::output::{Outcome, Perfdata};

/// Upstream's filter (`countevents.pm` `run`): with neither filter every
/// event counts; otherwise an event counts when its `eventType` equals
/// `--event-type` **or** its non-empty `errorMessage` matches the
/// unanchored, case-sensitive `--error-message` pattern.
pub fn matches(opts: &CountEvents, e: &Event) -> bool {
    if opts.event_type.is_none() && opts.error_message.is_none() {
        return true;
    }
    let by_type = opts
        .event_type
        .as_deref()
        .is_some_and(|t| e.event_type.as_deref() == Some(t));
    let by_message = match (&opts.error_message, e.error_message.as_deref()) {
        (Some(re), Some(msg)) if !msg.is_empty() => re.is_match(msg),
        _ => false,
    };
    by_type || by_message
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

pub fn evaluate(opts: &CountEvents, events: &[Event]) -> Outcome {
    let count = events.iter().filter(|e| matches(opts, e)).count();
    // Counts stay far below 2^53, where f64 is exact.
    let value = count as f64;
    let mut outcome = Outcome::single(
        opts.thresholds
            .evaluate_rounded(value, opts.float_precision),
        format!("Number of events: {value:.2}"),
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
    outcome
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use regex_lite::Regex;

    use super::*;
    use crate::output::{Render, State, render};
    use crate::threshold::{Range, Thresholds};

    fn ev(t: &str, msg: Option<&str>) -> Event {
        Event {
            event_id: String::new(),
            event_type: Some(t.into()),
            error_message: msg.map(str::to_owned),
            time: None,
        }
    }

    fn at(id: &str, t: i64) -> Event {
        Event {
            event_id: id.into(),
            time: Some(t),
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
        let cached = vec![at("a", 100), at("b", 200), at("c", 300)];
        let fresh = vec![at("c", 300), at("d", 400)];
        let ids: Vec<String> = merge(&cached, fresh, 150)
            .into_iter()
            .map(|e| e.event_id)
            .collect();
        assert_eq!(ids, vec!["c", "d", "b"]);
    }

    /// The Centreon mock's window: 4 AwsApiCall, 2 AwsServiceEvent,
    /// 1 AwsConsoleAction ("Rate exceeded error"), 3 AwsConsoleSignIn
    /// ("Login error").
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
    ) -> CountEvents {
        CountEvents {
            event_type: event_type.map(str::to_owned),
            error_message: re.map(|r| Regex::new(r).unwrap()),
            delta: Duration::from_secs(3600),
            thresholds: Thresholds {
                warning: w.and_then(Range::parse),
                critical: c.and_then(Range::parse),
            },
            float_precision: None,
            max_pages: 100,
        }
    }

    fn line(o: &CountEvents) -> String {
        render(&evaluate(o, &mock_events()), Render::default())
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
}
