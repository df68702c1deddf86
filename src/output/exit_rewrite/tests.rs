//! `--change-exit`, against `output.pm::exit`.

use super::*;
use crate::output::generic::GenericArgs;
use crate::output::testing::{BASE, counted, events, failed, generic, table, trail};
use crate::status::State;

#[test]
fn exit_states() {
    let g = generic(GenericArgs {
        change_exit: vec!["ok=warning", "warning=critical", "OK=Critical"],
        ..Default::default()
    });
    // output.pm::exit: one lookup, later same source wins.
    assert_eq!(g.exit_state(State::Ok, None), State::Critical);
    assert_eq!(g.exit_state(State::Warning, None), State::Critical);
    assert_eq!(g.exit_state(State::Unknown, None), State::Unknown);
    // output.pm::exit: the adv exit replaces the state before the mapping.
    assert_eq!(
        g.exit_state(State::Unknown, Some(State::Ok)),
        State::Critical
    );
    assert_eq!(
        Generic::default().exit_state(State::Critical, Some(State::Ok)),
        State::Ok
    );
}

// ---------------------------------------------------------------------
// The rows of tests/it/generic.rs for --change-exit, on the outcome the mode
// handed over in that run; the binary keeps one or two of them.
// ---------------------------------------------------------------------

#[test]
fn change_exit() {
    table(&[
        // output.pm::exit: only the code changes, the label stays.
        (&["--change-exit=ok=critical"], counted(), BASE, 2),
        // output.pm::check_options: case-insensitive; one lookup only.
        (
            &["--change-exit=OK=Warning", "--change-exit=warning=critical"],
            counted(),
            BASE,
            1,
        ),
        // output.pm::check_options: a later same source wins.
        (
            &["--change-exit=ok=critical", "--change-exit=ok=warning"],
            counted(),
            BASE,
            1,
        ),
        // output.pm::exit: another source does not apply.
        (&["--change-exit=warning=critical"], counted(), BASE, 0),
        // output.pm::exit: a threshold state mapped.
        (
            &["--change-exit=critical=warning"],
            events(State::Critical, "", "1"),
            "CRITICAL: Number of events: 3.00 | 'events_count'=3.00;;0:1;0;\n",
            1,
        ),
        // output.pm::exit: errors too (option_exit).
        (
            &["--change-exit=unknown=ok"],
            failed(
                "countevents",
                State::Unknown,
                "Wrong warning-count threshold 'abc'.",
            ),
            "UNKNOWN: Wrong warning-count threshold 'abc'. \n",
            0,
        ),
        // Deviation: a bad value is an UNKNOWN (upstream: ignored).
        (
            &["--change-exit=ok=foo"],
            counted(),
            "UNKNOWN: --change-exit 'ok=foo' is not STATE=STATE (ok, warning, critical, unknown) \n",
            3,
        ),
        (
            &["--change-exit=ok"],
            counted(),
            "UNKNOWN: --change-exit 'ok' is not STATE=STATE (ok, warning, critical, unknown) \n",
            3,
        ),
        // Deviation: PENDING (exit 4) is refused.
        (
            &["--change-exit=ok=pending"],
            counted(),
            "UNKNOWN: --change-exit 'ok=pending' is not STATE=STATE (ok, warning, critical, unknown) \n",
            3,
        ),
    ]);
    table(&[(
        &["--change-exit=critical=warning"],
        trail(false),
        "CRITICAL: Trail is logging: 0 | 'trail_is_logging'=0;;;0;\n",
        1,
    )]);
}
