//! `/console/achievements/{id}/endorsements` and `/console/issuers/{id}/endorsements`: another
//! organisation's endorsement of a badge or an issuer, recorded by staff.
//!
//! Two forms: "sign here" (the endorser is an issuer on this service, whose keys sign, so the
//! member of staff must be allowed to change both issuers) and "import" (the endorser's own
//! signed endorsement file, uploaded or pasted, checked before anything is kept). Both go
//! through [`laurel_service::endorsements`]; mistakes are shown beside their field in plain
//! words and nothing is stored. Endorsements in force are listed with a button to withdraw each
//! (later badges stop carrying it; badges already issued keep it).

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use laurel_service::ServiceError;
use laurel_service::activity::local_time::{self, Zone};
use laurel_service::endorsements::{self, Endorsed, Subject};
use laurel_store::{Endorsement, EndorsementOrigin};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::layout::{self, Choice, FieldError, FieldErrors, Layout};
use super::session::Staff;
use super::{audit_log, csrf_rejected};
use crate::{AppState, HttpError};

/// The form's fields (both forms post here, told apart by `action`).
#[derive(Debug, Default, Deserialize)]
pub struct EndorsementForm {
    #[serde(default)]
    csrf: String,
    /// `sign` or `import`.
    #[serde(default)]
    action: String,
    #[serde(default)]
    endorser: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    credential: String,
}

/// What the page's address may say: that an endorsement was just recorded or withdrawn.
#[derive(Debug, Default, Deserialize)]
pub struct Shown {
    #[serde(default)]
    done: Option<String>,
}

/// The page (`templates/console/endorsements.html`).
#[derive(Template)]
#[template(path = "console/endorsements.html")]
struct EndorsementsPage {
    layout: Layout,
    /// "the badge Cataloguing" / "the issuer Example Library".
    what: String,
    /// The badge's or issuer's console page.
    back: String,
    action: String,
    notice: Option<String>,
    rows: Vec<Row>,
    may_change: bool,
    endorsers: Vec<Choice>,
    comment: String,
    credential: String,
    errors: FieldErrors,
}

/// One endorsement in the list.
struct Row {
    id: Uuid,
    endorser: String,
    comment: String,
    how: &'static str,
    when: String,
    withdrawn: Option<String>,
    public: String,
}

/// `GET /console/achievements/{id}/endorsements`.
pub async fn achievement_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return layout::error(&HttpError::NotFound("no such badge".into()));
    };
    page(&state, &staff, Endorsed::Achievement(id), shown).await
}

/// `GET /console/issuers/{id}/endorsements`.
pub async fn issuer_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return layout::error(&HttpError::NotFound("no such issuer".into()));
    };
    page(&state, &staff, Endorsed::Issuer(id), shown).await
}

/// `POST /console/achievements/{id}/endorsements`.
pub async fn achievement_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<EndorsementForm>,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return layout::error(&HttpError::NotFound("no such badge".into()));
    };
    submit(&state, &staff, Endorsed::Achievement(id), form).await
}

/// `POST /console/issuers/{id}/endorsements`.
pub async fn issuer_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<EndorsementForm>,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return layout::error(&HttpError::NotFound("no such issuer".into()));
    };
    submit(&state, &staff, Endorsed::Issuer(id), form).await
}

/// `POST /console/endorsements/{id}/withdraw`.
pub async fn withdraw(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<super::Csrf>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return layout::error(&HttpError::NotFound("no such endorsement".into()));
    };
    let endorsement = match endorsements::get(&state, id).await {
        Ok(endorsement) if staff.may_see(endorsement.issuer_id) => endorsement,
        Ok(_) => return layout::error(&HttpError::NotFound("no such endorsement".into())),
        Err(error) => return layout::error(&error.into()),
    };
    if !staff.may_change_issuer(endorsement.issuer_id) {
        return layout::not_allowed(
            &staff,
            "Your account may not change this issuer's endorsements.",
        );
    }
    if let Err(error) = endorsements::withdraw(&state, id).await {
        return layout::error(&error.into());
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "endorsement.withdraw",
        Some(id.to_string()),
        json!({ "endorser": endorsement.endorser_name }),
    )
    .await;
    Redirect::to(&format!(
        "{}?done=withdrawn",
        address(&endorsed_of(&endorsement))
    ))
    .into_response()
}

fn endorsed_of(endorsement: &Endorsement) -> Endorsed {
    match endorsement.achievement_id {
        Some(achievement) => Endorsed::Achievement(achievement),
        None => Endorsed::Issuer(endorsement.issuer_id),
    }
}

/// The console address of the endorsements page of `endorsed`.
pub fn address(endorsed: &Endorsed) -> String {
    match endorsed {
        Endorsed::Achievement(id) => format!("/console/achievements/{id}/endorsements"),
        Endorsed::Issuer(id) => format!("/console/issuers/{id}/endorsements"),
    }
}

/// Loads what is endorsed if this member of staff may see it (else the same "not found").
async fn visible(state: &AppState, staff: &Staff, endorsed: Endorsed) -> Result<Subject, Response> {
    let not_found = || {
        layout::error(&HttpError::NotFound(match endorsed {
            Endorsed::Achievement(_) => "no such badge".into(),
            Endorsed::Issuer(_) => "no such issuer".into(),
        }))
    };
    match endorsements::subject(state, endorsed).await {
        Ok(subject) if staff.may_see(subject.issuer.id) => Ok(subject),
        Ok(_) | Err(ServiceError::NotFound(_)) => Err(not_found()),
        Err(error) => Err(layout::error(&error.into())),
    }
}

async fn page(state: &AppState, staff: &Staff, endorsed: Endorsed, shown: Shown) -> Response {
    let subject = match visible(state, staff, endorsed).await {
        Ok(subject) => subject,
        Err(response) => return response,
    };
    let notice = match shown.done.as_deref() {
        Some("signed") => Some("Endorsement signed and recorded. Badges issued from now on carry it.".to_string()),
        Some("imported") => Some("Endorsement checked and recorded. Badges issued from now on carry it.".to_string()),
        Some("withdrawn") => Some("Endorsement withdrawn. Badges issued from now on no longer carry it; those already issued keep it.".to_string()),
        _ => None,
    };
    render(
        state,
        staff,
        &subject,
        endorsed,
        notice,
        &EndorsementForm::default(),
        &[],
    )
    .await
}

async fn submit(
    state: &AppState,
    staff: &Staff,
    endorsed: Endorsed,
    form: EndorsementForm,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let subject = match visible(state, staff, endorsed).await {
        Ok(subject) => subject,
        Err(response) => return response,
    };
    if !staff.may_change_issuer(subject.issuer.id) {
        return layout::not_allowed(
            staff,
            "Your account may not record endorsements for this issuer.",
        );
    }
    let result = match form.action.as_str() {
        "sign" => sign(state, staff, endorsed, &form).await,
        _ => import(state, endorsed, &form).await,
    };
    match result {
        Ok(endorsement) => {
            let how = match endorsement.origin {
                EndorsementOrigin::Signed => "signed",
                EndorsementOrigin::Imported => "imported",
            };
            audit_log(
                state,
                Some(&staff.user),
                &staff.user.username,
                &format!("endorsement.{how}"),
                Some(endorsement.id.to_string()),
                json!({
                    "endorser": endorsement.endorser_name,
                    "issuer_id": endorsement.issuer_id,
                    "achievement_id": endorsement.achievement_id,
                }),
            )
            .await;
            Redirect::to(&format!("{}?done={how}", address(&endorsed))).into_response()
        }
        Err(Mistake::Field(error)) => {
            render(state, staff, &subject, endorsed, None, &form, &[error]).await
        }
        Err(Mistake::Page(response)) => response,
    }
}

/// Why a submission was not recorded: a mistake to show beside a field, or a whole page.
enum Mistake {
    Field(FieldError),
    Page(Response),
}

/// A domain refusal shown beside `field` (the service's messages start with the field's name,
/// which the page does not need to repeat).
fn beside(field: &'static str, error: ServiceError) -> Mistake {
    match error {
        ServiceError::Invalid(message)
        | ServiceError::Unreadable(message)
        | ServiceError::Unsupported(message)
        | ServiceError::Conflict(message) => {
            let message = message
                .strip_prefix(&format!("{field}: "))
                .or_else(|| message.strip_prefix("endorsement: "))
                .or_else(|| message.strip_prefix("endorser: "))
                .or_else(|| message.strip_prefix("comment: "))
                .unwrap_or(&message);
            Mistake::Field((field, capitalised(message)))
        }
        other => Mistake::Page(layout::error(&other.into())),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

async fn sign(
    state: &AppState,
    staff: &Staff,
    endorsed: Endorsed,
    form: &EndorsementForm,
) -> Result<Endorsement, Mistake> {
    let Ok(endorser) = Uuid::parse_str(form.endorser.trim()) else {
        return Err(Mistake::Field((
            "endorser",
            "Choose the organisation that endorses.".into(),
        )));
    };
    if !staff.may_change_issuer(endorser) {
        return Err(Mistake::Field((
            "endorser",
            "Your account may not sign for this organisation.".into(),
        )));
    }
    if form.comment.trim().is_empty() {
        return Err(Mistake::Field((
            "comment",
            "Write what the endorser says about it.".into(),
        )));
    }
    endorsements::sign(state, endorsed, endorser, &form.comment)
        .await
        .map_err(|error| {
            let field = match &error {
                ServiceError::Invalid(message) if message.starts_with("comment") => "comment",
                _ => "endorser",
            };
            beside(field, error)
        })
}

async fn import(
    state: &AppState,
    endorsed: Endorsed,
    form: &EndorsementForm,
) -> Result<Endorsement, Mistake> {
    let credential =
        endorsements::parse_import(&form.credential).map_err(|e| beside("credential", e))?;
    let report = crate::endorsement_check::verify_import(state, &credential)
        .await
        .map_err(|error| Mistake::Page(layout::error(&error)))?;
    endorsements::import(state, endorsed, &credential, &report)
        .await
        .map_err(|error| beside("credential", error))
}

async fn render(
    state: &AppState,
    staff: &Staff,
    subject: &Subject,
    endorsed: Endorsed,
    notice: Option<String>,
    form: &EndorsementForm,
    errors: &[FieldError],
) -> Response {
    let (stored, issuers) = match (
        state
            .store
            .endorsements_of(subject.issuer.id, subject.achievement_id())
            .await,
        state.store.list_issuers().await,
    ) {
        (Ok(stored), Ok(issuers)) => (stored, issuers),
        (Err(error), _) | (_, Err(error)) => return layout::error(&error.into()),
    };
    let zone = match local_time::issuer_zone(state, subject.issuer.id).await {
        Ok(zone) => zone,
        Err(error) => return layout::error(&error.into()),
    };
    let rows = stored
        .iter()
        .map(|endorsement| Row {
            id: endorsement.id,
            endorser: endorsement.endorser_name.clone(),
            comment: endorsement.comment.clone().unwrap_or_default(),
            how: match endorsement.origin {
                EndorsementOrigin::Signed => "signed here with its keys",
                EndorsementOrigin::Imported => "signed by the endorser, checked on import",
            },
            when: local_date(endorsement.created_at, &zone),
            withdrawn: endorsement.withdrawn_at.map(|at| local_date(at, &zone)),
            public: state.urls.endorsement(endorsement.id),
        })
        .collect();
    let endorsers = issuers
        .iter()
        .filter(|issuer| issuer.id != subject.issuer.id && staff.may_change_issuer(issuer.id))
        .map(|issuer| {
            Choice::new(
                issuer.id,
                issuer.name.clone(),
                form.endorser.trim() == issuer.id.to_string(),
            )
        })
        .collect();
    let what = match &subject.achievement {
        Some(achievement) => format!("the badge {}", achievement.name),
        None => format!("the issuer {}", subject.issuer.name),
    };
    let back = match endorsed {
        Endorsed::Achievement(id) => format!("/console/achievements/{id}"),
        Endorsed::Issuer(id) => format!("/console/issuers/{id}"),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    layout::respond(
        status,
        &EndorsementsPage {
            layout: Layout::new(format!("Endorsements of {what}"), Some(staff)),
            what,
            back,
            action: address(&endorsed),
            notice,
            rows,
            may_change: staff.may_change_issuer(subject.issuer.id),
            endorsers,
            comment: form.comment.clone(),
            credential: form.credential.clone(),
            errors: FieldErrors::all(errors),
        },
    )
}

/// A date in the issuer's time zone (`1 March 2026`).
fn local_date(at: chrono::DateTime<chrono::Utc>, zone: &Zone) -> String {
    zone.local(at).format("%-d %B %Y").to_string()
}
