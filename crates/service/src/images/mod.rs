//! Images (issuer logos, badge images): PNG or SVG, at most 1 MiB, checked before they are
//! stored and published, whichever front door they came through.
//!
//! Images are served from the service's own origin and travel inside baked credentials, so an
//! SVG carrying script would run wherever it is opened (stored XSS). An SVG is therefore not
//! stored as sent but rebuilt from an allow-list of elements and attributes ([`svg`]); the
//! stored file, and its hash in the image's name, are those of the rebuilt SVG.

/// The medal shown for a badge with no image at all: a plain PNG (no text), a laurel-green
/// disc with a gold ring, 256 × 256, the same disc and ring as the page's SVG medal. A fixed
/// file rather than drawn at run time: it never changes. The baked PNG and the certificate use
/// it.
pub const MEDAL_PNG: &[u8] = include_bytes!("medal.png");

pub mod raster;
pub mod svg;

use sha2::{Digest, Sha256};

use crate::{Service, ServiceError, ServiceResult, documents};

/// The largest image accepted.
pub const MAX_IMAGE_BYTES: usize = 1024 * 1024;

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Checks that `bytes` are an image of `content_type` (`image/png` or `image/svg+xml`) and
/// stores what [`check`] keeps; returns the file name to keep in the issuer's or achievement's
/// row. Rewriting an SVG is CPU work (up to a second for a large, intricate file), so it runs
/// on the blocking pool.
pub async fn store(
    service: &Service,
    content_type: &'static str,
    bytes: Vec<u8>,
) -> ServiceResult<String> {
    let bytes = tokio::task::spawn_blocking(move || check(content_type, &bytes))
        .await
        .map_err(|error| ServiceError::Internal(format!("the image check stopped: {error}")))??;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    service
        .store
        .put_image(&laurel_store::Image {
            sha256: sha256.clone(),
            content_type: content_type.to_string(),
            bytes,
        })
        .await?;
    Ok(documents::image_file_name(&sha256, content_type))
}

/// Checks that the bytes are an image of the declared type; returns what to store: a PNG as
/// sent, an SVG rebuilt from an allow-list ([`svg`]).
pub fn check(content_type: &str, bytes: &[u8]) -> ServiceResult<Vec<u8>> {
    if bytes.is_empty() {
        return Err(ServiceError::Invalid("the image is empty".into()));
    }
    if content_type == "image/png" {
        // The signature, then the IHDR chunk that must come first.
        if bytes.starts_with(PNG_SIGNATURE) && bytes.get(12..16) == Some(b"IHDR") {
            Ok(bytes.to_vec())
        } else {
            Err(ServiceError::Unsupported(
                "the body is not a PNG image (it lacks the PNG signature and header)".into(),
            ))
        }
    } else {
        svg::clean(bytes).map_err(|why| ServiceError::Unsupported(format!("SVG refused: {why}")))
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
