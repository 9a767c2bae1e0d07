#!/usr/bin/env bash
# Runs `laurel serve` on a scratch data folder, awards credentials through the admin API for
# issuers with each VC-JWT algorithm, downloads what the public endpoints serve, and verifies
# it with independent implementations (Digital Bazaar's Data Integrity suites, `jose`) using
# the keys the service publishes, and with `laurel-verify --online --allow-local` against the
# live service on 127.0.0.1.
# Tampered copies must fail. A CE transcript of the recipient's badges, as a signed CLR 2.0,
# is checked the same way, with each credential nested in it. The status lists are checked too: their proofs by Digital
# Bazaar's suite, their bits read with Node's own gunzip, before and after a revocation,
# which `laurel-verify --online` must then report. A wallet played with `jose` receives copies
# through OpenID4VCI, verified the same way. CI runs it from .ci/run.
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

cargo build --quiet --bin laurel && cargo build --quiet -p laurel-verify --bin laurel-verify
target_dir="${CARGO_TARGET_DIR:-$root/target}"
laurel="$target_dir/debug/laurel"
verify="$target_dir/debug/laurel-verify"
npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
origin="http://127.0.0.1:$port"
data="$work/laurel-data"
token=$("$laurel" token create --data-dir "$data" --name interop --scope admin | grep -o 'laurel_[A-Za-z0-9_-]*' | head -n1)
"$laurel" serve --data-dir "$data" --listen "127.0.0.1:$port" --public-url "$origin" >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fsS "$origin/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$origin/readyz" >/dev/null || { cat "$work/serve.log"; exit 1; }

api() { # METHOD PATH [JSON]
  curl -fsS -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    ${3:+--data "$3"} "$origin$2"
}
field() { node -e 'let d="";process.stdin.on("data",c=>d+=c).on("end",()=>console.log(JSON.parse(d)[process.argv[1]]))' "$1"; }

for alg in ES256 RS256 EdDSA; do
  issuer=$(api POST /api/v1/issuers "{\"name\":\"Library Association ($alg)\",\"url\":\"https://library.example.org\",\"jwt_algorithm\":\"$alg\"}" | field id)
  achievement=$(api POST /api/v1/achievements "{\"issuer_id\":\"$issuer\",\"name\":\"Cataloguing webinar\",\"description\":\"Attended the cataloguing webinar.\",\"criteria_narrative\":\"Attend the whole webinar.\",\"achievement_type\":\"CertificateOfCompletion\",\"credits_available\":1.5}" | field id)
  award=$(api POST "/api/v1/achievements/$achievement/awards" '{"email":"Reader@Example.org","name":"A. Reader"}' | field id)
  curl -fsS "$origin/credentials/$award.json" >"$work/$alg.json"
  curl -fsS "$origin/credentials/$award.jwt" >"$work/$alg.jwt"
  curl -fsS "$origin/issuers/$issuer/keys" >"$work/$alg-keys.json"
  list_url=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).credentialStatus.statusListCredential)' "$work/$alg.json")
  curl -fsS "$list_url" >"$work/$alg-status.json"
  echo "$award" >"$work/$alg.award"
  echo "$issuer" >"$work/$alg.issuer"
  echo "$achievement" >"$work/$alg.achievement"
  "$verify" --online --allow-local "$work/$alg.json" >/dev/null || { "$verify" --online --allow-local "$work/$alg.json"; exit 1; }
  "$verify" --online --allow-local "$work/$alg.jwt" >/dev/null || { "$verify" --online --allow-local "$work/$alg.jwt"; exit 1; }
  "$verify" --keys "$work/$alg-keys.json" --status-list "$work/$alg-status.json" "$work/$alg.json" >/dev/null
done

# A wallet's copy, received over the VC-API exchange by Digital Bazaar's own wallet stack
# (LCW's: vc.signPresentation with Ed25519Signature2020), checked by laurel-verify here and by
# Digital Bazaar's eddsa-rdfc-2022 suite below.
claim=$("$laurel" credential claim-link --data-dir "$data" "$(cat "$work/EdDSA.award")")
node tests/interop/wallet.mjs "$claim" contexts/ "$work/wallet.json"
node -e 'console.log(JSON.stringify(JSON.parse(require("fs").readFileSync(process.argv[1])).credential))' "$work/wallet.json" >"$work/wallet-copy.json"
"$verify" --online --allow-local "$work/wallet-copy.json" >/dev/null || { "$verify" --online --allow-local "$work/wallet-copy.json"; exit 1; }

# A CE transcript of the recipient's three badges (one per issuer, one with a CE category) as
# a signed CLR 2.0 ClrCredential: laurel-verify --online checks the CLR and every credential
# in it, and names the nested credential a tamperer changed; Digital Bazaar's suite checks
# the CLR's proof and each nested credential's own below.
api PUT "/api/v1/issuers/$(cat "$work/EdDSA.issuer")/categories" '{"categories":["Technology","Management"]}' >/dev/null
api PUT "/api/v1/achievements/$(cat "$work/EdDSA.achievement")/category" '{"category":"technology"}' >/dev/null
year=$(date -u +%Y)
api GET "/api/v1/recipients/reader%40example.org/transcript?from=$((year - 1))&until=$year" >"$work/transcript.json"
node -e '
const t = JSON.parse(require("fs").readFileSync(process.argv[1]));
const technology = t.totals.find((c) => c.category === "Technology");
if (t.credentials.length !== 3 || t.total_credits !== 4.5 || !technology || technology.credits !== 1.5) {
  console.error("unexpected transcript", JSON.stringify(t)); process.exit(1);
}' "$work/transcript.json"
api GET "/api/v1/recipients/reader%40example.org/transcript?from=$((year - 1))&until=$year&format=clr&issuer=$(cat "$work/EdDSA.issuer"),$(cat "$work/ES256.issuer"),$(cat "$work/RS256.issuer")" >"$work/clr.json"
"$verify" --online --allow-local --recipient reader@example.org "$work/clr.json" >"$work/clr.txt" || { cat "$work/clr.txt"; exit 1; }
grep -q "all 3 credentials in the CLR verify" "$work/clr.txt" || { cat "$work/clr.txt"; exit 1; }
node -e '
const fs = require("fs");
const clr = JSON.parse(fs.readFileSync(process.argv[1]));
clr.credentialSubject.verifiableCredential[1].credentialSubject.achievement.name += " (forged)";
fs.writeFileSync(process.argv[2], JSON.stringify(clr));' "$work/clr.json" "$work/clr-tampered.json"
if "$verify" --online --allow-local "$work/clr-tampered.json" >"$work/clr-tampered.txt"; then
  echo "laurel-verify accepted a CLR with a tampered credential"; cat "$work/clr-tampered.txt"; exit 1
fi
grep -q "credential 2 of 3" "$work/clr-tampered.txt" || { cat "$work/clr-tampered.txt"; exit 1; }

# Revoke the ES256 issuer's credential: both verifiers must see it in the list served now.
api POST "/api/v1/credentials/$(cat "$work/ES256.award")/revoke" '{"reason":"interop check"}' >/dev/null
curl -fsS "$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).credentialStatus.statusListCredential)' "$work/ES256.json")" >"$work/ES256-status-revoked.json"
if "$verify" --online --allow-local "$work/ES256.json" >"$work/revoked.txt"; then
  echo "laurel-verify --online accepted a revoked credential"; cat "$work/revoked.txt"; exit 1
fi
grep -q revoked "$work/revoked.txt" || { cat "$work/revoked.txt"; exit 1; }

# OpenID4VCI: a wallet played by tests/interop/oid4vci-wallet.mjs (jose) receives the EdDSA
# issuer's badge in both formats, from the offer a fresh claim page shows (each link is used
# once, so one link per format).
offer_for() { # AWARD -> the credential offer's URL, read off the claim page
  local link
  link=$("$laurel" credential claim-link --data-dir "$data" "$1")
  curl -fsS "$link" | python3 -c '
import html, re, sys, urllib.parse
page = sys.stdin.read()
href = html.unescape(re.search(r"id=\"oid4vci-offer\" href=\"([^\"]+)\"", page).group(1))
query = urllib.parse.urlparse(href).query
print(urllib.parse.parse_qs(query)["credential_offer_uri"][0])'
}
node tests/interop/oid4vci-wallet.mjs "$(offer_for "$(cat "$work/EdDSA.award")")" OpenBadgeCredential_ldp_vc EdDSA >"$work/oid4vci-ldp.json"
node tests/interop/oid4vci-wallet.mjs "$(offer_for "$(cat "$work/EdDSA.award")")" OpenBadgeCredential_jwt_vc_json ES256 >"$work/oid4vci-jwt.json"

# Endorsements: a state library hosted here endorses the EdDSA issuer's badge (Laurel signs with
# the library's keys); the endorsement served at its own URL and a credential issued afterwards,
# which embeds it, are verified below by Digital Bazaar's suite and here by laurel-verify, which
# reports the endorsement apart from the badge's verdict.
library=$(api POST /api/v1/issuers '{"name":"Nebraska Library Commission","url":"https://nlc.nebraska.gov"}' | field id)
endorsement_url=$(api POST "/api/v1/achievements/$achievement/endorsements" "{\"endorser_issuer_id\":\"$library\",\"comment\":\"Counts toward Nebraska CE renewal.\"}" | field url)
curl -fsS "$endorsement_url" >"$work/endorsement.json"
endorsed=$(api POST "/api/v1/achievements/$achievement/awards" '{"email":"endorsed@example.org","name":"E. Reader"}' | field id)
curl -fsS "$origin/credentials/$endorsed.json" >"$work/endorsed.json"
"$verify" --online --allow-local "$work/endorsement.json" >/dev/null || { "$verify" --online --allow-local "$work/endorsement.json"; exit 1; }
"$verify" --online --allow-local "$work/endorsed.json" >"$work/endorsed.txt" || { cat "$work/endorsed.txt"; exit 1; }
grep -q "endorsement of the achievement by Nebraska Library Commission: verified" "$work/endorsed.txt" || { cat "$work/endorsed.txt"; exit 1; }

node --input-type=module - "$work" "$origin" > "$work/manifest.json" <<'JS'
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
const [work, origin] = process.argv.slice(2);
const read = (name) => readFileSync(`${work}/${name}`, 'utf8').trim();
const fetchJson = async (url) => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
};
const cases = [];
for (const alg of ['ES256', 'RS256', 'EdDSA']) {
  const document = JSON.parse(read(`${alg}.json`));
  const keyDocument = await fetchJson(document.proof[0].verificationMethod);
  if (keyDocument.controller !== document.issuer.id) throw new Error(`${alg}: key controller is not the issuer`);
  const publicKey = { publicKeyMultibase: keyDocument.publicKeyMultibase };
  // The recipient's name is signed in as the Learner Credential Wallet reads it: the
  // identifier whose identityType is "name" (and, for older wallet releases, the first).
  const identifiers = [].concat(document.credentialSubject.identifier);
  if (identifiers[0]?.identityType !== 'name' || identifiers[0].identityHash !== 'A. Reader' || identifiers[0].hashed !== false) {
    throw new Error(`${alg}: the name identity is not first: ${JSON.stringify(identifiers)}`);
  }
  // Status is checked below, from the lists themselves.
  cases.push({ name: `served ${alg} eddsa-rdfc-2022`, format: 'eddsa-rdfc-2022', document, publicKey, expect: 'valid', statusCheck: 'skip' });
  const tampered = structuredClone(document);
  tampered.credentialSubject.achievement.name += ' (forged)';
  cases.push({ name: `served ${alg} eddsa-rdfc-2022 tampered`, format: 'eddsa-rdfc-2022', document: tampered, publicKey, expect: 'invalid', statusCheck: 'skip' });

  // The status list: its proof, its shape, and the credential's bit, read without Laurel.
  const lists = alg === 'ES256' ? [['before', false], ['revoked', true]] : [['before', false]];
  for (const [when, expected] of lists) {
    const list = JSON.parse(read(when === 'before' ? `${alg}-status.json` : `${alg}-status-revoked.json`));
    const listKey = await fetchJson(list.proof[0].verificationMethod);
    if (listKey.controller !== list.issuer) throw new Error(`${alg} ${when}: list key controller is not its issuer`);
    cases.push({ name: `served ${alg} status list (${when})`, format: 'eddsa-rdfc-2022', document: list, publicKey: { publicKeyMultibase: listKey.publicKeyMultibase }, expect: 'valid' });
    const subject = list.credentialSubject;
    if (!list.type.includes('BitstringStatusListCredential') || subject.type !== 'BitstringStatusList' || subject.statusPurpose !== 'revocation') {
      throw new Error(`${alg} ${when}: not a revocation BitstringStatusListCredential`);
    }
    if (!subject.encodedList.startsWith('u')) throw new Error(`${alg}: encodedList is not multibase base64url`);
    const bits = gunzipSync(Buffer.from(subject.encodedList.slice(1), 'base64url'));
    if (bits.length * 8 < 131072) throw new Error(`${alg}: the list has ${bits.length * 8} entries`);
    const index = Number(document.credentialStatus.statusListIndex);
    const set = (bits[Math.floor(index / 8)] & (0x80 >> (index % 8))) !== 0;
    if (set !== expected) throw new Error(`${alg} ${when}: bit ${index} is ${set}, expected ${expected}`);
    process.stderr.write(`ok   ${alg} status list (${when}): ${bits.length * 8} entries, bit ${index} ${set ? 'set' : 'clear'}\n`);
  }

  const jwt = read(`${alg}.jwt`);
  const header = JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url'));
  const jwk = await fetchJson(header.kid);
  cases.push({ name: `served ${alg} vc-jwt`, format: 'vc-jwt', document: jwt, publicKey: { jwk }, expect: 'valid', statusCheck: 'skip' });
  const [h, payload, signature] = jwt.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url'));
  claims.name = 'Forged';
  const forged = [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
  cases.push({ name: `served ${alg} vc-jwt tampered`, format: 'vc-jwt', document: forged, publicKey: { jwk }, expect: 'invalid', statusCheck: 'skip' });
}
// The CLR: its own proof by its issuer (the first asked for), tampered (a nested badge
// changed) refused, and each credential nested in it verified with its own issuer's key.
{
  const clr = JSON.parse(read('clr.json'));
  if (!clr.type.includes('ClrCredential') || clr.credentialSubject.type[0] !== 'ClrSubject') throw new Error('not a ClrCredential');
  if (clr['@context'][1] !== 'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json') throw new Error('CLR context not second');
  const keyDocument = await fetchJson(clr.proof[0].verificationMethod);
  if (keyDocument.controller !== clr.issuer.id) throw new Error('CLR: key controller is not the issuer');
  const publicKey = { publicKeyMultibase: keyDocument.publicKeyMultibase };
  cases.push({ name: 'transcript CLR 2.0 eddsa-rdfc-2022', format: 'eddsa-rdfc-2022', document: clr, publicKey, expect: 'valid' });
  cases.push({ name: 'transcript CLR 2.0 tampered nested credential', format: 'eddsa-rdfc-2022', document: JSON.parse(read('clr-tampered.json')), publicKey, expect: 'invalid' });
  const nested = clr.credentialSubject.verifiableCredential;
  if (nested.length !== 3) throw new Error(`CLR holds ${nested.length} credentials`);
  for (const [index, credential] of nested.entries()) {
    const key = await fetchJson(credential.proof[0].verificationMethod);
    if (key.controller !== credential.issuer.id) throw new Error(`CLR credential ${index + 1}: key controller is not its issuer`);
    cases.push({ name: `transcript CLR nested credential ${index + 1} (${credential.issuer.name})`, format: 'eddsa-rdfc-2022', document: credential, publicKey: { publicKeyMultibase: key.publicKeyMultibase }, expect: 'valid', statusCheck: 'skip' });
  }
}
const copy = JSON.parse(read('wallet.json')).credential;
const copyKey = await fetchJson(copy.proof[0].verificationMethod);
if (copyKey.controller !== copy.issuer.id) throw new Error('wallet copy: key controller is not the issuer');
cases.push({ name: 'wallet copy (VC-API exchange) eddsa-rdfc-2022', format: 'eddsa-rdfc-2022', document: copy, publicKey: { publicKeyMultibase: copyKey.publicKeyMultibase }, expect: 'valid', statusCheck: 'skip' });
// The OpenID4VCI wallet's copies: bound to its key, verified with the issuer's published key.
{
  const ldp = JSON.parse(read('oid4vci-ldp.json'));
  if (ldp.credential.credentialSubject.id !== ldp.holder) throw new Error('oid4vci ldp_vc: not bound to the wallet');
  const keyDocument = await fetchJson(ldp.credential.proof[0].verificationMethod);
  cases.push({ name: 'oid4vci ldp_vc copy eddsa-rdfc-2022', format: 'eddsa-rdfc-2022', document: ldp.credential, publicKey: { publicKeyMultibase: keyDocument.publicKeyMultibase }, expect: 'valid', statusCheck: 'skip' });
  const jwt = JSON.parse(read('oid4vci-jwt.json'));
  const claims = JSON.parse(Buffer.from(jwt.credential.split('.')[1], 'base64url'));
  if (claims.sub !== jwt.holder || claims.credentialSubject.id !== jwt.holder) throw new Error('oid4vci jwt_vc_json: not bound to the wallet');
  const header = JSON.parse(Buffer.from(jwt.credential.split('.')[0], 'base64url'));
  cases.push({ name: 'oid4vci jwt_vc_json copy', format: 'vc-jwt', document: jwt.credential, publicKey: { jwk: await fetchJson(header.kid) }, expect: 'valid', statusCheck: 'skip' });
}
// The endorsement as served, and the credential issued after it, which embeds it unchanged.
{
  const endorsement = JSON.parse(read('endorsement.json'));
  const key = await fetchJson(endorsement.proof[0].verificationMethod);
  if (key.controller !== endorsement.issuer.id) throw new Error('endorsement: key controller is not the endorser');
  const publicKey = { publicKeyMultibase: key.publicKeyMultibase };
  cases.push({ name: 'served endorsement eddsa-rdfc-2022', format: 'eddsa-rdfc-2022', document: endorsement, publicKey, expect: 'valid' });
  const forgedEndorsement = structuredClone(endorsement);
  forgedEndorsement.credentialSubject.endorsementComment = 'Counts double.';
  cases.push({ name: 'served endorsement tampered', format: 'eddsa-rdfc-2022', document: forgedEndorsement, publicKey, expect: 'invalid' });
  const endorsed = JSON.parse(read('endorsed.json'));
  const embedded = endorsed.credentialSubject.achievement.endorsement;
  if (JSON.stringify(embedded) !== JSON.stringify([endorsement])) throw new Error('the credential does not embed the endorsement as served');
  cases.push({ name: 'embedded endorsement eddsa-rdfc-2022', format: 'eddsa-rdfc-2022', document: embedded[0], publicKey, expect: 'valid' });
  const issuerKey = await fetchJson(endorsed.proof[0].verificationMethod);
  const badgeKey = { publicKeyMultibase: issuerKey.publicKeyMultibase };
  cases.push({ name: 'credential embedding an endorsement eddsa-rdfc-2022', format: 'eddsa-rdfc-2022', document: endorsed, publicKey: badgeKey, expect: 'valid', statusCheck: 'skip' });
  const forged = structuredClone(endorsed);
  forged.credentialSubject.achievement.endorsement[0].credentialSubject.endorsementComment = 'Counts double.';
  cases.push({ name: 'credential embedding an endorsement, endorsement tampered', format: 'eddsa-rdfc-2022', document: forged, publicKey: badgeKey, expect: 'invalid', statusCheck: 'skip' });
}
console.log(JSON.stringify(cases, null, 2));
JS

node tests/interop/verify.mjs --contexts contexts/ "$work/manifest.json"
