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
# Console blocks (<!-- readme-console:begin/end -->) show a session: their "$ " lines are run,
# and every line they show unindented (the prompt, "signed X -> Y", a verdict) must be on the
# terminal; the indented lines carry the README's own signature ids and times.
awk '/<!-- readme-example:begin -->/ { inside = 1; next }
     /<!-- readme-example:end -->/ { inside = 0; next }
     /<!-- readme-console:begin -->/ { console = 1; next }
     /<!-- readme-console:end -->/ { console = 0; next }
     /^```/ { next }
     inside { print }
     console && /^\$ / { print substr($0, 3) }
     console && !/^\$ / && !/^[[:space:]]/ { print >"expected.txt" }' "$README" >examples.sh
[ "$(grep -c . examples.sh)" -ge 17 ] && [ "$(grep -c . expected.txt)" -ge 5 ] && pass ||
    fail "the README's examples are not all between the markers: $(cat examples.sh)"
# The timestamp authority the examples name stands for the local test TSA (tests/servers).
sed -i "s|https://tsa\.example/|$TSA|g" examples.sh
grep -q 'tsa\.example' examples.sh && fail "a TSA URL of the README was not stood in for" || pass
mkdir -p top/build/demo
for command in segl-sign segl-verify segl-extend segl-inspect; do ln -s "$SEGL_BIN/$command" "top/build/$command"; done
ln -s "$PKI" top/build/demo-pki
cp "$SEGL_SOURCE/testdata/demo/letter.txt" "$SEGL_SOURCE/testdata/demo/taxform.xml" "$SEGL_SOURCE/testdata/demo/contract.pdf" top/build/demo/

# What the later examples take as the reader's own files
demo=top/build/demo
cp "$PKI/oces3/person.p12" "$demo/my.p12"
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
cp out.txt examples-out.txt # what the terminal showed; out.txt is each later command's
now_json() { # signed now by the examples: validated now, with the test roots
    "$VERIFY" --json --trust "$PKI/trust/oces3-root.pem" "$@"
}
[ "$status" -eq 0 ] && pass || fail "the README's examples exit $status: $(cat examples-out.txt err.txt)"
[ ! -s err.txt ] && pass || fail "the README's examples wrote outside the terminal: $(cat err.txt)"
# the console sessions: what they show unindented is on the terminal, line for line
sed 's/[[:space:]]*$//' examples-out.txt >terminal.txt
while IFS= read -r line; do
    grep -qxF -- "$line" terminal.txt && pass || fail "the README shows '$line'; the terminal did not: $(cat examples-out.txt)"
done <expected.txt
# the long-term signature: a PAdES B-LT with the test TSA's timestamp, valid offline
expect_exit 0 "the README's B-LT contract" -- now_json --offline --revocation require "$demo/contract.pdf.signed.pdf"
expect_json '.signatures[0].level == "PAdES-BASELINE-LT" and .signatures[0].timestamps[0].time == "2026-06-01T12:00:00Z"' "contract.pdf.signed.pdf is B-LT"
[ -f "$demo/taxform.xml.xades.xml" ] && pass || fail "the tax form was not signed"
# try it: the verdict on the signature just made
grep -q '^mine.p7s: valid' terminal.txt && pass || fail "the README's verify printed no verdict: $(cat examples-out.txt)"
# the batch: one JSON line per signed file in incoming, every one TOTAL_PASSED (jq printed none)
[ "$(jq -s 'length' "$demo/results.jsonl")" = 2 ] &&
    jq -se 'all(.[]; .indication == "TOTAL_PASSED")' "$demo/results.jsonl" >/dev/null &&
    pass || fail "the batch's results.jsonl: $(cat "$demo/results.jsonl")"
grep -q '^incoming/' terminal.txt && fail "the batch's jq named a file that did not pass: $(cat examples-out.txt)" || pass
# the pipeline: an enveloping signature of `in` that openssl reads, and "valid"
[ "$(openssl cms -verify -noverify -inform DER -in "$demo/out.p7m" 2>/dev/null)" = "the content of a pipeline" ] &&
    pass || fail "the pipeline's out.p7m does not hold the content of in"
grep -qx 'valid' terminal.txt && pass || fail "the pipeline's verify did not print valid: $(cat examples-out.txt)"
# the container: two signatures, the documents extracted as they were
expect_exit 0 "the co-signed container" -- now_json "$demo/deal2.asice"
expect_json '.indication == "TOTAL_PASSED" and (.signatures | length) == 2' "deal2.asice: both signatures pass"
cmp -s "$demo/deal/contract.pdf" "$demo/contract.pdf" && cmp -s "$demo/deal/annex.xml" "$demo/annex.xml" &&
    pass || fail "segl-inspect --extract deal: $(ls -R "$demo/deal" 2>&1)"
# The paths the README names exist: no --trust /etc/segl/trust, which nothing installs.
grep -q '/etc/segl' "$README" && fail "README.md names /etc/segl, which nothing installs" || pass
finish
