//! Staff accounts, sessions and the audit log on SQLite.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use super::SqliteStore;
use super::rows::id_list;
use crate::shared::{count, db, list_to_json};
use crate::values::{Id, Ts};
use crate::{Role, Session, StoreError, StoreResult, User};

pub(super) const USER_COLUMNS: &str = "id, username, password_hash, role, issuer_ids, failed_sign_ins, \
                            locked_until, created_at, disabled_at";

fn maybe_time(row: &SqliteRow, column: &str) -> StoreResult<Option<DateTime<Utc>>> {
    Ok(row
        .try_get::<Option<Ts>, _>(column)
        .map_err(db)?
        .map(DateTime::from))
}

pub(super) fn user(row: &SqliteRow) -> StoreResult<User> {
    let role: String = row.try_get("role").map_err(db)?;
    let issuer_ids: String = row.try_get("issuer_ids").map_err(db)?;
    Ok(User {
        id: row.try_get::<Id, _>("id").map_err(db)?.0,
        username: row.try_get("username").map_err(db)?,
        password_hash: row.try_get("password_hash").map_err(db)?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?,
        issuer_ids: id_list(&issuer_ids, "users.issuer_ids")?,
        failed_sign_ins: count(
            row.try_get("failed_sign_ins").map_err(db)?,
            "users.failed_sign_ins",
        )?,
        locked_until: maybe_time(row, "locked_until")?,
        created_at: row.try_get::<Ts, _>("created_at").map_err(db)?.0,
        disabled_at: maybe_time(row, "disabled_at")?,
    })
}

pub(super) async fn create_user(store: &SqliteStore, u: &User) -> StoreResult<()> {
    let ids: Vec<String> = u.issuer_ids.iter().map(Uuid::to_string).collect();
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "insert into users (id, username, password_hash, role, issuer_ids, failed_sign_ins,
             locked_until, created_at, disabled_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict (username) do nothing",
    )
    .bind(Id(u.id))
    .bind(&u.username)
    .bind(&u.password_hash)
    .bind(u.role.as_str())
    .bind(list_to_json(&ids))
    .bind(i64::from(u.failed_sign_ins))
    .bind(u.locked_until.map(Ts))
    .bind(Ts(u.created_at))
    .bind(u.disabled_at.map(Ts))
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!(
            "the username {:?} is taken",
            u.username
        )));
    }
    Ok(())
}

pub(super) async fn user_by_name(store: &SqliteStore, name: &str) -> StoreResult<Option<User>> {
    let sql = format!("select {USER_COLUMNS} from users where username = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(name)
        .fetch_optional(&store.reader)
        .await
        .map_err(db)?;
    row.as_ref().map(user).transpose()
}

pub(super) async fn one_user(store: &SqliteStore, user_id: Uuid) -> StoreResult<User> {
    let sql = format!("select {USER_COLUMNS} from users where id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(Id(user_id))
        .fetch_one(&store.reader)
        .await
        .map_err(db)?;
    user(&row)
}

pub(super) async fn list_users(store: &SqliteStore) -> StoreResult<Vec<User>> {
    let sql = format!("select {USER_COLUMNS} from users order by username");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&store.reader)
        .await
        .map_err(db)?;
    rows.iter().map(user).collect()
}

pub(super) async fn set_sign_in_state(
    store: &SqliteStore,
    user_id: Uuid,
    failed: u32,
    locked_until: Option<DateTime<Utc>>,
) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let done =
        sqlx::query("update users set failed_sign_ins = $2, locked_until = $3 where id = $1")
            .bind(Id(user_id))
            .bind(i64::from(failed))
            .bind(locked_until.map(Ts))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    tx.commit().await.map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub(super) async fn create_session(store: &SqliteStore, s: &Session) -> StoreResult<()> {
    let mut tx = store.write().await?;
    sqlx::query(
        "insert into sessions (secret_sha256, user_id, csrf_token, created_at, expires_at)
         values ($1, $2, $3, $4, $5)",
    )
    .bind(&s.secret_sha256)
    .bind(Id(s.user_id))
    .bind(&s.csrf_token)
    .bind(Ts(s.created_at))
    .bind(Ts(s.expires_at))
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)
}

pub(super) async fn session(
    store: &SqliteStore,
    secret_sha256: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<Session>> {
    let row = sqlx::query(
        "select secret_sha256, user_id, csrf_token, created_at, expires_at from sessions
         where secret_sha256 = $1 and expires_at > $2",
    )
    .bind(secret_sha256)
    .bind(Ts(now))
    .fetch_optional(&store.reader)
    .await
    .map_err(db)?;
    row.map(|row| {
        Ok(Session {
            secret_sha256: row.try_get("secret_sha256").map_err(db)?,
            user_id: row.try_get::<Id, _>("user_id").map_err(db)?.0,
            csrf_token: row.try_get("csrf_token").map_err(db)?,
            created_at: row.try_get::<Ts, _>("created_at").map_err(db)?.0,
            expires_at: row.try_get::<Ts, _>("expires_at").map_err(db)?.0,
        })
    })
    .transpose()
}

pub(super) async fn delete_session(store: &SqliteStore, secret_sha256: &str) -> StoreResult<bool> {
    let mut tx = store.write().await?;
    let done = sqlx::query("delete from sessions where secret_sha256 = $1")
        .bind(secret_sha256)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn set_disabled(
    store: &SqliteStore,
    user_id: Uuid,
    at: Option<DateTime<Utc>>,
) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let done = sqlx::query("update users set disabled_at = $2 where id = $1")
        .bind(Id(user_id))
        .bind(at.map(Ts))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    if at.is_some() {
        sqlx::query("delete from sessions where user_id = $1")
            .bind(Id(user_id))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    tx.commit().await.map_err(db)
}
