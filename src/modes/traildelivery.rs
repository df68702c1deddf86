//! `traildelivery`: are the logs actually arriving? `IsLogging` can stay
//! true while the bucket policy breaks and nothing is delivered. Checks,
//! from GetTrailStatus and the trail's configuration (DescribeTrails):
//!
//! - S3 log files: the last delivery error, and how long since the last
//!   delivery;
//! - CloudWatch Logs (only when the trail has a log group): error and age;
//! - digest files (only when log file validation is on): error and age;
//! - SNS notifications (only when the trail has a topic): error.
//!
//! Each age is a metric in seconds with its own thresholds; each error is
//! a 0/1 metric whose default critical (warning for SNS) range is `0`,
//! so any error alerts.

use crate::aws::cloudtrail::{Trail, TrailStatus};
use crate::output::{Entry, Outcome};
use crate::perfdata::Perfdata;
use crate::status::State;
use crate::threshold::{Range, Thresholds};

/// Thresholds of every sub-check.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub delivery_age: Thresholds,
    pub delivery_error: Thresholds,
    pub cloudwatch_logs_age: Thresholds,
    pub cloudwatch_logs_error: Thresholds,
    pub digest_age: Thresholds,
    pub digest_error: Thresholds,
    pub notification_error: Thresholds,
}

fn range(s: &str) -> Option<Range> {
    Range::parse(s)
}

impl Default for Options {
    /// CloudTrail delivers S3 files every few minutes while there is
    /// activity, digests hourly; CIS 3.4 / Security Hub CloudTrail.5 want
    /// CloudWatch Logs delivered within a day.
    fn default() -> Self {
        Options {
            delivery_age: Thresholds {
                warning: range("21600"),
                critical: range("86400"),
            },
            delivery_error: Thresholds {
                warning: None,
                critical: range("0"),
            },
            cloudwatch_logs_age: Thresholds {
                warning: range("7200"),
                critical: range("86400"),
            },
            cloudwatch_logs_error: Thresholds {
                warning: None,
                critical: range("0"),
            },
            digest_age: Thresholds {
                warning: range("7200"),
                critical: range("86400"),
            },
            digest_error: Thresholds {
                warning: None,
                critical: range("0"),
            },
            notification_error: Thresholds {
                warning: range("0"),
                critical: None,
            },
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
pub const METRICS: [Metric; 7] = [
    Metric {
        label: "delivery_age",
        thresholds: |o| &mut o.delivery_age,
        help: "Seconds since the last S3 delivery (default: 21600 and 86400).",
    },
    Metric {
        label: "delivery_error",
        thresholds: |o| &mut o.delivery_error,
        help: "S3 delivery error, 1 when AWS reports one (default critical: 0, i.e. any).",
    },
    Metric {
        label: "cloudwatch_logs_age",
        thresholds: |o| &mut o.cloudwatch_logs_age,
        help: "Seconds since the last CloudWatch Logs delivery (default: 7200 and 86400, CIS \
               3.4).",
    },
    Metric {
        label: "cloudwatch_logs_error",
        thresholds: |o| &mut o.cloudwatch_logs_error,
        help: "CloudWatch Logs delivery error (default critical: 0).",
    },
    Metric {
        label: "digest_age",
        thresholds: |o| &mut o.digest_age,
        help: "Seconds since the last digest file, written hourly (default: 7200 and 86400).",
    },
    Metric {
        label: "digest_error",
        thresholds: |o| &mut o.digest_error,
        help: "Digest delivery error (default critical: 0).",
    },
    Metric {
        label: "notification_error",
        thresholds: |o| &mut o.notification_error,
        help: "SNS notification error (default warning: 0).",
    },
];

/// How far ahead of this poller's clock a delivery time may be and still
/// be the clocks' difference: AWS refuses a SigV4 request more than 5
/// minutes off its own clock, so a poller that got an answer is within
/// that of AWS.
pub const SKEW: i64 = 300;

/// How far ahead a delivery made while this check ran can be: the check
/// reads the clock once, before its calls, so a delivery during them is
/// later than that reading by at most the check's own duration. Its age
/// is 0, as for a delivery in the same second.
pub const DURING_CHECK: i64 = 60;

fn age_text(now: i64, t: Option<i64>) -> String {
    let human = crate::time::human_duration;
    match t {
        None => "never".to_owned(),
        Some(t) if t <= now => format!("{} ago", human(now.saturating_sub(t))),
        Some(t) if t.saturating_sub(now) <= DURING_CHECK => format!("{} ago", human(0)),
        Some(t) if t.saturating_sub(now) <= SKEW => format!(
            "just now ({} ahead of this poller's clock)",
            human(t.saturating_sub(now))
        ),
        Some(t) => format!("{} in the future", human(t.saturating_sub(now))),
    }
}

struct Check<'a> {
    out: &'a mut Outcome,
}

impl Check<'_> {
    fn age(&mut self, label: &str, what: &str, now: i64, t: Option<i64>, th: &Thresholds) {
        if let Some(t) = t.filter(|t| t.saturating_sub(now) > SKEW) {
            // A delivery that has not happened yet says nothing of the
            // deliveries: no age to measure or graph, and a state that
            // says so.
            self.out.entries.push(Entry {
                state: State::Unknown,
                text: format!(
                    "{what}: latest delivery is {} (clock skew or a forged answer)",
                    age_text(now, Some(t))
                ),
            });
            return;
        }
        // Never delivered counts as infinitely old: it alerts.
        let age = t.map_or(f64::INFINITY, |t| now.saturating_sub(t).max(0) as f64);
        let state = th.evaluate(age);
        self.out.entries.push(Entry {
            state,
            text: format!("{what}: last delivery {}", age_text(now, t)),
        });
        if age.is_finite() {
            self.out.perfdata.push(Perfdata {
                unit: "s".into(),
                warning: th.warning,
                critical: th.critical,
                min: Some(0.0),
                ..Perfdata::new(label, age)
            });
        }
    }

    fn error(&mut self, label: &str, what: &str, error: Option<&str>, th: &Thresholds) {
        let v = if error.is_some() { 1.0 } else { 0.0 };
        let state = th.evaluate(v);
        let text = match error {
            Some(e) => format!("{what} error: {e}"),
            None => format!("no {what} error"),
        };
        self.out.entries.push(Entry { state, text });
        self.out.perfdata.push(Perfdata {
            warning: th.warning,
            critical: th.critical,
            min: Some(0.0),
            max: Some(1.0),
            ..Perfdata::new(label, v)
        });
    }
}

/// The sub-checks that apply to `trail`, at `now` (epoch seconds).
pub fn evaluate(opts: &Options, trail: &Trail, status: &TrailStatus, now: i64) -> Outcome {
    let mut out = Outcome::default();
    {
        let mut c = Check { out: &mut out };
        c.error(
            "delivery_error",
            "S3 delivery",
            status.latest_delivery_error.as_deref(),
            &opts.delivery_error,
        );
        c.age(
            "delivery_age",
            "S3 log files",
            now,
            status.latest_delivery_time,
            &opts.delivery_age,
        );
        if trail.cloudwatch_logs_log_group.is_some() {
            c.error(
                "cloudwatch_logs_error",
                "CloudWatch Logs delivery",
                status.latest_cloudwatch_logs_delivery_error.as_deref(),
                &opts.cloudwatch_logs_error,
            );
            c.age(
                "cloudwatch_logs_age",
                "CloudWatch Logs",
                now,
                status.latest_cloudwatch_logs_delivery_time,
                &opts.cloudwatch_logs_age,
            );
        }
        if trail.log_file_validation {
            c.error(
                "digest_error",
                "digest delivery",
                status.latest_digest_delivery_error.as_deref(),
                &opts.digest_error,
            );
            c.age(
                "digest_age",
                "digest files",
                now,
                status.latest_digest_delivery_time,
                &opts.digest_age,
            );
        }
        if trail.sns_topic.is_some() {
            c.error(
                "notification_error",
                "SNS notification",
                status.latest_notification_error.as_deref(),
                &opts.notification_error,
            );
        }
    }
    // The short line: problems only when there are some (output.pm drops
    // OK messages then), else one summary.
    if out.state() == State::Ok {
        let summary: Vec<String> = out.entries.iter().map(|e| e.text.clone()).collect();
        out.long = summary;
        out.entries = vec![Entry {
            state: State::Ok,
            text: format!(
                "Trail {}: logs delivered {}",
                trail.name,
                age_text(now, status.latest_delivery_time)
            ),
        }];
    } else {
        out.long = out
            .entries
            .iter()
            .map(|e| format!("{}: {}", e.state.label(), e.text))
            .collect();
        for e in &mut out.entries {
            e.text = format!("Trail {}: {}", trail.name, e.text);
        }
        out.entries.retain(|e| e.state != State::Ok);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::text;

    const NOW: i64 = 1_700_000_000;

    fn trail(cw: bool, validation: bool, sns: bool) -> Trail {
        Trail {
            name: "main".into(),
            cloudwatch_logs_log_group: cw.then(|| "arn:aws:logs:eu-west-1:1:log-group:ct".into()),
            log_file_validation: validation,
            sns_topic: sns.then(|| "arn:aws:sns:eu-west-1:1:ct".into()),
            ..Trail::default()
        }
    }

    fn status(delivery: Option<i64>) -> TrailStatus {
        TrailStatus {
            is_logging: true,
            latest_delivery_time: delivery.map(|d| NOW - d),
            latest_cloudwatch_logs_delivery_time: Some(NOW - 60),
            latest_digest_delivery_time: Some(NOW - 1800),
            ..TrailStatus::default()
        }
    }

    fn line(o: &Outcome) -> String {
        text(o, false)
    }

    #[test]
    fn healthy_trail_is_ok_with_every_metric() {
        let o = evaluate(
            &Options::default(),
            &trail(true, true, true),
            &status(Some(300)),
            NOW,
        );
        assert_eq!(
            line(&o),
            "OK: Trail main: logs delivered 5m 0s ago | 'delivery_error'=0;;0:0;0;1 \
             'delivery_age'=300s;0:21600;0:86400;0; 'cloudwatch_logs_error'=0;;0:0;0;1 \
             'cloudwatch_logs_age'=60s;0:7200;0:86400;0; 'digest_error'=0;;0:0;0;1 \
             'digest_age'=1800s;0:7200;0:86400;0; 'notification_error'=0;0:0;;0;1\n"
        );
        assert!(
            o.long
                .iter()
                .any(|l| l == "CloudWatch Logs: last delivery 1m 0s ago")
        );
    }

    #[test]
    fn the_metric_table_names_every_perfdata_label() {
        let o = evaluate(
            &Options::default(),
            &trail(true, true, true),
            &status(Some(300)),
            NOW,
        );
        let mut labels: Vec<&str> = o.perfdata.iter().map(|p| p.label.as_str()).collect();
        let mut table: Vec<&str> = METRICS.iter().map(|m| m.label).collect();
        labels.sort_unstable();
        table.sort_unstable();
        assert_eq!(labels, table);
    }

    #[test]
    fn only_configured_deliveries_are_checked() {
        let o = evaluate(
            &Options::default(),
            &trail(false, false, false),
            &status(Some(300)),
            NOW,
        );
        let labels: Vec<&str> = o.perfdata.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, vec!["delivery_error", "delivery_age"]);
    }

    #[test]
    fn a_broken_bucket_is_critical_while_logging() {
        let mut s = status(Some(90_000));
        s.latest_delivery_error = Some("AccessDenied".into());
        let o = evaluate(&Options::default(), &trail(false, false, false), &s, NOW);
        assert_eq!(o.state(), State::Critical);
        assert_eq!(
            line(&o).lines().next().unwrap_or_default(),
            "CRITICAL: Trail main: S3 delivery error: AccessDenied - Trail main: S3 log files: \
             last delivery 25h 0m 0s ago | 'delivery_error'=1;;0:0;0;1 'delivery_age'=90000s;0:21600;0:86400;0;"
        );
    }

    #[test]
    fn never_delivered_and_stale_cloudwatch() {
        let mut s = status(None);
        s.latest_cloudwatch_logs_delivery_time = Some(NOW - 10_000);
        let o = evaluate(&Options::default(), &trail(true, false, false), &s, NOW);
        assert_eq!(o.state(), State::Critical);
        let text = line(&o);
        assert!(text.contains("S3 log files: last delivery never"), "{text}");
        assert!(
            text.starts_with("CRITICAL: ")
                && text
                    .contains("WARNING: Trail main: CloudWatch Logs: last delivery 2h 46m 40s ago"),
            "{text}"
        );
        // No age metric for what never happened.
        assert!(!o.perfdata.iter().any(|p| p.label == "delivery_age"));
    }

    #[test]
    fn a_delivery_in_the_future_is_said_and_unknown() {
        let mut s = status(Some(-7200));
        s.latest_digest_delivery_time = Some(NOW + 86_400);
        let o = evaluate(&Options::default(), &trail(false, true, false), &s, NOW);
        assert_eq!(o.state(), State::Unknown);
        assert_eq!(
            line(&o),
            "UNKNOWN: Trail main: S3 log files: latest delivery is 2h 0m 0s in the future (clock \
             skew or a forged answer) - Trail main: digest files: latest delivery is 24h 0m 0s in \
             the future (clock skew or a forged answer) | 'delivery_error'=0;;0:0;0;1 \
             'digest_error'=0;;0:0;0;1\n"
        );
        // A real problem still wins.
        s.latest_delivery_error = Some("AccessDenied".into());
        let o = evaluate(&Options::default(), &trail(false, false, false), &s, NOW);
        assert_eq!(o.state(), State::Critical);
        // Within the clocks' possible difference: delivered just now.
        let o = evaluate(
            &Options::default(),
            &trail(false, false, false),
            &status(Some(-SKEW)),
            NOW,
        );
        assert_eq!(
            line(&o),
            "OK: Trail main: logs delivered just now (5m 0s ahead of this poller's clock) | \
             'delivery_error'=0;;0:0;0;1 'delivery_age'=0s;0:21600;0:86400;0;\n"
        );
        let o = evaluate(
            &Options::default(),
            &trail(false, false, false),
            &status(Some(-SKEW - 1)),
            NOW,
        );
        assert_eq!(o.state(), State::Unknown);
    }

    #[test]
    fn sns_errors_warn_and_thresholds_are_options() {
        let mut s = status(Some(60));
        s.latest_notification_error = Some("AuthorizationError".into());
        let o = evaluate(&Options::default(), &trail(false, false, true), &s, NOW);
        assert_eq!(o.state(), State::Warning);
        let relaxed = Options {
            notification_error: Thresholds::default(),
            ..Options::default()
        };
        assert_eq!(
            evaluate(&relaxed, &trail(false, false, true), &s, NOW).state(),
            State::Ok
        );
    }
}
