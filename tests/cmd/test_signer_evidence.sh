#!/usr/bin/env bash
# Issue 15: the signer of an XML signature is found by evidence, not by position in KeyInfo
# (SigningCertificateV2 names it; without that property the certificate whose key verifies
# SignatureValue; the others only help build the chain), and a CA is never the signer. And
# X509CRL in KeyInfo is validation data: a signature carrying its CRLs validates offline with
# revocation required.
. "$(dirname "$0")/lib.sh"
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -f xades -o signed.xml \
    "$DOCS/taxform.xml" || fail "sign taxform.xml"

# edit FROM TO WHAT: TO is FROM changed in its (unsigned) KeyInfo, or re-signed by xmlsec1.
edit() {
    python3 - "$PKI" "$@" <<'EOF'
import base64, hashlib, subprocess, sys
pki, source, target, what = sys.argv[1:]
signed = open(source).read()

def body(path):
    return "".join(l for l in open(path).read().split("\n") if l and not l.startswith("-----"))

def der(path):
    return base64.b64decode(body(path))

def x509data(inner):
    return "<ds:X509Data>%s</ds:X509Data>\n" % inner

ca = x509data("<ds:X509Certificate>%s</ds:X509Certificate>" % body(pki + "/oces3/ca.pem"))
root = x509data("<ds:X509Certificate>%s</ds:X509Certificate>" % body(pki + "/oces3/root.pem"))
if what == "ca-first":  # OpenSign's order: intermediate, signer, root
    signed = signed.replace("<ds:KeyInfo>\n", "<ds:KeyInfo>\n" + ca, 1)
    signed = signed.replace("</ds:KeyInfo>", root + "</ds:KeyInfo>", 1)
elif what == "crls":
    crls = "".join("<ds:X509CRL>%s</ds:X509CRL>" %
                   base64.b64encode(open(pki + "/oces3/%s.crl.der" % n, "rb").read()).decode()
                   for n in ("ca", "root"))
    signed = signed.replace("</ds:X509Data>", crls + "</ds:X509Data>", 1)
elif what == "names-ca":  # SigningCertificateV2 names the CA; signed again by the person's key
    start = signed.index("<xades:CertDigest>")
    value = signed.index("<ds:DigestValue>", start) + len("<ds:DigestValue>")
    end = signed.index("</ds:DigestValue>", value)
    digest = base64.b64encode(hashlib.sha256(der(pki + "/oces3/ca.pem")).digest()).decode()
    signed = signed[:value] + digest + signed[end:]
    signed = signed.replace("<ds:KeyInfo>\n", "<ds:KeyInfo>\n" + ca, 1)
    open(target + ".tmpl", "w").write(signed)
    subprocess.run(["xmlsec1", "--sign", "--privkey-pem", pki + "/oces3/person.key.pem",
                    "--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
                    "--output", target, target + ".tmpl"], check=True, stdout=subprocess.DEVNULL)
    sys.exit(0)
open(target, "w").write(signed)
EOF
}
edit signed.xml ca-first.xml ca-first || fail "make ca-first.xml"
edit signed.xml names-ca.xml names-ca || fail "make names-ca.xml"
edit signed.xml crls.xml crls || fail "make crls.xml"

expect_exit 0 "test_xades_signer_named_by_signing_certificate_not_the_ca_listed_first" -- \
    verify_json --revocation off ca-first.xml
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].signer.common_name == "Anna Testesen"' \
    "test_xades_signer_named_by_signing_certificate_not_the_ca_listed_first"

expect_exit 1 "test_xades_signing_certificate_naming_a_ca_fails" -- \
    verify_json --revocation off names-ca.xml
expect_json '.signatures[0].indication == "TOTAL_FAILED" and .signatures[0].signer == null' \
    "test_xades_signing_certificate_naming_a_ca_is_never_reported_as_the_signer"
expect_json '.signatures[0].errors | index("the signing certificate named in SignedProperties is a CA certificate") != null' \
    "test_xades_signing_certificate_naming_a_ca_says_why"

# Without its CRLs, offline with revocation required, the status is unknown; with them in
# KeyInfo it is known.
expect_exit 2 "test_xades_offline_without_crls_is_indeterminate" -- \
    verify_json --offline --revocation require signed.xml
expect_exit 0 "test_xades_x509crl_in_keyinfo_is_revocation_data" -- \
    verify_json --offline --revocation require crls.xml
expect_json '.indication == "TOTAL_PASSED"' "test_xades_x509crl_in_keyinfo_is_revocation_data"

finish
