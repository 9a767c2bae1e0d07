//! Endorsements: another organisation's signed word on an achievement or an issuer.
//!
//! The row keeps the `EndorsementCredential` exactly as it was signed (by this service with a
//! hosted endorser's key, or imported as the endorser signed it), so what credentials issued
//! later embed is byte for byte what was checked. Who endorsed and what they said are copied
//! beside it for lists and pages, which then need not parse the credential. An endorsement is
//! never edited: it is withdrawn (kept, no longer embedded or shown) and, if need be, a new one
//! recorded.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::StoreResult;

/// How an endorsement came to be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndorsementOrigin {
    /// Signed here, with the keys of an endorser hosted on this service.
    Signed,
    /// Signed by the endorser elsewhere and imported (verified on import).
    Imported,
}

impl EndorsementOrigin {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            EndorsementOrigin::Signed => "signed",
            EndorsementOrigin::Imported => "imported",
        }
    }

    /// Reads [`as_str`](Self::as_str)'s word back.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "signed" => Some(EndorsementOrigin::Signed),
            "imported" => Some(EndorsementOrigin::Imported),
            _ => None,
        }
    }
}

/// One endorsement of an achievement (`achievement_id` set) or of an issuer (`None`).
#[derive(Debug, Clone, PartialEq)]
pub struct Endorsement {
    /// Stable id; the public copy is `{public_url}/endorsements/{id}`.
    pub id: Uuid,
    /// The hosted issuer endorsed, or whose achievement is endorsed.
    pub issuer_id: Uuid,
    /// The achievement endorsed; `None` when the issuer itself is.
    pub achievement_id: Option<Uuid>,
    /// The endorser's profile id (URL or DID), the credential's `issuer.id`.
    pub endorser_id: String,
    /// The endorser's name, as the credential gives it.
    pub endorser_name: String,
    /// The endorser, when it is an issuer hosted on this service.
    pub endorser_issuer_id: Option<Uuid>,
    /// The endorser's comment (`endorsementComment`), if any.
    pub comment: Option<String>,
    /// Signed here or imported.
    pub origin: EndorsementOrigin,
    /// The signed `EndorsementCredential` (JSON), as signed.
    pub credential: String,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// When it was withdrawn; withdrawn endorsements are not embedded in new credentials.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// Storage for endorsements.
#[async_trait]
pub trait EndorsementStore: Send + Sync + 'static {
    /// Stores a new endorsement: [`crate::StoreError::NotFound`] if its issuer, achievement or
    /// hosted endorser does not exist, [`crate::StoreError::Conflict`] if the id is taken.
    async fn create_endorsement(&self, endorsement: &Endorsement) -> StoreResult<()>;

    /// One endorsement, withdrawn or not.
    async fn endorsement(&self, id: Uuid) -> StoreResult<Endorsement>;

    /// The endorsements of an issuer itself (`achievement_id` `None`) or of one of its
    /// achievements, withdrawn ones included, oldest first.
    async fn endorsements_of(
        &self,
        issuer_id: Uuid,
        achievement_id: Option<Uuid>,
    ) -> StoreResult<Vec<Endorsement>>;

    /// Marks an endorsement withdrawn at `at` (a second withdrawal keeps the first time) and
    /// returns it; [`crate::StoreError::NotFound`] if there is none.
    async fn withdraw_endorsement(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<Endorsement>;
}
