//! Achievement and issuer pages: what it takes to earn a badge and who issues it.
//!
//! Unlike a credential page these show the rows as they are now (the JSON at the same URLs
//! does too). The number of awards is public here unless the issuer turned it off
//! (`show_award_count`): it says how established a badge is and names nobody. Endorsements
//! in force are listed ("Endorsed by …"), each linking to its signed JSON.

use axum::http::HeaderMap;
use axum::response::Response;
use laurel_store::{Achievement, AwardFilter, Endorsement, Issuer};

use askama::Template;

use super::brand;
use super::endorsements::{self, EndorsementLine};
use super::html;
use super::layout::{Head, Layout};
use super::views::Fact;
use crate::cache::Cache;
use crate::error::not_found_in;
use crate::routes::parse_id;
use crate::{AppState, HttpResult};
use laurel_service::{Urls, documents};

/// `GET /achievements/{id}` for a browser.
pub async fn achievement(state: &AppState, id: &str, request: &HeaderMap) -> Response {
    match achievement_html(state, id).await {
        Ok(html) => super::respond(html, Cache::FiveMinutes, request),
        Err(error) => super::error_page(error),
    }
}

/// `GET /issuers/{id}` for a browser.
pub async fn issuer(state: &AppState, id: &str, request: &HeaderMap) -> Response {
    match issuer_html(state, id).await {
        Ok(html) => super::respond(html, Cache::FiveMinutes, request),
        Err(error) => super::error_page(error),
    }
}

async fn achievement_html(state: &AppState, id: &str) -> HttpResult<String> {
    let id = parse_id(id, "achievement")?;
    let achievement = state
        .store
        .achievement(id)
        .await
        .map_err(|error| not_found_in(error, "achievement", id))?;
    let issuer = state
        .store
        .issuer(achievement.issuer_id)
        .await
        .map_err(|error| not_found_in(error, "issuer", achievement.issuer_id))?;
    let awarded = if issuer.show_award_count {
        let filter = AwardFilter {
            achievement_id: Some(id),
            limit: 0,
            ..AwardFilter::default()
        };
        state.store.list_awards(&filter).await?.1
    } else {
        0
    };
    let endorsements = state
        .store
        .endorsements_of(issuer.id, Some(achievement.id))
        .await?;
    let pathway = super::pathway::block(state, &achievement).await?;
    render_achievement(
        &state.urls,
        &achievement,
        &issuer,
        awarded,
        &endorsements,
        pathway,
    )
}

/// The achievement page (`templates/pages/achievement.html`).
#[derive(Template)]
#[template(path = "pages/achievement.html")]
struct AchievementPage<'a> {
    layout: Layout,
    achievement: &'a Achievement,
    /// The badge image (a checked link target).
    image: Option<String>,
    /// The issuer's page.
    issuer_href: String,
    issuer_name: &'a str,
    /// The description, as sanitized HTML ([`super::markdown::render`]).
    description: String,
    /// The criteria, as sanitized HTML.
    criteria: Option<String>,
    /// The full criteria's address (a checked link target).
    criteria_href: Option<String>,
    facts: Vec<Fact>,
    /// How many times it was awarded, when the issuer shows it.
    awarded: Option<String>,
    /// Other organisations' endorsements of it, in force now.
    endorsements: Vec<EndorsementLine>,
    /// How it is earned by holding other badges, when it has a pathway.
    pathway: Option<super::pathway::PathwayBlock>,
}

/// The achievement page's HTML.
pub fn render_achievement(
    urls: &Urls,
    achievement: &Achievement,
    issuer: &Issuer,
    awarded: u64,
    endorsements: &[Endorsement],
    pathway: Option<super::pathway::PathwayBlock>,
) -> HttpResult<String> {
    let url = urls.achievement(achievement.id);
    let image = achievement
        .image
        .as_deref()
        .map(|i| documents::image_url(urls, i));
    let mut facts = Vec::new();
    if let Some(kind) = &achievement.achievement_type {
        facts.push(Fact::new("Type", kind.as_str()));
    }
    if let Some(credits) = achievement.credits_available {
        facts.push(Fact::new(
            "Credits",
            laurel_service::units::hours_in_words(credits),
        ));
    }
    if let Some(days) = achievement.valid_for_days {
        facts.push(Fact::new(
            "Valid for",
            format!("{days} days after it is awarded"),
        ));
    }
    if !achievement.tags.is_empty() {
        facts.push(Fact::new("Tags", achievement.tags.join(", ")));
    }
    let awarded = issuer.show_award_count.then(|| {
        let times = if awarded == 1 { "time" } else { "times" };
        format!("{awarded} {times}")
    });
    let head = Head {
        title: format!("{} · {}", achievement.name, issuer.name),
        description: super::markdown::plain(&achievement.description)
            .chars()
            .take(200)
            .collect(),
        url,
        image: image.clone().filter(|i| i.ends_with(".png")),
        image_alt: format!("Badge: {}", achievement.name),
        brand: brand::stylesheet_url(issuer),
    };
    let footer = issuer.url.as_deref().map(|u| (issuer.name.as_str(), u));
    super::render(&AchievementPage {
        layout: Layout::new(head, footer),
        achievement,
        image: image.as_deref().and_then(html::href).map(str::to_owned),
        issuer_href: urls.issuer(issuer.id),
        issuer_name: &issuer.name,
        description: super::markdown::render(&achievement.description),
        criteria: achievement
            .criteria_narrative
            .as_deref()
            .map(super::markdown::render),
        criteria_href: achievement
            .criteria_url
            .as_deref()
            .and_then(html::href)
            .map(str::to_owned),
        facts,
        awarded,
        endorsements: endorsements::from_store(urls, endorsements),
        pathway,
    })
}

async fn issuer_html(state: &AppState, id: &str) -> HttpResult<String> {
    let id = parse_id(id, "issuer")?;
    let issuer = state
        .store
        .issuer(id)
        .await
        .map_err(|error| not_found_in(error, "issuer", id))?;
    let achievements = state.store.list_achievements(Some(id)).await?;
    let endorsements = state.store.endorsements_of(issuer.id, None).await?;
    render_issuer(&state.urls, &issuer, &achievements, &endorsements)
}

/// The issuer page (`templates/pages/issuer.html`).
#[derive(Template)]
#[template(path = "pages/issuer.html")]
struct IssuerPage<'a> {
    layout: Layout,
    issuer: &'a Issuer,
    /// The logo (a checked link target).
    logo: Option<String>,
    /// The description, as sanitized HTML ([`super::markdown::render`]).
    description: Option<String>,
    /// The issuer's site (a checked link target).
    site: Option<String>,
    achievements: Vec<AchievementLine>,
    /// Other organisations' endorsements of the issuer, in force now.
    endorsements: Vec<EndorsementLine>,
}

/// One achievement in the issuer's list.
struct AchievementLine {
    href: String,
    name: String,
    /// Its description as plain text.
    summary: String,
}

/// The issuer page's HTML.
pub fn render_issuer(
    urls: &Urls,
    issuer: &Issuer,
    achievements: &[Achievement],
    endorsements: &[Endorsement],
) -> HttpResult<String> {
    let url = urls.issuer(issuer.id);
    let image = issuer
        .image
        .as_deref()
        .map(|i| documents::image_url(urls, i));
    let head = Head {
        title: issuer.name.clone(),
        description: issuer
            .description
            .as_deref()
            .map(super::markdown::plain)
            .unwrap_or_else(|| format!("Open Badges issued by {}", issuer.name)),
        url,
        image: image.clone().filter(|i| i.ends_with(".png")),
        image_alt: format!("{} logo", issuer.name),
        brand: brand::stylesheet_url(issuer),
    };
    let footer = issuer.url.as_deref().map(|u| (issuer.name.as_str(), u));
    super::render(&IssuerPage {
        layout: Layout::new(head, footer),
        issuer,
        logo: image.as_deref().and_then(html::href).map(str::to_owned),
        description: issuer.description.as_deref().map(super::markdown::render),
        site: issuer
            .url
            .as_deref()
            .and_then(html::href)
            .map(str::to_owned),
        achievements: achievements
            .iter()
            .map(|a| AchievementLine {
                href: urls.achievement(a.id),
                name: a.name.clone(),
                summary: super::markdown::plain(&a.description),
            })
            .collect(),
        endorsements: endorsements::from_store(urls, endorsements),
    })
}
