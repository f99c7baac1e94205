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

# ---- XAdES inside (--inner xades), laid out as DigiDoc does (EN 319 162-1 4.3.2, 4.4.2)
cp letter.txt "my letter.txt"
expect_exit 0 "test_asic_e_signs_with_xades_inside" -- asign person -f asic-e --inner xades -o x.asice letter.txt contract.pdf "my letter.txt"
[ "$(unzip -Z1 x.asice | tr '\n' '|')" = "mimetype|letter.txt|contract.pdf|my letter.txt|META-INF/signatures001.xml|META-INF/manifest.xml|" ] && pass || fail "XAdES ASiC-E layout: $(unzip -Z1 x.asice)"
expect_exit 0 "verify the XAdES ASiC-E" -- verify_json x.asice
expect_json '.indication == "TOTAL_PASSED" and .format == "asic-e" and (.signatures | length == 1) and .signatures[0].level == "XAdES-BASELINE-B" and .signatures[0].covers == ["letter.txt", "contract.pdf", "my letter.txt"]' "XAdES ASiC-E passes and covers every document"
expect_json '.signatures[0].warnings | map(test("manifest|not used")) | any | not' "its ODF manifest agrees and nothing is left unused"
unzip -p x.asice META-INF/signatures001.xml >sigs.xml
grep -q '^<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#"><ds:Signature ' sigs.xml && [ "$(grep -c '<ds:Signature ' sigs.xml)" -eq 1 ] && pass || fail "asic:XAdESSignatures holding one ds:Signature"
grep -q 'URI="letter.txt"' sigs.xml && grep -q 'URI="my%20letter.txt"' sigs.xml && grep -q "<ds:DigestValue>$(openssl dgst -sha256 -binary contract.pdf | base64 -w0)</ds:DigestValue>" sigs.xml && pass || fail "detached references by percent-encoded member name"
unzip -p x.asice META-INF/manifest.xml | grep -q 'manifest:full-path="contract.pdf" manifest:media-type="application/pdf"' && grep -q '<xades:MimeType>application/pdf</xades:MimeType>' sigs.xml && pass || fail "ODF manifest and DataObjectFormat agree on media types"
# a second XAdES signature, then refusals to mix CAdES and XAdES in one container
expect_exit 0 "test_asic_e_adds_a_second_xades_signature" -- asign ec -f asic-e --inner xades -o x2.asice x.asice
expect_exit 0 "verify the co-signed XAdES container" -- verify_json x2.asice
expect_json '.indication == "TOTAL_PASSED" and (.signatures | length == 2) and all(.signatures[]; .level == "XAdES-BASELINE-B" and (.covers | length == 3))' "both XAdES signatures pass"
unzip -p x2.asice META-INF/signatures001.xml | cmp -s - sigs.xml && unzip -Z1 x2.asice | grep -qx META-INF/signatures002.xml && [ "$(unzip -Z1 x2.asice | grep -c manifest.xml)" -eq 1 ] && pass || fail "the first signature untouched, the second in signatures002.xml"
expect_exit 3 "no CAdES signature added to a XAdES container" -- asign person -f asic-e -o mix1.asice x.asice
grep -q -- '--inner xades' err.txt && pass || fail "mixing says what to do: $(cat err.txt)"
expect_exit 3 "no XAdES signature added to a CAdES container" -- asign person -f asic-e --inner xades -o mix2.asice three.asice
expect_exit 3 "--inner without a container format" -- asign person -f cades --inner xades -o inner.p7s letter.txt
expect_exit 3 "--inner with an unknown format" -- asign person -f asic-e --inner pades -o inner.asice letter.txt
# a changed document and a data object that no signature names
mkdir -p xc && (cd xc && unzip -q ../x.asice letter.txt && echo changed >>letter.txt) && cp x.asice x-changed.asice && (cd xc && zip -q -X ../x-changed.asice letter.txt)
cp x.asice x-added.asice && zip -q -X x-added.asice data.bin
expect_exit 1 "a changed document in a XAdES ASiC-E" -- verify_json x-changed.asice
expect_json '.signatures[0].subindication == "HASH_FAILURE"' "changed document: HASH_FAILURE"
expect_exit 1 "an unsigned document added to a XAdES ASiC-E" -- verify_json x-added.asice
expect_json '.signatures[0].errors | map(test("data.bin is signed by no signature")) | any' "the unsigned document is named"
# ASiC-S: META-INF/signatures.xml with one reference
expect_exit 0 "test_asic_s_signs_with_xades_inside" -- asign employee -f asic-s --inner xades -o x.asics contract.pdf
[ "$(unzip -Z1 x.asics | tr '\n' ' ')" = "mimetype contract.pdf META-INF/signatures.xml " ] && pass || fail "XAdES ASiC-S layout: $(unzip -Z1 x.asics)"
expect_exit 0 "verify the XAdES ASiC-S" -- verify_json x.asics
expect_json '.indication == "TOTAL_PASSED" and .format == "asic-s" and .signatures[0].level == "XAdES-BASELINE-B" and .signatures[0].covers == ["contract.pdf"]' "XAdES ASiC-S passes"
expect_exit 3 "a XAdES ASiC-S takes no second signature" -- asign person -f asic-s --inner xades -o x2.asics x.asics
# B-LT inside: validates offline after the signer's certificate expired
expect_exit 0 "test_asic_e_xades_blt" -- asign shortlived -f asic-e --inner xades -l B-LT --tsa "$TSA" --signing-time 2026-06-01T11:59:00Z -o xlt.asice letter.txt contract.pdf
expect_exit 0 "verify the XAdES B-LT container offline a year later" -- verify_json --offline --revocation require --at 2027-06-01T00:00:00Z xlt.asice
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].level == "XAdES-BASELINE-LT"' "XAdES B-LT inside"
expect_exit 0 "test_asic_e_xades_blta" -- asign person -f asic-e --inner xades -l B-LTA --tsa "$TSA" -o xlta.asice letter.txt contract.pdf
expect_exit 0 "verify the XAdES B-LTA container" -- verify_json --offline --revocation require --at 2027-06-01T00:00:00Z xlta.asice
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].level == "XAdES-BASELINE-LTA"' "XAdES B-LTA inside"
expect_exit 0 "CAdES B-LTA inside" -- asign person -f asic-e -l B-LTA --tsa "$TSA" -o clta.asice letter.txt
expect_exit 0 "verify the CAdES B-LTA container" -- verify_json --offline --revocation require --at 2027-06-01T00:00:00Z clta.asice
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].level == "CAdES-BASELINE-LTA"' "CAdES B-LTA inside"

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
