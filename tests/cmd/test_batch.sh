#!/usr/bin/env bash
# Many files in one segl-verify call: output in input order whatever the worker count, names from
# --files-from, one broken file never stops the batch, and the exit code is the most severe.
. "$(dirname "$0")/lib.sh"
mkdir docs
for i in $(seq -w 1 40); do printf 'Dokument nummer %s\n' "$i" >"docs/d$i.txt"; done
expect_exit 0 "sign 40 documents with the key unlocked once" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" docs/d*.txt
ls docs/*.p7s >list.txt
[ "$(wc -l <list.txt)" -eq 40 ] && pass || fail "40 signatures expected"

for jobs in 1 2 7; do
    expect_exit 0 "verify 40 files with -j $jobs" -- verify_json -j "$jobs" --files-from list.txt
    jq -r .file out.txt >order.txt
    cmp -s order.txt list.txt && pass || fail "-j $jobs: output not in input order"
    expect_json_lines 'length == 40 and all(.indication == "TOTAL_PASSED")' "-j $jobs: all pass"
done

# --files-from - reads names from stdin
verify_json --files-from - <list.txt >out.txt
expect_json_lines 'length == 40' "--files-from -"

# Exit code precedence: a TOTAL_FAILED (1) beats INDETERMINATE (2); an unreadable file (3) beats all
echo tamper >>docs/d05.txt
expect_exit 1 "one tampered file in the batch" -- verify_json -j 2 --files-from list.txt
expect_json_lines '[.[] | select(.indication == "TOTAL_FAILED")] | length == 1' "exactly one failure"
cp docs/d07.txt.p7s lonely.p7s
expect_exit 1 "failed and indeterminate: 1" -- verify_json docs/d05.txt.p7s lonely.p7s
expect_exit 2 "indeterminate only: 2" -- verify_json lonely.p7s docs/d01.txt.p7s
expect_exit 3 "a missing file: 3, and the rest is still validated" -- verify_json docs/d01.txt.p7s missing.p7s docs/d05.txt.p7s
expect_json_lines 'length == 3 and .[0].indication == "TOTAL_PASSED" and .[2].indication == "TOTAL_FAILED"' "batch went on"
expect_one_line_error "missing file" '^segl-verify: missing.p7s: cannot open'

# Quiet mode prints nothing; the exit code still tells
expect_exit 1 "quiet" -- "$VERIFY" -q --at "$AT" --trust "$PKI/trust/oces3-root.pem" docs/d05.txt.p7s
[ ! -s out.txt ] && pass || fail "-q printed something"
expect_exit 3 "bad -j" -- "$VERIFY" -j 0 docs/d01.txt.p7s
finish
