//! `logintegrity`'s reads: where the trail's digests are (DescribeTrails
//! or the command line), its source regions (the folders under
//! `CloudTrail-Digest/`), each region's walk through a [`store::S3Store`]
//! (S3 for digests and log files, CloudTrail's `ListPublicKeys` for the
//! keys), and what the state directory keeps between runs ([`kept`]).

mod accounts;
pub(crate) mod kept;
mod store;

use std::collections::HashSet;

use super::bucket::{self, Located, folders};
use crate::aws::backend::Backend;
use crate::aws::s3::{self, ListQuery};
use crate::config::Integrity;
use crate::error::Error;
use crate::modes::logintegrity::walk::{self, Chain, Report, Window};
use crate::modes::logintegrity::{self, Totals};
use crate::output::Outcome;
use crate::run::pool;
use crate::statefile::StateDir;
use crate::status::State;
use crate::trace::Trace;
use kept::{Header, Kept};
use store::{Listed, S3Store};

/// ListObjectsV2 pages of 1 000 keys per source region: 90 days of hourly
/// digests are 2 160 keys.
const LIST_PAGES: u32 = 100;
/// Source regions listed at most.
const MAX_REGIONS: usize = 100;

/// One account's logs: the organization folder they are in, if any.
#[derive(Clone, Copy)]
struct Account<'a> {
    organization: Option<&'a str>,
    id: &'a str,
}

fn locate(b: &Backend<'_>, cfg: &Integrity, trace: &mut Trace) -> Result<Located, Error> {
    let at = bucket::locate(
        b,
        Some(&cfg.trail),
        bucket::Given {
            bucket: cfg.bucket.as_deref(),
            prefix: cfg.prefix.as_deref(),
            account_id: cfg.account_id.as_deref(),
        },
        trace,
    )?;
    if at.account_id.is_none() && !cfg.all_accounts {
        return Err(Error::Option(
            "--s3-bucket needs --account-id when --trail-name is not an ARN.".into(),
        ));
    }
    Ok(at)
}

/// The check: every source region's chain walked over the window ending
/// at `now`, the reports summed and judged once. With the state
/// directory, files verified by earlier runs and listed unchanged are not
/// read again, and what this run verifies is kept, even when it ends
/// early.
pub fn check(
    b: &Backend<'_>,
    cfg: &Integrity,
    now: i64,
    state: Option<&StateDir>,
    trace: &mut Trace,
) -> Result<Outcome, Error> {
    let at = locate(b, cfg, trace)?;
    let w = Window {
        start: now.saturating_sub(cfg.delta),
        end: now,
    };
    if !at.validation {
        let empty = Report::default();
        return Ok(logintegrity::evaluate(
            &cfg.opts,
            &at.trail_name,
            false,
            &empty,
            now,
        ));
    }
    trace.log(|| {
        format!(
            "logintegrity: trail {} (home {}), s3://{}/{} account {}",
            at.trail_name,
            at.home_region,
            at.bucket,
            at.prefix,
            at.account_id.as_deref().unwrap_or("(every member account)")
        )
    });
    b.with_s3(&at.home_region, trace, |s3, trace| {
        let organization = bucket::organization(
            s3,
            &at,
            cfg.organization_id.as_deref(),
            cfg.all_accounts,
            trace,
        )?;
        if cfg.all_accounts {
            return accounts::all(
                s3,
                b,
                &at,
                organization.as_deref(),
                cfg,
                (w, now),
                state,
                trace,
            );
        }
        let Some(id) = at.account_id.as_deref() else {
            return Err(Error::Internal("no account to check".into()));
        };
        let account = Account {
            organization: organization.as_deref(),
            id,
        };
        let walked = one_account(s3, b, &at, account, cfg, (w, now), state, trace)?;
        if walked.regions.is_empty() {
            return Ok(Outcome::single(
                State::Critical,
                format!(
                    "no digest folder under s3://{}/{}: is log file validation on for trail {}?",
                    at.bucket,
                    digest_root(&at, account),
                    at.trail_name
                ),
            ));
        }
        let mut out = logintegrity::evaluate(&cfg.opts, &at.trail_name, true, &walked.report, now);
        out.long.insert(
            0,
            format!("source regions checked: {}", walked.regions.join(", ")),
        );
        Ok(out)
    })?
}

/// One account's check: its source regions walked with what the state
/// directory kept for it, and what they verified kept, whatever the
/// outcome.
#[allow(clippy::too_many_arguments)]
fn one_account(
    s3: &s3::Client<'_>,
    b: &Backend<'_>,
    at: &Located,
    account: Account<'_>,
    cfg: &Integrity,
    (w, now): (Window, i64),
    state: Option<&StateDir>,
    trace: &mut Trace,
) -> Result<Walked, Error> {
    let header = Header {
        delta: cfg.delta,
        verify: cfg.opts.verify_logs.name(),
    };
    let path = state.map(|st| {
        let key = [
            at.bucket.as_str(),
            &at.prefix,
            account.organization.unwrap_or_default(),
            account.id,
            &at.trail_name,
            &at.home_region,
            &cfg.delta.to_string(),
            header.verify,
        ]
        .join("|");
        (st, st.file("integrity", &key))
    });
    let mut kept = match &path {
        Some((st, p)) => load(st, p, header, trace),
        None => Kept::default(),
    };
    let walked = walk_regions(s3, b, at, account, cfg, w, &mut kept, trace);
    // Kept whatever the outcome: what was verified stays verified.
    if let Some((st, p)) = &path {
        kept.prune(w.start, now);
        let written = st.write_with(p, kept::CAP, |f| kept::encode(f, header, &kept));
        if let Err(e) = written {
            trace.log(|| format!("logintegrity: state not saved: {e}"));
        }
    }
    walked
}

/// The state kept for this check, or nothing (with a debug line saying
/// why) when it is absent, unreadable or of another kind.
fn load(st: &StateDir, path: &std::path::Path, h: Header<'_>, trace: &mut Trace) -> Kept {
    let Some(reader) = st.reader(path, kept::CAP) else {
        return Kept::default();
    };
    match kept::decode(reader, h) {
        Ok(k) => {
            trace.log(|| {
                format!(
                    "logintegrity: state: {} digests and {} log files verified before",
                    k.digests.len(),
                    k.logs.len()
                )
            });
            k
        }
        Err(why) => {
            trace.log(|| format!("logintegrity: state ignored, everything is read: {why}"));
            Kept::default()
        }
    }
}

/// What the walks of every source region found.
struct Walked {
    report: Report,
    /// The regions walked, and the regions folders were found for.
    regions: Vec<String>,
}

/// Walks every source region: the folders that hold a digest of the
/// window, and those an earlier run saw (a region that stopped
/// delivering alerts through `digest_age`, it does not vanish).
#[allow(clippy::too_many_arguments)]
fn walk_regions(
    s3: &s3::Client<'_>,
    b: &Backend<'_>,
    at: &Located,
    account: Account<'_>,
    cfg: &Integrity,
    w: Window,
    kept: &mut Kept,
    trace: &mut Trace,
) -> Result<Walked, Error> {
    let mut regions = source_regions(s3, at, account, cfg, trace)?;
    regions.extend(
        kept.regions
            .keys()
            .filter(|r| cfg.filter_region.as_ref().is_none_or(|re| re.is_match(r)))
            .cloned(),
    );
    regions.sort();
    regions.dedup();
    let found = !regions.is_empty();
    let reserve = bucket::reserve(s3);
    let mut walked = Walked {
        report: Report::default(),
        regions: Vec::new(),
    };
    for region in &regions {
        if s3.caller.http.remaining() < reserve {
            walked.report.regions_left += 1;
            continue;
        }
        let chain = Chain {
            bucket: at.bucket.clone(),
            key_prefix: at.prefix.clone(),
            organization_id: account.organization.map(str::to_owned),
            account_id: account.id.to_owned(),
            source_region: region.clone(),
            trail_name: at.trail_name.clone(),
            home_region: at.home_region.clone(),
        };
        let listing = digest_keys(s3, &chain, w, trace)?;
        let keys: Vec<String> = listing.iter().map(|o| o.key.clone()).collect();
        let (standard, backfill) = walk::select(&chain, &keys, w);
        if standard.is_empty() && backfill.is_empty() && !kept.regions.contains_key(region) {
            trace.log(|| format!("logintegrity: {region}: no digest in the window, not checked"));
            continue;
        }
        trace.log(|| format!("logintegrity: {region}: {} digest keys listed", keys.len()));
        let selected: HashSet<&String> = standard.iter().chain(&backfill).collect();
        let mut objects: Vec<s3::Object> = listing
            .iter()
            .filter(|o| selected.contains(&o.key))
            .cloned()
            .collect();
        objects.sort_by(|a, b| a.key.cmp(&b.key));
        let (prefix, start_after) = (
            format!("{}/", chain.list_prefix()),
            chain.start_after(w.start),
        );
        let listed = Listed {
            bucket: &chain.bucket,
            prefix: &prefix,
            start_after: &start_after,
            objects: &objects,
        };
        let mut store = S3Store::new(
            s3,
            b,
            region,
            &mut *trace,
            listed,
            &mut *kept,
            pool::WORKERS,
            reserve,
        );
        let report = walk::walk(&mut store, &chain, &keys, w, cfg.opts.verify_logs.hash());
        if let Some(e) = store.failure.take() {
            return Err(e);
        }
        let report = report.map_err(|detail| Error::BadResponse {
            op: "ListPublicKeys",
            detail,
        })?;
        // Looking back past the window when it holds no valid digest.
        let newest = Totals::of(&report)
            .newest_valid_end
            .or_else(|| kept.regions.get(region).copied());
        walked.report.newest.push((region.clone(), newest));
        walked.regions.push(region.clone());
        merge(&mut walked.report, report);
    }
    if found && walked.regions.is_empty() && walked.report.regions_left == 0 {
        // Folders, but no digest in the window in any: no region is
        // fresh, digest_age says so.
        walked
            .regions
            .push("none with a digest in the window".into());
    }
    Ok(walked)
}

/// One region's report added to the total.
fn merge(total: &mut Report, r: Report) {
    total.digests.extend(r.digests);
    total.logs.extend(r.logs);
    total.gaps.extend(r.gaps);
    total.left += r.left;
    total.logs_left += r.logs_left;
    total.regions_left += r.regions_left;
    total.accounts_left += r.accounts_left;
    total.newest.extend(r.newest);
}

/// `[PREFIX/]AWSLogs/`.
fn logs_root(at: &Located) -> String {
    bucket::logs_root(&at.prefix)
}

/// `[PREFIX/]AWSLogs/[O-ID/]ACCOUNT/CloudTrail-Digest/`.
fn digest_root(at: &Located, account: Account<'_>) -> String {
    let org = account
        .organization
        .map_or(String::new(), |o| format!("{o}/"));
    format!("{}{org}{}/CloudTrail-Digest/", logs_root(at), account.id)
}

/// The region folders under the account's digest root, those
/// `--filter-region` keeps.
fn source_regions(
    s3: &s3::Client<'_>,
    at: &Located,
    account: Account<'_>,
    cfg: &Integrity,
    trace: &mut Trace,
) -> Result<Vec<String>, Error> {
    let root = digest_root(at, account);
    let mut regions = folders(s3, &at.bucket, &root, MAX_REGIONS, trace)?;
    regions.retain(|r| cfg.filter_region.as_ref().is_none_or(|re| re.is_match(r)));
    Ok(regions)
}

/// The region's digest keys from the window's start on.
fn digest_keys(
    s3: &s3::Client<'_>,
    chain: &Chain,
    w: Window,
    trace: &mut Trace,
) -> Result<Vec<s3::Object>, Error> {
    let prefix = format!("{}/", chain.list_prefix());
    let start_after = chain.start_after(w.start);
    let max_items = (LIST_PAGES as usize).saturating_mul(s3::PAGE_KEYS as usize);
    let listing = s3.list_objects(
        &chain.bucket,
        &ListQuery {
            prefix: &prefix,
            start_after: Some(&start_after),
            delimiter: None,
            max_keys: 0,
            max_pages: LIST_PAGES,
            max_items,
        },
        trace,
    )?;
    if !listing.complete {
        return Err(Error::PageCap {
            op: "ListObjectsV2",
            pages: LIST_PAGES,
        });
    }
    Ok(listing.objects)
}
