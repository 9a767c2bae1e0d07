//! The SQLite backend: one file in the data folder, for a single instance.
//!
//! SQLite allows one writer at a time. Two things keep concurrent writers from failing with
//! "database is locked":
//! - all writes go through a **one-connection writer pool**, so writers in this process queue
//!   in the pool (up to its 30 s acquire timeout) rather than in SQLite's busy handler, which
//!   polls with sleeps of up to 100 ms and gives up after the busy timeout;
//! - every write transaction begins **`IMMEDIATE`**, taking the write lock up front. A deferred
//!   transaction that reads and then writes cannot wait for the lock (SQLite would deadlock),
//!   so it fails at once; measured, 485 of 640 such transactions failed under contention. The
//!   immediate ones wait (busy timeout 5 s) for another process, such as an admin command.
//!
//! Reads use a separate pool: in WAL mode they run beside the writer and see every committed
//! write. An in-memory database (`sqlite::memory:`, for experiments) uses the writer pool for
//! everything and keeps its one connection open, since the database dies with its last one.
//!
//! Ids and timestamps are bound and read as [`Id`] and [`Ts`], which decide their stored text
//! form (see `values.rs`).

mod activity;
mod activity_store;
mod audit;
mod award_store;
mod awards;
mod catalog_store;
mod category_store;
mod console;
mod console_store;
mod email;
mod email_store;
mod endorsement_store;
mod imports;
mod oid4vci_store;
mod pathway_store;
mod rows;
mod service_store;
mod sessions;
mod sign_in;
mod status;
mod status_store;
mod transcript_link_store;
mod wallet_store;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};
use uuid::Uuid;

use crate::shared::{
    achievement_columns, idempotent_columns, issuer_columns, key_columns, token_columns,
};
use crate::shared::{db, list_to_json, migrate_error};
use crate::values::{Id, Ts};
use crate::{
    Achievement, Allocation, ApiToken, Attendance, AuditEntry, AuditFilter, Award, AwardFilter,
    Completion, Delivery, EmailSettings, EmailTemplate, Event, EventFilter, IdempotentResponse,
    Image, ImportJob, ImportQuota, ImportResultSize, Issuer, IssuerKey, Notification,
    NotificationFilter, Recorded, Requeued, Resend, Series, Session, StatusChange, StatusList,
    StoreError, StoreResult, Stored, User, redact_url,
};
use rows::{achievement, idempotent, issuer, key, token};

/// Migrations for SQLite, embedded at compile time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// How many connections serve reads. Each SQLite connection is a thread; reads are short.
const READERS: u32 = 4;

/// Each reader's page cache, in KiB (`PRAGMA cache_size = -N`). The database file is in the
/// operating system's cache already, so SQLite's default of 2 MiB per connection mostly held a
/// second copy of the same pages. The writer keeps the default: with less, awarding and
/// imports slowed by a tenth.
const READER_PAGE_CACHE_KIB: u32 = 512;

/// The [`Store`] on a SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// One connection: every write, each in a `BEGIN IMMEDIATE` transaction.
    writer: SqlitePool,
    /// Reads (the writer pool itself for an in-memory database).
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating it and its folder if needed) and migrates the database at `url`
    /// (`sqlite://path/to/laurel.db`).
    pub async fn connect(url: &str) -> StoreResult<Self> {
        // Two processes opening a new file at once collide: switching it to WAL needs the file
        // to itself ("database is locked"), and SQLite has no lock like PostgreSQL's advisory
        // lock to keep two migrators from applying the same migration ("table already
        // exists"). Each migration is one transaction, so the loser changed nothing and a
        // second try finds the work done.
        let mut attempt = 0;
        loop {
            match Self::open(url).await {
                Err(StoreError::Database(_)) if attempt < 5 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(20 << attempt)).await;
                }
                opened => return opened,
            }
        }
    }

    async fn open(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("{}: {e}", redact_url(url))))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if !in_memory {
            create_parent_dir(options.get_filename())?;
            create_owner_only(options.get_filename())?;
        }

        let mut writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30));
        if in_memory {
            writer = writer
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        }
        let writer = writer
            .connect_with(options.clone())
            .await
            .map_err(|e| StoreError::Database(format!("opening {}: {e}", redact_url(url))))?;
        MIGRATOR.run(&writer).await.map_err(migrate_error)?;

        let reader = if in_memory {
            writer.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(READERS)
                .connect_with(options.pragma("cache_size", format!("-{READER_PAGE_CACHE_KIB}")))
                .await
                .map_err(db)?
        };
        Ok(SqliteStore { writer, reader })
    }

    /// Begins a write transaction holding SQLite's write lock.
    async fn write(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        self.writer.begin_with("begin immediate").await.map_err(db)
    }
}

/// Creates an empty database file readable by its owner only (SQLite gives its `-wal` and
/// `-shm` files the same mode), unless it exists: the database holds the issuers' signing keys
/// (encrypted) and the recipients' addresses. An empty file is an empty SQLite database.
fn create_owner_only(file: &std::path::Path) -> StoreResult<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let failed =
        |e: std::io::Error| StoreError::Config(format!("creating {}: {e}", file.display()));
    match options.open(file) {
        Ok(created) => {
            // The mode given to `open` is filtered by the umask; this is not.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                created
                    .set_permissions(std::fs::Permissions::from_mode(0o600))
                    .map_err(failed)?;
            }
            #[cfg(not(unix))]
            drop(created);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(failed(e)),
    }
}

/// Creates the folder that will hold the database file.
fn create_parent_dir(file: &std::path::Path) -> StoreResult<()> {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Config(format!("creating {}: {e}", dir.display()))),
        _ => Ok(()),
    }
}

/// A batch as the JSON text `json_each` and `jsonb_each` read.
fn json<T: serde::Serialize + ?Sized>(rows: &T) -> StoreResult<String> {
    // Strings, numbers and nulls always serialize; the error is never seen.
    serde_json::to_string(rows).map_err(|e| StoreError::Database(format!("encoding a batch: {e}")))
}

/// Stores one key inside a write transaction.
async fn insert_key(tx: &mut Transaction<'static, Sqlite>, k: &IssuerKey) -> StoreResult<()> {
    sqlx::query(
        "insert into issuer_keys (id, issuer_id, purpose, algorithm, public_jwk,
             sealed_private_key, created_at, retired_at, compromised_since)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(Id(k.id))
    .bind(Id(k.issuer_id))
    .bind(k.purpose.as_str())
    .bind(&k.algorithm)
    .bind(&k.public_jwk)
    .bind(&k.sealed_private_key)
    .bind(Ts(k.created_at))
    .bind(k.retired_at.map(Ts))
    .bind(k.compromised_since.map(Ts))
    .execute(&mut **tx)
    .await
    .map_err(db)?;
    Ok(())
}

/// Whether a unique violation is on this `table.column` (SQLite names the columns, not the
/// constraint, in "UNIQUE constraint failed: api_tokens.name").
fn unique_on(err: &sqlx::Error, column: &str) -> bool {
    match err {
        sqlx::Error::Database(e) => e.is_unique_violation() && e.message().ends_with(column),
        _ => false,
    }
}
