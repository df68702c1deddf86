"""TLS: --ca-bundle / AWS_CA_BUNDLE replace the trusted roots,
--skip-ssl-check turns verification off.

fake_cloudtrail.py serves https on 127.0.0.1 with a certificate for
127.0.0.1, localhost and fake-cloudtrail.invalid, signed by a CA made for
this run (trustme). The binary trusts only its built-in Mozilla roots
unless told otherwise, so that CA is unknown to it by default.
"""

import pytest

from conftest import REGION, FakeCloudTrail

OK_10 = "OK: Number of events: 10.00 | 'events_count'=10.00;;;0;\n"
ONE_ATTEMPT = {"AWS_MAX_ATTEMPTS": "1"}


def count_args(url, *extra):
    return ["--aws-access-key=AKIDEXAMPLE", "--aws-secret-key=e2e/secret+key", f"--region={REGION}",
            f"--endpoint-url={url}", "--mode=countevents", "--timeout=20", *extra]


def assert_ok(run):
    assert (run.stdout, run.rc) == (OK_10, 0), str(run)


def assert_tls_failure(run, *words):
    assert run.rc == 3, str(run)
    assert run.stdout.startswith("UNKNOWN: LookupEvents failed: ") and run.stdout.endswith(" \n"), str(run)
    assert run.stdout.count("\n") == 1, str(run)
    for w in words:
        assert w in run.stdout, str(run)


@pytest.fixture
def fake(tmp_path, tls_files):
    """One page of ten events over https (no pacing to wait for)."""
    f = FakeCloudTrail(tmp_path, page_size=50, tls=(tls_files.cert, tls_files.key))
    yield f
    f.stop()


def test_ca_bundle_option(plugin, fake, tls_files):
    assert_ok(plugin(*count_args(fake.url, f"--ca-bundle={tls_files.ca}")))
    assert len(fake.requests()) == 1


def test_ca_bundle_from_environment(plugin, fake, tls_files):
    assert_ok(plugin(*count_args(fake.url), env={"AWS_CA_BUNDLE": str(tls_files.ca)}))


def test_ca_bundle_option_wins_over_environment(plugin, fake, tls_files):
    assert_ok(plugin(*count_args(fake.url, f"--ca-bundle={tls_files.ca}"),
                     env={"AWS_CA_BUNDLE": str(tls_files.other_ca)}))


def test_localhost_name(plugin, fake, tls_files):
    url = fake.url.replace("127.0.0.1", "localhost")
    assert_ok(plugin(*count_args(url, f"--ca-bundle={tls_files.ca}")))


def test_unknown_ca_is_refused(plugin, fake):
    # e.g. "UNKNOWN: LookupEvents failed: I/O error: invalid peer
    # certificate: UnknownIssuer "
    run = plugin(*count_args(fake.url), env=ONE_ATTEMPT)
    assert_tls_failure(run, "certificate", "UnknownIssuer")
    assert fake.requests() == []


def test_another_ca_replaces_the_roots(plugin, fake, tls_files):
    # The bundle replaces the roots: a bundle without our CA fails.
    run = plugin(*count_args(fake.url, f"--ca-bundle={tls_files.other_ca}"), env=ONE_ATTEMPT)
    assert_tls_failure(run, "certificate", "UnknownIssuer")
    run = plugin(*count_args(fake.url), env={"AWS_CA_BUNDLE": str(tls_files.other_ca), **ONE_ATTEMPT})
    assert_tls_failure(run, "certificate", "UnknownIssuer")


def test_tls_failure_says_tls(plugin, fake):
    # http.rs has a "TLS error: …" line for this, but the rustls error
    # comes wrapped in an io::Error and is printed as "I/O error: invalid
    # peer certificate: UnknownIssuer".
    run = plugin(*count_args(fake.url), env=ONE_ATTEMPT)
    assert run.stdout.startswith("UNKNOWN: LookupEvents failed: TLS error: "), str(run)


def test_skip_ssl_check(plugin, fake, tls_files):
    assert_ok(plugin(*count_args(fake.url, "--skip-ssl-check")))
    # Even with a bundle that would refuse the server.
    assert_ok(plugin(*count_args(fake.url, "--skip-ssl-check", f"--ca-bundle={tls_files.other_ca}")))
    run = plugin(*count_args(fake.url, "--skip-ssl-check", "--debug"))
    assert run.rc == 0 and run.stdout.startswith(OK_10), str(run)
    assert "verification is OFF" in run.stdout + run.stderr, str(run)


def test_host_name_is_checked(plugin, tmp_path, tls_files):
    # A certificate of the right CA for another name: refused, unless
    # verification is off.
    wrong = FakeCloudTrail(tmp_path, page_size=50, tls=(tls_files.wrong_name_cert, tls_files.wrong_name_key))
    try:
        run = plugin(*count_args(wrong.url, f"--ca-bundle={tls_files.ca}"), env=ONE_ATTEMPT)
        assert_tls_failure(run, "certificate not valid for name \"127.0.0.1\"")
        assert_ok(plugin(*count_args(wrong.url, "--skip-ssl-check")))
    finally:
        wrong.stop()


def test_plain_http_client_to_tls_server_fails(plugin, fake):
    run = plugin(*count_args(fake.url.replace("https://", "http://"), "--timeout=5"), env=ONE_ATTEMPT)
    assert run.rc == 3 and run.stdout.startswith("UNKNOWN: LookupEvents failed: "), str(run)


@pytest.mark.parametrize("content", ["", "not a certificate\n"], ids=["empty", "garbage"])
def test_unusable_ca_bundle(plugin, fake, tmp_path, content):
    bad = tmp_path / "bad.pem"
    bad.write_text(content)
    run = plugin(*count_args(fake.url, f"--ca-bundle={bad}"))
    assert run.rc == 3, str(run)
    assert run.stdout.startswith("UNKNOWN: ") and "--ca-bundle" in run.stdout, str(run)
    assert fake.requests() == []


def test_missing_ca_bundle(plugin, fake, tmp_path):
    missing = tmp_path / "nope.pem"
    run = plugin(*count_args(fake.url, f"--ca-bundle={missing}"))
    assert run.rc == 3 and str(missing) in run.stdout, str(run)
    run = plugin(*count_args(fake.url), env={"AWS_CA_BUNDLE": str(missing)})
    assert run.rc == 3 and str(missing) in run.stdout, str(run)
    assert fake.requests() == []


def test_paged_lookup_over_tls(plugin, tls_cloudtrail, tls_files):
    # Three pages, each a fresh or reused TLS connection: all verified.
    run = plugin(*count_args(tls_cloudtrail.url, f"--ca-bundle={tls_files.ca}"))
    assert_ok(run)
    assert len(tls_cloudtrail.requests()) == 3
