//! check_cloudtrail: monitors AWS CloudTrail from Nagios-family pollers,
//! a drop-in for Centreon's `cloud::aws::cloudtrail::plugin`.
//!
//! Rooms: `cli` (options → `Config`), `modes` (API data → `Outcome`),
//! `aws` (signing, credentials, HTTP, CloudTrail), `output` (the text),
//! `threshold`, `error`. `main` only wires them.

pub mod aws;
pub mod cli;
pub mod env;
pub mod error;
#[doc(hidden)]
pub mod fuzz;
pub mod modes;
pub mod output;
pub mod process;
pub mod threshold;
pub mod time;

use aws::{Clock, Trace};
use cli::{Command, Invocation};
use output::{Outcome, Render, State};

/// What `main` prints and the exit code, decided here and nowhere else.
pub struct Finished {
    pub text: String,
    pub exit_code: u8,
}

/// Runs a parsed invocation to its printed text and exit code.
pub fn execute(inv: Invocation, env: &dyn env::Env, clock: &dyn Clock) -> Finished {
    let mut trace = Trace::new(inv.debug);
    let mut secrets: Vec<String> = Vec::new();
    let result = match inv.command {
        Ok(Command::Info(text)) => {
            return Finished {
                text,
                exit_code: inv.error_state.exit_code(),
            };
        }
        Ok(Command::Check(cfg)) => {
            secrets.extend(cfg.credentials.secret_key.clone());
            secrets.extend(cfg.credentials.session_token.clone());
            for k in [
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "AWS_SECURITY_TOKEN",
            ] {
                secrets.extend(env.var(k));
            }
            modes::run(&cfg, env, clock, &mut trace, &mut secrets)
        }
        Err(e) => Err(e),
    };
    let (outcome, state, long) = match result {
        Ok(o) => {
            let s = o.state();
            (o, s, inv.verbose || inv.debug)
        }
        Err(e) => {
            let mut o = Outcome::single(inv.error_state, e.to_string());
            if let error::Error::UnknownOption(_) = e {
                o.long.extend(cli::help::USAGE.lines().map(str::to_owned));
            }
            // Upstream forces long output on execution errors.
            (o, inv.error_state, true)
        }
    };
    let mut outcome = outcome;
    outcome.long.append(&mut trace.lines);
    let text = output::render(&outcome, Render { long });
    Finished {
        text: output::redact(&text, &secrets),
        exit_code: state.exit_code(),
    }
}

/// The line a panic becomes: still a Nagios UNKNOWN with a reason.
pub fn panic_line(info: &str) -> String {
    format!(
        "{}: internal error: {} \n",
        State::Unknown.label(),
        error::one_line(info)
    )
}
