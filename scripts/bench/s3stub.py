#!/usr/bin/env python3
"""A static S3 + CloudTrail stub on loopback for the logintegrity benchmark.

Called by scripts/bench.sh (BENCH_ONLY=logintegrity); not a test server:
it checks nothing of what it is sent (any SigV4 signature is accepted) and
answers from a store generated in memory at start-up, the way CloudTrail
writes a trail's files (aws-facts §8, tests/e2e/gen_digest_fixtures.py):

- trail `bench` (home region eu-west-1, account 123456789012) in bucket
  `bench-trail`, no key prefix, and the source regions given (default
  eu-west-1 and us-east-1);
- per source region, HOURS + 1 hourly digests signed with one RSA key
  (SHA256withRSA over the documented string to sign, the signature in
  x-amz-meta-signature), chained by previousDigest*; the oldest is a
  starting digest (previous* null) that lies outside the window and lists
  no log files. Digest end times are ANCHOR - 30 min - k h (k = 0..HOURS),
  ANCHOR being the start-up time: a window of HOURS hours ending any time
  in the next 30 minutes holds exactly the HOURS newest digests of each
  region;
- per digest in the window, FILES gzip log files ({"Records": [...]} of
  varied, realistic event records) of 5 to 50 KB compressed each.

S3, path style (http://HOST:PORT/BUCKET/KEY):
  GET  /B?list-type=2&prefix&delimiter&start-after&continuation-token&max-keys
       ListObjectsV2 (pages of at most 1000, XML like S3's)
  GET  /B?prefix&marker&delimiter&max-keys          ListObjects (v1; the aws CLI)
  GET  /B?location                                  GetBucketLocation (eu-west-1)
  GET  /B/KEY, HEAD /B/KEY                          GetObject, HeadObject
       (Content-Length, ETag, Last-Modified, x-amz-meta-* user metadata)
CloudTrail (AWS JSON 1.1, POST / with X-Amz-Target), same port:
  ListPublicKeys (the key, valid from ANCHOR - 30 d to ANCHOR + 30 d),
  DescribeTrails (the trail, validation on; the aws CLI looks it up).
Extras (not counted):
  GET  /_stats   {"requests": N, "by_op": {...}, "anchor", "hours",
                 "regions", "digests_in_window", "logs_in_window",
                 "log_bytes_gz", "log_bytes"} as JSON
  POST /_reset   counts back to zero
  GET  /_plan    the requests check_cloudtrail makes over the window, one
                 a line ("GET PATH", "HEAD PATH", "POST PATH REGION TARGET
                 BODY"), for the floor (scripts/bench/floor_integrity.rs)

With --events N (the logsource benchmark, BENCH_ONLY=logsource): no
digests; instead N event records of the same vocabulary in --log-files
gzip log files of the first region (CloudTrail/REGION/YYYY/MM/DD/...),
their eventTime spread over ANCHOR - 55 min .. ANCHOR - 5 min, each
eventID a distinct UUID, each file stamped at its newest event's minute.
/_plan then lists one "GET PATH" per log file (the floor's plan,
scripts/bench/floor_logsource.rs) and /_stats adds "events",
"window_start"/"window_end" (ISO times around the events) and
"selected" (the records of eventName GetTrailStatus by the assumed-role
session alice: what `--event-name=GetTrailStatus --username=alice`
counts).

Usage: s3stub.py [--port 0] [--hours 24] [--files 12]
                 [--regions eu-west-1,us-east-1] [--seed 1]
                 [--events N --log-files F]
The first line on stdout is "s3stub listening on http://127.0.0.1:PORT"
once the store is built. Stops on SIGTERM/SIGINT.
"""

import argparse
import base64
import bisect
import gzip
import hashlib
import json
import random
import signal
import sys
import threading
import time
from datetime import datetime, timezone
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit
from xml.sax.saxutils import escape

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ACCOUNT = "123456789012"
HOME = "eu-west-1"
BUCKET = "bench-trail"
TRAIL = "bench"
TRAIL_ARN = f"arn:aws:cloudtrail:{HOME}:{ACCOUNT}:trail/{TRAIL}"
TARGET_PREFIX = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
S3NS = "http://s3.amazonaws.com/doc/2006-03-01/"


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def stamp(t, fmt="%Y%m%dT%H%M%SZ"):
    return datetime.fromtimestamp(t, timezone.utc).strftime(fmt)


def day(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y/%m/%d")


class Obj:
    __slots__ = ("body", "meta", "etag", "modified", "http_date")

    def __init__(self, body, modified, meta=None):
        self.body = body
        self.meta = meta or {}
        self.etag = '"' + hashlib.md5(body).hexdigest() + '"'
        self.modified = modified
        self.http_date = formatdate(modified, usegmt=True)


# Vocabularies for log records: varied enough that gzip compresses them
# about as much as real CloudTrail files (roughly 8 to 12 times).
SOURCES = [("s3.amazonaws.com", ["GetObject", "PutObject", "HeadObject", "ListObjects"]),
           ("ec2.amazonaws.com", ["DescribeInstances", "RunInstances", "DescribeVolumes"]),
           ("iam.amazonaws.com", ["GetRole", "ListRoles", "PassRole"]),
           ("sts.amazonaws.com", ["AssumeRole", "GetCallerIdentity"]),
           ("kms.amazonaws.com", ["Decrypt", "GenerateDataKey"]),
           ("lambda.amazonaws.com", ["Invoke", "GetFunction"]),
           ("cloudtrail.amazonaws.com", ["LookupEvents", "GetTrailStatus"])]
AGENTS = ["aws-cli/2.17.4 md/awscrt#0.20.11 ua/2.0 os/linux#6.8 md/arch#x86_64 lang/python#3.11.8",
          "Boto3/1.34.120 md/Botocore#1.34.120 ua/2.0 os/linux#5.10 lang/python#3.12.3 cfg/retry-mode#legacy",
          "aws-sdk-go-v2/1.30.1 os/linux lang/go#1.22.5 md/GOOS#linux api/s3#1.58.0",
          "console.amazonaws.com", "cloudformation.amazonaws.com", "AWS Internal"]
USERS = ["alice", "bob", "deploy", "ci-runner", "nagios", "backup", "etl-job", "carol"]


def record_parts(rng):
    """One event record as (head, middle, tail): the event time goes
    between head and middle, the event id between middle and tail."""
    source, names = rng.choice(SOURCES)
    name = rng.choice(names)
    user = rng.choice(USERS)
    key_id = "ASIA" + "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", k=16))
    ip = f"{rng.randint(3, 220)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    params = {"bucketName": f"data-{rng.randint(1, 40)}",
              "key": f"{rng.choice(['raw', 'curated', 'tmp'])}/{rng.randint(0, 99999):05d}/"
                     f"{rng.getrandbits(64):016x}.parquet",
              "Host": f"data-{rng.randint(1, 40)}.s3.eu-west-1.amazonaws.com"}
    rec = {
        "eventVersion": "1.10",
        "userIdentity": {"type": "AssumedRole",
                         "principalId": f"AROA{rng.getrandbits(64):016X}:{user}",
                         "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{user}-role/{user}",
                         "accountId": ACCOUNT, "accessKeyId": key_id,
                         "sessionContext": {"attributes": {"creationDate": "@T@",
                                                           "mfaAuthenticated": "false"}}},
        "eventTime": "@T@", "eventSource": source, "eventName": name,
        "awsRegion": "eu-west-1", "sourceIPAddress": ip, "userAgent": rng.choice(AGENTS),
        "requestParameters": params,
        "responseElements": None,
        "requestID": f"{rng.getrandbits(64):016X}",
        "eventID": "@ID@", "readOnly": name.startswith(("Get", "Describe", "List", "Head")),
        "eventType": "AwsApiCall", "managementEvent": True,
        "recipientAccountId": ACCOUNT, "eventCategory": "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": f"{source.split('.')[0]}.eu-west-1.amazonaws.com"},
    }
    text = json.dumps(rec, separators=(",", ":")).replace('"creationDate":"@T@"',
                                                          f'"creationDate":"{iso(0)}"')
    head, rest = text.split("@T@", 1)
    middle, tail = rest.split("@ID@", 1)
    return head, middle, tail


class Store:
    def __init__(self, hours, files, regions, seed, events=0, log_files=0):
        t0 = time.time()
        rng = random.Random(seed)
        self.anchor = int(time.time())
        self.hours, self.files, self.regions = hours, files, sorted(regions)
        self.objects = {}
        self.plan = []
        self.digests_in_window = 0
        self.logs_in_window = 0
        self.log_bytes_gz = 0
        self.log_bytes = 0
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pkcs1 = key.public_key().public_bytes(serialization.Encoding.DER,
                                              serialization.PublicFormat.PKCS1)
        self.key, self.fingerprint = key, hashlib.md5(pkcs1).hexdigest()
        self.public_keys = json.dumps({"PublicKeyList": [{
            "Value": base64.b64encode(pkcs1).decode(),
            "ValidityStartTime": self.anchor - 30 * 86400,
            "ValidityEndTime": self.anchor + 30 * 86400,
            "Fingerprint": self.fingerprint}]}).encode()
        self.trails = json.dumps({"trailList": [{
            "Name": TRAIL, "S3BucketName": BUCKET, "IncludeGlobalServiceEvents": True,
            "IsMultiRegionTrail": True, "HomeRegion": HOME, "TrailARN": TRAIL_ARN,
            "LogFileValidationEnabled": True, "HasCustomEventSelectors": False,
            "HasInsightSelectors": False, "IsOrganizationTrail": False}]}).encode()
        pool = [record_parts(rng) for _ in range(3000)]
        self.events = events
        if events:
            self.logsource(rng, pool, events, log_files, self.regions[0])
            self.keys = sorted(self.objects)
            self.build_seconds = time.time() - t0
            return
        # Compressed bytes per record, to size the files.
        sample = "".join(h + iso(0) + m + f"{i:032x}" + t for i, (h, m, t) in enumerate(pool[:300]))
        per_record = len(gzip.compress(sample.encode(), 6)) / 300
        root = f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/"
        # With --s3-bucket the layout is not known: AWSLogs/ is listed
        # once for an organization's folder.
        self.plan.append(f"GET /{BUCKET}?list-type=2&prefix=AWSLogs%2F&delimiter=%2F")
        self.plan.append(f"GET /{BUCKET}?list-type=2&prefix={quote(root, safe='')}"
                         f"&delimiter=%2F")
        for region in self.regions:
            listed = f"{root}{region}/"
            start = self.anchor - hours * 3600
            after = (f"{listed}{day(start - 60)}/{ACCOUNT}_CloudTrail-Digest_{region}_{TRAIL}_"
                     f"{HOME}_{stamp(start - 60)}.json.gz")
            self.plan.append(f"GET /{BUCKET}?list-type=2&prefix={quote(listed, safe='')}"
                             f"&start-after={quote(after, safe='')}")
            self.plan.append(f"POST / {region} ListPublicKeys "
                             f'{{"StartTime":{start},"EndTime":{self.anchor + 7200}}}')
            previous = None
            gets = []
            for k in range(hours, -1, -1):
                end = self.anchor - 1800 - k * 3600
                logs = []
                if k < hours:
                    for _ in range(files):
                        logs.append(self.log_file(rng, pool, per_record, region, end))
                    self.logs_in_window += len(logs)
                    self.digests_in_window += 1
                previous, dkey = self.digest(region, end, previous, logs)
                if k < hours:
                    gets.append((dkey, [entry["s3Object"] for entry in logs]))
            # The walk goes newest first; a digest's metadata comes with
            # its GET (no HeadObject).
            for dkey, logs in reversed(gets):
                self.plan += [f"GET /{BUCKET}/{dkey}"]
                self.plan += [f"GET /{BUCKET}/{k}" for k in logs]
        self.keys = sorted(self.objects)
        self.build_seconds = time.time() - t0

    def log_file(self, rng, pool, per_record, region, end):
        t = end - 3600 + rng.randint(0, 3599)
        target = rng.randint(5 * 1024, 50 * 1024)
        n = max(1, int(target / per_record))
        parts = ['{"Records":[']
        for i, (h, m, tail) in enumerate(rng.sample(pool, min(n, len(pool)))):
            if i:
                parts.append(",")
            parts += [h, iso(t - rng.randint(0, 600)), m, f"{rng.getrandbits(128):032x}", tail]
        parts.append("]}")
        body = "".join(parts).encode()
        gz = gzip.compress(body, 6, mtime=0)
        unique = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=16))
        key = (f"AWSLogs/{ACCOUNT}/CloudTrail/{region}/{day(t)}/{ACCOUNT}_CloudTrail_{region}_"
               f"{stamp(t, '%Y%m%dT%H%MZ')}_{unique}.json.gz")
        self.objects[key] = Obj(gz, t + 60)
        self.log_bytes_gz += len(gz)
        self.log_bytes += len(body)
        return {"s3Bucket": BUCKET, "s3Object": key,
                "hashValue": hashlib.sha256(body).hexdigest(), "hashAlgorithm": "SHA-256",
                "newestEventTime": iso(t), "oldestEventTime": iso(t - 600)}

    def logsource(self, rng, pool, events, files, region):
        """--events: `events` records in `files` log files of `region`
        over ANCHOR - 55 min .. ANCHOR - 5 min, no digests."""
        first, last = self.anchor - 55 * 60, self.anchor - 5 * 60
        self.window_start, self.window_end = iso(first - 60), iso(last + 60)
        per, extra = divmod(events, files)
        # The records a filter of the benchmark selects (--event-name=
        # GetTrailStatus --username=alice: about 1 in 112), counted here.
        chosen = {k for k, (h, m, _) in enumerate(pool)
                  if '"eventName":"GetTrailStatus"' in m and "assumed-role/alice-role/alice\"" in h}
        self.selected = 0
        span = (last - first) / files
        hexdigits = "0123456789abcdef"
        for f in range(files):
            n = per + (1 if f < extra else 0)
            lo = first + int(f * span)
            hi = first + int((f + 1) * span) - 1
            times = sorted(rng.randint(lo, hi) for _ in range(n))
            parts = ['{"Records":[']
            for i, t in enumerate(times):
                k = rng.randrange(len(pool))
                h, m, tail = pool[k]
                self.selected += k in chosen
                x = f"{rng.getrandbits(128):032x}"
                if i:
                    parts.append(",")
                parts += [h, iso(t), m, f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}", tail]
            parts.append("]}")
            body = "".join(parts).encode()
            gz = gzip.compress(body, 6, mtime=0)
            stamp_t = times[-1] if times else hi
            unique = "".join(rng.choices(hexdigits, k=16))
            key = (f"AWSLogs/{ACCOUNT}/CloudTrail/{region}/{day(stamp_t)}/{ACCOUNT}_CloudTrail_"
                   f"{region}_{stamp(stamp_t, '%Y%m%dT%H%MZ')}_{unique}.json.gz")
            self.objects[key] = Obj(gz, stamp_t + 120)
            self.plan.append(f"GET /{BUCKET}/{quote(key)}")
            self.logs_in_window += 1
            self.log_bytes_gz += len(gz)
            self.log_bytes += len(body)

    def digest(self, region, end, previous, logs):
        key = (f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/{region}/{day(end)}/{ACCOUNT}_CloudTrail-Digest_"
               f"{region}_{TRAIL}_{HOME}_{stamp(end)}.json.gz")
        doc = {
            "awsAccountId": ACCOUNT, "digestStartTime": iso(end - 3600),
            "digestEndTime": iso(end), "digestS3Bucket": BUCKET, "digestS3Object": key,
            "digestPublicKeyFingerprint": self.fingerprint,
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": max((entry["newestEventTime"] for entry in logs), default=None),
            "oldestEventTime": min((entry["oldestEventTime"] for entry in logs), default=None),
            "previousDigestS3Bucket": previous and BUCKET,
            "previousDigestS3Object": previous and previous[0],
            "previousDigestHashValue": previous and previous[1],
            "previousDigestHashAlgorithm": previous and "SHA-256",
            "previousDigestSignature": previous and previous[2],
            "logFiles": logs,
        }
        body = json.dumps(doc, separators=(",", ":")).encode()
        digest_hash = hashlib.sha256(body).hexdigest()
        to_sign = f"{iso(end)}\n{BUCKET}/{key}\n{digest_hash}\n{previous[2] if previous else 'null'}"
        signature = self.key.sign(to_sign.encode(), padding.PKCS1v15(), hashes.SHA256()).hex()
        self.objects[key] = Obj(gzip.compress(body, 6, mtime=0), end + 300,
                                {"signature": signature, "signature-algorithm": "SHA256withRSA"})
        return (key, digest_hash, signature), key

    def list(self, prefix, after, delimiter, max_keys):
        """(keys, common prefixes, truncated, last item returned)."""
        keys, prefixes, last = [], [], None
        i = bisect.bisect_right(self.keys, after) if after else 0
        i = max(i, bisect.bisect_left(self.keys, prefix))
        while i < len(self.keys):
            k = self.keys[i]
            if not k.startswith(prefix):
                break
            if after and delimiter and after.endswith(delimiter) and k.startswith(after):
                i += 1
                continue
            if len(keys) + len(prefixes) >= max_keys:
                return keys, prefixes, True, last
            cut = k.find(delimiter, len(prefix)) if delimiter else -1
            if cut >= 0:
                p = k[:cut + len(delimiter)]
                prefixes.append(p)
                last = p
                # Skip every key under that common prefix.
                i = bisect.bisect_left(self.keys, p + "\U0010ffff")
                continue
            keys.append(k)
            last = k
            i += 1
        return keys, prefixes, False, last


class Handler(BaseHTTPRequestHandler):
    server_version = "AmazonS3"
    protocol_version = "HTTP/1.1"
    # Headers and body in separate writes: without TCP_NODELAY a kept-alive
    # connection would wait for the client's delayed ACK on each answer.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def count(self, op):
        with self.server.lock:
            self.server.by_op[op] = self.server.by_op.get(op, 0) + 1

    def answer(self, status, body=b"", ctype="application/xml", headers=(), length=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.send_header("x-amz-request-id", "0000000000000000")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def s3_error(self, status, code, message):
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
                f"<Message>{escape(message)}</Message><RequestId>0</RequestId></Error>").encode()
        self.answer(status, b"" if self.command == "HEAD" else body)

    def drain(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_POST(self):
        body = self.drain()
        store = self.server.store
        if self.path == "/_reset":
            with self.server.lock:
                self.server.by_op.clear()
            return self.answer(200, b"{}", "application/json")
        op = (self.headers.get("X-Amz-Target") or "").removeprefix(TARGET_PREFIX)
        self.count(op or "POST?")
        if op == "ListPublicKeys":
            return self.answer(200, store.public_keys, "application/x-amz-json-1.1")
        if op == "DescribeTrails":
            return self.answer(200, store.trails, "application/x-amz-json-1.1")
        err = json.dumps({"__type": "UnknownOperationException",
                          "message": f"not in the stub: {op!r} ({len(body)} bytes)"}).encode()
        self.answer(400, err, "application/x-amz-json-1.1")

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self.drain()
        store = self.server.store
        url = urlsplit(self.path)
        if url.path == "/_stats" and self.command == "GET":
            with self.server.lock:
                by_op = dict(sorted(self.server.by_op.items()))
            stats = {"requests": sum(by_op.values()), "by_op": by_op, "anchor": store.anchor,
                     "hours": store.hours, "regions": store.regions,
                     "digests_in_window": store.digests_in_window,
                     "logs_in_window": store.logs_in_window,
                     "log_bytes_gz": store.log_bytes_gz, "log_bytes": store.log_bytes,
                     "build_seconds": round(store.build_seconds, 1)}
            if store.events:
                stats.update(events=store.events, selected=store.selected,
                             window_start=store.window_start,
                             window_end=store.window_end)
            return self.answer(200, json.dumps(stats).encode(), "application/json")
        if url.path == "/_plan" and self.command == "GET":
            return self.answer(200, ("\n".join(store.plan) + "\n").encode(), "text/plain")
        bucket, _, key = unquote(url.path).lstrip("/").partition("/")
        q = parse_qs(url.query, keep_blank_values=True)
        if bucket != BUCKET:
            self.count("NoSuchBucket")
            return self.s3_error(404, "NoSuchBucket", f"no bucket {bucket!r}")
        if key:
            op = "HeadObject" if self.command == "HEAD" else "GetObject"
            self.count(op)
            obj = store.objects.get(key)
            if obj is None:
                return self.s3_error(404, "NoSuchKey", "The specified key does not exist.")
            headers = [("ETag", obj.etag), ("Last-Modified", obj.http_date),
                       ("Accept-Ranges", "bytes")]
            headers += [(f"x-amz-meta-{n}", v) for n, v in obj.meta.items()]
            return self.answer(200, obj.body, "application/octet-stream", headers)
        if "location" in q:
            self.count("GetBucketLocation")
            return self.answer(200, (f'<?xml version="1.0" encoding="UTF-8"?>\n'
                                     f'<LocationConstraint xmlns="{S3NS}">{HOME}'
                                     f"</LocationConstraint>").encode())
        self.list_objects(store, q)

    def list_objects(self, store, q):
        arg = lambda name: q.get(name, [""])[0]
        v2 = arg("list-type") == "2"
        self.count("ListObjectsV2" if v2 else "ListObjects")
        prefix, delimiter = arg("prefix"), arg("delimiter")
        try:
            max_keys = min(1000, int(arg("max-keys") or 1000))
        except ValueError:
            return self.s3_error(400, "InvalidArgument", "max-keys")
        if v2:
            token = arg("continuation-token")
            after = base64.urlsafe_b64decode(token).decode() if token else arg("start-after")
        else:
            after = arg("marker")
        keys, prefixes, truncated, last = store.list(prefix, after, delimiter, max_keys)
        enc = (lambda s: quote(s, safe="/")) if arg("encoding-type") == "url" else (lambda s: s)
        x = lambda tag, s: f"<{tag}>{escape(enc(s))}</{tag}>"
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n', f'<ListBucketResult xmlns="{S3NS}">',
               f"<Name>{BUCKET}</Name>", x("Prefix", prefix), f"<MaxKeys>{max_keys}</MaxKeys>"]
        if delimiter:
            out.append(x("Delimiter", delimiter))
        if arg("encoding-type") == "url":
            out.append("<EncodingType>url</EncodingType>")
        out.append(f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>")
        if v2:
            out.append(f"<KeyCount>{len(keys) + len(prefixes)}</KeyCount>")
            if arg("continuation-token"):
                out.append(f"<ContinuationToken>{escape(arg('continuation-token'))}</ContinuationToken>")
            elif arg("start-after"):
                out.append(x("StartAfter", arg("start-after")))
            if truncated:
                token = base64.urlsafe_b64encode(last.encode()).decode()
                out.append(f"<NextContinuationToken>{token}</NextContinuationToken>")
        else:
            out.append(x("Marker", after))
            if truncated:
                out.append(x("NextMarker", last))
        for k in keys:
            o = store.objects[k]
            modified = datetime.fromtimestamp(o.modified, timezone.utc).strftime(
                "%Y-%m-%dT%H:%M:%S.000Z")
            out.append(f"<Contents>{x('Key', k)}<LastModified>{modified}</LastModified>"
                       f"<ETag>{escape(o.etag, {chr(34): '&quot;'})}</ETag><Size>{len(o.body)}"
                       f"</Size><StorageClass>STANDARD</StorageClass></Contents>")
        for p in prefixes:
            out.append(f"<CommonPrefixes>{x('Prefix', p)}</CommonPrefixes>")
        out.append("</ListBucketResult>")
        self.answer(200, "".join(out).encode())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--hours", type=int, default=24)
    ap.add_argument("--files", type=int, default=12)
    ap.add_argument("--regions", default="eu-west-1,us-east-1")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--events", type=int, default=0,
                    help="logsource: this many events in --log-files log files, no digests")
    ap.add_argument("--log-files", type=int, default=300)
    a = ap.parse_args()
    if a.events and a.log_files < 1:
        ap.error("--log-files must be at least 1")
    store = Store(a.hours, a.files, a.regions.split(","), a.seed, a.events, a.log_files)
    server = ThreadingHTTPServer((a.host, a.port), Handler)
    server.daemon_threads = True
    server.store, server.by_op, server.lock = store, {}, threading.Lock()

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = server.server_address[:2]
    print(f"s3stub listening on http://{host}:{port}", flush=True)
    print(f"s3stub: {len(store.objects)} objects, {store.digests_in_window} digests and "
          f"{store.logs_in_window} log files in the window ({store.log_bytes_gz} bytes gzip, "
          f"{store.log_bytes} inflated), built in {store.build_seconds:.1f} s",
          file=sys.stderr, flush=True)
    server.serve_forever(poll_interval=0.2)


if __name__ == "__main__":
    main()
