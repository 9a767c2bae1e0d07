//! Telemetry: `/metrics` as Prometheus text: requests by method, route and status, a latency
//! histogram, errors, and credentials issued (counted where they are minted). With
//! `--metrics-listen` it is served on that address only ([`metrics_router`]). The recorder is
//! process-wide, so only the binary and benchmarks install it ([`install_metrics`]).
//!
//! **Bounded memory.** The recorder keeps every latency sample it has not yet folded into the
//! histogram's buckets, and it folds them only when `/metrics` is read or its upkeep runs.
//! Installed with `install_recorder`, nothing runs that upkeep: a server nobody scraped grew by
//! about 8 bytes per request (20 MB over the load script's 2.5 million requests). The server
//! runs it every [`UPKEEP_EVERY`] ([`keep_upkeep`]).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use crate::middleware::{not_found, problem, with_security_headers};

/// `/metrics` alone, for `--metrics-listen`: the registry's text from `handle`, with the same
/// security headers, and a 404 problem for anything else.
pub fn metrics_router(handle: metrics_exporter_prometheus::PrometheusHandle) -> Router {
    let app = Router::new()
        .route(
            "/metrics",
            get(move || {
                let handle = handle.clone();
                async move { metrics_response(&handle) }
            }),
        )
        .fallback(not_found);
    with_security_headers(app, false)
}

pub(crate) async fn metrics_text(State(state): State<AppState>) -> Response {
    match &state.metrics {
        Some(handle) => metrics_response(handle),
        None => problem(
            StatusCode::NOT_FOUND,
            "metrics are not served at this address (see --metrics-listen)",
        ),
    }
}

fn metrics_response(handle: &metrics_exporter_prometheus::PrometheusHandle) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        handle.render(),
    )
        .into_response()
}

/// Installs the global Prometheus recorder and describes Laurel's metrics. Only the binary
/// (and benchmarks) call this: the recorder is process-wide, so tests use their own.
pub fn install_metrics() -> Result<metrics_exporter_prometheus::PrometheusHandle, String> {
    let handle = metrics_recorder()
        .install_recorder()
        .map_err(|error| format!("cannot install the metrics recorder: {error}"))?;
    describe_metrics();
    Ok(handle)
}

/// How often the recorder's pending samples are folded into its buckets when nobody reads
/// `/metrics`: at 50,000 requests/s, at most about 2 MB waits.
pub const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs `upkeep` every `period` until `stop` turns true (or its sender is dropped): with the
/// recorder's handle, `|| handle.run_upkeep()`, so samples never pile up between scrapes.
pub async fn keep_upkeep(
    period: std::time::Duration,
    upkeep: impl Fn(),
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => upkeep(),
            _ = stop.wait_for(|stop| *stop) => return,
        }
    }
}

/// The Prometheus recorder with Laurel's histogram buckets (latency in seconds).
pub fn metrics_recorder() -> metrics_exporter_prometheus::PrometheusBuilder {
    use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};
    const BUCKETS: [f64; 13] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
    ];
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("duration_seconds".into()), &BUCKETS)
        // Only fails for an empty bucket list, which BUCKETS is not.
        .unwrap_or_else(|_| PrometheusBuilder::new())
}

/// Help text for each metric, shown in `/metrics`.
pub fn describe_metrics() {
    metrics::describe_counter!(
        "laurel_http_requests_total",
        "HTTP requests answered, by method, route template and status"
    );
    metrics::describe_histogram!(
        "laurel_http_request_duration_seconds",
        metrics::Unit::Seconds,
        "Time to answer an HTTP request (until the response headers), by method and route"
    );
    metrics::describe_counter!(
        "laurel_http_errors_total",
        "HTTP responses with a 5xx status, by route and status"
    );
    metrics::describe_counter!(
        "laurel_errors_total",
        "Internal and database errors, by kind"
    );
    metrics::describe_counter!(
        "laurel_credentials_issued_total",
        "Credentials minted and stored (repeats of an existing award are not counted)"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn upkeep_runs_on_schedule_and_stops_when_told() {
        let runs = Arc::new(AtomicUsize::new(0));
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let counted = runs.clone();
        let task = tokio::spawn(keep_upkeep(
            Duration::from_millis(5),
            move || {
                counted.fetch_add(1, Ordering::SeqCst);
            },
            stopped,
        ));
        let waited = tokio::time::timeout(Duration::from_secs(10), async {
            while runs.load(Ordering::SeqCst) < 3 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await;
        assert!(
            waited.is_ok(),
            "upkeep ran {} times",
            runs.load(Ordering::SeqCst)
        );
        stop.send(true).expect("the task is listening");
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .expect("upkeep stops when told")
            .expect("upkeep does not panic");
        let after = runs.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert_eq!(
            runs.load(Ordering::SeqCst),
            after,
            "no upkeep after stopping"
        );
    }
}
