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
target_dir="${CARGO_TARGET_DIR:-$root/target}"
laurel="$target_dir/debug/laurel"
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
# A cohort role and credits by role (credentialSubject.role, creditsEarned above the
# achievement's creditsAvailable, as a presenter's double credit has it).
node -e 'const fs=require("fs");const c=JSON.parse(fs.readFileSync(process.argv[1]));c.credentialSubject.role="Presenter";c.credentialSubject.creditsEarned=3;c.credentialSubject.achievement.creditsAvailable=1.5;console.log(JSON.stringify(c));' "$credential" > "$work/unsigned-role.json"
"$laurel" sign --key "$work/ed25519.pem" --proof eddsa-rdfc-2022 --verification-method "$vm" "$work/unsigned-role.json" > "$work/role.json"

node --input-type=module - "$work" "$multikey" > "$work/manifest.json" <<'JS'
import { readFileSync, writeFileSync } from 'node:fs';
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
{
  const document = JSON.parse(read('role.json'));
  const publicKey = { publicKeyMultibase: multikey };
  cases.push({ name: 'laurel eddsa-rdfc-2022 with a role and credits by role', format: 'eddsa-rdfc-2022', document, publicKey, expect: 'valid' });
  const tampered = structuredClone(document);
  tampered.credentialSubject.role = 'Instructor';
  cases.push({ name: 'laurel eddsa-rdfc-2022 with a role tampered', format: 'eddsa-rdfc-2022', document: tampered, publicKey, expect: 'invalid' });
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
// Content added to a genuine credential that JSON-LD processing would drop, so an RDF
// signature would not cover it (JSON-LD safe mode). Laurel refuses each; jsonld.js in safe
// mode must too. Each is also written out for laurel-verify below.
const genuine = JSON.parse(read('eddsa-rdfc-2022.json'));
const dropped = {
  'evidence id with a quote': (c) => { c.evidence = [{ id: 'https://registrar.example.edu/transcript"', type: ['Evidence'], name: 'Official transcript: Summa cum laude' }]; },
  'evidence id with a space': (c) => { c.evidence = [{ id: 'https://registrar.example.edu/a b', type: ['Evidence'], name: 'Summa cum laude' }]; },
  'result with an invalid IRI': (c) => { c.credentialSubject.result = [{ id: 'https://x.example/r<x>', type: ['Result'], value: 'A+ with distinction' }]; },
  'relative evidence id': (c) => { c.evidence = [{ id: 'transcript', type: ['Evidence'], name: 'Summa cum laude' }]; },
  'inline context: term mapped to null': (c) => { c['@context'].push({ honors: null }); c.credentialSubject.honors = 'Summa cum laude'; },
  'inline context: term mapped to a blank node': (c) => { c['@context'].push({ honors: '_:h' }); c.credentialSubject.honors = 'Summa cum laude'; },
  'inline context: @vocab blank node': (c) => { c['@context'].push({ '@vocab': '_:' }); c.credentialSubject.honors = 'Summa cum laude'; },
  'property that is not an IRI': (c) => { c.credentialSubject['https://x.example/bad key'] = 'hidden'; },
  'undefined term': (c) => { c.credentialSubject.honors = 'Summa cum laude'; },
};
const attacks = {};
for (const [name, change] of Object.entries(dropped)) {
  const document = structuredClone(genuine);
  change(document);
  attacks[name] = document;
  cases.push({ name: `dropped content: ${name}`, format: 'eddsa-rdfc-2022', document, publicKey: { publicKeyMultibase: multikey }, expect: 'invalid' });
}
writeFileSync(`${work}/attacks.json`, JSON.stringify(attacks));
console.log(JSON.stringify(cases, null, 2));
JS

node tests/interop/verify.mjs --contexts contexts/ "$work/manifest.json"

# laurel-verify, with the signing key pinned, calls each dropped-content input invalid (exit 1).
cargo build --quiet -p laurel-verify --bin laurel-verify
echo "$multikey" > "$work/key.multikey"
mkdir -p "$work/attacks"
node -e 'const fs=require("fs");const a=JSON.parse(fs.readFileSync(process.argv[1]));let i=0;for(const [n,d] of Object.entries(a)){fs.writeFileSync(`${process.argv[2]}/${i++}.json`,JSON.stringify(d));}' "$work/attacks.json" "$work/attacks"
"$target_dir/debug/laurel-verify" --keys "$work/key.multikey" "$work/eddsa-rdfc-2022.json" >/dev/null
for attack in "$work"/attacks/*.json; do
  status=0
  "$target_dir/debug/laurel-verify" --keys "$work/key.multikey" "$attack" > "$work/out.txt" || status=$?
  if [ "$status" -ne 1 ]; then
    echo "FAIL laurel-verify did not call a dropped-content input invalid (exit $status):" >&2
    cat "$work/out.txt" >&2
    exit 1
  fi
done
echo "ok   laurel-verify refuses every dropped-content input ($(ls "$work"/attacks | wc -l) cases)"
