//! `/console/recipients`: one person's page (their badges with status, the sessions they
//! attended with minutes, the emails sent to them, the credits they earned) and a search for
//! people by part of a name or address.
//!
//! People are looked up by email, the one thing all their records share, given in the query
//! (`?email=`): request logs name the path only, never the query, so addresses stay out of
//! the logs. The gathering is the domain's ([`laurel_service::people`]); this module renders
//! it. Everyone signed in may look (viewers read everything); an issuer manager sees only
//! their issuers' records of the person. Staff who may change an award can email its
//! recipient a fresh wallet link from here, as from the awards table (the same action,
//! `POST /console/awards/{id}/claim-link`, coming back here with its notice).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use laurel_store::{AwardFilter, NotificationState};
use serde::Deserialize;

use super::awards;
use super::email::DeliveryView;
use super::layout::{self, Layout, date};
use super::session::Staff;
use crate::AppState;
use laurel_service::people;
use laurel_service::units::hours_in_words;

/// The most people a search lists.
const FOUND: u32 = 50;

/// The page's query.
#[derive(Debug, Default, Deserialize)]
pub struct Lookup {
    /// The person's address: their page.
    #[serde(default)]
    email: String,
    /// Part of a name or address: a search.
    #[serde(default)]
    q: String,
    /// An action just done on one of the person's awards (after its redirect).
    #[serde(default)]
    done: String,
    /// The award it was done on.
    #[serde(default)]
    award: String,
}

/// `console/recipient.html`.
#[derive(Template)]
#[template(path = "console/recipient.html")]
struct RecipientPage {
    layout: Layout,
    q: String,
    /// What an action just done says ("Queued an email to … with a fresh wallet link.").
    notice: Option<String>,
    /// People found by the search (email, name, page).
    found: Option<Vec<(String, String, String)>>,
    /// A search that looks like a whole address: a link to that person's page.
    exact: Option<(String, String)>,
    person: Option<PersonView>,
}

/// One person's page.
struct PersonView {
    email: String,
    name: String,
    unknown: bool,
    badges: Vec<BadgeRow>,
    sessions: Vec<SessionRow>,
    credits: String,
    emails_sent: usize,
    /// `email=…` for the transcript page's link.
    transcript_query: String,
}

struct BadgeRow {
    /// The award's id.
    id: String,
    badge: String,
    /// The role signed into it, empty when none.
    role: String,
    awarded: String,
    /// "active", "suspended on …: reason", "revoked on …: reason".
    status: String,
    credits: String,
    url: String,
    /// "sent on 4 March 2026", "failed: why", "queued", or "none".
    email: String,
    email_failed: bool,
    /// Whether "Send wallet link" is offered (as on the awards table: the staff member may
    /// change the award, it is not revoked, and no email is on its way).
    may_send_link: bool,
}

struct SessionRow {
    url: String,
    title: String,
    date: String,
    minutes: String,
    /// The role recorded for the session, empty when none.
    role: String,
}

/// The console page of the person with this email.
pub fn person_url(email: &str) -> String {
    format!(
        "/console/recipients?{}",
        layout::query(&[("email", email.to_string())])
    )
}

/// `GET /console/recipients`: a person's page (`?email=`), or a search (`?q=`).
pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(lookup): Query<Lookup>,
) -> Response {
    let email = lookup.email.trim();
    let q = lookup.q.trim();
    let person = if email.is_empty() {
        None
    } else {
        match people::recipient(&state, email, staff.visible_issuers()).await {
            Ok(person) => Some(person),
            Err(error) => return layout::error(&error.into()),
        }
    };
    // Only about one of this person's awards that the staff member may see.
    let notice = match &person {
        Some(person)
            if person
                .badges
                .iter()
                .any(|badge| badge.award.id.to_string() == lookup.award.trim()) =>
        {
            match awards::action_notice(&state, &lookup.done, &lookup.award).await {
                Ok(notice) => notice,
                Err(error) => return layout::error(&error),
            }
        }
        _ => None,
    };
    let person = person.map(|person| view(&state, &staff, &person, email));
    let found = if q.is_empty() {
        None
    } else {
        let filter = AwardFilter {
            recipient_contains: Some(q.to_string()),
            limit: 500,
            ..AwardFilter::default()
        };
        let awards = match awards::scoped(&state, &staff, filter).await {
            Ok((awards, _)) => awards,
            Err(error) => return layout::error(&error),
        };
        let mut people: BTreeMap<String, String> = BTreeMap::new();
        for award in awards {
            let name = award.recipient_name.clone().unwrap_or_default();
            let entry = people.entry(award.recipient_email).or_default();
            if entry.is_empty() {
                *entry = name;
            }
        }
        Some(
            people
                .into_iter()
                .take(FOUND as usize)
                .map(|(email, name)| {
                    let url = person_url(&email);
                    (email, name, url)
                })
                .collect(),
        )
    };
    let exact = (q.contains('@') && !q.contains(' ')).then(|| {
        let url = person_url(&laurel_core::model::normalize_email(q));
        (q.to_string(), url)
    });
    let title = match &person {
        Some(person) if !person.name.is_empty() => person.name.clone(),
        Some(person) => person.email.clone(),
        None => "People".to_string(),
    };
    layout::respond(
        StatusCode::OK,
        &RecipientPage {
            layout: Layout::new(title, Some(&staff)),
            q: q.to_string(),
            notice,
            found,
            exact,
            person,
        },
    )
}

/// The page of `person`, whose address is shown as it was `asked` (the page echoes the
/// question, and says no more than the records the staff member may see).
fn view(state: &AppState, staff: &Staff, person: &people::Recipient, asked: &str) -> PersonView {
    let badges = person
        .badges
        .iter()
        .map(|badge| {
            let award = &badge.award;
            let status = match (award.revoked_at, award.suspended_at) {
                (Some(at), _) => format!(
                    "revoked on {}{}",
                    date(at),
                    reason(award.revocation_reason.as_deref())
                ),
                (None, Some(at)) => format!(
                    "suspended on {}{}",
                    date(at),
                    reason(award.suspension_reason.as_deref())
                ),
                (None, None) => "active".to_string(),
            };
            let (email, email_failed) = match &badge.email {
                None => ("none".to_string(), false),
                Some(sent) => match sent.state {
                    NotificationState::Sent if sent.dry_run => (
                        format!(
                            "recorded on {} (test mode: not sent)",
                            sent.sent_at.map(date).unwrap_or_default()
                        ),
                        false,
                    ),
                    NotificationState::Sent => (
                        format!("sent on {}", sent.sent_at.map(date).unwrap_or_default()),
                        false,
                    ),
                    NotificationState::Failed => (
                        format!("failed{}", reason(sent.last_error.as_deref())),
                        true,
                    ),
                    NotificationState::Queued | NotificationState::Sending => {
                        ("waiting to be sent".to_string(), false)
                    }
                },
            };
            let may_send_link = staff.may_change_issuer(award.issuer_id)
                && award.revoked_at.is_none()
                && DeliveryView::of(badge.email.as_ref()).resendable;
            BadgeRow {
                id: award.id.to_string(),
                badge: badge.achievement.clone(),
                role: award.role.clone().unwrap_or_default(),
                awarded: date(award.issued_at),
                status,
                credits: badge.credits.map(hours_in_words).unwrap_or_default(),
                url: state.urls.credential(award.id),
                email,
                email_failed,
                may_send_link,
            }
        })
        .collect();
    let sessions = person
        .sessions
        .iter()
        .map(|attended| SessionRow {
            url: format!("/console/events/{}", attended.event.id),
            title: attended.event.title.clone(),
            date: date(attended.event.starts_at),
            minutes: if attended.minutes_unknown {
                "attended, no minutes recorded".to_string()
            } else {
                format!(
                    "{} of {} minutes",
                    attended.record.minutes, attended.event.duration_minutes
                )
            },
            role: attended.record.role.clone().unwrap_or_default(),
        })
        .collect();
    PersonView {
        transcript_query: layout::query(&[("email", asked.to_string())]),
        email: asked.to_string(),
        name: person.name.clone().unwrap_or_default(),
        unknown: person.is_unknown(),
        emails_sent: person
            .badges
            .iter()
            .filter(|badge| {
                badge
                    .email
                    .as_ref()
                    .is_some_and(|sent| sent.state == NotificationState::Sent)
            })
            .count(),
        badges,
        sessions,
        credits: hours_in_words(person.credits),
    }
}

/// ": why", or nothing when no reason was given.
fn reason(why: Option<&str>) -> String {
    why.filter(|why| !why.trim().is_empty())
        .map(|why| format!(": {why}"))
        .unwrap_or_default()
}
