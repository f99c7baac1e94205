#!/usr/bin/env bash
# The README's examples run exactly as printed: the blocks between <!-- readme-example:begin -->
# and <!-- readme-example:end --> in README.md, one after the other, from a copy of the layout
# ./setup.sh leaves (build/ with the commands, build/demo with the samples, build/demo-pki with
# the test PKI), on a terminal of their own (readme_terminal.py answers segl-sign's password
# prompt, as the reader would). The files an example names as the reader's own are made here
# from the test PKI: key.p12, anna.p12 and bo.p12 (test OCES3 keys), $SEGL_PASS, the content
# `in`, annex.xml, and a folder `incoming` of signed files; the installed trust store is stood in
# for by the test PKI's roots (SEGL_TRUST_DIR), and revocation is asked of the local responders
# the test certificates name.
. "$(dirname "$0")/lib.sh"
README=$SEGL_SOURCE/README.md
awk '/<!-- readme-example:begin -->/ { inside = 1; next }
     /<!-- readme-example:end -->/ { inside = 0; next }
     inside && !/^```/' "$README" >examples.sh
[ "$(grep -c . examples.sh)" -ge 12 ] && pass || fail "the README's examples are not all between the markers: $(cat examples.sh)"
mkdir -p top/build/demo
for command in segl-sign segl-verify segl-extend segl-inspect; do ln -s "$SEGL_BIN/$command" "top/build/$command"; done
ln -s "$PKI" top/build/demo-pki
cp "$SEGL_SOURCE/testdata/demo/letter.txt" "$SEGL_SOURCE/testdata/demo/taxform.xml" "$SEGL_SOURCE/testdata/demo/contract.pdf" top/build/demo/

# What the later examples take as the reader's own files
demo=top/build/demo
cp "$PKI/oces3/person.p12" "$demo/key.p12"
cp "$PKI/oces3/person.p12" "$demo/anna.p12"
cp "$PKI/oces3/employee.p12" "$demo/bo.p12"
printf 'the content of a pipeline\n' >"$demo/in"
cp "$SEGL_SOURCE/testdata/demo/taxform.xml" "$demo/annex.xml"
mkdir "$demo/incoming"
cp "$DOCS/letter.txt" "$DOCS/contract.pdf" "$demo/incoming/"
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" "$demo/incoming/letter.txt" "$demo/incoming/contract.pdf"
rm "$demo/incoming/contract.pdf"

(cd top && SEGL_PASS=$(head -n 1 "$PASS") SEGL_TRUST_DIR=$PKI/trust \
    python3 "$SEGL_SOURCE/tests/cmd/readme_terminal.py" "$PASS" bash -e ../examples.sh) >out.txt 2>err.txt
status=$?
[ "$status" -eq 0 ] && pass || fail "the README's examples exit $status: $(cat out.txt err.txt)"
[ ! -s err.txt ] && pass || fail "the README's examples wrote outside the terminal: $(cat err.txt)"
# try it: the verdict on the signature just made
grep -q '^mine.p7s: valid' out.txt && pass || fail "the README's verify printed no verdict: $(cat out.txt)"
# the batch: one JSON line per signed file in incoming, every one TOTAL_PASSED (jq printed none)
[ "$(jq -s 'length' "$demo/results.jsonl")" = 2 ] &&
    jq -se 'all(.[]; .indication == "TOTAL_PASSED")' "$demo/results.jsonl" >/dev/null &&
    pass || fail "the batch's results.jsonl: $(cat "$demo/results.jsonl")"
grep -q '^incoming/' out.txt && fail "the batch's jq named a file that did not pass: $(cat out.txt)" || pass
# the pipeline: an enveloping signature of `in` that openssl reads, and "valid"
[ "$(openssl cms -verify -noverify -inform DER -in "$demo/out.p7m" 2>/dev/null)" = "the content of a pipeline" ] &&
    pass || fail "the pipeline's out.p7m does not hold the content of in"
grep -qx 'valid' out.txt && pass || fail "the pipeline's verify did not print valid: $(cat out.txt)"
# the container: two signatures, the documents extracted as they were
expect_exit 0 "the co-signed container" -- verify_json "$demo/deal2.asice"
expect_json '.indication == "TOTAL_PASSED" and (.signatures | length) == 2' "deal2.asice: both signatures pass"
cmp -s "$demo/deal/contract.pdf" "$demo/contract.pdf" && cmp -s "$demo/deal/annex.xml" "$demo/annex.xml" &&
    pass || fail "segl-inspect --extract deal: $(ls -R "$demo/deal" 2>&1)"
# The paths the README names exist: no --trust /etc/segl/trust, which nothing installs.
grep -q '/etc/segl' "$README" && fail "README.md names /etc/segl, which nothing installs" || pass
finish
