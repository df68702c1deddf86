//! One digest file and the keys that sign it (aws-facts 8.2–8.4): the
//! digest's JSON read into [`Digest`] with the fields the aws CLI
//! requires before it verifies, the string CloudTrail signs, the
//! `ListPublicKeys` answer read into [`PublicKey`]s, and the RSA check.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use serde_json::{Map, Value};

use crate::json;

/// A log file a digest vouches for.
#[derive(Clone, Debug, PartialEq)]
pub struct LogFile {
    pub bucket: String,
    pub key: String,
    /// Hex SHA-256 of the uncompressed file, as the digest wrote it.
    pub hash: String,
}

/// The fields of a digest file the check reads. Times are kept as
/// written too: the string to sign holds `digestEndTime` verbatim.
#[derive(Clone, Debug, PartialEq)]
pub struct Digest {
    pub start: i64,
    pub end: i64,
    pub end_time: String,
    pub bucket: String,
    pub object: String,
    pub fingerprint: String,
    /// `previousDigestS3Bucket` and `previousDigestS3Object`, `None` on a
    /// starting digest (either null, as the CLI tests).
    pub previous: Option<(String, String)>,
    pub previous_signature: Option<String>,
    pub log_files: Vec<LogFile>,
}

/// The fields the aws CLI requires before it verifies a digest; any one
/// absent is `INVALID: invalid format`.
const REQUIRED: [&str; 6] = [
    "digestPublicKeyFingerprint",
    "digestS3Bucket",
    "digestS3Object",
    "previousDigestSignature",
    "digestEndTime",
    "digestStartTime",
];

/// The digest's JSON (uncompressed), or why it is not a digest. Within
/// [`json::MAX_VALUES`]: a digest lists one entry per log file of an
/// hour, far below it.
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, String> {
    match json::parse(bytes).map_err(|e| e.to_string())? {
        Value::Object(m) => Ok(m),
        _ => Err("not a JSON object".into()),
    }
}

fn string(m: &Map<String, Value>, k: &str) -> Result<String, String> {
    match m.get(k) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(format!("{k} is not a string")),
        None => Err(format!("no {k}")),
    }
}

fn nullable(m: &Map<String, Value>, k: &str) -> Result<Option<String>, String> {
    match m.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{k} is not a string")),
    }
}

fn time(m: &Map<String, Value>, k: &str) -> Result<(String, i64), String> {
    let s = string(m, k)?;
    let t = crate::time::parse_iso8601(&s).ok_or_else(|| format!("{k} is not a date"))?;
    Ok((s, t))
}

impl Digest {
    /// The digest from its parsed object; `Err` says which field made it
    /// `INVALID: invalid format`.
    pub fn from_object(m: &Map<String, Value>) -> Result<Digest, String> {
        if let Some(k) = REQUIRED.iter().find(|k| !m.contains_key(**k)) {
            return Err(format!("no {k}"));
        }
        let (_, start) = time(m, "digestStartTime")?;
        let (end_time, end) = time(m, "digestEndTime")?;
        let previous = match (
            nullable(m, "previousDigestS3Bucket")?,
            nullable(m, "previousDigestS3Object")?,
        ) {
            (Some(b), Some(k)) => Some((b, k)),
            _ => None,
        };
        let log_files = match m.get("logFiles") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| match v {
                    Value::Object(f) => Ok(LogFile {
                        bucket: string(f, "s3Bucket")?,
                        key: string(f, "s3Object")?,
                        hash: string(f, "hashValue")?,
                    }),
                    _ => Err("a logFiles entry is not an object".to_owned()),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err("logFiles is not a list".into()),
        };
        Ok(Digest {
            start,
            end,
            end_time,
            bucket: string(m, "digestS3Bucket")?,
            object: string(m, "digestS3Object")?,
            fingerprint: string(m, "digestPublicKeyFingerprint")?,
            previous,
            previous_signature: nullable(m, "previousDigestSignature")?,
            log_files,
        })
    }
}

/// Hex SHA-256, as digests write hashes.
pub use crate::aws::crypto::sha256_hex;

/// What CloudTrail signs (aws-facts 8.3): the end time as written, where
/// the digest says it lives, the hash of its uncompressed bytes, and the
/// previous signature or `null` (the Java writer's word for none).
pub fn string_to_sign(d: &Digest, uncompressed: &[u8]) -> String {
    format!(
        "{}\n{}/{}\n{}\n{}",
        d.end_time,
        d.bucket,
        d.object,
        sha256_hex(uncompressed),
        d.previous_signature.as_deref().unwrap_or("null")
    )
}

/// One key of `ListPublicKeys`.
#[derive(Clone, Debug, PartialEq)]
pub struct PublicKey {
    pub fingerprint: String,
    /// The PKCS#1 `RSAPublicKey` DER, or why `Value` is not one (the
    /// CLI's `Unable to load PKCS #1 key`, found when a digest needs it).
    pub pkcs1: Result<Vec<u8>, String>,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
}

/// ListPublicKeys lists the keys of a time range in one region: a few.
const MAX_KEYS: usize = 1000;

/// One `ListPublicKeys` page: its keys and its `NextToken`.
pub fn public_keys_from(bytes: &[u8]) -> Result<(Vec<PublicKey>, Option<String>), String> {
    let list = json::List {
        key: "PublicKeyList",
        max: MAX_KEYS,
        noun: "public keys",
    };
    json::read_list(bytes, &list, &mut |_, v| {
        let Value::Object(m) = v else {
            return Err("a PublicKeyList entry is not an object".into());
        };
        let epoch = |k: &str| m.get(k).and_then(Value::as_f64).map(|t| t as i64);
        Ok(PublicKey {
            fingerprint: string(m, "Fingerprint")?,
            pkcs1: string(m, "Value")
                .and_then(|b| STANDARD.decode(b).map_err(|e| format!("Value: {e}")))
                .and_then(|der| rsa_public_key(&der).map(<[u8]>::to_vec)),
            valid_from: epoch("ValidityStartTime"),
            valid_until: epoch("ValidityEndTime"),
        })
    })
    .map_err(|e| e.to_string())
}

/// DER tag, contents and what follows, for the definite lengths a public
/// key uses (up to 4 length bytes; anything else is refused).
fn tlv(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (bytes, rest) = rest.split_at(n);
        (
            bytes.iter().fold(0usize, |a, b| (a << 8) | usize::from(*b)),
            rest,
        )
    };
    (len <= rest.len()).then(|| {
        let (value, after) = rest.split_at(len);
        (tag, value, after)
    })
}

const SEQUENCE: u8 = 0x30;
/// 1.2.840.113549.1.1.1, rsaEncryption.
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// The PKCS#1 `RSAPublicKey` inside `der`: `der` itself when it is one
/// (a SEQUENCE starting with an INTEGER), else the BIT STRING of an RSA
/// SubjectPublicKeyInfo. ring verifies only PKCS#1 and exports no SPKI
/// reader, hence these few lines; the key itself is checked by ring.
pub fn rsa_public_key(der: &[u8]) -> Result<&[u8], String> {
    let bad = || "not an RSA public key (PKCS#1 or SubjectPublicKeyInfo DER)".to_owned();
    let (tag, body, after) = tlv(der).ok_or_else(bad)?;
    if tag != SEQUENCE || !after.is_empty() {
        return Err(bad());
    }
    let (tag, algorithm, rest) = tlv(body).ok_or_else(bad)?;
    match tag {
        0x02 => Ok(der),
        SEQUENCE => {
            let (oid_tag, oid, _) = tlv(algorithm).ok_or_else(bad)?;
            if oid_tag != 0x06 || oid != RSA_ENCRYPTION {
                return Err("a SubjectPublicKeyInfo of another algorithm than RSA".into());
            }
            match tlv(rest) {
                Some((0x03, [0, key @ ..], [])) => Ok(key),
                _ => Err(bad()),
            }
        }
        _ => Err(bad()),
    }
}

/// True when `signature_hex` is a valid RSA PKCS#1 v1.5 SHA-256
/// signature of `message` by `pkcs1`.
pub fn verify(pkcs1: &[u8], message: &[u8], signature_hex: &str) -> bool {
    let Ok(signature) = hex::decode(signature_hex) else {
        return false;
    };
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pkcs1)
        .verify(message, &signature)
        .is_ok()
}
