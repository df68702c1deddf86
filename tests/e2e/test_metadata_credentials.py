"""Container credentials and EC2 instance metadata (IMDSv2), the last
links of the chain, against a small metadata server on 127.0.0.1 that
hands out real temporary credentials from moto's STS (e2e-reader), which
moto then checks on GetTrailStatus. A CloudTrail call that works was
signed with what the metadata server gave.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import REGION, Keys

OK_LINE = "OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\n"
IMDS_TOKEN = "e2e-imds-session-token"
ROLE_NAME = "e2e-instance-role"


class MetadataServer:
    """Serves one set of credentials as an ECS/EKS container endpoint
    (GET /creds, optional Authorization check) and as IMDSv2 (PUT a token,
    then GET the role with it). Records every request."""

    def __init__(self, creds, auth=None):
        self.requests = []
        outer = self
        doc = {"AccessKeyId": creds.access_key, "SecretAccessKey": creds.secret_key, "Token": creds.token,
               "Expiration": "2099-01-01T00:00:00Z"}

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def reply(self, status, body, ctype="application/json"):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                outer.requests.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
                if self.path == "/creds":
                    if auth is not None and self.headers.get("Authorization") != auth:
                        return self.reply(403, '{"message": "bad token"}')
                    return self.reply(200, json.dumps(doc))
                if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
                    return self.reply(401, "", "text/plain")
                if self.path == "/latest/meta-data/iam/security-credentials/":
                    return self.reply(200, ROLE_NAME, "text/plain")
                if self.path == f"/latest/meta-data/iam/security-credentials/{ROLE_NAME}":
                    return self.reply(200, json.dumps({"Code": "Success", "Type": "AWS-HMAC", **doc}))
                return self.reply(404, "", "text/plain")

            def do_PUT(self):  # noqa: N802
                outer.requests.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
                if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                    return self.reply(200, IMDS_TOKEN, "text/plain")
                return self.reply(400, "", "text/plain")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def reader_creds(moto_iam):
    c = moto_iam.client("sts").assume_role(RoleArn=moto_iam.role_arn, RoleSessionName="e2e-metadata")["Credentials"]
    return Keys(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])


@pytest.fixture
def metadata(reader_creds):
    server = MetadataServer(reader_creds, auth="e2e-container-token")
    yield server
    server.stop()


def status_args(moto, trail):
    return [f"--endpoint-url={moto.url}", f"--region={REGION}", "--mode=checktrailstatus",
            f"--trail-name={trail}", "--timeout=20"]


@pytest.fixture
def trail(moto_iam):
    return moto_iam.new_trail(logging=True)[0]


def test_container_full_uri_with_token(plugin, moto_iam, trail, metadata):
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": metadata.url + "/creds",
           "AWS_CONTAINER_AUTHORIZATION_TOKEN": "e2e-container-token"}
    run = plugin(*status_args(moto_iam, trail), env=env)
    assert (run.stdout, run.rc) == (OK_LINE, 0), str(run)
    assert [(m, p) for m, p, _ in metadata.requests] == [("GET", "/creds")]


def test_container_token_file(plugin, moto_iam, trail, metadata, tmp_path):
    token = tmp_path / "token"
    token.write_text("e2e-container-token\n")
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": metadata.url + "/creds",
           "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": str(token),
           "AWS_CONTAINER_AUTHORIZATION_TOKEN": "the-file-wins"}
    run = plugin(*status_args(moto_iam, trail), env=env)
    assert (run.stdout, run.rc) == (OK_LINE, 0), str(run)


def test_container_refusal_is_named(plugin, moto_iam, trail, metadata):
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": metadata.url + "/creds",
           "AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong"}
    run = plugin(*status_args(moto_iam, trail), env=env)
    assert run.rc == 3 and "container credentials" in run.stdout and "403" in run.stdout, str(run)


def test_container_host_must_be_local(plugin, moto_iam, trail):
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://192.0.2.1/creds"}
    run = plugin(*status_args(moto_iam, trail), env=env)
    assert run.rc == 3 and "192.0.2.1" in run.stdout and "not a loopback" in run.stdout, str(run)


def test_imdsv2(plugin, moto_iam, trail, metadata):
    env = {"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": metadata.url}
    run = plugin(*status_args(moto_iam, trail), env=env)
    assert (run.stdout, run.rc) == (OK_LINE, 0), str(run)
    calls = [(m, p) for m, p, _ in metadata.requests]
    assert calls == [("PUT", "/latest/api/token"), ("GET", "/latest/meta-data/iam/security-credentials/"),
                     ("GET", f"/latest/meta-data/iam/security-credentials/{ROLE_NAME}")], calls
    assert all(h.get("x-aws-ec2-metadata-token") == IMDS_TOKEN for _, _, h in metadata.requests[1:])


def test_imds_disabled_is_not_asked(plugin, moto_iam, trail, metadata):
    env = {"AWS_EC2_METADATA_DISABLED": "true", "AWS_EC2_METADATA_SERVICE_ENDPOINT": metadata.url}
    run = plugin(*status_args(moto_iam, trail), env=env)
    assert run.rc == 3 and "AWS_EC2_METADATA_DISABLED" in run.stdout, str(run)
    assert metadata.requests == []


def test_imds_is_never_proxied(plugin, moto_iam, trail, metadata, proxy):
    # Even when every proxy variable is set, and with --proxyurl.
    env = {"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": metadata.url,
           "HTTP_PROXY": proxy.url(), "ALL_PROXY": proxy.url()}
    run = plugin(*status_args(moto_iam, trail), f"--proxyurl={proxy.url()}", env=env)
    assert (run.stdout, run.rc) == (OK_LINE, 0), str(run)
    assert proxy.seen() == [] and len(metadata.requests) == 3


def test_container_before_imds(plugin, moto_iam, trail, metadata):
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": metadata.url + "/creds",
           "AWS_CONTAINER_AUTHORIZATION_TOKEN": "e2e-container-token",
           "AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9"}
    run = plugin(*status_args(moto_iam, trail), env=env)
    assert (run.stdout, run.rc) == (OK_LINE, 0), str(run)


def test_environment_keys_before_container(plugin, moto_iam, trail, metadata):
    env = {"AWS_ACCESS_KEY_ID": moto_iam.other.access_key, "AWS_SECRET_ACCESS_KEY": moto_iam.other.secret_key,
           "AWS_CONTAINER_CREDENTIALS_FULL_URI": metadata.url + "/creds",
           "AWS_CONTAINER_AUTHORIZATION_TOKEN": "e2e-container-token"}
    run = plugin(*status_args(moto_iam, trail), env=env)
    assert run.rc == 3 and "user/e2e-other is not authorized" in run.stdout, str(run)
    assert metadata.requests == []
