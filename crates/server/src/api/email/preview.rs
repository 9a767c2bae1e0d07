//! `POST /achievements/{id}/email/preview`: an email rendered exactly as the worker would,
//! for a real credential or a sample recipient. Nothing is sent.

use axum::extract::State;
use laurel_store::{Achievement, Award};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::templates;
use crate::api::extract::{Json, OptionalJson, PathId};
use crate::auth::Bearer;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::email::worker::{self, TemplateOrigin};
use laurel_service::fields::{self, MAX_NAME};

/// `POST /achievements/{id}/email/preview` body: all optional.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EmailPreviewInput)]
pub struct PreviewInput {
    /// A template to try instead of the stored one.
    #[serde(default)]
    template: Option<templates::TemplateInput>,
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
        (status = 200, description = "The email as the worker would send it", body = EmailPreview, content_type = "application/json"),
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
) -> HttpResult<Json<EmailPreview>> {
    bearer.require("read")?;
    let achievement = super::achievement(&state, &bearer, &id).await?;
    let issuer = state.store.issuer(achievement.issuer_id).await?;
    let (source, from) = match input.template.take() {
        Some(template) => (templates::checked(template)?, None),
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
                    "this read-only token was made without --with-emails, so it may not see a \
                     recipient's email: preview with a sample recipient instead"
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
    Ok(Json(EmailPreview {
        from: from_line,
        reply_to: settings.as_ref().and_then(|s| s.reply_to.clone()),
        to,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        template_source: from,
        email_configured: settings.is_some(),
        dry_run: state.outbox.options.dry_run || settings.is_some_and(|s| s.dry_run),
    }))
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
        role: None,
    })
}

/// The email as the worker would send it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailPreview {
    /// The From line; null when the issuer has no email settings
    from: Option<String>,
    reply_to: Option<String>,
    to: String,
    subject: String,
    text: String,
    html: Option<String>,
    /// Where the template came from; null for one given in the request
    #[schema(schema_with = crate::api::openapi::fields::preview_template_source)]
    template_source: Option<TemplateOrigin>,
    /// Whether the issuer has email settings
    email_configured: bool,
    /// Whether it would only be recorded, not sent
    dry_run: bool,
}
