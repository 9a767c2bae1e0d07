//! [`CatalogStore`](crate::CatalogStore) on PostgreSQL.

use super::*;

#[async_trait]
impl crate::CatalogStore for PostgresStore {
    async fn create_issuer(&self, issuer: &Issuer, keys: &[IssuerKey]) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "insert into issuers
                 (id, name, url, email, description, image, jwt_algorithm, brand_color,
                  show_award_count, linkedin_organization_id, include_recipient_name,
                  created_at, updated_at, paper_size, signatory_name, signatory_title)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(issuer.id)
        .bind(&issuer.name)
        .bind(&issuer.url)
        .bind(&issuer.email)
        .bind(&issuer.description)
        .bind(&issuer.image)
        .bind(&issuer.jwt_algorithm)
        .bind(&issuer.brand_color)
        .bind(issuer.show_award_count)
        .bind(&issuer.linkedin_organization_id)
        .bind(issuer.include_recipient_name)
        .bind(Ts(issuer.created_at))
        .bind(Ts(issuer.updated_at))
        .bind(issuer.paper_size.as_str())
        .bind(&issuer.signatory_name)
        .bind(&issuer.signatory_title)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        for k in keys {
            insert_key(&mut tx, k).await?;
        }
        tx.commit().await.map_err(db)
    }

    async fn update_issuer(&self, issuer: &Issuer) -> StoreResult<()> {
        let done = sqlx::query(
            "update issuers set name = $2, url = $3, email = $4, description = $5, image = $6,
                 jwt_algorithm = $7, brand_color = $8, show_award_count = $9,
                 linkedin_organization_id = $10, updated_at = $11,
                 include_recipient_name = $12, paper_size = $13, signatory_name = $14,
                 signatory_title = $15
             where id = $1",
        )
        .bind(issuer.id)
        .bind(&issuer.name)
        .bind(&issuer.url)
        .bind(&issuer.email)
        .bind(&issuer.description)
        .bind(&issuer.image)
        .bind(&issuer.jwt_algorithm)
        .bind(&issuer.brand_color)
        .bind(issuer.show_award_count)
        .bind(&issuer.linkedin_organization_id)
        .bind(Ts(issuer.updated_at))
        .bind(issuer.include_recipient_name)
        .bind(issuer.paper_size.as_str())
        .bind(&issuer.signatory_name)
        .bind(&issuer.signatory_title)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        match done.rows_affected() {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    async fn issuer(&self, id: Uuid) -> StoreResult<Issuer> {
        let sql = concat!("select ", issuer_columns!(), " from issuers where id = $1");
        let row = sqlx::query(sql)
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(db)?;
        issuer(&row)
    }

    async fn list_issuers(&self) -> StoreResult<Vec<Issuer>> {
        let sql = concat!(
            "select ",
            issuer_columns!(),
            " from issuers order by created_at, id"
        );
        let rows = sqlx::query(sql).fetch_all(&self.pool).await.map_err(db)?;
        rows.iter().map(issuer).collect()
    }

    async fn issuer_keys(&self, issuer_id: Uuid) -> StoreResult<Vec<IssuerKey>> {
        let sql = concat!(
            "select ",
            key_columns!(),
            " from issuer_keys where issuer_id = $1 order by created_at, id"
        );
        let rows = sqlx::query(sql)
            .bind(issuer_id)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(key).collect()
    }

    async fn all_keys(&self) -> StoreResult<Vec<IssuerKey>> {
        let sql = concat!(
            "select ",
            key_columns!(),
            " from issuer_keys order by created_at, id"
        );
        let rows = sqlx::query(sql).fetch_all(&self.pool).await.map_err(db)?;
        rows.iter().map(key).collect()
    }

    async fn put_image(&self, image: &Image) -> StoreResult<()> {
        sqlx::query(
            "insert into images (sha256, content_type, bytes) values ($1, $2, $3)
             on conflict (sha256) do nothing",
        )
        .bind(&image.sha256)
        .bind(&image.content_type)
        .bind(&image.bytes)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn image(&self, sha256: &str) -> StoreResult<Image> {
        let (content_type, bytes) =
            sqlx::query_as("select content_type, bytes from images where sha256 = $1")
                .bind(sha256)
                .fetch_one(&self.pool)
                .await
                .map_err(db)?;
        Ok(Image {
            sha256: sha256.to_string(),
            content_type,
            bytes,
        })
    }

    async fn create_achievement(&self, a: &Achievement) -> StoreResult<()> {
        sqlx::query(
            "insert into achievements (id, issuer_id, name, description, criteria_narrative,
                 criteria_url, image, achievement_type, tags, alignment, credits_available,
                 valid_for_days, award_rules, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(a.id)
        .bind(a.issuer_id)
        .bind(&a.name)
        .bind(&a.description)
        .bind(&a.criteria_narrative)
        .bind(&a.criteria_url)
        .bind(&a.image)
        .bind(&a.achievement_type)
        .bind(list_to_json(&a.tags))
        .bind(&a.alignment)
        .bind(a.credits_available)
        .bind(a.valid_for_days)
        .bind(&a.award_rules)
        .bind(Ts(a.created_at))
        .bind(Ts(a.updated_at))
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn update_achievement(&self, a: &Achievement) -> StoreResult<()> {
        let done = sqlx::query(
            "update achievements set name = $2, description = $3, criteria_narrative = $4,
                 criteria_url = $5, image = $6, achievement_type = $7, tags = $8, alignment = $9,
                 credits_available = $10, valid_for_days = $11, award_rules = $12,
                 updated_at = $13
             where id = $1",
        )
        .bind(a.id)
        .bind(&a.name)
        .bind(&a.description)
        .bind(&a.criteria_narrative)
        .bind(&a.criteria_url)
        .bind(&a.image)
        .bind(&a.achievement_type)
        .bind(list_to_json(&a.tags))
        .bind(&a.alignment)
        .bind(a.credits_available)
        .bind(a.valid_for_days)
        .bind(&a.award_rules)
        .bind(Ts(a.updated_at))
        .execute(&self.pool)
        .await
        .map_err(db)?;
        match done.rows_affected() {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    async fn achievement(&self, id: Uuid) -> StoreResult<Achievement> {
        let sql = concat!(
            "select ",
            achievement_columns!(),
            " from achievements where id = $1"
        );
        let row = sqlx::query(sql)
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(db)?;
        achievement(&row)
    }

    async fn list_achievements(&self, issuer_id: Option<Uuid>) -> StoreResult<Vec<Achievement>> {
        // `$1 is null` keeps one statement for both cases; the table is small.
        let sql = concat!(
            "select ",
            achievement_columns!(),
            " from achievements where $1::uuid is null or issuer_id = $1 order by created_at, id"
        );
        let rows = sqlx::query(sql)
            .bind(issuer_id)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(achievement).collect()
    }

    async fn rotate_keys(
        &self,
        issuer_id: Uuid,
        new_keys: &[IssuerKey],
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        status::rotate_keys(self, issuer_id, new_keys, at).await
    }

    async fn compromise_key(&self, key_id: Uuid, since: DateTime<Utc>) -> StoreResult<IssuerKey> {
        status::compromise_key(self, key_id, since).await
    }
}
