//! Bearer tokens with scopes for the admin API.
//!
//! A token is `laurel_` + base64url(32 random bytes), shown once when created; the store keeps
//! only its SHA-256. That is enough for tokens (unlike passwords, they are long and random, so
//! a slow hash would add nothing but latency to every request), and a leaked database does
//! not leak usable tokens.
//!
//! Scopes nest: `admin` grants everything, `issue` grants awarding and reading, `read` grants
//! reading. A missing, malformed, unknown, revoked or expired token is a 401 with
//! `WWW-Authenticate: Bearer`; a valid token without the scope is a 403 naming the scope.
//!
//! A token may be limited to some issuers (a division's script must not touch another
//! division's badges). Its scope then holds only within them, and everything of another
//! issuer answers exactly as a missing id does (404, same body), so a limited token cannot
//! even learn which ids exist elsewhere. Handlers check through [`Bearer::within`] and filter
//! lists with [`Bearer::may_see`]: the rule lives here, once.
//!
//! A read-only token made without `--with-emails` sees no recipient emails or names
//! ([`Bearer::shows_recipients`]). The last-use time is written at most once a minute per
//! token ([`TOUCH_EVERY_SECONDS`]), so authenticating stays a read.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use laurel_store::ApiToken;
use uuid::Uuid;

use crate::{AppState, HttpError};

pub use laurel_service::accounts::tokens::{
    SCOPES, TOKEN_PREFIX, TOUCH_EVERY_SECONDS, grants, new_token, parse_expiry, secret_hash,
};

/// The authenticated token of a request (extracting it is what authenticates).
#[derive(Debug, Clone)]
pub struct Bearer(pub ApiToken);

impl Bearer {
    /// Succeeds if the token grants `scope`; else a 403 naming it.
    pub fn require(&self, scope: &str) -> Result<(), HttpError> {
        if grants(&self.0.scopes, scope) {
            Ok(())
        } else {
            Err(HttpError::Forbidden(format!(
                "this token (\"{}\", scopes: {}) lacks the \"{scope}\" scope this request needs",
                self.0.name,
                if self.0.scopes.is_empty() {
                    "none".to_string()
                } else {
                    self.0.scopes.join(", ")
                }
            )))
        }
    }
}

impl Bearer {
    /// The issuers this token is limited to, or `None` if it reaches every issuer.
    pub fn issuer_ids(&self) -> Option<&[Uuid]> {
        (!self.0.issuer_ids.is_empty()).then_some(self.0.issuer_ids.as_slice())
    }

    /// Whether this token may see and (within its scope) change what `issuer_id` owns.
    pub fn may_see(&self, issuer_id: Uuid) -> bool {
        self.0.issuer_ids.is_empty() || self.0.issuer_ids.contains(&issuer_id)
    }

    /// Succeeds if this token may see what `issuer_id` owns; else the very 404 a missing
    /// `what` with `id` gets, so ids of other issuers are not confirmed.
    pub fn within(&self, issuer_id: Uuid, what: &str, id: Uuid) -> Result<(), HttpError> {
        if self.may_see(issuer_id) {
            Ok(())
        } else {
            Err(HttpError::not_found(what, id))
        }
    }

    /// Succeeds if this token may see the credential (award) `id`; else the 404 of a missing
    /// credential. Costs a lookup only for a token limited to some issuers.
    pub async fn within_credential(&self, state: &AppState, id: Uuid) -> Result<(), HttpError> {
        if self.issuer_ids().is_none() {
            return Ok(());
        }
        let award = state
            .store
            .award(id)
            .await
            .map_err(|error| crate::error::not_found_in(error, "credential", id))?;
        self.within(award.issuer_id, "credential", id)
    }

    /// Succeeds if this token may see the achievement `id`; else the 404 of a missing
    /// achievement. Costs a lookup only for a token limited to some issuers.
    pub async fn within_achievement(&self, state: &AppState, id: Uuid) -> Result<(), HttpError> {
        if self.issuer_ids().is_none() {
            return Ok(());
        }
        let achievement = state
            .store
            .achievement(id)
            .await
            .map_err(|error| crate::error::not_found_in(error, "achievement", id))?;
        self.within(achievement.issuer_id, "achievement", id)
    }

    /// Succeeds if this token may see the event `id`'s issuer; else the 404 of a missing
    /// `what` with `what_id` (an import names its event's). Costs a lookup only for a token
    /// limited to some issuers.
    pub async fn within_event(
        &self,
        state: &AppState,
        event_id: Uuid,
        what: &str,
        what_id: Uuid,
    ) -> Result<(), HttpError> {
        if self.issuer_ids().is_none() {
            return Ok(());
        }
        match state.store.event(event_id).await {
            Ok(event) => self.within(event.issuer_id, what, what_id),
            Err(laurel_store::StoreError::NotFound) => Err(HttpError::not_found(what, what_id)),
            Err(error) => Err(error.into()),
        }
    }

    /// Succeeds if this token reaches every issuer (as creating an issuer needs); else a 403.
    pub fn require_every_issuer(&self, doing: &str) -> Result<(), HttpError> {
        match self.issuer_ids() {
            None => Ok(()),
            Some(ids) => Err(HttpError::Forbidden(format!(
                "this token (\"{}\") is limited to {} issuer(s) and cannot {doing}: use a token made without --issuer",
                self.0.name,
                ids.len()
            ))),
        }
    }

    /// Whether answers may show recipients' email addresses and names: always for `issue`
    /// and `admin` tokens; for a read-only token only if it was made `--with-emails`.
    pub fn shows_recipients(&self) -> bool {
        laurel_service::accounts::tokens::shows_recipients(&self.0)
    }

    /// Removes recipients' personal data from an answer unless this token may see it: every
    /// member named in `fields`, at any depth, becomes `null` (the members stay, so clients
    /// parse one shape).
    pub fn redact(&self, value: &mut serde_json::Value, fields: &[&str]) {
        if !self.shows_recipients() {
            redact(value, fields);
        }
    }
}

/// The members of award and notification views that hold a recipient's personal data (the
/// signed credential and its JWT name the recipient too).
///
/// A notification's subject (templates may name the recipient), last error and SMTP reply
/// (mail servers quote the address they refused) count too.
pub const AWARD_PERSONAL: &[&str] = &[
    "recipient_email",
    "recipient_name",
    "credential",
    "jwt",
    "subject",
    "last_error",
    "smtp_reply",
];
/// The members of attendance, completion and import views that hold personal data.
pub const RECORD_PERSONAL: &[&str] = &["email", "name", "recipients"];

fn redact(value: &mut serde_json::Value, fields: &[&str]) {
    match value {
        serde_json::Value::Object(members) => {
            for (key, member) in members.iter_mut() {
                if fields.contains(&key.as_str()) {
                    *member = serde_json::Value::Null;
                } else {
                    redact(member, fields);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|item| redact(item, fields)),
        _ => {}
    }
}

impl FromRequestParts<AppState> for Bearer {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HttpError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| {
                HttpError::Unauthorized(
                    "this endpoint needs a token: send `Authorization: Bearer laurel_…` (create one with `laurel token create`)".into(),
                )
            })?
            .to_str()
            .map_err(|_| malformed())?;
        let (scheme, secret) = header.trim().split_once(' ').ok_or_else(malformed)?;
        let secret = secret.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || !secret.starts_with(TOKEN_PREFIX) {
            return Err(malformed());
        }
        let token = match state.store.token_by_secret(&secret_hash(secret)).await? {
            Some(token) if token.revoked_at.is_none() => token,
            _ => {
                return Err(HttpError::Unauthorized(
                    "the token is unknown or has been revoked".into(),
                ));
            }
        };
        let now = state.clock.now();
        if let Some(expired) = token.expires_at.filter(|at| *at <= now) {
            return Err(HttpError::Unauthorized(format!(
                "the token expired on {}: make a new one with `laurel token create`",
                expired.format("%Y-%m-%dT%H:%M:%SZ")
            )));
        }
        let stale = token
            .last_used_at
            .is_none_or(|at| now - at >= chrono::Duration::seconds(TOUCH_EVERY_SECONDS));
        if stale && let Err(error) = state.store.touch_token(token.id, now).await {
            // The last-use time is for people; a failure to write it must not fail the request.
            tracing::warn!(%error, token = %token.name, "could not record the token's last use");
        }
        if let Some(slot) = parts.extensions.get::<crate::api::audit::Slot>() {
            slot.fill(&token, state);
        }
        Ok(Bearer(token))
    }
}

fn malformed() -> HttpError {
    HttpError::Unauthorized(
        "the Authorization header is malformed: expected `Authorization: Bearer laurel_…`".into(),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::Utc;

    use super::*;

    #[test]
    fn redaction_nulls_personal_members_at_any_depth() {
        let token = |scopes: &[&str], with_emails| {
            let mut token = ApiToken::new(
                Uuid::nil(),
                "t",
                scopes.iter().map(|s| s.to_string()).collect(),
                Utc::now(),
            );
            token.with_emails = with_emails;
            Bearer(token)
        };
        let value = serde_json::json!({ "awards": [{ "id": 1, "recipient_email": "a@x.org", "credential": {"x": 1} }] });
        let mut hidden = value.clone();
        token(&["read"], false).redact(&mut hidden, AWARD_PERSONAL);
        assert_eq!(
            hidden,
            serde_json::json!({ "awards": [{ "id": 1, "recipient_email": null, "credential": null }] })
        );
        for (scopes, with_emails) in [
            (&["read"][..], true),
            (&["issue"][..], false),
            (&["admin"][..], false),
        ] {
            let mut shown = value.clone();
            token(scopes, with_emails).redact(&mut shown, AWARD_PERSONAL);
            assert_eq!(shown, value);
        }
    }
}
