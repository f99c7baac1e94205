#!/usr/bin/env bash
# mkpki.sh OUTDIR -- build the test PKI used by the segl test suite.
#
# Builds three independent hierarchies with `openssl ca`:
#   oces3/  OCES3-shaped: RSA 3072 root + issuing CA, all CA signatures RSASSA-PSS
#   oces2/  OCES2-shaped (TRUST2408 system test): RSA 2048, sha256WithRSAEncryption,
#           end entities with a multi-valued RDN  CN=... + serialNumber=...
#   other/  an unrelated root + signer (chains to neither OCES root)
# plus trust/ (trust anchors, hashed directory) and the password files.
#
# Everything is deterministic (names, serials, validity dates, extensions, the
# CRLs' dates and the revocation date) except the keys and the signature values.
# All passwords are "test1234".
#
# Idempotent: if OUTDIR/.done exists the script exits 0 at once.  The tree is
# built in a private OUTDIR.tmp.<pid> and renamed into place when complete, so a
# concurrent or interrupted run never leaves a half-built OUTDIR behind.
#
# Requires only bash and the openssl (3.x) command line tool.
# shellcheck disable=SC2317  # the ext_* functions are called indirectly by mkdb
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi

OUT=${1%/}
# .done records the script and port it was made with: a changed script or port makes a new tree.
STAMP="$(sha256sum "$0" | cut -c1-16) ${SEGL_TEST_PORT:-19080}"
[ -e "$OUT/.done" ] && [ "$(cat "$OUT/.done")" = "$STAMP" ] && exit 0

OPENSSL=${OPENSSL:-openssl}
PASS=test1234
# The test servers' ports (tests/servers/start.sh): SEGL_TEST_PORT for CRLs, CA certificates and
# the TSA, the next two for the OCSP responders. Each build tree uses its own (tests/CMakeLists.txt)
# so that two test runs never meet.
PORT=${SEGL_TEST_PORT:-19080}
URL=http://127.0.0.1:$PORT
OCSP3_URL=http://127.0.0.1:$((PORT + 1))/     # openssl ocsp -port for the OCES3 issuing CA
OCSP2_URL=http://127.0.0.1:$((PORT + 2))/     # and for the OCES2 one

# Signature parameters used by every OCES3 CA signature (certificates and CRLs).
# (The real OCES3 CAs use sha512 / salt length 64; the tests use sha256 / 32.)
PSS_MD=sha256
PSS_OPTS=(-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256)

# Validity windows (notBefore notAfter).
CA_ROOT_DATES=(20200101000000Z 20491231235959Z)
CA_SUB_DATES=(20200101000000Z 20451231235959Z)
GOOD_DATES=(20250101000000Z 20301231235959Z)
EXPIRED_DATES=(20200101000000Z 20211231235959Z)
NOTYET_DATES=(20350101000000Z 20361231235959Z)
# Expires between the test TSA's fixed time (2026-06-01, tests/servers) and later validation times:
# the certificate that must still pass at B-LT because a timestamp proves the signature older.
SHORT_DATES=(20250101000000Z 20260901000000Z)
CRL_DATES=(20250101000000Z 20301231235959Z)
# Revocation time written into the CA database for oces3/revoked (YYMMDDHHMMSSZ).
REVOKED_AT=250601000000Z

# Fixed identities (version-4 shaped UUIDs).
UUID_PERSON=5f1c0a3e-8d2b-4c71-9e4a-0b6d2f3a7c11
UUID_EMPLOYEE=6a2d1b4f-9e3c-4d82-8f5b-1c7e3a4b8d22
UUID_ORG=7b3e2c50-af4d-4e93-a06c-2d8f4b5c9e33
UUID_REVOKED=8c4f3d61-b05e-4fa4-b17d-3e905c6daf44
UUID_EXPIRED=9d504e72-c16f-40b5-828e-4fa16d7eb055
UUID_NOTYET=ae615f83-d270-41c6-939f-50b27e8fc166
UUID_EC=bf726094-e381-42d7-a4a0-61c38f90d277
UUID_PSS=c08371a5-f492-43e8-b5b1-72d490a1e388
UUID_NOKU=d19482b6-05a3-44f9-86c2-83e5a1b2f499
UUID_OTHER=e2a593c7-16b4-450a-97d3-94f6b2c305aa
UUID_SHORT=f3b6a4d8-27c5-461b-a8e4-a5079c3d16bb

TMP="$OUT.tmp.$$"
rm -rf "$TMP"
mkdir -p "$TMP"
TMP=$(cd "$TMP" && pwd)
trap 'rm -rf "$TMP"' EXIT

die() { echo "mkpki.sh: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------
# key generation (all keys first, in parallel: RSA 3072 is the slow part)
# ---------------------------------------------------------------------------
pids=()
genkey() { # FILE TYPE   (TYPE: rsa2048 rsa3072 rsapss3072 p256)
    local f=$1 t=$2
    case $t in
        rsa2048)    set -- -algorithm RSA -pkeyopt rsa_keygen_bits:2048 ;;
        rsa3072)    set -- -algorithm RSA -pkeyopt rsa_keygen_bits:3072 ;;
        rsapss3072) set -- -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:3072 ;;
        p256)       set -- -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
                           -pkeyopt ec_param_enc:named_curve ;;
        *) die "bad key type $t" ;;
    esac
    # genpkey writes unencrypted PKCS#8 ("BEGIN PRIVATE KEY")
    "$OPENSSL" genpkey "$@" -out "$f" 2>/dev/null &
    pids+=($!)
}

mkdir -p "$TMP"/oces3 "$TMP"/oces2 "$TMP"/other "$TMP"/trust/all
for n in root ca person employee organisation revoked expired notyet noku tsa ocsp shortlived; do
    genkey "$TMP/oces3/$n.key.pem" rsa3072
done
genkey "$TMP/oces3/ec.key.pem" p256
genkey "$TMP/oces3/pss.key.pem" rsapss3072
for n in root ca poces moces voces foces; do
    genkey "$TMP/oces2/$n.key.pem" rsa2048
done
for n in root signer; do
    genkey "$TMP/other/$n.key.pem" rsa2048
done
for p in "${pids[@]}"; do
    wait "$p" || die "key generation failed"
done

# ---------------------------------------------------------------------------
# CA databases and configuration
# ---------------------------------------------------------------------------
# mkdb DBDIR CACERT CAKEY SERIAL EXTFUNC
# Creates an `openssl ca` database in DBDIR with a self-contained openssl.cnf
# whose paths are relative to DBDIR (run openssl ca with DBDIR as cwd).
mkdb() {
    local db=$1 cert=$2 key=$3 serial=$4 extfn=$5
    mkdir -p "$db/newcerts"
    : > "$db/index.txt"
    echo "unique_subject = no" > "$db/index.txt.attr"
    echo "$serial" > "$db/serial"
    echo 01 > "$db/crlnumber"
    {
        cat <<EOF
# openssl ca configuration generated by mkpki.sh; paths are relative to this
# directory, so run openssl ca from here.
dir = .

[ ca ]
default_ca = CA_default

[ CA_default ]
database        = \$dir/index.txt
new_certs_dir   = \$dir/newcerts
serial          = \$dir/serial
crlnumber       = \$dir/crlnumber
certificate     = $cert
private_key     = $key
default_md      = sha256
default_days    = 365
default_crl_days = 30
policy          = policy_any
preserve        = yes
email_in_dn     = no
unique_subject  = no
copy_extensions = none
name_opt        = RFC2253
cert_opt        = ca_default

[ policy_any ]
countryName            = optional
organizationName       = optional
commonName             = optional
serialNumber           = optional
organizationIdentifier = optional

[ req ]
distinguished_name = req_dn
string_mask        = utf8only
utf8               = yes
prompt             = no

[ req_dn ]
CN = placeholder

[ crl_ext ]
authorityKeyIdentifier = keyid:always

EOF
        "$extfn"
    } > "$db/openssl.cnf"
}

ext_oces3() {
    cat <<EOF
[ v3_root ]
basicConstraints     = critical, CA:TRUE
keyUsage             = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ v3_ca ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess    = caIssuers;URI:$URL/root.cer
crlDistributionPoints  = URI:$URL/root.crl

EOF
    # end-entity profiles: NAME KEYUSAGE POLICY [extra lines...]
    ee() {
        local name=$1 ku=$2 pol=$3; shift 3
        cat <<EOF
[ $name ]
basicConstraints       = critical, CA:FALSE
keyUsage               = $ku
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
certificatePolicies    = $pol
authorityInfoAccess    = OCSP;URI:$OCSP3_URL, caIssuers;URI:$URL/ca.cer
crlDistributionPoints  = URI:$URL/ca.crl
EOF
        local l
        for l in "$@"; do echo "$l"; done
        echo
    }
    local sig="critical, digitalSignature, nonRepudiation"
    ee v3_person       "$sig" "1.2.208.169.1.1.1.1.1, 0.4.0.2042.1.1"
    ee v3_employee     "$sig" "1.2.208.169.1.1.1.2.1, 0.4.0.2042.1.1"
    ee v3_organisation "$sig" "1.2.208.169.1.1.1.3.1, 0.4.0.2042.1.1"
    ee v3_noku         "critical, keyEncipherment" "1.2.208.169.1.1.1.1.1, 0.4.0.2042.1.1"
    ee v3_tsa          "critical, digitalSignature" "1.2.208.169.1.1.1.3.1, 0.4.0.2042.1.1" \
        "extendedKeyUsage       = critical, timeStamping"
    ee v3_ocsp         "critical, digitalSignature" "1.2.208.169.1.1.1.3.1, 0.4.0.2042.1.1" \
        "extendedKeyUsage       = OCSPSigning" \
        "noCheck                = ignored"
}

ext_oces2() {
    cat <<EOF
[ v3_root ]
basicConstraints     = critical, CA:TRUE
keyUsage             = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ v3_ca ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
certificatePolicies    = 2.5.29.32.0
crlDistributionPoints  = URI:$URL/oces2/root.crl
authorityKeyIdentifier = keyid:always
subjectKeyIdentifier   = hash

EOF
    local n
    for n in 1 2 3 4; do
        cat <<EOF
[ v3_oces2_$n ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
certificatePolicies    = 1.3.6.1.4.1.31313.2.4.6.$n.3
authorityInfoAccess    = OCSP;URI:$OCSP2_URL, caIssuers;URI:$URL/oces2/ca.cer
crlDistributionPoints  = URI:$URL/oces2/ca.crl

EOF
    done
}

ext_other() {
    cat <<EOF
[ v3_root ]
basicConstraints     = critical, CA:TRUE
keyUsage             = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ v3_person ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
certificatePolicies    = 1.2.208.169.1.1.1.1.1, 0.4.0.2042.1.1

EOF
}

# csr DBDIR KEY SUBJ OUTCSR  (subject in openssl -subj syntax, UTF-8, '+' = multi-valued RDN)
csr() {
    "$OPENSSL" req -config "$1/openssl.cnf" -new -utf8 -key "$2" -subj "$3" -out "$4"
}

# sign DBDIR CSR OUTCERT EXTSECTION START END [extra openssl ca args...]
sign() {
    local db=$1 in=$2 out=$3 ext=$4 start=$5 end=$6; shift 6
    ( cd "$db" && "$OPENSSL" ca -config openssl.cnf -batch -notext -utf8 -preserveDN \
        -in "$in" -out "$out" -extensions "$ext" -startdate "$start" -enddate "$end" \
        "$@" ) 2>"$db/last-ca.log" || { cat "$db/last-ca.log" >&2; die "openssl ca failed for $out"; }
    rm -f "$db/last-ca.log"
}

# issue HIER DBDIR NAME SUBJ EXT START END [sigopts...]
issue() {
    local h=$1 db=$2 n=$3 subj=$4 ext=$5 start=$6 end=$7; shift 7
    csr "$db" "$h/$n.key.pem" "$subj" "$h/$n.csr"
    sign "$db" "$h/$n.csr" "$h/$n.pem" "$ext" "$start" "$end" "$@"
    rm -f "$h/$n.csr"
}

# p12 HIER NAME CHAINFILE FRIENDLYNAME [legacy]
p12() {
    local h=$1 n=$2 chain=$3 fn=$4
    "$OPENSSL" pkcs12 -export -in "$h/$n.pem" -inkey "$h/$n.key.pem" -certfile "$chain" \
        -name "$fn" -passout "pass:$PASS" -out "$h/$n.p12"
    if [ "${5:-}" = legacy ]; then
        "$OPENSSL" pkcs12 -export -legacy -in "$h/$n.pem" -inkey "$h/$n.key.pem" \
            -certfile "$chain" -name "$fn" -passout "pass:$PASS" -out "$h/$n.legacy.p12"
    fi
}

# selfsigned root: HIER DBDIR SUBJ [sigopts...]
mkroot() {
    local h=$1 db=$2 subj=$3; shift 3
    csr "$db" "$h/root.key.pem" "$subj" "$h/root.csr"
    ( cd "$db" && "$OPENSSL" ca -config openssl.cnf -batch -notext -utf8 -preserveDN -selfsign \
        -in "$h/root.csr" -out "$h/root.pem" -extensions v3_root \
        -startdate "${CA_ROOT_DATES[0]}" -enddate "${CA_ROOT_DATES[1]}" "$@" ) \
        2>"$db/last-ca.log" || { cat "$db/last-ca.log" >&2; die "openssl ca -selfsign failed ($h)"; }
    rm -f "$db/last-ca.log" "$h/root.csr"
}

# gencrl DBDIR OUT [sigopts...]  -> OUT (PEM) and OUT.der
gencrl() {
    local db=$1 out=$2; shift 2
    ( cd "$db" && "$OPENSSL" ca -config openssl.cnf -batch -gencrl -crlexts crl_ext \
        -crl_lastupdate "${CRL_DATES[0]}" -crl_nextupdate "${CRL_DATES[1]}" \
        -out "$out" "$@" ) 2>"$db/last-ca.log" || { cat "$db/last-ca.log" >&2; die "gencrl failed"; }
    rm -f "$db/last-ca.log"
    "$OPENSSL" crl -in "$out" -outform DER -out "$out.der"
}

# ---------------------------------------------------------------------------
# OCES3
# ---------------------------------------------------------------------------
H=$TMP/oces3
mkdb "$H/root-db" ../root.pem ../root.key.pem 1000 ext_oces3
mkdb "$H/ca-db"   ../ca.pem   ../ca.key.pem   3000 ext_oces3

mkroot "$H" "$H/root-db" "/CN=Test Den Danske Stat OCES rod-CA/O=Den Danske Stat/C=DK" \
    -md "$PSS_MD" "${PSS_OPTS[@]}"
issue "$H" "$H/root-db" ca "/CN=Test Den Danske Stat OCES udstedende-CA 1/O=Den Danske Stat/C=DK" \
    v3_ca "${CA_SUB_DATES[@]}" -md "$PSS_MD" "${PSS_OPTS[@]}"
cat "$H/ca.pem" "$H/root.pem" > "$H/chain.pem"

DB=$H/ca-db
o3() { # NAME SUBJ EXT START END
    issue "$H" "$DB" "$1" "$2" "$3" "$4" "$5" -md "$PSS_MD" "${PSS_OPTS[@]}"
}
ORG='Testfirma A\/S'   # '/' must be escaped in -subj syntax
o3 person       "/CN=Anna Testesen/serialNumber=UI:DK-P:G:$UUID_PERSON/C=DK" v3_person "${GOOD_DATES[@]}"
o3 employee     "/CN=Bo Ansat/serialNumber=UI:DK-E:G:$UUID_EMPLOYEE/O=$ORG/organizationIdentifier=NTRDK-12345678/C=DK" v3_employee "${GOOD_DATES[@]}"
o3 organisation "/CN=$ORG/serialNumber=UI:DK-O:G:$UUID_ORG/O=$ORG/organizationIdentifier=NTRDK-12345678/C=DK" v3_organisation "${GOOD_DATES[@]}"
o3 revoked      "/CN=Rikke Spærret/serialNumber=UI:DK-P:G:$UUID_REVOKED/C=DK" v3_person "${GOOD_DATES[@]}"
o3 expired      "/CN=Erik Udløbet/serialNumber=UI:DK-P:G:$UUID_EXPIRED/C=DK" v3_person "${EXPIRED_DATES[@]}"
o3 notyet       "/CN=Nina Fremtid/serialNumber=UI:DK-P:G:$UUID_NOTYET/C=DK" v3_person "${NOTYET_DATES[@]}"
o3 ec           "/CN=Søren Østergård/serialNumber=UI:DK-P:G:$UUID_EC/C=DK" v3_person "${GOOD_DATES[@]}"
o3 pss          "/CN=Peter Pss/serialNumber=UI:DK-P:G:$UUID_PSS/C=DK" v3_person "${GOOD_DATES[@]}"
o3 noku         "/CN=Karen Kryptering/serialNumber=UI:DK-P:G:$UUID_NOKU/C=DK" v3_noku "${GOOD_DATES[@]}"
o3 tsa          "/CN=Test Tidsstempel/O=Den Danske Stat/C=DK" v3_tsa "${GOOD_DATES[@]}"
o3 ocsp         "/CN=Test OCSP Responder/O=Den Danske Stat/C=DK" v3_ocsp "${GOOD_DATES[@]}"
o3 shortlived   "/CN=Kirsten Kortvarig/serialNumber=UI:DK-P:G:$UUID_SHORT/C=DK" v3_person "${SHORT_DATES[@]}"

# revoke, then pin the revocation time in index.txt so it does not depend on
# when the script ran (openssl ca -revoke always records "now").
( cd "$DB" && "$OPENSSL" ca -config openssl.cnf -batch -revoke "$H/revoked.pem" -crl_reason keyCompromise ) \
    2>/dev/null || die "revoke failed"
sed -i -E "s/^R(\t[0-9]+Z\t)[0-9]+Z,/R\1$REVOKED_AT,/" "$DB/index.txt"
grep -q "^R	.*	$REVOKED_AT,keyCompromise	" "$DB/index.txt" || die "revocation entry not as expected"

gencrl "$DB" "$H/ca.crl" -md "$PSS_MD" "${PSS_OPTS[@]}"
gencrl "$H/root-db" "$H/root.crl" -md "$PSS_MD" "${PSS_OPTS[@]}"
"$OPENSSL" x509 -in "$H/root.pem" -outform DER -out "$H/root.cer"
"$OPENSSL" x509 -in "$H/ca.pem"   -outform DER -out "$H/ca.cer"

for n in person employee organisation revoked expired notyet ec pss noku tsa ocsp shortlived; do
    cn=$("$OPENSSL" x509 -in "$H/$n.pem" -noout -subject -nameopt utf8,sep_multiline,lname | sed -n 's/^ *commonName=//p')
    p12 "$H" "$n" "$H/chain.pem" "$cn"
done

# ---------------------------------------------------------------------------
# OCES2 (system test shaped)
# ---------------------------------------------------------------------------
H=$TMP/oces2
mkdb "$H/root-db" ../root.pem ../root.key.pem 2000 ext_oces2
mkdb "$H/ca-db"   ../ca.pem   ../ca.key.pem   4000 ext_oces2
mkroot "$H" "$H/root-db" "/C=DK/O=TRUST2408/CN=TRUST2408 Systemtest Primary CA" -md sha256
issue "$H" "$H/root-db" ca "/C=DK/O=TRUST2408/CN=TRUST2408 Systemtest XXXIV CA" v3_ca "${CA_SUB_DATES[@]}" -md sha256
cat "$H/ca.pem" "$H/root.pem" > "$H/chain.pem"
DB=$H/ca-db
TF='Testfirma A\/S \/\/ CVR:12345678'
issue "$H" "$DB" poces "/C=DK/O=Ingen organisatorisk tilknytning/CN=Carl Person+serialNumber=PID:9208-2002-2-123456789012" v3_oces2_1 "${GOOD_DATES[@]}" -md sha256
issue "$H" "$DB" moces "/C=DK/O=$TF/CN=Dorte Medarbejder+serialNumber=CVR:12345678-RID:1234567890123" v3_oces2_2 "${GOOD_DATES[@]}" -md sha256
issue "$H" "$DB" voces "/C=DK/O=$TF/CN=Testfirma A\/S - Virksomhed+serialNumber=CVR:12345678-UID:12345678901234" v3_oces2_3 "${GOOD_DATES[@]}" -md sha256
issue "$H" "$DB" foces "/C=DK/O=$TF/CN=Testfirma A\/S - Funktion+serialNumber=CVR:12345678-FID:98765432109876" v3_oces2_4 "${GOOD_DATES[@]}" -md sha256
gencrl "$DB" "$H/ca.crl" -md sha256
gencrl "$H/root-db" "$H/root.crl" -md sha256
"$OPENSSL" x509 -in "$H/root.pem" -outform DER -out "$H/root.cer"
"$OPENSSL" x509 -in "$H/ca.pem"   -outform DER -out "$H/ca.cer"
p12 "$H" poces "$H/chain.pem" "Carl Person" legacy
p12 "$H" moces "$H/chain.pem" "Dorte Medarbejder" legacy
p12 "$H" voces "$H/chain.pem" "Testfirma A/S - Virksomhed" legacy
p12 "$H" foces "$H/chain.pem" "Testfirma A/S - Funktion" legacy

# ---------------------------------------------------------------------------
# other: unrelated root, signer issued directly by it
# ---------------------------------------------------------------------------
H=$TMP/other
mkdb "$H/root-db" ../root.pem ../root.key.pem 5000 ext_other
mkroot "$H" "$H/root-db" "/CN=Unrelated Test Root CA/O=Nowhere Trust/C=SE" -md sha256
issue "$H" "$H/root-db" signer "/CN=Otto Fremmed/serialNumber=UI:DK-P:G:$UUID_OTHER/C=DK" v3_person "${GOOD_DATES[@]}" -md sha256
cp "$H/root.pem" "$H/chain.pem"
p12 "$H" signer "$H/chain.pem" "Otto Fremmed"

# ---------------------------------------------------------------------------
# trust anchors, password files
# ---------------------------------------------------------------------------
cp "$TMP/oces3/root.pem" "$TMP/trust/oces3-root.pem"
cp "$TMP/oces2/root.pem" "$TMP/trust/oces2-root.pem"
cp "$TMP/oces3/root.pem" "$TMP/trust/all/oces3-root.pem"
cp "$TMP/oces2/root.pem" "$TMP/trust/all/oces2-root.pem"
"$OPENSSL" rehash "$TMP/trust/all"

printf '%s' "$PASS" > "$TMP/password.txt"
printf '%s\n' "$PASS" > "$TMP/password-nl.txt"

# the CA databases' old/backup files are noise
find "$TMP" -name '*.old' -delete

# ---------------------------------------------------------------------------
# publish atomically
# ---------------------------------------------------------------------------
printf '%s' "$STAMP" > "$TMP/.done"
if [ -e "$OUT/.done" ] && [ "$(cat "$OUT/.done")" = "$STAMP" ]; then
    exit 0                              # a concurrent run won the race
fi
if [ -e "$OUT" ]; then
    rm -rf "$OUT"                       # leftover of an old, incomplete layout
fi
if ! mv -T "$TMP" "$OUT" 2>/dev/null; then
    [ -e "$OUT/.done" ] || die "could not move $TMP to $OUT"
    exit 0                              # lost the race to a concurrent run; trap cleans up
fi
trap - EXIT
exit 0
