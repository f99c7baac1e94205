#!/usr/bin/env bash
# Keys on a PKCS#11 token: SoftHSM2 holds an OCES-shaped key and certificate; segl-sign signs all
# three formats with it through an RFC 7512 URI, the PIN from a file or the environment.
. "$(dirname "$0")/lib.sh"
module=$(ls /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so 2>/dev/null | head -n 1)
if [ -z "$module" ] || ! command -v softhsm2-util >/dev/null || ! command -v pkcs11-tool >/dev/null; then
    echo "SKIP: SoftHSM2 or pkcs11-tool not installed (setup.sh installs softhsm2 and opensc)"
    exit 0
fi
mkdir tokens
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$WORK" >softhsm2.conf
export SOFTHSM2_CONF=$WORK/softhsm2.conf
softhsm2-util --init-token --free --label "OCES test" --pin 4321 --so-pin 87654321 >/dev/null
softhsm2-util --import "$PKI/oces3/employee.key.pem" --token "OCES test" --label signing --id 0a --pin 4321 >/dev/null
openssl x509 -in "$PKI/oces3/employee.pem" -outform DER -out employee.der
pkcs11-tool --module "$module" --token-label "OCES test" --login --pin 4321 \
    --write-object employee.der --type cert --id 0a --label signing >/dev/null 2>&1
printf '4321\n' >pin.txt
printf '0000\n' >wrong-pin.txt
URI="pkcs11:token=OCES%20test;object=signing?module-path=$module"
cp "$DOCS/letter.txt" "$DOCS/taxform.xml" "$DOCS/contract.pdf" .
token_sign() { "$SIGN" -q --pkcs11 "$URI" --chain "$PKI/oces3/chain.pem" "$@"; }

expect_exit 0 "CAdES with the token key (certificate from the token)" -- token_sign --pass-file pin.txt -o t.p7s letter.txt
expect_exit 0 "XAdES with the token key" -- env TOKEN_PIN=4321 "$SIGN" -q --pkcs11 "$URI" --chain "$PKI/oces3/chain.pem" --pass-env TOKEN_PIN -o t.xml taxform.xml
expect_exit 0 "PAdES with the token key" -- token_sign --pass-file pin.txt -o t.pdf contract.pdf
for f in t.p7s t.xml t.pdf; do
    content=()
    [ "$f" = t.p7s ] && content=(--content letter.txt)
    expect_exit 0 "verify $f" -- verify_json "${content[@]}" "$f"
    expect_json '.indication == "TOTAL_PASSED" and .signatures[0].signer.oces.kind == "employee" and .signatures[0].signer.oces.cvr == "12345678"' "$f signed by the employee certificate on the token"
done
expect_exit 0 "openssl cms -verify accepts the token signature" -- openssl cms -verify -binary -inform DER -in t.p7s -content letter.txt -CAfile "$PKI/trust/oces3-root.pem" -attime "$AT_EPOCH" -purpose any -out /dev/null
expect_exit 0 "certificate given with --cert" -- token_sign --pass-file pin.txt --cert "$PKI/oces3/employee.pem" -o c.p7s letter.txt
# libp11 leaks its RSA method and a few objects when a login fails (not segl's memory: the
# stacks end in the engine), so LeakSanitizer is told to look away for this one call.
expect_exit 3 "wrong PIN" -- env ASAN_OPTIONS=detect_leaks=0 "$SIGN" -q --pkcs11 "$URI" --chain "$PKI/oces3/chain.pem" --pass-file wrong-pin.txt -o w.p7s letter.txt
expect_one_line_error "wrong PIN" '^segl-sign: pkcs11:token=OCES%20test;object=signing: wrong PIN, or no private key there on the token$'
[ ! -e w.p7s ] && pass || fail "wrong PIN left an output"
# test_a_chain_short_of_a_root_is_warned_about_at_signing_time: the token holds the signer's
# certificate alone; --chain adds the CAs
expect_exit 0 "token key without --chain" -- "$SIGN" -q --pkcs11 "$URI" --pass-file pin.txt -o short.p7s letter.txt
expect_one_line_error "token key without --chain" '^segl-sign: warning: the certificate chain stops short of /CN=Test Den Danske Stat OCES udstedende-CA 1/O=Den Danske Stat/C=DK, so a validator may not find the signer.s path \(INDETERMINATE\): add the CA certificates with --chain FILE$'
expect_exit 0 "token key with --chain" -- token_sign --pass-file pin.txt -o full.p7s letter.txt
[ ! -s err.txt ] && pass || fail "a warning with the whole chain: $(cat err.txt)"

# test_a_pin_in_the_uri_is_refused_and_never_echoed
expect_exit 3 "pin-value in the URI" -- "$SIGN" -q --pkcs11 "$URI&pin-value=4321" --chain "$PKI/oces3/chain.pem" --pass-file pin.txt -o pv.p7s letter.txt
expect_one_line_error "pin-value in the URI" 'carries the PIN \(pin-value=\).*--pass-file FILE$'
grep -q 4321 err.txt && fail "the PIN was echoed: $(cat err.txt)" || pass
[ ! -e pv.p7s ] && pass || fail "pin-value: an output was written"
expect_exit 3 "no PIN and no terminal" -- token_sign -o n.p7s letter.txt </dev/null
expect_exit 3 "certificate that does not match the token key" -- token_sign --pass-file pin.txt --cert "$PKI/oces3/person.pem" -o m.p7s letter.txt
expect_exit 3 "not a pkcs11 URI" -- "$SIGN" -q --pkcs11 "token=x" --pass-file pin.txt -o x.p7s letter.txt
expect_exit 3 "both -k and --pkcs11" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pkcs11 "$URI" --pass-file pin.txt -o x.p7s letter.txt
# The PIN never appears in the process arguments: segl-sign takes it from a file or the environment only.
"$SIGN" --help | grep -q -- '--pin' && fail "a --pin option exists" || pass
finish
