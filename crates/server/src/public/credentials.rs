//! `GET /credentials/{id}[.json|.jwt|.png|.svg]`: an issued credential, as stored, in each form.
//!
//! - no extension: the signed credential (Data Integrity proof), `application/ld+json`, or
//!   for a browser the credential page ([`crate::pages::credential`]), with `Vary: Accept`;
//! - `.json`: the same bytes as a download (`application/vc+ld+json`, the media type Open
//!   Badges gives credential files, with `Content-Disposition: attachment`);
//! - `.jwt`: the VC-JWT, `application/jwt`;
//! - `.png`, `.svg`: the signed JSON credential baked into the badge image (see [`badge`] for
//!   what is baked when the achievement has no image of that format);
//! - `.pdf`: the printable certificate ([`laurel_service::certificate::print`]), stamped
//!   "REVOKED" or "SUSPENDED" when it no longer stands, so cached for a minute only.
//!
//! The image baked is the one the credential names (`credentialSubject.achievement.image`),
//! looked up by its content hash, so a later change of the achievement's image does not change
//! an issued badge. Only when the credential names no stored image is the achievement's
//! current image used.
//!
//! axum cannot route `{id}.json` as a parameter with a suffix, so one route takes the whole
//! file name and [`split`] separates the extension.
//!
//! **Hot credentials are kept in memory** ([`CredentialCache`]): a credential shared on a
//! social network is fetched many times in a burst, and with SQLite each read is a hop to
//! the database's own thread and back, which costs more than everything else in the request.
//! A credential's bytes change only when it is re-issued (revocation is published in status
//! lists), which forgets the copy on the instance that did it; so a short-lived copy is safe:
//! entries live for a minute, within the hour clients may already cache them, and the whole
//! cache is bounded in bytes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use laurel_core::bake::{self, Payload};
use laurel_store::{Award, Image, StoreError};
use serde_json::Value;
use uuid::Uuid;

use super::badge;
use super::image_document;
use crate::cache::{self, Cache, Representation};
use crate::routes::parse_id;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::images::raster;
use laurel_service::{certificate, documents};

/// The forms a credential is served in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The JSON-LD document at the credential's id.
    LinkedData,
    /// The JSON, as a file download.
    Json,
    /// The VC-JWT.
    Jwt,
    /// Baked into a PNG.
    Png,
    /// Baked into an SVG.
    Svg,
    /// The printable certificate.
    Pdf,
}

/// Splits a file name into the credential id and the form asked for.
pub fn split(file: &str) -> Option<(&str, Format)> {
    let Some((id, extension)) = file.rsplit_once('.') else {
        return Some((file, Format::LinkedData));
    };
    let format = match extension {
        "json" => Format::Json,
        "jwt" => Format::Jwt,
        "png" => Format::Png,
        "svg" => Format::Svg,
        "pdf" => Format::Pdf,
        _ => return None,
    };
    Some((id, format))
}

/// The handler.
pub async fn credential(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> HttpResult<Response> {
    let (id, format) = split(&file).ok_or_else(|| {
        HttpError::NotFound(format!(
            "no credential file {file}; credentials are served as .json, .jwt, .png, .svg and .pdf"
        ))
    })?;
    if format == Format::LinkedData && crate::pages::wants_html(&headers) {
        return Ok(crate::pages::credential::page(&state, id, &headers).await);
    }
    let id = parse_id(id, "credential")?;
    let hot = &state.credentials;
    let encoding = match format {
        Format::Jwt => Encoding::Jwt,
        _ => Encoding::LinkedData,
    };
    let issued = match hot.get(id, encoding) {
        Some(issued) => issued,
        None => {
            let award = state.store.award(id).await.map_err(|error| match error {
                StoreError::NotFound => HttpError::not_found("credential", id),
                other => other.into(),
            })?;
            hot.insert(Issued::new(award, encoding))
        }
    };
    let document = match format {
        Format::LinkedData => {
            Representation::new(issued.body.clone(), "application/ld+json", Cache::Hour)
                .with_etag(issued.etag.clone())
                .with(header::VARY, HeaderValue::from_static("Accept"))
        }
        Format::Json => {
            Representation::new(issued.body.clone(), "application/vc+ld+json", Cache::Hour)
                .with_etag(issued.etag.clone())
                .with(
                    header::CONTENT_DISPOSITION,
                    disposition("attachment", id, "json"),
                )
        }
        Format::Jwt => Representation::new(issued.body.clone(), "application/jwt", Cache::Hour)
            .with_etag(issued.etag.clone()),
        Format::Png | Format::Svg => baked(&state, &issued, format).await?,
        Format::Pdf => {
            let pdf = certificate::print::pdf(&state, id).await?;
            Representation::new(pdf, "application/pdf", Cache::Minute).with(
                header::CONTENT_DISPOSITION,
                disposition_named("inline", "certificate", id, "pdf"),
            )
        }
    };
    Ok(document.respond(&headers))
}

/// The two encodings a credential is served in, kept apart: most clients ask for one only
/// (verifiers and browsers' downloads the JSON-LD, a few wallets the JWT), so a cache holding
/// both for every credential would hold half as many of the ones asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// The Data Integrity–signed JSON-LD (also baked into the badge images).
    LinkedData,
    /// The VC-JWT.
    Jwt,
}

/// What is served of one award in one encoding, with its ETag computed once.
#[derive(Debug)]
pub struct Issued {
    id: Uuid,
    achievement_id: Uuid,
    encoding: Encoding,
    body: Bytes,
    etag: Option<HeaderValue>,
}

impl Issued {
    fn new(award: Award, encoding: Encoding) -> Self {
        let body = Bytes::from(match encoding {
            Encoding::LinkedData => award.credential,
            Encoding::Jwt => award.jwt,
        });
        Issued {
            id: award.id,
            achievement_id: award.achievement_id,
            encoding,
            etag: cache::etag(&body),
            body,
        }
    }

    fn size(&self) -> usize {
        self.body.len() + 256
    }

    /// The signed JSON-LD as text (an entry of [`Encoding::LinkedData`]).
    fn credential_text(&self) -> HttpResult<&str> {
        std::str::from_utf8(&self.body).map_err(|_| {
            HttpError::Internal(format!("credential {}: stored text is not UTF-8", self.id))
        })
    }
}

/// Recently served credentials, bounded in bytes, each kept for [`CredentialCache::TTL`].
///
/// Each instance has its own: a credential re-issued on another instance of a cluster is
/// served as it was for at most [`CredentialCache::TTL`].
#[derive(Debug)]
pub struct CredentialCache {
    budget: usize,
    state: Mutex<CacheState>,
}

#[derive(Debug, Default)]
struct CacheState {
    entries: HashMap<(Uuid, Encoding), (Instant, Arc<Issued>)>,
    bytes: usize,
}

impl Default for CredentialCache {
    fn default() -> Self {
        CredentialCache::new(super::CREDENTIAL_CACHE_BYTES)
    }
}

impl CredentialCache {
    /// How long an entry is served before the store is asked again.
    pub const TTL: Duration = Duration::from_secs(60);

    /// Forgets a credential that changed (re-issued, revoked, suspended).
    pub fn forget(&self, id: Uuid) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for encoding in [Encoding::LinkedData, Encoding::Jwt] {
            if let Some((_, issued)) = state.entries.remove(&(id, encoding)) {
                state.bytes -= issued.size();
            }
        }
    }

    /// A cache holding at most `budget` bytes of credentials.
    pub fn new(budget: usize) -> Self {
        CredentialCache {
            budget,
            state: Mutex::new(CacheState::default()),
        }
    }

    fn get(&self, id: Uuid, encoding: Encoding) -> Option<Arc<Issued>> {
        // A poisoned lock only means a panic mid-update; the map is still consistent enough
        // for a cache (at worst an entry is missing).
        let state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state
            .entries
            .get(&(id, encoding))
            .filter(|(at, _)| at.elapsed() < Self::TTL)
            .map(|(_, issued)| issued.clone())
    }

    fn insert(&self, issued: Issued) -> Arc<Issued> {
        let issued = Arc::new(issued);
        let size = issued.size();
        if size > self.budget {
            return issued;
        }
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if state.bytes + size > self.budget {
            // Full: drop what has expired, and if that is not enough, start over. Crude, but
            // bounded and O(1) per request on average; hot entries come straight back.
            state.entries.retain(|_, (at, _)| at.elapsed() < Self::TTL);
            state.bytes = state
                .entries
                .values()
                .map(|(_, issued)| issued.size())
                .sum();
            if state.bytes + size > self.budget {
                state.entries.clear();
                state.bytes = 0;
            }
        }
        if let Some((_, old)) = state.entries.insert(
            (issued.id, issued.encoding),
            (Instant::now(), issued.clone()),
        ) {
            state.bytes -= old.size();
        }
        state.bytes += size;
        issued
    }
}

/// The credential baked into its badge image.
async fn baked(state: &AppState, issued: &Issued, format: Format) -> HttpResult<Representation> {
    let text = issued.credential_text()?.to_owned();
    let credential: Value = serde_json::from_str(&text).map_err(|error| {
        HttpError::Internal(format!("credential {}: stored JSON: {error}", issued.id))
    })?;
    let name = credential
        .pointer("/credentialSubject/achievement/name")
        .or_else(|| credential.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("Badge")
        .to_owned();
    let mut image = issued_image(state, issued.achievement_id, &credential).await?;
    if format == Format::Png
        && let Some(svg) = image.take_if(|image| image.content_type == "image/svg+xml")
    {
        // An SVG badge is baked as its rendering; if it cannot be drawn, the medal.
        image = match raster::as_png(state, &svg, raster::BADGE_SIDE).await {
            Ok(png) => Some(Image {
                sha256: svg.sha256,
                content_type: "image/png".into(),
                bytes: png.bytes.clone(),
            }),
            Err(error) => {
                tracing::warn!(%error, "the SVG badge cannot be rendered; using a generated one");
                None
            }
        };
    }
    let id = issued.id;
    // Baking copies (PNG) or re-serializes (SVG) the whole image: off the async threads.
    let (bytes, content_type, extension) =
        tokio::task::spawn_blocking(move || bake_into(image, &text, &name, format))
            .await
            .map_err(|error| HttpError::Internal(format!("baking credential {id}: {error}")))??;
    Ok(image_document(bytes, content_type, Cache::Hour).with(
        header::CONTENT_DISPOSITION,
        disposition("inline", id, extension),
    ))
}

fn bake_into(
    image: Option<Image>,
    credential: &str,
    name: &str,
    format: Format,
) -> HttpResult<(Vec<u8>, &'static str, &'static str)> {
    let failed = |error: bake::BakeError| HttpError::Internal(format!("baking: {error}"));
    if format == Format::Png {
        let artwork = match &image {
            Some(image) if image.content_type == "image/png" => image.bytes.as_slice(),
            _ => badge::generated_png(),
        };
        let baked = match bake::bake_png(artwork, credential) {
            Ok(baked) => baked,
            Err(error) => {
                // An upload that cannot be baked (it passed the upload checks, so this is
                // rare): a badge with the generated artwork is better than none.
                tracing::warn!(%error, "the badge image cannot be baked; using a generated one");
                bake::bake_png(badge::generated_png(), credential).map_err(failed)?
            }
        };
        return Ok((baked, "image/png", "png"));
    }
    let generated = || badge::generated_svg(name);
    let artwork = match &image {
        Some(image) if image.content_type == "image/svg+xml" => {
            String::from_utf8(image.bytes.clone()).unwrap_or_else(|_| generated())
        }
        Some(image) => badge::svg_around_png(&image.bytes, name),
        None => generated(),
    };
    let payload = Payload::Json(credential);
    let baked = match bake::bake_svg(&artwork, payload) {
        Ok(baked) => baked,
        Err(error) => {
            tracing::warn!(%error, "the badge image cannot be baked; using a generated one");
            bake::bake_svg(&generated(), payload).map_err(failed)?
        }
    };
    Ok((baked.into_bytes(), "image/svg+xml", "svg"))
}

/// The image the credential names if it is one of ours (by content hash, whatever the origin
/// was at issue), else the achievement's current image, else none.
async fn issued_image(
    state: &AppState,
    achievement_id: Uuid,
    credential: &Value,
) -> HttpResult<Option<Image>> {
    let named = credential
        .pointer("/credentialSubject/achievement/image")
        .and_then(|image| image.get("id").or(Some(image)))
        .and_then(Value::as_str);
    let Some(named) = named else {
        return Ok(None);
    };
    if let Some((_, file)) = named.rsplit_once("/images/")
        && let Some(image) = stored_image(state, file).await?
    {
        return Ok(Some(image));
    }
    let achievement = match state.store.achievement(achievement_id).await {
        Ok(achievement) => achievement,
        Err(StoreError::NotFound) => return Ok(None),
        Err(other) => return Err(other.into()),
    };
    match achievement.image {
        Some(file) => stored_image(state, &file).await,
        None => Ok(None),
    }
}

async fn stored_image(state: &AppState, file: &str) -> HttpResult<Option<Image>> {
    let (sha256, _) = documents::parse_image_file_name(file);
    match state.store.image(sha256).await {
        Ok(image) => Ok(Some(image)),
        Err(StoreError::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

fn disposition(kind: &str, id: Uuid, extension: &str) -> HeaderValue {
    disposition_named(kind, "badge", id, extension)
}

fn disposition_named(kind: &str, name: &str, id: Uuid, extension: &str) -> HeaderValue {
    let value = format!("{kind}; filename=\"{name}-{id}.{extension}\"");
    // A UUID and ASCII words: always a valid header value.
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn issued(size: usize) -> Issued {
        Issued::new(
            Award {
                id: Uuid::new_v4(),
                achievement_id: Uuid::new_v4(),
                issuer_id: Uuid::new_v4(),
                recipient_email: "a@example.org".into(),
                recipient_name: None,
                issued_at: chrono::Utc::now(),
                valid_until: None,
                credential: "x".repeat(size),
                jwt: String::new(),
                status: None,
                revoked_at: None,
                revocation_reason: None,
                suspended_at: None,
                suspension_reason: None,
                role: None,
            },
            Encoding::LinkedData,
        )
    }

    #[test]
    fn the_credential_cache_stays_within_its_budget() {
        let cache = CredentialCache::new(10_000);
        let first = cache.insert(issued(1_000));
        assert!(cache.get(first.id, Encoding::LinkedData).is_some());
        assert!(cache.get(first.id, Encoding::Jwt).is_none(), "kept apart");
        assert!(cache.get(Uuid::new_v4(), Encoding::LinkedData).is_none());
        cache.forget(first.id);
        assert!(cache.get(first.id, Encoding::LinkedData).is_none());
        for _ in 0..50 {
            cache.insert(issued(1_000));
            let state = cache.state.lock().unwrap();
            assert!(state.bytes <= 10_000, "{}", state.bytes);
            let counted: usize = state.entries.values().map(|(_, i)| i.size()).sum();
            assert_eq!(counted, state.bytes);
        }
        // Larger than the whole budget: served, not kept.
        let huge = cache.insert(issued(20_000));
        assert!(cache.get(huge.id, Encoding::LinkedData).is_none());
        assert_eq!(huge.body.len(), 20_000);
    }

    #[test]
    fn file_names_split_into_id_and_format() {
        assert_eq!(split("abc"), Some(("abc", Format::LinkedData)));
        assert_eq!(split("abc.json"), Some(("abc", Format::Json)));
        assert_eq!(split("abc.jwt"), Some(("abc", Format::Jwt)));
        assert_eq!(split("abc.png"), Some(("abc", Format::Png)));
        assert_eq!(split("abc.svg"), Some(("abc", Format::Svg)));
        assert_eq!(split("abc.pdf"), Some(("abc", Format::Pdf)));
        assert_eq!(split("abc.exe"), None);
    }
}
