//! Documents from elsewhere: the one way the domain reads anything over the network.
//!
//! Two things need a document another host serves: a wallet holder's `did:web` DID document
//! (to check its DID Authentication, [`crate::wallet::did_web`]) and an endorser's key
//! documents when staff import an endorsement it signed. Both are named by someone outside
//! (a wallet, an imported credential), so both may only be read within the same tight limits:
//! HTTPS only, public addresses only (no loopback, private, link-local or metadata address,
//! whether named or resolved, so nobody can make Laurel probe the network it runs in), no
//! redirects, 5 seconds and 64 KB per document ([`DOCUMENT_TIME`], [`DOCUMENT_BYTES`]),
//! nothing kept.
//!
//! The domain has no HTTP client (see the crate layering): the fetcher is injected once, as
//! [`crate::Service::remote_documents`]. `laurel serve` gives it the verifier's HTTPS fetcher
//! with these limits (`laurel_server::remote::RemoteDocuments`); tests serve documents
//! themselves. Without one nothing is fetched, and what needed it is refused in plain words
//! ([`NoLookups`]).

use std::time::{Duration, Instant};

use serde_json::Value;

/// The most bytes of a document read.
pub const DOCUMENT_BYTES: u64 = 64 * 1024;

/// The longest a document may take, connecting and reading included.
pub const DOCUMENT_TIME: Duration = Duration::from_secs(5);

/// How documents are fetched, in words for refusals.
pub const FETCH_RULES: &str = "Laurel reads a document from elsewhere over HTTPS from a public \
     address, within 5 seconds and 64 KB, without redirects";

/// The fetcher of a service that fetches nothing from elsewhere (the `laurel` commands, and
/// servers embedded without one): every look-up is refused, saying so.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLookups;

impl laurel_verify::Fetch for NoLookups {
    fn fetch_json(&self, url: &str, _deadline: Instant) -> Result<Value, String> {
        Err(format!(
            "this Laurel does not fetch documents from elsewhere, so {url} was not fetched"
        ))
    }
}
