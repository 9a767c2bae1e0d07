//! Verifying an endorsement staff import, with the verifier library and this service's
//! knowledge, before the domain records it.
//!
//! As for `POST /verify` ([`crate::api::verify`]), this service's issuers' keys are pinned and
//! its own documents (key documents, status lists) are answered from the store. Unlike
//! `/verify`, which anyone may call, an import is a staff action, and an endorser elsewhere
//! publishes its keys at its own address: so anything else is fetched over the network through
//! the service's one fetcher of documents from elsewhere (`Service::remote_documents`, the
//! one wallet holders' did:web documents are read with: HTTPS, public addresses only, 5 s and
//! 64 KB per document, no redirects; see [`crate::remote`]). A service set without one
//! fetches nothing. A did:key endorser needs no network at all.

use std::time::{Duration, Instant};

use std::sync::Arc;

use laurel_verify::{Fetch, Options, Report, Verifier};
use serde_json::Value;

use crate::api::verify::{StoreFetcher, hosted_issuers};
use crate::{AppState, HttpError, HttpResult};

/// How long one import's verification may take, fetching included.
const DEADLINE: Duration = Duration::from_secs(30);

/// The verifier's report on an endorsement to import.
pub async fn verify_import(state: &AppState, credential: &Value) -> HttpResult<Report> {
    let deadline = Instant::now() + DEADLINE;
    let mut options = Options::offline(state.clock.now());
    let (keys, trust) = hosted_issuers(state).await?;
    options.keys = keys;
    options.trust = Some(trust);
    options.deadline = Some(deadline);
    let store = StoreFetcher::new(state);
    let online = state.service.remote_documents.clone();
    let bytes = credential.to_string().into_bytes();
    // The fetcher blocks (on the store, and on the network): all of it off the async threads.
    tokio::task::spawn_blocking(move || {
        options.fetcher = Some(Box::new(ImportFetcher { store, online }));
        Verifier::new(options).verify_bytes(&bytes)
    })
    .await
    .map_err(|error| HttpError::Internal(format!("verification task: {error}")))
}

/// This service's documents from the store; anything else through the service's fetcher.
struct ImportFetcher {
    store: StoreFetcher,
    online: Arc<dyn Fetch>,
}

impl Fetch for ImportFetcher {
    fn fetch_json(&self, url: &str, deadline: Instant) -> Result<Value, String> {
        if self.store.is_own(url) {
            return self.store.fetch_json(url, deadline);
        }
        self.online.fetch_json(url, deadline)
    }
}
