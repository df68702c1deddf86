//! The walk `aws cloudtrail validate-logs --start-time --end-time` makes
//! over one source region (aws-facts 8.5): the digest keys of the window,
//! newest first, each digest verified, then its predecessor through
//! `previousDigestS3Object`; a missing or invalid digest sends the walk
//! to the next older listed key; a starting digest with older digests
//! still listed is a chain break. Backfill digests are a second chain.
//! The bytes come through [`Store`], which the run layer implements.

use super::digest::{self, Digest, LogFile, PublicKey};

/// Which trail's digests, and where (the CLI's key layout).
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    pub bucket: String,
    /// The trail's `S3KeyPrefix`, empty when none.
    pub key_prefix: String,
    /// `o-…` for an organization trail.
    pub organization_id: Option<String>,
    pub account_id: String,
    pub source_region: String,
    pub trail_name: String,
    pub home_region: String,
}

impl Chain {
    /// The folder to list: `[PREFIX/]AWSLogs/[O-ID/]ACCOUNT/CloudTrail-Digest/REGION`.
    pub fn list_prefix(&self) -> String {
        let org = self
            .organization_id
            .as_deref()
            .map_or(String::new(), |o| format!("{o}/"));
        let key = format!(
            "AWSLogs/{org}{}/CloudTrail-Digest/{}",
            self.account_id, self.source_region
        );
        match self.key_prefix.as_str() {
            "" => key,
            p => format!("{p}/{key}"),
        }
    }

    fn file_prefix(&self) -> String {
        format!(
            "{}_CloudTrail-Digest_{}_{}_{}_",
            self.account_id, self.source_region, self.trail_name, self.home_region
        )
    }

    /// The key to list after (S3 `StartAfter`): the digest key one minute
    /// before `start`, as the CLI computes it, so `start` is inclusive.
    pub fn start_after(&self, start: i64) -> String {
        let t = start.saturating_sub(60);
        let iso = crate::time::iso8601(t);
        let ymd = iso.get(..10).unwrap_or_default().replace('-', "/");
        format!(
            "{}/{ymd}/{}{}.json.gz",
            self.list_prefix(),
            self.file_prefix(),
            key_date(t)
        )
    }

    /// True for this trail's digest keys (the CLI's key regex).
    fn matches(&self, key: &str) -> bool {
        let Some(rest) = key.strip_prefix(&format!("{}/", self.list_prefix())) else {
            return false;
        };
        let mut parts = rest.splitn(4, '/');
        let date_dirs = parts
            .by_ref()
            .take(3)
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        date_dirs
            && parts.next().is_some_and(|f| {
                f.strip_prefix(&self.file_prefix())
                    .and_then(|f| f.strip_suffix(".json.gz"))
                    .is_some_and(|f| !f.is_empty())
            })
    }
}

/// The window checked, epoch seconds, end inclusive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub start: i64,
    pub end: i64,
}

/// A digest's S3 object, as the run layer read it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object {
    /// Uncompressed bytes.
    pub bytes: Vec<u8>,
    /// User metadata `signature`, `signature-algorithm`,
    /// `backfill-generation-timestamp`.
    pub signature: Option<String>,
    pub signature_algorithm: Option<String>,
    pub backfill_generation: Option<String>,
}

/// GetObject of a digest.
#[derive(Clone, Debug, PartialEq)]
pub enum Fetch {
    Found(Object),
    /// `NoSuchKey`.
    NotFound,
    /// Not gzip.
    NotGzip,
    /// Any other refusal (AccessDenied, KMS, archived): the text names
    /// the error and the permission it needs.
    Unreadable(String),
    /// Not read: the check ran out of time first.
    Skipped,
}

/// GetObject (with `hash`) or HeadObject of a log file.
#[derive(Clone, Debug, PartialEq)]
pub enum LogRead {
    /// Inflated: the hex SHA-256 of its bytes, and whether bytes followed
    /// the end of the gzip stream.
    Inflated {
        sha256: String,
        trailing_data: bool,
    },
    /// HeadObject found it (`--verify-logs=exists`).
    Present,
    NotFound,
    NotGzip,
    Unreadable(String),
    /// Not read: the check ran out of time first.
    Skipped,
}

/// What the walk reads; the run layer answers from S3 and CloudTrail,
/// and from what earlier runs verified.
pub trait Store {
    fn digest(&mut self, bucket: &str, key: &str) -> Fetch;
    /// `ListPublicKeys` over `[from, to]`, every page.
    fn public_keys(&mut self, from: i64, to: i64) -> Result<Vec<PublicKey>, String>;
    /// One digest's log files, in order: each read and hashed when
    /// `hash`, else only looked up. The store may read them in parallel.
    fn logs(&mut self, files: &[LogFile], hash: bool) -> Vec<LogRead>;
    /// A digest an earlier run found valid, unchanged since (same ETag
    /// and LastModified): trusted as it was then, not read again.
    fn known(&mut self, _bucket: &str, _key: &str) -> Option<Digest> {
        None
    }
    /// Each digest the walk finds valid, read or known, for the next run.
    fn verified(&mut self, _bucket: &str, _key: &str, _digest: &Digest) {}
    /// Each log file the walk finds valid (its hash matches, or with
    /// `--verify-logs=exists` it is there), for the next run.
    fn verified_log(&mut self, _file: &LogFile) {}
    /// True once the store reads no more (the time left is for the
    /// answer): the walk stops there and counts what it did not reach.
    fn out_of_time(&self) -> bool {
        false
    }
}

/// Why a digest is not valid; the texts are the aws CLI's.
#[derive(Clone, Debug, PartialEq)]
pub enum DigestProblem {
    NotFound,
    InvalidFormat,
    SignatureFailed,
    Moved,
    /// No listed key has this fingerprint; the region is the trail's
    /// home region, which the CLI names (whatever the source region).
    PublicKeyNotFound {
        region: String,
        fingerprint: String,
    },
    /// The listed key with this fingerprint is not an RSA key.
    UnloadableKey(String),
    Unreadable(String),
}

impl DigestProblem {
    pub fn text(&self) -> String {
        match self {
            DigestProblem::NotFound => "INVALID: not found".into(),
            DigestProblem::InvalidFormat => "INVALID: invalid format".into(),
            DigestProblem::SignatureFailed => "INVALID: signature verification failed".into(),
            DigestProblem::Moved => "INVALID: has been moved from its original location".into(),
            DigestProblem::PublicKeyNotFound {
                region,
                fingerprint,
            } => {
                format!(
                    "INVALID: public key not found in region {region} for fingerprint {fingerprint}"
                )
            }
            DigestProblem::UnloadableKey(f) => {
                format!("INVALID: Unable to load PKCS #1 key with fingerprint {f}")
            }
            DigestProblem::Unreadable(why) => format!("cannot be read: {why}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct DigestCheck {
    pub bucket: String,
    pub key: String,
    pub backfill: bool,
    /// The valid digest's start and end, or its problem.
    pub result: Result<(i64, i64), DigestProblem>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LogProblem {
    NotFound,
    HashMismatch,
    InvalidFormat,
    TrailingData,
    Unreadable(String),
}

impl LogProblem {
    pub fn text(&self) -> String {
        match self {
            LogProblem::NotFound => "INVALID: not found".into(),
            LogProblem::HashMismatch => "INVALID: hash value doesn't match".into(),
            LogProblem::InvalidFormat => "INVALID: invalid format".into(),
            LogProblem::TrailingData => {
                "INVALID: unexpected data after end of compressed stream".into()
            }
            LogProblem::Unreadable(why) => format!("cannot be read: {why}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogCheck {
    pub bucket: String,
    pub key: String,
    pub result: Result<(), LogProblem>,
}

/// A chain break: no digest links `older_end` to `newer_start`.
#[derive(Clone, Debug, PartialEq)]
pub struct Gap {
    pub backfill: bool,
    pub older_end: i64,
    pub newer_start: i64,
}

/// Everything the walk found, newest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub digests: Vec<DigestCheck>,
    pub logs: Vec<LogCheck>,
    pub gaps: Vec<Gap>,
    /// Digests of the window the walk did not reach, and log files of
    /// valid digests not read: the store ran out of time first
    /// ([`Store::out_of_time`]).
    pub left: u64,
    pub logs_left: u64,
    /// Set by the run layer, which walks the regions: source regions
    /// not listed in time, and each region's newest valid digest's end
    /// (looking back past the window when it holds none).
    pub regions_left: u64,
    pub newest: Vec<(String, Option<i64>)>,
    /// Member accounts not reached in time (`--all-accounts`).
    pub accounts_left: u64,
}

/// `YYYYMMDDTHHMMSSZ`, the date in a digest key.
fn key_date(t: i64) -> String {
    crate::time::iso8601(t).replace(['-', ':'], "")
}

fn is_backfill(key: &str) -> bool {
    key.ends_with("_backfill.json.gz")
}

/// The date in a digest key (the CLI's `key[-24:-8]`, `[-33:-17]` for
/// backfill), as text (it compares as the time does) and epoch seconds.
fn date_of(key: &str) -> Option<(&str, i64)> {
    let stem = key
        .strip_suffix("_backfill.json.gz")
        .or_else(|| key.strip_suffix(".json.gz"))?;
    let d = stem.get(stem.len().checked_sub(16)?..)?;
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        d.get(..4)?,
        d.get(4..6)?,
        d.get(6..8)?,
        d.get(9..11)?,
        d.get(11..13)?,
        d.get(13..15)?
    );
    Some((d, crate::time::parse_iso8601(&iso)?))
}

/// The listed keys the CLI would walk, oldest first: this trail's, dated
/// from `start` to an hour past `end` (a digest covers the hour before its
/// date), standard and backfill apart.
pub fn select(chain: &Chain, listed: &[String], w: Window) -> (Vec<String>, Vec<String>) {
    let (from, to) = (key_date(w.start), key_date(w.end.saturating_add(3600)));
    let mut keys: Vec<(&str, &String)> = listed
        .iter()
        .filter(|k| chain.matches(k))
        .filter_map(|k| date_of(k).map(|(d, _)| (d, k)))
        .filter(|(d, _)| *d >= from.as_str() && *d <= to.as_str())
        .collect();
    keys.sort();
    keys.into_iter()
        .map(|(_, k)| k.clone())
        .partition(|k| !is_backfill(k))
}

/// Walks both chains of `chain` over `w`. `Err` when the public keys
/// cannot be listed (the check cannot say anything then).
pub fn walk(
    store: &mut dyn Store,
    chain: &Chain,
    listed: &[String],
    w: Window,
    hash_logs: Option<bool>,
) -> Result<Report, String> {
    let (standard, backfill) = select(chain, listed, w);
    let mut walker = Walker {
        store,
        chain,
        w,
        hash_logs,
        keys: None,
        backfill_keys: Vec::new(),
        report: Report::default(),
    };
    walker.chain(standard, false)?;
    walker.chain(backfill, true)?;
    Ok(walker.report)
}

struct Walker<'a> {
    store: &'a mut dyn Store,
    chain: &'a Chain,
    w: Window,
    hash_logs: Option<bool>,
    /// The standard chain's keys, listed once when first needed.
    keys: Option<Vec<PublicKey>>,
    backfill_keys: Vec<PublicKey>,
    report: Report,
}

/// The newest key of `keys` dated before `before` (all when `None`),
/// dropping the newer ones: the CLI's `_get_last_digest`.
fn next_before(keys: &mut Vec<String>, before: Option<&str>) -> Option<(String, i64)> {
    let limit = match before {
        Some(k) => Some(date_of(k)?.1),
        None => None,
    };
    while let Some(k) = keys.pop() {
        let Some((_, t)) = date_of(&k) else { continue };
        if limit.is_none_or(|l| t < l) {
            return Some((k, t));
        }
    }
    None
}

/// The digests a walk stopped at `key` did not read: it, and the listed
/// keys older than it (those newer were read or passed over).
fn left(keys: &[String], key: &str) -> u64 {
    let at = date_of(key).map(|(_, t)| t);
    1 + keys
        .iter()
        .filter(|k| date_of(k).map(|(_, t)| t) < at)
        .count() as u64
}

impl Walker<'_> {
    fn chain(&mut self, mut keys: Vec<String>, backfill: bool) -> Result<(), String> {
        let chain = self.chain;
        let listed = &chain.bucket;
        let Some((first, mut last_start)) = next_before(&mut keys, None) else {
            return Ok(());
        };
        let (mut bucket, mut key) = (listed.clone(), first);
        // Like the CLI, stop once a digest starts before the window.
        while self.w.start <= last_start {
            if self.store.out_of_time() {
                self.report.left += left(&keys, &key);
                break;
            }
            let Some(result) = self.check(&bucket, &key, backfill)? else {
                self.report.left += left(&keys, &key);
                break;
            };
            let next = match &result {
                // A link is followed wherever it points, even to another
                // bucket; unlike the CLI, that bucket is not listed, so
                // after a break there the walk resumes among the keys
                // listed in the trail's bucket.
                Ok(d) => match &d.previous {
                    Some((b, k)) => Some((b.clone(), k.clone())),
                    None => {
                        let next = next_before(&mut keys, Some(&key));
                        if let Some((_, older_end)) = &next {
                            self.report.gaps.push(Gap {
                                backfill,
                                older_end: *older_end,
                                newer_start: d.start,
                            });
                        }
                        next.map(|(k, _)| (listed.clone(), k))
                    }
                },
                Err(_) => next_before(&mut keys, Some(&key)).map(|(k, _)| (listed.clone(), k)),
            };
            if let Ok(d) = &result {
                last_start = d.start;
                self.store.verified(&bucket, &key, d);
                self.logs(d);
            }
            self.report.digests.push(DigestCheck {
                bucket,
                key,
                backfill,
                result: result.map(|d| (d.start, d.end)),
            });
            match next {
                Some(n) => (bucket, key) = n,
                None => break,
            }
        }
        Ok(())
    }

    /// Loads and verifies one digest, in the CLI's order of checks;
    /// `None` when it was not read in time.
    fn check(
        &mut self,
        bucket: &str,
        key: &str,
        backfill: bool,
    ) -> Result<Option<Result<Digest, DigestProblem>>, String> {
        if let Some(d) = self.store.known(bucket, key) {
            return Ok(Some(Ok(d)));
        }
        let object = match self.store.digest(bucket, key) {
            Fetch::Found(o) => o,
            Fetch::NotFound => return Ok(Some(Err(DigestProblem::NotFound))),
            Fetch::NotGzip => return Ok(Some(Err(DigestProblem::InvalidFormat))),
            Fetch::Unreadable(why) => return Ok(Some(Err(DigestProblem::Unreadable(why)))),
            Fetch::Skipped => return Ok(None),
        };
        self.verify(bucket, key, backfill, object).map(Some)
    }

    /// The checks of a digest read from S3, in the CLI's order.
    fn verify(
        &mut self,
        bucket: &str,
        key: &str,
        backfill: bool,
        object: Object,
    ) -> Result<Result<Digest, DigestProblem>, String> {
        let Ok(fields) = digest::parse_object(&object.bytes) else {
            return Ok(Err(DigestProblem::InvalidFormat));
        };
        let Some(signature) = object.signature.as_deref() else {
            return Ok(Err(DigestProblem::SignatureFailed));
        };
        if object.signature_algorithm.is_none() {
            return Ok(Err(DigestProblem::SignatureFailed));
        }
        let generated = match (backfill, object.backfill_generation.as_deref()) {
            (false, _) => None,
            (true, Some(g)) => match crate::time::parse_iso8601(g) {
                Some(t) => Some(t),
                None => return Ok(Err(DigestProblem::InvalidFormat)),
            },
            (true, None) => return Ok(Err(DigestProblem::InvalidFormat)),
        };
        let Ok(d) = Digest::from_object(&fields) else {
            return Ok(Err(DigestProblem::InvalidFormat));
        };
        if d.bucket != bucket || d.object != key {
            return Ok(Err(DigestProblem::Moved));
        }
        let Some(public) = self.key(&d.fingerprint, generated)? else {
            return Ok(Err(DigestProblem::PublicKeyNotFound {
                region: self.chain.home_region.clone(),
                fingerprint: d.fingerprint,
            }));
        };
        let Ok(pkcs1) = &public.pkcs1 else {
            return Ok(Err(DigestProblem::UnloadableKey(d.fingerprint)));
        };
        let message = digest::string_to_sign(&d, &object.bytes);
        Ok(if digest::verify(pkcs1, message.as_bytes(), signature) {
            Ok(d)
        } else {
            Err(DigestProblem::SignatureFailed)
        })
    }

    /// The key with `fingerprint`: among those of the window up to two
    /// hours past its end (a digest near a rotation), or for a backfill
    /// digest among those an hour either side of its generation.
    fn key(
        &mut self,
        fingerprint: &str,
        generated: Option<i64>,
    ) -> Result<Option<PublicKey>, String> {
        let find = |keys: &[PublicKey]| keys.iter().find(|k| k.fingerprint == fingerprint).cloned();
        if let Some(t) = generated {
            // The backfill chain gathers keys as its digests need them.
            if let Some(k) = find(&self.backfill_keys) {
                return Ok(Some(k));
            }
            let keys = self
                .store
                .public_keys(t.saturating_sub(3600), t.saturating_add(3600))?;
            self.backfill_keys.extend(keys);
            return Ok(find(&self.backfill_keys));
        }
        if self.keys.is_none() {
            let (from, to) = (self.w.start, self.w.end.saturating_add(7200));
            let keys = self.store.public_keys(from, to)?;
            if keys.is_empty() {
                return Err(format!(
                    "no public keys found between {} and {}",
                    crate::time::iso8601(from),
                    crate::time::iso8601(to)
                ));
            }
            self.keys = Some(keys);
        }
        Ok(self.keys.as_deref().and_then(find))
    }

    fn logs(&mut self, d: &Digest) {
        let Some(hash) = self.hash_logs else { return };
        let mut reads = self.store.logs(&d.log_files, hash).into_iter();
        for f in &d.log_files {
            let read = reads
                .next()
                .unwrap_or_else(|| LogRead::Unreadable("not read: the check stopped".into()));
            let result = match read {
                LogRead::Skipped => {
                    self.report.logs_left += 1;
                    continue;
                }
                LogRead::Inflated {
                    trailing_data: true,
                    ..
                } => Err(LogProblem::TrailingData),
                LogRead::Inflated { sha256, .. } if !sha256.eq_ignore_ascii_case(&f.hash) => {
                    Err(LogProblem::HashMismatch)
                }
                LogRead::Inflated { .. } | LogRead::Present => Ok(()),
                LogRead::NotFound => Err(LogProblem::NotFound),
                LogRead::NotGzip => Err(LogProblem::InvalidFormat),
                LogRead::Unreadable(why) => Err(LogProblem::Unreadable(why)),
            };
            if result.is_ok() {
                self.store.verified_log(f);
            }
            self.report.logs.push(LogCheck {
                bucket: f.bucket.clone(),
                key: f.key.clone(),
                result,
            });
        }
    }
}
