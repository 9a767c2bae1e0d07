//! CE categories as staff edit them: an issuer's short list, and one category per achievement.
//!
//! Names are checked here so the API and the console refuse the same things in the same
//! words: each name trimmed, at most [`MAX_NAME`] characters, at most [`MAX_CATEGORIES`] of
//! them, no two the same (ignoring case). An achievement's category must be on its issuer's
//! list; it is matched ignoring case and stored as the list spells it.

use uuid::Uuid;

use crate::{Service, ServiceError, ServiceResult};

/// The most categories an issuer may have (a transcript's totals fit on one line each).
pub const MAX_CATEGORIES: usize = 20;
/// The longest category name, in characters.
pub const MAX_NAME: usize = 60;

/// The list as it will be stored: names trimmed, blank ones dropped. An error in plain words
/// for a name too long, too many names, or the same name twice.
pub fn clean(names: &[String]) -> Result<Vec<String>, String> {
    let mut list: Vec<String> = Vec::new();
    for name in names {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        if name.chars().count() > MAX_NAME {
            return Err(format!(
                "“{name}” is longer than {MAX_NAME} characters; shorten it."
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(format!("“{name}” has a line break or tab in it."));
        }
        if list
            .iter()
            .any(|other| other.to_lowercase() == name.to_lowercase())
        {
            return Err(format!("“{name}” is listed twice."));
        }
        list.push(name.to_string());
    }
    if list.len() > MAX_CATEGORIES {
        return Err(format!(
            "{} categories is too many: keep it to {MAX_CATEGORIES} at most.",
            list.len()
        ));
    }
    Ok(list)
}

/// The issuer's categories, in their order.
pub async fn list(service: &Service, issuer_id: Uuid) -> ServiceResult<Vec<String>> {
    service
        .store
        .issuer(issuer_id)
        .await
        .map_err(|error| ServiceError::from_store(error, "issuer", issuer_id))?;
    Ok(service.store.ce_categories(issuer_id).await?)
}

/// Replaces the issuer's list (see [`clean`]) and returns it as stored. A category still set
/// on a badge cannot be left out: [`ServiceError::Conflict`] naming it.
pub async fn set(
    service: &Service,
    issuer_id: Uuid,
    names: &[String],
) -> ServiceResult<Vec<String>> {
    let list = clean(names).map_err(ServiceError::Invalid)?;
    match service.store.set_ce_categories(issuer_id, &list).await {
        Ok(()) => Ok(list),
        Err(laurel_store::StoreError::Conflict(what)) => Err(ServiceError::Conflict(format!(
            "{what}: choose another category for those badges first."
        ))),
        Err(error) => Err(ServiceError::from_store(error, "issuer", issuer_id)),
    }
}

/// The achievement's category, if it has one.
pub async fn of_achievement(
    service: &Service,
    achievement_id: Uuid,
) -> ServiceResult<Option<String>> {
    let achievement = service
        .store
        .achievement(achievement_id)
        .await
        .map_err(|error| ServiceError::from_store(error, "achievement", achievement_id))?;
    Ok(service
        .store
        .achievement_categories(Some(achievement.issuer_id))
        .await?
        .remove(&achievement_id))
}

/// The category `wanted` names among `issuer_id`'s, as the issuer's list spells it (`None`
/// for `None` or blank text). [`ServiceError::Invalid`] naming it and listing the choices if
/// the issuer has no such category. Stores nothing: forms and API bodies that carry a
/// category check it with this before anything is saved.
pub async fn resolve(
    service: &Service,
    issuer_id: Uuid,
    wanted: Option<&str>,
) -> ServiceResult<Option<String>> {
    let Some(wanted) = wanted.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let list = service.store.ce_categories(issuer_id).await?;
    match list
        .iter()
        .find(|name| name.to_lowercase() == wanted.to_lowercase())
    {
        Some(name) => Ok(Some(name.clone())),
        None if list.is_empty() => Err(ServiceError::Invalid(format!(
            "“{wanted}” is not a category of this issuer, which has none yet: add categories to the issuer first."
        ))),
        None => Err(ServiceError::Invalid(format!(
            "“{wanted}” is not a category of this issuer. Choose one of: {}.",
            list.join(", ")
        ))),
    }
}

/// Sets (or with `None` or blank text clears) the achievement's category; returns it as its
/// issuer's list spells it. [`ServiceError::Invalid`] listing the choices if the issuer has no
/// such category (see [`resolve`]).
pub async fn set_for_achievement(
    service: &Service,
    achievement_id: Uuid,
    category: Option<&str>,
) -> ServiceResult<Option<String>> {
    let achievement = service
        .store
        .achievement(achievement_id)
        .await
        .map_err(|error| ServiceError::from_store(error, "achievement", achievement_id))?;
    let chosen = resolve(service, achievement.issuer_id, category).await?;
    store_for_achievement(service, achievement_id, chosen.as_deref()).await?;
    Ok(chosen)
}

/// Stores `category` (already [`resolve`]d) as the achievement's, or clears it.
pub async fn store_for_achievement(
    service: &Service,
    achievement_id: Uuid,
    category: Option<&str>,
) -> ServiceResult<()> {
    service
        .store
        .set_achievement_category(achievement_id, category)
        .await
        .map_err(|error| ServiceError::from_store(error, "achievement", achievement_id))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn lists_are_cleaned_and_checked() {
        assert_eq!(
            clean(&names(&[" Technology ", "", "Management"])).unwrap(),
            names(&["Technology", "Management"])
        );
        assert!(
            clean(&names(&["Tech", "tech"]))
                .unwrap_err()
                .contains("twice")
        );
        assert!(
            clean(&names(&[&"x".repeat(61)]))
                .unwrap_err()
                .contains("60")
        );
        let many: Vec<String> = (0..21).map(|i| format!("C{i}")).collect();
        assert!(clean(&many).unwrap_err().contains("too many"));
        assert!(clean(&names(&["a\tb"])).is_err());
    }
}
