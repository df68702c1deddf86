"""Bounded memory, whatever the input: every hostile answer or local file
below ends as one UNKNOWN line with a peak RSS under 64 MB.

Each run goes through a tiny Python wrapper in a fresh process, which
prints its child's peak RSS (``RUSAGE_CHILDREN.ru_maxrss``), so the peak
is that of one case. The server is a loopback one of this file's own.
"""

import json
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import PLUGIN, base_env, plugin_path

LIMIT_KB = 64 * 1024
MB = 1 << 20

# Runs argv, then prints the largest RSS among its children (KB on Linux)
# and the child's stdout.
WRAPPER = """
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.stdout.write(r.stdout.decode("utf-8", "replace"))
sys.exit(r.returncode)
"""


def measured(*args, env=None):
    argv = [str(plugin_path()), PLUGIN, "--disable-statefile", *args]
    child_env = base_env()
    child_env.update(env or {})
    proc = subprocess.run([sys.executable, "-c", WRAPPER, *argv], env=child_env,
                          capture_output=True, timeout=180, check=False)
    rss, _, stdout = proc.stdout.decode().partition("\n")
    print(f"peak RSS {rss} KB: {stdout[:90]!r}")
    return int(rss), stdout, proc.returncode


def tiny_events(n):
    """`n` events of 24 bytes each."""
    return b'{"Events":[' + b",".join([b'{"CloudTrailEvent":"{}"}'] * n) + b"]"


class Answers(BaseHTTPRequestHandler):
    """Answers every POST with `self.server.answer(body)`: (status, bytes)."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *_):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        status, payload = self.server.answer(json.loads(body or b"{}"))
        self.send_response(status)
        self.send_header("content-type", "application/x-amz-json-1.1")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Answers)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def endpoint_args(srv, *extra):
    return ["--region=eu-west-1", "--aws-access-key=AK", "--aws-secret-key=SK",
            f"--endpoint-url=http://127.0.0.1:{srv.server_address[1]}/", *extra]


def page_with_token(events_bytes):
    """A page whose NextToken always leads to another."""
    count = {"n": 0}

    def answer(_):
        count["n"] += 1
        return 200, events_bytes + f',"NextToken":"t{count["n"]}"}}'.encode()
    return answer


# (name, answer(request) -> (status, body), UNKNOWN line prefix)
HOSTILE_ANSWERS = [
    ("15 MB page of tiny events",
     lambda _: (200, tiny_events(600_000) + b"}"),
     "UNKNOWN: LookupEvents failed: unexpected response: more than 50 events in one page"),
    ("chained pages of tiny events",
     page_with_token(tiny_events(600_000)),
     "UNKNOWN: LookupEvents failed: unexpected response: more than 50 events in one page"),
    ("chained full pages of 300 KB events",
     page_with_token(b'{"Events":[' + b",".join(
         [json.dumps({"CloudTrailEvent": json.dumps({"errorMessage": "x" * 300_000})}).encode()] * 50) + b"]"),
     "UNKNOWN: LookupEvents failed: unexpected response: the events read hold more than 16 MiB"),
    ("huge error body",
     lambda _: (400, b'{"__type":"X","message":"' + b"m" * (15 * MB) + b'"}'),
     "UNKNOWN: LookupEvents failed: X: m"),
    ("huge non-JSON success body",
     lambda _: (200, b"<html>" + b"x" * (15 * MB)),
     "UNKNOWN: LookupEvents failed: unexpected response: HTTP 200 body is not JSON"),
    ("error body of many tiny values",
     lambda _: (400, b"[" + b"1," * (7 * MB) + b"1]"),
     "UNKNOWN: LookupEvents failed: HTTP 400"),
    ("deep nested JSON",
     lambda _: (200, b'{"Events":[' + b"[" * (4 * MB) + b"]" * (4 * MB) + b"]}"),
     "UNKNOWN: LookupEvents failed: unexpected response: HTTP 200 body is not JSON (recursion limit"),
    ("one event of many tiny values",
     lambda _: (200, b'{"Events":[{"x":[' + b"1," * (7 * MB) + b"1]}]}"),
     "UNKNOWN: LookupEvents failed: unexpected response: more than 100000 JSON values"),
    ("a record of many tiny values",
     lambda _: (200, b'{"Events":[{"CloudTrailEvent":"[' + b"1," * (7 * MB) + b'1]"}]}'),
     "UNKNOWN: LookupEvents failed: unexpected response: event #1: CloudTrailEvent is not JSON "
     "(more than 100000 JSON values)"),
]


@pytest.mark.parametrize("name,answer,line", HOSTILE_ANSWERS, ids=[c[0] for c in HOSTILE_ANSWERS])
def test_hostile_answers_stay_under_64_mb(server, name, answer, line):
    server.answer = answer
    rss, stdout, rc = measured(*endpoint_args(server, "--mode=countevents", "--timeout=60", "--max-pages=100",
                                              "--api-rate=100"))
    assert rc == 3 and stdout.startswith(line), (name, stdout[:400])
    assert rss < LIMIT_KB, f"{name}: peak RSS {rss} KB"


def big_file(directory, name, size):
    """A sparse file of `size` bytes (zeros): costs no disk."""
    path = f"{directory}/{name}"
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def script(directory, name, text):
    path = f"{directory}/{name}"
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + text)
    subprocess.run(["chmod", "+x", path], check=True)
    return path


def test_hostile_local_files_stay_under_64_mb(server):
    server.answer = lambda _: (200, b'{"IsLogging": true}')
    status = ["--region=eu-west-1", f"--endpoint-url=http://127.0.0.1:{server.server_address[1]}/",
              "--mode=checktrailstatus", "--trail-name=t", "--timeout=60"]
    with tempfile.TemporaryDirectory() as d:
        huge = big_file(d, "huge", 300 * MB)
        flood_out = script(d, "flood_out", "head -c 300000000 /dev/zero\n")
        flood_err = script(d, "flood_err", "head -c 300000000 /dev/zero >&2\nexit 1\n")
        cases = [
            ("huge CA bundle", [f"--ca-bundle={huge}"], {},
             f"UNKNOWN: --ca-bundle '{huge}': cannot read it: larger than 1 MiB"),
            ("huge config file", [], {"AWS_CONFIG_FILE": huge},
             f"UNKNOWN: cannot get AWS credentials: cannot read {huge}: larger than 1 MiB"),
            ("huge web identity token", [], {"AWS_WEB_IDENTITY_TOKEN_FILE": huge,
                                             "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/R"},
             "UNKNOWN: cannot get AWS credentials:"),
            ("huge credential_process stdout", [], {"AWS_CONFIG_FILE": big_config(d, flood_out)},
             "UNKNOWN: cannot get AWS credentials: profile 'default' credential_process: printed more than 1 MiB"),
            ("huge credential_process stderr", [], {"AWS_CONFIG_FILE": big_config(d, flood_err)},
             "UNKNOWN: cannot get AWS credentials: profile 'default' credential_process exited with code 1"),
        ]
        for name, args, env, line in cases:
            # Keys on the command line only where the credentials are not the case.
            keys = ["--aws-access-key=AK", "--aws-secret-key=SK"] if args else []
            rss, stdout, rc = measured(*status, *keys, *args, env=env)
            assert rc == 3 and stdout.startswith(line), (name, stdout[:400])
            assert rss < LIMIT_KB, f"{name}: peak RSS {rss} KB"


def big_config(directory, command):
    path = f"{directory}/config-{abs(hash(command))}"
    with open(path, "w") as f:
        f.write(f"[default]\ncredential_process = {command}\n")
    return path


def test_the_aws_cli_path_is_bounded_too(tmp_path):
    page = tmp_path / "page.json"
    page.write_bytes(tiny_events(600_000) + b"}")
    fake = script(str(tmp_path), "aws", f"cat '{page}'\n")
    rss, stdout, rc = measured("--custommode=awscli", f"--command-path={tmp_path}", "--command=aws",
                               "--region=eu-west-1", "--aws-access-key=AK", "--aws-secret-key=SK",
                               "--mode=countevents", "--timeout=60")
    assert fake
    assert rc == 3 and stdout.startswith(
        "UNKNOWN: LookupEvents failed: unexpected response: more than 50 events in one page"), stdout[:400]
    assert rss < LIMIT_KB, f"peak RSS {rss} KB"
    flood = script(str(tmp_path), "aws", "head -c 300000000 /dev/zero\n")
    rss, stdout, rc = measured("--custommode=awscli", f"--command-path={tmp_path}", "--command=aws",
                               "--region=eu-west-1", "--aws-access-key=AK", "--aws-secret-key=SK",
                               "--mode=countevents", "--timeout=60")
    assert flood
    assert rc == 3 and stdout.startswith(
        "UNKNOWN: LookupEvents failed: the aws CLI printed more than 16 MiB on stdout"), stdout[:400]
    assert rss < LIMIT_KB, f"peak RSS {rss} KB"
