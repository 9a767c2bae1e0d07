//! [`FlakyStore`]'s wallet and OpenID4VCI calls: delegated, failing when the store is down.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use laurel_store::*;
use uuid::Uuid;

use super::FlakyStore;

#[async_trait]
impl WalletStore for FlakyStore {
    async fn create_claim_link(&self, link: &ClaimLink) -> StoreResult<()> {
        self.check()?;
        self.inner.create_claim_link(link).await
    }

    async fn create_claim_links(&self, links: &[ClaimLink]) -> StoreResult<()> {
        self.check()?;
        self.inner.create_claim_links(links).await
    }

    async fn claim_link_by_hash(&self, token_sha256: &str) -> StoreResult<Option<ClaimLink>> {
        self.check()?;
        self.inner.claim_link_by_hash(token_sha256).await
    }

    async fn claim_link(&self, id: Uuid) -> StoreResult<ClaimLink> {
        self.check()?;
        self.inner.claim_link(id).await
    }

    async fn redeem_claim_link(&self, redemption: &Redemption) -> StoreResult<()> {
        self.check()?;
        self.inner.redeem_claim_link(redemption).await
    }

    async fn create_exchange(&self, exchange: &WalletExchange) -> StoreResult<()> {
        self.check()?;
        self.inner.create_exchange(exchange).await
    }

    async fn exchange(&self, id: Uuid) -> StoreResult<WalletExchange> {
        self.check()?;
        self.inner.exchange(id).await
    }

    async fn open_exchange(
        &self,
        claim_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<WalletExchange>> {
        self.check()?;
        self.inner.open_exchange(claim_id, now).await
    }

    async fn insert_wallet_copy(&self, copy: &WalletCopy) -> StoreResult<()> {
        self.check()?;
        self.inner.insert_wallet_copy(copy).await
    }

    async fn wallet_copies(&self, award_id: Uuid) -> StoreResult<Vec<WalletCopy>> {
        self.check()?;
        self.inner.wallet_copies(award_id).await
    }

    async fn delete_expired_exchanges(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        self.check()?;
        self.inner.delete_expired_exchanges(before).await
    }
}

#[async_trait]
impl Oid4vciStore for FlakyStore {
    async fn create_credential_offer(&self, offer: &CredentialOffer) -> StoreResult<()> {
        self.check()?;
        self.inner.create_credential_offer(offer).await
    }

    async fn credential_offer(
        &self,
        secret: OfferSecret<'_>,
    ) -> StoreResult<Option<CredentialOffer>> {
        self.check()?;
        self.inner.credential_offer(secret).await
    }

    async fn grant_access_token(
        &self,
        offer_id: Uuid,
        token_sha256: &str,
        token_expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.check()?;
        self.inner
            .grant_access_token(offer_id, token_sha256, token_expires_at)
            .await
    }

    async fn create_nonce(
        &self,
        nonce_sha256: &str,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.check()?;
        self.inner
            .create_nonce(nonce_sha256, created_at, expires_at)
            .await
    }

    async fn use_nonce(&self, nonce_sha256: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        self.check()?;
        self.inner.use_nonce(nonce_sha256, now).await
    }

    async fn redeem_credential_offer(
        &self,
        offer_id: Uuid,
        redemption: &Redemption,
    ) -> StoreResult<()> {
        self.check()?;
        self.inner
            .redeem_credential_offer(offer_id, redemption)
            .await
    }

    async fn delete_expired_oid4vci(&self, before: DateTime<Utc>) -> StoreResult<ExpiredOid4vci> {
        self.check()?;
        self.inner.delete_expired_oid4vci(before).await
    }
}

#[async_trait]
impl EndorsementStore for FlakyStore {
    async fn create_endorsement(&self, endorsement: &Endorsement) -> StoreResult<()> {
        self.check()?;
        self.inner.create_endorsement(endorsement).await
    }

    async fn endorsement(&self, id: Uuid) -> StoreResult<Endorsement> {
        self.check()?;
        self.inner.endorsement(id).await
    }

    async fn endorsements_of(
        &self,
        issuer_id: Uuid,
        achievement_id: Option<Uuid>,
    ) -> StoreResult<Vec<Endorsement>> {
        self.check()?;
        self.inner.endorsements_of(issuer_id, achievement_id).await
    }

    async fn withdraw_endorsement(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<Endorsement> {
        self.check()?;
        self.inner.withdraw_endorsement(id, at).await
    }
}
