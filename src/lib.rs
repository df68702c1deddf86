//! check_cloudtrail: monitors AWS CloudTrail from Nagios-family pollers,
//! a drop-in for Centreon's `cloud::aws::cloudtrail::plugin`.
//!
//! Rooms: `cli` (options → `Config`), `modes` (API data → `Outcome`),
//! `aws` (signing, credentials, HTTP, CloudTrail), `output` (the text),
//! `threshold`, `error`. `main` only wires them.

pub mod aws;
pub mod cli;
pub mod clock;
pub mod config;
pub mod env;
pub mod error;
pub mod expr;
#[doc(hidden)]
pub mod fuzz;
pub mod gzip;
pub mod json;
pub mod modes;
pub mod output;
pub mod perfdata;
pub mod perl;
pub mod process;
pub mod run;
pub mod statefile;
pub mod status;
pub mod text;
pub mod threshold;
pub mod time;
pub mod trace;

use cli::{Command, Invocation};
use clock::Clock;
use output::Outcome;
use status::State;
use trace::Trace;

/// What `main` prints and the exit code, decided here and nowhere else.
pub struct Finished {
    pub text: String,
    pub exit_code: u8,
}

/// Writes `--output-file`; `main` hands in the file system.
pub type WriteFile<'a> = dyn Fn(&str, &str) -> std::io::Result<()> + 'a;

/// Runs a parsed invocation to its printed text and exit code.
pub fn execute(
    inv: Invocation,
    env: &dyn env::Env,
    files: &Result<aws::credentials::SharedFiles, error::Error>,
    clock: &dyn Clock,
    write_file: &WriteFile<'_>,
) -> Finished {
    let mut trace = Trace::new(inv.debug);
    let mut presentation = inv.presentation;
    presentation.epoch_ms = clock.epoch().saturating_mul(1000);
    let result = match inv.command {
        Ok(Command::Info(text)) => {
            // Help and lists go through upstream's option_exit: their
            // exit code follows --opt-exit, then --change-exit.
            return Finished {
                text,
                exit_code: presentation
                    .generic
                    .exit_state(inv.error_state, None)
                    .exit_code(),
            };
        }
        Ok(Command::Document(text)) => return Finished { text, exit_code: 0 },
        Ok(Command::Check(cfg)) => {
            let conn = &cfg.connection;
            trace.secrets(conn.credentials.secret_key.clone());
            if let Some(p) = &conn.proxy {
                trace.secrets(proxy_password(&p.0));
            }
            trace.secrets(conn.credentials.session_token.clone());
            for k in [
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "AWS_SECURITY_TOKEN",
            ] {
                trace.secrets(env.var(k));
            }
            run::run(&cfg, env, files, clock, &mut trace)
        }
        Err(e) => Err(e),
    };
    let (mut outcome, error) = match result {
        Ok(o) => (o, false),
        Err(e) => {
            let e = e.redacted(&|t| trace.redact(t));
            let mut o = Outcome::single(inv.error_state, e.to_string());
            if let error::Error::UnknownOption(_) = e {
                o.long.extend(cli::help::USAGE.lines().map(str::to_owned));
            }
            (o, true)
        }
    };
    outcome.long.append(&mut trace.lines);
    // Secrets go before the pieces are escaped and measured: the text
    // printed is the text measured, whatever a replacement's length.
    outcome.redact(&|t| trace.redact(t));
    // The engine reads stdout: it gets the budget; a file does not.
    let to_file = inv.output_file.is_some() && !error;
    presentation.budget = (!to_file).then_some(output::budget::MAX);
    let shown = output::present(&outcome, &presentation, error);
    let shown = match &inv.output_file {
        Some(path) if !error => {
            match write_file(path, &trace.redact(&shown.text)) {
                Ok(()) => output::Presented {
                    text: String::new(),
                    exit_code: shown.exit_code,
                },
                Err(e) => {
                    // As upstream: the failure joins the output, on stdout.
                    outcome.entries.push(output::Entry {
                        state: State::Unknown,
                        // Perl's $! has no " (os error N)" tail.
                        text: format!(
                            "cannot open file  '{path}': {}",
                            e.to_string().split(" (os error").next().unwrap_or_default()
                        ),
                    });
                    presentation.budget = Some(output::budget::MAX);
                    output::present(&outcome, &presentation, false)
                }
            }
        }
        _ => shown,
    };
    Finished {
        text: trace.redact(&shown.text),
        exit_code: shown.exit_code,
    }
}

/// The password of a `scheme://user:password@host` URL, as written and
/// percent-decoded.
fn proxy_password(url: &str) -> Vec<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let Some((userinfo, _)) = authority.rsplit_once('@') else {
        return Vec::new();
    };
    let Some((_, password)) = userinfo.split_once(':') else {
        return Vec::new();
    };
    let mut decoded = Vec::new();
    let bytes = password.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(v) if b == b'%' => {
                decoded.push(v);
                i += 3;
            }
            _ => {
                decoded.push(b);
                i += 1;
            }
        }
    }
    vec![
        password.to_owned(),
        String::from_utf8_lossy(&decoded).into_owned(),
    ]
}

/// The line a panic becomes: still a Nagios UNKNOWN with a reason.
pub fn panic_line(info: &str) -> String {
    format!(
        "{}: internal error: {} \n",
        State::Unknown.label(),
        error::one_line(&trace::redact(info, &[]))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::MapEnv;

    /// Every structure that carries a secret, formatted with `{:?}` and
    /// `{:#?}`, shows none of them.
    #[test]
    fn proxy_passwords() {
        assert_eq!(
            proxy_password("http://u:p%40ss@h:1/"),
            vec!["p%40ss", "p@ss"]
        );
        assert!(proxy_password("http://h:1/").is_empty());
        assert!(proxy_password("http://u@h:1/").is_empty());
    }

    #[test]
    fn debug_output_redacts_every_secret() {
        let args = [
            "check_cloudtrail",
            "--mode=checktrailstatus",
            "--region=eu-west-1",
            "--trail-name=t",
            "--aws-access-key=AKIAVISIBLE",
            "--aws-secret-key=SECRETKEYVALUE",
            "--aws-session-token=SESSIONTOKENVALUE",
            "--proxyurl=http://user:PROXYPASSWORD@proxy:3128",
            "--aws-role-arn=arn:aws:iam::123456789012:role/R",
        ];
        let inv = cli::parse(args, &MapEnv::default(), None);
        let mut text = format!("{inv:?}\n{inv:#?}");
        if let Ok(Command::Check(cfg)) = &inv.command {
            let conn = &cfg.connection;
            text.push_str(&format!("{cfg:?}{:?}{:?}", conn.credentials, conn.proxy));
            let opts = aws::http::Options {
                proxy: aws::http::ProxySetting::Url(conn.proxy.clone().unwrap()),
                ..Default::default()
            };
            text.push_str(&format!("{opts:?}"));
        } else {
            panic!("a check: {text}");
        }
        let creds = aws::credentials::Credentials::new(
            "AKIAVISIBLE",
            "SECRETKEYVALUE",
            Some("SESSIONTOKENVALUE"),
        );
        text.push_str(&format!("{creds:?}{creds:#?}"));
        assert!(
            text.contains("AKIAVISIBLE") && text.contains("proxy:3128"),
            "{text}"
        );
        for secret in ["SECRETKEYVALUE", "SESSIONTOKENVALUE", "PROXYPASSWORD"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
}
