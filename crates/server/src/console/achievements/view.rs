//! What the badge pages show, computed for their templates (`console/badges.html`,
//! `console/badge.html`, `console/badge_fields.html`, `console/badge_rule.html`,
//! `console/badge_preview.html`).

use askama::Template;
use laurel_service::activity::rule_builder::{Menus, WouldAward};
use laurel_store::{EventFormat, Issuer};
use serde_json::Value;
use uuid::Uuid;

use super::form::{AchievementForm, TYPES_IN_WORDS};
use crate::console::images::ImageControl;
use crate::console::layout::{Choice, FieldError, FieldErrors, Layout};

/// `console/badges.html`: every badge, and the new-badge form for those who may make one.
#[derive(Template)]
#[template(path = "console/badges.html")]
pub struct BadgesPage {
    pub layout: Layout,
    pub rows: Vec<BadgeRow>,
    pub editor: Option<BadgeEditor>,
    pub preview: Preview,
}

/// One badge in the list.
pub struct BadgeRow {
    pub id: Uuid,
    pub name: String,
    pub issuer: String,
    pub public: String,
    /// Who earns it, in words.
    pub rule: String,
}

/// `console/badge.html`: one badge, who earns it, its image, and its form (or, for those who
/// only read, its preview).
#[derive(Template)]
#[template(path = "console/badge.html")]
pub struct BadgePage<'a> {
    pub layout: Layout,
    pub notice: Option<&'a str>,
    pub public: String,
    /// Who earns it (as saved), in words.
    pub rule: String,
    pub image: Option<ImageControl>,
    pub editor: Option<BadgeEditor>,
    pub preview: Preview,
    /// The "Duplicate" button's badge, for those who may change it.
    pub duplicate: Option<uuid::Uuid>,
}

/// The badge form: where it posts, the issuer to choose (new badges only), its fields and the
/// rule builder, with every mistake beside its field.
pub struct BadgeEditor {
    pub action: String,
    pub issuers: Option<Vec<Choice>>,
    pub errors: FieldErrors,
    pub fields: Vec<BadgeField>,
    pub types: Vec<Choice>,
    pub rule: RuleBuilder,
    /// The fields after the type (tags, credits, validity).
    pub more: Vec<BadgeField>,
    /// The CE category menu: each issuer's categories (under its name when several).
    pub categories: Vec<Group>,
    /// "No category" chosen.
    pub no_category: bool,
    /// Where each issuer's list is managed: (issuer id, issuer name, how many categories).
    pub category_pages: Vec<(Uuid, String, usize)>,
}

/// One text field of the badge form: an input, or a textarea of `rows` rows.
pub struct BadgeField {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub rows: Option<u32>,
}

/// The rule builder (`console/badge_rule.html`): which kind of rule, and its menus.
pub struct RuleBuilder {
    pub kind: String,
    /// "Keep the current rules", for a badge whose several rules were set through the API.
    pub keep: Option<String>,
    pub sessions: Vec<Group>,
    pub series: Vec<Group>,
    pub formats: Vec<Choice>,
    pub form: laurel_service::activity::rule_builder::RuleAnswers,
    /// The roles suggested in the role fields (other words may be typed).
    pub roles: [&'static str; 4],
}

/// Options of a menu under an issuer's name (one group without a name for one issuer).
pub struct Group {
    pub label: Option<String>,
    pub choices: Vec<Choice>,
}

/// The labels of the form's fields, for the list of mistakes.
const LABELS: &[(&str, &str)] = &[
    ("issuer", "Issuer"),
    ("name", "Name"),
    ("description", "Description"),
    ("criteria_narrative", "What earns it"),
    ("criteria_url", "Criteria page"),
    ("achievement_type", "Type"),
    ("tags", "Tags"),
    ("credits_available", "Credits"),
    ("valid_for_days", "Valid for"),
    ("category", "CE category"),
    ("rule_kind", "Who earns it"),
    ("rule_session", "Session"),
    ("rule_session_minutes", "Minutes"),
    ("rule_session_percent", "Per cent"),
    ("rule_series", "Series"),
    ("rule_series_at_least", "How many sessions"),
    ("rule_series_format", "Which sessions"),
    ("rule_series_minutes", "Minutes of each"),
    ("rule_series_percent", "Per cent of each"),
    ("rule_completion", "Course key"),
    ("rule_role", "Count only those recorded as"),
    ("rule_credit_role", "Role earning other credits"),
    ("rule_credit_times", "Times the credits"),
];

impl BadgeEditor {
    /// `menus`: the sessions and series of each issuer the form may choose (one for a saved
    /// badge); `keep`: the saved rules in words when there are several; `lists`: the CE
    /// categories of the same issuers.
    pub fn new(
        action: String,
        form: &AchievementForm,
        errors: &[FieldError],
        issuers: Option<&[&Issuer]>,
        menus: &[(&Issuer, Menus)],
        keep: Option<String>,
        lists: &[(&Issuer, Vec<String>)],
    ) -> Self {
        let field = |name: &'static str,
                     label: &'static str,
                     hint: &'static str,
                     value: &str,
                     rows: Option<u32>| BadgeField {
            name,
            label,
            hint,
            value: value.to_string(),
            rows,
        };
        let chosen_type = form.achievement_type.trim();
        let mut types = vec![Choice::new("", "Not said", chosen_type.is_empty())];
        types.extend(
            TYPES_IN_WORDS
                .iter()
                .map(|(value, words)| Choice::new(value, *words, *value == chosen_type)),
        );
        if !chosen_type.is_empty() && !TYPES_IN_WORDS.iter().any(|(v, _)| *v == chosen_type) {
            types.push(Choice::new(
                chosen_type,
                format!("Other: {chosen_type}"),
                true,
            ));
        }
        let grouped = menus.len() > 1;
        let sessions = menus
            .iter()
            .map(|(issuer, menus)| Group {
                label: grouped.then(|| issuer.name.clone()),
                choices: menus
                    .sessions
                    .iter()
                    .map(|s| {
                        let how = match s.format {
                            EventFormat::Online => "webinar",
                            EventFormat::InPerson => "in person",
                        };
                        Choice::new(
                            s.id,
                            format!("{} ({}, {how})", s.title, menus.date(s.starts_at)),
                            s.id.to_string() == form.rule.rule_session.trim(),
                        )
                    })
                    .collect(),
            })
            .collect();
        let series = menus
            .iter()
            .map(|(issuer, menus)| Group {
                label: grouped.then(|| issuer.name.clone()),
                choices: menus
                    .series
                    .iter()
                    .map(|s| {
                        Choice::new(
                            s.id,
                            s.title.clone(),
                            s.id.to_string() == form.rule.rule_series.trim(),
                        )
                    })
                    .collect(),
            })
            .collect();
        let wanted = form.category.as_deref().unwrap_or("").trim().to_lowercase();
        let one_issuer = lists.len() == 1;
        let categories = lists
            .iter()
            .filter(|(_, list)| !list.is_empty())
            .map(|(issuer, list)| Group {
                label: (!one_issuer).then(|| issuer.name.clone()),
                choices: list
                    .iter()
                    .map(|name| {
                        let chosen = (one_issuer || issuer.id.to_string() == form.issuer.trim())
                            && name.to_lowercase() == wanted;
                        Choice::new(name, name.clone(), chosen)
                    })
                    .collect(),
            })
            .collect();
        let category_pages = lists
            .iter()
            .map(|(issuer, list)| (issuer.id, issuer.name.clone(), list.len()))
            .collect();
        let format = form.rule.rule_series_format.trim();
        let kind = match form.rule.rule_kind.trim() {
            "" if keep.is_some() => "keep".to_owned(),
            "" => "none".to_owned(),
            other => other.to_owned(),
        };
        BadgeEditor {
            action,
            issuers: issuers.map(|list| {
                list.iter()
                    .map(|i| Choice::new(i.id, i.name.clone(), i.id.to_string() == form.issuer))
                    .collect()
            }),
            errors: FieldErrors::all(errors),
            fields: vec![
                field("name", "Name", "", &form.name, None),
                field("description", "Description", "", &form.description, Some(3)),
                field(
                    "criteria_narrative",
                    "What earns it",
                    "Shown on the badge and its page; Markdown may be used.",
                    &form.criteria_narrative,
                    Some(3),
                ),
                field(
                    "criteria_url",
                    "Criteria page (optional)",
                    "The address of a page that says more, such as https://example.org/criteria.",
                    &form.criteria_url,
                    None,
                ),
            ],
            types,
            rule: RuleBuilder {
                kind,
                keep,
                sessions,
                series,
                formats: vec![
                    Choice::new("any", "any session", format.is_empty() || format == "any"),
                    Choice::new("online", "webinars", format == "online"),
                    Choice::new("in_person", "in-person sessions", format == "in_person"),
                ],
                form: form.rule.clone(),
                roles: laurel_core::model::KNOWN_ROLES,
            },
            more: vec![
                field(
                    "tags",
                    "Tags (optional)",
                    "Separated by commas, such as cataloguing, RDA.",
                    &form.tags,
                    None,
                ),
                field(
                    "credits_available",
                    "Credits (hours, optional)",
                    "Continuing-education hours the badge is worth, such as 1.5.",
                    &form.credits_available,
                    None,
                ),
                field(
                    "valid_for_days",
                    "Valid for (days, optional)",
                    "Leave it empty if the badge does not expire.",
                    &form.valid_for_days,
                    None,
                ),
            ],
            categories,
            no_category: wanted.is_empty(),
            category_pages,
        }
    }
}

/// The preview area (`#live-preview`): the form's mistakes listed, who its rules would award
/// now, and the credential it mints with how its public page shows it.
#[derive(Default)]
pub struct Preview {
    /// Every mistake: (field id, field label, message).
    pub mistakes: Vec<(String, &'static str, String)>,
    /// Who earns it, in words, when the rules were understood.
    pub rule: Option<String>,
    pub would: Option<WouldView>,
    pub credential: Option<CredentialPreview>,
}

/// "Who would be awarded now".
pub struct WouldView {
    pub count: usize,
    pub already: usize,
    /// Name (or empty), email, role (or empty) and credits in words (or empty) of the first
    /// few.
    pub people: Vec<(String, String, String, String)>,
    /// How many more are not listed.
    pub more: usize,
}

/// The most people listed in a preview.
const MAX_LISTED: usize = 50;

impl WouldView {
    pub fn of(would: WouldAward) -> Self {
        let count = would.people.len();
        WouldView {
            count,
            already: would.already,
            people: would
                .people
                .into_iter()
                .take(MAX_LISTED)
                .map(|person| {
                    (
                        person.name.unwrap_or_default(),
                        person.email,
                        person.role.unwrap_or_default(),
                        person
                            .credits
                            .map(laurel_service::units::hours_in_words)
                            .unwrap_or_default(),
                    )
                })
                .collect(),
            more: count.saturating_sub(MAX_LISTED),
        }
    }
}

impl Preview {
    pub fn mistakes(errors: &[FieldError]) -> Vec<(String, &'static str, String)> {
        errors
            .iter()
            .map(|(field, message)| {
                let label = LABELS
                    .iter()
                    .find(|(name, _)| name == field)
                    .map_or("", |(_, label)| label);
                (field.to_string(), label, message.clone())
            })
            .collect()
    }
}

/// The credential a badge mints, and how its public page shows it.
pub struct CredentialPreview {
    pub name: String,
    pub description: String,
    pub criteria: String,
    pub issuer: String,
    /// The whole credential, pretty-printed.
    pub json: String,
}

impl CredentialPreview {
    pub fn of(document: &Value) -> Self {
        let text = |pointer: &str| {
            document
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        CredentialPreview {
            name: text("/credentialSubject/achievement/name"),
            description: text("/credentialSubject/achievement/description"),
            criteria: text("/credentialSubject/achievement/criteria/narrative"),
            issuer: text("/issuer/name"),
            json: serde_json::to_string_pretty(document).unwrap_or_default(),
        }
    }
}
