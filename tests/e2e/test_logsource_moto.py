"""countevents and securityevents with --source=s3 ([logsource], issue 19):
the trail's own log files in moto's S3, counted by the binary and,
independently, by this test in Python (tests/e2e/logsource.py).

One moto (IAM authentication on) and one fake_cloudtrail.py for the
module. The fixture (logsource.build) is written once:

- bucket A, standard layout `AWSLogs/ACCOUNT/CloudTrail/REGION/...` for
  eu-west-1 and us-east-1: routine management, data (S3 GetObject,
  PutObject, DeleteObject, Lambda Invoke) and network activity events
  spread over the last 5.5 hours, one record of every CIS category
  securityevents counts (and near misses) 20-40 minutes ago in
  eu-west-1, Insights under CloudTrail-Insight/, old events in old files
  and in a late file of today, a digest under CloudTrail-Digest/, and a
  second account's folder in the same bucket (must not count);
- bucket B, organization layout `AWSLogs/o-ID/ACCOUNT/...`, the same
  kind of records, with a member account's folder beside it.

Every event lies at least 3 minutes from a whole quarter hour of age, so
a --delta that is a multiple of 15 cuts nowhere near one (the binary's
now is a few seconds after the test's).

Asserted:
- countevents --source=s3: the status line equals the one the Python
  count gives, for each event category (--event-category, any case;
  --insight), several --delta, filters (upstream's pair, ours, and the
  derived-field filters --username and --resource-type as the record
  says them), --regions (one count per region), --trail-name (the bucket
  from DescribeTrails), the organization layout;
- securityevents --source=s3: every CIS category found, with the counts
  of the Python rules (cis.rs written again), near misses left out;
- incremental (a state directory): a second run after a new log file
  arrived GETs that file alone and counts old and new events (GETs
  counted by a forwarding proxy in front of moto);
- the same management records served as LookupEvents by
  fake_cloudtrail.py --events give the same status line and, but for the
  user column of identities that are not IAM users (LookupEvents derives
  Username; README names the difference), the same --verbose lines
  through --source=api and --source=s3, for every filter but the derived
  ones (--username, --resource-type, --resource-name); past 50 events
  (--verbose lists 50 and "… and N more") the same lines in the same
  order, newest first.

Who may do what in moto:
  e2e-ls-writer   s3:* (makes the buckets, writes the files)
  e2e-ls-monitor  the README's IAM for --source=s3: s3:ListBucket,
                  s3:GetObject, s3:GetBucketLocation (cloudtrail:
                  DescribeTrails is the fake's, which checks no IAM)

"""

import gzip
import http.client
import json
import re
import threading
import uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

import botocore.exceptions
import pytest

import digests
import logsource
from logsource import Filters
from conftest import ACCOUNT, FakeCloudTrail, Keys, MotoServer, botocore_client, policy

REGIONS = ("eu-west-1", "us-east-1")
REGION = REGIONS[0]
OTHER_ACCOUNT = "210987654321"
ORG_ID = "o-e2elogsrc1"
TRAIL = "logsrc"
TRAIL_ARN = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{TRAIL}"
BOOTSTRAP_CALLS = 6  # two users, three calls each
IAM_USERS = {"alice", "bob", "carol", "mallory"}


class World:
    pass


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("logsource")
    server = MotoServer(tmp, {"INITIAL_NO_AUTH_ACTION_COUNT": str(BOOTSTRAP_CALLS), "TZ": "UTC"})
    fake = None
    try:
        iam = botocore_client("iam", server.url, "AKIAIOSFODNN7EXAMPLE", "bootstrap-secret")

        def user(name, *actions):
            iam.create_user(UserName=name)
            k = iam.create_access_key(UserName=name)["AccessKey"]
            iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy(*actions))
            return Keys(k["AccessKeyId"], k["SecretAccessKey"])

        writer = user("e2e-ls-writer", "s3:*")
        monitor = user("e2e-ls-monitor", "s3:ListBucket", "s3:GetObject", "s3:GetBucketLocation")
        with pytest.raises(botocore.exceptions.ClientError, match="InvalidClientTokenId"):
            iam.list_users()  # IAM authentication is on from here

        w = World()
        w.moto, w.monitor, w.writer = server, monitor, writer
        w.now = datetime.now(timezone.utc).replace(microsecond=0)
        # Buckets in us-east-1: no location constraint to give.
        s3 = botocore_client("s3", server.url, writer.access_key, writer.secret_key,
                             region="us-east-1")
        w.s3 = s3
        suffix = uuid.uuid4().hex[:6]
        # A: standard layout, another account's folder beside ours.
        w.std = digests.Layout(ACCOUNT, TRAIL, REGION)
        w.fx = logsource.build(f"e2e-ls-std-{suffix}", w.std, REGIONS, w.now,
                               extra_layouts=[digests.Layout(OTHER_ACCOUNT, TRAIL, REGION)])
        w.fx.write(s3)
        key, body = logsource.digest_decoy(w.std, REGION, w.now)
        s3.put_object(Bucket=w.fx.bucket, Key=key, Body=body)
        # B: organization layout, a member account beside ours.
        w.org = digests.Layout(ACCOUNT, TRAIL, REGION, org_id=ORG_ID)
        w.ofx = logsource.build(f"e2e-ls-org-{suffix}", w.org, REGIONS, w.now, seed=23,
                                per_region=120,
                                extra_layouts=[digests.Layout(OTHER_ACCOUNT, TRAIL, REGION,
                                                              org_id=ORG_ID)])
        w.ofx.write(s3)
        # The fake: LookupEvents from bucket A's eu-west-1 records of our
        # account (management and Insights; it keeps the category asked),
        # DescribeTrails from the integrity file.
        events = tmp / "events.json"
        events.write_text(json.dumps(list(w.fx.records(ACCOUNT, REGION))))
        integrity = tmp / "integrity.json"
        integrity.write_text(json.dumps({"trails": [{
            "Name": TRAIL, "TrailARN": TRAIL_ARN, "HomeRegion": REGION,
            "S3BucketName": w.fx.bucket, "IsMultiRegionTrail": True,
            "IsOrganizationTrail": False, "LogFileValidationEnabled": False,
            "IncludeGlobalServiceEvents": True, "HasCustomEventSelectors": True,
            "HasInsightSelectors": True}]}))
        fake = FakeCloudTrail(tmp, page_size=50, events=events, integrity=integrity)
        w.fake = fake
        yield w
    finally:
        if fake is not None:
            fake.stop()
        server.stop()


def count_line(n, state="OK"):
    return f"{state}: Number of events: {n:.2f} | 'events_count'={n:.2f};;;0;"


def s3_args(w, *extra, bucket=None, org=False, region=REGION):
    where = [f"--s3-bucket={bucket or (w.ofx.bucket if org else w.fx.bucket)}",
             f"--account-id={ACCOUNT}"]
    if org:
        where.append(f"--organization-id={ORG_ID}")
    return ["--source=s3", *where, f"--s3-endpoint-url={w.moto.url}",
            f"--endpoint-url={w.fake.url}", f"--region={region}", "--timeout=30",
            "--disable-statefile", *w.monitor.args(), *extra]


def api_args(w, *extra):
    return ["--source=api", f"--endpoint-url={w.fake.url}", f"--region={REGION}",
            "--timeout=30", "--disable-statefile", "--api-rate=0", "--max-pages=250",
            "--aws-access-key=AKIDEXAMPLE", "--aws-secret-key=e2e/secret+key", *extra]


def records(w, org=False, region=REGION, account=ACCOUNT):
    fx = w.ofx if org else w.fx
    return list(fx.records(account, region))


# --------------------------------------------------------------------------
# The fixture itself (runs without --source)


def test_fixture_is_what_the_monitor_can_read(world):
    """The monitor's IAM lists and reads every log file; each is gzip of
    {"Records": [...]} under the documented keys; the Python count sees
    every category in the window."""
    s3 = botocore_client("s3", world.moto.url, world.monitor.access_key,
                         world.monitor.secret_key, region=REGION)
    pat = re.compile(rf"AWSLogs/(?:{ORG_ID}/)?(\d{{12}})/CloudTrail(?:-Insight)?/({'|'.join(REGIONS)})/"
                     r"(\d{4}/\d{2}/\d{2})/\1_CloudTrail(?:-Insight)?_\2_(\d{8}T\d{4}Z)_\w+\.json\.gz")
    for fx in (world.fx, world.ofx):
        listed = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=fx.bucket) for o in page.get("Contents", [])]
        logs = [k for k in listed if "/CloudTrail-Digest/" not in k]
        assert sorted(logs) == sorted(f.key for f in fx.files)
        for f in fx.files:
            m = pat.fullmatch(f.key)
            assert m, f.key
            day = m.group(3).replace("/", "")
            assert m.group(4).startswith(day), f.key
        one = fx.files[0]
        body = s3.get_object(Bucket=fx.bucket, Key=one.key)["Body"].read()
        assert json.loads(gzip.decompress(body))["Records"] == one.records
    recs = records(world)
    for cat in logsource.CATEGORIES:
        assert logsource.count(recs, world.now, 60, cat) > 0, cat
    assert logsource.count(recs, world.now, 600, "Management") > \
        logsource.count(recs, world.now, 360, "Management")
    assert set(logsource.cis_count(recs, world.now, 60)) == set(world.fx.cis)


def lookup(world, **body):
    now = int(datetime.now(timezone.utc).timestamp())
    ct = botocore_client("cloudtrail", world.fake.url, "AKIDEXAMPLE", "secret", region=REGION)
    params = {"StartTime": datetime.fromtimestamp(now - 3600, timezone.utc),
              "EndTime": datetime.fromtimestamp(now, timezone.utc)}
    params.update(body)
    out = []
    for page in ct.get_paginator("lookup_events").paginate(**params):
        out += page["Events"]
    return out


@pytest.mark.parametrize("filters, attr", [
    (Filters(), None),
    (Filters(event_name="ConsoleLogin"), ("EventName", "ConsoleLogin")),
    (Filters(username="alice"), ("Username", "alice")),
    (Filters(read_only="true"), ("ReadOnly", "true")),
], ids=["all", "event-name", "username", "read-only"])
def test_fake_lookup_serves_the_counted_records(world, filters, attr):
    """fake_cloudtrail.py --events, read with botocore: the Python count
    of management events in the last hour, by lookup attribute."""
    extra = {"LookupAttributes": [{"AttributeKey": attr[0], "AttributeValue": attr[1]}]} \
        if attr else {}
    got = lookup(world, **extra)
    want = logsource.count(records(world), world.now, 60, "Management", filters)
    assert len(got) == want and want > 0
    assert len({e["EventId"] for e in got}) == len(got)
    insights = lookup(world, EventCategory="insight")
    assert len(insights) == logsource.count(records(world), world.now, 60, "Insight") > 0


# --------------------------------------------------------------------------
# countevents --source=s3 against the Python count

# (id, --delta, category option (None: none given), Filters, layout)
COUNT_CASES = [
    ("management-60", 60, "--event-category=Management", Filters(), "std"),
    ("management-default", 60, None, Filters(), "std"),
    ("management-240", 240, "--event-category=management", Filters(), "std"),
    ("data-180", 180, "--event-category=Data", Filters(), "std"),
    ("data-getobject", 180, "--event-category=DATA", Filters(event_name="GetObject"), "std"),
    ("data-denied", 240, "--event-category=Data", Filters(error_code="AccessDenied"), "std"),
    ("data-lambda", 240, "--event-category=Data",
     Filters(event_source="lambda.amazonaws.com"), "std"),
    ("data-resource-type", 120, "--event-category=Data",
     Filters(resource_type="AWS::S3::Object"), "std"),
    ("network-240", 240, "--event-category=NetworkActivity", Filters(), "std"),
    ("network-denied", 240, "--event-category=networkactivity",
     Filters(error_code="VpceAccessDenied"), "std"),
    ("insight", 60, "--event-category=Insight", Filters(), "std"),
    ("insight-flag", 60, "--insight", Filters(), "std"),
    ("type-or-message", 120, "--event-category=Management",
     Filters(event_type="AwsConsoleSignIn", error_message="not authorized"), "std"),
    ("exclude-self", 180, "--event-category=Management", Filters(exclude_self=True), "std"),
    ("read-only-false", 180, "--event-category=Management", Filters(read_only="false"), "std"),
    ("filter-event-name", 180, "--event-category=Management",
     Filters(filter_event_name="^(Describe|Get)"), "std"),
    ("username-iam-user", 180, "--event-category=Management", Filters(username="alice"), "std"),
    ("org-management", 180, "--event-category=Management", Filters(), "org"),
    ("org-data", 180, "--event-category=Data", Filters(), "org"),
]


@pytest.mark.parametrize("case", COUNT_CASES, ids=[c[0] for c in COUNT_CASES])
def test_count_s3_equals_python(plugin, world, case):
    _, delta, category, filters, layout = case
    org = layout == "org"
    cat = "Management"
    if category == "--insight":
        cat = "Insight"
    elif category:
        cat = category.split("=", 1)[1]
    want = logsource.count(records(world, org=org), world.now, delta, cat, filters)
    assert want > 0, "a case that counts nothing proves little"
    run = plugin("--mode=countevents", f"--delta={delta}",
                 *s3_args(world, *([category] if category else []), *filters.args(), org=org))
    assert (run.line, run.rc) == (count_line(want), 0), str(run)


def test_count_regions(plugin, world):
    """--regions: each region's folder read and counted on its own."""
    delta = 180
    run = plugin("--mode=countevents", f"--delta={delta}", "--event-category=Data",
                 *[a for a in s3_args(world) if not a.startswith(("--region=", "--endpoint-url="))],
                 f"--regions={','.join(REGIONS)}")
    assert run.rc == 0, str(run)
    perf = dict(re.findall(r"'([\w-]+)~events_count'=([\d.]+)", run.stdout))
    want = {r: logsource.count(records(world, region=r), world.now, delta, "Data")
            for r in REGIONS}
    assert {r: float(v) for r, v in perf.items()} == want, str(run)


def test_count_trail_name_finds_the_bucket(plugin, world):
    """--trail-name without --s3-bucket: the bucket from DescribeTrails,
    the account from the trail's ARN."""
    delta = 120
    args = [a for a in s3_args(world) if not a.startswith(("--s3-bucket=", "--account-id="))]
    run = plugin("--mode=countevents", f"--delta={delta}", f"--trail-name={TRAIL_ARN}",
                 "--event-category=Management", *args)
    want = logsource.count(records(world), world.now, delta, "Management")
    assert (run.line, run.rc) == (count_line(want), 0), str(run)


def test_count_thresholds(plugin, world):
    delta = 60
    want = logsource.count(records(world), world.now, delta, "Management")
    run = plugin("--mode=countevents", f"--delta={delta}", "--event-category=Management",
                 f"--warning-count={want - 1}", f"--critical-count={want + 5}", *s3_args(world))
    assert (run.line, run.rc) == (
        f"WARNING: Number of events: {want:.2f} | 'events_count'={want:.2f};0:{want - 1};"
        f"0:{want + 5};0;", 1), str(run)


def test_api_source_refuses_data_categories(plugin, world):
    """On the api source only Management and Insight are possible."""
    for cat in ("Data", "NetworkActivity"):
        run = plugin("--mode=countevents", f"--event-category={cat}", *api_args(world))
        assert run.rc == 3 and run.line.startswith("UNKNOWN: ") and cat.lower() in \
            run.line.lower(), str(run)
    run = plugin("--mode=countevents", "--event-category=Management", "--insight",
                 *s3_args(world))
    assert run.rc == 3 and run.line.startswith("UNKNOWN: "), str(run)


# --------------------------------------------------------------------------
# securityevents --source=s3


def test_securityevents_s3_finds_every_cis_category(plugin, world):
    delta = 60
    run = plugin("--mode=securityevents", f"--delta={delta}", "--verbose", *s3_args(world))
    want = logsource.cis_count(records(world), world.now, delta)
    assert set(want) == set(world.fx.cis)  # all fifteen, from the CIS set
    perf = {k: int(float(v)) for k, v in re.findall(r"'(\w+)'=([\d.]+)", run.stdout)}
    assert {k: v for k, v in perf.items() if v} == want, str(run)
    assert run.rc == 2 and run.line.startswith("CRITICAL: "), str(run)
    labels = [ln.split(" ")[1] for ln in run.stdout.split("\n")[1:] if ln.strip()]
    assert sorted(labels) == sorted(k for k, n in want.items() for _ in range(n)), str(run)


# --------------------------------------------------------------------------
# The same events through --source=api and --source=s3


def masked(stdout, user=2):
    """The --verbose lines, sorted, the user column (`user`: its index)
    kept only for IAM users (LookupEvents' derived Username differs for
    the others)."""
    out = []
    for ln in stdout.split("\n")[1:]:
        if not ln.strip():
            continue
        f = ln.split(" ")
        if len(f) > user and f[user] not in IAM_USERS:
            f[user] = "*"
        out.append(" ".join(f))
    return sorted(out)


SAME_CASES = [
    ("all", 60, Filters()),
    ("all-45", 45, Filters()),
    ("event-type", 180, Filters(event_type="AwsConsoleSignIn")),
    ("error-message", 180, Filters(error_message="authorized|Denied")),
    ("type-or-message", 180, Filters(event_type="AwsServiceEvent", error_message="Failed")),
    ("event-name", 180, Filters(event_name="RunInstances")),
    ("event-source", 180, Filters(event_source="iam.amazonaws.com")),
    ("error-code", 180, Filters(error_code="Client.UnauthorizedOperation")),
    ("filter-event-name", 120, Filters(filter_event_name="Policy|Login")),
    ("read-only", 120, Filters(read_only="false")),
    ("access-key-id", 60, Filters(access_key_id="ASIAE2ESESSION000001")),
    ("exclude-self", 120, Filters(exclude_self=True)),
    ("two-attributes", 180, Filters(event_source="ec2.amazonaws.com", read_only="true")),
]


@pytest.mark.parametrize("case", SAME_CASES, ids=[c[0] for c in SAME_CASES])
def test_api_and_s3_give_the_same_lines(plugin, world, case):
    _, delta, filters = case
    want = logsource.count(records(world), world.now, delta, "Management", filters)
    assert 0 < want <= 50, want  # every event listed under --verbose
    common = ["--mode=countevents", f"--delta={delta}", "--verbose", *filters.args()]
    api = plugin(*common, *api_args(world))
    s3 = plugin(*common, "--event-category=Management", *s3_args(world))
    assert (api.line, api.rc) == (count_line(want), 0), str(api)
    assert (s3.line, s3.rc) == (api.line, api.rc), f"{api}\n{s3}"
    assert masked(s3.stdout) == masked(api.stdout), f"{api}\n{s3}"


def masked_in_order(stdout, user=2):
    """The --verbose lines in the order printed, the user column masked
    as in masked()."""
    out = []
    for ln in stdout.split("\n")[1:]:
        f = ln.split(" ")
        if len(f) > user and f[user] not in IAM_USERS:
            f[user] = "*"
        out.append(" ".join(f))
    return out


def test_api_and_s3_list_the_same_events_in_the_same_order(plugin, world):
    """countevents --verbose: newest first, at most 50, then '… and N
    more': the same lines in the same order through both sources, also
    when the window holds more than 50."""
    delta = 180
    want = logsource.count(records(world), world.now, delta, "Management")
    assert want > 50, want
    common = ["--mode=countevents", f"--delta={delta}", "--verbose"]
    api = plugin(*common, *api_args(world))
    s3 = plugin(*common, "--event-category=Management", *s3_args(world))
    assert (api.line, api.rc) == (count_line(want), 0), str(api)
    assert f"… and {want - 50} more" in api.stdout, str(api)
    assert masked_in_order(s3.stdout) == masked_in_order(api.stdout), f"{api}\n{s3}"


def test_api_and_s3_same_insights(plugin, world):
    api = plugin("--mode=countevents", "--insight", "--verbose", *api_args(world))
    s3 = plugin("--mode=countevents", "--insight", "--verbose", *s3_args(world))
    want = logsource.count(records(world), world.now, 60, "Insight")
    assert (api.line, s3.line) == (count_line(want), count_line(want)), f"{api}\n{s3}"
    assert masked(s3.stdout) == masked(api.stdout), f"{api}\n{s3}"


def test_api_and_s3_same_securityevents(plugin, world):
    common = ["--mode=securityevents", "--delta=60", "--verbose"]
    api = plugin(*common, *api_args(world))
    s3 = plugin(*common, *s3_args(world))
    assert api.rc == 2 and (s3.line, s3.rc) == (api.line, api.rc), f"{api}\n{s3}"
    assert masked(s3.stdout, 3) == masked(api.stdout, 3), f"{api}\n{s3}"


def test_cases_are_meaningful(world):
    """Every case above counts something, and the api/s3 cases stay
    within the 50 events --verbose lists (so the lines compare whole)."""
    for name, delta, category, filters, layout in COUNT_CASES:
        cat = "Insight" if category == "--insight" else (category or "=Management").split("=")[1]
        n = logsource.count(records(world, org=layout == "org"), world.now, delta, cat, filters)
        assert n > 0, name
    for name, delta, filters in SAME_CASES:
        n = logsource.count(records(world), world.now, delta, "Management", filters)
        assert 0 < n <= 50, (name, n)


# --------------------------------------------------------------------------
# Incremental reads: count the GETs


class Forwarder:
    """A loopback HTTP forwarder to moto that records (method, path) of
    every request; the Host header goes through unchanged, so moto
    checks the signature the binary made for this address."""

    def __init__(self, target):
        self.requests = []
        self.lock = threading.Lock()
        host, port = urlsplit(target).hostname, urlsplit(target).port
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _any(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else None
                with outer.lock:
                    outer.requests.append((self.command, self.path))
                c = http.client.HTTPConnection(host, port, timeout=30)
                try:
                    c.request(self.command, self.path, body=body, headers=dict(self.headers))
                    r = c.getresponse()
                    data = r.read()
                finally:
                    c.close()
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection",
                                         "server", "date"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_HEAD = do_PUT = do_POST = _any  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    def take(self):
        with self.lock:
            out, self.requests = self.requests, []
        return out

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def object_gets(requests, bucket):
    """The keys of the GetObject requests (a path with a key, no query)."""
    out = []
    for method, path in requests:
        u = urlsplit(path)
        parts = unquote(u.path).lstrip("/").split("/", 1)
        if method == "GET" and len(parts) == 2 and parts[0] == bucket and parts[1]:
            out.append(parts[1])
    return out


def test_incremental_reads_only_new_files(plugin, world, tmp_path):
    """With a state directory the second run GETs only the log file
    delivered since the first, and still counts every event."""
    fwd = Forwarder(world.moto.url)
    try:
        bucket = f"e2e-ls-inc-{uuid.uuid4().hex[:6]}"
        fx = logsource.build(bucket, world.std, (REGION,), world.now, seed=31, per_region=80)
        fx.write(world.s3)
        state = f"--statefile-dir={tmp_path}"
        args = [a for a in s3_args(world, bucket=bucket, region=REGION)
                if not a.startswith(("--s3-endpoint-url=", "--disable-statefile"))]
        args += [f"--s3-endpoint-url={fwd.url}", state, "--event-category=Management",
                 "--delta=60", "--mode=countevents"]
        recs = list(fx.records(ACCOUNT, REGION))
        first = plugin(*args)
        assert (first.line, first.rc) == (
            count_line(logsource.count(recs, world.now, 60, "Management")), 0), str(first)
        read = object_gets(fwd.take(), bucket)
        assert read and all("/CloudTrail/" in k for k in read), read
        assert len(read) == len(set(read)), read  # each file once
        # A new file: three management events of the last minute.
        now = datetime.now(timezone.utc).replace(microsecond=0)
        new = []
        for i in range(3):
            r = dict(recs[i], eventID=str(uuid.uuid4()), eventCategory="Management",
                     eventTime=logsource.iso(now - timedelta(seconds=30 + i)))
            new.append(r)
        key = world.std.log_key(REGION, now, "zzzzzzzzzzzzzzzz")
        world.s3.put_object(Bucket=bucket, Key=key, Body=logsource.LogFile(key, new, REGION).body())
        second = plugin(*args)
        # The events of the last minute count: the window ends at the
        # run's now (the fixture's events are minutes from its edges).
        want = logsource.count(recs + new, now + timedelta(seconds=1), 60, "Management")
        assert (second.line, second.rc) == (count_line(want), 0), str(second)
        assert object_gets(fwd.take(), bucket) == [key]
    finally:
        fwd.stop()
