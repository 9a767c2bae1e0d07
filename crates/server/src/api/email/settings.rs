//! `/issuers/{id}/email`: an issuer's SMTP server and sender.
//!
//! The SMTP password is write-only: it is sealed with the service's key-encryption key before
//! it is stored, and reads say only whether one is set.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use laurel_store::{EmailSettings, SmtpSecurity};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::extract::{Json, PathId};
use crate::auth::Bearer;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::email::message;
use laurel_service::email::smtp::password_aad;
use laurel_service::fields::{self, MAX_NAME};

/// `PUT /issuers/{id}/email` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EmailSettingsInput)]
pub struct SettingsInput {
    host: String,
    #[schema(minimum = 1, maximum = 65535)]
    port: Option<u16>,
    #[schema(schema_with = crate::api::openapi::fields::settings_input_security)]
    security: Option<String>,
    #[serde(default)]
    username: Option<String>,
    /// Absent: keep; null: remove
    #[serde(default, deserialize_with = "fields::nullable")]
    password: Option<Option<String>>,
    #[schema(format = Email)]
    from_address: String,
    #[serde(default)]
    from_name: Option<String>,
    #[serde(default)]
    #[schema(format = Email)]
    reply_to: Option<String>,
    #[serde(default)]
    #[schema(minimum = 1)]
    rate_per_minute: Option<u32>,
    #[serde(default)]
    #[schema(default = false)]
    dry_run: bool,
}

/// The longest SMTP password accepted.
const MAX_PASSWORD: usize = 1_024;

/// `GET /issuers/{id}/email`.
#[utoipa::path(
    get,
    path = "/issuers/{id}/email",
    operation_id = "email_get_settings",
    tag = "email",
    summary = "An issuer's email settings",
    description = "404 when the issuer has none: it then sends no email and awarding queues none.",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 200, description = "The settings; the password is never shown (password_set says whether one is stored)", body = EmailSettingsView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn get_settings(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<EmailSettingsView>> {
    bearer.require("read")?;
    let issuer_id = super::issuer(&state, &bearer, &id).await?.id;
    let settings = state
        .store
        .email_settings(issuer_id)
        .await?
        .ok_or_else(|| {
            HttpError::NotFound(format!(
                "issuer {issuer_id} has no email settings: PUT them here to email recipients"
            ))
        })?;
    Ok(Json(EmailSettingsView::from(&settings)))
}

/// `PUT /issuers/{id}/email`: sets (or replaces) the issuer's SMTP server and sender.
#[utoipa::path(
    put,
    path = "/issuers/{id}/email",
    operation_id = "email_put_settings",
    tag = "email",
    summary = "Set an issuer's email settings",
    description = "The SMTP server (host, port, security: starttls (default, port 587), tls (465) or none for a relay on the same host), user and password (sealed with the service's key-encryption key; leave password out to keep the stored one, null removes it), sender (from_address, from_name, default the issuer's name), reply_to, rate_per_minute (sends per minute across all instances; leave out for no limit) and dry_run (render and record every email, send none). From now on, credentials awarded by this issuer queue an email in the same transaction.",
    params(
        crate::api::openapi::IdParam,
    ),
    request_body(content = SettingsInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The settings as stored", body = EmailSettingsView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 404, response = crate::api::openapi::E404),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn put_settings(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    Json(input): Json<SettingsInput>,
) -> HttpResult<Response> {
    bearer.require("admin")?;
    let issuer_id = super::issuer(&state, &bearer, &id).await?.id;
    let stored = state.store.email_settings(issuer_id).await?;
    let before = stored.clone();
    let host = fields::required("host", &input.host, 253)?;
    if host.contains(|c: char| c.is_whitespace() || c == '/' || c == '@') {
        return Err(HttpError::BadRequest(format!(
            "host must be a host name such as smtp.example.org, got {host:?}"
        )));
    }
    let security = match input.security.as_deref() {
        None => SmtpSecurity::Starttls,
        Some(text) => SmtpSecurity::parse(text).ok_or_else(|| {
            HttpError::BadRequest(format!(
                "security must be starttls (port 587), tls (port 465) or none (a relay on \
                 this host), got {text:?}"
            ))
        })?,
    };
    let port = input.port.unwrap_or(match security {
        SmtpSecurity::Tls => 465,
        SmtpSecurity::Starttls => 587,
        SmtpSecurity::None => 25,
    });
    if port == 0 {
        return Err(HttpError::BadRequest("port must be 1 to 65535".into()));
    }
    let username = fields::optional("username", input.username.as_deref(), MAX_NAME)?;
    // A kept password goes only where it went before: otherwise anyone allowed to edit the
    // settings could send it to a server of their own.
    let same_server = stored.as_ref().is_some_and(|s| {
        s.host.eq_ignore_ascii_case(&host) && s.port == port && s.username == username
    });
    let sealed_password = match input.password {
        None if !same_server && stored.as_ref().is_some_and(|s| s.sealed_password.is_some()) => {
            return Err(HttpError::BadRequest(
                "password: give the password again when changing host, port or username (null \
                 for none)"
                    .into(),
            ));
        }
        None => stored.and_then(|s| s.sealed_password),
        Some(None) => None,
        Some(Some(password)) => {
            if password.is_empty() || password.len() > MAX_PASSWORD {
                return Err(HttpError::BadRequest(format!(
                    "password must be 1 to {MAX_PASSWORD} bytes (null removes it)"
                )));
            }
            Some(
                state
                    .vault
                    .seal(&password_aad(issuer_id), password.as_bytes())
                    .map_err(|e| HttpError::Internal(e.to_string()))?,
            )
        }
    };
    if sealed_password.is_some() && username.is_none() {
        return Err(HttpError::BadRequest(
            "a password needs a username: give username too".into(),
        ));
    }
    if username.is_some() && security == SmtpSecurity::None && !is_loopback(&host) {
        return Err(HttpError::BadRequest(format!(
            "security: none would send the password to {host} in the clear; use starttls or tls \
             (none is for a relay on this host)"
        )));
    }
    let from_address = address("from_address", &input.from_address)?;
    let reply_to = match fields::optional("reply_to", input.reply_to.as_deref(), 254)? {
        Some(reply_to) => Some(address("reply_to", &reply_to)?),
        None => None,
    };
    if input.rate_per_minute == Some(0) {
        return Err(HttpError::BadRequest(
            "rate_per_minute must be at least 1 (leave it out for no limit)".into(),
        ));
    }
    let settings = EmailSettings {
        issuer_id,
        host,
        port,
        security,
        username,
        sealed_password,
        from_address,
        from_name: fields::optional("from_name", input.from_name.as_deref(), MAX_NAME)?,
        reply_to,
        rate_per_minute: input.rate_per_minute,
        dry_run: input.dry_run,
        updated_at: state.clock.now(),
    };
    state.store.set_email_settings(&settings).await?;
    // The transport is rebuilt when `updated_at` changes; a clock that stands still (tests)
    // would keep the old one, so forget it outright.
    state.outbox.transports.forget(issuer_id);
    let changed = changed_fields(before.as_ref(), &settings);
    Ok(crate::api::audit::with_detail(
        Json(EmailSettingsView::from(&settings)),
        json!({ "changed": changed }),
    ))
}

/// The names of the settings that differ (all of them for first settings): for the audit
/// log, which never holds the password itself, only whether it changed.
fn changed_fields(before: Option<&EmailSettings>, after: &EmailSettings) -> Vec<&'static str> {
    let Some(b) = before else {
        return vec!["created"];
    };
    let mut changed = Vec::new();
    let mut check = |name, differs: bool| {
        if differs {
            changed.push(name);
        }
    };
    check("host", b.host != after.host);
    check("port", b.port != after.port);
    check("security", b.security != after.security);
    check("username", b.username != after.username);
    // Sealing again makes new bytes, so any password given counts as changed.
    check("password", b.sealed_password != after.sealed_password);
    check("from_address", b.from_address != after.from_address);
    check("from_name", b.from_name != after.from_name);
    check("reply_to", b.reply_to != after.reply_to);
    check(
        "rate_per_minute",
        b.rate_per_minute != after.rate_per_minute,
    );
    check("dry_run", b.dry_run != after.dry_run);
    changed
}

/// `DELETE /issuers/{id}/email`: stops emailing for this issuer.
#[utoipa::path(
    delete,
    path = "/issuers/{id}/email",
    operation_id = "email_delete_settings",
    tag = "email",
    summary = "Stop emailing for an issuer",
    description = "Emails already queued fail when tried (resend them after setting email up again).",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 204, description = "Deleted: awarding queues no more email"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn delete_settings(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Response> {
    bearer.require("admin")?;
    let issuer_id = super::issuer(&state, &bearer, &id).await?.id;
    if !state.store.delete_email_settings(issuer_id).await? {
        return Err(HttpError::NotFound(format!(
            "issuer {issuer_id} has no email settings"
        )));
    }
    state.outbox.transports.forget(issuer_id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Whether `host` names this machine (where a relay without TLS is acceptable).
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn address(field: &str, value: &str) -> HttpResult<String> {
    let value = value.trim();
    message::mailbox("address", None, value)
        .map(|_| value.to_string())
        .map_err(|e| HttpError::BadRequest(format!("{field}: {e}")))
}

/// An issuer's SMTP settings as the API shows them: never the password.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = EmailSettings)]
pub struct EmailSettingsView {
    issuer_id: Uuid,
    host: String,
    port: u16,
    #[schema(schema_with = crate::api::openapi::fields::smtp_security)]
    security: SmtpSecurity,
    username: Option<String>,
    /// Whether a password is stored (it is never shown)
    password_set: bool,
    from_address: String,
    from_name: Option<String>,
    reply_to: Option<String>,
    /// Sends per minute across all instances; null: no limit
    rate_per_minute: Option<u32>,
    /// Render and record every email, send none
    dry_run: bool,
    updated_at: DateTime<Utc>,
}

impl From<&EmailSettings> for EmailSettingsView {
    fn from(s: &EmailSettings) -> Self {
        EmailSettingsView {
            issuer_id: s.issuer_id,
            host: s.host.clone(),
            port: s.port,
            security: s.security,
            username: s.username.clone(),
            password_set: s.sealed_password.is_some(),
            from_address: s.from_address.clone(),
            from_name: s.from_name.clone(),
            reply_to: s.reply_to.clone(),
            rate_per_minute: s.rate_per_minute,
            dry_run: s.dry_run,
            updated_at: s.updated_at,
        }
    }
}
