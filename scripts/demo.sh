#!/usr/bin/env bash
# The demo: check_cloudtrail against local stand-ins of AWS, on a machine
# with nothing but Rust and Python 3 (>= 3.9).
#
#   scripts/demo.sh
#
# Builds the release binary, sets up the pinned venv (target/e2e-venv,
# shared with scripts/e2e.sh), starts moto with three trails (one logging,
# one stopped, one hardened as CIS asks), a bucket holding a signed
# digest chain (tests/e2e/digests.py: keys, log files, hourly digests as
# CloudTrail writes them) and two log buckets for bucketposture (one
# locked down, one expiring AWSLogs/ after a day), a trail whose bucket
# holds log files of management and data events (digests.event_logs) for
# --source=s3, and tests/e2e/fake_cloudtrail.py (LookupEvents:
# ten events over three pages; ListPublicKeys and DescribeTrails for the
# signed chain's trail), then runs every mode and shows each command, its
# output line and exit code. Everything listens on 127.0.0.1 on ports
# picked at run time; nothing leaves the machine. Exits non-zero if any
# check does not give the expected exit code.
set -euo pipefail

E2E_PROG=demo.sh
# shellcheck source=scripts/lib/venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/venv.sh"
cd "$E2E_ROOT"
start=$SECONDS

say() { printf '\n== %s\n' "$*"; }

say "Building check_cloudtrail (cargo build --release)"
command -v cargo >/dev/null 2>&1 || e2e_die "cargo not found on PATH"
cargo build --release --quiet || e2e_die "cargo build --release failed"
BIN="${CARGO_TARGET_DIR:-$E2E_ROOT/target}/release/check_cloudtrail"
[[ -x "$BIN" ]] || e2e_die "no binary at $BIN after the build"

say "Python tools (moto, botocore) in target/e2e-venv"
e2e_venv_setup
e2e_clean_env
unset INITIAL_NO_AUTH_ACTION_COUNT # the demo's moto needs no IAM auth

work="$(mktemp -d "${TMPDIR:-/tmp}/check_cloudtrail-demo.XXXXXX")"
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- moto
say "Starting moto (CloudTrail, S3, KMS, CloudWatch Logs, IAM) on 127.0.0.1"
moto_port="$(e2e_free_port)"
MOTO_URL="http://127.0.0.1:$moto_port"
"$E2E_PY" -m moto.server -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
pids+=("$!")
"$E2E_PY" - "$MOTO_URL" "${pids[0]}" <<'PY' || { tail -n 30 "$work/moto.log" >&2; e2e_die "moto did not start"; }
import os, sys, time, urllib.error, urllib.request
url, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("moto exited")
    try:
        urllib.request.urlopen(url + "/moto-api/", timeout=2).read()
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("moto did not answer within 30s")
PY
echo "moto listening on $MOTO_URL"

REGION=eu-west-1
ACCESS_KEY=AKIADEMOACCESSKEY000
SECRET_KEY='demo/Secret+Key0123456789abcdefghijklmno'
say "Creating an S3 bucket and three trails in moto (botocore)"
TRAIL_ARN="$("$E2E_PY" - "$MOTO_URL" "$REGION" "$ACCESS_KEY" "$SECRET_KEY" <<'PY'
import sys
import botocore.session
from botocore.config import Config

url, region, ak, sk = sys.argv[1:5]
session = botocore.session.Session()
cfg = Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=15,
             s3={"addressing_style": "path"})
def client(service):
    return session.create_client(service, region_name=region, endpoint_url=url,
                                 aws_access_key_id=ak, aws_secret_access_key=sk, config=cfg)
client("s3").create_bucket(Bucket="demo-trail-logs",
                           CreateBucketConfiguration={"LocationConstraint": region})
ct = client("cloudtrail")
arn = ct.create_trail(Name="demo-logging", S3BucketName="demo-trail-logs")["TrailARN"]
ct.start_logging(Name="demo-logging")
ct.create_trail(Name="demo-stopped", S3BucketName="demo-trail-logs")
ct.start_logging(Name="demo-stopped")
ct.stop_logging(Name="demo-stopped")
# A trail set up as CIS asks: multi-region, validated, KMS-encrypted,
# sent to CloudWatch Logs, every management event recorded.
kms_key = client("kms").create_key(Description="demo trail logs")["KeyMetadata"]["Arn"]
logs = client("logs")
logs.create_log_group(logGroupName="demo-trail")
log_group = logs.describe_log_groups(logGroupNamePrefix="demo-trail")["logGroups"][0]["arn"]
trust = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
         '"Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"}]}')
cw_role = client("iam").create_role(RoleName="demo-trail-to-cloudwatch",
                                    AssumeRolePolicyDocument=trust)["Role"]["Arn"]
ct.create_trail(Name="demo-hardened", S3BucketName="demo-trail-logs", IsMultiRegionTrail=True,
                EnableLogFileValidation=True, IncludeGlobalServiceEvents=True, KmsKeyId=kms_key,
                CloudWatchLogsLogGroupArn=log_group, CloudWatchLogsRoleArn=cw_role)
ct.put_event_selectors(TrailName="demo-hardened", EventSelectors=[
    {"ReadWriteType": "All", "IncludeManagementEvents": True, "ExcludeManagementEventSources": []}])
ct.start_logging(Name="demo-hardened")
for name in ("demo-logging", "demo-stopped", "demo-hardened"):
    print(f"  trail {name}: IsLogging={ct.get_trail_status(Name=name)['IsLogging']}", file=sys.stderr)
print(arn)
PY
)" || e2e_die "could not create the demo trails in moto"

# ------------------------------------------------------ signed digest chain
say "Writing a signed digest chain into moto's S3 (tests/e2e/digests.py)"
# Trail demo-signed: four hourly digests (the newest ended 2 minutes ago)
# listing five log files, signed with a fresh RSA key. moto has no
# ListPublicKeys: the trail and its key go to fake_cloudtrail.py below.
INTEGRITY_FILE="$work/integrity.json"
EDITED_LOG="$("$E2E_PY" - "$MOTO_URL" "$REGION" "$ACCESS_KEY" "$SECRET_KEY" "$INTEGRITY_FILE" <<'PY'
import json, sys
from datetime import datetime, timedelta, timezone
import botocore.session
from botocore.config import Config

sys.path.insert(0, "tests/e2e")
import digests

url, region, ak, sk, integrity_file = sys.argv[1:6]
s3 = botocore.session.Session().create_client(
    "s3", region_name=region, endpoint_url=url, aws_access_key_id=ak, aws_secret_access_key=sk,
    config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}))
now = datetime.now(timezone.utc).replace(microsecond=0)
layout = digests.Layout("123456789012", "demo-signed", region)  # moto's default account
bucket = "demo-signed-logs"
key = digests.new_key()
objects, chain, log_keys = digests.hourly_chain(layout, bucket, region, key, now)
s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
for k, (body, meta) in objects.items():
    s3.put_object(Bucket=bucket, Key=k, Body=body, Metadata=meta)
with open(integrity_file, "w") as f:
    json.dump({"keys": {region: [key.entry(now - timedelta(days=30), now + timedelta(days=30))]},
               "trails": [digests.trail_entry(layout, bucket)]}, f)
print(f"  s3://{bucket}: {len(chain)} digests, {sum(map(len, log_keys))} log files, "
      f"key {key.fingerprint}", file=sys.stderr)
print(f"{bucket} {log_keys[-1][0]}")  # the log file edited later on
PY
)" || e2e_die "could not write the signed digest chain into moto"

# ------------------------------------------------------ log bucket postures
say "Creating two log buckets for bucketposture in moto (botocore)"
# demo-locked-logs: Object Lock with a 400-day default retention (which
# turns versioning on), every Block Public Access setting on. moto cannot
# turn MFA delete on. demo-expiring-logs: the Stratus Red Team defeat, a
# lifecycle rule expiring AWSLogs/ after one day; nothing else.
"$E2E_PY" - "$MOTO_URL" "$REGION" "$ACCESS_KEY" "$SECRET_KEY" <<'PY' \
    || e2e_die "could not create the bucketposture buckets in moto"
import sys
import botocore.session
from botocore.config import Config

url, region, ak, sk = sys.argv[1:5]
s3 = botocore.session.Session().create_client(
    "s3", region_name=region, endpoint_url=url, aws_access_key_id=ak, aws_secret_access_key=sk,
    config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}))
where = {"LocationConstraint": region}
s3.create_bucket(Bucket="demo-locked-logs", CreateBucketConfiguration=where,
                 ObjectLockEnabledForBucket=True)
s3.put_object_lock_configuration(Bucket="demo-locked-logs", ObjectLockConfiguration={
    "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 400}}})
s3.put_public_access_block(Bucket="demo-locked-logs", PublicAccessBlockConfiguration={
    "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True})
s3.create_bucket(Bucket="demo-expiring-logs", CreateBucketConfiguration=where)
s3.put_bucket_lifecycle_configuration(Bucket="demo-expiring-logs", LifecycleConfiguration={"Rules": [
    {"ID": "nuke-cloudtrail-logs-after-1-day", "Status": "Enabled",
     "Filter": {"Prefix": "AWSLogs/"}, "Expiration": {"Days": 1}}]})
print("  s3://demo-locked-logs: Object Lock 400 days, Block Public Access on; "
      "s3://demo-expiring-logs: AWSLogs/ expires after 1 day", file=sys.stderr)
PY

# ------------------------------------------------------ trail log files
say "Writing a trail's log files into moto's S3 (tests/e2e/digests.py)"
# Trail demo-events (logging, though moto delivers no log file) and its
# bucket with three log files as CloudTrail delivers them: 4 management
# events (one a root account use) and 3 data events (S3 object reads and
# writes) in the last hour, one of each two hours before.
"$E2E_PY" - "$MOTO_URL" "$REGION" "$ACCESS_KEY" "$SECRET_KEY" <<'PY' \
    || e2e_die "could not write the trail's log files into moto"
import sys
from datetime import datetime, timezone
import botocore.session
from botocore.config import Config

sys.path.insert(0, "tests/e2e")
import digests

url, region, ak, sk = sys.argv[1:5]
def client(service):
    return botocore.session.Session().create_client(
        service, region_name=region, endpoint_url=url, aws_access_key_id=ak, aws_secret_access_key=sk,
        config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}))
bucket = "demo-events-logs"
s3 = client("s3")
s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
files = digests.event_logs(digests.Layout("123456789012", "demo-events", region), region,
                           datetime.now(timezone.utc))
for k, body in files.items():
    s3.put_object(Bucket=bucket, Key=k, Body=body)
ct = client("cloudtrail")
ct.create_trail(Name="demo-events", S3BucketName=bucket)
ct.start_logging(Name="demo-events")  # --all-trails below: only demo-stopped is stopped
print(f"  trail demo-events, s3://{bucket}: {len(files)} log files", file=sys.stderr)
PY

# ------------------------------------------------------ fake LookupEvents
say "Starting tests/e2e/fake_cloudtrail.py (LookupEvents; ListPublicKeys, DescribeTrails of demo-signed) on 127.0.0.1"
"$E2E_PY" tests/e2e/fake_cloudtrail.py --host 127.0.0.1 --port 0 --integrity "$INTEGRITY_FILE" \
    >"$work/fake.out" 2>"$work/fake.log" &
pids+=("$!")
FAKE_URL=""
for _ in $(seq 300); do
    read -r first 2>/dev/null <"$work/fake.out" || first=""
    if [[ "$first" =~ ^fake_cloudtrail\ listening\ on\ (http://127\.0\.0\.1:[0-9]+)$ ]]; then
        FAKE_URL="${BASH_REMATCH[1]}"
        break
    fi
    kill -0 "${pids[1]}" 2>/dev/null || break
    sleep 0.1
done
[[ -n "$FAKE_URL" ]] || { cat "$work/fake.log" >&2; e2e_die "fake_cloudtrail.py did not start"; }
echo "fake_cloudtrail listening on $FAKE_URL"

# ---------------------------------------------------------------- checks
shown() {
    # An argument as a shell would need it, with secrets masked.
    local a="$1"
    case "$a" in
        --aws-secret-key=* | --aws-session-token=*)
            printf '%s=***' "${a%%=*}"
            return
            ;;
    esac
    if [[ "$a" =~ ^[A-Za-z0-9_./:=@,+-]+$ ]]; then
        printf '%s' "$a"
    else
        printf "'%s'" "${a//\'/\'\\\'\'}"
    fi
}

checks=0
failed=0
# check EXPECTED_EXIT_CODE ARGS...: runs the binary, shows what it did.
check() {
    local want="$1" rc=0 out a
    shift
    printf '\n$ %s' "${BIN#"$E2E_ROOT"/}"
    for a in "$@"; do
        printf ' %s' "$(shown "$a")"
    done
    printf '\n'
    # The demo's own state directory (shared API buckets, caches).
    out="$(timeout 60 "$BIN" "$@" "--statefile-dir=$work/state")" || rc=$?
    printf '%s\n' "$out"
    checks=$((checks + 1))
    if [[ "$rc" == "$want" ]]; then
        printf 'exit code: %s\n' "$rc"
    else
        printf 'exit code: %s   <-- expected %s\n' "$rc" "$want"
        failed=$((failed + 1))
    fi
}

common=(--plugin=cloud::aws::cloudtrail::plugin --custommode=paws
    "--aws-access-key=$ACCESS_KEY" "--aws-secret-key=$SECRET_KEY" "--region=$REGION")

say "checktrailstatus (GetTrailStatus, against moto)"
check 0 "${common[@]}" "--endpoint-url=$MOTO_URL" --mode=checktrailstatus --trail-name=demo-logging
check 2 "${common[@]}" "--endpoint-url=$MOTO_URL" --mode=checktrailstatus --trail-name=demo-stopped
check 0 "${common[@]}" "--endpoint-url=$MOTO_URL" --mode=checktrailstatus "--trail-name=$TRAIL_ARN"
check 3 "${common[@]}" "--endpoint-url=$MOTO_URL" --mode=checktrailstatus --trail-name=no-such-trail

say "traildelivery, trailsecurity, listtrails (DescribeTrails, GetTrailStatus, GetEventSelectors, against moto)"
# demo-logging: moto fills only the S3 delivery time (none for CloudWatch
# Logs or digests, so a trail with those reads "never delivered" there).
check 0 "${common[@]}" "--endpoint-url=$MOTO_URL" --mode=traildelivery --trail-name=demo-logging
check 0 "${common[@]}" "--endpoint-url=$MOTO_URL" --mode=trailsecurity --trail-name=demo-hardened
check 2 "${common[@]}" "--endpoint-url=$MOTO_URL" --mode=trailsecurity --trail-name=demo-logging --verbose
check 0 "${common[@]}" "--endpoint-url=$MOTO_URL" --mode=listtrails
check 2 "${common[@]}" "--endpoint-url=$MOTO_URL" --mode=checktrailstatus --all-trails

say "logintegrity (DescribeTrails against moto, then the trail's bucket in moto's S3)"
# demo-logging has log file validation off: CRITICAL, nothing read from S3.
check 2 "${common[@]}" "--endpoint-url=$MOTO_URL" "--s3-endpoint-url=$MOTO_URL" \
    --mode=logintegrity --trail-name=demo-logging
# demo-hardened validates, but moto delivers no digest to its bucket: CRITICAL.
check 2 "${common[@]}" "--endpoint-url=$MOTO_URL" "--s3-endpoint-url=$MOTO_URL" \
    --mode=logintegrity --trail-name=demo-hardened --verbose

say "logintegrity on a signed chain (DescribeTrails, ListPublicKeys at fake_cloudtrail.py; digests, logs in moto's S3)"
# demo-signed's chain as written: OK, every count in the perfdata.
check 0 "${common[@]}" "--endpoint-url=$FAKE_URL" "--s3-endpoint-url=$MOTO_URL" \
    --mode=logintegrity --trail-name=demo-signed
# One of its log files rewritten after CloudTrail hashed it: CRITICAL, and
# --verbose names the file (the state directory kept the file's ETag: a
# changed file is read again).
read -r edited_bucket edited_key <<<"$EDITED_LOG"
"$E2E_PY" - "$MOTO_URL" "$REGION" "$ACCESS_KEY" "$SECRET_KEY" "$edited_bucket" "$edited_key" <<'PY' \
    || e2e_die "could not edit the log file in moto"
import sys
from datetime import datetime, timezone
import botocore.session
from botocore.config import Config

sys.path.insert(0, "tests/e2e")
import digests

url, region, ak, sk, bucket, key = sys.argv[1:7]
s3 = botocore.session.Session().create_client(
    "s3", region_name=region, endpoint_url=url, aws_access_key_id=ak, aws_secret_access_key=sk,
    config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}))
layout = digests.Layout("123456789012", "demo-signed", region)
s3.put_object(Bucket=bucket, Key=key, Body=digests.forged_log(layout, datetime.now(timezone.utc)))
print(f"\n(edited s3://{bucket}/{key}: other records, same key)")
PY
check 2 "${common[@]}" "--endpoint-url=$FAKE_URL" "--s3-endpoint-url=$MOTO_URL" \
    --mode=logintegrity --trail-name=demo-signed --verbose

say "bucketposture (lifecycle, versioning, Object Lock, Block Public Access of a log bucket in moto's S3)"
# The account's Block Public Access through S3 Control, at moto too.
export AWS_ENDPOINT_URL_S3_CONTROL="$MOTO_URL"
echo "(AWS_ENDPOINT_URL_S3_CONTROL=$MOTO_URL)"
check 0 "${common[@]}" "--s3-endpoint-url=$MOTO_URL" --mode=bucketposture \
    --s3-bucket=demo-locked-logs --account-id=123456789012
check 2 "${common[@]}" "--s3-endpoint-url=$MOTO_URL" --mode=bucketposture \
    --s3-bucket=demo-expiring-logs --account-id=123456789012 --verbose
unset AWS_ENDPOINT_URL_S3_CONTROL

say "countevents (LookupEvents over 3 pages, 500 ms apart, against fake_cloudtrail.py)"
check 0 "${common[@]}" "--endpoint-url=$FAKE_URL" --mode=countevents --delta=60
check 0 "${common[@]}" "--endpoint-url=$FAKE_URL" --mode=countevents --delta=60 --event-type=AwsApiCall
check 0 "${common[@]}" "--endpoint-url=$FAKE_URL" --mode=countevents --delta=60 '--error-message=Login error'
check 0 "${common[@]}" "--endpoint-url=$FAKE_URL" --mode=countevents --delta=60 '--error-message=Login error' \
    --warning-count=5 --critical-count=10
check 1 "${common[@]}" "--endpoint-url=$FAKE_URL" --mode=countevents --delta=60 --warning-count=5 --critical-count=20
check 2 "${common[@]}" "--endpoint-url=$FAKE_URL" --mode=countevents --delta=60 --warning-count=3 --critical-count=5

say "securityevents (the 15 CIS monitoring categories from one LookupEvents read; the fake's events are benign)"
check 0 "${common[@]}" "--endpoint-url=$FAKE_URL" --mode=securityevents --delta=60 --disable-statefile
check 3 "${common[@]}" "--endpoint-url=$FAKE_URL" --mode=securityevents --filter-category=no_such_category

say "countevents and securityevents --source=s3 (DescribeTrails, then the trail's log files in moto's S3)"
# Data events, which LookupEvents does not hold: 3 in the last hour.
check 0 "${common[@]}" "--endpoint-url=$MOTO_URL" "--s3-endpoint-url=$MOTO_URL" --mode=countevents \
    --source=s3 --event-category=Data --trail-name=demo-events --delta=60 --verbose
check 1 "${common[@]}" "--endpoint-url=$MOTO_URL" "--s3-endpoint-url=$MOTO_URL" --mode=countevents \
    --source=s3 --event-category=Data --trail-name=demo-events --delta=60 --warning-count=2 --critical-count=10
# The management events: the root account's ListBuckets is CIS 4.3.
check 2 "${common[@]}" "--endpoint-url=$MOTO_URL" "--s3-endpoint-url=$MOTO_URL" --mode=securityevents \
    --source=s3 --trail-name=demo-events --delta=60 --verbose

printf '\n'
if ((failed)); then
    e2e_die "$failed of $checks checks did not give the expected exit code"
fi
printf 'demo.sh: %d checks, every exit code as expected (%ds)\n' "$checks" "$((SECONDS - start))"
