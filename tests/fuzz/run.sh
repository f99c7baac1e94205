#!/usr/bin/env bash
# Run every fuzz target for SECONDS (default 30) from seeds made with the test PKI.
# Usage: tests/fuzz/run.sh BUILD_DIR TESTDATA_DIR [SECONDS]
# A longer run: tests/fuzz/run.sh build-fuzz build/testdata 3600
set -euo pipefail
build=$1 testdata=$2 seconds=${3:-30}
src=$(cd "$(dirname "$0")/../.." && pwd)
corpus=$build/fuzz-corpus
mkdir -p "$corpus/verify" "$corpus/pkcs12" "$corpus/time"
pki=$testdata/pki
# Seeds: signatures of every shape segl makes, the key files, and time strings.
printf 'seed\n' >"$corpus/seed.txt"
for who in person ec pss; do
    "$src/build/segl-sign" -q -k "$pki/oces3/$who.p12" --pass-file "$pki/password.txt" -o "$corpus/verify/$who.p7s" "$corpus/seed.txt" 2>/dev/null || true
    "$src/build/segl-sign" -q -k "$pki/oces3/$who.p12" --pass-file "$pki/password.txt" --packaging enveloping -o "$corpus/verify/$who.p7m" "$corpus/seed.txt" 2>/dev/null || true
    cp "$pki/oces3/$who.p12" "$pki/oces3/$who.key.pem" "$corpus/pkcs12/"
done
cp "$pki/oces2/poces.legacy.p12" "$corpus/pkcs12/"
printf '2026-11-24T10:00:00Z' >"$corpus/time/a"; printf '2026-11-24T11:00:00.5+01:00' >"$corpus/time/b"
for target in verify pkcs12 time; do
    echo "fuzz_$target: ${seconds}s"
    SEGL_FUZZ_TRUST=$pki/trust/oces3-root.pem "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" \
        -timeout=10 -rss_limit_mb=1024 -print_final_stats=0 "$corpus/$target" 2>&1 | tail -n 3
done
