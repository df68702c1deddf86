//! What a check records besides its outcome: the `--debug` lines, and
//! every secret met on the way, so that all the printed text can be
//! scrubbed of them.

use std::fmt;

/// `--debug` lines, collected during the run and printed after the status
/// line (where Centreon puts them), and the secrets the printed text must
/// never show: they travel together because whoever learns a secret
/// (credential resolution, a role assumed by the aws CLI) is also
/// whoever may log a line quoting it.
#[derive(Default)]
pub struct Trace {
    pub enabled: bool,
    pub lines: Vec<String>,
    secrets: Vec<String>,
}

impl Trace {
    pub fn new(enabled: bool) -> Self {
        Trace {
            enabled,
            ..Trace::default()
        }
    }

    pub fn log(&mut self, line: impl FnOnce() -> String) {
        if self.enabled {
            self.lines.push(line());
        }
    }

    /// Remembers secrets to scrub from every output.
    pub fn secrets(&mut self, secrets: impl IntoIterator<Item = String>) {
        self.secrets.extend(secrets);
    }

    pub fn known_secrets(&self) -> &[String] {
        &self.secrets
    }
}

/// Lines only: the secrets themselves must never reach a Debug output.
impl fmt::Debug for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trace")
            .field("enabled", &self.enabled)
            .field("lines", &self.lines)
            .field("secrets", &self.secrets.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_a_secret() {
        let mut t = Trace::new(true);
        t.secrets(["SECRETVALUE".to_owned()]);
        t.log(|| "a line".to_owned());
        let shown = format!("{t:?}{t:#?}");
        assert!(shown.contains("a line") && !shown.contains("SECRETVALUE"));
        assert_eq!(t.known_secrets(), ["SECRETVALUE"]);
    }
}
