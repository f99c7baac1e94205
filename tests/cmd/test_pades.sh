#!/usr/bin/env bash
# PAdES signing and validation: incremental update, B-B level, several signatures, refusals.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cp "$DOCS/contract.pdf" .
size=$(stat -c %s contract.pdf)
sign() { "$SIGN" -q -k "$PKI/oces3/$1.p12" --pass-file "$PASS" "${@:2}"; }

# test_pades_signs_by_incremental_update
expect_exit 0 "sign a PDF" -- sign person contract.pdf
[ -f contract.pdf.signed.pdf ] && pass || fail "output is not named INPUT.signed.pdf"
cmp -s -n "$size" contract.pdf contract.pdf.signed.pdf && pass || fail "the original is not an exact prefix of the output"
grep -aq '/SubFilter /ETSI.CAdES.detached' contract.pdf.signed.pdf && pass || fail "SubFilter is not ETSI.CAdES.detached"
expect_exit 0 "validate segl's PAdES signature" -- verify_json contract.pdf.signed.pdf
expect_json '.format == "pades" and .indication == "TOTAL_PASSED" and (.signatures | length) == 1' "one passing signature"
expect_json '.signatures[0].level == "PAdES-BASELINE-B" and .signatures[0].signer.oces.kind == "person"' "B-B level, OCES person"

# test_pades_every_key_kind
for who in employee ec pss; do
    expect_exit 0 "sign with $who" -- sign "$who" -o "$who.pdf" contract.pdf
    expect_exit 0 "validate the $who signature" -- verify_json "$who.pdf"
    expect_json '.signatures[0].level == "PAdES-BASELINE-B"' "$who: B-B"
done
expect_exit 0 "sign with sha512" -- sign person --digest sha512 -o sha512.pdf contract.pdf
expect_exit 0 "validate sha512" -- verify_json sha512.pdf

# test_pades_second_signature_keeps_the_first_valid
expect_exit 0 "sign a signed PDF" -- sign employee -o twice.pdf contract.pdf.signed.pdf
cmp -s -n "$(stat -c %s contract.pdf.signed.pdf)" contract.pdf.signed.pdf twice.pdf && pass || fail "second signature is not an incremental update"
expect_exit 0 "validate both signatures" -- verify_json twice.pdf
expect_json '(.signatures | length) == 2 and all(.signatures[]; .indication == "TOTAL_PASSED")' "both signatures pass"
expect_json '[.signatures[].signer.oces.kind] | sort == ["employee","person"]' "both signers reported"
# test_pades_modification_report: the first signature saw a signature added, the second nothing
expect_json '[.signatures[].modification] | sort == ["allowed","none"]' "modification none/allowed"
expect_json '.signatures[] | select(.modification == "allowed") | .modification_details | any(test("signature added"))' "the later signature is named as the change"

# test_pades_xref_stream_document: the update is written as a cross-reference stream
qpdf --object-streams=generate contract.pdf objstm.pdf
expect_exit 0 "sign a PDF with object and xref streams" -- sign person -o objstm.signed.pdf objstm.pdf
tail -c 400 objstm.signed.pdf | grep -aq '/Type /XRef' && pass || fail "no xref stream written for an xref-stream document"
expect_exit 0 "validate the xref-stream document" -- verify_json objstm.signed.pdf
expect_exit 0 "qpdf --check the xref-stream document" -- qpdf --check objstm.signed.pdf

# test_pades_unsigned_pdf_has_no_signatures
expect_exit 2 "unsigned PDF" -- verify_json contract.pdf
expect_json '.format == "pades" and (.signatures | length) == 0' "no signatures reported"

# test_pades_tampered_byte_fails
cp contract.pdf.signed.pdf tampered.pdf
at=$(grep -abo 'Kontrakt' tampered.pdf | head -1 | cut -d: -f1)
printf 'k' | dd of=tampered.pdf bs=1 seek="$at" conv=notrunc status=none
expect_exit 1 "a changed byte in the signed range" -- verify_json tampered.pdf
expect_json '.signatures[0].subindication == "HASH_FAILURE"' "HASH_FAILURE"

# test_pades_refuses_encrypted_pdf
qpdf --encrypt user owner 256 -- contract.pdf encrypted.pdf
expect_exit 3 "encrypted PDF is refused" -- sign person -o encrypted.signed.pdf encrypted.pdf
expect_one_line_error "clear error for encrypted PDF" 'encrypted'
[ ! -e encrypted.signed.pdf ] && pass || fail "an output was left for an encrypted PDF"
expect_exit 3 "validating an encrypted PDF is an error" -- verify_json encrypted.pdf

# test_pades_large_pdf_streams (20 MiB of padding in a comment-free stream object)
printf '%%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>\nendobj\n4 0 obj\n<< /Length 20971520 >>\nstream\n' >big.pdf
head -c 20971520 /dev/zero >>big.pdf
printf '\nendstream\nendobj\n' >>big.pdf
o1=$(grep -abo '^1 0 obj' big.pdf | head -1 | cut -d: -f1); o2=$(grep -abo '^2 0 obj' big.pdf | head -1 | cut -d: -f1)
o3=$(grep -abo '^3 0 obj' big.pdf | head -1 | cut -d: -f1); o4=$(grep -abo '^4 0 obj' big.pdf | head -1 | cut -d: -f1)
x=$(stat -c %s big.pdf)
printf 'xref\n0 5\n0000000000 65535 f\r\n%010d 00000 n\r\n%010d 00000 n\r\n%010d 00000 n\r\n%010d 00000 n\r\ntrailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n' "$o1" "$o2" "$o3" "$o4" "$x" >>big.pdf
expect_exit 0 "sign a 20 MiB PDF" -- sign person -o big.signed.pdf big.pdf
expect_exit 0 "validate a 20 MiB PDF" -- verify_json big.signed.pdf

# test_pades_visible_signature_with_reason_location_contact
expect_exit 0 "visible signature on page 1" -- sign person --visible 1,50,50,220,60 --reason "Godkendt af Søren – ok" \
    --location København --contact soren@example.dk -o visible.pdf contract.pdf
grep -aq '/AP << /N' visible.pdf && grep -aq '/Rect \[50.00 50.00 270.00 110.00\]' visible.pdf && pass || fail "no widget with /Rect and /AP"
# (the appearance itself, its font, text and picture: test_appearance.sh)
# /Reason as UTF-16BE (it has non-ASCII), /Location too, /ContactInfo ASCII
reason_hex=$({ printf '\xfe\xff'; printf 'Godkendt af Søren – ok' | iconv -f UTF-8 -t UTF-16BE; } | xxd -p | tr -d '\n' | tr a-f A-F)
grep -aq "/Reason <$reason_hex>" visible.pdf && pass || fail "/Reason not written as UTF-16BE"
grep -aq '/Location <FEFF' visible.pdf && grep -aq "/ContactInfo <$(printf 'soren@example.dk' | xxd -p | tr a-f A-F)>" visible.pdf && pass || fail "/Location or /ContactInfo missing"
expect_exit 0 "validate the visible signature" -- verify_json visible.pdf
expect_json '.signatures[0].indication == "TOTAL_PASSED" and .signatures[0].modification == "none"' "visible signature passes"
expect_exit 3 "--visible on a page that does not exist" -- sign person --visible 9,50,50,200,50 -o nopage.pdf contract.pdf
expect_one_line_error "missing page named" 'no page 9'
[ ! -e nopage.pdf ] && pass || fail "an output was left for a missing page"

# test_pades_rejects_wrong_packaging
expect_exit 3 "detached packaging is not PAdES" -- sign person --format pades --packaging detached -o x.pdf contract.pdf

finish
