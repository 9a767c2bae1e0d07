//! API tokens through the API: `POST /tokens`, `GET /tokens`, `GET /tokens/{id}`,
//! `POST /tokens/{id}/revoke`.
//!
//! The same choices as `laurel token create` and the console's token page: a scope, the
//! issuers the token is limited to (none: every issuer), an expiry, and whether a read-only
//! token sees recipients' emails. Only an `admin` token for every issuer manages tokens, so a
//! division's token can never mint itself a wider one. The secret is in the creation answer
//! only (the store keeps its SHA-256), and never in the audit log.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use laurel_store::{ApiToken, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::extract::{Json, PathId};
use crate::auth::{self, Bearer};
use crate::{AppState, HttpError, HttpResult};
use laurel_service::fields::{self, MAX_NAME};

/// `POST /tokens` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// Who uses it; unique, also after revoking
    #[schema(max_length = 500)]
    name: String,
    /// `admin`, `issue` or `read`.
    #[schema(schema_with = crate::api::openapi::fields::new_token_scope)]
    scope: String,
    /// Limit the token to these issuers: everything of other issuers is 404 to it, lists are filtered. Absent or empty: every issuer
    #[serde(default)]
    #[schema(value_type = Vec<Uuid>)]
    issuer_ids: Vec<String>,
    /// 90d, 12h, 2w, 30m, or an RFC 3339 time in the future; absent: never
    #[serde(default)]
    expires: Option<String>,
    /// For a read-only token: show recipients' emails and names (otherwise null)
    #[serde(default)]
    #[schema(default = false)]
    with_emails: bool,
}

fn may_manage(bearer: &Bearer) -> HttpResult<()> {
    bearer.require("admin")?;
    bearer.require_every_issuer("manage tokens")
}

/// `POST /tokens`: 201 with the token and its `secret`, shown this once.
#[utoipa::path(
    post,
    path = "/tokens",
    operation_id = "tokens_create",
    tag = "tokens",
    summary = "Create an API token",
    description = "Needs an admin token that is not limited to issuers (a limited token gets 403). The same choices as `laurel token create` and the console's token page. Audited as token.create, without the secret.",
    request_body(content = NewToken, content_type = "application/json"),
    responses(
        (status = 201, description = "The token, with its secret shown this once; Location names it", body = TokenView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 409, response = crate::api::openapi::E409),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn create(
    State(state): State<AppState>,
    bearer: Bearer,
    Json(body): Json<NewToken>,
) -> HttpResult<Response> {
    may_manage(&bearer)?;
    let name = fields::required("name", &body.name, MAX_NAME)?;
    if name.chars().any(char::is_control) {
        return Err(HttpError::BadRequest(
            "name must not contain control characters".into(),
        ));
    }
    if !auth::SCOPES.contains(&body.scope.as_str()) {
        return Err(HttpError::BadRequest(format!(
            "scope must be one of {}, got {:?}",
            auth::SCOPES.join(", "),
            body.scope
        )));
    }
    let mut issuer_ids: Vec<Uuid> = Vec::new();
    for (index, text) in body.issuer_ids.iter().enumerate() {
        let id = Uuid::parse_str(text.trim()).map_err(|_| {
            HttpError::BadRequest(format!(
                "issuer_ids[{index}] must be an issuer id, got {text:?}"
            ))
        })?;
        match state.store.issuer(id).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                return Err(HttpError::BadRequest(format!(
                    "issuer_ids[{index}]: there is no issuer {id}"
                )));
            }
            Err(error) => return Err(error.into()),
        }
        if !issuer_ids.contains(&id) {
            issuer_ids.push(id);
        }
    }
    let now = state.clock.now();
    let expires_at = body
        .expires
        .as_deref()
        .filter(|text| !text.trim().is_empty())
        .map(|text| auth::parse_expiry(text, now))
        .transpose()
        .map_err(|problem| HttpError::BadRequest(format!("expires: {problem}")))?;
    let (secret, hash) = auth::new_token();
    let mut token = ApiToken::new(Uuid::now_v7(), &name, vec![body.scope.clone()], now);
    token.issuer_ids = issuer_ids;
    token.expires_at = expires_at;
    token.with_emails = body.with_emails;
    state
        .store
        .create_token(&token, &hash)
        .await
        .map_err(|error| match error {
            StoreError::Conflict(_) => HttpError::Conflict(format!(
                "a token named {name:?} exists already (names stay taken after revoking)"
            )),
            other => other.into(),
        })?;
    let mut answer = view(&token);
    answer.secret = Some(secret);
    let detail = json!({
        "name": token.name,
        "scopes": token.scopes,
        "issuer_ids": token.issuer_ids,
        "expires_at": token.expires_at,
        "with_emails": token.with_emails,
    });
    let location = format!("{}/tokens/{}", super::PREFIX, token.id);
    Ok(super::audit::with_detail(
        super::located(StatusCode::CREATED, &location, answer),
        detail,
    ))
}

/// `GET /tokens`: every token, revoked ones too, oldest first; never a secret.
#[utoipa::path(
    get,
    path = "/tokens",
    operation_id = "tokens_list",
    tag = "tokens",
    summary = "List API tokens",
    description = "Needs an admin token that is not limited to issuers (a limited token gets 403). Revoked tokens are listed too; secrets never are.",
    responses(
        (status = 200, description = "Every token, oldest first", body = TokenList, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn list(State(state): State<AppState>, bearer: Bearer) -> HttpResult<Json<TokenList>> {
    may_manage(&bearer)?;
    let tokens = state.store.list_tokens().await?;
    Ok(Json(TokenList {
        tokens: tokens.iter().map(view).collect(),
    }))
}

/// `GET /tokens/{id}`: one token; never its secret.
#[utoipa::path(
    get,
    path = "/tokens/{id}",
    operation_id = "tokens_get",
    tag = "tokens",
    summary = "Get an API token",
    description = "Needs an admin token that is not limited to issuers (a limited token gets 403).",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 200, description = "The token, without its secret", body = TokenView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn get(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<TokenView>> {
    may_manage(&bearer)?;
    let id = id.uuid("token")?;
    let tokens = state.store.list_tokens().await?;
    tokens
        .iter()
        .find(|token| token.id == id)
        .map(|token| Json(view(token)))
        .ok_or_else(|| HttpError::not_found("token", id))
}

/// `POST /tokens/{id}/revoke`: the token, revoked (revoking twice keeps the first time).
#[utoipa::path(
    post,
    path = "/tokens/{id}/revoke",
    operation_id = "tokens_revoke",
    tag = "tokens",
    summary = "Revoke an API token",
    description = "Needs an admin token that is not limited to issuers (a limited token gets 403). It authenticates nothing from then on; revoking twice keeps the first time.",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 200, description = "The revoked token", body = TokenView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn revoke(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<TokenView>> {
    may_manage(&bearer)?;
    let id = id.uuid("token")?;
    let token = state
        .store
        .revoke_token(&id.to_string(), state.clock.now())
        .await
        .map_err(|error| match error {
            StoreError::NotFound => HttpError::not_found("token", id),
            other => other.into(),
        })?;
    Ok(Json(view(&token)))
}

/// What the API shows of a token.
fn view(token: &ApiToken) -> TokenView {
    TokenView {
        id: token.id,
        name: token.name.clone(),
        scopes: token.scopes.clone(),
        issuer_ids: token.issuer_ids.clone(),
        expires_at: token.expires_at,
        with_emails: token.with_emails,
        created_at: token.created_at,
        last_used_at: token.last_used_at,
        revoked_at: token.revoked_at,
        url: format!("{}/tokens/{}", super::PREFIX, token.id),
        secret: None,
    }
}

/// An API token as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Token)]
pub struct TokenView {
    id: Uuid,
    name: String,
    #[schema(schema_with = crate::api::openapi::fields::token_scopes)]
    scopes: Vec<String>,
    /// The issuers it is limited to; empty: every issuer
    issuer_ids: Vec<Uuid>,
    expires_at: Option<DateTime<Utc>>,
    /// For a read-only token: whether it sees recipients' emails and names
    with_emails: bool,
    created_at: DateTime<Utc>,
    /// Recorded at most once a minute
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    #[schema(format = "uri-reference")]
    url: String,
    /// POST /tokens only: the bearer secret (laurel_…), shown this once; only its SHA-256 is stored
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    secret: Option<String>,
}

/// `GET /tokens`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    tokens: Vec<TokenView>,
}
