//! `GET /credentials/{id}/linkedin`: the "Add to LinkedIn profile" link that emails carry.
//!
//! An email is sent once and opened whenever its reader likes, perhaps after the badge was
//! revoked or while it is suspended; a LinkedIn link written into it would outlive that. So
//! the email links here, and this asks again each time: a badge in good standing is sent on
//! to LinkedIn (`303 See Other`, never cached), a revoked or suspended one is refused in a
//! sentence (`409`), as a page for a browser and as problem+json for anything else. The
//! fields sent are [`laurel_service::links::linkedin`]'s, the same as the credential page's
//! button.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use laurel_store::StoreError;

use super::layout::{Head, Layout};
use crate::cache::Cache;
use crate::routes::parse_id;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::links;

/// The refusal page (`templates/pages/linkedin_refused.html`).
#[derive(Template)]
#[template(path = "pages/linkedin_refused.html")]
struct RefusedPage {
    layout: Layout,
    /// Why, in one sentence.
    reason: String,
    /// The credential's page, which says more.
    credential: String,
}

/// The handler.
pub async fn add_to_profile(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    match answer(&state, &id, &headers).await {
        Ok(response) => response,
        Err(error) => super::error_page(error),
    }
}

async fn answer(state: &AppState, id: &str, headers: &HeaderMap) -> HttpResult<Response> {
    let id = parse_id(id, "credential")?;
    let award = state.store.award(id).await.map_err(|error| match error {
        StoreError::NotFound => HttpError::not_found("credential", id),
        other => other.into(),
    })?;
    let issuer = match state.store.issuer(award.issuer_id).await {
        Ok(issuer) => Some(issuer),
        Err(StoreError::NotFound) => None,
        Err(other) => return Err(other.into()),
    };
    let url = state.urls.credential(id);
    let refusal = match links::linkedin(&award, issuer.as_ref(), &url) {
        Ok(link) => {
            let location = HeaderValue::from_str(&link)
                .map_err(|error| HttpError::Internal(format!("LinkedIn link of {id}: {error}")))?;
            let mut response = StatusCode::SEE_OTHER.into_response();
            let response_headers = response.headers_mut();
            response_headers.insert(header::LOCATION, location);
            // Asked again each time: the badge may be revoked or suspended tomorrow.
            response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            return Ok(response);
        }
        Err(refusal) => refusal.to_string(),
    };
    if !super::wants_html(headers) {
        return Err(HttpError::Conflict(refusal));
    }
    let head = Head {
        title: "Not added to LinkedIn".into(),
        description: refusal.clone(),
        url: format!("{url}/linkedin"),
        ..Head::default()
    };
    let page = RefusedPage {
        layout: Layout::new(head, None),
        reason: refusal,
        credential: url,
    };
    let mut response = super::respond(super::render(&page)?, Cache::NoStore, headers);
    if response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::CONFLICT;
    }
    Ok(response)
}
