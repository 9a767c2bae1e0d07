//! `GET /credentials/{id}[.json|.jwt|.png|.svg]`: an issued credential, as stored, in each form.
//!
//! - no extension: the signed credential (Data Integrity proof), `application/ld+json`;
//! - `.json`: the same bytes as a download (`application/vc+ld+json`, the media type Open
//!   Badges gives credential files, with `Content-Disposition: attachment`);
//! - `.jwt`: the VC-JWT, `application/jwt`;
//! - `.png`, `.svg`: the signed JSON credential baked into the badge image (see [`badge`] for
//!   what is baked when the achievement has no image of that format).
//!
//! The image baked is the one the credential names (`credentialSubject.achievement.image`),
//! looked up by its content hash, so a later change of the achievement's image does not change
//! an issued badge. Only when the credential names no stored image is the achievement's
//! current image used.
//!
//! axum cannot route `{id}.json` as a parameter with a suffix, so one route takes the whole
//! file name and [`split`] separates the extension.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use laurel_core::bake::{self, Payload};
use laurel_store::{Award, Image, StoreError};
use serde_json::Value;
use uuid::Uuid;

use super::badge;
use super::cache::{Cache, Document};
use super::{image_document, parse_id};
use crate::{ApiError, ApiResult, AppState, documents};

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
        _ => return None,
    };
    Some((id, format))
}

/// The handler.
pub async fn credential(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (id, format) = split(&file).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no credential file {file}; credentials are served as .json, .jwt, .png and .svg"
        ))
    })?;
    let id = parse_id(id, "credential")?;
    let award = state.store.award(id).await.map_err(|error| match error {
        StoreError::NotFound => ApiError::not_found("credential", id),
        other => other.into(),
    })?;
    let document = match format {
        Format::LinkedData => Document::new(award.credential, "application/ld+json", Cache::Hour),
        Format::Json => Document::new(award.credential, "application/vc+ld+json", Cache::Hour)
            .with(
                header::CONTENT_DISPOSITION,
                disposition("attachment", id, "json"),
            ),
        Format::Jwt => Document::new(award.jwt, "application/jwt", Cache::Hour),
        Format::Png | Format::Svg => baked(&state, award, format).await?,
    };
    Ok(document.respond(&headers))
}

/// The credential baked into its badge image.
async fn baked(state: &AppState, award: Award, format: Format) -> ApiResult<Document> {
    let credential: Value = serde_json::from_str(&award.credential).map_err(|error| {
        ApiError::Internal(format!("credential {}: stored JSON: {error}", award.id))
    })?;
    let name = credential
        .pointer("/credentialSubject/achievement/name")
        .or_else(|| credential.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("Badge")
        .to_owned();
    let image = issued_image(state, &award, &credential).await?;
    let id = award.id;
    // Baking copies (PNG) or re-serializes (SVG) the whole image: off the async threads.
    let (bytes, content_type, extension) =
        tokio::task::spawn_blocking(move || bake_into(image, &award.credential, &name, format))
            .await
            .map_err(|error| ApiError::Internal(format!("baking credential {id}: {error}")))??;
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
) -> ApiResult<(Vec<u8>, &'static str, &'static str)> {
    let failed = |error: bake::BakeError| ApiError::Internal(format!("baking: {error}"));
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
    award: &Award,
    credential: &Value,
) -> ApiResult<Option<Image>> {
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
    let achievement = match state.store.achievement(award.achievement_id).await {
        Ok(achievement) => achievement,
        Err(StoreError::NotFound) => return Ok(None),
        Err(other) => return Err(other.into()),
    };
    match achievement.image {
        Some(file) => stored_image(state, &file).await,
        None => Ok(None),
    }
}

async fn stored_image(state: &AppState, file: &str) -> ApiResult<Option<Image>> {
    let (sha256, _) = documents::parse_image_file_name(file);
    match state.store.image(sha256).await {
        Ok(image) => Ok(Some(image)),
        Err(StoreError::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

fn disposition(kind: &str, id: Uuid, extension: &str) -> HeaderValue {
    let value = format!("{kind}; filename=\"badge-{id}.{extension}\"");
    // A UUID and ASCII words: always a valid header value.
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn file_names_split_into_id_and_format() {
        assert_eq!(split("abc"), Some(("abc", Format::LinkedData)));
        assert_eq!(split("abc.json"), Some(("abc", Format::Json)));
        assert_eq!(split("abc.jwt"), Some(("abc", Format::Jwt)));
        assert_eq!(split("abc.png"), Some(("abc", Format::Png)));
        assert_eq!(split("abc.svg"), Some(("abc", Format::Svg)));
        assert_eq!(split("abc.exe"), None);
    }
}
