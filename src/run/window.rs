//! The event-history window read with what the state directory keeps:
//! the events of the last run (so only what came since is read again),
//! and for securityevents the events already seen (so each alerts once).

use std::collections::HashSet;

use serde_json::json;

use super::Session;
use crate::aws::backend::Backend;
use crate::aws::cloudtrail::{Event, Paged};
use crate::clock::Deadline;
use crate::error::Error;
use crate::modes::{countevents, securityevents};
use crate::statefile::VERSION;

/// The layout of the events kept in the state directory: files of
/// another layout (events without the fields the filters read) are
/// ignored.
const EVENTS_FORMAT: u64 = 3;

/// The window's events: read whole, or — with a state directory — only
/// since the last run (minus an overlap), merged with the events kept
/// then. The events kept are those of the same LookupEvents query (lookup
/// attribute, category) and `scope`: our own filters apply afterwards.
pub fn events(
    s: &mut Session<'_>,
    b: &Backend<'_>,
    opts: &countevents::Options,
    (now, deadline): (i64, &Deadline<'_>),
    scope: &str,
) -> Result<Paged, Error> {
    // What the aws CLI reads under --command-options is not this window.
    let state = s.ctx.state.filter(|_| !b.custom_command());
    let path = state.map(|st| st.file("events", &format!("{scope}|lookup|{}", opts.query.key())));
    let cached = match (state, &path) {
        (Some(st), Some(p)) => st.read(p).and_then(|v| {
            (v.get("format")?.as_u64()? == EVENTS_FORMAT).then_some(())?;
            Some(countevents::Cached {
                delta: v.get("delta")?.as_i64()?,
                end: v.get("end")?.as_i64()?,
                events: v
                    .get("events")?
                    .as_array()?
                    .iter()
                    .map(Event::from_json)
                    .collect::<Option<Vec<_>>>()?,
            })
        }),
        _ => None,
    };
    let plan = countevents::plan(opts, cached.as_ref(), now);
    if let Some(kept) = plan.kept {
        s.trace.log(|| {
            format!(
                "LookupEvents: incremental read from {} ({} events kept)",
                crate::time::iso8601(plan.start),
                kept.len()
            )
        });
    }
    let fresh = b.lookup_events(
        &plan.lookup(),
        &mut |fresh| plan.stop(fresh, deadline),
        s.trace,
    )?;
    let (read, keep) = plan.finish(fresh);
    if let (Some(st), Some(p), Some(keep)) = (state, &path, keep) {
        // A file that cannot be written only costs the next run a whole read.
        let _ = st.write(
            p,
            &json!({
                "version": VERSION,
                "format": EVENTS_FORMAT,
                "delta": keep.delta,
                "end": keep.end,
                "events": keep.events.iter().map(Event::to_json).collect::<Vec<_>>(),
            }),
        );
    }
    Ok(read)
}

/// securityevents with a state directory: the eventIDs the previous run
/// saw (and this run's, kept for the next one); none without a state
/// directory, where every event in the window counts.
pub fn seen(
    s: &mut Session<'_>,
    opts: &securityevents::Options,
    read: &countevents::Options,
    events: &[Event],
    now: i64,
    region: &str,
) -> Option<HashSet<String>> {
    let st = s.ctx.state?;
    let labels: Vec<&str> = opts.selected.iter().map(|(c, _)| c.label).collect();
    let path = st.file(
        "seen",
        &format!(
            "{}|{}",
            super::configured_scope(s, region),
            labels.join(",")
        ),
    );
    let seen = securityevents::seen_before(st.read(&path).as_ref());
    let window_start = now.saturating_sub(i64::try_from(read.delta.as_secs()).unwrap_or(i64::MAX));
    // A file that cannot be written means the next run alerts again.
    let _ = st.write(
        &path,
        &securityevents::seen_json(opts, events, window_start, VERSION),
    );
    Some(seen)
}
