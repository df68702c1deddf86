//! What logintegrity keeps between runs in the state directory, per
//! trail and account: the digests and log files found valid (with the
//! ETag and LastModified they had), and each source region's newest
//! valid digest. A file listed again with the same ETag and LastModified
//! is the file verified before: it is not read twice. The state only
//! saves work; every run's perfdata still covers the whole window.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read, Write};

use serde_json::{Value, json};

use crate::modes::logintegrity::digest::{Digest, LogFile};
use crate::statefile::{self, VERSION};

/// The layout of the file: a header line, then one entry a line.
const FORMAT: u64 = 1;

/// The file's size cap: a digest entry is ~0.3 KB plus ~0.2 KB per log
/// file it lists, so a day of 17 regions is ~1 MB; 64 MiB is two months
/// of them. Past it the oldest entries are not kept (they are read again
/// when the walk reaches them).
pub const CAP: u64 = 64 << 20;

/// Entries written at most, for the same reason.
const MAX_ENTRIES: usize = 250_000;

/// A source region remembered this long after its newest valid digest
/// (it alerts through `digest_age` all that time), then forgotten: a
/// region whose trail stopped logging there is not checked forever.
pub const RETIRE_SECS: i64 = 7 * 86_400;

/// What S3 says of an object's version: two reads with the same stamp
/// are the same bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub etag: String,
    /// Epoch seconds.
    pub last_modified: i64,
}

impl Stamp {
    /// ListObjectsV2 and GetObject quote the ETag alike, but a proxy may
    /// not: compared unquoted. Quotes and blanks are stripped together, so
    /// that a stamp read back from the state is the one written.
    pub fn new(etag: &str, last_modified: i64) -> Stamp {
        Stamp {
            etag: etag
                .trim_matches(|c: char| c == '"' || c.is_whitespace())
                .to_owned(),
            last_modified,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct KeptDigest {
    pub stamp: Stamp,
    pub digest: Digest,
}

#[derive(Clone, Debug, PartialEq)]
pub struct KeptLog {
    pub stamp: Stamp,
    /// The hash it was found to have, empty when only its presence was
    /// checked (`--verify-logs=exists`).
    pub hash: String,
}

/// `(bucket, key)`.
pub type At = (String, String);

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Kept {
    /// Each source region's newest valid digest's end, epoch seconds.
    pub regions: BTreeMap<String, i64>,
    pub digests: HashMap<At, KeptDigest>,
    pub logs: HashMap<At, KeptLog>,
}

/// What the file was written for: another `--delta` or `--verify-logs`
/// is another file (the state key holds them), but a file of another
/// kind is refused by its header too.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Header<'a> {
    pub delta: i64,
    pub verify: &'a str,
}

impl Kept {
    /// Drops what the window no longer needs: digests ended over two
    /// hours before it began (the walk reads one digest before the
    /// window), log files no kept digest lists, regions retired.
    pub fn prune(&mut self, window_start: i64, now: i64) {
        self.digests
            .retain(|_, d| d.digest.end >= window_start.saturating_sub(7200));
        let listed: std::collections::HashSet<(&str, &str)> = self
            .digests
            .values()
            .flat_map(|d| d.digest.log_files.iter())
            .map(|f| (f.bucket.as_str(), f.key.as_str()))
            .collect();
        self.logs
            .retain(|(b, k), _| listed.contains(&(b.as_str(), k.as_str())));
        self.regions
            .retain(|_, end| *end >= now.saturating_sub(RETIRE_SECS));
    }
}

fn stamp_json(s: &Stamp) -> [Value; 2] {
    [json!(s.etag), json!(s.last_modified)]
}

/// Writes `kept` (newest digests first, so a cut keeps the recent ones).
pub fn encode(w: &mut impl Write, h: Header<'_>, kept: &Kept) -> io::Result<()> {
    let head = json!({"version": VERSION, "format": FORMAT, "delta": h.delta,
        "verify": h.verify});
    writeln!(w, "{head}")?;
    let mut entries = 0usize;
    for (region, end) in &kept.regions {
        writeln!(w, "{}", json!(["r", region, end]))?;
        entries += 1;
    }
    let mut digests: Vec<(&At, &KeptDigest)> = kept.digests.iter().collect();
    digests.sort_by(|a, b| b.1.digest.end.cmp(&a.1.digest.end).then(a.0.cmp(b.0)));
    for ((bucket, key), k) in digests {
        if entries >= MAX_ENTRIES {
            break;
        }
        let d = &k.digest;
        let [etag, lm] = stamp_json(&k.stamp);
        let logs: Vec<Value> = d
            .log_files
            .iter()
            .map(|f| json!([f.bucket, f.key, f.hash]))
            .collect();
        let previous = d
            .previous
            .as_ref()
            .map_or(json!(null), |(b, k)| json!([b, k]));
        writeln!(
            w,
            "{}",
            json!([
                "d",
                bucket,
                key,
                etag,
                lm,
                d.start,
                d.end,
                previous,
                d.fingerprint,
                logs
            ])
        )?;
        entries += 1 + d.log_files.len();
    }
    let mut logs: Vec<(&At, &KeptLog)> = kept.logs.iter().collect();
    logs.sort_by(|a, b| a.0.cmp(b.0));
    for ((bucket, key), l) in logs {
        if entries >= MAX_ENTRIES {
            break;
        }
        let [etag, lm] = stamp_json(&l.stamp);
        writeln!(w, "{}", json!(["l", bucket, key, etag, lm, l.hash]))?;
        entries += 1;
    }
    Ok(())
}

fn text(v: &Value, i: usize) -> Option<String> {
    v.get(i)?.as_str().map(str::to_owned)
}

fn number(v: &Value, i: usize) -> Option<i64> {
    v.get(i)?.as_i64()
}

fn stamp_at(v: &Value, i: usize) -> Option<Stamp> {
    Some(Stamp::new(&text(v, i)?, number(v, i + 1)?))
}

fn digest_row(v: &Value) -> Option<(At, KeptDigest)> {
    let (bucket, key) = (text(v, 1)?, text(v, 2)?);
    let (start, end) = (number(v, 5)?, number(v, 6)?);
    let previous = match v.get(7)? {
        Value::Null => None,
        p => Some((text(p, 0)?, text(p, 1)?)),
    };
    let log_files = v
        .get(9)?
        .as_array()?
        .iter()
        .map(|f| {
            Some(LogFile {
                bucket: text(f, 0)?,
                key: text(f, 1)?,
                hash: text(f, 2)?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let digest = Digest {
        start,
        end,
        end_time: crate::time::iso8601(end),
        bucket: bucket.clone(),
        object: key.clone(),
        fingerprint: text(v, 8)?,
        previous,
        // Only the signature check reads it, and a kept digest is not
        // checked again.
        previous_signature: None,
        log_files,
    };
    Some((
        (bucket, key),
        KeptDigest {
            stamp: stamp_at(v, 3)?,
            digest,
        },
    ))
}

/// Reads a file [`encode`] wrote for `h`; why not, otherwise (then the
/// run reads everything again).
pub fn decode(r: impl Read, h: Header<'_>) -> Result<Kept, String> {
    let (head, mut lines) = statefile::JsonLines::open(r, FORMAT)?;
    if head.get("delta").and_then(Value::as_i64) != Some(h.delta)
        || head.get("verify").and_then(Value::as_str) != Some(h.verify)
    {
        return Err("written for another --delta or --verify-logs".into());
    }
    let mut kept = Kept::default();
    let mut entries = 0usize;
    while let Some(row) = lines.next_value()? {
        entries += 1;
        if entries > MAX_ENTRIES {
            return Err(format!("more than {MAX_ENTRIES} entries"));
        }
        let bad = || {
            format!(
                "a malformed entry: {}",
                crate::text::cut(&row.to_string(), 80)
            )
        };
        match row.get(0).and_then(Value::as_str) {
            Some("r") => {
                let (region, end) = (text(&row, 1).ok_or_else(bad)?, number(&row, 2));
                kept.regions.insert(region, end.ok_or_else(bad)?);
            }
            Some("d") => {
                let (at, d) = digest_row(&row).ok_or_else(bad)?;
                kept.digests.insert(at, d);
            }
            Some("l") => {
                let at = (
                    text(&row, 1).ok_or_else(bad)?,
                    text(&row, 2).ok_or_else(bad)?,
                );
                let stamp = stamp_at(&row, 3).ok_or_else(bad)?;
                let hash = text(&row, 5).ok_or_else(bad)?;
                kept.logs.insert(at, KeptLog { stamp, hash });
            }
            _ => return Err(bad()),
        }
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: Header<'static> = Header {
        delta: 86_400,
        verify: "hash",
    };

    fn digest(end: i64, logs: usize) -> Digest {
        Digest {
            start: end - 3600,
            end,
            end_time: crate::time::iso8601(end),
            bucket: "b".into(),
            object: format!("d/{end}"),
            fingerprint: "f0".into(),
            previous: (end > 3600).then(|| ("b".to_owned(), format!("d/{}", end - 3600))),
            previous_signature: None,
            log_files: (0..logs)
                .map(|i| LogFile {
                    bucket: "b".into(),
                    key: format!("l/{end}/{i}"),
                    hash: format!("{i:064x}"),
                })
                .collect(),
        }
    }

    fn sample() -> Kept {
        let mut k = Kept::default();
        k.regions.insert("us-east-1".into(), 7200);
        for end in [3600, 7200] {
            let d = digest(end, 2);
            for f in &d.log_files {
                k.logs.insert(
                    (f.bucket.clone(), f.key.clone()),
                    KeptLog {
                        stamp: Stamp::new("\"e\"", 5),
                        hash: f.hash.clone(),
                    },
                );
            }
            k.digests.insert(
                ("b".into(), d.object.clone()),
                KeptDigest {
                    stamp: Stamp::new("e1", end),
                    digest: d,
                },
            );
        }
        k
    }

    fn round_trip(k: &Kept, h: Header<'_>) -> Result<Kept, String> {
        let mut buf = Vec::new();
        encode(&mut buf, H, k).unwrap();
        decode(buf.as_slice(), h)
    }

    #[test]
    fn what_is_written_is_read_back() {
        let k = sample();
        assert_eq!(round_trip(&k, H).unwrap(), k);
        // The ETag is compared unquoted.
        assert_eq!(Stamp::new("\"abc\"", 1), Stamp::new("abc", 1));
    }

    /// Caught by the `listings` fuzz target's round trip: `" "a"` was
    /// kept as ` "a`, written so, and read back as `a`, another stamp
    /// than the listing's.
    #[test]
    fn a_stamp_reads_back_as_written() {
        for etag in ["\" \"a\"", " \"a\" ", "\"\"", "W/\"a\"", "\"a\"\t\""] {
            let s = Stamp::new(etag, 1);
            assert_eq!(Stamp::new(&s.etag, 1), s, "{etag:?}");
        }
        let mut k = Kept::default();
        k.logs.insert(
            ("b".into(), "k".into()),
            KeptLog {
                stamp: Stamp::new("\" \"a\"", 5),
                hash: "h".into(),
            },
        );
        assert_eq!(round_trip(&k, H).unwrap(), k);
    }

    #[test]
    fn another_window_or_level_or_garbage_is_refused() {
        let k = sample();
        let e = round_trip(&k, Header { delta: 60, ..H }).unwrap_err();
        assert!(e.contains("another --delta"), "{e}");
        assert!(
            round_trip(
                &k,
                Header {
                    verify: "exists",
                    ..H
                }
            )
            .is_err()
        );
        let mut buf = Vec::new();
        encode(&mut buf, H, &k).unwrap();
        buf.extend_from_slice(b"[\"d\",\"b\"]\n");
        let e = decode(buf.as_slice(), H).unwrap_err();
        assert!(e.starts_with("a malformed entry"), "{e}");
        assert!(decode(&b"not json\n"[..], H).is_err());
        assert!(decode(&b""[..], H).is_err());
    }

    #[test]
    fn prune_keeps_the_window_and_what_it_lists() {
        let mut k = sample();
        // A window starting at 3h keeps digests ended from 1h on.
        k.prune(3 * 3600 + 1, 8000);
        assert_eq!(k.digests.len(), 1);
        assert_eq!(k.logs.len(), 2);
        assert!(k.logs.keys().all(|(_, key)| key.starts_with("l/7200/")));
        assert_eq!(k.regions.len(), 1);
        k.prune(0, 7200 + RETIRE_SECS + 1);
        assert!(k.regions.is_empty());
    }
}
