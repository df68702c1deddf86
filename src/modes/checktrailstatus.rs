//! `checktrailstatus`: is the trail logging? (GetTrailStatus `IsLogging`)

use crate::aws::cloudtrail::TrailStatus;
use crate::output::Outcome;
use crate::perfdata::Perfdata;
use crate::status::State;

/// CRITICAL when the trail is not logging. The value is printed `1`/`0`
/// as Perl prints a JSON boolean, so the line is upstream's to the byte.
pub fn evaluate(status: &TrailStatus) -> Outcome {
    let v = u8::from(status.is_logging);
    let state = if status.is_logging {
        State::Ok
    } else {
        State::Critical
    };
    let mut outcome = Outcome::single(state, format!("Trail is logging: {v}"));
    // The short line stays upstream's; the details go to long output.
    let when = |t: Option<i64>| t.map_or_else(|| "never".to_owned(), crate::time::iso8601);
    outcome.long.push(format!(
        "logging started: {}, stopped: {}",
        when(status.start_logging_time),
        when(status.stop_logging_time)
    ));
    outcome.long.push(format!(
        "latest log delivery: {}{}",
        when(status.latest_delivery_time),
        status
            .latest_delivery_error
            .as_ref()
            .map(|e| format!(" (error: {e})"))
            .unwrap_or_default()
    ));
    outcome.perfdata.push(Perfdata {
        min: Some(0.0),
        ..Perfdata::new("trail_is_logging", f64::from(v))
    });
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::text;

    #[test]
    fn logging_and_stopped() {
        let ok = evaluate(&TrailStatus {
            is_logging: true,
            ..TrailStatus::default()
        });
        assert_eq!(
            text(&ok, false),
            "OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\n"
        );
        let stopped = evaluate(&TrailStatus {
            is_logging: false,
            start_logging_time: Some(1_440_938_160),
            stop_logging_time: Some(1_440_941_760),
            latest_delivery_time: None,
            latest_delivery_error: Some("NoSuchBucket".into()),
            ..TrailStatus::default()
        });
        assert_eq!(stopped.state(), State::Critical);
        assert_eq!(
            text(&stopped, false),
            "CRITICAL: Trail is logging: 0 | 'trail_is_logging'=0;;;0;\n"
        );
        assert_eq!(
            text(&stopped, true),
            "CRITICAL: Trail is logging: 0 | 'trail_is_logging'=0;;;0;\n\
             logging started: 2015-08-30T12:36:00Z, stopped: 2015-08-30T13:36:00Z\n\
             latest log delivery: never (error: NoSuchBucket)\n"
        );
    }
}
