#!/usr/bin/env bash
# The crates' arrows point down only (see "Architecture" in the README):
#   laurel (binary) -> laurel-server -> laurel-service -> laurel-store, laurel-verify,
#   laurel-attendance -> laurel-core
# and the domain has no HTTP or command-line machinery beneath it.
set -euo pipefail
cd "$(dirname "$0")/.."

fail=0
deps() { cargo tree -p "$1" -e normal --prefix none --format '{p}' | awk '{print $1}' | sort -u; }

# The domain: no web framework, no HTTP stack, no argument parser.
bad=$(deps laurel-service | grep -xE 'axum|axum-core|tower|tower-http|tower-layer|tower-service|hyper|hyper-util|clap|clap_builder|laurel-server' || true)
if [ -n "$bad" ]; then
  echo "laurel-service must not depend on: $(echo $bad)" >&2
  fail=1
fi

# Lower crates never reach up.
for crate in laurel-core laurel-attendance laurel-store laurel-verify laurel-certificate; do
  up=$(deps "$crate" | grep -xE 'laurel-service|laurel-server|laurel' || true)
  if [ -n "$up" ]; then
    echo "$crate must not depend on: $(echo $up)" >&2
    fail=1
  fi
done

# The server is HTTP adapters: no argument parser beneath it either.
bad=$(deps laurel-server | grep -xE 'clap|clap_builder' || true)
if [ -n "$bad" ]; then
  echo "laurel-server must not depend on: $(echo $bad)" >&2
  fail=1
fi

# Every `laurel` command but `serve` works through the domain only.
users=$(grep -l 'laurel_server::' src/cli/*.rs | grep -vE 'src/cli/serve\.rs$' || true)
if [ -n "$users" ]; then
  echo "only 'laurel serve' may use laurel-server; found in: $(echo $users)" >&2
  fail=1
fi

if [ "$fail" -ne 0 ]; then
  exit 1
fi
echo "layering: ok"
