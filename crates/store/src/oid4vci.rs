//! OpenID4VCI: the credential offers a claim page shows, and the nonces wallets sign over.
//!
//! Every secret of the pre-authorized code flow (the offer URL's secret, the pre-authorized
//! code, the access token, the `c_nonce`) is kept only as its SHA-256, so a leaked database
//! hands out nothing. Each step is single-use through one conditional update: a code is traded
//! for a token once ("where token_sha256 is null"), a nonce is used once ("where used_at is
//! null"), and an offer hands out one credential, in the same transaction that marks its claim
//! link used and stores the copy ([`Oid4vciStore::redeem_credential_offer`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Redemption, StoreResult};

/// A credential offer made from a claim link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialOffer {
    /// Stable id.
    pub id: Uuid,
    /// The claim link it hands out.
    pub claim_id: Uuid,
    /// SHA-256 (lowercase hex) of the secret in the offer's URL.
    pub offer_sha256: String,
    /// SHA-256 of the pre-authorized code.
    pub code_sha256: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// The code is refused after this.
    pub expires_at: DateTime<Utc>,
    /// SHA-256 of the access token the code was traded for (once).
    pub token_sha256: Option<String>,
    /// The token is refused after this.
    pub token_expires_at: Option<DateTime<Utc>>,
    /// When a credential was handed out through it (it is single-use).
    pub used_at: Option<DateTime<Utc>>,
}

/// Which secret of an offer to look it up by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferSecret<'a> {
    /// The SHA-256 of the offer URL's secret.
    Offer(&'a str),
    /// The SHA-256 of the pre-authorized code.
    Code(&'a str),
    /// The SHA-256 of the access token.
    Token(&'a str),
}

/// Storage for OpenID4VCI offers and nonces.
#[async_trait]
pub trait Oid4vciStore: Send + Sync + 'static {
    /// Stores a new offer; [`crate::StoreError::NotFound`] if its claim link does not exist.
    async fn create_credential_offer(&self, offer: &CredentialOffer) -> StoreResult<()>;

    /// The offer one of its secrets names, used or not.
    async fn credential_offer(
        &self,
        secret: OfferSecret<'_>,
    ) -> StoreResult<Option<CredentialOffer>>;

    /// Records the access token the offer's code was traded for;
    /// [`crate::StoreError::Conflict`] if the code was already traded.
    async fn grant_access_token(
        &self,
        offer_id: Uuid,
        token_sha256: &str,
        token_expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Stores a new nonce.
    async fn create_nonce(
        &self,
        nonce_sha256: &str,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Uses a nonce: true if it existed, was unused and unexpired at `now` (it is used now).
    async fn use_nonce(&self, nonce_sha256: &str, now: DateTime<Utc>) -> StoreResult<bool>;

    /// In one transaction: marks the offer used, its claim link used and stores the copy;
    /// [`crate::StoreError::Conflict`] (and nothing changed) if either was already used.
    async fn redeem_credential_offer(
        &self,
        offer_id: Uuid,
        redemption: &Redemption,
    ) -> StoreResult<()>;

    /// Deletes what can no longer be used and expired before `before`: offers whose code and
    /// access token (if one was granted) both expired then, and nonces expired then, used or
    /// not. What an offer handed out stays (the copy is kept with the award).
    async fn delete_expired_oid4vci(&self, before: DateTime<Utc>) -> StoreResult<ExpiredOid4vci>;
}

/// What [`Oid4vciStore::delete_expired_oid4vci`] deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExpiredOid4vci {
    /// Credential offers.
    pub offers: u64,
    /// Nonces.
    pub nonces: u64,
}
