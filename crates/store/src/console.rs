//! The staff console's accounts, sessions and audit log.
//!
//! Passwords arrive here already hashed (argon2id, by the server) and session secrets as their
//! SHA-256: the store never sees either in the clear.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a staff account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything: issuers, users, tokens, the audit log.
    Admin,
    /// The achievements, events and awards of the issuers it manages.
    Manager,
    /// Reads only.
    Viewer,
}

impl Role {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Viewer => "viewer",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "admin" => Some(Role::Admin),
            "manager" => Some(Role::Manager),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
}

/// A staff account.
#[derive(Clone, PartialEq)]
pub struct User {
    /// Stable id.
    pub id: Uuid,
    /// What they sign in with (lowercased, unique).
    pub username: String,
    /// Argon2id, as a PHC string.
    pub password_hash: String,
    /// What they may do.
    pub role: Role,
    /// For a manager: the issuers they manage.
    pub issuer_ids: Vec<Uuid>,
    /// Failed sign-ins in a row.
    pub failed_sign_ins: u32,
    /// Signed-in refused until then, after too many failures.
    pub locked_until: Option<DateTime<Utc>>,
    /// When the account was made.
    pub created_at: DateTime<Utc>,
    /// When it was disabled (it can no longer sign in).
    pub disabled_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("role", &self.role)
            .field("issuer_ids", &self.issuer_ids)
            .field("failed_sign_ins", &self.failed_sign_ins)
            .field("locked_until", &self.locked_until)
            .finish_non_exhaustive()
    }
}

/// A signed-in session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// SHA-256 (hex) of the secret in the cookie.
    pub secret_sha256: String,
    /// Who is signed in.
    pub user_id: Uuid,
    /// The token every form of the session carries.
    pub csrf_token: String,
    /// When it began.
    pub created_at: DateTime<Utc>,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// Stable id (time-ordered).
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (their id, if they have an account).
    pub user_id: Option<Uuid>,
    /// Who, by name, as they were then.
    pub username: String,
    /// What: `sign_in`, `sign_in_failed`, `sign_out`, `user.create`, ...
    pub action: String,
    /// What it was done to, if anything.
    pub target: Option<String>,
    /// What changed (JSON text).
    pub detail: String,
    /// Through what: [`VIA_CONSOLE`], [`VIA_API`], [`VIA_CLI`] or [`VIA_SYSTEM`].
    pub via: String,
}

/// A change made in the staff console (`username` is the account's).
pub const VIA_CONSOLE: &str = "console";
/// A change made through the admin API (`username` is the token's name).
pub const VIA_API: &str = "api";
/// A change made with a `laurel` command (`username` is `cli:` and the OS user).
pub const VIA_CLI: &str = "cli";
/// A change the service made by itself: awards by rule, imports (`username` says which).
pub const VIA_SYSTEM: &str = "system";
/// Every `via` an entry can have.
pub const VIAS: &[&str] = &[VIA_CONSOLE, VIA_API, VIA_CLI, VIA_SYSTEM];

/// Which audit entries to list. Text filters match a part, ignoring ASCII case.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    /// Only entries whose `username` (the actor) contains this.
    pub actor: Option<String>,
    /// Only entries whose action contains this (`token.` finds every token action).
    pub action: Option<String>,
    /// Only entries that came through this (exactly).
    pub via: Option<String>,
    /// Only entries whose target contains this.
    pub target: Option<String>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub until: Option<DateTime<Utc>>,
    /// At most this many (newest first).
    pub limit: u32,
    /// Skip this many.
    pub offset: u32,
}

/// A sign-in attempt as [`crate::Store::begin_sign_in`] counted it, before the password is
/// checked.
#[derive(Debug, Clone, PartialEq)]
pub struct SignInAttempt {
    /// The account as it was before this attempt was counted.
    pub user: User,
    /// Whether the password may be checked: false while the account's delay runs (then
    /// nothing was counted).
    pub admitted: bool,
}
