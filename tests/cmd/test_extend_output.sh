#!/usr/bin/env bash
# segl-extend without -o: the extended file goes beside FILE as FILE with ".extended" before its
# ending, a name that still leads to a detached signature's content; an existing file of that
# name is never replaced (exit 3, one line, the file unchanged), one named with -o is.
. "$(dirname "$0")/lib.sh"
EXTEND=$SEGL_BIN/segl-extend
KEY=(-k "$PKI/oces3/person.p12" --pass-file "$PASS" --signing-time 2026-06-01T11:59:00Z)
AFTER=2026-06-02T00:00:00Z
cp "$DOCS/letter.txt" "$DOCS/contract.pdf" .
"$SIGN" -q "${KEY[@]}" letter.txt
"$SIGN" -q "${KEY[@]}" --packaging enveloping letter.txt
"$SIGN" -q "${KEY[@]}" contract.pdf
before=$(sha256sum letter.txt.p7s)

# test_extend_names_a_detached_signature_so_that_its_content_is_found
expect_exit 0 "extend letter.txt.p7s without -o" -- "$EXTEND" -q -l B-T --tsa "$TSA" letter.txt.p7s
[ -f letter.txt.extended.p7s ] && pass || fail "no letter.txt.extended.p7s: $(ls)"
[ "$before" = "$(sha256sum letter.txt.p7s)" ] && pass || fail "segl-extend changed its input"
expect_exit 0 "the extended signature finds letter.txt by its name" -- verify_json --at "$AFTER" letter.txt.extended.p7s
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].level == "CAdES-BASELINE-T"' "extended detached, content by name"
# extended again (B-LTA reads the content by the same rule): letter.txt.extended.extended.p7s
expect_exit 0 "extend the extended signature to B-LTA" -- "$EXTEND" -q -l B-LTA --tsa "$TSA" letter.txt.extended.p7s
expect_exit 0 "the twice extended signature finds letter.txt" -- verify_json --at "$AFTER" letter.txt.extended.extended.p7s
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].level == "CAdES-BASELINE-LTA"' "twice extended, content by name"

# test_extend_never_replaces_a_file_of_its_default_name
kept=$(sha256sum letter.txt.extended.p7s)
expect_exit 3 "the default output exists" -- "$EXTEND" -q -l B-T --tsa "$TSA" letter.txt.p7s
expect_one_line_error "the default output exists" '^segl-extend: letter.txt.extended.p7s: already exists and is not replaced \(remove it, or name the output with -o\)$'
[ "$kept" = "$(sha256sum letter.txt.extended.p7s)" ] && [ -z "$(find . -name '.segl-tmp-*')" ] &&
    pass || fail "the existing default output was changed, or a temporary file left"
expect_exit 0 "-o names the existing file: replaced" -- "$EXTEND" -q -l B-LT --tsa "$TSA" -o letter.txt.extended.p7s letter.txt.p7s
expect_exit 0 "the replaced file validates" -- verify_json --at "$AFTER" letter.txt.extended.p7s
expect_json '.signatures[0].level == "CAdES-BASELINE-LT"' "-o replaced the file"

# test_extend_names_enveloping_pdf_and_endless_files_like_segl_sign
expect_exit 0 "extend letter.txt.p7m without -o" -- "$EXTEND" -q -l B-T --tsa "$TSA" letter.txt.p7m
expect_exit 0 "letter.txt.extended.p7m validates" -- verify_json --at "$AFTER" letter.txt.extended.p7m
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].level == "CAdES-BASELINE-T"' "extended enveloping"
expect_exit 0 "extend contract.pdf.signed.pdf without -o" -- "$EXTEND" -q -l B-T --tsa "$TSA" contract.pdf.signed.pdf
expect_exit 0 "contract.pdf.signed.extended.pdf validates" -- verify_json --at "$AFTER" contract.pdf.signed.extended.pdf
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].level == "PAdES-BASELINE-T"' "extended PDF"
cp letter.txt.p7m signature
expect_exit 0 "extend a file without an ending" -- "$EXTEND" -q -l B-T --tsa "$TSA" signature
[ -f signature.extended ] && pass || fail "no signature.extended: $(ls)"
# standard input still goes to standard output
expect_exit 0 "extend standard input" -- "$EXTEND" -q -l B-T --tsa "$TSA" - <letter.txt.p7m
[ ! -e -.extended ] && pass || fail "standard input's result went to a file"
cp out.txt from-stdin.p7m
expect_exit 0 "standard input's extended signature validates" -- verify_json --at "$AFTER" from-stdin.p7m
expect_json '.signatures[0].level == "CAdES-BASELINE-T"' "standard input extended to standard output"
finish
