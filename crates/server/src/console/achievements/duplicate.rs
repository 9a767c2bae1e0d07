//! `POST /console/achievements/{id}/duplicate`: "Duplicate" on a badge's page makes a new badge
//! named "Copy of …" with the same rule, image and fields (see [`laurel_service::copies`]),
//! and opens it to be edited.

use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::console::layout;
use crate::console::session::Staff;
use crate::console::{audit_log, csrf_rejected};

/// The duplicate button's form.
#[derive(Debug, Deserialize)]
pub struct DuplicateForm {
    #[serde(default)]
    csrf: String,
}

/// Copies the badge, then shows the copy.
pub async fn duplicate(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<DuplicateForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let (original, _) = match super::load(&state, &id).await {
        Ok(found) => found,
        Err(error) => return layout::error(&error),
    };
    if !staff.may_change_issuer(original.issuer_id) {
        return layout::not_allowed(&staff, "Your account may not change this issuer's badges.");
    }
    let copy = match laurel_service::copies::duplicate_achievement(&state, original.id).await {
        Ok(copy) => copy,
        Err(error) => return layout::error(&error.into()),
    };
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "achievement.duplicate",
        Some(copy.id.to_string()),
        json!({ "name": copy.name, "copy_of": original.id }),
    )
    .await;
    Redirect::to(&format!("/console/achievements/{}", copy.id)).into_response()
}
