#!/usr/bin/env bash
# ASiC interop: zipinfo, unzip -t and openssl cms accept what segl makes; containers laid out the
# way other implementations write them (DigiDoc-style .asice with XAdES in
# META-INF/signatures0.xml and an ODF manifest, .asics with XAdES or CAdES, a CAdES ASiC-E whose
# manifest and signature come from openssl) validate in segl.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../cmd/lib.sh"
cp "$DOCS/letter.txt" "$DOCS/contract.pdf" .
ROOT=$PKI/trust/oces3-root.pem
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -f asic-e -o segl.asice letter.txt contract.pdf || fail "sign asic-e"
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -f asic-s -o segl.asics contract.pdf || fail "sign asic-s"

# ---- segl -> zip tools and openssl
for c in segl.asice segl.asics; do
    expect_exit 0 "unzip -t accepts $c" -- unzip -t "$c"
    zipinfo "$c" >out.txt 2>&1 && [ "$(sed -n 3p out.txt | awk '{print $NF}')" = mimetype ] && grep -q 'stor.*mimetype' out.txt && pass || fail "zipinfo $c: $(cat out.txt)"
done
if command -v file >/dev/null; then file segl.asice | grep -qi 'zip\|ASiC' && pass || fail "file(1): $(file segl.asice)"; fi
mkdir -p e s && (cd e && unzip -q ../segl.asice) && (cd s && unzip -q ../segl.asics)
expect_exit 0 "openssl cms verifies segl's ASiC-E signature over its ASiCManifest" -- openssl cms -verify -binary -inform DER -in e/META-INF/signature001.p7s -content e/META-INF/ASiCManifest001.xml -CAfile "$ROOT" -purpose any -attime "$AT_EPOCH" -out /dev/null
expect_exit 0 "openssl cms verifies segl's ASiC-S signature over the document" -- openssl cms -verify -binary -inform DER -in s/META-INF/signature.p7s -content s/contract.pdf -CAfile "$ROOT" -purpose any -attime "$AT_EPOCH" -out /dev/null
digest=$(openssl dgst -sha256 -binary letter.txt | base64 -w0)
grep -q "URI=\"letter.txt\"" e/META-INF/ASiCManifest001.xml && grep -q "$digest" e/META-INF/ASiCManifest001.xml && pass || fail "the manifest carries letter.txt's SHA-256"

# ---- containers made by other tools
# mkasic OUT MIMETYPE FILE...: mimetype stored first without extra field, then the rest as given
mkasic() {
    local out=$1 type=$2
    shift 2
    rm -f "$out"
    printf '%s' "$type" >mimetype
    zip -q -X -0 "$out" mimetype && zip -q -X -D "$out" "$@"
}
# a DigiDoc-style XAdES B-B with detached references by file name, signed by xmlsec1
XAdES_NS=http://uri.etsi.org/01903/v1.3.2#
xades_template() { # xades_template C14N FILE...
    local c14n=$1 cert_digest refs=""
    shift
    cert_digest=$(openssl x509 -in "$PKI/oces3/person.pem" -outform DER | openssl dgst -sha256 -binary | base64 -w0)
    for f in "$@"; do
        refs="$refs<ds:Reference Id=\"r-$f\" URI=\"$f\"><ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><ds:DigestValue/></ds:Reference>"
    done
    cat <<XML
<?xml version="1.0" encoding="UTF-8"?>
<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xades="$XAdES_NS"><ds:Signature Id="S0"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="$c14n"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>$refs<ds:Reference URI="#S0-SignedProperties" Type="http://uri.etsi.org/01903#SignedProperties"><ds:Transforms><ds:Transform Algorithm="$c14n"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo><ds:Object><xades:QualifyingProperties Target="#S0"><xades:SignedProperties Id="S0-SignedProperties"><xades:SignedSignatureProperties><xades:SigningTime>2026-05-01T08:00:00Z</xades:SigningTime><xades:SigningCertificateV2><xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>$cert_digest</ds:DigestValue></xades:CertDigest></xades:Cert></xades:SigningCertificateV2></xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties></ds:Object></ds:Signature></asic:XAdESSignatures>
XML
}
odf_manifest() { # odf_manifest MIMETYPE FILE...
    echo '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>'
    echo "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\"><manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"$1\"/>"
    shift
    for f in "$@"; do echo "<manifest:file-entry manifest:full-path=\"$f\" manifest:media-type=\"application/octet-stream\"/>"; done
    echo '</manifest:manifest>'
}
xmlsec_sign() { # xmlsec_sign TEMPLATE OUT
    xmlsec1 --sign --id-attr:Id "$XAdES_NS:SignedProperties" \
        --privkey-pem "$PKI/oces3/person.key.pem,$PKI/oces3/person.pem,$PKI/oces3/ca.pem" --output "$2" "$1" 2>err.txt || fail "xmlsec1 --sign $1: $(cat err.txt)"
}
if command -v xmlsec1 >/dev/null && command -v zip >/dev/null; then
    mkdir -p dd/META-INF
    cp letter.txt contract.pdf dd/
    cd dd
    for c14n in http://www.w3.org/2001/10/xml-exc-c14n# http://www.w3.org/TR/2001/REC-xml-c14n-20010315; do
        name=$([ "${c14n#*exc}" != "$c14n" ] && echo exc || echo incl)
        xades_template "$c14n" letter.txt contract.pdf >template.xml
        xmlsec_sign template.xml META-INF/signatures0.xml
        odf_manifest application/vnd.etsi.asic-e+zip letter.txt contract.pdf >META-INF/manifest.xml
        mkasic "../digidoc-$name.asice" application/vnd.etsi.asic-e+zip letter.txt contract.pdf META-INF/manifest.xml META-INF/signatures0.xml
    done
    xades_template http://www.w3.org/2001/10/xml-exc-c14n# contract.pdf >template-s.xml
    xmlsec_sign template-s.xml META-INF/signatures.xml
    rm -f META-INF/manifest.xml META-INF/signatures0.xml
    mkasic ../digidoc.asics application/vnd.etsi.asic-s+zip contract.pdf META-INF/signatures.xml
    cd ..
    for name in exc incl; do
        expect_exit 0 "segl validates a DigiDoc-style .asice ($name c14n)" -- verify_json "digidoc-$name.asice"
        expect_json '.indication == "TOTAL_PASSED" and .format == "asic-e" and .signatures[0].level == "XAdES-BASELINE-B" and .signatures[0].covers == ["letter.txt", "contract.pdf"]' "DigiDoc-style .asice ($name) passes and covers both"
    done
    expect_exit 0 "segl validates a DigiDoc-style .asics" -- verify_json digidoc.asics
    expect_json '.indication == "TOTAL_PASSED" and .format == "asic-s" and .signatures[0].covers == ["contract.pdf"]' ".asics with XAdES passes"
    # its data changed
    mkdir -p dd2 && (cd dd2 && unzip -q ../digidoc-exc.asice && echo "changed" >>letter.txt && mkasic ../changed.asice application/vnd.etsi.asic-e+zip letter.txt contract.pdf META-INF/manifest.xml META-INF/signatures0.xml)
    expect_exit 1 "a changed document in a DigiDoc-style container" -- verify_json changed.asice
    expect_json '.signatures[0].subindication == "HASH_FAILURE"' "HASH_FAILURE"
    # a file slipped in that neither the signature nor the manifest names
    (cd dd2 && cp ../contract.pdf extra.pdf && unzip -q -o ../digidoc-exc.asice letter.txt && mkasic ../slipped.asice application/vnd.etsi.asic-e+zip letter.txt contract.pdf extra.pdf META-INF/manifest.xml META-INF/signatures0.xml)
    expect_exit 1 "an unsigned file slipped into a DigiDoc-style container" -- verify_json slipped.asice
    expect_json '(.signatures[0].errors | map(test("extra.pdf is signed by no signature")) | any) and (.signatures[0].warnings | map(test("manifest.xml")) | any)' "named, and the ODF manifest disagrees"
    # segl adds no CAdES signature to a XAdES container, but a XAdES one
    expect_exit 3 "no CAdES added to a XAdES ASiC-E" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -f asic-e -o mixed.asice digidoc-exc.asice
    expect_exit 0 "segl adds a XAdES signature to a DigiDoc-style .asice" -- "$SIGN" -q -k "$PKI/oces3/employee.p12" --pass-file "$PASS" -f asic-e --inner xades -o digidoc2.asice digidoc-exc.asice
    expect_exit 0 "and both validate" -- verify_json digidoc2.asice
    expect_json '(.signatures | length == 2) and .indication == "TOTAL_PASSED"' "DigiDoc's and segl's XAdES signatures"
    unzip -Z1 digidoc2.asice | grep -qx META-INF/signatures001.xml && [ "$(unzip -Z1 digidoc2.asice | grep -c manifest.xml)" -eq 1 ] && pass || fail "segl's in signatures001.xml, DigiDoc's manifest kept: $(unzip -Z1 digidoc2.asice)"

    # ---- segl's XAdES containers -> xmlsec1: the signature file next to the data objects
    xmlsec_verify() {
        xmlsec1 --verify --id-attr:Id "$XAdES_NS:SignedProperties" --trusted-pem "$ROOT" \
            --untrusted-pem "$PKI/oces3/ca.pem" --verification-gmt-time "2026-06-01 00:00:00" "$@"
    }
    cp letter.txt "my letter.txt"
    "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -f asic-e --inner xades -o segl-x.asice letter.txt contract.pdf "my letter.txt" || fail "sign asic-e --inner xades"
    "$SIGN" -q -k "$PKI/oces3/employee.p12" --pass-file "$PASS" -f asic-e --inner xades -o segl-x2.asice segl-x.asice || fail "co-sign asic-e --inner xades"
    "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -f asic-s --inner xades -o segl-x.asics contract.pdf || fail "sign asic-s --inner xades"
    mkdir -p xe xs && (cd xe && unzip -q ../segl-x2.asice && cp META-INF/signatures00?.xml .) && (cd xs && unzip -q ../segl-x.asics && cp META-INF/signatures.xml .)
    expect_exit 0 "xmlsec1 --verify accepts segl's XAdES ASiC-E signature" -- bash -c "cd xe && $(declare -f xmlsec_verify); XAdES_NS='$XAdES_NS' ROOT='$ROOT' PKI='$PKI' xmlsec_verify signatures001.xml"
    expect_exit 0 "xmlsec1 --verify accepts the second one" -- bash -c "cd xe && $(declare -f xmlsec_verify); XAdES_NS='$XAdES_NS' ROOT='$ROOT' PKI='$PKI' xmlsec_verify signatures002.xml"
    expect_exit 0 "xmlsec1 --verify accepts segl's XAdES ASiC-S signature" -- bash -c "cd xs && $(declare -f xmlsec_verify); XAdES_NS='$XAdES_NS' ROOT='$ROOT' PKI='$PKI' xmlsec_verify signatures.xml"
    echo changed >>xe/letter.txt
    expect_exit 1 "xmlsec1 --verify rejects a changed data object" -- bash -c "cd xe && $(declare -f xmlsec_verify); XAdES_NS='$XAdES_NS' ROOT='$ROOT' PKI='$PKI' xmlsec_verify signatures001.xml"
else
    echo "xmlsec1 or zip not installed: skipping the XAdES containers" >&2
fi

# a CAdES ASiC-E made with openssl: the ASiCManifest written by hand, signed with openssl cms
if command -v zip >/dev/null; then
    mkdir -p os/META-INF && cp letter.txt contract.pdf os/
    cd os
    cat >META-INF/ASiCManifest1.xml <<XML
<?xml version="1.0" encoding="UTF-8"?>
<ASiCManifest xmlns="http://uri.etsi.org/02918/v1.2.1#" xmlns:ns2="http://www.w3.org/2000/09/xmldsig#">
  <SigReference URI="META-INF/signature1.p7s" MimeType="application/x-pkcs7-signature"/>
  <DataObjectReference URI="letter.txt" MimeType="text/plain"><ns2:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha512"/><ns2:DigestValue>$(openssl dgst -sha512 -binary letter.txt | base64 -w0)</ns2:DigestValue></DataObjectReference>
  <DataObjectReference URI="contract.pdf" MimeType="application/pdf"><ns2:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ns2:DigestValue>$(openssl dgst -sha256 -binary contract.pdf | base64 -w0)</ns2:DigestValue></DataObjectReference>
</ASiCManifest>
XML
    openssl cms -sign -binary -cades -md sha256 -in META-INF/ASiCManifest1.xml -signer "$PKI/oces3/person.pem" -inkey "$PKI/oces3/person.key.pem" -certfile "$PKI/oces3/ca.pem" -outform DER -out META-INF/signature1.p7s || fail "openssl cms -sign"
    mkasic ../openssl.asice application/vnd.etsi.asic-e+zip letter.txt contract.pdf META-INF/ASiCManifest1.xml META-INF/signature1.p7s
    openssl cms -sign -binary -cades -md sha256 -in contract.pdf -signer "$PKI/oces3/person.pem" -inkey "$PKI/oces3/person.key.pem" -certfile "$PKI/oces3/ca.pem" -outform DER -out META-INF/signature.p7s || fail "openssl cms -sign"
    mkasic ../openssl.asics application/vnd.etsi.asic-s+zip contract.pdf META-INF/signature.p7s
    cd ..
    expect_exit 0 "segl validates an openssl-made CAdES ASiC-E" -- verify_json openssl.asice
    expect_json '.indication == "TOTAL_PASSED" and .signatures[0].covers == ["letter.txt", "contract.pdf"]' "openssl ASiC-E passes (SHA-512 and SHA-256 references)"
    expect_exit 0 "segl validates an openssl-made CAdES ASiC-S" -- verify_json openssl.asics
    expect_json '.indication == "TOTAL_PASSED" and .signatures[0].covers == ["contract.pdf"]' "openssl ASiC-S passes"
    expect_exit 0 "segl adds a signature to the openssl-made ASiC-E" -- "$SIGN" -q -k "$PKI/oces3/employee.p12" --pass-file "$PASS" -f asic-e -o openssl2.asice openssl.asice
    expect_exit 0 "and both validate" -- verify_json openssl2.asice
    expect_json '(.signatures | length == 2) and .indication == "TOTAL_PASSED"' "two signatures"
    expect_exit 0 "unzip -t accepts the result" -- unzip -t openssl2.asice
fi
finish
