//! Awards on PostgreSQL: the exactly-once insert, the hot path of a bulk import, and listing.
//!
//! An award is unique per (achievement, recipient email). Inserting says "on conflict do
//! nothing": when another transaction holds the same key, PostgreSQL waits for it to finish
//! and then inserts nothing, and the read that follows (read committed: a fresh snapshot per
//! statement) returns the award that transaction stored. So two instances importing the same
//! list agree on every award.

use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use super::PostgresStore;
use super::rows::award;
use crate::shared::{as_stored, award_columns, db};
use crate::values::Ts;
use crate::{Award, AwardFilter, StoreResult, Stored};

pub(super) async fn awards_for(
    store: &PostgresStore,
    achievement_id: Uuid,
    emails: &[String],
) -> StoreResult<Vec<Award>> {
    if emails.is_empty() {
        return Ok(Vec::new());
    }
    // One array parameter: any number of emails, one statement.
    let sql = concat!(
        "select ",
        award_columns!(),
        " from awards where achievement_id = $1 and recipient_email = any($2)"
    );
    let rows = sqlx::query(sql)
        .bind(achievement_id)
        .bind(emails)
        .fetch_all(&store.pool)
        .await
        .map_err(db)?;
    rows.iter().map(award).collect()
}

pub(super) async fn insert(
    store: &PostgresStore,
    awards: &[Award],
    notify: bool,
) -> StoreResult<Vec<Stored>> {
    if awards.is_empty() {
        return Ok(Vec::new());
    }
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
    // Each insert holds its (achievement, email) key until commit, and a concurrent batch
    // wanting the same key waits. Taking keys in one global order means two batches never
    // wait for each other in a cycle (a deadlock PostgreSQL would break by failing one).
    // The sort is stable, so within a batch the first of two equal keys is inserted first.
    let mut order: Vec<usize> = (0..awards.len()).collect();
    order.sort_by(|&i, &j| {
        let (a, b) = (&awards[i], &awards[j]);
        (a.achievement_id, &a.recipient_email).cmp(&(b.achievement_id, &b.recipient_email))
    });
    let mut stored: Vec<Option<Stored>> = vec![None; awards.len()];
    let mut tx = store.write().await?;
    for i in order {
        let a = &awards[i];
        let done = sqlx::query(insert)
            .bind(a.id)
            .bind(a.achievement_id)
            .bind(a.issuer_id)
            .bind(&a.recipient_email)
            .bind(&a.recipient_name)
            .bind(Ts(a.issued_at))
            .bind(a.valid_until.map(Ts))
            .bind(&a.credential)
            .bind(&a.jwt)
            .bind(a.status.map(|slot| slot.list_id))
            .bind(a.status.map(|slot| i64::from(slot.index)))
            .bind(a.revoked_at.map(Ts))
            .bind(&a.revocation_reason)
            .bind(a.suspended_at.map(Ts))
            .bind(&a.suspension_reason)
            .bind(&a.role)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        stored[i] = Some(if done.rows_affected() == 1 {
            Stored::Created(as_stored(a))
        } else {
            let row = sqlx::query(existing)
                .bind(a.achievement_id)
                .bind(&a.recipient_email)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
            Stored::Existing(award(&row)?)
        });
    }
    if notify {
        let created: Vec<Uuid> = stored
            .iter()
            .filter_map(|s| match s {
                Some(Stored::Created(a)) => Some(a.id),
                _ => None,
            })
            .collect();
        if let Some(first) = awards.first() {
            super::email::enqueue_new(&mut tx, &created, first.issued_at).await?;
        }
    }
    tx.commit().await.map_err(db)?;
    // Every index was visited once above, so every slot is filled.
    Ok(stored.into_iter().flatten().collect())
}

pub(super) async fn one(store: &PostgresStore, id: Uuid) -> StoreResult<Award> {
    let sql = concat!("select ", award_columns!(), " from awards where id = $1");
    let row = sqlx::query(sql)
        .bind(id)
        .fetch_one(&store.pool)
        .await
        .map_err(db)?;
    award(&row)
}

pub(super) async fn list(
    store: &PostgresStore,
    filter: &AwardFilter,
) -> StoreResult<(Vec<Award>, u64)> {
    let mut count = QueryBuilder::<Postgres>::new("select count(*) from awards");
    push_award_filter(&mut count, filter);
    let total: i64 = count
        .build_query_scalar()
        .fetch_one(&store.pool)
        .await
        .map_err(db)?;

    let mut list =
        QueryBuilder::<Postgres>::new(concat!("select ", award_columns!(), " from awards"));
    push_award_filter(&mut list, filter);
    list.push(" order by issued_at desc, id desc limit ")
        .push_bind(i64::from(filter.limit))
        .push(" offset ")
        .push_bind(i64::from(filter.offset));
    let rows = list.build().fetch_all(&store.pool).await.map_err(db)?;
    let awards = rows.iter().map(award).collect::<StoreResult<_>>()?;
    // A count is never negative.
    Ok((awards, u64::try_from(total).unwrap_or(0)))
}

/// Appends the `where` clause of an award listing.
fn push_award_filter(query: &mut QueryBuilder<Postgres>, filter: &AwardFilter) {
    let mut and = " where ";
    let mut next = |query: &mut QueryBuilder<Postgres>, clause: &str| {
        query.push(and).push(clause);
        and = " and ";
    };
    if let Some(achievement_id) = filter.achievement_id {
        next(query, "achievement_id = ");
        query.push_bind(achievement_id);
    }
    if let Some(issuer_id) = filter.issuer_id {
        next(query, "issuer_id = ");
        query.push_bind(issuer_id);
    }
    if let Some(email) = &filter.recipient_email {
        next(query, "recipient_email = ");
        query.push_bind(email.clone());
    }
    if !filter.issuer_ids.is_empty() {
        next(query, "issuer_id = any(");
        query.push_bind(filter.issuer_ids.clone());
        query.push(")");
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
