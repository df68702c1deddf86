#!/usr/bin/env bash
# Builds the release binary as a static x86_64 musl executable and checks
# that it really is static. Installs the Rust musl target and Debian's
# musl-tools (ring compiles C with musl-gcc) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=x86_64-unknown-linux-musl

if ! rustup target list --installed | grep -qx "$TARGET"; then
    echo "build-static: adding the Rust target $TARGET" >&2
    rustup target add "$TARGET"
fi
if ! command -v musl-gcc >/dev/null 2>&1; then
    echo "build-static: installing musl-tools (musl-gcc)" >&2
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq musl-tools >/dev/null
fi
command -v musl-gcc >/dev/null || { echo "build-static: musl-gcc still missing" >&2; exit 1; }

CC_x86_64_unknown_linux_musl=musl-gcc cargo build --release --locked --target "$TARGET"
BIN="target/$TARGET/release/check_cloudtrail"

# Static means: no program interpreter and no NEEDED library (a
# static-pie is fine).
headers=$(readelf -lW "$BIN")
dynamic=$(readelf -dW "$BIN" 2>/dev/null || true)
if grep -q 'Requesting program interpreter' <<<"$headers"; then
    echo "build-static: $BIN has a program interpreter, it is not static" >&2
    exit 1
fi
if grep -q '(NEEDED)' <<<"$dynamic"; then
    echo "build-static: $BIN needs shared libraries:" >&2
    grep '(NEEDED)' <<<"$dynamic" >&2
    exit 1
fi
size=$(stat -c %s "$BIN")
# The goal is 3 MB (decimal; 2.5 MB until S3, XML, gzip and RSA came in
# for logintegrity, 2.75 MB until bucketposture and the log-file source);
# above it, README's "Size" says where the bytes go (cargo bloat), so this
# warns rather than fails.
goal=3000000
echo "build-static: $BIN is static, $size bytes ($(( (size + 1023) / 1024 )) KiB; goal <= $goal bytes)"
if (( size > goal )); then
    echo "build-static: WARNING: $size bytes is over the $goal-byte goal (see README, Size)" >&2
fi
