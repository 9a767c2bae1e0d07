//! `/console/issuers`: issuers' profiles and branding, their keys, and key rotation.
//!
//! Administrators create and edit issuers and rotate keys; everyone signed in can read them.
//! Forms check each field as the admin API does and show a mistake beside its field, keeping
//! what was typed; nothing is stored from a form with a mistake.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use laurel_store::{Issuer, IssuerKey};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::images::ImageControl;
use super::layout::{self, FieldError, FieldErrors, Layout, date};
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
    /// Ticked: the issuer has no brand colour (a colour picker always sends one).
    #[serde(default)]
    no_brand_color: Option<String>,
    #[serde(default)]
    show_award_count: Option<String>,
    #[serde(default)]
    linkedin_organization_id: String,
    /// Ticked: credentials carry the recipient's name.
    #[serde(default)]
    include_recipient_name: Option<String>,
    /// An IANA name; empty is UTC.
    #[serde(default)]
    time_zone: String,
    /// `letter` or `a4`.
    #[serde(default)]
    paper_size: String,
    #[serde(default)]
    signatory_name: String,
    #[serde(default)]
    signatory_title: String,
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
            no_brand_color: issuer.brand_color.is_none().then(|| "yes".into()),
            show_award_count: issuer.show_award_count.then(|| "yes".into()),
            linkedin_organization_id: issuer.linkedin_organization_id.clone().unwrap_or_default(),
            include_recipient_name: issuer.include_recipient_name.then(|| "yes".into()),
            time_zone: String::new(),
            paper_size: issuer.paper_size.as_str().into(),
            signatory_name: issuer.signatory_name.clone().unwrap_or_default(),
            signatory_title: issuer.signatory_title.clone().unwrap_or_default(),
        }
    }

    /// The time zone typed (empty is UTC), checked.
    fn zone(&self) -> Result<Zone, (&'static str, String)> {
        match self.time_zone.trim() {
            "" => Ok(Zone::utc()),
            name => Zone::parse(name).map_err(|error| ("time_zone", error.to_string())),
        }
    }

    /// Applies the fields to `issuer`; every mistake, in words, beside its field.
    fn apply(&self, issuer: &mut Issuer) -> Result<(), Vec<FieldError>> {
        let mut errors: Vec<FieldError> = Vec::new();
        match fields::required("name", &self.name, MAX_NAME) {
            Ok(name) => issuer.name = name,
            Err(_) if self.name.trim().is_empty() => {
                errors.push(("name", "Give the issuer's name.".into()))
            }
            Err(_) => errors.push((
                "name",
                format!("The name is too long: at most {MAX_NAME} characters."),
            )),
        }
        match fields::optional_url("url", Some(&self.url)) {
            Ok(url) => issuer.url = url,
            Err(_) => errors.push((
                "url",
                "Give the website's address starting with https://, such as https://library.example.org.".into(),
            )),
        }
        match fields::optional_email("email", Some(&self.email)) {
            Ok(email) => issuer.email = email,
            Err(_) => errors.push((
                "email",
                format!(
                    "“{}” is not an email address; give one such as badges@library.example.org.",
                    self.email.trim()
                ),
            )),
        }
        match fields::optional("description", Some(&self.description), MAX_TEXT) {
            Ok(description) => issuer.description = description,
            Err(_) => errors.push((
                "description",
                format!("The description is too long: at most {MAX_TEXT} characters."),
            )),
        }
        if self.no_brand_color.is_some() {
            issuer.brand_color = None;
        } else {
            match fields::optional_color("brand_color", Some(&self.brand_color)) {
                Ok(colour) => issuer.brand_color = colour,
                Err(_) => errors.push((
                    "brand_color",
                    "Choose a colour, or write it as # and six digits or letters a to f, such as #0b5394.".into(),
                )),
            }
        }
        issuer.show_award_count = self.show_award_count.is_some();
        issuer.include_recipient_name = self.include_recipient_name.is_some();
        match fields::optional_digits(
            "linkedin_organization_id",
            Some(linkedin_id(&self.linkedin_organization_id)),
        ) {
            Ok(id) => issuer.linkedin_organization_id = id,
            Err(_) => errors.push((
                "linkedin_organization_id",
                "The LinkedIn company id is the number in your company page's admin address (linkedin.com/company/12345678/admin): give the digits only.".into(),
            )),
        }
        match self.paper_size.trim() {
            // A form from before the setting existed (or a browser that sends nothing).
            "" => {}
            paper => match fields::paper_size("paper_size", paper) {
                Ok(paper) => issuer.paper_size = paper,
                Err(_) => errors.push(("paper_size", "Choose Letter or A4.".into())),
            },
        }
        for (field, value, target) in [
            (
                "signatory_name",
                &self.signatory_name,
                &mut issuer.signatory_name,
            ),
            (
                "signatory_title",
                &self.signatory_title,
                &mut issuer.signatory_title,
            ),
        ] {
            match fields::optional(field, Some(value.as_str()), MAX_NAME) {
                Ok(text) => *target = text,
                Err(_) => errors.push((
                    field,
                    format!(
                        "This is too long for a signature line: at most {MAX_NAME} characters."
                    ),
                )),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// The LinkedIn company id in what was typed: the digits themselves, or a pasted company
/// page address (`https://www.linkedin.com/company/2414183/admin/`).
fn linkedin_id(typed: &str) -> &str {
    let typed = typed.trim();
    typed
        .split("/company/")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?', '#']).next())
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or(typed)
}

/// `GET /console/issuers`.
pub async fn list(State(state): State<AppState>, staff: Staff) -> Response {
    // A new issuer starts with no brand colour of its own, and names recipients in its badges.
    let form = IssuerForm {
        no_brand_color: Some("yes".into()),
        include_recipient_name: Some("yes".into()),
        ..IssuerForm::default()
    };
    render_list(&state, &staff, &form, &[]).await
}

async fn render_list(
    state: &AppState,
    staff: &Staff,
    form: &IssuerForm,
    errors: &[FieldError],
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
        .then(|| IssuerEditor::new("/console/issuers".into(), "Create issuer", form, errors));
    let status = if !errors.is_empty() {
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
        include_recipient_name: true,
        paper_size: laurel_store::PaperSize::Letter,
        signatory_name: None,
        signatory_title: None,
        created_at: now,
        updated_at: now,
    };
    let zone = match (form.apply(&mut issuer), form.zone()) {
        (Ok(()), Ok(zone)) => zone,
        (applied, zone) => {
            let errors = all_errors(applied, zone);
            return render_list(&state, &staff, &form, &errors).await;
        }
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
pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Response {
    let notice = shown.saved.is_some().then_some("Saved.");
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
            render_one(&state, &staff, &issuer, &form, &[], notice).await
        }
        Err(error) => layout::error(&error),
    }
}

/// What the issuer page's address may say: that a change was just saved (post/redirect/get).
#[derive(Debug, Default, Deserialize)]
pub struct Shown {
    #[serde(default)]
    saved: Option<String>,
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
    let zone = match (form.apply(&mut changed), form.zone()) {
        (Ok(()), Ok(zone)) => zone,
        (applied, zone) => {
            let errors = all_errors(applied, zone);
            return render_one(&state, &staff, &issuer, &form, &errors, None).await;
        }
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
    Redirect::to(&format!("/console/issuers/{}?saved=1", issuer.id)).into_response()
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
        &[],
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

/// The issuer form (`console/issuer_fields.html`), with what was typed and its mistakes.
struct IssuerEditor {
    action: String,
    submit: &'static str,
    errors: FieldErrors,
    /// Text inputs before the description (name, website, email).
    first: Vec<TextInput>,
    description: String,
    /// The colour, `#rrggbb` for the picker (Laurel's blue when none is set).
    colour: String,
    no_colour: bool,
    show_award_count: bool,
    include_recipient_name: bool,
    linkedin: TextInput,
    /// The time zone, and the names to pick from as one types.
    time_zone: TextInput,
    zones: Vec<&'static str>,
    /// The certificate's paper: true for A4.
    a4: bool,
    /// The certificate's signature line: name and title.
    signatory: Vec<TextInput>,
}

/// One `<input>` with its label and a hint under it.
struct TextInput {
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    kind: &'static str,
    value: String,
}

impl IssuerEditor {
    fn new(action: String, submit: &'static str, form: &IssuerForm, errors: &[FieldError]) -> Self {
        let input = |name: &'static str,
                     label: &'static str,
                     hint: &'static str,
                     value: &str,
                     kind: &'static str| TextInput {
            name,
            label,
            hint,
            kind,
            value: value.to_string(),
        };
        let colour = form.brand_color.trim();
        IssuerEditor {
            action,
            submit,
            errors: FieldErrors::all(errors),
            first: vec![
                input("name", "Name", "", &form.name, "text"),
                input(
                    "url",
                    "Website",
                    "Such as https://library.example.org.",
                    &form.url,
                    "url",
                ),
                input("email", "Contact email", "", &form.email, "email"),
            ],
            description: form.description.clone(),
            colour: if colour.is_empty() {
                "#0b5394".into()
            } else {
                colour.to_string()
            },
            no_colour: form.no_brand_color.is_some(),
            show_award_count: form.show_award_count.is_some(),
            include_recipient_name: form.include_recipient_name.is_some(),
            linkedin: input(
                "linkedin_organization_id",
                "LinkedIn company id (optional)",
                "With it, LinkedIn shows your logo beside the badge. Find it as an administrator of your LinkedIn company page: the page's admin address reads linkedin.com/company/12345678/admin, and 12345678 is the id (pasting that address works too).",
                &form.linkedin_organization_id,
                "text",
            ),
            time_zone: input(
                "time_zone",
                "Time zone",
                "Sessions are entered and shown in it, and attendance reports read in it. Type a city, such as America/Chicago.",
                if form.time_zone.is_empty() {
                    "UTC"
                } else {
                    &form.time_zone
                },
                "text",
            ),
            zones: local_time::zone_names().collect(),
            a4: form.paper_size.trim().eq_ignore_ascii_case("a4"),
            signatory: vec![
                input(
                    "signatory_name",
                    "Certificate signed by (optional)",
                    "The name on the printable certificate's signature line, such as Dr. Åsa Núñez. Without it, the issuer's name is printed.",
                    &form.signatory_name,
                    "text",
                ),
                input(
                    "signatory_title",
                    "Signatory's title (optional)",
                    "Printed under the name, such as Director of Continuing Education.",
                    &form.signatory_title,
                    "text",
                ),
            ],
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
    errors: &[FieldError],
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
                errors,
            )
        }),
        description: issuer.description.clone().unwrap_or_default(),
        keys: key_rows(&keys),
        rotate: admin.then_some(issuer.id),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
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

/// The form's mistakes and the time zone's, together.
fn all_errors(
    applied: Result<(), Vec<FieldError>>,
    zone: Result<Zone, FieldError>,
) -> Vec<FieldError> {
    let mut errors = applied.err().unwrap_or_default();
    errors.extend(zone.err());
    errors
}
