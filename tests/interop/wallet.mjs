#!/usr/bin/env node
// Plays the Learner Credential Wallet against a running Laurel with Digital Bazaar's own
// libraries, as LCW does (app/lib/composeVp.ts): open the claim page, read its lcw.app link,
// POST {} to the exchange, sign a DID Authentication presentation with
// `vc.signPresentation` and an Ed25519Signature2020 suite for a fresh did:key, POST it, and
// write the credential the exchange answers with.
//
//   node tests/interop/wallet.mjs CLAIM_URL CONTEXTS_DIR OUT.json
//
// OUT.json: {"holder": did, "credential": VC}. Exits non-zero on any deviation.
import { writeFile } from 'node:fs/promises';
import * as vc from '@digitalbazaar/vc';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { Ed25519VerificationKey2020 } from '@digitalbazaar/ed25519-verification-key-2020';
import { loadContexts } from './verify.mjs';

const [claimUrl, contextsDir, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: wallet.mjs CLAIM_URL CONTEXTS_DIR OUT.json');
  process.exit(2);
}
const contexts = await loadContexts(contextsDir);
const documentLoader = async (url) => {
  const document = contexts.get(url);
  if (document === undefined) throw new Error(`offline loader: unknown URL "${url}"`);
  return { contextUrl: null, documentUrl: url, document: structuredClone(document) };
};

const page = await fetch(claimUrl, { headers: { accept: 'text/html' } });
if (page.status !== 200) throw new Error(`claim page: ${page.status}`);
const html = await page.text();
const href = html.match(/href="(https:\/\/lcw\.app\/request\?request=[^"]+)"/);
if (!href) throw new Error('no lcw.app link on the claim page');
const link = new URL(href[1].replaceAll('&amp;', '&'));
const request = JSON.parse(link.searchParams.get('request'));
const exchange = request.protocols.vcapi;

const post = async (body) => {
  const response = await fetch(exchange, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const json = await response.json();
  if (response.status !== 200) throw new Error(`exchange: ${response.status} ${JSON.stringify(json)}`);
  return json;
};
const { verifiablePresentationRequest: vpr } = await post({});
const queries = Array.isArray(vpr.query) ? vpr.query : [vpr.query];
if (!queries.some((q) => q.type === 'DIDAuthentication')) throw new Error('no DIDAuthentication query');

const key = await Ed25519VerificationKey2020.generate();
const fingerprint = key.fingerprint();
key.controller = `did:key:${fingerprint}`;
key.id = `${key.controller}#${fingerprint}`;
const presentation = vc.createPresentation({ holder: key.controller });
const signed = await vc.signPresentation({
  presentation,
  suite: new Ed25519Signature2020({ key }),
  challenge: vpr.challenge,
  domain: vpr.domain,
  documentLoader,
});
const answer = await post({ verifiablePresentation: signed });
const credential = answer.verifiablePresentation.verifiableCredential[0];
if (credential.credentialSubject.id !== key.controller) throw new Error('the copy is not bound to the holder');
await writeFile(out, JSON.stringify({ holder: key.controller, credential }, null, 2));
console.error(`ok   wallet (Digital Bazaar vc + Ed25519Signature2020) received a copy for ${key.controller}`);

// A second wallet using the same link is refused.
const again = await fetch(exchange, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ verifiablePresentation: signed }),
});
if (again.status !== 409) throw new Error(`a replayed exchange answered ${again.status}`);
console.error('ok   wallet: the exchange refuses a replay (409)');
