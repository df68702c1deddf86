//! The little of Perl's behaviour the output options depend on: how Perl
//! prints a number (`%.15g`, but never with an exponent here: perfdata
//! forbids it), how it reads a string as a number, Perl `s///`
//! replacement strings translated for `regex-lite`, and the Perl regex
//! modifiers `regex-lite` has.

/// Applies the Perl regex modifier `flag` (`i`, `m`, `s`, `x`) to `b`;
/// false for one `regex-lite` has no equivalent of.
pub fn regex_flag(b: &mut regex_lite::RegexBuilder, flag: char) -> bool {
    match flag {
        'i' => b.case_insensitive(true),
        'm' => b.multi_line(true),
        's' => b.dot_matches_new_line(true),
        'x' => b.ignore_whitespace(true),
        _ => return false,
    };
    true
}

/// Perl's default number-to-string (`%.15g`) without the exponent form:
/// 15 significant digits, trailing zeros dropped. NaN and infinities
/// become `U`, perfdata's "unknown".
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return "U".to_owned();
    }
    if v == 0.0 {
        return "0".to_owned();
    }
    // `{:.14e}` gives d.dddddddddddddde±x: 15 significant digits.
    let sci = format!("{:.14e}", v);
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return format!("{v}");
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    // Place the decimal point `exp + 1` digits into the digit string.
    let point = exp + 1;
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if point <= 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat(usize::try_from(-point).unwrap_or(0)));
        out.push_str(digits);
    } else {
        let point = usize::try_from(point).unwrap_or(0);
        if digits.len() <= point {
            out.push_str(digits);
            out.push_str(&"0".repeat(point - digits.len()));
        } else {
            let (int, frac) = digits.split_at(point);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        }
    }
    out
}

/// `sprintf("%.2f", v)`, NaN and infinities as `U`.
pub fn fixed2(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.2}")
    } else {
        "U".to_owned()
    }
}

/// Perl's numeric reading of a string: its leading number, else 0.
pub fn to_number(s: &str) -> f64 {
    let t = s.trim_start();
    let mut end = 0;
    let mut seen_digit = false;
    let mut seen_dot = false;
    for (i, c) in t.char_indices() {
        match c {
            '+' | '-' if i == 0 => {}
            '0'..='9' => seen_digit = true,
            '.' if !seen_dot => seen_dot = true,
            _ => break,
        }
        end = i + c.len_utf8();
    }
    if !seen_digit {
        return 0.0;
    }
    t.get(..end).and_then(|n| n.parse().ok()).unwrap_or(0.0)
}

/// Does a string look like a number to Perl (`/\d+/` is what upstream
/// checks before summing a value)?
pub fn has_digit(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit())
}

/// Translates a Perl `s{…}{REPLACEMENT}` replacement into regex-lite's
/// syntax: `$1`/`${1}`/`\1` are groups, `\x21`, `\n`, `\t` escapes are
/// their characters, `\$` a dollar; any other literal `$` is escaped.
pub fn replacement(perl: &str) -> String {
    let chars: Vec<char> = perl.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            '$' => {
                let digits: String = chars
                    .iter()
                    .skip(i + 1)
                    .take_while(|d| d.is_ascii_digit())
                    .collect();
                if !digits.is_empty() {
                    out.push_str(&format!("${{{digits}}}"));
                    i += 1 + digits.len();
                } else if chars.get(i + 1) == Some(&'{') {
                    let name: String = chars
                        .iter()
                        .skip(i + 2)
                        .take_while(|d| **d != '}')
                        .collect();
                    out.push_str(&format!("${{{name}}}"));
                    i += 3 + name.chars().count();
                } else {
                    out.push_str("$$");
                    i += 1;
                }
            }
            '\\' => {
                match chars.get(i + 1) {
                    Some('x') => {
                        let hex: String = chars.iter().skip(i + 2).take(2).collect();
                        match u8::from_str_radix(&hex, 16) {
                            Ok(b) if hex.len() == 2 => {
                                push_literal(&mut out, char::from(b));
                                i += 4;
                                continue;
                            }
                            _ => push_literal(&mut out, 'x'),
                        }
                    }
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(d) if d.is_ascii_digit() => out.push_str(&format!("${{{d}}}")),
                    Some(other) => push_literal(&mut out, *other),
                    None => out.push('\\'),
                }
                i += 2;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn push_literal(out: &mut String, c: char) {
    if c == '$' {
        out.push_str("$$");
    } else {
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_perl_does_without_exponents() {
        assert_eq!(number(3.0), "3");
        assert_eq!(number(-1.0), "-1");
        assert_eq!(number(0.3), "0.3");
        assert_eq!(number(3.0 / 7.0), "0.428571428571429");
        assert_eq!(number(2.0 * 3.0 / 3.0), "2");
        assert_eq!(number(3e18), "3000000000000000000");
        assert_eq!(number(300_000_000_000_000.0), "300000000000000");
        assert_eq!(number(1.5e-7), "0.00000015");
        assert_eq!(number(0.1 + 0.2), "0.3");
        assert_eq!(number(f64::NAN), "U");
        assert_eq!(fixed2(42.857), "42.86");
    }

    #[test]
    fn perl_replacements() {
        assert_eq!(replacement("$1_x"), "${1}_x");
        assert_eq!(replacement("<$1>"), "<${1}>");
        assert_eq!(replacement("\\x33"), "3");
        assert_eq!(replacement("a$b"), "a$$b");
        assert_eq!(replacement("\\$1"), "$$1");
        assert_eq!(replacement("Up"), "Up");
        assert_eq!(replacement("${2}x"), "${2}x");
    }
}
