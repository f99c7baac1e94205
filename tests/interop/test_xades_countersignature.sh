#!/usr/bin/env bash
# XAdES counter-signatures (EN 319 132-1 5.2.7.2), in the shape of the ETSI plugtests: segl signs
# a document (B-B), a second signer counter-signs its SignatureValue with xmlsec1 (a ds:Signature
# in xades:CounterSignature of the first's UnsignedSignatureProperties, its Reference of type
# CountersignedSignature). The counter-signature is validated as a signature of its own and
# reported under its parent; one that signs anything else, or is changed, fails.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../cmd/lib.sh"
skip_without xmlsec1
cp "$DOCS/taxform.xml" .
XAdES_NS=http://uri.etsi.org/01903/v1.3.2#
DS=http://www.w3.org/2000/09/xmldsig#
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -o signed.xml taxform.xml
DIGEST=$(openssl x509 -in "$PKI/oces3/employee.pem" -outform DER | openssl dgst -sha256 -binary | base64 -w0)
# countersign SIGNED OUT [TARGET]: the counter-signature of the employee key over TARGET
# (default: the first signature's SignatureValue, given the Id value-1).
countersign() {
    local target=${3:-#value-1}
    cat >cs.xml <<XML
<xades:UnsignedProperties><xades:UnsignedSignatureProperties><xades:CounterSignature><ds:Signature xmlns:ds="$DS" Id="csig-1"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="$target" Type="http://uri.etsi.org/01903#CountersignedSignature"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference><ds:Reference URI="#cprops-1" Type="http://uri.etsi.org/01903#SignedProperties"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo><ds:Object><xades:QualifyingProperties Target="#csig-1"><xades:SignedProperties Id="cprops-1"><xades:SignedSignatureProperties><xades:SigningTime>2026-05-02T08:00:00Z</xades:SigningTime><xades:SigningCertificateV2><xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>$DIGEST</ds:DigestValue></xades:CertDigest></xades:Cert></xades:SigningCertificateV2></xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties></ds:Object></ds:Signature></xades:CounterSignature></xades:UnsignedSignatureProperties></xades:UnsignedProperties>
XML
    perl -0777 -pe 'BEGIN { local $/; open my $f, "<", "cs.xml"; $cs = <$f>; chomp $cs }
        s{<ds:SignatureValue>}{<ds:SignatureValue Id="value-1">};
        s{</xades:SignedProperties></xades:QualifyingProperties>}{</xades:SignedProperties>$cs</xades:QualifyingProperties>}' \
        "$1" >template.xml
    xmlsec1 --sign --node-id csig-1 --id-attr:Id "$XAdES_NS:SignedProperties" --id-attr:Id "$DS:SignatureValue" --id-attr:Id "$DS:Signature" \
        --privkey-pem "$PKI/oces3/employee.key.pem,$PKI/oces3/employee.pem,$PKI/oces3/ca.pem" \
        --output "$2" template.xml 2>err.txt || fail "xmlsec1 --sign the counter-signature: $(cat err.txt)"
}

# test_a_valid_counter_signature_is_reported_under_its_parent
countersign signed.xml countersigned.xml
expect_exit 0 "a counter-signed signature validates" -- verify_json countersigned.xml
expect_json '.indication == "TOTAL_PASSED" and (.signatures | length) == 1' "one signature of the document"
expect_json '.signatures[0].signer.common_name == "Anna Testesen" and (.signatures[0].counter_signatures | length) == 1' "the counter-signature is nested under its parent"
expect_json '.signatures[0].counter_signatures[0] | .indication == "TOTAL_PASSED" and .id == "csig-1" and .signer.oces.kind == "employee" and .level == "XAdES-BASELINE-B" and .signing_time == "2026-05-02T08:00:00Z"' "the counter-signature is validated as a signature of its own"
expect_json '.signatures[0].counter_signatures[0].covers == ["the SignatureValue of the signature it counter-signs"]' "it covers the parent's SignatureValue"
expect_json '[.signatures[0].errors[], .signatures[0].counter_signatures[0].errors[]] | map(test("wrapping")) | any | not' "not called wrapping"
# the human output indents it under its parent
"$VERIFY" --at "$AT" --trust "$PKI/trust/oces3-root.pem" countersigned.xml >human.txt 2>/dev/null
grep -q '^  counter-signature csig-1: valid$' human.txt && pass || fail "human output: $(cat human.txt)"
# xmlsec1 verifies both (the parent from the start of the document, the counter-signature by id)
xmlsec_verify() {
    xmlsec1 --verify --id-attr:Id "$XAdES_NS:SignedProperties" --id-attr:Id "$DS:SignatureValue" --id-attr:Id "$DS:Signature" \
        --trusted-pem "$PKI/trust/oces3-root.pem" --untrusted-pem "$PKI/oces3/ca.pem" \
        --verification-gmt-time "2026-06-01 00:00:00" "$@" 2>/dev/null
}
expect_exit 0 "xmlsec1 verifies the counter-signature" -- xmlsec_verify --node-id csig-1 countersigned.xml

# test_a_changed_counter_signature_fails
sed 's/2026-05-02T08:00:00Z/2026-05-03T08:00:00Z/' countersigned.xml >changed.xml
expect_exit 1 "a counter-signature whose signed properties changed" -- verify_json changed.xml
expect_json '.indication == "TOTAL_FAILED" and .signatures[0].indication == "TOTAL_PASSED" and .signatures[0].counter_signatures[0].indication == "TOTAL_FAILED"' "changed counter-signature: it fails, its parent stands"
# test_a_changed_parent_signature_value_fails_both
perl -0777 -pe 's{(<ds:SignatureValue Id="value-1">)(.)}{$1 . ($2 eq "A" ? "B" : "A")}e' countersigned.xml >parent-changed.xml
expect_exit 1 "a changed parent SignatureValue" -- verify_json parent-changed.xml
expect_json '.signatures[0].indication == "TOTAL_FAILED" and .signatures[0].counter_signatures[0].subindication == "HASH_FAILURE"' "the parent fails, and the counter-signature no longer matches"
# test_a_counter_signature_over_something_else_fails: the parent's SignedProperties instead of
# its SignatureValue (the reference is valid for xmlsec1; segl refuses what it signs)
props=$(grep -o '<xades:SignedProperties Id="[^"]*"' signed.xml | head -1 | sed 's/.*Id="//; s/"$//')
countersign signed.xml other-target.xml "#$props"
expect_exit 0 "xmlsec1 verifies a counter-signature over the SignedProperties" -- xmlsec_verify --node-id csig-1 other-target.xml
expect_exit 1 "segl: a counter-signature over something else" -- verify_json other-target.xml
expect_json '.signatures[0].counter_signatures[0].subindication == "FORMAT_FAILURE" and (.signatures[0].counter_signatures[0].errors | map(test("does not name the SignatureValue")) | any)' "other target: FORMAT_FAILURE"
# test_a_signature_reference_outside_a_counter_signature_is_still_wrapping: the same
# ds:Signature moved out of the CounterSignature (into the document) is no counter-signature
perl -0777 -pe 's{<xades:UnsignedProperties>.*</xades:UnsignedProperties>}{}s; ' countersigned.xml >/dev/null
perl -0777 -pe 'm{<xades:CounterSignature>(.*?)</xades:CounterSignature>}s; $cs = $1; s{<xades:UnsignedProperties>.*</xades:UnsignedProperties>}{}s; s{(<ds:Signature )}{$cs$1}' countersigned.xml >moved.xml
expect_exit 1 "a CountersignedSignature reference outside a CounterSignature" -- verify_json moved.xml
expect_json '.indication == "TOTAL_FAILED" and ([.signatures[] | .errors[]] | map(test("does not name the SignatureValue")) | any)' "moved out: refused"
finish
