"""logintegrity end to end: CloudTrail-shaped chains written into moto's S3
at run time, checked by the binary and, as the differential oracle, by the
real aws CLI v1's `aws cloudtrail validate-logs`.

One moto (IAM authentication on) and one fake_cloudtrail.py per module;
every test writes its own trail's files into a bucket of its own. Each
test builds hourly digests ending 2 minutes before now and every hour
before (so the default --delta of 1440 minutes selects them), signed as
CloudTrail signs (tests/e2e/digests.py), breaks them the way the variant
says, then:

- runs the binary (--s3-bucket, S3 at moto, ListPublicKeys at the fake)
  and asserts its exact status line, perfdata and --verbose long lines;
- runs `aws cloudtrail validate-logs --verbose` once per source region
  over the same instants as the binary's window (read from the binary's
  own ListPublicKeys request: StartTime is the window's start, EndTime
  its end plus two hours), with the CLI's S3 client at moto
  (AWS_ENDPOINT_URL_S3) and its CloudTrail client at the fake
  (--endpoint-url), which answers DescribeTrails with the trail (the CLI
  finds the bucket there, as it does by default: moto's S3 and moto's
  CloudTrail would need the CLI's one --endpoint-url for both, and moto
  has no ListPublicKeys); and asserts the CLI's counts equal ours: valid
  digests = digests_valid, all digests = valid + invalid + missing (the
  CLI counts a missing file as invalid), the same for log files, and its
  INVALID lines are our long lines.

Who may do what in moto:
  e2e-writer     s3:*, organizations:* — makes the buckets, writes the
                 files, makes moto's organization and its accounts
  e2e-integrity  the README's IAM for logintegrity with --s3-bucket:
                 s3:ListBucket, s3:GetObject, cloudtrail:ListPublicKeys
                 (the fake checks no IAM: CloudTrail's half is not proven);
                 for --all-accounts, ListAccounts denied
  e2e-integrity-org  the same plus organizations:ListAccounts
  e2e-cli        validate-logs' IAM (its documentation): the same plus
                 s3:GetBucketLocation and cloudtrail:DescribeTrails, and
                 organizations:DescribeOrganization for organization trails
                 (the CLI's organizations client at moto through
                 AWS_ENDPOINT_URL_ORGANIZATIONS, --account-id given)

Where the aws CLI v1 legitimately differs, the test asserts the
difference: it loads public keys as PKCS#1 only (`rsa.PublicKey.load_pkcs1`),
so a key listed as SubjectPublicKeyInfo makes every digest it signed
"INVALID: Unable to load PKCS #1 key"; we read both.
"""

import json
import os
import re
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import botocore.exceptions
import pytest

import digests
from conftest import (ACCOUNT, VENV_BIN, FakeCloudTrail, Keys, MotoServer, base_env,
                      botocore_client, policy)

HOME = "us-east-1"  # the trail's home region (its ARN's) and its bucket's
OTHER = "eu-west-1"
BOOTSTRAP_CALLS = 12  # four users, three calls each
CLI_TIMEOUT = 60
PERFDATA_ORDER = ["digests_valid", "digests_invalid", "digests_missing", "logs_valid",
                  "logs_invalid", "logs_missing", "chain_breaks"]
THRESHOLDS = {"digests_invalid": ";0:0", "digests_missing": ";0:0", "logs_invalid": ";0:0",
              "logs_missing": ";0:0", "chain_breaks": "0:0;"}


def standard_layout(account, trail, home, org_id=None):
    return digests.Layout(account, trail, home)


def organization_layout(account, trail, home, org_id):
    """An organization trail's: AWSLogs/o-ID/ACCOUNT/... (the CLI then
    needs --account-id, and organizations:DescribeOrganization for the id)."""
    return digests.Layout(account, trail, home, org_id=org_id)


# The key layouts a variant can use.
LAYOUTS = {"standard": standard_layout, "organization": organization_layout}


@dataclass
class World:
    moto: MotoServer
    fake: FakeCloudTrail
    integrity_file: str
    writer: Keys
    monitor: Keys
    cli: Keys
    keys: dict  # name -> digests.Key
    org_monitor: Keys = None  # monitor's IAM plus organizations:ListAccounts
    trails: list = field(default_factory=list)
    buckets: set = field(default_factory=set)
    s3: object = None

    def publish(self, keys):
        """What the fake's ListPublicKeys lists from now on: {region or
        "*": [entries]}; and every trail made so far for DescribeTrails."""
        tmp = self.integrity_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"keys": keys, "trails": self.trails}, f)
        os.replace(tmp, self.integrity_file)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("logintegrity")
    integrity_file = str(tmp / "integrity.json")
    with open(integrity_file, "w") as f:
        json.dump({}, f)
    server = MotoServer(tmp, {"INITIAL_NO_AUTH_ACTION_COUNT": str(BOOTSTRAP_CALLS), "TZ": "UTC"})
    fake = None
    try:
        iam = botocore_client("iam", server.url, "AKIAIOSFODNN7EXAMPLE", "bootstrap-secret")

        def user(name, *actions):  # 3 calls each
            iam.create_user(UserName=name)
            k = iam.create_access_key(UserName=name)["AccessKey"]
            iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy(*actions))
            return Keys(k["AccessKeyId"], k["SecretAccessKey"])

        writer = user("e2e-writer", "s3:*", "organizations:*")
        monitored = ("s3:ListBucket", "s3:GetObject", "cloudtrail:ListPublicKeys")
        monitor = user("e2e-integrity", *monitored)
        org_monitor = user("e2e-integrity-org", *monitored, "organizations:ListAccounts")
        cli = user("e2e-cli", "s3:ListBucket", "s3:GetObject", "s3:GetBucketLocation",
                   "cloudtrail:ListPublicKeys", "cloudtrail:DescribeTrails",
                   "organizations:DescribeOrganization")
        with pytest.raises(botocore.exceptions.ClientError, match="InvalidClientTokenId"):
            iam.list_users()  # IAM authentication is on from here
        fake = FakeCloudTrail(tmp, integrity=integrity_file)
        w = World(server, fake, integrity_file, writer, monitor, cli,
                  keys={n: digests.new_key() for n in ("home", "other", "unknown")},
                  org_monitor=org_monitor)
        w.s3 = botocore_client("s3", server.url, writer.access_key, writer.secret_key, region=HOME)
        yield w
    finally:
        if fake is not None:
            fake.stop()
        server.stop()


# --------------------------------------------------------------------------
# Writing a trail's files


class Trail:
    """One test's trail: its files, built in memory, broken as the variant
    says, then written to a bucket of its own."""

    def __init__(self, world, name, layout="standard", account=ACCOUNT, org_id=None):
        self.world = world
        self.name = f"li-{name}"
        self.arn = f"arn:aws:cloudtrail:{HOME}:{ACCOUNT}:trail/{self.name}"
        self.bucket = f"e2e-li-{name.replace('_', '-')}-{uuid.uuid4().hex[:6]}"
        self.account = account  # whose files these are
        self.org_id = org_id  # an organization trail's (AWSLogs/o-ID/ACCOUNT/)
        self.layout = LAYOUTS[layout](account, self.name, HOME, org_id)
        self.now = datetime.now(timezone.utc).replace(microsecond=0)
        self.objects = {}  # key -> [bytes, metadata]
        self.chains = {}  # region -> [digests.Signed], oldest first
        self.logs = {}  # digest key -> [log keys]
        self.keys = {HOME: self.world.keys["home"], OTHER: self.world.keys["other"]}
        self.der = {}  # region -> "pkcs1" or "spki", as listed

    def member(self, account):
        """The same organization trail (name, bucket, keys, now), another
        member account's files."""
        m = Trail.__new__(Trail)
        m.__dict__.update(self.__dict__)
        m.account = account
        m.layout = organization_layout(account, self.name, HOME, self.org_id)
        m.objects, m.chains, m.logs, m.der = {}, {}, {}, {}
        return m

    def log(self, region, t, unique, n=2):
        body = digests.log_body(self.account, t, unique, n)
        key = self.layout.log_key(region, t, unique)
        self.objects[key] = [digests.gz(body), {}]
        return digests.log_entry(self.bucket, key, body, t, n)

    def chain(self, region, logs=(2, 0, 1, 2), restart=None, signers=None):
        """Hourly digests, the newest ending 2 minutes ago, digest i
        listing logs[i] log files; `restart`: the index of a digest that
        starts a new chain an hour after the one before ended (logging
        stopped and started); `signers`: {index: Key} instead of the
        region's key."""
        n = len(logs)
        out = []
        for i, count in enumerate(logs):
            end = self.now - timedelta(seconds=120) - timedelta(hours=n - 1 - i)
            if restart is not None and i < restart:
                end -= timedelta(hours=1)
            start = end - timedelta(hours=1)
            entries = [self.log(region, start + timedelta(minutes=5 + 20 * j),
                                f"{region}-{i}-{j}") for j in range(count)]
            previous = out[-1].link(self.bucket) if out and i != restart else None
            signer = (signers or {}).get(i, self.keys[region])
            key = self.layout.digest_key(region, end)
            d = digests.digest(self.account, self.bucket, key, start, end, signer, previous,
                               entries)
            d.start, d.end = start, end
            self.objects[key] = [digests.gz(d.body), d.metadata]
            self.logs[key] = [e["s3Object"] for e in entries]
            out.append(d)
        self.chains[region] = out
        self.der.setdefault(region, "pkcs1")
        return out

    def backfill(self, region, end, generated, count=1):
        """A backfill digest dated `end`, generated at `generated`, for
        `count` late log files: a chain of its own."""
        start = end - timedelta(hours=1)
        entries = [self.log(region, start + timedelta(minutes=50), f"{region}-late-{j}")
                   for j in range(count)]
        key = self.layout.digest_key(region, end, backfill=True)
        d = digests.digest(self.account, self.bucket, key, start, end, self.keys[region], None,
                           entries, {"backfill-generation-timestamp": digests.iso(generated)})
        d.start, d.end = start, end
        self.objects[key] = [digests.gz(d.body), d.metadata]
        self.logs[key] = [e["s3Object"] for e in entries]
        return d

    def url(self, key):
        return f"s3://{self.bucket}/{key}"

    def write(self):
        """The bucket and its objects in moto; the trail and the keys at
        the fake."""
        s3 = self.world.s3
        if self.bucket in self.world.buckets:  # another member account's files
            for key, (body, meta) in self.objects.items():
                s3.put_object(Bucket=self.bucket, Key=key, Body=body, Metadata=meta)
            return
        self.world.buckets.add(self.bucket)
        s3.create_bucket(Bucket=self.bucket)
        for key, (body, meta) in self.objects.items():
            s3.put_object(Bucket=self.bucket, Key=key, Body=body, Metadata=meta)
        self.world.trails.append({
            "Name": self.name, "TrailARN": self.arn, "HomeRegion": HOME,
            "S3BucketName": self.bucket, "IsMultiRegionTrail": True,
            "IsOrganizationTrail": self.org_id is not None, "LogFileValidationEnabled": True,
            "IncludeGlobalServiceEvents": True, "HasCustomEventSelectors": False,
            "HasInsightSelectors": False,
        })
        valid = (self.now - timedelta(days=30), self.now + timedelta(days=30))
        listed = {}
        for region in self.chains:
            k = self.keys[region]
            der = k.spki if self.der[region] == "spki" else k.pkcs1
            listed[region] = [k.entry(*valid, der)]
        self.world.publish(listed)


# --------------------------------------------------------------------------
# Running both checkers


@dataclass
class Ours:
    run: object
    start: int  # the window the binary checked, epoch seconds
    end: int
    described: int = 0  # DescribeTrails calls at the fake

    @property
    def status(self):
        return self.run.line

    @property
    def perfdata(self):
        return dict(re.findall(r"'(\w+)'=(\d+)", self.run.stdout))

    @property
    def long(self):
        return self.run.stdout.split("\n")[1:]


def fake_calls(world, before, op):
    """The bodies of the fake's `op` requests after the first `before`."""
    return [json.loads(r["body"]) for r in world.fake.requests()[before:]
            if {k.lower(): v for k, v in r["headers"]}.get("x-amz-target", "").endswith(f".{op}")]


def run_ours(world, trail, plugin, *extra, bucket=True, keys=None, env=None):
    """The binary on `trail`: with --s3-bucket, else the bucket from
    DescribeTrails (the fake's); as `keys` (default: world.monitor)."""
    before = len(world.fake.requests())
    where = [f"--s3-bucket={trail.bucket}"] if bucket else []
    run = plugin("--mode=logintegrity", f"--trail-name={trail.arn}", *where,
                 f"--s3-endpoint-url={world.moto.url}", f"--endpoint-url={world.fake.url}",
                 f"--region={HOME}", "--disable-statefile", "--verbose",
                 *(keys or world.monitor).args(), *extra, env=env)
    calls = fake_calls(world, before, "ListPublicKeys")
    assert calls, f"the binary did not call ListPublicKeys:\n{run}"
    # The first: the standard chain's keys over [start, end + 2 h].
    return Ours(run, int(calls[0]["StartTime"]), int(calls[0]["EndTime"]) - 7200,
                len(fake_calls(world, before, "DescribeTrails")))


@dataclass
class Cli:
    rc: int
    stdout: str
    stderr: str
    digests: tuple = (0, 0)  # (valid, total), backfill included
    logs: tuple = (0, 0)
    problems: list = field(default_factory=list)  # (kind, url, text) of INVALID lines
    gaps: list = field(default_factory=list)


def run_cli(world, trail, region, start, end):
    """validate-logs over `region`; for an organization trail with
    --account-id (the org id from moto's DescribeOrganization)."""
    env = base_env()
    env.update({"AWS_ACCESS_KEY_ID": world.cli.access_key,
                "AWS_SECRET_ACCESS_KEY": world.cli.secret_key,
                "AWS_ENDPOINT_URL_S3": world.moto.url,
                "AWS_ENDPOINT_URL_ORGANIZATIONS": world.moto.url,
                "AWS_MAX_ATTEMPTS": "1"})
    iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))  # noqa: E731
    argv = [str(VENV_BIN / "aws"), "cloudtrail", "validate-logs", "--trail-arn", trail.arn,
            "--start-time", iso(start), "--end-time", iso(end), "--verbose",
            "--region", region, "--endpoint-url", world.fake.url]
    if trail.org_id is not None:
        argv += ["--account-id", trail.account]
    p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=CLI_TIMEOUT,
                       stdin=subprocess.DEVNULL, check=False)
    out = Cli(p.returncode, p.stdout, p.stderr)
    assert p.returncode in (0, 1), f"validate-logs failed: {argv}\n{p.stdout}\n{p.stderr}"
    assert f"Results requested for {iso(start)} to {iso(end)}" in p.stdout, p.stdout
    for name, attr in (("digest", "digests"), ("backfill digest", "digests"), ("log", "logs")):
        m = re.search(rf"^(\d+)/(\d+) {name} files valid", p.stdout, re.M)
        if m:
            v, t = getattr(out, attr)
            setattr(out, attr, (v + int(m.group(1)), t + int(m.group(2))))
    for line in p.stderr.splitlines():
        m = re.fullmatch(r"((?:\(backfill\) )?Digest|Log) file\t(\S+)\t(INVALID: .*)", line)
        if m:
            out.problems.append((m.group(1).lower(), m.group(2), m.group(3)))
        elif line.startswith(("No log files", "(backfill) No log files")):
            out.gaps.append(line)
    return out


def run_cli_regions(world, trail, ours):
    """validate-logs over each source region, the counts summed."""
    total = Cli(0, "", "")
    for region in sorted(trail.chains):
        c = run_cli(world, trail, region, ours.start, ours.end)
        total.rc = max(total.rc, c.rc)
        total.stdout += c.stdout
        total.stderr += c.stderr
        total.digests = tuple(a + b for a, b in zip(total.digests, c.digests))
        total.logs = tuple(a + b for a, b in zip(total.logs, c.logs))
        total.problems += c.problems
        total.gaps += c.gaps
    return total


# --------------------------------------------------------------------------
# What the binary should say


def human(secs):
    h, m, s = secs // 3600, secs // 60 % 60, secs % 60
    return f"{h}h {m}m {s}s" if h else (f"{m}m {s}s" if m else f"{s}s")


def expected(ours, counts, newest_end, age_warning=7200):
    """The status line and perfdata the binary prints for `counts`
    ({metric: n}), its newest valid digest ending at `newest_end`."""
    c = {k: counts.get(k, 0) for k in PERFDATA_ORDER}
    age = ours.end - int(newest_end.timestamp())
    critical = bool(c["digests_invalid"] or c["digests_missing"] or c["logs_invalid"]
                    or c["logs_missing"] or age > 21600)
    parts = [
        (c["digests_invalid"] or c["digests_missing"],
         f"digest files: {c['digests_valid']} valid, {c['digests_invalid']} invalid, "
         f"{c['digests_missing']} missing"),
        (c["logs_invalid"] or c["logs_missing"],
         f"log files: {c['logs_valid']} valid, {c['logs_invalid']} invalid, {c['logs_missing']} missing"),
        (c["chain_breaks"], f"chain breaks: {c['chain_breaks']}"),
        (age > age_warning, f"newest valid digest ended {human(age)} ago"),
    ]
    if any(bad for bad, _ in parts):
        state = "CRITICAL" if critical else "WARNING"
        text = " - ".join(t for bad, t in parts if bad)
    else:
        state, text = "OK", " - ".join(t for _, t in parts)
    perf = " ".join(f"'{k}'={c[k]};{THRESHOLDS.get(k, ';')};0;" for k in PERFDATA_ORDER)
    perf += f" 'digest_age'={age}s;0:{age_warning};0:21600;0;"
    return f"{state}: {text} | {perf}", c


def check(ours, cli, counts, newest_end, problems=(), gaps=(), regions=(HOME,), cli_differs=False):
    """The binary's status line, perfdata and long lines (`problems`:
    (kind, url, text), in the walk's order; `gaps`: the chain-break
    lines); then the aws CLI's counts, INVALID and gap lines against ours
    (unless `cli_differs`: the test asserts the difference itself)."""
    line, c = expected(ours, counts, newest_end)
    assert ours.status == line, ours.run
    long = [f"source regions checked: {', '.join(sorted(regions))}"]
    long += [f"{kind} file {url} {text}" for kind, url, text in problems] + list(gaps)
    assert [x for x in ours.long if x] == long, ours.run
    if cli_differs:
        return
    assert cli.digests == (c["digests_valid"],
                           c["digests_valid"] + c["digests_invalid"] + c["digests_missing"]), cli
    assert cli.logs == (c["logs_valid"], c["logs_valid"] + c["logs_invalid"] + c["logs_missing"]), cli
    assert sorted(cli.problems) == sorted(problems), cli
    assert cli.gaps == list(gaps), cli
    assert cli.rc == (1 if (c["digests_invalid"] or c["digests_missing"] or c["logs_invalid"]
                            or c["logs_missing"]) else 0), cli


def both(world, t, plugin, *extra):
    ours = run_ours(world, t, plugin, *extra)
    return ours, run_cli_regions(world, t, ours)


def iso(t):
    return digests.iso(t)


# --------------------------------------------------------------------------
# The variants: a chain of four hourly digests listing 2, 0, 1 and 2 log
# files (oldest first) unless said otherwise.

NOT_FOUND = "INVALID: not found"


def test_valid(world, plugin):
    t = Trail(world, "valid")
    chain = t.chain(HOME)
    t.write()
    ours, cli = both(world, t, plugin)
    check(ours, cli, {"digests_valid": 4, "logs_valid": 5}, chain[-1].end)
    # The same found through DescribeTrails (bucket, home region, validation on).
    described = run_ours(world, t, plugin, bucket=False)
    assert described.status == expected(described, {"digests_valid": 4, "logs_valid": 5},
                                        chain[-1].end)[0], described.run


def test_edited_log(world, plugin):
    t = Trail(world, "edited-log")
    chain = t.chain(HOME)
    log = t.logs[chain[3].key][0]
    t.objects[log][0] = digests.gz(digests.log_body(ACCOUNT, t.now, "forged", 2))
    t.write()
    ours, cli = both(world, t, plugin)
    check(ours, cli, {"digests_valid": 4, "logs_valid": 4, "logs_invalid": 1}, chain[-1].end,
          [("log", t.url(log), "INVALID: hash value doesn't match")])


def test_deleted_log(world, plugin):
    t = Trail(world, "deleted-log")
    chain = t.chain(HOME)
    log = t.logs[chain[0].key][1]
    del t.objects[log]
    t.write()
    ours, cli = both(world, t, plugin)
    check(ours, cli, {"digests_valid": 4, "logs_valid": 4, "logs_missing": 1}, chain[-1].end,
          [("log", t.url(log), NOT_FOUND)])


def test_deleted_digest_mid_chain(world, plugin):
    """The newer digest links to it: missing; the walk goes on with the
    next older digest listed, and the deleted digest's log files are not
    checked (nothing vouches for them)."""
    t = Trail(world, "deleted-digest")
    chain = t.chain(HOME)
    del t.objects[chain[2].key]
    t.write()
    ours, cli = both(world, t, plugin)
    check(ours, cli, {"digests_valid": 3, "digests_missing": 1, "logs_valid": 4}, chain[-1].end,
          [("digest", t.url(chain[2].key), NOT_FOUND)])


def test_newest_digest_deleted(world, plugin):
    """Nothing links to the newest digest: neither checker can tell it is
    gone. Only its age shows it: an hour more than the chain's."""
    t = Trail(world, "newest-deleted")
    chain = t.chain(HOME)
    del t.objects[chain[3].key]
    t.write()
    ours, cli = both(world, t, plugin)
    check(ours, cli, {"digests_valid": 3, "logs_valid": 3}, chain[2].end)
    age = ours.end - int(chain[2].end.timestamp())
    assert 3600 < age < 7200
    tight = run_ours(world, t, plugin, "--warning-digest-age=3000")
    line, _ = expected(tight, {"digests_valid": 3, "logs_valid": 3}, chain[2].end, age_warning=3000)
    assert tight.status == line, tight.run
    assert tight.status.startswith("WARNING: newest valid digest ended 1h "), tight.run
    assert tight.run.rc == 1


def test_altered_signature(world, plugin):
    t = Trail(world, "altered-signature")
    chain = t.chain(HOME)
    meta = t.objects[chain[2].key][1]
    sig = meta["signature"]
    meta["signature"] = ("0" if sig[0] != "0" else "1") + sig[1:]
    t.write()
    ours, cli = both(world, t, plugin)
    check(ours, cli, {"digests_valid": 3, "digests_invalid": 1, "logs_valid": 4}, chain[-1].end,
          [("digest", t.url(chain[2].key), "INVALID: signature verification failed")])


def test_moved_digest(world, plugin):
    """A valid digest copied to another key (dated after the newest, so
    the walk starts there): it says it lives elsewhere."""
    t = Trail(world, "moved-digest")
    chain = t.chain(HOME)
    moved = t.layout.digest_key(HOME, chain[3].end + timedelta(minutes=30))
    t.objects[moved] = list(t.objects[chain[1].key])
    t.write()
    ours, cli = both(world, t, plugin)
    check(ours, cli, {"digests_valid": 4, "digests_invalid": 1, "logs_valid": 5}, chain[-1].end,
          [("digest", t.url(moved), "INVALID: has been moved from its original location")])


def test_unknown_key(world, plugin):
    """The newest digest signed by a key ListPublicKeys does not list."""
    t = Trail(world, "unknown-key")
    unknown = world.keys["unknown"]
    chain = t.chain(HOME, signers={3: unknown})
    t.write()
    ours, cli = both(world, t, plugin)
    check(ours, cli, {"digests_valid": 3, "digests_invalid": 1, "logs_valid": 3}, chain[2].end,
          [("digest", t.url(chain[3].key),
            f"INVALID: public key not found in region {HOME} for fingerprint {unknown.fingerprint}")])


def test_restarted_chain(world, plugin):
    """Logging stopped for an hour, then started again: the third digest
    starts a new chain. A break, not an invalid file."""
    t = Trail(world, "restarted")
    chain = t.chain(HOME, restart=2)
    t.write()
    ours, cli = both(world, t, plugin)
    gap = (f"No log files were delivered by CloudTrail between {iso(chain[1].end)} "
           f"and {iso(chain[2].start)}")
    check(ours, cli, {"digests_valid": 4, "logs_valid": 5, "chain_breaks": 1}, chain[-1].end,
          gaps=[gap])
    assert ours.run.rc == 1


def test_backfill_digest(world, plugin):
    """A backfill digest for a late log file, generated later: its own
    chain, its key looked up around its generation time."""
    t = Trail(world, "backfill")
    chain = t.chain(HOME)
    t.backfill(HOME, chain[1].end, chain[2].end + timedelta(minutes=10))
    t.write()
    ours, cli = both(world, t, plugin)
    check(ours, cli, {"digests_valid": 5, "logs_valid": 6}, chain[-1].end)
    assert re.search(r"^1/1 backfill digest files valid$", cli.stdout, re.M), cli


def test_backfill_digest_edited_log(world, plugin):
    t = Trail(world, "backfill-edited")
    chain = t.chain(HOME)
    b = t.backfill(HOME, chain[1].end, chain[2].end + timedelta(minutes=10))
    log = t.logs[b.key][0]
    t.objects[log][0] = digests.gz(digests.log_body(ACCOUNT, t.now, "forged", 1))
    t.write()
    ours, cli = both(world, t, plugin)
    check(ours, cli, {"digests_valid": 5, "logs_valid": 5, "logs_invalid": 1}, chain[-1].end,
          [("log", t.url(log), "INVALID: hash value doesn't match")])


def test_trailing_data_after_log(world, plugin):
    t = Trail(world, "trailing-data")
    chain = t.chain(HOME)
    log = t.logs[chain[3].key][1]
    t.objects[log][0] += b"appended after the gzip stream"
    t.write()
    ours, cli = both(world, t, plugin)
    check(ours, cli, {"digests_valid": 4, "logs_valid": 4, "logs_invalid": 1}, chain[-1].end,
          [("log", t.url(log), "INVALID: unexpected data after end of compressed stream")])


def test_two_source_regions(world, plugin):
    """A multi-region trail: a chain per source region, each signed by its
    region's key (ListPublicKeys asked in that region); a log file gone in
    the second. The CLI checks one region per run: its runs are summed."""
    t = Trail(world, "two-regions")
    home = t.chain(HOME)
    other = t.chain(OTHER, logs=(1, 1, 1))
    log = t.logs[other[1].key][0]
    del t.objects[log]
    t.write()
    ours, cli = both(world, t, plugin)
    check(ours, cli, {"digests_valid": 7, "logs_valid": 7, "logs_missing": 1}, home[-1].end,
          [("log", t.url(log), NOT_FOUND)], regions=(HOME, OTHER))


def test_spki_key(world, plugin):
    """The region's key listed as SubjectPublicKeyInfo DER (as one AWS
    sample is): we read it; the aws CLI v1 loads PKCS#1 only, so every
    digest is "Unable to load PKCS #1 key" there, and no log file is read."""
    t = Trail(world, "spki")
    chain = t.chain(HOME)
    t.der[HOME] = "spki"
    t.write()
    ours, cli = both(world, t, plugin)
    check(ours, cli, {"digests_valid": 4, "logs_valid": 5}, chain[-1].end, cli_differs=True)
    fp = world.keys["home"].fingerprint
    assert cli.digests == (0, 4), cli
    assert cli.logs == (0, 0), cli
    assert sorted(cli.problems) == sorted(
        ("digest", t.url(d.key), f"INVALID: Unable to load PKCS #1 key with fingerprint {fp}")
        for d in chain), cli
    assert cli.rc == 1



def test_second_gzip_member_in_log(world, plugin):
    """A gzip member appended to a log file: the aws CLI reads one member
    (zlib), so the rest is trailing data, and so it is for us."""
    t = Trail(world, "log-member")
    chain = t.chain(HOME)
    log = t.logs[chain[3].key][1]
    t.objects[log][0] += digests.gz(b'{"Records":[]}')
    t.write()
    ours, cli = both(world, t, plugin)
    check(ours, cli, {"digests_valid": 4, "logs_valid": 4, "logs_invalid": 1}, chain[-1].end,
          [("log", t.url(log), "INVALID: unexpected data after end of compressed stream")])


@pytest.mark.parametrize("appended", ["bytes", "member"])
def test_data_after_digest(world, plugin, appended):
    """Bytes or a gzip member appended to a digest file: the aws CLI
    inflates its first member only (zlib.decompress ignores what follows),
    which is what is signed: valid for both."""
    t = Trail(world, f"digest-{appended}")
    chain = t.chain(HOME)
    t.objects[chain[2].key][0] += (b"appended after the gzip stream" if appended == "bytes"
                                   else digests.gz(b" "))
    t.write()
    ours, cli = both(world, t, plugin)
    check(ours, cli, {"digests_valid": 4, "logs_valid": 5}, chain[-1].end)


def test_not_gzip(world, plugin):
    """A log file replaced by plain JSON and a digest cut in half: invalid
    format for both (the digest's log files unread)."""
    t = Trail(world, "not-gzip")
    chain = t.chain(HOME)
    log = t.logs[chain[3].key][1]
    t.objects[log][0] = b'{"Records":[]}'
    body = t.objects[chain[2].key][0]
    t.objects[chain[2].key][0] = body[:len(body) // 2]
    t.write()
    ours, cli = both(world, t, plugin)
    check(ours, cli, {"digests_valid": 3, "digests_invalid": 1, "logs_valid": 3, "logs_invalid": 1},
          chain[-1].end, [("digest", t.url(chain[2].key), "INVALID: invalid format"),
                          ("log", t.url(log), "INVALID: invalid format")])


def test_truncated_log(world, plugin):
    """A log file cut in half: invalid for both, in other words. The CLI's
    zlib decompressobj does not fail on a stream that stops early, it
    hashes what it got: "hash value doesn't match"; we say the gzip is
    truncated: "invalid format" (the same for an empty file)."""
    t = Trail(world, "truncated-log")
    chain = t.chain(HOME)
    log = t.logs[chain[3].key][1]
    body = t.objects[log][0]
    t.objects[log][0] = body[:len(body) // 2]
    t.write()
    ours, cli = both(world, t, plugin)
    counts = {"digests_valid": 4, "logs_valid": 4, "logs_invalid": 1}
    check(ours, cli, counts, chain[-1].end, [("log", t.url(log), "INVALID: invalid format")],
          cli_differs=True)
    assert (cli.digests, cli.logs, cli.rc) == ((4, 4), (4, 5), 1), cli
    assert cli.problems == [("log", t.url(log), "INVALID: hash value doesn't match")], cli


# --------------------------------------------------------------------------
# Organization trails: AWSLogs/o-ID/ACCOUNT/..., the organization moto's.


@dataclass
class Org:
    id: str
    active: list  # member accounts created ACTIVE (the management account aside)
    closed: str  # a member account closed (moto: SUSPENDED)
    listed: list  # ListAccounts as moto answers it


@pytest.fixture(scope="module")
def org(world):
    """moto's organization, its management account ACCOUNT (the trail's),
    two active member accounts and a closed one; made by e2e-writer."""
    o = botocore_client("organizations", world.moto.url, world.writer.access_key,
                        world.writer.secret_key, region=HOME)
    org_id = o.create_organization(FeatureSet="ALL")["Organization"]["Id"]

    def account(name):
        s = o.create_account(Email=f"{name}@example.com", AccountName=name)
        return s["CreateAccountStatus"]["AccountId"]

    active = [account("e2e-member-a"), account("e2e-member-b")]
    closed = account("e2e-member-closed")
    o.close_account(AccountId=closed)
    listed = o.list_accounts()["Accounts"]
    assert {(a["Id"], a["Status"]) for a in listed} == {
        (ACCOUNT, "ACTIVE"), (active[0], "ACTIVE"), (active[1], "ACTIVE"), (closed, "SUSPENDED")}
    return Org(org_id, active, closed, listed)


def orgs_env(world):
    return {"AWS_ENDPOINT_URL_ORGANIZATIONS": world.moto.url}


def test_organization_trail(world, org, plugin):
    """An organization trail (DescribeTrails: IsOrganizationTrail) with the
    management account's files under AWSLogs/o-ID/ACCOUNT/: the single
    o-… folder is found, by DescribeTrails and with --s3-bucket, and the
    aws CLI (--account-id, the org id from DescribeOrganization) counts
    what we count."""
    t = Trail(world, "org", layout="organization", org_id=org.id)
    chain = t.chain(HOME)
    log = t.logs[chain[0].key][0]
    del t.objects[log]
    t.write()
    counts = {"digests_valid": 4, "logs_valid": 4, "logs_missing": 1}
    problems = [("log", t.url(log), NOT_FOUND)]
    described = run_ours(world, t, plugin, bucket=False)
    assert described.described == 1, described.run
    cli = run_cli_regions(world, t, described)
    check(described, cli, counts, chain[-1].end, problems)
    assert f"AWSLogs/{org.id}/{ACCOUNT}/CloudTrail/" in log
    # --s3-bucket: the account has no folder of its own, the o-… one is read.
    ours = run_ours(world, t, plugin)
    assert ours.described == 0, ours.run
    check(ours, cli, counts, chain[-1].end, problems)
    # --s3-bucket and --organization-id: that folder, DescribeTrails not called.
    named = run_ours(world, t, plugin, f"--organization-id={org.id}")
    assert named.described == 0, named.run
    check(named, cli, counts, chain[-1].end, problems)
    # Another organization's folder: nothing there.
    before = len(world.fake.requests())
    other = plugin("--mode=logintegrity", f"--trail-name={t.arn}", f"--s3-bucket={t.bucket}",
                   "--organization-id=o-0123456789", f"--s3-endpoint-url={world.moto.url}",
                   f"--endpoint-url={world.fake.url}", f"--region={HOME}", "--disable-statefile",
                   *world.monitor.args())
    assert other.line == (f"CRITICAL: no digest folder under s3://{t.bucket}/AWSLogs/"
                          f"o-0123456789/{ACCOUNT}/CloudTrail-Digest/: is log file "
                          f"validation on for trail {t.name}? "), other
    assert other.rc == 2
    assert world.fake.requests()[before:] == [], other


@pytest.mark.parametrize("garbage", ["o-", "O-ABCDEFGHIJ", "o-abc", "123456789012",
                                     "o-abcdefghij/"])
def test_organization_id_garbage(world, plugin, garbage):
    """Refused before any call: UNKNOWN naming the option."""
    run = plugin("--mode=logintegrity", f"--trail-name=arn:aws:cloudtrail:{HOME}:{ACCOUNT}:trail/x",
                 "--s3-bucket=e2e-li-never", f"--organization-id={garbage}",
                 f"--s3-endpoint-url={world.moto.url}", f"--endpoint-url={world.fake.url}",
                 f"--region={HOME}", "--disable-statefile", *world.monitor.args())
    assert run.rc == 3, run
    assert run.line.startswith(f"UNKNOWN: --organization-id '{garbage}' is not an organization "
                               "id"), run



def test_all_accounts(world, org, plugin):
    """--all-accounts over an organization trail's folders: the management
    account's clean, member A's with an edited log file; member B is
    ACTIVE without a folder, the closed one is not expected. With
    organizations:ListAccounts: three accounts, two failing; denied it,
    the folders define the accounts: two, one failing. The aws CLI, run
    once per account folder (--account-id) and region, sums to our counts."""
    t = Trail(world, "org-all", layout="organization", org_id=org.id)
    a, b = org.active
    chain = t.chain(HOME)
    edited = t.member(a)
    edited_chain = edited.chain(HOME)
    log = edited.logs[edited_chain[3].key][0]
    edited.objects[log][0] = digests.gz(digests.log_body(a, t.now, "forged", 2))
    t.write()
    edited.write()
    assert chain[-1].end == edited_chain[-1].end
    counts = {"digests_valid": 8, "logs_valid": 9, "logs_invalid": 1}
    edited_line = f"account {a}: CRITICAL: log files: 4 valid, 1 invalid, 0 missing"
    problem = f"log file {t.url(log)} INVALID: hash value doesn't match"

    def expect(ours, total, failing, missing=()):
        line, _ = expected(ours, counts, chain[-1].end)
        status, perf = line.split(" | ")
        for m in missing:
            status += (f" - account {m}: no digest folder under s3://{t.bucket}/AWSLogs/"
                       f"{org.id}/{m}/CloudTrail-Digest/")
        perf += f" 'accounts_total'={total};;;0; 'accounts_failing'={failing};;;0;"
        assert ours.status == f"{status} | {perf}", ours.run
        assert ours.run.rc == 2, ours.run
        assert ours.perfdata["accounts_total"] == str(total), ours.run
        assert ours.perfdata["accounts_failing"] == str(failing), ours.run

    ours = run_ours(world, t, plugin, "--all-accounts", bucket=False, keys=world.org_monitor,
                    env=orgs_env(world))
    assert ours.described == 1, ours.run
    expect(ours, 3, 2, missing=[b])
    lines = {a: edited_line, b: f"account {b}: CRITICAL: no digest folder under "
                                f"s3://{t.bucket}/AWSLogs/{org.id}/{b}/CloudTrail-Digest/"}
    assert [x for x in ours.long if x] == [
        f"organization {org.id}: 3 member accounts (ListAccounts)",
        *(lines[i] for i in sorted(lines)), problem], ours.run
    assert org.closed not in ours.run.stdout, ours.run

    # The aws CLI, once per account folder: the same sums and INVALID line.
    cli = [run_cli_regions(world, m, ours) for m in (t, edited)]
    assert tuple(map(sum, zip(*(c.digests for c in cli)))) == (8, 8), cli
    assert tuple(map(sum, zip(*(c.logs for c in cli)))) == (9, 10), cli
    assert [c.problems for c in cli] == [
        [], [("log", t.url(log), "INVALID: hash value doesn't match")]], cli
    assert [c.rc for c in cli] == [0, 1], cli

    # organizations:ListAccounts denied (e2e-integrity): the folders tell.
    denied = run_ours(world, t, plugin, "--all-accounts", bucket=False, env=orgs_env(world))
    expect(denied, 2, 1)
    assert [x for x in denied.long if x] == [
        f"organization {org.id}: 2 member accounts (folders)", edited_line, problem], denied.run

    # --s3-bucket and --organization-id: no DescribeTrails, the same answer.
    named = run_ours(world, t, plugin, "--all-accounts", f"--organization-id={org.id}",
                     keys=world.org_monitor, env=orgs_env(world))
    assert named.described == 0, named.run
    expect(named, 3, 2, missing=[b])
