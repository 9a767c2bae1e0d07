//! Bearer tokens with scopes for the admin API.
//!
//! A token is `laurel_` + base64url(32 random bytes), shown once when created; the store keeps
//! only its SHA-256. That is enough for tokens (unlike passwords, they are long and random, so
//! a slow hash would add nothing but latency to every request), and a leaked database does
//! not leak usable tokens.
//!
//! Scopes nest: `admin` grants everything, `issue` grants awarding and reading, `read` grants
//! reading. A missing, malformed, unknown or revoked token is a 401 with
//! `WWW-Authenticate: Bearer`; a valid token without the scope is a 403 naming the scope.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use laurel_store::ApiToken;
use sha2::{Digest, Sha256};

use crate::{ApiError, AppState};

/// Every scope a token can have, most powerful first.
pub const SCOPES: &[&str] = &["admin", "issue", "read"];

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
        match state.store.token_by_secret(&secret_hash(secret)).await? {
            Some(token) if token.revoked_at.is_none() => Ok(Bearer(token)),
            _ => Err(ApiError::Unauthorized(
                "the token is unknown or has been revoked".into(),
            )),
        }
    }
}

fn malformed() -> ApiError {
    ApiError::Unauthorized(
        "the Authorization header is malformed: expected `Authorization: Bearer laurel_…`".into(),
    )
}

#[cfg(test)]
mod tests {
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
