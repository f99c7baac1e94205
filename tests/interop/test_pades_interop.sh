#!/usr/bin/env bash
# PAdES interop: poppler's pdfsig and qpdf accept what segl signs; segl gives every file of the
# pyHanko corpus a verdict, validates its signed files and signs its unsigned ones.
. "$(dirname "${BASH_SOURCE[0]}")/../cmd/lib.sh"
cp "$DOCS/contract.pdf" .

if have pdfsig && have qpdf; then
    for who in person employee ec; do
        "$SIGN" -q -k "$PKI/oces3/$who.p12" --pass-file "$PASS" -o "$who.pdf" contract.pdf
        pdfsig "$who.pdf" >out.txt 2>&1
        grep -q 'Signature is Valid' out.txt && pass || fail "pdfsig: $who signature not valid: $(cat out.txt)"
        grep -q 'Total document signed' out.txt && pass || fail "pdfsig: $who signature does not cover the document"
        expect_exit 0 "qpdf --check $who" -- qpdf --check "$who.pdf"
    done
    "$SIGN" -q -k "$PKI/oces3/employee.p12" --pass-file "$PASS" -o twice.pdf person.pdf
    pdfsig twice.pdf >out.txt 2>&1
    [ "$(grep -c 'Signature is Valid' out.txt)" -eq 2 ] && pass || fail "pdfsig: not both signatures valid: $(cat out.txt)"

    # long-term levels: the signature stays valid; B-LTA's document timestamp covers it all
    for level in B-T B-LTA; do
        "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -l "$level" --tsa "$TSA" -o "$level.pdf" contract.pdf
        pdfsig "$level.pdf" >out.txt 2>&1
        grep -q 'Signature is Valid' out.txt && pass || fail "pdfsig: $level signature not valid: $(cat out.txt)"
        expect_exit 0 "qpdf --check $level" -- qpdf --check "$level.pdf"
    done
    pdfsig B-T.pdf 2>&1 | grep -q 'Total document signed' && pass || fail "pdfsig: B-T does not cover the document"
    pdfsig B-LTA.pdf >out.txt 2>&1
    grep -A8 'Signature #2' out.txt | grep -q 'Signature Field Name: DocTimeStamp1' && pass || fail "pdfsig: no document timestamp in B-LTA: $(cat out.txt)"
    grep -A8 'Signature #2' out.txt | grep -q 'Total document signed' && pass || fail "pdfsig: the document timestamp does not cover the document"

    # a visible signature renders: the signed page differs from the unsigned one
    if command -v pdftoppm >/dev/null; then
        "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" --visible 1,50,50,220,60 -o visible.pdf contract.pdf
        pdftoppm -png -r 50 -f 1 -l 1 contract.pdf unsigned && pdftoppm -png -r 50 -f 1 -l 1 visible.pdf visible
        [ -s visible-1.png ] && ! cmp -s unsigned-1.png visible-1.png && pass || fail "pdftoppm: the visible signature does not render"
        pdfsig visible.pdf 2>&1 | grep -q 'Signature is Valid' && pass || fail "pdfsig: visible signature not valid"
        expect_exit 0 "qpdf --check visible" -- qpdf --check visible.pdf
    fi
else
    echo "SKIP: pdfsig or qpdf not installed"
fi

CORPUS=${SEGL_SHARED:-}/corpora/pyhanko
if [ ! -d "$CORPUS/pdf" ]; then
    echo "SKIP: pyHanko corpus not found at $CORPUS"
    finish
fi
ROOT=$CORPUS/testing-ca/root/root.cert.pem
signed=0 unsigned=0
while IFS= read -r -d '' f; do
    name=${f#"$CORPUS/pdf/"}
    timeout 30 "$VERIFY" --json --no-default-trust --at 2021-06-01T00:00:00Z --trust "$ROOT" "$f" >out.txt 2>err.txt
    rc=$?
    if [ "$rc" -ge 4 ]; then
        fail "$name: no verdict (exit $rc): $(head -c 200 err.txt)"
        continue
    fi
    pass
    if [ "$rc" -eq 2 ] && jq -e '(.signatures | length) == 0' out.txt >/dev/null 2>&1; then
        # unsigned and readable: sign it; the result must pass pdfsig, and qpdf when the input does
        qpdf --check "$f" >/dev/null 2>&1
        input_ok=$?
        if "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" --format pades -o signed.pdf "$f" 2>err.txt; then
            unsigned=$((unsigned + 1))
            pdfsig signed.pdf 2>&1 | grep -q 'Signature is Valid' && pass || fail "$name: pdfsig rejects segl's signature"
            if [ "$input_ok" -eq 0 ]; then
                qpdf --check signed.pdf >/dev/null 2>&1 && pass || fail "$name: qpdf --check fails after signing"
            fi
            verify_json signed.pdf >out.txt 2>&1
            expect_json '(.signatures | length) == 1 and .signatures[0].indication == "TOTAL_PASSED"' "$name: segl validates its own signature"
        elif [ "$input_ok" -eq 0 ]; then
            fail "$name: cannot sign an unsigned PDF that qpdf finds sound: $(cat err.txt)"
        else
            # damaged input (qpdf warns too): a clean one-line refusal is the right answer
            expect_one_line_error "$name: damaged PDF refused clearly" 'segl-sign: .+'
        fi
    fi
done < <(find "$CORPUS/pdf" -name '*.pdf' -print0 | sort -z)

# The corpus's signed files: their signatures are cryptographically intact.
for name in minimal-signed-twice-both-created minimal-two-fields-signed-twice pades-lta-dss-indirect-arrs-test \
            pades-with-old-style-signing-cert-attr sig-with-ski-sid sig-no-signed-attrs separate-annots-kids-indir; do
    "$VERIFY" --json --no-default-trust --at 2020-12-01T00:00:00Z --trust "$ROOT" "$CORPUS/pdf/$name.pdf" >out.txt 2>/dev/null
    signed=$((signed + 1))
    expect_json 'all(.signatures[]; (.subindication // "") as $s | ($s | test("HASH_FAILURE|SIG_CRYPTO_FAILURE|FORMAT_FAILURE") | not))' "$name: signatures intact"
done
for name in pdf-sig-with-econtent coverage-anomalies/one-byterange coverage-anomalies/tail-uncovered \
            coverage-anomalies/weird-byterange coverage-anomalies/signature-gap-too-big; do
    "$VERIFY" --json --no-default-trust --trust "$ROOT" "$CORPUS/pdf/$name.pdf" >out.txt 2>/dev/null
    expect_json '.signatures[0].indication == "TOTAL_FAILED" and .signatures[0].subindication == "FORMAT_FAILURE"' "$name: FORMAT_FAILURE"
done
echo "signed $unsigned unsigned corpus files; checked $signed signed ones"
finish
