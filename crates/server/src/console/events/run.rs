//! A run of sessions in one form: "ten weekly webinars" from the first start, how many, how
//! often (every N days or weeks, at the same local time across clock changes) and a title
//! pattern with the session's number; the same series, length and format for all. All are
//! stored together or none.

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use laurel_store::{Issuer, Series};
use serde::Deserialize;
use serde_json::json;

use super::{
    Checked, NOT_YOURS, Zones, check_issuer, format_choices, merge, new_event, series_choices,
    zone_hint,
};
use crate::AppState;
use crate::console::layout::{self, Choice, FieldError, FieldErrors, Layout};
use crate::console::session::Staff;
use crate::console::{audit_log, csrf_rejected};
use laurel_service::activity::session_form::{self, RunText};

/// The run form's fields.
#[derive(Debug, Deserialize)]
pub struct RunForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    series: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    first_start: String,
    #[serde(default)]
    count: String,
    #[serde(default)]
    every: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    duration_minutes: String,
    #[serde(default)]
    format: String,
}

impl Default for RunForm {
    fn default() -> Self {
        RunForm {
            csrf: String::new(),
            issuer: String::new(),
            series: String::new(),
            title: "Webinar {n}".into(),
            first_start: String::new(),
            count: "10".into(),
            every: "1".into(),
            unit: "weeks".into(),
            duration_minutes: "60".into(),
            format: "online".into(),
        }
    }
}

impl RunForm {
    fn text(&self) -> RunText<'_> {
        RunText {
            series: &self.series,
            title: &self.title,
            first_start: &self.first_start,
            count: &self.count,
            every: &self.every,
            unit: &self.unit,
            duration_minutes: &self.duration_minutes,
            format: &self.format,
        }
    }
}

/// `console/session_run.html`.
#[derive(Template)]
#[template(path = "console/session_run.html")]
struct RunPage<'a> {
    layout: Layout,
    form: &'a RunForm,
    errors: FieldErrors,
    issuers: Vec<Choice>,
    series: Vec<Choice>,
    formats: Vec<Choice>,
    units: Vec<Choice>,
    zone_hint: String,
}

/// `GET /console/events/run`.
pub async fn run_form(State(state): State<AppState>, staff: Staff) -> Response {
    render(&state, &staff, &RunForm::default(), &[]).await
}

async fn render(
    state: &AppState,
    staff: &Staff,
    form: &RunForm,
    errors: &[FieldError],
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
        .filter(|i| staff.may_change_issuer(i.id))
        .collect();
    if mine.is_empty() {
        return layout::not_allowed(staff, NOT_YOURS);
    }
    let zones = match Zones::of(state, mine.iter().map(|i| i.id).collect()).await {
        Ok(zones) => zones,
        Err(error) => return layout::error(&error),
    };
    let series: &[Series] = &series;
    let page = RunPage {
        layout: Layout::new("New run of sessions", Some(staff)),
        form,
        errors: FieldErrors::all(errors),
        issuers: mine
            .iter()
            .map(|i| Choice::new(i.id, i.name.clone(), i.id.to_string() == form.issuer))
            .collect(),
        series: series_choices(series, &mine, &form.series),
        formats: format_choices(&form.format),
        units: vec![
            Choice::new("weeks", "weeks", form.unit != "days"),
            Choice::new("days", "days", form.unit == "days"),
        ],
        zone_hint: zone_hint(&mine, &zones, mine.len() > 1),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    layout::respond(status, &page)
}

/// `POST /console/events/run`: creates every session of the run, then shows them (on their
/// series' page when they have one).
pub async fn create_run(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<RunForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let checked = match check_issuer(&state, &staff, &form.issuer).await {
        Ok((issuer, zone, mistakes)) => {
            let rest = session_form::check_run(&state, issuer, zone, &form.text()).await;
            merge(issuer, mistakes, rest)
        }
        Err(refused) => Err(refused),
    };
    let (issuer_id, run) = match checked {
        Ok(checked) => checked,
        Err(Checked::Refused) => return layout::not_allowed(&staff, NOT_YOURS),
        Err(Checked::Mistakes(mistakes)) => return render(&state, &staff, &form, &mistakes).await,
    };
    let series_id = run.first().and_then(|details| details.series_id);
    let events: Vec<_> = run
        .into_iter()
        .map(|details| new_event(&state, issuer_id, details))
        .collect();
    if let Err(error) = state.store.create_events(&events).await {
        return layout::error(&error.into());
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "event.create_run",
        series_id.map(|id| id.to_string()),
        json!({
            "count": events.len(),
            "titles": events.iter().map(|e| e.title.as_str()).take(laurel_service::audit::MAX_IDS).collect::<Vec<_>>(),
            "event_ids": laurel_service::audit::some_ids(events.iter().map(|e| e.id)),
        }),
    )
    .await;
    let location = match series_id {
        Some(series) => format!("/console/series/{series}"),
        None => "/console/events".to_string(),
    };
    Redirect::to(&location).into_response()
}
