//! `/events/{id}/attendance`: who attended a session, recorded one by one or in a batch.
//!
//! Several records of one person in one request are summed (a rejoin), as rows of an imported
//! report are; recording a person again later keeps the largest minutes. Recording evaluates
//! the award rules that name the event or its series and mints at once.

use std::collections::HashMap;

use axum::extract::State;
use chrono::{DateTime, Utc};
use laurel_store::{Attendance, Event, Recorded};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::events::{evaluate, load_event};
use super::extract::{Json, PathId, json_error};
use super::rules::RuleOutcome;
use crate::auth::Bearer;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::activity::rules::Scope;
use laurel_service::activity::sessions::{MAX_DURATION_MINUTES, instant};
use laurel_service::fields::{self, MAX_NAME};
use laurel_service::mint::recipient_email;

/// The most attendance records one request may hold (larger lists: import a report).
pub const MAX_RECORDS: usize = 10_000;

/// `POST /events/{id}/attendance` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AttendanceBatch)]
pub struct RecordAttendance {
    /// Each a record; checked one by one so a bad one fails alone.
    #[schema(schema_with = crate::api::openapi::fields::record_attendance_attendance)]
    attendance: Vec<Value>,
}

/// One attendance record as a client gives it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceInput {
    /// Normalized (trimmed, lowercased)
    #[schema(format = Email)]
    email: String,
    /// Kept for staff, never published
    #[serde(default)]
    name: Option<String>,
    /// Time in session
    #[schema(minimum = 0, maximum = 10080)]
    minutes: u32,
    /// First join: an RFC 3339 date-time with its offset
    #[serde(default)]
    #[schema(format = DateTime)]
    joined_at: Option<String>,
    /// Last leave: an RFC 3339 date-time with its offset, not before joined_at
    #[serde(default)]
    #[schema(format = DateTime)]
    left_at: Option<String>,
    /// The person's role in the session: participant, mentor, instructor, presenter (any case) or the issuer's own words (at most 60 characters, no control characters). Award rules may count or credit it, and awards by rule sign it in. Recording again with a role replaces it; without one keeps it
    #[serde(default)]
    #[schema(max_length = 60, example = "Presenter")]
    role: Option<String>,
}

/// `GET /events/{id}/attendance`: everyone recorded, by email.
#[utoipa::path(
    get,
    path = "/events/{id}/attendance",
    operation_id = "events_list_attendance",
    tag = "events",
    summary = "List an event's attendance",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 200, description = "Everyone recorded for the event, by email", body = AttendanceList, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn list_attendance(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<Value>> {
    bearer.require("read")?;
    let event = load_event(&state, &bearer, &id).await?;
    let records = state.store.attendance_of(&[event.id]).await?;
    let mut body = super::to_json(&AttendanceList {
        event_id: event.id,
        attendance: records.iter().map(attendance_view).collect(),
    })?;
    bearer.redact(&mut body["attendance"], crate::auth::RECORD_PERSONAL);
    Ok(Json(body))
}

/// `POST /events/{id}/attendance`: records attendance (a bad record fails alone, the others
/// are recorded) and awards by rule at once.
#[utoipa::path(
    post,
    path = "/events/{id}/attendance",
    operation_id = "events_record_attendance",
    tag = "events",
    summary = "Record attendance and award by rule",
    description = "Records up to 10000 attendees (larger lists: import the report). Recording is an idempotent merge per email: the most minutes, the earliest join and the latest leave are kept, so sending a record again changes nothing (duplicate) or adds to it (updated). A record with a bad value (email, minutes, times) is rejected alone and the others are recorded; an unknown field in any record, an empty list, or more than 10000 records is a 400 for the whole request. Then the award rules naming the event or its series are evaluated and minted at once (awards), exactly once per recipient.",
    params(
        crate::api::openapi::IdParam,
    ),
    request_body(content = RecordAttendance, content_type = "application/json"),
    responses(
        (status = 200, description = "Per-record results in input order, and what was awarded", body = AttendanceResults, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 404, response = crate::api::openapi::E404),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["issue"])),
)]
pub async fn record_attendance(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    Json(input): Json<RecordAttendance>,
) -> HttpResult<Json<AttendanceResults>> {
    bearer.require("issue")?;
    let event = load_event(&state, &bearer, &id).await?;
    if input.attendance.is_empty() {
        return Err(HttpError::BadRequest(
            "attendance is empty: give at least one record".into(),
        ));
    }
    if input.attendance.len() > MAX_RECORDS {
        return Err(HttpError::BadRequest(format!(
            "at most {MAX_RECORDS} records per request, got {}: import a report instead (POST /api/v1/events/{}/attendance/import)",
            input.attendance.len(),
            event.id
        )));
    }
    let now = state.clock.now();
    let mut results: Vec<RecordResult> = Vec::with_capacity(input.attendance.len());
    let mut valid: Vec<Attendance> = Vec::new();
    let mut valid_index = Vec::new();
    // A person's records within one request are one attendance, summed (they left and
    // rejoined), as in an imported report; across requests the largest is kept.
    let mut first: HashMap<String, usize> = HashMap::new();
    let (mut merged, mut rejected) = (0, 0);
    for (index, record) in input.attendance.into_iter().enumerate() {
        let checked = serde_json::from_value::<AttendanceInput>(record)
            .map_err(|error| json_error(&error))
            .and_then(|record| attendance(&event, record, now));
        match checked {
            Ok(record) => match first.get(&record.recipient_email) {
                Some(&at) => {
                    add_session(&mut valid[at], &record);
                    merged += 1;
                    results.push(RecordResult {
                        into_index: Some(valid_index[at]),
                        ..RecordResult::new(index, "merged")
                    });
                }
                None => {
                    first.insert(record.recipient_email.clone(), valid.len());
                    valid_index.push(index);
                    valid.push(record);
                    // Replaced below by what storing it did.
                    results.push(RecordResult::new(index, "recorded"));
                }
            },
            Err(error) => {
                rejected += 1;
                results.push(RecordResult {
                    error: Some(error.to_string()),
                    ..RecordResult::new(index, "rejected")
                });
            }
        }
    }
    let recorded = if valid.is_empty() {
        Vec::new()
    } else {
        state.store.record_attendance(&valid).await?
    };
    let mut counts = (0, 0, 0);
    for ((index, record), what) in valid_index.into_iter().zip(&valid).zip(recorded) {
        let status = match what {
            Recorded::New => {
                counts.0 += 1;
                "recorded"
            }
            Recorded::Updated => {
                counts.1 += 1;
                "updated"
            }
            Recorded::Unchanged => {
                counts.2 += 1;
                "duplicate"
            }
        };
        results[index] = RecordResult {
            email: Some(record.recipient_email.clone()),
            ..RecordResult::new(index, status)
        };
    }
    let awards = evaluate(&state, vec![Scope::Event(event)]).await?;
    Ok(Json(AttendanceResults {
        recorded: counts.0,
        updated: counts.1,
        duplicate: counts.2,
        merged,
        rejected,
        results,
        awards,
    }))
}

/// Adds another session of one person to their first record in the same request.
fn add_session(record: &mut Attendance, more: &Attendance) {
    record.minutes = record.minutes.saturating_add(more.minutes);
    record.first_join = match (record.first_join, more.first_join) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    record.last_leave = match (record.last_leave, more.last_leave) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    if record.recipient_name.is_none() {
        record.recipient_name.clone_from(&more.recipient_name);
    }
    if more.role.is_some() {
        record.role.clone_from(&more.role);
    }
}

fn attendance(event: &Event, input: AttendanceInput, now: DateTime<Utc>) -> HttpResult<Attendance> {
    let email = recipient_email(&input.email).map_err(HttpError::BadRequest)?;
    let first_join = input
        .joined_at
        .as_deref()
        .map(|text| instant("joined_at", text))
        .transpose()?;
    let last_leave = input
        .left_at
        .as_deref()
        .map(|text| instant("left_at", text))
        .transpose()?;
    if let (Some(join), Some(leave)) = (first_join, last_leave)
        && leave < join
    {
        return Err(HttpError::BadRequest("left_at is before joined_at".into()));
    }
    if input.minutes > MAX_DURATION_MINUTES {
        return Err(HttpError::BadRequest(format!(
            "minutes must be at most {MAX_DURATION_MINUTES}, got {}",
            input.minutes
        )));
    }
    Ok(Attendance {
        event_id: event.id,
        recipient_email: email,
        recipient_name: fields::optional("name", input.name.as_deref(), MAX_NAME)?,
        minutes: input.minutes,
        first_join,
        last_leave,
        source: "api".into(),
        recorded_at: now,
        role: laurel_service::mint::role(input.role.as_deref()).map_err(HttpError::BadRequest)?,
    })
}

/// An RFC 3339 date-time with its offset.
fn attendance_view(record: &Attendance) -> AttendanceRecord {
    AttendanceRecord {
        email: Some(record.recipient_email.clone()),
        name: record.recipient_name.clone(),
        minutes: record.minutes,
        joined_at: record.first_join,
        left_at: record.last_leave,
        source: record.source.clone(),
        recorded_at: record.recorded_at,
        role: record.role.clone(),
    }
}

/// One person's attendance of an event.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceRecord {
    /// Personal data: null for a read-only token made without --with-emails
    email: Option<String>,
    /// Personal data: null for a read-only token made without --with-emails
    name: Option<String>,
    minutes: u32,
    joined_at: Option<DateTime<Utc>>,
    left_at: Option<DateTime<Utc>>,
    /// api, or import:FORMAT (import:zoom, import:go_to_webinar, import:plain, import:mapped)
    source: String,
    recorded_at: DateTime<Utc>,
    /// The person's role in the session (Presenter), when recorded
    role: Option<String>,
}

/// `GET /events/{id}/attendance`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceList {
    event_id: Uuid,
    attendance: Vec<AttendanceRecord>,
}

/// `POST /events/{id}/attendance`: per-record results in input order, and what was awarded.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceResults {
    recorded: usize,
    updated: usize,
    duplicate: usize,
    /// Records merged into an earlier one of the same person in this request
    merged: usize,
    rejected: usize,
    results: Vec<RecordResult>,
    awards: Vec<RuleOutcome>,
}

/// What became of one row of a batch (attendance, completions), by its index in the input.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordResult {
    pub(super) index: usize,
    /// recorded, updated, duplicate, merged or rejected
    pub(super) status: &'static str,
    /// The recipient's email (recorded, updated and duplicate rows)
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub(super) email: Option<String>,
    /// What was completed (completion rows)
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub(super) what: Option<String>,
    /// The row this one was merged into (merged rows)
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub(super) into_index: Option<usize>,
    /// Why the row was rejected
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub(super) error: Option<String>,
}

impl RecordResult {
    /// A row's result with only its index and status.
    pub fn new(index: usize, status: &'static str) -> Self {
        RecordResult {
            index,
            status,
            email: None,
            what: None,
            into_index: None,
            error: None,
        }
    }
}
