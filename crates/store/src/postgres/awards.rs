//! Awards on PostgreSQL: the exactly-once insert, the hot path of a bulk import, and listing.
//!
//! An award is unique per (achievement, recipient email). Inserting says "on conflict do
//! nothing": when another transaction holds the same key, PostgreSQL waits for it to finish
//! and then inserts nothing, and the read that follows (read committed: a fresh snapshot per
//! statement) returns the award that transaction stored. So two instances importing the same
//! list agree on every award.

use std::collections::{HashMap, HashSet};

use sqlx::postgres::PgArguments;
use sqlx::query::QueryScalar;
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use super::PostgresStore;
use super::rows::award;
use crate::shared::{as_stored, award_columns, db};
use crate::values::Ts;
use crate::{Award, AwardFilter, StoreError, StoreResult, Stored};

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
    awards: Vec<Award>,
    notify: bool,
) -> StoreResult<Vec<Stored>> {
    if awards.is_empty() {
        return Ok(Vec::new());
    }
    // One statement for the whole batch (one array per column, read with `unnest`): a batch
    // of 1,000 awards was 1,000 round trips, each a wake-up of both processes, when inserted
    // row by row. The status and revocation columns are written as given: normally a slot
    // from `allocate_status` and no revocation or suspension (only their own calls set those).
    // A slot already taken fails the unique index, and the whole call with it.
    //
    // Each row inserted holds its (achievement, email) key until commit, and a concurrent
    // batch wanting the same key waits. Taking keys in one global order (the `order by`) means
    // two batches never wait for each other in a cycle (a deadlock PostgreSQL would break by
    // failing one). Two rows of one batch with the same key: the first (in that order, which
    // keeps input order among equals) is inserted, the second finds it and does nothing.
    let insert = "insert into awards (id, achievement_id, issuer_id, recipient_email,
             recipient_name, issued_at, valid_until, credential, jwt, status_list_id,
             status_index, revoked_at, revocation_reason, suspended_at, suspension_reason, role)
         select id, achievement_id, issuer_id, recipient_email, recipient_name, issued_at,
                 valid_until, credential, jwt, status_list_id, status_index, revoked_at,
                 revocation_reason, suspended_at, suspension_reason, role
         from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[],
                 $6::timestamptz[], $7::timestamptz[], $8::text[], $9::text[], $10::uuid[],
                 $11::bigint[], $12::timestamptz[], $13::text[], $14::timestamptz[], $15::text[],
                 $16::text[])
             with ordinality as r (id, achievement_id, issuer_id, recipient_email,
                 recipient_name, issued_at, valid_until, credential, jwt, status_list_id,
                 status_index, revoked_at, revocation_reason, suspended_at, suspension_reason,
                 role, position)
         order by achievement_id, recipient_email, position
         on conflict (achievement_id, recipient_email) do nothing
         returning id";
    // The awards of the rows that inserted nothing: stored before (by an earlier call, or by
    // one that committed while the insert waited for it), or by this batch's first row with
    // the same key. Read committed: this statement sees both.
    let existing = concat!(
        "select ",
        award_columns!(),
        " from awards
         where (achievement_id, recipient_email) in
             (select * from unnest($1::uuid[], $2::text[]))"
    );
    let mut columns = AwardArrays::with_capacity(awards.len());
    for a in &awards {
        columns.push(a);
    }
    let mut tx = store.write().await?;
    let inserted: HashSet<Uuid> = columns
        .bind(sqlx::query_scalar::<_, Uuid>(insert))
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?
        .into_iter()
        .collect();
    let (old_achievements, old_emails): (Vec<Uuid>, Vec<&str>) = awards
        .iter()
        .filter(|a| !inserted.contains(&a.id))
        .map(|a| (a.achievement_id, a.recipient_email.as_str()))
        .unzip();
    let mut stored_before: HashMap<(Uuid, String), Award> = HashMap::new();
    if !old_achievements.is_empty() {
        let rows = sqlx::query(existing)
            .bind(&old_achievements)
            .bind(&old_emails)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        for row in &rows {
            let award = award(row)?;
            stored_before.insert((award.achievement_id, award.recipient_email.clone()), award);
        }
    }
    let mut stored = Vec::with_capacity(awards.len());
    let first_issued_at = awards.first().map(|a| a.issued_at);
    for a in awards {
        stored.push(if inserted.contains(&a.id) {
            Stored::Created(as_stored(a))
        } else {
            let key = (a.achievement_id, a.recipient_email.clone());
            // Not inserted, so a row with its key exists and the read above returned it.
            let found = stored_before.get(&key).cloned().ok_or_else(|| {
                StoreError::Database(format!(
                    "award of {} for achievement {} neither inserted nor found",
                    a.recipient_email, a.achievement_id
                ))
            })?;
            Stored::Existing(found)
        });
    }
    if notify {
        let created: Vec<Uuid> = stored
            .iter()
            .filter_map(|s| match s {
                Stored::Created(a) => Some(a.id),
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

/// Awards as one array per column, the parameters of the batch insert's `unnest`.
struct AwardArrays<'a> {
    ids: Vec<Uuid>,
    achievement_ids: Vec<Uuid>,
    issuer_ids: Vec<Uuid>,
    emails: Vec<&'a str>,
    names: Vec<Option<&'a str>>,
    issued_ats: Vec<Ts>,
    valid_untils: Vec<Option<Ts>>,
    credentials: Vec<&'a str>,
    jwts: Vec<&'a str>,
    list_ids: Vec<Option<Uuid>>,
    indexes: Vec<Option<i64>>,
    revoked_ats: Vec<Option<Ts>>,
    revocation_reasons: Vec<Option<&'a str>>,
    suspended_ats: Vec<Option<Ts>>,
    suspension_reasons: Vec<Option<&'a str>>,
    roles: Vec<Option<&'a str>>,
}

impl<'a> AwardArrays<'a> {
    fn with_capacity(n: usize) -> Self {
        AwardArrays {
            ids: Vec::with_capacity(n),
            achievement_ids: Vec::with_capacity(n),
            issuer_ids: Vec::with_capacity(n),
            emails: Vec::with_capacity(n),
            names: Vec::with_capacity(n),
            issued_ats: Vec::with_capacity(n),
            valid_untils: Vec::with_capacity(n),
            credentials: Vec::with_capacity(n),
            jwts: Vec::with_capacity(n),
            list_ids: Vec::with_capacity(n),
            indexes: Vec::with_capacity(n),
            revoked_ats: Vec::with_capacity(n),
            revocation_reasons: Vec::with_capacity(n),
            suspended_ats: Vec::with_capacity(n),
            suspension_reasons: Vec::with_capacity(n),
            roles: Vec::with_capacity(n),
        }
    }

    fn push(&mut self, a: &'a Award) {
        self.ids.push(a.id);
        self.achievement_ids.push(a.achievement_id);
        self.issuer_ids.push(a.issuer_id);
        self.emails.push(&a.recipient_email);
        self.names.push(a.recipient_name.as_deref());
        self.issued_ats.push(Ts(a.issued_at));
        self.valid_untils.push(a.valid_until.map(Ts));
        self.credentials.push(&a.credential);
        self.jwts.push(&a.jwt);
        self.list_ids.push(a.status.map(|slot| slot.list_id));
        self.indexes
            .push(a.status.map(|slot| i64::from(slot.index)));
        self.revoked_ats.push(a.revoked_at.map(Ts));
        self.revocation_reasons.push(a.revocation_reason.as_deref());
        self.suspended_ats.push(a.suspended_at.map(Ts));
        self.suspension_reasons.push(a.suspension_reason.as_deref());
        self.roles.push(a.role.as_deref());
    }

    /// Binds the arrays as `$1` to `$16`, in the order of the insert's columns.
    fn bind<'q, O>(
        &'q self,
        query: QueryScalar<'q, Postgres, O, PgArguments>,
    ) -> QueryScalar<'q, Postgres, O, PgArguments> {
        query
            .bind(&self.ids)
            .bind(&self.achievement_ids)
            .bind(&self.issuer_ids)
            .bind(&self.emails)
            .bind(&self.names)
            .bind(&self.issued_ats)
            .bind(&self.valid_untils)
            .bind(&self.credentials)
            .bind(&self.jwts)
            .bind(&self.list_ids)
            .bind(&self.indexes)
            .bind(&self.revoked_ats)
            .bind(&self.revocation_reasons)
            .bind(&self.suspended_ats)
            .bind(&self.suspension_reasons)
            .bind(&self.roles)
    }
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

pub(super) async fn by_id(store: &PostgresStore, ids: &[Uuid]) -> StoreResult<Vec<Award>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = concat!(
        "select ",
        award_columns!(),
        " from awards where id = any($1)"
    );
    let rows = sqlx::query(sql)
        .bind(ids)
        .fetch_all(&store.pool)
        .await
        .map_err(db)?;
    rows.iter().map(award).collect()
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
