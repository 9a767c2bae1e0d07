//! [`EmailStore`](crate::EmailStore) on SQLite.

use super::*;

#[async_trait]
impl crate::EmailStore for SqliteStore {
    async fn email_settings(&self, issuer_id: Uuid) -> StoreResult<Option<EmailSettings>> {
        email::settings(self, issuer_id).await
    }

    async fn set_email_settings(&self, settings: &EmailSettings) -> StoreResult<()> {
        email::set_settings(self, settings).await
    }

    async fn delete_email_settings(&self, issuer_id: Uuid) -> StoreResult<bool> {
        email::delete_settings(self, issuer_id).await
    }

    async fn email_template(&self, owner_id: Uuid) -> StoreResult<Option<EmailTemplate>> {
        email::template(self, owner_id).await
    }

    async fn set_email_template(&self, template: &EmailTemplate) -> StoreResult<()> {
        email::set_template(self, template).await
    }

    async fn delete_email_template(&self, owner_id: Uuid) -> StoreResult<bool> {
        email::delete_template(self, owner_id).await
    }

    async fn notification(&self, award_id: Uuid) -> StoreResult<Option<Notification>> {
        email::one(self, award_id).await
    }

    async fn list_notifications(
        &self,
        filter: &NotificationFilter,
    ) -> StoreResult<(Vec<Notification>, u64)> {
        email::list(self, filter).await
    }

    async fn queue_notifications(
        &self,
        award_ids: &[Uuid],
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<Requeued>> {
        email::queue(self, award_ids, at).await
    }

    async fn resend_notifications(
        &self,
        achievement_id: Uuid,
        which: &[Resend],
        at: DateTime<Utc>,
    ) -> StoreResult<u64> {
        email::resend(self, achievement_id, which, at).await
    }

    async fn claim_notifications(
        &self,
        claim: Uuid,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Notification>> {
        email::claim(self, claim, now, lease_until, limit).await
    }

    async fn finish_notifications(&self, deliveries: &[Delivery]) -> StoreResult<()> {
        email::finish(self, deliveries).await
    }
}
