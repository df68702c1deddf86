//! `securityevents`: the fifteen CIS §4 monitoring categories ([`cis`])
//! counted over one read of the event history window.

use std::collections::HashSet;

use super::cis::Category;
use super::countevents::event_line;
use crate::aws::cloudtrail::Event;
use crate::output::{Entry, Outcome, Perfdata, State};
use crate::threshold::Thresholds;

/// At most this many events are listed under `--verbose`.
pub const LISTED: usize = 100;

#[derive(Clone, Debug)]
pub struct Options {
    /// The selected categories (`--filter-category`), in table order, each
    /// with its ranges.
    pub selected: Vec<(&'static Category, Thresholds)>,
    pub delta_minutes: u64,
}

/// Events of several reads as one list, each eventID once (the home
/// region read may return what the region's own read already holds).
pub fn dedupe(reads: Vec<Vec<Event>>) -> Vec<Event> {
    let mut seen = HashSet::new();
    reads
        .into_iter()
        .flatten()
        .filter(|e| seen.insert(e.event_id.clone()))
        .collect()
}

/// One counter per selected category, perfdata under its label, and the
/// matching events listed as `time category eventName user IP region
/// [errorCode]`.
pub fn evaluate(opts: &Options, events: &[Event]) -> Outcome {
    let mut out = Outcome::default();
    let mut listed = Vec::new();
    for (c, thresholds) in &opts.selected {
        let matching: Vec<&Event> = events.iter().filter(|e| c.matches(e)).collect();
        let value = matching.len() as f64;
        let state = thresholds.evaluate(value);
        out.entries.push(Entry {
            state,
            text: format!("{}: {}", c.what, matching.len()),
        });
        out.perfdata.push(Perfdata {
            warning: thresholds.warning,
            critical: thresholds.critical,
            min: Some(0.0),
            ..Perfdata::new(c.label, value)
        });
        listed.extend(matching.into_iter().map(|e| (e, c.label)));
    }
    listed.sort_by_key(|(e, _)| e.event_time.or(e.time));
    for (e, label) in listed.iter().take(LISTED) {
        out.long.push(line(e, label));
    }
    if listed.len() > LISTED {
        out.long
            .push(format!("… and {} more", listed.len() - LISTED));
    }
    if out.state() == State::Ok {
        out.entries = vec![Entry {
            state: State::Ok,
            text: format!(
                "no security events in the last {} minutes ({} categories)",
                opts.delta_minutes,
                opts.selected.len()
            ),
        }];
    } else {
        out.entries.retain(|e| e.state != State::Ok);
    }
    out
}

/// The `--verbose` line of one matching event.
fn line(e: &Event, label: &str) -> String {
    // event_line gives `time name user ip [code]`; the category goes
    // after the time and the region before the code.
    let base = event_line(e);
    let (time, rest) = base.split_once(' ').unwrap_or((base.as_str(), ""));
    let region = e.region.as_deref().unwrap_or("-");
    let mut parts: Vec<&str> = rest.split(' ').collect();
    let code = if e.error_code.as_deref().is_some_and(|c| !c.is_empty()) {
        parts.pop()
    } else {
        None
    };
    let mut text = format!("{time} {label} {} {region}", parts.join(" "));
    if let Some(code) = code {
        text.push(' ');
        text.push_str(code);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modes::cis::{CATEGORIES, Default};
    use crate::threshold::Range;

    fn opts() -> Options {
        Options {
            selected: CATEGORIES
                .iter()
                .map(|c| {
                    let zero = Range::parse("0");
                    let t = match c.default {
                        Default::Warning => Thresholds {
                            warning: zero,
                            critical: None,
                        },
                        Default::Critical => Thresholds {
                            warning: None,
                            critical: zero,
                        },
                    };
                    (c, t)
                })
                .collect(),
            delta_minutes: 60,
        }
    }

    fn ev(id: &str, source: &str, name: &str) -> Event {
        Event {
            event_id: id.into(),
            event_source: Some(source.into()),
            event_name: Some(name.into()),
            event_time: Some(1_700_000_000),
            user_arn: Some("arn:aws:iam::123456789012:user/alice".into()),
            source_ip: Some("192.0.2.1".into()),
            region: Some("eu-west-1".into()),
            ..Event::default()
        }
    }

    #[test]
    fn quiet_window_is_ok_with_every_counter_at_zero() {
        let out = evaluate(
            &opts(),
            &[ev("1", "ec2.amazonaws.com", "DescribeInstances")],
        );
        assert_eq!(out.state(), State::Ok);
        assert_eq!(out.perfdata.len(), 15);
        assert!(out.perfdata.iter().all(|p| p.value == 0.0));
        assert!(out.long.is_empty());
    }

    #[test]
    fn defaults_make_config_changes_critical_and_sg_changes_warning() {
        let events = [
            ev("1", "config.amazonaws.com", "StopConfigurationRecorder"),
            ev("2", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress"),
            ev("3", "ec2.amazonaws.com", "DescribeInstances"),
        ];
        let out = evaluate(&opts(), &events);
        assert_eq!(out.state(), State::Critical);
        let texts: Vec<_> = out.entries.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            ["AWS Config changes: 1", "security group changes: 1"]
        );
        assert_eq!(
            out.long,
            [
                "2023-11-14T22:13:20Z aws_config_changes StopConfigurationRecorder \
                 arn:aws:iam::123456789012:user/alice 192.0.2.1 eu-west-1",
                "2023-11-14T22:13:20Z security_group_changes AuthorizeSecurityGroupIngress \
                 arn:aws:iam::123456789012:user/alice 192.0.2.1 eu-west-1",
            ]
        );
    }

    #[test]
    fn dedupe_keeps_one_event_per_id() {
        let a = ev("1", "iam.amazonaws.com", "PutUserPolicy");
        let merged = dedupe(vec![vec![a.clone()], vec![a, ev("2", "x", "y")]]);
        assert_eq!(merged.len(), 2);
        let out = evaluate(&opts(), &merged);
        let p = out
            .perfdata
            .iter()
            .find(|p| p.label == "iam_policy_changes")
            .unwrap();
        assert_eq!(p.value, 1.0);
    }

    #[test]
    fn the_error_code_ends_the_line() {
        let e = Event {
            error_code: Some("AccessDenied".into()),
            ..ev("1", "s3.amazonaws.com", "GetObject")
        };
        assert_eq!(
            line(&e, "unauthorized_api_calls"),
            "2023-11-14T22:13:20Z unauthorized_api_calls GetObject \
             arn:aws:iam::123456789012:user/alice 192.0.2.1 eu-west-1 AccessDenied"
        );
    }
}
