//! How one option's value is read: numbers within bounds, Nagios ranges,
//! regular expressions. Each error names the option and quotes the value.

use regex_lite::Regex;

use super::options::Raw;
use crate::error::Error;
use crate::threshold::{Range, Thresholds};

/// `--name`'s value read by `read`; when it reads nothing, the error
/// "--name must be {what}, got 'value'.".
pub fn number<T>(
    raw: &Raw,
    name: &str,
    what: &str,
    read: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, Error> {
    match raw.get(name) {
        None => Ok(None),
        Some(v) => read(v)
            .map(Some)
            .ok_or_else(|| Error::out_of_range(&format!("--{name}"), what, v)),
    }
}

/// A number (spaces around allowed) kept when `ok` holds.
pub fn parsed<T: std::str::FromStr>(v: &str, ok: impl Fn(&T) -> bool) -> Option<T> {
    v.trim().parse::<T>().ok().filter(ok)
}

/// A finite number > 0 written as a plain decimal.
pub fn positive_number(s: &str) -> Option<f64> {
    crate::env::decimal(s).filter(|v| *v > 0.0)
}

pub fn threshold(raw: &Raw, label: &str) -> Result<Option<Range>, Error> {
    match raw.get(label) {
        None => Ok(None),
        Some(v) => Range::parse(v)
            .map(Some)
            .ok_or_else(|| Error::Option(format!("Wrong {label} threshold '{v}'."))),
    }
}

/// `--warning-<label>`/`--critical-<label>` (kept as `label` is spelled):
/// a given range replaces the default, an empty one keeps it.
pub fn override_thresholds(raw: &Raw, label: &str, t: &mut Thresholds) -> Result<(), Error> {
    if let Some(w) = threshold(raw, &format!("warning-{label}"))? {
        t.warning = Some(w);
    }
    if let Some(c) = threshold(raw, &format!("critical-{label}"))? {
        t.critical = Some(c);
    }
    Ok(())
}

/// The last line of regex-lite's error: the reason, without the pattern
/// repeated.
pub fn regex_error(e: &regex_lite::Error) -> String {
    e.to_string().lines().last().unwrap_or("invalid").to_owned()
}

/// A regular-expression option (`--error-message`, `--filter-event-name`):
/// regex-lite, with Perl constructs it lacks refused by name.
pub fn pattern(raw: &Raw, name: &str) -> Result<Option<Regex>, Error> {
    match raw.get(name) {
        None => Ok(None),
        Some(re) if has_possessive_quantifier(re) => Err(Error::Option(format!(
            "--{name} '{re}' is not a supported regular expression: \
             possessive quantifiers are not supported"
        ))),
        Some(re) => Regex::new(re).map(Some).map_err(|e| {
            Error::Option(format!(
                "--{name} '{re}' is not a supported regular expression: {}",
                regex_error(&e)
            ))
        }),
    }
}

/// Perl's possessive `a++`, `a*+`, `a?+`, `a{2}+`: regex-lite reads them
/// as a repeated repetition, which matches where Perl would not, so they
/// are refused rather than silently changed.
pub fn has_possessive_quantifier(re: &str) -> bool {
    let mut escaped = false;
    let mut in_class = false;
    let mut prev_quantifier = false;
    for c in re.chars() {
        if escaped {
            escaped = false;
            prev_quantifier = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '+' if !in_class && prev_quantifier => return true,
            _ => {}
        }
        prev_quantifier = !in_class && !escaped && matches!(c, '*' | '+' | '?' | '}');
    }
    false
}
