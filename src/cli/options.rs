//! Which options exist and the strings given for them: the option tables,
//! the lexopt loop ([`parse_raw`]) and the rewriting upstream does before
//! any option is read ([`prepare`]). Nothing here validates a value.

use std::collections::HashMap;
use std::ffi::OsString;

use regex_lite::Regex;

use super::mode::{self, ModeName, PerLabel};
use crate::env::Env;
use crate::error::Error;

/// How an option takes its value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// `--x=v` / `--x v`, last one wins.
    Value,
    /// `--x`; `--x=0` or `--x 0` means off.
    Flag,
    /// `--x=v`, repeatable, each kept.
    List,
}

/// What this build does with an option.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Support {
    Yes,
    /// Accepted and ignored (CloudWatch knobs of the shared AWS connector).
    Ignored,
    /// Declared upstream, never done here (the text says why).
    Never(&'static str),
}

/// Which mode an option belongs to: upstream declares a mode's options
/// only when that mode is selected.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scope {
    Any,
    Modes(&'static [ModeName]),
}

impl Scope {
    pub fn admits(self, mode: ModeName) -> bool {
        match self {
            Scope::Any => true,
            Scope::Modes(ms) => ms.contains(&mode),
        }
    }
}

/// How an option is named.
#[derive(Clone, Copy)]
pub enum Name {
    Exact(&'static str),
    /// `--<level>-<label>` for each label of a mode's table (its
    /// thresholds), so a label added to the table is an option at once.
    PerLabel {
        level: &'static str,
        family: &'static PerLabel,
    },
}

pub struct Opt {
    pub name: Name,
    pub kind: Kind,
    pub support: Support,
    pub scope: Scope,
}

impl Opt {
    /// The name values are kept under when `typed` names this option:
    /// per-label options are typed with `-` or `_` in the label and kept
    /// as their mode spells them.
    fn key(&self, typed: &str) -> Option<String> {
        match self.name {
            Name::Exact(n) => (n == typed).then(|| n.to_owned()),
            Name::PerLabel { level, family } => {
                let label = typed.strip_prefix(level)?.strip_prefix('-')?;
                let wanted = family.spelled(label);
                (family.labels)()
                    .into_iter()
                    .map(|l| family.spelled(l))
                    .find(|l| *l == wanted)
                    .map(|l| format!("{level}-{l}"))
            }
        }
    }

    /// Every name of this option, as `--help` shows it.
    pub fn names(&self) -> Vec<String> {
        match self.name {
            Name::Exact(n) => vec![n.to_owned()],
            Name::PerLabel { level, family } => (family.labels)()
                .into_iter()
                .map(|l| format!("{level}-{}", family.spelled(l)))
                .collect(),
        }
    }

    /// The name when this option has only one.
    pub fn exact(&self) -> Option<&'static str> {
        match self.name {
            Name::Exact(n) => Some(n),
            Name::PerLabel { .. } => None,
        }
    }
}

pub const fn opt(name: &'static str, kind: Kind, support: Support) -> Opt {
    Opt {
        name: Name::Exact(name),
        kind,
        support,
        scope: Scope::Any,
    }
}

pub const fn mode_opt(name: &'static str, modes: &'static [ModeName]) -> Opt {
    Opt {
        name: Name::Exact(name),
        kind: Kind::Value,
        support: Support::Yes,
        scope: Scope::Modes(modes),
    }
}

pub const fn mode_flag(name: &'static str, modes: &'static [ModeName]) -> Opt {
    Opt {
        kind: Kind::Flag,
        ..mode_opt(name, modes)
    }
}

/// `--warning-<label>` and `--critical-<label>` of `family`.
pub const fn per_label(
    level: &'static str,
    family: &'static PerLabel,
    modes: &'static [ModeName],
) -> Opt {
    Opt {
        name: Name::PerLabel { level, family },
        kind: Kind::Value,
        support: Support::Yes,
        scope: Scope::Modes(modes),
    }
}

use Kind::{Flag, List, Value};
use Support::{Ignored, Never, Yes};

/// centreon/plugins/script.pm: read before `--convert-args` runs
/// upstream, so it never rewrites them.
const SCRIPT: &[Opt] = &[
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
];

/// centreon/plugins/script_custom.pm
const SCRIPT_CUSTOM: &[Opt] = &[
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
];

/// centreon/plugins/output.pm: also read before `--convert-args`.
const OUTPUT: &[Opt] = &[
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
    opt("output-openmetrics-textfile", Flag, Yes),
    opt("output-file", Value, Yes),
    opt("disco-format", Flag, Yes),
    opt("disco-show", Flag, Yes),
    opt("float-precision", Value, Yes),
    opt("source-encoding", Value, Yes),
];

const NO_CACHE_SERVER: Support = Never("state is kept in files, see --statefile-dir");
const NO_CIPHER: Support =
    Never("state files are private to their user (mode 0600) rather than encrypted");

/// centreon/plugins/statefile.pm
const STATEFILE: &[Opt] = &[
    opt("memcached", Value, NO_CACHE_SERVER),
    opt("redis-server", Value, NO_CACHE_SERVER),
    opt("redis-db", Value, NO_CACHE_SERVER),
    opt("memexpiration", Value, NO_CACHE_SERVER),
    opt("statefile-dir", Value, Yes),
    opt("statefile-suffix", Value, Yes),
    opt("statefile-concat-cwd", Flag, Yes),
    opt("statefile-storable", Flag, Ignored),
    opt("failback-file", Value, Ignored),
    opt("statefile-format", Value, Ignored),
    opt("statefile-key", Value, NO_CIPHER),
    opt("disable-statefile", Flag, Yes),
    opt("api-rate", Value, Yes),
    opt("statefile-cipher", Value, NO_CIPHER),
];

/// cloud/aws/custom/{paws,awscli}.pm, then ours: role, endpoints and TLS
/// knobs the AWS SDKs and CLI have.
const CONNECTOR: &[Opt] = &[
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
    opt("aws-external-id", Value, Yes),
    opt("aws-role-session-name", Value, Yes),
    opt("aws-role-duration", Value, Yes),
    opt("sts-endpoint-url", Value, Yes),
    opt("fips", Flag, Yes),
    opt("regions", Value, Yes),
    opt("ca-bundle", Value, Yes),
];

/// Every option upstream declares, plus ours: the generic ones, then each
/// mode's (cloud/aws/cloudtrail/mode/*.pm and ours).
pub const OPTIONS: [&[Opt]; 14] = [
    SCRIPT,
    SCRIPT_CUSTOM,
    OUTPUT,
    STATEFILE,
    CONNECTOR,
    mode::TRAIL_OPTIONS,
    mode::countevents::OPTIONS,
    mode::traildelivery::OPTIONS,
    mode::trailsecurity::OPTIONS,
    mode::securityevents::OPTIONS,
    mode::logintegrity::OPTIONS,
    mode::s3::OPTIONS,
    mode::STATUS_OPTIONS,
    mode::bucketposture::OPTIONS,
];

pub fn options() -> impl Iterator<Item = &'static Opt> {
    OPTIONS.iter().flat_map(|t| t.iter())
}

/// The option `typed` names, with the name its values are kept under.
pub fn lookup(typed: &str) -> Option<(&'static Opt, String)> {
    options().find_map(|o| o.key(typed).map(|k| (o, k)))
}

/// The options as given: names to their values, in order. Nothing is
/// validated yet except that each name exists.
#[derive(Default)]
pub struct Raw {
    pub(super) values: HashMap<String, Vec<String>>,
    /// The first spelling typed of a per-label option, when it is not
    /// the one its values are kept under (errors quote what was typed).
    typed: HashMap<String, String>,
    /// The first option nobody declares (reported after help/version, as
    /// upstream does).
    pub(super) unknown: Option<String>,
    /// A stray argument.
    pub(super) alone: Option<String>,
    /// A value that is not valid UTF-8, with its option.
    pub(super) non_utf8: Option<String>,
}

impl Raw {
    /// The last non-empty value: an empty value means "not given"
    /// (Centreon fills unset macros with nothing).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.last(name).filter(|v| !v.is_empty())
    }

    /// The last value, even empty.
    pub fn last(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .and_then(|v| v.last())
            .map(String::as_str)
    }

    /// Every value, empty ones included; `None` when never given.
    pub fn all(&self, name: &str) -> Option<Vec<&str>> {
        self.values
            .get(name)
            .map(|v| v.iter().map(String::as_str).collect())
    }

    pub fn list(&self, name: &str) -> Vec<&str> {
        self.all(name)
            .map(|v| v.into_iter().filter(|s| !s.is_empty()).collect())
            .unwrap_or_default()
    }

    pub fn flag(&self, name: &str) -> bool {
        self.last(name).is_some_and(|v| v != "0")
    }

    /// Given with a value that means something (not empty, not `0` for a
    /// flag).
    pub fn given(&self, o: &Opt) -> bool {
        o.names().iter().any(|n| match o.kind {
            Flag => self.flag(n),
            Value | List => !self.list(n).is_empty(),
        })
    }

    /// How the option kept as `key` was typed, when it was.
    pub fn typed<'a>(&'a self, key: &'a str) -> Option<&'a str> {
        self.values
            .contains_key(key)
            .then(|| self.typed.get(key).map_or(key, String::as_str))
    }
}

/// The lexopt loop. Never fails: problems are recorded in [`Raw`] and
/// reported by `build` in upstream's order.
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
                    Some((_, key)) => {
                        if key != name {
                            raw.typed.entry(key.clone()).or_insert(name);
                        }
                        raw.values.entry(key).or_default().push(value);
                    }
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

/// `--convert-args` leaves these alone: upstream reads them before it
/// runs.
fn first_stage(key: &str) -> bool {
    SCRIPT.iter().chain(OUTPUT).any(|o| o.exact() == Some(key))
}

/// `--pass-manager=environment` with `--environment-map-option=OPT=VAR`
/// (the option takes the variable's value: secrets stay out of the
/// command line), then `--convert-args=SEARCH,REPLACE` on the values of
/// the connector and mode options, as upstream.
pub fn prepare(raw: &mut Raw, env: &dyn Env) -> Result<(), Error> {
    map_environment(raw, env)?;
    let Some(conv) = raw.get("convert-args").map(str::to_owned) else {
        return Ok(());
    };
    let (search, replace) = conv
        .split_once(',')
        .filter(|(s, _)| !s.is_empty())
        .ok_or_else(|| Error::Option(format!("--convert-args '{conv}' is not SEARCH,REPLACE")))?;
    let re = Regex::new(search).map_err(|e| {
        Error::Option(format!(
            "--convert-args '{conv}': '{search}' is not a supported regular expression: {}",
            super::values::regex_error(&e)
        ))
    })?;
    let replacement = crate::perl::replacement(replace);
    for (name, values) in raw.values.iter_mut() {
        if first_stage(name) {
            continue;
        }
        for v in values.iter_mut() {
            *v = re.replace_all(v, replacement.as_str()).into_owned();
        }
    }
    Ok(())
}

fn map_environment(raw: &mut Raw, env: &dyn Env) -> Result<(), Error> {
    let maps: Vec<String> = raw
        .list("environment-map-option")
        .into_iter()
        .map(str::to_owned)
        .collect();
    match raw.get("pass-manager") {
        None if maps.is_empty() => Ok(()),
        None => Err(Error::Option(
            "--environment-map-option needs --pass-manager=environment".into(),
        )),
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
                let (_, key) = lookup(opt_name.trim_start_matches('-')).ok_or_else(|| {
                    Error::Option(format!(
                        "--environment-map-option '{m}': no option --{opt_name}"
                    ))
                })?;
                raw.values
                    .insert(key, vec![env.var(var).unwrap_or_default()]);
            }
            Ok(())
        }
        Some(other) => Err(Error::Option(format!(
            "option --pass-manager={other} is not supported (only 'environment')"
        ))),
    }
}
