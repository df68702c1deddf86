//! The modes: each file turns API data into an [`Outcome`] without I/O;
//! [`run`] fetches that data for the selected mode, through the built-in
//! client or the `aws` CLI.

pub mod checktrailstatus;
pub mod cis;
pub mod countevents;
pub mod listtrails;
pub mod securityevents;
pub mod traildelivery;
pub mod trailsecurity;

use std::time::Duration;

use crate::aws::caller::{Caller, Target};
use crate::aws::cloudtrail::{self, Event, Lookup, Paged, TrailStatus};
use crate::aws::credentials::{self, Credentials, SharedFiles, World};
use crate::aws::endpoint::{self, Endpoint};
use crate::aws::quota::{LocalPacer, SharedBucket, Throttle};
use crate::aws::{awscli, http, sts};
use crate::clock::Clock;
use crate::config::{Config, CustomMode, Mode, Trails};
use crate::env::Env;
use crate::error::Error;
use crate::output::Outcome;
use crate::statefile::StateDir;
use crate::trace::Trace;

pub fn user_agent() -> String {
    format!("check_cloudtrail/{}", env!("CARGO_PKG_VERSION"))
}

/// What a mode reads, whichever way it was fetched.
enum Data {
    Status(TrailStatus),
    Events(Paged),
    Delivery(Box<cloudtrail::Trail>, TrailStatus),
    Security(Box<cloudtrail::Trail>, TrailStatus, bool),
    Trails(Vec<cloudtrail::Trail>),
    /// securityevents: the window's events, each once, and whether every
    /// read was whole.
    Watch(Vec<Event>, Option<std::collections::HashSet<String>>),
    /// `--all-trails`/`--filter-trail-name`: one datum per trail, by name,
    /// and the region they were asked in.
    Many(Vec<(String, Data)>, String),
}

/// Runs one check. The clock gives every instant used; `secrets` collects
/// every secret met on the way, so the printed text can be scrubbed of it.
pub fn run(
    cfg: &Config,
    env: &dyn Env,
    clock: &dyn Clock,
    trace: &mut Trace,
    secrets: &mut Vec<String>,
) -> Result<Outcome, Error> {
    if cfg.regions.is_empty() {
        return run_region(cfg, env, clock, trace, secrets);
    }
    // Several regions share the one time budget.
    let deadline = clock.now() + cfg.timeout;
    let mut each = Vec::new();
    // securityevents reads the global events once: in the home region if
    // it is one of those checked, else along with the first region.
    let home = cfg
        .regions
        .iter()
        .find(|r| cis::home_region(r) == r.as_str())
        .or(cfg.regions.first());
    for region in &cfg.regions {
        let left = deadline.saturating_duration_since(clock.now());
        if left.is_zero() {
            return Err(Error::Timeout {
                op: "--regions",
                limit: cfg.limit,
            });
        }
        let one = Config {
            region: region.clone(),
            regions: Vec::new(),
            global_elsewhere: Some(region) != home,
            timeout: left,
            ..cfg.clone()
        };
        trace.log(|| format!("region {region}"));
        each.push((
            region.clone(),
            run_region(&one, env, clock, trace, secrets)?,
        ));
    }
    Ok(combine_regions(each))
}

/// Regions' outcomes as one: `region: …` messages, perfdata
/// `region~<label>` (Centreon's separator between instances), the worst
/// state wins.
fn combine_regions(each: Vec<(String, Outcome)>) -> Outcome {
    let mut out = Outcome::default();
    let count = each.len();
    for (region, o) in each {
        for e in o.entries {
            out.long
                .push(format!("{}: {region}: {}", e.state.label(), e.text));
            out.entries.push(crate::output::Entry {
                state: e.state,
                text: format!("{region}: {}", e.text),
            });
        }
        for l in o.long {
            out.long.push(format!("  {region}: {l}"));
        }
        for mut p in o.perfdata {
            p.label = format!("{region}~{}", p.label);
            out.perfdata.push(p);
        }
    }
    if out.state() == crate::status::State::Ok {
        out.entries = vec![crate::output::Entry {
            state: crate::status::State::Ok,
            text: format!("All {count} regions are ok"),
        }];
    }
    out
}

fn run_region(
    cfg: &Config,
    env: &dyn Env,
    clock: &dyn Clock,
    trace: &mut Trace,
    secrets: &mut Vec<String>,
) -> Result<Outcome, Error> {
    let deadline = clock.now() + cfg.timeout;
    let state = StateDir::open(
        &cfg.state,
        env.var("HOME").as_deref(),
        env.var("XDG_CACHE_HOME").as_deref(),
        std::env::current_dir().ok().as_deref(),
    );
    match &state {
        Some(s) => trace.log(|| format!("state directory: {}", s.dir().display())),
        None => trace.log(|| "state directory: none (pacing this check alone)".to_owned()),
    }
    let endpoint_name = cfg.endpoint.clone().unwrap_or_default();
    let throttle: Box<dyn Throttle> = match &state {
        Some(s) => Box::new(SharedBucket {
            state: s,
            rates: cfg.rates,
            scope: std::sync::Mutex::new(format!("sts|{}|{endpoint_name}", cfg.region)),
            fallback: LocalPacer::new(cfg.rates),
        }),
        None => Box::new(LocalPacer::new(cfg.rates)),
    };
    let account = cfg
        .role
        .as_ref()
        .and_then(|r| r.arn.split(':').nth(4).map(str::to_owned))
        .filter(|a| !a.is_empty());
    let scope_for = |access_key: &str| {
        format!(
            "{}|{}|{endpoint_name}",
            account.clone().unwrap_or_else(|| access_key.to_owned()),
            cfg.region
        )
    };
    // Who the check runs as before any call: the scope of the aws CLI's
    // pacing and of securityevents' seen events.
    let configured_identity = cfg
        .credentials
        .access_key
        .as_deref()
        .or(cfg.credentials.profile.as_deref())
        .unwrap_or("default");
    let window = |d: Duration| {
        let end = clock.epoch();
        let delta = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        (end.saturating_sub(delta), end)
    };
    // The aws CLI reads the whole window each run (no incremental cache).
    let lookup_of = |opts: &countevents::Options| {
        let (start, end) = window(opts.delta);
        Lookup {
            start,
            end,
            max_pages: opts.max_pages,
            query: opts.query.clone(),
        }
    };
    let data = match cfg.custom_mode {
        CustomMode::Api => fetch_api(
            cfg,
            env,
            clock,
            deadline,
            state.as_ref(),
            &*throttle,
            &scope_for,
            &window,
            trace,
            secrets,
        )?,
        CustomMode::AwsCli => {
            let cli = awscli::Cli {
                opts: &cfg.awscli,
                region: &cfg.region,
                endpoint: cfg.endpoint.as_deref(),
                sts_endpoint: cfg.sts_endpoint.as_deref(),
                credentials: &cfg.credentials,
                role: cfg.role.as_ref(),
                proxy: cfg.proxy.as_ref().map(|p| p.0.as_str()),
                ca_bundle: cfg.ca_bundle.as_deref(),
                skip_ssl_check: cfg.skip_ssl_check,
                fips: cfg.fips,
                deadline,
                limit: cfg.limit,
                clock,
                throttle: &*throttle,
            };
            throttle.set_scope(scope_for(configured_identity));
            match &cfg.mode {
                Mode::CheckTrailStatus {
                    trails: Trails::One(trail_name),
                } => Data::Status(awscli::trail_status(&cli, trail_name, trace, secrets)?),
                Mode::TrailDelivery {
                    trails: Trails::One(trail_name),
                    ..
                } => {
                    let (t, s) = awscli::trail_and_status(&cli, trail_name, trace, secrets)?;
                    Data::Delivery(Box::new(t), s)
                }
                Mode::ListTrails { disco, .. } => {
                    if *disco == Some(listtrails::Disco::Format) {
                        Data::Trails(Vec::new())
                    } else {
                        Data::Trails(awscli::list_trails(&cli, trace, secrets)?)
                    }
                }
                Mode::TrailSecurity {
                    trails: Trails::One(trail_name),
                    ..
                } => {
                    let (t, s) = awscli::trail_and_status(&cli, trail_name, trace, secrets)?;
                    let name = t.arn.clone().unwrap_or_else(|| trail_name.clone());
                    let management = awscli::management_events(&cli, &name, trace, secrets)?;
                    Data::Security(Box::new(t), s, management)
                }
                Mode::CountEvents(opts) => {
                    let lookup = lookup_of(opts);
                    let mut stop = |events: &[Event]| {
                        opts.stop_at_critical
                            && countevents::critical_already(opts, countevents::count(opts, events))
                    };
                    Data::Events(awscli::lookup_events(
                        &cli, &lookup, &mut stop, trace, secrets,
                    )?)
                }
                Mode::SecurityEvents { read, opts } => {
                    let lookup = lookup_of(read);
                    let mut reads = vec![
                        awscli::lookup_events(&cli, &lookup, &mut |_| false, trace, secrets)?
                            .events,
                    ];
                    if let Some(home) = home_region_read(cfg, opts) {
                        let cli = awscli::Cli {
                            region: home,
                            ..cli
                        };
                        let global =
                            awscli::lookup_events(&cli, &lookup, &mut |_| false, trace, secrets)?;
                        reads.push(global_only(global.events));
                    }
                    Data::Watch(securityevents::dedupe(reads), None)
                }
                _ => return Err(Error::Internal("several trails through the aws CLI".into())),
            }
        }
    };
    let data = match (data, &cfg.mode, state.as_ref()) {
        (Data::Watch(events, _), Mode::SecurityEvents { read, opts }, Some(s)) => {
            let labels: Vec<&str> = opts.selected.iter().map(|(c, _)| c.label).collect();
            let path = s.file(
                "seen",
                &format!("{}|{}", scope_for(configured_identity), labels.join(",")),
            );
            let previous = s.read(&path);
            let seen = securityevents::seen_before(previous.as_ref());
            let (window_start, _) = window(read.delta);
            let _ = s.write(
                &path,
                &securityevents::seen_json(opts, &events, window_start, crate::statefile::VERSION),
            );
            Data::Watch(events, Some(seen))
        }
        (d, _, _) => d,
    };
    evaluate(&cfg.mode, data, clock, trace)
}

/// A mode's outcome from its data; several trails are checked one by one
/// and combined.
fn evaluate(
    mode: &Mode,
    data: Data,
    clock: &dyn Clock,
    trace: &mut Trace,
) -> Result<Outcome, Error> {
    Ok(match (mode, data) {
        (Mode::CheckTrailStatus { .. }, Data::Status(s)) => checktrailstatus::evaluate(&s),
        (Mode::TrailDelivery { thresholds, .. }, Data::Delivery(t, s)) => {
            traildelivery::evaluate(thresholds, &t, &s, clock.epoch())
        }
        (
            Mode::ListTrails {
                filter,
                disco,
                json,
            },
            Data::Trails(mut trails),
        ) => {
            trails.retain(|t| filter.as_ref().is_none_or(|re| re.is_match(&t.name)));
            match disco {
                Some(kind) => Outcome {
                    raw: Some(listtrails::disco(*kind, &trails, *json)),
                    ..Outcome::default()
                },
                None => listtrails::list(&trails),
            }
        }
        (Mode::TrailSecurity { opts, .. }, Data::Security(t, s, management)) => {
            trailsecurity::evaluate(opts, &t, &trailsecurity::facts(&t, &s, management))
        }
        (Mode::SecurityEvents { opts, .. }, Data::Watch(events, seen)) => {
            trace.log(|| format!("LookupEvents: {} events in the window", events.len()));
            securityevents::evaluate(opts, &events, seen.as_ref())
        }
        (Mode::CountEvents(opts), Data::Events(read)) => {
            if read.complete {
                trace.log(|| format!("LookupEvents: {} events in the window", read.events.len()));
            } else {
                trace.log(|| {
                    format!(
                        "LookupEvents: {} events read, already CRITICAL (--stop-at-critical)",
                        read.events.len()
                    )
                });
            }
            countevents::evaluate_read(opts, &read.events, read.complete)
        }
        (_, Data::Many(per_trail, region)) => {
            let mut each = Vec::new();
            for (name, d) in per_trail {
                each.push((name, evaluate(mode, d, clock, trace)?));
            }
            combine(each, &region)
        }
        _ => return Err(Error::Internal("mode and data disagree".into())),
    })
}

/// Several trails' outcomes as one: the worst state wins, perfdata named
/// `<trail>#<metric>` (Centreon's instance convention), every trail's
/// lines in the long output; no trail at all is CRITICAL (an account
/// without a trail records nothing).
fn combine(each: Vec<(String, Outcome)>, region: &str) -> Outcome {
    if each.is_empty() {
        return Outcome::single(
            crate::status::State::Critical,
            format!("no trail found in {region}"),
        );
    }
    let mut out = Outcome::default();
    for (name, o) in &each {
        for e in &o.entries {
            let text = if e.text.starts_with(&format!("Trail {name}")) {
                e.text.clone()
            } else {
                format!("{name}: {}", e.text)
            };
            out.long.push(format!("{}: {text}", e.state.label()));
            out.entries.push(crate::output::Entry {
                state: e.state,
                text,
            });
        }
        for l in &o.long {
            out.long.push(format!("  {name}: {l}"));
        }
        for p in &o.perfdata {
            let mut p = p.clone();
            p.label = format!("{name}#{}", p.label);
            out.perfdata.push(p);
        }
    }
    if out.state() == crate::status::State::Ok {
        out.entries = vec![crate::output::Entry {
            state: crate::status::State::Ok,
            text: format!("All {} trails are ok", each.len()),
        }];
    }
    out
}

/// The built-in client: credentials chain, optional role, then the call.
#[allow(clippy::too_many_arguments)]
fn fetch_api(
    cfg: &Config,
    env: &dyn Env,
    clock: &dyn Clock,
    deadline: std::time::Instant,
    state: Option<&StateDir>,
    throttle: &dyn Throttle,
    scope_for: &dyn Fn(&str) -> String,
    window: &dyn Fn(Duration) -> (i64, i64),
    trace: &mut Trace,
    secrets: &mut Vec<String>,
) -> Result<Data, Error> {
    let ca_bundle = match &cfg.ca_bundle {
        None => None,
        Some(path) => Some(
            env.read_file(std::path::Path::new(path))
                .map(String::into_bytes)
                .map_err(|e| Error::Option(format!("--ca-bundle '{path}': cannot read it: {e}")))?,
        ),
    };
    if cfg.skip_ssl_check {
        trace.log(|| "TLS: certificate verification is OFF (--skip-ssl-check)".to_owned());
    }
    let options = http::Options {
        proxy: cfg
            .proxy
            .clone()
            .map_or(http::ProxySetting::Environment, http::ProxySetting::Url),
        user_agent: user_agent(),
        ca_bundle,
        skip_verify: cfg.skip_ssl_check,
    };
    let net = http::Client::new(&options, deadline).map_err(|e| match e {
        http::TransportError::Tls(m) => Error::Option(format!("--ca-bundle: {m}")),
        other => Error::Option(format!("--proxyurl: {other}")),
    })?;
    let local = http::Client::new(
        &http::Options {
            proxy: http::ProxySetting::Direct,
            ..options.clone()
        },
        deadline,
    )
    .map_err(|e| Error::Option(e.to_string()))?;
    let max_attempts = env
        .var("AWS_MAX_ATTEMPTS")
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|n| (1..=10).contains(n))
        .unwrap_or(3);
    let caller = Caller {
        http: &net,
        clock,
        limit: cfg.limit,
        max_attempts,
        throttle,
    };
    let ct_endpoint = endpoint::resolve(
        "cloudtrail",
        &cfg.region,
        cfg.fips,
        cfg.endpoint.as_deref(),
        env,
    )
    .map_err(Error::Option)?;
    let mut creds = credentials_for(
        cfg, env, &caller, &local, state, false, clock, trace, secrets,
    )?;
    throttle.set_scope(scope_for(creds.access_key()));
    trace.log(|| {
        format!(
            "credentials: access key {} from {}",
            creds.access_key(),
            creds.source()
        )
    });
    let scope = scope_for(creds.access_key());
    let read = |creds: &Credentials, trace: &mut Trace| -> Result<Data, Error> {
        let client = cloudtrail::Client {
            caller: &caller,
            creds,
            endpoint: &ct_endpoint,
            region: &cfg.region,
        };
        if let Mode::CheckTrailStatus {
            trails: Trails::All(filter),
        }
        | Mode::TrailDelivery {
            trails: Trails::All(filter),
            ..
        }
        | Mode::TrailSecurity {
            trails: Trails::All(filter),
            ..
        } = &cfg.mode
        {
            let trails = client.list_trails(LIST_PAGES, trace)?;
            let mut per_trail = Vec::new();
            for t in trails
                .into_iter()
                .filter(|t| filter.as_ref().is_none_or(|re| re.is_match(&t.name)))
            {
                // Shadow and organization trails are asked by ARN, in
                // their home region (unless an endpoint is forced).
                let region = t.home_region.clone().unwrap_or_else(|| cfg.region.clone());
                let home = if cfg.endpoint.is_none() && region != cfg.region {
                    Some(
                        endpoint::resolve("cloudtrail", &region, cfg.fips, None, env)
                            .map_err(Error::Option)?,
                    )
                } else {
                    None
                };
                let client = cloudtrail::Client {
                    caller: &caller,
                    creds,
                    endpoint: home.as_ref().unwrap_or(&ct_endpoint),
                    region: if home.is_some() { &region } else { &cfg.region },
                };
                let name = t.arn.clone().unwrap_or_else(|| t.name.clone());
                per_trail.push((t.name.clone(), one_trail(&client, &cfg.mode, &name, trace)?));
            }
            return Ok(Data::Many(per_trail, cfg.region.clone()));
        }
        Ok(match &cfg.mode {
            Mode::CheckTrailStatus {
                trails: Trails::One(trail_name),
            } => Data::Status(client.get_trail_status(trail_name, trace)?),
            Mode::TrailDelivery {
                trails: Trails::One(trail_name),
                ..
            } => {
                let trail = client.describe_trail(trail_name, trace)?;
                // A trail's ARN finds its status from any region.
                let name = trail.arn.clone().unwrap_or_else(|| trail_name.clone());
                Data::Delivery(Box::new(trail), client.get_trail_status(&name, trace)?)
            }
            Mode::ListTrails { disco, .. } => {
                // The discovery macros need no call.
                if *disco == Some(listtrails::Disco::Format) {
                    Data::Trails(Vec::new())
                } else {
                    Data::Trails(client.list_trails(LIST_PAGES, trace)?)
                }
            }
            Mode::TrailSecurity {
                trails: Trails::One(trail_name),
                ..
            } => {
                let trail = client.describe_trail(trail_name, trace)?;
                let name = trail.arn.clone().unwrap_or_else(|| trail_name.clone());
                let management = client.management_events(&name, trace)?;
                let status = client.get_trail_status(&name, trace)?;
                Data::Security(Box::new(trail), status, management)
            }
            Mode::CheckTrailStatus { .. }
            | Mode::TrailDelivery { .. }
            | Mode::TrailSecurity { .. } => unreachable!(),
            Mode::CountEvents(opts) => {
                Data::Events(count_window(&client, opts, state, &scope, window, trace)?)
            }
            Mode::SecurityEvents { read, opts } => {
                let mut reads =
                    vec![count_window(&client, read, state, &scope, window, trace)?.events];
                if let Some(home) = home_region_read(cfg, opts) {
                    let endpoint = endpoint::resolve("cloudtrail", home, cfg.fips, None, env)
                        .map_err(Error::Option)?;
                    let client = cloudtrail::Client {
                        caller: &caller,
                        creds,
                        endpoint: &endpoint,
                        region: home,
                    };
                    trace.log(|| format!("LookupEvents: global events from {home}"));
                    let scope = format!("{scope}|global|{home}");
                    let global = count_window(&client, read, state, &scope, window, trace)?;
                    reads.push(global_only(global.events));
                }
                Data::Watch(securityevents::dedupe(reads), None)
            }
        })
    };
    match read(&creds, trace) {
        // Cached role credentials that AWS no longer takes (revoked,
        // expired early): drop them, assume the role again, once.
        Err(Error::Api { code, .. })
            if creds.source().ends_with(CACHED) && REJECTED.contains(&code.as_str()) =>
        {
            trace.log(|| {
                format!("credentials: cached role credentials rejected ({code}), assuming again")
            });
            creds = credentials_for(
                cfg, env, &caller, &local, state, true, clock, trace, secrets,
            )?;
            read(&creds, trace)
        }
        other => other,
    }
}

use crate::aws::credentials::CACHED;

/// ListTrails pages at most (each holds many trails; an account has a
/// handful per region).
const LIST_PAGES: u32 = 20;
/// Codes that say the credentials themselves are refused.
const REJECTED: [&str; 4] = [
    "ExpiredTokenException",
    "ExpiredToken",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
];

/// One trail's data for the trail modes, by name or ARN.
fn one_trail(
    client: &cloudtrail::Client<'_>,
    mode: &Mode,
    name: &str,
    trace: &mut Trace,
) -> Result<Data, Error> {
    Ok(match mode {
        Mode::TrailDelivery { .. } => {
            let trail = client.describe_trail(name, trace)?;
            Data::Delivery(Box::new(trail), client.get_trail_status(name, trace)?)
        }
        Mode::TrailSecurity { .. } => {
            let trail = client.describe_trail(name, trace)?;
            let management = client.management_events(name, trace)?;
            let status = client.get_trail_status(name, trace)?;
            Data::Security(Box::new(trail), status, management)
        }
        _ => Data::Status(client.get_trail_status(name, trace)?),
    })
}

/// securityevents: the home region to read as well, when a selected
/// category can see global events, the region is another one and no
/// `--endpoint-url` pins the one endpoint to read.
fn home_region_read(cfg: &Config, opts: &securityevents::Options) -> Option<&'static str> {
    let home = cis::home_region(&cfg.region);
    (cfg.endpoint.is_none()
        && !cfg.global_elsewhere
        && home != cfg.region
        && opts.selected.iter().any(|(c, _)| cis::needs_global(c)))
    .then_some(home)
}

/// The global services' events of the home region read: its regional
/// events belong to that region's own check.
fn global_only(mut events: Vec<Event>) -> Vec<Event> {
    events.retain(|e| {
        e.event_source
            .as_deref()
            .is_some_and(|s| cis::GLOBAL_SOURCES.contains(&s))
    });
    events
}

/// The layout of the events kept in the state directory: files of
/// another layout (events without the fields the filters read) are
/// ignored.
const EVENTS_FORMAT: u64 = 3;

/// countevents' window: read whole, or — with a state directory — only
/// since the last run (minus an overlap), merged with the events kept then.
/// The events kept are those of the same LookupEvents query (lookup
/// attribute, category): our own filters apply afterwards.
fn count_window(
    client: &cloudtrail::Client<'_>,
    opts: &countevents::Options,
    state: Option<&StateDir>,
    scope: &str,
    window: &dyn Fn(Duration) -> (i64, i64),
    trace: &mut Trace,
) -> Result<Paged, Error> {
    let (window_start, now) = window(opts.delta);
    let delta = now - window_start;
    let path = state.map(|s| s.file("events", &format!("{scope}|lookup|{}", opts.query.key())));
    let cached = match (state, &path) {
        (Some(s), Some(p)) => s.read(p).and_then(|v| {
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
    let (start, incremental) = countevents::read_from(cached.as_ref(), delta, now);
    if incremental {
        trace.log(|| {
            format!(
                "LookupEvents: incremental read from {} ({} events kept)",
                crate::time::iso8601(start),
                cached.as_ref().map_or(0, |c| c.events.len())
            )
        });
    }
    // Counted as the result will be: merged with the events kept, or
    // the fresh ones alone.
    let kept: Option<&[Event]> = match (&cached, incremental) {
        (Some(c), true) => Some(&c.events),
        _ => None,
    };
    let mut stop = |fresh: &[Event]| {
        opts.stop_at_critical
            && countevents::critical_already(
                opts,
                match kept {
                    Some(k) => countevents::count_merged(opts, k, fresh, window_start),
                    None => countevents::count(opts, fresh),
                },
            )
    };
    let fresh = client.lookup_events(
        &Lookup {
            start,
            end: now,
            max_pages: opts.max_pages,
            query: opts.query.clone(),
        },
        &mut stop,
        trace,
    )?;
    let events = match (&cached, incremental) {
        (Some(c), true) => countevents::merge(&c.events, fresh.events, window_start),
        _ => fresh.events,
    };
    // Only a whole window whose every event has a time can be pruned next
    // time: a read stopped early is never kept.
    if let (Some(s), Some(p), true) = (state, &path, fresh.complete)
        && events.iter().all(|e| e.time.is_some())
    {
        let _ = s.write(
            p,
            &serde_json::json!({
                "version": crate::statefile::VERSION,
                "format": EVENTS_FORMAT,
                "delta": delta,
                "end": now,
                "events": events.iter().map(Event::to_json).collect::<Vec<_>>(),
            }),
        );
    }
    Ok(Paged {
        events,
        complete: fresh.complete,
    })
}

/// Base credentials from the chain, then `--aws-role-arn` on top — from
/// the state directory while they have more than 5 minutes left, unless
/// `refresh`.
#[allow(clippy::too_many_arguments)]
fn credentials_for(
    cfg: &Config,
    env: &dyn Env,
    caller: &Caller<'_>,
    local: &http::Client,
    state: Option<&StateDir>,
    refresh: bool,
    clock: &dyn Clock,
    trace: &mut Trace,
    secrets: &mut Vec<String>,
) -> Result<Credentials, Error> {
    let sts_endpoint: Endpoint = endpoint::resolve(
        "sts",
        &cfg.region,
        cfg.fips,
        cfg.sts_endpoint.as_deref(),
        env,
    )
    .map_err(Error::Option)?;
    let sts_target = Target {
        endpoint: &sts_endpoint,
        region: &cfg.region,
        service: "sts",
    };
    let files = SharedFiles::load(env)?;
    let world = World {
        env,
        files: &files,
        caller,
        sts: &sts_target,
        local,
        cache: state.map(|s| credentials::Cache {
            state: s,
            now: clock.epoch(),
            refresh,
        }),
    };
    let base = credentials::resolve(&cfg.credentials, &world, trace)?;
    secrets.extend(base.secrets());
    let Some(role) = &cfg.role else {
        return Ok(base);
    };
    trace.log(|| {
        format!(
            "credentials: assuming {} with keys from {}",
            role.arn,
            base.source()
        )
    });
    // Keyed so that another role, external id, base key, secret (through
    // a keyed hash: a revoked secret never keeps working from the cache),
    // region or endpoint never reuses these credentials.
    let key = format!(
        "{}|{}|{}|{}|{}|{}",
        role.arn,
        role.external_id.as_deref().unwrap_or(""),
        base.access_key(),
        crate::aws::crypto::keyed_hash(base.secret_key(), "check_cloudtrail role cache"),
        cfg.region,
        sts_endpoint.url
    );
    let cache = state.map(|s| credentials::Cache {
        state: s,
        now: clock.epoch(),
        refresh,
    });
    let assumed = credentials::cached(cache.as_ref(), "role", &key, || {
        sts::assume_role(caller, &sts_target, &base, role, trace)
            .map(|c| c.with_source(format!("role {}", role.arn)))
    })?;
    if assumed.source().ends_with(CACHED) {
        trace.log(|| format!("credentials: role {} from the state directory", role.arn));
    }
    secrets.extend(assumed.secrets());
    Ok(assumed)
}
