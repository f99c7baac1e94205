#!/usr/bin/env bash
# Attacks on XAdES/XMLDSig validation: tampering, key substitution, XML Signature Wrapping (signed
# element moved, copied, wrapped in a ds:Object, duplicated ID) and hostile XML (XXE, billion
# laughs, quadratic blow-up). None of them may pass.
. "$(dirname "$0")/lib.sh"
cp "$DOCS/taxform.xml" .
extract() { perl -0777 -ne 'print $1 if m{(<ds:Signature\b.*</ds:Signature>)}s' "$1"; }
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -o signed.xml taxform.xml
expect_exit 0 "the untouched signature passes" -- verify_json signed.xml

# Tampering with the signed document or the signed properties
perl -pe 's/452000/952000/' signed.xml >tampered-text.xml
expect_exit 1 "test_xades_rejects_changed_text" -- verify_json tampered-text.xml
expect_json '.signatures[0].subindication == "HASH_FAILURE"' "changed text is HASH_FAILURE"
perl -pe 's/Søren/Sören/' signed.xml >tampered-name.xml
expect_exit 1 "test_xades_rejects_changed_non_ascii_text" -- verify_json tampered-name.xml
perl -pe 's{<xades:SigningTime>\d{4}}{<xades:SigningTime>2019}' signed.xml >tampered-props.xml
expect_exit 1 "test_xades_rejects_changed_signed_properties" -- verify_json tampered-props.xml
expect_json '.signatures[0].subindication == "HASH_FAILURE" and (.signatures[0].errors[0] | test("SignedProperties"))' "changed SignedProperties is HASH_FAILURE"
perl -pe 's{(<ds:SignatureValue>)(.)}{$1 . ($2 eq "A" ? "B" : "A")}e' signed.xml >tampered-value.xml
expect_exit 1 "test_xades_rejects_changed_signature_value" -- verify_json tampered-value.xml
expect_json '.signatures[0].subindication == "SIG_CRYPTO_FAILURE"' "changed SignatureValue is SIG_CRYPTO_FAILURE"
perl -0777 -pe 's{(<ds:Reference [^>]*Type="http://uri.etsi.org/01903#SignedProperties".*?</ds:Reference>)}{$1$1}s' signed.xml >twice.xml
expect_exit 1 "test_xades_rejects_signed_properties_referenced_twice" -- verify_json twice.xml
expect_json '.signatures[0].errors | map(test("exactly once")) | any' "SignedProperties referenced twice"

# Certificates swapped in KeyInfo: another signer's, and a second certificate for the same key
other=$(grep -v -- '-----' "$PKI/oces3/employee.pem" | tr -d '\n')
perl -pe "s{<ds:X509Certificate>[^<]*</ds:X509Certificate>}{<ds:X509Certificate>$other</ds:X509Certificate>}" signed.xml >swapped.xml
expect_exit 1 "test_xades_rejects_certificate_of_another_key" -- verify_json swapped.xml
expect_json '.signatures[0].indication == "TOTAL_FAILED"' "another signer's certificate fails"
openssl req -new -key "$PKI/oces3/person.key.pem" -subj "/CN=Anna Testesen/serialNumber=UI:DK-P:G:00000000-0000-4000-8000-000000000000/C=DK" -out twin.csr 2>/dev/null
printf 'keyUsage=critical,digitalSignature,nonRepudiation\nbasicConstraints=critical,CA:FALSE\n' >twin.ext
openssl x509 -req -in twin.csr -CA "$PKI/oces3/ca.pem" -CAkey "$PKI/oces3/ca.key.pem" -set_serial 77777 -days 3650 -extfile twin.ext -out twin.pem 2>/dev/null
twin=$(grep -v -- '-----' twin.pem | tr -d '\n')
perl -pe "s{<ds:X509Certificate>[^<]*</ds:X509Certificate>}{<ds:X509Certificate>$twin</ds:X509Certificate>}" signed.xml >twin.xml
expect_exit 1 "test_xades_rejects_key_substitution" -- verify_json twin.xml
expect_json '.signatures[0].indication == "TOTAL_FAILED" and (.signatures[0].errors | map(test("key substitution")) | any)' "same key, other certificate: key substitution"

# Removed signature: nothing signed remains
perl -0777 -pe 's{<ds:Signature\b.*</ds:Signature>}{}s' signed.xml >removed.xml
cmp -s removed.xml taxform.xml && pass || fail "removing the signature gives the original back"
"$VERIFY" --json --at "$AT" --trust "$PKI/trust/oces3-root.pem" removed.xml >out.txt 2>err.txt
[ $? -ne 0 ] && pass || fail "test_xades_rejects_document_without_signature: passed"
expect_json '.indication != "TOTAL_PASSED" and (.signatures | length) == 0' "no signature reported"

# XML Signature Wrapping, on a signature that references the root by ID (xmlsec1 --sign)
ds='xmlns:ds="http://www.w3.org/2000/09/xmldsig#"'
cat >template.xml <<XML
<Doc xmlns="urn:t" Id="doc"><Data Id="data">amount 100</Data><ds:Signature $ds Id="sig"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#doc"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo></ds:Signature></Doc>
XML
sed 's/URI="#doc"/URI="#data"/' template.xml >template-part.xml
if command -v xmlsec1 >/dev/null; then
    xmlsec1 --sign --privkey-pem "$PKI/oces3/person.key.pem,$PKI/oces3/person.pem,$PKI/oces3/ca.pem" --id-attr:Id urn:t:Doc --id-attr:Id urn:t:Data --output byid.xml template.xml 2>/dev/null
    xmlsec1 --sign --privkey-pem "$PKI/oces3/person.key.pem,$PKI/oces3/person.pem,$PKI/oces3/ca.pem" --id-attr:Id urn:t:Doc --id-attr:Id urn:t:Data --output part.xml template-part.xml 2>/dev/null
    expect_exit 0 "an ID reference to the root passes" -- verify_json byid.xml
    expect_json '.signatures[0].indication == "TOTAL_PASSED" and .signatures[0].covers == ["#doc"]' "the signed root is named"
    sig=$(extract byid.xml)
    original=$(perl -0777 -pe 's/\n$//' byid.xml)
    # moved: the signed root (without its signature) hidden deeper, a forged one on top
    printf '<Doc xmlns="urn:t" Id="forged"><Data>amount 999</Data>%s<Hidden><Doc Id="doc"><Data Id="data">amount 100</Data></Doc></Hidden></Doc>\n' "$sig" >moved.xml
    expect_exit 2 "test_xades_rejects_signed_element_moved" -- verify_json moved.xml
    expect_json '.signatures[0].subindication == "SIG_CONSTRAINTS_FAILURE" and (.signatures[0].errors | any(test("only /Doc/Hidden/Doc \\(#doc\\)")))' "moved element: not the document a reader sees"
    # wrapped in Object: the signed root inside the signature's own ds:Object
    wrapped_sig=$(printf '%s' "$sig" | perl -pe 's{</ds:Signature>$}{<ds:Object><Doc xmlns="urn:t" Id="doc"><Data Id="data">amount 100</Data></Doc></ds:Object></ds:Signature>}')
    printf '<Doc xmlns="urn:t" Id="forged"><Data>amount 999</Data>%s</Doc>\n' "$wrapped_sig" >wrapped.xml
    expect_exit 1 "test_xades_rejects_signed_element_wrapped_in_object" -- verify_json wrapped.xml
    expect_json '.signatures[0].subindication == "FORMAT_FAILURE" and (.signatures[0].errors | map(test("wrapping")) | any)' "wrapping in ds:Object is named"
    # copied: the signed root copied into the document, so its ID occurs twice
    printf '%s\n' "$original" | perl -pe 's{<ds:Signature }{<Copy><Doc Id="doc"><Data Id="data">amount 100</Data></Doc></Copy><ds:Signature }' >copied.xml
    expect_exit 1 "test_xades_rejects_signed_element_copied" -- verify_json copied.xml
    expect_json '.signatures[0].subindication == "FORMAT_FAILURE" and (.signatures[0].errors | map(test("2 elements have the ID")) | any)' "copied element: duplicate ID"
    # duplicated ID: a forged element with the signed element's ID, placed first
    part_sig=$(extract part.xml)
    printf '<Doc xmlns="urn:t"><Data Id="data">amount 999</Data><Data Id="data">amount 100</Data>%s</Doc>\n' "$part_sig" >dupid.xml
    expect_exit 1 "test_xades_rejects_duplicated_id" -- verify_json dupid.xml
    expect_json '.signatures[0].subindication == "FORMAT_FAILURE"' "duplicated ID is FORMAT_FAILURE"
    # a signature over part of the document leaves the rest unsigned for a reader
    expect_exit 2 "test_xades_rejects_partial_coverage" -- verify_json part.xml
    expect_json '.signatures[0].subindication == "SIG_CONSTRAINTS_FAILURE"' "partial coverage is SIG_CONSTRAINTS_FAILURE"
    # the signature moved into another signature's ds:Object
    printf '<Doc xmlns="urn:t" Id="x"><Data>amount 999</Data><ds:Signature %s><ds:Object>%s</ds:Object></ds:Signature></Doc>\n' "$ds" "$original" | perl -pe 's/<\?xml[^>]*\?>//' >nested.xml
    verify_json nested.xml >out.txt 2>err.txt
    expect_json '.indication != "TOTAL_PASSED"' "test_xades_rejects_signature_nested_in_object"
else
    echo "xmlsec1 not installed: skipping the ID-reference wrapping tests" >&2
fi

# Enveloping: an unsigned ds:Object added next to the signed one
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" --packaging enveloping -o enveloping.xml taxform.xml
perl -pe 's{</ds:Signature>}{<ds:Object><Selvangivelse>forged</Selvangivelse></ds:Object></ds:Signature>}' enveloping.xml >extra-object.xml
expect_exit 2 "test_xades_rejects_unsigned_object_in_enveloping" -- verify_json extra-object.xml
expect_json '.signatures[0].subindication == "SIG_CONSTRAINTS_FAILURE"' "unsigned ds:Object"

# Detached: a reference that reaches outside the signature's folder is not followed (the changed
# URI also breaks the signature value, so the verdict is TOTAL_FAILED; the error says why)
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -f xades -o detached.xml "$DOCS/letter.txt"
for uri in ../letter.txt /etc/passwd file:///etc/passwd http://127.0.0.1/x; do
    perl -pe "s{URI=\"letter.txt\"}{URI=\"$uri\"}" detached.xml >escape.xml
    expect_exit 1 "test_xades_refuses_detached_uri $uri" -- verify_json escape.xml
    expect_json '.signatures[0].errors | map(test("not followed")) | any' "$uri not followed"
done

# Hostile XML: refused before any entity is declared (exit 3, one clear error)
printf '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<d>&x;</d>\n' >xxe.xml
expect_exit 3 "test_xades_refuses_xxe" -- "$VERIFY" --json --trust "$PKI/trust/oces3-root.pem" xxe.xml
grep -q 'DOCTYPE' err.txt out.txt && pass || fail "XXE error names the DOCTYPE: $(cat err.txt out.txt)"
grep -q 'root:' out.txt err.txt && fail "XXE leaked /etc/passwd" || pass
{
    printf '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    prev=lol
    for i in 1 2 3 4 5 6 7 8 9; do
        printf ' <!ENTITY lol%s "%s">\n' "$i" "$(for _ in 1 2 3 4 5 6 7 8 9 10; do printf '&%s;' "$prev"; done)"
        prev=lol$i
    done
    printf ']>\n<lolz xmlns:ds="http://www.w3.org/2000/09/xmldsig#">&lol9;</lolz>\n'
} >laughs.xml
expect_exit 3 "test_xades_refuses_billion_laughs" -- timeout 20 "$VERIFY" --json --trust "$PKI/trust/oces3-root.pem" laughs.xml
grep -q 'DOCTYPE' err.txt out.txt && pass || fail "billion laughs error names the DOCTYPE"
{
    printf '<?xml version="1.0"?>\n<!DOCTYPE q [<!ENTITY a "%s">]>\n<q>' "$(head -c 50000 /dev/zero | tr '\0' a)"
    for _ in $(seq 1 2000); do printf '&a;'; done
    printf '</q>\n'
} >quadratic.xml
expect_exit 3 "test_xades_refuses_quadratic_blowup" -- timeout 20 "$VERIFY" --json --trust "$PKI/trust/oces3-root.pem" quadratic.xml
printf '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<d>&x;</d>\n' >xxe-sign.xml
expect_exit 3 "test_xades_refuses_to_sign_xml_with_doctype" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -o xxe-signed.xml xxe-sign.xml
printf '<a><b></a>' >broken.xml
expect_exit 3 "not well-formed XML" -- "$VERIFY" --json --trust "$PKI/trust/oces3-root.pem" broken.xml
finish
