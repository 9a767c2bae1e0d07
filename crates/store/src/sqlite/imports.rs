//! Import jobs on SQLite: created within the issuer's quota (the count and the insert one
//! transaction), their progress and per-line results, and the expiry of those results.

use sqlx::Row;
use uuid::Uuid;

use super::SqliteStore;
use super::rows::import_job;
use crate::shared::{db, import_columns};
use crate::values::{Id, Ts};
use crate::{ImportJob, ImportQuota, ImportResultSize, StoreError, StoreResult};

pub(super) async fn create_import(store: &SqliteStore, job: &ImportJob) -> StoreResult<()> {
    let mut tx = store.write().await?;
    insert_import(&mut tx, job).await?;
    tx.commit().await.map_err(db)
}

async fn insert_import(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    job: &ImportJob,
) -> StoreResult<()> {
    sqlx::query(
        "insert into import_jobs (id, event_id, status, dry_run, file_name, total_rows,
             processed_rows, result, error, created_at, updated_at, finished_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(Id(job.id))
    .bind(Id(job.event_id))
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
    .execute(&mut **tx)
    .await
    .map_err(db)?;
    Ok(())
}

pub(super) async fn list_imports_of(
    store: &SqliteStore,
    issuer_ids: &[Uuid],
    limit: u32,
) -> StoreResult<Vec<ImportJob>> {
    if issuer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = sqlx::QueryBuilder::<sqlx::Sqlite>::new(concat!(
        "select ",
        import_columns!(),
        " from import_jobs where event_id in (select id from events where issuer_id in ("
    ));
    let mut ids = query.separated(", ");
    for issuer_id in issuer_ids {
        ids.push_bind(Id(*issuer_id).to_string());
    }
    query
        .push(")) order by created_at desc, id desc limit ")
        .push_bind(i64::from(limit));
    let rows = query.build().fetch_all(&store.reader).await.map_err(db)?;
    rows.iter().map(import_job).collect()
}

pub(super) async fn create_import_within(
    store: &SqliteStore,
    job: &ImportJob,
    quota: &ImportQuota,
) -> StoreResult<bool> {
    // `begin immediate`: the count and the insert hold the one write lock together.
    let mut tx = store.write().await?;
    let event_issuer: Option<Id> = sqlx::query_scalar("select issuer_id from events where id = $1")
        .bind(Id(job.event_id))
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    if event_issuer != Some(Id(quota.issuer_id)) {
        return Err(StoreError::NotFound);
    }
    let unfinished: i64 = sqlx::query_scalar(
        "select count(*) from import_jobs j join events e on e.id = j.event_id
         where e.issuer_id = $1 and j.status in ('queued', 'running') and j.updated_at >= $2",
    )
    .bind(Id(quota.issuer_id))
    .bind(Ts(quota.fresh_since))
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
    if unfinished >= i64::from(quota.max_unfinished) {
        return Ok(false);
    }
    insert_import(&mut tx, job).await?;
    tx.commit().await.map_err(db)?;
    Ok(true)
}

pub(super) async fn import_results(
    store: &SqliteStore,
    issuer_id: Option<Uuid>,
) -> StoreResult<Vec<ImportResultSize>> {
    let rows = sqlx::query(
        "select j.id, e.issuer_id, j.dry_run, j.finished_at,
                length(cast(j.result as blob)) as bytes
         from import_jobs j join events e on e.id = j.event_id
         where j.result is not null and j.result_expired_at is null
           and j.finished_at is not null and ($1 is null or e.issuer_id = $1)
         order by j.finished_at desc, j.id desc",
    )
    .bind(issuer_id.map(Id))
    .fetch_all(&store.reader)
    .await
    .map_err(db)?;
    rows.iter()
        .map(|row| {
            Ok(ImportResultSize {
                id: row.try_get::<Id, _>("id").map_err(db)?.0,
                issuer_id: row.try_get::<Id, _>("issuer_id").map_err(db)?.0,
                dry_run: row.try_get("dry_run").map_err(db)?,
                finished_at: row.try_get::<Ts, _>("finished_at").map_err(db)?.0,
                bytes: u64::try_from(row.try_get::<i64, _>("bytes").map_err(db)?).unwrap_or(0),
            })
        })
        .collect()
}

pub(super) async fn expire_import_result(
    store: &SqliteStore,
    job_id: Uuid,
    result: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "update import_jobs set result = $2, result_expired_at = $3
         where id = $1 and finished_at is not null",
    )
    .bind(Id(job_id))
    .bind(result)
    .bind(Ts(at))
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await.map_err(db)
}

pub(super) async fn update_import(store: &SqliteStore, job: &ImportJob) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "update import_jobs set status = $2, total_rows = $3, processed_rows = $4, result = $5,
             error = $6, updated_at = $7, finished_at = $8
         where id = $1",
    )
    .bind(Id(job.id))
    .bind(job.status.as_str())
    .bind(i64::from(job.total_rows))
    .bind(i64::from(job.processed_rows))
    .bind(&job.result)
    .bind(&job.error)
    .bind(Ts(job.updated_at))
    .bind(job.finished_at.map(Ts))
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await.map_err(db)
}

pub(super) async fn one_import(store: &SqliteStore, job_id: Uuid) -> StoreResult<ImportJob> {
    let sql = concat!(
        "select ",
        import_columns!(),
        ", result from import_jobs where id = $1"
    );
    let row = sqlx::query(sql)
        .bind(Id(job_id))
        .fetch_one(&store.reader)
        .await
        .map_err(db)?;
    Ok(ImportJob {
        result: row.try_get("result").map_err(db)?,
        ..import_job(&row)?
    })
}

pub(super) async fn list_imports(
    store: &SqliteStore,
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
                .bind(Id(event_id))
                .bind(i64::from(limit))
                .fetch_all(&store.reader)
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
                .fetch_all(&store.reader)
                .await
        }
    }
    .map_err(db)?;
    rows.iter().map(import_job).collect()
}
