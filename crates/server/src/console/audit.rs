//! `/console/audit` and `/console/audit.csv`: the audit log for administrators, filtered by
//! actor, action, through what (console, API, command line, the service itself), dates and
//! target, and exported as CSV with the same filters.
//!
//! Every change is logged once, wherever it came from (see [`laurel_service::audit`]); this page is where
//! people read it. The CSV neutralises cells a spreadsheet would run as formulas.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use laurel_store::{AuditEntry, AuditFilter, VIAS};
use serde::Deserialize;

use super::awards::csv_field;
use super::pages;
use super::session::Staff;
use crate::AppState;
use crate::pages::html::esc;

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
            .map(|(name, value)| format!("{name}={}", urlencoding(value.trim())))
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

/// Percent-encodes a query value.
fn urlencoding(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn admins_only(staff: &Staff) -> Option<Response> {
    (!staff.is_admin())
        .then(|| pages::not_allowed(staff, "Only administrators can read the audit log."))
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
            Err(error) => return pages::error(&error.into()),
        }
    };
    let rows: String = entries
        .iter()
        .map(|e| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>\n",
                e.at.format("%Y-%m-%d %H:%M:%S"),
                esc(&e.username),
                esc(&e.action),
                esc(&e.via),
                esc(e.target.as_deref().unwrap_or("")),
                esc(&e.detail),
            )
        })
        .collect();
    let next = if u64::from(search.offset) + u64::from(PAGE) < total {
        format!(
            r#"<p><a href="/console/audit?{}">Older entries</a></p>"#,
            esc(&search.query_string(search.offset + PAGE))
        )
    } else {
        String::new()
    };
    let error = problem.as_ref().map(|(field, message)| {
        (
            *field,
            format!(
                r#" <span class="error" id="{field}-error">{}</span>"#,
                esc(message)
            ),
        )
    });
    let mark = |name: &str| match &error {
        Some((field, message)) if *field == name => (
            message.clone(),
            format!(r#" aria-invalid="true" aria-describedby="{name}-error""#),
        ),
        _ => (String::new(), String::new()),
    };
    let (via_error, via_attr) = mark("via");
    let (from_error, from_attr) = mark("from");
    let (until_error, until_attr) = mark("until");
    let via_options: String = std::iter::once("")
        .chain(VIAS.iter().copied())
        .map(|via| {
            let selected = if search.via.trim() == via {
                " selected"
            } else {
                ""
            };
            let label = match via {
                "" => "Any",
                "console" => "Console",
                "api" => "API",
                "cli" => "Command line",
                _ => "The service itself",
            };
            format!(r#"<option value="{via}"{selected}>{label}</option>"#)
        })
        .collect();
    let status = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = format!(
        r#"<form method="get" action="/console/audit">
<p><label for="actor">Who (part of a username, token name, cli:user, rules)</label><br><input id="actor" name="actor" value="{actor}"></p>
<p><label for="action">What (part of an action, e.g. token. or award.create)</label><br><input id="action" name="action" value="{action}"></p>
<p><label for="via">Through</label><br><select id="via" name="via"{via_attr}>{via_options}</select>{via_error}</p>
<p><label for="target">On (part of an id)</label><br><input id="target" name="target" value="{target}"></p>
<p><label for="from">From</label><br><input id="from" name="from" placeholder="2026-01-31" value="{from}"{from_attr}>{from_error}</p>
<p><label for="until">Until (that day included)</label><br><input id="until" name="until" placeholder="2026-12-31" value="{until}"{until_attr}>{until_error}</p>
<p><button type="submit">Filter</button> <a href="/console/audit.csv?{export}">Export these as CSV</a></p>
</form>
<p id="found">{total} entries, newest first.</p>
<table><thead><tr><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Through</th><th scope="col">On</th><th scope="col">Detail</th></tr></thead>
<tbody>
{rows}</tbody></table>
{next}"#,
        actor = esc(&search.actor),
        action = esc(&search.action),
        target = esc(&search.target),
        from = esc(&search.from),
        until = esc(&search.until),
        export = esc(&search.query_string(0)),
    );
    pages::respond(status, pages::page("Audit log", Some(&staff), &body))
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
        Err((_, message)) => return pages::error(&crate::ApiError::BadRequest(message)),
    };
    match state.store.search_audit(&filter).await {
        Ok((entries, _)) => pages::csv(csv(&entries), "audit.csv"),
        Err(error) => pages::error(&error.into()),
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
