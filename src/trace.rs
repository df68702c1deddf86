//! The `--debug` lines, collected as a check runs and printed with its output.

/// `--debug` lines, collected during the run and printed after the status
/// line (where Centreon puts them). Secrets are redacted on the way in.
#[derive(Debug, Default)]
pub struct Trace {
    pub enabled: bool,
    pub lines: Vec<String>,
}

impl Trace {
    pub fn new(enabled: bool) -> Self {
        Trace {
            enabled,
            lines: Vec::new(),
        }
    }

    pub fn log(&mut self, line: impl FnOnce() -> String) {
        if self.enabled {
            self.lines.push(line());
        }
    }
}
