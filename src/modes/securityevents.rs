//! `securityevents`: the fifteen CIS §4 monitoring categories ([`cis`])
//! counted over one read of the event history window.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::cis::Category;
use super::counted::{self, Counted, Tally};
use super::countevents::{self, or_dash, parts};
use crate::aws::cloudtrail::Event;
use crate::clock::Deadline;
use crate::error::Error;
use crate::output::{Entry, Outcome};
use crate::perfdata::Perfdata;
use crate::status::State;
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

/// The eventIDs the previous run saw (none on a first run or an
/// unreadable file).
pub fn seen_before(previous: Option<&Value>) -> HashSet<String> {
    previous
        .and_then(|v| v.get("ids"))
        .and_then(Value::as_object)
        .map(|ids| ids.keys().cloned().collect())
        .unwrap_or_default()
}

/// What the next run needs: the matching events of this window, by
/// eventID with their time. Events older than the window cannot come back
/// in the next one, so they are not kept.
pub fn seen_json(opts: &Options, events: &Tally, window_start: i64, version: u64) -> Value {
    let mut ids: serde_json::Map<String, Value> = events
        .full
        .iter()
        .filter(|e| e.time.or(e.event_time).is_none_or(|t| t >= window_start))
        .filter(|e| opts.selected.iter().any(|(c, _)| c.matches(e)))
        .map(|e| (e.event_id.clone(), json!(e.time.or(e.event_time))))
        .collect();
    let all = selected_bits(opts);
    ids.extend(
        events
            .compact
            .iter()
            .filter(|c| c.at() >= window_start && c.tags & all != 0)
            .map(|c| (c.event_id(), json!(c.at()))),
    );
    json!({ "version": version, "ids": ids })
}

/// On the log-file source, everything besides the category that decides
/// an event's counters: the selected categories (bit i is the i-th), and
/// the lookup attribute.
pub fn filter_key(opts: &Options, read: &countevents::Options) -> String {
    let labels: Vec<&str> = opts.selected.iter().map(|(c, _)| c.label).collect();
    json!({"mode": "securityevents", "categories": labels, "query": read.query.key()}).to_string()
}

/// The tag of the `i`th selected category on a compact event.
pub fn bit(i: usize) -> u16 {
    // Checked once for all: the categories fit the tags.
    const _: () = assert!(super::cis::CATEGORIES.len() <= u16::BITS as usize);
    u32::try_from(i)
        .ok()
        .and_then(|i| 1u16.checked_shl(i))
        .unwrap_or(0)
}

/// The tags of `e`: the selected categories it matches.
pub fn tags(opts: &Options, e: &Event) -> u16 {
    opts.selected
        .iter()
        .enumerate()
        .filter(|(_, (c, _))| c.matches(e))
        .fold(0, |t, (i, _)| t | bit(i))
}

fn selected_bits(opts: &Options) -> u16 {
    (0..opts.selected.len()).fold(0, |t, i| t | bit(i))
}

/// One counter per selected category, perfdata under its label, and the
/// matching events listed as `time category eventName user IP region
/// [errorCode]`. With `seen` (a state directory), each category is judged
/// on the events first seen by this run, so an event alerts once even
/// when it arrives late into a window that reaches back over several
/// runs; `<label>_new` gives that count. Compact events count by their
/// tags and are not listed (they are compact only when long output is
/// off). Matching stops when the run's time is up.
pub fn evaluate(
    opts: &Options,
    events: &Tally,
    seen: Option<&HashSet<String>>,
    deadline: &Deadline<'_>,
) -> Result<Outcome, Error> {
    let mut out = Outcome::default();
    let mut listed = Vec::new();
    let mut more = 0;
    // A compact event's id is compared as bytes: the same test as the
    // text's, since only canonical ids are compact.
    let seen_ids: Option<HashSet<[u8; 16]>> =
        seen.map(|s| s.iter().filter_map(|id| counted::uuid(id)).collect());
    for (i, (c, thresholds)) in opts.selected.iter().enumerate() {
        let matching: Vec<&Event> =
            countevents::matching(&events.full, deadline, |e| c.matches(e))?;
        let tagged = |k: &Counted| k.tags & bit(i) != 0;
        let compact = countevents::counting(&events.compact, deadline, tagged)?;
        let total = matching.len() + compact;
        let value = total as f64;
        let fresh = match (seen, &seen_ids) {
            (Some(s), Some(ids)) => Some(
                matching.iter().filter(|e| !s.contains(&e.event_id)).count()
                    + countevents::counting(&events.compact, deadline, |k| {
                        tagged(k) && !ids.contains(&k.id)
                    })?,
            ),
            _ => None,
        };
        let (state, text) = match fresh {
            None => (thresholds.evaluate(value), format!("{}: {total}", c.what)),
            Some(n) => (
                thresholds.evaluate(n as f64),
                format!("{}: {n} new ({total} in the window)", c.what),
            ),
        };
        out.entries.push(Entry { state, text });
        let pair = |label: String, v: f64| Perfdata {
            warning: thresholds.warning,
            critical: thresholds.critical,
            min: Some(0.0),
            ..Perfdata::new(&label, v)
        };
        match fresh {
            None => out.perfdata.push(pair(c.label.to_owned(), value)),
            Some(n) => {
                out.perfdata.push(Perfdata {
                    warning: None,
                    critical: None,
                    ..pair(c.label.to_owned(), value)
                });
                out.perfdata
                    .push(pair(format!("{}_new", c.label), n as f64));
            }
        }
        more += compact;
        listed.extend(matching.into_iter().map(|e| (e, c.label)));
    }
    listed.sort_by_key(|(e, _)| e.event_time.or(e.time));
    for (e, label) in listed.iter().take(LISTED) {
        out.long.push(line(e, label));
    }
    let more = more + listed.len().saturating_sub(LISTED);
    if more > 0 {
        out.long.push(format!("… and {more} more"));
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
    Ok(out)
}

/// The `--verbose` line of one matching event: countevents' parts with
/// the category after the time and the region before the error code.
fn line(e: &Event, label: &str) -> String {
    let p = parts(e);
    let mut text = format!(
        "{} {label} {} {} {} {}",
        p.time,
        p.name,
        p.user,
        p.ip,
        or_dash(e.region.as_deref())
    );
    if let Some(code) = p.code {
        text.push(' ');
        text.push_str(&code);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modes::cis::CATEGORIES;

    fn opts() -> Options {
        Options {
            selected: CATEGORIES
                .iter()
                .map(|c| (c, c.default_thresholds()))
                .collect(),
            delta_minutes: 60,
        }
    }

    fn all(events: &[Event]) -> Tally {
        Tally::of_events(events.to_vec())
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
            &all(&[ev("1", "ec2.amazonaws.com", "DescribeInstances")]),
            None,
            &Deadline::none(),
        )
        .unwrap();
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
        let out = evaluate(&opts(), &all(&events), None, &Deadline::none()).unwrap();
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
        let out = evaluate(&opts(), &all(&merged), None, &Deadline::none()).unwrap();
        let p = out
            .perfdata
            .iter()
            .find(|p| p.label == "iam_policy_changes")
            .unwrap();
        assert_eq!(p.value, 1.0);
    }

    #[test]
    fn with_state_only_events_first_seen_alert() {
        let events = [
            ev("old", "ec2.amazonaws.com", "CreateVpc"),
            ev("late", "ec2.amazonaws.com", "CreateVpc"),
        ];
        let o = opts();
        // The previous run saw `old` only; `late` arrived after it.
        let before = seen_json(&o, &all(&events[..1]), 0, 1);
        let seen = seen_before(Some(&before));
        let out = evaluate(&o, &all(&events), Some(&seen), &Deadline::none()).unwrap();
        assert_eq!(out.state(), State::Warning);
        assert_eq!(out.entries[0].text, "VPC changes: 1 new (2 in the window)");
        let vpc: Vec<_> = out
            .perfdata
            .iter()
            .filter(|p| p.label.starts_with("vpc_changes"))
            .map(|p| (p.label.as_str(), p.value, p.warning.is_some()))
            .collect();
        assert_eq!(
            vpc,
            [("vpc_changes", 2.0, false), ("vpc_changes_new", 1.0, true)]
        );
        // Next run: both seen, nothing new, OK although still in the window.
        let seen = seen_before(Some(&seen_json(&o, &all(&events), 0, 1)));
        assert_eq!(
            evaluate(&o, &all(&events), Some(&seen), &Deadline::none())
                .unwrap()
                .state(),
            State::Ok
        );
        // Events older than the window are not kept; others are, benign
        // ones are not.
        let kept = seen_json(
            &o,
            &all(&[
                Event {
                    event_time: Some(10),
                    ..ev("gone", "ec2.amazonaws.com", "CreateVpc")
                },
                ev("benign", "ec2.amazonaws.com", "DescribeVpcs"),
                ev("kept", "ec2.amazonaws.com", "CreateVpc"),
            ]),
            100,
            1,
        );
        assert_eq!(seen_before(Some(&kept)), HashSet::from(["kept".to_owned()]));
        assert!(seen_before(None).is_empty());
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

    #[test]
    fn compact_events_count_as_their_full_selves() {
        use crate::modes::counted::Counted;
        let o = opts();
        let at = |n: u32, source: &str, name: &str| Event {
            time: Some(1_700_000_000 + i64::from(n)),
            ..ev(&format!("00000000-0000-4000-8000-{n:012x}"), source, name)
        };
        let events = [
            at(1, "config.amazonaws.com", "StopConfigurationRecorder"),
            at(2, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress"),
            at(3, "ec2.amazonaws.com", "CreateVpc"),
        ];
        // Each category's bit, by its place among those selected.
        let vpc = o
            .selected
            .iter()
            .position(|(c, _)| c.label == "vpc_changes")
            .unwrap();
        assert_eq!(tags(&o, &events[2]), bit(vpc));
        assert_eq!(tags(&o, &ev("x", "ec2.amazonaws.com", "DescribeVpcs")), 0);
        assert_eq!(bit(16), 0);
        let full = all(&events);
        let compact = Tally {
            full: Vec::new(),
            compact: events
                .iter()
                .map(|e| Counted::of(e, tags(&o, e)).unwrap())
                .collect(),
        };
        let d = Deadline::none();
        let shown = |t: &Tally, seen: Option<&HashSet<String>>| {
            crate::output::text(&evaluate(&o, t, seen, &d).unwrap(), false)
        };
        assert_eq!(shown(&compact, None), shown(&full, None));
        let out = evaluate(&o, &compact, None, &d).unwrap();
        assert_eq!(out.long, ["… and 3 more"]);
        // The first-seen state reads the same either way, ids as text.
        let seen = seen_before(Some(&seen_json(&o, &compact, 0, 1)));
        assert_eq!(seen, seen_before(Some(&seen_json(&o, &full, 0, 1))));
        assert!(seen.contains("00000000-0000-4000-8000-000000000003"));
        let first = seen_before(Some(&seen_json(&o, &all(&events[..1]), 0, 1)));
        assert_eq!(shown(&compact, Some(&first)), shown(&full, Some(&first)));
        assert_eq!(
            evaluate(&o, &compact, Some(&seen), &d).unwrap().state(),
            State::Ok
        );
    }
}
