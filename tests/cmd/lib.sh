# Shared by the command-line and interop tests. Sourced; expects SEGL_BIN and SEGL_TESTDATA (ctest
# sets them). Each test works in its own temporary directory, removed on exit.
set -u
: "${SEGL_BIN:?run through ctest}" "${SEGL_TESTDATA:?run through ctest}"
PKI=$SEGL_TESTDATA/pki
DOCS=$SEGL_TESTDATA/docs
PASS=$PKI/password.txt
AT=2026-06-01T00:00:00Z           # fixed validation time: inside every good certificate
AT_EPOCH=1780272000
PORT=${SEGL_TEST_PORT:-19080}
TSA=http://127.0.0.1:$PORT/tsa    # tests/servers: its clock is fixed at 2026-06-01T12:00:00Z
DEAD=http://127.0.0.1:9/tsa       # nothing listens there (the discard port)
SIGN=$SEGL_BIN/segl-sign
VERIFY=$SEGL_BIN/segl-verify
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
# SEGL_VALGRIND=1 runs the commands under valgrind memcheck: any memory error or definite leak
# becomes exit status 99, which every expect_exit notices (setup.sh test does this for a subset).
if [ -n "${SEGL_VALGRIND:-}" ]; then
    mkdir "$WORK/.memcheck"
    for command in segl-sign segl-verify; do
        printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite "%s" "$@"\n' \
            "$SEGL_BIN/$command" >"$WORK/.memcheck/$command"
        chmod +x "$WORK/.memcheck/$command"
    done
    SIGN=$WORK/.memcheck/segl-sign
    VERIFY=$WORK/.memcheck/segl-verify
fi
# In the ASan+UBSan build (SEGL_SANITIZE=1, set by ctest) a sanitizer finding (a memory error, a
# leak at exit, undefined behaviour) is exit status 99 too: the sanitizers' own status 1 is also
# segl-verify's TOTAL_FAILED, and a test expecting a failed signature would take it for a pass.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=99:halt_on_error=1:print_stacktrace=1"
failures=0
checks=0

# have CMD: whether a program a test may use (an interop peer) is installed.
have() { command -v "$1" >/dev/null; }
pass() { checks=$((checks + 1)); }
# skip_without PROGRAM...: an interop test ends here, saying so, when a peer it needs is missing
# (setup.sh installs them all; a hand-built tree may lack one).
skip_without() {
    local program
    for program in "$@"; do
        have "$program" || { echo "SKIP: $program not installed" >&2; finish; }
    done
}
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL: $*" >&2; }

# expect_exit CODE DESCRIPTION -- COMMAND...: runs COMMAND, stdout to out.txt, stderr to err.txt.
expect_exit() {
    local want=$1 what=$2
    shift 3
    "$@" >out.txt 2>err.txt
    local got=$?
    if [ "$got" -ge 128 ]; then
        fail "$what: crashed (exit $got): $(head -c 300 err.txt)"
    elif [ "$got" -ne "$want" ]; then
        fail "$what: exit $got, wanted $want; stderr: $(head -c 300 err.txt)"
    else
        pass
    fi
}

# expect_json FILTER DESCRIPTION: jq -e FILTER over out.txt (the last command's stdout) is true.
expect_json() {
    if jq -e "$1" out.txt >/dev/null 2>&1; then pass; else fail "$2: jq '$1' on: $(head -c 600 out.txt)"; fi
}

# expect_json_lines FILTER DESCRIPTION: jq -e -s FILTER over out.txt's JSON Lines (as an array).
expect_json_lines() {
    if jq -e -s "$1" out.txt >/dev/null 2>&1; then pass; else fail "$2: jq -s '$1' on: $(head -c 900 out.txt)"; fi
}

# expect_one_line_error DESCRIPTION PATTERN: stderr is exactly one line matching PATTERN.
expect_one_line_error() {
    # segl-verify ends a batch with a summary line on stderr; the error itself is one line.
    local lines
    lines=$(grep -cv '^segl-verify: [0-9]* files: ' err.txt)
    if [ "$lines" -eq 1 ] && grep -Eq -- "$2" err.txt; then pass; else fail "$1: stderr was: $(cat err.txt)"; fi
}

verify_json() { # verify_json FILE [options...]: validate at the fixed time with the OCES3 test root
    "$VERIFY" --json --at "$AT" --trust "$PKI/trust/oces3-root.pem" --trust "$PKI/trust/oces2-root.pem" "$@"
}

finish() {
    echo "$checks checks, $failures failed"
    [ "$failures" -eq 0 ]
    exit $?
}
