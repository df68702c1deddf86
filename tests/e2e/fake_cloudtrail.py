#!/usr/bin/env python3
"""A stand-in for the CloudTrail LookupEvents API, on loopback only.

moto has no LookupEvents, so the demo (scripts/demo.sh) and the e2e tests
(tests/e2e) point `check_cloudtrail --mode=countevents` here. It speaks the
AWS JSON 1.1 protocol as CloudTrail does and serves a fixed set of ten
management events, placed inside whatever StartTime..EndTime window the
request asks for, over several pages linked by NextToken. The set mirrors
the Centreon plugin's own mock, so the counts match its robot tests:

    4 AwsApiCall, 2 AwsServiceEvent,
    1 AwsConsoleAction  (errorMessage "Rate exceeded error"),
    3 AwsConsoleSignIn  (errorMessage "Login error").

Signatures are not verified, but a request must look like a signed
CloudTrail call (an AWS4-HMAC-SHA256 Authorization for the cloudtrail
service, the JSON 1.1 content type and target) and its body must be what
LookupEvents accepts; anything else gets a JSON error like CloudTrail's.

It also answers GetTrailStatus (any name: a trail that logs), for the
benchmark's one-call rows (scripts/bench.sh).

With --integrity FILE it answers ListPublicKeys and DescribeTrails from
that JSON file, read again on every call so a test can rewrite it between
runs (moto serves neither ListPublicKeys nor the S3 side of a trail's
digests; tests/e2e/test_logintegrity_moto.py uses both):

    {"keys": {"us-east-1": [KEY, ...], "*": [KEY, ...]},
     "keys_page_size": 0,
     "trails": [TRAIL, ...]}

KEY is a PublicKeyList entry ({"Value": base64 DER, "ValidityStartTime",
"ValidityEndTime", "Fingerprint"}); the keys of the region named in the
request's credential scope are listed, else those under "*", only those
whose validity overlaps StartTime..EndTime. keys_page_size > 0 splits the
list into pages linked by NextToken (0, the default, answers in one page,
as AWS does: the aws CLI reads only the first). TRAIL is a trailList entry
of DescribeTrails; a trailNameList keeps the trails named (name or ARN).
Without --integrity both operations are unknown here, as before.

With --events FILE, LookupEvents serves CloudTrail records from that JSON
file (a list of records, as in a log file's "Records"; read again on
every call) instead of the ten fixed events: those whose eventTime is in
StartTime..EndTime, newest first, of the category asked (EventCategory
insight: eventCategory Insight; else management events only), passing
the one LookupAttributes entry; each entry derived from its record as
LookupEvents does (tests/e2e/logsource.py lookup_entry). For the proof
that --source=api and --source=s3 give the same lines
(test_logsource_moto.py).

Extras for tests:
  GET  /_requests       every request received so far, as JSON (time,
                        path, headers, body), for checking paging and pacing.
  POST /_error/<Code>   any call under that path answers HTTP 400 with
                        {"__type": "<Code>", "message": ...}.

Usage: fake_cloudtrail.py [--host 127.0.0.1] [--port 0] [--page-size 4]
                          [--repeat 1] [--tls-cert PEM --tls-key PEM]
                          [--integrity FILE] [--events FILE]
The first line on stdout is "fake_cloudtrail listening on http://HOST:PORT"
(https:// with --tls-cert; the port actually bound when --port is 0).
--repeat N serves the ten events N times over (10*N events, the counts
N times those above), for paging past 50 events. Stops on SIGTERM/SIGINT.
"""

import argparse
import base64
import functools
import json
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TARGET_PREFIX = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
CONTENT_TYPE = "application/x-amz-json-1.1"
LOOKUP_KEYS = {
    "LookupAttributes",
    "StartTime",
    "EndTime",
    "EventCategory",
    "MaxResults",
    "NextToken",
}

# (eventType, eventName, eventSource, errorCode, errorMessage, username)
EVENTS = [
    ("AwsApiCall", "DescribeInstances", "ec2.amazonaws.com", None, None, "alice"),
    ("AwsApiCall", "GetTrailStatus", "cloudtrail.amazonaws.com", None, None, "nagios"),
    ("AwsConsoleSignIn", "ConsoleLogin", "signin.amazonaws.com", None, "Login error", "bob"),
    ("AwsApiCall", "CreateBucket", "s3.amazonaws.com", None, None, "alice"),
    ("AwsServiceEvent", "RotationSucceeded", "secretsmanager.amazonaws.com", None, None, None),
    ("AwsConsoleAction", "DescribeAlarms", "monitoring.amazonaws.com",
     "ThrottlingException", "Rate exceeded error", "carol"),
    ("AwsConsoleSignIn", "ConsoleLogin", "signin.amazonaws.com", None, "Login error", "bob"),
    ("AwsApiCall", "AssumeRole", "sts.amazonaws.com", None, None, "deploy"),
    ("AwsServiceEvent", "SharedSnapshotCopyInitiated", "ec2.amazonaws.com", None, None, None),
    ("AwsConsoleSignIn", "ConsoleLogin", "signin.amazonaws.com", None, "Login error", "mallory"),
]


@functools.lru_cache(maxsize=8)
def events_for_window(start, end, repeat=1):
    """The fixed events (`repeat` times over), timed inside [start, end],
    newest first as AWS does. Cached: the pages of one paged read share
    their window, and rebuilding 10 000 events per page would make the
    benchmark measure this server."""
    out = []
    n = len(EVENTS) * repeat
    for i, (etype, name, source, err_code, err_msg, user) in enumerate(EVENTS * repeat):
        t = start + (end - start) * (i + 1) / (n + 1)
        event_id = f"00000000-0000-4000-8000-{i + 1:012d}"
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
        record = {
            "eventVersion": "1.09",
            "userIdentity": {"type": "IAMUser", "userName": user or ""},
            "eventTime": stamp,
            "eventSource": source,
            "eventName": name,
            "awsRegion": "eu-west-1",
            "sourceIPAddress": "192.0.2.10",
            "userAgent": "fake_cloudtrail",
            "eventID": event_id,
            "eventType": etype,
            "managementEvent": True,
            "recipientAccountId": "123456789012",
        }
        if err_code:
            record["errorCode"] = err_code
        if err_msg:
            record["errorMessage"] = err_msg
        event = {
            "EventId": event_id,
            "EventName": name,
            "ReadOnly": "true" if name.startswith(("Describe", "Get")) else "false",
            "EventTime": t,
            "EventSource": source,
            "Resources": [],
            "CloudTrailEvent": json.dumps(record, separators=(",", ":")),
        }
        if user:
            event["Username"] = user
        out.append(event)
    out.reverse()
    return out


def encode_token(offset, start, end):
    raw = json.dumps({"o": offset, "s": start, "e": end}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_token(token):
    try:
        d = json.loads(base64.urlsafe_b64decode(token.encode()))
        return int(d["o"]), d["s"], d["e"]
    except Exception:  # noqa: BLE001 - any garbage is an invalid token
        return None


class ApiError(Exception):
    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class Handler(BaseHTTPRequestHandler):
    server_version = "fake_cloudtrail/1"
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: the status line and headers go out before the body, and
    # with Nagle on, a kept-alive connection would hold the body until the
    # client's delayed ACK (~40 ms per request), as no AWS front end does.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("fake_cloudtrail: " + (fmt % args) + "\n")

    def _send(self, status, payload, content_type=CONTENT_TYPE):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", "fake-%d" % int(time.time() * 1000))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - http.server's naming
        if self.path == "/_requests":
            with self.server.lock:
                log = list(self.server.log)
            self._send(200, log, "application/json")
        elif self.path == "/_stats":
            with self.server.lock:
                stats = {
                    "requests": len(self.server.log),
                    "throttled": sum(1 for e in self.server.log if e.get("throttled")),
                }
            self._send(200, stats, "application/json")
        else:
            self._send(404, {"__type": "UnknownOperationException", "message": "GET"})

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        entry = {
            "time": time.time(),
            "path": self.path,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body": raw.decode("utf-8", "replace"),
        }
        with self.server.lock:
            self.server.log.append(entry)
            throttled = self.over_quota()
            entry["throttled"] = throttled
        if throttled:
            self._send(400, {"__type": "ThrottlingException", "message": "Rate exceeded"})
            return
        try:
            self._send(200, self.handle_call(raw))
        except ApiError as e:
            self._send(e.status, {"__type": e.code, "message": e.message})

    def over_quota(self):
        """--tps N: a token bucket of N per access key, refilled N per
        second, as AWS enforces LookupEvents' 2 per second (caller holds
        the lock)."""
        tps = self.server.tps
        if not tps:
            return False
        auth = self.headers.get("Authorization", "")
        key = auth.split("Credential=", 1)[-1].split("/", 1)[0]
        now = time.monotonic()
        tokens, last = self.server.buckets.get(key, (float(tps), now))
        tokens = min(float(tps), tokens + (now - last) * tps)
        if tokens < 1.0:
            self.server.buckets[key] = (tokens, now)
            return True
        self.server.buckets[key] = (tokens - 1.0, now)
        return False

    def handle_call(self, raw):
        if self.path.startswith("/_error/"):
            code = self.path[len("/_error/"):].split("/")[0] or "InternalFailure"
            raise ApiError(code, f"{code} (asked for by the test)")
        auth = self.headers.get("Authorization", "")
        if not auth:
            raise ApiError("MissingAuthenticationTokenException", "Missing Authentication Token", 403)
        if not auth.startswith("AWS4-HMAC-SHA256 Credential=") or "/cloudtrail/aws4_request" not in auth:
            raise ApiError("IncompleteSignatureException", f"Bad Authorization header: {auth[:60]}", 403)
        if not self.headers.get("X-Amz-Date"):
            raise ApiError("IncompleteSignatureException", "No X-Amz-Date header", 403)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if ctype != CONTENT_TYPE:
            raise ApiError("UnknownOperationException", f"Content-Type {ctype!r}")
        target = self.headers.get("X-Amz-Target") or ""
        if not target.startswith(TARGET_PREFIX):
            raise ApiError("UnknownOperationException", f"X-Amz-Target {target!r}")
        op = target[len(TARGET_PREFIX):]
        try:
            params = json.loads(raw or b"{}")
        except ValueError:
            raise ApiError("SerializationException", "body is not JSON") from None
        if not isinstance(params, dict):
            raise ApiError("SerializationException", "body is not a JSON object")
        if op == "LookupEvents":
            return self.lookup_events(params)
        if op == "GetTrailStatus":
            return self.get_trail_status(params)
        if op in ("ListPublicKeys", "DescribeTrails") and self.server.integrity:
            if op == "ListPublicKeys":
                return self.list_public_keys(params, auth)
            return self.describe_trails(params)
        raise ApiError("UnknownOperationException", f"{op} is not served here")

    def get_trail_status(self, p):
        """Any trail name or ARN is a trail that logs (for the benchmark's
        one-call rows)."""
        name = p.get("Name")
        if set(p) != {"Name"} or not isinstance(name, str) or not name:
            raise ApiError("InvalidTrailNameException", f"Name {name!r}")
        now = time.time()
        return {
            "IsLogging": True,
            "LatestDeliveryTime": now - 60,
            "StartLoggingTime": now - 86400,
            "LatestDeliveryAttemptTime": "",
            "LatestDeliveryAttemptSucceeded": "",
            "TimeLoggingStarted": "",
            "TimeLoggingStopped": "",
        }

    def integrity(self):
        with open(self.server.integrity, encoding="utf-8") as f:
            return json.load(f)

    def list_public_keys(self, p, auth):
        unknown = set(p) - {"StartTime", "EndTime", "NextToken"}
        if unknown:
            raise ApiError("SerializationException", f"unknown fields {sorted(unknown)}")
        now = time.time()
        start, end = p.get("StartTime", now), p.get("EndTime", now)
        for name, v in (("StartTime", start), ("EndTime", end)):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ApiError("SerializationException", f"{name} is not a timestamp: {v!r}")
        if start > end:
            raise ApiError("InvalidTimeRangeException", "StartTime is after EndTime")
        # Credential=AKID/DATE/REGION/cloudtrail/aws4_request
        scope = auth.split("Credential=", 1)[-1].split(",", 1)[0].split("/")
        region = scope[2] if len(scope) > 2 else ""
        conf = self.integrity()
        keys = conf.get("keys", {})
        listed = [k for k in keys.get(region, keys.get("*", []))
                  if k["ValidityStartTime"] <= end and k["ValidityEndTime"] >= start]
        size = conf.get("keys_page_size") or len(listed) or 1
        offset = 0
        if "NextToken" in p:
            decoded = decode_token(p["NextToken"]) if isinstance(p["NextToken"], str) else None
            if decoded is None or decoded[1:] != (start, end):
                raise ApiError("InvalidTokenException", "Invalid NextToken")
            offset = decoded[0]
        out = {"PublicKeyList": listed[offset:offset + size]}
        if offset + size < len(listed):
            out["NextToken"] = encode_token(offset + size, start, end)
        return out

    def describe_trails(self, p):
        names = p.get("trailNameList")
        trails = self.integrity().get("trails", [])
        if names:
            trails = [t for t in trails if t.get("Name") in names or t.get("TrailARN") in names]
        return {"trailList": trails}

    def lookup_events(self, p):
        unknown = set(p) - LOOKUP_KEYS
        if unknown:
            raise ApiError("SerializationException", f"unknown fields {sorted(unknown)}")
        now = time.time()
        start, end = p.get("StartTime", now - 86400), p.get("EndTime", now)
        for name, v in (("StartTime", start), ("EndTime", end)):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ApiError("SerializationException", f"{name} is not a timestamp: {v!r}")
        if start > end:
            raise ApiError("InvalidTimeRangeException", "StartTime is after EndTime")
        max_results = p.get("MaxResults", 50)
        if isinstance(max_results, bool) or not isinstance(max_results, int) or not 1 <= max_results <= 50:
            raise ApiError("InvalidMaxResultsException", f"MaxResults {max_results!r}")
        offset = 0
        if "NextToken" in p:
            tok = p["NextToken"]
            decoded = decode_token(tok) if isinstance(tok, str) else None
            if decoded is None or decoded[1:] != (start, end):
                raise ApiError("InvalidNextTokenException", "Invalid NextToken")
            offset = decoded[0]
        if self.server.events:
            events = self.file_events(p, start, end)
        else:
            events = events_for_window(start, end, self.server.repeat)
        size = min(max_results, self.server.page_size)
        page = events[offset:offset + size]
        out = {"Events": page}
        if offset + size < len(events):
            out["NextToken"] = encode_token(offset + size, start, end)
        return out


LOOKUP_FIELDS = {"EventName": "EventName", "EventSource": "EventSource",
                 "Username": "Username", "AccessKeyId": "AccessKeyId",
                 "ReadOnly": "ReadOnly", "EventId": "EventId"}


def file_events(self, p, start, end):
    """--events: the file's records in the window, as LookupEvents
    entries, newest first (see the module's docstring)."""
    from logsource import lookup_entry  # tests/e2e, next to this file

    with open(self.server.events, encoding="utf-8") as f:
        records = json.load(f)
    insight = str(p.get("EventCategory", "")).lower() == "insight"
    attrs = p.get("LookupAttributes") or []
    if len(attrs) > 1:
        raise ApiError("InvalidLookupAttributesException", "only one lookup attribute")
    out = []
    for r in records:
        cat = r.get("eventCategory") or "Management"
        if (cat == "Insight") != insight or (not insight and cat != "Management"):
            continue
        e = lookup_entry(r)
        if not start <= e["EventTime"] <= end:
            continue
        if attrs:
            key, value = attrs[0].get("AttributeKey"), attrs[0].get("AttributeValue")
            if key in LOOKUP_FIELDS:
                if e.get(LOOKUP_FIELDS[key]) != value:
                    continue
            elif key in ("ResourceType", "ResourceName"):
                field = key
                if all(x.get(field) != value for x in e["Resources"]):
                    continue
            else:
                raise ApiError("InvalidLookupAttributesException", f"AttributeKey {key!r}")
        out.append(e)
    out.sort(key=lambda e: e["EventTime"], reverse=True)
    return out


Handler.file_events = file_events


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--page-size", type=int, default=4, help="events per page (default 4)")
    ap.add_argument("--repeat", type=int, default=1, help="serve the ten events N times over")
    ap.add_argument("--tls-cert", help="PEM certificate chain: serve https")
    ap.add_argument("--tls-key", help="PEM private key of --tls-cert")
    ap.add_argument("--verbose", action="store_true", help="log each request on stderr")
    ap.add_argument("--tps", type=float, default=0,
                    help="throttle over N requests per second per access key (0: never)")
    ap.add_argument("--integrity", metavar="FILE",
                    help="answer ListPublicKeys and DescribeTrails from this JSON file")
    ap.add_argument("--events", metavar="FILE",
                    help="serve LookupEvents from the CloudTrail records in this JSON file")
    args = ap.parse_args()
    if args.page_size < 1:
        ap.error("--page-size must be at least 1")
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    server.page_size = args.page_size
    server.repeat = args.repeat
    scheme = "http"
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        # The handshake happens in the handler's thread, on first read, so
        # a client that rejects the certificate cannot stall the server.
        server.socket = ctx.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
        scheme = "https"
    server.verbose = args.verbose
    server.tps = args.tps
    server.integrity = args.integrity
    server.events = args.events
    server.buckets = {}
    server.log = []
    server.lock = threading.Lock()

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = server.server_address[:2]
    print(f"fake_cloudtrail listening on {scheme}://{host}:{port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except SystemExit:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
