//! Starting the service: opening what it needs, then serving until told to stop.
//!
//! [`start`] turns [`Settings`] into an [`AppState`]: it creates the data folder, opens and
//! migrates the database, loads (or on first start generates) the key-encryption key and
//! checks it against the database. [`serve`] runs the app on a listener the caller bound,
//! until a shutdown future the caller chose completes. Neither binds a port nor installs a
//! signal handler or a global recorder itself, so tests run many servers side by side on
//! port 0 and stop them when they like; the binary passes its listener, Ctrl-C/SIGTERM and
//! the process-wide metrics recorder.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::vault::VaultError;
use crate::{App, AppState, SystemClock, Urls, Vault};

/// Why the service could not start. Each message says what to fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The data folder could not be created.
    #[error("cannot create the data folder {path}")]
    DataDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The database could not be opened or migrated.
    /// (The store's message, shown as the cause, names the URL, redacted.)
    #[error("cannot open the database")]
    Store {
        /// The database URL, password redacted.
        url: String,
        /// Why.
        source: laurel_store::StoreError,
    },
    /// The key-encryption key could not be loaded, or does not fit the database.
    #[error(transparent)]
    Vault(#[from] VaultError),
}

/// Opens everything the service needs, as [`Settings`] say. `metrics` is the handle of a
/// recorder the caller installed (the binary), or `None`.
pub async fn start(
    settings: &Settings,
    metrics: Option<PrometheusHandle>,
) -> Result<AppState, StartError> {
    create_data_dir(settings)?;
    let store = laurel_store::connect(&settings.database_url)
        .await
        .map_err(|source| StartError::Store {
            url: laurel_store::redact_url(&settings.database_url),
            source,
        })?;
    let vault = Vault::load(&settings.data_dir, settings.secret_key.as_deref())?;
    vault.check(store.as_ref()).await?;
    Ok(AppState::new(App {
        store,
        urls: Urls::new(&settings.public_url),
        vault,
        keys: Default::default(),
        credentials: Default::default(),
        status_lists: Default::default(),
        jobs: Default::default(),
        verdicts: Default::default(),
        email: crate::email::Notifier::new(settings.email.clone()),
        clock: Arc::new(SystemClock),
        metrics,
    }))
}

/// The setting that remembers the public URL `laurel serve` last ran with, so commands that
/// sign on the service's behalf (`laurel import`, `laurel credential`) use the same one.
pub const PUBLIC_URL_SETTING: &str = "public_url";

/// Opens only the database (for `laurel token`): the data folder is created for SQLite, and
/// migrations run, but no key material is touched.
pub async fn open_store(settings: &Settings) -> Result<Arc<dyn laurel_store::Store>, StartError> {
    if settings.database_url.starts_with("sqlite:") {
        create_data_dir(settings)?;
    }
    laurel_store::connect(&settings.database_url)
        .await
        .map_err(|source| StartError::Store {
            url: laurel_store::redact_url(&settings.database_url),
            source,
        })
}

/// Serves `app` (from [`crate::router`] or [`crate::router_with`]) on `listener` until
/// `shutdown` completes; then stops accepting connections, lets requests in flight finish,
/// and returns.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer address reaches handlers, for the console's per-address sign-in limit.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Listens for Ctrl-C and (on Unix) SIGTERM, and returns a future that completes on either:
/// what the binary passes to [`serve`].
///
/// The handlers are installed here, before the caller announces that it is listening, not when
/// the future is first polled: a SIGTERM sent right after "listening" must stop the service
/// gracefully, not kill it with the signal's default action.
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            tracing::info!("shutting down: finishing requests in flight");
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            if let Err(error) = tokio::signal::ctrl_c().await {
                tracing::error!(%error, "cannot listen for Ctrl-C");
                std::future::pending::<()>().await;
            }
            tracing::info!("shutting down: finishing requests in flight");
        })
    }
}

/// Creates the data folder (owner-only on Unix: it may hold `secret.key` and the database).
fn create_data_dir(settings: &Settings) -> Result<(), StartError> {
    let path = &settings.data_dir;
    let error = |source| StartError::DataDir {
        path: path.clone(),
        source,
    };
    if path.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(path).map_err(error)
}
