//! Pathways on achievements: `/achievements/{id}/pathway` and what hangs off it.
//!
//! A pathway says how the achievement is earned by holding others ("all of", "at least N of",
//! nested groups), or, with `outcome: invite`, which badges earn an invitation to it (an email,
//! once per recipient). Saving one awards nothing by itself: every award made from then on is
//! evaluated (`laurel_service::pathways`), and `POST .../pathway/evaluate` completes it for
//! everyone who already qualifies.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::extract::{Json, PathId};
use crate::auth::Bearer;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::pathways::{self, PathwayInput, PathwayView, Unmet};

/// `GET /achievements/{id}/pathway`.
#[utoipa::path(
    get,
    path = "/achievements/{id}/pathway",
    operation_id = "pathway_get",
    tag = "achievements",
    summary = "Get an achievement's pathway",
    description = "404 when the achievement has no pathway.",
    params(crate::api::openapi::IdParam),
    responses(
        (status = 200, description = "The pathway", body = PathwayView, content_type = "application/json"),
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
) -> HttpResult<Json<PathwayView>> {
    bearer.require("read")?;
    let achievement = super::achievements::load(&state, &bearer, &id).await?;
    pathways::get(&state, achievement.id)
        .await?
        .map(Json)
        .ok_or_else(|| no_pathway(achievement.id))
}

fn no_pathway(id: Uuid) -> HttpError {
    HttpError::NotFound(format!(
        "achievement {id} has no pathway; PUT one to /achievements/{id}/pathway"
    ))
}

/// `PUT /achievements/{id}/pathway`.
#[utoipa::path(
    put,
    path = "/achievements/{id}/pathway",
    operation_id = "pathway_put",
    tag = "achievements",
    summary = "Set an achievement's pathway",
    description = "Replaces the pathway. Steps are badges of the same issuer (achievement_id) or nested groups (group); at_least is from 1 to the group's number of steps (absent: all). Refused with 400 naming every problem: a cycle (a badge leading back to itself), an unknown badge or another issuer's, a badge named twice, an empty group, groups nested more than 3 deep, an invitation template with an unknown variable. Awards nothing by itself: POST .../pathway/evaluate does.",
    params(crate::api::openapi::IdParam),
    request_body(content = PathwayInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The pathway as stored", body = PathwayView, content_type = "application/json"),
        (status = 400, response = crate::api::openapi::E400),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
        (status = 415, response = crate::api::openapi::E415),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn put(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    Json(input): Json<PathwayInput>,
) -> HttpResult<Json<PathwayView>> {
    bearer.require("admin")?;
    let achievement = super::achievements::load(&state, &bearer, &id).await?;
    Ok(Json(pathways::save(&state, achievement.id, &input).await?))
}

/// `DELETE /achievements/{id}/pathway`.
#[utoipa::path(
    delete,
    path = "/achievements/{id}/pathway",
    operation_id = "pathway_delete",
    tag = "achievements",
    summary = "Remove an achievement's pathway",
    description = "Badges and invitations already given stay. 404 when it has none.",
    params(crate::api::openapi::IdParam),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn delete(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Response> {
    bearer.require("admin")?;
    let achievement = super::achievements::load(&state, &bearer, &id).await?;
    if pathways::delete(&state, achievement.id).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(no_pathway(achievement.id))
    }
}

/// `POST /achievements/{id}/pathway/evaluate` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Evaluated {
    /// Pathway badges awarded, or invitations queued, now.
    pub completed: usize,
}

/// `POST /achievements/{id}/pathway/evaluate`.
#[utoipa::path(
    post,
    path = "/achievements/{id}/pathway/evaluate",
    operation_id = "pathway_evaluate",
    tag = "achievements",
    summary = "Complete the pathway for everyone who already qualifies",
    description = "For a pathway set after its steps were awarded: everyone holding the steps (valid now) gets the badge (emailed when the issuer has email settings), or their invitation. People who already have it are left as they are.",
    params(crate::api::openapi::IdParam),
    responses(
        (status = 200, description = "How many completed it now", body = Evaluated, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["issue"])),
)]
pub async fn evaluate(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<Evaluated>> {
    bearer.require("issue")?;
    let achievement = super::achievements::load(&state, &bearer, &id).await?;
    if state.store.pathway(achievement.id).await?.is_none() {
        return Err(no_pathway(achievement.id));
    }
    let completed = pathways::evaluate_all(&state, achievement.id).await?;
    Ok(Json(Evaluated { completed }))
}

/// One invitation sent (or to be sent) for completing an invitation pathway.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    /// The recipient (null for a read token made without --with-emails).
    pub recipient_email: Option<String>,
    /// Their name, if known (null likewise).
    pub recipient_name: Option<String>,
    /// When the pathway was completed.
    pub created_at: DateTime<Utc>,
    /// `queued`, `sending`, `sent` or `failed`.
    pub state: String,
    /// Attempts so far.
    pub attempts: u32,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Recorded in dry mode: nothing left the server.
    pub dry_run: bool,
}

/// `GET /achievements/{id}/pathway/invitations`.
#[utoipa::path(
    get,
    path = "/achievements/{id}/pathway/invitations",
    operation_id = "pathway_invitations",
    tag = "achievements",
    summary = "List the invitations an invitation pathway sent",
    description = "One per recipient, ever, oldest first.",
    params(crate::api::openapi::IdParam),
    responses(
        (status = 200, description = "The invitations", body = Vec<InvitationView>, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn invitations(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<Vec<InvitationView>>> {
    bearer.require("read")?;
    let achievement = super::achievements::load(&state, &bearer, &id).await?;
    let shows = bearer.shows_recipients();
    let list = state
        .store
        .invitations(achievement.id)
        .await?
        .into_iter()
        .map(|i| InvitationView {
            recipient_email: shows.then_some(i.recipient_email),
            recipient_name: i.recipient_name.filter(|_| shows),
            created_at: i.created_at,
            state: i.state.as_str().to_string(),
            attempts: i.attempts,
            sent_at: i.sent_at,
            last_error: i.last_error.filter(|_| shows),
            dry_run: i.dry_run,
        })
        .collect();
    Ok(Json(list))
}

/// `GET /achievements/{id}/pathway/unmet`.
#[utoipa::path(
    get,
    path = "/achievements/{id}/pathway/unmet",
    operation_id = "pathway_unmet",
    tag = "achievements",
    summary = "List this pathway badge's awards whose requirements no longer hold",
    description = "Revoking, suspending or letting expire a required badge never revokes the pathway badge: it is listed here (with each reason in words) for staff to decide. Revoked pathway badges are not listed.",
    params(crate::api::openapi::IdParam),
    responses(
        (status = 200, description = "The awards flagged", body = Vec<Unmet>, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn unmet(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<serde_json::Value>> {
    bearer.require("read")?;
    let achievement = super::achievements::load(&state, &bearer, &id).await?;
    let flagged: Vec<Unmet> = pathways::warnings(&state, &[achievement.issuer_id])
        .await?
        .into_iter()
        .filter(|u| u.achievement_id == achievement.id)
        .collect();
    let mut value = super::to_json(&flagged)?;
    bearer.redact(&mut value, &["recipient_email", "recipient_name"]);
    Ok(Json(value))
}
