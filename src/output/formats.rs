//! `--output-json`, `--output-xml` and `--output-openmetrics`: the same
//! data as the text line, for scripts. Keys come in a fixed order (upstream
//! prints Perl hash order, which changes from run to run).
//!
//! Every string goes through [`text::field`] (one line of plain text, as
//! the text format shows it) and then the format's own escaping from
//! `text`, so each document parses back whatever the servers sent.

use serde_json::{Map, Value, json};

use super::State;
use super::metric::Metric;
use crate::text;

/// One short message as JSON/XML list it.
pub struct Short {
    pub state: State,
    pub msg: String,
}

/// What every alternative format shows.
pub struct Doc<'a> {
    pub plugin: &'a str,
    pub mode: &'a str,
    /// `OK`, … for a check; the lower-case `--opt-exit` for an execution
    /// error, as upstream.
    pub exit: String,
    pub shorts: Vec<Short>,
    pub long: Vec<String>,
    pub metrics: Vec<Metric>,
}

fn number_or_text(s: &str) -> Value {
    match s.parse::<f64>() {
        Ok(n) if n.is_finite() && !s.is_empty() => serde_json::Number::from_f64(n).map_or_else(
            || Value::String(s.to_owned()),
            |n| {
                // Keep integers integers: `0`, not `0.0`.
                if n.as_f64()
                    .is_some_and(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                {
                    json!(n.as_f64().map_or(0, |f| f as i64))
                } else {
                    Value::Number(n)
                }
            },
        ),
        _ => Value::String(text::field(s)),
    }
}

fn metric_fields(m: &Metric, mode: &str) -> [(&'static str, Value); 8] {
    [
        ("label", Value::String(text::field(&m.label))),
        ("value", Value::String(text::field(&m.value))),
        ("unit", Value::String(text::field(&m.unit))),
        ("warning", Value::String(text::field(&m.warning))),
        ("critical", Value::String(text::field(&m.critical))),
        ("min", number_or_text(&m.min)),
        ("max", number_or_text(&m.max)),
        ("mode", Value::String(text::field(mode))),
    ]
}

pub fn json(d: &Doc<'_>) -> String {
    let mut outputs: Vec<Value> = d
        .shorts
        .iter()
        .map(|s| json!({"type": 1, "msg": text::field(&s.msg), "exit": s.state.label()}))
        .collect();
    outputs.extend(
        d.long
            .iter()
            .map(|l| json!({"type": 2, "msg": text::field(l)})),
    );
    let perfdatas: Vec<Value> = d
        .metrics
        .iter()
        .map(|m| {
            let mut o = Map::new();
            for (k, v) in metric_fields(m, d.mode) {
                o.insert(k.to_owned(), v);
            }
            Value::Object(o)
        })
        .collect();
    // serde_json's map keeps insertion order only with `preserve_order`;
    // write the envelope by hand so the order is fixed.
    format!(
        "{{\"plugin\":{{\"name\":{},\"mode\":{},\"exit\":{},\"outputs\":{},\"perfdatas\":[{}]}}}}",
        Value::String(text::field(d.plugin)),
        Value::String(text::field(d.mode)),
        Value::String(text::field(&d.exit)),
        Value::Array(outputs),
        perfdatas
            .iter()
            .map(|p| ordered_object(
                p,
                &[
                    "label", "value", "unit", "warning", "critical", "min", "max", "mode"
                ]
            ))
            .collect::<Vec<_>>()
            .join(",")
    )
}

fn ordered_object(v: &Value, keys: &[&str]) -> String {
    let fields: Vec<String> = keys
        .iter()
        .filter_map(|k| {
            v.get(*k)
                .map(|x| format!("{}:{x}", Value::String((*k).to_owned())))
        })
        .collect();
    format!("{{{}}}", fields.join(","))
}

fn xml_elem(out: &mut String, indent: usize, name: &str, content: &str) {
    let pad = " ".repeat(indent);
    if content.is_empty() {
        out.push_str(&format!("{pad}<{name}/>\n"));
    } else {
        out.push_str(&format!("{pad}<{name}>{}</{name}>\n", text::xml(content)));
    }
}

pub fn xml(d: &Doc<'_>) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<plugin>\n");
    xml_elem(&mut out, 2, "name", d.plugin);
    xml_elem(&mut out, 2, "mode", d.mode);
    xml_elem(&mut out, 2, "exit", &d.exit);
    if d.shorts.is_empty() && d.long.is_empty() {
        out.push_str("  <outputs/>\n");
    } else {
        out.push_str("  <outputs>\n");
        for s in &d.shorts {
            out.push_str("    <output>\n");
            xml_elem(&mut out, 6, "type", "1");
            xml_elem(&mut out, 6, "exit", s.state.label());
            xml_elem(&mut out, 6, "msg", &s.msg);
            out.push_str("    </output>\n");
        }
        for l in &d.long {
            out.push_str("    <output>\n");
            xml_elem(&mut out, 6, "type", "2");
            xml_elem(&mut out, 6, "msg", l);
            out.push_str("    </output>\n");
        }
        out.push_str("  </outputs>\n");
    }
    if d.metrics.is_empty() {
        out.push_str("  <perfdatas/>\n");
    } else {
        out.push_str("  <perfdatas>\n");
        for m in &d.metrics {
            out.push_str("    <perfdata>\n");
            for (k, v) in metric_fields(m, d.mode) {
                let text = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                xml_elem(&mut out, 6, k, &text);
            }
            out.push_str("    </perfdata>\n");
        }
        out.push_str("  </perfdatas>\n");
    }
    out.push_str("</plugin>\n");
    out
}

/// A metric name OpenMetrics accepts: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
fn metric_name(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == ':' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// Which exposition [`openmetrics`] writes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Exposition {
    /// OpenMetrics 1.0: a timestamp in seconds on each sample, `# EOF`.
    OpenMetrics { epoch_ms: i64 },
    /// The Prometheus text format 0.0.4 of a node_exporter textfile
    /// collector `.prom` file: it refuses a whole file whose samples carry
    /// timestamps, and its registry fails the scrape when one family has
    /// different label names in two files (or two runs' files), so every
    /// sample carries every label, empty when unset.
    Textfile,
}

/// Every metric (the status one upstream adds among them, named
/// `plugin_mode_status` here so the exposition is valid), as gauges, with
/// the timestamp in seconds and the closing `# EOF` (OpenMetrics), or
/// neither (the textfile collector's format).
pub fn openmetrics(d: &Doc<'_>, style: Exposition) -> String {
    let ts = match style {
        Exposition::OpenMetrics { epoch_ms } => format!(
            " {}.{:03}",
            epoch_ms.div_euclid(1000),
            epoch_ms.rem_euclid(1000)
        ),
        Exposition::Textfile => String::new(),
    };
    let every_label = style == Exposition::Textfile;
    let mut lines: Vec<(String, String, String)> = Vec::new();
    let all: Vec<Metric> = d.metrics.clone();
    let mut out = String::new();
    let mut typed: Vec<String> = Vec::new();
    for m in &all {
        let (instance, name) = match m.label.split_once('#') {
            Some((i, n)) => (Some(i), n),
            None => (None, m.label.as_str()),
        };
        let name = metric_name(name);
        let mut labels = vec![
            format!("plugin=\"{}\"", text::openmetrics_label(d.plugin)),
            format!("mode=\"{}\"", text::openmetrics_label(d.mode)),
        ];
        for (k, v) in [
            ("unit", &m.unit),
            ("warning", &m.warning),
            ("critical", &m.critical),
            ("min", &m.min),
            ("max", &m.max),
        ] {
            if every_label || !v.is_empty() {
                labels.push(format!("{k}=\"{}\"", text::openmetrics_label(v)));
            }
        }
        if every_label || instance.is_some() {
            labels.push(format!(
                "instance=\"{}\"",
                text::openmetrics_label(instance.unwrap_or_default())
            ));
        }
        let value = if m.value.parse::<f64>().is_ok() {
            m.value.clone()
        } else {
            "NaN".to_owned()
        };
        lines.push((name, labels.join(","), value));
    }
    // Samples of one metric family must be together, after its TYPE.
    let mut names: Vec<String> = Vec::new();
    for (n, _, _) in &lines {
        if !names.contains(n) {
            names.push(n.clone());
        }
    }
    for n in &names {
        if !typed.contains(n) {
            out.push_str(&format!("# TYPE {n} gauge\n"));
            typed.push(n.clone());
        }
        for (_, labels, value) in lines.iter().filter(|(m, _, _)| m == n) {
            out.push_str(&format!("{n}{{{labels}}} {value}{ts}\n"));
        }
    }
    if !every_label {
        out.push_str("# EOF\n");
    }
    out
}
