//! [`EndorsementStore`](crate::EndorsementStore) on PostgreSQL (the statements are shared:
//! `shared/endorsements.rs`).

use super::PostgresStore;

crate::shared::endorsements::endorsement_store!(PostgresStore, pool, sqlx::postgres::PgRow);
