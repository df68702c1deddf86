"""Differential test of our SigV4 signer against botocore's.

A capture server on 127.0.0.1 records what check_cloudtrail really sends.
For every request, botocore's SigV4Auth signs the same method, URL, signed
headers and body with the clock frozen at the request's X-Amz-Date; the
two Authorization headers must be equal to the byte. The request's shape
(POST, JSON 1.1 content type and target, Host, body) is checked too.
"""

import datetime
import json
import re
import time
from unittest import mock
from urllib.parse import urlsplit

import botocore.auth
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

TARGET_PREFIX = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<ak>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)"
    r"/aws4_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<sig>[0-9a-f]{64})"
)

ACCESS_KEY = "AKIDEXAMPLE"
SLASH_PLUS_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
PLAIN_SECRET = "e2eSecretKeyWithoutSpecials0123456789abc"
TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCWV1LXdlc3QtMSJHMEUCIQD+e2e/token+with/slashes=="


def botocore_authorization(req, url, region, secret, token):
    """botocore's Authorization for what `req` signed, at its X-Amz-Date."""
    m = AUTH_RE.fullmatch(req.header("Authorization") or "")
    assert m, f"malformed Authorization: {req.header('Authorization')!r}"
    signed = m["signed"].split(";")
    # Give botocore exactly the headers we signed, except Host: botocore
    # derives that from the URL, which checks our Host logic as well.
    headers = {k: v for k, v in req.headers if k.lower() in signed and k.lower() != "host"}
    aws_req = AWSRequest(method=req.method, url=url, data=req.body, headers=headers)
    frozen = datetime.datetime.strptime(req.header("X-Amz-Date"), "%Y%m%dT%H%M%SZ")
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=frozen):
        SigV4Auth(Credentials(m["ak"], secret, token), "cloudtrail", region).add_auth(aws_req)
    return aws_req.headers["Authorization"], botocore.auth._host_from_url(url)


def check_request(req, *, url, region, secret, token, op, body_check):
    # The request as a CloudTrail JSON 1.1 call.
    split = urlsplit(url)
    want_path = (split.path or "/") + (f"?{split.query}" if split.query else "")
    assert req.method == "POST"
    assert req.path == want_path
    assert req.header("Content-Type") == "application/x-amz-json-1.1"
    assert req.header("X-Amz-Target") == TARGET_PREFIX + op
    assert req.header("Content-Length") == str(len(req.body))
    assert req.header("Transfer-Encoding") is None
    assert req.header("X-Amz-Security-Token") == token

    auth = req.header("Authorization")
    m = AUTH_RE.fullmatch(auth or "")
    assert m, f"malformed Authorization: {auth!r}"
    assert (m["ak"], m["region"], m["service"]) == (ACCESS_KEY, region, "cloudtrail")
    amz_date = req.header("X-Amz-Date")
    assert re.fullmatch(r"\d{8}T\d{6}Z", amz_date or ""), amz_date
    assert m["date"] == amz_date[:8]
    signed_at = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    assert abs(signed_at.timestamp() - req.time) < 120, "X-Amz-Date is not now (UTC)"

    signed = m["signed"].split(";")
    assert signed == sorted(signed)
    must = {"content-type", "host", "x-amz-date", "x-amz-target"} | ({"x-amz-security-token"} if token else set())
    assert must <= set(signed), signed
    # Every x-amz-* header that went out was signed.
    sent_amz = {k.lower() for k, _ in req.headers if k.lower().startswith("x-amz-")}
    assert sent_amz <= set(signed), (sent_amz, signed)

    expected, signed_host = botocore_authorization(req, url, region, secret, token)
    assert req.header("Host") == signed_host
    assert auth == expected

    body_check(json.loads(req.body))


def base_args(url, region, secret, token):
    args = ["--custommode=paws", f"--aws-access-key={ACCESS_KEY}", f"--aws-secret-key={secret}",
            f"--region={region}", f"--endpoint-url={url}", "--timeout=20"]
    if token is not None:
        args.append(f"--aws-session-token={token}")
    return args


STATUS_CASES = [
    # (id, path+query appended to the capture URL, region, secret, token)
    ("plain-eu", "", "eu-west-1", PLAIN_SECRET, None),
    ("root-slash-us", "/", "us-east-1", PLAIN_SECRET, None),
    ("token-eu", "", "eu-west-1", SLASH_PLUS_SECRET, TOKEN),
    ("path-us", "/cloudtrail/x/y", "us-east-1", SLASH_PLUS_SECRET, None),
    ("path-token-eu", "/cloudtrail/x/y", "eu-west-1", PLAIN_SECRET, TOKEN),
    ("path-trailing-slash", "/cloudtrail/gettrailstatus/true/", "eu-west-1", SLASH_PLUS_SECRET, None),
    ("path-unreserved", "/a.b/c-d_e~f/", "us-east-1", PLAIN_SECRET, None),
    ("query", "/x?b=2&a=1", "eu-west-1", PLAIN_SECRET, None),
    ("query-repeated-encoded", "/x?a=1&a=0&b=%20c&flag", "us-east-1", SLASH_PLUS_SECRET, TOKEN),
    # Non-S3 services sign the wire path encoded once more, after
    # dot-segment removal and empty-segment collapsing (as botocore does).
    ("path-percent", "/a%20b/caf%C3%A9/%7Euser", "eu-west-1", PLAIN_SECRET, None),
    ("path-dot-segments", "/a/./b//c/../d", "eu-west-1", SLASH_PLUS_SECRET, None),
]


@pytest.mark.parametrize("case", STATUS_CASES, ids=[c[0] for c in STATUS_CASES])
def test_get_trail_status_signature(plugin, capture, case):
    _, suffix, region, secret, token = case
    url = capture.url + suffix
    trail = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/my-trail"
    run = plugin(*base_args(url, region, secret, token), "--mode=checktrailstatus", f"--trail-name={trail}")
    assert (run.stdout, run.rc) == ("OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\n", 0), str(run)
    reqs = capture.take()
    assert len(reqs) == 1, reqs

    def body_check(body):
        assert body == {"Name": trail}

    check_request(reqs[0], url=url, region=region, secret=secret, token=token, op="GetTrailStatus",
                  body_check=body_check)


LOOKUP_CASES = [
    ("plain-eu", "", "eu-west-1", PLAIN_SECRET, None, 60),
    ("token-us", "", "us-east-1", SLASH_PLUS_SECRET, TOKEN, 5),
    ("path-eu", "/cloudtrail/x/y", "eu-west-1", SLASH_PLUS_SECRET, None, 1440),
]


@pytest.mark.parametrize("case", LOOKUP_CASES, ids=[c[0] for c in LOOKUP_CASES])
def test_lookup_events_signature(plugin, capture, case):
    _, suffix, region, secret, token, delta = case
    url = capture.url + suffix
    before = int(time.time())
    run = plugin(*base_args(url, region, secret, token), "--mode=countevents", f"--delta={delta}")
    after = int(time.time())
    assert (run.stdout, run.rc) == ("OK: Number of events: 0.00 | 'events_count'=0.00;;;0;\n", 0), str(run)
    reqs = capture.take()
    assert len(reqs) == 1, reqs

    def body_check(body):
        assert set(body) == {"StartTime", "EndTime", "MaxResults"}, body
        assert all(type(body[k]) is int for k in body), body
        assert body["MaxResults"] == 50
        assert before <= body["EndTime"] <= after + 1
        assert body["EndTime"] - body["StartTime"] == delta * 60

    check_request(reqs[0], url=url, region=region, secret=secret, token=token, op="LookupEvents",
                  body_check=body_check)


def test_lookup_events_next_token_is_signed_and_paced(plugin, capture):
    # Tokens with characters JSON and base64 care about; pages 500 ms apart.
    tokens = ["page2/+==", 'page3 "quoted" \\ \u00e9']
    capture.pages = [{"Events": [], "NextToken": tokens[0]}, {"Events": [], "NextToken": tokens[1]},
                     {"Events": []}]
    url = capture.url + "/cloudtrail/x/y"
    run = plugin(*base_args(url, "eu-west-1", SLASH_PLUS_SECRET, TOKEN), "--mode=countevents", "--delta=60")
    assert (run.stdout, run.rc) == ("OK: Number of events: 0.00 | 'events_count'=0.00;;;0;\n", 0), str(run)
    reqs = capture.take()
    assert len(reqs) == 3, reqs
    first = json.loads(reqs[0].body)
    for i, req in enumerate(reqs):
        def body_check(body, i=i):
            want = dict(first)
            if i:
                want["NextToken"] = tokens[i - 1]
            assert body == want

        check_request(req, url=url, region="eu-west-1", secret=SLASH_PLUS_SECRET, token=TOKEN,
                      op="LookupEvents", body_check=body_check)
    gaps = [b.time - a.time for a, b in zip(reqs, reqs[1:])]
    # Arrival times at the server: allow some scheduling jitter below 500 ms.
    assert all(g >= 0.4 for g in gaps), gaps
