//! The exit rewrite: `--change-exit` maps the exit code (the printed
//! label stays), after a `--change-output-adv` exit, as `output.pm::exit`.

use super::generic::Generic;
use crate::status::State;

/// One `--change-exit=FROM=TO`.
pub(super) fn parse_change_exit(s: &str) -> Result<(State, State), String> {
    s.split_once('=')
        .and_then(|(f, t)| Some((State::parse(f)?, State::parse(t)?)))
        .ok_or_else(|| {
            format!("--change-exit '{s}' is not STATE=STATE (ok, warning, critical, unknown)")
        })
}

impl Generic {
    /// The exit state after `--change-output-adv` and `--change-exit`.
    pub fn exit_state(&self, state: State, adv_exit: Option<State>) -> State {
        let s = adv_exit.unwrap_or(state);
        self.change_exit
            .iter()
            .rev()
            .find(|(from, _)| *from == s)
            .map_or(s, |(_, to)| *to)
    }
}

#[cfg(test)]
mod tests;
