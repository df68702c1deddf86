"""CloudTrail log files for `--source=s3` ([logsource], issue 19), for
tests only: realistic records of every event category, the log files a
trail writes them in (gzip of {"Records": [...]} under
`[PREFIX/]AWSLogs/[o-ID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/`, Insights
under `CloudTrail-Insight/`), and an independent count of the same
records in Python: what the binary must say, computed without it.

The keys and the gzip come from digests.py (Layout, gz), the same writer
as logintegrity's chains; the records and the counter are here. Used by
test_logsource_moto.py, and by fake_cloudtrail.py --events (the same
management records served as LookupEvents entries: `lookup_entry`).

Record shapes follow CloudTrail's record contents reference
(userIdentity, additionalEventData.MFAUsed, responseElements.ConsoleLogin,
resources[] of data events, eventCategory, managementEvent, tlsDetails;
network activity events: eventType AwsVpceEvent with vpcEndpointId;
Insights: eventType AwsCloudTrailInsight with insightDetails).
"""

import json
import random
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import digests

SELF_AGENT = "check_cloudtrail/0.0.0-e2e"
CATEGORIES = ("Management", "Data", "NetworkActivity", "Insight")


def iso(t):
    return digests.iso(t)


def parse_time(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


# --------------------------------------------------------------------------
# Identities


def iam_user(account, name, key="AKIAE2EUSER"):
    return {"type": "IAMUser", "principalId": f"AIDA{name.upper():0<16}"[:21],
            "arn": f"arn:aws:iam::{account}:user/{name}", "accountId": account,
            "accessKeyId": f"{key}{name.upper()}"[:20].ljust(20, "X"), "userName": name}


def assumed_role(account, role, session):
    return {"type": "AssumedRole", "principalId": f"AROAE2EROLE:{session}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}", "accountId": account,
            "accessKeyId": "ASIAE2ESESSION000001",
            "sessionContext": {"sessionIssuer": {"type": "Role", "userName": role,
                                                 "arn": f"arn:aws:iam::{account}:role/{role}"},
                               "attributes": {"creationDate": "2026-01-01T00:00:00Z",
                                              "mfaAuthenticated": "false"}}}


def root(account):
    return {"type": "Root", "principalId": account, "arn": f"arn:aws:iam::{account}:root",
            "accountId": account, "accessKeyId": "ASIAE2EROOT000000001"}


def service(name):
    return {"type": "AWSService", "invokedBy": name}


# --------------------------------------------------------------------------
# Record templates: (weight, builder(account, region, rng) -> partial record)


def _api(source, name, who, read_only, **extra):
    rec = {"eventSource": source, "eventName": name, "userIdentity": who,
           "eventType": "AwsApiCall", "readOnly": read_only, "managementEvent": True,
           "eventCategory": "Management", "userAgent": "aws-cli/2.17.4 md/arch#x86_64"}
    rec.update(extra)
    return rec


def console_login(account, user, mfa, ok):
    rec = {"eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
           "userIdentity": iam_user(account, user), "eventType": "AwsConsoleSignIn",
           "managementEvent": True, "eventCategory": "Management", "readOnly": False,
           "userAgent": "Mozilla/5.0 (X11; Linux x86_64)",
           "responseElements": {"ConsoleLogin": "Success" if ok else "Failure"},
           "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/",
                                   "MobileVersion": "No", "MFAUsed": "Yes" if mfa else "No"}}
    if not ok:
        rec["errorMessage"] = "Failed authentication"
    return rec


def s3_object(account, region, name, who, key, error=None):
    bucket = "e2e-data-bucket"
    rec = {"eventSource": "s3.amazonaws.com", "eventName": name, "userIdentity": who,
           "eventType": "AwsApiCall", "readOnly": name == "GetObject", "managementEvent": False,
           "eventCategory": "Data", "userAgent": "aws-sdk-go-v2/1.30.1 api/s3#1.58.0",
           "requestParameters": {"bucketName": bucket, "key": key,
                                 "Host": f"{bucket}.s3.{region}.amazonaws.com"},
           "resources": [{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"},
                         {"accountId": account, "type": "AWS::S3::Bucket",
                          "ARN": f"arn:aws:s3:::{bucket}"}],
           "additionalEventData": {"bytesTransferredIn": 0, "bytesTransferredOut": 512}}
    if error:
        rec["errorCode"], rec["errorMessage"] = error, "Access Denied"
    return rec


def lambda_invoke(account, region, who, fn):
    arn = f"arn:aws:lambda:{region}:{account}:function:{fn}"
    return {"eventSource": "lambda.amazonaws.com", "eventName": "Invoke", "userIdentity": who,
            "eventType": "AwsApiCall", "readOnly": False, "managementEvent": False,
            "eventCategory": "Data", "userAgent": "Boto3/1.34.120 md/Botocore#1.34.120",
            "requestParameters": {"functionName": arn, "invocationType": "RequestResponse"},
            "resources": [{"accountId": account, "type": "AWS::Lambda::Function", "ARN": arn}]}


def network_activity(account, region, who, source, name, denied):
    rec = {"eventSource": source, "eventName": name, "userIdentity": who,
           "eventType": "AwsVpceEvent", "readOnly": True, "managementEvent": False,
           "eventCategory": "NetworkActivity", "userAgent": "aws-cli/2.17.4",
           "vpcEndpointId": "vpce-0e2e0e2e0e2e0e2e0", "vpcEndpointAccountId": account,
           "recipientAccountId": account}
    if denied:
        rec["errorCode"] = "VpceAccessDenied"
        rec["errorMessage"] = ("The request was denied due to a VPC endpoint policy")
    return rec


def insight(account, region, name, state):
    return {"eventSource": "ec2.amazonaws.com", "eventName": name,
            "eventType": "AwsCloudTrailInsight", "eventCategory": "Insight",
            "sharedEventID": str(uuid.UUID(int=random.Random(name + state).getrandbits(128))),
            "insightDetails": {"state": state, "eventSource": "ec2.amazonaws.com",
                               "eventName": name, "insightType": "ApiCallRateInsight",
                               "insightContext": {"statistics": {"baseline": {"average": 0.1},
                                                                 "insight": {"average": 4.2}}}}}


def routine(account, region, rng):
    """The bulk: everyday management, data and network activity events."""
    users = ["alice", "bob", "carol"]
    who = rng.choice([iam_user(account, rng.choice(users)),
                      assumed_role(account, "deploy-role", "deploy"),
                      assumed_role(account, "ci-role", "ci-runner")])
    k = rng.randrange(12)
    if k == 0:
        return _api("ec2.amazonaws.com", "DescribeInstances", who, True)
    if k == 1:
        return _api("sts.amazonaws.com", "AssumeRole", who, False)
    if k == 2:
        return _api("iam.amazonaws.com", "GetRole", who, True)
    if k == 3:
        return {**_api("kms.amazonaws.com", "Decrypt", service("s3.amazonaws.com"), True),
                "eventType": "AwsServiceEvent"}
    if k == 4:
        return _api("cloudtrail.amazonaws.com", "LookupEvents",
                    assumed_role(account, "monitoring", "nagios"), True, userAgent=SELF_AGENT)
    if k == 5:
        return _api("ec2.amazonaws.com", "RunInstances", who, False,
                    errorCode="Client.UnauthorizedOperation",
                    errorMessage="You are not authorized to perform this operation.")
    if k in (6, 7):
        return s3_object(account, region, rng.choice(["GetObject", "PutObject"]), who,
                         f"raw/{rng.randrange(10000):05d}.parquet")
    if k == 8:
        return s3_object(account, region, "DeleteObject", who, "tmp/x.csv",
                         error="AccessDenied" if rng.random() < 0.5 else None)
    if k == 9:
        return lambda_invoke(account, region, who, rng.choice(["resize", "notify"]))
    if k == 10:
        return network_activity(account, region, who, "kms.amazonaws.com", "Decrypt",
                                denied=rng.random() < 0.5)
    return network_activity(account, region, who, "s3.amazonaws.com", "ListBuckets", denied=False)


def cis_records(account):
    """One or more records of each CIS category securityevents counts
    (src/modes/cis.rs), and near misses that must not count."""
    alice = iam_user(account, "alice")
    role = assumed_role(account, "admin-role", "admin")
    out = [
        # 4.1 unauthorized API calls (both patterns)
        ("unauthorized_api_calls", _api("ec2.amazonaws.com", "DescribeVolumes", alice, True,
                                        errorCode="Client.UnauthorizedOperation",
                                        errorMessage="You are not authorized")),
        ("unauthorized_api_calls", _api("s3.amazonaws.com", "GetBucketPolicy", role, True,
                                        errorCode="AccessDenied", errorMessage="Access Denied")),
        # 4.2 console login without MFA; with MFA does not count
        ("console_login_without_mfa", console_login(account, "bob", mfa=False, ok=True)),
        (None, console_login(account, "carol", mfa=True, ok=True)),
        # 4.3 root usage; root acting through a service does not count
        ("root_account_usage", _api("iam.amazonaws.com", "GetAccountSummary", root(account), True)),
        (None, _api("iam.amazonaws.com", "GetAccountSummary",
                    {**root(account), "invokedBy": "support.amazonaws.com"}, True)),
        ("iam_policy_changes", _api("iam.amazonaws.com", "PutUserPolicy", alice, False)),
        ("iam_policy_changes", _api("iam.amazonaws.com", "AttachRolePolicy", role, False)),
        ("cloudtrail_changes", _api("cloudtrail.amazonaws.com", "StopLogging", role, False)),
        # 4.6 console authentication failure
        ("console_auth_failures", console_login(account, "mallory", mfa=False, ok=False)),
        ("cmk_disable_or_deletion", _api("kms.amazonaws.com", "ScheduleKeyDeletion", role, False)),
        ("s3_bucket_policy_changes", _api("s3.amazonaws.com", "PutBucketPolicy", role, False)),
        ("aws_config_changes", _api("config.amazonaws.com", "StopConfigurationRecorder", role, False)),
        ("security_group_changes", _api("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", role,
                                        False)),
        ("nacl_changes", _api("ec2.amazonaws.com", "CreateNetworkAclEntry", role, False)),
        ("network_gateway_changes", _api("ec2.amazonaws.com", "AttachInternetGateway", role, False)),
        ("route_table_changes", _api("ec2.amazonaws.com", "CreateRoute", role, False)),
        ("vpc_changes", _api("ec2.amazonaws.com", "CreateVpc", role, False)),
        ("organizations_changes", _api("organizations.amazonaws.com", "CreateAccount", role, False)),
    ]
    return out


# --------------------------------------------------------------------------
# The trail's files


@dataclass
class LogFile:
    key: str
    records: list
    region: str
    insight: bool = False

    def body(self):
        return digests.gz(json.dumps({"Records": self.records}, separators=(",", ":")))


@dataclass
class Fixture:
    """A trail's log files and every record in them (with the file each is
    in), for one or more accounts' folders under one bucket."""

    bucket: str
    now: datetime
    files: list = field(default_factory=list)
    cis: dict = field(default_factory=dict)  # label -> [eventID] expected (home account)

    def records(self, account=None, region=None, insight=None):
        for f in self.files:
            if region is not None and f.region != region:
                continue
            if insight is not None and f.insight != insight:
                continue
            for r in f.records:
                if account is None or r["recipientAccountId"] == account:
                    yield r

    def objects(self):
        return {f.key: f.body() for f in self.files}

    def write(self, s3, create=True):
        if create:
            s3.create_bucket(Bucket=self.bucket)
        for key, body in self.objects().items():
            s3.put_object(Bucket=self.bucket, Key=key, Body=body)


def build(bucket, layout, regions, now, seed=19, per_region=240, hours=5.5, cis_region=None,
          extra_layouts=()):
    """The fixture: for each region of `layout` (a digests.Layout) and of
    `extra_layouts` (other accounts' folders in the same bucket: must not
    count), `per_region` routine records spread over the last `hours`
    (never within 3 minutes of a whole quarter hour of age, so a window of
    any multiple of 15 minutes cuts nowhere near an event), the CIS set
    in `cis_region` 20 to 40 minutes ago, Insights, and records outside
    the window (old files; a late file holding old events)."""
    fx = Fixture(bucket, now)
    for li, lay in enumerate((layout, *extra_layouts)):
        for ri, region in enumerate(regions):
            rng = random.Random(f"{seed}/{li}/{region}")
            recs = []

            def add(rec, age_s):
                t = now - timedelta(seconds=age_s)
                rec = {"eventVersion": "1.10", **rec, "eventTime": iso(t),
                       "awsRegion": region, "recipientAccountId": lay.account,
                       "eventID": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                       "requestID": f"{rng.getrandbits(64):016X}",
                       "sourceIPAddress": rec.get("sourceIPAddress") or
                       f"198.51.100.{rng.randrange(1, 255)}"}
                if rec.get("eventCategory") != "Insight" and rec.get("managementEvent") is not False:
                    rec.setdefault("tlsDetails", {"tlsVersion": "TLSv1.3",
                                                  "cipherSuite": "TLS_AES_128_GCM_SHA256"})
                recs.append(rec)
                return rec

            def age(lo_min, hi_min):
                while True:
                    a = rng.uniform(lo_min * 60, hi_min * 60)
                    if abs((a + 450) % 900 - 450) > 180:  # 3 min from a quarter hour
                        return a

            for _ in range(per_region):
                add(routine(lay.account, region, rng), age(1, hours * 60))
            if li == 0 and region == (cis_region or regions[0]):
                for label, rec in cis_records(lay.account):
                    r = add(rec, age(20, 40))
                    if label:
                        fx.cis.setdefault(label, []).append(r["eventID"])
            # Old events (outside any window the tests use: > 8 h).
            old = [add(routine(lay.account, region, rng), age(9 * 60, 10 * 60)) for _ in range(6)]
            # Group into files as CloudTrail does, the file stamped at its
            # newest event's minute; every 15 minutes rather than CloudTrail's
            # 5, as moto with IAM on takes ~0.1 s a GET (the test's budget).
            recs.sort(key=lambda r: r["eventTime"])
            batches = defaultdict(list)
            for r in recs:
                t = parse_time(r["eventTime"])
                batches[int(t.timestamp()) // 900].append(r)
            for n, (b, rs) in enumerate(sorted(batches.items())):
                stamp = parse_time(rs[-1]["eventTime"]) + timedelta(minutes=1)
                stamp = min(stamp, now)
                unique = f"{rng.getrandbits(64):016x}"[:16]
                rng.shuffle(rs)  # records in a file are in no order
                fx.files.append(LogFile(lay.log_key(region, stamp, unique), rs, region))
            # A late file: old events (9-10 h ago) delivered 2 minutes ago,
            # in today's folder: read, but outside the window.
            late = [dict(r, eventID=str(uuid.UUID(int=rng.getrandbits(128), version=4)))
                    for r in old[:3]]
            stamp = now - timedelta(minutes=2)
            fx.files.append(LogFile(lay.log_key(region, stamp, f"late{ri}{li}"), late, region))
            # Insights, in their own folder.
            ins = []
            for j, state in enumerate(("Start", "End")):
                t = now - timedelta(seconds=age(25 + 10 * j, 35 + 10 * j))
                ins.append({"eventVersion": "1.10", **insight(lay.account, region, "RunInstances",
                                                              state),
                            "eventTime": iso(t), "awsRegion": region,
                            "recipientAccountId": lay.account,
                            "eventID": str(uuid.UUID(int=rng.getrandbits(128), version=4))})
            stamp = parse_time(ins[-1]["eventTime"]) + timedelta(minutes=1)
            key = (f"{lay.root()}/CloudTrail-Insight/{region}/{stamp.strftime('%Y/%m/%d')}/"
                   f"{lay.account}_CloudTrail-Insight_{region}_{stamp.strftime('%Y%m%dT%H%MZ')}_"
                   f"ins{ri}{li}.json.gz")
            fx.files.append(LogFile(key, ins, region, insight=True))
    return fx


def digest_decoy(layout, region, now):
    """A digest-shaped object under CloudTrail-Digest/: not a log file."""
    return layout.digest_key(region, now - timedelta(minutes=30)), digests.gz('{"logFiles":[]}')


# --------------------------------------------------------------------------
# The independent count


def username(r):
    """LookupEvents' Username as far as a record says it, for the
    identities where there is one answer: an IAM user's userName, the
    session name of an assumed role, `root` (None otherwise)."""
    who = r.get("userIdentity") or {}
    t = who.get("type")
    if t == "IAMUser":
        return who.get("userName")
    if t == "AssumedRole":
        return who.get("arn", "").rsplit("/", 1)[-1] or None
    if t == "Root":
        return "root"
    return None


def resources(r):
    """(type, name) of each resources[] entry (name: its ARN)."""
    return [(x.get("type"), x.get("ARN")) for x in r.get("resources") or []]


@dataclass
class Filters:
    event_type: str = None
    error_message: str = None  # regex, unanchored, case-sensitive
    event_name: str = None
    event_source: str = None
    username: str = None
    resource_type: str = None
    resource_name: str = None
    access_key_id: str = None
    read_only: str = None
    error_code: str = None
    filter_event_name: str = None
    exclude_self: bool = False

    def args(self):
        out = []
        for k, v in self.__dict__.items():
            if v is None or v is False:
                continue
            opt = "--" + k.replace("_", "-")
            out.append(opt if v is True else f"{opt}={v}")
        return out

    def matches(self, r):
        if self.event_type is not None or self.error_message is not None:
            by_type = self.event_type is not None and r.get("eventType") == self.event_type
            msg = r.get("errorMessage")
            by_msg = bool(self.error_message is not None and msg
                          and re.search(self.error_message, msg))
            if not (by_type or by_msg):
                return False
        checks = [
            (self.event_name, r.get("eventName")),
            (self.event_source, r.get("eventSource")),
            (self.username, username(r)),
            (self.access_key_id, (r.get("userIdentity") or {}).get("accessKeyId")),
            (self.error_code, r.get("errorCode")),
        ]
        if any(want is not None and got != want for want, got in checks):
            return False
        if self.resource_type is not None and all(t != self.resource_type for t, _ in resources(r)):
            return False
        if self.resource_name is not None and all(n != self.resource_name for _, n in resources(r)):
            return False
        if self.read_only is not None:
            ro = r.get("readOnly")
            if ro is None or str(ro).lower() != self.read_only.lower():
                return False
        if self.filter_event_name is not None and not re.search(self.filter_event_name,
                                                                  r.get("eventName") or ""):
            return False
        if self.exclude_self and (r.get("userAgent") or "").startswith("check_cloudtrail/"):
            return False
        return True


def in_window(r, now, delta_min):
    t = parse_time(r["eventTime"])
    return now - timedelta(minutes=delta_min) <= t <= now


def count(records, now, delta_min, category="Management", filters=None):
    """How many of `records` (dicts, each once by eventID) are within
    now - delta .. now, of `category` (the record's eventCategory; a
    record without one is Management), passing `filters`."""
    f = filters or Filters()
    seen = set()
    n = 0
    for r in records:
        if r["eventID"] in seen:
            continue
        seen.add(r["eventID"])
        if (r.get("eventCategory") or "Management").lower() != category.lower():
            continue
        if in_window(r, now, delta_min) and f.matches(r):
            n += 1
    return n


def cis_count(records, now, delta_min, category="Management"):
    """securityevents' categories on the records of `category` (what
    either source reads by default: management events), by the rules of
    src/modes/cis.rs written again here: {label: n}."""
    out = defaultdict(int)
    names = {
        "iam_policy_changes": (None, {"DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy",
                                      "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy",
                                      "CreatePolicy", "DeletePolicy", "CreatePolicyVersion",
                                      "DeletePolicyVersion", "AttachRolePolicy",
                                      "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy",
                                      "AttachGroupPolicy", "DetachGroupPolicy"}),
        "cloudtrail_changes": (None, {"CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging",
                                      "StopLogging"}),
        "cmk_disable_or_deletion": ("kms.amazonaws.com", {"DisableKey", "ScheduleKeyDeletion"}),
        "s3_bucket_policy_changes": ("s3.amazonaws.com", {
            "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle",
            "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors",
            "DeleteBucketLifecycle", "DeleteBucketReplication"}),
        "aws_config_changes": ("config.amazonaws.com", {
            "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel",
            "PutConfigurationRecorder"}),
        "security_group_changes": (None, {
            "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup",
            "DeleteSecurityGroup"}),
        "nacl_changes": (None, {"CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl",
                                "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry",
                                "ReplaceNetworkAclAssociation"}),
        "network_gateway_changes": (None, {
            "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway",
            "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway"}),
        "route_table_changes": (None, {"CreateRoute", "CreateRouteTable", "ReplaceRoute",
                                       "ReplaceRouteTableAssociation", "DeleteRouteTable",
                                       "DeleteRoute", "DisassociateRouteTable"}),
        "vpc_changes": (None, {"CreateVpc", "DeleteVpc", "ModifyVpcAttribute",
                               "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection",
                               "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection",
                               "AttachClassicLinkVpc", "DetachClassicLinkVpc",
                               "DisableVpcClassicLink", "EnableVpcClassicLink"}),
        "organizations_changes": ("organizations.amazonaws.com", {
            "AcceptHandshake", "AttachPolicy", "CancelHandshake", "CreateAccount",
            "CreateOrganization", "CreateOrganizationalUnit", "CreatePolicy", "DeclineHandshake",
            "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy",
            "EnableAllFeatures", "EnablePolicyType", "InviteAccountToOrganization",
            "LeaveOrganization", "DetachPolicy", "DisablePolicyType", "MoveAccount",
            "RemoveAccountFromOrganization", "UpdateOrganizationalUnit", "UpdatePolicy"}),
    }
    for r in records:
        if (r.get("eventCategory") or "Management").lower() != category.lower():
            continue
        if not in_window(r, now, delta_min):
            continue
        who = r.get("userIdentity") or {}
        code = r.get("errorCode") or ""
        name = r.get("eventName")
        if code.endswith("UnauthorizedOperation") or code.startswith("AccessDenied"):
            out["unauthorized_api_calls"] += 1
        if (name == "ConsoleLogin" and (r.get("additionalEventData") or {}).get("MFAUsed") != "Yes"
                and who.get("type") == "IAMUser"
                and (r.get("responseElements") or {}).get("ConsoleLogin") == "Success"):
            out["console_login_without_mfa"] += 1
        if (who.get("type") == "Root" and "invokedBy" not in who
                and r.get("eventType") != "AwsServiceEvent"):
            out["root_account_usage"] += 1
        if name == "ConsoleLogin" and r.get("errorMessage") == "Failed authentication":
            out["console_auth_failures"] += 1
        for label, (source, ns) in names.items():
            if name in ns and (source is None or r.get("eventSource") == source):
                out[label] += 1
    return dict(out)


# --------------------------------------------------------------------------
# The same records as LookupEvents entries (fake_cloudtrail.py --events)


def lookup_entry(r):
    """A LookupEvents `Events[]` entry for record `r`, as CloudTrail
    builds it: Username, Resources and AccessKeyId derived from the
    record, the record itself as CloudTrailEvent."""
    e = {"EventId": r["eventID"], "EventName": r.get("eventName"),
         "ReadOnly": str(r.get("readOnly", False)).lower(),
         "EventTime": parse_time(r["eventTime"]).timestamp(),
         "EventSource": r.get("eventSource"),
         "Resources": [{"ResourceType": t, "ResourceName": n} for t, n in resources(r)],
         "CloudTrailEvent": json.dumps(r, separators=(",", ":"))}
    key = (r.get("userIdentity") or {}).get("accessKeyId")
    if key:
        e["AccessKeyId"] = key
    user = username(r)
    if user:
        e["Username"] = user
    return e
