//! [`StatusStore`](crate::StatusStore) on SQLite.

use super::*;

#[async_trait]
impl crate::StatusStore for SqliteStore {
    async fn allocate_status(
        &self,
        issuer_id: Uuid,
        purpose: &str,
        count: u32,
        size: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Allocation>> {
        status::allocate(self, issuer_id, purpose, count, size, now).await
    }

    async fn status_list(&self, id: Uuid) -> StoreResult<StatusList> {
        status::one_list(self, id).await
    }

    async fn status_lists(&self, issuer_id: Option<Uuid>) -> StoreResult<Vec<StatusList>> {
        status::lists(self, issuer_id).await
    }

    async fn save_status_credential(
        &self,
        list_id: Uuid,
        version: i64,
        credential: &str,
    ) -> StoreResult<bool> {
        status::save_credential(self, list_id, version, credential).await
    }

    async fn revoke_awards(
        &self,
        ids: &[Uuid],
        reason: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<StatusChange>> {
        status::revoke(self, ids, reason, at).await
    }

    async fn suspend_award(
        &self,
        id: Uuid,
        reason: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<StatusChange> {
        status::suspend(self, id, reason, at).await
    }

    async fn unsuspend_award(&self, id: Uuid) -> StoreResult<StatusChange> {
        status::unsuspend(self, id).await
    }

    async fn resign_status_lists(&self, issuer_id: Uuid) -> StoreResult<()> {
        let mut tx = self.write().await?;
        // 0 is below every list's version: each is signed again on its next read.
        sqlx::query("update status_lists set signed_version = 0 where issuer_id = $1")
            .bind(Id(issuer_id))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)
    }
}
