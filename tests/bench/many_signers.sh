# Sourced by bench.sh (full run only): a long batch from many distinct signers, one process.
#
# 20,000 detached CAdES files by 2,000 signers (10 each) under the OCES3 issuing CA, listed so
# that every run of 2,000 files has each signer once: after the first 2,000 the caches hold every
# certificate they will ever hold, and from there a validator's memory must stay flat and its
# rate steady (no search that slows as a cache fills, no growth per file). The signers' keys are
# ECDSA P-256 (2,000 RSA keys take minutes to make); made once, with the files, in
# BUILD_DIR/bench/many-signers-2000.
#
# One segl-verify --json run over the list; a sampler reads its output and notes, every 1,000
# files (half a window), the time and the process's resident memory (VmRSS). Printed per 2,000 files: the rate
# and the RSS; then the RSS growth after the first 2,000 (target < 4 MiB: what allocator
# fragmentation may add) and, after them, the second half's rate against the first's (>= 80 %).

many_signers=${BENCH_MANY_SIGNERS:-2000} # fewer only to try the script
many_files_per_signer=10

# make_many_signers_corpus: the keys, certificates, documents and signatures, once
make_many_signers_corpus() {
    local dir=$cache/many-signers-$many_signers db i
    db=$dir/ca
    [ -f "$dir/made" ] && return 0
    progress "many signers: $many_signers keys and certificates, $((many_signers * many_files_per_signer)) signed files (made once, in $dir)"
    rm -rf "$dir"
    mkdir -p "$dir/keys" "$dir/docs" "$db/newcerts"
    # shellcheck disable=SC2016  # expanded by the inner shell
    seq 1 "$many_signers" | xargs -P "$cpus" -n 50 bash -c '
        keys=$1; shift
        for i in "$@"; do
            openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$keys/$i.key.pem" 2>/dev/null
            uuid=$(printf "00000000-0000-4000-9000-%012d" "$i")
            openssl req -new -key "$keys/$i.key.pem" -out "$keys/$i.csr" \
                -subj "/CN=Many Signer $i/serialNumber=UI:DK-P:G:$uuid/C=DK"
        done' _ "$dir/keys"
    : >"$db/index.txt"
    echo 2000 >"$db/serial"
    sed "s|^database .*|database        = $db/index.txt|; s|^new_certs_dir .*|new_certs_dir   = $db/newcerts|; s|^serial .*|serial          = $db/serial|" \
        "$work/signers-ca/openssl.cnf" >"$db/openssl.cnf"
    local csrs=()
    for i in $(seq 1 "$many_signers"); do csrs+=("$dir/keys/$i.csr"); done
    openssl ca -config "$db/openssl.cnf" -batch -notext -utf8 -extensions v3_person \
        -startdate 20250101000000Z -enddate 20301231235959Z -md sha256 \
        -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256 \
        -out /dev/null -infiles "${csrs[@]}" 2>"$db/ca.log" ||
        { cat "$db/ca.log" >&2; die "openssl ca failed"; }
    for i in $(seq 1 "$many_signers"); do
        cp "$db/newcerts/$(printf %04X $((0x2000 + i - 1))).pem" "$dir/keys/$i.pem"
    done
    local filler
    filler=$(head -c 2000 /dev/zero | tr '\0' x)
    for i in $(seq 1 "$((many_signers * many_files_per_signer))"); do
        printf 'Dokument %d: %s\n' "$i" "$filler" >"$dir/docs/d$i.txt"
    done
    # signer S signs documents (S-1)*10+1 .. S*10, in one segl-sign
    # shellcheck disable=SC2016  # expanded by the inner shell
    seq 1 "$many_signers" | xargs -P "$cpus" -I{} bash -c '
        segl_sign=$1 dir=$2 chain=$3 per=$4 s=$5; shift 5
        docs=()
        for k in $(seq 1 "$per"); do docs+=("$dir/docs/d$(( (s - 1) * per + k )).txt"); done
        "$segl_sign" "$@" -j 1 -k "$dir/keys/$s.key.pem" -c "$dir/keys/$s.pem" --chain "$chain" "${docs[@]}"' \
        _ "$build/segl-sign" "$dir" "$work/chain.pem" "$many_files_per_signer" {} "${sign_opts[@]}"
    for i in $(seq 1 "$((many_signers * many_files_per_signer))"); do
        [ -f "$dir/docs/d$i.txt.p7s" ] || die "many signers: $dir/docs/d$i.txt.p7s was not made"
    done
    touch "$dir/made"
}

# measure_many_signers: the run and its samples; sets many_* for the report
measure_many_signers() {
    local dir=$cache/many-signers-$many_signers k s
    make_many_signers_corpus
    # round k (1..10) holds each signer's k-th file
    for k in $(seq 1 "$many_files_per_signer"); do
        for s in $(seq 1 "$many_signers"); do
            echo "$dir/docs/d$(( (s - 1) * many_files_per_signer + k )).txt.p7s"
        done
    done >"$work/many.list"
    progress "many signers: segl-verify over $((many_signers * many_files_per_signer)) files, sampling its RSS"
    python3 - "$build/segl-verify" "$work/many.list" "$many_signers" "${verify_opts[@]}" >"$work/many.txt" <<'PY'
import subprocess, sys, time
verify, listing, window = sys.argv[1], sys.argv[2], int(sys.argv[3])
proc = subprocess.Popen([verify, *sys.argv[4:], "--json", "--files-from", listing],
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
def rss_kib():
    with open(f"/proc/{proc.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
start = time.monotonic()
every = max(window // 2, 1)
samples = []  # (files, seconds, rss KiB) every half window
files = passed = 0
for line in proc.stdout:
    files += 1
    passed += b'"indication":"TOTAL_PASSED"' in line
    if files % every == 0:
        samples.append((files, time.monotonic() - start, rss_kib()))
proc.wait()
print(f"total {files} passed {passed} status {proc.returncode}")
previous = (0, 0.0)
for n, t, rss in samples:
    if n % window == 0:
        rate = (n - previous[0]) / (t - previous[1])
        print(f"window {n} {rate:.0f} {rss / 1024:.1f}")
        previous = (n, t)
# the rate over the first and the second half of what follows the warm-up (halves, not single
# windows: a busy machine moves a window's rate much more than a half's)
at = {n: t for n, t, _ in samples}
middle = window * ((files // window + 1) // 2)
if window in at and middle in at and files in at and middle > window:
    print(f"halves {(middle - window) / (at[middle] - at[window]):.0f} {(files - middle) / (at[files] - at[middle]):.0f}")
PY
    read -r _ many_total _ many_passed _ many_status <"$work/many.txt"
    [ "$many_status" = 0 ] && [ "$many_passed" = "$many_total" ] ||
        die "many signers: $many_passed of $many_total passed, exit $many_status"
    mapfile -t many_windows < <(awk '$1 == "window" { print $2, $3, $4 }' "$work/many.txt")
    read -r _ many_early many_late < <(grep '^halves' "$work/many.txt")
}

print_many_signers() {
    local first w growth last_rss
    echo
    echo "one process, $many_total files by $many_signers signers, each signer once per $many_signers files (segl-verify --json -j $cpus)"
    printf '%-14s %10s %10s\n' "files so far" "files/s" "RSS MiB"
    for w in "${many_windows[@]}"; do
        # shellcheck disable=SC2086  # three words
        printf '%-14s %10s %10s\n' $w
    done
    read -r _ _ first <<<"${many_windows[0]}"
    read -r _ _ last_rss <<<"${many_windows[-1]}"
    growth=$(calc %.1f "$last_rss - $first")
    echo "  RSS growth after the first $many_signers files: $growth MiB (target < 4 MiB): $(calc %s "$growth < 4 ? \"ok\" : \"OVER\"")"
    echo "  after the warm-up, the second half's rate: $many_late files/s, $(share "$many_late" "$many_early") % of the first half's, $many_early (target >= 80 %): $(calc %s "$many_late >= 0.8 * $many_early ? \"ok\" : \"SLOWER\"")"
}
