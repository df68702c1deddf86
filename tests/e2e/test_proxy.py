"""Proxies: --proxyurl and the *_PROXY / NO_PROXY environment, through
proxy.py (a real forwarding proxy from PyPI, with and without Basic auth).

The endpoints are named `fake-cloudtrail.invalid` / `moto.invalid`: no
resolver knows `.invalid`, only the proxy's test plugin maps those names to
127.0.0.1 (tests/e2e/e2e_proxy_plugin.py). So an OK proves the request
went through the proxy, and "could not resolve host" proves it did not.
Loopback endpoints never use a proxy, by design.
"""

import json

import pytest

from conftest import PROXIED_HOST, PROXIED_MOTO_HOST, PROXY_PASSWORD, PROXY_USER, REGION, FakeCloudTrail

OK_10 = "OK: Number of events: 10.00 | 'events_count'=10.00;;;0;\n"
# Failures are not retried here: what is tested is where they happen.
ONE_ATTEMPT = {"AWS_MAX_ATTEMPTS": "1"}
TRAIL_OK = "OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\n"
# Percent-encoded as the option wants it: p@ss -> p%40ss.
USERINFO = f"{PROXY_USER}:{PROXY_PASSWORD.replace('@', '%40')}"


@pytest.fixture
def fake_cloudtrail(tmp_path):
    """The ten events on one page: no pacing to wait for."""
    fake = FakeCloudTrail(tmp_path, page_size=50)
    yield fake
    fake.stop()


@pytest.fixture
def paged_cloudtrail(tmp_path):
    """The ten events on three pages."""
    fake = FakeCloudTrail(tmp_path, page_size=4)
    yield fake
    fake.stop()


def count_args(url, *extra):
    return ["--aws-access-key=AKIDEXAMPLE", "--aws-secret-key=e2e/secret+key", f"--region={REGION}",
            f"--endpoint-url={url}", "--mode=countevents", "--timeout=20", *extra]


def proxied_url(fake, host=PROXIED_HOST):
    return f"{fake.scheme}://{host}:{fake.port}"


def assert_run(run, stdout, rc=0):
    assert (run.stdout, run.rc) == (stdout, rc), str(run)


def connects(server):
    """The upstream connections the proxy opened (CONNECT host:port, or the
    method of a plain forwarded request)."""
    return server.seen()


def hosts_seen_by(fake):
    return {dict((k.lower(), v) for k, v in r["headers"])["host"] for r in fake.requests()}


def unresolved_line(plugin, fake):
    """What a request to the `.invalid` name gives without any proxy."""
    run = plugin(*count_args(proxied_url(fake), "--timeout=10"), env=ONE_ATTEMPT)
    assert run.rc == 3, str(run)
    assert run.stdout.startswith("UNKNOWN: LookupEvents failed: ") and run.stdout.endswith(" \n"), str(run)
    assert fake.requests() == []
    return run.stdout


def test_without_a_proxy_the_name_does_not_resolve(plugin, fake_cloudtrail):
    # The premise of every test below.
    unresolved_line(plugin, fake_cloudtrail)


def test_unresolvable_host_is_named(plugin, fake_cloudtrail):
    # http.rs maps a failed lookup to "could not resolve host <host>", but
    # ureq 3 reports it as an io::Error, which comes out as "I/O error:
    # failed to lookup address information: …" without the host.
    line = unresolved_line(plugin, fake_cloudtrail)
    assert line.startswith(f"UNKNOWN: LookupEvents failed: could not resolve host {PROXIED_HOST}"), line


def test_proxyurl(plugin, paged_cloudtrail, proxy):
    run = plugin(*count_args(proxied_url(paged_cloudtrail), f"--proxyurl={proxy.url()}"))
    assert_run(run, OK_10)
    # Three pages, each through the proxy; the Host header is the name
    # the request was signed for.
    assert connects(proxy) and all(c.endswith(f" {PROXIED_HOST}:{paged_cloudtrail.port}")
                                   for c in connects(proxy)), connects(proxy)
    assert len(paged_cloudtrail.requests()) == 3
    assert hosts_seen_by(paged_cloudtrail) == {f"{PROXIED_HOST}:{paged_cloudtrail.port}"}


def test_proxyurl_with_basic_auth(plugin, fake_cloudtrail, auth_proxy):
    run = plugin(*count_args(proxied_url(fake_cloudtrail), f"--proxyurl={auth_proxy.url(USERINFO)}"))
    assert_run(run, OK_10)
    assert connects(auth_proxy), "the proxy opened no upstream connection"
    # The proxy password never shows, even under --debug.
    run = plugin(*count_args(proxied_url(fake_cloudtrail), f"--proxyurl={auth_proxy.url(USERINFO)}",
                             "--debug"))
    assert run.rc == 0 and run.stdout.startswith(OK_10), str(run)
    assert PROXY_PASSWORD not in run.stdout + run.stderr
    assert "p%40ss" not in run.stdout + run.stderr


@pytest.mark.parametrize("userinfo", [None, f"{PROXY_USER}:wrong", "nobody:p%40ss"],
                         ids=["no-credentials", "wrong-password", "wrong-user"])
def test_proxy_refusing_auth_is_unknown(plugin, fake_cloudtrail, auth_proxy, userinfo):
    run = plugin(*count_args(proxied_url(fake_cloudtrail), f"--proxyurl={auth_proxy.url(userinfo)}",
                             "--timeout=10"), env=ONE_ATTEMPT)
    assert run.rc == 3, str(run)
    # e.g. "UNKNOWN: LookupEvents failed: CONNECT proxy failed: proxy server
    # responded 407/407 "
    assert run.stdout.startswith("UNKNOWN: LookupEvents failed: ") and "407" in run.stdout, str(run)
    assert run.stdout.endswith(" \n") and run.stdout.count("\n") == 1, str(run)
    assert connects(auth_proxy) == []
    assert fake_cloudtrail.requests() == []
    assert "wrong" not in run.stdout + run.stderr


@pytest.mark.parametrize("var", ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy",
                                 "ALL_PROXY", "all_proxy"])
def test_proxy_from_environment(plugin, fake_cloudtrail, proxy, var):
    run = plugin(*count_args(proxied_url(fake_cloudtrail)), env={var: proxy.url()})
    assert_run(run, OK_10)
    assert connects(proxy), "the proxy opened no upstream connection"


def test_proxy_with_auth_from_environment(plugin, fake_cloudtrail, auth_proxy):
    run = plugin(*count_args(proxied_url(fake_cloudtrail)), env={"HTTPS_PROXY": auth_proxy.url(USERINFO)})
    assert_run(run, OK_10)
    assert connects(auth_proxy)


def test_proxyurl_wins_over_environment(plugin, fake_cloudtrail, proxy, auth_proxy):
    run = plugin(*count_args(proxied_url(fake_cloudtrail), f"--proxyurl={proxy.url()}"),
                 env={"HTTPS_PROXY": auth_proxy.url(USERINFO)})
    assert_run(run, OK_10)
    assert connects(proxy) and connects(auth_proxy) == []


@pytest.mark.parametrize("no_proxy", [PROXIED_HOST, f"other.invalid,{PROXIED_HOST}", ".invalid", "*"])
def test_no_proxy_bypasses_the_proxy(plugin, fake_cloudtrail, proxy, no_proxy):
    direct = unresolved_line(plugin, fake_cloudtrail)
    run = plugin(*count_args(proxied_url(fake_cloudtrail), "--timeout=10"),
                 env={"HTTPS_PROXY": proxy.url(), "NO_PROXY": no_proxy, **ONE_ATTEMPT})
    # Straight to a name no resolver knows, exactly as with no proxy at
    # all: the proof that the proxy was not used.
    assert (run.stdout, run.rc) == (direct, 3), str(run)
    assert connects(proxy) == []
    assert fake_cloudtrail.requests() == []


def test_lowercase_no_proxy(plugin, fake_cloudtrail, proxy):
    direct = unresolved_line(plugin, fake_cloudtrail)
    run = plugin(*count_args(proxied_url(fake_cloudtrail), "--timeout=10"),
                 env={"https_proxy": proxy.url(), "no_proxy": PROXIED_HOST, **ONE_ATTEMPT})
    assert (run.stdout, run.rc) == (direct, 3), str(run)
    assert connects(proxy) == []


def test_dead_proxy_is_named(plugin, fake_cloudtrail):
    # Nothing listens on the proxy's port. Today the line blames the
    # endpoint: "connection refused by fake-cloudtrail.invalid:PORT",
    # although the endpoint was never contacted; it should name the proxy.
    run = plugin(*count_args(proxied_url(fake_cloudtrail), "--proxyurl=http://127.0.0.1:9", "--timeout=10"),
                 env=ONE_ATTEMPT)
    assert run.rc == 3, str(run)
    assert run.stdout.startswith("UNKNOWN: LookupEvents failed: "), str(run)
    assert "127.0.0.1:9" in run.stdout, str(run)


def test_no_proxy_for_other_hosts_keeps_the_proxy(plugin, fake_cloudtrail, proxy):
    run = plugin(*count_args(proxied_url(fake_cloudtrail)),
                 env={"HTTPS_PROXY": proxy.url(), "NO_PROXY": "other.invalid,127.0.0.1"})
    assert_run(run, OK_10)
    assert connects(proxy)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_endpoints_never_use_the_proxy(plugin, fake_cloudtrail, proxy, host):
    # A live proxy that would work, and one that is not there at all:
    # neither is used for a loopback endpoint.
    run = plugin(*count_args(proxied_url(fake_cloudtrail, host), f"--proxyurl={proxy.url()}"))
    assert_run(run, OK_10)
    assert connects(proxy) == []
    run = plugin(*count_args(proxied_url(fake_cloudtrail, host)),
                 env={"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"})
    assert_run(run, OK_10)


def test_moto_through_the_proxy_signature_intact(plugin, moto_iam, proxy):
    # moto with IAM auth recomputes the signature from the Host header it
    # receives: the tunnel must deliver it as signed.
    name, _ = moto_iam.new_trail(logging=True)
    url = moto_iam.url.replace("127.0.0.1", PROXIED_MOTO_HOST)
    run = plugin(*moto_iam.user.args(), f"--endpoint-url={url}", f"--region={REGION}",
                 "--mode=checktrailstatus", f"--trail-name={name}", "--timeout=20",
                 env={"HTTPS_PROXY": proxy.url()})
    assert_run(run, TRAIL_OK)
    assert len(connects(proxy)) == 1, connects(proxy)


def test_assume_role_through_the_proxy(plugin, moto_iam, auth_proxy):
    # STS too goes through the proxy: the assumer may do nothing but
    # AssumeRole, so an OK means the role's credentials were used.
    name, _ = moto_iam.new_trail(logging=True)
    url = moto_iam.url.replace("127.0.0.1", PROXIED_MOTO_HOST)
    run = plugin(*moto_iam.assumer.args(), f"--endpoint-url={url}", f"--sts-endpoint-url={url}",
                 f"--aws-role-arn={moto_iam.role_arn}", f"--region={REGION}",
                 "--mode=checktrailstatus", f"--trail-name={name}", "--timeout=20",
                 f"--proxyurl={auth_proxy.url(USERINFO)}")
    assert_run(run, TRAIL_OK)
    assert len(connects(auth_proxy)) == 2, connects(auth_proxy)


def test_https_endpoint_through_the_proxy(plugin, tls_cloudtrail, tls_files, proxy):
    # CONNECT, then TLS to the name in the URL, checked against the CA.
    run = plugin(*count_args(proxied_url(tls_cloudtrail), f"--ca-bundle={tls_files.ca}"),
                 env={"HTTPS_PROXY": proxy.url()})
    assert_run(run, OK_10)
    assert connects(proxy) and all(c.startswith("CONNECT ") for c in connects(proxy)), connects(proxy)


def test_lookup_requests_through_the_proxy_are_whole(plugin, paged_cloudtrail, proxy):
    # What arrives through the proxy is the signed request, byte for byte
    # what the direct path sends (body and paging).
    run = plugin(*count_args(proxied_url(paged_cloudtrail), "--delta=5"), env={"HTTP_PROXY": proxy.url()})
    assert_run(run, OK_10)
    bodies = [json.loads(r["body"]) for r in paged_cloudtrail.requests()]
    assert len(bodies) == 3 and "NextToken" not in bodies[0] and all("NextToken" in b for b in bodies[1:])
    assert all(b["EndTime"] - b["StartTime"] == 300 for b in bodies)
