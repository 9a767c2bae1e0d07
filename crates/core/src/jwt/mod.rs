//! VC-JWT as Open Badges 3.0 §8.2 defines it: the credential is the JWT payload, plus the
//! claims `iss`, `jti`, `nbf`, `sub` and `exp`.
//!
//! We parse and check JWS ourselves instead of using a general JWT library, because the rules
//! are narrower than JOSE's: the header may hold only `alg`, `kid` or `jwk`, and `typ: "JWT"`;
//! `alg` must be one of RS256, ES256 and EdDSA and must match the key's type (so `none`,
//! HS256-keyed-with-the-public-key and algorithm confusion have no code path to succeed); a
//! header `jwk` holding private members is refused.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::keys::{KeyError, KeyType, PublicKey, SigningKey};

/// Claims a VC-JWT adds to the credential; removed again to recover the credential.
const REGISTERED_CLAIMS: [&str; 7] = ["iss", "jti", "nbf", "sub", "exp", "iat", "aud"];

/// Why a VC-JWT could not be made or checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JwtError {
    /// Not a compact JWS, or its parts are not base64url JSON.
    #[error("not a compact JWS: {0}")]
    Malformed(String),
    /// The header breaks the Open Badges rules.
    #[error("JWT header: {0}")]
    Header(String),
    /// The claims do not match the credential.
    #[error("JWT claims: {0}")]
    Claims(String),
    /// The key cannot be used.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The signature does not match.
    #[error("the JWT signature does not match the key")]
    BadSignature,
}

/// How a VC-JWT names its key.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyReference {
    /// `kid`: a URL (or DID URL) that dereferences to the key.
    Kid(String),
    /// `jwk`: the public key itself, in the header.
    Jwk(PublicKey),
}

/// A decoded VC-JWT, signature not yet checked.
#[derive(Debug, Clone)]
pub struct DecodedJwt {
    /// The JWS algorithm.
    pub alg: KeyType,
    /// Where the key is.
    pub key: KeyReference,
    /// The whole payload, claims included.
    pub payload: Map<String, Value>,
    /// The credential: the `vc` claim (VCDM 1.1 form) or the payload without JWT claims.
    pub credential: Value,
    signing_input: Vec<u8>,
    signature: Vec<u8>,
}

/// Signs `credential` as a VC-JWT, naming the key by `kid` or, without one, by header `jwk`.
///
/// The JWT covers the JSON as it is; whether the credential is safe as JSON-LD
/// ([`crate::jsonld::check_safe`]) is the caller's check, made once per credential: `laurel
/// sign` checks before any proof, and the service signs its Data Integrity proof first, which
/// checks the same content.
pub fn sign(credential: &Value, key: &SigningKey, kid: Option<&str>) -> Result<String, JwtError> {
    let credential = credential
        .as_object()
        .ok_or_else(|| JwtError::Claims("a credential must be a JSON object".into()))?;
    let mut header = Map::new();
    header.insert("alg".into(), key.key_type().jws_alg().into());
    match kid {
        Some(kid) => header.insert("kid".into(), kid.into()),
        None => header.insert("jwk".into(), key.public_key().to_jwk()),
    };
    header.insert("typ".into(), "JWT".into());

    let mut payload = credential.clone();
    let issuer = issuer_id(credential)
        .ok_or_else(|| JwtError::Claims("the credential has no issuer id".into()))?;
    payload.insert("iss".into(), issuer.into());
    let id = credential
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| JwtError::Claims("the credential has no id".into()))?;
    payload.insert("jti".into(), id.into());
    let valid_from = date(credential, "validFrom")?
        .or(date(credential, "issuanceDate")?)
        .ok_or_else(|| JwtError::Claims("the credential has no validFrom".into()))?;
    payload.insert("nbf".into(), valid_from.timestamp().into());
    if let Some(subject) = subject_id(credential) {
        payload.insert("sub".into(), subject.into());
    }
    if let Some(valid_until) = date(credential, "validUntil")? {
        payload.insert("exp".into(), valid_until.timestamp().into());
    }

    let encode = |value: &Map<String, Value>| B64.encode(Value::Object(value.clone()).to_string());
    let signing_input = format!("{}.{}", encode(&header), encode(&payload));
    let signature = key.sign(signing_input.as_bytes()).map_err(JwtError::Key)?;
    Ok(format!("{signing_input}.{}", B64.encode(signature)))
}

/// Whether `text` looks like a compact JWS (three base64url parts).
pub fn looks_like_jws(text: &str) -> bool {
    let text = text.trim();
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() == 3
        && parts[..2].iter().all(|part| !part.is_empty())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Parses a compact JWS and checks its header against the Open Badges rules.
pub fn decode(compact: &str) -> Result<DecodedJwt, JwtError> {
    let compact = compact.trim();
    let mut parts = compact.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed(
            "expected three dot-separated parts".into(),
        ));
    };
    let header = decode_json(header_b64, "header")?;
    let payload = decode_json(payload_b64, "payload")?;
    let signature = B64
        .decode(signature_b64)
        .map_err(|_| JwtError::Malformed("the signature is not base64url".into()))?;

    for name in header.keys() {
        if !matches!(name.as_str(), "alg" | "kid" | "jwk" | "typ") {
            return Err(JwtError::Header(format!(
                "the header member {name:?} is not allowed (only alg, kid or jwk, and typ)"
            )));
        }
    }
    let alg = match header.get("alg").and_then(Value::as_str) {
        Some("EdDSA") => KeyType::Ed25519,
        Some("ES256") => KeyType::P256,
        Some("RS256") => KeyType::Rsa,
        Some(other) => {
            return Err(JwtError::Header(format!(
                "alg {other:?} is not accepted (RS256, ES256 or EdDSA)"
            )));
        }
        None => return Err(JwtError::Header("no alg".into())),
    };
    if let Some(typ) = header.get("typ")
        && typ != "JWT"
    {
        return Err(JwtError::Header(format!("typ must be \"JWT\", not {typ}")));
    }
    let key = match (header.get("kid"), header.get("jwk")) {
        (Some(_), Some(_)) => {
            return Err(JwtError::Header("both kid and jwk; use one".into()));
        }
        (Some(Value::String(kid)), None) => KeyReference::Kid(kid.clone()),
        (None, Some(jwk)) => KeyReference::Jwk(PublicKey::from_jwk(jwk)?),
        (Some(_), None) => return Err(JwtError::Header("kid must be a string".into())),
        (None, None) => return Err(JwtError::Header("neither kid nor jwk names the key".into())),
    };
    let credential = match payload.get("vc") {
        Some(vc @ Value::Object(_)) => vc.clone(),
        _ => {
            let mut credential = payload.clone();
            for claim in REGISTERED_CLAIMS {
                credential.remove(claim);
            }
            Value::Object(credential)
        }
    };
    Ok(DecodedJwt {
        alg,
        key,
        payload,
        credential,
        signing_input: format!("{header_b64}.{payload_b64}").into_bytes(),
        signature,
    })
}

impl DecodedJwt {
    /// Checks the signature with `key`, which must be of the type `alg` names.
    pub fn verify_signature(&self, key: &PublicKey) -> Result<(), JwtError> {
        if key.key_type() != self.alg {
            return Err(JwtError::Header(format!(
                "alg {} does not fit a {:?} key",
                self.alg.jws_alg(),
                key.key_type()
            )));
        }
        key.verify(&self.signing_input, &self.signature)
            .map_err(|_| JwtError::BadSignature)
    }

    /// Checks that `iss`, `jti`, `nbf`, `sub` and `exp` agree with the credential (§8.2.4.1).
    ///
    /// A claim that is present must agree with the credential. A missing claim is tolerated:
    /// it only repeats what the signed payload already says (1EdTech's own samples omit `sub`),
    /// and Laurel always writes them.
    pub fn check_claims(&self) -> Result<(), JwtError> {
        let Some(credential) = self.credential.as_object() else {
            return Err(JwtError::Claims(
                "the credential is not a JSON object".into(),
            ));
        };
        let first_date = |names: [&str; 2]| {
            names
                .iter()
                .find_map(|name| date(credential, name).ok().flatten())
                .map(|date| Value::from(date.timestamp()))
        };
        let expected = [
            ("iss", issuer_id(credential).map(Value::from), "issuer id"),
            ("jti", credential.get("id").cloned(), "id"),
            (
                "nbf",
                first_date(["validFrom", "issuanceDate"]),
                "validFrom",
            ),
            (
                "sub",
                subject_id(credential).map(Value::from),
                "credentialSubject.id",
            ),
            (
                "exp",
                first_date(["validUntil", "expirationDate"]),
                "validUntil",
            ),
        ];
        for (claim, wanted, property) in expected {
            if let Some(actual) = self.payload.get(claim)
                && Some(actual) != wanted.as_ref()
            {
                return Err(JwtError::Claims(format!(
                    "{claim} does not match the credential's {property}"
                )));
            }
        }
        Ok(())
    }
}

fn decode_json(part: &str, what: &str) -> Result<Map<String, Value>, JwtError> {
    let bytes = B64
        .decode(part)
        .map_err(|_| JwtError::Malformed(format!("the {what} is not base64url")))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(JwtError::Malformed(format!(
            "the {what} is not a JSON object"
        ))),
    }
}

/// `issuer` as a string, or `issuer.id`.
pub fn issuer_id(credential: &Map<String, Value>) -> Option<&str> {
    match credential.get("issuer")? {
        Value::String(id) => Some(id),
        Value::Object(profile) => profile.get("id").and_then(Value::as_str),
        _ => None,
    }
}

fn subject_id(credential: &Map<String, Value>) -> Option<&str> {
    match credential.get("credentialSubject")? {
        Value::Object(subject) => subject.get("id").and_then(Value::as_str),
        Value::Array(subjects) => subjects.first()?.get("id").and_then(Value::as_str),
        _ => None,
    }
}

fn date(credential: &Map<String, Value>, name: &str) -> Result<Option<DateTime<Utc>>, JwtError> {
    match credential.get(name) {
        None => Ok(None),
        Some(Value::String(text)) => DateTime::parse_from_rfc3339(text)
            .map(|date| Some(date.to_utc()))
            .map_err(|_| JwtError::Claims(format!("{name} is not an RFC 3339 date-time"))),
        Some(_) => Err(JwtError::Claims(format!("{name} must be a string"))),
    }
}

#[cfg(test)]
mod tests;
