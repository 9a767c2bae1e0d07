//! `POST /awards/{id}/claim-link`: emails the recipient a fresh personal wallet link.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::extract::{Json, PathId};
use crate::auth::Bearer;
use crate::{AppState, HttpResult};
use laurel_service::wallet::requests::{LinkSent, send_claim_link};

/// What sending a wallet link did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimLinkSent {
    /// The award.
    award_id: Uuid,
    /// True when the award's email was queued now; false when it was already queued or being
    /// sent (that email will carry a fresh link).
    queued: bool,
    /// What happens next, in words.
    detail: String,
}

/// `POST /awards/{id}/claim-link`.
#[utoipa::path(
    post,
    path = "/awards/{id}/claim-link",
    operation_id = "awards_claim_link",
    tag = "awards",
    summary = "Email the recipient a fresh wallet link",
    description = "Queues the award's email again; it carries a new personal claim link (minted when the email is composed, stored only as its SHA-256), with which the recipient adds the badge to a wallet such as the Learner Credential Wallet. The link works once; older unused links keep working. The link itself is never shown to staff. 409 when the award is revoked or suspended, or its issuer has no email settings.",
    params(crate::api::openapi::IdParam),
    responses(
        (status = 202, description = "The email with a fresh link is queued", body = ClaimLinkSent, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
        (status = 409, response = crate::api::openapi::E409),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["issue"])),
)]
pub async fn send(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Response> {
    bearer.require("issue")?;
    let award_id = id.uuid("award")?;
    let award = state
        .store
        .award(award_id)
        .await
        .map_err(|e| crate::error::not_found_in(e, "award", award_id))?;
    bearer.within(award.issuer_id, "award", award_id)?;
    let sent = send_claim_link(&state, award_id).await?;
    let body = ClaimLinkSent {
        award_id,
        queued: sent == LinkSent::Queued,
        detail: match sent {
            LinkSent::Queued => "the recipient's email with a fresh wallet link is queued".into(),
            LinkSent::AlreadyQueued => {
                "the recipient's email is already queued; it will carry a fresh wallet link".into()
            }
        },
    };
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}
