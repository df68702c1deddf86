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

use crate::aws::awscli;
use crate::aws::cloudtrail::{Attribute, AttributeKey, Query};
use crate::aws::credentials::{CredentialFlags, SharedFiles};
use crate::aws::http::ProxyUrl;
use crate::aws::sts::Role;
use crate::config::{Config, CustomMode, Mode, Trails};
use crate::env::Env;
use crate::error::{Error, Limit};
use crate::expr::Expr;
use crate::modes::countevents;
use crate::output::generic::{Generic, GenericArgs};
use crate::output::{Format, Presentation};
use crate::status::State;
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
    /// Declared upstream, never done here (the text says why).
    Never(&'static str),
}

/// Which mode an option belongs to: upstream declares a mode's options
/// only when that mode is selected.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Scope {
    Any,
    Modes(&'static [ModeName]),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModeName {
    CheckTrailStatus,
    CountEvents,
    TrailDelivery,
    TrailSecurity,
    ListTrails,
    SecurityEvents,
}

impl ModeName {
    pub const ALL: [ModeName; 6] = [
        ModeName::CheckTrailStatus,
        ModeName::CountEvents,
        ModeName::ListTrails,
        ModeName::SecurityEvents,
        ModeName::TrailDelivery,
        ModeName::TrailSecurity,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ModeName::CheckTrailStatus => "checktrailstatus",
            ModeName::CountEvents => "countevents",
            ModeName::TrailDelivery => "traildelivery",
            ModeName::TrailSecurity => "trailsecurity",
            ModeName::ListTrails => "listtrails",
            ModeName::SecurityEvents => "securityevents",
        }
    }

    fn help(self) -> &'static help::Section {
        match self {
            ModeName::CheckTrailStatus => &help::MODE_CHECKTRAILSTATUS,
            ModeName::CountEvents => &help::MODE_COUNTEVENTS,
            ModeName::TrailDelivery => &help::MODE_TRAILDELIVERY,
            ModeName::TrailSecurity => &help::MODE_TRAILSECURITY,
            ModeName::ListTrails => &help::MODE_LISTTRAILS,
            ModeName::SecurityEvents => &help::MODE_SECURITYEVENTS,
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

const fn mode_opt(name: &'static str, modes: &'static [ModeName]) -> Opt {
    Opt {
        name,
        kind: Kind::Value,
        support: Support::Yes,
        scope: Scope::Modes(modes),
    }
}

const TRAIL_MODES: &[ModeName] = &[
    ModeName::CheckTrailStatus,
    ModeName::TrailDelivery,
    ModeName::TrailSecurity,
];
const SECURITY: &[ModeName] = &[ModeName::TrailSecurity];
const TRAILS_AND_LIST: &[ModeName] = &[
    ModeName::CheckTrailStatus,
    ModeName::TrailDelivery,
    ModeName::TrailSecurity,
    ModeName::ListTrails,
];
const COUNT: &[ModeName] = &[ModeName::CountEvents];
const WATCH: &[ModeName] = &[ModeName::SecurityEvents];
const WINDOW: &[ModeName] = &[ModeName::CountEvents, ModeName::SecurityEvents];
const DELIVERY: &[ModeName] = &[ModeName::TrailDelivery];
const fn mode_flag(name: &'static str, modes: &'static [ModeName]) -> Opt {
    Opt {
        kind: Kind::Flag,
        ..mode_opt(name, modes)
    }
}

use Kind::{Flag, List, Value};
use Support::{Ignored, Never, Yes};

/// Both modes' version, as upstream's `mode.pm` gives it.
const MODE_VERSION: &str = "1.0";

/// Every option upstream declares, plus ours (`--max-pages`, the
/// countevents filters after it).
const OPTIONS: &[Opt] = &[
    // centreon/plugins/script.pm
    opt("plugin", Value, Yes),
    opt("list-plugin", Flag, Yes),
    opt("help", Flag, Yes),
    opt("ignore-warn-msg", Flag, Yes),
    opt("version", Flag, Yes),
    opt("generate", Value, Yes),
    opt(
        "runas",
        Value,
        Never("run the check as the right user from the command definition"),
    ),
    opt("global-timeout", Value, Yes),
    opt(
        "environment",
        List,
        Never("set the variables in the command definition"),
    ),
    opt("convert-args", Value, Yes),
    // centreon/plugins/script_custom.pm
    opt("mode", Value, Yes),
    opt("mode-version", Value, Yes),
    opt("dyn-mode", Value, Yes),
    opt("list-mode", Flag, Yes),
    opt("custommode", Value, Yes),
    opt("list-custommode", Flag, Yes),
    opt(
        "multiple",
        Flag,
        Never("no mode of this plugin uses several connectors"),
    ),
    opt(
        "no-sanity-options",
        Flag,
        Never("unknown options are always reported"),
    ),
    opt("pass-manager", Value, Yes),
    opt("environment-map-option", List, Yes),
    // centreon/plugins/output.pm
    opt("explode-perfdata-max", List, Yes),
    opt("range-perfdata", Value, Yes),
    opt("filter-perfdata", Value, Yes),
    opt("filter-perfdata-adv", Value, Yes),
    opt("change-perfdata", List, Yes),
    opt("extend-perfdata", List, Yes),
    opt("extend-perfdata-group", List, Yes),
    opt("change-exit", List, Yes),
    opt("change-short-output", List, Yes),
    opt("change-long-output", List, Yes),
    opt("change-output-adv", List, Yes),
    opt("use-new-perfdata", Flag, Yes),
    opt("filter-uom", Value, Yes),
    opt("verbose", Flag, Yes),
    opt("debug", Flag, Yes),
    opt("debug-stream", Flag, Yes),
    opt("show-password", Flag, Yes),
    opt("opt-exit", Value, Yes),
    opt("output-xml", Flag, Yes),
    opt("output-json", Flag, Yes),
    opt("output-ignore-perfdata", Flag, Yes),
    opt("output-ignore-label", Flag, Yes),
    opt("output-openmetrics", Flag, Yes),
    opt("output-file", Value, Yes),
    opt("disco-format", Flag, Yes),
    opt("disco-show", Flag, Yes),
    opt("float-precision", Value, Yes),
    opt("source-encoding", Value, Yes),
    // centreon/plugins/statefile.pm
    opt(
        "memcached",
        Value,
        Never("state is kept in files, see --statefile-dir"),
    ),
    opt(
        "redis-server",
        Value,
        Never("state is kept in files, see --statefile-dir"),
    ),
    opt(
        "redis-db",
        Value,
        Never("state is kept in files, see --statefile-dir"),
    ),
    opt(
        "memexpiration",
        Value,
        Never("state is kept in files, see --statefile-dir"),
    ),
    opt("statefile-dir", Value, Yes),
    opt("statefile-suffix", Value, Yes),
    opt("statefile-concat-cwd", Flag, Yes),
    opt("statefile-storable", Flag, Ignored),
    opt("failback-file", Value, Ignored),
    opt("statefile-format", Value, Ignored),
    opt(
        "statefile-key",
        Value,
        Never("state files are private to their user (mode 0600) rather than encrypted"),
    ),
    opt("disable-statefile", Flag, Yes),
    opt("api-rate", Value, Yes),
    opt(
        "statefile-cipher",
        Value,
        Never("state files are private to their user (mode 0600) rather than encrypted"),
    ),
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
    opt("regions", Value, Yes),
    opt("ca-bundle", Value, Yes),
    // cloud/aws/cloudtrail/mode/*.pm
    mode_opt("trail-name", TRAIL_MODES),
    mode_opt("event-type", COUNT),
    mode_opt("error-message", COUNT),
    mode_opt("delta", WINDOW),
    mode_opt("warning-count", COUNT),
    mode_opt("critical-count", COUNT),
    mode_opt("max-pages", WINDOW),
    mode_opt("warning-delivery-age", DELIVERY),
    mode_opt("critical-delivery-age", DELIVERY),
    mode_opt("warning-delivery-error", DELIVERY),
    mode_opt("critical-delivery-error", DELIVERY),
    mode_opt("warning-cloudwatch-logs-age", DELIVERY),
    mode_opt("critical-cloudwatch-logs-age", DELIVERY),
    mode_opt("warning-cloudwatch-logs-error", DELIVERY),
    mode_opt("critical-cloudwatch-logs-error", DELIVERY),
    mode_opt("warning-digest-age", DELIVERY),
    mode_opt("critical-digest-age", DELIVERY),
    mode_opt("warning-digest-error", DELIVERY),
    mode_opt("critical-digest-error", DELIVERY),
    mode_opt("warning-notification-error", DELIVERY),
    mode_opt("critical-notification-error", DELIVERY),
    mode_opt("warning-status", SECURITY),
    mode_opt("critical-status", SECURITY),
    mode_opt("filter-check", SECURITY),
    mode_opt("filter-trail-name", TRAILS_AND_LIST),
    Opt {
        name: "all-trails",
        kind: Kind::Flag,
        support: Support::Yes,
        scope: Scope::Modes(TRAIL_MODES),
    },
    // ours: countevents filters, verbose listing and early stop
    mode_opt("event-name", COUNT),
    mode_opt("event-source", COUNT),
    mode_opt("username", COUNT),
    mode_opt("resource-type", COUNT),
    mode_opt("resource-name", COUNT),
    mode_opt("access-key-id", COUNT),
    mode_opt("read-only", COUNT),
    mode_opt("error-code", COUNT),
    mode_opt("filter-event-name", COUNT),
    mode_flag("insight", COUNT),
    mode_flag("exclude-self", COUNT),
    mode_flag("stop-at-critical", COUNT),
    // ours: securityevents, one range pair per CIS category (modes::cis)
    mode_opt("filter-category", WATCH),
    mode_opt("warning-unauthorized_api_calls", WATCH),
    mode_opt("critical-unauthorized_api_calls", WATCH),
    mode_opt("warning-console_login_without_mfa", WATCH),
    mode_opt("critical-console_login_without_mfa", WATCH),
    mode_opt("warning-root_account_usage", WATCH),
    mode_opt("critical-root_account_usage", WATCH),
    mode_opt("warning-iam_policy_changes", WATCH),
    mode_opt("critical-iam_policy_changes", WATCH),
    mode_opt("warning-cloudtrail_changes", WATCH),
    mode_opt("critical-cloudtrail_changes", WATCH),
    mode_opt("warning-console_auth_failures", WATCH),
    mode_opt("critical-console_auth_failures", WATCH),
    mode_opt("warning-cmk_disable_or_deletion", WATCH),
    mode_opt("critical-cmk_disable_or_deletion", WATCH),
    mode_opt("warning-s3_bucket_policy_changes", WATCH),
    mode_opt("critical-s3_bucket_policy_changes", WATCH),
    mode_opt("warning-aws_config_changes", WATCH),
    mode_opt("critical-aws_config_changes", WATCH),
    mode_opt("warning-security_group_changes", WATCH),
    mode_opt("critical-security_group_changes", WATCH),
    mode_opt("warning-nacl_changes", WATCH),
    mode_opt("critical-nacl_changes", WATCH),
    mode_opt("warning-network_gateway_changes", WATCH),
    mode_opt("critical-network_gateway_changes", WATCH),
    mode_opt("warning-route_table_changes", WATCH),
    mode_opt("critical-route_table_changes", WATCH),
    mode_opt("warning-vpc_changes", WATCH),
    mode_opt("critical-vpc_changes", WATCH),
    mode_opt("warning-organizations_changes", WATCH),
    mode_opt("critical-organizations_changes", WATCH),
];

/// The lookup-attribute options, in the order that picks the one sent to
/// LookupEvents (the first given); the others filter on our side.
pub const ATTRIBUTE_OPTIONS: [(&str, AttributeKey); 7] = [
    ("event-name", AttributeKey::EventName),
    ("event-source", AttributeKey::EventSource),
    ("username", AttributeKey::Username),
    ("resource-type", AttributeKey::ResourceType),
    ("resource-name", AttributeKey::ResourceName),
    ("access-key-id", AttributeKey::AccessKeyId),
    ("read-only", AttributeKey::ReadOnly),
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

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    /// Help, version or a list: printed as is.
    Info(String),
    /// A document asked for on purpose (`--generate=man`): printed as is,
    /// exit 0, so a build script can redirect it.
    Document(String),
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
    /// The generic output options (defaults when they are wrong: the
    /// error then says so).
    pub presentation: Presentation,
    /// `--output-file`.
    pub output_file: Option<String>,
    pub command: Result<Command, Error>,
}

/// Options of `script.pm` and `output.pm`: consumed before
/// `--convert-args` runs upstream, so it never rewrites them.
const FIRST_STAGE: [&str; 10] = [
    "plugin",
    "list-plugin",
    "help",
    "ignore-warn-msg",
    "version",
    "generate",
    "runas",
    "global-timeout",
    "environment",
    "convert-args",
];

fn is_output_option(name: &str) -> bool {
    let start = OPTIONS
        .iter()
        .position(|o| o.name == "explode-perfdata-max");
    let end = OPTIONS.iter().position(|o| o.name == "source-encoding");
    match (start, end, OPTIONS.iter().position(|o| o.name == name)) {
        (Some(a), Some(b), Some(i)) => (a..=b).contains(&i),
        _ => false,
    }
}

/// `--pass-manager=environment` with `--environment-map-option=OPT=VAR`
/// (the option takes the variable's value: secrets stay out of the
/// command line), then `--convert-args=SEARCH,REPLACE` on the values of
/// the connector and mode options, as upstream.
fn prepare(raw: &mut Raw, env: &dyn Env) -> Result<(), Error> {
    let maps: Vec<String> = raw
        .list("environment-map-option")
        .into_iter()
        .map(str::to_owned)
        .collect();
    match raw.get("pass-manager") {
        None if maps.is_empty() => {}
        None => {
            return Err(Error::Option(
                "--environment-map-option needs --pass-manager=environment".into(),
            ));
        }
        Some("environment") => {
            for m in &maps {
                let (opt_name, var) = m
                    .split_once('=')
                    .filter(|(o, v)| !o.is_empty() && !v.is_empty())
                    .ok_or_else(|| {
                        Error::Option(format!(
                            "--environment-map-option '{m}' is not OPTION=VARIABLE"
                        ))
                    })?;
                let o = lookup(opt_name.trim_start_matches('-')).ok_or_else(|| {
                    Error::Option(format!(
                        "--environment-map-option '{m}': no option --{opt_name}"
                    ))
                })?;
                raw.values
                    .insert(o.name, vec![env.var(var).unwrap_or_default()]);
            }
        }
        Some(other) => {
            return Err(Error::Option(format!(
                "option --pass-manager={other} is not supported (only 'environment')"
            )));
        }
    }
    if let Some(conv) = raw.get("convert-args").map(str::to_owned) {
        let (search, replace) = conv
            .split_once(',')
            .filter(|(s, _)| !s.is_empty())
            .ok_or_else(|| {
                Error::Option(format!("--convert-args '{conv}' is not SEARCH,REPLACE"))
            })?;
        let re = Regex::new(search).map_err(|e| {
            Error::Option(format!(
                "--convert-args '{conv}': '{search}' is not a supported regular expression: {}",
                e.to_string().lines().last().unwrap_or("invalid")
            ))
        })?;
        let replacement = crate::perl::replacement(replace);
        for (name, values) in raw.values.iter_mut() {
            if FIRST_STAGE.contains(name) || is_output_option(name) {
                continue;
            }
            for v in values.iter_mut() {
                *v = re.replace_all(v, replacement.as_str()).into_owned();
            }
        }
    }
    Ok(())
}

/// The generic output options, validated.
fn presentation(raw: &Raw) -> Result<Presentation, Error> {
    let all = |name: &str| -> Vec<&str> {
        raw.values
            .get(name)
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default()
    };
    let args = GenericArgs {
        filter_perfdata: raw.get("filter-perfdata"),
        filter_perfdata_adv: raw.get("filter-perfdata-adv"),
        filter_uom: raw.get("filter-uom"),
        change_perfdata: raw.list("change-perfdata"),
        extend_perfdata: raw.list("extend-perfdata"),
        extend_perfdata_group: raw.list("extend-perfdata-group"),
        explode_perfdata_max: raw
            .values
            .get("explode-perfdata-max")
            .map(|_| all("explode-perfdata-max")),
        change_short_output: raw.list("change-short-output"),
        change_long_output: raw.list("change-long-output"),
        change_output_adv: raw.list("change-output-adv"),
        change_exit: raw.list("change-exit"),
        range_perfdata: raw
            .values
            .get("range-perfdata")
            .and_then(|v| v.last())
            .map(String::as_str),
    };
    let generic = Generic::parse(&args).map_err(Error::Option)?;
    let format = if raw.flag("output-xml") {
        Format::Xml
    } else if raw.flag("output-json") {
        Format::Json
    } else if raw.flag("output-openmetrics") {
        Format::OpenMetrics
    } else {
        Format::Text
    };
    Ok(Presentation {
        generic,
        format,
        long: raw.flag("verbose") || raw.flag("debug") || raw.flag("debug-stream"),
        ignore_label: raw.flag("output-ignore-label"),
        ignore_perfdata: raw.flag("output-ignore-perfdata"),
        plugin: raw
            .get("plugin")
            .unwrap_or("cloud::aws::cloudtrail::plugin")
            .to_owned(),
        mode: raw.get("mode").unwrap_or_default().to_owned(),
        epoch_ms: 0,
        status_metric: raw.flag("output-openmetrics"),
    })
}

pub fn parse<I>(args: I, env: &dyn Env) -> Invocation
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    let mut args = args.into_iter();
    // The program name.
    let _ = args.next();
    let mut raw = parse_raw(args);
    let prepared = prepare(&mut raw, env);
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
    let (presentation, presentation_error) = match presentation(&raw) {
        Ok(p) => (p, None),
        Err(e) => (Presentation::default(), Some(e)),
    };
    let command = match (opt_exit_error, presentation_error, prepared) {
        (Some(e), _, _) | (None, Some(e), _) | (None, None, Err(e)) => Err(e),
        (None, None, Ok(())) => build(&raw, env),
    };
    Invocation {
        error_state,
        verbose: raw.flag("verbose"),
        debug: raw.flag("debug") || raw.flag("debug-stream"),
        presentation,
        output_file: raw.get("output-file").map(str::to_owned),
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

fn man_page() -> String {
    let modes: Vec<(&str, &help::Section)> =
        ModeName::ALL.iter().map(|m| (m.name(), m.help())).collect();
    help::man_page(
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_DESCRIPTION"),
        &modes,
    )
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
    if let Some(p) = raw.get("plugin")
        && p != "cloud::aws::cloudtrail::plugin"
        && p != "cloud/aws/cloudtrail/plugin.pm"
    {
        return Err(Error::Option(format!(
            "Cannot load module --plugin: '{p}' (this program holds cloud::aws::cloudtrail::plugin only)."
        )));
    }
    if let Some(what) = raw.get("generate") {
        return match what {
            "man" => Ok(Command::Document(man_page())),
            _ => Err(Error::Option(format!(
                "Unknown value '{what}' for --generate (only 'man')."
            ))),
        };
    }
    if raw.flag("list-plugin") {
        return Ok(Command::Info(
            "\n-----------------\nPLUGIN: cloud::aws::cloudtrail::plugin\nDESCRIPTION:\n    Check Amazon CloudTrail.\n\n".into(),
        ));
    }
    // `--dyn-mode` names a mode by its module: only ours exist.
    let dyn_mode = match raw.get("dyn-mode") {
        None => None,
        Some(m) => Some(
            ModeName::ALL
                .into_iter()
                .find(|n| {
                    m == format!("cloud::aws::cloudtrail::mode::{}", n.name())
                        || m == format!("cloud/aws/cloudtrail/mode/{}.pm", n.name())
                })
                .map(ModeName::name)
                .ok_or_else(|| {
                    Error::Option(format!(
                        "Cannot load module --dyn-mode: '{m}' (this program holds cloud::aws::cloudtrail::mode::{{checktrailstatus,countevents}} only)."
                    ))
                })?,
        ),
    };
    let mode_arg = raw.get("mode").or(dyn_mode);
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
            &help::STATEFILE,
            mode.help(),
        ])));
    }
    if raw.flag("version") {
        return Ok(Command::Info(format!("Mode Version: {MODE_VERSION} \n")));
    }
    if let Some(want) = raw.get("mode-version") {
        let newer = |a: &str, b: &str| -> bool {
            let parts = |v: &str| -> Vec<u64> {
                v.split('.')
                    .map(|p| p.trim().parse().unwrap_or(0))
                    .collect()
            };
            parts(a) > parts(b)
        };
        if newer(want, MODE_VERSION) {
            return Err(Error::Option(format!(
                "Not good version for plugin mode. Excepted at least: {want}. Get: {MODE_VERSION}"
            )));
        }
    }
    if let Some(u) = &raw.unknown {
        return Err(Error::UnknownOption(u.clone()));
    }
    // A mode's options exist only when that mode is selected.
    if let Some(o) = OPTIONS.iter().find(|o| {
        matches!(o.scope, Scope::Modes(ms) if !ms.contains(&mode))
            && raw.values.contains_key(o.name)
    }) {
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
    for o in OPTIONS.iter().filter(|o| raw.given(o)) {
        if let Support::Never(why) = o.support {
            return Err(Error::Option(format!(
                "option --{} is not supported: {why}.",
                o.name
            )));
        }
    }
    if (raw.flag("disco-format") || raw.flag("disco-show")) && mode != ModeName::ListTrails {
        return Err(Error::Option(format!(
            "mode {} has no discovery: --disco-format and --disco-show need a discovery mode.",
            mode.name()
        )));
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

    let regions: Vec<String> = match raw.get("regions") {
        None => Vec::new(),
        Some(list) => {
            let rs: Vec<String> = list
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect();
            if let Some(bad) = rs.iter().find(|r| {
                r.len() > 64
                    || !r
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            }) {
                return Err(Error::Option(format!(
                    "--regions: '{bad}' is not a region name (lower-case letters, digits and '-')."
                )));
            }
            if raw.get("endpoint-url").is_some() || raw.get("endpoint").is_some() {
                return Err(Error::Option(
                    "--regions cannot be combined with --endpoint-url: one endpoint is one region."
                        .into(),
                ));
            }
            if custom_mode == CustomMode::AwsCli {
                return Err(Error::Option(
                    "--regions needs the built-in client (--custommode=api)".into(),
                ));
            }
            rs
        }
    };
    let trail_filter = pattern(raw, "filter-trail-name")?;
    let many = (mode != ModeName::ListTrails
        && mode != ModeName::CountEvents
        && (raw.flag("all-trails") || trail_filter.is_some()))
    .then(|| trail_filter.clone());
    if many.is_some() && custom_mode == CustomMode::AwsCli {
        return Err(Error::Option(
            "--all-trails and --filter-trail-name need the built-in client (--custommode=api)"
                .into(),
        ));
    }
    // With several trails, --trail-name is not needed.
    let trails = match (many, raw.get("trail-name")) {
        (Some(filter), _) => Some(Trails::All(filter)),
        (None, Some(name)) => Some(Trails::One(name.to_owned())),
        (None, None) => None,
    };
    let trails = || {
        trails
            .clone()
            .ok_or_else(|| Error::Option("Need to specify --trail-name option.".into()))
    };
    let region = match raw
        .get("regions")
        .and_then(|r| r.split(',').map(str::trim).find(|r| !r.is_empty()))
    {
        Some(first) if raw.get("region").is_none() => first.to_owned(),
        _ => region_of(raw, raw.get("trail-name"), env)?,
    };
    let float_precision = match raw.get("float-precision") {
        None => None,
        Some(p) => Some(
            p.trim()
                .parse::<usize>()
                .ok()
                .filter(|n| *n <= 20)
                .ok_or_else(|| {
                    Error::Option(format!(
                        "--float-precision must be a number of decimals from 0 to 20, got '{p}'."
                    ))
                })?,
        ),
    };
    let rates = match raw.get("api-rate") {
        None => crate::aws::quota::Rates::default(),
        Some(r) => crate::aws::quota::Rates::all(
            r.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && (0.0..=1000.0).contains(v))
                .ok_or_else(|| {
                    Error::Option(format!(
                        "--api-rate must be requests per second from 0 (no pacing) to 1000, got '{r}'."
                    ))
                })?,
        ),
    };
    let global_timeout = match raw.get("global-timeout") {
        None => None,
        // Upstream takes the first run of digits.
        Some(g) => {
            let digits: String = g
                .chars()
                .skip_while(|c| !c.is_ascii_digit())
                .take_while(char::is_ascii_digit)
                .collect();
            digits
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0 && *n <= 86_400)
                .map(Some)
                .ok_or_else(|| {
                    Error::Option(format!(
                        "--global-timeout must be a number of seconds from 1 to 86400, got '{g}'."
                    ))
                })?
        }
    };
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
    let awscli = awscli::Options {
        command: raw.get("command").unwrap_or("aws").to_owned(),
        command_path: raw.get("command-path").map(str::to_owned),
        command_options: raw.get("command-options").map(str::to_owned),
        sudo: raw.flag("sudo"),
    };

    let mode = match mode {
        ModeName::CheckTrailStatus => Mode::CheckTrailStatus { trails: trails()? },
        ModeName::CountEvents => Mode::CountEvents(Box::new(count_events(raw, float_precision)?)),
        ModeName::SecurityEvents => security_events(raw, float_precision)?,
        ModeName::ListTrails => Mode::ListTrails {
            filter: trail_filter,
            disco: if raw.flag("disco-format") {
                Some(crate::modes::listtrails::Disco::Format)
            } else if raw.flag("disco-show") {
                Some(crate::modes::listtrails::Disco::Show)
            } else {
                None
            },
            json: raw.flag("output-json") && !raw.flag("output-xml"),
        },
        ModeName::TrailSecurity => Mode::TrailSecurity {
            trails: trails()?,
            opts: security_options(raw)?,
        },
        ModeName::TrailDelivery => Mode::TrailDelivery {
            trails: trails()?,
            thresholds: delivery_thresholds(raw)?,
        },
    };
    let limit = match global_timeout {
        Some(g) if Duration::from_secs(g) < timeout => Limit {
            secs: g,
            option: "--global-timeout",
        },
        _ => Limit {
            secs: timeout.as_secs().max(1),
            option: "--timeout",
        },
    };
    let timeout = timeout.min(Duration::from_secs(limit.secs));
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
        limit,
        awscli,
        global_elsewhere: false,
        regions,
        state: crate::statefile::Options {
            dir: raw.get("statefile-dir").map(str::to_owned),
            suffix: raw.get("statefile-suffix").unwrap_or_default().to_owned(),
            concat_cwd: raw.flag("statefile-concat-cwd"),
            disabled: raw.flag("disable-statefile"),
        },
        rates,
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

/// trailsecurity's status expressions (an empty one turns that state
/// off) and `--filter-check`.
fn security_options(raw: &Raw) -> Result<crate::modes::trailsecurity::Options, Error> {
    use crate::modes::trailsecurity::{DEFAULT_CRITICAL, DEFAULT_WARNING, variables};
    let expr = |name: &str, default: &str| -> Result<Option<Expr>, Error> {
        let given = raw.values.get(name).and_then(|v| v.last());
        let text = match given {
            Some(t) if t.is_empty() => return Ok(None),
            Some(t) => t.as_str(),
            None => default,
        };
        Expr::parse_with(text, &variables())
            .map(Some)
            .map_err(|e| Error::Option(format!("--{name} '{text}': {e}")))
    };
    Ok(crate::modes::trailsecurity::Options {
        warning: expr("warning-status", DEFAULT_WARNING)?,
        critical: expr("critical-status", DEFAULT_CRITICAL)?,
        filter: pattern(raw, "filter-check")?,
    })
}

/// traildelivery's `--warning-<metric>`/`--critical-<metric>`: a given
/// range replaces the default, an empty one keeps it.
fn delivery_thresholds(raw: &Raw) -> Result<crate::modes::traildelivery::Options, Error> {
    let mut o = crate::modes::traildelivery::Options::default();
    for (metric, t) in [
        ("delivery-age", &mut o.delivery_age),
        ("delivery-error", &mut o.delivery_error),
        ("cloudwatch-logs-age", &mut o.cloudwatch_logs_age),
        ("cloudwatch-logs-error", &mut o.cloudwatch_logs_error),
        ("digest-age", &mut o.digest_age),
        ("digest-error", &mut o.digest_error),
        ("notification-error", &mut o.notification_error),
    ] {
        if let Some(w) = threshold(raw, &format!("warning-{metric}"))? {
            t.warning = Some(w);
        }
        if let Some(c) = threshold(raw, &format!("critical-{metric}"))? {
            t.critical = Some(c);
        }
    }
    Ok(o)
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

fn count_events(raw: &Raw, float_precision: Option<usize>) -> Result<countevents::Options, Error> {
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
    let error_message = pattern(raw, "error-message")?;
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
    let mut attributes = Vec::new();
    for (name, key) in ATTRIBUTE_OPTIONS {
        if let Some(v) = raw.get(name) {
            attributes.push(Attribute {
                key,
                value: attribute_value(name, key, v)?,
            });
        }
    }
    let error_code = match raw.get("error-code") {
        Some(c) if !valid_text(c) => {
            return Err(Error::Option(format!(
                "--error-code '{c}' is not an error code: at most {MAX_VALUE} characters, \
                 no control characters."
            )));
        }
        c => c.map(str::to_owned),
    };
    let stop_at_critical = raw.flag("stop-at-critical");
    if stop_at_critical {
        match (critical, raw.get("critical-count")) {
            (Some(r), _) if r.alerts_above_a_bound() => {}
            (_, Some(c)) => {
                return Err(Error::Option(format!(
                    "--stop-at-critical needs a --critical-count that alerts above a bound \
                     (like 10, ~:10, 5:10 or @10:), got '{c}'."
                )));
            }
            (_, None) => {
                return Err(Error::Option(
                    "--stop-at-critical needs --critical-count (like 10: CRITICAL above 10)."
                        .into(),
                ));
            }
        }
    }
    let mut attributes = attributes.into_iter();
    Ok(countevents::Options {
        event_type: raw.get("event-type").map(str::to_owned),
        error_message,
        delta,
        thresholds: Thresholds { warning, critical },
        float_precision,
        max_pages,
        query: Query {
            attribute: attributes.next(),
            insight: raw.flag("insight"),
        },
        attributes: attributes.collect(),
        error_code,
        filter_event_name: pattern(raw, "filter-event-name")?,
        exclude_self: raw.flag("exclude-self"),
        stop_at_critical,
    })
}

/// securityevents: the window read like countevents' (same `--delta`,
/// `--max-pages`, no filter), the categories `--filter-category` keeps,
/// each with its ranges: a given one replaces the default, an empty one
/// means never.
fn security_events(raw: &Raw, float_precision: Option<usize>) -> Result<Mode, Error> {
    use crate::modes::cis::CATEGORIES;
    let read = count_events(raw, float_precision)?;
    let filter = pattern(raw, "filter-category")?;
    let mut selected = Vec::new();
    for c in CATEGORIES
        .iter()
        .filter(|c| filter.as_ref().is_none_or(|re| re.is_match(c.label)))
    {
        let mut t = c.default_thresholds();
        for (level, slot) in [("warning", &mut t.warning), ("critical", &mut t.critical)] {
            let name = format!("{level}-{}", c.label);
            match raw.values.get(name.as_str()).and_then(|v| v.last()) {
                None => {}
                Some(v) if v.is_empty() => *slot = None,
                Some(_) => *slot = threshold(raw, &name)?,
            }
        }
        selected.push((c, t));
    }
    if selected.is_empty() {
        return Err(Error::Option(format!(
            "--filter-category '{}' matches no category.",
            raw.get("filter-category").unwrap_or_default()
        )));
    }
    let delta_minutes = read.delta.as_secs() / 60;
    Ok(Mode::SecurityEvents {
        read: Box::new(read),
        opts: crate::modes::securityevents::Options {
            selected,
            delta_minutes,
        },
    })
}

/// The longest value LookupEvents takes for an attribute.
const MAX_VALUE: usize = 2000;

/// At most [`MAX_VALUE`] characters, none of them a control character.
fn valid_text(v: &str) -> bool {
    v.chars().count() <= MAX_VALUE && !v.chars().any(char::is_control)
}

/// A lookup attribute's value, checked so that LookupEvents never gets
/// one it refuses: `--read-only` is `true` or `false` (any case), an
/// access key id is 16 to 128 of `A-Z0-9`, the others plain text.
fn attribute_value(name: &str, key: AttributeKey, v: &str) -> Result<String, Error> {
    match key {
        AttributeKey::ReadOnly => match v.to_ascii_lowercase().as_str() {
            l @ ("true" | "false") => Ok(l.to_owned()),
            _ => Err(Error::Option(format!(
                "--read-only must be true or false, got '{v}'."
            ))),
        },
        AttributeKey::AccessKeyId
            if !(16..=128).contains(&v.len())
                || !v
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) =>
        {
            Err(Error::Option(format!(
                "--access-key-id '{v}' is not an access key id (16 to 128 of A-Z and 0-9)."
            )))
        }
        _ if !valid_text(v) => Err(Error::Option(format!(
            "--{name} '{v}' is not a lookup value: at most {MAX_VALUE} characters, \
             no control characters."
        ))),
        _ => Ok(v.to_owned()),
    }
}

/// A regular-expression option (`--error-message`, `--filter-event-name`):
/// regex-lite, with Perl constructs it lacks refused by name.
fn pattern(raw: &Raw, name: &str) -> Result<Option<Regex>, Error> {
    match raw.get(name) {
        None => Ok(None),
        Some(re) if has_possessive_quantifier(re) => Err(Error::Option(format!(
            "--{name} '{re}' is not a supported regular expression: \
             possessive quantifiers are not supported"
        ))),
        Some(re) => Regex::new(re).map(Some).map_err(|e| {
            Error::Option(format!(
                "--{name} '{re}' is not a supported regular expression: {}",
                e.to_string().lines().last().unwrap_or("invalid")
            ))
        }),
    }
}

#[cfg(test)]
mod tests;
