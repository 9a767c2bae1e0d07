//! Awards: `POST /achievements/{id}/awards` mints, `/awards` lists and shows.
//!
//! The POST body is one award object (answered 201 when minted, 200 when the recipient
//! already had it) or a batch `{"awards": [...]}` of at most [`MAX_BATCH`] rows, answered 200
//! with one result per row in input order: a bad row fails alone, and a database failure
//! fails the rows it affected, never storing part of one.
//!
//! `Idempotency-Key`: a successful response is stored under (key, token) with a SHA-256 of
//! method, path and body. A retry with the same key and request gets the stored response
//! (header `Idempotent-Replayed: true`); the same key with another request is a 422. Failed
//! requests are not stored, so they can be retried with the same key: minting is exactly
//! once per recipient anyway, so a retry never mints twice.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use laurel_core::model::normalize_email;
use laurel_store::{Award, AwardFilter, IdempotentResponse};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub mod claim_link;
mod views;

pub use claim_link::{ClaimLinkSent, send as send_claim_link};

pub use views::{
    AwardDetail, AwardFull, AwardOrBatchResults, AwardPage, AwardView, BatchResults, BatchRow,
    StatusChangeResult,
};

use super::extract::{Json, PathId, Query, RawBody, json_error, parse_json, require_json};
use super::notifications::NotificationView;
use crate::auth::{AWARD_PERSONAL, Bearer};
use crate::{AppState, HttpError, HttpResult};
use laurel_service::ServiceError;
use laurel_service::fields;
use laurel_service::mint::{self, AwardInput, Outcome};

/// The most rows one batch request may hold.
pub const MAX_BATCH: usize = 1_000;
/// The page size of `GET /awards` when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 50;
/// The largest page `GET /awards` returns.
pub const MAX_LIMIT: u32 = 1_000;
/// The longest `Idempotency-Key` accepted.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

/// `POST /achievements/{id}/awards` with `{"awards": [...]}`: the rows stay raw JSON here, so
/// each is read into an [`AwardInput`] on its own and a bad row fails alone, by its index.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardBatch {
    /// The awards, each read as an AwardInput (without notify)
    #[schema(value_type = Vec<AwardInput>, min_items = 1, max_items = 1000)]
    awards: Vec<Value>,
    /// Email the recipients (when the issuer has email settings); default true
    #[serde(default)]
    notify: Option<bool>,
}

/// `POST /achievements/{id}/awards`.
#[utoipa::path(
    post,
    path = "/achievements/{id}/awards",
    operation_id = "awards_create",
    tag = "awards",
    summary = "Award the achievement to one recipient or a batch",
    description = "One recipient (normalized email) gets one credential per achievement: repeating a request, retrying it, or racing it returns the stored credential and never mints a second. In a batch, a bad row is reported as failed without affecting the others.",
    params(
        crate::api::openapi::IdParam,
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the stored response of an earlier successful request with the same key, token and body (header Idempotent-Replayed: true); the same key with another request is a 422.", min_length = 1, max_length = 255),
    ),
    request_body(content = crate::api::openapi::bodies::AwardRequest, content_type = "application/json", description = "One award object, or {\"awards\": [...]} with at most 1000 rows."),
    responses(
        (status = 201, description = "One award, newly minted", body = AwardFull, content_type = "application/json"),
        (status = 200, description = "One award that already existed (unchanged), or a batch's per-row results in input order", body = AwardOrBatchResults, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 404, response = crate::api::openapi::E404),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
        (status = 422, response = crate::api::openapi::E422),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["issue"])),
)]
pub async fn create(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> HttpResult<Response> {
    bearer.require("issue")?;
    let achievement_id = id.uuid("achievement")?;
    bearer.within_achievement(&state, achievement_id).await?;
    let key = idempotency_key(&headers)?;
    let request_hash = {
        let mut hasher = Sha256::new();
        hasher.update(format!(
            "POST\n/api/v1/achievements/{achievement_id}/awards\n"
        ));
        hasher.update(&body);
        hex::encode(hasher.finalize())
    };
    if let Some(key) = &key
        && let Some(stored) = state.store.idempotent_response(key, bearer.0.id).await?
    {
        return replay(&stored, &request_hash);
    }
    require_json(&headers)?;
    let (status, value) = award(&state, achievement_id, &body).await?;
    let detail = audit_detail(&value);
    let answer = |status, value| {
        Ok(super::audit::with_detail(
            (status, Json(value)),
            detail.clone(),
        ))
    };
    let Some(key) = key else {
        return answer(status, value);
    };
    let response = IdempotentResponse {
        key,
        token_id: bearer.0.id,
        request_hash: request_hash.clone(),
        status: status.as_u16(),
        body: value.to_string(),
        created_at: state.clock.now(),
    };
    match state.store.save_idempotent_response(&response).await {
        // Another request with this key and body finished first: answer as it did.
        Ok(stored) if stored.request_hash == request_hash && stored.body != response.body => {
            replay(&stored, &request_hash)
        }
        Ok(_) => answer(status, value),
        Err(error) => {
            // The awards are stored; only the replay record is missing, and minting is
            // exactly once, so a retry still cannot mint twice.
            tracing::warn!(error = %error, "could not store an idempotent response");
            answer(status, value)
        }
    }
}

/// What the audit log keeps of an award call: counts, and the ids of awards created (at most
/// [`super::audit::MAX_IDS`]), never recipients.
fn audit_detail(value: &Value) -> Value {
    match value.get("results").and_then(Value::as_array) {
        Some(results) => {
            let created = results
                .iter()
                .filter(|row| row["status"] == "created")
                .filter_map(|row| row["award"]["id"].as_str());
            json!({
                "created": value["created"],
                "existing": value["existing"],
                "failed": value["failed"],
                "award_ids": super::audit::some_ids(created),
            })
        }
        None => json!({ "award_ids": [value["id"]] }),
    }
}

/// Mints one award or a batch; the status and body of a success.
async fn award(
    state: &AppState,
    achievement_id: Uuid,
    body: &[u8],
) -> HttpResult<(StatusCode, Value)> {
    let value: Value = parse_json(body)?;
    let is_batch = value
        .as_object()
        .is_some_and(|object| object.contains_key("awards"));
    if !is_batch {
        let input: AwardInput =
            serde_json::from_value(value).map_err(|error| json_error(&error))?;
        let notify = input.notify.unwrap_or(true);
        let recipient = input.check().map_err(HttpError::BadRequest)?;
        let outcome = mint::award(state, achievement_id, vec![Ok(recipient)], notify)
            .await?
            .pop()
            .ok_or_else(|| HttpError::Internal("no outcome for a single award".into()))?;
        return match outcome {
            Outcome::Created(award) => Ok((
                StatusCode::CREATED,
                super::to_json(&AwardFull::new(&state.urls, &award))?,
            )),
            Outcome::Existing(award) => Ok((
                StatusCode::OK,
                super::to_json(&AwardFull::new(&state.urls, &award))?,
            )),
            Outcome::Failed(error) => Err(error.into()),
        };
    }

    let batch: AwardBatch = serde_json::from_value(value).map_err(|error| json_error(&error))?;
    if batch.awards.is_empty() {
        return Err(HttpError::BadRequest(
            "awards is empty: give at least one award".into(),
        ));
    }
    if batch.awards.len() > MAX_BATCH {
        return Err(HttpError::BadRequest(format!(
            "a batch holds at most {MAX_BATCH} awards, got {}: split it into several requests",
            batch.awards.len()
        )));
    }
    let rows = batch
        .awards
        .into_iter()
        .map(|row| {
            serde_json::from_value::<AwardInput>(row)
                .map_err(|error| json_error(&error))
                .and_then(|input| {
                    if input.notify.is_some() {
                        return Err(HttpError::BadRequest(
                            "notify applies to the whole batch: give it beside awards".into(),
                        ));
                    }
                    input.check().map_err(HttpError::BadRequest)
                })
                // Every rejection here is the client's: an invalid row.
                .map_err(|error| ServiceError::Invalid(error.to_string()))
        })
        .collect();
    let notify = batch.notify.unwrap_or(true);
    let outcomes = mint::award(state, achievement_id, rows, notify).await?;
    let (mut created, mut existing, mut failed) = (0, 0, 0);
    let row = |index, status, award: Option<&Award>, error| BatchRow {
        index,
        status,
        award: award.map(|award| AwardView::new(&state.urls, award)),
        error,
    };
    let results: Vec<BatchRow> = outcomes
        .iter()
        .enumerate()
        .map(|(index, outcome)| match outcome {
            Outcome::Created(award) => {
                created += 1;
                row(index, "created", Some(award), None)
            }
            Outcome::Existing(award) => {
                existing += 1;
                row(index, "existing", Some(award), None)
            }
            Outcome::Failed(error) => {
                failed += 1;
                let detail = public_detail(&HttpError::from(error.clone()));
                row(index, "failed", None, Some(detail))
            }
        })
        .collect();
    let results = BatchResults {
        created,
        existing,
        failed,
        results,
    };
    Ok((StatusCode::OK, super::to_json(&results)?))
}

/// `GET /awards` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this achievement's
    #[serde(default)]
    #[param(value_type = Option<Uuid>)]
    achievement: Option<String>,
    /// Only this issuer's
    #[serde(default)]
    #[param(value_type = Option<Uuid>)]
    issuer: Option<String>,
    /// Only this recipient's (normalized: trimmed, lowercased)
    #[serde(default)]
    email: Option<String>,
    /// Part of the recipient's email or name (ASCII letters match either case)
    #[serde(default)]
    q: Option<String>,
    /// Issued at or after: a date (2026-03-01) or an RFC 3339 date-time
    #[serde(default)]
    from: Option<String>,
    /// Issued before: an RFC 3339 date-time, or a date meaning the end of that day
    #[serde(default)]
    until: Option<String>,
    /// (default 50)
    #[serde(default)]
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
    /// (default 0)
    #[serde(default)]
    #[param(minimum = 0)]
    offset: Option<u32>,
}

/// `GET /awards?achievement=&issuer=&email=&q=&from=&until=&limit=&offset=`, newest first
/// (`q`: part of the recipient's email or name).
///
/// `from` is inclusive and `until` exclusive; a plain date as `until` means the end of that
/// day, so `from=2026-03-01&until=2026-03-31` is the whole of March 1–31.
#[utoipa::path(
    get,
    path = "/awards",
    operation_id = "awards_list",
    tag = "awards",
    summary = "Search awards",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of awards, newest first, and how many match", body = AwardPage, content_type = "application/json"),
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
    if !bearer.shows_recipients() && (query.email.is_some() || query.q.is_some()) {
        // Searching by address or name would tell, award by award, what the answer hides.
        return Err(HttpError::Forbidden(
            "this token does not see recipients' emails or names (it was made without \
             --with-emails), so it cannot search by them: leave out email and q"
                .into(),
        ));
    }
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(HttpError::BadRequest(format!(
            "limit must be between 1 and {MAX_LIMIT}, got {limit}"
        )));
    }
    let filter = AwardFilter {
        achievement_id: fields::id_param("achievement", query.achievement.as_deref())?,
        issuer_id: fields::id_param("issuer", query.issuer.as_deref())?,
        issuer_ids: bearer.issuer_ids().unwrap_or_default().to_vec(),
        recipient_email: query
            .email
            .as_deref()
            .map(normalize_email)
            .filter(|email| !email.is_empty()),
        recipient_contains: query
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_string),
        issued_from: date_param("from", query.from.as_deref(), false)?,
        issued_until: date_param("until", query.until.as_deref(), true)?,
        limit,
        offset: query.offset.unwrap_or(0),
    };
    let (awards, total) = state.store.list_awards(&filter).await?;
    let mut body = super::to_json(&AwardPage {
        total,
        limit: filter.limit,
        offset: filter.offset,
        awards: awards
            .iter()
            .map(|award| AwardView::new(&state.urls, award))
            .collect(),
    })?;
    bearer.redact(&mut body["awards"], AWARD_PERSONAL);
    Ok(Json(body))
}

/// `GET /awards/{id}`: with the signed credential and its JWT.
#[utoipa::path(
    get,
    path = "/awards/{id}",
    operation_id = "awards_get",
    tag = "awards",
    summary = "Get an award with its signed credential and VC-JWT",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 200, description = "The award, with its email's delivery state (notification, null when it has none)", body = AwardDetail, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn get(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<Value>> {
    bearer.require("read")?;
    let id = id.uuid("award")?;
    let award = state
        .store
        .award(id)
        .await
        .map_err(|error| crate::error::not_found_in(error, "award", id))?;
    bearer.within(award.issuer_id, "award", id)?;
    let notification = state.store.notification(id).await?;
    let pathway_unmet = laurel_service::pathways::unmet_for_award(&state, &award)
        .await?
        .map(|unmet| unmet.reasons);
    let mut view = super::to_json(&AwardDetail {
        full: AwardFull::new(&state.urls, &award),
        notification: notification.map(|n| NotificationView::new(&n, None)),
        pathway_unmet,
    })?;
    bearer.redact(&mut view, AWARD_PERSONAL);
    Ok(Json(view))
}

/// What a client may read about a failed row (internal details are logged instead).
fn public_detail(error: &HttpError) -> String {
    match error {
        HttpError::Internal(message) => {
            tracing::error!(error = %message, "award row failed");
            "an internal error occurred; it has been logged; nothing was stored for this row".into()
        }
        HttpError::Unavailable(_) => {
            "the database is unavailable; nothing was stored for this row: retry it".into()
        }
        other => other.to_string(),
    }
}

fn idempotency_key(headers: &HeaderMap) -> HttpResult<Option<String>> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().map(str::trim).unwrap_or("");
    if key.is_empty()
        || key.len() > MAX_IDEMPOTENCY_KEY
        || !key.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(HttpError::BadRequest(format!(
            "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} printable ASCII characters (a UUID is a good choice)"
        )));
    }
    Ok(Some(key.to_string()))
}

fn replay(stored: &IdempotentResponse, request_hash: &str) -> HttpResult<Response> {
    if stored.request_hash != request_hash {
        return Err(HttpError::Unprocessable(format!(
            "Idempotency-Key {:?} was already used for a different request (another achievement or body); use a new key for each new request",
            stored.key
        )));
    }
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body.clone()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    Ok(response)
}

/// An RFC 3339 date-time, or a date: its start, or (for an exclusive end) the next day's.
fn date_param(
    name: &str,
    value: Option<&str>,
    end_of_day: bool,
) -> HttpResult<Option<DateTime<Utc>>> {
    let Some(text) = value.map(str::trim).filter(|text| !text.is_empty()) else {
        return Ok(None);
    };
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Ok(Some(instant.with_timezone(&Utc)));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        && let Some(start) = date.and_hms_opt(0, 0, 0)
    {
        let start = start.and_utc();
        return Ok(Some(if end_of_day {
            start + Duration::days(1)
        } else {
            start
        }));
    }
    Err(HttpError::BadRequest(format!(
        "{name} must be a date (2026-03-01) or an RFC 3339 date-time (2026-03-01T09:00:00Z), got {text:?}"
    )))
}
