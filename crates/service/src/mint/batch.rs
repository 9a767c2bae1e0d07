//! Signing a batch: in parallel on threads made for it (see **Memory** in [`super`]).

use chrono::{DateTime, Utc};
use laurel_store::{Award, StatusSlot};
use rayon::prelude::*;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Recipient, Signer};
use crate::keys::SigningError;

/// Below this many, a batch is signed on the calling thread: a thread pool would cost more than
/// it saves, and a few signatures leave little behind.
const PARALLEL_FROM: usize = 8;

/// Signing pools running now, process-wide. At most [`MAX_POOLS`] run at once, so concurrent
/// batches never start more than a few threads each (each batch already holds one blocking
/// thread; past the limit, it signs there).
static POOLS_RUNNING: AtomicUsize = AtomicUsize::new(0);
const MAX_POOLS: usize = 2;

/// Threads per pool: one per core, read once (on Linux, finding it out reads cgroup files).
static THREADS: LazyLock<usize> =
    LazyLock::new(|| std::thread::available_parallelism().map_or(1, usize::from));

/// A place among the pools `running` counts, given back when dropped.
struct PoolPlace {
    running: &'static AtomicUsize,
}

impl PoolPlace {
    /// A place, if fewer than `max` are taken.
    fn take(running: &'static AtomicUsize, max: usize) -> Option<Self> {
        running
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |taken| {
                (taken < max).then_some(taken + 1)
            })
            .ok()
            .map(|_| PoolPlace { running })
    }
}

impl Drop for PoolPlace {
    fn drop(&mut self) {
        self.running.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Signs each row with its status slot, in order: in parallel on a rayon pool of one thread
/// per core made for this call and dropped at its end (see **Memory** in [`super`]), or on this
/// thread for a few rows, when [`MAX_POOLS`] pools are running, or if no thread can be started.
pub(super) fn sign_all(
    signer: &Signer,
    to_sign: &[(usize, Recipient)],
    slots: Vec<StatusSlot>,
    now: DateTime<Utc>,
) -> Vec<(usize, Result<Award, SigningError>)> {
    let sign = |((index, recipient), slot): (&(usize, Recipient), StatusSlot)| {
        (*index, signer.sign(recipient, now, slot))
    };
    let place = (to_sign.len() >= PARALLEL_FROM)
        .then(|| PoolPlace::take(&POOLS_RUNNING, MAX_POOLS))
        .flatten();
    let pool = place.as_ref().and_then(|_| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(*THREADS)
            .thread_name(|index| format!("laurel-sign-{index}"))
            .build()
            .inspect_err(|error| tracing::warn!(%error, "signing on one thread"))
            .ok()
    });
    match pool {
        Some(pool) => pool.install(|| to_sign.par_iter().zip(slots).map(sign).collect()),
        None => to_sign.iter().zip(slots).map(sign).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_places_are_bounded_and_given_back() {
        static RUNNING: AtomicUsize = AtomicUsize::new(0);
        let first = PoolPlace::take(&RUNNING, 2).expect("a first place");
        let second = PoolPlace::take(&RUNNING, 2).expect("a second place");
        assert!(PoolPlace::take(&RUNNING, 2).is_none(), "no third");
        drop(first);
        let third = PoolPlace::take(&RUNNING, 2).expect("a place given back is free again");
        drop((second, third));
        assert_eq!(RUNNING.load(Ordering::Acquire), 0);
    }
}
