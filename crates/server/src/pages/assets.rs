//! The stylesheet and script, compiled into the binary (pages work offline on an intranet and
//! load nothing from elsewhere). Their URLs carry a hash of the content, so they are cached for
//! a year and a new build is fetched at once.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::Response;

use crate::HttpError;
use crate::cache::{Cache, Representation};

const CSS: &str = include_str!("laurel.css");
const JS: &str = include_str!("laurel.js");

static CSS_VERSION: LazyLock<String> = LazyLock::new(|| version(CSS));
static JS_VERSION: LazyLock<String> = LazyLock::new(|| version(JS));

fn version(text: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(text.as_bytes())[..6])
}

/// The stylesheet's URL (root-relative), versioned.
pub fn css_url() -> String {
    format!("/assets/laurel.css?v={}", *CSS_VERSION)
}

/// The script's URL (root-relative), versioned.
pub fn js_url() -> String {
    format!("/assets/laurel.js?v={}", *JS_VERSION)
}

/// `GET /assets/{file}`.
pub async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Result<Response, HttpError> {
    let (body, content_type) = match file.as_str() {
        "laurel.css" => (CSS, "text/css; charset=utf-8"),
        "laurel.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return Err(HttpError::NotFound(format!("no asset {file}"))),
    };
    Ok(Representation::new(body, content_type, Cache::Immutable).respond(&headers))
}
