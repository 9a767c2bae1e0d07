//! Series: creating one, and a series' page listing its sessions (times in the issuer's zone)
//! with a form to rename it or change its description.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use laurel_store::{EventFilter, Series};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{EventRow, NOT_YOURS, Zones, event_row};
use crate::console::layout::{self, FieldError, FieldErrors, Layout};
use crate::console::session::Staff;
use crate::console::{audit_log, csrf_rejected};
use crate::{AppState, HttpError};
use laurel_service::fields::{MAX_NAME, MAX_TEXT};

/// The series forms' fields (new: with its issuer; rename: title and description).
#[derive(Debug, Default, Deserialize)]
pub struct SeriesForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
}

/// The title and description typed, checked: every mistake.
fn check(form: &SeriesForm) -> Result<(String, Option<String>), Vec<FieldError>> {
    let mut mistakes = Vec::new();
    let title = form.title.trim();
    if title.is_empty() {
        mistakes.push(("title", "Give the series a title.".to_string()));
    } else if title.chars().count() > MAX_NAME {
        mistakes.push((
            "title",
            format!("Shorten the title to at most {MAX_NAME} characters."),
        ));
    }
    let description = form.description.trim();
    if description.chars().count() > MAX_TEXT {
        mistakes.push((
            "description",
            format!("Shorten the description to at most {MAX_TEXT} characters."),
        ));
    }
    if mistakes.is_empty() {
        Ok((
            title.to_string(),
            Some(description.to_string()).filter(|d| !d.is_empty()),
        ))
    } else {
        Err(mistakes)
    }
}

/// `POST /console/series`: creates a series (then sessions can join it), and shows it.
pub async fn create_series(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<SeriesForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let issuer_id = Uuid::parse_str(form.issuer.trim()).ok();
    if let Some(issuer_id) = issuer_id
        && !staff.may_change_issuer(issuer_id)
    {
        return layout::not_allowed(&staff, NOT_YOURS);
    }
    let checked = check(&form);
    let (Some(issuer_id), Ok((title, description))) = (issuer_id, &checked) else {
        let mut mistakes = checked.err().unwrap_or_default();
        if issuer_id.is_none() {
            mistakes.insert(
                0,
                ("issuer", "Choose the issuer of the series.".to_string()),
            );
        }
        let typed = super::NewSeries {
            issuer: form.issuer.clone(),
            title: form.title.clone(),
            errors: FieldErrors::all(&mistakes),
        };
        return super::render_list(&state, &staff, &super::SessionForm::default(), typed).await;
    };
    let (title, description) = (title.clone(), description.clone());
    let now = state.clock.now();
    let series = Series {
        id: Uuid::now_v7(),
        issuer_id,
        title,
        description,
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
    Redirect::to(&format!("/console/series/{}", series.id)).into_response()
}

/// `console/series.html`.
#[derive(Template)]
#[template(path = "console/series.html")]
struct SeriesPage<'a> {
    layout: Layout,
    notice: Option<&'static str>,
    rows: Vec<EventRow>,
    /// The rename form, for those who may change the issuer.
    rename: Option<Rename<'a>>,
}

/// The rename form with what was typed and its mistakes.
struct Rename<'a> {
    id: Uuid,
    form: &'a SeriesForm,
    errors: FieldErrors,
}

/// `?saved=1` after renaming.
#[derive(Debug, Default, Deserialize)]
pub struct Saved {
    #[serde(default)]
    saved: Option<String>,
}

async fn load(state: &AppState, staff: &Staff, id: &str) -> Result<Series, Response> {
    let missing = || layout::error(&HttpError::NotFound("no such series".into()));
    let id = Uuid::parse_str(id).map_err(|_| missing())?;
    let series = state
        .store
        .series(id)
        .await
        .map_err(|e| layout::error(&crate::error::not_found_in(e, "series", id)))?;
    if !staff.may_see(series.issuer_id) {
        return Err(layout::not_allowed(staff, NOT_YOURS));
    }
    Ok(series)
}

/// `GET /console/series/{id}`: the series' sessions, and the rename form.
pub async fn show_series(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(saved): Query<Saved>,
) -> Response {
    let series = match load(&state, &staff, &id).await {
        Ok(series) => series,
        Err(response) => return response,
    };
    let form = SeriesForm {
        title: series.title.clone(),
        description: series.description.clone().unwrap_or_default(),
        ..SeriesForm::default()
    };
    let notice = saved.saved.is_some().then_some("Saved.");
    render(&state, &staff, &series, &form, &[], notice).await
}

async fn render(
    state: &AppState,
    staff: &Staff,
    series: &Series,
    form: &SeriesForm,
    errors: &[FieldError],
    notice: Option<&'static str>,
) -> Response {
    let events = match state
        .store
        .list_events(&EventFilter {
            series_id: Some(series.id),
            ..EventFilter::default()
        })
        .await
    {
        Ok(events) => events,
        Err(error) => return layout::error(&error.into()),
    };
    let zones = match Zones::of(state, vec![series.issuer_id]).await {
        Ok(zones) => zones,
        Err(error) => return layout::error(&error),
    };
    let names = HashMap::from([(series.id, series.title.as_str())]);
    let page = SeriesPage {
        layout: Layout::new(series.title.clone(), Some(staff)),
        notice,
        rows: events
            .iter()
            .map(|e| event_row(e, &zones, &names))
            .collect(),
        rename: staff.may_change_issuer(series.issuer_id).then(|| Rename {
            id: series.id,
            form,
            errors: FieldErrors::all(errors),
        }),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    layout::respond(status, &page)
}

/// `POST /console/series/{id}`: renames the series (or changes its description).
pub async fn rename_series(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<SeriesForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let series = match load(&state, &staff, &id).await {
        Ok(series) => series,
        Err(response) => return response,
    };
    if !staff.may_change_issuer(series.issuer_id) {
        return layout::not_allowed(&staff, NOT_YOURS);
    }
    let (title, description) = match check(&form) {
        Ok(checked) => checked,
        Err(mistakes) => return render(&state, &staff, &series, &form, &mistakes, None).await,
    };
    let renamed = Series {
        title,
        description,
        updated_at: state.clock.now(),
        ..series.clone()
    };
    if let Err(error) = state.store.update_series(&renamed).await {
        return layout::error(&error.into());
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "series.update",
        Some(series.id.to_string()),
        json!({
            "title": { "from": series.title, "to": renamed.title },
            "description_changed": series.description != renamed.description,
        }),
    )
    .await;
    Redirect::to(&format!("/console/series/{}?saved=1", series.id)).into_response()
}
