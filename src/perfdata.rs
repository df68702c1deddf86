//! One perfdata metric and how its numbers are written.

use std::fmt;

use crate::threshold::Range;

/// One perfdata metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Perfdata {
    pub label: String,
    pub value: f64,
    /// Fixed decimals for the value (`%.2f` for counts), else the
    /// shortest exact form.
    pub decimals: Option<usize>,
    pub unit: String,
    pub warning: Option<Range>,
    pub critical: Option<Range>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Perfdata {
    pub fn new(label: &str, value: f64) -> Self {
        Perfdata {
            label: label.to_owned(),
            value,
            decimals: None,
            unit: String::new(),
            warning: None,
            critical: None,
            min: None,
            max: None,
        }
    }
}

/// A number as perfdata allows it: plain decimal, never an exponent;
/// NaN and infinities become `U` (unknown), as the guidelines say.
pub fn format_number(v: f64, decimals: Option<usize>) -> String {
    if !v.is_finite() {
        return "U".to_owned();
    }
    match decimals {
        Some(d) => format!("{v:.d$}"),
        // f64's Display never uses an exponent.
        None => format!("{v}"),
    }
}

impl fmt::Display for Perfdata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let opt_range = |r: &Option<Range>| r.map(|r| r.to_string()).unwrap_or_default();
        let opt_num = |n: Option<f64>| n.map(|n| format_number(n, None)).unwrap_or_default();
        write!(
            f,
            "'{}'={}{};{};{};{};{}",
            self.label.replace('\'', "''"),
            format_number(self.value, self.decimals),
            self.unit,
            opt_range(&self.warning),
            opt_range(&self.critical),
            opt_num(self.min),
            opt_num(self.max)
        )
    }
}
