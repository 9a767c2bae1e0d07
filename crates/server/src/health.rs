//! Health: `/healthz` answers 200 while the process serves HTTP at all (liveness: restart me
//! if not); `/readyz` answers 200 only while the database answers (readiness: send me traffic),
//! else a 503 problem. [`router`] also mounts `/metrics` (see [`crate::telemetry`]).

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use crate::middleware::problem;
use crate::telemetry::metrics_text;

/// How long `/readyz` waits for the database before calling it unavailable.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// `/healthz`, `/readyz` and `/metrics`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(READY_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => "ready".into_response(),
        Ok(Err(error)) => {
            tracing::warn!(%error, "not ready: the database does not answer");
            problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "the database is unreachable; this instance cannot serve requests yet",
            )
        }
        Err(_) => {
            tracing::warn!("not ready: the database did not answer in time");
            problem(
                StatusCode::SERVICE_UNAVAILABLE,
                &format!(
                    "the database did not answer within {} s",
                    READY_TIMEOUT.as_secs()
                ),
            )
        }
    }
}
