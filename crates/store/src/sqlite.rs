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
//! Ids are stored as hyphenated UUID text, timestamps as fixed-width UTC text (see [`ts`]).

mod activity;
mod audit;
mod awards;
mod console;
mod email;
mod rows;
mod sign_in;
mod status;

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
use crate::{
    Achievement, Allocation, ApiToken, Attendance, AuditEntry, AuditFilter, Award, AwardFilter,
    Completion, Delivery, EmailSettings, EmailTemplate, Event, EventFilter, IdempotentResponse,
    Image, ImportJob, ImportQuota, ImportResultSize, Issuer, IssuerKey, Notification,
    NotificationFilter, Recorded, Requeued, Resend, Series, Session, StatusChange, StatusList,
    Store, StoreError, StoreResult, Stored, User, redact_url,
};
use rows::{achievement, idempotent, issuer, key, token};

/// Migrations for SQLite, embedded at compile time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// How many connections serve reads. Each SQLite connection is a thread; reads are short.
const READERS: u32 = 4;

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
                .connect_with(options)
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

/// A timestamp as stored: UTC, microseconds, fixed width (`2026-01-02T03:04:05.123456Z`), so
/// text order is time order. Finer digits are dropped, as on PostgreSQL.
fn ts(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// An id as stored.
fn id(id: Uuid) -> uuid::fmt::Hyphenated {
    id.hyphenated()
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
    .bind(id(k.id))
    .bind(id(k.issuer_id))
    .bind(k.purpose.as_str())
    .bind(&k.algorithm)
    .bind(&k.public_jwk)
    .bind(&k.sealed_private_key)
    .bind(ts(k.created_at))
    .bind(k.retired_at.map(ts))
    .bind(k.compromised_since.map(ts))
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

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("select 1")
            .execute(&self.reader)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn setting(&self, name: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("select value from settings where name = $1")
            .bind(name)
            .fetch_optional(&self.reader)
            .await
            .map_err(db)
    }

    async fn setting_init(&self, name: &str, value: &str) -> StoreResult<String> {
        let mut tx = self.write().await?;
        sqlx::query(
            "insert into settings (name, value) values ($1, $2) on conflict (name) do nothing",
        )
        .bind(name)
        .bind(value)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let stored = sqlx::query_scalar("select value from settings where name = $1")
            .bind(name)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(stored)
    }

    async fn set_setting(&self, name: &str, value: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "insert into settings (name, value) values ($1, $2) \
             on conflict (name) do update set value = excluded.value",
        )
        .bind(name)
        .bind(value)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn create_token(&self, token: &ApiToken, secret_sha256: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "insert into api_tokens (id, name, secret_sha256, scopes, created_at, revoked_at,
                 issuer_ids, expires_at, last_used_at, with_emails)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id(token.id))
        .bind(&token.name)
        .bind(secret_sha256)
        .bind(list_to_json(&token.scopes))
        .bind(ts(token.created_at))
        .bind(token.revoked_at.map(ts))
        .bind(list_to_json(
            &token
                .issuer_ids
                .iter()
                .map(|i| id(*i).to_string())
                .collect::<Vec<_>>(),
        ))
        .bind(token.expires_at.map(ts))
        .bind(token.last_used_at.map(ts))
        .bind(token.with_emails)
        .execute(&mut *tx)
        .await
        .map_err(|e| match unique_on(&e, "api_tokens.name") {
            true => StoreError::Conflict(format!("a token named {} already exists", token.name)),
            false => db(e),
        })?;
        tx.commit().await.map_err(db)
    }

    async fn token_by_secret(&self, secret_sha256: &str) -> StoreResult<Option<ApiToken>> {
        let sql = concat!(
            "select ",
            token_columns!(),
            " from api_tokens where secret_sha256 = $1 and revoked_at is null"
        );
        let row = sqlx::query(sql)
            .bind(secret_sha256)
            .fetch_optional(&self.reader)
            .await
            .map_err(db)?;
        row.as_ref().map(token).transpose()
    }

    async fn list_tokens(&self) -> StoreResult<Vec<ApiToken>> {
        let sql = concat!(
            "select ",
            token_columns!(),
            " from api_tokens order by created_at, id"
        );
        let rows = sqlx::query(sql).fetch_all(&self.reader).await.map_err(db)?;
        rows.iter().map(token).collect()
    }

    async fn touch_token(&self, token_id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.write().await?;
        // A later time only: two instances touching at once never move it back.
        sqlx::query(
            "update api_tokens set last_used_at = $2
             where id = $1 and (last_used_at is null or last_used_at < $2)",
        )
        .bind(id(token_id))
        .bind(ts(at))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn revoke_token(&self, name_or_id: &str, at: DateTime<Utc>) -> StoreResult<ApiToken> {
        // An id matches first, then a name. Revoking twice keeps the first time.
        let by_id = concat!(
            "update api_tokens set revoked_at = coalesce(revoked_at, $2)",
            " where id = $1 returning ",
            token_columns!()
        );
        let by_name = concat!(
            "update api_tokens set revoked_at = coalesce(revoked_at, $2)",
            " where name = $1 returning ",
            token_columns!()
        );
        let mut tx = self.write().await?;
        let mut row = None;
        if let Ok(token_id) = Uuid::parse_str(name_or_id) {
            row = sqlx::query(by_id)
                .bind(id(token_id))
                .bind(ts(at))
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        }
        if row.is_none() {
            row = sqlx::query(by_name)
                .bind(name_or_id)
                .bind(ts(at))
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        }
        let revoked = token(row.as_ref().ok_or(StoreError::NotFound)?)?;
        tx.commit().await.map_err(db)?;
        Ok(revoked)
    }

    async fn create_issuer(&self, issuer: &Issuer, keys: &[IssuerKey]) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "insert into issuers
                 (id, name, url, email, description, image, jwt_algorithm, brand_color,
                  show_award_count, linkedin_organization_id, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(id(issuer.id))
        .bind(&issuer.name)
        .bind(&issuer.url)
        .bind(&issuer.email)
        .bind(&issuer.description)
        .bind(&issuer.image)
        .bind(&issuer.jwt_algorithm)
        .bind(&issuer.brand_color)
        .bind(issuer.show_award_count)
        .bind(&issuer.linkedin_organization_id)
        .bind(ts(issuer.created_at))
        .bind(ts(issuer.updated_at))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        for k in keys {
            insert_key(&mut tx, k).await?;
        }
        tx.commit().await.map_err(db)
    }

    async fn update_issuer(&self, issuer: &Issuer) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "update issuers set name = $2, url = $3, email = $4, description = $5, image = $6,
                 jwt_algorithm = $7, brand_color = $8, show_award_count = $9,
                 linkedin_organization_id = $10, updated_at = $11
             where id = $1",
        )
        .bind(id(issuer.id))
        .bind(&issuer.name)
        .bind(&issuer.url)
        .bind(&issuer.email)
        .bind(&issuer.description)
        .bind(&issuer.image)
        .bind(&issuer.jwt_algorithm)
        .bind(&issuer.brand_color)
        .bind(issuer.show_award_count)
        .bind(&issuer.linkedin_organization_id)
        .bind(ts(issuer.updated_at))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await.map_err(db)
    }

    async fn issuer(&self, issuer_id: Uuid) -> StoreResult<Issuer> {
        let sql = concat!("select ", issuer_columns!(), " from issuers where id = $1");
        let row = sqlx::query(sql)
            .bind(id(issuer_id))
            .fetch_one(&self.reader)
            .await
            .map_err(db)?;
        issuer(&row)
    }

    async fn list_issuers(&self) -> StoreResult<Vec<Issuer>> {
        let sql = concat!(
            "select ",
            issuer_columns!(),
            " from issuers order by created_at, id"
        );
        let rows = sqlx::query(sql).fetch_all(&self.reader).await.map_err(db)?;
        rows.iter().map(issuer).collect()
    }

    async fn issuer_keys(&self, issuer_id: Uuid) -> StoreResult<Vec<IssuerKey>> {
        let sql = concat!(
            "select ",
            key_columns!(),
            " from issuer_keys where issuer_id = $1 order by created_at, id"
        );
        let rows = sqlx::query(sql)
            .bind(id(issuer_id))
            .fetch_all(&self.reader)
            .await
            .map_err(db)?;
        rows.iter().map(key).collect()
    }

    async fn all_keys(&self) -> StoreResult<Vec<IssuerKey>> {
        let sql = concat!(
            "select ",
            key_columns!(),
            " from issuer_keys order by created_at, id"
        );
        let rows = sqlx::query(sql).fetch_all(&self.reader).await.map_err(db)?;
        rows.iter().map(key).collect()
    }

    async fn put_image(&self, image: &Image) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "insert into images (sha256, content_type, bytes) values ($1, $2, $3)
             on conflict (sha256) do nothing",
        )
        .bind(&image.sha256)
        .bind(&image.content_type)
        .bind(&image.bytes)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn image(&self, sha256: &str) -> StoreResult<Image> {
        let (content_type, bytes) =
            sqlx::query_as("select content_type, bytes from images where sha256 = $1")
                .bind(sha256)
                .fetch_one(&self.reader)
                .await
                .map_err(db)?;
        Ok(Image {
            sha256: sha256.to_string(),
            content_type,
            bytes,
        })
    }

    async fn create_achievement(&self, a: &Achievement) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "insert into achievements (id, issuer_id, name, description, criteria_narrative,
                 criteria_url, image, achievement_type, tags, alignment, credits_available,
                 valid_for_days, award_rules, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(id(a.id))
        .bind(id(a.issuer_id))
        .bind(&a.name)
        .bind(&a.description)
        .bind(&a.criteria_narrative)
        .bind(&a.criteria_url)
        .bind(&a.image)
        .bind(&a.achievement_type)
        .bind(list_to_json(&a.tags))
        .bind(&a.alignment)
        .bind(a.credits_available)
        .bind(a.valid_for_days)
        .bind(&a.award_rules)
        .bind(ts(a.created_at))
        .bind(ts(a.updated_at))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn update_achievement(&self, a: &Achievement) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "update achievements set name = $2, description = $3, criteria_narrative = $4,
                 criteria_url = $5, image = $6, achievement_type = $7, tags = $8, alignment = $9,
                 credits_available = $10, valid_for_days = $11, award_rules = $12,
                 updated_at = $13
             where id = $1",
        )
        .bind(id(a.id))
        .bind(&a.name)
        .bind(&a.description)
        .bind(&a.criteria_narrative)
        .bind(&a.criteria_url)
        .bind(&a.image)
        .bind(&a.achievement_type)
        .bind(list_to_json(&a.tags))
        .bind(&a.alignment)
        .bind(a.credits_available)
        .bind(a.valid_for_days)
        .bind(&a.award_rules)
        .bind(ts(a.updated_at))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await.map_err(db)
    }

    async fn achievement(&self, achievement_id: Uuid) -> StoreResult<Achievement> {
        let sql = concat!(
            "select ",
            achievement_columns!(),
            " from achievements where id = $1"
        );
        let row = sqlx::query(sql)
            .bind(id(achievement_id))
            .fetch_one(&self.reader)
            .await
            .map_err(db)?;
        achievement(&row)
    }

    async fn list_achievements(&self, issuer_id: Option<Uuid>) -> StoreResult<Vec<Achievement>> {
        let rows = match issuer_id {
            Some(issuer_id) => {
                let sql = concat!(
                    "select ",
                    achievement_columns!(),
                    " from achievements where issuer_id = $1 order by created_at, id"
                );
                sqlx::query(sql)
                    .bind(id(issuer_id))
                    .fetch_all(&self.reader)
                    .await
            }
            None => {
                let sql = concat!(
                    "select ",
                    achievement_columns!(),
                    " from achievements order by created_at, id"
                );
                sqlx::query(sql).fetch_all(&self.reader).await
            }
        }
        .map_err(db)?;
        rows.iter().map(achievement).collect()
    }

    async fn awards_for(&self, achievement_id: Uuid, emails: &[String]) -> StoreResult<Vec<Award>> {
        awards::awards_for(self, achievement_id, emails).await
    }

    async fn insert_awards(&self, awards: &[Award], notify: bool) -> StoreResult<Vec<Stored>> {
        awards::insert(self, awards, notify).await
    }

    async fn award(&self, id: Uuid) -> StoreResult<Award> {
        awards::one(self, id).await
    }

    async fn list_awards(&self, filter: &AwardFilter) -> StoreResult<(Vec<Award>, u64)> {
        awards::list(self, filter).await
    }

    async fn create_series(&self, series: &Series) -> StoreResult<()> {
        activity::create_series(self, series).await
    }

    async fn update_series(&self, series: &Series) -> StoreResult<()> {
        activity::update_series(self, series).await
    }

    async fn series(&self, id: Uuid) -> StoreResult<Series> {
        activity::one_series(self, id).await
    }

    async fn list_series(&self, issuer_id: Option<Uuid>) -> StoreResult<Vec<Series>> {
        activity::list_series(self, issuer_id).await
    }

    async fn create_event(&self, event: &Event) -> StoreResult<()> {
        activity::create_event(self, event).await
    }

    async fn update_event(&self, event: &Event) -> StoreResult<()> {
        activity::update_event(self, event).await
    }

    async fn event(&self, id: Uuid) -> StoreResult<Event> {
        activity::one_event(self, id).await
    }

    async fn list_events(&self, filter: &EventFilter) -> StoreResult<Vec<Event>> {
        activity::list_events(self, filter).await
    }

    async fn record_attendance(&self, records: &[Attendance]) -> StoreResult<Vec<Recorded>> {
        activity::record_attendance(self, records).await
    }

    async fn attendance_of(&self, event_ids: &[Uuid]) -> StoreResult<Vec<Attendance>> {
        activity::attendance_of(self, event_ids).await
    }

    async fn record_completions(&self, records: &[Completion]) -> StoreResult<Vec<Recorded>> {
        activity::record_completions(self, records).await
    }

    async fn completions(
        &self,
        issuer_id: Uuid,
        what: Option<&str>,
    ) -> StoreResult<Vec<Completion>> {
        activity::completions(self, issuer_id, what).await
    }

    async fn create_import(&self, job: &ImportJob) -> StoreResult<()> {
        activity::create_import(self, job).await
    }

    async fn list_imports_of(
        &self,
        issuer_ids: &[Uuid],
        limit: u32,
    ) -> StoreResult<Vec<ImportJob>> {
        activity::list_imports_of(self, issuer_ids, limit).await
    }

    async fn create_import_within(
        &self,
        job: &ImportJob,
        quota: &ImportQuota,
    ) -> StoreResult<bool> {
        activity::create_import_within(self, job, quota).await
    }

    async fn import_results(&self, issuer_id: Option<Uuid>) -> StoreResult<Vec<ImportResultSize>> {
        activity::import_results(self, issuer_id).await
    }

    async fn expire_import_result(
        &self,
        id: Uuid,
        result: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        activity::expire_import_result(self, id, result, at).await
    }

    async fn update_import(&self, job: &ImportJob) -> StoreResult<()> {
        activity::update_import(self, job).await
    }

    async fn import(&self, id: Uuid) -> StoreResult<ImportJob> {
        activity::one_import(self, id).await
    }

    async fn list_imports(
        &self,
        event_id: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<ImportJob>> {
        activity::list_imports(self, event_id, limit).await
    }

    async fn allocate_status(
        &self,
        issuer_id: Uuid,
        purpose: &str,
        count: u32,
        size: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Allocation>> {
        status::allocate(self, issuer_id, purpose, count, size, now).await
    }

    async fn status_list(&self, id: Uuid) -> StoreResult<StatusList> {
        status::one_list(self, id).await
    }

    async fn status_lists(&self, issuer_id: Option<Uuid>) -> StoreResult<Vec<StatusList>> {
        status::lists(self, issuer_id).await
    }

    async fn save_status_credential(
        &self,
        list_id: Uuid,
        version: i64,
        credential: &str,
    ) -> StoreResult<bool> {
        status::save_credential(self, list_id, version, credential).await
    }

    async fn revoke_awards(
        &self,
        ids: &[Uuid],
        reason: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<StatusChange>> {
        status::revoke(self, ids, reason, at).await
    }

    async fn suspend_award(
        &self,
        id: Uuid,
        reason: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<StatusChange> {
        status::suspend(self, id, reason, at).await
    }

    async fn unsuspend_award(&self, id: Uuid) -> StoreResult<StatusChange> {
        status::unsuspend(self, id).await
    }

    async fn replace_credential(&self, award: &Award) -> StoreResult<()> {
        status::replace_credential(self, award).await
    }

    async fn rotate_keys(
        &self,
        issuer_id: Uuid,
        new_keys: &[IssuerKey],
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        status::rotate_keys(self, issuer_id, new_keys, at).await
    }

    async fn resign_status_lists(&self, issuer_id: Uuid) -> StoreResult<()> {
        let mut tx = self.write().await?;
        // 0 is below every list's version: each is signed again on its next read.
        sqlx::query("update status_lists set signed_version = 0 where issuer_id = $1")
            .bind(id(issuer_id))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn compromise_key(&self, key_id: Uuid, since: DateTime<Utc>) -> StoreResult<IssuerKey> {
        status::compromise_key(self, key_id, since).await
    }

    async fn email_settings(&self, issuer_id: Uuid) -> StoreResult<Option<EmailSettings>> {
        email::settings(self, issuer_id).await
    }

    async fn set_email_settings(&self, settings: &EmailSettings) -> StoreResult<()> {
        email::set_settings(self, settings).await
    }

    async fn delete_email_settings(&self, issuer_id: Uuid) -> StoreResult<bool> {
        email::delete_settings(self, issuer_id).await
    }

    async fn email_template(&self, owner_id: Uuid) -> StoreResult<Option<EmailTemplate>> {
        email::template(self, owner_id).await
    }

    async fn set_email_template(&self, template: &EmailTemplate) -> StoreResult<()> {
        email::set_template(self, template).await
    }

    async fn delete_email_template(&self, owner_id: Uuid) -> StoreResult<bool> {
        email::delete_template(self, owner_id).await
    }

    async fn notification(&self, award_id: Uuid) -> StoreResult<Option<Notification>> {
        email::one(self, award_id).await
    }

    async fn list_notifications(
        &self,
        filter: &NotificationFilter,
    ) -> StoreResult<(Vec<Notification>, u64)> {
        email::list(self, filter).await
    }

    async fn queue_notifications(
        &self,
        award_ids: &[Uuid],
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<Requeued>> {
        email::queue(self, award_ids, at).await
    }

    async fn resend_notifications(
        &self,
        achievement_id: Uuid,
        which: &[Resend],
        at: DateTime<Utc>,
    ) -> StoreResult<u64> {
        email::resend(self, achievement_id, which, at).await
    }

    async fn claim_notifications(
        &self,
        claim: Uuid,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Notification>> {
        email::claim(self, claim, now, lease_until, limit).await
    }

    async fn finish_notifications(&self, deliveries: &[Delivery]) -> StoreResult<()> {
        email::finish(self, deliveries).await
    }

    async fn create_user(&self, user: &User) -> StoreResult<()> {
        console::create_user(self, user).await
    }

    async fn user_by_name(&self, username: &str) -> StoreResult<Option<User>> {
        console::user_by_name(self, username).await
    }

    async fn user(&self, id: Uuid) -> StoreResult<User> {
        console::one_user(self, id).await
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        console::list_users(self).await
    }

    async fn set_sign_in_state(
        &self,
        user_id: Uuid,
        failed_sign_ins: u32,
        locked_until: Option<DateTime<Utc>>,
    ) -> StoreResult<()> {
        console::set_sign_in_state(self, user_id, failed_sign_ins, locked_until).await
    }

    async fn set_user_disabled(&self, user_id: Uuid, at: Option<DateTime<Utc>>) -> StoreResult<()> {
        console::set_disabled(self, user_id, at).await
    }

    async fn begin_sign_in(
        &self,
        username: &str,
        now: DateTime<Utc>,
        delay: fn(u32) -> Option<chrono::Duration>,
    ) -> StoreResult<Option<crate::SignInAttempt>> {
        sign_in::begin(self, username, now, delay).await
    }

    async fn set_password(
        &self,
        user_id: Uuid,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> StoreResult<()> {
        sign_in::set_password(self, user_id, password_hash, keep_session).await
    }

    async fn create_session(&self, session: &Session) -> StoreResult<()> {
        console::create_session(self, session).await
    }

    async fn session(
        &self,
        secret_sha256: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Session>> {
        console::session(self, secret_sha256, now).await
    }

    async fn delete_session(&self, secret_sha256: &str) -> StoreResult<bool> {
        console::delete_session(self, secret_sha256).await
    }

    async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<()> {
        audit::append_audit(self, entry).await
    }

    async fn search_audit(&self, filter: &AuditFilter) -> StoreResult<(Vec<AuditEntry>, u64)> {
        audit::search_audit(self, filter).await
    }

    async fn idempotent_response(
        &self,
        key: &str,
        token_id: Uuid,
    ) -> StoreResult<Option<IdempotentResponse>> {
        let sql = concat!(
            "select ",
            idempotent_columns!(),
            " from idempotency where key = $1 and token_id = $2"
        );
        let row = sqlx::query(sql)
            .bind(key)
            .bind(id(token_id))
            .fetch_optional(&self.reader)
            .await
            .map_err(db)?;
        row.as_ref().map(idempotent).transpose()
    }

    async fn save_idempotent_response(
        &self,
        r: &IdempotentResponse,
    ) -> StoreResult<IdempotentResponse> {
        let mut tx = self.write().await?;
        sqlx::query(
            "insert into idempotency (key, token_id, request_hash, status, body, created_at)
             values ($1, $2, $3, $4, $5, $6)
             on conflict (key, token_id) do nothing",
        )
        .bind(&r.key)
        .bind(id(r.token_id))
        .bind(&r.request_hash)
        .bind(i64::from(r.status))
        .bind(&r.body)
        .bind(ts(r.created_at))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let sql = concat!(
            "select ",
            idempotent_columns!(),
            " from idempotency where key = $1 and token_id = $2"
        );
        let row = sqlx::query(sql)
            .bind(&r.key)
            .bind(id(r.token_id))
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        idempotent(&row)
    }
}
