#!/usr/bin/env bash
# The network is bounded: --timeout is the whole wait for one certificate's revocation status (all
# its OCSP responders and CRL distribution points together), a host that did not answer is not
# asked again in the run, and on a terminal one line says what is fetched from where. Against a
# local server that accepts connections and never answers.
. "$(dirname "$0")/lib.sh"
python=$(command -v /usr/bin/python3 || command -v python3)
cat >silent.py <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
print(s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept()[0])  # accepted, never answered
PY
"$python" -u silent.py >port.txt &
listener=$!
trap 'kill "$listener" 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do [ -s port.txt ] && break; sleep 0.1; done
SILENT=$(cat port.txt)
[ -n "$SILENT" ] && pass || fail "the silent listener did not start"

# A signer whose certificates name only the silent server: two OCSP responders and two CRLs for
# the signer, one of each for the issuing CA.
cat >ext.cnf <<CNF
[inter]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
authorityInfoAccess=OCSP;URI:http://127.0.0.1:$SILENT/ocsp-ca
crlDistributionPoints=URI:http://127.0.0.1:$SILENT/root.crl
[leaf]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,nonRepudiation
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
authorityInfoAccess=OCSP;URI:http://127.0.0.1:$SILENT/ocsp,OCSP;URI:http://127.0.0.1:$SILENT/ocsp2
crlDistributionPoints=URI:http://127.0.0.1:$SILENT/a.crl,URI:http://127.0.0.1:$SILENT/b.crl
CNF
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
openssl req -x509 "${ec[@]}" -keyout root.key -subj "/CN=Silent Root" -days 3650 \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -out root.pem 2>/dev/null
openssl req "${ec[@]}" -keyout inter.key -subj "/CN=Silent Issuing CA" -out inter.csr 2>/dev/null
openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -CAcreateserial -days 3650 -extfile ext.cnf -extensions inter -out inter.pem 2>/dev/null
openssl req "${ec[@]}" -keyout leaf.key -subj "/CN=Silent Signer" -out leaf.csr 2>/dev/null
openssl x509 -req -in leaf.csr -CA inter.pem -CAkey inter.key -CAcreateserial -days 3650 -extfile ext.cnf -extensions leaf -out leaf.pem 2>/dev/null
echo "a document" >doc.txt
expect_exit 0 "sign with the silent signer" -- "$SIGN" -q -k leaf.key -c leaf.pem --chain inter.pem -o doc.txt.p7s doc.txt
cp doc.txt.p7s again.p7s
cp doc.txt again

# test_timeout_bounds_the_whole_wait_for_a_certificates_status: 6 URLs in the chain, two files;
# each URL with its own timeout would be 6 x 2 s per file. One certificate's wait is at most
# 2 s, and the host that did not answer is not asked again: the batch ends in about 2 s.
start=$(date +%s%N)
expect_exit 2 "validate against a silent server" -- "$VERIFY" --json -j 1 --no-default-trust --trust root.pem --timeout 2 --revocation require doc.txt.p7s again.p7s
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
[ "$elapsed_ms" -lt 5000 ] && pass || fail "a silent server cost ${elapsed_ms} ms with --timeout 2 (wanted about 2 s)"
[ "$elapsed_ms" -ge 1900 ] && pass || fail "finished in ${elapsed_ms} ms: the timeout was not waited for at all"
expect_json_lines 'length == 2 and all(.signatures[0].subindication == "TRY_LATER")' "revocation status unknown: TRY_LATER"
grep -q 'Timeout was reached' out.txt && pass || fail "the reason (timeout) is not said: $(head -c 600 out.txt)"
grep -q 'not asked: http://127.0.0.1:'"$SILENT"' failed earlier' out.txt && pass || fail "the silent host was asked again"

# test_a_line_on_a_terminal_says_what_is_fetched_from_where (script gives stderr a terminal)
if have script; then
    script -qec "$VERIFY --no-default-trust --trust root.pem --timeout 1 doc.txt.p7s" /dev/null >tty.txt 2>&1
    grep -q "^segl-verify: asking http://127.0.0.1:$SILENT/ocsp for a certificate's status (OCSP)" tty.txt && pass ||
        fail "no fetch line on a terminal: $(head -c 600 tty.txt)"
    "$VERIFY" --no-default-trust --trust root.pem --timeout 1 doc.txt.p7s >plain.txt 2>&1
    grep -q "asking http" plain.txt && fail "a fetch line without a terminal: $(cat plain.txt)" || pass
fi
finish
