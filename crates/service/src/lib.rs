//! The Laurel domain: everything the service does, whichever door a request came through.
//!
//! The HTTP API, the staff console and the `laurel` commands all call the operations here, so
//! an award made by a rule, by the API or by `laurel import` is minted, stored, audited and
//! emailed the same way. Nothing here knows about HTTP, HTML or command lines: operations take
//! a [`Service`] and return a [`ServiceError`] in words a person can act on, which each front
//! door renders its own way.
//!
//! # Layout
//! - [`Service`]: the store, public URLs, the key vault and opened keys, the clock, the email
//!   outbox, background jobs, and the [`Changes`] hook through which front doors hear of
//!   changes (the HTTP server forgets cached responses).
//! - [`catalog`]: what an achievement may say, and whether a credential for it would pass the
//!   Open Badges schema (checked alike by the API and the console).
//! - [`documents`]: issuer Profiles and Achievements as Open Badges JSON-LD, shared by minting
//!   and public hosting so both say the same thing.
//! - [`keys`]: issuers' signing keys: made, sealed, opened once and cached.
//! - [`status`]: the revocation bit every credential gets, and the signed status lists.
//! - [`mint`]: builds, signs (Data Integrity `eddsa-rdfc-2022` and VC-JWT) and stores awards,
//!   exactly once per recipient and achievement.
//! - [`pathways`]: badges earned by holding others ("all of", "at least N of", nested),
//!   evaluated after every award; invitations sent for completing one.
//! - [`lifecycle`]: revocation and suspension, re-issue, key rotation.
//! - [`activity`]: award rules over recorded attendance and completions; attendance imports
//!   and their queue.
//! - [`email`]: the outbox worker that tells recipients of their badge over SMTP, with
//!   per-issuer settings, templates, retries and rate limits.
//! - [`people`]: one recipient's badges, attendance, emails and credits, for staff.
//! - [`reports`]: the programme summary (awards per badge, credits per person, over a period).
//! - [`images`]: uploaded logos and badge images checked (PNG, or SVG rebuilt from an
//!   allow-list) and stored.
//! - [`copies`]: duplicating a badge.
//! - [`endorsements`]: other organisations' endorsements of an issuer or a badge, signed here
//!   for a hosted endorser or imported (verified), embedded in credentials issued afterwards.
//! - [`certificate`]: the short certificate number read off certificates and sent to LinkedIn.
//! - [`transcript`]: continuing-education transcripts (per person and period, totals per CE
//!   category), as JSON, CSV and a signed CLR 2.0 credential; and the CE categories.
//! - [`wallet`]: personal claim links and the holder-bound copies wallets receive through
//!   them (the Learner Credential Wallet's VC-API exchange).
//! - [`housekeeping`]: the periodic deletion of expired wallet exchanges, offers and nonces.
//! - [`audit`]: one audit-log entry per change, from the API, console, CLI or the service.
//! - [`public_url`]: the recorded public URL, and warnings about it.
//! - [`vault`], [`urls`], [`clock`], [`jobs`], [`links`]: the parts the above share.
//!
//! Time and keys are injected through [`Service`], so tests fix the clock.

pub mod accounts;
pub mod activity;
pub mod audit;
pub mod catalog;
pub mod certificate;
pub mod clock;
pub mod copies;
pub mod documents;
pub mod email;
pub mod endorsements;
pub mod error;
pub mod fields;
pub mod housekeeping;
pub mod images;
pub mod jobs;
pub mod keys;
pub mod lifecycle;
pub mod links;
pub mod mint;
pub mod open;
pub mod pathways;
pub mod people;
pub mod public_url;
pub mod remote;
pub mod reports;
pub mod signed;
pub mod status;
pub mod transcript;
pub mod units;
pub mod urls;
pub mod vault;
pub mod wallet;

use std::sync::Arc;

use laurel_store::Store;
use uuid::Uuid;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{ServiceError, ServiceResult};
pub use urls::Urls;
pub use vault::Vault;

/// The running domain: what every operation can reach. Shared as `Arc<Service>`.
pub struct Service {
    /// Where everything is kept.
    pub store: Arc<dyn Store>,
    /// The public URLs of ids and documents.
    pub urls: Urls,
    /// Seals and opens issuers' private keys.
    pub vault: Vault,
    /// Issuers' signing keys, opened once and kept for the process.
    pub keys: keys::KeyCache,
    /// Background jobs (imports) a graceful shutdown waits for.
    pub jobs: jobs::Jobs,
    /// The email outbox: the worker's options, open SMTP connections, its wake-up signal.
    pub outbox: email::Outbox,
    /// "Now", injected.
    pub clock: Arc<dyn Clock>,
    /// Told when a credential or a status list changed.
    pub changes: Arc<dyn Changes>,
    /// SVG badge images recently rendered to PNG.
    pub rasters: images::raster::RasterCache,
    /// Fetches documents from elsewhere (wallet holders' did:web DID documents, imported
    /// endorsements' key documents) within the limits [`remote`] sets; none by default.
    pub remote_documents: Arc<dyn laurel_verify::Fetch>,
}

impl Service {
    /// A service over `store` with default email options and no one listening for changes.
    pub fn new(store: Arc<dyn Store>, urls: Urls, vault: Vault, clock: Arc<dyn Clock>) -> Self {
        Service {
            store,
            urls,
            vault,
            keys: keys::KeyCache::default(),
            jobs: jobs::Jobs::default(),
            outbox: email::Outbox::default(),
            clock,
            changes: Arc::new(NoListener),
            rasters: images::raster::RasterCache::default(),
            remote_documents: Arc::new(remote::NoLookups),
        }
    }

    /// The same, reading documents from elsewhere through `documents` (see [`remote`]).
    pub fn with_remote_documents(mut self, documents: Arc<dyn laurel_verify::Fetch>) -> Self {
        self.remote_documents = documents;
        self
    }

    /// The same, with these email options.
    pub fn with_email(mut self, options: email::EmailOptions) -> Self {
        self.outbox = email::Outbox::new(options);
        self
    }

    /// The same, telling `changes` of every change to a credential or status list.
    pub fn with_changes(mut self, changes: Arc<dyn Changes>) -> Self {
        self.changes = changes;
        self
    }
}

impl std::fmt::Debug for Service {
    /// Names the parts without their secrets: the vault and key cache print redacted.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("urls", &self.urls)
            .field("vault", &self.vault)
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

/// What front doors hear of changes the domain made, so they can drop what they cached
/// (the HTTP server keeps recently served credentials and status lists). The domain never
/// holds response bytes itself.
pub trait Changes: Send + Sync + 'static {
    /// A credential was revoked, suspended, unsuspended or re-issued.
    fn credential_changed(&self, id: Uuid);
    /// A status list's bits changed and it was signed again.
    fn status_list_changed(&self, list: Uuid);
}

/// Nobody listens (the `laurel` commands, which keep no caches).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoListener;

impl Changes for NoListener {
    fn credential_changed(&self, _: Uuid) {}
    fn status_list_changed(&self, _: Uuid) {}
}
