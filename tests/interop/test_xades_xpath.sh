#!/usr/bin/env bash
# XPath (XMLDSig 6.6.3) and XPath Filter 2.0 transforms, both ways with xmlsec1: signatures that
# xmlsec1 --sign makes from a template validate in segl, and what segl accepts or refuses xmlsec1
# judges the same. segl bounds each expression (length, operations, XPath 1.0 core functions and
# here() only: formats/xades/xades_xpath.c) and counts a reference as covering the document only
# when its selection is the document without the signature.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../cmd/lib.sh"
skip_without xmlsec1
ROOT=$PKI/trust/oces3-root.pem
XAdES_NS=http://uri.etsi.org/01903/v1.3.2#
DS=http://www.w3.org/2000/09/xmldsig#
xmlsec_verify() {
    xmlsec1 --verify --id-attr:Id "$XAdES_NS:SignedProperties" --trusted-pem "$ROOT" \
        --untrusted-pem "$PKI/oces3/ca.pem" --verification-gmt-time "2026-06-01 00:00:00" "$@" 2>/dev/null
}
DIGEST=$(openssl x509 -in "$PKI/oces3/person.pem" -outform DER | openssl dgst -sha256 -binary | base64 -w0)
# template TRANSFORM [EXTRA_BODY]: an enveloped XAdES B-B template over a small document whose
# document reference has TRANSFORM (then exclusive C14N) instead of enveloped-signature.
template() {
    cat <<XML
<?xml version="1.0" encoding="UTF-8"?>
<Brev xmlns="urn:segl:test"><Tekst>Hej</Tekst>${2:-}<ds:Signature xmlns:ds="$DS" Id="sig-1"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI=""><ds:Transforms>$1<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference><ds:Reference URI="#props-1" Type="http://uri.etsi.org/01903#SignedProperties"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo><ds:Object><xades:QualifyingProperties xmlns:xades="$XAdES_NS" Target="#sig-1"><xades:SignedProperties Id="props-1"><xades:SignedSignatureProperties><xades:SigningTime>2026-05-01T08:00:00Z</xades:SigningTime><xades:SigningCertificateV2><xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>$DIGEST</ds:DigestValue></xades:CertDigest></xades:Cert></xades:SigningCertificateV2></xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties></ds:Object></ds:Signature></Brev>
XML
}
xsign() { # xsign TEMPLATE OUT
    xmlsec1 --sign --id-attr:Id "$XAdES_NS:SignedProperties" \
        --privkey-pem "$PKI/oces3/person.key.pem,$PKI/oces3/person.pem,$PKI/oces3/ca.pem" \
        --output "$2" "$1" 2>err.txt || fail "xmlsec1 --sign $1: $(cat err.txt)"
}
XPATH='<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>not(ancestor-or-self::ds:Signature)</ds:XPath></ds:Transform>'
XPATH2='<ds:Transform Algorithm="http://www.w3.org/2002/06/xmldsig-filter2"><f:XPath xmlns:f="http://www.w3.org/2002/06/xmldsig-filter2" Filter="subtract">here()/ancestor::ds:Signature[1]</f:XPath></ds:Transform>'

# test_xpath_enveloped_signature_made_by_xmlsec1_is_valid
template "$XPATH" >t-xpath.xml && xsign t-xpath.xml xpath.xml
expect_exit 0 "segl validates xmlsec1's XPath-transform signature" -- verify_json xpath.xml
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].level == "XAdES-BASELINE-B" and (.signatures[0].covers | index("the whole document") != null)' "XPath: valid, covers the whole document"
expect_exit 0 "xmlsec1 verifies the XPath-transform signature" -- xmlsec_verify xpath.xml
# test_xpath_filter2_signature_made_by_xmlsec1_is_valid
template "$XPATH2" >t-xpath2.xml && xsign t-xpath2.xml xpath2.xml
expect_exit 0 "segl validates xmlsec1's XPath Filter 2.0 signature" -- verify_json xpath2.xml
expect_json '.indication == "TOTAL_PASSED" and (.signatures[0].covers | index("the whole document") != null)' "XPath2: valid, covers the whole document"
expect_exit 0 "xmlsec1 verifies the XPath Filter 2.0 signature" -- xmlsec_verify xpath2.xml
# test_a_changed_document_under_an_xpath_signature_fails_in_both
sed 's/>Hej</>Farvel</' xpath.xml >xpath-changed.xml
expect_exit 1 "segl refuses a changed document (XPath)" -- verify_json xpath-changed.xml
expect_json '.signatures[0].subindication == "HASH_FAILURE"' "changed under XPath: HASH_FAILURE"
expect_exit 1 "xmlsec1 refuses it too" -- xmlsec_verify xpath-changed.xml
sed 's/>Hej</>Farvel</' xpath2.xml >xpath2-changed.xml
expect_exit 1 "segl refuses a changed document (XPath2)" -- verify_json xpath2-changed.xml
expect_exit 1 "xmlsec1 refuses it too (XPath2)" -- xmlsec_verify xpath2-changed.xml

# test_an_xpath_that_leaves_content_unsigned_is_not_the_whole_document: the selection leaves
# <Tillaeg> out, so a reader would see unsigned content; xmlsec1 (which checks only digests)
# accepts it, segl does not call it the document.
PART='<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath xmlns:t="urn:segl:test">not(ancestor-or-self::ds:Signature or ancestor-or-self::t:Tillaeg)</ds:XPath></ds:Transform>'
template "$PART" "<Tillaeg>unsigned</Tillaeg>" >t-part.xml && xsign t-part.xml part.xml
expect_exit 0 "xmlsec1 verifies the partial XPath signature" -- xmlsec_verify part.xml
expect_exit 2 "segl: a partial selection is not the whole document" -- verify_json part.xml
expect_json '.signatures[0].subindication == "SIG_CONSTRAINTS_FAILURE" and (.signatures[0].covers | index("the document, as an XPath transform selects it") != null)' "partial XPath: SIG_CONSTRAINTS_FAILURE"

# test_an_xpath_on_the_signed_properties_reference_is_refused: it could leave a property
# (here the signing time) unsigned while segl reads it as signed; xmlsec1 accepts it
template "$XPATH" | sed 's|<ds:Reference URI="#props-1" Type="http://uri.etsi.org/01903#SignedProperties"><ds:Transforms>|&<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath xmlns:xades="'"$XAdES_NS"'">not(ancestor-or-self::xades:SigningTime)</ds:XPath></ds:Transform>|' >t-props.xml
xsign t-props.xml props.xml
sed 's/2026-05-01T08:00:00Z/2026-01-01T08:00:00Z/' props.xml >props-changed.xml
expect_exit 0 "xmlsec1 verifies a SignedProperties reference whose XPath leaves the signing time out" -- xmlsec_verify props-changed.xml
expect_exit 1 "segl refuses an XPath on the SignedProperties reference" -- verify_json props-changed.xml
expect_json '.indication == "TOTAL_FAILED" and (.signatures[0].errors | map(test("XPath transform on the SignedProperties reference")) | any)' "XPath on SignedProperties: FORMAT_FAILURE"

# test_an_xpath_calling_an_unknown_function_is_refused (in SignedInfo: the signature value no
# longer matches either; the reason given is the function)
sed 's|<ds:XPath>not(ancestor-or-self::ds:Signature)</ds:XPath>|<ds:XPath xmlns:x="urn:evil">not(ancestor-or-self::ds:Signature) and x:run("rm")</ds:XPath>|' xpath.xml >unknown.xml
expect_exit 1 "an XPath calling an extension function" -- verify_json unknown.xml
expect_json '.indication == "TOTAL_FAILED" and (.signatures[0].errors | map(test("calls a function that is not XPath 1.0")) | any)' "extension function refused"
sed 's|<ds:XPath>not(ancestor-or-self::ds:Signature)</ds:XPath>|<ds:XPath>not(ancestor-or-self::ds:Signature) and document("/etc/passwd")</ds:XPath>|' xpath.xml >document.xml
expect_exit 1 "an XPath calling document()" -- verify_json document.xml
expect_json '(.signatures[0].errors | map(test("calls a function that is not XPath 1.0")) | any)' "document() refused"
# test_a_huge_xpath_expression_is_refused
long="not(ancestor-or-self::ds:Signature)$(printf ' and true()%.0s' $(seq 120))"
sed "s|<ds:XPath>not(ancestor-or-self::ds:Signature)</ds:XPath>|<ds:XPath>$long</ds:XPath>|" xpath.xml >huge.xml
expect_exit 1 "a 1,300-character XPath expression" -- verify_json huge.xml
expect_json '.indication == "TOTAL_FAILED" and (.signatures[0].errors | map(test("an XPath expression of [0-9]+ characters")) | any)' "huge expression refused"
# test_a_slow_xpath_expression_is_stopped: cubic in the document's nodes, per node (xmlsec1
# evaluates it for each); stopped by the operation limit within seconds
items=$(for i in $(seq 400); do printf '<i>%d</i>' "$i"; done)
slow='count(//node()[count(//node()[count(//node()) \&gt; 0]) \&gt; 0]) \&gt;= 0' # (\& for sed)
template "$XPATH" "$items" | sed "s|<ds:XPath>not(ancestor-or-self::ds:Signature)</ds:XPath>|<ds:XPath>$slow</ds:XPath>|" >slow.xml
start=$(date +%s)
expect_exit 1 "a slow XPath expression" -- verify_json slow.xml
took=$(($(date +%s) - start))
expect_json '.indication == "TOTAL_FAILED" and .signatures[0].subindication == "FORMAT_FAILURE" and (.signatures[0].errors | map(test("runs too long")) | any)' "slow expression stopped: FORMAT_FAILURE"
[ "$took" -le 30 ] && pass || fail "the slow XPath took ${took}s to stop"
# test_xpath_stays_refused_in_trusted_lists is covered by test_tl.sh (its transforms are unchanged)
finish
