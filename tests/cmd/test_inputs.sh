#!/usr/bin/env bash
# What the commands take as input: a directory is refused by every command with one line and exit 3
# and nothing written; a file of any kind without a signature is "no signature" (exit 2), in a
# batch too; empty content is refused alike in every packaging; "-" is standard input for the
# signed file and for --content; segl-extend writes standard input's result to standard output.
. "$(dirname "$0")/lib.sh"
EXTEND=$SEGL_BIN/segl-extend
INSPECT=$SEGL_BIN/segl-inspect
KEY=(-k "$PKI/oces3/person.p12" --pass-file "$PASS")
cp "$DOCS/letter.txt" "$DOCS/contract.pdf" .
mkdir folder
cp letter.txt folder/

# test_every_command_refuses_a_directory_and_writes_nothing
expect_exit 3 "segl-sign on a directory" -- "$SIGN" "${KEY[@]}" folder
expect_one_line_error "segl-sign on a directory" '^segl-sign: folder: is a directory \(name the files in it: DIR/\*\)$'
[ ! -e folder.p7s ] && [ -z "$(find . -name '.segl-tmp-*')" ] && pass || fail "segl-sign wrote something for a directory"
expect_exit 3 "segl-verify on a directory" -- "$VERIFY" --report etsi report.xml folder
expect_one_line_error "segl-verify on a directory" '^segl-verify: folder: is a directory \(use -r to validate what is in it\)$'
[ ! -e report.xml ] && pass || fail "segl-verify wrote a report for a directory"
expect_exit 3 "segl-extend on a directory" -- "$EXTEND" -l B-T --tsa "$TSA" -o out.p7s folder
expect_one_line_error "segl-extend on a directory" '^segl-extend: folder: is a directory \(name a signed file in it\)$'
[ ! -e out.p7s ] && pass || fail "segl-extend wrote something for a directory"
expect_exit 3 "segl-inspect on a directory" -- "$INSPECT" folder
expect_one_line_error "segl-inspect on a directory" '^segl-inspect: folder: is a directory \(name a file in it\)$'

# test_unsigned_files_of_any_kind_have_no_signature
expect_exit 2 "an unsigned text file" -- "$VERIFY" letter.txt
[ "$(cat out.txt)" = "letter.txt: no signature found" ] && pass || fail "unsigned text: $(cat out.txt)"
expect_exit 2 "a batch of unsigned files" -- "$VERIFY" letter.txt contract.pdf
grep -qx 'segl-verify: 2 files: 0 TOTAL_PASSED, 0 TOTAL_FAILED, 0 INDETERMINATE, 2 without signature, 0 unreadable' err.txt &&
    pass || fail "batch summary: $(cat err.txt)"
expect_exit 2 "an unsigned text file in JSON" -- verify_json letter.txt
expect_json '.error == null and (.signatures | length) == 0' "no signature, no error"
# a file named as a signature that is none stays unparsable
head -c 300 /dev/urandom | tr '\0' x >random.p7s
expect_exit 3 "random bytes named .p7s" -- "$VERIFY" random.p7s

# test_empty_content_is_refused_in_every_packaging
: >empty.txt
for packaging in detached enveloping; do
    expect_exit 3 "empty content, $packaging" -- "$SIGN" "${KEY[@]}" --packaging "$packaging" -o "e-$packaging.p7s" empty.txt
    expect_one_line_error "empty content, $packaging" '^segl-sign: empty.txt: empty file, nothing to sign$'
    [ ! -e "e-$packaging.p7s" ] && pass || fail "an output for empty content ($packaging)"
done
for format in xades asic-e; do
    expect_exit 3 "empty content, $format" -- "$SIGN" "${KEY[@]}" -f "$format" -o "e.$format" empty.txt
    expect_one_line_error "empty content, $format" 'empty.txt: empty file, nothing to sign$'
done
expect_exit 3 "empty content from standard input" -- "$SIGN" "${KEY[@]}" -o e-stdin.p7s - <empty.txt

# test_an_empty_pipe_is_refused_like_an_empty_file_in_every_format
# Standard input redirected from an empty file and an empty pipe (< <(:)) are the same mistake:
# exit 3, the one line, no output file (-o) and nothing on standard output (without -o).
for signing in "-f cades --packaging detached" "-f cades --packaging enveloping" \
               "-f xades --packaging detached" "-f xades --packaging enveloping" \
               "-f xades --packaging enveloped" "-f pades" "-f asic-e" "-f asic-s"; do
    read -ra how <<<"$signing"
    for source in file pipe; do
        for target in "-o empty-out" ""; do
            read -ra to <<<"$target"
            what="empty $source, $signing${target:+, $target}"
            if [ "$source" = file ]; then
                expect_exit 3 "$what" -- "$SIGN" "${KEY[@]}" "${how[@]}" "${to[@]}" - <empty.txt
            else
                expect_exit 3 "$what" -- "$SIGN" "${KEY[@]}" "${how[@]}" "${to[@]}" - < <(:)
            fi
            expect_one_line_error "$what" '^segl-sign: -: empty file, nothing to sign$'
            [ ! -e empty-out ] && [ ! -s out.txt ] && [ -z "$(find . -name '.segl-tmp-*')" ] &&
                pass || fail "$what: something was written"
        done
    done
done
# the byte looked at is not lost: a pipe with content is signed whole
expect_exit 0 "a PDF from a pipe" -- "$SIGN" -q "${KEY[@]}" -f pades -o piped.pdf - < <(cat contract.pdf)
expect_exit 0 "the PDF signed from a pipe validates" -- verify_json piped.pdf
expect_json '.indication == "TOTAL_PASSED"' "PDF from a pipe"
expect_exit 0 "one byte from a pipe" -- "$SIGN" -q "${KEY[@]}" --packaging enveloping -o byte.p7s - < <(printf x)
[ "$(openssl cms -verify -noverify -inform DER -in byte.p7s 2>/dev/null)" = x ] &&
    pass || fail "one byte from a pipe: the signed content is not x"

# test_dash_reads_standard_input_for_content_and_signed_file
"$SIGN" -q "${KEY[@]}" --signing-time 2026-06-01T11:59:00Z -o letter.txt.p7s letter.txt
expect_exit 0 "--content -" -- verify_json --content - letter.txt.p7s <letter.txt
expect_json '.indication == "TOTAL_PASSED"' "detached content from standard input"
expect_exit 0 "signed file from standard input" -- verify_json --content letter.txt - <letter.txt.p7s
expect_json '.indication == "TOTAL_PASSED"' "signed file from standard input"

# test_pass_file_dash_reads_the_password_from_standard_input
expect_exit 0 "--pass-file -" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file - -o dash-pass.p7s letter.txt <"$PASS"
[ -s dash-pass.p7s ] && pass || fail "--pass-file - wrote no signature"
expect_exit 3 "--pass-file - with input -" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file - -o x.p7s - <"$PASS"
expect_one_line_error "--pass-file - with input -" 'can be read once per call'

# test_extend_writes_standard_input_to_standard_output
expect_exit 0 "segl-extend - (no -o)" -- "$EXTEND" -l B-T --tsa "$TSA" - <letter.txt.p7s
cp out.txt extended.p7s
expect_exit 0 "the extended signature validates" -- verify_json --at 2026-06-01T13:00:00Z --content letter.txt extended.p7s
expect_json '.signatures[0].level == "CAdES-BASELINE-T"' "extended to B-T"

# test_report_folder_named_with_a_slash_is_made; one whose parent is missing is exit 3
expect_exit 0 "--report etsi new/" -- verify_json --content letter.txt --report etsi new/ letter.txt.p7s
[ -f new/letter.txt.p7s.etsi.xml ] && pass || fail "report folder not made: $(ls -R new 2>&1)"
expect_exit 3 "--report etsi no/such/" -- verify_json --content letter.txt --report etsi no/such/ letter.txt.p7s
expect_one_line_error "--report etsi no/such/" '^segl-verify: no/such/: --report etsi: cannot create the folder: No such file or directory$'
expect_exit 3 "--report etsi no/r.xml" -- verify_json --content letter.txt --report etsi no/r.xml letter.txt.p7s
expect_one_line_error "--report etsi no/r.xml" '^segl-verify: no/r.xml: --report etsi: folder no does not exist$'
[ "$(wc -c <out.txt)" -eq 0 ] && pass || fail "validated before refusing the report path"

# test_nohup_keeps_signing_after_a_hang_up: an inherited SIGHUP ignore stays (nohup), and the
# signature is written whole when the input ends. The input is a FIFO, so the hang-up comes while
# segl-sign is inside the signing.
mkfifo hup.fifo
nohup "$SIGN" -q "${KEY[@]}" -f cades -o hup.p7s hup.fifo >/dev/null 2>&1 &
signer=$!
exec 7>hup.fifo
printf 'part of a document' >&7
sleep 0.5
kill -HUP "$signer"
sleep 0.2
printf ', and the rest' >&7
exec 7>&-
wait "$signer"
status=$?
[ "$status" -eq 0 ] && [ -s hup.p7s ] && pass || fail "nohup segl-sign died on SIGHUP (exit $status)"
# without nohup a hang-up ends it, leaving no temporary file
mkfifo hup2.fifo
"$SIGN" -q "${KEY[@]}" -f cades -o hup2.p7s hup2.fifo 2>/dev/null &
signer=$!
exec 7>hup2.fifo
printf 'part of a document' >&7
sleep 0.5
kill -TERM "$signer"
wait "$signer"
status=$?
exec 7>&-
[ "$status" -ne 0 ] && [ ! -e hup2.p7s ] && [ -z "$(find . -name '.segl-tmp-*')" ] && pass ||
    fail "SIGTERM: exit $status, files: $(ls -a)"
finish
