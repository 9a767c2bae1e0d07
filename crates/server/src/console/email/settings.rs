//! `/console/issuers/{id}/email`: an issuer's mail server and sender, and "Send a test email".
//!
//! The password is never shown back: the form says whether one is saved, and an empty field
//! keeps it. The test uses the saved settings and reports the server's answer in words.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use laurel_service::email::settings::{self as checks, SettingsInput};
use laurel_service::email::test_send::{self, TestOutcome};
use laurel_store::{EmailSettings, Issuer, SmtpSecurity};
use serde::Deserialize;
use serde_json::json;

use super::{Mistakes, load_issuer};
use crate::AppState;
use crate::console::layout::{self, Choice, Layout};
use crate::console::session::Staff;
use crate::console::{audit_log, csrf_rejected};

/// The settings form's fields, as posted.
#[derive(Debug, Default, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    host: String,
    #[serde(default)]
    port: String,
    #[serde(default)]
    security: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    remove_password: Option<String>,
    #[serde(default)]
    from_address: String,
    #[serde(default)]
    from_name: String,
    #[serde(default)]
    reply_to: String,
    #[serde(default)]
    rate_per_minute: String,
    #[serde(default)]
    dry_run: Option<String>,
}

impl SettingsForm {
    fn from_settings(s: &EmailSettings) -> Self {
        SettingsForm {
            host: s.host.clone(),
            port: s.port.to_string(),
            security: s.security.as_str().into(),
            username: s.username.clone().unwrap_or_default(),
            from_address: s.from_address.clone(),
            from_name: s.from_name.clone().unwrap_or_default(),
            reply_to: s.reply_to.clone().unwrap_or_default(),
            rate_per_minute: s.rate_per_minute.map(|r| r.to_string()).unwrap_or_default(),
            dry_run: s.dry_run.then(|| "yes".into()),
            ..SettingsForm::default()
        }
    }

    fn input(&self) -> SettingsInput {
        SettingsInput {
            host: self.host.clone(),
            port: self.port.clone(),
            security: self.security.clone(),
            username: self.username.clone(),
            password: self.password.clone(),
            remove_password: self.remove_password.is_some(),
            from_address: self.from_address.clone(),
            from_name: self.from_name.clone(),
            reply_to: self.reply_to.clone(),
            rate_per_minute: self.rate_per_minute.clone(),
            dry_run: self.dry_run.is_some(),
        }
    }
}

/// `?saved=1` after a change.
#[derive(Debug, Default, Deserialize)]
pub struct Saved {
    #[serde(default)]
    saved: Option<String>,
}

/// The test form's fields.
#[derive(Debug, Default, Deserialize)]
pub struct TestForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    to: String,
}

/// `console/email_settings.html`.
#[derive(Template)]
#[template(path = "console/email_settings.html")]
struct SettingsPage<'a> {
    layout: Layout,
    notice: Option<&'a str>,
    issuer: &'a Issuer,
    form: &'a SettingsForm,
    securities: Vec<Choice>,
    errors: Mistakes,
    /// Whether a password is saved.
    password_set: bool,
    /// Whether settings are saved (the test needs them).
    configured: bool,
    may_change: bool,
    /// The test's address field and its outcome.
    test_to: String,
    test: Option<TestOutcome>,
    test_error: Mistakes,
}

/// `GET /console/issuers/{id}/email`.
pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(saved): Query<Saved>,
) -> Response {
    let issuer = match load_issuer(&state, &id).await {
        Ok(issuer) if staff.may_see(issuer.id) => issuer,
        Ok(_) => return layout::not_allowed(&staff, "This issuer is not one of yours."),
        Err(error) => return layout::error(&error),
    };
    let stored = match state.store.email_settings(issuer.id).await {
        Ok(stored) => stored,
        Err(error) => return layout::error(&error.into()),
    };
    let form = stored
        .as_ref()
        .map(SettingsForm::from_settings)
        .unwrap_or_else(|| SettingsForm {
            from_name: issuer.name.clone(),
            ..SettingsForm::default()
        });
    let notice = saved.saved.is_some().then_some("Saved the email settings.");
    page(
        &state,
        &staff,
        &issuer,
        stored.as_ref(),
        &form,
        StatusCode::OK,
        notice,
        Mistakes::default(),
        None,
        default_to(&staff),
        Mistakes::default(),
    )
}

/// Where a test goes unless another address is typed: the staff member's user name when it is
/// an address.
fn default_to(staff: &Staff) -> String {
    let name = &staff.user.username;
    if name.contains('@') {
        name.clone()
    } else {
        String::new()
    }
}

#[allow(clippy::too_many_arguments)]
fn page(
    state: &AppState,
    staff: &Staff,
    issuer: &Issuer,
    stored: Option<&EmailSettings>,
    form: &SettingsForm,
    status: StatusCode,
    notice: Option<&str>,
    errors: Mistakes,
    test: Option<TestOutcome>,
    test_to: String,
    test_error: Mistakes,
) -> Response {
    let _ = state;
    let chosen = if form.security.is_empty() {
        "starttls"
    } else {
        form.security.as_str()
    };
    let securities = [
        (
            SmtpSecurity::Starttls,
            "STARTTLS (usually port 587; most servers)",
        ),
        (SmtpSecurity::Tls, "TLS from the start (usually port 465)"),
        (
            SmtpSecurity::None,
            "No encryption (only a relay on this machine)",
        ),
    ]
    .into_iter()
    .map(|(s, label)| Choice::new(s.as_str(), label, s.as_str() == chosen))
    .collect();
    layout::respond(
        status,
        &SettingsPage {
            layout: Layout::new(format!("Email of {}", issuer.name), Some(staff)),
            notice,
            issuer,
            form,
            securities,
            errors,
            password_set: stored.is_some_and(|s| s.sealed_password.is_some()),
            configured: stored.is_some(),
            may_change: staff.may_change_issuer(issuer.id),
            test_to,
            test,
            test_error,
        },
    )
}

/// `POST /console/issuers/{id}/email`: saves the settings, or shows every mistake.
pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<SettingsForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let issuer = match load_issuer(&state, &id).await {
        Ok(issuer) if staff.may_change_issuer(issuer.id) => issuer,
        Ok(_) => {
            return layout::not_allowed(&staff, "Your account may not change this issuer's email.");
        }
        Err(error) => return layout::error(&error),
    };
    let stored = match state.store.email_settings(issuer.id).await {
        Ok(stored) => stored,
        Err(error) => return layout::error(&error.into()),
    };
    let checked = checks::check(
        &form.input(),
        stored.as_ref(),
        issuer.id,
        &state.vault,
        state.clock.now(),
    );
    let settings = match checked {
        Ok(settings) => settings,
        Err(mistakes) => {
            return page(
                &state,
                &staff,
                &issuer,
                stored.as_ref(),
                &form,
                StatusCode::BAD_REQUEST,
                None,
                Mistakes::new(mistakes),
                None,
                default_to(&staff),
                Mistakes::default(),
            );
        }
    };
    if let Err(error) = state.store.set_email_settings(&settings).await {
        return layout::error(&error.into());
    }
    // The worker's connections were made for the old settings.
    state.outbox.transports.forget(issuer.id);
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "email_settings.update",
        Some(issuer.id.to_string()),
        json!({ "changed": checks::changed_fields(stored.as_ref(), &settings) }),
    )
    .await;
    Redirect::to(&format!("/console/issuers/{}/email?saved=1", issuer.id)).into_response()
}

/// `POST /console/issuers/{id}/email/test`: sends a test email over the saved settings and
/// shows the server's answer. Nothing is stored, so the page is shown at once.
pub async fn test(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(test): Form<TestForm>,
) -> Response {
    if !staff.check_csrf(&test.csrf) {
        return csrf_rejected();
    }
    let issuer = match load_issuer(&state, &id).await {
        Ok(issuer) if staff.may_change_issuer(issuer.id) => issuer,
        Ok(_) => {
            return layout::not_allowed(&staff, "Your account may not use this issuer's email.");
        }
        Err(error) => return layout::error(&error),
    };
    let stored = match state.store.email_settings(issuer.id).await {
        Ok(stored) => stored,
        Err(error) => return layout::error(&error.into()),
    };
    let form = stored
        .as_ref()
        .map(SettingsForm::from_settings)
        .unwrap_or_default();
    let to = test.to.trim().to_string();
    let mut mistake = Vec::new();
    if to.is_empty() {
        mistake.push(("to", "Give the address to send the test to.".to_string()));
    } else if laurel_service::email::message::mailbox("to", None, &to).is_err() {
        mistake.push((
            "to",
            format!("“{to}” is not an email address such as you@example.org."),
        ));
    }
    let outcome = match (&stored, mistake.is_empty()) {
        (None, _) => Some(TestOutcome {
            sent: false,
            message: "Save the settings first: the test uses the saved settings.".into(),
        }),
        (Some(settings), true) => {
            let outcome = test_send::send_test(&state, &issuer, settings, &to).await;
            audit_log(
                &state,
                Some(&staff.user),
                &staff.user.username,
                "email_settings.test",
                Some(issuer.id.to_string()),
                json!({ "to": to, "sent": outcome.sent, "answer": outcome.message }),
            )
            .await;
            Some(outcome)
        }
        (Some(_), false) => None,
    };
    let status = if mistake.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    page(
        &state,
        &staff,
        &issuer,
        stored.as_ref(),
        &form,
        status,
        None,
        Mistakes::default(),
        outcome,
        to,
        Mistakes::new(mistake),
    )
}
