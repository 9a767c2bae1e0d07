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
use laurel_service::email::settings as domain;
use laurel_service::fields;

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
    let password = match &input.password {
        Some(Some(password)) if password.is_empty() => {
            return Err(HttpError::BadRequest(
                "password: must not be empty (leave it out to keep the stored one, null removes it)"
                    .into(),
            ));
        }
        _ => input.password.clone().flatten().unwrap_or_default(),
    };
    // The same checks as the console's form (the domain's), each mistake named by its field.
    let typed = domain::SettingsInput {
        host: input.host.clone(),
        port: input.port.map(|port| port.to_string()).unwrap_or_default(),
        security: input.security.clone().unwrap_or_default(),
        username: input.username.clone().unwrap_or_default(),
        password,
        remove_password: input.password == Some(None),
        from_address: input.from_address.clone(),
        from_name: input.from_name.clone().unwrap_or_default(),
        reply_to: input.reply_to.clone().unwrap_or_default(),
        rate_per_minute: input
            .rate_per_minute
            .map(|rate| rate.to_string())
            .unwrap_or_default(),
        dry_run: input.dry_run,
    };
    let settings = domain::check(
        &typed,
        stored.as_ref(),
        issuer_id,
        &state.vault,
        state.clock.now(),
    )
    .map_err(|mistakes| {
        let detail: Vec<String> = mistakes
            .iter()
            .map(|(field, message)| format!("{field}: {}", lower_first(message)))
            .collect();
        HttpError::BadRequest(detail.join("; "))
    })?;
    state.store.set_email_settings(&settings).await?;
    // The transport is rebuilt when `updated_at` changes; a clock that stands still (tests)
    // would keep the old one, so forget it outright.
    state.outbox.transports.forget(issuer_id);
    let changed = domain::changed_fields(stored.as_ref(), &settings);
    Ok(crate::api::audit::with_detail(
        Json(EmailSettingsView::from(&settings)),
        json!({ "changed": changed }),
    ))
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

/// A sentence from the console's words as the rest of a `field: …` detail.
fn lower_first(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
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
