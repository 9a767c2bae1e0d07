//! Awards on SQLite: the exactly-once insert, the hot path of a bulk import, and listing.
//!
//! An award is unique per (achievement, recipient email). Inserting says "on conflict do
//! nothing", and only when nothing was inserted is the award already stored read back, so
//! each new award costs one cached statement inside the batch's one `BEGIN IMMEDIATE`
//! transaction. That transaction holds the write lock, so nothing can slip in between the
//! insert and the read.

use sqlx::{QueryBuilder, Sqlite};
use uuid::Uuid;

use super::SqliteStore;
use super::rows::award;
use crate::shared::{as_stored, award_columns, db, list_to_json};
use crate::values::{Id, Ts};
use crate::{Award, AwardFilter, StoreResult, Stored};

pub(super) async fn awards_for(
    store: &SqliteStore,
    achievement_id: Uuid,
    emails: &[String],
) -> StoreResult<Vec<Award>> {
    if emails.is_empty() {
        return Ok(Vec::new());
    }
    // The emails travel as one JSON array, so any number fits in one statement without
    // meeting SQLite's limit on bound parameters, and the statement text never changes.
    let sql = concat!(
        "select ",
        award_columns!(),
        " from awards
         where achievement_id = $1 and recipient_email in (select value from json_each($2))"
    );
    let rows = sqlx::query(sql)
        .bind(Id(achievement_id))
        .bind(list_to_json(emails))
        .fetch_all(&store.reader)
        .await
        .map_err(db)?;
    rows.iter().map(award).collect()
}

pub(super) async fn insert(
    store: &SqliteStore,
    awards: Vec<Award>,
    notify: bool,
) -> StoreResult<Vec<Stored>> {
    if awards.is_empty() {
        return Ok(Vec::new());
    }
    // The hot path of a bulk import: one transaction, then per award one cached insert,
    // and a read only when the recipient already had the achievement.
    // The status and revocation columns are written as given: normally a slot from
    // `allocate_status` and no revocation or suspension (only their own calls set those).
    // A slot already taken fails the unique index, and the whole call with it.
    let insert = "insert into awards (id, achievement_id, issuer_id, recipient_email,
             recipient_name, issued_at, valid_until, credential, jwt, status_list_id,
             status_index, revoked_at, revocation_reason, suspended_at, suspension_reason, role)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         on conflict (achievement_id, recipient_email) do nothing";
    let existing = concat!(
        "select ",
        award_columns!(),
        " from awards where achievement_id = $1 and recipient_email = $2"
    );
    let mut tx = store.write().await?;
    let mut stored = Vec::with_capacity(awards.len());
    let first_issued_at = awards.first().map(|a| a.issued_at);
    for a in awards {
        let done = sqlx::query(insert)
            .bind(Id(a.id))
            .bind(Id(a.achievement_id))
            .bind(Id(a.issuer_id))
            .bind(&a.recipient_email)
            .bind(&a.recipient_name)
            .bind(Ts(a.issued_at))
            .bind(a.valid_until.map(Ts))
            .bind(&a.credential)
            .bind(&a.jwt)
            .bind(a.status.map(|slot| Id(slot.list_id)))
            .bind(a.status.map(|slot| i64::from(slot.index)))
            .bind(a.revoked_at.map(Ts))
            .bind(&a.revocation_reason)
            .bind(a.suspended_at.map(Ts))
            .bind(&a.suspension_reason)
            .bind(&a.role)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        if done.rows_affected() == 1 {
            stored.push(Stored::Created(as_stored(a)));
        } else {
            let row = sqlx::query(existing)
                .bind(Id(a.achievement_id))
                .bind(&a.recipient_email)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
            stored.push(Stored::Existing(award(&row)?));
        }
    }
    if notify {
        let created: Vec<String> = stored
            .iter()
            .filter_map(|s| match s {
                Stored::Created(a) => Some(Id(a.id).to_string()),
                Stored::Existing(_) => None,
            })
            .collect();
        if let Some(issued_at) = first_issued_at {
            super::email::enqueue_new(&mut tx, &created, issued_at).await?;
        }
    }
    tx.commit().await.map_err(db)?;
    Ok(stored)
}

pub(super) async fn one(store: &SqliteStore, award_id: Uuid) -> StoreResult<Award> {
    let sql = concat!("select ", award_columns!(), " from awards where id = $1");
    let row = sqlx::query(sql)
        .bind(Id(award_id))
        .fetch_one(&store.reader)
        .await
        .map_err(db)?;
    award(&row)
}

pub(super) async fn by_id(store: &SqliteStore, ids: &[Uuid]) -> StoreResult<Vec<Award>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // The ids travel as one JSON array, each looked up by primary key.
    let sql = concat!(
        "select ",
        award_columns!(),
        " from awards where id in (select value from json_each($1))"
    );
    let ids: Vec<String> = ids.iter().map(|id| Id(*id).to_string()).collect();
    let rows = sqlx::query(sql)
        .bind(list_to_json(&ids))
        .fetch_all(&store.reader)
        .await
        .map_err(db)?;
    rows.iter().map(award).collect()
}

pub(super) async fn list(
    store: &SqliteStore,
    filter: &AwardFilter,
) -> StoreResult<(Vec<Award>, u64)> {
    let mut count = QueryBuilder::<Sqlite>::new("select count(*) from awards");
    push_award_filter(&mut count, filter);
    let total: i64 = count
        .build_query_scalar()
        .fetch_one(&store.reader)
        .await
        .map_err(db)?;

    let mut list =
        QueryBuilder::<Sqlite>::new(concat!("select ", award_columns!(), " from awards"));
    push_award_filter(&mut list, filter);
    list.push(" order by issued_at desc, id desc limit ")
        .push_bind(i64::from(filter.limit))
        .push(" offset ")
        .push_bind(i64::from(filter.offset));
    let rows = list.build().fetch_all(&store.reader).await.map_err(db)?;
    let awards = rows.iter().map(award).collect::<StoreResult<_>>()?;
    // A count is never negative.
    Ok((awards, u64::try_from(total).unwrap_or(0)))
}

/// Appends the `where` clause of an award listing.
fn push_award_filter(query: &mut QueryBuilder<Sqlite>, filter: &AwardFilter) {
    let mut and = " where ";
    let mut next = |query: &mut QueryBuilder<Sqlite>, clause: &str| {
        query.push(and).push(clause);
        and = " and ";
    };
    if let Some(achievement_id) = filter.achievement_id {
        next(query, "achievement_id = ");
        query.push_bind(Id(achievement_id));
    }
    if let Some(issuer_id) = filter.issuer_id {
        next(query, "issuer_id = ");
        query.push_bind(Id(issuer_id));
    }
    if let Some(email) = &filter.recipient_email {
        next(query, "recipient_email = ");
        query.push_bind(email.clone());
    }
    if !filter.issuer_ids.is_empty() {
        let ids: Vec<String> = filter
            .issuer_ids
            .iter()
            .map(|i| Id(*i).to_string())
            .collect();
        next(query, "issuer_id in (select value from json_each(");
        query.push_bind(list_to_json(&ids));
        query.push("))");
    }
    if let Some(text) = &filter.recipient_contains {
        // `like` with its wildcards escaped, so the text is matched as written.
        let escaped = text
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let pattern = format!("%{escaped}%");
        next(query, "(lower(recipient_email) like ");
        query.push_bind(pattern.clone());
        query.push(" escape '\\' or lower(coalesce(recipient_name, '')) like ");
        query.push_bind(pattern);
        query.push(" escape '\\')");
    }
    if let Some(from) = filter.issued_from {
        next(query, "issued_at >= ");
        query.push_bind(Ts(from));
    }
    if let Some(until) = filter.issued_until {
        next(query, "issued_at < ");
        query.push_bind(Ts(until));
    }
}
