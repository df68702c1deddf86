//! One way to reach CloudTrail, whichever client the check runs through:
//! the built-in SigV4 client or the `aws` CLI (`--custommode=awscli`).
//! Both offer the same operations, so the orchestration fetches each
//! mode's data once, and `--regions`, `--all-trails` and the state kept
//! between runs work the same through either.

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;
use std::time::Instant;

use super::awscli;
use super::caller::{Caller, Target};
use super::cloudtrail::{self, Lookup, Paged, StopAfter, Trail, TrailStatus};
use super::connection::Connection;
use super::credentials::{self, CACHED, Credentials, SharedFiles, World};
use super::endpoint::{self, Endpoint};
use super::http;
use super::organizations;
use super::quota::Throttle;
use super::s3;
use super::selectors::{EventSelectors, INSIGHT_NOT_ENABLED};
use super::sts;
use crate::clock::Clock;
use crate::env::Env;
use crate::error::{Error, Limit};
use crate::statefile::StateDir;
use crate::trace::Trace;

/// `--custommode`: how AWS is reached.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CustomMode {
    /// Our own SigV4 client (`api`, and `paws` for existing commands).
    Api,
    /// Upstream's shell-out to the `aws` CLI.
    AwsCli,
}

/// The variable that makes `--custommode=awscli` run the built-in client,
/// poller-wide: hosts that chose awscli only because Paws could not use a
/// proxy get the native speed without editing a macro.
pub const AWSCLI_OVERRIDE: &str = "CHECK_CLOUDTRAIL_AWSCLI";

/// `User-Agent` of every request: CloudTrail records it, which is how
/// `--exclude-self` recognises our own calls.
pub const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// What the run lends every backend: the outside world and the pacing
/// shared with the other checks.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The client that runs (`--custommode`, or the poller's override).
    pub client: CustomMode,
    /// The time limit messages name (`--timeout` or `--global-timeout`).
    pub limit: Limit,
    pub env: &'a dyn Env,
    /// The AWS profile files, loaded once for the run (an unreadable one
    /// is an error only when credentials are looked for in it).
    pub files: &'a Result<SharedFiles, Error>,
    pub clock: &'a dyn Clock,
    pub state: Option<&'a StateDir>,
    pub throttle: &'a dyn Throttle,
}

/// ListTrails pages at most (each holds many trails; an account has a
/// handful per region).
const LIST_PAGES: u32 = 20;

/// Codes that say the credentials themselves are refused (S3 says
/// `ExpiredToken`, `InvalidToken` and `InvalidAccessKeyId`).
const REJECTED: [&str; 6] = [
    "ExpiredTokenException",
    "ExpiredToken",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidToken",
    "InvalidAccessKeyId",
];

/// The state directory's kinds of cached role credentials: the two roles
/// never share a file, even for the same role ARN.
const ROLE_CACHE: &str = "role";
const S3_ROLE_CACHE: &str = "s3role";

/// The client of one region's check, and the same client aimed at another
/// region ([`Backend::at`]: a trail's home region, the global events').
pub struct Backend<'a> {
    shared: Rc<Shared<'a>>,
    /// The region asked and signed for.
    region: String,
    /// The built-in client's CloudTrail endpoint for that region.
    endpoint: Option<Endpoint>,
}

struct BuiltIn {
    net: http::Client,
    /// Instance metadata and container endpoints: never proxied.
    local: http::Client,
    max_attempts: u32,
    /// Replaced once when AWS rejects cached role credentials.
    creds: RefCell<Credentials>,
    /// `--s3-role-arn`'s, assumed at the first S3 read; emptied when S3
    /// rejects cached ones (then `s3_refresh` skips the cache).
    s3_creds: RefCell<Option<Credentials>>,
    s3_refresh: std::cell::Cell<bool>,
}

struct Shared<'a> {
    conn: &'a Connection,
    ctx: Context<'a>,
    deadline: Instant,
    /// The region of the check (the STS region, and the scope's).
    region: String,
    /// Epoch seconds when the region's check began (cached credentials
    /// are judged against it).
    now: i64,
    /// Who the calls are made as, where: the scope of the pacing and of
    /// the events kept between runs.
    scope: String,
    via: Via,
}

enum Via {
    BuiltIn(Box<BuiltIn>),
    AwsCli {
        /// The child's environment, prepared at the first command (after
        /// `aws sts assume-role` when a role is asked for).
        env: OnceCell<awscli::ChildEnv>,
    },
}

/// The scope of what is shared or kept per identity: the role's account
/// when a role is assumed, else the access key (or configured identity),
/// with the region and endpoint.
pub fn scope(conn: &Connection, identity: &str, region: &str) -> String {
    let account = conn
        .role
        .as_ref()
        .and_then(|r| r.arn.split(':').nth(4))
        .filter(|a| !a.is_empty())
        .unwrap_or(identity);
    format!(
        "{account}|{region}|{}",
        conn.endpoint.as_deref().unwrap_or_default()
    )
}

/// Who the check runs as before any call: access key, else profile.
pub fn configured_identity(conn: &Connection) -> &str {
    conn.credentials
        .access_key
        .as_deref()
        .or(conn.credentials.profile.as_deref())
        .unwrap_or("default")
}

impl<'a> Backend<'a> {
    /// The client for `region` from `now` until `deadline`: the built-in
    /// one resolves its credentials at once (the aws CLI, at its first
    /// command).
    pub fn open(
        conn: &'a Connection,
        ctx: Context<'a>,
        region: &str,
        (now, deadline): (i64, Instant),
        trace: &mut Trace,
    ) -> Result<Backend<'a>, Error> {
        let endpoint_name = conn.endpoint.as_deref().unwrap_or_default();
        // Credentials are fetched before the account is known.
        ctx.throttle
            .set_scope(format!("sts|{region}|{endpoint_name}"));
        let (via, endpoint, scope) = match ctx.client {
            CustomMode::Api => {
                let (via, endpoint, scope) = built_in(conn, ctx, region, (now, deadline), trace)?;
                (via, Some(endpoint), scope)
            }
            CustomMode::AwsCli => {
                trace.log(|| format!("client: the aws CLI ({})", conn.awscli.command));
                let via = Via::AwsCli {
                    env: OnceCell::new(),
                };
                (via, None, scope(conn, configured_identity(conn), region))
            }
        };
        ctx.throttle.set_scope(scope.clone());
        Ok(Backend {
            shared: Rc::new(Shared {
                conn,
                ctx,
                deadline,
                region: region.to_owned(),
                now,
                scope,
                via,
            }),
            region: region.to_owned(),
            endpoint,
        })
    }

    /// The region this backend asks.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The process environment (endpoint override variables).
    pub fn env(&self) -> &dyn crate::env::Env {
        self.shared.ctx.env
    }

    /// Who the calls are made as, where (see [`scope`]).
    pub fn scope(&self) -> &str {
        &self.shared.scope
    }

    /// The same client asking `region`, unless `--endpoint-url` pins the
    /// one endpoint to ask (then it asks that endpoint as before).
    pub fn at(&self, region: &str) -> Result<Backend<'a>, Error> {
        let s = &self.shared;
        if s.conn.endpoint.is_some() || region == self.region {
            return Ok(Backend {
                shared: Rc::clone(s),
                region: self.region.clone(),
                endpoint: self.endpoint.clone(),
            });
        }
        let endpoint = match s.via {
            Via::BuiltIn(_) => Some(
                endpoint::resolve("cloudtrail", region, s.conn.fips, None, s.ctx.env)
                    .map_err(Error::Option)?,
            ),
            Via::AwsCli { .. } => None,
        };
        Ok(Backend {
            shared: Rc::clone(s),
            region: region.to_owned(),
            endpoint,
        })
    }

    /// After `error`: true when it rejected credentials that came from the
    /// state directory, which are then dropped and fetched again (once):
    /// the caller reads again.
    pub fn renewed_after(&self, error: &Error, trace: &mut Trace) -> Result<bool, Error> {
        let s = &self.shared;
        let Via::BuiltIn(api) = &s.via else {
            return Ok(false);
        };
        let Error::Api { op, code, .. } = error else {
            return Ok(false);
        };
        if !REJECTED.contains(&code.as_str()) {
            return Ok(false);
        }
        // S3's answer judged --s3-role-arn's credentials, when a role is
        // assumed for S3: those are dropped, the main ones kept.
        if s3::is_op(op) && s.conn.s3.role.is_some() {
            let cached = api
                .s3_creds
                .borrow()
                .as_ref()
                .is_some_and(|c| c.source().ends_with(CACHED));
            if cached {
                trace.log(|| {
                    format!(
                        "credentials: cached S3 role credentials rejected ({code}), assuming again"
                    )
                });
                api.s3_refresh.set(true);
                *api.s3_creds.borrow_mut() = None;
            }
            return Ok(cached);
        }
        if !api.creds.borrow().source().ends_with(CACHED) {
            return Ok(false);
        }
        trace.log(|| {
            format!("credentials: cached role credentials rejected ({code}), assuming again")
        });
        let fresh = credentials_for(
            s.conn,
            s.ctx,
            (&s.region, s.now),
            &self.caller(api),
            &api.local,
            true,
            trace,
        )?;
        *api.creds.borrow_mut() = fresh;
        Ok(true)
    }

    fn caller<'c>(&'c self, api: &'c BuiltIn) -> Caller<'c> {
        let s = &self.shared;
        Caller {
            http: &api.net,
            clock: s.ctx.clock,
            limit: s.ctx.limit,
            max_attempts: api.max_attempts,
            throttle: s.ctx.throttle,
        }
    }

    fn cli<'c>(&'c self, region: &'c str) -> awscli::Cli<'c> {
        let s = &self.shared;
        awscli::Cli {
            conn: s.conn,
            region,
            deadline: s.deadline,
            limit: s.ctx.limit,
            clock: s.ctx.clock,
            throttle: s.ctx.throttle,
        }
    }

    /// Whether the aws CLI runs `--command-options` instead of the
    /// commands we build: then the window it reads is not ours to keep.
    pub fn custom_command(&self) -> bool {
        matches!(self.shared.via, Via::AwsCli { .. })
            && self.shared.conn.awscli.command_options.is_some()
    }

    /// Runs `op` through whichever client this is.
    fn with<T>(
        &self,
        trace: &mut Trace,
        built_in: impl FnOnce(&cloudtrail::Client<'_>, &mut Trace) -> Result<T, Error>,
        aws_cli: impl FnOnce(&awscli::Cli<'_>, &awscli::ChildEnv, &mut Trace) -> Result<T, Error>,
    ) -> Result<T, Error> {
        match &self.shared.via {
            Via::BuiltIn(api) => {
                let caller = self.caller(api);
                let creds = api.creds.borrow();
                let endpoint = self
                    .endpoint
                    .as_ref()
                    .ok_or_else(|| Error::Internal("the built-in client has no endpoint".into()))?;
                let client = cloudtrail::Client {
                    caller: &caller,
                    creds: &creds,
                    endpoint,
                    region: &self.region,
                };
                built_in(&client, trace)
            }
            Via::AwsCli { env } => {
                let env = match env.get() {
                    Some(e) => e,
                    None => {
                        // The role is assumed in the check's region,
                        // whichever region the first command asks.
                        let prepared = awscli::prepare(&self.cli(&self.shared.region), trace)?;
                        env.get_or_init(|| prepared)
                    }
                };
                aws_cli(&self.cli(&self.region), env, trace)
            }
        }
    }

    /// `GetTrailStatus` for a trail's name or ARN.
    pub fn trail_status(&self, name: &str, trace: &mut Trace) -> Result<TrailStatus, Error> {
        self.with(
            trace,
            |c, t| c.get_trail_status(name, t),
            |c, e, t| awscli::trail_status(c, e, name, t),
        )
    }

    /// `DescribeTrails` for one trail, by name or ARN.
    pub fn describe_trail(&self, name: &str, trace: &mut Trace) -> Result<Trail, Error> {
        self.with(
            trace,
            |c, t| c.describe_trail(name, t),
            |c, e, t| awscli::describe_trail(c, e, name, t),
        )
    }

    /// `GetEventSelectors`: what the trail records.
    pub fn event_selectors(&self, name: &str, trace: &mut Trace) -> Result<EventSelectors, Error> {
        self.with(
            trace,
            |c, t| c.event_selectors(name, t),
            |c, e, t| awscli::event_selectors(c, e, name, t),
        )
    }

    /// `GetInsightSelectors`: Insights on API call and error rates. A
    /// trail without Insights answers `InsightNotEnabledException`, read
    /// as an empty list, through either client.
    pub fn insights(&self, name: &str, trace: &mut Trace) -> Result<bool, Error> {
        let on = self.with(
            trace,
            |c, t| c.insights(name, t),
            |c, e, t| awscli::insights(c, e, name, t),
        );
        match on {
            Err(Error::Api { code, .. }) if code == INSIGHT_NOT_ENABLED => {
                trace.log(|| format!("GetInsightSelectors: {INSIGHT_NOT_ENABLED}: Insights off"));
                Ok(false)
            }
            other => other,
        }
    }

    /// `ListTrails`: the trails visible in the region.
    pub fn list_trails(&self, trace: &mut Trace) -> Result<Vec<Trail>, Error> {
        self.with(
            trace,
            |c, t| c.list_trails(LIST_PAGES, t),
            awscli::list_trails,
        )
    }

    /// `LookupEvents` over the window, page by page until `stop` says so.
    pub fn lookup_events(
        &self,
        q: &Lookup,
        stop: &mut StopAfter<'_>,
        trace: &mut Trace,
    ) -> Result<Paged, Error> {
        // Both closures need `stop`; only one of them runs.
        let stop = RefCell::new(stop);
        self.with(
            trace,
            |c, t| c.lookup_events(q, &mut **stop.borrow_mut(), t),
            |c, e, t| awscli::lookup_events(c, e, q, &mut **stop.borrow_mut(), t),
        )
    }
}

impl Backend<'_> {
    /// The built-in client, or why this operation needs it.
    fn built_in_only(&self, why: &str) -> Result<&BuiltIn, Error> {
        match &self.shared.via {
            Via::BuiltIn(api) => Ok(api),
            Via::AwsCli { .. } => Err(Error::Option(why.to_owned())),
        }
    }

    /// The organization's member accounts (`organizations:ListAccounts`,
    /// every page; built-in client only), asked of the partition's
    /// Organizations endpoint with the main credentials.
    pub fn organization_accounts(
        &self,
        trace: &mut Trace,
    ) -> Result<Vec<organizations::Account>, Error> {
        let s = &self.shared;
        let api = self.built_in_only("ListAccounts needs the built-in client")?;
        let endpoint = organizations::resolve(&self.region, s.ctx.env).map_err(Error::Option)?;
        let caller = self.caller(api);
        let creds = api.creds.borrow();
        let client = organizations::Client {
            caller: &caller,
            creds: &creds,
            endpoint: &endpoint,
            region: organizations::home_region(&self.region),
        };
        client.list_accounts(trace)
    }

    /// One `ListPublicKeys` page for `region`'s keys over `[from, to]`
    /// (built-in client only): with `--endpoint-url` that endpoint,
    /// signed for `region`, else the region's own.
    pub fn public_keys_page(
        &self,
        region: &str,
        span: (i64, i64),
        token: Option<&str>,
        trace: &mut Trace,
    ) -> Result<Vec<u8>, Error> {
        let s = &self.shared;
        let api = self.built_in_only("ListPublicKeys needs the built-in client")?;
        let endpoint = endpoint::resolve(
            "cloudtrail",
            region,
            s.conn.fips,
            s.conn.endpoint.as_deref(),
            s.ctx.env,
        )
        .map_err(Error::Option)?;
        let caller = self.caller(api);
        let creds = api.creds.borrow();
        let client = cloudtrail::Client {
            caller: &caller,
            creds: &creds,
            endpoint: &endpoint,
            region,
        };
        client.list_public_keys_page(span, token, trace)
    }

    /// Runs `f` with an S3 client (built-in client only) on the same
    /// credentials, proxy, CA, retries and deadline, first signing for
    /// `region`: `--s3-endpoint-url`, else `AWS_ENDPOINT_URL_S3` /
    /// `AWS_ENDPOINT_URL`, else the public endpoint (`--endpoint-url` is
    /// CloudTrail's, never S3's).
    /// With `--s3-role-arn`, the S3 client signs with that role's
    /// credentials, assumed with the main ones (cached in the state
    /// directory like `--aws-role-arn`'s); CloudTrail calls keep the main
    /// ones.
    pub fn with_s3<T>(
        &self,
        region: &str,
        trace: &mut Trace,
        f: impl FnOnce(&s3::Client<'_>, &mut Trace) -> T,
    ) -> Result<T, Error> {
        let s = &self.shared;
        let api = self.built_in_only("S3 reads need the built-in client")?;
        let addressing = s3::Addressing::resolve(
            region,
            s.conn.fips,
            s.conn.s3.endpoint.as_deref(),
            s.ctx.env,
        )
        .map_err(|e| Error::Option(format!("--s3-endpoint-url {e}")))?;
        let caller = self.caller(api);
        if let Some(role) = &s.conn.s3.role
            && api.s3_creds.borrow().is_none()
        {
            let assumed = {
                let main = api.creds.borrow();
                let how = Assume {
                    role,
                    kind: S3_ROLE_CACHE,
                    refresh: api.s3_refresh.get(),
                };
                assume(
                    s.conn,
                    s.ctx,
                    (&s.region, s.now),
                    &caller,
                    &main,
                    &how,
                    trace,
                )
                .map_err(|e| naming_role(e, &format!("--s3-role-arn {}", role.arn)))?
            };
            *api.s3_creds.borrow_mut() = Some(assumed);
        }
        let main = api.creds.borrow();
        let s3_role = api.s3_creds.borrow();
        let creds = s3_role.as_ref().unwrap_or(&main);
        let client = s3::Client::new(&caller, creds, &addressing, region);
        Ok(f(&client, trace))
    }
}

/// The built-in client for `region`: HTTP clients, then the CloudTrail
/// endpoint, then credentials, in the order their errors are reported.
fn built_in(
    conn: &Connection,
    ctx: Context<'_>,
    region: &str,
    (now, deadline): (i64, Instant),
    trace: &mut Trace,
) -> Result<(Via, Endpoint, String), Error> {
    // Its debug lines (credentials, then each POST) say which client ran.
    let ca_bundle = match &conn.ca_bundle {
        None => None,
        Some(path) => Some(
            ctx.env
                .read_file(std::path::Path::new(path), crate::env::MAX_CA_BUNDLE)
                .map(String::into_bytes)
                .map_err(|e| Error::Option(format!("--ca-bundle '{path}': cannot read it: {e}")))?,
        ),
    };
    if conn.skip_ssl_check {
        trace.log(|| "TLS: certificate verification is OFF (--skip-ssl-check)".to_owned());
    }
    // --proxyurl's port is checked with the options; the variables' here,
    // where the environment is.
    if conn.proxy.is_none()
        && let Some((var, url)) = http::PROXY_VARS
            .iter()
            .find_map(|v| ctx.env.var(v).map(|u| (*v, u)))
    {
        http::ProxyUrl(url).check_port(var)?;
    }
    let options = http::Options {
        proxy: conn
            .proxy
            .clone()
            .map_or(http::ProxySetting::Environment, http::ProxySetting::Url),
        user_agent: USER_AGENT.to_owned(),
        ca_bundle,
        skip_verify: conn.skip_ssl_check,
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
    // More than 10 attempts, with backoff, cannot fit a check's timeout.
    let max_attempts = crate::env::number(
        ctx.env,
        "AWS_MAX_ATTEMPTS",
        "a whole number of attempts from 1 to 10",
        |v| {
            v.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=10).contains(n))
        },
    )?
    .unwrap_or(3);
    let endpoint = endpoint::resolve(
        "cloudtrail",
        region,
        conn.fips,
        conn.endpoint.as_deref(),
        ctx.env,
    )
    .map_err(Error::Option)?;
    let caller = Caller {
        http: &net,
        clock: ctx.clock,
        limit: ctx.limit,
        max_attempts,
        throttle: ctx.throttle,
    };
    let creds = credentials_for(conn, ctx, (region, now), &caller, &local, false, trace)?;
    trace.log(|| {
        format!(
            "credentials: access key {} from {}",
            creds.access_key(),
            creds.source()
        )
    });
    let scope = scope(conn, creds.access_key(), region);
    Ok((
        Via::BuiltIn(Box::new(BuiltIn {
            net,
            local,
            max_attempts,
            creds: RefCell::new(creds),
            s3_creds: RefCell::new(None),
            s3_refresh: std::cell::Cell::new(false),
        })),
        endpoint,
        scope,
    ))
}

/// Base credentials from the chain, then `--aws-role-arn` on top — from
/// the state directory while they have more than 5 minutes left, unless
/// `refresh`.
fn credentials_for(
    conn: &Connection,
    ctx: Context<'_>,
    (region, now): (&str, i64),
    caller: &Caller<'_>,
    local: &http::Client,
    refresh: bool,
    trace: &mut Trace,
) -> Result<Credentials, Error> {
    let sts_endpoint = sts_endpoint(conn, ctx, region)?;
    let sts_target = Target {
        endpoint: &sts_endpoint,
        region,
        service: "sts",
    };
    let files = ctx.files.as_ref().map_err(Clone::clone)?;
    let cache = || {
        ctx.state.map(|s| credentials::Cache {
            state: s,
            now,
            refresh,
        })
    };
    let world = World {
        env: ctx.env,
        files,
        caller,
        sts: &sts_target,
        local,
        cache: cache(),
    };
    let base = credentials::resolve(&conn.credentials, &world, trace)?;
    trace.secrets(base.secrets());
    let Some(role) = &conn.role else {
        return Ok(base);
    };
    let how = Assume {
        role,
        kind: ROLE_CACHE,
        refresh,
    };
    assume(conn, ctx, (region, now), caller, &base, &how, trace)
}

/// `e` saying which role failed (`what`): STS's own message names it
/// only when it refuses, not when the answer is an HTTP error, garbage or
/// a connection failure, and the line must say it was not the main role.
fn naming_role(e: Error, what: &str) -> Error {
    e.noted(what)
}

/// The STS endpoint for `region`: `--sts-endpoint-url`, the variables,
/// else the region's own.
fn sts_endpoint(conn: &Connection, ctx: Context<'_>, region: &str) -> Result<Endpoint, Error> {
    endpoint::resolve(
        "sts",
        region,
        conn.fips,
        conn.sts_endpoint.as_deref(),
        ctx.env,
    )
    .map_err(Error::Option)
}

/// Which role [`assume`] takes, under which cache kind.
struct Assume<'r> {
    role: &'r sts::Role,
    /// [`ROLE_CACHE`] or [`S3_ROLE_CACHE`].
    kind: &'static str,
    /// Ignore the cached credentials (AWS just rejected them).
    refresh: bool,
}

/// `how.role` assumed with `base` through the check region's STS
/// endpoint — from the state directory while the credentials kept there
/// have more than 5 minutes left, unless `how.refresh`.
fn assume(
    conn: &Connection,
    ctx: Context<'_>,
    (region, now): (&str, i64),
    caller: &Caller<'_>,
    base: &Credentials,
    how: &Assume<'_>,
    trace: &mut Trace,
) -> Result<Credentials, Error> {
    let role = how.role;
    let sts_endpoint = sts_endpoint(conn, ctx, region)?;
    let sts_target = Target {
        endpoint: &sts_endpoint,
        region,
        service: "sts",
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
        super::crypto::keyed_hash(base.secret_key(), "check_cloudtrail role cache"),
        region,
        sts_endpoint.url
    );
    let cache = ctx.state.map(|s| credentials::Cache {
        state: s,
        now,
        refresh: how.refresh,
    });
    let assumed = credentials::cached(cache.as_ref(), how.kind, &key, || {
        sts::assume_role(caller, &sts_target, base, role, trace)
            .map(|c| c.with_source(format!("role {}", role.arn)))
    })?;
    if assumed.source().ends_with(CACHED) {
        trace.log(|| format!("credentials: role {} from the state directory", role.arn));
    }
    trace.secrets(assumed.secrets());
    Ok(assumed)
}
