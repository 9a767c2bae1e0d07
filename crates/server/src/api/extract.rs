//! Extractors whose failures are problem+json [`HttpError`]s, not axum's plain-text rejections.
//!
//! axum's own `Json`, `Query` and `Path` answer bad input with `text/plain` bodies; the admin
//! API promises `application/problem+json` with an actionable `detail` for every error, so
//! handlers use these wrappers instead.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::HttpError;

/// A JSON request body (`Content-Type: application/json`) or a JSON response.
#[derive(Debug, Clone)]
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = HttpError;

    async fn from_request(request: Request, state: &S) -> Result<Self, HttpError> {
        require_json(request.headers())?;
        let bytes = body_bytes(request, state).await?;
        parse_json(&bytes).map(Json)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// The raw body, with a body-limit failure mapped to 413 and others to 400.
pub async fn body_bytes<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, HttpError> {
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                HttpError::PayloadTooLarge(
                    "the request body is larger than this server accepts (its --body-limit): send less per request, or ask the operator to raise the limit".into(),
                )
            } else {
                HttpError::BadRequest(format!("could not read the request body: {}", rejection.body_text()))
            }
        })
}

/// Fails with 415 unless the request says its body is JSON (`application/json` or `…+json`).
pub fn require_json(headers: &HeaderMap) -> Result<(), HttpError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
    {
        Ok(())
    } else {
        Err(HttpError::UnsupportedMediaType(format!(
            "send the body as JSON with `Content-Type: application/json` (got {})",
            if content_type.is_empty() {
                "no Content-Type".to_string()
            } else {
                format!("{content_type:?}")
            }
        )))
    }
}

/// Parses a JSON body; the error says where the syntax broke or which field is wrong (named
/// by its path, `include_recipient_name: invalid type: …`, with `serde_path_to_error`, which
/// axum already depends on).
///
/// Every body of this API is a JSON object. serde would also fill a struct from an array of
/// its fields in order (`[null, null]`), which no client means, so anything else is refused.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, HttpError> {
    match bytes.iter().find(|byte| !byte.is_ascii_whitespace()) {
        Some(b'{') => {
            let mut deserializer = serde_json::Deserializer::from_slice(bytes);
            let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
                let path = error.path().to_string();
                let error = error.into_inner();
                match (error.classify(), path.as_str()) {
                    (serde_json::error::Category::Data, path) if path != "." => {
                        HttpError::BadRequest(format!("invalid request: {path}: {error}"))
                    }
                    _ => json_error(&error),
                }
            })?;
            // Trailing characters after the object are a syntax error, as with from_slice.
            deserializer.end().map_err(|error| json_error(&error))?;
            Ok(value)
        }
        None => Err(HttpError::BadRequest(
            "the body is empty: send a JSON object".into(),
        )),
        Some(_) => Err(HttpError::BadRequest(
            "the body must be a JSON object ({...})".into(),
        )),
    }
}

/// A serde_json error as a 400 a client can act on.
pub fn json_error(error: &serde_json::Error) -> HttpError {
    use serde_json::error::Category;
    match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            HttpError::BadRequest(format!("the body is not valid JSON: {error}"))
        }
        Category::Data => HttpError::BadRequest(format!("invalid request: {error}")),
    }
}

/// Query parameters, deserialized with unknown ones refused by the target type.
#[derive(Debug, Clone)]
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, HttpError> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|axum::extract::Query(value)| Query(value))
            .map_err(|rejection| {
                let text = rejection.body_text();
                let text = text
                    .strip_prefix("Failed to deserialize query string: ")
                    .unwrap_or(&text);
                HttpError::BadRequest(format!("invalid query parameters: {text}"))
            })
    }
}

/// The `{id}` segment of a path, as given (parse it with [`PathId::uuid`]).
#[derive(Debug, Clone)]
pub struct PathId(pub String);

impl PathId {
    /// The id as a UUID; anything else names no `what`, so it is a 404.
    pub fn uuid(&self, what: &str) -> Result<Uuid, HttpError> {
        Uuid::parse_str(&self.0).map_err(|_| {
            HttpError::NotFound(format!(
                "no {what} with id {:?} (ids are UUIDs, e.g. 0190a8c4-5f6e-7b8a-9c0d-1e2f3a4b5c6d)",
                self.0
            ))
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, HttpError> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(id)| PathId(id))
            .map_err(|rejection| {
                HttpError::NotFound(format!("no such resource: {}", rejection.body_text()))
            })
    }
}

/// A JSON body whose fields are all optional: no body at all means the defaults.
#[derive(Debug, Clone)]
pub struct OptionalJson<T>(pub T);

impl<S, T> FromRequest<S> for OptionalJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Default,
{
    type Rejection = HttpError;

    async fn from_request(request: Request, state: &S) -> Result<Self, HttpError> {
        let headers = request.headers().clone();
        let bytes = body_bytes(request, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        require_json(&headers)?;
        parse_json(&bytes).map(OptionalJson)
    }
}

/// The raw request body (for handlers that hash it before parsing), with body-limit
/// failures as 413 problem+json.
#[derive(Debug, Clone)]
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = HttpError;

    async fn from_request(request: Request, state: &S) -> Result<Self, HttpError> {
        body_bytes(request, state).await.map(RawBody)
    }
}
