//! Attendance report imports: `POST /events/{id}/attendance/import` starts one, `/imports`
//! reports on them.
//!
//! The body is the report file itself (CSV, any `Content-Type`). It is parsed before the
//! answer, so a file that cannot be read at all is a 422 at once; then the answer is `202
//! Accepted` with the job, and recording and minting go on in the background while the
//! client polls `GET /imports/{id}` (on any instance: the job lives in the database). A
//! finished job has a summary, what was awarded, and one result per line of the file.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use laurel_store::ImportJob;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::events::load_event;
use super::extract::{Json, PathId, Query, RawBody};
use crate::auth::Bearer;
use crate::{AppState, HttpResult};
use laurel_service::activity::import::{self, ImportOptions, ImportResult};
use laurel_service::activity::local_time;
use laurel_service::fields;

/// The page size of `GET /imports`.
pub const LIST_LIMIT: u32 = 100;

/// `POST /events/{id}/attendance/import[?dry_run=true&...]`: 202 with the job.
#[utoipa::path(
    post,
    path = "/events/{id}/attendance/import",
    operation_id = "imports_create",
    tag = "imports",
    summary = "Import an attendance report (Zoom, GoToWebinar, or email,name,minutes CSV)",
    description = "The body is the report file itself. Its format is detected from the header row (Zoom or GoToWebinar attendee reports, or Laurel's plain email,name,minutes), unless columns are mapped with the *_column parameters (email_column, and minutes_column or both join_column and leave_column). The file is parsed before the answer: one that cannot be read at all is a 422 at once. Then the answer is 202 with the job, and recording and minting go on in the background; poll GET /imports/{id} for progress and, once finished, the result with one entry per line. A malformed line is rejected alone. Importing the same file again is harmless: recording merges and minting is exactly once per recipient. Report times carry no time zone: they are read in utc_offset, or else in the issuer's time_zone (its offset at the event's start), or, for an issuer in UTC, in the offset that puts the earliest join nearest the event's start (to 30 minutes).",
    params(
        crate::api::openapi::IdParam,
        ImportOptions,
    ),
    request_body(content((inline(crate::api::openapi::bodies::CsvBody) = "text/csv")), description = "The report as exported, at most the server's body limit (4 MiB by default). Any Content-Type is accepted. UTF-8 (with or without a byte order mark) or else Windows-1252."),
    responses(
        (status = 202, description = "Accepted: the job, queued; Location names it. Poll GET /imports/{id}", body = ImportJobView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 404, response = crate::api::openapi::E404),
        (status = 413, response = crate::api::openapi::E413),
        (status = 429, description = "The issuer already has 3 imports waiting or running; Retry-After says when to try again. Nothing is stored", body = ref("#/components/schemas/Problem"), content_type = "application/problem+json"),
        (status = 422, description = "The report cannot be read at all (empty, not a CSV text file, no recognizable header row, broken CSV); detail says why", body = ref("#/components/schemas/Problem"), content_type = "application/problem+json"),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["issue"])),
)]
pub async fn create(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    Query(query): Query<ImportOptions>,
    RawBody(body): RawBody,
) -> HttpResult<Response> {
    bearer.require("issue")?;
    let event = load_event(&state, &bearer, &id).await?;
    let mapping = query.mapping()?;
    let offset = match query.offset()? {
        Some(offset) => Some(offset),
        None => local_time::report_offset(&state, &event).await,
    };
    let file_name = fields::optional("file_name", query.file_name.as_deref(), fields::MAX_NAME)?;
    let now = state.clock.now();
    let parsed = import::parse(event, &body, mapping.as_ref(), offset, now)?;
    let job = import::new_job(&parsed, query.dry_run.unwrap_or(false), file_name, now);
    import::enqueue(&state, &job, &parsed).await?;
    let view = view(&job, false);
    let location = format!("/api/v1/imports/{}", job.id);
    let task_state = state.clone();
    state.jobs.spawn(async move {
        if let Err(error) = import::run(&task_state, job, parsed, |_| {}).await {
            tracing::error!(%error, "an attendance import could not record its outcome");
        }
    });
    Ok(super::located(StatusCode::ACCEPTED, &location, view))
}

/// `GET /imports` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this event's
    #[serde(default)]
    #[param(value_type = Option<Uuid>)]
    event: Option<String>,
}

/// `GET /imports[?event=]`: the newest jobs first, without their per-line results.
#[utoipa::path(
    get,
    path = "/imports",
    operation_id = "imports_list",
    tag = "imports",
    summary = "List attendance imports",
    params(ListQuery),
    responses(
        (status = 200, description = "The newest 100 jobs, newest first, without their results", body = ImportList, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn list(
    State(state): State<AppState>,
    bearer: Bearer,
    Query(query): Query<ListQuery>,
) -> HttpResult<Json<ImportList>> {
    bearer.require("read")?;
    let event = fields::id_param("event", query.event.as_deref())?;
    let now = state.clock.now();
    let jobs = match (bearer.issuer_ids(), event) {
        (None, _) => state.store.list_imports(event, LIST_LIMIT).await?,
        // A limited token: the newest of its issuers' jobs, chosen by the store.
        (Some(mine), None) => state.store.list_imports_of(mine, LIST_LIMIT).await?,
        // One event: none unless the event is one of its issuers' (as for a missing event).
        (Some(_), Some(event_id)) => match state.store.event(event_id).await {
            Ok(found) if bearer.may_see(found.issuer_id) => {
                state.store.list_imports(Some(event_id), LIST_LIMIT).await?
            }
            Ok(_) | Err(laurel_store::StoreError::NotFound) => Vec::new(),
            Err(error) => return Err(error.into()),
        },
    };
    Ok(Json(ImportList {
        imports: jobs
            .into_iter()
            .map(|job| view(&import::as_seen(job, now), false))
            .collect(),
    }))
}

/// `GET /imports/{id}`: the job, with its result once finished.
#[utoipa::path(
    get,
    path = "/imports/{id}",
    operation_id = "imports_get",
    tag = "imports",
    summary = "Get an attendance import and its result",
    description = "A job that has not moved for 10 minutes (its instance stopped) is reported as failed, interrupted; import the file again, it is harmless.",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 200, description = "The job, with its result once finished", body = ImportJobView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn get(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<Value>> {
    bearer.require("read")?;
    let id = id.uuid("import")?;
    let job = state
        .store
        .import(id)
        .await
        .map_err(|error| crate::error::not_found_in(error, "import", id))?;
    bearer
        .within_event(&state, job.event_id, "import", id)
        .await?;
    let mut view = super::to_json(&view(&import::as_seen(job, state.clock.now()), true))?;
    // The per-line result names recipients; the achievement names in it are not personal.
    // A rejected line's reason may quote the cell it could not read (an address, say).
    bearer.redact(&mut view, &["email", "recipients", "reason"]);
    Ok(Json(view))
}

/// The API's view of a job; `with_result` adds the finished job's result.
pub fn view(job: &ImportJob, with_result: bool) -> ImportJobView {
    ImportJobView {
        id: job.id,
        event_id: job.event_id,
        status: job.status.as_str(),
        dry_run: job.dry_run,
        file_name: job.file_name.clone(),
        total_rows: job.total_rows,
        processed_rows: job.processed_rows,
        error: job.error.clone(),
        created_at: job.created_at,
        updated_at: job.updated_at,
        finished_at: job.finished_at,
        url: format!("/api/v1/imports/{}", job.id),
        // Null until the job has succeeded; a result that does not read (none should) is
        // logged and shown as none rather than failing the poll.
        result: with_result.then(|| {
            job.result.as_deref().and_then(|text| {
                serde_json::from_str::<ImportResult>(text)
                    .inspect_err(|error| {
                        tracing::error!(job = %job.id, %error, "an import's stored result does not read");
                    })
                    .ok()
            })
        }),
    }
}

/// An attendance import job as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ImportJob)]
pub struct ImportJobView {
    id: Uuid,
    event_id: Uuid,
    /// succeeded: done, though lines may have been rejected (see result); failed: stopped by an error that is no line's fault (see error)
    #[schema(schema_with = crate::api::openapi::fields::import_status)]
    status: &'static str,
    dry_run: bool,
    file_name: Option<String>,
    /// Data lines in the file
    total_rows: u32,
    /// Lines recorded so far
    processed_rows: u32,
    error: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    /// Where to poll it
    #[schema(format = "uri-reference")]
    url: String,
    /// The document the import wrote (see ImportResult): present only in GET /imports/{id}
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::api::openapi::fields::import_result)]
    result: Option<Option<ImportResult>>,
}

/// `GET /imports`: the newest jobs, newest first, without their results.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportList {
    imports: Vec<ImportJobView>,
}
