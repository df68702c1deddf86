//! The orchestration of one check: the state directory and pacing once,
//! then for each region (one, or `--regions`) a [`Backend`] fetches what
//! the mode reads and the mode turns it into an [`Outcome`]; several
//! regions or trails are combined into one.

mod bucket;
pub(crate) mod integrity;
mod logsource;
pub(crate) mod logstate;
mod pool;
mod posture;
pub(crate) mod window;

use std::time::Instant;

use std::borrow::Cow;

use crate::aws::backend::{self, AWSCLI_OVERRIDE, Backend, Context, CustomMode};
use crate::aws::cloudtrail::Event;
use crate::aws::connection::Connection;
use crate::aws::credentials::SharedFiles;
use crate::aws::quota::{LocalPacer, SharedBucket, Throttle};
use crate::clock::{Clock, Deadline};
use crate::config::{Config, Mode, Trails};
use crate::env::Env;
use crate::error::Error;
use crate::modes::counted::Tally;
use crate::modes::countevents::Source;
use crate::modes::listtrails::Disco;
use crate::modes::{
    checktrailstatus, cis, countevents, listtrails, securityevents, traildelivery, trailsecurity,
};
use crate::output::{Entry, Outcome};
use crate::statefile::StateDir;
use crate::status::State;
use crate::trace::Trace;

/// What every region's check shares: the configuration, the outside
/// world, the state directory and the pacing, and the trace.
pub struct Session<'a> {
    pub cfg: &'a Config,
    pub ctx: Context<'a>,
    pub connection: &'a Connection,
    pub trace: &'a mut Trace,
}

/// Where and when one region is checked: `now` is read once, at the top.
struct Region<'r> {
    name: &'r str,
    now: i64,
    deadline: Instant,
    /// securityevents: the global events come from another region's run
    /// of the same `--regions` check (so they count once).
    global_elsewhere: bool,
}

/// Runs one check. The clock gives every instant used; the trace collects
/// the debug lines and every secret met on the way.
pub fn run(
    cfg: &Config,
    env: &dyn Env,
    files: &Result<SharedFiles, Error>,
    clock: &dyn Clock,
    trace: &mut Trace,
) -> Result<Outcome, Error> {
    let start = clock.now();
    let opened = StateDir::open(
        &cfg.state,
        env.var("HOME").as_deref(),
        env.var("XDG_CACHE_HOME").as_deref(),
        env.current_dir().as_deref(),
        clock.epoch(),
    );
    for n in opened.notes {
        trace.log(|| n);
    }
    let state = opened.dir;
    match &state {
        Some(s) => trace.log(|| format!("state directory: {}", s.dir().display())),
        None => trace.log(|| "state directory: none (pacing this check alone)".to_owned()),
    }
    let throttle: Box<dyn Throttle> = match &state {
        Some(s) => Box::new(SharedBucket::new(s, cfg.rates)),
        None => Box::new(LocalPacer::new(cfg.rates)),
    };
    let client = client(cfg, env, trace)?;
    if client == CustomMode::AwsCli && matches!(cfg.mode, Mode::LogIntegrity(_)) {
        return Err(Error::Option(
            "--custommode=awscli: validate-logs has no incremental form; logintegrity needs \
             the built-in client (--custommode=api, or CHECK_CLOUDTRAIL_AWSCLI=builtin on the \
             poller)."
                .into(),
        ));
    }
    if client == CustomMode::AwsCli && matches!(cfg.mode, Mode::BucketPosture(_)) {
        return Err(Error::Option(
            "--custommode=awscli: bucketposture would start six aws s3api/s3control processes \
             a check for what the built-in client reads in one; it needs the built-in client \
             (--custommode=api, or CHECK_CLOUDTRAIL_AWSCLI=builtin on the poller)."
                .into(),
        ));
    }
    if client == CustomMode::AwsCli && log_source(&cfg.mode).is_some() {
        return Err(Error::Option(
            "--custommode=awscli: --source=s3 reads the log files as they download, which \
             aws s3 cp would first write to disk whole; it needs the built-in client \
             (--custommode=api, or CHECK_CLOUDTRAIL_AWSCLI=builtin on the poller)."
                .into(),
        ));
    }
    // --command-options replaces the one command upstream's modes run
    // (get-trail-status, lookup-events): the other modes never took it.
    let custom_command = matches!(
        cfg.mode,
        Mode::CheckTrailStatus { .. } | Mode::CountEvents(_) | Mode::SecurityEvents { .. }
    );
    let connection = if custom_command || cfg.connection.awscli.command_options.is_none() {
        Cow::Borrowed(&cfg.connection)
    } else {
        let mut c = cfg.connection.clone();
        c.awscli.command_options = None;
        Cow::Owned(c)
    };
    let mut session = Session {
        cfg,
        ctx: Context {
            client,
            limit: cfg.limit,
            env,
            files,
            clock,
            state: state.as_ref(),
            throttle: &*throttle,
        },
        connection: &connection,
        trace,
    };
    // Several regions share the one time budget.
    let result = regions(&mut session, start + cfg.timeout);
    // What the buckets and caches ignored in the state directory.
    if let Some(s) = &state {
        for n in s.take_notes() {
            session.trace.log(|| n);
        }
    }
    result
}

/// The check of the one region, or of each of `--regions`.
fn regions(session: &mut Session<'_>, deadline: Instant) -> Result<Outcome, Error> {
    let (cfg, clock) = (session.cfg, session.ctx.clock);
    if cfg.regions.is_empty() {
        return check_region(
            session,
            &Region {
                name: &cfg.region,
                now: clock.epoch(),
                deadline,
                global_elsewhere: false,
            },
        );
    }
    // securityevents reads the global events once: in the home region if
    // it is one of those checked, else along with the first region.
    let home = cfg
        .regions
        .iter()
        .find(|r| cis::home_region(r) == r.as_str())
        .or(cfg.regions.first());
    let mut each = Vec::new();
    for region in &cfg.regions {
        if deadline.saturating_duration_since(clock.now()).is_zero() {
            return Err(Error::Timeout {
                op: "--regions",
                limit: cfg.limit,
            });
        }
        session.trace.log(|| format!("region {region}"));
        let at = Region {
            name: region,
            now: clock.epoch(),
            deadline,
            global_elsewhere: Some(region) != home,
        };
        each.push((region.clone(), check_region(session, &at)?));
    }
    Ok(combine(each, &REGIONS))
}

/// The client that runs: `--custommode`, unless the poller says every
/// awscli check is to use the built-in client ([`AWSCLI_OVERRIDE`]).
fn client(cfg: &Config, env: &dyn Env, trace: &mut Trace) -> Result<CustomMode, Error> {
    match (cfg.custom_mode, env.var(AWSCLI_OVERRIDE).as_deref()) {
        // The built-in client's checks never read it: a typo there must
        // not turn them UNKNOWN.
        (CustomMode::Api, _) => Ok(CustomMode::Api),
        (mode, None | Some("aws")) => Ok(mode),
        (CustomMode::AwsCli, Some("builtin")) => {
            trace.log(|| {
                format!("--custommode=awscli runs the built-in client ({AWSCLI_OVERRIDE}=builtin)")
            });
            Ok(CustomMode::Api)
        }
        (_, Some(other)) => Err(Error::Option(format!(
            "{AWSCLI_OVERRIDE}='{other}': must be 'builtin' (run --custommode=awscli checks with the built-in client) or 'aws'."
        ))),
    }
}

/// One region's check; credentials cached in the state directory that
/// AWS no longer takes (revoked, expired early) are fetched again, once.
fn check_region(s: &mut Session<'_>, at: &Region<'_>) -> Result<Outcome, Error> {
    let b = Backend::open(s.connection, s.ctx, at.name, (at.now, at.deadline), s.trace)?;
    match check(s, &b, at) {
        Err(e) if b.renewed_after(&e, s.trace)? => check(s, &b, at),
        other => other,
    }
}

/// The run's deadline, for the modes' matching loops.
fn deadline<'a>(s: &Session<'a>, at: &Region<'_>) -> Deadline<'a> {
    Deadline::new(s.ctx.clock, at.deadline, s.cfg.limit)
}

/// One `match` on the mode: each arm fetches, then evaluates.
fn check(s: &mut Session<'_>, b: &Backend<'_>, at: &Region<'_>) -> Result<Outcome, Error> {
    let now = at.now;
    match &s.cfg.mode {
        Mode::CheckTrailStatus { trails } => each_trail(b, trails, s.trace, |b, name, trace| {
            Ok(checktrailstatus::evaluate(&b.trail_status(name, trace)?))
        }),
        Mode::TrailDelivery { trails, thresholds } => {
            each_trail(b, trails, s.trace, |b, name, trace| {
                let trail = b.describe_trail(name, trace)?;
                // A trail's ARN finds its status from any region.
                let status = b.trail_status(trail.arn.as_deref().unwrap_or(name), trace)?;
                Ok(traildelivery::evaluate(thresholds, &trail, &status, now))
            })
        }
        Mode::TrailSecurity { trails, opts } => each_trail(b, trails, s.trace, |b, name, trace| {
            let trail = b.describe_trail(name, trace)?;
            let name = trail.arn.as_deref().unwrap_or(name);
            let selectors = b.event_selectors(name, trace)?;
            let status = b.trail_status(name, trace)?;
            let insights = if opts.selects("insights") {
                Some(b.insights(name, trace)?)
            } else {
                None
            };
            let facts = trailsecurity::facts(opts, (&trail, &status), &selectors, insights);
            Ok(trailsecurity::evaluate(opts, &trail, &facts))
        }),
        Mode::ListTrails {
            filter,
            disco,
            json,
        } => {
            // The discovery macros need no call.
            let mut trails = match disco {
                Some(Disco::Format) => Vec::new(),
                _ => b.list_trails(s.trace)?,
            };
            trails.retain(|t| filter.as_ref().is_none_or(|re| re.is_match(&t.name)));
            Ok(match disco {
                Some(kind) => Outcome {
                    raw: Some(listtrails::disco(*kind, &trails, *json)),
                    ..Outcome::default()
                },
                None => listtrails::list(&trails),
            })
        }
        Mode::CountEvents(opts) => {
            let d = deadline(s, at);
            if let Source::S3(src) = &opts.source {
                let own = logsource::own_arns(s.connection);
                let tags = |e: &Event| {
                    u16::from(
                        countevents::in_query(opts, e)
                            && countevents::matches(opts, e)
                            && !(opts.exclude_self && is_own(&own, e)),
                    )
                };
                let filters = countevents::filter_key(opts, &own);
                let read = logsource::Read {
                    opts,
                    src,
                    region: at.name,
                    now,
                    tags: &tags,
                    filters: &filters,
                    long: s.cfg.long,
                    state: s.ctx.state,
                };
                let events = logsource::events(b, &read, s.trace)?;
                s.trace
                    .log(|| format!("log files: {} events kept", events.len()));
                return countevents::evaluate_tally(opts, &events, &d);
            }
            let read = window::events(s, b, opts, (now, &d), b.scope())?;
            if read.complete {
                s.trace
                    .log(|| format!("LookupEvents: {} events in the window", read.events.len()));
            } else {
                s.trace.log(|| {
                    format!(
                        "LookupEvents: {} events read, already CRITICAL (--stop-at-critical)",
                        read.events.len()
                    )
                });
            }
            countevents::evaluate_read(opts, &read.events, read.complete, &d)
        }
        Mode::SecurityEvents { read, opts } if read.source != Source::Api => {
            let d = deadline(s, at);
            let events = security_log_files(s, b, at, (read, opts))?;
            let seen = window::seen(s, opts, read, &events, now, at.name);
            s.trace
                .log(|| format!("log files: {} events kept", events.len()));
            securityevents::evaluate(opts, &events, seen.as_ref(), &d)
        }
        Mode::SecurityEvents { read, opts } => {
            let d = deadline(s, at);
            let mut reads = vec![window::events(s, b, read, (now, &d), b.scope())?.events];
            if let Some(home) = home_region_read(s.cfg, at, opts) {
                s.trace
                    .log(|| format!("LookupEvents: global events from {home}"));
                let global = window::events(
                    s,
                    &b.at(home)?,
                    read,
                    (now, &d),
                    &format!("{}|global|{home}", b.scope()),
                )?;
                reads.push(global_only(global.events));
            }
            let events = Tally::of_events(securityevents::dedupe(reads));
            let seen = window::seen(s, opts, read, &events, now, at.name);
            s.trace
                .log(|| format!("LookupEvents: {} events in the window", events.len()));
            securityevents::evaluate(opts, &events, seen.as_ref(), &d)
        }
        Mode::LogIntegrity(integrity) => integrity::check(b, integrity, now, s.ctx.state, s.trace),
        Mode::BucketPosture(posture) => posture::check(b, posture, now, s.connection, s.trace),
    }
}

/// `--source=s3`'s trail, when a mode reads its window so.
fn log_source(mode: &Mode) -> Option<&countevents::LogSource> {
    let read = match mode {
        Mode::CountEvents(opts) => opts,
        Mode::SecurityEvents { read, .. } => read,
        _ => return None,
    };
    match &read.source {
        Source::S3(src) => Some(src),
        Source::Api => None,
    }
}

/// `--exclude-self` on log files: our sessions' records too (the log
/// bucket's data events record our own reads).
fn is_own(own: &[String], e: &Event) -> bool {
    countevents::is_ours(e) || e.user_arn.as_ref().is_some_and(|a| own.contains(a))
}

/// securityevents' events from the log files of the region, and — as the
/// api source does — the global services' events from the home region's
/// folder.
fn security_log_files(
    s: &mut Session<'_>,
    b: &Backend<'_>,
    at: &Region<'_>,
    (read, opts): (&countevents::Options, &securityevents::Options),
) -> Result<Tally, Error> {
    let Source::S3(src) = &read.source else {
        return Err(Error::Internal("not the log-file source".into()));
    };
    let tags = |e: &Event| {
        if countevents::in_query(read, e) {
            securityevents::tags(opts, e)
        } else {
            0
        }
    };
    let filters = securityevents::filter_key(opts, read);
    let mut events = logsource::events(
        b,
        &logsource::Read {
            opts: read,
            src,
            region: at.name,
            now: at.now,
            tags: &tags,
            filters: &filters,
            long: s.cfg.long,
            state: s.ctx.state,
        },
        s.trace,
    )?;
    if let Some(home) = home_region_read(s.cfg, at, opts) {
        s.trace
            .log(|| format!("log files: global events from {home}"));
        let global = |e: &Event| if is_global(e) { tags(e) } else { 0 };
        let filters = format!("{filters}|global");
        let more = logsource::events(
            b,
            &logsource::Read {
                opts: read,
                src,
                region: home,
                now: at.now,
                tags: &global,
                filters: &filters,
                long: s.cfg.long,
                state: s.ctx.state,
            },
            s.trace,
        )?;
        events.full.extend(more.full);
        events.compact.extend(more.compact);
        events.dedupe();
    }
    Ok(events)
}

/// A trail mode's check of one trail, or of every trail visible in the
/// region (those whose name matches), each asked by ARN in its home
/// region and combined.
fn each_trail(
    b: &Backend<'_>,
    trails: &Trails,
    trace: &mut Trace,
    one: impl Fn(&Backend<'_>, &str, &mut Trace) -> Result<Outcome, Error>,
) -> Result<Outcome, Error> {
    let filter = match trails {
        Trails::One(name) => return one(b, name, trace),
        Trails::All(filter) => filter,
    };
    let mut each = Vec::new();
    for t in b
        .list_trails(trace)?
        .into_iter()
        .filter(|t| filter.as_ref().is_none_or(|re| re.is_match(&t.name)))
    {
        // Shadow and organization trails are asked in their home region.
        let home = b.at(t.home_region.as_deref().unwrap_or(b.region()))?;
        let name = t.arn.as_deref().unwrap_or(&t.name);
        each.push((t.name.clone(), one(&home, name, trace)?));
    }
    if each.is_empty() {
        // An account without a trail records nothing.
        return Ok(Outcome::single(
            State::Critical,
            format!("no trail found in {}", b.region()),
        ));
    }
    Ok(combine(each, &TRAILS))
}

/// How instances of a check (regions, trails) are shown as one.
struct Instances {
    /// `All N <plural> are ok`.
    plural: &'static str,
    /// Perfdata `<instance><separator><metric>`: Centreon's separators.
    separator: char,
    /// A message that already names its instance (`Trail <name> …`) is
    /// not prefixed again.
    named: &'static str,
}

const REGIONS: Instances = Instances {
    plural: "regions",
    separator: '~',
    named: "",
};

const TRAILS: Instances = Instances {
    plural: "trails",
    separator: '#',
    named: "Trail ",
};

/// Several outcomes as one: the worst state wins, each message prefixed
/// with its instance, every instance's lines in the long output, perfdata
/// per instance; all OK is one line.
fn combine(each: Vec<(String, Outcome)>, kind: &Instances) -> Outcome {
    let mut out = Outcome::default();
    let count = each.len();
    for (name, o) in each {
        for e in o.entries {
            let names_itself =
                !kind.named.is_empty() && e.text.starts_with(&format!("{}{name}", kind.named));
            let text = if names_itself {
                e.text
            } else {
                format!("{name}: {}", e.text)
            };
            out.long.push(format!("{}: {text}", e.state.label()));
            out.entries.push(Entry {
                state: e.state,
                text,
            });
        }
        for l in o.long {
            out.long.push(format!("  {name}: {l}"));
        }
        for mut p in o.perfdata {
            p.label = format!("{name}{}{}", kind.separator, p.label);
            out.perfdata.push(p);
        }
    }
    if out.state() == State::Ok {
        out.entries = vec![Entry {
            state: State::Ok,
            text: format!("All {count} {} are ok", kind.plural),
        }];
    }
    out
}

/// securityevents: the home region to read as well, when a selected
/// category can see global events, the region is another one and no
/// `--endpoint-url` pins the one endpoint to read.
fn home_region_read(
    cfg: &Config,
    at: &Region<'_>,
    opts: &securityevents::Options,
) -> Option<&'static str> {
    let home = cis::home_region(at.name);
    (cfg.connection.endpoint.is_none()
        && !at.global_elsewhere
        && home != at.name
        && opts.selected.iter().any(|(c, _)| cis::needs_global(c)))
    .then_some(home)
}

/// The global services' events of the home region read: its regional
/// events belong to that region's own check.
fn global_only(mut events: Vec<Event>) -> Vec<Event> {
    events.retain(is_global);
    events
}

/// An event of a global service (IAM, Organizations, sign-in).
fn is_global(e: &Event) -> bool {
    e.event_source
        .as_deref()
        .is_some_and(|s| cis::GLOBAL_SOURCES.contains(&s))
}

/// Who the check runs as, before any call: the scope of what is kept per
/// configured identity.
fn configured_scope(s: &Session<'_>, region: &str) -> String {
    backend::scope(
        s.connection,
        backend::configured_identity(s.connection),
        region,
    )
}
