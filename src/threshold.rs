//! Nagios threshold ranges.
//!
//! | range    | alert when                |
//! |----------|---------------------------|
//! | `10`     | x < 0 or x > 10           |
//! | `10:`    | x < 10                    |
//! | `~:10`   | x > 10                    |
//! | `10:20`  | x < 10 or x > 20          |
//! | `@10:20` | 10 ≤ x ≤ 20               |
//!
//! Endpoints are inclusive (a value equal to an endpoint never alerts
//! outside `@`, always alerts inside it); `~` is −∞, an empty end is +∞;
//! start > end, NaN, infinities and exponents are rejected. Critical is
//! checked before warning.

use std::fmt;

use crate::status::State;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub start: f64,
    pub end: f64,
    /// `@`: alert when the value is inside `[start, end]`.
    pub inside: bool,
}

/// A plain decimal, as Nagios and Centreon accept it: no exponent, no
/// `inf`/`nan`, at most one dot.
fn parse_number(s: &str) -> Option<f64> {
    // Centreon also takes a decimal comma (`5,5`).
    let owned = s.replacen(',', ".", 1);
    let s = owned.as_str();
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let mut dots = 0;
    let mut has_digit = false;
    for c in digits.chars() {
        match c {
            '0'..='9' => has_digit = true,
            '.' => dots += 1,
            _ => return None,
        }
    }
    if !has_digit || dots > 1 {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

impl Range {
    /// Parses a range; `None` when the text is not one. Surrounding
    /// whitespace is ignored.
    pub fn parse(text: &str) -> Option<Range> {
        let t = text.trim();
        let (inside, t) = match t.strip_prefix('@') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (start, end) = match t.split_once(':') {
            Some((s, e)) => {
                let start = match s {
                    "~" => f64::NEG_INFINITY,
                    "" => 0.0,
                    n => parse_number(n)?,
                };
                let end = match e {
                    "" => f64::INFINITY,
                    n => parse_number(n)?,
                };
                (start, end)
            }
            None => (0.0, parse_number(t)?),
        };
        if start > end {
            return None;
        }
        Some(Range { start, end, inside })
    }

    /// True when `value` must raise this range's state.
    pub fn alerts(&self, value: f64) -> bool {
        let within = value >= self.start && value <= self.end;
        within == self.inside
    }

    /// True when this range alerts for every value from some bound up
    /// (`10`, `~:10`, `5:10`, `@10:`), so a value that only grows can be
    /// known to alert before it is final.
    pub fn alerts_above_a_bound(&self) -> bool {
        if self.inside {
            self.end == f64::INFINITY
        } else {
            self.end.is_finite()
        }
    }

    /// True when `value` and every value above it alert.
    pub fn alerts_from(&self, value: f64) -> bool {
        if self.inside {
            self.end == f64::INFINITY && value >= self.start
        } else {
            value > self.end
        }
    }
}

fn fmt_endpoint(v: f64) -> String {
    // `{}` on f64 never uses an exponent and drops a `.0`.
    format!("{v}")
}

impl fmt::Display for Range {
    /// The form Centreon echoes in perfdata: always `start:end`, `~` for
    /// −∞, nothing for +∞, and `@` in front when inverted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.inside {
            f.write_str("@")?;
        }
        if self.start == f64::NEG_INFINITY {
            f.write_str("~")?;
        } else {
            f.write_str(&fmt_endpoint(self.start))?;
        }
        f.write_str(":")?;
        if self.end != f64::INFINITY {
            f.write_str(&fmt_endpoint(self.end))?;
        }
        Ok(())
    }
}

/// A warning and a critical range, either optional.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Thresholds {
    pub warning: Option<Range>,
    pub critical: Option<Range>,
}

impl Thresholds {
    /// Critical first, then warning, else OK.
    pub fn evaluate(&self, value: f64) -> State {
        self.evaluate_rounded(value, None)
    }

    /// [`Thresholds::evaluate`] with the bounds and the value rounded to
    /// `precision` decimals first (`--float-precision`, which Centreon
    /// applies before comparing).
    pub fn evaluate_rounded(&self, value: f64, precision: Option<usize>) -> State {
        let (critical, warning, value) = (
            rounded_range(self.critical, precision),
            rounded_range(self.warning, precision),
            round(value, precision),
        );
        if critical.is_some_and(|r| r.alerts(value)) {
            State::Critical
        } else if warning.is_some_and(|r| r.alerts(value)) {
            State::Warning
        } else {
            State::Ok
        }
    }

    /// True when `value`, and any larger value, is CRITICAL (compared as
    /// [`Thresholds::evaluate_rounded`] compares).
    pub fn critical_from(&self, value: f64, precision: Option<usize>) -> bool {
        rounded_range(self.critical, precision)
            .is_some_and(|r| r.alerts_from(round(value, precision)))
    }
}

/// `x` rounded to `precision` decimals (`--float-precision`).
fn round(x: f64, precision: Option<usize>) -> f64 {
    match precision {
        Some(n) if x.is_finite() => format!("{x:.n$}").parse().unwrap_or(x),
        _ => x,
    }
}

fn rounded_range(range: Option<Range>, precision: Option<usize>) -> Option<Range> {
    range.map(|r| Range {
        start: round(r.start, precision),
        end: round(r.end, precision),
        ..r
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// parse → display → parse gives the same range, for any text.
        #[test]
        fn round_trip_of_any_text(text in "[@~:0-9.,+ -]{0,12}|\\PC{0,16}") {
            crate::fuzz::threshold(text.as_bytes());
        }

        /// Evaluation agrees with the guidelines table, computed here from
        /// the range's parts rather than its text.
        #[test]
        fn agrees_with_the_guidelines(
            inside: bool,
            neg_inf: bool,
            start in proptest::option::of(-1.0e6f64..1.0e6),
            end in proptest::option::of(-1.0e6f64..1.0e6),
            values in proptest::collection::vec(-2.0e6f64..2.0e6, 1..8),
        ) {
            let start_txt = if neg_inf { "~".to_owned() } else { start.map(|v| format!("{v}")).unwrap_or_default() };
            let end_txt = end.map(|v| format!("{v}")).unwrap_or_default();
            let text = format!("{}{start_txt}:{end_txt}", if inside { "@" } else { "" });
            let lo = if neg_inf { f64::NEG_INFINITY } else { start.unwrap_or(0.0) };
            let hi = end.unwrap_or(f64::INFINITY);
            let parsed = Range::parse(&text);
            if lo > hi {
                prop_assert_eq!(parsed, None, "{}", text);
            } else {
                let r = parsed.expect("a valid range parses");
                let mut probes = values.clone();
                probes.extend([lo, hi]);
                for v in probes.into_iter().filter(|v| v.is_finite()) {
                    let expected = if inside { lo <= v && v <= hi } else { v < lo || v > hi };
                    prop_assert_eq!(r.alerts(v), expected, "{} at {}", text, v);
                }
            }
            // The bare form `N` is `0:N`.
            if let Some(e) = end.filter(|e| *e >= 0.0) {
                prop_assert_eq!(Range::parse(&format!("{e}")), Range::parse(&format!("0:{e}")));
            }
        }
    }

    fn r(s: &str) -> Range {
        Range::parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    /// The guidelines table, value by value.
    #[test]
    fn guidelines_table() {
        let cases: &[(&str, &[(f64, bool)])] = &[
            (
                "10",
                &[(-1.0, true), (0.0, false), (10.0, false), (10.5, true)],
            ),
            ("10:", &[(9.9, true), (10.0, false), (1e9, false)]),
            ("~:10", &[(-1e9, false), (10.0, false), (10.1, true)]),
            (
                "10:20",
                &[(9.0, true), (10.0, false), (20.0, false), (21.0, true)],
            ),
            (
                "@10:20",
                &[
                    (9.0, false),
                    (10.0, true),
                    (15.0, true),
                    (20.0, true),
                    (21.0, false),
                ],
            ),
            (":5.75", &[(-0.1, true), (5.75, false), (5.76, true)]),
            ("-5:-1", &[(-6.0, true), (-5.0, false), (0.0, true)]),
        ];
        for (range, values) in cases {
            for (v, alert) in *values {
                assert_eq!(r(range).alerts(*v), *alert, "range {range} value {v}");
            }
        }
    }

    #[test]
    fn display_is_centreon_perfdata_form_and_round_trips() {
        for (input, shown) in [
            ("5", "0:5"),
            ("10:", "10:"),
            ("~:10", "~:10"),
            ("10:20", "10:20"),
            ("@10:20", "@10:20"),
            ("@5", "@0:5"),
            ("1.5:2.25", "1.5:2.25"),
            ("-3:", "-3:"),
            (" 7 ", "0:7"),
            ("5,5", "0:5.5"),
            ("+5", "0:5"),
            (":", "0:"),
            ("~:", "~:"),
        ] {
            let parsed = r(input);
            assert_eq!(parsed.to_string(), shown, "{input}");
            assert_eq!(r(shown), parsed, "round trip of {input}");
        }
    }

    #[test]
    fn rejects_bad_ranges() {
        for bad in [
            "", "abc", "10:5", "1e3", "inf", "nan", "NaN:", "1..2", "@", "~", "5:x", "--5", "5%",
            "1,2,3", "1:2:3", "~:~", "0x10",
        ] {
            assert_eq!(Range::parse(bad), None, "{bad:?} must be rejected");
        }
    }

    #[test]
    fn float_precision_rounds_before_comparing() {
        let t = Thresholds {
            warning: Some(r("2.96")),
            critical: None,
        };
        assert_eq!(t.evaluate(3.0), State::Warning);
        assert_eq!(t.evaluate_rounded(3.0, Some(1)), State::Ok);
        assert_eq!(t.evaluate_rounded(3.0, Some(0)), State::Ok);
        assert_eq!(t.evaluate_rounded(3.0, Some(8)), State::Warning);
    }

    #[test]
    fn ranges_alerting_from_a_bound_up() {
        for (range, above, from) in [
            (
                "10",
                true,
                &[(10.0, false), (10.5, true), (-1.0, false)][..],
            ),
            ("~:10", true, &[(10.0, false), (11.0, true)][..]),
            ("5:10", true, &[(4.0, false), (11.0, true)][..]),
            ("@10:", true, &[(9.0, false), (10.0, true), (1e9, true)][..]),
            ("10:", false, &[(5.0, false), (1e9, false)][..]),
            ("@10:20", false, &[(15.0, false), (25.0, false)][..]),
        ] {
            assert_eq!(r(range).alerts_above_a_bound(), above, "{range}");
            for (v, alerts) in from {
                assert_eq!(r(range).alerts_from(*v), *alerts, "{range} from {v}");
                if *alerts {
                    // Then the range does alert at v and above.
                    assert!(r(range).alerts(*v) && r(range).alerts(*v + 1e6));
                }
            }
        }
        let t = Thresholds {
            warning: None,
            critical: Some(r("10.4")),
        };
        assert!(!t.critical_from(10.0, None));
        assert!(t.critical_from(10.5, None));
        // Rounded as evaluate_rounded rounds: 10.4 becomes 10.
        assert!(t.critical_from(11.0, Some(0)));
        assert!(!Thresholds::default().critical_from(1e9, None));
    }

    #[test]
    fn critical_before_warning() {
        let t = Thresholds {
            warning: Some(r("5")),
            critical: Some(r("10")),
        };
        assert_eq!(t.evaluate(3.0), State::Ok);
        assert_eq!(t.evaluate(6.0), State::Warning);
        assert_eq!(t.evaluate(11.0), State::Critical);
        let inverted = Thresholds {
            warning: Some(r("0:100")),
            critical: Some(r("@0:0")),
        };
        assert_eq!(inverted.evaluate(0.0), State::Critical);
        assert_eq!(Thresholds::default().evaluate(1e12), State::Ok);
    }
}
