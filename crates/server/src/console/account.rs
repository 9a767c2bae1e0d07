//! `/console/password`: staff change their own password.
//!
//! The current password is asked for (a borrowed session cannot take the account over), and
//! a wrong one counts as a failed sign-in, with the same growing waits. The new password is
//! typed twice and must pass [`super::password::check_strength`], the rule the command line
//! uses too. Once changed, every other session of the account is ended (the one making the
//! change stays) and the change is written to the audit log.

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::layout::{self, FieldError, FieldErrors, Layout};
use super::password::{self, PoolError};
use super::session::Staff;
use super::{audit_log, csrf_rejected, throttle};
use crate::{AppState, HttpError};

/// The change-password form's fields.
#[derive(Debug, Default, Deserialize)]
pub struct Change {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    again: String,
}

/// `GET /console/password`.
pub async fn form(staff: Staff) -> Response {
    render(&staff, None, None, StatusCode::OK)
}

/// `POST /console/password`.
pub async fn change(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<Change>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    match try_change(&state, &staff, form).await {
        Ok(Ok(())) => render(
            &staff,
            None,
            Some("Your password was changed. Your other sessions were signed out."),
            StatusCode::OK,
        ),
        Ok(Err((error, status))) => render(&staff, Some(&error), None, status),
        Err(error) => layout::error(&error),
    }
}

type Refused = (FieldError, StatusCode);

async fn try_change(
    state: &AppState,
    staff: &Staff,
    form: Change,
) -> Result<Result<(), Refused>, HttpError> {
    let busy = || {
        Ok(Err((
            ("current", super::sign_in::BUSY.to_string()),
            StatusCode::SERVICE_UNAVAILABLE,
        )))
    };
    let now = state.clock.now();
    let attempt = state
        .store
        .begin_sign_in(&staff.user.username, now, throttle::account_delay)
        .await?;
    let admitted = attempt.is_some_and(|a| a.admitted);
    let stored = if admitted {
        staff.user.password_hash.clone()
    } else {
        password::decoy().to_string()
    };
    let pool = &state.sign_in_guard().passwords;
    let matches = match pool.verify(form.current, stored).await {
        Ok(matches) => matches && admitted,
        Err(PoolError::Busy) => return busy(),
        Err(PoolError::Failed(error)) => return Err(HttpError::Internal(error)),
    };
    if !matches {
        audit_log(
            state,
            Some(&staff.user),
            &staff.user.username,
            "user.password_failed",
            Some(staff.user.id.to_string()),
            json!({ "reason": if admitted { "wrong password" } else { "the account must wait" } }),
        )
        .await;
        let message = "This is not your current password (after a few wrong tries, wait a \
                       moment before trying again).";
        return Ok(Err((
            ("current", message.to_string()),
            StatusCode::BAD_REQUEST,
        )));
    }
    state
        .store
        .set_sign_in_state(staff.user.id, 0, None)
        .await?;
    if let Err(message) = password::check_strength(&form.new) {
        return Ok(Err((("new", sentence(&message)), StatusCode::BAD_REQUEST)));
    }
    if form.new != form.again {
        return Ok(Err((
            (
                "again",
                "The two new passwords differ: type the same one twice.".into(),
            ),
            StatusCode::BAD_REQUEST,
        )));
    }
    let hash = match pool.hash(form.new).await {
        Ok(hash) => hash,
        Err(PoolError::Busy) => return busy(),
        Err(PoolError::Failed(error)) => return Err(HttpError::Internal(error)),
    };
    state
        .store
        .set_password(staff.user.id, &hash, Some(&staff.session.secret_sha256))
        .await?;
    audit_log(
        state,
        Some(&staff.user),
        &staff.user.username,
        "user.password",
        Some(staff.user.id.to_string()),
        json!({ "other_sessions_ended": true }),
    )
    .await;
    Ok(Ok(()))
}

/// "the password must …" as a sentence: capitalised, with a full stop.
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

/// `console/password.html`.
#[derive(Template)]
#[template(path = "console/password.html")]
struct PasswordPage<'a> {
    layout: Layout,
    username: &'a str,
    errors: FieldErrors,
    notice: Option<&'a str>,
}

fn render(
    staff: &Staff,
    error: Option<&FieldError>,
    notice: Option<&str>,
    status: StatusCode,
) -> Response {
    layout::respond(
        status,
        &PasswordPage {
            layout: Layout::new("Your password", Some(staff)),
            username: &staff.user.username,
            errors: FieldErrors::new(error),
            notice,
        },
    )
}
