//! Pathways: an achievement earned (or an invitation sent) by holding others.
//!
//! The rule itself ("all of", "at least N of", nested groups) is the service's to read and
//! check; it is kept here as JSON text, like an achievement's award rules. Beside it the store
//! keeps every achievement the rule names ([`Pathway::requires`]) as rows of their own, so an
//! award finds the pathways it takes part in with one indexed query
//! ([`PathwayStore::pathways_requiring`]).
//!
//! Invitations are sent once per (achievement, recipient), ever: their primary key settles a
//! race or a second evaluation ([`PathwayStore::record_invitation`]). They have a small outbox
//! of their own that the email worker claims under a lease, like award notifications.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{DeliveryOutcome, NotificationState, StoreResult};

/// What completing a pathway does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathwayOutcome {
    /// Awards the achievement the pathway belongs to.
    Award,
    /// Sends the recipient an invitation to it (an email), once.
    Invite,
}

impl PathwayOutcome {
    /// The name stored in the database and used by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            PathwayOutcome::Award => "award",
            PathwayOutcome::Invite => "invite",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "award" => Some(PathwayOutcome::Award),
            "invite" => Some(PathwayOutcome::Invite),
            _ => None,
        }
    }
}

/// One achievement's pathway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pathway {
    /// The achievement it leads to (one pathway per achievement).
    pub achievement_id: Uuid,
    /// Its issuer.
    pub issuer_id: Uuid,
    /// The rule, as the service's JSON.
    pub rule: String,
    /// Every achievement the rule names, at any depth, each once.
    pub requires: Vec<Uuid>,
    /// What completing it does.
    pub outcome: PathwayOutcome,
    /// The invitation email's subject (`None`: the default).
    pub invitation_subject: Option<String>,
    /// The invitation email's plain-text body (`None`: the default).
    pub invitation_body: Option<String>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

/// One recipient's invitation, and how its email went.
#[derive(Debug, Clone, PartialEq)]
pub struct Invitation {
    /// The achievement they are invited to.
    pub achievement_id: Uuid,
    /// Its issuer.
    pub issuer_id: Uuid,
    /// The recipient (normalized).
    pub recipient_email: String,
    /// Their name, as the award that completed the pathway had it.
    pub recipient_name: Option<String>,
    /// When the pathway was completed.
    pub created_at: DateTime<Utc>,
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

impl Invitation {
    /// A new, queued invitation, due at once.
    pub fn queued(
        achievement_id: Uuid,
        issuer_id: Uuid,
        recipient_email: &str,
        recipient_name: Option<&str>,
        at: DateTime<Utc>,
    ) -> Self {
        Invitation {
            achievement_id,
            issuer_id,
            recipient_email: recipient_email.to_string(),
            recipient_name: recipient_name.map(str::to_string),
            created_at: at,
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

/// A worker's report on one claimed invitation.
#[derive(Debug, Clone, PartialEq)]
pub struct InvitationDelivery {
    /// The invitation's achievement.
    pub achievement_id: Uuid,
    /// Its recipient.
    pub recipient_email: String,
    /// The claim it was sent under (a lapsed claim's report changes nothing).
    pub claim: Uuid,
    /// When the attempt ended.
    pub at: DateTime<Utc>,
    /// What it came to.
    pub outcome: DeliveryOutcome,
}

/// Storage for pathways and invitations.
#[async_trait]
pub trait PathwayStore: Send + Sync + 'static {
    /// Stores an achievement's pathway, replacing any, with its requirement rows, in one
    /// transaction; [`crate::StoreError::NotFound`] (nothing stored) if the achievement, its
    /// issuer or a required achievement does not exist.
    async fn set_pathway(&self, pathway: &Pathway) -> StoreResult<()>;

    /// Deletes an achievement's pathway; whether it had one. Invitations already recorded stay.
    async fn delete_pathway(&self, achievement_id: Uuid) -> StoreResult<bool>;

    /// An achievement's pathway, if it has one.
    async fn pathway(&self, achievement_id: Uuid) -> StoreResult<Option<Pathway>>;

    /// Pathways, of one issuer or all, by achievement id.
    async fn pathways(&self, issuer_id: Option<Uuid>) -> StoreResult<Vec<Pathway>>;

    /// The pathways whose rule names any of `achievement_ids`, by achievement id.
    async fn pathways_requiring(&self, achievement_ids: &[Uuid]) -> StoreResult<Vec<Pathway>>;

    /// Records an invitation unless (achievement, recipient) has one: whether it was recorded
    /// now. [`crate::StoreError::NotFound`] if the achievement or issuer does not exist.
    async fn record_invitation(&self, invitation: &Invitation) -> StoreResult<bool>;

    /// An achievement's invitations, oldest first (then by email).
    async fn invitations(&self, achievement_id: Uuid) -> StoreResult<Vec<Invitation>>;

    /// Claims up to `limit` due invitations for the worker `claim`: queued ones whose
    /// `next_attempt_at` has come, and ones whose previous claim lapsed. Each becomes `sending`
    /// until `lease_until`, with one more attempt. Concurrent callers never claim the same row.
    /// No more are claimed for an issuer than its emails-per-minute limit leaves in the current
    /// window, which award notifications share; the claimed ones are counted in it.
    async fn claim_invitations(
        &self,
        claim: Uuid,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Invitation>>;

    /// Records how claimed invitations' attempts ended, in one transaction.
    async fn finish_invitations(&self, deliveries: &[InvitationDelivery]) -> StoreResult<()>;
}
