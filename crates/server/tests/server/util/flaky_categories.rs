//! [`FlakyStore`]'s CE category calls: delegated, failing when the store is down.

use std::collections::HashMap;

use async_trait::async_trait;
use laurel_store::*;
use uuid::Uuid;

use super::FlakyStore;

#[async_trait]
impl CategoryStore for FlakyStore {
    async fn ce_categories(&self, issuer_id: Uuid) -> StoreResult<Vec<String>> {
        self.check()?;
        self.inner.ce_categories(issuer_id).await
    }

    async fn set_ce_categories(&self, issuer_id: Uuid, names: &[String]) -> StoreResult<()> {
        self.check()?;
        self.inner.set_ce_categories(issuer_id, names).await
    }

    async fn achievement_categories(
        &self,
        issuer_id: Option<Uuid>,
    ) -> StoreResult<HashMap<Uuid, String>> {
        self.check()?;
        self.inner.achievement_categories(issuer_id).await
    }

    async fn set_achievement_category(
        &self,
        achievement_id: Uuid,
        category: Option<&str>,
    ) -> StoreResult<()> {
        self.check()?;
        self.inner
            .set_achievement_category(achievement_id, category)
            .await
    }
}
