//! A metric as the output stage holds it: strings, as Perl does, so the
//! rewrites and every format see `3.00` and `0:5` exactly as the text line
//! prints them.

use crate::perfdata::{Perfdata, format_number};
use crate::perl;
use crate::threshold::Range;

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Metric {
    pub label: String,
    pub value: String,
    pub unit: String,
    pub warning: String,
    pub critical: String,
    pub min: String,
    pub max: String,
}

impl Metric {
    pub fn from_perfdata(p: &Perfdata) -> Metric {
        let range = |r: &Option<Range>| r.map(|r| r.to_string()).unwrap_or_default();
        let num = |n: Option<f64>| n.map(|n| format_number(n, None)).unwrap_or_default();
        Metric {
            label: p.label.clone(),
            value: format_number(p.value, p.decimals),
            unit: p.unit.clone(),
            warning: range(&p.warning),
            critical: range(&p.critical),
            min: num(p.min),
            max: num(p.max),
        }
    }

    /// `'label'=value[unit];warn;crit;min;max`.
    pub fn text(&self) -> String {
        format!(
            "'{}'={}{};{};{};{};{}",
            self.label.replace('\'', "''"),
            self.value,
            self.unit,
            self.warning,
            self.critical,
            self.min,
            self.max
        )
    }

    pub(super) fn var(&self, name: &str, mode: &str) -> Option<String> {
        Some(match name {
            "label" => self.label.clone(),
            "value" => self.value.clone(),
            "unit" => self.unit.clone(),
            "warning" => self.warning.clone(),
            "critical" => self.critical.clone(),
            "min" => self.min.clone(),
            "max" => self.max.clone(),
            "mode" => mode.to_owned(),
            // misc::alert_triggered: the value outside its warning or
            // critical range (empty ranges ignored).
            "alert_triggered()" => {
                let v = perl::to_number(&self.value);
                let out = [&self.warning, &self.critical]
                    .iter()
                    .filter_map(|r| Range::parse(r))
                    .any(|r| r.alerts(v));
                if out { "1".into() } else { "0".into() }
            }
            _ => return None,
        })
    }
}

pub const METRIC_VARIABLES: [&str; 9] = [
    "label",
    "value",
    "unit",
    "warning",
    "critical",
    "min",
    "max",
    "mode",
    "alert_triggered()",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_text_and_from_perfdata() {
        // output.pm::output_txt: 'label'=value unit;warn;crit;min;max, quotes
        // doubled.
        let x = Metric {
            label: "a'b".into(),
            value: "1".into(),
            unit: "ms".into(),
            warning: "5".into(),
            critical: "1:8".into(),
            min: "0".into(),
            max: "10".into(),
        };
        assert_eq!(x.text(), "'a''b'=1ms;5;1:8;0;10");
        // output.pm::perfdata_add: a mode's perfdata as strings (countevents'
        // sprintf("%.2f"), min 0, our echoed threshold).
        let p = Perfdata {
            decimals: Some(2),
            warning: Range::parse("5"),
            min: Some(0.0),
            ..Perfdata::new("events_count", 3.0)
        };
        assert_eq!(
            Metric::from_perfdata(&p),
            Metric {
                label: "events_count".into(),
                value: "3.00".into(),
                warning: "0:5".into(),
                min: "0".into(),
                ..Metric::default()
            }
        );
    }
}
