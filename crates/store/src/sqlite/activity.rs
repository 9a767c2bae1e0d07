//! Series, events, attendance and completions on SQLite.
//!
//! Recording attendance is the hot path of an import: a report of 10,000 rows is one call. It
//! takes the same three statements as on PostgreSQL, whatever the batch's size: insert the
//! (event, email)s not stored, read the others, rewrite those that changed, with the merge
//! decided in Rust ([`AttendanceBatch`]) by the same code. The call's `BEGIN IMMEDIATE`
//! transaction holds the write lock, so no other writer (another task, or another process) can
//! change a row between reading and rewriting it. Completions are one insert that does nothing
//! on a stored (issuer, what, email).
//!
//! A batch travels as one JSON array, read with `jsonb_each` (`json_each` for a plain list of
//! ids): any number of rows fits one statement without meeting SQLite's limit on bound
//! parameters, and the statement text never changes, so it is prepared once per connection.

use std::collections::HashSet;

use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

use super::rows::{attendance, completion, event, series};
use super::{SqliteStore, json};
use crate::shared::{
    AttendanceBatch, CompletionBatch, attendance_columns, completion_columns, db, event_columns,
    series_columns,
};
use crate::values::{Id, Ts};
use crate::{
    Attendance, Completion, Event, EventFilter, Recorded, Series, StoreError, StoreResult,
};

pub(super) async fn create_series(store: &SqliteStore, s: &Series) -> StoreResult<()> {
    let mut tx = store.write().await?;
    sqlx::query(
        "insert into series (id, issuer_id, title, description, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Id(s.id))
    .bind(Id(s.issuer_id))
    .bind(&s.title)
    .bind(&s.description)
    .bind(Ts(s.created_at))
    .bind(Ts(s.updated_at))
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)
}

pub(super) async fn update_series(store: &SqliteStore, s: &Series) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "update series set title = $2, description = $3, updated_at = $4 where id = $1",
    )
    .bind(Id(s.id))
    .bind(&s.title)
    .bind(&s.description)
    .bind(Ts(s.updated_at))
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await.map_err(db)
}

pub(super) async fn one_series(store: &SqliteStore, series_id: Uuid) -> StoreResult<Series> {
    let sql = concat!("select ", series_columns!(), " from series where id = $1");
    let row = sqlx::query(sql)
        .bind(Id(series_id))
        .fetch_one(&store.reader)
        .await
        .map_err(db)?;
    series(&row)
}

pub(super) async fn list_series(
    store: &SqliteStore,
    issuer_id: Option<Uuid>,
) -> StoreResult<Vec<Series>> {
    let rows = match issuer_id {
        Some(issuer_id) => {
            let sql = concat!(
                "select ",
                series_columns!(),
                " from series where issuer_id = $1 order by created_at, id"
            );
            sqlx::query(sql)
                .bind(Id(issuer_id))
                .fetch_all(&store.reader)
                .await
        }
        None => {
            let sql = concat!(
                "select ",
                series_columns!(),
                " from series order by created_at, id"
            );
            sqlx::query(sql).fetch_all(&store.reader).await
        }
    }
    .map_err(db)?;
    rows.iter().map(series).collect()
}

pub(super) async fn create_event(store: &SqliteStore, e: &Event) -> StoreResult<()> {
    let mut tx = store.write().await?;
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
    tx.commit().await.map_err(db)
}

pub(super) async fn update_event(store: &SqliteStore, e: &Event) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "update events set series_id = $2, title = $3, starts_at = $4, duration_minutes = $5,
             format = $6, updated_at = $7
         where id = $1",
    )
    .bind(Id(e.id))
    .bind(e.series_id.map(Id))
    .bind(&e.title)
    .bind(Ts(e.starts_at))
    .bind(i64::from(e.duration_minutes))
    .bind(e.format.as_str())
    .bind(Ts(e.updated_at))
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await.map_err(db)
}

pub(super) async fn one_event(store: &SqliteStore, event_id: Uuid) -> StoreResult<Event> {
    let sql = concat!("select ", event_columns!(), " from events where id = $1");
    let row = sqlx::query(sql)
        .bind(Id(event_id))
        .fetch_one(&store.reader)
        .await
        .map_err(db)?;
    event(&row)
}

pub(super) async fn list_events(
    store: &SqliteStore,
    filter: &EventFilter,
) -> StoreResult<Vec<Event>> {
    // `$n is null` keeps one statement for every filter; an issuer has few events.
    let sql = concat!(
        "select ",
        event_columns!(),
        " from events
         where ($1 is null or issuer_id = $1) and ($2 is null or series_id = $2)
         order by starts_at, id"
    );
    let rows = sqlx::query(sql)
        .bind(filter.issuer_id.map(Id))
        .bind(filter.series_id.map(Id))
        .fetch_all(&store.reader)
        .await
        .map_err(db)?;
    rows.iter().map(event).collect()
}

/// One attendance row as a JSON array, in the order the statements below read it.
#[derive(Serialize)]
struct AttendanceJson<'a>(
    Id,
    &'a str,
    Option<&'a str>,
    u32,
    Option<Ts>,
    Option<Ts>,
    &'a str,
    Ts,
    Option<&'a str>,
);

impl<'a> AttendanceJson<'a> {
    fn of(a: &'a Attendance) -> Self {
        AttendanceJson(
            Id(a.event_id),
            &a.recipient_email,
            a.recipient_name.as_deref(),
            a.minutes,
            a.first_join.map(Ts),
            a.last_leave.map(Ts),
            &a.source,
            Ts(a.recorded_at),
            a.role.as_deref(),
        )
    }
}

pub(super) async fn record_attendance(
    store: &SqliteStore,
    records: &[Attendance],
) -> StoreResult<Vec<Recorded>> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    // The steps of the PostgreSQL backend (see `postgres/activity.rs`), with no row locks:
    // the transaction holds the write lock. `jsonb_each` hands each row over as binary JSON,
    // which `->>` reads without parsing text again.
    //
    // 1. Insert every (event, email) unless stored, returning the keys inserted. `where true`
    //    tells SQLite's parser that "on conflict" begins the upsert, not a join constraint. An
    //    unknown event fails the foreign key, and the whole call with it.
    let insert = "insert into attendance (event_id, recipient_email, recipient_name, minutes,
             first_join, last_leave, source, recorded_at, role)
         select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
             value ->> 6, value ->> 7, value ->> 8
         from jsonb_each($1) where true
         on conflict (event_id, recipient_email) do nothing
         returning event_id, recipient_email";
    // 2. The rows stored before, one primary-key lookup each (a cross join keeps the keys as
    //    the outer loop: SQLite never reorders one).
    let stored = concat!(
        "select ",
        attendance_columns!(),
        " from jsonb_each($1) as k cross join attendance
         where event_id = k.value ->> 0 and recipient_email = k.value ->> 1"
    );
    // 3. The stored rows that now say more; source and recording time stay.
    let update = "update attendance set recipient_name = u.value ->> 2, minutes = u.value ->> 3,
             first_join = u.value ->> 4, last_leave = u.value ->> 5, role = u.value ->> 8
         from jsonb_each($1) as u
         where event_id = u.value ->> 0 and recipient_email = u.value ->> 1";

    let batch = AttendanceBatch::new(records);
    let merged: Vec<AttendanceJson> = batch.merged.iter().map(AttendanceJson::of).collect();
    let mut tx = store.write().await?;
    let inserted = sqlx::query(insert)
        .bind(json(&merged)?)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
    let mut is_new = vec![false; batch.merged.len()];
    for row in &inserted {
        let event_id = row.try_get::<Id, _>("event_id").map_err(db)?.0;
        if let Some(slot) = batch.slot(&(event_id, row.try_get("recipient_email").map_err(db)?)) {
            is_new[slot] = true;
        }
    }

    let mut before: Vec<Option<Attendance>> = vec![None; batch.merged.len()];
    let old: Vec<(Id, &str)> = merged
        .iter()
        .zip(&is_new)
        .filter(|(_, new)| !**new)
        // (event id, email): the key the select reads.
        .map(|(a, _)| (a.0, a.1))
        .collect();
    if !old.is_empty() {
        let rows = sqlx::query(stored)
            .bind(json(&old)?)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        for row in &rows {
            let row = attendance(row)?;
            if let Some(slot) = batch.slot(&(row.event_id, row.recipient_email.clone())) {
                before[slot] = Some(row);
            }
        }
        // A row that refused an insert is stored, and nothing deletes attendance.
        if rows.len() != old.len() {
            return Err(StoreError::Database(format!(
                "{} attendance rows refused an insert but cannot be read",
                old.len() - rows.len()
            )));
        }
    }

    let (outcomes, changed) = batch.outcomes(before);
    if !changed.is_empty() {
        let changed: Vec<AttendanceJson> = changed.iter().map(AttendanceJson::of).collect();
        sqlx::query(update)
            .bind(json(&changed)?)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    tx.commit().await.map_err(db)?;
    Ok(outcomes)
}

pub(super) async fn attendance_of(
    store: &SqliteStore,
    event_ids: &[Uuid],
) -> StoreResult<Vec<Attendance>> {
    if event_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = concat!(
        "select ",
        attendance_columns!(),
        " from attendance where event_id in (select value from json_each($1))
         order by event_id, recipient_email"
    );
    let ids: Vec<Id> = event_ids.iter().copied().map(Id).collect();
    let rows = sqlx::query(sql)
        .bind(json(&ids)?)
        .fetch_all(&store.reader)
        .await
        .map_err(db)?;
    rows.iter().map(attendance).collect()
}

pub(super) async fn attendance_of_recipient(
    store: &SqliteStore,
    email: &str,
) -> StoreResult<Vec<Attendance>> {
    // Times are stored as fixed-width UTC text, so they sort as they compare.
    let sql = concat!(
        "select ",
        attendance_columns!(),
        " from attendance where recipient_email = $1
         order by (select starts_at from events e where e.id = attendance.event_id), event_id"
    );
    let rows = sqlx::query(sql)
        .bind(email)
        .fetch_all(&store.reader)
        .await
        .map_err(db)?;
    rows.iter().map(attendance).collect()
}

pub(super) async fn record_completions(
    store: &SqliteStore,
    records: &[Completion],
) -> StoreResult<Vec<Recorded>> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let batch = CompletionBatch::new(records);
    let rows: Vec<_> = batch
        .firsts
        .iter()
        .map(|c| {
            (
                Id(c.id),
                Id(c.issuer_id),
                &c.what,
                &c.recipient_email,
                &c.recipient_name,
                Ts(c.completed_at),
                &c.score,
                &c.evidence,
                Ts(c.recorded_at),
                &c.role,
            )
        })
        .collect();
    // `where true` tells SQLite's parser that "on conflict" begins the upsert, not a join.
    // An unknown issuer fails the foreign key, and the whole call with it.
    let insert = "insert into completions (id, issuer_id, what, recipient_email, recipient_name,
             completed_at, score, evidence, recorded_at, role)
         select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
             value ->> 6, value ->> 7, value ->> 8, value ->> 9
         from jsonb_each($1) where true
         on conflict (issuer_id, what, recipient_email) do nothing
         returning id";
    let mut tx = store.write().await?;
    let inserted: Vec<String> = sqlx::query_scalar(insert)
        .bind(json(&rows)?)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    let inserted = inserted
        .iter()
        .map(|text| Uuid::parse_str(text).map_err(|e| StoreError::Corrupt(format!("id: {e}"))))
        .collect::<StoreResult<HashSet<Uuid>>>()?;
    Ok(batch.outcomes(&inserted))
}

pub(super) async fn completions(
    store: &SqliteStore,
    issuer_id: Uuid,
    what: Option<&str>,
) -> StoreResult<Vec<Completion>> {
    let sql = concat!(
        "select ",
        completion_columns!(),
        " from completions where issuer_id = $1 and ($2 is null or what = $2)
         order by what, completed_at, id"
    );
    let rows = sqlx::query(sql)
        .bind(Id(issuer_id))
        .bind(what)
        .fetch_all(&store.reader)
        .await
        .map_err(db)?;
    rows.iter().map(completion).collect()
}
