//! The one error type. Its `Display` is a complete single line, quoting the
//! offending input, that becomes the text after `UNKNOWN: `.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// An option nobody declares. Main prints the short usage after it.
    UnknownOption(String),
    /// A bad or missing option value; the text is complete
    /// (e.g. `Need to specify --region option.`).
    Option(String),
    /// No usable credentials, with why.
    Credentials(String),
    /// AWS answered with an error code.
    Api {
        op: &'static str,
        code: String,
        message: String,
        /// Extra context we can add (clock skew, …).
        hint: Option<String>,
    },
    /// A non-2xx answer we could not read as an AWS error.
    Http {
        op: &'static str,
        status: u16,
        body: String,
    },
    /// The request never got an answer (refused, reset, DNS, TLS, …).
    Transport { op: &'static str, detail: String },
    /// `--timeout` ran out.
    Timeout { op: &'static str, limit: Limit },
    /// The shared quota bucket would make us wait past the time limit.
    Quota {
        op: &'static str,
        wait_ms: u64,
        limit: Limit,
    },
    /// `--max-pages` reached while NextToken still said there was more.
    PageCap { op: &'static str, pages: u32 },
    /// A 2xx whose body is not what the API promises.
    BadResponse { op: &'static str, detail: String },
    /// The time ran out with reads left (`left` says which): a count of
    /// what was read would be partial, never reported as such.
    Partial {
        op: &'static str,
        left: String,
        limit: Limit,
    },
    /// A bug of ours (panic hook, impossible state).
    Internal(String),
}

/// The time limit of a run and the option that set it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    pub secs: u64,
    /// `--timeout` or `--global-timeout`.
    pub option: &'static str,
}

/// At most this many characters of a server's text go into a message,
/// so a huge or hostile body cannot flood the status line.
const MAX_QUOTE: usize = 300;

/// What an error keeps of a text it quotes from outside: all of it up to
/// this many characters, else its start and its end. Far more than the
/// line shows, so that every secret in it (a session token is a few KiB)
/// is still whole when the text is redacted, before [`one_line`] cuts it;
/// and a 16 MiB body still costs no more than this.
pub const MAX_KEPT: usize = 64 * 1024;

/// `text` cut in the middle to at most `max` characters, start and end
/// kept (a message quoting a huge value keeps its reason at the end);
/// each piece passed through `each`. Cut before anything is copied.
fn middle_cut(text: &str, max: usize, each: &dyn Fn(&str) -> String) -> String {
    if text.chars().nth(max).is_none() {
        return each(text);
    }
    let half = max / 2;
    let head_end = text.char_indices().nth(half).map_or(text.len(), |(i, _)| i);
    let tail_start = text
        .char_indices()
        .rev()
        .nth(half.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    format!(
        "{}…{}",
        each(text.get(..head_end).unwrap_or_default()),
        each(text.get(tail_start..).unwrap_or_default())
    )
}

/// The part of an outside text an error keeps ([`MAX_KEPT`]).
pub fn kept(text: &str) -> String {
    middle_cut(text, MAX_KEPT, &str::to_owned)
}

/// Makes server or user text safe for a one-line status: flattened as
/// the status line is ([`crate::text::flatten`]), then cut and trimmed.
pub fn one_line(text: &str) -> String {
    middle_cut(text, MAX_QUOTE, &crate::text::flatten)
        .trim()
        .to_owned()
}

impl Error {
    /// The one refusal of a value outside its range, for options and
    /// variables alike: "NAME must be WHAT, got 'VALUE'.", WHAT saying
    /// the allowed range.
    pub fn out_of_range(name: &str, what: &str, got: &str) -> Error {
        Error::Option(format!("{name} must be {what}, got '{got}'."))
    }

    /// Whether this error is about the run (the network, the deadline,
    /// the pacing, the credentials) rather than one file or setting a
    /// check reads: the S3 modes go on past a refused object, not past
    /// these.
    pub fn ends_run(&self) -> bool {
        matches!(
            self,
            Error::Transport { .. }
                | Error::Timeout { .. }
                | Error::Quota { .. }
                | Error::Credentials(_)
                | Error::Internal(_)
        )
    }

    /// `note` added where this error says where it came from: an API
    /// error's hint, else after the text it quotes ("after 3 attempts",
    /// which role failed).
    pub fn noted(self, note: &str) -> Error {
        let with = |t: String| format!("{t} ({note})");
        match self {
            Error::Api {
                op,
                code,
                message,
                hint,
            } => Error::Api {
                op,
                code,
                message,
                hint: Some(hint.map_or_else(|| note.to_owned(), |h| format!("{h}; {note}"))),
            },
            // Whole: cut only when shown, after redaction.
            Error::Http { op, status, body } => Error::Http {
                op,
                status,
                body: with(body),
            },
            Error::Transport { op, detail } => Error::Transport {
                op,
                detail: with(detail),
            },
            Error::BadResponse { op, detail } => Error::BadResponse {
                op,
                detail: with(detail),
            },
            other => other,
        }
    }

    /// Every text this error quotes passed through `redact`. Errors keep
    /// the full text they quote until here; `Display` cuts it to length
    /// after, so a secret is never cut in two before it is recognised.
    pub fn redacted(self, redact: &dyn Fn(&str) -> String) -> Error {
        match self {
            Error::UnknownOption(o) => Error::UnknownOption(redact(&o)),
            Error::Option(m) => Error::Option(redact(&m)),
            Error::Credentials(m) => Error::Credentials(redact(&m)),
            Error::Api {
                op,
                code,
                message,
                hint,
            } => Error::Api {
                op,
                code: redact(&code),
                message: redact(&message),
                hint: hint.map(|h| redact(&h)),
            },
            Error::Http { op, status, body } => Error::Http {
                op,
                status,
                body: redact(&body),
            },
            Error::Transport { op, detail } => Error::Transport {
                op,
                detail: redact(&detail),
            },
            Error::BadResponse { op, detail } => Error::BadResponse {
                op,
                detail: redact(&detail),
            },
            Error::Internal(m) => Error::Internal(redact(&m)),
            Error::Partial { op, left, limit } => Error::Partial {
                op,
                left: redact(&left),
                limit,
            },
            e @ (Error::Timeout { .. } | Error::Quota { .. } | Error::PageCap { .. }) => e,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownOption(o) => write!(f, "Unknown option: {}", one_line(o)),
            Error::Option(m) => f.write_str(&one_line(m)),
            Error::Credentials(m) => write!(f, "cannot get AWS credentials: {}", one_line(m)),
            Error::Api {
                op,
                code,
                message,
                hint,
            } => {
                write!(f, "{op} failed: {}", one_line(code))?;
                if !message.is_empty() {
                    write!(f, ": {}", one_line(message))?;
                }
                if let Some(h) = hint {
                    write!(f, " ({})", one_line(h))?;
                }
                Ok(())
            }
            Error::Http { op, status, body } => {
                write!(f, "{op} failed: HTTP {status}")?;
                let b = one_line(body);
                if !b.is_empty() {
                    write!(f, ": {b}")?;
                }
                Ok(())
            }
            Error::Transport { op, detail } => write!(f, "{op} failed: {}", one_line(detail)),
            Error::Timeout { op, limit } => write!(
                f,
                "{op} failed: timed out, the check's {} of {}s ran out",
                limit.option, limit.secs
            ),
            Error::Quota { op, wait_ms, limit } => write!(
                f,
                "{op} not sent: quota wait would exceed timeout (the API rate shared by this \
                 account and region gives the next slot in {wait_ms} ms, past the {} of {}s; \
                 see --api-rate)",
                limit.option, limit.secs
            ),
            Error::PageCap { op, pages } => write!(
                f,
                "{op} stopped after {pages} pages (--max-pages) with more events left: \
                 the count would be partial; narrow --delta or raise --max-pages"
            ),
            Error::BadResponse { op, detail } => {
                write!(f, "{op} failed: unexpected response: {}", one_line(detail))
            }
            Error::Internal(m) => write!(f, "internal error: {}", one_line(m)),
            Error::Partial { op, left, limit } => write!(
                f,
                "{op} stopped: the check's {} of {}s ran out with {} unread: the count would \
                 be partial",
                limit.option,
                limit.secs,
                one_line(left)
            ),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_line() {
        let e = Error::Api {
            op: "GetTrailStatus",
            code: "TrailNotFoundException".into(),
            message: "Unknown trail: x for the user: 123456789012".into(),
            hint: None,
        };
        assert_eq!(
            e.to_string(),
            "GetTrailStatus failed: TrailNotFoundException: Unknown trail: x for the user: 123456789012"
        );
    }

    #[test]
    fn one_line_neutralises_newlines_and_pipes() {
        let e = Error::Option("bad\nCRITICAL: forged | 'x'=1".into());
        let s = e.to_string();
        assert!(!s.contains('\n') && !s.contains('|'), "{s}");
        let long = format!("start {} end", "x".repeat(10_000));
        let cut = one_line(&long);
        assert!(cut.chars().count() <= MAX_QUOTE + 1);
        assert!(cut.starts_with("start x") && cut.ends_with("x end") && cut.contains('…'));
        assert_eq!(cut.chars().filter(|c| *c == 'x').count(), MAX_QUOTE - 10);
        let exact = "é".repeat(MAX_QUOTE);
        assert_eq!(one_line(&exact), exact);
        let over = format!("{exact}|");
        assert_eq!(
            one_line(&over),
            format!("{}…{}/", "é".repeat(150), "é".repeat(149))
        );
    }

    #[test]
    fn every_variant_is_one_line() {
        let all = [
            Error::UnknownOption("--foo".into()),
            Error::Credentials("none".into()),
            Error::Http {
                op: "LookupEvents",
                status: 502,
                body: "<html>\n</html>".into(),
            },
            Error::Transport {
                op: "LookupEvents",
                detail: "connection refused".into(),
            },
            Error::Timeout {
                op: "LookupEvents",
                limit: Limit {
                    secs: 5,
                    option: "--timeout",
                },
            },
            Error::PageCap {
                op: "LookupEvents",
                pages: 100,
            },
            Error::BadResponse {
                op: "LookupEvents",
                detail: "x".into(),
            },
            Error::Internal("boom".into()),
        ];
        for e in all {
            let s = e.to_string();
            assert!(!s.is_empty() && !s.contains('\n'), "{s}");
        }
    }
}
