# shellcheck shell=bash
# Shared by scripts/e2e.sh and scripts/demo.sh: the pinned Python venv
# (moto, botocore, pytest, the aws CLI, trustme, proxy.py, prometheus-client) under
# target/e2e-venv, and the environment
# hygiene every run gets. Source it; it defines functions and variables
# and runs nothing by itself.

E2E_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
E2E_VENV="$E2E_ROOT/target/e2e-venv"
E2E_REQUIREMENTS="$E2E_ROOT/tests/e2e/requirements.txt"
E2E_PROG="${E2E_PROG:-$(basename "$0")}"
# What a usable venv can import (and it must have bin/aws, the CLI).
E2E_IMPORTS='import moto.server, botocore.auth, pytest, trustme, proxy, awscli.clidriver, prometheus_client.parser'

e2e_die() {
    printf '%s: ERROR: %s\n' "$E2E_PROG" "$*" >&2
    exit 1
}

e2e_log() {
    printf '%s: %s\n' "$E2E_PROG" "$*" >&2
}

# Sets E2E_PY to the venv's python, creating or refreshing the venv when
# it is missing, broken, or was built from other pins or another Python.
# Fails loudly: no Python, no venv module or a failed pip install is an
# error, never a skip.
e2e_venv_setup() {
    command -v python3 >/dev/null 2>&1 \
        || e2e_die "python3 not found on PATH (Python >= 3.10 is needed for moto and the aws CLI)"
    python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
        || e2e_die "$(python3 -V 2>&1) is too old: the aws CLI needs Python >= 3.10"
    [[ -f "$E2E_REQUIREMENTS" ]] || e2e_die "missing $E2E_REQUIREMENTS"

    # What the venv was built from: the pins and the interpreter.
    local want
    want="$(python3 - "$E2E_REQUIREMENTS" <<'PY'
import hashlib, sys
h = hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest()
print(f"{h} {sys.version.split()[0]} {sys.base_prefix}")
PY
)" || e2e_die "python3 cannot run a script"

    mkdir -p "$E2E_ROOT/target"
    # Two scripts at once must not build the same venv together.
    local lock="$E2E_ROOT/target/.e2e-venv.lock"
    if command -v flock >/dev/null 2>&1; then
        exec {E2E_LOCK_FD}>"$lock"
        flock -w 600 "$E2E_LOCK_FD" || e2e_die "could not lock $lock within 10 minutes"
    fi

    local stamp="$E2E_VENV/.e2e-stamp"
    if [[ -x "$E2E_VENV/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]] \
        && [[ -x "$E2E_VENV/bin/aws" ]] \
        && "$E2E_VENV/bin/python" -c "$E2E_IMPORTS" >/dev/null 2>&1; then
        e2e_log "reusing venv $E2E_VENV"
    else
        e2e_log "creating venv $E2E_VENV ($(python3 -V 2>&1)) and installing the pins of ${E2E_REQUIREMENTS#"$E2E_ROOT"/}"
        rm -rf "$E2E_VENV"
        python3 -m venv "$E2E_VENV" \
            || e2e_die "'python3 -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)"
        "$E2E_VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$E2E_REQUIREMENTS" \
            || e2e_die "pip install -r ${E2E_REQUIREMENTS#"$E2E_ROOT"/} failed (is PyPI reachable?)"
        "$E2E_VENV/bin/python" -c "$E2E_IMPORTS" \
            || e2e_die "the venv was installed but one of moto/botocore/pytest/trustme/proxy.py/awscli does not import"
        [[ -x "$E2E_VENV/bin/aws" ]] || e2e_die "the venv was installed but has no bin/aws"
        printf '%s\n' "$want" >"$stamp"
    fi

    if [[ -n "${E2E_LOCK_FD:-}" ]]; then
        exec {E2E_LOCK_FD}>&-
        unset E2E_LOCK_FD
    fi
    E2E_PY="$E2E_VENV/bin/python"
    export E2E_PY
}

# No credentials, profiles, proxies or instance metadata from the caller's
# environment: everything talks to servers on 127.0.0.1 only.
e2e_clean_env() {
    local v
    for v in $(compgen -e); do
        case "$v" in
            AWS_* | http_proxy | https_proxy | all_proxy | no_proxy \
                | HTTP_PROXY | HTTPS_PROXY | ALL_PROXY | NO_PROXY)
                unset "$v"
                ;;
        esac
    done
    export AWS_EC2_METADATA_DISABLED=true
    export AWS_CONFIG_FILE=/dev/null
    export AWS_SHARED_CREDENTIALS_FILE=/dev/null
    export PYTHONDONTWRITEBYTECODE=1
}

# Prints a TCP port that was free on 127.0.0.1 a moment ago.
e2e_free_port() {
    "${E2E_PY:-python3}" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}
