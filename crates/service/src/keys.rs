//! Issuer keys for minting: made when an issuer is created, sealed at rest, opened once.
//!
//! Opening a key means an AES-GCM open and, for RSA and P-256, parsing PKCS#8; per award that
//! would cost more than the signature, so opened keys are cached per key id.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use laurel_core::keys::{KeyType, SigningKey};
use laurel_store::{Issuer, IssuerKey, KeyPurpose};
use uuid::Uuid;

use crate::ServiceError;
use crate::vault::Vault;
use crate::{Service, ServiceResult};

/// Why signing failed inside the service (never the client's fault): opening a key, or
/// building, signing or encoding a credential or status list. Messages never contain
/// key material: the wrapped errors are all written not to.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SigningError {
    /// Generating, opening or parsing a key failed.
    #[error("key: {0}")]
    Key(#[from] laurel_core::keys::KeyError),
    /// A sealed key did not open.
    #[error("vault: {0}")]
    Vault(#[from] crate::vault::VaultError),
    /// The issuer has no usable key for a purpose.
    #[error("issuer {issuer} has no active {purpose} key")]
    NoKey {
        /// The issuer.
        issuer: Uuid,
        /// `data_integrity` or `jwt`.
        purpose: &'static str,
    },
    /// The credential could not be built, signed or encoded.
    #[error("signing: {0}")]
    Sign(String),
    /// The blocking task died.
    #[error("signing task: {0}")]
    Task(String),
}

impl From<SigningError> for ServiceError {
    fn from(error: SigningError) -> Self {
        ServiceError::Internal(error.to_string())
    }
}

/// The JWS algorithm of an issuer's VC-JWTs. Fixed when the issuer is created: its keys,
/// rotated ones included, are of this algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JwtAlgorithm {
    /// ECDSA P-256 (the default: short signatures, accepted by 1EdTech's validator).
    #[default]
    Es256,
    /// RSA-2048 PKCS#1 v1.5 (the Open Badges minimum for interoperability).
    Rs256,
    /// Ed25519 (compact, but 1EdTech's validator does not accept it for VC-JWT).
    EdDsa,
}

impl JwtAlgorithm {
    /// Every accepted name, as the API spells them.
    pub const NAMES: [&'static str; 3] = ["ES256", "RS256", "EdDSA"];

    /// Parses `ES256`, `RS256` or `EdDSA` (exact spelling).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "ES256" => Some(Self::Es256),
            "RS256" => Some(Self::Rs256),
            "EdDSA" => Some(Self::EdDsa),
            _ => None,
        }
    }

    /// The JWS `alg` name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::Rs256 => "RS256",
            Self::EdDsa => "EdDSA",
        }
    }

    fn key_type(self) -> KeyType {
        match self {
            Self::Es256 => KeyType::P256,
            Self::Rs256 => KeyType::Rsa,
            Self::EdDsa => KeyType::Ed25519,
        }
    }
}

/// Issuers' signing keys, opened once per process and kept by key id.
#[derive(Default)]
pub struct KeyCache {
    opened: RwLock<HashMap<Uuid, Arc<SigningKey>>>,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.opened.read().map(|map| map.len()).unwrap_or_default();
        write!(f, "KeyCache({count} keys, [redacted])")
    }
}

impl KeyCache {
    /// The signing key of a stored key row, opening it with the vault on first use.
    pub fn open(&self, vault: &Vault, key: &IssuerKey) -> Result<Arc<SigningKey>, SigningError> {
        if let Some(found) = self.get(key.id) {
            return Ok(found);
        }
        let pem = vault.open(key.id.as_bytes(), &key.sealed_private_key)?;
        let text = std::str::from_utf8(&pem).map_err(|_| {
            SigningError::Key(laurel_core::keys::KeyError::Invalid(
                "a sealed key is not PEM text".into(),
            ))
        })?;
        let signing = Arc::new(SigningKey::from_pkcs8_pem(text)?);
        self.insert(key.id, signing.clone());
        Ok(signing)
    }

    fn get(&self, id: Uuid) -> Option<Arc<SigningKey>> {
        // A poisoned lock only means another thread panicked while inserting; the map is
        // still a valid cache, so read through the poison.
        let map = self
            .opened
            .read()
            .unwrap_or_else(|poison| poison.into_inner());
        map.get(&id).cloned()
    }

    /// Keeps keys opened when they were made (after they are stored).
    pub fn remember(&self, opened: OpenedKeys) {
        for (id, key) in opened {
            self.insert(id, key);
        }
    }

    fn insert(&self, id: Uuid, key: Arc<SigningKey>) {
        let mut map = self
            .opened
            .write()
            .unwrap_or_else(|poison| poison.into_inner());
        map.insert(id, key);
    }
}

/// Creates an issuer with a new Ed25519 Data Integrity key and a JWT key for its algorithm,
/// both sealed by the vault, in one store transaction.
pub async fn create_issuer(
    service: &Service,
    issuer: &Issuer,
    algorithm: JwtAlgorithm,
) -> ServiceResult<Vec<IssuerKey>> {
    let (rows, opened) = new_keys(service, issuer.id, algorithm, issuer.created_at).await?;
    service.store.create_issuer(issuer, &rows).await?;
    service.keys.remember(opened);
    Ok(rows)
}

/// Keys opened when they were made, to be kept by [`KeyCache::remember`] once stored.
pub type OpenedKeys = Vec<(Uuid, Arc<SigningKey>)>;

/// A new Ed25519 Data Integrity key and a JWT key for `algorithm`, sealed by the vault, as
/// rows to store (not stored yet) and opened.
pub async fn new_keys(
    service: &Service,
    issuer_id: Uuid,
    algorithm: JwtAlgorithm,
    now: chrono::DateTime<chrono::Utc>,
) -> ServiceResult<(Vec<IssuerKey>, OpenedKeys)> {
    // RSA key generation takes a good fraction of a second: not on the async threads.
    let generated = tokio::task::spawn_blocking(move || -> Result<_, SigningError> {
        let di = SigningKey::generate(KeyType::Ed25519)?;
        let jwt = SigningKey::generate(algorithm.key_type())?;
        Ok([(KeyPurpose::DataIntegrity, di), (KeyPurpose::Jwt, jwt)])
    })
    .await
    .map_err(|error| SigningError::Task(error.to_string()))??;
    let mut rows = Vec::new();
    let mut opened = Vec::new();
    for (purpose, key) in generated {
        let id = Uuid::now_v7();
        let sealed = service
            .vault
            .seal(id.as_bytes(), key.to_pkcs8_pem().as_bytes())
            .map_err(SigningError::from)?;
        let public = key.public_key();
        rows.push(IssuerKey {
            id,
            issuer_id,
            purpose,
            algorithm: algorithm_name(public.key_type()).to_string(),
            public_jwk: public.to_jwk().to_string(),
            sealed_private_key: sealed,
            created_at: now,
            retired_at: None,
            compromised_since: None,
        });
        opened.push((id, Arc::new(key)));
    }
    Ok((rows, opened))
}

/// The key an issuer signs with now for `purpose`: its newest unretired one.
pub fn active_key(
    keys: &[IssuerKey],
    issuer: Uuid,
    purpose: KeyPurpose,
) -> Result<&IssuerKey, SigningError> {
    keys.iter()
        .rev()
        .find(|key| key.purpose == purpose && key.retired_at.is_none())
        .ok_or(SigningError::NoKey {
            issuer,
            purpose: purpose.as_str(),
        })
}

/// The `algorithm` stored with a key: `Ed25519`, `P-256` or `RSA`.
pub fn algorithm_name(key_type: KeyType) -> &'static str {
    match key_type {
        KeyType::Ed25519 => "Ed25519",
        KeyType::P256 => "P-256",
        KeyType::Rsa => "RSA",
    }
}
