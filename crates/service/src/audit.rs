//! Writing the audit log from anywhere: the API (through `api::audit` in the server), the console
//! (`console::audit_log`), `laurel` commands and the service itself (awards by rule, imports).
//!
//! One entry per operation, never one per credential: a 10,000-credential batch is one line
//! with counts and at most [`crate::audit::MAX_IDS`] ids. Writing it never fails the
//! operation it records (the change is made by then); a failure is logged instead.

use chrono::{DateTime, Utc};
use laurel_store::{AuditEntry, Store};
use serde_json::Value;
use uuid::Uuid;

/// The most ids one entry lists (a batch of 10,000 stays one short line).
pub const MAX_IDS: usize = 100;

/// At most [`MAX_IDS`] of `ids`, as JSON.
pub fn some_ids<T: serde::Serialize>(ids: impl IntoIterator<Item = T>) -> Value {
    serde_json::json!(ids.into_iter().take(MAX_IDS).collect::<Vec<T>>())
}

/// Who did it and through what: `via` is one of [`laurel_store::VIAS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `console`, `api`, `cli` or `system`.
    pub via: &'static str,
    /// The account's username, the token's name, `cli:` and the OS user, or `rules`/`import`.
    pub name: String,
    /// The console account's id, if any.
    pub user_id: Option<Uuid>,
}

impl Actor {
    /// A `laurel` command run by the current OS user (`$USER`, `$LOGNAME`, or the uid).
    pub fn cli() -> Self {
        Actor {
            via: laurel_store::VIA_CLI,
            name: format!("cli:{}", os_user()),
            user_id: None,
        }
    }

    /// The service acting by itself, e.g. `rules` for awards by rule.
    pub fn system(name: &str) -> Self {
        Actor {
            via: laurel_store::VIA_SYSTEM,
            name: name.to_string(),
            user_id: None,
        }
    }
}

/// Appends one entry; a failure is logged, never returned.
pub async fn write(
    store: &dyn Store,
    at: DateTime<Utc>,
    actor: &Actor,
    action: &str,
    target: Option<String>,
    detail: Value,
) {
    let entry = AuditEntry {
        id: Uuid::now_v7(),
        at,
        user_id: actor.user_id,
        username: actor.name.clone(),
        action: action.to_string(),
        target,
        detail: detail.to_string(),
        via: actor.via.to_string(),
    };
    if let Err(error) = store.append_audit(&entry).await {
        tracing::error!(%error, action, "could not write the audit log");
    }
}

/// The OS user running this process: `$USER`, else `$LOGNAME`, else `uid <n>` (Unix).
fn os_user() -> String {
    for name in ["USER", "LOGNAME"] {
        if let Ok(user) = std::env::var(name)
            && !user.trim().is_empty()
        {
            return user.trim().to_string();
        }
    }
    uid().map_or_else(|| "unknown".to_string(), |uid| format!("uid {uid}"))
}

#[cfg(unix)]
fn uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt as _;
    // The owner of /proc/self is this process's user, without unsafe code or a libc call.
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

#[cfg(not(unix))]
fn uid() -> Option<u32> {
    None
}
