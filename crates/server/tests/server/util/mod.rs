//! A whole service in-process for tests: a temporary SQLite store, a fixed clock, a fresh
//! vault, `https://badges.example.org` as the public origin, and requests sent straight to
//! the router (no socket) with `tower::ServiceExt::oneshot`.
#![allow(dead_code)]

pub mod forms;
pub mod hosting;
pub mod oid4vci_wallet;
pub mod smtp;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::{DateTime, Utc};
use http_body_util::BodyExt as _;
use laurel_server::middleware::Limits;
use laurel_server::{App, AppState, auth};
use laurel_service::email::EmailOptions;
use laurel_service::{Clock, FixedClock, Service, Urls, Vault};
use laurel_store::ApiToken;
use laurel_verify::{Options, Report, Verdict, Verifier};
use serde_json::{Value, json};
use tower::ServiceExt as _;
use uuid::Uuid;

/// The public origin of test apps.
pub const ORIGIN: &str = "https://badges.example.org";
/// "Now" for test apps.
pub const NOW: &str = "2026-03-01T09:00:00Z";

/// [`NOW`] as a time.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW)
        .expect("NOW is RFC 3339")
        .with_timezone(&Utc)
}

/// A running service without a socket.
pub struct TestApp {
    /// The whole app, as `laurel serve` runs it.
    pub router: axum::Router,
    /// Its state (store, vault, clock…), to look behind the API.
    pub state: AppState,
    /// Holds the database file; deleted when the app is dropped.
    pub dir: tempfile::TempDir,
    /// A token with the `admin` scope.
    pub admin: String,
}

/// How a [`TestApp`] is put together: a fresh SQLite store and vault, [`now`] as a fixed
/// clock, [`ORIGIN`], default email options, limits and no metrics, unless told otherwise.
#[derive(Default)]
pub struct TestAppBuilder {
    store: Option<(Arc<dyn laurel_store::Store>, Vault, tempfile::TempDir)>,
    clock: Option<Arc<dyn Clock>>,
    email: EmailOptions,
    origin: Option<String>,
    limits: Option<Limits>,
    metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    remote_documents: Option<Arc<dyn laurel_verify::Fetch>>,
}

impl TestAppBuilder {
    /// Over `store` (which `dir` may hold), sealing keys with `vault`: two apps over one store
    /// with the same key are two instances of one installation.
    pub fn store(
        mut self,
        store: Arc<dyn laurel_store::Store>,
        vault: Vault,
        dir: tempfile::TempDir,
    ) -> Self {
        self.store = Some((store, vault, dir));
        self
    }

    /// "Now" from `clock` (tests that move time on).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The email worker behaving as `email` says.
    pub fn email(mut self, email: EmailOptions) -> Self {
        self.email = email;
        self
    }

    /// Another public origin.
    pub fn origin(mut self, origin: &str) -> Self {
        self.origin = Some(origin.to_string());
        self
    }

    /// Other body and time limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// `/metrics` rendered from `handle`.
    pub fn metrics(
        mut self,
        handle: Option<metrics_exporter_prometheus::PrometheusHandle>,
    ) -> Self {
        self.metrics = handle;
        self
    }

    /// Documents from elsewhere (wallet holders' did:web documents, endorsers' key documents)
    /// read through `documents` (else none are).
    pub fn remote_documents(mut self, documents: Arc<dyn laurel_verify::Fetch>) -> Self {
        self.remote_documents = Some(documents);
        self
    }

    /// The app, with an admin token.
    pub async fn build(self) -> TestApp {
        let (store, vault, dir) = match self.store {
            Some(parts) => parts,
            None => {
                let dir = tempfile::tempdir().expect("tempdir");
                let url = format!("sqlite://{}", dir.path().join("laurel.db").display());
                let store = laurel_store::connect(&url).await.expect("sqlite store");
                let (vault, _) = Vault::generate().expect("vault");
                (store, vault, dir)
            }
        };
        vault.check(store.as_ref()).await.expect("vault check");
        let clock = self.clock.unwrap_or_else(|| Arc::new(FixedClock(now())));
        let origin = self.origin.as_deref().unwrap_or(ORIGIN);
        let mut service =
            Service::new(store, Urls::new(origin), vault, clock).with_email(self.email);
        if let Some(documents) = self.remote_documents {
            service = service.with_remote_documents(documents);
        }
        let app = App::new(service).with_metrics(self.metrics);
        let state = AppState::new(app);
        let router = laurel_server::router_with(state.clone(), &self.limits.unwrap_or_default());
        let mut app = TestApp {
            router,
            state,
            dir,
            admin: String::new(),
        };
        app.admin = app.token(&["admin"]).await;
        app
    }
}

/// A response, body read.
#[derive(Debug)]
pub struct TestResponse {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl TestResponse {
    /// The body as JSON (panics with the body text if it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&self.body)))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The `Content-Type` header.
    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts a problem+json response with this status; returns its `detail`.
    #[track_caller]
    pub fn problem(&self, status: StatusCode) -> String {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(
            self.content_type(),
            "application/problem+json",
            "{}",
            self.text()
        );
        let body = self.json();
        assert_eq!(body["status"], status.as_u16());
        body["detail"].as_str().expect("detail").to_string()
    }
}

impl TestApp {
    /// A fresh app over a new database, with an admin token: every part at its test default.
    pub async fn new() -> Self {
        Self::builder().build().await
    }

    /// An app put together part by part; what is not given has its test default.
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder::default()
    }

    /// A new token with these scopes.
    pub async fn token(&self, scopes: &[&str]) -> String {
        self.token_with(scopes, |_| {}).await
    }

    /// A new token with these scopes, changed by `shape` (issuers, expiry, emails) before it
    /// is stored.
    pub async fn token_with(&self, scopes: &[&str], shape: impl FnOnce(&mut ApiToken)) -> String {
        let (secret, hash) = auth::new_token();
        let mut token = ApiToken::new(
            Uuid::now_v7(),
            &format!("test-{}", Uuid::new_v4()),
            scopes.iter().map(|s| s.to_string()).collect(),
            now(),
        );
        shape(&mut token);
        self.state
            .store
            .create_token(&token, &hash)
            .await
            .expect("token stored");
        secret
    }

    /// Sends a request; `body` is sent as JSON when given.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> TestResponse {
        let bytes = body.map(|b| b.to_string().into_bytes());
        let content_type = body.map(|_| "application/json");
        self.send(method, path, token, content_type, bytes, &[])
            .await
    }

    /// Sends a request with a raw body and extra headers.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(body.map(Body::from).unwrap_or_else(Body::empty))
            .expect("request");
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// `GET` with the admin token.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.call(Method::GET, path, Some(&self.admin), None).await
    }

    /// `POST` JSON with the admin token.
    pub async fn post(&self, path: &str, body: Value) -> TestResponse {
        self.call(Method::POST, path, Some(&self.admin), Some(&body))
            .await
    }

    /// `PATCH` JSON with the admin token.
    pub async fn patch(&self, path: &str, body: Value) -> TestResponse {
        self.call(Method::PATCH, path, Some(&self.admin), Some(&body))
            .await
    }

    /// Creates an issuer (extra fields merged into a default body); returns its admin view.
    pub async fn issuer(&self, extra: Value) -> Value {
        let mut body = json!({
            "name": "Association des Bibliothécaires",
            "url": "https://bibliotheques.example.org",
            "email": "badges@bibliotheques.example.org",
            "description": "National library association",
        });
        merge(&mut body, extra);
        let response = self.post("/api/v1/issuers", body).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
        response.json()
    }

    /// Creates an achievement of `issuer` (extra fields merged into a default body).
    pub async fn achievement(&self, issuer: &Value, extra: Value) -> Value {
        let mut body = json!({
            "issuer_id": issuer["id"],
            "name": "Catalogage avancé",
            "description": "Atelier de trois heures sur le catalogage RDA.",
            "criteria_narrative": "Assister à l'atelier complet et réussir l'exercice final.",
            "achievement_type": "Course",
            "tags": ["catalogage", "RDA"],
            "credits_available": 3,
        });
        merge(&mut body, extra);
        let response = self.post("/api/v1/achievements", body).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
        response.json()
    }

    /// Awards `achievement` with this body (as the admin); returns the response.
    pub async fn award(&self, achievement: &Value, body: Value) -> TestResponse {
        self.post(
            &format!("/api/v1/achievements/{}/awards", id(achievement)),
            body,
        )
        .await
    }

    /// An issuer's keys and status lists as the service publishes them: what a verifier pins
    /// with `--keys` and `--status-list`.
    pub async fn pinned(&self, issuer: &Value) -> Pinned {
        let issuer_id = Uuid::parse_str(&id(issuer)).expect("issuer id");
        let mut lists = Vec::new();
        for list in self
            .state
            .store
            .status_lists(Some(issuer_id))
            .await
            .expect("status lists")
        {
            let response = self
                .call(Method::GET, &format!("/status/{}", list.id), None, None)
                .await;
            assert_eq!(response.status, StatusCode::OK, "{}", response.text());
            lists.push(response.json());
        }
        Pinned {
            keys: self.key_document(issuer).await,
            lists,
        }
    }

    /// The controller document of an issuer's public keys (both purposes, retired and
    /// compromised ones marked), as `/issuers/{id}/keys` publishes it: what a verifier pins
    /// with `--keys`.
    pub async fn key_document(&self, issuer: &Value) -> Value {
        let response = self
            .call(
                Method::GET,
                &format!("/issuers/{}/keys", id(issuer)),
                None,
                None,
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        response.json()
    }
}

/// A PostgreSQL database made for one test on the server `LAUREL_TEST_POSTGRES_URL` names,
/// dropped when this is dropped.
pub struct PostgresDb {
    /// The database's URL.
    pub url: String,
    _database: laurel_store::ScratchDatabase,
}

impl PostgresDb {
    /// A new database, or `None` when `LAUREL_TEST_POSTGRES_URL` is unset. Panics when it is
    /// set but unusable: a configured PostgreSQL that fails is a failure, never a skip.
    pub async fn create() -> Option<Self> {
        let server = std::env::var("LAUREL_TEST_POSTGRES_URL")
            .ok()
            .filter(|url| !url.is_empty())?;
        let database = laurel_store::ScratchDatabase::create(&server, "laurel_server_test")
            .await
            .unwrap_or_else(|e| panic!("LAUREL_TEST_POSTGRES_URL is set but unusable: {e}"));
        Some(PostgresDb {
            url: database.url().to_string(),
            _database: database,
        })
    }
}

/// What a verifier pins to check an issuer's credentials offline: its keys and its status
/// lists, as the service publishes them.
pub struct Pinned {
    /// The controller document of the issuer's keys.
    pub keys: Value,
    /// Every status list of the issuer, as served.
    pub lists: Vec<Value>,
}

/// Verifies credential bytes (JSON or JWT) offline with the issuer's keys and status lists
/// pinned, a day after issuing, checking the recipient's email against the hashed identifier.
pub fn verify(pinned: &Pinned, bytes: &[u8], email: &str) -> Report {
    let mut options = Options::offline(now() + chrono::Duration::days(1));
    options
        .keys
        .add_document(&pinned.keys, "issuer-keys.json")
        .expect("keys");
    options.status_lists = pinned.lists.clone();
    options.recipient = Some(email.to_string());
    Verifier::new(options).verify_bytes(bytes)
}

#[track_caller]
pub fn assert_valid(report: &Report) {
    assert_eq!(
        report.verdict,
        Verdict::Valid,
        "{}",
        report.to_text("credential")
    );
}

/// The `id` field of an admin view, as text.
pub fn id(view: &Value) -> String {
    view["id"].as_str().expect("id").to_string()
}

fn merge(body: &mut Value, extra: Value) {
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        for (key, value) in extra {
            if value.is_null() {
                body.remove(&key);
            } else {
                body.insert(key, value);
            }
        }
    }
}
