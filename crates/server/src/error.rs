//! The one error type of the HTTP API, rendered as RFC 9457 `application/problem+json`.
//!
//! Policy: every failure a client can act on gets its status and a `detail` that says what to
//! change (the field, the limit, the id). Internal failures (database down, a bug) are logged
//! with the request id and answered with a generic 500 or 503: their text may name tables or
//! hosts, and never reaches a client. Nothing here ever formats key material.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use laurel_service::ServiceError;
use laurel_store::StoreError;

/// An HTTP failure: a status and a message for the client, rendered as problem+json (the
/// console and the public pages show the same message as a page). The domain's
/// [`ServiceError`] converts into it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum HttpError {
    /// 400: the request is malformed (bad JSON, an unknown field, a bad email).
    #[error("{0}")]
    BadRequest(String),
    /// 401: no token, or an unknown or revoked one.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: the token lacks the scope.
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such resource.
    #[error("{0}")]
    NotFound(String),
    /// 405: the path exists but not with this method.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// 409: the request conflicts with what is stored.
    #[error("{0}")]
    Conflict(String),
    /// 413: the body is larger than allowed.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 415: the body's media type is not accepted.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: well-formed, but not acceptable (an idempotency key reused for another request).
    #[error("{0}")]
    Unprocessable(String),
    /// 429: too much at once (an issuer's import queue is full); try again later.
    #[error("{0}")]
    TooManyRequests(String),
    /// 503: the database is unreachable.
    #[error("{0}")]
    Unavailable(String),
    /// 500: a bug or an unexpected failure; the message is logged, not sent.
    #[error("{0}")]
    Internal(String),
}

impl HttpError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            HttpError::BadRequest(_) => StatusCode::BAD_REQUEST,
            HttpError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            HttpError::Forbidden(_) => StatusCode::FORBIDDEN,
            HttpError::NotFound(_) => StatusCode::NOT_FOUND,
            HttpError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            HttpError::Conflict(_) => StatusCode::CONFLICT,
            HttpError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            HttpError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            HttpError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            HttpError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            HttpError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            HttpError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A 404 for a kind of thing and the id asked for.
    pub fn not_found(what: &str, id: impl std::fmt::Display) -> Self {
        ServiceError::not_found(what, id).into()
    }
}

impl From<StoreError> for HttpError {
    /// As the domain maps it (not found, conflict, unavailable, internal).
    fn from(error: StoreError) -> Self {
        ServiceError::from(error).into()
    }
}

impl From<ServiceError> for HttpError {
    /// The domain's kinds as HTTP statuses; the message is kept as the domain wrote it.
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Invalid(message) => HttpError::BadRequest(message),
            ServiceError::Unreadable(message) => HttpError::Unprocessable(message),
            ServiceError::Unsupported(message) => HttpError::UnsupportedMediaType(message),
            ServiceError::NotFound(message) => HttpError::NotFound(message),
            ServiceError::Conflict(message) => HttpError::Conflict(message),
            ServiceError::Busy(message) => HttpError::TooManyRequests(message),
            ServiceError::Unavailable(message) => HttpError::Unavailable(message),
            ServiceError::Internal(message) => HttpError::Internal(message),
        }
    }
}

impl From<laurel_service::documents::DocumentError> for HttpError {
    fn from(error: laurel_service::documents::DocumentError) -> Self {
        ServiceError::from(error).into()
    }
}

/// RFC 9457 problem details
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    r#type: &'static str,
    title: &'static str,
    status: u16,
    detail: String,
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = match &self {
            HttpError::Internal(message) => {
                tracing::error!(error = %message, "internal error");
                metrics::counter!("laurel_errors_total", "kind" => "internal").increment(1);
                "an internal error occurred; it has been logged".to_string()
            }
            HttpError::Unavailable(message) => {
                tracing::error!(error = %message, "database unavailable");
                metrics::counter!("laurel_errors_total", "kind" => "unavailable").increment(1);
                "the database is unavailable; try again shortly".to_string()
            }
            other => other.to_string(),
        };
        let body = Problem {
            r#type: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail,
        };
        // Plain strings and a number: serializing cannot fail.
        let body = serde_json::to_string(&body).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::TOO_MANY_REQUESTS {
            // RFC 9110 §10.2.3: when to try again (an import takes seconds to minutes).
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
        }
        if status == StatusCode::UNAUTHORIZED {
            // RFC 6750 §3: a 401 names the scheme the client must use.
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"laurel\""),
            );
        }
        response
    }
}

/// A store "not found" as a 404 naming what was asked for; other store errors as usual.
pub fn not_found_in(error: StoreError, what: &str, id: impl std::fmt::Display) -> HttpError {
    ServiceError::from_store(error, what, id).into()
}

/// Result of a handler.
pub type HttpResult<T> = Result<T, HttpError>;
