//! Test databases and fixtures for the store suite.
//!
//! [`TestDb`] is a fresh, empty database per test: a SQLite file in a temporary folder, or a
//! PostgreSQL database created for the test on the server `LAUREL_TEST_POSTGRES_URL` names and
//! dropped afterwards. Tests open as many stores (pools) on it as they like, which is how two
//! instances sharing one database are simulated.

use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};
use laurel_store::{
    Achievement, ApiToken, Attendance, Award, Completion, Event, EventFormat, ImportJob,
    ImportStatus, Issuer, IssuerKey, KeyPurpose, ScratchDatabase, Series, Store,
};
use uuid::Uuid;

/// The variable naming the PostgreSQL server for tests.
const POSTGRES_ENV: &str = "LAUREL_TEST_POSTGRES_URL";

/// One test's database.
pub struct TestDb {
    /// The database URL stores connect to.
    pub url: String,
    /// Keeps the SQLite folder until the test ends.
    _dir: Option<tempfile::TempDir>,
    /// For PostgreSQL: the database, dropped when the test ends.
    _postgres: Option<ScratchDatabase>,
}

impl TestDb {
    /// A SQLite file, in a folder that does not exist yet (the store creates it).
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}/data/laurel.db", dir.path().display());
        TestDb {
            url,
            _dir: Some(dir),
            _postgres: None,
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
        let database = ScratchDatabase::create(&server, "laurel_test")
            .await
            .unwrap_or_else(|e| {
                panic!("{POSTGRES_ENV} is set but PostgreSQL cannot be reached: {e}")
            });
        Some(TestDb {
            url: database.url().to_string(),
            _dir: None,
            _postgres: Some(database),
        })
    }

    /// A new store (its own pool) on this database, migrated.
    pub async fn open(&self) -> Arc<dyn Store> {
        laurel_store::connect(&self.url)
            .await
            .expect("the test database opens")
    }
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
        brand_color: None,
        show_award_count: true,
        linkedin_organization_id: None,
        include_recipient_name: true,
        paper_size: laurel_store::PaperSize::Letter,
        signatory_name: None,
        signatory_title: None,
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
        compromised_since: None,
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
        award_rules: "[]".into(),
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
        status: None,
        revoked_at: None,
        revocation_reason: None,
        suspended_at: None,
        suspension_reason: None,
        role: Some("Presenter".into()),
    }
}

pub fn series(issuer_id: Uuid, title: &str) -> Series {
    let at = now();
    Series {
        id: Uuid::now_v7(),
        issuer_id,
        title: title.to_string(),
        description: Some("Three webinars. « Ünïcode » too.".into()),
        created_at: at,
        updated_at: at,
    }
}

pub fn event(issuer_id: Uuid, series_id: Option<Uuid>, starts_at: DateTime<Utc>) -> Event {
    let at = now();
    Event {
        id: Uuid::now_v7(),
        issuer_id,
        series_id,
        title: "Cataloguing basics".into(),
        starts_at,
        duration_minutes: 90,
        format: EventFormat::Online,
        created_at: at,
        updated_at: at,
    }
}

pub fn attendance(event_id: Uuid, email: &str, minutes: u32) -> Attendance {
    Attendance {
        event_id,
        recipient_email: email.to_string(),
        recipient_name: None,
        minutes,
        first_join: None,
        last_leave: None,
        source: "api".into(),
        recorded_at: now(),
        role: None,
    }
}

pub fn completion(issuer_id: Uuid, what: &str, email: &str) -> Completion {
    Completion {
        id: Uuid::now_v7(),
        issuer_id,
        what: what.to_string(),
        recipient_email: email.to_string(),
        recipient_name: Some("Ada Lovelace".into()),
        completed_at: now(),
        score: Some("87".into()),
        evidence: Some("https://lms.example.org/grades/1".into()),
        recorded_at: now(),
        role: Some("Mentor".into()),
    }
}

pub fn import_job(event_id: Uuid) -> ImportJob {
    let at = now();
    ImportJob {
        id: Uuid::now_v7(),
        event_id,
        status: ImportStatus::Queued,
        dry_run: false,
        file_name: Some("zoom-report.csv".into()),
        total_rows: 0,
        processed_rows: 0,
        result: None,
        error: None,
        created_at: at,
        updated_at: at,
        finished_at: None,
    }
}

pub fn token(name: &str) -> ApiToken {
    ApiToken::new(
        Uuid::now_v7(),
        name,
        vec!["issue".into(), "read".into()],
        now(),
    )
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

/// An issuer and one of its events (in no series), stored.
pub async fn issuer_with_event(store: &dyn Store) -> (Issuer, Event) {
    let issuer = issuer("Example Library");
    store
        .create_issuer(&issuer, &[])
        .await
        .expect("issuer stored");
    let event = event(issuer.id, None, now());
    store.create_event(&event).await.expect("event stored");
    (issuer, event)
}
