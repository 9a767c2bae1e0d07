//! [`PathwayStore`](crate::PathwayStore) on SQLite (the statements are shared with
//! PostgreSQL: `shared/pathways.rs`).

use super::SqliteStore;

crate::shared::pathways::pathway_store!(
    SqliteStore,
    sqlx::Sqlite,
    reader,
    sqlx::sqlite::SqliteRow,
    "(select value from json_each($1))",
    ""
);
