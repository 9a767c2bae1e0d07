//! `POST /exchanges/{id}`: the VC-API exchange through which the Learner Credential Wallet
//! receives a badge (see `laurel_service::wallet::exchange` for the protocol).
//!
//! The same URL is the exchange and its `interact` service: the wallet POSTs `{}` and gets a
//! DID Authentication request, then POSTs `{"verifiablePresentation": …}` and gets the
//! holder-bound credential. Every failure is problem+json saying what went wrong (expired,
//! already used, wrong challenge, bad signature, revoked). Bodies are bounded
//! ([`MAX_EXCHANGE_BODY`]) and the presentation's JSON-LD work by the verifier's budget.
//! Answers are never cached: each is for one wallet.
//!
//! [`HolderDocuments`] is how the domain reads a `did:web` holder's DID document: the
//! verifier's HTTPS fetcher (public addresses only, every resolved address checked) with the
//! domain's limits: 5 s, 64 KiB, no redirects, nothing kept.

use std::sync::OnceLock;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::routes::parse_id;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::wallet::{did_web, exchange};
use laurel_verify::Fetch;
use laurel_verify::fetch::{FetchPolicy, HttpFetcher};

/// The largest body an exchange reads: a DID Authentication presentation is about 2 KB.
pub const MAX_EXCHANGE_BODY: usize = 64 * 1024;

/// `POST /exchanges/{id}`.
pub async fn exchange(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Body,
) -> Response {
    match answer(&state, &id, body).await {
        Ok(json) => {
            let mut response = (StatusCode::OK, axum::Json(json)).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => error.into_response(),
    }
}

async fn answer(state: &AppState, id: &str, body: Body) -> HttpResult<Value> {
    let id = parse_id(id, "exchange")?;
    let bytes = axum::body::to_bytes(body, MAX_EXCHANGE_BODY)
        .await
        .map_err(|_| {
            HttpError::PayloadTooLarge(format!(
                "an exchange message has at most {MAX_EXCHANGE_BODY} bytes"
            ))
        })?;
    let message: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(&bytes).map_err(|error| {
            HttpError::BadRequest(format!("the exchange message is not JSON: {error}"))
        })?
    };
    let Value::Object(mut message) = message else {
        return Err(HttpError::BadRequest(
            "the exchange message must be a JSON object: {} to start, or \
             {\"verifiablePresentation\": …}"
                .into(),
        ));
    };
    match message.remove("verifiablePresentation") {
        None => Ok(exchange::presentation_request(state, id).await?),
        Some(presentation) => Ok(exchange::receive_presentation(state, id, presentation).await?),
    }
}

/// What a holder's DID document may cost: HTTPS to a public address only, within
/// [`did_web::HOLDER_DOCUMENT_TIME`] and [`did_web::HOLDER_DOCUMENT_BYTES`], no redirect
/// followed, nothing kept between requests.
pub fn holder_document_policy() -> FetchPolicy {
    FetchPolicy {
        allow_local: false,
        timeout: did_web::HOLDER_DOCUMENT_TIME,
        only_ports: None,
        max_bytes: did_web::HOLDER_DOCUMENT_BYTES,
        max_redirects: 0,
        cache: false,
    }
}

/// Reads wallet holders' did:web documents for the domain (`Service::with_did_documents`),
/// within a [`FetchPolicy`] ([`holder_document_policy`] in `laurel serve`).
///
/// The HTTP client is blocking and made on first use: it may be neither built nor used on the
/// async threads, and the domain calls it from a blocking task.
pub struct HolderDocuments {
    policy: FetchPolicy,
    fetcher: OnceLock<Result<HttpFetcher, String>>,
}

impl HolderDocuments {
    /// A reader within `policy`.
    pub fn new(policy: FetchPolicy) -> Self {
        HolderDocuments {
            policy,
            fetcher: OnceLock::new(),
        }
    }
}

impl Default for HolderDocuments {
    /// Within [`holder_document_policy`].
    fn default() -> Self {
        HolderDocuments::new(holder_document_policy())
    }
}

impl Fetch for HolderDocuments {
    fn fetch_json(&self, url: &str, deadline: Instant) -> Result<serde_json::Value, String> {
        match self
            .fetcher
            .get_or_init(|| HttpFetcher::new(self.policy.clone()))
        {
            Ok(fetcher) => fetcher.fetch_json(url, deadline),
            Err(error) => Err(error.clone()),
        }
    }
}
