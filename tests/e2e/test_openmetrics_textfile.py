"""--output-openmetrics-textfile read by Prometheus' own text parser
(prometheus_client.parser, the Python twin of the expfmt parser
node_exporter's textfile collector uses), over several runs of the same
checks in different states, as the collector would read the .prom file
after each run: no sample carries a timestamp (the collector refuses the
whole file otherwise) and every family keeps the same label names from
run to run and from check to check (its registry fails the scrape
otherwise)."""

from prometheus_client.parser import text_string_to_metric_families

from conftest import REGION

LABELS = {"plugin", "mode", "unit", "warning", "critical", "min", "max", "instance"}


def families(text):
    """name -> [(labels, value)], every sample without a timestamp."""
    out = {}
    for fam in text_string_to_metric_families(text):
        assert fam.type == "gauge", fam
        for s in fam.samples:
            assert s.timestamp is None, s
            out.setdefault(s.name, []).append((s.labels, s.value))
    return out


def test_textfile_runs_parse_with_stable_label_sets(plugin, fake_cloudtrail, moto_iam):
    trail, _ = moto_iam.new_trail(logging=True)
    base = ["--custommode=paws", f"--region={REGION}", "--output-openmetrics-textfile"]
    events = [*base, "--aws-access-key=AKIDEXAMPLE", "--aws-secret-key=e2e/secret",
              f"--endpoint-url={fake_cloudtrail.url}"]
    trails = [*base, *moto_iam.user.args(), f"--endpoint-url={moto_iam.url}"]
    checks = [
        # (argv, exit code): OK, WARNING, CRITICAL, then the same checks
        # after a state change, then an execution error.
        ([*events, "--mode=countevents"], 0),
        ([*events, "--mode=countevents", "--warning-count=5"], 1),
        ([*events, "--mode=countevents", "--warning-count=3", "--critical-count=5"], 2),
        ([*events, "--mode=securityevents"], 0),
        ([*trails, "--mode=checktrailstatus", f"--trail-name={trail}"], 0),
        ([*trails, "--mode=trailsecurity", f"--trail-name={trail}"], None),
        ([*trails, "--mode=checktrailstatus", "--trail-name=no-such-trail"], 3),
        ([*base, *moto_iam.noperm.args(), f"--endpoint-url={moto_iam.url}", "--mode=checktrailstatus",
          f"--trail-name={trail}"], 3),
    ]
    seen = {}
    for argv, code in checks * 2:  # twice: the same file rewritten
        # stdout, not --output-file, which upstream leaves untouched after
        # an execution error (the file would keep the last good run).
        run = plugin(*argv)
        if code is not None:
            assert run.rc == code, str(run)
        text = run.stdout
        assert "# EOF" not in text and "\n\n" not in text and text.endswith("\n"), text
        fams = families(text)
        status = fams["plugin_mode_status"]
        assert [v for _, v in status] == [float(run.rc)], text
        for name, samples in fams.items():
            for labels, _ in samples:
                assert set(labels) == LABELS, (name, labels)
                seen.setdefault(name, set()).add(frozenset(labels))
    # One label-name set per family over every run and every check.
    assert all(len(v) == 1 for v in seen.values()), seen
    assert {"events_count", "trail_is_logging", "root_account_usage_new", "logging",
            "plugin_mode_status"} <= seen.keys()


def test_plain_openmetrics_would_be_refused_by_the_collector(plugin, fake_cloudtrail):
    # The contrast: --output-openmetrics carries timestamps (in seconds,
    # OpenMetrics'), which node_exporter's textfile collector refuses.
    run = plugin("--custommode=paws", f"--region={REGION}", "--aws-access-key=AK", "--aws-secret-key=SK",
                 f"--endpoint-url={fake_cloudtrail.url}", "--mode=countevents", "--output-openmetrics")
    assert run.rc == 0 and run.stdout.endswith("# EOF\n"), str(run)
    samples = [s for f in text_string_to_metric_families(run.stdout) for s in f.samples]
    assert samples and all(s.timestamp is not None for s in samples), samples
