//! `logintegrity`'s reads: where the trail's digests are (DescribeTrails
//! or the command line), its source regions (the folders under
//! `CloudTrail-Digest/`), and the [`Store`] the walk reads through: S3
//! for digests and log files, CloudTrail's `ListPublicKeys` for the keys.
//! Every run reads the whole `--delta` window (no state kept yet).

use crate::aws::backend::Backend;
use crate::aws::s3::{self, ListQuery};
use crate::config::Integrity;
use crate::error::Error;
use crate::gzip::{self, InflateError};
use crate::modes::logintegrity::digest::{self, PublicKey};
use crate::modes::logintegrity::walk::{
    self, Chain, Fetch, LogRead, Object, Report, Store, Window,
};
use crate::modes::logintegrity::{self};
use crate::output::Outcome;
use crate::status::State;
use crate::trace::Trace;

/// A digest file: compressed and uncompressed bytes at most (an hour's
/// digest lists one entry of about 300 bytes per log file).
const DIGEST_LIMITS: (u64, u64) = (16 << 20, 64 << 20);
/// A log file: streamed and hashed as it arrives, so only the time it
/// takes is bounded by this.
const LOG_LIMITS: (u64, u64) = (1 << 30, 4 << 30);
/// ListPublicKeys pages (a handful of keys a year).
const KEY_PAGES: u32 = 20;
/// ListObjectsV2 pages of 1 000 keys per source region: 90 days of hourly
/// digests are 2 160 keys.
const LIST_PAGES: u32 = 100;
/// Source regions listed at most.
const MAX_REGIONS: usize = 100;

/// Where the trail's digests are.
struct Located {
    trail_name: String,
    home_region: String,
    account_id: String,
    bucket: String,
    prefix: String,
    validation: bool,
}

/// The trail's name in its ARN (`…:trail/NAME`), else as given.
fn short_name(trail: &str) -> &str {
    match trail.strip_prefix("arn:") {
        Some(_) => trail.rsplit_once(":trail/").map_or(trail, |(_, n)| n),
        None => trail,
    }
}

/// `arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME`'s account.
fn arn_field(arn: &str, n: usize) -> Option<&str> {
    arn.strip_prefix("arn:")?;
    arn.split(':').nth(n).filter(|f| !f.is_empty())
}

fn locate(b: &Backend<'_>, cfg: &Integrity, trace: &mut Trace) -> Result<Located, Error> {
    let trail = cfg.trail.as_str();
    let Some(bucket) = &cfg.bucket else {
        let t = b.describe_trail(trail, trace)?;
        if t.is_organization_trail {
            return Err(Error::Option(format!(
                "trail {} is an organization trail: its digests (AWSLogs/o-…/) are not read \
                 yet; check a member account's chain with --s3-bucket and --account-id.",
                t.name
            )));
        }
        let arn = t.arn.as_deref().unwrap_or(trail);
        let account_id =
            arn_field(arn, 4)
                .map(str::to_owned)
                .ok_or_else(|| Error::BadResponse {
                    op: "DescribeTrails",
                    detail: format!("trail {} has no TrailARN with an account", t.name),
                })?;
        let bucket = t.s3_bucket.clone().ok_or_else(|| Error::BadResponse {
            op: "DescribeTrails",
            detail: format!("trail {} has no S3BucketName", t.name),
        })?;
        return Ok(Located {
            trail_name: t.name.clone(),
            home_region: t
                .home_region
                .clone()
                .unwrap_or_else(|| b.region().to_owned()),
            account_id,
            bucket,
            prefix: t.s3_key_prefix.clone().unwrap_or_default(),
            validation: t.log_file_validation,
        });
    };
    let account_id = cfg
        .account_id
        .as_deref()
        .or_else(|| arn_field(trail, 4))
        .ok_or_else(|| {
            Error::Option("--s3-bucket needs --account-id when --trail-name is not an ARN.".into())
        })?;
    Ok(Located {
        trail_name: short_name(trail).to_owned(),
        home_region: arn_field(trail, 3).unwrap_or(b.region()).to_owned(),
        account_id: account_id.to_owned(),
        bucket: bucket.clone(),
        prefix: cfg.prefix.clone().unwrap_or_default(),
        // Not asked without DescribeTrails: the digests tell.
        validation: true,
    })
}

/// The check: every source region's chain walked over the window ending
/// at `now`, the reports summed and judged once.
pub fn check(
    b: &Backend<'_>,
    cfg: &Integrity,
    now: i64,
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
            at.trail_name, at.home_region, at.bucket, at.prefix, at.account_id
        )
    });
    b.with_s3(&at.home_region, |s3| -> Result<Outcome, Error> {
        let regions = source_regions(s3, &at, cfg, trace)?;
        if regions.is_empty() {
            return Ok(Outcome::single(
                State::Critical,
                format!(
                    "no digest folder under s3://{}/{}: is log file validation on for trail {}?",
                    at.bucket,
                    digest_root(&at),
                    at.trail_name
                ),
            ));
        }
        let mut total = Report::default();
        for region in &regions {
            let chain = Chain {
                bucket: at.bucket.clone(),
                key_prefix: at.prefix.clone(),
                organization_id: None,
                account_id: at.account_id.clone(),
                source_region: region.clone(),
                trail_name: at.trail_name.clone(),
                home_region: at.home_region.clone(),
            };
            let listed = digest_keys(s3, &chain, w, trace)?;
            trace.log(|| {
                format!(
                    "logintegrity: {region}: {} digest keys listed",
                    listed.len()
                )
            });
            let mut store = S3Store {
                s3,
                backend: b,
                region,
                trace: &mut *trace,
                failure: None,
            };
            let report = walk::walk(&mut store, &chain, &listed, w, cfg.opts.verify_logs.hash());
            if let Some(e) = store.failure {
                return Err(e);
            }
            let report = report.map_err(|detail| Error::BadResponse {
                op: "ListPublicKeys",
                detail,
            })?;
            merge(&mut total, report);
        }
        let mut out = logintegrity::evaluate(&cfg.opts, &at.trail_name, true, &total, now);
        out.long
            .insert(0, format!("source regions checked: {}", regions.join(", ")));
        Ok(out)
    })?
}

/// One region's report added to the total.
fn merge(total: &mut Report, r: Report) {
    total.digests.extend(r.digests);
    total.logs.extend(r.logs);
    total.gaps.extend(r.gaps);
}

/// `[PREFIX/]AWSLogs/ACCOUNT/CloudTrail-Digest/`.
fn digest_root(at: &Located) -> String {
    let key = format!("AWSLogs/{}/CloudTrail-Digest/", at.account_id);
    match at.prefix.as_str() {
        "" => key,
        p => format!("{p}/{key}"),
    }
}

/// The region folders under the digest root, those `--filter-region`
/// keeps.
fn source_regions(
    s3: &s3::Client<'_>,
    at: &Located,
    cfg: &Integrity,
    trace: &mut Trace,
) -> Result<Vec<String>, Error> {
    let root = digest_root(at);
    let listing = s3.list_objects(
        &at.bucket,
        &ListQuery {
            prefix: &root,
            start_after: None,
            delimiter: Some("/"),
            max_keys: 0,
            max_pages: 10,
            max_items: MAX_REGIONS,
        },
        trace,
    )?;
    let mut regions: Vec<String> = listing
        .prefixes
        .iter()
        .filter_map(|p| p.strip_prefix(&root)?.strip_suffix('/'))
        .filter(|r| !r.is_empty())
        .filter(|r| cfg.filter_region.as_ref().is_none_or(|re| re.is_match(r)))
        .map(str::to_owned)
        .collect();
    regions.sort();
    regions.dedup();
    Ok(regions)
}

/// The region's digest keys from the window's start on.
fn digest_keys(
    s3: &s3::Client<'_>,
    chain: &Chain,
    w: Window,
    trace: &mut Trace,
) -> Result<Vec<String>, Error> {
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
    Ok(listing.objects.into_iter().map(|o| o.key).collect())
}

/// A file's first gzip member (kept bytes, size and hash) and whether
/// anything follows it, or why it does not inflate.
type FirstMember = Result<(Vec<u8>, gzip::Inflated, bool), InflateError>;

/// The walk's reads: S3 through `s3`, keys through the backend. A
/// transport error or the deadline ends the check (kept in `failure`,
/// every later read refused); an S3 refusal is that file's problem.
struct S3Store<'a, 'b> {
    s3: &'a s3::Client<'b>,
    backend: &'a Backend<'b>,
    region: &'a str,
    trace: &'a mut Trace,
    failure: Option<Error>,
}

/// Whether `e` is about the run rather than the file.
fn fatal(e: &Error) -> bool {
    matches!(
        e,
        Error::Transport { .. }
            | Error::Timeout { .. }
            | Error::Quota { .. }
            | Error::Credentials(_)
            | Error::Internal(_)
    )
}

fn is_missing(e: &Error) -> bool {
    matches!(e, Error::Api { code, .. } if code == "NoSuchKey" || code == "NotFound")
}

impl S3Store<'_, '_> {
    /// `e` as the file's problem, or kept as the run's.
    fn unreadable(&mut self, e: Error) -> String {
        let text = e.to_string();
        if fatal(&e) && self.failure.is_none() {
            self.failure = Some(e);
        }
        text
    }

    fn stopped(&self) -> Option<String> {
        self.failure
            .as_ref()
            .map(|_| "not read: the check stopped".to_owned())
    }

    /// GetObject inflated into memory (a digest) or only hashed (a log):
    /// its first gzip member, and whether anything follows it (the aws
    /// CLI reads one member: see [`gzip`]).
    fn inflate(
        &mut self,
        bucket: &str,
        key: &str,
        (max_bytes, max_out): (u64, u64),
        keep: bool,
    ) -> Result<FirstMember, Error> {
        let mut body = self.s3.get_object(bucket, key, max_bytes, self.trace)?;
        let mut kept = Vec::new();
        let r = gzip::inflate_first(&mut body, max_out, &mut |chunk| {
            if keep {
                kept.extend_from_slice(chunk);
            }
            Ok(())
        });
        match r {
            Ok((done, trailing)) => Ok(Ok((kept, done, trailing))),
            Err(InflateError::Source(io)) => Err(body.error(io)),
            Err(e) => Ok(Err(e)),
        }
    }
}

impl Store for S3Store<'_, '_> {
    fn digest(&mut self, bucket: &str, key: &str) -> Fetch {
        if let Some(why) = self.stopped() {
            return Fetch::Unreadable(why);
        }
        // Like the CLI, what follows the first member is not the digest.
        let bytes = match self.inflate(bucket, key, DIGEST_LIMITS, true) {
            Ok(Ok((bytes, _, _))) => bytes,
            Ok(Err(InflateError::Corrupt(_))) => return Fetch::NotGzip,
            Ok(Err(e)) => return Fetch::Unreadable(format!("s3://{bucket}/{key}: {e}")),
            Err(e) if is_missing(&e) => return Fetch::NotFound,
            Err(e) => return Fetch::Unreadable(self.unreadable(e)),
        };
        match self.s3.head_object(bucket, key, self.trace) {
            Ok(Some(h)) => Fetch::Found(Object {
                bytes,
                signature: h.meta("signature").map(str::to_owned),
                signature_algorithm: h.meta("signature-algorithm").map(str::to_owned),
                backfill_generation: h.meta("backfill-generation-timestamp").map(str::to_owned),
            }),
            // Deleted between the two reads.
            Ok(None) => Fetch::NotFound,
            Err(e) => Fetch::Unreadable(self.unreadable(e)),
        }
    }

    fn public_keys(&mut self, from: i64, to: i64) -> Result<Vec<PublicKey>, String> {
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..KEY_PAGES {
            let page = self
                .backend
                .public_keys_page(self.region, (from, to), token.as_deref(), self.trace)
                .map_err(|e| e.to_string())?;
            let (more, next) = digest::public_keys_from(&page)?;
            keys.extend(more);
            match next {
                None => return Ok(keys),
                Some(t) if token.as_deref() == Some(t.as_str()) => {
                    return Err("ListPublicKeys: the same NextToken twice".into());
                }
                Some(t) => token = Some(t),
            }
        }
        Err(format!("ListPublicKeys: more than {KEY_PAGES} pages"))
    }

    fn log(&mut self, bucket: &str, key: &str, hash: bool) -> LogRead {
        if let Some(why) = self.stopped() {
            return LogRead::Unreadable(why);
        }
        if !hash {
            return match self.s3.head_object(bucket, key, self.trace) {
                Ok(Some(_)) => LogRead::Present,
                Ok(None) => LogRead::NotFound,
                Err(e) => LogRead::Unreadable(self.unreadable(e)),
            };
        }
        match self.inflate(bucket, key, LOG_LIMITS, false) {
            Ok(Ok((_, done, trailing_data))) => LogRead::Inflated {
                sha256: done.sha256_hex(),
                trailing_data,
            },
            Ok(Err(InflateError::Corrupt(_))) => LogRead::NotGzip,
            Ok(Err(e)) => LogRead::Unreadable(format!("s3://{bucket}/{key}: {e}")),
            Err(e) if is_missing(&e) => LogRead::NotFound,
            Err(e) => LogRead::Unreadable(self.unreadable(e)),
        }
    }
}
