//! OpenID4VCI's public protocol endpoints (pre-authorized code flow): what a wallet calls
//! after scanning the claim page's credential offer. The work is in
//! [`laurel_service::wallet::oid4vci`]; this adapts it to HTTP.
//!
//! | path | answers | cached |
//! |---|---|---|
//! | `GET /.well-known/openid-credential-issuer` | credential issuer metadata | 5 min |
//! | `GET /.well-known/oauth-authorization-server` | RFC 8414 metadata | 5 min |
//! | `GET /offers/{secret}` | the credential offer | no-store |
//! | `POST /token` | access token (form body) | no-store |
//! | `POST /nonce` | `{"c_nonce"}` | no-store |
//! | `POST /credential` | the holder-bound credential (bearer token, JSON body) | no-store |
//!
//! Refusals are the protocol's JSON (`{"error", "error_description"}`, RFC 6749 §5.2 and
//! OID4VCI §8.3.1), 400, or 401 with `WWW-Authenticate` for a bad access token. Any origin may
//! call them (browser wallets send `Authorization`, so preflights are answered too). Bodies
//! are limited to [`MAX_BODY_BYTES`].

use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use laurel_service::wallet::oid4vci::{self, ProtocolError, TokenRequest, metadata};
use serde_json::{Value, json};
use tower_http::cors::{Any, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;

use crate::cache::{Cache, Representation};
use crate::{AppState, HttpError};

/// The largest request body read: a credential request with a P-256 `jwk` proof is ~1 KiB.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The OpenID4VCI routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/.well-known/openid-credential-issuer",
            get(issuer_metadata),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(authorization_server_metadata),
        )
        .route("/offers/{secret}", get(offer))
        .route("/token", post(token))
        .route("/nonce", post(nonce))
        .route("/credential", post(credential))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
                .expose_headers([header::WWW_AUTHENTICATE]),
        )
}

/// `GET /.well-known/openid-credential-issuer`.
async fn issuer_metadata(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let metadata = metadata::issuer_metadata(&state.service).await?;
    Ok(Representation::json(&metadata, "application/json", Cache::FiveMinutes).respond(&headers))
}

/// `GET /.well-known/oauth-authorization-server`.
async fn authorization_server_metadata(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    let metadata = metadata::authorization_server_metadata(&state.service);
    Representation::json(&metadata, "application/json", Cache::FiveMinutes).respond(&headers)
}

/// `GET /offers/{secret}`: the credential offer (its pre-authorized code is a secret, so it is
/// never cached).
async fn offer(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<Response, HttpError> {
    let offer = oid4vci::credential_offer(&state.service, &secret).await?;
    Ok(no_store(StatusCode::OK, &offer))
}

/// `POST /token` (`application/x-www-form-urlencoded`).
async fn token(
    State(state): State<AppState>,
    form: Result<Form<TokenRequest>, FormRejection>,
) -> Result<Response, HttpError> {
    let Form(request) = match form {
        Ok(form) => form,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Ok(too_large());
        }
        Err(rejection) => {
            return refusal(ProtocolError::invalid_request(format!(
                "the token request must be an application/x-www-form-urlencoded form: \
                 {rejection}"
            )));
        }
    };
    answer(oid4vci::token(&state.service, &request).await)
}

/// `POST /nonce`.
async fn nonce(State(state): State<AppState>) -> Result<Response, HttpError> {
    let c_nonce = oid4vci::nonce(&state.service).await?;
    Ok(no_store(StatusCode::OK, &json!({"c_nonce": c_nonce})))
}

/// `POST /credential` (bearer token, JSON body).
async fn credential(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, HttpError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        })
        .map(str::trim);
    let body = match body {
        Ok(Json(body)) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Ok(too_large());
        }
        Err(rejection) => {
            // A bad token is reported first: it is what the wallet must fix.
            if bearer.is_none() {
                return answer(oid4vci::credential(&state.service, None, &Value::Null).await);
            }
            return refusal(ProtocolError::invalid_credential_request(format!(
                "the credential request must be a JSON object sent as application/json: \
                 {rejection}"
            )));
        }
    };
    answer(oid4vci::credential(&state.service, bearer, &body).await)
}

fn answer(result: Result<Value, ProtocolError>) -> Result<Response, HttpError> {
    match result {
        Ok(value) => Ok(no_store(StatusCode::OK, &value)),
        Err(error) => refusal(error),
    }
}

/// A refusal as the protocol's error JSON; a service failure as a problem.
fn refusal(error: ProtocolError) -> Result<Response, HttpError> {
    match error {
        ProtocolError::Refused {
            code,
            description,
            unauthorized,
        } => {
            let body = json!({"error": code, "error_description": description});
            if unauthorized {
                let mut response = no_store(StatusCode::UNAUTHORIZED, &body);
                let challenge = format!("Bearer error=\"{code}\"");
                if let Ok(value) = HeaderValue::from_str(&challenge) {
                    response
                        .headers_mut()
                        .insert(header::WWW_AUTHENTICATE, value);
                }
                Ok(response)
            } else {
                Ok(no_store(StatusCode::BAD_REQUEST, &body))
            }
        }
        ProtocolError::Service(error) => Err(error.into()),
    }
}

/// 413, in the protocol's error JSON.
fn too_large() -> Response {
    let description =
        format!("the request body is larger than the limit of {MAX_BODY_BYTES} bytes");
    no_store(
        StatusCode::PAYLOAD_TOO_LARGE,
        &json!({"error": "invalid_request", "error_description": description}),
    )
}

/// JSON with `Cache-Control: no-store` (RFC 6749 §5.1: tokens and codes are never cached).
fn no_store(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response()
}
