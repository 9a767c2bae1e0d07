//! Staff accounts, sessions and the audit log on PostgreSQL.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use super::PostgresStore;
use crate::shared::{count, db, list_from_json, list_to_json};
use crate::values::Ts;
use crate::{Role, Session, StoreError, StoreResult, User};

pub(super) const USER_COLUMNS: &str = "id, username, password_hash, role, issuer_ids, failed_sign_ins, \
                            locked_until, created_at, disabled_at";

pub(super) fn user(row: &PgRow) -> StoreResult<User> {
    let role: String = row.try_get("role").map_err(db)?;
    let issuer_ids: String = row.try_get("issuer_ids").map_err(db)?;
    Ok(User {
        id: row.try_get("id").map_err(db)?,
        username: row.try_get("username").map_err(db)?,
        password_hash: row.try_get("password_hash").map_err(db)?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?,
        issuer_ids: list_from_json(&issuer_ids, "users.issuer_ids")?
            .iter()
            .map(|text| {
                Uuid::parse_str(text)
                    .map_err(|e| StoreError::Corrupt(format!("users.issuer_ids: {e}")))
            })
            .collect::<StoreResult<_>>()?,
        failed_sign_ins: count(
            row.try_get("failed_sign_ins").map_err(db)?,
            "users.failed_sign_ins",
        )?,
        locked_until: row.try_get("locked_until").map_err(db)?,
        created_at: row.try_get("created_at").map_err(db)?,
        disabled_at: row.try_get("disabled_at").map_err(db)?,
    })
}

pub(super) async fn create_user(store: &PostgresStore, u: &User) -> StoreResult<()> {
    let ids: Vec<String> = u.issuer_ids.iter().map(Uuid::to_string).collect();
    let done = sqlx::query(
        "insert into users (id, username, password_hash, role, issuer_ids, failed_sign_ins,
             locked_until, created_at, disabled_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict (username) do nothing",
    )
    .bind(u.id)
    .bind(&u.username)
    .bind(&u.password_hash)
    .bind(u.role.as_str())
    .bind(list_to_json(&ids))
    .bind(i64::from(u.failed_sign_ins))
    .bind(u.locked_until.map(Ts))
    .bind(Ts(u.created_at))
    .bind(u.disabled_at.map(Ts))
    .execute(&store.pool)
    .await
    .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!(
            "the username {:?} is taken",
            u.username
        )));
    }
    Ok(())
}

pub(super) async fn user_by_name(store: &PostgresStore, name: &str) -> StoreResult<Option<User>> {
    let sql = format!("select {USER_COLUMNS} from users where username = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(name)
        .fetch_optional(&store.pool)
        .await
        .map_err(db)?;
    row.as_ref().map(user).transpose()
}

pub(super) async fn one_user(store: &PostgresStore, user_id: Uuid) -> StoreResult<User> {
    let sql = format!("select {USER_COLUMNS} from users where id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .fetch_one(&store.pool)
        .await
        .map_err(db)?;
    user(&row)
}

pub(super) async fn list_users(store: &PostgresStore) -> StoreResult<Vec<User>> {
    let sql = format!("select {USER_COLUMNS} from users order by username");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&store.pool)
        .await
        .map_err(db)?;
    rows.iter().map(user).collect()
}

pub(super) async fn set_sign_in_state(
    store: &PostgresStore,
    user_id: Uuid,
    failed: u32,
    locked_until: Option<DateTime<Utc>>,
) -> StoreResult<()> {
    let done =
        sqlx::query("update users set failed_sign_ins = $2, locked_until = $3 where id = $1")
            .bind(user_id)
            .bind(i64::from(failed))
            .bind(locked_until.map(Ts))
            .execute(&store.pool)
            .await
            .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub(super) async fn create_session(store: &PostgresStore, s: &Session) -> StoreResult<()> {
    sqlx::query(
        "insert into sessions (secret_sha256, user_id, csrf_token, created_at, expires_at)
         values ($1, $2, $3, $4, $5)",
    )
    .bind(&s.secret_sha256)
    .bind(s.user_id)
    .bind(&s.csrf_token)
    .bind(Ts(s.created_at))
    .bind(Ts(s.expires_at))
    .execute(&store.pool)
    .await
    .map_err(db)?;
    Ok(())
}

pub(super) async fn session(
    store: &PostgresStore,
    secret_sha256: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<Session>> {
    let row = sqlx::query(
        "select secret_sha256, user_id, csrf_token, created_at, expires_at from sessions
         where secret_sha256 = $1 and expires_at > $2",
    )
    .bind(secret_sha256)
    .bind(Ts(now))
    .fetch_optional(&store.pool)
    .await
    .map_err(db)?;
    row.map(|row| {
        Ok(Session {
            secret_sha256: row.try_get("secret_sha256").map_err(db)?,
            user_id: row.try_get("user_id").map_err(db)?,
            csrf_token: row.try_get("csrf_token").map_err(db)?,
            created_at: row.try_get("created_at").map_err(db)?,
            expires_at: row.try_get("expires_at").map_err(db)?,
        })
    })
    .transpose()
}

pub(super) async fn delete_session(
    store: &PostgresStore,
    secret_sha256: &str,
) -> StoreResult<bool> {
    let done = sqlx::query("delete from sessions where secret_sha256 = $1")
        .bind(secret_sha256)
        .execute(&store.pool)
        .await
        .map_err(db)?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn set_disabled(
    store: &PostgresStore,
    user_id: Uuid,
    at: Option<DateTime<Utc>>,
) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let done = sqlx::query("update users set disabled_at = $2 where id = $1")
        .bind(user_id)
        .bind(at.map(Ts))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    if at.is_some() {
        sqlx::query("delete from sessions where user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    tx.commit().await.map_err(db)
}
