//! Status, perfdata and the Centreon text format, as a pure function from
//! an [`Outcome`] to the bytes printed and the exit code.
//!
//! The first line is built as Centreon's `output.pm` builds it: for
//! CRITICAL, WARNING and UNKNOWN in that order, `STATE: ` and that state's
//! messages joined with ` - `, then a space; `OK: …` only when the final
//! state is OK (OK messages are dropped otherwise); then `|` and each
//! perfdata as ` 'label'=value;warn;crit;min;max`. Long lines (verbose or
//! debug) follow on their own lines.

pub mod budget;
pub mod exit_rewrite;
pub mod formats;
pub mod generic;
pub mod metric;
pub mod perfdata_rewrite;
#[cfg(test)]
pub mod testing;
pub mod text_rewrite;

use crate::perfdata::Perfdata;
use crate::status::State;
use crate::text::flatten;
use generic::Generic;
use metric::Metric;

/// A short message with its state.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub state: State,
    pub text: String,
}

/// What a check found: messages, perfdata and long-output lines.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    pub entries: Vec<Entry>,
    pub perfdata: Vec<Perfdata>,
    pub long: Vec<String>,
    /// Printed as it is, exit 0: lists and host discovery, which upstream
    /// prints without a state label and exits OK.
    pub raw: Option<String>,
}

impl Outcome {
    pub fn single(state: State, text: impl Into<String>) -> Self {
        Outcome {
            entries: vec![Entry {
                state,
                text: text.into(),
            }],
            ..Default::default()
        }
    }

    pub fn state(&self) -> State {
        self.entries
            .iter()
            .fold(State::Ok, |acc, e| acc.worst(e.state))
    }
}

/// The output format.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Format {
    #[default]
    Text,
    Json,
    Xml,
    OpenMetrics,
    /// `--output-openmetrics-textfile`: the Prometheus text format 0.0.4
    /// that node_exporter's textfile collector parses.
    PrometheusTextfile,
}

impl Format {
    /// The format the `--output-*` flags ask for, with upstream's
    /// precedence: XML over JSON over OpenMetrics over text (the textfile
    /// variant is the more specific OpenMetrics request, so it wins).
    pub fn from_flags(flag: impl Fn(&str) -> bool) -> Format {
        if flag("output-xml") {
            Format::Xml
        } else if flag("output-json") {
            Format::Json
        } else if flag("output-openmetrics-textfile") {
            Format::PrometheusTextfile
        } else if flag("output-openmetrics") {
            Format::OpenMetrics
        } else {
            Format::Text
        }
    }

    /// Either OpenMetrics flag adds the status metric, even when JSON or
    /// XML wins the format (upstream's `--output-openmetrics` does).
    pub fn status_metric_from_flags(flag: impl Fn(&str) -> bool) -> bool {
        flag("output-openmetrics") || flag("output-openmetrics-textfile")
    }
}

/// How an outcome is shown: the generic options and the context.
#[derive(Clone, Debug, Default)]
pub struct Presentation {
    pub generic: Generic,
    pub format: Format,
    /// Long output (`--verbose`, `--debug`).
    pub long: bool,
    pub ignore_label: bool,
    pub ignore_perfdata: bool,
    pub plugin: String,
    pub mode: String,
    pub epoch_ms: i64,
    /// `--output-openmetrics` was given: the `plugin.mode.status` metric
    /// joins the perfdata before the rewrites (in JSON and XML too).
    pub status_metric: bool,
    /// The text format's size limit in bytes ([`budget`]): set for what
    /// goes to stdout, where an engine reads it; none for `--output-file`.
    pub budget: Option<usize>,
}

/// The bytes to print and the exit code.
#[derive(Debug, PartialEq)]
pub struct Presented {
    pub text: String,
    pub exit_code: u8,
}

/// The short line as `output.pm` builds it: `STATE: a - b ` per state,
/// `OK: …` only when the final state is OK.
fn short_line(outcome: &Outcome, ignore_label: bool) -> String {
    let state = outcome.state();
    let mut line = String::new();
    let label = |s: State| {
        if ignore_label {
            String::new()
        } else {
            format!("{}: ", s.label())
        }
    };
    for s in [State::Critical, State::Warning, State::Unknown] {
        let texts: Vec<&str> = outcome
            .entries
            .iter()
            .filter(|e| e.state == s)
            .map(|e| e.text.as_str())
            .collect();
        if !texts.is_empty() {
            line.push_str(&format!("{}{} ", label(s), texts.join(" - ")));
        }
    }
    if state == State::Ok {
        let oks: Vec<&str> = outcome.entries.iter().map(|e| e.text.as_str()).collect();
        line.push_str(&format!("{}{} ", label(State::Ok), oks.join(" - ")));
    }
    line
}

/// The full output of a check (`error` false) or of an execution error
/// (`error` true: no perfdata, long output forced and untouched by
/// `--change-long-output`, the `--opt-exit` state in JSON/XML), with every
/// generic option applied.
pub fn present(outcome: &Outcome, p: &Presentation, error: bool) -> Presented {
    if let (Some(raw), false) = (&outcome.raw, error) {
        return Presented {
            text: raw.clone(),
            exit_code: p.generic.exit_state(State::Ok, None).exit_code(),
        };
    }
    let state = outcome.state();
    let g = &p.generic;
    let status = || Metric {
        label: "plugin.mode.status".into(),
        value: state.exit_code().to_string(),
        ..Metric::default()
    };
    let metrics = || {
        let mut ms: Vec<Metric> = outcome.perfdata.iter().map(Metric::from_perfdata).collect();
        if p.status_metric {
            ms.push(status());
        }
        g.metrics(ms, &p.mode)
    };
    let long_lines = || -> Vec<String> {
        if error {
            outcome.long.clone()
        } else if p.long {
            g.long_output(&outcome.long)
        } else {
            Vec::new()
        }
    };
    let doc = || formats::Doc {
        plugin: &p.plugin,
        mode: &p.mode,
        exit: if error {
            state.label().to_ascii_lowercase()
        } else {
            state.label().to_owned()
        },
        shorts: [State::Critical, State::Warning, State::Unknown, State::Ok]
            .iter()
            .flat_map(|s| outcome.entries.iter().filter(move |e| e.state == *s))
            .map(|e| formats::Short {
                state: e.state,
                msg: if p.ignore_label {
                    e.text.clone()
                } else {
                    format!("{}: {}", e.state.label(), e.text)
                },
            })
            .collect(),
        long: long_lines(),
        metrics: if p.ignore_perfdata || error {
            Vec::new()
        } else {
            metrics()
        },
    };
    let text = match p.format {
        Format::Json => formats::json(&doc()),
        Format::Xml => formats::xml(&doc()),
        Format::OpenMetrics | Format::PrometheusTextfile => {
            let mut d = doc();
            // OpenMetrics shows the perfdata even with
            // --output-ignore-perfdata; after an execution error, the
            // status alone.
            d.metrics = if error { vec![status()] } else { metrics() };
            let style = if p.format == Format::PrometheusTextfile {
                formats::Exposition::Textfile
            } else {
                formats::Exposition::OpenMetrics {
                    epoch_ms: p.epoch_ms,
                }
            };
            formats::openmetrics(&d, style)
        }
        Format::Text => {
            let (short, adv_exit) = g.short_output(&short_line(outcome, p.ignore_label), state);
            let ms = if !error && !p.ignore_perfdata {
                metrics()
            } else {
                Vec::new()
            };
            let ms: Vec<budget::Metric> = ms
                .iter()
                .map(|m| budget::Metric {
                    text: flatten(&m.text()),
                    value_len: m.value.len(),
                })
                .collect();
            let long: Vec<String> = long_lines().iter().map(|l| flatten(l)).collect();
            let out = budget::fit(&flatten(&short), &ms, &long, p.budget.unwrap_or(usize::MAX));
            return Presented {
                text: out,
                exit_code: g.exit_state(state, adv_exit).exit_code(),
            };
        }
    };
    Presented {
        text,
        exit_code: g.exit_state(state, None).exit_code(),
    }
}

/// What a check prints with no generic option, long lines or not: the
/// text the modes' unit tests hold their outcomes to, so they check what
/// ships.
#[cfg(test)]
pub fn text(outcome: &Outcome, long: bool) -> String {
    let p = Presentation {
        long,
        ..Presentation::default()
    };
    present(outcome, &p, false).text
}

impl Outcome {
    /// Every secret replaced in each piece by `redact`, before the pieces
    /// are escaped and measured against the output budget: the text
    /// printed is the text measured, whatever a replacement's length.
    pub fn redact(&mut self, redact: &dyn Fn(&str) -> String) {
        let all = self
            .entries
            .iter_mut()
            .map(|e| &mut e.text)
            .chain(self.long.iter_mut())
            .chain(self.raw.iter_mut())
            .chain(
                self.perfdata
                    .iter_mut()
                    .flat_map(|p| [&mut p.label, &mut p.unit]),
            );
        for text in all {
            *text = redact(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::testing::{BASE, counted, events, failed, table};
    use crate::perfdata::format_number;
    use proptest::prelude::*;

    proptest! {
        /// Never an exponent, NaN or inf in a value; labels quoted so they
        /// come back unchanged.
        #[test]
        fn perfdata_is_always_well_formed(value: f64, label in "\\PC{0,24}", d in 0u8..4) {
            let mut bytes = value.to_le_bytes().to_vec();
            bytes.push(d);
            bytes.extend_from_slice(label.as_bytes());
            crate::fuzz::perfdata(&bytes);
        }

        /// Whatever the texts, one status line; long lines stay lines.
        #[test]
        fn shipped_text_never_forges_lines(texts in proptest::collection::vec("\\PC{0,40}", 1..4), long in proptest::collection::vec("\\PC{0,40}", 0..3)) {
            let o = Outcome {
                entries: texts.iter().map(|t| Entry { state: State::Ok, text: t.clone() }).collect(),
                perfdata: vec![Perfdata::new("x|y\n", 1.0)],
                long: long.clone(),
                raw: None,
            };
            let out = text(&o, true);
            prop_assert_eq!(out.lines().count(), 1 + long.len());
            prop_assert_eq!(out.matches('|').count(), 1);
            prop_assert!(!out.chars().any(|c| c.is_control() && c != '\n'));
        }
    }

    proptest! {
        // Each case renders 1, 3 and 200 copies in four formats.
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Whatever the outside text, every format well-formed, the text
        /// one status line within the budget (`fuzz::output`), and the XML
        /// parses back to the text as one line.
        #[test]
        fn every_format_holds_any_text(text in "\\PC{0,40}|[\\x00-\\x1f\\x7f-\\u{9f}\\u{2028}\\u{fffe}\\u{ffff}|'\"<&>\\\\ a]{0,20}") {
            crate::fuzz::output(text.as_bytes());
            let o = Outcome::single(State::Ok, text.clone());
            let p = Presentation { format: Format::Xml, ..Presentation::default() };
            let xml = present(&o, &p, false).text;
            let doc = roxmltree::Document::parse(&xml).map_err(|e| TestCaseError::fail(format!("{e}: {xml:?}")))?;
            let msg = doc.descendants().find(|n| n.has_tag_name("msg")).and_then(|n| n.text()).unwrap_or_default();
            let expected = crate::text::field(&format!("OK: {text}")).replace(['\u{fffe}', '\u{ffff}'], "\u{fffd}");
            prop_assert_eq!(msg, expected.as_str());
        }
    }

    fn perf(label: &str, v: f64) -> Perfdata {
        Perfdata {
            min: Some(0.0),
            ..Perfdata::new(label, v)
        }
    }

    #[test]
    fn upstream_trail_status_lines() {
        let mut o = Outcome::single(State::Ok, "Trail is logging: 1");
        o.perfdata.push(perf("trail_is_logging", 1.0));
        assert_eq!(
            text(&o, false),
            "OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\n"
        );
        let mut o = Outcome::single(State::Critical, "Trail is logging: 0");
        o.perfdata.push(perf("trail_is_logging", 0.0));
        assert_eq!(
            text(&o, false),
            "CRITICAL: Trail is logging: 0 | 'trail_is_logging'=0;;;0;\n"
        );
    }

    #[test]
    fn thresholds_are_echoed() {
        let mut o = Outcome::single(State::Ok, "Number of events: 3.00");
        o.perfdata.push(Perfdata {
            decimals: Some(2),
            warning: crate::threshold::Range::parse("5"),
            critical: crate::threshold::Range::parse("10"),
            ..perf("events_count", 3.0)
        });
        assert_eq!(
            text(&o, false),
            "OK: Number of events: 3.00 | 'events_count'=3.00;0:5;0:10;0;\n"
        );
    }

    #[test]
    fn several_states_join_like_output_pm() {
        let o = Outcome {
            entries: vec![
                Entry {
                    state: State::Ok,
                    text: "ok1".into(),
                },
                Entry {
                    state: State::Critical,
                    text: "crit1".into(),
                },
                Entry {
                    state: State::Warning,
                    text: "warn1".into(),
                },
                Entry {
                    state: State::Critical,
                    text: "crit2".into(),
                },
                Entry {
                    state: State::Ok,
                    text: "ok2".into(),
                },
            ],
            perfdata: vec![Perfdata::new("a'b", 1.0), Perfdata::new("c", 2.5)],
            long: vec!["line 1".into(), "line 2".into()],
            raw: None,
        };
        assert_eq!(o.state(), State::Critical);
        assert_eq!(
            text(&o, false),
            "CRITICAL: crit1 - crit2 WARNING: warn1 | 'a''b'=1;;;; 'c'=2.5;;;;\n"
        );
        assert_eq!(
            text(&o, true),
            "CRITICAL: crit1 - crit2 WARNING: warn1 | 'a''b'=1;;;; 'c'=2.5;;;;\nline 1\nline 2\n"
        );
    }

    #[test]
    fn message_without_perfdata_keeps_trailing_space() {
        let o = Outcome::single(State::Unknown, "Need to specify --region option.");
        assert_eq!(
            text(&o, false),
            "UNKNOWN: Need to specify --region option. \n"
        );
    }

    #[test]
    fn unknown_beats_warning_and_critical_beats_unknown() {
        assert_eq!(State::Warning.worst(State::Unknown), State::Unknown);
        assert_eq!(State::Unknown.worst(State::Critical), State::Critical);
        assert_eq!(State::Ok.worst(State::Warning), State::Warning);
    }

    #[test]
    fn no_forged_lines() {
        let mut o = Outcome::single(State::Ok, "x | 'y'=1\nCRITICAL: z");
        o.long.push("a\nb|c".into());
        let s = text(&o, true);
        assert_eq!(s.lines().count(), 2, "{s}");
        assert_eq!(s.matches('|').count(), 0, "{s}");
    }

    #[test]
    fn numbers_never_use_exponents() {
        assert_eq!(format_number(1e21, None), "1000000000000000000000");
        assert_eq!(format_number(1e-7, None), "0.0000001");
        assert_eq!(format_number(f64::NAN, Some(2)), "U");
        assert_eq!(format_number(f64::INFINITY, None), "U");
        assert_eq!(format_number(3.0, Some(2)), "3.00");
    }

    /// What is measured against the budget is what is printed: secrets
    /// are replaced in the pieces first, so a replacement of any length
    /// cannot push the output over.
    #[test]
    fn redaction_comes_before_the_budget() {
        let secret = vec!["s3cr".to_owned()];
        let mut o = Outcome::single(State::Critical, "s3cr ".repeat(3000));
        o.long = vec!["s3cr|".to_owned(); 3000];
        o.perfdata = (0..600)
            .map(|i| Perfdata::new(&format!("s3cr{i}"), 1.0))
            .collect();
        let redact = |t: &str| crate::trace::redact(t, &secret);
        o.redact(&redact);
        assert!(o.entries.iter().all(|e| e.text.starts_with("*** ")));
        assert_eq!(o.perfdata.first().map(|p| p.label.as_str()), Some("***0"));
        let p = Presentation {
            long: true,
            budget: Some(budget::MAX),
            ..Presentation::default()
        };
        let shown = redact(&present(&o, &p, false).text);
        assert!(shown.len() <= budget::MAX, "{}", shown.len());
        assert!(!shown.contains("s3cr"), "{shown}");
        assert!(shown.contains(" metrics dropped: output budget) | '***0'=1;;;;"));
    }

    // The rows of tests/it/generic.rs for --output-ignore-perfdata and
    // --output-ignore-label, on the outcome the mode handed over.

    #[test]
    fn output_ignore_perfdata_and_label() {
        table(&[
            // output.pm::output_txt: no `|` part, the trailing space stays.
            (
                &["--output-ignore-perfdata"],
                counted(),
                "OK: Number of events: 3.00 \n",
                0,
            ),
            // output.pm::output_txt: the state is unchanged.
            (
                &["--output-ignore-perfdata"],
                events(State::Critical, "", "1"),
                "CRITICAL: Number of events: 3.00 \n",
                2,
            ),
            // output.pm::output_txt: no `S: ` prefix.
            (
                &["--output-ignore-label"],
                counted(),
                "Number of events: 3.00 | 'events_count'=3.00;;;0;\n",
                0,
            ),
            // output.pm::output_txt: rc unchanged.
            (
                &["--output-ignore-label"],
                events(State::Warning, "1", ""),
                "Number of events: 3.00 | 'events_count'=3.00;0:1;;0;\n",
                1,
            ),
            // output.pm::option_exit: also on errors.
            (
                &["--output-ignore-label"],
                failed(
                    "countevents",
                    State::Unknown,
                    "Wrong warning-count threshold 'abc'.",
                ),
                "Wrong warning-count threshold 'abc'. \n",
                3,
            ),
            // output.pm::output_txt: both.
            (
                &["--output-ignore-label", "--output-ignore-perfdata"],
                counted(),
                "Number of events: 3.00 \n",
                0,
            ),
            // alternative/Getopt.pm: `=0` is off.
            (&["--output-ignore-perfdata=0"], counted(), BASE, 0),
        ]);
    }
}
