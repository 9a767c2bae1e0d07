//! Series, events, attendance and completions on PostgreSQL.
//!
//! Recording attendance is the hot path of an import (a report of 10,000 rows is one call), and
//! several instances may record overlapping reports at once. A batch travels as one array per
//! column, read with `unnest`, and costs at most three statements whatever its size:
//!
//! 1. insert every (event, email) of the batch, merged in Rust ([`AttendanceBatch`]), "on
//!    conflict do nothing", returning the keys it inserted: those had no row, and the new rows
//!    stay locked until commit;
//! 2. read the others "for update": they were stored before (by an earlier call, or by one that
//!    committed while step 1 waited for it), and now no one else can change them;
//! 3. replay the records over those rows in Rust and rewrite the rows that changed.
//!
//! So every record's outcome is exact, and no call loses another's minutes: a row is only
//! rewritten while locked, from its latest committed version. Both steps take their keys in one
//! global order (sorted), so two calls never wait for each other in a cycle, which PostgreSQL
//! would break by failing one. Doing step 3's merge in SQL instead ("on conflict do update set
//! minutes = greatest(...)") would also be safe, but could not tell each of two records for one
//! row in the same call what it did, nor touch that row twice in one statement.
//!
//! Completions are one insert, in the same sorted order, that does nothing on a stored
//! (issuer, what, email).

use std::collections::HashSet;

use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::{Postgres, Row};
use uuid::Uuid;

use super::PostgresStore;
use super::rows::{attendance, completion, event, series};
use crate::shared::{
    AttendanceBatch, CompletionBatch, attendance_columns, completion_columns, db, event_columns,
    series_columns,
};
use crate::values::Ts;
use crate::{
    Attendance, Completion, Event, EventFilter, Recorded, Series, StoreError, StoreResult,
};

pub(super) async fn create_series(store: &PostgresStore, s: &Series) -> StoreResult<()> {
    sqlx::query(
        "insert into series (id, issuer_id, title, description, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(s.id)
    .bind(s.issuer_id)
    .bind(&s.title)
    .bind(&s.description)
    .bind(Ts(s.created_at))
    .bind(Ts(s.updated_at))
    .execute(&store.pool)
    .await
    .map_err(db)?;
    Ok(())
}

pub(super) async fn update_series(store: &PostgresStore, s: &Series) -> StoreResult<()> {
    let done = sqlx::query(
        "update series set title = $2, description = $3, updated_at = $4 where id = $1",
    )
    .bind(s.id)
    .bind(&s.title)
    .bind(&s.description)
    .bind(Ts(s.updated_at))
    .execute(&store.pool)
    .await
    .map_err(db)?;
    match done.rows_affected() {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

pub(super) async fn one_series(store: &PostgresStore, id: Uuid) -> StoreResult<Series> {
    let sql = concat!("select ", series_columns!(), " from series where id = $1");
    let row = sqlx::query(sql)
        .bind(id)
        .fetch_one(&store.pool)
        .await
        .map_err(db)?;
    series(&row)
}

pub(super) async fn list_series(
    store: &PostgresStore,
    issuer_id: Option<Uuid>,
) -> StoreResult<Vec<Series>> {
    // `$1 is null` keeps one statement for both cases; the table is small.
    let sql = concat!(
        "select ",
        series_columns!(),
        " from series where $1::uuid is null or issuer_id = $1 order by created_at, id"
    );
    let rows = sqlx::query(sql)
        .bind(issuer_id)
        .fetch_all(&store.pool)
        .await
        .map_err(db)?;
    rows.iter().map(series).collect()
}

pub(super) async fn create_event(store: &PostgresStore, e: &Event) -> StoreResult<()> {
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
    .execute(&store.pool)
    .await
    .map_err(db)?;
    Ok(())
}

pub(super) async fn update_event(store: &PostgresStore, e: &Event) -> StoreResult<()> {
    let done = sqlx::query(
        "update events set series_id = $2, title = $3, starts_at = $4, duration_minutes = $5,
             format = $6, updated_at = $7
         where id = $1",
    )
    .bind(e.id)
    .bind(e.series_id)
    .bind(&e.title)
    .bind(Ts(e.starts_at))
    .bind(i64::from(e.duration_minutes))
    .bind(e.format.as_str())
    .bind(Ts(e.updated_at))
    .execute(&store.pool)
    .await
    .map_err(db)?;
    match done.rows_affected() {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

pub(super) async fn one_event(store: &PostgresStore, id: Uuid) -> StoreResult<Event> {
    let sql = concat!("select ", event_columns!(), " from events where id = $1");
    let row = sqlx::query(sql)
        .bind(id)
        .fetch_one(&store.pool)
        .await
        .map_err(db)?;
    event(&row)
}

pub(super) async fn list_events(
    store: &PostgresStore,
    filter: &EventFilter,
) -> StoreResult<Vec<Event>> {
    // `$n is null` keeps one statement for every filter; an issuer has few events.
    let sql = concat!(
        "select ",
        event_columns!(),
        " from events
         where ($1::uuid is null or issuer_id = $1) and ($2::uuid is null or series_id = $2)
         order by starts_at, id"
    );
    let rows = sqlx::query(sql)
        .bind(filter.issuer_id)
        .bind(filter.series_id)
        .fetch_all(&store.pool)
        .await
        .map_err(db)?;
    rows.iter().map(event).collect()
}

/// Attendance rows as one array per column, the parameters of an `unnest`.
#[derive(Default)]
struct AttendanceArrays<'a> {
    event_ids: Vec<Uuid>,
    emails: Vec<&'a str>,
    names: Vec<Option<&'a str>>,
    minutes: Vec<i64>,
    first_joins: Vec<Option<Ts>>,
    last_leaves: Vec<Option<Ts>>,
    sources: Vec<&'a str>,
    recorded_ats: Vec<Ts>,
    roles: Vec<Option<&'a str>>,
}

impl<'a> AttendanceArrays<'a> {
    fn of(rows: impl Iterator<Item = &'a Attendance>) -> Self {
        let mut arrays = AttendanceArrays::default();
        for a in rows {
            arrays.event_ids.push(a.event_id);
            arrays.emails.push(&a.recipient_email);
            arrays.names.push(a.recipient_name.as_deref());
            arrays.minutes.push(i64::from(a.minutes));
            arrays.first_joins.push(a.first_join.map(Ts));
            arrays.last_leaves.push(a.last_leave.map(Ts));
            arrays.sources.push(&a.source);
            arrays.recorded_ats.push(Ts(a.recorded_at));
            arrays.roles.push(a.role.as_deref());
        }
        arrays
    }

    /// Binds the arrays as `$1` to `$9`, in the order of the statements below.
    fn bind<'q>(
        &self,
        query: Query<'q, Postgres, PgArguments>,
    ) -> Query<'q, Postgres, PgArguments> {
        query
            .bind(&self.event_ids)
            .bind(&self.emails)
            .bind(&self.names)
            .bind(&self.minutes)
            .bind(&self.first_joins)
            .bind(&self.last_leaves)
            .bind(&self.sources)
            .bind(&self.recorded_ats)
            .bind(&self.roles)
    }
}

pub(super) async fn record_attendance(
    store: &PostgresStore,
    records: &[Attendance],
) -> StoreResult<Vec<Recorded>> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    // Step 1 (see the module doc). An unknown event fails the foreign key, and the whole call
    // with it: a row for an event that does not exist is never stored, so it is always inserted.
    let insert = "insert into attendance (event_id, recipient_email, recipient_name, minutes,
             first_join, last_leave, source, recorded_at, role)
         select * from unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[],
                 $5::timestamptz[], $6::timestamptz[], $7::text[], $8::timestamptz[], $9::text[])
             as r (event_id, recipient_email, recipient_name, minutes, first_join, last_leave,
                 source, recorded_at, role)
         order by event_id, recipient_email
         on conflict (event_id, recipient_email) do nothing
         returning event_id, recipient_email";
    // Step 2: the rows stored before, locked, in the same order.
    let stored = concat!(
        "select ",
        attendance_columns!(),
        " from attendance
         where (event_id, recipient_email) in (select * from unnest($1::uuid[], $2::text[]))
         order by event_id, recipient_email
         for update"
    );
    // Step 3: the locked rows that now say more; source and recording time stay.
    let update = "update attendance as a
         set recipient_name = u.recipient_name, minutes = u.minutes, first_join = u.first_join,
             last_leave = u.last_leave, role = u.role
         from unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::timestamptz[],
                 $6::timestamptz[], $7::text[], $8::timestamptz[], $9::text[])
             as u (event_id, recipient_email, recipient_name, minutes, first_join, last_leave,
                 source, recorded_at, role)
         where a.event_id = u.event_id and a.recipient_email = u.recipient_email";

    let batch = AttendanceBatch::new(records);
    let mut tx = store.write().await?;
    let merged = AttendanceArrays::of(batch.merged.iter());
    let inserted = merged
        .bind(sqlx::query(insert))
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
    let mut is_new = vec![false; batch.merged.len()];
    for row in &inserted {
        let key: (Uuid, String) = (
            row.try_get("event_id").map_err(db)?,
            row.try_get("recipient_email").map_err(db)?,
        );
        if let Some(slot) = batch.slot(&key) {
            is_new[slot] = true;
        }
    }

    let mut before: Vec<Option<Attendance>> = vec![None; batch.merged.len()];
    let old = batch.merged.iter().zip(&is_new).filter(|(_, new)| !**new);
    let (event_ids, emails): (Vec<Uuid>, Vec<&str>) = old
        .map(|(a, _)| (a.event_id, a.recipient_email.as_str()))
        .unzip();
    if !event_ids.is_empty() {
        let rows = sqlx::query(stored)
            .bind(&event_ids)
            .bind(&emails)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        for row in &rows {
            let row = attendance(row)?;
            if let Some(slot) = batch.slot(&(row.event_id, row.recipient_email.clone())) {
                before[slot] = Some(row);
            }
        }
        // A row that refused an insert was committed, and nothing deletes attendance.
        if rows.len() != event_ids.len() {
            return Err(StoreError::Database(format!(
                "{} attendance rows refused an insert but cannot be read",
                event_ids.len() - rows.len()
            )));
        }
    }

    let (outcomes, changed) = batch.outcomes(before);
    if !changed.is_empty() {
        AttendanceArrays::of(changed.iter())
            .bind(sqlx::query(update))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    tx.commit().await.map_err(db)?;
    Ok(outcomes)
}

pub(super) async fn attendance_of(
    store: &PostgresStore,
    event_ids: &[Uuid],
) -> StoreResult<Vec<Attendance>> {
    if event_ids.is_empty() {
        return Ok(Vec::new());
    }
    // `recipient_email` sorts bytewise (collate "C", see the migration), as on SQLite.
    let sql = concat!(
        "select ",
        attendance_columns!(),
        " from attendance where event_id = any($1) order by event_id, recipient_email"
    );
    let rows = sqlx::query(sql)
        .bind(event_ids)
        .fetch_all(&store.pool)
        .await
        .map_err(db)?;
    rows.iter().map(attendance).collect()
}

pub(super) async fn attendance_of_recipient(
    store: &PostgresStore,
    email: &str,
) -> StoreResult<Vec<Attendance>> {
    let sql = concat!(
        "select ",
        attendance_columns!(),
        " from attendance where recipient_email = $1
         order by (select starts_at from events e where e.id = attendance.event_id), event_id"
    );
    let rows = sqlx::query(sql)
        .bind(email)
        .fetch_all(&store.pool)
        .await
        .map_err(db)?;
    rows.iter().map(attendance).collect()
}

pub(super) async fn record_completions(
    store: &PostgresStore,
    records: &[Completion],
) -> StoreResult<Vec<Recorded>> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let batch = CompletionBatch::new(records);
    let firsts = &batch.firsts;
    // One global order, as for attendance, so concurrent calls never deadlock. An unknown
    // issuer fails the foreign key, and the whole call with it.
    let insert = "insert into completions (id, issuer_id, what, recipient_email, recipient_name,
             completed_at, score, evidence, recorded_at, role)
         select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[],
                 $6::timestamptz[], $7::text[], $8::text[], $9::timestamptz[], $10::text[])
             as r (id, issuer_id, what, recipient_email, recipient_name, completed_at, score,
                 evidence, recorded_at, role)
         order by issuer_id, what, recipient_email
         on conflict (issuer_id, what, recipient_email) do nothing
         returning id";
    let inserted: Vec<Uuid> = sqlx::query_scalar(insert)
        .bind(firsts.iter().map(|c| c.id).collect::<Vec<_>>())
        .bind(firsts.iter().map(|c| c.issuer_id).collect::<Vec<_>>())
        .bind(firsts.iter().map(|c| c.what.as_str()).collect::<Vec<_>>())
        .bind(
            firsts
                .iter()
                .map(|c| c.recipient_email.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            firsts
                .iter()
                .map(|c| c.recipient_name.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            firsts
                .iter()
                .map(|c| Ts(c.completed_at))
                .collect::<Vec<_>>(),
        )
        .bind(
            firsts
                .iter()
                .map(|c| c.score.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            firsts
                .iter()
                .map(|c| c.evidence.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(firsts.iter().map(|c| Ts(c.recorded_at)).collect::<Vec<_>>())
        .bind(firsts.iter().map(|c| c.role.as_deref()).collect::<Vec<_>>())
        .fetch_all(&store.pool)
        .await
        .map_err(db)?;
    Ok(batch.outcomes(&inserted.into_iter().collect::<HashSet<Uuid>>()))
}

pub(super) async fn completions(
    store: &PostgresStore,
    issuer_id: Uuid,
    what: Option<&str>,
) -> StoreResult<Vec<Completion>> {
    // `what` sorts bytewise (collate "C", see the migration), as on SQLite.
    let sql = concat!(
        "select ",
        completion_columns!(),
        " from completions where issuer_id = $1 and ($2::text is null or what = $2)
         order by what, completed_at, id"
    );
    let rows = sqlx::query(sql)
        .bind(issuer_id)
        .bind(what)
        .fetch_all(&store.pool)
        .await
        .map_err(db)?;
    rows.iter().map(completion).collect()
}
