#!/usr/bin/env node
// Independent-implementation interoperability checker for Laurel.
//
// Verifies signed credentials with implementations that share no code with
// Laurel: Digital Bazaar's Data Integrity stack for embedded proofs
// (eddsa-rdfc-2022, eddsa-jcs-2022) and `jose` for VC-JWT. A credential that
// only Laurel's own verifier accepts is a bug; this tool is how we find out.
//
//   node tests/interop/verify.mjs --contexts contexts/ MANIFEST.json
//
// MANIFEST.json is an array of cases:
//   {
//     "name":      "unique label",
//     "format":    "eddsa-rdfc-2022" | "eddsa-jcs-2022" | "vc-jwt",
//     "document":  <signed credential object> | "<compact JWS>" (vc-jwt),
//     "publicKey": { "publicKeyMultibase": "z6Mk..." } | { "jwk": {...} },
//     "expect":    "valid" | "invalid",
//     // optional:
//     "now":         "2030-01-01T00:00:00Z",
//     "statusCheck": "skip",
//     "issuerCheck": "skip",
//     "controller":  "<url>"
//   }
//
// - now: the verification time. Default: the credential's validFrom (VCDM
//   1.1: issuanceDate), else its validUntil (expirationDate), else the
//   current time -- so validity dates only decide a case that sets "now".
// - statusCheck: no status list is ever fetched, so a credential with
//   credentialStatus is INVALID unless the case says "skip" (then it is
//   accepted and the line notes the status went unchecked).
// - issuerCheck (Data Integrity only): by default the key's controller must
//   be the credential's issuer (@digitalbazaar/vc's CredentialIssuancePurpose);
//   "skip" keeps only the assertionMethod check. For test vectors whose
//   issuer is not the key's controller (the W3C ones).
// - controller (Data Integrity only): controller of the verification method;
//   default: its URL before '#', or the issuer id if it has no fragment.
// - publicKey: used for every verificationMethod in the document, never a key
//   derived from its URL (a did:key too), so a wrong key gives "invalid".
//   Data Integrity needs Ed25519: a JWK must be OKP/Ed25519. For VC-JWT a
//   publicKeyMultibase is turned into an Ed25519 JWK.
//
// Output: one line per case --
//   ok   <name> (valid)                     [notes, if any]
//   ok   <name> (invalid: <reason>)
//   FAIL <name>: expected valid, got invalid: <reason>
//   FAIL <name>: expected invalid, got valid
//   FAIL <name>: bad case: <what is wrong with the case>
// -- then "N passed, M failed". Exit code 0 iff every case matched its
// expectation, 1 otherwise, 2 on bad usage or an unreadable manifest /
// contexts folder.
//
// Besides the proof, every credential must be valid JSON-LD: RDFC-1.0
// canonicalization in jsonld's safe mode (no undefined terms, no relative
// IRIs, only bundled contexts). eddsa-rdfc-2022 does this as part of the
// proof check; for eddsa-jcs-2022 and VC-JWT it is an extra step, because
// other verifiers (e.g. 1EdTech's validator) do it for every proof type.
//
// Nothing is fetched, ever: the JSON-LD document loader serves only the
// contexts listed in <contexts>/README.md (read from that folder) plus the
// verification method and controller documents synthesised for the case from
// its `publicKey`. Any other URL is an error, which makes the case invalid.
// (jsonld-signatures answers https://w3id.org/security/v1 and /v2 from its
// own bundled copies before asking our loader; they are identical to ours.)

import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as base58btc from 'base58-universal';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createVerifyCryptosuite as createEddsaJcs2022} from
  '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import jsigs from 'jsonld-signatures';
import jsonld from 'jsonld';
import * as jose from 'jose';

const {purposes: {AssertionProofPurpose}} = jsigs;

export const DI_FORMATS = ['eddsa-rdfc-2022', 'eddsa-jcs-2022'];
export const FORMATS = [...DI_FORMATS, 'vc-jwt'];
// OB 3.0 §8.2 requires RS256; ES256 and EdDSA are what else we sign with.
export const JWT_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];
// OB 3.0 §8.2: "Additional JOSE Headers are NOT allowed."
const JOSE_HEADER_MEMBERS = new Set(['alg', 'kid', 'jwk', 'typ']);
// JWK members that only a private key has (RFC 7518 §6).
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const DID_CONTEXT = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';

// Belt and braces: jsonld's built-in loader would go to the network if some
// code path forgot to pass our loader. Make that an error too.
jsonld.documentLoader = async url => {
  throw new Error(`offline: refusing to fetch "${url}" (no loader passed)`);
};

// ---------------------------------------------------------------- contexts

// Reads the URL -> file table of <dir>/README.md (rows like
// "| `https://...` | `file.jsonld` | source |") and parses every file.
export async function loadContexts(dir) {
  const readme = await readFile(path.join(dir, 'README.md'), 'utf8');
  const contexts = new Map();
  for(const line of readme.split('\n')) {
    // first cell: a backquoted URL, possibly followed by a remark such as
    // "(3.0.0)"; second cell: the backquoted file name
    const m = line.match(/^\|\s*`(https?:\/\/[^`]+)`[^|]*\|\s*`([^`]+)`\s*\|/);
    if(!m) {
      continue;
    }
    const [, url, file] = m;
    const text = await readFile(path.join(dir, file), 'utf8');
    contexts.set(url, JSON.parse(text));
  }
  if(contexts.size === 0) {
    throw new Error(`no "| \`URL\` | \`file\` |" rows in ${dir}/README.md`);
  }
  return contexts;
}

// A JSON-LD document loader that knows only `contexts` and `resources`
// (both Map<url, object>). Each call returns a fresh copy, so nothing a
// library does to a loaded document can leak into the next case.
function offlineLoader({contexts, resources = new Map()}) {
  return async url => {
    const document = contexts.get(url) ?? resources.get(url);
    if(document === undefined) {
      throw new Error(`offline loader: unknown URL "${url}"`);
    }
    return {contextUrl: null, documentUrl: url, document: structuredClone(document)};
  };
}

// ------------------------------------------------------------------- keys

// Ed25519 public key multicodec header (0xed01, varint-encoded).
const ED25519_PUB_HEADER = [0xed, 0x01];

// Checks that `value` is a Multikey Ed25519 public key: 'z' (base58btc) +
// 0xed01 + 32 bytes. @digitalbazaar/ed25519-multikey itself only drops the
// first two bytes, so without this a mis-encoded key published by Laurel
// would go unnoticed here and be rejected by stricter verifiers.
function assertEd25519Multikey(value) {
  let bytes;
  try {
    bytes = value.startsWith('z') ? base58btc.decode(value.slice(1)) : null;
  } catch {
    bytes = null;
  }
  if(!bytes || bytes.length !== 34 || bytes[0] !== ED25519_PUB_HEADER[0] ||
    bytes[1] !== ED25519_PUB_HEADER[1]) {
    throw new Error(`"publicKeyMultibase" ${JSON.stringify(value)} is not ` +
      'an Ed25519 Multikey (z + base58btc of 0xed01 + 32 bytes)');
  }
}

// The manifest's key as an Ed25519 publicKeyMultibase (for Data Integrity).
async function toPublicKeyMultibase(publicKey) {
  if(typeof publicKey.publicKeyMultibase === 'string') {
    assertEd25519Multikey(publicKey.publicKeyMultibase);
    return publicKey.publicKeyMultibase;
  }
  if(publicKey.jwk) {
    assertPublicJwk(publicKey.jwk);
    // checks kty OKP, crv Ed25519 and the key length
    const key = await Ed25519Multikey.fromJwk({jwk: publicKey.jwk});
    return key.publicKeyMultibase;
  }
  throw new Error('"publicKey" needs "publicKeyMultibase" or "jwk"');
}

function assertPublicJwk(jwk) {
  if(!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) {
    throw new Error('"publicKey.jwk" must be an object');
  }
  const secret = PRIVATE_JWK_MEMBERS.filter(m => m in jwk);
  if(secret.length > 0) {
    throw new Error(`"publicKey.jwk" must be a public key; it has ${secret.join(', ')}`);
  }
}

// The manifest's key as a public JWK (for VC-JWT).
async function toPublicJwk(publicKey) {
  if(publicKey.jwk !== undefined) {
    assertPublicJwk(publicKey.jwk);
    return publicKey.jwk;
  }
  if(typeof publicKey.publicKeyMultibase === 'string') {
    assertEd25519Multikey(publicKey.publicKeyMultibase);
    const keyPair = await Ed25519Multikey.from(
      {publicKeyMultibase: publicKey.publicKeyMultibase});
    return Ed25519Multikey.toJwk({keyPair});
  }
  throw new Error('"publicKey" needs "jwk" or "publicKeyMultibase"');
}

// ---------------------------------------------------------------- helpers

function issuerId(credential) {
  const {issuer} = credential;
  return typeof issuer === 'string' ? issuer : issuer?.id;
}

// The verification time. Unless the case sets "now", pick an instant inside
// the credential's validity period so that validFrom/validUntil (or VCDM 1.1
// issuanceDate/expirationDate) never decide a case by accident: validFrom if
// present, else validUntil, else the current time. A credential whose
// validUntil precedes its validFrom still fails, as it should.
function verificationTime(testCase, credential) {
  if(testCase.now !== undefined) {
    return new Date(testCase.now);
  }
  const candidates = [
    credential?.validFrom ?? credential?.issuanceDate,
    credential?.validUntil ?? credential?.expirationDate
  ];
  for(const value of candidates) {
    const date = new Date(value);
    if(typeof value === 'string' && !isNaN(date)) {
      return date;
    }
  }
  return new Date();
}

// One line of text for an error, with jsonld's safe-mode details (which say
// *which* term or value was dropped) when there are any.
function errorText(error) {
  if(!error) {
    return '';
  }
  const {details} = error;
  if(details?.cause && details.code) {
    // jsonld wraps a failed load in a long generic message; keep the cause
    const where = details.url ? ` ${JSON.stringify(details.url)}` : '';
    return `${details.code}${where}: ${errorText(details.cause)}`;
  }
  let text = error.message ?? String(error);
  const event = details?.event;
  if(event) {
    const extra = event.details ? ` ${JSON.stringify(event.details)}` : '';
    text += ` (${event.code ?? event.message}${extra})`;
  }
  return text.replace(/\s+/g, ' ');
}

// Collects every distinct error message of a @digitalbazaar/vc result.
function describeFailure(result) {
  const messages = [];
  const add = error => {
    if(Array.isArray(error)) {
      error.forEach(add);
    } else if(Array.isArray(error?.errors) && error.errors.length > 0) {
      // jsonld-signatures' VerificationError only wraps the real errors
      add(error.errors);
    } else if(error) {
      const text = errorText(error);
      if(!messages.includes(text)) {
        messages.push(text);
      }
    }
  };
  add(result.error);
  for(const r of result.results ?? []) {
    add(r.error);
    add(r.purposeResult?.error);
  }
  add(result.statusResult?.error);
  return messages.join('; ') || 'not verified (no error given)';
}

// JSON-LD validity of a credential: RDFC-1.0 canonicalization in jsonld's
// safe mode, exactly as an eddsa-rdfc-2022 verifier (or 1EdTech's validator,
// which validates JSON-LD for every proof type) processes it. eddsa-jcs-2022
// and VC-JWT verification never look at @context, so without this a JCS or
// JWT credential with an unbundled context or an undefined term would pass
// here and fail elsewhere.
async function checkJsonLd(credential, documentLoader) {
  const {proof, ...unsecured} = credential;
  try {
    await eddsaRdfc2022.canonize(unsecured, {documentLoader});
  } catch(e) {
    throw new Error(`JSON-LD (safe mode): ${errorText(e)}`);
  }
}

function checkCase(testCase) {
  if(!testCase || typeof testCase !== 'object' || Array.isArray(testCase)) {
    throw new Error('a case must be an object');
  }
  const {name, format, document, publicKey, expect} = testCase;
  if(typeof name !== 'string' || !name) {
    throw new Error('"name" must be a non-empty string');
  }
  if(!FORMATS.includes(format)) {
    throw new Error(`"format" must be one of ${FORMATS.join(', ')}`);
  }
  if(format === 'vc-jwt' ? typeof document !== 'string' :
    (!document || typeof document !== 'object' || Array.isArray(document))) {
    throw new Error(format === 'vc-jwt' ?
      '"document" must be a compact JWS string' :
      '"document" must be a credential object');
  }
  if(!publicKey || typeof publicKey !== 'object') {
    throw new Error('"publicKey" must be an object');
  }
  if(expect !== 'valid' && expect !== 'invalid') {
    throw new Error('"expect" must be "valid" or "invalid"');
  }
  if(testCase.now !== undefined &&
    (typeof testCase.now !== 'string' || isNaN(new Date(testCase.now)))) {
    throw new Error('"now" must be a date-time string');
  }
  for(const option of ['statusCheck', 'issuerCheck']) {
    if(testCase[option] !== undefined && testCase[option] !== 'skip') {
      throw new Error(`"${option}" can only be "skip"`);
    }
  }
  if(testCase.controller !== undefined && typeof testCase.controller !== 'string') {
    throw new Error('"controller" must be a URL string');
  }
  if(format === 'vc-jwt') {
    for(const option of ['issuerCheck', 'controller']) {
      if(testCase[option] !== undefined) {
        throw new Error(`"${option}" applies to Data Integrity formats only`);
      }
    }
  }
}

// No status list is ever fetched: see "statusCheck" at the top.
const STATUS_NOT_CHECKED = 'credentialStatus is present but this tool does ' +
  'not check status; set "statusCheck": "skip" to accept it unchecked';
const STATUS_SKIPPED = 'credentialStatus not checked (statusCheck: skip)';

// ------------------------------------------------------- Data Integrity

// Documents the loader serves for the case's keys: for each proof's
// verificationMethod URL a Multikey holding the MANIFEST's key (never one
// derived from the URL, so a wrong key makes the case invalid), and for its
// controller a controller document listing that method in assertionMethod,
// which is what jsonld-signatures' AssertionProofPurpose looks up.
function keyDocuments({credential, publicKeyMultibase, controller}) {
  const methods = new Map();
  const controllers = new Map();
  for(const proof of jsonld.getValues(credential, 'proof')) {
    const vmId = typeof proof?.verificationMethod === 'object' ?
      proof.verificationMethod?.id : proof?.verificationMethod;
    if(typeof vmId !== 'string' || methods.has(vmId)) {
      continue;
    }
    // the controller is the URL before '#'; a method URL without a fragment
    // is taken to belong to the issuer (override with "controller")
    const hash = vmId.indexOf('#');
    const controllerId = controller ??
      (hash > 0 ? vmId.slice(0, hash) : issuerId(credential));
    const method = {
      id: vmId,
      type: 'Multikey',
      controller: controllerId,
      publicKeyMultibase
    };
    methods.set(vmId, {'@context': MULTIKEY_CONTEXT, ...method});

    // With the DID v1 context first, ControllerProofPurpose reads
    // assertionMethod as plain JSON instead of JSON-LD framing the document;
    // that is fine for an HTTPS controller as much as for a DID.
    if(!controllers.has(controllerId)) {
      controllers.set(controllerId, {
        '@context': [DID_CONTEXT, MULTIKEY_CONTEXT],
        id: controllerId,
        verificationMethod: [],
        assertionMethod: []
      });
    }
    const doc = controllers.get(controllerId);
    doc.verificationMethod.push(method);
    doc.assertionMethod.push(vmId);
  }
  for(const id of controllers.keys()) {
    if(methods.has(id)) {
      throw new Error(`"${id}" would be both a verification method and its ` +
        'controller; set "controller"');
    }
  }
  return new Map([...methods, ...controllers]);
}

async function verifyDataIntegrity(testCase, contexts) {
  const notes = [];
  const credential = structuredClone(testCase.document);
  const publicKeyMultibase = await toPublicKeyMultibase(testCase.publicKey);
  const resources = keyDocuments(
    {credential, publicKeyMultibase, controller: testCase.controller});
  const documentLoader = offlineLoader({contexts, resources});

  const cryptosuite = testCase.format === 'eddsa-rdfc-2022' ?
    eddsaRdfc2022 : createEddsaJcs2022();
  // only proofs of the case's cryptosuite are considered; any other proof in
  // the document is ignored by jsonld-signatures (it matches no suite)
  const suite = new DataIntegrityProof({cryptosuite});

  const options = {
    credential,
    suite,
    documentLoader,
    now: verificationTime(testCase, credential),
    // @digitalbazaar/vc refuses a credential with credentialStatus unless a
    // checkStatus function is given. We check no status lists: a status is
    // accepted only when the case explicitly says so.
    checkStatus: async () => testCase.statusCheck === 'skip' ?
      {verified: true} :
      {verified: false, error: new Error(STATUS_NOT_CHECKED)}
  };
  if(testCase.issuerCheck === 'skip') {
    // Plain assertionMethod check: the key must be authorised by its
    // controller, but the controller need not be the credential's issuer
    // (vc's default CredentialIssuancePurpose requires that).
    options.purpose = new AssertionProofPurpose();
    notes.push('issuer not bound to key (issuerCheck: skip)');
  }
  const result = await vc.verifyCredential(options);
  if(!result.verified) {
    return {valid: false, error: describeFailure(result)};
  }
  if(testCase.format === 'eddsa-jcs-2022') {
    // (for eddsa-rdfc-2022 the proof check above already did this)
    try {
      await checkJsonLd(credential, documentLoader);
    } catch(e) {
      return {valid: false, error: e.message};
    }
  }
  if(credential.credentialStatus) {
    notes.push(STATUS_SKIPPED);
  }
  return {valid: true, notes};
}

// ---------------------------------------------------------------- VC-JWT

// OB 3.0 §8.2 JOSE header rules, checked before any cryptography.
async function checkJoseHeader(header, publicJwk) {
  const extra = Object.keys(header).filter(k => !JOSE_HEADER_MEMBERS.has(k));
  if(extra.length > 0) {
    throw new Error(`JOSE header has members not allowed by OB 3.0: ${extra.join(', ')}`);
  }
  if(!JWT_ALGORITHMS.includes(header.alg)) {
    throw new Error(`JOSE header "alg" ${JSON.stringify(header.alg)} is not one of ${JWT_ALGORITHMS.join(', ')}`);
  }
  if(header.typ !== undefined && header.typ !== 'JWT') {
    throw new Error(`JOSE header "typ" must be "JWT" when present, not ${JSON.stringify(header.typ)}`);
  }
  if(header.kid === undefined && header.jwk === undefined) {
    throw new Error('JOSE header needs "kid" or "jwk"');
  }
  if(header.kid !== undefined && typeof header.kid !== 'string') {
    throw new Error('JOSE header "kid" must be a string (URI)');
  }
  if(header.jwk !== undefined) {
    const {jwk} = header;
    if(!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) {
      throw new Error('JOSE header "jwk" must be an object');
    }
    const secret = PRIVATE_JWK_MEMBERS.filter(m => m in jwk);
    if(secret.length > 0) {
      throw new Error(`JOSE header "jwk" contains private key members: ${secret.join(', ')}`);
    }
    // RFC 7638 thumbprints cover exactly the required public members
    // (kty + n/e, crv/x/y, crv/x), so equal thumbprints = same public key
    let same;
    try {
      same = await jose.calculateJwkThumbprint(jwk) ===
        await jose.calculateJwkThumbprint(publicJwk);
    } catch(e) {
      throw new Error(`JOSE header "jwk" is not a valid public JWK: ${e.message}`);
    }
    if(!same) {
      throw new Error('JOSE header "jwk" is not the expected public key');
    }
  }
}

// OB 3.0 §8.2 claims vs. the credential they carry.
function checkJwtClaims(payload, credential) {
  const problems = [];
  const numericDate = value => {
    const ms = Date.parse(value);
    return isNaN(ms) ? undefined : ms / 1000;
  };
  // NumericDate may be non-integral; accept the exact value or whole seconds
  const sameTime = (claim, value) => {
    const seconds = numericDate(value);
    return typeof claim === 'number' && seconds !== undefined &&
      (claim === seconds || claim === Math.floor(seconds));
  };

  const iss = issuerId(credential);
  if(payload.iss === undefined || payload.iss !== iss) {
    problems.push(`"iss" ${JSON.stringify(payload.iss)} != issuer id ${JSON.stringify(iss)}`);
  }
  if(payload.jti === undefined || payload.jti !== credential.id) {
    problems.push(`"jti" ${JSON.stringify(payload.jti)} != id ${JSON.stringify(credential.id)}`);
  }
  // VCDM 2.0 validFrom; a VCDM 1.1 credential (`vc` claim) has issuanceDate
  const from = credential.validFrom ?? credential.issuanceDate;
  if(!sameTime(payload.nbf, from)) {
    problems.push(`"nbf" ${JSON.stringify(payload.nbf)} != validFrom ${JSON.stringify(from)} as NumericDate`);
  }
  const subjects = jsonld.getValues(credential, 'credentialSubject');
  const subjectId = subjects.length === 1 ? subjects[0]?.id : undefined;
  if(subjectId !== undefined ? payload.sub !== subjectId :
    payload.sub !== undefined) {
    problems.push(`"sub" ${JSON.stringify(payload.sub)} != credentialSubject.id ${JSON.stringify(subjectId)}`);
  }
  const until = credential.validUntil ?? credential.expirationDate;
  if(until !== undefined ? !sameTime(payload.exp, until) :
    payload.exp !== undefined) {
    problems.push(`"exp" ${JSON.stringify(payload.exp)} != validUntil ${JSON.stringify(until)} as NumericDate`);
  }
  if(problems.length > 0) {
    throw new Error(`JWT claims do not match the credential: ${problems.join('; ')}`);
  }
}

// JWT registered claims (RFC 7519 §4.1): JWT-level, not credential claims.
const JWT_REGISTERED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'];

async function verifyVcJwt(testCase, contexts) {
  const notes = [];
  const token = testCase.document.trim();
  const publicJwk = await toPublicJwk(testCase.publicKey);
  try {
    let header;
    try {
      header = jose.decodeProtectedHeader(token);
    } catch(e) {
      throw new Error(`not a compact JWS: ${e.message}`);
    }
    await checkJoseHeader(header, publicJwk);
    const key = await jose.importJWK(publicJwk, header.alg);

    // the time is taken from the (not yet verified) payload's credential;
    // the signature check below covers it
    let unverified;
    try {
      unverified = jose.decodeJwt(token);
    } catch(e) {
      throw new Error(`JWT payload is not a JSON claims set: ${e.message}`);
    }
    const now = verificationTime(testCase, credentialOf(unverified));

    const {payload} = await jose.jwtVerify(token, key, {
      algorithms: JWT_ALGORITHMS,
      currentDate: now
    });
    const credential = credentialOf(payload);
    checkJwtClaims(payload, credential);
    // the same structural VC checks @digitalbazaar/vc applies to embedded
    // proofs (contexts first, type, issuer/subject ids, validity period)
    vc._checkCredential({credential, now});
    const claims = {...credential};
    if(credential === payload) {
      JWT_REGISTERED_CLAIMS.forEach(claim => delete claims[claim]);
    }
    await checkJsonLd(claims, offlineLoader({contexts}));
    if(credential.credentialStatus) {
      if(testCase.statusCheck !== 'skip') {
        throw new Error(STATUS_NOT_CHECKED);
      }
      notes.push(STATUS_SKIPPED);
    }
  } catch(e) {
    return {valid: false, error: errorText(e)};
  }
  return {valid: true, notes};
}

// OB 3.0 (VCDM 2.0) puts the credential's members at the top level of the
// payload; VCDM 1.1-style tokens wrap it in a `vc` claim.
function credentialOf(payload) {
  return payload.vc && typeof payload.vc === 'object' ? payload.vc : payload;
}

// ------------------------------------------------------------------ runner

// Verifies one case: {valid: boolean, error?: string, notes?: string[]}.
export async function verifyCase(testCase, {contexts}) {
  checkCase(testCase);
  if(testCase.format === 'vc-jwt') {
    return verifyVcJwt(testCase, contexts);
  }
  return verifyDataIntegrity(testCase, contexts);
}

// Runs every case, printing one line each and the summary line; returns the
// number of failed cases.
export async function runManifest(cases, {contexts, print = console.log}) {
  let passed = 0;
  let failed = 0;
  for(const [index, testCase] of cases.entries()) {
    const name = typeof testCase?.name === 'string' && testCase.name ?
      testCase.name : `#${index}`;
    let outcome;
    try {
      outcome = await verifyCase(testCase, {contexts});
    } catch(e) {
      // a malformed case never passes, whatever it expected
      failed++;
      print(`FAIL ${name}: bad case: ${errorText(e)}`);
      continue;
    }
    const got = outcome.valid ? 'valid' : 'invalid';
    if(got === testCase.expect) {
      passed++;
      const detail = outcome.valid ? '' : `: ${outcome.error}`;
      const notes = outcome.notes?.length ? ` [${outcome.notes.join('; ')}]` : '';
      print(`ok   ${name} (${got}${detail})${notes}`);
    } else {
      failed++;
      const detail = outcome.valid ? '' : `: ${outcome.error}`;
      print(`FAIL ${name}: expected ${testCase.expect}, got ${got}${detail}`);
    }
  }
  print(`${passed} passed, ${failed} failed`);
  return failed;
}

const USAGE = 'usage: node verify.mjs --contexts <contexts-dir> <MANIFEST.json>';

async function main(argv) {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {contexts: {type: 'string'}, help: {type: 'boolean', short: 'h'}},
      allowPositionals: true
    });
  } catch(e) {
    console.error(`${e.message}\n${USAGE}`);
    return 2;
  }
  if(args.values.help) {
    console.log(USAGE);
    return 0;
  }
  if(!args.values.contexts || args.positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  let contexts;
  let cases;
  try {
    contexts = await loadContexts(args.values.contexts);
  } catch(e) {
    console.error(`cannot load contexts from ${args.values.contexts}: ${e.message}`);
    return 2;
  }
  const manifestPath = args.positionals[0];
  try {
    cases = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch(e) {
    console.error(`cannot read manifest ${manifestPath}: ${e.message}`);
    return 2;
  }
  if(!Array.isArray(cases)) {
    console.error(`manifest ${manifestPath} must be a JSON array of cases`);
    return 2;
  }
  const failed = await runManifest(cases, {contexts});
  return failed === 0 ? 0 : 1;
}

if(process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
