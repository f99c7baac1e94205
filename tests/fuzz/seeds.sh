#!/usr/bin/env bash
# Seeds for the fuzz targets, one folder per target under OUT: files of every shape segl makes
# (signed with the test PKI), files in the shapes other products make (built as the tests build
# them: an Adobe-style PDF signature by openssl cms, hostile zips, a trusted list and a plain
# XMLDSig signature by xmlsec1), and the files of other products in ../shared/corpora (pyHanko's
# PDFs, the PKITS S/MIME messages, certificates and CRLs), when that folder is there. Seeds
# larger than 256 KiB are left out: they would slow every run and add little a mutation would
# not reach.
# Usage: tests/fuzz/seeds.sh BUILD_DIR TESTDATA_DIR OUT (BUILD_DIR: where segl-sign is)
set -euo pipefail
build=$(realpath -m "$1") testdata=$(realpath -m "$2") out=$(realpath -m "$3")
src=$(cd "$(dirname "$0")/../.." && pwd)
shared=$src/../shared/corpora
pki=$testdata/pki
docs=$testdata/docs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# seed TARGET... -- FILE...: copies of each FILE (at most 256 KiB) for each TARGET.
seed() {
    local to=()
    while [ "$1" != -- ]; do to+=("$1"); shift; done
    shift
    local small=() target
    [ $# -gt 0 ] && mapfile -d '' small < <(find "$@" -maxdepth 0 -type f -size -257k -print0 2>/dev/null)
    [ ${#small[@]} -gt 0 ] || return 0
    for target in "${to[@]}"; do mkdir -p "$out/$target" && cp -t "$out/$target" "${small[@]}"; done
}
sign() { "$build/segl-sign" -q --pass-file "$pki/password.txt" --signing-time 2026-06-01T10:00:00Z "$@" 2>/dev/null || true; }

# ---- what segl makes: every format and packaging, every kind of key
cp "$docs/letter.txt" "$docs/taxform.xml" "$docs/contract.pdf" "$work/"
printf 'binary \000\001\377 content\n' >"$work/content.bin"
for who in person ec pss; do
    sign -k "$pki/oces3/$who.p12" -o "$work/$who.p7s" "$work/letter.txt"
    sign -k "$pki/oces3/$who.p12" --packaging enveloping -o "$work/$who.p7m" "$work/letter.txt"
    sign -k "$pki/oces3/$who.p12" -o "$work/$who.xades.xml" "$work/taxform.xml"
done
sign -k "$pki/oces3/person.p12" -f xades -o "$work/letter.xades.xml" "$work/letter.txt"
sign -k "$pki/oces3/ec.p12" -f xades --packaging enveloping -o "$work/enveloping.xades.xml" "$work/content.bin"
sign -k "$pki/oces3/person.p12" -o "$work/contract.signed.pdf" "$work/contract.pdf"
sign -k "$pki/oces3/ec.p12" --visible 1,50,50,220,60 --reason Fuzz -o "$work/visible.signed.pdf" "$work/contract.pdf"
sign -k "$pki/oces3/pss.p12" -o "$work/twice.signed.pdf" "$work/contract.signed.pdf"
sign -k "$pki/oces3/person.p12" -f asic-e -o "$work/cades.asice" "$work/letter.txt" "$work/contract.pdf"
sign -k "$pki/oces3/ec.p12" -f asic-e --inner xades -o "$work/xades.asice" "$work/letter.txt" "$work/taxform.xml"
sign -k "$pki/oces3/person.p12" -f asic-s -o "$work/letter.asics" "$work/letter.txt"
sign -k "$pki/oces2/poces.legacy.p12" -o "$work/oces2.p7s" "$work/letter.txt"
segl=("$work"/*.p7s "$work"/*.p7m "$work"/*.xades.xml "$work"/*.signed.pdf "$work"/*.asice "$work"/*.asics)
seed verify inspect sign -- "${segl[@]}"
seed cms -- "$work"/*.p7s "$work"/*.p7m
seed pdf visual -- "$work"/*.pdf
seed zip -- "$work"/*.asice "$work"/*.asics
seed xml -- "$work"/*.xml
seed sign -- "$work/letter.txt" "$work/taxform.xml" "$work/contract.pdf" "$work/content.bin"
# the XML inside the containers: signatures, an ASiCManifest, the ODF manifest
for container in "$work"/*.asice; do
    (cd "$work" && unzip -qo "$container" 'META-INF/*' -d "unzipped-$(basename "$container")" 2>/dev/null) || true
done
seed xml -- "$work"/unzipped-*/META-INF/*.xml
# NemID OpenSign signatures in the applet's shape, and their forgeries (xmlsec1 signs them)
if command -v xmlsec1 >/dev/null && python3 "$src/tests/cmd/mkopensign.py" "$pki" "$work/opensign" >/dev/null 2>&1; then
    seed opensign verify xml -- "$work"/opensign/*.xml
fi

# ---- keys, certificates, time strings
seed pkcs12 -- "$pki"/oces3/{person,ec,pss}.p12 "$pki"/oces3/{person,ec}.key.pem "$pki/oces2/poces.legacy.p12"
seed inspect -- "$pki"/oces3/{person,ec}.p12 "$pki"/oces3/{person,ec,pss,ca,root}.pem "$pki/oces3/ca.cer"
seed trust -- "$pki"/oces3/{root,chain}.pem "$pki/oces3/root.cer" "$pki"/trust/*.pem
mkdir -p "$out/time" "$out/timestamp" "$out/revocation" "$out/tl"
printf '2026-11-24T10:00:00Z' >"$out/time/a"
printf '2026-11-24T11:00:00.5+01:00' >"$out/time/b"
printf '20261124100000Z' >"$out/time/c"

# ---- pictures for --image: PNGs of each colour type, depth and interlacing libpng decodes
mkdir -p "$out/png"
python3 - "$out/png" <<'PY'
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
def png(name, w, h, depth, ctype, pixel_bytes, extra=b'', interlace=0):
    rows = b''.join(b'\0' + bytes((x * 7 + y * 13 + i) & 0xff for x in range(w) for i in range(pixel_bytes))
                    for y in range(h))
    ihdr = struct.pack('>IIBBBBB', w, h, depth, ctype, 0, 0, interlace)
    open(sys.argv[1] + '/' + name, 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + extra
                                              + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))
png('rgba.png', 8, 6, 8, 6, 4)
png('rgb.png', 8, 6, 8, 2, 3)
png('gray.png', 8, 6, 8, 0, 1)
png('gray-alpha.png', 8, 6, 8, 4, 2)
png('rgb16.png', 4, 3, 16, 2, 6)
png('palette.png', 8, 6, 8, 3, 1, chunk(b'PLTE', bytes(range(48)) * 16) + chunk(b'tRNS', bytes([0, 128, 255])))
PY
[ -f /usr/share/pixmaps/debian-logo.png ] && seed png -- /usr/share/pixmaps/debian-logo.png

# ---- the renderer's job and answer (pades_render_wire.c, as x86-64 lays them out): the first
# byte picks the reader (odd: the job, even: the answer)
mkdir -p "$out/render_wire"
python3 - "$out/render_wire" "$docs/contract.pdf" <<'PY'
import struct, sys
pdf = open(sys.argv[2], 'rb').read()
rect = struct.pack('=I4d', 0, 300, 50, 520, 110)
job = (b'SEGLRJ1\n' + struct.pack('=4Q', len(pdf), 1, 1, 1) + pdf + struct.pack('=i', 0)
       + struct.pack('=QQ', len(pdf) // 2, 1) + rect)
open(sys.argv[1] + '/job', 'wb').write(b'\x01' + job)
change = struct.pack('=QI4xQQ4dQQ', 0, 1, 5000, 10, 300, 50, 220, 60, 1, 8) + b'\x89PNG\r\n\x1a\n'
warning = struct.pack('=Q', 0) + b'page 2 cannot be rendered'.ljust(240, b'\0')
open(sys.argv[1] + '/answer', 'wb').write(b'\x02' + b'C' + change + b'W' + warning + b'E')
PY

# ---- a timestamp token and an OCSP response made offline by openssl (no server needed)
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
    openssl ts -reply -config "$work/tsa.cnf" -queryfile "$work/q.tsq" -token_out \
        -out "$out/timestamp/token.der" 2>/dev/null || true
openssl ocsp -issuer "$pki/oces3/ca.pem" -cert "$pki/oces3/person.pem" -reqout "$work/req.der" 2>/dev/null &&
    openssl ocsp -index "$pki/oces3/ca-db/index.txt" -CA "$pki/oces3/ca.pem" -rsigner "$pki/oces3/ocsp.pem" \
        -rkey "$pki/oces3/ocsp.key.pem" -reqin "$work/req.der" -respout "$out/revocation/ocsp.der" 2>/dev/null || true
seed revocation -- "$pki/oces3/ca.crl.der"
# a SignedData carrying that OCSP response in crls (RFC 5940), and one with its signed attributes
# signed in non-DER order, as tests/cmd/test_cms_received.sh makes them
if [ -s "$out/revocation/ocsp.der" ] && [ -s "$work/person.p7s" ]; then
    mkdir -p "$out/cms"
    python3 "$src/tests/cmd/cms_edit.py" add-ocsp "$work/person.p7s" "$out/revocation/ocsp.der" \
        "$out/cms/ocsp-in-crls.p7s" 2>/dev/null || true
    python3 "$src/tests/cmd/cms_edit.py" long-length "$work/person.p7s" "$pki/oces3/person.key.pem" \
        "$out/cms/not-der.p7s" 2>/dev/null || true
fi

# ---- a trusted list signed by the signer fuzz_tl pins (the test TSA), and a list of the lists
if command -v xmlsec1 >/dev/null; then
    mktl() { "$src/testdata/tl/mktl.sh" -k "$pki/oces3/tsa.key.pem" -c "$pki/oces3/tsa.pem" "$@" 2>/dev/null || true; }
    mktl -o "$work/tl.xml" --service "$pki/oces3/ca.pem|CA/QC|granted@2016-07-01T00:00:00Z" \
        --service "$pki/oces3/tsa.pem|TSA/QTST|withdrawn@2026-03-01T00:00:00Z|granted@2016-07-01T00:00:00Z"
    mktl -o "$work/lotl.xml" --lotl -t EU --pointer "http://127.0.0.1:9/tl.xml|$pki/oces3/tsa.pem"
    seed tl xml -- "$work/tl.xml" "$work/lotl.xml"
    # a plain XMLDSig signature (no XAdES properties) made by xmlsec1 over a whole document
    cat >"$work/plain-template.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<Brev xmlns="urn:segl:test"><Tekst Id="t">Hej</Tekst><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo></ds:Signature></Brev>
XML
    xmlsec1 --sign --privkey-pem "$pki/oces3/person.key.pem,$pki/oces3/person.pem" \
        --output "$work/xmlsec1.xml" "$work/plain-template.xml" 2>/dev/null || true
    seed verify xml sign -- "$work/xmlsec1.xml"
fi
[ -s "$out/tl/tl.xml" ] ||
    printf '<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#"><SchemeInformation/></TrustServiceStatusList>' >"$out/tl/minimal.xml"

# ---- PDFs as other signers write them (testdata/pades/pdflib.sh, as test_pades_attacks.sh
# builds them): an Adobe-style adbe.pkcs7.detached signature made by openssl cms, a certifying
# one, a change after signing, an empty cross-reference section
# shellcheck source=../../testdata/pades/pdflib.sh
. "$src/testdata/pades/pdflib.sh"
signer=("$pki/oces3/person.pem" "$pki/oces3/person.key.pem" "$pki/oces3/chain.pem")
(
    cd "$work"
    sign_revision contract.pdf adobe.pdf "${signer[@]}" "" "" || true
    sign_revision contract.pdf certified.pdf "${signer[@]}" \
        '/Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P 1 /V /1.2 >> >>]' \
        '/Perms << /DocMDP 9 0 R >>' || true
    [ -f contract.signed.pdf ] && append_revision contract.signed.pdf changed.pdf 5 '<< /Length 44 >>
stream
BT /F1 20 Tf 72 700 Td (Betalt: 0 kr) Tj ET
endstream' || true
    if [ -f contract.signed.pdf ]; then
        cp contract.signed.pdf empty-xref.pdf
        printf '\nxref\ntrailer\n<< /Size %s /Root 1 0 R /Prev %s >>\nstartxref\n%s\n%%%%EOF\n' \
            "$(next_size contract.signed.pdf)" "$(last_startxref contract.signed.pdf)" \
            "$(($(stat -c %s contract.signed.pdf) + 1))" >>empty-xref.pdf
    fi
    # what the tolerant reader reads past (tests/cmd/test_pades_reading.sh): a startxref one
    # byte early, a linearized file, a table entry pointing elsewhere (repaired by scanning), a
    # later revision whose table is garbage
    if [ -f contract.signed.pdf ]; then
        x=$(last_startxref contract.signed.pdf)
        python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); i=d.rindex(b"startxref"); open(sys.argv[2],"wb").write(d[:i]+b"startxref\n%d\n%%%%EOF\n" % (int(sys.argv[3])-1))' \
            contract.signed.pdf startxref-off.pdf "$x"
        qpdf --linearize contract.pdf linearized.pdf
        python3 -c 'import re,sys; d=open(sys.argv[1],"rb").read(); m=list(re.finditer(rb"(\d{10}) 00000 n", d))[1]; open(sys.argv[2],"wb").write(d[:m.start(1)]+b"%010d" % (int(m.group(1))+3)+d[m.end(1):])' \
            contract.pdf damaged-table.pdf
        cp changed.pdf garbage-xref.pdf
        x=$(last_startxref changed.pdf)
        printf 'garbage' | dd of=garbage-xref.pdf bs=1 seek=$((x + 5)) conv=notrunc status=none
    fi
) >/dev/null 2>&1
seed verify pdf sign -- "$work"/{adobe,certified,changed,empty-xref}.pdf
seed verify pdf -- "$work"/{startxref-off,linearized,damaged-table,garbage-xref}.pdf

# ---- hostile containers as testdata/asic/mkzip.py builds them for test_asic_attacks.sh
mkzip() { python3 "$src/testdata/asic/mkzip.py" "$work/$1" 2>/dev/null || true; }
mime='{"name": "mimetype", "text": "application/vnd.etsi.asic-e+zip", "store": true}'
mkzip traversal.asice <<JSON
[$mime, {"name": "../evil.txt", "text": "x"}, {"name": "META-INF/signature.p7s", "file": "$work/person.p7s"}]
JSON
mkzip duplicate.asice <<JSON
[$mime, {"name": "letter.txt", "file": "$work/letter.txt"}, {"name": "letter.txt", "text": "other"},
 {"name": "META-INF/signature.p7s", "file": "$work/person.p7s"}]
JSON
mkzip declared.asice <<JSON
[$mime, {"name": "letter.txt", "file": "$work/letter.txt", "declared": 5},
 {"name": "META-INF/signature.p7s", "file": "$work/person.p7s"}]
JSON
seed verify zip -- "$work"/{traversal,duplicate,declared}.asice

# ---- other products' files (../shared/corpora; see its README.md), when the folder is there
if [ -d "$shared/pyhanko/pdf" ]; then
    mapfile -d '' pdfs < <(find "$shared/pyhanko/pdf" -name '*.pdf' -print0 | sort -z)
    seed verify pdf sign -- "${pdfs[@]}"
    seed inspect -- "$shared"/pyhanko/pdf/*signed*.pdf "$shared"/pyhanko/pdf/pades-*.pdf
    seed pkcs12 -- "$shared"/pyhanko/testing-ca/root/*.pfx
    seed trust inspect -- "$shared/pyhanko/testing-ca/ca-chain.cert.pem"
fi
if [ -d "$shared/pkits/smime" ]; then
    # the detached CMS of each S/MIME message (its certificates and CRLs), as a .p7s holds it
    mkdir -p "$work/pkits"
    python3 - "$shared/pkits/smime" "$work/pkits" <<'EOF' || true
import email, os, sys
source, target = sys.argv[1:]
for name in sorted(os.listdir(source)):
    with open(os.path.join(source, name), "rb") as f:
        message = email.message_from_binary_file(f)
    for part in message.walk():
        if part.get_content_type() in ("application/pkcs7-signature", "application/x-pkcs7-signature"):
            with open(os.path.join(target, name.removesuffix(".eml") + ".p7s"), "wb") as out:
                out.write(part.get_payload(decode=True))
EOF
    seed verify -- "$work"/pkits/*.p7s
    seed inspect -- "$work"/pkits/SignedValid*.p7s
    seed revocation -- "$shared"/pkits/crls/*.crl
    seed trust inspect -- "$shared"/pkits/certs/*.crt
fi
if [ ! -d "$shared" ]; then
    echo "seeds: $shared not found: fuzzing from segl's own seeds only" >&2
fi
exit 0
