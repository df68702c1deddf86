"""[scale] against moto (IAM auth on): two consecutive --aws-role-arn runs
sharing a state directory make exactly one AssumeRole request in total.

The requests are counted at a small counting reverse proxy in front of
moto's STS (on 127.0.0.1): it forwards every request unchanged, so moto
still checks each signature.
"""

import http.server
import threading
import urllib.parse
import urllib.request

import pytest

from test_credentials_moto import OK_LINE, assert_run, status_args


class Counting(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        action = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
        with self.server.lock:
            self.server.actions.append(action)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        # The signed Host: the binary signed the proxy's address, so the
        # request goes on with that same Host header.
        headers["Host"] = self.headers["Host"]
        req = urllib.request.Request(self.server.upstream + self.path, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                status, data, ctype = r.status, r.read(), r.headers.get("Content-Type", "text/xml")
        except urllib.error.HTTPError as e:
            status, data, ctype = e.code, e.read(), e.headers.get("Content-Type", "text/xml")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def counting_sts(moto_iam):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    srv.upstream = moto_iam.url
    srv.actions = []
    srv.lock = threading.Lock()
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def trail(moto_iam):
    name, _ = moto_iam.new_trail(logging=True)
    return name


def test_two_role_runs_assume_once(plugin, moto_iam, trail, counting_sts, tmp_path):
    host, port = counting_sts.server_address[:2]
    role = [f"--aws-role-arn={moto_iam.role_arn}", f"--sts-endpoint-url=http://{host}:{port}",
            f"--statefile-dir={tmp_path}"]
    for _ in range(2):
        run = plugin(*moto_iam.assumer.args(), *status_args(moto_iam, trail, *role))
        assert_run(run, OK_LINE, 0)
    assert counting_sts.actions == ["AssumeRole"], counting_sts.actions
    # Without the state directory, every run assumes again.
    for _ in range(2):
        run = plugin(*moto_iam.assumer.args(),
                     *status_args(moto_iam, trail, *role[:2], "--disable-statefile"))
        assert_run(run, OK_LINE, 0)
    assert counting_sts.actions == ["AssumeRole"] * 3, counting_sts.actions
