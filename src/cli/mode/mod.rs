//! One file per mode: its options, its `--help` section and its builder
//! from [`Raw`] to [`Mode`]. The trail options three modes share are here.

pub mod bucketposture;
pub mod checktrailstatus;
pub mod countevents;
pub mod listtrails;
pub mod logintegrity;
pub mod s3;
pub mod securityevents;
pub mod traildelivery;
pub mod trailsecurity;

use regex_lite::Regex;

use super::help::{Item, Section};
use super::options::{Kind, Opt, Raw, mode_opt};
use super::values::pattern;
use crate::config::{Mode, Trails};
use crate::error::Error;
use crate::expr::Expr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModeName {
    CheckTrailStatus,
    CountEvents,
    TrailDelivery,
    TrailSecurity,
    ListTrails,
    SecurityEvents,
    LogIntegrity,
    BucketPosture,
}

impl ModeName {
    pub const ALL: [ModeName; 8] = [
        ModeName::BucketPosture,
        ModeName::CheckTrailStatus,
        ModeName::CountEvents,
        ModeName::ListTrails,
        ModeName::LogIntegrity,
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
            ModeName::LogIntegrity => "logintegrity",
            ModeName::BucketPosture => "bucketposture",
        }
    }

    pub fn help(self) -> &'static Section {
        match self {
            ModeName::CheckTrailStatus => &checktrailstatus::HELP,
            ModeName::CountEvents => &countevents::HELP,
            ModeName::TrailDelivery => &traildelivery::HELP,
            ModeName::TrailSecurity => &trailsecurity::HELP,
            ModeName::ListTrails => &listtrails::HELP,
            ModeName::SecurityEvents => &securityevents::HELP,
            ModeName::LogIntegrity => &logintegrity::HELP,
            ModeName::BucketPosture => &bucketposture::HELP,
        }
    }
}

/// A mode's `--warning-<label>`/`--critical-<label>` pairs, one per label
/// of its table.
pub struct PerLabel {
    pub labels: fn() -> Vec<&'static str>,
    /// What joins a label's words in `--help`, in the name values are
    /// kept under and in messages (either is accepted on the command
    /// line).
    pub sep: char,
}

impl PerLabel {
    pub fn spelled(&self, label: &str) -> String {
        label
            .chars()
            .map(|c| if c == '-' || c == '_' { self.sep } else { c })
            .collect()
    }

    /// A metric's `--help` item: both options of its label, one text.
    pub fn help_item(&self, label: &str, help: &str) -> (String, String) {
        let label = self.spelled(label);
        (
            format!("--warning-{label} --critical-{label}"),
            help.to_owned(),
        )
    }
}

/// logintegrity and bucketposture take one trail, and refuse the others
/// with the reason.
const TRAIL_MODES: &[ModeName] = &[
    ModeName::CheckTrailStatus,
    ModeName::TrailDelivery,
    ModeName::TrailSecurity,
    ModeName::LogIntegrity,
    ModeName::BucketPosture,
];
const TRAILS_AND_LIST: &[ModeName] = &[
    ModeName::CheckTrailStatus,
    ModeName::TrailDelivery,
    ModeName::TrailSecurity,
    ModeName::ListTrails,
    ModeName::LogIntegrity,
    ModeName::BucketPosture,
];

/// `--trail-name` also names the trail whose log files countevents and
/// securityevents read with `--source=s3`.
const TRAIL_NAME_MODES: &[ModeName] = &[
    ModeName::CheckTrailStatus,
    ModeName::TrailDelivery,
    ModeName::TrailSecurity,
    ModeName::LogIntegrity,
    ModeName::BucketPosture,
    ModeName::CountEvents,
    ModeName::SecurityEvents,
];

/// The modes whose checks are variables of status expressions.
const STATUS_MODES: &[ModeName] = &[ModeName::TrailSecurity, ModeName::BucketPosture];

/// Centreon's `--warning-status`/`--critical-status`, and
/// `--filter-check`.
pub const STATUS_OPTIONS: &[Opt] = &[
    mode_opt("warning-status", STATUS_MODES),
    mode_opt("critical-status", STATUS_MODES),
    mode_opt("filter-check", STATUS_MODES),
];

/// The status expressions and `--filter-check`.
pub struct Status {
    pub warning: Option<Expr>,
    pub critical: Option<Expr>,
    pub filter: Option<Regex>,
}

/// The status expressions over `variables` (an empty one turns that
/// state off; absent, the default) and `--filter-check`.
pub fn status_options(
    raw: &Raw,
    variables: &[&str],
    (default_warning, default_critical): (&str, &str),
) -> Result<Status, Error> {
    let expr = |name: &str, default: &str| -> Result<Option<Expr>, Error> {
        let text = match raw.last(name) {
            Some("") => return Ok(None),
            Some(t) => t,
            None if default.is_empty() => return Ok(None),
            None => default,
        };
        Expr::parse_with(text, variables)
            .map(Some)
            .map_err(|e| Error::Option(format!("--{name} '{text}': {e}")))
    };
    Ok(Status {
        warning: expr("warning-status", default_warning)?,
        critical: expr("critical-status", default_critical)?,
        filter: pattern(raw, "filter-check")?,
    })
}

/// `--trail-name` alone: `--all-trails` and `--filter-trail-name` are
/// refused with `why`.
pub fn one_trail(trails: TrailChoice, mode: &str, why: &str) -> Result<Option<String>, Error> {
    if trails.several() {
        return Err(Error::Option(format!(
            "--all-trails or --filter-trail-name is not for --mode={mode}: {why}"
        )));
    }
    Ok(match trails.trails {
        Some(Trails::One(name)) => Some(name),
        _ => None,
    })
}

/// cloud/aws/cloudtrail/mode/*.pm's `--trail-name`, and ours to check
/// several trails.
pub const TRAIL_OPTIONS: &[Opt] = &[
    mode_opt("trail-name", TRAIL_NAME_MODES),
    mode_opt("filter-trail-name", TRAILS_AND_LIST),
    Opt {
        kind: Kind::Flag,
        ..mode_opt("all-trails", TRAIL_MODES)
    },
];

const ALL_TRAILS: Item = Item {
    tag: "--all-trails",
    text: "Check every trail visible in the region instead of --trail-name: each asked by \
           ARN in its home region, perfdata named TRAIL#metric, the worst state wins, no \
           trail at all is CRITICAL.",
};

/// The trail modes beyond upstream's checktrailstatus name their trail so.
pub(super) const TRAIL_NAME: Item = Item {
    tag: "--trail-name",
    text: "Name or ARN of the trail (required).",
};

/// countevents and securityevents read a trail's log files with it.
const TRAIL_NAME_S3: Item = Item {
    tag: "--trail-name",
    text: "With --source=s3: name or ARN of the trail whose log files are read \
           (DescribeTrails gives its bucket), unless --s3-bucket.",
};

const FILTER_TRAIL_NAME: Item = Item {
    tag: "--filter-trail-name",
    text: "Like --all-trails, only the trails whose name matches this regular expression.",
};

/// Which trails the command line names, read before the region (an ARN
/// gives one).
pub struct TrailChoice {
    /// `--filter-trail-name`.
    filter: Option<Regex>,
    /// `None`: no trail named, an error for the modes that need one.
    trails: Option<Trails>,
}

impl TrailChoice {
    pub fn read(raw: &Raw, mode: ModeName) -> Result<Self, Error> {
        let filter = pattern(raw, "filter-trail-name")?;
        let many = (mode != ModeName::ListTrails
            && mode != ModeName::CountEvents
            && (raw.flag("all-trails") || filter.is_some()))
        .then(|| filter.clone());
        // With several trails, --trail-name is not needed.
        let trails = match (many, raw.get("trail-name")) {
            (Some(filter), _) => Some(Trails::All(filter)),
            (None, Some(name)) => Some(Trails::One(name.to_owned())),
            (None, None) => None,
        };
        Ok(TrailChoice { filter, trails })
    }

    /// `--all-trails` or `--filter-trail-name` on a trail mode.
    pub fn several(&self) -> bool {
        matches!(self.trails, Some(Trails::All(_)))
    }

    /// The trails of a mode that needs some.
    pub(super) fn required(self) -> Result<Trails, Error> {
        self.trails
            .ok_or_else(|| Error::Option("Need to specify --trail-name option.".into()))
    }
}

/// The selected mode's options, validated.
pub fn build(
    mode: ModeName,
    raw: &Raw,
    trails: TrailChoice,
    float_precision: Option<usize>,
) -> Result<Mode, Error> {
    Ok(match mode {
        ModeName::CheckTrailStatus => Mode::CheckTrailStatus {
            trails: trails.required()?,
        },
        ModeName::CountEvents => {
            Mode::CountEvents(Box::new(countevents::build(raw, float_precision)?))
        }
        ModeName::SecurityEvents => securityevents::build(raw, float_precision)?,
        ModeName::ListTrails => listtrails::build(raw, trails.filter),
        ModeName::TrailSecurity => Mode::TrailSecurity {
            trails: trails.required()?,
            opts: trailsecurity::build(raw)?,
        },
        ModeName::TrailDelivery => Mode::TrailDelivery {
            trails: trails.required()?,
            thresholds: traildelivery::build(raw)?,
        },
        ModeName::LogIntegrity => logintegrity::build(raw, trails)?,
        ModeName::BucketPosture => bucketposture::build(raw, trails)?,
    })
}
