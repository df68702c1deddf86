"""countevents against fake_cloudtrail.py (moto has no LookupEvents).

The fake serves ten events over three pages of four; the expected counts
are those of the Centreon plugin's robot tests on its own mock.
"""

import json
import time

import pytest


def count_args(fake, *extra, path=""):
    return ["--custommode=paws", "--aws-access-key=AKIDEXAMPLE", "--aws-secret-key=e2e/secret+key",
            "--region=eu-west-1", f"--endpoint-url={fake.url}{path}", "--mode=countevents",
            "--timeout=20", *extra]


def line(state, n, warn="", crit=""):
    return f"{state}: Number of events: {n:.2f} | 'events_count'={n:.2f};{warn};{crit};0;\n"


CASES = [
    # (id, extra options, expected stdout, exit code)
    ("all", [], line("OK", 10), 0),
    ("event-type", ["--event-type=AwsApiCall"], line("OK", 4), 0),
    ("event-type-service", ["--event-type=AwsServiceEvent"], line("OK", 2), 0),
    ("error-message", ["--error-message=Login error"], line("OK", 3), 0),
    ("error-message-regex", ["--error-message=.*error"], line("OK", 4), 0),
    ("error-message-case-sensitive", ["--error-message=login"], line("OK", 0), 0),
    ("type-or-message", ["--event-type=AwsApiCall", "--error-message=Login"], line("OK", 7), 0),
    ("thresholds-ok", ["--error-message=Login error", "--warning-count=5", "--critical-count=10"],
     line("OK", 3, "0:5", "0:10"), 0),
    ("warning", ["--warning-count=5", "--critical-count=20"], line("WARNING", 10, "0:5", "0:20"), 1),
    ("critical", ["--warning-count=3", "--critical-count=5"], line("CRITICAL", 10, "0:3", "0:5"), 2),
    ("critical-only", ["--critical-count=5"], line("CRITICAL", 10, "", "0:5"), 2),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_counts(plugin, fake_cloudtrail, case):
    _, extra, stdout, rc = case
    run = plugin(*count_args(fake_cloudtrail, *extra))
    assert (run.stdout, run.rc) == (stdout, rc), str(run)


def test_pages_follow_next_token_paced(plugin, fake_cloudtrail):
    before = int(time.time())
    run = plugin(*count_args(fake_cloudtrail, "--delta=30"))
    after = int(time.time())
    assert (run.stdout, run.rc) == (line("OK", 10), 0), str(run)
    reqs = fake_cloudtrail.requests()
    assert len(reqs) == 3, reqs
    bodies = [json.loads(r["body"]) for r in reqs]
    assert "NextToken" not in bodies[0]
    assert all("NextToken" in b for b in bodies[1:])
    window = {(b["StartTime"], b["EndTime"], b["MaxResults"]) for b in bodies}
    assert len(window) == 1, bodies  # the same window on every page
    start, end, max_results = window.pop()
    assert (type(start), type(end), max_results) == (int, int, 50)
    assert end - start == 30 * 60 and before <= end <= after + 1
    gaps = [b["time"] - a["time"] for a, b in zip(reqs, reqs[1:])]
    # Arrival times at the server: allow some scheduling jitter below 500 ms.
    assert all(g >= 0.4 for g in gaps), gaps
    assert run.seconds >= 0.9


def test_max_pages_cap(plugin, fake_cloudtrail):
    run = plugin(*count_args(fake_cloudtrail, "--max-pages=2"))
    assert run.rc == 3, str(run)
    assert run.stdout.startswith("UNKNOWN: ") and run.stdout.endswith(" \n"), str(run)
    assert "LookupEvents" in run.stdout, str(run)
    assert len(fake_cloudtrail.requests()) == 2


def test_json_error_is_reported(plugin, fake_cloudtrail):
    # Not worth retrying: one request, the code and message as sent.
    run = plugin(*count_args(fake_cloudtrail, path="/_error/InvalidLookupAttributesException"))
    assert (run.stdout, run.rc) == (
        "UNKNOWN: LookupEvents failed: InvalidLookupAttributesException: "
        "InvalidLookupAttributesException (asked for by the test) \n",
        3,
    ), str(run)
    assert len(fake_cloudtrail.requests()) == 1


def test_throttling_is_retried_then_reported(plugin, fake_cloudtrail):
    # The SDKs' standard mode: 3 attempts in all, and the line says so.
    run = plugin(*count_args(fake_cloudtrail, path="/_error/ThrottlingException"))
    assert (run.stdout, run.rc) == (
        "UNKNOWN: LookupEvents failed: ThrottlingException: ThrottlingException (asked for by the test) "
        "(after 3 attempts) \n",
        3,
    ), str(run)
    assert len(fake_cloudtrail.requests()) == 3


def test_connection_refused_is_unknown(plugin, fake_cloudtrail):
    url = fake_cloudtrail.url
    fake_cloudtrail.stop()
    run = plugin("--custommode=paws", "--aws-access-key=AK", "--aws-secret-key=SK", "--region=eu-west-1",
                 f"--endpoint-url={url}", "--mode=countevents", "--timeout=10")
    assert run.rc == 3, str(run)
    assert run.stdout.startswith("UNKNOWN: ") and run.stdout.endswith(" \n"), str(run)
