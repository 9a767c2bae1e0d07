//! Import jobs on PostgreSQL: created within the issuer's quota (the count and the insert one
//! transaction), their progress and per-line results, and the expiry of those results.

use chrono::{DateTime, Utc};
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::{Postgres, Row};
use uuid::Uuid;

use super::PostgresStore;
use super::rows::import_job;
use crate::shared::{db, import_columns};
use crate::values::Ts;
use crate::{ImportJob, ImportQuota, ImportResultSize, StoreError, StoreResult};

pub(super) async fn create_import(store: &PostgresStore, job: &ImportJob) -> StoreResult<()> {
    insert_import(job).execute(&store.pool).await.map_err(db)?;
    Ok(())
}

fn insert_import(job: &ImportJob) -> Query<'_, Postgres, PgArguments> {
    sqlx::query(
        "insert into import_jobs (id, event_id, status, dry_run, file_name, total_rows,
             processed_rows, result, error, created_at, updated_at, finished_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(job.id)
    .bind(job.event_id)
    .bind(job.status.as_str())
    .bind(job.dry_run)
    .bind(&job.file_name)
    .bind(i64::from(job.total_rows))
    .bind(i64::from(job.processed_rows))
    .bind(&job.result)
    .bind(&job.error)
    .bind(Ts(job.created_at))
    .bind(Ts(job.updated_at))
    .bind(job.finished_at.map(Ts))
}

pub(super) async fn list_imports_of(
    store: &PostgresStore,
    issuer_ids: &[Uuid],
    limit: u32,
) -> StoreResult<Vec<ImportJob>> {
    if issuer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = concat!(
        "select ",
        import_columns!(),
        " from import_jobs where event_id in (select id from events where issuer_id = any($1))
         order by created_at desc, id desc limit $2"
    );
    let rows = sqlx::query(sql)
        .bind(issuer_ids)
        .bind(i64::from(limit))
        .fetch_all(&store.pool)
        .await
        .map_err(db)?;
    rows.iter().map(import_job).collect()
}

pub(super) async fn create_import_within(
    store: &PostgresStore,
    job: &ImportJob,
    quota: &ImportQuota,
) -> StoreResult<bool> {
    let mut tx = store.pool.begin().await.map_err(db)?;
    // The issuer's row lock makes count-then-insert atomic across instances: a concurrent
    // caller for the same issuer waits here until this transaction ends.
    let locked: Option<Uuid> = sqlx::query_scalar(
        "select i.id from issuers i join events e on e.issuer_id = i.id
         where i.id = $1 and e.id = $2 for update of i",
    )
    .bind(quota.issuer_id)
    .bind(job.event_id)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?;
    if locked.is_none() {
        return Err(StoreError::NotFound);
    }
    let unfinished: i64 = sqlx::query_scalar(
        "select count(*) from import_jobs j join events e on e.id = j.event_id
         where e.issuer_id = $1 and j.status in ('queued', 'running') and j.updated_at >= $2",
    )
    .bind(quota.issuer_id)
    .bind(Ts(quota.fresh_since))
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
    if unfinished >= i64::from(quota.max_unfinished) {
        return Ok(false);
    }
    insert_import(job).execute(&mut *tx).await.map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(true)
}

pub(super) async fn import_results(
    store: &PostgresStore,
    issuer_id: Option<Uuid>,
) -> StoreResult<Vec<ImportResultSize>> {
    let rows = sqlx::query(
        "select j.id, e.issuer_id, j.dry_run, j.finished_at,
                octet_length(j.result)::bigint as bytes
         from import_jobs j join events e on e.id = j.event_id
         where j.result is not null and j.result_expired_at is null
           and j.finished_at is not null and ($1::uuid is null or e.issuer_id = $1)
         order by j.finished_at desc, j.id desc",
    )
    .bind(issuer_id)
    .fetch_all(&store.pool)
    .await
    .map_err(db)?;
    rows.iter()
        .map(|row| {
            Ok(ImportResultSize {
                id: row.try_get("id").map_err(db)?,
                issuer_id: row.try_get("issuer_id").map_err(db)?,
                dry_run: row.try_get("dry_run").map_err(db)?,
                finished_at: row.try_get("finished_at").map_err(db)?,
                bytes: u64::try_from(row.try_get::<i64, _>("bytes").map_err(db)?).unwrap_or(0),
            })
        })
        .collect()
}

pub(super) async fn expire_import_result(
    store: &PostgresStore,
    job_id: Uuid,
    result: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let done = sqlx::query(
        "update import_jobs set result = $2, result_expired_at = $3
         where id = $1 and finished_at is not null",
    )
    .bind(job_id)
    .bind(result)
    .bind(Ts(at))
    .execute(&store.pool)
    .await
    .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub(super) async fn update_import(store: &PostgresStore, job: &ImportJob) -> StoreResult<()> {
    let done = sqlx::query(
        "update import_jobs set status = $2, total_rows = $3, processed_rows = $4, result = $5,
             error = $6, updated_at = $7, finished_at = $8
         where id = $1",
    )
    .bind(job.id)
    .bind(job.status.as_str())
    .bind(i64::from(job.total_rows))
    .bind(i64::from(job.processed_rows))
    .bind(&job.result)
    .bind(&job.error)
    .bind(Ts(job.updated_at))
    .bind(job.finished_at.map(Ts))
    .execute(&store.pool)
    .await
    .map_err(db)?;
    match done.rows_affected() {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

pub(super) async fn one_import(store: &PostgresStore, id: Uuid) -> StoreResult<ImportJob> {
    let sql = concat!(
        "select ",
        import_columns!(),
        ", result from import_jobs where id = $1"
    );
    let row = sqlx::query(sql)
        .bind(id)
        .fetch_one(&store.pool)
        .await
        .map_err(db)?;
    Ok(ImportJob {
        result: row.try_get("result").map_err(db)?,
        ..import_job(&row)?
    })
}

pub(super) async fn list_imports(
    store: &PostgresStore,
    event_id: Option<Uuid>,
    limit: u32,
) -> StoreResult<Vec<ImportJob>> {
    // Two statements rather than `$1 is null`, so each walks its index newest first and stops
    // at the limit.
    let rows = match event_id {
        Some(event_id) => {
            let sql = concat!(
                "select ",
                import_columns!(),
                " from import_jobs where event_id = $1
                 order by created_at desc, id desc limit $2"
            );
            sqlx::query(sql)
                .bind(event_id)
                .bind(i64::from(limit))
                .fetch_all(&store.pool)
                .await
        }
        None => {
            let sql = concat!(
                "select ",
                import_columns!(),
                " from import_jobs order by created_at desc, id desc limit $1"
            );
            sqlx::query(sql)
                .bind(i64::from(limit))
                .fetch_all(&store.pool)
                .await
        }
    }
    .map_err(db)?;
    rows.iter().map(import_job).collect()
}
