//! Award rules on achievements: checking them when set, and `/achievements/{id}/rules/...`.
//!
//! Rules are set with the achievement (`award_rules` in `POST` and `PATCH /achievements`).
//! Setting or changing them mints nothing by itself: `GET .../rules/preview` shows who would be
//! awarded now, and `POST .../rules/evaluate` awards them. From then on every attendance or
//! completion recorded evaluates them at once.

use axum::extract::State;
use laurel_attendance::rules::Rule;
use laurel_store::{Achievement, StoreError};
use serde_json::{Value, json};
use uuid::Uuid;

use super::extract::{Json, PathId};
use crate::auth::Bearer;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::activity::rules::{self, Scope};

/// The most rules one achievement may have.
pub const MAX_RULES: usize = 20;

/// Checks rules as a client gives them: each well formed, naming events and series of
/// `issuer_id`. The JSON text to store.
pub async fn check(state: &AppState, issuer_id: Uuid, input: Vec<Value>) -> HttpResult<String> {
    if input.len() > MAX_RULES {
        return Err(HttpError::BadRequest(format!(
            "award_rules: at most {MAX_RULES} rules"
        )));
    }
    let mut rules = Vec::with_capacity(input.len());
    for (index, value) in input.into_iter().enumerate() {
        let field = format!("award_rules[{index}]");
        let mut rule: Rule = serde_json::from_value(value).map_err(|error| {
            HttpError::BadRequest(format!(
                "{field}: {error}; a rule is {{\"kind\": \"participation\", \"session\": EVENT_ID, \"min_minutes\"?: N, \"min_percent\"?: P}}, {{\"kind\": \"series_completion\", \"series\": SERIES_ID, \"at_least\"?: K, \"min_minutes\"?: N, \"min_percent\"?: P}} or {{\"kind\": \"completion\", \"what\": KEY}}"
            ))
        })?;
        match &mut rule {
            Rule::Participation { session, .. } => {
                let id = parse_id(&field, "session", session)?;
                // Another issuer's event answers as a missing one: a token limited to some
                // issuers learns nothing of the others' ids.
                match state.store.event(id).await {
                    Ok(event) if event.issuer_id == issuer_id => {}
                    Ok(_) | Err(StoreError::NotFound) => {
                        return Err(HttpError::BadRequest(format!(
                            "{field}.session: this issuer has no event with id {id}"
                        )));
                    }
                    Err(error) => return Err(error.into()),
                }
                // Stored in the one form evaluation compares with.
                *session = id.to_string();
            }
            Rule::SeriesCompletion { series, .. } => {
                let id = parse_id(&field, "series", series)?;
                // Another issuer's series answers as a missing one: a token limited to some
                // issuers learns nothing of the others' ids.
                match state.store.series(id).await {
                    Ok(series) if series.issuer_id == issuer_id => {}
                    Ok(_) | Err(StoreError::NotFound) => {
                        return Err(HttpError::BadRequest(format!(
                            "{field}.series: this issuer has no series with id {id}"
                        )));
                    }
                    Err(error) => return Err(error.into()),
                }
                *series = id.to_string();
            }
            Rule::Completion { what } => {
                *what = what.trim().to_string();
                if what.is_empty() {
                    return Err(HttpError::BadRequest(format!(
                        "{field}.what must not be empty"
                    )));
                }
            }
        }
        rules.push(rule);
    }
    serde_json::to_string(&rules).map_err(|error| HttpError::Internal(error.to_string()))
}

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
        (status = 200, description = "Who meets the rules now and has no credential yet", body = ref("#/components/schemas/RulePreview"), content_type = "application/json"),
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
    let pending: Vec<Value> = plan
        .pending
        .iter()
        .zip(&plan.sessions)
        .map(|(recipient, sessions)| {
            json!({
                "email": recipient.email,
                "name": recipient.name,
                "activity_start_date": recipient.activity_start_date,
                "activity_end_date": recipient.activity_end_date,
                "sessions": sessions,
                "result": recipient.result.as_ref().and_then(|r| r.status.clone()),
                "credits_earned": recipient.credits_earned,
            })
        })
        .collect();
    let mut pending = Value::Array(pending);
    bearer.redact(&mut pending, crate::auth::RECORD_PERSONAL);
    Ok(Json(json!({
        "achievement_id": achievement.id,
        "award_rules": view(&achievement),
        "qualified": plan.qualified,
        "already_awarded": plan.qualified - plan.pending.len(),
        "would_award": plan.pending.len(),
        "pending": pending,
    })))
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
        (status = 200, description = "What minting did for the achievement", body = ref("#/components/schemas/RuleOutcome"), content_type = "application/json"),
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
) -> HttpResult<Json<Value>> {
    bearer.require("issue")?;
    let achievement = super::achievements::load(&state, &bearer, &id).await?;
    let plans = rules::plan(&state, &Scope::Achievement(achievement), &[]).await?;
    let mut minted = rules::mint(&state, plans).await?;
    let minted = minted
        .pop()
        .ok_or_else(|| HttpError::Internal("no outcome for one achievement".into()))?;
    serde_json::to_value(minted)
        .map(Json)
        .map_err(|error| HttpError::Internal(error.to_string()))
}

fn parse_id(field: &str, name: &str, text: &str) -> HttpResult<Uuid> {
    Uuid::parse_str(text.trim()).map_err(|_| {
        HttpError::BadRequest(format!(
            "{field}.{name} must be an id (a UUID), got {text:?}"
        ))
    })
}
