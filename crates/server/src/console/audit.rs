//! `/console/audit` and `/console/audit.csv`: the audit log for administrators, filtered by
//! actor, action, through what (console, API, command line, the service itself), dates and
//! target, and exported as CSV with the same filters.
//!
//! Every change is logged once, wherever it came from (see [`laurel_service::audit`]); this page is where
//! people read it. The CSV neutralises cells a spreadsheet would run as formulas.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use laurel_store::{AuditEntry, AuditFilter, VIAS};
use serde::Deserialize;

use super::awards::csv_field;
use super::layout::{self, Choice, FieldErrors, Layout};
use super::session::Staff;
use crate::AppState;

/// Entries per page.
const PAGE: u32 = 100;
/// The most entries one CSV export holds.
const MAX_EXPORT: u32 = 100_000;

/// The page's query: the filters and where the page starts.
#[derive(Debug, Default, Deserialize)]
pub struct Search {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    via: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    offset: u32,
}

impl Search {
    /// The store's filter, or the field that is wrong and why.
    fn filter(&self, limit: u32) -> Result<AuditFilter, (&'static str, String)> {
        let text = |value: &str| Some(value.trim().to_string()).filter(|v| !v.is_empty());
        let via = text(&self.via);
        if let Some(via) = &via
            && !VIAS.contains(&via.as_str())
        {
            return Err(("via", format!("“{via}” is not one of {}.", VIAS.join(", "))));
        }
        Ok(AuditFilter {
            actor: text(&self.actor),
            action: text(&self.action),
            via,
            target: text(&self.target),
            from: day("from", &self.from, false)?,
            until: day("until", &self.until, true)?,
            limit,
            offset: self.offset,
        })
    }

    /// The filters as a query string, starting at `offset`.
    fn query_string(&self, offset: u32) -> String {
        let pairs = [
            ("actor", &self.actor),
            ("action", &self.action),
            ("via", &self.via),
            ("target", &self.target),
            ("from", &self.from),
            ("until", &self.until),
        ];
        let mut query: Vec<String> = pairs
            .iter()
            .filter(|(_, value)| !value.trim().is_empty())
            .map(|(name, value)| format!("{name}={}", layout::query_value(value.trim())))
            .collect();
        if offset > 0 {
            query.push(format!("offset={offset}"));
        }
        query.join("&")
    }
}

/// A date (2026-03-01) or an RFC 3339 time; `until` as a date means the end of that day.
fn day(
    field: &'static str,
    text: &str,
    end_of_day: bool,
) -> Result<Option<DateTime<Utc>>, (&'static str, String)> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(Some(at.with_timezone(&Utc)));
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
    {
        Some(start) if end_of_day => Ok(Some(start.and_utc() + Duration::days(1))),
        Some(start) => Ok(Some(start.and_utc())),
        None => Err((
            field,
            format!("Give a date such as 2026-03-01 (got “{text}”)."),
        )),
    }
}

fn admins_only(staff: &Staff) -> Option<Response> {
    (!staff.is_admin())
        .then(|| layout::not_allowed(staff, "Only administrators can read the audit log."))
}

/// `GET /console/audit`.
pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(search): Query<Search>,
) -> Response {
    if let Some(refused) = admins_only(&staff) {
        return refused;
    }
    let (filter, problem) = match search.filter(PAGE) {
        Ok(filter) => (filter, None),
        Err(problem) => (AuditFilter::default(), Some(problem)),
    };
    let (entries, total) = if problem.is_some() {
        (Vec::new(), 0)
    } else {
        match state.store.search_audit(&filter).await {
            Ok(found) => found,
            Err(error) => return layout::error(&error.into()),
        }
    };
    let rows = entries
        .iter()
        .map(|e| AuditRow {
            at: e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            username: e.username.clone(),
            action: e.action.clone(),
            via: e.via.clone(),
            target: e.target.clone().unwrap_or_default(),
            detail: e.detail.clone(),
        })
        .collect();
    let older = (u64::from(search.offset) + u64::from(PAGE) < total)
        .then(|| search.query_string(search.offset + PAGE));
    let vias = std::iter::once("")
        .chain(VIAS.iter().copied())
        .map(|via| {
            let label = match via {
                "" => "Any",
                "console" => "Console",
                "api" => "API",
                "cli" => "Command line",
                _ => "The service itself",
            };
            Choice::new(via, label, search.via.trim() == via)
        })
        .collect();
    let status = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    layout::respond(
        status,
        &AuditPage {
            layout: Layout::new("Audit log", Some(&staff)),
            export: search.query_string(0),
            search: &search,
            vias,
            errors: FieldErrors::new(problem.as_ref()),
            total,
            rows,
            older,
        },
    )
}

/// `console/audit.html`.
#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage<'a> {
    layout: Layout,
    search: &'a Search,
    vias: Vec<Choice>,
    errors: FieldErrors,
    /// The query string of these filters, for the CSV export.
    export: String,
    total: u64,
    rows: Vec<AuditRow>,
    /// The query string of the next page, if there is one.
    older: Option<String>,
}

struct AuditRow {
    at: String,
    username: String,
    action: String,
    via: String,
    target: String,
    detail: String,
}

/// `GET /console/audit.csv`: the entries the same filters find, newest first.
pub async fn export(
    State(state): State<AppState>,
    staff: Staff,
    Query(search): Query<Search>,
) -> Response {
    if let Some(refused) = admins_only(&staff) {
        return refused;
    }
    let filter = match search.filter(MAX_EXPORT) {
        Ok(filter) => AuditFilter {
            offset: 0,
            ..filter
        },
        Err((_, message)) => return layout::error(&crate::HttpError::BadRequest(message)),
    };
    match state.store.search_audit(&filter).await {
        Ok((entries, _)) => layout::csv(csv(&entries), "audit.csv"),
        Err(error) => layout::error(&error.into()),
    }
}

/// The entries as CSV (RFC 4180, CRLF), formula-like cells neutralised.
fn csv(entries: &[AuditEntry]) -> String {
    let mut out = String::from("at,actor,via,action,target,detail\r\n");
    for e in entries {
        let fields = [
            e.at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            e.username.clone(),
            e.via.clone(),
            e.action.clone(),
            e.target.clone().unwrap_or_default(),
            e.detail.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}
