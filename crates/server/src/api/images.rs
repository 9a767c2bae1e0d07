//! Image uploads (issuer logos, badge images): the body read within its limit and its
//! `Content-Type`, then checked and stored by the domain ([`laurel_service::images`]: PNG or
//! an SVG rebuilt from an allow-list). The type is taken from `Content-Type` and must match the
//! bytes.

use crate::{AppState, HttpError, HttpResult};
use axum::body::Body;
use axum::http::{HeaderMap, header};
use laurel_service::images;

pub use laurel_service::images::MAX_IMAGE_BYTES;

/// Reads an uploaded image's body (at most [`MAX_IMAGE_BYTES`]) and has the domain check and
/// store it; returns the file name to keep in the row.
pub async fn upload(state: &AppState, headers: &HeaderMap, body: Body) -> HttpResult<String> {
    let content_type = content_type(headers)?;
    let bytes = axum::body::to_bytes(body, MAX_IMAGE_BYTES)
        .await
        .map_err(|_| {
            HttpError::PayloadTooLarge(format!(
                "images may be at most {MAX_IMAGE_BYTES} bytes (1 MiB)"
            ))
        })?;
    Ok(images::store(state, content_type, bytes.to_vec()).await?)
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
