//! Copies: a badge duplicated to make a similar one without typing it again.
//!
//! A copy is a new achievement (a new id, so a new Open Badges `Achievement` document) named
//! "Copy of …", with everything else of the original: description, criteria, image, type,
//! tags, alignment, credits, validity and award rules. Nothing issued is copied: the copy has
//! no awards, and its rules award only when evaluated (as for any new badge).

use laurel_store::Achievement;
use uuid::Uuid;

use crate::fields::MAX_NAME;
use crate::{Service, ServiceError, ServiceResult};

/// The copy of `original`, made at `now` (not stored).
pub fn copy_of(original: &Achievement, now: chrono::DateTime<chrono::Utc>) -> Achievement {
    let mut name = format!("Copy of {}", original.name);
    if name.chars().count() > MAX_NAME {
        name = name.chars().take(MAX_NAME).collect();
    }
    Achievement {
        id: Uuid::now_v7(),
        name,
        created_at: now,
        updated_at: now,
        ..original.clone()
    }
}

/// Stores a copy of achievement `id`: the copy.
pub async fn duplicate_achievement(service: &Service, id: Uuid) -> ServiceResult<Achievement> {
    let original = service
        .store
        .achievement(id)
        .await
        .map_err(|error| ServiceError::from_store(error, "achievement", id))?;
    let copy = copy_of(&original, service.clock.now());
    service.store.create_achievement(&copy).await?;
    Ok(copy)
}
