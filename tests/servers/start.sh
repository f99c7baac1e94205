#!/usr/bin/env bash
# Start the test servers on 127.0.0.1 (a ctest fixture; stop.sh ends them), on SEGL_TEST_PORT
# (default 19080) and the two ports after it, as testdata/mkpki.sh wrote them into the certificates:
#   19080  HTTP: CRLs and CA certificates of the test PKI, and an RFC 3161 TSA (http.sh)
#   (openssl ocsp -port cannot bind to one address: the responders listen on all of them)
#   19081  OCSP responder for the OCES3 issuing CA  (openssl ocsp -port, delegated responder)
#   19082  OCSP responder for the OCES2 issuing CA  (openssl ocsp -port, the CA signs itself)
# The TSA and the responders run with their clocks fixed at SEGL_TSA_TIME (default
# 2026-06-01 12:00:00 UTC) through faketime, so every timestamp and OCSP answer is the same on
# every run and the tests validate with --at after it.
# Usage: tests/servers/start.sh STATE_DIR PKI_DIR
set -euo pipefail
state=$1 pki=$2
here=$(cd "$(dirname "$0")" && pwd)
export SEGL_TSA_TIME=${SEGL_TSA_TIME:-2026-06-01 12:00:00}
export TZ=UTC
port=${SEGL_TEST_PORT:-19080}
"$here/stop.sh" "$state" 2>/dev/null || true
mkdir -p "$state"
printf '01\n' >"$state/tsaserial"
cat >"$state/tsa.cnf" <<CNF
[ tsa ]
default_tsa = segl_test_tsa
[ segl_test_tsa ]
serial = $state/tsaserial
crypto_device = builtin
signer_cert = $pki/oces3/tsa.pem
certs = $pki/oces3/chain.pem
signer_key = $pki/oces3/tsa.key.pem
signer_digest = sha256
default_policy = 1.2.208.169.1.1.1.99.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
CNF

for p in $port $((port + 1)) $((port + 2)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
        echo "port $p is already in use: another test run? (SEGL_TEST_PORT picks others)" >&2
        exit 1
    fi
done

# libfaketime preloaded by env (which execs), not the faketime wrapper (which forks): the pid
# recorded is then the responder's own, and stop.sh can end its process group. The responders'
# clocks stand still (an absolute FAKETIME, not "@", which starts the clock there and lets it
# run): a responder runs for the whole test run, and an answer produced more than the clock skew
# segl tolerates (5 minutes) after the timestamps counts for nothing, so the long-term tests failed
# whenever they ran late in a slow run (the ASan pass). The TSA starts a process per request.
libfaketime=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1)
faketime=(LD_PRELOAD="$libfaketime" FAKETIME="$SEGL_TSA_TIME")
export SEGL_LIBFAKETIME=$libfaketime   # for http.sh's TSA

start() { # NAME COMMAND...
    local name=$1
    shift
    setsid "$@" >"$state/$name.log" 2>&1 </dev/null &
    echo $! >"$state/$name.pid"
}
start http socat TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork \
    EXEC:"$here/http.sh $pki $state"
start ocsp3 env "${faketime[@]}" openssl ocsp -port $((port + 1)) \
    -index "$pki/oces3/ca-db/index.txt" -CA "$pki/oces3/ca.pem" \
    -rsigner "$pki/oces3/ocsp.pem" -rkey "$pki/oces3/ocsp.key.pem" -ndays 7
start ocsp2 env "${faketime[@]}" openssl ocsp -port $((port + 2)) \
    -index "$pki/oces2/ca-db/index.txt" -CA "$pki/oces2/ca.pem" \
    -rsigner "$pki/oces2/ca.pem" -rkey "$pki/oces2/ca.key.pem" -ndays 7

# Ready when each listens. Not by opening a connection to the responders: `openssl ocsp`
# serves one connection at a time and waits forever on one that closes without a request.
for _ in $(seq 1 200); do
    if grep -q ACCEPT "$state/ocsp3.log" 2>/dev/null && grep -q ACCEPT "$state/ocsp2.log" 2>/dev/null &&
        curl -sf -o /dev/null "http://127.0.0.1:$port/ca.crl"; then
        exit 0
    fi
    sleep 0.05
done
echo "the test servers did not start; see $state/*.log" >&2
exit 1
