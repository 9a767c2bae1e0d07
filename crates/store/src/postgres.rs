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
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use crate::shared::{
    achievement_columns, db, idempotent_columns, issuer_columns, key_columns, list_to_json,
    migrate_error, token_columns,
};
use crate::{
    Achievement, Allocation, ApiToken, Attendance, AuditEntry, AuditFilter, Award, AwardFilter,
    Completion, Delivery, EmailSettings, EmailTemplate, Event, EventFilter, IdempotentResponse,
    Image, ImportJob, ImportQuota, ImportResultSize, Issuer, IssuerKey, Notification,
    NotificationFilter, Recorded, Requeued, Resend, Series, Session, StatusChange, StatusList,
    Store, StoreError, StoreResult, Stored, User, redact_url,
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
    .bind(k.created_at)
    .bind(k.retired_at)
    .bind(k.compromised_since)
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

#[async_trait]
impl Store for PostgresStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("select 1")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn setting(&self, name: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("select value from settings where name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
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
        sqlx::query(
            "insert into api_tokens (id, name, secret_sha256, scopes, created_at, revoked_at,
                 issuer_ids, expires_at, last_used_at, with_emails)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(token.id)
        .bind(&token.name)
        .bind(secret_sha256)
        .bind(list_to_json(&token.scopes))
        .bind(token.created_at)
        .bind(token.revoked_at)
        .bind(list_to_json(
            &token
                .issuer_ids
                .iter()
                .map(Uuid::to_string)
                .collect::<Vec<_>>(),
        ))
        .bind(token.expires_at)
        .bind(token.last_used_at)
        .bind(token.with_emails)
        .execute(&self.pool)
        .await
        .map_err(|e| match unique_on(&e, "api_tokens_name_key") {
            true => StoreError::Conflict(format!("a token named {} already exists", token.name)),
            false => db(e),
        })?;
        Ok(())
    }

    async fn token_by_secret(&self, secret_sha256: &str) -> StoreResult<Option<ApiToken>> {
        let sql = concat!(
            "select ",
            token_columns!(),
            " from api_tokens where secret_sha256 = $1 and revoked_at is null"
        );
        let row = sqlx::query(sql)
            .bind(secret_sha256)
            .fetch_optional(&self.pool)
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
        let rows = sqlx::query(sql).fetch_all(&self.pool).await.map_err(db)?;
        rows.iter().map(token).collect()
    }

    async fn touch_token(&self, token_id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        // A later time only: two instances touching at once never move it back.
        sqlx::query(
            "update api_tokens set last_used_at = $2
             where id = $1 and (last_used_at is null or last_used_at < $2)",
        )
        .bind(token_id)
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
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
                .bind(token_id)
                .bind(at)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        }
        if row.is_none() {
            row = sqlx::query(by_name)
                .bind(name_or_id)
                .bind(at)
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
        .bind(issuer.id)
        .bind(&issuer.name)
        .bind(&issuer.url)
        .bind(&issuer.email)
        .bind(&issuer.description)
        .bind(&issuer.image)
        .bind(&issuer.jwt_algorithm)
        .bind(&issuer.brand_color)
        .bind(issuer.show_award_count)
        .bind(&issuer.linkedin_organization_id)
        .bind(issuer.created_at)
        .bind(issuer.updated_at)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        for k in keys {
            insert_key(&mut tx, k).await?;
        }
        tx.commit().await.map_err(db)
    }

    async fn update_issuer(&self, issuer: &Issuer) -> StoreResult<()> {
        let done = sqlx::query(
            "update issuers set name = $2, url = $3, email = $4, description = $5, image = $6,
                 jwt_algorithm = $7, brand_color = $8, show_award_count = $9,
                 linkedin_organization_id = $10, updated_at = $11
             where id = $1",
        )
        .bind(issuer.id)
        .bind(&issuer.name)
        .bind(&issuer.url)
        .bind(&issuer.email)
        .bind(&issuer.description)
        .bind(&issuer.image)
        .bind(&issuer.jwt_algorithm)
        .bind(&issuer.brand_color)
        .bind(issuer.show_award_count)
        .bind(&issuer.linkedin_organization_id)
        .bind(issuer.updated_at)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        match done.rows_affected() {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    async fn issuer(&self, id: Uuid) -> StoreResult<Issuer> {
        let sql = concat!("select ", issuer_columns!(), " from issuers where id = $1");
        let row = sqlx::query(sql)
            .bind(id)
            .fetch_one(&self.pool)
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
        let rows = sqlx::query(sql).fetch_all(&self.pool).await.map_err(db)?;
        rows.iter().map(issuer).collect()
    }

    async fn issuer_keys(&self, issuer_id: Uuid) -> StoreResult<Vec<IssuerKey>> {
        let sql = concat!(
            "select ",
            key_columns!(),
            " from issuer_keys where issuer_id = $1 order by created_at, id"
        );
        let rows = sqlx::query(sql)
            .bind(issuer_id)
            .fetch_all(&self.pool)
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
        let rows = sqlx::query(sql).fetch_all(&self.pool).await.map_err(db)?;
        rows.iter().map(key).collect()
    }

    async fn put_image(&self, image: &Image) -> StoreResult<()> {
        sqlx::query(
            "insert into images (sha256, content_type, bytes) values ($1, $2, $3)
             on conflict (sha256) do nothing",
        )
        .bind(&image.sha256)
        .bind(&image.content_type)
        .bind(&image.bytes)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn image(&self, sha256: &str) -> StoreResult<Image> {
        let (content_type, bytes) =
            sqlx::query_as("select content_type, bytes from images where sha256 = $1")
                .bind(sha256)
                .fetch_one(&self.pool)
                .await
                .map_err(db)?;
        Ok(Image {
            sha256: sha256.to_string(),
            content_type,
            bytes,
        })
    }

    async fn create_achievement(&self, a: &Achievement) -> StoreResult<()> {
        sqlx::query(
            "insert into achievements (id, issuer_id, name, description, criteria_narrative,
                 criteria_url, image, achievement_type, tags, alignment, credits_available,
                 valid_for_days, award_rules, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(a.id)
        .bind(a.issuer_id)
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
        .bind(a.created_at)
        .bind(a.updated_at)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn update_achievement(&self, a: &Achievement) -> StoreResult<()> {
        let done = sqlx::query(
            "update achievements set name = $2, description = $3, criteria_narrative = $4,
                 criteria_url = $5, image = $6, achievement_type = $7, tags = $8, alignment = $9,
                 credits_available = $10, valid_for_days = $11, award_rules = $12,
                 updated_at = $13
             where id = $1",
        )
        .bind(a.id)
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
        .bind(a.updated_at)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        match done.rows_affected() {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    async fn achievement(&self, id: Uuid) -> StoreResult<Achievement> {
        let sql = concat!(
            "select ",
            achievement_columns!(),
            " from achievements where id = $1"
        );
        let row = sqlx::query(sql)
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(db)?;
        achievement(&row)
    }

    async fn list_achievements(&self, issuer_id: Option<Uuid>) -> StoreResult<Vec<Achievement>> {
        // `$1 is null` keeps one statement for both cases; the table is small.
        let sql = concat!(
            "select ",
            achievement_columns!(),
            " from achievements where $1::uuid is null or issuer_id = $1 order by created_at, id"
        );
        let rows = sqlx::query(sql)
            .bind(issuer_id)
            .fetch_all(&self.pool)
            .await
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
            .bind(issuer_id)
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
            .bind(token_id)
            .fetch_optional(&self.pool)
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
        .bind(r.token_id)
        .bind(&r.request_hash)
        .bind(i32::from(r.status))
        .bind(&r.body)
        .bind(r.created_at)
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
            .bind(r.token_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        idempotent(&row)
    }
}
