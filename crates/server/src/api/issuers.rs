//! `/issuers`: the organizations that issue, each with its own keys and public id.
//!
//! An issuer's JWT algorithm is chosen at creation and then fixed: its keys, rotated ones
//! included, are generated with it. A PATCH naming another algorithm is a 409.

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use laurel_store::{Issuer, IssuerKey, PaperSize};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::extract::{Json, PathId};
use super::images;
use crate::auth::Bearer;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::activity::local_time::{self, Zone};
use laurel_service::documents;
use laurel_service::fields::{self, MAX_NAME, MAX_TEXT, nullable};
use laurel_service::keys::JwtAlgorithm;

/// `POST /issuers` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = IssuerInput)]
pub struct CreateIssuer {
    #[schema(min_length = 1)]
    name: String,
    #[serde(default)]
    #[schema(format = "uri")]
    url: Option<String>,
    #[serde(default)]
    #[schema(format = Email)]
    email: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    #[schema(schema_with = crate::api::openapi::fields::create_issuer_jwt_algorithm)]
    jwt_algorithm: Option<String>,
    /// The issuer's colour on its public pages (header bar, main button), #RRGGBB; text on it is white or near-black, whichever contrasts more
    #[serde(default)]
    #[schema(pattern = "^#[0-9A-Fa-f]{6}$")]
    brand_color: Option<String>,
    /// Whether the achievement page says how many times the badge was awarded
    #[serde(default)]
    #[schema(default = true)]
    show_award_count: Option<bool>,
    /// The issuer's LinkedIn company id (digits): the credential page's Add to LinkedIn profile link passes it as organizationId
    #[serde(default)]
    #[schema(pattern = "^[0-9]+$")]
    linkedin_organization_id: Option<String>,
    /// Whether credentials carry the recipient's name (signed in as an unhashed `name` IdentityObject beside the hashed email, so it is public in every copy of the badge); an award can leave it out with include_name: false
    #[serde(default)]
    #[schema(default = true)]
    include_recipient_name: Option<bool>,
    /// IANA time zone (America/Chicago) in which the console enters and shows session times and reads attendance reports by default; UTC when absent. The API's times stay UTC
    #[serde(default)]
    #[schema(example = "America/Chicago")]
    time_zone: Option<String>,
    #[serde(default)]
    #[schema(schema_with = crate::api::openapi::fields::paper_size_input)]
    paper_size: Option<String>,
    /// The name on the certificates' signature line; the issuer's name when absent
    #[serde(default)]
    #[schema(example = "Dr. Åsa Núñez")]
    signatory_name: Option<String>,
    /// The signatory's title, printed under the name
    #[serde(default)]
    #[schema(example = "Director of Continuing Education")]
    signatory_title: Option<String>,
}

/// `PATCH /issuers/{id}` body: absent fields stay, `null` clears an optional one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = IssuerPatch)]
pub struct UpdateIssuer {
    #[serde(default)]
    #[schema(min_length = 1)]
    name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(format = "uri")]
    url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(format = Email)]
    email: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    description: Option<Option<String>>,
    /// Only the current value is accepted
    #[serde(default)]
    #[schema(schema_with = crate::api::openapi::fields::update_issuer_jwt_algorithm)]
    jwt_algorithm: Option<String>,
    /// The issuer's colour on its public pages (header bar, main button), #RRGGBB; text on it is white or near-black, whichever contrasts more
    #[serde(default, deserialize_with = "nullable")]
    #[schema(pattern = "^#[0-9A-Fa-f]{6}$")]
    brand_color: Option<Option<String>>,
    #[serde(default)]
    show_award_count: Option<bool>,
    /// The issuer's LinkedIn company id (digits): the credential page's Add to LinkedIn profile link passes it as organizationId
    #[serde(default, deserialize_with = "nullable")]
    #[schema(pattern = "^[0-9]+$")]
    linkedin_organization_id: Option<Option<String>>,
    /// Whether credentials carry the recipient's name (signed in as an unhashed `name` IdentityObject beside the hashed email, so it is public in every copy of the badge); an award can leave it out with include_name: false
    #[serde(default)]
    include_recipient_name: Option<bool>,
    /// IANA time zone (America/Chicago) in which the console enters and shows session times and reads attendance reports by default. The API's times stay UTC
    #[serde(default)]
    #[schema(example = "America/Chicago")]
    time_zone: Option<String>,
    #[serde(default)]
    #[schema(schema_with = crate::api::openapi::fields::paper_size_input)]
    paper_size: Option<String>,
    /// The name on the certificates' signature line; null: the issuer's name
    #[serde(default, deserialize_with = "nullable")]
    #[schema(example = "Dr. Åsa Núñez")]
    signatory_name: Option<Option<String>>,
    /// The signatory's title, printed under the name
    #[serde(default, deserialize_with = "nullable")]
    #[schema(example = "Director of Continuing Education")]
    signatory_title: Option<Option<String>>,
}

/// `GET /issuers`.
#[utoipa::path(
    get,
    path = "/issuers",
    operation_id = "issuers_list",
    tag = "issuers",
    summary = "List issuers",
    responses(
        (status = 200, description = "All issuers, oldest first", body = IssuerList, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn list(
    state: axum::extract::State<AppState>,
    bearer: Bearer,
) -> HttpResult<Json<IssuerList>> {
    bearer.require("read")?;
    let issuers = state.store.list_issuers().await?;
    let mut views = Vec::new();
    for issuer in issuers.iter().filter(|issuer| bearer.may_see(issuer.id)) {
        let zone = local_time::issuer_zone(&state, issuer.id).await?;
        views.push(view(&state, issuer, None, zone.name()));
    }
    Ok(Json(IssuerList { issuers: views }))
}

/// `POST /issuers`: creates the issuer and its keys.
#[utoipa::path(
    post,
    path = "/issuers",
    operation_id = "issuers_create",
    tag = "issuers",
    summary = "Create an issuer and its signing keys",
    description = "Generates an Ed25519 key for Data Integrity proofs and a JWT key for jwt_algorithm (ES256 → P-256, RS256 → RSA-2048, EdDSA → Ed25519), sealed at rest with the key-encryption key. jwt_algorithm is fixed afterwards.",
    request_body(content = CreateIssuer, content_type = "application/json"),
    responses(
        (status = 201, description = "Created; Location names it", body = IssuerView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn create(
    state: axum::extract::State<AppState>,
    bearer: Bearer,
    Json(input): Json<CreateIssuer>,
) -> HttpResult<Response> {
    bearer.require("admin")?;
    bearer.require_every_issuer("create issuers")?;
    let algorithm = match input.jwt_algorithm.as_deref() {
        None => JwtAlgorithm::default(),
        Some(name) => parse_algorithm(name)?,
    };
    let now = state.clock.now();
    let issuer = Issuer {
        id: Uuid::now_v7(),
        name: fields::required("name", &input.name, MAX_NAME)?,
        url: fields::optional_url("url", input.url.as_deref())?,
        email: fields::optional_email("email", input.email.as_deref())?,
        description: fields::optional("description", input.description.as_deref(), MAX_TEXT)?,
        image: None,
        jwt_algorithm: algorithm.as_str().to_string(),
        brand_color: fields::optional_color("brand_color", input.brand_color.as_deref())?,
        show_award_count: input.show_award_count.unwrap_or(true),
        linkedin_organization_id: fields::optional_digits(
            "linkedin_organization_id",
            input.linkedin_organization_id.as_deref(),
        )?,
        include_recipient_name: input.include_recipient_name.unwrap_or(true),
        paper_size: match input.paper_size.as_deref() {
            Some(name) => fields::paper_size("paper_size", name)?,
            None => PaperSize::default(),
        },
        signatory_name: fields::optional(
            "signatory_name",
            input.signatory_name.as_deref(),
            MAX_NAME,
        )?,
        signatory_title: fields::optional(
            "signatory_title",
            input.signatory_title.as_deref(),
            MAX_NAME,
        )?,
        created_at: now,
        updated_at: now,
    };
    let zone = match input.time_zone.as_deref() {
        Some(name) => Zone::parse(name).map_err(time_zone_error)?,
        None => Zone::utc(),
    };
    let keys = laurel_service::keys::create_issuer(&state, &issuer, algorithm).await?;
    if !zone.is_utc() {
        local_time::set_issuer_zone(&state, issuer.id, zone.name()).await?;
    }
    Ok(super::located(
        StatusCode::CREATED,
        &format!("/api/v1/issuers/{}", issuer.id),
        view(&state, &issuer, Some(&keys), zone.name()),
    ))
}

/// `GET /issuers/{id}`, with its public keys.
#[utoipa::path(
    get,
    path = "/issuers/{id}",
    operation_id = "issuers_get",
    tag = "issuers",
    summary = "Get an issuer with its public keys",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 200, description = "The issuer", body = IssuerView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn get(
    state: axum::extract::State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<IssuerView>> {
    bearer.require("read")?;
    let issuer = load(&state, &bearer, &id).await?;
    let keys = state.store.issuer_keys(issuer.id).await?;
    let zone = local_time::issuer_zone(&state, issuer.id).await?;
    Ok(Json(view(&state, &issuer, Some(&keys), zone.name())))
}

/// `PATCH /issuers/{id}`.
#[utoipa::path(
    patch,
    path = "/issuers/{id}",
    operation_id = "issuers_update",
    tag = "issuers",
    summary = "Edit an issuer",
    description = "Absent fields stay; null clears an optional field. Changing jwt_algorithm is a 409. Credentials already issued are not changed.",
    params(
        crate::api::openapi::IdParam,
    ),
    request_body(content = UpdateIssuer, content_type = "application/json"),
    responses(
        (status = 200, description = "The edited issuer", body = IssuerView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 404, response = crate::api::openapi::E404),
        (status = 409, response = crate::api::openapi::E409),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn update(
    state: axum::extract::State<AppState>,
    bearer: Bearer,
    id: PathId,
    Json(input): Json<UpdateIssuer>,
) -> HttpResult<Json<IssuerView>> {
    bearer.require("admin")?;
    let mut issuer = load(&state, &bearer, &id).await?;
    if let Some(name) = input.jwt_algorithm.as_deref() {
        let algorithm = parse_algorithm(name)?;
        if algorithm.as_str() != issuer.jwt_algorithm {
            return Err(HttpError::Conflict(format!(
                "jwt_algorithm is fixed when an issuer is created (its keys are made for it): this issuer signs with {}; create another issuer to use {}",
                issuer.jwt_algorithm,
                algorithm.as_str()
            )));
        }
    }
    if let Some(name) = &input.name {
        issuer.name = fields::required("name", name, MAX_NAME)?;
    }
    if let Some(url) = &input.url {
        issuer.url = fields::optional_url("url", url.as_deref())?;
    }
    if let Some(email) = &input.email {
        issuer.email = fields::optional_email("email", email.as_deref())?;
    }
    if let Some(description) = &input.description {
        issuer.description = fields::optional("description", description.as_deref(), MAX_TEXT)?;
    }
    if let Some(color) = &input.brand_color {
        issuer.brand_color = fields::optional_color("brand_color", color.as_deref())?;
    }
    if let Some(show) = input.show_award_count {
        issuer.show_award_count = show;
    }
    if let Some(include) = input.include_recipient_name {
        issuer.include_recipient_name = include;
    }
    if let Some(id) = &input.linkedin_organization_id {
        issuer.linkedin_organization_id =
            fields::optional_digits("linkedin_organization_id", id.as_deref())?;
    }
    if let Some(paper) = &input.paper_size {
        issuer.paper_size = fields::paper_size("paper_size", paper)?;
    }
    if let Some(name) = &input.signatory_name {
        issuer.signatory_name = fields::optional("signatory_name", name.as_deref(), MAX_NAME)?;
    }
    if let Some(title) = &input.signatory_title {
        issuer.signatory_title = fields::optional("signatory_title", title.as_deref(), MAX_NAME)?;
    }
    let zone = input
        .time_zone
        .as_deref()
        .map(Zone::parse)
        .transpose()
        .map_err(time_zone_error)?;
    issuer.updated_at = state.clock.now();
    state.store.update_issuer(&issuer).await?;
    let zone = match zone {
        Some(zone) => local_time::set_issuer_zone(&state, issuer.id, zone.name()).await?,
        None => local_time::issuer_zone(&state, issuer.id).await?,
    };
    let keys = state.store.issuer_keys(issuer.id).await?;
    Ok(Json(view(&state, &issuer, Some(&keys), zone.name())))
}

/// `PUT /issuers/{id}/image`: the logo, as a raw PNG or SVG body.
#[utoipa::path(
    put,
    path = "/issuers/{id}/image",
    operation_id = "issuers_put_image",
    tag = "issuers",
    summary = "Upload the issuer's logo",
    params(
        crate::api::openapi::IdParam,
    ),
    request_body(content((inline(crate::api::openapi::bodies::PngBody) = "image/png"), (inline(crate::api::openapi::bodies::SvgBody) = "image/svg+xml")), description = "The raw image, at most 1 MiB. SVGs with scripts, event-handler attributes, javascript: URLs, foreignObject or a DOCTYPE are refused."),
    responses(
        (status = 200, description = "The issuer", body = IssuerView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 404, response = crate::api::openapi::E404),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn put_image(
    state: axum::extract::State<AppState>,
    bearer: Bearer,
    id: PathId,
    headers: HeaderMap,
    body: Body,
) -> HttpResult<Json<IssuerView>> {
    bearer.require("admin")?;
    let mut issuer = load(&state, &bearer, &id).await?;
    issuer.image = Some(images::upload(&state, &headers, body).await?);
    issuer.updated_at = state.clock.now();
    state.store.update_issuer(&issuer).await?;
    let zone = local_time::issuer_zone(&state, issuer.id).await?;
    let keys = state.store.issuer_keys(issuer.id).await?;
    Ok(Json(view(&state, &issuer, Some(&keys), zone.name())))
}

async fn load(state: &AppState, bearer: &Bearer, id: &PathId) -> HttpResult<Issuer> {
    let id = id.uuid("issuer")?;
    bearer.within(id, "issuer", id)?;
    state
        .store
        .issuer(id)
        .await
        .map_err(|error| crate::error::not_found_in(error, "issuer", id))
}

fn parse_algorithm(name: &str) -> HttpResult<JwtAlgorithm> {
    JwtAlgorithm::parse(name).ok_or_else(|| {
        HttpError::BadRequest(format!(
            "jwt_algorithm must be one of {} (got {name:?})",
            JwtAlgorithm::NAMES.join(", ")
        ))
    })
}

/// `POST /issuers/{id}/keys/rotate`: new keys for new credentials; the old ones retired and
/// still published, so everything they signed keeps verifying. The issuer with all its keys.
#[utoipa::path(
    post,
    path = "/issuers/{id}/keys/rotate",
    operation_id = "issuers_rotate_keys",
    tag = "issuers",
    summary = "Rotate an issuer's signing keys",
    description = "Generates a new Ed25519 key for Data Integrity proofs and a new JWT key of the issuer's jwt_algorithm, and retires the keys in use (retired_at). Retired keys stay published, marked retired, so everything they signed keeps verifying; credentials, re-issues and status lists signed from now on use the new keys. Credentials already issued are not signed again (POST /credentials/{id}/reissue does that). Takes no body.",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 200, description = "The issuer with all its keys, the previous ones retired", body = IssuerView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
        (status = 503, response = crate::api::openapi::E503),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn rotate_keys(
    state: axum::extract::State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<IssuerView>> {
    bearer.require("admin")?;
    let id = id.uuid("issuer")?;
    bearer.within(id, "issuer", id)?;
    laurel_service::lifecycle::rotate_keys(&state, id).await?;
    let issuer = state.store.issuer(id).await?;
    let keys = state.store.issuer_keys(id).await?;
    let zone = local_time::issuer_zone(&state, id).await?;
    Ok(Json(view(&state, &issuer, Some(&keys), zone.name())))
}

/// The admin view of an issuer; `keys` lists its public keys (never private material).
fn view(
    state: &AppState,
    issuer: &Issuer,
    keys: Option<&[IssuerKey]>,
    time_zone: &str,
) -> IssuerView {
    IssuerView {
        id: issuer.id,
        public_id: state.urls.issuer(issuer.id),
        name: issuer.name.clone(),
        url: issuer.url.clone(),
        email: issuer.email.clone(),
        description: issuer.description.clone(),
        image: issuer
            .image
            .as_deref()
            .map(|stored| documents::image_url(&state.urls, stored)),
        jwt_algorithm: issuer.jwt_algorithm.clone(),
        brand_color: issuer.brand_color.clone(),
        show_award_count: issuer.show_award_count,
        linkedin_organization_id: issuer.linkedin_organization_id.clone(),
        include_recipient_name: issuer.include_recipient_name,
        time_zone: time_zone.to_owned(),
        paper_size: issuer.paper_size.as_str(),
        signatory_name: issuer.signatory_name.clone(),
        signatory_title: issuer.signatory_title.clone(),
        created_at: issuer.created_at,
        updated_at: issuer.updated_at,
        keys: keys.map(|keys| {
            keys.iter()
                .map(|key| IssuerKeyView {
                    id: key.id,
                    url: state.urls.key(issuer.id, key.id),
                    purpose: key.purpose.as_str(),
                    algorithm: key.algorithm.clone(),
                    public_jwk: serde_json::from_str::<Value>(&key.public_jwk)
                        .unwrap_or(Value::Null),
                    created_at: key.created_at,
                    retired_at: key.retired_at,
                    compromised_since: key.compromised_since,
                })
                .collect()
        }),
    }
}

/// An issuer as the admin API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Issuer)]
pub struct IssuerView {
    id: Uuid,
    /// The issuer's Open Badges id (its Profile URL)
    #[schema(format = "uri")]
    public_id: String,
    name: String,
    url: Option<String>,
    email: Option<String>,
    description: Option<String>,
    #[schema(format = "uri")]
    image: Option<String>,
    jwt_algorithm: String,
    /// #rrggbb, lowercase
    brand_color: Option<String>,
    show_award_count: bool,
    linkedin_organization_id: Option<String>,
    /// Whether credentials carry the recipient's name (an unhashed `name` IdentityObject, public in the signed badge)
    include_recipient_name: bool,
    /// IANA time zone (America/Chicago) in which the console enters and shows session times and reads attendance reports by default; UTC until set. The API's times are always UTC
    time_zone: String,
    #[schema(schema_with = crate::api::openapi::fields::paper_size)]
    paper_size: &'static str,
    /// The name on its certificates' signature line (none: the issuer's name is printed)
    signatory_name: Option<String>,
    /// The signatory's title
    signatory_title: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// Public keys, oldest first, retired ones included (single-issuer responses only)
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    keys: Option<Vec<IssuerKeyView>>,
}

/// One public key of an issuer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = IssuerKey)]
pub struct IssuerKeyView {
    id: Uuid,
    /// verificationMethod / kid
    #[schema(format = "uri")]
    url: String,
    #[schema(schema_with = crate::api::openapi::fields::key_purpose)]
    purpose: &'static str,
    #[schema(schema_with = crate::api::openapi::fields::key_algorithm)]
    algorithm: String,
    #[schema(value_type = Object)]
    public_jwk: Value,
    created_at: DateTime<Utc>,
    /// When a rotation retired it: it signs nothing new and stays published, so what it signed keeps verifying
    retired_at: Option<DateTime<Utc>>,
    /// When the key is known to have been compromised: its signatures from then on are not to be trusted (published as the key's revoked time)
    compromised_since: Option<DateTime<Utc>>,
}

/// `GET /issuers`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = IssuerList)]
pub struct IssuerList {
    issuers: Vec<IssuerView>,
}

/// A time zone the API does not know, named as the field it came in.
fn time_zone_error(error: laurel_service::ServiceError) -> HttpError {
    HttpError::BadRequest(format!("time_zone: {error}"))
}
