//! One verification in progress: the options, plus what it may still spend.
//!
//! Every entry point must stay bounded on any input, so a verification carries its limits
//! with it: a wall-clock deadline (the service's request deadline, or the CLI's per-input
//! limit) and a cap on the documents it may fetch. Nested checks (status lists, endorsements)
//! share the same [`Run`], so the limits hold for the input as a whole.

use std::cell::Cell;
use std::ops::Deref;
use std::time::{Duration, Instant};

use laurel_core::budget::Budget;
use serde_json::Value;

use crate::Options;

/// The most documents one input may cause to be fetched (key, controller and status list
/// documents, over all its proofs, status entries and endorsements).
pub const MAX_FETCHES_PER_INPUT: usize = 8;

/// How long one input may take when the caller sets no deadline, fetching included.
pub const DEFAULT_TIME_PER_INPUT: Duration = Duration::from_secs(20);

/// A verification of one input.
pub(crate) struct Run<'a> {
    options: &'a Options,
    deadline: Instant,
    fetches: Cell<usize>,
    /// The canonicalization work allowed for this input, all its documents together (proofs,
    /// status lists, endorsements): twice what one document may spend.
    pub(crate) budget: Budget,
}

impl<'a> Run<'a> {
    pub(crate) fn new(options: &'a Options) -> Self {
        let deadline = options
            .deadline
            .unwrap_or_else(|| Instant::now() + DEFAULT_TIME_PER_INPUT);
        Run {
            options,
            deadline,
            fetches: Cell::new(0),
            budget: Budget::new(2 * Budget::ONE_DOCUMENT_UNITS).with_deadline(deadline),
        }
    }

    /// A verification of a learner record nesting `credentials` credentials: the same limits,
    /// with the larger canonicalization budget the record's own proof needs
    /// ([`Budget::with_record`], bounded however many credentials it claims).
    pub(crate) fn for_record(options: &'a Options, credentials: usize) -> Self {
        let run = Run::new(options);
        Run {
            budget: Budget::new(2 * Budget::ONE_DOCUMENT_UNITS)
                .with_record(credentials)
                .with_deadline(run.deadline),
            ..run
        }
    }

    /// The verification of one credential nested in this one (a CLR's): its own fetch
    /// allowance and canonicalization budget, as if it had been handed in alone, but this
    /// one's deadline, so a record of many credentials takes no longer than one input may.
    pub(crate) fn nested(&self) -> Self {
        Run {
            options: self.options,
            deadline: self.deadline,
            fetches: Cell::new(0),
            budget: Budget::new(2 * Budget::ONE_DOCUMENT_UNITS).with_deadline(self.deadline),
        }
    }

    /// Fetches `url` through the options' fetcher, within this input's deadline and fetch
    /// cap. `None` when there is no fetcher (offline).
    pub(crate) fn fetch(&self, url: &str) -> Option<Result<Value, String>> {
        let fetcher = self.options.fetcher.as_ref()?;
        if self.fetches.get() >= MAX_FETCHES_PER_INPUT {
            return Some(Err(format!(
                "did not fetch {url}: this credential already needed {MAX_FETCHES_PER_INPUT} documents, the most one credential may fetch"
            )));
        }
        if Instant::now() >= self.deadline {
            return Some(Err(format!(
                "did not fetch {url}: the time allowed for checking this credential ran out"
            )));
        }
        self.fetches.set(self.fetches.get() + 1);
        Some(fetcher.fetch_json(url, self.deadline))
    }

    /// Whether the deadline has passed.
    pub(crate) fn out_of_time(&self) -> bool {
        Instant::now() >= self.deadline
    }
}

impl Deref for Run<'_> {
    type Target = Options;

    fn deref(&self) -> &Options {
        self.options
    }
}
