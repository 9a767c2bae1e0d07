//! A work budget: how much computation one untrusted document may cause.
//!
//! Some steps of verification and signing cost more than linear time in the worst case (RDFC-1.0
//! canonicalization is exponential on crafted inputs). Those steps take a [`Budget`] and charge it
//! as they go, so a hostile document is refused after a bounded amount of work instead of keeping
//! a core busy. One budget may be shared by several steps, and by several threads.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

/// How many units may be spent between two reads of the clock.
const CLOCK_INTERVAL: u64 = 1024;

/// The most credentials one learner record (a CLR 2.0 `ClrCredential`) may nest for signing
/// and verifying to make room for them ([`Budget::with_record`]); a verifier checks no more.
///
/// A continuing-education record of several years of weekly webinars holds 100 to 200.
pub const MAX_RECORD_CREDENTIALS: usize = 200;

/// Work allowed for one verification or signing: counted units, and optionally a wall-clock deadline.
///
/// A unit is a small, roughly constant amount of work (for RDFC-1.0: hashing one quad, visiting
/// one related blank node, trying one permutation, one step of a hash path), about 65 ns of one
/// core in a release build. The budget is `Send + Sync`; spending is lock-free.
#[derive(Debug)]
pub struct Budget {
    /// Units left.
    remaining: AtomicU64,
    /// Units spent since the clock was last read.
    since_clock: AtomicU64,
    /// Set once the deadline has been seen to pass.
    expired: AtomicBool,
    /// When the work must stop, if ever.
    deadline: Option<Instant>,
    /// The most blank nodes a document canonicalized within this budget may have.
    blank_nodes: usize,
}

/// Why a [`Budget`] refused more work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exhausted {
    /// The counted units are used up.
    Work,
    /// The wall-clock deadline has passed.
    Deadline,
}

impl std::fmt::Display for Exhausted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Work => "work budget exhausted",
            Self::Deadline => "deadline passed",
        })
    }
}

impl std::error::Error for Exhausted {}

impl Budget {
    /// The units [`Budget::for_one_document`] allows: 100 000.
    ///
    /// Measured on the development machine (release build; `cargo bench -p laurel-core --bench
    /// rdfc` and `crates/core/tests/rdf_canon.rs`): RDFC-1.0 spends about 65 ns per unit, wherever
    /// the units go. Honest documents spend very little: 8 units for the benchmark Open Badges
    /// credential, 425 for the largest of the ~190 credentials and proofs in `tests/vectors`
    /// (1EdTech's `complete.json`, 37 blank nodes with several identical endorsements). The
    /// W3C test suite's "poison" tests that must still succeed (test044–046) spend 10 044.
    /// Cliques of indistinguishable blank nodes grow by a factor of about ten per node: 13 765
    /// units for 5 nodes, 123 966 for 6, 1.2 million for 7 (80 ms), and far more from 8 on.
    ///
    /// 100 000 units is 200 times what the largest honest credential needs and 10 times the W3C
    /// poison tests, refuses a 6-clique and anything worse, and stops canonicalization after
    /// about 7 ms of one core (about ten times that in a debug build); work that grows with the
    /// length of a term (a long predicate read by every related-node hash) is charged by its
    /// length. A verifier gives one input (its proofs, status lists and endorsements together)
    /// twice this.
    pub const ONE_DOCUMENT_UNITS: u64 = 100_000;

    /// The units [`Budget::with_record`] adds per nested credential.
    ///
    /// A learner record holds whole signed credentials, each in a graph of its own that its
    /// `id` (and its proof's signature value) tells apart from the others, so canonicalizing
    /// a record costs about the sum of its credentials: Laurel's transcripts of 50, 100 and 200
    /// webinar badges spend 2 765, 6 115 and 14 215 units, 55 to 71 per credential
    /// (`crates/service/tests/transcript/large.rs`). 1 000 units per credential is fourteen
    /// times that, and the most a record may add (200 credentials, 200 000 units) keeps the
    /// canonicalization of a hostile record to about 30 ms of one core.
    pub const UNITS_PER_RECORD_CREDENTIAL: u64 = 1_000;

    /// The blank nodes [`Budget::with_record`] allows per nested credential, beyond
    /// [`crate::jsonld::MAX_BLANK_NODES`].
    ///
    /// A Laurel badge nested in a record adds 7 blank nodes (its graph, its proof's graph and
    /// node, its subject and the subject's identifier, its criteria, and the criteria of the
    /// achievement's copy in the record's list): 3 + 7 × 72 = 507 is why 72 credentials were
    /// the most a record could hold within [`crate::jsonld::MAX_BLANK_NODES`]. 16 leaves room
    /// for endorsements, evidence and results. The work budget, not this count, is what bounds
    /// the time a hostile record may take; the count is a cheap first refusal, capped at
    /// 512 + 200 × 16 = 3 712.
    pub const BLANK_NODES_PER_RECORD_CREDENTIAL: usize = 16;

    /// A budget of `units`, with no deadline.
    pub fn new(units: u64) -> Self {
        Self {
            remaining: AtomicU64::new(units),
            since_clock: AtomicU64::new(0),
            expired: AtomicBool::new(false),
            deadline: None,
            blank_nodes: crate::jsonld::MAX_BLANK_NODES,
        }
    }

    /// The same budget, which also runs out at `deadline`.
    pub fn with_deadline(self, deadline: Instant) -> Self {
        Self {
            deadline: Some(deadline),
            ..self
        }
    }

    /// The same budget, with room for a learner record nesting `credentials` credentials
    /// (counted up to [`MAX_RECORD_CREDENTIALS`]): [`Budget::UNITS_PER_RECORD_CREDENTIAL`]
    /// more units and [`Budget::BLANK_NODES_PER_RECORD_CREDENTIAL`] more blank nodes for each.
    /// Whatever a document claims to hold, the budget grows by a bounded amount.
    pub fn with_record(self, credentials: usize) -> Self {
        let counted = credentials.min(MAX_RECORD_CREDENTIALS);
        let units = self
            .remaining()
            .saturating_add(counted as u64 * Self::UNITS_PER_RECORD_CREDENTIAL);
        Self {
            remaining: AtomicU64::new(units),
            blank_nodes: self.blank_nodes + counted * Self::BLANK_NODES_PER_RECORD_CREDENTIAL,
            ..self
        }
    }

    /// The budget for signing a learner record of `credentials` credentials: one document's,
    /// [`Budget::with_record`].
    pub fn for_record(credentials: usize) -> Self {
        Self::for_one_document().with_record(credentials)
    }

    /// The most blank nodes a document canonicalized within this budget may have.
    pub fn blank_nodes(&self) -> usize {
        self.blank_nodes
    }

    /// The default for one document: generous for any honest credential, and such that no
    /// input keeps a core busy for more than a fraction of a second.
    ///
    /// That is [`Budget::ONE_DOCUMENT_UNITS`] units; see there for how the number was chosen.
    pub fn for_one_document() -> Self {
        Self::new(Self::ONE_DOCUMENT_UNITS)
    }

    /// The units not yet spent.
    pub fn remaining(&self) -> u64 {
        self.remaining.load(Ordering::Relaxed)
    }

    /// Spends `units`; Err when the units are gone or the deadline has passed (the clock is read
    /// at most every ~1024 units: `Instant::now` is not free).
    ///
    /// Once a budget has refused for its deadline, it refuses every later request too; once
    /// its units are gone, every request for more than nothing.
    pub fn spend(&self, units: u64) -> Result<(), Exhausted> {
        if self.expired.load(Ordering::Relaxed) {
            return Err(Exhausted::Deadline);
        }
        let spent = self
            .remaining
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(units)
            });
        if spent.is_err() {
            self.remaining.store(0, Ordering::Relaxed);
            return Err(Exhausted::Work);
        }
        if let Some(deadline) = self.deadline {
            let since = self
                .since_clock
                .fetch_add(units, Ordering::Relaxed)
                .saturating_add(units);
            if since >= CLOCK_INTERVAL {
                self.since_clock.store(0, Ordering::Relaxed);
                if Instant::now() >= deadline {
                    self.expired.store(true, Ordering::Relaxed);
                    return Err(Exhausted::Deadline);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn spends_until_the_units_are_gone_and_then_refuses() {
        let budget = Budget::new(10);
        assert_eq!(budget.spend(4), Ok(()));
        assert_eq!(budget.spend(6), Ok(()));
        assert_eq!(budget.remaining(), 0);
        assert_eq!(budget.spend(1), Err(Exhausted::Work));
        assert_eq!(budget.spend(0), Ok(()));
    }

    #[test]
    fn an_overdraft_empties_the_budget() {
        let budget = Budget::new(10);
        assert_eq!(budget.spend(11), Err(Exhausted::Work));
        assert_eq!(budget.spend(1), Err(Exhausted::Work));
    }

    #[test]
    fn a_passed_deadline_is_noticed_within_the_clock_interval() {
        let budget = Budget::new(u64::MAX).with_deadline(Instant::now() - Duration::from_secs(1));
        let mut refused = None;
        for spent in 0..2 * CLOCK_INTERVAL {
            if let Err(error) = budget.spend(1) {
                refused = Some((spent, error));
                break;
            }
        }
        let (spent, error) = refused.expect("deadline noticed");
        assert!(spent < CLOCK_INTERVAL);
        assert_eq!(error, Exhausted::Deadline);
        assert_eq!(budget.spend(1), Err(Exhausted::Deadline));
    }

    #[test]
    fn a_record_adds_a_bounded_allowance() {
        let base = Budget::for_one_document();
        assert_eq!(base.blank_nodes(), crate::jsonld::MAX_BLANK_NODES);
        let record = Budget::for_record(10);
        assert_eq!(
            record.remaining(),
            Budget::ONE_DOCUMENT_UNITS + 10 * Budget::UNITS_PER_RECORD_CREDENTIAL
        );
        assert_eq!(
            record.blank_nodes(),
            crate::jsonld::MAX_BLANK_NODES + 10 * Budget::BLANK_NODES_PER_RECORD_CREDENTIAL
        );
        // Claiming more credentials than a record may hold buys nothing more.
        let most = Budget::for_record(MAX_RECORD_CREDENTIALS);
        let claimed = Budget::for_record(usize::MAX);
        assert_eq!(claimed.remaining(), most.remaining());
        assert_eq!(claimed.blank_nodes(), most.blank_nodes());
        assert_eq!(claimed.blank_nodes(), 3_712);
    }

    #[test]
    fn is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Budget>();
    }
}
