#!/usr/bin/env bash
# ASiC containers in the shapes other products write (EN 319 162-1): an ASiC-E with XAdES as
# libdigidocpp (DigiDoc) writes it (mimetype with an extra field, META-INF/signatures0.xml with
# C14N 1.1, S0-RefId references and DataObjectFormat, an ODF META-INF/manifest.xml), the same as
# EU DSS writes it (META-INF/signatures001.xml, exclusive C14N, id-/r-id-/xades-id- names), an
# ASiC-S holding only a timestamp token (META-INF/timestamp.tst), and containers with no
# signature (exit 2). Signed by xmlsec1 with the test PKI; tokens from the test TSA.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../cmd/lib.sh"
MKZIP="python3 $SEGL_SOURCE/testdata/asic/mkzip.py"
cp "$DOCS/letter.txt" "$DOCS/contract.pdf" .
cp letter.txt "my letter.txt"
XAdES_NS=http://uri.etsi.org/01903/v1.3.2#
SHA256=http://www.w3.org/2001/04/xmlenc#sha256
CERT_DIGEST=$(openssl x509 -in "$PKI/oces3/person.pem" -outform DER | openssl dgst -sha256 -binary | base64 -w0)

# signed_properties ID TIME FORMATS: the XAdES SignedProperties both products write (B-B)
signed_properties() {
    printf '<xades:SignedProperties Id="%s"><xades:SignedSignatureProperties><xades:SigningTime>%s</xades:SigningTime><xades:SigningCertificateV2><xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm="%s"/><ds:DigestValue>%s</ds:DigestValue></xades:CertDigest></xades:Cert></xades:SigningCertificateV2></xades:SignedSignatureProperties><xades:SignedDataObjectProperties>%s</xades:SignedDataObjectProperties></xades:SignedProperties>' \
        "$1" "$2" "$SHA256" "$CERT_DIGEST" "$3"
}
# digidoc_template: libdigidocpp's signatures0.xml for "my letter.txt" and contract.pdf
digidoc_template() {
    local c14n=http://www.w3.org/2006/12/xml-c14n11
    cat <<XML
<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xades="$XAdES_NS"><ds:Signature Id="S0"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="$c14n"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference Id="S0-RefId0" URI="my%20letter.txt"><ds:DigestMethod Algorithm="$SHA256"/><ds:DigestValue/></ds:Reference><ds:Reference Id="S0-RefId1" URI="contract.pdf"><ds:DigestMethod Algorithm="$SHA256"/><ds:DigestValue/></ds:Reference><ds:Reference Id="S0-RefId2" Type="http://uri.etsi.org/01903#SignedProperties" URI="#S0-SignedProperties"><ds:Transforms><ds:Transform Algorithm="$c14n"/></ds:Transforms><ds:DigestMethod Algorithm="$SHA256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue Id="S0-SIG"/><ds:KeyInfo Id="S0-KeyInfo"><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo><ds:Object Id="S0-object-xades"><xades:QualifyingProperties Id="S0-QualifyingProperties" Target="#S0">$(signed_properties S0-SignedProperties 2026-05-01T08:00:00Z '<xades:DataObjectFormat ObjectReference="#S0-RefId0"><xades:MimeType>text/plain</xades:MimeType></xades:DataObjectFormat><xades:DataObjectFormat ObjectReference="#S0-RefId1"><xades:MimeType>application/pdf</xades:MimeType></xades:DataObjectFormat>')</xades:QualifyingProperties></ds:Object></ds:Signature></asic:XAdESSignatures>
XML
}
# dss_template: EU DSS's signatures001.xml for letter.txt and contract.pdf
dss_template() {
    local c14n=http://www.w3.org/2001/10/xml-exc-c14n# id=id-8a4f0c3e9b1d2e7f6a5b4c3d2e1f0a9b
    cat <<XML
<?xml version="1.0" encoding="UTF-8" standalone="no"?><asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="$id"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="$c14n"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference Id="r-$id-1" URI="letter.txt"><ds:DigestMethod Algorithm="$SHA256"/><ds:DigestValue/></ds:Reference><ds:Reference Id="r-$id-2" URI="contract.pdf"><ds:DigestMethod Algorithm="$SHA256"/><ds:DigestValue/></ds:Reference><ds:Reference Type="http://uri.etsi.org/01903#SignedProperties" URI="#xades-$id"><ds:Transforms><ds:Transform Algorithm="$c14n"/></ds:Transforms><ds:DigestMethod Algorithm="$SHA256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue Id="value-$id"/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo><ds:Object><xades:QualifyingProperties xmlns:xades="$XAdES_NS" Target="#$id">$(signed_properties "xades-$id" 2026-05-01T08:00:00Z "<xades:DataObjectFormat ObjectReference=\"#r-$id-1\"><xades:MimeType>text/plain</xades:MimeType></xades:DataObjectFormat><xades:DataObjectFormat ObjectReference=\"#r-$id-2\"><xades:MimeType>application/pdf</xades:MimeType></xades:DataObjectFormat>")</xades:QualifyingProperties></ds:Object></ds:Signature></asic:XAdESSignatures>
XML
}
odf_manifest() { # odf_manifest FILE:TYPE...
    printf '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">\n'
    printf ' <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.etsi.asic-e+zip"/>\n'
    for f in "$@"; do printf ' <manifest:file-entry manifest:full-path="%s" manifest:media-type="%s"/>\n' "${f%%:*}" "${f#*:}"; done
    printf '</manifest:manifest>\n'
}
xmlsec_sign() { # xmlsec_sign TEMPLATE OUT: detached references resolved in the current folder
    xmlsec1 --sign --id-attr:Id "$XAdES_NS:SignedProperties" \
        --privkey-pem "$PKI/oces3/person.key.pem,$PKI/oces3/person.pem,$PKI/oces3/ca.pem" \
        --output "$2" "$1" 2>err.txt || fail "xmlsec1 --sign $1: $(cat err.txt)"
}
MIME_E='"name": "mimetype", "text": "application/vnd.etsi.asic-e+zip", "store": true'
MIME_S='"name": "mimetype", "text": "application/vnd.etsi.asic-s+zip", "store": true'
# DigiDoc's mimetype carries an extended-timestamp extra field ("UT", 5 bytes)
DIGIDOC_EXTRA='"extra": "5554050001a1b2f46a"'

if have xmlsec1; then
    # ---- test_asic_digidoc_asice_validates
    digidoc_template >digidoc-template.xml
    xmlsec_sign digidoc-template.xml signatures0.xml
    odf_manifest "my letter.txt:text/plain" contract.pdf:application/pdf >manifest.xml
    $MKZIP digidoc.asice <<JSON
[{$MIME_E, $DIGIDOC_EXTRA}, {"name": "META-INF/manifest.xml", "file": "manifest.xml"},
 {"name": "my letter.txt", "file": "my letter.txt"}, {"name": "contract.pdf", "file": "contract.pdf"},
 {"name": "META-INF/signatures0.xml", "file": "signatures0.xml"}]
JSON
    [ "$(od -An -tu2 -j28 -N2 digidoc.asice | tr -d ' ')" = 9 ] && pass || fail "the DigiDoc-shaped mimetype has no extra field"
    expect_exit 0 "a DigiDoc ASiC-E (C14N 1.1, mimetype extra field) validates" -- verify_json digidoc.asice
    expect_json '.format == "asic-e" and .indication == "TOTAL_PASSED" and .signatures[0].kind == "signature" and .signatures[0].level == "XAdES-BASELINE-B" and .signatures[0].covers == ["my letter.txt", "contract.pdf"]' \
        "TOTAL_PASSED, B-B, both data objects covered"
    expect_json '.signatures[0].warnings | any(test("mimetype entry has an extra field"))' "the extra field is a warning"
    expect_json '.signatures[0].signer.common_name == "Anna Testesen"' "the signer"
    # test_asic_digidoc_asice_changed_data_object_fails
    $MKZIP digidoc-changed.asice <<JSON
[{$MIME_E, $DIGIDOC_EXTRA}, {"name": "META-INF/manifest.xml", "file": "manifest.xml"},
 {"name": "my letter.txt", "text": "Pay 1000000 DKK"}, {"name": "contract.pdf", "file": "contract.pdf"},
 {"name": "META-INF/signatures0.xml", "file": "signatures0.xml"}]
JSON
    expect_exit 1 "a DigiDoc ASiC-E with a changed data object" -- verify_json digidoc-changed.asice
    expect_json '.signatures[0].indication == "TOTAL_FAILED" and .signatures[0].subindication == "HASH_FAILURE"' "TOTAL_FAILED/HASH_FAILURE"

    # ---- test_asic_dss_asice_validates
    dss_template >dss-template.xml
    xmlsec_sign dss-template.xml signatures001.xml
    odf_manifest letter.txt:text/plain contract.pdf:application/pdf >manifest-dss.xml
    $MKZIP dss.asice <<JSON
[{$MIME_E}, {"name": "letter.txt", "file": "letter.txt"}, {"name": "contract.pdf", "file": "contract.pdf"},
 {"name": "META-INF/signatures001.xml", "file": "signatures001.xml"}, {"name": "META-INF/manifest.xml", "file": "manifest-dss.xml"}]
JSON
    expect_exit 0 "a DSS ASiC-E validates" -- verify_json dss.asice
    expect_json '.format == "asic-e" and .indication == "TOTAL_PASSED" and .signatures[0].level == "XAdES-BASELINE-B" and .signatures[0].covers == ["letter.txt", "contract.pdf"]' \
        "TOTAL_PASSED, B-B, both data objects covered"
    expect_json '.signatures[0].id == "id-8a4f0c3e9b1d2e7f6a5b4c3d2e1f0a9b" and (.signatures[0].warnings | all(test("mimetype") | not))' "its Id, no mimetype warning"
    # test_asic_dss_asice_with_a_slipped_in_file_fails
    $MKZIP dss-slipped.asice <<JSON
[{$MIME_E}, {"name": "letter.txt", "file": "letter.txt"}, {"name": "contract.pdf", "file": "contract.pdf"},
 {"name": "extra.txt", "text": "not signed"},
 {"name": "META-INF/signatures001.xml", "file": "signatures001.xml"}, {"name": "META-INF/manifest.xml", "file": "manifest-dss.xml"}]
JSON
    expect_exit 1 "a file no signature covers" -- verify_json dss-slipped.asice
    expect_json '.signatures[0].errors | any(test("extra.txt is signed by no signature"))' "named"
    # test_asic_e_without_its_signature_is_exit_2 (the DSS container, signature removed)
    $MKZIP dss-unsigned.asice <<JSON
[{$MIME_E}, {"name": "letter.txt", "file": "letter.txt"}, {"name": "contract.pdf", "file": "contract.pdf"},
 {"name": "META-INF/manifest.xml", "file": "manifest-dss.xml"}]
JSON
    expect_exit 2 "an ASiC-E with no signature: exit 2" -- verify_json dss-unsigned.asice
    expect_json '.format == "asic-e" and .indication == "INDETERMINATE" and (.signatures | length) == 0' "no signature found"
else
    echo "xmlsec1 not installed: skipping the DigiDoc and DSS containers" >&2
fi

# ---- test_asic_s_timestamp_only (EN 319 162-1 4.3.3: a time assertion over the one data object)
openssl ts -query -data contract.pdf -sha256 -cert -out contract.tsq 2>/dev/null &&
    curl -sf -H 'Content-Type: application/timestamp-query' --data-binary @contract.tsq -o contract.tsr "$TSA" &&
    openssl ts -reply -in contract.tsr -token_out -out timestamp.tst 2>/dev/null || fail "no token from the test TSA"
$MKZIP ts.asics <<JSON
[{$MIME_S}, {"name": "contract.pdf", "file": "contract.pdf"}, {"name": "META-INF/timestamp.tst", "file": "timestamp.tst"}]
JSON
expect_exit 0 "an ASiC-S with only a timestamp passes" -- verify_json ts.asics
expect_json '.format == "asic-s" and .indication == "TOTAL_PASSED" and (.signatures | length) == 1 and .signatures[0].kind == "timestamp" and .signatures[0].covers == ["contract.pdf"]' \
    "one entry of kind timestamp covering the data object"
expect_json '.signatures[0].signing_time == "2026-06-01T12:00:00Z" and .signatures[0].signer.common_name == "Test Tidsstempel"' "the TSA's time and name"
# test_asic_s_timestamp_only_other_data_fails
$MKZIP ts-changed.asics <<JSON
[{$MIME_S}, {"name": "contract.pdf", "file": "letter.txt"}, {"name": "META-INF/timestamp.tst", "file": "timestamp.tst"}]
JSON
expect_exit 1 "the token over other data" -- verify_json ts-changed.asics
expect_json '.signatures[0].kind == "timestamp" and .signatures[0].indication == "TOTAL_FAILED" and .signatures[0].subindication == "HASH_FAILURE"' "TOTAL_FAILED/HASH_FAILURE"
# test_asic_s_timestamp_only_untrusted_tsa
expect_exit 2 "a TSA that does not chain to the trust given" -- "$VERIFY" --json --at "$AT" --trust "$PKI/trust/oces2-root.pem" ts.asics
expect_json '.signatures[0].indication == "INDETERMINATE" and .signatures[0].subindication == "NO_CERTIFICATE_CHAIN_FOUND"' "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND"
# test_asic_s_garbage_token_fails
$MKZIP ts-garbage.asics <<JSON
[{$MIME_S}, {"name": "contract.pdf", "file": "contract.pdf"}, {"name": "META-INF/timestamp.tst", "text": "not a token"}]
JSON
expect_exit 1 "a timestamp.tst that is no token" -- verify_json ts-garbage.asics
expect_json '.signatures[0].indication == "TOTAL_FAILED" and .signatures[0].subindication == "FORMAT_FAILURE"' "TOTAL_FAILED/FORMAT_FAILURE"
finish
