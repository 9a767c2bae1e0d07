//! The catalog's input checks: what an achievement may say (its Open Badges type, tags,
//! credits, validity) and whether a credential for it would pass the Open Badges schema.
//!
//! Shared by the admin API and the console, so an achievement refused by one is refused by the
//! other with the same words.

use laurel_core::model::{AchievementSubject, IdentityObject, OpenBadgeCredential};
use laurel_core::schema::Schema;
use laurel_store::{Achievement, Issuer};
use serde_json::Value;
use uuid::Uuid;

use crate::documents;
use crate::fields::{self, MAX_NAME};
use crate::{Service, ServiceError, ServiceResult};

/// The Open Badges 3.0 `achievementType` values (besides `ext:…` extensions).
pub const ACHIEVEMENT_TYPES: &[&str] = &[
    "Achievement",
    "ApprenticeshipCertificate",
    "Assessment",
    "Assignment",
    "AssociateDegree",
    "Award",
    "Badge",
    "BachelorDegree",
    "Certificate",
    "CertificateOfCompletion",
    "Certification",
    "CommunityService",
    "Competency",
    "Course",
    "CoCurricular",
    "Degree",
    "Diploma",
    "DoctoralDegree",
    "Fieldwork",
    "GeneralEducationDevelopment",
    "JourneymanCertificate",
    "LearningProgram",
    "License",
    "Membership",
    "ProfessionalDoctorate",
    "QualityAssuranceCredential",
    "MasterCertificate",
    "MasterDegree",
    "MicroCredential",
    "ResearchDoctorate",
    "SecondarySchoolDiploma",
];

/// The Open Badges 3.0 alignment `targetType` values (besides `ext:…`).
pub const TARGET_TYPES: &[&str] = &[
    "ceasn:Competency",
    "ceterms:Credential",
    "CFItem",
    "CFRubric",
    "CFRubricCriterion",
    "CFRubricCriterionLevel",
    "CTDL",
];

/// The most tags and alignments an achievement may have.
pub const MAX_LIST: usize = 50;
/// The longest validity period accepted, in days (a century).
pub const MAX_VALID_FOR_DAYS: i64 = 36_500;

/// An Open Badges `achievementType` (or an `ext:` extension), trimmed; blank becomes absent.
pub fn achievement_type(value: Option<&str>) -> ServiceResult<Option<String>> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if ACHIEVEMENT_TYPES.contains(&value) || is_extension(value) {
        Ok(Some(value.to_string()))
    } else {
        Err(ServiceError::Invalid(format!(
            "achievement_type {value:?} is not an Open Badges type: use one of {} or an extension such as ext:Workshop",
            ACHIEVEMENT_TYPES.join(", ")
        )))
    }
}

/// `ext:` followed by letters, digits, `.`, `-` or `_` (the Open Badges extension pattern).
pub fn is_extension(value: &str) -> bool {
    value.strip_prefix("ext:").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    })
}

/// Tags, each trimmed and non-blank, duplicates dropped, at most [`MAX_LIST`].
pub fn tags(list: Vec<String>) -> ServiceResult<Vec<String>> {
    if list.len() > MAX_LIST {
        return Err(ServiceError::Invalid(format!("at most {MAX_LIST} tags")));
    }
    let mut tags = Vec::with_capacity(list.len());
    for (index, tag) in list.iter().enumerate() {
        let tag = fields::required(&format!("tags[{index}]"), tag, MAX_NAME)?;
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    Ok(tags)
}

/// Continuing-education hours (`creditsAvailable`): a number ≥ 0.
pub fn credits(value: Option<f64>) -> ServiceResult<Option<f64>> {
    match value {
        Some(hours) if !hours.is_finite() || hours < 0.0 => Err(ServiceError::Invalid(format!(
            "credits_available must be a number of hours ≥ 0, got {hours}"
        ))),
        other => Ok(other),
    }
}

/// Days a credential stays valid: 1 to [`MAX_VALID_FOR_DAYS`].
pub fn valid_for_days(value: Option<i64>) -> ServiceResult<Option<i64>> {
    match value {
        Some(days) if !(1..=MAX_VALID_FOR_DAYS).contains(&days) => Err(ServiceError::Invalid(
            format!("valid_for_days must be between 1 and {MAX_VALID_FOR_DAYS}, got {days}"),
        )),
        other => Ok(other),
    }
}

/// Fails unless the achievement has criteria and a credential for it passes the 1EdTech
/// AchievementCredential schema.
pub fn check_awardable(
    service: &Service,
    issuer: &Issuer,
    achievement: &Achievement,
) -> ServiceResult<()> {
    preview_credential(service, issuer, achievement).map(|_| ())
}

/// The credential this achievement would mint now, unsigned, for a sample recipient: checked
/// as [`check_awardable`] says, and shown to staff before they save.
pub fn preview_credential(
    service: &Service,
    issuer: &Issuer,
    achievement: &Achievement,
) -> ServiceResult<Value> {
    if achievement.criteria_narrative.is_none() && achievement.criteria_url.is_none() {
        return Err(ServiceError::Invalid(
            "give the criteria: criteria_narrative (Markdown), criteria_url (a web page), or both"
                .into(),
        ));
    }
    let now = service.clock.now();
    let subject = AchievementSubject::with_identifier(
        IdentityObject::hashed_email("someone@example.org", "salt"),
        documents::achievement(&service.urls, achievement)?,
    );
    let mut builder = OpenBadgeCredential::builder(
        service.urls.credential(Uuid::nil()),
        documents::issuer_profile(&service.urls, issuer),
        now,
        subject,
    )
    .name(achievement.name.clone());
    if let Some(days) = achievement.valid_for_days {
        builder = builder.valid_until(now + chrono::Duration::days(days));
    }
    let credential = builder.build().map_err(|error| {
        ServiceError::Invalid(format!("the achievement cannot be awarded: {error}"))
    })?;
    let document = serde_json::to_value(&credential)
        .map_err(|error| ServiceError::Internal(error.to_string()))?;
    let violations = Schema::AchievementCredential.validate(&document);
    if violations.is_empty() {
        Ok(document)
    } else {
        let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
        Err(ServiceError::Invalid(format!(
            "credentials for this achievement would not pass the Open Badges schema: {}",
            list.join("; ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn achievement_types_are_the_enumeration_or_extensions() {
        assert_eq!(
            achievement_type(Some("Course")).expect("ok").as_deref(),
            Some("Course")
        );
        assert!(achievement_type(Some("ext:Workshop-2")).is_ok());
        assert!(achievement_type(Some("course")).is_err());
        assert!(achievement_type(Some("ext:")).is_err());
        assert!(achievement_type(Some("ext:a b")).is_err());
        assert_eq!(achievement_type(Some(" ")).expect("ok"), None);
    }

    #[test]
    fn numbers_are_bounded() {
        assert!(credits(Some(-1.0)).is_err());
        assert!(credits(Some(f64::NAN)).is_err());
        assert!(credits(Some(0.0)).is_ok());
        assert!(valid_for_days(Some(0)).is_err());
        assert!(valid_for_days(Some(365)).is_ok());
    }
}
