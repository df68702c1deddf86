//! `checktrailstatus`: is the trail logging? (GetTrailStatus `IsLogging`)

use crate::aws::cloudtrail::TrailStatus;
use crate::output::{Outcome, Perfdata, State};

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
    outcome.perfdata.push(Perfdata {
        min: Some(0.0),
        ..Perfdata::new("trail_is_logging", f64::from(v))
    });
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{Render, render};

    #[test]
    fn logging_and_stopped() {
        let ok = evaluate(&TrailStatus { is_logging: true });
        assert_eq!(
            render(&ok, Render::default()),
            "OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\n"
        );
        let stopped = evaluate(&TrailStatus { is_logging: false });
        assert_eq!(stopped.state(), State::Critical);
        assert_eq!(
            render(&stopped, Render::default()),
            "CRITICAL: Trail is logging: 0 | 'trail_is_logging'=0;;;0;\n"
        );
    }
}
