//! JSON Web Keys (RFC 7517) for the three key types, and RFC 7638 thumbprints.
//!
//! Reading a JWK refuses private members (`d`, `p`, `q`, …): a JWK that carries a private key
//! in a JWT header or key document is a leak, and accepting it would hide the mistake.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::{KeyError, PublicKey};

const PRIVATE_MEMBERS: [&str; 6] = ["d", "p", "q", "dp", "dq", "qi"];

impl PublicKey {
    /// The public JWK: `{"kty":"OKP","crv":"Ed25519","x":…}`, `{"kty":"EC","crv":"P-256",…}`
    /// or `{"kty":"RSA","n":…,"e":…}`.
    pub fn to_jwk(&self) -> Value {
        match self {
            PublicKey::Ed25519(key) => {
                json!({ "kty": "OKP", "crv": "Ed25519", "x": B64.encode(key.as_bytes()) })
            }
            PublicKey::P256(point) => {
                // An uncompressed point is 0x04 ‖ x (32 bytes) ‖ y (32 bytes).
                let coordinates = point.get(1..).unwrap_or_default();
                let (x, y) = coordinates.split_at(coordinates.len() / 2);
                json!({ "kty": "EC", "crv": "P-256", "x": B64.encode(x), "y": B64.encode(y) })
            }
            PublicKey::Rsa { n, e } => {
                json!({ "kty": "RSA", "n": B64.encode(n), "e": B64.encode(e) })
            }
        }
    }

    /// Reads a public JWK. Refuses a JWK with private members, or of an unsupported kind.
    pub fn from_jwk(jwk: &Value) -> Result<Self, KeyError> {
        let jwk = jwk
            .as_object()
            .ok_or_else(|| KeyError::Invalid("a JWK must be a JSON object".into()))?;
        if let Some(member) = PRIVATE_MEMBERS.iter().find(|m| jwk.contains_key(**m)) {
            return Err(KeyError::Invalid(format!(
                "the JWK contains the private member {member:?}; only public keys are accepted"
            )));
        }
        let text = |name: &str| -> Result<&str, KeyError> {
            jwk.get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| KeyError::Invalid(format!("the JWK has no {name:?} member")))
        };
        let bytes = |name: &str| -> Result<Vec<u8>, KeyError> {
            B64.decode(text(name)?.as_bytes())
                .map_err(|_| KeyError::Invalid(format!("the JWK member {name:?} is not base64url")))
        };
        match (text("kty")?, jwk.get("crv").and_then(Value::as_str)) {
            ("OKP", Some("Ed25519")) => PublicKey::ed25519_from_bytes(&bytes("x")?),
            ("EC", Some("P-256")) => {
                let (x, y) = (bytes("x")?, bytes("y")?);
                if x.len() != 32 || y.len() != 32 {
                    return Err(KeyError::Invalid("a P-256 JWK has 32-byte x and y".into()));
                }
                let mut point = vec![0x04];
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                Ok(PublicKey::P256(point))
            }
            ("RSA", _) => {
                let n = bytes("n")?;
                if n.len() * 8 < 2048 {
                    return Err(KeyError::Unsupported(
                        "RSA keys shorter than 2048 bits".into(),
                    ));
                }
                Ok(PublicKey::Rsa { n, e: bytes("e")? })
            }
            (kty, crv) => Err(KeyError::Unsupported(format!(
                "JWK kty {kty:?} crv {crv:?} (supported: OKP Ed25519, EC P-256, RSA)"
            ))),
        }
    }

    /// The RFC 7638 SHA-256 thumbprint, base64url.
    pub fn jwk_thumbprint(&self) -> String {
        let jwk = self.to_jwk();
        let required: &[&str] = match self {
            PublicKey::Ed25519(_) => &["crv", "kty", "x"],
            PublicKey::P256(_) => &["crv", "kty", "x", "y"],
            PublicKey::Rsa { .. } => &["e", "kty", "n"],
        };
        // Members in lexicographic order, no whitespace: serde_json keeps insertion order.
        let mut members = Map::new();
        for name in required {
            members.insert((*name).into(), jwk[*name].clone());
        }
        let canonical = Value::Object(members).to_string();
        B64.encode(Sha256::digest(canonical.as_bytes()))
    }
}
