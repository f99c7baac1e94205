#!/usr/bin/env bash
# Stop the test servers that start.sh started. Usage: tests/servers/stop.sh STATE_DIR
state=$1
for pidfile in "$state"/*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    # the server and whatever it forked (openssl ocsp -multi, socat's children) share its group
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.02; done
    rm -f "$pidfile"
done
exit 0
