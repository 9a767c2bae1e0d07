//! `/achievements/{id}/endorsements`, `/issuers/{id}/endorsements`, `/endorsements/{id}`:
//! other organisations' endorsements of a badge or an issuer ([`laurel_service::endorsements`]).
//!
//! One body records either kind: `endorser_issuer_id` and `comment` make this service sign an
//! `EndorsementCredential` with that hosted issuer's keys (the token must reach both issuers);
//! `credential` imports one the endorser signed, verified first ([`verify_import`]): refused
//! with the verifier's reason if it does not verify, and refused if it endorses anything but
//! the achievement or issuer in the path.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use laurel_service::endorsements::{self, Endorsed};
use laurel_store::{Endorsement, EndorsementOrigin};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::extract::{Json, PathId};
use crate::auth::Bearer;
use crate::{AppState, HttpError, HttpResult};

pub use crate::endorsement_check::verify_import;

/// `POST …/endorsements` body: sign here (`endorser_issuer_id` + `comment`) or import
/// (`credential`), not both.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EndorsementInput)]
pub struct CreateEndorsement {
    /// Sign here: the endorsing organisation, an issuer hosted on this service (its keys sign).
    #[serde(default)]
    endorser_issuer_id: Option<Uuid>,
    /// Sign here: the endorser's words (endorsementComment); required with endorser_issuer_id.
    #[serde(default)]
    #[schema(min_length = 1)]
    comment: Option<String>,
    /// Import: the EndorsementCredential the endorser signed, as JSON with an embedded
    /// Data Integrity proof. It is verified (proof, key bound to the endorser, schema, dates)
    /// and must endorse the achievement or issuer of the path.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    credential: Option<Value>,
}

/// How an endorsement came to be recorded.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = EndorsementOrigin)]
pub enum OriginView {
    /// Signed by this service with a hosted endorser's keys.
    Signed,
    /// Signed by the endorser elsewhere and imported.
    Imported,
}

/// An endorsement as the API answers it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Endorsement)]
pub struct EndorsementView {
    id: Uuid,
    /// The issuer endorsed, or whose achievement is endorsed.
    issuer_id: Uuid,
    /// The achievement endorsed; null when the issuer itself is.
    achievement_id: Option<Uuid>,
    /// The endorser's profile id (URL or DID): the credential's issuer.
    endorser_id: String,
    endorser_name: String,
    /// Set when the endorser is an issuer hosted on this service.
    endorser_issuer_id: Option<Uuid>,
    comment: Option<String>,
    origin: OriginView,
    /// Where the signed endorsement is served (JSON-LD) while it is in force.
    #[schema(format = "uri")]
    url: String,
    created_at: DateTime<Utc>,
    /// Withdrawn endorsements are no longer embedded in new credentials nor served.
    withdrawn_at: Option<DateTime<Utc>>,
    /// The signed EndorsementCredential, exactly as stored.
    #[schema(value_type = Object)]
    credential: Value,
}

/// `GET …/endorsements` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndorsementList {
    /// Oldest first, withdrawn ones included.
    endorsements: Vec<EndorsementView>,
}

/// `GET /achievements/{id}/endorsements`.
#[utoipa::path(
    get,
    path = "/achievements/{id}/endorsements",
    operation_id = "endorsements_list_achievement",
    tag = "endorsements",
    summary = "List an achievement's endorsements",
    params(crate::api::openapi::IdParam),
    responses(
        (status = 200, description = "Its endorsements, oldest first, withdrawn ones included", body = EndorsementList, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn list_for_achievement(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<EndorsementList>> {
    bearer.require("read")?;
    let endorsed = achievement(&state, &bearer, &id).await?;
    list(&state, endorsed).await
}

/// `GET /issuers/{id}/endorsements`.
#[utoipa::path(
    get,
    path = "/issuers/{id}/endorsements",
    operation_id = "endorsements_list_issuer",
    tag = "endorsements",
    summary = "List an issuer's endorsements",
    description = "Endorsements of the issuer itself; those of its achievements are listed under each achievement.",
    params(crate::api::openapi::IdParam),
    responses(
        (status = 200, description = "Its endorsements, oldest first, withdrawn ones included", body = EndorsementList, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn list_for_issuer(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<EndorsementList>> {
    bearer.require("read")?;
    let endorsed = issuer(&bearer, &id)?;
    list(&state, endorsed).await
}

/// `POST /achievements/{id}/endorsements`.
#[utoipa::path(
    post,
    path = "/achievements/{id}/endorsements",
    operation_id = "endorsements_create_achievement",
    tag = "endorsements",
    summary = "Endorse an achievement (sign here, or import a signed endorsement)",
    description = "With endorser_issuer_id and comment: this service signs an EndorsementCredential (eddsa-rdfc-2022) with that hosted issuer's keys, after checking it against the 1EdTech EndorsementCredential schema; the token must reach both issuers. With credential: the endorser's own signed EndorsementCredential (JSON) is verified (proof, key bound to the endorser through did:key, this service's keys or the controller document at the endorser's own https address, schema, dates) and must endorse this achievement; a tampered one is refused with the reason. Credentials issued afterwards embed it in their achievement; credentials already issued never change.",
    params(crate::api::openapi::IdParam),
    request_body(content = CreateEndorsement, content_type = "application/json"),
    responses(
        (status = 201, description = "Recorded; Location names it", body = EndorsementView, content_type = "application/json"),
        (status = 400, response = crate::api::openapi::E400),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
        (status = 409, response = crate::api::openapi::E409),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn create_for_achievement(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    Json(input): Json<CreateEndorsement>,
) -> HttpResult<Response> {
    bearer.require("admin")?;
    let endorsed = achievement(&state, &bearer, &id).await?;
    create(&state, &bearer, endorsed, input).await
}

/// `POST /issuers/{id}/endorsements`.
#[utoipa::path(
    post,
    path = "/issuers/{id}/endorsements",
    operation_id = "endorsements_create_issuer",
    tag = "endorsements",
    summary = "Endorse an issuer (sign here, or import a signed endorsement)",
    description = "As for an achievement, with the issuer as the endorsed subject: credentials the issuer issues afterwards embed the endorsement in their issuer profile.",
    params(crate::api::openapi::IdParam),
    request_body(content = CreateEndorsement, content_type = "application/json"),
    responses(
        (status = 201, description = "Recorded; Location names it", body = EndorsementView, content_type = "application/json"),
        (status = 400, response = crate::api::openapi::E400),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
        (status = 409, response = crate::api::openapi::E409),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn create_for_issuer(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    Json(input): Json<CreateEndorsement>,
) -> HttpResult<Response> {
    bearer.require("admin")?;
    let endorsed = issuer(&bearer, &id)?;
    create(&state, &bearer, endorsed, input).await
}

/// `GET /endorsements/{id}`.
#[utoipa::path(
    get,
    path = "/endorsements/{id}",
    operation_id = "endorsements_get",
    tag = "endorsements",
    summary = "Get an endorsement",
    params(crate::api::openapi::IdParam),
    responses(
        (status = 200, description = "The endorsement", body = EndorsementView, content_type = "application/json"),
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
) -> HttpResult<Json<EndorsementView>> {
    bearer.require("read")?;
    let endorsement = load(&state, &bearer, &id).await?;
    Ok(Json(view(&state, &endorsement)?))
}

/// `POST /endorsements/{id}/withdraw`.
#[utoipa::path(
    post,
    path = "/endorsements/{id}/withdraw",
    operation_id = "endorsements_withdraw",
    tag = "endorsements",
    summary = "Withdraw an endorsement",
    description = "Credentials issued from now on no longer embed it, and its public URL stops serving it; credentials already issued keep it as signed. Withdrawing twice keeps the first time.",
    params(crate::api::openapi::IdParam),
    responses(
        (status = 200, description = "The withdrawn endorsement", body = EndorsementView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn withdraw(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<EndorsementView>> {
    bearer.require("admin")?;
    let endorsement = load(&state, &bearer, &id).await?;
    let withdrawn = endorsements::withdraw(&state, endorsement.id).await?;
    Ok(Json(view(&state, &withdrawn)?))
}

async fn achievement(state: &AppState, bearer: &Bearer, id: &PathId) -> HttpResult<Endorsed> {
    let achievement = super::achievements::load(state, bearer, id).await?;
    Ok(Endorsed::Achievement(achievement.id))
}

fn issuer(bearer: &Bearer, id: &PathId) -> HttpResult<Endorsed> {
    let id = id.uuid("issuer")?;
    bearer.within(id, "issuer", id)?;
    Ok(Endorsed::Issuer(id))
}

async fn load(state: &AppState, bearer: &Bearer, id: &PathId) -> HttpResult<Endorsement> {
    let id = id.uuid("endorsement")?;
    let endorsement = endorsements::get(state, id).await?;
    bearer.within(endorsement.issuer_id, "endorsement", id)?;
    Ok(endorsement)
}

async fn list(state: &AppState, endorsed: Endorsed) -> HttpResult<Json<EndorsementList>> {
    let found = endorsements::list(state, endorsed).await?;
    Ok(Json(EndorsementList {
        endorsements: found
            .iter()
            .map(|endorsement| view(state, endorsement))
            .collect::<HttpResult<_>>()?,
    }))
}

async fn create(
    state: &AppState,
    bearer: &Bearer,
    endorsed: Endorsed,
    input: CreateEndorsement,
) -> HttpResult<Response> {
    let endorsement = match (input.endorser_issuer_id, input.credential) {
        (Some(endorser), None) => {
            bearer.within(endorser, "issuer", endorser)?;
            let comment = input.comment.unwrap_or_default();
            endorsements::sign(state, endorsed, endorser, &comment).await?
        }
        (None, Some(credential)) => {
            if input.comment.is_some() {
                return Err(HttpError::BadRequest(
                    "comment: an imported endorsement carries the endorser's own comment; leave comment out".into(),
                ));
            }
            if !credential.is_object() {
                return Err(HttpError::BadRequest(
                    "credential: send the endorser's EndorsementCredential as a JSON object (a VC-JWT is not taken: ask for the JSON form with an embedded proof)".into(),
                ));
            }
            let text = credential.to_string();
            let credential = endorsements::parse_import(&text)?;
            let report = verify_import(state, &credential).await?;
            endorsements::import(state, endorsed, &credential, &report).await?
        }
        (Some(_), Some(_)) => {
            return Err(HttpError::BadRequest(
                "send either endorser_issuer_id and comment (to sign here) or credential (to import a signed endorsement), not both".into(),
            ));
        }
        (None, None) => {
            return Err(HttpError::BadRequest(
                "send endorser_issuer_id and comment (to sign here with a hosted issuer's keys) or credential (the endorser's signed EndorsementCredential, to import)".into(),
            ));
        }
    };
    Ok(super::located(
        StatusCode::CREATED,
        &format!("/api/v1/endorsements/{}", endorsement.id),
        view(state, &endorsement)?,
    ))
}

fn view(state: &AppState, endorsement: &Endorsement) -> HttpResult<EndorsementView> {
    let credential = serde_json::from_str(&endorsement.credential).map_err(|error| {
        HttpError::Internal(format!(
            "endorsement {}: stored JSON: {error}",
            endorsement.id
        ))
    })?;
    Ok(EndorsementView {
        id: endorsement.id,
        issuer_id: endorsement.issuer_id,
        achievement_id: endorsement.achievement_id,
        endorser_id: endorsement.endorser_id.clone(),
        endorser_name: endorsement.endorser_name.clone(),
        endorser_issuer_id: endorsement.endorser_issuer_id,
        comment: endorsement.comment.clone(),
        origin: match endorsement.origin {
            EndorsementOrigin::Signed => OriginView::Signed,
            EndorsementOrigin::Imported => OriginView::Imported,
        },
        url: state.urls.endorsement(endorsement.id),
        created_at: endorsement.created_at,
        withdrawn_at: endorsement.withdrawn_at,
        credential,
    })
}
