//! Staff passwords: argon2id, kept as PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
//!
//! The parameters are OWASP's first recommendation for argon2id (19 MiB, two passes, one
//! lane). They are written into each hash, so raising them later leaves old hashes readable.
//!
//! Hashing takes tens of milliseconds of a core on purpose, so the service never runs it on
//! an async worker: [`Pool`] runs it on tokio's blocking threads, a few at a time (twice the
//! cores), with a short bounded queue; past that it answers [`PoolError::Busy`] at once, so a
//! flood of sign-ins costs the flooder time, not the service its workers.
//!
//! [`check_strength`] is the one rule for new passwords, used by `laurel user create` and
//! `laurel user password` and by the console's change-password page.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use tokio::sync::Semaphore;

const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;
const OUTPUT: usize = 32;

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 12;

/// Whether `password` may be used as a new password: at least [`MIN_LENGTH`] characters,
/// and not one character repeated. The message says what is wrong, in plain words.
pub fn check_strength(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_LENGTH {
        return Err(format!(
            "the password must have at least {MIN_LENGTH} characters"
        ));
    }
    let mut chars = password.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Err("the password must not be one character repeated".into());
    }
    Ok(())
}

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

/// Why [`Pool`] did not run a hash.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// Too many passwords are being checked: try again in a moment.
    #[error("too many sign-ins at once")]
    Busy,
    /// The blocking task failed (a panic, or the runtime shutting down).
    #[error("password hashing failed: {0}")]
    Failed(String),
}

/// Runs argon2 on the blocking pool, a bounded number at a time.
#[derive(Debug)]
pub struct Pool {
    running: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    wait: Duration,
}

/// How long a hash may wait for a turn before the answer is "busy".
const MAX_WAIT: Duration = Duration::from_secs(5);

impl Default for Pool {
    /// Twice the cores running, sixteen times that waiting.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Pool::new(2 * cores, 32 * cores, MAX_WAIT)
    }
}

impl Pool {
    /// `running` hashes at once, `max_waiting` more queued for at most `wait`.
    pub fn new(running: usize, max_waiting: usize, wait: Duration) -> Self {
        Pool {
            running: Arc::new(Semaphore::new(running.max(1))),
            waiting: AtomicUsize::new(0),
            max_waiting,
            wait,
        }
    }

    /// [`verify`], off the async workers.
    pub async fn verify(&self, password: String, stored: String) -> Result<bool, PoolError> {
        self.run(move || verify(&password, &stored)).await
    }

    /// [`hash`], off the async workers.
    pub async fn hash(&self, password: String) -> Result<String, PoolError> {
        self.run(move || hash(&password))
            .await?
            .map_err(|e| PoolError::Failed(e.to_string()))
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PoolError> {
        let permit = match self.running.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
                    self.waiting.fetch_sub(1, Ordering::SeqCst);
                    return Err(PoolError::Busy);
                }
                let turn = tokio::time::timeout(self.wait, self.running.clone().acquire_owned());
                let turn = turn.await;
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                match turn {
                    Ok(Ok(permit)) => permit,
                    // Timed out, or the semaphore closed (it never is).
                    _ => return Err(PoolError::Busy),
                }
            }
        };
        tokio::task::spawn_blocking(move || {
            let _turn = permit;
            work()
        })
        .await
        .map_err(|e| PoolError::Failed(e.to_string()))
    }
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

    #[test]
    fn weak_passwords_are_refused() {
        assert!(
            check_strength("short one")
                .unwrap_err()
                .contains("12 characters")
        );
        assert!(
            check_strength("aaaaaaaaaaaaaaaa")
                .unwrap_err()
                .contains("repeated")
        );
        assert!(check_strength("éééééééééééé").is_err());
        assert!(check_strength("correct horse battery").is_ok());
        // Characters, not bytes.
        assert!(
            check_strength("ééééééééééé")
                .unwrap_err()
                .contains("12 characters")
        );
    }

    #[tokio::test]
    async fn a_full_pool_answers_busy_at_once() {
        let pool = Arc::new(Pool::new(1, 0, Duration::from_secs(60)));
        let (started, release) = (Arc::new(Semaphore::new(0)), Arc::new(Semaphore::new(0)));
        let busy = {
            let (pool, started, release) = (pool.clone(), started.clone(), release.clone());
            tokio::spawn(async move {
                pool.run(move || {
                    started.add_permits(1);
                    // Holds the only turn until the test lets go.
                    drop(tokio::runtime::Handle::current().block_on(release.acquire()));
                })
                .await
            })
        };
        drop(started.acquire().await.unwrap());
        let refused = pool.verify("x".into(), decoy().into()).await;
        assert!(matches!(refused, Err(PoolError::Busy)), "{refused:?}");
        release.add_permits(1);
        busy.await.unwrap().unwrap();
        assert!(!pool.verify("x".into(), decoy().into()).await.unwrap());
    }
}
