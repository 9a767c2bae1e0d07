//! [`ServiceStore`](crate::ServiceStore) on SQLite.

use super::*;

#[async_trait]
impl crate::ServiceStore for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("select 1")
            .execute(&self.reader)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn setting(&self, name: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("select value from settings where name = $1")
            .bind(name)
            .fetch_optional(&self.reader)
            .await
            .map_err(db)
    }

    async fn setting_init(&self, name: &str, value: &str) -> StoreResult<String> {
        let mut tx = self.write().await?;
        sqlx::query(
            "insert into settings (name, value) values ($1, $2) on conflict (name) do nothing",
        )
        .bind(name)
        .bind(value)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let stored = sqlx::query_scalar("select value from settings where name = $1")
            .bind(name)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(stored)
    }

    async fn set_setting(&self, name: &str, value: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "insert into settings (name, value) values ($1, $2) \
             on conflict (name) do update set value = excluded.value",
        )
        .bind(name)
        .bind(value)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn create_token(&self, token: &ApiToken, secret_sha256: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "insert into api_tokens (id, name, secret_sha256, scopes, created_at, revoked_at,
                 issuer_ids, expires_at, last_used_at, with_emails)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(Id(token.id))
        .bind(&token.name)
        .bind(secret_sha256)
        .bind(list_to_json(&token.scopes))
        .bind(Ts(token.created_at))
        .bind(token.revoked_at.map(Ts))
        .bind(list_to_json(
            &token
                .issuer_ids
                .iter()
                .map(|i| Id(*i).to_string())
                .collect::<Vec<_>>(),
        ))
        .bind(token.expires_at.map(Ts))
        .bind(token.last_used_at.map(Ts))
        .bind(token.with_emails)
        .execute(&mut *tx)
        .await
        .map_err(|e| match unique_on(&e, "api_tokens.name") {
            true => StoreError::Conflict(format!("a token named {} already exists", token.name)),
            false => db(e),
        })?;
        tx.commit().await.map_err(db)
    }

    async fn token_by_secret(&self, secret_sha256: &str) -> StoreResult<Option<ApiToken>> {
        let sql = concat!(
            "select ",
            token_columns!(),
            " from api_tokens where secret_sha256 = $1 and revoked_at is null"
        );
        let row = sqlx::query(sql)
            .bind(secret_sha256)
            .fetch_optional(&self.reader)
            .await
            .map_err(db)?;
        row.as_ref().map(token).transpose()
    }

    async fn list_tokens(&self) -> StoreResult<Vec<ApiToken>> {
        let sql = concat!(
            "select ",
            token_columns!(),
            " from api_tokens order by created_at, id"
        );
        let rows = sqlx::query(sql).fetch_all(&self.reader).await.map_err(db)?;
        rows.iter().map(token).collect()
    }

    async fn touch_token(&self, token_id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.write().await?;
        // A later time only: two instances touching at once never move it back.
        sqlx::query(
            "update api_tokens set last_used_at = $2
             where id = $1 and (last_used_at is null or last_used_at < $2)",
        )
        .bind(Id(token_id))
        .bind(Ts(at))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn revoke_token(&self, name_or_id: &str, at: DateTime<Utc>) -> StoreResult<ApiToken> {
        // An id matches first, then a name. Revoking twice keeps the first time.
        let by_id = concat!(
            "update api_tokens set revoked_at = coalesce(revoked_at, $2)",
            " where id = $1 returning ",
            token_columns!()
        );
        let by_name = concat!(
            "update api_tokens set revoked_at = coalesce(revoked_at, $2)",
            " where name = $1 returning ",
            token_columns!()
        );
        let mut tx = self.write().await?;
        let mut row = None;
        if let Ok(token_id) = Uuid::parse_str(name_or_id) {
            row = sqlx::query(by_id)
                .bind(Id(token_id))
                .bind(Ts(at))
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        }
        if row.is_none() {
            row = sqlx::query(by_name)
                .bind(name_or_id)
                .bind(Ts(at))
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        }
        let revoked = token(row.as_ref().ok_or(StoreError::NotFound)?)?;
        tx.commit().await.map_err(db)?;
        Ok(revoked)
    }

    async fn idempotent_response(
        &self,
        key: &str,
        token_id: Uuid,
    ) -> StoreResult<Option<IdempotentResponse>> {
        let sql = concat!(
            "select ",
            idempotent_columns!(),
            " from idempotency where key = $1 and token_id = $2"
        );
        let row = sqlx::query(sql)
            .bind(key)
            .bind(Id(token_id))
            .fetch_optional(&self.reader)
            .await
            .map_err(db)?;
        row.as_ref().map(idempotent).transpose()
    }

    async fn save_idempotent_response(
        &self,
        r: &IdempotentResponse,
    ) -> StoreResult<IdempotentResponse> {
        let mut tx = self.write().await?;
        sqlx::query(
            "insert into idempotency (key, token_id, request_hash, status, body, created_at)
             values ($1, $2, $3, $4, $5, $6)
             on conflict (key, token_id) do nothing",
        )
        .bind(&r.key)
        .bind(Id(r.token_id))
        .bind(&r.request_hash)
        .bind(i64::from(r.status))
        .bind(&r.body)
        .bind(Ts(r.created_at))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let sql = concat!(
            "select ",
            idempotent_columns!(),
            " from idempotency where key = $1 and token_id = $2"
        );
        let row = sqlx::query(sql)
            .bind(&r.key)
            .bind(Id(r.token_id))
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        idempotent(&row)
    }
}
