//! Signing keys and public keys: Ed25519, P-256 (ES256) and RSA 2048 (RS256).
//!
//! Ed25519 uses `ed25519-dalek` for its strict verification (RFC 8032 with the malleability
//! and small-order checks the Data Integrity spec asks for); P-256 and RSA use `aws-lc-rs`,
//! the crypto library the rest of the tree already links. All three read and write PKCS#8 PEM,
//! so one key file format serves every command.
//!
//! Secret material never leaves through `Debug`, `Display` or an error message: [`SigningKey`]
//! prints only its type and public key, and the PEM it writes is wrapped in [`Zeroizing`].

mod jwk;
mod multikey;
mod pem;

use std::fmt;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{self as lc, EcdsaKeyPair, KeyPair as _, RsaKeyPair, UnparsedPublicKey};
use ed25519_dalek::Signer as _;
use ed25519_dalek::pkcs8::DecodePrivateKey as _;
pub use zeroize::Zeroizing;

pub use multikey::{decode_multibase_base58, encode_multibase_base58};

/// The kinds of key Laurel signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// Ed25519 (EdDSA): Data Integrity proofs and EdDSA VC-JWTs.
    Ed25519,
    /// ECDSA on P-256 with SHA-256: ES256 VC-JWTs.
    P256,
    /// RSA 2048 with PKCS#1 v1.5 and SHA-256: RS256 VC-JWTs.
    Rsa,
}

impl KeyType {
    /// The JWS `alg` this key signs with.
    pub fn jws_alg(self) -> &'static str {
        match self {
            KeyType::Ed25519 => "EdDSA",
            KeyType::P256 => "ES256",
            KeyType::Rsa => "RS256",
        }
    }

    /// The lowercase name used on the command line (`ed25519`, `p256`, `rsa`).
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Ed25519 => "ed25519",
            KeyType::P256 => "p256",
            KeyType::Rsa => "rsa",
        }
    }
}

impl std::str::FromStr for KeyType {
    type Err = KeyError;
    fn from_str(text: &str) -> Result<Self, KeyError> {
        match text.to_ascii_lowercase().as_str() {
            "ed25519" => Ok(KeyType::Ed25519),
            "p256" | "p-256" | "es256" => Ok(KeyType::P256),
            "rsa" | "rs256" => Ok(KeyType::Rsa),
            _ => Err(KeyError::Unsupported(format!(
                "key type {text:?} (use ed25519, p256 or rsa)"
            ))),
        }
    }
}

/// Errors about keys. Messages never contain key material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The input is not a key we can read.
    #[error("not a valid key: {0}")]
    Invalid(String),
    /// The key or format is of a kind we do not support.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The operating system's random number generator failed.
    #[error("could not generate a key: {0}")]
    Generation(String),
}

/// A signature did not verify (deliberately without detail: nothing useful to add).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("signature does not match")]
pub struct BadSignature;

/// A private key that can sign.
pub struct SigningKey {
    inner: Secret,
}

enum Secret {
    Ed25519(ed25519_dalek::SigningKey),
    P256 {
        pair: EcdsaKeyPair,
        pkcs8: Zeroizing<Vec<u8>>,
    },
    Rsa {
        pair: RsaKeyPair,
        pkcs8: Zeroizing<Vec<u8>>,
    },
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("type", &self.key_type())
            .field("public", &self.public_key())
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Makes a new random key of the given type.
    pub fn generate(key_type: KeyType) -> Result<Self, KeyError> {
        let failed = |error: &dyn fmt::Display| KeyError::Generation(error.to_string());
        match key_type {
            KeyType::Ed25519 => {
                let mut seed = Zeroizing::new([0u8; 32]);
                getrandom::fill(seed.as_mut()).map_err(|e| failed(&e))?;
                Ok(Self::from_ed25519_seed(&seed))
            }
            KeyType::P256 => {
                let document = EcdsaKeyPair::generate_pkcs8(
                    &lc::ECDSA_P256_SHA256_FIXED_SIGNING,
                    &SystemRandom::new(),
                )
                .map_err(|e| failed(&e))?;
                Self::from_pkcs8_der(document.as_ref())
            }
            KeyType::Rsa => {
                let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|e| failed(&e))?;
                let der = pair.as_der().map_err(|e| failed(&e))?;
                Self::from_pkcs8_der(der.as_ref())
            }
        }
    }

    /// An Ed25519 key from its 32-byte seed (the RFC 8032 private key).
    pub fn from_ed25519_seed(seed: &[u8; 32]) -> Self {
        SigningKey {
            inner: Secret::Ed25519(ed25519_dalek::SigningKey::from_bytes(seed)),
        }
    }

    /// Reads a PKCS#8 private key in PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(text: &str) -> Result<Self, KeyError> {
        let der = pem::decode(text, "PRIVATE KEY")?;
        Self::from_pkcs8_der(&der)
    }

    /// Reads a PKCS#8 private key in DER, of any supported type.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        if let Ok(key) = ed25519_dalek::SigningKey::from_pkcs8_der(der) {
            return Ok(SigningKey {
                inner: Secret::Ed25519(key),
            });
        }
        if let Ok(pair) = EcdsaKeyPair::from_pkcs8(&lc::ECDSA_P256_SHA256_FIXED_SIGNING, der) {
            return Ok(SigningKey {
                inner: Secret::P256 {
                    pair,
                    pkcs8: Zeroizing::new(der.to_vec()),
                },
            });
        }
        if let Ok(pair) = RsaKeyPair::from_pkcs8(der) {
            let bits = pair.public_modulus_len() * 8;
            if bits < 2048 {
                return Err(KeyError::Unsupported(format!(
                    "a {bits}-bit RSA key (at least 2048 bits are required)"
                )));
            }
            return Ok(SigningKey {
                inner: Secret::Rsa {
                    pair,
                    pkcs8: Zeroizing::new(der.to_vec()),
                },
            });
        }
        Err(KeyError::Invalid(
            "expected a PKCS#8 Ed25519, P-256 or RSA private key".into(),
        ))
    }

    /// The key as PKCS#8 PEM, for a key file. Zeroed when dropped.
    pub fn to_pkcs8_pem(&self) -> Zeroizing<String> {
        let der: Zeroizing<Vec<u8>> = match &self.inner {
            Secret::Ed25519(key) => {
                // PKCS#8 v1 (RFC 8410): the fixed prefix for an Ed25519 key, then the seed.
                const PREFIX: [u8; 16] = [
                    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04,
                    0x22, 0x04, 0x20,
                ];
                let mut der = Zeroizing::new(PREFIX.to_vec());
                der.extend_from_slice(&key.to_bytes());
                der
            }
            Secret::P256 { pkcs8, .. } | Secret::Rsa { pkcs8, .. } => pkcs8.clone(),
        };
        pem::encode(&der, "PRIVATE KEY")
    }

    /// What kind of key this is.
    pub fn key_type(&self) -> KeyType {
        match self.inner {
            Secret::Ed25519(_) => KeyType::Ed25519,
            Secret::P256 { .. } => KeyType::P256,
            Secret::Rsa { .. } => KeyType::Rsa,
        }
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        match &self.inner {
            Secret::Ed25519(key) => PublicKey::Ed25519(key.verifying_key()),
            Secret::P256 { pair, .. } => PublicKey::P256(pair.public_key().as_ref().to_vec()),
            Secret::Rsa { pair, .. } => {
                let components = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
                PublicKey::Rsa {
                    n: components.n,
                    e: components.e,
                }
            }
        }
    }

    /// Signs `message`: raw Ed25519, ES256 as fixed-width `r ‖ s`, or RS256 (PKCS#1 v1.5).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let failed = |error: &dyn fmt::Display| KeyError::Generation(error.to_string());
        match &self.inner {
            Secret::Ed25519(key) => Ok(key.sign(message).to_bytes().to_vec()),
            Secret::P256 { pair, .. } => pair
                .sign(&SystemRandom::new(), message)
                .map(|signature| signature.as_ref().to_vec())
                .map_err(|e| failed(&e)),
            Secret::Rsa { pair, .. } => {
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(
                    &lc::RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    message,
                    &mut signature,
                )
                .map_err(|e| failed(&e))?;
                Ok(signature)
            }
        }
    }
}

/// A public key, as found in a key document, a JWK or a did:key.
#[derive(Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// An Ed25519 key.
    Ed25519(ed25519_dalek::VerifyingKey),
    /// A P-256 key as an uncompressed SEC1 point (`0x04 ‖ x ‖ y`).
    P256(Vec<u8>),
    /// An RSA key: big-endian modulus and exponent.
    Rsa {
        /// Modulus.
        n: Vec<u8>,
        /// Public exponent.
        e: Vec<u8>,
    },
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublicKey::Ed25519(_) => write!(f, "Ed25519({})", self.describe()),
            PublicKey::P256(_) => write!(f, "P256({})", self.describe()),
            PublicKey::Rsa { n, .. } => write!(f, "Rsa({} bits)", n.len() * 8),
        }
    }
}

impl PublicKey {
    /// What kind of key this is.
    pub fn key_type(&self) -> KeyType {
        match self {
            PublicKey::Ed25519(_) => KeyType::Ed25519,
            PublicKey::P256(_) => KeyType::P256,
            PublicKey::Rsa { .. } => KeyType::Rsa,
        }
    }

    /// A short, printable identification of the key (its Multikey or JWK thumbprint).
    pub fn describe(&self) -> String {
        match self.to_multikey() {
            Some(multikey) => multikey,
            None => format!("JWK thumbprint {}", self.jwk_thumbprint()),
        }
    }

    /// Verifies a signature made by [`SigningKey::sign`] with a key of this type.
    ///
    /// Ed25519 uses strict verification (rejects non-canonical signatures and small-order
    /// keys).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), BadSignature> {
        match self {
            PublicKey::Ed25519(key) => {
                let signature =
                    ed25519_dalek::Signature::from_slice(signature).map_err(|_| BadSignature)?;
                key.verify_strict(message, &signature)
                    .map_err(|_| BadSignature)
            }
            PublicKey::P256(point) => UnparsedPublicKey::new(&lc::ECDSA_P256_SHA256_FIXED, point)
                .verify(message, signature)
                .map_err(|_| BadSignature),
            PublicKey::Rsa { n, e } => PublicKeyComponents {
                n: n.as_slice(),
                e: e.as_slice(),
            }
            .verify(&lc::RSA_PKCS1_2048_8192_SHA256, message, signature)
            .map_err(|_| BadSignature),
        }
    }

    /// An Ed25519 public key from its 32 bytes.
    pub fn ed25519_from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let bytes: &[u8; 32] = bytes
            .try_into()
            .map_err(|_| KeyError::Invalid("an Ed25519 public key has 32 bytes".into()))?;
        ed25519_dalek::VerifyingKey::from_bytes(bytes)
            .map(PublicKey::Ed25519)
            .map_err(|_| KeyError::Invalid("not a point on Ed25519".into()))
    }
}

#[cfg(test)]
mod tests;
