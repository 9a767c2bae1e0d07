//! `/credentials/...`: taking a credential back, and issuing it anew.
//!
//! A credential's id is its award's id. Revocation is permanent and public (the status list
//! bit is set and the list signed again before the answer); suspension is reversible and kept
//! by the issuer; re-issue signs the credential again with the current keys and descriptions.
//! See [`laurel_service::lifecycle`].

use axum::extract::State;
use laurel_store::{Award, StatusChange};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::awards::{self, StatusChangeResult};
use super::extract::{Json, OptionalJson, PathId};
use crate::auth::Bearer;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::fields::{self, MAX_NAME};
use laurel_service::lifecycle::{self, MAX_REASON};

/// The most credentials one batch revocation takes.
pub const MAX_BATCH: usize = 10_000;

/// `POST /credentials/{id}/revoke` and `/suspend` body. Documented as the suspend body, where
/// the reason may be left out; revoke requires it (see `bodies::RevokeInput`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SuspendInput)]
pub struct Reason {
    /// Why: trimmed, at most 1000 bytes; blank or absent is none. Kept by the issuer
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /credentials/revoke` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeBatch {
    /// Credential (award) ids
    #[schema(min_items = 1, max_items = 10000)]
    ids: Vec<Uuid>,
    /// Why: trimmed, at most 1000 bytes. Kept by the issuer (admin API), never published in the status list; one for all
    #[schema(min_length = 1)]
    reason: String,
}

/// `POST /credentials/{id}/reissue` body.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ReissueInput)]
pub struct Reissue {
    /// Corrects the recipient's name kept for staff (never published): trimmed, at most 500 bytes; blank or absent keeps it
    #[serde(default)]
    recipient_name: Option<String>,
}

/// `POST /credentials/{id}/revoke`: revokes one credential, for good.
#[utoipa::path(
    post,
    path = "/credentials/{id}/revoke",
    operation_id = "credentials_revoke",
    tag = "credentials",
    summary = "Revoke a credential, for good",
    description = "The id is the award's id. Revocation is permanent and public: the credential's bit in the status list its credentialStatus names (status_list_url, status_list_index) is set and the list signed again before the answer, so verifiers see it once their copy of the list expires (its ttl, one minute). The reason is kept by the issuer, never published in the list. Revoking again changes nothing. A revoked credential cannot be suspended or re-issued. A credential minted before status lists existed (status_list_url null) is recorded as revoked but has no bit to set.",
    params(
        crate::api::openapi::IdParam,
    ),
    request_body(content = crate::api::openapi::bodies::RevokeInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The award, revoked; changed is false (outcome: already revoked) when it already was, with its first reason kept", body = StatusChangeResult, content_type = "application/json"),
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
pub async fn revoke(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    Json(input): Json<Reason>,
) -> HttpResult<Json<StatusChangeResult>> {
    bearer.require("issue")?;
    let id = id.uuid("credential")?;
    bearer.within_credential(&state, id).await?;
    let reason = required_reason(input.reason.as_deref())?;
    let change = lifecycle::revoke(&state, &[id], &reason)
        .await?
        .pop()
        .ok_or_else(|| HttpError::Internal("no outcome for one revocation".into()))?;
    respond(&state, change, ("revoked", "already_revoked"))
}

/// `POST /credentials/revoke`: revokes many credentials at once, one reason for all (an id
/// listed twice counts once).
#[utoipa::path(
    post,
    path = "/credentials/revoke",
    operation_id = "credentials_revoke_batch",
    tag = "credentials",
    summary = "Revoke credentials in a batch, for good",
    description = "Revokes 1 to 10000 credentials (by award id) with one reason, in one transaction, as POST /credentials/{id}/revoke does for one; every status list that changed is signed again before the answer. An id that names no credential is listed in missing instead of failing the request; a credential already revoked (or named again in the same request) counts as already_revoked and keeps its first reason. Revocation is permanent.",
    request_body(content = RevokeBatch, content_type = "application/json"),
    responses(
        (status = 200, description = "How many were revoked now and how many already were, and the ids that name no credential", body = RevokeBatchResult, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["issue"])),
)]
pub async fn revoke_batch(
    State(state): State<AppState>,
    bearer: Bearer,
    Json(input): Json<RevokeBatch>,
) -> HttpResult<axum::response::Response> {
    bearer.require("issue")?;
    if input.ids.is_empty() || input.ids.len() > MAX_BATCH {
        return Err(HttpError::BadRequest(format!(
            "ids: give 1 to {MAX_BATCH} credential ids, got {}",
            input.ids.len()
        )));
    }
    let reason = required_reason(Some(&input.reason))?;
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<Uuid> = input
        .ids
        .into_iter()
        .filter(|id| seen.insert(*id))
        .collect();
    // Another issuer's credential, for a token limited to some, counts as missing.
    let mut missing = Vec::new();
    let mut mine = Vec::with_capacity(ids.len());
    for id in ids {
        match bearer.within_credential(&state, id).await {
            Ok(()) => mine.push(id),
            Err(HttpError::NotFound(_)) => missing.push(id),
            Err(error) => return Err(error),
        }
    }
    let changes = lifecycle::revoke(&state, &mine, &reason).await?;
    let (mut revoked, mut already) = (0, 0);
    for change in &changes {
        match change {
            StatusChange::Changed(_) => revoked += 1,
            StatusChange::Unchanged(_) => already += 1,
            StatusChange::Missing(id) => missing.push(*id),
        }
    }
    let response = RevokeBatchResult {
        revoked,
        already_revoked: already,
        missing: missing.clone(),
    };
    Ok(super::audit::with_detail(
        Json(response),
        json!({ "revoked": revoked, "already_revoked": already, "missing": missing.len() }),
    ))
}

/// `POST /credentials/{id}/suspend`.
#[utoipa::path(
    post,
    path = "/credentials/{id}/suspend",
    operation_id = "credentials_suspend",
    tag = "credentials",
    summary = "Suspend a credential",
    description = "Reversible, and kept by the issuer only: OB 3.0 allows a credential one credentialStatus, which is its revocation entry, so suspending sets no bit and verifiers reading the status list still find the credential valid. Lift it with POST /credentials/{id}/unsuspend. Send {} to give no reason.",
    params(
        crate::api::openapi::IdParam,
    ),
    request_body(content = Reason, content_type = "application/json", description = "The body may be left out."),
    responses(
        (status = 200, description = "The award, suspended; changed is false (outcome: already suspended) when it already was, with its first reason kept", body = StatusChangeResult, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 404, response = crate::api::openapi::E404),
        (status = 409, description = "The credential is revoked, which is permanent", body = ref("#/components/schemas/Problem"), content_type = "application/problem+json"),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["issue"])),
)]
pub async fn suspend(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    OptionalJson(input): OptionalJson<Reason>,
) -> HttpResult<Json<StatusChangeResult>> {
    bearer.require("issue")?;
    let id = id.uuid("credential")?;
    bearer.within_credential(&state, id).await?;
    let reason = fields::optional("reason", input.reason.as_deref(), MAX_REASON)?;
    let change = lifecycle::suspend(&state, id, reason.as_deref()).await?;
    respond(&state, change, ("suspended", "already_suspended"))
}

/// `POST /credentials/{id}/unsuspend`.
#[utoipa::path(
    post,
    path = "/credentials/{id}/unsuspend",
    operation_id = "credentials_unsuspend",
    tag = "credentials",
    summary = "Lift a credential's suspension",
    description = "Takes no body. A revoked credential stays revoked.",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 200, description = "The award with suspended_at and suspension_reason cleared; changed is false (outcome: already unsuspended) when it was not suspended", body = StatusChangeResult, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["issue"])),
)]
pub async fn unsuspend(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<StatusChangeResult>> {
    bearer.require("issue")?;
    let id = id.uuid("credential")?;
    bearer.within_credential(&state, id).await?;
    let change = lifecycle::unsuspend(&state, id).await?;
    respond(&state, change, ("unsuspended", "not_suspended"))
}

/// `POST /credentials/{id}/reissue`: the award with its new credential and JWT.
#[utoipa::path(
    post,
    path = "/credentials/{id}/reissue",
    operation_id = "credentials_reissue",
    tag = "credentials",
    summary = "Re-issue a credential, signed anew",
    description = "Signs the credential again, now, with the issuer's current keys (after a rotation, say) and the issuer's and achievement's current descriptions (name, issuer profile, achievement). It keeps its id, awardedDate, recipient, evidence, results, validUntil and credentialStatus, so revocation still reaches it; validFrom and issued_at become now. The credential's public URL serves the new one. A suspension stays. Send {} to change nothing else.",
    params(
        crate::api::openapi::IdParam,
    ),
    request_body(content = Option<Reissue>, content_type = "application/json", description = "The body may be left out."),
    responses(
        (status = 200, description = "The award with its new credential and VC-JWT", body = awards::AwardFull, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 404, response = crate::api::openapi::E404),
        (status = 409, description = "The credential is revoked, which is permanent", body = ref("#/components/schemas/Problem"), content_type = "application/problem+json"),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["issue"])),
)]
pub async fn reissue(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    OptionalJson(input): OptionalJson<Reissue>,
) -> HttpResult<Json<awards::AwardFull>> {
    bearer.require("issue")?;
    let id = id.uuid("credential")?;
    bearer.within_credential(&state, id).await?;
    let name = fields::optional("recipient_name", input.recipient_name.as_deref(), MAX_NAME)?;
    let award = lifecycle::reissue(&state, id, name).await?;
    Ok(Json(awards::AwardFull::new(&state.urls, &award)))
}

fn required_reason(reason: Option<&str>) -> HttpResult<String> {
    fields::optional("reason", reason, MAX_REASON)?.ok_or_else(|| {
        HttpError::BadRequest(
            "give a reason (kept by the issuer, never published in the status list)".into(),
        )
    })
}

/// The award after a change, with whether this call changed it and the outcome's name
/// (`outcomes`: when changed, when already so).
fn respond(
    state: &AppState,
    change: StatusChange,
    outcomes: (&'static str, &'static str),
) -> HttpResult<Json<StatusChangeResult>> {
    let (award, changed): (Award, bool) = match change {
        StatusChange::Changed(award) => (award, true),
        StatusChange::Unchanged(award) => (award, false),
        StatusChange::Missing(id) => return Err(HttpError::not_found("credential", id)),
    };
    Ok(Json(StatusChangeResult {
        award: awards::AwardView::new(&state.urls, &award),
        changed,
        outcome: if changed { outcomes.0 } else { outcomes.1 },
    }))
}

/// `POST /credentials/revoke`: what revoking many did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevokeBatchResult {
    /// Credentials revoked now
    revoked: usize,
    /// Ids of credentials already revoked, or named earlier in the request (their first reason kept)
    already_revoked: usize,
    /// Ids that name no credential, in input order
    missing: Vec<Uuid>,
}
