//! Reading PostgreSQL rows into the store's types.
//!
//! Each reader takes the columns its `*_columns!` list (in `shared.rs`) selects. Ids,
//! timestamps and bytes decode natively; lists are JSON text, as on SQLite. Anything unreadable
//! is [`crate::StoreError::Corrupt`], never a panic.

use sqlx::Row;
use sqlx::postgres::PgRow;

use crate::shared::{db, list_from_json, purpose, status};
use crate::{Achievement, ApiToken, Award, IdempotentResponse, Issuer, IssuerKey, StoreResult};

pub(super) fn token(row: &PgRow) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: row.try_get("id").map_err(db)?,
        name: row.try_get("name").map_err(db)?,
        scopes: list_from_json(row.try_get("scopes").map_err(db)?, "api_tokens.scopes")?,
        created_at: row.try_get("created_at").map_err(db)?,
        revoked_at: row.try_get("revoked_at").map_err(db)?,
    })
}

pub(super) fn issuer(row: &PgRow) -> StoreResult<Issuer> {
    Ok(Issuer {
        id: row.try_get("id").map_err(db)?,
        name: row.try_get("name").map_err(db)?,
        url: row.try_get("url").map_err(db)?,
        email: row.try_get("email").map_err(db)?,
        description: row.try_get("description").map_err(db)?,
        image: row.try_get("image").map_err(db)?,
        jwt_algorithm: row.try_get("jwt_algorithm").map_err(db)?,
        created_at: row.try_get("created_at").map_err(db)?,
        updated_at: row.try_get("updated_at").map_err(db)?,
    })
}

pub(super) fn key(row: &PgRow) -> StoreResult<IssuerKey> {
    Ok(IssuerKey {
        id: row.try_get("id").map_err(db)?,
        issuer_id: row.try_get("issuer_id").map_err(db)?,
        purpose: purpose(row.try_get("purpose").map_err(db)?)?,
        algorithm: row.try_get("algorithm").map_err(db)?,
        public_jwk: row.try_get("public_jwk").map_err(db)?,
        sealed_private_key: row.try_get("sealed_private_key").map_err(db)?,
        created_at: row.try_get("created_at").map_err(db)?,
        retired_at: row.try_get("retired_at").map_err(db)?,
    })
}

pub(super) fn achievement(row: &PgRow) -> StoreResult<Achievement> {
    Ok(Achievement {
        id: row.try_get("id").map_err(db)?,
        issuer_id: row.try_get("issuer_id").map_err(db)?,
        name: row.try_get("name").map_err(db)?,
        description: row.try_get("description").map_err(db)?,
        criteria_narrative: row.try_get("criteria_narrative").map_err(db)?,
        criteria_url: row.try_get("criteria_url").map_err(db)?,
        image: row.try_get("image").map_err(db)?,
        achievement_type: row.try_get("achievement_type").map_err(db)?,
        tags: list_from_json(row.try_get("tags").map_err(db)?, "achievements.tags")?,
        alignment: row.try_get("alignment").map_err(db)?,
        credits_available: row.try_get("credits_available").map_err(db)?,
        valid_for_days: row.try_get("valid_for_days").map_err(db)?,
        created_at: row.try_get("created_at").map_err(db)?,
        updated_at: row.try_get("updated_at").map_err(db)?,
    })
}

pub(super) fn award(row: &PgRow) -> StoreResult<Award> {
    Ok(Award {
        id: row.try_get("id").map_err(db)?,
        achievement_id: row.try_get("achievement_id").map_err(db)?,
        issuer_id: row.try_get("issuer_id").map_err(db)?,
        recipient_email: row.try_get("recipient_email").map_err(db)?,
        recipient_name: row.try_get("recipient_name").map_err(db)?,
        issued_at: row.try_get("issued_at").map_err(db)?,
        valid_until: row.try_get("valid_until").map_err(db)?,
        credential: row.try_get("credential").map_err(db)?,
        jwt: row.try_get("jwt").map_err(db)?,
    })
}

pub(super) fn idempotent(row: &PgRow) -> StoreResult<IdempotentResponse> {
    Ok(IdempotentResponse {
        key: row.try_get("key").map_err(db)?,
        token_id: row.try_get("token_id").map_err(db)?,
        request_hash: row.try_get("request_hash").map_err(db)?,
        status: status(i64::from(row.try_get::<i32, _>("status").map_err(db)?))?,
        body: row.try_get("body").map_err(db)?,
        created_at: row.try_get("created_at").map_err(db)?,
    })
}
