//! Who may use the service: staff accounts for the console (argon2id passwords) and bearer
//! tokens for the admin API. Both `laurel user`/`laurel token` and the console and API make
//! them here, with the same rules.

pub mod password;
pub mod tokens;

use chrono::{DateTime, Utc};
use laurel_store::User;
use uuid::Uuid;

/// Checks a new account's username; the username as stored (lowercased).
pub fn check_username(username: &str) -> Result<String, String> {
    let username = username.trim().to_lowercase();
    if username.is_empty()
        || username.len() > 64
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c))
    {
        return Err("the username must be 1 to 64 letters, digits, '.', '_', '-' or '@'".into());
    }
    Ok(username)
}

/// Checks a new account's username and password; the username as stored (lowercased).
pub fn check_new_user(username: &str, password: &str) -> Result<String, String> {
    let username = check_username(username)?;
    password::check_strength(password)?;
    Ok(username)
}

/// Makes a staff account (for `laurel user create`): the username lowercased and checked,
/// the password checked ([`password::check_strength`]) and hashed. It hashes on the calling
/// thread: the console uses [`check_new_user`], the argon2 [`password::Pool`] and [`account`] instead.
pub fn new_user(
    username: &str,
    password: &str,
    role: laurel_store::Role,
    issuer_ids: Vec<Uuid>,
    now: DateTime<Utc>,
) -> Result<User, String> {
    let username = check_new_user(username, password)?;
    let password_hash = password::hash(password).map_err(|e| e.to_string())?;
    Ok(account(username, password_hash, role, issuer_ids, now))
}

/// A new account from checked parts.
pub fn account(
    username: String,
    password_hash: String,
    role: laurel_store::Role,
    issuer_ids: Vec<Uuid>,
    now: DateTime<Utc>,
) -> User {
    User {
        id: Uuid::now_v7(),
        username,
        password_hash,
        role,
        issuer_ids,
        failed_sign_ins: 0,
        locked_until: None,
        created_at: now,
        disabled_at: None,
    }
}
