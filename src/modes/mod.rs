//! The modes: each file turns API data into an [`Outcome`] without I/O;
//! [`run`] fetches that data for the selected mode.

pub mod checktrailstatus;
pub mod countevents;

use std::time::Duration;

use crate::aws::cloudtrail::{self, Endpoint, Lookup};
use crate::aws::credentials;
use crate::aws::http;
use crate::aws::{Clock, Trace};
use crate::cli::{Config, Mode};
use crate::error::Error;
use crate::output::Outcome;

/// LookupEvents allows 2 requests per second per account and region.
pub const LOOKUP_EVENTS_INTERVAL: Duration = Duration::from_millis(500);

pub fn user_agent() -> String {
    format!("check_cloudtrail/{}", env!("CARGO_PKG_VERSION"))
}

/// Runs one check. `env` is the process environment as a lookup; the
/// clock gives every instant used.
pub fn run(
    cfg: &Config,
    env: &dyn Fn(&str) -> Option<String>,
    clock: &dyn Clock,
    trace: &mut Trace,
) -> Result<Outcome, Error> {
    let deadline = clock.now() + cfg.timeout;
    let creds = credentials::resolve(&cfg.credentials, env)?;
    trace.log(|| {
        format!(
            "credentials: access key {} from {}",
            creds.access_key(),
            creds.source()
        )
    });
    let endpoint = match &cfg.endpoint {
        Some(url) => {
            Endpoint::parse(url).map_err(|m| Error::Option(format!("--endpoint-url {m}")))?
        }
        None => Endpoint::for_region(&cfg.region),
    };
    let http = http::Client::new(
        &http::Options {
            proxy: cfg.proxy.clone(),
            user_agent: user_agent(),
        },
        deadline,
    )
    .map_err(|e| Error::Option(format!("--proxyurl: {e}")))?;
    let client = cloudtrail::Client {
        http: &http,
        creds: &creds,
        endpoint: &endpoint,
        region: &cfg.region,
        clock,
        timeout_secs: cfg.timeout.as_secs(),
    };
    match &cfg.mode {
        Mode::CheckTrailStatus { trail_name } => {
            let status = client.get_trail_status(trail_name, trace)?;
            Ok(checktrailstatus::evaluate(&status))
        }
        Mode::CountEvents(opts) => {
            let end = clock.epoch();
            let delta = i64::try_from(opts.delta.as_secs()).unwrap_or(i64::MAX);
            let lookup = Lookup {
                start: end.saturating_sub(delta),
                end,
                max_pages: opts.max_pages,
                min_interval: LOOKUP_EVENTS_INTERVAL,
            };
            let events = client.lookup_events(&lookup, trace)?;
            trace.log(|| format!("LookupEvents: {} events in the window", events.len()));
            Ok(countevents::evaluate(opts, &events))
        }
    }
}
