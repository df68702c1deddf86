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
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_and_controls_only() {
        assert_eq!(flatten("a|b\nc\td\0é"), "a/b c d é");
        assert_eq!(flatten(" kept  as is "), " kept  as is ");
    }
}
