#!/usr/bin/env bash
# PAdES B-T, B-LT and B-LTA (EN 319 142-1 6.3) and extending, against the test servers
# (tests/servers: a TSA whose clock says 2026-06-01T12:00:00Z, OCSP responders, CRLs).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$SEGL_SOURCE/testdata/pades/pdflib.sh"
cp "$DOCS/contract.pdf" .
key() { echo "$PKI/oces3/$1.p12"; }
signed() { # signed WHO LEVEL OUT [options...]
    local who=$1 level=$2 out=$3
    shift 3
    "$SIGN" -q -k "$(key "$who")" --pass-file "$PASS" -l "$level" --tsa "$TSA" \
        --signing-time 2026-06-01T11:59:00Z -o "$out" "$@" contract.pdf
}
AFTER=2026-06-02T00:00:00Z        # a day after the TSA's time
LATER=2027-06-01T00:00:00Z        # after oces3/shortlived expired (2026-09-01)
size=$(stat -c %s contract.pdf)

# test_pades_bt_has_a_signature_timestamp
expect_exit 0 "sign PAdES B-T" -- signed person B-T bt.pdf
cmp -s -n "$size" contract.pdf bt.pdf && pass || fail "B-T: the original is not a prefix"
expect_exit 0 "verify B-T" -- verify_json --at "$AFTER" bt.pdf
expect_json '.signatures[0].level == "PAdES-BASELINE-T" and .signatures[0].indication == "TOTAL_PASSED"' "B-T level"
expect_json '.signatures[0].timestamps == [{"type":"signature","time":"2026-06-01T12:00:00Z","tsa":"/CN=Test Tidsstempel/O=Den Danske Stat/C=DK","valid":true,"error":null}]' "B-T signature timestamp reported"
expect_json '.signatures[0].modification == "none" and .signatures[0].modification_details == []' "B-T: nothing changed after signing"
expect_json '.signatures[0].covers == ["the whole document"]' "B-T covers the whole document"

# test_pades_blt_carries_a_dss
expect_exit 0 "sign PAdES B-LT" -- signed shortlived B-LT lt.pdf
cmp -s -n "$size" contract.pdf lt.pdf && pass || fail "B-LT: the original is not a prefix"
grep -aq '/Type /DSS' lt.pdf && pass || fail "B-LT: no DSS dictionary"
for entry in /Certs /OCSPs /CRLs /VRI; do
    grep -aq "$entry \[\|$entry <<" lt.pdf && pass || fail "B-LT: DSS has no $entry"
done
# the VRI key is the uppercase SHA-1 of the signature's /Contents bytes
hex=$(grep -ao '/Contents <[0-9A-F]*>' lt.pdf | head -1 | sed 's|/Contents <\(.*\)>|\1|')
vri=$(printf '%s' "$hex" | xxd -r -p | sha1sum | cut -c1-40 | tr a-f A-F)
grep -aq "/$vri << /Type /VRI" lt.pdf && pass || fail "B-LT: no /VRI entry keyed $vri"
expect_exit 0 "B-LT validates offline, requiring revocation data" -- verify_json --offline --revocation require --at "$AFTER" lt.pdf
expect_json '.signatures[0].level == "PAdES-BASELINE-LT" and .signatures[0].indication == "TOTAL_PASSED"' "B-LT level"
expect_json '.signatures[0].modification == "allowed" and (.signatures[0].modification_details | any(test("DSS")))' "the DSS revision is an allowed change"
expect_exit 0 "B-LT after the signer's certificate expired" -- verify_json --offline --revocation require --at "$LATER" lt.pdf
expect_json '.signatures[0].indication == "TOTAL_PASSED" and .signatures[0].level == "PAdES-BASELINE-LT" and (.signatures[0].warnings | any(test("expired since")))' "expired after the timestamp still passes"
"$SIGN" -q -k "$(key shortlived)" --pass-file "$PASS" --signing-time 2026-06-01T11:59:00Z -o short-b.pdf contract.pdf
expect_exit 2 "B-B after the signer's certificate expired" -- verify_json --offline --at "$LATER" short-b.pdf
expect_json '.signatures[0].subindication == "OUT_OF_BOUNDS_NO_POE"' "B-B: no proof of existence"
expect_exit 0 "qpdf --check B-LT" -- qpdf --check lt.pdf

# test_pades_blta_adds_a_document_timestamp
expect_exit 0 "sign PAdES B-LTA" -- signed person B-LTA lta.pdf
grep -aq '/Type /DocTimeStamp' lta.pdf && grep -aq '/SubFilter /ETSI.RFC3161' lta.pdf && pass || fail "B-LTA: no document timestamp"
expect_exit 0 "verify B-LTA" -- verify_json --offline --revocation require --at "$LATER" lta.pdf
expect_json '(.signatures | length) == 1 and .signatures[0].level == "PAdES-BASELINE-LTA" and .signatures[0].indication == "TOTAL_PASSED"' "B-LTA level"
expect_json '[.signatures[0].timestamps[] | [.type, .valid]] == [["signature", true], ["archive", true]]' "signature and archive timestamps reported"
expect_json '.signatures[0].modification == "allowed" and (.signatures[0].modification_details | any(test("document timestamp added")))' "the document timestamp is an allowed change"
expect_exit 0 "qpdf --check B-LTA" -- qpdf --check lta.pdf

# test_pades_tampered_document_timestamp_is_not_used
cp lta.pdf lta-bad.pdf
at=$(grep -abo '/Type /DocTimeStamp' lta-bad.pdf | tail -1 | cut -d: -f1)
at=$(grep -abo '/Contents <' lta-bad.pdf | awk -F: -v a="$at" '$1 > a {print $1; exit}')
printf 'FF' | dd of=lta-bad.pdf bs=1 seek=$((at + 200)) conv=notrunc status=none
expect_exit 0 "a broken document timestamp" -- verify_json --at "$AFTER" lta-bad.pdf
expect_json '.signatures[0].level == "PAdES-BASELINE-LT" and (.signatures[0].timestamps | map(select(.type == "archive")) | .[0].valid == false)' "broken document timestamp reported invalid, not counted"

# test_pades_tsa_down_leaves_nothing
expect_exit 3 "TSA down" -- "$SIGN" -q -k "$(key person)" --pass-file "$PASS" -l B-T --tsa "$DEAD" -o down.pdf contract.pdf
expect_one_line_error "TSA down" 'timestamp authority http://127.0.0.1:9/tsa'
[ ! -e down.pdf ] && pass || fail "a failed B-T left an output file"
expect_exit 3 "TSA down for B-LTA" -- "$SIGN" -q -k "$(key person)" --pass-file "$PASS" -l B-LTA --tsa "$DEAD" -o down-lta.pdf contract.pdf
[ ! -e down-lta.pdf ] && pass || fail "a failed B-LTA left an output file"
expect_exit 3 "B-LT for a revoked signer is refused" -- signed revoked B-LT revoked-lt.pdf
[ ! -e revoked-lt.pdf ] && pass || fail "refused B-LT left an output"

# test_pades_extend_bb_to_blt
EXTEND=$SEGL_BIN/segl-extend
expect_exit 0 "segl-extend -l B-LT a B-B PDF" -- "$EXTEND" -q -l B-LT --tsa "$TSA" -o ext-lt.pdf short-b.pdf
cmp -s -n "$(stat -c %s short-b.pdf)" short-b.pdf ext-lt.pdf && pass || fail "extend: the original is not a prefix"
expect_exit 0 "the extended B-LT validates offline after expiry" -- verify_json --offline --revocation require --at "$LATER" ext-lt.pdf
expect_json '.signatures[0].level == "PAdES-BASELINE-LT" and .signatures[0].indication == "TOTAL_PASSED"' "extended to B-LT"
expect_json '[.signatures[0].timestamps[].type] == ["archive"] and .signatures[0].modification == "allowed"' "B-T reached by a document timestamp"
expect_exit 0 "qpdf --check the extended PDF" -- qpdf --check ext-lt.pdf
expect_exit 0 "segl-extend -l B-LTA the B-LT PDF" -- "$EXTEND" -q -l B-LTA --tsa "$TSA" -o ext-lta.pdf ext-lt.pdf
cmp -s -n "$(stat -c %s ext-lt.pdf)" ext-lt.pdf ext-lta.pdf && pass || fail "extend B-LTA: the original is not a prefix"
expect_exit 0 "the extended B-LTA validates" -- verify_json --offline --revocation require --at "$LATER" ext-lta.pdf
expect_json '.signatures[0].level == "PAdES-BASELINE-LTA"' "extended to B-LTA"
expect_exit 0 "segl-extend -l B-T a B-T PDF adds nothing" -- "$EXTEND" -q -l B-T --tsa "$TSA" -o same.pdf bt.pdf
cmp -s bt.pdf same.pdf && pass || fail "extending a B-T PDF to B-T changed it"
expect_exit 3 "segl-extend with the TSA down" -- "$EXTEND" -q -l B-LT --tsa "$DEAD" -o ext-down.pdf short-b.pdf
[ ! -e ext-down.pdf ] && pass || fail "a failed extend left an output file"
expect_exit 3 "segl-extend an unsigned PDF" -- "$EXTEND" -q -l B-T --tsa "$TSA" -o unsigned-ext.pdf contract.pdf

# test_pades_extend_other_software: a signature made by `openssl cms` (adbe.pkcs7.detached)
sign_revision contract.pdf other.pdf "$PKI/oces3/person.pem" "$PKI/oces3/person.key.pem" "$PKI/oces3/chain.pem" "" ""
expect_exit 0 "segl-extend -l B-LTA a PDF signed by other software" -- "$EXTEND" -q -l B-LTA --tsa "$TSA" -o other-lta.pdf other.pdf
cmp -s -n "$(stat -c %s other.pdf)" other.pdf other-lta.pdf && pass || fail "extend other: the original is not a prefix"
verify_json --offline --revocation require --at "$LATER" other-lta.pdf >out.txt 2>/dev/null
expect_json '.signatures[0].indication == "TOTAL_PASSED" and (.signatures[0].timestamps | length) == 2 and .signatures[0].modification == "allowed"' "other software's signature extended, still intact"

finish
