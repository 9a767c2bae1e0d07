//! Who is signed in: the session cookie, the CSRF token, and role checks.
//!
//! The cookie (`laurel_session`) holds 32 random bytes; only their SHA-256 is stored, so a
//! copy of the database signs nobody in. It is `HttpOnly`, `SameSite=Strict`, scoped to
//! `/console`, and `Secure` whenever the service's public URL is HTTPS. Every form carries
//! the session's CSRF token, checked in constant time; the sign-in form, before there is a
//! session, carries a token that must match a short-lived cookie of its own (double submit).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use laurel_store::{Role, Session, User};
use sha2::{Digest, Sha256};

use crate::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "laurel_session";
/// The sign-in form's CSRF cookie.
pub const SIGN_IN_COOKIE: &str = "laurel_sign_in";
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 8;

/// A signed-in staff member.
#[derive(Debug, Clone)]
pub struct Staff {
    /// Their account.
    pub user: User,
    /// Their session.
    pub session: Session,
}

impl Staff {
    /// Whether they may change things (administrators and issuer managers).
    pub fn may_change(&self) -> bool {
        matches!(self.user.role, Role::Admin | Role::Manager)
    }

    /// Whether they may change things of this issuer: administrators any, issuer managers
    /// theirs, viewers none.
    pub fn may_change_issuer(&self, issuer_id: uuid::Uuid) -> bool {
        match self.user.role {
            Role::Admin => true,
            Role::Manager => self.user.issuer_ids.contains(&issuer_id),
            Role::Viewer => false,
        }
    }

    /// The issuers whose things they may see: `None` for all (administrators and viewers),
    /// the managed ones for an issuer manager.
    pub fn visible_issuers(&self) -> Option<&[uuid::Uuid]> {
        (self.user.role == Role::Manager).then_some(self.user.issuer_ids.as_slice())
    }

    /// The `issuer_ids` of a store filter (where an empty list means every issuer) that keeps
    /// to what they may see: empty for all, their issuers for an issuer manager, and `None`
    /// for a manager of no issuer: such a query must not run at all.
    pub fn issuer_filter(&self) -> Option<Vec<uuid::Uuid>> {
        match self.visible_issuers() {
            None => Some(Vec::new()),
            Some([]) => None,
            Some(ids) => Some(ids.to_vec()),
        }
    }

    /// Whether they may see things of this issuer.
    pub fn may_see(&self, issuer_id: uuid::Uuid) -> bool {
        self.visible_issuers()
            .is_none_or(|ids| ids.contains(&issuer_id))
    }

    /// Whether they are an administrator.
    pub fn is_admin(&self) -> bool {
        self.user.role == Role::Admin
    }

    /// Checks a submitted CSRF token against the session's.
    pub fn check_csrf(&self, submitted: &str) -> bool {
        same(submitted, &self.session.csrf_token)
    }
}

/// Why a console request was turned away before its handler.
#[derive(Debug)]
pub enum Rejection {
    /// Not signed in: off to the sign-in page.
    SignIn,
    /// The database failed.
    Failed(crate::HttpError),
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Rejection> {
        let Some(secret) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(Rejection::SignIn);
        };
        let now = state.clock.now();
        let session = state
            .store
            .session(&digest(&secret), now)
            .await
            .map_err(|e| Rejection::Failed(e.into()))?
            .ok_or(Rejection::SignIn)?;
        let user = state
            .store
            .user(session.user_id)
            .await
            .map_err(|e| Rejection::Failed(e.into()))?;
        if user.disabled_at.is_some() {
            return Err(Rejection::SignIn);
        }
        Ok(Staff { user, session })
    }
}

/// A cookie's value from the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
        .filter(|value| !value.is_empty())
}

/// A `Set-Cookie` value for a console cookie (`max_age` 0 deletes it).
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> String {
    let secure = if state.urls.origin().starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!("{name}={value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

/// 32 random bytes, base64url.
pub fn random_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The SHA-256 (hex) a session secret is stored as.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares two tokens in constant time (for equal lengths).
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && !a.is_empty()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
