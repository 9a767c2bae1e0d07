//! `/completions`: who completed what (a course, an assignment), as a course platform reports it.
//!
//! `what` is the issuer's own key for the thing completed (`cataloguing-101`); an achievement
//! whose rule is `{"kind": "completion", "what": "cataloguing-101"}` is awarded as soon as a
//! completion of it is recorded. The first completion recorded per (issuer, what, email) is
//! kept; recording it again changes nothing. One completion sent alone is answered like one
//! award (an error status if it is refused); in a batch a bad row is rejected alone.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use laurel_store::{Completion, Recorded, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::attendance::RecordResult;
use super::extract::{Json, Query, RawBody, json_error, parse_json, require_json};
use super::rules::RuleOutcome;
use crate::auth::Bearer;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::activity::rules::{self, Scope};
use laurel_service::fields::{self, MAX_NAME, MAX_TEXT};
use laurel_service::mint::recipient_email;

/// The most completions one request may hold.
pub const MAX_BATCH: usize = 10_000;

/// `POST /completions` with `{"completions": [...]}`: the rows stay raw JSON here, so each is
/// read into a [`CompletionInput`] on its own and a bad row is rejected alone, by its index.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompletionBatch {
    /// The completions, each read as a CompletionInput
    #[schema(value_type = Vec<CompletionInput>, min_items = 1, max_items = 10000)]
    completions: Vec<Value>,
}

/// One completion as a client gives it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompletionInput {
    issuer_id: Uuid,
    /// The issuer's own key for what was completed (cataloguing-101)
    #[schema(min_length = 1)]
    what: String,
    /// Normalized (trimmed, lowercased)
    #[schema(format = Email)]
    email: String,
    /// Kept for staff, never published
    #[serde(default)]
    name: Option<String>,
    /// A date (2026-03-01, midnight UTC) or an RFC 3339 date-time; now when absent
    #[serde(default)]
    completed_at: Option<String>,
    /// A result or score as the source gives it (87, pass); published as the credential's result value
    #[serde(default)]
    #[schema(schema_with = crate::api::openapi::fields::completion_input_score)]
    score: Option<Value>,
    /// A URL or a description; published as evidence
    #[serde(default)]
    evidence: Option<String>,
    /// The person's role in it: participant, mentor, instructor, presenter (any case) or the issuer's own words (at most 60 characters). Award rules may count or credit it, and awards by rule sign it in
    #[serde(default)]
    #[schema(max_length = 60, example = "Mentor")]
    role: Option<String>,
}

/// `POST /completions`: one completion, or `{"completions": [...]}`. Records them (a bad row
/// fails alone) and awards by rule at once.
#[utoipa::path(
    post,
    path = "/completions",
    operation_id = "completions_create",
    tag = "completions",
    summary = "Record completions and award by rule",
    description = "One completion, or {\"completions\": [...]} with 1 to 10000 rows; either way the answer has one result per row. A bad row (an unknown field, a bad email or date) is rejected alone and the others are recorded; an issuer_id that names no issuer makes the whole request a 404. The first completion per (issuer, what, email) is kept; recording it again changes nothing (duplicate). Then achievements with a completion rule for what was recorded are awarded at once (awards), exactly once per recipient.",
    request_body(content = crate::api::openapi::bodies::CompletionRequest, content_type = "application/json", description = "One completion object, or {\"completions\": [...]} with at most 10000 rows."),
    responses(
        (status = 200, description = "Per-row results in input order, and what was awarded", body = CompletionResults, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 404, response = crate::api::openapi::E404),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["issue"])),
)]
pub async fn create(
    State(state): State<AppState>,
    bearer: Bearer,
    headers: axum::http::HeaderMap,
    RawBody(body): RawBody,
) -> HttpResult<Json<CompletionResults>> {
    bearer.require("issue")?;
    require_json(&headers)?;
    let value: Value = parse_json(&body)?;
    let single = !value
        .as_object()
        .is_some_and(|object| object.contains_key("completions"));
    let rows: Vec<Value> = match value {
        Value::Object(object) if object.contains_key("completions") => {
            if object.len() > 1 {
                return Err(HttpError::BadRequest(
                    "a batch body has only \"completions\": put issuer_id in each row".into(),
                ));
            }
            // With "completions" its only member, the one way this fails is a non-array.
            serde_json::from_value::<CompletionBatch>(Value::Object(object))
                .map_err(|_| {
                    HttpError::BadRequest(
                        "completions must be an array of completion objects".into(),
                    )
                })?
                .completions
        }
        other => vec![other],
    };
    if rows.is_empty() || rows.len() > MAX_BATCH {
        return Err(HttpError::BadRequest(format!(
            "give 1 to {MAX_BATCH} completions, got {}",
            rows.len()
        )));
    }
    let now = state.clock.now();
    // Every row is given its result below: rejected here, or what storing it did.
    let mut results: Vec<RecordResult> = (0..rows.len())
        .map(|index| RecordResult::new(index, "recorded"))
        .collect();
    let mut valid = Vec::new();
    let mut valid_index = Vec::new();
    let mut issuers: BTreeMap<Uuid, bool> = BTreeMap::new();
    for (index, row) in rows.into_iter().enumerate() {
        let mut checked = serde_json::from_value::<CompletionInput>(row)
            .map_err(|error| json_error(&error))
            .and_then(|input| completion(input, now));
        if let Ok(record) = &checked {
            let known = match issuers.get(&record.issuer_id) {
                Some(known) => *known,
                // Another issuer's, for a token limited to some, is as unknown as a missing one.
                None if !bearer.may_see(record.issuer_id) => false,
                None => {
                    let known = match state.store.issuer(record.issuer_id).await {
                        Ok(_) => true,
                        Err(StoreError::NotFound) => false,
                        Err(error) => return Err(error.into()),
                    };
                    issuers.insert(record.issuer_id, known);
                    known
                }
            };
            if !known {
                checked = Err(HttpError::not_found("issuer", record.issuer_id));
            }
        }
        match checked {
            Ok(record) => {
                valid_index.push(index);
                valid.push(record);
            }
            // One completion asked for alone fails the request, as one award does.
            Err(error) if single => return Err(error),
            Err(error) => {
                results[index] = RecordResult {
                    error: Some(error.to_string()),
                    ..RecordResult::new(index, "rejected")
                };
            }
        }
    }
    let recorded = if valid.is_empty() {
        Vec::new()
    } else {
        state.store.record_completions(&valid).await?
    };
    let (mut new, mut duplicate) = (0, 0);
    for ((index, record), what) in valid_index.iter().zip(&valid).zip(recorded) {
        let status = if what == Recorded::New {
            new += 1;
            "recorded"
        } else {
            duplicate += 1;
            "duplicate"
        };
        results[*index] = RecordResult {
            email: Some(record.recipient_email.clone()),
            what: Some(record.what.clone()),
            ..RecordResult::new(*index, status)
        };
    }
    let scopes: BTreeSet<(Uuid, String)> = valid
        .iter()
        .map(|record| (record.issuer_id, record.what.clone()))
        .collect();
    let mut awards = Vec::new();
    for (issuer_id, what) in scopes {
        let plans = rules::plan(&state, &Scope::Completion { issuer_id, what }, &[]).await?;
        awards.extend(rules::mint(&state, plans).await?);
    }
    Ok(Json(CompletionResults {
        recorded: new,
        duplicate,
        rejected: results.len() - valid.len(),
        results,
        awards: super::rules::outcomes(awards),
    }))
}

/// `GET /completions` query.
/// `GET /completions` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// The issuer whose completions to list
    #[param(value_type = Uuid)]
    issuer: String,
    /// Only completions of this
    #[serde(default)]
    what: Option<String>,
}

/// `GET /completions?issuer=[&what=]`.
#[utoipa::path(
    get,
    path = "/completions",
    operation_id = "completions_list",
    tag = "completions",
    summary = "List completions",
    params(ListQuery),
    responses(
        (status = 200, description = "The issuer's completions", body = CompletionList, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn list(
    State(state): State<AppState>,
    bearer: Bearer,
    Query(query): Query<ListQuery>,
) -> HttpResult<Json<Value>> {
    bearer.require("read")?;
    let issuer = fields::id_param("issuer", Some(&query.issuer))?
        .ok_or_else(|| HttpError::BadRequest("issuer is required".into()))?;
    let what = query
        .what
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty());
    // Another issuer's list is empty to a token limited to some, as a missing issuer's is.
    let completions = if bearer.may_see(issuer) {
        state.store.completions(issuer, what).await?
    } else {
        Vec::new()
    };
    let mut body = super::to_json(&CompletionList {
        completions: completions.iter().map(view).collect(),
    })?;
    bearer.redact(&mut body["completions"], crate::auth::RECORD_PERSONAL);
    Ok(Json(body))
}

fn completion(input: CompletionInput, now: DateTime<Utc>) -> HttpResult<Completion> {
    let completed_at = match input.completed_at.as_deref().map(str::trim) {
        None | Some("") => now,
        Some(text) => date_or_instant(text)?,
    };
    let evidence = fields::optional("evidence", input.evidence.as_deref(), MAX_TEXT)?;
    Ok(Completion {
        id: Uuid::now_v7(),
        issuer_id: input.issuer_id,
        what: fields::required("what", &input.what, MAX_NAME)?,
        recipient_email: recipient_email(&input.email).map_err(HttpError::BadRequest)?,
        recipient_name: fields::optional("name", input.name.as_deref(), MAX_NAME)?,
        completed_at,
        score: score(input.score)?,
        evidence,
        recorded_at: now,
        role: laurel_service::mint::role(input.role.as_deref()).map_err(HttpError::BadRequest)?,
    })
}

/// A score given as a string or a number, kept as text.
fn score(value: Option<Value>) -> HttpResult<Option<String>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(fields::optional("score", Some(&text), MAX_NAME)?),
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        Some(other) => Err(HttpError::BadRequest(format!(
            "score must be a string or a number, got {other}"
        ))),
    }
}

fn date_or_instant(text: &str) -> HttpResult<DateTime<Utc>> {
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Ok(instant.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|midnight| midnight.and_utc())
        .ok_or_else(|| {
            HttpError::BadRequest(format!(
                "completed_at must be a date (2026-03-01) or an RFC 3339 date-time, got {text:?}"
            ))
        })
}

fn view(completion: &Completion) -> CompletionView {
    CompletionView {
        id: completion.id,
        issuer_id: completion.issuer_id,
        what: completion.what.clone(),
        email: Some(completion.recipient_email.clone()),
        name: completion.recipient_name.clone(),
        completed_at: completion.completed_at,
        score: completion.score.clone(),
        evidence: completion.evidence.clone(),
        recorded_at: completion.recorded_at,
        role: completion.role.clone(),
    }
}

/// A completion as the admin API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Completion)]
pub struct CompletionView {
    id: Uuid,
    issuer_id: Uuid,
    what: String,
    /// Personal data: null for a read-only token made without --with-emails
    email: Option<String>,
    /// Personal data: null for a read-only token made without --with-emails
    name: Option<String>,
    completed_at: DateTime<Utc>,
    score: Option<String>,
    evidence: Option<String>,
    recorded_at: DateTime<Utc>,
    /// The person's role in it, when recorded
    role: Option<String>,
}

/// `GET /completions`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionList {
    completions: Vec<CompletionView>,
}

/// `POST /completions`: per-row results in input order, and what was awarded.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionResults {
    recorded: usize,
    duplicate: usize,
    rejected: usize,
    results: Vec<RecordResult>,
    awards: Vec<RuleOutcome>,
}
