//! Small `{id, type}` service objects of a credential: `credentialSchema`, `refreshService`,
//! `termsOfUse`.
//!
//! Their `type` is a single string in the OB schema. The 1EdTech types used here
//! (`1EdTechJsonSchemaValidator2019`, `1EdTechCredentialRefresh`) require the OB extensions
//! context, which [`Credential::ensure_contexts`](super::Credential::ensure_contexts) adds.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::vocab;

/// A JSON Schema the credential claims to conform to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialSchema {
    /// URL of the schema.
    pub id: String,
    /// Validator type, e.g. `"1EdTechJsonSchemaValidator2019"`.
    #[serde(rename = "type")]
    pub r#type: String,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl CredentialSchema {
    /// A `1EdTechJsonSchemaValidator2019` schema at `id`.
    pub fn one_edtech(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            r#type: vocab::ONE_EDTECH_JSON_SCHEMA_VALIDATOR_2019.to_owned(),
            extra: Map::new(),
        }
    }

    /// The official AchievementCredential schema.
    pub fn achievement_credential() -> Self {
        Self::one_edtech(vocab::ACHIEVEMENT_CREDENTIAL_SCHEMA)
    }

    /// The official EndorsementCredential schema.
    pub fn endorsement_credential() -> Self {
        Self::one_edtech(vocab::ENDORSEMENT_CREDENTIAL_SCHEMA)
    }
}

/// Where a holder can get a refreshed version of the credential.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefreshService {
    /// URL of the service.
    pub id: String,
    /// Service type, e.g. `"1EdTechCredentialRefresh"`.
    #[serde(rename = "type")]
    pub r#type: String,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl RefreshService {
    /// A `1EdTechCredentialRefresh` service at `id`.
    pub fn one_edtech(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            r#type: vocab::ONE_EDTECH_CREDENTIAL_REFRESH.to_owned(),
            extra: Map::new(),
        }
    }
}

/// Terms under which the credential was issued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermsOfUse {
    /// URI of the terms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Type of the terms.
    #[serde(rename = "type")]
    pub r#type: String,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
