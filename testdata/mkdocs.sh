#!/usr/bin/env bash
# mkdocs.sh OUTDIR -- write the sample documents used by the segl tests.
#
#   letter.txt    short Danish letter, UTF-8 (æøå), LF line ends
#   taxform.xml   XML tax form: declaration, comment, indentation, non-ASCII text,
#                 an entity reference, elements with Id attributes
#   contract.pdf  valid one-page PDF (classic xref table; `qpdf --check` passes)
#   empty.bin     0 bytes
#   garbage.p7s   256 fixed bytes that start like DER but are not a valid CMS object
#   big.bin       5 MiB of 'a'
#
# All output is byte-for-byte deterministic for a given qpdf version.
# The committed copies in testdata/demo/ are this script's letter.txt,
# taxform.xml and contract.pdf; to refresh them:
#   testdata/mkdocs.sh /tmp/d && cp /tmp/d/{letter.txt,taxform.xml,contract.pdf} testdata/demo/
#
# Idempotent (exits at once if OUTDIR/.done exists); builds in a private
# OUTDIR.tmp.<pid> and renames it into place.  Needs bash, coreutils and qpdf.
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
OUT=${1%/}
[ -e "$OUT/.done" ] && exit 0

QPDF=${QPDF:-qpdf}
export LC_ALL=C

TMP="$OUT.tmp.$$"
rm -rf "$TMP"
mkdir -p "$TMP"
TMP=$(cd "$TMP" && pwd)
trap 'rm -rf "$TMP"' EXIT

die() { echo "mkdocs.sh: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------
cat > "$TMP/letter.txt" <<'EOF'
Testfirma A/S
Ågade 12
2100 København Ø

Aarhus, den 3. marts 2025

Kære Anna Testesen

Tak for dit brev om sommerhuset på Ærø. Vi bekræfter hermed, at lejeaftalen
for perioden 1.–14. juli 2025 er på plads, og at depositum på 2.500 kr. er
modtaget.

Nøglen kan afhentes hos købmanden i Søby fra kl. 15.00 på ankomstdagen.
Husk venligst at tømme køleskabet og slukke for varmen, før I rejser.

Med venlig hilsen

Bo Ansat
Testfirma A/S
EOF

# ---------------------------------------------------------------------------
cat > "$TMP/taxform.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<!-- Fiktiv selvangivelse til test af segl. Ikke en rigtig blanket fra Skattestyrelsen. -->
<Selvangivelse xmlns="urn:example:segl:skat:1" Id="selvangivelse-2024" version="1.0">
  <Indkomstår>2024</Indkomstår>
  <Skatteyder Id="skatteyder">
    <Navn>Søren Østergård</Navn>
    <Adresse>Åbenrå 7, 1124 København K</Adresse>
    <CPR>0101701234</CPR>
  </Skatteyder>
  <Arbejdsgiver cvr="12345678">Testfirma A/S &amp; Co.</Arbejdsgiver>
  <Oplysninger Id="oplysninger">
    <Felt rubrik="11" beskrivelse="Lønindkomst">452000</Felt>
    <Felt rubrik="51" beskrivelse="Befordringsfradrag (2 × 24 km)">7320</Felt>
    <Felt rubrik="58" beskrivelse="Fagforeningskontingent – fuldt fradrag">6000</Felt>
    <Bemærkning>Beløb i hele kroner; år 2024–2025 er omfattet.</Bemærkning>
  </Oplysninger>
  <Erklæring underskrevet="false">Jeg erklærer, at oplysningerne er rigtige.</Erklæring>
</Selvangivelse>
EOF

# ---------------------------------------------------------------------------
# contract.pdf: write the objects with printf, computing the xref offsets as we
# go, then let qpdf rewrite it into a clean, deterministic file.
raw="$TMP/contract.raw.pdf"
offs=()
obj() { # NUM BODY...   (appends "NUM 0 obj ... endobj")
    offs[$1]=$(stat -c %s "$raw")
    local n=$1; shift
    { printf '%d 0 obj\n' "$n"; printf '%s\n' "$@"; printf 'endobj\n'; } >> "$raw"
}
# Page text, WinAnsiEncoding; non-ASCII as octal escapes: \346=æ \370=ø \345=å \330=Ø \305=Å \226=–
content=$(cat <<'EOF'
BT
/F1 20 Tf
72 760 Td
(Kontrakt om lejem\345l) Tj
/F1 11 Tf
0 -36 Td
14 TL
(Mellem Testfirma A/S, CVR 12345678, \305gade 12, 2100 K\370benhavn \330 \(udlejer\)) Tj
T* (og Anna Testesen \(lejer\) er indg\345et f\370lgende aftale:) Tj
T* () Tj
T* (\247 1. Lejem\345let er sommerhuset p\345 \306r\370 i perioden 1.\22614. juli 2025.) Tj
T* (\247 2. Lejen udg\370r 9.800 kr., og depositum p\345 2.500 kr. betales ved underskrift.) Tj
T* (\247 3. Aftalen er underlagt dansk ret.) Tj
T* () Tj
T* (Dette dokument er testdata for segl og har ingen retsvirkning.) Tj
ET
EOF
)
printf '%%PDF-1.7\n%%\342\343\317\323\n' > "$raw"
obj 1 '<< /Type /Catalog /Pages 2 0 R >>'
obj 2 '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'
obj 3 '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]' \
      '   /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>'
obj 4 "<< /Length $(( ${#content} + 1 )) >>" 'stream' "$content" 'endstream'
obj 5 '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>'
obj 6 '<< /Title (Kontrakt om lejem\345l) /Author (Testfirma A/S) /Producer (segl testdata)' \
      '   /CreationDate (D:20250301120000Z) /ModDate (D:20250301120000Z) >>'
xref=$(stat -c %s "$raw")
{
    printf 'xref\n0 7\n0000000000 65535 f \n'
    for i in 1 2 3 4 5 6; do printf '%010d 00000 n \n' "${offs[$i]}"; done
    printf 'trailer\n<< /Size 7 /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n' "$xref"
} >> "$raw"
# ${#content} counts characters; we run under LC_ALL=C so that is bytes.

"$QPDF" --static-id --object-streams=disable --stream-data=uncompress \
    "$raw" "$TMP/contract.pdf" || die "qpdf could not rewrite contract.pdf"
"$QPDF" --check "$TMP/contract.pdf" > /dev/null || die "qpdf --check failed on contract.pdf"
rm -f "$raw"

# ---------------------------------------------------------------------------
: > "$TMP/empty.bin"

# garbage.p7s: "30 82 01 00 06 09 2a 86 48 86 f7 0d 01 07 02" (a SEQUENCE that
# claims 256 bytes and starts with the id-signedData OID) followed by
# deterministic junk -- 256 bytes in total, so the outer length is wrong too.
{
    printf '\060\202\001\000\006\011\052\206\110\206\367\015\001\007\002'
    i=0; x=7
    while [ $i -lt 241 ]; do
        x=$(( (x * 109 + 89) % 256 ))
        printf '%b' "\\0$(printf '%03o' "$x")"
        i=$((i + 1))
    done
} > "$TMP/garbage.p7s"

head -c 5242880 /dev/zero | tr '\0' 'a' > "$TMP/big.bin"

# ---------------------------------------------------------------------------
[ "$(stat -c %s "$TMP/garbage.p7s")" = 256 ] || die "garbage.p7s has the wrong size"
[ "$(stat -c %s "$TMP/big.bin")" = 5242880 ] || die "big.bin has the wrong size"

: > "$TMP/.done"
[ -e "$OUT/.done" ] && exit 0
[ -e "$OUT" ] && rm -rf "$OUT"
if ! mv -T "$TMP" "$OUT" 2>/dev/null; then
    [ -e "$OUT/.done" ] || die "could not move $TMP to $OUT"
    exit 0
fi
trap - EXIT
exit 0
