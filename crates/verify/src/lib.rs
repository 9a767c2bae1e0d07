//! The offline verifier for Open Badges 3.0 credentials.
//!
//! [`Verifier::verify_bytes`] takes a JSON credential, a compact VC-JWT, or a baked PNG or SVG
//! and runs the steps of OB 3.0 "Verification and Validation" in order: parse, context and
//! type, schema, proof, status, dates, recipient, endorsements. Each step ends in one of four
//! [`Outcome`]s, and the [`Verdict`] keeps the two kinds of "not valid" apart:
//!
//! - **invalid**: we checked and it failed (bad signature, expired, revoked, schema violation);
//! - **could not check**: something needed was unavailable (a key or status list offline,
//!   unreadable input). A credential is never "valid" because a check could not run.
//!
//! Nothing here touches the network unless a [`Fetch`] is supplied (`laurel-verify --online`,
//! whose fetcher, `fetch::HttpFetcher`, keeps to HTTPS, public addresses, 10 s and 1 MiB per
//! document and 5 redirects, each re-checked; see the `fetch` module);
//! time comes from [`Options::now`], never the system clock.

mod binding;
#[cfg(feature = "online")]
pub mod fetch;
pub mod input;
pub mod keys;
mod report;
pub mod run;
mod status;
mod steps;
pub mod trust;

use chrono::{DateTime, Utc};
use serde_json::Value;

pub use binding::{document_url, lists_method};
pub use input::{Container, Credential};
pub use keys::{KeySource, KeyStore};
pub use report::{Binding, EndorsementReport, IssuerReport, Outcome, Report, Step, Verdict};
pub use trust::{Trust, TrustList};

/// Fetches JSON documents for `--online`: did:web documents, key documents, status lists.
pub trait Fetch: Send + Sync {
    /// GETs `url` and parses it as JSON, giving up at `deadline` (connecting, redirects and
    /// the whole body included). The error is a sentence for the user.
    fn fetch_json(&self, url: &str, deadline: std::time::Instant) -> Result<Value, String>;
}

/// Everything a verification depends on besides the credential.
pub struct Options {
    /// The time to check validity against (`--at`, or now).
    pub now: DateTime<Utc>,
    /// Keys from `--keys` files.
    pub keys: KeyStore,
    /// Issuers the user trusts (`--trust`).
    pub trust: Option<TrustList>,
    /// Status list credentials from `--status-list` files.
    pub status_lists: Vec<Value>,
    /// The email the credential should have been issued to (`--recipient`).
    pub recipient: Option<String>,
    /// The network, only with `--online`.
    pub fetcher: Option<Box<dyn Fetch>>,
    /// When each verification must stop, fetching included (the service's request deadline);
    /// `None`: [`run::DEFAULT_TIME_PER_INPUT`] from the start of each input.
    pub deadline: Option<std::time::Instant>,
}

impl Options {
    /// Offline options with nothing pinned, checking validity at `now`.
    pub fn offline(now: DateTime<Utc>) -> Self {
        Options {
            now,
            keys: KeyStore::default(),
            trust: None,
            status_lists: Vec::new(),
            recipient: None,
            fetcher: None,
            deadline: None,
        }
    }
}

/// Verifies credentials with fixed [`Options`]. Cheap to share across threads.
pub struct Verifier {
    options: Options,
}

impl Verifier {
    /// A verifier with these options.
    pub fn new(options: Options) -> Self {
        Verifier { options }
    }

    /// Verifies a credential given as file contents (JSON, JWT, PNG or SVG).
    pub fn verify_bytes(&self, bytes: &[u8]) -> Report {
        match input::read(bytes) {
            Ok((container, credential)) => self.verify_credential(container, credential),
            Err(reason) => Report::unreadable(reason),
        }
    }

    /// Verifies a credential already read.
    pub fn verify_credential(&self, container: Container, credential: Credential) -> Report {
        steps::run(
            &self.options,
            container,
            credential,
            steps::Kind::Achievement,
        )
    }
}
