#!/usr/bin/env bash
# Benchmarks (not timed tests): prints markdown tables to paste in README.
#
#   scripts/bench.sh                 # every table
#   BENCH_ROUNDS=50 scripts/bench.sh # more runs per case (default 30)
#   BENCH_ONLY=logintegrity scripts/bench.sh  # only the tables named
#
# BENCH_ONLY: a comma-separated list of trailstatus, countevents, pages,
# scale, logintegrity, logsource (tables 1a, 1b, 2, 3, 4, 5 below); unset
# or empty: every table.
#
# Everything runs against our loopback CloudTrail
# (tests/e2e/fake_cloudtrail.py) on 127.0.0.1, never moto (which spends
# ~4 ms per request itself and would hide our cost) and never AWS.
#
# 1. One check, interleaved side by side (scripts/bench/runs.py): our
#    static binary (native), our binary with --custommode=awscli, the aws
#    CLI v1 (PyPI) making the same call (what Centreon's awscli custom
#    mode pays on every check, before Perl starts), and the floor: a
#    static binary that only makes one POST with the same ureq
#    (scripts/bench/floor.rs, a Cargo example). Median and p90 wall time,
#    CPU time, peak RSS (GNU time -v), ratios to ours. For
#    checktrailstatus (GetTrailStatus) and countevents (one LookupEvents
#    page of 10 events).
# 2. countevents over 10 000 events: 200 pages of 50, pacing off with
#    --api-rate=0 (the documented switch; the server does not throttle)
#    and --max-pages=250: cost per page, native only (the awscli mode
#    starts one aws process per page: 200 times the one-check cost).
# 3. Scale: 30 countevents checks started at once against a server
#    enforcing LookupEvents' 2 requests per second per access key, with
#    the shared state directory and without it (--disable-statefile):
#    wall time, requests sent, requests throttled.
# 4. logintegrity over a day of two source regions, against a static
#    loopback S3 + CloudTrail stub (scripts/bench/s3stub.py: 24 hourly
#    signed digests per region, 12 gzip log files of 5-50 KB per digest,
#    from memory): ours (--verify-logs=hash, the default), ours with the
#    state directory on (steady state: every timed run follows another),
#    `aws cloudtrail validate-logs` once per source region (it checks one
#    region per run; its S3 client sent to the stub by AWS_ENDPOINT_URL_S3),
#    and the floor: the same requests bare (scripts/bench/floor_integrity.rs,
#    Cargo example bench_floor_integrity, plan from the stub's /_plan).
#    scripts/bench/integrity_check.py runs each once first: ours and the
#    CLI must report every digest and log file valid, the floor must make
#    ours' requests; the stub's request counts are the table's last column.
#    BENCH_LI_ROUNDS (default 10), BENCH_LI_HOURS (24), BENCH_LI_FILES (12)
#    change its runs and size; the whole table must end within 30 minutes
#    of the stub's start (its digests are dated from it).
# 5. countevents --source=s3 over 1 000 000 events in 300 gzip log files of
#    one region (s3stub.py --events: records of the same vocabulary, about
#    1 KB each inflated, their times in the hour before the stub started,
#    served from memory): ours (`--source=s3 --disable-statefile`, the
#    whole window read), the aws CLI as an admin would do it (`aws s3 cp
#    --recursive` of the region's folder to a temporary directory, then
#    Python counting the records in the window: gzip + json.load), and
#    the floor (scripts/bench/floor_logsource.rs, Cargo example
#    bench_floor_logsource: the same GETs, each file inflated with flate2
#    and parsed as it streams with serde_json, eventTime and eventID read,
#    one file at a time). Inflated MB per CPU-second, events per second,
#    peak RSS, next to the LookupEvents ceiling for the same events (50
#    per request, 2 requests per second). Each row must count every event.
#    Fails unless the binary has --source; BENCH_LS_SKIP_OURS=1 runs the
#    other rows alone. BENCH_LS_ROUNDS (default 5, at least 5),
#    BENCH_LS_EVENTS (1000000), BENCH_LS_FILES (300); the table must end
#    within an hour of the stub's start (ours reads --delta=120).
#
# The single-check rows run with --disable-statefile --api-rate=0: no
# pacing and no incremental cache, every run makes the whole call, as the
# aws CLI does.
set -euo pipefail
[[ -n "${BENCH_TRACE:-}" ]] && set -x
E2E_PROG=bench.sh
# shellcheck source=scripts/lib/venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/venv.sh"
cd "$E2E_ROOT"

TARGET=x86_64-unknown-linux-musl
e2e_log "static release build (scripts/build-static.sh) and the floor"
scripts/build-static.sh >&2
CC_x86_64_unknown_linux_musl=musl-gcc cargo build --release --locked --quiet \
    --target "$TARGET" --example bench_floor --example bench_floor_integrity \
    --example bench_floor_logsource
BIN="$E2E_ROOT/target/$TARGET/release/check_cloudtrail"
FLOOR="$E2E_ROOT/target/$TARGET/release/examples/bench_floor"
FLOOR_LI="$E2E_ROOT/target/$TARGET/release/examples/bench_floor_integrity"
FLOOR_LS="$E2E_ROOT/target/$TARGET/release/examples/bench_floor_logsource"
[[ -x "$BIN" && -x "$FLOOR" && -x "$FLOOR_LI" && -x "$FLOOR_LS" ]] ||
    e2e_die "missing $BIN, $FLOOR, $FLOOR_LI or $FLOOR_LS"

# want TABLE: whether BENCH_ONLY selects that table.
want() { [[ -z "${BENCH_ONLY:-}" || ",$BENCH_ONLY," == *",$1,"* ]]; }
for t in ${BENCH_ONLY//,/ }; do
    case "$t" in
        trailstatus | countevents | pages | scale | logintegrity | logsource) ;;
        *) e2e_die "BENCH_ONLY: unknown table '$t' (trailstatus, countevents, pages, scale, logintegrity, logsource)" ;;
    esac
done

# Whether the binary reads log files ([logsource], issue 19): checked
# before anything is built or started, so a missing option fails at once.
LS_OURS_ON=1
if want logsource; then
    # The help whole first: grep -q stops reading at the match, and with
    # pipefail the binary's SIGPIPE would fail the test.
    ls_help="$("$BIN" --plugin=cloud::aws::cloudtrail::plugin --mode=countevents --help 2>/dev/null || true)"
    if ! grep -Eq '^[[:space:]]*--source\b' <<<"$ls_help"; then
        if [[ -n "${BENCH_LS_SKIP_OURS:-}" ]]; then
            e2e_log "logsource: $BIN has no --source: ours NOT measured (BENCH_LS_SKIP_OURS)"
            LS_OURS_ON=
        else
            e2e_die "logsource: $BIN has no --source option (countevents --source=s3, issue 19: branch logsrc not merged), so there is nothing of ours to measure. BENCH_LS_SKIP_OURS=1 runs the stub, the floor and the aws CLI rows alone."
        fi
    fi
fi

TIME_BIN=/usr/bin/time
if ! "$TIME_BIN" -v true >/dev/null 2>&1; then
    e2e_log "installing GNU time (Debian package time) for peak RSS"
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq time >/dev/null
fi
"$TIME_BIN" -v true >/dev/null 2>&1 || e2e_die "$TIME_BIN -v does not work (Debian package: time)"

e2e_venv_setup
e2e_clean_env
AWS="$E2E_VENV/bin/aws"

work="$(mktemp -d "${TMPDIR:-/tmp}/check_cloudtrail-bench.XXXXXX")"
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# start_fake NAME ARGS...: starts fake_cloudtrail.py, sets URL_<NAME>.
start_fake() {
    local name="$1" line
    shift
    "$E2E_PY" tests/e2e/fake_cloudtrail.py "$@" >"$work/$name.out" 2>"$work/$name.err" &
    pids+=($!)
    for _ in $(seq 1 100); do
        line="$(head -n1 "$work/$name.out" 2>/dev/null || true)"
        if [[ "$line" == *"listening on "* ]]; then
            printf -v "URL_$name" '%s' "${line##*listening on }"
            return
        fi
        sleep 0.05
    done
    e2e_die "fake_cloudtrail did not start: $(cat "$work/$name.err")"
}

stats() { "$E2E_PY" -c 'import json,sys,urllib.request as u; d=json.load(u.urlopen(sys.argv[1]+"/_stats")); print(d["requests"], d["throttled"])' "$1"; }

scale_row() {
    local label="$1" extra="$2" name="$3" start end ok=0 rc
    start_fake "$name" --tps 2 --page-size 50
    local url="URL_$name"
    url="${!url}"
    local checks=()
    start=$(date +%s%N)
    for i in $(seq 1 30); do
        # shellcheck disable=SC2086
        ( rc=0
          "$BIN" --plugin=cloud::aws::cloudtrail::plugin --mode=countevents --region=eu-west-1 \
            --aws-access-key=AKIABENCH --aws-secret-key=bench-secret --endpoint-url="$url" \
            --timeout=50 $extra >"$work/$name.$i" 2>&1 || rc=$?
          echo "$rc" >"$work/$name.$i.rc" ) &
        checks+=($!)
        # Stopped by the EXIT trap too if the run is cut short.
        pids+=($!)
    done
    local p
    for p in "${checks[@]}"; do wait "$p" || true; done
    end=$(date +%s%N)
    for i in $(seq 1 30); do
        rc=$(cat "$work/$name.$i.rc")
        [[ "$rc" == 0 ]] && ok=$((ok + 1))
    done
    read -r requests throttled < <(stats "$url")
    local ms=$(( (end - start) / 1000000 ))
    printf '| %s | %d.%d s | %d/30 | %d | %d |\n' "$label" $((ms / 1000)) $(((ms % 1000) / 100)) "$ok" "$requests" "$throttled"
}

# spec TITLE ROUNDS UNITS: writes a runs.py spec from the CASES lines
# (label|expect_code|expect_prefix|compare|argv...) on stdin.
spec() {
    "$E2E_PY" - "$@" <<'PY'
import json, os, sys
title, rounds, units, baseline, floor, raw_out = sys.argv[1:7]
env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
env.update({"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"})
cli_env = dict(env, AWS_ACCESS_KEY_ID="AKIABENCH", AWS_SECRET_ACCESS_KEY="bench-secret",
               AWS_DEFAULT_REGION="eu-west-1")
if os.environ.get("BENCH_S3_URL"):
    cli_env["AWS_ENDPOINT_URL_S3"] = os.environ["BENCH_S3_URL"]
cases = []
for line in os.environ["BENCH_CASES"].strip().splitlines():
    label, code, prefix, compare, *argv = line.split("\x1f")
    cases.append({"label": label, "expect": [int(code), prefix], "compare": compare == "1",
                  "argv": argv, "env": cli_env if compare == "1" else env})
spec = {"title": title, "rounds": int(rounds), "rss_runs": 5,
        "time_bin": os.environ["TIME_BIN"], "baseline": baseline,
        "floor": floor or None, "work_units": int(units) or None, "unit": "page",
        "raw_out": raw_out, "cases": cases}
spec.update(json.loads(os.environ.get("BENCH_SPEC_EXTRA") or "{}"))
print(json.dumps(spec))
PY
}
export TIME_BIN
# case LABEL CODE PREFIX COMPARE ARGV...: one line of BENCH_CASES.
case_line() {
    local IFS=$'\x1f'
    printf '%s\n' "$*"
}

ROUNDS="${BENCH_ROUNDS:-30}"
(( ROUNDS >= 20 )) || e2e_die "BENCH_ROUNDS=$ROUNDS: at least 20 runs per case"
if want trailstatus || want countevents || want pages; then
    start_fake one --page-size 50
    start_fake pages --page-size 50 --repeat 1000
fi
# start_fake sets these through printf -v.
# shellcheck disable=SC2154
ONE="${URL_one:-}" PAGES="${URL_pages:-}"
ARN="arn:aws:cloudtrail:eu-west-1:123456789012:trail/bench"
CREDS=(--aws-access-key=AKIABENCH --aws-secret-key=bench-secret --region=eu-west-1)
OURS=("$BIN" --plugin=cloud::aws::cloudtrail::plugin "${CREDS[@]}" --disable-statefile --api-rate=0)
AWSCLI_MODE=(--custommode=awscli --command-path="$E2E_VENV/bin")

echo
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores of $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1), Linux $(uname -r); binary $(stat -c %s "$BIN") bytes."

# Window arguments for the aws CLI, as our awscli mode builds them.
now=$(date -u +%s)
from=$(date -u -d "@$((now - 3600))" +%Y-%m-%dT%H:%M:%SZ)
to=$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ)

if want trailstatus; then
BENCH_CASES="$(
    case_line "check_cloudtrail (native)" 0 "OK: Trail is logging" 0 "${OURS[@]}" \
        --mode=checktrailstatus --trail-name="$ARN" --endpoint-url="$ONE"
    case_line "check_cloudtrail --custommode=awscli" 0 "OK: Trail is logging" 0 "${OURS[@]}" \
        "${AWSCLI_MODE[@]}" --mode=checktrailstatus --trail-name="$ARN" --endpoint-url="$ONE"
    case_line "aws cloudtrail get-trail-status (CLI v1)" 0 "{" 1 "$AWS" cloudtrail get-trail-status \
        --name "$ARN" --endpoint-url "$ONE" --output json
    case_line "floor: one bare POST" 0 "" 0 "$FLOOR" "$ONE" GetTrailStatus "{\"Name\":\"$ARN\"}"
)" spec "One check: checktrailstatus (one GetTrailStatus)" "$ROUNDS" 0 \
    "check_cloudtrail (native)" "floor: one bare POST" "$work/raw-trailstatus.json" >"$work/trailstatus.json"
"$E2E_PY" scripts/bench/runs.py "$work/trailstatus.json"
fi

if want countevents; then
BENCH_CASES="$(
    case_line "check_cloudtrail (native)" 0 "OK: Number of events: 10" 0 "${OURS[@]}" \
        --mode=countevents --endpoint-url="$ONE"
    case_line "check_cloudtrail --custommode=awscli" 0 "OK: Number of events: 10" 0 "${OURS[@]}" \
        "${AWSCLI_MODE[@]}" --mode=countevents --endpoint-url="$ONE"
    case_line "aws cloudtrail lookup-events (CLI v1)" 0 "{" 1 "$AWS" cloudtrail lookup-events \
        --start-time "$from" --end-time "$to" --max-items 50 --page-size 50 \
        --endpoint-url "$ONE" --output json
    case_line "floor: one bare POST" 0 "" 0 "$FLOOR" "$ONE" LookupEvents \
        "{\"StartTime\":$((now - 3600)),\"EndTime\":$now,\"MaxResults\":50}"
)" spec "One check: countevents (one LookupEvents page, 10 events)" "$ROUNDS" 0 \
    "check_cloudtrail (native)" "floor: one bare POST" "$work/raw-countevents.json" >"$work/countevents.json"
"$E2E_PY" scripts/bench/runs.py "$work/countevents.json"
fi

if want pages; then
BENCH_CASES="$(
    case_line "check_cloudtrail (native)" 0 "OK: Number of events: 10000" 0 "${OURS[@]}" \
        --mode=countevents --max-pages=250 --timeout=120 --endpoint-url="$PAGES"
)" spec "countevents over 10 000 events (200 pages of 50, --api-rate=0)" "${BENCH_PAGE_ROUNDS:-5}" 200 \
    "check_cloudtrail (native)" "" "$work/raw-pages.json" >"$work/pages.json"
"$E2E_PY" scripts/bench/runs.py "$work/pages.json"
fi

if want scale; then
echo
echo "### Scale: 30 countevents checks at once, server enforcing 2 LookupEvents/s per key"
echo
echo "| run | wall time | OK | requests | throttled |"
echo "|---|---|---|---|---|"
scale_row "shared state directory (default)" "--statefile-dir=$work/state" shared
scale_row "--disable-statefile" "--disable-statefile" alone
fi

if want logintegrity; then
    LI_ROUNDS="${BENCH_LI_ROUNDS:-10}" LI_HOURS="${BENCH_LI_HOURS:-24}" LI_FILES="${BENCH_LI_FILES:-12}"
    LI_REGIONS=(eu-west-1 us-east-1)
    e2e_log "logintegrity: building the stub's store ($LI_HOURS h × ${#LI_REGIONS[@]} regions × $LI_FILES log files an hour)"
    "$E2E_PY" scripts/bench/s3stub.py --hours "$LI_HOURS" --files "$LI_FILES" \
        --regions "$(IFS=,; echo "${LI_REGIONS[*]}")" >"$work/s3stub.out" 2>"$work/s3stub.err" &
    pids+=($!)
    LI_URL=
    for _ in $(seq 1 1200); do
        line="$(head -n1 "$work/s3stub.out" 2>/dev/null || true)"
        if [[ "$line" == *"listening on "* ]]; then
            LI_URL="${line##*listening on }"
            break
        fi
        kill -0 "${pids[-1]}" 2>/dev/null || break
        sleep 0.1
    done
    [[ -n "$LI_URL" ]] || e2e_die "s3stub did not start: $(cat "$work/s3stub.err")"
    e2e_log "$(tail -n1 "$work/s3stub.err")"
    "$E2E_PY" -c 'import sys,urllib.request as u; sys.stdout.write(u.urlopen(sys.argv[1]+"/_plan").read().decode())' \
        "$LI_URL" >"$work/li-plan"
    anchor="$("$E2E_PY" -c 'import json,sys,urllib.request as u; print(json.load(u.urlopen(sys.argv[1]+"/_stats"))["anchor"])' "$LI_URL")"
    # The CLI's window, fixed: the stub's digests end 30 min before its
    # start and every hour before; ours ends now (--delta), which holds
    # the same digests for 30 minutes.
    li_from=$(date -u -d "@$((anchor - LI_HOURS * 3600))" +%Y-%m-%dT%H:%M:%SZ)
    li_to=$(date -u -d "@$anchor" +%Y-%m-%dT%H:%M:%SZ)
    LI_ARN="arn:aws:cloudtrail:eu-west-1:123456789012:trail/bench"
    LI_OURS=("$BIN" --plugin=cloud::aws::cloudtrail::plugin "${CREDS[@]}" --api-rate=0
        --mode=logintegrity --trail-name="$LI_ARN" --s3-bucket=bench-trail
        --delta=$((LI_HOURS * 60)) --s3-endpoint-url="$LI_URL" --endpoint-url="$LI_URL")
    # The CLI checks the --region's chain only: one run per source region.
    # One line: BENCH_CASES is a case a line.
    # shellcheck disable=SC2016
    LI_CLI=(bash -c 'aws=$1 arn=$2 from=$3 to=$4 url=$5; shift 5; for r; do "$aws" cloudtrail validate-logs --region "$r" --trail-arn "$arn" --start-time "$from" --end-time "$to" --endpoint-url "$url" || exit; done'
        validate-logs "$AWS" "$LI_ARN" "$li_from" "$li_to" "$LI_URL" "${LI_REGIONS[@]}")
    mkdir -p "$work/li-state"
    BENCH_S3_URL="$LI_URL" \
    BENCH_SPEC_EXTRA='{"targets": {"floor_ratio": 1.5, "compare_ratio": 5, "rss_mb": 16}}' \
    BENCH_CASES="$(
        case_line "check_cloudtrail --disable-statefile" 0 "OK: digest files:" 0 \
            "${LI_OURS[@]}" --disable-statefile
        case_line "check_cloudtrail, state directory on (steady state)" 0 "OK: digest files:" 0 \
            "${LI_OURS[@]}" --statefile-dir="$work/li-state"
        case_line "aws cloudtrail validate-logs (CLI v1), once per region" 0 \
            "Validating log files for trail" 1 "${LI_CLI[@]}"
        case_line "floor: the same requests, bare" 0 "" 0 "$FLOOR_LI" "$LI_URL" "$work/li-plan"
    )" spec "logintegrity: {hours} h × {regions} source regions ({digests_in_window} digests, {logs_in_window} log files, {gz_mb} MB gzip, {raw_mb} MB inflated)" \
        "$LI_ROUNDS" 0 "check_cloudtrail --disable-statefile" "floor: the same requests, bare" \
        "$work/raw-logintegrity.json" >"$work/logintegrity.json"
    "$E2E_PY" scripts/bench/integrity_check.py "$LI_URL" "$work/logintegrity.json"
    "$E2E_PY" scripts/bench/runs.py "$work/logintegrity.json"
    echo
    echo "The steady-state row runs with the state directory on, each timed run after another; nothing changed in between, so it lists the window (4 LISTs) and reads no object: the state directory keeps what was verified (see logintegrity's \"Between runs\")."
fi

if want logsource; then
    LS_ROUNDS="${BENCH_LS_ROUNDS:-5}" LS_EVENTS="${BENCH_LS_EVENTS:-1000000}" LS_FILES="${BENCH_LS_FILES:-300}"
    (( LS_ROUNDS >= 5 )) || e2e_die "BENCH_LS_ROUNDS=$LS_ROUNDS: at least 5 runs per case"
    LS_REGION=eu-west-1
    e2e_log "logsource: building the stub's store ($LS_EVENTS events in $LS_FILES log files)"
    "$E2E_PY" scripts/bench/s3stub.py --events "$LS_EVENTS" --log-files "$LS_FILES" \
        --regions "$LS_REGION" >"$work/lsstub.out" 2>"$work/lsstub.err" &
    pids+=($!)
    LS_URL=
    for _ in $(seq 1 3000); do
        line="$(head -n1 "$work/lsstub.out" 2>/dev/null || true)"
        if [[ "$line" == *"listening on "* ]]; then
            LS_URL="${line##*listening on }"
            break
        fi
        kill -0 "${pids[-1]}" 2>/dev/null || break
        sleep 0.1
    done
    [[ -n "$LS_URL" ]] || e2e_die "s3stub --events did not start: $(cat "$work/lsstub.err")"
    e2e_log "$(tail -n1 "$work/lsstub.err")"
    "$E2E_PY" -c 'import sys,urllib.request as u; sys.stdout.write(u.urlopen(sys.argv[1]+"/_plan").read().decode())' \
        "$LS_URL" >"$work/ls-plan"
    read -r ls_start ls_end ls_bytes ls_gz ls_selected < <("$E2E_PY" -c 'import json,sys,urllib.request as u; d=json.load(u.urlopen(sys.argv[1]+"/_stats")); print(d["window_start"], d["window_end"], d["log_bytes"], d["log_bytes_gz"], d["selected"])' "$LS_URL")
    ls_mean=$((ls_bytes / LS_EVENTS))
    cat >"$work/count_logs.py" <<'PY'
import gzip, json, pathlib, sys
start, end, root = sys.argv[1:4]
n = 0
for p in pathlib.Path(root).rglob("*.json.gz"):
    with gzip.open(p) as f:
        n += sum(1 for r in json.load(f)["Records"] if start <= r["eventTime"] <= end)
print(n)
PY
    LS_PREFIX="AWSLogs/123456789012/CloudTrail/$LS_REGION/"
    # One line: BENCH_CASES is a case a line.
    # shellcheck disable=SC2016
    LS_CLI=(bash -c 'aws=$1 py=$2 script=$3 work=$4 url=$5 start=$6 end=$7; d=$(mktemp -d "$work/cli.XXXXXX"); "$aws" s3 cp "$url" "$d" --recursive --quiet --region eu-west-1 && "$py" "$script" "$start" "$end" "$d"; rc=$?; rm -rf "$d"; exit $rc'
        cli-count "$AWS" "$E2E_PY" "$work/count_logs.py" "$work" "s3://bench-trail/$LS_PREFIX" "$ls_start" "$ls_end")
    LS_OURS_LABEL="check_cloudtrail countevents --source=s3 --disable-statefile"
    LS_OURS=("$BIN" --plugin=cloud::aws::cloudtrail::plugin "${CREDS[@]}" --mode=countevents
        --source=s3 --s3-bucket=bench-trail --account-id=123456789012
        --event-category=Management --delta=120 --timeout=600 --disable-statefile
        --s3-endpoint-url="$LS_URL" --endpoint-url="$LS_URL")
    LS_CASES=""
    LS_ALL_LINE="not run"
    if [[ -n "$LS_OURS_ON" ]]; then
        # Every event counted, once, outside the table: the line it gives.
        LS_ALL_LINE="$("${LS_OURS[@]}" 2>&1 | head -n1 || true)"
        # The timed row counts what a filter selects (every record is still
        # fetched, inflated, parsed and matched).
        LS_CASES="$(case_line "$LS_OURS_LABEL --event-name=GetTrailStatus --username=alice" 0 \
            "OK: Number of events: $ls_selected.00" 0 "${LS_OURS[@]}" \
            --event-name=GetTrailStatus --username=alice)"$'\n'
        LS_OURS_LABEL+=" --event-name=GetTrailStatus --username=alice"
    fi
    LS_CASES+="$(
        case_line "aws s3 cp --recursive (CLI v1) + Python gzip/json count" 0 "$LS_EVENTS" 1 "${LS_CLI[@]}"
        case_line "floor: GET + inflate + streaming parse (flate2, serde_json)" 0 \
            "$LS_EVENTS events in the window" 0 "$FLOOR_LS" "$LS_URL" "$work/ls-plan" "$ls_start" "$ls_end"
    )"
    ls_requests=$(( (LS_EVENTS + 49) / 50 ))
    BENCH_S3_URL="$LS_URL" \
    BENCH_SPEC_EXTRA="$(printf '{"throughput": {"bytes": %d, "events": %d, "ceiling_s": %d, "ceiling_label": "LookupEvents ceiling (%s requests of 50 events at 2 per second)", "mb_per_cpu_s": 100, "floor_ratio": 1.5, "rss_mb": 64}}' \
        "$ls_bytes" "$LS_EVENTS" "$(( (ls_requests + 1) / 2 ))" "$ls_requests")" \
    BENCH_CASES="$LS_CASES" \
        spec "countevents --source=s3: $LS_EVENTS events in $LS_FILES log files of one region ($((ls_gz / 1000000)) MB gzip, $((ls_bytes / 1000000)) MB inflated, mean record $ls_mean bytes)" \
        "$LS_ROUNDS" 0 "$LS_OURS_LABEL" "floor: GET + inflate + streaming parse (flate2, serde_json)" \
        "$work/raw-logsource.json" >"$work/logsource.json"
    "$E2E_PY" scripts/bench/runs.py "$work/logsource.json"
    echo
    echo "Ours counting every event (no filter, $LS_EVENTS expected), run once: \`$LS_ALL_LINE\`"
    if [[ -z "$LS_OURS_ON" ]]; then
        echo
        echo "**ours NOT measured**: $BIN has no --source (BENCH_LS_SKIP_OURS=1); × ours is × the first row."
    fi
fi
