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
import json
import os
import sys
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import digests  # noqa: E402 - beside this file
from digests import iso, new_key  # noqa: E402,F401 - iso kept for importers

ACCOUNT = "123456789012"
REGION = "us-east-1"
BUCKET = "ct-bucket"
TRAIL = "demo"
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
LAYOUT = digests.Layout(ACCOUNT, TRAIL, REGION)


objects = {}


def log_file(t, unique, n):
    body = digests.log_body(ACCOUNT, t, unique, n)
    key = LAYOUT.log_key(REGION, t, unique)
    objects[key] = {"body": body}
    return digests.log_entry(BUCKET, key, body, t, n)


def digest(name, end, signer, previous, log_files, suffix="", meta=None):
    key = LAYOUT.digest_key(REGION, end, backfill=suffix == "_backfill")
    d = digests.digest(ACCOUNT, BUCKET, key, end - timedelta(hours=1), end, signer,
                       previous and previous.link(BUCKET), log_files, meta)
    objects[key] = {"body": d.body, "metadata": d.metadata}
    d.name = name
    return d


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
    listed = [k.entry(T0 - timedelta(days=30), T0 + timedelta(days=30), der)
              for k, der in ((a, a.pkcs1), (b, b.spki))]
    out = {
        "bucket": BUCKET,
        "digests": {d.name: {"key": d.key, "string_to_sign": d.string_to_sign}
                    for d in (d1, d2, d3, d4, d5, b1, d9)},
        "objects": objects,
        "keys": {"PublicKeyList": listed},
    }
    path = os.environ.get("GEN_DIGEST_FIXTURES_OUT") or os.path.join(
        os.path.dirname(__file__), "..", "fixtures", "logintegrity", "store.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
