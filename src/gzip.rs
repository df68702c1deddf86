//! Reading CloudTrail's gzip files (log and digest files) as they arrive:
//! inflated in fixed-size steps, every uncompressed byte hashed with
//! SHA-256 (the digest's `hashValue` is the hash of the uncompressed log
//! file) and handed to a sink, so memory stays flat whatever the size.
//!
//! Members: RFC 1952 makes a concatenation of gzip members one gzip file,
//! and `gunzip` and python's `gzip.decompress` read them all; so does
//! [`inflate`], the hash covering every member. Bytes after the last
//! member that do not start another one are an error, never silently
//! ignored. The aws CLI's `validate-logs` reads one member only (zlib
//! with `MAX_WBITS | 16`): after a log file's first member anything is
//! "unexpected data after end of compressed stream", after a digest's it
//! is ignored. [`inflate_first`] reads as it does, for `logintegrity`.

use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::GzDecoder;

/// The two bytes every gzip member starts with.
const MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Uncompressed bytes handed to the sink at a time.
const STEP: usize = 64 * 1024;

/// What a whole stream inflated to.
#[derive(Debug, Clone, PartialEq)]
pub struct Inflated {
    /// Uncompressed bytes.
    pub size: u64,
    /// SHA-256 of the uncompressed bytes.
    pub sha256: [u8; 32],
}

impl Inflated {
    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256)
    }
}

/// Why a stream could not be read to its end.
#[derive(Debug)]
pub enum InflateError {
    /// The compressed input itself failed (network, deadline, size cap):
    /// the source's own error, for its reader to describe.
    Source(io::Error),
    /// Not gzip, corrupt, truncated, or followed by other data.
    Corrupt(String),
    /// More than the allowed uncompressed bytes (a gzip bomb).
    TooLarge(u64),
    /// The sink refused the data.
    Sink(String),
}

impl std::fmt::Display for InflateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InflateError::Source(e) => write!(f, "{e}"),
            InflateError::Corrupt(d) => f.write_str(d),
            InflateError::TooLarge(max) => {
                write!(f, "uncompressed content larger than {max} bytes")
            }
            InflateError::Sink(d) => f.write_str(d),
        }
    }
}

/// Keeps the source's own error aside, so that it is not mistaken for
/// corrupt data when the decoder passes it on.
struct Source<R> {
    inner: R,
    failed: Option<io::Error>,
}

impl<R: Read> Read for Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            self.failed = Some(e);
            io::Error::other("source failed")
        })
    }
}

/// Inflates the gzip stream `input`, hashing every uncompressed byte and
/// handing it to `sink` in steps; at most `max_out` uncompressed bytes.
pub fn inflate(
    input: impl Read,
    max_out: u64,
    sink: &mut dyn FnMut(&[u8]) -> Result<(), String>,
) -> Result<Inflated, InflateError> {
    members(input, max_out, sink, false).map(|(done, _)| done)
}

/// [`inflate`] of the first member only, as the aws CLI reads: also
/// whether anything (another member or other bytes) follows it, unread.
pub fn inflate_first(
    input: impl Read,
    max_out: u64,
    sink: &mut dyn FnMut(&[u8]) -> Result<(), String>,
) -> Result<(Inflated, bool), InflateError> {
    members(input, max_out, sink, true)
}

fn members(
    input: impl Read,
    max_out: u64,
    sink: &mut dyn FnMut(&[u8]) -> Result<(), String>,
    first_only: bool,
) -> Result<(Inflated, bool), InflateError> {
    let mut reader = BufReader::new(Source {
        inner: input,
        failed: None,
    });
    // ring's SHA-256 (assembly, SHA-NI when the CPU has it) hashes log
    // files several times faster than sha2 built for size.
    let mut hasher = ring::digest::Context::new(&ring::digest::SHA256);
    let mut size: u64 = 0;
    let mut buf = vec![0u8; STEP];
    let source_or =
        |reader: &mut BufReader<Source<_>>, e: io::Error| match reader.get_mut().failed.take() {
            Some(src) => InflateError::Source(src),
            None => InflateError::Corrupt(corrupt(&e)),
        };
    let trailing = loop {
        // One member.
        let mut member = GzDecoder::new(reader);
        loop {
            let n = match member.read(&mut buf) {
                Ok(n) => n,
                Err(e) => return Err(source_or(member.get_mut(), e)),
            };
            if n == 0 {
                break;
            }
            size = size.saturating_add(n as u64);
            if size > max_out {
                return Err(InflateError::TooLarge(max_out));
            }
            let chunk = buf.get(..n).unwrap_or_default();
            hasher.update(chunk);
            sink(chunk).map_err(InflateError::Sink)?;
        }
        reader = member.into_inner();
        // Another member, the end, or something else.
        let rest = match reader.fill_buf() {
            Ok(rest) => rest,
            Err(e) => return Err(source_or(&mut reader, e)),
        };
        if rest.is_empty() {
            break false;
        }
        if first_only {
            break true;
        }
        // The buffer may end one byte into the next member's magic.
        let another = rest.starts_with(&MAGIC) || rest == MAGIC.get(..1).unwrap_or_default();
        if !another {
            return Err(InflateError::Corrupt(
                "unexpected data after end of compressed stream".into(),
            ));
        }
    };
    let mut sha256 = [0u8; 32];
    sha256.copy_from_slice(hasher.finish().as_ref());
    let done = Inflated { size, sha256 };
    Ok((done, trailing))
}

/// Inflates a small file (a digest file) whole, at most `max_out` bytes.
pub fn inflate_to_vec(input: impl Read, max_out: u64) -> Result<(Vec<u8>, Inflated), InflateError> {
    let mut out = Vec::new();
    let done = inflate(input, max_out, &mut |chunk| {
        out.extend_from_slice(chunk);
        Ok(())
    })?;
    Ok((out, done))
}

/// flate2's words for bad data, made plain.
fn corrupt(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::UnexpectedEof => "truncated compressed stream".to_owned(),
        _ => format!("not a valid gzip stream ({e})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use sha2::{Digest, Sha256};
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn sha(data: &[u8]) -> String {
        hex::encode(Sha256::digest(data))
    }

    #[test]
    fn inflates_and_hashes_in_steps() {
        let data: Vec<u8> = (0..300_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let mut chunks = 0;
        let mut seen = 0;
        let done = inflate(gz(&data).as_slice(), u64::MAX, &mut |c| {
            chunks += 1;
            seen += c.len();
            assert!(c.len() <= STEP);
            Ok(())
        })
        .unwrap();
        assert_eq!(done.size, data.len() as u64);
        assert_eq!(seen, data.len());
        assert!(chunks > 1);
        assert_eq!(done.sha256_hex(), sha(&data));
        let (whole, _) = inflate_to_vec(gz(b"{}").as_slice(), 10).unwrap();
        assert_eq!(whole, b"{}");
        let (empty, e) = inflate_to_vec(gz(b"").as_slice(), 10).unwrap();
        assert!(empty.is_empty());
        assert_eq!(e.sha256_hex(), sha(b""));
    }

    #[test]
    fn members_are_read_in_turn_and_hashed_together() {
        let mut two = gz(b"hello ");
        two.extend(gz(b"world"));
        let (out, done) = inflate_to_vec(two.as_slice(), 100).unwrap();
        assert_eq!(out, b"hello world");
        assert_eq!(done.sha256_hex(), sha(b"hello world"));
    }

    #[test]
    fn the_first_member_alone_as_the_aws_cli_reads() {
        let one = gz(b"{\"Records\":[]}");
        let mut out = Vec::new();
        let (done, trailing) = inflate_first(one.as_slice(), 100, &mut |c| {
            out.extend_from_slice(c);
            Ok(())
        })
        .unwrap();
        assert_eq!(
            (out.as_slice(), trailing),
            (&b"{\"Records\":[]}"[..], false)
        );
        assert_eq!(done.sha256_hex(), sha(b"{\"Records\":[]}"));
        // Another member or junk after it: reported, not read, not hashed.
        for tail in [gz(b"[]"), b"junk".to_vec()] {
            let mut two = one.clone();
            two.extend_from_slice(&tail);
            let (done, trailing) = inflate_first(two.as_slice(), 100, &mut |_| Ok(())).unwrap();
            assert!(trailing);
            assert_eq!(done.sha256_hex(), sha(b"{\"Records\":[]}"));
        }
        // A first member that is not gzip is still an error.
        assert!(matches!(
            inflate_first(&b"junk"[..], 100, &mut |_| Ok(())),
            Err(InflateError::Corrupt(_))
        ));
    }

    #[test]
    fn trailing_data_truncation_and_garbage_are_errors() {
        let mut trailing = gz(b"{\"Records\":[]}");
        trailing.extend_from_slice(b"junk");
        let e = inflate_to_vec(trailing.as_slice(), 100).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unexpected data after end of compressed stream"
        );
        let mut zeros = gz(b"x");
        zeros.extend_from_slice(&[0, 0, 0, 0]);
        assert!(matches!(
            inflate_to_vec(zeros.as_slice(), 100),
            Err(InflateError::Corrupt(_))
        ));
        let whole = gz(&[7u8; 5000]);
        for cut in [1, 5, 10, whole.len() / 2, whole.len() - 1] {
            let e = inflate_to_vec(&whole[..cut], 10_000).unwrap_err();
            assert!(matches!(e, InflateError::Corrupt(_)), "{cut}: {e:?}");
        }
        let e = inflate_to_vec(&whole[..whole.len() - 1], 10_000).unwrap_err();
        assert_eq!(e.to_string(), "truncated compressed stream");
        let e = inflate_to_vec(&b"plain text"[..], 100).unwrap_err();
        assert!(e.to_string().starts_with("not a valid gzip stream"), "{e}");
        // A lone magic byte after a member is a truncated second member.
        let mut half = gz(b"x");
        half.push(0x1f);
        assert!(inflate_to_vec(half.as_slice(), 100).is_err());
    }

    #[test]
    fn bombs_and_failing_sources_and_sinks() {
        let bomb = gz(&vec![0u8; 1 << 20]);
        assert!(bomb.len() < 5000);
        assert!(matches!(
            inflate_to_vec(bomb.as_slice(), 1000),
            Err(InflateError::TooLarge(1000))
        ));
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::new(io::ErrorKind::TimedOut, "deadline"))
            }
        }
        match inflate_to_vec(Failing, 10) {
            Err(InflateError::Source(e)) => assert_eq!(e.kind(), io::ErrorKind::TimedOut),
            other => panic!("{other:?}"),
        }
        let e = inflate(gz(b"abc").as_slice(), 10, &mut |_| Err("full".into())).unwrap_err();
        assert_eq!(e.to_string(), "full");
    }
}
