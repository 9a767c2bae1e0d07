//! The Laurel service's HTTP side: an axum app over the domain ([`laurel_service::Service`]).
//!
//! Everything here adapts HTTP to the domain and back: parsing requests, checking tokens and
//! sessions, rendering JSON, problem+json and HTML. What the service *does* (minting, rules,
//! revocation, email) lives in `laurel-service`; this crate never signs or decides on its own.
//!
//! # Layout
//! - [`auth`]: bearer tokens with scopes (`admin`, `issue`, `read`), optionally limited to issuers.
//! - [`api`]: the admin API under `/api/v1` and its OpenAPI document.
//! - [`public`]: unauthenticated hosting of profiles, achievements, credentials, keys, images.
//! - [`pages`]: the same public URLs as HTML for browsers (content negotiation), with a live
//!   verification on credential pages.
//! - [`console`]: the staff console (sign-in, roles, audit log, dashboard) as HTML.
//! - [`middleware`]: request ids, logs, limits, the problem+json mapper, security headers.
//! - [`health`]: `/healthz` and `/readyz`. [`telemetry`]: `/metrics` and its recorder.
//! - [`routes`]: the one route-table type the API and the console are built from, and path ids.
//! - [`cache`]: a response body with its ETag and cache policy ([`cache::Representation`]),
//!   shared by public hosting and the pages.
//! - [`connections`]: the accept loop (header-read and idle timeouts, the connection cap).
//! - [`serve`]: binding, graceful shutdown.
//! - [`error`]: [`HttpError`], the one HTTP error, rendered as problem+json.
//!
//! Time and keys are injected through the [`Service`], so tests fix the clock and run many
//! servers side by side on port 0.

pub mod api;
pub mod auth;
pub mod cache;
pub mod connections;
pub mod console;
pub mod endorsement_check;
pub mod error;
pub mod health;
pub mod middleware;
pub mod pages;
pub mod public;
pub mod remote;
pub mod routes;
pub mod serve;
pub mod telemetry;

use std::sync::Arc;

use laurel_service::{Changes, Service};

pub use error::{HttpError, HttpResult};

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<App>, Arc<console::sign_in::Guard>);

/// The running service as the HTTP side sees it: the domain, and what HTTP keeps beside it.
pub struct App {
    /// The domain: store, URLs, vault and keys, clock, outbox, jobs. `state.store` and the
    /// like reach its parts directly (through `Deref`).
    pub service: Arc<Service>,
    /// Recently served credentials; the domain's changes forget theirs.
    pub credentials: Arc<public::credentials::CredentialCache>,
    /// Recently served status lists, for a second; the domain's changes forget theirs.
    pub status_lists: Arc<public::status::ListCache>,
    /// Recent verification results of credential pages.
    pub verdicts: pages::verdicts::VerdictCache,
    /// Credential pages rendered in the last second; the domain's changes and any write
    /// through this instance forget them.
    pub pages: Arc<pages::kept::PageCache>,
    /// Recipients' "Email me my wallet link" and "Your transcript by email" requests lately,
    /// for their rate limits (shared: one client cannot double its allowance with two forms).
    pub wallet_requests: pages::wallet_link::RequestLimits,
    /// Renders `/metrics`; `None` when no recorder is installed (most tests).
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
}

impl App {
    /// The HTTP side of `service`, whose changes from now on reach this app's caches.
    pub fn new(service: Service) -> Self {
        let credentials = Arc::new(public::credentials::CredentialCache::default());
        let status_lists = Arc::new(public::status::ListCache::default());
        let pages = Arc::new(pages::kept::PageCache::default());
        let caches = ResponseCaches {
            credentials: credentials.clone(),
            status_lists: status_lists.clone(),
            pages: pages.clone(),
        };
        App {
            service: Arc::new(service.with_changes(Arc::new(caches))),
            credentials,
            status_lists,
            verdicts: Default::default(),
            pages,
            wallet_requests: Default::default(),
            metrics: None,
        }
    }

    /// The same, rendering `/metrics` from `handle`.
    pub fn with_metrics(
        mut self,
        handle: Option<metrics_exporter_prometheus::PrometheusHandle>,
    ) -> Self {
        self.metrics = handle;
        self
    }
}

impl std::ops::Deref for App {
    type Target = Service;

    fn deref(&self) -> &Service {
        &self.service
    }
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.service.fmt(f)
    }
}

/// The HTTP response caches, told by the domain when a credential or status list changed.
struct ResponseCaches {
    credentials: Arc<public::credentials::CredentialCache>,
    status_lists: Arc<public::status::ListCache>,
    pages: Arc<pages::kept::PageCache>,
}

impl Changes for ResponseCaches {
    fn credential_changed(&self, id: uuid::Uuid) {
        self.credentials.forget(id);
        self.pages.forget(id);
    }

    fn status_list_changed(&self, list: uuid::Uuid) {
        self.status_lists.forget(list);
        self.pages.forget_list(list);
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl AppState {
    /// Wraps the parts.
    pub fn new(app: App) -> Self {
        AppState(Arc::new(app), Arc::default())
    }

    /// The console's defences against password guessing: the argon2 pool and the
    /// per-address limit, one per instance.
    pub fn sign_in_guard(&self) -> &console::sign_in::Guard {
        &self.1
    }
}

impl std::ops::Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.0
    }
}

/// The whole app: admin API, public documents and operations endpoints, with middleware and
/// the default limits.
pub fn router(state: AppState) -> axum::Router {
    router_with(state, &middleware::Limits::default())
}

/// [`router`] with the body limit and request timeout from the settings.
pub fn router_with(state: AppState, limits: &middleware::Limits) -> axum::Router {
    let https = state.urls.origin().starts_with("https://");
    let app = axum::Router::new()
        .merge(api::router())
        .merge(public::router())
        .merge(pages::router())
        .merge(console::router())
        .merge(health::router())
        .fallback(middleware::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            pages::forget_pages_after_writes,
        ))
        .with_state(state);
    middleware::with_security_headers(middleware::with_middleware(app, limits), https)
}
