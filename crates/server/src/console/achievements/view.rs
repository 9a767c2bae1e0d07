//! What the badge pages show, computed for their templates (`console/badges.html`,
//! `console/badge.html`, `console/badge_fields.html`, `console/badge_preview.html`).

use askama::Template;
use laurel_store::Issuer;
use serde_json::Value;
use uuid::Uuid;

use super::AchievementForm;
use crate::console::images::ImageControl;
use crate::console::layout::{Choice, FieldError, FieldErrors, Layout};

/// `console/badges.html`: every badge, and the new-badge form for those who may make one.
#[derive(Template)]
#[template(path = "console/badges.html")]
pub struct BadgesPage {
    pub layout: Layout,
    pub rows: Vec<BadgeRow>,
    pub editor: Option<BadgeEditor>,
    pub preview: Option<Preview>,
}

/// One badge in the list.
pub struct BadgeRow {
    pub id: Uuid,
    pub name: String,
    pub issuer: String,
    pub public: String,
}

/// `console/badge.html`: one badge, its image, and its form (or, for those who only read, its
/// preview).
#[derive(Template)]
#[template(path = "console/badge.html")]
pub struct BadgePage<'a> {
    pub layout: Layout,
    pub notice: Option<&'a str>,
    pub public: String,
    pub image: Option<ImageControl>,
    pub editor: Option<BadgeEditor>,
    pub preview: Option<Preview>,
    /// The "Duplicate" button's badge, for those who may change it.
    pub duplicate: Option<uuid::Uuid>,
}

/// The badge form: where it posts, the issuer to choose (new badges only), and its fields.
pub struct BadgeEditor {
    pub action: String,
    pub issuers: Option<Vec<Choice>>,
    pub issuer_error: Option<String>,
    pub fields: Vec<BadgeField>,
}

/// One field of the badge form: an input, or a textarea of `rows` rows.
pub struct BadgeField {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
    pub rows: Option<u32>,
    pub error: Option<String>,
}

impl BadgeEditor {
    pub fn new(
        action: String,
        form: &AchievementForm,
        error: Option<&FieldError>,
        issuers: Option<&[&Issuer]>,
    ) -> Self {
        let errors = FieldErrors::new(error);
        let field =
            |name: &'static str, label: &'static str, value: &str, rows: Option<u32>| BadgeField {
                name,
                label,
                value: value.to_string(),
                rows,
                error: errors.about(name).map(str::to_string),
            };
        BadgeEditor {
            action,
            issuers: issuers.map(|list| {
                list.iter()
                    .map(|i| Choice::new(i.id, i.name.clone(), i.id.to_string() == form.issuer))
                    .collect()
            }),
            issuer_error: errors.about("issuer").map(str::to_string),
            fields: vec![
                field("name", "Name", &form.name, None),
                field("description", "Description", &form.description, Some(3)),
                field(
                    "criteria_narrative",
                    "Criteria (what earns it; Markdown)",
                    &form.criteria_narrative,
                    Some(3),
                ),
                field(
                    "criteria_url",
                    "Criteria page (URL)",
                    &form.criteria_url,
                    None,
                ),
                field(
                    "achievement_type",
                    "Type (Badge, Course, CertificateOfCompletion, ext:…)",
                    &form.achievement_type,
                    None,
                ),
                field("tags", "Tags (comma-separated)", &form.tags, None),
                field(
                    "credits_available",
                    "Credits (hours)",
                    &form.credits_available,
                    None,
                ),
                field(
                    "valid_for_days",
                    "Valid for (days; empty: no end)",
                    &form.valid_for_days,
                    None,
                ),
                field(
                    "award_rules",
                    "Award rules (JSON list, as in the admin API)",
                    &form.award_rules,
                    Some(4),
                ),
            ],
        }
    }
}

/// The credential a badge mints, and how its public page shows it.
pub struct Preview {
    pub name: String,
    pub description: String,
    pub criteria: String,
    pub issuer: String,
    /// The whole credential, pretty-printed.
    pub json: String,
}

impl Preview {
    pub fn of(document: &Value) -> Self {
        let text = |pointer: &str| {
            document
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        Preview {
            name: text("/credentialSubject/achievement/name"),
            description: text("/credentialSubject/achievement/description"),
            criteria: text("/credentialSubject/achievement/criteria/narrative"),
            issuer: text("/issuer/name"),
            json: serde_json::to_string_pretty(document).unwrap_or_default(),
        }
    }
}
