//! How much import work and import history one issuer may hold.
//!
//! An attendance import is cheap to start and costly to run (it records and mints), and its
//! result names every attendee of the file. Left unbounded, one script (or one stuck browser
//! tab) could queue imports without end, and years of results would keep every attendee's
//! address in the database long after anyone looks at them. So:
//!
//! - an issuer may have [`MAX_UNFINISHED`] imports queued or running at once; one more is a
//!   429 that says to wait (counted and stored in one transaction, so two instances cannot
//!   both let the fourth one in);
//! - a finished import keeps its summary and what it awarded for good, but its per-line
//!   results (the attendee list) expire: a dry run's (the console's review step) after
//!   [`REVIEW_KEPT`], a recording import's after [`RESULTS_KEPT`], and the oldest go earlier
//!   whenever an issuer's stored results pass [`MAX_RESULT_BYTES`].
//!
//! Expiry is applied when one of the issuer's imports finishes and when `laurel serve`
//! starts; in between, [`hide_expired`] shortens what is shown, so an expired list is never
//! shown even before it is deleted.

use chrono::{DateTime, TimeDelta, Utc};
use laurel_store::{ImportJob, ImportQuota, ImportResultSize};
use serde_json::Value;
use uuid::Uuid;

use crate::{Service, ServiceError, ServiceResult};

/// Imports one issuer may have queued or running at once.
pub const MAX_UNFINISHED: u32 = 3;
/// How long a dry run's per-line results are kept: the review is read the same day.
pub const REVIEW_KEPT: TimeDelta = TimeDelta::days(1);
/// How long a recording import's per-line results are kept.
pub const RESULTS_KEPT: TimeDelta = TimeDelta::days(30);
/// The most per-line results one issuer keeps, in bytes of stored JSON (an 11,000-line Zoom
/// report's result is about 1 MiB).
pub const MAX_RESULT_BYTES: u64 = 64 * 1024 * 1024;

/// A job whose instance stopped while it ran: not updated for this long, it is reported as
/// failed (recording and minting are idempotent, so running the file again finishes it), and
/// it no longer counts toward [`MAX_UNFINISHED`].
pub const STALE_AFTER: TimeDelta = TimeDelta::minutes(10);

/// The result's member saying when its per-line detail expired.
const EXPIRED_MEMBER: &str = "lines_expired_at";

/// Stores a new import job for `issuer_id`'s session, unless the issuer already has
/// [`MAX_UNFINISHED`] imports waiting or running: a 429 then, and nothing stored. (Expired
/// results are dropped when the import finishes, once, not here too.)
pub async fn enqueue(service: &Service, job: &ImportJob, issuer_id: Uuid) -> ServiceResult<()> {
    let now = service.clock.now();
    let quota = ImportQuota {
        issuer_id,
        max_unfinished: MAX_UNFINISHED,
        fresh_since: now - STALE_AFTER,
    };
    if service.store.create_import_within(job, &quota).await? {
        Ok(())
    } else {
        Err(ServiceError::Busy(format!(
            "this issuer already has {MAX_UNFINISHED} imports waiting or running; \
             wait until one has finished, then send this file again"
        )))
    }
}

/// Drops the per-line results that have expired (of one issuer, or all), keeping each
/// import's summary and awards. Returns how many were shortened; a failure is logged, as it
/// only delays the cleanup.
pub async fn expire(service: &Service, issuer_id: Option<Uuid>) -> usize {
    match try_expire(service, issuer_id).await {
        Ok(count) => count,
        Err(error) => {
            tracing::warn!(%error, "could not drop expired import results; trying again later");
            0
        }
    }
}

async fn try_expire(service: &Service, issuer_id: Option<Uuid>) -> ServiceResult<usize> {
    let now = service.clock.now();
    let results = service.store.import_results(issuer_id).await?;
    let mut count = 0;
    for id in expired(&results, now) {
        // Finished jobs only (the store lists no others), so nothing writes this row now.
        let job = service.store.import(id).await?;
        let Some(result) = job.result.as_deref() else {
            continue;
        };
        let shortened = shorten(result, now);
        service
            .store
            .expire_import_result(id, &shortened, now)
            .await?;
        count += 1;
    }
    Ok(count)
}

/// The imports whose per-line results have expired at `now`: too old, or past the issuer's
/// byte budget counting from its newest (`results` newest first, as the store lists them).
fn expired(results: &[ImportResultSize], now: DateTime<Utc>) -> Vec<Uuid> {
    let mut used: std::collections::HashMap<Uuid, u64> = Default::default();
    results
        .iter()
        .filter(|result| {
            let total = used.entry(result.issuer_id).or_default();
            *total = total.saturating_add(result.bytes);
            *total > MAX_RESULT_BYTES || is_old(result.dry_run, result.finished_at, now)
        })
        .map(|result| result.id)
        .collect()
}

fn is_old(dry_run: bool, finished_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - finished_at > kept(dry_run)
}

/// How long per-line results are kept.
fn kept(dry_run: bool) -> TimeDelta {
    if dry_run { REVIEW_KEPT } else { RESULTS_KEPT }
}

/// The job as it may be shown at `now`: a result past its time loses its per-line detail
/// (whether or not it has been dropped from the database yet).
pub fn hide_expired(mut job: ImportJob, now: DateTime<Utc>) -> ImportJob {
    if let (Some(result), Some(finished_at)) = (&job.result, job.finished_at)
        && is_old(job.dry_run, finished_at, now)
    {
        job.result = Some(shorten(result, finished_at + kept(job.dry_run)));
    }
    job
}

/// A result without its per-line detail: the `lines`, the recipients named in a dry run's
/// awards and those who did not qualify are dropped, and `lines_expired_at` says when. A
/// result already shortened (or not JSON) is returned as it was.
pub fn shorten(result: &str, at: DateTime<Utc>) -> String {
    let Ok(mut value) = serde_json::from_str::<Value>(result) else {
        return result.to_string();
    };
    let Some(object) = value.as_object_mut() else {
        return result.to_string();
    };
    if object.contains_key(EXPIRED_MEMBER) {
        return result.to_string();
    }
    object.remove("lines");
    if let Some(Value::Array(awards)) = object.get_mut("awards") {
        for award in awards.iter_mut().filter_map(Value::as_object_mut) {
            award.remove("recipients");
            award.remove("not_qualified");
        }
    }
    object.insert(EXPIRED_MEMBER.into(), Value::String(at.to_rfc3339()));
    value.to_string()
}

/// When a result's per-line detail expired, if it has.
pub fn lines_expired_at(result: &Value) -> Option<&str> {
    result.get(EXPIRED_MEMBER).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0)
            .single()
            .expect("valid")
    }

    fn sized(id: u128, issuer: u128, dry_run: bool, day: u32, bytes: u64) -> ImportResultSize {
        ImportResultSize {
            id: Uuid::from_u128(id),
            issuer_id: Uuid::from_u128(issuer),
            dry_run,
            finished_at: at(day),
            bytes,
        }
    }

    #[test]
    fn reviews_expire_after_a_day_and_imports_after_thirty() {
        // 30 days and an hour after the 1st; 29 and a bit after the 2nd.
        let now = at(31) + TimeDelta::hours(1);
        let results = [
            sized(1, 9, true, 31, 10),
            sized(2, 9, true, 29, 10),
            sized(3, 9, false, 2, 10),
            sized(4, 9, false, 1, 10),
        ];
        assert_eq!(
            expired(&results, now),
            vec![Uuid::from_u128(2), Uuid::from_u128(4)]
        );
    }

    #[test]
    fn the_oldest_results_go_when_an_issuer_passes_its_budget() {
        let now = at(10);
        let half = MAX_RESULT_BYTES / 2;
        let results = [
            sized(1, 7, false, 10, half),
            sized(2, 8, false, 10, half + 1),
            sized(3, 7, false, 9, half),
            sized(4, 8, false, 9, half),
            sized(5, 7, false, 8, 1),
        ];
        // Issuer 7 is at its budget after two, so its third goes; issuer 8 passes it with
        // its second. Each issuer has its own budget.
        assert_eq!(
            expired(&results, now),
            vec![Uuid::from_u128(4), Uuid::from_u128(5)]
        );
    }

    #[test]
    fn shortening_keeps_the_summary_and_drops_every_address() {
        let result = json!({
            "dry_run": true,
            "summary": {"lines": 2, "recorded": 1},
            "awards": [{"name": "Badge", "would_award": 1, "recipients": ["a@example.org"],
                "not_qualified": [{"email": "b@example.org", "short": "2 of 3 sessions"}]}],
            "lines": [{"line": 2, "outcome": "recorded", "email": "a@example.org"}],
        })
        .to_string();
        let short = shorten(&result, at(3));
        assert!(!short.contains("a@example.org"), "{short}");
        assert!(!short.contains("b@example.org"), "{short}");
        let value: Value = serde_json::from_str(&short).expect("json");
        assert_eq!(value["summary"]["recorded"], 1);
        assert_eq!(value["awards"][0]["would_award"], 1);
        assert_eq!(lines_expired_at(&value), Some(at(3).to_rfc3339().as_str()));
        // Twice is once.
        assert_eq!(shorten(&short, at(4)), short);
    }

    #[test]
    fn an_old_job_is_shown_without_its_lines_before_it_is_dropped() {
        let result = json!({"summary": {}, "lines": [{"email": "a@example.org"}]}).to_string();
        let job = ImportJob {
            id: Uuid::from_u128(1),
            event_id: Uuid::from_u128(2),
            status: laurel_store::ImportStatus::Succeeded,
            dry_run: true,
            file_name: None,
            total_rows: 1,
            processed_rows: 1,
            result: Some(result.clone()),
            error: None,
            created_at: at(1),
            updated_at: at(1),
            finished_at: Some(at(1)),
        };
        let fresh = hide_expired(job.clone(), at(1) + TimeDelta::hours(23));
        assert_eq!(fresh.result.as_deref(), Some(result.as_str()));
        let old = hide_expired(job, at(3));
        assert!(!old.result.expect("result").contains("a@example.org"));
    }
}
