#!/usr/bin/env bash
# Load test of public hosting: `wrk` against the public credential GET, with /healthz (no
# database, no body to speak of) as the baseline measured in the same run.
#
#   bench/load.sh                   # 64 connections, 10 s per endpoint
#   DURATION=30s CONNECTIONS=128 bench/load.sh
#
# Builds `laurel` in release mode, starts `laurel serve` on a free loopback port with a
# temporary data folder (SQLite), awards one credential through the admin API, then runs wrk
# (`--latency`) and prints requests/s, p99 latency and the server's peak resident memory
# (VmHWM from /proc). Needs wrk: `apt-get install -y wrk` (the script installs it when run
# as root with apt available), curl and jq. Traffic stays on 127.0.0.1.
set -euo pipefail

cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
TARGET_DIR="${CARGO_TARGET_DIR:-target}"

if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "wrk is missing: installing it with apt-get install -y wrk" >&2
        apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
    else
        echo "wrk is missing: install it (apt-get install -y wrk) and run again" >&2
        exit 2
    fi
fi
for tool in curl jq; do
    command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 2; }
done

cargo build --release --quiet --bin laurel
laurel="$TARGET_DIR/release/laurel"

work="$(mktemp -d)"
server=""
cleanup() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server"
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# Request logging stays on, as in production; the log goes to a file.
"$laurel" serve --listen 127.0.0.1:0 --data-dir "$work/data" --log-format json \
    2>"$work/server.log" &
server=$!
address=""
for _ in $(seq 1 100); do
    address="$(jq -r 'select(.message == "laurel is listening") | .address' "$work/server.log" 2>/dev/null | head -n1)"
    [ -n "$address" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$address" ] || { echo "laurel serve did not start" >&2; cat "$work/server.log" >&2; exit 1; }
origin="http://$address"

token="$("$laurel" token create --data-dir "$work/data" --name bench --scope admin 2>/dev/null)"
api() {
    curl -sS --fail-with-body -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "$2" "$origin/api/v1$1"
}
issuer="$(api /issuers '{"name":"Load Test Association","url":"https://association.example.org"}' | jq -r .id)"
achievement="$(api /achievements "{\"issuer_id\":\"$issuer\",\"name\":\"Load Test Workshop\",\"description\":\"A workshop.\",\"criteria_narrative\":\"Attend it.\"}" | jq -r .id)"
credential="$(api "/achievements/$achievement/awards" '{"email":"learner@example.org"}' | jq -r .credential_url)"
curl -sS --fail -o /dev/null "$credential"

run() {
    local name="$1" url="$2" out
    out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url")"
    local rps p99 errors
    rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
    errors="$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out")"
    printf '%-24s %10s req/s   p99 %8s   %s\n' "$name" "$rps" "$p99" "$errors"
}

echo "wrk: $THREADS threads, $CONNECTIONS connections, $DURATION per endpoint; $(nproc) cores"
run "GET /healthz" "$origin/healthz"
run "GET /credentials/{id}" "$credential"
rss="$(awk '/^VmHWM:/ {print $2, $3}' "/proc/$server/status")"
echo "laurel serve peak RSS (VmHWM): $rss"
