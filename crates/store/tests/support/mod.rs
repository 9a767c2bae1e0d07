//! Test databases and fixtures for the store suite.
//!
//! [`TestDb`] is a fresh, empty database per test: a SQLite file in a temporary folder, or a
//! PostgreSQL database created for the test on the server `LAUREL_TEST_POSTGRES_URL` names and
//! dropped afterwards. Tests open as many stores (pools) on it as they like, which is how two
//! instances sharing one database are simulated.

use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};
use laurel_store::{Achievement, ApiToken, Award, Issuer, IssuerKey, KeyPurpose, Store};
use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};
use uuid::Uuid;

/// The variable naming the PostgreSQL server for tests.
const POSTGRES_ENV: &str = "LAUREL_TEST_POSTGRES_URL";

/// One test's database.
pub struct TestDb {
    /// The database URL stores connect to.
    pub url: String,
    /// Keeps the SQLite folder until the test ends.
    _dir: Option<tempfile::TempDir>,
    /// For PostgreSQL: the server URL and the database to drop at the end.
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// A SQLite file, in a folder that does not exist yet (the store creates it).
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}/data/laurel.db", dir.path().display());
        TestDb {
            url,
            _dir: Some(dir),
            postgres: None,
        }
    }

    /// A new PostgreSQL database, or `None` when `LAUREL_TEST_POSTGRES_URL` is unset.
    ///
    /// # Panics
    /// When the variable is set but the server cannot be reached or refuses to create a
    /// database: a configured PostgreSQL that does not work is a failure, never a skip.
    pub async fn postgres() -> Option<TestDb> {
        let server = std::env::var(POSTGRES_ENV)
            .ok()
            .filter(|url| !url.is_empty())?;
        let name = format!("laurel_test_{}", Uuid::new_v4().simple());
        let mut conn = PgConnection::connect(&server).await.unwrap_or_else(|e| {
            panic!("{POSTGRES_ENV} is set but PostgreSQL cannot be reached: {e}")
        });
        conn.execute(AssertSqlSafe(format!("create database {name}")))
            .await
            .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
        let _ = conn.close().await;
        let url = with_database(&server, &name);
        Some(TestDb {
            url,
            _dir: None,
            postgres: Some((server, name)),
        })
    }

    /// A new store (its own pool) on this database, migrated.
    pub async fn open(&self) -> Arc<dyn Store> {
        laurel_store::connect(&self.url)
            .await
            .expect("the test database opens")
    }
}

impl Drop for TestDb {
    /// Drops a PostgreSQL test database, best effort. Drop cannot await, and the test's own
    /// runtime may be gone or busy, so a short-lived thread with its own runtime does it.
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else {
            return;
        };
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut conn = PgConnection::connect(&server).await?;
                let sql = format!("drop database if exists {name} with (force)");
                conn.execute(AssertSqlSafe(sql)).await?;
                conn.close().await
            })?;
            Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop a test database: {e}");
        }
    }
}

/// `url` with its database name replaced.
fn with_database(url: &str, name: &str) -> String {
    let authority = url.find("://").map_or(0, |i| i + 3);
    let (head, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let base = match head[authority..].find('/') {
        Some(slash) => &head[..authority + slash],
        None => head,
    };
    format!("{base}/{name}{query}")
}

/// Now, to the microsecond: what both databases keep.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

pub fn issuer(name: &str) -> Issuer {
    let at = now();
    Issuer {
        id: Uuid::now_v7(),
        name: name.to_string(),
        url: Some("https://example.org".into()),
        email: Some("badges@example.org".into()),
        description: Some("Issues badges. « Ünïcode » too.".into()),
        image: None,
        jwt_algorithm: "ES256".into(),
        created_at: at,
        updated_at: at,
    }
}

pub fn key(issuer_id: Uuid, purpose: KeyPurpose) -> IssuerKey {
    IssuerKey {
        id: Uuid::now_v7(),
        issuer_id,
        purpose,
        algorithm: "Ed25519".into(),
        public_jwk:
            r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#
                .into(),
        sealed_private_key: (0..=255u8).collect(),
        created_at: now(),
        retired_at: None,
    }
}

pub fn achievement(issuer_id: Uuid, name: &str) -> Achievement {
    let at = now();
    Achievement {
        id: Uuid::now_v7(),
        issuer_id,
        name: name.to_string(),
        description: "Completed the course.".into(),
        criteria_narrative: Some("Pass the *final* exam.".into()),
        criteria_url: None,
        image: None,
        achievement_type: Some("Course".into()),
        tags: vec!["rust".into(), "databases".into()],
        alignment: r#"[{"type":["Alignment"],"targetName":"X","targetUrl":"https://x.example"}]"#
            .into(),
        credits_available: Some(1.5),
        valid_for_days: Some(365),
        created_at: at,
        updated_at: at,
    }
}

pub fn award(achievement: &Achievement, email: &str) -> Award {
    let id = Uuid::now_v7();
    Award {
        id,
        achievement_id: achievement.id,
        issuer_id: achievement.issuer_id,
        recipient_email: email.to_string(),
        recipient_name: Some("Ada Lovelace".into()),
        issued_at: now(),
        valid_until: None,
        credential: format!(r#"{{"id":"urn:uuid:{id}","type":["VerifiableCredential"]}}"#),
        jwt: format!("eyJ.{id}.sig"),
    }
}

pub fn token(name: &str) -> ApiToken {
    ApiToken {
        id: Uuid::now_v7(),
        name: name.to_string(),
        scopes: vec!["issue".into(), "read".into()],
        created_at: now(),
        revoked_at: None,
    }
}

/// An issuer and one of its achievements, stored.
pub async fn issuer_with_achievement(store: &dyn Store) -> (Issuer, Achievement) {
    let issuer = issuer("Example University");
    store
        .create_issuer(&issuer, &[])
        .await
        .expect("issuer stored");
    let achievement = achievement(issuer.id, "Databases 101");
    store
        .create_achievement(&achievement)
        .await
        .expect("achievement stored");
    (issuer, achievement)
}

#[test]
fn database_names_are_replaced() {
    assert_eq!(
        with_database("postgres://u@h:5432/test", "x"),
        "postgres://u@h:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h/test?sslmode=disable", "x"),
        "postgres://u@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://u:p@h", "x"), "postgres://u:p@h/x");
}
