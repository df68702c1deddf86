#!/usr/bin/env bash
# Benchmarks (not timed tests): prints markdown tables to paste in README.
#
#   scripts/bench.sh            # every row
#
# Scale row: 30 countevents checks started at once against our loopback
# CloudTrail (tests/e2e/fake_cloudtrail.py) enforcing LookupEvents' 2
# requests per second per access key, with the shared state directory and
# without it (--disable-statefile): wall time, requests sent, requests
# throttled. Everything runs on 127.0.0.1; each run has its own state
# directory.
set -euo pipefail
[[ -n "${BENCH_TRACE:-}" ]] && set -x
E2E_PROG=bench.sh
# shellcheck source=scripts/lib/venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/venv.sh"
cd "$E2E_ROOT"

e2e_log "cargo build --release"
cargo build --release --quiet
BIN="$E2E_ROOT/target/release/check_cloudtrail"
e2e_venv_setup
e2e_clean_env

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

echo
echo "### Scale: 30 countevents checks at once, server enforcing 2 LookupEvents/s per key"
echo
echo "| run | wall time | OK | requests | throttled |"
echo "|---|---|---|---|---|"
scale_row "shared state directory (default)" "--statefile-dir=$work/state" shared
scale_row "--disable-statefile" "--disable-statefile" alone
