//! [`EndorsementStore`](crate::EndorsementStore) for both backends, written once.
//!
//! The statements are the same on SQLite and PostgreSQL; one macro expands the implementation
//! in each backend's module, with that backend's row type and read pool.

/// The `select` of every column, as a literal (`sqlx` takes only static SQL).
macro_rules! endorsement_select {
    ($rest:literal) => {
        concat!(
            "select id, issuer_id, achievement_id, endorser_id, endorser_name,
                 endorser_issuer_id, comment, origin, credential, created_at, withdrawn_at
             from endorsements ",
            $rest
        )
    };
}

pub(crate) use endorsement_select;

/// Implements `EndorsementStore` for `$store`, reading through `self.$reader`; `$row` is the
/// backend's row type.
macro_rules! endorsement_store {
    ($store:ty, $reader:ident, $row:ty) => {
        use chrono::{DateTime, Utc};
        use sqlx::Row;
        use uuid::Uuid;

        use crate::shared::db;
        use crate::values::{Id, Ts};
        use crate::{Endorsement, EndorsementOrigin, StoreError, StoreResult};

        type DbRow = $row;

        fn endorsement(row: &DbRow) -> StoreResult<Endorsement> {
            let origin: String = row.try_get("origin").map_err(db)?;
            Ok(Endorsement {
                id: row.try_get::<Id, _>("id").map_err(db)?.0,
                issuer_id: row.try_get::<Id, _>("issuer_id").map_err(db)?.0,
                achievement_id: row
                    .try_get::<Option<Id>, _>("achievement_id")
                    .map_err(db)?
                    .map(|id| id.0),
                endorser_id: row.try_get("endorser_id").map_err(db)?,
                endorser_name: row.try_get("endorser_name").map_err(db)?,
                endorser_issuer_id: row
                    .try_get::<Option<Id>, _>("endorser_issuer_id")
                    .map_err(db)?
                    .map(|id| id.0),
                comment: row.try_get("comment").map_err(db)?,
                origin: EndorsementOrigin::parse(&origin)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown endorsement origin {origin:?}")))?,
                credential: row.try_get("credential").map_err(db)?,
                created_at: row.try_get::<Ts, _>("created_at").map_err(db)?.0,
                withdrawn_at: row
                    .try_get::<Option<Ts>, _>("withdrawn_at")
                    .map_err(db)?
                    .map(|t| t.0),
            })
        }

        #[async_trait::async_trait]
        impl crate::EndorsementStore for $store {
            async fn create_endorsement(&self, e: &Endorsement) -> StoreResult<()> {
                let mut tx = self.write().await?;
                sqlx::query(
                    "insert into endorsements (id, issuer_id, achievement_id, endorser_id, endorser_name,
                         endorser_issuer_id, comment, origin, credential, created_at, withdrawn_at)
                     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(Id(e.id))
                .bind(Id(e.issuer_id))
                .bind(e.achievement_id.map(Id))
                .bind(&e.endorser_id)
                .bind(&e.endorser_name)
                .bind(e.endorser_issuer_id.map(Id))
                .bind(&e.comment)
                .bind(e.origin.as_str())
                .bind(&e.credential)
                .bind(Ts(e.created_at))
                .bind(e.withdrawn_at.map(Ts))
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                tx.commit().await.map_err(db)
            }

            async fn endorsement(&self, id: Uuid) -> StoreResult<Endorsement> {
                let row = sqlx::query(crate::shared::endorsements::endorsement_select!("where id = $1"))
                    .bind(Id(id))
                    .fetch_one(&self.$reader)
                    .await
                    .map_err(db)?;
                endorsement(&row)
            }

            async fn endorsements_of(
                &self,
                issuer_id: Uuid,
                achievement_id: Option<Uuid>,
            ) -> StoreResult<Vec<Endorsement>> {
                let rows = match achievement_id {
                    Some(achievement) => {
                        sqlx::query(crate::shared::endorsements::endorsement_select!(
                            "where issuer_id = $1 and achievement_id = $2 order by created_at, id"
                        ))
                        .bind(Id(issuer_id))
                        .bind(Id(achievement))
                        .fetch_all(&self.$reader)
                        .await
                    }
                    None => {
                        sqlx::query(crate::shared::endorsements::endorsement_select!(
                            "where issuer_id = $1 and achievement_id is null order by created_at, id"
                        ))
                        .bind(Id(issuer_id))
                        .fetch_all(&self.$reader)
                        .await
                    }
                }
                .map_err(db)?;
                rows.iter().map(endorsement).collect()
            }

            async fn withdraw_endorsement(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<Endorsement> {
                let mut tx = self.write().await?;
                sqlx::query(
                    "update endorsements set withdrawn_at = coalesce(withdrawn_at, $2) where id = $1",
                )
                .bind(Id(id))
                .bind(Ts(at))
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                let row = sqlx::query(crate::shared::endorsements::endorsement_select!("where id = $1"))
                    .bind(Id(id))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db)?;
                let found = endorsement(&row)?;
                tx.commit().await.map_err(db)?;
                Ok(found)
            }
        }
    };
}

pub(crate) use endorsement_store;
