//! `/achievements`: badge classes, what an issuer awards.
//!
//! Inputs are checked field by field, then once more as a whole: a sample credential for the
//! achievement is built and validated against the 1EdTech AchievementCredential schema, so an
//! achievement that is stored can always be awarded. Editing changes what future awards say;
//! credentials already issued are stored as signed and never change.
//!
//! A body may also set the achievement's CE category (transcript bookkeeping, never signed),
//! as `PUT /achievements/{id}/category` does: checked against the issuer's list before
//! anything is stored, so an unknown category refuses the whole body.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use laurel_core::model::{Alignment, OneOrMany};
use laurel_store::Achievement;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::audit;
use super::extract::{Json, PathId, Query};
use super::images;
use super::rules;
use crate::auth::Bearer;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::fields::{self, MAX_NAME, MAX_TEXT, nullable};
use laurel_service::transcript::categories;
use laurel_service::{activity, catalog, documents};

/// `POST /achievements` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AchievementInput)]
pub struct CreateAchievement {
    issuer_id: Uuid,
    #[schema(min_length = 1)]
    name: String,
    #[schema(min_length = 1)]
    description: String,
    /// Markdown
    #[serde(default)]
    criteria_narrative: Option<String>,
    #[serde(default)]
    #[schema(format = "uri")]
    criteria_url: Option<String>,
    /// An Open Badges achievementType (Badge, Course, Certificate, …) or ext:…
    #[serde(default)]
    achievement_type: Option<String>,
    #[serde(default)]
    #[schema(max_items = 50)]
    tags: Vec<String>,
    #[serde(default)]
    #[schema(max_items = 50)]
    alignment: Vec<AlignmentInput>,
    /// Continuing-education hours (creditsAvailable)
    #[serde(default)]
    #[schema(minimum = 0)]
    credits_available: Option<f64>,
    /// Sets validUntil on awarded credentials
    #[serde(default)]
    #[schema(minimum = 1, maximum = 36500)]
    valid_for_days: Option<i64>,
    /// Award by attendance or completion as soon as it is recorded. Setting rules mints nothing by itself: see /achievements/{id}/rules/preview and /evaluate
    #[serde(default)]
    #[schema(schema_with = crate::api::openapi::fields::create_achievement_award_rules)]
    award_rules: Vec<Value>,
    /// The continuing-education category transcripts count it toward: one of its issuer's (see /issuers/{id}/categories), matched ignoring case; absent or null for none
    #[serde(default)]
    #[schema(max_length = 60)]
    category: Option<String>,
}

/// `PATCH /achievements/{id}` body: absent fields stay, `null` clears an optional one,
/// `tags` and `alignment` replace the whole list. The issuer cannot change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AchievementPatch)]
pub struct UpdateAchievement {
    #[serde(default)]
    #[schema(min_length = 1)]
    name: Option<String>,
    #[serde(default)]
    #[schema(min_length = 1)]
    description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    criteria_narrative: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(format = "uri")]
    criteria_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    achievement_type: Option<Option<String>>,
    #[serde(default)]
    tags: Option<Vec<String>>,
    #[serde(default)]
    alignment: Option<Vec<AlignmentInput>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(minimum = 0)]
    credits_available: Option<Option<f64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(minimum = 1)]
    valid_for_days: Option<Option<i64>>,
    /// Replaces the whole list ([] removes every rule); mints nothing by itself
    #[serde(default)]
    #[schema(schema_with = crate::api::openapi::fields::update_achievement_award_rules)]
    award_rules: Option<Vec<Value>>,
    /// One of its issuer's continuing-education categories (matched ignoring case), or null for none
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_length = 60)]
    category: Option<Option<String>>,
}

/// An alignment as the API takes it (Open Badges names; `type` is added).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(as = Alignment)]
pub struct AlignmentInput {
    target_name: String,
    #[schema(format = "uri")]
    target_url: String,
    #[serde(default)]
    target_description: Option<String>,
    #[serde(default)]
    target_framework: Option<String>,
    #[serde(default)]
    target_code: Option<String>,
    /// ceasn:Competency, ceterms:Credential, CFItem, CFRubric, CFRubricCriterion, CFRubricCriterionLevel, CTDL, or ext:…
    #[serde(default)]
    target_type: Option<String>,
}

/// `GET /achievements` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this issuer's
    #[serde(default)]
    #[param(value_type = Option<Uuid>)]
    issuer: Option<String>,
}

/// `GET /achievements[?issuer=]`.
#[utoipa::path(
    get,
    path = "/achievements",
    operation_id = "achievements_list",
    tag = "achievements",
    summary = "List achievements",
    params(ListQuery),
    responses(
        (status = 200, description = "Achievements, oldest first", body = AchievementList, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn list(
    State(state): State<AppState>,
    bearer: Bearer,
    Query(query): Query<ListQuery>,
) -> HttpResult<Json<AchievementList>> {
    bearer.require("read")?;
    let issuer = fields::id_param("issuer", query.issuer.as_deref())?;
    let achievements = state.store.list_achievements(issuer).await?;
    let mut categories = state.store.achievement_categories(issuer).await?;
    let views = achievements
        .iter()
        .filter(|achievement| bearer.may_see(achievement.issuer_id))
        .map(|achievement| view(&state, achievement, categories.remove(&achievement.id)))
        .collect::<HttpResult<Vec<_>>>()?;
    Ok(Json(AchievementList {
        achievements: views,
    }))
}

/// `POST /achievements`.
#[utoipa::path(
    post,
    path = "/achievements",
    operation_id = "achievements_create",
    tag = "achievements",
    summary = "Create an achievement",
    description = "Checked so that every credential minted from it passes the 1EdTech AchievementCredential schema.",
    request_body(content = CreateAchievement, content_type = "application/json"),
    responses(
        (status = 201, description = "Created; Location names it", body = AchievementView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 404, response = crate::api::openapi::E404),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn create(
    State(state): State<AppState>,
    bearer: Bearer,
    Json(input): Json<CreateAchievement>,
) -> HttpResult<Response> {
    bearer.require("admin")?;
    bearer.within(input.issuer_id, "issuer", input.issuer_id)?;
    let issuer = state
        .store
        .issuer(input.issuer_id)
        .await
        .map_err(|error| crate::error::not_found_in(error, "issuer", input.issuer_id))?;
    let now = state.clock.now();
    let achievement = Achievement {
        id: Uuid::now_v7(),
        issuer_id: issuer.id,
        name: fields::required("name", &input.name, MAX_NAME)?,
        description: fields::required("description", &input.description, MAX_TEXT)?,
        criteria_narrative: fields::optional(
            "criteria_narrative",
            input.criteria_narrative.as_deref(),
            MAX_TEXT,
        )?,
        criteria_url: fields::optional_url("criteria_url", input.criteria_url.as_deref())?,
        image: None,
        achievement_type: catalog::achievement_type(input.achievement_type.as_deref())?,
        tags: catalog::tags(input.tags)?,
        alignment: alignment(input.alignment)?,
        credits_available: catalog::credits(input.credits_available)?,
        valid_for_days: catalog::valid_for_days(input.valid_for_days)?,
        award_rules: activity::rules::check(&state, issuer.id, input.award_rules).await?,
        created_at: now,
        updated_at: now,
    };
    catalog::check_awardable(&state, &issuer, &achievement)?;
    // Checked before anything is stored: an unknown category refuses the whole body.
    let category =
        categories::resolve(&state.service, issuer.id, input.category.as_deref()).await?;
    state.store.create_achievement(&achievement).await?;
    if category.is_some() {
        categories::store_for_achievement(&state.service, achievement.id, category.as_deref())
            .await?;
    }
    let detail = json!({ "category": category });
    Ok(audit::with_detail(
        super::located(
            StatusCode::CREATED,
            &format!("/api/v1/achievements/{}", achievement.id),
            view(&state, &achievement, category)?,
        ),
        detail,
    ))
}

/// `GET /achievements/{id}`.
#[utoipa::path(
    get,
    path = "/achievements/{id}",
    operation_id = "achievements_get",
    tag = "achievements",
    summary = "Get an achievement",
    params(
        crate::api::openapi::IdParam,
    ),
    responses(
        (status = 200, description = "The achievement", body = AchievementView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn get(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<AchievementView>> {
    bearer.require("read")?;
    let achievement = load(&state, &bearer, &id).await?;
    let category = categories::of_achievement(&state.service, achievement.id).await?;
    Ok(Json(view(&state, &achievement, category)?))
}

/// `PATCH /achievements/{id}`.
#[utoipa::path(
    patch,
    path = "/achievements/{id}",
    operation_id = "achievements_update",
    tag = "achievements",
    summary = "Edit an achievement",
    description = "Absent fields stay; null clears an optional field; tags and alignment replace the whole list. Credentials already issued are stored as signed and never change.",
    params(
        crate::api::openapi::IdParam,
    ),
    request_body(content = UpdateAchievement, content_type = "application/json"),
    responses(
        (status = 200, description = "The edited achievement", body = AchievementView, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 400, response = crate::api::openapi::E400),
        (status = 404, response = crate::api::openapi::E404),
        (status = 413, response = crate::api::openapi::E413),
        (status = 415, response = crate::api::openapi::E415),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn update(
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    Json(input): Json<UpdateAchievement>,
) -> HttpResult<Response> {
    bearer.require("admin")?;
    let mut achievement = load(&state, &bearer, &id).await?;
    if let Some(name) = &input.name {
        achievement.name = fields::required("name", name, MAX_NAME)?;
    }
    if let Some(description) = &input.description {
        achievement.description = fields::required("description", description, MAX_TEXT)?;
    }
    if let Some(narrative) = &input.criteria_narrative {
        achievement.criteria_narrative =
            fields::optional("criteria_narrative", narrative.as_deref(), MAX_TEXT)?;
    }
    if let Some(url) = &input.criteria_url {
        achievement.criteria_url = fields::optional_url("criteria_url", url.as_deref())?;
    }
    if let Some(kind) = &input.achievement_type {
        achievement.achievement_type = catalog::achievement_type(kind.as_deref())?;
    }
    if let Some(list) = input.tags {
        achievement.tags = catalog::tags(list)?;
    }
    if let Some(list) = input.alignment {
        achievement.alignment = alignment(list)?;
    }
    if let Some(value) = input.credits_available {
        achievement.credits_available = catalog::credits(value)?;
    }
    if let Some(value) = input.valid_for_days {
        achievement.valid_for_days = catalog::valid_for_days(value)?;
    }
    if let Some(list) = input.award_rules {
        achievement.award_rules =
            activity::rules::check(&state, achievement.issuer_id, list).await?;
    }
    let issuer = state.store.issuer(achievement.issuer_id).await?;
    catalog::check_awardable(&state, &issuer, &achievement)?;
    // Checked before anything is stored: an unknown category refuses the whole body.
    let category = match &input.category {
        Some(wanted) => {
            Some(categories::resolve(&state.service, issuer.id, wanted.as_deref()).await?)
        }
        None => None,
    };
    achievement.updated_at = state.clock.now();
    state.store.update_achievement(&achievement).await?;
    let detail = match &category {
        Some(chosen) => {
            categories::store_for_achievement(&state.service, achievement.id, chosen.as_deref())
                .await?;
            json!({ "category": chosen })
        }
        None => json!({}),
    };
    let category = match category {
        Some(chosen) => chosen,
        None => categories::of_achievement(&state.service, achievement.id).await?,
    };
    Ok(audit::with_detail(
        Json(view(&state, &achievement, category)?),
        detail,
    ))
}

/// `PUT /achievements/{id}/image`: the badge image, as a raw PNG or SVG body.
#[utoipa::path(
    put,
    path = "/achievements/{id}/image",
    operation_id = "achievements_put_image",
    tag = "achievements",
    summary = "Upload the achievement's badge image",
    params(
        crate::api::openapi::IdParam,
    ),
    request_body(content((inline(crate::api::openapi::bodies::PngBody) = "image/png"), (inline(crate::api::openapi::bodies::SvgBody) = "image/svg+xml")), description = "The raw image, at most 1 MiB. SVGs with scripts, event-handler attributes, javascript: URLs, foreignObject or a DOCTYPE are refused."),
    responses(
        (status = 200, description = "The achievement", body = AchievementView, content_type = "application/json"),
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
    State(state): State<AppState>,
    bearer: Bearer,
    id: PathId,
    headers: HeaderMap,
    body: Body,
) -> HttpResult<Json<AchievementView>> {
    bearer.require("admin")?;
    let mut achievement = load(&state, &bearer, &id).await?;
    achievement.image = Some(images::upload(&state, &headers, body).await?);
    achievement.updated_at = state.clock.now();
    state.store.update_achievement(&achievement).await?;
    let category = categories::of_achievement(&state.service, achievement.id).await?;
    Ok(Json(view(&state, &achievement, category)?))
}

/// The achievement at `id`, if this token may see its issuer (else the same 404 as a missing
/// one).
pub(crate) async fn load(
    state: &AppState,
    bearer: &Bearer,
    id: &PathId,
) -> HttpResult<Achievement> {
    let id = id.uuid("achievement")?;
    let achievement = state
        .store
        .achievement(id)
        .await
        .map_err(|error| crate::error::not_found_in(error, "achievement", id))?;
    bearer.within(achievement.issuer_id, "achievement", id)?;
    Ok(achievement)
}

fn alignment(list: Vec<AlignmentInput>) -> HttpResult<String> {
    if list.len() > catalog::MAX_LIST {
        return Err(HttpError::BadRequest(format!(
            "at most {} alignments",
            catalog::MAX_LIST
        )));
    }
    let mut alignments = Vec::with_capacity(list.len());
    for (index, input) in list.into_iter().enumerate() {
        let field = |name: &str| format!("alignment[{index}].{name}");
        let target_url = fields::optional_url(&field("targetUrl"), Some(&input.target_url))?
            .ok_or_else(|| {
                HttpError::BadRequest(format!("{} must not be empty", field("targetUrl")))
            })?;
        let target_type =
            fields::optional(&field("targetType"), input.target_type.as_deref(), MAX_NAME)?;
        if let Some(kind) = &target_type
            && !catalog::TARGET_TYPES.contains(&kind.as_str())
            && !catalog::is_extension(kind)
        {
            return Err(HttpError::BadRequest(format!(
                "{} {kind:?} is not an Open Badges alignment type: use one of {} or ext:…",
                field("targetType"),
                catalog::TARGET_TYPES.join(", ")
            )));
        }
        alignments.push(Alignment {
            r#type: OneOrMany::Many(vec!["Alignment".to_string()]),
            target_code: fields::optional(
                &field("targetCode"),
                input.target_code.as_deref(),
                MAX_NAME,
            )?,
            target_description: fields::optional(
                &field("targetDescription"),
                input.target_description.as_deref(),
                MAX_TEXT,
            )?,
            target_name: fields::required(&field("targetName"), &input.target_name, MAX_NAME)?,
            target_framework: fields::optional(
                &field("targetFramework"),
                input.target_framework.as_deref(),
                MAX_NAME,
            )?,
            target_type,
            target_url,
            extra: Default::default(),
        });
    }
    serde_json::to_string(&alignments).map_err(|error| HttpError::Internal(error.to_string()))
}

/// The admin view of an achievement, with its CE category.
fn view(
    state: &AppState,
    achievement: &Achievement,
    category: Option<String>,
) -> HttpResult<AchievementView> {
    Ok(AchievementView {
        id: achievement.id,
        public_id: state.urls.achievement(achievement.id),
        issuer_id: achievement.issuer_id,
        name: achievement.name.clone(),
        description: achievement.description.clone(),
        criteria_narrative: achievement.criteria_narrative.clone(),
        criteria_url: achievement.criteria_url.clone(),
        image: achievement
            .image
            .as_deref()
            .map(|stored| documents::image_url(&state.urls, stored)),
        achievement_type: achievement.achievement_type.clone(),
        tags: achievement.tags.clone(),
        alignment: documents::alignments(&achievement.alignment)?,
        credits_available: achievement.credits_available,
        valid_for_days: achievement.valid_for_days,
        award_rules: rules::view(achievement),
        category,
        created_at: achievement.created_at,
        updated_at: achievement.updated_at,
    })
}

/// An achievement as the admin API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Achievement)]
pub struct AchievementView {
    id: Uuid,
    /// The achievement's Open Badges id
    #[schema(format = "uri")]
    public_id: String,
    issuer_id: Uuid,
    name: String,
    description: String,
    /// Markdown
    criteria_narrative: Option<String>,
    #[schema(format = "uri")]
    criteria_url: Option<String>,
    #[schema(format = "uri")]
    image: Option<String>,
    achievement_type: Option<String>,
    tags: Vec<String>,
    /// Open Badges Alignment objects (with their `type`)
    #[schema(value_type = Vec<Object>)]
    alignment: Vec<Alignment>,
    /// Continuing-education hours (creditsAvailable)
    credits_available: Option<f64>,
    valid_for_days: Option<i64>,
    #[schema(schema_with = crate::api::openapi::fields::award_rules)]
    award_rules: Value,
    /// The continuing-education category transcripts count it toward (one of its issuer's), or null
    category: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// `GET /achievements`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AchievementList {
    achievements: Vec<AchievementView>,
}
