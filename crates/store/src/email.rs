//! Email notifications: issuers' mail settings and templates, and the outbox.
//!
//! The outbox is a table, not a queue beside the database: a notification row is inserted in
//! the same transaction as the credential it announces ([`crate::Store::insert_awards`] with
//! `notify`), so a crash between the two can neither lose an email nor queue one for a
//! credential that was never stored. Workers claim due rows ([`crate::Store::claim_notifications`])
//! under a lease, so several instances sharing one PostgreSQL never claim the same row while a
//! claim holds, and a crashed worker's rows are claimed again once its lease lapses.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How an issuer's mail server is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same host or network.
    None,
}

impl SmtpSecurity {
    /// The name stored in the database and used by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpSecurity::Starttls => "starttls",
            SmtpSecurity::Tls => "tls",
            SmtpSecurity::None => "none",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "starttls" => Some(SmtpSecurity::Starttls),
            "tls" => Some(SmtpSecurity::Tls),
            "none" => Some(SmtpSecurity::None),
            _ => None,
        }
    }
}

/// An issuer's outgoing mail: server, sender, rate and dry mode.
#[derive(Clone, PartialEq)]
pub struct EmailSettings {
    /// The issuer.
    pub issuer_id: Uuid,
    /// SMTP server host name.
    pub host: String,
    /// SMTP server port.
    pub port: u16,
    /// How the connection is secured.
    pub security: SmtpSecurity,
    /// SMTP user, if the server wants one.
    pub username: Option<String>,
    /// The SMTP password, sealed by the key-encryption key.
    pub sealed_password: Option<Vec<u8>>,
    /// The sender's address.
    pub from_address: String,
    /// The sender's display name (the issuer's name when `None`).
    pub from_name: Option<String>,
    /// Where replies go, if not to the sender.
    pub reply_to: Option<String>,
    /// The most emails sent per minute, across all instances; `None`: no limit.
    pub rate_per_minute: Option<u32>,
    /// Render and record each email but send nothing.
    pub dry_run: bool,
    /// When the settings were last changed.
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for EmailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSettings")
            .field("issuer_id", &self.issuer_id)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field(
                "sealed_password",
                &self.sealed_password.as_ref().map(|_| "[sealed]"),
            )
            .field("from_address", &self.from_address)
            .field("rate_per_minute", &self.rate_per_minute)
            .field("dry_run", &self.dry_run)
            .finish_non_exhaustive()
    }
}

/// An email template: an issuer's default, or one achievement's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailTemplate {
    /// The issuer.
    pub issuer_id: Uuid,
    /// The achievement it is for; `None`: the issuer's default.
    pub achievement_id: Option<Uuid>,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text_body: String,
    /// HTML body, if any.
    pub html_body: Option<String>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

impl EmailTemplate {
    /// The id the template is kept under: its achievement's, else its issuer's.
    pub fn owner_id(&self) -> Uuid {
        self.achievement_id.unwrap_or(self.issuer_id)
    }
}

/// Where a notification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationState {
    /// Waiting to be sent (first time, or a retry after `next_attempt_at`).
    Queued,
    /// Claimed by a worker, being sent.
    Sending,
    /// Accepted by the mail server (or recorded, in dry mode).
    Sent,
    /// Given up: a permanent error, or every attempt failed.
    Failed,
}

impl NotificationState {
    /// The name stored in the database and used by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationState::Queued => "queued",
            NotificationState::Sending => "sending",
            NotificationState::Sent => "sent",
            NotificationState::Failed => "failed",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "queued" => Some(NotificationState::Queued),
            "sending" => Some(NotificationState::Sending),
            "sent" => Some(NotificationState::Sent),
            "failed" => Some(NotificationState::Failed),
            _ => None,
        }
    }
}

/// One credential's email, and how its delivery went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notification {
    /// The credential announced.
    pub award_id: Uuid,
    /// Its issuer.
    pub issuer_id: Uuid,
    /// Its achievement.
    pub achievement_id: Uuid,
    /// Where delivery is.
    pub state: NotificationState,
    /// Attempts since it was last queued.
    pub attempts: u32,
    /// When it was first queued.
    pub created_at: DateTime<Utc>,
    /// When it was last queued (a resend queues it again).
    pub queued_at: DateTime<Utc>,
    /// When it may next be tried.
    pub next_attempt_at: DateTime<Utc>,
    /// The worker holding it, while `sending`.
    pub claim: Option<Uuid>,
    /// When that worker's claim lapses.
    pub claimed_until: Option<DateTime<Utc>>,
    /// When it was last tried.
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// When the mail server accepted it.
    pub sent_at: Option<DateTime<Utc>>,
    /// When it was given up.
    pub failed_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// The mail server's last reply.
    pub smtp_reply: Option<String>,
    /// The `Message-ID` sent.
    pub message_id: Option<String>,
    /// The subject sent.
    pub subject: Option<String>,
    /// Recorded in dry mode: nothing left the server.
    pub dry_run: bool,
}

/// Which notifications to list.
#[derive(Debug, Clone, Default)]
pub struct NotificationFilter {
    /// Of one issuer.
    pub issuer_id: Option<Uuid>,
    /// Of these issuers (when not empty): what a token limited to some may see.
    pub issuer_ids: Vec<Uuid>,
    /// Of one achievement.
    pub achievement_id: Option<Uuid>,
    /// In one state.
    pub state: Option<NotificationState>,
    /// At most this many (0: only the count).
    pub limit: u32,
    /// After skipping this many.
    pub offset: u32,
}

/// What a claimed notification's attempt came to.
#[derive(Debug, Clone, PartialEq)]
pub enum DeliveryOutcome {
    /// Accepted by the server (or recorded in dry mode).
    Sent {
        /// The `Message-ID`.
        message_id: String,
        /// The subject.
        subject: String,
        /// The server's reply (`None` in dry mode).
        reply: Option<String>,
        /// Dry mode: nothing was sent.
        dry_run: bool,
    },
    /// A temporary failure: try again at `next_attempt_at`.
    Retry {
        /// The `Message-ID` tried, kept for the next attempt (a resend clears it).
        message_id: Option<String>,
        /// Why.
        error: String,
        /// The server's reply, if it answered.
        reply: Option<String>,
        /// When to try again.
        next_attempt_at: DateTime<Utc>,
    },
    /// A permanent failure (or the last attempt): stop.
    Failed {
        /// Why.
        error: String,
        /// The server's reply, if it answered.
        reply: Option<String>,
    },
}

/// The columns a delivery's outcome writes to its outbox row, the same for award emails,
/// invitations and transcript links (`sent_at` is the delivery's time when `sent`).
pub(crate) struct OutcomeColumns<'a> {
    pub state: &'static str,
    pub sent: bool,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub error: Option<&'a str>,
    pub message_id: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub reply: Option<&'a str>,
    pub dry_run: bool,
}

impl DeliveryOutcome {
    /// What this outcome writes: the row's state, retry time, error and message.
    pub(crate) fn columns(&self) -> OutcomeColumns<'_> {
        match self {
            DeliveryOutcome::Sent {
                message_id,
                subject,
                reply,
                dry_run,
            } => OutcomeColumns {
                state: "sent",
                sent: true,
                next_attempt_at: None,
                error: None,
                message_id: Some(message_id),
                subject: Some(subject),
                reply: reply.as_deref(),
                dry_run: *dry_run,
            },
            DeliveryOutcome::Retry {
                message_id,
                error,
                reply,
                next_attempt_at,
            } => OutcomeColumns {
                state: "queued",
                sent: false,
                next_attempt_at: Some(*next_attempt_at),
                error: Some(error),
                message_id: message_id.as_deref(),
                subject: None,
                reply: reply.as_deref(),
                dry_run: false,
            },
            DeliveryOutcome::Failed { error, reply } => OutcomeColumns {
                state: "failed",
                sent: false,
                next_attempt_at: None,
                error: Some(error),
                message_id: None,
                subject: None,
                reply: reply.as_deref(),
                dry_run: false,
            },
        }
    }
}

/// A worker's report on one claimed notification.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The notification.
    pub award_id: Uuid,
    /// The claim it was sent under: a report under a lapsed claim (the row was claimed again
    /// by another worker since) changes nothing.
    pub claim: Uuid,
    /// When the attempt ended.
    pub at: DateTime<Utc>,
    /// What it came to.
    pub outcome: DeliveryOutcome,
}

/// Which of an achievement's credentials a bulk resend queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resend {
    /// Those whose delivery failed.
    Failed,
    /// Those never queued (awarded before email was set up, or with `notify: false`);
    /// revoked credentials are left out.
    Unsent,
    /// Those recorded in dry mode.
    DryRun,
}

/// What queueing one credential's email again did.
#[derive(Debug, Clone, PartialEq)]
pub enum Requeued {
    /// Queued now.
    Queued(Notification),
    /// Left as it was: it is queued or being sent already.
    Unchanged(Notification),
    /// No such credential.
    Missing,
}
