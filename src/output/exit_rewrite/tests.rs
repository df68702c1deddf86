//! `--change-exit`, against `output.pm::exit`.

use super::*;
use crate::output::generic::GenericArgs;
use crate::output::testing::generic;

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
