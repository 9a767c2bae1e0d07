//! Image upload in the console: a badge's image and an issuer's logo.
//!
//! The page's script sends the chosen file as the request body (as the admin API takes it),
//! with the session's CSRF token in `X-CSRF-Token`; the same checks apply (PNG or SVG, at most
//! 1 MiB, SVGs without scripts). Answers are short texts the script shows (the service's
//! middleware turns refusals into problem+json, whose `detail` the script reads).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use uuid::Uuid;

use super::audit_log;
use super::session::Staff;
use crate::{AppState, HttpError, api};

fn answer(status: StatusCode, text: impl Into<String>) -> Response {
    (status, text.into()).into_response()
}

fn csrf_ok(staff: &Staff, headers: &HeaderMap) -> bool {
    headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|token| staff.check_csrf(token))
}

fn failed(error: &HttpError) -> Response {
    answer(error.status(), error.to_string())
}

/// `POST /console/achievements/{id}/image`.
pub async fn achievement(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if !csrf_ok(&staff, &headers) {
        return answer(
            StatusCode::FORBIDDEN,
            "The page expired: reload it and try again.",
        );
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return answer(StatusCode::NOT_FOUND, "No such badge.");
    };
    let mut achievement = match state.store.achievement(id).await {
        Ok(a) => a,
        Err(error) => return failed(&crate::error::not_found_in(error, "achievement", id)),
    };
    if !staff.may_change_issuer(achievement.issuer_id) {
        return answer(
            StatusCode::FORBIDDEN,
            "Your account may not change this badge.",
        );
    }
    let image = match api::images::upload(&state, &headers, body).await {
        Ok(image) => image,
        Err(error) => return failed(&error),
    };
    achievement.image = Some(image.clone());
    achievement.updated_at = state.clock.now();
    if let Err(error) = state.store.update_achievement(&achievement).await {
        return failed(&error.into());
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "achievement.image",
        Some(id.to_string()),
        json!({ "image": image }),
    )
    .await;
    answer(StatusCode::OK, "Saved.")
}

/// `POST /console/issuers/{id}/image`: the logo (administrators).
pub async fn issuer(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if !csrf_ok(&staff, &headers) {
        return answer(
            StatusCode::FORBIDDEN,
            "The page expired: reload it and try again.",
        );
    }
    if !staff.is_admin() {
        return answer(StatusCode::FORBIDDEN, "Only administrators change issuers.");
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return answer(StatusCode::NOT_FOUND, "No such issuer.");
    };
    let mut issuer = match state.store.issuer(id).await {
        Ok(i) => i,
        Err(error) => return failed(&crate::error::not_found_in(error, "issuer", id)),
    };
    let image = match api::images::upload(&state, &headers, body).await {
        Ok(image) => image,
        Err(error) => return failed(&error),
    };
    issuer.image = Some(image.clone());
    issuer.updated_at = state.clock.now();
    if let Err(error) = state.store.update_issuer(&issuer).await {
        return failed(&error.into());
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "issuer.image",
        Some(id.to_string()),
        json!({ "image": image }),
    )
    .await;
    answer(StatusCode::OK, "Saved.")
}

/// The upload control of a page (`console/image_control.html`, included by the badge and
/// issuer pages): the current image, a file input the script sends, and what to do without
/// script.
#[derive(Debug, Clone)]
pub struct ImageControl {
    /// Where the script sends the file.
    pub upload: String,
    /// The current image's URL, if there is one.
    pub current: Option<String>,
    /// The admin API's path for the same upload, for those without script.
    pub api_path: String,
}

impl ImageControl {
    pub fn new(state: &AppState, upload: String, current: Option<&str>, api_path: String) -> Self {
        ImageControl {
            upload,
            current: current
                .map(|stored| laurel_service::documents::image_url(&state.urls, stored)),
            api_path,
        }
    }
}
