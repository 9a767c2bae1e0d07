//! [`EndorsementStore`](crate::EndorsementStore) on SQLite (the statements are shared:
//! `shared/endorsements.rs`).

use super::SqliteStore;

crate::shared::endorsements::endorsement_store!(SqliteStore, reader, sqlx::sqlite::SqliteRow);
