#!/usr/bin/env bash
# CMS as other signers make it (formats/cms/cms_received.c): signed attributes signed in the
# encoding sent rather than in DER, and RFC 5940 OCSP responses in SignedData.crls, for CAdES
# and PAdES alike. The files are segl's own, edited by tests/cmd/cms_edit.py.
. "$(dirname "$0")/lib.sh"
EDIT="python3 $(dirname "$0")/cms_edit.py"
cp "$DOCS/letter.txt" "$DOCS/contract.pdf" .
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" letter.txt
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -o signed.pdf contract.pdf
KEY=$PKI/oces3/person.key.pem
verdict() { verify_json "$@" --revocation off 2>/dev/null >out.txt; }
not_der='.signatures[0].warnings | index("signed attributes not DER encoded") != null'

# test_signed_attributes_signed_in_the_order_sent_are_valid_with_a_warning
$EDIT unsort letter.txt.p7s "$KEY" unsorted.p7s
expect_exit 0 "unsorted signed attributes, signed as sent" -- verdict unsorted.p7s --content letter.txt
expect_json ".indication == \"TOTAL_PASSED\" and ($not_der)" "signed in the order sent: valid, warned"
# test_signed_attributes_with_ber_lengths_signed_as_sent_are_valid_with_a_warning (OpenSSL
# re-encodes the message digest's long-form length: only the bytes as received verify)
$EDIT long-length letter.txt.p7s "$KEY" long.p7s
expect_exit 0 "long-form length in a signed attribute, signed as sent" -- verdict long.p7s --content letter.txt
expect_json ".indication == \"TOTAL_PASSED\" and ($not_der)" "BER length signed as sent: valid, warned"
# test_signed_attributes_sent_unsorted_but_signed_in_der_are_valid_with_a_warning
$EDIT unsort-unsigned letter.txt.p7s unsorted-der.p7s
expect_exit 0 "unsorted signed attributes, signed in DER" -- verdict unsorted-der.p7s --content letter.txt
expect_json ".indication == \"TOTAL_PASSED\" and ($not_der)" "signed in DER, sent unsorted: valid, warned"
# test_a_changed_signed_attribute_sent_unsorted_is_invalid
$EDIT unsort-tamper letter.txt.p7s "$KEY" tampered.p7s
expect_exit 1 "a changed attribute in an unsorted set" -- verdict tampered.p7s --content letter.txt
expect_json '.indication == "TOTAL_FAILED" and .signatures[0].subindication == "SIG_CRYPTO_FAILURE"' "changed attribute: SIG_CRYPTO_FAILURE"
# test_der_signed_attributes_give_no_warning
expect_exit 0 "segl's own DER signature" -- verdict letter.txt.p7s --content letter.txt
expect_json ".indication == \"TOTAL_PASSED\" and ($not_der | not)" "DER: no warning"
# The same for a PDF signature.
$EDIT pdf signed.pdf long.pdf -- long-length "$KEY"
expect_exit 0 "PDF: BER length signed as sent" -- verdict long.pdf
expect_json ".indication == \"TOTAL_PASSED\" and ($not_der)" "PDF, BER length signed as sent: valid, warned"
$EDIT pdf signed.pdf tampered.pdf -- unsort-tamper "$KEY"
expect_exit 1 "PDF: a changed attribute" -- verdict tampered.pdf
expect_json '.indication == "TOTAL_FAILED" and (.signatures[0].errors | index("the signature value does not verify with the signer'"'"'s key") != null)' "PDF changed attribute: the signature does not verify"

# RFC 5940: an OCSP response for the signer (made offline, at the validation day) in crls. The
# CA certificate's status comes from the root's CRL given; nothing is fetched (--offline), and a
# missing status is an error (--revocation require).
openssl ocsp -issuer "$PKI/oces3/ca.pem" -cert "$PKI/oces3/person.pem" -no_nonce -reqout req.der >/dev/null 2>&1
faketime '2026-05-31 12:00:00' openssl ocsp -index "$PKI/oces3/ca-db/index.txt" -CA "$PKI/oces3/ca.pem" \
    -rsigner "$PKI/oces3/ocsp.pem" -rkey "$PKI/oces3/ocsp.key.pem" -reqin req.der -respout ocsp.der \
    -ndays 7 >/dev/null 2>&1
[ -s ocsp.der ] && pass || fail "no OCSP response made"
offline() { verify_json "$@" --offline --revocation require --crl "$PKI/oces3/root.crl" 2>/dev/null >out.txt; }
# test_cades_without_revocation_data_offline_is_try_later (the control)
expect_exit 2 "CAdES without revocation data, offline" -- offline letter.txt.p7s --content letter.txt
expect_json '.signatures[0].subindication == "TRY_LATER"' "no revocation data: TRY_LATER"
# test_cades_ocsp_response_in_crls_is_revocation_data
$EDIT add-ocsp letter.txt.p7s ocsp.der ocsp.p7s
expect_exit 0 "CAdES with an RFC 5940 OCSP response in crls, offline" -- offline ocsp.p7s --content letter.txt
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].chain[0].revocation == "ocsp"' "CAdES: the signer's status from the OCSP response in crls"
if have openssl; then # the edited file is still a CMS signature OpenSSL verifies
    openssl cms -verify -binary -inform DER -in ocsp.p7s -content letter.txt -CAfile "$PKI/trust/oces3-root.pem" \
        -purpose any -attime "$AT_EPOCH" -out /dev/null 2>/dev/null && pass || fail "openssl cms does not verify ocsp.p7s"
fi
# test_pades_ocsp_response_in_crls_is_revocation_data
expect_exit 2 "PAdES without revocation data, offline" -- offline signed.pdf
expect_json '.signatures[0].subindication == "TRY_LATER"' "PDF without revocation data: TRY_LATER"
# (room in /Contents: the CMS keeps only the signer's certificate, the CA's is given with --certs)
$EDIT pdf signed.pdf ocsp.pdf -- add-ocsp-drop-cert ocsp.der
expect_exit 0 "PAdES with an RFC 5940 OCSP response in crls, offline" -- offline ocsp.pdf \
    --certs "$PKI/oces3/ca.pem"
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].chain[0].revocation == "ocsp"' "PAdES: the signer's status from the OCSP response in crls"
# test_an_ocsp_response_for_another_certificate_in_crls_proves_nothing
openssl ocsp -issuer "$PKI/oces3/ca.pem" -cert "$PKI/oces3/employee.pem" -no_nonce -reqout other-req.der >/dev/null 2>&1
faketime '2026-05-31 12:00:00' openssl ocsp -index "$PKI/oces3/ca-db/index.txt" -CA "$PKI/oces3/ca.pem" \
    -rsigner "$PKI/oces3/ocsp.pem" -rkey "$PKI/oces3/ocsp.key.pem" -reqin other-req.der -respout other.der \
    -ndays 7 >/dev/null 2>&1
$EDIT add-ocsp letter.txt.p7s other.der other.p7s
expect_exit 2 "CAdES with another certificate's OCSP response in crls" -- offline other.p7s --content letter.txt
expect_json '.signatures[0].subindication == "TRY_LATER"' "another certificate's response: TRY_LATER"
finish
