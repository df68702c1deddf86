//! Text from outside (servers, users, option values) made safe for the
//! plugin's output, where a `|` starts perfdata and a newline starts long
//! output: the one place both the status line and error messages get it.

/// `|` becomes `/`, newlines and every other control character a space:
/// NUL and other controls can cut or garble the line in the monitoring
/// core. The length and everything else are kept.
pub fn flatten(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '|' => '/',
            c if breaks_line(c) => ' ',
            c => c,
        })
        .collect()
}

/// Cuts or garbles a line somewhere downstream: every control (C0 with
/// NUL, CR, LF and ESC, DEL, C1 with NEL) and the Unicode line and
/// paragraph separators, which JavaScript UIs and some log viewers break
/// lines on.
pub fn breaks_line(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// [`flatten`] for the structured formats (JSON, XML, OpenMetrics), where
/// `|` means nothing and stays: every value is still one line of plain
/// text, so a consumer printing it shows what the text format shows.
pub fn field(text: &str) -> String {
    text.chars()
        .map(|c| if breaks_line(c) { ' ' } else { c })
        .collect()
}

/// A [`field`] as XML 1.0 text or attribute value: `&<>"'` escaped, and
/// nothing XML 1.0 forbids even as a character reference (C0 controls,
/// gone with [`field`], and U+FFFE/U+FFFF, replaced by U+FFFD), so the
/// document stays well-formed.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in field(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A [`field`] as an OpenMetrics label value between double quotes: `\\`
/// and `"` escaped (the spec's third escape, `\n`, cannot occur after
/// [`field`]).
pub fn openmetrics_label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in field(text).chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out
}

/// The longest start of `text` within `max` bytes, never cutting a UTF-8
/// character in two.
pub fn cut(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_and_controls_only() {
        assert_eq!(flatten("a|b\nc\td\0é"), "a/b c d é");
        assert_eq!(flatten(" kept  as is "), " kept  as is ");
    }

    /// Every character that ends, cuts or colours a line, and every one
    /// that means something to one of the formats.
    const HOSTILE: &str = "a\rb\nc\u{1b}[31md\0e\u{85}f\u{2028}g\u{2029}h|i'j\"k<l&m>n\u{1}\u{7f}\u{b}\u{fffe}\u{ffff}o\\p\té";

    #[test]
    fn one_line_in_every_format() {
        assert_eq!(
            flatten(HOSTILE),
            "a b c [31md e f g h/i'j\"k<l&m>n   \u{fffe}\u{ffff}o\\p é"
        );
        assert_eq!(
            field(HOSTILE),
            "a b c [31md e f g h|i'j\"k<l&m>n   \u{fffe}\u{ffff}o\\p é"
        );
        for f in [flatten, field, xml, openmetrics_label] {
            let s = f(HOSTILE);
            assert!(!s.chars().any(breaks_line), "{s:?}");
        }
    }

    #[test]
    fn xml_text_parses_back() {
        let x = xml(HOSTILE);
        assert_eq!(
            x,
            "a b c [31md e f g h|i&apos;j&quot;k&lt;l&amp;m&gt;n   \u{fffd}\u{fffd}o\\p é"
        );
        let doc = format!("<r a=\"{x}\" b='{x}'>{x}</r>");
        let parsed = roxmltree::Document::parse(&doc).unwrap();
        let back = field(HOSTILE).replace(['\u{fffe}', '\u{ffff}'], "\u{fffd}");
        assert_eq!(parsed.root_element().text(), Some(back.as_str()));
        assert_eq!(parsed.root_element().attribute("a"), Some(back.as_str()));
        assert_eq!(parsed.root_element().attribute("b"), Some(back.as_str()));
    }

    #[test]
    fn openmetrics_label_values_unescape_to_the_field() {
        let v = openmetrics_label(HOSTILE);
        assert_eq!(
            v,
            "a b c [31md e f g h|i'j\\\"k<l&m>n   \u{fffe}\u{ffff}o\\\\p é"
        );
        let back = v.replace("\\\"", "\"").replace("\\\\", "\\");
        assert_eq!(back, field(HOSTILE));
    }

    #[test]
    fn cuts_fall_between_characters() {
        assert_eq!(cut("aé", 2), "a");
        assert_eq!(cut("aé", 3), "aé");
        assert_eq!(cut("aé", 99), "aé");
        assert_eq!(cut("€", 2), "");
    }
}
