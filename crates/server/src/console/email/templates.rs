//! The email template editor: an issuer's template (for all its badges) at
//! `/console/issuers/{id}/email/template`, and a badge's own at
//! `/console/achievements/{id}/email`, falling back to the issuer's, then Laurel's default.
//!
//! "Preview" renders what was typed (nothing is stored) with the latest real credential of the
//! badge, or of the issuer, or a sample recipient when there is none; the console's script
//! refreshes it while typing. "Save" checks the template and stores it; "Use the issuer's
//! template" (or "Laurel's default") removes the badge's (or issuer's) own.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use laurel_service::email::template::{Rendered, TemplateError, TemplateText, VARIABLES};
use laurel_service::email::worker::{self, TemplateOrigin};
use laurel_store::{Achievement, Award, AwardFilter, EmailTemplate, Issuer};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{Mistakes, load_achievement, load_issuer};
use crate::console::layout::{self, Layout};
use crate::console::session::Staff;
use crate::console::{audit_log, csrf_rejected};
use crate::{AppState, HttpError};

/// The editor's fields.
#[derive(Debug, Default, Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    html: String,
    /// `preview`, `save` or `reset`.
    #[serde(default)]
    action: String,
}

impl TemplateForm {
    fn from_text(t: &TemplateText) -> Self {
        TemplateForm {
            subject: t.subject.clone(),
            text: t.text.clone(),
            html: t.html.clone().unwrap_or_default(),
            ..TemplateForm::default()
        }
    }

    fn text(&self) -> TemplateText {
        TemplateText {
            subject: self.subject.clone(),
            text: self.text.clone(),
            html: Some(self.html.clone()).filter(|h| !h.trim().is_empty()),
        }
    }
}

/// `?saved=1` or `?reset=1` after a change.
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    reset: Option<String>,
}

/// Whose template is edited.
enum Owner {
    Issuer(Issuer),
    Badge(Box<Achievement>, Issuer),
}

impl Owner {
    fn issuer(&self) -> &Issuer {
        match self {
            Owner::Issuer(issuer) | Owner::Badge(_, issuer) => issuer,
        }
    }

    fn owner_id(&self) -> Uuid {
        match self {
            Owner::Issuer(issuer) => issuer.id,
            Owner::Badge(achievement, _) => achievement.id,
        }
    }

    fn path(&self) -> String {
        match self {
            Owner::Issuer(issuer) => format!("/console/issuers/{}/email/template", issuer.id),
            Owner::Badge(achievement, _) => {
                format!("/console/achievements/{}/email", achievement.id)
            }
        }
    }
}

/// `console/email_template.html`.
#[derive(Template)]
#[template(path = "console/email_template.html")]
struct TemplatePage<'a> {
    layout: Layout,
    notice: Option<&'a str>,
    /// Where the form posts.
    action: String,
    /// "all badges of X" or "the badge Y".
    for_whom: String,
    /// Where the template in use comes from, in words.
    source: &'static str,
    /// Whether the owner has a template of its own (then it can be removed).
    own: bool,
    /// The label of the button that removes it.
    reset_label: &'static str,
    form: &'a TemplateForm,
    errors: Mistakes,
    variables: String,
    may_change: bool,
    preview: Option<Preview>,
    /// The settings page of the issuer.
    settings_url: String,
}

/// A rendered email for the preview.
struct Preview {
    /// Whose credential it shows.
    recipient: String,
    sample: bool,
    rendered: Rendered,
}

async fn owner_of_issuer(state: &AppState, staff: &Staff, id: &str) -> Result<Owner, Response> {
    match load_issuer(state, id).await {
        Ok(issuer) if staff.may_see(issuer.id) => Ok(Owner::Issuer(issuer)),
        Ok(_) => Err(layout::not_allowed(
            staff,
            "This issuer is not one of yours.",
        )),
        Err(error) => Err(layout::error(&error)),
    }
}

async fn owner_of_badge(state: &AppState, staff: &Staff, id: &str) -> Result<Owner, Response> {
    let achievement = match load_achievement(state, id).await {
        Ok(a) if staff.may_see(a.issuer_id) => a,
        Ok(_) => {
            return Err(layout::not_allowed(
                staff,
                "This badge is not one of yours.",
            ));
        }
        Err(error) => return Err(layout::error(&error)),
    };
    match state.store.issuer(achievement.issuer_id).await {
        Ok(issuer) => Ok(Owner::Badge(Box::new(achievement), issuer)),
        Err(error) => Err(layout::error(&error.into())),
    }
}

/// `GET /console/issuers/{id}/email/template`.
pub async fn show_issuer(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    match owner_of_issuer(&state, &staff, &id).await {
        Ok(owner) => show(&state, &staff, owner, &done).await,
        Err(response) => response,
    }
}

/// `GET /console/achievements/{id}/email`.
pub async fn show_badge(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    match owner_of_badge(&state, &staff, &id).await {
        Ok(owner) => show(&state, &staff, owner, &done).await,
        Err(response) => response,
    }
}

/// `POST /console/issuers/{id}/email/template`.
pub async fn change_issuer(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<TemplateForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    match owner_of_issuer(&state, &staff, &id).await {
        Ok(owner) => change(&state, &staff, owner, form).await,
        Err(response) => response,
    }
}

/// `POST /console/achievements/{id}/email`.
pub async fn change_badge(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<TemplateForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    match owner_of_badge(&state, &staff, &id).await {
        Ok(owner) => change(&state, &staff, owner, form).await,
        Err(response) => response,
    }
}

/// The template `owner` uses now and where it comes from.
async fn in_use(
    state: &AppState,
    owner: &Owner,
) -> Result<(TemplateText, TemplateOrigin), HttpError> {
    Ok(match owner {
        Owner::Badge(achievement, _) => worker::template_for(state, achievement).await?,
        Owner::Issuer(issuer) => match state.store.email_template(issuer.id).await? {
            Some(t) => (TemplateText::from(&t), TemplateOrigin::Issuer),
            None => (TemplateText::default_template(), TemplateOrigin::Default),
        },
    })
}

async fn show(state: &AppState, staff: &Staff, owner: Owner, done: &Done) -> Response {
    let (text, origin) = match in_use(state, &owner).await {
        Ok(found) => found,
        Err(error) => return layout::error(&error),
    };
    let form = TemplateForm::from_text(&text);
    let notice = if done.saved.is_some() {
        Some("Saved the template: new emails use it.")
    } else if done.reset.is_some() {
        Some("Removed the template of its own: the one shown is used now.")
    } else {
        None
    };
    let preview = preview(state, &owner, &text).await.ok();
    render(
        state,
        staff,
        &owner,
        origin,
        &form,
        Mistakes::default(),
        preview,
        notice,
        StatusCode::OK,
    )
    .await
}

async fn change(state: &AppState, staff: &Staff, owner: Owner, form: TemplateForm) -> Response {
    if !staff.may_change_issuer(owner.issuer().id) {
        return layout::not_allowed(staff, "Your account may not change this issuer's emails.");
    }
    let (_, origin) = match in_use(state, &owner).await {
        Ok(found) => found,
        Err(error) => return layout::error(&error),
    };
    match form.action.as_str() {
        "reset" => {
            if let Err(error) = state.store.delete_email_template(owner.owner_id()).await {
                return layout::error(&error.into());
            }
            audit(state, staff, &owner, "email_template.delete").await;
            return Redirect::to(&format!("{}?reset=1", owner.path())).into_response();
        }
        "save" | "preview" => {}
        _ => return layout::error(&HttpError::BadRequest("choose Preview or Save".into())),
    }
    let text = form.text();
    let mistakes = mistakes_of(&text);
    if !mistakes.is_empty() {
        return render(
            state,
            staff,
            &owner,
            origin,
            &form,
            mistakes,
            None,
            None,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    if form.action == "preview" {
        let preview = preview(state, &owner, &text).await.ok();
        return render(
            state,
            staff,
            &owner,
            origin,
            &form,
            Mistakes::default(),
            preview,
            None,
            StatusCode::OK,
        )
        .await;
    }
    let (issuer_id, achievement_id) = match &owner {
        Owner::Issuer(issuer) => (issuer.id, None),
        Owner::Badge(achievement, issuer) => (issuer.id, Some(achievement.id)),
    };
    let stored = EmailTemplate {
        issuer_id,
        achievement_id,
        subject: text.subject.clone(),
        text_body: text.text.clone(),
        html_body: text.html.clone(),
        updated_at: state.clock.now(),
    };
    if let Err(error) = state.store.set_email_template(&stored).await {
        return layout::error(&error.into());
    }
    audit(state, staff, &owner, "email_template.update").await;
    Redirect::to(&format!("{}?saved=1", owner.path())).into_response()
}

async fn audit(state: &AppState, staff: &Staff, owner: &Owner, action: &str) {
    let target = match owner {
        Owner::Issuer(issuer) => json!({ "issuer": issuer.name }),
        Owner::Badge(achievement, _) => json!({ "badge": achievement.name }),
    };
    audit_log(
        state,
        Some(&staff.user),
        &staff.user.username,
        action,
        Some(owner.owner_id().to_string()),
        target,
    )
    .await;
}

/// Every part's mistake, in words beside its field.
fn mistakes_of(text: &TemplateText) -> Mistakes {
    let mut list = Vec::new();
    let parts = [
        (
            "subject",
            TemplateText {
                text: "x".into(),
                html: None,
                ..text.clone()
            },
        ),
        (
            "text",
            TemplateText {
                subject: "x".into(),
                html: None,
                ..text.clone()
            },
        ),
        (
            "html",
            TemplateText {
                subject: "x".into(),
                text: "x".into(),
                ..text.clone()
            },
        ),
    ];
    for (field, alone) in parts {
        if field == "html" && alone.html.is_none() {
            continue;
        }
        if let Err(error) = alone.check() {
            list.push((field, words(&error)));
        }
    }
    Mistakes::new(list)
}

/// A template mistake for staff, without the part's name (it is shown beside the part).
fn words(error: &TemplateError) -> String {
    match error {
        TemplateError::Unclosed { at, .. } => format!(
            "The “{{{{” at character {} is never closed with “}}}}”.",
            at + 1
        ),
        TemplateError::Unknown { name, .. } => format!(
            "There is no {{{{{name}}}}}: check its spelling against the list of values above."
        ),
        TemplateError::Invalid(text) => {
            let text = text.split_once(": ").map(|(_, rest)| rest).unwrap_or(text);
            let text = text.replace("must not be empty", "write something here");
            let text = text.replace(" bytes", " characters (roughly)");
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
                None => String::new(),
            }
        }
    }
}

/// Renders `text` with the latest credential of the badge (or the issuer), or a sample.
async fn preview(
    state: &AppState,
    owner: &Owner,
    text: &TemplateText,
) -> Result<Preview, HttpError> {
    let issuer = owner.issuer();
    let filter = match owner {
        Owner::Badge(achievement, _) => AwardFilter {
            achievement_id: Some(achievement.id),
            limit: 1,
            ..AwardFilter::default()
        },
        Owner::Issuer(issuer) => AwardFilter {
            issuer_id: Some(issuer.id),
            limit: 1,
            ..AwardFilter::default()
        },
    };
    let (latest, _) = state.store.list_awards(&filter).await?;
    let (award, achievement, sample) = match latest.into_iter().next() {
        Some(award) => {
            let achievement = match owner {
                Owner::Badge(achievement, _) => (**achievement).clone(),
                Owner::Issuer(_) => state.store.achievement(award.achievement_id).await?,
            };
            (award, achievement, false)
        }
        None => {
            let achievement = match owner {
                Owner::Badge(achievement, _) => (**achievement).clone(),
                Owner::Issuer(issuer) => state
                    .store
                    .list_achievements(Some(issuer.id))
                    .await?
                    .into_iter()
                    .next()
                    .ok_or_else(|| {
                        HttpError::NotFound(format!(
                            "{} has no badge yet: create one to see a preview",
                            issuer.name
                        ))
                    })?,
            };
            (sample_award(state, &achievement), achievement, true)
        }
    };
    let rendered = text
        .render(&worker::values(state, &award, &achievement, issuer))
        .map_err(|e| HttpError::BadRequest(e.to_string()))?;
    let recipient = match &award.recipient_name {
        Some(name) => format!("{name} <{}>", award.recipient_email),
        None => award.recipient_email.clone(),
    };
    Ok(Preview {
        recipient,
        sample,
        rendered,
    })
}

/// A stand-in credential for a badge not awarded yet.
fn sample_award(state: &AppState, achievement: &Achievement) -> Award {
    Award {
        id: Uuid::nil(),
        achievement_id: achievement.id,
        issuer_id: achievement.issuer_id,
        recipient_email: "recipient@example.org".into(),
        recipient_name: Some("Sample Recipient".into()),
        issued_at: state.clock.now(),
        valid_until: None,
        credential: "{}".into(),
        jwt: String::new(),
        status: None,
        revoked_at: None,
        revocation_reason: None,
        suspended_at: None,
        suspension_reason: None,
        role: None,
    }
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    staff: &Staff,
    owner: &Owner,
    origin: TemplateOrigin,
    form: &TemplateForm,
    errors: Mistakes,
    preview: Option<Preview>,
    notice: Option<&str>,
    status: StatusCode,
) -> Response {
    let _ = state;
    let issuer = owner.issuer();
    let (title, for_whom, own, reset_label, source) = match owner {
        Owner::Issuer(issuer) => (
            format!("Email template of {}", issuer.name),
            format!(
                "every badge of {} that has no template of its own",
                issuer.name
            ),
            origin == TemplateOrigin::Issuer,
            "Go back to Laurel's default",
            match origin {
                TemplateOrigin::Default => "Laurel's default template (not changed yet)",
                _ => "this issuer's own template",
            },
        ),
        Owner::Badge(achievement, issuer) => (
            format!("Email template of “{}”", achievement.name),
            format!(
                "the badge “{}” only (issuer: {})",
                achievement.name, issuer.name
            ),
            origin == TemplateOrigin::Achievement,
            "Use the issuer's template",
            match origin {
                TemplateOrigin::Achievement => "this badge's own template",
                TemplateOrigin::Issuer => "the issuer's template (this badge has none of its own)",
                TemplateOrigin::Default => {
                    "Laurel's default template (neither the badge nor the issuer has one)"
                }
            },
        ),
    };
    let variables = VARIABLES
        .iter()
        .map(|v| format!("{{{{{v}}}}}"))
        .collect::<Vec<_>>()
        .join(", ");
    layout::respond(
        status,
        &TemplatePage {
            layout: Layout::new(title, Some(staff)),
            notice,
            action: owner.path(),
            for_whom,
            source,
            own,
            reset_label,
            form,
            errors,
            variables,
            may_change: staff.may_change_issuer(issuer.id),
            preview,
            settings_url: format!("/console/issuers/{}/email", issuer.id),
        },
    )
}
