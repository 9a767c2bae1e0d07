//! Staff passwords: argon2id, kept as PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
//!
//! The parameters are OWASP's first recommendation for argon2id (19 MiB, two passes, one
//! lane). They are written into each hash, so raising them later leaves old hashes readable.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;

const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;
const OUTPUT: usize = 32;

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 12;

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

fn argon2(memory: u32, passes: u32, lanes: u32) -> Result<Argon2<'static>, HashError> {
    let params =
        Params::new(memory, passes, lanes, Some(OUTPUT)).map_err(|e| HashError(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password with a fresh random salt.
pub fn hash(password: &str) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| HashError(e.to_string()))?;
    let mut out = [0u8; OUTPUT];
    argon2(MEMORY_KIB, PASSES, LANES)?
        .hash_password_into(password.as_bytes(), &salt, &mut out)
        .map_err(|e| HashError(e.to_string()))?;
    Ok(format!(
        "$argon2id$v=19$m={MEMORY_KIB},t={PASSES},p={LANES}${}${}",
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(out)
    ))
}

/// Whether `password` matches the PHC string `stored` (false for anything unreadable).
pub fn verify(password: &str, stored: &str) -> bool {
    let parts: Vec<&str> = stored.split('$').collect();
    let ["", "argon2id", "v=19", params, salt, expected] = parts.as_slice() else {
        return false;
    };
    let mut memory = None;
    let mut passes = None;
    let mut lanes = None;
    for pair in params.split(',') {
        match pair.split_once('=') {
            Some(("m", v)) => memory = v.parse().ok(),
            Some(("t", v)) => passes = v.parse().ok(),
            Some(("p", v)) => lanes = v.parse().ok(),
            _ => return false,
        }
    }
    let (Some(memory), Some(passes), Some(lanes)) = (memory, passes, lanes) else {
        return false;
    };
    let (Ok(salt), Ok(expected)) = (
        STANDARD_NO_PAD.decode(salt),
        STANDARD_NO_PAD.decode(expected),
    ) else {
        return false;
    };
    let Ok(argon2) = argon2(memory, passes, lanes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    if expected.is_empty()
        || argon2
            .hash_password_into(password.as_bytes(), &salt, &mut out)
            .is_err()
    {
        return false;
    }
    // Constant time: every byte is compared whatever the first difference.
    out.iter()
        .zip(&expected)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

/// A hash of nothing in particular, verified against when a username is unknown, so that
/// answering takes as long as for a real account.
pub fn decoy() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$bGF1cmVsIGRlY295IHNhbHQ$ZGVjb3kgaGFzaCB0aGF0IG5ldmVyIG1hdGNoZXMhISE"
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse battery").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("correct horse batterz", &stored));
        assert_ne!(stored, hash("correct horse battery").unwrap(), "salted");
        assert!(!verify("x", "not a hash"));
        assert!(!verify("x", decoy()));
    }
}
