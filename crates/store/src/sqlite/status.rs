//! Status lists, revocation, suspension and key rotation on SQLite.
//!
//! Every write is one `BEGIN IMMEDIATE` transaction, which holds SQLite's write lock from its
//! first statement: no other writer (another task, or another process) can hand out a position
//! or set a bit between this call's read of a list and its write, so no row lock is needed.
//!
//! Revoking takes the same statements as on PostgreSQL whatever the batch's size: the awards
//! are read with one statement (the ids travel as one JSON array, each looked up by primary
//! key), revoked with one, their lists read with one, and each list whose bits changed written
//! once (a list holds at least 131,072 entries, so a call touches few).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::rows::{award, key, status_list};
use super::{SqliteStore, insert_key, json};
use crate::shared::{
    Revocation, allocations, award_columns, check_list_size, count, db, key_columns,
    new_status_list, set_bits, status_list_columns, unique_ids,
};
use crate::values::{Id, Ts};
use crate::{Allocation, Award, IssuerKey, StatusChange, StatusList, StoreError, StoreResult};

pub(super) async fn allocate(
    store: &SqliteStore,
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
    // The newest list of this issuer and purpose with positions left (lists fill in order, so
    // older ones are full), walking the (issuer, purpose, created_at) index backwards.
    let open = "select id, key, size, allocated from status_lists
         where issuer_id = $1 and purpose = $2 and allocated < size
         order by created_at desc, id desc limit 1";
    let mut tx = store.write().await?;
    let mut handed = Vec::with_capacity(count_wanted as usize);
    let mut left = count_wanted;
    let row: Option<(String, Vec<u8>, i64, i64)> = sqlx::query_as(open)
        .bind(Id(issuer_id))
        .bind(purpose)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    if let Some((list_id, list_key, list_size, allocated)) = row {
        let list_id = Uuid::parse_str(&list_id)
            .map_err(|e| StoreError::Corrupt(format!("status_lists.id: {e}")))?;
        let list_size = count(list_size, "status_lists.size")?;
        let allocated = count(allocated, "status_lists.allocated")?;
        let taken = left.min(list_size - allocated);
        sqlx::query("update status_lists set allocated = $2 where id = $1")
            .bind(Id(list_id))
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
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    list: &StatusList,
) -> StoreResult<()> {
    sqlx::query(
        "insert into status_lists (id, issuer_id, purpose, size, allocated, key, bits, version,
             credential, signed_version, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(Id(list.id))
    .bind(Id(list.issuer_id))
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

pub(super) async fn one_list(store: &SqliteStore, list_id: Uuid) -> StoreResult<StatusList> {
    let sql = concat!(
        "select ",
        status_list_columns!(),
        " from status_lists where id = $1"
    );
    let row = sqlx::query(sql)
        .bind(Id(list_id))
        .fetch_one(&store.reader)
        .await
        .map_err(db)?;
    status_list(&row)
}

pub(super) async fn lists(
    store: &SqliteStore,
    issuer_id: Option<Uuid>,
) -> StoreResult<Vec<StatusList>> {
    let sql = concat!(
        "select ",
        status_list_columns!(),
        " from status_lists where $1 is null or issuer_id = $1 order by created_at, id"
    );
    let rows = sqlx::query(sql)
        .bind(issuer_id.map(Id))
        .fetch_all(&store.reader)
        .await
        .map_err(db)?;
    rows.iter().map(status_list).collect()
}

pub(super) async fn save_credential(
    store: &SqliteStore,
    list_id: Uuid,
    version: i64,
    credential: &str,
) -> StoreResult<bool> {
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "update status_lists set credential = $3, signed_version = $2
         where id = $1 and signed_version < $2",
    )
    .bind(Id(list_id))
    .bind(version)
    .bind(credential)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn revoke(
    store: &SqliteStore,
    ids: &[Uuid],
    reason: &str,
    at: DateTime<Utc>,
) -> StoreResult<Vec<StatusChange>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // `id in (select value from json_each(...))` looks each id up by the primary key.
    let read = concat!(
        "select ",
        award_columns!(),
        " from awards where id in (select value from json_each($1))"
    );
    let revoke = "update awards set revoked_at = $2, revocation_reason = $3
         where id in (select value from json_each($1))";
    let read_lists = "select id, bits from status_lists
         where id in (select value from json_each($1)) order by id";
    let write_list = "update status_lists set bits = $2, version = version + 1, updated_at = $3
         where id = $1";

    let wanted: Vec<String> = unique_ids(ids)
        .into_iter()
        .map(|x| Id(x).to_string())
        .collect();
    let mut tx = store.write().await?;
    let rows = sqlx::query(read)
        .bind(json(&wanted)?)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
    let stored = rows
        .iter()
        .map(award)
        .collect::<StoreResult<Vec<Award>>>()?;
    let plan = Revocation::plan(ids, stored, reason, at);
    if !plan.revoked.is_empty() {
        let revoked: Vec<String> = plan.revoked.iter().map(|x| Id(*x).to_string()).collect();
        sqlx::query(revoke)
            .bind(json(&revoked)?)
            .bind(Ts(at))
            .bind(reason)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    if !plan.bits.is_empty() {
        let list_ids: Vec<String> = plan.bits.keys().map(|x| Id(*x).to_string()).collect();
        let lists: Vec<(String, Vec<u8>)> = sqlx::query_as(read_lists)
            .bind(json(&list_ids)?)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        // Awards reference their list, and lists are never deleted.
        if lists.len() != list_ids.len() {
            return Err(StoreError::Corrupt(
                "an award's status list cannot be read".into(),
            ));
        }
        for (list_id, mut bits) in lists {
            let list_id = Uuid::parse_str(&list_id)
                .map_err(|e| StoreError::Corrupt(format!("status_lists.id: {e}")))?;
            let indexes = plan.bits.get(&list_id).map_or(&[][..], Vec::as_slice);
            if set_bits(&mut bits, indexes, list_id)? {
                sqlx::query(write_list)
                    .bind(Id(list_id))
                    .bind(bits)
                    .bind(Ts(at))
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
            }
        }
    }
    tx.commit().await.map_err(db)?;
    Ok(plan.outcomes)
}

pub(super) async fn suspend(
    store: &SqliteStore,
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
        .bind(Id(award_id))
        .bind(Ts(at))
        .bind(reason)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    let after = award(&row)?;
    tx.commit().await.map_err(db)?;
    Ok(StatusChange::Changed(after))
}

pub(super) async fn unsuspend(store: &SqliteStore, award_id: Uuid) -> StoreResult<StatusChange> {
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
        .bind(Id(award_id))
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    let after = award(&row)?;
    tx.commit().await.map_err(db)?;
    Ok(StatusChange::Changed(after))
}

/// An award read inside a write transaction (which holds the write lock, so it stays as read
/// until commit); [`StoreError::NotFound`] if there is none.
async fn locked_award(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    award_id: Uuid,
) -> StoreResult<Award> {
    let sql = concat!("select ", award_columns!(), " from awards where id = $1");
    let row = sqlx::query(sql)
        .bind(Id(award_id))
        .fetch_one(&mut **tx)
        .await
        .map_err(db)?;
    award(&row)
}

pub(super) async fn replace_credential(store: &SqliteStore, a: &Award) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "update awards set credential = $2, jwt = $3, issued_at = $4, valid_until = $5,
             recipient_name = $6, role = $7
         where id = $1",
    )
    .bind(Id(a.id))
    .bind(&a.credential)
    .bind(&a.jwt)
    .bind(Ts(a.issued_at))
    .bind(a.valid_until.map(Ts))
    .bind(&a.recipient_name)
    .bind(&a.role)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await.map_err(db)
}

pub(super) async fn rotate_keys(
    store: &SqliteStore,
    issuer_id: Uuid,
    new_keys: &[IssuerKey],
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let mut purposes: Vec<String> = new_keys
        .iter()
        .map(|k| k.purpose.as_str().to_string())
        .collect();
    purposes.sort();
    purposes.dedup();
    let mut tx = store.write().await?;
    sqlx::query("select 1 from issuers where id = $1")
        .bind(Id(issuer_id))
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    // Retire first, so the keys stored next stay current.
    sqlx::query(
        "update issuer_keys set retired_at = $2
         where issuer_id = $1 and retired_at is null
             and purpose in (select value from json_each($3))",
    )
    .bind(Id(issuer_id))
    .bind(Ts(at))
    .bind(json(&purposes)?)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    for k in new_keys {
        insert_key(&mut tx, k).await?;
    }
    tx.commit().await.map_err(db)
}

pub(super) async fn compromise_key(
    store: &SqliteStore,
    key_id: Uuid,
    since: DateTime<Utc>,
) -> StoreResult<IssuerKey> {
    let sql = concat!(
        "update issuer_keys set compromised_since = $2 where id = $1 returning ",
        key_columns!()
    );
    let mut tx = store.write().await?;
    let row = sqlx::query(sql)
        .bind(Id(key_id))
        .bind(Ts(since))
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    let marked = key(&row)?;
    tx.commit().await.map_err(db)?;
    Ok(marked)
}
