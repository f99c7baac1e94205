#!/usr/bin/env bash
# Interop with OpenSSL's cms tool, both ways: what segl signs, `openssl cms -verify` accepts; what
# `openssl cms -sign` makes, segl validates.
. "$(dirname "${BASH_SOURCE[0]}")/../cmd/lib.sh"
cp "$DOCS/letter.txt" "$DOCS/contract.pdf" .
ROOT=$PKI/trust/oces3-root.pem

openssl_verify() { # openssl_verify SIG CONTENT|-
    if [ "$2" = - ]; then
        openssl cms -verify -binary -inform DER -in "$1" -CAfile "$ROOT" -attime "$AT_EPOCH" -purpose any -out /dev/null
    else
        openssl cms -verify -binary -inform DER -in "$1" -content "$2" -CAfile "$ROOT" -attime "$AT_EPOCH" -purpose any -out /dev/null
    fi
}

# segl -> openssl
for who in person employee ec pss; do
    "$SIGN" -q -k "$PKI/oces3/$who.p12" --pass-file "$PASS" -o "$who.p7s" letter.txt
    expect_exit 0 "openssl cms -verify accepts segl's detached $who signature" -- openssl_verify "$who.p7s" letter.txt
    "$SIGN" -q -k "$PKI/oces3/$who.p12" --pass-file "$PASS" -f cades --packaging enveloping -o "$who.p7m" contract.pdf
    expect_exit 0 "openssl cms -verify accepts segl's enveloping $who signature" -- openssl_verify "$who.p7m" -
    openssl cms -verify -binary -inform DER -in "$who.p7m" -noverify -out extracted.pdf 2>/dev/null
    cmp -s extracted.pdf contract.pdf && pass || fail "enveloped content of $who.p7m differs from the original"
    # openssl also checks the ESS signing-certificate-v2 attribute with -cades
    expect_exit 0 "openssl cms -verify -cades accepts segl's $who signature" -- openssl cms -verify -cades -binary -inform DER -in "$who.p7s" -content letter.txt -CAfile "$ROOT" -attime "$AT_EPOCH" -purpose any -out /dev/null
done
openssl cms -cmsout -print -inform DER -in person.p7s >print.txt
for attribute in contentType messageDigest signingTime id-smime-aa-signingCertificateV2; do
    grep -q "$attribute" print.txt && pass || fail "segl's signature lacks $attribute"
done
grep -q 'rsassaPss' <(openssl cms -cmsout -print -inform DER -in pss.p7s) && pass || fail "PSS key does not give an RSASSA-PSS signature"

# openssl -> segl
osign() { # osign OUT SIGNER [extra openssl options...]
    local out=$1 who=$2
    shift 2
    openssl cms -sign -binary -in letter.txt -signer "$PKI/oces3/$who.pem" -inkey "$PKI/oces3/$who.key.pem" \
        -certfile "$PKI/oces3/chain.pem" -outform DER -out "$out" "$@"
}
osign o-cades.p7s person -cades
expect_exit 0 "segl validates openssl cms -sign -cades" -- verify_json --content letter.txt o-cades.p7s
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].level == "CAdES-BASELINE-B"' "openssl CAdES is baseline B"
osign o-pss.p7s person -cades -keyopt rsa_padding_mode:pss
expect_exit 0 "segl validates openssl RSASSA-PSS" -- verify_json --content letter.txt o-pss.p7s
osign o-ec.p7s ec -cades -md sha384
expect_exit 0 "segl validates openssl ECDSA-SHA384" -- verify_json --content letter.txt o-ec.p7s
osign o-plain.p7s person
expect_exit 0 "segl validates plain CMS from openssl" -- verify_json --content letter.txt o-plain.p7s
expect_json '.signatures[0].level == "CMS-NOT-ETSI" and (.signatures[0].warnings | length) > 0' "plain CMS is not CAdES baseline"
osign o-noattr.p7s person -noattr
expect_exit 0 "segl validates CMS without signed attributes" -- verify_json --content letter.txt o-noattr.p7s
expect_json '.signatures[0].level == "CMS-NOT-ETSI"' "no signed attributes"
openssl cms -sign -binary -nodetach -in letter.txt -signer "$PKI/oces3/person.pem" -inkey "$PKI/oces3/person.key.pem" -certfile "$PKI/oces3/chain.pem" -cades -outform PEM -out o-pem.p7m
expect_exit 0 "segl reads PEM CMS" -- verify_json o-pem.p7m
openssl cms -sign -binary -in letter.txt -signer "$PKI/oces3/person.pem" -inkey "$PKI/oces3/person.key.pem" -signer "$PKI/oces3/employee.pem" -inkey "$PKI/oces3/employee.key.pem" -certfile "$PKI/oces3/chain.pem" -cades -outform DER -out o-two.p7s
expect_exit 0 "two signers" -- verify_json --content letter.txt o-two.p7s
expect_json '(.signatures | length) == 2 and ([.signatures[].signer.oces.kind] | sort) == ["employee","person"]' "both signers reported"
osign o-sha1.p7s person -cades -md sha1
expect_exit 2 "SHA-1 digest" -- verify_json --content letter.txt o-sha1.p7s
expect_json '.signatures[0].subindication == "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"' "SHA-1 is not reliable"
cp letter.txt changed.txt; echo >>changed.txt
expect_exit 1 "openssl signature, changed content" -- verify_json --content changed.txt o-cades.p7s
expect_json '.signatures[0].subindication == "HASH_FAILURE"' "HASH_FAILURE"

# Key substitution: a second certificate for the same key, put in place of the signer's. The
# signing-certificate-v2 attribute names the first one, so the signature must not pass.
openssl req -new -key "$PKI/oces3/person.key.pem" -subj "/CN=Anna Testesen/serialNumber=UI:DK-P:G:00000000-0000-4000-8000-000000000000/C=DK" -out twin.csr 2>/dev/null
printf 'keyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nbasicConstraints=critical,CA:FALSE\n' >twin.ext
openssl x509 -req -in twin.csr -CA "$PKI/oces3/ca.pem" -CAkey "$PKI/oces3/ca.key.pem" -set_serial 77777 -days 3650 -extfile twin.ext -sigopt rsa_padding_mode:pss -out twin.pem 2>/dev/null
openssl cms -sign -binary -cades -keyid -nocerts -in letter.txt -signer "$PKI/oces3/person.pem" -inkey "$PKI/oces3/person.key.pem" -certfile twin.pem -outform DER -out swapped.p7s 2>/dev/null
cat "$PKI/oces3/chain.pem" >/dev/null
expect_exit 2 "substituted certificate for the same key" -- verify_json --content letter.txt swapped.p7s
expect_json '.signatures[0].indication != "TOTAL_PASSED" and .signatures[0].subindication == "NO_SIGNING_CERTIFICATE_FOUND"' "key substitution is caught"

finish
