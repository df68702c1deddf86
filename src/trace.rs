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

    /// A debug line quoting outside text, cut to length only once
    /// redacted ([`Trace::quote`]).
    pub fn log_quoted(&mut self, prefix: &str, text: impl FnOnce() -> String) {
        if self.enabled {
            let quoted = self.quote(&text());
            self.lines.push(format!("{prefix}{quoted}"));
        }
    }

    /// Remembers secrets to scrub from every output.
    pub fn secrets(&mut self, secrets: impl IntoIterator<Item = String>) {
        self.secrets.extend(secrets);
    }

    /// A trace for another thread: same switch, same secrets; its lines
    /// come back through [`Trace::absorb`].
    pub fn fork(&self) -> Trace {
        Trace {
            enabled: self.enabled,
            lines: Vec::new(),
            secrets: self.secrets.clone(),
        }
    }

    /// A forked trace's lines (and any secret it learnt) added after ours.
    pub fn absorb(&mut self, other: Trace) {
        self.lines.extend(other.lines);
        for s in other.secrets {
            if !self.secrets.contains(&s) {
                self.secrets.push(s);
            }
        }
    }

    pub fn known_secrets(&self) -> &[String] {
        &self.secrets
    }

    /// `text` with every secret hidden: the known ones and the
    /// secret-shaped ones ([`redact`]).
    pub fn redact(&self, text: &str) -> String {
        redact(text, &self.secrets)
    }

    /// Outside text for a debug line: redacted, then made one line and
    /// cut to length. The cut comes after: a secret cut in two is no
    /// longer recognised, and half of it would be printed.
    pub fn quote(&self, text: &str) -> String {
        crate::error::one_line(&self.redact(text))
    }
}

/// Where a secret-shaped value starts, wherever it is echoed: SigV4
/// signatures (header and query forms), web identity tokens (the STS form
/// and its XML/JSON echoes), session tokens and secret keys in STS XML,
/// metadata JSON and the aws CLI's JSON.
const SECRET_KEYS: [&str; 14] = [
    "Signature=",
    "WebIdentityToken=",
    "X-Amz-Security-Token=",
    "x-amz-security-token=",
    "<WebIdentityToken>",
    "<SessionToken>",
    "<SecretAccessKey>",
    "<Token>",
    "\"WebIdentityToken\":",
    "\"SessionToken\":",
    "\"SecretAccessKey\":",
    "\"Token\":",
    "\"aws_session_token\":",
    "\"aws_secret_access_key\":",
];

/// The characters that end a value in a form, header, XML or JSON text.
fn ends_value(c: char) -> bool {
    c.is_whitespace() || "&,;\"'<>()[]{}\\".contains(c)
}

/// Every secret in `text` hidden. Known secrets (any 4 characters or more)
/// become `***`; a value after one of [`SECRET_KEYS`] becomes
/// `<redacted>`; the password of a `scheme://user:password@host` URL
/// becomes `***`. This is the one redaction: printed text, errors before
/// they are cut to length, debug lines.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    // Longest first: a secret that contains another is hidden whole.
    let mut known: Vec<&String> = secrets.iter().filter(|s| s.len() >= 4).collect();
    known.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for s in known {
        out = out.replace(s.as_str(), "***");
    }
    for key in SECRET_KEYS {
        out = redact_after(&out, key);
    }
    redact_url_passwords(&out)
}

/// The value after each `key` replaced by `<redacted>` (a JSON key's
/// value after its quote).
fn redact_after(text: &str, key: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(key) {
        let (head, tail) = rest.split_at(at + key.len());
        out.push_str(head);
        let mut value = tail;
        if key.ends_with(':') {
            let spaces = value.len() - value.trim_start().len();
            let (sp, v) = value.split_at(spaces);
            out.push_str(sp);
            value = v;
            if let Some(v) = value.strip_prefix('"') {
                out.push('"');
                value = v;
            }
        }
        let end = value.find(ends_value).unwrap_or(value.len());
        if end > 0 {
            out.push_str("<redacted>");
        }
        rest = value.get(end..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// `scheme://user:password@host` → `scheme://user:***@host`, wherever a
/// URL is quoted (endpoint and proxy options, variables, errors).
fn redact_url_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || "/?#'\"<>".contains(c))
            .unwrap_or(tail.len());
        let (authority, after) = tail.split_at(end);
        match authority.rsplit_once('@') {
            Some((userinfo, host)) => match userinfo.split_once(':') {
                Some((user, _)) => out.push_str(&format!("{user}:***@{host}")),
                None => out.push_str(authority),
            },
            None => out.push_str(authority),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// What a program's stderr may print of a secret nobody told us about
/// (`credential_process`, the aws CLI): a run of 40 characters of the
/// base64 alphabet mixing upper case, lower case and digits (the shape of
/// a secret access key; hex digests and words do not mix all three), or
/// a run of 100 or more (the shape of a session token). Access key IDs
/// (20 characters), ARNs (cut by `:`), lower-case hex digests and words
/// stay readable.
pub fn redact_secret_like(text: &str) -> String {
    // `=` (padding) ends a run, so `token=<value>` keeps its name.
    let alphabet = |c: char| c.is_ascii_alphanumeric() || "+/".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let n = run.chars().count();
        let mixed = run.chars().any(|c| c.is_ascii_uppercase())
            && run.chars().any(|c| c.is_ascii_lowercase())
            && run
                .chars()
                .any(|c| c.is_ascii_digit() || c == '+' || c == '/');
        if n >= 100 || (n == 40 && mixed) {
            out.push_str("<redacted>");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if alphabet(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
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

    /// An 800-character token echoed in an error: the error keeps it
    /// whole until redaction, the cut to 300 characters comes after, so
    /// no piece of it is printed (before, 150 characters of it were).
    #[test]
    fn redaction_comes_before_the_cut() {
        let token: String = "FwoGZXIvYXdzEJr//////////wEaDM"
            .chars()
            .cycle()
            .take(800)
            .collect();
        let mut t = Trace::new(true);
        t.secrets([token.clone()]);
        let e = crate::error::Error::Api {
            op: "LookupEvents",
            code: "UnrecognizedClientException".into(),
            message: format!("The security token included in the request is invalid: {token}"),
            hint: None,
        };
        let shown = e.redacted(&|s| t.redact(s)).to_string();
        assert!(shown.ends_with("is invalid: ***"), "{shown}");
        t.log_quoted("  < body: ", || format!("{{\"message\":\"{token} x\"}}"));
        let line = t.lines.concat();
        for piece in [&token[..8], &token[300..308], &token[790..]] {
            assert!(!shown.contains(piece) && !line.contains(piece), "{line}");
        }
    }

    #[test]
    fn secret_shaped_values_are_hidden() {
        for (text, want) in [
            (
                "Credential=AK/x, SignedHeaders=host, Signature=0123456789abcdef",
                "Credential=AK/x, SignedHeaders=host, Signature=<redacted>",
            ),
            (
                "/?X-Amz-Signature=abcdef0123&X-Amz-Security-Token=TOKEN&x=1",
                "/?X-Amz-Signature=<redacted>&X-Amz-Security-Token=<redacted>&x=1",
            ),
            (
                "Action=AssumeRoleWithWebIdentity&WebIdentityToken=eyJhbGciOi.x.y&Version=1",
                "Action=AssumeRoleWithWebIdentity&WebIdentityToken=<redacted>&Version=1",
            ),
            (
                "<SessionToken>tok/en+</SessionToken><SecretAccessKey>sk</SecretAccessKey>",
                "<SessionToken><redacted></SessionToken><SecretAccessKey><redacted></SecretAccessKey>",
            ),
            (
                r#"{"SessionToken": "tok", "Token":"t2", "SecretAccessKey":"s"}"#,
                r#"{"SessionToken": "<redacted>", "Token":"<redacted>", "SecretAccessKey":"<redacted>"}"#,
            ),
            (
                "'http://user:pa55word@proxy:3128/x' and https://u:p@[::1]:1",
                "'http://user:***@proxy:3128/x' and https://u:***@[::1]:1",
            ),
            // Not secrets: kept as they are.
            (
                "InvalidSignatureException: Signature expired: 20150830T123600Z",
                "InvalidSignatureException: Signature expired: 20150830T123600Z",
            ),
            (
                "http://host:1/a@b http://user@h",
                "http://host:1/a@b http://user@h",
            ),
            ("Signature=<redacted>", "Signature=<redacted>"),
        ] {
            assert_eq!(redact(text, &[]), want, "{text}");
        }
        assert_eq!(
            redact(
                "a SECRET b SECRETLONGER",
                &["SECRET".into(), "SECRETLONGER".into()]
            ),
            "a *** b ***"
        );
    }

    /// A program's stderr: keys and tokens nobody told us about.
    #[test]
    fn secret_like_runs_in_stderr() {
        let key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        let token = "IQoJb3JpZ2luX2VjE".repeat(8);
        let text = format!("error: key {key} token={token}; id AKIAIOSFODNN7EXAMPLE");
        assert_eq!(
            redact_secret_like(&text),
            "error: key <redacted> token=<redacted>; id AKIAIOSFODNN7EXAMPLE"
        );
        for kept in [
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "arn:aws:iam::123456789012:role/ReadOnly",
            "profile default: could not connect to sso",
        ] {
            assert_eq!(redact_secret_like(kept), kept);
        }
    }
}
