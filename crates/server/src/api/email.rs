//! Email: an issuer's SMTP settings, templates and previews. Credentials' delivery state and
//! resends are in [`super::notifications`].
//!
//! The SMTP password is write-only: it is sealed with the service's key-encryption key before
//! it is stored, and reads say only whether one is set. Templates are checked when saved (an
//! unknown `{{variable}}` is a 400 naming it), and a preview renders one exactly as the worker
//! would, for a real credential or a sample recipient. See [`laurel_service::email`].

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use laurel_store::{Achievement, Award, EmailSettings, EmailTemplate, Issuer, SmtpSecurity};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::extract::{Json, OptionalJson, PathId};
use crate::auth::Bearer;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::email::message;
use laurel_service::email::smtp::password_aad;
use laurel_service::email::template::TemplateText;
use laurel_service::email::worker::{self, TemplateOrigin};
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

/// `PUT …/email/template` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EmailTemplateInput)]
pub struct TemplateInput {
    #[schema(max_length = 300)]
    subject: String,
    text: String,
    #[serde(default)]
    html: Option<String>,
}

/// `POST /achievements/{id}/email/preview` body: all optional.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EmailPreviewInput)]
pub struct PreviewInput {
    /// A template to try instead of the stored one.
    #[serde(default)]
    template: Option<TemplateInput>,
    /// Render the email of this credential (of this achievement).
    #[serde(default)]
    credential_id: Option<Uuid>,
    /// A sample recipient's name (without `credential_id`).
    #[serde(default)]
    recipient_name: Option<String>,
    /// A sample recipient's address (without `credential_id`).
    #[serde(default)]
    #[schema(format = Email)]
    recipient_email: Option<String>,
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
        (status = 200, description = "The settings; the password is never shown (password_set says whether one is stored)", body = ref("#/components/schemas/EmailSettings"), content_type = "application/json"),
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
) -> HttpResult<Json<Value>> {
    bearer.require("read")?;
    let issuer_id = issuer(&state, &bearer, &id).await?.id;
    let settings = state
        .store
        .email_settings(issuer_id)
        .await?
        .ok_or_else(|| {
            HttpError::NotFound(format!(
                "issuer {issuer_id} has no email settings: PUT them here to email recipients"
            ))
        })?;
    Ok(Json(settings_json(&settings)))
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
        (status = 200, description = "The settings as stored", body = ref("#/components/schemas/EmailSettings"), content_type = "application/json"),
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
    let issuer_id = issuer(&state, &bearer, &id).await?.id;
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
    Ok(super::audit::with_detail(
        Json(settings_json(&settings)),
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
    let issuer_id = issuer(&state, &bearer, &id).await?.id;
    if !state.store.delete_email_settings(issuer_id).await? {
        return Err(HttpError::NotFound(format!(
            "issuer {issuer_id} has no email settings"
        )));
    }
    state.outbox.transports.forget(issuer_id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /issuers/{id}/email/template`: the issuer's default template (or Laurel's).
#[utoipa::path(
    get,
    path = "/issuers/{id}/email/template",
    operation_id = "email_get_issuer_template",
    tag = "email",
    summary = "An issuer's email template",
    description = "The template used by the issuer's achievements that have none of their own.",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 200, description = "The issuer's template (source issuer), or Laurel's default (source default)", body = ref("#/components/schemas/EmailTemplate"), content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn get_issuer_template(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<Value>> {
    bearer.require("read")?;
    let issuer_id = issuer(&state, &bearer, &id).await?.id;
    Ok(Json(match state.store.email_template(issuer_id).await? {
        Some(t) => template_json(&TemplateText::from(&t), TemplateOrigin::Issuer),
        None => template_json(&TemplateText::default_template(), TemplateOrigin::Default),
    }))
}

/// `PUT /issuers/{id}/email/template`.
#[utoipa::path(
    put,
    path = "/issuers/{id}/email/template",
    operation_id = "email_put_issuer_template",
    tag = "email",
    summary = "Set an issuer's email template",
    description = "Templates use {{variable}} placeholders, with {{variable|fallback}} for a value that may be empty (a recipient without a name). Variables: recipient_name, recipient_email, badge_name, badge_description, issuer_name, issued_on, credential_url, linkedin_url, verify_url. An unknown variable or an unclosed {{ is a 400 naming it. Values are HTML-escaped in the html body.",
    params(
        crate::api::openapi::IdParam,
    ),
    request_body(content = TemplateInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The template as stored", body = ref("#/components/schemas/EmailTemplate"), content_type = "application/json"),
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
pub async fn put_issuer_template(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    Json(input): Json<TemplateInput>,
) -> HttpResult<Json<Value>> {
    bearer.require("admin")?;
    let issuer_id = id.uuid("issuer")?;
    bearer.within(issuer_id, "issuer", issuer_id)?;
    let source = checked(input)?;
    let template = stored_template(&state, issuer_id, None, &source);
    state
        .store
        .set_email_template(&template)
        .await
        .map_err(|e| crate::error::not_found_in(e, "issuer", issuer_id))?;
    Ok(Json(template_json(&source, TemplateOrigin::Issuer)))
}

/// `DELETE /issuers/{id}/email/template`: back to Laurel's default.
#[utoipa::path(
    delete,
    path = "/issuers/{id}/email/template",
    operation_id = "email_delete_issuer_template",
    tag = "email",
    summary = "Go back to Laurel's default template",
    description = "404 when the issuer has no template of its own.",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn delete_issuer_template(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Response> {
    bearer.require("admin")?;
    let issuer_id = issuer(&state, &bearer, &id).await?.id;
    delete_template(&state, issuer_id, "issuer").await
}

/// `GET /achievements/{id}/email/template`: the template its emails use, and where from.
#[utoipa::path(
    get,
    path = "/achievements/{id}/email/template",
    operation_id = "email_get_achievement_template",
    tag = "email",
    summary = "The email template an achievement uses",
    description = "Its own template, else its issuer's, else Laurel's default.",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 200, description = "The template and where it comes from: achievement, issuer or default", body = ref("#/components/schemas/EmailTemplate"), content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn get_achievement_template(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<Value>> {
    bearer.require("read")?;
    let achievement = achievement(&state, &bearer, &id).await?;
    let (source, from) = worker::template_for(&state, &achievement).await?;
    Ok(Json(template_json(&source, from)))
}

/// `PUT /achievements/{id}/email/template`.
#[utoipa::path(
    put,
    path = "/achievements/{id}/email/template",
    operation_id = "email_put_achievement_template",
    tag = "email",
    summary = "Set an achievement's own email template",
    description = "Templates use {{variable}} placeholders, with {{variable|fallback}} for a value that may be empty (a recipient without a name). Variables: recipient_name, recipient_email, badge_name, badge_description, issuer_name, issued_on, credential_url, linkedin_url, verify_url. An unknown variable or an unclosed {{ is a 400 naming it. Values are HTML-escaped in the html body.",
    params(
        crate::api::openapi::IdParam,
    ),
    request_body(content = TemplateInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The template as stored", body = ref("#/components/schemas/EmailTemplate"), content_type = "application/json"),
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
pub async fn put_achievement_template(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    Json(input): Json<TemplateInput>,
) -> HttpResult<Json<Value>> {
    bearer.require("admin")?;
    let achievement = achievement(&state, &bearer, &id).await?;
    let source = checked(input)?;
    let template = stored_template(&state, achievement.issuer_id, Some(achievement.id), &source);
    state.store.set_email_template(&template).await?;
    Ok(Json(template_json(&source, TemplateOrigin::Achievement)))
}

/// `DELETE /achievements/{id}/email/template`: back to the issuer's template.
#[utoipa::path(
    delete,
    path = "/achievements/{id}/email/template",
    operation_id = "email_delete_achievement_template",
    tag = "email",
    summary = "Go back to the issuer's template",
    description = "404 when the achievement has no template of its own.",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn delete_achievement_template(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Response> {
    bearer.require("admin")?;
    let achievement = achievement(&state, &bearer, &id).await?;
    delete_template(&state, achievement.id, "achievement").await
}

/// `POST /achievements/{id}/email/preview`: the email as the worker would send it.
#[utoipa::path(
    post,
    path = "/achievements/{id}/email/preview",
    operation_id = "email_preview",
    tag = "email",
    summary = "Preview an achievement's email",
    description = "Renders the template the achievement uses (or one given in template, unsaved) for a credential of this achievement (credential_id) or a sample recipient (recipient_name, recipient_email). Nothing is sent.",
    params(
        crate::api::openapi::IdParam,
    ),
    request_body(content = Option<PreviewInput>, content_type = "application/json", description = "The body may be left out."),
    responses(
        (status = 200, description = "The email as the worker would send it", body = ref("#/components/schemas/EmailPreview"), content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 404, response = crate::api::openapi::E404),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn preview(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    OptionalJson(mut input): OptionalJson<PreviewInput>,
) -> HttpResult<Json<Value>> {
    bearer.require("read")?;
    let achievement = achievement(&state, &bearer, &id).await?;
    let issuer = state.store.issuer(achievement.issuer_id).await?;
    let (source, from) = match input.template.take() {
        Some(template) => (checked(template)?, None),
        None => {
            let (source, from) = worker::template_for(&state, &achievement).await?;
            (source, Some(from))
        }
    };
    let award = match input.credential_id {
        Some(credential_id) => {
            if input.recipient_name.is_some() || input.recipient_email.is_some() {
                return Err(HttpError::BadRequest(
                    "give credential_id or a sample recipient, not both".into(),
                ));
            }
            let award = state
                .store
                .award(credential_id)
                .await
                .map_err(|e| crate::error::not_found_in(e, "credential", credential_id))?;
            bearer.within(award.issuer_id, "credential", credential_id)?;
            if !bearer.shows_recipients() {
                return Err(HttpError::Forbidden(
                    "this read-only token was made without --with-emails, so it may not see a                      recipient's email: preview with a sample recipient instead"
                        .into(),
                ));
            }
            if award.achievement_id != achievement.id {
                return Err(HttpError::BadRequest(format!(
                    "credential {credential_id} is not of achievement {}",
                    achievement.id
                )));
            }
            award
        }
        None => sample_award(&state, &achievement, &input)?,
    };
    let rendered = source
        .render(&worker::values(&state, &award, &achievement, &issuer))
        .map_err(|e| HttpError::BadRequest(e.to_string()))?;
    let settings = state.store.email_settings(issuer.id).await?;
    let from_line = settings.as_ref().map(|s| {
        let name = s.from_name.as_deref().unwrap_or(&issuer.name);
        format!("{name} <{}>", s.from_address)
    });
    let to = match &award.recipient_name {
        Some(name) => format!("{name} <{}>", award.recipient_email),
        None => award.recipient_email.clone(),
    };
    Ok(Json(json!({
        "from": from_line,
        "reply_to": settings.as_ref().and_then(|s| s.reply_to.clone()),
        "to": to,
        "subject": rendered.subject,
        "text": rendered.text,
        "html": rendered.html,
        "template_source": from,
        "email_configured": settings.is_some(),
        "dry_run": state.outbox.options.dry_run || settings.is_some_and(|s| s.dry_run),
    })))
}

fn settings_json(s: &EmailSettings) -> Value {
    json!({
        "issuer_id": s.issuer_id,
        "host": s.host,
        "port": s.port,
        "security": s.security,
        "username": s.username,
        "password_set": s.sealed_password.is_some(),
        "from_address": s.from_address,
        "from_name": s.from_name,
        "reply_to": s.reply_to,
        "rate_per_minute": s.rate_per_minute,
        "dry_run": s.dry_run,
        "updated_at": s.updated_at,
    })
}

fn template_json(source: &TemplateText, from: TemplateOrigin) -> Value {
    json!({
        "subject": source.subject,
        "text": source.text,
        "html": source.html,
        "source": from,
    })
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

fn checked(input: TemplateInput) -> HttpResult<TemplateText> {
    let source = TemplateText {
        subject: input.subject,
        text: input.text,
        html: input.html.filter(|html| !html.trim().is_empty()),
    };
    source
        .check()
        .map_err(|e| HttpError::BadRequest(e.to_string()))?;
    Ok(source)
}

fn stored_template(
    state: &AppState,
    issuer_id: Uuid,
    achievement_id: Option<Uuid>,
    source: &TemplateText,
) -> EmailTemplate {
    EmailTemplate {
        issuer_id,
        achievement_id,
        subject: source.subject.clone(),
        text_body: source.text.clone(),
        html_body: source.html.clone(),
        updated_at: state.clock.now(),
    }
}

async fn delete_template(state: &AppState, owner_id: Uuid, what: &str) -> HttpResult<Response> {
    if state.store.delete_email_template(owner_id).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(HttpError::NotFound(format!(
            "{what} {owner_id} has no email template of its own"
        )))
    }
}

async fn issuer(state: &AppState, bearer: &Bearer, id: &PathId) -> HttpResult<Issuer> {
    let issuer_id = id.uuid("issuer")?;
    bearer.within(issuer_id, "issuer", issuer_id)?;
    state
        .store
        .issuer(issuer_id)
        .await
        .map_err(|e| crate::error::not_found_in(e, "issuer", issuer_id))
}

async fn achievement(state: &AppState, bearer: &Bearer, id: &PathId) -> HttpResult<Achievement> {
    super::achievements::load(state, bearer, id).await
}

/// A stand-in award for previews without a credential.
fn sample_award(
    state: &AppState,
    achievement: &Achievement,
    input: &PreviewInput,
) -> HttpResult<Award> {
    let email = match &input.recipient_email {
        Some(email) => laurel_service::mint::recipient_email(email)
            .map_err(|detail| HttpError::BadRequest(format!("recipient_email: {detail}")))?,
        None => "recipient@example.org".into(),
    };
    let now = state.clock.now();
    Ok(Award {
        id: Uuid::nil(),
        achievement_id: achievement.id,
        issuer_id: achievement.issuer_id,
        recipient_email: email,
        recipient_name: match &input.recipient_name {
            Some(name) => fields::optional("recipient_name", Some(name), MAX_NAME)?,
            None => Some("Sample Recipient".into()),
        },
        issued_at: now,
        valid_until: None,
        credential: json!({ "name": achievement.name, "awardedDate": now }).to_string(),
        jwt: String::new(),
        status: None,
        revoked_at: None,
        revocation_reason: None,
        suspended_at: None,
        suspension_reason: None,
    })
}
