//! The store's traits: [`Store`], the one trait object the service holds, made of eight
//! focused traits, one per concern, as the test suite groups them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::*;

/// Everything the service keeps, as one trait object: `Arc<dyn Store>`. Implemented by
/// [`SqliteStore`] and [`PostgresStore`] (and by any type implementing every focused trait
/// below); its methods are theirs, grouped as the test suite groups them. Code written against
/// one concern can ask for just its trait.
pub trait Store:
    ServiceStore
    + CatalogStore
    + AwardStore
    + StatusStore
    + ActivityStore
    + EmailStore
    + ConsoleStore
    + WalletStore
    + crate::Oid4vciStore
    + crate::CategoryStore
    + crate::EndorsementStore
    + crate::PathwayStore
    + crate::TranscriptLinkStore
{
}

impl<T> Store for T where
    T: ServiceStore
        + CatalogStore
        + AwardStore
        + StatusStore
        + ActivityStore
        + EmailStore
        + ConsoleStore
        + WalletStore
        + crate::Oid4vciStore
        + crate::CategoryStore
        + crate::EndorsementStore
        + crate::PathwayStore
        + crate::TranscriptLinkStore
{
}

/// The focused store traits, for `use laurel_store::prelude::*` where a concrete backend
/// (not `dyn Store`) is called.
pub mod prelude {
    pub use crate::EndorsementStore;
    pub use crate::{
        ActivityStore, AwardStore, CatalogStore, CategoryStore, ConsoleStore, EmailStore,
        Oid4vciStore, PathwayStore, ServiceStore, StatusStore, Store, TranscriptLinkStore,
        WalletStore,
    };
}

/// The service's own records: settings, admin API tokens, idempotent responses, and a ping.
#[async_trait]
pub trait ServiceStore: Send + Sync + 'static {
    /// Checks that the database answers (for `/readyz`).
    async fn ping(&self) -> StoreResult<()>;

    /// A setting, if stored.
    async fn setting(&self, name: &str) -> StoreResult<Option<String>>;

    /// Stores a setting unless one exists; returns the value now stored (the first writer wins,
    /// so instances racing at first start agree).
    async fn setting_init(&self, name: &str, value: &str) -> StoreResult<String>;

    /// Stores a setting, replacing any value stored.
    async fn set_setting(&self, name: &str, value: &str) -> StoreResult<()>;

    /// Stores a new token; [`StoreError::Conflict`] if the name is taken.
    async fn create_token(&self, token: &ApiToken, secret_sha256: &str) -> StoreResult<()>;

    /// The unrevoked token whose secret hashes to `secret_sha256`.
    async fn token_by_secret(&self, secret_sha256: &str) -> StoreResult<Option<ApiToken>>;

    /// All tokens, revoked ones included, oldest first.
    async fn list_tokens(&self) -> StoreResult<Vec<ApiToken>>;

    /// Records that the token authenticated a request at `at` (an earlier time is kept if
    /// it is later); nothing happens if there is no such token.
    async fn touch_token(&self, token_id: Uuid, at: DateTime<Utc>) -> StoreResult<()>;

    /// Revokes the token with this id or, failing that, this name, and returns it;
    /// [`StoreError::NotFound`] if none. Revoking a revoked token keeps its first revocation time.
    async fn revoke_token(&self, name_or_id: &str, at: DateTime<Utc>) -> StoreResult<ApiToken>;

    /// A stored response for this idempotency key and token.
    async fn idempotent_response(
        &self,
        key: &str,
        token_id: Uuid,
    ) -> StoreResult<Option<IdempotentResponse>>;

    /// Stores a response under its idempotency key unless one is stored; returns the stored one.
    /// [`StoreError::NotFound`] if the token does not exist.
    async fn save_idempotent_response(
        &self,
        response: &IdempotentResponse,
    ) -> StoreResult<IdempotentResponse>;
}

/// Issuers with their keys and images, and their achievements.
#[async_trait]
pub trait CatalogStore: Send + Sync + 'static {
    /// Stores a new issuer together with its first keys, in one transaction:
    /// [`StoreError::Conflict`] if the id is taken, [`StoreError::NotFound`] if a key names
    /// another issuer that does not exist.
    async fn create_issuer(&self, issuer: &Issuer, keys: &[IssuerKey]) -> StoreResult<()>;

    /// Replaces an issuer's editable fields (matched by id; all but `id` and `created_at`);
    /// [`StoreError::NotFound`] if there is no such issuer.
    async fn update_issuer(&self, issuer: &Issuer) -> StoreResult<()>;

    /// One issuer.
    async fn issuer(&self, id: Uuid) -> StoreResult<Issuer>;

    /// All issuers, oldest first.
    async fn list_issuers(&self) -> StoreResult<Vec<Issuer>>;

    /// An issuer's keys, retired ones included, oldest first.
    async fn issuer_keys(&self, issuer_id: Uuid) -> StoreResult<Vec<IssuerKey>>;

    /// Every issuer's keys (for `/.well-known/jwks.json`), oldest first.
    async fn all_keys(&self) -> StoreResult<Vec<IssuerKey>>;

    /// Stores an image unless one with the same hash exists.
    async fn put_image(&self, image: &Image) -> StoreResult<()>;

    /// One image by its SHA-256 (hex).
    async fn image(&self, sha256: &str) -> StoreResult<Image>;

    /// Stores a new achievement; [`StoreError::NotFound`] if its issuer does not exist.
    async fn create_achievement(&self, achievement: &Achievement) -> StoreResult<()>;

    /// Replaces an achievement's editable fields (matched by id; all but `id`, `issuer_id` and
    /// `created_at`); [`StoreError::NotFound`] if there is no such achievement.
    async fn update_achievement(&self, achievement: &Achievement) -> StoreResult<()>;

    /// One achievement.
    async fn achievement(&self, id: Uuid) -> StoreResult<Achievement>;

    /// Achievements, of one issuer or all, oldest first.
    async fn list_achievements(&self, issuer_id: Option<Uuid>) -> StoreResult<Vec<Achievement>>;

    /// Rotates keys in one transaction: the issuer's unretired keys of each purpose among
    /// `new_keys` are retired at `at` (they stay published), and `new_keys` stored.
    async fn rotate_keys(
        &self,
        issuer_id: Uuid,
        new_keys: &[IssuerKey],
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Marks a key compromised since `since` (an earlier mark is replaced) and returns it;
    /// [`StoreError::NotFound`] if there is no such key.
    async fn compromise_key(&self, key_id: Uuid, since: DateTime<Utc>) -> StoreResult<IssuerKey>;
}

/// Awards: stored exactly once per (achievement, recipient), read back, re-issued.
#[async_trait]
pub trait AwardStore: Send + Sync + 'static {
    /// The awards of `achievement_id` to any of `emails` (normalized), already stored, in no
    /// particular order. Any number of emails may be asked for at once.
    async fn awards_for(&self, achievement_id: Uuid, emails: &[String]) -> StoreResult<Vec<Award>>;

    /// Stores awards in one transaction, each unless its (achievement, recipient) already has
    /// one: the result says, in input order, whether each was created or already existed. A
    /// recipient listed twice gets the first award, then `Existing` of it. If an achievement or
    /// issuer does not exist, [`StoreError::NotFound`] and nothing is stored.
    ///
    /// With `notify`, each award created whose issuer has email settings gets a queued
    /// notification in the same transaction (the outbox).
    ///
    /// The awards are taken, not borrowed: each one created comes back in its `Stored`, so a
    /// batch's signed credentials are held once, never copied (a batch of 1,000 holds about
    /// 7 MB of them).
    async fn insert_awards(&self, awards: Vec<Award>, notify: bool) -> StoreResult<Vec<Stored>>;

    /// One award by id.
    async fn award(&self, id: Uuid) -> StoreResult<Award>;

    /// The awards with these ids, in no particular order; an id with no award is left out.
    /// Any number of ids may be asked for at once.
    async fn awards_by_id(&self, ids: &[Uuid]) -> StoreResult<Vec<Award>>;

    /// Awards matching the filter, newest first (by `issued_at`, then id), and how many match
    /// in all. A limit of 0 returns no awards, only the count.
    async fn list_awards(&self, filter: &AwardFilter) -> StoreResult<(Vec<Award>, u64)>;

    /// Replaces a re-issued award's credential, JWT, `issued_at`, `valid_until` and
    /// `recipient_name` and `role` (matched by id); [`StoreError::NotFound`] if there is no such award.
    async fn replace_credential(&self, award: &Award) -> StoreResult<()>;
}

/// Status lists and what changes a credential's status: revocation and suspension.
#[async_trait]
pub trait StatusStore: Send + Sync + 'static {
    /// Hands out `count` positions on the issuer's status lists of `purpose`, in one
    /// transaction: from its newest list with positions left, then from new lists of `size`
    /// entries (all bits 0, a fresh random key) as each fills. Positions are never handed out
    /// twice, also to concurrent callers on several instances.
    async fn allocate_status(
        &self,
        issuer_id: Uuid,
        purpose: &str,
        count: u32,
        size: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Allocation>>;

    /// One status list.
    async fn status_list(&self, id: Uuid) -> StoreResult<StatusList>;

    /// Status lists, of one issuer or all, oldest first.
    async fn status_lists(&self, issuer_id: Option<Uuid>) -> StoreResult<Vec<StatusList>>;

    /// Stores the signed credential of a list for `version`, unless one for the same or a
    /// newer version is stored; whether it was stored.
    async fn save_status_credential(
        &self,
        list_id: Uuid,
        version: i64,
        credential: &str,
    ) -> StoreResult<bool>;

    /// Marks every status list credential of an issuer as out of date, so each is signed again
    /// (with the issuer's current key) when next asked for: after its keys change.
    async fn resign_status_lists(&self, issuer_id: Uuid) -> StoreResult<()>;

    /// Revokes awards, in one transaction: each not yet revoked gets `revoked_at` and the
    /// reason, and its bit set in its status list (each list changed gets one `version` bump).
    /// Revocation is permanent: a revoked award is `Unchanged`, its first reason kept. Results
    /// in input order; an unknown id is `Missing`. Concurrent calls never lose a bit.
    async fn revoke_awards(
        &self,
        ids: &[Uuid],
        reason: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<StatusChange>>;

    /// Suspends an award (issuer-side only; no bit changes): `Unchanged` if it is suspended
    /// already; [`StoreError::NotFound`] if there is no such award.
    async fn suspend_award(
        &self,
        id: Uuid,
        reason: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<StatusChange>;

    /// Lifts a suspension: `Unchanged` if it was not suspended; [`StoreError::NotFound`] if
    /// there is no such award.
    async fn unsuspend_award(&self, id: Uuid) -> StoreResult<StatusChange>;
}

/// Series, events, attendance, completions, and attendance-import jobs.
#[async_trait]
pub trait ActivityStore: Send + Sync + 'static {
    /// Stores a new series; [`StoreError::NotFound`] if its issuer does not exist.
    async fn create_series(&self, series: &Series) -> StoreResult<()>;

    /// Replaces a series' editable fields (`title`, `description`, `updated_at`);
    /// [`StoreError::NotFound`] if there is no such series.
    async fn update_series(&self, series: &Series) -> StoreResult<()>;

    /// One series.
    async fn series(&self, id: Uuid) -> StoreResult<Series>;

    /// Series, of one issuer or all, oldest first.
    async fn list_series(&self, issuer_id: Option<Uuid>) -> StoreResult<Vec<Series>>;

    /// Stores a new event; [`StoreError::NotFound`] if its issuer or series does not exist.
    async fn create_event(&self, event: &Event) -> StoreResult<()>;

    /// Stores several new events at once (a run of weekly sessions): all or none;
    /// [`StoreError::NotFound`] (and nothing stored) if an issuer or series does not exist.
    async fn create_events(&self, events: &[Event]) -> StoreResult<()>;

    /// An issuer's time zone (an IANA name, `UTC` until set): sessions are entered and shown
    /// in it in the console. [`StoreError::NotFound`] if there is no such issuer.
    async fn issuer_time_zone(&self, issuer_id: Uuid) -> StoreResult<String>;

    /// Sets an issuer's time zone (the caller checked the name);
    /// [`StoreError::NotFound`] if there is no such issuer.
    async fn set_issuer_time_zone(&self, issuer_id: Uuid, time_zone: &str) -> StoreResult<()>;

    /// Replaces an event's editable fields (all but `id`, `issuer_id` and `created_at`);
    /// [`StoreError::NotFound`] if there is no such event (or its new series does not exist).
    async fn update_event(&self, event: &Event) -> StoreResult<()>;

    /// One event.
    async fn event(&self, id: Uuid) -> StoreResult<Event>;

    /// Events matching the filter, by start time (then id).
    async fn list_events(&self, filter: &EventFilter) -> StoreResult<Vec<Event>>;

    /// Records attendance in one transaction and says, in input order, what each record did.
    /// A record for an (event, email) already stored merges into it: the larger minutes, the
    /// earlier join, the later leave, the stored name (or the new one if none was stored); the
    /// stored `source` and `recorded_at` stay. A record listed twice in `records` is applied
    /// twice, in order. [`StoreError::NotFound`] (and nothing stored) if an event does not
    /// exist. Concurrent calls for the same rows never lose minutes nor fail on the unique key.
    async fn record_attendance(&self, records: &[Attendance]) -> StoreResult<Vec<Recorded>>;

    /// The attendance of these events, by event then email.
    async fn attendance_of(&self, event_ids: &[Uuid]) -> StoreResult<Vec<Attendance>>;

    /// Every attendance record of one person (a normalized email), in every event, by event
    /// start then event id: what a recipient's page lists.
    async fn attendance_of_recipient(&self, email: &str) -> StoreResult<Vec<Attendance>>;

    /// Records completions in one transaction, each unless (issuer, what, email) already has
    /// one: `New` or `Unchanged` per record, in input order. [`StoreError::NotFound`] (and
    /// nothing stored) if an issuer does not exist.
    async fn record_completions(&self, records: &[Completion]) -> StoreResult<Vec<Recorded>>;

    /// An issuer's completions, of one `what` or all, by `what`, then completion time, then id.
    async fn completions(
        &self,
        issuer_id: Uuid,
        what: Option<&str>,
    ) -> StoreResult<Vec<Completion>>;

    /// Stores a new import job; [`StoreError::NotFound`] if its event does not exist.
    async fn create_import(&self, job: &ImportJob) -> StoreResult<()>;

    /// Import jobs of these issuers' events, newest first, at most `limit`, without their
    /// `result` (as [`ActivityStore::list_imports`]); none for an empty list.
    async fn list_imports_of(&self, issuer_ids: &[Uuid], limit: u32)
    -> StoreResult<Vec<ImportJob>>;

    /// Stores a new import job unless the issuer already has `quota.max_unfinished` imports
    /// queued or running (updated since `quota.fresh_since`); `false`, storing nothing, then.
    /// The count and the insert are one transaction, so concurrent callers on several
    /// instances cannot both slip under the limit. [`StoreError::NotFound`] if the issuer or
    /// the event does not exist.
    async fn create_import_within(&self, job: &ImportJob, quota: &ImportQuota)
    -> StoreResult<bool>;

    /// Finished imports (of one issuer, or all) whose result still has its per-line detail,
    /// newest first, with the size of each result.
    async fn import_results(&self, issuer_id: Option<Uuid>) -> StoreResult<Vec<ImportResultSize>>;

    /// Replaces a finished import's result with `result` (shortened: per-line detail dropped)
    /// and records when; [`StoreError::NotFound`] if there is no such job.
    async fn expire_import_result(
        &self,
        id: Uuid,
        result: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Replaces a job's progress fields (all but `id`, `event_id`, `dry_run`, `file_name` and
    /// `created_at`); [`StoreError::NotFound`] if there is no such job.
    async fn update_import(&self, job: &ImportJob) -> StoreResult<()>;

    /// One import job.
    async fn import(&self, id: Uuid) -> StoreResult<ImportJob>;

    /// Import jobs, of one event or all, newest first, at most `limit`. Their `result` is
    /// left out (`None`): it can be large, and [`ActivityStore::import`] has it.
    async fn list_imports(&self, event_id: Option<Uuid>, limit: u32)
    -> StoreResult<Vec<ImportJob>>;
}

/// Issuers' email settings and templates, and the notification outbox.
#[async_trait]
pub trait EmailStore: Send + Sync + 'static {
    /// An issuer's email settings, if it has any.
    async fn email_settings(&self, issuer_id: Uuid) -> StoreResult<Option<EmailSettings>>;

    /// Stores an issuer's email settings, replacing any (the rate window carries on);
    /// [`StoreError::NotFound`] if there is no such issuer.
    async fn set_email_settings(&self, settings: &EmailSettings) -> StoreResult<()>;

    /// Deletes an issuer's email settings (awarding queues no more email); whether there were
    /// any. Notifications already queued stay, and fail when tried.
    async fn delete_email_settings(&self, issuer_id: Uuid) -> StoreResult<bool>;

    /// The template kept under `owner_id` (an achievement's or an issuer's id), if any.
    async fn email_template(&self, owner_id: Uuid) -> StoreResult<Option<EmailTemplate>>;

    /// Stores a template under its owner, replacing any; [`StoreError::NotFound`] if its
    /// issuer or achievement does not exist.
    async fn set_email_template(&self, template: &EmailTemplate) -> StoreResult<()>;

    /// Deletes the template kept under `owner_id`; whether there was one.
    async fn delete_email_template(&self, owner_id: Uuid) -> StoreResult<bool>;

    /// One credential's notification, if it has one.
    async fn notification(&self, award_id: Uuid) -> StoreResult<Option<Notification>>;

    /// Notifications matching the filter, most recently queued first (then by award id), and
    /// how many match in all.
    async fn list_notifications(
        &self,
        filter: &NotificationFilter,
    ) -> StoreResult<(Vec<Notification>, u64)>;

    /// Queues these credentials' emails (again), in one transaction: a credential without a
    /// notification gets one; a sent or failed one is queued again with no attempts; one
    /// queued or being sent is `Unchanged`. Results in input order; unknown ids are `Missing`.
    async fn queue_notifications(
        &self,
        award_ids: &[Uuid],
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<Requeued>>;

    /// Queues again the emails of an achievement's credentials that `which` selects, in one
    /// transaction; how many were queued.
    async fn resend_notifications(
        &self,
        achievement_id: Uuid,
        which: &[Resend],
        at: DateTime<Utc>,
    ) -> StoreResult<u64>;

    /// Claims up to `limit` due notifications for the worker `claim`, in one transaction:
    /// queued rows whose `next_attempt_at` has come, and rows whose previous claim lapsed.
    /// Each becomes `sending` until `lease_until`, with one more attempt. An issuer's
    /// `rate_per_minute` caps its claims per minute across all callers. Concurrent callers
    /// (several instances on one PostgreSQL) never claim the same row.
    async fn claim_notifications(
        &self,
        claim: Uuid,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Notification>>;

    /// Records how claimed notifications' attempts ended, in one transaction. A report whose
    /// claim no longer holds the row changes nothing.
    async fn finish_notifications(&self, deliveries: &[Delivery]) -> StoreResult<()>;
}

/// Staff accounts, sign-in state, sessions, and the audit log.
#[async_trait]
pub trait ConsoleStore: Send + Sync + 'static {
    /// Stores a new staff account; [`StoreError::Conflict`] if the username is taken.
    async fn create_user(&self, user: &User) -> StoreResult<()>;

    /// The account with this (lowercased) username.
    async fn user_by_name(&self, username: &str) -> StoreResult<Option<User>>;

    /// One account.
    async fn user(&self, id: Uuid) -> StoreResult<User>;

    /// All accounts, by username.
    async fn list_users(&self) -> StoreResult<Vec<User>>;

    /// Records the outcome of sign-ins: the count of failures in a row and any lock-out;
    /// [`StoreError::NotFound`] if there is no such account.
    async fn set_sign_in_state(
        &self,
        user_id: Uuid,
        failed_sign_ins: u32,
        locked_until: Option<DateTime<Utc>>,
    ) -> StoreResult<()>;

    /// Disables an account at `at` (ending its sessions) or, with `None`, enables it again;
    /// [`StoreError::NotFound`] if there is no such account.
    async fn set_user_disabled(&self, user_id: Uuid, at: Option<DateTime<Utc>>) -> StoreResult<()>;

    /// Counts a sign-in attempt on `username` before its password is checked, atomically with
    /// every other attempt on any instance sharing the database. Returns `None` for no such
    /// account. While the account's `locked_until` is after `now` nothing changes and the
    /// attempt is not admitted; otherwise the count of failures in a row goes up by one and
    /// `locked_until` becomes `now + delay(new count)` (or nothing when `delay` gives `None`).
    /// The account is returned as it was before.
    async fn begin_sign_in(
        &self,
        username: &str,
        now: DateTime<Utc>,
        delay: fn(u32) -> Option<chrono::Duration>,
    ) -> StoreResult<Option<SignInAttempt>>;

    /// Replaces an account's password hash, clears its failed sign-ins and ends its sessions
    /// but the one whose secret hashes to `keep_session`, in one transaction;
    /// [`StoreError::NotFound`] if there is no such account.
    async fn set_password(
        &self,
        user_id: Uuid,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> StoreResult<()>;

    /// Stores a new session.
    async fn create_session(&self, session: &Session) -> StoreResult<()>;

    /// The session whose secret hashes to this, if it has not expired at `now`.
    async fn session(
        &self,
        secret_sha256: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Session>>;

    /// Ends a session; whether there was one.
    async fn delete_session(&self, secret_sha256: &str) -> StoreResult<bool>;

    /// Appends to the audit log.
    async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<()>;

    /// The audit log, newest first, and how many entries it holds.
    async fn list_audit(&self, limit: u32, offset: u32) -> StoreResult<(Vec<AuditEntry>, u64)> {
        self.search_audit(&AuditFilter {
            limit,
            offset,
            ..AuditFilter::default()
        })
        .await
    }

    /// The audit entries matching the filter, newest first (by time, then id), and how many
    /// match in all. A limit of 0 returns no entries, only the count.
    async fn search_audit(&self, filter: &AuditFilter) -> StoreResult<(Vec<AuditEntry>, u64)>;
}

/// Wallets: claim links, VC-API exchanges and holder-bound copies (see `wallet.rs`).
#[async_trait]
pub trait WalletStore: Send + Sync + 'static {
    /// Stores a new claim link; [`StoreError::NotFound`] if its award does not exist.
    async fn create_claim_link(&self, link: &ClaimLink) -> StoreResult<()>;

    /// Stores several new claim links in one transaction (all or none);
    /// [`StoreError::NotFound`] if an award does not exist.
    async fn create_claim_links(&self, links: &[ClaimLink]) -> StoreResult<()>;

    /// The claim link whose secret has this SHA-256, used or not.
    async fn claim_link_by_hash(&self, token_sha256: &str) -> StoreResult<Option<ClaimLink>>;

    /// One claim link by id.
    async fn claim_link(&self, id: Uuid) -> StoreResult<ClaimLink>;

    /// Uses a claim link, in one transaction: marks it used, completes the exchange (if any),
    /// stores the copy (if any). [`StoreError::Conflict`] and nothing changed if the link was
    /// already used or the exchange already completed (a race lost, a replay);
    /// [`StoreError::NotFound`] if either does not exist.
    async fn redeem_claim_link(&self, redemption: &Redemption) -> StoreResult<()>;

    /// Stores a new exchange; [`StoreError::NotFound`] if its claim link does not exist.
    async fn create_exchange(&self, exchange: &WalletExchange) -> StoreResult<()>;

    /// One exchange by id.
    async fn exchange(&self, id: Uuid) -> StoreResult<WalletExchange>;

    /// The newest exchange of a claim link still open at `now` (not completed, not expired).
    async fn open_exchange(
        &self,
        claim_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<WalletExchange>>;

    /// Stores a wallet copy made outside a claim link; [`StoreError::NotFound`] if its award
    /// does not exist.
    async fn insert_wallet_copy(&self, copy: &WalletCopy) -> StoreResult<()>;

    /// The wallet copies of an award, oldest first.
    async fn wallet_copies(&self, award_id: Uuid) -> StoreResult<Vec<WalletCopy>>;

    /// Deletes the exchanges that expired before `before`, completed or not (a completed
    /// one's copy and its link's use stay recorded); returns how many.
    async fn delete_expired_exchanges(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}
