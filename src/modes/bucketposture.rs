//! `bucketposture`: can the trail's log bucket quietly lose the evidence?
//! The published defeats leave the trail alone and work on its bucket: a
//! lifecycle rule expiring the log folders after a day (Stratus Red Team
//! `aws.defense-evasion.cloudtrail-lifecycle-rule`), no versioning to keep
//! what is overwritten or deleted, public access. Each check is a
//! `true`/`false`/`unknown` variable of the status expressions, as in
//! trailsecurity; `log_retention` is a metric with thresholds.

use crate::aws::s3config::{LifecycleRule, ObjectLock, PublicAccessBlock, Versioning};
use crate::expr::Expr;
use crate::output::{Entry, Outcome};
use crate::perfdata::Perfdata;
use crate::status::State;
use crate::threshold::{Range, Thresholds};

/// The bucket configuration a check reads (one request, or two for
/// Block Public Access): `--filter-check` skips the reads of the checks
/// it leaves out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    Lifecycle,
    Versioning,
    ObjectLock,
    PublicAccess,
}

impl Read {
    /// The IAM actions it needs, for the line of a denied read.
    pub fn actions(self) -> &'static str {
        match self {
            Read::Lifecycle => "s3:GetLifecycleConfiguration",
            Read::Versioning => "s3:GetBucketVersioning",
            Read::ObjectLock => "s3:GetBucketObjectLockConfiguration",
            Read::PublicAccess => {
                "s3:GetBucketPublicAccessBlock and s3:GetAccountPublicAccessBlock"
            }
        }
    }
}

/// A check: its variable (and 0/1 metric), the read it needs, what a
/// false says, and what it defends against.
pub struct Check {
    pub name: &'static str,
    pub read: Read,
    pub failure: &'static str,
    pub defends: &'static str,
}

pub const CHECKS: [Check; 5] = [
    Check {
        name: "bucket_lifecycle",
        read: Read::Lifecycle,
        failure: "a lifecycle rule expires CloudTrail's objects sooner than the retention",
        defends: "Stratus Red Team aws.defense-evasion.cloudtrail-lifecycle-rule; PCI DSS 10.5.1",
    },
    Check {
        name: "bucket_versioning",
        read: Read::Versioning,
        failure: "versioning not enabled",
        defends: "overwritten or deleted log files kept as versions; Security Hub S3.14",
    },
    Check {
        name: "bucket_public_access",
        read: Read::PublicAccess,
        failure: "Block Public Access not fully on (bucket or account)",
        defends: "logs readable or writable by anyone; Security Hub S3.1, S3.8, CloudTrail.6",
    },
    Check {
        name: "bucket_mfa_delete",
        read: Read::Versioning,
        failure: "MFA delete not enabled",
        defends: "versions deleted without a second factor; Security Hub S3.20",
    },
    Check {
        name: "bucket_object_lock",
        read: Read::ObjectLock,
        failure: "no Object Lock default retention",
        defends: "deletion within the retention, even by the bucket's owner; Security Hub S3.15",
    },
];

/// The days metric of the shortest expiry.
pub const LOG_RETENTION: &str = "log_retention";

/// The variables the status expressions may use.
pub fn variables() -> Vec<&'static str> {
    let mut v: Vec<&str> = CHECKS.iter().map(|c| c.name).collect();
    v.push("name");
    v
}

pub const DEFAULT_WARNING: &str = "%{bucket_lifecycle} eq \"false\" or %{bucket_versioning} eq \
                                   \"false\" or %{bucket_public_access} eq \"false\"";
/// The critical is `log_retention`'s.
pub const DEFAULT_CRITICAL: &str = "";
/// PCI DSS 10.5.1: a year of audit logs.
pub const DEFAULT_RETENTION_DAYS: u32 = 365;
/// A week or less is the attack pattern, not a retention policy.
pub const DEFAULT_LOG_RETENTION_CRITICAL: &str = "7:";

#[derive(Clone, Debug)]
pub struct Options {
    pub warning: Option<Expr>,
    pub critical: Option<Expr>,
    /// `--filter-check`: only the checks whose name matches.
    pub filter: Option<regex_lite::Regex>,
    /// `--retention-days`: a rule expiring sooner fails `bucket_lifecycle`.
    pub retention_days: u32,
    pub log_retention: Thresholds,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            warning: Expr::parse_with(DEFAULT_WARNING, &variables()).ok(),
            critical: None,
            filter: None,
            retention_days: DEFAULT_RETENTION_DAYS,
            log_retention: Thresholds {
                warning: None,
                critical: Range::parse(DEFAULT_LOG_RETENTION_CRITICAL),
            },
        }
    }
}

impl Options {
    pub fn selected(&self, name: &str) -> bool {
        self.filter.as_ref().is_none_or(|re| re.is_match(name))
    }

    /// The reads the selected checks need (`log_retention` comes with
    /// the lifecycle).
    pub fn reads(&self) -> Vec<Read> {
        let mut reads: Vec<Read> = Vec::new();
        let retention = self.selected(LOG_RETENTION).then_some(Read::Lifecycle);
        for r in CHECKS
            .iter()
            .filter(|c| self.selected(c.name))
            .map(|c| c.read)
            .chain(retention)
        {
            if !reads.contains(&r) {
                reads.push(r);
            }
        }
        reads
    }
}

/// One level's Block Public Access (`None`: not configured), or why it
/// could not be read.
pub type Level = Result<Option<PublicAccessBlock>, String>;

/// What was read of the bucket: each `Err` is the denied or failed
/// read's line (that check is `unknown`).
#[derive(Clone, Debug, Default)]
pub struct Bucket {
    pub name: String,
    /// Where CloudTrail writes: `[PREFIX/]AWSLogs/` (logs, digests and
    /// Insights alike are under it).
    pub logs_root: String,
    /// `None`: no lifecycle configuration.
    pub lifecycle: Option<Result<Option<Vec<LifecycleRule>>, String>>,
    pub versioning: Option<Result<Versioning, String>>,
    pub object_lock: Option<Result<Option<ObjectLock>, String>>,
    /// The bucket's and the account's settings.
    pub public_access: Option<(Level, Level)>,
}

/// Whether a rule's prefix and CloudTrail's folder overlap, in either
/// direction: a rule on `AWSLogs/` or on one digest folder under it
/// destroys evidence as surely as one on the whole bucket.
fn overlaps(rule_prefix: &str, root: &str) -> bool {
    rule_prefix.starts_with(root) || root.starts_with(rule_prefix)
}

/// The shortest expiry, in days, of the enabled rules that can apply to
/// CloudTrail's objects (`now` for an `Expiration/Date`), with the rule
/// that sets it.
pub fn shortest_expiry(rules: &[LifecycleRule], root: &str, now: i64) -> Option<(f64, String)> {
    rules
        .iter()
        .filter(|r| r.enabled && !r.tagged && overlaps(&r.prefix, root))
        .flat_map(|r| {
            let name = r.id.clone().unwrap_or_else(|| format!("on '{}'", r.prefix));
            let by_date = r
                .expiration_date
                .map(|d| (d.saturating_sub(now).max(0) as f64 / 86_400.0).floor());
            [
                r.expiration_days.map(f64::from),
                by_date,
                r.noncurrent_days.map(f64::from),
            ]
            .into_iter()
            .flatten()
            .map(move |days| (days, name.clone()))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
}

/// Each check's value (`None`: unknown) and why, from what was read.
fn facts(opts: &Options, b: &Bucket, now: i64) -> Vec<(&'static str, Option<bool>, String)> {
    let mut facts = Vec::new();
    let lifecycle = b.lifecycle.as_ref().map(|l| {
        l.as_ref().map(|rules| {
            rules
                .as_deref()
                .and_then(|r| shortest_expiry(r, &b.logs_root, now))
        })
    });
    if let Some(l) = &lifecycle {
        facts.push(match l {
            Ok(None) => (
                "bucket_lifecycle",
                Some(true),
                format!("no lifecycle rule expires {}", b.logs_root),
            ),
            Ok(Some((days, rule))) => (
                "bucket_lifecycle",
                Some(*days >= f64::from(opts.retention_days)),
                format!(
                    "lifecycle rule {rule} expires objects under {} after {days} days (retention \
                     asked: {})",
                    b.logs_root, opts.retention_days
                ),
            ),
            Err(e) => ("bucket_lifecycle", None, (*e).clone()),
        });
    }
    if let Some(v) = &b.versioning {
        let (versioning, mfa) = match v {
            Ok(v) => (
                (
                    Some(v.status.as_deref() == Some("Enabled")),
                    format!(
                        "versioning {}",
                        v.status.as_deref().unwrap_or("never enabled")
                    ),
                ),
                (
                    Some(v.mfa_delete),
                    format!("MFA delete {}", if v.mfa_delete { "on" } else { "off" }),
                ),
            ),
            Err(e) => ((None, e.clone()), (None, e.clone())),
        };
        facts.push(("bucket_versioning", versioning.0, versioning.1));
        facts.push(("bucket_mfa_delete", mfa.0, mfa.1));
    }
    if let Some(o) = &b.object_lock {
        facts.push(match o {
            Ok(Some(ObjectLock {
                enabled: true,
                default_retention: Some((mode, days)),
            })) => (
                "bucket_object_lock",
                Some(true),
                format!("Object Lock: {mode} {days} days by default"),
            ),
            Ok(Some(l)) if l.enabled => (
                "bucket_object_lock",
                Some(false),
                "Object Lock enabled, without a default retention".into(),
            ),
            Ok(_) => (
                "bucket_object_lock",
                Some(false),
                "no Object Lock configuration".into(),
            ),
            Err(e) => ("bucket_object_lock", None, e.clone()),
        });
    }
    if let Some((bucket, account)) = &b.public_access {
        let all = |r: &Result<Option<PublicAccessBlock>, String>| {
            r.as_ref().ok().map(|p| p.is_some_and(|p| p.all()))
        };
        let value = match (bucket, account) {
            (Ok(a), Ok(b)) => Some(PublicAccessBlock::either(*a, *b).all()),
            // One level fully on is enough, whatever the other says.
            _ if all(bucket) == Some(true) || all(account) == Some(true) => Some(true),
            _ => None,
        };
        let level = |r: &Result<Option<PublicAccessBlock>, String>| match r {
            Ok(Some(p)) if p.all() => "all four on".to_owned(),
            Ok(Some(_)) => "partly on".to_owned(),
            Ok(None) => "not configured".to_owned(),
            Err(e) => e.clone(),
        };
        facts.push((
            "bucket_public_access",
            value,
            format!(
                "Block Public Access: bucket {}, account {}",
                level(bucket),
                level(account)
            ),
        ));
    }
    facts
}

/// The check of one bucket, `now` epoch seconds (for an expiration date).
pub fn evaluate(opts: &Options, b: &Bucket, now: i64) -> Outcome {
    let facts = facts(opts, b, now);
    let selected: Vec<(&Check, Option<bool>, &str)> = CHECKS
        .iter()
        .filter(|c| opts.selected(c.name))
        .filter_map(|c| {
            facts
                .iter()
                .find(|(n, _, _)| *n == c.name)
                .map(|(_, v, why)| (c, *v, why.as_str()))
        })
        .collect();
    // A check left out by --filter-check reads as passing.
    let var = |name: &str| -> Option<String> {
        if name == "name" {
            return Some(b.name.clone());
        }
        let known = CHECKS.iter().any(|c| c.name == name);
        let value = selected
            .iter()
            .find(|(c, _, _)| c.name == name)
            .map_or(Some(true), |(_, v, _)| *v);
        known.then(|| value.map_or("unknown".to_owned(), |v| v.to_string()))
    };
    let mut state = if opts.critical.as_ref().is_some_and(|e| e.eval(&var)) {
        State::Critical
    } else if opts.warning.as_ref().is_some_and(|e| e.eval(&var)) {
        State::Warning
    } else {
        State::Ok
    };
    let mut out = Outcome::default();
    let known = selected.iter().filter(|(_, v, _)| v.is_some()).count();
    if known == 0 && !selected.is_empty() {
        let mut actions: Vec<&str> = Vec::new();
        for a in selected.iter().map(|(c, _, _)| c.read.actions()) {
            if !actions.contains(&a) {
                actions.push(a);
            }
        }
        out.entries.push(Entry {
            state: State::Unknown,
            text: format!(
                "Bucket {}: every read was refused: the credentials need {}",
                b.name,
                actions.join(", ")
            ),
        });
        for (c, _, why) in &selected {
            out.long.push(format!("{}: unknown: {why}", c.name));
        }
        return out;
    }
    let failing: Vec<&str> = selected
        .iter()
        .filter(|(_, v, _)| *v == Some(false))
        .map(|(c, _, _)| c.failure)
        .collect();
    let retention = b
        .lifecycle
        .as_ref()
        .and_then(|l| l.as_ref().ok())
        .and_then(|rules| rules.as_deref())
        .and_then(|r| shortest_expiry(r, &b.logs_root, now))
        .filter(|_| opts.selected(LOG_RETENTION));
    let mut text = if failing.is_empty() {
        format!("Bucket {}: all {known} posture checks pass", b.name)
    } else {
        format!("Bucket {}: {}", b.name, failing.join(", "))
    };
    if let Some((days, _)) = &retention {
        let s = opts.log_retention.evaluate(*days);
        if s != State::Ok {
            text.push_str(&format!(", CloudTrail's objects expire after {days} days"));
        }
        state = state.worst(s);
    }
    out.entries.push(Entry { state, text });
    for (c, v, why) in &selected {
        let verdict = match v {
            Some(true) => "ok",
            Some(false) => c.failure,
            None => "unknown",
        };
        out.long
            .push(format!("{}: {verdict}: {why} ({})", c.name, c.defends));
        if let Some(v) = v {
            out.perfdata.push(Perfdata {
                min: Some(0.0),
                max: Some(1.0),
                ..Perfdata::new(c.name, f64::from(u8::from(*v)))
            });
        }
    }
    if let Some((days, _)) = retention {
        out.perfdata.push(Perfdata {
            unit: "d".into(),
            warning: opts.log_retention.warning,
            critical: opts.log_retention.critical,
            min: Some(0.0),
            ..Perfdata::new(LOG_RETENTION, days)
        });
    }
    out
}

#[cfg(test)]
mod tests;
