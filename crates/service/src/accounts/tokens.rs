//! Admin API tokens: made, hashed, scoped and limited here; checked on each request by the
//! server's bearer extractor.
//!
//! A token is `laurel_` + base64url(32 random bytes), shown once when created; the store keeps
//! only its SHA-256. That is enough for tokens (unlike passwords, they are long and random, so
//! a slow hash would add nothing but latency to every request), and a leaked database does
//! not leak usable tokens. Scopes nest: `admin` grants everything, `issue` grants awarding and
//! reading, `read` grants reading.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use laurel_store::ApiToken;
use sha2::{Digest, Sha256};

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

/// Whether a token may see recipients' email addresses and names: always for `issue` and
/// `admin` tokens; for a read-only token only if it was made `--with-emails`.
pub fn shows_recipients(token: &ApiToken) -> bool {
    token.with_emails || grants(&token.scopes, "issue")
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
