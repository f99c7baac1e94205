#!/usr/bin/env bash
# NemID OpenSign signatures (format "opensign"), made by tests/cmd/mkopensign.py in the applet's
# exact shape with the test PKI's OCES2 and OCES3 keys, the intermediate CA first in KeyInfo:
# the valid ones pass with the right signer (never the CA listed first) and report the sign text
# and the properties shown to the signer; SHA-1 ones are judged weak; the forgeries (sign text
# changed, a property outside the signed Object, a second Object, content in the wrapper) fail;
# xmlsec1 agrees on the valid ones; segl-inspect --extract writes the sign text.
. "$(dirname "$0")/lib.sh"
python3 "$(dirname "$0")/mkopensign.py" "$PKI" . || fail "mkopensign.py makes the test files"

# check FILE EXIT DESCRIPTION JQ-FILTER...: segl-verify's verdict on FILE, each filter true
check() {
    local file=$1 want=$2 what=$3
    shift 3
    expect_exit "$want" "$what" -- verify_json --revocation off "$file"
    for filter in "$@"; do expect_json "$filter" "$what"; done
}
for ca in oces2 oces3; do
    check opensign-$ca-sha256.xml 0 "test_opensign_${ca}_sha256_with_the_ca_first_in_keyinfo_passes" \
        '.format == "opensign" and .indication == "TOTAL_PASSED"' \
        '.signatures[0].signer.subject | test("TRUST2408|CA") | not' \
        '.signatures[0].sign_text.mime == "text/html"' \
        '.signatures[0].sign_text.text | test("Jeg giver hermed samtykke.*Æblegrød")' \
        '.signatures[0].properties == {"RequestIssuer": "Testkommunen"}' \
        '.signatures[0].covers == ["#ToBeSigned"]'
    # TS 119 312: SHA-1 is no longer reliable for signatures (the rule every format applies).
    check opensign-$ca-sha1.xml 2 "test_opensign_${ca}_sha1_is_indeterminate_crypto_constraints" \
        '.signatures[0].subindication == "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"' \
        '.signatures[0].sign_text.mime == "text/html"'
done
check opensign-oces2-sha256.xml 0 "test_opensign_oces2_signer_gets_the_oces_identity" \
    '.signatures[0].signer.common_name == "Carl Person"' \
    '.signatures[0].signer.oces.kind == "person" and .signatures[0].signer.oces.pid == "9208-2002-2-123456789012"'
check opensign-moces-sha256.xml 0 "test_opensign_moces_signer_gets_cvr_and_rid" \
    '.signatures[0].signer.oces.kind == "employee" and .signatures[0].signer.oces.rid == "1234567890123" and .signatures[0].signer.oces.cvr == "12345678"'
check opensign-oces3-sha256.xml 0 "test_opensign_oces3_signer_is_the_person" \
    '.signatures[0].signer.common_name == "Anna Testesen"'

check opensign-changed-text.xml 1 "test_opensign_changed_sign_text_fails" \
    '.indication == "TOTAL_FAILED" and .signatures[0].subindication == "HASH_FAILURE"' \
    '.signatures[0] | has("sign_text") | not'
check opensign-property-outside.xml 1 "test_opensign_property_outside_the_signed_object_fails" \
    '.signatures[0].subindication == "FORMAT_FAILURE"' \
    '.signatures[0].errors | index("OpenSign properties outside the signed ds:Object") != null' \
    '.signatures[0] | has("properties") | not'
check opensign-second-object.xml 1 "test_opensign_second_object_fails" \
    '.signatures[0].subindication == "FORMAT_FAILURE"'
check opensign-wrapper-content.xml 1 "test_opensign_content_beside_the_signature_fails" \
    '.signatures[0].subindication == "FORMAT_FAILURE"'

# The human output: the start of the sign text, tags folded, and the visible properties.
expect_exit 0 "test_opensign_human_output" -- "$VERIFY" --at "$AT" --revocation off \
    --trust "$PKI/trust/oces2-root.pem" opensign-oces2-sha256.xml
grep -qx '  sign text (text/html): Samtykke Jeg giver hermed samtykke til, at Testkommunen indh\.\.\.' out.txt &&
    pass || fail "test_opensign_human_output_shows_the_sign_text: $(cat out.txt)"
grep -qx '  RequestIssuer: Testkommunen' out.txt && pass ||
    fail "test_opensign_human_output_shows_the_visible_properties: $(cat out.txt)"
grep -q 'challenge' out.txt && fail "test_opensign_human_output_hides_invisible_properties" || pass

# The refusals every XML input gets: a DOCTYPE (entities, XXE) stops the parser.
sed 's|<?xml version="1.0" encoding="UTF-8"?>|&\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>|' \
    opensign-oces2-sha256.xml >doctype.xml
expect_exit 3 "test_opensign_doctype_is_refused" -- verify_json --revocation off doctype.xml

# Interop: xmlsec1 verifies the valid ones and refuses the changed text. xmlsec1 takes the key
# of the first X509Data (the CA's, in OpenSign's order), so the signer's certificate is given.
if have xmlsec1; then
    xmlsec_verify() {
        xmlsec1 --verify --enabled-key-data key-name --pubkey-cert-pem "$1" \
            --id-attr:Id "http://www.w3.org/2000/09/xmldsig#:Object" "$2"
    }
    for alg in sha256 sha1; do
        expect_exit 0 "test_opensign_xmlsec1_verifies_oces2_$alg" -- \
            xmlsec_verify "$PKI/oces2/poces.pem" opensign-oces2-$alg.xml
        expect_exit 0 "test_opensign_xmlsec1_verifies_oces3_$alg" -- \
            xmlsec_verify "$PKI/oces3/person.pem" opensign-oces3-$alg.xml
    done
    expect_exit 1 "test_opensign_xmlsec1_refuses_the_changed_text" -- \
        xmlsec_verify "$PKI/oces2/poces.pem" opensign-changed-text.xml
fi

# segl-inspect --extract DIR: the sign text as a file, never replacing one, nothing from a
# forgery.
INSPECT=$SEGL_BIN/segl-inspect
expect_exit 0 "test_opensign_extract_writes_the_sign_text" -- \
    "$INSPECT" --extract shown opensign-oces2-sha256.xml
python3 - <<'EOF' && pass || fail "test_opensign_extracted_sign_text_is_the_signed_html"
import base64, re
signed = open("opensign-oces2-sha256.xml").read()
value = re.search(r"<openoces:Name>signtext</openoces:Name><openoces:Value[^>]*>([^<]*)<", signed)
assert open("shown/signtext.html", "rb").read() == base64.b64decode(value.group(1))
EOF
expect_exit 3 "test_opensign_extract_never_replaces_a_file" -- \
    "$INSPECT" --extract shown opensign-oces3-sha256.xml
expect_one_line_error "test_opensign_extract_never_replaces_a_file" 'signtext.html: exists, not replaced'
expect_exit 3 "test_opensign_extract_refuses_a_second_object" -- \
    "$INSPECT" --extract forged opensign-second-object.xml
[ ! -e forged/signtext.html ] && pass || fail "test_opensign_extract_writes_nothing_from_a_forgery"

finish
