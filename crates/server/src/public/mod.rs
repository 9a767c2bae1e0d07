//! Public hosting, no authentication: what anyone on the web fetches to display and verify
//! what Laurel issued.
//!
//! | path | serves | cached |
//! |---|---|---|
//! | `/issuers/{id}` | the issuer's Profile (JSON-LD) | 5 min |
//! | `/issuers/{id}/keys` | controller document of all its keys | 1 h |
//! | `/issuers/{id}/keys/{key}` | one key: Multikey document or bare JWK | 1 h |
//! | `/.well-known/jwks.json` | every issuer's keys as a JWK Set | 5 min |
//! | `/achievements/{id}` | the Achievement (JSON-LD) | 5 min |
//! | `/credentials/{id}` | the signed credential (JSON-LD) | 1 h |
//! | `/credentials/{id}.json`, `.jwt`, `.png`, `.svg` | downloads: JSON, VC-JWT, baked images | 1 h |
//! | `/credentials/{id}/status` | the issuer's word on it: revoked, suspended (and why), expired | 1 min |
//! | `/status/{id}` | a signed Bitstring Status List (revocation) | 1 min (its `ttl`) |
//! | `/endorsements/{id}` | a signed EndorsementCredential (JSON-LD), as signed; 404 once withdrawn | 5 min |
//! | `/images/{sha256}.png`, `.svg` | uploaded images, content-addressed | 1 year, immutable |
//! | `POST /exchanges/{id}` | a wallet's VC-API exchange ([`exchanges`]) | never |
//!
//! `/issuers/{id}`, `/achievements/{id}` and `/credentials/{id}` are also web pages: a browser
//! (an `Accept` preferring `text/html`) gets [`crate::pages`], and both answers vary on `Accept`.
//!
//! Every response has a strong `ETag` and answers `If-None-Match` with 304 ([`cache`]).
//! Unknown and malformed ids are 404 problems, never 400s: to a visitor a mistyped link is
//! simply not there.
//!
//! **Privacy.** A credential is served exactly as signed. It identifies its recipient only by
//! a salted hash of the email, and nothing here adds the award row's email or name.
//!
//! The OpenID4VCI endpoints wallets call (`/.well-known/openid-credential-issuer`, `/token`,
//! `/credential`, …) are listed in [`oid4vci`].
//!
//! **Cross-origin.** Every response allows any origin (`Access-Control-Allow-Origin: *`), so
//! browser-based verifiers and backpacks can fetch documents and keys.

pub mod badge;
pub mod credentials;
pub mod exchanges;
pub mod keys;
pub mod oid4vci;
pub mod status;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::cache::{Cache, Representation};
use crate::routes::parse_id;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::documents;

/// The Content-Security-Policy of every SVG served: no scripts, no external loads, inline
/// styles only. An uploaded SVG is someone else's markup opened on our origin.
pub const SVG_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'";

/// How many bytes of recently served credentials are kept in memory (see
/// [`credentials::CredentialCache`]): some 3,500 typical credentials' JSON-LD (a JWT asked for
/// is kept on its own, see [`credentials::Encoding`]).
pub const CREDENTIAL_CACHE_BYTES: usize = 8 * 1024 * 1024;

/// The public routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/issuers/{id}", get(issuer))
        .route("/issuers/{id}/keys", get(keys::controller))
        .route("/issuers/{id}/keys/{key}", get(keys::key))
        .route("/.well-known/jwks.json", get(keys::jwks))
        .route("/achievements/{id}", get(achievement))
        .route("/credentials/{file}", get(credentials::credential))
        .route("/credentials/{id}/status", get(status::credential))
        .route("/status/{id}", get(status::list))
        .route("/endorsements/{id}", get(endorsement))
        .route("/images/{file}", get(image))
        .route("/exchanges/{id}", axum::routing::post(exchanges::exchange))
        .merge(oid4vci::router())
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

/// `GET /issuers/{id}`: the issuer's Profile.
async fn issuer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> HttpResult<Response> {
    if crate::pages::wants_html(&headers) {
        return Ok(crate::pages::catalog::issuer(&state, &id, &headers).await);
    }
    let id = parse_id(&id, "issuer")?;
    let issuer = state
        .store
        .issuer(id)
        .await
        .map_err(|error| crate::error::not_found_in(error, "issuer", id))?;
    let document = documents::profile_document(&state.urls, &issuer);
    let (vary, accept) = crate::pages::vary();
    Ok(
        Representation::json(&document, "application/ld+json", Cache::FiveMinutes)
            .with(vary, accept)
            .respond(&headers),
    )
}

/// `GET /achievements/{id}`: the Achievement as it is now (credentials keep the version they
/// were signed with).
async fn achievement(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> HttpResult<Response> {
    if crate::pages::wants_html(&headers) {
        return Ok(crate::pages::catalog::achievement(&state, &id, &headers).await);
    }
    let id = parse_id(&id, "achievement")?;
    let achievement = state
        .store
        .achievement(id)
        .await
        .map_err(|error| crate::error::not_found_in(error, "achievement", id))?;
    let document = documents::achievement_document(&state.urls, &achievement)?;
    let (vary, accept) = crate::pages::vary();
    Ok(
        Representation::json(&document, "application/ld+json", Cache::FiveMinutes)
            .with(vary, accept)
            .respond(&headers),
    )
}

/// `GET /endorsements/{id}`: an endorsement of an issuer or achievement hosted here, exactly
/// as its endorser signed it (credentials issued since carry their own copy). A withdrawn
/// endorsement is no longer served.
async fn endorsement(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> HttpResult<Response> {
    let id = parse_id(&id, "endorsement")?;
    let endorsement = state
        .store
        .endorsement(id)
        .await
        .map_err(|error| crate::error::not_found_in(error, "endorsement", id))?;
    if endorsement.withdrawn_at.is_some() {
        return Err(HttpError::NotFound(format!(
            "endorsement {id} was withdrawn"
        )));
    }
    Ok(Representation::new(
        endorsement.credential.into_bytes(),
        "application/ld+json",
        Cache::FiveMinutes,
    )
    .respond(&headers))
}

/// `GET /images/{sha256}.{png|svg}`: an uploaded image, by content hash.
async fn image(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> HttpResult<Response> {
    let not_found = || HttpError::NotFound(format!("no image {file}"));
    let (sha256, extension) = file.rsplit_once('.').ok_or_else(not_found)?;
    let wanted = match extension {
        "png" => "image/png",
        "svg" => "image/svg+xml",
        _ => return Err(not_found()),
    };
    if sha256.len() != 64
        || !sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(not_found());
    }
    let image = state
        .store
        .image(sha256)
        .await
        .map_err(|error| match error {
            laurel_store::StoreError::NotFound => not_found(),
            other => other.into(),
        })?;
    if image.content_type != wanted {
        return Err(HttpError::NotFound(format!(
            "no image {file}; this image is at {}",
            state.urls.image(sha256, &image.content_type)
        )));
    }
    Ok(image_document(image.bytes, wanted, Cache::Immutable).respond(&headers))
}

/// An image response; SVGs get the restrictive [`SVG_CSP`].
pub(crate) fn image_document(
    bytes: Vec<u8>,
    content_type: &'static str,
    cache: Cache,
) -> Representation {
    let document = Representation::new(bytes, content_type, cache);
    if content_type == "image/svg+xml" {
        document.with(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(SVG_CSP),
        )
    } else {
        document
    }
}
