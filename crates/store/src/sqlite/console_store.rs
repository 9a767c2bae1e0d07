//! [`ConsoleStore`](crate::ConsoleStore) on SQLite.

use super::*;

#[async_trait]
impl crate::ConsoleStore for SqliteStore {
    async fn create_user(&self, user: &User) -> StoreResult<()> {
        console::create_user(self, user).await
    }

    async fn user_by_name(&self, username: &str) -> StoreResult<Option<User>> {
        console::user_by_name(self, username).await
    }

    async fn user(&self, id: Uuid) -> StoreResult<User> {
        console::one_user(self, id).await
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        console::list_users(self).await
    }

    async fn set_sign_in_state(
        &self,
        user_id: Uuid,
        failed_sign_ins: u32,
        locked_until: Option<DateTime<Utc>>,
    ) -> StoreResult<()> {
        console::set_sign_in_state(self, user_id, failed_sign_ins, locked_until).await
    }

    async fn set_user_disabled(&self, user_id: Uuid, at: Option<DateTime<Utc>>) -> StoreResult<()> {
        console::set_disabled(self, user_id, at).await
    }

    async fn begin_sign_in(
        &self,
        username: &str,
        now: DateTime<Utc>,
        delay: fn(u32) -> Option<chrono::Duration>,
    ) -> StoreResult<Option<crate::SignInAttempt>> {
        sign_in::begin(self, username, now, delay).await
    }

    async fn set_password(
        &self,
        user_id: Uuid,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> StoreResult<()> {
        sign_in::set_password(self, user_id, password_hash, keep_session).await
    }

    async fn create_session(&self, session: &Session) -> StoreResult<()> {
        console::create_session(self, session).await
    }

    async fn session(
        &self,
        secret_sha256: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Session>> {
        console::session(self, secret_sha256, now).await
    }

    async fn delete_session(&self, secret_sha256: &str) -> StoreResult<bool> {
        console::delete_session(self, secret_sha256).await
    }

    async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<()> {
        audit::append_audit(self, entry).await
    }

    async fn search_audit(&self, filter: &AuditFilter) -> StoreResult<(Vec<AuditEntry>, u64)> {
        audit::search_audit(self, filter).await
    }
}
