#!/usr/bin/env bash
# Signed files read from standard input ("-"): segl-extend from a pipe to stdout, segl-verify on a
# pipe larger than what it keeps in memory, which goes to a file without a name in $TMPDIR, and
# with the detached content on stdin (--content -), and segl-sign on a PDF from such a pipe:
# nothing is ever left in $TMPDIR, not even when the command is killed while reading.
. "$(dirname "$0")/lib.sh"
EXTEND=$SEGL_BIN/segl-extend
cp "$DOCS/letter.txt" "$DOCS/contract.pdf" "$DOCS/taxform.xml" .
AFTER=2026-06-02T00:00:00Z        # a day after the test TSA's time
sign() { # sign OUT [options...] FILE
    local out=$1
    shift
    "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" --signing-time 2026-06-01T11:59:00Z \
        -o "$out" "$@"
}
# Every command here gets a private, empty TMPDIR; nothing may appear in it.
TMPDIR=$WORK/private-tmp
mkdir "$TMPDIR"
export TMPDIR
tmpdir_is_empty() { # tmpdir_is_empty WHEN
    [ -z "$(ls -A "$TMPDIR")" ] && pass || fail "$1: left in TMPDIR: $(ls -A "$TMPDIR")"
}

# ---- segl-extend reads stdin and writes stdout
sign b.p7s letter.txt
cat b.p7s | "$EXTEND" -q -l B-T --tsa "$TSA" -o - - >piped-t.p7s
[ $? -eq 0 ] && [ -s piped-t.p7s ] && pass || fail "test_extend_reads_a_pipe_and_writes_stdout"
expect_exit 0 "the result validates" -- verify_json --at "$AFTER" --content letter.txt piped-t.p7s
expect_json '.signatures[0].level == "CAdES-BASELINE-T" and .signatures[0].indication == "TOTAL_PASSED"' "extended from a pipe to B-T"
expect_exit 0 "test_extend_reads_stdin_redirected_from_a_file" -- "$EXTEND" -q -l B-T --tsa "$TSA" -o redirected-t.p7s - <b.p7s
expect_exit 0 "that result validates" -- verify_json --at "$AFTER" --content letter.txt redirected-t.p7s
expect_json '.signatures[0].level == "CAdES-BASELINE-T"' "extended from a redirected file to B-T"
# a detached signature from stdin has no name to find its content by: B-LTA wants --content
expect_exit 3 "test_extend_stdin_to_lta_needs_the_content" -- sh -c 'cat piped-t.p7s | "$0" -q -l B-LTA --tsa "$1" -o lta.p7s -' "$EXTEND" "$TSA"
expect_one_line_error "B-LTA from stdin without content" 'give it with --content'
[ ! -e lta.p7s ] && pass || fail "a failed extension left an output"
expect_exit 0 "test_extend_stdin_to_lta_with_the_content" -- sh -c 'cat piped-t.p7s | "$0" -q -l B-LTA --tsa "$1" --content letter.txt -o lta.p7s -' "$EXTEND" "$TSA"
expect_exit 0 "the B-LTA result validates" -- verify_json --at "$AFTER" --content letter.txt lta.p7s
expect_json '.signatures[0].level == "CAdES-BASELINE-LTA"' "B-LTA from stdin"
# what segl-extend wrote to stdout is a CMS signature others accept too
openssl_accepts() { # openssl_accepts SIG: openssl cms -verify over the detached letter
    openssl cms -verify -binary -inform DER -in "$1" -content letter.txt -CAfile "$PKI/trust/oces3-root.pem" \
        -attime "$AT_EPOCH" -purpose any -out /dev/null
}
expect_exit 0 "openssl cms -verify accepts the B-T extended from a pipe" -- openssl_accepts piped-t.p7s
expect_exit 0 "openssl cms -verify accepts the B-LTA extended from a pipe" -- openssl_accepts lta.p7s
# PAdES and XAdES from a pipe too
sign signed.pdf contract.pdf
cat signed.pdf | "$EXTEND" -q -l B-LT --tsa "$TSA" -o - - >piped-lt.pdf
expect_exit 0 "test_extend_pades_from_a_pipe" -- verify_json --at "$AFTER" piped-lt.pdf
expect_json '.signatures[0].level == "PAdES-BASELINE-LT" and .indication == "TOTAL_PASSED"' "PAdES extended from a pipe"
cmp -s signed.pdf <(head -c "$(stat -c %s signed.pdf)" piped-lt.pdf) && pass || fail "the signed PDF is not a prefix of the extended one"
if have pdfsig && have qpdf; then
    pdfsig piped-lt.pdf >pdfsig.txt 2>&1
    grep -q 'Signature is Valid' pdfsig.txt && pass || fail "pdfsig: the PAdES extended from a pipe: $(cat pdfsig.txt)"
    expect_exit 0 "qpdf --check accepts the PAdES extended from a pipe" -- qpdf --check piped-lt.pdf
fi
sign signed.xml taxform.xml
cat signed.xml | "$EXTEND" -q -l B-T --tsa "$TSA" -o - - >piped-t.xml
expect_exit 0 "test_extend_xades_from_a_pipe" -- verify_json --at "$AFTER" piped-t.xml
expect_json '.signatures[0].level == "XAdES-BASELINE-T"' "XAdES extended from a pipe"
expect_exit 3 "test_extend_garbage_from_stdin" -- "$EXTEND" -q -l B-T --tsa "$TSA" -o g.p7s - <"$DOCS/garbage.p7s"
tmpdir_is_empty "after segl-extend"

# ---- segl-verify on a pipe larger than it keeps in memory (16 MiB)
head -c 40000000 /dev/urandom >big.bin
sign big.asics -f asic-s big.bin
cat big.asics | /usr/bin/time -f %M -o rss.txt "$VERIFY" --json --at "$AT" --trust "$PKI/trust/oces3-root.pem" - >out.txt 2>err.txt
expect_json '.file == "-" and .format == "asic-s" and .indication == "TOTAL_PASSED"' "test_verify_reads_a_large_pipe"
[ "$(cat rss.txt)" -lt 65536 ] && pass || fail "validating 40 MB from a pipe took $(cat rss.txt) KiB"
tmpdir_is_empty "after validating a large pipe"
expect_exit 0 "test_verify_reads_stdin_redirected_from_a_file" -- "$VERIFY" --json --at "$AT" --trust "$PKI/trust/oces3-root.pem" - <big.asics
expect_json '.file == "-" and .indication == "TOTAL_PASSED"' "a redirected file is read in place"
# a large enveloping signature too, and a small one (kept in memory)
sign big.p7m --packaging enveloping big.bin
cat big.p7m | "$VERIFY" --json --at "$AT" --trust "$PKI/trust/oces3-root.pem" - >out.txt 2>err.txt
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].level == "CAdES-BASELINE-B"' "test_verify_reads_a_large_enveloping_signature_from_a_pipe"
cat b.p7s | "$VERIFY" --json --at "$AT" --trust "$PKI/trust/oces3-root.pem" --content letter.txt - >out.txt 2>err.txt
expect_json '.indication == "TOTAL_PASSED"' "test_verify_reads_a_small_pipe"
tmpdir_is_empty "after validating pipes"

# ---- segl-verify --content -: the detached content on stdin, small (in memory) and large
cat letter.txt | verify_json --content - b.p7s >out.txt 2>err.txt
expect_json '.file == "b.p7s" and .indication == "TOTAL_PASSED"' "test_verify_reads_the_content_from_a_pipe"
printf 'Another letter\n' | verify_json --content - b.p7s >out.txt 2>err.txt
expect_json '.signatures[0].subindication == "HASH_FAILURE"' "test_verify_content_from_a_pipe_that_differs_fails"
expect_exit 0 "test_verify_reads_the_content_redirected_from_a_file" -- verify_json --content - b.p7s <letter.txt
sign big.p7s big.bin
cat big.bin | verify_json --content - big.p7s >out.txt 2>err.txt
expect_json '.indication == "TOTAL_PASSED"' "test_verify_reads_a_large_content_from_a_pipe"
tmpdir_is_empty "after validating a large content from a pipe"
# stdin is read once: not for the content and the signed file, or the content and the list
expect_exit 3 "test_verify_refuses_the_content_and_the_signature_both_on_stdin" -- \
    verify_json --content - - <b.p7s
expect_one_line_error "--content - with -" '^segl-verify: --content - reads standard input, so the signed file cannot come from it too'
expect_exit 3 "test_verify_refuses_the_content_and_the_list_both_on_stdin" -- \
    verify_json --content - --files-from - <<<b.p7s
expect_one_line_error "--content - with --files-from -" '^segl-verify: --content - reads standard input, so the list cannot come from it too'

# ---- segl-sign: a PDF from a pipe larger than is kept in memory goes to a file without a name
. "$SEGL_SOURCE/testdata/pades/pdflib.sh"
head -c 20971520 /dev/urandom >scan.bin
make_large_pdf scan.pdf scan.bin
cat scan.pdf | sign - -f pades - >piped.pdf 2>err.txt
[ $? -eq 0 ] && cmp -s scan.pdf <(head -c "$(stat -c %s scan.pdf)" piped.pdf) && pass ||
    fail "test_sign_pades_reads_a_large_pipe: $(cat err.txt)"
expect_exit 0 "the PDF signed from a large pipe validates" -- verify_json piped.pdf
expect_json '.format == "pades" and .indication == "TOTAL_PASSED"' "PAdES signed from a large pipe"
tmpdir_is_empty "after signing a large pipe"
rm -f scan.bin scan.pdf piped.pdf

# ---- killed while reading a large pipe: the spilled input has no name, so nothing stays
mkfifo in.fifo
"$VERIFY" --json - <in.fifo >/dev/null 2>&1 &
pid=$!
exec 3>in.fifo
head -c 20000000 /dev/zero >&3           # past the 16 MiB kept in memory: now in $TMPDIR
spilled=0
for _ in $(seq 100); do
    ls -l /proc/$pid/fd 2>/dev/null | grep -q -- "$TMPDIR" && { spilled=1; break; }
    sleep 0.1
done
[ "$spilled" -eq 1 ] && pass || fail "test_verify_spills_a_large_pipe_to_TMPDIR: no open file there"
tmpdir_is_empty "while the spilled input is open"
kill -TERM "$pid"
wait "$pid" 2>/dev/null
exec 3>&-
tmpdir_is_empty "test_verify_killed_while_reading_stdin_leaves_nothing"
rm -f big.bin big.asics big.p7m big.p7s
finish
