//! [`PathwayStore`](crate::PathwayStore) on PostgreSQL (the statements are shared with
//! SQLite: `shared/pathways.rs`).

use super::PostgresStore;

crate::shared::pathways::pathway_store!(
    PostgresStore,
    sqlx::Postgres,
    pool,
    sqlx::postgres::PgRow,
    "(select (value)::uuid from json_array_elements_text($1::json))",
    " for update skip locked"
);
