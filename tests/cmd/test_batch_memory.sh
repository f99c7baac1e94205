#!/usr/bin/env bash
# What segl-verify remembers from one file of a batch for the next (a CA's verified signature, a
# signer's description, a signing-certificate attribute that matched) never decides another file:
# a file that differs in any of them is judged as if it came alone, whatever came before it.
. "$(dirname "$0")/lib.sh"

# A copy of the issuing CA's database, so that the fixture's stays as it is.
mkdir ca
cp "$PKI/oces3/ca.pem" "$PKI/oces3/ca.key.pem" ca/
cp -r "$PKI/oces3/ca-db" ca/db
# Two certificates of the OCES3 issuing CA for one key, that differ only in name and serial: a
# signature made under one verifies with the other's key (EN 319 122-1 5.2.2.3 binds it to one).
for who in A B; do
    openssl req -new -key "$PKI/oces3/person.key.pem" -passin "file:$PASS" \
        -subj "/CN=Signer $who/serialNumber=UI:DK-P:G:5f1c0a3e-8d2b-4c71-9e4a-0b6d2f3a7c1$who/C=DK" \
        -out "$who.csr" 2>err.txt || fail "request for $who: $(cat err.txt)"
    (cd ca/db && openssl ca -config openssl.cnf -batch -notext -utf8 -preserveDN \
        -in "$WORK/$who.csr" -out "$WORK/$who.pem" -extensions v3_person \
        -startdate 20250101000000Z -enddate 20301231235959Z -md sha256 \
        -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256) \
        2>err.txt || fail "issue certificate $who: $(cat err.txt)"
    openssl x509 -in "$who.pem" -outform DER -out "$who.der"
    printf 'Dokument fra %s\n' "$who" >"doc$who.txt"
    expect_exit 0 "sign with certificate $who" -- "$SIGN" -q -k "$PKI/oces3/person.key.pem" \
        -c "$who.pem" --chain "$PKI/oces3/ca.pem" --pass-file "$PASS" "doc$who.txt"
done
[ "$(stat -c %s A.der)" -eq "$(stat -c %s B.der)" ] && pass || fail "A and B differ in length"

# A's signature carrying B's certificate instead of A's: B's key verifies it, but the signer
# identifier and the signing-certificate attribute name A.
cp docA.txt swapped.txt
python3 - <<'EOF'
a, b = open("A.der", "rb").read(), open("B.der", "rb").read()
signed = open("docA.txt.p7s", "rb").read()
assert signed.count(a) == 1
open("swapped.txt.p7s", "wb").write(signed.replace(a, b))
EOF
# A's certificate with one bit of the CA's signature on it flipped.
cp docA.txt forged.txt
python3 - <<'EOF'
a = open("A.der", "rb").read()
forged = a[:-1] + bytes([a[-1] ^ 1])
signed = open("docA.txt.p7s", "rb").read()
open("forged.txt.p7s", "wb").write(signed.replace(a, forged))
EOF

verify_json swapped.txt.p7s --revocation off >alone-swapped.json
verify_json forged.txt.p7s --revocation off >alone-forged.json
jq -e '.signatures[0].subindication == "NO_SIGNING_CERTIFICATE_FOUND"' alone-swapped.json >/dev/null &&
    pass || fail "the swapped certificate alone: $(cat alone-swapped.json)"
jq -e '.indication != "TOTAL_PASSED" and
       (.signatures[0].errors | any(test("signature failure")))' alone-forged.json >/dev/null &&
    pass || fail "the forged certificate alone: $(cat alone-forged.json)"

# After the genuine files of both signers, on one thread and on two, and repeated: every attack
# file is judged as it was alone, every genuine file passes.
for jobs in 1 2; do
    # each attack right after A's genuine file (what a thread remembers is the last file's)
    printf '%s\n' docA.txt.p7s swapped.txt.p7s docB.txt.p7s forged.txt.p7s docA.txt.p7s \
        forged.txt.p7s docB.txt.p7s swapped.txt.p7s docA.txt.p7s >list.txt
    expect_exit 2 "the batch with -j $jobs (INDETERMINATE is the worst)" -- \
        verify_json -j "$jobs" --revocation off --files-from list.txt
    expect_json_lines '[.[] | select(.file | startswith("doc"))] | length == 5 and
                       all(.indication == "TOTAL_PASSED")' "-j $jobs: the genuine files pass"
    jq -c 'select(.file == "swapped.txt.p7s")' out.txt >batch-swapped.json
    jq -c 'select(.file == "forged.txt.p7s")' out.txt >batch-forged.json
    for attack in swapped forged; do
        jq -c . "alone-$attack.json" | sort -u >alone.txt
        sort -u "batch-$attack.json" >batch.txt
        cmp -s alone.txt batch.txt && [ "$(wc -l <"batch-$attack.json")" -eq 2 ] && pass ||
            fail "-j $jobs: the $attack file judged otherwise after the genuine ones: $(cat "batch-$attack.json")"
    done
done

finish
