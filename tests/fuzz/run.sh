#!/usr/bin/env bash
# Run every fuzz target for SECONDS each (default 30), one after the other, unattended.
#
# Usage: tests/fuzz/run.sh BUILD_DIR TESTDATA_DIR [SECONDS]
#   BUILD_DIR     the fuzzing build (clang, libFuzzer, ASan + UBSan): configured here when it
#                 does not exist yet, its targets and segl-sign brought up to date every run.
#   TESTDATA_DIR  the test PKI and documents (build/testdata, which the tests make); made here by
#                 testdata/mkpki.sh and testdata/mkdocs.sh when missing.
#   A long run:   tests/fuzz/run.sh build-fuzz build/testdata 3600   (an hour per target)
#
# Each target starts from its corpus in BUILD_DIR/fuzz-corpus/TARGET (kept across runs: what a
# run finds that reaches new code is added there) and from seeds made afresh (tests/fuzz/seeds.sh:
# segl's own files, files in other products' shapes, ../shared/corpora when present), with a
# dictionary of PDF and/or XML keywords. A crash, undefined behaviour, leak, timeout or excess
# memory is saved as BUILD_DIR/fuzz-findings/TARGET/{crash,leak,timeout,oom}-*, its path and the
# command that reproduces it printed; the other targets still run, and the exit status is 1.
# The log of each target is BUILD_DIR/fuzz-logs/TARGET.log.
#
# Environment: SEGL_FUZZ_TARGETS="verify pdf" runs only those targets; a kept corpus of more than
# SEGL_FUZZ_MERGE_ABOVE inputs (default 1000) is first merged down to the ones that add coverage.
set -euo pipefail
if [ $# -lt 2 ]; then
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
fi
build=$(realpath -m "$1") testdata=$(realpath -m "$2") seconds=${3:-30}
src=$(cd "$(dirname "$0")/../.." && pwd)
# The targets are the ones tests/fuzz/CMakeLists.txt lists (SEGL_FUZZ_TARGETS there).
mapfile -t all_targets < <(sed -n '/set(SEGL_FUZZ_TARGETS/,/)/p' "$src/tests/fuzz/CMakeLists.txt" |
    grep -o 'fuzz_[a-z0-9_]*' | sed 's/^fuzz_//')
read -r -a targets <<<"${SEGL_FUZZ_TARGETS:-${all_targets[*]}}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- the build: configured once, its targets brought up to date every run
if [ ! -f "$build/CMakeCache.txt" ]; then
    echo "fuzz: configuring $build (clang, libFuzzer, ASan + UBSan)"
    CC=clang cmake -S "$src" -B "$build" -DSEGL_FUZZ=ON -DSEGL_TESTS=OFF -DSEGL_WERROR=ON \
        -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" >/dev/null
elif ! grep -q '^SEGL_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
    echo "fuzz: $build is not a fuzzing build (configure it with -DSEGL_FUZZ=ON, or name a new folder)" >&2
    exit 2
fi
echo "fuzz: building segl-sign and the targets in $build"
if ! cmake --build "$build" -j "$(nproc)" --target segl-sign "${targets[@]/#/fuzz_}" >"$work/build.log" 2>&1; then
    cat "$work/build.log" >&2
    exit 2
fi

# ---- the test PKI and documents the seeds are made with
if [ ! -f "$testdata/pki/.done" ] || [ ! -f "$testdata/docs/.done" ]; then
    echo "fuzz: making the test PKI and documents in $testdata"
    "$src/testdata/mkpki.sh" "$testdata/pki" >/dev/null
    "$src/testdata/mkdocs.sh" "$testdata/docs" >/dev/null
fi

"$src/tests/fuzz/seeds.sh" "$build" "$testdata" "$work/seeds"
# Dictionaries: PDF keywords for the PDF reader, XML ones for the XML readers, both for the
# targets that take any signed file.
cat "$src/tests/fuzz/pdf.dict" "$src/tests/fuzz/xml.dict" >"$work/any.dict"
dictionary() {
    case $1 in
    pdf | visual) echo "$src/tests/fuzz/pdf.dict" ;;
    xml | tl | zip | opensign) echo "$src/tests/fuzz/xml.dict" ;;
    verify | inspect | sign) echo "$work/any.dict" ;;
    png) echo "$src/tests/fuzz/png.dict" ;;
    esac
}

corpus=$build/fuzz-corpus findings=$build/fuzz-findings logs=$build/fuzz-logs
run_target() { # run_target TARGET LIBFUZZER-ARGUMENTS...
    LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$src/tests/fuzz/lsan.supp" \
        SEGL_FUZZ_TRUST=$testdata/pki/trust/oces3-root.pem SEGL_FUZZ_PKI=$testdata/pki/oces3 \
        "$build/tests/fuzz/fuzz_$1" -timeout=10 -rss_limit_mb=2048 "${@:2}"
}
count() { find "$1" -type f | wc -l; }
found=()
for target in "${targets[@]}"; do
    mkdir -p "$corpus/$target" "$findings/$target" "$logs" "$work/seeds/$target"
    before=$(count "$corpus/$target")
    # A kept corpus that has grown large is first cut down to the inputs that reach distinct code
    # (libFuzzer -merge=1), so that loading it does not eat the run's time.
    if [ "$before" -gt "${SEGL_FUZZ_MERGE_ABOVE:-1000}" ]; then
        rm -rf "$corpus/$target.merged"
        mkdir "$corpus/$target.merged"
        if run_target "$target" -merge=1 "$corpus/$target.merged" "$corpus/$target" >"$logs/$target.merge.log" 2>&1; then
            rm -rf "$corpus/$target"
            mv "$corpus/$target.merged" "$corpus/$target"
            echo "fuzz_$target: kept corpus merged from $before to $(count "$corpus/$target") inputs"
            before=$(count "$corpus/$target")
        else
            rm -rf "$corpus/$target.merged"
        fi
    fi
    options=(-max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$findings/$target/")
    dict=$(dictionary "$target")
    [ -n "$dict" ] && options+=(-dict="$dict")
    echo "fuzz_$target: ${seconds}s, from $before kept and $(count "$work/seeds/$target") seed inputs"
    status=0
    run_target "$target" "${options[@]}" "$corpus/$target" "$work/seeds/$target" >"$logs/$target.log" 2>&1 ||
        status=$?
    grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$logs/$target.log" | sed 's/^/    /' || true
    echo "    corpus: $(count "$corpus/$target") inputs kept (was $before)"
    if [ "$status" -ne 0 ]; then
        # libFuzzer names what it saved: "Test unit written to PATH"
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$logs/$target.log" | tail -1)
        summary=$(grep -m1 -E 'ERROR: |SUMMARY: |runtime error' "$logs/$target.log" || echo "exit $status")
        echo "    FOUND: $summary"
        echo "    input: ${artifact:-none saved}; log: $logs/$target.log"
        [ -n "$artifact" ] && echo "    reproduce: SEGL_FUZZ_TRUST=$testdata/pki/trust/oces3-root.pem SEGL_FUZZ_PKI=$testdata/pki/oces3 $build/tests/fuzz/fuzz_$target $artifact"
        found+=("fuzz_$target")
    fi
done
if [ ${#found[@]} -gt 0 ]; then
    echo "fuzz: findings in ${found[*]} (saved under $findings)" >&2
    exit 1
fi
echo "fuzz: no findings"
