//! Throwaway PostgreSQL databases, for tests and benchmarks.
//!
//! Tests that run on PostgreSQL each get a database of their own on the server
//! `LAUREL_TEST_POSTGRES_URL` names, so they run in parallel without seeing each other's rows;
//! the benchmark does the same. One implementation serves the store suite, the server's tests
//! and the benchmark. Not used by the service itself.

use sqlx::{AssertSqlSafe, Connection as _, Executor as _, PgConnection};

use crate::{StoreError, StoreResult, shared::db};

/// A database created on a PostgreSQL server and dropped (best effort) when this is dropped.
#[derive(Debug)]
pub struct ScratchDatabase {
    url: String,
    server: String,
    name: String,
}

impl ScratchDatabase {
    /// Creates `{prefix}_{random}` on the server `server` names (a URL whose user may create
    /// databases).
    pub async fn create(server: &str, prefix: &str) -> StoreResult<ScratchDatabase> {
        let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
        let mut connection = PgConnection::connect(server).await.map_err(db)?;
        connection
            .execute(AssertSqlSafe(format!("create database {name}")))
            .await
            .map_err(db)?;
        let _ = connection.close().await;
        Ok(ScratchDatabase {
            url: with_database(server, &name),
            server: server.to_string(),
            name,
        })
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for ScratchDatabase {
    /// Drop cannot await, and the caller's runtime may be gone or busy, so a short-lived
    /// thread with its own runtime drops the database.
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| StoreError::Database(e.to_string()))?;
            runtime.block_on(async {
                let mut connection = PgConnection::connect(&server).await.map_err(db)?;
                let sql = format!("drop database if exists {name} with (force)");
                connection.execute(AssertSqlSafe(sql)).await.map_err(db)?;
                connection.close().await.map_err(db)
            })
        })
        .join();
        if let Ok(Err(error)) = dropped {
            eprintln!("could not drop the scratch database: {error}");
        }
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let authority = url.find("://").map_or(0, |i| i + 3);
    let (head, query) = url.split_at(url.find('?').unwrap_or(url.len()));
    let base = match head[authority..].find('/') {
        Some(slash) => &head[..authority + slash],
        None => head,
    };
    format!("{base}/{name}{query}")
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_is_replaced_and_options_kept() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
        assert_eq!(
            with_database("postgres://u@h:5432/test", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(with_database("postgres://u:p@h", "x"), "postgres://u:p@h/x");
    }
}
