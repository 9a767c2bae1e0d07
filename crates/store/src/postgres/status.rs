//! Status lists, revocation, suspension and key rotation on PostgreSQL.
//!
//! Several instances may hand out positions and set bits at once, so every read that a write
//! depends on locks its rows (read committed: a locking read waits for a concurrent writer and
//! then returns the row as that writer committed it):
//!
//! - allocating locks the open list (`for no key update`), so two callers never read the same
//!   `allocated`; the second waits, then continues from where the first stopped (or, if the
//!   first filled the list, starts a new one);
//! - revoking locks the awards, then their lists, each in id order, so two calls never wait
//!   for each other in a cycle, and rewrites each list's bits from its latest committed
//!   version: no call loses another's bit, and a call that finds an award revoked meanwhile
//!   answers `Unchanged`.
//!
//! The locks are `for no key update`, the lock a plain `update` takes: they hold off other
//! writers of the row but not the foreign-key checks of awards being inserted meanwhile, which
//! take `for key share` on the list.
//!
//! Revoking takes four statements whatever the batch's size: read and lock the awards (one
//! uuid array), revoke those not revoked, read and lock their lists, rewrite those lists
//! (`unnest` of ids and bits).

use chrono::{DateTime, Utc};
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use super::rows::{award, key, status_list};
use super::{PostgresStore, insert_key};
use crate::shared::{
    Revocation, allocations, award_columns, check_list_size, count, db, key_columns,
    new_status_list, set_bits, status_list_columns,
};
use crate::values::Ts;
use crate::{Allocation, Award, IssuerKey, StatusChange, StatusList, StoreError, StoreResult};

pub(super) async fn allocate(
    store: &PostgresStore,
    issuer_id: Uuid,
    purpose: &str,
    count_wanted: u32,
    size: u32,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Allocation>> {
    if count_wanted == 0 {
        return Ok(Vec::new());
    }
    check_list_size(size)?;
    // The newest list of this issuer and purpose with positions left, locked. A caller that
    // waited for the lock gets the row as the holder left it; if the holder filled it, the row
    // no longer qualifies and none is returned, so a new list is started.
    let open = "select id, key, size, allocated from status_lists
         where issuer_id = $1 and purpose = $2 and allocated < size
         order by created_at desc, id desc limit 1
         for no key update";
    let mut tx = store.write().await?;
    let mut handed = Vec::with_capacity(count_wanted as usize);
    let mut left = count_wanted;
    let row: Option<(Uuid, Vec<u8>, i64, i64)> = sqlx::query_as(open)
        .bind(issuer_id)
        .bind(purpose)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    if let Some((list_id, list_key, list_size, allocated)) = row {
        let list_size = count(list_size, "status_lists.size")?;
        let allocated = count(allocated, "status_lists.allocated")?;
        let taken = left.min(list_size - allocated);
        sqlx::query("update status_lists set allocated = $2 where id = $1")
            .bind(list_id)
            .bind(i64::from(allocated + taken))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        handed.extend(allocations(list_id, &list_key, list_size, allocated, taken));
        left -= taken;
    }
    while left > 0 {
        let taken = left.min(size);
        let list = new_status_list(issuer_id, purpose, size, taken, now);
        insert_list(&mut tx, &list).await?;
        handed.extend(allocations(list.id, &list.key, size, 0, taken));
        left -= taken;
    }
    tx.commit().await.map_err(db)?;
    Ok(handed)
}

/// Stores a new list; [`StoreError::NotFound`] if its issuer does not exist.
async fn insert_list(
    tx: &mut Transaction<'static, Postgres>,
    list: &StatusList,
) -> StoreResult<()> {
    sqlx::query(
        "insert into status_lists (id, issuer_id, purpose, size, allocated, key, bits, version,
             credential, signed_version, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(list.id)
    .bind(list.issuer_id)
    .bind(&list.purpose)
    .bind(i64::from(list.size))
    .bind(i64::from(list.allocated))
    .bind(&list.key)
    .bind(&list.bits)
    .bind(list.version)
    .bind(&list.credential)
    .bind(list.signed_version)
    .bind(Ts(list.created_at))
    .bind(Ts(list.updated_at))
    .execute(&mut **tx)
    .await
    .map_err(db)?;
    Ok(())
}

pub(super) async fn one_list(store: &PostgresStore, list_id: Uuid) -> StoreResult<StatusList> {
    let sql = concat!(
        "select ",
        status_list_columns!(),
        " from status_lists where id = $1"
    );
    let row = sqlx::query(sql)
        .bind(list_id)
        .fetch_one(&store.pool)
        .await
        .map_err(db)?;
    status_list(&row)
}

pub(super) async fn lists(
    store: &PostgresStore,
    issuer_id: Option<Uuid>,
) -> StoreResult<Vec<StatusList>> {
    // `$1 is null` keeps one statement for both cases; an issuer has few lists.
    let sql = concat!(
        "select ",
        status_list_columns!(),
        " from status_lists where $1::uuid is null or issuer_id = $1 order by created_at, id"
    );
    let rows = sqlx::query(sql)
        .bind(issuer_id)
        .fetch_all(&store.pool)
        .await
        .map_err(db)?;
    rows.iter().map(status_list).collect()
}

pub(super) async fn save_credential(
    store: &PostgresStore,
    list_id: Uuid,
    version: i64,
    credential: &str,
) -> StoreResult<bool> {
    // One statement: a concurrent save of another version waits for the row, then re-checks
    // `signed_version` against what that one committed.
    let done = sqlx::query(
        "update status_lists set credential = $3, signed_version = $2
         where id = $1 and signed_version < $2",
    )
    .bind(list_id)
    .bind(version)
    .bind(credential)
    .execute(&store.pool)
    .await
    .map_err(db)?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn revoke(
    store: &PostgresStore,
    ids: &[Uuid],
    reason: &str,
    at: DateTime<Utc>,
) -> StoreResult<Vec<StatusChange>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // 1. The awards, locked in id order, as last committed.
    let read = concat!(
        "select ",
        award_columns!(),
        " from awards where id = any($1) order by id for no key update"
    );
    // 2. Those not revoked (decided in Rust over the locked rows).
    let revoke = "update awards set revoked_at = $2, revocation_reason = $3 where id = any($1)";
    // 3. Their lists, locked in id order, as last committed.
    let read_lists =
        "select id, bits from status_lists where id = any($1) order by id for no key update";
    // 4. The lists whose bits changed, each bumped once.
    let write_lists = "update status_lists as l
         set bits = u.bits, version = l.version + 1, updated_at = $3
         from unnest($1::uuid[], $2::bytea[]) as u (id, bits)
         where l.id = u.id";

    let mut tx = store.write().await?;
    let rows = sqlx::query(read)
        .bind(ids)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
    let stored = rows
        .iter()
        .map(award)
        .collect::<StoreResult<Vec<Award>>>()?;
    let plan = Revocation::plan(ids, stored, reason, at);
    if !plan.revoked.is_empty() {
        sqlx::query(revoke)
            .bind(&plan.revoked)
            .bind(Ts(at))
            .bind(reason)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    if !plan.bits.is_empty() {
        let list_ids: Vec<Uuid> = plan.bits.keys().copied().collect();
        let lists: Vec<(Uuid, Vec<u8>)> = sqlx::query_as(read_lists)
            .bind(&list_ids)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        // Awards reference their list, and lists are never deleted.
        if lists.len() != list_ids.len() {
            return Err(StoreError::Corrupt(
                "an award's status list cannot be read".into(),
            ));
        }
        let mut changed_ids = Vec::with_capacity(lists.len());
        let mut changed_bits = Vec::with_capacity(lists.len());
        for (list_id, mut bits) in lists {
            let indexes = plan.bits.get(&list_id).map_or(&[][..], Vec::as_slice);
            if set_bits(&mut bits, indexes, list_id)? {
                changed_ids.push(list_id);
                changed_bits.push(bits);
            }
        }
        if !changed_ids.is_empty() {
            sqlx::query(write_lists)
                .bind(&changed_ids)
                .bind(&changed_bits)
                .bind(Ts(at))
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
    }
    tx.commit().await.map_err(db)?;
    Ok(plan.outcomes)
}

pub(super) async fn suspend(
    store: &PostgresStore,
    award_id: Uuid,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> StoreResult<StatusChange> {
    let sql = concat!(
        "update awards set suspended_at = $2, suspension_reason = $3 where id = $1 returning ",
        award_columns!()
    );
    let mut tx = store.write().await?;
    let before = locked_award(&mut tx, award_id).await?;
    if before.suspended_at.is_some() {
        return Ok(StatusChange::Unchanged(before));
    }
    let row = sqlx::query(sql)
        .bind(award_id)
        .bind(Ts(at))
        .bind(reason)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    let after = award(&row)?;
    tx.commit().await.map_err(db)?;
    Ok(StatusChange::Changed(after))
}

pub(super) async fn unsuspend(store: &PostgresStore, award_id: Uuid) -> StoreResult<StatusChange> {
    let sql = concat!(
        "update awards set suspended_at = null, suspension_reason = null where id = $1 returning ",
        award_columns!()
    );
    let mut tx = store.write().await?;
    let before = locked_award(&mut tx, award_id).await?;
    if before.suspended_at.is_none() {
        return Ok(StatusChange::Unchanged(before));
    }
    let row = sqlx::query(sql)
        .bind(award_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    let after = award(&row)?;
    tx.commit().await.map_err(db)?;
    Ok(StatusChange::Changed(after))
}

/// An award, locked until commit, as last committed; [`StoreError::NotFound`] if there is
/// none.
async fn locked_award(
    tx: &mut Transaction<'static, Postgres>,
    award_id: Uuid,
) -> StoreResult<Award> {
    let sql = concat!(
        "select ",
        award_columns!(),
        " from awards where id = $1 for no key update"
    );
    let row = sqlx::query(sql)
        .bind(award_id)
        .fetch_one(&mut **tx)
        .await
        .map_err(db)?;
    award(&row)
}

pub(super) async fn replace_credential(store: &PostgresStore, a: &Award) -> StoreResult<()> {
    let done = sqlx::query(
        "update awards set credential = $2, jwt = $3, issued_at = $4, valid_until = $5,
             recipient_name = $6, role = $7
         where id = $1",
    )
    .bind(a.id)
    .bind(&a.credential)
    .bind(&a.jwt)
    .bind(Ts(a.issued_at))
    .bind(a.valid_until.map(Ts))
    .bind(&a.recipient_name)
    .bind(&a.role)
    .execute(&store.pool)
    .await
    .map_err(db)?;
    match done.rows_affected() {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

pub(super) async fn rotate_keys(
    store: &PostgresStore,
    issuer_id: Uuid,
    new_keys: &[IssuerKey],
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let mut purposes: Vec<&str> = new_keys.iter().map(|k| k.purpose.as_str()).collect();
    purposes.sort_unstable();
    purposes.dedup();
    let mut tx = store.write().await?;
    // Locking the issuer makes rotations of one issuer take turns: without it, a second
    // rotation could miss the key the first just stored and leave two current keys.
    sqlx::query("select 1 from issuers where id = $1 for no key update")
        .bind(issuer_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    // Retire first, so the keys stored next stay current.
    sqlx::query(
        "update issuer_keys set retired_at = $2
         where issuer_id = $1 and retired_at is null and purpose = any($3)",
    )
    .bind(issuer_id)
    .bind(Ts(at))
    .bind(&purposes)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    for k in new_keys {
        insert_key(&mut tx, k).await?;
    }
    tx.commit().await.map_err(db)
}

pub(super) async fn compromise_key(
    store: &PostgresStore,
    key_id: Uuid,
    since: DateTime<Utc>,
) -> StoreResult<IssuerKey> {
    let sql = concat!(
        "update issuer_keys set compromised_since = $2 where id = $1 returning ",
        key_columns!()
    );
    let row = sqlx::query(sql)
        .bind(key_id)
        .bind(Ts(since))
        .fetch_one(&store.pool)
        .await
        .map_err(db)?;
    key(&row)
}
