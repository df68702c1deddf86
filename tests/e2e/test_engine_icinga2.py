"""check_cloudtrail under a real Icinga 2: the shipped contrib/icinga2
files, unchanged, in a daemon of the test's own.

Icinga 2 (Debian's icinga2-bin and icinga2-common, installed with apt when
missing: a failure, never a skip, if that is impossible) runs in the
foreground as root (RunAsUser/RunAsGroup defined) with every directory
under tmp_path, `include <itl>`, the API on 127.0.0.1 on a free port (a
self-signed certificate from `icinga2 pki new-cert`, an ApiUser), and
includes contrib/icinga2/check_cloudtrail.conf and cloudtrail-services.conf
as they are. Hosts point at a moto of this module's own (IAM auth on), at
fake_cloudtrail.py, at an in-process LookupEvents server whose events the
test changes, and at a socket that accepts and never answers.

Active checks are off for the whole engine (enable_service_checks = false)
so nothing runs behind the test's back; every check is forced through
POST /v1/actions/reschedule-check and read back from /v1/objects/services,
then compared with the plugin run directly with the argv the engine
executed (`last_check_result.command`): state, output, perfdata metric by
metric.
"""

import base64
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import (ACCOUNT, FakeCloudTrail, Keys, MotoServer, ROOT, _die_with_parent, base_env,
                      botocore_client, free_port, plugin_path, policy, tail)
from engines import (DATA_EVENTS, INTEGRITY_EDITED, INTEGRITY_VALID, POSTURE_CRITICAL, POSTURE_CRITICAL_LINE,
                     POSTURE_OK, POSTURE_OK_LINE, integrity_metrics, make_posture_buckets, write_event_logs,
                     write_signed_trails)

CONTRIB = ROOT / "contrib/icinga2"
SHIPPED = [CONTRIB / "check_cloudtrail.conf", CONTRIB / "cloudtrail-services.conf"]
PACKAGES = ["icinga2-bin", "icinga2-common"]
START_TIMEOUT = 60.0
CHECK_DEADLINE = 45.0
API_USER = "e2e"
NODE = "e2e-node"
REGION = "eu-west-1"
STOPPED_REGION = "us-west-2"
# The never-answering endpoint: the plugin's --timeout below the engine's
# check_timeout (its line wins), and the other way round (the engine kills).
PLUGIN_TIMEOUT, ENGINE_TIMEOUT = 4, 12
KILLED_PLUGIN_TIMEOUT, KILLED_ENGINE_TIMEOUT = 30, 3


# --------------------------------------------------------------------------
# Icinga 2 itself


def icinga2_binary():
    """The icinga2 CLI, installed from Debian when missing. Only the binary
    and its common files: the `icinga2` package would add the service. A
    policy-rc.d (when none exists) stops the postinst from starting the
    system daemon icinga2-bin ships a unit for."""
    found = shutil.which("icinga2")
    if found:
        return found
    if os.geteuid() != 0:
        pytest.fail("icinga2 is not installed and installing it needs root "
                    f"(apt-get install {' '.join(PACKAGES)})", pytrace=False)
    policy_rc = Path("/usr/sbin/policy-rc.d")
    ours = not policy_rc.exists()
    if ours:
        policy_rc.write_text("#!/bin/sh\n# check_cloudtrail e2e: no daemon starts during the install\nexit 101\n")
        policy_rc.chmod(0o755)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        for argv in (["apt-get", "update", "-qq"],
                     ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES]):
            proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600, check=False)
            if proc.returncode != 0:
                pytest.fail(f"{argv!r} exited {proc.returncode}:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}",
                            pytrace=False)
    finally:
        if ours:
            policy_rc.unlink()
    found = shutil.which("icinga2")
    if not found:
        pytest.fail(f"{' '.join(PACKAGES)} installed but no icinga2 on PATH", pytrace=False)
    return found


class Icinga2:
    """One daemon's directories, defines and API."""

    def __init__(self, binary, root):
        self.binary, self.root = binary, Path(root)
        dirs = {"DataDir": "lib", "LogDir": "log", "CacheDir": "cache", "SpoolDir": "spool",
                "InitRunDir": "run"}
        self.defines = [f"--define=ConfigDir={self.root}"]
        for const, sub in dirs.items():
            (self.root / sub).mkdir(parents=True, exist_ok=True)
            self.defines.append(f"--define={const}={self.root / sub}")
        # As root, without dropping to the nagios user: the files are ours.
        self.defines += ["--define=RunAsUser=root", "--define=RunAsGroup=root"]
        self.port = None
        # For every check the daemon runs (its environment is theirs).
        self.env_extra = {}
        self.password = uuid.uuid4().hex
        self.proc = None
        self.log = self.root / "daemon.log"

    def run(self, *args, timeout=120):
        return subprocess.run([self.binary, *args, *self.defines], env=base_env(), capture_output=True,
                              text=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL)

    def validate(self, config):
        return self.run("daemon", "-C", "-c", str(config))

    def certificate(self):
        certs = self.root / "lib/certs"
        certs.mkdir(parents=True, exist_ok=True)
        key, crt = certs / f"{NODE}.key", certs / f"{NODE}.crt"
        r = self.run("pki", "new-cert", "--cn", NODE, "--key", str(key), "--cert", str(crt))
        assert r.returncode == 0 and crt.is_file(), f"pki new-cert: {r.stdout}{r.stderr}"
        shutil.copy(crt, certs / "ca.crt")  # self-signed: its own CA

    def start(self, config):
        with open(self.log, "wb") as fh:
            # A process group of its own: the daemon forks a worker, which
            # stop() ends with it.
            self.proc = subprocess.Popen([self.binary, "daemon", "-c", str(config), *self.defines],
                                         env={**base_env(), **self.env_extra}, stdin=subprocess.DEVNULL, stdout=fh,
                                         stderr=subprocess.STDOUT, preexec_fn=_die_with_parent,
                                         start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"icinga2 exited with {self.proc.returncode}:\n{tail(self.log)}")
            try:
                self.api("GET", "/v1/status/IcingaApplication")
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.2)
        raise RuntimeError(f"the Icinga 2 API did not answer within {START_TIMEOUT}s:\n{tail(self.log)}")

    def api(self, method, path, body=None):
        # The test's own look at its own daemon: no need to verify its
        # self-signed certificate.
        ctx = ssl._create_unverified_context()
        auth = base64.b64encode(f"{API_USER}:{self.password}".encode()).decode()
        req = urllib.request.Request(f"https://127.0.0.1:{self.port}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Basic {auth}", "Accept": "application/json",
                                              "X-HTTP-Method-Override": method})
        with urllib.request.urlopen(req, timeout=10, context=ctx) as r:
            return json.load(r)

    def services(self):
        out = self.api("GET", "/v1/objects/services")
        return {r["name"]: r["attrs"] for r in out["results"]}

    def force(self, *names):
        """Forces a check of each service now; returns when the engine has
        a result newer than the request for every one, by CHECK_DEADLINE."""
        t0 = time.time()
        for name in names:
            self.api("POST", "/v1/actions/reschedule-check",
                     {"type": "Service", "filter": "service.__name == name",
                      "filter_vars": {"name": name}, "force": True, "next_check": t0})
        deadline = time.monotonic() + CHECK_DEADLINE
        while True:
            svcs = self.services()
            fresh = {n: svcs[n] for n in names
                     if (svcs[n].get("last_check_result") or {}).get("execution_start", 0) >= t0}
            if len(fresh) == len(names):
                return fresh
            if time.monotonic() > deadline:
                missing = sorted(set(names) - set(fresh))
                pytest.fail(f"no check result within {CHECK_DEADLINE}s for {missing}:\n{tail(self.log)}",
                            pytrace=False)
            time.sleep(0.25)

    def stop(self):
        if self.proc is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=10)
                break
            except subprocess.TimeoutExpired:
                continue
        # The worker may outlive the umbrella process by a moment.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        os.killpg(self.proc.pid, signal.SIGKILL)


# --------------------------------------------------------------------------
# Endpoints


class EventsServer:
    """LookupEvents answering `events` (mutable, each a minute old when added);
    GetTrailStatus: a logging trail. For securityevents' alert-once."""

    def __init__(self):
        self.events = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                op = (self.headers.get("X-Amz-Target") or "").rsplit(".", 1)[-1]
                if op == "LookupEvents":
                    status, reply = 200, {"Events": outer.events}
                elif op == "GetTrailStatus":
                    status, reply = 200, {"IsLogging": True}
                else:
                    status, reply = 400, {"__type": "UnknownOperationException", "message": op}
                body = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    def add_root_usage(self):
        """One new event of CIS 4.3 (root used: CRITICAL by default)."""
        eid = str(uuid.uuid4())
        record = {"eventVersion": "1.08", "eventID": eid, "eventType": "AwsApiCall",
                  "eventName": "ListBuckets", "eventSource": "s3.amazonaws.com", "awsRegion": REGION,
                  "sourceIPAddress": "198.51.100.4",
                  "userIdentity": {"type": "Root", "arn": "arn:aws:iam::123456789012:root"}}
        self.events.append({"EventId": eid, "EventName": "ListBuckets", "ReadOnly": "true",
                            "EventTime": time.time() - 60, "CloudTrailEvent": json.dumps(record)})

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class SilentServer:
    """Accepts connections and never answers a byte."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.held = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def stop(self):
        self.closed = True
        self.sock.close()
        for c in self.held:
            c.close()


def own_moto(log_dir, integrity_file):
    """A moto of this module's own (the session's has other tests' trails,
    which --all-trails would see): IAM auth on after creating one user;
    a logging trail in REGION, a stopped one in STOPPED_REGION; two
    signed chains in buckets of their own (write_signed_trails), their
    trails and key in `integrity_file` for the fake; the two log buckets
    of make_posture_buckets and the log files of write_event_logs (no
    trail: --all-trails would see it)."""
    server = MotoServer(log_dir, {"INITIAL_NO_AUTH_ACTION_COUNT": "3"})
    iam = botocore_client("iam", server.url, "AKIAIOSFODNN7EXAMPLE", "bootstrap")
    iam.create_user(UserName="icinga")
    k = iam.create_access_key(UserName="icinga")["AccessKey"]
    iam.put_user_policy(UserName="icinga", PolicyName="all",
                        PolicyDocument=policy("cloudtrail:*", "s3:*"))
    keys = Keys(k["AccessKeyId"], k["SecretAccessKey"])
    bucket = f"icinga-{uuid.uuid4().hex[:8]}"
    botocore_client("s3", server.url, keys.access_key, keys.secret_key).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    for name, region, logging in (("icinga-main", REGION, True), ("icinga-stopped", STOPPED_REGION, False)):
        ct = botocore_client("cloudtrail", server.url, keys.access_key, keys.secret_key, region=region)
        ct.create_trail(Name=name, S3BucketName=bucket)
        if logging:
            ct.start_logging(Name=name)
    s3 = botocore_client("s3", server.url, keys.access_key, keys.secret_key, region=REGION)
    signed = write_signed_trails(s3, integrity_file, REGION, "icinga-li")
    posture = make_posture_buckets(s3, "icinga-bp")
    data = write_event_logs(s3, "icinga-data", "icinga-data")
    return server, keys, signed, posture, data


# --------------------------------------------------------------------------
# The configuration


def q(s):
    """An Icinga 2 string literal."""
    return json.dumps(str(s))


def host(name, endpoint, keys, state_dir, **more):
    lines = [f"object Host {q(name)} {{", '\tcheck_command = "dummy"',
             f"\tvars.cloudtrail_endpoint_url = {q(endpoint)}",
             f"\tvars.cloudtrail_access_key = {q(keys.access_key)}",
             f"\tvars.cloudtrail_secret_key = {q(keys.secret_key)}",
             f"\tvars.cloudtrail_statefile_dir = {q(state_dir / name)}"]
    lines += [f"\tvars.{k} = {v}" for k, v in more.items()]
    return "\n".join(lines) + "\n}\n"


def service(host_name, name, mode, **more):
    lines = [f"object Service {q(name)} {{", f"\thost_name = {q(host_name)}", '\timport "cloudtrail"',
             f"\tvars.cloudtrail_mode = {q(mode)}"]
    lines += [f"\t{k} = {v}" for k, v in more.items()]
    return "\n".join(lines) + "\n}\n"


def main_config(d, api_port, plugin_dir, shipped, moto_url, keys, fake_url, events_url, silent_url, signed,
                posture, data_bucket):
    state = d / "state"
    bad = Keys(keys.access_key, "not-the-secret")
    region = f'[ {q(REGION)} ]'
    text = f"""
const PluginDir = {q(plugin_dir)}
const NodeName = {q(NODE)}
include <itl>
{chr(10).join(f'include {q(p)}' for p in shipped)}

// No check runs unless the test forces it (forced checks ignore this).
object IcingaApplication "app" {{
	enable_service_checks = false
	enable_host_checks = false
}}
object CheckerComponent "checker" {{ }}
object ApiListener "api" {{
	bind_host = "127.0.0.1"
	bind_port = {api_port}
}}
object ApiUser {q(API_USER)} {{
	password = {{{{PASSWORD}}}}
	permissions = [ "*" ]
}}
object Endpoint NodeName {{ }}
object Zone "master" {{ endpoints = [ NodeName ] }}

// The shipped apply rules: the trail modes on every trail of the region
// (moto has no LookupEvents: securityevents runs on "events" and "live").
{host("aws", moto_url, keys, state, cloudtrail_apply_regions=region,
      cloudtrail_modes='[ "checktrailstatus", "traildelivery", "trailsecurity", "listtrails" ]')}
// A stopped trail, by name: the trail status service is CRITICAL.
{host("aws-stopped", moto_url, keys, state, cloudtrail_apply_regions=f'[ {q(STOPPED_REGION)} ]',
      cloudtrail_apply_trail_name=q("icinga-stopped"),
      cloudtrail_modes='[ "checktrailstatus", "trailsecurity" ]')}
// A wrong secret (moto checks signatures): UNKNOWN.
{host("aws-badkeys", moto_url, bad, state, cloudtrail_apply_regions=region,
      cloudtrail_apply_trail_name=q("icinga-main"), cloudtrail_modes='[ "checktrailstatus", "traildelivery" ]')}
// securityevents (shipped alert-once rule) on a server the test feeds.
{host("live", events_url, keys, state, cloudtrail_apply_regions=region, cloudtrail_modes='[ "securityevents" ]')}
// countevents (the services below) and securityevents on fake_cloudtrail.py's
// ten events (none of them a security event).
{host("events", fake_url, keys, state, cloudtrail_region=q(REGION), cloudtrail_apply_trail_name=q("main"),
      cloudtrail_apply_regions=region, cloudtrail_modes='[ "checktrailstatus", "securityevents" ]')}
object Host "silent" {{
	check_command = "dummy"
	vars.cloudtrail_endpoint_url = {q(silent_url)}
	vars.cloudtrail_access_key = "AKIDEXAMPLE"
	vars.cloudtrail_secret_key = "secret"
	vars.cloudtrail_region = {q(REGION)}
	vars.cloudtrail_statefile_dir = {q(state / "silent")}
}}
// logintegrity on a trail that does not validate its log files: CRITICAL.
{service("aws", "logintegrity-off", "logintegrity",
         **{"vars.cloudtrail_trail_name": q("icinga-main"), "vars.cloudtrail_region": q(REGION)})}
// logintegrity on real signed chains: DescribeTrails and ListPublicKeys
// at the fake, the digests and log files in moto's S3.
{host("signed", fake_url, keys, state, cloudtrail_region=q(REGION), cloudtrail_s3_endpoint_url=q(moto_url))}
{service("signed", "logintegrity-valid", "logintegrity", **{"vars.cloudtrail_trail_name": q(signed.valid)})}
{service("signed", "logintegrity-edited", "logintegrity",
         **{"vars.cloudtrail_trail_name": q(signed.edited), "vars.cloudtrail_verbose": "true"})}
// bucketposture on two log buckets by --s3-bucket and --account-id, in
// moto's S3; the account's Block Public Access at moto's S3 Control
// (AWS_ENDPOINT_URL_S3_CONTROL in the daemon's environment).
{host("posture", moto_url, keys, state, cloudtrail_region=q(REGION), cloudtrail_s3_endpoint_url=q(moto_url),
      cloudtrail_account_id=q(ACCOUNT))}
{service("posture", "bucketposture-ok", "bucketposture", **{"vars.cloudtrail_s3_bucket": q(posture.ok)})}
{service("posture", "bucketposture-critical", "bucketposture",
         **{"vars.cloudtrail_s3_bucket": q(posture.critical), "vars.cloudtrail_verbose": "true"})}
// countevents --source=s3 --event-category=Data on log files in moto's S3,
// by --s3-bucket and --account-id: 3 data events in the hour > 2, WARNING.
{host("data", moto_url, keys, state, cloudtrail_region=q(REGION), cloudtrail_s3_endpoint_url=q(moto_url),
      cloudtrail_account_id=q(ACCOUNT))}
{service("data", "dataevents-s3", "countevents",
         **{"vars.cloudtrail_source": q("s3"), "vars.cloudtrail_event_category": q("Data"),
            "vars.cloudtrail_s3_bucket": q(data_bucket), "vars.cloudtrail_delta": 60,
            "vars.cloudtrail_warning_count": 2, "vars.cloudtrail_verbose": "true"})}
{service("events", "countevents-ok", "countevents")}
{service("events", "countevents-warning", "countevents", **{"vars.cloudtrail_warning_count": 5})}
{service("events", "countevents-critical", "countevents",
         **{"vars.cloudtrail_warning_count": 3, "vars.cloudtrail_critical_count": 5})}
{service("silent", "plugin-timeout", "countevents",
         **{"vars.cloudtrail_timeout": PLUGIN_TIMEOUT, "check_timeout": f"{ENGINE_TIMEOUT}s"})}
{service("silent", "engine-timeout", "countevents",
         **{"vars.cloudtrail_timeout": KILLED_PLUGIN_TIMEOUT, "check_timeout": f"{KILLED_ENGINE_TIMEOUT}s"})}
"""
    return text


# --------------------------------------------------------------------------
# Fixtures


class Engine:
    pass


@pytest.fixture(scope="module")
def engine(plugin, tmp_path_factory):
    binary = icinga2_binary()
    d = tmp_path_factory.mktemp("icinga2")
    e = Engine()
    e.dir = d
    e.icinga = Icinga2(binary, d / "engine")
    e.icinga.certificate()
    integrity_file = d / "integrity.json"
    moto, keys, e.signed, e.posture, e.data_bucket = own_moto(d, integrity_file)
    e.icinga.env_extra = {"AWS_ENDPOINT_URL_S3_CONTROL": moto.url}
    fake = FakeCloudTrail(d, integrity=integrity_file)
    e.events, e.silent = EventsServer(), SilentServer()
    try:
        e.icinga.port = free_port()
        text = main_config(d, e.icinga.port, plugin_path().parent, SHIPPED, moto.url, keys, fake.url,
                           e.events.url, e.silent.url, e.signed, e.posture, e.data_bucket)
        e.config = d / "main.conf"
        e.config.write_text(text.replace("{{PASSWORD}}", q(e.icinga.password)))
        e.validation = e.icinga.validate(e.config)
        assert e.validation.returncode == 0, e.validation.stdout + e.validation.stderr
        e.icinga.start(e.config)
        names = sorted(e.icinga.services())
        # Every service once, all at the same time (the timeouts overlap).
        e.first = e.icinga.force(*names)
        yield e
    finally:
        e.icinga.stop()
        e.events.stop()
        e.silent.stop()
        fake.stop()
        moto.stop()


# --------------------------------------------------------------------------
# Comparing the engine with the plugin


PERF_RE = re.compile(r"""('(?:[^']|'')*'|[^'=\s][^=]*)=(\S*)""")
# One perfdata item in a `|` part: a label (quoted, '' for a quote) = data.
ITEM_RE = re.compile(r"(?:'(?:[^']|'')*'|[^'\s=]+)=\S*")


def perfdata(items):
    """label -> (value, unit, warn, crit, min, max) of perfdata items."""
    out = {}
    for item in items:
        m = PERF_RE.fullmatch(item.strip())
        assert m, f"perfdata item {item!r}"
        label = m.group(1)
        if label.startswith("'"):
            label = label[1:-1].replace("''", "'")
        fields = (m.group(2).split(";") + [""] * 5)[:5]
        vm = re.fullmatch(r"(-?[0-9.]+)(.*)", fields[0])
        assert vm, f"perfdata value {item!r}"
        assert label not in out, f"{label} twice"
        out[label] = (float(vm.group(1)), vm.group(2), *fields[1:])
    return out


def plugin_view(stdout):
    """(output, perfdata items) of a plugin's stdout as Icinga 2 2.13
    splits it (PluginUtility::ParseCheckOutput): the whole output trimmed
    (the space upstream-compatible lines end with goes), then on each line
    the text before the first `|` is output and the rest perfdata."""
    text, perf = [], []
    for line in stdout.strip().split("\n"):
        before, bar, after = line.partition("|")
        text.append(before)
        if bar:
            perf += ITEM_RE.findall(after)
    return "\n".join(text), perfdata(perf)


def run_like_engine(argv, tmp, env_extra):
    """The argv Icinga 2 executed, run directly with the daemon's extra
    environment; a fresh state directory (the engine's run already
    recorded the events it saw)."""
    argv = list(argv)
    if "--statefile-dir" in argv:
        i = argv.index("--statefile-dir")
        argv[i + 1] = str(tmp / uuid.uuid4().hex)
    proc = subprocess.run(argv, env={**base_env(), **env_extra}, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, check=False)
    return proc


EXPECTED = {
    # service -> (state, start of output)
    "aws!cloudtrail-checktrailstatus-eu-west-1": (0, "OK: All 1 trails are ok"),
    "aws!cloudtrail-listtrails-eu-west-1": (0, "List trails:"),
    "aws-stopped!cloudtrail-checktrailstatus-us-west-2": (2, "CRITICAL: Trail is logging: 0"),
    "aws-badkeys!cloudtrail-checktrailstatus-eu-west-1": (3, "UNKNOWN: GetTrailStatus failed: "),
    "events!countevents-ok": (0, "OK: Number of events: 10.00"),
    "events!countevents-warning": (1, "WARNING: Number of events: 10.00"),
    "events!countevents-critical": (2, "CRITICAL: Number of events: 10.00"),
    "events!cloudtrail-securityevents-eu-west-1": (0, "OK: "),
    "live!cloudtrail-securityevents-eu-west-1": (0, "OK: "),
    "silent!plugin-timeout": (3, "UNKNOWN: LookupEvents failed: timed out"),
    "aws!logintegrity-off": (2, "CRITICAL: log file validation is off on trail icinga-main"),
    "signed!logintegrity-valid": (0, "OK: digest files: 4 valid, 0 invalid, 0 missing - "
                                     "log files: 5 valid, 0 invalid, 0 missing - chain breaks: 0"),
    "signed!logintegrity-edited": (2, "CRITICAL: log files: 4 valid, 1 invalid, 0 missing"),
    "posture!bucketposture-ok": (0, "OK: Bucket icinga-bp-ok-"),
    "posture!bucketposture-critical": (2, "CRITICAL: Bucket icinga-bp-critical-"),
    "data!dataevents-s3": (1, f"WARNING: Number of events: {DATA_EVENTS}.00"),
}
MODES = {"checktrailstatus", "countevents", "securityevents", "traildelivery", "trailsecurity", "listtrails",
         "logintegrity", "bucketposture"}


def test_config_validates_and_a_broken_copy_does_not(engine):
    assert engine.validation.returncode == 0
    assert "Finished validating the configuration" in engine.validation.stdout
    # The shipped objects were really read: their services and dependencies.
    assert re.search(r"Instantiated \d+ Dependenc", engine.validation.stdout), engine.validation.stdout
    for original, breakage in (
        (SHIPPED[0], lambda t: t.replace('"--mode" = {', '"--mode" = {\n\t\t\tno_such_attribute = 1', 1)),
        (SHIPPED[1], lambda t: t.replace('parent_service_name =', 'parent_service_nam =', 1)),
    ):
        broken = engine.dir / f"broken-{original.name}"
        text = breakage(original.read_text())
        assert text != original.read_text()
        broken.write_text(text)
        config = engine.dir / f"main-broken-{original.name}"
        config.write_text(engine.config.read_text().replace(q(original), q(broken)))
        r = engine.icinga.validate(config)
        assert r.returncode != 0, r.stdout
        assert "critical/config" in r.stdout, r.stdout


def test_every_mode_and_state_ran(engine):
    first = engine.first
    modes = {a["vars"]["cloudtrail_mode"] for a in first.values()
             if isinstance(a.get("vars"), dict) and "cloudtrail_mode" in a["vars"]}
    # The mode var of a countevents-* service comes from its own object.
    assert MODES <= modes | {"countevents"}, modes
    for name, (state, start) in EXPECTED.items():
        cr = first[name]["last_check_result"]
        assert (cr["exit_status"], cr["state"]) == (state, state), (name, cr["output"])
        assert cr["output"].startswith(start), (name, cr["output"])
    assert {cr["last_check_result"]["state"] for cr in first.values()} >= {0, 1, 2, 3}
    # --all-trails: the shipped rule without a trail name.
    status = first["aws!cloudtrail-checktrailstatus-eu-west-1"]["last_check_result"]
    assert "--all-trails" in status["command"] and "--trail-name" not in status["command"]
    # The shipped timeout (60 s) is above the plugin's default (30 s).
    assert first["aws!cloudtrail-checktrailstatus-eu-west-1"]["check_timeout"] is None
    assert "--timeout" in status["command"]
    assert status["command"][status["command"].index("--timeout") + 1] == "30"


def test_engine_result_equals_the_plugin_run_directly(engine, tmp_path):
    skip = {"silent!engine-timeout"}  # the engine killed it: nothing of the plugin's to compare
    names = sorted(set(engine.first) - skip)
    with ThreadPoolExecutor(max_workers=8) as pool:
        direct = dict(zip(names, pool.map(
            lambda n: run_like_engine(engine.first[n]["last_check_result"]["command"], tmp_path,
                                      engine.icinga.env_extra), names)))
    done = time.time()
    compared = 0
    for name in names:
        cr = engine.first[name]["last_check_result"]
        proc = direct[name]
        assert cr["command"][0] == str(plugin_path()), cr["command"]
        output, perf = plugin_view(proc.stdout)
        assert (cr["exit_status"], cr["state"]) == (proc.returncode, proc.returncode), (name, proc.stdout)
        # Ages in seconds may move between the two runs: compare the rest.
        norm = lambda s: re.sub(r"\d+[hms]( \d+[ms])*( \d+s)? ago", "… ago", s)  # noqa: E731
        assert norm(cr["output"]) == norm(output), name
        engine_perf = perfdata(cr["performance_data"] or [])
        assert engine_perf.keys() == perf.keys(), name
        for label, (value, *rest) in perf.items():
            e_value, *e_rest = engine_perf[label]
            assert e_rest == rest, (name, label)
            if label.endswith("_age"):
                # Seconds since a delivery or a digest's end, read by the
                # engine and by the direct run up to `slack` seconds apart.
                slack = max(5, done - cr["execution_start"] + 1)
                assert abs(e_value - value) <= slack, (name, label, e_value, value, slack)
            else:
                assert e_value == value, (name, label)
        compared += 1
    assert compared == len(names) >= 12


def test_the_plugins_timeout_line_wins_over_the_engines_kill(engine):
    won = engine.first["silent!plugin-timeout"]["last_check_result"]
    assert won["state"] == 3
    assert f"--timeout of {PLUGIN_TIMEOUT}s ran out" in won["output"], won["output"]
    assert won["execution_end"] - won["execution_start"] < ENGINE_TIMEOUT
    # The other way round the engine kills the plugin and says only that.
    killed = engine.first["silent!engine-timeout"]["last_check_result"]
    assert killed["state"] == 3
    assert "ran out" not in killed["output"], killed["output"]
    assert re.search(r"timeout|terminated|killed", killed["output"], re.I), killed["output"]


def test_one_new_security_event_is_a_hard_alert_then_recovers(engine):
    name = "live!cloudtrail-securityevents-eu-west-1"
    attrs = engine.icinga.services()[name]
    assert (attrs["max_check_attempts"], attrs["volatile"]) == (1, True)
    assert engine.first[name]["last_check_result"]["state"] == 0
    engine.events.add_root_usage()
    alert = engine.icinga.force(name)[name]
    cr = alert["last_check_result"]
    assert (cr["state"], alert["state_type"]) == (2, 1), cr["output"]  # CRITICAL, HARD at once
    assert cr["output"].startswith("CRITICAL: root account uses: 1 new"), cr["output"]
    assert perfdata(cr["performance_data"])["root_account_usage_new"][0] == 1
    # The next run sees no new event: OK again (the event stays in the window).
    again = engine.icinga.force(name)[name]["last_check_result"]
    assert again["state"] == 0, again["output"]
    assert perfdata(again["performance_data"])["root_account_usage"][0] == 1


def hard(icinga, name):
    """Forces `name` until its state is HARD (the default 3 attempts)."""
    for _ in range(5):
        attrs = icinga.force(name)[name]
        if attrs["state_type"] == 1:
            return attrs
    pytest.fail(f"{name} never became HARD: {attrs}")


@pytest.mark.parametrize("host,child", [
    ("aws-stopped", "cloudtrail-trailsecurity-us-west-2"),
    ("aws-badkeys", "cloudtrail-traildelivery-eu-west-1"),
])
def test_a_failing_trail_status_holds_back_the_other_services(engine, host, child):
    region = child.rsplit("-", 3)[-3:]
    parent = f"{host}!cloudtrail-checktrailstatus-{'-'.join(region)}"
    p = hard(engine.icinga, parent)
    assert p["state"] in (2, 3), p["last_check_result"]["output"]
    c = engine.icinga.force(f"{host}!{child}")[f"{host}!{child}"]
    assert c["last_reachable"] is False, c
    deps = engine.icinga.api("GET", "/v1/objects/dependencies")["results"]
    mine = [x["attrs"] for x in deps if x["attrs"]["child_host_name"] == host
            and x["attrs"]["child_service_name"] == child]
    assert len(mine) == 1 and mine[0]["parent_service_name"] == parent.split("!")[1], mine
    assert mine[0]["disable_notifications"] is True
    # A host whose trail logs: the same child stays reachable.
    ok = engine.icinga.force("aws!cloudtrail-trailsecurity-eu-west-1")["aws!cloudtrail-trailsecurity-eu-west-1"]
    assert ok["last_reachable"] is True


def test_logintegrity_on_signed_chains(engine):
    """The shipped CheckCommand on real signed chains (digests.py, in
    moto's S3): the valid chain OK with every metric, the edited log file
    CRITICAL with logs_invalid=1, named in the --verbose output. (That the
    engine's record equals the plugin's own run, metric by metric, is
    test_engine_result_equals_the_plugin_run_directly's.)"""
    for name, counts in (("signed!logintegrity-valid", INTEGRITY_VALID),
                         ("signed!logintegrity-edited", INTEGRITY_EDITED)):
        cr = engine.first[name]["last_check_result"]
        perf = {k: v[0] for k, v in perfdata(cr["performance_data"]).items()}
        assert integrity_metrics(perf) == counts, (name, perf)
        assert 0 <= perf["digest_age"] < 600, (name, perf)
        assert perf.keys() == {*counts, "digest_age"}, (name, perf)
    edited = engine.first["signed!logintegrity-edited"]["last_check_result"]
    assert f"log file {engine.signed.edited_log} INVALID: hash value doesn't match" in edited["output"], edited
    assert "--verbose" in edited["command"] and "--s3-endpoint-url" in edited["command"], edited["command"]


def test_bucketposture_on_two_buckets(engine):
    """The shipped CheckCommand's --s3-bucket, --account-id and
    --s3-endpoint-url on a locked-down log bucket (OK) and one whose
    lifecycle expires AWSLogs/ after a day (CRITICAL, log_retention=1d),
    every metric. (That the engine's record equals the plugin's own run,
    metric by metric, is test_engine_result_equals_the_plugin_run_directly's.)"""
    for name, state, metrics, line, bucket in (
        ("posture!bucketposture-ok", 0, POSTURE_OK, POSTURE_OK_LINE, engine.posture.ok),
        ("posture!bucketposture-critical", 2, POSTURE_CRITICAL, POSTURE_CRITICAL_LINE, engine.posture.critical),
    ):
        cr = engine.first[name]["last_check_result"]
        assert (cr["exit_status"], cr["state"]) == (state, state), (name, cr["output"])
        # The space before the `|` stays on the first line (Icinga trims only the whole output's ends).
        assert cr["output"].split("\n")[0] == line.format(bucket) + " ", (name, cr["output"])
        perf = perfdata(cr["performance_data"])
        assert {k: v[0] for k, v in perf.items()} == {k: float(v) for k, v in metrics.items()}, (name, perf)
        for flag in (f"--s3-bucket={bucket}", f"--account-id={ACCOUNT}"):
            k, _, v = flag.partition("=")
            assert cr["command"][cr["command"].index(k) + 1] == v, cr["command"]
    crit = engine.first["posture!bucketposture-critical"]["last_check_result"]
    # The account level was read at moto (not configured there), not refused.
    assert ("bucket_public_access: Block Public Access not fully on (bucket or account): Block Public "
            "Access: bucket not configured, account not configured") in crit["output"], crit["output"]


def test_data_events_from_s3(engine):
    """The shipped CheckCommand's --source, --event-category, --s3-bucket,
    --account-id and --s3-endpoint-url: countevents on log files in moto's
    S3 holding 4 management and 3 data events in the hour (one of each two
    hours before) counts the 3 data events, WARNING over 2, --verbose
    listing them. (That the engine's record equals the plugin's own run,
    metric by metric, is test_engine_result_equals_the_plugin_run_directly's.)"""
    cr = engine.first["data!dataevents-s3"]["last_check_result"]
    assert (cr["exit_status"], cr["state"]) == (1, 1), cr["output"]
    perf = perfdata(cr["performance_data"])
    assert perf == {"events_count": (float(DATA_EVENTS), "", "0:2", "", "0", "")}, perf
    listed = cr["output"].split("\n")[1:]
    assert len(listed) == DATA_EVENTS and all(" GetObject " in x or " PutObject " in x for x in listed), cr["output"]
    for flag, value in (("--source", "s3"), ("--event-category", "Data"), ("--s3-bucket", engine.data_bucket),
                        ("--account-id", ACCOUNT), ("--delta", "60")):
        assert cr["command"][cr["command"].index(flag) + 1] == value, cr["command"]
