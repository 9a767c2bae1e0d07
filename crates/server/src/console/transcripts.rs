//! Transcripts and CE categories in the console.
//!
//! - `/console/issuers/{id}/categories`: the issuer's short list of CE categories (one per
//!   line) and, below it, each of its badges with the category it counts toward.
//! - `/console/recipients/transcript?email=&from=&until=`: one person's transcript for a
//!   period (a calendar year by default), with downloads as PDF, CSV and a signed CLR.
//! - `/console/transcripts?from=&until=`: every transcript of a period at once, as one CSV
//!   file with a row per credential and the person's email and name on each row.
//!
//! Everything is computed by the domain ([`laurel_service::transcript`]); an issuer manager
//! sees only their issuers' credentials, as on the person's page.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use laurel_service::transcript::{self, Period, Transcript, categories};
use laurel_store::{Achievement, Issuer};
use serde::Deserialize;
use serde_json::json;

use super::email::{Mistakes, load_achievement, load_issuer};
use super::layout::{self, Choice, Layout};
use super::session::Staff;
use super::{audit_log, csrf_rejected};
use crate::AppState;
use crate::api::transcripts::{download, file_name, render};

/// `console/categories.html`.
#[derive(Template)]
#[template(path = "console/categories.html")]
struct CategoriesPage<'a> {
    layout: Layout,
    notice: Option<&'a str>,
    issuer: &'a Issuer,
    /// The list as typed (one per line).
    list: String,
    errors: Mistakes,
    badges: Vec<BadgeCategory>,
    may_change: bool,
}

/// One badge with its category and the choices.
struct BadgeCategory {
    id: String,
    name: String,
    choices: Vec<Choice>,
    errors: Mistakes,
}

/// `?saved=1` after a change.
#[derive(Debug, Default, Deserialize)]
pub struct Saved {
    #[serde(default)]
    saved: Option<String>,
}

/// The list form.
#[derive(Debug, Default, Deserialize)]
pub struct ListForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    categories: String,
}

/// A badge's category form.
#[derive(Debug, Default, Deserialize)]
pub struct CategoryForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    category: String,
}

async fn badges(
    state: &AppState,
    issuer: &Issuer,
    wrong: Option<(uuid::Uuid, String)>,
) -> Result<Vec<BadgeCategory>, crate::HttpError> {
    let list = state.store.ce_categories(issuer.id).await?;
    let chosen = state.store.achievement_categories(Some(issuer.id)).await?;
    let achievements: Vec<Achievement> = state.store.list_achievements(Some(issuer.id)).await?;
    Ok(achievements
        .into_iter()
        .map(|achievement| {
            let current = chosen.get(&achievement.id).cloned().unwrap_or_default();
            let mut choices = vec![Choice::new("", "No category", current.is_empty())];
            choices.extend(
                list.iter()
                    .map(|name| Choice::new(name, name.clone(), *name == current)),
            );
            let mut errors = match &wrong {
                Some((id, message)) if *id == achievement.id => {
                    Mistakes::new(vec![("category", message.clone())])
                }
                _ => Mistakes::default(),
            };
            errors.id_prefix = "badge-";
            BadgeCategory {
                id: achievement.id.to_string(),
                name: achievement.name,
                choices,
                errors,
            }
        })
        .collect())
}

#[allow(clippy::too_many_arguments)]
async fn categories_page(
    state: &AppState,
    staff: &Staff,
    issuer: &Issuer,
    status: StatusCode,
    notice: Option<&str>,
    list: String,
    errors: Mistakes,
    wrong: Option<(uuid::Uuid, String)>,
) -> Response {
    let badges = match badges(state, issuer, wrong).await {
        Ok(badges) => badges,
        Err(error) => return layout::error(&error),
    };
    layout::respond(
        status,
        &CategoriesPage {
            layout: Layout::new(format!("CE categories of {}", issuer.name), Some(staff)),
            notice,
            issuer,
            list,
            errors,
            badges,
            may_change: staff.may_change_issuer(issuer.id),
        },
    )
}

/// `GET /console/issuers/{id}/categories`.
pub async fn show_categories(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(saved): Query<Saved>,
) -> Response {
    let issuer = match load_issuer(&state, &id).await {
        Ok(issuer) if staff.may_see(issuer.id) => issuer,
        Ok(_) => return layout::not_allowed(&staff, "This issuer is not one of yours."),
        Err(error) => return layout::error(&error),
    };
    let list = match state.store.ce_categories(issuer.id).await {
        Ok(list) => list.join("\n"),
        Err(error) => return layout::error(&error.into()),
    };
    let notice = saved.saved.is_some().then_some("Saved.");
    categories_page(
        &state,
        &staff,
        &issuer,
        StatusCode::OK,
        notice,
        list,
        Mistakes::default(),
        None,
    )
    .await
}

/// `POST /console/issuers/{id}/categories`: saves the list, or shows why not beside it.
pub async fn update_categories(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<ListForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let issuer = match load_issuer(&state, &id).await {
        Ok(issuer) if staff.may_change_issuer(issuer.id) => issuer,
        Ok(_) => return layout::not_allowed(&staff, "Your account may not change this issuer."),
        Err(error) => return layout::error(&error),
    };
    let names: Vec<String> = form.categories.lines().map(str::to_string).collect();
    match categories::set(&state.service, issuer.id, &names).await {
        Ok(list) => {
            audit_log(
                &state,
                Some(&staff.user),
                &staff.user.username,
                "issuer.categories",
                Some(issuer.id.to_string()),
                json!({ "categories": list }),
            )
            .await;
            Redirect::to(&format!(
                "/console/issuers/{}/categories?saved=1",
                issuer.id
            ))
            .into_response()
        }
        Err(
            error @ (laurel_service::ServiceError::Invalid(_)
            | laurel_service::ServiceError::Conflict(_)),
        ) => {
            categories_page(
                &state,
                &staff,
                &issuer,
                StatusCode::BAD_REQUEST,
                None,
                form.categories,
                Mistakes::new(vec![("categories", error.to_string())]),
                None,
            )
            .await
        }
        Err(error) => layout::error(&error.into()),
    }
}

/// `POST /console/achievements/{id}/category`: sets a badge's category.
pub async fn update_category(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<CategoryForm>,
) -> Response {
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let achievement = match load_achievement(&state, &id).await {
        Ok(a) if staff.may_change_issuer(a.issuer_id) => a,
        Ok(_) => return layout::not_allowed(&staff, "Your account may not change this badge."),
        Err(error) => return layout::error(&error),
    };
    let issuer = match state.store.issuer(achievement.issuer_id).await {
        Ok(issuer) => issuer,
        Err(error) => return layout::error(&error.into()),
    };
    match categories::set_for_achievement(&state.service, achievement.id, Some(&form.category))
        .await
    {
        Ok(category) => {
            audit_log(
                &state,
                Some(&staff.user),
                &staff.user.username,
                "achievement.category",
                Some(achievement.id.to_string()),
                json!({ "category": category }),
            )
            .await;
            Redirect::to(&format!(
                "/console/issuers/{}/categories?saved=1",
                issuer.id
            ))
            .into_response()
        }
        Err(laurel_service::ServiceError::Invalid(message)) => {
            let list = state
                .store
                .ce_categories(issuer.id)
                .await
                .unwrap_or_default()
                .join("\n");
            categories_page(
                &state,
                &staff,
                &issuer,
                StatusCode::BAD_REQUEST,
                None,
                list,
                Mistakes::default(),
                Some((achievement.id, message)),
            )
            .await
        }
        Err(error) => layout::error(&error.into()),
    }
}

/// `console/transcript.html`.
#[derive(Template)]
#[template(path = "console/transcript.html")]
struct TranscriptPage {
    layout: Layout,
    email: String,
    from: String,
    until: String,
    errors: Mistakes,
    person_url: String,
    /// The transcript, when the period was understood.
    shown: Option<Shown>,
}

/// A transcript in words.
struct Shown {
    period: String,
    name: String,
    rows: Vec<[String; 5]>,
    excluded: Vec<([String; 5], String)>,
    totals: Vec<(String, String)>,
    total: String,
    /// PDF, CSV, CLR download links.
    downloads: Vec<(&'static str, String)>,
}

/// The query of the transcript pages.
#[derive(Debug, Default, Deserialize)]
pub struct TranscriptQuery {
    #[serde(default)]
    email: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    format: String,
}

fn cells(row: &transcript::Row) -> [String; 5] {
    [
        row.date.format("%-d %B %Y").to_string(),
        row.provider.clone(),
        row.title.clone(),
        row.category.clone().unwrap_or_default(),
        row.credits
            .map(laurel_service::units::credits_number)
            .unwrap_or_default(),
    ]
}

fn shown(t: &Transcript, link: &dyn Fn(&str) -> String) -> Shown {
    Shown {
        period: t.period.describe(),
        name: t.name.clone().unwrap_or_default(),
        rows: t.rows.iter().map(cells).collect(),
        excluded: t
            .excluded
            .iter()
            .map(|e| {
                let mut row = cells(&e.row);
                row[4] = String::new();
                (row, e.reason_text.clone())
            })
            .collect(),
        totals: t
            .totals
            .iter()
            .map(|c| {
                (
                    c.category.clone().unwrap_or_else(|| "No category".into()),
                    laurel_service::units::credits_number(c.credits),
                )
            })
            .collect(),
        total: laurel_service::units::credits_number(t.total_credits),
        downloads: vec![
            ("PDF", link("pdf")),
            ("CSV", link("csv")),
            ("CLR (signed, for wallets and verifiers)", link("clr")),
        ],
    }
}

/// The period of a form, with its error beside the field it concerns.
fn period_of(state: &AppState, from: &str, until: &str) -> Result<Period, Mistakes> {
    Period::parse(Some(from), Some(until), state.clock.now().date_naive()).map_err(|message| {
        let field = if message.starts_with("until") {
            "until"
        } else {
            "from"
        };
        Mistakes::new(vec![(field, message)])
    })
}

fn this_year(state: &AppState) -> (String, String) {
    let year = state.clock.now().year();
    (format!("{year}-01-01"), format!("{year}-12-31"))
}

/// `GET /console/recipients/transcript`: the page, or (`format=pdf|csv|clr`) a download.
pub async fn person(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<TranscriptQuery>,
) -> Response {
    let (first, last) = this_year(&state);
    let from = if query.from.trim().is_empty() {
        first
    } else {
        query.from.trim().to_string()
    };
    let until = if query.until.trim().is_empty() {
        last
    } else {
        query.until.trim().to_string()
    };
    let email = query.email.trim().to_string();
    let mut errors = Mistakes::default();
    let mut result = None;
    match period_of(&state, &from, &until) {
        Err(mistakes) => errors = mistakes,
        Ok(period) => {
            let request = transcript::Request {
                email: email.clone(),
                period,
                issuers: Vec::new(),
            };
            match transcript::build(&state.service, &request, staff.visible_issuers()).await {
                Ok(t) => result = Some(t),
                Err(laurel_service::ServiceError::Invalid(message)) => {
                    errors = Mistakes::new(vec![("email", message)]);
                }
                Err(error) => return layout::error(&error.into()),
            }
        }
    }
    if let Some(t) = &result
        && ["pdf", "csv", "clr"].contains(&query.format.as_str())
    {
        return match render(&state, t, &query.format, staff.visible_issuers()).await {
            Ok(response) => response,
            Err(error) => layout::error(&error),
        };
    }
    let link = |format: &str| {
        format!(
            "/console/recipients/transcript?{}",
            layout::query(&[
                ("email", email.clone()),
                ("from", from.clone()),
                ("until", until.clone()),
                ("format", format.to_string()),
            ])
        )
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    layout::respond(
        status,
        &TranscriptPage {
            layout: Layout::new(format!("Transcript of {email}"), Some(&staff)),
            person_url: super::recipients::person_url(&email),
            shown: result.as_ref().map(|t| shown(t, &link)),
            email,
            from,
            until,
            errors,
        },
    )
}

/// `console/transcripts.html`.
#[derive(Template)]
#[template(path = "console/transcripts.html")]
struct BulkPage {
    layout: Layout,
    from: String,
    until: String,
    errors: Mistakes,
}

/// `GET /console/transcripts`: the bulk export's period picker, or (`format=csv`) the file of
/// every transcript of the period.
pub async fn bulk(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<TranscriptQuery>,
) -> Response {
    let (first, last) = this_year(&state);
    let from = if query.from.trim().is_empty() {
        first
    } else {
        query.from.trim().to_string()
    };
    let until = if query.until.trim().is_empty() {
        last
    } else {
        query.until.trim().to_string()
    };
    let mut errors = Mistakes::default();
    if query.format == "csv" {
        match period_of(&state, &from, &until) {
            Err(mistakes) => errors = mistakes,
            Ok(period) => {
                let all = match transcript::build_all(
                    &state.service,
                    period,
                    &[],
                    staff.visible_issuers(),
                )
                .await
                {
                    Ok(all) => all,
                    Err(error) => return layout::error(&error.into()),
                };
                let csv = transcript::csv::all(&all, &|id| state.urls.credential(id));
                let name = file_name(
                    &Transcript {
                        email: "all".into(),
                        name: None,
                        period,
                        issuers: Vec::new(),
                        rows: Vec::new(),
                        excluded: Vec::new(),
                        totals: Vec::new(),
                        total_credits: 0.0,
                        generated_at: state.clock.now(),
                    },
                    "csv",
                );
                return download("text/csv; charset=utf-8", &name, csv.into_bytes());
            }
        }
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    layout::respond(
        status,
        &BulkPage {
            layout: Layout::new("Transcripts", Some(&staff)),
            from,
            until,
            errors,
        },
    )
}
