//! `/console/events` and `/console/imports`: sessions and series, and importing an attendance
//! report in three steps: the report and (when its format is not recognised) which columns
//! hold what; a dry-run review (who will be recorded, who will be awarded, which lines are
//! rejected and why) that records nothing; then the import itself, whose progress page
//! refreshes until it is done and offers the per-line result as CSV.
//!
//! Times are entered with a date-time picker and shown in the issuer's time zone (see
//! [`laurel_service::activity::local_time`]); the API stays UTC. This module has the session
//! list and the new-session form; [`edit`] edits and duplicates a session; [`run`] makes a run
//! of sessions (ten weekly webinars) in one form; [`series`] has the series pages; [`import`]
//! has a session's page with its imports. Every form shows all its mistakes at once and
//! stores nothing until it has none. Changing sessions is for administrators and the issuer's
//! managers.

mod edit;
mod import;
mod run;
mod series;

pub use edit::{duplicate, edit_form, save_edit};
pub use import::{import, job, result_csv, show};
pub use run::{create_run, run_form};
pub use series::{create_series, rename_series, show_series};

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use laurel_store::{Event, EventFilter, EventFormat, Issuer, Series};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::layout::{self, Choice, FieldError, FieldErrors, Layout};
use super::session::Staff;
use super::{audit_log, csrf_rejected};
use crate::{AppState, HttpError};
use laurel_service::activity::local_time::{self, Zone};
use laurel_service::activity::session_form::{self, SessionDetails, SessionText};

/// What staff may not do here, in words.
const NOT_YOURS: &str = "Your account may not change this issuer's sessions.";

/// The session form's fields (new, duplicate and edit; editing has no issuer).
#[derive(Debug, Default, Deserialize)]
pub struct SessionForm {
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

impl SessionForm {
    /// The form filled with a stored session's details, its time in `zone`.
    fn of(event: &Event, zone: Zone) -> Self {
        SessionForm {
            csrf: String::new(),
            issuer: event.issuer_id.to_string(),
            series: event.series_id.map(|id| id.to_string()).unwrap_or_default(),
            title: event.title.clone(),
            starts_at: zone.picker(event.starts_at),
            duration_minutes: event.duration_minutes.to_string(),
            format: event.format.as_str().to_string(),
        }
    }

    fn text(&self) -> SessionText<'_> {
        SessionText {
            series: &self.series,
            title: &self.title,
            starts_at: &self.starts_at,
            duration_minutes: &self.duration_minutes,
            format: &self.format,
        }
    }
}

/// The issuers' time zones, read once per page.
struct Zones(HashMap<Uuid, Zone>);

impl Zones {
    async fn of(state: &AppState, mut issuers: Vec<Uuid>) -> Result<Self, HttpError> {
        issuers.sort_unstable();
        issuers.dedup();
        let mut zones = HashMap::new();
        for id in issuers {
            let zone = local_time::issuer_zone(state, id).await?;
            zones.insert(id, zone);
        }
        Ok(Zones(zones))
    }

    fn get(&self, issuer: Uuid) -> Zone {
        self.0.get(&issuer).copied().unwrap_or_else(Zone::utc)
    }
}

/// `console/session_fields.html`: the session form, with what was typed and its mistakes.
struct SessionFields<'a> {
    action: String,
    submit: &'static str,
    form: &'a SessionForm,
    errors: FieldErrors,
    /// The issuers to choose from; empty when the issuer is fixed (editing).
    issuers: Vec<Choice>,
    series: Vec<Choice>,
    formats: Vec<Choice>,
    /// In which zone the time is read, in words.
    zone_hint: String,
}

impl<'a> SessionFields<'a> {
    /// The form for the issuers in `mine` (one when the issuer is fixed), their series from
    /// `all_series`.
    #[allow(clippy::too_many_arguments)] // each is one part of the form; a struct would only rename them
    fn new(
        action: String,
        submit: &'static str,
        form: &'a SessionForm,
        errors: &[FieldError],
        mine: &[&Issuer],
        fixed: bool,
        all_series: &[Series],
        zones: &Zones,
    ) -> Self {
        let many = mine.len() > 1;
        SessionFields {
            action,
            submit,
            form,
            errors: FieldErrors::all(errors),
            issuers: if fixed {
                Vec::new()
            } else {
                mine.iter()
                    .map(|i| Choice::new(i.id, i.name.clone(), i.id.to_string() == form.issuer))
                    .collect()
            },
            series: series_choices(all_series, mine, &form.series),
            formats: format_choices(&form.format),
            zone_hint: zone_hint(mine, zones, many),
        }
    }
}

/// The series of these issuers, labelled with the issuer's name when there are several.
fn series_choices(all_series: &[Series], mine: &[&Issuer], selected: &str) -> Vec<Choice> {
    all_series
        .iter()
        .filter_map(|s| {
            let issuer = mine.iter().find(|i| i.id == s.issuer_id)?;
            let label = if mine.len() > 1 {
                format!("{} ({})", s.title, issuer.name)
            } else {
                s.title.clone()
            };
            Some(Choice::new(s.id, label, s.id.to_string() == selected))
        })
        .collect()
}

fn format_choices(selected: &str) -> Vec<Choice> {
    vec![
        Choice::new("online", "online", selected != "in_person"),
        Choice::new("in_person", "in person", selected == "in_person"),
    ]
}

/// "Times are in America/Chicago." or, for several issuers, each issuer's zone.
fn zone_hint(mine: &[&Issuer], zones: &Zones, many: bool) -> String {
    if many {
        let each: Vec<String> = mine
            .iter()
            .map(|i| format!("{}: {}", i.name, zones.get(i.id).name()))
            .collect();
        format!("Times are in the issuer's time zone ({}).", each.join("; "))
    } else {
        let zone = mine.first().map_or_else(Zone::utc, |i| zones.get(i.id));
        format!("Times are in {}.", zone.name())
    }
}

/// `GET /console/events`.
pub async fn list(State(state): State<AppState>, staff: Staff) -> Response {
    render_list(
        &state,
        &staff,
        &SessionForm::default(),
        NewSeries::default(),
    )
    .await
}

/// The new-series form on the sessions page, shown again with its mistakes beside the fields.
#[derive(Debug, Default)]
pub(super) struct NewSeries {
    /// The issuer chosen, as typed.
    pub issuer: String,
    pub title: String,
    pub errors: FieldErrors,
}

/// `console/events.html`.
#[derive(Template)]
#[template(path = "console/events.html")]
struct EventsPage<'a> {
    layout: Layout,
    rows: Vec<EventRow>,
    series: Vec<SeriesRow>,
    /// The new-session form, for those who may change an issuer.
    fields: Option<SessionFields<'a>>,
    /// The issuers of a new series.
    series_issuers: Vec<Choice>,
    /// The new-series form as typed, with its mistakes.
    new_series: NewSeries,
}

/// One session in a list.
struct EventRow {
    id: Uuid,
    title: String,
    starts: String,
    minutes: u32,
    format: &'static str,
    series: String,
}

/// One series in the list.
struct SeriesRow {
    id: Uuid,
    title: String,
    sessions: usize,
}

pub(super) fn format_words(format: EventFormat) -> &'static str {
    match format {
        EventFormat::Online => "online",
        EventFormat::InPerson => "in person",
    }
}

/// A session as a row: its time in its issuer's zone.
fn event_row(event: &Event, zones: &Zones, series_names: &HashMap<Uuid, &str>) -> EventRow {
    EventRow {
        id: event.id,
        title: event.title.clone(),
        starts: zones.get(event.issuer_id).show(event.starts_at),
        minutes: event.duration_minutes,
        format: format_words(event.format),
        series: event
            .series_id
            .and_then(|s| series_names.get(&s).copied())
            .unwrap_or("")
            .to_string(),
    }
}

async fn render_list(
    state: &AppState,
    staff: &Staff,
    form: &SessionForm,
    new_series: NewSeries,
) -> Response {
    let (events, issuers, series) = match (
        state.store.list_events(&EventFilter::default()).await,
        state.store.list_issuers().await,
        state.store.list_series(None).await,
    ) {
        (Ok(e), Ok(i), Ok(s)) => (e, i, s),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return layout::error(&e.into()),
    };
    let seen: Vec<&Issuer> = issuers.iter().filter(|i| staff.may_see(i.id)).collect();
    let zones = match Zones::of(state, seen.iter().map(|i| i.id).collect()).await {
        Ok(zones) => zones,
        Err(error) => return layout::error(&error),
    };
    let series_names: HashMap<Uuid, &str> =
        series.iter().map(|s| (s.id, s.title.as_str())).collect();
    let events: Vec<&Event> = events
        .iter()
        .filter(|e| staff.may_see(e.issuer_id))
        .collect();
    let rows = events
        .iter()
        .map(|e| event_row(e, &zones, &series_names))
        .collect();
    let series_rows = series
        .iter()
        .filter(|s| staff.may_see(s.issuer_id))
        .map(|s| SeriesRow {
            id: s.id,
            title: s.title.clone(),
            sessions: events.iter().filter(|e| e.series_id == Some(s.id)).count(),
        })
        .collect();
    let mine: Vec<&Issuer> = seen
        .iter()
        .copied()
        .filter(|i| staff.may_change_issuer(i.id))
        .collect();
    let fields = (!mine.is_empty()).then(|| {
        SessionFields::new(
            "/console/events".into(),
            "Create session",
            form,
            &[],
            &mine,
            false,
            &series,
            &zones,
        )
    });
    let status = if new_series.errors.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    layout::respond(
        status,
        &EventsPage {
            layout: Layout::new("Sessions", Some(staff)),
            rows,
            series: series_rows,
            fields,
            series_issuers: mine
                .iter()
                .map(|i| {
                    let chosen = i.id.to_string() == new_series.issuer.trim();
                    Choice::new(i.id, i.name.clone(), chosen)
                })
                .collect(),
            new_series,
        },
    )
}

/// `console/session_form.html`: one session's form on a page of its own (a new session with
/// mistakes, a duplicate, an edit).
#[derive(Template)]
#[template(path = "console/session_form.html")]
struct SessionPage<'a> {
    layout: Layout,
    /// What happened (after saving), or what to do.
    notice: Option<String>,
    /// Where "back" goes, and its words.
    back: (String, &'static str),
    fields: SessionFields<'a>,
}

/// The page of a session form for `staff`: `issuer` fixes the issuer (editing); otherwise
/// every issuer they may change is offered.
#[allow(clippy::too_many_arguments)]
async fn render_form(
    state: &AppState,
    staff: &Staff,
    title: String,
    notice: Option<String>,
    back: (String, &'static str),
    (action, submit): (String, &'static str),
    form: &SessionForm,
    errors: &[FieldError],
    issuer: Option<Uuid>,
) -> Response {
    let (issuers, series) = match (
        state.store.list_issuers().await,
        state.store.list_series(None).await,
    ) {
        (Ok(i), Ok(s)) => (i, s),
        (Err(e), _) | (_, Err(e)) => return layout::error(&e.into()),
    };
    let mine: Vec<&Issuer> = issuers
        .iter()
        .filter(|i| staff.may_change_issuer(i.id) && issuer.is_none_or(|id| id == i.id))
        .collect();
    let zones = match Zones::of(state, mine.iter().map(|i| i.id).collect()).await {
        Ok(zones) => zones,
        Err(error) => return layout::error(&error),
    };
    let fields = SessionFields::new(
        action,
        submit,
        form,
        errors,
        &mine,
        issuer.is_some(),
        &series,
        &zones,
    );
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    layout::respond(
        status,
        &SessionPage {
            layout: Layout::new(title, Some(staff)),
            notice,
            back,
            fields,
        },
    )
}

/// `POST /console/events`: creates a session (from the list's form, or a duplicate).
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<SessionForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let checked = match check_issuer(&state, &staff, &form.issuer).await {
        Ok((issuer, zone, mistakes)) => {
            let rest = session_form::check(&state, issuer, zone, &form.text()).await;
            merge(issuer, mistakes, rest)
        }
        Err(refused) => Err(refused),
    };
    let (issuer_id, details) = match checked {
        Ok(checked) => checked,
        Err(Checked::Refused) => return layout::not_allowed(&staff, NOT_YOURS),
        Err(Checked::Mistakes(mistakes)) => {
            return render_form(
                &state,
                &staff,
                "New session".into(),
                None,
                ("/console/events".into(), "All sessions"),
                ("/console/events".into(), "Create session"),
                &form,
                &mistakes,
                None,
            )
            .await;
        }
    };
    let event = new_event(&state, issuer_id, details);
    if let Err(error) = state.store.create_event(&event).await {
        return layout::error(&error.into());
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "event.create",
        Some(event.id.to_string()),
        json!({ "title": event.title, "starts_at": event.starts_at }),
    )
    .await;
    Redirect::to(&format!("/console/events/{}", event.id)).into_response()
}

fn new_event(state: &AppState, issuer_id: Uuid, details: SessionDetails) -> Event {
    let now = state.clock.now();
    Event {
        id: Uuid::now_v7(),
        issuer_id,
        series_id: details.series_id,
        title: details.title,
        starts_at: details.starts_at,
        duration_minutes: details.duration_minutes,
        format: details.format,
        created_at: now,
        updated_at: now,
    }
}

/// Why a form was not accepted.
enum Checked {
    /// Its mistakes, every one.
    Mistakes(Vec<FieldError>),
    /// Staff may not change the issuer chosen.
    Refused,
}

/// The issuer chosen in a new-session or run form: its id if usable, its zone (UTC when not),
/// and the mistake if any, so the rest of the form is checked too and every mistake shown.
async fn check_issuer(
    state: &AppState,
    staff: &Staff,
    issuer: &str,
) -> Result<(Option<Uuid>, Zone, Vec<FieldError>), Checked> {
    let issuer_id = match Uuid::parse_str(issuer.trim()) {
        Ok(id) if !staff.may_change_issuer(id) => return Err(Checked::Refused),
        Ok(id) if state.store.issuer(id).await.is_ok() => Some(id),
        _ => None,
    };
    let zone = match issuer_id {
        Some(id) => local_time::issuer_zone(state, id)
            .await
            .unwrap_or_else(|_| Zone::utc()),
        None => Zone::utc(),
    };
    let mistakes = if issuer_id.is_none() {
        vec![("issuer", "Choose an issuer.".to_string())]
    } else {
        Vec::new()
    };
    Ok((issuer_id, zone, mistakes))
}

/// The outcome of a form: the issuer's mistakes and the rest's, together.
fn merge<T>(
    issuer: Option<Uuid>,
    mut mistakes: Vec<FieldError>,
    rest: Result<T, session_form::Mistakes>,
) -> Result<(Uuid, T), Checked> {
    match (issuer, rest) {
        (Some(id), Ok(checked)) if mistakes.is_empty() => Ok((id, checked)),
        (_, Ok(_)) => Err(Checked::Mistakes(mistakes)),
        (_, Err(more)) => {
            mistakes.extend(more);
            Err(Checked::Mistakes(mistakes))
        }
    }
}
