//! The service's one fetcher of documents from elsewhere: wallet holders' `did:web` DID
//! documents and imported endorsements' key documents (see `laurel_service::remote` for why
//! both share it). It is the verifier's HTTPS fetcher (public addresses only, every resolved
//! address checked) with the domain's limits: 5 s, 64 KB, no redirects, nothing kept.
//! `laurel serve` sets it with `Service::with_remote_documents`.

use std::sync::OnceLock;
use std::time::Instant;

use laurel_service::remote::{DOCUMENT_BYTES, DOCUMENT_TIME};
use laurel_verify::Fetch;
use laurel_verify::fetch::{FetchPolicy, HttpFetcher};

/// What a document from elsewhere may cost: HTTPS to a public address only, within
/// [`DOCUMENT_TIME`] and [`DOCUMENT_BYTES`], no redirect followed, nothing kept between
/// requests.
pub fn remote_document_policy() -> FetchPolicy {
    FetchPolicy {
        allow_local: false,
        timeout: DOCUMENT_TIME,
        only_ports: None,
        max_bytes: DOCUMENT_BYTES,
        max_redirects: 0,
        cache: false,
    }
}

/// Reads documents from elsewhere for the domain, within a [`FetchPolicy`]
/// ([`remote_document_policy`] in `laurel serve`).
///
/// The HTTP client is blocking and made on first use: it may be neither built nor used on the
/// async threads, and the domain calls it from a blocking task.
pub struct RemoteDocuments {
    policy: FetchPolicy,
    fetcher: OnceLock<Result<HttpFetcher, String>>,
}

impl RemoteDocuments {
    /// A reader within `policy`.
    pub fn new(policy: FetchPolicy) -> Self {
        RemoteDocuments {
            policy,
            fetcher: OnceLock::new(),
        }
    }
}

impl Default for RemoteDocuments {
    /// Within [`remote_document_policy`].
    fn default() -> Self {
        RemoteDocuments::new(remote_document_policy())
    }
}

impl Fetch for RemoteDocuments {
    fn fetch_json(&self, url: &str, deadline: Instant) -> Result<serde_json::Value, String> {
        match self
            .fetcher
            .get_or_init(|| HttpFetcher::new(self.policy.clone()))
        {
            Ok(fetcher) => fetcher.fetch_json(url, deadline),
            Err(error) => Err(error.clone()),
        }
    }
}
