//! `/console/achievements`: badges, created and edited with a preview of the credential each
//! will mint (the same check the admin API makes: criteria given, the 1EdTech schema passed),
//! award rules and validity.
//!
//! Administrators change every achievement, issuer managers their issuers'; viewers read.
//! "Preview" shows the credential for what was typed without saving anything.

mod duplicate;
mod view;

pub use duplicate::duplicate;

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use laurel_store::{Achievement, Issuer};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::images::ImageControl;
use super::layout::{self, Layout};
use super::session::Staff;
use super::{audit_log, csrf_rejected};
use crate::{AppState, HttpError};
use laurel_service::catalog::{
    achievement_type, credits, preview_credential, tags, valid_for_days,
};
use laurel_service::fields::{self, MAX_NAME, MAX_TEXT};
use view::{BadgeEditor, BadgePage, BadgeRow, BadgesPage, Preview};

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

use super::layout::FieldError;

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
        a.award_rules = laurel_service::activity::rules::check(state, a.issuer_id, rules)
            .await
            .map_err(at("award_rules"))?;
        Ok(())
    }
}

/// Award rules as the form shows them: pretty JSON, nothing for none.
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
        (Err(e), _) | (_, Err(e)) => return layout::error(&e.into()),
    };
    let issuer_names: std::collections::HashMap<Uuid, &str> =
        issuers.iter().map(|i| (i.id, i.name.as_str())).collect();
    let rows = achievements
        .iter()
        .filter(|a| staff.may_see(a.issuer_id))
        .map(|a| BadgeRow {
            id: a.id,
            name: a.name.clone(),
            issuer: issuer_names
                .get(&a.issuer_id)
                .copied()
                .unwrap_or("")
                .to_string(),
            public: state.urls.achievement(a.id),
        })
        .collect();
    let mine: Vec<&Issuer> = issuers
        .iter()
        .filter(|i| staff.may_change_issuer(i.id))
        .collect();
    let editor = (!mine.is_empty())
        .then(|| BadgeEditor::new("/console/achievements".into(), form, error, Some(&mine)));
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    layout::respond(
        status,
        &BadgesPage {
            layout: Layout::new("Badges", Some(staff)),
            rows,
            editor,
            preview: preview.map(Preview::of),
        },
    )
}

/// `POST /console/achievements`: previews or creates a badge.
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<AchievementForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let Ok(issuer_id) = Uuid::parse_str(form.issuer.trim()) else {
        let error = ("issuer", "Choose an issuer.".to_string());
        return render_list(&state, &staff, &form, Some(&error), None).await;
    };
    if !staff.may_change_issuer(issuer_id) {
        return layout::not_allowed(&staff, "Your account may not change this issuer's badges.");
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
        return layout::error(&error.into());
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
        Err(error) => return layout::error(&error),
    };
    if !staff.may_see(achievement.issuer_id) {
        return layout::not_allowed(&staff, "Your account may not change this issuer's badges.");
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
        return csrf_rejected();
    }
    let (achievement, issuer) = match load(&state, &id).await {
        Ok(found) => found,
        Err(error) => return layout::error(&error),
    };
    if !staff.may_change_issuer(achievement.issuer_id) {
        return layout::not_allowed(&staff, "Your account may not change this issuer's badges.");
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
        return layout::error(&error.into());
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

async fn load(state: &AppState, id: &str) -> Result<(Achievement, Issuer), HttpError> {
    let id = Uuid::parse_str(id).map_err(|_| HttpError::NotFound("no such badge".into()))?;
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
    let may_change = staff.may_change_issuer(achievement.issuer_id);
    let page = BadgePage {
        layout: Layout::new(achievement.name.clone(), Some(staff)),
        notice,
        public: state.urls.achievement(achievement.id),
        image: may_change.then(|| {
            ImageControl::new(
                state,
                format!("/console/achievements/{}/image", achievement.id),
                achievement.image.as_deref(),
                format!("/api/v1/achievements/{}/image", achievement.id),
            )
        }),
        editor: may_change.then(|| {
            BadgeEditor::new(
                format!("/console/achievements/{}", achievement.id),
                form,
                error,
                None,
            )
        }),
        preview: preview.map(Preview::of),
        duplicate: may_change.then_some(achievement.id),
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    layout::respond(status, &page)
}

/// Ties a check's error to the form field it is about (the message shown beside it).
fn at<E: std::fmt::Display>(field: &'static str) -> impl Fn(E) -> (&'static str, String) {
    move |error| (field, error.to_string())
}
