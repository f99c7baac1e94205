#!/usr/bin/env bash
# What must not pass, and bad input: a verdict other than TOTAL_PASSED or a clear one-line error
# with the documented exit code; never a crash, never a partial output, never a changed input.
. "$(dirname "$0")/lib.sh"
cp "$DOCS/letter.txt" .
key() { echo "$PKI/oces3/$1.p12"; }
sign() { "$SIGN" -q -k "$(key "$1")" --pass-file "$PASS" -o "$2" "${3:-letter.txt}"; }

sign person good.p7s
# Tampered content -> TOTAL_FAILED/HASH_FAILURE, exit 1
printf 'Tilføjet efter underskrift.\n' >>tampered.txt
cat letter.txt >tampered.txt; printf 'x' >>tampered.txt
expect_exit 1 "tampered content" -- verify_json --content tampered.txt good.p7s
expect_json '.indication == "TOTAL_FAILED" and .signatures[0].subindication == "HASH_FAILURE"' "tampered content is HASH_FAILURE"

# Tampered signature value (the last bytes of a detached CAdES signature) -> SIG_CRYPTO_FAILURE
size=$(stat -c %s good.p7s)
cp good.p7s badsig.p7s
printf '\x00\x01\x02\x03' | dd of=badsig.p7s bs=1 seek=$((size - 8)) conv=notrunc status=none
expect_exit 1 "tampered signature value" -- verify_json --content letter.txt badsig.p7s
expect_json '.signatures[0].indication == "TOTAL_FAILED" and .signatures[0].subindication == "SIG_CRYPTO_FAILURE"' "tampered signature is SIG_CRYPTO_FAILURE"

# No trust anchor -> INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND, exit 2, never a pass
expect_exit 2 "no trust given" -- "$VERIFY" --json --at "$AT" --content letter.txt good.p7s
expect_json '.indication == "INDETERMINATE" and .signatures[0].subindication == "NO_CERTIFICATE_CHAIN_FOUND"' "no trust"
expect_exit 2 "unrelated trust anchor" -- "$VERIFY" --json --at "$AT" --trust "$PKI/other/root.pem" --content letter.txt good.p7s
expect_json '.signatures[0].subindication == "NO_CERTIFICATE_CHAIN_FOUND"' "wrong trust anchor"
"$SIGN" -q -k "$PKI/other/signer.p12" --pass-file "$PASS" -o other.p7s letter.txt
expect_exit 2 "signer from another hierarchy" -- verify_json --content letter.txt other.p7s
expect_json '.signatures[0].subindication == "NO_CERTIFICATE_CHAIN_FOUND"' "foreign signer"

# Certificate validity at the validation time
sign expired expired.p7s
expect_exit 2 "expired signer" -- verify_json --content letter.txt expired.p7s
expect_json '.signatures[0].indication == "INDETERMINATE" and .signatures[0].subindication == "OUT_OF_BOUNDS_NO_POE"' "expired signer"
expect_exit 0 "expired signer validated at a time inside its validity" -- "$VERIFY" --json --at 2021-06-01T00:00:00Z --trust "$PKI/trust/oces3-root.pem" --content letter.txt expired.p7s
sign notyet notyet.p7s
expect_exit 2 "not-yet-valid signer" -- verify_json --content letter.txt notyet.p7s
expect_json '.signatures[0].subindication == "NOT_YET_VALID"' "not yet valid"
sign noku noku.p7s
expect_exit 2 "certificate without a signing key usage" -- verify_json --content letter.txt noku.p7s
expect_json '.signatures[0].subindication == "CHAIN_CONSTRAINTS_FAILURE"' "key usage"

# Detached signature without its content
expect_exit 2 "no content for a detached signature" -- verify_json good.p7s
expect_json '.signatures[0].subindication == "SIGNED_DATA_NOT_FOUND"' "signed data not found"
expect_exit 3 "content file missing" -- verify_json --content nosuch.txt good.p7s
expect_one_line_error "missing content" '^segl-verify: good.p7s: cannot open content nosuch.txt'

# Garbage, empty, truncated, not-a-signature inputs: exit 3, one line, no crash
cp "$DOCS/garbage.p7s" "$DOCS/empty.bin" .
head -c 700 good.p7s >truncated.p7s
for bad in garbage.p7s empty.bin truncated.p7s nosuch.p7s; do
    expect_exit 3 "bad input $bad" -- verify_json "$bad"
    expect_one_line_error "bad input $bad" "^segl-verify: $bad: "
    expect_json '.error != null and .indication == null' "bad input $bad reported in JSON"
done
# ASN.1 length bombs: a SignedData claiming 2 GiB, and 100000 nested indefinite-length
# SEQUENCEs. Refused quickly (timeout 20), with exit 3, without a crash or a memory blow-up.
printf '\x30\x84\x7f\xff\xff\xff\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02\xa0\x84\x7f\xff\xff\xf0' >bomb-length.p7s
head -c 4096 /dev/zero >>bomb-length.p7s
{ printf '\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02'; for _ in $(seq 1 2000); do printf '\x30\x80\x30\x80\x30\x80\x30\x80\x30\x80\x30\x80\x30\x80\x30\x80\x30\x80\x30\x80'; done; } >bomb-nesting.p7s
for bomb in bomb-length.p7s bomb-nesting.p7s; do
    expect_exit 3 "ASN.1 bomb $bomb" -- timeout 20 "$VERIFY" --json --content letter.txt "$bomb"
    expect_one_line_error "ASN.1 bomb $bomb" "^segl-verify: $bomb: "
done

# A batch goes on past a broken file; the exit code is the most severe (3)
cp expired.p7s letter.txt.p7s
expect_exit 3 "batch with a broken file" -- verify_json garbage.p7s letter.txt.p7s
expect_json_lines 'length == 2 and .[1].signatures[0].subindication == "OUT_OF_BOUNDS_NO_POE"' "batch continues"

# Key problems: exit 3 with one line, no output file
expect_exit 3 "wrong password" -- "$SIGN" -k "$(key person)" --pass-file /dev/null -o wp.p7s letter.txt
expect_one_line_error "wrong password" 'wrong password'
[ ! -e wp.p7s ] && pass || fail "wrong password left an output"
expect_exit 3 "no password and no terminal" -- "$SIGN" -k "$(key person)" -o np.p7s letter.txt </dev/null
expect_one_line_error "no password" 'password is needed'
expect_exit 3 "key and certificate do not match" -- "$SIGN" -k "$PKI/oces3/person.key.pem" -c "$PKI/oces3/employee.pem" -o mm.p7s letter.txt
expect_one_line_error "mismatch" 'does not belong'
expect_exit 3 "garbage key" -- "$SIGN" -k "$DOCS/garbage.p7s" -o gk.p7s letter.txt
expect_one_line_error "garbage key" '^segl-sign: '
expect_exit 3 "missing input" -- "$SIGN" -q -k "$(key person)" --pass-file "$PASS" nosuch.txt
[ ! -e nosuch.txt.p7s ] && pass || fail "missing input left an output"

# Never overwrite an input, never leave a temporary file behind
before=$(sha256sum letter.txt)
expect_exit 3 "output onto the input" -- "$SIGN" -q -k "$(key person)" --pass-file "$PASS" -o letter.txt letter.txt
[ "$before" = "$(sha256sum letter.txt)" ] && pass || fail "the input was changed"
mkdir ro && chmod 555 ro
if [ "$(id -u)" -ne 0 ]; then
    expect_exit 4 "unwritable output directory" -- "$SIGN" -q -k "$(key person)" --pass-file "$PASS" -o ro/x.p7s letter.txt
fi
expect_exit 4 "output directory missing" -- "$SIGN" -q -k "$(key person)" --pass-file "$PASS" -o nodir/x.p7s letter.txt
[ -z "$(find . -name '.segl-tmp-*')" ] && pass || fail "temporary files left: $(find . -name '.segl-tmp-*')"

# SIGINT while signing leaves no temporary file and no output: the input is a FIFO that never
# finishes, so segl-sign is inside the signing when the signal comes.
mkfifo slow.fifo
"$SIGN" -q -k "$(key person)" --pass-file "$PASS" -f cades -o interrupted.p7s slow.fifo 2>/dev/null &
signer=$!
exec 7>slow.fifo            # open the writing end: segl-sign starts reading
printf 'part of a document' >&7
sleep 0.5
kill -INT "$signer"
wait "$signer"
status=$?
exec 7>&-
[ "$status" -ne 0 ] && pass || fail "interrupted segl-sign exited 0"
[ ! -e interrupted.p7s ] && [ -z "$(find . -name '.segl-tmp-*')" ] && pass || fail "SIGINT left files: $(ls -a)"

# Usage errors and help
expect_exit 3 "no arguments (sign)" -- "$SIGN"
expect_exit 3 "no arguments (verify)" -- "$VERIFY"
expect_exit 3 "unknown option" -- "$VERIFY" --frobnicate x
expect_exit 3 "bad --at" -- "$VERIFY" --at yesterday good.p7s
expect_one_line_error "bad --at" "not an RFC 3339 time"
expect_exit 3 "unknown format" -- "$SIGN" -k "$(key person)" -f docx letter.txt
expect_exit 3 "PAdES asked for a text file" -- "$SIGN" -q -k "$(key person)" --pass-file "$PASS" -f pades -o p.pdf letter.txt
expect_one_line_error "PAdES asked for a text file" "not a PDF"
[ ! -e p.pdf ] && pass || fail "a refused PAdES left an output"
expect_exit 3 "level not in this build" -- "$SIGN" -q -k "$(key person)" --pass-file "$PASS" -l B-LTA -o l.p7s letter.txt
expect_exit 3 "-o with several inputs" -- "$SIGN" -k "$(key person)" -o x.p7s letter.txt letter.txt
for command in "$SIGN" "$VERIFY"; do
    expect_exit 0 "--help" -- "$command" --help
    name=$(basename "$command")
    # Every long option in --help is documented in the man page.
    for option in $(grep -oE -- '--[a-z][a-z0-9-]+' out.txt | sort -u); do
        grep -q -- "${option//-/\\\\-}" "$SEGL_SOURCE/man/$name.1" || grep -q -- "$option" "$SEGL_SOURCE/man/$name.1" &&
            pass || fail "$name: $option is in --help but not in man/$name.1"
    done
done

finish
