//! Issuer Profiles and Achievements as Open Badges objects, built from store rows.
//!
//! Minting embeds these objects in credentials and public hosting serves them at their ids,
//! so both go through the functions here and cannot drift apart: what a verifier fetches at
//! an achievement's URL is what the credential says (as of now; credentials keep the version
//! they were signed with).
//!
//! Images are referenced by their public file name, `{sha256}.png` or `{sha256}.svg`, which is
//! what the `image` field of an issuer or achievement row holds: the URL can then be built
//! without reading the image table.

use laurel_core::model::{self, Alignment, Criteria, Image, OneOrMany, Profile, vocab};
use serde_json::{Map, Number, Value};

use crate::Urls;

pub mod keys;

/// Why a stored row could not be turned into a document (a corrupt row: a bug or a hand edit).
#[derive(Debug, thiserror::Error)]
#[error("stored {what} is unreadable: {detail}")]
pub struct DocumentError {
    what: &'static str,
    detail: String,
}

impl From<DocumentError> for crate::ServiceError {
    fn from(error: DocumentError) -> Self {
        crate::ServiceError::Internal(error.to_string())
    }
}

/// The `@context` of standalone documents: the same contexts credentials use.
pub fn contexts() -> Value {
    Value::Array(vec![vocab::VC_CONTEXT_V2.into(), vocab::OB_CONTEXT.into()])
}

/// The image file name to store in an issuer's or achievement's `image` field.
pub fn image_file_name(sha256: &str, content_type: &str) -> String {
    let extension = if content_type == "image/svg+xml" {
        "svg"
    } else {
        "png"
    };
    format!("{sha256}.{extension}")
}

/// Splits a stored image file name into its SHA-256 and content type.
pub fn parse_image_file_name(name: &str) -> (&str, &'static str) {
    match name.rsplit_once('.') {
        Some((sha256, "svg")) => (sha256, "image/svg+xml"),
        Some((sha256, _)) => (sha256, "image/png"),
        None => (name, "image/png"),
    }
}

/// The public URL of a stored image file name.
pub fn image_url(urls: &Urls, stored: &str) -> String {
    let (sha256, content_type) = parse_image_file_name(stored);
    urls.image(sha256, content_type)
}

/// An issuer as an Open Badges `Profile` (to embed in credentials).
pub fn issuer_profile(urls: &Urls, issuer: &laurel_store::Issuer) -> Profile {
    let mut profile = Profile::new(urls.issuer(issuer.id), issuer.name.clone());
    profile.url = issuer.url.clone();
    profile.email = issuer.email.clone();
    profile.description = issuer.description.clone();
    profile.image = issuer
        .image
        .as_deref()
        .map(|stored| Image::new(image_url(urls, stored)));
    profile
}

/// An achievement as an Open Badges `Achievement` (to embed in credentials).
pub fn achievement(
    urls: &Urls,
    achievement: &laurel_store::Achievement,
) -> Result<model::Achievement, DocumentError> {
    let criteria = Criteria {
        id: achievement.criteria_url.clone(),
        narrative: achievement.criteria_narrative.clone(),
        ..Criteria::default()
    };
    let mut document = model::Achievement::new(
        urls.achievement(achievement.id),
        achievement.name.clone(),
        achievement.description.clone(),
        criteria,
    );
    document.achievement_type = achievement.achievement_type.clone();
    document.tag = OneOrMany::Many(achievement.tags.clone());
    document.alignment = OneOrMany::Many(alignments(&achievement.alignment)?);
    document.credits_available = achievement.credits_available.and_then(number);
    document.image = achievement
        .image
        .as_deref()
        .map(|stored| Image::new(image_url(urls, stored)));
    Ok(document)
}

/// The stored alignment text (a JSON array of Open Badges `Alignment` objects).
pub fn alignments(stored: &str) -> Result<Vec<Alignment>, DocumentError> {
    if stored.trim().is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_str(stored).map_err(|error| DocumentError {
        what: "alignment",
        detail: error.to_string(),
    })
}

/// A standalone issuer Profile document (JSON-LD with `@context`), for the issuer's id URL.
pub fn profile_document(urls: &Urls, issuer: &laurel_store::Issuer) -> Value {
    with_context(serde_json::to_value(issuer_profile(urls, issuer)))
}

/// A standalone Achievement document (JSON-LD with `@context`), for the achievement's id URL.
pub fn achievement_document(
    urls: &Urls,
    stored: &laurel_store::Achievement,
) -> Result<Value, DocumentError> {
    Ok(with_context(serde_json::to_value(achievement(
        urls, stored,
    )?)))
}

/// Hours as a JSON number: whole numbers without a fraction (`36`, not `36.0`).
pub(crate) fn number(value: f64) -> Option<Number> {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        // Exact: a whole number below 2^53 converts to i64 without loss.
        Some(Number::from(value as i64))
    } else {
        Number::from_f64(value)
    }
}

/// Puts `@context` first, as JSON-LD readers expect to see it.
fn with_context(document: Result<Value, serde_json::Error>) -> Value {
    let mut map = Map::new();
    map.insert("@context".into(), contexts());
    // The model types serialize to objects and cannot fail (no maps with non-string keys).
    if let Ok(Value::Object(fields)) = document {
        map.extend(fields);
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use uuid::Uuid;

    fn urls() -> Urls {
        Urls::new("https://badges.example.org")
    }

    fn stored_achievement() -> laurel_store::Achievement {
        let at = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("date");
        laurel_store::Achievement {
            id: Uuid::nil(),
            issuer_id: Uuid::nil(),
            name: "Cataloguing".into(),
            description: "Three hours".into(),
            criteria_narrative: Some("Attend".into()),
            criteria_url: None,
            image: Some(format!("{}.svg", "ab".repeat(32))),
            achievement_type: Some("Course".into()),
            tags: vec!["library".into()],
            alignment:
                r#"[{"type":["Alignment"],"targetName":"X","targetUrl":"https://x.example/1"}]"#
                    .into(),
            credits_available: Some(3.0),
            valid_for_days: None,
            award_rules: "[]".into(),
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn achievement_document_has_context_first_and_whole_credits() {
        let document = achievement_document(&urls(), &stored_achievement()).expect("document");
        let keys: Vec<&String> = document.as_object().expect("object").keys().collect();
        assert_eq!(keys[0], "@context");
        assert_eq!(document["creditsAvailable"], serde_json::json!(3));
        assert_eq!(document["type"], serde_json::json!(["Achievement"]));
        assert_eq!(
            document["criteria"],
            serde_json::json!({"narrative": "Attend"})
        );
        assert_eq!(
            document["image"]["id"],
            format!("https://badges.example.org/images/{}.svg", "ab".repeat(32))
        );
        assert_eq!(document["alignment"][0]["targetName"], "X");
    }

    #[test]
    fn image_names_round_trip() {
        let name = image_file_name("00ff", "image/svg+xml");
        assert_eq!(parse_image_file_name(&name), ("00ff", "image/svg+xml"));
        assert_eq!(
            parse_image_file_name(&image_file_name("00ff", "image/png")),
            ("00ff", "image/png")
        );
    }
}
