#!/usr/bin/env bash
# Memory stays bounded whatever a document weighs: a 96 MiB document is signed and validated,
# from a file and from a pipe, in under 64 MiB of peak RSS (a command that held the document
# whole would need more than 96). CAdES detached (the content on stdin with --content -), the
# signing of an enveloping CAdES, and PAdES. (Validating an enveloping .p7m is the exception:
# OpenSSL decodes it whole; tests/bench/bench.sh measures it.) The 512 MiB figures of every format
# are the bench's.
. "$(dirname "$0")/lib.sh"

# A sanitizer's shadow memory and quarantine, or valgrind, change what RSS means.
if [ -n "${SEGL_VALGRIND:-}" ] || grep -aq __asan_init "$SEGL_BIN/segl-sign"; then
    echo "under AddressSanitizer or valgrind: peak RSS is not the commands' own; skipped" >&2
    finish
fi
. "$SEGL_SOURCE/testdata/pades/pdflib.sh"
TMPDIR=$WORK/tmp # where stdin beyond 16 MiB is held (a file without a name)
mkdir "$TMPDIR"
export TMPDIR
LIMIT_KIB=$((64 * 1024))
VERIFY_OFFLINE=("$VERIFY" -q --offline --revocation off --at "$AT" --trust "$PKI/trust/oces3-root.pem")
SIGN_PERSON=("$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" --signing-time 2026-05-01T12:00:00Z)

# expect_bounded NAME INPUT -- COMMAND...: COMMAND exits 0 with a peak RSS under 64 MiB; INPUT
# (unless empty) is fed to it through a pipe, which it cannot read in place.
expect_bounded() {
    local name=$1 input=$2 status kib
    shift 3
    if [ -n "$input" ]; then
        # shellcheck disable=SC2002  # a pipe on purpose: a redirected file is read in place
        cat "$input" | /usr/bin/time -f %M -o rss.txt "$@" >out.txt 2>err.txt
    else
        /usr/bin/time -f %M -o rss.txt "$@" >out.txt 2>err.txt
    fi
    status=$?
    kib=$(tail -n 1 rss.txt)
    if [ "$status" -ne 0 ]; then
        fail "$name: exit $status: $(head -c 300 err.txt)"
    elif [ "$kib" -ge "$LIMIT_KIB" ]; then
        fail "$name: peak RSS $((kib / 1024)) MiB, not under $((LIMIT_KIB / 1024)) MiB"
    else
        pass
    fi
}

head -c 96M /dev/zero >doc.bin

# ---- CAdES detached
expect_bounded "test_cades_signing_a_96_mib_file_stays_under_64_mib" "" -- \
    "${SIGN_PERSON[@]}" -o doc.p7s doc.bin
expect_bounded "test_cades_signing_96_mib_from_a_pipe_stays_under_64_mib" doc.bin -- \
    "${SIGN_PERSON[@]}" -o piped.p7s -
expect_bounded "test_cades_validating_a_96_mib_content_file_stays_under_64_mib" "" -- \
    "${VERIFY_OFFLINE[@]}" --content doc.bin doc.p7s
expect_bounded "test_cades_validating_a_96_mib_content_from_a_pipe_stays_under_64_mib" doc.bin -- \
    "${VERIFY_OFFLINE[@]}" --content - piped.p7s

# ---- CAdES enveloping: signing streams the content into the output
expect_bounded "test_cades_enveloping_signing_96_mib_from_a_pipe_stays_under_64_mib" doc.bin -- \
    "${SIGN_PERSON[@]}" --packaging enveloping -o piped.p7m -
[ "$(stat -c %s piped.p7m)" -gt $((96 << 20)) ] && pass || fail "the enveloping signature does not hold the content"
rm -f piped.p7m

# ---- PAdES: a PDF whose page is a 96 MiB image
make_large_pdf doc.pdf doc.bin
rm -f doc.bin
expect_bounded "test_pades_signing_a_96_mib_file_stays_under_64_mib" "" -- \
    "${SIGN_PERSON[@]}" -o doc.signed.pdf doc.pdf
expect_bounded "test_pades_signing_96_mib_from_a_pipe_stays_under_64_mib" doc.pdf -- \
    "${SIGN_PERSON[@]}" -f pades -o piped.signed.pdf -
rm -f doc.pdf
expect_bounded "test_pades_validating_a_96_mib_file_stays_under_64_mib" "" -- \
    "${VERIFY_OFFLINE[@]}" doc.signed.pdf
expect_bounded "test_pades_validating_96_mib_from_a_pipe_stays_under_64_mib" piped.signed.pdf -- \
    "${VERIFY_OFFLINE[@]}" -
rm -f doc.signed.pdf piped.signed.pdf

[ -z "$(ls -A "$TMPDIR")" ] && pass || fail "left in TMPDIR: $(ls -A "$TMPDIR")"
finish
