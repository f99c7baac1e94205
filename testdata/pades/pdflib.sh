# Helpers to build PDF test files by incremental update, in bash with coreutils and openssl only.
# Sourced by tests (tests/cmd/test_pades_attacks.sh, ...) and tests/bench/bench.sh. Every file is built from a one-page PDF whose objects
# are: 1 catalog, 2 info, 3 pages, 4 page, 5 content stream, 6 font (testdata/mkdocs.sh's
# contract.pdf), possibly followed by segl's signature revision (7 signature, 8 field).

# last_startxref FILE: the offset the last "startxref" gives.
last_startxref() { tail -c 64 "$1" | tr '\r' '\n' | grep -A1 startxref | tail -1 | tr -d ' '; }

# next_size FILE: /Size of the newest trailer (a classic trailer is assumed).
next_size() { tail -c 400 "$1" | tr '\r' '\n' | grep -o '/Size [0-9]*' | tail -1 | cut -d' ' -f2; }

# append_revision IN OUT NUM BODY [NUM BODY...]: OUT is IN followed by a new revision holding
# "NUM 0 obj BODY endobj" for each pair, with a classic cross-reference section.
append_revision() {
    local in=$1 out=$2
    shift 2
    local prev size max
    prev=$(last_startxref "$in")
    size=$(next_size "$in")
    cp "$in" "$out"
    printf '\n' >>"$out"
    local nums=() offsets=()
    while [ $# -gt 0 ]; do
        nums+=("$1")
        offsets+=("$(stat -c %s "$out")")
        printf '%s 0 obj\n%s\nendobj\n' "$1" "$2" >>"$out"
        [ "$1" -ge "$size" ] && size=$(($1 + 1))
        shift 2
    done
    local xref
    xref=$(stat -c %s "$out")
    {
        printf 'xref\n'
        for i in "${!nums[@]}"; do
            printf '%s 1\n%010d 00000 n\r\n' "${nums[$i]}" "${offsets[$i]}"
        done
        printf 'trailer\n<< /Size %s /Root 1 0 R /Info 2 0 R /Prev %s >>\nstartxref\n%s\n%%%%EOF\n' "$size" "$prev" "$xref"
    } >>"$out"
}

# sign_revision IN OUT SIGNER_PEM KEY_PEM CHAIN_PEM SIGDICT_EXTRA CATALOG_EXTRA [WIDGET_RECT]:
# append a signature revision the way a PDF signer does (signature 9, widget 10, page 4 and
# catalog 1 rewritten; IN must be unsigned with no /Annots and no /AcroForm), signed by
# `openssl cms` over the byte ranges. SIGDICT_EXTRA goes into the signature dictionary (e.g. a
# DocMDP /Reference), CATALOG_EXTRA into the catalog (e.g. /Perms).
sign_revision() {
    local in=$1 out=$2 cert=$3 key=$4 chain=$5 extra=$6 catalog_extra=$7 rect=${8:-0 0 0 0}
    local zeros
    zeros=$(head -c 8192 /dev/zero | od -An -v -tx1 | tr -d ' \n')
    local page
    page='<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> /Annots [10 0 R] >>'
    append_revision "$in" "$out.tmp" \
        1 "<< /Type /Catalog /Pages 3 0 R /AcroForm << /Fields [10 0 R] /SigFlags 3 >> $catalog_extra >>" \
        4 "$page" \
        9 "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /M (D:20260101000000Z) $extra /ByteRange [0 PLACEHOLDER_PLACEHOLDER_PLACEHOLDER_PLACEHOLD] /Contents <$zeros> >>" \
        10 "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Certification) /V 9 0 R /F 132 /Rect [$rect] /P 4 0 R >>"
    fill_signature "$out.tmp" "$out" "$cert" "$key" "$chain"
}

# fill_signature TMP OUT SIGNER_PEM KEY_PEM CHAIN_PEM: TMP's last revision holds a signature
# dictionary written by sig_dict; fill its ByteRange and sign the ranges with `openssl cms` into
# /Contents, giving OUT (TMP is consumed).
fill_signature() {
    local tmp=$1 out=$2 cert=$3 key=$4 chain=$5
    local gap_start gap_end total range
    gap_start=$(grep -abo '/Contents <0000' "$tmp" | tail -1 | cut -d: -f1)
    gap_start=$((gap_start + 10))
    gap_end=$((gap_start + 2 + 16384))
    total=$(stat -c %s "$tmp")
    range=$(printf '%d %d %d' "$gap_start" "$gap_end" $((total - gap_end)))
    local placeholder=PLACEHOLDER_PLACEHOLDER_PLACEHOLDER_PLACEHOLD
    range=$(printf "%-${#placeholder}s" "$range")
    local at
    at=$(grep -abo 'PLACEHOLDER_PLACEHOLDER_PLACEHOLDER_PLACEHOLD' "$tmp" | tail -1 | cut -d: -f1)
    printf '%s' "$range" | dd of="$tmp" bs=1 seek="$at" conv=notrunc status=none
    { head -c "$gap_start" "$tmp"; tail -c +$((gap_end + 1)) "$tmp"; } >"$out.ranges"
    openssl cms -sign -binary -noattr -in "$out.ranges" -signer "$cert" -inkey "$key" -certfile "$chain" \
        -outform DER -out "$out.p7s" 2>/dev/null || return 1
    od -An -v -tx1 "$out.p7s" | tr -d ' \n' | dd of="$tmp" bs=1 seek=$((gap_start + 1)) conv=notrunc status=none
    mv "$tmp" "$out"
    rm -f "$out.ranges" "$out.p7s"
}

# sig_dict [EXTRA]: a signature dictionary with placeholders for fill_signature.
sig_dict() {
    local zeros
    zeros=$(head -c 8192 /dev/zero | od -An -v -tx1 | tr -d ' \n')
    printf '<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /M (D:20260101000000Z) %s /ByteRange [0 PLACEHOLDER_PLACEHOLDER_PLACEHOLDER_PLACEHOLD] /Contents <%s> >>' "${1:-}" "$zeros"
}

# sign_objects IN OUT SIGNER_PEM KEY_PEM CHAIN_PEM NUM BODY [NUM BODY...]: append a revision
# holding the objects (one of them a sig_dict) and sign it.
sign_objects() {
    local in=$1 out=$2 cert=$3 key=$4 chain=$5
    shift 5
    append_revision "$in" "$out.tmp" "$@" && fill_signature "$out.tmp" "$out" "$cert" "$key" "$chain"
}

# make_large_pdf OUT DATA: a one-page PDF whose page shows DATA's bytes as a gray image 4096
# pixels wide (DATA's size: a multiple of 4096), as a scan is: nearly all of OUT is one stream,
# copied from DATA without being held in memory.
make_large_pdf() {
    local out=$1 data=$2 bytes offsets=() offset xref
    bytes=$(stat -c %s "$data")
    printf '%%PDF-1.7\n%%\342\343\317\323\n' >"$out"
    large_pdf_object() { # large_pdf_object NUM BODY
        offsets+=("$(stat -c %s "$out")")
        printf '%d 0 obj\n%s\nendobj\n' "$1" "$2" >>"$out"
    }
    large_pdf_object 1 '<< /Type /Catalog /Pages 2 0 R >>'
    large_pdf_object 2 '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'
    large_pdf_object 3 '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>'
    large_pdf_object 4 $'<< /Length 31 >>\nstream\nq 595 0 0 842 0 0 cm /Im1 Do Q\nendstream'
    offsets+=("$(stat -c %s "$out")")
    printf '5 0 obj\n<< /Type /XObject /Subtype /Image /Width 4096 /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n' \
        $((bytes / 4096)) "$bytes" >>"$out"
    cat "$data" >>"$out"
    printf '\nendstream\nendobj\n' >>"$out"
    xref=$(stat -c %s "$out")
    {
        printf 'xref\n0 6\n0000000000 65535 f\r\n'
        for offset in "${offsets[@]}"; do printf '%010d 00000 n\r\n' "$offset"; done
        printf 'trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n' "$xref"
    } >>"$out"
}
