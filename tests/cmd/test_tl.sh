#!/usr/bin/env bash
# ETSI TS 119 612 trusted lists (segl-verify --tl): the list's signature against pinned signer
# certificates, the trust anchors it gives, and "qualified" from the status history of the signer's
# issuing CA at the signing time. The lists are made here by testdata/tl/mktl.sh.
. "$(dirname "$0")/lib.sh"
MKTL=$SEGL_SOURCE/testdata/tl/mktl.sh
CA=$PKI/oces3/ca.pem
SINCE=2016-07-01T00:00:00Z
export XDG_CACHE_HOME=$WORK/cache   # never the user's cache
cp "$DOCS/letter.txt" .

# Keys of the list signers, made for this run.
for who in tl lotl other; do
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$who.key" -out "$who.pem" -days 3650 \
        -subj "/CN=segl test $who signer/C=DK" 2>/dev/null || fail "making the $who signer key"
done
mktl() { "$MKTL" -k tl.key -c tl.pem "$@" || fail "mktl.sh $*"; }
tl_json() { # tl_json LIST FILE [options...]: validate with one trusted list, pinned to tl.pem
    local list=$1; shift
    verify_json --tl "$list" --tl-signer tl.pem "$@"
}

# Signatures made at a known claimed time (the best signing time when there is no timestamp).
expect_exit 0 "sign at 2026-05-01" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" --signing-time 2026-05-01T10:00:00Z -o may.p7s letter.txt
expect_exit 0 "sign at 2026-05-20" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" --signing-time 2026-05-20T10:00:00Z -o late-may.p7s letter.txt

# ---- the issuing CA granted as CA/QC: qualified, with the details
mktl -o granted.xml --service "$CA|CA/QC|granted@$SINCE" --service "$PKI/oces3/tsa.pem|TSA/QTST|granted@$SINCE"
expect_exit 0 "test_tl_granted_ca_qc_makes_the_signer_qualified" -- tl_json granted.xml --content letter.txt may.p7s
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].signer.qualified == true' "granted CA/QC: qualified"
expect_json '.signatures[0].signer.qc.service == "Test Den Danske Stat OCES udstedende-CA 1" and .signatures[0].signer.qc.territory == "DK"' "qc names the service and the list"
expect_json '.signatures[0].signer.qc.status | endswith("/Svcstatus/granted")' "qc gives the status"
expect_json '.signatures[0].signer.qc.at == "2026-05-01T10:00:00Z"' "qualified at the claimed signing time"
expect_json '.signatures[0].signer.qc.qcCompliance == false and .signatures[0].signer.qc.qcSSCD == false and .signatures[0].signer.qc.qcType == []' "the test certificate has no QCStatements"

# ---- no trusted list: null, and no details
expect_exit 0 "test_tl_no_list_leaves_qualified_null" -- verify_json --content letter.txt may.p7s
expect_json '.signatures[0].signer.qualified == null and (.signatures[0].signer | has("qc") | not)' "no list: qualified null"

# ---- the list's CAs are the trust anchors: nothing else is trusted here
expect_exit 0 "test_tl_services_are_trust_anchors" -- "$VERIFY" --json --at "$AT" --no-default-trust --tl granted.xml --tl-signer tl.pem --content letter.txt may.p7s
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].signer.qualified == true' "list alone anchors the chain"
expect_exit 2 "without the list the same chain has no anchor" -- "$VERIFY" --json --at "$AT" --no-default-trust --trust "$PKI/oces2/root.pem" --content letter.txt may.p7s
expect_json '.signatures[0].subindication == "NO_CERTIFICATE_CHAIN_FOUND"' "no anchor without the list"

# ---- withdrawn before the signing time: listed, not qualified
mktl -o withdrawn.xml --service "$CA|CA/QC|withdrawn@2026-03-01T00:00:00Z|granted@$SINCE"
expect_exit 0 "test_tl_withdrawn_before_signing_is_not_qualified" -- tl_json withdrawn.xml --content letter.txt may.p7s
expect_json '.signatures[0].signer.qualified == false and (.signatures[0].signer.qc.status | endswith("/withdrawn"))' "withdrawn before signing: false"
# a withdrawn CA is not a trust anchor any more
expect_exit 2 "test_tl_withdrawn_ca_is_no_anchor" -- "$VERIFY" --json --at "$AT" --no-default-trust --tl withdrawn.xml --tl-signer tl.pem --content letter.txt may.p7s

# ---- history: granted until 2026-05-15, withdrawn since
mktl -o history.xml --service "$CA|CA/QC|withdrawn@2026-05-15T00:00:00Z|granted@$SINCE"
expect_exit 0 "test_tl_history_granted_at_signing_time" -- tl_json history.xml --content letter.txt may.p7s
expect_json '.signatures[0].signer.qualified == true and (.signatures[0].signer.qc.status | endswith("/granted"))' "signed while granted: true"
expect_exit 0 "test_tl_history_withdrawn_at_signing_time" -- tl_json history.xml --content letter.txt late-may.p7s
expect_json '.signatures[0].signer.qualified == false' "signed after the withdrawal: false"
# pre-eIDAS status (TS 119 612 annex J): accredited counts as granted
mktl -o accredited.xml --service "$CA|CA/QC|granted@$SINCE|accredited@2010-01-01T00:00:00Z"
expect_exit 0 "accredited before 2016" -- tl_json accredited.xml --content letter.txt may.p7s --at 2026-06-01T00:00:00Z
expect_json '.signatures[0].signer.qualified == true' "granted now, accredited before"
# signed before the service was listed at all
mktl -o listed-later.xml --service "$CA|CA/QC|granted@2026-05-10T00:00:00Z"
expect_exit 0 "test_tl_signed_before_listing_is_not_qualified" -- tl_json listed-later.xml --content letter.txt may.p7s
expect_json '.signatures[0].signer.qualified == false and .signatures[0].signer.qc.status == null' "not yet listed: false"

# ---- nationally recognised (how the Danish list lists OCES): an anchor, not qualified
mktl -o national.xml --service "$CA|CA/PKC|recognisedatnationallevel@$SINCE"
expect_exit 0 "test_tl_national_ca_is_anchor_not_qualified" -- "$VERIFY" --json --at "$AT" --no-default-trust --tl national.xml --tl-signer tl.pem --content letter.txt may.p7s
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].signer.qualified == false' "national: passes, not qualified"

# ---- issuer not in the list: false, no service
mktl -o other-ca.xml --service "$PKI/oces2/ca.pem|CA/QC|granted@$SINCE"
expect_exit 0 "test_tl_unlisted_issuer_is_not_qualified" -- tl_json other-ca.xml --content letter.txt may.p7s
expect_json '.signatures[0].signer.qualified == false and .signatures[0].signer.qc.service == null' "unlisted: false"

# ---- the best signing time is the signature timestamp, not the claimed time
mktl -o until-march.xml --service "$CA|CA/QC|withdrawn@2026-03-01T00:00:00Z|granted@$SINCE" --service "$PKI/oces3/tsa.pem|TSA/QTST|granted@$SINCE"
expect_exit 0 "sign B-T claiming 2026-01-01" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -l B-T --tsa "$TSA" --signing-time 2026-01-01T10:00:00Z -o stamped.p7s letter.txt
expect_exit 0 "test_tl_timestamp_is_the_best_signing_time" -- tl_json until-march.xml --at 2026-06-02T00:00:00Z --content letter.txt stamped.p7s
expect_json '.signatures[0].level == "CAdES-BASELINE-T" and .signatures[0].signer.qualified == false and .signatures[0].signer.qc.at == "2026-06-01T12:00:00Z"' "timestamp (June) after withdrawal: false"
expect_exit 0 "claimed time alone" -- tl_json until-march.xml --content letter.txt --at 2026-06-02T00:00:00Z may.p7s
expect_json '.signatures[0].signer.qualified == false' "claimed May, withdrawn March: false"

# ---- QCStatements of a qualified certificate: a CA of our own, listed as CA/QC
cat >qc.cnf <<'EOF'
[ ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ ee ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
1.3.6.1.5.5.7.1.3 = ASN1:SEQUENCE:qc_statements
[ qc_statements ]
compliance = SEQUENCE:qc_compliance
sscd = SEQUENCE:qc_sscd
type = SEQUENCE:qc_type
[ qc_compliance ]
id = OID:0.4.0.1862.1.1
[ qc_sscd ]
id = OID:0.4.0.1862.1.4
[ qc_type ]
id = OID:0.4.0.1862.1.6
types = SEQUENCE:qc_types
[ qc_types ]
esign = OID:0.4.0.1862.1.6.1
EOF
{
    openssl req -x509 -newkey rsa:2048 -nodes -keyout qcca.key -out qcca.pem -days 3650 -subj "/CN=segl test QC CA/C=DK" -config qc.cnf -extensions ca &&
    openssl req -new -newkey rsa:2048 -nodes -keyout qcee.key -out qcee.csr -subj "/CN=Q Signer/C=DK" &&
    openssl x509 -req -in qcee.csr -CA qcca.pem -CAkey qcca.key -set_serial 7 -days 3650 -out qcee.pem -extfile qc.cnf -extensions ee
} >/dev/null 2>&1 || fail "making the QC test certificates"
mktl -o qc.xml --service "qcca.pem|CA/QC|granted@$SINCE"
# (made now, so signed and validated now rather than at $AT)
expect_exit 0 "sign with a QC certificate" -- "$SIGN" -q -k qcee.key -c qcee.pem -o qc.p7s letter.txt
expect_exit 0 "test_tl_reports_qc_statements" -- "$VERIFY" --json --revocation off --no-default-trust --tl qc.xml --tl-signer tl.pem --content letter.txt qc.p7s
expect_json '.indication == "TOTAL_PASSED" and .signatures[0].signer.qualified == true' "own QC CA: qualified"
expect_json '.signatures[0].signer.qc.qcCompliance == true and .signatures[0].signer.qc.qcSSCD == true and .signatures[0].signer.qc.qcType == ["esign"]' "QCStatements read"

# ---- a list that fails its checks is refused: exit 3, one line
sed '0,/Svcstatus\/withdrawn/s//Svcstatus\/granted/' withdrawn.xml >tampered.xml
cmp -s withdrawn.xml tampered.xml && fail "tampering changed nothing"
expect_exit 3 "test_tl_tampered_service_entry_is_refused" -- tl_json tampered.xml --content letter.txt may.p7s
expect_one_line_error "tampered list" "tampered.xml: the trusted list's signature does not verify"
[ -s out.txt ] && fail "a refused list still gave a report" || pass
expect_exit 3 "test_tl_wrong_pinned_signer_is_refused" -- verify_json --tl granted.xml --tl-signer other.pem --content letter.txt may.p7s
expect_one_line_error "wrong pinned signer" "not signed by a pinned signer certificate"
# signed by another key, yet naming the pinned certificate in KeyInfo
"$MKTL" -k other.key -c other.pem -o forged.xml --service "$CA|CA/QC|granted@$SINCE" || fail "mktl forged"
python3 - forged.xml granted.xml <<'EOF' || fail "splicing the KeyInfo"
import re, sys
forged, good = (open(p).read() for p in sys.argv[1:3])
pattern = r"<ds:X509Certificate>.*?</ds:X509Certificate>"
cert = re.search(pattern, good, re.S).group(0)
open(sys.argv[1], "w").write(re.sub(pattern, lambda m: cert, forged, flags=re.S))
EOF
expect_exit 3 "test_tl_other_key_with_pinned_keyinfo_is_refused" -- tl_json forged.xml --content letter.txt may.p7s
expect_one_line_error "forged list" "signature does not verify"
expect_exit 3 "--tl without --tl-signer" -- verify_json --tl granted.xml --content letter.txt may.p7s
expect_one_line_error "no pinned signer" "needs a pinned signer certificate"
expect_exit 3 "--tl-signer without --tl" -- verify_json --tl-signer tl.pem --content letter.txt may.p7s
mktl -o unsigned.xml --unsigned --service "$CA|CA/QC|granted@$SINCE"
expect_exit 3 "test_tl_unsigned_list_is_refused" -- tl_json unsigned.xml --content letter.txt may.p7s
expect_one_line_error "unsigned list" "not signed"
{ echo '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>'; tail -n +2 granted.xml; } >doctype.xml
expect_exit 3 "test_tl_doctype_is_refused" -- tl_json doctype.xml --content letter.txt may.p7s
expect_one_line_error "DOCTYPE" "DOCTYPE"
expect_exit 3 "not a trusted list" -- tl_json "$DOCS/taxform.xml" --content letter.txt may.p7s
expect_one_line_error "not a trusted list" "not an ETSI TS 119 612 trusted list"
expect_exit 3 "missing list file" -- tl_json nosuch.xml --content letter.txt may.p7s

# ---- the EU list of the lists: followed to the national list, each checked with its own pin
"$MKTL" -k lotl.key -c lotl.pem -o lotl.xml --lotl -t EU --pointer "file://$WORK/granted.xml|tl.pem" || fail "mktl lotl"
expect_exit 0 "test_tl_lotl_is_followed" -- verify_json --tl lotl.xml --tl-signer lotl.pem --content letter.txt may.p7s
expect_json '.signatures[0].signer.qualified == true and .signatures[0].signer.qc.territory == "DK"' "LOTL -> DK: qualified"
"$MKTL" -k lotl.key -c lotl.pem -o lotl-badpin.xml --lotl -t EU --pointer "file://$WORK/granted.xml|other.pem" || fail "mktl lotl"
expect_exit 3 "test_tl_lotl_pointer_pin_is_enforced" -- verify_json --tl lotl-badpin.xml --tl-signer lotl.pem --content letter.txt may.p7s
expect_one_line_error "LOTL with a wrong pointer pin" "none of the 1 trusted lists"

# ---- URLs: fetched, cached atomically, the snapshot used --offline (and checked again)
url_cache() { printf '%s/segl/tl/%s.xml' "$XDG_CACHE_HOME" "$(printf '%s' "$1" | sha256sum | cut -d' ' -f1)"; }
DEAD_TL=http://127.0.0.1:9/dk-tl.xml
expect_exit 3 "test_tl_unreachable_url_is_refused" -- tl_json "$DEAD_TL" --content letter.txt may.p7s
expect_one_line_error "unreachable URL" "127.0.0.1:9/dk-tl.xml"
expect_exit 3 "offline without a snapshot" -- tl_json "$DEAD_TL" --offline --content letter.txt may.p7s
expect_one_line_error "offline, no snapshot" "no saved copy"
mkdir -p "$XDG_CACHE_HOME/segl/tl" && cp granted.xml "$(url_cache "$DEAD_TL")"
expect_exit 0 "test_tl_offline_uses_the_snapshot" -- tl_json "$DEAD_TL" --offline --content letter.txt may.p7s
expect_json '.signatures[0].signer.qualified == true' "snapshot: qualified"
cp tampered.xml "$(url_cache "$DEAD_TL")"
expect_exit 3 "test_tl_tampered_snapshot_is_refused" -- tl_json "$DEAD_TL" --offline --content letter.txt may.p7s

# A server of our own (not the shared test servers), on a port the kernel picks.
mkdir -p srv && cp history.xml srv/dk.xml
python3 -u -m http.server 0 --bind 127.0.0.1 --directory srv >server.log 2>&1 &
server=$!
for _ in $(seq 50); do grep -q 'port [0-9]' server.log && break; sleep 0.1; done
tl_port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' server.log | head -1)
if [ -n "$tl_port" ]; then
    URL=http://127.0.0.1:$tl_port/dk.xml
    expect_exit 0 "test_tl_url_is_fetched" -- tl_json "$URL" --content letter.txt may.p7s
    expect_json '.signatures[0].signer.qualified == true' "fetched list used"
    cmp -s srv/dk.xml "$(url_cache "$URL")" && pass || fail "fetched list not saved to the cache"
    ls -a "$XDG_CACHE_HOME/segl/tl" | grep -q '^\.tl-' && fail "temporary file left in the cache" || pass
    cp tampered.xml srv/dk.xml
    expect_exit 3 "a tampered list served is refused" -- tl_json "$URL" --content letter.txt may.p7s
    cmp -s history.xml "$(url_cache "$URL")" && pass || fail "a refused list replaced the snapshot"
    kill "$server"; wait "$server" 2>/dev/null
    expect_exit 0 "server gone: the snapshot --offline" -- tl_json "$URL" --offline --content letter.txt late-may.p7s
    expect_json '.signatures[0].signer.qualified == false' "snapshot history: withdrawn after 2026-05-15"
else
    kill "$server" 2>/dev/null
    fail "the test HTTP server did not start: $(cat server.log)"
fi

# ---- XAdES goes through the same path validation
cp "$DOCS/taxform.xml" .
expect_exit 0 "sign XAdES" -- "$SIGN" -q -k "$PKI/oces3/person.p12" --pass-file "$PASS" -f xades --signing-time 2026-05-01T10:00:00Z -o taxform.signed.xml taxform.xml
expect_exit 0 "test_tl_xades_signer_qualified" -- tl_json history.xml taxform.signed.xml
expect_json '.signatures[0].signer.qualified == true' "XAdES: qualified"

finish
