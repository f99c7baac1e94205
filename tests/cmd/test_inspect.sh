#!/usr/bin/env bash
# segl-inspect describes certificates, PKCS#12 files and signed files without validating them; the
# default trust store ships the public OCES CAs and never trusts the test PKI.
. "$(dirname "$0")/lib.sh"
INSPECT=$SEGL_BIN/segl-inspect
TRUST=$SEGL_SOURCE/trust
cp "$DOCS/letter.txt" .

# OCES3 certificates: identity, key, usages, policies, fingerprint
expect_exit 0 "inspect an OCES3 person certificate" -- "$INSPECT" --json "$PKI/oces3/person.pem"
expect_json '.type == "certificate" and (.certificates | length == 1)' "person: one certificate"
expect_json '.certificates[0].oces.kind == "person" and .certificates[0].oces.generation == 3 and .certificates[0].oces.uuid == "5f1c0a3e-8d2b-4c71-9e4a-0b6d2f3a7c11"' "person: OCES identity"
expect_json '.certificates[0].common_name == "Anna Testesen" and .certificates[0].key_type == "RSA" and .certificates[0].key_bits == 3072' "person: name and key"
expect_json '.certificates[0].key_usage == ["digitalSignature","nonRepudiation"] and .certificates[0].ca == false' "person: key usage"
expect_json '.certificates[0].signature_algorithm == "RSASSA-PSS"' "person: signed by the CA with RSASSA-PSS"
want_fp=$(openssl x509 -in "$PKI/oces3/person.pem" -noout -fingerprint -sha256 | cut -d= -f2)
expect_json ".certificates[0].sha256_fingerprint == \"$want_fp\"" "person: SHA-256 fingerprint as openssl says"
serial=$(openssl x509 -in "$PKI/oces3/person.pem" -noout -serial | cut -d= -f2)
expect_json ".certificates[0].serial == \"$serial\"" "person: serial"
expect_exit 0 "inspect an OCES3 employee certificate" -- "$INSPECT" --json "$PKI/oces3/employee.pem"
expect_json '.certificates[0].oces.kind == "employee" and .certificates[0].oces.cvr == "12345678" and .certificates[0].oces.test == false' "employee: identity"
expect_json '.certificates[0].policies | index(["0.4.0.2042.1.1"]) != null' "employee: ETSI NCP policy"
expect_exit 0 "inspect an OCES3 organisation certificate (DER)" -- "$INSPECT" --json "$PKI/oces3/organisation.pem"
expect_json '.certificates[0].oces.kind == "organisation" and .certificates[0].oces.cvr == "12345678"' "organisation: identity"
openssl x509 -in "$PKI/oces3/organisation.pem" -outform DER -out organisation.der
expect_exit 0 "inspect a DER certificate" -- "$INSPECT" --json organisation.der
expect_json '.certificates[0].oces.kind == "organisation"' "DER certificate read"
expect_exit 0 "inspect a PEM bundle" -- "$INSPECT" --json "$PKI/oces3/chain.pem"
expect_json '(.certificates | length) >= 1 and all(.certificates[]; .ca == true)' "bundle: every CA certificate"
expect_exit 0 "inspect the timestamping certificate" -- "$INSPECT" --json "$PKI/oces3/tsa.pem"
expect_json '.certificates[0].extended_key_usage == ["timeStamping"]' "extended key usage"

# Human output
expect_exit 0 "human output" -- "$INSPECT" "$PKI/oces3/employee.pem"
grep -q 'employee (OCES3)' out.txt && grep -q 'CVR 12345678' out.txt && grep -q 'SHA-256:' out.txt &&
    grep -q 'digitalSignature, nonRepudiation' out.txt && pass || fail "human output: $(cat out.txt)"

# OCES2 legacy PKCS#12 (RC2/3DES) with the password from --pass-file, --pass-env
expect_exit 0 "inspect a legacy OCES2 p12" -- "$INSPECT" --json --pass-file "$PASS" "$PKI/oces2/moces.legacy.p12"
expect_json '.type == "pkcs12" and .key_matches_certificate == true and .key_bits == 2048' "p12: key"
expect_json '.certificates[0].oces.kind == "employee" and .certificates[0].oces.rid == "1234567890123" and .certificates[0].oces.test == true and .certificates[0].oces.generation == 2' "p12: OCES2 identity of the key's certificate"
expect_json '(.certificates | length) == 3 and .certificates[1].ca == true' "p12: chain after the key's certificate"
expect_exit 0 "p12 password from --pass-env" -- env SEGL_TEST_PASS=test1234 "$INSPECT" --json --pass-env SEGL_TEST_PASS "$PKI/oces3/person.p12"
expect_json '.certificates[0].oces.kind == "person"' "p12 via --pass-env"
printf 'wrong\n' >wrong.txt
expect_exit 3 "wrong password" -- "$INSPECT" --pass-file wrong.txt "$PKI/oces2/poces.legacy.p12"
expect_one_line_error "wrong password" "poces.legacy.p12: wrong password"
[ ! -s out.txt ] && pass || fail "wrong password printed: $(cat out.txt)"
expect_exit 3 "no password and no terminal" -- "$INSPECT" "$PKI/oces2/poces.legacy.p12" </dev/null
expect_one_line_error "no password" "password"

# Signed files: the signatures are listed, not validated
"$SIGN" -q -k "$PKI/oces3/employee.p12" --pass-file "$PASS" --signing-time 2026-05-01T10:00:00Z letter.txt
expect_exit 0 "inspect a detached .p7s" -- "$INSPECT" --json letter.txt.p7s
expect_json '.type == "signed" and .format == "cades" and .packaging == "detached" and (.signatures | length == 1)' "p7s: one signature"
expect_json '.signatures[0].signer.oces.kind == "employee" and .signatures[0].signer.common_name == "Bo Ansat"' "p7s: signer"
expect_json '.signatures[0].signing_time == "2026-05-01T10:00:00Z" and .signatures[0].digest_algorithm == "sha256"' "p7s: claimed time and digest"
expect_json '(.signatures[0].level_markers | index(["signing-certificate-v2"]) != null) and .signatures[0].claimed_level == "CAdES-BASELINE-B"' "p7s: level markers"
id=$(jq -r '.signatures[0].id' out.txt)
verify_json letter.txt.p7s >out.txt
expect_json ".signatures[0].id == \"$id\"" "the signature id is the one segl-verify reports"
echo "tampered" >>letter.txt
expect_exit 0 "a signature that would fail is still listed" -- "$INSPECT" letter.txt.p7s
grep -q 'Bo Ansat' out.txt && grep -q 'not validated' out.txt && pass || fail "human signature listing: $(cat out.txt)"
"$SIGN" -q -k "$PKI/oces3/pss.p12" --pass-file "$PASS" --packaging enveloping -o env.p7m "$DOCS/letter.txt"
expect_exit 0 "inspect an enveloping .p7m from stdin" -- "$INSPECT" --json - <env.p7m
expect_json '.file == "-" and .packaging == "enveloping" and .signatures[0].signature_algorithm == "RSASSA-PSS"' "p7m from stdin"
openssl cms -cmsout -inform DER -in env.p7m -outform PEM -out env.pem.p7m
expect_exit 0 "inspect a PEM CMS file" -- "$INSPECT" --json env.pem.p7m
expect_json '.type == "signed" and (.signatures | length == 1)' "PEM CMS listed"
expect_exit 0 "a certificate from stdin" -- "$INSPECT" --json - <"$PKI/oces3/person.pem"
expect_json '.certificates[0].oces.kind == "person"' "certificate from stdin"

# Unreadable and unrecognised input: exit 3, one line, the other files still done
head -c 1000 /dev/urandom >garbage.bin
expect_exit 3 "garbage" -- "$INSPECT" garbage.bin
expect_one_line_error "garbage" "garbage.bin: not a certificate, PKCS#12 file or signed file"
: >empty
expect_exit 3 "empty file" -- "$INSPECT" empty
expect_exit 3 "missing file" -- "$INSPECT" no-such-file
expect_one_line_error "missing file" "no-such-file: No such file or directory$"
expect_exit 3 "garbage among good files" -- "$INSPECT" --json "$PKI/oces3/person.pem" garbage.bin "$PKI/oces3/employee.pem"
expect_json_lines 'length == 3 and .[1].type == null and (.[1].error | length > 0) and .[2].certificates[0].oces.kind == "employee"' "every file reported"
expect_exit 3 "no arguments" -- "$INSPECT"
expect_exit 0 "--version" -- "$INSPECT" --version
grep -q '^segl-inspect ' out.txt && pass || fail "--version: $(cat out.txt)"
expect_exit 0 "--help" -- "$INSPECT" --help
for option in $(grep -oE -- '--[a-z][a-z0-9-]+' out.txt | sort -u); do
    grep -q -- "${option//-/\\\\-}" "$SEGL_SOURCE/man/segl-inspect.1" && pass ||
        fail "$option is in --help but not in man/segl-inspect.1"
done

# The shipped trust store: public OCES CAs, readable, with the published fingerprints
expect_exit 0 "inspect the shipped OCES3 root" -- "$INSPECT" --json "$TRUST/oces3-rod-ca.pem"
expect_json '.certificates[0].common_name == "Den Danske Stat OCES rod-CA" and .certificates[0].self_signed == true and .certificates[0].signature_algorithm == "RSASSA-PSS" and .certificates[0].key_bits == 4096' "OCES3 rod-CA, RSASSA-PSS"
expect_json '.certificates[0].sha256_fingerprint | startswith("06:FC:B2:CB") and endswith("9C:09")' "rod-CA fingerprint as published"
expect_exit 0 "every shipped certificate loads" -- "$INSPECT" --json "$TRUST"/*.pem
expect_json_lines 'length == 4 and all(.certificates[0].ca == true)' "four CA certificates"
for pem in "$TRUST"/*.pem; do
    grep -q "$(openssl x509 -in "$pem" -noout -fingerprint -sha256 | cut -d= -f2)" "$TRUST/README.md" &&
        pass || fail "$(basename "$pem"): fingerprint not in trust/README.md"
done

# Default trust: a test-PKI signature never chains to it
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -o good.p7s "$DOCS/letter.txt"
expect_exit 2 "test PKI with the default trust only" -- "$VERIFY" --json --at "$AT" --content "$DOCS/letter.txt" good.p7s
expect_json '.indication == "INDETERMINATE" and .signatures[0].subindication == "NO_CERTIFICATE_CHAIN_FOUND"' "test PKI is not trusted by default"
[ ! -s err.txt ] && pass || fail "default trust loaded without a word: $(cat err.txt)"
"$SIGN" -q -k "$PKI/oces2/voces.legacy.p12" --pass-file "$PASS" -o oces2.p7s "$DOCS/letter.txt"
expect_exit 2 "OCES2 system test with the default trust only" -- "$VERIFY" --json --at "$AT" --content "$DOCS/letter.txt" oces2.p7s
expect_json '.signatures[0].subindication == "NO_CERTIFICATE_CHAIN_FOUND"' "OCES2 system-test certificate not trusted by default"
expect_exit 0 "--trust adds to the default trust" -- "$VERIFY" --json --at "$AT" --trust "$PKI/trust/oces3-root.pem" --content "$DOCS/letter.txt" good.p7s
expect_json '.indication == "TOTAL_PASSED"' "--trust with the default trust"
expect_exit 2 "--no-default-trust" -- "$VERIFY" --json --no-default-trust --at "$AT" --content "$DOCS/letter.txt" good.p7s
expect_json '.signatures[0].errors | any(test("no trust anchors configured"))' "--no-default-trust leaves no anchors"
expect_exit 2 "a missing default store is a warning" -- env SEGL_TRUST_DIR="$WORK/none" "$VERIFY" --json --at "$AT" --content "$DOCS/letter.txt" good.p7s
expect_one_line_error "missing default store" "warning: default trust .*/none: No such file or directory; going on without it"

# XAdES and PAdES files are listed too, from what their signatures claim (nothing validated)
cp "$DOCS/taxform.xml" "$DOCS/contract.pdf" .
"$SEGL_BIN/segl-sign" -q -k "$PKI/oces3/employee.p12" --pass-file "$PASS" taxform.xml contract.pdf
for signed in taxform.xml.xades.xml contract.pdf.signed.pdf; do
    expect_exit 0 "inspect $signed" -- "$SEGL_BIN/segl-inspect" --json "$signed"
    expect_json '(.signatures | length) == 1 and .signatures[0].signer.oces.kind == "employee" and (.signatures[0].claimed_level | test("BASELINE-B")) and (.signatures[0] | has("indication") | not)' "$signed listed without a verdict"
done
finish
