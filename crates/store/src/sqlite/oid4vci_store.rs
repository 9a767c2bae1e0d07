//! [`Oid4vciStore`](crate::Oid4vciStore) on SQLite: credential offers and nonces.

use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::SqliteStore;
use super::wallet_store::insert_copy;
use crate::shared::db;
use crate::values::{Id, Ts};
use crate::{CredentialOffer, ExpiredOid4vci, OfferSecret, Redemption, StoreError, StoreResult};

type DbRow = sqlx::sqlite::SqliteRow;

fn offer(row: &DbRow) -> StoreResult<CredentialOffer> {
    let time = |name: &str| -> StoreResult<Option<DateTime<Utc>>> {
        Ok(row.try_get::<Option<Ts>, _>(name).map_err(db)?.map(|t| t.0))
    };
    Ok(CredentialOffer {
        id: row.try_get::<Id, _>("id").map_err(db)?.0,
        claim_id: row.try_get::<Id, _>("claim_id").map_err(db)?.0,
        offer_sha256: row.try_get("offer_sha256").map_err(db)?,
        code_sha256: row.try_get("code_sha256").map_err(db)?,
        created_at: row.try_get::<Ts, _>("created_at").map_err(db)?.0,
        expires_at: row.try_get::<Ts, _>("expires_at").map_err(db)?.0,
        token_sha256: row.try_get("token_sha256").map_err(db)?,
        token_expires_at: time("token_expires_at")?,
        used_at: time("used_at")?,
    })
}

#[async_trait::async_trait]
impl crate::Oid4vciStore for SqliteStore {
    async fn create_credential_offer(&self, o: &CredentialOffer) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "insert into oid4vci_offers (id, claim_id, offer_sha256, code_sha256, created_at,
                 expires_at, token_sha256, token_expires_at, used_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(Id(o.id))
        .bind(Id(o.claim_id))
        .bind(&o.offer_sha256)
        .bind(&o.code_sha256)
        .bind(Ts(o.created_at))
        .bind(Ts(o.expires_at))
        .bind(&o.token_sha256)
        .bind(o.token_expires_at.map(Ts))
        .bind(o.used_at.map(Ts))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn credential_offer(
        &self,
        secret: OfferSecret<'_>,
    ) -> StoreResult<Option<CredentialOffer>> {
        let (sql, hash) = match secret {
            OfferSecret::Offer(hash) => (
                "select id, claim_id, offer_sha256, code_sha256, created_at, expires_at,
                     token_sha256, token_expires_at, used_at
                 from oid4vci_offers where offer_sha256 = $1",
                hash,
            ),
            OfferSecret::Code(hash) => (
                "select id, claim_id, offer_sha256, code_sha256, created_at, expires_at,
                     token_sha256, token_expires_at, used_at
                 from oid4vci_offers where code_sha256 = $1",
                hash,
            ),
            OfferSecret::Token(hash) => (
                "select id, claim_id, offer_sha256, code_sha256, created_at, expires_at,
                     token_sha256, token_expires_at, used_at
                 from oid4vci_offers where token_sha256 = $1",
                hash,
            ),
        };
        let row = sqlx::query(sql)
            .bind(hash)
            .fetch_optional(&self.reader)
            .await
            .map_err(db)?;
        row.as_ref().map(offer).transpose()
    }

    async fn grant_access_token(
        &self,
        offer_id: Uuid,
        token_sha256: &str,
        token_expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let granted = sqlx::query(
            "update oid4vci_offers set token_sha256 = $2, token_expires_at = $3
             where id = $1 and token_sha256 is null",
        )
        .bind(Id(offer_id))
        .bind(token_sha256)
        .bind(Ts(token_expires_at))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if granted.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "the pre-authorized code was already used".into(),
            ));
        }
        tx.commit().await.map_err(db)
    }

    async fn create_nonce(
        &self,
        nonce_sha256: &str,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "insert into oid4vci_nonces (nonce_sha256, created_at, expires_at) values ($1, $2, $3)",
        )
        .bind(nonce_sha256)
        .bind(Ts(created_at))
        .bind(Ts(expires_at))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn use_nonce(&self, nonce_sha256: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        let mut tx = self.write().await?;
        let used = sqlx::query(
            "update oid4vci_nonces set used_at = $2
             where nonce_sha256 = $1 and used_at is null and expires_at > $2",
        )
        .bind(nonce_sha256)
        .bind(Ts(now))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(used.rows_affected() == 1)
    }

    async fn redeem_credential_offer(&self, offer_id: Uuid, r: &Redemption) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let offer_used = sqlx::query(
            "update oid4vci_offers set used_at = $3
             where id = $1 and claim_id = $2 and used_at is null",
        )
        .bind(Id(offer_id))
        .bind(Id(r.claim_id))
        .bind(Ts(r.at))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if offer_used.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "the offer was already used, or is not this claim link's".into(),
            ));
        }
        let link_used =
            sqlx::query("update claim_links set used_at = $2 where id = $1 and used_at is null")
                .bind(Id(r.claim_id))
                .bind(Ts(r.at))
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        if link_used.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "the claim link was already used".into(),
            ));
        }
        if let Some(c) = &r.copy {
            insert_copy(&mut tx, c).await?;
        }
        tx.commit().await.map_err(db)
    }

    async fn delete_expired_oid4vci(&self, before: DateTime<Utc>) -> StoreResult<ExpiredOid4vci> {
        let mut tx = self.write().await?;
        let offers = sqlx::query(
            "delete from oid4vci_offers
             where expires_at < $1 and (token_expires_at is null or token_expires_at < $1)",
        )
        .bind(Ts(before))
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
        let nonces = sqlx::query("delete from oid4vci_nonces where expires_at < $1")
            .bind(Ts(before))
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        tx.commit().await.map_err(db)?;
        Ok(ExpiredOid4vci { offers, nonces })
    }
}
