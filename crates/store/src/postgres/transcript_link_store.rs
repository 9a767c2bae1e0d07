//! [`TranscriptLinkStore`](crate::TranscriptLinkStore) on PostgreSQL (the statements are
//! shared with SQLite: `shared/transcript_links.rs`).

use super::PostgresStore;

crate::shared::transcript_links::transcript_link_store!(PostgresStore, pool, sqlx::postgres::PgRow);
