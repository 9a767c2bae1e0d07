//! The PostgreSQL backend: one database shared by any number of instances.
//!
//! Same statements and semantics as SQLite (the store suite checks both), with native `uuid`,
//! `timestamptz` and `bytea` columns. Transactions run at PostgreSQL's default isolation, read
//! committed, which is what "insert … on conflict do nothing, then read" needs: the insert waits
//! for a concurrent transaction holding the same key and does nothing once it commits, and the
//! read that follows sees that committed row.
//!
//! Instances starting together are safe: sqlx's migrator holds a PostgreSQL advisory lock (one
//! per database) while it runs, so the second instance waits, then finds nothing to apply.

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
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use crate::shared::{
    achievement_columns, db, idempotent_columns, issuer_columns, key_columns, list_to_json,
    migrate_error, token_columns,
};
use crate::values::Ts;
use crate::{
    Achievement, Allocation, ApiToken, Attendance, AuditEntry, AuditFilter, Award, AwardFilter,
    Completion, Delivery, EmailSettings, EmailTemplate, Event, EventFilter, IdempotentResponse,
    Image, ImportJob, ImportQuota, ImportResultSize, Issuer, IssuerKey, Notification,
    NotificationFilter, Recorded, Requeued, Resend, Series, Session, StatusChange, StatusList,
    StoreError, StoreResult, Stored, User, redact_url,
};
use rows::{achievement, idempotent, issuer, key, token};

/// Migrations for PostgreSQL, embedded at compile time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// Connections per instance: enough for concurrent requests, few enough that several instances
/// stay under PostgreSQL's default limit of 100.
const CONNECTIONS: u32 = 10;

/// The [`Store`] on a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host/db`) and migrates it.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("{}: {e}", redact_url(url))))?;
        let pool = PgPoolOptions::new()
            .max_connections(CONNECTIONS)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Database(format!("opening {}: {e}", redact_url(url))))?;
        MIGRATOR.run(&pool).await.map_err(migrate_error)?;
        Ok(PostgresStore { pool })
    }

    /// Begins a write transaction. Read committed is PostgreSQL's default, but a server may be
    /// set otherwise, and the exactly-once insert needs it (see the module doc), so it is named.
    async fn write(&self) -> StoreResult<Transaction<'static, Postgres>> {
        self.pool
            .begin_with("begin isolation level read committed")
            .await
            .map_err(db)
    }
}

/// Stores one key inside a write transaction.
async fn insert_key(tx: &mut Transaction<'static, Postgres>, k: &IssuerKey) -> StoreResult<()> {
    sqlx::query(
        "insert into issuer_keys (id, issuer_id, purpose, algorithm, public_jwk,
             sealed_private_key, created_at, retired_at, compromised_since)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(k.id)
    .bind(k.issuer_id)
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

/// Whether a unique violation is on this named constraint.
fn unique_on(err: &sqlx::Error, constraint: &str) -> bool {
    match err {
        sqlx::Error::Database(e) => e.is_unique_violation() && e.constraint() == Some(constraint),
        _ => false,
    }
}
