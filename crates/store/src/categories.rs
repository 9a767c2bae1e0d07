//! Continuing-education categories: each issuer's short list ("Technology", "Management"),
//! and the one category an achievement counts toward on transcripts.
//!
//! Kept beside the catalog rather than in the issuer and achievement rows: a category is
//! transcript bookkeeping, never signed into a credential, and the list is edited as a whole.
//! A category an achievement uses cannot be removed from the list (a foreign key), so a
//! transcript never shows a category its issuer no longer has.

use std::collections::HashMap;

use async_trait::async_trait;
use uuid::Uuid;

use crate::StoreResult;

/// Storage for CE categories.
#[async_trait]
pub trait CategoryStore: Send + Sync + 'static {
    /// The issuer's categories, in the order its staff set (empty if it has none).
    async fn ce_categories(&self, issuer_id: Uuid) -> StoreResult<Vec<String>>;

    /// Replaces the issuer's list with `names` (in this order; names compared exactly), in one
    /// transaction. [`crate::StoreError::NotFound`] if there is no such issuer;
    /// [`crate::StoreError::Conflict`] (naming the category) if a category left out is still
    /// an achievement's, and then nothing changes.
    async fn set_ce_categories(&self, issuer_id: Uuid, names: &[String]) -> StoreResult<()>;

    /// The category of each achievement that has one (of one issuer, or of all).
    async fn achievement_categories(
        &self,
        issuer_id: Option<Uuid>,
    ) -> StoreResult<HashMap<Uuid, String>>;

    /// Sets (or with `None` clears) an achievement's category. [`crate::StoreError::NotFound`]
    /// if there is no such achievement or its issuer has no such category.
    async fn set_achievement_category(
        &self,
        achievement_id: Uuid,
        category: Option<&str>,
    ) -> StoreResult<()>;
}
