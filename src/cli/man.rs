//! The manual page (`--generate=man`): the sections `--help` prints, in
//! roff.

use super::help::{
    API, AWSCLI, DESCRIPTION, ENVIRONMENT, EXIT_STATUS, GLOBAL, OUTPUT, STATEFILE, Section, USAGE,
};
use super::mode::ModeName;

/// roff text: backslashes, hyphens and non-ASCII escaped (so `\-\-region` copies as
/// `--region`), a leading `.` or `'` kept from being read as a request.
fn roff(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\e"),
            '-' => out.push_str("\\-"),
            // groff's ASCII output (man under a C locale) has no glyph for
            // most of Unicode and drops it silently: the few we write get
            // their classic names or ASCII.
            '…' => out.push_str("..."),
            '—' => out.push_str("\\(em"),
            '–' => out.push_str("\\(en"),
            '‘' | '’' => out.push('\''),
            '“' | '”' => out.push('"'),
            // groff without preconv reads bytes, not UTF-8.
            c if !c.is_ascii() => out.push_str(&format!("\\[u{:04X}]", u32::from(c))),
            _ => out.push(c),
        }
    }
    if out.starts_with(['.', '\'']) {
        out.insert_str(0, "\\&");
    }
    out
}

/// One paragraph of words on one roff line (man wraps it itself).
fn roff_paragraph(text: &str) -> String {
    roff(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn man_items(s: &Section, out: &mut String) {
    for (tag, text) in s.entries() {
        out.push_str(".TP\n");
        let tags: Vec<String> = tag
            .split_whitespace()
            .map(|t| format!("\\fB{}\\fR", roff(t)))
            .collect();
        out.push_str(&tags.join(", "));
        out.push('\n');
        for (i, para) in text.split("\n\n").enumerate() {
            if i > 0 {
                out.push_str(".IP\n");
            }
            out.push_str(&roff_paragraph(para));
            out.push('\n');
        }
    }
}

fn man_section(heading: &str, s: &Section, out: &mut String) {
    out.push_str(heading);
    out.push('\n');
    if !s.intro.is_empty() {
        out.push_str(&roff_paragraph(s.intro));
        out.push('\n');
    }
    man_items(s, out);
}

/// This program's manual page.
pub fn page() -> String {
    let modes: Vec<(&str, &Section)> = ModeName::ALL.iter().map(|m| (m.name(), m.help())).collect();
    man_page(
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_DESCRIPTION"),
        &modes,
    )
}

/// The manual page, in roff (`man 7 man`), from the sections `--help`
/// prints. `modes` pairs each mode's name with its help section.
pub fn man_page(version: &str, summary: &str, modes: &[(&str, &Section)]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        ".TH CHECK_CLOUDTRAIL 1 \"\" \"check_cloudtrail {}\" \"Monitoring Plugins\"\n",
        roff(version)
    ));
    // Option and variable names must not be hyphenated, and long names
    // stretch justified lines: no hyphenation, left-aligned.
    out.push_str(".nh\n.ad l\n");
    out.push_str(&format!(
        ".SH NAME\ncheck_cloudtrail \\- {}\n",
        roff(summary)
    ));
    out.push_str(".SH SYNOPSIS\n.nf\n");
    for line in USAGE.lines().take_while(|l| !l.starts_with("Credentials:")) {
        out.push_str(&roff(line.strip_prefix("Usage: ").unwrap_or(line)));
        out.push('\n');
    }
    out.push_str(".fi\n");
    man_section(".SH DESCRIPTION", &DESCRIPTION, &mut out);
    for s in [&GLOBAL, &OUTPUT, &API, &AWSCLI, &STATEFILE] {
        let heading = format!(".SH \"{}\"", s.title.to_uppercase());
        man_section(&heading, s, &mut out);
    }
    out.push_str(".SH MODES\n");
    for (name, s) in modes {
        man_section(&format!(".SS {}", roff(name)), s, &mut out);
    }
    man_section(".SH ENVIRONMENT", &ENVIRONMENT, &mut out);
    man_section(".SH \"EXIT STATUS\"", &EXIT_STATUS, &mut out);
    out.push_str(
        ".SH \"SEE ALSO\"\nThe README of check_cloudtrail (every mode, the credential \
         chain, deviations from the Centreon plugin) and its contrib/ directory (Centreon, \
         Nagios and Icinga 2 command definitions).\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::mode::countevents;

    #[test]
    fn man_page_is_roff_of_the_help_items() {
        let page = man_page("1.2.3", "a summary", &[("countevents", &countevents::HELP)]);
        assert!(page.starts_with(".TH CHECK_CLOUDTRAIL 1 \"\" \"check_cloudtrail 1.2.3\""));
        assert!(page.contains("\n.SH NAME\ncheck_cloudtrail \\- a summary\n"));
        assert!(page.contains("\n.SS countevents\n"));
        // Every option of the sections shown, as a bold tag.
        for s in [
            &GLOBAL,
            &OUTPUT,
            &API,
            &AWSCLI,
            &STATEFILE,
            &countevents::HELP,
        ] {
            for item in s.items {
                for tag in item.tag.split_whitespace() {
                    let bold = format!("\\fB{}\\fR", tag.replace('-', "\\-"));
                    assert!(page.contains(&bold), "{tag} missing");
                }
            }
        }
        // A multi-paragraph item continues with .IP, nothing is a stray request.
        assert!(page.contains("\n.IP\n"));
        for line in page.lines() {
            if let Some(rest) = line.strip_prefix('.') {
                let request = rest.split(' ').next().unwrap_or_default();
                assert!(
                    ["TH", "SH", "SS", "TP", "IP", "nf", "fi", "nh", "ad"].contains(&request),
                    "{line}"
                );
            }
            assert!(!line.starts_with('\''), "{line}");
        }
        assert!(!page.contains("--"), "unescaped hyphens");
    }

    #[test]
    fn roff_escapes() {
        assert_eq!(roff(r"a\b-c"), r"a\eb\-c");
        assert_eq!(roff(".x"), r"\&.x");
        assert_eq!(roff("a…—’"), r"a...\(em'");
        assert_eq!(roff("é"), r"\[u00E9]");
        assert_eq!(roff("'x"), r"\&'x");
        assert_eq!(roff_paragraph("  two\n words "), "two words");
    }
}
