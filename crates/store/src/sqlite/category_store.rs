//! [`CategoryStore`](crate::CategoryStore) on SQLite (the statements are shared: `shared/categories.rs`).

use super::SqliteStore;

crate::shared::categories::category_store!(SqliteStore, reader);
