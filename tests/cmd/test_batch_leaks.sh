#!/usr/bin/env bash
# A back office validates batch after batch in one process: a mixed batch (CAdES, XAdES, PAdES,
# ASiC-E and ASiC-S, at B-B and B-LT; tampered, broken and unsigned files; files in the shapes
# other products write) validated twice in one segl-verify call gets the same verdict for each
# file both times, the exit status of its worst file, and, in the ASan build, no leak report from
# LeakSanitizer at exit (what one file leaks, a night's batch leaks a million times).
. "$(dirname "$0")/lib.sh"
cp "$DOCS/letter.txt" "$DOCS/taxform.xml" "$DOCS/contract.pdf" .
TIME=2026-06-01T11:59:00Z
xsign() { "$SIGN" -q -k "$PKI/oces3/$1.p12" --pass-file "$PASS" --signing-time "$TIME" "${@:2}" || fail "sign ${*:2}"; }
printf 'binary \000\001\377 content\n' >content.bin

# ---- segl's own: every format, at B-B and at B-LT (timestamp, certificates, OCSP and CRLs)
xsign person -o cades.txt.p7s letter.txt && cp letter.txt cades.txt
xsign ec --packaging enveloping -o cades.p7m letter.txt
xsign pss -o xades.xml taxform.xml
xsign person -f xades -o letter.txt.xades.xml letter.txt
xsign ec -f xades --packaging enveloping -o xades-base64.xml content.bin
xsign employee -o pades.pdf contract.pdf
xsign person -f asic-e -o cades.asice letter.txt contract.pdf
xsign ec -f asic-e --inner xades -o xades.asice letter.txt taxform.xml
xsign person -f asic-s -o letter.asics letter.txt
xsign person -l B-LT --tsa "$TSA" -o lt.txt.p7s letter.txt && cp letter.txt lt.txt
xsign person -l B-LT --tsa "$TSA" -o lt.xml taxform.xml
xsign person -l B-LTA --tsa "$TSA" -o lta.pdf contract.pdf
good=(cades.txt.p7s cades.p7m xades.xml letter.txt.xades.xml xades-base64.xml pades.pdf cades.asice
      xades.asice letter.asics lt.txt.p7s lt.xml lta.pdf)

# ---- tampered, revoked, broken, unsigned
xsign person -o changed.txt.p7s letter.txt && { cat letter.txt; echo extra; } >changed.txt
sed 's/Jeg erklærer/Jeg erklærede/' xades.xml >xades-changed.xml
python3 - <<'EOF'
import re
signed = open("xades-base64.xml").read()
open("xades-not-base64.xml", "w").write(re.sub(r'(Encoding="http://www.w3.org/2000/09/xmldsig#base64">)[^<]*', r'\1*** not base64 ***', signed))
pdf = bytearray(open("pades.pdf", "rb").read())
at = pdf.index(b"Kontrakt") if b"Kontrakt" in pdf else 200
pdf[at] ^= 1
open("pades-changed.pdf", "wb").write(pdf)
EOF
cp cades.asice asice-changed.asice
python3 "$SEGL_SOURCE/testdata/asic/mkzip.py" asice-changed.asice <<JSON
[{"name": "mimetype", "text": "application/vnd.etsi.asic-e+zip", "store": true},
 {"name": "letter.txt", "text": "another letter"},
 {"name": "contract.pdf", "from": "cades.asice"},
 {"name": "META-INF/ASiCManifest.xml", "from": "cades.asice", "entry": "META-INF/ASiCManifest001.xml"},
 {"name": "META-INF/signature.p7s", "from": "cades.asice", "entry": "META-INF/signature001.p7s"}]
JSON
xsign revoked -o revoked.txt.p7s letter.txt && cp letter.txt revoked.txt
head -c 3000 pades.pdf >truncated.pdf
cp "$DOCS/garbage.p7s" garbage.p7s
: >empty.p7s
printf '<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>\n' >doctype.xml
bad=(changed.txt.p7s xades-changed.xml xades-not-base64.xml pades-changed.pdf asice-changed.asice revoked.txt.p7s
     truncated.pdf garbage.p7s empty.p7s doctype.xml contract.pdf)

# ---- other products' shapes: openssl cms (no signed attributes), xmlsec1 (plain XMLDSig), an
# Adobe-style PDF signature (testdata/pades/pdflib.sh), the pyHanko and PKITS corpora
. "$SEGL_SOURCE/testdata/pades/pdflib.sh"
openssl cms -sign -binary -noattr -in letter.txt -signer "$PKI/oces3/person.pem" -inkey "$PKI/oces3/person.key.pem" \
    -certfile "$PKI/oces3/chain.pem" -outform DER -out openssl.txt.p7s 2>/dev/null && cp letter.txt openssl.txt
sign_revision contract.pdf adobe.pdf "$PKI/oces3/person.pem" "$PKI/oces3/person.key.pem" "$PKI/oces3/chain.pem" "" "" ||
    fail "an Adobe-style PDF signature"
foreign=(openssl.txt.p7s adobe.pdf)
trust=(--no-default-trust --trust "$PKI/trust/oces3-root.pem" --trust "$PKI/trust/oces2-root.pem")
if have xmlsec1; then
    cat >plain.xml <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<Brev xmlns="urn:segl:test"><Tekst>Hej</Tekst><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo></ds:Signature></Brev>
XML
    xmlsec1 --sign --privkey-pem "$PKI/oces3/person.key.pem,$PKI/oces3/person.pem" --output xmlsec1.xml plain.xml 2>/dev/null &&
        foreign+=(xmlsec1.xml) || fail "xmlsec1 --sign"
fi
CORPORA=${SEGL_SHARED:-}/corpora
if [ -d "$CORPORA/pyhanko/pdf" ]; then
    for name in minimal-signed-twice-both-created pades-lta-dss-indirect-arrs-test sig-no-signed-attrs \
        pdf-sig-with-econtent minimal-badxref minimal-hybrid-xref minimal-aes256 circular-page-tree; do
        cp "$CORPORA/pyhanko/pdf/$name.pdf" . && foreign+=("$name.pdf")
    done
else
    echo "SKIP: pyHanko corpus not found at $CORPORA/pyhanko"
fi
if [ -d "$CORPORA/pkits/smime" ]; then
    # a PKITS message as a detached .p7s next to its content: the first MIME part as signed (the
    # text after the delimiter line, up to the line break before the next delimiter)
    python3 - "$CORPORA/pkits/smime" <<'EOF'
import email, sys
for test in ("SignedValidSignaturesTest1", "SignedInvalidRevokedEETest3", "SignedInvalidCASignatureTest2"):
    raw = open(f"{sys.argv[1]}/{test}.eml", "rb").read()
    message = email.message_from_bytes(raw)
    part = raw.split(b"--" + message.get_boundary().encode())[1]
    open(f"pkits-{test}.txt", "wb").write(part[part.index(b"\n") + 1:-1])
    for sub in message.walk():
        if sub.get_content_type().endswith("pkcs7-signature"):
            open(f"pkits-{test}.txt.p7s", "wb").write(sub.get_payload(decode=True))
EOF
    for test in SignedValidSignaturesTest1 SignedInvalidRevokedEETest3 SignedInvalidCASignatureTest2; do
        [ -f "pkits-$test.txt.p7s" ] && foreign+=("pkits-$test.txt.p7s") || fail "PKITS $test as a .p7s"
    done
    trust+=(--trust "$CORPORA/pkits/certs/TrustAnchorRootCertificate.crt")
else
    echo "SKIP: PKITS corpus not found at $CORPORA/pkits"
fi

batch=("${good[@]}" "${bad[@]}" "${foreign[@]}")
# The batch once, file by file, for the verdicts to compare with.
for file in "${batch[@]}"; do
    "$VERIFY" --json --at 2026-06-02T00:00:00Z "${trust[@]}" "$file" 2>/dev/null | jq -c '{file, indication, signatures: [.signatures[]? | {indication, subindication, level}]}' >>alone.jsonl
done
[ "$(wc -l <alone.jsonl)" -eq "${#batch[@]}" ] && pass || fail "every file alone gives one JSON line ($(wc -l <alone.jsonl) of ${#batch[@]})"
jq -e -s '[.[] | select(.indication == "TOTAL_PASSED")] | length >= 12' alone.jsonl >/dev/null && pass ||
    fail "segl's own files pass: $(jq -c 'select(.indication != "TOTAL_PASSED") | .file' alone.jsonl | head -c 600)"

# The batch twice in one process, on two threads, with LeakSanitizer on in the ASan build: the
# worst file decides the exit status (3: a file cannot be read or parsed).
for jobs in 1 2; do
    expect_exit 3 "test_batch_of_every_shape_twice_in_one_process_leaks_nothing (-j $jobs)" -- \
        env ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=1" "$VERIFY" --json -j "$jobs" --at 2026-06-02T00:00:00Z \
        "${trust[@]}" "${batch[@]}" "${batch[@]}"
    if grep -q 'LeakSanitizer\|AddressSanitizer\|runtime error' err.txt; then
        fail "sanitizer report (-j $jobs): $(grep -m3 -A12 'Sanitizer\|runtime error' err.txt | head -c 3000)"
    else
        pass
    fi
    jq -c '{file, indication, signatures: [.signatures[]? | {indication, subindication, level}]}' out.txt >twice.jsonl
    [ "$(wc -l <twice.jsonl)" -eq $((2 * ${#batch[@]})) ] && pass || fail "-j $jobs: one line per file, twice"
    cmp -s <(cat alone.jsonl alone.jsonl) twice.jsonl && pass ||
        fail "-j $jobs: a file judged otherwise in the batch than alone: $(diff <(cat alone.jsonl alone.jsonl) twice.jsonl | head -c 1500)"
done
[ "${SEGL_SANITIZE:-0}" = 1 ] ||
    echo "not the ASan build (SEGL_SANITIZE=${SEGL_SANITIZE:-unset}): the leak check is left to build-asan"
finish
