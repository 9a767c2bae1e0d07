//! The Laurel issuer service: an axum app over a [`laurel_store::Store`].
//!
//! # Layout
//! - [`config`]: settings from flags, `LAUREL_*` variables and an optional TOML file.
//! - [`vault`]: the key-encryption key that seals issuers' private keys at rest.
//! - [`auth`]: bearer tokens with scopes (`admin`, `issue`, `read`), optionally limited to issuers.
//! - [`audit`]: one audit-log entry per change, from the API, console, CLI or the service.
//! - [`documents`]: issuer Profiles and Achievements as Open Badges JSON-LD, shared by minting
//!   and public hosting so both say the same thing.
//! - [`mint`]: builds, signs (Data Integrity `eddsa-rdfc-2022` and VC-JWT) and stores awards,
//!   exactly once per recipient and achievement.
//! - [`activity`]: events, attendance and completions; award rules; attendance imports.
//! - [`api`]: the admin API under `/api/v1` and its OpenAPI document.
//! - [`email`]: the outbox worker that tells recipients of their badge over SMTP, with
//!   per-issuer settings, templates, retries and rate limits.
//! - [`lifecycle`]: status lists, revocation and suspension, re-issue, key rotation.
//! - [`public`]: unauthenticated hosting of profiles, achievements, credentials, keys, images.
//! - [`pages`]: the same public URLs as HTML for browsers (content negotiation), with a live
//!   verification on credential pages.
//! - [`console`]: the staff console (sign-in, roles, audit log, dashboard) as HTML.
//! - [`ops`]: `/healthz`, `/readyz`, `/metrics`, request ids and logs.
//! - [`serve`]: binding, graceful shutdown.
//!
//! Time and keys are injected through [`AppState`], so tests fix the clock and run many
//! servers side by side on port 0.

pub mod activity;
pub mod api;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod config;
pub mod connections;
pub mod console;
pub mod documents;
pub mod email;
pub mod error;
pub mod jobs;
pub mod lifecycle;
pub mod mint;
pub mod ops;
pub mod pages;
pub mod public;
pub mod public_url;
pub mod routes;
pub mod serve;
pub mod urls;
pub mod vault;

use std::sync::Arc;

use laurel_store::Store;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{ApiError, ApiResult};
pub use urls::Urls;
pub use vault::Vault;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<App>, Arc<console::sign_in::Guard>);

/// The parts of the running service.
pub struct App {
    /// Where everything is kept.
    pub store: Arc<dyn Store>,
    /// The public URLs of ids and documents.
    pub urls: Urls,
    /// Seals and opens issuers' private keys.
    pub vault: Vault,
    /// Issuers' signing keys, opened once and kept for the process (`KeyCache::default()`).
    pub keys: mint::KeyCache,
    /// Recently served credentials (`CredentialCache::default()`); changes forget theirs.
    pub credentials: public::credentials::CredentialCache,
    /// Recently served status lists, for a second (`ListCache::default()`).
    pub status_lists: public::status::ListCache,
    /// Background jobs (imports) a graceful shutdown waits for (`Jobs::default()`).
    pub jobs: jobs::Jobs,
    /// Recent verification results of credential pages (`VerdictCache::default()`).
    pub verdicts: pages::verdicts::VerdictCache,
    /// Email: the worker's options, open SMTP connections (`Notifier::default()`).
    pub email: email::Notifier,
    /// "Now", injected.
    pub clock: Arc<dyn Clock>,
    /// Renders `/metrics`; `None` when no recorder is installed (most tests).
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
}

impl std::fmt::Debug for App {
    /// Names the parts without their secrets: the vault and key cache print redacted.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("urls", &self.urls)
            .field("vault", &self.vault)
            .field("keys", &self.keys)
            .finish_non_exhaustive()
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
    router_with(state, &ops::Limits::default())
}

/// [`router`] with the body limit and request timeout from the settings.
pub fn router_with(state: AppState, limits: &ops::Limits) -> axum::Router {
    let https = state.urls.origin().starts_with("https://");
    let app = axum::Router::new()
        .merge(api::router())
        .merge(public::router())
        .merge(pages::router())
        .merge(console::router())
        .merge(ops::router())
        .fallback(ops::not_found)
        .with_state(state);
    ops::with_security_headers(ops::with_middleware(app, limits), https)
}
