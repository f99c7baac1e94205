#!/usr/bin/env bash
# Signing with every kind of OCES test key and validating the result: the verdict, the level and
# the OCES identity the report gives.
. "$(dirname "$0")/lib.sh"
cp "$DOCS/letter.txt" "$DOCS/taxform.xml" "$DOCS/contract.pdf" .

# OCES3: PKCS#12 files; kind, uuid, cvr as in testdata/mkpki.sh
for who in person employee organisation ec pss; do
    cp letter.txt "letter-$who.txt"
    expect_exit 0 "sign with oces3/$who.p12" -- "$SIGN" -q -k "$PKI/oces3/$who.p12" --pass-file "$PASS" "letter-$who.txt"
    expect_exit 0 "verify oces3/$who signature" -- verify_json "letter-$who.txt.p7s"
    expect_json '.indication == "TOTAL_PASSED" and .format == "cades"' "oces3/$who verdict"
    expect_json '.signatures | length == 1' "oces3/$who one signature"
    expect_json '.signatures[0].level == "CAdES-BASELINE-B" and .signatures[0].subindication == null' "oces3/$who level"
    expect_json '.signatures[0].signer.oces.test == false' "oces3/$who production policy"
done
verify_json letter-person.txt.p7s >out.txt
expect_json '.signatures[0].signer.oces == {"kind":"person","uuid":"5f1c0a3e-8d2b-4c71-9e4a-0b6d2f3a7c11","pid":null,"rid":null,"uid":null,"fid":null,"cvr":null,"test":false}' "person identity"
expect_json '.signatures[0].signer.common_name == "Anna Testesen" and .signatures[0].signer.serial_number == "UI:DK-P:G:5f1c0a3e-8d2b-4c71-9e4a-0b6d2f3a7c11"' "person name and serial"
verify_json letter-person.txt.p7s --revocation off >out.txt
expect_json '[.signatures[0].chain[] | .revocation] == ["none", "none", "none"]' "revocation off: the chain's sources are all none"
expect_json '.signatures[0].chain[0].subject == .signatures[0].signer.subject and (.signatures[0].chain[2].subject | test("rod"; "i"))' "chain from the signer to the OCES3 root"
verify_json letter-employee.txt.p7s >out.txt
expect_json '.signatures[0].signer.oces.kind == "employee" and .signatures[0].signer.oces.cvr == "12345678" and .signatures[0].signer.oces.uuid == "6a2d1b4f-9e3c-4d82-8f5b-1c7e3a4b8d22"' "employee identity"
verify_json letter-organisation.txt.p7s >out.txt
expect_json '.signatures[0].signer.oces.kind == "organisation" and .signatures[0].signer.oces.cvr == "12345678"' "organisation identity"
verify_json letter-ec.txt.p7s >out.txt
expect_json '.signatures[0].signer.common_name == "Søren Østergård"' "non-ASCII signer name kept as UTF-8"

# OCES2: legacy-encrypted PKCS#12 (RC2/3DES), multi-valued RDN, system-test policies
declare -A field=([poces]=pid [moces]=rid [voces]=uid [foces]=fid)
declare -A value=([poces]=9208-2002-2-123456789012 [moces]=1234567890123 [voces]=12345678901234 [foces]=98765432109876)
declare -A kind=([poces]=person [moces]=employee [voces]=organisation [foces]=function)
for who in poces moces voces foces; do
    cp letter.txt "letter-$who.txt"
    expect_exit 0 "sign with legacy oces2/$who.legacy.p12" -- "$SIGN" -q -k "$PKI/oces2/$who.legacy.p12" --pass-file "$PASS" "letter-$who.txt"
    expect_exit 0 "verify oces2/$who" -- verify_json "letter-$who.txt.p7s"
    expect_json ".signatures[0].signer.oces.kind == \"${kind[$who]}\" and .signatures[0].signer.oces.${field[$who]} == \"${value[$who]}\" and .signatures[0].signer.oces.test == true" "oces2/$who identity"
done
expect_json '.signatures[0].signer.oces.cvr == "12345678"' "oces2 cvr from the serial"

# PEM key with --cert and --chain; password from the environment for a p12
expect_exit 0 "sign with PEM key and certificate" -- "$SIGN" -q -k "$PKI/oces3/person.key.pem" -c "$PKI/oces3/person.pem" --chain "$PKI/oces3/chain.pem" -o pem.p7s letter.txt
expect_exit 0 "verify PEM-key signature" -- verify_json --content letter.txt pem.p7s
expect_json '.indication == "TOTAL_PASSED"' "PEM-key signature passes"
expect_exit 0 "password from --pass-env" -- env SEGL_TEST_PASS=test1234 "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-env SEGL_TEST_PASS -o env.p7s letter.txt
expect_exit 0 "password file with a trailing newline" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PKI/password-nl.txt" -o nl.p7s letter.txt

# Fixed signing time is reported as signed
expect_exit 0 "sign with a fixed signing time" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" --signing-time 2026-05-01T10:00:00+02:00 -o timed.p7s letter.txt
verify_json --content letter.txt timed.p7s >out.txt
expect_json '.signatures[0].signing_time == "2026-05-01T08:00:00Z"' "signing time in UTC"

# Digests
for digest in sha384 sha512; do
    expect_exit 0 "sign with $digest" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" --digest "$digest" -o "$digest.p7s" letter.txt
    expect_exit 0 "verify $digest" -- verify_json --content letter.txt "$digest.p7s"
done
expect_exit 3 "md5 refused" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" --digest md5 -o md5.p7s letter.txt
[ ! -e md5.p7s ] && pass || fail "refused signing left an output file"

# Enveloping .p7m
expect_exit 0 "sign enveloping" -- "$SIGN" -q -k "$PKI/oces3/employee.p12" --pass-file "$PASS" -f cades --packaging enveloping contract.pdf
[ -s contract.pdf.p7m ] && pass || fail "enveloping output named contract.pdf.p7m"
expect_exit 0 "verify enveloping" -- verify_json contract.pdf.p7m
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].level == "CAdES-BASELINE-B"' "enveloping passes"

# Several inputs in one call, default names; the inputs are untouched
sha_before=$(sha256sum letter.txt taxform.xml contract.pdf)
rm -f ./*.p7s
expect_exit 0 "sign three documents in one call" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -f cades letter.txt taxform.xml contract.pdf
[ "$sha_before" = "$(sha256sum letter.txt taxform.xml contract.pdf)" ] && pass || fail "an input changed"
expect_exit 0 "verify three signatures in one call (default content names)" -- verify_json letter.txt.p7s taxform.xml.p7s contract.pdf.p7s
expect_json_lines 'length == 3 and all(.indication == "TOTAL_PASSED")' "one passing JSON line per file"

# Human output names the signer and the verdict
expect_exit 0 "human summary" -- "$VERIFY" --at "$AT" --trust "$PKI/trust/oces3-root.pem" letter.txt.p7s
grep -q 'TOTAL_PASSED' out.txt && grep -q 'Anna Testesen' out.txt && grep -q 'UI:DK-P:G:5f1c0a3e' out.txt && pass || fail "human summary: $(cat out.txt)"

# stdin to stdout, both ways
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" --packaging enveloping -o - - <letter.txt >piped.p7m
[ $? -eq 0 ] && [ -s piped.p7m ] && pass || fail "sign stdin to stdout"
verify_json - <piped.p7m >out.txt
expect_json '.indication == "TOTAL_PASSED" and .file == "-"' "verify from stdin"

# Trust given as a directory of hashed links
expect_exit 0 "trust directory" -- "$VERIFY" --json --at "$AT" --trust "$PKI/trust/all" letter.txt.p7s

# Quiet on success when nobody watches: stderr is a file here, so nothing is said
expect_exit 0 "sign without -q, stderr not a terminal" -- "$SIGN" -k "$PKI/oces3/person.p12" --pass-file "$PASS" -o quiet.p7s letter.txt
[ ! -s err.txt ] && pass || fail "segl-sign spoke on success to a non-terminal: $(cat err.txt)"

finish
