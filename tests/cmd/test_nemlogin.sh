#!/usr/bin/env bash
# NemLog-in3 signed documents: the SDK's SignedDocument (namespace
# http://dk.gov.certifikat/nemlogin/v0.0.1#) holding the SignText the signer was shown (PlainText,
# HTMLDocument, XMLDocument with its XSLT, PDFDocument; base64) and the enveloped XAdES signature
# over all of it, here made by segl-sign at B-LTA with the test PKI. The kind of sign text is
# reported, and for text and HTML the text; a changed sign text fails; --extract writes it.
. "$(dirname "$0")/lib.sh"
LATER=2027-06-01T00:00:00Z        # after oces3/shortlived expired (2026-09-01)
INSPECT=$SEGL_BIN/segl-inspect
b64() { base64 -w0; }

# signed_document NAME KIND INNER: NAME.xml, a SignedDocument with SignText of KIND holding INNER
signed_document() {
    printf '<?xml version="1.0" encoding="UTF-8"?>\n<SignedDocument xmlns="http://dk.gov.certifikat/nemlogin/v0.0.1#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><SignText id="signText-%s"><%s>%s</%s></SignText></SignedDocument>\n' \
        "$1" "$2" "$3" "$2" >"$1.xml"
}
printf 'Jeg bekræfter, at oplysningerne er korrekte.\n' >text.txt
printf '<html><body><p>Jeg accepterer <b>lejekontrakten</b> for Æblevej 1.</p></body></html>' >page.html
printf '<?xml version="1.0"?><kontrakt><part>Testkommunen</part></kontrakt>' >data.xml
printf '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/">%s</xsl:template></xsl:stylesheet>' '<xsl:value-of select="//part"/>' >view.xsl
signed_document plain PlainText "<Document>$(b64 <text.txt)</Document><Rendering><UseMonoSpaceFont>false</UseMonoSpaceFont></Rendering>"
signed_document html HTMLDocument "<Document>$(b64 <page.html)</Document>"
signed_document xml XMLDocument "<Document>$(b64 <data.xml)</Document><Transformation>$(b64 <view.xsl)</Transformation>"
signed_document pdf PDFDocument "<Document>$(b64 <"$DOCS/contract.pdf")</Document>"

for kind in plain html xml pdf; do
    expect_exit 0 "test_nemlogin_signs_${kind}_at_blta" -- "$SIGN" -q -k "$PKI/oces3/shortlived.p12" \
        --pass-file "$PASS" -f xades -l B-LTA --tsa "$TSA" --signing-time 2026-06-01T11:59:00Z \
        -o "$kind.signed.xml" "$kind.xml"
done
# check FILE EXIT DESCRIPTION JQ-FILTER...: validated offline after the signer expired
check() {
    local file=$1 want=$2 what=$3
    shift 3
    expect_exit "$want" "$what" -- verify_json --offline --revocation require --at "$LATER" "$file"
    for filter in "$@"; do expect_json "$filter" "$what"; done
}
check plain.signed.xml 0 "test_nemlogin_plain_text_blta_passes_with_its_text" \
    '.format == "xades" and .indication == "TOTAL_PASSED" and .signatures[0].level == "XAdES-BASELINE-LTA"' \
    '.signatures[0].sign_text == {"mime": "text/plain", "text": "Jeg bekræfter, at oplysningerne er korrekte.\n"}'
check html.signed.xml 0 "test_nemlogin_html_blta_passes_with_its_text" \
    '.signatures[0].sign_text.mime == "text/html"' \
    '.signatures[0].sign_text.text | test("<b>lejekontrakten</b> for Æblevej 1")'
check xml.signed.xml 0 "test_nemlogin_xml_reports_its_kind_not_its_text" \
    '.signatures[0].sign_text == {"mime": "application/xml", "text": null}'
check pdf.signed.xml 0 "test_nemlogin_pdf_reports_its_kind_not_its_text" \
    '.signatures[0].sign_text == {"mime": "application/pdf", "text": null}'

# The sign text changed after signing: the enveloped signature no longer matches.
python3 - <<'EOF' || fail "make html-changed.xml"
import base64
signed = open("html.signed.xml").read()
shown = base64.b64encode(open("page.html", "rb").read()).decode()
changed = base64.b64encode(open("page.html", "rb").read().replace(b"1.", b"9.")).decode()
assert shown in signed
open("html-changed.xml", "w").write(signed.replace(shown, changed))
EOF
check html-changed.xml 1 "test_nemlogin_changed_sign_text_fails" \
    '.signatures[0].subindication == "HASH_FAILURE"' '.signatures[0] | has("sign_text") | not'
# Another element beside SignText and the signature: not the SDK's shape.
sed 's|</SignText>|&<Note>ekstra</Note>|' html.xml >html-extra.xml
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -f xades -o html-extra.signed.xml html-extra.xml ||
    fail "sign html-extra.xml"
expect_exit 1 "test_nemlogin_other_shape_fails" -- verify_json --revocation off html-extra.signed.xml
expect_json '.signatures[0].subindication == "FORMAT_FAILURE"' "test_nemlogin_other_shape_fails"

# --extract: the signed document, and for XML its stylesheet, byte for byte.
expect_exit 0 "test_nemlogin_extract_html" -- "$INSPECT" --extract out-html html.signed.xml
cmp -s page.html out-html/signtext.html && pass || fail "test_nemlogin_extract_html_is_the_signed_html"
expect_exit 0 "test_nemlogin_extract_xml_and_its_xsl" -- "$INSPECT" --extract out-xml xml.signed.xml
cmp -s data.xml out-xml/signtext.xml && cmp -s view.xsl out-xml/signtext.xsl && pass ||
    fail "test_nemlogin_extract_xml_and_its_xsl_are_the_signed_ones"
expect_exit 0 "test_nemlogin_extract_pdf" -- "$INSPECT" --extract out-pdf pdf.signed.xml
cmp -s "$DOCS/contract.pdf" out-pdf/signtext.pdf && pass || fail "test_nemlogin_extract_pdf_is_the_signed_pdf"

finish
