//! `--online`: fetching did:web documents, key documents and status lists over HTTP(S).
//!
//! Bounded on every side: HTTPS only (plain HTTP only for loopback hosts, for local testing),
//! a 10-second timeout, at most 1 MiB per document, no more than 5 redirects. Each URL is
//! fetched once per run: a folder of credentials from one issuer shares its key document and
//! status list.

use std::collections::HashMap;
use std::io::Read as _;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;

use crate::Fetch;

/// The most bytes one fetched document may have.
pub const MAX_DOCUMENT_BYTES: u64 = 1024 * 1024;

/// A [`Fetch`] backed by a blocking HTTP client.
pub struct HttpFetcher {
    client: reqwest::blocking::Client,
    /// Answers already fetched this run, failures included, by URL.
    fetched: Mutex<HashMap<String, Result<Value, String>>>,
}

impl HttpFetcher {
    /// A fetcher with the limits above. The error is a sentence for the user.
    pub fn new() -> Result<Self, String> {
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::limited(5))
            .user_agent(concat!("laurel-verify/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| format!("cannot start the HTTP client: {error}"))?;
        Ok(HttpFetcher {
            client,
            fetched: Mutex::new(HashMap::new()),
        })
    }
}

fn allowed(url: &str) -> bool {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return false;
    };
    match parsed.scheme() {
        "https" => true,
        "http" => matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")),
        _ => false,
    }
}

impl Fetch for HttpFetcher {
    fn fetch_json(&self, url: &str, _deadline: std::time::Instant) -> Result<Value, String> {
        // A poisoned lock only means another thread panicked mid-insert; the map is still usable.
        let cached = self
            .fetched
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(url)
            .cloned();
        if let Some(answer) = cached {
            return answer;
        }
        let answer = self.fetch_uncached(url);
        self.fetched
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(url.to_string(), answer.clone());
        answer
    }
}

impl HttpFetcher {
    fn fetch_uncached(&self, url: &str) -> Result<Value, String> {
        if !allowed(url) {
            return Err(format!("will not fetch {url}: only HTTPS URLs are fetched"));
        }
        let response = self
            .client
            .get(url)
            .header(
                "Accept",
                "application/did+json, application/ld+json, application/json",
            )
            .send()
            .map_err(|error| format!("could not fetch {url}: {error}"))?;
        if !response.status().is_success() {
            return Err(format!("could not fetch {url}: HTTP {}", response.status()));
        }
        let mut body = Vec::new();
        response
            .take(MAX_DOCUMENT_BYTES + 1)
            .read_to_end(&mut body)
            .map_err(|error| format!("could not read {url}: {error}"))?;
        if body.len() as u64 > MAX_DOCUMENT_BYTES {
            return Err(format!("{url} is larger than {MAX_DOCUMENT_BYTES} bytes"));
        }
        serde_json::from_slice(&body).map_err(|error| format!("{url} is not JSON: {error}"))
    }
}
