#!/usr/bin/env bash
# End-to-end: `laurel serve` on a scratch data folder, one credential awarded through the admin
# API, then tests/e2e/pages.mjs (public pages) and tests/e2e/console.mjs (the staff console:
# sign in, find the award, revoke it, sign out) in headless Chromium (Debian's chromium package; .ci/run
# installs it). Screenshots go to target/e2e-screenshots/ (the test artifacts).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --quiet --bin laurel
target_dir="${CARGO_TARGET_DIR:-$root/target}"
laurel="$target_dir/debug/laurel"
npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
origin="http://127.0.0.1:$port"
data="$work/laurel-data"
token=$("$laurel" token create --data-dir "$data" --name e2e --scope admin | grep -o 'laurel_[A-Za-z0-9_-]*' | head -n1)
staff_password='e2e staff password, long enough'
LAUREL_USER_PASSWORD="$staff_password" "$laurel" user create --admin staff --data-dir "$data" 2>/dev/null
"$laurel" serve --data-dir "$data" --listen "127.0.0.1:$port" --public-url "$origin" >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fsS "$origin/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$origin/readyz" >/dev/null || { cat "$work/serve.log"; exit 1; }

api() { # METHOD PATH JSON
  curl -fsS -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' --data "$3" "$origin$2"
}
field() { node -e 'let d="";process.stdin.on("data",c=>d+=c).on("end",()=>console.log(JSON.parse(d)[process.argv[1]]))' "$1"; }
issuer=$(api POST /api/v1/issuers '{"name":"Library Association","url":"https://library.example.org","description":"A national association of librarians."}' | field id)
achievement=$(api POST /api/v1/achievements "{\"issuer_id\":\"$issuer\",\"name\":\"Cataloguing webinar\",\"description\":\"Attended the cataloguing webinar.\",\"criteria_narrative\":\"Attend the whole webinar.\",\"achievement_type\":\"CertificateOfCompletion\",\"credits_available\":1.5,\"valid_for_days\":730}" | field id)
award=$(api POST "/api/v1/achievements/$achievement/awards" '{"email":"reader@example.org","name":"Ana Reader"}' | field id)
curl -fsS "$origin/credentials/$award.png" >"$work/badge.png"

node tests/e2e/pages.mjs "$origin" "$origin/credentials/$award" "$work/badge.png" "$root/target/e2e-screenshots"
node tests/e2e/console.mjs "$origin" staff "$staff_password" reader@example.org "$root/target/e2e-screenshots" "$root/tests/data/attendance/zoom_webinar.csv" "$root/crates/service/src/images/medal.png"
node tests/e2e/sessions.mjs "$origin" staff "$staff_password" "$root/target/e2e-screenshots"
node tests/e2e/rules.mjs "$origin" staff "$staff_password" "$token" "$root/target/e2e-screenshots"
node tests/e2e/email.mjs "$origin" staff "$staff_password" "$root/target/e2e-screenshots"
workshop=$(api POST /api/v1/events "{\"issuer_id\":\"$issuer\",\"title\":\"Cataloguing workshop\",\"starts_at\":\"2026-03-10T14:00:00Z\",\"duration_minutes\":180,\"format\":\"in_person\"}" | field id)
api POST /api/v1/achievements "{\"issuer_id\":\"$issuer\",\"name\":\"Cataloguing workshop\",\"description\":\"Attended the cataloguing workshop.\",\"criteria_narrative\":\"Sign in at the workshop.\",\"credits_available\":3,\"award_rules\":[{\"kind\":\"participation\",\"session\":\"$workshop\"}]}" >/dev/null
node tests/e2e/people.mjs "$origin" staff "$staff_password" "$workshop" "$root/target/e2e-screenshots"
node tests/e2e/certificate.mjs "$origin/credentials/$award" "$root/target/e2e-screenshots"
wallet_award=$(api POST "/api/v1/achievements/$achievement/awards" '{"email":"wallet@example.org","name":"Wanda Wallet"}' | field id)
claim_url=$("$laurel" credential claim-link --data-dir "$data" "$wallet_award")
node tests/e2e/claim.mjs "$origin" "$claim_url" "$root/target/e2e-screenshots"
node tests/e2e/programmes.mjs "$origin" staff "$staff_password" "$issuer" "$achievement" reader@example.org "$root/target/e2e-screenshots"
node tests/e2e/cohorts.mjs "$origin" staff "$staff_password" "$token" "$issuer" "$laurel" "$data" "$root/target/e2e-screenshots"
node tests/e2e/transcript.mjs "$origin" reader@example.org "$root/target/e2e-screenshots" "$origin/credentials/$award"
