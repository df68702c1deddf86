"""Fixtures for the end-to-end tests of check_cloudtrail.

Servers (moto, fake_cloudtrail.py, an in-process capture server) listen
on 127.0.0.1 only, on ports picked at run time, and are stopped in the
fixtures' teardown. Every subprocess has a timeout. The binary runs with a
minimal environment: no AWS_* variables, no proxies, no profile files.

Run through scripts/e2e.sh, which sets CHECK_CLOUDTRAIL_BIN.
"""

import json
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import botocore.exceptions
import botocore.session
import pytest
from botocore.config import Config

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PLUGIN = "--plugin=cloud::aws::cloudtrail::plugin"
ACCOUNT = "123456789012"  # moto's default account
REGION = "eu-west-1"
SERVER_START_TIMEOUT = 30.0
PLUGIN_TIMEOUT = 30.0
# The venv's bin directory: the real aws CLI (awscli from PyPI) is there.
VENV_BIN = Path(sys.executable).parent


# --------------------------------------------------------------------------
# Running the binary


def plugin_path():
    raw = os.environ.get("CHECK_CLOUDTRAIL_BIN") or str(ROOT / "target/debug/check_cloudtrail")
    return Path(raw)


# An empty home for every child, made once per session (_child_home):
# nothing reads the caller's ~/.aws, and the aws CLI's credential cache
# (~/.aws/cli/cache, keyed by role ARN) cannot hand a new moto the
# temporary keys of an old one.
CHILD_HOME = None


def base_env():
    """The environment every child gets: nothing AWS, no proxies."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if CHILD_HOME is not None:
        env["HOME"] = str(CHILD_HOME)
    elif "HOME" in os.environ:
        env["HOME"] = os.environ["HOME"]
    return env


@pytest.fixture(scope="session", autouse=True)
def _child_home(tmp_path_factory):
    global CHILD_HOME
    CHILD_HOME = tmp_path_factory.mktemp("home")
    yield CHILD_HOME
    CHILD_HOME = None


@dataclass
class Run:
    argv: list
    stdout: str
    stderr: str
    rc: int
    seconds: float

    @property
    def line(self):
        """The first line of stdout, without its newline."""
        return self.stdout.split("\n", 1)[0]

    def __str__(self):
        return (
            f"argv={self.argv!r}\nrc={self.rc} ({self.seconds:.2f}s)\n"
            f"stdout={self.stdout!r}\nstderr={self.stderr!r}"
        )


def run_plugin(*args, env=None, timeout=PLUGIN_TIMEOUT):
    """Runs check_cloudtrail with `args` (the --plugin option is added, and a
    state directory of its own unless the test gives one: runs never share
    state by accident)."""
    argv = [str(plugin_path()), PLUGIN, *args]
    if not any(str(a).startswith(("--statefile-dir", "--disable-statefile")) for a in args):
        argv.append("--statefile-dir=" + tempfile.mkdtemp(prefix="ct-e2e-state-"))
    child_env = base_env()
    child_env.update(env or {})
    t0 = time.monotonic()
    proc = subprocess.run(
        argv,
        env=child_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    return Run(
        argv=argv,
        stdout=proc.stdout.decode("utf-8", "replace"),
        stderr=proc.stderr.decode("utf-8", "replace"),
        rc=proc.returncode,
        seconds=time.monotonic() - t0,
    )


@pytest.fixture(scope="session")
def plugin():
    """check_cloudtrail, checked once: a missing binary fails, never skips."""
    p = plugin_path()
    if not (p.is_file() and os.access(p, os.X_OK)):
        pytest.fail(f"no executable check_cloudtrail at {p} (run scripts/e2e.sh)", pytrace=False)
    return run_plugin


# --------------------------------------------------------------------------
# Servers run as subprocesses


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent():
    """In the child before exec: get SIGTERM when pytest dies, so that a
    killed run (scripts/e2e.sh's timeout) leaves no server behind."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort, Linux only
        pass


def stop_process(proc, grace=5.0):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=grace)


def tail(path, n=40):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "<no log>"


def wait_http(url, proc, log, timeout=SERVER_START_TIMEOUT):
    """Polls `url` until it answers; fails if `proc` dies or time runs out."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False, f"exited with {proc.returncode}:\n{tail(log)}"
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                r.read()
                return True, ""
        except urllib.error.HTTPError:
            return True, ""  # it answered, which is all we wait for
        except OSError as e:
            last = e
        time.sleep(0.1)
    return False, f"no answer within {timeout}s ({last}):\n{tail(log)}"


class MotoServer:
    """`python -m moto.server` on a free loopback port."""

    def __init__(self, log_dir, env_extra=None, attempts=3):
        self.proc = None
        errors = []
        for attempt in range(attempts):
            port = free_port()
            log = Path(log_dir) / f"moto-{port}.log"
            env = base_env()
            env.update(env_extra or {})
            with open(log, "wb") as fh:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=fh,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_die_with_parent,
                )
            ok, why = wait_http(f"http://127.0.0.1:{port}/moto-api/", proc, log)
            if ok:
                self.proc, self.port, self.log = proc, port, log
                self.url = f"http://127.0.0.1:{port}"
                return
            stop_process(proc)
            errors.append(f"attempt {attempt + 1} on port {port}: {why}")
        raise RuntimeError("moto server did not start:\n" + "\n".join(errors))

    def stop(self):
        if self.proc is not None:
            stop_process(self.proc)


class FakeCloudTrail:
    """tests/e2e/fake_cloudtrail.py on a port it binds itself; over https
    with `tls=(cert_pem, key_pem)`; `repeat` times the ten events;
    ListPublicKeys and DescribeTrails from the JSON file `integrity`;
    LookupEvents from the CloudTrail records of the JSON file `events`."""

    def __init__(self, log_dir, page_size=4, repeat=1, tls=None, integrity=None, events=None):
        self.log = Path(log_dir) / f"fake-cloudtrail-{uuid.uuid4().hex[:8]}.log"
        argv = [sys.executable, str(HERE / "fake_cloudtrail.py"), "--port", "0",
                "--page-size", str(page_size), "--repeat", str(repeat)]
        if tls:
            argv += ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])]
        if integrity:
            argv += ["--integrity", str(integrity)]
        if events:
            argv += ["--events", str(events)]
        with open(self.log, "wb") as err:
            self.proc = subprocess.Popen(
                argv,
                env=base_env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=err,
                preexec_fn=_die_with_parent,
            )
        line = self._first_line(SERVER_START_TIMEOUT)
        m = re.fullmatch(r"fake_cloudtrail listening on ((https?)://127\.0\.0\.1:(\d+))", line)
        if not m:
            stop_process(self.proc)
            raise RuntimeError(f"fake_cloudtrail did not start: {line!r}\n{tail(self.log)}")
        self.url, self.scheme, self.port = m.group(1), m.group(2), int(m.group(3))

    def _first_line(self, timeout):
        box = []
        reader = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        return box[0].decode().strip() if box else ""

    def requests(self):
        # The test's own look at the log: no need to verify its certificate.
        ctx = ssl._create_unverified_context() if self.scheme == "https" else None
        with urllib.request.urlopen(self.url + "/_requests", timeout=5, context=ctx) as r:
            return json.load(r)

    def stop(self):
        stop_process(self.proc)
        if self.proc.stdout:
            self.proc.stdout.close()


@pytest.fixture
def fake_cloudtrail(tmp_path):
    fake = FakeCloudTrail(tmp_path)
    yield fake
    fake.stop()


# --------------------------------------------------------------------------
# moto with IAM authentication


def botocore_client(service, url, access_key, secret_key, token=None, region=REGION):
    session = botocore.session.Session()
    return session.create_client(
        service,
        region_name=region,
        endpoint_url=url,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        aws_session_token=token,
        config=Config(
            retries={"max_attempts": 1, "mode": "standard"},
            connect_timeout=5,
            read_timeout=15,
            s3={"addressing_style": "path"},
        ),
    )


def policy(*actions):
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
    })


@dataclass
class Keys:
    access_key: str
    secret_key: str
    token: str = None

    def args(self):
        a = [f"--aws-access-key={self.access_key}", f"--aws-secret-key={self.secret_key}"]
        if self.token is not None:
            a.append(f"--aws-session-token={self.token}")
        return a


@dataclass
class MotoIam:
    """moto with IAM auth on, and who may do what in it."""

    url: str
    user: Keys  # may do cloudtrail:*, s3:*, sts:AssumeRole
    noperm: Keys  # a user with no policy at all
    role_arn: str  # may do cloudtrail:GetTrailStatus; trusts `user` and `assumer`
    bucket: str
    assumer: Keys = None  # may do sts:AssumeRole and nothing else
    other: Keys = None  # another user with no policy (e2e-other)
    noperm_role_arn: str = None  # a role with no policy; trusts `user` and `assumer`
    trails: list = field(default_factory=list)

    @contextmanager
    def unauthenticated(self, requests=1):
        """moto serves the next `requests` calls without checking who sent
        them, then checks again. For STS AssumeRoleWithWebIdentity, which
        is unsigned by design and which moto's IAM check cannot handle
        (it wants an Authorization header); the credentials it hands out
        are checked as usual afterwards."""

        def reset(count):
            # text/plain: as a form, Flask would swallow the body.
            req = urllib.request.Request(self.url + "/moto-api/reset-auth", data=str(count).encode(),
                                         headers={"Content-Type": "text/plain"}, method="POST")
            with urllib.request.urlopen(req, timeout=5) as r:
                r.read()

        reset(requests)
        try:
            yield
        finally:
            reset(0)

    def client(self, service, keys=None, region=REGION):
        k = keys or self.user
        return botocore_client(service, self.url, k.access_key, k.secret_key, k.token, region)

    def new_trail(self, logging):
        """A fresh trail (so tests do not share state); its name and ARN."""
        name = f"e2e-{uuid.uuid4().hex[:12]}"
        ct = self.client("cloudtrail")
        arn = ct.create_trail(Name=name, S3BucketName=self.bucket)["TrailARN"]
        if logging:
            ct.start_logging(Name=name)
        assert ct.get_trail_status(Name=name)["IsLogging"] is logging
        self.trails.append(name)
        return name, arn


# The requests moto serves without authentication before IAM auth turns
# on (INITIAL_NO_AUTH_ACTION_COUNT): exactly the bootstrap calls below.
BOOTSTRAP_CALLS = 13


@pytest.fixture(scope="session")
def moto_iam(tmp_path_factory):
    log_dir = tmp_path_factory.mktemp("moto")
    server = MotoServer(log_dir, {"INITIAL_NO_AUTH_ACTION_COUNT": str(BOOTSTRAP_CALLS)})
    try:
        anon = Keys("AKIAIOSFODNN7EXAMPLE", "bootstrap-secret")
        iam = botocore_client("iam", server.url, anon.access_key, anon.secret_key)
        # 1-3: a user allowed CloudTrail, S3 (for the trail's bucket) and
        # AssumeRole (for temporary credentials).
        iam.create_user(UserName="e2e-user")
        k = iam.create_access_key(UserName="e2e-user")["AccessKey"]
        iam.put_user_policy(
            UserName="e2e-user",
            PolicyName="cloudtrail",
            PolicyDocument=policy("cloudtrail:*", "s3:*", "sts:AssumeRole"),
        )
        # 4-5: a role the user may assume, allowed GetTrailStatus only.
        trust = json.dumps({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:user/e2e-user",
                                      f"arn:aws:iam::{ACCOUNT}:user/e2e-assumer"]},
                "Action": "sts:AssumeRole",
            }],
        })
        role_arn = iam.create_role(RoleName="e2e-reader", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        iam.put_role_policy(
            RoleName="e2e-reader",
            PolicyName="trail-status",
            PolicyDocument=policy("cloudtrail:GetTrailStatus"),
        )
        # 6-7: a user with keys and no policy.
        iam.create_user(UserName="e2e-noperm")
        n = iam.create_access_key(UserName="e2e-noperm")["AccessKey"]
        # 8-10: a user who may assume roles and do nothing else, so that a
        # CloudTrail call that works proves the role's credentials were used.
        iam.create_user(UserName="e2e-assumer")
        a = iam.create_access_key(UserName="e2e-assumer")["AccessKey"]
        iam.put_user_policy(
            UserName="e2e-assumer",
            PolicyName="assume",
            PolicyDocument=policy("sts:AssumeRole"),
        )
        # 11: a role with no policy: moto's AccessDenied names the session
        # (arn:aws:sts::…:assumed-role/e2e-noperm-role/<session name>).
        noperm_role_arn = iam.create_role(RoleName="e2e-noperm-role",
                                          AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        # 12-13: one more user with no policy, to tell sources apart by the
        # identity moto names in its AccessDenied.
        iam.create_user(UserName="e2e-other")
        o = iam.create_access_key(UserName="e2e-other")["AccessKey"]

        # From here on moto checks every signature.
        try:
            iam.list_users()
        except botocore.exceptions.ClientError as e:
            assert e.response["Error"]["Code"] == "InvalidClientTokenId", e.response
        else:
            raise AssertionError(
                "moto served a request from unknown keys: IAM authentication is not on"
            )

        env = MotoIam(
            url=server.url,
            user=Keys(k["AccessKeyId"], k["SecretAccessKey"]),
            noperm=Keys(n["AccessKeyId"], n["SecretAccessKey"]),
            role_arn=role_arn,
            bucket=f"e2e-trail-logs-{uuid.uuid4().hex[:8]}",
            assumer=Keys(a["AccessKeyId"], a["SecretAccessKey"]),
            other=Keys(o["AccessKeyId"], o["SecretAccessKey"]),
            noperm_role_arn=noperm_role_arn,
        )
        env.client("s3").create_bucket(
            Bucket=env.bucket,
            CreateBucketConfiguration={"LocationConstraint": REGION},
        )
        yield env
    finally:
        server.stop()


# --------------------------------------------------------------------------
# In-process capture server for the signer's differential test


@dataclass
class Captured:
    method: str
    path: str
    headers: list  # [(name, value)] as received, in order
    body: bytes
    time: float

    def header(self, name):
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        assert len(values) <= 1, f"header {name} sent {len(values)} times: {values}"
        return values[0] if values else None


class CaptureServer:
    """Records every request and answers like CloudTrail: GetTrailStatus ->
    `trail_status` (default {"IsLogging": true}), LookupEvents -> the next of `pages` (then
    {"Events": []}). Anything else gets a JSON 400."""

    TARGET_PREFIX = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."

    def __init__(self):
        self.requests = []
        self.pages = []
        self.trail_status = {"IsLogging": True}
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _reply(self, status, payload):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                req = Captured(self.command, self.path, list(self.headers.items()), body, time.time())
                with outer.lock:
                    outer.requests.append(req)
                    target = self.headers.get("X-Amz-Target") or ""
                    if target == outer.TARGET_PREFIX + "GetTrailStatus":
                        reply = outer.trail_status
                    elif target == outer.TARGET_PREFIX + "LookupEvents":
                        reply = outer.pages.pop(0) if outer.pages else {"Events": []}
                    else:
                        reply = None
                if reply is None:
                    self._reply(400, {"__type": "UnknownOperationException", "message": target})
                else:
                    self._reply(200, reply)

            do_POST = do_GET = do_PUT = _any  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                       daemon=True)
        self.thread.start()

    def take(self):
        with self.lock:
            out, self.requests = self.requests, []
        return out

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def capture():
    server = CaptureServer()
    yield server
    server.stop()


# --------------------------------------------------------------------------
# TLS: a throwaway CA (trustme) and server certificates it signed


# The names the fake CloudTrail's certificate is good for: the loopback
# address, its name, and the name only the test proxy resolves.
PROXIED_HOST = "fake-cloudtrail.invalid"
PROXIED_MOTO_HOST = "moto.invalid"


@dataclass
class TlsFiles:
    ca: Path  # PEM of the CA that signed `cert`
    other_ca: Path  # PEM of a CA that signed nothing used here
    cert: Path  # leaf + chain for 127.0.0.1, localhost, PROXIED_HOST
    key: Path
    wrong_name_cert: Path  # signed by `ca`, for another name only
    wrong_name_key: Path


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    import trustme

    d = tmp_path_factory.mktemp("tls")
    ca, other = trustme.CA(), trustme.CA()
    ca.cert_pem.write_to_path(str(d / "ca.pem"))
    other.cert_pem.write_to_path(str(d / "other-ca.pem"))

    def issue(names, stem):
        leaf = ca.issue_cert(*names)
        leaf.private_key_pem.write_to_path(str(d / f"{stem}.key"))
        with open(d / f"{stem}.pem", "wb") as fh:
            for blob in leaf.cert_chain_pems:
                fh.write(blob.bytes())
        return d / f"{stem}.pem", d / f"{stem}.key"

    cert, key = issue(["127.0.0.1", "localhost", PROXIED_HOST], "server")
    wrong_cert, wrong_key = issue(["somewhere-else.invalid"], "wrong-name")
    return TlsFiles(d / "ca.pem", d / "other-ca.pem", cert, key, wrong_cert, wrong_key)


@pytest.fixture
def tls_cloudtrail(tmp_path, tls_files):
    """fake_cloudtrail.py over https, with a certificate of `tls_files.ca`."""
    fake = FakeCloudTrail(tmp_path, tls=(tls_files.cert, tls_files.key))
    yield fake
    fake.stop()


# --------------------------------------------------------------------------
# A real forwarding proxy: proxy.py from PyPI


class ProxyServer:
    """proxy.py on a free loopback port, optionally with Basic auth. Its
    plugin (tests/e2e/e2e_proxy_plugin.py) sends the `.invalid` names the
    tests use to 127.0.0.1 (so only a request that went through the proxy
    can reach them) and notes every upstream connection it opens."""

    def __init__(self, log_dir, basic_auth=None):
        tag = uuid.uuid4().hex[:8]
        d = Path(log_dir)
        self.seen_file = d / f"proxy-{tag}-seen.log"
        self.seen_file.touch()
        self.log = d / f"proxy-{tag}.log"
        port_file = d / f"proxy-{tag}.port"
        home = d / f"proxy-{tag}-home"  # proxy.py may write under ~/.proxy
        home.mkdir()
        argv = [sys.executable, "-m", "proxy", "--hostname", "127.0.0.1", "--port", "0",
                "--port-file", str(port_file), "--num-acceptors", "1", "--num-workers", "1",
                "--plugins", "e2e_proxy_plugin.MapTestHosts", "--log-file", str(self.log)]
        if basic_auth:
            argv += ["--basic-auth", basic_auth]
        env = base_env()
        env.update({"HOME": str(home), "PYTHONPATH": str(HERE),
                    "E2E_PROXY_SEEN": str(self.seen_file)})
        with open(d / f"proxy-{tag}.out", "wb") as out:
            self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"proxy.py exited with {self.proc.returncode}:\n{tail(self.log)}")
            text = port_file.read_text().strip() if port_file.exists() else ""
            if text.isdigit():
                self.port = int(text)
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    break
                except OSError:
                    pass
            if time.monotonic() > deadline:
                stop_process(self.proc)
                raise RuntimeError(f"proxy.py did not start:\n{tail(self.log)}")
            time.sleep(0.05)

    def url(self, userinfo=None):
        return f"http://{userinfo + '@' if userinfo else ''}127.0.0.1:{self.port}"

    def seen(self):
        """Every upstream connection so far: ["CONNECT host:port", …]."""
        return self.seen_file.read_text().splitlines()

    def forget(self):
        self.seen_file.write_text("")

    def stop(self):
        stop_process(self.proc)


PROXY_USER, PROXY_PASSWORD = "e2e", "p@ss"


@pytest.fixture(scope="session")
def proxy_server(tmp_path_factory):
    """proxy.py without authentication."""
    p = ProxyServer(tmp_path_factory.mktemp("proxy"))
    yield p
    p.stop()


@pytest.fixture(scope="session")
def auth_proxy_server(tmp_path_factory):
    """proxy.py that wants Basic e2e:p@ss (407 otherwise)."""
    p = ProxyServer(tmp_path_factory.mktemp("auth-proxy"), basic_auth=f"{PROXY_USER}:{PROXY_PASSWORD}")
    yield p
    p.stop()


@pytest.fixture
def proxy(proxy_server):
    proxy_server.forget()
    return proxy_server


@pytest.fixture
def auth_proxy(auth_proxy_server):
    auth_proxy_server.forget()
    return auth_proxy_server


# --------------------------------------------------------------------------
# The aws CLI


@pytest.fixture(scope="session")
def aws_cli():
    """The real aws CLI v1 of the venv (awscli from PyPI)."""
    cli = VENV_BIN / "aws"
    if not (cli.is_file() and os.access(cli, os.X_OK)):
        pytest.fail(f"no aws CLI at {cli} (scripts/e2e.sh installs awscli)", pytrace=False)
    return cli
