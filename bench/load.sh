#!/usr/bin/env bash
# Load test of public hosting: `wrk` against the public credential GET, with /healthz (no
# database, no body to speak of) as the baseline measured in the same run.
#
#   bench/load.sh                   # 64 connections, 10 s per endpoint
#   DURATION=30s CONNECTIONS=128 DISTINCT=5000 bench/load.sh
#   PERF=/tmp/laurel bench/load.sh  # also records the server (`perf record`) during each
#                                   # run, to /tmp/laurel-1.data, -2.data, …
#
# Builds `laurel` in release mode, starts `laurel serve` on a free loopback port with a
# temporary data folder (SQLite), awards credentials through the admin API, then runs wrk
# (`--latency`) three times: /healthz, one credential over and over (served from the
# in-memory cache of hot credentials after the first request), the same credential's web page
# (as a browser asks for it: rendered, its verification cached), and DISTINCT credentials in
# turn (more than the cache holds, so most reads go to the database), and the credentials'
# signed revocation list (as verifiers fetch it). It prints requests/s,
# p99 latency and the server's peak resident memory (VmHWM from /proc). Needs wrk: `apt-get install -y wrk` (the script installs it when run
# as root with apt available), curl and jq. Traffic stays on 127.0.0.1.
set -euo pipefail

cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
# 2,000: the figure issue 19 states (more than the cache of hot credentials holds).
DISTINCT="${DISTINCT:-2000}"
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

# LAUREL_BIN=path/to/laurel measures that binary instead (an earlier build, to compare).
if [ -n "${LAUREL_BIN:-}" ]; then
    laurel="$LAUREL_BIN"
else
    cargo build --release --quiet --bin laurel
    laurel="$TARGET_DIR/release/laurel"
fi

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
    # A line still being written is not JSON yet: jq fails, and the next try reads it whole.
    address="$(jq -r 'select(.message == "laurel is listening") | .address' "$work/server.log" 2>/dev/null | head -n1 || true)"
    [ -n "$address" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$address" ] || { echo "laurel serve did not start" >&2; cat "$work/server.log" >&2; exit 1; }
origin="http://$address"
started="$(awk '/^VmHWM:/ {print $2, $3}' "/proc/$server/status")"

token="$("$laurel" token create --data-dir "$work/data" --name bench --scope admin 2>/dev/null)"
api() {
    curl -sS --fail-with-body -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "$2" "$origin/api/v1$1"
}
issuer="$(api /issuers '{"name":"Load Test Association","url":"https://association.example.org"}' | jq -r .id)"
achievement="$(api /achievements "{\"issuer_id\":\"$issuer\",\"name\":\"Load Test Workshop\",\"description\":\"A workshop.\",\"criteria_narrative\":\"Attend it.\"}" | jq -r .id)"
credential="$(api "/achievements/$achievement/awards" '{"email":"learner@example.org"}' | jq -r .credential_url)"
curl -sS --fail -o /dev/null "$credential"

# DISTINCT more credentials, in batches of 1,000, for the mostly-uncached run.
for start in $(seq 0 1000 $((DISTINCT - 1))); do
    end=$((start + 1000 < DISTINCT ? start + 1000 : DISTINCT))
    body="$(jq -nc --argjson s "$start" --argjson e "$end" \
        '{awards: [range($s; $e) | {email: "learner\(.)@example.org"}]}')"
    api "/achievements/$achievement/awards" "$body" \
        | jq -r '.results[].award.credential_url' | sed "s|^$origin||" >>"$work/paths.txt"
done
cat >"$work/paths.lua" <<LUA
local paths = {}
for line in io.lines("$work/paths.txt") do paths[#paths + 1] = line end
local i = math.random(#paths)
request = function()
    i = i % #paths + 1
    return wrk.format("GET", paths[i])
end
LUA

run() {
    local name="$1" url="$2" out recorder=""
    shift 2
    runs=$((runs + 1))
    if [ -n "${PERF:-}" ]; then
        # DWARF unwinding: release builds keep no frame pointers, but do keep .eh_frame.
        perf record --call-graph "${PERF_CALL_GRAPH:-dwarf}" -F "${PERF_FREQUENCY:-199}" \
            -o "$PERF-$runs.data" -p "$server" \
            2>>"$work/perf.log" &
        recorder=$!
        sleep 0.5
    fi
    out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url")"
    if [ -n "$recorder" ]; then
        kill -INT "$recorder"
        wait "$recorder" 2>/dev/null || true
    fi
    local rps p99 errors
    rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
    errors="$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out")"
    # Each figure also as a share of /healthz's in this same run (the first), which is what
    # stays comparable on a shared or noisy machine.
    [ -n "$baseline" ] || baseline="$rps"
    share="$(awk -v r="$rps" -v b="$baseline" 'BEGIN { if (b > 0) printf "%3.0f%%", 100 * r / b }')"
    printf '%-38s %10s req/s (%s of /healthz)   p99 %8s   %s\n' "$name" "$rps" "$share" "$p99" "$errors"
    [ -z "$recorder" ] || echo "  profile: perf report -i $PERF-$runs.data --no-children"
}
runs=0
baseline=""

echo "laurel serve: peak resident memory $started once started; after awarding $((DISTINCT + 1)) credentials: $(awk '/^VmRSS:/ {print $2, $3}' "/proc/$server/status") resident, peak $(awk '/^VmHWM:/ {print $2, $3}' "/proc/$server/status")"
echo "wrk: $THREADS threads, $CONNECTIONS connections, $DURATION per endpoint; $(nproc) cores"
run "GET /healthz" "$origin/healthz"
run "GET /credentials/{id} (one, cached)" "$credential"
run "GET /credentials/{id} as a web page" "$credential" -H "Accept: text/html"
run "GET /credentials/{id} ($DISTINCT in turn)" "$origin" -s "$work/paths.lua"
status_list="$(curl -sS --fail "$credential" | jq -r .credentialStatus.statusListCredential)"
run "GET /status/{id} (the revocation list)" "$status_list"
echo "laurel serve at the end: $(awk '/^VmRSS:/ {print $2, $3}' "/proc/$server/status") resident, peak (VmHWM) $(awk '/^VmHWM:/ {print $2, $3}' "/proc/$server/status")"
