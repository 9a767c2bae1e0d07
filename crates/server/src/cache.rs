//! Conditional GETs: a strong `ETag` on every public response, `304 Not Modified` when the
//! client already has it, and a `Cache-Control` policy per kind of document.
//!
//! The ETag is a hash of the exact body, so it needs no stored version: two instances behind a
//! load balancer give the same tag for the same bytes, and a changed profile gets a new one.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// How long a document may be cached, by how it can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cache {
    /// Content-addressed (an image named by its hash): never changes.
    Immutable,
    /// Issued credentials and key documents: the bytes never change, but revocation lives in
    /// status lists and keys can be retired, so an hour keeps verifiers reasonably fresh.
    Hour,
    /// Editable documents (profiles, achievements) and lists that grow (the JWK Set).
    FiveMinutes,
    /// Status lists: a revocation should reach verifiers soon (the lists' `ttl`).
    Minute,
    /// Answers about what a visitor sent (the verify page): never kept.
    NoStore,
}

impl Cache {
    fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Cache::Immutable => "public, max-age=31536000, immutable",
            Cache::Hour => "public, max-age=3600",
            Cache::FiveMinutes => "public, max-age=300",
            Cache::Minute => "public, max-age=60",
            Cache::NoStore => "no-store",
        })
    }
}

/// A public document: its body, media type, cache policy and optional extra headers.
pub struct Representation {
    body: Bytes,
    etag: Option<HeaderValue>,
    content_type: HeaderValue,
    cache: Cache,
    extra: Vec<(header::HeaderName, HeaderValue)>,
}

impl Representation {
    /// A document with a static media type.
    pub fn new(body: impl Into<Bytes>, content_type: &'static str, cache: Cache) -> Self {
        Representation {
            body: body.into(),
            etag: None,
            content_type: HeaderValue::from_static(content_type),
            cache,
            extra: Vec::new(),
        }
    }

    /// A JSON document, serialized compactly.
    pub fn json(value: &serde_json::Value, content_type: &'static str, cache: Cache) -> Self {
        Representation::new(value.to_string(), content_type, cache)
    }

    /// Uses an ETag computed earlier with [`etag`] for these very bytes (a cached body).
    pub fn with_etag(mut self, etag: Option<HeaderValue>) -> Self {
        self.etag = etag;
        self
    }

    /// Adds a header (Content-Disposition, Content-Security-Policy, …).
    pub fn with(mut self, name: header::HeaderName, value: HeaderValue) -> Self {
        self.extra.push((name, value));
        self
    }

    /// The response to a request with these headers: 304 if its `If-None-Match` matches.
    pub fn respond(self, request: &HeaderMap) -> Response {
        let etag = self.etag.or_else(|| etag(&self.body));
        let mut headers = HeaderMap::new();
        headers.insert(header::CACHE_CONTROL, self.cache.header());
        for (name, value) in self.extra {
            headers.insert(name, value);
        }
        if let Some(etag) = etag {
            if matches(request, &etag) {
                headers.insert(header::ETAG, etag);
                return (StatusCode::NOT_MODIFIED, headers).into_response();
            }
            headers.insert(header::ETAG, etag);
        }
        headers.insert(header::CONTENT_TYPE, self.content_type);
        (headers, self.body).into_response()
    }
}

/// `"` + base64url(first 16 bytes of SHA-256(body)) + `"`: 128 bits is plenty to tell
/// versions of one URL apart.
pub fn etag(body: &[u8]) -> Option<HeaderValue> {
    let digest = Sha256::digest(body);
    let tag = format!("\"{}\"", URL_SAFE_NO_PAD.encode(&digest[..16]));
    // base64url and quotes are always valid header characters.
    HeaderValue::from_str(&tag).ok()
}

/// Whether `If-None-Match` names this tag (or is `*`). RFC 9110 §13.1.2 compares weakly, so a
/// `W/` prefix the client or a proxy added still matches.
fn matches(request: &HeaderMap, etag: &HeaderValue) -> bool {
    let Ok(etag) = etag.to_str() else {
        return false;
    };
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == etag)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_matching_if_none_match_gives_304_without_a_body() {
        let first =
            Representation::new("hello", "text/plain", Cache::Hour).respond(&HeaderMap::new());
        assert_eq!(first.status(), StatusCode::OK);
        let tag = first.headers().get(header::ETAG).unwrap().clone();
        assert!(tag.to_str().unwrap().starts_with('"'));

        for sent in [
            tag.to_str().unwrap().to_string(),
            format!("W/{}", tag.to_str().unwrap()),
            format!("\"other\", {}", tag.to_str().unwrap()),
            "*".to_string(),
        ] {
            let mut request = HeaderMap::new();
            request.insert(header::IF_NONE_MATCH, HeaderValue::from_str(&sent).unwrap());
            let again = Representation::new("hello", "text/plain", Cache::Hour).respond(&request);
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{sent}");
            assert_eq!(again.headers().get(header::ETAG), Some(&tag));
        }

        let mut request = HeaderMap::new();
        request.insert(header::IF_NONE_MATCH, tag);
        let changed = Representation::new("hello!", "text/plain", Cache::Hour).respond(&request);
        assert_eq!(changed.status(), StatusCode::OK);
    }
}
