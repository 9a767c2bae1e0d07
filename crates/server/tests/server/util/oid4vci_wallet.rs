//! A wallet's key for the OpenID4VCI tests: it signs key proofs and knows the DID a credential
//! must be bound to.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use laurel_core::keys::{KeyType, SigningKey};
use serde_json::{Value, json};

use super::ORIGIN;

/// A wallet key, named in its proofs by a did:key `kid` (Ed25519) or a `jwk` (P-256).
pub struct Wallet {
    key: SigningKey,
    by_kid: bool,
}

impl Wallet {
    pub fn did_key() -> Self {
        Wallet {
            key: SigningKey::generate(KeyType::Ed25519).unwrap(),
            by_kid: true,
        }
    }

    pub fn p256_jwk() -> Self {
        Wallet {
            key: SigningKey::generate(KeyType::P256).unwrap(),
            by_kid: false,
        }
    }

    /// The DID the credential must be bound to.
    pub fn holder(&self) -> String {
        if self.by_kid {
            self.key.public_key().to_did_key().unwrap()
        } else {
            let jwk = self.key.public_key().to_jwk().to_string();
            format!("did:jwk:{}", B64.encode(jwk))
        }
    }

    pub fn header(&self) -> Value {
        let public = self.key.public_key();
        if self.by_kid {
            let kid = public.to_did_key_verification_method().unwrap();
            json!({"typ": "openid4vci-proof+jwt", "alg": "EdDSA", "kid": kid})
        } else {
            json!({"typ": "openid4vci-proof+jwt", "alg": "ES256", "jwk": public.to_jwk()})
        }
    }

    pub fn claims(&self, nonce: &str, now: DateTime<Utc>) -> Value {
        json!({"aud": ORIGIN, "iat": now.timestamp(), "nonce": nonce})
    }

    pub fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims.to_string())
        );
        let signature = self.key.sign(input.as_bytes()).unwrap();
        format!("{input}.{}", B64.encode(signature))
    }

    pub fn proof(&self, nonce: &str, now: DateTime<Utc>) -> String {
        self.sign(&self.header(), &self.claims(nonce, now))
    }
}
