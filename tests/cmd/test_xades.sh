#!/usr/bin/env bash
# XAdES baseline B: signing XML enveloped (the default), other content detached, either enveloping;
# every key kind; the document stays byte-for-byte the same around the inserted signature.
. "$(dirname "$0")/lib.sh"
cp "$DOCS/letter.txt" "$DOCS/taxform.xml" "$DOCS/contract.pdf" .
xsign() { "$SIGN" -q -k "$PKI/oces3/$1.p12" --pass-file "$PASS" "${@:2}"; }

# Enveloped is the default for XML, with every kind of key
for who in person employee organisation ec pss; do
    expect_exit 0 "sign taxform.xml with $who" -- xsign "$who" -o "tax-$who.xml" taxform.xml
    expect_exit 0 "verify enveloped $who" -- verify_json "tax-$who.xml"
    expect_json '.indication == "TOTAL_PASSED" and .format == "xades" and .signatures[0].level == "XAdES-BASELINE-B"' "enveloped $who passes at B-B"
    expect_json '.signatures[0].covers == ["the whole document"]' "enveloped $who covers the whole document"
done
grep -q 'Algorithm="http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1"' tax-pss.xml && pass || fail "PSS key signs RSASSA-PSS"
grep -q 'Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"' tax-ec.xml && pass || fail "EC key signs ECDSA-SHA256"
verify_json tax-person.xml >out.txt
expect_json '.signatures[0].signer.oces.kind == "person" and .signatures[0].signer.common_name == "Anna Testesen"' "OCES identity of the signer"
verify_json tax-ec.xml >out.txt
expect_json '.signatures[0].signer.common_name == "Søren Østergård"' "non-ASCII signer name"

# Default output name and the properties EN 319 132-1 asks for
expect_exit 0 "sign with the default name" -- xsign person taxform.xml
[ -s taxform.xml.xades.xml ] && pass || fail "default output is taxform.xml.xades.xml"
for element in xades:SigningTime xades:SigningCertificateV2 xades:CertDigest xades:DataObjectFormat xades:MimeType \
    'Type="http://uri.etsi.org/01903#SignedProperties"' 'http://www.w3.org/2001/10/xml-exc-c14n#' \
    'http://www.w3.org/2000/09/xmldsig#enveloped-signature'; do
    grep -q "$element" taxform.xml.xades.xml && pass || fail "signature lacks $element"
done

# Byte-for-byte: the signed file is the original with the signature spliced in before the root's
# end tag (encoding declaration, comments, whitespace, æøå, ×, – all untouched).
test_xades_keeps_bytes() { # ORIGINAL SIGNED: SIGNED is ORIGINAL with one ds:Signature inserted
    local original=$1 signed=$2 start end
    start=$(grep -abo '<ds:Signature ' "$signed" | head -1 | cut -d: -f1)
    end=$(grep -abo '</ds:Signature>' "$signed" | tail -1 | cut -d: -f1)
    [ -n "$start" ] && [ -n "$end" ] || return 1
    end=$((end + 15))
    cmp -s <(head -c "$start" "$signed") <(head -c "$start" "$original") &&
        cmp -s <(tail -c +$((end + 1)) "$signed") <(tail -c +$((start + 1)) "$original")
}
test_xades_keeps_bytes taxform.xml taxform.xml.xades.xml && pass || fail "taxform.xml changed outside the signature"
grep -q 'æ\|ø\|å' taxform.xml.xades.xml && pass || fail "non-ASCII text kept"
printf '<?xml version="1.0" encoding="ISO-8859-1"?>\n<!-- latin-1 -->\n<doc a="1">\n  <navn>\xe6\xf8\xe5 \xd7</navn>\r\n  <tom/>\n</doc>\n<!-- after -->\n<?pi end?>\n' >latin1.xml
expect_exit 0 "sign ISO-8859-1 XML" -- xsign person -o latin1.signed.xml latin1.xml
test_xades_keeps_bytes latin1.xml latin1.signed.xml && pass || fail "latin1.xml changed outside the signature"
expect_exit 0 "verify ISO-8859-1 XML" -- verify_json latin1.signed.xml
expect_json '.indication == "TOTAL_PASSED"' "ISO-8859-1 XML passes"
printf '<?xml version="1.0"?>\n<root xmlns="urn:x" attr="–"/>\n' >empty-root.xml
expect_exit 0 "sign a self-closing root" -- xsign ec -o empty-root.signed.xml empty-root.xml
expect_exit 0 "verify a self-closing root" -- verify_json empty-root.signed.xml
expect_json '.indication == "TOTAL_PASSED"' "self-closing root passes"
grep -q '^<root xmlns="urn:x" attr="–"><ds:Signature' empty-root.signed.xml && grep -q '</ds:Signature></root>$' empty-root.signed.xml && pass || fail "self-closing root opened for the signature"
# A processing instruction after the root that holds "<?" and the root's end tag: the signature
# goes before the real end tag, not into the PI (tests/fuzz/fuzz_xml.c checks for it).
cp taxform.xml trailing-pi.xml
printf '<?note </Selvangivelse><?x?>\n' >>trailing-pi.xml
expect_exit 0 "sign XML ending in a tricky processing instruction" -- xsign person -o trailing-pi.signed.xml trailing-pi.xml
test_xades_keeps_bytes trailing-pi.xml trailing-pi.signed.xml && tail -n 2 trailing-pi.signed.xml | head -n 1 | grep -q '</ds:Signature></Selvangivelse>$' &&
    pass || fail "test_xades_enveloped_signature_goes_before_the_root_end_tag_not_into_a_trailing_pi"
expect_exit 0 "verify XML ending in a tricky processing instruction" -- verify_json trailing-pi.signed.xml
expect_json '.indication == "TOTAL_PASSED"' "a trailing processing instruction does not swallow the signature"

# Detached is the default for other content with -f xades; the Reference is the file name
expect_exit 0 "sign letter.txt detached" -- xsign person -f xades letter.txt
grep -q 'URI="letter.txt"' letter.txt.xades.xml && pass || fail "detached reference by file name"
expect_exit 0 "verify detached (content found next to the signature)" -- verify_json letter.txt.xades.xml
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].level == "XAdES-BASELINE-B"' "detached passes"
expect_json '.signatures[0].covers == ["letter.txt"]' "detached names the signed file"
cp letter.txt "my letter æ.txt"
expect_exit 0 "sign a file name with a space and æ" -- xsign ec -f xades -o spaced.xml "my letter æ.txt"
grep -q 'URI="my%20letter%20%C3%A6.txt"' spaced.xml && pass || fail "file name URI-escaped"
expect_exit 0 "verify the escaped name" -- verify_json spaced.xml
expect_json '.indication == "TOTAL_PASSED"' "escaped name resolves"
mkdir -p elsewhere && cp letter.txt.xades.xml elsewhere/
expect_exit 2 "detached content missing" -- verify_json elsewhere/letter.txt.xades.xml
expect_json '.signatures[0].subindication == "SIGNED_DATA_NOT_FOUND"' "missing content is SIGNED_DATA_NOT_FOUND"
expect_exit 0 "detached content given with --content" -- verify_json --content letter.txt elsewhere/letter.txt.xades.xml
cp letter.txt changed.txt && echo x >>changed.txt
expect_exit 1 "detached content changed" -- verify_json --content changed.txt letter.txt.xades.xml
expect_json '.signatures[0].subindication == "HASH_FAILURE"' "changed detached content is HASH_FAILURE"
expect_exit 0 "sign a PDF detached" -- xsign pss -f xades contract.pdf
grep -q '<xades:MimeType>application/pdf</xades:MimeType>' contract.pdf.xades.xml && pass || fail "PDF MimeType"
expect_exit 0 "verify detached PDF" -- verify_json contract.pdf.xades.xml
expect_exit 3 "detached from stdin is refused" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -f xades --packaging detached -o stdin.xml - <letter.txt
expect_exit 3 "enveloped needs XML" -- xsign person -f xades --packaging enveloped -o bad.xml letter.txt

# Enveloping: the content inside the signature (XML as elements, other content as base64)
expect_exit 0 "sign XML enveloping" -- xsign employee --packaging enveloping -o enveloping-xml.xml taxform.xml
expect_exit 0 "verify XML enveloping" -- verify_json enveloping-xml.xml
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].level == "XAdES-BASELINE-B"' "XML enveloping passes"
grep -q '<Skatteyder Id="skatteyder">' enveloping-xml.xml && pass || fail "XML content embedded as elements"
expect_exit 0 "sign a PDF enveloping" -- xsign ec -f xades --packaging enveloping -o enveloping-pdf.xml contract.pdf
expect_exit 0 "verify PDF enveloping" -- verify_json enveloping-pdf.xml
expect_json '.indication == "TOTAL_PASSED"' "PDF enveloping passes"

# Options: digests, signing time
for digest in sha384 sha512; do
    expect_exit 0 "sign with $digest" -- xsign ec --digest "$digest" -o "tax-$digest.xml" taxform.xml
    expect_exit 0 "verify $digest" -- verify_json "tax-$digest.xml"
done
expect_exit 3 "md5 refused" -- xsign person --digest md5 -o md5.xml taxform.xml
[ ! -e md5.xml ] && pass || fail "refused signing left an output file"
expect_exit 0 "fixed signing time" -- xsign person --signing-time 2026-05-01T10:00:00+02:00 -o timed.xml taxform.xml
verify_json timed.xml >out.txt
expect_json '.signatures[0].signing_time == "2026-05-01T08:00:00Z"' "signing time in UTC"

# Untrusted signer and expired certificate: the chain decides
expect_exit 2 "unknown root" -- "$VERIFY" --json --at "$AT" --trust "$PKI/trust/oces2-root.pem" tax-person.xml
expect_json '.indication == "INDETERMINATE"' "untrusted chain is INDETERMINATE"
finish
