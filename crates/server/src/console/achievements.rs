//! `/console/achievements`: badges, created and edited with a preview of the credential each
//! will mint (the same check the admin API makes: criteria given, the 1EdTech schema passed),
//! award rules and validity.
//!
//! Administrators change every achievement, issuer managers their issuers'; viewers read.
//! "Preview" shows the credential for what was typed without saving anything.

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use laurel_store::{Achievement, Issuer};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::session::Staff;
use super::{audit_log, forged, pages};
use crate::api::achievements::{
    achievement_type, credits, preview_credential, tags, valid_for_days,
};
use crate::pages::html::esc;
use crate::{ApiError, AppState};
use laurel_service::fields::{self, MAX_NAME, MAX_TEXT};

/// The achievement form's fields, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct AchievementForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    criteria_narrative: String,
    #[serde(default)]
    criteria_url: String,
    #[serde(default)]
    achievement_type: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    credits_available: String,
    #[serde(default)]
    valid_for_days: String,
    #[serde(default)]
    award_rules: String,
}

use super::pages::FieldError;

impl AchievementForm {
    fn from_achievement(a: &Achievement) -> Self {
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
            award_rules: pretty(&a.award_rules),
            ..AchievementForm::default()
        }
    }

    /// Applies the fields to `a` (whose issuer is already chosen); the field at fault.
    async fn apply(&self, state: &AppState, a: &mut Achievement) -> Result<(), FieldError> {
        a.name = fields::required("name", &self.name, MAX_NAME).map_err(at("name"))?;
        a.description = fields::required("description", &self.description, MAX_TEXT)
            .map_err(at("description"))?;
        a.criteria_narrative = fields::optional(
            "criteria_narrative",
            Some(&self.criteria_narrative),
            MAX_TEXT,
        )
        .map_err(at("criteria_narrative"))?;
        a.criteria_url = fields::optional_url("criteria_url", Some(&self.criteria_url))
            .map_err(at("criteria_url"))?;
        a.achievement_type =
            achievement_type(Some(&self.achievement_type)).map_err(at("achievement_type"))?;
        let list: Vec<String> = self
            .tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        a.tags = tags(list).map_err(at("tags"))?;
        let number = |field: &'static str, text: &str| -> Result<Option<f64>, FieldError> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            text.parse::<f64>()
                .map(Some)
                .map_err(|_| (field, format!("“{text}” is not a number")))
        };
        a.credits_available = credits(number("credits_available", &self.credits_available)?)
            .map_err(at("credits_available"))?;
        let days = match self.valid_for_days.trim() {
            "" => None,
            text => Some(text.parse::<i64>().map_err(|_| {
                (
                    "valid_for_days",
                    format!("“{text}” is not a whole number of days"),
                )
            })?),
        };
        a.valid_for_days = valid_for_days(days).map_err(at("valid_for_days"))?;
        let rules: Vec<Value> = match self.award_rules.trim() {
            "" => Vec::new(),
            text => serde_json::from_str(text)
                .map_err(|e| ("award_rules", format!("not a JSON list of rules: {e}")))?,
        };
        a.award_rules = crate::api::rules::check(state, a.issuer_id, rules)
            .await
            .map_err(at("award_rules"))?;
        Ok(())
    }
}

fn pretty(rules: &str) -> String {
    match serde_json::from_str::<Value>(rules) {
        Ok(Value::Array(list)) if list.is_empty() => String::new(),
        Ok(value) => serde_json::to_string_pretty(&value).unwrap_or_else(|_| rules.to_string()),
        Err(_) => rules.to_string(),
    }
}

/// `GET /console/achievements`.
pub async fn list(State(state): State<AppState>, staff: Staff) -> Response {
    render_list(&state, &staff, &AchievementForm::default(), None, None).await
}

async fn render_list(
    state: &AppState,
    staff: &Staff,
    form: &AchievementForm,
    error: Option<&FieldError>,
    preview: Option<&Value>,
) -> Response {
    let (achievements, issuers) = match (
        state.store.list_achievements(None).await,
        state.store.list_issuers().await,
    ) {
        (Ok(a), Ok(i)) => (a, i),
        (Err(e), _) | (_, Err(e)) => return pages::error(&e.into()),
    };
    let issuer_names: std::collections::HashMap<Uuid, &str> =
        issuers.iter().map(|i| (i.id, i.name.as_str())).collect();
    let rows: String = achievements
        .iter()
        .filter(|a| staff.may_see(a.issuer_id))
        .map(|a| {
            format!(
                r#"<tr><td><a href="/console/achievements/{id}">{name}</a></td><td>{issuer}</td><td><a href="{public}">public page</a></td></tr>
"#,
                id = a.id,
                name = esc(&a.name),
                issuer = esc(issuer_names.get(&a.issuer_id).copied().unwrap_or("")),
                public = esc(&state.urls.achievement(a.id)),
            )
        })
        .collect();
    let mine: Vec<&Issuer> = issuers
        .iter()
        .filter(|i| staff.may_change_issuer(i.id))
        .collect();
    let new = if mine.is_empty() {
        String::new()
    } else {
        format!(
            "<h2>New badge</h2>\n{}",
            fields_form(
                staff,
                "/console/achievements",
                form,
                error,
                Some(&mine),
                preview
            )
        )
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = format!(
        r#"<table><thead><tr><th scope="col">Badge</th><th scope="col">Issuer</th><th scope="col">Public</th></tr></thead>
<tbody>
{rows}</tbody></table>
{new}"#
    );
    pages::respond(status, pages::page("Badges", Some(staff), &body))
}

/// `POST /console/achievements`: previews or creates a badge.
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<AchievementForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return forged();
    }
    let Ok(issuer_id) = Uuid::parse_str(form.issuer.trim()) else {
        let error = ("issuer", "Choose an issuer.".to_string());
        return render_list(&state, &staff, &form, Some(&error), None).await;
    };
    if !staff.may_change_issuer(issuer_id) {
        return pages::not_allowed(&staff, "Your account may not change this issuer's badges.");
    }
    let issuer = match state.store.issuer(issuer_id).await {
        Ok(issuer) => issuer,
        Err(_) => {
            let error = ("issuer", "Choose an issuer.".to_string());
            return render_list(&state, &staff, &form, Some(&error), None).await;
        }
    };
    let now = state.clock.now();
    let mut achievement = Achievement {
        id: Uuid::now_v7(),
        issuer_id,
        name: String::new(),
        description: String::new(),
        criteria_narrative: None,
        criteria_url: None,
        image: None,
        achievement_type: None,
        tags: Vec::new(),
        alignment: "[]".into(),
        credits_available: None,
        valid_for_days: None,
        award_rules: "[]".into(),
        created_at: now,
        updated_at: now,
    };
    if let Err(error) = form.apply(&state, &mut achievement).await {
        return render_list(&state, &staff, &form, Some(&error), None).await;
    }
    let preview = match preview_credential(&state, &issuer, &achievement) {
        Ok(preview) => preview,
        Err(error) => {
            let error = ("criteria_narrative", error.to_string());
            return render_list(&state, &staff, &form, Some(&error), None).await;
        }
    };
    if form.action == "preview" {
        return render_list(&state, &staff, &form, None, Some(&preview)).await;
    }
    if let Err(error) = state.store.create_achievement(&achievement).await {
        return pages::error(&error.into());
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "achievement.create",
        Some(achievement.id.to_string()),
        json!({ "name": achievement.name }),
    )
    .await;
    Redirect::to(&format!("/console/achievements/{}", achievement.id)).into_response()
}

/// `GET /console/achievements/{id}`.
pub async fn show(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> Response {
    let (achievement, issuer) = match load(&state, &id).await {
        Ok(found) => found,
        Err(error) => return pages::error(&error),
    };
    if !staff.may_see(achievement.issuer_id) {
        return pages::not_allowed(&staff, "Your account may not change this issuer's badges.");
    }
    let form = AchievementForm::from_achievement(&achievement);
    let preview = preview_credential(&state, &issuer, &achievement).ok();
    render_one(
        &state,
        &staff,
        &achievement,
        &form,
        None,
        preview.as_ref(),
        None,
    )
}

/// `POST /console/achievements/{id}`: previews or saves changes.
pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<AchievementForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return forged();
    }
    let (achievement, issuer) = match load(&state, &id).await {
        Ok(found) => found,
        Err(error) => return pages::error(&error),
    };
    if !staff.may_change_issuer(achievement.issuer_id) {
        return pages::not_allowed(&staff, "Your account may not change this issuer's badges.");
    }
    let mut changed = achievement.clone();
    if let Err(error) = form.apply(&state, &mut changed).await {
        return render_one(
            &state,
            &staff,
            &achievement,
            &form,
            Some(&error),
            None,
            None,
        );
    }
    let preview = match preview_credential(&state, &issuer, &changed) {
        Ok(preview) => preview,
        Err(error) => {
            let error = ("criteria_narrative", error.to_string());
            return render_one(
                &state,
                &staff,
                &achievement,
                &form,
                Some(&error),
                None,
                None,
            );
        }
    };
    if form.action == "preview" {
        return render_one(
            &state,
            &staff,
            &achievement,
            &form,
            None,
            Some(&preview),
            Some("Preview only: nothing was saved."),
        );
    }
    changed.updated_at = state.clock.now();
    if let Err(error) = state.store.update_achievement(&changed).await {
        return pages::error(&error.into());
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "achievement.update",
        Some(changed.id.to_string()),
        json!({ "name": changed.name }),
    )
    .await;
    let form = AchievementForm::from_achievement(&changed);
    render_one(
        &state,
        &staff,
        &changed,
        &form,
        None,
        Some(&preview),
        Some("Saved. Credentials already issued are unchanged."),
    )
}

async fn load(state: &AppState, id: &str) -> Result<(Achievement, Issuer), ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::NotFound("no such badge".into()))?;
    let achievement = state
        .store
        .achievement(id)
        .await
        .map_err(|e| crate::error::not_found_in(e, "achievement", id))?;
    let issuer = state.store.issuer(achievement.issuer_id).await?;
    Ok((achievement, issuer))
}

fn render_one(
    state: &AppState,
    staff: &Staff,
    achievement: &Achievement,
    form: &AchievementForm,
    error: Option<&FieldError>,
    preview: Option<&Value>,
    notice: Option<&str>,
) -> Response {
    let notice = pages::notice(notice);
    let editor = if staff.may_change_issuer(achievement.issuer_id) {
        fields_form(
            staff,
            &format!("/console/achievements/{}", achievement.id),
            form,
            error,
            None,
            preview,
        )
    } else {
        preview_section(preview)
    };
    let image = if staff.may_change_issuer(achievement.issuer_id) {
        super::images::control(
            state,
            &format!("/console/achievements/{}/image", achievement.id),
            achievement.image.as_deref(),
            &staff.session.csrf_token,
            &format!("/api/v1/achievements/{}/image", achievement.id),
        )
    } else {
        String::new()
    };
    let body = format!(
        r#"{notice}<p><a href="{public}">Public badge page</a></p>
{image}
{editor}"#,
        public = esc(&state.urls.achievement(achievement.id)),
    );
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    pages::respond(status, pages::page(&achievement.name, Some(staff), &body))
}

fn preview_section(preview: Option<&Value>) -> String {
    let Some(document) = preview else {
        return r#"<div id="live-preview" aria-live="polite"></div>"#.to_string();
    };
    let text = |pointer: &str| {
        document
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    let criteria = text("/credentialSubject/achievement/criteria/narrative");
    format!(
        r#"<div id="live-preview" aria-live="polite">
<section aria-labelledby="page-preview-title" id="page-preview"><h2 id="page-preview-title">On its public page</h2>
<div class="notice warn"><p><strong>{name}</strong></p><p>{description}</p><p class="narrative">{criteria}</p><p class="muted">Issued by {issuer}</p></div></section>
<section aria-labelledby="preview"><h2 id="preview">The credential it mints</h2>
<p class="muted">For a sample recipient, before signing: the recipient appears only as a salted hash of their email.</p>
<pre id="credential-preview">{json}</pre></section></div>"#,
        name = esc(text("/credentialSubject/achievement/name")),
        description = esc(text("/credentialSubject/achievement/description")),
        criteria = esc(criteria),
        issuer = esc(text("/issuer/name")),
        json = esc(&serde_json::to_string_pretty(document).unwrap_or_default()),
    )
}

fn fields_form(
    staff: &Staff,
    action: &str,
    form: &AchievementForm,
    error: Option<&FieldError>,
    issuers: Option<&[&Issuer]>,
    preview: Option<&Value>,
) -> String {
    let mark = |name: &str| match error {
        Some((f, message)) if *f == name => (
            format!(
                r#" <span class="error" id="{name}-error">{}</span>"#,
                esc(message)
            ),
            format!(r#" aria-invalid="true" aria-describedby="{name}-error""#),
        ),
        _ => (String::new(), String::new()),
    };
    let input = |name: &'static str, label: &str, value: &str| {
        let (message, attrs) = mark(name);
        format!(
            r#"<p><label for="{name}">{label}</label><br><input id="{name}" name="{name}" value="{}"{attrs}>{message}</p>
"#,
            esc(value)
        )
    };
    let area = |name: &'static str, label: &str, value: &str, rows: u32| {
        let (message, attrs) = mark(name);
        format!(
            r#"<p><label for="{name}">{label}</label><br><textarea id="{name}" name="{name}" rows="{rows}" cols="60"{attrs}>{}</textarea>{message}</p>
"#,
            esc(value)
        )
    };
    let issuer_field = match issuers {
        Some(list) => {
            let (message, attrs) = mark("issuer");
            let options: String = list
                .iter()
                .map(|i| {
                    let selected = if i.id.to_string() == form.issuer {
                        " selected"
                    } else {
                        ""
                    };
                    format!(
                        r#"<option value="{}"{selected}>{}</option>"#,
                        i.id,
                        esc(&i.name)
                    )
                })
                .collect();
            format!(
                r#"<p><label for="issuer">Issuer</label><br><select id="issuer" name="issuer"{attrs}>{options}</select>{message}</p>
"#
            )
        }
        None => String::new(),
    };
    format!(
        r#"<form method="post" action="{action}" data-live-preview>
<input type="hidden" name="csrf" value="{csrf}">
{issuer_field}{name}{description}{narrative}{criteria_url}{kind}{tags}{credits}{days}{rules}<p><button type="submit" name="action" value="preview">Preview the credential</button> <button type="submit" name="action" value="save">Save</button></p>
</form>
{preview}"#,
        action = esc(action),
        csrf = esc(&staff.session.csrf_token),
        name = input("name", "Name", &form.name),
        description = area("description", "Description", &form.description, 3),
        narrative = area(
            "criteria_narrative",
            "Criteria (what earns it; Markdown)",
            &form.criteria_narrative,
            3
        ),
        criteria_url = input("criteria_url", "Criteria page (URL)", &form.criteria_url),
        kind = input(
            "achievement_type",
            "Type (Badge, Course, CertificateOfCompletion, ext:…)",
            &form.achievement_type
        ),
        tags = input("tags", "Tags (comma-separated)", &form.tags),
        credits = input(
            "credits_available",
            "Credits (hours)",
            &form.credits_available
        ),
        days = input(
            "valid_for_days",
            "Valid for (days; empty: no end)",
            &form.valid_for_days
        ),
        rules = area(
            "award_rules",
            "Award rules (JSON list, as in the admin API)",
            &form.award_rules,
            4
        ),
        preview = preview_section(preview),
    )
}

/// Ties a check's error to the form field it is about (the message shown beside it).
fn at<E: std::fmt::Display>(field: &'static str) -> impl Fn(E) -> (&'static str, String) {
    move |error| (field, error.to_string())
}
