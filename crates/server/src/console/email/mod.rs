//! Email in the console: an issuer's mail settings with a test email, the issuer's and each
//! badge's email template with a preview, and the words that describe a recipient's delivery
//! (used on the awards table, the dashboard and the reports).
//!
//! The checks, the sending and the rendering are the domain's ([`laurel_service::email`]);
//! these handlers only read forms, show every mistake at once beside its field, store nothing
//! from a form with a mistake, and redirect after a change (post/redirect/get).

pub mod settings;
pub mod templates;

use laurel_store::{Achievement, Issuer, Notification, NotificationState};
use uuid::Uuid;

use crate::{AppState, HttpError};

/// Every mistake of a form shown again, for `console/macros.html` (`invalid`, `error`): the
/// same shape as [`super::layout::FieldErrors`], holding all of them.
#[derive(Debug, Clone, Default)]
pub struct Mistakes {
    list: Vec<(&'static str, String)>,
    /// Put before a field's name to make the message's id.
    pub id_prefix: &'static str,
}

impl Mistakes {
    pub fn new(list: Vec<(&'static str, String)>) -> Self {
        Mistakes {
            list,
            id_prefix: "",
        }
    }

    /// What is wrong with `field`, if anything.
    pub fn about(&self, field: &str) -> Option<&str> {
        self.list
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, message)| message.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// How many there are, for the summary above the form.
    pub fn count(&self) -> usize {
        self.list.len()
    }
}

/// The issuer named by a path's id.
pub async fn load_issuer(state: &AppState, id: &str) -> Result<Issuer, HttpError> {
    let id = Uuid::parse_str(id).map_err(|_| HttpError::NotFound("no such issuer".into()))?;
    state
        .store
        .issuer(id)
        .await
        .map_err(|e| crate::error::not_found_in(e, "issuer", id))
}

/// The badge named by a path's id.
pub async fn load_achievement(state: &AppState, id: &str) -> Result<Achievement, HttpError> {
    let id = Uuid::parse_str(id).map_err(|_| HttpError::NotFound("no such badge".into()))?;
    state
        .store
        .achievement(id)
        .await
        .map_err(|e| crate::error::not_found_in(e, "achievement", id))
}

/// A recipient's email, in words for the awards table.
#[derive(Debug, Clone, Default)]
pub struct DeliveryView {
    /// `queued`, `sending`, `sent`, `failed` or `none` (a class name and a CSV value).
    pub state: &'static str,
    /// "Sent 3 March 2026", "Failed: …", "Not emailed".
    pub words: String,
    /// Whether a resend makes sense (nothing is on its way).
    pub resendable: bool,
}

impl DeliveryView {
    /// The words for a credential's notification (`None`: never emailed).
    pub fn of(notification: Option<&Notification>) -> Self {
        let Some(n) = notification else {
            return DeliveryView {
                state: "none",
                words: "Not emailed".into(),
                resendable: true,
            };
        };
        let date = |at: chrono::DateTime<chrono::Utc>| super::layout::date(at);
        match n.state {
            NotificationState::Queued if n.attempts > 0 => DeliveryView {
                state: "queued",
                words: format!(
                    "Queued, trying again {} ({} tries so far: {})",
                    date(n.next_attempt_at),
                    n.attempts,
                    n.last_error.as_deref().unwrap_or("no reason given")
                ),
                resendable: false,
            },
            NotificationState::Queued => DeliveryView {
                state: "queued",
                words: "Queued".into(),
                resendable: false,
            },
            NotificationState::Sending => DeliveryView {
                state: "sending",
                words: "Being sent".into(),
                resendable: false,
            },
            NotificationState::Sent if n.dry_run => DeliveryView {
                state: "sent",
                words: format!(
                    "Recorded {} in test mode (nothing was sent)",
                    n.sent_at.map(date).unwrap_or_default()
                ),
                resendable: true,
            },
            NotificationState::Sent => DeliveryView {
                state: "sent",
                words: format!("Sent {}", n.sent_at.map(date).unwrap_or_default()),
                resendable: true,
            },
            NotificationState::Failed => DeliveryView {
                state: "failed",
                words: format!("Failed: {}", failure_words(n)),
                resendable: true,
            },
        }
    }
}

/// Why an email failed, with the server's reply when it gave one.
pub fn failure_words(n: &Notification) -> String {
    let error = n.last_error.as_deref().unwrap_or("no reason was recorded");
    match &n.smtp_reply {
        Some(reply) if !error.contains(reply.as_str()) => {
            format!("{error} (the server answered “{reply}”)")
        }
        _ => error.to_string(),
    }
}
