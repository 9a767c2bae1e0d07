//! [`ActivityStore`](crate::ActivityStore) on SQLite.

use super::*;

#[async_trait]
impl crate::ActivityStore for SqliteStore {
    async fn create_series(&self, series: &Series) -> StoreResult<()> {
        activity::create_series(self, series).await
    }

    async fn update_series(&self, series: &Series) -> StoreResult<()> {
        activity::update_series(self, series).await
    }

    async fn series(&self, id: Uuid) -> StoreResult<Series> {
        activity::one_series(self, id).await
    }

    async fn list_series(&self, issuer_id: Option<Uuid>) -> StoreResult<Vec<Series>> {
        activity::list_series(self, issuer_id).await
    }

    async fn create_event(&self, event: &Event) -> StoreResult<()> {
        activity::create_event(self, event).await
    }

    async fn create_events(&self, events: &[Event]) -> StoreResult<()> {
        sessions::create_events(self, events).await
    }

    async fn issuer_time_zone(&self, issuer_id: Uuid) -> StoreResult<String> {
        sessions::issuer_time_zone(self, issuer_id).await
    }

    async fn set_issuer_time_zone(&self, issuer_id: Uuid, time_zone: &str) -> StoreResult<()> {
        sessions::set_issuer_time_zone(self, issuer_id, time_zone).await
    }

    async fn update_event(&self, event: &Event) -> StoreResult<()> {
        activity::update_event(self, event).await
    }

    async fn event(&self, id: Uuid) -> StoreResult<Event> {
        activity::one_event(self, id).await
    }

    async fn list_events(&self, filter: &EventFilter) -> StoreResult<Vec<Event>> {
        activity::list_events(self, filter).await
    }

    async fn record_attendance(&self, records: &[Attendance]) -> StoreResult<Vec<Recorded>> {
        activity::record_attendance(self, records).await
    }

    async fn attendance_of(&self, event_ids: &[Uuid]) -> StoreResult<Vec<Attendance>> {
        activity::attendance_of(self, event_ids).await
    }

    async fn attendance_of_recipient(&self, email: &str) -> StoreResult<Vec<Attendance>> {
        activity::attendance_of_recipient(self, email).await
    }

    async fn record_completions(&self, records: &[Completion]) -> StoreResult<Vec<Recorded>> {
        activity::record_completions(self, records).await
    }

    async fn completions(
        &self,
        issuer_id: Uuid,
        what: Option<&str>,
    ) -> StoreResult<Vec<Completion>> {
        activity::completions(self, issuer_id, what).await
    }

    async fn create_import(&self, job: &ImportJob) -> StoreResult<()> {
        imports::create_import(self, job).await
    }

    async fn list_imports_of(
        &self,
        issuer_ids: &[Uuid],
        limit: u32,
    ) -> StoreResult<Vec<ImportJob>> {
        imports::list_imports_of(self, issuer_ids, limit).await
    }

    async fn create_import_within(
        &self,
        job: &ImportJob,
        quota: &ImportQuota,
    ) -> StoreResult<bool> {
        imports::create_import_within(self, job, quota).await
    }

    async fn import_results(&self, issuer_id: Option<Uuid>) -> StoreResult<Vec<ImportResultSize>> {
        imports::import_results(self, issuer_id).await
    }

    async fn expire_import_result(
        &self,
        id: Uuid,
        result: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        imports::expire_import_result(self, id, result, at).await
    }

    async fn update_import(&self, job: &ImportJob) -> StoreResult<()> {
        imports::update_import(self, job).await
    }

    async fn import(&self, id: Uuid) -> StoreResult<ImportJob> {
        imports::one_import(self, id).await
    }

    async fn list_imports(
        &self,
        event_id: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<ImportJob>> {
        imports::list_imports(self, event_id, limit).await
    }
}
