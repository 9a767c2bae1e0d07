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
//! Report times carry no usable time zone: join and leave times are read in the offset the
//! caller gives, or else in the offset that puts the median first join nearest the session's
//! start (rounded to 15 minutes; people join webinars around their start).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset as _, Utc};
use laurel_attendance::{Attendee, Column, ColumnMapping, LineOutcome, Report};
use laurel_store::{Attendance, Event, ImportJob, ImportStatus, Recorded};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::rules::{self, Minted, Plan, Scope};
use crate::{Service, ServiceError, ServiceResult};

/// How many attendees one store transaction records.
const RECORD_CHUNK: usize = 1_000;

/// How to read a report: options of `POST /events/{id}/attendance/import` and
/// `laurel import attendance`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportOptions {
    /// Report what would be recorded and awarded; record and award nothing.
    #[serde(default)]
    pub dry_run: Option<bool>,
    /// The file's name, kept with the job for people.
    #[serde(default)]
    pub file_name: Option<String>,
    /// The UTC offset of the report's times (`+02:00`, `-05:00`, `Z`).
    #[serde(default)]
    pub utc_offset: Option<String>,
    /// The column of emails, for a report whose format is not detected: a header name, or
    /// `#N` for the N-th column (from 1). The other `*_column`s name theirs the same way.
    #[serde(default)]
    pub email_column: Option<String>,
    /// The column of full names.
    #[serde(default)]
    pub name_column: Option<String>,
    /// The column of first names.
    #[serde(default)]
    pub first_name_column: Option<String>,
    /// The column of last names.
    #[serde(default)]
    pub last_name_column: Option<String>,
    /// The column of minutes attended.
    #[serde(default)]
    pub minutes_column: Option<String>,
    /// The column of join times (with `leave_column`, when there are no minutes).
    #[serde(default)]
    pub join_column: Option<String>,
    /// The column of leave times.
    #[serde(default)]
    pub leave_column: Option<String>,
}

impl ImportOptions {
    /// The explicit column mapping, if any column is named; `email_column` is then required.
    pub fn mapping(&self) -> ServiceResult<Option<ColumnMapping>> {
        let others = [
            &self.name_column,
            &self.first_name_column,
            &self.last_name_column,
            &self.minutes_column,
            &self.join_column,
            &self.leave_column,
        ];
        let Some(email) = &self.email_column else {
            if others.iter().any(|column| column.is_some()) {
                return Err(ServiceError::Invalid(
                    "a column mapping needs email_column (a header name, or #N for the N-th column)"
                        .into(),
                ));
            }
            return Ok(None);
        };
        let mut mapping = ColumnMapping::new(column("email_column", email)?);
        let optional = |field: &str, value: &Option<String>| {
            value.as_deref().map(|text| column(field, text)).transpose()
        };
        mapping.name = optional("name_column", &self.name_column)?;
        mapping.first_name = optional("first_name_column", &self.first_name_column)?;
        mapping.last_name = optional("last_name_column", &self.last_name_column)?;
        mapping.minutes = optional("minutes_column", &self.minutes_column)?;
        mapping.join = optional("join_column", &self.join_column)?;
        mapping.leave = optional("leave_column", &self.leave_column)?;
        if mapping.minutes.is_none() && (mapping.join.is_none() || mapping.leave.is_none()) {
            return Err(ServiceError::Invalid(
                "a column mapping needs minutes_column, or both join_column and leave_column"
                    .into(),
            ));
        }
        Ok(Some(mapping))
    }

    /// The UTC offset, if given.
    pub fn offset(&self) -> ServiceResult<Option<FixedOffset>> {
        self.utc_offset.as_deref().map(parse_offset).transpose()
    }
}

/// `+HH:MM`, `-HH:MM` or `Z`.
pub fn parse_offset(text: &str) -> ServiceResult<FixedOffset> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("z") || text.eq_ignore_ascii_case("utc") {
        return Ok(Utc.fix());
    }
    text.parse::<FixedOffset>().map_err(|_| {
        ServiceError::Invalid(format!(
            "utc_offset must look like +02:00, -05:00 or Z, got {text:?}"
        ))
    })
}

fn column(field: &str, text: &str) -> ServiceResult<Column> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ServiceError::Invalid(format!("{field} is empty")));
    }
    match text.strip_prefix('#') {
        Some(number) => match number.parse::<usize>() {
            Ok(position @ 1..) => Ok(Column::Index(position - 1)),
            _ => Err(ServiceError::Invalid(format!(
                "{field}: #N names the N-th column, counting from 1; got {text:?}"
            ))),
        },
        None => Ok(Column::Named(text.to_string())),
    }
}

/// A report that parsed, ready to import into one event.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The session the report is for.
    pub event: Event,
    /// The report.
    pub report: Report,
    /// The attendees as attendance rows, in the report's order.
    pub attendance: Vec<Attendance>,
    /// The offset report times were read in.
    pub utc_offset: FixedOffset,
}

/// Parses a report for `event`; a whole-file problem is a 422 naming it.
pub fn parse(
    event: Event,
    bytes: &[u8],
    mapping: Option<&ColumnMapping>,
    utc_offset: Option<FixedOffset>,
    now: DateTime<Utc>,
) -> ServiceResult<Parsed> {
    let report = match mapping {
        Some(mapping) => laurel_attendance::parse_with_mapping(bytes, mapping),
        None => laurel_attendance::parse(bytes),
    }
    .map_err(|error| {
        ServiceError::Unreadable(format!("the attendance report cannot be read: {error}"))
    })?;
    let utc_offset = utc_offset.unwrap_or_else(|| {
        let mut joins: Vec<NaiveDateTime> = report
            .attendees
            .iter()
            .filter_map(|a| a.first_join)
            .collect();
        joins.sort_unstable();
        guess_offset(event.starts_at, joins.get(joins.len() / 2).copied())
    });
    Ok(with_attendance(event, report, utc_offset, now))
}

/// Parses an attendee list for `event` (addresses, with names or not, and no minutes: see
/// [`laurel_attendance::parse_list`]); a list with nothing in it is a 422 naming it. Its
/// people are recorded with 0 minutes and no times, which award rules read as "attended, no
/// minutes recorded".
pub fn parse_list(event: Event, bytes: &[u8], now: DateTime<Utc>) -> ServiceResult<Parsed> {
    let report = laurel_attendance::parse_list(bytes).map_err(|error| {
        ServiceError::Unreadable(format!("the attendee list cannot be read: {error}"))
    })?;
    Ok(with_attendance(event, report, Utc.fix(), now))
}

/// A parsed report with its attendees as attendance rows of `event`, times read at `utc_offset`.
fn with_attendance(
    event: Event,
    report: Report,
    utc_offset: FixedOffset,
    now: DateTime<Utc>,
) -> Parsed {
    let source = format!(
        "import:{}",
        serde_json::to_value(report.format)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_else(|| "report".into())
    );
    let to_utc = |time: Option<NaiveDateTime>| {
        time.and_then(|naive| naive.and_local_timezone(utc_offset).single())
            .map(|time| time.with_timezone(&Utc))
    };
    let attendance = report
        .attendees
        .iter()
        .map(|attendee| Attendance {
            event_id: event.id,
            recipient_email: attendee.email.clone(),
            recipient_name: attendee.name.clone(),
            minutes: attendee.minutes,
            first_join: to_utc(attendee.first_join),
            last_leave: to_utc(attendee.last_leave),
            source: source.clone(),
            recorded_at: now,
        })
        .collect();
    Parsed {
        event,
        report,
        attendance,
        utc_offset,
    }
}

/// The offset in which `join` (the median first join), read as local time, is nearest to
/// `start`, rounded to 15 minutes; UTC when there is no join time or it is more than 14 hours
/// off. The median, so one attendee waiting in the lobby early cannot shift everyone.
fn guess_offset(start: DateTime<Utc>, join: Option<NaiveDateTime>) -> FixedOffset {
    let utc = Utc.fix();
    let Some(join) = join else { return utc };
    let minutes = (join - start.naive_utc()).num_minutes();
    if minutes.abs() > 14 * 60 {
        return utc;
    }
    let rounded = (minutes as f64 / 15.0).round() as i32 * 15;
    FixedOffset::east_opt(rounded * 60).unwrap_or(utc)
}

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

/// The counts of an import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Data lines after the header.
    pub lines: usize,
    /// People in the report.
    pub attendees: usize,
    /// People recorded for the first time.
    pub recorded: usize,
    /// People already recorded whose record now says more (more minutes, say).
    pub updated: usize,
    /// People already recorded exactly so: nothing changed.
    pub duplicate: usize,
    /// Lines added to a person seen on an earlier line (a rejoin).
    pub merged: usize,
    /// Lines that are not attendance (a registrant who did not attend, a blank row).
    pub skipped: usize,
    /// Lines that could not be used.
    pub rejected: usize,
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
            job.result = Some(result.to_string());
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
            .and_then(|text| serde_json::from_str::<Value>(text).ok())
            .map_or(Value::Null, |result| result["summary"].clone());
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
) -> ServiceResult<Value> {
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
    let awards: Vec<Value> = if job.dry_run {
        plans
            .iter()
            .map(|plan| {
                json!({
                    "achievement_id": plan.achievement.id,
                    "name": plan.achievement.name,
                    "qualified": plan.qualified,
                    "would_award": plan.pending.len(),
                    "recipients": plan.pending.iter().map(|r| &r.email).collect::<Vec<_>>(),
                    "not_qualified": not_qualified(plan, &in_report),
                })
            })
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
            let near = not_qualified(&plan, &in_report);
            let mut total = Minted {
                achievement_id: plan.achievement.id,
                name: plan.achievement.name.clone(),
                qualified: plan.qualified,
                created: 0,
                existing: 0,
                failed: 0,
            };
            for chunk in plan.pending.chunks(rules::MINT_CHUNK) {
                let part = Plan {
                    achievement: plan.achievement.clone(),
                    qualified: 0,
                    pending: chunk.to_vec(),
                    sessions: Vec::new(),
                    qualified_emails: Vec::new(),
                    short: Vec::new(),
                };
                for outcome in rules::mint(service, vec![part]).await? {
                    total.created += outcome.created;
                    total.existing += outcome.existing;
                    total.failed += outcome.failed;
                }
                done += chunk.len();
                progress(Progress::Awarding {
                    done,
                    total: pending,
                });
                job.updated_at = service.clock.now();
                save_progress(service, job).await;
            }
            let mut value = serde_json::to_value(&total).unwrap_or(Value::Null);
            if let Some(object) = value.as_object_mut() {
                object.insert("not_qualified".into(), near);
            }
            minted.push(value);
        }
        minted
    };
    job.processed_rows = job.total_rows;
    Ok(outcome(parsed, &recorded, job.dry_run, awards))
}

/// Stores the job's progress; a failure here only delays what a poll shows, so it is logged.
async fn save_progress(service: &Service, job: &ImportJob) {
    if let Err(error) = service.store.update_import(job).await {
        tracing::warn!(job = %job.id, %error, "could not store an import's progress");
    }
}

/// Those in the report who attended a session `plan`'s rules look at and do not qualify,
/// with by how much: `[{"email", "short"}]` ("attended 38 of 45 minutes", "2 of 3 sessions").
fn not_qualified(plan: &Plan, in_report: &HashSet<&str>) -> Value {
    plan.short
        .iter()
        .filter(|near| in_report.contains(near.email.as_str()))
        .map(|near| json!({ "email": near.email, "short": near.short.to_string() }))
        .collect()
}

/// The job's result: format, summary, awards and one entry per line. Every line says the
/// address it gave (for a rejected line, the text where one was expected) and its minutes
/// (`null` for an attendee list); a person's first line also says their minutes over all of
/// their lines (`person_minutes`).
fn outcome(parsed: &Parsed, recorded: &[Recorded], dry_run: bool, awards: Vec<Value>) -> Value {
    let report = &parsed.report;
    // Each attendee, and what recording them did.
    let by_email: HashMap<&str, (&Attendee, Recorded)> = report
        .attendees
        .iter()
        .zip(recorded)
        .map(|(attendee, what)| (attendee.email.as_str(), (attendee, *what)))
        .collect();
    let mut summary = Summary {
        lines: report.lines.len(),
        attendees: report.attendees.len(),
        ..Summary::default()
    };
    let lines: Vec<Value> = report
        .lines
        .iter()
        .map(|line| {
            let email = line.email.as_deref();
            let mut entry = json!({ "line": line.line, "email": email, "minutes": line.minutes });
            let extra = match &line.outcome {
                LineOutcome::Recorded => {
                    let found = email.and_then(|email| by_email.get(email));
                    let outcome = match found.map_or(Recorded::New, |(_, what)| *what) {
                        Recorded::New => {
                            summary.recorded += 1;
                            "recorded"
                        }
                        Recorded::Updated => {
                            summary.updated += 1;
                            "updated"
                        }
                        Recorded::Unchanged => {
                            summary.duplicate += 1;
                            "duplicate"
                        }
                    };
                    json!({
                        "outcome": outcome,
                        "person_minutes": found.map(|(attendee, _)| attendee.minutes),
                    })
                }
                LineOutcome::Merged { into_line } => {
                    summary.merged += 1;
                    json!({ "outcome": "merged", "into_line": into_line })
                }
                LineOutcome::Skipped { reason } => {
                    summary.skipped += 1;
                    json!({ "outcome": "skipped", "reason": reason })
                }
                LineOutcome::Rejected { reason } => {
                    summary.rejected += 1;
                    json!({ "outcome": "rejected", "reason": reason })
                }
            };
            if let (Some(entry), Value::Object(extra)) = (entry.as_object_mut(), extra) {
                entry.extend(extra);
            }
            entry
        })
        .collect();
    json!({
        "dry_run": dry_run,
        "format": report.format,
        "encoding": report.encoding,
        "header_line": report.header_line,
        "utc_offset": parsed.utc_offset.to_string(),
        "summary": summary,
        "awards": awards,
        "lines": lines,
    })
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

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeDelta, TimeZone};

    use super::*;

    fn naive(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 10)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .expect("valid")
    }

    #[test]
    fn offsets_are_guessed_from_the_earliest_join() {
        let start = Utc
            .with_ymd_and_hms(2026, 3, 10, 14, 0, 0)
            .single()
            .expect("valid");
        // Joined at 08:55 local for a 14:00 UTC start: UTC-5.
        assert_eq!(
            guess_offset(start, Some(naive(8, 55))).local_minus_utc(),
            -5 * 3600
        );
        assert_eq!(guess_offset(start, Some(naive(14, 3))).local_minus_utc(), 0);
        // India, +05:30.
        assert_eq!(
            guess_offset(start, Some(naive(19, 28))).local_minus_utc(),
            5 * 3600 + 1800
        );
        assert_eq!(guess_offset(start, None).local_minus_utc(), 0);
        assert_eq!(
            guess_offset(start, Some(naive(0, 0) - TimeDelta::days(3))).local_minus_utc(),
            0
        );
    }
}
