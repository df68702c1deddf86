"""Helpers for running check_cloudtrail under real monitoring engines
(tests/e2e/test_engine_*.py): the plugin's output split as engines split
it, perfdata parsed, command lines expanded as an engine expands them,
Centreon's CLAPI templates rendered as Nagios objects, loopback servers
(a CloudTrail router, a server that never answers), ages in outputs, and
signed digest chains for logintegrity (digests.py into moto's S3, the
trails and keys for fake_cloudtrail.py --integrity), log buckets for
bucketposture, and log files of data events for countevents --source=s3.
"""

import json
import os
import re
import shlex
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import digests
from conftest import ACCOUNT, REGION

# --------------------------------------------------------------------------
# What an engine makes of a plugin's stdout


def split_output(stdout):
    """(output, long_output, perfdata) as Nagios-family engines read a
    plugin's stdout: the first line is the output, `|` starts perfdata;
    later lines are long output up to a line with `|`, whose rest and the
    lines after are perfdata too. Each part stripped, as the engines do."""
    lines = stdout.split("\n")
    first = lines[0] if lines else ""
    output, _, perf = first.partition("|")
    long_lines, more_perf = [], []
    in_perf = False
    for line in lines[1:]:
        if in_perf:
            more_perf.append(line)
        elif "|" in line:
            before, _, after = line.partition("|")
            long_lines.append(before)
            more_perf.append(after)
            in_perf = True
        else:
            long_lines.append(line)
    perf_all = " ".join(p.strip() for p in [perf, *more_perf] if p.strip())
    return output.strip(), "\n".join(long_lines).strip(), perf_all.strip()


PERF_ITEM = re.compile(r"('(?:[^']|'')*'|[^=\s]+)=(\S*)")


@dataclass
class Metric:
    label: str
    value: str
    uom: str
    warn: str
    crit: str
    min: str
    max: str


def parse_perfdata(text):
    """{label: Metric} of a perfdata string; fails on anything left over."""
    out = {}
    rest = PERF_ITEM.sub("", text).strip()
    assert not rest, f"unparsed perfdata {rest!r} in {text!r}"
    for m in PERF_ITEM.finditer(text):
        label = m.group(1)
        if label.startswith("'"):
            label = label[1:-1].replace("''", "'")
        fields = (m.group(2).split(";") + [""] * 5)[:5]
        v = re.fullmatch(r"(-?[0-9.]*)(.*)", fields[0])
        assert label not in out, f"label {label} twice in {text!r}"
        out[label] = Metric(label, v.group(1), v.group(2), *fields[1:])
    return out


# A duration as the plugin prints it: "35m 0s ago", "1h 2m 3s ago", "4s ago".
AGE = re.compile(r"\b(?:(\d+)h )?(?:(\d+)m )?(\d+)s ago\b")


def ages(text):
    """(text with every "…s ago" as "Ns ago", [the seconds of each]):
    two runs a moment apart compare on the rest, their ages within a
    tolerance ("just now" is "0s ago")."""
    text = text.replace("just now", "0s ago")
    secs = [int(h or 0) * 3600 + int(m or 0) * 60 + int(s) for h, m, s in AGE.findall(text)]
    return AGE.sub("Ns ago", text), secs


# --------------------------------------------------------------------------
# Command lines as an engine expands them


def strip_illegal(value, illegal):
    return "".join(c for c in value if c not in illegal)


def expand_command(command_line, args, macros, illegal):
    """The argv an engine runs: `$ARGn$` replaced by `args` (whose own
    macros are expanded first), `$NAME$` by `macros[NAME]` — custom
    variables (`_HOST…`, `_SERVICE…`) lose the `illegal` characters, as
    Nagios' illegal_macro_output_chars does — then split as /bin/sh would."""

    def sub(text, with_args):
        def one(m):
            name = m.group(1)
            if with_args and re.fullmatch(r"ARG\d+", name):
                n = int(name[3:])
                return args[n - 1] if n <= len(args) else ""
            assert name in macros, f"macro ${name}$ has no value in the test"
            value = macros[name]
            return strip_illegal(value, illegal) if name.startswith("_") else value

        return re.sub(r"\$([A-Z0-9_]+)\$", one, text)

    args = [sub(a, False) for a in args]
    return shlex.split(sub(command_line, True))


def nagios_objects(cfg_text, kind):
    """[{directive: value}] of the `define <kind>` blocks of a Nagios file."""
    return [dict(re.findall(r"^\s*(\w+)\s+(.*?)\s*$", block, re.M))
            for block in re.findall(rf"define\s+{kind}\s*\{{(.*?)\}}", cfg_text, re.S)]


def nagios_commands(cfg_text):
    """{command_name: command_line} of a Nagios object file."""
    return {c["command_name"]: c["command_line"] for c in nagios_objects(cfg_text, "command")}


# --------------------------------------------------------------------------
# Centreon CLAPI templates as Nagios objects


@dataclass
class Clapi:
    commands: dict  # name -> command line
    host_templates: dict  # name -> {MACRO: default}
    service_templates: dict  # name -> {"params": {...}, "macros": {...}, "alias": str}


def parse_clapi(text):
    c = Clapi({}, {}, {})
    for line in text.splitlines():
        if not line.strip():
            continue
        f = line.split(";")
        obj, action = f[0], f[1]
        if (obj, action) == ("CMD", "ADD"):
            c.commands[f[2]] = ";".join(f[4:])
        elif (obj, action) == ("HTPL", "ADD"):
            c.host_templates[f[2]] = {}
        elif (obj, action) == ("HTPL", "setmacro"):
            c.host_templates[f[2]][f[3]] = f[4]
        elif (obj, action) == ("STPL", "ADD"):
            c.service_templates[f[2]] = {"alias": f[3], "params": {}, "macros": {}}
        elif (obj, action) == ("STPL", "setparam"):
            c.service_templates[f[2]]["params"][f[3]] = f[4]
        elif (obj, action) == ("STPL", "setmacro"):
            c.service_templates[f[2]]["macros"][f[3]] = f[4]
        elif (obj, action) == ("STPL", "addhosttemplate"):
            pass
        else:
            raise AssertionError(f"CLAPI line this renderer does not know: {line}")
    return c


def nagios_value(value):
    """A value for a Nagios object file: `;` starts a comment there."""
    return value.replace(";", "\\;")


def centreon_command_line(line):
    """A Centreon command line as a Nagios one: Centreon's resource macro
    for the plugin directory is Nagios' $USER1$."""
    return line.replace("$CENTREONPLUGINS$", "$USER1$")


def render_clapi(c, service_base="generic-service", host_base="generic-host"):
    """Nagios objects doing what Centreon Engine gets from these templates:
    commands with `$CENTREONPLUGINS$` as `$USER1$`, templates whose macros
    are custom variables (an empty one defined empty, as Centreon does)."""
    out = []
    for name, line in c.commands.items():
        out.append(f"define command {{\n    command_name {name}\n"
                   f"    command_line {nagios_value(centreon_command_line(line))}\n}}\n")
    for name, macros in c.host_templates.items():
        body = "".join(f"    _{k} {nagios_value(v)}\n" for k, v in macros.items())
        out.append(f"define host {{\n    name {name}\n    use {host_base}\n{body}    register 0\n}}\n")
    parents = {t["params"].get("template") for t in c.service_templates.values()}
    out.append(f"define service {{\n    name generic-active-service-custom\n    use {service_base}\n"
               "    register 0\n}\n")
    assert parents <= {None}, parents
    for name, t in c.service_templates.items():
        body = "".join(f"    {k} {nagios_value(v)}\n" for k, v in t["params"].items())
        body += "".join(f"    _{k} {nagios_value(v)}\n" for k, v in t["macros"].items())
        out.append(f"define service {{\n    name {name}\n    use generic-active-service-custom\n"
                   f"{body}    register 0\n}}\n")
    return "\n".join(out)


# --------------------------------------------------------------------------
# Loopback servers

LOOKUP_TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"


def root_event(n, when):
    """One LookupEvents entry that securityevents counts as root account
    usage (CIS 4.3): a Root identity, no invokedBy, an API call."""
    event_id = f"e2e00000-0000-4000-8000-{n:012d}"
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))
    record = {
        "eventVersion": "1.09",
        "userIdentity": {"type": "Root", "arn": f"arn:aws:iam::{ACCOUNT}:root", "accountId": ACCOUNT},
        "eventTime": stamp, "eventSource": "s3.amazonaws.com", "eventName": "ListBuckets",
        "awsRegion": REGION, "sourceIPAddress": "198.51.100.4", "eventID": event_id,
        "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": ACCOUNT,
    }
    return {"EventId": event_id, "EventName": "ListBuckets", "ReadOnly": "true", "EventTime": when,
            "EventSource": "s3.amazonaws.com", "Username": "root", "Resources": [],
            "CloudTrailEvent": json.dumps(record, separators=(",", ":"))}


class CloudTrailRouter:
    """One CloudTrail endpoint for a whole host: LookupEvents (which moto
    lacks) answered from `events`, every other call relayed to moto as it
    came (headers, body: moto checks the signature made for this host)."""

    def __init__(self, moto_url):
        self.events = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _reply(self, status, body, ctype):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("X-Amz-Target") == LOOKUP_TARGET:
                    # Pages of MaxResults (50), as CloudTrail answers: the
                    # plugin refuses a page holding more than it asked for.
                    start = int(json.loads(body or b"{}").get("NextToken") or 0)
                    with outer.lock:
                        events = outer.events[start:start + 50]
                        more = start + 50 < len(outer.events)
                    page = {"Events": events}
                    if more:
                        page["NextToken"] = str(start + 50)
                    self._reply(200, json.dumps(page).encode(), "application/x-amz-json-1.1")
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() != "content-length"}
                req = urllib.request.Request(moto_url + self.path, data=body, headers=headers, method="POST")
                try:
                    with urllib.request.urlopen(req, timeout=20) as r:
                        self._reply(r.status, r.read(), r.headers.get("Content-Type", "text/plain"))
                except urllib.error.HTTPError as e:
                    self._reply(e.code, e.read(), e.headers.get("Content-Type", "text/plain"))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                       daemon=True)
        self.thread.start()

    def set_events(self, events):
        with self.lock:
            self.events = list(events)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class SilentServer:
    """Accepts connections and never answers: an endpoint that hangs."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.conns = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)  # held open, never read nor answered

    def stop(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self.sock.close()
        for c in self.conns:
            c.close()


# --------------------------------------------------------------------------
# Signed digest chains for logintegrity

# What logintegrity reports on the two trails of write_signed_trails():
# four hourly digests listing 2, 0, 1 and 2 log files (the newest ending
# 2 minutes before the write), all valid; and the same with one log file
# edited after CloudTrail hashed it.
INTEGRITY_VALID = {"digests_valid": 4, "digests_invalid": 0, "digests_missing": 0, "logs_valid": 5,
                   "logs_invalid": 0, "logs_missing": 0, "chain_breaks": 0}
INTEGRITY_EDITED = dict(INTEGRITY_VALID, logs_valid=4, logs_invalid=1)


@dataclass
class SignedTrails:
    valid: str  # trail names (DescribeTrails at the fake knows them)
    edited: str
    edited_log: str  # s3://bucket/key of the edited log file


def write_signed_trails(s3, integrity_file, region, prefix):
    """Two trails with log file validation on, home region `region`, each
    in a bucket of its own written through `s3` (a botocore S3 client of
    moto that may create buckets) with a chain of digests.py:
    `<prefix>-valid` as CloudTrail wrote it, `<prefix>-edited` with its
    newest digest's first log file rewritten afterwards. Their
    DescribeTrails entries and the region's public key go to
    `integrity_file`, for fake_cloudtrail.py --integrity."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    key = digests.new_key()
    trails, edited_log = [], None
    for name in ("valid", "edited"):
        layout = digests.Layout(ACCOUNT, f"{prefix}-{name}", region)
        bucket = f"{prefix}-{name}-{uuid.uuid4().hex[:8]}"
        objects, _, log_keys = digests.hourly_chain(layout, bucket, region, key, now)
        if name == "edited":
            log = log_keys[-1][0]
            objects[log] = (digests.forged_log(layout, now), {})
            edited_log = f"s3://{bucket}/{log}"
        where = {} if region == "us-east-1" else {
            "CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, **where)
        for k, (body, meta) in objects.items():
            s3.put_object(Bucket=bucket, Key=k, Body=body, Metadata=meta)
        trails.append(digests.trail_entry(layout, bucket))
    listed = [key.entry(now - timedelta(days=30), now + timedelta(days=30))]
    tmp = f"{integrity_file}.tmp"
    with open(tmp, "w") as f:
        json.dump({"keys": {region: listed}, "trails": trails}, f)
    os.replace(tmp, integrity_file)
    return SignedTrails(trails[0]["Name"], trails[1]["Name"], edited_log)


def integrity_metrics(perf):
    """{label: value} of logintegrity's counts in parsed perfdata
    ({label: value}, digest_age left out: it moves with the clock)."""
    return {k: v for k, v in perf.items() if k in INTEGRITY_VALID}


# --------------------------------------------------------------------------
# Log buckets for bucketposture

# What bucketposture reports on the two buckets of make_posture_buckets():
# each check's 0/1 metric (moto cannot turn MFA delete on: 0 on both),
# and log_retention in days on the expiring one.
POSTURE_OK = {"bucket_lifecycle": "1", "bucket_versioning": "1", "bucket_public_access": "1",
              "bucket_mfa_delete": "0", "bucket_object_lock": "1"}
POSTURE_CRITICAL = {"bucket_lifecycle": "0", "bucket_versioning": "0", "bucket_public_access": "0",
                    "bucket_mfa_delete": "0", "bucket_object_lock": "0", "log_retention": "1"}
POSTURE_OK_LINE = "OK: Bucket {}: MFA delete not enabled"
POSTURE_CRITICAL_LINE = (
    "CRITICAL: Bucket {}: a lifecycle rule expires CloudTrail's objects sooner than the retention, "
    "versioning not enabled, Block Public Access not fully on (bucket or account), MFA delete not "
    "enabled, no Object Lock default retention, CloudTrail's objects expire after 1 days")


@dataclass
class PostureBuckets:
    ok: str  # bucket names
    critical: str


def make_posture_buckets(s3, prefix):
    """Two log buckets in moto's S3 (`s3` may create buckets, in REGION):
    `<prefix>-ok-…` locked down (Object Lock with a 400-day default
    retention, which turns versioning on; every Block Public Access
    setting on) and `<prefix>-critical-…` with Stratus Red Team's
    one-day expiry on AWSLogs/ and nothing else. The account's Block
    Public Access is left unset."""
    tag = uuid.uuid4().hex[:8]
    ok, critical = f"{prefix}-ok-{tag}", f"{prefix}-critical-{tag}"
    where = {"LocationConstraint": REGION}
    s3.create_bucket(Bucket=ok, CreateBucketConfiguration=where, ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(Bucket=ok, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 400}}})
    s3.put_public_access_block(Bucket=ok, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True})
    s3.create_bucket(Bucket=critical, CreateBucketConfiguration=where)
    s3.put_bucket_lifecycle_configuration(Bucket=critical, LifecycleConfiguration={"Rules": [
        {"ID": "nuke-cloudtrail-logs-after-1-day", "Status": "Enabled",
         "Filter": {"Prefix": "AWSLogs/"}, "Expiration": {"Days": 1}}]})
    return PostureBuckets(ok, critical)


# --------------------------------------------------------------------------
# Log files for countevents --source=s3

# What countevents --source=s3 --event-category=Data --delta=60 counts in
# the files of write_event_logs() (digests.event_logs: 3 data events in
# the hour, a fourth two hours before; 4 management events).
DATA_EVENTS = digests.EVENT_LOGS_COUNTS["Data"]


def write_event_logs(s3, prefix, trail):
    """A bucket `<prefix>-…` in REGION (through `s3`, a botocore S3
    client of moto that may create buckets) holding the log files of
    digests.event_logs() for `trail` in account ACCOUNT, region REGION,
    written now. Returns the bucket's name."""
    bucket = f"{prefix}-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    layout = digests.Layout(ACCOUNT, trail, REGION)
    for key, body in digests.event_logs(layout, REGION, datetime.now(timezone.utc)).items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    return bucket
