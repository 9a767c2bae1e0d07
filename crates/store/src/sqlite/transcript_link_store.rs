//! [`TranscriptLinkStore`](crate::TranscriptLinkStore) on SQLite (the statements are shared
//! with PostgreSQL: `shared/transcript_links.rs`).

use super::SqliteStore;

crate::shared::transcript_links::transcript_link_store!(
    SqliteStore,
    reader,
    sqlx::sqlite::SqliteRow
);
