//! The staff console: a web admin for programme staff, server-rendered from this binary.
//!
//! This release has signing in and out (argon2id passwords, sessions in `HttpOnly`,
//! `SameSite=Strict` cookies, CSRF tokens on every form, growing waits after repeated failures:
//! see [`sign_in`]), changing one's own password,
//! roles (administrator, issuer manager, viewer), the audit log, the dashboard (with the
//! latest failed emails), award search with each recipient's email delivery, revoke and
//! suspend behind a confirmation, resend, CSV export for Excel and a programme summary
//! ([`award_actions`], [`reports`]), each issuer's email settings with a test email and its
//! and each badge's email template ([`email`]), issuers (profile, branding, keys and their
//! rotation), badges with a preview of the credential they mint, sessions with attendance imports (review,
//! confirm, progress, per-line CSV), other organisations' endorsements of a badge or an issuer
//! ([`endorsements`]), accounts, and API tokens. Accounts
//! are made with `laurel user create`. Every change made here is written to the audit log.
//!
//! Every screen is an askama template in `templates/console/` with a Rust struct of view data
//! beside its handler; [`layout`] has the base layout's data and answers with the pages.
//!
//! Every route is in one table, [`ROUTES`], from which the router is built, so a test can walk
//! them all (as an issuer manager of another issuer, it must see and change nothing) and a new
//! route cannot be left out of it. An issuer manager sees only the issuers in their list, and
//! an empty list means none: see [`session::Staff::issuer_filter`].

pub mod account;
pub mod achievements;
pub mod audit;
pub mod award_actions;
pub mod awards;
pub mod email;
pub mod endorsements;
pub mod events;
pub mod images;
pub mod issuers;
pub mod layout;
pub mod pathways;
pub mod reports;
pub use laurel_service::accounts::password;
pub use laurel_service::accounts::{account, check_new_user, check_username, new_user};
pub mod recipients;
pub mod session;
pub mod sign_in;
pub mod throttle;
pub mod tokens;
pub mod transcripts;
pub mod users;

use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::on;
use chrono::{DateTime, Utc};
use laurel_store::{AwardFilter, ImportStatus, NotificationFilter, NotificationState, User};
use serde::Deserialize;
use uuid::Uuid;

use crate::{AppState, HttpError};
use layout::Layout;
use session::{SESSION_COOKIE, Staff};

pub use crate::routes::Route;
use crate::routes::route;

/// Every route of the console.
pub const ROUTES: &[Route] = &[
    route(Method::GET, "/console", |m| on(m, dashboard)),
    route(Method::GET, "/console/sign-in", |m| on(m, sign_in::form)),
    route(Method::POST, "/console/sign-in", |m| on(m, sign_in::submit)),
    route(Method::POST, "/console/sign-out", |m| on(m, sign_out)),
    route(Method::GET, "/console/password", |m| on(m, account::form)),
    route(Method::POST, "/console/password", |m| {
        on(m, account::change)
    }),
    route(Method::GET, "/console/audit", |m| on(m, audit::page)),
    route(Method::GET, "/console/audit.csv", |m| on(m, audit::export)),
    route(Method::GET, "/console/awards", |m| on(m, awards::list)),
    route(Method::GET, "/console/awards.csv", |m| {
        on(m, reports::awards_csv)
    }),
    route(Method::GET, "/console/reports", |m| on(m, reports::summary)),
    route(Method::GET, "/console/reports.csv", |m| {
        on(m, reports::summary_csv)
    }),
    route(Method::POST, "/console/awards/new", |m| {
        on(m, awards::create)
    }),
    route(Method::GET, "/console/awards/{id}/{action}", |m| {
        on(m, award_actions::confirm)
    }),
    route(Method::POST, "/console/awards/{id}/{action}", |m| {
        on(m, award_actions::act)
    }),
    route(Method::GET, "/console/issuers/{id}/email", |m| {
        on(m, email::settings::show)
    }),
    route(Method::POST, "/console/issuers/{id}/email", |m| {
        on(m, email::settings::update)
    }),
    route(Method::POST, "/console/issuers/{id}/email/test", |m| {
        on(m, email::settings::test)
    }),
    route(Method::GET, "/console/issuers/{id}/email/template", |m| {
        on(m, email::templates::show_issuer)
    }),
    route(Method::POST, "/console/issuers/{id}/email/template", |m| {
        on(m, email::templates::change_issuer)
    }),
    route(Method::GET, "/console/achievements/{id}/email", |m| {
        on(m, email::templates::show_badge)
    }),
    route(Method::POST, "/console/achievements/{id}/email", |m| {
        on(m, email::templates::change_badge)
    }),
    route(Method::GET, "/console/tokens", |m| on(m, tokens::list)),
    route(Method::POST, "/console/tokens", |m| on(m, tokens::create)),
    route(Method::POST, "/console/tokens/revoke", |m| {
        on(m, tokens::revoke)
    }),
    route(Method::GET, "/console/users", |m| on(m, users::list)),
    route(Method::POST, "/console/users", |m| on(m, users::create)),
    route(Method::POST, "/console/users/toggle", |m| {
        on(m, users::toggle)
    }),
    route(Method::GET, "/console/issuers", |m| on(m, issuers::list)),
    route(Method::POST, "/console/issuers", |m| on(m, issuers::create)),
    route(Method::GET, "/console/issuers/{id}", |m| {
        on(m, issuers::show)
    }),
    route(Method::POST, "/console/issuers/{id}", |m| {
        on(m, issuers::update)
    }),
    route(Method::POST, "/console/issuers/{id}/rotate-keys", |m| {
        on(m, issuers::rotate)
    }),
    route(Method::POST, "/console/issuers/{id}/image", |m| {
        on(m, images::issuer)
    }),
    route(Method::GET, "/console/events", |m| on(m, events::list)),
    route(Method::POST, "/console/events", |m| on(m, events::create)),
    route(Method::POST, "/console/series", |m| {
        on(m, events::create_series)
    }),
    route(Method::GET, "/console/events/{id}", |m| on(m, events::show)),
    route(Method::POST, "/console/events/{id}/import", |m| {
        on(m, events::import)
    }),
    route(Method::GET, "/console/events/run", |m| {
        on(m, events::run_form)
    }),
    route(Method::POST, "/console/events/run", |m| {
        on(m, events::create_run)
    }),
    route(Method::GET, "/console/events/{id}/edit", |m| {
        on(m, events::edit_form)
    }),
    route(Method::POST, "/console/events/{id}/edit", |m| {
        on(m, events::save_edit)
    }),
    route(Method::GET, "/console/events/{id}/duplicate", |m| {
        on(m, events::duplicate)
    }),
    route(Method::GET, "/console/series/{id}", |m| {
        on(m, events::show_series)
    }),
    route(Method::POST, "/console/series/{id}", |m| {
        on(m, events::rename_series)
    }),
    route(Method::POST, "/console/achievements/{id}/duplicate", |m| {
        on(m, achievements::duplicate)
    }),
    route(Method::GET, "/console/imports/{id}", |m| on(m, events::job)),
    route(Method::GET, "/console/imports/{id}/result.csv", |m| {
        on(m, events::result_csv)
    }),
    route(Method::GET, "/console/achievements", |m| {
        on(m, achievements::list)
    }),
    route(Method::GET, "/console/recipients", |m| {
        on(m, recipients::page)
    }),
    route(Method::POST, "/console/achievements", |m| {
        on(m, achievements::create)
    }),
    route(Method::GET, "/console/achievements/{id}", |m| {
        on(m, achievements::show)
    }),
    route(Method::POST, "/console/achievements/{id}", |m| {
        on(m, achievements::update)
    }),
    route(Method::POST, "/console/achievements/{id}/image", |m| {
        on(m, images::achievement)
    }),
    route(Method::GET, "/console/issuers/{id}/categories", |m| {
        on(m, transcripts::show_categories)
    }),
    route(Method::POST, "/console/issuers/{id}/categories", |m| {
        on(m, transcripts::update_categories)
    }),
    route(Method::POST, "/console/achievements/{id}/category", |m| {
        on(m, transcripts::update_category)
    }),
    route(Method::GET, "/console/recipients/transcript", |m| {
        on(m, transcripts::person)
    }),
    route(Method::GET, "/console/transcripts", |m| {
        on(m, transcripts::bulk)
    }),
    route(
        Method::GET,
        "/console/achievements/{id}/endorsements",
        |m| on(m, endorsements::achievement_page),
    ),
    route(
        Method::POST,
        "/console/achievements/{id}/endorsements",
        |m| on(m, endorsements::achievement_submit),
    ),
    route(Method::GET, "/console/issuers/{id}/endorsements", |m| {
        on(m, endorsements::issuer_page)
    }),
    route(Method::POST, "/console/issuers/{id}/endorsements", |m| {
        on(m, endorsements::issuer_submit)
    }),
    route(Method::POST, "/console/endorsements/{id}/withdraw", |m| {
        on(m, endorsements::withdraw)
    }),
    route(Method::GET, "/console/achievements/{id}/pathway", |m| {
        on(m, pathways::show)
    }),
    route(Method::POST, "/console/achievements/{id}/pathway", |m| {
        on(m, pathways::change)
    }),
];

/// The console's routes, from [`ROUTES`].
pub fn router() -> Router<AppState> {
    crate::routes::router(ROUTES)
}

/// Writes one line of the audit log; a failure is logged, never shown to the user.
pub async fn audit_log(
    state: &AppState,
    user: Option<&User>,
    username: &str,
    action: &str,
    target: Option<String>,
    detail: serde_json::Value,
) {
    let actor = laurel_service::audit::Actor {
        via: laurel_store::VIA_CONSOLE,
        name: username.to_string(),
        user_id: user.map(|u| u.id),
    };
    laurel_service::audit::write(
        state.store.as_ref(),
        state.clock.now(),
        &actor,
        action,
        target,
        detail,
    )
    .await;
}

/// The sign-out form's fields.
#[derive(Debug, Deserialize)]
pub struct Csrf {
    #[serde(default)]
    csrf: String,
}

/// The answer to a form whose CSRF token does not match the session's (expired, or sent
/// from another site): nothing was changed.
pub fn csrf_rejected() -> Response {
    layout::error(&HttpError::Forbidden(
        "the form expired or came from another site; nothing was changed. Reload the page and \
         try again."
            .into(),
    ))
}

/// `POST /console/sign-out`.
async fn sign_out(State(state): State<AppState>, staff: Staff, Form(form): Form<Csrf>) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    if let Err(error) = state
        .store
        .delete_session(&staff.session.secret_sha256)
        .await
    {
        return layout::error(&error.into());
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "sign_out",
        None,
        serde_json::json!({}),
    )
    .await;
    let mut response = Redirect::to("/console/sign-in").into_response();
    append_cookie(
        &mut response,
        &session::set_cookie(&state, SESSION_COOKIE, "", 0),
    );
    response
}

/// `GET /console`: recent awards, awards per achievement and per month, failed emails,
/// imports in progress.
async fn dashboard(State(state): State<AppState>, staff: Staff) -> Response {
    match dashboard_page(&state, &staff).await {
        Ok(page) => layout::respond(StatusCode::OK, &page),
        Err(error) => layout::error(&error),
    }
}

async fn dashboard_page(state: &AppState, staff: &Staff) -> Result<DashboardPage, HttpError> {
    let now = state.clock.now();
    // An issuer manager sees their issuers' figures; everyone else sees all.
    let (recent, total) = awards::scoped(
        state,
        staff,
        AwardFilter {
            limit: 10,
            ..AwardFilter::default()
        },
    )
    .await?;
    let achievements: Vec<_> = state
        .store
        .list_achievements(None)
        .await?
        .into_iter()
        .filter(|a| staff.may_see(a.issuer_id))
        .collect();
    let names: std::collections::HashMap<Uuid, String> = achievements
        .iter()
        .map(|a| (a.id, a.name.clone()))
        .collect();
    let mut per_achievement = Vec::new();
    for achievement in &achievements {
        let (_, count) = awards::scoped(
            state,
            staff,
            AwardFilter {
                achievement_id: Some(achievement.id),
                limit: 0,
                ..AwardFilter::default()
            },
        )
        .await?;
        per_achievement.push((achievement.name.clone(), count));
    }
    let mut per_month = Vec::new();
    for back in (0..6).rev() {
        let (start, end) = month(now, back);
        let (_, count) = awards::scoped(
            state,
            staff,
            AwardFilter {
                issued_from: Some(start),
                issued_until: Some(end),
                limit: 0,
                ..AwardFilter::default()
            },
        )
        .await?;
        per_month.push((start.format("%Y-%m").to_string(), count));
    }
    let scopes: Vec<Option<Uuid>> = match staff.visible_issuers() {
        Some(ids) => ids.iter().copied().map(Some).collect(),
        None => vec![None],
    };
    let mut failed = 0;
    let mut failures = Vec::new();
    for issuer_id in scopes {
        let (latest, count) = state
            .store
            .list_notifications(&NotificationFilter {
                issuer_id,
                state: Some(NotificationState::Failed),
                limit: FAILURES_SHOWN,
                ..NotificationFilter::default()
            })
            .await?;
        failed += count;
        failures.extend(latest);
    }
    let failures = email_failures(state, &names, failures).await?;
    let mut running = Vec::new();
    for job in state.store.list_imports(None, 50).await? {
        if !matches!(job.status, ImportStatus::Queued | ImportStatus::Running) {
            continue;
        }
        let event = state.store.event(job.event_id).await?;
        if staff.may_see(event.issuer_id) {
            running.push(job);
        }
    }
    let recent = recent
        .iter()
        .map(|award| RecentAward {
            name: award.recipient_name.clone().unwrap_or_default(),
            email: award.recipient_email.clone(),
            person_url: recipients::person_url(&award.recipient_email),
            badge: names
                .get(&award.achievement_id)
                .cloned()
                .unwrap_or_default(),
            awarded: layout::date(award.issued_at),
        })
        .collect();
    let imports = running
        .iter()
        .map(|job| RunningImport {
            file_name: job
                .file_name
                .clone()
                .unwrap_or_else(|| "attendance report".into()),
            processed: job.processed_rows,
            total: job.total_rows,
        })
        .collect();
    let first_steps = first_steps(state, staff, !achievements.is_empty()).await?;
    Ok(DashboardPage {
        layout: Layout::new("Dashboard", Some(staff)),
        first_steps,
        origin: state.urls.origin().to_string(),
        address_warnings: laurel_service::public_url::warnings(state.urls.origin()),
        total,
        recent,
        per_achievement,
        per_month,
        failed,
        failures,
        imports,
    })
}

/// How many of the latest failed emails the dashboard lists.
const FAILURES_SHOWN: u32 = 5;

/// The latest failed emails, newest first, with who, which badge, why, and where to act.
async fn email_failures(
    state: &AppState,
    names: &std::collections::HashMap<Uuid, String>,
    mut failures: Vec<laurel_store::Notification>,
) -> Result<Vec<FailedEmail>, HttpError> {
    failures.sort_by_key(|n| std::cmp::Reverse(n.failed_at));
    failures.truncate(FAILURES_SHOWN as usize);
    let mut shown = Vec::with_capacity(failures.len());
    for n in &failures {
        let award = state.store.award(n.award_id).await?;
        shown.push(FailedEmail {
            link: format!(
                "/console/awards?{}",
                layout::query(&[
                    ("q", award.recipient_email.clone()),
                    ("achievement", n.achievement_id.to_string()),
                ])
            ),
            email: award.recipient_email,
            badge: names.get(&n.achievement_id).cloned().unwrap_or_default(),
            when: n.failed_at.map(layout::date).unwrap_or_default(),
            why: email::failure_words(n),
        });
    }
    Ok(shown)
}

/// One failed email on the dashboard.
struct FailedEmail {
    email: String,
    badge: String,
    when: String,
    why: String,
    /// The awards table showing it, with its Resend button.
    link: String,
}

/// What to do first on a new service, each step ticked off once done: `None` once all are.
async fn first_steps(
    state: &AppState,
    staff: &Staff,
    has_badge: bool,
) -> Result<Option<Vec<FirstStep>>, HttpError> {
    let has_issuer = state
        .store
        .list_issuers()
        .await?
        .iter()
        .any(|issuer| staff.may_see(issuer.id));
    let has_session = state
        .store
        .list_events(&laurel_store::EventFilter::default())
        .await?
        .iter()
        .any(|event| staff.may_see(event.issuer_id));
    if has_issuer && has_badge && has_session {
        return Ok(None);
    }
    let step = |done, url, label, hint| FirstStep {
        done,
        url,
        label,
        hint,
    };
    Ok(Some(vec![
        step(
            has_issuer,
            "/console/issuers",
            "Create the issuer",
            "your organisation as recipients and verifiers will see it: name, web address, logo",
        ),
        step(
            has_badge,
            "/console/achievements",
            "Create its first badge",
            "what it is awarded for, its image, and the rule that awards it",
        ),
        step(
            has_session,
            "/console/events",
            "Create its first session",
            "a webinar or workshop; then import who attended, and the badge is awarded",
        ),
    ]))
}

/// One step of getting started, on the dashboard.
struct FirstStep {
    done: bool,
    url: &'static str,
    label: &'static str,
    hint: &'static str,
}

/// `console/dashboard.html`.
#[derive(Template)]
#[template(path = "console/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    /// What to do first, while something is missing.
    first_steps: Option<Vec<FirstStep>>,
    /// Where credentials are published, and what is wrong with it, if anything.
    origin: String,
    address_warnings: Vec<String>,
    total: u64,
    recent: Vec<RecentAward>,
    /// (badge, awards), then (month, awards).
    per_achievement: Vec<(String, u64)>,
    per_month: Vec<(String, u64)>,
    failed: u64,
    /// The latest few failed emails.
    failures: Vec<FailedEmail>,
    imports: Vec<RunningImport>,
}

struct RecentAward {
    name: String,
    email: String,
    /// The recipient's page.
    person_url: String,
    badge: String,
    awarded: String,
}

struct RunningImport {
    file_name: String,
    processed: u32,
    total: u32,
}

/// The first instant of the month `back` months before `now`'s, and of the month after it.
fn month(now: DateTime<Utc>, back: u32) -> (DateTime<Utc>, DateTime<Utc>) {
    use chrono::{Datelike, NaiveDate, TimeZone};
    let index = now.year() * 12 + now.month0() as i32 - back as i32;
    let first = |index: i32| {
        let day = NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or_default();
        Utc.from_utc_datetime(&day)
    };
    (first(index), first(index + 1))
}

pub(crate) fn append_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_a_get_or_a_post_and_listed_once() {
        let mut seen = std::collections::BTreeSet::new();
        for route in ROUTES {
            assert!(
                route.method == Method::GET || route.method == Method::POST,
                "{} {}: the router makes only GETs and POSTs",
                route.method,
                route.path
            );
            assert!(
                seen.insert((route.method.as_str(), route.path)),
                "{}",
                route.path
            );
        }
    }
}
