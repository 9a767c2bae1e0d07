//! Telling recipients of their badge by email.
//!
//! Awarding writes a notification row in the same transaction as the credential (the store's
//! outbox), so a crash can neither lose an email nor send one for a credential never stored.
//! A [`worker`] in each running instance claims due rows, renders each issuer's or
//! achievement's [`template`], and sends over the issuer's SMTP server with [lettre]. Claims
//! are exclusive (PostgreSQL `FOR UPDATE SKIP LOCKED`, SQLite's single writer), so instances
//! sharing one database never send the same email twice while a claim holds; a claim lapses
//! after [`EmailOptions::lease`], so an instance that died mid-batch does not strand its rows.
//!
//! Temporary failures (connection refused, timeouts, 4xx replies) are retried with exponential
//! backoff up to [`EmailOptions::max_attempts`]; permanent ones (5xx replies, such as an
//! unknown recipient) stop at once, and the server's reply is kept for staff to read. Dry mode
//! (per issuer, or for the whole service) renders and records every email but sends nothing.

pub mod message;
pub mod settings;
pub mod smtp;
pub mod template;
pub mod test_send;
pub mod worker;

use std::time::Duration;

use tokio::sync::Notify;

/// How the email worker behaves. The defaults suit a real mail server; tests shorten them.
#[derive(Debug, Clone)]
pub struct EmailOptions {
    /// Run the worker in this instance (`laurel serve`); instances that only serve pages
    /// may leave it to the others.
    pub worker: bool,
    /// Record every email without sending, for all issuers.
    pub dry_run: bool,
    /// Attempts before a temporarily failing email is given up.
    pub max_attempts: u32,
    /// The wait before the second attempt; each later wait doubles, up to `max_backoff`.
    pub backoff: Duration,
    /// The longest wait between attempts.
    pub max_backoff: Duration,
    /// How long sending one email may take (connecting, the server's greeting, every
    /// command) before the attempt counts as a timeout and is retried.
    pub timeout: Duration,
    /// Emails sent at once by one worker.
    pub concurrency: usize,
    /// Emails recorded at once: the worker writes how each went a batch at a time, as soon
    /// as a batch's worth is done, so at most about this many (plus `concurrency` under way)
    /// are sent and not yet recorded, the most that could go out twice if the instance died.
    pub batch: u32,
    /// Batches claimed at once (in one claim of `batch × batches_per_claim` rows). A claimed
    /// email not yet sent is not at risk: if the instance dies it waits out the lease and is
    /// sent once by another. One claim per batch spent most of the drain in the claim's
    /// queries and its instances' locks.
    pub batches_per_claim: u32,
    /// How long a claim holds at least; [`EmailOptions::lease_for_batch`] lengthens it when
    /// a batch could take longer, so no other instance takes rows still being sent.
    pub lease: Duration,
    /// How often an idle worker looks for work that another process queued (awards made
    /// here wake it at once).
    pub poll: Duration,
}

impl Default for EmailOptions {
    fn default() -> Self {
        EmailOptions {
            worker: true,
            dry_run: false,
            max_attempts: 8,
            backoff: Duration::from_secs(60),
            max_backoff: Duration::from_secs(6 * 60 * 60),
            timeout: Duration::from_secs(30),
            concurrency: 8,
            batch: 16,
            batches_per_claim: 4,
            lease: Duration::from_secs(15 * 60),
            poll: Duration::from_secs(2),
        }
    }
}

impl EmailOptions {
    /// Rows claimed at once: `batch × batches_per_claim`.
    pub fn claim_size(&self) -> u32 {
        self.batch
            .max(1)
            .saturating_mul(self.batches_per_claim.max(1))
    }

    /// How long a claim holds: `lease`, or twice the longest its sending can take (its
    /// rounds of `concurrency` sends, each bounded by `timeout`), whichever is longer.
    pub fn lease_for_batch(&self) -> Duration {
        let concurrency = u32::try_from(self.concurrency.max(1)).unwrap_or(u32::MAX);
        let rounds = self.claim_size().div_ceil(concurrency).max(1);
        self.lease
            .max(self.timeout.saturating_mul(rounds.saturating_mul(2)))
    }

    /// Until when a batch claimed at `now` is held ([`Self::lease_for_batch`] later).
    pub fn claim_until(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
        now + chrono::Duration::from_std(self.lease_for_batch())
            .unwrap_or(chrono::Duration::minutes(15))
    }

    /// The wait after a failed attempt `attempts` (1 for the first): `backoff`, doubling each
    /// time, never more than `max_backoff`.
    pub fn backoff_after(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(30);
        self.backoff
            .saturating_mul(1 << doublings)
            .min(self.max_backoff)
    }
}

/// The email side of the running service: its options, the open SMTP connections, and the
/// signal that wakes the worker when awards were queued.
#[derive(Debug, Default)]
pub struct Outbox {
    /// How the worker behaves.
    pub options: EmailOptions,
    /// Open connections per issuer, reused between batches.
    pub transports: smtp::Transports,
    wake: Notify,
}

impl Outbox {
    /// An outbox with these options.
    pub fn new(options: EmailOptions) -> Self {
        Outbox {
            options,
            transports: Default::default(),
            wake: Notify::new(),
        }
    }

    /// Tells the worker that notifications were queued.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Waits for [`wake`](Self::wake) or `timeout`, whichever comes first.
    pub async fn woken(&self, timeout: Duration) {
        let _ = tokio::time::timeout(timeout, self.wake.notified()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let options = EmailOptions {
            backoff: Duration::from_secs(60),
            max_backoff: Duration::from_secs(600),
            ..EmailOptions::default()
        };
        let waits: Vec<u64> = (1..=6)
            .map(|a| options.backoff_after(a).as_secs())
            .collect();
        assert_eq!(waits, [60, 120, 240, 480, 600, 600]);
        assert_eq!(options.backoff_after(u32::MAX).as_secs(), 600);
    }

    #[test]
    fn the_lease_outlasts_the_slowest_batch() {
        let options = EmailOptions::default();
        assert_eq!(options.lease_for_batch(), options.lease);
        let slow = EmailOptions {
            timeout: Duration::from_secs(300),
            ..EmailOptions::default()
        };
        // 4 batches of 16 emails, 8 at a time: eight rounds of at most five minutes, doubled.
        assert_eq!(slow.lease_for_batch(), Duration::from_secs(8 * 600));
    }
}
