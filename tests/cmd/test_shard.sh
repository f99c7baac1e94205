#!/usr/bin/env bash
# --shard K/N scales a batch out: N segl-verify processes, one share each, give between them
# exactly what one process gives for the whole list (the same JSON Lines, byte for byte, each file
# in one share only, the most severe exit status the same). And the scale-out examples of
# man/segl-verify.1 (GNU parallel over ssh, ssh, a Slurm job array, a Kubernetes Indexed Job) are
# taken from the man page and run as they stand, so an example that does not work fails here.
. "$(dirname "$0")/lib.sh"
MAN=$SEGL_SOURCE/man/segl-verify.1

# GNU parallel is a requirement of this test (setup.sh installs it), not an interop peer to skip;
# perl reads the man page (GNU parallel needs it anyway), python3 with yaml the Kubernetes Job.
missing=
for tool in parallel perl python3; do have "$tool" || missing="$missing $tool"; done
# moreutils has a parallel of its own, with other options
have parallel && ! parallel --version 2>/dev/null | grep -q '^GNU parallel' && missing="$missing GNU-parallel"
if [ -n "$missing" ]; then
    fail "missing:$missing (./setup.sh installs them)"
    finish
fi
export PARALLEL_HOME=$WORK/.parallel    # GNU parallel's state, not in the user's home
# GNU parallel runs the command on an --sshlogin host through $SHELL and, with SHELL unset,
# runs nothing and reports success. A login sets SHELL; CI's environment may not.
export SHELL=${SHELL:-/bin/sh}

# segl_verify_on_path [OPTION...]: the segl-verify every run here finds on PATH (GNU parallel, the
# stand-in ssh, the examples) is the built one, validating at the fixed time with the test PKI's
# roots, as verify_json does, and with OPTION...
mkdir bin
segl_verify_on_path() {
    printf '#!/bin/sh\nexec "%s" --at "%s" --trust "%s" --trust "%s"' \
        "$VERIFY" "$AT" "$PKI/trust/oces3-root.pem" "$PKI/trust/oces2-root.pem" >bin/segl-verify
    [ $# -eq 0 ] || printf ' "%s"' "$@" >>bin/segl-verify
    printf ' "$@"\n' >>bin/segl-verify
    chmod +x bin/segl-verify
}
segl_verify_on_path
# The stand-in ssh: "ssh [options] HOST [--] COMMAND..." runs COMMAND here through sh, as ssh runs
# it through the remote user's shell, and notes HOST in ssh-hosts.txt.
cat >bin/ssh <<EOF
#!/bin/sh
while [ \$# -gt 0 ]; do
    case \$1 in
        -[BbcDEeFIiJLlmOopQRSWw]) shift 2 ;;
        -*) shift ;;
        *) break ;;
    esac
done
echo "\$1" >>"$WORK/ssh-hosts.txt"
shift
[ "\${1-}" = -- ] && shift
exec sh -c "\$*"
EOF
chmod +x bin/ssh
export PATH=$WORK/bin:$PATH

# The batch: CAdES (detached), XAdES, PAdES and ASiC-E, from three signers of OCES3 and one of
# OCES2; some tampered with (TOTAL_FAILED), one by an expired certificate (INDETERMINATE), one PDF
# without a signature and one file that is not a signature at all (unreadable: exit status 3).
sign() { "$SIGN" -q -k "$PKI/$1.p12" --pass-file "$PASS" --signing-time 2026-05-01T12:00:00Z "${@:2}"; }
mkdir -p docs/cades docs/xades docs/pades docs/asic
for i in $(seq -w 1 14); do printf 'Brev nummer %s\n' "$i" >"docs/cades/letter-$i.txt"; done
for i in $(seq -w 1 10); do sed "s/452000/4520$i/" "$DOCS/taxform.xml" >"docs/xades/form-$i.xml"; done
for i in $(seq 1 8); do cp "$DOCS/contract.pdf" "docs/pades/contract-$i.pdf"; done
for i in $(seq 1 6); do printf 'Bilag %s\n' "$i" >"docs/asic/annex-$i.txt"; done
printf 'Udløbet\n' >docs/cades/expired.txt
sign_batch() {
    sign oces3/person docs/cades/letter-0[1-9].txt docs/xades/form-*.xml || return
    sign oces3/employee docs/cades/letter-1[0-2].txt || return
    sign oces2/poces docs/cades/letter-1[34].txt || return
    sign oces3/organisation docs/pades/contract-*.pdf || return
    sign oces3/expired docs/cades/expired.txt || return
    for i in $(seq 1 6); do
        sign oces3/person -f asic-e -o "docs/asic/case-$i.asice" "docs/asic/annex-$i.txt" "$DOCS/letter.txt" || return
    done
}
sign_batch 2>err.txt && pass || fail "signing the batch: $(head -c 300 err.txt)"
echo 'tilføjet efter underskriften' >>docs/cades/letter-03.txt
LC_ALL=C sed -i 's/452004/999999/' docs/xades/form-04.xml.xades.xml
LC_ALL=C sed -i 's/9\.800 kr\./9.900 kr./' docs/pades/contract-5.pdf.signed.pdf
mkdir changed && echo 'ændret' >changed/annex-4.txt && (cd changed && zip -q ../docs/asic/case-4.asice annex-4.txt)
cp "$DOCS/contract.pdf" docs/pades/unsigned.pdf
cp "$DOCS/garbage.p7s" docs/cades/garbage.p7s
find docs -name '*.p7s' -o -name '*.xades.xml' -o -name '*.asice' -o -name '*.signed.pdf' -o -name unsigned.pdf |
    sort >list.txt
[ "$(wc -l <list.txt)" -eq 41 ] && pass || fail "the batch: 41 files wanted, listed $(wc -l <list.txt)"

# severity STATUS: its rank in EXIT STATUS of segl-verify(1), "the most severe: 4, then 3, then 1,
# then 2, then 0"; most_severe STATUS...: the batch's exit status from its shares'.
severity() {
    case $1 in 0) echo 0 ;; 2) echo 1 ;; 1) echo 2 ;; 3) echo 3 ;; 4) echo 4 ;; *) echo 5 ;; esac
}
most_severe() {
    local status worst=0
    for status in "$@"; do
        [ "$(severity "$status")" -gt "$(severity "$worst")" ] && worst=$status
    done
    echo "$worst"
}

# The reference: the whole list in one process, its lines sorted (a line starts with the file name,
# so sorting lines sorts by name). Nothing in a line changes from run to run at a fixed --at: the
# test servers' clocks are fixed too, so even the revocation data fetched online is the same.
segl-verify --json --files-from list.txt >single.jsonl 2>/dev/null
single_status=$?
LC_ALL=C sort single.jsonl >single-sorted.jsonl
[ "$single_status" -eq 3 ] && pass || fail "one process over the batch: exit $single_status, wanted 3 (the unreadable file)"
cp single.jsonl out.txt
expect_json_lines 'length == 41 and (map(.format) | unique) == ["asic-e", "cades", "pades", "xades"]' \
    "one process: 41 lines, every format"
expect_json_lines '(map(.indication) | group_by(.) | map([.[0], length])) ==
    [[null, 1], ["INDETERMINATE", 2], ["TOTAL_FAILED", 4], ["TOTAL_PASSED", 34]]' \
    "one process: 34 passed, 4 tampered with, the expired signer and the unsigned PDF indeterminate, 1 unreadable"
segl-verify --json --files-from list.txt 2>/dev/null | cmp -s - single.jsonl && pass ||
    fail "two runs over the same list differ: the comparisons below cannot be byte for byte"

# N processes under GNU parallel, one share each (N = 1: the trivial split; N = 3: no share empty)
for n in 1 3; do
    rm -f share-*.jsonl
    parallel --jobs "$n" --joblog "joblog-$n.txt" \
        segl-verify --json --files-from list.txt --shard "{}/$n" '>' "share-{}.jsonl" '2>/dev/null' \
        ::: $(seq 1 "$n")
    mapfile -t statuses < <(awk -F '\t' 'NR > 1 { print $7 }' "joblog-$n.txt")
    [ "${#statuses[@]}" -eq "$n" ] && pass || fail "N=$n: $n processes wanted, the joblog has ${#statuses[@]}"
    for k in $(seq 1 "$n"); do
        [ -s "share-$k.jsonl" ] && pass || fail "N=$n: share $k is empty"
    done
    cat share-*.jsonl >shares.jsonl
    jq -r .file shares.jsonl | sort | uniq -d >twice.txt
    [ ! -s twice.txt ] && pass || fail "N=$n: in more than one share: $(tr '\n' ' ' <twice.txt)"
    jq -r .file shares.jsonl | sort | cmp -s - list.txt && pass || fail "N=$n: the shares are not the list"
    LC_ALL=C sort shares.jsonl | cmp -s - single-sorted.jsonl && pass ||
        fail "N=$n: the shares' lines are not one process's: $(LC_ALL=C sort shares.jsonl | diff - single-sorted.jsonl | head -c 600)"
    combined=$(most_severe "${statuses[@]}")
    [ "$combined" = "$single_status" ] && pass ||
        fail "N=$n: the shares exit ${statuses[*]}, most severe $combined; one process exits $single_status"
done

# The examples of man/segl-verify.1, SHARDING ACROSS MACHINES. example NAME prints the block between
# '.\" example: NAME' and '.\" end example' as the man page shows it (roff escapes read back); a
# roff request in the block or an escape not known here fails, for the shell would not read what a
# reader sees. Every example then runs with /srv/batch (the directory every machine sees: the list,
# the results) replaced by a fresh directory of the test holding the list, with the batch's names
# absolute (as they would be on a cluster), from a directory of its own (a relative path in an
# example fails); the hosts are reached through the stand-in ssh; the scheduler's variables are set
# as the scheduler sets them. Every *.jsonl the example writes there is part of the result.
example() {
    perl -e '
        my ($name, $man) = @ARGV;
        my %escapes = ("-" => "-", "e" => "\\", "\\" => "\\", "&" => "", "(rs" => "\\", "(aq" => "\x27",
                       "(dq" => "\"", "(ga" => "`", "(ti" => "~", "(ha" => "^");
        open my $in, "<", $man or die "$man: $!\n";
        my ($inside, $found) = (0, 0);
        while (<$in>) {
            if (/^\.\\" example: (\S+)\s*$/) { $inside = $1 eq $name; $found ||= $inside; next }
            if (/^\.\\" end example\s*$/) { $inside = 0; next }
            next unless $inside;
            die "example $name: a roff request in the block: $_" if /^[.\x27]/;
            s/\\(\(..|.)/exists $escapes{$1} ? $escapes{$1} : die "example $name: unknown escape \\$1: $_"/ge;
            print;
        }
        die "no example $name in $man\n" unless $found;
    ' "$1" "$MAN"
}
# The examples are checked for how they split the batch and gather the results, which revocation
# data does not change: without it they run faster (the test servers answer one request at a time).
segl_verify_on_path --revocation off
sed "s|^|$WORK/|" list.txt >absolute-list.txt
segl-verify --json --files-from absolute-list.txt 2>/dev/null | LC_ALL=C sort >absolute-sorted.jsonl
mkdir elsewhere
# run_example NAME: the example, /srv/batch replaced by $batch (made afresh), into $script
run_example() {
    batch=$WORK/batch-$1
    rm -rf "$batch" && mkdir "$batch" && cp absolute-list.txt "$batch/list"
    rm -f ssh-hosts.txt
    if ! example "$1" >"example-$1.txt" 2>err.txt; then
        fail "man page example $1: $(cat err.txt)"
        return 1
    fi
    grep -q /srv/batch "example-$1.txt" && pass || fail "man page example $1 does not use /srv/batch"
    script=$(sed "s|/srv/batch|$batch|g" "example-$1.txt")
}
# expect_results NAME: the union of the example's results is one process's result
expect_results() {
    cat "$batch"/*.jsonl 2>/dev/null | LC_ALL=C sort >"results-$1.jsonl"
    cmp -s "results-$1.jsonl" absolute-sorted.jsonl && pass ||
        fail "man page example $1: its results are not one process's: $(diff "results-$1.jsonl" absolute-sorted.jsonl | head -c 600)"
}

# GNU parallel over ssh: run as typed at a shell; each share's exit status from the joblog
if run_example parallel; then
    (cd elsewhere && sh -c "$script") 2>err.txt
    expect_results parallel
    mapfile -t statuses < <(awk -F '\t' 'NR > 1 { print $7 }' "$batch/joblog" 2>/dev/null)
    combined=$(most_severe "${statuses[@]}")
    [ "${#statuses[@]}" -eq 3 ] && [ "$combined" = "$single_status" ] && pass ||
        fail "man page example parallel: joblog exit statuses '${statuses[*]}', wanted 3 with most severe $single_status; stderr: $(head -c 300 err.txt)"
    [ "$(sort -u ssh-hosts.txt 2>/dev/null | tr '\n' ' ')" = "host1 host2 host3 " ] && pass ||
        fail "man page example parallel: hosts reached through ssh: $(tr '\n' ' ' <ssh-hosts.txt)"
fi

# ssh alone: run as typed at a shell; one ssh to each host
if run_example ssh; then
    (cd elsewhere && sh -c "$script") 2>err.txt
    expect_results ssh
    [ "$(sort ssh-hosts.txt 2>/dev/null | tr '\n' ' ')" = "host1 host2 host3 " ] && pass ||
        fail "man page example ssh: hosts reached: $(tr '\n' ' ' <ssh-hosts.txt)"
fi

# Slurm: the script is run as sbatch's tasks run it (its #! line, the #SBATCH lines comments), once
# for each task id of its --array=FIRST-LAST, with the variables Slurm sets for an array task.
if run_example slurm; then
    printf '%s\n' "$script" >slurm-job.sh && chmod +x slurm-job.sh
    [ "$(head -c 2 slurm-job.sh)" = '#!' ] && pass ||
        fail "man page example slurm: sbatch takes only a script that starts with #!"
    range=$(sed -nE 's/^#SBATCH[[:space:]]+(--array|-a)[ =]([0-9]+-[0-9]+)[[:space:]]*$/\2/p' slurm-job.sh)
    if [ -z "$range" ]; then
        fail "man page example slurm: no '#SBATCH --array=FIRST-LAST' line"
    else
        first=${range%-*} last=${range#*-}
        statuses=()
        for task in $(seq "$first" "$last"); do
            (cd elsewhere && SLURM_ARRAY_JOB_ID=4711 SLURM_ARRAY_TASK_ID=$task SLURM_ARRAY_TASK_MIN=$first \
                SLURM_ARRAY_TASK_MAX=$last SLURM_ARRAY_TASK_COUNT=$((last - first + 1)) ../slurm-job.sh) 2>err.txt
            statuses+=("$?")
        done
        expect_results slurm
        combined=$(most_severe "${statuses[@]}")
        [ "$combined" = "$single_status" ] && pass ||
            fail "man page example slurm: tasks exit ${statuses[*]}, most severe $combined; one process exits $single_status"
    fi
fi

# Kubernetes: the Job is read as YAML; each pod of completion index 0..completions-1 runs the
# container's command and args (after Kubernetes's own $(VAR) expansion, $$ read as $) with
# JOB_COMPLETION_INDEX set. A pod must exit 0 (Kubernetes reruns one that does not); the shares' exit
# statuses are in the files the example writes beside the results.
# pods JOB: reads the Job (YAML), prints its completions and writes the argv of the pod of each
# completion index I, NUL-separated, to pod-I.argv (one python3 for all: it may be slow to start).
pods() {
    python3 -c '
import re, sys
try:
    import yaml
except ImportError:
    sys.exit("python3 has no yaml module (python3-yaml: ./setup.sh installs it)")
job = yaml.safe_load(open(sys.argv[1]))
spec = job["spec"]
pod = spec["template"]["spec"]
if job["apiVersion"] != "batch/v1" or job["kind"] != "Job":
    sys.exit("not a batch/v1 Job")
if spec.get("completionMode") != "Indexed":
    sys.exit("not an Indexed Job")
if pod.get("restartPolicy") not in ("Never", "OnFailure"):
    sys.exit("a Job needs restartPolicy Never or OnFailure")
[container] = pod["containers"]
for index in range(spec["completions"]):
    env = {e["name"]: e.get("value", "") for e in container.get("env", [])}
    env["JOB_COMPLETION_INDEX"] = str(index)
    expand = lambda s: re.sub(r"\$\$|\$\(([^)]*)\)",
                              lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), s)
    with open("pod-%d.argv" % index, "w") as argv:
        argv.write("".join(expand(arg) + "\0" for arg in container.get("command", []) + container.get("args", [])))
print(spec["completions"])
' "$1"
}
if run_example kubernetes; then
    printf '%s\n' "$script" >job.yaml
    if ! completions=$(pods job.yaml 2>err.txt); then
        fail "man page example kubernetes: $(tail -n 1 err.txt)"
    else
        statuses=()
        exits=()
        for index in $(seq 0 $((completions - 1))); do
            mapfile -d '' argv <"pod-$index.argv"
            (cd elsewhere && JOB_COMPLETION_INDEX=$index "${argv[@]}") 2>err.txt
            exits+=("$?")
            statuses+=("$(cat "$batch/status-$index" 2>/dev/null)")
        done
        expect_results kubernetes
        [ "$(printf '%s' "${exits[@]}" | tr -d 0)" = "" ] && pass ||
            fail "man page example kubernetes: pods exit ${exits[*]}; Kubernetes would run them again"
        combined=$(most_severe "${statuses[@]}")
        [ "$combined" = "$single_status" ] && pass ||
            fail "man page example kubernetes: status files ${statuses[*]}, most severe $combined; one process exits $single_status"
    fi
fi
finish
