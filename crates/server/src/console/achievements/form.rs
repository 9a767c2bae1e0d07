//! The badge form as typed, and its checks: every mistake found at once, each in plain words
//! beside its field, so staff fix them in one go (nothing is stored while any remain).
//!
//! The words are the console's own (no field names, no "bytes"); the limits and vocabularies
//! are the admin API's, so a badge saved here is one the API would accept.

use laurel_attendance::rules::Rule;
use laurel_service::activity::rule_builder::{self, Menus, RuleAnswers};
use laurel_store::Achievement;
use serde::Deserialize;

use crate::console::layout::FieldError;
use laurel_service::catalog::{MAX_LIST, MAX_VALID_FOR_DAYS};
use laurel_service::fields::{MAX_NAME, MAX_TEXT, MAX_URL};

/// The Open Badges 3.0 achievement types in words, as the type menu offers them (the value
/// stored is the first).
pub const TYPES_IN_WORDS: &[(&str, &str)] = &[
    ("Achievement", "Achievement"),
    ("ApprenticeshipCertificate", "Apprenticeship certificate"),
    ("Assessment", "Assessment"),
    ("Assignment", "Assignment"),
    ("AssociateDegree", "Associate degree"),
    ("Award", "Award"),
    ("Badge", "Badge"),
    ("BachelorDegree", "Bachelor's degree"),
    ("Certificate", "Certificate"),
    ("CertificateOfCompletion", "Certificate of completion"),
    ("Certification", "Certification"),
    ("CoCurricular", "Co-curricular activity"),
    ("CommunityService", "Community service"),
    ("Competency", "Competency"),
    ("Course", "Course"),
    ("Degree", "Degree"),
    ("Diploma", "Diploma"),
    ("DoctoralDegree", "Doctoral degree"),
    ("Fieldwork", "Fieldwork"),
    (
        "GeneralEducationDevelopment",
        "General Educational Development (GED)",
    ),
    ("JourneymanCertificate", "Journeyman certificate"),
    ("LearningProgram", "Learning programme"),
    ("License", "Licence"),
    ("MasterCertificate", "Master certificate"),
    ("MasterDegree", "Master's degree"),
    ("Membership", "Membership"),
    ("MicroCredential", "Micro-credential"),
    ("ProfessionalDoctorate", "Professional doctorate"),
    ("QualityAssuranceCredential", "Quality assurance credential"),
    ("ResearchDoctorate", "Research doctorate"),
    ("SecondarySchoolDiploma", "Secondary school diploma"),
];

/// The achievement form's fields, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct AchievementForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub issuer: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub criteria_narrative: String,
    #[serde(default)]
    pub criteria_url: String,
    #[serde(default)]
    pub achievement_type: String,
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub credits_available: String,
    #[serde(default)]
    pub valid_for_days: String,
    /// The CE category's name ("" for none); absent (a form without the menu) keeps a saved
    /// badge's category. Checked against the issuer's list in `check`, which needs the store.
    #[serde(default)]
    pub category: Option<String>,
    /// The rule builder's fields.
    #[serde(flatten)]
    pub rule: RuleAnswers,
}

/// What checking the form found: the badge as changed, every mistake, and whether its rules
/// were understood (so "who would be awarded" can be shown while other fields still wait).
pub struct Checked {
    pub errors: Vec<FieldError>,
    pub rules_understood: bool,
}

impl AchievementForm {
    /// The form showing a saved badge, its rules and its CE category.
    pub fn from_achievement(a: &Achievement, rules: &[Rule], category: Option<String>) -> Self {
        AchievementForm {
            issuer: a.issuer_id.to_string(),
            name: a.name.clone(),
            description: a.description.clone(),
            criteria_narrative: a.criteria_narrative.clone().unwrap_or_default(),
            criteria_url: a.criteria_url.clone().unwrap_or_default(),
            achievement_type: a.achievement_type.clone().unwrap_or_default(),
            tags: a.tags.join(", "),
            credits_available: a
                .credits_available
                .map(|c| c.to_string())
                .unwrap_or_default(),
            valid_for_days: a.valid_for_days.map(|d| d.to_string()).unwrap_or_default(),
            rule: rule_builder::answers_of(rules),
            category: Some(category.unwrap_or_default()),
            ..AchievementForm::default()
        }
    }

    /// Applies the fields to `a` (whose issuer is already chosen, its sessions and series in
    /// `menus`; `current` its stored rules, empty for a new badge): every mistake at once.
    pub fn apply(&self, menus: &Menus, current: Option<&[Rule]>, a: &mut Achievement) -> Checked {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut push = |field: &'static str, message: String| errors.push((field, message));

        match text(&self.name, MAX_NAME, "name") {
            Ok(Some(name)) => a.name = name,
            Ok(None) => push("name", "Give the badge a name.".into()),
            Err(message) => push("name", message),
        }
        match text(&self.description, MAX_TEXT, "description") {
            Ok(Some(description)) => a.description = description,
            Ok(None) => push(
                "description",
                "Say in a sentence or two what the badge stands for.".into(),
            ),
            Err(message) => push("description", message),
        }
        match text(&self.criteria_narrative, MAX_TEXT, "text") {
            Ok(narrative) => a.criteria_narrative = narrative,
            Err(message) => push("criteria_narrative", message),
        }
        match text(&self.criteria_url, MAX_URL, "address") {
            Ok(Some(url)) if laurel_service::fields::is_http_url(&url) => {
                a.criteria_url = Some(url)
            }
            Ok(Some(_)) => push(
                "criteria_url",
                "Give a web address starting with https://, such as https://example.org/criteria."
                    .into(),
            ),
            Ok(None) => a.criteria_url = None,
            Err(message) => push("criteria_url", message),
        }
        if self.criteria_narrative.trim().is_empty() && self.criteria_url.trim().is_empty() {
            push(
                "criteria_narrative",
                "Say what earns the badge here, or give the address of a page that does.".into(),
            );
        }
        let kind = self.achievement_type.trim();
        if kind.is_empty() {
            a.achievement_type = None;
        } else if TYPES_IN_WORDS.iter().any(|(value, _)| *value == kind)
            // A type set through the API (an ext: extension) is kept as it is.
            || a.achievement_type.as_deref() == Some(kind)
        {
            a.achievement_type = Some(kind.to_owned());
        } else {
            push("achievement_type", "Choose a type from the list.".into());
        }
        let mut tags: Vec<String> = Vec::new();
        for tag in self
            .tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            if !tags.iter().any(|t| t == tag) {
                tags.push(tag.to_owned());
            }
        }
        if tags.len() > MAX_LIST {
            push("tags", format!("At most {MAX_LIST} tags."));
        } else if tags.iter().any(|tag| tag.len() > MAX_NAME) {
            push(
                "tags",
                format!("A tag is too long: at most {MAX_NAME} characters each."),
            );
        } else {
            a.tags = tags;
        }
        match self.credits_available.trim() {
            "" => a.credits_available = None,
            text => match text.replace(',', ".").parse::<f64>() {
                Ok(hours) if hours.is_finite() && hours >= 0.0 => a.credits_available = Some(hours),
                Ok(_) => push(
                    "credits_available",
                    "Credits are a number of hours, 0 or more.".into(),
                ),
                Err(_) => push(
                    "credits_available",
                    format!("“{text}” is not a number of hours, such as 1.5."),
                ),
            },
        }
        match self.valid_for_days.trim() {
            "" => a.valid_for_days = None,
            text => match text.parse::<i64>() {
                Ok(days) if (1..=MAX_VALID_FOR_DAYS).contains(&days) => {
                    a.valid_for_days = Some(days)
                }
                Ok(_) => push(
                    "valid_for_days",
                    format!(
                        "Between 1 and {MAX_VALID_FOR_DAYS} days; leave it empty if the badge does not expire."
                    ),
                ),
                Err(_) => push(
                    "valid_for_days",
                    format!("“{text}” is not a whole number of days."),
                ),
            },
        }

        // An empty choice (no radio posted) keeps a saved badge's rules.
        let mut answers = self.rule.clone();
        if answers.rule_kind.trim().is_empty() && current.is_some() {
            answers.rule_kind = "keep".into();
        }
        let rules_understood = match rule_builder::build(&answers, menus, current.is_some()) {
            Ok(built) => {
                let rules = built.rules(current.unwrap_or_default());
                match serde_json::to_string(&rules) {
                    Ok(json) => {
                        a.award_rules = json;
                        true
                    }
                    Err(_) => false,
                }
            }
            Err(mistakes) => {
                errors.extend(mistakes);
                false
            }
        };
        Checked {
            errors,
            rules_understood,
        }
    }
}

/// A trimmed text of at most `max` bytes (said as characters: the limit is generous);
/// `None` when blank.
fn text(value: &str, max: usize, what: &str) -> Result<Option<String>, String> {
    let value = value.trim();
    if value.is_empty() {
        Ok(None)
    } else if value.len() > max {
        Err(format!(
            "This {what} is too long: at most {max} characters."
        ))
    } else {
        Ok(Some(value.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_open_badges_type_has_words() {
        let values: Vec<&str> = TYPES_IN_WORDS.iter().map(|(value, _)| *value).collect();
        let mut expected = laurel_service::catalog::ACHIEVEMENT_TYPES.to_vec();
        let mut got = values.clone();
        expected.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, expected);
    }
}
