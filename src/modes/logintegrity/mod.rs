//! `logintegrity`: are the trail's log files the ones CloudTrail wrote?
//! CloudTrail signs an hourly digest of each region's log files (log
//! file validation), each digest chained to the one before. This mode
//! walks that chain over a window as `aws cloudtrail validate-logs`
//! does ([`walk`]), verifying every signature and, with
//! `--verify-logs=hash`, every log file's SHA-256, and alerts on what a
//! tamperer leaves: invalid or missing digests and log files, chain
//! breaks, and a newest valid digest that is too old (the newest digest
//! deleted, or delivery stopped).

pub mod digest;
pub mod walk;

use crate::output::{Entry, Outcome};
use crate::perfdata::Perfdata;
use crate::status::State;
use crate::threshold::{Range, Thresholds};
use walk::{DigestProblem, LogProblem, Report};

/// `o-` and 10 to 32 lower-case letters or digits (Organizations' pattern).
pub fn valid_organization_id(o: &str) -> bool {
    o.strip_prefix("o-").is_some_and(|rest| {
        (10..=32).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// How much of each log file to check.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum VerifyLogs {
    /// Read, inflate and hash it, as the aws CLI does.
    #[default]
    Hash,
    /// Only that it is there (HeadObject): cheaper, catches deletion.
    Exists,
    /// Digests only: no `logs_*` metrics.
    None,
}

/// `--verify-logs`' values.
const VERIFY_LOGS: [(&str, VerifyLogs); 3] = [
    ("hash", VerifyLogs::Hash),
    ("exists", VerifyLogs::Exists),
    ("none", VerifyLogs::None),
];

impl VerifyLogs {
    pub fn parse(s: &str) -> Option<VerifyLogs> {
        VERIFY_LOGS.iter().find(|(n, _)| *n == s).map(|(_, v)| *v)
    }

    /// As `--verify-logs` spells it.
    pub fn name(self) -> &'static str {
        VERIFY_LOGS
            .iter()
            .find(|(_, v)| *v == self)
            .map_or("hash", |(n, _)| n)
    }

    /// What [`walk::walk`] takes: `Some(hash?)`, `None` for no log reads.
    pub fn hash(self) -> Option<bool> {
        match self {
            VerifyLogs::Hash => Some(true),
            VerifyLogs::Exists => Some(false),
            VerifyLogs::None => None,
        }
    }
}

/// `--verify-logs` and the thresholds of every metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub verify_logs: VerifyLogs,
    pub digests_valid: Thresholds,
    pub digests_invalid: Thresholds,
    pub digests_missing: Thresholds,
    pub logs_valid: Thresholds,
    pub logs_invalid: Thresholds,
    pub logs_missing: Thresholds,
    pub chain_breaks: Thresholds,
    pub digest_age: Thresholds,
    pub accounts_total: Thresholds,
    pub accounts_failing: Thresholds,
}

fn over(warning: Option<&str>, critical: Option<&str>) -> Thresholds {
    Thresholds {
        warning: warning.and_then(Range::parse),
        critical: critical.and_then(Range::parse),
    }
}

impl Default for Options {
    /// Any invalid or missing file is tampering or loss: CRITICAL. A
    /// chain break also follows a legitimate stop and restart of logging
    /// or of validation: WARNING. Digests come hourly, so two hours
    /// without one is late and six is an outage or a deletion.
    fn default() -> Self {
        Options {
            verify_logs: VerifyLogs::Hash,
            digests_valid: Thresholds::default(),
            digests_invalid: over(None, Some("0")),
            digests_missing: over(None, Some("0")),
            logs_valid: Thresholds::default(),
            logs_invalid: over(None, Some("0")),
            logs_missing: over(None, Some("0")),
            chain_breaks: over(Some("0"), None),
            digest_age: over(Some("7200"), Some("21600")),
            accounts_total: Thresholds::default(),
            accounts_failing: Thresholds::default(),
        }
    }
}

/// One metric with ranges: its perfdata label, which is also the
/// `--warning-<label>`/`--critical-<label>` suffix, where its ranges sit
/// in [`Options`], and what `--help` says of it.
pub struct Metric {
    pub label: &'static str,
    pub thresholds: fn(&mut Options) -> &mut Thresholds,
    pub help: &'static str,
}

/// Every metric, in the order the options are listed.
pub const METRICS: [Metric; 10] = [
    Metric {
        label: "digests_valid",
        thresholds: |o| &mut o.digests_valid,
        help: "Digest files whose signature verifies, backfill included (no default).",
    },
    Metric {
        label: "digests_invalid",
        thresholds: |o| &mut o.digests_invalid,
        help: "Digest files that fail verification, moved, or signed by an unknown key \
               (default critical: 0).",
    },
    Metric {
        label: "digests_missing",
        thresholds: |o| &mut o.digests_missing,
        help: "Digest files the chain links to that are gone (default critical: 0).",
    },
    Metric {
        label: "logs_valid",
        thresholds: |o| &mut o.logs_valid,
        help: "Log files matching their digest (no default).",
    },
    Metric {
        label: "logs_invalid",
        thresholds: |o| &mut o.logs_invalid,
        help: "Log files whose hash or format does not match (default critical: 0).",
    },
    Metric {
        label: "logs_missing",
        thresholds: |o| &mut o.logs_missing,
        help: "Log files a valid digest lists that are gone (default critical: 0).",
    },
    Metric {
        label: "chain_breaks",
        thresholds: |o| &mut o.chain_breaks,
        help: "Digests starting a new chain inside the window (default warning: 0).",
    },
    Metric {
        label: "digest_age",
        thresholds: |o| &mut o.digest_age,
        help: "Seconds since the end of the newest valid digest (default: 7200 and 21600).",
    },
    Metric {
        label: "accounts_total",
        thresholds: |o| &mut o.accounts_total,
        help: "With --all-accounts: member accounts checked (no default).",
    },
    Metric {
        label: "accounts_failing",
        thresholds: |o| &mut o.accounts_failing,
        help: "With --all-accounts: accounts whose own check is not OK (no default: each \
               account's problems already set the state).",
    },
];

/// Totals of a [`Report`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Totals {
    pub digests_valid: u64,
    pub digests_invalid: u64,
    pub digests_missing: u64,
    pub logs_valid: u64,
    pub logs_invalid: u64,
    pub logs_missing: u64,
    pub chain_breaks: u64,
    /// End of the newest valid digest.
    pub newest_valid_end: Option<i64>,
}

impl Totals {
    /// Unreadable files are neither: they say nothing of the chain, and
    /// are reported UNKNOWN apart.
    pub fn of(r: &Report) -> Totals {
        let mut t = Totals {
            chain_breaks: r.gaps.len() as u64,
            ..Totals::default()
        };
        for d in &r.digests {
            match &d.result {
                Ok((_, end)) => {
                    t.digests_valid += 1;
                    t.newest_valid_end = t.newest_valid_end.max(Some(*end));
                }
                Err(DigestProblem::NotFound) => t.digests_missing += 1,
                Err(DigestProblem::Unreadable(_)) => {}
                Err(_) => t.digests_invalid += 1,
            }
        }
        for l in &r.logs {
            match &l.result {
                Ok(()) => t.logs_valid += 1,
                Err(LogProblem::NotFound) => t.logs_missing += 1,
                Err(LogProblem::Unreadable(_)) => {}
                Err(_) => t.logs_invalid += 1,
            }
        }
        t
    }
}

fn url(bucket: &str, key: &str) -> String {
    format!("s3://{bucket}/{key}")
}

/// The check of one trail's region: `trail` names it in messages,
/// `validation` is its `LogFileValidationEnabled`, `report` what
/// [`walk::walk`] found, `now` epoch seconds.
pub fn evaluate(
    opts: &Options,
    trail: &str,
    validation: bool,
    report: &Report,
    now: i64,
) -> Outcome {
    if !validation {
        return Outcome::single(
            State::Critical,
            format!("log file validation is off on trail {trail}: no digest to verify"),
        );
    }
    let mut out = Outcome::default();
    let t = Totals::of(report);
    let mut metric = |label: &str, th: &Thresholds, v: u64| {
        let state = th.evaluate(v as f64);
        out.perfdata.push(Perfdata {
            warning: th.warning,
            critical: th.critical,
            min: Some(0.0),
            ..Perfdata::new(label, v as f64)
        });
        state
    };
    let digest_state = metric("digests_valid", &opts.digests_valid, t.digests_valid)
        .worst(metric(
            "digests_invalid",
            &opts.digests_invalid,
            t.digests_invalid,
        ))
        .worst(metric(
            "digests_missing",
            &opts.digests_missing,
            t.digests_missing,
        ));
    let log_state = (opts.verify_logs != VerifyLogs::None).then(|| {
        metric("logs_valid", &opts.logs_valid, t.logs_valid)
            .worst(metric("logs_invalid", &opts.logs_invalid, t.logs_invalid))
            .worst(metric("logs_missing", &opts.logs_missing, t.logs_missing))
    });
    let breaks_state = metric("chain_breaks", &opts.chain_breaks, t.chain_breaks);
    out.entries.push(Entry {
        state: digest_state,
        text: format!(
            "digest files: {} valid, {} invalid, {} missing",
            t.digests_valid, t.digests_invalid, t.digests_missing
        ),
    });
    if let Some(state) = log_state {
        out.entries.push(Entry {
            state,
            text: format!(
                "log files: {} valid, {} invalid, {} missing",
                t.logs_valid, t.logs_invalid, t.logs_missing
            ),
        });
    }
    out.entries.push(Entry {
        state: breaks_state,
        text: format!("chain breaks: {}", t.chain_breaks),
    });
    age(&mut out, &opts.digest_age, stalest(report, &t), now);
    problems(&mut out, report);
    partial(&mut out, report);
    out
}

/// One member account's check, for `--all-accounts`.
pub struct AccountCheck {
    pub account: String,
    /// Its own check (as a run with `--account-id` would answer), or why
    /// it has none (no folder, no digest, unreadable).
    pub outcome: Outcome,
    /// The outcome is the account's own problem (no folder, unreadable),
    /// which the summed counts cannot show: it goes on the status line.
    pub own_problem: bool,
}

/// `--all-accounts`: the organization's totals judged as one check (the
/// report sums every account's; `digest_age` is the stalest account's
/// stalest region), plus `accounts_total` and `accounts_failing`, and
/// one long line per account whose own check is not OK.
pub fn evaluate_accounts(
    opts: &Options,
    trail: &str,
    total: &Report,
    accounts: &[AccountCheck],
    now: i64,
) -> Outcome {
    let mut out = evaluate(opts, trail, true, total, now);
    let failing: Vec<&AccountCheck> = accounts
        .iter()
        .filter(|a| a.outcome.state() != State::Ok)
        .collect();
    for a in failing.iter().filter(|a| a.own_problem) {
        out.entries.extend(a.outcome.entries.iter().map(|e| Entry {
            state: e.state,
            text: format!("account {}: {}", a.account, e.text),
        }));
    }
    let mut state = State::Ok;
    for (label, th, v) in [
        ("accounts_total", &opts.accounts_total, accounts.len()),
        ("accounts_failing", &opts.accounts_failing, failing.len()),
    ] {
        let v = v as f64;
        state = state.worst(th.evaluate(v));
        // None after a partial read, as the other metrics.
        if !out.perfdata.is_empty() {
            out.perfdata.push(Perfdata {
                warning: th.warning,
                critical: th.critical,
                min: Some(0.0),
                ..Perfdata::new(label, v)
            });
        }
    }
    out.entries.insert(
        0,
        Entry {
            state,
            text: format!(
                "accounts: {} checked, {} failing",
                accounts.len(),
                failing.len()
            ),
        },
    );
    let lines: Vec<String> = failing
        .iter()
        .map(|a| {
            let problems: Vec<&str> = a
                .outcome
                .entries
                .iter()
                .filter(|e| e.state != State::Ok)
                .map(|e| e.text.as_str())
                .collect();
            format!(
                "account {}: {}: {}",
                a.account,
                a.outcome.state().label(),
                problems.join(" - ")
            )
        })
        .collect();
    out.long.splice(0..0, lines);
    out
}

/// The region whose newest valid digest is the oldest (a region without
/// any first), and how many regions there are; the report's total when
/// the run layer gave no region.
fn stalest<'a>(r: &'a Report, t: &Totals) -> (Option<i64>, Option<&'a str>, usize) {
    let worst = r
        .newest
        .iter()
        .min_by_key(|(name, end)| (end.map_or(i64::MIN, |e| e), name.as_str()));
    match worst {
        Some((name, end)) => (*end, Some(name.as_str()), r.newest.len()),
        None => (t.newest_valid_end, None, 1),
    }
}

/// A walk cut short by the time limit: never OK, and no perfdata (the
/// counts would describe part of the window).
fn partial(out: &mut Outcome, r: &Report) {
    if r.left == 0 && r.logs_left == 0 && r.regions_left == 0 && r.accounts_left == 0 {
        return;
    }
    let back_to = r
        .digests
        .iter()
        .filter_map(|d| d.result.as_ref().ok().map(|(start, _)| *start))
        .min()
        .map_or(String::new(), |t| {
            format!("verified back to {}, ", crate::time::iso8601(t))
        });
    let mut left = vec![format!("{} digest files", r.left)];
    if r.logs_left > 0 {
        left.push(format!("{} log files", r.logs_left));
    }
    if r.regions_left > 0 {
        left.push(format!("{} source regions", r.regions_left));
    }
    if r.accounts_left > 0 {
        left.push(format!("{} accounts", r.accounts_left));
    }
    out.entries.push(Entry {
        state: State::Unknown,
        text: format!(
            "partial read: {back_to}{} left when the time ran out (the state directory keeps \
             what was verified: the next run goes on; or raise --timeout)",
            left.join(" and ")
        ),
    });
    out.perfdata.clear();
}

/// `digest_age`: none valid counts as infinitely old, with no metric.
fn age(
    out: &mut Outcome,
    th: &Thresholds,
    (newest, region, regions): (Option<i64>, Option<&str>, usize),
    now: i64,
) {
    let age = newest.map_or(f64::INFINITY, |e| now.saturating_sub(e).max(0) as f64);
    let where_ = match region {
        Some(r) if regions > 1 => format!(" in {r}, the stalest of {regions} source regions"),
        _ => String::new(),
    };
    let text = match newest {
        Some(e) => format!(
            "newest valid digest ended {} ago{where_}",
            crate::time::human_duration(now.saturating_sub(e).max(0))
        ),
        None => format!("no valid digest in the window{where_}"),
    };
    out.entries.push(Entry {
        state: th.evaluate(age),
        text,
    });
    if age.is_finite() {
        out.perfdata.push(Perfdata {
            unit: "s".into(),
            warning: th.warning,
            critical: th.critical,
            min: Some(0.0),
            ..Perfdata::new("digest_age", age)
        });
    }
}

/// Each problem as a long line in the aws CLI's words; each unreadable
/// file also as an UNKNOWN entry (a permission, not the chain, is wrong).
fn problems(out: &mut Outcome, r: &Report) {
    for d in &r.digests {
        let Err(p) = &d.result else { continue };
        let kind = if d.backfill {
            "(backfill) digest"
        } else {
            "digest"
        };
        let where_ = url(&d.bucket, &d.key);
        if let DigestProblem::Unreadable(why) = p {
            out.entries.push(Entry {
                state: State::Unknown,
                text: format!("cannot read {kind} file {where_}: {why}"),
            });
        }
        out.long.push(format!("{kind} file {where_} {}", p.text()));
    }
    for l in &r.logs {
        let Err(p) = &l.result else { continue };
        let where_ = url(&l.bucket, &l.key);
        if let LogProblem::Unreadable(why) = p {
            out.entries.push(Entry {
                state: State::Unknown,
                text: format!("cannot read log file {where_}: {why}"),
            });
        }
        out.long.push(format!("log file {where_} {}", p.text()));
    }
    for g in &r.gaps {
        out.long.push(format!(
            "{}No log files were delivered by CloudTrail between {} and {}",
            if g.backfill { "(backfill) " } else { "" },
            crate::time::iso8601(g.older_end),
            crate::time::iso8601(g.newer_start)
        ));
    }
}

#[cfg(test)]
mod tests;
