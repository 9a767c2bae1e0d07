#!/usr/bin/env bash
# `laurel-verify` against Digital Bazaar's Node verifier, on the same peer-signed credentials in
# the same run, process start included.
#
#   bench/verify.sh                 # 300 credentials, 5 rounds
#   COUNT=1000 RUNS=9 bench/verify.sh
#   LAUREL_VERIFY=/path/to/laurel-verify bench/verify.sh   # another build (e.g. an older one)
#   PROFILE=release bench/verify.sh  # the `release` build instead of `dist` (as installed)
#
# Signs COUNT copies of crates/core/benches/data/open-badge-credential.json (1.6 KB, each with
# its own id and recipient) with Digital Bazaar's eddsa-rdfc-2022 signer
# (tests/interop/sign-many.mjs: no Laurel code), then times, RUNS rounds interleaved:
#
# - node: `node tests/interop/verify.mjs` on a manifest of the COUNT credentials, one process
#   (@digitalbazaar/vc verifyCredential with the eddsa-rdfc-2022 suite, key pinned);
# - laurel, one process: `laurel-verify --keys KEY FILE...` (the PROFILE build) on all the files;
# - laurel, one process per file: COUNT runs of `laurel-verify --keys KEY FILE`, one after the
#   other (what a script calling it once per credential pays).
#
# Both verifiers must call every credential valid (checked once before timing). Prints the
# median wall-clock time and CPU time (user + system) of each, and the ratios node / laurel.
# Needs node 20+ (the script runs `npm ci` in tests/interop when its node_modules is missing).
set -euo pipefail

cd "$(dirname "$0")/.."
COUNT="${COUNT:-300}"
RUNS="${RUNS:-5}"
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
AT="2026-01-01T00:00:00Z"

command -v node >/dev/null || { echo "node is missing" >&2; exit 2; }
[ -d tests/interop/node_modules ] ||
    npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error >/dev/null

# The `dist` profile by default: the build `cargo install --profile dist` installs.
PROFILE="${PROFILE:-dist}"
if [ -n "${LAUREL_VERIFY:-}" ]; then
    verify="$LAUREL_VERIFY"
else
    cargo build --profile "$PROFILE" --quiet -p laurel-verify --bin laurel-verify
    verify="$TARGET_DIR/$PROFILE/laurel-verify"
fi
echo "laurel-verify: $verify" >&2

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

node tests/interop/sign-many.mjs --contexts contexts/ --count "$COUNT" --out "$work" \
    crates/core/benches/data/open-badge-credential.json
files=("$work"/credentials/*.json)

# Both must accept every credential, or the timings compare different work.
node tests/interop/verify.mjs --contexts contexts/ "$work/manifest.json" > "$work/node.txt" ||
    { tail -n 5 "$work/node.txt" >&2; echo "the Node verifier did not accept every credential" >&2; exit 1; }
"$verify" --keys "$work/key.multikey" --at "$AT" "${files[@]}" > "$work/laurel.txt" ||
    { grep -v ' valid' "$work/laurel.txt" | head -n 20 >&2; echo "laurel-verify did not accept every credential" >&2; exit 1; }

per_file() {
    for file in "$@"; do
        "$verify" --keys "$work/key.multikey" --at "$AT" "$file" >/dev/null
    done
}
export -f per_file
export verify work AT

# One measurement: wall-clock seconds and CPU seconds (user + system), appended to $1.
measure() {
    local out="$1"
    shift
    local TIMEFORMAT='%3R %3U %3S'
    { time "$@" >/dev/null 2>&1; } 2>"$work/time"
    awk '{ printf "%s %.3f\n", $1, $2 + $3 }' "$work/time" >> "$out"
}

for round in $(seq 1 "$RUNS"); do
    measure "$work/t.node" node tests/interop/verify.mjs --contexts contexts/ "$work/manifest.json"
    measure "$work/t.one" "$verify" --keys "$work/key.multikey" --at "$AT" "${files[@]}"
    measure "$work/t.each" bash -c 'per_file "$@"' _ "${files[@]}"
    echo "round $round/$RUNS done" >&2
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
wall() { cut -d' ' -f1 "$1" | median; }
cpu() { cut -d' ' -f2 "$1" | median; }

node_wall=$(wall "$work/t.node"); node_cpu=$(cpu "$work/t.node")
one_wall=$(wall "$work/t.one"); one_cpu=$(cpu "$work/t.one")
each_wall=$(wall "$work/t.each"); each_cpu=$(cpu "$work/t.each")

echo
echo "$COUNT peer-signed eddsa-rdfc-2022 credentials (Digital Bazaar's signer), median of $RUNS rounds, $(nproc) cores:"
printf '%-44s %9s %9s %12s %12s\n' "" "wall s" "cpu s" "wall ratio" "cpu ratio"
printf '%-44s %9s %9s %12s %12s\n' "node verify.mjs, one process (baseline)" "$node_wall" "$node_cpu" "1x" "1x"
awk -v nw="$node_wall" -v nc="$node_cpu" -v w="$one_wall" -v c="$one_cpu" -v label="laurel-verify, one process" \
    'BEGIN { printf "%-44s %9s %9s %11.1fx %11.1fx\n", label, w, c, nw / (w > 0 ? w : 0.001), nc / (c > 0 ? c : 0.001) }'
awk -v nw="$node_wall" -v nc="$node_cpu" -v w="$each_wall" -v c="$each_cpu" -v label="laurel-verify, one process per file" \
    'BEGIN { printf "%-44s %9s %9s %11.1fx %11.1fx\n", label, w, c, nw / (w > 0 ? w : 0.001), nc / (c > 0 ? c : 0.001) }'
