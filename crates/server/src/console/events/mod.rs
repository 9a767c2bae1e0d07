//! `/console/events` and `/console/imports`: sessions and series, and importing an attendance
//! report in three steps: the report and (when its format is not recognised) which columns
//! hold what; a dry-run review (who will be recorded, who will be awarded, which lines are
//! rejected and why) that records nothing; then the import itself, whose progress page
//! refreshes until it is done and offers the per-line result as CSV.
//!
//! This module has the sessions and series; [`import`] has a session's page with its imports.
//! The report file is read into the form by a few lines of script; without script it can be
//! pasted. Creating sessions and importing are for administrators and the issuer's managers.

mod import;

pub use import::{import, job, result_csv, show};

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDateTime;
use laurel_store::{Event, EventFilter, Issuer, Series};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::layout::{self, Choice, FieldError, FieldErrors, Layout};
use super::session::Staff;
use super::{audit_log, csrf_rejected};
use crate::{AppState, HttpError};
use laurel_service::fields::{self, MAX_NAME};

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

/// `console/events.html`.
#[derive(Template)]
#[template(path = "console/events.html")]
struct EventsPage<'a> {
    layout: Layout,
    rows: Vec<EventRow>,
    /// The new-session and new-series forms, for those who may change an issuer.
    forms: Option<NewForms<'a>>,
}

/// One session in the list.
struct EventRow {
    id: Uuid,
    title: String,
    starts: String,
    minutes: u32,
    series: String,
}

/// The new-session form (with what was typed and its mistake) and the new-series form.
struct NewForms<'a> {
    form: &'a EventForm,
    errors: FieldErrors,
    /// The issuers of the new session, then of the new series.
    issuers: Vec<Choice>,
    series_issuers: Vec<Choice>,
    series: Vec<Choice>,
    formats: Vec<Choice>,
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
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return layout::error(&e.into()),
    };
    let series_names: std::collections::HashMap<Uuid, &str> =
        series.iter().map(|s| (s.id, s.title.as_str())).collect();
    let rows = events
        .iter()
        .filter(|e| staff.may_see(e.issuer_id))
        .map(|e| EventRow {
            id: e.id,
            title: e.title.clone(),
            starts: e.starts_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            minutes: e.duration_minutes,
            series: e
                .series_id
                .and_then(|s| series_names.get(&s).copied())
                .unwrap_or("")
                .to_string(),
        })
        .collect();
    let mine: Vec<&Issuer> = issuers
        .iter()
        .filter(|i| staff.may_change_issuer(i.id))
        .collect();
    let forms = (!mine.is_empty()).then(|| NewForms {
        form,
        errors: FieldErrors::new(error),
        issuers: mine
            .iter()
            .map(|i| Choice::new(i.id, i.name.clone(), i.id.to_string() == form.issuer))
            .collect(),
        series_issuers: mine
            .iter()
            .map(|i| Choice::new(i.id, i.name.clone(), false))
            .collect(),
        series: series
            .iter()
            .filter(|s| mine.iter().any(|i| i.id == s.issuer_id))
            .map(|s| Choice::new(s.id, s.title.clone(), s.id.to_string() == form.series))
            .collect(),
        formats: vec![
            Choice::new("online", "online", form.format != "in_person"),
            Choice::new("in_person", "in person", form.format == "in_person"),
        ],
    });
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    layout::respond(
        status,
        &EventsPage {
            layout: Layout::new("Sessions", Some(staff)),
            rows,
            forms,
        },
    )
}

/// `POST /console/events`: creates a session.
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<EventForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let result = check_event(&state, &staff, &form).await;
    let event = match result {
        Ok(event) => event,
        Err(Checked::Field(error)) => {
            return render_list(&state, &staff, &form, Some(&error)).await;
        }
        Err(Checked::Refused) => {
            return layout::not_allowed(
                &staff,
                "Your account may not change this issuer's sessions.",
            );
        }
    };
    if let Err(error) = state.store.create_event(&event).await {
        return layout::error(&error.into());
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
        laurel_service::activity::sessions::check_series(state, series, issuer_id)
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
    let duration =
        laurel_service::activity::sessions::duration(minutes).map_err(field("duration_minutes"))?;
    let format = laurel_service::activity::sessions::format(
        Some(form.format.trim()).filter(|f| !f.is_empty()),
    )
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
        return csrf_rejected();
    }
    let Ok(issuer_id) = Uuid::parse_str(form.issuer.trim()) else {
        return layout::error(&HttpError::BadRequest("choose an issuer".into()));
    };
    if !staff.may_change_issuer(issuer_id) {
        return layout::not_allowed(
            &staff,
            "Your account may not change this issuer's sessions.",
        );
    }
    let title = match fields::required("title", &form.title, MAX_NAME) {
        Ok(title) => title,
        Err(error) => return layout::error(&HttpError::from(error)),
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
        return layout::error(&crate::error::not_found_in(error, "issuer", issuer_id));
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
