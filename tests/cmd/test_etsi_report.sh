#!/usr/bin/env bash
# segl-verify --report etsi PATH: ETSI TS 119 102-2 XML validation reports. Every report must be
# valid against the ETSI schema (testdata/etsi, resolved locally, never from the network) and
# carry the verdict segl reached: passed, failed (tampered), indeterminate (no trust), and a
# file that could not be read. A directory gets one report per input, a file the one report.
. "$(dirname "$0")/lib.sh"
SCHEMA=${SEGL_SOURCE:?run through ctest}/testdata/etsi/1910202xmlSchema.xsd
MAIN=urn:etsi:019102:mainindication:
SUB=urn:etsi:019102:subindication:

# expect_schema_valid REPORT: xmllint validates REPORT against the ETSI schema, offline.
expect_schema_valid() {
    if xmllint --nonet --noout --schema "$SCHEMA" "$1" 2>schema.txt; then pass; else fail "$1 not schema-valid: $(head -c 600 schema.txt)"; fi
}
# xp REPORT XPATH: the string value of XPATH (local names: the report has a default namespace).
xp() { xmllint --nonet --xpath "string($2)" "$1" 2>/dev/null; }
# expect_xp REPORT XPATH WANT DESCRIPTION
expect_xp() {
    local got
    got=$(xp "$1" "$2")
    if [ "$got" = "$3" ]; then pass; else fail "$4: $2 is '$got', wanted '$3'"; fi
}
el() { printf '//*[local-name()="%s"]' "$1"; }
trusted() { # trusted ARGS...: validate at the fixed time with the OCES3 test root only
    "$VERIFY" -q --no-default-trust --at "$AT" --trust "$PKI/trust/oces3-root.pem" "$@"
}

cp "$DOCS/letter.txt" letter.txt
expect_exit 0 "sign the letter" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" letter.txt

# Passing signature, FILE mode
expect_exit 0 "passing signature with a report file" -- trusted --report etsi passed.xml letter.txt.p7s
expect_schema_valid passed.xml
expect_xp passed.xml "$(el MainIndication)" "${MAIN}total-passed" "passed: main indication"
expect_xp passed.xml "count($(el SubIndication))" 0 "passed: no sub-indication"
expect_xp passed.xml "$(el ValidationTime)" "$AT" "passed: the --at time is the validation time"
expect_xp passed.xml "$(el BestSignatureTime)/*[local-name()='POETime']" "$AT" "passed: no POE, best signature time is the validation time"
expect_xp passed.xml "$(el SignatureValidationProcessID)" urn:etsi:019102:validationprocess:Basic "passed: basic process for B-B"
expect_xp passed.xml "contains($(el Signer), 'CN=Anna Testesen')" true "passed: signer subject"
expect_xp passed.xml "count($(el SigningTime)/*[local-name()='Time'])" 1 "passed: claimed signing time"
expect_xp passed.xml "count($(el SignatureIdentifier)/*[local-name()='DigestAlgAndValue'])" 1 "passed: identified by the signature value's digest"
id=$(xp passed.xml "$(el SignerCertificate)/@VOReference")
expect_xp passed.xml "count(//*[@id='$id']/*[local-name()='ObjectType'][.='urn:etsi:019102:validationObject:certificate'])" 1 "passed: signer certificate is a validation object"
sigid=$(verify_json letter.txt.p7s | jq -r '.signatures[0].id')
expect_xp passed.xml "$(el DAIdentifier)" "$sigid" "passed: DAIdentifier is the id segl prints"

# Failing: the signed content changed after signing
cp letter.txt.p7s tampered.txt.p7s
{ cat letter.txt; echo "tilføjet bagefter"; } >tampered.txt
expect_exit 1 "tampered content" -- trusted --report etsi failed.xml tampered.txt.p7s
expect_schema_valid failed.xml
expect_xp failed.xml "$(el MainIndication)" "${MAIN}total-failed" "tampered: main indication"
expect_xp failed.xml "$(el SubIndication)" "${SUB}HASH_FAILURE" "tampered: sub-indication"
expect_xp failed.xml "count($(el ReportData)[*[local-name()='Type']='urn:segl:report:error'])>0" true "tampered: the reason is in the report"

# Indeterminate: no trust anchor for the signer's chain
expect_exit 2 "no trust" -- "$VERIFY" -q --no-default-trust --at "$AT" --trust "$PKI/trust/oces2-root.pem" --report etsi untrusted.xml letter.txt.p7s
expect_schema_valid untrusted.xml
expect_xp untrusted.xml "$(el MainIndication)" "${MAIN}indeterminate" "no trust: main indication"
expect_xp untrusted.xml "$(el SubIndication)" "${SUB}NO_CERTIFICATE_CHAIN_FOUND" "no trust: sub-indication"

# Unreadable and unparsable files: a report all the same, INDETERMINATE without sub-indication
# (nothing was validated, so nothing failed), and the error as report data; the exit status is 3.
expect_exit 3 "missing file" -- trusted --report etsi missing.xml missing.p7s
expect_schema_valid missing.xml
expect_xp missing.xml "$(el MainIndication)" "${MAIN}indeterminate" "missing: main indication"
expect_xp missing.xml "count($(el SubIndication))" 0 "missing: no sub-indication"
expect_xp missing.xml "contains($(el ReportData)/*[local-name()='Value'], 'cannot open')" true "missing: why"
head -c 300 /dev/urandom >garbage.p7s
expect_exit 3 "garbage file" -- trusted --report etsi garbage.xml garbage.p7s
expect_schema_valid garbage.xml
expect_xp garbage.xml "$(el MainIndication)" "${MAIN}indeterminate" "garbage: main indication"

# B-T: the signature timestamp is the proof of existence and the process is LTVM
expect_exit 0 "sign B-T" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -l B-T --tsa "$TSA" -o bt.p7s letter.txt
expect_exit 0 "B-T report" -- trusted --at 2026-06-02T00:00:00Z --content letter.txt --report etsi bt.xml bt.p7s
expect_schema_valid bt.xml
expect_xp bt.xml "$(el BestSignatureTime)/*[local-name()='POETime']" 2026-06-01T12:00:00Z "B-T: best signature time from the timestamp"
expect_xp bt.xml "$(el SignatureTimeStamp)/*[local-name()='TimeStampValue']" 2026-06-01T12:00:00Z "B-T: timestamp attribute"
expect_xp bt.xml "$(el SignatureValidationProcessID)" urn:etsi:019102:validationprocess:LTVM "B-T: LTVM process"

# Non-ASCII signer names stay UTF-8
cp letter.txt letter-ec.txt
expect_exit 0 "sign with the ec key" -- "$SIGN" -q -k "$PKI/oces3/ec.p12" --pass-file "$PASS" letter-ec.txt
expect_exit 0 "ec report" -- trusted --report etsi ec.xml letter-ec.txt.p7s
expect_schema_valid ec.xml
expect_xp ec.xml "contains($(el Signer), 'Søren Østergård')" true "non-ASCII signer"

# DIR mode: one report per input, named after it; a name shared by two inputs is numbered
mkdir -p in/a in/b reports
cp letter.txt in/a/doc.txt; cp letter.txt in/b/doc.txt
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" in/a/doc.txt in/b/doc.txt
cp tampered.txt.p7s tampered.txt in/
expect_exit 3 "a batch into a directory" -- trusted -j 3 --report etsi reports in/a/doc.txt.p7s in/b/doc.txt.p7s in/tampered.txt.p7s missing.p7s
for name in doc.txt.p7s doc.txt.p7s.2 tampered.txt.p7s missing.p7s; do
    [ -f "reports/$name.etsi.xml" ] && pass || fail "DIR mode: reports/$name.etsi.xml missing: $(ls reports)"
done
[ "$(ls -A reports | wc -l)" -eq 4 ] && pass || fail "DIR mode: 4 reports and nothing else expected: $(ls -A reports)"
for report in reports/*.xml; do expect_schema_valid "$report"; done
expect_xp reports/doc.txt.p7s.etsi.xml "$(el MainIndication)" "${MAIN}total-passed" "DIR: first doc"
expect_xp reports/doc.txt.p7s.2.etsi.xml "$(el MainIndication)" "${MAIN}total-passed" "DIR: second doc"
expect_xp reports/tampered.txt.p7s.etsi.xml "$(el SubIndication)" "${SUB}HASH_FAILURE" "DIR: tampered"
grep -q 'segl-verify: in/b/doc.txt.p7s' reports/doc.txt.p7s.2.etsi.xml && pass || fail "DIR: numbered report names its input"
# Running again replaces the reports (same names), it does not add new ones
expect_exit 0 "again, passing inputs only" -- trusted --report etsi reports in/a/doc.txt.p7s in/b/doc.txt.p7s
[ "$(ls -A reports | wc -l)" -eq 4 ] && pass || fail "DIR mode rerun added files: $(ls -A reports)"
# -r DIR works with it too
mkdir walked
expect_exit 1 "-r with a report directory" -- trusted -r in --report etsi walked
[ "$(ls walked | wc -l)" -eq 3 ] && pass || fail "-r: 3 reports expected: $(ls walked)"

# FILE mode needs exactly one input; nothing is written otherwise
expect_exit 3 "a report file for two inputs" -- trusted --report etsi two.xml letter.txt.p7s tampered.txt.p7s
[ ! -e two.xml ] && pass || fail "two.xml written for two inputs"
expect_one_line_error "report file for two inputs" 'needs exactly one input'
# "-" is stdout, with the human summary left out
expect_exit 0 "report on stdout" -- trusted --report etsi - letter.txt.p7s
expect_schema_valid out.txt
expect_exit 3 "--report etsi - with --json" -- trusted --json --report etsi - letter.txt.p7s
cp letter.txt.p7s keep.p7s
expect_exit 3 "a report over its own input" -- trusted --report etsi keep.p7s keep.p7s
cmp -s keep.p7s letter.txt.p7s && pass || fail "the input was overwritten by its report"
expect_exit 3 "unknown report format" -- trusted --report pdf out.pdf letter.txt.p7s
expect_exit 3 "--report without a path" -- trusted letter.txt.p7s --report etsi
expect_exit 3 "--report followed by an option" -- trusted --report etsi --json letter.txt.p7s
expect_exit 0 "--report after the input" -- trusted letter.txt.p7s --report etsi after.xml
expect_xp after.xml "$(el MainIndication)" "${MAIN}total-passed" "--report after the input"
# No temporary file is left behind anywhere
[ -z "$(find . -name '.segl-tmp-*')" ] && pass || fail "temporary files left: $(find . -name '.segl-tmp-*')"
# An unwritable report directory: exit 4, the validation itself still reported
mkdir locked && chmod 555 locked
if [ "$(id -u)" -ne 0 ]; then
    expect_exit 4 "unwritable report directory" -- trusted --report etsi locked letter.txt.p7s
fi
chmod 755 locked
finish
