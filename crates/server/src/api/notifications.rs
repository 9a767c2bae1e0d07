//! Telling recipients of their badge, as it went: each credential's delivery state, the
//! outbox as a list, and resending one credential's email or an achievement's failed ones.
//! The SMTP settings and templates they use are in [`super::email`].

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use laurel_store::{Award, Notification, NotificationFilter, NotificationState, Requeued, Resend};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::extract::{Json, OptionalJson, PathId, Query};
use crate::auth::Bearer;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::fields;

/// `POST /achievements/{id}/notify` body.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResendInput {
    /// Which credentials: `failed` (the default), `unsent`, `dry_run`.
    #[serde(default)]
    #[schema(schema_with = crate::api::openapi::fields::resend_input_which)]
    which: Option<Vec<Resend>>,
}

/// `GET /notifications` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this issuer's
    #[param(value_type = Option<Uuid>)]
    issuer_id: Option<String>,
    /// Only this achievement's
    #[param(value_type = Option<Uuid>)]
    achievement_id: Option<String>,
    /// (one of `queued`, `sending`, `sent`, `failed`)
    #[param(schema_with = crate::api::openapi::fields::notification_state)]
    state: Option<String>,
    /// (default 50)
    #[param(minimum = 0, maximum = 1000)]
    limit: Option<u32>,
    /// (default 0)
    #[param(minimum = 0)]
    offset: Option<u32>,
}

/// The default page size of `GET /notifications`.
pub const DEFAULT_LIMIT: u32 = 50;
/// The largest page of `GET /notifications`.
pub const MAX_LIMIT: u32 = 1_000;
/// `GET /credentials/{id}/notification`: how telling its recipient went.
#[utoipa::path(
    get,
    path = "/credentials/{id}/notification",
    operation_id = "email_get_notification",
    tag = "email",
    summary = "How a credential's email went",
    description = "queued (with next_attempt_at), sending, sent (sent_at, the server's reply, message_id; dry_run when only recorded) or failed (failed_at, last_error, the server's reply). 404 when the credential has no email.",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 200, description = "Its delivery state", body = NotificationView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn get_notification(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<Value>> {
    bearer.require("read")?;
    let award_id = id.uuid("credential")?;
    let award = state
        .store
        .award(award_id)
        .await
        .map_err(|e| crate::error::not_found_in(e, "credential", award_id))?;
    bearer.within(award.issuer_id, "credential", award_id)?;
    let notification = state.store.notification(award_id).await?.ok_or_else(|| {
        HttpError::NotFound(format!(
            "credential {award_id} has no email: its issuer had no email settings when it \
             was awarded, or it was awarded with notify false; POST …/notify to send one"
        ))
    })?;
    let mut view = super::to_json(&NotificationView::new(&notification, Some(&award)))?;
    bearer.redact(&mut view, crate::auth::AWARD_PERSONAL);
    Ok(Json(view))
}

/// `POST /credentials/{id}/notify`: (re)sends the credential's email.
#[utoipa::path(
    post,
    path = "/credentials/{id}/notify",
    operation_id = "email_notify",
    tag = "email",
    summary = "Resend a credential's email",
    description = "Queues the credential's email again (or for the first time), with a new Message-ID. 409 when the credential is revoked or its issuer has no email settings.",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 202, description = "The notification; queued is false when it was already queued or being sent", body = NotificationView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
        (status = 409, response = crate::api::openapi::E409),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["issue"])),
)]
pub async fn notify(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Response> {
    bearer.require("issue")?;
    let award_id = id.uuid("credential")?;
    let award = state
        .store
        .award(award_id)
        .await
        .map_err(|e| crate::error::not_found_in(e, "credential", award_id))?;
    bearer.within(award.issuer_id, "credential", award_id)?;
    if award.revoked_at.is_some() {
        return Err(HttpError::Conflict(format!(
            "credential {award_id} is revoked: its recipient is not emailed about it"
        )));
    }
    if state.store.email_settings(award.issuer_id).await?.is_none() {
        return Err(HttpError::Conflict(format!(
            "issuer {} has no email settings: PUT /api/v1/issuers/{}/email first",
            award.issuer_id, award.issuer_id
        )));
    }
    let result = state
        .store
        .queue_notifications(&[award_id], state.clock.now())
        .await?
        .pop()
        .ok_or_else(|| HttpError::Internal("no outcome for one notification".into()))?;
    let (queued, notification) = match result {
        Requeued::Queued(n) => (true, n),
        Requeued::Unchanged(n) => (false, n),
        Requeued::Missing => return Err(HttpError::not_found("credential", award_id)),
    };
    if queued {
        state.outbox.wake();
    }
    let mut body = NotificationView::new(&notification, Some(&award));
    body.queued = Some(queued);
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

/// `POST /achievements/{id}/notify`: queues again the emails of an achievement's credentials
/// that failed (or were never sent, or only recorded in dry mode).
#[utoipa::path(
    post,
    path = "/achievements/{id}/notify",
    operation_id = "email_resend",
    tag = "email",
    summary = "Resend an achievement's emails",
    description = "Queues again the emails of the achievement's credentials that which selects: failed (the default), unsent (never queued: awarded before email was set up or with notify false; revoked ones are left out), dry_run (recorded in dry mode). 409 when the issuer has no email settings.",
    params(
        crate::api::openapi::IdParam,
    ),
    request_body(content = Option<ResendInput>, content_type = "application/json", description = "The body may be left out."),
    responses(
        (status = 202, description = "How many emails were queued", body = ResendResult, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 404, response = crate::api::openapi::E404),
        (status = 409, response = crate::api::openapi::E409),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["issue"])),
)]
pub async fn resend(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    OptionalJson(input): OptionalJson<ResendInput>,
) -> HttpResult<Response> {
    bearer.require("issue")?;
    let achievement = super::achievements::load(&state, &bearer, &id).await?;
    let which = input.which.unwrap_or_else(|| vec![Resend::Failed]);
    if which.is_empty() {
        return Err(HttpError::BadRequest(
            "which must name at least one of failed, unsent, dry_run".into(),
        ));
    }
    if state
        .store
        .email_settings(achievement.issuer_id)
        .await?
        .is_none()
    {
        return Err(HttpError::Conflict(format!(
            "issuer {} has no email settings: PUT /api/v1/issuers/{}/email first",
            achievement.issuer_id, achievement.issuer_id
        )));
    }
    let queued = state
        .store
        .resend_notifications(achievement.id, &which, state.clock.now())
        .await?;
    if queued > 0 {
        state.outbox.wake();
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(ResendResult {
            achievement_id: achievement.id,
            which,
            queued,
        }),
    )
        .into_response())
}

/// `GET /notifications`: delivery states, most recently queued first.
#[utoipa::path(
    get,
    path = "/notifications",
    operation_id = "email_list",
    tag = "email",
    summary = "List email deliveries",
    description = "Filter by issuer_id, achievement_id and state (queued, sending, sent, failed).",
    params(ListQuery),
    responses(
        (status = 200, description = "One page, most recently queued first", body = NotificationPage, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn list(
    State(state): State<AppState>,
    bearer: Bearer,
    Query(query): Query<ListQuery>,
) -> HttpResult<Json<Value>> {
    bearer.require("read")?;
    let state_filter = match query.state.as_deref() {
        None => None,
        Some(text) => Some(NotificationState::parse(text).ok_or_else(|| {
            HttpError::BadRequest(format!(
                "state must be queued, sending, sent or failed, got {text:?}"
            ))
        })?),
    };
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if limit > MAX_LIMIT {
        return Err(HttpError::BadRequest(format!(
            "limit must be at most {MAX_LIMIT}, got {limit}"
        )));
    }
    let filter = NotificationFilter {
        issuer_id: fields::id_param("issuer_id", query.issuer_id.as_deref())?,
        issuer_ids: bearer.issuer_ids().unwrap_or_default().to_vec(),
        achievement_id: fields::id_param("achievement_id", query.achievement_id.as_deref())?,
        state: state_filter,
        limit,
        offset: query.offset.unwrap_or(0),
    };
    let (rows, total) = state.store.list_notifications(&filter).await?;
    let mut body = super::to_json(&NotificationPage {
        notifications: rows
            .iter()
            .map(|n| NotificationView::new(n, None))
            .collect(),
        total,
        limit: filter.limit,
        offset: filter.offset,
    })?;
    bearer.redact(&mut body["notifications"], crate::auth::AWARD_PERSONAL);
    Ok(Json(body))
}

/// A credential's email and its delivery state, as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Notification)]
pub struct NotificationView {
    credential_id: Uuid,
    issuer_id: Uuid,
    achievement_id: Uuid,
    #[schema(schema_with = crate::api::openapi::fields::notification_state)]
    state: NotificationState,
    attempts: u32,
    created_at: DateTime<Utc>,
    queued_at: DateTime<Utc>,
    /// When the next attempt is due (queued ones only)
    next_attempt_at: Option<DateTime<Utc>>,
    last_attempt_at: Option<DateTime<Utc>>,
    sent_at: Option<DateTime<Utc>>,
    failed_at: Option<DateTime<Utc>>,
    /// Personal data (mail servers quote the address): null for a read-only token made without --with-emails
    last_error: Option<String>,
    /// Personal data (mail servers quote the address): null for a read-only token made without --with-emails
    smtp_reply: Option<String>,
    message_id: Option<String>,
    /// Personal data (templates may name the recipient): null for a read-only token made without --with-emails
    subject: Option<String>,
    dry_run: bool,
    /// Personal data: null for a read-only token made without --with-emails. Only for one credential's notification (not in lists)
    #[serde(skip_serializing_if = "Option::is_none")]
    recipient_email: Option<Option<String>>,
    /// Only in the answer to POST /credentials/{id}/notify: false when it was already queued or being sent
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    queued: Option<bool>,
}

impl NotificationView {
    /// The view of `n`; with the recipient's email when `award` is given.
    pub fn new(n: &Notification, award: Option<&Award>) -> Self {
        NotificationView {
            credential_id: n.award_id,
            issuer_id: n.issuer_id,
            achievement_id: n.achievement_id,
            state: n.state,
            attempts: n.attempts,
            created_at: n.created_at,
            queued_at: n.queued_at,
            next_attempt_at: (n.state == NotificationState::Queued).then_some(n.next_attempt_at),
            last_attempt_at: n.last_attempt_at,
            sent_at: n.sent_at,
            failed_at: n.failed_at,
            last_error: n.last_error.clone(),
            smtp_reply: n.smtp_reply.clone(),
            message_id: n.message_id.clone(),
            subject: n.subject.clone(),
            dry_run: n.dry_run,
            recipient_email: award.map(|award| Some(award.recipient_email.clone())),
            queued: None,
        }
    }
}

/// `GET /notifications`: one page, most recently queued first.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    notifications: Vec<NotificationView>,
    total: u64,
    limit: u32,
    offset: u32,
}

/// `POST /achievements/{id}/notify`: how many emails were queued.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResendResult {
    achievement_id: Uuid,
    #[schema(schema_with = crate::api::openapi::fields::resend_which)]
    which: Vec<Resend>,
    queued: u64,
}
