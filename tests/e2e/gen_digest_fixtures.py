"""Writes tests/fixtures/logintegrity/store.json: the known answers the
`logintegrity` unit tests verify offline (real RSA signatures, real
SHA-256 hashes), the way CloudTrail writes them (aws-facts 8.1-8.4).

Run with the e2e venv (cryptography is pinned in requirements.txt):
    target/e2e-venv/bin/python tests/e2e/gen_digest_fixtures.py

Keys are new on every run, so the output changes each time; commit it
with the tests that read it. One bucket, trail `demo` in us-east-1:

- D1..D4: the hourly chain, D1 a starting digest (every previous* null),
  D1-D2 signed with key A (listed as PKCS#1 DER), D3-D4 with key B
  (listed as SubjectPublicKeyInfo DER, as one AWS sample is);
- D5: a restart at 05:00 (previous* null although D4 exists);
- B1: a backfill digest for a late log file, its own chain;
- D9: signed with key C, which ListPublicKeys does not list.
Log files are stored uncompressed: the mode sees hashes, the run layer
inflates.
"""
import hashlib
import json
import os
from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ACCOUNT = "123456789012"
REGION = "us-east-1"
BUCKET = "ct-bucket"
TRAIL = "demo"
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def key_of(kind, t, suffix=""):
    day = t.strftime("%Y/%m/%d")
    stamp = t.strftime("%Y%m%dT%H%M%SZ")
    if kind == "digest":
        return (f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/{REGION}/{day}/"
                f"{ACCOUNT}_CloudTrail-Digest_{REGION}_{TRAIL}_{REGION}_{stamp}{suffix}.json.gz")
    return (f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/{day}/"
            f"{ACCOUNT}_CloudTrail_{REGION}_{t.strftime('%Y%m%dT%H%MZ')}_{suffix}.json.gz")


def new_key():
    k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pkcs1 = k.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.PKCS1)
    spki = k.public_key().public_bytes(serialization.Encoding.DER,
                                       serialization.PublicFormat.SubjectPublicKeyInfo)
    # AWS's fingerprint is 32 hex characters; which hash it is does not
    # matter to a reader that only looks keys up by it.
    return k, pkcs1, spki, hashlib.md5(pkcs1).hexdigest()


objects = {}
logs = {}


def log_file(t, unique, n):
    records = [{"eventVersion": "1.09", "eventTime": iso(t + timedelta(minutes=i)),
                "eventSource": "s3.amazonaws.com", "eventName": "GetObject",
                "eventID": f"{unique}-{i}", "recipientAccountId": ACCOUNT}
               for i in range(n)]
    body = json.dumps({"Records": records}, separators=(",", ":"))
    key = key_of("log", t, unique)
    objects[key] = {"body": body}
    return {"s3Bucket": BUCKET, "s3Object": key,
            "hashValue": hashlib.sha256(body.encode()).hexdigest(),
            "hashAlgorithm": "SHA-256",
            "newestEventTime": iso(t + timedelta(minutes=n - 1)),
            "oldestEventTime": iso(t)}


def digest(name, end, signer, previous, log_files, suffix="", meta=None):
    key = key_of("digest", end, suffix)
    doc = {
        "awsAccountId": ACCOUNT,
        "digestStartTime": iso(end - timedelta(hours=1)),
        "digestEndTime": iso(end),
        "digestS3Bucket": BUCKET,
        "digestS3Object": key,
        "digestPublicKeyFingerprint": signer[3],
        "digestSignatureAlgorithm": "SHA256withRSA",
        "newestEventTime": log_files and log_files[-1]["newestEventTime"] or None,
        "oldestEventTime": log_files and log_files[0]["oldestEventTime"] or None,
        "previousDigestS3Bucket": previous and BUCKET,
        "previousDigestS3Object": previous and previous["key"],
        "previousDigestHashValue": previous and previous["hash"],
        "previousDigestHashAlgorithm": previous and "SHA-256",
        "previousDigestSignature": previous and previous["signature"],
        "logFiles": log_files,
    }
    body = json.dumps(doc, separators=(",", ":"))
    digest_hash = hashlib.sha256(body.encode()).hexdigest()
    prev_sig = previous["signature"] if previous else "null"
    to_sign = f"{doc['digestEndTime']}\n{BUCKET}/{key}\n{digest_hash}\n{prev_sig}"
    signature = signer[0].sign(to_sign.encode(), padding.PKCS1v15(), hashes.SHA256()).hex()
    metadata = {"signature": signature, "signature-algorithm": "SHA256withRSA"}
    metadata.update(meta or {})
    objects[key] = {"body": body, "metadata": metadata}
    return {"name": name, "key": key, "hash": digest_hash, "signature": signature,
            "string_to_sign": to_sign}


def main():
    a, b, c = new_key(), new_key(), new_key()
    h = lambda n: T0 + timedelta(hours=n)
    d1 = digest("D1", h(1), a, None, [log_file(h(0) + timedelta(minutes=5), "aaaa", 2)])
    d2 = digest("D2", h(2), a, d1, [log_file(h(1) + timedelta(minutes=5), "bbbb", 1),
                                    log_file(h(1) + timedelta(minutes=35), "cccc", 3)])
    d3 = digest("D3", h(3), b, d2, [])
    d4 = digest("D4", h(4), b, d3, [log_file(h(3) + timedelta(minutes=10), "dddd", 1)])
    d5 = digest("D5", h(5), b, None, [log_file(h(4) + timedelta(minutes=10), "eeee", 1)])
    b1 = digest("B1", h(2), a, None, [log_file(h(1) + timedelta(minutes=50), "ffff", 1)],
                suffix="_backfill", meta={"backfill-generation-timestamp": iso(h(3))})
    d9 = digest("D9", h(6), c, None, [])
    listed = [{"Value": __import__("base64").b64encode(der).decode(),
               "ValidityStartTime": (T0 - timedelta(days=30)).timestamp(),
               "ValidityEndTime": (T0 + timedelta(days=30)).timestamp(),
               "Fingerprint": k[3]}
              for k, der in ((a, a[1]), (b, b[2]))]
    out = {
        "bucket": BUCKET,
        "digests": {d["name"]: {k: d[k] for k in ("key", "string_to_sign")}
                    for d in (d1, d2, d3, d4, d5, b1, d9)},
        "objects": objects,
        "keys": {"PublicKeyList": listed},
    }
    path = os.path.join(os.path.dirname(__file__), "..", "fixtures", "logintegrity", "store.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
