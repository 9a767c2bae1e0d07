#!/usr/bin/env node
// Self-test of verify.mjs, runnable before Laurel signs anything.
//
//   node tests/interop/selftest.mjs [--contexts DIR] [--vectors DIR] [--write FILE]
//
// Builds a manifest from published vectors plus credentials signed here, runs
//   node verify.mjs --contexts <contexts> <manifest>
// as a child process (so the CLI, its output and its exit code are what is
// tested), and then checks that every expected-invalid case was rejected for
// the reason it was built for (a tampered credential must fail on its
// signature, not on, say, a missing context).
//
// Defaults: contexts = <repo>/contexts, vectors = <repo>/tests/vectors
// (the shared/ folder sits beside the repository). --write keeps the manifest.
//
// Sources:
// - W3C vc-di-eddsa vectors (eddsa-rdfc-2022, eddsa-jcs-2022). Their issuer
//   (https://vc.example/issuers/5678) is NOT the key's controller (a did:key),
//   so they verify only with "issuerCheck": "skip" (proof + assertionMethod
//   checks, without @digitalbazaar/vc's issuer == controller rule); a case
//   without the skip shows the rule is enforced.
// - 1EdTech's OB 3.0 Linked Data Proof vector: issuer-bound HTTPS key
//   (<issuer id>#z6Mk...), the shape Laurel uses; full checks.
// - Digital Credentials Consortium fixtures: did:key issuers, credentialStatus,
//   validity periods.
// - Credentials signed here with @digitalbazaar/* (Data Integrity) and jose
//   (VC-JWT, RS256/ES256/EdDSA, generated keys).

import {spawnSync} from 'node:child_process';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createSignCryptosuite as createEddsaJcs2022} from
  '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import jsigs from 'jsonld-signatures';
import * as jose from 'jose';

import {loadContexts} from './verify.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

const {values: opts} = parseArgs({
  options: {
    contexts: {type: 'string', default: path.join(repoRoot, 'contexts')},
    vectors: {type: 'string', default: path.resolve(repoRoot, 'tests/vectors')},
    write: {type: 'string'}
  }
});

const readJson = async (...parts) =>
  JSON.parse(await readFile(path.join(opts.vectors, ...parts), 'utf8'));
const clone = structuredClone;
// copy of `doc` changed by `edit`
const tampered = (doc, edit) => {
  const copy = clone(doc);
  edit(copy);
  return copy;
};

// Every case, plus (selftest only, not part of the manifest format) `why`:
// a substring the verifier's output line must contain for an invalid case.
const cases = [];
const add = (testCase, why) => cases.push({testCase, why});

// ------------------------------------------------------ W3C vc-di-eddsa

const w3cKey = {
  publicKeyMultibase:
    (await readJson('w3c-vc-di-eddsa', 'keyPair.json')).publicKeyMultibase
};
const otherKey = {
  publicKeyMultibase: (await Ed25519Multikey.generate()).publicKeyMultibase
};
const w3c = {
  'eddsa-rdfc-2022': await readJson('w3c-vc-di-eddsa', 'eddsa-rdfc-2022',
    'signedDataInt.json'),
  'eddsa-jcs-2022': await readJson('w3c-vc-di-eddsa', 'eddsa-jcs-2022',
    'signedJCS.json')
};
const SIG = 'Invalid signature';

for(const [format, document] of Object.entries(w3c)) {
  const base = {format, publicKey: w3cKey, issuerCheck: 'skip'};
  add({name: `w3c ${format}`, ...base, document, expect: 'valid'});
  add({
    name: `w3c ${format} tampered credentialSubject`, ...base, expect: 'invalid',
    document: tampered(document, d => {
      d.credentialSubject.alumniOf = 'The School of Counterexamples';
    })
  }, SIG);
  add({
    name: `w3c ${format} tampered issuer`, ...base, expect: 'invalid',
    document: tampered(document, d => {
      d.issuer = 'https://vc.example/issuers/9999';
    })
  }, SIG);
  add({
    name: `w3c ${format} tampered proof.created`, ...base, expect: 'invalid',
    document: tampered(document, d => {
      d.proof.created = '2023-02-24T23:36:39Z';
    })
  }, SIG);
  add({
    name: `w3c ${format} different key`, ...base, publicKey: otherKey,
    document, expect: 'invalid'
  }, SIG);
  add({
    name: `w3c ${format} without issuerCheck skip`, format, publicKey: w3cKey,
    document, expect: 'invalid'
  }, 'Credential issuer must match the verification method controller');
}
add({
  name: 'w3c eddsa-rdfc-2022 doc checked as eddsa-jcs-2022',
  format: 'eddsa-jcs-2022', publicKey: w3cKey, issuerCheck: 'skip',
  document: w3c['eddsa-rdfc-2022'], expect: 'invalid'
}, 'Did not verify any proofs');
add({
  name: 'w3c eddsa-rdfc-2022 key given as JWK', format: 'eddsa-rdfc-2022',
  publicKey: {
    jwk: await Ed25519Multikey.toJwk(
      {keyPair: await Ed25519Multikey.from(w3cKey)})
  },
  issuerCheck: 'skip', document: w3c['eddsa-rdfc-2022'], expect: 'valid'
});

// ------------------------------------------- 1EdTech OB 3.0 LDP vector

{
  const dir = ['1edtech-openbadges-specification', 'ob_v3p0', 'impl',
    'linked-data-proof-ob'];
  const document = await readJson(...dir, 'signed-credential.json');
  const publicKey = {
    publicKeyMultibase: (await readJson(...dir, 'keypair.json')).publicKeyMultibase
  };
  const base = {format: 'eddsa-rdfc-2022', publicKey};
  add({name: '1edtech ob3 ldp (issuer-bound https key)', ...base, document,
    expect: 'valid'});
  add({
    name: '1edtech ob3 ldp tampered achievement', ...base, expect: 'invalid',
    document: tampered(document, d => {
      d.credentialSubject.achievement.name = 'Solo Work';
    })
  }, SIG);
  add({
    name: '1edtech ob3 ldp different key', ...base, publicKey: otherKey,
    document, expect: 'invalid'
  }, SIG);
}

// ------------------------------------------------------ DCC fixtures

{
  const dir = ['dcc-vc-test-fixtures', 'verifiableCredentials', 'v2',
    'dataIntegrityProof', 'didKey'];
  // the did:key method-specific id is the publicKeyMultibase
  const didKeyOf = doc => ({
    publicKeyMultibase: doc.proof.verificationMethod.split('#')[1]
  });
  const basic = await readJson(...dir, 'legacyRegistry-noStatus-noExpiry-basicOBv3.json');
  add({name: 'dcc ob3 did:key issuer', format: 'eddsa-rdfc-2022',
    publicKey: didKeyOf(basic), document: basic, expect: 'valid'});

  const withStatus = await readJson(...dir, 'noRegsitry-revokedStatus-notExpired.json');
  add({name: 'dcc credentialStatus, status not checked',
    format: 'eddsa-rdfc-2022', publicKey: didKeyOf(withStatus),
    document: withStatus, expect: 'invalid'}, 'does not check status');
  add({name: 'dcc credentialStatus, statusCheck skip',
    format: 'eddsa-rdfc-2022', publicKey: didKeyOf(withStatus),
    document: withStatus, statusCheck: 'skip', expect: 'valid'});

  const future = await readJson(...dir, 'oidf-noStatus-notExpired-notYetValid.json');
  add({name: 'dcc validFrom 2099, default now', format: 'eddsa-rdfc-2022',
    publicKey: didKeyOf(future), document: future, expect: 'valid'});
  add({name: 'dcc validFrom 2099, now 2026', format: 'eddsa-rdfc-2022',
    publicKey: didKeyOf(future), document: future,
    now: '2026-01-01T00:00:00Z', expect: 'invalid'}, 'is before "validFrom"');
}

// ----------------------------------- Data Integrity signed here (harness)

// An OB 3.0 credential shaped like Laurel's: issuer-bound key
// <issuer id>#<publicKeyMultibase>, contexts VC 2.0 + OB 3.0.3.
const contexts = await loadContexts(opts.contexts);
const issuerUrl = 'https://example.org/issuers/1';
const obCredential = await readJson('1edtech-openbadges-specification',
  'ob_v3p0', 'impl', 'linked-data-proof-ob', 'credential.json');
obCredential.issuer.id = issuerUrl;
obCredential.validUntil = '2040-01-01T00:00:00Z';

// Signs with a fresh Ed25519 key whose verificationMethod is
// <issuerUrl>#<publicKeyMultibase>, or `vmId` if given.
async function signDataIntegrity({
  credential, cryptosuite, extraContexts = {}, vmId
}) {
  const keyPair = await Ed25519Multikey.generate(
    vmId ? {id: vmId, controller: issuerUrl} : {controller: issuerUrl});
  const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite});
  const documentLoader = async url => {
    const document = contexts.get(url) ?? extraContexts[url];
    if(!document) {
      throw new Error(`selftest signer: unknown URL ${url}`);
    }
    return {contextUrl: null, documentUrl: url, document: clone(document)};
  };
  // signing only stamps proofPurpose: "assertionMethod" into the proof
  const signed = await vc.issue({
    credential: clone(credential), suite, documentLoader,
    purpose: new jsigs.purposes.AssertionProofPurpose()
  });
  return {signed, publicKey: {publicKeyMultibase: keyPair.publicKeyMultibase}};
}

for(const [format, cryptosuite] of [
  ['eddsa-rdfc-2022', eddsaRdfc2022], ['eddsa-jcs-2022', createEddsaJcs2022()]
]) {
  const {signed, publicKey} = await signDataIntegrity(
    {credential: obCredential, cryptosuite});
  add({name: `harness ${format} issuer-bound OB 3.0`, format, publicKey,
    document: signed, expect: 'valid'});
  add({name: `harness ${format} after validUntil`, format, publicKey,
    document: signed, now: '2041-01-01T00:00:00Z', expect: 'invalid'},
  'is after "validUntil"');
  // a valid signature by a key of issuers/1 on a credential of issuers/2:
  // the issuer binding must fail
  const foreign = await signDataIntegrity({
    credential: tampered(obCredential, d => {
      d.issuer.id = 'https://example.org/issuers/2';
    }),
    cryptosuite
  });
  add({
    name: `harness ${format} key of another controller than the issuer`,
    format, publicKey: foreign.publicKey, document: foreign.signed,
    expect: 'invalid'
  }, 'Credential issuer must match the verification method controller');
}
{
  // a context that is not in the contexts folder: signed fine with a loader
  // that knows it, rejected by the verifier's offline loader
  const extraUrl = 'https://example.org/contexts/not-bundled/v1';
  const {signed, publicKey} = await signDataIntegrity({
    credential: tampered(obCredential, d => {
      d['@context'].push(extraUrl);
    }),
    cryptosuite: eddsaRdfc2022,
    extraContexts: {[extraUrl]: {'@context': {laurelNote: 'https://example.org/vocab#note'}}}
  });
  add({name: 'harness context not in contexts folder', format: 'eddsa-rdfc-2022',
    publicKey, document: signed, expect: 'invalid'},
  `offline loader: unknown URL "${extraUrl}"`);
}

{
  // a verificationMethod URL without a fragment belongs to the issuer unless
  // the case names another controller
  const {signed, publicKey} = await signDataIntegrity({
    credential: obCredential, cryptosuite: eddsaRdfc2022,
    vmId: 'https://example.org/keys/17'
  });
  add({name: 'harness verificationMethod without fragment',
    format: 'eddsa-rdfc-2022', publicKey, document: signed, expect: 'valid'});
  add({name: 'harness verificationMethod with another controller',
    format: 'eddsa-rdfc-2022', publicKey, document: signed,
    controller: 'https://example.org/issuers/2', expect: 'invalid'},
  'Credential issuer must match the verification method controller');
}
{
  // JSON-LD validity is required of every format, also where the proof
  // itself (JCS) never reads @context
  const {signed, publicKey} = await signDataIntegrity({
    credential: tampered(obCredential, d => {
      d.credentialSubject.laurelUndefinedTerm = 'x';
    }),
    cryptosuite: createEddsaJcs2022()
  });
  add({name: 'harness eddsa-jcs-2022 undefined term', format: 'eddsa-jcs-2022',
    publicKey, document: signed, expect: 'invalid'},
  'JSON-LD (safe mode): Safe mode validation error. (invalid property');
  const rdfc = cases.find(c =>
    c.testCase.name === 'harness eddsa-rdfc-2022 issuer-bound OB 3.0').testCase;
  add({...rdfc, name: 'harness eddsa-rdfc-2022 undefined term', expect: 'invalid',
    document: tampered(rdfc.document, d => {
      d.credentialSubject.laurelUndefinedTerm = 'x';
    })}, 'Safe mode validation error. (invalid property');
}

// ------------------------------------------------------------- VC-JWT

// OB 3.0 §8.2: the payload is the credential plus iss/jti/nbf/sub(/exp).
const numericDate = value => Math.floor(Date.parse(value) / 1000);
function jwtPayload(credential) {
  const payload = {
    ...credential,
    iss: credential.issuer.id,
    jti: credential.id,
    nbf: numericDate(credential.validFrom),
    sub: credential.credentialSubject.id
  };
  if(credential.validUntil) {
    payload.exp = numericDate(credential.validUntil);
  }
  return payload;
}
const b64 = value => Buffer.from(JSON.stringify(value)).toString('base64url');
async function signJwt(payload, header, privateKey) {
  return new jose.SignJWT(payload).setProtectedHeader(header).sign(privateKey);
}

const jwtCredential = tampered(obCredential, d => {
  delete d.validUntil;
});
const jwtKeys = {};
for(const alg of ['RS256', 'ES256', 'EdDSA']) {
  const {publicKey, privateKey} = await jose.generateKeyPair(alg,
    {extractable: true, ...(alg === 'EdDSA' ? {crv: 'Ed25519'} : {})});
  const jwk = await jose.exportJWK(publicKey);
  jwtKeys[alg] = {jwk, privateKey};
  // vary the header shape: kid only, jwk only, both
  const header = {
    RS256: {alg, typ: 'JWT', kid: `${issuerUrl}#key-rsa`},
    ES256: {alg, jwk},
    EdDSA: {alg, typ: 'JWT', kid: `${issuerUrl}#key-ed`, jwk}
  }[alg];
  const token = await signJwt(jwtPayload(jwtCredential), header, privateKey);
  const base = {format: 'vc-jwt', publicKey: {jwk}};
  add({name: `jwt ${alg}`, ...base, document: token, expect: 'valid'});

  const [h, , s] = token.split('.');
  const changed = tampered(jwtPayload(jwtCredential), p => {
    p.credentialSubject.achievement.name = 'Solo Work';
  });
  add({name: `jwt ${alg} tampered payload`, ...base, expect: 'invalid',
    document: `${h}.${b64(changed)}.${s}`}, 'signature verification failed');

  const other = await jose.generateKeyPair(alg,
    {extractable: true, ...(alg === 'EdDSA' ? {crv: 'Ed25519'} : {})});
  add({name: `jwt ${alg} wrong key`, format: 'vc-jwt', expect: 'invalid',
    publicKey: {jwk: await jose.exportJWK(other.publicKey)}, document: token},
  header.jwk ? 'is not the expected public key' : 'signature verification failed');
}
{
  const {jwk, privateKey} = jwtKeys.ES256;
  const base = {format: 'vc-jwt', publicKey: {jwk}};
  const payload = jwtPayload(jwtCredential);
  add({name: 'jwt alg none', ...base, expect: 'invalid',
    document: `${b64({alg: 'none', kid: `${issuerUrl}#key`})}.${b64(payload)}.`},
  '"alg" "none" is not one of');
  add({name: 'jwt jti does not match id', ...base, expect: 'invalid',
    document: await signJwt({...payload, jti: 'urn:uuid:00000000-0000-0000-0000-000000000000'},
      {alg: 'ES256', jwk}, privateKey)}, '"jti"');
  add({name: 'jwt missing nbf', ...base, expect: 'invalid',
    document: await signJwt(tampered(payload, p => {
      delete p.nbf;
    }), {alg: 'ES256', jwk}, privateKey)}, '"nbf"');
  add({name: 'jwt extra JOSE header member', ...base, expect: 'invalid',
    document: await signJwt(payload, {alg: 'ES256', jwk, cty: 'vc'}, privateKey)},
  'not allowed by OB 3.0: cty');
  add({name: 'jwt typ not JWT', ...base, expect: 'invalid',
    document: await signJwt(payload, {alg: 'ES256', jwk, typ: 'vc+jwt'}, privateKey)},
  '"typ" must be "JWT"');
  add({name: 'jwt header jwk with private key', ...base, expect: 'invalid',
    document: await signJwt(payload,
      {alg: 'ES256', jwk: await jose.exportJWK(privateKey)}, privateKey)},
  'private key members: d');
  add({name: 'jwt HS256', ...base, expect: 'invalid',
    document: await signJwt(payload, {alg: 'HS256', kid: `${issuerUrl}#key`},
      new Uint8Array(32))}, '"alg" "HS256" is not one of');

  add({name: 'jwt undefined term', ...base, expect: 'invalid',
    document: await signJwt({...payload, laurelUndefinedTerm: 'x'},
      {alg: 'ES256', jwk}, privateKey)}, 'JSON-LD (safe mode)');

  const withStatus = tampered(jwtPayload(jwtCredential), p => {
    p.credentialStatus = {
      id: 'https://example.org/status/1#7',
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: '7',
      statusListCredential: 'https://example.org/status/1'
    };
  });
  const statusToken = await signJwt(withStatus, {alg: 'ES256', jwk}, privateKey);
  add({name: 'jwt credentialStatus, status not checked', ...base,
    document: statusToken, expect: 'invalid'}, 'does not check status');
  add({name: 'jwt credentialStatus, statusCheck skip', ...base,
    document: statusToken, statusCheck: 'skip', expect: 'valid'});

  // validUntil <-> exp
  const expiring = tampered(jwtCredential, d => {
    d.validUntil = '2040-01-01T00:00:00Z';
  });
  const expToken = await signJwt(jwtPayload(expiring), {alg: 'ES256', jwk}, privateKey);
  add({name: 'jwt with validUntil/exp', ...base, document: expToken, expect: 'valid'});
  add({name: 'jwt with validUntil/exp, now after exp', ...base, document: expToken,
    now: '2041-01-01T00:00:00Z', expect: 'invalid'}, '"exp" claim timestamp check failed');
  add({name: 'jwt validUntil without exp', ...base, expect: 'invalid',
    document: await signJwt(tampered(jwtPayload(expiring), p => {
      delete p.exp;
    }), {alg: 'ES256', jwk}, privateKey)}, '"exp"');

  // VCDM 1.1 style: the credential in a `vc` claim
  const {iss, jti, nbf, sub} = payload;
  add({name: 'jwt credential in vc claim', ...base, expect: 'valid',
    document: await signJwt({iss, jti, nbf, sub, vc: jwtCredential},
      {alg: 'ES256', jwk}, privateKey)});
}
{
  // Ed25519 key given to the verifier as publicKeyMultibase
  const {jwk, privateKey} = jwtKeys.EdDSA;
  const {publicKeyMultibase} = await Ed25519Multikey.fromJwk({jwk});
  add({name: 'jwt EdDSA key given as publicKeyMultibase', format: 'vc-jwt',
    publicKey: {publicKeyMultibase}, expect: 'valid',
    document: await signJwt(jwtPayload(jwtCredential),
      {alg: 'EdDSA', kid: `${issuerUrl}#key-ed`}, privateKey)});
}

// ---------------------------------------------------------------- run it

const tmp = await mkdtemp(path.join(os.tmpdir(), 'laurel-interop-'));
// Runs the verifier CLI on `manifest` (any JSON value; undefined = no
// manifest argument): {status, lines}.
async function runVerify(manifest, file = path.join(tmp, 'manifest.json')) {
  const args = [path.join(here, 'verify.mjs'), '--contexts', opts.contexts];
  if(manifest !== undefined) {
    await writeFile(file, JSON.stringify(manifest, null, 2) + '\n');
    args.push(file);
  }
  const run = spawnSync(process.execPath, args, {encoding: 'utf8'});
  return {status: run.status, stdout: run.stdout, stderr: run.stderr,
    lines: run.stdout.trimEnd().split('\n')};
}

const problems = [];
const names = cases.map(c => c.testCase.name);
if(new Set(names).size !== names.length) {
  problems.push('case names are not unique');
}

// 1. The manifest: every case ran and matched (exit 0, "N passed, 0 failed")
//    and each invalid case failed for the reason it was built for.
const main = await runVerify(cases.map(c => c.testCase), opts.write);
process.stdout.write(main.stdout);
process.stderr.write(main.stderr);
if(main.status !== 0) {
  problems.push(`verify.mjs exited with ${main.status}, expected 0`);
}
if(main.lines.at(-1) !== `${cases.length} passed, 0 failed`) {
  problems.push(`last line is "${main.lines.at(-1)}", expected ` +
    `"${cases.length} passed, 0 failed"`);
}
for(const {testCase, why} of cases) {
  const line = main.lines.find(l => l.startsWith(`ok   ${testCase.name} (`));
  if(why && line && !line.includes(why)) {
    problems.push(`"${testCase.name}" was rejected, but not because of "${why}": ${line}`);
  }
}

// 2. The CLI contract: mismatches and malformed cases fail (exit 1), bad
//    usage and unreadable manifests exit 2.
{
  const valid = cases.find(c => c.testCase.name === 'jwt ES256').testCase;
  const w3cRdfc = cases.find(c => c.testCase.name === 'w3c eddsa-rdfc-2022').testCase;
  const contract = await runVerify([
    {...valid, name: 'mismatch', expect: 'invalid'},
    {...valid, name: 'typo in format', format: 'vc+jwt', expect: 'invalid'},
    {...w3cRdfc, name: 'malformed key', expect: 'invalid',
      publicKey: {publicKeyMultibase: 'zabc'}},
    {...valid, name: 'private jwk', expect: 'invalid',
      publicKey: {jwk: {...valid.publicKey.jwk, d: 'AAAA'}}}
  ]);
  const expected = [
    'FAIL mismatch: expected invalid, got valid',
    'FAIL typo in format: bad case: "format" must be one of',
    'FAIL malformed key: bad case: "publicKeyMultibase" "zabc" is not an Ed25519 Multikey',
    'FAIL private jwk: bad case: "publicKey.jwk" must be a public key; it has d',
    '0 passed, 4 failed'
  ];
  if(contract.status !== 1) {
    problems.push(`CLI contract: exit ${contract.status} for failing cases, expected 1`);
  }
  expected.forEach((start, i) => {
    if(!contract.lines[i]?.startsWith(start)) {
      problems.push(`CLI contract: line ${i + 1} is "${contract.lines[i]}", ` +
        `expected it to start with "${start}"`);
    }
  });
  for(const [what, manifest] of [
    ['no manifest argument', undefined], ['a manifest that is not an array', {}]
  ]) {
    const {status} = await runVerify(manifest);
    if(status !== 2) {
      problems.push(`CLI contract: exit ${status} for ${what}, expected 2`);
    }
  }
}
await rm(tmp, {recursive: true});

if(problems.length > 0) {
  console.log(`selftest: ${problems.length} problem(s):`);
  problems.forEach(p => console.log(`  ${p}`));
  process.exitCode = 1;
} else {
  console.log(`selftest: all ${cases.length} cases verified as expected, ` +
    'each rejection for the intended reason; CLI exit codes as specified');
}
