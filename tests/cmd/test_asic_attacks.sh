#!/usr/bin/env bash
# Hostile ASiC containers: names that escape or collide, a mimetype that lies, encrypted and
# linked entries, zip bombs, and signatures whose signed manifest does not match the files. Every
# one is refused (exit 3, nothing extracted) or does not pass.
. "$(dirname "$0")/lib.sh"
INSPECT=$SEGL_BIN/segl-inspect
MKZIP="python3 $SEGL_SOURCE/testdata/asic/mkzip.py"
cp "$DOCS/letter.txt" "$DOCS/contract.pdf" .
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -f asic-e -o good.asice letter.txt contract.pdf || fail "sign good.asice"
E='{"name": "mimetype", "text": "application/vnd.etsi.asic-e+zip", "store": true}'
S='{"name": "mimetype", "text": "application/vnd.etsi.asic-s+zip", "store": true}'
SIGS='{"name": "META-INF/ASiCManifest001.xml", "from": "good.asice"}, {"name": "META-INF/signature001.p7s", "from": "good.asice"}'
LETTER='{"name": "letter.txt", "file": "letter.txt"}'
CONTRACT='{"name": "contract.pdf", "file": "contract.pdf"}'

# refused CASE PATTERN JSON: segl-verify and segl-inspect --extract both refuse (exit 3) with a
# message matching PATTERN, and nothing is extracted.
refused() {
    local what=$1 pattern=$2
    $MKZIP "$what.zip" <<<"$3" || { fail "$what: mkzip"; return; }
    expect_exit 3 "$what: segl-verify refuses" -- verify_json "$what.zip"
    grep -Eq -- "$pattern" err.txt && pass || fail "$what: message: $(cat err.txt)"
    expect_exit 3 "$what: --extract refuses" -- "$INSPECT" --extract "x-$what" "$what.zip"
    [ -z "$(ls -A "x-$what" 2>/dev/null)" ] && pass || fail "$what: something was extracted"
}

refused absolute 'absolute path' "[$E, {\"name\": \"/tmp/evil.txt\", \"text\": \"x\"}, $SIGS]"
refused dotdot '"\.\." path segment' "[$E, {\"name\": \"../evil.txt\", \"text\": \"x\"}, $SIGS]"
refused dotdot-deep '"\.\." path segment' "[$E, {\"name\": \"docs/../../evil.txt\", \"text\": \"x\"}, $SIGS]"
refused dot '"\." or' "[$E, {\"name\": \"./letter.txt\", \"file\": \"letter.txt\"}, $SIGS]"
refused empty-name 'empty name' "[$E, {\"name\": \"\", \"text\": \"x\"}, $SIGS]"
refused empty-segment 'empty path segment' "[$E, {\"name\": \"docs//letter.txt\", \"text\": \"x\"}, $SIGS]"
refused backslash 'backslash' "[$E, {\"name\": \"..\\\\\\\\evil.txt\", \"text\": \"x\"}, $SIGS]"
refused control 'control character' "[$E, {\"name\": \"a\\u001bb.txt\", \"text\": \"x\"}, $SIGS]"
refused duplicate 'duplicate name' "[$E, $LETTER, $CONTRACT, {\"name\": \"letter.txt\", \"text\": \"other\"}, $SIGS]"
refused duplicate-case 'duplicate name LETTER.TXT' "[$E, $LETTER, $CONTRACT, {\"name\": \"LETTER.TXT\", \"text\": \"other\"}, $SIGS]"
refused file-and-folder 'both a file and a folder' "[$E, $LETTER, $CONTRACT, {\"name\": \"letter.txt/x\", \"text\": \"x\"}, $SIGS]"
refused mimetype-second 'not an ASiC container' "[$LETTER, $E, $CONTRACT, $SIGS]"
refused mimetype-twice 'duplicate name' "[$E, $LETTER, $CONTRACT, $E, $SIGS]"
refused mimetype-deflated 'not an ASiC container' "[{\"name\": \"mimetype\", \"text\": \"application/vnd.etsi.asic-e+zip\"}, $LETTER, $CONTRACT, $SIGS]"
# an extra field on mimetype (DigiDoc writes one): EN 319 162-1 A.1 says it shall not be there,
# but what is signed is untouched, so it is a warning, not a refusal
$MKZIP mimetype-extra.zip <<<"[{\"name\": \"mimetype\", \"text\": \"application/vnd.etsi.asic-e+zip\", \"store\": true, \"extra\": \"55540500014b6e1a6a\"}, $LETTER, $CONTRACT, $SIGS]"
expect_exit 0 "mimetype with an extra field: validated" -- verify_json mimetype-extra.zip
expect_json '.format == "asic-e" and .indication == "TOTAL_PASSED" and (.signatures[0].warnings | any(test("mimetype entry has an extra field")))' \
    "TOTAL_PASSED with a warning about the extra field"
refused mimetype-wrong 'not an ASiC container' "[{\"name\": \"mimetype\", \"text\": \"application/zip\", \"store\": true}, $LETTER, $CONTRACT, $SIGS]"
refused encrypted 'encrypted' "[$E, $LETTER, {\"name\": \"contract.pdf\", \"file\": \"contract.pdf\", \"encrypted\": true}, $SIGS]"
refused symlink 'link' "[$E, $LETTER, {\"name\": \"contract.pdf\", \"text\": \"/etc/passwd\", \"symlink\": true}, $SIGS]"
refused asics-folder 'in a folder' "[$S, {\"name\": \"docs/contract.pdf\", \"file\": \"contract.pdf\"}, {\"name\": \"META-INF/signature.p7s\", \"text\": \"x\"}]"
refused asics-two 'exactly one data object' "[$S, $LETTER, $CONTRACT, {\"name\": \"META-INF/signature.p7s\", \"text\": \"x\"}]"
# zip bombs: a member that expands far beyond its compressed size, one whose declared size lies
refused bomb 'zip bomb' "[$E, $LETTER, {\"name\": \"zeros.bin\", \"zeros\": 100000000}, $SIGS]"
refused size-lie 'not a readable zip|size' "[$E, $LETTER, {\"name\": \"contract.pdf\", \"file\": \"contract.pdf\", \"declared\": 100}, $SIGS]"
# structurally sound but unsigned: extracting works, validating does not
$MKZIP unsigned.zip <<<"[$E, $LETTER, $CONTRACT]"
expect_exit 2 "no signature" -- verify_json unsigned.zip
expect_json '.error == null and (.signatures | length) == 0 and .format == "asic-e"' "an unsigned container has no signature"
[ ! -s err.txt ] && pass || fail "an unsigned container is an error: $(cat err.txt)"
$MKZIP unsigned-s.zip <<<"[$S, $CONTRACT]"
expect_exit 2 "ASiC-S without its signature file" -- verify_json unsigned-s.zip
expect_json '.format == "asic-s" and (.signatures | length) == 0' "an ASiC-S with no signature"
$MKZIP both-s.zip <<<"[$S, $CONTRACT, {\"name\": \"META-INF/signature.p7s\", \"text\": \"x\"}, {\"name\": \"META-INF/signatures.xml\", \"text\": \"x\"}]"
expect_exit 3 "ASiC-S with two signature files" -- verify_json both-s.zip
expect_one_line_error "ASiC-S with both" 'exactly one of META-INF/signature.p7s'
zip -q -X plain.zip letter.txt
expect_exit 3 "a plain zip is not an ASiC container" -- verify_json plain.zip
expect_one_line_error "plain zip" 'not an ASiC container' 

# a link planted in the target folder is not followed
mkdir -p outside planted && ln -s "$PWD/outside" planted/docs
$MKZIP folder.zip <<<"[$E, {\"name\": \"docs/letter.txt\", \"file\": \"letter.txt\"}]"
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -f asic-e -o folder.asice folder.zip || fail "sign folder.asice"
expect_exit 3 "extract does not follow a link in the target folder" -- "$INSPECT" --extract planted folder.asice
[ -z "$(ls -A outside)" ] && pass || fail "a file was written through the link"

# ---- signatures whose signed manifest does not match the files
# changed content
$MKZIP changed.asice <<<"[$E, {\"name\": \"letter.txt\", \"text\": \"Pay 1000000 DKK\"}, $CONTRACT, $SIGS]"
expect_exit 1 "changed document" -- verify_json changed.asice
expect_json '.indication == "TOTAL_FAILED" and .signatures[0].subindication == "HASH_FAILURE" and (.signatures[0].errors | map(test("letter.txt does not match")) | any)' "HASH_FAILURE names the document"
# a document the manifest lists is missing
$MKZIP missing.asice <<<"[$E, $CONTRACT, $SIGS]"
expect_exit 2 "missing document" -- verify_json missing.asice
expect_json '.signatures[0].subindication == "SIGNED_DATA_NOT_FOUND"' "SIGNED_DATA_NOT_FOUND"
# the manifest itself changed (a digest swapped): the CMS signature over it breaks
unzip -p good.asice META-INF/ASiCManifest001.xml | perl -pe 's/URI="letter.txt"/URI="contract.pdf"/' >manifest.xml
$MKZIP manifest.asice <<<"[$E, $LETTER, $CONTRACT, {\"name\": \"META-INF/ASiCManifest001.xml\", \"file\": \"manifest.xml\"}, {\"name\": \"META-INF/signature001.p7s\", \"from\": \"good.asice\"}]"
expect_exit 1 "changed manifest" -- verify_json manifest.asice
expect_json '.indication == "TOTAL_FAILED"' "changed manifest fails"
# the manifest points at a signature that is not there; a signature no manifest names
unzip -p good.asice META-INF/ASiCManifest001.xml | perl -pe 's/signature001.p7s/signature009.p7s/' >manifest9.xml
$MKZIP dangling.asice <<<"[$E, $LETTER, $CONTRACT, {\"name\": \"META-INF/ASiCManifest001.xml\", \"file\": \"manifest9.xml\"}, {\"name\": \"META-INF/signature001.p7s\", \"from\": \"good.asice\"}]"
expect_exit 1 "dangling SigReference and an orphan signature" -- verify_json dangling.asice
expect_json '(.signatures | length == 2) and all(.signatures[]; .subindication == "FORMAT_FAILURE") and (.signatures[1].errors | map(test("named by no ASiCManifest")) | any)' "both reported as FORMAT_FAILURE"
# a manifest that references a META-INF file instead of a data object
unzip -p good.asice META-INF/ASiCManifest001.xml | perl -pe 's/URI="letter.txt"/URI="META-INF\/signature001.p7s"/' >manifest-meta.xml
# (re-signing is not possible here: the altered manifest fails its signature as well)
$MKZIP meta-ref.asice <<<"[$E, $LETTER, $CONTRACT, {\"name\": \"META-INF/ASiCManifest001.xml\", \"file\": \"manifest-meta.xml\"}, {\"name\": \"META-INF/signature001.p7s\", \"from\": \"good.asice\"}]"
expect_exit 1 "a manifest naming a META-INF file" -- verify_json meta-ref.asice
# an unsigned extra document beside the signed ones
$MKZIP extra.asice <<<"[$E, $LETTER, $CONTRACT, {\"name\": \"invoice.pdf\", \"file\": \"contract.pdf\"}, $SIGS]"
expect_exit 1 "unsigned extra document" -- verify_json extra.asice
expect_json '.signatures[0].subindication == "FORMAT_FAILURE" and (.signatures[0].errors | map(test("invoice.pdf is signed by no signature")) | any)' "the extra document is named"
# the signature file is garbage
$MKZIP garbage.asice <<<"[$E, $LETTER, $CONTRACT, {\"name\": \"META-INF/ASiCManifest001.xml\", \"from\": \"good.asice\"}, {\"name\": \"META-INF/signature001.p7s\", \"text\": \"garbage\"}]"
expect_exit 3 "garbage signature" -- verify_json garbage.asice
# the same container rebuilt honestly still passes (the checks above are not vacuous)
$MKZIP rebuilt.asice <<<"[$E, $LETTER, $CONTRACT, $SIGS]"
expect_exit 0 "the honest rebuild passes" -- verify_json rebuilt.asice
# adding a signature to a hostile container is refused too
expect_exit 3 "no signature added to a hostile container" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -f asic-e -o more.asice dotdot.zip
[ ! -e more.asice ] && pass || fail "refused signing left an output"
finish
