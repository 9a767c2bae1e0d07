//! The key proof a wallet sends with its credential request (OID4VCI 1.0 §8.2.1.1, Appendix
//! F.1): a JWT it signed with the key the credential is to be bound to, over a `c_nonce`
//! Laurel issued, addressed to Laurel.
//!
//! Checked here without I/O (the nonce is then used against the store by the caller):
//! - header `typ` is `openid4vci-proof+jwt` (a JWT made for something else cannot be replayed
//!   as a key proof), `alg` is `EdDSA` or `ES256` and fits the key (never `none`), and the key
//!   is named by exactly one of `kid` (a `did:key` or `did:jwk` DID URL, resolved locally) or
//!   `jwk` (then the holder is the `did:jwk` of that key);
//! - the signature verifies with that key;
//! - `aud` is the credential issuer, `iat` is within [`IAT_WINDOW_SECONDS`] of now, and
//!   `nonce` is present (whether it is one of ours is the store's question).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use laurel_core::keys::{KeyType, PublicKey};
use serde_json::{Map, Value};

use super::ProtocolError;
use crate::wallet::did::{did_jwk, did_jwk_key};

/// The JWT `typ` of a key proof.
pub const PROOF_TYP: &str = "openid4vci-proof+jwt";

/// How far `iat` may be from now, either way (clocks of phones drift).
pub const IAT_WINDOW_SECONDS: i64 = 300;

/// The longest proof JWT read (a P-256 `jwk` header and the claims fit in well under 2 KiB).
const MAX_PROOF_CHARS: usize = 8 * 1024;

/// What a valid key proof says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyProof {
    /// The holder's DID: the `did:key` or `did:jwk` of the proof's key.
    pub holder: String,
    /// The `nonce` claim, still to be checked against the store.
    pub nonce: String,
}

/// Checks a key proof JWT addressed to `issuer` at `now`.
pub fn check_proof(jwt: &str, issuer: &str, now: DateTime<Utc>) -> Result<KeyProof, ProtocolError> {
    let invalid = |why: String| ProtocolError::invalid_proof(why);
    if jwt.len() > MAX_PROOF_CHARS {
        return Err(invalid("the proof JWT is too long".into()));
    }
    let mut parts = jwt.trim().split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid(
            "the proof is not a compact JWT (three dot-separated parts)".into(),
        ));
    };
    let header = json_part(header_b64, "header")?;
    let claims = json_part(payload_b64, "payload")?;
    let signature = B64
        .decode(signature_b64)
        .map_err(|_| invalid("the proof's signature is not base64url".into()))?;

    match header.get("typ").and_then(Value::as_str) {
        Some(PROOF_TYP) => {}
        Some(other) => {
            return Err(invalid(format!(
                "the proof's typ is {other:?}; a key proof has typ \"{PROOF_TYP}\""
            )));
        }
        None => {
            return Err(invalid(format!(
                "the proof has no typ; a key proof has typ \"{PROOF_TYP}\""
            )));
        }
    }
    let alg = match header.get("alg").and_then(Value::as_str) {
        Some("EdDSA") => KeyType::Ed25519,
        Some("ES256") => KeyType::P256,
        Some(other) => {
            return Err(invalid(format!(
                "the proof's alg {other:?} is not accepted (EdDSA or ES256)"
            )));
        }
        None => return Err(invalid("the proof has no alg".into())),
    };
    if header.contains_key("x5c") || header.contains_key("trust_chain") {
        return Err(invalid(
            "keys named by certificate (x5c, trust_chain) are not accepted: use kid or jwk".into(),
        ));
    }
    let (key, holder) = match (header.get("kid"), header.get("jwk")) {
        (Some(Value::String(kid)), None) => key_of_kid(kid)?,
        (None, Some(jwk)) => {
            let key = PublicKey::from_jwk(jwk)
                .map_err(|error| invalid(format!("the proof's jwk: {error}")))?;
            let holder = did_jwk(&key);
            (key, holder)
        }
        (Some(_), Some(_)) => {
            return Err(invalid(
                "the proof names its key by both kid and jwk; use one".into(),
            ));
        }
        (Some(_), None) => return Err(invalid("the proof's kid is not a string".into())),
        (None, None) => {
            return Err(invalid(
                "the proof names no key (a did:key or did:jwk kid, or a jwk)".into(),
            ));
        }
    };
    if key.key_type() != alg {
        return Err(invalid(format!(
            "the proof's alg {} does not fit its key",
            alg.jws_alg()
        )));
    }
    key.verify(format!("{header_b64}.{payload_b64}").as_bytes(), &signature)
        .map_err(|_| {
            invalid("the proof's signature does not verify with the key it names".into())
        })?;

    let audience_ok = match claims.get("aud") {
        Some(Value::String(aud)) => aud == issuer,
        Some(Value::Array(auds)) => auds.iter().any(|aud| aud.as_str() == Some(issuer)),
        _ => false,
    };
    if !audience_ok {
        return Err(invalid(format!(
            "the proof's aud must be this credential issuer, {issuer}"
        )));
    }
    let Some(iat) = claims.get("iat").and_then(Value::as_i64) else {
        return Err(invalid("the proof has no numeric iat".into()));
    };
    if (now.timestamp() - iat).abs() > IAT_WINDOW_SECONDS {
        return Err(invalid(format!(
            "the proof's iat is more than {IAT_WINDOW_SECONDS} seconds from now: check the \
             device's clock, or sign a new proof"
        )));
    }
    let Some(nonce) = claims.get("nonce").and_then(Value::as_str) else {
        return Err(ProtocolError::invalid_nonce(
            "the proof has no nonce: ask the nonce endpoint for a c_nonce and sign over it",
        ));
    };
    Ok(KeyProof {
        holder,
        nonce: nonce.to_string(),
    })
}

/// The key a `kid` names, and the holder DID: a `did:key` (Ed25519) or `did:jwk` DID URL.
fn key_of_kid(kid: &str) -> Result<(PublicKey, String), ProtocolError> {
    let did = kid.split('#').next().unwrap_or(kid);
    if did.starts_with("did:key:") {
        let key = PublicKey::from_did_key(kid).map_err(|error| {
            ProtocolError::invalid_proof(format!(
                "the proof's kid: {error} (Laurel reads Ed25519 did:key keys; send other \
                 keys as jwk)"
            ))
        })?;
        return Ok((key, did.to_string()));
    }
    if did.starts_with("did:jwk:") {
        let jwk = did_jwk_key(did).map_err(|why| {
            ProtocolError::invalid_proof(format!("the proof's did:jwk kid: {why}"))
        })?;
        let key = PublicKey::from_jwk(&Value::Object(jwk)).map_err(|error| {
            ProtocolError::invalid_proof(format!("the proof's did:jwk kid: {error}"))
        })?;
        return Ok((key, did.to_string()));
    }
    Err(ProtocolError::invalid_proof(format!(
        "the proof's kid {:?} is not a did:key or did:jwk DID URL (or send the key as jwk)",
        kid.chars().take(80).collect::<String>()
    )))
}

fn json_part(part: &str, what: &str) -> Result<Map<String, Value>, ProtocolError> {
    let bytes = B64.decode(part).map_err(|_| {
        ProtocolError::invalid_proof(format!("the proof's {what} is not base64url"))
    })?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ProtocolError::invalid_proof(format!(
            "the proof's {what} is not a JSON object"
        ))),
    }
}

#[cfg(test)]
#[path = "proof_tests.rs"]
mod tests;
