//! Transcript links: a recipient asked, by typing their email, for a link to their transcript.
//!
//! One row per request, both the record of the link (the address it opens, until when: the
//! link itself carries the row's id, signed by the service) and its own small outbox, which
//! the email worker claims under a lease like award emails and invitations, within the
//! sending issuer's emails-per-minute window.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{DeliveryOutcome, NotificationState, StoreResult};

/// One requested transcript link, and how its email went.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptLink {
    /// Its id (what the link names).
    pub id: Uuid,
    /// The issuer whose email settings send it.
    pub issuer_id: Uuid,
    /// The address the link opens the transcript of (normalized).
    pub recipient_email: String,
    /// When it was asked for.
    pub created_at: DateTime<Utc>,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
    /// Where delivery is.
    pub state: NotificationState,
    /// Attempts so far.
    pub attempts: u32,
    /// When it may next be tried.
    pub next_attempt_at: DateTime<Utc>,
    /// The worker holding it, while `sending`.
    pub claim: Option<Uuid>,
    /// When that claim lapses.
    pub claimed_until: Option<DateTime<Utc>>,
    /// When the mail server accepted it.
    pub sent_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// The `Message-ID` sent.
    pub message_id: Option<String>,
    /// The subject sent.
    pub subject: Option<String>,
    /// Recorded in dry mode: nothing left the server.
    pub dry_run: bool,
}

impl TranscriptLink {
    /// A new link for `recipient_email`, its email queued and due at once.
    pub fn queued(
        issuer_id: Uuid,
        recipient_email: &str,
        at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Self {
        TranscriptLink {
            id: Uuid::now_v7(),
            issuer_id,
            recipient_email: recipient_email.to_string(),
            created_at: at,
            expires_at,
            state: NotificationState::Queued,
            attempts: 0,
            next_attempt_at: at,
            claim: None,
            claimed_until: None,
            sent_at: None,
            last_error: None,
            message_id: None,
            subject: None,
            dry_run: false,
        }
    }
}

/// A worker's report on one claimed transcript link email.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptLinkDelivery {
    /// The link.
    pub id: Uuid,
    /// The claim it was sent under (a lapsed claim's report changes nothing).
    pub claim: Uuid,
    /// When the attempt ended.
    pub at: DateTime<Utc>,
    /// What it came to.
    pub outcome: DeliveryOutcome,
}

/// Storage for transcript links.
#[async_trait]
pub trait TranscriptLinkStore: Send + Sync + 'static {
    /// Records a link and queues its email; [`crate::StoreError::NotFound`] if the issuer does
    /// not exist.
    async fn record_transcript_link(&self, link: &TranscriptLink) -> StoreResult<()>;

    /// A link by id, expired or not.
    async fn transcript_link(&self, id: Uuid) -> StoreResult<Option<TranscriptLink>>;

    /// Claims up to `limit` due link emails for the worker `claim`, as
    /// [`crate::PathwayStore::claim_invitations`] claims invitations: within each issuer's
    /// emails-per-minute window (shared with award emails and invitations), each row once.
    async fn claim_transcript_links(
        &self,
        claim: Uuid,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<TranscriptLink>>;

    /// Records how claimed link emails' attempts ended, in one transaction.
    async fn finish_transcript_links(
        &self,
        deliveries: &[TranscriptLinkDelivery],
    ) -> StoreResult<()>;

    /// Deletes links that expired before `before`, however their email went; how many.
    async fn delete_expired_transcript_links(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}
