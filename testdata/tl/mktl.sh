#!/usr/bin/env bash
# Make a small ETSI TS 119 612 shaped trusted list, signed (enveloped, URI="") with xmlsec1.
#
#   mktl.sh -k KEY.pem -c CERT.pem -o OUT.xml [-t TERRITORY] [--unsigned] [--lotl]
#           [--service SPEC]... [--pointer LOCATION|CERT.pem]...
#
# SPEC is CERT.pem|TYPE|STATUS@START[|STATUS@START...]: the service's certificate, its type after
# http://uri.etsi.org/TrstSvc/Svctype/ (CA/QC, CA/PKC, TSA/QTST), then its current status (after
# .../Svcstatus/: granted, withdrawn, recognisedatnationallevel, accredited...) with its
# StatusStartingTime, then older statuses, newest first, as ServiceHistoryInstances.
# --lotl makes a list of the lists; each --pointer names a trusted list and the certificate that
# signs it (OtherTSLPointer, MimeType application/vnd.etsi.tsl+xml).
# Only what segl reads is filled in; the rest of the schema's mandatory elements are present
# with placeholder values.
set -euo pipefail

die() { echo "mktl.sh: $*" >&2; exit 1; }
key= cert= out= territory=DK lotl=0 unsigned=0
services=() pointers=()
while [ $# -gt 0 ]; do
    case $1 in
    -k) key=$2; shift 2 ;;
    -c) cert=$2; shift 2 ;;
    -o) out=$2; shift 2 ;;
    -t) territory=$2; shift 2 ;;
    --lotl) lotl=1; shift ;;
    --unsigned) unsigned=1; shift ;;
    --service) services+=("$2"); shift 2 ;;
    --pointer) pointers+=("$2"); shift 2 ;;
    *) die "unknown argument $1" ;;
    esac
done
[ -n "$out" ] || die "-o OUT is needed"
[ "$unsigned" = 1 ] || { [ -n "$key" ] && [ -n "$cert" ]; } || die "-k KEY and -c CERT are needed"

b64() { openssl x509 -in "$1" -outform DER | base64 -w0; }
SVCTYPE=http://uri.etsi.org/TrstSvc/Svctype/
SVCSTATUS=http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/

identity() { # CERT
    printf '<tsl:ServiceDigitalIdentity><tsl:DigitalId><tsl:X509Certificate>%s</tsl:X509Certificate></tsl:DigitalId></tsl:ServiceDigitalIdentity>\n' "$(b64 "$1")"
}

service() { # SPEC
    local spec=$1 certfile type first rest status start n=0
    IFS='|' read -r certfile type first rest <<<"$spec"
    local name
    name=$(openssl x509 -in "$certfile" -noout -subject -nameopt utf8,sep_multiline,lname | sed -n 's/^ *commonName=//p')
    echo "<tsl:TSPService><tsl:ServiceInformation>"
    echo "<tsl:ServiceTypeIdentifier>$SVCTYPE$type</tsl:ServiceTypeIdentifier>"
    echo "<tsl:ServiceName><tsl:Name xml:lang=\"en\">$name</tsl:Name></tsl:ServiceName>"
    identity "$certfile"
    echo "<tsl:ServiceStatus>$SVCSTATUS${first%@*}</tsl:ServiceStatus>"
    echo "<tsl:StatusStartingTime>${first#*@}</tsl:StatusStartingTime>"
    echo "</tsl:ServiceInformation>"
    if [ -n "$rest" ]; then
        echo "<tsl:ServiceHistory>"
        local IFS='|'
        for status in $rest; do
            echo "<tsl:ServiceHistoryInstance>"
            echo "<tsl:ServiceTypeIdentifier>$SVCTYPE$type</tsl:ServiceTypeIdentifier>"
            echo "<tsl:ServiceName><tsl:Name xml:lang=\"en\">$name</tsl:Name></tsl:ServiceName>"
            identity "$certfile"
            echo "<tsl:ServiceStatus>$SVCSTATUS${status%@*}</tsl:ServiceStatus>"
            echo "<tsl:StatusStartingTime>${status#*@}</tsl:StatusStartingTime>"
            echo "</tsl:ServiceHistoryInstance>"
        done
        echo "</tsl:ServiceHistory>"
    fi
    echo "</tsl:TSPService>"
}

pointer() { # LOCATION|CERT
    local location=${1%%|*} certfile=${1#*|}
    echo "<tsl:OtherTSLPointer><tsl:ServiceDigitalIdentities>"
    identity "$certfile"
    echo "</tsl:ServiceDigitalIdentities>"
    echo "<tsl:TSLLocation>$location</tsl:TSLLocation>"
    echo "<tsl:AdditionalInformation>"
    echo "<tsl:OtherInformation><tsl:TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric</tsl:TSLType></tsl:OtherInformation>"
    echo "<tsl:OtherInformation><tslx:MimeType>application/vnd.etsi.tsl+xml</tslx:MimeType></tsl:OtherInformation>"
    echo "</tsl:AdditionalInformation></tsl:OtherTSLPointer>"
}

if [ "$lotl" = 1 ]; then tsltype=EUlistofthelists; else tsltype=EUgeneric; fi
tmpl=$(mktemp)
trap 'rm -f "$tmpl"' EXIT
{
    echo '<?xml version="1.0" encoding="UTF-8"?>'
    echo '<tsl:TrustServiceStatusList xmlns:tsl="http://uri.etsi.org/02231/v2#" xmlns:tslx="http://uri.etsi.org/02231/v2/additionaltypes#" Id="TrustServiceStatusList-1" TSLTag="http://uri.etsi.org/19612/TSLTag">'
    echo '<tsl:SchemeInformation>'
    echo '<tsl:TSLVersionIdentifier>5</tsl:TSLVersionIdentifier><tsl:TSLSequenceNumber>1</tsl:TSLSequenceNumber>'
    echo "<tsl:TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/$tsltype</tsl:TSLType>"
    echo '<tsl:SchemeOperatorName><tsl:Name xml:lang="en">segl test scheme operator</tsl:Name></tsl:SchemeOperatorName>'
    echo "<tsl:SchemeTerritory>$territory</tsl:SchemeTerritory>"
    if [ ${#pointers[@]} -gt 0 ]; then
        echo '<tsl:PointersToOtherTSL>'
        for p in "${pointers[@]}"; do pointer "$p"; done
        echo '</tsl:PointersToOtherTSL>'
    fi
    echo '<tsl:ListIssueDateTime>2026-01-01T00:00:00Z</tsl:ListIssueDateTime>'
    echo '<tsl:NextUpdate><tsl:dateTime>2027-01-01T00:00:00Z</tsl:dateTime></tsl:NextUpdate>'
    echo '</tsl:SchemeInformation>'
    if [ ${#services[@]} -gt 0 ]; then
        echo '<tsl:TrustServiceProviderList><tsl:TrustServiceProvider>'
        echo '<tsl:TSPInformation><tsl:TSPName><tsl:Name xml:lang="en">segl test TSP</tsl:Name></tsl:TSPName></tsl:TSPInformation>'
        echo '<tsl:TSPServices>'
        for s in "${services[@]}"; do service "$s"; done
        echo '</tsl:TSPServices>'
        echo '</tsl:TrustServiceProvider></tsl:TrustServiceProviderList>'
    fi
    if [ "$unsigned" = 0 ]; then
        cat <<'EOF'
<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="tl-signature">
<ds:SignedInfo>
<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
<ds:Reference URI="">
<ds:Transforms>
<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
</ds:Transforms>
<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
<ds:DigestValue/>
</ds:Reference>
</ds:SignedInfo>
<ds:SignatureValue/>
<ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo>
</ds:Signature>
EOF
    fi
    echo '</tsl:TrustServiceStatusList>'
} >"$tmpl"

if [ "$unsigned" = 1 ]; then
    cp "$tmpl" "$out"
else
    xmlsec1 --sign --privkey-pem "$key,$cert" --output "$out" "$tmpl" 2>/dev/null ||
        die "xmlsec1 --sign failed for $out"
fi
