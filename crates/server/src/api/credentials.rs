//! `/credentials/...`: taking a credential back, and issuing it anew.
//!
//! A credential's id is its award's id. Revocation is permanent and public (the status list
//! bit is set and the list signed again before the answer); suspension is reversible and kept
//! by the issuer; re-issue signs the credential again with the current keys and descriptions.
//! See [`laurel_service::lifecycle`].

use axum::extract::State;
use laurel_store::{Award, StatusChange};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::awards;
use super::extract::{Json, OptionalJson, PathId};
use crate::auth::Bearer;
use crate::{ApiError, ApiResult, AppState};
use laurel_service::fields::{self, MAX_NAME};
use laurel_service::lifecycle::{self, MAX_REASON};

/// The most credentials one batch revocation takes.
pub const MAX_BATCH: usize = 10_000;

/// `POST /credentials/{id}/revoke` and `/suspend` body.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /credentials/revoke` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeBatch {
    ids: Vec<Uuid>,
    reason: String,
}

/// `POST /credentials/{id}/reissue` body.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reissue {
    #[serde(default)]
    recipient_name: Option<String>,
}

/// `POST /credentials/{id}/revoke`: revokes one credential, for good.
pub async fn revoke(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    Json(input): Json<Reason>,
) -> ApiResult<Json<Value>> {
    bearer.require("issue")?;
    let id = id.uuid("credential")?;
    bearer.within_credential(&state, id).await?;
    let reason = required_reason(input.reason.as_deref())?;
    let change = lifecycle::revoke(&state, &[id], &reason)
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal("no outcome for one revocation".into()))?;
    respond(&state, change, ("revoked", "already_revoked"))
}

/// `POST /credentials/revoke`: revokes many credentials at once, one reason for all (an id
/// listed twice counts once).
pub async fn revoke_batch(
    State(state): State<AppState>,
    bearer: Bearer,
    Json(input): Json<RevokeBatch>,
) -> ApiResult<axum::response::Response> {
    bearer.require("issue")?;
    if input.ids.is_empty() || input.ids.len() > MAX_BATCH {
        return Err(ApiError::BadRequest(format!(
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
            Err(ApiError::NotFound(_)) => missing.push(id),
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
    let response = json!({
        "revoked": revoked,
        "already_revoked": already,
        "missing": missing,
    });
    Ok(super::audit::with_detail(
        Json(response),
        json!({ "revoked": revoked, "already_revoked": already, "missing": missing.len() }),
    ))
}

/// `POST /credentials/{id}/suspend`.
pub async fn suspend(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    OptionalJson(input): OptionalJson<Reason>,
) -> ApiResult<Json<Value>> {
    bearer.require("issue")?;
    let id = id.uuid("credential")?;
    bearer.within_credential(&state, id).await?;
    let reason = fields::optional("reason", input.reason.as_deref(), MAX_REASON)?;
    let change = lifecycle::suspend(&state, id, reason.as_deref()).await?;
    respond(&state, change, ("suspended", "already_suspended"))
}

/// `POST /credentials/{id}/unsuspend`.
pub async fn unsuspend(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> ApiResult<Json<Value>> {
    bearer.require("issue")?;
    let id = id.uuid("credential")?;
    bearer.within_credential(&state, id).await?;
    let change = lifecycle::unsuspend(&state, id).await?;
    respond(&state, change, ("unsuspended", "not_suspended"))
}

/// `POST /credentials/{id}/reissue`: the award with its new credential and JWT.
pub async fn reissue(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    OptionalJson(input): OptionalJson<Reissue>,
) -> ApiResult<Json<Value>> {
    bearer.require("issue")?;
    let id = id.uuid("credential")?;
    bearer.within_credential(&state, id).await?;
    let name = fields::optional("recipient_name", input.recipient_name.as_deref(), MAX_NAME)?;
    let award = lifecycle::reissue(&state, id, name).await?;
    Ok(Json(awards::full(&state.urls, &award)))
}

fn required_reason(reason: Option<&str>) -> ApiResult<String> {
    fields::optional("reason", reason, MAX_REASON)?.ok_or_else(|| {
        ApiError::BadRequest(
            "give a reason (kept by the issuer, never published in the status list)".into(),
        )
    })
}

/// The award after a change, with whether this call changed it and the outcome's name
/// (`outcomes`: when changed, when already so).
fn respond(
    state: &AppState,
    change: StatusChange,
    outcomes: (&str, &str),
) -> ApiResult<Json<Value>> {
    let (award, changed): (Award, bool) = match change {
        StatusChange::Changed(award) => (award, true),
        StatusChange::Unchanged(award) => (award, false),
        StatusChange::Missing(id) => return Err(ApiError::not_found("credential", id)),
    };
    let mut view = awards::summary(&state.urls, &award);
    view["changed"] = Value::Bool(changed);
    view["outcome"] = Value::String(if changed { outcomes.0 } else { outcomes.1 }.to_string());
    Ok(Json(view))
}
