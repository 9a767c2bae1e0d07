//! Correcting a session: editing its title, start, length, format or series, and duplicating
//! it (the new-session form filled with its details).
//!
//! Saving an edit goes through [`laurel_service::activity::sessions::edit`], which evaluates
//! the award rules again when who qualifies can change: newly qualifying people are awarded,
//! nobody loses a badge, and the page after saving says how many already awarded would not
//! qualify under the new details. The audit entry lists what changed.

use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use laurel_store::Event;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{NOT_YOURS, SessionForm, render_form};
use crate::console::layout;
use crate::console::session::Staff;
use crate::console::{audit_log, csrf_rejected};
use crate::{AppState, HttpError};
use laurel_service::activity::local_time;
use laurel_service::activity::session_form;
use laurel_service::activity::sessions;

/// What the page after saving says (from the redirect's query).
#[derive(Debug, Default, Deserialize)]
pub struct Saved {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    awarded: Option<String>,
    #[serde(default)]
    kept: Option<String>,
}

impl Saved {
    /// "Saved." with what the rules did, in words.
    fn notice(&self) -> Option<String> {
        self.saved.as_ref()?;
        let count = |text: &Option<String>| {
            text.as_deref()
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let (awarded, kept) = (count(&self.awarded), count(&self.kept));
        let mut words = String::from("Saved.");
        if awarded > 0 {
            words.push_str(&format!(
                " {} newly awarded under the new details.",
                people(awarded)
            ));
        }
        if kept > 0 {
            words.push_str(&format!(
                " {} already awarded would not qualify under the new details; their badges are kept.",
                people(kept)
            ));
        }
        Some(words)
    }
}

/// "1 person", "3 people".
fn people(n: u64) -> String {
    if n == 1 {
        "1 person".into()
    } else {
        format!("{n} people")
    }
}

/// A session named in a path, if `staff` may change its issuer.
async fn load(state: &AppState, staff: &Staff, id: &str) -> Result<Event, Response> {
    let missing = || layout::error(&HttpError::NotFound("no such session".into()));
    let id = Uuid::parse_str(id).map_err(|_| missing())?;
    let event = state
        .store
        .event(id)
        .await
        .map_err(|e| layout::error(&crate::error::not_found_in(e, "event", id)))?;
    if !staff.may_change_issuer(event.issuer_id) {
        return Err(layout::not_allowed(staff, NOT_YOURS));
    }
    Ok(event)
}

fn edit_target(event: &Event) -> (String, &'static str) {
    (format!("/console/events/{}/edit", event.id), "Save changes")
}

fn back(event: &Event) -> (String, &'static str) {
    (
        format!("/console/events/{}", event.id),
        "Back to the session",
    )
}

/// `GET /console/events/{id}/edit`: the session's details in a form (after saving, with what
/// the save did).
pub async fn edit_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(saved): Query<Saved>,
) -> Response {
    let event = match load(&state, &staff, &id).await {
        Ok(event) => event,
        Err(response) => return response,
    };
    let zone = match local_time::issuer_zone(&state, event.issuer_id).await {
        Ok(zone) => zone,
        Err(error) => return layout::error(&error.into()),
    };
    let form = SessionForm::of(&event, zone);
    render_form(
        &state,
        &staff,
        format!("Edit {}", event.title),
        saved.notice(),
        back(&event),
        edit_target(&event),
        &form,
        &[],
        Some(event.issuer_id),
    )
    .await
}

/// `POST /console/events/{id}/edit`: saves the changes and settles the award rules, then
/// shows the form again with what happened (post/redirect/get).
pub async fn save_edit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<SessionForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let before = match load(&state, &staff, &id).await {
        Ok(event) => event,
        Err(response) => return response,
    };
    let zone = match local_time::issuer_zone(&state, before.issuer_id).await {
        Ok(zone) => zone,
        Err(error) => return layout::error(&error.into()),
    };
    let details =
        match session_form::check(&state, Some(before.issuer_id), zone, &form.text()).await {
            Ok(details) => details,
            Err(mistakes) => {
                return render_form(
                    &state,
                    &staff,
                    format!("Edit {}", before.title),
                    None,
                    back(&before),
                    edit_target(&before),
                    &form,
                    &mistakes,
                    Some(before.issuer_id),
                )
                .await;
            }
        };
    let after = Event {
        series_id: details.series_id,
        title: details.title,
        starts_at: details.starts_at,
        duration_minutes: details.duration_minutes,
        format: details.format,
        updated_at: state.clock.now(),
        ..before.clone()
    };
    let edited = match sessions::edit(&state, &before, after).await {
        Ok(edited) => edited,
        Err(error) => return layout::error(&error.into()),
    };
    if !edited.changes.is_empty() {
        audit_log(
            &state,
            Some(&staff.user),
            &staff.user.username,
            "event.update",
            Some(before.id.to_string()),
            json!({
                "title": edited.event.title,
                "changes": edited.changes,
                "awarded": edited.awarded(),
                "kept": edited.kept,
            }),
        )
        .await;
    }
    Redirect::to(&format!(
        "/console/events/{}/edit?saved=1&awarded={}&kept={}",
        before.id,
        edited.awarded(),
        edited.kept
    ))
    .into_response()
}

/// `GET /console/events/{id}/duplicate`: the new-session form filled with this session's
/// details; creating it makes a new session.
pub async fn duplicate(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Response {
    let event = match load(&state, &staff, &id).await {
        Ok(event) => event,
        Err(response) => return response,
    };
    let zone = match local_time::issuer_zone(&state, event.issuer_id).await {
        Ok(zone) => zone,
        Err(error) => return layout::error(&error.into()),
    };
    let form = SessionForm::of(&event, zone);
    render_form(
        &state,
        &staff,
        format!("Duplicate {}", event.title),
        Some(
            "A new session with the same details: change its date and time, then create it.".into(),
        ),
        back(&event),
        ("/console/events".into(), "Create session"),
        &form,
        &[],
        None,
    )
    .await
}
