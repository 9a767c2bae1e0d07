//! Helpers for the hosting tests: a real server on a loopback port, and a store wrapper that
//! can be made slow or unreachable.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use laurel_server::middleware::Limits;
use laurel_service::Vault;
use laurel_store::*;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::util::TestApp;

#[path = "flaky_categories.rs"]
mod flaky_categories;
#[path = "flaky_pathways.rs"]
mod flaky_pathways;
#[path = "flaky_wallet.rs"]
mod flaky_wallet;

/// The one Prometheus recorder of the test binary (the recorder is process-wide, so every
/// test that reads `/metrics` shares it).
pub fn metrics_handle() -> metrics_exporter_prometheus::PrometheusHandle {
    static HANDLE: std::sync::OnceLock<metrics_exporter_prometheus::PrometheusHandle> =
        std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            laurel_server::telemetry::install_metrics().expect("the first and only recorder")
        })
        .clone()
}

/// A [`TestApp`] over a [`FlakyStore`], with its own origin and limits.
pub async fn test_app(
    origin: &str,
    limits: &Limits,
    metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
) -> (TestApp, Arc<FlakyStore>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("laurel.db").display());
    let inner = laurel_store::connect(&url).await.expect("sqlite store");
    let store = Arc::new(FlakyStore::new(inner));
    let (vault, _) = Vault::generate().expect("vault");
    let app = TestApp::builder()
        .store(store.clone(), vault, dir)
        .origin(origin)
        .limits(*limits)
        .metrics(metrics)
        .build()
        .await;
    (app, store)
}

/// A service listening on `127.0.0.1:{port}`, with `http://127.0.0.1:{port}` as its public
/// URL, so the ids in what it issues resolve to it.
pub struct LiveServer {
    /// The same service, also reachable without a socket (for the admin helpers).
    pub app: TestApp,
    /// Its store, to make it slow or unreachable.
    pub store: Arc<FlakyStore>,
    /// `http://127.0.0.1:{port}`.
    pub origin: String,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl LiveServer {
    /// Binds a free loopback port and serves on it.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let origin = format!("http://{}", listener.local_addr().expect("address"));
        let (app, store) = test_app(&origin, &Limits::default(), None).await;
        let (shutdown, stop) = oneshot::channel::<()>();
        let task = tokio::spawn(laurel_server::serve::serve(
            listener,
            app.router.clone(),
            async move {
                let _ = stop.await;
            },
        ));
        LiveServer {
            app,
            store,
            origin,
            shutdown: Some(shutdown),
            task: Some(task),
        }
    }

    /// `{origin}{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// Asks the server to shut down (it finishes requests in flight).
    pub fn begin_shutdown(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }

    /// Shuts down and waits until `serve` has returned.
    pub async fn stop(mut self) -> std::io::Result<()> {
        self.begin_shutdown();
        let task = self.task.take().expect("running");
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .expect("serve returns after shutdown")
            .expect("serve task")
    }
}

/// A store that delegates to a real one, except that `ping` can be slowed down and any call
/// can be made to fail as if the database were unreachable.
pub struct FlakyStore {
    inner: Arc<dyn Store>,
    down: AtomicBool,
    ping_delay_ms: AtomicU64,
    /// How many pings have begun: lets a test wait until a request is inside a handler.
    pings_started: AtomicU64,
}

impl FlakyStore {
    /// Wraps `inner`, healthy and fast.
    pub fn new(inner: Arc<dyn Store>) -> Self {
        FlakyStore {
            inner,
            down: AtomicBool::new(false),
            ping_delay_ms: AtomicU64::new(0),
            pings_started: AtomicU64::new(0),
        }
    }

    /// Makes every call fail (`true`) or work again.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// Makes `ping` take this long.
    pub fn set_ping_delay(&self, delay: Duration) {
        self.ping_delay_ms
            .store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// How many pings have begun so far.
    pub fn pings_started(&self) -> u64 {
        self.pings_started.load(Ordering::SeqCst)
    }

    fn check(&self) -> StoreResult<()> {
        if self.down.load(Ordering::SeqCst) {
            Err(StoreError::Database("connection refused (test)".into()))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl laurel_store::ServiceStore for FlakyStore {
    async fn ping(&self) -> StoreResult<()> {
        self.pings_started.fetch_add(1, Ordering::SeqCst);
        let delay = self.ping_delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        self.check()?;
        self.inner.ping().await
    }

    async fn setting(&self, name: &str) -> StoreResult<Option<String>> {
        self.check()?;
        self.inner.setting(name).await
    }

    async fn setting_init(&self, name: &str, value: &str) -> StoreResult<String> {
        self.check()?;
        self.inner.setting_init(name, value).await
    }

    async fn create_token(&self, token: &ApiToken, secret_sha256: &str) -> StoreResult<()> {
        self.check()?;
        self.inner.create_token(token, secret_sha256).await
    }

    async fn token_by_secret(&self, secret_sha256: &str) -> StoreResult<Option<ApiToken>> {
        self.check()?;
        self.inner.token_by_secret(secret_sha256).await
    }

    async fn list_tokens(&self) -> StoreResult<Vec<ApiToken>> {
        self.check()?;
        self.inner.list_tokens().await
    }

    async fn touch_token(&self, token_id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        self.check()?;
        self.inner.touch_token(token_id, at).await
    }

    async fn revoke_token(&self, name_or_id: &str, at: DateTime<Utc>) -> StoreResult<ApiToken> {
        self.check()?;
        self.inner.revoke_token(name_or_id, at).await
    }

    async fn idempotent_response(
        &self,
        key: &str,
        token_id: Uuid,
    ) -> StoreResult<Option<IdempotentResponse>> {
        self.check()?;
        self.inner.idempotent_response(key, token_id).await
    }

    async fn save_idempotent_response(
        &self,
        response: &IdempotentResponse,
    ) -> StoreResult<IdempotentResponse> {
        self.check()?;
        self.inner.save_idempotent_response(response).await
    }

    async fn set_setting(&self, name: &str, value: &str) -> StoreResult<()> {
        self.check()?;
        self.inner.set_setting(name, value).await
    }
}

#[async_trait]
impl laurel_store::CatalogStore for FlakyStore {
    async fn create_issuer(&self, issuer: &Issuer, keys: &[IssuerKey]) -> StoreResult<()> {
        self.check()?;
        self.inner.create_issuer(issuer, keys).await
    }

    async fn update_issuer(&self, issuer: &Issuer) -> StoreResult<()> {
        self.check()?;
        self.inner.update_issuer(issuer).await
    }

    async fn issuer(&self, id: Uuid) -> StoreResult<Issuer> {
        self.check()?;
        self.inner.issuer(id).await
    }

    async fn list_issuers(&self) -> StoreResult<Vec<Issuer>> {
        self.check()?;
        self.inner.list_issuers().await
    }

    async fn issuer_keys(&self, issuer_id: Uuid) -> StoreResult<Vec<IssuerKey>> {
        self.check()?;
        self.inner.issuer_keys(issuer_id).await
    }

    async fn all_keys(&self) -> StoreResult<Vec<IssuerKey>> {
        self.check()?;
        self.inner.all_keys().await
    }

    async fn put_image(&self, image: &Image) -> StoreResult<()> {
        self.check()?;
        self.inner.put_image(image).await
    }

    async fn image(&self, sha256: &str) -> StoreResult<Image> {
        self.check()?;
        self.inner.image(sha256).await
    }

    async fn create_achievement(&self, achievement: &Achievement) -> StoreResult<()> {
        self.check()?;
        self.inner.create_achievement(achievement).await
    }

    async fn update_achievement(&self, achievement: &Achievement) -> StoreResult<()> {
        self.check()?;
        self.inner.update_achievement(achievement).await
    }

    async fn achievement(&self, id: Uuid) -> StoreResult<Achievement> {
        self.check()?;
        self.inner.achievement(id).await
    }

    async fn list_achievements(&self, issuer_id: Option<Uuid>) -> StoreResult<Vec<Achievement>> {
        self.check()?;
        self.inner.list_achievements(issuer_id).await
    }

    async fn rotate_keys(
        &self,
        issuer_id: Uuid,
        new_keys: &[IssuerKey],
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.check()?;
        self.inner.rotate_keys(issuer_id, new_keys, at).await
    }

    async fn compromise_key(&self, key_id: Uuid, since: DateTime<Utc>) -> StoreResult<IssuerKey> {
        self.check()?;
        self.inner.compromise_key(key_id, since).await
    }
}

#[async_trait]
impl laurel_store::AwardStore for FlakyStore {
    async fn awards_for(&self, achievement_id: Uuid, emails: &[String]) -> StoreResult<Vec<Award>> {
        self.check()?;
        self.inner.awards_for(achievement_id, emails).await
    }

    async fn insert_awards(&self, awards: Vec<Award>, notify: bool) -> StoreResult<Vec<Stored>> {
        self.check()?;
        self.inner.insert_awards(awards, notify).await
    }

    async fn award(&self, id: Uuid) -> StoreResult<Award> {
        self.check()?;
        self.inner.award(id).await
    }

    async fn awards_by_id(&self, ids: &[Uuid]) -> StoreResult<Vec<Award>> {
        self.check()?;
        self.inner.awards_by_id(ids).await
    }

    async fn list_awards(&self, filter: &AwardFilter) -> StoreResult<(Vec<Award>, u64)> {
        self.check()?;
        self.inner.list_awards(filter).await
    }

    async fn replace_credential(&self, award: &Award) -> StoreResult<()> {
        self.check()?;
        self.inner.replace_credential(award).await
    }
}

#[async_trait]
impl laurel_store::StatusStore for FlakyStore {
    async fn allocate_status(
        &self,
        issuer_id: Uuid,
        purpose: &str,
        count: u32,
        size: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Allocation>> {
        self.check()?;
        self.inner
            .allocate_status(issuer_id, purpose, count, size, now)
            .await
    }

    async fn status_list(&self, id: Uuid) -> StoreResult<StatusList> {
        self.check()?;
        self.inner.status_list(id).await
    }

    async fn status_lists(&self, issuer_id: Option<Uuid>) -> StoreResult<Vec<StatusList>> {
        self.check()?;
        self.inner.status_lists(issuer_id).await
    }

    async fn save_status_credential(
        &self,
        list_id: Uuid,
        version: i64,
        credential: &str,
    ) -> StoreResult<bool> {
        self.check()?;
        self.inner
            .save_status_credential(list_id, version, credential)
            .await
    }

    async fn revoke_awards(
        &self,
        ids: &[Uuid],
        reason: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<StatusChange>> {
        self.check()?;
        self.inner.revoke_awards(ids, reason, at).await
    }

    async fn suspend_award(
        &self,
        id: Uuid,
        reason: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<StatusChange> {
        self.check()?;
        self.inner.suspend_award(id, reason, at).await
    }

    async fn unsuspend_award(&self, id: Uuid) -> StoreResult<StatusChange> {
        self.check()?;
        self.inner.unsuspend_award(id).await
    }

    async fn resign_status_lists(&self, issuer_id: Uuid) -> StoreResult<()> {
        self.check()?;
        self.inner.resign_status_lists(issuer_id).await
    }
}

#[async_trait]
impl laurel_store::ActivityStore for FlakyStore {
    async fn create_series(&self, series: &Series) -> StoreResult<()> {
        self.check()?;
        self.inner.create_series(series).await
    }

    async fn update_series(&self, series: &Series) -> StoreResult<()> {
        self.check()?;
        self.inner.update_series(series).await
    }

    async fn series(&self, id: Uuid) -> StoreResult<Series> {
        self.check()?;
        self.inner.series(id).await
    }

    async fn list_series(&self, issuer_id: Option<Uuid>) -> StoreResult<Vec<Series>> {
        self.check()?;
        self.inner.list_series(issuer_id).await
    }

    async fn create_event(&self, event: &Event) -> StoreResult<()> {
        self.check()?;
        self.inner.create_event(event).await
    }

    async fn create_events(&self, events: &[Event]) -> StoreResult<()> {
        self.check()?;
        self.inner.create_events(events).await
    }

    async fn issuer_time_zone(&self, issuer_id: Uuid) -> StoreResult<String> {
        self.check()?;
        self.inner.issuer_time_zone(issuer_id).await
    }

    async fn set_issuer_time_zone(&self, issuer_id: Uuid, time_zone: &str) -> StoreResult<()> {
        self.check()?;
        self.inner.set_issuer_time_zone(issuer_id, time_zone).await
    }

    async fn update_event(&self, event: &Event) -> StoreResult<()> {
        self.check()?;
        self.inner.update_event(event).await
    }

    async fn event(&self, id: Uuid) -> StoreResult<Event> {
        self.check()?;
        self.inner.event(id).await
    }

    async fn list_events(&self, filter: &EventFilter) -> StoreResult<Vec<Event>> {
        self.check()?;
        self.inner.list_events(filter).await
    }

    async fn record_attendance(&self, records: &[Attendance]) -> StoreResult<Vec<Recorded>> {
        self.check()?;
        self.inner.record_attendance(records).await
    }

    async fn attendance_of(&self, event_ids: &[Uuid]) -> StoreResult<Vec<Attendance>> {
        self.check()?;
        self.inner.attendance_of(event_ids).await
    }

    async fn attendance_of_recipient(&self, email: &str) -> StoreResult<Vec<Attendance>> {
        self.check()?;
        self.inner.attendance_of_recipient(email).await
    }

    async fn record_completions(&self, records: &[Completion]) -> StoreResult<Vec<Recorded>> {
        self.check()?;
        self.inner.record_completions(records).await
    }

    async fn completions(
        &self,
        issuer_id: Uuid,
        what: Option<&str>,
    ) -> StoreResult<Vec<Completion>> {
        self.check()?;
        self.inner.completions(issuer_id, what).await
    }

    async fn create_import(&self, job: &ImportJob) -> StoreResult<()> {
        self.check()?;
        self.inner.create_import(job).await
    }

    async fn update_import(&self, job: &ImportJob) -> StoreResult<()> {
        self.check()?;
        self.inner.update_import(job).await
    }

    async fn list_imports_of(
        &self,
        issuer_ids: &[Uuid],
        limit: u32,
    ) -> StoreResult<Vec<ImportJob>> {
        self.check()?;
        self.inner.list_imports_of(issuer_ids, limit).await
    }

    async fn create_import_within(
        &self,
        job: &ImportJob,
        quota: &ImportQuota,
    ) -> StoreResult<bool> {
        self.check()?;
        self.inner.create_import_within(job, quota).await
    }

    async fn import_results(&self, issuer_id: Option<Uuid>) -> StoreResult<Vec<ImportResultSize>> {
        self.check()?;
        self.inner.import_results(issuer_id).await
    }

    async fn expire_import_result(
        &self,
        id: Uuid,
        result: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.check()?;
        self.inner.expire_import_result(id, result, at).await
    }

    async fn import(&self, id: Uuid) -> StoreResult<ImportJob> {
        self.check()?;
        self.inner.import(id).await
    }

    async fn list_imports(
        &self,
        event_id: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<ImportJob>> {
        self.check()?;
        self.inner.list_imports(event_id, limit).await
    }
}

#[async_trait]
impl laurel_store::EmailStore for FlakyStore {
    async fn email_settings(&self, issuer_id: Uuid) -> StoreResult<Option<EmailSettings>> {
        self.check()?;
        self.inner.email_settings(issuer_id).await
    }

    async fn set_email_settings(&self, settings: &EmailSettings) -> StoreResult<()> {
        self.check()?;
        self.inner.set_email_settings(settings).await
    }

    async fn delete_email_settings(&self, issuer_id: Uuid) -> StoreResult<bool> {
        self.check()?;
        self.inner.delete_email_settings(issuer_id).await
    }

    async fn email_template(&self, owner_id: Uuid) -> StoreResult<Option<EmailTemplate>> {
        self.check()?;
        self.inner.email_template(owner_id).await
    }

    async fn set_email_template(&self, template: &EmailTemplate) -> StoreResult<()> {
        self.check()?;
        self.inner.set_email_template(template).await
    }

    async fn delete_email_template(&self, owner_id: Uuid) -> StoreResult<bool> {
        self.check()?;
        self.inner.delete_email_template(owner_id).await
    }

    async fn notification(&self, award_id: Uuid) -> StoreResult<Option<Notification>> {
        self.check()?;
        self.inner.notification(award_id).await
    }

    async fn list_notifications(
        &self,
        filter: &NotificationFilter,
    ) -> StoreResult<(Vec<Notification>, u64)> {
        self.check()?;
        self.inner.list_notifications(filter).await
    }

    async fn queue_notifications(
        &self,
        award_ids: &[Uuid],
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<Requeued>> {
        self.check()?;
        self.inner.queue_notifications(award_ids, at).await
    }

    async fn resend_notifications(
        &self,
        achievement_id: Uuid,
        which: &[Resend],
        at: DateTime<Utc>,
    ) -> StoreResult<u64> {
        self.check()?;
        self.inner
            .resend_notifications(achievement_id, which, at)
            .await
    }

    async fn claim_notifications(
        &self,
        claim: Uuid,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Notification>> {
        self.check()?;
        self.inner
            .claim_notifications(claim, now, lease_until, limit)
            .await
    }

    async fn finish_notifications(&self, deliveries: &[Delivery]) -> StoreResult<()> {
        self.check()?;
        self.inner.finish_notifications(deliveries).await
    }
}

#[async_trait]
impl laurel_store::ConsoleStore for FlakyStore {
    async fn create_user(&self, user: &User) -> StoreResult<()> {
        self.check()?;
        self.inner.create_user(user).await
    }

    async fn user_by_name(&self, username: &str) -> StoreResult<Option<User>> {
        self.check()?;
        self.inner.user_by_name(username).await
    }

    async fn user(&self, id: Uuid) -> StoreResult<User> {
        self.check()?;
        self.inner.user(id).await
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        self.check()?;
        self.inner.list_users().await
    }

    async fn set_sign_in_state(
        &self,
        user_id: Uuid,
        failed_sign_ins: u32,
        locked_until: Option<DateTime<Utc>>,
    ) -> StoreResult<()> {
        self.check()?;
        self.inner
            .set_sign_in_state(user_id, failed_sign_ins, locked_until)
            .await
    }

    async fn set_user_disabled(&self, user_id: Uuid, at: Option<DateTime<Utc>>) -> StoreResult<()> {
        self.check()?;
        self.inner.set_user_disabled(user_id, at).await
    }

    async fn begin_sign_in(
        &self,
        username: &str,
        now: DateTime<Utc>,
        delay: fn(u32) -> Option<chrono::Duration>,
    ) -> StoreResult<Option<laurel_store::SignInAttempt>> {
        self.check()?;
        self.inner.begin_sign_in(username, now, delay).await
    }

    async fn set_password(
        &self,
        user_id: Uuid,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> StoreResult<()> {
        self.check()?;
        self.inner
            .set_password(user_id, password_hash, keep_session)
            .await
    }

    async fn create_session(&self, session: &Session) -> StoreResult<()> {
        self.check()?;
        self.inner.create_session(session).await
    }

    async fn session(
        &self,
        secret_sha256: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Session>> {
        self.check()?;
        self.inner.session(secret_sha256, now).await
    }

    async fn delete_session(&self, secret_sha256: &str) -> StoreResult<bool> {
        self.check()?;
        self.inner.delete_session(secret_sha256).await
    }

    async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<()> {
        self.check()?;
        self.inner.append_audit(entry).await
    }

    async fn search_audit(
        &self,
        filter: &laurel_store::AuditFilter,
    ) -> StoreResult<(Vec<AuditEntry>, u64)> {
        self.check()?;
        self.inner.search_audit(filter).await
    }
}
