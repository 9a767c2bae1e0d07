//! Reports: the awards CSV (what the awards search finds, for Excel: a byte-order mark, CRLF
//! line ends, formulas defused) and a programme's summary over a period (awards per badge,
//! credits per person) as a page and as CSV.
//!
//! The figures and the CSV cells are the domain's ([`laurel_service::reports`]); this module
//! reads the search, limits it to what the member of staff may see, and lays the result out.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use laurel_service::reports::{self, Summary, credential_facts, credits_text, csv_document};
use laurel_service::units::hours_in_words;
use laurel_store::{AwardFilter, Notification, NotificationFilter};
use serde::Deserialize;
use uuid::Uuid;

use super::awards::{Search, scoped, state_of};
use super::email::{DeliveryView, Mistakes, failure_words};
use super::layout::{self, Choice, Layout, query};
use super::session::Staff;
use crate::{AppState, HttpError};

/// The most rows one CSV export holds.
const MAX_EXPORT: u32 = 100_000;

/// One CSV cell, quoted, formulas defused (see [`laurel_service::reports::csv_cell`]).
pub(crate) fn csv_field(text: &str) -> String {
    reports::csv_cell(text)
}

/// The email of every award of the issuers `staff` may see, by award.
async fn deliveries(
    state: &AppState,
    staff: &Staff,
) -> Result<HashMap<Uuid, Notification>, HttpError> {
    let Some(issuer_ids) = staff.issuer_filter() else {
        return Ok(HashMap::new());
    };
    let (found, _) = state
        .store
        .list_notifications(&NotificationFilter {
            issuer_ids,
            limit: MAX_EXPORT,
            ..NotificationFilter::default()
        })
        .await?;
    Ok(found.into_iter().map(|n| (n.award_id, n)).collect())
}

/// `GET /console/awards.csv`: what the awards search finds.
pub async fn awards_csv(
    State(state): State<AppState>,
    staff: Staff,
    Query(search): Query<Search>,
) -> Response {
    match try_awards_csv(&state, &staff, &search).await {
        Ok(body) => layout::csv(body, "awards.csv"),
        Err(error) => layout::error(&error),
    }
}

async fn try_awards_csv(
    state: &AppState,
    staff: &Staff,
    search: &Search,
) -> Result<String, HttpError> {
    let filter = search
        .filter(MAX_EXPORT)
        .map_err(|(_, message)| HttpError::BadRequest(message))?;
    let (awards, _) = scoped(
        state,
        staff,
        AwardFilter {
            offset: 0,
            ..filter
        },
    )
    .await?;
    let achievements = state.store.list_achievements(None).await?;
    let names: HashMap<Uuid, &str> = achievements
        .iter()
        .map(|a| (a.id, a.name.as_str()))
        .collect();
    let emails = deliveries(state, staff).await?;
    let day = |at: Option<DateTime<Utc>>| at.map(|t| t.format("%Y-%m-%d").to_string());
    let header = [
        "Name",
        "Email",
        "Badge",
        "Awarded",
        "Activity date",
        "Credits",
        "Status",
        "Revoked on",
        "Revocation reason",
        "Email state",
        "Email detail",
        "Credential",
        "Role",
    ]
    .map(String::from)
    .to_vec();
    let mut rows = vec![header];
    for award in &awards {
        let facts = credential_facts(&award.credential);
        let notification = emails.get(&award.id);
        let delivery = DeliveryView::of(notification);
        let email_detail = match notification {
            Some(n) if delivery.state == "failed" => failure_words(n),
            _ => String::new(),
        };
        rows.push(vec![
            award.recipient_name.clone().unwrap_or_default(),
            award.recipient_email.clone(),
            names
                .get(&award.achievement_id)
                .copied()
                .unwrap_or("")
                .to_string(),
            award.issued_at.format("%Y-%m-%d").to_string(),
            facts.activity_date.unwrap_or_default(),
            facts.credits.map(credits_text).unwrap_or_default(),
            state_of(award).to_string(),
            day(award.revoked_at).unwrap_or_default(),
            award.revocation_reason.clone().unwrap_or_default(),
            delivery.state.replace("none", "not emailed"),
            email_detail,
            state.urls.credential(award.id),
            award.role.clone().unwrap_or_default(),
        ]);
    }
    Ok(csv_document(rows))
}

/// The summary's fields: an issuer and a period.
#[derive(Debug, Default, Deserialize)]
pub struct Period {
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// A checked period: the issuer, the first instant and the instant after the last day.
struct Checked {
    issuer_id: Uuid,
    issuer_name: String,
    from: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
}

impl Period {
    /// Every mistake, or the checked period (issuer required when staff see more than one).
    async fn check(
        &self,
        state: &AppState,
        staff: &Staff,
    ) -> Result<Result<Checked, Mistakes>, HttpError> {
        let mut mistakes = Vec::new();
        let day = |field: &'static str, text: &str, mistakes: &mut Vec<(&'static str, String)>| {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            let parsed = NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc());
            if parsed.is_none() {
                mistakes.push((field, format!("“{text}” is not a date such as 2026-03-01.")));
            }
            parsed
        };
        let from = day("from", &self.from, &mut mistakes);
        let until = day("to", &self.to, &mut mistakes).map(|d| d + chrono::Duration::days(1));
        if let (Some(from), Some(until)) = (from, until)
            && until <= from
        {
            mistakes.push(("to", "The end comes before the start.".into()));
        }
        let issuer = match Uuid::parse_str(self.issuer.trim()) {
            Ok(id) => match state.store.issuer(id).await {
                Ok(issuer) if staff.may_see(issuer.id) => Some(issuer),
                _ => {
                    mistakes.push(("issuer", "Choose an issuer from the list.".into()));
                    None
                }
            },
            Err(_) => {
                mistakes.push(("issuer", "Choose an issuer.".into()));
                None
            }
        };
        Ok(match issuer {
            Some(issuer) if mistakes.is_empty() => Ok(Checked {
                issuer_id: issuer.id,
                issuer_name: issuer.name,
                from,
                until,
            }),
            _ => Err(Mistakes::new(mistakes)),
        })
    }
}

/// `console/reports.html`.
#[derive(Template)]
#[template(path = "console/reports.html")]
struct ReportsPage<'a> {
    layout: Layout,
    period: &'a Period,
    issuers: Vec<Choice>,
    errors: Mistakes,
    /// The summary and its title, once a period is chosen.
    summary: Option<(String, SummaryView)>,
    /// The query string of this summary, for its CSV.
    csv: String,
}

/// A summary with its numbers as text.
struct SummaryView {
    /// (badge, awards, revoked, credits)
    badges: Vec<(String, u64, u64, String)>,
    /// (name, email, badges, credits)
    people: Vec<(String, String, u64, String)>,
    awards: u64,
    credits: String,
}

impl From<&Summary> for SummaryView {
    fn from(s: &Summary) -> Self {
        SummaryView {
            badges: s
                .per_badge
                .iter()
                .map(|b| {
                    (
                        b.name.clone(),
                        b.awards,
                        b.revoked,
                        hours_in_words(b.credits),
                    )
                })
                .collect(),
            people: s
                .per_person
                .iter()
                .map(|p| {
                    (
                        p.name.clone(),
                        p.email.clone(),
                        p.badges,
                        hours_in_words(p.credits),
                    )
                })
                .collect(),
            awards: s.awards,
            credits: hours_in_words(s.credits),
        }
    }
}

/// The summary of a checked period.
async fn summary_of(
    state: &AppState,
    staff: &Staff,
    checked: &Checked,
) -> Result<Summary, HttpError> {
    let (awards, _) = scoped(
        state,
        staff,
        AwardFilter {
            issuer_id: Some(checked.issuer_id),
            issued_from: checked.from,
            issued_until: checked.until,
            limit: MAX_EXPORT,
            ..AwardFilter::default()
        },
    )
    .await?;
    let achievements = state
        .store
        .list_achievements(Some(checked.issuer_id))
        .await?;
    Ok(reports::summarize(&awards, &achievements))
}

fn title(checked: &Checked, period: &Period) -> String {
    let when = match (period.from.trim(), period.to.trim()) {
        ("", "") => "all time".to_string(),
        (from, "") => format!("from {from}"),
        ("", to) => format!("up to {to}"),
        (from, to) => format!("{from} to {to}"),
    };
    format!("{}, {when}", checked.issuer_name)
}

/// `GET /console/reports`: the form, and the summary once an issuer is chosen.
pub async fn summary(
    State(state): State<AppState>,
    staff: Staff,
    Query(period): Query<Period>,
) -> Response {
    match try_summary(&state, &staff, &period).await {
        Ok(response) => response,
        Err(error) => layout::error(&error),
    }
}

async fn try_summary(
    state: &AppState,
    staff: &Staff,
    period: &Period,
) -> Result<Response, HttpError> {
    let visible: Vec<_> = state
        .store
        .list_issuers()
        .await?
        .into_iter()
        .filter(|i| staff.may_see(i.id))
        .collect();
    // One issuer: chosen already.
    let chosen = if period.issuer.trim().is_empty() && visible.len() == 1 {
        visible[0].id.to_string()
    } else {
        period.issuer.trim().to_string()
    };
    let issuers = visible
        .iter()
        .map(|i| Choice::new(i.id, i.name.clone(), i.id.to_string() == chosen))
        .collect();
    let period = Period {
        issuer: chosen,
        from: period.from.clone(),
        to: period.to.clone(),
    };
    let asked = !period.issuer.is_empty() || !period.from.is_empty() || !period.to.is_empty();
    let (status, errors, summary) = if asked {
        match period.check(state, staff).await? {
            Ok(checked) => {
                let summary = summary_of(state, staff, &checked).await?;
                (
                    StatusCode::OK,
                    Mistakes::default(),
                    Some((title(&checked, &period), SummaryView::from(&summary))),
                )
            }
            Err(mistakes) => (StatusCode::BAD_REQUEST, mistakes, None),
        }
    } else {
        (StatusCode::OK, Mistakes::default(), None)
    };
    let csv = query(&[
        ("issuer", period.issuer.clone()),
        ("from", period.from.clone()),
        ("to", period.to.clone()),
    ]);
    Ok(layout::respond(
        status,
        &ReportsPage {
            layout: Layout::new("Programme summary", Some(staff)),
            period: &period,
            issuers,
            errors,
            summary,
            csv,
        },
    ))
}

/// `GET /console/reports.csv`: the summary as CSV (badges, then people).
pub async fn summary_csv(
    State(state): State<AppState>,
    staff: Staff,
    Query(period): Query<Period>,
) -> Response {
    let checked = match period.check(&state, &staff).await {
        Ok(Ok(checked)) => checked,
        Ok(Err(mistakes)) => {
            let first = ["issuer", "from", "to"]
                .iter()
                .find_map(|f| mistakes.about(f))
                .unwrap_or("Choose an issuer and a period.");
            return layout::error(&HttpError::BadRequest(first.to_string()));
        }
        Err(error) => return layout::error(&error),
    };
    let summary = match summary_of(&state, &staff, &checked).await {
        Ok(summary) => summary,
        Err(error) => return layout::error(&error),
    };
    let mut rows: Vec<Vec<String>> = vec![
        vec![format!("Summary: {}", title(&checked, &period))],
        vec![],
        ["Badge", "Awards", "Revoked", "Credits"]
            .map(String::from)
            .to_vec(),
    ];
    for b in &summary.per_badge {
        rows.push(vec![
            b.name.clone(),
            b.awards.to_string(),
            b.revoked.to_string(),
            credits_text(b.credits),
        ]);
    }
    rows.push(vec![]);
    rows.push(
        ["Name", "Email", "Badges", "Credits"]
            .map(String::from)
            .to_vec(),
    );
    for p in &summary.per_person {
        rows.push(vec![
            p.name.clone(),
            p.email.clone(),
            p.badges.to_string(),
            credits_text(p.credits),
        ]);
    }
    layout::csv(csv_document(rows), "summary.csv")
}
