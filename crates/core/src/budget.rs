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

    /// A budget of `units`, with no deadline.
    pub fn new(units: u64) -> Self {
        Self {
            remaining: AtomicU64::new(units),
            since_clock: AtomicU64::new(0),
            expired: AtomicBool::new(false),
            deadline: None,
        }
    }

    /// The same budget, which also runs out at `deadline`.
    pub fn with_deadline(self, deadline: Instant) -> Self {
        Self {
            deadline: Some(deadline),
            ..self
        }
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
    fn is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Budget>();
    }
}
