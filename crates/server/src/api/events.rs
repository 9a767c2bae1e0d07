//! `/series` and `/events`: the sessions programme staff run (who attended them is in
//! [`super::attendance`]).
//!
//! An event (a webinar or workshop session) belongs to an issuer and optionally to one of its
//! series. Several records of one person in one request are summed (a rejoin), as rows of an
//! imported report are; recording a person again later keeps the largest minutes. Recording attendance (`POST /events/{id}/attendance`, or an import) evaluates the
//! award rules that name the event or its series and mints at once. Adding an event to a
//! series, or moving it, evaluates that series' rules again: nobody is awarded twice, and
//! whoever now qualifies is awarded.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use laurel_store::{Event, EventFilter, Series};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::extract::{Json, PathId, Query};
use super::rules::RuleOutcome;
use crate::auth::Bearer;
use crate::{AppState, HttpResult};
use laurel_service::activity::rules::{self, Scope};
use laurel_service::fields::{self, MAX_NAME, MAX_TEXT, nullable};

use laurel_service::activity::sessions::{self, check_series, duration, format, instant};

/// `POST /series` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SeriesInput)]
pub struct CreateSeries {
    issuer_id: Uuid,
    #[schema(min_length = 1)]
    title: String,
    #[serde(default)]
    description: Option<String>,
}

/// `PATCH /series/{id}` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SeriesPatch)]
pub struct UpdateSeries {
    #[serde(default)]
    #[schema(min_length = 1)]
    title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    description: Option<Option<String>>,
}

/// `GET /series` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// Only this issuer's
    #[serde(default)]
    #[param(value_type = Option<Uuid>)]
    issuer: Option<String>,
}

/// `GET /events` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this issuer's
    #[serde(default)]
    #[param(value_type = Option<Uuid>)]
    issuer: Option<String>,
    /// Only this series'
    #[serde(default)]
    #[param(value_type = Option<Uuid>)]
    series: Option<String>,
}

/// `GET /series[?issuer=]`.
#[utoipa::path(
    get,
    path = "/series",
    operation_id = "events_list_series",
    tag = "events",
    summary = "List series",
    params(SeriesQuery),
    responses(
        (status = 200, description = "Series, oldest first", body = SeriesList, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn list_series(
    State(state): State<AppState>,
    bearer: Bearer,
    Query(query): Query<SeriesQuery>,
) -> HttpResult<Json<SeriesList>> {
    bearer.require("read")?;
    let issuer = fields::id_param("issuer", query.issuer.as_deref())?;
    let series = state.store.list_series(issuer).await?;
    Ok(Json(SeriesList {
        series: series
            .iter()
            .filter(|series| bearer.may_see(series.issuer_id))
            .map(series_view)
            .collect(),
    }))
}

/// `POST /series`.
#[utoipa::path(
    post,
    path = "/series",
    operation_id = "events_create_series",
    tag = "events",
    summary = "Create a series of events",
    description = "A series groups an issuer's sessions (a webinar series, a workshop cycle); a series_completion award rule names one. An unknown issuer_id is a 404.",
    request_body(content = CreateSeries, content_type = "application/json"),
    responses(
        (status = 201, description = "Created; Location names it", body = SeriesView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 404, response = crate::api::openapi::E404),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn create_series(
    State(state): State<AppState>,
    bearer: Bearer,
    Json(input): Json<CreateSeries>,
) -> HttpResult<Response> {
    bearer.require("admin")?;
    bearer.within(input.issuer_id, "issuer", input.issuer_id)?;
    let issuer = state
        .store
        .issuer(input.issuer_id)
        .await
        .map_err(|error| crate::error::not_found_in(error, "issuer", input.issuer_id))?;
    let now = state.clock.now();
    let series = Series {
        id: Uuid::now_v7(),
        issuer_id: issuer.id,
        title: fields::required("title", &input.title, MAX_NAME)?,
        description: fields::optional("description", input.description.as_deref(), MAX_TEXT)?,
        created_at: now,
        updated_at: now,
    };
    state.store.create_series(&series).await?;
    Ok(super::located(
        StatusCode::CREATED,
        &format!("/api/v1/series/{}", series.id),
        series_view(&series),
    ))
}

/// `GET /series/{id}`: with its events.
#[utoipa::path(
    get,
    path = "/series/{id}",
    operation_id = "events_get_series",
    tag = "events",
    summary = "Get a series with its events",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 200, description = "The series with its events, by start time", body = SeriesView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn get_series(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<SeriesView>> {
    bearer.require("read")?;
    let series = load_series(&state, &bearer, id.uuid("series")?).await?;
    let events = state
        .store
        .list_events(&EventFilter {
            series_id: Some(series.id),
            ..EventFilter::default()
        })
        .await?;
    let mut view = series_view(&series);
    view.events = Some(events.iter().map(event_view).collect());
    Ok(Json(view))
}

/// `PATCH /series/{id}`.
#[utoipa::path(
    patch,
    path = "/series/{id}",
    operation_id = "events_update_series",
    tag = "events",
    summary = "Edit a series",
    description = "Absent fields stay; null clears description. Events join or leave a series through PATCH /events/{id} (series_id).",
    params(
        crate::api::openapi::IdParam,
    ),
    request_body(content = UpdateSeries, content_type = "application/json"),
    responses(
        (status = 200, description = "The edited series", body = SeriesView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 404, response = crate::api::openapi::E404),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn update_series(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    Json(input): Json<UpdateSeries>,
) -> HttpResult<Json<SeriesView>> {
    bearer.require("admin")?;
    let mut series = load_series(&state, &bearer, id.uuid("series")?).await?;
    if let Some(title) = &input.title {
        series.title = fields::required("title", title, MAX_NAME)?;
    }
    if let Some(description) = &input.description {
        series.description = fields::optional("description", description.as_deref(), MAX_TEXT)?;
    }
    series.updated_at = state.clock.now();
    state.store.update_series(&series).await?;
    Ok(Json(series_view(&series)))
}

/// `POST /events` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EventInput)]
pub struct CreateEvent {
    issuer_id: Uuid,
    #[schema(min_length = 1)]
    title: String,
    /// An RFC 3339 date-time with its offset (2026-03-10T14:00:00Z, 2026-03-10T09:00:00-05:00)
    #[schema(format = DateTime)]
    starts_at: String,
    /// The planned duration; percentage thresholds are of it
    #[schema(minimum = 1, maximum = 10080)]
    duration_minutes: u32,
    #[serde(default)]
    #[schema(schema_with = crate::api::openapi::fields::create_event_format)]
    format: Option<String>,
    /// A series of the same issuer
    #[serde(default)]
    series_id: Option<Uuid>,
}

/// `PATCH /events/{id}` body: absent fields stay; `series_id: null` takes the event out of its
/// series.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EventPatch)]
pub struct UpdateEvent {
    #[serde(default)]
    #[schema(min_length = 1)]
    title: Option<String>,
    /// An RFC 3339 date-time with its offset
    #[serde(default)]
    #[schema(format = DateTime)]
    starts_at: Option<String>,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 10080)]
    duration_minutes: Option<u32>,
    #[serde(default)]
    #[schema(schema_with = crate::api::openapi::fields::update_event_format)]
    format: Option<String>,
    /// A series of the same issuer; null takes the event out of its series
    #[serde(default, deserialize_with = "nullable")]
    series_id: Option<Option<Uuid>>,
}

/// `GET /events[?issuer=&series=]`, by start time.
#[utoipa::path(
    get,
    path = "/events",
    operation_id = "events_list_events",
    tag = "events",
    summary = "List events",
    params(ListQuery),
    responses(
        (status = 200, description = "Events, by start time", body = EventList, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn list_events(
    State(state): State<AppState>,
    bearer: Bearer,
    Query(query): Query<ListQuery>,
) -> HttpResult<Json<EventList>> {
    bearer.require("read")?;
    let filter = EventFilter {
        issuer_id: fields::id_param("issuer", query.issuer.as_deref())?,
        series_id: fields::id_param("series", query.series.as_deref())?,
    };
    let events = state.store.list_events(&filter).await?;
    Ok(Json(EventList {
        events: events
            .iter()
            .filter(|event| bearer.may_see(event.issuer_id))
            .map(event_view)
            .collect(),
    }))
}

/// `POST /events`. An event created in a series evaluates the series' rules.
#[utoipa::path(
    post,
    path = "/events",
    operation_id = "events_create_event",
    tag = "events",
    summary = "Create an event (a session: webinar or workshop)",
    description = "An unknown issuer_id is a 404; a series_id that names no series, or another issuer's, is a 400. An event created in a series evaluates that series' award rules at once and mints for whoever now qualifies (awards in the answer).",
    request_body(content = CreateEvent, content_type = "application/json"),
    responses(
        (status = 201, description = "Created; Location names it. With awards when the event is in a series", body = EventView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 404, response = crate::api::openapi::E404),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn create_event(
    State(state): State<AppState>,
    bearer: Bearer,
    Json(input): Json<CreateEvent>,
) -> HttpResult<Response> {
    bearer.require("admin")?;
    bearer.within(input.issuer_id, "issuer", input.issuer_id)?;
    let issuer = state
        .store
        .issuer(input.issuer_id)
        .await
        .map_err(|error| crate::error::not_found_in(error, "issuer", input.issuer_id))?;
    if let Some(series) = input.series_id {
        check_series(&state, series, issuer.id).await?;
    }
    let now = state.clock.now();
    let event = Event {
        id: Uuid::now_v7(),
        issuer_id: issuer.id,
        series_id: input.series_id,
        title: fields::required("title", &input.title, MAX_NAME)?,
        starts_at: instant("starts_at", &input.starts_at)?,
        duration_minutes: duration(input.duration_minutes)?,
        format: format(input.format.as_deref())?,
        created_at: now,
        updated_at: now,
    };
    state.store.create_event(&event).await?;
    let mut view = event_view(&event);
    if event.series_id.is_some() {
        view.awards = Some(evaluate(&state, vec![Scope::Event(event.clone())]).await?);
    }
    Ok(super::located(
        StatusCode::CREATED,
        &format!("/api/v1/events/{}", event.id),
        view,
    ))
}

/// `GET /events/{id}`.
#[utoipa::path(
    get,
    path = "/events/{id}",
    operation_id = "events_get_event",
    tag = "events",
    summary = "Get an event",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 200, description = "The event", body = EventView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn get_event(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<EventView>> {
    bearer.require("read")?;
    let event = load_event(&state, &bearer, &id).await?;
    Ok(Json(event_view(&event)))
}

/// `PATCH /events/{id}`. A change of series, duration or time evaluates the rules again.
#[utoipa::path(
    patch,
    path = "/events/{id}",
    operation_id = "events_update_event",
    tag = "events",
    summary = "Edit an event",
    description = "Absent fields stay; series_id null takes the event out of its series. A change of series, start, duration or format evaluates the rules that name the event or its old or new series again and mints for whoever now qualifies (awards in the answer); nobody is awarded twice, and credentials already issued never change: kept counts the people already awarded who would not qualify under the new details (their credentials are kept). The audit entry lists what changed.",
    params(
        crate::api::openapi::IdParam,
    ),
    request_body(content = UpdateEvent, content_type = "application/json"),
    responses(
        (status = 200, description = "The edited event; with awards and kept when its rules were evaluated again", body = EventView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 404, response = crate::api::openapi::E404),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn update_event(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    Json(input): Json<UpdateEvent>,
) -> HttpResult<Response> {
    bearer.require("admin")?;
    let mut event = load_event(&state, &bearer, &id).await?;
    let before = event.clone();
    if let Some(title) = &input.title {
        event.title = fields::required("title", title, MAX_NAME)?;
    }
    if let Some(starts_at) = &input.starts_at {
        event.starts_at = instant("starts_at", starts_at)?;
    }
    if let Some(minutes) = input.duration_minutes {
        event.duration_minutes = duration(minutes)?;
    }
    if let Some(name) = &input.format {
        event.format = format(Some(name))?;
    }
    if let Some(series) = input.series_id {
        if let Some(series) = series {
            check_series(&state, series, event.issuer_id).await?;
        }
        event.series_id = series;
    }
    event.updated_at = state.clock.now();
    let edited = sessions::edit(&state, &before, event).await?;
    let mut view = event_view(&edited.event);
    if edited.evaluated {
        view.awards = Some(
            edited
                .awards
                .iter()
                .cloned()
                .map(RuleOutcome::from)
                .collect(),
        );
        view.kept = Some(edited.kept);
    }
    Ok(super::audit::with_detail(
        Json(view),
        serde_json::json!({ "changes": edited.changes, "awarded": edited.awarded(), "kept": edited.kept }),
    ))
}

/// Evaluates the rules these scopes touch and mints: the outcome per achievement.
pub(super) async fn evaluate(state: &AppState, scopes: Vec<Scope>) -> HttpResult<Vec<RuleOutcome>> {
    let mut minted = Vec::new();
    for scope in scopes {
        let plans = rules::plan(state, &scope, &[]).await?;
        minted.extend(rules::mint(state, plans).await?);
    }
    Ok(super::rules::outcomes(minted))
}

/// Loads an event named in a path, if this token may see its issuer (else the same 404 as a
/// missing one).
pub async fn load_event(state: &AppState, bearer: &Bearer, id: &PathId) -> HttpResult<Event> {
    let id = id.uuid("event")?;
    let event = state
        .store
        .event(id)
        .await
        .map_err(|error| crate::error::not_found_in(error, "event", id))?;
    bearer.within(event.issuer_id, "event", id)?;
    Ok(event)
}

async fn load_series(state: &AppState, bearer: &Bearer, id: Uuid) -> HttpResult<Series> {
    let series = state
        .store
        .series(id)
        .await
        .map_err(|error| crate::error::not_found_in(error, "series", id))?;
    bearer.within(series.issuer_id, "series", id)?;
    Ok(series)
}

fn series_view(series: &Series) -> SeriesView {
    SeriesView {
        id: series.id,
        issuer_id: series.issuer_id,
        title: series.title.clone(),
        description: series.description.clone(),
        created_at: series.created_at,
        updated_at: series.updated_at,
        events: None,
    }
}

pub fn event_view(event: &Event) -> EventView {
    EventView {
        id: event.id,
        issuer_id: event.issuer_id,
        series_id: event.series_id,
        title: event.title.clone(),
        starts_at: event.starts_at,
        duration_minutes: event.duration_minutes,
        format: event.format.as_str(),
        created_at: event.created_at,
        updated_at: event.updated_at,
        awards: None,
        kept: None,
    }
}

/// A series of events as the admin API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Series)]
pub struct SeriesView {
    id: Uuid,
    issuer_id: Uuid,
    title: String,
    description: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// Its events, by start time (GET /series/{id} only)
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    events: Option<Vec<EventView>>,
}

/// `GET /series`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesList {
    series: Vec<SeriesView>,
}

/// An event (a session: webinar or workshop) as the admin API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Event)]
pub struct EventView {
    id: Uuid,
    issuer_id: Uuid,
    series_id: Option<Uuid>,
    title: String,
    starts_at: DateTime<Utc>,
    duration_minutes: u32,
    #[schema(schema_with = crate::api::openapi::fields::event_format)]
    format: &'static str,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// What evaluating the award rules minted, per achievement (POST and PATCH, only when they were evaluated)
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    awards: Option<Vec<RuleOutcome>>,
    /// PATCH, when the rules were evaluated: people already awarded by a rule naming the event or its series who would not qualify under the new details; their credentials are kept (an edit never revokes)
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    kept: Option<usize>,
}

/// `GET /events`.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    events: Vec<EventView>,
}
