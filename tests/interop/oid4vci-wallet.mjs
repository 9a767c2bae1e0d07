// Plays an OpenID4VCI wallet against Laurel with `jose`, independently of Laurel's code:
// fetches the credential offer by reference, the issuer and authorization server metadata,
// trades the pre-authorized code for a token, gets a c_nonce, signs the key proof with a
// freshly generated key (Ed25519 named by did:jwk kid, or P-256 by header jwk), and asks for
// the credential (1.0 request shape). Prints {credential, holder} as JSON for the caller to
// verify with Digital Bazaar's suite (ldp_vc) or jose (jwt_vc_json).
//
// Usage: node oid4vci-wallet.mjs OFFER_URL CONFIGURATION_ID (EdDSA|ES256)
import * as jose from 'jose';

const [offerUrl, configuration, alg] = process.argv.slice(2);
const getJson = async (url, init) => {
  const response = await fetch(url, init);
  const body = await response.json();
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`);
  return body;
};
const grant = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';

const offer = await getJson(offerUrl);
const issuer = offer.credential_issuer;
const metadata = await getJson(`${issuer}/.well-known/openid-credential-issuer`);
const server = await getJson(`${issuer}/.well-known/oauth-authorization-server`);
if (!metadata.credential_configurations_supported[configuration]) throw new Error(`${configuration} not offered`);
const token = await getJson(server.token_endpoint, {
  method: 'POST',
  headers: {'content-type': 'application/x-www-form-urlencoded'},
  body: new URLSearchParams({grant_type: grant, 'pre-authorized_code': offer.grants[grant]['pre-authorized_code']}),
});
const {c_nonce} = await getJson(metadata.nonce_endpoint, {method: 'POST'});

const {publicKey, privateKey} = await jose.generateKeyPair(alg, {crv: alg === 'EdDSA' ? 'Ed25519' : undefined, extractable: true});
const {kty, crv, x, y} = await jose.exportJWK(publicKey);
const jwk = y ? {kty, crv, x, y} : {kty, crv, x};
const holder = `did:jwk:${Buffer.from(JSON.stringify(jwk)).toString('base64url')}`;
const header = alg === 'EdDSA' ?
  {typ: 'openid4vci-proof+jwt', alg, kid: `${holder}#0`} :
  {typ: 'openid4vci-proof+jwt', alg, jwk};
const proof = await new jose.SignJWT({nonce: c_nonce})
  .setProtectedHeader(header).setAudience(issuer).setIssuedAt().sign(privateKey);
const answer = await getJson(metadata.credential_endpoint, {
  method: 'POST',
  headers: {'content-type': 'application/json', authorization: `Bearer ${token.access_token}`},
  body: JSON.stringify({credential_configuration_id: configuration, proofs: {jwt: [proof]}}),
});
// did:jwk from header jwk: Laurel writes the JWK's members in its own order; compare keys.
console.log(JSON.stringify({credential: answer.credentials[0].credential, holder, jwk}));
