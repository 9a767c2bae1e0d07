//! What both backends share: turning sqlx errors into [`StoreError`], and the JSON text that
//! holds list columns.
//!
//! Error messages never carry bound values (a token's secret hash, a recipient's email): only
//! the database's own primary message, which names tables and columns, and the SQLSTATE code.

use sqlx::error::ErrorKind;

use crate::{StoreError, StoreResult};

/// Maps a sqlx error to the store's vocabulary.
///
/// `RowNotFound` is [`StoreError::NotFound`]; a unique violation is a [`StoreError::Conflict`]
/// (callers that know which value clashed say so with a better message); a foreign-key
/// violation means a parent row is missing, so [`StoreError::NotFound`]; a value that cannot be
/// decoded is [`StoreError::Corrupt`]; everything else is [`StoreError::Database`].
pub(crate) fn db(err: sqlx::Error) -> StoreError {
    match err {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(e) => match e.kind() {
            ErrorKind::UniqueViolation => StoreError::Conflict("it already exists".into()),
            ErrorKind::ForeignKeyViolation => StoreError::NotFound,
            _ => StoreError::Database(match e.code() {
                Some(code) => format!("{} (code {code})", e.message()),
                None => e.message().to_string(),
            }),
        },
        sqlx::Error::ColumnDecode { index, source } => {
            StoreError::Corrupt(format!("column {index}: {source}"))
        }
        sqlx::Error::Decode(source) => StoreError::Corrupt(source.to_string()),
        sqlx::Error::ColumnNotFound(column) => {
            StoreError::Corrupt(format!("no column {column} (schema out of date?)"))
        }
        // Connection, pool, I/O, TLS, protocol and encoding errors. Their text comes from the
        // driver and the network, not from bound values.
        other => StoreError::Database(other.to_string()),
    }
}

/// Maps a migration failure (a changed or missing migration, or the database failing).
pub(crate) fn migrate_error(err: sqlx::migrate::MigrateError) -> StoreError {
    match err {
        sqlx::migrate::MigrateError::Execute(e) => db(e),
        sqlx::migrate::MigrateError::ExecuteMigration(e, version) => {
            StoreError::Database(format!("migration {version}: {}", db(e)))
        }
        other => StoreError::Database(format!("migrations: {other}")),
    }
}

/// A list of strings as the JSON text stored in a list column.
pub(crate) fn list_to_json(list: &[String]) -> String {
    // A slice of strings always serializes; the fallback is never taken.
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// A list column's JSON text back as strings.
pub(crate) fn list_from_json(text: &str, column: &str) -> StoreResult<Vec<String>> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("{column} is not a JSON list of strings: {e}")))
}

/// Reads a key purpose stored by [`crate::KeyPurpose::as_str`].
pub(crate) fn purpose(text: &str) -> StoreResult<crate::KeyPurpose> {
    crate::KeyPurpose::parse(text)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown key purpose {text:?}")))
}

/// Reads a stored HTTP status.
pub(crate) fn status(value: i64) -> StoreResult<u16> {
    u16::try_from(value).map_err(|_| StoreError::Corrupt(format!("HTTP status {value}")))
}

/// An award as the database keeps it: timestamps cut to microseconds, the precision of
/// PostgreSQL's `timestamptz` (and of SQLite's stored text), so a `Created` result equals what
/// a later read returns.
pub(crate) fn as_stored(award: &crate::Award) -> crate::Award {
    use chrono::SubsecRound;
    crate::Award {
        issued_at: award.issued_at.trunc_subsecs(6),
        valid_until: award.valid_until.map(|at| at.trunc_subsecs(6)),
        ..award.clone()
    }
}

// Column lists, in the order the row readers of both backends expect. Macros rather than
// constants so `concat!` can build `&'static str` statements from them.

/// The columns of `api_tokens` a token is read from.
macro_rules! token_columns {
    () => {
        "id, name, scopes, created_at, revoked_at"
    };
}

/// The columns of `issuers`.
macro_rules! issuer_columns {
    () => {
        "id, name, url, email, description, image, jwt_algorithm, created_at, updated_at"
    };
}

/// The columns of `issuer_keys`.
macro_rules! key_columns {
    () => {
        "id, issuer_id, purpose, algorithm, public_jwk, sealed_private_key, created_at, retired_at"
    };
}

/// The columns of `achievements`.
macro_rules! achievement_columns {
    () => {
        "id, issuer_id, name, description, criteria_narrative, criteria_url, image, \
         achievement_type, tags, alignment, credits_available, valid_for_days, created_at, \
         updated_at"
    };
}

/// The columns of `awards`.
macro_rules! award_columns {
    () => {
        "id, achievement_id, issuer_id, recipient_email, recipient_name, issued_at, valid_until, \
         credential, jwt"
    };
}

/// The columns of `idempotency`.
macro_rules! idempotent_columns {
    () => {
        "key, token_id, request_hash, status, body, created_at"
    };
}

pub(crate) use {
    achievement_columns, award_columns, idempotent_columns, issuer_columns, key_columns,
    token_columns,
};
