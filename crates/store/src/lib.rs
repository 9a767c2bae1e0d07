//! Storage for the Laurel issuer: one [`Store`] made of focused traits, two backends.
//!
//! SQLite (a file in the data folder) is the embedded default; PostgreSQL serves several
//! instances behind a load balancer. Both implement the same trait and pass the same test
//! suite (`tests/suite.rs`), so the service is written once against `Arc<dyn Store>` and never
//! sees a driver type: backends turn sqlx errors into [`StoreError`]. [`Store`] is the sum of
//! eight focused traits ([`ServiceStore`], [`CatalogStore`], [`AwardStore`], [`StatusStore`],
//! [`ActivityStore`], [`EmailStore`], [`ConsoleStore`], [`WalletStore`]); each backend implements each in its
//! own file (`sqlite/catalog_store.rs`, `postgres/catalog_store.rs`, …).
//!
//! Two rules carry the issuer's promises:
//! - **Exactly once.** An award is unique per (achievement, recipient email), enforced by a
//!   unique index, and inserted with "on conflict do nothing": a retry, a race between two
//!   requests, or two instances on one PostgreSQL all end with the one stored credential.
//! - **Whole or nothing.** A credential and its row are one insert; a batch is one
//!   transaction per call, and SQLite write transactions begin `IMMEDIATE` so concurrent
//!   writers queue instead of failing with "database is locked".
//!
//! Timestamps are kept to the microsecond, PostgreSQL's precision, on both backends: a value
//! read back equals the one stored once cut to microseconds. How ids and timestamps are stored
//! is decided in one place, the `Id` and `Ts` value types in `values.rs`, which both backends
//! bind and read directly.
//!
//! Migrations live in `migrations/sqlite/` and `migrations/postgres/` at the workspace root and
//! are embedded at compile time; a released migration is never edited.

mod activity;
mod categories;
mod console;
mod email;
mod endorsement;
mod model;
mod oid4vci;
mod pathway;
mod postgres;
mod scratch;
mod shared;
mod sqlite;
mod traits;
mod transcript_link;
mod values;
mod wallet;

pub use activity::*;
pub use categories::*;
pub use console::*;
pub use email::*;
pub use endorsement::*;
pub use model::*;
pub use oid4vci::*;
pub use pathway::*;
pub use postgres::PostgresStore;
pub use scratch::ScratchDatabase;
pub use shared::merge_attendance;
pub use sqlite::SqliteStore;
pub use traits::*;
pub use transcript_link::*;
pub use wallet::*;

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A unique value (a token name, say) is already taken.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database URL or options are unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// The database could not be reached or failed (details are for logs, not users).
    #[error("database: {0}")]
    Database(String),
    /// Stored data could not be read back (a bug or a hand-edited row).
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// Opens the store a database URL names, creating the SQLite file if needed, and migrates it.
///
/// `sqlite://path` (or `sqlite:path`) opens SQLite; `postgres://` or `postgresql://` opens
/// PostgreSQL.
pub async fn connect(database_url: &str) -> StoreResult<std::sync::Arc<dyn Store>> {
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        Ok(std::sync::Arc::new(
            PostgresStore::connect(database_url).await?,
        ))
    } else if database_url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(
            SqliteStore::connect(database_url).await?,
        ))
    } else {
        Err(StoreError::Config(format!(
            "unsupported database URL {:?}: use sqlite://PATH or postgres://…",
            redact_url(database_url)
        )))
    }
}

/// A database URL with any password replaced, for messages and logs: the `user:password@`
/// form and a `password=` query parameter (which libpq-style URLs also accept).
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let base = match (base.find("://"), base.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &base[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &base[..scheme_end + 3], &base[at..]),
                None => base.to_string(),
            }
        }
        _ => base.to_string(),
    };
    match query {
        None => base,
        Some(query) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((name, _)) if name.eq_ignore_ascii_case("password") => {
                        format!("{name}=***")
                    }
                    _ => pair.to_string(),
                })
                .collect();
            format!("{base}?{}", query.join("&"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_survive_redaction() {
        assert_eq!(
            redact_url("postgres://laurel:s3cret@db.example.org/laurel"),
            "postgres://laurel:***@db.example.org/laurel"
        );
        assert_eq!(
            redact_url("postgres://laurel@db/laurel?sslmode=require&password=s3cret"),
            "postgres://laurel@db/laurel?sslmode=require&password=***"
        );
        assert_eq!(
            redact_url("sqlite://./laurel-data/laurel.db"),
            "sqlite://./laurel-data/laurel.db"
        );
    }
}
