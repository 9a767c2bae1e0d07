//! Credential subjects: `AchievementSubject` (the learner and what they achieved, with any
//! `AchievementResult`s) and `EndorsementSubject` (the endorsed entity).
//!
//! `activityStartDate`/`activityEndDate` are OB `DateTime`s, whose timezone is optional, so they
//! stay plain strings instead of [`DateTimeZ`](super::DateTimeZ): rejecting a whole credential
//! over a display-only date would help nobody. `creditsEarned` is a [`Number`] so `42` does not
//! come back as `42.0`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use super::{Achievement, Alignment, IdentityObject, Image, OneOrMany, Profile, type_list, vocab};

/// The recipient of an Open Badges credential and the achievement awarded.
///
/// At least one of `id` and `identifier` must be present (the builder checks it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AchievementSubject {
    /// URI of the recipient, typically a DID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Contains `"AchievementSubject"`.
    #[serde(rename = "type")]
    pub r#type: OneOrMany<String>,
    /// When the activity ended (kept as text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity_end_date: Option<String>,
    /// When the activity started (kept as text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity_start_date: Option<String>,
    /// Credits earned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credits_earned: Option<Number>,
    /// The achievement awarded.
    pub achievement: Achievement,
    /// Other identities of the recipient (e.g. a hashed email).
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub identifier: OneOrMany<IdentityObject>,
    /// Image specific to this award.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    /// License number issued with the credential.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_number: Option<String>,
    /// Markdown narrative connecting the evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// Results (grades, statuses…).
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub result: OneOrMany<AchievementResult>,
    /// Role of the recipient, e.g. "Intern".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Organization that assessed the recipient, if not the issuer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Box<Profile>>,
    /// Academic term.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term: Option<String>,
    /// Properties not modelled above (e.g. a VCDM `name`), kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AchievementSubject {
    /// A subject identified by a URI (e.g. a DID).
    pub fn with_id(id: impl Into<String>, achievement: Achievement) -> Self {
        let mut subject = Self::bare(achievement);
        subject.id = Some(id.into());
        subject
    }

    /// A subject identified by an [`IdentityObject`] (e.g. a hashed email) and no `id`.
    pub fn with_identifier(identity: IdentityObject, achievement: Achievement) -> Self {
        let mut subject = Self::bare(achievement);
        subject.identifier.push(identity);
        subject
    }

    fn bare(achievement: Achievement) -> Self {
        Self {
            id: None,
            r#type: type_list(vocab::ACHIEVEMENT_SUBJECT),
            activity_end_date: None,
            activity_start_date: None,
            credits_earned: None,
            achievement,
            identifier: OneOrMany::default(),
            image: None,
            license_number: None,
            narrative: None,
            result: OneOrMany::default(),
            role: None,
            source: None,
            term: None,
            extra: Map::new(),
        }
    }
}

/// A result of the achievement (OB `Result`; renamed to avoid clashing with `std::result`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AchievementResult {
    /// Contains `"Result"`.
    #[serde(rename = "type")]
    pub r#type: OneOrMany<String>,
    /// `id` of the achieved rubric criterion level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub achieved_level: Option<String>,
    /// Alignments of the result.
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub alignment: OneOrMany<Alignment>,
    /// `id` of the `ResultDescription` this result reports on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_description: Option<String>,
    /// Status (`Completed`, `Enrolled`, `Failed`, `InProgress`, `OnHold`, `Provisional`,
    /// `Withdrew`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The value, e.g. a grade.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AchievementResult {
    /// A result with `type: ["Result"]` and nothing else.
    pub fn new() -> Self {
        Self {
            r#type: type_list(vocab::RESULT),
            achieved_level: None,
            alignment: OneOrMany::default(),
            result_description: None,
            status: None,
            value: None,
            extra: Map::new(),
        }
    }

    /// A result with the given status, e.g. `"Completed"`.
    pub fn with_status(status: impl Into<String>) -> Self {
        Self {
            status: Some(status.into()),
            ..Self::new()
        }
    }
}

impl Default for AchievementResult {
    fn default() -> Self {
        Self::new()
    }
}

/// The subject of an endorsement credential: the endorsed profile, achievement or credential.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndorsementSubject {
    /// URI of the endorsed entity.
    pub id: String,
    /// Contains `"EndorsementSubject"`.
    #[serde(rename = "type")]
    pub r#type: OneOrMany<String>,
    /// The endorser's comment (Markdown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endorsement_comment: Option<String>,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl EndorsementSubject {
    /// Endorses the entity `id` with an optional comment.
    pub fn new(id: impl Into<String>, comment: Option<String>) -> Self {
        Self {
            id: id.into(),
            r#type: type_list(vocab::ENDORSEMENT_SUBJECT),
            endorsement_comment: comment,
            extra: Map::new(),
        }
    }
}
