#!/usr/bin/env bash
# Each command's options are described once, in its table: --help comes from it, and the man page
# documents exactly the options --help lists, short names included. An unknown option is one line
# and the usage exit status. What --help says about file names is what the commands do.
. "$(dirname "$0")/lib.sh"
MAN=$SEGL_SOURCE/man

# The options --help lists, one per line: "--key -k", or "--chain" for one without a short name.
# An option line starts "  -k, --key" or "      --chain"; a description goes on at column 25.
help_options() {
    sed -nE 's/^  -([A-Za-z0-9]), --([a-z0-9][a-z0-9-]*).*/--\2 -\1/p; s/^      --([a-z0-9][a-z0-9-]*).*/--\1/p' "$1" | sort
}

# The options man/NAME.1 documents, in the same form: the heading line after each .TP of the
# OPTIONS section (not the .TP lists nested in .RS/.RE, such as the values of --revocation), with
# "\-" read as "-": ".BR \-k \", \" \-\-key \" \fIFILE\fR\"" or ".BI \-\-chain \" FILE\"".
man_options() {
    awk '/^\.SH/ { in_options = ($2 == "OPTIONS"); depth = 0 }
         in_options && /^\.RS/ { depth++ }
         in_options && /^\.RE/ { depth-- }
         in_options && depth == 0 && previous == ".TP" { print }
         { previous = $0 }' "$1" |
        sed 's/\\-/-/g' |
        while IFS= read -r heading; do
            long=$(grep -oE -- '--[a-z0-9][a-z0-9-]*' <<<"$heading" | head -n 1)
            short=$(grep -oE -- '(^|[ "])-[A-Za-z0-9]([ "]|$)' <<<"$heading" | grep -oE -- '-[A-Za-z0-9]' | head -n 1)
            [ -n "$long" ] && echo "$long${short:+ $short}"
            [ -z "$long" ] && echo "(heading without a long option: $heading)"
        done | sort
}

for command in segl-sign segl-verify segl-extend segl-inspect; do
    expect_exit 0 "$command --help" -- "$SEGL_BIN/$command" --help
    help_options out.txt >help.txt
    man_options "$MAN/$command.1" >man.txt
    [ "$(wc -l <help.txt)" -ge 5 ] && pass || fail "$command: too few options read from --help: $(cat help.txt)"
    [ "$(wc -l <man.txt)" -ge 5 ] && pass || fail "$command: too few options read from man/$command.1: $(cat man.txt)"
    only_help=$(comm -23 help.txt man.txt | tr '\n' ' ')
    only_man=$(comm -13 help.txt man.txt | tr '\n' ' ')
    [ -z "$only_help" ] && pass || fail "$command: in --help, not in man/$command.1 (or with another short name): $only_help"
    [ -z "$only_man" ] && pass || fail "$command: in man/$command.1, not in --help (or with another short name): $only_man"

    # An unknown option: one line pointing at --help, the usage exit status (3 in every man page)
    expect_exit 3 "$command --frobnicate" -- "$SEGL_BIN/$command" --frobnicate letter.txt
    expect_one_line_error "$command --frobnicate" "^$command: unknown option --frobnicate \\(see $command --help\\)$"
    expect_exit 3 "$command -Z" -- "$SEGL_BIN/$command" -Z letter.txt
    expect_one_line_error "$command -Z" "^$command: unknown option -Z "
    grep -q '^Usage:' err.txt && fail "$command: an unknown option printed the whole help" || pass
done
grep -q '^\.B 3$' "$MAN/segl-sign.1" && grep -q '^\.B 3$' "$MAN/segl-verify.1" &&
    grep -q '^\.B 3$' "$MAN/segl-extend.1" && grep -q '^\.B 3$' "$MAN/segl-inspect.1" && pass ||
    fail "a man page no longer documents exit status 3"

# An option that needs a value and has none, or has one it does not take: one line, exit 3
expect_exit 3 "--timeout without a value" -- "$VERIFY" --timeout
expect_one_line_error "--timeout without a value" "^segl-verify: option --timeout needs SECONDS"
expect_exit 3 "--json=yes" -- "$VERIFY" --json=yes letter.txt.p7s
expect_one_line_error "--json=yes" "^segl-verify: option --json takes no argument"
expect_exit 3 "a prefix of several options" -- "$VERIFY" --t x letter.txt.p7s
expect_one_line_error "a prefix of several options" "^segl-verify: ambiguous option --t "

# The shared value parsers: the same answer from every command that takes the option
for command in "$SIGN" "$VERIFY" "$SEGL_BIN/segl-extend"; do
    expect_exit 3 "$(basename "$command") --timeout 0" -- "$command" --timeout 0 x
    expect_one_line_error "$(basename "$command") --timeout 0" "--timeout: '0' is not a number of seconds \\(1-3600\\)$"
done
expect_exit 3 "segl-extend cannot extend to B-B" -- "$SEGL_BIN/segl-extend" -l B-B --tsa "$TSA" -o x.p7s x
expect_one_line_error "segl-extend cannot extend to B-B" "unknown level 'B-B' \\(B-T, B-LT, B-LTA\\)"

# -f names come from libsign: the formats --help lists are the ones -f takes, in any case
"$SIGN" --help >out.txt
formats=$(sed -n 's/^Formats: \(.*\)\.$/\1/p' out.txt | tr -d ',')
[ "$formats" = "cades pades xades asic-e asic-s" ] && pass || fail "segl-sign --help lists the formats: '$formats'"
cp "$DOCS/letter.txt" .
expect_exit 0 "-f CAdES" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -f CAdES -o upper.p7s letter.txt
expect_exit 3 "-f docx" -- "$SIGN" -k "$PKI/oces3/person.p12" --pass-file "$PASS" -f docx letter.txt
expect_one_line_error "-f docx" "unknown format 'docx' \\(cades, pades, xades, asic-e, asic-s\\)"

# -r picks the endings --help and the man page list, in any case, and nothing else
"$VERIFY" --help >out.txt
help_endings=$(sed -n '/--recursive/,/repeatable/p' out.txt | grep -oE '\.[a-z0-9]+' | sort -u | tr '\n' ' ')
man_endings=$(sed -n '/^\.BR \\-r ", " \\-\\-recursive/,/^\.TP/p' "$MAN/segl-verify.1" |
    grep -oE '(^|[ "])\.[a-z][a-z0-9]*' | tr -d ' "' | sort -u | tr '\n' ' ')
[ "$help_endings" = "$man_endings" ] && [ -n "$help_endings" ] && pass ||
    fail "-r: --help lists '$help_endings', man/segl-verify.1 '$man_endings'"
mkdir walk
for ending in $help_endings; do
    echo garbage >"walk/lower$ending"
    echo garbage >"walk/UPPER${ending^^}"
done
echo garbage >walk/letter.txt
echo garbage >walk/detached.sig
verify_json -r walk >out.txt 2>/dev/null
found=$(jq -r .file out.txt | sort | tr '\n' ' ')
wanted=$(find walk -type f ! -name letter.txt ! -name detached.sig | sort | tr '\n' ' ')
[ "$found" = "$wanted" ] && pass || fail "-r picked '$found', wanted '$wanted'"

# A detached signature finds its content by libsign's rule: the name without .p7s, .p7m or .sig
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" letter.txt
cp letter.txt.p7s letter.txt.sig
for signature in letter.txt.p7s letter.txt.sig; do
    expect_exit 0 "$signature finds letter.txt" -- verify_json "$signature"
    expect_json '.signatures[0].indication == "TOTAL_PASSED"' "$signature: content found"
done
cp letter.txt.p7s letter.txt.P7S
expect_exit 2 "the ending's case matters: letter.txt.P7S has no content" -- verify_json letter.txt.P7S
expect_json '.signatures[0].subindication == "SIGNED_DATA_NOT_FOUND"' "letter.txt.P7S: no content"

finish
