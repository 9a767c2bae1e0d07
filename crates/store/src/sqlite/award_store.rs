//! [`AwardStore`](crate::AwardStore) on SQLite.

use super::*;

#[async_trait]
impl crate::AwardStore for SqliteStore {
    async fn awards_for(&self, achievement_id: Uuid, emails: &[String]) -> StoreResult<Vec<Award>> {
        awards::awards_for(self, achievement_id, emails).await
    }

    async fn insert_awards(&self, awards: Vec<Award>, notify: bool) -> StoreResult<Vec<Stored>> {
        awards::insert(self, awards, notify).await
    }

    async fn award(&self, id: Uuid) -> StoreResult<Award> {
        awards::one(self, id).await
    }

    async fn awards_by_id(&self, ids: &[Uuid]) -> StoreResult<Vec<Award>> {
        awards::by_id(self, ids).await
    }

    async fn list_awards(&self, filter: &AwardFilter) -> StoreResult<(Vec<Award>, u64)> {
        awards::list(self, filter).await
    }

    async fn replace_credential(&self, award: &Award) -> StoreResult<()> {
        status::replace_credential(self, award).await
    }
}
