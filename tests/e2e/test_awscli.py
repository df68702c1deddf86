"""--custommode=awscli: the same checks through the aws CLI.

Against the real CLI (awscli v1 from PyPI, in the venv) talking to moto
with IAM auth on and to fake_cloudtrail.py, every line must be the one the
built-in client prints for the same case. A fake `aws` (fake_aws.py)
stands in for CLI v2 output, hangs, errors and checks the command lines.
"""

import datetime
import json
import os
import re
import subprocess
import sys
import time

import pytest

from conftest import (ACCOUNT, HERE, PROXIED_HOST, PROXY_PASSWORD, PROXY_USER, REGION, VENV_BIN,
                      FakeCloudTrail, Keys)

OK_LINE = "OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\n"
CRITICAL_LINE = "CRITICAL: Trail is logging: 0 | 'trail_is_logging'=0;;;0;\n"


def awscli(*extra):
    return ["--custommode=awscli", f"--command-path={VENV_BIN}", *extra]


def status_args(moto, trail, *extra):
    return [f"--endpoint-url={moto.url}", f"--region={REGION}", "--mode=checktrailstatus",
            f"--trail-name={trail}", "--timeout=30", *extra]


def count_args(fake, *extra):
    return ["--aws-access-key=AKIDEXAMPLE", "--aws-secret-key=e2e/secret+key", f"--region={REGION}",
            f"--endpoint-url={fake.url}", "--mode=countevents", "--timeout=40", *extra]


def same(native, cli):
    assert (cli.stdout, cli.rc) == (native.stdout, native.rc), f"native:\n{native}\n\nawscli:\n{cli}"


def both(plugin, *args, env=None):
    """The built-in client's run, then the aws CLI's, which must print the
    same lines with the same exit code."""
    native = plugin(*args, env=env)
    cli = plugin(*awscli(), *args, env=env)
    same(native, cli)
    return native


# --------------------------------------------------------------------------
# The real aws CLI against moto


def test_cli_is_the_real_one(aws_cli):
    out = subprocess.run([str(aws_cli), "--version"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and (out.stdout + out.stderr).startswith("aws-cli/1."), out


@pytest.mark.parametrize("logging", [True, False], ids=["logging", "stopped"])
def test_trail_status_same_as_native(plugin, aws_cli, moto_iam, logging):
    name, _ = moto_iam.new_trail(logging=True)
    if not logging:
        moto_iam.client("cloudtrail").stop_logging(Name=name)
    run = both(plugin, *moto_iam.user.args(), *status_args(moto_iam, name))
    assert (run.stdout, run.rc) == ((OK_LINE, 0) if logging else (CRITICAL_LINE, 2)), str(run)
    # The long output, with the times moto reports, is the same too, but
    # for the latest delivery: moto says "now" each time it is asked.
    args = [*moto_iam.user.args(), *status_args(moto_iam, name, "--verbose")]
    native, cli = plugin(*args), plugin(*awscli(), *args)
    delivery = re.compile(r"^latest log delivery: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", re.M)
    assert delivery.search(native.stdout) and delivery.search(cli.stdout), f"{native}\n{cli}"
    assert (delivery.sub("…", cli.stdout), cli.rc) == (delivery.sub("…", native.stdout), native.rc), \
        f"native:\n{native}\n\nawscli:\n{cli}"
    assert re.search(r"^logging started: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, stopped: ", cli.stdout, re.M), str(cli)


def test_unknown_trail_same_as_native(plugin, aws_cli, moto_iam):
    run = both(plugin, *moto_iam.user.args(), *status_args(moto_iam, "no-such-trail"))
    arn = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/no-such-trail"
    assert (run.stdout, run.rc) == (
        f"UNKNOWN: GetTrailStatus failed: TrailNotFoundException: Unknown trail: {arn} for the user: {ACCOUNT} \n",
        3), str(run)


@pytest.mark.parametrize("case", ["user-denied", "wrong-secret", "role-session-denied"])
def test_error_lines_same_as_native(plugin, aws_cli, moto_iam, case):
    # moto answers these in XML; the CLI prints "An error occurred (403)
    # when calling the GetTrailStatus operation: <?xml …>" and the XML
    # document, with <Code> and <Message>, on the next line of stderr.
    name, _ = moto_iam.new_trail(logging=True)
    if case == "user-denied":
        args, want = moto_iam.noperm.args(), ("AccessDenied: User: "
                                               f"arn:aws:iam::{ACCOUNT}:user/e2e-noperm is not authorized")
    elif case == "wrong-secret":
        bad = Keys(moto_iam.user.access_key, moto_iam.user.secret_key[:-1] + ("Y" if moto_iam.user.secret_key.endswith("X") else "X"))
        args, want = bad.args(), "SignatureDoesNotMatch: The request signature we calculated"
    else:
        args = [*moto_iam.assumer.args(), f"--aws-role-arn={moto_iam.noperm_role_arn}",
                f"--sts-endpoint-url={moto_iam.url}"]
        want = f"AccessDenied: User: arn:aws:sts::{ACCOUNT}:assumed-role/e2e-noperm-role/centreon-plugins "
    run = both(plugin, *args, *status_args(moto_iam, name))
    assert run.stdout.startswith(f"UNKNOWN: GetTrailStatus failed: {want}"), str(run)


def test_keys_from_environment(plugin, aws_cli, moto_iam):
    name, _ = moto_iam.new_trail(logging=True)
    env = {"AWS_ACCESS_KEY_ID": moto_iam.user.access_key, "AWS_SECRET_ACCESS_KEY": moto_iam.user.secret_key}
    run = both(plugin, *status_args(moto_iam, name), env=env)
    assert run.stdout == OK_LINE, str(run)


def test_no_credentials(plugin, aws_cli, moto_iam):
    run = plugin(*awscli(), *status_args(moto_iam, "whatever"))
    # CLI v1 exits 255 here (v2: 253); the line quotes its last words.
    assert run.rc == 3, str(run)
    assert run.stdout.startswith("UNKNOWN: GetTrailStatus failed: the aws CLI exited with code 25"), str(run)
    assert run.stdout.endswith('Unable to locate credentials. You can configure credentials by running '
                               '"aws configure". \n'), str(run)


def test_role_same_as_native(plugin, aws_cli, moto_iam):
    # The assumer may only assume roles: OK means the role's keys were used.
    name, _ = moto_iam.new_trail(logging=True)
    role = [f"--aws-role-arn={moto_iam.role_arn}", f"--sts-endpoint-url={moto_iam.url}"]
    run = both(plugin, *moto_iam.assumer.args(), *status_args(moto_iam, name, *role))
    assert run.stdout == OK_LINE, str(run)
    moto_iam.client("cloudtrail").stop_logging(Name=name)
    run = both(plugin, *moto_iam.assumer.args(), *status_args(moto_iam, name, *role))
    assert run.stdout == CRITICAL_LINE, str(run)


def test_role_sts_endpoint_from_environment(plugin, aws_cli, moto_iam):
    name, _ = moto_iam.new_trail(logging=True)
    run = both(plugin, *moto_iam.assumer.args(),
               *status_args(moto_iam, name, f"--aws-role-arn={moto_iam.role_arn}"),
               env={"AWS_ENDPOINT_URL_STS": moto_iam.url})
    assert run.stdout == OK_LINE, str(run)


def test_assume_role_refused_same_as_native(plugin, aws_cli, moto_iam):
    name, _ = moto_iam.new_trail(logging=True)
    run = both(plugin, *moto_iam.noperm.args(),
               *status_args(moto_iam, name, f"--aws-role-arn={moto_iam.role_arn}",
                            f"--sts-endpoint-url={moto_iam.url}"))
    assert run.stdout.startswith("UNKNOWN: AssumeRole failed: AccessDenied: "), str(run)


def test_profile_same_as_native(plugin, aws_cli, moto_iam, tmp_path):
    # --aws-profile: the CLI gets AWS_PROFILE and does role_arn +
    # source_profile itself.
    name, _ = moto_iam.new_trail(logging=True)
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text(f"[profile mon]\nrole_arn = {moto_iam.role_arn}\nsource_profile = base\n")
    credentials.write_text(f"[base]\naws_access_key_id = {moto_iam.assumer.access_key}\n"
                           f"aws_secret_access_key = {moto_iam.assumer.secret_key}\n")
    env = {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
           "AWS_ENDPOINT_URL_STS": moto_iam.url}
    run = both(plugin, "--aws-profile=mon", *status_args(moto_iam, name), env=env)
    assert run.stdout == OK_LINE, str(run)


# --------------------------------------------------------------------------
# The real aws CLI against fake_cloudtrail.py (LookupEvents)


@pytest.fixture
def many_events(tmp_path):
    """120 events on pages of 30: the CLI's --max-items 50 cuts pages."""
    fake = FakeCloudTrail(tmp_path, page_size=30, repeat=12)
    yield fake
    fake.stop()


def count_line(state, n):
    return f"{state}: Number of events: {n:.2f} | 'events_count'={n:.2f};;;0;\n"


def test_countevents_paging_same_as_native(plugin, aws_cli, many_events):
    native = plugin(*count_args(many_events))
    assert (native.stdout, native.rc) == (count_line("OK", 120), 0), str(native)
    before = len(many_events.requests())
    cli = plugin(*awscli(), *count_args(many_events, "--debug"))
    assert cli.rc == 0 and cli.stdout.startswith(native.stdout), str(cli)
    # Three runs of the CLI (50 + 50 + 20), the later ones resuming with
    # the CLI's own --starting-token.
    lines = [ln for ln in (cli.stdout + cli.stderr).splitlines() if "command line:" in ln]
    assert len(lines) == 3, lines
    assert "--starting-token" not in lines[0] and all("--starting-token" in ln for ln in lines[1:]), lines
    for ln in lines:
        for word in ("cloudtrail lookup-events --start-time", "--max-items 50 --page-size 50",
                     f"--region {REGION} --output json --endpoint-url {many_events.url}"):
            assert word in ln, ln
    cli_requests = many_events.requests()[before:]
    assert cli_requests and all("aws-cli/1." in dict(r["headers"]).get("User-Agent", "") for r in cli_requests)
    windows = {(json.loads(r["body"])["StartTime"], json.loads(r["body"])["EndTime"]) for r in cli_requests}
    assert len(windows) == 1, windows


def test_securityevents_same_as_native(plugin, aws_cli, many_events):
    """securityevents reads the window through the CLI (every page) and
    judges the same events: the same line and exit code."""
    args = ["--aws-access-key=AKIDEXAMPLE", "--aws-secret-key=e2e/secret+key", f"--region={REGION}",
            f"--endpoint-url={many_events.url}", "--mode=securityevents", "--timeout=40",
            "--disable-statefile", "--verbose"]
    native = both(plugin, *args)
    assert native.rc == 0 and native.stdout.startswith(
        "OK: no security events in the last 60 minutes (15 categories) | "), str(native)
    assert native.stdout.count("=0;") == 15, str(native)


@pytest.mark.parametrize("extra", [["--event-type=AwsConsoleSignIn"], ["--error-message=error$"]],
                         ids=["event-type", "error-message"])
def test_countevents_filters_same_as_native(plugin, aws_cli, many_events, extra):
    run = both(plugin, *count_args(many_events, *extra))
    assert run.rc == 0 and run.stdout == count_line("OK", 36 if "--event-type" in extra[0] else 48), str(run)


def lookup_bodies(requests):
    """The distinct LookupEvents bodies, without the window and the token."""
    drop = ("StartTime", "EndTime", "NextToken")
    return {json.dumps({k: v for k, v in json.loads(r["body"]).items() if k not in drop}, sort_keys=True)
            for r in requests}


@pytest.mark.parametrize("extra, n, sent", [
    # fake_cloudtrail.py ignores the lookup attribute: the count shows
    # what our side filtered.
    (["--username=bob", "--event-name=ConsoleLogin"], 2,
     {"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "ConsoleLogin"}]}),
    (['--resource-name=my bucket,2 "q" [x]', "--insight"], 10,
     {"LookupAttributes": [{"AttributeKey": "ResourceName", "AttributeValue": 'my bucket,2 "q" [x]'}],
      "EventCategory": "insight"}),
    (["--read-only=FALSE", "--error-code=ThrottlingException"], 1,
     {"LookupAttributes": [{"AttributeKey": "ReadOnly", "AttributeValue": "false"}]}),
], ids=["shorthand", "json-form", "read-only"])
def test_countevents_beyond_same_request_as_native(plugin, aws_cli, fake_cloudtrail, extra, n, sent):
    # The real CLI sends what the built-in client sends, from the
    # shorthand --lookup-attributes and from its JSON form.
    native = plugin(*count_args(fake_cloudtrail, *extra))
    assert (native.stdout, native.rc) == (count_line("OK", n), 0), str(native)
    before = len(fake_cloudtrail.requests())
    cli = plugin(*awscli(), *count_args(fake_cloudtrail, *extra))
    same(native, cli)
    reqs = fake_cloudtrail.requests()
    expected = {json.dumps({"MaxResults": 50, **sent}, sort_keys=True)}
    assert lookup_bodies(reqs[:before]) == expected
    assert lookup_bodies(reqs[before:]) == expected


def test_countevents_api_error_same_as_native(plugin, aws_cli, fake_cloudtrail):
    fake_url = fake_cloudtrail.url + "/_error/InvalidLookupAttributesException"
    args = ["--aws-access-key=AK", "--aws-secret-key=SK", f"--region={REGION}", f"--endpoint-url={fake_url}",
            "--mode=countevents", "--timeout=20"]
    run = both(plugin, *args)
    assert run.stdout == ("UNKNOWN: LookupEvents failed: InvalidLookupAttributesException: "
                          "InvalidLookupAttributesException (asked for by the test) \n"), str(run)


# --------------------------------------------------------------------------
# The real aws CLI through the proxy and over TLS


def test_cli_through_the_proxy_with_auth(plugin, aws_cli, fake_cloudtrail, auth_proxy):
    url = f"http://{PROXIED_HOST}:{fake_cloudtrail.port}"
    userinfo = f"{PROXY_USER}:{PROXY_PASSWORD.replace('@', '%40')}"
    run = plugin(*awscli(), *count_args(fake_cloudtrail, f"--endpoint-url={url}",
                                        f"--proxyurl={auth_proxy.url(userinfo)}"))
    assert (run.stdout, run.rc) == (count_line("OK", 10), 0), str(run)
    assert auth_proxy.seen(), "the proxy forwarded nothing"
    assert PROXY_PASSWORD not in run.stdout + run.stderr


def test_cli_proxy_from_environment_and_no_proxy(plugin, aws_cli, fake_cloudtrail, proxy):
    url = f"http://{PROXIED_HOST}:{fake_cloudtrail.port}"
    run = plugin(*awscli(), *count_args(fake_cloudtrail, f"--endpoint-url={url}"),
                 env={"HTTP_PROXY": proxy.url()})
    assert (run.stdout, run.rc) == (count_line("OK", 10), 0), str(run)
    assert proxy.seen()
    proxy.forget()
    run = plugin(*awscli(), *count_args(fake_cloudtrail, f"--endpoint-url={url}", "--timeout=20"),
                 env={"HTTP_PROXY": proxy.url(), "NO_PROXY": PROXIED_HOST, "AWS_MAX_ATTEMPTS": "1"})
    assert run.rc == 3 and run.stdout.startswith("UNKNOWN: LookupEvents failed: the aws CLI exited"), str(run)
    assert proxy.seen() == []


def test_cli_tls(plugin, aws_cli, tls_cloudtrail, tls_files):
    ok = count_line("OK", 10)
    run = plugin(*awscli(), *count_args(tls_cloudtrail, f"--ca-bundle={tls_files.ca}"))
    assert (run.stdout, run.rc) == (ok, 0), str(run)
    run = plugin(*awscli(), *count_args(tls_cloudtrail), env={"AWS_CA_BUNDLE": str(tls_files.ca)})
    assert (run.stdout, run.rc) == (ok, 0), str(run)
    run = plugin(*awscli(), *count_args(tls_cloudtrail, "--skip-ssl-check"))
    assert (run.stdout, run.rc) == (ok, 0), str(run)
    run = plugin(*awscli(), *count_args(tls_cloudtrail), env={"AWS_MAX_ATTEMPTS": "1"})
    assert run.rc == 3 and "SSL validation failed" in run.stdout, str(run)


# --------------------------------------------------------------------------
# A fake aws: CLI v2 output, hangs, errors, command lines


class FakeAws:
    def __init__(self, directory, mode, name="aws", config=None):
        self.dir = directory
        self.dir.mkdir(exist_ok=True)
        self.log = directory / f"{name}.log"
        self.config = dict(config or {})
        self.config.setdefault("pidfile", str(directory / f"{name}.pid"))
        self.path = directory / name
        self.path.write_text(
            f"#!{sys.executable}\n"
            "import sys\n"
            f"sys.path.insert(0, {str(HERE)!r})\n"
            "import fake_aws\n"
            f"sys.exit(fake_aws.main({mode!r}, {str(self.log)!r}, {self.config!r}))\n"
        )
        self.path.chmod(0o755)

    def args(self, *extra):
        return ["--custommode=awscli", f"--command-path={self.dir}", f"--command={self.path.name}", *extra]

    def runs(self):
        if not self.log.exists():
            return []
        return [json.loads(ln) for ln in self.log.read_text().splitlines()]

    def pid(self):
        return int((self.dir / f"{self.path.name}.pid").read_text())


def epoch(iso_text):
    return datetime.datetime.fromisoformat(iso_text).timestamp()


V2_STATUS = {
    "IsLogging": False,
    "LatestDeliveryTime": "2023-01-21T13:58:49.666000-05:00",
    "StartLoggingTime": "2023-01-20T08:00:00.125000+01:00",
    "StopLoggingTime": "2023-01-21T14:00:00-05:00",
    "LatestDeliveryError": "NoSuchBucket",
    "TimeLoggingStarted": "2023-01-20T07:00:00Z",
    "TimeLoggingStopped": "2023-01-21T19:00:00Z",
}


def test_v2_trail_status_same_as_native(plugin, capture, tmp_path):
    # The API gives epoch numbers, CLI v2 ISO strings with offsets: the
    # same instants must give the same lines, long output included.
    capture.trail_status = {k: (epoch(v) if k.endswith("Time") else v) for k, v in V2_STATUS.items()
                            if not k.startswith("TimeLogging")}
    fake = FakeAws(tmp_path / "bin", "v2", config={"status": V2_STATUS})
    args = ["--aws-access-key=AK", "--aws-secret-key=SK", f"--region={REGION}", "--mode=checktrailstatus",
            "--trail-name=t", "--verbose", "--timeout=20"]
    native = plugin(*args, f"--endpoint-url={capture.url}")
    cli = plugin(*fake.args(), *args)
    same(native, cli)
    assert cli.stdout == (
        CRITICAL_LINE
        + "logging started: 2023-01-20T07:00:00Z, stopped: 2023-01-21T19:00:00Z\n"
        + "latest log delivery: 2023-01-21T18:58:49Z (error: NoSuchBucket)\n"), str(cli)
    (only,) = fake.runs()
    assert only["argv"] == ["cloudtrail", "get-trail-status", "--name", "t", "--region", REGION,
                            "--output", "json"], only


@pytest.mark.parametrize("extra", [[], ["--event-type=AwsApiCall"], ["--error-message=Login error"],
                                   ["--warning-count=5", "--critical-count=20"]],
                         ids=["all", "event-type", "error-message", "thresholds"])
def test_v2_countevents_same_as_native(plugin, fake_cloudtrail, tmp_path, extra):
    fake = FakeAws(tmp_path / "bin", "v2", config={"page": 4})
    native = plugin(*count_args(fake_cloudtrail, *extra))
    cli = plugin(*fake.args(), *count_args(fake_cloudtrail, *extra))
    same(native, cli)
    runs = fake.runs()
    assert len(runs) == 3, runs
    tokens = [r["argv"][r["argv"].index("--starting-token") + 1] if "--starting-token" in r["argv"] else None
              for r in runs]
    assert tokens == [None, "v2-4", "v2-8"], tokens


def test_v2_events_are_paced(plugin, fake_cloudtrail, tmp_path):
    fake = FakeAws(tmp_path / "bin", "v2", config={"page": 2})
    run = plugin(*fake.args(), *count_args(fake_cloudtrail))
    assert run.rc == 0 and run.stdout == count_line("OK", 10), str(run)
    assert len(fake.runs()) == 5
    assert run.seconds >= 4 * 0.5 - 0.05, run.seconds


def test_v2_max_pages(plugin, fake_cloudtrail, tmp_path):
    fake = FakeAws(tmp_path / "bin", "v2", config={"page": 4})
    run = plugin(*fake.args(), *count_args(fake_cloudtrail, "--max-pages=2"))
    assert run.rc == 3 and run.stdout.startswith("UNKNOWN: LookupEvents stopped after 2 pages"), str(run)
    assert len(fake.runs()) == 2


def test_generated_command_and_environment(plugin, tmp_path):
    fake = FakeAws(tmp_path / "bin", "v2", config={"status": {"IsLogging": True}})
    run = plugin(*fake.args(), "--aws-access-key=AKIDE2E", "--aws-secret-key=e2e-secret-value",
                 "--aws-session-token=e2e-token-value", f"--region={REGION}", "--endpoint-url=http://127.0.0.1:9/x",
                 "--mode=checktrailstatus", "--trail-name=my trail", "--proxyurl=http://127.0.0.1:3128",
                 "--ca-bundle=/nonexistent/ca.pem", "--skip-ssl-check", "--timeout=20")
    assert (run.stdout, run.rc) == (OK_LINE, 0), str(run)
    (only,) = fake.runs()
    assert only["argv"] == ["cloudtrail", "get-trail-status", "--name", "my trail", "--region", REGION,
                            "--output", "json", "--endpoint-url", "http://127.0.0.1:9/x",
                            "--ca-bundle", "/nonexistent/ca.pem", "--no-verify-ssl"], only
    env = only["env"]
    assert env["AWS_ACCESS_KEY_ID"] == "AKIDE2E" and env["AWS_SECRET_ACCESS_KEY"] == "e2e-secret-value"
    assert env["AWS_SESSION_TOKEN"] == "e2e-token-value" and env["AWS_PAGER"] == ""
    assert env["HTTPS_PROXY"] == env["HTTP_PROXY"] == "http://127.0.0.1:3128"
    # Secrets go through the environment only, never the command line.
    assert not any("secret" in a or "token-value" in a for a in only["argv"])


def test_assume_role_command(plugin, tmp_path):
    assumed = {"AccessKeyId": "ASIAE2EASSUMED", "SecretAccessKey": "assumed-secret",
               "SessionToken": "assumed-token", "Expiration": "2030-01-01T00:00:00+00:00"}
    fake = FakeAws(tmp_path / "bin", "v2", config={"status": {"IsLogging": True}, "assumed": assumed})
    run = plugin(*fake.args(), "--aws-access-key=AKIDBASE", "--aws-secret-key=base-secret", f"--region={REGION}",
                 "--aws-role-arn=arn:aws:iam::123456789012:role/Audit", "--aws-external-id=ext-1",
                 "--aws-role-duration=900", "--sts-endpoint-url=http://127.0.0.1:9/sts",
                 "--mode=checktrailstatus", "--trail-name=t", "--timeout=20", "--debug")
    assert run.rc == 0 and run.stdout.startswith(OK_LINE), str(run)
    sts, ct = fake.runs()
    assert sts["argv"] == ["sts", "assume-role", "--role-arn", "arn:aws:iam::123456789012:role/Audit",
                           "--role-session-name", "centreon-plugins", "--external-id", "ext-1",
                           "--duration-seconds", "900", "--region", REGION, "--output", "json",
                           "--endpoint-url", "http://127.0.0.1:9/sts"], sts
    assert sts["env"]["AWS_ACCESS_KEY_ID"] == "AKIDBASE"
    assert ct["env"]["AWS_ACCESS_KEY_ID"] == "ASIAE2EASSUMED"
    assert ct["env"]["AWS_SECRET_ACCESS_KEY"] == "assumed-secret" and ct["env"]["AWS_SESSION_TOKEN"] == "assumed-token"
    everything = run.stdout + run.stderr
    for secret in ("assumed-secret", "assumed-token", "base-secret"):
        assert secret not in everything


def test_command_options_replace_the_arguments(plugin, tmp_path):
    fake = FakeAws(tmp_path / "bin", "v2", config={"status": {"IsLogging": True}})
    opts = "cloudtrail get-trail-status --name 'my trail;touch pwned' --region \"eu-west-1\" --output json $HOME"
    run = plugin(*fake.args(f"--command-options={opts}"), "--aws-access-key=AK", "--aws-secret-key=SK",
                 f"--region={REGION}", "--mode=checktrailstatus", "--trail-name=ignored", "--timeout=20",
                 env={"HOME": str(tmp_path)})
    assert (run.stdout, run.rc) == (OK_LINE, 0), str(run)
    (only,) = fake.runs()
    # Split like a shell would, run without one: no expansion, no `;`.
    assert only["argv"] == ["cloudtrail", "get-trail-status", "--name", "my trail;touch pwned", "--region",
                            "eu-west-1", "--output", "json", "$HOME"], only
    assert not (tmp_path / "pwned").exists()


def test_command_found_in_path(plugin, tmp_path):
    fake = FakeAws(tmp_path / "bin", "v2", config={"status": {"IsLogging": True}})
    run = plugin("--custommode=awscli", "--aws-access-key=AK", "--aws-secret-key=SK", f"--region={REGION}",
                 "--mode=checktrailstatus", "--trail-name=t", "--timeout=20",
                 env={"PATH": f"{fake.dir}:{os.environ.get('PATH', '/usr/bin:/bin')}"})
    assert (run.stdout, run.rc) == (OK_LINE, 0), str(run)
    assert len(fake.runs()) == 1


def test_sudo(plugin, tmp_path):
    # A stand-in sudo on PATH that notes its arguments and runs them.
    fake = FakeAws(tmp_path / "bin", "v2", config={"status": {"IsLogging": True}})
    sudo_dir = tmp_path / "sudo-bin"
    sudo_dir.mkdir()
    sudo_log = tmp_path / "sudo.log"
    sudo = sudo_dir / "sudo"
    sudo.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{sudo_log}'\nexec \"$@\"\n")
    sudo.chmod(0o755)
    run = plugin(*fake.args("--sudo"), "--aws-access-key=AK", "--aws-secret-key=SK", f"--region={REGION}",
                 "--mode=checktrailstatus", "--trail-name=t", "--timeout=20",
                 env={"PATH": f"{sudo_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}"})
    assert (run.stdout, run.rc) == (OK_LINE, 0), str(run)
    assert sudo_log.read_text().startswith(f"{fake.path} cloudtrail get-trail-status --name t"), sudo_log.read_text()


def test_cli_error_line(plugin, tmp_path):
    fake = FakeAws(tmp_path / "bin", "denied")
    run = plugin(*fake.args(), "--aws-access-key=AK", "--aws-secret-key=SK", f"--region={REGION}",
                 "--mode=countevents", "--timeout=20")
    assert (run.stdout, run.rc) == ("UNKNOWN: LookupEvents failed: AccessDeniedException: nope \n", 3), str(run)


def test_cli_printing_no_json(plugin, tmp_path):
    fake = FakeAws(tmp_path / "bin", "garbage")
    run = plugin(*fake.args(), "--aws-access-key=AK", "--aws-secret-key=SK", f"--region={REGION}",
                 "--mode=checktrailstatus", "--trail-name=t", "--timeout=20")
    assert run.rc == 3, str(run)
    assert run.stdout.startswith("UNKNOWN: GetTrailStatus failed: unexpected response: the aws CLI printed no JSON"), \
        str(run)


def test_missing_command(plugin, tmp_path):
    run = plugin("--custommode=awscli", f"--command-path={tmp_path}", "--aws-access-key=AK", "--aws-secret-key=SK",
                 f"--region={REGION}", "--mode=checktrailstatus", "--trail-name=t", "--timeout=20")
    assert run.rc == 3, str(run)
    assert run.stdout.startswith(f"UNKNOWN: GetTrailStatus failed: cannot run '{tmp_path}/aws'"), str(run)


def gone(pid, within=3.0):
    """True once no process has that pid (a zombie still counts as there)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":
            pass  # not reaped yet
        time.sleep(0.05)
    return False


def kill_if_alive(pid):
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass


@pytest.mark.parametrize("mode", ["countevents", "checktrailstatus"])
def test_hanging_cli_is_killed_at_the_timeout(plugin, tmp_path, mode):
    fake = FakeAws(tmp_path / "bin", "sleep")
    extra = ["--mode=countevents"] if mode == "countevents" else ["--mode=checktrailstatus", "--trail-name=t"]
    op = "LookupEvents" if mode == "countevents" else "GetTrailStatus"
    run = plugin(*fake.args(), "--aws-access-key=AK", "--aws-secret-key=SK", f"--region={REGION}", *extra,
                 "--timeout=2")
    pid = fake.pid()
    try:
        assert (run.stdout, run.rc) == (
            f"UNKNOWN: {op} failed: timed out, the check's --timeout of 2s ran out \n", 3), str(run)
        assert 1.8 <= run.seconds < 2 + 3, run.seconds
        assert gone(pid), f"the aws process {pid} outlived the check"
    finally:
        kill_if_alive(pid)


def test_hanging_cli_grandchild_is_killed_too(plugin, tmp_path):
    # What --sudo (or any wrapper script) gives: the process that hangs is
    # a child of the one check_cloudtrail started. Killing only the direct
    # child leaves it running, holding the pipes.
    fake = FakeAws(tmp_path / "bin", "sleep-grandchild")
    run = plugin(*fake.args(), "--aws-access-key=AK", "--aws-secret-key=SK", f"--region={REGION}",
                 "--mode=countevents", "--timeout=2")
    pid = fake.pid()
    try:
        assert run.rc == 3 and "timed out" in run.stdout, str(run)
        assert run.seconds < 2 + 3, run.seconds
        assert gone(pid), f"the aws CLI's child {pid} outlived the check"
    finally:
        kill_if_alive(pid)


def test_fips_is_not_silently_ignored(plugin, tmp_path):
    # --fips is accepted with --custommode=awscli; the CLI has no flag for
    # it but reads AWS_USE_FIPS_ENDPOINT. Either pass it on or refuse.
    fake = FakeAws(tmp_path / "bin", "v2", config={"status": {"IsLogging": True}})
    run = plugin(*fake.args(), "--aws-access-key=AK", "--aws-secret-key=SK", "--region=us-east-1", "--fips",
                 "--mode=checktrailstatus", "--trail-name=t", "--timeout=20")
    runs = fake.runs()
    passed_on = bool(runs) and runs[0]["env"].get("AWS_USE_FIPS_ENDPOINT", "").lower() == "true"
    refused = run.rc == 3 and "fips" in run.stdout.lower()
    assert passed_on or refused, f"{run}\nCLI runs: {runs}"
