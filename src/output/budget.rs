//! The text output within what the monitoring engines keep.
//!
//! Nagios Core 4 and Centreon Engine keep at most `MAX_PLUGIN_OUTPUT_LENGTH`
//! bytes of a plugin's output, 8192 in both (`include/nagios.h`: "max
//! length of plugin output (including perf data)"): status line, perfdata
//! and long output together, cut wherever the byte falls, perfdata
//! included, without a word. A C buffer of that size holds 8191 bytes and
//! the NUL, so the whole of stdout is kept to [`MAX`].
//!
//! When it does not fit, in this order:
//! 1. long output is cut first: the lines that fit are kept in order and a
//!    last line says how many were cut;
//! 2. when the status line with its perfdata alone is too long, every long
//!    line goes, then whole metrics are dropped from the end (never half a
//!    metric, kept in the order they were emitted) until they fit in
//!    [`MAX`] less [`TEXT_ROOM`], and the line says
//!    ` (N metrics dropped: output budget)`;
//! 3. last, the status text is shortened (at a character boundary, `...`)
//!    to what is left.
//!
//! Which metrics stay must not depend on the values (graphs need the same
//! series every run): each is counted with [`VALUE_ROOM`] bytes for its
//! value whatever the value is, and the metrics get a fixed share of the
//! line whatever the length of the text; so the same configuration and
//! the same instances keep the same metrics.

use crate::text::cut;

/// Bytes of stdout, final newline included.
pub const MAX: usize = 8191;

/// What the status text keeps when metrics must be dropped: a line a
/// person reads whole.
pub const TEXT_ROOM: usize = 1024;

/// Bytes counted for any metric's value when choosing which metrics
/// stay: more than any value we print (`format_number` of a count, an
/// age or a 0/1, with at most a few decimals).
pub const VALUE_ROOM: usize = 24;

/// A metric as printed (`'label'=value;…`, flattened) and the length of
/// its value.
pub struct Metric {
    pub text: String,
    pub value_len: usize,
}

fn marker(cut_lines: usize, max: usize) -> String {
    format!("... {cut_lines} more lines cut (output budget: {max} bytes)\n")
}

fn first_line(text: &str, metrics: &[Metric]) -> String {
    let mut out = text.to_owned();
    if !metrics.is_empty() {
        out.push('|');
        for m in metrics {
            out.push(' ');
            out.push_str(&m.text);
        }
    }
    out.push('\n');
    out
}

/// The output from its parts, already one line each: the status text
/// (with its trailing space), the metrics and the long lines, within
/// `max` bytes as the module says.
pub fn fit(text: &str, metrics: &[Metric], long: &[String], max: usize) -> String {
    let first = first_line(text, metrics);
    let long_len: usize = long.iter().map(|l| l.len() + 1).sum();
    if first.len() + long_len <= max {
        let mut out = first;
        for l in long {
            out.push_str(l);
            out.push('\n');
        }
        return out;
    }
    // The longest marker any count below this one could need.
    let reserve = marker(long.len(), max).len();
    if first.len() + reserve <= max {
        let mut out = first;
        let mut kept = 0;
        for l in long {
            if out.len() + l.len() + 1 + reserve > max {
                break;
            }
            out.push_str(l);
            out.push('\n');
            kept += 1;
        }
        out.push_str(&marker(long.len() - kept, max));
        return out;
    }
    let reserve = if long.is_empty() { 0 } else { reserve };
    // The first line without its newline.
    let room = max.saturating_sub(reserve + 1);
    // Fixed whatever the text and the long lines: the longest marker
    // there could be, the newline and the text's room.
    let metric_room = max.saturating_sub(marker(usize::MAX, max).len() + 1 + TEXT_ROOM);
    let mut kept = 0;
    // `|` and, per metric, a space and the metric with a value of
    // VALUE_ROOM bytes; then the same with the real values, which a value
    // longer than VALUE_ROOM could still tip over.
    let mut stable = 1;
    for m in metrics {
        stable += 1 + m.text.len() - m.value_len.min(m.text.len()) + VALUE_ROOM;
        if stable > metric_room {
            break;
        }
        kept += 1;
    }
    while kept > 0
        && first_line("", metrics.get(..kept).unwrap_or_default()).len() > metric_room + 1
    {
        kept -= 1;
    }
    let kept_metrics = metrics.get(..kept).unwrap_or_default();
    let perf = first_line("", kept_metrics);
    let perf = perf.trim_end_matches('\n');
    let dropped = metrics.len() - kept;
    let text_room = room.saturating_sub(perf.len());
    let tail = if dropped > 0 {
        format!(" ({dropped} metrics dropped: output budget) ")
    } else {
        String::new()
    };
    let mut out = if tail.is_empty() && text.len() <= text_room {
        text.to_owned()
    } else {
        let body = text.trim_end();
        let tail = if tail.is_empty() { " " } else { tail.as_str() };
        if body.len() + tail.len() <= text_room {
            format!("{body}{tail}")
        } else {
            let shown = cut(body, text_room.saturating_sub(tail.len() + 3));
            format!("{shown}...{tail}")
        }
    };
    out.push_str(perf);
    out.push('\n');
    if !long.is_empty() {
        out.push_str(&marker(long.len(), max));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics(n: usize, value: &str) -> Vec<Metric> {
        (0..n)
            .map(|i| Metric {
                text: format!("'m{i:04}'={value};;;0;"),
                value_len: value.len(),
            })
            .collect()
    }

    fn labels(out: &str) -> Vec<String> {
        let first = out.lines().next().unwrap_or_default();
        let (_, perf) = first.split_once('|').unwrap_or_default();
        perf.split_whitespace()
            .map(|m| {
                assert!(
                    m.starts_with("'m") && m.ends_with(";;;0;"),
                    "half a metric {m}"
                );
                m.get(1..6).unwrap_or_default().to_owned()
            })
            .collect()
    }

    #[test]
    fn what_fits_is_untouched() {
        let long = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(
            fit("OK: x ", &metrics(1, "1"), &long, MAX),
            "OK: x | 'm0000'=1;;;0;\na\nb\n"
        );
        assert_eq!(fit("OK: x ", &[], &[], MAX), "OK: x \n");
    }

    #[test]
    fn long_output_is_cut_first_with_a_marker() {
        let long: Vec<String> = (0..2000).map(|i| format!("line {i}")).collect();
        let out = fit("CRITICAL: x ", &metrics(3, "1"), &long, MAX);
        assert!(out.len() <= MAX, "{}", out.len());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines.first().copied(),
            Some("CRITICAL: x | 'm0000'=1;;;0; 'm0001'=1;;;0; 'm0002'=1;;;0;")
        );
        assert_eq!(lines.get(1).copied(), Some("line 0"));
        let last = lines.last().copied().unwrap_or_default();
        let shown = lines.len() - 2;
        assert_eq!(
            last,
            format!(
                "... {} more lines cut (output budget: 8191 bytes)",
                2000 - shown
            )
        );
        assert!(out.len() > MAX - 20, "as much as fits: {}", out.len());
    }

    #[test]
    fn whole_metrics_are_dropped_from_the_end_the_same_every_run() {
        let long = vec!["detail".to_owned(); 10];
        let a = fit("OK: all fine ", &metrics(600, "1"), &long, MAX);
        // Other values, another text: the same metrics stay.
        let b = fit(
            &format!("CRITICAL: {} ", "é".repeat(3000)),
            &metrics(600, "123456.78"),
            &[],
            MAX,
        );
        for out in [&a, &b] {
            assert!(out.len() <= MAX, "{}", out.len());
        }
        let kept = labels(&a);
        assert_eq!(kept, labels(&b));
        let expected: Vec<String> = (0..kept.len()).map(|i| format!("m{i:04}")).collect();
        assert_eq!(kept, expected, "a prefix, in order");
        let dropped = 600 - kept.len();
        assert!(
            a.starts_with(&format!(
                "OK: all fine ({dropped} metrics dropped: output budget) | 'm0000'"
            )),
            "{a}"
        );
        assert!(
            a.ends_with("\n... 10 more lines cut (output budget: 8191 bytes)\n"),
            "{a}"
        );
        // The text is cut between characters and keeps the note.
        let first = b.lines().next().unwrap_or_default();
        assert!(
            first.contains("éé... (") && first.contains(" metrics dropped: output budget) | "),
            "{first}"
        );
    }

    #[test]
    fn a_long_text_alone_is_shortened() {
        let text = format!("CRITICAL: {} ", "x".repeat(20_000));
        let out = fit(&text, &metrics(2, "1"), &["l".to_owned()], MAX);
        assert!(out.len() <= MAX, "{}", out.len());
        assert_eq!(labels(&out), ["m0000", "m0001"]);
        assert!(out.contains("xxx... | 'm0000'"), "{out}");
        assert!(!out.contains("dropped"), "{out}");
        // Smaller budgets too: within them, the marker last.
        for max in [300, 1000, 5000] {
            let out = fit(&text, &metrics(50, "1"), &["l".to_owned()], max);
            assert!(out.len() <= max, "{max}: {out}");
            assert_eq!(out.lines().count(), 2, "{out}");
        }
    }
}
