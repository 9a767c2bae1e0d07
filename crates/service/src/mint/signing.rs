//! An issuer's two signatures, shared by minting and by wallet copies: a Data Integrity proof
//! (`eddsa-rdfc-2022`, by the issuer's active Ed25519 key) and a VC-JWT (by its active JWT
//! key). One place decides how Laurel signs, so a wallet copy is secured exactly as the award.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use laurel_core::budget::Budget;
use laurel_core::jwt;
use laurel_core::keys::SigningKey;
use laurel_core::proof::{self, Cryptosuite, ProofError, ProofOptions};
use laurel_store::KeyPurpose;
use serde_json::Value;
use uuid::Uuid;

use crate::keys::{SigningError, active_key};
use crate::{Service, ServiceResult};

/// An issuer's active signing keys, opened.
pub struct IssuerSigner {
    di_key: Arc<SigningKey>,
    di_method: String,
    jwt_key: Arc<SigningKey>,
    jwt_kid: String,
}

impl IssuerSigner {
    /// Opens the issuer's active Data Integrity and JWT keys.
    pub async fn open(service: &Service, issuer_id: Uuid) -> ServiceResult<Self> {
        let keys = service.store.issuer_keys(issuer_id).await?;
        let di = active_key(&keys, issuer_id, KeyPurpose::DataIntegrity)?;
        let jwt = active_key(&keys, issuer_id, KeyPurpose::Jwt)?;
        Ok(IssuerSigner {
            di_key: service.keys.open(&service.vault, di)?,
            di_method: service.urls.key(issuer_id, di.id),
            jwt_key: service.keys.open(&service.vault, jwt)?,
            jwt_kid: service.urls.key(issuer_id, jwt.id),
        })
    }

    /// `credential` (without a proof) with an `eddsa-rdfc-2022` proof made at `now`. Refuses a
    /// document that fails JSON-LD safe mode or uses an undefined term.
    pub fn data_integrity(
        &self,
        credential: &Value,
        now: DateTime<Utc>,
    ) -> Result<Value, SigningError> {
        let options = ProofOptions {
            cryptosuite: Cryptosuite::EddsaRdfc2022,
            verification_method: self.di_method.clone(),
            created: now,
        };
        proof::sign(credential, &self.di_key, &options)
            .map_err(|error| SigningError::Sign(error.to_string()))
    }

    /// A learner record (a CLR nesting `credentials` signed credentials) with an
    /// `eddsa-rdfc-2022` proof made at `now`, canonicalized within the larger budget a record
    /// needs ([`Budget::for_record`]). The error is the proof's own, so the caller can tell a
    /// record too complex to sign from other failures.
    pub fn data_integrity_record(
        &self,
        record: &Value,
        now: DateTime<Utc>,
        credentials: usize,
    ) -> Result<Value, ProofError> {
        let options = ProofOptions {
            cryptosuite: Cryptosuite::EddsaRdfc2022,
            verification_method: self.di_method.clone(),
            created: now,
        };
        proof::sign_within(
            record,
            &self.di_key,
            &options,
            &Budget::for_record(credentials),
        )
    }

    /// `credential` as a compact VC-JWT, its `kid` the key's URL.
    pub fn jwt(&self, credential: &Value) -> Result<String, SigningError> {
        jwt::sign(credential, &self.jwt_key, Some(&self.jwt_kid))
            .map_err(|error| SigningError::Sign(error.to_string()))
    }
}
