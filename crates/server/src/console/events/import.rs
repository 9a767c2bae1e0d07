//! A session's page: its imports and the import form, with the review of a dry run; the
//! import's progress page; and its per-line result as CSV.

mod review;

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use laurel_store::{Event, ImportStatus};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::console::layout::{self, FieldError, FieldErrors, Layout, date};
use crate::console::session::Staff;
use crate::console::{audit_log, csrf_rejected};
use crate::{AppState, HttpError};
use laurel_service::ServiceError;
use laurel_service::activity::import;
use laurel_service::activity::import::ImportOptions;
use laurel_service::activity::local_time;
use review::{LineRow, NearMiss, Review, is_list, line_rows, near_misses, why};

/// The import form's fields (the review step sends them all again, hidden).
#[derive(Debug, Default, Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    /// `list` for an attendee list (addresses, no minutes); else an attendance report.
    #[serde(default)]
    kind: String,
    #[serde(default)]
    report: String,
    #[serde(default)]
    file_name: String,
    #[serde(default)]
    email_column: String,
    #[serde(default)]
    name_column: String,
    #[serde(default)]
    minutes_column: String,
    #[serde(default)]
    utc_offset: String,
}

impl ImportForm {
    /// Whether the form holds an attendee list rather than an attendance report.
    fn is_list(&self) -> bool {
        self.kind == "list"
    }

    fn query(&self, dry_run: bool) -> ImportOptions {
        let some = |text: &str| Some(text.trim().to_string()).filter(|t| !t.is_empty());
        ImportOptions {
            dry_run: Some(dry_run),
            file_name: some(&self.file_name),
            utc_offset: some(&self.utc_offset),
            email_column: some(&self.email_column),
            name_column: some(&self.name_column),
            minutes_column: some(&self.minutes_column),
            ..ImportOptions::default()
        }
    }
}

/// `GET /console/events/{id}`: the session, its imports, and the import form.
pub async fn show(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> Response {
    match load_event(&state, &id).await {
        Ok(event) if !staff.may_see(event.issuer_id) => layout::not_allowed(
            &staff,
            "Your account may not change this issuer's sessions.",
        ),
        Ok(event) => render_event(&state, &staff, &event, &ImportForm::default(), None, None).await,
        Err(error) => layout::error(&error),
    }
}

async fn load_event(state: &AppState, id: &str) -> Result<Event, HttpError> {
    let id = Uuid::parse_str(id).map_err(|_| HttpError::NotFound("no such session".into()))?;
    state
        .store
        .event(id)
        .await
        .map_err(|e| crate::error::not_found_in(e, "event", id))
}

/// `console/event.html`.
#[derive(Template)]
#[template(path = "console/event.html")]
struct EventPage<'a> {
    layout: Layout,
    starts: String,
    minutes: u32,
    format: &'static str,
    attendees: usize,
    /// Which zone an import reads report times in when none is typed, in words.
    report_zone: String,
    imports: Vec<ImportRow>,
    /// The import form, for those who may change the session's issuer.
    import_form: Option<ImportFormView<'a>>,
}

/// One import of the session.
struct ImportRow {
    id: Uuid,
    name: String,
    status: &'static str,
    review: bool,
    created: String,
}

/// The import form with what was typed, its mistake, and the review of a dry run.
struct ImportFormView<'a> {
    event_id: Uuid,
    form: &'a ImportForm,
    errors: FieldErrors,
    /// Whether the column fields are shown opened.
    columns_open: bool,
    /// Whether the form used (and reviewed) is the attendee list's.
    is_list: bool,
    /// Whether the attendee list's part is shown opened: an in-person session, or a list used.
    list_open: bool,
    review: Option<Review>,
}

async fn render_event(
    state: &AppState,
    staff: &Staff,
    event: &Event,
    form: &ImportForm,
    error: Option<&FieldError>,
    review: Option<&Value>,
) -> Response {
    let (attendance, imports) = match (
        state.store.attendance_of(&[event.id]).await,
        state.store.list_imports(Some(event.id), 20).await,
    ) {
        (Ok(a), Ok(i)) => (a, i),
        (Err(e), _) | (_, Err(e)) => return layout::error(&e.into()),
    };
    let now = state.clock.now();
    let imports = imports
        .into_iter()
        .map(|job| import::as_seen(job, now))
        .map(|job| ImportRow {
            id: job.id,
            name: job
                .file_name
                .clone()
                .unwrap_or_else(|| "attendance report".into()),
            status: job.status.as_str(),
            review: job.dry_run,
            created: date(job.created_at),
        })
        .collect();
    let import_form = staff
        .may_change_issuer(event.issuer_id)
        .then(|| ImportFormView {
            event_id: event.id,
            form,
            errors: FieldErrors::new(error),
            columns_open: !(form.email_column.is_empty()
                && error.is_none_or(|(f, _)| *f == "report" || *f == "list")),
            is_list: form.is_list(),
            list_open: form.is_list() || event.format == laurel_store::EventFormat::InPerson,
            review: review.map(Review::of),
        });
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let zone = local_time::issuer_zone(state, event.issuer_id)
        .await
        .unwrap_or_else(|_| local_time::Zone::utc());
    layout::respond(
        status,
        &EventPage {
            layout: Layout::new(event.title.clone(), Some(staff)),
            starts: format!("{} ({})", zone.show(event.starts_at), zone.name()),
            report_zone: if zone.is_utc() {
                "guessed".into()
            } else {
                format!("the issuer's, {}", zone.name())
            },
            minutes: event.duration_minutes,
            format: super::format_words(event.format),
            attendees: attendance.len(),
            imports,
            import_form,
        },
    )
}

/// `POST /console/events/{id}/import`: review (a dry run, shown at once) or confirm (the
/// import, then its progress page).
pub async fn import(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<ImportForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let event = match load_event(&state, &id).await {
        Ok(event) => event,
        Err(error) => return layout::error(&error),
    };
    if !staff.may_change_issuer(event.issuer_id) {
        return layout::not_allowed(
            &staff,
            "Your account may not change this issuer's sessions.",
        );
    }
    if form.is_list() {
        return import_list(&state, &staff, &event, &form).await;
    }
    if form.report.trim().is_empty() {
        let error = ("report", "Choose the report file, or paste it.".to_string());
        return render_event(&state, &staff, &event, &form, Some(&error), None).await;
    }
    let confirm = form.action == "confirm";
    let query = form.query(!confirm);
    let mapping = match query.mapping() {
        Ok(mapping) => mapping,
        Err(error) => {
            let error = ("email_column", error.to_string());
            return render_event(&state, &staff, &event, &form, Some(&error), None).await;
        }
    };
    let offset = match query.offset() {
        Ok(None) => local_time::report_offset(&state, &event).await,
        Ok(offset) => offset,
        Err(error) => {
            let error = ("utc_offset", error.to_string());
            return render_event(&state, &staff, &event, &form, Some(&error), None).await;
        }
    };
    let now = state.clock.now();
    let parsed = match import::parse(
        event.clone(),
        form.report.as_bytes(),
        mapping.as_ref(),
        offset,
        now,
    ) {
        Ok(parsed) => parsed,
        Err(error) => {
            let error = ("report", error.to_string());
            return render_event(&state, &staff, &event, &form, Some(&error), None).await;
        }
    };
    let job = import::new_job(&parsed, !confirm, query.file_name.clone(), now);
    start(&state, &staff, &event, &form, job, parsed, "report").await
}

/// An attendee list (addresses, no minutes): reviewed and confirmed as a report is, through
/// the same import job, so recording and awarding are the same, exactly once.
async fn import_list(
    state: &AppState,
    staff: &Staff,
    event: &Event,
    form: &ImportForm,
) -> Response {
    if form.report.trim().is_empty() {
        let error = (
            "list",
            "Paste the list (one email address per line, the addresses copied from an email, \
             or the sign-in sheet's cells), or choose its file."
                .to_string(),
        );
        return render_event(state, staff, event, form, Some(&error), None).await;
    }
    let now = state.clock.now();
    let parsed = match import::parse_list(event.clone(), form.report.as_bytes(), now) {
        Ok(parsed) => parsed,
        Err(error) => {
            let error = ("list", error.to_string());
            return render_event(state, staff, event, form, Some(&error), None).await;
        }
    };
    let confirm = form.action == "confirm";
    let file_name = Some(form.file_name.trim().to_string())
        .filter(|name| !name.is_empty())
        .or_else(|| Some("attendee list".to_string()));
    let job = import::new_job(&parsed, !confirm, file_name, now);
    start(state, staff, event, form, job, parsed, "list").await
}

/// Stores the job; a review is run at once and shown, a confirmed import runs in the
/// background and its progress page is shown. `field` is where a refusal is shown.
async fn start(
    state: &AppState,
    staff: &Staff,
    event: &Event,
    form: &ImportForm,
    job: laurel_store::ImportJob,
    parsed: import::Parsed,
    field: &'static str,
) -> Response {
    let confirm = !job.dry_run;
    match import::enqueue(state, &job, &parsed).await {
        Ok(()) => {}
        Err(error @ ServiceError::Busy(_)) => {
            let error = (field, error.to_string());
            return render_event(state, staff, event, form, Some(&error), None).await;
        }
        Err(error) => return layout::error(&HttpError::from(error)),
    }
    if !confirm {
        // A review changes nothing, and is quick: it is shown at once.
        let job = match import::run(state, job, parsed, |_| {}).await {
            Ok(job) => job,
            Err(error) => return layout::error(&HttpError::from(error)),
        };
        let result: Value = job
            .result
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or(Value::Null);
        return render_event(state, staff, event, form, None, Some(&result)).await;
    }
    audit_log(
        state,
        Some(&staff.user),
        &staff.user.username,
        "import.start",
        Some(job.id.to_string()),
        json!({ "event": event.title, "lines": job.total_rows, "kind": field }),
    )
    .await;
    let location = format!("/console/imports/{}", job.id);
    let task_state = state.clone();
    state.jobs.spawn(async move {
        if let Err(error) = import::run(&task_state, job, parsed, |_| {}).await {
            tracing::error!(%error, "an attendance import could not record its outcome");
        }
    });
    Redirect::to(&location).into_response()
}

/// `GET /console/imports/{id}`: progress, refreshing itself while the import runs; then the
/// outcome.
pub async fn job(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> Response {
    let job = match load_job(&state, &staff, &id).await {
        Ok(job) => job,
        Err(error) => return layout::error(&error),
    };
    let running = matches!(job.status, ImportStatus::Queued | ImportStatus::Running);
    let result: Value = job
        .result
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or(Value::Null);
    let page = ImportPage {
        layout: Layout::new("Import", Some(&staff)),
        running: running.then_some(Progress {
            status: job.status.as_str(),
            done: job.processed_rows,
            total: job.total_rows,
        }),
        failed: (!running && job.status == ImportStatus::Failed).then(|| {
            job.error
                .clone()
                .unwrap_or_else(|| "unknown error".to_string())
        }),
        done: (!running && job.status != ImportStatus::Failed)
            .then(|| Outcome::of(job.id, &result)),
    };
    let mut response = layout::respond(StatusCode::OK, &page);
    if running {
        response
            .headers_mut()
            .insert("refresh", HeaderValue::from_static("2"));
    }
    response
}

/// `console/import.html`: an import running, failed, or done.
#[derive(Template)]
#[template(path = "console/import.html")]
struct ImportPage {
    layout: Layout,
    running: Option<Progress>,
    /// Why the import stopped.
    failed: Option<String>,
    done: Option<Outcome>,
}

struct Progress {
    status: &'static str,
    done: u32,
    total: u32,
}

/// What a finished import did.
struct Outcome {
    id: Uuid,
    lines: u64,
    rejected: u64,
    /// Per badge: its name, awarded now, already had it, and who attended without qualifying.
    minted: Vec<MintedRow>,
    /// When the per-line result (with every attendee's address) was deleted, if it was (see
    /// [`laurel_service::activity::bounds`]); else it can be downloaded.
    lines_deleted_on: Option<String>,
    rows: Vec<LineRow>,
    /// An attendee list: nobody has minutes.
    is_list: bool,
}

/// What a finished import did for one badge.
struct MintedRow {
    name: String,
    created: u64,
    existing: u64,
    not_qualified: Vec<NearMiss>,
}

impl Outcome {
    fn of(id: Uuid, result: &Value) -> Self {
        let minted = result["awards"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| MintedRow {
                name: a["name"].as_str().unwrap_or("").to_string(),
                created: a["created"].as_u64().unwrap_or(0),
                existing: a["existing"].as_u64().unwrap_or(0),
                not_qualified: near_misses(a),
            })
            .collect();
        let lines_deleted_on =
            laurel_service::activity::bounds::lines_expired_at(result).map(|at| {
                chrono::DateTime::parse_from_rfc3339(at)
                    .map(|at| date(at.with_timezone(&chrono::Utc)))
                    .unwrap_or_else(|_| at.to_string())
            });
        Outcome {
            id,
            lines: result["summary"]["lines"].as_u64().unwrap_or(0),
            rejected: result["summary"]["rejected"].as_u64().unwrap_or(0),
            minted,
            lines_deleted_on,
            rows: line_rows(result),
            is_list: is_list(result),
        }
    }
}

/// An import job, if `staff` may see its session's issuer: another issuer's import is "not
/// found", as if it did not exist.
async fn load_job(
    state: &AppState,
    staff: &Staff,
    id: &str,
) -> Result<laurel_store::ImportJob, HttpError> {
    let hidden = || HttpError::NotFound("no such import".into());
    let id = Uuid::parse_str(id).map_err(|_| hidden())?;
    let job = state
        .store
        .import(id)
        .await
        .map_err(|e| crate::error::not_found_in(e, "import", id))?;
    let event = state
        .store
        .event(job.event_id)
        .await
        .map_err(|e| crate::error::not_found_in(e, "event", job.event_id))?;
    if !staff.may_see(event.issuer_id) {
        return Err(hidden());
    }
    Ok(import::as_seen(job, state.clock.now()))
}

/// `GET /console/imports/{id}/result.csv`: one row per line of the report.
pub async fn result_csv(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Response {
    let job = match load_job(&state, &staff, &id).await {
        Ok(job) => job,
        Err(error) => return layout::error(&error),
    };
    let result: Value = job
        .result
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or(Value::Null);
    let mut out = String::from("line,outcome,email,minutes,reason\r\n");
    for (l, row) in result["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .zip(line_rows(&result))
    {
        let why = why(l);
        let fields = [
            row.line.to_string(),
            row.outcome,
            row.email,
            row.minutes,
            why.unwrap_or_default(),
        ];
        let line: Vec<String> = fields
            .iter()
            .map(|f| crate::console::awards::csv_field(f))
            .collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    layout::csv(out, "import-result.csv")
}
