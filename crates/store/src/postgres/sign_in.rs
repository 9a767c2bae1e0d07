//! Counting sign-in attempts and changing passwords on PostgreSQL.
//!
//! An attempt reads the account `for update`, so attempts on one account from any number of
//! instances queue on its row lock and each sees the count the previous one left.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::PostgresStore;
use super::console::{USER_COLUMNS, user};
use crate::shared::db;
use crate::values::Ts;
use crate::{SignInAttempt, StoreError, StoreResult};

pub(super) async fn begin(
    store: &PostgresStore,
    username: &str,
    now: DateTime<Utc>,
    delay: fn(u32) -> Option<chrono::Duration>,
) -> StoreResult<Option<SignInAttempt>> {
    let mut tx = store.write().await?;
    let sql = format!("select {USER_COLUMNS} from users where username = $1 for update");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(username)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    let Some(row) = row else {
        tx.commit().await.map_err(db)?;
        return Ok(None);
    };
    let before = user(&row)?;
    if before.locked_until.is_some_and(|until| until > now) {
        tx.commit().await.map_err(db)?;
        return Ok(Some(SignInAttempt {
            user: before,
            admitted: false,
        }));
    }
    let failures = before.failed_sign_ins.saturating_add(1);
    sqlx::query("update users set failed_sign_ins = $2, locked_until = $3 where id = $1")
        .bind(before.id)
        .bind(i64::from(failures))
        .bind(delay(failures).map(|d| Ts(now + d)))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(Some(SignInAttempt {
        user: before,
        admitted: true,
    }))
}

pub(super) async fn set_password(
    store: &PostgresStore,
    user_id: Uuid,
    password_hash: &str,
    keep_session: Option<&str>,
) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "update users set password_hash = $2, failed_sign_ins = 0, locked_until = null
         where id = $1",
    )
    .bind(user_id)
    .bind(password_hash)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    sqlx::query("delete from sessions where user_id = $1 and secret_sha256 is distinct from $2")
        .bind(user_id)
        .bind(keep_session)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)
}
