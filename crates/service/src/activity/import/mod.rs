//! Importing an attendance report: parse, record, award, and report on every line.
//!
//! The API and `laurel import attendance` share this. Parsing is fast and checked first, so a
//! file that cannot be read at all (no header, not text) is refused before a job exists. Then
//! a job records the attendees in chunks, one transaction each, and awards by rule through the
//! one award path; its row in the database says how far it got, so any instance can answer a
//! poll. A malformed line is rejected alone and never stops the others; recording is an
//! idempotent merge, so running the same file again (or two overlapping files at once) changes
//! nothing twice and mints nobody twice.
//!
//! The parts: [`options`] (what the caller asks for: dry run, offset, column mapping),
//! [`parse`] (the file into attendance rows, with the offset its times are read in), this
//! module (the job: record in chunks, award, keep the job's row up to date) and [`result`]
//! (the typed document the job writes into its row, which the API answers).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use futures_util::{StreamExt as _, stream};
use laurel_store::{Attendance, ImportJob, ImportStatus, Recorded};
use serde_json::Value;

use super::rules::{self, Minted, Plan, Scope};
use crate::{Service, ServiceError, ServiceResult};

mod options;
mod parse;
mod result;

pub use options::{ImportOptions, parse_offset};
pub use parse::{Parsed, parse, parse_list};
pub use result::{
    AwardOutcome, ImportResult, LineKind, LineResult, MintedAward, NotQualified, Summary,
    WouldAward,
};

/// How many attendees one store transaction records.
const RECORD_CHUNK: usize = 1_000;

/// How many chunks of awards (each [`rules::MINT_CHUNK`], one transaction) are minted at once.
///
/// One: with two in flight on SQLite, the chunks' transactions waited on each other's write
/// lock and an 11,000-row import took 30–93 s instead of 2.6 s (award_bench, 2026-12-05);
/// signing already uses both cores within a chunk.
const MINT_IN_FLIGHT: usize = 1;

/// A new job for a parsed report (not yet stored).
pub fn new_job(
    parsed: &Parsed,
    dry_run: bool,
    file_name: Option<String>,
    now: DateTime<Utc>,
) -> ImportJob {
    ImportJob {
        id: uuid::Uuid::now_v7(),
        event_id: parsed.event.id,
        status: ImportStatus::Queued,
        dry_run,
        file_name,
        total_rows: u32::try_from(parsed.report.lines.len()).unwrap_or(u32::MAX),
        processed_rows: 0,
        result: None,
        error: None,
        created_at: now,
        updated_at: now,
        finished_at: None,
    }
}

/// Stores a new job for `parsed`, within its issuer's bounds (see [`super::bounds`]): a 429
/// when the issuer already has as many imports waiting or running as it may.
pub async fn enqueue(service: &Service, job: &ImportJob, parsed: &Parsed) -> ServiceResult<()> {
    super::bounds::enqueue(service, job, parsed.event.issuer_id).await
}

/// Where a running import is, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Attendees recorded (or compared, in a dry run) so far, of all.
    Recording {
        /// Done.
        done: usize,
        /// All.
        total: usize,
    },
    /// Credentials minted (or counted, in a dry run) so far, of all pending.
    Awarding {
        /// Done.
        done: usize,
        /// All.
        total: usize,
    },
}

/// Runs the job: records (unless a dry run), awards by rule, and stores the outcome in the
/// job's row, updating its progress as it goes. The finished job is returned; a failure that
/// is no line's fault marks the job failed with the reason, and is returned too.
pub async fn run(
    service: &Service,
    mut job: ImportJob,
    parsed: Parsed,
    mut progress: impl FnMut(Progress),
) -> ServiceResult<ImportJob> {
    job.status = ImportStatus::Running;
    job.updated_at = service.clock.now();
    service.store.update_import(&job).await?;
    match work(service, &mut job, &parsed, &mut progress).await {
        Ok(result) => {
            job.status = ImportStatus::Succeeded;
            job.result = Some(serde_json::to_string(&result).map_err(|error| {
                ServiceError::Internal(format!("an import result did not serialize: {error}"))
            })?);
        }
        Err(error) => {
            tracing::error!(job = %job.id, %error, "attendance import failed");
            job.status = ImportStatus::Failed;
            job.error = Some(public_detail(&error));
        }
    }
    let now = service.clock.now();
    job.updated_at = now;
    job.finished_at = Some(now);
    service.store.update_import(&job).await?;
    if !job.dry_run {
        // One entry per import (awards by rule write their own): what it recorded, in counts.
        let summary = job
            .result
            .as_deref()
            .and_then(|text| serde_json::from_str::<ImportResult>(text).ok())
            .and_then(|result| serde_json::to_value(result.summary).ok())
            .unwrap_or(Value::Null);
        crate::audit::write(
            service.store.as_ref(),
            now,
            &crate::audit::Actor::system("import"),
            "import.finish",
            Some(job.id.to_string()),
            serde_json::json!({
                "event_id": job.event_id,
                "status": job.status.as_str(),
                "file_name": job.file_name,
                "summary": summary,
            }),
        )
        .await;
    }
    // This result counts toward the issuer's budget now: older ones may have to go.
    super::bounds::expire(service, Some(parsed.event.issuer_id)).await;
    Ok(job)
}

async fn work(
    service: &Service,
    job: &mut ImportJob,
    parsed: &Parsed,
    progress: &mut impl FnMut(Progress),
) -> ServiceResult<ImportResult> {
    let total = parsed.attendance.len();
    let mut recorded: Vec<Recorded> = Vec::with_capacity(total);
    if job.dry_run {
        let mut stored: HashMap<String, Attendance> = service
            .store
            .attendance_of(&[parsed.event.id])
            .await?
            .into_iter()
            .map(|record| (record.recipient_email.clone(), record))
            .collect();
        for record in &parsed.attendance {
            recorded.push(rules::merge_into(&mut stored, record));
        }
        progress(Progress::Recording { done: total, total });
    } else {
        for chunk in parsed.attendance.chunks(RECORD_CHUNK) {
            recorded.extend(service.store.record_attendance(chunk).await?);
            progress(Progress::Recording {
                done: recorded.len(),
                total,
            });
            // Progress in lines: the share of attendees recorded, applied to the file's lines.
            let lines = parsed.report.lines.len();
            job.processed_rows =
                u32::try_from(lines * recorded.len() / total.max(1)).unwrap_or(u32::MAX);
            job.updated_at = service.clock.now();
            save_progress(service, job).await;
        }
    }

    let extra: &[Attendance] = if job.dry_run { &parsed.attendance } else { &[] };
    let plans = rules::plan(service, &Scope::Event(parsed.event.clone()), extra).await?;
    let in_report: HashSet<&str> = parsed
        .attendance
        .iter()
        .map(|record| record.recipient_email.as_str())
        .collect();
    let awards: Vec<AwardOutcome> = if job.dry_run {
        plans
            .iter()
            .map(|plan| result::would_award(plan, &in_report))
            .collect()
    } else {
        let pending: usize = plans.iter().map(|plan| plan.pending.len()).sum();
        progress(Progress::Awarding {
            done: 0,
            total: pending,
        });
        // Chunk by chunk, so the job's row shows minting moving on.
        let mut done = 0;
        let mut minted = Vec::with_capacity(plans.len());
        for plan in plans {
            let near = result::not_qualified(&plan, &in_report);
            let mut total = Minted {
                achievement_id: plan.achievement.id,
                name: plan.achievement.name.clone(),
                qualified: plan.qualified,
                created: 0,
                existing: 0,
                failed: 0,
            };
            // Chunk by chunk (see MINT_IN_FLIGHT), each its own transaction, results in order.
            // The futures are gathered first: a stream over a borrowing closure would not be
            // `Send` for every lifetime, which the job's spawned task needs.
            let parts: Vec<_> = plan
                .pending
                .chunks(rules::MINT_CHUNK)
                .map(|chunk| Plan {
                    achievement: plan.achievement.clone(),
                    qualified: 0,
                    pending: chunk.to_vec(),
                    sessions: Vec::new(),
                    qualified_emails: Vec::new(),
                    short: Vec::new(),
                })
                .map(|part| async move {
                    let size = part.pending.len();
                    (size, rules::mint(service, vec![part]).await)
                })
                .collect();
            let mut minting = stream::iter(parts).buffered(MINT_IN_FLIGHT);
            while let Some((size, outcomes)) = minting.next().await {
                for outcome in outcomes? {
                    total.created += outcome.created;
                    total.existing += outcome.existing;
                    total.failed += outcome.failed;
                }
                done += size;
                progress(Progress::Awarding {
                    done,
                    total: pending,
                });
                job.updated_at = service.clock.now();
                save_progress(service, job).await;
            }
            minted.push(result::minted(total, near));
        }
        minted
    };
    job.processed_rows = job.total_rows;
    Ok(result::outcome(parsed, &recorded, job.dry_run, awards))
}

/// Stores the job's progress; a failure here only delays what a poll shows, so it is logged.
async fn save_progress(service: &Service, job: &ImportJob) {
    if let Err(error) = service.store.update_import(job).await {
        tracing::warn!(job = %job.id, %error, "could not store an import's progress");
    }
}

/// What a client may see of an error: internal and database details stay in the log.
fn public_detail(error: &ServiceError) -> String {
    match error {
        ServiceError::Internal(_) => "an internal error occurred; it has been logged".into(),
        ServiceError::Unavailable(_) => {
            "the database was unavailable; run the import again: it is harmless".into()
        }
        other => other.to_string(),
    }
}

pub use super::bounds::STALE_AFTER;

/// The job as a client should see it: a running job that has not moved for [`STALE_AFTER`]
/// is reported as failed, interrupted; per-line results past their time are not shown
/// (see [`super::bounds`]).
pub fn as_seen(job: ImportJob, now: DateTime<Utc>) -> ImportJob {
    let mut job = super::bounds::hide_expired(job, now);
    if !job.status.is_finished() && now - job.updated_at > STALE_AFTER {
        job.status = ImportStatus::Failed;
        job.error = Some(
            "interrupted: the instance running this import stopped; run the import again (it is harmless)"
                .into(),
        );
    }
    job
}
