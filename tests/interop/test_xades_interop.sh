#!/usr/bin/env bash
# Interop with xmlsec1 and xadesjs, both ways: what segl signs, `xmlsec1 --verify` and xadesjs
# (/work/shared/interop/xades-verify.mjs) accept; what they sign, segl validates.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../cmd/lib.sh"
cp "$DOCS/taxform.xml" "$DOCS/letter.txt" .
ROOT=$PKI/trust/oces3-root.pem
xsign() { "$SIGN" -q -k "$PKI/oces3/$1.p12" --pass-file "$PASS" "${@:2}"; }
XAdES_NS=http://uri.etsi.org/01903/v1.3.2#
xmlsec_verify() { # xmlsec_verify FILE [extra options]
    xmlsec1 --verify --id-attr:Id "$XAdES_NS:SignedProperties" --trusted-pem "$ROOT" \
        --untrusted-pem "$PKI/oces3/ca.pem" --verification-gmt-time "2026-06-01 00:00:00" "$@"
}

# ---- segl -> xmlsec1 (xmlsec1 1.2 has no RSASSA-PSS: the pss key is checked with xadesjs only)
if command -v xmlsec1 >/dev/null; then
    for who in person employee ec; do
        xsign "$who" -o "tax-$who.xml" taxform.xml
        expect_exit 0 "xmlsec1 --verify accepts segl's enveloped $who signature" -- xmlsec_verify "tax-$who.xml"
    done
    xsign person -f xades -o letter.sig.xml letter.txt
    expect_exit 0 "xmlsec1 --verify accepts segl's detached signature" -- xmlsec_verify letter.sig.xml
    xsign ec --packaging enveloping -o enveloping.xml taxform.xml
    expect_exit 0 "xmlsec1 --verify accepts segl's enveloping XML" -- xmlsec_verify --id-attr:Id http://www.w3.org/2000/09/xmldsig#:Object enveloping.xml
    xsign person -f xades --packaging enveloping -o enveloping-txt.xml letter.txt
    expect_exit 0 "xmlsec1 --verify accepts segl's enveloping base64" -- xmlsec_verify --id-attr:Id http://www.w3.org/2000/09/xmldsig#:Object enveloping-txt.xml
    xsign person -l B-LT --tsa "$TSA" -o tax-lt.xml taxform.xml
    expect_exit 0 "xmlsec1 --verify accepts segl's B-LT signature" -- xmlsec_verify tax-lt.xml
    perl -pe 's/452000/952000/' tax-person.xml >tampered.xml
    expect_exit 1 "xmlsec1 --verify also rejects the tampered document" -- xmlsec_verify tampered.xml

    # ---- xmlsec1 -> segl: a XAdES template (SignedProperties with the signer's certificate digest)
    xmlsec_template() { # xmlsec_template WHO SIGNATURE_METHOD
        local digest
        digest=$(openssl x509 -in "$PKI/oces3/$1.pem" -outform DER | openssl dgst -sha256 -binary | base64 -w0)
        sed 's/<\/Selvangivelse>\s*$//' taxform.xml | perl -0777 -pe 's{\s*</Selvangivelse>\s*$}{}'
        cat <<XML
<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="sig-1"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="$2"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference><ds:Reference URI="#props-1" Type="http://uri.etsi.org/01903#SignedProperties"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo><ds:Object><xades:QualifyingProperties xmlns:xades="$XAdES_NS" Target="#sig-1"><xades:SignedProperties Id="props-1"><xades:SignedSignatureProperties><xades:SigningTime>2026-05-01T08:00:00Z</xades:SigningTime><xades:SigningCertificateV2><xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>$digest</ds:DigestValue></xades:CertDigest></xades:Cert></xades:SigningCertificateV2></xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties></ds:Object></ds:Signature></Selvangivelse>
XML
    }
    xmlsec_template person http://www.w3.org/2001/04/xmldsig-more#rsa-sha256 >template-rsa.xml
    xmlsec_template ec http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256 >template-ec.xml
    for kind in rsa:person ec:ec; do
        xmlsec1 --sign --id-attr:Id "$XAdES_NS:SignedProperties" \
            --privkey-pem "$PKI/oces3/${kind#*:}.key.pem,$PKI/oces3/${kind#*:}.pem,$PKI/oces3/ca.pem" \
            --output "xmlsec-${kind%%:*}.xml" "template-${kind%%:*}.xml" 2>err.txt || fail "xmlsec1 --sign ${kind%%:*}: $(cat err.txt)"
        expect_exit 0 "segl validates xmlsec1's ${kind%%:*} XAdES" -- verify_json "xmlsec-${kind%%:*}.xml"
        expect_json '.indication == "TOTAL_PASSED" and .signatures[0].level == "XAdES-BASELINE-B" and .signatures[0].signing_time == "2026-05-01T08:00:00Z"' "xmlsec1 ${kind%%:*} signature is B-B"
    done
    # plain XMLDSig from xmlsec1: valid, but not a XAdES baseline signature
    perl -0777 -pe 's{<ds:Reference URI="#props-1".*?</ds:Reference>}{}s; s{<ds:Object>.*</ds:Object>}{}s' template-rsa.xml >template-plain.xml
    xmlsec1 --sign --privkey-pem "$PKI/oces3/person.key.pem,$PKI/oces3/person.pem,$PKI/oces3/ca.pem" --output xmlsec-plain.xml template-plain.xml 2>/dev/null
    expect_exit 0 "segl validates xmlsec1's plain XMLDSig" -- verify_json xmlsec-plain.xml
    expect_json '.signatures[0].level == "XMLDSIG-NOT-ETSI" and (.signatures[0].warnings | map(test("not a XAdES baseline")) | any)' "plain XMLDSig is not XAdES baseline"
else
    echo "xmlsec1 not installed: skipping the xmlsec1 part" >&2
fi

# ---- xadesjs, both ways (installed by ./setup.sh test into build/node)
modules=${SEGL_NODE_MODULES:-${SEGL_SOURCE:-}/build/node/node_modules}
verifier=${SEGL_SHARED:-}/interop/xades-verify.mjs
if command -v node >/dev/null && [ -d "$modules/xadesjs" ] && [ -f "$verifier" ]; then
    ln -s "$modules" node_modules # ES modules resolve packages from the script's folder upwards
    cp "$verifier" xades-verify.mjs
    cp "$HERE/xades_sign.mjs" xades-sign.mjs
    # segl -> xadesjs (xadesjs 2.x cannot read the EC test certificate's curve: RSA and PSS only)
    for who in person pss; do
        [ -f "tax-$who.xml" ] || xsign "$who" -o "tax-$who.xml" taxform.xml
        expect_exit 0 "xadesjs accepts segl's enveloped $who signature" -- node xades-verify.mjs "tax-$who.xml"
    done
    xsign employee --packaging enveloping -o enveloping-js.xml taxform.xml
    expect_exit 0 "xadesjs accepts segl's enveloping signature" -- node xades-verify.mjs enveloping-js.xml
    # B-LT: xadesjs reads the unsigned properties (timestamp, certificate and revocation values)
    xsign person -l B-LT --tsa "$TSA" -o tax-lt-js.xml taxform.xml
    expect_exit 0 "xadesjs accepts segl's B-LT signature" -- node xades-verify.mjs tax-lt-js.xml
    perl -pe 's/452000/952000/' tax-person.xml >tampered-js.xml
    expect_exit 1 "xadesjs rejects the tampered document" -- node xades-verify.mjs tampered-js.xml
    # xadesjs -> segl
    if node xades-sign.mjs taxform.xml "$PKI/oces3/person.key.pem" "$PKI/oces3/person.pem" "$PKI/oces3/ca.pem" >xadesjs.xml 2>err.txt; then
        pass
        expect_exit 0 "segl validates xadesjs's XAdES" -- verify_json xadesjs.xml
        expect_json '.indication == "TOTAL_PASSED" and .signatures[0].level == "XAdES-BASELINE-B" and .signatures[0].signer.oces.kind == "person"' "xadesjs signature is B-B"
    else
        fail "xadesjs signing: $(head -c 300 err.txt)"
    fi
else
    echo "xadesjs not installed (run ./setup.sh test, or npm install --prefix build/node xadesjs @xmldom/xmldom): skipping the xadesjs part" >&2
fi
finish
