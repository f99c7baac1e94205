#!/usr/bin/env bash
# An enveloping XAdES signature over non-XML content: a ds:Reference with the base64 transform
# (XMLDSig 1.1 6.6.2) over a ds:Object holding the content as base64 text. Valid text passes,
# whatever its line breaks; text that is not base64, or that decodes to other bytes, fails; and
# in the ASan build, validating either leaks nothing (xmlsec 1.2.37 leaked 24 bytes per
# Reference whose text was not base64: formats/xades/xades_dsig.c).
. "$(dirname "$0")/lib.sh"
printf 'binary content \000\001\002\377 of an enveloping signature\n' >content.bin
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -f xades --packaging enveloping \
    -o good.xml content.bin || fail "sign content.bin enveloping"
grep -q 'Algorithm="http://www.w3.org/2000/09/xmldsig#base64"' good.xml && pass ||
    fail "the Reference has the base64 transform"

# object_text FROM TO PYTHON-EXPRESSION: TO is FROM with the ds:Object's text replaced by the
# expression's value (text: the text as signed).
object_text() {
    python3 - "$1" "$2" "$3" <<'EOF'
import re, sys
source, target, expression = sys.argv[1:]
signed = open(source).read()
match = re.search(r'(<ds:Object[^>]*Encoding="http://www.w3.org/2000/09/xmldsig#base64"[^>]*>)([^<]*)', signed)
text = match.group(2)
open(target, "w").write(signed[:match.start(2)] + eval(expression) + signed[match.end(2):])
EOF
}
object_text good.xml wrapped.xml '"\r\n".join(text[i:i + 64] for i in range(0, len(text), 64)) + "\n  "'
object_text good.xml not-base64.xml '"*** this is not base64 ***"'
object_text good.xml inner-padding.xml 'text[:4] + "=" + text[5:]'
object_text good.xml unpadded.xml 'text.rstrip("=")'
object_text good.xml other-bytes.xml '"b3RoZXIgYnl0ZXM="'
object_text good.xml empty.xml '""'

# check FILE EXIT JQ-FILTER DESCRIPTION [options...]: segl-verify's verdict on FILE
check() {
    expect_exit "$2" "$4" -- verify_json --revocation off "$1" "${@:5}"
    expect_json "$3" "$4"
}
check good.xml 0 '.indication == "TOTAL_PASSED"' "test_xades_base64_reference_passes"
check wrapped.xml 0 '.indication == "TOTAL_PASSED"' "test_xades_base64_text_in_lines_passes"
for shape in not-base64 inner-padding unpadded; do
    check "$shape.xml" 1 '.signatures[0].subindication == "FORMAT_FAILURE" and
        (.signatures[0].errors | any(test("not base64")))' "test_xades_base64_${shape}_text_is_a_format_failure"
done
check other-bytes.xml 1 '.signatures[0].subindication == "HASH_FAILURE"' \
    "test_xades_base64_text_of_other_bytes_is_a_hash_failure"
check empty.xml 1 '.signatures[0].subindication == "HASH_FAILURE"' \
    "test_xades_base64_empty_text_is_a_hash_failure"

# The base64 transform among others (here before canonicalisation) is refused, not run.
python3 - <<'EOF'
signed = open("good.xml").read()
base64 = '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#base64"/>'
assert signed.count(base64) == 1
open("chained.xml", "w").write(signed.replace(base64, base64 +
    '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'))
EOF
check chained.xml 1 '.signatures[0].subindication == "FORMAT_FAILURE" and
    (.signatures[0].errors | any(test("base64 transform is supported only")))' \
    "test_xades_base64_transform_among_others_is_refused"

# B-LTA: the archive time-stamp covers the octets the Reference digests (the decoded content).
expect_exit 0 "sign content.bin enveloping at B-LTA" -- "$SIGN" -q -k "$PKI/oces3/person.p12" \
    --pass-file "$PASS" -f xades --packaging enveloping -l B-LTA --tsa "$TSA" \
    --signing-time 2026-06-01T11:59:00Z -o lta.xml content.bin
check lta.xml 0 '.indication == "TOTAL_PASSED" and .signatures[0].level == "XAdES-BASELINE-LTA"' \
    "test_xades_base64_reference_under_an_archive_timestamp_passes" \
    --at 2026-06-02T00:00:00Z --offline --revocation require
object_text lta.xml lta-other-bytes.xml '"b3RoZXIgYnl0ZXM="'
check lta-other-bytes.xml 1 '.signatures[0].subindication == "HASH_FAILURE"' \
    "test_xades_base64_text_of_other_bytes_under_an_archive_timestamp_is_a_hash_failure" --at 2026-06-02T00:00:00Z
files_lta=(lta.xml lta-other-bytes.xml)

# In the ASan build, every shape twice in one process, with LeakSanitizer on: no leak (a leak
# report ends the process with status 99, from lib.sh's ASAN_OPTIONS).
if [ "${SEGL_SANITIZE:-0}" = 1 ]; then
    files=(good.xml wrapped.xml not-base64.xml inner-padding.xml unpadded.xml other-bytes.xml empty.xml
        chained.xml "${files_lta[@]}")
    expect_exit 1 "test_xades_base64_references_leak_nothing" -- env ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=1" \
        "$VERIFY" --no-default-trust --trust "$PKI/trust/oces3-root.pem" --at "$AT" --revocation off -q \
        "${files[@]}" "${files[@]}"
    grep -q 'LeakSanitizer' err.txt && fail "leak report: $(head -c 2000 err.txt)" || pass
else
    echo "not the ASan build (SEGL_SANITIZE=${SEGL_SANITIZE:-unset}): the leak check is left to build-asan"
fi
finish
