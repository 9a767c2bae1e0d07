//! The middleware every request goes through, and the error format they share.
//!
//! Outermost first: a request id (the client's `x-request-id` if it is short and plain, else a
//! new UUID; echoed on the response and recorded in the span every log line of the request
//! carries), a tracing span with one log line per response, metrics, the problem mapper, a
//! timeout and a body limit. [`with_security_headers`] puts `X-Content-Type-Options: nosniff`
//! and a `Referrer-Policy` (`no-referrer` unless the handler chose one) on every response, and
//! `Strict-Transport-Security` when the public URL is https.
//!
//! The problem mapper exists because several layers answer on their own, in plain text or
//! with no body at all: the body limit (413), the timeout, axum's 405 and its extractor
//! rejections. It turns any error response that is not already `application/problem+json`
//! into one, so a client sees one error format whatever produced the error. Bodies that are
//! already problems (every [`HttpError`](crate::HttpError)), and the HTML error pages of
//! [`crate::pages`], pass through untouched. [`not_found`] answers every unknown path.
//!
//! Labels and log fields are bounded, so no client can grow `/metrics` or flood the logs: the
//! method label is one of the nine standard methods or `other`, the route label is the matched
//! route template (or `unmatched`), and the method and path logged per request are cut to a
//! fixed length.

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;
use uuid::Uuid;

/// The request id header, read from clients and echoed back.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The problem+json media type.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The longest client-supplied request id kept; longer ones are replaced.
const MAX_REQUEST_ID: usize = 64;

/// The most characters of a request path (or method) written to a log line.
const MAX_LOGGED: usize = 200;

/// How long browsers keep to https once told (a year), when the public URL is https.
const HSTS: &str = "max-age=31536000";

/// Default request body limit: room for a badge image upload or a batch of a few thousand
/// recipients, small enough that a stray upload cannot exhaust memory.
pub const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// Default time a request may take before it is answered with 503.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// HTTP limits enforced by the middleware (from `--body-limit` and `--request-timeout`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest request body, in bytes.
    pub body_limit: usize,
    /// How long a request may take.
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_limit: DEFAULT_BODY_LIMIT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        }
    }
}

/// Wraps a whole app in the middleware described in the module docs.
pub fn with_middleware(router: Router, limits: &Limits) -> Router {
    // `Router::layer` wraps every route (and the fallback) after routing, so the metrics
    // middleware can read the matched route template rather than the raw path, which would
    // give every credential id its own time series.
    router
        // The body limit below governs, not axum's default 2 MB for extractors.
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(limits.body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            limits.request_timeout,
        ))
        .layer(middleware::from_fn_with_state(*limits, problems))
        .layer(middleware::from_fn(track))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let id = request
                        .headers()
                        .get(&REQUEST_ID)
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "request",
                        request_id = id,
                        method = %capped(request.method().as_str()),
                        path = %capped(request.uri().path()),
                    )
                })
                .on_request(())
                .on_response(|response: &Response, latency: Duration, _span: &Span| {
                    tracing::info!(
                        status = response.status().as_u16(),
                        ms = latency.as_secs_f64() * 1000.0,
                        "response"
                    );
                })
                // 5xx are logged by `on_response` above and by `HttpError` with the cause.
                .on_failure(()),
        )
        .layer(middleware::from_fn(request_id))
}

/// Adds the headers every response carries (see the module docs); `https` is whether the
/// public URL is https, which is when `Strict-Transport-Security` is sent.
pub fn with_security_headers(router: Router, https: bool) -> Router {
    router.layer(middleware::from_fn_with_state(https, security_headers))
}

async fn security_headers(State(https): State<bool>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("no-referrer"));
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

/// The method as a metric label: a standard method, or `other` for any a client made up.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

/// At most [`MAX_LOGGED`] characters of a client-chosen text, marked when cut.
fn capped(text: &str) -> String {
    match text.char_indices().nth(MAX_LOGGED) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// The 404 for a path no route matches.
pub async fn not_found(
    method: Method,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    if method == Method::GET && crate::pages::wants_html(&headers) {
        return crate::pages::error_page(crate::HttpError::NotFound(String::new()));
    }
    problem(
        StatusCode::NOT_FOUND,
        &format!("nothing is served at {method} {}", uri.path()),
    )
}

/// A problem+json response with this status and detail (the shape [`crate::HttpError`] uses).
pub fn problem(status: StatusCode, detail: &str) -> Response {
    let body = json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail,
    });
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))],
        body.to_string(),
    )
        .into_response()
}

/// Keeps a plain client request id, or makes one; echoes it on the response.
async fn request_id(mut request: Request, next: Next) -> Response {
    let keep = request.headers().get(&REQUEST_ID).is_some_and(|value| {
        let bytes = value.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= MAX_REQUEST_ID
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    });
    let id = if keep {
        request.headers().get(&REQUEST_ID).cloned()
    } else {
        None
    };
    let id = match id {
        Some(id) => id,
        None => {
            let fresh = HeaderValue::from_str(&Uuid::new_v4().to_string());
            // A hyphenated UUID is always a valid header value.
            let fresh = fresh.unwrap_or_else(|_| HeaderValue::from_static("-"));
            request
                .headers_mut()
                .insert(REQUEST_ID.clone(), fresh.clone());
            fresh
        }
    };
    let mut response = next.run(request).await;
    response.headers_mut().insert(REQUEST_ID.clone(), id);
    response
}

/// Records request count, latency and errors by method, route template and status (all
/// bounded: see the module docs).
async fn track(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status();
    let elapsed = start.elapsed().as_secs_f64();
    metrics::histogram!(
        "laurel_http_request_duration_seconds",
        "method" => method,
        "route" => route.clone(),
    )
    .record(elapsed);
    if status.is_server_error() {
        metrics::counter!("laurel_http_errors_total", "route" => route.clone(), "status" => status.as_str().to_owned())
            .increment(1);
    }
    metrics::counter!(
        "laurel_http_requests_total",
        "method" => method,
        "route" => route,
        "status" => status.as_str().to_owned(),
    )
    .increment(1);
    response
}

/// Turns error responses that are not problem+json (from layers and extractors) into problems.
async fn problems(State(limits): State<Limits>, request: Request, next: Next) -> Response {
    // Cheap clones (the URI shares its bytes), kept only to word an error.
    let method = request.method().clone();
    let uri = request.uri().clone();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    // Problems, the HTML error pages browsers get (crate::pages), and the OAuth error JSON of
    // the OpenID4VCI endpoints (crate::public::oid4vci, which wallets parse) are already worded.
    let worded = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| {
            value.as_bytes().starts_with(PROBLEM_JSON.as_bytes())
                || value.as_bytes().starts_with(b"text/html")
                || value.as_bytes() == b"application/json"
        });
    if worded {
        return response;
    }
    let path = uri.path();
    let (parts, body) = response.into_parts();
    // Only short plain-text bodies are worth passing on (axum's rejection messages are).
    let text = axum::body::to_bytes(body, 2048)
        .await
        .ok()
        .and_then(|bytes| String::from_utf8(bytes.to_vec()).ok())
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty());
    let detail = match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "the request body is larger than the limit of {} bytes; send less (a smaller image, or a batch split in parts)",
            limits.body_limit
        ),
        // axum adds the `Allow` header after every layer has run, so it cannot be quoted here.
        StatusCode::METHOD_NOT_ALLOWED => format!(
            "{method} is not allowed on {path}; the Allow header lists the methods that are"
        ),
        StatusCode::SERVICE_UNAVAILABLE if text.is_none() => format!(
            "the request took longer than {} s and was stopped; retry, or send smaller batches",
            limits.request_timeout.as_secs_f64()
        ),
        StatusCode::NOT_FOUND if text.is_none() => format!("nothing is served at {path}"),
        _ => text.unwrap_or_else(|| {
            status
                .canonical_reason()
                .unwrap_or("the request failed")
                .to_owned()
        }),
    };
    let mut response = problem(status, &detail);
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            response.headers_mut().insert(name.clone(), value.clone());
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_up_methods_share_one_label_and_long_texts_are_cut() {
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        let made_up = Method::from_bytes(b"BREW").expect("a token is a method");
        assert_eq!(method_label(&made_up), "other");
        assert_eq!(capped("/short"), "/short");
        let long = "/é".repeat(500);
        let cut = capped(&long);
        assert_eq!(cut.chars().count(), MAX_LOGGED + 1);
        assert!(cut.ends_with('…'));
    }
}
