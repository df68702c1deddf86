//! The event-history window read with what the state directory keeps:
//! the events of the last run (so only what came since is read again),
//! and for securityevents the events already seen (so each alerts once).

use std::collections::HashSet;
use std::io::{self, Read, Write};

use serde_json::{Value, json};

use super::Session;
use crate::aws::backend::Backend;
use crate::aws::cloudtrail::{Event, Paged};
use crate::clock::Deadline;
use crate::error::Error;
use crate::modes::counted::Tally;
use crate::modes::countevents::{self, Cached, Keep, MAX_CACHED_EVENTS};
use crate::modes::securityevents;
use crate::statefile::{self, StateDir, VERSION};

/// The layout of the events kept in the state directory: files of
/// another layout are ignored. 4: a header line, then one event a line
/// as an array ([`Event::to_row`]).
const EVENTS_FORMAT: u64 = 4;

/// The events file's size cap: [`MAX_CACHED_EVENTS`] rows of 1.6 KB on
/// average, three times a typical row (~0.5 KB: ids, ARNs and user
/// agents make most of it).
pub const EVENTS_CAP: u64 = 32 * 1024 * 1024;

/// The seen-file's size cap: an eventID and its time are ~60 bytes, so
/// [`MAX_CACHED_EVENTS`] of them with room to spare.
pub const SEEN_CAP: u64 = 4 * 1024 * 1024;

/// The events file read back: a header, then at most
/// [`MAX_CACHED_EVENTS`] rows, one at a time (only one row's JSON tree is
/// ever built, the memory is that of the events themselves). Why not,
/// otherwise.
pub fn decode_events(r: impl Read) -> Result<Cached, String> {
    let (head, mut lines) = statefile::JsonLines::open(r, EVENTS_FORMAT)?;
    let field = |k: &str| head.get(k).and_then(Value::as_i64);
    let (Some(delta), Some(end), Some(count)) = (field("delta"), field("end"), field("count"))
    else {
        return Err("header incomplete".to_owned());
    };
    let count = usize::try_from(count).map_err(|_| "negative count")?;
    if count > MAX_CACHED_EVENTS {
        return Err(format!("{count} events, over {MAX_CACHED_EVENTS}"));
    }
    let mut events = Vec::with_capacity(count);
    while let Some(row) = lines.next_value()? {
        if events.len() == count {
            return Err("more events than its header says".to_owned());
        }
        events.push(Event::from_row(&row).ok_or("an event without an id or a time")?);
    }
    if events.len() != count {
        return Err("fewer events than its header says".to_owned());
    }
    Ok(Cached { delta, end, events })
}

/// The events file: header, then a row per event.
fn encode_events(w: &mut impl Write, delta: i64, end: i64, events: &[Event]) -> io::Result<()> {
    let head = json!({"version": VERSION, "format": EVENTS_FORMAT, "delta": delta,
        "end": end, "count": events.len()});
    serde_json::to_writer(&mut *w, &head)?;
    for e in events {
        w.write_all(b"\n")?;
        serde_json::to_writer(&mut *w, &e.to_row())?;
    }
    w.write_all(b"\n")
}

/// The events kept at `path`, if any are usable; why not goes to `--debug`.
fn kept(s: &mut Session<'_>, st: &StateDir, path: &std::path::Path) -> Option<Cached> {
    let read = st.reader(path, EVENTS_CAP).map(decode_events);
    for n in st.take_notes() {
        s.trace.log(|| n);
    }
    match read? {
        Ok(c) => Some(c),
        Err(why) => {
            s.trace
                .log(|| format!("state: ignored {}: {why}", path.display()));
            None
        }
    }
}

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
        (Some(st), Some(p)) => kept(s, st, p),
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
    drop(cached);
    if let (Some(st), Some(p)) = (state, &path) {
        match keep {
            // A file that cannot be written only costs the next run a whole read.
            Keep::Window { delta, end } => {
                let _ = st.write_with(p, EVENTS_CAP, |w| {
                    encode_events(w, delta, end, &read.events)
                });
            }
            Keep::TooMany => {
                st.remove(p);
                s.trace.log(|| {
                    format!(
                        "LookupEvents: {} events in the window, over the {MAX_CACHED_EVENTS} kept between runs: the next run reads the whole window",
                        read.events.len()
                    )
                });
            }
            Keep::Partial => {}
        }
        for n in st.take_notes() {
            s.trace.log(|| n);
        }
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
    events: &Tally,
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
    let seen = securityevents::seen_before(st.read(&path, SEEN_CAP).as_ref());
    let window_start = now.saturating_sub(i64::try_from(read.delta.as_secs()).unwrap_or(i64::MAX));
    // A file that cannot be written means the next run alerts again.
    let _ = st.write(
        &path,
        &securityevents::seen_json(opts, events, window_start, VERSION),
        SEEN_CAP,
    );
    for n in st.take_notes() {
        s.trace.log(|| n);
    }
    Some(seen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: &str, time: i64) -> Event {
        Event {
            event_id: id.to_owned(),
            time: Some(time),
            event_name: Some("CreateVpc".into()),
            resources: vec![(Some("AWS::EC2::VPC".into()), None)],
            ..Event::default()
        }
    }

    #[test]
    fn the_events_file_round_trips_and_refuses_what_it_did_not_write() {
        let events = vec![ev("a", 10), ev("b", 20)];
        let mut buf = Vec::new();
        encode_events(&mut buf, 3600, 30, &events).unwrap();
        let back = decode_events(&buf[..]).unwrap();
        assert_eq!((back.delta, back.end, back.events), (3600, 30, events));
        let text = String::from_utf8(buf.clone()).unwrap();
        assert_eq!(text.lines().count(), 3, "a header and a row per event");
        assert!(text.lines().nth(1).unwrap().starts_with("[\"a\",10,"));
        let cut = text.rsplitn(3, '\n').nth(2).unwrap();
        assert!(decode_events(cut.as_bytes()).unwrap_err().contains("fewer"));
        let more = format!("{text}{}\n", ev("c", 1).to_row());
        assert!(decode_events(more.as_bytes()).unwrap_err().contains("more"));
        let over = text.replace(
            "\"count\":2",
            &format!("\"count\":{}", MAX_CACHED_EVENTS + 1),
        );
        assert!(decode_events(over.as_bytes()).unwrap_err().contains("over"));
        for bad in ["", "{}", "{\"version\":1,\"format\":3}", "[1]\n[2]"] {
            assert!(decode_events(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn memory_per_cached_event() {
        // The figure the README gives (~1 KB an event): the struct, and
        // its strings at typical lengths.
        assert!(
            std::mem::size_of::<Event>() <= 512,
            "{}",
            std::mem::size_of::<Event>()
        );
    }
}
