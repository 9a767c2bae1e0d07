//! Award rules on achievements: `/achievements/{id}/rules/...`.
//!
//! Rules are set with the achievement (`award_rules` in `POST` and `PATCH /achievements`,
//! checked by `laurel_service::activity::rules::check`).
//! Setting or changing them mints nothing by itself: `GET .../rules/preview` shows who would be
//! awarded now, and `POST .../rules/evaluate` awards them. From then on every attendance or
//! completion recorded evaluates them at once.

use axum::extract::State;
use laurel_store::Achievement;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::extract::{Json, PathId};
use crate::auth::Bearer;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::activity::rules::{self, Minted, Scope};

/// The stored rules of an achievement as JSON for its view.
pub fn view(achievement: &Achievement) -> Value {
    serde_json::from_str(&achievement.award_rules).unwrap_or_else(|_| json!([]))
}

/// `GET /achievements/{id}/rules/preview`: who meets the rules now and has no credential yet.
#[utoipa::path(
    get,
    path = "/achievements/{id}/rules/preview",
    operation_id = "rules_preview",
    tag = "achievements",
    summary = "Preview who the achievement's award rules would award now",
    description = "Evaluates the achievement's award_rules against every attendance and completion recorded, and lists the people who meet one of them and have no credential for it yet. Mints nothing; setting or changing rules mints nothing either (POST .../rules/evaluate does).",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 200, description = "Who meets the rules now and has no credential yet", body = RulePreview, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn preview(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<Value>> {
    bearer.require("read")?;
    let achievement = super::achievements::load(&state, &bearer, &id).await?;
    let mut plans = rules::plan(&state, &Scope::Achievement(achievement.clone()), &[]).await?;
    let plan = plans
        .pop()
        .ok_or_else(|| HttpError::Internal("no plan for one achievement".into()))?;
    let pending = plan
        .pending
        .iter()
        .zip(&plan.sessions)
        .map(|(recipient, sessions)| PendingAward {
            email: Some(recipient.email.clone()),
            name: recipient.name.clone(),
            activity_start_date: recipient.activity_start_date.clone(),
            activity_end_date: recipient.activity_end_date.clone(),
            sessions: sessions.clone(),
            result: recipient.result.as_ref().and_then(|r| r.status.clone()),
            credits_earned: recipient.credits_earned,
        })
        .collect();
    let mut body = super::to_json(&RulePreview {
        achievement_id: achievement.id,
        award_rules: view(&achievement),
        qualified: plan.qualified,
        already_awarded: plan.qualified - plan.pending.len(),
        would_award: plan.pending.len(),
        pending,
    })?;
    bearer.redact(&mut body["pending"], crate::auth::RECORD_PERSONAL);
    Ok(Json(body))
}

/// `POST /achievements/{id}/rules/evaluate`: awards everyone the preview lists.
#[utoipa::path(
    post,
    path = "/achievements/{id}/rules/evaluate",
    operation_id = "rules_evaluate",
    tag = "achievements",
    summary = "Award everyone the achievement's rules qualify",
    description = "Mints, exactly once per recipient, for everyone GET .../rules/preview lists. Credentials say the activity's span, the sessions attended (or the completion's evidence) as evidence, a Completed result for completion rules, and the achievement's credits_available as creditsEarned. Takes no body. Running it again is harmless: nobody is awarded twice.",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 200, description = "What minting did for the achievement", body = RuleOutcome, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["issue"])),
)]
pub async fn evaluate(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<RuleOutcome>> {
    bearer.require("issue")?;
    let achievement = super::achievements::load(&state, &bearer, &id).await?;
    let plans = rules::plan(&state, &Scope::Achievement(achievement), &[]).await?;
    let mut minted = rules::mint(&state, plans).await?;
    let minted = minted
        .pop()
        .ok_or_else(|| HttpError::Internal("no outcome for one achievement".into()))?;
    Ok(Json(RuleOutcome::from(minted)))
}

/// What evaluating one achievement's award rules minted
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RuleOutcome)]
pub struct RuleOutcome {
    achievement_id: Uuid,
    name: String,
    /// People meeting one of its rules, awarded or not
    qualified: usize,
    /// Credentials minted now
    created: usize,
    /// Recipients who had it already (minted meanwhile by a concurrent request)
    existing: usize,
    /// Recipients whose credential could not be minted (logged); evaluating again retries
    failed: usize,
}

impl From<Minted> for RuleOutcome {
    fn from(minted: Minted) -> Self {
        RuleOutcome {
            achievement_id: minted.achievement_id,
            name: minted.name,
            qualified: minted.qualified,
            created: minted.created,
            existing: minted.existing,
            failed: minted.failed,
        }
    }
}

/// What minting did, per achievement.
pub fn outcomes(minted: Vec<Minted>) -> Vec<RuleOutcome> {
    minted.into_iter().map(RuleOutcome::from).collect()
}

/// Who an achievement's award rules would award now
#[derive(Debug, Serialize, ToSchema)]
pub struct RulePreview {
    achievement_id: Uuid,
    #[schema(schema_with = crate::api::openapi::fields::award_rules)]
    award_rules: Value,
    /// People meeting one of the rules, awarded or not
    qualified: usize,
    already_awarded: usize,
    /// The length of pending
    would_award: usize,
    /// Who evaluating would award now, with what their credential would say
    pending: Vec<PendingAward>,
}

/// One person the rules would award, and what their credential would say.
#[derive(Debug, Serialize, ToSchema)]
pub struct PendingAward {
    /// Personal data: null for a read-only token made without --with-emails
    email: Option<String>,
    /// Personal data: null for a read-only token made without --with-emails
    name: Option<String>,
    /// A date or an RFC 3339 date-time
    activity_start_date: Option<String>,
    /// A date or an RFC 3339 date-time
    activity_end_date: Option<String>,
    /// The events that count (empty for a completion rule)
    sessions: Vec<String>,
    /// Completed when a completion rule is met
    result: Option<String>,
    /// The achievement's credits_available
    credits_earned: Option<f64>,
}
