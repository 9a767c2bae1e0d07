//! Issuers' public keys, published so that verifiers can check our signatures.
//!
//! Ids are HTTPS URLs under `--public-url` (see the README for why not did:web). Each key has
//! its own document, at the URL a proof or JWT names:
//!
//! - a **Data Integrity** key (Ed25519) is a Multikey document, the form 1EdTech's validator
//!   accepts for "an HTTPS URL serving the key document itself", with `controller` = the issuer
//!   id, which the validator and `laurel-verify` both require;
//! - a **VC-JWT** key is a bare JWK with `kid` = its URL and `iss` = the issuer id: the
//!   validator wants a bare JWK (not a set) behind an HTTP `kid`.
//!
//! `/issuers/{id}/keys` is a controller document listing every key of the issuer (retired
//! ones too: old credentials still name them), which a verifier can save and use offline
//! (`laurel-verify --keys FILE`). `/.well-known/jwks.json` lists every issuer's keys as JWKs
//! with `kid` and `iss`, where the Open Badges implementation guide looks for them.
//!
//! Keys are re-encoded from their parsed public half, never copied from the stored text, so a
//! stored JWK that somehow held private members could not leak through here.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use laurel_store::KeyPurpose;

use crate::cache::{Cache, Representation};
use crate::error::not_found_in;
use crate::routes::parse_id;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::documents::keys::{controller_document, jwk, jwk_set, multikey_document};

/// `GET /issuers/{id}/keys`: the issuer's controller document.
pub async fn controller(
    State(state): State<AppState>,
    Path(issuer): Path<String>,
    headers: HeaderMap,
) -> HttpResult<Response> {
    let issuer = parse_id(&issuer, "issuer")?;
    // The issuer must exist even if it has no keys (a 404 otherwise).
    state
        .store
        .issuer(issuer)
        .await
        .map_err(|error| not_found_in(error, "issuer", issuer))?;
    let keys = state.store.issuer_keys(issuer).await?;
    let document = controller_document(&state.urls, issuer, &keys)?;
    Ok(Representation::json(&document, "application/ld+json", Cache::Hour).respond(&headers))
}

/// `GET /issuers/{id}/keys/{key}`: one key's document (Multikey, or a bare JWK).
pub async fn key(
    State(state): State<AppState>,
    Path((issuer, key)): Path<(String, String)>,
    headers: HeaderMap,
) -> HttpResult<Response> {
    let issuer_id = parse_id(&issuer, "issuer")?;
    let key_id = parse_id(&key, "key")?;
    let keys = state.store.issuer_keys(issuer_id).await?;
    let key = keys
        .iter()
        .find(|key| key.id == key_id)
        .ok_or_else(|| HttpError::NotFound(format!("issuer {issuer} has no key {key}")))?;
    let (document, content_type) = match key.purpose {
        KeyPurpose::DataIntegrity => (multikey_document(&state.urls, key)?, "application/ld+json"),
        KeyPurpose::Jwt => (jwk(&state.urls, key)?, "application/jwk+json"),
    };
    Ok(Representation::json(&document, content_type, Cache::Hour).respond(&headers))
}

/// `GET /.well-known/jwks.json`: every issuer's keys as a JWK Set.
pub async fn jwks(State(state): State<AppState>, headers: HeaderMap) -> HttpResult<Response> {
    let keys = state.store.all_keys().await?;
    let document = jwk_set(&state.urls, &keys)?;
    // A set that grows with every new issuer: cached briefly.
    Ok(
        Representation::json(&document, "application/jwk-set+json", Cache::FiveMinutes)
            .respond(&headers),
    )
}
