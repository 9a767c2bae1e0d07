//! `/issuers/{id}/email/template` and `/achievements/{id}/email/template`: what the emails
//! say. Templates are checked when saved: an unknown `{{variable}}` is a 400 naming it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use laurel_store::EmailTemplate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::extract::{Json, PathId};
use crate::auth::Bearer;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::email::template::TemplateText;
use laurel_service::email::worker::{self, TemplateOrigin};

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
        (status = 200, description = "The issuer's template (source issuer), or Laurel's default (source default)", body = TemplateView, content_type = "application/json"),
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
) -> HttpResult<Json<TemplateView>> {
    bearer.require("read")?;
    let issuer_id = super::issuer(&state, &bearer, &id).await?.id;
    Ok(Json(match state.store.email_template(issuer_id).await? {
        Some(t) => TemplateView::new(&TemplateText::from(&t), TemplateOrigin::Issuer),
        None => TemplateView::new(&TemplateText::default_template(), TemplateOrigin::Default),
    }))
}

/// `PUT /issuers/{id}/email/template`.
#[utoipa::path(
    put,
    path = "/issuers/{id}/email/template",
    operation_id = "email_put_issuer_template",
    tag = "email",
    summary = "Set an issuer's email template",
    description = "Templates use {{variable}} placeholders, with {{variable|fallback}} for a value that may be empty (a recipient without a name). Variables: recipient_name, recipient_email, badge_name, badge_description, issuer_name, issued_on, credential_url, linkedin_url (through this site, which sends the reader on to LinkedIn's add-to-profile page only while the badge is not revoked or suspended), verify_url, badge_image_url, issuer_color, claim_url (the recipient's personal wallet link, made when the email is sent), role (the recipient's role in the award, e.g. Presenter; empty when none). An unknown variable or an unclosed {{ is a 400 naming it. Values are HTML-escaped in the html body.",
    params(
        crate::api::openapi::IdParam,
    ),
    request_body(content = TemplateInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The template as stored", body = TemplateView, content_type = "application/json"),
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
) -> HttpResult<Json<TemplateView>> {
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
    Ok(Json(TemplateView::new(&source, TemplateOrigin::Issuer)))
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
    let issuer_id = super::issuer(&state, &bearer, &id).await?.id;
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
        (status = 200, description = "The template and where it comes from: achievement, issuer or default", body = TemplateView, content_type = "application/json"),
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
) -> HttpResult<Json<TemplateView>> {
    bearer.require("read")?;
    let achievement = super::achievement(&state, &bearer, &id).await?;
    let (source, from) = worker::template_for(&state, &achievement).await?;
    Ok(Json(TemplateView::new(&source, from)))
}

/// `PUT /achievements/{id}/email/template`.
#[utoipa::path(
    put,
    path = "/achievements/{id}/email/template",
    operation_id = "email_put_achievement_template",
    tag = "email",
    summary = "Set an achievement's own email template",
    description = "Templates use {{variable}} placeholders, with {{variable|fallback}} for a value that may be empty (a recipient without a name). Variables: recipient_name, recipient_email, badge_name, badge_description, issuer_name, issued_on, credential_url, linkedin_url (through this site, which sends the reader on to LinkedIn's add-to-profile page only while the badge is not revoked or suspended), verify_url, badge_image_url, issuer_color, claim_url (the recipient's personal wallet link, made when the email is sent), role (the recipient's role in the award, e.g. Presenter; empty when none). An unknown variable or an unclosed {{ is a 400 naming it. Values are HTML-escaped in the html body.",
    params(
        crate::api::openapi::IdParam,
    ),
    request_body(content = TemplateInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The template as stored", body = TemplateView, content_type = "application/json"),
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
) -> HttpResult<Json<TemplateView>> {
    bearer.require("admin")?;
    let achievement = super::achievement(&state, &bearer, &id).await?;
    let source = checked(input)?;
    let template = stored_template(&state, achievement.issuer_id, Some(achievement.id), &source);
    state.store.set_email_template(&template).await?;
    Ok(Json(TemplateView::new(
        &source,
        TemplateOrigin::Achievement,
    )))
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
    let achievement = super::achievement(&state, &bearer, &id).await?;
    delete_template(&state, achievement.id, "achievement").await
}

pub(super) fn checked(input: TemplateInput) -> HttpResult<TemplateText> {
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

/// An email template as the API shows it, and where it comes from.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = EmailTemplate)]
pub struct TemplateView {
    subject: String,
    text: String,
    html: Option<String>,
    /// achievement (its own), issuer (its issuer's) or default (Laurel's)
    #[schema(schema_with = crate::api::openapi::fields::template_source)]
    source: TemplateOrigin,
}

impl TemplateView {
    fn new(source: &TemplateText, from: TemplateOrigin) -> Self {
        TemplateView {
            subject: source.subject.clone(),
            text: source.text.clone(),
            html: source.html.clone(),
            source: from,
        }
    }
}
