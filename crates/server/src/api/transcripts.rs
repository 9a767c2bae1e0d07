//! CE transcripts and the CE categories they total by.
//!
//! - `GET|PUT /issuers/{id}/categories`: the issuer's short list of categories, in order.
//! - `GET|PUT /achievements/{id}/category`: the one category an achievement counts toward.
//! - `GET /recipients/{email}/transcript?from=&until=&issuer=&format=`: one person's
//!   credentials over a period with credits and totals, as JSON (default), a signed CLR 2.0
//!   `ClrCredential` (`format=clr`), CSV (`format=csv`) or PDF (`format=pdf`).
//!
//! The domain ([`laurel_service::transcript`]) computes everything; this file reads the
//! request, scopes it to the token's issuers and renders the answer.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use laurel_service::transcript::{self, Excluded, Period, Row, Transcript, categories, clr};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::extract::{Json, PathId, Query};
use crate::auth::Bearer;
use crate::{AppState, HttpError, HttpResult};

/// An issuer's CE categories.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryList {
    /// In the order transcripts list their totals; names trimmed, at most 20, each at most 60
    /// characters, no two the same ignoring case. A category still set on an achievement
    /// cannot be left out (409).
    #[schema(max_items = 20)]
    pub categories: Vec<String>,
}

/// An achievement's CE category.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AchievementCategory {
    /// One of its issuer's categories (matched ignoring case), or null for none.
    pub category: Option<String>,
}

/// `GET /issuers/{id}/categories`.
#[utoipa::path(
    get,
    path = "/issuers/{id}/categories",
    operation_id = "issuers_get_categories",
    tag = "transcripts",
    summary = "An issuer's CE categories",
    params(crate::api::openapi::IdParam),
    responses(
        (status = 200, description = "The categories, in order", body = CategoryList, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn get_categories(
    state: axum::extract::State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<CategoryList>> {
    bearer.require("read")?;
    let issuer = issuer_id(&bearer, &id)?;
    Ok(Json(CategoryList {
        categories: categories::list(&state.service, issuer).await?,
    }))
}

/// `PUT /issuers/{id}/categories`.
#[utoipa::path(
    put,
    path = "/issuers/{id}/categories",
    operation_id = "issuers_put_categories",
    tag = "transcripts",
    summary = "Replace an issuer's CE categories",
    params(crate::api::openapi::IdParam),
    request_body(content = CategoryList, content_type = "application/json"),
    responses(
        (status = 200, description = "The categories as stored", body = CategoryList, content_type = "application/json"),
        (status = 400, response = crate::api::openapi::E400),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
        (status = 409, response = crate::api::openapi::E409),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn put_categories(
    state: axum::extract::State<AppState>,
    bearer: Bearer,
    id: PathId,
    Json(input): Json<CategoryList>,
) -> HttpResult<Json<CategoryList>> {
    bearer.require("admin")?;
    let issuer = issuer_id(&bearer, &id)?;
    Ok(Json(CategoryList {
        categories: categories::set(&state.service, issuer, &input.categories).await?,
    }))
}

/// `GET /achievements/{id}/category`.
#[utoipa::path(
    get,
    path = "/achievements/{id}/category",
    operation_id = "achievements_get_category",
    tag = "transcripts",
    summary = "An achievement's CE category",
    params(crate::api::openapi::IdParam),
    responses(
        (status = 200, description = "Its category, or null", body = AchievementCategory, content_type = "application/json"),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn get_category(
    state: axum::extract::State<AppState>,
    bearer: Bearer,
    id: PathId,
) -> HttpResult<Json<AchievementCategory>> {
    bearer.require("read")?;
    let achievement = super::achievements::load(&state, &bearer, &id).await?;
    Ok(Json(AchievementCategory {
        category: categories::of_achievement(&state.service, achievement.id).await?,
    }))
}

/// `PUT /achievements/{id}/category`.
#[utoipa::path(
    put,
    path = "/achievements/{id}/category",
    operation_id = "achievements_put_category",
    tag = "transcripts",
    summary = "Set or clear an achievement's CE category",
    params(crate::api::openapi::IdParam),
    request_body(content = AchievementCategory, content_type = "application/json"),
    responses(
        (status = 200, description = "Its category as its issuer's list spells it", body = AchievementCategory, content_type = "application/json"),
        (status = 400, response = crate::api::openapi::E400),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["admin"])),
)]
pub async fn put_category(
    state: axum::extract::State<AppState>,
    bearer: Bearer,
    id: PathId,
    Json(input): Json<AchievementCategory>,
) -> HttpResult<Json<AchievementCategory>> {
    bearer.require("admin")?;
    let achievement = super::achievements::load(&state, &bearer, &id).await?;
    let category =
        categories::set_for_achievement(&state.service, achievement.id, input.category.as_deref())
            .await?;
    Ok(Json(AchievementCategory { category }))
}

fn issuer_id(bearer: &Bearer, id: &PathId) -> HttpResult<Uuid> {
    let issuer = id.uuid("issuer")?;
    bearer.within(issuer, "issuer", issuer)?;
    Ok(issuer)
}

/// `GET /recipients/{email}/transcript` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TranscriptQuery {
    /// First day (YYYY-MM-DD, or a year: from its 1 January). Missing: 1 January of `until`'s year (or of this year).
    #[serde(default)]
    pub from: Option<String>,
    /// Last day, included (YYYY-MM-DD, or a year: until its 31 December). Missing: 31 December of `from`'s year (or of this year).
    #[serde(default)]
    pub until: Option<String>,
    /// Only these issuers' credentials: one id, or several separated by commas. The first signs a CLR.
    #[serde(default)]
    pub issuer: Option<String>,
    /// json (default), clr (a signed CLR 2.0 ClrCredential), csv or pdf.
    #[serde(default)]
    pub format: Option<String>,
}

/// A period of days, both included.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodView {
    pub from: NaiveDate,
    pub until: NaiveDate,
}

/// A credential on a transcript.
#[derive(Debug, Serialize, ToSchema)]
pub struct TranscriptRow {
    /// The award's id.
    pub credential_id: Uuid,
    /// The credential's public URL.
    pub credential_url: String,
    /// The day it counts on: its activity's date, else the day it was awarded, in its issuer's time zone.
    pub date: NaiveDate,
    pub issuer_id: Uuid,
    /// The issuer's name as signed.
    pub provider: String,
    pub achievement_id: Uuid,
    pub title: String,
    /// creditsEarned, else the achievement's creditsAvailable; null if neither.
    pub credits: Option<f64>,
    pub category: Option<String>,
    /// The role the person had (`Presenter`), if the award carries one.
    pub role: Option<String>,
}

/// A credential of the period that is not counted.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExcludedRow {
    #[serde(flatten)]
    pub credential: TranscriptRow,
    /// revoked, suspended or expired.
    pub reason: String,
    /// In words: "Revoked on 1 March 2026: awarded in error".
    pub reason_text: String,
}

/// Credits of one category.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryTotalView {
    /// null: credentials whose achievement has no category.
    pub category: Option<String>,
    pub credentials: u64,
    pub credits: f64,
}

/// One person's transcript.
#[derive(Debug, Serialize, ToSchema)]
pub struct TranscriptView {
    pub email: String,
    pub name: Option<String>,
    pub period: PeriodView,
    /// The issuers asked for (empty: every issuer the token may see).
    pub issuers: Vec<Uuid>,
    pub credentials: Vec<TranscriptRow>,
    pub excluded: Vec<ExcludedRow>,
    pub totals: Vec<CategoryTotalView>,
    pub total_credits: f64,
    pub generated_at: DateTime<Utc>,
}

fn row_view(state: &AppState, row: &Row) -> TranscriptRow {
    TranscriptRow {
        credential_id: row.award.id,
        credential_url: state.urls.credential(row.award.id),
        date: row.date,
        issuer_id: row.issuer_id,
        provider: row.provider.clone(),
        achievement_id: row.achievement_id,
        title: row.title.clone(),
        credits: row.credits,
        category: row.category.clone(),
        role: row.award.role.clone(),
    }
}

fn excluded_view(state: &AppState, excluded: &Excluded) -> ExcludedRow {
    ExcludedRow {
        credential: row_view(state, &excluded.row),
        reason: excluded.reason.kind().to_string(),
        reason_text: excluded.reason_text.clone(),
    }
}

/// The transcript as the API answers it in JSON.
pub fn view(state: &AppState, transcript: &Transcript) -> TranscriptView {
    TranscriptView {
        email: transcript.email.clone(),
        name: transcript.name.clone(),
        period: PeriodView {
            from: transcript.period.from,
            until: transcript.period.until,
        },
        issuers: transcript.issuers.clone(),
        credentials: transcript.rows.iter().map(|r| row_view(state, r)).collect(),
        excluded: transcript
            .excluded
            .iter()
            .map(|e| excluded_view(state, e))
            .collect(),
        totals: transcript
            .totals
            .iter()
            .map(|t| CategoryTotalView {
                category: t.category.clone(),
                credentials: t.credentials,
                credits: t.credits,
            })
            .collect(),
        total_credits: transcript.total_credits,
        generated_at: transcript.generated_at,
    }
}

/// The issuer ids of `issuer=` (comma-separated); an id that is not a UUID names no issuer.
pub fn issuer_list(text: Option<&str>) -> HttpResult<Vec<Uuid>> {
    let mut ids = Vec::new();
    for part in text.unwrap_or_default().split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let id = Uuid::parse_str(part).map_err(|_| {
            HttpError::BadRequest(format!(
                "issuer: {part:?} is not an issuer id (a UUID; several separated by commas)"
            ))
        })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// The period of `from=` and `until=`, with today in UTC for the defaults.
pub fn period(state: &AppState, from: Option<&str>, until: Option<&str>) -> HttpResult<Period> {
    Period::parse(from, until, state.clock.now().date_naive()).map_err(HttpError::BadRequest)
}

/// A file download: its type, a file name, the bytes.
pub fn download(content_type: &'static str, file_name: &str, body: Vec<u8>) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The file name of a transcript download: `transcript-2026-ada-example-org.csv`.
pub fn file_name(transcript: &Transcript, extension: &str) -> String {
    let who: String = transcript
        .email
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let period = transcript.period.describe();
    let period: String = period
        .chars()
        .filter_map(|c| match c {
            c if c.is_ascii_alphanumeric() => Some(c),
            ' ' | '–' => Some('-'),
            _ => None,
        })
        .collect();
    format!("transcript-{period}-{who}.{extension}")
}

/// `GET /recipients/{email}/transcript`.
#[utoipa::path(
    get,
    path = "/recipients/{email}/transcript",
    operation_id = "recipients_transcript",
    tag = "transcripts",
    summary = "A person's CE transcript over a period",
    description = "Every credential the person (by email) holds from this service dated in the period (in each issuer's time zone), with date, provider, title, credits and category; totals per category and overall; revoked, suspended and expired credentials listed under excluded with the reason. format=clr answers a CLR 2.0 ClrCredential signed eddsa-rdfc-2022 by the first issuer of issuer= (else the oldest issuer the token may see), nesting the counted credentials as signed; csv and pdf answer files. Needs a token that sees recipients' emails.",
    params(
        ("email" = String, Path, description = "The person's email address"),
        TranscriptQuery,
    ),
    responses(
        (status = 200, description = "The transcript (format=json); format=clr: application/json ClrCredential; format=csv: text/csv; format=pdf: application/pdf", body = TranscriptView, content_type = "application/json"),
        (status = 400, response = crate::api::openapi::E400),
        (status = 401, response = crate::api::openapi::Unauthorized),
        (status = 403, response = crate::api::openapi::Forbidden),
        (status = 404, response = crate::api::openapi::E404),
    ),
    security(("bearer" = ["read"])),
)]
pub async fn transcript(
    axum::extract::State(state): axum::extract::State<AppState>,
    bearer: Bearer,
    email: PathId,
    Query(query): Query<TranscriptQuery>,
) -> HttpResult<Response> {
    bearer.require("read")?;
    if !bearer.shows_recipients() {
        return Err(HttpError::Forbidden(
            "this token does not see recipients' emails and names (made without --with-emails), so it cannot read their transcripts".into(),
        ));
    }
    let format = query.format.as_deref().unwrap_or("json");
    if !["json", "clr", "csv", "pdf"].contains(&format) {
        return Err(HttpError::BadRequest(format!(
            "format must be json, clr, csv or pdf (got {format:?})"
        )));
    }
    let request = transcript::Request {
        email: email.0.clone(),
        period: period(&state, query.from.as_deref(), query.until.as_deref())?,
        issuers: issuer_list(query.issuer.as_deref())?,
    };
    let visible = bearer.issuer_ids();
    let transcript = transcript::build(&state.service, &request, visible).await?;
    render(&state, &transcript, format, visible).await
}

/// The transcript in `format` (json, clr, csv or pdf), shared with the console.
pub async fn render(
    state: &AppState,
    transcript: &Transcript,
    format: &str,
    visible: Option<&[Uuid]>,
) -> HttpResult<Response> {
    let url = |id: Uuid| state.urls.credential(id);
    Ok(match format {
        "clr" => {
            let pairs = clr::pathway_pairs(&state.service, transcript).await?;
            let signed = clr::signed(&state.service, transcript, visible, &pairs).await?;
            let body = serde_json::to_vec_pretty(&signed)
                .map_err(|error| HttpError::Internal(error.to_string()))?;
            download("application/json", &file_name(transcript, "clr.json"), body)
        }
        "csv" => download(
            "text/csv; charset=utf-8",
            &file_name(transcript, "csv"),
            transcript::csv::transcript(transcript, &url).into_bytes(),
        ),
        "pdf" => {
            let pdf = laurel_service::transcript::pdf::render(&state.service, transcript).await?;
            download("application/pdf", &file_name(transcript, "pdf"), pdf)
        }
        _ => Json(view(state, transcript)).into_response(),
    })
}
