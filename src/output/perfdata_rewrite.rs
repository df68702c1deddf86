//! The perfdata rewrites, as `output.pm` applies them: every
//! `--change-perfdata`, then every `--extend-perfdata`, then every
//! `--extend-perfdata-group`, then `--explode-perfdata-max`; each metric is
//! then kept or dropped by `--filter-perfdata` and `--filter-perfdata-adv`,
//! its unit blanked by `--filter-uom`, its ranges shortened by
//! `--range-perfdata`.

pub(crate) mod math;

use regex_lite::Regex;

use super::generic::{Generic, regex};
use super::metric::Metric;
use crate::perl;
use crate::threshold::Range;
use math::Arith;

/// A perfdata method of `--change-perfdata` and its siblings.
#[derive(Clone, Debug)]
enum Method {
    Invert,
    Percent,
    /// `scale(auto)`, or a target such as `MB`, `Mbps`.
    Scale(Option<(String, String)>),
    /// `math(EXPR)`, and whether thresholds follow (`|1`).
    Math(Arith, bool),
    Min(String),
    Max(String),
    Sum(String),
    Average(String),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum RewriteKind {
    Change,
    Extend,
    Group,
}

/// One `--change-perfdata`, `--extend-perfdata` or
/// `--extend-perfdata-group`: `match,newlabel,method(args),unit,min,max,warning,critical`.
#[derive(Clone, Debug)]
pub struct Rewrite {
    kind: RewriteKind,
    matcher: Option<Regex>,
    newlabel: Option<String>,
    method: Option<Method>,
    unit: Option<String>,
    min: Option<String>,
    max: Option<String>,
    warning: Option<String>,
    critical: Option<String>,
}

impl Rewrite {
    fn parse(kind: RewriteKind, option: &str, spec: &str) -> Result<Option<Rewrite>, String> {
        let fields: Vec<&str> = spec.split(',').collect();
        let field = |i: usize| {
            fields
                .get(i)
                .copied()
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
        };
        let pattern = fields.first().copied().unwrap_or_default().to_owned();
        if pattern.is_empty() && kind != RewriteKind::Group {
            return Ok(None);
        }
        let matcher = if pattern.is_empty() {
            None
        } else {
            Some(regex(option, &pattern, false)?)
        };
        let method = match field(2) {
            None => None,
            Some(m) => Some(parse_method(option, spec, &m)?),
        };
        Ok(Some(Rewrite {
            kind,
            matcher,
            newlabel: field(1),
            method,
            unit: field(3),
            min: field(4),
            max: field(5),
            warning: field(6),
            critical: field(7),
        }))
    }
}

fn parse_method(option: &str, spec: &str, m: &str) -> Result<Method, String> {
    let t = m.trim();
    let (name, arg) = t
        .split_once('(')
        .and_then(|(n, rest)| rest.strip_suffix(')').map(|a| (n.trim(), a.trim())))
        .ok_or_else(|| format!("{option} '{spec}': method '{m}' is not name(arguments)"))?;
    let bad = |what: &str| format!("{option} '{spec}': {what}");
    Ok(match name {
        "invert" => Method::Invert,
        "percent" => Method::Percent,
        "scale" => {
            if arg.is_empty() || arg == "auto" {
                Method::Scale(None)
            } else {
                let (prefix, unit) = split_unit(arg)
                    .filter(|(_, u)| ["B", "b", "bps", "Bps", "b/s"].contains(&u.as_str()))
                    .ok_or_else(|| bad(&format!("scale unit '{arg}' is not one of B, b, bps, Bps, b/s with an optional K/M/G/T/P/E prefix")))?;
                Method::Scale(Some((prefix, unit)))
            }
        }
        "math" => {
            let (expr, flag) = arg.split_once('|').unwrap_or((arg, "0"));
            let a =
                Arith::parse(expr).map_err(|e| bad(&format!("math expression '{expr}': {e}")))?;
            Method::Math(a, flag.trim() == "1")
        }
        "min" | "max" | "sum" | "average" => {
            regex(option, arg, false)?;
            match name {
                "min" => Method::Min(arg.to_owned()),
                "max" => Method::Max(arg.to_owned()),
                "sum" => Method::Sum(arg.to_owned()),
                _ => Method::Average(arg.to_owned()),
            }
        }
        "eval" => {
            return Err(bad(
                "eval() runs Perl code upstream and is not supported; use math()",
            ));
        }
        other => {
            return Err(bad(&format!(
                "method '{other}' is unknown (invert, percent, scale, math, min, max, sum, average)"
            )));
        }
    })
}

/// `MB` → (`M`, `B`); `bps` → (``, `bps`).
fn split_unit(u: &str) -> Option<(String, String)> {
    let mut chars = u.chars();
    let first = chars.next()?;
    if "KMGTPEkmgtpe".contains(first) && !chars.as_str().is_empty() {
        Some((first.to_string(), chars.as_str().to_owned()))
    } else {
        Some((String::new(), u.to_owned()))
    }
}

/// `--explode-perfdata-max`: every metric with a max, or named rules.
#[derive(Clone, Debug, Default)]
pub enum Explode {
    #[default]
    Off,
    All,
    Rules(Vec<(Regex, String)>),
}

/// Every `--change-perfdata`, then every `--extend-perfdata`, then every
/// `--extend-perfdata-group`, whatever the command-line order (upstream's
/// `load_perfdata_extend_args`).
pub(super) fn parse_rewrites(
    change: &[&str],
    extend: &[&str],
    group: &[&str],
) -> Result<Vec<Rewrite>, String> {
    let mut all = Vec::new();
    for (kind, option, list) in [
        (RewriteKind::Change, "--change-perfdata", change),
        (RewriteKind::Extend, "--extend-perfdata", extend),
        (RewriteKind::Group, "--extend-perfdata-group", group),
    ] {
        for spec in list {
            all.extend(Rewrite::parse(kind, option, spec)?);
        }
    }
    Ok(all)
}

/// `--explode-perfdata-max` as given: `None` not given, `[]` or a first
/// empty value for every metric with a max, else `match,newlabel` rules.
pub(super) fn parse_explode(values: Option<&[&str]>) -> Result<Explode, String> {
    Ok(match values {
        None => Explode::Off,
        Some(v) if v.first().is_none_or(|f| f.is_empty()) => Explode::All,
        Some(v) => {
            let mut rules = Vec::new();
            for spec in v {
                let (m, label) = spec
                    .split_once(',')
                    .map(|(m, rest)| (m, rest.split(',').next().unwrap_or_default()))
                    .filter(|(m, l)| !m.is_empty() && !l.is_empty())
                    .ok_or_else(|| {
                        format!("Wrong explode-perfdata-max option '{spec}' (syntax: match,value)")
                    })?;
                rules.push((regex("--explode-perfdata-max", m, false)?, label.to_owned()));
            }
            Explode::Rules(rules)
        }
    })
}

/// `--range-perfdata`: not given 0, without a value 1.
pub(super) fn parse_range_perfdata(value: Option<&str>) -> Result<u8, String> {
    match value {
        None => Ok(0),
        Some("") => Ok(1),
        Some(v @ ("0" | "1" | "2")) => Ok(v.parse().unwrap_or(0)),
        Some(v) => Err(format!("Wrong range-perfdata option '{v}'")),
    }
}

impl Generic {
    /// The perfdata after rewriting, exploding, filtering and range
    /// shortening.
    pub fn metrics(&self, metrics: Vec<Metric>, mode: &str) -> Vec<Metric> {
        let mut all = metrics;
        for r in &self.rewrites {
            all = apply_rewrite(r, all);
        }
        all = self.apply_explode(all);
        all.into_iter()
            .filter(|m| {
                self.filter_perfdata
                    .as_ref()
                    .is_none_or(|re| re.is_match(&m.label))
            })
            .filter(|m| {
                self.filter_perfdata_adv
                    .as_ref()
                    .is_none_or(|e| e.eval(&|v| m.var(v, mode)))
            })
            .map(|mut m| {
                if let Some(re) = &self.filter_uom
                    && !re.is_match(&m.unit)
                {
                    m.unit.clear();
                }
                m.warning = range_form(&m.warning, self.range_perfdata);
                m.critical = range_form(&m.critical, self.range_perfdata);
                m
            })
            .collect()
    }

    fn apply_explode(&self, all: Vec<Metric>) -> Vec<Metric> {
        let mut added = Vec::new();
        for m in all.iter().filter(|m| !m.max.is_empty()) {
            let label = match &self.explode {
                Explode::Off => continue,
                Explode::All => format!("{}_max", m.label),
                Explode::Rules(rules) => match rules.iter().find(|(re, _)| re.is_match(&m.label)) {
                    Some((_, l)) => l.clone(),
                    None => continue,
                },
            };
            added.push(Metric {
                label,
                value: m.max.clone(),
                unit: m.unit.clone(),
                ..Metric::default()
            });
        }
        let mut all = all;
        all.extend(added);
        all
    }
}

/// `--range-perfdata`: 1 drops a zero start (`0:5` → `5`), 2 drops the
/// ranges.
fn range_form(r: &str, mode: u8) -> String {
    match mode {
        2 => String::new(),
        1 => {
            let (at, rest) = r.strip_prefix('@').map_or(("", r), |x| ("@", x));
            match rest.split_once(':') {
                Some((start, end))
                    if !start.is_empty()
                        && start
                            .trim_start_matches('-')
                            .chars()
                            .all(|c| c == '0' || c == '.') =>
                {
                    format!("{at}{end}")
                }
                _ => r.to_owned(),
            }
        }
        _ => r.to_owned(),
    }
}

/// A threshold field of a rewrite: each `:`-part becomes its number, or a
/// percentage of max, or empty (signs, `@` and `~` are dropped, as
/// upstream does).
fn threshold_field(field: &str, max: &str) -> String {
    field
        .split(':')
        .map(|part| {
            // /(\d+(?:\.\d+)?)/: digits, then at most one dot and digits.
            let digits: String = part
                .chars()
                .skip_while(|c| !c.is_ascii_digit())
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let mut pieces = digits.split('.');
            let int = pieces.next().unwrap_or_default();
            let num = match pieces.next() {
                Some(frac) if !frac.is_empty() => format!("{int}.{frac}"),
                _ => int.to_owned(),
            };
            if num.is_empty() {
                return String::new();
            }
            if part.contains('%') {
                if max.is_empty() {
                    return String::new();
                }
                return perl::number(perl::to_number(&num) * perl::to_number(max) / 100.0);
            }
            num
        })
        .collect::<Vec<_>>()
        .join(":")
}

fn apply_rewrite(r: &Rewrite, all: Vec<Metric>) -> Vec<Metric> {
    if r.kind == RewriteKind::Group && r.matcher.is_none() {
        let mut m = Metric {
            label: r.newlabel.clone().unwrap_or_default(),
            ..Metric::default()
        };
        let Some(method) = &r.method else { return all };
        if let Some(v) = aggregate(method, &all, None) {
            m.value = v;
        }
        finish(r, &mut m);
        let mut all = all;
        if !m.value.is_empty() {
            all.push(m);
        }
        return all;
    }
    let Some(re) = &r.matcher else { return all };
    let mut out = Vec::with_capacity(all.len());
    let mut added = Vec::new();
    for m in &all {
        if !re.is_match(&m.label) {
            out.push(m.clone());
            continue;
        }
        let mut n = if r.kind == RewriteKind::Group {
            Metric {
                label: m.label.clone(),
                ..Metric::default()
            }
        } else {
            m.clone()
        };
        let captures: Vec<String> = re
            .captures(&m.label)
            .map(|c| {
                c.iter()
                    .map(|g| g.map(|g| g.as_str().to_owned()).unwrap_or_default())
                    .collect()
            })
            .unwrap_or_default();
        if let Some(nl) = &r.newlabel {
            n.label = re
                .replace(&m.label, perl::replacement(nl).as_str())
                .into_owned();
        }
        if let Some(method) = &r.method {
            apply_method(method, &mut n, &all, &captures);
        }
        finish(r, &mut n);
        match r.kind {
            RewriteKind::Change => out.push(n),
            _ => {
                out.push(m.clone());
                if !n.value.is_empty() {
                    added.push(n);
                }
            }
        }
    }
    out.extend(added);
    out
}

/// Unit, min, max and thresholds given in the rewrite override the
/// method's.
fn finish(r: &Rewrite, m: &mut Metric) {
    if let Some(u) = &r.unit {
        m.unit.clone_from(u);
    }
    if let Some(v) = &r.min {
        m.min.clone_from(v);
    }
    if let Some(v) = &r.max {
        m.max.clone_from(v);
    }
    if let Some(w) = &r.warning {
        m.warning = threshold_field(w, &m.max);
    }
    if let Some(c) = &r.critical {
        m.critical = threshold_field(c, &m.max);
    }
}

/// `$1`… in an aggregate's pattern are the captures of the label match.
fn with_captures(re: &str, captures: &[String]) -> String {
    let mut out = re.to_owned();
    for (i, c) in captures.iter().enumerate().skip(1).rev() {
        out = out.replace(&format!("${i}"), &regex_lite::escape(c));
    }
    out
}

fn aggregate(method: &Method, all: &[Metric], captures: Option<&[String]>) -> Option<String> {
    let (re, kind) = match method {
        Method::Min(re) => (re, 0),
        Method::Max(re) => (re, 1),
        Method::Sum(re) => (re, 2),
        Method::Average(re) => (re, 3),
        _ => return None,
    };
    let pattern = captures.map_or_else(|| re.clone(), |c| with_captures(re, c));
    let re = Regex::new(&pattern).ok()?;
    let picked: Vec<&Metric> = all
        .iter()
        .filter(|m| re.is_match(&m.label) && perl::has_digit(&m.value))
        .collect();
    if picked.is_empty() {
        return None;
    }
    let num = |m: &&Metric| perl::to_number(&m.value);
    Some(match kind {
        0 => picked
            .iter()
            .min_by(|a, b| num(a).total_cmp(&num(b)))
            .map(|m| m.value.clone())
            .unwrap_or_default(),
        1 => picked
            .iter()
            .max_by(|a, b| num(a).total_cmp(&num(b)))
            .map(|m| m.value.clone())
            .unwrap_or_default(),
        2 => perl::number(picked.iter().map(num).sum()),
        _ => perl::fixed2(picked.iter().map(num).sum::<f64>() / picked.len() as f64),
    })
}

fn map_range(r: &str, f: &dyn Fn(f64) -> String, swap_with_max: Option<f64>) -> String {
    let Some(range) = Range::parse(r) else {
        return r.to_owned();
    };
    let (mut start, mut end) = (range.start, range.end);
    if let Some(max) = swap_with_max {
        let (s, e) = (max - end, max - start);
        start = s;
        end = e;
    }
    let at = if range.inside { "@" } else { "" };
    let s = if start == f64::NEG_INFINITY {
        "~".to_owned()
    } else if start.is_finite() {
        f(start)
    } else {
        String::new()
    };
    let e = if end.is_finite() {
        f(end)
    } else {
        String::new()
    };
    format!("{at}{s}:{e}")
}

fn apply_method(method: &Method, m: &mut Metric, all: &[Metric], captures: &[String]) {
    let value = perl::to_number(&m.value);
    match method {
        Method::Invert => {
            if m.max.is_empty() {
                return;
            }
            let max = perl::to_number(&m.max);
            m.value = perl::number(max - value);
            m.warning = map_range(&m.warning, &perl::number, Some(max));
            m.critical = map_range(&m.critical, &perl::number, Some(max));
        }
        Method::Percent => {
            if m.max.is_empty() {
                return;
            }
            let max = perl::to_number(&m.max);
            let pct = |v: f64| perl::fixed2(v * 100.0 / max);
            m.value = perl::fixed2(value * 100.0 / max);
            m.unit = "%".into();
            m.warning = map_range(&m.warning, &pct, None);
            m.critical = map_range(&m.critical, &pct, None);
            m.max = "100".into();
        }
        Method::Scale(target) => {
            let Some((src_prefix, src_unit)) = split_unit(&m.unit)
                .filter(|(_, u)| ["B", "b", "bps", "Bps", "b/s"].contains(&u.as_str()))
            else {
                return;
            };
            // No prefix is 10^0: `find("")` would say position 0, i.e. k.
            let expo = |p: &str| {
                if p.is_empty() {
                    return 0;
                }
                "kmgtpe"
                    .find(&p.to_ascii_lowercase())
                    .map_or(0, |i| i as i32 + 1)
            };
            let (dst_prefix, dst_unit, auto) = match target {
                Some((p, u)) => (p.clone(), u.clone(), false),
                None => (String::new(), src_unit.clone(), true),
            };
            let bits_dst = dst_unit.contains('b');
            let mut factor = 1.0;
            if bits_dst && src_unit.contains('B') {
                factor = 8.0;
            } else if dst_unit.contains('B') && src_unit.contains('b') && !src_unit.contains('B') {
                factor = 1.0 / 8.0;
            }
            let base: f64 = if auto || !bits_dst { 1024.0 } else { 1000.0 };
            let src_e = expo(&src_prefix);
            let (dst_e, prefix) = if auto {
                let mut e = src_e;
                let mut v = value * factor;
                while v >= base && e < 6 {
                    v /= base;
                    e += 1;
                }
                let p = if e == 0 {
                    String::new()
                } else {
                    "kmgtpe"
                        .chars()
                        .nth((e - 1) as usize)
                        .map(String::from)
                        .unwrap_or_default()
                };
                (e, p)
            } else {
                (expo(&dst_prefix), dst_prefix)
            };
            let scale = |v: f64| v * factor * base.powi(src_e - dst_e);
            m.value = perl::fixed2(scale(value));
            m.unit = format!("{prefix}{dst_unit}");
            // Max and thresholds follow the fixed-target rules, where bits
            // go by 1000 (upstream's scale_bytesbit).
            let fixed_base: f64 = if bits_dst { 1000.0 } else { 1024.0 };
            if !m.max.is_empty() {
                m.max =
                    perl::fixed2(perl::to_number(&m.max) * factor * fixed_base.powi(src_e - dst_e));
            }
            let thr = |v: f64| perl::number(v * factor * fixed_base.powi(src_e - dst_e));
            m.warning = map_range(&m.warning, &thr, None);
            m.critical = map_range(&m.critical, &thr, None);
        }
        Method::Math(expr, thresholds) => {
            let v = expr.eval(value);
            // Upstream's eval dies on a division by zero: the value stays.
            if !v.is_finite() {
                return;
            }
            m.value = perl::number(v);
            if *thresholds {
                let f = |v: f64| perl::number(expr.eval(v));
                m.warning = map_range(&m.warning, &f, None);
                m.critical = map_range(&m.critical, &f, None);
                m.max = "100".into();
            }
        }
        agg => {
            if let Some(v) = aggregate(agg, all, Some(captures)) {
                m.value = v;
            }
        }
    }
}

#[cfg(test)]
mod tests;
