//! `GET /claim/{token}/transcript`: a recipient's own continuing-education transcript, reached
//! through their personal claim link (the link proves who they are, as it does for adding the
//! badge to a wallet). It shows the credits of a period (this calendar year unless they pick
//! dates) and offers the PDF for a state library, the CSV, and the signed CLR for a wallet or
//! a verifier. Personal: never cached, never indexed, no `Referer` onwards.
//!
//! The same page is shown through a transcript link emailed on request
//! ([`super::transcript_email`]): [`transcript_of`] builds it for an address, whichever link
//! proved who is asking.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::Datelike;
use laurel_service::transcript::{self, Period};
use laurel_service::wallet::claims;
use serde::Deserialize;

use super::layout::{Head, Layout};
use crate::cache::Cache;
use crate::{AppState, HttpError, HttpResult};

/// The query: the period and a download format.
#[derive(Debug, Default, Deserialize)]
pub struct Asked {
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    format: String,
}

/// `templates/pages/claim_transcript.html`.
#[derive(Template)]
#[template(path = "pages/claim_transcript.html")]
struct TranscriptPage {
    layout: Layout,
    action: String,
    notice: Option<String>,
    from: String,
    until: String,
    error: Option<String>,
    period: String,
    name: String,
    rows: Vec<[String; 5]>,
    excluded: Vec<([String; 3], String)>,
    totals: Vec<(String, String)>,
    total: String,
    downloads: Vec<(&'static str, String)>,
}

/// `GET /claim/{token}/transcript`.
pub async fn page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(asked): Query<Asked>,
    request: HeaderMap,
) -> Response {
    let response = match build(&state, &token, asked).await {
        Ok(Built::Page(html)) => super::respond(html, Cache::NoStore, &request),
        Ok(Built::File(response)) => response,
        Err(error) => super::claim::problem(error),
    };
    super::claim::private(response)
}

/// The transcript page, or a download.
pub(super) enum Built {
    /// The page's HTML.
    Page(String),
    /// A PDF, CSV or CLR.
    File(Response),
}

async fn build(state: &AppState, token: &str, asked: Asked) -> HttpResult<Built> {
    let award = claims::award_of_link(state, token).await?;
    let action = format!("/claim/{token}/transcript");
    transcript_of(state, award.recipient_email, &action, None, asked).await
}

/// `email`'s transcript page at `action` (its own path, for the period form and the
/// downloads), with a `notice` above the form, or the download `asked` for.
pub(super) async fn transcript_of(
    state: &AppState,
    email: String,
    action: &str,
    notice: Option<String>,
    asked: Asked,
) -> HttpResult<Built> {
    let year = state.clock.now().year();
    let from = Some(asked.from.trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or(format!("{year}-01-01"));
    let until = Some(asked.until.trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or(format!("{year}-12-31"));
    let (period, error) =
        match Period::parse(Some(&from), Some(&until), state.clock.now().date_naive()) {
            Ok(period) => (period, None),
            Err(message) => (
                Period::year(year).ok_or_else(|| HttpError::Internal("year".into()))?,
                Some(message),
            ),
        };
    let request = transcript::Request {
        email,
        period,
        issuers: Vec::new(),
    };
    let t = transcript::build(&state.service, &request, None).await?;
    if error.is_none() && ["pdf", "csv", "clr"].contains(&asked.format.as_str()) {
        return Ok(Built::File(
            crate::api::transcripts::render(state, &t, &asked.format, None).await?,
        ));
    }
    let link = |format: &str| {
        format!(
            "{action}?{}",
            laurel_service::links::query(&[
                ("from", from.clone()),
                ("until", until.clone()),
                ("format", format.to_string()),
            ])
        )
    };
    let credits = laurel_service::units::credits_number;
    let head = Head {
        title: format!("Your transcript, {}", t.period.describe()),
        description: "Your continuing-education credits over a period.".into(),
        url: state.urls.origin().to_string(),
        ..Head::default()
    };
    let page = TranscriptPage {
        layout: Layout::new(head, None),
        action: action.to_string(),
        notice,
        error,
        period: t.period.describe(),
        name: t.name.clone().unwrap_or_default(),
        rows: t
            .rows
            .iter()
            .map(|r| {
                [
                    r.date.format("%-d %B %Y").to_string(),
                    r.provider.clone(),
                    r.title.clone(),
                    r.category.clone().unwrap_or_default(),
                    r.credits.map(credits).unwrap_or_default(),
                ]
            })
            .collect(),
        excluded: t
            .excluded
            .iter()
            .map(|e| {
                (
                    [
                        e.row.date.format("%-d %B %Y").to_string(),
                        e.row.provider.clone(),
                        e.row.title.clone(),
                    ],
                    e.reason_text.clone(),
                )
            })
            .collect(),
        totals: t
            .totals
            .iter()
            .map(|c| {
                (
                    c.category.clone().unwrap_or_else(|| "No category".into()),
                    credits(c.credits),
                )
            })
            .collect(),
        total: credits(t.total_credits),
        downloads: vec![
            ("PDF, to print or send", link("pdf")),
            ("CSV, for a spreadsheet", link("csv")),
            ("Signed CLR, for a wallet or a verifier", link("clr")),
        ],
        from,
        until,
    };
    Ok(Built::Page(super::render(&page)?))
}
