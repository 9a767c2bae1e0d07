//! [`CategoryStore`](crate::CategoryStore) for both backends, written once: CE categories.
//!
//! The statements are the same on SQLite and PostgreSQL; one macro expands the implementation
//! in each backend's module, reading through that backend's pool for reads.

/// Implements `CategoryStore` for `$store`, reading through `self.$reader`.
macro_rules! category_store {
    ($store:ty, $reader:ident) => {
        use std::collections::HashMap;

        use sqlx::Row;
        use uuid::Uuid;

        use crate::shared::db;
        use crate::values::Id;
        use crate::{StoreError, StoreResult};

        #[async_trait::async_trait]
        impl crate::CategoryStore for $store {
            async fn ce_categories(&self, issuer_id: Uuid) -> StoreResult<Vec<String>> {
                let rows = sqlx::query(
                    "select name from ce_categories where issuer_id = $1 order by position, name",
                )
                .bind(Id(issuer_id))
                .fetch_all(&self.$reader)
                .await
                .map_err(db)?;
                rows.iter()
                    .map(|row| row.try_get::<String, _>("name").map_err(db))
                    .collect()
            }

            async fn set_ce_categories(&self, issuer_id: Uuid, names: &[String]) -> StoreResult<()> {
                let mut tx = self.write().await?;
                sqlx::query("select id from issuers where id = $1")
                    .bind(Id(issuer_id))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db)?;
                let in_use = sqlx::query(
                    "select name, count(*) as uses from achievement_categories where issuer_id = $1
                     group by name order by name",
                )
                .bind(Id(issuer_id))
                .fetch_all(&mut *tx)
                .await
                .map_err(db)?;
                for row in &in_use {
                    let name: String = row.try_get("name").map_err(db)?;
                    if !names.contains(&name) {
                        let uses: i64 = row.try_get("uses").map_err(db)?;
                        return Err(StoreError::Conflict(format!(
                            "“{name}” is the category of {uses} badge{}",
                            if uses == 1 { "" } else { "s" }
                        )));
                    }
                }
                let existing = sqlx::query("select name from ce_categories where issuer_id = $1")
                    .bind(Id(issuer_id))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db)?;
                for row in &existing {
                    let name: String = row.try_get("name").map_err(db)?;
                    if !names.contains(&name) {
                        sqlx::query("delete from ce_categories where issuer_id = $1 and name = $2")
                            .bind(Id(issuer_id))
                            .bind(&name)
                            .execute(&mut *tx)
                            .await
                            .map_err(db)?;
                    }
                }
                for (position, name) in names.iter().enumerate() {
                    sqlx::query(
                        "insert into ce_categories (issuer_id, name, position) values ($1, $2, $3)
                         on conflict (issuer_id, name) do update set position = excluded.position",
                    )
                    .bind(Id(issuer_id))
                    .bind(name)
                    .bind(i32::try_from(position).unwrap_or(i32::MAX))
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                }
                tx.commit().await.map_err(db)
            }

            async fn achievement_categories(
                &self,
                issuer_id: Option<Uuid>,
            ) -> StoreResult<HashMap<Uuid, String>> {
                let rows = match issuer_id {
                    Some(issuer_id) => sqlx::query(
                        "select achievement_id, name from achievement_categories where issuer_id = $1",
                    )
                    .bind(Id(issuer_id))
                    .fetch_all(&self.$reader)
                    .await
                    .map_err(db)?,
                    None => sqlx::query("select achievement_id, name from achievement_categories")
                        .fetch_all(&self.$reader)
                        .await
                        .map_err(db)?,
                };
                rows.iter()
                    .map(|row| {
                        Ok((
                            row.try_get::<Id, _>("achievement_id").map_err(db)?.0,
                            row.try_get::<String, _>("name").map_err(db)?,
                        ))
                    })
                    .collect()
            }

            async fn set_achievement_category(
                &self,
                achievement_id: Uuid,
                category: Option<&str>,
            ) -> StoreResult<()> {
                let mut tx = self.write().await?;
                let row = sqlx::query("select issuer_id from achievements where id = $1")
                    .bind(Id(achievement_id))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db)?;
                let issuer_id: Id = row.try_get("issuer_id").map_err(db)?;
                match category {
                    None => {
                        sqlx::query("delete from achievement_categories where achievement_id = $1")
                            .bind(Id(achievement_id))
                            .execute(&mut *tx)
                            .await
                            .map_err(db)?;
                    }
                    Some(name) => {
                        sqlx::query(
                            "insert into achievement_categories (achievement_id, issuer_id, name)
                             values ($1, $2, $3)
                             on conflict (achievement_id) do update set name = excluded.name",
                        )
                        .bind(Id(achievement_id))
                        .bind(issuer_id)
                        .bind(name)
                        .execute(&mut *tx)
                        .await
                        .map_err(db)?;
                    }
                }
                tx.commit().await.map_err(db)
            }
        }
    };
}

pub(crate) use category_store;
