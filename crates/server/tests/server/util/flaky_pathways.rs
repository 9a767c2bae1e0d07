//! [`FlakyStore`]'s pathway and transcript link calls: delegated, failing when the store is
//! down.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use laurel_store::*;
use uuid::Uuid;

use super::FlakyStore;

#[async_trait]
impl PathwayStore for FlakyStore {
    async fn set_pathway(&self, pathway: &Pathway) -> StoreResult<()> {
        self.check()?;
        self.inner.set_pathway(pathway).await
    }

    async fn delete_pathway(&self, achievement_id: Uuid) -> StoreResult<bool> {
        self.check()?;
        self.inner.delete_pathway(achievement_id).await
    }

    async fn pathway(&self, achievement_id: Uuid) -> StoreResult<Option<Pathway>> {
        self.check()?;
        self.inner.pathway(achievement_id).await
    }

    async fn pathways(&self, issuer_id: Option<Uuid>) -> StoreResult<Vec<Pathway>> {
        self.check()?;
        self.inner.pathways(issuer_id).await
    }

    async fn pathways_requiring(&self, achievement_ids: &[Uuid]) -> StoreResult<Vec<Pathway>> {
        self.check()?;
        self.inner.pathways_requiring(achievement_ids).await
    }

    async fn record_invitation(&self, invitation: &Invitation) -> StoreResult<bool> {
        self.check()?;
        self.inner.record_invitation(invitation).await
    }

    async fn invitations(&self, achievement_id: Uuid) -> StoreResult<Vec<Invitation>> {
        self.check()?;
        self.inner.invitations(achievement_id).await
    }

    async fn claim_invitations(
        &self,
        claim: Uuid,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Invitation>> {
        self.check()?;
        self.inner
            .claim_invitations(claim, now, lease_until, limit)
            .await
    }

    async fn finish_invitations(&self, deliveries: &[InvitationDelivery]) -> StoreResult<()> {
        self.check()?;
        self.inner.finish_invitations(deliveries).await
    }
}

#[async_trait]
impl TranscriptLinkStore for FlakyStore {
    async fn record_transcript_link(&self, link: &TranscriptLink) -> StoreResult<()> {
        self.check()?;
        self.inner.record_transcript_link(link).await
    }

    async fn transcript_link(&self, id: Uuid) -> StoreResult<Option<TranscriptLink>> {
        self.check()?;
        self.inner.transcript_link(id).await
    }

    async fn claim_transcript_links(
        &self,
        claim: Uuid,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<TranscriptLink>> {
        self.check()?;
        self.inner
            .claim_transcript_links(claim, now, lease_until, limit)
            .await
    }

    async fn finish_transcript_links(
        &self,
        deliveries: &[TranscriptLinkDelivery],
    ) -> StoreResult<()> {
        self.check()?;
        self.inner.finish_transcript_links(deliveries).await
    }

    async fn delete_expired_transcript_links(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        self.check()?;
        self.inner.delete_expired_transcript_links(before).await
    }
}
