//! Verifying an endorsement staff import, with the verifier library and this service's
//! knowledge, before the domain records it.
//!
//! As for `POST /verify` ([`crate::api::verify`]), this service's issuers' keys are pinned and
//! its own documents (key documents, status lists) are answered from the store. Unlike
//! `/verify`, which anyone may call, an import is a staff action, and an endorser elsewhere
//! publishes its keys at its own address: so anything else is fetched over the network with the
//! verifier's own bounded fetcher (`laurel-verify --online`'s: HTTPS, public addresses only,
//! 10 s and 1 MiB per document, 5 redirects), unless the service was set not to fetch
//! ([`crate::App::endorsement_fetch`]). A did:key endorser needs no network at all.

use std::time::{Duration, Instant};

use laurel_verify::fetch::{FetchPolicy, HttpFetcher};
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
    let policy = state.endorsement_fetch.clone();
    let bytes = credential.to_string().into_bytes();
    // The fetcher blocks (on the store, and on the network): all of it off the async threads,
    // where the blocking HTTP client is also made and dropped.
    tokio::task::spawn_blocking(move || {
        let online = policy.map(HttpFetcher::new).transpose();
        let online = match online {
            Ok(online) => online,
            Err(error) => return Err(HttpError::Internal(format!("HTTP client: {error}"))),
        };
        options.fetcher = Some(Box::new(ImportFetcher { store, online }));
        Ok(Verifier::new(options).verify_bytes(&bytes))
    })
    .await
    .map_err(|error| HttpError::Internal(format!("verification task: {error}")))?
}

/// This service's documents from the store; anything else from the network, if allowed.
struct ImportFetcher {
    store: StoreFetcher,
    online: Option<HttpFetcher>,
}

impl Fetch for ImportFetcher {
    fn fetch_json(&self, url: &str, deadline: Instant) -> Result<Value, String> {
        if self.store.is_own(url) {
            return self.store.fetch_json(url, deadline);
        }
        match &self.online {
            Some(online) => online.fetch_json(url, deadline),
            None => Err(format!(
                "{url} was not fetched: this service is set not to fetch documents from elsewhere"
            )),
        }
    }
}

/// The policy imports fetch with by default: `laurel-verify --online`'s.
pub fn default_policy() -> Option<FetchPolicy> {
    Some(FetchPolicy::default())
}
