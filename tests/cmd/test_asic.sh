#!/usr/bin/env bash
# ASiC containers (ETSI EN 319 162-1): ASiC-E with several documents, ASiC-S with one, adding a
# signature to a container, what segl-verify reports each signature covers, extracting.
. "$(dirname "$0")/lib.sh"
INSPECT=$SEGL_BIN/segl-inspect
cp "$DOCS/letter.txt" "$DOCS/taxform.xml" "$DOCS/contract.pdf" .
head -c 300000 /dev/urandom >data.bin
asign() { "$SIGN" -q -k "$PKI/oces3/$1.p12" --pass-file "$PASS" "${@:2}"; }

# ---- ASiC-E: three documents, one signature over an ASiCManifest that lists them
expect_exit 0 "sign three documents into one ASiC-E" -- asign person -f asic-e -o three.asice letter.txt taxform.xml contract.pdf
expect_exit 0 "verify the ASiC-E" -- verify_json three.asice
expect_json '.indication == "TOTAL_PASSED" and .format == "asic-e" and (.signatures | length == 1)' "ASiC-E passes"
expect_json '.signatures[0].covers == ["letter.txt", "taxform.xml", "contract.pdf"]' "the signature covers the three documents"
expect_json '.signatures[0].level == "CAdES-BASELINE-B"' "CAdES inside"
unzip -Z1 three.asice >names.txt
[ "$(head -1 names.txt)" = mimetype ] && grep -qx 'META-INF/ASiCManifest001.xml' names.txt && grep -qx 'META-INF/signature001.p7s' names.txt && pass || fail "ASiC-E layout: $(cat names.txt)"
# EN 319 162-1 A.1: mimetype first, stored, no extra field, so its text is at offset 38
[ "$(head -c 69 three.asice | tail -c 31)" = "application/vnd.etsi.asic-e+zip" ] && pass || fail "mimetype not readable at offset 38"
[ "$(od -An -tu2 -j26 -N4 three.asice | tr -s ' ')" = " 8 0" ] && pass || fail "mimetype local header: name length 8, extra length 0"
unzip -p three.asice contract.pdf | cmp -s - contract.pdf && pass || fail "contract.pdf is stored unchanged"

# The default output name and the human summary
expect_exit 0 "ASiC-E without -o" -- asign person -f asic-e letter.txt data.bin
[ -s letter.txt.asice ] && pass || fail "default name INPUT.asice"
expect_exit 0 "human summary" -- "$VERIFY" --at "$AT" --trust "$PKI/trust/oces3-root.pem" letter.txt.asice
grep -q 'covers: data.bin' out.txt && grep -q TOTAL_PASSED out.txt && pass || fail "human summary names what is covered: $(cat out.txt)"

# ---- ASiC-S: one document, META-INF/signature.p7s over it
expect_exit 0 "sign an ASiC-S" -- asign employee -f asic-s -o one.asics contract.pdf
expect_exit 0 "verify the ASiC-S" -- verify_json one.asics
expect_json '.indication == "TOTAL_PASSED" and .format == "asic-s" and .signatures[0].covers == ["contract.pdf"]' "ASiC-S passes and covers its document"
[ "$(unzip -Z1 one.asics | tr '\n' ' ')" = "mimetype contract.pdf META-INF/signature.p7s " ] && pass || fail "ASiC-S layout: $(unzip -Z1 one.asics)"
expect_exit 3 "an ASiC-S holds one document" -- asign person -f asic-s -o two.asics letter.txt contract.pdf
grep -q 'one data object' err.txt && pass || fail "ASiC-S with two inputs: $(cat err.txt)"
[ ! -e two.asics ] && pass || fail "a refused container left an output"

# ---- adding a signature: the one input is an existing container
expect_exit 0 "add a second signature to the ASiC-E" -- asign ec -f asic-e -o cosigned.asice three.asice
expect_exit 0 "verify the co-signed container" -- verify_json cosigned.asice
expect_json '.indication == "TOTAL_PASSED" and (.signatures | length == 2) and all(.signatures[]; .covers == ["letter.txt", "taxform.xml", "contract.pdf"])' "both signatures cover every document"
expect_json '[.signatures[].signer.common_name] == ["Anna Testesen", "Søren Østergård"]' "the two signers"
grep -qx 'META-INF/signature002.p7s' <(unzip -Z1 cosigned.asice) && pass || fail "second signature file"
unzip -p cosigned.asice META-INF/signature001.p7s | cmp -s - <(unzip -p three.asice META-INF/signature001.p7s) && pass || fail "the first signature is untouched"
expect_exit 3 "an ASiC-S takes no second signature" -- asign person -f asic-s -o more.asics one.asics
grep -q 'one signature' err.txt && pass || fail "ASiC-S add: $(cat err.txt)"
expect_exit 3 "an ASiC-S is not added to as an ASiC-E" -- asign person -f asic-e -o more.asice one.asics
# a document added after signing is covered by no signature: the container fails
cp three.asice added.asice
zip -q -X added.asice data.bin
expect_exit 1 "an unsigned document added later" -- verify_json added.asice
expect_json '.indication == "TOTAL_FAILED" and .signatures[0].subindication == "FORMAT_FAILURE" and (.signatures[0].errors | map(test("data.bin is signed by no signature")) | any)' "FORMAT_FAILURE names the unsigned document"
expect_exit 0 "signing the container with the added document covers it" -- asign employee -f asic-e -o added2.asice added.asice
expect_exit 0 "a document one signature covers is signed" -- verify_json added2.asice
expect_json '.signatures[0].covers == ["letter.txt", "taxform.xml", "contract.pdf"] and .signatures[1].covers == ["letter.txt", "taxform.xml", "contract.pdf", "data.bin"] and .indication == "TOTAL_PASSED"' "per-signature covers"

# ---- levels: B-T with the test TSA
expect_exit 0 "ASiC-E at B-T" -- asign person -f asic-e -l B-T --tsa "$TSA" --signing-time 2026-06-01T11:59:00Z -o timed.asice letter.txt contract.pdf
verify_json --at 2026-06-02T00:00:00Z timed.asice >out.txt
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].level == "CAdES-BASELINE-T"' "B-T inside the container"

# ---- refusals when signing
mkdir -p a b && cp letter.txt a/ && cp letter.txt b/
expect_exit 3 "two inputs with the same name" -- asign person -f asic-e -o dup.asice a/letter.txt b/letter.txt
grep -q 'two inputs are named letter.txt' err.txt && pass || fail "duplicate inputs: $(cat err.txt)"
expect_exit 3 "stdin has no name in a container" -- asign person -f asic-e -o stdin.asice - <letter.txt
expect_exit 3 "no enveloping packaging in a container" -- asign person -f asic-e --packaging enveloping -o env.asice letter.txt
expect_exit 3 "a missing input" -- asign person -f asic-e -o missing.asice letter.txt nosuch.pdf
[ ! -e missing.asice ] && [ ! -e dup.asice ] && pass || fail "refused signing left an output"
expect_exit 3 "--content does not apply to a container" -- verify_json --content letter.txt three.asice

# ---- extracting
expect_exit 0 "extract the data objects" -- "$INSPECT" --extract out three.asice
cmp -s out/letter.txt letter.txt && cmp -s out/contract.pdf contract.pdf && cmp -s out/taxform.xml taxform.xml && pass || fail "extracted files differ"
[ ! -e out/META-INF ] && [ ! -e out/mimetype ] && pass || fail "only data objects are extracted"
expect_exit 3 "extracting again does not overwrite" -- "$INSPECT" --extract out three.asice
grep -q 'File exists' err.txt && pass || fail "no overwrite: $(cat err.txt)"
expect_exit 3 "--extract takes one container" -- "$INSPECT" --extract out2 three.asice one.asics
expect_exit 3 "--extract of a file that is no container" -- "$INSPECT" --extract out3 letter.txt
[ ! -e out3 ] && pass || fail "a refused extraction made the folder"
# folders inside an ASiC-E are kept
mkdir -p docs/2026 && cp letter.txt docs/2026/
python3 "$SEGL_SOURCE/testdata/asic/mkzip.py" nested.zip <<JSON
[{"name": "mimetype", "text": "application/vnd.etsi.asic-e+zip", "store": true},
 {"name": "docs/", "text": ""}, {"name": "docs/2026/letter.txt", "file": "letter.txt"}]
JSON
expect_exit 0 "sign a container holding a folder" -- asign person -f asic-e -o nested.asice nested.zip
expect_exit 0 "verify it" -- verify_json nested.asice
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].covers == ["docs/2026/letter.txt"]' "the data object in a folder is covered"
expect_exit 0 "extract it" -- "$INSPECT" --extract nested nested.asice
cmp -s nested/docs/2026/letter.txt letter.txt && pass || fail "extracted into folders"

# ---- memory stays bounded whatever the size of the data objects
head -c 200000000 /dev/urandom >big.bin
/usr/bin/time -f %M -o rss-sign.txt "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -f asic-e -o big.asice big.bin letter.txt || fail "sign a 200 MB document"
/usr/bin/time -f %M -o rss-verify.txt "$VERIFY" --json --at "$AT" --trust "$PKI/trust/oces3-root.pem" big.asice >out.txt 2>/dev/null
expect_json '.indication == "TOTAL_PASSED"' "the 200 MB container passes"
[ "$(cat rss-sign.txt)" -lt 60000 ] && [ "$(cat rss-verify.txt)" -lt 60000 ] && pass || fail "peak memory (KiB) sign $(cat rss-sign.txt), verify $(cat rss-verify.txt)"
rm -f big.bin big.asice
finish
