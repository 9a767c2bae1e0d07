//! `Proof`: an embedded W3C Data Integrity proof (or a legacy linked-data signature).
//!
//! Only the fields of `DataIntegrityProof` are typed; anything else a suite adds
//! (`previousProof`, `@context`, `expires`, `jws`…) is kept in `extra` so a parsed proof
//! serializes back byte-for-byte equivalent, which proof verification depends on.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{DateTimeZ, vocab};

/// An embedded proof.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Proof {
    /// Optional identifier of the proof (used by proof chains).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Proof type, e.g. `"DataIntegrityProof"` or `"Ed25519Signature2020"` (a string).
    #[serde(rename = "type")]
    pub r#type: String,
    /// Cryptosuite, e.g. `"eddsa-rdfc-2022"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cryptosuite: Option<String>,
    /// When the proof was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTimeZ>,
    /// URL of the key (e.g. `did:key:z6Mk…#z6Mk…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_method: Option<String>,
    /// Why the proof was made, usually `"assertionMethod"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof_purpose: Option<String>,
    /// The multibase-encoded signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof_value: Option<String>,
    /// Challenge (for presentations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    /// Domain (for presentations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Nonce.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Proof {
    /// An unsigned `DataIntegrityProof` for `assertionMethod`; the signer fills `proof_value`.
    pub fn data_integrity(
        cryptosuite: impl Into<String>,
        created: DateTimeZ,
        verification_method: impl Into<String>,
    ) -> Self {
        Self {
            id: None,
            r#type: vocab::DATA_INTEGRITY_PROOF.to_owned(),
            cryptosuite: Some(cryptosuite.into()),
            created: Some(created),
            verification_method: Some(verification_method.into()),
            proof_purpose: Some(vocab::ASSERTION_METHOD.to_owned()),
            proof_value: None,
            challenge: None,
            domain: None,
            nonce: None,
            extra: Map::new(),
        }
    }
}
