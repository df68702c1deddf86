//! `trailsecurity`: is the trail configured the way the benchmarks want?
//! Each check is a `true`/`false` variable for the status expressions
//! (`--warning-status`, `--critical-status`, as Centreon's modes have),
//! mapped to its CIS AWS Foundations and Security Hub control. Freshness
//! of deliveries is `traildelivery`'s job, not this mode's.

use crate::aws::cloudtrail::{Trail, TrailStatus};
use crate::expr::Expr;
use crate::output::{Entry, Outcome};
use crate::perfdata::Perfdata;
use crate::status::State;

/// A configuration check: variable name, what fails, controls.
pub struct Check {
    pub name: &'static str,
    pub failure: &'static str,
    pub controls: &'static str,
}

pub const CHECKS: [Check; 7] = [
    Check {
        name: "logging",
        failure: "not logging",
        controls: "Security Hub CloudTrail.3",
    },
    Check {
        name: "multi_region",
        failure: "not multi-region",
        controls: "CIS 3.1, Security Hub CloudTrail.1",
    },
    Check {
        name: "management_events",
        failure: "does not record every read and write management event",
        controls: "CIS 3.1, Security Hub CloudTrail.1",
    },
    Check {
        name: "global_service_events",
        failure: "does not include global service events",
        controls: "CIS 3.1",
    },
    Check {
        name: "log_file_validation",
        failure: "log file validation off",
        controls: "CIS 3.2, Security Hub CloudTrail.4",
    },
    Check {
        name: "kms_encryption",
        failure: "logs not encrypted with KMS",
        controls: "CIS 3.7, Security Hub CloudTrail.2",
    },
    Check {
        name: "cloudwatch_logs",
        failure: "not sent to CloudWatch Logs",
        controls: "CIS 3.4, Security Hub CloudTrail.5",
    },
];

/// The variables the status expressions may use.
pub fn variables() -> Vec<&'static str> {
    let mut v: Vec<&str> = CHECKS.iter().map(|c| c.name).collect();
    v.push("name");
    v
}

pub const DEFAULT_CRITICAL: &str = "%{logging} eq \"false\" or %{multi_region} eq \"false\" \
                                    or %{management_events} eq \"false\"";
pub const DEFAULT_WARNING: &str = "%{log_file_validation} eq \"false\" or %{kms_encryption} eq \
                                   \"false\" or %{cloudwatch_logs} eq \"false\" or \
                                   %{global_service_events} eq \"false\"";

#[derive(Clone, Debug)]
pub struct Options {
    pub warning: Option<Expr>,
    pub critical: Option<Expr>,
    /// `--filter-check`: only the checks whose name matches.
    pub filter: Option<regex_lite::Regex>,
}

/// The facts of one trail, by check name.
pub fn facts(trail: &Trail, status: &TrailStatus, management: bool) -> Vec<(&'static str, bool)> {
    vec![
        ("logging", status.is_logging),
        ("multi_region", trail.is_multi_region),
        ("management_events", management),
        ("global_service_events", trail.include_global_service_events),
        ("log_file_validation", trail.log_file_validation),
        ("kms_encryption", trail.kms_key_id.is_some()),
        ("cloudwatch_logs", trail.cloudwatch_logs_log_group.is_some()),
    ]
}

pub fn evaluate(opts: &Options, trail: &Trail, facts: &[(&'static str, bool)]) -> Outcome {
    let selected: Vec<(&Check, bool)> = CHECKS
        .iter()
        .filter(|c| opts.filter.as_ref().is_none_or(|re| re.is_match(c.name)))
        .filter_map(|c| {
            facts
                .iter()
                .find(|(n, _)| *n == c.name)
                .map(|(_, v)| (c, *v))
        })
        .collect();
    // A check left out by --filter-check reads as passing.
    let var = |name: &str| -> Option<String> {
        if name == "name" {
            return Some(trail.name.clone());
        }
        let known = CHECKS.iter().any(|c| c.name == name);
        let value = selected
            .iter()
            .find(|(c, _)| c.name == name)
            .map(|(_, v)| *v);
        known.then(|| value.unwrap_or(true).to_string())
    };
    let state = if opts.critical.as_ref().is_some_and(|e| e.eval(&var)) {
        State::Critical
    } else if opts.warning.as_ref().is_some_and(|e| e.eval(&var)) {
        State::Warning
    } else {
        State::Ok
    };
    let failing: Vec<&(&Check, bool)> = selected.iter().filter(|(_, v)| !v).collect();
    let mut out = Outcome::default();
    let text = if failing.is_empty() {
        format!(
            "Trail {}: all {} security checks pass",
            trail.name,
            selected.len()
        )
    } else {
        format!(
            "Trail {}: {}",
            trail.name,
            failing
                .iter()
                .map(|(c, _)| c.failure)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    out.entries.push(Entry { state, text });
    for (c, v) in &selected {
        out.long.push(format!(
            "{}: {} ({})",
            c.name,
            if *v { "ok" } else { c.failure },
            c.controls
        ));
        out.perfdata.push(Perfdata {
            min: Some(0.0),
            max: Some(1.0),
            ..Perfdata::new(c.name, f64::from(u8::from(*v)))
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::text;

    fn opts() -> Options {
        Options {
            warning: Expr::parse_with(DEFAULT_WARNING, &variables()).ok(),
            critical: Expr::parse_with(DEFAULT_CRITICAL, &variables()).ok(),
            filter: None,
        }
    }

    fn trail(good: bool) -> Trail {
        Trail {
            name: "main".into(),
            is_multi_region: true,
            log_file_validation: good,
            cloudwatch_logs_log_group: good.then(|| "arn:aws:logs:x".into()),
            kms_key_id: good.then(|| "arn:aws:kms:x".into()),
            include_global_service_events: true,
            ..Trail::default()
        }
    }

    fn status(logging: bool) -> TrailStatus {
        TrailStatus {
            is_logging: logging,
            ..TrailStatus::default()
        }
    }

    #[test]
    fn a_good_trail_passes_every_check() {
        let t = trail(true);
        let o = evaluate(&opts(), &t, &facts(&t, &status(true), true));
        assert_eq!(
            text(&o, false),
            "OK: Trail main: all 7 security checks pass | 'logging'=1;;;0;1 'multi_region'=1;;;0;1 \
             'management_events'=1;;;0;1 'global_service_events'=1;;;0;1 \
             'log_file_validation'=1;;;0;1 'kms_encryption'=1;;;0;1 'cloudwatch_logs'=1;;;0;1\n"
        );
    }

    #[test]
    fn defaults_warn_on_hardening_and_go_critical_on_coverage() {
        let t = trail(false);
        let o = evaluate(&opts(), &t, &facts(&t, &status(true), true));
        assert_eq!(o.state(), State::Warning);
        assert!(o.entries[0].text.contains(
            "log file validation off, logs not encrypted with KMS, not sent to CloudWatch Logs"
        ));
        let o = evaluate(&opts(), &t, &facts(&t, &status(true), false));
        assert_eq!(o.state(), State::Critical);
        let single = Trail {
            is_multi_region: false,
            ..trail(true)
        };
        assert_eq!(
            evaluate(&opts(), &single, &facts(&single, &status(true), true)).state(),
            State::Critical
        );
        assert!(
            evaluate(&opts(), &single, &facts(&single, &status(true), true)).long.iter().any(|l| l == "multi_region: not multi-region (CIS 3.1, Security Hub CloudTrail.1)")
        );
    }

    #[test]
    fn expressions_and_filters_are_the_users() {
        let t = trail(false);
        let custom = Options {
            warning: None,
            critical: Expr::parse_with("%{kms_encryption} eq \"false\"", &variables()).ok(),
            filter: regex_lite::Regex::new("^kms").ok(),
        };
        let o = evaluate(&custom, &t, &facts(&t, &status(false), false));
        assert_eq!(o.state(), State::Critical);
        assert_eq!(o.perfdata.len(), 1);
        // Checks left out read as passing, so they never trigger.
        let only_logging = Options {
            filter: regex_lite::Regex::new("^log_file").ok(),
            ..opts()
        };
        assert_eq!(
            evaluate(&only_logging, &t, &facts(&t, &status(false), false)).state(),
            State::Warning
        );
    }
}
