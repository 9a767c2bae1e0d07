//! The audit log on PostgreSQL: appending, and a filtered, paged listing.

use sqlx::postgres::PgRow;
use sqlx::{Postgres, QueryBuilder, Row};

use super::PostgresStore;
use crate::shared::{contains_pattern, db};
use crate::values::Ts;
use crate::{AuditEntry, AuditFilter, StoreResult};

pub(super) async fn append_audit(store: &PostgresStore, e: &AuditEntry) -> StoreResult<()> {
    sqlx::query(
        "insert into audit_log (id, at, user_id, username, action, target, detail, via)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(e.id)
    .bind(Ts(e.at))
    .bind(e.user_id)
    .bind(&e.username)
    .bind(&e.action)
    .bind(&e.target)
    .bind(&e.detail)
    .bind(&e.via)
    .execute(&store.pool)
    .await
    .map_err(db)?;
    Ok(())
}

pub(super) async fn search_audit(
    store: &PostgresStore,
    filter: &AuditFilter,
) -> StoreResult<(Vec<AuditEntry>, u64)> {
    let mut count = QueryBuilder::<Postgres>::new("select count(*) from audit_log");
    push_filter(&mut count, filter);
    let total: i64 = count
        .build_query_scalar()
        .fetch_one(&store.pool)
        .await
        .map_err(db)?;
    let mut list = QueryBuilder::<Postgres>::new(
        "select id, at, user_id, username, action, target, detail, via from audit_log",
    );
    push_filter(&mut list, filter);
    list.push(" order by at desc, id desc limit ")
        .push_bind(i64::from(filter.limit))
        .push(" offset ")
        .push_bind(i64::from(filter.offset));
    let rows = list.build().fetch_all(&store.pool).await.map_err(db)?;
    let entries = rows.iter().map(entry).collect::<StoreResult<_>>()?;
    // A count is never negative.
    Ok((entries, u64::try_from(total).unwrap_or(0)))
}

/// Appends the `where` clause of an audit listing.
fn push_filter(query: &mut QueryBuilder<Postgres>, filter: &AuditFilter) {
    let mut and = " where ";
    let mut next = |query: &mut QueryBuilder<Postgres>, clause: &str| {
        query.push(and).push(clause);
        and = " and ";
    };
    for (column, text) in [
        ("username", &filter.actor),
        ("action", &filter.action),
        ("coalesce(target, '')", &filter.target),
    ] {
        if let Some(text) = text {
            // `lower` folds ASCII (and more) on both backends; the pattern is lowercased too.
            next(query, &format!("lower({column}) like "));
            query.push_bind(contains_pattern(text)).push(" escape '\\'");
        }
    }
    if let Some(via) = &filter.via {
        next(query, "via = ");
        query.push_bind(via.clone());
    }
    if let Some(from) = filter.from {
        next(query, "at >= ");
        query.push_bind(Ts(from));
    }
    if let Some(until) = filter.until {
        next(query, "at < ");
        query.push_bind(Ts(until));
    }
}

fn entry(row: &PgRow) -> StoreResult<AuditEntry> {
    Ok(AuditEntry {
        id: row.try_get("id").map_err(db)?,
        at: row.try_get("at").map_err(db)?,
        user_id: row.try_get("user_id").map_err(db)?,
        username: row.try_get("username").map_err(db)?,
        action: row.try_get("action").map_err(db)?,
        target: row.try_get("target").map_err(db)?,
        detail: row.try_get("detail").map_err(db)?,
        via: row.try_get("via").map_err(db)?,
    })
}
