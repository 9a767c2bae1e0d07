//! "Your transcript by email": a recipient without their claim link types their address at
//! `/transcript` and is emailed a link (`/transcript/{token}`) that opens their transcript,
//! the same page the claim link opens (see `laurel_service::transcript::by_email`).
//!
//! The answer tells nobody who holds a badge: after the form's checks (the address is one,
//! the limits allow it) the page says the same thing whatever the address, with the same
//! status, and the look-up and queueing run as a background job, so even the answer's timing
//! does not depend on them. Defences as for "Email me my wallet link" ([`super::wallet_link`]):
//! the same-origin check on the post, and the same [`super::wallet_link::RequestLimits`]: per
//! address asked about (as per credential there) and per client address, shared with the
//! wallet-link form, so one client cannot use the two forms to double its allowance. A refusal
//! is the same page with a plain message and status 429.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Extension, Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use laurel_service::transcript::by_email::{self, LINK_DAYS};
use serde::Deserialize;

use super::claim_transcript::{Asked, Built, transcript_of};
use super::layout::{Head, Layout};
use super::wallet_link::same_origin;
use crate::console::sign_in::{TrustForwardedFor, client_address};
use crate::{AppState, HttpError};

/// The form's field.
#[derive(Debug, Deserialize)]
pub struct TranscriptEmailForm {
    #[serde(default)]
    email: String,
}

/// The form and its answers (`templates/pages/transcript_request.html`).
#[derive(Template)]
#[template(path = "pages/transcript_request.html")]
struct RequestPage {
    layout: Layout,
    days: i64,
    email: String,
    error: Option<String>,
    sent: bool,
    too_many: bool,
}

fn request_page(email: String, error: Option<String>, sent: bool, too_many: bool) -> Response {
    let head = Head {
        title: "Your transcript by email".into(),
        description: "Have a link to your continuing-education transcript emailed to you.".into(),
        ..Head::default()
    };
    let status = if too_many {
        StatusCode::TOO_MANY_REQUESTS
    } else if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let page = RequestPage {
        layout: Layout::new(head, None),
        days: LINK_DAYS,
        email,
        error,
        sent,
        too_many,
    };
    match super::render(&page) {
        Ok(html) => {
            let mut response = (status, html).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(super::PAGE_CSP),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => error.into_response(),
    }
}

/// `GET /transcript`: the form.
pub async fn form() -> Response {
    request_page(String::new(), None, false, false)
}

/// `POST /transcript`.
pub async fn request(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    trust: Option<Extension<TrustForwardedFor>>,
    headers: HeaderMap,
    Form(form): Form<TranscriptEmailForm>,
) -> Response {
    if !same_origin(&headers, state.urls.origin()) {
        return HttpError::Forbidden("this form can only be sent from this site's own page".into())
            .into_response();
    }
    let typed = form.email.trim().to_string();
    let email = match laurel_service::mint::recipient_email(&typed) {
        Ok(email) if typed.len() <= 320 => email,
        _ => {
            let error = "Type an email address, like you@example.org.".to_string();
            return request_page(typed, Some(error), false, false);
        }
    };
    let address = peer
        .map(|Extension(ConnectInfo(peer))| client_address(peer.ip(), &headers, trust.is_some()));
    let now = state.clock.now();
    if !state
        .wallet_requests
        .admit(&format!("transcript:{email}"), address, now)
    {
        return request_page(typed, None, false, true);
    }
    let service = state.service.clone();
    state.service.jobs.spawn(async move {
        if let Err(error) = by_email::request_link(&service, &email).await {
            tracing::warn!(%error, "a transcript link request failed");
        }
    });
    request_page(String::new(), None, true, false)
}

/// `GET /transcript/{token}`: the transcript an emailed link opens (and its downloads).
pub async fn page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(asked): Query<Asked>,
    request: HeaderMap,
) -> Response {
    let built = async {
        let link = by_email::open_link(&state, &token).await?;
        let notice = format!(
            "This link from your email works until {}; after that, ask for a new one on the \
             transcript page.",
            link.expires_at.format("%-d %B %Y, %H:%M UTC")
        );
        transcript_of(
            &state,
            link.recipient_email,
            &format!("/transcript/{token}"),
            Some(notice),
            asked,
        )
        .await
    };
    let response = match built.await {
        Ok(Built::Page(html)) => super::respond(html, crate::cache::Cache::NoStore, &request),
        Ok(Built::File(response)) => response,
        Err(error) => super::claim::problem(error),
    };
    super::claim::private(response)
}
