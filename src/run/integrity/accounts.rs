//! Organization trails: an organization trail writes every member
//! account's logs under `[PREFIX/]AWSLogs/o-ID/ACCOUNT/`, usually in a
//! log archive account. With `--all-accounts` every member account's
//! chains in one run (which organization folder: [`crate::run::bucket`]).

use super::{Account, Located, folders, logs_root, merge, one_account};
use crate::aws::backend::Backend;
use crate::aws::s3;
use crate::config::Integrity;
use crate::error::Error;
use crate::modes::logintegrity::walk::{Report, Window};
use crate::modes::logintegrity::{self, AccountCheck};
use crate::output::Outcome;
use crate::run::bucket::MAX_FOLDERS;
use crate::statefile::StateDir;
use crate::status::State;
use crate::trace::Trace;

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
    ids.retain(|i| crate::aws::arn::is_account_id(i));
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
    let reserve = crate::run::bucket::reserve(s3);
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
