#!/usr/bin/env bash
# The README's examples run exactly as printed: the blocks between <!-- readme-example:begin -->
# and <!-- readme-example:end --> in README.md, from a copy of the layout ./setup.sh leaves
# (build/ with the commands, build/demo with the samples, build/demo-pki with the test PKI).
. "$(dirname "$0")/lib.sh"
README=$SEGL_SOURCE/README.md
awk '/<!-- readme-example:begin -->/ { inside = 1; next }
     /<!-- readme-example:end -->/ { inside = 0; next }
     inside && !/^```/' "$README" >examples.sh
[ "$(grep -c . examples.sh)" -ge 3 ] && pass || fail "no examples found in README.md between the markers"
mkdir -p top/build/demo
for command in segl-sign segl-verify segl-extend segl-inspect; do ln -s "$SEGL_BIN/$command" "top/build/$command"; done
ln -s "$PKI" top/build/demo-pki
cp "$SEGL_SOURCE/testdata/demo/letter.txt" "$SEGL_SOURCE/testdata/demo/taxform.xml" "$SEGL_SOURCE/testdata/demo/contract.pdf" top/build/demo/
(cd top && bash -e ../examples.sh) >out.txt 2>err.txt
status=$?
[ "$status" -eq 0 ] && pass || fail "the README's examples exit $status: $(cat err.txt)"
grep -q '^mine.p7s: ' out.txt && pass || fail "the README's verify printed no verdict (its exit 0 is the pass): $(cat out.txt)"
[ ! -s err.txt ] && pass || fail "the README's examples wrote on stderr: $(cat err.txt)"
# The paths the README names exist: no --trust /etc/segl/trust, which nothing installs.
grep -q '/etc/segl' "$README" && fail "README.md names /etc/segl, which nothing installs" || pass
finish
