//! The Nagios states and Centreon's order of severity between them.

/// A Nagios state. Severity is written out rather than derived, because
/// Centreon's order differs from the exit codes: CRITICAL beats UNKNOWN,
/// which beats WARNING.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Ok,
    Warning,
    Critical,
    Unknown,
}

impl State {
    pub fn exit_code(self) -> u8 {
        match self {
            State::Ok => 0,
            State::Warning => 1,
            State::Critical => 2,
            State::Unknown => 3,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            State::Ok => "OK",
            State::Warning => "WARNING",
            State::Critical => "CRITICAL",
            State::Unknown => "UNKNOWN",
        }
    }

    /// Centreon's bitmask order: OK < WARNING < UNKNOWN < CRITICAL.
    pub fn severity(self) -> u8 {
        match self {
            State::Ok => 0,
            State::Warning => 1,
            State::Unknown => 2,
            State::Critical => 3,
        }
    }

    pub fn worst(self, other: State) -> State {
        if other.severity() > self.severity() {
            other
        } else {
            self
        }
    }

    /// `ok`, `warning`, `critical`, `unknown`, any case (`--opt-exit`).
    pub fn parse(s: &str) -> Option<State> {
        match s.to_ascii_lowercase().as_str() {
            "ok" => Some(State::Ok),
            "warning" => Some(State::Warning),
            "critical" => Some(State::Critical),
            "unknown" => Some(State::Unknown),
            _ => None,
        }
    }
}
