#!/usr/bin/env bash
# PAdES interop with NSS (issue 4): segl validates what poppler's `pdfsig -add-signature` signs
# through an NSS database, the two sign one document in turn and both signatures stay valid, and
# pdfsig validates segl's signatures against an NSS database that trusts the test root.
. "$(dirname "${BASH_SOURCE[0]}")/../cmd/lib.sh"
skip_without pdfsig certutil pk12util faketime # (certutil, pk12util: libnss3-tools)
cp "$DOCS/contract.pdf" .
ROOT=$PKI/trust/oces3-root.pem
# pdfsig signs and validates at the real clock: run it an hour before the fixed validation time,
# so that its signing time and its certificate checks do not move with the date.
NSS_TIME="@$(date -u -d "@$((AT_EPOCH - 3600))" '+%Y-%m-%d %H:%M:%S')"
# libfaketime preloaded directly, not through the faketime wrapper, whose semaphores collide
# when a pid comes round again under load (as in tests/servers/start.sh).
LIBFAKETIME=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1)
nss() { TZ=UTC LD_PRELOAD="$LIBFAKETIME" FAKETIME="$NSS_TIME" "$@"; }
subject_field() { # subject_field CERT FIELD: one field of a certificate's subject
    openssl x509 -in "$1" -noout -subject -nameopt multiline | sed -n "s/^ *$2 *= //p"
}
segl_verify() { "$VERIFY" --json --at "$AT" --trust "$ROOT" "$@" 2>/dev/null; }

# The NSS database: the signing keys, and the test root trusted for everything.
mkdir nssdb
certutil -N --empty-password -d sql:nssdb >/dev/null
for who in person pss; do
    expect_exit 0 "pk12util imports $who.p12" -- pk12util -i "$PKI/oces3/$who.p12" -d sql:nssdb -w "$PASS"
done
expect_exit 0 "certutil trusts the test root" -- certutil -A -n root -t CT,C,C -i "$ROOT" -d sql:nssdb
PERSON_NICK=$(subject_field "$PKI/oces3/person.pem" commonName)
PERSON_UUID=$(subject_field "$PKI/oces3/person.pem" serialNumber | sed 's/^UI:DK-P:G://')
PSS_NICK=$(subject_field "$PKI/oces3/pss.pem" commonName)
pdfsig_check() { nss pdfsig -nssdir sql:nssdb -no-ocsp "$1" >pdfsig.txt 2>&1; }

# 1. pdfsig signs (adbe.pkcs7.detached; this poppler refuses -etsi with -add-signature), segl
# validates: the person's OCES identity, the whole document covered, nothing modified.
expect_exit 0 "pdfsig -add-signature" -- nss pdfsig -add-signature -nssdir sql:nssdb \
    -nick "$PERSON_NICK" -digest SHA256 -reason Godkendt contract.pdf nss.pdf
segl_verify nss.pdf >out.txt
expect_json '(.signatures | length) == 1 and .signatures[0].indication == "TOTAL_PASSED"
    and .signatures[0].signer.oces.kind == "person" and .signatures[0].signer.oces.uuid == "'"$PERSON_UUID"'"
    and .signatures[0].modification == "none" and .signatures[0].covers == ["the whole document"]' \
    "segl validates pdfsig's signature"

# 2. segl countersigns pdfsig's output: pdfsig and segl both find two valid signatures, the
# later covering the whole document and the earlier changed only as a signature allows.
expect_exit 0 "segl signs pdfsig's output" -- "$SIGN" -q -k "$PKI/oces3/employee.p12" --pass-file "$PASS" -o both.pdf nss.pdf
pdfsig_check both.pdf
[ "$(grep -c 'Signature is Valid' pdfsig.txt)" -eq 2 ] && pass || fail "pdfsig: not both signatures valid: $(cat pdfsig.txt)"
grep -A12 'Signature #2' pdfsig.txt | grep -q 'Total document signed' && pass || fail "pdfsig: segl's signature does not cover the document"
segl_verify both.pdf >out.txt
expect_json '(.signatures | length) == 2 and all(.signatures[]; .indication == "TOTAL_PASSED")
    and ([.signatures[].modification] | sort) == ["allowed", "none"]' "segl validates both signatures"

# 3. pdfsig validates segl's signatures with the root trusted. Without the trust pdfsig says
# "Certificate issuer isn't Trusted"; with it, poppler 22.12 says "Unknown issue with Certificate
# or corrupted data" although NSS accepts the chain: SignatureHandler::validateCertificate reads
# PORT_GetError() after CERT_PKIXVerifyCert without looking at its SECSuccess, and libpkix leaves
# SEC_ERROR_EXTENSION_NOT_FOUND behind from probing optional extensions (name constraints, the
# root's missing authority key identifier). So: "Certificate is Trusted", or that answer when
# vfychain -pp (the same libpkix check, email-signer usage) finds the chain good.
vfychain -d sql:nssdb -pp -u 4 -a "$PKI/oces3/person.pem" 2>&1 | grep -q 'Chain is good' && chain_good=1 || chain_good=0
for who in person employee ec; do
    "$SIGN" -q -k "$PKI/oces3/$who.p12" --pass-file "$PASS" -o "segl-$who.pdf" contract.pdf
    pdfsig_check "segl-$who.pdf"
    grep -q 'Signature is Valid' pdfsig.txt && pass || fail "pdfsig+NSS: $who signature not valid: $(cat pdfsig.txt)"
    grep -q 'Total document signed' pdfsig.txt && pass || fail "pdfsig+NSS: $who signature does not cover the document"
    if grep -q 'Certificate is Trusted' pdfsig.txt ||
       { [ "$chain_good" -eq 1 ] && grep -q 'Unknown issue with Certificate' pdfsig.txt; }; then
        pass
    else
        fail "pdfsig+NSS: $who certificate not trusted: $(grep 'Certificate Validation' pdfsig.txt)"
    fi
done

# 4. RSASSA-PSS. NSS 3.87 cannot verify an RSASSA-PSS signature in CMS at all:
# NSS_CMSSignerInfo_Verify hands VFY_VerifyDataDirect the algorithm tag but not the
# AlgorithmIdentifier's parameters, and VFY_EndWithSignature then fails decoding the missing
# RSASSA-PSS-params with SEC_ERROR_INVALID_ARGS. However segl encodes them (explicit SHA-256,
# MGF1-SHA-256, salt 32, or OpenSSL's own encoding from `openssl cms -sign -keyopt
# rsa_padding_mode:pss`), pdfsig says "Signature is Invalid"; it says so of its own PSS
# signature too. (NSS's own omits the parameters, which RFC 4055 3.1 requires with a signature
# value; OpenSSL refuses it with "invalid pss parameters", and segl must not accept it.) So:
# pdfsig accepts segl's PSS signature, or rejects its own as well.
"$SIGN" -q -k "$PKI/oces3/pss.p12" --pass-file "$PASS" -o segl-pss.pdf contract.pdf
segl_verify segl-pss.pdf >out.txt
expect_json '.signatures[0].indication == "TOTAL_PASSED"' "segl validates its own PSS signature"
expect_exit 0 "pdfsig -add-signature with a PSS key" -- nss pdfsig -add-signature -nssdir sql:nssdb \
    -nick "$PSS_NICK" -digest SHA256 contract.pdf nss-pss.pdf
segl_verify nss-pss.pdf >out.txt
expect_json '.signatures[0].indication == "TOTAL_FAILED"' "segl rejects NSS's PSS signature without parameters"
pdfsig_check nss-pss.pdf
grep -q 'Signature is Valid' pdfsig.txt && nss_verifies_pss=1 || nss_verifies_pss=0
pdfsig_check segl-pss.pdf
if grep -q 'Signature is Valid' pdfsig.txt; then
    pass
elif [ "$nss_verifies_pss" -eq 0 ]; then
    pass
    echo "NOTE: this NSS verifies no RSASSA-PSS signature in CMS (not segl's, not its own)"
else
    fail "pdfsig+NSS verifies its own PSS signature but not segl's: $(cat pdfsig.txt)"
fi
# 4. The other order: segl signs first, pdfsig second. segl writes its AcroForm as an object of
# its own, so pdfsig adds its field to it and segl finds both signatures.
"$SIGN" -q -k "$PKI/oces3/employee.p12" --pass-file "$PASS" -o segl-first.pdf contract.pdf
expect_exit 0 "pdfsig signs after segl" -- nss pdfsig -add-signature -nssdir sql:nssdb \
    -nick "$PERSON_NICK" -digest SHA256 segl-first.pdf both.pdf
segl_verify both.pdf >out.txt
expect_json '(.signatures | length) == 2 and all(.signatures[]; .indication == "TOTAL_PASSED")' \
    "segl finds and passes both signatures when pdfsig signed second"
finish
