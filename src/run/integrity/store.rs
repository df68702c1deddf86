//! The walk's reads for one source region: digests and log files from
//! S3 (a few at a time on [`pool`]), public keys from CloudTrail, and
//! what earlier runs verified ([`Kept`]) when S3's listing shows the
//! file unchanged.

use std::collections::HashMap;
use std::time::Duration;

use super::kept::{At, Kept, KeptDigest, KeptLog, Stamp};
use crate::aws::backend::Backend;
use crate::aws::s3::{self, ListQuery};
use crate::error::Error;
use crate::gzip::{self, InflateError};
use crate::modes::logintegrity::digest::{self, Digest, LogFile, PublicKey};
use crate::modes::logintegrity::walk::{Fetch, LogRead, Object, Store};
use crate::run::pool;
use crate::trace::Trace;

/// A digest file: compressed and uncompressed bytes at most (an hour's
/// digest lists one entry of about 300 bytes per log file).
const DIGEST_LIMITS: (u64, u64) = (16 << 20, 64 << 20);
/// A log file: streamed and hashed as it arrives, so only the time it
/// takes is bounded by this.
const LOG_LIMITS: (u64, u64) = (1 << 30, 4 << 30);
/// ListPublicKeys pages (a handful of keys a year).
const KEY_PAGES: u32 = 20;
/// ListObjectsV2 pages of a log folder (a day of a region's log files):
/// past this the folder is not used to confirm kept files, they are read.
const FOLDER_PAGES: u32 = 20;

/// How a backfill digest's key ends.
const BACKFILL: &str = "_backfill.json.gz";

fn is_missing(e: &Error) -> bool {
    matches!(e, Error::Api { code, .. } if code == "NoSuchKey" || code == "NotFound")
}

/// One read done on a pool thread: its verdict, the object's stamp when
/// it was read, and an error that ends the run, apart.
struct Done<T> {
    value: T,
    stamp: Option<Stamp>,
    error: Option<Error>,
}

impl<T> Done<T> {
    fn ok(value: T, stamp: Option<Stamp>) -> Self {
        Done {
            value,
            stamp,
            error: None,
        }
    }

    /// A refusal: the file's problem (`unreadable(text)`), and also the
    /// run's when it is fatal.
    fn refused(e: Error, unreadable: impl FnOnce(String) -> T) -> Self {
        let value = unreadable(e.to_string());
        Done {
            value,
            stamp: None,
            error: e.ends_run().then_some(e),
        }
    }
}

fn stamp_of(h: &s3::Head) -> Option<Stamp> {
    Some(Stamp::new(h.etag.as_deref()?, h.last_modified?))
}

/// A file's first gzip member (kept bytes, size and hash) and whether
/// anything follows it, or why it does not inflate.
type FirstMember = Result<(Vec<u8>, gzip::Inflated, bool), InflateError>;

/// GetObject inflated into memory (`keep`, a digest) or only hashed: its
/// first gzip member, and whether anything follows it (the aws CLI reads
/// one member: see [`gzip`]).
fn inflate(
    s3: &s3::Client<'_>,
    (bucket, key): (&str, &str),
    (max_bytes, max_out): (u64, u64),
    keep: bool,
    trace: &mut Trace,
) -> Result<(s3::Head, FirstMember), Error> {
    let mut body = s3.get_object(bucket, key, max_bytes, trace)?;
    let mut kept = Vec::new();
    let r = gzip::inflate_first(&mut body, max_out, &mut |chunk| {
        if keep {
            kept.extend_from_slice(chunk);
        }
        Ok(())
    });
    match r {
        Ok((done, trailing)) => Ok((std::mem::take(&mut body.head), Ok((kept, done, trailing)))),
        Err(InflateError::Source(io)) => Err(body.error(io)),
        Err(e) => Ok((std::mem::take(&mut body.head), Err(e))),
    }
}

/// A digest with its metadata, from the GET's own headers.
fn read_digest(s3: &s3::Client<'_>, bucket: &str, key: &str, trace: &mut Trace) -> Done<Fetch> {
    match inflate(s3, (bucket, key), DIGEST_LIMITS, true, trace) {
        // Like the CLI, what follows the first member is not the digest.
        Ok((head, Ok((bytes, _, _)))) => {
            let stamp = stamp_of(&head);
            let meta = |n: &str| head.meta(n).map(str::to_owned);
            Done::ok(
                Fetch::Found(Object {
                    bytes,
                    signature: meta("signature"),
                    signature_algorithm: meta("signature-algorithm"),
                    backfill_generation: meta("backfill-generation-timestamp"),
                }),
                stamp,
            )
        }
        Ok((_, Err(InflateError::Corrupt(_)))) => Done::ok(Fetch::NotGzip, None),
        Ok((_, Err(e))) => Done::ok(Fetch::Unreadable(format!("s3://{bucket}/{key}: {e}")), None),
        Err(e) if is_missing(&e) => Done::ok(Fetch::NotFound, None),
        Err(e) => Done::refused(e, Fetch::Unreadable),
    }
}

/// A log file hashed (`hash`) or looked up.
fn read_log(s3: &s3::Client<'_>, f: &LogFile, hash: bool, trace: &mut Trace) -> Done<LogRead> {
    let (bucket, key) = (f.bucket.as_str(), f.key.as_str());
    if !hash {
        return match s3.head_object(bucket, key, trace) {
            Ok(Some(h)) => Done::ok(LogRead::Present, stamp_of(&h)),
            Ok(None) => Done::ok(LogRead::NotFound, None),
            Err(e) => Done::refused(e, LogRead::Unreadable),
        };
    }
    match inflate(s3, (bucket, key), LOG_LIMITS, false, trace) {
        Ok((head, Ok((_, done, trailing_data)))) => Done::ok(
            LogRead::Inflated {
                sha256: done.sha256_hex(),
                trailing_data,
            },
            stamp_of(&head),
        ),
        Ok((_, Err(InflateError::Corrupt(_)))) => Done::ok(LogRead::NotGzip, None),
        Ok((_, Err(e))) => Done::ok(
            LogRead::Unreadable(format!("s3://{bucket}/{key}: {e}")),
            None,
        ),
        Err(e) if is_missing(&e) => Done::ok(LogRead::NotFound, None),
        Err(e) => {
            let denied = matches!(&e, Error::Api { code, .. } if code == "AccessDenied");
            Done::refused(e, |why| {
                LogRead::Unreadable(match denied {
                    true => format!(
                        "{why}; --verify-logs=exists checks that log files are there from \
                         listings alone (no s3:GetObject on them)"
                    ),
                    false => why,
                })
            })
        }
    }
}

/// The chain's digest listing: the bucket and prefix listed, the key
/// listed after, and every key found with its stamp.
pub struct Listed<'a> {
    pub bucket: &'a str,
    pub prefix: &'a str,
    pub start_after: &'a str,
    /// The keys of the chain the walk selects, sorted (S3's order:
    /// oldest digest first).
    pub objects: &'a [s3::Object],
}

impl Listed<'_> {
    /// The stamp listed for `key`: `Some(None)` when the listing covers
    /// the key but does not hold it (it is gone), `None` when it does not
    /// cover it.
    fn stamp(&self, bucket: &str, key: &str) -> Option<Option<Stamp>> {
        if bucket != self.bucket || !key.starts_with(self.prefix) || key <= self.start_after {
            return None;
        }
        Some(
            self.objects
                .binary_search_by(|o| o.key.as_str().cmp(key))
                .ok()
                .and_then(|i| self.objects.get(i))
                .map(|o| Stamp::new(&o.etag, o.last_modified)),
        )
    }
}

/// The reads of one source region's walk.
pub struct S3Store<'a, 'b> {
    pub s3: &'a s3::Client<'b>,
    pub backend: &'a Backend<'b>,
    /// The source region, whose keys ListPublicKeys lists.
    pub region: &'a str,
    pub trace: &'a mut Trace,
    pub listed: Listed<'a>,
    /// What earlier runs verified; what this walk verifies is added, what
    /// it finds changed or gone removed.
    pub kept: &'a mut Kept,
    /// Reads at once.
    pub workers: usize,
    /// No read starts with less than this left before the deadline: the
    /// rest of the time is for saving the state and answering.
    pub reserve: Duration,
    /// A transport error, or the like, that ends the check; every later
    /// read is refused.
    pub failure: Option<Error>,
    /// A read ran into the deadline.
    pub timed_out: bool,
    /// The stamps of the files read in this run, for [`Kept`].
    pub read: HashMap<At, Stamp>,
    /// Whether log files are hashed (else only looked up).
    hash: bool,
    /// Digests read ahead of the walk (the older keys it will ask next).
    ahead: HashMap<String, Fetch>,
    /// Log folders listed in this run: key → stamp, `None` when the
    /// listing was cut short or refused.
    folders: HashMap<At, Option<HashMap<String, Stamp>>>,
}

impl<'a, 'b> S3Store<'a, 'b> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        s3: &'a s3::Client<'b>,
        backend: &'a Backend<'b>,
        region: &'a str,
        trace: &'a mut Trace,
        listed: Listed<'a>,
        kept: &'a mut Kept,
        workers: usize,
        reserve: Duration,
    ) -> Self {
        S3Store {
            s3,
            backend,
            region,
            trace,
            listed,
            kept,
            workers,
            reserve,
            failure: None,
            timed_out: false,
            read: HashMap::new(),
            hash: true,
            ahead: HashMap::new(),
            folders: HashMap::new(),
        }
    }

    /// Keeps a read's stamp and its run-ending error; a read cut by the
    /// deadline becomes `skipped`.
    fn settle<T>(&mut self, at: (&str, &str), done: Done<T>, skipped: T) -> T {
        if let Some(s) = done.stamp {
            self.read.insert((at.0.to_owned(), at.1.to_owned()), s);
        }
        match done.error {
            Some(Error::Timeout { .. }) => {
                self.timed_out = true;
                skipped
            }
            Some(e) => {
                if self.failure.is_none() {
                    self.failure = Some(e);
                }
                done.value
            }
            None => done.value,
        }
    }

    /// The digest keys the walk will most likely ask for after `key`
    /// (the listed keys before it, newest first), `key` first; those
    /// known or already read ahead left out.
    fn batch(&self, key: &str) -> Vec<String> {
        let mut keys = vec![key.to_owned()];
        // Read ahead only while what was read ahead is being used.
        if self.ahead.len() >= 2 * self.workers {
            return keys;
        }
        let backfill = key.ends_with(BACKFILL);
        let older = self
            .listed
            .objects
            .partition_point(|o| o.key.as_str() < key);
        let same_kind = |o: &&s3::Object| o.key.ends_with(BACKFILL) == backfill;
        let candidates = self.listed.objects.get(..older).unwrap_or_default();
        for o in candidates.iter().rev().filter(same_kind) {
            if keys.len() >= self.workers {
                break;
            }
            let at = (self.listed.bucket.to_owned(), o.key.clone());
            let kept = self.kept.digests.get(&at).map(|k| &k.stamp);
            if !self.ahead.contains_key(&o.key)
                && kept != Some(&Stamp::new(&o.etag, o.last_modified))
            {
                keys.push(o.key.clone());
            }
        }
        keys
    }

    /// The objects of a log folder, listed once per run.
    fn folder(&mut self, bucket: &str, key: &str) -> Option<&HashMap<String, Stamp>> {
        let dir = key.rsplit_once('/').map(|(d, _)| format!("{d}/"))?;
        let at = (bucket.to_owned(), dir);
        if !self.folders.contains_key(&at) {
            let q = ListQuery {
                prefix: &at.1,
                start_after: None,
                delimiter: None,
                max_keys: 0,
                max_pages: FOLDER_PAGES,
                max_items: (FOLDER_PAGES * s3::PAGE_KEYS) as usize,
            };
            let listed = match self.s3.list_objects(bucket, &q, self.trace) {
                Ok(l) if l.complete => Some(
                    l.objects
                        .into_iter()
                        .map(|o| {
                            let s = Stamp::new(&o.etag, o.last_modified);
                            (o.key, s)
                        })
                        .collect(),
                ),
                Ok(_) => None,
                Err(e) => {
                    self.trace
                        .log(|| format!("logintegrity: {} not listed: {e}", at.1));
                    if e.ends_run() && self.failure.is_none() {
                        self.failure = Some(e);
                    }
                    None
                }
            };
            self.folders.insert(at.clone(), listed);
        }
        self.folders.get(&at)?.as_ref()
    }

    /// A log file answered from its folder's listing: with `hash`, what
    /// an earlier run verified when the listing shows it unchanged (or
    /// gone); else (`--verify-logs=exists`) whether it is listed at all,
    /// so that level needs no s3:GetObject on log files. `None`: read it.
    fn answer_listed(&mut self, f: &LogFile, hash: bool) -> Option<LogRead> {
        let at = (f.bucket.clone(), f.key.clone());
        if !hash {
            let listed = self.folder(&f.bucket, &f.key)?.get(&f.key).cloned();
            return Some(match listed {
                Some(s) => {
                    self.read.insert(at, s);
                    LogRead::Present
                }
                None => LogRead::NotFound,
            });
        }
        let kept = self.kept.logs.get(&at)?.clone();
        if !kept.hash.eq_ignore_ascii_case(&f.hash) {
            return None;
        }
        let listed = self.folder(&f.bucket, &f.key)?.get(&f.key).cloned();
        match listed {
            Some(s) if s == kept.stamp => Some(LogRead::Inflated {
                sha256: kept.hash,
                trailing_data: false,
            }),
            // Gone: missing, without a GET.
            None => {
                self.kept.logs.remove(&at);
                Some(LogRead::NotFound)
            }
            // Changed since: read again.
            Some(_) => {
                self.kept.logs.remove(&at);
                None
            }
        }
    }
}

impl Store for S3Store<'_, '_> {
    fn digest(&mut self, bucket: &str, key: &str) -> Fetch {
        if let Some(f) = self
            .ahead
            .remove(key)
            .filter(|_| bucket == self.listed.bucket)
        {
            return f;
        }
        if self.failure.is_some() || self.out_of_time() {
            return Fetch::Skipped;
        }
        let keys = if bucket == self.listed.bucket {
            self.batch(key)
        } else {
            vec![key.to_owned()]
        };
        let s3 = self.s3;
        let done = pool::map(keys.len(), self.workers, self.trace, |i, t| {
            keys.get(i)
                .map(|k| read_digest(s3, bucket, k, t))
                .unwrap_or_else(|| Done::ok(Fetch::Skipped, None))
        });
        let mut first = Fetch::Skipped;
        for (k, d) in keys.iter().zip(done) {
            let f = self.settle((bucket, k), d, Fetch::Skipped);
            if k == key {
                first = f;
            } else {
                self.ahead.insert(k.clone(), f);
            }
        }
        first
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

    fn logs(&mut self, files: &[LogFile], hash: bool) -> Vec<LogRead> {
        self.hash = hash;
        let mut out: Vec<Option<LogRead>> =
            files.iter().map(|f| self.answer_listed(f, hash)).collect();
        let todo: Vec<usize> = (0..files.len())
            .filter(|i| out.get(*i).is_some_and(Option::is_none))
            .collect();
        if self.failure.is_some() || self.out_of_time() {
            return out
                .into_iter()
                .map(|r| r.unwrap_or(LogRead::Skipped))
                .collect();
        }
        let s3 = self.s3;
        let done = pool::map(todo.len(), self.workers, self.trace, |i, t| {
            match todo.get(i).and_then(|j| files.get(*j)) {
                Some(f) => read_log(s3, f, hash, t),
                None => Done::ok(LogRead::Skipped, None),
            }
        });
        for (j, d) in todo.iter().zip(done) {
            if let (Some(f), Some(slot)) = (files.get(*j), out.get_mut(*j)) {
                *slot = Some(self.settle((&f.bucket, &f.key), d, LogRead::Skipped));
            }
        }
        out.into_iter()
            .map(|r| r.unwrap_or(LogRead::Skipped))
            .collect()
    }

    fn known(&mut self, bucket: &str, key: &str) -> Option<Digest> {
        let at = (bucket.to_owned(), key.to_owned());
        let kept = self.kept.digests.get(&at)?;
        match self.listed.stamp(bucket, key) {
            Some(Some(s)) if s == kept.stamp => Some(kept.digest.clone()),
            // Changed or gone since: read again (the read says which).
            Some(_) => {
                self.kept.digests.remove(&at);
                None
            }
            // Outside the listing (the digest before the window, another
            // bucket): unconfirmed, read again.
            None => None,
        }
    }

    fn verified(&mut self, bucket: &str, key: &str, d: &Digest) {
        let at = (bucket.to_owned(), key.to_owned());
        let stamp = self
            .read
            .get(&at)
            .cloned()
            .or_else(|| self.listed.stamp(bucket, key).flatten());
        if let Some(stamp) = stamp {
            self.kept.digests.insert(
                at,
                KeptDigest {
                    stamp,
                    digest: d.clone(),
                },
            );
        }
        let end = self
            .kept
            .regions
            .entry(self.region.to_owned())
            .or_insert(d.end);
        *end = (*end).max(d.end);
    }

    fn verified_log(&mut self, f: &LogFile) {
        let at = (f.bucket.clone(), f.key.clone());
        let hash = match self.hash {
            true => f.hash.clone(),
            false => String::new(),
        };
        // Read in this run, else confirmed by its folder's listing.
        let stamp = self
            .read
            .get(&at)
            .cloned()
            .or_else(|| self.kept.logs.get(&at).map(|k| k.stamp.clone()));
        if let Some(stamp) = stamp {
            self.kept.logs.insert(at, KeptLog { stamp, hash });
        }
    }

    fn out_of_time(&self) -> bool {
        self.timed_out || self.s3.caller.http.remaining() < self.reserve
    }
}
