//! `/console/events` and `/console/imports`: sessions and series, and importing an attendance
//! report in three steps: the report and (when its format is not recognised) which columns
//! hold what; a dry-run review (who will be recorded, who will be awarded, which lines are
//! rejected and why) that records nothing; then the import itself, whose progress page
//! refreshes until it is done and offers the per-line result as CSV.
//!
//! The report file is read into the form by a few lines of script; without script it can be
//! pasted. Creating sessions and importing are for administrators and the issuer's managers.

use axum::extract::{Form, Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDateTime;
use laurel_store::{Event, EventFilter, ImportStatus, Issuer, Series};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::session::Staff;
use super::{audit_log, forged, pages};
use crate::pages::html::{date, esc};
use crate::{ApiError, AppState};
use laurel_service::ServiceError;
use laurel_service::activity::import;
use laurel_service::activity::import::ImportOptions;
use laurel_service::fields::{self, MAX_NAME};

use super::pages::FieldError;

/// The new-session form's fields.
#[derive(Debug, Default, Deserialize)]
pub struct EventForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    series: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    duration_minutes: String,
    #[serde(default)]
    format: String,
}

/// `GET /console/events`.
pub async fn list(State(state): State<AppState>, staff: Staff) -> Response {
    render_list(&state, &staff, &EventForm::default(), None).await
}

async fn render_list(
    state: &AppState,
    staff: &Staff,
    form: &EventForm,
    error: Option<&FieldError>,
) -> Response {
    let (events, issuers, series) = match (
        state.store.list_events(&EventFilter::default()).await,
        state.store.list_issuers().await,
        state.store.list_series(None).await,
    ) {
        (Ok(e), Ok(i), Ok(s)) => (e, i, s),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return pages::error(&e.into()),
    };
    let series_names: std::collections::HashMap<Uuid, &str> =
        series.iter().map(|s| (s.id, s.title.as_str())).collect();
    let rows: String = events
        .iter()
        .filter(|e| staff.may_see(e.issuer_id))
        .map(|e| {
            format!(
                r#"<tr><td><a href="/console/events/{id}">{title}</a></td><td>{starts}</td><td class="number">{minutes}</td><td>{series}</td></tr>
"#,
                id = e.id,
                title = esc(&e.title),
                starts = e.starts_at.format("%Y-%m-%d %H:%M UTC"),
                minutes = e.duration_minutes,
                series = esc(e.series_id.and_then(|s| series_names.get(&s).copied()).unwrap_or("")),
            )
        })
        .collect();
    let mine: Vec<&Issuer> = issuers
        .iter()
        .filter(|i| staff.may_change_issuer(i.id))
        .collect();
    let new = if mine.is_empty() {
        String::new()
    } else {
        let issuer_options: String = mine
            .iter()
            .map(|i| format!(r#"<option value="{}">{}</option>"#, i.id, esc(&i.name)))
            .collect();
        format!(
            r#"{sessions}
<h2>New series</h2>
<form method="post" action="/console/series">
<input type="hidden" name="csrf" value="{csrf}">
<p><label for="series-issuer">Issuer</label><br><select id="series-issuer" name="issuer">{issuer_options}</select></p>
<p><label for="series-title">Title (sessions that count together, e.g. a webinar series)</label><br><input id="series-title" name="title" required></p>
<p><button type="submit">Create series</button></p>
</form>"#,
            sessions = new_event_form(staff, &mine, &series, form, error),
            csrf = esc(&staff.session.csrf_token),
        )
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = format!(
        r#"<table><thead><tr><th scope="col">Session</th><th scope="col">Starts</th><th scope="col">Minutes</th><th scope="col">Series</th></tr></thead>
<tbody>
{rows}</tbody></table>
{new}"#
    );
    pages::respond(status, pages::page("Sessions", Some(staff), &body))
}

fn new_event_form(
    staff: &Staff,
    issuers: &[&Issuer],
    series: &[Series],
    form: &EventForm,
    error: Option<&FieldError>,
) -> String {
    let (title_error, title_attrs) = pages::field_error(error, "title");
    let (starts_error, starts_attrs) = pages::field_error(error, "starts_at");
    let (duration_error, duration_attrs) = pages::field_error(error, "duration_minutes");
    let (issuer_error, issuer_attrs) = pages::field_error(error, "issuer");
    let (series_error, series_attrs) = pages::field_error(error, "series");
    let issuer_options: String = issuers
        .iter()
        .map(|i| {
            let selected = if i.id.to_string() == form.issuer {
                " selected"
            } else {
                ""
            };
            format!(
                r#"<option value="{}"{selected}>{}</option>"#,
                i.id,
                esc(&i.name)
            )
        })
        .collect();
    let series_options: String = series
        .iter()
        .filter(|s| issuers.iter().any(|i| i.id == s.issuer_id))
        .map(|s| {
            let selected = if s.id.to_string() == form.series {
                " selected"
            } else {
                ""
            };
            format!(
                r#"<option value="{}"{selected}>{}</option>"#,
                s.id,
                esc(&s.title)
            )
        })
        .collect();
    let online = if form.format == "in_person" {
        ""
    } else {
        " selected"
    };
    let in_person = if form.format == "in_person" {
        " selected"
    } else {
        ""
    };
    format!(
        r#"<h2>New session</h2>
<form method="post" action="/console/events">
<input type="hidden" name="csrf" value="{csrf}">
<p><label for="issuer">Issuer</label><br><select id="issuer" name="issuer"{issuer_attrs}>{issuer_options}</select>{issuer_error}</p>
<p><label for="series">Series</label><br><select id="series" name="series"{series_attrs}><option value="">None</option>{series_options}</select>{series_error}</p>
<p><label for="title">Title</label><br><input id="title" name="title" value="{title}"{title_attrs}>{title_error}</p>
<p><label for="starts_at">Starts (UTC, 2026-03-10 14:00)</label><br><input id="starts_at" name="starts_at" value="{starts}"{starts_attrs}>{starts_error}</p>
<p><label for="duration_minutes">Length (minutes)</label><br><input id="duration_minutes" name="duration_minutes" inputmode="numeric" value="{duration}"{duration_attrs}>{duration_error}</p>
<p><label for="format">Format</label><br><select id="format" name="format"><option value="online"{online}>online</option><option value="in_person"{in_person}>in person</option></select></p>
<p><button type="submit">Create session</button></p>
</form>"#,
        csrf = esc(&staff.session.csrf_token),
        title = esc(&form.title),
        starts = esc(&form.starts_at),
        duration = esc(&form.duration_minutes),
    )
}

/// `POST /console/events`: creates a session.
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<EventForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return forged();
    }
    let result = check_event(&state, &staff, &form).await;
    let event = match result {
        Ok(event) => event,
        Err(Checked::Field(error)) => {
            return render_list(&state, &staff, &form, Some(&error)).await;
        }
        Err(Checked::Refused) => {
            return pages::not_allowed(
                &staff,
                "Your account may not change this issuer's sessions.",
            );
        }
    };
    if let Err(error) = state.store.create_event(&event).await {
        return pages::error(&error.into());
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "event.create",
        Some(event.id.to_string()),
        json!({ "title": event.title }),
    )
    .await;
    Redirect::to(&format!("/console/events/{}", event.id)).into_response()
}

enum Checked {
    Field(FieldError),
    Refused,
}

async fn check_event(state: &AppState, staff: &Staff, form: &EventForm) -> Result<Event, Checked> {
    let issuer_id = Uuid::parse_str(form.issuer.trim())
        .map_err(|_| Checked::Field(("issuer", "Choose an issuer.".into())))?;
    if !staff.may_change_issuer(issuer_id) {
        return Err(Checked::Refused);
    }
    state
        .store
        .issuer(issuer_id)
        .await
        .map_err(|_| Checked::Field(("issuer", "Choose an issuer.".into())))?;
    let series_id = match form.series.trim() {
        "" => None,
        text => Some(
            Uuid::parse_str(text)
                .map_err(|_| Checked::Field(("series", "Choose a series.".into())))?,
        ),
    };
    if let Some(series) = series_id {
        crate::api::events::check_series(state, series, issuer_id)
            .await
            .map_err(field("series"))?;
    }
    let title = fields::required("title", &form.title, MAX_NAME).map_err(field("title"))?;
    let starts_at = NaiveDateTime::parse_from_str(form.starts_at.trim(), "%Y-%m-%d %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(form.starts_at.trim(), "%Y-%m-%dT%H:%M"))
        .map(|t| t.and_utc())
        .map_err(|_| {
            Checked::Field((
                "starts_at",
                format!(
                    "“{}” is not a time such as 2026-03-10 14:00.",
                    form.starts_at.trim()
                ),
            ))
        })?;
    let minutes: u32 = form.duration_minutes.trim().parse().map_err(|_| {
        Checked::Field((
            "duration_minutes",
            "Give the length in whole minutes.".into(),
        ))
    })?;
    let duration = crate::api::events::duration(minutes).map_err(field("duration_minutes"))?;
    let format = crate::api::events::format(Some(form.format.trim()).filter(|f| !f.is_empty()))
        .map_err(field("format"))?;
    let now = state.clock.now();
    Ok(Event {
        id: Uuid::now_v7(),
        issuer_id,
        series_id,
        title,
        starts_at,
        duration_minutes: duration,
        format,
        created_at: now,
        updated_at: now,
    })
}

/// The import form's fields (the review step sends them all again, hidden).
#[derive(Debug, Default, Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
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
        Ok(event) if !staff.may_see(event.issuer_id) => pages::not_allowed(
            &staff,
            "Your account may not change this issuer's sessions.",
        ),
        Ok(event) => render_event(&state, &staff, &event, &ImportForm::default(), None, None).await,
        Err(error) => pages::error(&error),
    }
}

async fn load_event(state: &AppState, id: &str) -> Result<Event, ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::NotFound("no such session".into()))?;
    state
        .store
        .event(id)
        .await
        .map_err(|e| crate::error::not_found_in(e, "event", id))
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
        (Err(e), _) | (_, Err(e)) => return pages::error(&e.into()),
    };
    let now = state.clock.now();
    let jobs: String = imports
        .into_iter()
        .map(|job| import::as_seen(job, now))
        .map(|job| {
            format!(
                r#"<li><a href="/console/imports/{id}">{name}</a>: {status}{dry}, {date}</li>
"#,
                id = job.id,
                name = esc(job.file_name.as_deref().unwrap_or("attendance report")),
                status = job.status.as_str(),
                dry = if job.dry_run { " (review)" } else { "" },
                date = date(job.created_at),
            )
        })
        .collect();
    let import_section = if staff.may_change_issuer(event.issuer_id) {
        import_form(staff, event, form, error, review)
    } else {
        String::new()
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = format!(
        r#"<p>Starts {starts}, {minutes} minutes, {format}. {count} attendees recorded.</p>
<h2>Imports</h2>
<ul>{jobs}</ul>
{import_section}"#,
        starts = event.starts_at.format("%Y-%m-%d %H:%M UTC"),
        minutes = event.duration_minutes,
        format = event.format.as_str(),
        count = attendance.len(),
    );
    pages::respond(status, pages::page(&event.title, Some(staff), &body))
}

fn import_form(
    staff: &Staff,
    event: &Event,
    form: &ImportForm,
    error: Option<&FieldError>,
    review: Option<&Value>,
) -> String {
    let (report_error, report_attrs) = pages::field_error(error, "report");
    let (email_error, email_attrs) = pages::field_error(error, "email_column");
    let (offset_error, offset_attrs) = pages::field_error(error, "utc_offset");
    let confirm = if review.is_some() {
        r#" <button type="submit" name="action" value="confirm" id="confirm-import">Confirm: record and award</button>"#
    } else {
        ""
    };
    format!(
        r#"<h2>Import an attendance report</h2>
<form method="post" action="/console/events/{id}/import" id="import-form">
<input type="hidden" name="csrf" value="{csrf}">
<p><label for="report-file">Report file (CSV from Zoom, GoToWebinar, or email,name,minutes)</label><br>
<input id="report-file" type="file" accept=".csv,text/csv" data-fill="report" data-name="file_name"></p>
<p><label for="report">Or paste it</label><br><textarea id="report" name="report" rows="8" cols="80"{report_attrs}>{report}</textarea>{report_error}</p>
<input type="hidden" id="file_name" name="file_name" value="{file_name}">
<details{open}><summary>Columns (only when the format is not recognised)</summary>
<p><label for="email_column">Email column (header name, or #N)</label><br><input id="email_column" name="email_column" value="{email}"{email_attrs}>{email_error}</p>
<p><label for="name_column">Name column</label><br><input id="name_column" name="name_column" value="{name}"></p>
<p><label for="minutes_column">Minutes column</label><br><input id="minutes_column" name="minutes_column" value="{minutes}"></p>
<p><label for="utc_offset">Time zone of the report's times (+02:00; empty: guessed)</label><br><input id="utc_offset" name="utc_offset" value="{offset}"{offset_attrs}>{offset_error}</p>
</details>
<p><button type="submit" name="action" value="review">Review (records nothing)</button>{confirm}</p>
</form>
{review}"#,
        id = event.id,
        csrf = esc(&staff.session.csrf_token),
        report = esc(&form.report),
        file_name = esc(&form.file_name),
        open = if form.email_column.is_empty() && error.is_none_or(|(f, _)| *f == "report") {
            ""
        } else {
            " open"
        },
        email = esc(&form.email_column),
        name = esc(&form.name_column),
        minutes = esc(&form.minutes_column),
        offset = esc(&form.utc_offset),
        review = review.map(review_section).unwrap_or_default(),
    )
}

/// The review of a dry run: summary, who would be awarded, and every line.
fn review_section(result: &Value) -> String {
    let summary = &result["summary"];
    let count = |key: &str| summary[key].as_u64().unwrap_or(0);
    let awards: String = result["awards"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|a| {
                    let recipients: Vec<&str> = a["recipients"]
                        .as_array()
                        .map(|r| r.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    format!(
                        "<li><strong>{}</strong>: {} would be awarded ({})</li>\n",
                        esc(a["name"].as_str().unwrap_or("")),
                        a["would_award"].as_u64().unwrap_or(0),
                        esc(&recipients.join(", ")),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let lines = line_rows(result);
    format!(
        r#"<section aria-labelledby="review" id="import-review"><h2 id="review">Review</h2>
<p>{lines_count} lines, {attendees} people: {recorded} new, {updated} updated, {duplicate} already recorded, {merged} rejoins merged, {skipped} skipped, <strong>{rejected} rejected</strong>. Report times read at UTC{offset}.</p>
<h3>Awards</h3>
<ul>{awards}</ul>
<h3>Lines</h3>
<table><thead><tr><th scope="col">Line</th><th scope="col">What happens</th><th scope="col">Email</th><th scope="col">Why</th></tr></thead>
<tbody>
{lines}</tbody></table></section>"#,
        lines_count = count("lines"),
        attendees = count("attendees"),
        recorded = count("recorded"),
        updated = count("updated"),
        duplicate = count("duplicate"),
        merged = count("merged"),
        skipped = count("skipped"),
        rejected = count("rejected"),
        offset = esc(result["utc_offset"].as_str().unwrap_or("")),
    )
}

fn line_rows(result: &Value) -> String {
    result["lines"]
        .as_array()
        .map(|lines| {
            lines
                .iter()
                .map(|l| {
                    let why = l["reason"].as_str().map(str::to_string).or_else(|| {
                        l["into_line"].as_u64().map(|n| format!("same person as line {n}"))
                    });
                    format!(
                        "<tr class=\"{outcome}\"><td class=\"number\">{line}</td><td>{outcome}</td><td>{email}</td><td>{why}</td></tr>\n",
                        line = l["line"].as_u64().unwrap_or(0),
                        outcome = esc(l["outcome"].as_str().unwrap_or("")),
                        email = esc(l["email"].as_str().unwrap_or("")),
                        why = esc(why.as_deref().unwrap_or("")),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
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
        return forged();
    }
    let event = match load_event(&state, &id).await {
        Ok(event) => event,
        Err(error) => return pages::error(&error),
    };
    if !staff.may_change_issuer(event.issuer_id) {
        return pages::not_allowed(
            &staff,
            "Your account may not change this issuer's sessions.",
        );
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
    match import::enqueue(&state, &job, &parsed).await {
        Ok(()) => {}
        Err(error @ ServiceError::Busy(_)) => {
            let error = ("report", error.to_string());
            return render_event(&state, &staff, &event, &form, Some(&error), None).await;
        }
        Err(error) => return pages::error(&ApiError::from(error)),
    }
    if !confirm {
        // A review changes nothing, and is quick: it is shown at once.
        let job = match import::run(&state, job, parsed, |_| {}).await {
            Ok(job) => job,
            Err(error) => return pages::error(&ApiError::from(error)),
        };
        let result: Value = job
            .result
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or(Value::Null);
        return render_event(&state, &staff, &event, &form, None, Some(&result)).await;
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "import.start",
        Some(job.id.to_string()),
        json!({ "event": event.title, "lines": job.total_rows }),
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
        Err(error) => return pages::error(&error),
    };
    let running = matches!(job.status, ImportStatus::Queued | ImportStatus::Running);
    let result: Value = job
        .result
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or(Value::Null);
    let body = if running {
        format!(
            r#"<p id="import-status" role="status" data-status="{status}">Importing: {done} of {total} lines. This page refreshes itself.</p>
<progress max="{total}" value="{done}">{done} of {total}</progress>"#,
            status = job.status.as_str(),
            done = job.processed_rows,
            total = job.total_rows,
        )
    } else if job.status == ImportStatus::Failed {
        format!(
            r#"<p id="import-status" class="error" data-status="failed">The import stopped: {}. Running the same file again is harmless and finishes it.</p>"#,
            esc(job.error.as_deref().unwrap_or("unknown error"))
        )
    } else {
        let minted: String = result["awards"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|a| {
                        format!(
                            "<li><strong>{}</strong>: {} awarded now, {} already had it</li>\n",
                            esc(a["name"].as_str().unwrap_or("")),
                            a["created"].as_u64().unwrap_or(0),
                            a["existing"].as_u64().unwrap_or(0),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        format!(
            r#"<p id="import-status" role="status" data-status="succeeded">Done: {lines} lines, {rejected} rejected.</p>
<ul>{minted}</ul>
{per_line}
<table><thead><tr><th scope="col">Line</th><th scope="col">What happened</th><th scope="col">Email</th><th scope="col">Why</th></tr></thead>
<tbody>
{rows}</tbody></table>"#,
            lines = result["summary"]["lines"].as_u64().unwrap_or(0),
            rejected = result["summary"]["rejected"].as_u64().unwrap_or(0),
            per_line = per_line_note(job.id, &result),
            rows = line_rows(&result),
        )
    };
    let mut response = pages::respond(StatusCode::OK, pages::page("Import", Some(&staff), &body));
    if running {
        response
            .headers_mut()
            .insert("refresh", HeaderValue::from_static("2"));
    }
    response
}

/// The link to the per-line CSV, or when it expired (see [`laurel_service::activity::bounds`]).
fn per_line_note(id: Uuid, result: &Value) -> String {
    match laurel_service::activity::bounds::lines_expired_at(result) {
        Some(at) => format!(
            "<p>The result of each line (with every attendee's address) was deleted on {}: \
             it is kept for 30 days after an import, and for one day after a review.</p>",
            esc(&chrono::DateTime::parse_from_rfc3339(at)
                .map(|at| date(at.with_timezone(&chrono::Utc)))
                .unwrap_or_else(|_| at.to_string()))
        ),
        None => format!(
            r#"<p><a href="/console/imports/{id}/result.csv">Download the result of every line (CSV)</a></p>"#
        ),
    }
}

/// An import job, if `staff` may see its session's issuer: another issuer's import is "not
/// found", as if it did not exist.
async fn load_job(
    state: &AppState,
    staff: &Staff,
    id: &str,
) -> Result<laurel_store::ImportJob, ApiError> {
    let hidden = || ApiError::NotFound("no such import".into());
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
        Err(error) => return pages::error(&error),
    };
    let result: Value = job
        .result
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or(Value::Null);
    let mut out = String::from("line,outcome,email,reason\r\n");
    for l in result["lines"].as_array().into_iter().flatten() {
        let why = l["reason"].as_str().map(str::to_string).or_else(|| {
            l["into_line"]
                .as_u64()
                .map(|n| format!("same person as line {n}"))
        });
        let fields = [
            l["line"].as_u64().unwrap_or(0).to_string(),
            l["outcome"].as_str().unwrap_or("").to_string(),
            l["email"].as_str().unwrap_or("").to_string(),
            why.unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| super::awards::csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    pages::csv(out, "import-result.csv")
}

/// The new-series form's fields.
#[derive(Debug, Default, Deserialize)]
pub struct SeriesForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    title: String,
}

/// `POST /console/series`: creates a series (then sessions can join it).
pub async fn create_series(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<SeriesForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return forged();
    }
    let Ok(issuer_id) = Uuid::parse_str(form.issuer.trim()) else {
        return pages::error(&ApiError::BadRequest("choose an issuer".into()));
    };
    if !staff.may_change_issuer(issuer_id) {
        return pages::not_allowed(
            &staff,
            "Your account may not change this issuer's sessions.",
        );
    }
    let title = match fields::required("title", &form.title, MAX_NAME) {
        Ok(title) => title,
        Err(error) => return pages::error(&ApiError::from(error)),
    };
    let now = state.clock.now();
    let series = Series {
        id: Uuid::now_v7(),
        issuer_id,
        title,
        description: None,
        created_at: now,
        updated_at: now,
    };
    if let Err(error) = state.store.create_series(&series).await {
        return pages::error(&crate::error::not_found_in(error, "issuer", issuer_id));
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "series.create",
        Some(series.id.to_string()),
        json!({ "title": series.title }),
    )
    .await;
    Redirect::to("/console/events").into_response()
}

/// Ties a check's error to the form field it is about (the message shown beside it).
fn field<E: std::fmt::Display>(name: &'static str) -> impl Fn(E) -> Checked {
    move |error| Checked::Field((name, error.to_string()))
}
