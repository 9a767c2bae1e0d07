//! `Achievement` (what was accomplished) and its parts: `Criteria`, `Alignment`,
//! `ResultDescription`, `RubricCriterionLevel`, `Related`.
//!
//! Extensible vocabularies (`achievementType`, `targetType`, `resultType`) are plain strings:
//! the spec allows `ext:` values and real credentials use unlisted ones (e.g. `"Program"`), so
//! an enum would reject documents the verifier must still be able to read.
//! `creditsAvailable` is a [`Number`] so `36` does not come back as `36.0`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use super::{EndorsementCredential, IdentifierEntry, Image, OneOrMany, Profile, type_list, vocab};

/// An accomplishment that can be awarded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Achievement {
    /// URI of the achievement (ideally a URL that serves it).
    pub id: String,
    /// Contains `"Achievement"`.
    #[serde(rename = "type")]
    pub r#type: OneOrMany<String>,
    /// Alignments to external frameworks.
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub alignment: OneOrMany<Alignment>,
    /// Kind of achievement (`Badge`, `Certificate`, `Course`, `ext:…`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub achievement_type: Option<String>,
    /// Who created the achievement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creator: Option<Box<Profile>>,
    /// Credits available (semester or quarter credit hours).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credits_available: Option<Number>,
    /// How the achievement is earned.
    pub criteria: Criteria,
    /// Short description.
    pub description: String,
    /// Endorsements of the achievement (Data Integrity signed).
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub endorsement: OneOrMany<EndorsementCredential>,
    /// Endorsements of the achievement as compact JWS strings.
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub endorsement_jwt: OneOrMany<String>,
    /// Field of study.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_of_study: Option<String>,
    /// Human-readable code, e.g. a course number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub human_code: Option<String>,
    /// Badge image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    /// BCP 47 language of the achievement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_language: Option<String>,
    /// Name.
    pub name: String,
    /// Other identifiers of the achievement.
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub other_identifier: OneOrMany<IdentifierEntry>,
    /// Related achievements (e.g. other language versions, OB 2.0 twins).
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub related: OneOrMany<Related>,
    /// Descriptions of the results that may be reported.
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub result_description: OneOrMany<ResultDescription>,
    /// Specialization within the field of study.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub specialization: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub tag: OneOrMany<String>,
    /// Version of the achievement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Achievement {
    /// An achievement with the required fields and `type: ["Achievement"]`.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        description: impl Into<String>,
        criteria: Criteria,
    ) -> Self {
        Self {
            id: id.into(),
            r#type: type_list(vocab::ACHIEVEMENT),
            alignment: OneOrMany::default(),
            achievement_type: None,
            creator: None,
            credits_available: None,
            criteria,
            description: description.into(),
            endorsement: OneOrMany::default(),
            endorsement_jwt: OneOrMany::default(),
            field_of_study: None,
            human_code: None,
            image: None,
            in_language: None,
            name: name.into(),
            other_identifier: OneOrMany::default(),
            related: OneOrMany::default(),
            result_description: OneOrMany::default(),
            specialization: None,
            tag: OneOrMany::default(),
            version: None,
            extra: Map::new(),
        }
    }
}

/// How an achievement is earned: a URL and/or a Markdown narrative. Has no `type`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Criteria {
    /// URL of a page describing the criteria.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Markdown narrative of the criteria.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Criteria {
    /// Criteria given as a Markdown narrative.
    pub fn narrative(narrative: impl Into<String>) -> Self {
        Self {
            narrative: Some(narrative.into()),
            ..Self::default()
        }
    }

    /// Criteria given as a URL.
    pub fn url(id: impl Into<String>) -> Self {
        Self {
            id: Some(id.into()),
            ..Self::default()
        }
    }
}

/// An alignment to a node in an external framework (competency, standard, credential…).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alignment {
    /// Contains `"Alignment"`.
    #[serde(rename = "type")]
    pub r#type: OneOrMany<String>,
    /// Code of the target in its framework.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_code: Option<String>,
    /// Description of the target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_description: Option<String>,
    /// Name of the target.
    pub target_name: String,
    /// Name of the framework.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_framework: Option<String>,
    /// Kind of target (`CFItem`, `CTDL`, `ext:…`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_type: Option<String>,
    /// URL of the target.
    pub target_url: String,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Describes a result that may be reported with the achievement (a grade, a status…).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultDescription {
    /// URI that results point to via `resultDescription`.
    pub id: String,
    /// Contains `"ResultDescription"`.
    #[serde(rename = "type")]
    pub r#type: OneOrMany<String>,
    /// Alignments of the result.
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub alignment: OneOrMany<Alignment>,
    /// Allowed values, ordered from low to high.
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub allowed_value: OneOrMany<String>,
    /// Name of the result.
    pub name: String,
    /// `id` of the rubric criterion level required to pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_level: Option<String>,
    /// Value required to pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_value: Option<String>,
    /// Kind of result (`LetterGrade`, `Status`, `ext:…`, …).
    pub result_type: String,
    /// Rubric levels.
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub rubric_criterion_level: OneOrMany<RubricCriterionLevel>,
    /// Maximum value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_max: Option<String>,
    /// Minimum value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_min: Option<String>,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A level of a rubric criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RubricCriterionLevel {
    /// URI that results point to via `achievedLevel`.
    pub id: String,
    /// Contains `"RubricCriterionLevel"`.
    #[serde(rename = "type")]
    pub r#type: OneOrMany<String>,
    /// Alignments of the level.
    #[serde(default, skip_serializing_if = "OneOrMany::is_empty")]
    pub alignment: OneOrMany<Alignment>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Performance level in terms of success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Name.
    pub name: String,
    /// Points of the level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<String>,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A related achievement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Related {
    /// URI of the related achievement.
    pub id: String,
    /// Contains `"Related"`.
    #[serde(rename = "type")]
    pub r#type: OneOrMany<String>,
    /// Language of the related achievement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_language: Option<String>,
    /// Version of the related achievement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Properties not modelled above, kept for round trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
