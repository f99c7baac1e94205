#!/usr/bin/env bash
# XAdES B-T and B-LT (EN 319 132-1 5.3, 5.5): signing, validating offline years later, and
# extending signatures that exist (segl's and xmlsec1's) without touching a signed byte. Against
# the test servers (tests/servers: a TSA whose clock says 2026-06-01T12:00:00Z, OCSP, CRLs).
. "$(dirname "$0")/lib.sh"
cp "$DOCS/taxform.xml" "$DOCS/letter.txt" .
EXTEND=$SEGL_BIN/segl-extend
key() { echo "$PKI/oces3/$1.p12"; }
xsign() { # xsign WHO LEVEL OUT [options...] INPUT
    local who=$1 level=$2 out=$3
    shift 3
    "$SIGN" -q -k "$(key "$who")" --pass-file "$PASS" -l "$level" --tsa "$TSA" \
        --signing-time 2026-06-01T11:59:00Z -o "$out" "$@"
}
AFTER=2026-06-02T00:00:00Z        # a day after the TSA's time
LATER=2027-06-01T00:00:00Z        # after oces3/shortlived expired (2026-09-01)
STAMP='{"type":"signature","time":"2026-06-01T12:00:00Z","tsa":"/CN=Test Tidsstempel/O=Den Danske Stat/C=DK","valid":true,"error":null}'
# The bytes of a file with its signatures' unsigned properties taken out: what extending keeps.
signed_part() { perl -0777 -pe 's{<(\w+:)?UnsignedProperties\b.*?</\1UnsignedProperties>}{}gs' "$1"; }

# ---- B-T: a SignatureTimeStamp over the canonical ds:SignatureValue
expect_exit 0 "test_xades_signs_bt" -- xsign person B-T bt.xml taxform.xml
expect_exit 0 "verify B-T" -- verify_json --at "$AFTER" bt.xml
expect_json '.signatures[0].level == "XAdES-BASELINE-T" and .signatures[0].indication == "TOTAL_PASSED"' "B-T level"
expect_json ".signatures[0].timestamps == [$STAMP]" "B-T timestamp reported"
expect_json '.signatures[0].covers == ["the whole document"]' "B-T covers the document"
grep -q '<xades:SignatureTimeStamp Id="TS-[0-9a-f]*"><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><xades:EncapsulatedTimeStamp>' bt.xml \
    && pass || fail "SignatureTimeStamp names its canonicalisation and encapsulates the token"
# the document around the signature is still byte for byte the original
head -c "$(($(wc -c <taxform.xml) - 20))" taxform.xml | cmp -s - <(head -c "$(($(wc -c <taxform.xml) - 20))" bt.xml) \
    && pass || fail "B-T changed the document before the signature"
# openssl ts accepts the token over the exclusive-C14N ds:SignatureValue
perl -0777 -ne 'print $1 if m{<xades:EncapsulatedTimeStamp>([^<]*)<}' bt.xml | base64 -d >token.der
perl -0777 -ne 'print qq{<ds:SignatureValue xmlns:ds="http://www.w3.org/2000/09/xmldsig#">$1</ds:SignatureValue>} if m{<ds:SignatureValue>([^<]*)</ds:SignatureValue>}' bt.xml >sigvalue.c14n
expect_exit 0 "openssl ts -verify accepts the token over the canonical SignatureValue" -- \
    openssl ts -verify -data sigvalue.c14n -in token.der -token_in -CAfile "$PKI/trust/oces3-root.pem" -untrusted "$PKI/oces3/chain.pem"

# detached and enveloping at B-T
expect_exit 0 "B-T detached" -- xsign employee B-T letter.xades.xml -f xades letter.txt
expect_exit 0 "verify B-T detached" -- verify_json --at "$AFTER" letter.xades.xml
expect_json '.signatures[0].level == "XAdES-BASELINE-T" and .signatures[0].covers == ["letter.txt"]' "B-T detached level and content"
expect_exit 0 "B-T enveloping" -- xsign ec B-T enveloping.xml --packaging enveloping taxform.xml
expect_exit 0 "verify B-T enveloping" -- verify_json --at "$AFTER" enveloping.xml
expect_json '.signatures[0].level == "XAdES-BASELINE-T"' "B-T enveloping level"

# Detached from stdin: the Reference needs a file name
expect_exit 3 "detached XAdES from stdin" -- "$SIGN" -q -k "$(key person)" --pass-file "$PASS" -f xades --packaging detached -o stdin.xml - <letter.txt
expect_one_line_error "detached from stdin" 'names its content by file name'

# ---- the TSA down: nothing written, exit 3
expect_exit 3 "test_xades_bt_fails_when_the_tsa_is_down" -- "$SIGN" -q -k "$(key person)" --pass-file "$PASS" -l B-T --tsa "$DEAD" -o down.xml taxform.xml
expect_one_line_error "TSA down" 'timestamp authority http://127.0.0.1:9/tsa'
[ ! -e down.xml ] && pass || fail "a failed B-T left an output file"

# ---- a tampered SignatureTimeStamp is not used: a warning, level B
perl -pe 's{(<xades:SignatureTimeStamp[^>]*><ds:CanonicalizationMethod Algorithm=")[^"]*}{$1http://www.w3.org/TR/2001/REC-xml-c14n-20010315}' bt.xml >ts-c14n.xml
expect_exit 0 "test_xades_ignores_a_timestamp_over_other_bytes" -- verify_json --at "$AFTER" ts-c14n.xml
expect_json '.signatures[0].level == "XAdES-BASELINE-B" and .signatures[0].timestamps[0].valid == false and (.signatures[0].timestamps[0].error | test("imprint")) and (.signatures[0].warnings | any(startswith("signature timestamp not used")))' "timestamp over other bytes: not used"
perl -pe 's{(<xades:EncapsulatedTimeStamp>.{600})(.)}{$1 . ($2 eq "A" ? "B" : "A")}e' bt.xml >ts-bytes.xml
expect_exit 0 "test_xades_ignores_a_changed_timestamp_token" -- verify_json --at "$AFTER" ts-bytes.xml
expect_json '.signatures[0].level == "XAdES-BASELINE-B" and .signatures[0].timestamps[0].valid == false' "changed token: not used"

# ---- B-LT: certificates and revocation data inside; validates offline after the signer expired
expect_exit 0 "test_xades_signs_blt" -- xsign shortlived B-LT lt.xml taxform.xml
for element in CertificateValues EncapsulatedX509Certificate RevocationValues EncapsulatedOCSPValue; do
    grep -q "<xades:$element>" lt.xml && pass || fail "B-LT carries no $element"
done
expect_exit 0 "B-LT validates offline, requiring revocation data" -- verify_json --offline --revocation require --at "$AFTER" lt.xml
expect_json '.signatures[0].level == "XAdES-BASELINE-LT" and .signatures[0].indication == "TOTAL_PASSED"' "B-LT level"
expect_json ".signatures[0].timestamps == [$STAMP]" "B-LT timestamp reported"
expect_exit 0 "test_xades_blt_validates_after_the_signer_expired" -- verify_json --offline --revocation require --at "$LATER" lt.xml
expect_json '.signatures[0].indication == "TOTAL_PASSED" and .signatures[0].level == "XAdES-BASELINE-LT" and (.signatures[0].warnings | any(test("expired since")))' "expired after the timestamp still passes"
"$SIGN" -q -k "$(key shortlived)" --pass-file "$PASS" -o short-b.xml taxform.xml
expect_exit 2 "B-B after the signer's certificate expired" -- verify_json --offline --at "$LATER" short-b.xml
expect_json '.signatures[0].subindication == "OUT_OF_BOUNDS_NO_POE"' "no proof of existence"
perl -pe 's/452000/952000/' lt.xml >lt-changed.xml
expect_exit 1 "B-LT with a changed document" -- verify_json --offline --at "$LATER" lt-changed.xml
# without the RevocationValues, offline and requiring revocation data: TRY_LATER, level T
perl -0777 -pe 's{<xades:RevocationValues>.*?</xades:RevocationValues>}{}s' lt.xml >lt-norev.xml
expect_exit 2 "B-LT without its revocation values" -- verify_json --offline --revocation require --at "$AFTER" lt-norev.xml
expect_json '.signatures[0].subindication == "TRY_LATER" and .signatures[0].level == "XAdES-BASELINE-T"' "no embedded revocation data: not LT"
expect_exit 3 "B-LT for a revoked signer is refused" -- xsign revoked B-LT revoked-lt.xml taxform.xml
[ ! -e revoked-lt.xml ] && pass || fail "refused B-LT left an output"

# ---- B-LTA: an xades141:ArchiveTimeStamp over the signature and its B-LT data (EN 319 132-1 5.5.2)
ARCHIVE='{"type":"archive","time":"2026-06-01T12:00:00Z","tsa":"/CN=Test Tidsstempel/O=Den Danske Stat/C=DK","valid":true,"error":null}'
expect_exit 0 "test_xades_signs_blta" -- xsign shortlived B-LTA lta.xml taxform.xml
grep -q '<xades141:ArchiveTimeStamp xmlns:xades141="http://uri.etsi.org/01903/v1.4.1#" Id="ATS-[0-9a-f]*"><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><xades:EncapsulatedTimeStamp>' lta.xml \
    && perl -0777 -ne 'exit !m{</xades:RevocationValues><xades141:ArchiveTimeStamp.*</xades141:ArchiveTimeStamp></xades:UnsignedSignatureProperties>}s' lta.xml && pass || fail "ArchiveTimeStamp last, after the B-LT data"
expect_exit 0 "test_xades_blta_validates_offline_after_the_signer_expired" -- verify_json --offline --revocation require --at "$LATER" lta.xml
expect_json ".signatures[0].level == \"XAdES-BASELINE-LTA\" and .indication == \"TOTAL_PASSED\" and .signatures[0].timestamps == [$STAMP, $ARCHIVE]" "B-LTA level, both timestamps reported"
perl -0777 -pe 's{(<xades:EncapsulatedX509Certificate>.{300})(.)}{$1 . ($2 eq "A" ? "B" : "A")}se' lta.xml >lta-tampered.xml
expect_exit 0 "test_xades_archive_timestamp_breaks_when_certificate_values_change" -- verify_json --offline --revocation require --at "$LATER" lta-tampered.xml
expect_json '.signatures[0].level != "XAdES-BASELINE-LTA" and .signatures[0].timestamps[1].type == "archive" and .signatures[0].timestamps[1].valid == false and (.signatures[0].timestamps[1].error | test("imprint")) and (.signatures[0].warnings | any(startswith("archive timestamp not used")))' "changed CertificateValues: archive timestamp invalid, not LTA"
expect_exit 0 "test_xades_extends_blt_to_blta" -- "$EXTEND" -q -l B-LTA --tsa "$TSA" -o lt-lta.xml lt.xml
cmp -s <(head -c "$(($(wc -c <lt.xml) - 200))" lt.xml) <(head -c "$(($(wc -c <lt.xml) - 200))" lt-lta.xml) && pass || fail "extending to B-LTA changed the B-LT bytes"
expect_exit 0 "verify B-LT extended to B-LTA" -- verify_json --offline --revocation require --at "$LATER" lt-lta.xml
expect_json '.signatures[0].level == "XAdES-BASELINE-LTA" and .indication == "TOTAL_PASSED"' "extended to B-LTA"
expect_exit 0 "extend a B-LTA again: a second archive timestamp" -- "$EXTEND" -q -l B-LTA --tsa "$TSA" -o lt-lta2.xml lt-lta.xml
expect_exit 0 "verify the renewed B-LTA" -- verify_json --offline --revocation require --at "$LATER" lt-lta2.xml
expect_json '.signatures[0].level == "XAdES-BASELINE-LTA" and ([.signatures[0].timestamps[] | select(.type == "archive" and .valid)] | length == 2)' "two valid archive timestamps"
"$SIGN" -q -k "$(key person)" --pass-file "$PASS" -f xades -o letter.b2.xml letter.txt
expect_exit 0 "extend a detached signature to B-LTA next to its content" -- "$EXTEND" -q -l B-LTA --tsa "$TSA" -o letter.lta.xml letter.b2.xml
expect_exit 0 "verify the detached B-LTA" -- verify_json --offline --revocation require --at "$LATER" letter.lta.xml
expect_json '.signatures[0].level == "XAdES-BASELINE-LTA" and .signatures[0].covers == ["letter.txt"]' "detached B-LTA"
expect_exit 3 "signing detached content straight to B-LTA" -- xsign person B-LTA letter.d.xml -f xades letter.txt
expect_one_line_error "detached B-LTA" 'segl-extend'

# ---- segl-extend: a B-B file made by segl, to B-T and to B-LT
"$SIGN" -q -k "$(key employee)" --pass-file "$PASS" -o bb.xml taxform.xml
expect_exit 0 "test_xades_extends_bb_to_bt" -- "$EXTEND" -q -l B-T --tsa "$TSA" -o bb-t.xml bb.xml
expect_exit 0 "verify extended B-T" -- verify_json --at "$AFTER" bb-t.xml
expect_json '.signatures[0].level == "XAdES-BASELINE-T" and .indication == "TOTAL_PASSED"' "extended to B-T"
cmp -s <(signed_part bb.xml) <(signed_part bb-t.xml) && pass || fail "extending to B-T changed more than the unsigned properties"
expect_exit 0 "test_xades_extends_bt_to_blt" -- "$EXTEND" -q -l B-LT --tsa "$TSA" -o bb-t-lt.xml bb-t.xml
[ "$(grep -c '<xades:SignatureTimeStamp' bb-t-lt.xml)" -eq 1 ] && pass || fail "extending B-T to B-LT added a second timestamp"
expect_exit 0 "test_xades_extends_bb_to_blt" -- "$EXTEND" -q -l B-LT --tsa "$TSA" -o bb-lt.xml bb.xml
expect_exit 0 "verify extended B-LT offline" -- verify_json --offline --revocation require --at "$AFTER" bb-lt.xml
expect_json '.signatures[0].level == "XAdES-BASELINE-LT" and .indication == "TOTAL_PASSED"' "extended to B-LT"
cmp -s <(signed_part bb.xml) <(signed_part bb-lt.xml) && pass || fail "extending to B-LT changed more than the unsigned properties"
expect_exit 0 "verify B-T extended to B-LT offline" -- verify_json --offline --revocation require --at "$AFTER" bb-t-lt.xml
expect_json '.signatures[0].level == "XAdES-BASELINE-LT"' "B-T extended to B-LT"
expect_exit 3 "extending with the TSA down" -- "$EXTEND" -q -l B-T --tsa "$DEAD" -o down-ext.xml bb.xml
[ ! -e down-ext.xml ] && pass || fail "a failed extension left an output file"
# a detached signature keeps finding its content next to it
"$SIGN" -q -k "$(key person)" --pass-file "$PASS" -f xades -o letter.b.xml letter.txt
expect_exit 0 "extend detached to B-LT" -- "$EXTEND" -q -l B-LT --tsa "$TSA" -o letter.lt.xml letter.b.xml
expect_exit 0 "verify extended detached" -- verify_json --offline --revocation require --at "$AFTER" letter.lt.xml
expect_json '.signatures[0].level == "XAdES-BASELINE-LT" and .signatures[0].covers == ["letter.txt"]' "extended detached"
# plain XMLDSig has no QualifyingProperties to extend
printf '<a><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/><ds:SignatureValue>AA==</ds:SignatureValue></ds:Signature></a>\n' >plain.xml
expect_exit 3 "plain XMLDSig cannot be extended" -- "$EXTEND" -q -l B-T --tsa "$TSA" -o plain-t.xml plain.xml
expect_one_line_error "plain XMLDSig" 'not a XAdES signature'

# ---- xmlsec1: its B-B signature extended by segl; xmlsec1 still accepts the result
XAdES_NS=http://uri.etsi.org/01903/v1.3.2#
xmlsec_verify() {
    xmlsec1 --verify --id-attr:Id "$XAdES_NS:SignedProperties" --trusted-pem "$PKI/trust/oces3-root.pem" \
        --untrusted-pem "$PKI/oces3/ca.pem" --verification-gmt-time "2026-06-01 00:00:00" "$@"
}
if command -v xmlsec1 >/dev/null; then
    digest=$(openssl x509 -in "$PKI/oces3/person.pem" -outform DER | openssl dgst -sha256 -binary | base64 -w0)
    # KeyInfo with the signer's certificate only: segl fetches the issuers from caIssuers
    cat >template.xml <<XML
<?xml version="1.0" encoding="UTF-8"?>
<!-- made by xmlsec1 -->
<Brev xmlns="urn:segl:test"><Tekst>Hej</Tekst><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="sig-1"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference><ds:Reference URI="#props-1" Type="http://uri.etsi.org/01903#SignedProperties"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo><ds:Object><QualifyingProperties xmlns="$XAdES_NS" Target="#sig-1"><SignedProperties Id="props-1"><SignedSignatureProperties><SigningTime>2026-05-01T08:00:00Z</SigningTime><SigningCertificateV2><Cert><CertDigest><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>$digest</ds:DigestValue></CertDigest></Cert></SigningCertificateV2></SignedSignatureProperties></SignedProperties></QualifyingProperties></ds:Object></ds:Signature></Brev>
XML
    if xmlsec1 --sign --id-attr:Id "$XAdES_NS:SignedProperties" --privkey-pem "$PKI/oces3/person.key.pem,$PKI/oces3/person.pem" \
        --output xmlsec.xml template.xml 2>err.txt; then
        pass
        # without the issuing CA, segl-verify finds no chain for the B-B or B-T signature ...
        expect_exit 2 "segl validates xmlsec1's B-B" -- verify_json xmlsec.xml
        expect_json '.signatures[0].level == "XAdES-BASELINE-B" and .signatures[0].subindication == "NO_CERTIFICATE_CHAIN_FOUND"' "xmlsec1 signature is B-B, its CA missing"
        expect_exit 0 "test_xades_extends_xmlsec1_bb_to_bt" -- "$EXTEND" -q -l B-T --tsa "$TSA" -o xmlsec-t.xml xmlsec.xml
        expect_exit 2 "verify xmlsec1's signature extended to B-T" -- verify_json --at "$AFTER" xmlsec-t.xml
        expect_json ".signatures[0].level == \"XAdES-BASELINE-T\" and .signatures[0].timestamps == [$STAMP]" "xmlsec1 extended to B-T"
        # ... and B-LT carries it: segl-extend fetched it from the certificate's caIssuers
        expect_exit 0 "test_xades_extends_xmlsec1_bb_to_blt" -- "$EXTEND" -q -l B-LT --tsa "$TSA" -o xmlsec-lt.xml xmlsec.xml
        expect_exit 0 "verify xmlsec1's signature extended to B-LT offline" -- verify_json --offline --revocation require --at "$LATER" xmlsec-lt.xml
        expect_json '.signatures[0].level == "XAdES-BASELINE-LT" and .indication == "TOTAL_PASSED"' "xmlsec1 extended to B-LT"
        # a QualifyingProperties in the default namespace gets prefixed unsigned properties that
        # declare the prefix (ds: is already in scope there)
        grep -q '<xades:UnsignedProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#">' xmlsec-lt.xml \
            && pass || fail "unsigned properties declare their namespaces"
        cmp -s <(signed_part xmlsec.xml) <(signed_part xmlsec-lt.xml) && pass || fail "extending xmlsec1's signature changed signed bytes"
        expect_exit 0 "xmlsec1 --verify accepts its signature extended to B-T" -- xmlsec_verify xmlsec-t.xml
        expect_exit 0 "xmlsec1 --verify accepts its signature extended to B-LT" -- xmlsec_verify xmlsec-lt.xml
    else
        fail "xmlsec1 --sign: $(head -c 300 err.txt)"
    fi
    expect_exit 0 "xmlsec1 --verify accepts segl's B-LT" -- xmlsec_verify lt.xml
    expect_exit 0 "xmlsec1 --verify accepts segl's B-B extended to B-LT" -- xmlsec_verify bb-lt.xml
    expect_exit 0 "xmlsec1 --verify accepts segl's B-LTA" -- xmlsec_verify lta.xml
    expect_exit 0 "xmlsec1 --verify accepts segl's B-LT extended to B-LTA" -- xmlsec_verify lt-lta.xml
else
    echo "xmlsec1 not installed: skipping the xmlsec1 part" >&2
fi

finish
