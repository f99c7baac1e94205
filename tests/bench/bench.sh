#!/usr/bin/env bash
# Benchmark (a script, not a test): segl against the per-file peers and the crypto limit, side by
# side in one run on this machine. Prints figures and ratios.
#
#   tests/bench/bench.sh [BUILD_DIR] [N_CADES] [N_XADES] [N_PADES]
#   e.g. tests/bench/bench.sh build 1000 300 200  (the targets of issue 7)
#
# What it measures:
#  - validation of N detached CAdES files: segl-verify (one process, all CPUs) against
#    `openssl cms -verify` run once per file (serially, and with xargs -P <CPUs>); the same for
#    XAdES against `xmlsec1 --verify` and PAdES against `pdfsig`;
#  - the crypto limit: `openssl speed` RSA verifications/s for the key size in use;
#  - batch signing: segl-sign over N files with the key unlocked once, against `openssl speed`
#    RSA signatures/s (the target is >= 80 %);
#  - peak RSS signing and validating a 512 MiB document (target < 64 MiB).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
n=${2:-1000}
n_xades=${3:-300}
n_pades=${4:-200}
cpus=$(nproc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$src/testdata/mkpki.sh" "$work/pki" >/dev/null
pki=$work/pki
key=$pki/oces3/person.p12
bits=$(openssl x509 -in "$pki/oces3/person.pem" -noout -text | sed -n 's/.*Public-Key: (\([0-9]*\) bit)/\1/p')
at=2026-06-01T00:00:00Z

now() { date +%s.%N; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

echo "machine: $cpus CPUs, $(openssl version), RSA-$bits keys (RSASSA-PSS CA), N=$n"

# ---- documents and batch signing
mkdir "$work/cades"
for i in $(seq 1 "$n"); do printf 'Dokument %d: %s\n' "$i" "$(head -c 2000 /dev/zero | tr '\0' x)" >"$work/cades/d$i.txt"; done
# one thread first (the ratio to `openssl speed`, which is one core), then the default (-j CPUs)
mkdir "$work/cades1"
cp "$work"/cades/d*.txt "$work/cades1/"
t0=$(now)
"$build/segl-sign" -q -j 1 -k "$key" --pass-file "$pki/password.txt" "$work"/cades1/d*.txt
t1=$(now)
sign_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
sign_rate=$(rate "$n" "$sign_secs")
t0=$(now)
"$build/segl-sign" -q -k "$key" --pass-file "$pki/password.txt" "$work"/cades/d*.txt
t1=$(now)
sign_rate_all=$(rate "$n" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
speed=$(openssl speed -seconds 3 "rsa$bits" 2>/dev/null | awk -v b="$bits" '$1 == "rsa" && $2 == b { print $6, $7 }')
speed_sign=${speed% *}
speed_verify=${speed#* }
echo
echo "batch signing, one process, one thread: $sign_rate signatures/s; openssl speed rsa$bits (one core): ${speed_sign%.*} sign/s"
echo "  ratio segl-sign -j 1 / crypto limit: $(awk -v a="$sign_rate" -v b="$speed_sign" 'BEGIN { printf "%.0f %%", 100 * a / b }')"
echo "  segl-sign on all $cpus CPUs (the default): $sign_rate_all signatures/s"

# ---- validation
ls "$work"/cades/*.p7s >"$work/list"
t0=$(now)
"$build/segl-verify" -q --no-default-trust --revocation off --at "$at" --trust "$pki/trust/oces3-root.pem" --files-from "$work/list" || true
t1=$(now)
segl_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
segl_rate=$(rate "$n" "$segl_secs")
epoch=$(date -d "$at" +%s)
peer() { openssl cms -verify -binary -inform DER -in "$1" -content "${1%.p7s}" -CAfile "$2" -attime "$3" -purpose any -out /dev/null 2>/dev/null; }
export -f peer
t0=$(now)
while read -r f; do peer "$f" "$pki/trust/oces3-root.pem" "$epoch"; done <"$work/list"
t1=$(now)
peer_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
t0=$(now)
xargs -P "$cpus" -I{} bash -c 'peer "$@"' _ {} "$pki/trust/oces3-root.pem" "$epoch" <"$work/list"
t1=$(now)
peerp_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
limit=$(awk -v v="$speed_verify" -v c="$cpus" 'BEGIN { printf "%.0f", v * c / 3 }')
echo
echo "validating $n CAdES files (each: signature + 3 certificates in the chain = 3 RSA verifications):"
echo "  segl-verify, one process, $cpus threads: $segl_rate files/s"
echo "  openssl cms -verify per file, serial:    $(rate "$n" "$peer_secs") files/s  -> segl is $(ratio "$peer_secs" "$segl_secs")x"
echo "  openssl cms -verify per file, -P $cpus:     $(rate "$n" "$peerp_secs") files/s  -> segl is $(ratio "$peerp_secs" "$segl_secs")x"
echo "  crypto limit (openssl speed verify/s x $cpus CPUs / 3): $limit files/s -> segl reaches $(awk -v a="$segl_rate" -v b="$limit" 'BEGIN { printf "%.0f %%", 100 * a / b }')"

# ---- XAdES against xmlsec1, PAdES against pdfsig, one process per file for the peers
compare() { # compare NAME N LIST PEER_FUNCTION
    local name=$1 count=$2 list=$3 peer_fn=$4 t0 t1 segl_s peer_s
    t0=$(now)
    "$build/segl-verify" -q --no-default-trust --revocation off --at "$at" --trust "$pki/trust/oces3-root.pem" --files-from "$list" || true
    t1=$(now)
    segl_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
    t0=$(now)
    while read -r f; do "$peer_fn" "$f"; done <"$list"
    t1=$(now)
    peer_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
    echo "  $name: segl-verify $(rate "$count" "$segl_s") files/s, per-file peer $(rate "$count" "$peer_s") files/s -> segl is $(ratio "$peer_s" "$segl_s")x"
}
echo
echo "XAdES ($n_xades files) and PAdES ($n_pades files):"
mkdir "$work/xades" "$work/pades"
for i in $(seq 1 "$n_xades"); do
    printf '<?xml version="1.0" encoding="UTF-8"?>\n<skema id="%d"><felt>Beløb %d</felt></skema>\n' "$i" "$i" >"$work/xades/f$i.xml"
done
"$build/segl-sign" -q -k "$key" --pass-file "$pki/password.txt" "$work"/xades/f*.xml
ls "$work"/xades/*.xades.xml >"$work/xlist"
xmlsec_peer() { xmlsec1 --verify --trusted-pem "$pki/trust/oces3-root.pem" --untrusted-pem "$pki/oces3/ca.pem" \
    --verification-time "2026-06-01 00:00:00" --id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" "$1" >/dev/null 2>&1; }
compare XAdES "$n_xades" "$work/xlist" xmlsec_peer
for i in $(seq 1 "$n_pades"); do cp "$src/testdata/demo/contract.pdf" "$work/pades/c$i.pdf"; done
"$build/segl-sign" -q -k "$key" --pass-file "$pki/password.txt" "$work"/pades/c*.pdf
ls "$work"/pades/*.signed.pdf >"$work/plist"
pdfsig_peer() { pdfsig -nocert "$1" >/dev/null 2>&1; }
compare PAdES "$n_pades" "$work/plist" pdfsig_peer

# ---- memory on a large document
head -c 512M /dev/zero >"$work/big.bin"
sign_rss=$( { /usr/bin/time -f %M "$build/segl-sign" -q -k "$key" --pass-file "$pki/password.txt" -o "$work/big.p7s" "$work/big.bin"; } 2>&1 | tail -1)
verify_rss=$( { /usr/bin/time -f %M "$build/segl-verify" -q --no-default-trust --revocation off --at "$at" --trust "$pki/trust/oces3-root.pem" --content "$work/big.bin" "$work/big.p7s"; } 2>&1 | tail -1)
echo
echo "512 MiB document: peak RSS signing $((sign_rss / 1024)) MiB, validating $((verify_rss / 1024)) MiB (target < 64 MiB)"
