#!/usr/bin/env node
// Signs N copies of an Open Badges 3.0 credential with Digital Bazaar's
// eddsa-rdfc-2022 signer (a peer implementation: no Laurel code), for
// bench/verify.sh.
//
//   node tests/interop/sign-many.mjs --contexts contexts/ --count 300 \
//     --out DIR TEMPLATE.json
//
// Writes DIR/credentials/NNNN.json (each with its own id, recipient and
// salt), DIR/key.multikey (the public key, as `laurel-verify --keys` reads
// it) and DIR/manifest.json (the same credentials as cases for verify.mjs,
// each expected valid). One fresh Ed25519 key signs them all; its
// verificationMethod is <issuer id>#<publicKeyMultibase>, Laurel's shape.

import {createHash} from 'node:crypto';
import {mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {parseArgs} from 'node:util';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import jsigs from 'jsonld-signatures';

import {loadContexts} from './verify.mjs';

const {values, positionals} = parseArgs({
  options: {
    contexts: {type: 'string'},
    count: {type: 'string', default: '300'},
    out: {type: 'string'}
  },
  allowPositionals: true
});
if(!values.contexts || !values.out || positionals.length !== 1) {
  console.error('usage: node sign-many.mjs --contexts DIR [--count N] --out DIR TEMPLATE.json');
  process.exit(2);
}
const count = Number.parseInt(values.count, 10);
const contexts = await loadContexts(values.contexts);
const template = JSON.parse(await readFile(positionals[0], 'utf8'));
delete template.proof;
const issuer = typeof template.issuer === 'string' ? template.issuer : template.issuer.id;

const keyPair = await Ed25519Multikey.generate({controller: issuer});
keyPair.id = `${issuer}#${keyPair.publicKeyMultibase}`;
const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite: eddsaRdfc2022});
const documentLoader = async url => {
  const document = contexts.get(url);
  if(!document) {
    throw new Error(`sign-many: unknown URL ${url}`);
  }
  return {contextUrl: null, documentUrl: url, document: structuredClone(document)};
};

await mkdir(path.join(values.out, 'credentials'), {recursive: true});
const publicKey = {publicKeyMultibase: keyPair.publicKeyMultibase};
const cases = [];
for(let i = 0; i < count; i++) {
  const credential = structuredClone(template);
  const n = String(i).padStart(4, '0');
  credential.id = `urn:uuid:8c4f0e52-1d7a-4b0e-9a51-00000000${n}`;
  const subject = credential.credentialSubject;
  const salt = `s${n}`;
  const email = `learner${n}@example.org`;
  const hash = createHash('sha256').update(email + salt).digest('hex');
  subject.id = `did:example:learner${n}`;
  if(Array.isArray(subject.identifier) && subject.identifier[0]) {
    subject.identifier[0].salt = salt;
    subject.identifier[0].identityHash = `sha256$${hash}`;
  }
  const signed = await vc.issue({
    credential, suite, documentLoader,
    purpose: new jsigs.purposes.AssertionProofPurpose()
  });
  await writeFile(path.join(values.out, 'credentials', `${n}.json`), JSON.stringify(signed));
  cases.push({name: n, format: 'eddsa-rdfc-2022', document: signed, publicKey, expect: 'valid'});
}
await writeFile(path.join(values.out, 'key.multikey'), `${keyPair.publicKeyMultibase}\n`);
await writeFile(path.join(values.out, 'manifest.json'), JSON.stringify(cases));
