#!/usr/bin/env bash
# Signs credentials with `laurel sign` in every format and key type, then verifies them with
# independent implementations (Digital Bazaar's Data Integrity suites, `jose`). Tampered copies
# must fail there too. Run from anywhere; CI runs it from .ci/run.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --quiet --bin laurel
laurel="$root/target/debug/laurel"
npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error >/dev/null

credential=tests/data/credentials/unsigned-basic.json
issuer=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).issuer.id)' "$credential")

for type in ed25519 p256 rsa; do
  "$laurel" keys generate --type "$type" --out "$work/$type.pem" >/dev/null 2>&1
  "$laurel" keys public "$work/$type.pem" --format jwk > "$work/$type.jwk"
done
multikey=$("$laurel" keys public "$work/ed25519.pem" --format multikey)
vm="$issuer#$multikey"
for proof in eddsa-rdfc-2022 eddsa-jcs-2022; do
  "$laurel" sign --key "$work/ed25519.pem" --proof "$proof" --verification-method "$vm" "$credential" > "$work/$proof.json"
done
for type in ed25519 p256 rsa; do
  "$laurel" sign --key "$work/$type.pem" --proof vc-jwt "$credential" > "$work/jwt-$type.txt"
done

node --input-type=module - "$work" "$multikey" > "$work/manifest.json" <<'JS'
import { readFileSync } from 'node:fs';
const [work, multikey] = process.argv.slice(2);
const read = (name) => readFileSync(`${work}/${name}`, 'utf8').trim();
const cases = [];
for (const proof of ['eddsa-rdfc-2022', 'eddsa-jcs-2022']) {
  const document = JSON.parse(read(`${proof}.json`));
  const publicKey = { publicKeyMultibase: multikey };
  cases.push({ name: `laurel ${proof}`, format: proof, document, publicKey, expect: 'valid' });
  const tampered = structuredClone(document);
  tampered.credentialSubject.achievement.name += ' (forged)';
  cases.push({ name: `laurel ${proof} tampered`, format: proof, document: tampered, publicKey, expect: 'invalid' });
}
for (const type of ['ed25519', 'p256', 'rsa']) {
  const jwt = read(`jwt-${type}.txt`);
  const jwk = JSON.parse(read(`${type}.jwk`));
  cases.push({ name: `laurel vc-jwt ${type}`, format: 'vc-jwt', document: jwt, publicKey: { jwk }, expect: 'valid' });
  const [header, payload, signature] = jwt.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url'));
  claims.name = 'Forged';
  const forged = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
  cases.push({ name: `laurel vc-jwt ${type} tampered`, format: 'vc-jwt', document: forged, publicKey: { jwk }, expect: 'invalid' });
}
console.log(JSON.stringify(cases, null, 2));
JS

node tests/interop/verify.mjs --contexts contexts/ "$work/manifest.json"
