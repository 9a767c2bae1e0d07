//! Slowing down password guessing, per account and per client address.
//!
//! Both use the same shape: a few failures are free, then each admitted attempt makes the
//! next one wait longer (1 s, 2 s, 4 s … at most 15 minutes; up to a second more, as the
//! service's clock counts whole seconds). An attempt made while the wait
//! runs is refused without its password being checked, so a guesser gets a handful of tries an
//! hour whatever the number of requests they send; and nobody can lock an account for good by
//! failing on purpose: the longest wait is 15 minutes. A successful sign-in starts the
//! account's count again.
//!
//! The per-account count lives in the store (`users.failed_sign_ins`, `users.locked_until`,
//! counted by [`laurel_store::Store::begin_sign_in`] before the password is checked), so every
//! instance sharing a database sees it. The per-address count is kept in memory by each
//! instance ([`AddressLimiter`]): a bounded map that forgets quiet addresses. IPv6 addresses
//! count per /64, the block one household or server is usually given.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// Failed sign-ins in a row an account is allowed without any wait.
pub const ACCOUNT_FREE: u32 = 5;
/// Failed sign-ins an address is allowed without any wait (more than an account: an office or
/// a school may share one address).
pub const ADDRESS_FREE: u32 = 10;
/// The longest wait, in seconds.
pub const MAX_DELAY_SECONDS: i64 = 15 * 60;
/// Addresses remembered at most.
pub const MAX_ADDRESSES: usize = 10_000;
/// What a wait's end is moved on by: the service's clock counts whole seconds, so a wait of
/// one second from "now" could otherwise end a moment later.
const CLOCK_GRAIN: Duration = Duration::seconds(1);

/// The wait after `failures` failures when `free` are free: none, then 1 s doubling to at
/// most [`MAX_DELAY_SECONDS`].
pub fn delay_after(failures: u32, free: u32) -> Option<Duration> {
    let over = failures.checked_sub(free)?;
    let seconds = if over >= 20 {
        MAX_DELAY_SECONDS
    } else {
        (1i64 << over).min(MAX_DELAY_SECONDS)
    };
    Some(Duration::seconds(seconds))
}

/// How long after an attempt the next must wait, per account, as the store wants it: at least
/// [`delay_after`], never less, whatever the fraction of the second the clock dropped.
pub fn account_delay(failures: u32) -> Option<Duration> {
    delay_after(failures, ACCOUNT_FREE).map(|d| d + CLOCK_GRAIN)
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    not_before: Option<DateTime<Utc>>,
    last: DateTime<Utc>,
}

/// Per client address: how many sign-ins failed lately, and until when the next must wait.
#[derive(Debug)]
pub struct AddressLimiter {
    entries: Mutex<HashMap<IpAddr, Entry>>,
    capacity: usize,
}

impl Default for AddressLimiter {
    fn default() -> Self {
        AddressLimiter::new(MAX_ADDRESSES)
    }
}

impl AddressLimiter {
    /// A limiter remembering at most `capacity` addresses.
    pub fn new(capacity: usize) -> Self {
        AddressLimiter {
            entries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// Counts an attempt from `address` at `now`, as a failure until [`Self::succeeded`]
    /// says otherwise; false (and nothing counted) while the address must wait.
    pub fn admit(&self, address: IpAddr, now: DateTime<Utc>) -> bool {
        let key = key(address);
        let mut entries = self.lock();
        if !entries.contains_key(&key) && entries.len() >= self.capacity {
            forget(&mut entries, now, self.capacity);
        }
        let entry = entries.entry(key).or_insert(Entry {
            failures: 0,
            not_before: None,
            last: now,
        });
        if entry.not_before.is_some_and(|t| t > now) {
            return false;
        }
        entry.failures = entry.failures.saturating_add(1);
        entry.not_before = delay_after(entry.failures, ADDRESS_FREE).map(|d| now + d + CLOCK_GRAIN);
        entry.last = now;
        true
    }

    /// A sign-in from `address` succeeded: its attempt is not counted as a failure. Earlier
    /// failures still count, so signing in to one's own account does not buy more guesses.
    pub fn succeeded(&self, address: IpAddr) {
        if let Some(entry) = self.lock().get_mut(&key(address)) {
            entry.failures = entry.failures.saturating_sub(1);
        }
    }

    /// How many addresses are remembered.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Entry>> {
        // A panic while holding the lock leaves counts that are still counts.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Makes room: forgets addresses quiet for longer than the longest wait, and if that is not
/// enough, a tenth: those not made to wait first, quietest first, so a flood of new addresses
/// cannot wash out the waits of the ones already guessing.
fn forget(entries: &mut HashMap<IpAddr, Entry>, now: DateTime<Utc>, capacity: usize) {
    let quiet = now - Duration::seconds(MAX_DELAY_SECONDS);
    let waiting = |e: &Entry| e.not_before.is_some_and(|t| t > now);
    entries.retain(|_, e| e.last > quiet || waiting(e));
    if entries.len() >= capacity {
        let mut by_age: Vec<(bool, DateTime<Utc>, IpAddr)> = entries
            .iter()
            .map(|(k, e)| (waiting(e), e.last, *k))
            .collect();
        by_age.sort_unstable();
        let drop = (capacity / 10).max(1);
        for (_, _, key) in by_age.into_iter().take(drop) {
            entries.remove(&key);
        }
    }
}

/// The key an address counts under: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64.
fn key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_770_000_000 + seconds, 0).unwrap()
    }

    #[test]
    fn waits_grow_then_stop_growing() {
        assert_eq!(delay_after(4, 5), None);
        assert_eq!(delay_after(5, 5), Some(Duration::seconds(1)));
        assert_eq!(delay_after(6, 5), Some(Duration::seconds(2)));
        assert_eq!(delay_after(8, 5), Some(Duration::seconds(8)));
        assert_eq!(delay_after(15, 5), Some(Duration::seconds(900)));
        assert_eq!(delay_after(u32::MAX, 5), Some(Duration::seconds(900)));
    }

    #[test]
    fn an_address_waits_after_its_free_failures() {
        let limiter = AddressLimiter::default();
        let address: IpAddr = "203.0.113.7".parse().unwrap();
        for _ in 0..ADDRESS_FREE {
            assert!(limiter.admit(address, at(0)));
        }
        assert!(
            !limiter.admit(address, at(1)),
            "the wait runs (a second, and the clock's)"
        );
        assert!(
            limiter.admit("203.0.113.8".parse().unwrap(), at(0)),
            "others do not wait"
        );
        assert!(limiter.admit(address, at(2)), "two seconds later");
        assert!(
            !limiter.admit(address, at(4)),
            "now two seconds more, and the clock's"
        );
        assert!(limiter.admit(address, at(5)));
        // Success does not wipe earlier failures.
        limiter.succeeded(address);
        assert!(!limiter.admit(address, at(6)));
    }

    #[test]
    fn ipv6_counts_per_slash_64() {
        let limiter = AddressLimiter::default();
        for host in 0..ADDRESS_FREE {
            let address: IpAddr = format!("2001:db8:1:2::{host:x}").parse().unwrap();
            assert!(limiter.admit(address, at(0)));
        }
        assert!(!limiter.admit("2001:db8:1:2:ffff::1".parse().unwrap(), at(0)));
        assert!(limiter.admit("2001:db8:1:3::1".parse().unwrap(), at(0)));
        let mapped: IpAddr = "::ffff:198.51.100.1".parse().unwrap();
        limiter.admit(mapped, at(0));
        assert_eq!(key(mapped), "198.51.100.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn the_map_stays_bounded() {
        let limiter = AddressLimiter::new(100);
        for n in 0..1000u32 {
            let address = IpAddr::V4(n.to_be_bytes().into());
            limiter.admit(address, at(i64::from(n)));
            assert!(limiter.len() <= 100);
        }
        // Quiet addresses are forgotten first.
        let limiter = AddressLimiter::new(10);
        for n in 0..10u32 {
            limiter.admit(IpAddr::V4(n.to_be_bytes().into()), at(0));
        }
        limiter.admit("192.0.2.1".parse().unwrap(), at(MAX_DELAY_SECONDS + 1));
        assert_eq!(limiter.len(), 1);
    }

    #[test]
    fn a_flood_of_new_addresses_does_not_wash_out_a_wait() {
        let limiter = AddressLimiter::new(100);
        let guesser: IpAddr = "203.0.113.7".parse().unwrap();
        for _ in 0..=ADDRESS_FREE {
            limiter.admit(guesser, at(0));
        }
        assert!(!limiter.admit(guesser, at(0)), "waiting");
        for n in 0..1000u32 {
            limiter.admit(IpAddr::V4((n + 1).to_be_bytes().into()), at(0));
        }
        assert!(
            !limiter.admit(guesser, at(0)),
            "still waiting after the flood"
        );
    }
}
