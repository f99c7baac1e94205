#!/usr/bin/env bash
# One HTTP/1.0 exchange on stdin/stdout, run by socat for each connection (see start.sh):
#   GET  /ca.crl, /root.crl, /ca.cer, /root.cer, /oces2/...   files of the test PKI
#   POST /tsa                                                  RFC 3161 via `openssl ts -reply`
#   POST /tsa-broken                                           a reply that is not a timestamp
# The TSA's clock is fixed (SEGL_TSA_TIME) so that tests are deterministic.
set -u
pki=$1 state=$2
respond() { # STATUS TYPE FILE
    printf 'HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n' \
        "$1" "$2" "$(stat -c %s "$3")"
    cat "$3"
}
read -r method path _ || exit 0
length=0
while IFS= read -r line; do
    line=${line%$'\r'}
    [ -z "$line" ] && break
    case "${line,,}" in content-length:*) length=${line#*:}; length=${length// /} ;; esac
done
work=$(mktemp -d "$state/req.XXXXXX")
trap 'rm -rf "$work"' EXIT
case "$method $path" in
"POST /tsa")
    head -c "$length" >"$work/query.tsq"
    # One reply at a time: `openssl ts -reply` reads and rewrites the serial file, and two
    # at once (ctest -j) can read it half-written.
    # libfaketime preloaded directly: the faketime wrapper's semaphore races under load.
    if flock "$state/tsaserial.lock" env LD_PRELOAD="$SEGL_LIBFAKETIME" FAKETIME="@$SEGL_TSA_TIME" \
        openssl ts -reply -config "$state/tsa.cnf" -queryfile "$work/query.tsq" \
        -out "$work/reply.tsr" 2>"$work/err"; then
        respond "200 OK" application/timestamp-reply "$work/reply.tsr"
    else
        cat "$work/err" >>"$state/tsa-errors.log"
        printf 'TSA failed\n' >"$work/msg"
        respond "500 Internal Server Error" text/plain "$work/msg"
    fi
    ;;
"POST /tsa-broken")
    head -c "$length" >/dev/null
    printf 'not a timestamp' >"$work/msg"
    respond "200 OK" application/timestamp-reply "$work/msg"
    ;;
GET\ /*.crl | GET\ /*.cer | GET\ /oces2/*.crl | GET\ /oces2/*.cer)
    file=$pki/oces3${path}
    case "$path" in /oces2/*) file=$pki${path} ;; esac
    case "$path" in *.crl) file=${file%.crl}.crl.der ;; esac
    if [ -f "$file" ] && [ "${path#*..}" = "$path" ]; then
        respond "200 OK" application/octet-stream "$file"
    else
        printf 'not found\n' >"$work/msg"
        respond "404 Not Found" text/plain "$work/msg"
    fi
    ;;
*)
    printf 'not found\n' >"$work/msg"
    respond "404 Not Found" text/plain "$work/msg"
    ;;
esac
