#!/usr/bin/env bash
# Attacks on PDF signatures that must not pass (Mladenov et al. 2019, Mainka et al. 2021):
# incremental saving, universal signature forgery, signature wrapping, shadow attacks and
# attacks on certified documents. The files are built here by testdata/pades/pdflib.sh.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$SEGL_SOURCE/testdata/pades/pdflib.sh"
cp "$DOCS/contract.pdf" .
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -o signed.pdf contract.pdf
SIGNER=("$PKI/oces3/person.pem" "$PKI/oces3/person.key.pem" "$PKI/oces3/chain.pem")

# must_not_pass FILE WHAT: validation exits 1 or 2 (never 0, never a crash).
must_not_pass() {
    verify_json "$1" >out.txt 2>err.txt
    local rc=$?
    if [ "$rc" -eq 1 ] || [ "$rc" -eq 2 ]; then pass; else fail "$2: exit $rc: $(head -c 400 out.txt)"; fi
}
content='<< /Length 44 >>
stream
BT /F1 20 Tf 72 700 Td (Betalt: 0 kr) Tj ET
endstream'

# ---- incremental saving attack (ISA): a later revision changes the page content
append_revision signed.pdf isa-content.pdf 5 "$content"
must_not_pass isa-content.pdf "ISA: content stream replaced"
expect_json '.signatures[0].indication == "TOTAL_FAILED" and (.signatures[0].visual_changes | length >= 1 and .[0].unexplained > 0)' "ISA: also caught by the visual comparison"
expect_json '.signatures[0].errors | any(test("changed after signing"))' "ISA reported as a change"
expect_json '.signatures[0].modification == "disallowed" and (.signatures[0].modification_details | any(test("not allowed: a stream")))' "ISA: modification disallowed, by object"
# ... the same object appended without any cross-reference data (read by repairing viewers)
cp signed.pdf isa-noxref.pdf
printf '\n5 0 obj\n%s\nendobj\n' "$content" >>isa-noxref.pdf
must_not_pass isa-noxref.pdf "ISA: object appended without xref"
expect_json '.signatures[0].subindication == "FORMAT_FAILURE"' "unaccounted bytes are FORMAT_FAILURE"
# ... a new catalog through the trailer
append_revision signed.pdf isa-root.pdf 20 '<< /Type /Catalog /Pages 3 0 R >>'
sed -i 's|/Root 1 0 R /Info 2 0 R /Prev|/Root 20 0 R /Info 2 0 R /Prev|' isa-root.pdf
must_not_pass isa-root.pdf "ISA: trailer points to another catalog"

# ---- shadow attacks: hide (an overlay annotation), replace (new content object), hide-and-replace
append_revision signed.pdf shadow-hide.pdf \
    4 '<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> /Annots [8 0 R 21 0 R] >>' \
    21 '<< /Type /Annot /Subtype /FreeText /Rect [60 690 400 730] /Contents (Betalt: 0 kr) /DA (/Helv 20 Tf 0 g) >>'
must_not_pass shadow-hide.pdf "shadow hide: overlay annotation"
expect_json '.signatures[0].indication == "TOTAL_FAILED" and (.signatures[0].visual_changes | length >= 1 and .[0].unexplained > 0)' "shadow hide: also caught by the visual comparison"
append_revision signed.pdf shadow-replace.pdf \
    4 '<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Contents 22 0 R /Resources << /Font << /F1 6 0 R >> >> /Annots [8 0 R] >>' \
    22 "$content"
must_not_pass shadow-replace.pdf "shadow replace: page content swapped"
expect_json '.signatures[0].indication == "TOTAL_FAILED" and (.signatures[0].visual_changes | length >= 1 and .[0].unexplained > 0)' "shadow replace: also caught by the visual comparison"
# hide-and-replace: the xref points an object at other bytes of the signed revision
cp signed.pdf shadow-xref.pdf
off6=$(grep -abo '^6 0 obj' signed.pdf | head -1 | cut -d: -f1)
prev=$(last_startxref signed.pdf)
printf '\n' >>shadow-xref.pdf
x=$(stat -c %s shadow-xref.pdf)
printf 'xref\n5 1\n%010d 00000 n\r\ntrailer\n<< /Size 9 /Root 1 0 R /Prev %s >>\nstartxref\n%s\n%%%%EOF\n' "$off6" "$prev" "$x" >>shadow-xref.pdf
must_not_pass shadow-xref.pdf "shadow hide-and-replace: xref redirected"
# (an entry that points at another object is damage: the file is read by scanning, as poppler
# does, which shows the pages unchanged; what segl reads after the signature is no revision, so
# the signature fails on that, not on a visual change. tests/cmd/test_pades_visual.sh has a
# hide-and-replace that shows.)
expect_json '.signatures[0].indication == "TOTAL_FAILED" and .signatures[0].modification == "disallowed" and (.signatures[0].warnings | any(test("cross-reference data is damaged")))' "shadow hide-and-replace: the damage is said and fails the signature"

# ---- universal signature forgery (USF): signature dictionaries that skip the check
usf() { # usf NAME SIGDICT
    append_revision contract.pdf "usf-$1.pdf" \
        1 '<< /Type /Catalog /Pages 3 0 R /AcroForm << /Fields [10 0 R] /SigFlags 3 >> >>' \
        9 "$2" \
        10 '<< /Type /Annot /Subtype /Widget /FT /Sig /T (S) /V 9 0 R /Rect [0 0 0 0] /P 4 0 R >>'
    must_not_pass "usf-$1.pdf" "USF $1"
}
usf no-byterange '<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /Contents <3000> >>'
usf zero-byterange '<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 0 0 0] /Contents <3000> >>'
usf null-byterange '<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange null /Contents null >>'
usf no-contents '<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 10 20 30] >>'
usf empty-contents '<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 10 20 30] /Contents <> >>'
usf zero-contents '<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 10 20 30] /Contents <0000000000> >>'
usf negative '<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 -1 -1 -1] /Contents <30> >>'

# ---- signature wrapping (SWA): the second range moved behind injected bytes
br=$(grep -ao '/ByteRange \[[0-9 ]*' signed.pdf | tail -1 | tr -dc '0-9 ' | xargs)
read -r _ b1 b2 b3 <<<"$br"
{ head -c "$b2" signed.pdf; printf '\n5 0 obj\n%s\nendobj\n' "$content"; tail -c "+$((b2 + 1))" signed.pdf; } >swa.pdf
injected=$(( $(stat -c %s swa.pdf) - $(stat -c %s signed.pdf) ))
old="0 $b1 $b2 $b3"
new="0 $b1 $((b2 + injected)) $b3"
sed -i "s|/ByteRange \[$old|/ByteRange [$new|" swa.pdf
# (the moved xref makes the file unreadable (exit 3) unless the attacker also fixes it: any
# verdict but a pass, without a crash)
verify_json swa.pdf >out.txt 2>err.txt
rc=$?
[ "$rc" -ge 1 ] && [ "$rc" -le 3 ] && pass || fail "SWA: second range moved: exit $rc"
# a ByteRange that stops before the end of the revision (tail not covered)
cp signed.pdf short.pdf
sed -i "s|/ByteRange \[$old|/ByteRange [0 $b1 $b2 $((b3 - 20))|" short.pdf
must_not_pass short.pdf "ByteRange not covering its revision"

# ---- certification (DocMDP) attacks
mdp() { printf '/Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P %s /V /1.2 >> >>]' "$1"; }
sign_revision contract.pdf cert-p1.pdf "${SIGNER[@]}" "$(mdp 1)" '/Perms << /DocMDP 9 0 R >>'
expect_exit 0 "a certified document (P=1) validates" -- verify_json cert-p1.pdf
"$SIGN" -q -k "$PKI/oces3/employee.p12" --pass-file "$PASS" -o cert-p1-signed.pdf cert-p1.pdf
must_not_pass cert-p1-signed.pdf "P=1 certified document signed again"
expect_json '.signatures | map(select(.errors | any(test("DocMDP P=1")))) | length == 1' "P=1 violation reported on the certification"

sign_revision contract.pdf cert-p2.pdf "${SIGNER[@]}" "$(mdp 2)" '/Perms << /DocMDP 9 0 R >>'
"$SIGN" -q -k "$PKI/oces3/employee.p12" --pass-file "$PASS" -o cert-p2-signed.pdf cert-p2.pdf
expect_exit 0 "P=2 certified document with an approval signature" -- verify_json cert-p2-signed.pdf
# evil annotation attack: P=2 does not allow annotations
append_revision cert-p2.pdf cert-eaa.pdf \
    4 '<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> /Annots [10 0 R 21 0 R] >>' \
    21 '<< /Type /Annot /Subtype /FreeText /Rect [60 690 400 730] /Contents (Betalt: 0 kr) >>'
must_not_pass cert-eaa.pdf "evil annotation attack on a certified document"
expect_json '.signatures[0].indication == "TOTAL_FAILED" and (.signatures[0].visual_changes | length >= 1 and .[0].unexplained > 0)' "evil annotation: also caught by the visual comparison"
# sneaky signature attack: a visible signature widget painted over certified content
append_revision cert-p2.pdf cert-ssa.pdf \
    1 '<< /Type /Catalog /Pages 3 0 R /AcroForm << /Fields [10 0 R 23 0 R] /SigFlags 3 >> /Perms << /DocMDP 9 0 R >> >>' \
    4 '<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> /Annots [10 0 R 23 0 R] >>' \
    23 '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Sneaky) /Rect [60 690 400 730] /F 4 /P 4 0 R >>'
must_not_pass cert-ssa.pdf "sneaky signature attack on a certified document"
# a certification signature after an approval signature
must_not_pass_late() {
    # build: segl's approval signature first, then a certifying one on top
    local base=signed.pdf
    local zeros
    zeros=$(head -c 8192 /dev/zero | od -An -v -tx1 | tr -d ' \n')
    append_revision "$base" late.tmp.pdf \
        1 "<< /Type /Catalog /Pages 3 0 R /AcroForm << /Fields [8 0 R 10 0 R] /SigFlags 3 >> /Perms << /DocMDP 9 0 R >> >>" \
        9 "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached $(mdp 2) /ByteRange [0 PLACEHOLDER_PLACEHOLDER_PLACEHOLDER_PLACEHOLD] /Contents <$zeros> >>" \
        10 '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Late) /V 9 0 R /Rect [0 0 0 0] /P 4 0 R >>'
    verify_json late.tmp.pdf >out.txt 2>&1
    jq -e '.signatures[] | select(.errors | any(test("DocMDP|certification"))) ' out.txt >/dev/null 2>&1 ||
        jq -e '[.signatures[] | select(.indication != "TOTAL_PASSED")] | length >= 1' out.txt >/dev/null 2>&1
}
must_not_pass_late && pass || fail "a late certification signature passes"

# ---- an empty cross-reference section after the signature: read without undefined behaviour
# (qsort/bsearch were once handed its NULL entries; UBSan aborts the ASan build on that)
prev=$(last_startxref signed.pdf)
cp signed.pdf empty-xref.pdf
offset=$(($(stat -c %s empty-xref.pdf) + 1))
printf '\nxref\ntrailer\n<< /Size %s /Root 1 0 R /Prev %s >>\nstartxref\n%s\n%%%%EOF\n' \
    "$(next_size signed.pdf)" "$prev" "$offset" >>empty-xref.pdf
verify_json empty-xref.pdf >out.txt 2>err.txt
rc=$?
[ "$rc" -le 3 ] && ! grep -q 'runtime error' err.txt && pass ||
    fail "an empty xref section: exit $rc: $(head -c 300 err.txt)"

finish
