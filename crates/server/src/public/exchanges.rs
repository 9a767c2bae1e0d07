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
//! A `did:web` holder's DID document is read through the service's one fetcher of documents
//! from elsewhere ([`crate::remote::RemoteDocuments`] in `laurel serve`).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::routes::parse_id;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::wallet::exchange;

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
