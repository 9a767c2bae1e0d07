//! `/console/issuers`: issuers' profiles and branding, their keys, and key rotation.
//!
//! Administrators create and edit issuers and rotate keys; everyone signed in can read them.
//! Forms check each field as the admin API does and show a mistake beside its field, keeping
//! what was typed; nothing is stored from a form with a mistake.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use laurel_store::{Issuer, IssuerKey};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::images::ImageControl;
use super::layout::{self, FieldErrors, Layout, date};
use super::session::Staff;
use super::{audit_log, csrf_rejected};
use crate::{AppState, HttpError};
use laurel_service::activity::local_time::{self, Zone};
use laurel_service::fields::{self, MAX_NAME, MAX_TEXT};

/// The issuer form's fields.
#[derive(Debug, Default, Deserialize)]
pub struct IssuerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    brand_color: String,
    #[serde(default)]
    show_award_count: Option<String>,
    #[serde(default)]
    linkedin_organization_id: String,
    /// An IANA name; empty is UTC.
    #[serde(default)]
    time_zone: String,
}

impl IssuerForm {
    fn from_issuer(issuer: &Issuer) -> Self {
        IssuerForm {
            csrf: String::new(),
            name: issuer.name.clone(),
            url: issuer.url.clone().unwrap_or_default(),
            email: issuer.email.clone().unwrap_or_default(),
            description: issuer.description.clone().unwrap_or_default(),
            brand_color: issuer.brand_color.clone().unwrap_or_default(),
            show_award_count: issuer.show_award_count.then(|| "yes".into()),
            linkedin_organization_id: issuer.linkedin_organization_id.clone().unwrap_or_default(),
            time_zone: String::new(),
        }
    }

    /// The time zone typed (empty is UTC), checked.
    fn zone(&self) -> Result<Zone, (&'static str, String)> {
        match self.time_zone.trim() {
            "" => Ok(Zone::utc()),
            name => Zone::parse(name).map_err(at("time_zone")),
        }
    }

    /// Applies the fields to `issuer`; the field at fault and why.
    fn apply(&self, issuer: &mut Issuer) -> Result<(), (&'static str, String)> {
        issuer.name = fields::required("name", &self.name, MAX_NAME).map_err(at("name"))?;
        issuer.url = fields::optional_url("url", Some(&self.url)).map_err(at("url"))?;
        issuer.email = fields::optional_email("email", Some(&self.email)).map_err(at("email"))?;
        issuer.description = fields::optional("description", Some(&self.description), MAX_TEXT)
            .map_err(at("description"))?;
        issuer.brand_color = fields::optional_color("brand_color", Some(&self.brand_color))
            .map_err(at("brand_color"))?;
        issuer.show_award_count = self.show_award_count.is_some();
        issuer.linkedin_organization_id = fields::optional_digits(
            "linkedin_organization_id",
            Some(&self.linkedin_organization_id),
        )
        .map_err(at("linkedin_organization_id"))?;
        Ok(())
    }
}

/// `GET /console/issuers`.
pub async fn list(State(state): State<AppState>, staff: Staff) -> Response {
    render_list(&state, &staff, &IssuerForm::default(), None).await
}

async fn render_list(
    state: &AppState,
    staff: &Staff,
    form: &IssuerForm,
    error: Option<&(&'static str, String)>,
) -> Response {
    let issuers = match state.store.list_issuers().await {
        Ok(issuers) => issuers,
        Err(error) => return layout::error(&error.into()),
    };
    let rows = issuers
        .iter()
        .filter(|i| staff.may_see(i.id))
        .map(|i| IssuerRow {
            id: i.id,
            name: i.name.clone(),
            public: state.urls.issuer(i.id),
            created: date(i.created_at),
        })
        .collect();
    let new = staff
        .is_admin()
        .then(|| IssuerEditor::new("/console/issuers".into(), "Create issuer", form, error));
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    layout::respond(
        status,
        &IssuersPage {
            layout: Layout::new("Issuers", Some(staff)),
            rows,
            editor: new,
        },
    )
}

/// `console/issuers.html`.
#[derive(Template)]
#[template(path = "console/issuers.html")]
struct IssuersPage {
    layout: Layout,
    rows: Vec<IssuerRow>,
    /// The new-issuer form, for administrators.
    editor: Option<IssuerEditor>,
}

struct IssuerRow {
    id: Uuid,
    name: String,
    public: String,
    created: String,
}

/// `POST /console/issuers`: creates an issuer and its keys.
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<IssuerForm>,
) -> Response {
    if !staff.is_admin() {
        return layout::not_allowed(&staff, "Only administrators change issuers.");
    }
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let now = state.clock.now();
    let mut issuer = Issuer {
        id: Uuid::now_v7(),
        name: String::new(),
        url: None,
        email: None,
        description: None,
        image: None,
        jwt_algorithm: laurel_service::keys::JwtAlgorithm::default()
            .as_str()
            .to_string(),
        brand_color: None,
        show_award_count: true,
        linkedin_organization_id: None,
        created_at: now,
        updated_at: now,
    };
    if let Err(error) = form.apply(&mut issuer) {
        return render_list(&state, &staff, &form, Some(&error)).await;
    }
    let zone = match form.zone() {
        Ok(zone) => zone,
        Err(error) => return render_list(&state, &staff, &form, Some(&error)).await,
    };
    if let Err(error) = laurel_service::keys::create_issuer(
        &state,
        &issuer,
        laurel_service::keys::JwtAlgorithm::default(),
    )
    .await
    {
        return layout::error(&HttpError::from(error));
    }
    if let Err(error) = local_time::set_issuer_zone(&state, issuer.id, zone.name()).await {
        return layout::error(&HttpError::from(error));
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "issuer.create",
        Some(issuer.id.to_string()),
        json!({ "name": issuer.name, "time_zone": zone.name() }),
    )
    .await;
    Redirect::to(&format!("/console/issuers/{}", issuer.id)).into_response()
}

/// `GET /console/issuers/{id}`.
pub async fn show(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> Response {
    match load(&state, &id).await {
        Ok(issuer) if !staff.may_see(issuer.id) => {
            layout::not_allowed(&staff, "Only administrators change issuers.")
        }
        Ok(issuer) => {
            let mut form = IssuerForm::from_issuer(&issuer);
            match local_time::issuer_zone(&state, issuer.id).await {
                Ok(zone) => form.time_zone = zone.name().to_string(),
                Err(error) => return layout::error(&HttpError::from(error)),
            }
            render_one(&state, &staff, &issuer, &form, None, None).await
        }
        Err(error) => layout::error(&error),
    }
}

/// `POST /console/issuers/{id}`: saves the profile and branding.
pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<IssuerForm>,
) -> Response {
    if !staff.is_admin() {
        return layout::not_allowed(&staff, "Only administrators change issuers.");
    }
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let issuer = match load(&state, &id).await {
        Ok(issuer) => issuer,
        Err(error) => return layout::error(&error),
    };
    let mut changed = issuer.clone();
    if let Err(error) = form.apply(&mut changed) {
        return render_one(&state, &staff, &issuer, &form, Some(&error), None).await;
    }
    let zone = match form.zone() {
        Ok(zone) => zone,
        Err(error) => return render_one(&state, &staff, &issuer, &form, Some(&error), None).await,
    };
    changed.updated_at = state.clock.now();
    if let Err(error) = state.store.update_issuer(&changed).await {
        return layout::error(&error.into());
    }
    if let Err(error) = local_time::set_issuer_zone(&state, issuer.id, zone.name()).await {
        return layout::error(&HttpError::from(error));
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "issuer.update",
        Some(issuer.id.to_string()),
        json!({ "name": changed.name, "time_zone": zone.name() }),
    )
    .await;
    let mut form = IssuerForm::from_issuer(&changed);
    form.time_zone = zone.name().to_string();
    render_one(&state, &staff, &changed, &form, None, Some("Saved.")).await
}

/// The rotate form's fields.
#[derive(Debug, Deserialize)]
pub struct Csrf {
    #[serde(default)]
    csrf: String,
}

/// `POST /console/issuers/{id}/rotate-keys`.
pub async fn rotate(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<Csrf>,
) -> Response {
    if !staff.is_admin() {
        return layout::not_allowed(&staff, "Only administrators change issuers.");
    }
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let issuer = match load(&state, &id).await {
        Ok(issuer) => issuer,
        Err(error) => return layout::error(&error),
    };
    let keys = match laurel_service::lifecycle::rotate_keys(&state, issuer.id).await {
        Ok(keys) => keys,
        Err(error) => return layout::error(&HttpError::from(error)),
    };
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "issuer.rotate_keys",
        Some(issuer.id.to_string()),
        json!({ "new_keys": keys.iter().map(|k| k.id).collect::<Vec<_>>() }),
    )
    .await;
    let form = IssuerForm::from_issuer(&issuer);
    render_one(
        &state,
        &staff,
        &issuer,
        &form,
        None,
        Some("New keys made; the old ones are retired and stay published, so credentials already issued still verify."),
    )
    .await
}

async fn load(state: &AppState, id: &str) -> Result<Issuer, HttpError> {
    let id = Uuid::parse_str(id).map_err(|_| HttpError::NotFound("no such issuer".into()))?;
    state
        .store
        .issuer(id)
        .await
        .map_err(|e| crate::error::not_found_in(e, "issuer", id))
}

/// `console/issuer.html`.
#[derive(Template)]
#[template(path = "console/issuer.html")]
struct IssuerPage<'a> {
    layout: Layout,
    notice: Option<&'a str>,
    public: String,
    image: Option<ImageControl>,
    /// The profile form, for administrators; others read the description.
    editor: Option<IssuerEditor>,
    description: String,
    keys: Vec<KeyRow>,
    /// The rotate button, for administrators.
    rotate: Option<Uuid>,
}

/// The issuer form (`console/issuer_fields.html`), with what was typed and its mistake.
struct IssuerEditor {
    action: String,
    submit: &'static str,
    /// Text inputs before the description (name, website, email).
    first: Vec<TextInput>,
    description: String,
    description_error: Option<String>,
    /// The colour, after the description.
    colour: TextInput,
    show_award_count: bool,
    linkedin: TextInput,
    /// The time zone, and the names to pick from as one types.
    time_zone: TextInput,
    zones: Vec<&'static str>,
}

/// One `<input>` with its label and mistake.
struct TextInput {
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    value: String,
    error: Option<String>,
}

impl IssuerEditor {
    fn new(
        action: String,
        submit: &'static str,
        form: &IssuerForm,
        error: Option<&(&'static str, String)>,
    ) -> Self {
        let errors = FieldErrors::new(error);
        let input =
            |name: &'static str, label: &'static str, value: &str, kind: &'static str| TextInput {
                name,
                label,
                kind,
                value: value.to_string(),
                error: errors.about(name).map(str::to_string),
            };
        IssuerEditor {
            action,
            submit,
            first: vec![
                input("name", "Name", &form.name, "text"),
                input("url", "Website", &form.url, "url"),
                input("email", "Contact email", &form.email, "email"),
            ],
            description: form.description.clone(),
            description_error: errors.about("description").map(str::to_string),
            colour: input("brand_color", "Colour (#rrggbb)", &form.brand_color, "text"),
            show_award_count: form.show_award_count.is_some(),
            linkedin: input(
                "linkedin_organization_id",
                "LinkedIn company id (digits)",
                &form.linkedin_organization_id,
                "text",
            ),
            time_zone: input(
                "time_zone",
                "Time zone (sessions are entered and shown in it; e.g. America/Chicago)",
                if form.time_zone.is_empty() {
                    "UTC"
                } else {
                    &form.time_zone
                },
                "text",
            ),
            zones: local_time::zone_names().collect(),
        }
    }
}

struct KeyRow {
    purpose: &'static str,
    algorithm: String,
    made: String,
    state: String,
}

async fn render_one(
    state: &AppState,
    staff: &Staff,
    issuer: &Issuer,
    form: &IssuerForm,
    error: Option<&(&'static str, String)>,
    notice: Option<&str>,
) -> Response {
    let keys = match state.store.issuer_keys(issuer.id).await {
        Ok(keys) => keys,
        Err(error) => return layout::error(&error.into()),
    };
    let admin = staff.is_admin();
    let page = IssuerPage {
        layout: Layout::new(issuer.name.clone(), Some(staff)),
        notice,
        public: state.urls.issuer(issuer.id),
        image: admin.then(|| {
            ImageControl::new(
                state,
                format!("/console/issuers/{}/image", issuer.id),
                issuer.image.as_deref(),
                format!("/api/v1/issuers/{}/image", issuer.id),
            )
        }),
        editor: admin.then(|| {
            IssuerEditor::new(
                format!("/console/issuers/{}", issuer.id),
                "Save",
                form,
                error,
            )
        }),
        description: issuer.description.clone().unwrap_or_default(),
        keys: key_rows(&keys),
        rotate: admin.then_some(issuer.id),
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    layout::respond(status, &page)
}

fn key_rows(keys: &[IssuerKey]) -> Vec<KeyRow> {
    keys.iter()
        .map(|k| KeyRow {
            purpose: match k.purpose {
                laurel_store::KeyPurpose::DataIntegrity => "Data Integrity proofs",
                laurel_store::KeyPurpose::Jwt => "VC-JWTs",
            },
            algorithm: k.algorithm.clone(),
            made: date(k.created_at),
            state: match (k.compromised_since, k.retired_at) {
                (Some(since), _) => format!("revoked (compromised since {})", date(since)),
                (None, Some(at)) => format!("retired {}", date(at)),
                (None, None) => "in use".to_string(),
            },
        })
        .collect()
}

/// Ties a check's error to the form field it is about (the message shown beside it).
fn at<E: std::fmt::Display>(field: &'static str) -> impl Fn(E) -> (&'static str, String) {
    move |error| (field, error.to_string())
}
