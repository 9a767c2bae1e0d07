//! Serving the app until told to stop.
//!
//! Opening the service is the domain's (`laurel_service::open`). [`serve`] runs the app on a
//! listener the caller bound, until a shutdown future the caller chose completes. It neither
//! binds a port nor installs a signal handler or a global recorder itself, so tests run many servers side by side on
//! port 0 and stop them when they like; the binary passes its listener, Ctrl-C/SIGTERM and
//! the process-wide metrics recorder.

use std::future::Future;

use axum::Router;
use tokio::net::TcpListener;

use crate::connections::ConnectionLimits;

/// Serves `app` (from [`crate::router`] or [`crate::router_with`]) on `listener` until
/// `shutdown` completes, with the default [`ConnectionLimits`]; then stops accepting
/// connections, lets requests in flight finish, and returns.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, app, ConnectionLimits::default(), shutdown).await
}

/// [`serve`] with the connection limits from the settings (see [`crate::connections`]).
/// Handlers may extract `ConnectInfo<SocketAddr>`, the peer's address.
pub async fn serve_with(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    crate::connections::serve(listener, app, limits, shutdown).await
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
