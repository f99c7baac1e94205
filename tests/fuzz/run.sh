#!/usr/bin/env bash
# Run every fuzz target for SECONDS (default 30) from seeds made with the test PKI.
# Usage: tests/fuzz/run.sh BUILD_DIR TESTDATA_DIR [SECONDS]
# A longer run: tests/fuzz/run.sh build-fuzz build/testdata 3600
set -euo pipefail
build=$1 testdata=$2 seconds=${3:-30}
src=$(cd "$(dirname "$0")/../.." && pwd)
corpus=$build/fuzz-corpus
mkdir -p "$corpus/verify" "$corpus/pkcs12" "$corpus/time"
pki=$testdata/pki
# Seeds: signatures of every shape segl makes, the key files, and time strings.
printf 'seed\n' >"$corpus/seed.txt"
for who in person ec pss; do
    "$src/build/segl-sign" -q -k "$pki/oces3/$who.p12" --pass-file "$pki/password.txt" -o "$corpus/verify/$who.p7s" "$corpus/seed.txt" 2>/dev/null || true
    "$src/build/segl-sign" -q -k "$pki/oces3/$who.p12" --pass-file "$pki/password.txt" --packaging enveloping -o "$corpus/verify/$who.p7m" "$corpus/seed.txt" 2>/dev/null || true
    cp "$pki/oces3/$who.p12" "$pki/oces3/$who.key.pem" "$corpus/pkcs12/"
done
cp "$pki/oces2/poces.legacy.p12" "$corpus/pkcs12/"
# XAdES and PAdES seeds: the demo documents, signed
"$src/build/segl-sign" -q -k "$pki/oces3/person.p12" --pass-file "$pki/password.txt" \
    -o "$corpus/verify/taxform.xades.xml" "$src/testdata/demo/taxform.xml" 2>/dev/null || true
"$src/build/segl-sign" -q -k "$pki/oces3/person.p12" --pass-file "$pki/password.txt" \
    -o "$corpus/verify/contract.signed.pdf" "$src/testdata/demo/contract.pdf" 2>/dev/null || true
printf '2026-11-24T10:00:00Z' >"$corpus/time/a"; printf '2026-11-24T11:00:00.5+01:00' >"$corpus/time/b"
# A timestamp token and an OCSP response made offline by openssl (no server needed).
mkdir -p "$corpus/timestamp" "$corpus/revocation" "$corpus/tl"
# A trusted list seed: the shape testdata/tl/mktl.sh makes (unsigned here; the signature is
# the fuzzer's to break anyway).
cp "$src"/testdata/tl/*.xml "$corpus/tl/" 2>/dev/null ||
    printf '<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#"><SchemeInformation/></TrustServiceStatusList>' >"$corpus/tl/minimal.xml"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '01\n' >"$work/serial"
cat >"$work/tsa.cnf" <<CNF
[ tsa ]
default_tsa = t
[ t ]
serial = $work/serial
signer_cert = $pki/oces3/tsa.pem
certs = $pki/oces3/chain.pem
signer_key = $pki/oces3/tsa.key.pem
signer_digest = sha256
default_policy = 1.2.3.4
digests = sha256
ess_cert_id_alg = sha256
CNF
printf 'the signature value a timestamp would cover' >"$work/covered"
openssl ts -query -data "$work/covered" -sha256 -cert -out "$work/q.tsq" 2>/dev/null &&
    openssl ts -reply -config "$work/tsa.cnf" -queryfile "$work/q.tsq" -token_out -out "$corpus/timestamp/token.der" 2>/dev/null || true
openssl ocsp -issuer "$pki/oces3/ca.pem" -cert "$pki/oces3/person.pem" -reqout "$work/req.der" 2>/dev/null &&
    openssl ocsp -index "$pki/oces3/ca-db/index.txt" -CA "$pki/oces3/ca.pem" -rsigner "$pki/oces3/ocsp.pem" \
        -rkey "$pki/oces3/ocsp.key.pem" -reqin "$work/req.der" -respout "$corpus/revocation/ocsp.der" 2>/dev/null || true
cp "$pki/oces3/ca.crl.der" "$corpus/revocation/" 2>/dev/null || true
for target in verify pkcs12 time timestamp revocation tl; do
    echo "fuzz_$target: ${seconds}s"
    SEGL_FUZZ_TRUST=$pki/trust/oces3-root.pem SEGL_FUZZ_PKI=$pki/oces3 \
        "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" \
        -timeout=10 -rss_limit_mb=1024 -print_final_stats=0 "$corpus/$target" 2>&1 | tail -n 3
done
