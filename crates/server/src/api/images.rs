//! Image uploads (issuer logos, badge images): PNG or SVG, at most 1 MiB, checked before
//! they are stored and published.
//!
//! Images are served from the service's own origin and travel inside baked credentials, so an
//! SVG carrying script would run wherever it is opened (stored XSS). An SVG is therefore not
//! stored as sent but rebuilt from an allow-list of elements and attributes ([`super::svg`]);
//! the stored file, and its hash in the image's name, are those of the rebuilt SVG. The type
//! is taken from `Content-Type` and must match the bytes.

use axum::body::Body;
use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};

use crate::{AppState, HttpError, HttpResult};
use laurel_service::documents;

/// The largest image accepted.
pub const MAX_IMAGE_BYTES: usize = 1024 * 1024;

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Reads, checks and stores an uploaded image; returns the file name to keep in the row.
pub async fn upload(state: &AppState, headers: &HeaderMap, body: Body) -> HttpResult<String> {
    let content_type = content_type(headers)?;
    let bytes = axum::body::to_bytes(body, MAX_IMAGE_BYTES)
        .await
        .map_err(|_| {
            HttpError::PayloadTooLarge(format!(
                "images may be at most {MAX_IMAGE_BYTES} bytes (1 MiB)"
            ))
        })?;
    // Rewriting an SVG is CPU work (up to a second for a large, intricate file).
    let bytes = tokio::task::spawn_blocking(move || check(content_type, &bytes))
        .await
        .map_err(|error| HttpError::Internal(format!("the image check stopped: {error}")))??;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    state
        .store
        .put_image(&laurel_store::Image {
            sha256: sha256.clone(),
            content_type: content_type.to_string(),
            bytes,
        })
        .await?;
    Ok(documents::image_file_name(&sha256, content_type))
}

/// The declared type: `image/png` or `image/svg+xml`, else 415.
fn content_type(headers: &HeaderMap) -> HttpResult<&'static str> {
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    match declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
        .as_str()
    {
        "image/png" => Ok("image/png"),
        "image/svg+xml" => Ok("image/svg+xml"),
        _ => Err(HttpError::UnsupportedMediaType(format!(
            "upload the image as the raw body with `Content-Type: image/png` or `Content-Type: image/svg+xml` (got {})",
            if declared.is_empty() {
                "no Content-Type".to_string()
            } else {
                format!("{declared:?}")
            }
        ))),
    }
}

/// Checks that the bytes are an image of the declared type; returns what to store: a PNG as
/// sent, an SVG rebuilt from an allow-list ([`super::svg`]).
pub fn check(content_type: &str, bytes: &[u8]) -> HttpResult<Vec<u8>> {
    if bytes.is_empty() {
        return Err(HttpError::BadRequest("the image is empty".into()));
    }
    if content_type == "image/png" {
        // The signature, then the IHDR chunk that must come first.
        if bytes.starts_with(PNG_SIGNATURE) && bytes.get(12..16) == Some(b"IHDR") {
            Ok(bytes.to_vec())
        } else {
            Err(HttpError::UnsupportedMediaType(
                "the body is not a PNG image (it lacks the PNG signature and header)".into(),
            ))
        }
    } else {
        super::svg::clean(bytes)
            .map_err(|why| HttpError::UnsupportedMediaType(format!("SVG refused: {why}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_is_kept_as_sent_and_svg_is_rebuilt() {
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend_from_slice(b"\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0");
        assert_eq!(check("image/png", &png).ok(), Some(png));
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>"#;
        let stored = check("image/svg+xml", svg).expect("a circle is fine");
        assert!(String::from_utf8_lossy(&stored).contains("<path"));
    }

    #[test]
    fn wrong_or_empty_images_are_refused() {
        assert!(check("image/png", b"<svg/>").is_err());
        assert!(check("image/png", b"").is_err());
        assert!(check("image/svg+xml", b"\x89PNG not really").is_err());
        assert!(check("image/svg+xml", b"<html><body/></html>").is_err());
    }
}
