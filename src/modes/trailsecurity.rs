//! `trailsecurity`: is the trail configured the way the benchmarks want?
//! Each check is a `true`/`false` variable for the status expressions
//! (`--warning-status`, `--critical-status`, as Centreon's modes have),
//! mapped to its CIS AWS Foundations and Security Hub control, or to what
//! it defends against when no benchmark has one. Freshness of deliveries
//! is `traildelivery`'s job, not this mode's.

use crate::aws::cloudtrail::{Trail, TrailStatus};
use crate::aws::selectors::{DataEvents, EventSelectors};
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

pub const CHECKS: [Check; 9] = [
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
    Check {
        name: "insights",
        failure: "Insights not on for both API call and error rates",
        controls: "no benchmark control; unusual API call and error volumes: credential abuse, \
                   enumeration",
    },
    Check {
        name: "data_events",
        failure: "does not record the read and write data events required",
        controls: "Stratus Red Team aws.defense-evasion.cloudtrail-event-selectors",
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
/// What `--require-data-events` adds to the default `--critical-status`.
pub const DATA_EVENTS_CRITICAL: &str = " or %{data_events} eq \"false\"";
pub const DEFAULT_WARNING: &str = "%{log_file_validation} eq \"false\" or %{kms_encryption} eq \
                                   \"false\" or %{cloudwatch_logs} eq \"false\" or \
                                   %{global_service_events} eq \"false\"";

#[derive(Clone, Debug)]
pub struct Options {
    pub warning: Option<Expr>,
    pub critical: Option<Expr>,
    /// `--filter-check`: only the checks whose name matches.
    pub filter: Option<regex_lite::Regex>,
    /// `--require-data-events`: none, no `data_events` check.
    pub data_events: Vec<DataEvents>,
}

impl Options {
    /// Whether `--filter-check` keeps the check (a check left out needs
    /// no call).
    pub fn selects(&self, check: &str) -> bool {
        self.filter.as_ref().is_none_or(|re| re.is_match(check))
    }
}

/// One check's result; `failure` says more than the table's text when
/// it can.
#[derive(Clone, Debug, PartialEq)]
pub struct Fact {
    pub name: &'static str,
    pub ok: bool,
    pub failure: Option<String>,
}

fn fact(name: &'static str, ok: bool) -> Fact {
    Fact {
        name,
        ok,
        failure: None,
    }
}

/// The facts of one trail. `insights` is `None` when it was not asked
/// (left out by `--filter-check`); `data_events` is a fact only with
/// `--require-data-events`.
pub fn facts(
    opts: &Options,
    (trail, status): (&Trail, &TrailStatus),
    selectors: &EventSelectors,
    insights: Option<bool>,
) -> Vec<Fact> {
    let mut f = vec![
        fact("logging", status.is_logging),
        fact("multi_region", trail.is_multi_region),
        fact("management_events", selectors.all_management()),
        fact("global_service_events", trail.include_global_service_events),
        fact("log_file_validation", trail.log_file_validation),
        fact("kms_encryption", trail.kms_key_id.is_some()),
        fact("cloudwatch_logs", trail.cloudwatch_logs_log_group.is_some()),
    ];
    if let Some(on) = insights {
        f.push(fact("insights", on));
    }
    if !opts.data_events.is_empty() {
        let missing: Vec<String> = opts
            .data_events
            .iter()
            .filter(|d| !selectors.records(d))
            .map(DataEvents::label)
            .collect();
        f.push(Fact {
            name: "data_events",
            ok: missing.is_empty(),
            failure: (!missing.is_empty()).then(|| {
                format!(
                    "does not record every read and write data event of {}",
                    missing.join(" and ")
                )
            }),
        });
    }
    f
}

pub fn evaluate(opts: &Options, trail: &Trail, facts: &[Fact]) -> Outcome {
    let selected: Vec<(&Check, &Fact)> = CHECKS
        .iter()
        .filter(|c| opts.selects(c.name))
        .filter_map(|c| facts.iter().find(|f| f.name == c.name).map(|f| (c, f)))
        .collect();
    // A check left out by --filter-check, or not made, reads as passing.
    let var = |name: &str| -> Option<String> {
        if name == "name" {
            return Some(trail.name.clone());
        }
        let known = CHECKS.iter().any(|c| c.name == name);
        let value = selected
            .iter()
            .find(|(c, _)| c.name == name)
            .map(|(_, f)| f.ok);
        known.then(|| value.unwrap_or(true).to_string())
    };
    let state = if opts.critical.as_ref().is_some_and(|e| e.eval(&var)) {
        State::Critical
    } else if opts.warning.as_ref().is_some_and(|e| e.eval(&var)) {
        State::Warning
    } else {
        State::Ok
    };
    let failure = |c: &Check, f: &Fact| f.failure.clone().unwrap_or_else(|| c.failure.to_owned());
    let failing: Vec<String> = selected
        .iter()
        .filter(|(_, f)| !f.ok)
        .map(|(c, f)| failure(c, f))
        .collect();
    let mut out = Outcome::default();
    let text = if failing.is_empty() {
        format!(
            "Trail {}: all {} security checks pass",
            trail.name,
            selected.len()
        )
    } else {
        format!("Trail {}: {}", trail.name, failing.join(", "))
    };
    out.entries.push(Entry { state, text });
    for (c, f) in &selected {
        out.long.push(format!(
            "{}: {} ({})",
            c.name,
            if f.ok { "ok".to_owned() } else { failure(c, f) },
            c.controls
        ));
        out.perfdata.push(Perfdata {
            min: Some(0.0),
            max: Some(1.0),
            ..Perfdata::new(c.name, f64::from(u8::from(f.ok)))
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
            data_events: Vec::new(),
        }
    }

    fn selectors(management: bool) -> EventSelectors {
        let rw = if management { "All" } else { "WriteOnly" };
        EventSelectors::from_answer(&serde_json::json!({"EventSelectors": [
            {"ReadWriteType": rw, "IncludeManagementEvents": true,
             "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::payroll/"]}]}]}))
        .expect("selectors")
    }

    /// The facts with Insights on, as the mode reads them by default.
    fn read(o: &Options, t: &Trail, logging: bool, management: bool) -> Vec<Fact> {
        facts(o, (t, &status(logging)), &selectors(management), Some(true))
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
        let o = evaluate(&opts(), &t, &read(&opts(), &t, true, true));
        assert_eq!(
            text(&o, false),
            "OK: Trail main: all 8 security checks pass | 'logging'=1;;;0;1 'multi_region'=1;;;0;1 \
             'management_events'=1;;;0;1 'global_service_events'=1;;;0;1 \
             'log_file_validation'=1;;;0;1 'kms_encryption'=1;;;0;1 'cloudwatch_logs'=1;;;0;1 \
             'insights'=1;;;0;1\n"
        );
    }

    #[test]
    fn defaults_warn_on_hardening_and_go_critical_on_coverage() {
        let t = trail(false);
        let o = evaluate(&opts(), &t, &read(&opts(), &t, true, true));
        assert_eq!(o.state(), State::Warning);
        assert!(o.entries[0].text.contains(
            "log file validation off, logs not encrypted with KMS, not sent to CloudWatch Logs"
        ));
        let o = evaluate(&opts(), &t, &read(&opts(), &t, true, false));
        assert_eq!(o.state(), State::Critical);
        let single = Trail {
            is_multi_region: false,
            ..trail(true)
        };
        assert_eq!(
            evaluate(&opts(), &single, &read(&opts(), &single, true, true)).state(),
            State::Critical
        );
        assert!(
            evaluate(&opts(), &single, &read(&opts(), &single, true, true)).long.iter().any(|l| l == "multi_region: not multi-region (CIS 3.1, Security Hub CloudTrail.1)")
        );
    }

    #[test]
    fn expressions_and_filters_are_the_users() {
        let t = trail(false);
        let custom = Options {
            warning: None,
            critical: Expr::parse_with("%{kms_encryption} eq \"false\"", &variables()).ok(),
            filter: regex_lite::Regex::new("^kms").ok(),
            data_events: Vec::new(),
        };
        let o = evaluate(&custom, &t, &read(&custom, &t, false, false));
        assert_eq!(o.state(), State::Critical);
        assert_eq!(o.perfdata.len(), 1);
        // Checks left out read as passing, so they never trigger.
        let only_logging = Options {
            filter: regex_lite::Regex::new("^log_file").ok(),
            ..opts()
        };
        assert_eq!(
            evaluate(&only_logging, &t, &read(&only_logging, &t, false, false)).state(),
            State::Warning
        );
    }

    #[test]
    fn insights_is_a_check_but_alerts_only_when_asked() {
        let t = trail(true);
        let off = facts(&opts(), (&t, &status(true)), &selectors(true), Some(false));
        let o = evaluate(&opts(), &t, &off);
        assert_eq!(o.state(), State::Ok);
        assert_eq!(
            o.entries[0].text,
            "Trail main: Insights not on for both API call and error rates"
        );
        assert!(
            o.perfdata
                .iter()
                .any(|p| p.label == "insights" && p.value == 0.0)
        );
        let asked = Options {
            warning: Expr::parse_with("%{insights} eq \"false\"", &variables()).ok(),
            ..opts()
        };
        assert_eq!(evaluate(&asked, &t, &off).state(), State::Warning);
        // Not read (left out by --filter-check): no metric, reads as true.
        let o = evaluate(
            &asked,
            &t,
            &facts(&opts(), (&t, &status(true)), &selectors(true), None),
        );
        assert_eq!(o.state(), State::Ok);
        assert_eq!(o.perfdata.len(), 7);
        let kms_only = Options {
            filter: regex_lite::Regex::new("^kms").ok(),
            ..opts()
        };
        assert!(!kms_only.selects("insights"));
    }

    #[test]
    fn data_events_only_with_the_option_and_named() {
        let t = trail(true);
        // Without the option: no fact, no metric, and the variable reads true.
        let o = evaluate(&opts(), &t, &read(&opts(), &t, true, true));
        assert!(!o.perfdata.iter().any(|p| p.label == "data_events"));
        let want = |w: &[&str]| Options {
            critical: Expr::parse_with(
                &format!("{DEFAULT_CRITICAL}{DATA_EVENTS_CRITICAL}"),
                &variables(),
            )
            .ok(),
            data_events: w
                .iter()
                .map(|d| DataEvents::parse(d).expect("requirement"))
                .collect(),
            ..opts()
        };
        let covered = want(&["AWS::S3::Object=arn:aws:s3:::payroll/"]);
        let o = evaluate(&covered, &t, &read(&covered, &t, true, true));
        assert_eq!(
            text(&o, false),
            "OK: Trail main: all 9 security checks pass | 'logging'=1;;;0;1 'multi_region'=1;;;0;1 \
             'management_events'=1;;;0;1 'global_service_events'=1;;;0;1 \
             'log_file_validation'=1;;;0;1 'kms_encryption'=1;;;0;1 'cloudwatch_logs'=1;;;0;1 \
             'insights'=1;;;0;1 'data_events'=1;;;0;1\n"
        );
        let gaps = want(&[
            "AWS::S3::Object=arn:aws:s3:::payroll/",
            "AWS::S3::Object",
            "AWS::Lambda::Function",
        ]);
        let o = evaluate(&gaps, &t, &read(&gaps, &t, true, true));
        assert_eq!(o.state(), State::Critical);
        assert_eq!(
            o.entries[0].text,
            "Trail main: does not record every read and write data event of AWS::S3::Object and \
             AWS::Lambda::Function"
        );
        assert!(o.long.iter().any(|l| l
            == "data_events: does not record every read and write data event of AWS::S3::Object \
                and AWS::Lambda::Function (Stratus Red Team \
                aws.defense-evasion.cloudtrail-event-selectors)"));
    }
}
