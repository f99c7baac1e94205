#!/usr/bin/env bash
# Benchmark (a script, not a test): segl-verify against the crypto limit of its corpora and against
# what a user would run instead, side by side in one run on this machine.
#
#   tests/bench/bench.sh [--quick] [--record] [BUILD_DIR]      (BUILD_DIR: default build)
#
# Run it niced on a shared machine: nice -n 19 tests/bench/bench.sh build
#
# Corpora (--quick: the first 300 / 300 / 150 / 150 / 40 of them, the same files and shapes):
#   cades-1-signer    1000 detached CAdES files, one signer (the OCES3 person, RSA 3072)
#   cades-N-signers   1000 detached CAdES files by 200 signers under the OCES3 issuing CA, 5 files
#                     each; the signers' keys are RSA 2048 (200 RSA 3072 keys take minutes to
#                     make), made once and kept in BUILD_DIR/bench/signer-keys
#   xades             300 enveloped XAdES files, pades 200 PAdES files, asic-e 50 ASiC-E
#                     containers of 5 documents each (CAdES inside), all by the OCES3 person
#
# The crypto limit of a corpus: a validator must check each file's signature, and each
# certificate signature once (one shared with an earlier file needs no new check), so on one core
#   files/s <= files / (files / V(signer key) + signers / V(issuing CA key) + 1 / V(root key))
# where V(key) is the `openssl speed` verifications/s (CPU time) for that key type, read from the
# certificates (RSASSA-PSS checks cost what RSA ones of that size do). All CPUs: that times the
# CPUs. Hashing the (small) documents is left out.
#
# segl-verify is timed (best of 3) with -j 1 and with its default (all CPUs), each against its
# limit ("share"), by wall-clock time and per CPU-second (files over the CPU time used, which a
# busy machine changes much less), with its start-up (the CPU time of a run on one file) and peak
# RSS. Then against the single-process loops a user would write (cms_loop.c: CMS_verify;
# xmlsec_loop.c: xmlSecDSigCtxVerify; both compiled here with cc into BUILD_DIR/bench) and the
# per-file tools (openssl cms -verify, xmlsec1 --verify, pdfsig -nocert; serially and with
# xargs -P CPUs, on the first 200 files of a corpus: a process per file costs the same for each
# file). Also: batch signing (best of 3) against `openssl speed` signatures/s, and (full run only)
# memory:
#   flatness: 10,000 files validated in one segl-verify process (all CPUs, --json), its VmRSS read
#     from /proc every 100 results: the cades-1-signer corpus 10 times, and xades + pades + asic-e
#     over and over (libxml2, xmlsec, libzip). Its RSS after the first 1,000 files (the warm-up: a
#     pass over each corpus fills what is cached) against its RSS at the end: the target is a
#     growth < 2 MiB. A validation keeps nothing of a file but in bounded caches, so growth is a
#     leak; 2 MiB over the 9,000 files after the warm-up is a leak of 240 bytes a file, and is
#     well above what malloc's per-thread arenas move by (about 0.5 MiB). Smaller leaks are for
#     valgrind (setup.sh test runs the command tests under it).
#   large documents: peak RSS (/usr/bin/time) signing and validating a 512 MiB document (random
#     bytes) from a file and from stdin (a pipe): CAdES detached (--content - for the content on
#     stdin) and enveloping, PAdES (a PDF whose page is a 512 MiB image, testdata/pades/pdflib.sh),
#     ASiC-S and ASiC-E with it as their member (signed from a file: a member from stdin has no
#     name). Target: each < 64 MiB.
#
# Visual comparison (segl-verify --visual): the first 100 (--quick: 20) pades files signed again
#   with a visible signature, validated with --visual always and off (-j 1 and all CPUs): the
#   cost of rendering and comparing the page and of the child process per file.
# --quick (for CI; about 30 s once BUILD_DIR/bench holds the PKI, +30 s the first time): the
#   --quick corpora, no peers, no 512 MiB document. Fails (exit 1) when a share per CPU-second
#   (each corpus at -j 1 and at all CPUs, and signing at -j 1) is below half the one recorded in
#   tests/bench/last.txt for the same corpus (a full run measures the --quick corpora too, as
#   the first files of its own). Shares, not rates: the limit is measured in the same run on
#   the same machine, so machines may differ; CPU time, not wall-clock time: a shared machine's
#   load moves the one much more than the other.
# --record (full run only): write the figures of this run to tests/bench/last.txt.
# Full run also: 20,000 files by 2,000 signers in one process, its RSS and rate over the run
# (tests/bench/many_signers.sh).
# BENCH_KEEP=DIR: make the corpora in DIR and keep them there (to profile segl-verify on them).
set -euo pipefail

die() { echo "bench.sh: $*" >&2; exit 1; }
progress() { echo "bench.sh: [$((SECONDS))s] $*" >&2; }
# calc FORMAT EXPRESSION: awk arithmetic, printed with FORMAT
calc() { awk "BEGIN { printf \"$1\", ($2) }"; }

quick=0
record=0
build_arg=
for arg in "$@"; do
    case $arg in
        --quick) quick=1 ;;
        --record) record=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $arg (see --help)" ;;
        *) build_arg=$arg ;;
    esac
done
[ "$quick$record" != 11 ] || die "--record needs a full run (without --quick)"

src=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source-path=SCRIPTDIR/../.. source=testdata/pades/pdflib.sh
. "$src/testdata/pades/pdflib.sh"   # make_large_pdf
build=$(cd "${build_arg:-$src/build}" && pwd)
[ -x "$build/segl-verify" ] || die "no segl-verify in $build: build segl first"
recorded=$src/tests/bench/last.txt
cache=$build/bench          # the PKI, the signers' keys and the compiled loops, kept between runs
cpus=$(nproc)
at=2026-06-01T00:00:00Z     # validation time
signed_at=2026-05-01T12:00:00Z
epoch=$(date -d "$at" +%s)
mkdir -p "$cache"
if [ -n "${BENCH_KEEP:-}" ]; then  # BENCH_KEEP=DIR: the corpora stay in DIR (to profile them)
    work=$BENCH_KEEP && rm -rf "$work" && mkdir -p "$work"
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi

corpora=(cades-1-signer cades-N-signers xades pades asic-e)
declare -A full_size=([cades-1-signer]=1000 [cades-N-signers]=1000 [xades]=300 [pades]=200 [asic-e]=50)
declare -A quick_size=([cades-1-signer]=300 [cades-N-signers]=300 [xades]=150 [pades]=150 [asic-e]=40)
files_per_signer=5          # in cades-N-signers
docs_per_container=5
per_file_sample=200         # files the per-file tools are timed on
declare -A size             # this run's
for c in "${corpora[@]}"; do
    if [ $quick = 1 ]; then size[$c]=${quick_size[$c]}; else size[$c]=${full_size[$c]}; fi
done
speed_seconds=$((quick == 1 ? 1 : 2))
n_cades=${size[cades-1-signer]} n_xades=${size[xades]} n_pades=${size[pades]} n_asic=${size[asic-e]}
n_signers=$((size[cades-N-signers] / files_per_signer))

# ---------------------------------------------------------------------------------------------
# measuring
# ---------------------------------------------------------------------------------------------
# measure COMMAND...: run COMMAND (its output discarded); sets wall_s and cpu_s (user + system,
# the command and its children). A command that fails stops the bench: a rate of failures means nothing.
measure() {
    local TIMEFORMAT='%3R %3U %3S' user_s sys_s
    if ! { time "$@" >/dev/null 2>"$work/measure.err"; } 2>"$work/measure.times"; then
        tail -5 "$work/measure.err" >&2
        die "failed: $*"
    fi
    read -r wall_s user_s sys_s <"$work/measure.times"
    cpu_s=$(calc %.3f "$user_s + $sys_s")
}

# measure_rss COMMAND...: measure, and set rss_mib to the command's peak RSS (/usr/bin/time -v)
measure_rss() {
    measure /usr/bin/time -v -o "$work/rusage" "$@"
    rss_mib=$(awk -F: '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$work/rusage")
}

# feed FILE COMMAND...: COMMAND with FILE on its standard input through a pipe (not in place)
feed() {
    local file=$1
    shift
    # shellcheck disable=SC2002  # a pipe on purpose: a redirected file is read in place
    cat "$file" | "$@"
}

# measure_rss_fed FILE COMMAND...: measure_rss with FILE fed to COMMAND through a pipe
measure_rss_fed() {
    local file=$1
    shift
    measure feed "$file" /usr/bin/time -v -o "$work/rusage" "$@"
    rss_mib=$(awk -F: '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$work/rusage")
}

# measure_best COMMAND...: measure_rss three times; the shortest wall-clock and CPU times and the
# highest peak RSS of the three (a shared machine only ever makes a run slower)
measure_best() {
    local best_wall=1e9 best_cpu=1e9 top_rss=0 _
    for _ in 1 2 3; do
        measure_rss "$@"
        best_wall=$(calc %.3f "$wall_s < $best_wall ? $wall_s : $best_wall")
        best_cpu=$(calc %.3f "$cpu_s < $best_cpu ? $cpu_s : $best_cpu")
        top_rss=$(calc %.1f "$rss_mib > $top_rss ? $rss_mib : $top_rss")
    done
    wall_s=$best_wall cpu_s=$best_cpu rss_mib=$top_rss
}

# measure_best_plain COMMAND...: measure, best of 3 (for shell functions, which measure_rss's
# /usr/bin/time cannot run)
measure_best_plain() {
    local best_wall=1e9 best_cpu=1e9 _
    for _ in 1 2 3; do
        measure "$@"
        best_wall=$(calc %.3f "$wall_s < $best_wall ? $wall_s : $best_wall")
        best_cpu=$(calc %.3f "$cpu_s < $best_cpu ? $cpu_s : $best_cpu")
    done
    wall_s=$best_wall cpu_s=$best_cpu
}

declare -A verify_per_s sign_per_s
# measure_crypto_speed NAME...: `openssl speed` signatures/s and verifications/s (one core, CPU
# time) for each NAME (rsa2048, rsa3072, ecdsap256, ...)
measure_crypto_speed() {
    local name sign verify
    while read -r name sign verify; do
        sign_per_s[$name]=$sign
        verify_per_s[$name]=$verify
    done < <(openssl speed -seconds "$speed_seconds" -mr "$@" 2>/dev/null |
        awk -F: '$1 == "+F2" { print "rsa" $3, $4, $5 } $1 == "+F4" { print "ecdsap" $3, $4, $5 }')
    for name in "$@"; do
        [ -n "${verify_per_s[$name]:-}" ] || die "openssl speed gave no figure for $name"
    done
}

# speed_name_of_key CERT: the `openssl speed` name of the certificate's public key (rsa3072, ecdsap256)
speed_name_of_key() {
    local text
    text=$(openssl x509 -in "$1" -noout -text)
    case $text in
        *"Public Key Algorithm: rsaEncryption"* | *"Public Key Algorithm: rsassaPss"*)
            echo "rsa$(sed -n 's/.*Public-Key: (\([0-9]*\) bit).*/\1/p' <<<"$text" | head -1)" ;;
        *"Public Key Algorithm: id-ecPublicKey"*)
            echo "ecdsap$(sed -n 's/.*NIST CURVE: P-\([0-9]*\).*/\1/p' <<<"$text" | head -1)" ;;
        *) die "$1: a key type openssl speed does not measure" ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# the test PKI, the signers, the loops
# ---------------------------------------------------------------------------------------------
make_pki() {
    progress "test PKI in $cache/pki (made once)"
    "$src/testdata/mkpki.sh" "$cache/pki" >/dev/null
    pki=$cache/pki
    anchor=$pki/trust/oces3-root.pem
    person_p12=$pki/oces3/person.p12
    person_cert=$pki/oces3/person.pem
    ca_cert=$pki/oces3/ca.pem
    root_cert=$pki/oces3/root.pem
    sign_as_person=("$build/segl-sign" "${sign_opts[@]}" -k "$person_p12" --pass-file "$pki/password.txt")
}

# make_signer_keys COUNT: RSA 2048 keys and requests for signers 1..COUNT, made once, in parallel
make_signer_keys() {
    local keys=$cache/signer-keys
    mkdir -p "$keys"
    progress "signer keys in $keys (made once)"
    # shellcheck disable=SC2016  # expanded by the inner shell
    seq 1 "$1" | xargs -P "$cpus" -I{} bash -c '
        keys=$1 i=$2
        [ -e "$keys/$i.csr" ] && exit 0
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$keys/$i.key.tmp" 2>/dev/null
        mv "$keys/$i.key.tmp" "$keys/$i.key.pem"
        uuid=$(printf "00000000-0000-4000-8000-%012d" "$i")
        openssl req -new -key "$keys/$i.key.pem" -subj "/CN=Bench Signer $i/serialNumber=UI:DK-P:G:$uuid/C=DK" \
            -out "$keys/$i.csr.tmp"
        mv "$keys/$i.csr.tmp" "$keys/$i.csr"' _ "$keys" {}
}

# issue_signer_certs COUNT: certificates for signers 1..COUNT from the OCES3 issuing CA, with the
# profile of the OCES3 person certificate (mkpki.sh's v3_person, RSASSA-PSS like every OCES3 CA
# signature), in one `openssl ca` run; signer I gets $work/signers/I.pem
issue_signer_certs() {
    local count=$1 db=$work/signers-ca i
    mkdir -p "$db/newcerts" "$work/signers"
    : >"$db/index.txt"
    echo 1000 >"$db/serial"
    {
        cat <<EOF
[ ca ]
default_ca = bench_ca
[ bench_ca ]
database        = $db/index.txt
new_certs_dir   = $db/newcerts
serial          = $db/serial
certificate     = $ca_cert
private_key     = $pki/oces3/ca.key.pem
default_md      = sha256
policy          = policy_any
unique_subject  = no
copy_extensions = none
preserve        = yes
[ policy_any ]
commonName   = supplied
serialNumber = optional
countryName  = optional
EOF
        awk '/^\[ v3_person \]/ { p = 1 } p && /^$/ { exit } p' "$pki/oces3/ca-db/openssl.cnf"
    } >"$db/openssl.cnf"
    local csrs=()
    for i in $(seq 1 "$count"); do csrs+=("$cache/signer-keys/$i.csr"); done
    openssl ca -config "$db/openssl.cnf" -batch -notext -utf8 -extensions v3_person \
        -startdate 20250101000000Z -enddate 20301231235959Z -md sha256 \
        -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256 \
        -out "$db/all.pem" -infiles "${csrs[@]}" 2>"$db/ca.log" || { cat "$db/ca.log" >&2; die "openssl ca failed"; }
    for i in $(seq 1 "$count"); do # serials 1000, 1001, ... (hex) in the order of the requests
        cp "$db/newcerts/$(printf %04X $((0x1000 + i - 1))).pem" "$work/signers/$i.pem"
    done
}

# compile_loop NAME PKG-CONFIG-PACKAGE: tests/bench/NAME.c -> $cache/NAME, when the source is newer
compile_loop() {
    local name=$1 pkg=$2
    if [ ! -x "$cache/$name" ] || [ "$src/tests/bench/$name.c" -nt "$cache/$name" ]; then
        progress "compiling $name"
        # shellcheck disable=SC2046  # pkg-config gives several words
        cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra -Wshadow $(pkg-config --cflags "$pkg") \
            -o "$cache/$name" "$src/tests/bench/$name.c" $(pkg-config --libs "$pkg")
    fi
}

# ---------------------------------------------------------------------------------------------
# corpora: for each, files[corpus] (count), list[corpus] (one path a line, in the order made, so
# that the first files of a full run's corpus are the --quick one), signer_cert[corpus] (the first
# signer's certificate) and signers[corpus] (distinct signer certificates)
# ---------------------------------------------------------------------------------------------
declare -A files list signer_cert signers
sign_opts=(-q --signing-time "$signed_at")

# make_text_documents DIR COUNT: DIR/d1.txt ... of 2 KB each
make_text_documents() {
    mkdir -p "$1"
    local i filler
    filler=$(head -c 2000 /dev/zero | tr '\0' x)
    for i in $(seq 1 "$2"); do printf 'Dokument %d: %s\n' "$i" "$filler" >"$1/d$i.txt"; done
}

# add_corpus NAME PATTERN SIGNER_CERT SIGNERS: the corpus of the files PATTERN names with N
# from 1 to the corpus's size (PATTERN: a path with %d for N)
add_corpus() {
    local name=$1 pattern=$2 i
    files[$name]=${size[$name]} list[$name]=$work/$name.list signer_cert[$name]=$3 signers[$name]=$4
    # shellcheck disable=SC2059  # the pattern is the format
    for i in $(seq 1 "${files[$name]}"); do printf "$pattern\n" "$i"; done >"${list[$name]}"
    while read -r i; do [ -f "$i" ] || die "$name: $i was not made"; done <"${list[$name]}"
}

# make_cades_one_signer: signed (best of 3) with -j 1, and a copy with the default -j: the signing
# figures; and the --quick corpus's documents again with -j 1, the signing figure --quick checks
make_cades_one_signer() {
    local dir=$work/cades-1 i
    progress "signing $n_cades CAdES files, -j 1 and -j $cpus"
    make_text_documents "$dir" "$n_cades"
    cp -r "$dir" "$work/cades-1-copy"
    measure_best "${sign_as_person[@]}" -j 1 -o - "$dir/d1.txt"
    sign_startup_ms=$(calc %.0f "1000 * $cpu_s")
    measure_best "${sign_as_person[@]}" -j 1 "$dir"/d*.txt
    sign_j1_rate=$(calc %.0f "$n_cades / $wall_s") sign_j1_cpu_rate=$(calc %.0f "$n_cades / $cpu_s")
    measure_best "${sign_as_person[@]}" "$work/cades-1-copy"/d*.txt
    sign_jn_rate=$(calc %.0f "$n_cades / $wall_s")
    check_sign_cpu_rate=$sign_j1_cpu_rate
    if [ $quick = 0 ]; then
        mapfile -t check_docs < <(for i in $(seq 1 "${quick_size[cades-1-signer]}"); do echo "$dir/d$i.txt"; done)
        measure_best "${sign_as_person[@]}" -j 1 "${check_docs[@]}"
        check_sign_cpu_rate=$(calc %.0f "${#check_docs[@]} / $cpu_s")
    fi
    add_corpus cades-1-signer "$dir/d%d.txt.p7s" "$person_cert" 1
}

# make_cades_many_signers: files 1-5 signed by signer 1, 6-10 by signer 2, ... (so the first 300
# are the --quick corpus), each signer's files in one segl-sign
make_cades_many_signers() {
    local dir=$work/cades-n i
    make_signer_keys "$n_signers"
    progress "signing ${size[cades-N-signers]} CAdES files by $n_signers signers"
    issue_signer_certs "$n_signers"
    cat "$ca_cert" "$root_cert" >"$work/chain.pem"
    make_text_documents "$dir" "${size[cades-N-signers]}"
    for i in $(seq 1 "$n_signers"); do
        seq $(((i - 1) * files_per_signer + 1)) $((i * files_per_signer)) | sed "s|.*|$dir/d&.txt|" >"$work/signer-$i.docs"
    done
    # shellcheck disable=SC2016  # expanded by the inner shell
    seq 1 "$n_signers" | xargs -P "$cpus" -I{} bash -c '
        segl_sign=$1 work=$2 keys=$3 i=$4; shift 4
        xargs "$segl_sign" "$@" -j 1 -k "$keys/$i.key.pem" -c "$work/signers/$i.pem" \
            --chain "$work/chain.pem" <"$work/signer-$i.docs"' \
        _ "$build/segl-sign" "$work" "$cache/signer-keys" {} "${sign_opts[@]}"
    add_corpus cades-N-signers "$dir/d%d.txt.p7s" "$work/signers/1.pem" "$n_signers"
}

make_xades() {
    local dir=$work/xades i
    progress "signing $n_xades XAdES files"
    mkdir "$dir"
    for i in $(seq 1 "$n_xades"); do
        printf '<?xml version="1.0" encoding="UTF-8"?>\n<skema id="%d"><felt>Beløb %d</felt></skema>\n' "$i" "$i" >"$dir/f$i.xml"
    done
    "${sign_as_person[@]}" "$dir"/f*.xml
    add_corpus xades "$dir/f%d.xml.xades.xml" "$person_cert" 1
}

make_pades() {
    local dir=$work/pades i
    progress "signing $n_pades PAdES files"
    mkdir "$dir"
    for i in $(seq 1 "$n_pades"); do cp "$src/testdata/demo/contract.pdf" "$dir/c$i.pdf"; done
    "${sign_as_person[@]}" "$dir"/c*.pdf
    add_corpus pades "$dir/c%d.pdf.signed.pdf" "$person_cert" 1
}

# make_asic_e: containers of the three demo documents and two text documents of their own
make_asic_e() {
    local dir=$work/asic i
    progress "signing $n_asic ASiC-E containers of $docs_per_container documents"
    for i in $(seq 1 "$n_asic"); do
        mkdir -p "$dir/docs$i"
        cp "$src"/testdata/demo/{contract.pdf,letter.txt,taxform.xml} "$dir/docs$i/"
        printf 'Bilag A til sag %d\n' "$i" >"$dir/docs$i/bilag-a.txt"
        printf 'Bilag B til sag %d\n' "$i" >"$dir/docs$i/bilag-b.txt"
    done
    # shellcheck disable=SC2016  # expanded by the inner shell
    seq 1 "$n_asic" | xargs -P "$cpus" -I{} bash -c '
        dir=$1 i=$2; shift 2
        "$@" -j 1 -f asic-e -o "$dir/c$i.asice" "$dir/docs$i"/*' _ "$dir" {} "${sign_as_person[@]}"
    add_corpus asic-e "$dir/c%d.asice" "$person_cert" 1
}

# ---------------------------------------------------------------------------------------------
# the limit, segl-verify, the peers
# ---------------------------------------------------------------------------------------------
declare -A limit_core check_limit_core sig_key
# limit_per_core FILES SIGNER_KEY SIGNERS: the crypto limit in files/s on one core (see the top)
limit_per_core() {
    calc %.0f "$1 / ($1 / ${verify_per_s[$2]} + $3 / ${verify_per_s[$ca_key]} + 1 / ${verify_per_s[$root_key]})"
}

# compute_crypto_limits: limit_core[corpus], and check_limit_core[corpus] for its --quick part;
# ca_key and root_key, the speed names of the CA keys
compute_crypto_limits() {
    local c names=()
    ca_key=$(speed_name_of_key "$ca_cert")
    root_key=$(speed_name_of_key "$root_cert")
    for c in "${corpora[@]}"; do
        sig_key[$c]=$(speed_name_of_key "${signer_cert[$c]}")
        names+=("${sig_key[$c]}")
    done
    names+=("$ca_key" "$root_key" ecdsap256)   # ecdsap256 to compare, whether used or not
    mapfile -t names < <(printf '%s\n' "${names[@]}" | sort -u)
    progress "openssl speed -seconds $speed_seconds ${names[*]}"
    measure_crypto_speed "${names[@]}"
    for c in "${corpora[@]}"; do
        limit_core[$c]=$(limit_per_core "${files[$c]}" "${sig_key[$c]}" "${signers[$c]}")
        check_limit_core[$c]=$(limit_per_core "${quick_size[$c]}" "${sig_key[$c]}" \
            $((signers[$c] == 1 ? 1 : quick_size[$c] / files_per_signer)))
    done
}

# shards_of LIST: LIST validated by one process per CPU, each -j 1 with its --shard K/N: what
# GNU parallel or a scheduler runs on one node (segl-verify(1), SHARDING ACROSS MACHINES)
shards_of() {
    local k pids=() status=0
    for k in $(seq 1 "$cpus"); do
        "$build/segl-verify" "${verify_opts[@]}" -j 1 --shard "$k/$cpus" --files-from "$1" &
        pids+=($!)
    done
    for k in "${pids[@]}"; do wait "$k" || status=1; done
    return $status
}

verify_opts=()
declare -A shard_rate
declare -A j1_rate j1_cpu_rate jn_rate jn_cpu_rate jn_rss startup_ms check_j1_cpu_rate check_jn_cpu_rate
# validate_corpora_with_segl: each corpus with -j 1 and with the default -j; its first file alone
# (the start-up); in a full run also its first files that make the --quick corpus (what --quick checks)
validate_corpora_with_segl() {
    local c
    verify_opts=(-q --offline --no-default-trust --revocation off --at "$at" --trust "$anchor")
    for c in "${corpora[@]}"; do
        progress "segl-verify $c (${files[$c]} files), -j 1 and -j $cpus"
        head -1 "${list[$c]}" >"$work/first.list"
        measure_best "$build/segl-verify" "${verify_opts[@]}" -j 1 --files-from "$work/first.list"
        startup_ms[$c]=$(calc %.0f "1000 * $cpu_s")
        measure_best "$build/segl-verify" "${verify_opts[@]}" -j 1 --files-from "${list[$c]}"
        j1_rate[$c]=$(calc %.0f "${files[$c]} / $wall_s")
        j1_cpu_rate[$c]=$(calc %.0f "${files[$c]} / $cpu_s")
        measure_best "$build/segl-verify" "${verify_opts[@]}" --files-from "${list[$c]}"
        jn_rate[$c]=$(calc %.0f "${files[$c]} / $wall_s")
        jn_cpu_rate[$c]=$(calc %.0f "${files[$c]} / $cpu_s")
        jn_rss[$c]=$rss_mib
        check_j1_cpu_rate[$c]=${j1_cpu_rate[$c]} check_jn_cpu_rate[$c]=${jn_cpu_rate[$c]}
        if [ $quick = 0 ]; then
            measure_best_plain shards_of "${list[$c]}"
            shard_rate[$c]=$(calc %.0f "${files[$c]} / $wall_s")
            head -n "${quick_size[$c]}" "${list[$c]}" >"$work/check.list"
            measure_best "$build/segl-verify" "${verify_opts[@]}" -j 1 --files-from "$work/check.list"
            check_j1_cpu_rate[$c]=$(calc %.0f "${quick_size[$c]} / $cpu_s")
            measure_best "$build/segl-verify" "${verify_opts[@]}" --files-from "$work/check.list"
            check_jn_cpu_rate[$c]=$(calc %.0f "${quick_size[$c]} / $cpu_s")
        fi
    done
    if [ $quick = 0 ]; then # scaling once the start-up is paid for: the one-signer corpus 10 times
        local i
        for i in $(seq 10); do cat "${list[cades-1-signer]}"; done >"$work/ten-times.list"
        measure_best "$build/segl-verify" "${verify_opts[@]}" -j 1 --files-from "$work/ten-times.list"
        long_j1_rate=$(calc %.0f "10 * ${files[cades-1-signer]} / $wall_s")
        measure_best "$build/segl-verify" "${verify_opts[@]}" --files-from "$work/ten-times.list"
        long_jn_rate=$(calc %.0f "10 * ${files[cades-1-signer]} / $wall_s")
        measure_best_plain shards_of "$work/ten-times.list"
        long_shard_rate=$(calc %.0f "10 * ${files[cades-1-signer]} / $wall_s")
    fi
    head -100 "${list[cades-1-signer]}" >"$work/first-100.list"
    measure_rss "$build/segl-verify" "${verify_opts[@]}" --files-from "$work/first-100.list"
    rss_100=$rss_mib
}

# per-file peers: one process per file, as a user would script them (serially, or with xargs -P)
cms_peer() { openssl cms -verify -binary -inform DER -in "$1" -content "${1%.p7s}" -CAfile "$BENCH_ANCHOR" \
    -attime "$BENCH_EPOCH" -purpose any -out /dev/null; }
xmlsec1_peer() { xmlsec1 --verify --trusted-pem "$BENCH_ANCHOR" --verification-time "$BENCH_XMLSEC_TIME" \
    --id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" "$1"; }
pdfsig_peer() { pdfsig -nocert "$1"; }
export -f cms_peer xmlsec1_peer pdfsig_peer
export BENCH_ANCHOR BENCH_EPOCH=$epoch BENCH_XMLSEC_TIME
BENCH_XMLSEC_TIME=$(date -u -d "$at" '+%Y-%m-%d %H:%M:%S')

per_file_serially() { # per_file_serially PEER LIST
    local f
    while read -r f; do "$1" "$f"; done <"$2"
}
per_file_in_parallel() { # per_file_in_parallel PEER LIST
    xargs -P "$cpus" -I{} bash -c "$1 \"\$1\"" _ {} <"$2"
}

declare -A loop_name loop_rate tool_name tool_rate tool_p_rate
# compare_with_peers: the single-process loops and the per-file tools on each corpus they read
compare_with_peers() {
    local c loop peer sample
    BENCH_ANCHOR=$anchor
    compile_loop cms_loop openssl
    compile_loop xmlsec_loop xmlsec1-openssl
    for c in "${corpora[@]}"; do
        case $c in
            cades-*) loop_name[$c]="CMS_verify loop" tool_name[$c]="openssl cms -verify"
                     loop=cms_loop peer=cms_peer ;;
            xades)   loop_name[$c]="xmlSecDSigCtxVerify loop" tool_name[$c]="xmlsec1 --verify"
                     loop=xmlsec_loop peer=xmlsec1_peer ;;
            pades)   tool_name[$c]="pdfsig -nocert" loop='' peer=pdfsig_peer ;;
            *)       continue ;;
        esac
        progress "peers on $c"
        if [ -n "$loop" ]; then
            measure_best "$cache/$loop" "$anchor" "$epoch" "${list[$c]}"
            loop_rate[$c]=$(calc %.0f "${files[$c]} / $wall_s")
        fi
        head -n "$per_file_sample" "${list[$c]}" >"$work/sample.list"
        sample=$(wc -l <"$work/sample.list")
        measure per_file_serially "$peer" "$work/sample.list"
        tool_rate[$c]=$(calc %.1f "$sample / $wall_s")
        measure per_file_in_parallel "$peer" "$work/sample.list"
        tool_p_rate[$c]=$(calc %.1f "$sample / $wall_s")
    done
}

# ---------------------------------------------------------------------------------------------
# memory
# ---------------------------------------------------------------------------------------------
flat_files=10000    # validated in one process
flat_every=100      # its RSS read every this many results
flat_warm_up=1000   # RSS after these files is the reference (a tenth)
flat_limit_mib=2    # growth allowed after the warm-up (see the top)
big_mib=512         # the large document
rss_limit_mib=64    # peak RSS allowed with it

# repeat_lists N OUT LIST...: the LISTs' lines over and over, N lines in all, into OUT
repeat_lists() {
    local n=$1 out=$2 once i
    shift 2
    once=$(cat "$@" | wc -l)
    for ((i = 0; i < (n + once - 1) / once; i++)); do cat "$@"; done >"$out.all"
    head -n "$n" "$out.all" >"$out"
    rm -f "$out.all"
}

flat_names=() flat_lines=()
# measure_flatness NAME LIST: segl-verify --json over LIST in one process (all CPUs), its VmRSS
# read from /proc each time flat_every more results have come out; one line in flat_lines
measure_flatness() {
    local name=$1 name_list=$2 pid samples=$work/flat.rss
    progress "flatness: $(wc -l <"$name_list") files in one segl-verify ($name)"
    rm -f "$work/flat.fifo"
    mkfifo "$work/flat.fifo"
    "$build/segl-verify" "${verify_opts[@]}" --json --files-from "$name_list" >"$work/flat.fifo" 2>"$work/flat.err" &
    pid=$!
    # Once it has exited (a zombie until waited for) its status has no VmRSS: no sample.
    awk -v pid="$pid" -v every="$flat_every" '
        NR % every == 0 {
            status = "/proc/" pid "/status"
            while ((getline line < status) > 0)
                if (line ~ /^VmRSS:/) { split(line, field, " "); print NR, field[2] }
            close(status)
        }' <"$work/flat.fifo" >"$samples" 2>/dev/null || true
    wait "$pid" || die "segl-verify over the $name list failed: $(tail -3 "$work/flat.err")"
    # FILES RSS_KIB lines: the first at or after the warm-up, the last, the highest
    flat_names+=("$name")
    flat_lines+=("$(awk -v warm="$flat_warm_up" -v limit="$flat_limit_mib" '
        $1 >= warm && !at_warm { at_warm = $1; warm_kib = $2 }
        { last = $1; last_kib = $2; if ($2 > peak) peak = $2 }
        END {
            if (!at_warm) { print "too few samples"; exit }
            growth = (last_kib - warm_kib) / 1024
            printf "after %d files %.1f MiB, after %d %.1f MiB: %+.1f MiB (peak %.1f MiB)  %s", at_warm,
                warm_kib / 1024, last, last_kib / 1024, growth, peak / 1024,
                growth < limit ? "flat" : "GROWS"
        }' "$samples")")
}

# measure_flatness_all: the one-signer CAdES corpus 10 times; XAdES, PAdES and ASiC-E in turn
measure_flatness_all() {
    repeat_lists "$flat_files" "$work/flat-cades.list" "${list[cades-1-signer]}"
    measure_flatness "cades-1-signer x$((flat_files / files[cades-1-signer]))" "$work/flat-cades.list"
    repeat_lists "$flat_files" "$work/flat-mixed.list" "${list[xades]}" "${list[pades]}" "${list[asic-e]}"
    measure_flatness "xades+pades+asic-e, repeated" "$work/flat-mixed.list"
}

big_names=() big_rss=()
# big_case NAME COMMAND...: COMMAND's peak RSS, kept as NAME's
big_case() {
    local name=$1
    shift
    measure_rss "$@"
    big_names+=("$name") big_rss+=("$rss_mib")
}

# big_case_fed NAME FILE COMMAND...: the same with FILE on COMMAND's stdin through a pipe
big_case_fed() {
    local name=$1 file=$2
    shift 2
    measure_rss_fed "$file" "$@"
    big_names+=("$name") big_rss+=("$rss_mib")
}

# measure_large_document_rss: signing and validating a 512 MiB document, every format, from a file
# and from stdin (a pipe); the files are removed as soon as they are done with
measure_large_document_rss() {
    local doc=$work/big.bin big=$work/big kind
    local sign=("${sign_as_person[@]}") verify=("$build/segl-verify" "${verify_opts[@]}")
    progress "$big_mib MiB documents"
    # random: an ASiC container refuses a member that deflates a thousandfold (a zip bomb)
    head -c "${big_mib}M" /dev/urandom >"$doc"
    big_case "CAdES detached: sign from a file" "${sign[@]}" -o "$big.p7s" "$doc"
    big_case_fed "CAdES detached: sign from stdin" "$doc" "${sign[@]}" -o "$big-stdin.p7s" -
    big_case "CAdES detached: validate, content from a file" "${verify[@]}" --content "$doc" "$big.p7s"
    big_case_fed "CAdES detached: validate, content from stdin" "$doc" "${verify[@]}" --content - "$big.p7s"
    big_case "CAdES enveloping: sign from a file" "${sign[@]}" --packaging enveloping -o "$big.p7m" "$doc"
    big_case_fed "CAdES enveloping: sign from stdin" "$doc" "${sign[@]}" --packaging enveloping -o "$big-stdin.p7m" -
    rm -f "$big-stdin.p7m"
    big_case "CAdES enveloping: validate from a file" "${verify[@]}" "$big.p7m"
    big_case_fed "CAdES enveloping: validate from stdin" "$big.p7m" "${verify[@]}" -
    rm -f "$big.p7m"
    make_large_pdf "$big.pdf" "$doc"
    big_case "PAdES: sign from a file" "${sign[@]}" -o "$big.signed.pdf" "$big.pdf"
    big_case_fed "PAdES: sign from stdin" "$big.pdf" "${sign[@]}" -f pades -o "$big-stdin.signed.pdf" -
    rm -f "$big.pdf" "$big-stdin.signed.pdf"
    big_case "PAdES: validate from a file" "${verify[@]}" "$big.signed.pdf"
    big_case_fed "PAdES: validate from stdin" "$big.signed.pdf" "${verify[@]}" -
    rm -f "$big.signed.pdf"
    for kind in S E; do
        big_case "ASiC-$kind: sign from a file" "${sign[@]}" -f "asic-${kind,,}" -o "$big.asic" "$doc"
        big_case "ASiC-$kind: validate from a file" "${verify[@]}" "$big.asic"
        big_case_fed "ASiC-$kind: validate from stdin" "$big.asic" "${verify[@]}" -
        rm -f "$big.asic"
    done
    rm -f "$doc" "$big.p7s" "$big-stdin.p7s"
}

# ---------------------------------------------------------------------------------------------
# reporting
# ---------------------------------------------------------------------------------------------
share() { calc %.1f "100 * $1 / $2"; }      # share RATE LIMIT, in %
times_as_fast() { calc %.1f "$1 / $2"; }     # times_as_fast RATE OTHER_RATE

# keys_checked CORPUS: the key types of the checks per file: the file's signature, and the signer
# certificate's (by the issuing CA's key) once per signer
keys_checked() {
    if [ "${signers[$1]}" -gt 1 ]; then
        echo "${sig_key[$1]} + $ca_key/$(calc %.0f "${files[$1]} / ${signers[$1]}")"
    else
        echo "${sig_key[$1]}"
    fi
}

print_limit_table() {
    local c lim k
    echo
    echo "segl-verify against the crypto limit (files/s; share = of the limit)"
    printf '%-16s %5s  %-21s %16s   %-15s   %-15s   %-15s  %8s  %8s\n' \
        "" "" "RSA/EC checks" "crypto limit" "segl -j 1" "segl -j $cpus" "per CPU-second" start-up peak
    printf '%-16s %5s  %-21s %7s %8s   %7s %7s   %7s %7s   %7s %7s  %8s  %8s\n' \
        corpus files "per file" "/core" "x$cpus CPUs" files/s share files/s share "-j 1" "-j $cpus" "CPU" RSS
    for c in "${corpora[@]}"; do
        lim=${limit_core[$c]}
        printf '%-16s %5d  %-21s %7d %8d   %7d %6s%%   %7d %6s%%   %6s%% %6s%%  %5s ms  %4s MiB\n' \
            "$c" "${files[$c]}" "$(keys_checked "$c")" "$lim" "$((lim * cpus))" \
            "${j1_rate[$c]}" "$(share "${j1_rate[$c]}" "$lim")" \
            "${jn_rate[$c]}" "$(share "${jn_rate[$c]}" "$((lim * cpus))")" \
            "$(share "${j1_cpu_rate[$c]}" "$lim")" "$(share "${jn_cpu_rate[$c]}" "$lim")" "${startup_ms[$c]}" "${jn_rss[$c]}"
    done
    printf '  openssl speed, one core:'
    for k in $(printf '%s\n' "${!verify_per_s[@]}" | sort); do printf ' %s %.0f verify/s;' "$k" "${verify_per_s[$k]}"; done
    echo
    echo "  RSA/EC checks per file: the signature; with several signers also the signer certificate's, by the"
    echo "  CA key, once per signer (KEY/5: in one file of 5); every other check is shared with an earlier file."
    echo "  per CPU-second: files per CPU-second at -j 1 and -j $cpus against the limit per core; start-up: CPU"
    echo "  time of segl-verify -j 1 on the corpus's first file alone."
    echo "  peak RSS: segl-verify -j $cpus over the corpus (the first 100 files of cades-1-signer: $rss_100 MiB)."
}

# print_scaling_table: what the CPUs add, by wall-clock rate against -j 1 on each corpus
print_scaling_table() {
    local c
    echo
    echo "scaling on $cpus CPUs (files/s against segl -j 1; the start-up, ${startup_ms[cades-1-signer]} ms of CPU, runs once per process)"
    printf '%-16s %9s | %9s %6s | %-22s %6s\n' corpus "-j 1" "-j $cpus" x "$cpus processes (--shard)" x
    for c in "${corpora[@]}"; do
        printf '%-16s %9d | %9d %5.2fx | %22d %5.2fx\n' "$c" "${j1_rate[$c]}" "${jn_rate[$c]}" \
            "$(calc %.4f "${jn_rate[$c]} / ${j1_rate[$c]}")" "${shard_rate[$c]}" \
            "$(calc %.4f "${shard_rate[$c]} / ${j1_rate[$c]}")"
    done
    printf '%-16s %9d | %9d %5.2fx | %22d %5.2fx\n' "cades-1 x10" "$long_j1_rate" "$long_jn_rate" \
        "$(calc %.4f "$long_jn_rate / $long_j1_rate")" "$long_shard_rate" \
        "$(calc %.4f "$long_shard_rate / $long_j1_rate")"
    echo "  cades-1 x10: the one-signer corpus listed 10 times (10,000 files), where the start-up weighs"
    echo "  little; on the 1000-file corpora it is the part that runs once, on one CPU."
    echo "  threads share one context (a CA signature checked once); OpenSSL 3.0 takes ~170 read locks"
    echo "  per CAdES file (~750 when it decodes a new signer's certificate), which threads contend for"
    echo "  and processes do not (openssl/openssl#17950, #19119)."
}

print_peer_table() {
    local c
    echo
    echo "segl-verify against what a user would run instead (files/s; x = segl is that many times as fast)"
    printf '%-16s %9s | %-25s %7s %6s | %-20s %7s %6s | %7s %6s\n' \
        corpus "segl -j 1" "one-process loop" files/s x "per-file tool" serial x "-P $cpus" x
    for c in "${corpora[@]}"; do
        printf '%-16s %9d | ' "$c" "${j1_rate[$c]}"
        if [ -n "${loop_rate[$c]:-}" ]; then
            printf '%-25s %7d %5sx | ' "${loop_name[$c]}" "${loop_rate[$c]}" "$(times_as_fast "${j1_rate[$c]}" "${loop_rate[$c]}")"
        else
            printf '%-25s %7s %6s | ' "(none)" - -
        fi
        if [ -n "${tool_rate[$c]:-}" ]; then
            printf '%-20s %7s %5sx | %7s %5sx\n' "${tool_name[$c]}" "${tool_rate[$c]}" \
                "$(times_as_fast "${j1_rate[$c]}" "${tool_rate[$c]}")" "${tool_p_rate[$c]}" \
                "$(times_as_fast "${jn_rate[$c]}" "${tool_p_rate[$c]}")"
        else
            printf '%-20s %7s %6s | %7s %6s\n' "(none)" - - - -
        fi
    done
    echo "  loop: one thread, against segl -j 1. Per-file tool, timed on the first $per_file_sample files: serially"
    echo "  against segl -j 1, with xargs -P $cpus against segl -j $cpus. The loops and tools check the signature and"
    echo "  the certificate path only (pdfsig -nocert the signature only), segl the whole of EN 319 102-1."
}

print_signing_and_memory() {
    local sign_limit=${sign_per_s[${sig_key[cades-1-signer]}]}
    echo
    echo "signing $n_cades CAdES files (${sig_key[cades-1-signer]}), segl-sign: -j 1 $sign_j1_rate files/s," \
        "-j $cpus $sign_jn_rate files/s; start-up $sign_startup_ms ms CPU"
    echo "  per CPU-second at -j 1: $sign_j1_cpu_rate files = $(share "$sign_j1_cpu_rate" "$sign_limit") %" \
        "of openssl speed ${sig_key[cades-1-signer]} $(calc %.0f "$sign_limit") sign/s (target >= 80 %)"
    print_memory
}

print_memory() {
    local i over=0
    [ ${#flat_names[@]} -gt 0 ] || return 0
    echo
    echo "flatness: $flat_files files validated in one segl-verify process (-j $cpus), RSS every $flat_every results" \
        "(target: growth after the first $flat_warm_up files < $flat_limit_mib MiB)"
    for i in "${!flat_names[@]}"; do
        printf '  %-30s %s\n' "${flat_names[$i]}" "${flat_lines[$i]}"
    done
    echo "$big_mib MiB document (random bytes; stdin: a pipe): peak RSS (target < $rss_limit_mib MiB each)"
    for i in "${!big_names[@]}"; do
        if awk -v rss="${big_rss[$i]}" -v limit="$rss_limit_mib" 'BEGIN { exit !(rss < limit) }'; then
            printf '  %-46s %8s MiB  ok\n' "${big_names[$i]}" "${big_rss[$i]}"
        else
            printf '  %-46s %8s MiB  OVER TARGET\n' "${big_names[$i]}" "${big_rss[$i]}"
            over=1
        fi
    done
    if [ $over = 1 ]; then
        echo "  OVER TARGET: to validate a .p7m, OpenSSL 3.0 decodes the whole CMS: d2i_CMS_bio reads it into"
        echo "  memory, then collects its content into one OCTET STRING in a buffer grown by a third at a time"
        echo "  (about 2.9 times the content at the peak). It has no streaming decoder, and finding the content"
        echo "  in the encoding without one would be ASN.1 parsed by hand."
    fi
}

# results_lines: one line per corpus and one for signing, as recorded in last.txt
results_lines() {
    local c sign_limit=${sign_per_s[${sig_key[cades-1-signer]}]}
    echo "# corpus         files  limit/core  j1_files/s  jN_files/s  j1_cpu_share%  jN_cpu_share% | quick_files  j1_cpu_share%  jN_cpu_share%"
    for c in "${corpora[@]}"; do
        printf '%-16s %5d %11d %11d %11d %14s %14s | %11d %14s %14s\n' "$c" "${files[$c]}" "${limit_core[$c]}" \
            "${j1_rate[$c]}" "${jn_rate[$c]}" "$(share "${j1_cpu_rate[$c]}" "${limit_core[$c]}")" \
            "$(share "${jn_cpu_rate[$c]}" "${limit_core[$c]}")" "${quick_size[$c]}" \
            "$(share "${check_j1_cpu_rate[$c]}" "${check_limit_core[$c]}")" \
            "$(share "${check_jn_cpu_rate[$c]}" "${check_limit_core[$c]}")"
    done
    printf '%-16s %5d %11.0f %11d %11d %14s %14s | %11d %14s %14s\n' signing "$n_cades" "$sign_limit" \
        "$sign_j1_rate" "$sign_jn_rate" "$(share "$sign_j1_cpu_rate" "$sign_limit")" - \
        "${quick_size[cades-1-signer]}" "$(share "$check_sign_cpu_rate" "$sign_limit")" -
}

record_results() {
    {
        echo "# tests/bench/bench.sh --record, $(date -u +%Y-%m-%d), $cpus CPUs, $(openssl version | cut -d' ' -f1-2)"
        echo "# shares: files per CPU-second / crypto limit per core (signing: / openssl speed sign/s), for the"
        echo "# whole corpus and for its first quick_files (the --quick corpus); --quick fails below half of these"
        results_lines
    } >"$recorded"
    echo
    echo "recorded in $recorded"
}

# compare_with_recorded: exit 1 when a share is below half of the recorded one
compare_with_recorded() {
    [ -f "$recorded" ] || die "no $recorded to compare with (make one with a full run and --record)"
    local c now was failed=0 column
    echo
    echo "against $recorded (fail below half the recorded share of the limit):"
    printf '%-16s %-14s %9s %9s  %s\n' corpus "per CPU-s at" recorded now verdict
    while read -r c column now; do
        was=$(awk -v c="$c" -v col="$column" '$1 == c { print $col }' "$recorded")
        [ -n "$was" ] || die "$recorded has no figure for $c in column $column: record it again"
        [ "$was" != - ] || continue
        if awk -v now="$now" -v was="$was" 'BEGIN { exit !(now < was / 2) }'; then
            verdict=SLOWER failed=1
        else
            verdict=ok
        fi
        printf '%-16s %-14s %8s%% %8s%%  %s\n' "$c" "$([ "$column" = 10 ] && echo "-j 1" || echo "-j $cpus")" "$was" "$now" "$verdict"
    done < <(results_lines | awk '!/^#/ { print $1, 10, $10; if ($11 != "-") print $1, 11, $11 }')
    [ $failed = 0 ] || die "slower than recorded"
}

# measure_visual: the cost of the visual comparison (segl-verify --visual; poppler renders each
# page of the signed revision and of the final file in a child process): the first files of the
# pades corpus signed a second time with a visible signature, so that the first signature has a
# later revision to compare, validated with --visual always and with --visual off.
measure_visual() {
    local dir=$work/pades-visual n=$((quick == 1 ? 20 : 100)) i=0 f
    progress "PAdES visual comparison: $n files signed twice, --visual always and off"
    mkdir "$dir"
    while read -r f; do
        i=$((i + 1))
        "${sign_as_person[@]}" --visible 1,300,50,220,60 -o "$dir/v$i.pdf" "$f"
    done < <(head -n "$n" "${list[pades]}")
    ls "$dir"/v*.pdf >"$work/visual.list"
    measure_best "$build/segl-verify" "${verify_opts[@]}" --visual off -j 1 --files-from "$work/visual.list"
    visual_off_j1=$(calc %.0f "$n / $wall_s") visual_off_cpu=$cpu_s
    measure_best "$build/segl-verify" "${verify_opts[@]}" --visual always -j 1 --files-from "$work/visual.list"
    visual_on_j1=$(calc %.0f "$n / $wall_s") visual_on_cpu=$cpu_s
    measure_best "$build/segl-verify" "${verify_opts[@]}" --visual off --files-from "$work/visual.list"
    visual_off_jn=$(calc %.0f "$n / $wall_s")
    measure_best "$build/segl-verify" "${verify_opts[@]}" --visual always --files-from "$work/visual.list"
    visual_on_jn=$(calc %.0f "$n / $wall_s") visual_on_rss=$rss_mib
    visual_files=$n
}

print_visual() {
    echo
    echo "pades, $visual_files files signed twice (the first signature's revision compared, one A4 page):"
    echo "  --visual off:    -j 1 $visual_off_j1 files/s, -j $cpus $visual_off_jn files/s"
    echo "  --visual always: -j 1 $visual_on_j1 files/s, -j $cpus $visual_on_jn files/s;" \
        "$(calc %.1f "1000 * ($visual_on_cpu - $visual_off_cpu) / $visual_files") ms CPU a file added," \
        "peak RSS $visual_on_rss MiB"
}

# shellcheck source=tests/bench/many_signers.sh
. "$src/tests/bench/many_signers.sh"

# ---------------------------------------------------------------------------------------------
make_pki
make_cades_one_signer
make_cades_many_signers
make_xades
make_pades
make_asic_e
compute_crypto_limits
validate_corpora_with_segl
measure_visual
if [ $quick = 0 ]; then
    compare_with_peers
    measure_flatness_all
    measure_large_document_rss
    measure_many_signers
fi

echo "segl bench$([ $quick = 1 ] && echo ' --quick'): $cpus CPUs, $(openssl version | cut -d' ' -f1-2)," \
    "validation at $at, revocation off, $SECONDS s"
print_limit_table
[ $quick = 1 ] || print_scaling_table
[ $quick = 1 ] || print_peer_table
print_signing_and_memory
print_visual
[ $quick = 1 ] || print_many_signers
if [ $quick = 1 ]; then
    compare_with_recorded
elif [ $record = 1 ]; then
    record_results
fi
