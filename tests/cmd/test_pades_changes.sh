#!/usr/bin/env bash
# The modification analysis (ISO 32000-2 12.8.2.2, 12.8.2.4, 12.7.5.5; pyHanko's difference
# analysis as the model): what later revisions may change, by permission level and by how the
# changed objects are reached. Each class of issue #14 is a file built here by incremental
# updates (testdata/pades/pdflib.sh), its verdict and modification status asserted.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$SEGL_SOURCE/testdata/pades/pdflib.sh"
cp "$DOCS/contract.pdf" .
SIGNER=("$PKI/oces3/person.pem" "$PKI/oces3/person.key.pem" "$PKI/oces3/chain.pem")
page() { # page ANNOTS...: object 4, the page of contract.pdf, with these annotations
    printf '<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> /Annots [%s] %s >>' "$1" "${2:-}"
}
catalog() { # catalog FIELDS [EXTRA]
    printf '<< /Type /Catalog /Pages 3 0 R /AcroForm << /Fields [%s] /SigFlags 3 >> %s >>' "$1" "${2:-}"
}
sigfield() { # sigfield NUM NAME SIGNUM [EXTRA]: an invisible signature field and widget
    printf '<< /Type /Annot /Subtype /Widget /FT /Sig /T (%s) /V %s 0 R /F 132 /Rect [0 0 0 0] /P 4 0 R %s >>' "$2" "$3" "${4:-}"
}
lock() { printf '/Lock << /Type /SigFieldLock /Action /Include /Fields [(%s)] /P %s >>' "$1" "$2"; }
mdp() { printf '/Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P %s /V /1.2 >> >>]' "$1"; }
stream() { printf '<< /Length %d >>\nstream\n%s\nendstream' "${#1}" "$1"; }
# verdicts FILE JQ WHAT: the signatures' [indication, modification] (in any order)
verdicts() {
    verify_json "$1" >out.txt 2>err.txt
    expect_json "([.signatures[] | [.indication, .modification]] | sort) == ($2 | sort)" "$3"
}

# test_pades_sigfieldlock_p_levels_accumulate: locks /P 3, /P 2, /P 1, then a fourth signature
sign_objects contract.pdf lock1.pdf "${SIGNER[@]}" 1 "$(catalog '10 0 R')" 4 "$(page '10 0 R')" \
    9 "$(sig_dict)" 10 "$(sigfield 10 S1 9 "$(lock S1 3)")"
sign_objects lock1.pdf lock2.pdf "${SIGNER[@]}" 1 "$(catalog '10 0 R 12 0 R')" 4 "$(page '10 0 R 12 0 R')" \
    11 "$(sig_dict)" 12 "$(sigfield 12 S2 11 "$(lock S2 2)")"
verdicts lock2.pdf '[["TOTAL_PASSED","allowed"],["TOTAL_PASSED","none"]]' "P=3 lock, then a signature: allowed"
sign_objects lock2.pdf lock3.pdf "${SIGNER[@]}" 1 "$(catalog '10 0 R 12 0 R 14 0 R')" 4 "$(page '10 0 R 12 0 R 14 0 R')" \
    13 "$(sig_dict)" 14 "$(sigfield 14 S3 13 "$(lock S3 1)")"
verdicts lock3.pdf '[["TOTAL_PASSED","allowed"],["TOTAL_PASSED","allowed"],["TOTAL_PASSED","none"]]' "P=3, P=2 locks, then a signature: allowed"
sign_objects lock3.pdf lock4.pdf "${SIGNER[@]}" 1 "$(catalog '10 0 R 12 0 R 14 0 R 16 0 R')" 4 "$(page '10 0 R 12 0 R 14 0 R 16 0 R')" \
    15 "$(sig_dict)" 16 "$(sigfield 16 S4 15)"
verdicts lock4.pdf '[["TOTAL_FAILED","disallowed"],["TOTAL_FAILED","disallowed"],["TOTAL_FAILED","disallowed"],["TOTAL_PASSED","none"]]' \
    "a signature after a P=1 lock: disallowed for every earlier signature"
expect_json '.signatures[] | select(.modification == "disallowed") | .modification_details | any(test("SigFieldLock P=1 of the signature in object 13"))' "the P=1 lock is named"
# a later signature cannot loosen it: a P=3 lock after the P=1 one changes nothing
sign_objects lock3.pdf lock4b.pdf "${SIGNER[@]}" 1 "$(catalog '10 0 R 12 0 R 14 0 R 16 0 R')" 4 "$(page '10 0 R 12 0 R 14 0 R 16 0 R')" \
    15 "$(sig_dict)" 16 "$(sigfield 16 S4 15 "$(lock S4 3)")"
verdicts lock4b.pdf '[["TOTAL_FAILED","disallowed"],["TOTAL_FAILED","disallowed"],["TOTAL_FAILED","disallowed"],["TOTAL_PASSED","none"]]' \
    "a later lock with P=3 does not loosen P=1"

# test_pades_appearance_reused_from_another_field_is_refused
base_objs=(1 "$(catalog '20 0 R')" 4 "$(page '20 0 R')"
    20 '<< /Type /Annot /Subtype /Widget /FT /Tx /T (Name) /V (Anna) /Rect [72 600 300 620] /P 4 0 R /AP << /N 21 0 R >> >>'
    21 "$(stream 'BT /F1 12 Tf 2 4 Td (Anna) Tj ET')")
append_revision contract.pdf form.pdf "${base_objs[@]}"
sign_objects form.pdf form-signed.pdf "${SIGNER[@]}" 1 "$(catalog '20 0 R 10 0 R')" 4 "$(page '20 0 R 10 0 R')" \
    9 "$(sig_dict)" 10 "$(sigfield 10 S1 9)"
expect_exit 0 "a form, signed" -- verify_json form-signed.pdf
append_revision form-signed.pdf reuse.pdf 1 "$(catalog '20 0 R 10 0 R 23 0 R')" 4 "$(page '20 0 R 10 0 R 23 0 R')" \
    21 "$(stream 'BT /F1 12 Tf 2 4 Td (Betalt: 0 kr) Tj ET')" \
    23 '<< /Type /Annot /Subtype /Widget /FT /Sig /T (S2) /F 132 /Rect [0 0 0 0] /P 4 0 R /AP << /N 21 0 R >> >>'
verdicts reuse.pdf '[["TOTAL_FAILED","disallowed"]]' "a new signature field's appearance reusing another field's: disallowed"
expect_json '.signatures[0].modification_details | any(test("object 21\\) is also reached from object 20 /AP/N"))' "the other field's reference is named"
# ... and the same overwrite through an empty signature field that nothing else uses: allowed
append_revision contract.pdf empty.pdf 1 "$(catalog '20 0 R')" 4 "$(page '20 0 R')" \
    20 '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Empty) /F 4 /Rect [72 600 300 620] /P 4 0 R /AP << /N 21 0 R >> >>' \
    21 "$(stream '0 0 1 rg 0 0 228 20 re S')"
sign_objects empty.pdf empty-signed.pdf "${SIGNER[@]}" 1 "$(catalog '20 0 R 10 0 R')" 4 "$(page '20 0 R 10 0 R')" \
    9 "$(sig_dict)" 10 "$(sigfield 10 S1 9)"
sign_objects empty-signed.pdf empty-filled.pdf "${SIGNER[@]}" \
    20 '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Empty) /V 22 0 R /F 4 /Rect [72 600 300 620] /P 4 0 R /AP << /N 21 0 R >> >>' \
    21 "$(stream 'BT /F1 10 Tf 2 6 Td (Signed by Anna) Tj ET')" 22 "$(sig_dict)"
verdicts empty-filled.pdf '[["TOTAL_PASSED","allowed"],["TOTAL_PASSED","none"]]' "an empty field's appearance overwritten when signing it: allowed"
expect_json '.signatures[] | select(.modification == "allowed") | .modification_details | any(test("SigFieldModificationRule"))' "named by SigFieldModificationRule"

# test_pades_docmdp_p1_allows_only_dss_and_timestamps
sign_revision contract.pdf cert-p1.pdf "${SIGNER[@]}" "$(mdp 1)" '/Perms << /DocMDP 9 0 R >>'
expect_exit 0 "segl-extend -l B-LT a P=1 certified document" -- "$SEGL_BIN/segl-extend" -q -l B-LT --tsa "$TSA" -o cert-p1-lt.pdf cert-p1.pdf
verdicts cert-p1-lt.pdf '[["TOTAL_PASSED","allowed"]]' "P=1 + DSS and a document timestamp: allowed"
expect_json '.signatures[0].modification_details | any(test("DSSCompareRule"))' "the DSS is named"

# test_pades_docmdp_p3_allows_a_text_annotation, not one that paints over the page
sign_revision contract.pdf cert-p3.pdf "${SIGNER[@]}" "$(mdp 3)" '/Perms << /DocMDP 9 0 R >>'
append_revision cert-p3.pdf cert-p3-note.pdf 4 "$(page '10 0 R 21 0 R')" \
    21 '<< /Type /Annot /Subtype /Text /Rect [500 800 520 820] /Contents (Godkendt) /Open false >>'
verdicts cert-p3-note.pdf '[["TOTAL_PASSED","allowed"]]' "P=3 + a text annotation: allowed"
append_revision cert-p3.pdf cert-p3-freetext.pdf 4 "$(page '10 0 R 21 0 R')" \
    21 '<< /Type /Annot /Subtype /FreeText /Rect [60 690 400 730] /Contents (Betalt: 0 kr) /DA (/Helv 20 Tf 0 g) >>'
verdicts cert-p3-freetext.pdf '[["TOTAL_FAILED","disallowed"]]' "P=3 + a FreeText over the content: disallowed"
sign_revision contract.pdf cert-p2.pdf "${SIGNER[@]}" "$(mdp 2)" '/Perms << /DocMDP 9 0 R >>'
append_revision cert-p2.pdf cert-p2-note.pdf 4 "$(page '10 0 R 21 0 R')" \
    21 '<< /Type /Annot /Subtype /Text /Rect [500 800 520 820] /Contents (Godkendt) >>'
verdicts cert-p2-note.pdf '[["TOTAL_FAILED","disallowed"]]' "P=2 + a text annotation: disallowed"
expect_json '.signatures[0].modification_details | any(test("needs annotations \\(level 3\\), but DocMDP P=2"))' "P=2 named as the reason"

# test_pades_form_fills_of_unlocked_fields_are_allowed: a text field, a child with /Parent, a
# field without /AP, a choice field whose /I changes; the field "Locked" is locked by the signature
form_objs=(1 "$(catalog '20 0 R 24 0 R 26 0 R 27 0 R 28 0 R')" 4 "$(page '20 0 R 25 0 R 26 0 R 27 0 R 28 0 R')"
    20 '<< /Type /Annot /Subtype /Widget /FT /Tx /T (Name) /V (Anna) /Rect [72 600 300 620] /P 4 0 R /AP << /N 21 0 R >> >>'
    21 "$(stream 'BT /F1 12 Tf 2 4 Td (Anna) Tj ET')"
    24 '<< /FT /Tx /T (Parent) /Kids [25 0 R] >>'
    25 '<< /Type /Annot /Subtype /Widget /Parent 24 0 R /Rect [72 560 300 580] /P 4 0 R >>'
    26 '<< /Type /Annot /Subtype /Widget /FT /Tx /T (NoAP) /Rect [72 520 300 540] /P 4 0 R >>'
    27 '<< /Type /Annot /Subtype /Widget /FT /Ch /Ff 131072 /T (Choice) /Opt [(a) (b)] /V (a) /I [0] /Rect [72 480 300 500] /P 4 0 R >>'
    28 '<< /Type /Annot /Subtype /Widget /FT /Tx /T (Locked) /V (1000 kr) /Rect [72 440 300 460] /P 4 0 R >>')
append_revision contract.pdf fields.pdf "${form_objs[@]}"
sign_objects fields.pdf fields-signed.pdf "${SIGNER[@]}" 1 "$(catalog '20 0 R 24 0 R 26 0 R 27 0 R 28 0 R 10 0 R')" \
    4 "$(page '20 0 R 25 0 R 26 0 R 27 0 R 28 0 R 10 0 R')" 9 "$(sig_dict)" \
    10 "$(sigfield 10 S1 9 '/Lock << /Type /SigFieldLock /Action /Include /Fields [(Locked)] >>')"
append_revision fields-signed.pdf filled.pdf \
    20 '<< /Type /Annot /Subtype /Widget /FT /Tx /T (Name) /V (Bo) /Rect [72 600 300 620] /P 4 0 R /AP << /N 30 0 R >> >>' \
    30 "$(stream 'BT /F1 12 Tf 2 4 Td (Bo) Tj ET')" \
    24 '<< /FT /Tx /T (Parent) /V (child value) /Kids [25 0 R] >>' \
    25 '<< /Type /Annot /Subtype /Widget /Parent 24 0 R /Rect [72 560 300 580] /P 4 0 R /AP << /N 31 0 R >> >>' \
    31 "$(stream 'BT /F1 12 Tf 2 4 Td (child value) Tj ET')" \
    26 '<< /Type /Annot /Subtype /Widget /FT /Tx /T (NoAP) /V (x) /Rect [72 520 300 540] /P 4 0 R /AP << /N 32 0 R >> >>' \
    32 "$(stream 'BT /F1 12 Tf 2 4 Td (x) Tj ET')" \
    27 '<< /Type /Annot /Subtype /Widget /FT /Ch /Ff 131072 /T (Choice) /Opt [(a) (b)] /V (b) /I [1] /Rect [72 480 300 500] /P 4 0 R >>'
verdicts filled.pdf '[["TOTAL_PASSED","allowed"]]' "form fills of unlocked fields: allowed"
expect_json '[.signatures[0].modification_details[] | select(test("GenericFieldModificationRule"))] | length == 5' "each filled field and widget named"
append_revision fields-signed.pdf filled-locked.pdf \
    28 '<< /Type /Annot /Subtype /Widget /FT /Tx /T (Locked) /V (0 kr) /Rect [72 440 300 460] /P 4 0 R >>'
verdicts filled-locked.pdf '[["TOTAL_FAILED","disallowed"]]' "a fill of the locked field: disallowed"
expect_json '.signatures[0].modification_details | any(test("field .Locked. is locked by the SigFieldLock"))' "the lock is named"
# a form fill that also changes the page content through the new appearance's object
append_revision fields-signed.pdf filled-shadow.pdf \
    26 '<< /Type /Annot /Subtype /Widget /FT /Tx /T (NoAP) /V (x) /Rect [72 520 300 540] /P 4 0 R /AP << /N 5 0 R >> >>' \
    5 "$(stream 'BT /F1 20 Tf 72 700 Td (Betalt: 0 kr) Tj ET')"
verdicts filled-shadow.pdf '[["TOTAL_FAILED","disallowed"]]' "a form fill whose appearance is the page's content: disallowed"
expect_json '.signatures[0].modification_details | any(test("object 5\\) is also reached from object 4 /Contents"))' "the page's reference is named"

# test_pades_annotations_added_and_removed_after_approval_signatures
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -o signed.pdf contract.pdf
widget=$(grep -ao '/Annots \[[0-9]* 0 R' signed.pdf | tail -1 | grep -o '[0-9]* 0 R')
append_revision signed.pdf noted.pdf 4 "$(page "$widget 21 0 R")" \
    21 '<< /Type /Annot /Subtype /Text /Rect [500 800 520 820] /Contents (Set) /Popup 22 0 R >>' \
    22 '<< /Type /Annot /Subtype /Popup /Parent 21 0 R /Rect [520 700 595 800] >>'
verdicts noted.pdf '[["TOTAL_PASSED","allowed"]]' "a note added after an approval signature: allowed"
# ... a "note" with an appearance of its own over the page is a shadow "hide" attack
append_revision signed.pdf noted-cover.pdf 4 "$(page "$widget 21 0 R")" \
    21 '<< /Type /Annot /Subtype /Text /Rect [0 0 595 842] /Contents (Set) /AP << /N 22 0 R >> >>' \
    22 "$(stream '1 g 0 0 595 842 re f')"
verdicts noted-cover.pdf '[["TOTAL_FAILED","disallowed"]]' "a note whose appearance covers the page: disallowed"
append_revision noted.pdf unnoted.pdf 4 "$(page "$widget")"
verdicts unnoted.pdf '[["TOTAL_PASSED","allowed"]]' "the note removed again: allowed"
expect_json '.signatures[0].modification_details | any(test("0 added, 1 removed"))' "the removal is reported"

# a form field dropped from /Fields after signing: disallowed
append_revision form-signed.pdf dropped.pdf 1 "$(catalog '10 0 R')"
verdicts dropped.pdf '[["TOTAL_FAILED","disallowed"]]' "a form field dropped from the form: disallowed"
expect_json '.signatures[0].modification_details | any(test("FormUpdatingRule"))' "named by FormUpdatingRule"

# test_pades_tagged_structure_tree_updated_by_a_second_signature
tag_objs=(1 '<< /Type /Catalog /Pages 3 0 R /MarkInfo << /Marked true >> /StructTreeRoot 30 0 R >>'
    30 '<< /Type /StructTreeRoot /K 31 0 R /ParentTree 32 0 R /ParentTreeNextKey 1 >>'
    31 '<< /Type /StructElem /S /Document /P 30 0 R /K [] >>'
    32 '<< /Nums [] >>')
append_revision contract.pdf tagged.pdf "${tag_objs[@]}"
tcat() { printf '<< /Type /Catalog /Pages 3 0 R /MarkInfo << /Marked true >> /StructTreeRoot 30 0 R /AcroForm << /Fields [%s] /SigFlags 3 >> >>' "$1"; }
sign_objects tagged.pdf tagged1.pdf "${SIGNER[@]}" 1 "$(tcat '10 0 R')" 4 "$(page '10 0 R')" \
    9 "$(sig_dict)" 10 "$(sigfield 10 S1 9)"
sign_objects tagged1.pdf tagged2.pdf "${SIGNER[@]}" 1 "$(tcat '10 0 R 12 0 R')" 4 "$(page '10 0 R 12 0 R')" \
    11 "$(sig_dict)" 12 "$(sigfield 12 S2 11 '/StructParent 1')" \
    30 '<< /Type /StructTreeRoot /K 31 0 R /ParentTree 32 0 R /ParentTreeNextKey 2 >>' \
    31 '<< /Type /StructElem /S /Document /P 30 0 R /K [33 0 R] >>' \
    32 '<< /Nums [1 33 0 R] >>' \
    33 '<< /Type /StructElem /S /Form /P 31 0 R /Pg 4 0 R /K << /Type /OBJR /Obj 12 0 R /Pg 4 0 R >> >>'
verdicts tagged2.pdf '[["TOTAL_PASSED","allowed"],["TOTAL_PASSED","none"]]' "a second signature updating the structure tree: the first stays valid"
expect_json '.signatures[] | select(.modification == "allowed") | .modification_details | any(test("StructTreeRule"))' "named by StructTreeRule"
# ... but a structure element's other keys may not change (/ActualText is read aloud)
append_revision tagged1.pdf tagged-alt.pdf 31 '<< /Type /StructElem /S /Document /P 30 0 R /K [] /ActualText (Betalt) >>'
verdicts tagged-alt.pdf '[["TOTAL_FAILED","disallowed"]]' "a structure element's text changed: disallowed"

finish
