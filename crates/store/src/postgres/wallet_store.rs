//! [`WalletStore`](crate::WalletStore) on PostgreSQL: claim links, exchanges, wallet copies.

use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::PostgresStore;
use crate::shared::db;
use crate::values::{Id, Ts};
use crate::{
    ClaimLink, Redemption, StoreError, StoreResult, WalletCopy, WalletExchange, WalletFormat,
};

/// Claim links per insert statement (five parameters each).
const CLAIM_LINK_CHUNK: usize = 1_000;

type DbRow = sqlx::postgres::PgRow;

fn link(row: &DbRow) -> StoreResult<ClaimLink> {
    Ok(ClaimLink {
        id: row.try_get::<Id, _>("id").map_err(db)?.0,
        award_id: row.try_get::<Id, _>("award_id").map_err(db)?.0,
        token_sha256: row.try_get("token_sha256").map_err(db)?,
        created_at: row.try_get::<Ts, _>("created_at").map_err(db)?.0,
        used_at: row
            .try_get::<Option<Ts>, _>("used_at")
            .map_err(db)?
            .map(|t| t.0),
    })
}

fn exchange(row: &DbRow) -> StoreResult<WalletExchange> {
    Ok(WalletExchange {
        id: row.try_get::<Id, _>("id").map_err(db)?.0,
        claim_id: row.try_get::<Id, _>("claim_id").map_err(db)?.0,
        challenge: row.try_get("challenge").map_err(db)?,
        domain: row.try_get("domain").map_err(db)?,
        created_at: row.try_get::<Ts, _>("created_at").map_err(db)?.0,
        expires_at: row.try_get::<Ts, _>("expires_at").map_err(db)?.0,
        completed_at: row
            .try_get::<Option<Ts>, _>("completed_at")
            .map_err(db)?
            .map(|t| t.0),
    })
}

fn copy(row: &DbRow) -> StoreResult<WalletCopy> {
    let format: String = row.try_get("format").map_err(db)?;
    Ok(WalletCopy {
        id: row.try_get::<Id, _>("id").map_err(db)?.0,
        award_id: row.try_get::<Id, _>("award_id").map_err(db)?.0,
        holder: row.try_get("holder").map_err(db)?,
        format: WalletFormat::parse(&format)
            .ok_or_else(|| StoreError::Corrupt(format!("wallet_copies.format {format:?}")))?,
        credential: row.try_get("credential").map_err(db)?,
        created_at: row.try_get::<Ts, _>("created_at").map_err(db)?.0,
    })
}

pub(super) async fn insert_copy(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    c: &WalletCopy,
) -> StoreResult<()> {
    sqlx::query(
        "insert into wallet_copies (id, award_id, holder, format, credential, created_at)
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Id(c.id))
    .bind(Id(c.award_id))
    .bind(&c.holder)
    .bind(c.format.as_str())
    .bind(&c.credential)
    .bind(Ts(c.created_at))
    .execute(&mut **tx)
    .await
    .map_err(db)?;
    Ok(())
}

#[async_trait::async_trait]
impl crate::WalletStore for PostgresStore {
    async fn create_claim_link(&self, l: &ClaimLink) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "insert into claim_links (id, award_id, token_sha256, created_at, used_at)
             values ($1, $2, $3, $4, $5)",
        )
        .bind(Id(l.id))
        .bind(Id(l.award_id))
        .bind(&l.token_sha256)
        .bind(Ts(l.created_at))
        .bind(l.used_at.map(Ts))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn create_claim_links(&self, links: &[ClaimLink]) -> StoreResult<()> {
        if links.is_empty() {
            return Ok(());
        }
        // One multi-row insert per chunk (a chunk's parameters stay far below SQLite's limit),
        // all in one transaction: the email worker makes a batch's links in one round trip.
        let mut tx = self.write().await?;
        for chunk in links.chunks(CLAIM_LINK_CHUNK) {
            let mut insert = sqlx::QueryBuilder::new(
                "insert into claim_links (id, award_id, token_sha256, created_at, used_at) ",
            );
            insert.push_values(chunk, |mut row, l| {
                row.push_bind(Id(l.id))
                    .push_bind(Id(l.award_id))
                    .push_bind(l.token_sha256.clone())
                    .push_bind(Ts(l.created_at))
                    .push_bind(l.used_at.map(Ts));
            });
            insert.build().execute(&mut *tx).await.map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    async fn claim_link_by_hash(&self, token_sha256: &str) -> StoreResult<Option<ClaimLink>> {
        let row = sqlx::query(
            "select id, award_id, token_sha256, created_at, used_at from claim_links where token_sha256 = $1",
        )
            .bind(token_sha256)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.as_ref().map(link).transpose()
    }

    async fn claim_link(&self, id: Uuid) -> StoreResult<ClaimLink> {
        let row = sqlx::query(
            "select id, award_id, token_sha256, created_at, used_at from claim_links where id = $1",
        )
        .bind(Id(id))
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        link(&row)
    }

    async fn redeem_claim_link(&self, r: &Redemption) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let used =
            sqlx::query("update claim_links set used_at = $2 where id = $1 and used_at is null")
                .bind(Id(r.claim_id))
                .bind(Ts(r.at))
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        if used.rows_affected() == 0 {
            let exists: i64 = sqlx::query_scalar("select count(*) from claim_links where id = $1")
                .bind(Id(r.claim_id))
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
            return Err(if exists > 0 {
                StoreError::Conflict("the claim link was already used".into())
            } else {
                StoreError::NotFound
            });
        }
        if let Some(exchange_id) = r.exchange_id {
            let done = sqlx::query(
                "update wallet_exchanges set completed_at = $3
                 where id = $1 and claim_id = $2 and completed_at is null",
            )
            .bind(Id(exchange_id))
            .bind(Id(r.claim_id))
            .bind(Ts(r.at))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict(
                    "the exchange is not open for this claim link".into(),
                ));
            }
        }
        if let Some(c) = &r.copy {
            insert_copy(&mut tx, c).await?;
        }
        tx.commit().await.map_err(db)
    }

    async fn create_exchange(&self, e: &WalletExchange) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "insert into wallet_exchanges
                 (id, claim_id, challenge, domain, created_at, expires_at, completed_at)
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Id(e.id))
        .bind(Id(e.claim_id))
        .bind(&e.challenge)
        .bind(&e.domain)
        .bind(Ts(e.created_at))
        .bind(Ts(e.expires_at))
        .bind(e.completed_at.map(Ts))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn exchange(&self, id: Uuid) -> StoreResult<WalletExchange> {
        let row = sqlx::query(
            "select id, claim_id, challenge, domain, created_at, expires_at, completed_at from wallet_exchanges where id = $1",
        )
            .bind(Id(id))
            .fetch_one(&self.pool)
            .await
            .map_err(db)?;
        exchange(&row)
    }

    async fn open_exchange(
        &self,
        claim_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<WalletExchange>> {
        let row = sqlx::query(
            "select id, claim_id, challenge, domain, created_at, expires_at, completed_at from wallet_exchanges
             where claim_id = $1 and completed_at is null and expires_at > $2
             order by expires_at desc, id desc limit 1",
        )
            .bind(Id(claim_id))
            .bind(Ts(now))
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.as_ref().map(exchange).transpose()
    }

    async fn insert_wallet_copy(&self, c: &WalletCopy) -> StoreResult<()> {
        let mut tx = self.write().await?;
        insert_copy(&mut tx, c).await?;
        tx.commit().await.map_err(db)
    }

    async fn wallet_copies(&self, award_id: Uuid) -> StoreResult<Vec<WalletCopy>> {
        let rows = sqlx::query(
            "select id, award_id, holder, format, credential, created_at from wallet_copies
             where award_id = $1 order by created_at, id",
        )
        .bind(Id(award_id))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(copy).collect()
    }

    async fn delete_expired_exchanges(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let mut tx = self.write().await?;
        let deleted = sqlx::query("delete from wallet_exchanges where expires_at < $1")
            .bind(Ts(before))
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        tx.commit().await.map_err(db)?;
        Ok(deleted)
    }
}
