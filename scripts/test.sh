#!/usr/bin/env bash
# Every test of the project, in one command (README's test command; CI
# runs exactly this): formatting, lints (Rust and shell), unit and
# integration tests, the static musl build check, and the end-to-end
# suites against moto, botocore, the aws CLI and the packages, then the
# demo. Fails on the first failing step.
set -euo pipefail
cd "$(dirname "$0")/.."

# Nothing a test runs may leave the machine or read the user's AWS setup.
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY NO_PROXY http_proxy https_proxy all_proxy no_proxy
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_PROFILE \
      AWS_DEFAULT_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE \
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_ENDPOINT_URL
export AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "shellcheck scripts/ (bench.sh and the rest run outside CI too)"
if ! command -v shellcheck >/dev/null 2>&1; then
    echo "test.sh: installing Debian's shellcheck" >&2
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq shellcheck >/dev/null
fi
command -v shellcheck >/dev/null || { echo "test.sh: shellcheck still missing" >&2; exit 1; }
shellcheck scripts/*.sh scripts/lib/*.sh .ci/run

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings

step "cargo test"
cargo test --locked

step "static musl build"
scripts/build-static.sh

step "end-to-end: moto server, botocore signer oracle"
scripts/e2e.sh

step "the demo (README's main command) still runs every mode as it says"
scripts/demo.sh
