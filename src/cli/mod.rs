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
//! loop only collects strings ([`Raw`], in `options`), then [`build`]
//! validates them in upstream's order: help/version/list first, then
//! unknown options, then the connector's options (`--region`), then the
//! mode's (`mode/`, one file per mode).
//!
//! Rooms: `options` (the tables, the lexopt loop), `values` (one value
//! read), `build` (what every mode shares: connector, limits,
//! presentation, state), `mode/` (each mode's options, help and builder),
//! `help` (the generic help sections), `man` (the manual page).

mod build;
pub mod help;
mod man;
pub mod mode;
mod options;
mod values;

use std::ffi::OsString;

pub use build::arn_region;
pub use mode::ModeName;
pub use mode::countevents::ATTRIBUTE_OPTIONS;
pub use options::{Raw, parse_raw};

use crate::aws::credentials::SharedFiles;
use crate::config::{Config, CustomMode};
use crate::env::Env;
use crate::error::Error;
use crate::output::Presentation;
use crate::status::State;
use mode::TrailChoice;
use options::{Support, options};

/// Both modes' version, as upstream's `mode.pm` gives it.
const MODE_VERSION: &str = "1.0";

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

/// Parses `args`; `files` are the AWS profile files, loaded once by the
/// caller (a profile may name the region), so parsing reads no file.
pub fn parse<I>(args: I, env: &dyn Env, files: Option<&SharedFiles>) -> Invocation
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    let mut args = args.into_iter();
    // The program name.
    let _ = args.next();
    let mut raw = parse_raw(args);
    let prepared = options::prepare(&mut raw, env);
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
    let (presentation, presentation_error) = match build::presentation(&raw) {
        Ok(p) => (p, None),
        Err(e) => (Presentation::default(), Some(e)),
    };
    let command = match (opt_exit_error, presentation_error, prepared) {
        (Some(e), _, _) | (None, Some(e), _) | (None, None, Err(e)) => Err(e),
        (None, None, Ok(())) => build(&raw, env, files),
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

fn global_help() -> String {
    render_help(&[&help::DESCRIPTION, &help::GLOBAL])
}

fn not_exists(what: &str, value: &str) -> Error {
    Error::Option(format!(
        "mode '{value}' doesn't exist (use --list-{what} option to show available modes)."
    ))
}

/// Validates in upstream's order (`script_custom.pm` `init`).
fn build(raw: &Raw, env: &dyn Env, files: Option<&SharedFiles>) -> Result<Command, Error> {
    let (mode, custom_mode) = match select(raw)? {
        Selected::Info(command) => return Ok(command),
        Selected::Check(mode, custom_mode) => (mode, custom_mode),
    };
    check_names(raw, mode)?;
    let regions = build::regions(raw)?;
    let trails = TrailChoice::read(raw, mode)?;
    if custom_mode == CustomMode::AwsCli
        && raw.get("command-options").is_some()
        && (!regions.is_empty() || trails.several())
    {
        return Err(Error::Option(
            "--command-options replaces one command: it cannot be combined with --regions, \
             --all-trails or --filter-trail-name."
                .into(),
        ));
    }
    let region = build::region(raw, &regions, env, files)?;
    let limits = build::limits(raw)?;
    let connection = build::connection(raw, env)?;
    let mode = mode::build(mode, raw, trails, limits.float_precision)?;
    Ok(Command::Check(Box::new(Config {
        mode,
        custom_mode,
        region,
        connection,
        timeout: limits.timeout,
        limit: limits.limit,
        regions,
        state: build::state(raw),
        rates: limits.rates,
        long: build::long(raw),
    })))
}

enum Selected {
    /// Help, version, a list or the manual: nothing else is checked.
    Info(Command),
    Check(ModeName, CustomMode),
}

/// `--plugin`, `--generate`, the lists, `--mode`/`--dyn-mode` and
/// `--custommode`, with the help and version each one leads to.
fn select(raw: &Raw) -> Result<Selected, Error> {
    let info = |text: String| Ok(Selected::Info(Command::Info(text)));
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
            "man" => Ok(Selected::Info(Command::Document(man::page()))),
            _ => Err(Error::Option(format!(
                "Unknown value '{what}' for --generate (only 'man')."
            ))),
        };
    }
    if raw.flag("list-plugin") {
        return info(
            "\n-----------------\nPLUGIN: cloud::aws::cloudtrail::plugin\nDESCRIPTION:\n    Check Amazon CloudTrail.\n\n".into(),
        );
    }
    let mode_arg = raw.get("mode").or(dyn_mode(raw)?);
    if raw.flag("help") && mode_arg.is_none() {
        return info(global_help());
    }
    if raw.flag("version") && mode_arg.is_none() {
        return info(format!("Plugin Version: {} \n", env!("CARGO_PKG_VERSION")));
    }
    if raw.flag("list-mode") {
        let mut out = global_help();
        out.push_str("Modes Available:\n");
        for m in ModeName::ALL {
            out.push_str(&format!("   {}\n", m.name()));
        }
        return info(out);
    }
    if raw.flag("list-custommode") {
        let mut out = global_help();
        out.push_str("Custom Modes Available:\n   api\n   awscli\n   paws\n");
        return info(out);
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
        return info(render_help(&[
            &help::DESCRIPTION,
            &help::GLOBAL,
            &help::OUTPUT,
            match custom_mode {
                CustomMode::Api => &help::API,
                CustomMode::AwsCli => &help::AWSCLI,
            },
            &help::STATEFILE,
            mode.help(),
        ]));
    }
    if raw.flag("version") {
        return info(format!("Mode Version: {MODE_VERSION} \n"));
    }
    if let Some(want) = raw.get("mode-version")
        && newer(want, MODE_VERSION)
    {
        return Err(Error::Option(format!(
            "Not good version for plugin mode. Excepted at least: {want}. Get: {MODE_VERSION}"
        )));
    }
    Ok(Selected::Check(mode, custom_mode))
}

/// `--dyn-mode` names a mode by its module: only ours exist.
fn dyn_mode(raw: &Raw) -> Result<Option<&'static str>, Error> {
    let Some(m) = raw.get("dyn-mode") else {
        return Ok(None);
    };
    ModeName::ALL
        .into_iter()
        .find(|n| {
            m == format!("cloud::aws::cloudtrail::mode::{}", n.name())
                || m == format!("cloud/aws/cloudtrail/mode/{}.pm", n.name())
        })
        .map(|n| Some(n.name()))
        .ok_or_else(|| {
            Error::Option(format!(
                "Cannot load module --dyn-mode: '{m}' (this program holds cloud::aws::cloudtrail::mode::{{checktrailstatus,countevents}} only)."
            ))
        })
}

/// Dotted versions compared part by part, a missing or odd part as 0.
fn newer(a: &str, b: &str) -> bool {
    let parts = |v: &str| -> Vec<u64> {
        v.split('.')
            .map(|p| p.trim().parse().unwrap_or(0))
            .collect()
    };
    parts(a) > parts(b)
}

/// Unknown options (another mode's among them), stray arguments, values
/// that are not UTF-8, options never supported here, and the generic
/// options that do not fit the mode.
fn check_names(raw: &Raw, mode: ModeName) -> Result<(), Error> {
    if let Some(u) = &raw.unknown {
        return Err(Error::UnknownOption(u.clone()));
    }
    // A mode's options exist only when that mode is selected (a name two
    // modes share, such as `--warning-digest-age`, is either's).
    let admitted: Vec<String> = options()
        .filter(|o| o.scope.admits(mode))
        .flat_map(|o| o.names())
        .collect();
    if let Some(typed) = options()
        .filter(|o| !o.scope.admits(mode))
        .flat_map(|o| o.names())
        .filter(|n| !admitted.contains(n))
        .find_map(|n| raw.typed(&n).map(str::to_owned))
    {
        return Err(Error::UnknownOption(format!("--{typed}")));
    }
    if let Some(a) = &raw.alone {
        return Err(Error::Option(format!("argument {a} alone")));
    }
    if let Some(o) = &raw.non_utf8 {
        return Err(Error::Option(format!(
            "the value of {o} is not valid UTF-8"
        )));
    }
    for o in options().filter(|o| raw.given(o)) {
        if let (Support::Never(why), Some(name)) = (o.support, o.exact()) {
            return Err(Error::Option(format!(
                "option --{name} is not supported: {why}."
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
    Ok(())
}

#[cfg(test)]
mod tests;
