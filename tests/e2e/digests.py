"""CloudTrail's log file integrity files, written as CloudTrail writes
them (aws-facts 8.1-8.4), for tests only: RSA keys and their
ListPublicKeys entries, log files, hourly digests signed over the string
CloudTrail signs, with the S3 user metadata that carries the signature.

Used by gen_digest_fixtures.py (the unit tests' committed known answers),
test_logintegrity_moto.py (chains written into moto's S3 at run time),
the engine suites (engines.py) and scripts/demo.sh (hourly_chain below).
event_logs writes log files of management and data events as
`--source=s3` reads them (engines.py, scripts/demo.sh). Needs `cryptography` (pinned in requirements.txt).
"""

import base64
import gzip
import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def iso(t):
    """A datetime as CloudTrail writes times: 2026-01-01T05:00:00Z."""
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Layout:
    """Where a trail's files are: `[PREFIX/]AWSLogs/[O-ID/]ACCOUNT/...`.
    `org_id` is the hook for organization trails (`AWSLogs/o-…/ACCOUNT/`)."""

    account: str
    trail: str
    home_region: str
    prefix: str = ""
    org_id: str = None

    def root(self):
        org = f"{self.org_id}/" if self.org_id else ""
        key = f"AWSLogs/{org}{self.account}"
        return f"{self.prefix}/{key}" if self.prefix else key

    def digest_key(self, region, end, backfill=False):
        suffix = "_backfill" if backfill else ""
        return (f"{self.root()}/CloudTrail-Digest/{region}/{end.strftime('%Y/%m/%d')}/"
                f"{self.account}_CloudTrail-Digest_{region}_{self.trail}_{self.home_region}_"
                f"{end.strftime('%Y%m%dT%H%M%SZ')}{suffix}.json.gz")

    def log_key(self, region, t, unique):
        return (f"{self.root()}/CloudTrail/{region}/{t.strftime('%Y/%m/%d')}/"
                f"{self.account}_CloudTrail_{region}_{t.strftime('%Y%m%dT%H%MZ')}_{unique}.json.gz")


@dataclass(frozen=True)
class Key:
    private: rsa.RSAPrivateKey
    pkcs1: bytes  # RSAPublicKey DER, as ListPublicKeys documents
    spki: bytes  # SubjectPublicKeyInfo DER, as one AWS sample is
    fingerprint: str

    def entry(self, start, end, der=None):
        """Its ListPublicKeys entry, valid from `start` to `end` (datetimes),
        listed as `der` (default PKCS#1)."""
        return {"Value": base64.b64encode(der or self.pkcs1).decode(),
                "ValidityStartTime": start.timestamp(),
                "ValidityEndTime": end.timestamp(),
                "Fingerprint": self.fingerprint}

    def sign(self, text):
        """Hex RSA PKCS#1 v1.5 SHA-256 signature of `text`."""
        return self.private.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256()).hex()


def new_key():
    k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pkcs1 = k.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.PKCS1)
    spki = k.public_key().public_bytes(serialization.Encoding.DER,
                                       serialization.PublicFormat.SubjectPublicKeyInfo)
    # AWS's fingerprint is 32 hex characters; which hash it is does not
    # matter to a reader that only looks keys up by it.
    return Key(k, pkcs1, spki, hashlib.md5(pkcs1).hexdigest())


def log_body(account, t, unique, n):
    """A log file's JSON text: `n` records a minute apart from `t`."""
    records = [{"eventVersion": "1.09", "eventTime": iso(t + timedelta(minutes=i)),
                "eventSource": "s3.amazonaws.com", "eventName": "GetObject",
                "eventID": f"{unique}-{i}", "recipientAccountId": account}
               for i in range(n)]
    return json.dumps({"Records": records}, separators=(",", ":"))


def log_entry(bucket, key, body, t, n):
    """The digest's `logFiles` entry of a log file whose uncompressed
    text is `body`, its `n` records from `t` a minute apart."""
    return {"s3Bucket": bucket, "s3Object": key,
            "hashValue": hashlib.sha256(body.encode()).hexdigest(),
            "hashAlgorithm": "SHA-256",
            "newestEventTime": iso(t + timedelta(minutes=n - 1)),
            "oldestEventTime": iso(t)}


@dataclass
class Signed:
    key: str
    body: str  # the digest's JSON text (uncompressed)
    hash: str  # its hex SHA-256
    signature: str
    string_to_sign: str
    metadata: dict  # S3 user metadata

    def link(self, bucket):
        """What the next digest's previous* fields say of this one."""
        return {"bucket": bucket, "key": self.key, "hash": self.hash, "signature": self.signature}


def digest(account, bucket, key, start, end, signer, previous, log_files, meta=None):
    """A digest at `bucket`/`key` covering `start`..`end` (datetimes),
    signed by `signer` (a Key), chained to `previous` (a Signed.link() or
    None for a starting digest). `meta`: extra user metadata (e.g.
    backfill-generation-timestamp)."""
    doc = {
        "awsAccountId": account,
        "digestStartTime": iso(start),
        "digestEndTime": iso(end),
        "digestS3Bucket": bucket,
        "digestS3Object": key,
        "digestPublicKeyFingerprint": signer.fingerprint,
        "digestSignatureAlgorithm": "SHA256withRSA",
        "newestEventTime": log_files and log_files[-1]["newestEventTime"] or None,
        "oldestEventTime": log_files and log_files[0]["oldestEventTime"] or None,
        "previousDigestS3Bucket": previous and previous["bucket"],
        "previousDigestS3Object": previous and previous["key"],
        "previousDigestHashValue": previous and previous["hash"],
        "previousDigestHashAlgorithm": previous and "SHA-256",
        "previousDigestSignature": previous and previous["signature"],
        "logFiles": log_files,
    }
    body = json.dumps(doc, separators=(",", ":"))
    digest_hash = hashlib.sha256(body.encode()).hexdigest()
    prev_sig = previous["signature"] if previous else "null"
    to_sign = f"{doc['digestEndTime']}\n{bucket}/{key}\n{digest_hash}\n{prev_sig}"
    signature = signer.sign(to_sign)
    metadata = {"signature": signature, "signature-algorithm": "SHA256withRSA"}
    metadata.update(meta or {})
    return Signed(key, body, digest_hash, signature, to_sign, metadata)


def gz(text):
    """gzip of `text` (bytes or str), reproducible (no timestamp)."""
    data = text.encode() if isinstance(text, str) else text
    return gzip.compress(data, mtime=0)


def hourly_chain(layout, bucket, region, signer, now, logs=(2, 0, 1, 2)):
    """A plain chain of `region`: len(logs) hourly digests, the newest
    ending 2 minutes before `now` (a datetime), digest i listing logs[i]
    log files, each signed by `signer` and linked to the one before.
    Returns (objects, chain, log_keys): {S3 key: (bytes, user metadata)}
    to write, the Signed digests oldest first, and each digest's log keys."""
    objects, chain, log_keys = {}, [], []
    n = len(logs)
    for i, count in enumerate(logs):
        end = now - timedelta(seconds=120) - timedelta(hours=n - 1 - i)
        start = end - timedelta(hours=1)
        entries = []
        for j in range(count):
            t = start + timedelta(minutes=5 + 20 * j)
            unique = f"{region}-{i}-{j}"
            body = log_body(layout.account, t, unique, 2)
            key = layout.log_key(region, t, unique)
            objects[key] = (gz(body), {})
            entries.append(log_entry(bucket, key, body, t, 2))
        key = layout.digest_key(region, end)
        previous = chain[-1].link(bucket) if chain else None
        d = digest(layout.account, bucket, key, start, end, signer, previous, entries)
        objects[key] = (gz(d.body), d.metadata)
        chain.append(d)
        log_keys.append([e["s3Object"] for e in entries])
    return objects, chain, log_keys


def forged_log(layout, now):
    """A log file's gzipped text that no digest vouches for (an edit)."""
    return gz(log_body(layout.account, now, "forged", 2))


# What event_logs() holds within the hour before `now`, by eventCategory
# (one of the management events a root account use: CIS 4.3), and one more
# of each category two hours before, outside a 60-minute --delta.
EVENT_LOGS_COUNTS = {"Management": 4, "Data": 3}


def event_record(account, region, t, unique, category, name, source, root=False):
    """One CloudTrail record (eventVersion 1.09) of `category`
    (Management or Data) at `t`, by an IAM user or, `root`, the root user."""
    if root:
        identity = {"type": "Root", "principalId": account, "arn": f"arn:aws:iam::{account}:root",
                    "accountId": account}
    else:
        identity = {"type": "IAMUser", "principalId": "AIDAE2EEXAMPLE00000",
                    "arn": f"arn:aws:iam::{account}:user/app", "accountId": account,
                    "accessKeyId": "AKIAE2EEXAMPLE000000", "userName": "app"}
    record = {"eventVersion": "1.09", "userIdentity": identity, "eventTime": iso(t),
              "eventSource": source, "eventName": name, "awsRegion": region,
              "sourceIPAddress": "198.51.100.7", "userAgent": "e2e-app/1.0", "eventID": unique,
              "readOnly": True, "eventType": "AwsApiCall", "managementEvent": category == "Management",
              "recipientAccountId": account, "eventCategory": category}
    if category == "Data":
        record["resources"] = [{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::app-data/{unique}"}]
    return record


def event_logs(layout, region, now):
    """Log files of `region` as CloudTrail delivers them (each named by
    its delivery minute, holding the minutes before): {S3 key: gzip}.
    Three files: one two hours before `now` (a management and a data
    event), then two in the last hour holding EVENT_LOGS_COUNTS (a root
    ListBuckets among the management events)."""
    m, d = "Management", "Data"
    files = [
        (125, [(m, "DescribeInstances", "ec2.amazonaws.com", False), (d, "GetObject", "s3.amazonaws.com", False)]),
        (40, [(m, "DescribeInstances", "ec2.amazonaws.com", False), (d, "GetObject", "s3.amazonaws.com", False),
              (m, "ListBuckets", "s3.amazonaws.com", True), (d, "PutObject", "s3.amazonaws.com", False)]),
        (10, [(m, "GetCallerIdentity", "sts.amazonaws.com", False), (d, "GetObject", "s3.amazonaws.com", False),
              (m, "DescribeTrails", "cloudtrail.amazonaws.com", False)]),
    ]
    out = {}
    for ago, events in files:
        delivered = now - timedelta(minutes=ago)
        unique = f"{region}-{ago}"
        records = [event_record(layout.account, region, delivered - timedelta(minutes=len(events) - i),
                                f"{unique}-{i}", *e) for i, e in enumerate(events)]
        key = layout.log_key(region, delivered, unique)
        out[key] = gz(json.dumps({"Records": records}, separators=(",", ":")))
    return out


def trail_entry(layout, bucket):
    """The trail's DescribeTrails entry (validation on, multi-region), as
    fake_cloudtrail.py --integrity serves it."""
    return {"Name": layout.trail,
            "TrailARN": f"arn:aws:cloudtrail:{layout.home_region}:{layout.account}:trail/{layout.trail}",
            "HomeRegion": layout.home_region, "S3BucketName": bucket,
            "IsMultiRegionTrail": True, "IsOrganizationTrail": False,
            "LogFileValidationEnabled": True, "IncludeGlobalServiceEvents": True,
            "HasCustomEventSelectors": False, "HasInsightSelectors": False}
