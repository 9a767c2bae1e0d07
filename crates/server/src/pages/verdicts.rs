//! Verification results for credential pages, kept in memory.
//!
//! Verifying means canonicalizing the credential (RDF) and checking an Ed25519 signature: a few
//! milliseconds, many times what rendering costs. A credential shared on a social network is
//! opened in bursts, so the report is kept, keyed by everything that can change it:
//! the award and the version of its credential (`issued_at` moves on re-issue), its revocation
//! and suspension (times, so a new suspension is a new key), whether it has expired, and the
//! version of its status list as last signed. Entries also expire after [`VerdictCache::TTL`],
//! which bounds what the key cannot see (a key marked compromised), and the cache is bounded
//! in entries.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use laurel_verify::Report;
use uuid::Uuid;

/// What a verification result depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VerdictKey {
    /// The award.
    pub award: Uuid,
    /// Its credential's version.
    pub issued_at: DateTime<Utc>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it was suspended.
    pub suspended_at: Option<DateTime<Utc>>,
    /// Whether `validUntil` has passed.
    pub expired: bool,
    /// The status list's bits version and signed version (`None` without a status entry).
    pub list: Option<(i64, i64)>,
}

/// A kept result: when, for which key, the report.
type Kept = (Instant, VerdictKey, Arc<Report>);

/// Recent verification results, at most [`VerdictCache::CAPACITY`].
#[derive(Debug, Default)]
pub struct VerdictCache {
    entries: Mutex<HashMap<Uuid, Kept>>,
}

impl VerdictCache {
    /// How long a result is reused.
    pub const TTL: Duration = Duration::from_secs(300);
    /// How many results are kept (a report is a few kilobytes).
    pub const CAPACITY: usize = 4_096;

    /// The result for exactly this key, if fresh.
    pub fn get(&self, key: &VerdictKey) -> Option<Arc<Report>> {
        // A poisoned lock only means a panic mid-insert; the map is still a valid cache.
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries
            .get(&key.award)
            .filter(|(at, kept, _)| kept == key && at.elapsed() < Self::TTL)
            .map(|(_, _, report)| report.clone())
    }

    /// Keeps a result (replacing the award's previous one).
    pub fn insert(&self, key: VerdictKey, report: Report) -> Arc<Report> {
        let report = Arc::new(report);
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= Self::CAPACITY && !entries.contains_key(&key.award) {
            entries.retain(|_, (at, _, _)| at.elapsed() < Self::TTL);
            if entries.len() >= Self::CAPACITY {
                // Crude but bounded; hot credentials come straight back.
                entries.clear();
            }
        }
        entries.insert(key.award, (Instant::now(), key, report.clone()));
        report
    }

    /// How many results are kept.
    pub fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(award: Uuid) -> VerdictKey {
        VerdictKey {
            award,
            issued_at: DateTime::UNIX_EPOCH,
            revoked_at: None,
            suspended_at: None,
            expired: false,
            list: Some((1, 1)),
        }
    }

    #[test]
    fn a_changed_key_misses_and_the_cache_stays_bounded() {
        let cache = VerdictCache::default();
        let first = key(Uuid::new_v4());
        cache.insert(first, Report::unreadable("x".into()));
        assert!(cache.get(&first).is_some());
        let revoked = VerdictKey {
            revoked_at: Some(DateTime::UNIX_EPOCH),
            ..first
        };
        assert!(cache.get(&revoked).is_none());
        assert!(
            cache
                .get(&VerdictKey {
                    list: Some((2, 2)),
                    ..first
                })
                .is_none()
        );
        for _ in 0..VerdictCache::CAPACITY + 10 {
            cache.insert(key(Uuid::new_v4()), Report::unreadable("x".into()));
            assert!(cache.len() <= VerdictCache::CAPACITY);
        }
    }
}
