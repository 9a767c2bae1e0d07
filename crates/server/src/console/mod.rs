//! The staff console: a web admin for programme staff, server-rendered from this binary.
//!
//! This release has signing in and out (argon2id passwords, sessions in `HttpOnly`,
//! `SameSite=Strict` cookies, CSRF tokens on every form, lock-out after repeated failures),
//! roles (administrator, issuer manager, viewer), the audit log, the dashboard, award search
//! with revoke, suspend, resend and CSV export, issuers (profile, branding, keys and their
//! rotation), badges with a preview of the credential they mint, sessions with attendance imports (review,
//! confirm, progress, per-line CSV), accounts, and API tokens. Accounts
//! are made with `laurel user create`. Every change made here is written to the audit log.

pub mod achievements;
pub mod audit;
pub mod awards;
pub mod events;
pub mod images;
pub mod issuers;
pub mod pages;
pub mod password;
pub mod session;
pub mod tokens;
pub mod users;

use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use laurel_store::{
    AwardFilter, ImportStatus, NotificationFilter, NotificationState, Session, User,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::pages::html::{date, esc};
use crate::{ApiError, AppState};
use session::{SESSION_COOKIE, SESSION_HOURS, SIGN_IN_COOKIE, Staff};

/// Failed sign-ins in a row before an account is locked.
pub const MAX_FAILURES: u32 = 5;
/// How long a lock-out lasts.
pub const LOCK_MINUTES: i64 = 15;

/// The console's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console", get(dashboard))
        .route("/console/sign-in", get(sign_in_form).post(sign_in))
        .route("/console/sign-out", axum::routing::post(sign_out))
        .route("/console/audit", get(audit::page))
        .route("/console/audit.csv", get(audit::export))
        .route("/console/awards", get(awards::list))
        .route("/console/awards.csv", get(awards::export))
        .route("/console/awards/new", axum::routing::post(awards::create))
        .route(
            "/console/awards/{id}/{action}",
            axum::routing::post(awards::act),
        )
        .route("/console/tokens", get(tokens::list).post(tokens::create))
        .route("/console/users", get(users::list).post(users::create))
        .route("/console/users/toggle", axum::routing::post(users::toggle))
        .route("/console/issuers", get(issuers::list).post(issuers::create))
        .route("/console/events", get(events::list).post(events::create))
        .route(
            "/console/series",
            axum::routing::post(events::create_series),
        )
        .route("/console/events/{id}", get(events::show))
        .route(
            "/console/events/{id}/import",
            axum::routing::post(events::import),
        )
        .route("/console/imports/{id}", get(events::job))
        .route("/console/imports/{id}/result.csv", get(events::result_csv))
        .route(
            "/console/achievements",
            get(achievements::list).post(achievements::create),
        )
        .route(
            "/console/achievements/{id}",
            get(achievements::show).post(achievements::update),
        )
        .route(
            "/console/issuers/{id}",
            get(issuers::show).post(issuers::update),
        )
        .route(
            "/console/issuers/{id}/rotate-keys",
            axum::routing::post(issuers::rotate),
        )
        .route(
            "/console/issuers/{id}/image",
            axum::routing::post(images::issuer),
        )
        .route(
            "/console/achievements/{id}/image",
            axum::routing::post(images::achievement),
        )
        .route(
            "/console/tokens/revoke",
            axum::routing::post(tokens::revoke),
        )
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
    let actor = crate::audit::Actor {
        via: laurel_store::VIA_CONSOLE,
        name: username.to_string(),
        user_id: user.map(|u| u.id),
    };
    crate::audit::write(
        state.store.as_ref(),
        state.clock.now(),
        &actor,
        action,
        target,
        detail,
    )
    .await;
}

/// `GET /console/sign-in`.
async fn sign_in_form(State(state): State<AppState>) -> Response {
    match session::random_token() {
        Ok(csrf) => with_sign_in_cookie(
            &state,
            pages::respond(StatusCode::OK, pages::sign_in(&csrf, "", None)),
            &csrf,
        ),
        Err(error) => pages::error(&ApiError::Internal(error.to_string())),
    }
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub struct SignIn {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

/// `POST /console/sign-in`.
async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SignIn>,
) -> Response {
    match try_sign_in(&state, &headers, form).await {
        Ok(response) => response,
        Err(error) => pages::error(&error),
    }
}

async fn try_sign_in(
    state: &AppState,
    headers: &HeaderMap,
    form: SignIn,
) -> Result<Response, ApiError> {
    let fresh = session::random_token().map_err(|e| ApiError::Internal(e.to_string()))?;
    let username = form.username.trim().to_lowercase();
    let again = |status: StatusCode, message: &str| {
        with_sign_in_cookie(
            state,
            pages::respond(status, pages::sign_in(&fresh, &username, Some(message))),
            &fresh,
        )
    };
    let expected = session::cookie(headers, SIGN_IN_COOKIE).unwrap_or_default();
    if !session::same(&form.csrf, &expected) {
        return Ok(again(
            StatusCode::FORBIDDEN,
            "The form expired or came from another site. Please sign in again.",
        ));
    }
    let now = state.clock.now();
    let user = state.store.user_by_name(&username).await?;
    let Some(user) = user else {
        // As slow as a real check, so timing does not tell which usernames exist.
        password::verify(&form.password, password::decoy());
        audit_log(
            state,
            None,
            &username,
            "sign_in_failed",
            None,
            serde_json::json!({"reason": "unknown username"}),
        )
        .await;
        return Ok(again(
            StatusCode::UNAUTHORIZED,
            "Wrong username or password.",
        ));
    };
    if let Some(until) = user.locked_until.filter(|until| *until > now) {
        return Ok(again(
            StatusCode::TOO_MANY_REQUESTS,
            &format!(
                "Too many failed sign-ins: this account is locked until {} UTC.",
                until.format("%H:%M")
            ),
        ));
    }
    if user.disabled_at.is_some() || !password::verify(&form.password, &user.password_hash) {
        let failures = user.failed_sign_ins + 1;
        let locked = (failures >= MAX_FAILURES).then(|| now + Duration::minutes(LOCK_MINUTES));
        let (failures, locked) = match locked {
            Some(until) => (0, Some(until)),
            None => (failures, None),
        };
        state
            .store
            .set_sign_in_state(user.id, failures, locked)
            .await?;
        audit_log(
            state,
            Some(&user),
            &user.username,
            "sign_in_failed",
            None,
            serde_json::json!({"locked": locked.is_some()}),
        )
        .await;
        return Ok(match locked {
            Some(until) => again(
                StatusCode::TOO_MANY_REQUESTS,
                &format!(
                    "Too many failed sign-ins: this account is locked until {} UTC.",
                    until.format("%H:%M")
                ),
            ),
            None => again(StatusCode::UNAUTHORIZED, "Wrong username or password."),
        });
    }
    state.store.set_sign_in_state(user.id, 0, None).await?;
    let secret = session::random_token().map_err(|e| ApiError::Internal(e.to_string()))?;
    let csrf = session::random_token().map_err(|e| ApiError::Internal(e.to_string()))?;
    state
        .store
        .create_session(&Session {
            secret_sha256: session::digest(&secret),
            user_id: user.id,
            csrf_token: csrf,
            created_at: now,
            expires_at: now + Duration::hours(SESSION_HOURS),
        })
        .await?;
    audit_log(
        state,
        Some(&user),
        &user.username,
        "sign_in",
        None,
        serde_json::json!({}),
    )
    .await;
    let mut response = Redirect::to("/console").into_response();
    append_cookie(
        &mut response,
        &session::set_cookie(state, SESSION_COOKIE, &secret, SESSION_HOURS * 3600),
    );
    append_cookie(
        &mut response,
        &session::set_cookie(state, SIGN_IN_COOKIE, "", 0),
    );
    Ok(response)
}

/// The sign-out form's fields.
#[derive(Debug, Deserialize)]
pub struct Csrf {
    #[serde(default)]
    csrf: String,
}

/// The answer to a form whose CSRF token does not match: nothing was changed.
pub fn forged() -> Response {
    pages::error(&ApiError::Forbidden(
        "the form expired or came from another site; nothing was changed. Reload the page and \
         try again."
            .into(),
    ))
}

/// `POST /console/sign-out`.
async fn sign_out(State(state): State<AppState>, staff: Staff, Form(form): Form<Csrf>) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return forged();
    }
    if let Err(error) = state
        .store
        .delete_session(&staff.session.secret_sha256)
        .await
    {
        return pages::error(&error.into());
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
        Ok(html) => pages::respond(StatusCode::OK, html),
        Err(error) => pages::error(&error),
    }
}

async fn dashboard_page(state: &AppState, staff: &Staff) -> Result<String, ApiError> {
    let now = state.clock.now();
    // An issuer manager sees their issuers' figures; everyone else sees all.
    let issuer_ids = staff.visible_issuers().unwrap_or_default().to_vec();
    let (recent, total) = state
        .store
        .list_awards(&AwardFilter {
            issuer_ids: issuer_ids.clone(),
            limit: 10,
            ..AwardFilter::default()
        })
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
    let mut per_achievement = String::new();
    for achievement in &achievements {
        let (_, count) = state
            .store
            .list_awards(&AwardFilter {
                achievement_id: Some(achievement.id),
                limit: 0,
                ..AwardFilter::default()
            })
            .await?;
        per_achievement.push_str(&format!(
            "<tr><td>{}</td><td class=\"number\">{count}</td></tr>\n",
            esc(&achievement.name)
        ));
    }
    let mut per_month = String::new();
    for back in (0..6).rev() {
        let (start, end) = month(now, back);
        let (_, count) = state
            .store
            .list_awards(&AwardFilter {
                issuer_ids: issuer_ids.clone(),
                issued_from: Some(start),
                issued_until: Some(end),
                limit: 0,
                ..AwardFilter::default()
            })
            .await?;
        per_month.push_str(&format!(
            "<tr><td>{}</td><td class=\"number\">{count}</td></tr>\n",
            start.format("%Y-%m")
        ));
    }
    let scopes: Vec<Option<Uuid>> = match staff.visible_issuers() {
        Some(ids) => ids.iter().copied().map(Some).collect(),
        None => vec![None],
    };
    let mut failed = 0;
    for issuer_id in scopes {
        let (_, count) = state
            .store
            .list_notifications(&NotificationFilter {
                issuer_id,
                state: Some(NotificationState::Failed),
                limit: 0,
                ..NotificationFilter::default()
            })
            .await?;
        failed += count;
    }
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
    let recent_rows: String = recent
        .iter()
        .map(|award| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                esc(award.recipient_name.as_deref().unwrap_or("")),
                esc(&award.recipient_email),
                esc(names.get(&award.achievement_id).map_or("", String::as_str)),
                date(award.issued_at),
            )
        })
        .collect();
    let imports = if running.is_empty() {
        "<p>No import is in progress.</p>".to_string()
    } else {
        let rows: String = running
            .iter()
            .map(|job| {
                format!(
                    "<li>{} — {} of {} lines</li>\n",
                    esc(job.file_name.as_deref().unwrap_or("attendance report")),
                    job.processed_rows,
                    job.total_rows,
                )
            })
            .collect();
        format!("<ul>{rows}</ul>")
    };
    let body = format!(
        r#"<section aria-labelledby="recent"><h2 id="recent">Recent awards</h2>
<p>{total} awards in all.</p>
<table><thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Badge</th><th scope="col">Awarded</th></tr></thead>
<tbody>
{recent_rows}</tbody></table></section>
<section aria-labelledby="per-achievement"><h2 id="per-achievement">Awards per badge</h2>
<table><thead><tr><th scope="col">Badge</th><th scope="col">Awards</th></tr></thead><tbody>
{per_achievement}</tbody></table></section>
<section aria-labelledby="per-month"><h2 id="per-month">Awards per month</h2>
<table><thead><tr><th scope="col">Month</th><th scope="col">Awards</th></tr></thead><tbody>
{per_month}</tbody></table></section>
<section aria-labelledby="email"><h2 id="email">Email</h2>
<p id="failed-notifications">{failed} notification emails failed.</p></section>
<section aria-labelledby="imports"><h2 id="imports">Imports in progress</h2>
{imports}</section>"#
    );
    Ok(pages::page("Dashboard", Some(staff), &body))
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

fn with_sign_in_cookie(state: &AppState, mut response: Response, csrf: &str) -> Response {
    append_cookie(
        &mut response,
        &session::set_cookie(state, SIGN_IN_COOKIE, csrf, 3600),
    );
    response
}

fn append_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Makes a staff account (for `laurel user create`): the username lowercased and checked,
/// the password hashed.
pub fn new_user(
    username: &str,
    password: &str,
    role: laurel_store::Role,
    issuer_ids: Vec<Uuid>,
    now: DateTime<Utc>,
) -> Result<User, String> {
    let username = username.trim().to_lowercase();
    if username.is_empty()
        || username.len() > 64
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c))
    {
        return Err("the username must be 1 to 64 letters, digits, '.', '_', '-' or '@'".into());
    }
    if password.chars().count() < password::MIN_LENGTH {
        return Err(format!(
            "the password must have at least {} characters",
            password::MIN_LENGTH
        ));
    }
    let password_hash = password::hash(password).map_err(|e| e.to_string())?;
    Ok(User {
        id: Uuid::now_v7(),
        username,
        password_hash,
        role,
        issuer_ids,
        failed_sign_ins: 0,
        locked_until: None,
        created_at: now,
        disabled_at: None,
    })
}
