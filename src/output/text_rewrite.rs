//! The text rewrites: `--change-short-output`, `--change-output-adv` on
//! the status line and `--change-long-output` on the long lines, as
//! `output.pm`'s `output_txt_short` and `change_long_output` apply them.

use regex_lite::{Regex, RegexBuilder};

use super::generic::Generic;
use crate::expr::Expr;
use crate::perl;
use crate::status::State;

/// `--change-short-output` / `--change-long-output`:
/// `pattern~replacement~modifier`.
#[derive(Clone, Debug)]
pub struct Subst {
    re: Regex,
    replacement: String,
    global: bool,
}

impl Subst {
    pub fn parse(option: &str, spec: &str) -> Result<Subst, String> {
        let mut parts = spec.split('~');
        let pattern = parts.next().unwrap_or_default();
        let replacement = parts.next().unwrap_or_default();
        let modifiers = parts.next().unwrap_or_default();
        let mut b = RegexBuilder::new(pattern);
        let mut global = false;
        for m in modifiers.chars() {
            if m == 'g' {
                global = true;
            } else if !perl::regex_flag(&mut b, m) {
                return Err(format!(
                    "{option} '{spec}': modifier '{m}' is not supported (g, i, m, s, x)"
                ));
            }
        }
        let re = b.build().map_err(|e| {
            format!(
                "{option} '{spec}': '{pattern}' is not a supported regular expression: {}",
                e.to_string().lines().last().unwrap_or("invalid")
            )
        })?;
        Ok(Subst {
            re,
            replacement: perl::replacement(replacement),
            global,
        })
    }

    pub fn apply(&self, text: &str) -> String {
        if self.global {
            self.re
                .replace_all(text, self.replacement.as_str())
                .into_owned()
        } else {
            self.re
                .replace(text, self.replacement.as_str())
                .into_owned()
        }
    }
}

/// `--change-output-adv=condition,short output,exit`.
#[derive(Clone, Debug)]
pub struct Adv {
    cond: Expr,
    text: Option<String>,
    exit: Option<State>,
}

impl Adv {
    pub fn parse(spec: &str) -> Result<Option<Adv>, String> {
        let mut parts = spec.split(',');
        let cond = parts.next().unwrap_or_default();
        if cond.trim().is_empty() {
            return Ok(None);
        }
        let text = parts.next().filter(|t| !t.is_empty()).map(str::to_owned);
        let exit = match parts.next().filter(|e| !e.is_empty()) {
            None => None,
            Some(e) => Some(State::parse(e).ok_or_else(|| {
                format!("--change-output-adv '{spec}': exit '{e}' is not ok, warning, critical or unknown")
            })?),
        };
        let cond = Expr::parse_with(cond, &["short_output", "exit_code"])
            .map_err(|e| format!("--change-output-adv '{spec}': {e}"))?;
        Ok(Some(Adv { cond, text, exit }))
    }
}

impl Generic {
    /// `--change-short-output` then `--change-output-adv` on the short
    /// line (labels and trailing space included). Returns the line and
    /// the exit an adv rule set, if any.
    pub fn short_output(&self, line: &str, state: State) -> (String, Option<State>) {
        let mut out = line.to_owned();
        for s in &self.change_short {
            out = s.apply(&out);
        }
        let mut exit = None;
        let original = out.clone();
        for a in &self.change_adv {
            let code = state.exit_code().to_string();
            let hit = a.cond.eval(&|v| match v {
                "short_output" => Some(original.clone()),
                "exit_code" => Some(code.clone()),
                _ => None,
            });
            if hit {
                if let Some(t) = &a.text {
                    out.clone_from(t);
                }
                if a.exit.is_some() {
                    exit = a.exit;
                }
            }
        }
        (out, exit)
    }

    pub fn long_output(&self, lines: &[String]) -> Vec<String> {
        if self.change_long.is_empty() {
            return lines.to_vec();
        }
        let mut text = lines.join("\n");
        for s in &self.change_long {
            text = s.apply(&text);
        }
        let mut out: Vec<String> = text.split('\n').map(str::to_owned).collect();
        while out.last().is_some_and(String::is_empty) {
            out.pop();
        }
        out
    }
}

#[cfg(test)]
mod tests;
