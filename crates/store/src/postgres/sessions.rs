//! A run of sessions stored at once, and each issuer's time zone, on PostgreSQL.

use uuid::Uuid;

use super::PostgresStore;
use crate::shared::db;
use crate::values::Ts;
use crate::{Event, StoreError, StoreResult};

/// Every event in one transaction: a failed one (a missing series) stores none.
pub(super) async fn create_events(store: &PostgresStore, events: &[Event]) -> StoreResult<()> {
    let mut tx = store.write().await?;
    for e in events {
        sqlx::query(
            "insert into events (id, issuer_id, series_id, title, starts_at, duration_minutes,
                 format, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(e.id)
        .bind(e.issuer_id)
        .bind(e.series_id)
        .bind(&e.title)
        .bind(Ts(e.starts_at))
        .bind(i64::from(e.duration_minutes))
        .bind(e.format.as_str())
        .bind(Ts(e.created_at))
        .bind(Ts(e.updated_at))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    }
    tx.commit().await.map_err(db)
}

pub(super) async fn issuer_time_zone(
    store: &PostgresStore,
    issuer_id: Uuid,
) -> StoreResult<String> {
    sqlx::query_scalar("select time_zone from issuers where id = $1")
        .bind(issuer_id)
        .fetch_one(&store.pool)
        .await
        .map_err(db)
}

pub(super) async fn set_issuer_time_zone(
    store: &PostgresStore,
    issuer_id: Uuid,
    time_zone: &str,
) -> StoreResult<()> {
    let done = sqlx::query("update issuers set time_zone = $2 where id = $1")
        .bind(issuer_id)
        .bind(time_zone)
        .execute(&store.pool)
        .await
        .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
