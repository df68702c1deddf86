"""trailsecurity, traildelivery, listtrails and --all-trails against moto
with IAM authentication on.

This module runs a moto of its own (IAM auth on, TZ=UTC), not the
session's `moto_iam`: the trails of the other tests would show up in every
ListTrails and DescribeTrails answer here, and moto's DescribeTrails
ignores `trailNameList` (see below). Each test starts with no trail at all
and deletes the trails it made. Who may do what (bootstrap, unauthenticated):

  e2e-admin     cloudtrail:*, s3:*, sns:*, kms:*, logs:*, iam:* — makes the
                bucket, KMS key, log group, CloudWatch Logs role, topic, trails
  e2e-monitor   cloudtrail:* — the binary's credentials
  e2e-readonly  exactly the IAM the README documents for the three modes:
                DescribeTrails, GetEventSelectors, GetTrailStatus,
                GetInsightSelectors, ListTrails
  e2e-noinsight the same without GetInsightSelectors (the IAM documented
                before the insights check)
  e2e-delivery  traildelivery's documented IAM only: DescribeTrails,
                GetTrailStatus

What moto 5.2.5 answers, and what the tests below rely on (read in
moto/cloudtrail/models.py and checked against its answers):

- DescribeTrails ignores `trailNameList`: it returns every trail of the
  region plus every multi-region trail of the account, in creation order.
  The binary picks the trail asked for (by name or ARN) out of that answer,
  so several trails in the account are no problem (tested below). `KmsKeyId`, `CloudWatchLogsLogGroupArn` are null when
  not set; `SnsTopicName`/`SnsTopicARN` are absent then.
- CreateTrail wants the S3 bucket and the SNS topic to exist; the KMS key,
  log group and role are stored as given, unchecked (made anyway).
  IncludeGlobalServiceEvents defaults to true and cannot be false on a
  multi-region trail (as AWS).
- GetEventSelectors of a new trail is `{"EventSelectors": [],
  "AdvancedEventSelectors": []}` (AWS gives a new trail one selector
  recording every management event): no selector records nothing, so
  trailsecurity's management_events check fails on moto's default.
  PutEventSelectors stores what it is given.
- GetTrailStatus: `IsLogging`; once StartLogging was called,
  `StartLoggingTime` and `LatestDeliveryTime`, the latter set to *now* on
  every GetTrailStatus while the trail logs (frozen after StopLogging);
  `StopLoggingTime` after StopLogging. Never any `LatestDeliveryError`,
  nor any CloudWatch Logs, digest or notification time or error. moto
  computes these epochs with time.mktime() on a UTC wall clock, so they are
  right only when moto's local time zone is UTC: hence TZ=UTC.
- GetInsightSelectors of a trail without Insights answers no
  `InsightSelectors` (AWS: InsightNotEnabledException, covered by the
  loopback tests); PutInsightSelectors appends to the list, unchecked.
- PutEventSelectors stores advanced selectors as given, unchecked.
"""

import json
import re
import uuid
import xml.etree.ElementTree as ET

import botocore.exceptions
import pytest

from conftest import ACCOUNT, REGION, VENV_BIN, Keys, MotoServer, botocore_client, policy

OTHER_REGION = "us-east-1"
# The bootstrap calls made before moto turns IAM authentication on.
BOOTSTRAP_CALLS = 15
# Seconds between moto's LatestDeliveryTime (set when it answers) and the
# binary's clock (read just after): 0 or 1 on a sane machine.
MAX_DELIVERY_AGE = 2

CHECKS = ["logging", "multi_region", "management_events", "global_service_events",
          "log_file_validation", "kms_encryption", "cloudwatch_logs", "insights"]
CONTROLS = {
    "logging": "Security Hub CloudTrail.3",
    "multi_region": "CIS 3.1, Security Hub CloudTrail.1",
    "management_events": "CIS 3.1, Security Hub CloudTrail.1",
    "global_service_events": "CIS 3.1",
    "log_file_validation": "CIS 3.2, Security Hub CloudTrail.4",
    "kms_encryption": "CIS 3.7, Security Hub CloudTrail.2",
    "cloudwatch_logs": "CIS 3.4, Security Hub CloudTrail.5",
    "insights": "no benchmark control; unusual API call and error volumes: credential abuse, enumeration",
    "data_events": "Stratus Red Team aws.defense-evasion.cloudtrail-event-selectors",
}
FAILURES = {
    "logging": "not logging",
    "multi_region": "not multi-region",
    "management_events": "does not record every read and write management event",
    "global_service_events": "does not include global service events",
    "log_file_validation": "log file validation off",
    "kms_encryption": "logs not encrypted with KMS",
    "cloudwatch_logs": "not sent to CloudWatch Logs",
    "insights": "Insights not on for both API call and error rates",
}

# Event selectors (PutEventSelectors arguments).
ALL_MANAGEMENT = {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True,
                                      "ExcludeManagementEventSources": []}]}
WRITE_ONLY = {"EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]}
READ_ONLY = {"EventSelectors": [{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True}]}
EXCLUDED_SOURCE = {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True,
                                       "ExcludeManagementEventSources": ["kms.amazonaws.com"]}]}
DATA_ONLY = {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": False,
                                 "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]}
ADVANCED_MANAGEMENT = {"AdvancedEventSelectors": [
    {"Name": "management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]}
ADVANCED_WRITE_ONLY = {"AdvancedEventSelectors": [
    {"Name": "writes", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                          {"Field": "readOnly", "Equals": ["false"]}]}]}
ADVANCED_NO_KMS = {"AdvancedEventSelectors": [
    {"Name": "no-kms", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                          {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]}]}]}
MOTO_DEFAULT = None  # no PutEventSelectors: moto's empty selectors
# Insight selectors (PutInsightSelectors arguments).
BOTH_INSIGHTS = [{"InsightType": "ApiCallRateInsight"}, {"InsightType": "ApiErrorRateInsight"}]
CALL_RATE_ONLY = [{"InsightType": "ApiCallRateInsight"}]


def user_arn(name):
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


def trail_arn(name, region=REGION):
    return f"arn:aws:cloudtrail:{region}:{ACCOUNT}:trail/{name}"


class TrailEnv:
    """This module's moto: its URL, users, and the resources trails use."""

    def __init__(self, server, admin, monitor, readonly, delivery):
        self.server = server
        self.url = server.url
        self.admin, self.monitor, self.readonly, self.delivery = admin, monitor, readonly, delivery
        self.bucket = f"e2e-trail-modes-{uuid.uuid4().hex[:8]}"
        self.topic = "e2e-trail-topic"
        self.clients = {}

    def client(self, service, region=REGION):
        """The admin's client (made once: botocore's are slow to make)."""
        key = (service, region)
        if key not in self.clients:
            self.clients[key] = botocore_client(service, self.url, self.admin.access_key,
                                                self.admin.secret_key, region=region)
        return self.clients[key]

    def make_resources(self):
        self.client("s3").create_bucket(Bucket=self.bucket,
                                        CreateBucketConfiguration={"LocationConstraint": REGION})
        self.kms_key = self.client("kms").create_key(Description="trail logs")["KeyMetadata"]["Arn"]
        logs = self.client("logs")
        logs.create_log_group(logGroupName="e2e-trail")
        self.log_group = logs.describe_log_groups(logGroupNamePrefix="e2e-trail")["logGroups"][0]["arn"]
        assert self.log_group == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:e2e-trail:*"
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "sts:AssumeRole"}]})
        self.cw_role = self.client("iam").create_role(RoleName="e2e-trail-to-cloudwatch",
                                                      AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        self.topic_arn = self.client("sns").create_topic(Name=self.topic)["TopicArn"]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    server = MotoServer(tmp_path_factory.mktemp("moto-trail-modes"),
                        {"INITIAL_NO_AUTH_ACTION_COUNT": str(BOOTSTRAP_CALLS), "TZ": "UTC"})
    try:
        iam = botocore_client("iam", server.url, "AKIAIOSFODNN7EXAMPLE", "bootstrap-secret")

        def user(name, *actions):  # 3 calls each
            iam.create_user(UserName=name)
            k = iam.create_access_key(UserName=name)["AccessKey"]
            iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy(*actions))
            return Keys(k["AccessKeyId"], k["SecretAccessKey"])

        admin = user("e2e-admin", "cloudtrail:*", "s3:*", "sns:*", "kms:*", "logs:*", "iam:*")
        monitor = user("e2e-monitor", "cloudtrail:*")
        readonly = user("e2e-readonly", "cloudtrail:DescribeTrails", "cloudtrail:GetEventSelectors",
                        "cloudtrail:GetTrailStatus", "cloudtrail:GetInsightSelectors", "cloudtrail:ListTrails")
        noinsight = user("e2e-noinsight", "cloudtrail:DescribeTrails", "cloudtrail:GetEventSelectors",
                         "cloudtrail:GetTrailStatus", "cloudtrail:ListTrails")
        delivery = user("e2e-delivery", "cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus")
        with pytest.raises(botocore.exceptions.ClientError, match="InvalidClientTokenId"):
            iam.list_users()  # IAM authentication is on from here
        e = TrailEnv(server, admin, monitor, readonly, delivery)
        e.noinsight = noinsight
        e.make_resources()
        yield e
    finally:
        server.stop()


class Trails:
    """Makes trails for one test, and deletes them afterwards."""

    def __init__(self, env):
        self.env = env
        self.made = []  # (name, region)

    def create(self, name, *, region=REGION, multi_region=True, validation=True, kms=True,
               cloudwatch=True, sns=False, global_events=True, logging="on",
               selectors=ALL_MANAGEMENT, insights=BOTH_INSIGHTS):
        """A trail; by default one that passes every security check.
        logging: "on", "never" (never started) or "stopped" (started, then
        stopped). insights: the insight selectors, None for none."""
        ct = self.env.client("cloudtrail", region)
        params = dict(Name=name, S3BucketName=self.env.bucket, IsMultiRegionTrail=multi_region,
                      EnableLogFileValidation=validation, IncludeGlobalServiceEvents=global_events)
        if kms:
            params["KmsKeyId"] = self.env.kms_key
        if cloudwatch:
            params["CloudWatchLogsLogGroupArn"] = self.env.log_group
            params["CloudWatchLogsRoleArn"] = self.env.cw_role
        if sns:
            params["SnsTopicName"] = self.env.topic
        assert ct.create_trail(**params)["TrailARN"] == trail_arn(name, region)
        self.made.append((name, region))
        if selectors is not None:
            ct.put_event_selectors(TrailName=name, **selectors)
        if insights is not None:
            ct.put_insight_selectors(TrailName=name, InsightSelectors=insights)
        if logging in ("on", "stopped"):
            ct.start_logging(Name=name)
        if logging == "stopped":
            ct.stop_logging(Name=name)
        assert ct.get_trail_status(Name=name)["IsLogging"] is (logging == "on")
        return name

    def delete_all(self):
        for name, region in reversed(self.made):
            self.env.client("cloudtrail", region).delete_trail(Name=name)


@pytest.fixture
def trails(env):
    ct = env.client("cloudtrail")
    assert ct.describe_trails()["trailList"] == [], "a trail left over by another test"
    t = Trails(env)
    yield t
    t.delete_all()
    assert ct.list_trails()["Trails"] == []


def args(env, mode, *extra, keys=None):
    return [*(keys or env.monitor).args(), f"--region={REGION}", f"--endpoint-url={env.url}",
            f"--mode={mode}", "--timeout=20", *extra]


def assert_run(run, stdout, rc):
    assert (run.stdout, run.rc) == (stdout, rc), str(run)


def security_perf(*failing, prefix="", checks=CHECKS):
    """trailsecurity's perfdata: each check 0 (in `failing`) or 1."""
    return " ".join(f"'{prefix}{c}'={0 if c in failing else 1};;;0;1" for c in checks)


def security_long(*failing, checks=CHECKS):
    """--verbose's lines, one per check."""
    return "".join(f"{c}: {FAILURES[c] if c in failing else 'ok'} ({CONTROLS[c]})\n" for c in checks)


def delivery_age(run):
    """The delivery_age metric of a run (seconds); moto set the delivery
    time when it answered, so it is 0 or 1."""
    m = re.search(r"'delivery_age'=(\d+)s;", run.stdout)
    assert m, str(run)
    age = int(m.group(1))
    assert 0 <= age <= MAX_DELIVERY_AGE, str(run)
    return age


def unknown(detail):
    return f"UNKNOWN: {detail} \n"


def denied(op, who):
    return unknown(f"{op} failed: AccessDenied: User: {user_arn(who)} is not authorized to perform: "
                   f"cloudtrail:{op}")


# --------------------------------------------------------------------------
# trailsecurity


def test_security_compliant_trail_is_ok(plugin, env, trails):
    trails.create("main")
    ok = f"OK: Trail main: all 8 security checks pass | {security_perf()}\n"
    assert_run(plugin(*args(env, "trailsecurity", "--trail-name=main")), ok, 0)
    # By ARN too; and --verbose lists every check with its controls.
    run = plugin(*args(env, "trailsecurity", f"--trail-name={trail_arn('main')}", "--verbose"))
    assert_run(run, ok + security_long(), 0)
    assert run.stderr == ""


def test_security_hardening_gaps_warn(plugin, env, trails):
    # README's example: validation off, no KMS, no CloudWatch Logs.
    trails.create("main", validation=False, kms=False, cloudwatch=False)
    failing = ("log_file_validation", "kms_encryption", "cloudwatch_logs")
    expected = ("WARNING: Trail main: log file validation off, logs not encrypted with KMS, "
                f"not sent to CloudWatch Logs | {security_perf(*failing)}\n")
    assert_run(plugin(*args(env, "trailsecurity", "--trail-name=main")), expected, 1)
    run = plugin(*args(env, "trailsecurity", "--trail-name=main", "--verbose"))
    assert_run(run, expected + security_long(*failing), 1)


@pytest.mark.parametrize("kwargs, failing", [
    (dict(multi_region=False), ("multi_region",)),
    (dict(logging="stopped"), ("logging",)),
    (dict(logging="never"), ("logging",)),
    (dict(selectors=WRITE_ONLY), ("management_events",)),
    (dict(selectors=READ_ONLY), ("management_events",)),
    (dict(selectors=EXCLUDED_SOURCE), ("management_events",)),
    (dict(selectors=DATA_ONLY), ("management_events",)),
    (dict(selectors=ADVANCED_WRITE_ONLY), ("management_events",)),
    (dict(selectors=ADVANCED_NO_KMS), ("management_events",)),
    # moto's new trail has no selector at all (AWS's has one for every
    # management event): nothing is recorded, and the check says so.
    (dict(selectors=MOTO_DEFAULT), ("management_events",)),
], ids=["single-region", "stopped", "never-started", "write-only", "read-only", "excluded-source",
        "data-events-only", "advanced-write-only", "advanced-excluded-source", "moto-default-selectors"])
def test_security_coverage_gap_is_critical(plugin, env, trails, kwargs, failing):
    trails.create("main", **kwargs)
    text = ", ".join(FAILURES[c] for c in failing)
    assert_run(plugin(*args(env, "trailsecurity", "--trail-name=main")),
               f"CRITICAL: Trail main: {text} | {security_perf(*failing)}\n", 2)


def test_security_advanced_selector_on_every_management_event_is_ok(plugin, env, trails):
    trails.create("main", selectors=ADVANCED_MANAGEMENT)
    assert_run(plugin(*args(env, "trailsecurity", "--trail-name=main")),
               f"OK: Trail main: all 8 security checks pass | {security_perf()}\n", 0)


def test_security_everything_wrong(plugin, env, trails):
    # Global service events off needs a single-region trail (moto, like
    # AWS, refuses it on a multi-region one). Every failing check is on the
    # line, in the table's order; critical wins.
    trails.create("main", multi_region=False, global_events=False, validation=False, kms=False,
                  cloudwatch=False, logging="never", selectors=WRITE_ONLY, insights=None)
    text = ", ".join(FAILURES[c] for c in CHECKS)
    run = plugin(*args(env, "trailsecurity", "--trail-name=main", "--verbose"))
    assert_run(run, f"CRITICAL: Trail main: {text} | {security_perf(*CHECKS)}\n" + security_long(*CHECKS), 2)


def test_security_global_service_events_off_warns(plugin, env, trails):
    # On a single-region trail, which alone is critical: so the critical
    # expression is narrowed to what this trail passes.
    trails.create("main", multi_region=False, global_events=False)
    run = plugin(*args(env, "trailsecurity", "--trail-name=main", '--critical-status=%{logging} eq "false"'))
    assert_run(run, "WARNING: Trail main: not multi-region, does not include global service events | "
                    f"{security_perf('multi_region', 'global_service_events')}\n", 1)


def test_security_custom_status_expressions(plugin, env, trails):
    trails.create("main", kms=False)
    base = args(env, "trailsecurity", "--trail-name=main")
    line = f"Trail main: logs not encrypted with KMS | {security_perf('kms_encryption')}\n"
    assert_run(plugin(*base), "WARNING: " + line, 1)
    # KMS made critical.
    assert_run(plugin(*base, '--critical-status=%{kms_encryption} eq "false"'), "CRITICAL: " + line, 2)
    # An empty expression turns that state off: the gap is still named.
    assert_run(plugin(*base, "--warning-status="), "OK: " + line, 0)
    # Only CloudWatch Logs warns now; the KMS gap no longer alerts.
    assert_run(plugin(*base, '--warning-status=%{cloudwatch_logs} eq "false"'), "OK: " + line, 0)
    # %{name} is a variable too.
    assert_run(plugin(*base, '--critical-status=%{name} eq "main" and %{kms_encryption} =~ /false/'),
               "CRITICAL: " + line, 2)
    assert_run(plugin(*base, '--critical-status=%{name} ne "main"', "--warning-status="), "OK: " + line, 0)


def test_security_unknown_variable_is_refused(plugin, env):
    # Refused before any request, naming the variables there are.
    run = plugin(*args(env, "trailsecurity", "--trail-name=main", '--warning-status=%{encryption} eq "false"'))
    known = ", ".join(f"%{{{v}}}" for v in [*CHECKS, "data_events", "name"])
    assert_run(run, unknown(f"--warning-status '%{{encryption}} eq \"false\"': unknown variable %{{encryption}} "
                            f"(known: {known})"), 3)


def test_security_filter_check(plugin, env, trails):
    trails.create("main", kms=False, selectors=WRITE_ONLY)
    base = args(env, "trailsecurity", "--trail-name=main")
    both = ("management_events", "kms_encryption")
    assert_run(plugin(*base), "CRITICAL: Trail main: does not record every read and write management event, "
                              f"logs not encrypted with KMS | {security_perf(*both)}\n", 2)
    # Only the checks kept are shown and counted; the others read as passing.
    two = ["logging", "multi_region"]
    run = plugin(*base, "--filter-check=^(logging|multi_region)$", "--verbose")
    assert_run(run, f"OK: Trail main: all 2 security checks pass | {security_perf(checks=two)}\n"
                    + security_long(checks=two), 0)
    run = plugin(*base, "--filter-check=kms")
    assert_run(run, "WARNING: Trail main: logs not encrypted with KMS | "
                    f"{security_perf('kms_encryption', checks=['kms_encryption'])}\n", 1)
    # Left out, management_events no longer makes the default critical.
    run = plugin(*base, "--filter-check=^(?:logging|kms_encryption)$")
    assert_run(run, "WARNING: Trail main: logs not encrypted with KMS | "
                    f"{security_perf('kms_encryption', checks=['logging', 'kms_encryption'])}\n", 1)


def test_security_follows_changes(plugin, env, trails):
    trails.create("main")
    ct = env.client("cloudtrail")
    base = args(env, "trailsecurity", "--trail-name=main")
    assert_run(plugin(*base), f"OK: Trail main: all 8 security checks pass | {security_perf()}\n", 0)
    ct.put_event_selectors(TrailName="main", **WRITE_ONLY)
    ct.stop_logging(Name="main")
    failing = ("logging", "management_events")
    assert_run(plugin(*base), "CRITICAL: Trail main: not logging, does not record every read and write "
                              f"management event | {security_perf(*failing)}\n", 2)
    ct.put_event_selectors(TrailName="main", **ALL_MANAGEMENT)
    ct.start_logging(Name="main")
    assert_run(plugin(*base), f"OK: Trail main: all 8 security checks pass | {security_perf()}\n", 0)


def test_security_unknown_trail(plugin, env, trails):
    # moto's DescribeTrails answers an empty list when the account has no
    # trail; AWS does for a name it does not know.
    run = plugin(*args(env, "trailsecurity", "--trail-name=nope"))
    assert_run(run, unknown("DescribeTrails failed: TrailNotFoundException: no trail named nope in the answer"), 3)


# --------------------------------------------------------------------------
# trailsecurity: Insights and --require-data-events

WITH_DATA = [*CHECKS, "data_events"]
PAYROLL = "AWS::S3::Object=arn:aws:s3:::payroll/"
NO_PAYROLL = f"does not record every read and write data event of {PAYROLL}"
BASIC_PAYROLL = {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True,
                                     "DataResources": [{"Type": "AWS::S3::Object",
                                                        "Values": ["arn:aws:s3:::payroll/"]}]}]}
BASIC_PAYROLL_READS = {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True},
                                          {"ReadWriteType": "ReadOnly", "IncludeManagementEvents": False,
                                           "DataResources": [{"Type": "AWS::S3::Object",
                                                              "Values": ["arn:aws:s3"]}]}]}


def advanced_payroll(*arn_fields):
    return {"AdvancedEventSelectors": [
        {"Name": "management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
        {"Name": "payroll", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                                               {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                                               *arn_fields]}]}


ADVANCED_PAYROLL = advanced_payroll({"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::payroll/"]})
ADVANCED_PAYROLL_CSV = advanced_payroll({"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::payroll/"]},
                                        {"Field": "resources.ARN", "EndsWith": [".csv"]})
ADVANCED_ALL_S3_WRITES = advanced_payroll({"Field": "readOnly", "Equals": ["false"]})


@pytest.mark.parametrize("insights", [None, CALL_RATE_ONLY], ids=["no-insights", "call-rate-only"])
def test_security_insights_off_is_named_and_measured_not_alerted(plugin, env, trails, insights):
    trails.create("main", insights=insights)
    line = f"Trail main: {FAILURES['insights']} | {security_perf('insights')}\n"
    run = plugin(*args(env, "trailsecurity", "--trail-name=main", "--verbose"))
    assert_run(run, "OK: " + line + security_long("insights"), 0)
    run = plugin(*args(env, "trailsecurity", "--trail-name=main", '--warning-status=%{insights} eq "false"'))
    assert_run(run, "WARNING: " + line, 1)


@pytest.mark.parametrize("selectors", [BASIC_PAYROLL, ADVANCED_PAYROLL], ids=["basic", "advanced"])
def test_security_required_data_events_recorded(plugin, env, trails, selectors):
    trails.create("main", selectors=selectors)
    base = args(env, "trailsecurity", "--trail-name=main")
    # Without the option, no data_events check: the 8 others.
    assert_run(plugin(*base), f"OK: Trail main: all 8 security checks pass | {security_perf()}\n", 0)
    run = plugin(*base, f"--require-data-events={PAYROLL}", "--verbose")
    assert_run(run, f"OK: Trail main: all 9 security checks pass | {security_perf(checks=WITH_DATA)}\n"
                    + security_long() + f"data_events: ok ({CONTROLS['data_events']})\n", 0)
    # Every S3 object is more than the trail records.
    run = plugin(*base, "--require-data-events=AWS::S3::Object")
    assert_run(run, "CRITICAL: Trail main: does not record every read and write data event of AWS::S3::Object"
                    f" | {security_perf('data_events', checks=WITH_DATA)}\n", 2)


@pytest.mark.parametrize("selectors", [ALL_MANAGEMENT, BASIC_PAYROLL_READS, ADVANCED_PAYROLL_CSV,
                                       ADVANCED_ALL_S3_WRITES],
                         ids=["management-only", "basic-reads-only", "advanced-csv-only", "advanced-writes-only"])
def test_security_required_data_events_missing_is_critical(plugin, env, trails, selectors):
    trails.create("main", selectors=selectors)
    base = args(env, "trailsecurity", "--trail-name=main", f"--require-data-events={PAYROLL}")
    line = f"Trail main: {NO_PAYROLL} | {security_perf('data_events', checks=WITH_DATA)}\n"
    run = plugin(*base, "--verbose")
    assert_run(run, "CRITICAL: " + line + security_long()
               + f"data_events: {NO_PAYROLL} ({CONTROLS['data_events']})\n", 2)
    # An explicit --critical-status stays as given.
    assert_run(plugin(*base, '--critical-status=%{logging} eq "false"'), "OK: " + line, 0)


def test_security_insights_and_data_events_through_the_aws_cli(plugin, aws_cli, env, trails):
    trails.create("main", selectors=ADVANCED_PAYROLL)
    trails.create("other", selectors=ADVANCED_PAYROLL_CSV, insights=None)
    run = same_through_the_aws_cli(plugin, args(env, "trailsecurity", "--trail-name=main",
                                                f"--require-data-events={PAYROLL}"))
    assert_run(run, f"OK: Trail main: all 9 security checks pass | {security_perf(checks=WITH_DATA)}\n", 0)
    run = same_through_the_aws_cli(plugin, args(env, "trailsecurity", "--trail-name=other",
                                                f"--require-data-events={PAYROLL}"))
    assert_run(run, f"CRITICAL: Trail other: {FAILURES['insights']}, {NO_PAYROLL} | "
                    f"{security_perf('insights', 'data_events', checks=WITH_DATA)}\n", 2)


# --------------------------------------------------------------------------
# traildelivery


DELIVERY_ERROR = "'delivery_error'=0;;0:0;0;1"
CW_ERROR = "'cloudwatch_logs_error'=0;;0:0;0;1"
DIGEST_ERROR = "'digest_error'=0;;0:0;0;1"
NOTIFICATION_ERROR = "'notification_error'=0;0:0;;0;1"


def age_perf(age, warning="0:21600", critical="0:86400"):
    return f"'delivery_age'={age}s;{warning};{critical};0;"


def test_delivery_never_started_is_critical(plugin, env, trails):
    # No StartLogging yet: moto's status has no LatestDeliveryTime, which
    # the mode reads as "never delivered": infinitely old, CRITICAL, and no
    # age metric.
    trails.create("main", multi_region=False, validation=False, kms=False, cloudwatch=False,
                  logging="never")
    run = plugin(*args(env, "traildelivery", "--trail-name=main", "--verbose"))
    assert_run(run, f"CRITICAL: Trail main: S3 log files: last delivery never | {DELIVERY_ERROR}\n"
                    "OK: no S3 delivery error\n"
                    "CRITICAL: S3 log files: last delivery never\n", 2)


def test_delivery_logging_trail_is_ok(plugin, env, trails):
    # While a trail logs, moto sets LatestDeliveryTime to the time of each
    # GetTrailStatus: the logs were "just" delivered. With neither log
    # group, validation nor topic only the S3 sub-checks apply.
    trails.create("main", multi_region=False, validation=False, kms=False, cloudwatch=False)
    run = plugin(*args(env, "traildelivery", "--trail-name=main"))
    age = delivery_age(run)
    assert_run(run, f"OK: Trail main: logs delivered {age}s ago | {DELIVERY_ERROR} {age_perf(age)}\n", 0)
    run = plugin(*args(env, "traildelivery", f"--trail-name={trail_arn('main')}", "--verbose"))
    age = delivery_age(run)
    assert_run(run, f"OK: Trail main: logs delivered {age}s ago | {DELIVERY_ERROR} {age_perf(age)}\n"
                    "no S3 delivery error\n"
                    f"S3 log files: last delivery {age}s ago\n", 0)


def test_delivery_stopped_trail_keeps_its_last_delivery(plugin, env, trails):
    # Not logging is checktrailstatus' and trailsecurity's business: moto
    # keeps the last delivery time after StopLogging, which is recent.
    trails.create("main", multi_region=False, validation=False, kms=False, cloudwatch=False,
                  logging="stopped")
    run = plugin(*args(env, "traildelivery", "--trail-name=main"))
    age = delivery_age(run)
    assert_run(run, f"OK: Trail main: logs delivered {age}s ago | {DELIVERY_ERROR} {age_perf(age)}\n", 0)


def test_delivery_age_thresholds(plugin, env, trails):
    trails.create("main", multi_region=False, validation=False, kms=False, cloudwatch=False)
    # @0:3600: alert when 0 <= age <= 3600, which a fresh delivery is.
    run = plugin(*args(env, "traildelivery", "--trail-name=main", "--warning-delivery-age=@0:3600"))
    age = delivery_age(run)
    assert_run(run, f"WARNING: Trail main: S3 log files: last delivery {age}s ago | {DELIVERY_ERROR} "
                    f"{age_perf(age, warning='@0:3600')}\n", 1)
    # 60: alert when age < 60; an empty warning keeps the default.
    run = plugin(*args(env, "traildelivery", "--trail-name=main", "--critical-delivery-age=60:",
                       "--warning-delivery-age="))
    age = delivery_age(run)
    assert_run(run, f"CRITICAL: Trail main: S3 log files: last delivery {age}s ago | {DELIVERY_ERROR} "
                    f"{age_perf(age, critical='60:')}\n", 2)


def test_delivery_every_sub_check(plugin, env, trails):
    # A log group, log file validation and a topic: their sub-checks apply.
    # moto's GetTrailStatus never has LatestCloudWatchLogsDeliveryTime nor
    # LatestDigestDeliveryTime: both read as never delivered, CRITICAL by
    # default; no notification error is no error.
    trails.create("main", sns=True)
    run = plugin(*args(env, "traildelivery", "--trail-name=main", "--verbose"))
    age = delivery_age(run)
    assert_run(run, "CRITICAL: Trail main: CloudWatch Logs: last delivery never - "
                    "Trail main: digest files: last delivery never | "
                    f"{DELIVERY_ERROR} {age_perf(age)} {CW_ERROR} {DIGEST_ERROR} {NOTIFICATION_ERROR}\n"
                    "OK: no S3 delivery error\n"
                    f"OK: S3 log files: last delivery {age}s ago\n"
                    "OK: no CloudWatch Logs delivery error\n"
                    "CRITICAL: CloudWatch Logs: last delivery never\n"
                    "OK: no digest delivery error\n"
                    "CRITICAL: digest files: last delivery never\n"
                    "OK: no SNS notification error\n", 2)
    # "0:" alerts only below 0: an infinite age passes. Both thresholds of
    # both ages are set (an empty one would keep the default).
    relaxed = ["--warning-cloudwatch-logs-age=0:", "--critical-cloudwatch-logs-age=0:",
               "--warning-digest-age=0:", "--critical-digest-age=0:"]
    run = plugin(*args(env, "traildelivery", "--trail-name=main", *relaxed))
    age = delivery_age(run)
    assert_run(run, f"OK: Trail main: logs delivered {age}s ago | {DELIVERY_ERROR} {age_perf(age)} "
                    f"{CW_ERROR} {DIGEST_ERROR} {NOTIFICATION_ERROR}\n", 0)
    # Only the CloudWatch Logs age relaxed: the digest still alerts.
    run = plugin(*args(env, "traildelivery", "--trail-name=main", *relaxed[:2]))
    age = delivery_age(run)
    assert_run(run, "CRITICAL: Trail main: digest files: last delivery never | "
                    f"{DELIVERY_ERROR} {age_perf(age)} {CW_ERROR} {DIGEST_ERROR} {NOTIFICATION_ERROR}\n", 2)


def test_delivery_topic_only(plugin, env, trails):
    trails.create("main", multi_region=False, validation=False, kms=False, cloudwatch=False, sns=True)
    run = plugin(*args(env, "traildelivery", "--trail-name=main"))
    age = delivery_age(run)
    assert_run(run, f"OK: Trail main: logs delivered {age}s ago | {DELIVERY_ERROR} {age_perf(age)} "
                    f"{NOTIFICATION_ERROR}\n", 0)
    # The SNS error's threshold is an option like the others.
    run = plugin(*args(env, "traildelivery", "--trail-name=main", "--warning-notification-error=1:"))
    age = delivery_age(run)
    assert_run(run, "WARNING: Trail main: no SNS notification error | "
                    f"{DELIVERY_ERROR} {age_perf(age)} 'notification_error'=0;1:;;0;1\n", 1)


# --------------------------------------------------------------------------
# One trail among several: moto's DescribeTrails answers every trail


def test_security_and_delivery_of_the_second_trail(plugin, env, trails):
    trails.create("first")
    trails.create("second", kms=False, cloudwatch=False, validation=False, multi_region=False)
    failing = ("multi_region", "log_file_validation", "kms_encryption", "cloudwatch_logs")
    text = ", ".join(FAILURES[c] for c in failing)
    assert_run(plugin(*args(env, "trailsecurity", "--trail-name=second")),
               f"CRITICAL: Trail second: {text} | {security_perf(*failing)}\n", 2)
    run = plugin(*args(env, "traildelivery", "--trail-name=second"))
    age = delivery_age(run)
    assert_run(run, f"OK: Trail second: logs delivered {age}s ago | {DELIVERY_ERROR} {age_perf(age)}\n", 0)


# --------------------------------------------------------------------------
# listtrails


def list_line(name, region=REGION):
    return f"[name = {name}] [arn = {trail_arn(name, region)}] [home_region = {region}]\n"


@pytest.fixture
def listed_trails(trails, env):
    """alpha and beta of this region, a multi-region trail of another
    region (listed here, with its home region), and a single-region trail
    of that other region (not listed here)."""
    trails.create("alpha", multi_region=False)
    trails.create("beta")
    trails.create("org-wide", region=OTHER_REGION, kms=False, cloudwatch=False)
    trails.create("elsewhere", region=OTHER_REGION, multi_region=False, kms=False, cloudwatch=False)
    listed = [(t["Name"], t["HomeRegion"]) for t in env.client("cloudtrail").list_trails()["Trails"]]
    assert sorted(listed) == [("alpha", REGION), ("beta", REGION), ("org-wide", OTHER_REGION)], listed
    return listed  # in moto's order, which the binary keeps


def test_listtrails_plain(plugin, env, listed_trails):
    run = plugin(*args(env, "listtrails"))
    assert_run(run, "List trails: \n" + "".join(list_line(n, r) for n, r in listed_trails), 0)
    assert run.stderr == ""


def test_listtrails_filter(plugin, env, listed_trails):
    assert_run(plugin(*args(env, "listtrails", "--filter-trail-name=^(alpha|org)")),
               "List trails: \n" + "".join(list_line(n, r) for n, r in listed_trails if n != "beta"), 0)
    assert_run(plugin(*args(env, "listtrails", "--filter-trail-name=wide$")),
               "List trails: \n" + list_line("org-wide", OTHER_REGION), 0)
    assert_run(plugin(*args(env, "listtrails", "--filter-trail-name=^nothing")), "List trails: \n", 0)


def test_listtrails_disco_format(plugin, env, listed_trails):
    run = plugin(*args(env, "listtrails", "--disco-format"))
    assert_run(run, '<?xml version="1.0" encoding="utf-8"?>\n<data>\n  <element>name</element>\n'
                    "  <element>arn</element>\n  <element>home_region</element>\n</data>\n", 0)
    root = ET.fromstring(run.stdout.encode())
    assert [e.text for e in root.findall("element")] == ["name", "arn", "home_region"]
    run = plugin(*args(env, "listtrails", "--disco-format", "--output-json"))
    assert (json.loads(run.stdout), run.rc) == ({"data": ["name", "arn", "home_region"]}, 0), str(run)


def test_listtrails_disco_show(plugin, env, listed_trails):
    run = plugin(*args(env, "listtrails", "--disco-show"))
    labels = "".join(f'  <label arn="{trail_arn(n, r)}" home_region="{r}" name="{n}"/>\n' for n, r in listed_trails)
    assert_run(run, f'<?xml version="1.0" encoding="utf-8"?>\n<data>\n{labels}</data>\n', 0)
    root = ET.fromstring(run.stdout.encode())
    assert root.tag == "data"
    assert [lb.attrib for lb in root.findall("label")] == [
        {"name": n, "arn": trail_arn(n, r), "home_region": r} for n, r in listed_trails]

    run = plugin(*args(env, "listtrails", "--disco-show", "--filter-trail-name=^beta$"))
    root = ET.fromstring(run.stdout.encode())
    assert run.rc == 0, str(run)
    assert [lb.attrib for lb in root.findall("label")] == [
        {"name": "beta", "arn": trail_arn("beta"), "home_region": REGION}]
    run = plugin(*args(env, "listtrails", "--disco-show", "--filter-trail-name=^nothing"))
    assert_run(run, '<?xml version="1.0" encoding="utf-8"?>\n<data/>\n', 0)
    assert ET.fromstring(run.stdout.encode()).findall("label") == []

    run = plugin(*args(env, "listtrails", "--disco-show", "--output-json"))
    assert run.rc == 0, str(run)
    assert json.loads(run.stdout) == {"data": [
        {"name": n, "arn": trail_arn(n, r), "home_region": r} for n, r in listed_trails]}


def test_listtrails_no_trail(plugin, env, trails):
    assert_run(plugin(*args(env, "listtrails")), "List trails: \n", 0)
    assert_run(plugin(*args(env, "listtrails", "--disco-show")),
               '<?xml version="1.0" encoding="utf-8"?>\n<data/>\n', 0)


# --------------------------------------------------------------------------
# --all-trails and --filter-trail-name


def status_perf(*stopped, names):
    return " ".join(f"'{n}#trail_is_logging'={0 if n in stopped else 1};;;0;" for n in names)


def test_all_trails_status(plugin, env, listed_trails):
    names = [n for n, _ in listed_trails]
    run = plugin(*args(env, "checktrailstatus", "--all-trails"))
    assert_run(run, f"OK: All 3 trails are ok | {status_perf(names=names)}\n", 0)

    # The worst state wins; the stopped trail is named on the line.
    env.client("cloudtrail").stop_logging(Name="beta")
    run = plugin(*args(env, "checktrailstatus", "--all-trails"))
    assert_run(run, f"CRITICAL: beta: Trail is logging: 0 | {status_perf('beta', names=names)}\n", 2)
    # The multi-region trail of the other region is asked by ARN.
    env.client("cloudtrail", OTHER_REGION).stop_logging(Name="org-wide")
    run = plugin(*args(env, "checktrailstatus", "--all-trails"))
    stopped = [n for n in names if n in ("beta", "org-wide")]
    assert_run(run, "CRITICAL: " + " - ".join(f"{n}: Trail is logging: 0" for n in stopped)
                    + f" | {status_perf(*stopped, names=names)}\n", 2)

    # --filter-trail-name alone selects the trails (no --trail-name needed).
    run = plugin(*args(env, "checktrailstatus", "--filter-trail-name=^alpha$"))
    assert_run(run, "OK: All 1 trails are ok | 'alpha#trail_is_logging'=1;;;0;\n", 0)
    run = plugin(*args(env, "checktrailstatus", "--filter-trail-name=a$"))
    kept = [n for n in names if n in ("alpha", "beta")]
    assert_run(run, f"CRITICAL: beta: Trail is logging: 0 | {status_perf('beta', names=kept)}\n", 2)
    run = plugin(*args(env, "checktrailstatus", "--filter-trail-name=^nothing"))
    assert_run(run, f"CRITICAL: no trail found in {REGION} \n", 2)


# --------------------------------------------------------------------------
# The aws CLI (--custommode=awscli) runs --all-trails and --regions too,
# through the same backend: the same lines and exit codes as the built-in
# client, with the real aws CLI v1 against this module's moto.

AWSCLI = ["--custommode=awscli", f"--command-path={VENV_BIN}"]


def same_through_the_aws_cli(plugin, argv, env=None):
    native = plugin(*argv, env=env)
    cli = plugin(*AWSCLI, *argv, env=env)
    assert (cli.stdout, cli.rc) == (native.stdout, native.rc), f"native:\n{native}\n\nawscli:\n{cli}"
    return native


def test_all_trails_through_the_aws_cli(plugin, aws_cli, env, listed_trails):
    names = [n for n, _ in listed_trails]
    run = same_through_the_aws_cli(plugin, args(env, "checktrailstatus", "--all-trails"))
    assert_run(run, f"OK: All 3 trails are ok | {status_perf(names=names)}\n", 0)
    env.client("cloudtrail").stop_logging(Name="beta")
    run = same_through_the_aws_cli(plugin, args(env, "checktrailstatus", "--filter-trail-name=a$"))
    kept = [n for n in names if n in ("alpha", "beta")]
    assert_run(run, f"CRITICAL: beta: Trail is logging: 0 | {status_perf('beta', names=kept)}\n", 2)
    # (moto finds the other region's trail by ARN only when asked in that
    # region, which --endpoint-url prevents: both clients say so alike.)
    run = same_through_the_aws_cli(plugin, args(env, "trailsecurity", "--filter-trail-name=^(alpha|beta)$"))
    assert run.rc == 2 and run.stdout.startswith("CRITICAL: ") and "beta" in run.stdout, str(run)


def test_regions_through_the_aws_cli(plugin, aws_cli, env, listed_trails):
    # --regions cannot be combined with --endpoint-url: both clients find
    # moto through the SDKs' per-service variable.
    where = {"AWS_ENDPOINT_URL_CLOUDTRAIL": env.url}
    regions = f"--regions={REGION},{OTHER_REGION}"
    base = [*env.monitor.args(), regions, "--timeout=20"]
    run = same_through_the_aws_cli(plugin, [*base, "--mode=checktrailstatus", "--all-trails"], env=where)
    assert run.rc == 0 and run.stdout.startswith("OK: All 2 regions are ok | "), str(run)
    assert f"'{REGION}~alpha#trail_is_logging'=1;;;0;" in run.stdout, str(run)
    assert f"'{OTHER_REGION}~elsewhere#trail_is_logging'=1;;;0;" in run.stdout, str(run)
    env.client("cloudtrail", OTHER_REGION).stop_logging(Name="elsewhere")
    run = same_through_the_aws_cli(plugin, [*base, "--mode=checktrailstatus", "--all-trails"], env=where)
    assert run.line.startswith(f"CRITICAL: {OTHER_REGION}: elsewhere: Trail is logging: 0 | "), str(run)
    assert run.rc == 2, str(run)


def test_all_trails_without_any_trail(plugin, env, trails):
    for mode in ("checktrailstatus", "trailsecurity", "traildelivery"):
        assert_run(plugin(*args(env, mode, "--all-trails")), f"CRITICAL: no trail found in {REGION} \n", 2)


def test_all_trails_security_all_ok(plugin, env, trails):
    # Three trails passing every check. They share one configuration, so
    # moto answering every trail to DescribeTrails does not change the
    # result: each trail's logging state and event selectors are asked by
    # its ARN from ListTrails.
    names = ["alpha", "beta", "gamma"]
    for n in names:
        trails.create(n)
    perf = " ".join(security_perf(prefix=f"{n}#") for n in names)
    assert_run(plugin(*args(env, "trailsecurity", "--all-trails")), f"OK: All 3 trails are ok | {perf}\n", 0)
    # A logging state that differs is seen per trail. (Only the state and
    # perfdata are checked: the status line names the trail from the
    # DescribeTrails mix-up, "gamma: Trail alpha: not logging"; the exact
    # line is in test_all_trails_security_worst_state_wins.)
    ct = env.client("cloudtrail")
    ct.stop_logging(Name="gamma")
    perf = " ".join(security_perf(*(["logging"] if n == "gamma" else []), prefix=f"{n}#") for n in names)
    run = plugin(*args(env, "trailsecurity", "--all-trails"))
    assert run.rc == 2 and run.stdout.endswith(f" | {perf}\n"), str(run)
    assert run.stdout.startswith("CRITICAL: "), str(run)
    assert_run(plugin(*args(env, "trailsecurity", "--filter-trail-name=^nothing")),
               f"CRITICAL: no trail found in {REGION} \n", 2)


def test_all_trails_security_worst_state_wins(plugin, env, trails):
    trails.create("alpha")
    trails.create("beta", kms=False)
    trails.create("gamma", logging="stopped")
    perf = " ".join([security_perf(prefix="alpha#"), security_perf("kms_encryption", prefix="beta#"),
                     security_perf("logging", prefix="gamma#")])
    run = plugin(*args(env, "trailsecurity", "--all-trails", "--verbose"))
    assert_run(run, "CRITICAL: Trail gamma: not logging WARNING: Trail beta: logs not encrypted with KMS | "
                    f"{perf}\n"
                    "OK: Trail alpha: all 8 security checks pass\n"
                    + "".join(f"  alpha: {ln}\n" for ln in security_long().splitlines())
                    + "WARNING: Trail beta: logs not encrypted with KMS\n"
                    + "".join(f"  beta: {ln}\n" for ln in security_long("kms_encryption").splitlines())
                    + "CRITICAL: Trail gamma: not logging\n"
                    + "".join(f"  gamma: {ln}\n" for ln in security_long("logging").splitlines()), 2)
    run = plugin(*args(env, "trailsecurity", "--filter-trail-name=^(alpha|beta)$"))
    assert_run(run, "WARNING: Trail beta: logs not encrypted with KMS | "
                    f"{security_perf(prefix='alpha#')} {security_perf('kms_encryption', prefix='beta#')}\n", 1)


# --------------------------------------------------------------------------
# The IAM the README documents is enough, and needed


def test_documented_iam_is_enough(plugin, env, trails):
    trails.create("main", kms=False)
    ro = env.readonly
    assert_run(plugin(*args(env, "trailsecurity", "--trail-name=main", keys=ro)),
               "WARNING: Trail main: logs not encrypted with KMS | "
               f"{security_perf('kms_encryption')}\n", 1)
    assert_run(plugin(*args(env, "listtrails", keys=ro)), "List trails: \n" + list_line("main"), 0)
    assert_run(plugin(*args(env, "checktrailstatus", "--all-trails", keys=ro)),
               "OK: All 1 trails are ok | 'main#trail_is_logging'=1;;;0;\n", 0)
    for keys in (ro, env.delivery):
        run = plugin(*args(env, "traildelivery", "--trail-name=main", keys=keys))
        age = delivery_age(run)
        assert_run(run, "CRITICAL: Trail main: CloudWatch Logs: last delivery never - "
                        "Trail main: digest files: last delivery never | "
                        f"{DELIVERY_ERROR} {age_perf(age)} {CW_ERROR} {DIGEST_ERROR}\n", 2)


def test_insights_needs_its_iam_unless_left_out(plugin, env, trails):
    trails.create("main")
    k = env.noinsight  # the IAM documented before the insights check
    assert_run(plugin(*args(env, "trailsecurity", "--trail-name=main", keys=k)),
               denied("GetInsightSelectors", "e2e-noinsight"), 3)
    seven = [c for c in CHECKS if c != "insights"]
    run = plugin(*args(env, "trailsecurity", "--trail-name=main", f"--filter-check=^({'|'.join(seven)})$", keys=k))
    assert_run(run, f"OK: Trail main: all 7 security checks pass | {security_perf(checks=seven)}\n", 0)


def test_missing_iam_is_named(plugin, env, trails):
    trails.create("main")
    d = env.delivery  # DescribeTrails and GetTrailStatus only
    assert_run(plugin(*args(env, "trailsecurity", "--trail-name=main", keys=d)),
               denied("GetEventSelectors", "e2e-delivery"), 3)
    assert_run(plugin(*args(env, "listtrails", keys=d)), denied("ListTrails", "e2e-delivery"), 3)
    # Every trail of a region starts with ListTrails.
    assert_run(plugin(*args(env, "traildelivery", "--all-trails", keys=d)), denied("ListTrails", "e2e-delivery"), 3)
