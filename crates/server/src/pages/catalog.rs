//! Achievement and issuer pages: what it takes to earn a badge and who issues it.
//!
//! Unlike a credential page these show the rows as they are now (the JSON at the same URLs
//! does too). The number of awards is public here unless the issuer turned it off
//! (`show_award_count`): it says how established a badge is and names nobody.

use axum::http::HeaderMap;
use axum::response::Response;
use laurel_store::{Achievement, AwardFilter, Issuer, StoreError};
use uuid::Uuid;

use super::brand;
use super::html::{self, esc, link};
use super::layout::{self, Head};
use crate::public::cache::Cache;
use crate::public::parse_id;
use crate::{ApiError, ApiResult, AppState};
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

fn missing(what: &'static str, id: Uuid) -> impl FnOnce(StoreError) -> ApiError {
    move |error| match error {
        StoreError::NotFound => ApiError::not_found(what, id),
        other => other.into(),
    }
}

async fn achievement_html(state: &AppState, id: &str) -> ApiResult<String> {
    let id = parse_id(id, "achievement")?;
    let achievement = state
        .store
        .achievement(id)
        .await
        .map_err(missing("achievement", id))?;
    let issuer = state
        .store
        .issuer(achievement.issuer_id)
        .await
        .map_err(missing("issuer", achievement.issuer_id))?;
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
    Ok(render_achievement(
        &state.urls,
        &achievement,
        &issuer,
        awarded,
    ))
}

/// The achievement page's HTML.
pub fn render_achievement(
    urls: &Urls,
    achievement: &Achievement,
    issuer: &Issuer,
    awarded: u64,
) -> String {
    let url = urls.achievement(achievement.id);
    let image = achievement
        .image
        .as_deref()
        .map(|i| documents::image_url(urls, i));
    let picture = image
        .as_deref()
        .and_then(link)
        .map(|src| {
            format!(
                r#"<img class="badge" src="{src}" alt="{}" width="160" height="160">"#,
                esc(&format!("Badge: {}", achievement.name))
            )
        })
        .unwrap_or_default();
    let mut criteria = String::new();
    if let Some(narrative) = &achievement.criteria_narrative {
        criteria.push_str(&format!(
            "<div class=\"narrative\">{}</div>\n",
            super::markdown::render(narrative)
        ));
    }
    if let Some(href) = achievement.criteria_url.as_deref().and_then(link) {
        criteria.push_str(&format!(
            "<p><a href=\"{href}\" rel=\"noopener\">Full criteria</a></p>\n"
        ));
    }
    let mut facts = String::new();
    if let Some(kind) = &achievement.achievement_type {
        facts.push_str(&format!("<dt>Type</dt><dd>{}</dd>\n", esc(kind)));
    }
    if let Some(credits) = achievement.credits_available {
        facts.push_str(&format!(
            "<dt>Credits</dt><dd>{}</dd>\n",
            esc(&format!("{} hours", html::hours(credits)))
        ));
    }
    if let Some(days) = achievement.valid_for_days {
        facts.push_str(&format!(
            "<dt>Valid for</dt><dd>{}</dd>\n",
            esc(&format!("{days} days after it is awarded"))
        ));
    }
    if !achievement.tags.is_empty() {
        facts.push_str(&format!(
            "<dt>Tags</dt><dd>{}</dd>\n",
            esc(&achievement.tags.join(", "))
        ));
    }
    if issuer.show_award_count {
        let times = if awarded == 1 { "time" } else { "times" };
        facts.push_str(&format!(
            "<dt>Awarded</dt><dd id=\"awarded\">{}</dd>\n",
            esc(&format!("{awarded} {times}"))
        ));
    }
    let body = format!(
        r#"<div class="hero">
{picture}
<div class="summary">
<h1>{name}</h1>
<p class="issuer">Issued by <a href="{issuer_href}">{issuer_name}</a></p>
<div class="description">{description}</div>
</div>
</div>
<h2>What it takes</h2>
{criteria}<h2>Details</h2>
<dl class="facts">
{facts}</dl>
"#,
        name = esc(&achievement.name),
        issuer_href = esc(&urls.issuer(issuer.id)),
        issuer_name = esc(&issuer.name),
        description = super::markdown::render(&achievement.description),
    );
    let head = Head {
        title: format!("{} · {}", achievement.name, issuer.name),
        description: super::markdown::plain(&achievement.description)
            .chars()
            .take(200)
            .collect(),
        url,
        image: image.filter(|i| i.ends_with(".png")),
        image_alt: format!("Badge: {}", achievement.name),
        brand: brand::stylesheet_url(issuer),
    };
    let footer = issuer.url.as_deref().map(|u| (issuer.name.as_str(), u));
    layout::page(&head, &body, footer)
}

async fn issuer_html(state: &AppState, id: &str) -> ApiResult<String> {
    let id = parse_id(id, "issuer")?;
    let issuer = state
        .store
        .issuer(id)
        .await
        .map_err(missing("issuer", id))?;
    let achievements = state.store.list_achievements(Some(id)).await?;
    Ok(render_issuer(&state.urls, &issuer, &achievements))
}

/// The issuer page's HTML.
pub fn render_issuer(urls: &Urls, issuer: &Issuer, achievements: &[Achievement]) -> String {
    let url = urls.issuer(issuer.id);
    let image = issuer
        .image
        .as_deref()
        .map(|i| documents::image_url(urls, i));
    let logo = image
        .as_deref()
        .and_then(link)
        .map(|src| {
            format!(
                r#"<img class="badge" src="{src}" alt="{}" width="160" height="160">"#,
                esc(&format!("{} logo", issuer.name))
            )
        })
        .unwrap_or_default();
    let description = issuer
        .description
        .as_deref()
        .map(|d| {
            format!(
                "<div class=\"description\">{}</div>\n",
                super::markdown::render(d)
            )
        })
        .unwrap_or_default();
    let site = issuer
        .url
        .as_deref()
        .and_then(link)
        .map(|href| format!(r#"<p><a href="{href}" rel="noopener">{href}</a></p>"#))
        .unwrap_or_default();
    let list: String = achievements
        .iter()
        .map(|a| {
            format!(
                "<li><a href=\"{}\">{}</a>: {}</li>\n",
                esc(&urls.achievement(a.id)),
                esc(&a.name),
                esc(&super::markdown::plain(&a.description))
            )
        })
        .collect();
    let list = if list.is_empty() {
        "<p>No achievements yet.</p>\n".to_string()
    } else {
        format!("<ul class=\"plain\">\n{list}</ul>\n")
    };
    let body = format!(
        r#"<div class="hero">
{logo}
<div class="summary">
<h1>{name}</h1>
{description}{site}
</div>
</div>
<h2>Achievements</h2>
{list}"#,
        name = esc(&issuer.name),
    );
    let head = Head {
        title: issuer.name.clone(),
        description: issuer
            .description
            .as_deref()
            .map(super::markdown::plain)
            .unwrap_or_else(|| format!("Open Badges issued by {}", issuer.name)),
        url,
        image: image.filter(|i| i.ends_with(".png")),
        image_alt: format!("{} logo", issuer.name),
        brand: brand::stylesheet_url(issuer),
    };
    let footer = issuer.url.as_deref().map(|u| (issuer.name.as_str(), u));
    layout::page(&head, &body, footer)
}
