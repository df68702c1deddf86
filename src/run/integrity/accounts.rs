//! Organization trails: an organization trail writes every member
//! account's logs under `[PREFIX/]AWSLogs/o-ID/ACCOUNT/`, usually in a
//! log archive account. Which organization folder to read, and with
//! `--all-accounts` every member account's chains in one run.

use super::{Account, Located, folders, logs_root, merge, one_account, reserve};
use crate::aws::backend::Backend;
use crate::aws::s3;
use crate::config::Integrity;
use crate::error::Error;
use crate::modes::logintegrity::walk::{Report, Window};
use crate::modes::logintegrity::{self, AccountCheck, valid_organization_id};
use crate::output::Outcome;
use crate::statefile::StateDir;
use crate::status::State;
use crate::trace::Trace;

/// Folders listed at most under `AWSLogs/` and under an organization's
/// folder: an organization holds at most 10 000 accounts by default.
const MAX_FOLDERS: usize = 20_000;

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The organization folder the logs are in: `--organization-id`, else
/// the single `o-…/` under `AWSLogs/` when the trail is an organization
/// trail (or may be one: `--s3-bucket` without the account's own folder),
/// else none.
pub(super) fn organization(
    s3: &s3::Client<'_>,
    at: &Located,
    cfg: &Integrity,
    trace: &mut Trace,
) -> Result<Option<String>, Error> {
    if let Some(o) = &cfg.organization_id {
        return Ok(Some(o.clone()));
    }
    if at.organization_trail == Some(false) && !cfg.all_accounts {
        return Ok(None);
    }
    let root = logs_root(at);
    let names = folders(s3, &at.bucket, &root, MAX_FOLDERS, trace)?;
    let orgs: Vec<&String> = names.iter().filter(|n| valid_organization_id(n)).collect();
    // With --s3-bucket the layout is not known: the account's own folder
    // is a trail of its own.
    let own = at.organization_trail.is_none()
        && !cfg.all_accounts
        && at.account_id.as_ref().is_some_and(|a| names.contains(a));
    match orgs.as_slice() {
        [] => Ok(None),
        _ if own => Ok(None),
        [one] => {
            trace.log(|| format!("logintegrity: organization folder {root}{one}/"));
            Ok(Some((*one).clone()))
        }
        several => Err(Error::Option(format!(
            "several organization folders under s3://{}/{root}: {}; name one with \
             --organization-id.",
            at.bucket,
            several
                .iter()
                .map(|o| o.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Whether `ListAccounts` was refused for lack of permission (then the
/// folders define the accounts).
fn denied(e: &Error) -> bool {
    matches!(e, Error::Api { code, .. }
        if code == "AccessDeniedException" || code == "AccessDenied"
            || code == "AWSOrganizationsNotInUseException")
}

/// `--all-accounts`: every member account folder of `organization`
/// checked as `--account-id` would check it, summed, with the accounts
/// `ListAccounts` says are active and have no folder failing, and the
/// closed ones left out.
#[allow(clippy::too_many_arguments)]
pub(super) fn all(
    s3: &s3::Client<'_>,
    b: &Backend<'_>,
    at: &Located,
    organization: Option<&str>,
    cfg: &Integrity,
    (w, now): (Window, i64),
    state: Option<&StateDir>,
    trace: &mut Trace,
) -> Result<Outcome, Error> {
    let Some(org) = organization else {
        return Err(Error::Option(format!(
            "--all-accounts: no organization folder (AWSLogs/o-…/) under s3://{}/{}: is trail \
             {} an organization trail? (--organization-id names its folder)",
            at.bucket,
            logs_root(at),
            at.trail_name
        )));
    };
    let root = format!("{}{org}/", logs_root(at));
    let mut ids: Vec<String> = folders(s3, &at.bucket, &root, MAX_FOLDERS, trace)?;
    ids.retain(|i| is_account_id(i));
    let listed = match b.organization_accounts(trace) {
        Ok(a) => Some(a),
        Err(e) if denied(&e) => {
            trace.log(|| format!("logintegrity: the account folders define the accounts: {e}"));
            None
        }
        Err(e) => return Err(e),
    };
    if let Some(accounts) = &listed {
        ids.retain(|i| accounts.iter().all(|a| a.id != *i || a.expected()));
        for a in accounts.iter().filter(|a| a.expected()) {
            if !ids.contains(&a.id) {
                ids.push(a.id.clone());
            }
        }
        ids.sort();
    }
    let reserve = reserve(s3);
    let mut total = Report::default();
    let mut checks = Vec::with_capacity(ids.len());
    for id in &ids {
        if s3.caller.http.remaining() < reserve {
            total.accounts_left += 1;
            continue;
        }
        let account = Account {
            organization: Some(org),
            id,
        };
        let walked = match one_account(s3, b, at, account, cfg, (w, now), state, trace) {
            Ok(walked) => walked,
            Err(e) if e.ends_run() => return Err(e),
            Err(e) => {
                checks.push(AccountCheck {
                    account: id.clone(),
                    outcome: Outcome::single(State::Unknown, e.to_string()),
                    own_problem: true,
                });
                continue;
            }
        };
        let own_problem = walked.regions.is_empty();
        let outcome = if own_problem {
            Outcome::single(
                State::Critical,
                format!(
                    "no digest folder under s3://{}/{}",
                    at.bucket,
                    super::digest_root(at, account)
                ),
            )
        } else {
            logintegrity::evaluate(&cfg.opts, &at.trail_name, true, &walked.report, now)
        };
        let mut report = walked.report;
        for (region, _) in &mut report.newest {
            *region = format!("{id}/{region}");
        }
        merge(&mut total, report);
        checks.push(AccountCheck {
            account: id.clone(),
            outcome,
            own_problem,
        });
    }
    let mut out = logintegrity::evaluate_accounts(&cfg.opts, &at.trail_name, &total, &checks, now);
    out.long.insert(
        0,
        format!(
            "organization {org}: {} member accounts{}",
            ids.len(),
            if listed.is_some() {
                " (ListAccounts)"
            } else {
                " (folders)"
            }
        ),
    );
    Ok(out)
}
