#!/usr/bin/env bash
# Benchmarks (not timed tests): prints markdown tables to paste in README.
#
#   scripts/bench.sh                 # every table
#   BENCH_ROUNDS=50 scripts/bench.sh # more runs per case (default 30)
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
    --target "$TARGET" --example bench_floor
BIN="$E2E_ROOT/target/$TARGET/release/check_cloudtrail"
FLOOR="$E2E_ROOT/target/$TARGET/release/examples/bench_floor"
[[ -x "$BIN" && -x "$FLOOR" ]] || e2e_die "missing $BIN or $FLOOR"

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
cases = []
for line in os.environ["BENCH_CASES"].strip().splitlines():
    label, code, prefix, compare, *argv = line.split("\x1f")
    cases.append({"label": label, "expect": [int(code), prefix], "compare": compare == "1",
                  "argv": argv, "env": cli_env if compare == "1" else env})
print(json.dumps({"title": title, "rounds": int(rounds), "rss_runs": 5,
                  "time_bin": os.environ["TIME_BIN"], "baseline": baseline,
                  "floor": floor or None, "work_units": int(units) or None, "unit": "page",
                  "raw_out": raw_out, "cases": cases}))
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
start_fake one --page-size 50
start_fake pages --page-size 50 --repeat 1000
# start_fake sets these through printf -v.
# shellcheck disable=SC2154
ONE="$URL_one" PAGES="$URL_pages"
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

BENCH_CASES="$(
    case_line "check_cloudtrail (native)" 0 "OK: Number of events: 10000" 0 "${OURS[@]}" \
        --mode=countevents --max-pages=250 --timeout=120 --endpoint-url="$PAGES"
)" spec "countevents over 10 000 events (200 pages of 50, --api-rate=0)" "${BENCH_PAGE_ROUNDS:-5}" 200 \
    "check_cloudtrail (native)" "" "$work/raw-pages.json" >"$work/pages.json"
"$E2E_PY" scripts/bench/runs.py "$work/pages.json"

echo
echo "### Scale: 30 countevents checks at once, server enforcing 2 LookupEvents/s per key"
echo
echo "| run | wall time | OK | requests | throttled |"
echo "|---|---|---|---|---|"
scale_row "shared state directory (default)" "--statefile-dir=$work/state" shared
scale_row "--disable-statefile" "--disable-statefile" alone
