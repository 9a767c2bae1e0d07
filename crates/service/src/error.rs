//! The one error type of the domain: what went wrong, in words a person can act on.
//!
//! Each kind says whose move it is: the caller's ([`ServiceError::Invalid`],
//! [`ServiceError::Unreadable`], [`ServiceError::NotFound`], [`ServiceError::Conflict`],
//! [`ServiceError::Busy`]) or the service's ([`ServiceError::Unavailable`],
//! [`ServiceError::Internal`]). Front doors map them: the HTTP API to a status and
//! problem+json, the console to a message beside the form, the CLI to a message and an exit
//! code. The messages of the caller's kinds are shown as they are; the service's kinds are
//! logged and replaced by a generic message, since they may name tables or hosts.

use laurel_store::StoreError;

/// A failed domain operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    /// The request is not acceptable as given (a bad email, a reason too long).
    #[error("{0}")]
    Invalid(String),
    /// The request is well formed but its content cannot be used (an attendance report in no
    /// format Laurel reads).
    #[error("{0}")]
    Unreadable(String),
    /// Content of a kind Laurel does not take (an image that is neither PNG nor a safe SVG).
    #[error("{0}")]
    Unsupported(String),
    /// No such thing.
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with what is stored (a revoked credential cannot be re-issued).
    #[error("{0}")]
    Conflict(String),
    /// Too much at once (an issuer's import queue is full): try again shortly.
    #[error("{0}")]
    Busy(String),
    /// The database is unreachable.
    #[error("{0}")]
    Unavailable(String),
    /// A bug or an unexpected failure.
    #[error("{0}")]
    Internal(String),
}

impl ServiceError {
    /// "no {what} with id {id}".
    pub fn not_found(what: &str, id: impl std::fmt::Display) -> Self {
        ServiceError::NotFound(format!("no {what} with id {id}"))
    }

    /// A store "not found" as one naming what was asked for; other store errors as usual.
    pub fn from_store(error: StoreError, what: &str, id: impl std::fmt::Display) -> Self {
        match error {
            StoreError::NotFound => ServiceError::not_found(what, id),
            other => other.into(),
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ServiceError::NotFound("not found".into()),
            StoreError::Conflict(what) => ServiceError::Conflict(what),
            StoreError::Database(message) => ServiceError::Unavailable(message),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

/// The result of a domain operation.
pub type ServiceResult<T> = Result<T, ServiceError>;
