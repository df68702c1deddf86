//! The command line: every option Centreon's plugin declares, parsed with
//! Centreon's own rules, then validated into a [`Config`].
//!
//! Centreon's option parser (`centreon/plugins/alternative/Getopt.pm`)
//! knows only `--name` and `--name=value`. A missing or empty `=value`
//! takes the next argument when it does not start with `--`, flags
//! included (so `--verbose 0` leaves verbose off). The last occurrence of
//! an option wins. We keep those rules so that every existing command line
//! means the same thing here.
//!
//! Parsing happens in two steps, like ripgrep's low/high args: the lexopt
//! loop only collects strings ([`Raw`]), then [`build`] validates them in
//! upstream's order: help/version/list first, then unknown options, then
//! the connector's options (`--region`), then the mode's.

pub mod help;

use std::collections::HashMap;
use std::ffi::OsString;
use std::time::Duration;

use regex_lite::Regex;

use crate::aws::credentials::{CredentialFlags, SharedFiles};
use crate::aws::http::ProxyUrl;
use crate::aws::sts::Role;
use crate::env::Env;
use crate::error::Error;
use crate::output::State;
use crate::threshold::{Range, Thresholds};

/// How an option takes its value.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// `--x=v` / `--x v`, last one wins.
    Value,
    /// `--x`; `--x=0` or `--x 0` means off.
    Flag,
    /// `--x=v`, repeatable, each kept.
    List,
}

/// What this build does with an option.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Support {
    Yes,
    /// Accepted and ignored (CloudWatch knobs of the shared AWS connector).
    Ignored,
    /// Declared upstream, implemented by a later issue: a non-empty value
    /// is an UNKNOWN rather than silently ignored.
    Later,
}

/// Which mode an option belongs to: upstream declares a mode's options
/// only when that mode is selected.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Scope {
    Any,
    Mode(ModeName),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModeName {
    CheckTrailStatus,
    CountEvents,
}

impl ModeName {
    pub const ALL: [ModeName; 2] = [ModeName::CheckTrailStatus, ModeName::CountEvents];

    pub fn name(self) -> &'static str {
        match self {
            ModeName::CheckTrailStatus => "checktrailstatus",
            ModeName::CountEvents => "countevents",
        }
    }

    fn help(self) -> &'static help::Section {
        match self {
            ModeName::CheckTrailStatus => &help::MODE_CHECKTRAILSTATUS,
            ModeName::CountEvents => &help::MODE_COUNTEVENTS,
        }
    }
}

struct Opt {
    name: &'static str,
    kind: Kind,
    support: Support,
    scope: Scope,
}

const fn opt(name: &'static str, kind: Kind, support: Support) -> Opt {
    Opt {
        name,
        kind,
        support,
        scope: Scope::Any,
    }
}

const fn mode_opt(name: &'static str, mode: ModeName) -> Opt {
    Opt {
        name,
        kind: Kind::Value,
        support: Support::Yes,
        scope: Scope::Mode(mode),
    }
}

use Kind::{Flag, List, Value};
use Support::{Ignored, Later, Yes};

/// Every option upstream declares, plus ours (`--max-pages`).
const OPTIONS: &[Opt] = &[
    // centreon/plugins/script.pm
    opt("plugin", Value, Yes),
    opt("list-plugin", Flag, Later),
    opt("help", Flag, Yes),
    opt("ignore-warn-msg", Flag, Yes),
    opt("version", Flag, Yes),
    opt("runas", Value, Later),
    opt("global-timeout", Value, Later),
    opt("environment", List, Later),
    opt("convert-args", Value, Later),
    // centreon/plugins/script_custom.pm
    opt("mode", Value, Yes),
    opt("dyn-mode", Value, Later),
    opt("list-mode", Flag, Yes),
    opt("custommode", Value, Yes),
    opt("list-custommode", Flag, Yes),
    opt("multiple", Flag, Later),
    opt("no-sanity-options", Flag, Later),
    opt("pass-manager", Value, Later),
    opt("environment-map-option", List, Later),
    // centreon/plugins/output.pm
    opt("explode-perfdata-max", List, Later),
    opt("range-perfdata", Value, Later),
    opt("filter-perfdata", Value, Later),
    opt("filter-perfdata-adv", Value, Later),
    opt("change-perfdata", List, Later),
    opt("extend-perfdata", List, Later),
    opt("extend-perfdata-group", List, Later),
    opt("change-exit", List, Later),
    opt("change-short-output", List, Later),
    opt("change-long-output", List, Later),
    opt("change-output-adv", List, Later),
    opt("use-new-perfdata", Flag, Later),
    opt("filter-uom", Value, Later),
    opt("verbose", Flag, Yes),
    opt("debug", Flag, Yes),
    opt("debug-stream", Flag, Later),
    opt("show-password", Flag, Later),
    opt("opt-exit", Value, Yes),
    opt("output-xml", Flag, Later),
    opt("output-json", Flag, Later),
    opt("output-ignore-perfdata", Flag, Later),
    opt("output-ignore-label", Flag, Later),
    opt("output-openmetrics", Flag, Later),
    opt("output-file", Value, Later),
    opt("disco-format", Flag, Later),
    opt("disco-show", Flag, Later),
    opt("float-precision", Value, Later),
    opt("source-encoding", Value, Later),
    // centreon/plugins/statefile.pm
    opt("memcached", Value, Later),
    opt("redis-server", Value, Later),
    opt("redis-db", Value, Later),
    opt("memexpiration", Value, Later),
    opt("statefile-dir", Value, Later),
    opt("statefile-suffix", Value, Later),
    opt("statefile-concat-cwd", Flag, Later),
    opt("statefile-storable", Flag, Later),
    opt("failback-file", Value, Later),
    opt("statefile-format", Value, Later),
    opt("statefile-key", Value, Later),
    opt("statefile-cipher", Value, Later),
    // cloud/aws/custom/{paws,awscli}.pm
    opt("aws-secret-key", Value, Yes),
    opt("aws-access-key", Value, Yes),
    opt("aws-session-token", Value, Yes),
    opt("aws-role-arn", Value, Yes),
    opt("aws-profile", Value, Yes),
    opt("endpoint", Value, Yes),
    opt("endpoint-url", Value, Yes),
    opt("region", Value, Yes),
    opt("timeframe", Value, Ignored),
    opt("period", Value, Ignored),
    opt("statistic", List, Ignored),
    opt("zeroed", Flag, Ignored),
    opt("timeout", Value, Yes),
    opt("sudo", Flag, Yes),
    opt("command", Value, Yes),
    opt("command-path", Value, Yes),
    opt("command-options", Value, Yes),
    opt("skip-ssl-check", Flag, Yes),
    opt("proxyurl", Value, Yes),
    // ours: role, endpoints and TLS knobs the AWS SDKs and CLI have
    opt("aws-external-id", Value, Yes),
    opt("aws-role-session-name", Value, Yes),
    opt("aws-role-duration", Value, Yes),
    opt("sts-endpoint-url", Value, Yes),
    opt("fips", Flag, Yes),
    opt("ca-bundle", Value, Yes),
    // cloud/aws/cloudtrail/mode/*.pm
    mode_opt("trail-name", ModeName::CheckTrailStatus),
    mode_opt("event-type", ModeName::CountEvents),
    mode_opt("error-message", ModeName::CountEvents),
    mode_opt("delta", ModeName::CountEvents),
    mode_opt("warning-count", ModeName::CountEvents),
    mode_opt("critical-count", ModeName::CountEvents),
    mode_opt("max-pages", ModeName::CountEvents),
];

fn lookup(name: &str) -> Option<&'static Opt> {
    OPTIONS.iter().find(|o| o.name == name)
}

/// The options as given: names to their values, in order. Nothing is
/// validated yet except that each name exists.
#[derive(Default)]
pub struct Raw {
    values: HashMap<&'static str, Vec<String>>,
    /// The first option nobody declares (reported after help/version, as
    /// upstream does).
    unknown: Option<String>,
    /// A stray argument.
    alone: Option<String>,
    /// A value that is not valid UTF-8, with its option.
    non_utf8: Option<String>,
}

impl Raw {
    /// The last non-empty value: an empty value means "not given"
    /// (Centreon fills unset macros with nothing).
    fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .and_then(|v| v.last())
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn list(&self, name: &str) -> Vec<&str> {
        self.values
            .get(name)
            .map(|v| {
                v.iter()
                    .map(String::as_str)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn flag(&self, name: &str) -> bool {
        self.values
            .get(name)
            .and_then(|v| v.last())
            .is_some_and(|v| v != "0")
    }

    fn given(&self, o: &Opt) -> bool {
        match o.kind {
            Flag => self.flag(o.name),
            Value | List => !self.list(o.name).is_empty(),
        }
    }
}

/// The lexopt loop. Never fails: problems are recorded in [`Raw`] and
/// reported by [`build`] in upstream's order.
pub fn parse_raw<I>(args: I) -> Raw
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    use lexopt::Arg;

    let mut raw = Raw::default();
    let mut parser = lexopt::Parser::from_args(args);
    loop {
        let arg = match parser.next() {
            Ok(Some(a)) => a,
            Ok(None) => break,
            Err(e) => {
                raw.unknown.get_or_insert_with(|| e.to_string());
                break;
            }
        };
        match arg {
            Arg::Long(name) => {
                let name = name.to_owned();
                // `--x=v` first; else the next argument unless it is an option.
                let value = parser.optional_value().or_else(|| {
                    parser
                        .try_raw_args()
                        .and_then(|mut r| r.next_if(|a| !a.to_string_lossy().starts_with("--")))
                });
                let value = match value.map(OsString::into_string) {
                    Some(Ok(v)) => v,
                    Some(Err(_)) => {
                        raw.non_utf8.get_or_insert_with(|| format!("--{name}"));
                        String::new()
                    }
                    None => String::new(),
                };
                match lookup(&name) {
                    Some(o) => raw.values.entry(o.name).or_default().push(value),
                    None => {
                        raw.unknown.get_or_insert(format!("--{name}"));
                    }
                }
            }
            Arg::Short(c) => {
                raw.unknown.get_or_insert(format!("-{c}"));
            }
            Arg::Value(v) => {
                raw.alone
                    .get_or_insert_with(|| v.to_string_lossy().into_owned());
            }
        }
    }
    raw
}

/// `--custommode`: how AWS is reached.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CustomMode {
    /// Our own SigV4 client (`api`, and `paws` for existing commands).
    Api,
    /// Upstream's shell-out to the `aws` CLI.
    AwsCli,
}

/// The awscli custom mode's own options.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AwsCli {
    /// `--command` (default `aws`).
    pub command: String,
    pub command_path: Option<String>,
    /// `--command-options`: replaces the generated arguments.
    pub command_options: Option<String>,
    pub sudo: bool,
}

/// What countevents needs.
#[derive(Clone, Debug)]
pub struct CountEvents {
    pub event_type: Option<String>,
    pub error_message: Option<Regex>,
    pub delta: Duration,
    pub thresholds: Thresholds,
    pub max_pages: u32,
}

#[derive(Clone, Debug)]
pub enum Mode {
    CheckTrailStatus { trail_name: String },
    CountEvents(CountEvents),
}

/// A validated check.
#[derive(Debug)]
pub struct Config {
    pub mode: Mode,
    pub custom_mode: CustomMode,
    pub region: String,
    /// `--endpoint-url` / `--endpoint` (CloudTrail).
    pub endpoint: Option<String>,
    /// `--sts-endpoint-url`.
    pub sts_endpoint: Option<String>,
    /// `--fips` or `AWS_USE_FIPS_ENDPOINT`.
    pub fips: bool,
    pub credentials: CredentialFlags,
    /// `--aws-role-arn` and its companions.
    pub role: Option<Role>,
    pub proxy: Option<ProxyUrl>,
    /// `--ca-bundle` or `AWS_CA_BUNDLE`: a PEM file replacing the roots.
    pub ca_bundle: Option<String>,
    pub skip_ssl_check: bool,
    pub timeout: Duration,
    pub awscli: AwsCli,
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    /// Help, version or a list: printed as is.
    Info(String),
    Check(Box<Config>),
}

/// The parse result with the rendering switches, known even when the
/// rest of the command line is wrong (they shape the error's output too).
#[derive(Debug)]
pub struct Invocation {
    /// `--opt-exit`: the state of every execution error (default UNKNOWN).
    pub error_state: State,
    pub verbose: bool,
    pub debug: bool,
    pub command: Result<Command, Error>,
}

pub fn parse<I>(args: I, env: &dyn Env) -> Invocation
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    let mut args = args.into_iter();
    // The program name.
    let _ = args.next();
    let raw = parse_raw(args);
    let opt_exit = raw.get("opt-exit").map(|v| (v, State::parse(v)));
    let (error_state, opt_exit_error) = match opt_exit {
        None => (State::Unknown, None),
        Some((_, Some(s))) => (s, None),
        Some((v, None)) => (
            State::Unknown,
            Some(Error::Option(format!(
                "Unknown value '{v}' for --opt-exit."
            ))),
        ),
    };
    let command = match opt_exit_error {
        Some(e) => Err(e),
        None => build(&raw, env),
    };
    Invocation {
        error_state,
        verbose: raw.flag("verbose"),
        debug: raw.flag("debug"),
        command,
    }
}

fn render_help(sections: &[&help::Section]) -> String {
    // The status line is empty: help is all long output upstream.
    let mut out = String::from("\n");
    for s in sections {
        help::render_section(s, &mut out);
    }
    out
}

fn global_help() -> String {
    render_help(&[&help::DESCRIPTION, &help::GLOBAL])
}

fn not_exists(what: &str, value: &str) -> Error {
    Error::Option(format!(
        "mode '{value}' doesn't exist (use --list-{what} option to show available modes)."
    ))
}

/// Validates in upstream's order (`script_custom.pm` `init`).
fn build(raw: &Raw, env: &dyn Env) -> Result<Command, Error> {
    if let Some(p) = raw.get("plugin") {
        if p != "cloud::aws::cloudtrail::plugin" && p != "cloud/aws/cloudtrail/plugin.pm" {
            return Err(Error::Option(format!(
                "Cannot load module --plugin: '{p}' (this program holds cloud::aws::cloudtrail::plugin only)."
            )));
        }
    }
    let mode_arg = raw.get("mode");
    if raw.flag("help") && mode_arg.is_none() {
        return Ok(Command::Info(global_help()));
    }
    if raw.flag("version") && mode_arg.is_none() {
        return Ok(Command::Info(format!(
            "Plugin Version: {} \n",
            env!("CARGO_PKG_VERSION")
        )));
    }
    if raw.flag("list-mode") {
        let mut out = global_help();
        out.push_str("Modes Available:\n");
        for m in ModeName::ALL {
            out.push_str(&format!("   {}\n", m.name()));
        }
        return Ok(Command::Info(out));
    }
    if raw.flag("list-custommode") {
        let mut out = global_help();
        out.push_str("Custom Modes Available:\n   api\n   awscli\n   paws\n");
        return Ok(Command::Info(out));
    }
    let custom_mode = match raw.get("custommode") {
        None | Some("api" | "paws") => CustomMode::Api,
        Some("awscli") => CustomMode::AwsCli,
        Some(other) => return Err(not_exists("custommode", other)),
    };
    let mode = match mode_arg {
        None => {
            return Err(Error::Option(
                "Need to specify '--mode' or '--dyn-mode' option.".into(),
            ));
        }
        Some(m) => ModeName::ALL
            .into_iter()
            .find(|n| n.name() == m)
            .ok_or_else(|| not_exists("mode", m))?,
    };
    if raw.flag("help") {
        return Ok(Command::Info(render_help(&[
            &help::DESCRIPTION,
            &help::GLOBAL,
            &help::OUTPUT,
            match custom_mode {
                CustomMode::Api => &help::API,
                CustomMode::AwsCli => &help::AWSCLI,
            },
            mode.help(),
        ])));
    }
    if raw.flag("version") {
        return Ok(Command::Info("Mode Version: 1.0 \n".into()));
    }
    if let Some(u) = &raw.unknown {
        return Err(Error::UnknownOption(u.clone()));
    }
    // A mode's options exist only when that mode is selected.
    if let Some(o) = OPTIONS
        .iter()
        .find(|o| matches!(o.scope, Scope::Mode(m) if m != mode) && raw.values.contains_key(o.name))
    {
        return Err(Error::UnknownOption(format!("--{}", o.name)));
    }
    if let Some(a) = &raw.alone {
        return Err(Error::Option(format!("argument {a} alone")));
    }
    if let Some(o) = &raw.non_utf8 {
        return Err(Error::Option(format!(
            "the value of {o} is not valid UTF-8"
        )));
    }
    if let Some(o) = OPTIONS
        .iter()
        .find(|o| o.support == Support::Later && raw.given(o))
    {
        return Err(Error::NotSupported(format!("--{}", o.name)));
    }
    for s in raw.list("statistic") {
        let l = s.to_ascii_lowercase();
        if !["minimum", "maximum", "average", "sum"]
            .iter()
            .any(|k| l.contains(k))
        {
            return Err(Error::Option(format!("Statistic '{s}' is not handled")));
        }
    }

    let trail_name = raw.get("trail-name").map(str::to_owned);
    let region = region_of(raw, trail_name.as_deref(), env)?;
    let timeout = match raw.get("timeout") {
        None => Duration::from_secs(50),
        Some(t) => positive_number(t)
            .filter(|s| *s <= 86_400.0)
            .map(Duration::from_secs_f64)
            .ok_or_else(|| {
                Error::Option(format!(
                    "--timeout must be a positive number of seconds (at most 86400), got '{t}'."
                ))
            })?,
    };
    let credentials = CredentialFlags {
        access_key: raw.get("aws-access-key").map(str::to_owned),
        secret_key: raw.get("aws-secret-key").map(str::to_owned),
        session_token: raw.get("aws-session-token").map(str::to_owned),
        profile: raw.get("aws-profile").map(str::to_owned),
    };
    let role = role_of(raw)?;
    let endpoint_of = |name: &str| -> Result<Option<String>, Error> {
        match raw.get(name) {
            None => Ok(None),
            Some(u) => crate::aws::endpoint::Endpoint::parse(u)
                .map(|_| Some(u.to_owned()))
                .map_err(|e| Error::Option(format!("--{name} {e}"))),
        }
    };
    let endpoint = match endpoint_of("endpoint-url")? {
        Some(u) => Some(u),
        None => endpoint_of("endpoint")?,
    };
    let sts_endpoint = endpoint_of("sts-endpoint-url")?;
    let awscli = AwsCli {
        command: raw.get("command").unwrap_or("aws").to_owned(),
        command_path: raw.get("command-path").map(str::to_owned),
        command_options: raw.get("command-options").map(str::to_owned),
        sudo: raw.flag("sudo"),
    };

    let mode = match mode {
        ModeName::CheckTrailStatus => Mode::CheckTrailStatus {
            trail_name: trail_name
                .ok_or_else(|| Error::Option("Need to specify --trail-name option.".into()))?,
        },
        ModeName::CountEvents => Mode::CountEvents(count_events(raw)?),
    };
    Ok(Command::Check(Box::new(Config {
        mode,
        custom_mode,
        region,
        endpoint,
        sts_endpoint,
        fips: raw.flag("fips") || env.flag("AWS_USE_FIPS_ENDPOINT"),
        credentials,
        role,
        proxy: raw.get("proxyurl").map(|p| ProxyUrl(p.to_owned())),
        ca_bundle: raw
            .get("ca-bundle")
            .map(str::to_owned)
            .or_else(|| env.var("AWS_CA_BUNDLE")),
        skip_ssl_check: raw.flag("skip-ssl-check"),
        timeout,
        awscli,
    })))
}

/// A finite number > 0 written as a plain decimal.
fn positive_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite() && *v > 0.0)
}

/// `arn:aws:cloudtrail:eu-west-1:123456789012:trail/x` → `eu-west-1`.
pub fn arn_region(name: &str) -> Option<&str> {
    let mut parts = name.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some("cloudtrail"), Some(region)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    Some(region).filter(|r| !r.is_empty())
}

/// `--region`, else a trail ARN's region, else `AWS_REGION` /
/// `AWS_DEFAULT_REGION`, else the `region` of the profile in use. Checked
/// before anything is built from it.
fn region_of(raw: &Raw, trail_name: Option<&str>, env: &dyn Env) -> Result<String, Error> {
    let from_profile = || {
        let name = raw
            .get("aws-profile")
            .map_or_else(|| SharedFiles::default_profile_name(env), str::to_owned);
        // An unreadable file is reported by the credential step.
        SharedFiles::load(env).ok().and_then(|f| f.region(&name))
    };
    let region = raw
        .get("region")
        .map(str::to_owned)
        .or_else(|| trail_name.and_then(arn_region).map(str::to_owned))
        .or_else(|| env.var("AWS_REGION"))
        .or_else(|| env.var("AWS_DEFAULT_REGION"))
        .or_else(from_profile)
        .ok_or_else(|| Error::Option("Need to specify --region option.".into()))?;
    let valid = region.len() <= 64
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !valid {
        return Err(Error::Option(format!(
            "--region '{region}' is not a region name (lower-case letters, digits and '-')."
        )));
    }
    Ok(region)
}

/// `--aws-role-arn` with `--aws-role-session-name` (default
/// `centreon-plugins`, as upstream), `--aws-external-id` and
/// `--aws-role-duration` (seconds, 900–43200).
fn role_of(raw: &Raw) -> Result<Option<Role>, Error> {
    let Some(arn) = raw.get("aws-role-arn") else {
        return Ok(None);
    };
    if !arn.starts_with("arn:") || arn.len() < 20 || arn.len() > 2048 {
        return Err(Error::Option(format!(
            "--aws-role-arn '{arn}' is not a role ARN (arn:aws:iam::<account>:role/<name>)."
        )));
    }
    let session_name = raw
        .get("aws-role-session-name")
        .unwrap_or("centreon-plugins");
    let valid_session = (2..=64).contains(&session_name.len())
        && session_name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b));
    if !valid_session {
        return Err(Error::Option(format!(
            "--aws-role-session-name '{session_name}' must be 2 to 64 of [A-Za-z0-9_+=,.@-]."
        )));
    }
    let external_id = raw.get("aws-external-id").map(str::to_owned);
    if let Some(x) = &external_id {
        let valid = (2..=1224).contains(&x.len())
            && x.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@:/-".contains(&b));
        if !valid {
            return Err(Error::Option(format!(
                "--aws-external-id '{x}' must be 2 to 1224 of [A-Za-z0-9_+=,.@:/-]."
            )));
        }
    }
    let duration = match raw.get("aws-role-duration") {
        None => None,
        Some(d) => Some(
            d.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (900..=43_200).contains(n))
                .ok_or_else(|| {
                    Error::Option(format!(
                        "--aws-role-duration must be 900 to 43200 seconds, got '{d}'."
                    ))
                })?,
        ),
    };
    Ok(Some(Role {
        arn: arn.to_owned(),
        session_name: session_name.to_owned(),
        external_id,
        duration,
    }))
}

fn threshold(raw: &Raw, label: &str) -> Result<Option<Range>, Error> {
    match raw.get(label) {
        None => Ok(None),
        Some(v) => Range::parse(v)
            .map(Some)
            .ok_or_else(|| Error::Option(format!("Wrong {label} threshold '{v}'."))),
    }
}

/// Perl's possessive `a++`, `a*+`, `a?+`, `a{2}+`: regex-lite reads them
/// as a repeated repetition, which matches where Perl would not, so they
/// are refused rather than silently changed.
fn has_possessive_quantifier(re: &str) -> bool {
    let mut escaped = false;
    let mut in_class = false;
    let mut prev_quantifier = false;
    for c in re.chars() {
        if escaped {
            escaped = false;
            prev_quantifier = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '+' if !in_class && prev_quantifier => return true,
            _ => {}
        }
        prev_quantifier = !in_class && !escaped && matches!(c, '*' | '+' | '?' | '}');
    }
    false
}

fn count_events(raw: &Raw) -> Result<CountEvents, Error> {
    let warning = threshold(raw, "warning-count")?;
    let critical = threshold(raw, "critical-count")?;
    let delta = match raw.get("delta") {
        None => Duration::from_secs(3600),
        Some(d) => positive_number(d)
            .map(|m| Duration::from_secs_f64(m * 60.0))
            .filter(|d| d.as_secs() >= 1)
            .ok_or_else(|| {
                Error::Option(format!(
                    "--delta must be a positive number of minutes, got '{d}'."
                ))
            })?,
    };
    let error_message = match raw.get("error-message") {
        None => None,
        Some(re) if has_possessive_quantifier(re) => {
            return Err(Error::Option(format!(
                "--error-message '{re}' is not a supported regular expression: \
                 possessive quantifiers are not supported"
            )));
        }
        Some(re) => Some(Regex::new(re).map_err(|e| {
            Error::Option(format!(
                "--error-message '{re}' is not a supported regular expression: {}",
                e.to_string().lines().last().unwrap_or("invalid")
            ))
        })?),
    };
    let max_pages = match raw.get("max-pages") {
        None => 100,
        Some(p) => p
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                Error::Option(format!(
                    "--max-pages must be a whole number of pages from 1, got '{p}'."
                ))
            })?,
    };
    Ok(CountEvents {
        event_type: raw.get("event-type").map(str::to_owned),
        error_message,
        delta,
        thresholds: Thresholds { warning, critical },
        max_pages,
    })
}

#[cfg(test)]
mod tests;
