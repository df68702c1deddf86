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
        }
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
