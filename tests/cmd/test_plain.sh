#!/usr/bin/env bash
# segl-verify's human output in plain words: the exact first line (the verdict a citizen reads)
# and the "why" line, in English and in Danish (po/da.po: LANG=da_DK.UTF-8, and LANGUAGE=da
# under a UTF-8 locale), for a valid, a changed, an expired, an untrusted, a revoked and an
# unsigned file; names as UTF-8, control characters escaped; JSON the same in every language.
. "$(dirname "$0")/lib.sh"
cp "$DOCS/letter.txt" "$DOCS/contract.pdf" .
if ! locale -a 2>/dev/null | grep -qix 'da_DK.utf-\?8'; then
    fail "the da_DK.UTF-8 locale is missing: ./setup.sh generates it (localedef -i da_DK -f UTF-8 da_DK.UTF-8)"
    finish
fi

sign() { "$SIGN" -q --pass-file "$PASS" --signing-time 2026-05-01T00:00:00Z "$@"; }
sign -k "$PKI/oces3/person.p12" -o good.p7s letter.txt
sign -k "$PKI/oces3/revoked.p12" -o revoked.p7s letter.txt
sign -k "$PKI/oces3/expired.p12" --signing-time 2020-01-01T00:00:00Z -o expired.p7s letter.txt 2>/dev/null
sign -k "$PKI/oces3/person.p12" -o good.pdf contract.pdf
cp good.pdf tampered.pdf
at=$(grep -abo 'Kontrakt' tampered.pdf | head -1 | cut -d: -f1)
printf 'k' | dd of=tampered.pdf bs=1 seek="$at" conv=notrunc status=none

# plain LANGUAGE... -- FILE [options]: segl-verify's human output of FILE in out.txt, validated
# at the fixed time with the OCES3 root (or the options given), in the language asked for.
plain() {
    local -a env_vars=()
    while [ "$1" != -- ]; do env_vars+=("$1"); shift; done
    shift
    env -u LC_ALL -u LANGUAGE -u LC_MESSAGES "${env_vars[@]}" "$VERIFY" --no-default-trust --at "$AT" "$@" >out.txt 2>err.txt
}
ROOT3=(--trust "$PKI/trust/oces3-root.pem")
# expect_lines DESCRIPTION LINE1 LINE2: out.txt starts with exactly these two lines.
expect_lines() {
    if [ "$(sed -n 1p out.txt)" = "$2" ] && [ "$(sed -n 2p out.txt)" = "$3" ]; then pass; else
        fail "$1: wanted '$2' / '$3', got: $(head -3 out.txt)"; fi
}
expect_first() {
    if [ "$(sed -n 1p out.txt)" = "$2" ]; then pass; else fail "$1: wanted '$2', got: $(head -2 out.txt)"; fi
}

EN=(LANG=C.UTF-8)
for da in "LANG=da_DK.UTF-8" "LANGUAGE=da LANG=C.UTF-8"; do
    read -r -a DA <<<"$da"

    # test_plain_valid_says_valid_then_the_etsi_codes
    plain "${EN[@]}" -- "${ROOT3[@]}" --content letter.txt good.p7s
    expect_lines "valid (en)" "good.p7s: valid" "  ETSI: TOTAL_PASSED, CAdES-BASELINE-B, signature $(jq -r '.signatures[0].id' <(verify_json --content letter.txt good.p7s))"
    grep -qx '  signed by: Anna Testesen (person, UI:DK-P:G:5f1c0a3e-8d2b-4c71-9e4a-0b6d2f3a7c11)' out.txt && pass || fail "who signed (en): $(cat out.txt)"
    grep -qx '  signed: 2026-05-01 00:00:00 UTC, as the signer claims (no timestamp proves it)' out.txt && pass || fail "when (en): $(cat out.txt)"
    plain "${DA[@]}" -- "${ROOT3[@]}" --content letter.txt good.p7s
    expect_first "valid ($da)" "good.p7s: gyldig"
    grep -qx '  underskrevet af: Anna Testesen (person, UI:DK-P:G:5f1c0a3e-8d2b-4c71-9e4a-0b6d2f3a7c11)' out.txt && pass || fail "who signed ($da): $(cat out.txt)"

    # test_plain_changed_byte_is_invalid_because_the_document_was_changed
    plain "${EN[@]}" -- "${ROOT3[@]}" tampered.pdf
    expect_lines "tampered (en)" "tampered.pdf: INVALID" "  why: the document was changed after it was signed"
    sed -n 3p out.txt | grep -q '^  ETSI: TOTAL_FAILED/HASH_FAILURE, PAdES-BASELINE-B, signature ' && pass || fail "tampered: ETSI codes on the line after why: $(cat out.txt)"
    grep -q 'changes after signing' out.txt && fail "a changed byte must not be reported with 'changes after signing': $(cat out.txt)" || pass
    plain "${DA[@]}" -- "${ROOT3[@]}" tampered.pdf
    expect_lines "tampered ($da)" "tampered.pdf: UGYLDIG" "  hvorfor: dokumentet er ændret, efter det blev underskrevet"

    # test_plain_expired_names_the_certificates_own_notafter
    plain "${EN[@]}" -- "${ROOT3[@]}" --content letter.txt expired.p7s
    expect_lines "expired (en)" "expired.p7s: cannot be confirmed" "  why: the signer's certificate expired on 2021-12-31 23:59:59 UTC, and no timestamp proves that the signature was made before that"
    plain "${DA[@]}" -- "${ROOT3[@]}" --content letter.txt expired.p7s
    expect_lines "expired ($da)" "expired.p7s: kan ikke bekræftes" "  hvorfor: underskriverens certifikat udløb 2021-12-31 23:59:59 UTC, og intet tidsstempel beviser, at underskriften blev lavet før"

    # test_plain_untrusted_names_the_missing_ca
    plain "${EN[@]}" -- --trust "$PKI/trust/oces2-root.pem" --content letter.txt good.p7s
    expect_lines "untrusted CA (en)" "good.p7s: cannot be confirmed" "  why: the certificate of Test Den Danske Stat OCES rod-CA is not trusted here: add it with --trust"
    plain "${DA[@]}" -- --trust "$PKI/trust/oces2-root.pem" --content letter.txt good.p7s
    expect_lines "untrusted CA ($da)" "good.p7s: kan ikke bekræftes" "  hvorfor: certifikatet for Test Den Danske Stat OCES rod-CA er ikke betroet her: tilføj det med --trust"

    # test_plain_revoked_gives_the_revocation_date (mkpki.sh revokes oces3/revoked at 2025-06-01)
    plain "${EN[@]}" -- "${ROOT3[@]}" --content letter.txt revoked.p7s
    expect_lines "revoked (en)" "revoked.p7s: cannot be confirmed" "  why: the signer's certificate was revoked on 2025-06-01, and nothing proves that the signature was made before that"
    plain "${DA[@]}" -- "${ROOT3[@]}" --content letter.txt revoked.p7s
    expect_lines "revoked ($da)" "revoked.p7s: kan ikke bekræftes" "  hvorfor: underskriverens certifikat blev spærret 2025-06-01, og intet beviser, at underskriften blev lavet før"

    # test_plain_unsigned_pdf_says_no_signature
    plain "${EN[@]}" -- "${ROOT3[@]}" contract.pdf
    expect_first "unsigned (en)" "contract.pdf: no signature found"
    plain "${DA[@]}" -- "${ROOT3[@]}" contract.pdf
    expect_first "unsigned ($da)" "contract.pdf: ingen underskrift fundet"
done

# test_plain_utf8_name_is_printed_as_utf8
plain LANG=C -- "${ROOT3[@]}" --content letter.txt revoked.p7s
grep -qx '  signed by: Rikke Spærret (person, UI:DK-P:G:8c4f3d61-b05e-4fa4-b17d-3e905c6daf44)' out.txt && pass || fail "UTF-8 name as UTF-8: $(cat out.txt)"
grep -q '\\x' out.txt && fail "no \\x escapes in a UTF-8 name: $(cat out.txt)" || pass

# segl-sign names a revoked signer (B-LT fetches its status) in UTF-8 too, not as \xC3\xA6
"$SIGN" -q --pass-file "$PASS" -k "$PKI/oces3/revoked.p12" -l B-LT --tsa "$TSA" -o revoked-lt.p7s letter.txt >out.txt 2>err.txt
grep -q 'CN=Rikke Spærret is revoked' err.txt && ! grep -q '\\x' err.txt && pass || fail "segl-sign: UTF-8 name of a revoked signer: $(cat err.txt)"

# test_plain_control_characters_in_a_file_name_are_escaped
name=$(printf 'evil\033[2Jname.p7s')
cp good.p7s "$name"
plain LANG=C.UTF-8 -- "${ROOT3[@]}" --content letter.txt "$name"
expect_first "control characters escaped" 'evil\x1B[2Jname.p7s: valid'

# test_plain_json_is_the_same_in_every_language
for f in good.pdf tampered.pdf; do
    env LC_ALL=C "$VERIFY" --no-default-trust --at "$AT" "${ROOT3[@]}" --json "$f" >c.json
    env LANG=da_DK.UTF-8 "$VERIFY" --no-default-trust --at "$AT" "${ROOT3[@]}" --json "$f" >da.json
    env LANGUAGE=da LANG=C.UTF-8 "$VERIFY" --no-default-trust --at "$AT" "${ROOT3[@]}" --json "$f" >language.json
    cmp -s c.json da.json && cmp -s c.json language.json && pass || fail "JSON of $f differs by language: $(diff c.json da.json)"
done
# the batch summary stays a line of counts in Danish too, ETSI names kept
env LANG=da_DK.UTF-8 "$VERIFY" --no-default-trust --at "$AT" "${ROOT3[@]}" good.pdf tampered.pdf >out.txt 2>err.txt
grep -qx 'segl-verify: 2 filer: 1 TOTAL_PASSED, 1 TOTAL_FAILED, 0 INDETERMINATE, 0 uden underskrift, 0 ulæselige' err.txt && pass || fail "Danish summary: $(cat err.txt)"

# test_plain_segl_sign_errors_are_translated
env LANG=da_DK.UTF-8 "$SIGN" letter.txt >out.txt 2>err.txt
grep -qx 'segl-sign: ingen nøgle: angiv en med -k/--key eller --pkcs11 (se --help)' err.txt && pass || fail "segl-sign in Danish: $(cat err.txt)"

# test_plain_help_is_translated: --help in Danish, the option names and the layout unchanged
for command in segl-verify segl-sign segl-extend segl-inspect; do
    env LANGUAGE=da LANG=C.UTF-8 "$SEGL_BIN/$command" --help >da-help.txt 2>&1
    "$SEGL_BIN/$command" --help >en-help.txt 2>&1
    grep -q "^Brug: $command " da-help.txt && grep -q '^  -h, --help  *denne hjælp$' da-help.txt && pass ||
        fail "$command --help in Danish: $(head -c 300 da-help.txt)"
    [ "$(grep -o -- '--[a-z0-9-]*' en-help.txt | sort -u)" = "$(grep -o -- '--[a-z0-9-]*' da-help.txt | sort -u)" ] &&
        pass || fail "$command --help in Danish names other options than in English"
done

# test_plain_every_message_is_in_the_catalogue_and_translated: po/segl.pot is what the sources
# mark (po/update.sh remakes it), and po/da.po translates all of it but the formats that carry
# only libsign's English text ("%s", "--trust: %s").
if have xgettext && have msgattrib; then
    (cd "$SEGL_SOURCE" && xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --keyword=cmd_error:3 \
        --no-location --sort-output -o "$WORK/fresh.pot" cmd/*.c cmd/common/*.c cmd/common/*.h cmd/verify/*.c)
    msgids() { msgcat --no-location --sort-output "$1" | grep -v '^#' | sed -n '/^msgid/,/^msgstr/p' | grep -v '^msgstr'; }
    [ "$(msgids "$WORK/fresh.pot")" = "$(msgids "$SEGL_SOURCE/po/segl.pot")" ] && pass || fail "po/segl.pot is stale: run po/update.sh"
    untranslated=$(msgattrib --untranslated --no-obsolete "$SEGL_SOURCE/po/da.po" | grep '^msgid "' | grep -v '^msgid ""$' |
        grep -Ev '^msgid "(--?[a-z0-9%-]*: |%s: )?%s"$')
    [ -z "$untranslated" ] && [ -z "$(msgattrib --only-fuzzy "$SEGL_SOURCE/po/da.po")" ] && pass || fail "po/da.po: untranslated or fuzzy: $untranslated"
fi

# test_plain_installed_commands_find_their_catalogue: under any --prefix, from the binary's place
build=$(dirname "$SEGL_BIN/x")
cmake --install "$build" --prefix "$WORK/prefix" >/dev/null 2>&1 && pass || fail "cmake --install"
[ -f "$WORK/prefix/share/locale/da/LC_MESSAGES/segl.mo" ] && pass || fail "the Danish catalogue is not installed"
env LANG=da_DK.UTF-8 LD_LIBRARY_PATH="$WORK/prefix/lib" "$WORK/prefix/bin/segl-verify" --no-default-trust contract.pdf >out.txt 2>err.txt
expect_first "installed segl-verify speaks Danish" "contract.pdf: ingen underskrift fundet"
finish
