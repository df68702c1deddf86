"""bucketposture against moto with IAM authentication on: log buckets in
each posture, read through --trail-name (moto's DescribeTrails gives the
bucket and prefix) and through --s3-bucket; exact status lines and
perfdata.

One moto per module (IAM auth on, TZ=UTC); every test makes buckets and
trails of its own (names unique), so tests share nothing but the
account-level Block Public Access, which one test sets and removes.
Every run has AWS_ENDPOINT_URL_S3_CONTROL at moto: nothing leaves the
machine. Who may do what (bootstrap, unauthenticated):

  e2e-admin      s3:*, cloudtrail:* — makes the buckets and trails, and
                 the account's Block Public Access
  e2e-posture    the README's IAM for bucketposture, plus what moto 5.2.5
                 asks instead of two of its actions: s3:ListBucket (it
                 names the bucket's GET ?object-lock and GET
                 ?publicAccessBlock ListBucket: its ACTION_MAP has no
                 "object-lock" key and spells the other
                 "public_access_block", which no query matches) and
                 s3:GetPublicAccessBlock (S3 Control's GET, for AWS's
                 s3:GetAccountPublicAccessBlock)
  e2e-nolifecycle  the same, and an explicit Deny of
                 s3:GetLifecycleConfiguration
  e2e-trailsonly cloudtrail:DescribeTrails only

What moto 5.2.5 does, and what the tests rely on (read in moto/s3 and
moto/s3control, checked against its answers):

- GetBucketVersioning answers <GetBucketVersioningResponse> (its
  botocore-model serializer's root), not AWS's <VersioningConfiguration>;
  the binary reads both (src/aws/s3config.rs, since this file).
- MFA delete cannot be turned on: PutBucketVersioning keeps only
  <Status>, and GetBucketVersioning never answers <MfaDelete>. So
  bucket_mfa_delete is 0 on every bucket here (a metric and a line only,
  not in the default status expressions: an OK stays OK).
- CreateBucket with ObjectLockEnabledForBucket enables versioning too;
  PutObjectLockConfiguration stores the default retention.
- S3 Control's GetPublicAccessBlock is served on the path
  /v20180820/configuration/publicAccessBlock of the server's own address
  (its dispatcher sends that path to s3control whatever the host), so
  AWS_ENDPOINT_URL_S3_CONTROL=<moto> reaches it, IAM checked as
  s3:GetPublicAccessBlock (above).
"""

import json
import uuid

import botocore.exceptions
import pytest

from conftest import ACCOUNT, REGION, Keys, MotoServer, botocore_client, policy

BOOTSTRAP_CALLS = 12  # four users, three calls each
CHECKS = ["bucket_lifecycle", "bucket_versioning", "bucket_public_access", "bucket_mfa_delete",
          "bucket_object_lock"]
FAILURES = {
    "bucket_lifecycle": "a lifecycle rule expires CloudTrail's objects sooner than the retention",
    "bucket_versioning": "versioning not enabled",
    "bucket_public_access": "Block Public Access not fully on (bucket or account)",
    "bucket_mfa_delete": "MFA delete not enabled",
    "bucket_object_lock": "no Object Lock default retention",
}
# The README's IAM for the mode.
DOCUMENTED = ("s3:GetLifecycleConfiguration", "s3:GetBucketVersioning",
              "s3:GetBucketObjectLockConfiguration", "s3:GetBucketPublicAccessBlock",
              "s3:GetBucketLocation", "s3:GetAccountPublicAccessBlock", "cloudtrail:DescribeTrails")
# What moto asks instead of s3:GetBucketObjectLockConfiguration,
# s3:GetBucketPublicAccessBlock and s3:GetAccountPublicAccessBlock.
MOTO_ACTIONS = ("s3:ListBucket", "s3:GetPublicAccessBlock")
ALL_ON = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
          "RestrictPublicBuckets": True}
DIGESTS = f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/"


class Env:
    def __init__(self, server, admin, monitor, nolifecycle, trailsonly):
        self.server, self.url = server, server.url
        self.admin, self.monitor, self.nolifecycle, self.trailsonly = (admin, monitor, nolifecycle,
                                                                      trailsonly)
        self.s3 = botocore_client("s3", self.url, admin.access_key, admin.secret_key)
        self.ct = botocore_client("cloudtrail", self.url, admin.access_key, admin.secret_key)
        self.control = control_client(self.url, admin)

    def bucket(self, *, lifecycle=None, versioning="Enabled", object_lock=True, public_access=True,
               trail_prefix=None):
        """A bucket in the given posture and a trail writing to it (under
        `trail_prefix`); their names. By default hardened: Object Lock with
        a 400-day GOVERNANCE default retention (which enables versioning),
        every Block Public Access setting on at the bucket, no lifecycle."""
        tag = uuid.uuid4().hex[:10]
        name = f"e2e-posture-{tag}"
        create = dict(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        if object_lock:
            create["ObjectLockEnabledForBucket"] = True
        self.s3.create_bucket(**create)
        if object_lock:
            self.s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 400}}})
        elif versioning:
            self.s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
            if versioning != "Enabled":
                self.s3.put_bucket_versioning(Bucket=name,
                                              VersioningConfiguration={"Status": versioning})
        if public_access:
            self.s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=ALL_ON)
        if lifecycle:
            self.s3.put_bucket_lifecycle_configuration(Bucket=name,
                                                       LifecycleConfiguration={"Rules": lifecycle})
        trail = f"e2e-{tag}"
        params = dict(Name=trail, S3BucketName=name)
        if trail_prefix:
            params["S3KeyPrefix"] = trail_prefix
        self.ct.create_trail(**params)
        return name, trail

    def account_public_access(self, config=None):
        """S3 Control's PutPublicAccessBlock for the account, or its
        DeletePublicAccessBlock without `config`."""
        if config is None:
            self.control.delete_public_access_block(AccountId=ACCOUNT)
        else:
            self.control.put_public_access_block(AccountId=ACCOUNT,
                                                 PublicAccessBlockConfiguration=config)


def control_client(url, keys):
    """botocore's s3control client at moto: its endpoint rules put the
    account ID in front of the host (123456789012.127.0.0.1, which does
    not resolve); taken off again before the request is signed."""
    c = botocore_client("s3control", url, keys.access_key, keys.secret_key)

    def strip_account(request, **_):
        request.url = request.url.replace(f"://{ACCOUNT}.", "://", 1)

    c.meta.events.register("before-sign.s3-control", strip_account)
    return c


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    server = MotoServer(tmp_path_factory.mktemp("moto-bucketposture"),
                        {"INITIAL_NO_AUTH_ACTION_COUNT": str(BOOTSTRAP_CALLS), "TZ": "UTC"})
    try:
        iam = botocore_client("iam", server.url, "AKIAIOSFODNN7EXAMPLE", "bootstrap-secret")

        def user(name, document):  # 3 calls each
            iam.create_user(UserName=name)
            k = iam.create_access_key(UserName=name)["AccessKey"]
            iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=document)
            return Keys(k["AccessKeyId"], k["SecretAccessKey"])

        admin = user("e2e-admin", policy("s3:*", "cloudtrail:*"))
        monitor = user("e2e-posture", policy(*DOCUMENTED, *MOTO_ACTIONS))
        deny = json.loads(policy(*DOCUMENTED, *MOTO_ACTIONS))
        deny["Statement"].append({"Effect": "Deny", "Action": ["s3:GetLifecycleConfiguration"],
                                  "Resource": "*"})
        nolifecycle = user("e2e-nolifecycle", json.dumps(deny))
        trailsonly = user("e2e-trailsonly", policy("cloudtrail:DescribeTrails"))
        with pytest.raises(botocore.exceptions.ClientError, match="InvalidClientTokenId"):
            iam.list_users()  # IAM authentication is on from here
        yield Env(server, admin, monitor, nolifecycle, trailsonly)
    finally:
        server.stop()


def run(plugin, env, *extra, keys=None):
    return plugin(*(keys or env.monitor).args(), "--mode=bucketposture", f"--region={REGION}",
                  f"--endpoint-url={env.url}", f"--s3-endpoint-url={env.url}", "--timeout=20",
                  *extra, env={"AWS_ENDPOINT_URL_S3_CONTROL": env.url})


def perf(*failing, retention=None, unknown=()):
    """The perfdata: each known check 0 (in `failing`) or 1, then
    log_retention when a rule applies."""
    out = [f"'{c}'={0 if c in failing else 1};;;0;1" for c in CHECKS if c not in unknown]
    if retention is not None:
        out.append(f"'log_retention'={retention}d;;7:;0;")
    return " ".join(out)


def line(state, bucket, *failing, retention=None, expire=False, unknown=()):
    """The status line (and its perfdata). moto cannot turn MFA delete on:
    it fails everywhere."""
    failing = ("bucket_mfa_delete", *failing)
    text = ", ".join(FAILURES[c] for c in CHECKS if c in failing)
    if expire:
        text += f", CloudTrail's objects expire after {retention} days"
    return f"{state}: Bucket {bucket}: {text} | {perf(*failing, retention=retention, unknown=unknown)}\n"


def assert_run(r, stdout, rc):
    assert (r.stdout, r.rc) == (stdout, rc), str(r)
    assert r.stderr == "", str(r)


def rule(days, prefix=None, rule_id="expire", tags=None, **more):
    r = {"ID": rule_id, "Status": "Enabled", "Expiration": {"Days": days}, **more}
    if tags and prefix is not None:
        r["Filter"] = {"And": {"Prefix": prefix, "Tags": tags}}
    elif tags:
        r["Filter"] = {"Tag": tags[0]}
    else:
        r["Filter"] = {"Prefix": prefix or ""}
    return r


TAGS = [{"Key": "expire", "Value": "yes"}]


def test_hardened_bucket_is_ok(plugin, env):
    bucket, trail = env.bucket()
    expected = line("OK", bucket)
    assert_run(run(plugin, env, f"--trail-name={trail}"), expected, 0)
    assert_run(run(plugin, env, f"--s3-bucket={bucket}", f"--account-id={ACCOUNT}"), expected, 0)
    r = run(plugin, env, f"--trail-name={trail}", "--verbose")
    assert r.rc == 0, str(r)
    assert r.stdout.splitlines()[1:] == [
        "bucket_lifecycle: ok: no lifecycle rule expires AWSLogs/ (Stratus Red Team "
        "aws.defense-evasion.cloudtrail-lifecycle-rule; PCI DSS 10.5.1)",
        "bucket_versioning: ok: versioning Enabled (overwritten or deleted log files kept as "
        "versions; Security Hub S3.14)",
        "bucket_public_access: ok: Block Public Access: bucket all four on, account not configured "
        "(logs readable or writable by anyone; Security Hub S3.1, S3.8, CloudTrail.6)",
        "bucket_mfa_delete: MFA delete not enabled: MFA delete off (versions deleted without a "
        "second factor; Security Hub S3.20)",
        "bucket_object_lock: ok: Object Lock: GOVERNANCE 400 days by default (deletion within the "
        "retention, even by the bucket's owner; Security Hub S3.15)",
    ], str(r)
    # A site that asks for MFA delete gets its warning.
    r = run(plugin, env, f"--trail-name={trail}",
            '--warning-status=%{bucket_mfa_delete} eq "false"')
    assert_run(r, line("WARNING", bucket), 1)


def test_thirty_day_lifecycle_on_the_logs_warns(plugin, env):
    bucket, trail = env.bucket(lifecycle=[rule(30, "AWSLogs/")])
    expected = line("WARNING", bucket, "bucket_lifecycle", retention=30)
    assert_run(run(plugin, env, f"--trail-name={trail}"), expected, 1)
    assert_run(run(plugin, env, f"--s3-bucket={bucket}", f"--account-id={ACCOUNT}"), expected, 1)
    # Within --retention-days it passes, and the metric stays.
    assert_run(run(plugin, env, f"--trail-name={trail}", "--retention-days=30"),
               line("OK", bucket, retention=30), 0)


def test_one_day_lifecycle_is_critical(plugin, env):
    # Stratus Red Team's cloudtrail-lifecycle-rule: one day on the whole bucket.
    bucket, trail = env.bucket(lifecycle=[rule(1, rule_id="nuke-cloudtrail-logs-after-1-day")])
    expected = line("CRITICAL", bucket, "bucket_lifecycle", retention=1, expire=True)
    assert_run(run(plugin, env, f"--trail-name={trail}"), expected, 2)
    assert_run(run(plugin, env, f"--s3-bucket={bucket}", f"--account-id={ACCOUNT}"), expected, 2)
    r = run(plugin, env, f"--trail-name={trail}", "--verbose")
    assert r.rc == 2 and (
        "bucket_lifecycle: a lifecycle rule expires CloudTrail's objects sooner than the retention: "
        "lifecycle rule nuke-cloudtrail-logs-after-1-day expires objects under AWSLogs/ after 1 days "
        "(retention asked: 365) (Stratus Red Team aws.defense-evasion.cloudtrail-lifecycle-rule; "
        "PCI DSS 10.5.1)") in r.stdout.splitlines(), str(r)


def test_rule_on_the_digest_folder_is_flagged(plugin, env):
    # Under the trail's prefix: the digests alone are the evidence of the chain.
    bucket, trail = env.bucket(lifecycle=[rule(3, f"org/{DIGESTS}")], trail_prefix="org")
    expected = line("CRITICAL", bucket, "bucket_lifecycle", retention=3, expire=True)
    assert_run(run(plugin, env, f"--trail-name={trail}"), expected, 2)
    assert_run(run(plugin, env, f"--s3-bucket={bucket}", "--s3-prefix=org", f"--account-id={ACCOUNT}"),
               expected, 2)
    # Without the prefix the rule is elsewhere (org/… is not under AWSLogs/).
    assert_run(run(plugin, env, f"--s3-bucket={bucket}", f"--account-id={ACCOUNT}"),
               line("OK", bucket), 0)


@pytest.mark.parametrize("rules, retention", [
    ([rule(1, "other-app/")], None),
    ([rule(1, tags=TAGS)], None),
    ([rule(1, "AWSLogs/", tags=TAGS)], None),
    ([{**rule(1, "AWSLogs/"), "Status": "Disabled"}], None),
    # Applies, but keeps the logs longer than --retention-days: the metric.
    ([rule(400, "AWSLogs/")], 400),
], ids=["other-prefix", "tag-filter", "prefix-and-tag", "disabled", "longer-than-retention"])
def test_rules_that_spare_the_logs_pass(plugin, env, rules, retention):
    bucket, trail = env.bucket(lifecycle=rules)
    assert_run(run(plugin, env, f"--trail-name={trail}"), line("OK", bucket, retention=retention), 0)


def test_suspended_versioning_warns(plugin, env):
    bucket, trail = env.bucket(versioning="Suspended", object_lock=False)
    expected = line("WARNING", bucket, "bucket_versioning", "bucket_object_lock")
    assert_run(run(plugin, env, f"--trail-name={trail}"), expected, 1)
    r = run(plugin, env, f"--trail-name={trail}", "--verbose", "--filter-check=versioning")
    assert_run(r, "WARNING: Bucket {0}: versioning not enabled | 'bucket_versioning'=0;;;0;1\n"
                  "bucket_versioning: versioning not enabled: versioning Suspended (overwritten or "
                  "deleted log files kept as versions; Security Hub S3.14)\n".format(bucket), 1)
    never, never_trail = env.bucket(versioning=None, object_lock=False)
    assert_run(run(plugin, env, f"--trail-name={never_trail}"),
               line("WARNING", never, "bucket_versioning", "bucket_object_lock"), 1)


def test_public_access_block_bucket_and_account(plugin, env):
    bucket, trail = env.bucket(public_access=False)
    # Neither level: off.
    assert_run(run(plugin, env, f"--trail-name={trail}"),
               line("WARNING", bucket, "bucket_public_access"), 1)
    # --s3-bucket without an account: the bucket level alone is not
    # enough to say, so the check is unknown.
    r = run(plugin, env, f"--s3-bucket={bucket}", "--verbose")
    assert r.rc == 0, str(r)
    assert r.stdout.splitlines()[0] == line("OK", bucket, unknown=("bucket_public_access",))[:-1]
    assert ("bucket_public_access: unknown: Block Public Access: bucket not configured, account the "
            "bucket's account is not known: give --account-id (logs readable or writable by anyone; "
            "Security Hub S3.1, S3.8, CloudTrail.6)") in r.stdout.splitlines(), str(r)
    # The account's settings, all on, cover the bucket: through S3 Control.
    env.account_public_access(ALL_ON)
    try:
        assert_run(run(plugin, env, f"--trail-name={trail}"), line("OK", bucket), 0)
        r = run(plugin, env, f"--s3-bucket={bucket}", f"--account-id={ACCOUNT}", "--verbose")
        assert r.rc == 0 and ("bucket_public_access: ok: Block Public Access: bucket not configured, "
                              "account all four on (logs readable or writable by anyone; Security "
                              "Hub S3.1, S3.8, CloudTrail.6)") in r.stdout.splitlines(), str(r)
        # Partly on at the account: still off.
        env.account_public_access({**ALL_ON, "RestrictPublicBuckets": False})
        assert_run(run(plugin, env, f"--trail-name={trail}"),
                   line("WARNING", bucket, "bucket_public_access"), 1)
    finally:
        env.account_public_access()
    assert_run(run(plugin, env, f"--trail-name={trail}"),
               line("WARNING", bucket, "bucket_public_access"), 1)


def test_denied_lifecycle_read_is_unknown_and_the_rest_runs(plugin, env):
    bucket, trail = env.bucket(lifecycle=[rule(1, "AWSLogs/")])
    unknown = ("bucket_lifecycle",)
    r = run(plugin, env, f"--trail-name={trail}", "--verbose", keys=env.nolifecycle)
    assert r.rc == 0, str(r)
    assert r.stdout.splitlines()[0] == line("OK", bucket, unknown=unknown)[:-1], str(r)
    assert r.stdout.splitlines()[1] == (
        "bucket_lifecycle: unknown: GetBucketLifecycleConfiguration failed: AccessDenied: Access "
        "Denied (the credentials need s3:GetLifecycleConfiguration) (Stratus Red Team "
        "aws.defense-evasion.cloudtrail-lifecycle-rule; PCI DSS 10.5.1)"), str(r)
    # A site can alert on it.
    r = run(plugin, env, f"--trail-name={trail}", '--warning-status=%{bucket_lifecycle} eq "unknown"',
            keys=env.nolifecycle)
    assert_run(r, line("WARNING", bucket, unknown=unknown), 1)
    # The same bucket read with the lifecycle: critical.
    assert_run(run(plugin, env, f"--trail-name={trail}"),
               line("CRITICAL", bucket, "bucket_lifecycle", retention=1, expire=True), 2)


def test_every_read_denied_is_unknown(plugin, env):
    # DescribeTrails alone: every S3 and S3 Control read is refused.
    bucket, trail = env.bucket()
    r = run(plugin, env, f"--trail-name={trail}", keys=env.trailsonly)
    assert_run(r, f"UNKNOWN: Bucket {bucket}: every read was refused: the credentials need "
                  "s3:GetLifecycleConfiguration, s3:GetBucketVersioning, "
                  "s3:GetBucketPublicAccessBlock and s3:GetAccountPublicAccessBlock, "
                  "s3:GetBucketObjectLockConfiguration \n", 3)
