#!/usr/bin/env bash
# PAdES on PDFs others write: a startxref a few bytes off, linearized files (a full save with the
# signature inside, as Acrobat certifies), hybrid and object-stream files, damaged
# cross-reference data rebuilt by scanning (a verdict, with a warning, never a silent pass), and
# documents carrying only a document timestamp (kind "timestamp").
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$SEGL_SOURCE/testdata/pades/pdflib.sh"
CORPUS=$SEGL_SHARED/corpora/pyhanko/pdf
cp "$DOCS/contract.pdf" .
sign() { "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" "$@"; }
SIGNER=("$PKI/oces3/person.pem" "$PKI/oces3/person.key.pem" "$PKI/oces3/chain.pem")
ZEROS=$(head -c 8192 /dev/zero | od -An -v -tx1 | tr -d ' \n')
PAGE='<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> /Annots [10 0 R] >>'

# fill_ranges FILE: FILE holds one /ByteRange [0 1000000000 1000000000 1000000000] and, after
# it, /Contents <00...> (8192 zero bytes): the ranges are put in (same width, as a writer that
# reserved room does) and the bytes they cover written to FILE.ranges.
fill_ranges() {
    local f=$1 gap_start gap_end total at range
    gap_start=$(grep -abo '/Contents <0000' "$f" | tail -1 | cut -d: -f1)
    gap_start=$((gap_start + 10))
    gap_end=$((gap_start + 2 + 16384))
    total=$(stat -c %s "$f")
    at=$(grep -abo '0 1000000000 1000000000 1000000000' "$f" | tail -1 | cut -d: -f1)
    range=$(printf '%-34s' "$(printf '0 %d %d %d' "$gap_start" "$gap_end" $((total - gap_end)))")
    printf '%s' "$range" | dd of="$f" bs=1 seek="$at" conv=notrunc status=none
    { head -c "$gap_start" "$f"; tail -c +$((gap_end + 1)) "$f"; } >"$f.ranges"
    echo "$gap_start"
}
# put_contents FILE GAP_START DER: the DER's hex into the /Contents placeholder.
put_contents() {
    od -An -v -tx1 "$3" | tr -d ' \n' | dd of="$1" bs=1 seek=$(($2 + 1)) conv=notrunc status=none
}
# sign_full_save FILE: a CAdES-detached CMS by openssl over the ranges (a full save's signature;
# not pdflib.sh's fill_signature, which sign_revision uses).
sign_full_save() {
    local gap
    gap=$(fill_ranges "$1")
    openssl cms -sign -binary -in "$1.ranges" -signer "${SIGNER[0]}" -inkey "${SIGNER[1]}" \
        -certfile "${SIGNER[2]}" -outform DER -out "$1.p7s" 2>/dev/null || return 1
    put_contents "$1" "$gap" "$1.p7s"
}
# timestamp_revision IN OUT: IN (contract.pdf's objects, unsigned) with a revision holding a
# document timestamp (ISO 32000-2 12.8.5, EN 319 142-1 5.4.3) as pyHanko and Acrobat write it:
# /Type /DocTimeStamp, /SubFilter /ETSI.RFC3161, a token from the test TSA over the ByteRange.
timestamp_revision() {
    append_revision "$1" "$2" \
        1 '<< /Type /Catalog /Pages 3 0 R /AcroForm << /Fields [10 0 R] /SigFlags 3 >> >>' \
        4 "$PAGE" \
        9 "<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 /ByteRange [0 1000000000 1000000000 1000000000] /Contents <$ZEROS> >>" \
        10 '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Timestamp1) /V 9 0 R /F 132 /Rect [0 0 0 0] /P 4 0 R >>'
    local gap
    gap=$(fill_ranges "$2")
    openssl ts -query -data "$2.ranges" -sha256 -cert -out "$2.tsq" 2>/dev/null &&
        curl -sf -H 'Content-Type: application/timestamp-query' --data-binary @"$2.tsq" -o "$2.tsr" "$TSA" &&
        openssl ts -reply -in "$2.tsr" -token_out -out "$2.tst" 2>/dev/null || return 1
    put_contents "$2" "$gap" "$2.tst"
}

# shift_startxref IN OUT DELTA: OUT is IN with its last startxref moved by DELTA bytes.
shift_startxref() {
    python3 - "$@" <<'EOF'
import re, sys
data = open(sys.argv[1], 'rb').read()
m = list(re.finditer(rb'startxref(\s+)(\d+)', data))[-1]
moved = str(int(m.group(2)) + int(sys.argv[3])).encode()
open(sys.argv[2], 'wb').write(data[:m.start(2)] + moved + data[m.end(2):])
EOF
}

# ---------------------------------------------------------------- startxref a few bytes off

# test_pades_startxref_pointing_at_whitespace_before_xref_is_followed (qpdf warns and reads on)
xref_at=$(last_startxref contract.pdf)
shift_startxref contract.pdf off.pdf -1
[ "$(last_startxref off.pdf)" = $((xref_at - 1)) ] && pass || fail "the test file's startxref was not moved"
expect_exit 2 "an unsigned PDF whose startxref is one byte early is read (no signature)" -- verify_json off.pdf
expect_json '.format == "pades" and (.signatures | length) == 0' "read as a PDF without signatures"
expect_exit 0 "sign it" -- sign -o off.signed.pdf off.pdf
expect_exit 0 "the new revision's /Prev names the real section" -- qpdf --check off.signed.pdf
expect_exit 0 "its signature passes" -- verify_json off.signed.pdf
# the same in the revision after a signature: read, said, judged as before
sign -o signed.pdf contract.pdf
append_revision signed.pdf later.pdf 2 '<< /Producer (later) >>'
shift_startxref later.pdf later-off.pdf -1
verify_json later.pdf >control.json
expect_exit "$(verify_json later.pdf >/dev/null; echo $?)" "startxref off in the later revision: the verdict of the intact file" -- verify_json later-off.pdf
expect_json '.signatures[0].warnings | any(test("cross-reference offset points 1 bytes"))' "the offset correction is said"
jq -e --slurpfile c control.json '.signatures[0].indication == $c[0].signatures[0].indication' out.txt >/dev/null && pass ||
    fail "startxref off changed the verdict: $(head -c 400 out.txt)"

# test_pades_pyhanko_off_by_one_startxref_files_are_read (tables and cross-reference streams)
if [ -d "$CORPUS" ]; then
    for f in minimal-startxref-obo1 minimal-startxref-obo4 minimal-startxref-same-line \
        minimal-hybrid-xref minimal-hybrid-xref-mswordstyle malformed-xref-space-padded; do
        expect_exit 2 "$f is read (no signature)" -- verify_json "$CORPUS/$f.pdf"
        expect_exit 0 "$f can be signed" -- sign -o "$f.signed.pdf" "$CORPUS/$f.pdf"
        expect_exit 0 "$f signed passes" -- verify_json "$f.signed.pdf"
        expect_json '.signatures[0].indication == "TOTAL_PASSED"' "$f: TOTAL_PASSED"
    done
fi

# ---------------------------------------------------------------- linearized, hybrid, object streams

# test_pades_linearized_certified_document_signed_in_its_one_revision: the signature dictionary
# is written with the document in one linearized full save (first-page and main cross-reference
# sections, hint stream), as Acrobat certifies. The revision it signs is the prefix up to its
# ByteRange end; the first-page section belongs to it.
append_revision contract.pdf pre.pdf \
    1 '<< /Type /Catalog /Pages 3 0 R /AcroForm << /Fields [10 0 R] /SigFlags 3 >> /Perms << /DocMDP 9 0 R >> >>' \
    4 "$PAGE" \
    9 "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M (D:20260101000000Z) /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P 2 /V /1.2 >> >>] /ByteRange [0 1000000000 1000000000 1000000000] /Contents <$ZEROS> >>" \
    10 '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Certification) /V 9 0 R /F 132 /Rect [0 0 0 0] /P 4 0 R >>'
qpdf --linearize pre.pdf lincert.pdf
[ "$(grep -ac 'startxref' lincert.pdf)" -eq 2 ] && grep -aq '/Linearized' lincert.pdf && pass || fail "qpdf did not write a linearized file"
sign_full_save lincert.pdf || fail "openssl could not sign the linearized file"
expect_exit 0 "the linearized certified document passes" -- verify_json lincert.pdf
expect_json '.signatures[0].indication == "TOTAL_PASSED" and .signatures[0].modification == "none"' "TOTAL_PASSED, nothing changed"
expect_json '.signatures[0].covers == ["the whole document"]' "it covers the whole document"
if have pdfsig; then
    pdfsig lincert.pdf 2>&1 | grep -q 'Signature is Valid' && pass || fail "pdfsig does not find the signature valid"
fi
# test_pades_linearized_certified_document_then_approved: a later incremental update names the
# first-page section by /Prev; both signatures pass, and qpdf reads the result
expect_exit 0 "sign the linearized certified document again" -- "$SIGN" -q -k "$PKI/oces3/employee.p12" --pass-file "$PASS" -o lincert2.pdf lincert.pdf
expect_exit 0 "qpdf reads it" -- qpdf --check lincert2.pdf
expect_exit 0 "both pass" -- verify_json lincert2.pdf
expect_json '(.signatures | length) == 2 and all(.signatures[]; .indication == "TOTAL_PASSED")' "two passing signatures"
# test_pades_linearized_then_signed_by_increment
qpdf --linearize contract.pdf lin.pdf
expect_exit 0 "sign a linearized PDF" -- sign -o lin.signed.pdf lin.pdf
expect_exit 0 "qpdf reads the update" -- qpdf --check lin.signed.pdf
expect_exit 0 "its signature passes" -- verify_json lin.signed.pdf
expect_json '.signatures[0].indication == "TOTAL_PASSED" and .signatures[0].modification == "none"' "TOTAL_PASSED"

# test_pades_object_streams_in_every_revision: an object-stream document signed twice
qpdf --object-streams=generate contract.pdf objstm.pdf
sign -o objstm1.pdf objstm.pdf
expect_exit 0 "sign the object-stream document twice" -- "$SIGN" -q -k "$PKI/oces3/employee.p12" --pass-file "$PASS" -o objstm2.pdf objstm1.pdf
expect_exit 0 "both pass" -- verify_json objstm2.pdf
expect_json '(.signatures | length) == 2 and all(.signatures[]; .indication == "TOTAL_PASSED")' "two passing signatures"

# ---------------------------------------------------------------- damaged cross-reference data

# test_pades_damaged_xref_inside_the_signed_range_is_repaired_with_a_warning: the signer signed
# a file whose table points one object elsewhere; what the signature covers is those bytes
o5=$(grep -abo '^5 0 obj' contract.pdf | head -1 | cut -d: -f1)
line=$(grep -an "^$(printf '%010d' "$o5") 00000 n" contract.pdf | head -1 | cut -d: -f1)
sed "${line}s/^$(printf '%010d' "$o5")/$(printf '%010d' $((o5 + 3)))/" contract.pdf >damaged.pdf
cmp -s contract.pdf damaged.pdf && fail "the test file was not damaged" || pass
expect_exit 2 "an unsigned damaged PDF is read (no signature), not refused" -- verify_json damaged.pdf
expect_exit 3 "segl-sign refuses to update a damaged PDF" -- sign -o damaged.signed.pdf damaged.pdf
expect_one_line_error "one clear line" 'damaged'
[ ! -e damaged.signed.pdf ] && pass || fail "an output was left for a damaged PDF"
sign_revision damaged.pdf damaged-signed.pdf "${SIGNER[@]}" "" ""
sign_revision contract.pdf intact-signed.pdf "${SIGNER[@]}" "" ""
verify_json intact-signed.pdf >control.json
control_exit=$?
expect_exit "$control_exit" "a signature over the damaged table gets the intact file's verdict" -- verify_json damaged-signed.pdf
jq -e --slurpfile c control.json '.signatures[0].indication == $c[0].signatures[0].indication' out.txt >/dev/null && pass ||
    fail "the repaired file's verdict differs: $(head -c 400 out.txt)"
expect_json '.signatures[0].warnings | any(test("cross-reference data is damaged"))' "the repair is said"

# test_pades_damaged_xref_after_the_signature_never_passes: a later revision changes the page's
# content and its table is garbage, so only a repairing reader shows it; segl rebuilds, sees the
# change, and the signature cannot pass
sign -o base.pdf contract.pdf
append_revision base.pdf hidden.pdf 5 $'<< /Length 44 >>\nstream\nBT /F1 24 Tf 72 700 Td (Betalt: 0 kr) Tj ET\nendstream'
xref=$(last_startxref hidden.pdf)
python3 - hidden.pdf "$xref" <<'EOF'
import sys
path, at = sys.argv[1], int(sys.argv[2])
data = bytearray(open(path, 'rb').read())
data[at + 5:at + 12] = b'garbage'          # "xref\n5 1\n..." loses its subsection header
open(path, 'wb').write(bytes(data))
EOF
verify_json hidden.pdf >out.txt 2>err.txt
got=$?
[ "$got" -ne 0 ] && [ "$got" -ne 3 ] && pass || fail "a hidden change behind a damaged table: exit $got, wanted a verdict other than pass"
expect_json '.signatures[0].indication != "TOTAL_PASSED"' "not TOTAL_PASSED"
expect_json '.signatures[0].warnings | any(test("cross-reference data is damaged"))' "the repair is said"
expect_json '.signatures[0].errors | any(test("damaged cross-reference data is after this signature"))' "why it cannot pass"

# test_pades_not_a_pdf_is_exit_3 (only a file that is not a PDF at all)
head -c 4000 /dev/urandom >noise.pdf
expect_exit 3 "random bytes are not a PDF" -- verify_json noise.pdf
printf '%%PDF-1.7\n%%%%EOF\n' >empty.pdf
expect_exit 3 "a header and nothing else is not a PDF" -- verify_json empty.pdf

# ---------------------------------------------------------------- document timestamp only

# test_pades_document_timestamp_only_is_a_timestamp_entry
timestamp_revision contract.pdf ts.pdf || fail "could not make the timestamp-only PDF"
expect_exit 0 "a PDF with only a document timestamp passes" -- verify_json ts.pdf
expect_json '(.signatures | length) == 1 and .signatures[0].kind == "timestamp" and .signatures[0].indication == "TOTAL_PASSED"' \
    "one entry of kind timestamp, TOTAL_PASSED"
expect_json '.signatures[0].signing_time == "2026-06-01T12:00:00Z" and (.signatures[0].signer.subject | test("CN=Test Tidsstempel")) and (.signatures[0].id | test("^S-[0-9A-F]{16}$"))' \
    "the TSA's time, the TSA as its signer, an id from the token's signature value"
expect_json '.signatures[0].covers == ["the whole document"]' "it covers the whole document"
# test_pades_signature_entries_are_of_kind_signature
expect_exit 0 "a signed PDF" -- verify_json signed.pdf
expect_json '.signatures[0].kind == "signature"' "a signature is of kind signature"
# test_pades_document_timestamp_only_tampered_fails
cp ts.pdf ts-tampered.pdf
at=$(grep -abo 'Kontrakt' ts-tampered.pdf | head -1 | cut -d: -f1)
printf 'k' | dd of=ts-tampered.pdf bs=1 seek="$at" conv=notrunc status=none
expect_exit 1 "a changed byte under the timestamp" -- verify_json ts-tampered.pdf
expect_json '.signatures[0].kind == "timestamp" and .signatures[0].indication == "TOTAL_FAILED" and .signatures[0].subindication == "HASH_FAILURE"' \
    "TOTAL_FAILED/HASH_FAILURE"
# test_pades_document_timestamp_only_untrusted_tsa_is_indeterminate
expect_exit 2 "the TSA does not chain to the trust given" -- "$VERIFY" --json --at "$AT" --trust "$PKI/trust/oces2-root.pem" ts.pdf
expect_json '.signatures[0].indication == "INDETERMINATE" and .signatures[0].subindication == "NO_CERTIFICATE_CHAIN_FOUND"' \
    "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND"
# a signature after the timestamp: the timestamp is no longer reported on its own
expect_exit 0 "sign the timestamped PDF" -- sign -o ts-signed.pdf ts.pdf
expect_exit 0 "validate it" -- verify_json ts-signed.pdf
expect_json '[.signatures[].kind] == ["signature"]' "only the signature is an entry"

finish
