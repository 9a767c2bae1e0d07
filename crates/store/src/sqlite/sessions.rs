//! A run of sessions stored at once, and each issuer's time zone, on SQLite.

use uuid::Uuid;

use super::SqliteStore;
use crate::shared::db;
use crate::values::{Id, Ts};
use crate::{Event, StoreError, StoreResult};

/// Every event in one transaction: a failed one (a missing series) stores none.
pub(super) async fn create_events(store: &SqliteStore, events: &[Event]) -> StoreResult<()> {
    let mut tx = store.write().await?;
    for e in events {
        sqlx::query(
            "insert into events (id, issuer_id, series_id, title, starts_at, duration_minutes,
                 format, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(Id(e.id))
        .bind(Id(e.issuer_id))
        .bind(e.series_id.map(Id))
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

pub(super) async fn issuer_time_zone(store: &SqliteStore, issuer_id: Uuid) -> StoreResult<String> {
    sqlx::query_scalar("select time_zone from issuers where id = $1")
        .bind(Id(issuer_id))
        .fetch_one(&store.reader)
        .await
        .map_err(db)
}

pub(super) async fn set_issuer_time_zone(
    store: &SqliteStore,
    issuer_id: Uuid,
    time_zone: &str,
) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let done = sqlx::query("update issuers set time_zone = $2 where id = $1")
        .bind(Id(issuer_id))
        .bind(time_zone)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await.map_err(db)
}
