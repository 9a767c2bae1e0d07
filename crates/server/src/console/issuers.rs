//! `/console/issuers`: issuers' profiles and branding, their keys, and key rotation.
//!
//! Administrators create and edit issuers and rotate keys; everyone signed in can read them.
//! Forms check each field as the admin API does and show a mistake beside its field, keeping
//! what was typed; nothing is stored from a form with a mistake.

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use laurel_store::{Issuer, IssuerKey};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::session::Staff;
use super::{audit_log, forged, pages};
use crate::pages::html::{date, esc};
use crate::{ApiError, AppState};
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
        Err(error) => return pages::error(&error.into()),
    };
    let rows: String = issuers
        .iter()
        .filter(|i| staff.may_see(i.id))
        .map(|i| {
            format!(
                r#"<tr><td><a href="/console/issuers/{id}">{name}</a></td><td><a href="{public}">public page</a></td><td>{created}</td></tr>
"#,
                id = i.id,
                name = esc(&i.name),
                public = esc(&state.urls.issuer(i.id)),
                created = date(i.created_at),
            )
        })
        .collect();
    let new = if staff.is_admin() {
        format!(
            "<h2>New issuer</h2>\n{}",
            fields_form(staff, "/console/issuers", "Create issuer", form, error)
        )
    } else {
        String::new()
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = format!(
        r#"<table><thead><tr><th scope="col">Issuer</th><th scope="col">Public</th><th scope="col">Created</th></tr></thead>
<tbody>
{rows}</tbody></table>
{new}"#
    );
    pages::respond(status, pages::page("Issuers", Some(staff), &body))
}

/// `POST /console/issuers`: creates an issuer and its keys.
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<IssuerForm>,
) -> Response {
    if !staff.is_admin() {
        return pages::not_allowed(&staff, "Only administrators change issuers.");
    }
    if !staff.check_csrf(&form.csrf) {
        return forged();
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
    if let Err(error) = laurel_service::keys::create_issuer(
        &state,
        &issuer,
        laurel_service::keys::JwtAlgorithm::default(),
    )
    .await
    {
        return pages::error(&ApiError::from(error));
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "issuer.create",
        Some(issuer.id.to_string()),
        json!({ "name": issuer.name }),
    )
    .await;
    Redirect::to(&format!("/console/issuers/{}", issuer.id)).into_response()
}

/// `GET /console/issuers/{id}`.
pub async fn show(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> Response {
    match load(&state, &id).await {
        Ok(issuer) if !staff.may_see(issuer.id) => {
            pages::not_allowed(&staff, "Only administrators change issuers.")
        }
        Ok(issuer) => {
            let form = IssuerForm::from_issuer(&issuer);
            render_one(&state, &staff, &issuer, &form, None, None).await
        }
        Err(error) => pages::error(&error),
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
        return pages::not_allowed(&staff, "Only administrators change issuers.");
    }
    if !staff.check_csrf(&form.csrf) {
        return forged();
    }
    let issuer = match load(&state, &id).await {
        Ok(issuer) => issuer,
        Err(error) => return pages::error(&error),
    };
    let mut changed = issuer.clone();
    if let Err(error) = form.apply(&mut changed) {
        return render_one(&state, &staff, &issuer, &form, Some(&error), None).await;
    }
    changed.updated_at = state.clock.now();
    if let Err(error) = state.store.update_issuer(&changed).await {
        return pages::error(&error.into());
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "issuer.update",
        Some(issuer.id.to_string()),
        json!({ "name": changed.name }),
    )
    .await;
    let form = IssuerForm::from_issuer(&changed);
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
        return pages::not_allowed(&staff, "Only administrators change issuers.");
    }
    if !staff.check_csrf(&form.csrf) {
        return forged();
    }
    let issuer = match load(&state, &id).await {
        Ok(issuer) => issuer,
        Err(error) => return pages::error(&error),
    };
    let keys = match laurel_service::lifecycle::rotate_keys(&state, issuer.id).await {
        Ok(keys) => keys,
        Err(error) => return pages::error(&ApiError::from(error)),
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

async fn load(state: &AppState, id: &str) -> Result<Issuer, ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::NotFound("no such issuer".into()))?;
    state
        .store
        .issuer(id)
        .await
        .map_err(|e| crate::error::not_found_in(e, "issuer", id))
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
        Err(error) => return pages::error(&error.into()),
    };
    let notice = pages::notice(notice);
    let profile = if staff.is_admin() {
        fields_form(
            staff,
            &format!("/console/issuers/{}", issuer.id),
            "Save",
            form,
            error,
        )
    } else {
        format!(
            "<p>{}</p>",
            esc(issuer.description.as_deref().unwrap_or(""))
        )
    };
    let rotate = if staff.is_admin() {
        format!(
            r#"<form method="post" action="/console/issuers/{}/rotate-keys">
<input type="hidden" name="csrf" value="{}">
<p><button type="submit">Rotate keys</button> New credentials are signed with new keys; the old ones stay published.</p>
</form>"#,
            issuer.id,
            esc(&staff.session.csrf_token)
        )
    } else {
        String::new()
    };
    let image = if staff.is_admin() {
        super::images::control(
            state,
            &format!("/console/issuers/{}/image", issuer.id),
            issuer.image.as_deref(),
            &staff.session.csrf_token,
            &format!("/api/v1/issuers/{}/image", issuer.id),
        )
    } else {
        String::new()
    };
    let body = format!(
        r#"{notice}<p><a href="{public}">Public page</a></p>
{image}
<h2>Profile and branding</h2>
{profile}
<h2>Keys</h2>
<table><thead><tr><th scope="col">Signs</th><th scope="col">Algorithm</th><th scope="col">Made</th><th scope="col">State</th></tr></thead>
<tbody>
{keys}</tbody></table>
{rotate}"#,
        public = esc(&state.urls.issuer(issuer.id)),
        keys = key_rows(&keys),
    );
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    pages::respond(status, pages::page(&issuer.name, Some(staff), &body))
}

fn key_rows(keys: &[IssuerKey]) -> String {
    keys.iter()
        .map(|k| {
            let state = match (k.compromised_since, k.retired_at) {
                (Some(since), _) => format!("revoked (compromised since {})", date(since)),
                (None, Some(at)) => format!("retired {}", date(at)),
                (None, None) => "in use".to_string(),
            };
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"key-state\">{}</td></tr>\n",
                match k.purpose {
                    laurel_store::KeyPurpose::DataIntegrity => "Data Integrity proofs",
                    laurel_store::KeyPurpose::Jwt => "VC-JWTs",
                },
                esc(&k.algorithm),
                date(k.created_at),
                esc(&state),
            )
        })
        .collect()
}

fn fields_form(
    staff: &Staff,
    action: &str,
    submit: &str,
    form: &IssuerForm,
    error: Option<&(&'static str, String)>,
) -> String {
    let field = |name: &'static str, label: &str, value: &str, kind: &str| {
        let (message, attrs) = match error {
            Some((f, message)) if *f == name => (
                format!(
                    r#" <span class="error" id="{name}-error">{}</span>"#,
                    esc(message)
                ),
                format!(r#" aria-invalid="true" aria-describedby="{name}-error""#),
            ),
            _ => (String::new(), String::new()),
        };
        format!(
            r#"<p><label for="{name}">{label}</label><br><input id="{name}" name="{name}" type="{kind}" value="{value}"{attrs}>{message}</p>
"#,
            value = esc(value),
        )
    };
    let (description_error, description_attrs) = match error {
        Some((f, message)) if *f == "description" => (
            format!(
                r#" <span class="error" id="description-error">{}</span>"#,
                esc(message)
            ),
            r#" aria-invalid="true" aria-describedby="description-error""#.to_string(),
        ),
        _ => (String::new(), String::new()),
    };
    format!(
        r#"<form method="post" action="{action}">
<input type="hidden" name="csrf" value="{csrf}">
{name}{url}{email}<p><label for="description">Description</label><br><textarea id="description" name="description" rows="3" cols="60"{description_attrs}>{description}</textarea>{description_error}</p>
{color}<p><label><input type="checkbox" name="show_award_count" value="yes"{show}> Show how many times each badge was awarded</label></p>
{linkedin}<p><button type="submit">{submit}</button></p>
</form>"#,
        action = esc(action),
        csrf = esc(&staff.session.csrf_token),
        name = field("name", "Name", &form.name, "text"),
        url = field("url", "Website", &form.url, "url"),
        email = field("email", "Contact email", &form.email, "email"),
        description = esc(&form.description),
        color = field("brand_color", "Colour (#rrggbb)", &form.brand_color, "text"),
        show = if form.show_award_count.is_some() {
            " checked"
        } else {
            ""
        },
        linkedin = field(
            "linkedin_organization_id",
            "LinkedIn company id (digits)",
            &form.linkedin_organization_id,
            "text"
        ),
        submit = esc(submit),
    )
}

/// Ties a check's error to the form field it is about (the message shown beside it).
fn at<E: std::fmt::Display>(field: &'static str) -> impl Fn(E) -> (&'static str, String) {
    move |error| (field, error.to_string())
}
