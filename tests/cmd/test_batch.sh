#!/usr/bin/env bash
# Many files in one segl-verify call: output in input order whatever the worker count, names from
# --files-from, one broken file never stops the batch, and the exit code is the most severe.
. "$(dirname "$0")/lib.sh"
mkdir docs
for i in $(seq -w 1 40); do printf 'Dokument nummer %s\n' "$i" >"docs/d$i.txt"; done
expect_exit 0 "sign 40 documents with the key unlocked once" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" docs/d*.txt
# The same again on 4 threads: every output complete and valid, no temporary file left
mkdir threaded
cp docs/d*.txt threaded/
expect_exit 0 "sign 40 documents on 4 threads" -- "$SIGN" -q -j 4 -k "$PKI/oces3/person.p12" --pass-file "$PASS" threaded/d*.txt
ls threaded/*.p7s >threaded.txt
expect_exit 0 "verify the threaded signatures" -- verify_json --files-from threaded.txt
expect_json_lines 'length == 40 and all(.indication == "TOTAL_PASSED")' "40 threaded signatures pass"
[ -z "$(find threaded -name '.segl-tmp-*')" ] && pass || fail "threaded signing left temporary files"
expect_exit 3 "bad -j for segl-sign" -- "$SIGN" -j 0 -k "$PKI/oces3/person.p12" letter.txt
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

# NUL-separated names (find -print0), a name with a newline-free space in it
cp docs/d01.txt "docs/with space.txt"
"$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" "docs/with space.txt"
find docs -name '*.p7s' -print0 >list0
verify_json --files-from list0 -0 >out.txt
expect_json_lines 'length == 41 and any(.file == "docs/with space.txt.p7s")' "-0 reads NUL-separated names"

# -r DIR finds the signature files (not the content files), in sorted order
verify_json -r docs >out.txt
expect_json_lines 'length == 41 and all(.file | endswith(".p7s")) and (map(.file) == (map(.file) | sort))' "-r finds the 41 signatures in sorted order"

# --shard K/N: the shares are disjoint and together are the whole list, whatever the order
for k in 1 2 3; do verify_json --files-from list.txt --shard "$k/3" | jq -r .file >"shard$k.txt"; done
sort shard1.txt shard2.txt shard3.txt >all-shards.txt
sort list.txt | cmp -s - all-shards.txt && pass || fail "shards do not add up to the list"
[ -s shard1.txt ] && [ -s shard2.txt ] && [ -s shard3.txt ] && pass || fail "a shard is empty: $(wc -l shard*.txt)"
sort -r list.txt >reversed.txt
verify_json --files-from reversed.txt --shard 2/3 | jq -r .file | sort >shard2-reversed.txt
sort shard2.txt | cmp -s - shard2-reversed.txt && pass || fail "a share depends on the order of the list"
expect_exit 3 "bad --shard" -- "$VERIFY" --shard 4/3 docs/d01.txt.p7s
expect_exit 3 "bad --shard" -- "$VERIFY" --shard 0/3 docs/d01.txt.p7s

# --unordered gives every file once
verify_json -j 3 --unordered --files-from list.txt >out.txt
jq -r .file out.txt | sort | cmp -s - <(sort list.txt) && pass || fail "--unordered lost or repeated a file"

# Summary on stderr for a batch; nothing on stderr but that when piped
verify_json --files-from list.txt >out.txt 2>err.txt
grep -qx 'segl-verify: 40 files: 40 TOTAL_PASSED, 0 TOTAL_FAILED, 0 INDETERMINATE, 0 without signature, 0 unreadable' err.txt && [ "$(wc -l <err.txt)" -eq 1 ] && pass || fail "summary: $(cat err.txt)"

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
