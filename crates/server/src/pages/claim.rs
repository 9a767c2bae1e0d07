//! The claim page, `GET /claim/{token}`: where a recipient's personal link leads, to put the
//! badge into a wallet.
//!
//! It shows the badge, an "Add to Learner Credential Wallet" button and the same link as a QR
//! code (to scan from a computer's screen), and a few sentences for people who have never
//! used a wallet. Opening it opens a VC-API exchange (or reuses one still open); it does not
//! use up the link: only a wallet completing the exchange does.
//!
//! The page is personal: never cached, never indexed, and sent with no `Referer` onwards
//! (the token is in its URL). The QR code is an SVG drawn here with the `qrcode` crate and
//! shown as a `data:` image, so no markup is built outside the template.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use serde_json::Value;

use super::html;
use super::layout::{Head, Layout};
use crate::cache::Cache;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::wallet::{claims, exchange};

/// The claim page (`templates/pages/claim.html`).
#[derive(Template)]
#[template(path = "pages/claim.html")]
struct ClaimPage {
    layout: Layout,
    badge: String,
    image: String,
    issuer: String,
    recipient_name: Option<String>,
    /// `https://lcw.app/request?request=…`.
    lcw_link: String,
    /// The same link as a QR code: a `data:image/svg+xml` URL.
    lcw_qr: String,
    /// The badge's public page.
    credential_url: String,
    /// How long the wallet has, in minutes, once the page is open.
    minutes: i64,
    /// The OpenID4VCI offer for other wallets (LearnCard, EU wallets).
    other_wallets: super::claim_offer::OtherWallets,
    /// The recipient's transcript, through the same link.
    transcript_url: String,
    /// The pathways this badge is a step on, each with the recipient's progress link.
    pathways: Vec<super::pathway::ClaimPathway>,
}

/// Why the link cannot be used (`templates/pages/claim_problem.html`).
#[derive(Template)]
#[template(path = "pages/claim_problem.html")]
struct ClaimProblem {
    layout: Layout,
    message: String,
    /// The recipient's transcript, still reachable through a used link.
    transcript_url: Option<String>,
}

/// `GET /claim/{token}`.
pub async fn page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    request: HeaderMap,
) -> Response {
    let response = match build(&state, &token).await {
        Ok(html) => super::respond(html, Cache::NoStore, &request),
        Err(error @ HttpError::Conflict(_)) => {
            problem_with_transcript(error, Some(format!("/claim/{token}/transcript")))
        }
        Err(error) => problem(error),
    };
    private(response)
}

async fn build(state: &AppState, token: &str) -> HttpResult<String> {
    let claim = claims::find_claim(state, token).await?;
    let open = exchange::open_exchange(state, &claim).await?;
    let credential: Value = serde_json::from_str(&claim.award.credential).map_err(|error| {
        HttpError::Internal(format!(
            "credential {}: stored JSON: {error}",
            claim.award.id
        ))
    })?;
    let text = |pointer: &str| {
        credential
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let credential_url = state.urls.credential(claim.award.id);
    let image = credential
        .pointer("/credentialSubject/achievement/image/id")
        .or_else(|| credential.pointer("/credentialSubject/achievement/image"))
        .and_then(Value::as_str)
        .and_then(html::href)
        .map_or_else(|| format!("{credential_url}.svg"), str::to_owned);
    let badge = text("/credentialSubject/achievement/name");
    let lcw_link = exchange::lcw_link(state, open.id);
    let head = Head {
        title: format!("Add “{badge}” to your wallet"),
        description: "Put your badge into a digital wallet you control.".into(),
        url: state.urls.origin().to_string(),
        ..Head::default()
    };
    let page = ClaimPage {
        layout: Layout::new(head, None),
        image,
        issuer: text("/issuer/name"),
        recipient_name: claim.award.recipient_name.clone(),
        lcw_qr: qr_data_url(&lcw_link)?,
        lcw_link,
        credential_url,
        minutes: exchange::EXCHANGE_MINUTES,
        other_wallets: super::claim_offer::other_wallets(state, &claim).await?,
        transcript_url: format!("/claim/{token}/transcript"),
        pathways: super::pathway::for_claim(state, &claim.award).await?,
        badge,
    };
    super::render(&page)
}

/// `text` as a QR code, an SVG in a `data:` URL.
pub fn qr_data_url(text: &str) -> HttpResult<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|error| HttpError::Internal(format!("QR code: {error}")))?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        STANDARD.encode(image.as_bytes())
    ))
}

/// A link that cannot be used, said plainly (404 unknown, 409 used or revoked).
pub(super) fn problem(error: HttpError) -> Response {
    problem_with_transcript(error, None)
}

/// [`problem`], with a link to the recipient's transcript when the link still proves who they
/// are (it was used, or its badge can no longer be copied).
fn problem_with_transcript(error: HttpError, transcript_url: Option<String>) -> Response {
    let status = match &error {
        HttpError::NotFound(_) => StatusCode::NOT_FOUND,
        HttpError::Conflict(_) => StatusCode::CONFLICT,
        _ => return error.into_response(),
    };
    let message = match error {
        HttpError::NotFound(message) | HttpError::Conflict(message) => message,
        _ => String::new(),
    };
    let head = Head {
        title: "This link cannot be used".into(),
        description: "A personal link for adding a badge to a wallet.".into(),
        ..Head::default()
    };
    let mut chars = message.chars();
    let message = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    let page = ClaimProblem {
        layout: Layout::new(head, None),
        message,
        transcript_url,
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

/// Marks a personal page: not indexed, no `Referer` sent onwards.
pub(super) fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}
