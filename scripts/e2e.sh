#!/usr/bin/env bash
# End-to-end tests of check_cloudtrail against moto (with IAM
# authentication on) and loopback stand-ins, plus a differential check of
# our SigV4 signer against botocore's; the credential chain and roles
# against moto's STS; proxies through proxy.py; TLS with a throwaway CA
# (trustme); --custommode=awscli with the real aws CLI v1 and a fake one;
# the .deb and .rpm of scripts/package.sh (contents, install and remove
# into scratch roots); peak memory under hostile answers; Nagios 4 and
# Icinga 2 running the shipped contrib/ definitions (installed with apt
# when missing); node_exporter's textfile format; logintegrity on signed
# digest chains in moto's S3, against the aws CLI's validate-logs.
# Everything listens on 127.0.0.1 on ports picked at run time; nothing
# leaves the machine.
#
#   scripts/e2e.sh [PYTEST ARGS...]
#
# CHECK_CLOUDTRAIL_BIN: the binary to test (default: target/debug/
# check_cloudtrail, built with `cargo build` first). Extra arguments go to
# pytest (e.g. -k signer, -x, -v).
set -euo pipefail

E2E_PROG=e2e.sh
# shellcheck source=scripts/lib/venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/venv.sh"

start=$SECONDS

if [[ -n "${CHECK_CLOUDTRAIL_BIN:-}" ]]; then
    bin="$CHECK_CLOUDTRAIL_BIN"
    [[ -x "$bin" && ! -d "$bin" ]] || e2e_die "CHECK_CLOUDTRAIL_BIN=$bin is not an executable file"
    bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
    cd "$E2E_ROOT"
else
    cd "$E2E_ROOT"
    command -v cargo >/dev/null 2>&1 || e2e_die "cargo not found on PATH"
    e2e_log "cargo build"
    cargo build --quiet || e2e_die "cargo build failed"
    bin="${CARGO_TARGET_DIR:-$E2E_ROOT/target}/debug/check_cloudtrail"
fi
[[ -x "$bin" ]] || e2e_die "no executable binary at $bin"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
export CHECK_CLOUDTRAIL_BIN="$bin"

e2e_venv_setup
e2e_clean_env

e2e_log "pytest tests/e2e with CHECK_CLOUDTRAIL_BIN=$bin"
guard=()
if command -v timeout >/dev/null 2>&1; then
    # A hung run must end: the whole suite takes about a minute and a half.
    guard=(timeout --kill-after=30 900)
fi
rc=0
"${guard[@]}" "$E2E_PY" -m pytest -q -p no:cacheprovider tests/e2e "$@" || rc=$?

case "$rc" in
    0) e2e_log "passed in $((SECONDS - start))s" ;;
    5) e2e_die "pytest collected no tests (exit 5): that is a failure here" ;;
    124 | 137) e2e_die "the test run was killed after 900s (exit $rc)" ;;
    *)
        e2e_log "ERROR: pytest failed (exit $rc)"
        exit "$rc"
        ;;
esac
