//! [`CategoryStore`](crate::CategoryStore) on PostgreSQL (the statements are shared: `shared/categories.rs`).

use super::PostgresStore;

crate::shared::categories::category_store!(PostgresStore, pool);
