#!/usr/bin/env bash
# Timestamps, revocation and the long-term levels, against the test servers (tests/servers: a TSA
# whose clock says 2026-06-01T12:00:00Z, OCSP responders, CRLs over HTTP, all on 127.0.0.1).
. "$(dirname "$0")/lib.sh"
cp "$DOCS/letter.txt" .
key() { echo "$PKI/oces3/$1.p12"; }
signed() { # signed WHO LEVEL OUT [options...]
    local who=$1 level=$2 out=$3
    shift 3
    "$SIGN" -q -k "$(key "$who")" --pass-file "$PASS" -l "$level" --tsa "$TSA" \
        --signing-time 2026-06-01T11:59:00Z -o "$out" "$@" letter.txt
}
AFTER=2026-06-02T00:00:00Z        # a day after the TSA's time
LATER=2027-06-01T00:00:00Z        # after oces3/shortlived expired (2026-09-01)

# B-T: a signature timestamp, reported with its time and TSA
expect_exit 0 "sign B-T" -- signed person B-T bt.p7s
expect_exit 0 "verify B-T" -- verify_json --at "$AFTER" --content letter.txt bt.p7s
expect_json '.signatures[0].level == "CAdES-BASELINE-T" and .signatures[0].indication == "TOTAL_PASSED"' "B-T level"
expect_json '.signatures[0].timestamps == [{"type":"signature","time":"2026-06-01T12:00:00Z","tsa":"/CN=Test Tidsstempel/O=Den Danske Stat/C=DK","valid":true,"error":null}]' "B-T timestamp reported"
# openssl sees the attribute and accepts the token
openssl cms -cmsout -print -inform DER -in bt.p7s | grep -q 'id-smime-aa-timeStampToken' && pass || fail "openssl cms -print does not show the timestamp attribute"
# Extract the token and the signature value it covers; `openssl ts -verify` must accept the pair.
openssl asn1parse -inform DER -in bt.p7s >asn1.txt
token_at=$(grep -A2 ':id-smime-aa-timeStampToken' asn1.txt | awk -F: '/SEQUENCE/ {print $1; exit}' | tr -d ' ')
value_at=$(grep -B3 ':id-smime-aa-timeStampToken' asn1.txt | awk -F: '/OCTET STRING/ {print $1; exit}' | tr -d ' ')
token_len=$(grep -A2 ':id-smime-aa-timeStampToken' asn1.txt | grep -m1 'cons: SEQUENCE' | sed -n 's/.*hl= *\([0-9]*\) l= *\([0-9]*\).*/\1 \2/p')
tail -c +"$((token_at + 1))" bt.p7s | head -c "$((${token_len% *} + ${token_len#* }))" >token.der
value_line=$(grep -B3 ':id-smime-aa-timeStampToken' asn1.txt | grep -m1 'prim: OCTET STRING')
value_header=$(sed -n 's/.*hl= *\([0-9]*\).*/\1/p' <<<"$value_line")
value_len=$(sed -n 's/.*l= *\([0-9]*\) prim.*/\1/p' <<<"$value_line")
# the signature value's content octets: the element at value_at, less its header
tail -c +"$((value_at + 1))" bt.p7s | head -c "$((value_header + value_len))" | tail -c "$value_len" >sigvalue.bin
expect_exit 0 "openssl ts -verify accepts the token over the signature value" -- \
    openssl ts -verify -data sigvalue.bin -in token.der -token_in -CAfile "$PKI/trust/oces3-root.pem" -untrusted "$PKI/oces3/chain.pem"
printf 'x' >>sigvalue.bin
expect_exit 1 "openssl ts -verify refuses the token for other data" -- \
    openssl ts -verify -data sigvalue.bin -in token.der -token_in -CAfile "$PKI/trust/oces3-root.pem" -untrusted "$PKI/oces3/chain.pem"

# TSA unreachable or broken: no output file, clear error
expect_exit 3 "B-T without --tsa" -- "$SIGN" -q -k "$(key person)" --pass-file "$PASS" -l B-T -o nots.p7s letter.txt
expect_one_line_error "B-T without --tsa" 'needs a timestamp authority'
expect_exit 3 "TSA down" -- "$SIGN" -q -k "$(key person)" --pass-file "$PASS" -l B-T --tsa "$DEAD" -o down.p7s letter.txt
expect_one_line_error "TSA down" 'timestamp authority http://127.0.0.1:9/tsa'
[ ! -e down.p7s ] && [ ! -e nots.p7s ] && pass || fail "a failed B-T left an output file"
# A TSA that accepts the connection and never answers: --timeout bounds the wait
(exec 0</dev/null; socat TCP-LISTEN:$((PORT + 3)),bind=127.0.0.1,reuseaddr SYSTEM:'sleep 30' >/dev/null 2>&1 &
 echo $! >silent.pid)
sleep 0.3
start=$(date +%s)
expect_exit 3 "TSA that never answers, --timeout 2" -- "$SIGN" -q -k "$(key person)" --pass-file "$PASS" -l B-T --tsa "http://127.0.0.1:$((PORT + 3))/tsa" --timeout 2 -o silent.p7s letter.txt
[ $(( $(date +%s) - start )) -le 10 ] && pass || fail "--timeout 2 did not bound the wait"
expect_one_line_error "TSA timeout" 'timestamp authority .*[Tt]imeout'
kill "$(cat silent.pid)" 2>/dev/null
expect_exit 3 "TSA answers garbage" -- "$SIGN" -q -k "$(key person)" --pass-file "$PASS" -l B-T --tsa "http://127.0.0.1:$PORT/tsa-broken" -o broken.p7s letter.txt
expect_one_line_error "TSA garbage" 'not a timestamp response'

# Revocation: the revoked signer (revoked 2025-06-01, before the timestamp) is TOTAL_FAILED/REVOKED
# with a timestamp, INDETERMINATE/REVOKED_NO_POE without
signed revoked B-T revoked-t.p7s
expect_exit 1 "revoked signer, timestamp after the revocation" -- verify_json --at "$AFTER" --content letter.txt revoked-t.p7s
expect_json '.signatures[0].indication == "TOTAL_FAILED" and .signatures[0].subindication == "REVOKED"' "REVOKED"
"$SIGN" -q -k "$(key revoked)" --pass-file "$PASS" -o revoked-b.p7s letter.txt
expect_exit 2 "revoked signer, no proof of existence" -- verify_json --at "$AFTER" --content letter.txt revoked-b.p7s
expect_json '.signatures[0].subindication == "REVOKED_NO_POE"' "REVOKED_NO_POE"
expect_json '.signatures[0].errors | any(test("OCSP http://127.0.0.1"))' "the answer came from the OCSP responder"
expect_exit 0 "--revocation off ignores revocation" -- verify_json --revocation off --at "$AFTER" --content letter.txt revoked-b.p7s

# Policies when no status can be had (offline, nothing embedded)
expect_exit 0 "soft: unknown status is a warning" -- verify_json --offline --at "$AFTER" --content letter.txt bt.p7s
expect_json '.signatures[0].indication == "TOTAL_PASSED" and (.signatures[0].warnings | any(startswith("revocation status unknown")))' "soft warning"
expect_exit 2 "require: unknown status is TRY_LATER" -- verify_json --offline --revocation require --at "$AFTER" --content letter.txt bt.p7s
expect_json '.signatures[0].indication == "INDETERMINATE" and .signatures[0].subindication == "TRY_LATER"' "TRY_LATER"
expect_exit 0 "require: online answers satisfy it" -- verify_json --revocation require --at "$AFTER" --content letter.txt bt.p7s
expect_exit 3 "bad --revocation" -- "$VERIFY" --revocation sometimes bt.p7s

# B-LT: certificates and CRLs inside; validates offline, even after the signer's certificate expired
expect_exit 0 "sign B-LT" -- signed shortlived B-LT lt.p7s
[ "$(openssl cms -cmsout -print -inform DER -in lt.p7s | grep -c 'lastUpdate')" -ge 2 ] && pass || fail "B-LT carries no CRLs"
expect_exit 0 "B-LT validates offline, requiring revocation data" -- verify_json --offline --revocation require --at "$AFTER" --content letter.txt lt.p7s
expect_json '.signatures[0].level == "CAdES-BASELINE-LT"' "B-LT level"
expect_exit 0 "B-LT after the signer's certificate expired" -- verify_json --offline --revocation require --at "$LATER" --content letter.txt lt.p7s
expect_json '.signatures[0].indication == "TOTAL_PASSED" and (.signatures[0].warnings | any(test("expired since")))' "expired after the timestamp still passes"
signed shortlived B-B short-b.p7s 2>/dev/null || "$SIGN" -q -k "$(key shortlived)" --pass-file "$PASS" -o short-b.p7s letter.txt
expect_exit 2 "B-B after the signer's certificate expired" -- verify_json --offline --at "$LATER" --content letter.txt short-b.p7s
expect_json '.signatures[0].subindication == "OUT_OF_BOUNDS_NO_POE"' "no proof of existence"
expect_exit 1 "B-LT with changed content" -- verify_json --offline --at "$LATER" --content "$DOCS/taxform.xml" lt.p7s
expect_exit 0 "openssl cms -verify accepts B-LT" -- openssl cms -verify -binary -inform DER -in lt.p7s -content letter.txt -CAfile "$PKI/trust/oces3-root.pem" -attime "$AT_EPOCH" -purpose any -out /dev/null
expect_exit 3 "B-LT for a revoked signer is refused" -- signed revoked B-LT revoked-lt.p7s
[ ! -e revoked-lt.p7s ] && pass || fail "refused B-LT left an output"

# B-LTA (EN 319 122-1 5.5.3): an archive-time-stamp-v3 over the signature, its B-LT data and the
# content, whose token names what it covers in an ats-hash-index-v3
expect_exit 0 "sign B-LTA" -- signed shortlived B-LTA lta.p7s
expect_exit 0 "B-LTA validates offline after the signer's certificate expired" -- verify_json --offline --revocation require --at "$LATER" --content letter.txt lta.p7s
expect_json '.signatures[0].indication == "TOTAL_PASSED" and .signatures[0].level == "CAdES-BASELINE-LTA"' "B-LTA level"
expect_json '[.signatures[0].timestamps[] | {type, valid}] == [{"type":"signature","valid":true},{"type":"archive","valid":true}]' "a signature and an archive timestamp"
cp lta.p7s letter.txt.p7s
expect_exit 0 "B-LTA finds its detached content next to it" -- verify_json --offline --at "$AFTER" letter.txt.p7s
expect_json '.signatures[0].level == "CAdES-BASELINE-LTA"' "B-LTA with the default content"
expect_exit 0 "openssl cms -verify accepts B-LTA" -- openssl cms -verify -binary -inform DER -in lta.p7s -content letter.txt -CAfile "$PKI/trust/oces3-root.pem" -attime "$AT_EPOCH" -purpose any -out /dev/null
openssl cms -cmsout -print -inform DER -in lta.p7s >print.txt
grep -q '0\.4\.0\.1733\.2\.4' print.txt && pass || fail "openssl cms -print does not show the archive-time-stamp-v3 attribute"
expect_exit 0 "enveloping B-LTA" -- signed person B-LTA lta.p7m --packaging enveloping
expect_exit 0 "verify enveloping B-LTA" -- verify_json --offline --revocation require --at "$AFTER" lta.p7m
expect_json '.signatures[0].level == "CAdES-BASELINE-LTA" and .signatures[0].indication == "TOTAL_PASSED"' "enveloping B-LTA level"
expect_exit 1 "B-LTA with changed content" -- verify_json --offline --at "$AFTER" --content "$DOCS/taxform.xml" lta.p7s
expect_json '.signatures[0].level != "CAdES-BASELINE-LTA" and any(.signatures[0].timestamps[]; .type == "archive" and .valid == false)' "changed content breaks the archive timestamp"

# flip_last_byte FILE N: changes the last byte of the last element of SignedData's [N]
# (0: certificates, 1: crls), inside its signature value, so that the file still parses.
flip_last_byte() {
    local line offset header length at byte
    line=$(openssl asn1parse -inform DER -in "$1" | awk -v set="cont [ $2 ]" '
        /:d=3 / { inside = index($0, set) > 0; next }
        inside && /:d=4 / { last = $0 }
        END { print last }')
    offset=$(tr -d ' ' <<<"${line%%:*}")
    header=$(sed -n 's/.*hl= *\([0-9]*\).*/\1/p' <<<"$line")
    length=$(sed -n 's/.* l= *\([0-9]*\).*/\1/p' <<<"$line")
    at=$((offset + header + length - 1))
    byte=$(od -An -tu1 -j "$at" -N1 "$1" | tr -d ' ')
    printf "$(printf '\\%03o' $((byte ^ 1)))" | dd of="$1" bs=1 seek="$at" conv=notrunc 2>/dev/null
}
cp lta.p7s lta-cert.p7s
flip_last_byte lta-cert.p7s 0
cmp -s lta.p7s lta-cert.p7s && fail "the certificate was not changed" || pass
verify_json --offline --revocation require --at "$LATER" --content letter.txt lta-cert.p7s >out.txt 2>err.txt
expect_json '.signatures[0].level != "CAdES-BASELINE-LTA" and any(.signatures[0].timestamps[]; .type == "archive" and .valid == false and (.error | test("certificate")))' "a changed certificate breaks the archive timestamp"
cp lta.p7s lta-crl.p7s
flip_last_byte lta-crl.p7s 1
cmp -s lta.p7s lta-crl.p7s && fail "the CRL was not changed" || pass
verify_json --offline --revocation require --at "$LATER" --content letter.txt lta-crl.p7s >out.txt 2>err.txt
expect_json '.signatures[0].level != "CAdES-BASELINE-LTA" and any(.signatures[0].timestamps[]; .type == "archive" and .valid == false and (.error | test("CRL")))' "a changed CRL breaks the archive timestamp"

# segl-extend: a B-B signature (ours, then one openssl made) to B-T and B-LT; the input unchanged
"$SIGN" -q -k "$(key shortlived)" --pass-file "$PASS" --signing-time 2026-06-01T11:00:00Z -o b.p7s letter.txt
before=$(sha256sum b.p7s)
EXTEND=$SEGL_BIN/segl-extend
expect_exit 0 "extend B-B to B-T" -- "$EXTEND" -q -l B-T --tsa "$TSA" -o ext-t.p7s b.p7s
expect_exit 0 "verify extended B-T" -- verify_json --at "$AFTER" --content letter.txt ext-t.p7s
expect_json '.signatures[0].level == "CAdES-BASELINE-T" and (.signatures[0].timestamps | length) == 1' "extended to B-T"
expect_exit 0 "extend B-T further to B-LT" -- "$EXTEND" -q -l B-LT --tsa "$TSA" -o ext-lt.p7s ext-t.p7s
expect_exit 0 "extended B-LT validates offline after expiry" -- verify_json --offline --revocation require --at "$LATER" --content letter.txt ext-lt.p7s
expect_json '.signatures[0].level == "CAdES-BASELINE-LT" and (.signatures[0].timestamps | length) == 1' "extended to B-LT, one timestamp"
[ "$before" = "$(sha256sum b.p7s)" ] && pass || fail "segl-extend changed its input"
# B-LT to B-LTA: the detached content is found next to the signature, or given with --content
cp ext-lt.p7s letter.txt.p7s
expect_exit 0 "extend B-LT to B-LTA" -- "$EXTEND" -q -l B-LTA --tsa "$TSA" -o ext-lta.p7s letter.txt.p7s
expect_exit 0 "extended B-LTA validates offline after expiry" -- verify_json --offline --revocation require --at "$LATER" --content letter.txt ext-lta.p7s
expect_json '.signatures[0].level == "CAdES-BASELINE-LTA" and ([.signatures[0].timestamps[].type] == ["signature","archive"])' "extended to B-LTA"
[ "$(openssl cms -cmsout -print -inform DER -in ext-lt.p7s | grep -c 'lastUpdate')" = "$(openssl cms -cmsout -print -inform DER -in ext-lta.p7s | grep -c 'lastUpdate')" ] && pass || fail "extending B-LT to B-LTA added CRLs it had already"
expect_exit 0 "extend B-LTA again: a second archive timestamp" -- "$EXTEND" -q -l B-LTA --tsa "$TSA" --content letter.txt -o ext-lta2.p7s ext-lta.p7s
expect_exit 0 "verify the renewed B-LTA" -- verify_json --offline --revocation require --at "$LATER" --content letter.txt ext-lta2.p7s
expect_json '.signatures[0].level == "CAdES-BASELINE-LTA" and ([.signatures[0].timestamps[] | select(.type == "archive" and .valid)] | length) == 2' "two valid archive timestamps"
expect_exit 0 "openssl cms -verify accepts the extended B-LTA" -- openssl cms -verify -binary -inform DER -in ext-lta2.p7s -content letter.txt -CAfile "$PKI/trust/oces3-root.pem" -attime "$AT_EPOCH" -purpose any -out /dev/null
expect_exit 3 "extend to B-LTA without the content" -- "$EXTEND" -q -l B-LTA --tsa "$TSA" -o no-content.p7s ext-lt.p7s
expect_one_line_error "B-LTA without the content" 'give it with --content'
expect_exit 3 "extend to B-LTA with other content" -- "$EXTEND" -q -l B-LTA --tsa "$TSA" --content "$DOCS/taxform.xml" -o other.p7s ext-lt.p7s
expect_one_line_error "B-LTA with other content" 'is not the content signature 1 was made over'
[ ! -e no-content.p7s ] && [ ! -e other.p7s ] && pass || fail "a refused B-LTA extension left an output"
openssl cms -sign -binary -cades -in letter.txt -signer "$PKI/oces3/person.pem" -inkey "$PKI/oces3/person.key.pem" \
    -certfile "$PKI/oces3/chain.pem" -outform DER -out o.p7s
expect_exit 0 "extend an openssl signature to B-LT" -- "$EXTEND" -q -l B-LT --tsa "$TSA" -o o-lt.p7s o.p7s
expect_exit 0 "the extended openssl signature validates offline" -- verify_json --offline --revocation require --at "$AFTER" --content letter.txt o-lt.p7s
expect_json '.signatures[0].level == "CAdES-BASELINE-LT"' "openssl signature extended"
expect_exit 0 "openssl cms -verify accepts the extended signature" -- openssl cms -verify -binary -inform DER -in o-lt.p7s -content letter.txt -CAfile "$PKI/trust/oces3-root.pem" -attime "$AT_EPOCH" -purpose any -out /dev/null
# --certs and --crl: an archive's intermediate and CRL, used for B-LT before anything is fetched. The
# signature carries only the signer's certificate; the archive's CRL of the issuing CA has its own
# CRL number (127), so that the extended file shows which CRL it got.
openssl cms -sign -binary -cades -in letter.txt -signer "$PKI/oces3/person.pem" -inkey "$PKI/oces3/person.key.pem" \
    -outform DER -out bare.p7s
mkdir -p archive/db && cp -r "$PKI/oces3/ca-db" archive/db/ && cp "$PKI/oces3/ca.pem" "$PKI/oces3/ca.key.pem" archive/db/
echo 7F >archive/db/ca-db/crlnumber
(cd archive/db/ca-db && openssl ca -config openssl.cnf -batch -gencrl -crlexts crl_ext -crl_lastupdate 20260101000000Z \
    -crl_nextupdate 20301231235959Z -md sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
    -sigopt rsa_mgf1_md:sha256 -out ../../ca-127.crl) 2>/dev/null && pass || fail "cannot make the archive's CRL"
expect_exit 0 "extend to B-LT with --certs and --crl" -- "$EXTEND" -q -l B-LT --tsa "$TSA" --certs "$PKI/oces3/ca.pem" \
    --crl archive/ca-127.crl -o bare-lt.p7s bare.p7s
openssl pkcs7 -inform DER -in bare-lt.p7s -print_certs -text >bare-lt.txt 2>&1
grep -A1 'CRL Number' bare-lt.txt | grep -qx ' *127' && pass || fail "the archive's CRL is not in the extended signature"
grep -q 'Subject: .*CN *= *Test Den Danske Stat OCES udstedende-CA 1' bare-lt.txt && pass ||
    fail "the archive's intermediate is not in the extended signature"
expect_exit 0 "the signature extended from the archive validates offline" -- verify_json --offline --revocation require --at "$AFTER" --content letter.txt bare-lt.p7s
expect_json '.signatures[0].level == "CAdES-BASELINE-LT" and .indication == "TOTAL_PASSED" and [.signatures[0].chain[].revocation] == ["crl", "crl", "none"]' "extended from the archive to B-LT"
expect_exit 3 "extend with an unreadable --crl" -- "$EXTEND" -q -l B-LT --tsa "$TSA" --crl nonexistent.crl -o none.p7s bare.p7s
expect_one_line_error "extend with an unreadable --crl" '^segl-extend: --crl: '
expect_exit 3 "extend with the TSA down" -- "$EXTEND" -q -l B-T --tsa "$DEAD" -o down-ext.p7s b.p7s
[ ! -e down-ext.p7s ] && pass || fail "failed extension left an output"
echo mine >b.extended.p7s # the default output name (test_extend_output.sh), taken
expect_exit 3 "extend without -o onto an existing file" -- "$EXTEND" -l B-T --tsa "$TSA" b.p7s
[ "$(cat b.extended.p7s)" = mine ] && pass || fail "segl-extend replaced an existing file"
expect_exit 3 "extend onto the input" -- "$EXTEND" -l B-T --tsa "$TSA" -o b.p7s b.p7s
[ "$before" = "$(sha256sum b.p7s)" ] && pass || fail "segl-extend -o INPUT changed its input"
expect_exit 3 "extend garbage" -- "$EXTEND" -l B-T --tsa "$TSA" -o g.p7s "$DOCS/garbage.p7s"
expect_one_line_error "extend garbage" '^segl-extend: '
expect_exit 0 "segl-extend --help" -- "$EXTEND" --help
for option in $(grep -oE -- '--[a-z][a-z0-9-]+' out.txt | sort -u); do
    grep -q -- "${option//-/\\\\-}" "$SEGL_SOURCE/man/segl-extend.1" && pass || fail "segl-extend: $option is not in man/segl-extend.1"
done

finish
