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
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use laurel_store::ApiToken;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{ApiError, AppState};

/// Every scope a token can have, most powerful first.
pub const SCOPES: &[&str] = &["admin", "issue", "read"];

/// How stale a token's recorded last use may get before a request writes it again.
pub const TOUCH_EVERY_SECONDS: i64 = 60;

/// What every token starts with, so leaked tokens are easy to recognize (secret scanners).
pub const TOKEN_PREFIX: &str = "laurel_";

/// A new token: the secret to show once, and the SHA-256 (hex) to store.
///
/// # Panics
/// If the operating system cannot supply random bytes, where no secret can be made safely.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    // The OS random source fails only on a broken system (no /dev/urandom, seccomp); a token
    // from anything weaker would be guessable, so refusing loudly is the only safe answer.
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    let secret = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = secret_hash(&secret);
    (secret, hash)
}

/// The SHA-256 (lowercase hex) of a token secret: what the store keeps and looks up.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Whether a token with `granted` scopes may do what `needed` allows.
pub fn grants(granted: &[String], needed: &str) -> bool {
    granted.iter().any(|scope| match scope.as_str() {
        "admin" => true,
        "issue" => matches!(needed, "issue" | "read"),
        "read" => needed == "read",
        _ => false,
    })
}

/// When a token made at `now` with `--expires TEXT` expires: a duration (`90d`, `12h`, `2w`,
/// `30m`) from now, or an RFC 3339 time (`2027-01-31T00:00:00Z`), which must be in the future.
pub fn parse_expiry(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    let help = "give a duration such as 90d, 12h, 2w or 30m, or an RFC 3339 time such as \
                2027-01-31T00:00:00Z";
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        let at = at.with_timezone(&Utc);
        return if at > now {
            Ok(at)
        } else {
            Err(format!("{text} is not in the future: {help}"))
        };
    }
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let count: i64 = number
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("{text:?} is not a duration or a time: {help}"))?;
    let duration = match unit {
        "m" => chrono::Duration::try_minutes(count),
        "h" => chrono::Duration::try_hours(count),
        "d" => chrono::Duration::try_days(count),
        "w" => chrono::Duration::try_weeks(count),
        _ => return Err(format!("{text:?} is not a duration or a time: {help}")),
    };
    duration
        .and_then(|d| now.checked_add_signed(d))
        .ok_or_else(|| format!("{text:?} is too far in the future: {help}"))
}

/// The authenticated token of a request (extracting it is what authenticates).
#[derive(Debug, Clone)]
pub struct Bearer(pub ApiToken);

impl Bearer {
    /// Succeeds if the token grants `scope`; else a 403 naming it.
    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        if grants(&self.0.scopes, scope) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
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
    pub fn within(&self, issuer_id: Uuid, what: &str, id: Uuid) -> Result<(), ApiError> {
        if self.may_see(issuer_id) {
            Ok(())
        } else {
            Err(ApiError::not_found(what, id))
        }
    }

    /// Succeeds if this token may see the credential (award) `id`; else the 404 of a missing
    /// credential. Costs a lookup only for a token limited to some issuers.
    pub async fn within_credential(&self, state: &AppState, id: Uuid) -> Result<(), ApiError> {
        if self.issuer_ids().is_none() {
            return Ok(());
        }
        let award = state
            .store
            .award(id)
            .await
            .map_err(|error| crate::mint::not_found(error, "credential", id))?;
        self.within(award.issuer_id, "credential", id)
    }

    /// Succeeds if this token may see the achievement `id`; else the 404 of a missing
    /// achievement. Costs a lookup only for a token limited to some issuers.
    pub async fn within_achievement(&self, state: &AppState, id: Uuid) -> Result<(), ApiError> {
        if self.issuer_ids().is_none() {
            return Ok(());
        }
        let achievement = state
            .store
            .achievement(id)
            .await
            .map_err(|error| crate::mint::not_found(error, "achievement", id))?;
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
    ) -> Result<(), ApiError> {
        if self.issuer_ids().is_none() {
            return Ok(());
        }
        match state.store.event(event_id).await {
            Ok(event) => self.within(event.issuer_id, what, what_id),
            Err(laurel_store::StoreError::NotFound) => Err(ApiError::not_found(what, what_id)),
            Err(error) => Err(error.into()),
        }
    }

    /// Succeeds if this token reaches every issuer (as creating an issuer needs); else a 403.
    pub fn require_every_issuer(&self, doing: &str) -> Result<(), ApiError> {
        match self.issuer_ids() {
            None => Ok(()),
            Some(ids) => Err(ApiError::Forbidden(format!(
                "this token (\"{}\") is limited to {} issuer(s) and cannot {doing}: use a token made without --issuer",
                self.0.name,
                ids.len()
            ))),
        }
    }

    /// Whether answers may show recipients' email addresses and names: always for `issue`
    /// and `admin` tokens; for a read-only token only if it was made `--with-emails`.
    pub fn shows_recipients(&self) -> bool {
        self.0.with_emails || grants(&self.0.scopes, "issue")
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
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| {
                ApiError::Unauthorized(
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
                return Err(ApiError::Unauthorized(
                    "the token is unknown or has been revoked".into(),
                ));
            }
        };
        let now = state.clock.now();
        if let Some(expired) = token.expires_at.filter(|at| *at <= now) {
            return Err(ApiError::Unauthorized(format!(
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

fn malformed() -> ApiError {
    ApiError::Unauthorized(
        "the Authorization header is malformed: expected `Authorization: Bearer laurel_…`".into(),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_hashed() {
        let (secret, hash) = new_token();
        assert!(secret.starts_with("laurel_"));
        assert_eq!(secret.len(), "laurel_".len() + 43);
        assert_eq!(hash, secret_hash(&secret));
        assert_eq!(hash.len(), 64);
        assert_ne!(new_token().0, secret);
    }

    #[test]
    fn expiries_are_durations_or_future_times() {
        let now = DateTime::parse_from_rfc3339("2026-03-01T00:00:00Z")
            .unwrap()
            .to_utc();
        let at = |text: &str| parse_expiry(text, now).map(|t| t.to_rfc3339());
        assert_eq!(at("90d").unwrap(), "2026-05-30T00:00:00+00:00");
        assert_eq!(at("12h").unwrap(), "2026-03-01T12:00:00+00:00");
        assert_eq!(at("2w").unwrap(), "2026-03-15T00:00:00+00:00");
        assert_eq!(at("30m").unwrap(), "2026-03-01T00:30:00+00:00");
        assert_eq!(
            at("2027-01-31T00:00:00Z").unwrap(),
            "2027-01-31T00:00:00+00:00"
        );
        for bad in [
            "",
            "0d",
            "d",
            "90",
            "90y",
            "-1d",
            "2020-01-01T00:00:00Z",
            "99999999999999w",
        ] {
            assert!(at(bad).is_err(), "{bad:?}");
        }
        assert!(
            at("2020-01-01T00:00:00Z")
                .unwrap_err()
                .contains("not in the future")
        );
    }

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

    #[test]
    fn scopes_nest() {
        let scopes = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        for needed in SCOPES {
            assert!(grants(&scopes(&["admin"]), needed));
        }
        assert!(grants(&scopes(&["issue"]), "issue"));
        assert!(grants(&scopes(&["issue"]), "read"));
        assert!(!grants(&scopes(&["issue"]), "admin"));
        assert!(grants(&scopes(&["read"]), "read"));
        assert!(!grants(&scopes(&["read"]), "issue"));
        assert!(!grants(&scopes(&[]), "read"));
        assert!(!grants(&scopes(&["root"]), "read"));
    }
}
