#!/usr/bin/env bash
# Benchmark (a script, not a test): segl against the per-file peers and the crypto limit, side by
# side in one run on this machine. Prints figures and ratios.
#
#   tests/bench/bench.sh [BUILD_DIR] [N_CADES]      e.g. tests/bench/bench.sh build 1000
#
# What it measures:
#  - validation of N detached CAdES files: segl-verify (one process, all CPUs) against
#    `openssl cms -verify` run once per file (serially, and with xargs -P <CPUs>);
#  - the crypto limit: `openssl speed` RSA verifications/s for the key size in use;
#  - batch signing: segl-sign over N files with the key unlocked once, against `openssl speed`
#    RSA signatures/s (the target is >= 80 %);
#  - peak RSS signing and validating a 512 MiB document (target < 64 MiB).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
n=${2:-1000}
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
t0=$(now)
"$build/segl-sign" -q -k "$key" --pass-file "$pki/password.txt" "$work"/cades/d*.txt
t1=$(now)
sign_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
sign_rate=$(rate "$n" "$sign_secs")
speed=$(openssl speed -seconds 3 "rsa$bits" 2>/dev/null | awk -v b="$bits" '$1 == "rsa" && $2 == b { print $6, $7 }')
speed_sign=${speed% *}
speed_verify=${speed#* }
echo
echo "batch signing, one process, one core: $sign_rate signatures/s; openssl speed rsa$bits: ${speed_sign%.*} sign/s"
echo "  ratio segl-sign / crypto limit: $(awk -v a="$sign_rate" -v b="$speed_sign" 'BEGIN { printf "%.0f %%", 100 * a / b }')"

# ---- validation
ls "$work"/cades/*.p7s >"$work/list"
t0=$(now)
"$build/segl-verify" -q --at "$at" --trust "$pki/trust/oces3-root.pem" --files-from "$work/list" || true
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

# ---- memory on a large document
head -c 512M /dev/zero >"$work/big.bin"
sign_rss=$( { /usr/bin/time -f %M "$build/segl-sign" -q -k "$key" --pass-file "$pki/password.txt" -o "$work/big.p7s" "$work/big.bin"; } 2>&1 | tail -1)
verify_rss=$( { /usr/bin/time -f %M "$build/segl-verify" -q --at "$at" --trust "$pki/trust/oces3-root.pem" --content "$work/big.bin" "$work/big.p7s"; } 2>&1 | tail -1)
echo
echo "512 MiB document: peak RSS signing $((sign_rss / 1024)) MiB, validating $((verify_rss / 1024)) MiB (target < 64 MiB)"
