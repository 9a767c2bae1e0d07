//! The credential page: what the badge is, who issued it to whom, whether it checks out, and
//! the buttons to download and share it.
//!
//! Everything about the badge is read from the **signed credential**, not from the current
//! achievement or issuer rows: the page shows what was awarded, as the JSON at the same URL
//! says. From the award row come only what the issuer says *now* (revoked, suspended and why)
//! and the recipient's name, when one was given. The email is never read here.
//!
//! The verification is the service's own ([`crate::api::verify::check`], the same report as
//! `POST /api/v1/verify`), run on the stored credential and cached ([`super::verdicts`]).

use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Datelike, Utc};
use laurel_store::{Award, Issuer, StoreError};
use laurel_verify::{Report, Verdict};
use serde_json::Value;

use super::brand;
use super::html::{self, esc, link};
use super::layout::{self, Head};
use super::verdict_text;
use super::verdicts::VerdictKey;
use crate::public::cache::Cache;
use crate::public::parse_id;
use crate::{ApiError, ApiResult, AppState};
use laurel_service::Urls;

/// `GET /credentials/{id}` for a browser.
pub async fn page(state: &AppState, id: &str, request: &HeaderMap) -> Response {
    match build(state, id).await {
        Ok(html) => super::respond(html, Cache::Minute, request),
        Err(error) => super::error_page(error),
    }
}

async fn build(state: &AppState, id: &str) -> ApiResult<String> {
    let id = parse_id(id, "credential")?;
    let award = state.store.award(id).await.map_err(|error| match error {
        StoreError::NotFound => ApiError::not_found("credential", id),
        other => other.into(),
    })?;
    let credential: Value = serde_json::from_str(&award.credential)
        .map_err(|error| ApiError::Internal(format!("credential {id}: stored JSON: {error}")))?;
    let now = state.clock.now();
    let report = verification(state, &award, now).await?;
    // The issuer's page settings as they are now (colour, LinkedIn id); never its published
    // facts, which come from the signed credential.
    let issuer = match state.store.issuer(award.issuer_id).await {
        Ok(issuer) => Some(issuer),
        Err(StoreError::NotFound) => None,
        Err(other) => return Err(other.into()),
    };
    Ok(render(
        &state.urls,
        &award,
        issuer.as_ref(),
        &credential,
        &report,
        now,
    ))
}

/// The verification report of an award's stored credential, from the cache when nothing it
/// depends on has changed.
pub async fn verification(
    state: &AppState,
    award: &Award,
    now: DateTime<Utc>,
) -> ApiResult<std::sync::Arc<Report>> {
    let list = match award.status {
        Some(slot) => match state.store.status_list(slot.list_id).await {
            Ok(list) => Some((list.version, list.signed_version)),
            Err(StoreError::NotFound) => None,
            Err(other) => return Err(other.into()),
        },
        None => None,
    };
    let key = VerdictKey {
        award: award.id,
        issued_at: award.issued_at,
        revoked_at: award.revoked_at,
        suspended_at: award.suspended_at,
        expired: award.valid_until.is_some_and(|until| until <= now),
        list,
    };
    if let Some(report) = state.verdicts.get(&key) {
        return Ok(report);
    }
    let report = crate::api::verify::check(state, award.credential.clone().into_bytes()).await?;
    Ok(state.verdicts.insert(key, report))
}

/// The page's HTML for an award, its issuer's page settings (when the issuer row is there),
/// its parsed credential and its verification report, at `now`.
pub fn render(
    urls: &Urls,
    award: &Award,
    issuer: Option<&Issuer>,
    credential: &Value,
    report: &Report,
    now: DateTime<Utc>,
) -> String {
    let facts = Facts::read(credential);
    let url = urls.credential(award.id);
    let image = facts.image.clone().unwrap_or_else(|| format!("{url}.svg"));
    // Link previews want a raster image: the achievement's own PNG, else the baked PNG.
    let preview = match &facts.image {
        Some(image) if image.ends_with(".png") => image.clone(),
        _ => format!("{url}.png"),
    };
    let mut body = String::new();
    body.push_str(&notices(award, &facts, now));
    let awarded_to = award
        .recipient_name
        .as_deref()
        .map(|name| {
            format!(
                r#"<p class="recipient">Awarded to <strong>{}</strong></p>"#,
                esc(name)
            )
        })
        .unwrap_or_default();
    let issued_by = issuer_line(&facts, report.verdict == Verdict::Valid);
    body.push_str(&format!(
        r#"<div class="hero">
<img class="badge" src="{src}" alt="{alt}" width="160" height="160">
<div class="summary">
<h1>{name}</h1>
{awarded_to}
{issued_by}
<div class="description">{description}</div>
</div>
</div>
"#,
        src = link(&image).unwrap_or_default(),
        alt = esc(&format!("Badge: {}", facts.name)),
        name = esc(&facts.name),
        description = super::markdown::render(&facts.description),
    ));
    body.push_str(&verification_section(report, now));
    body.push_str(&details(&facts));
    body.push_str(&evidence(credential));
    let organization_id = issuer.and_then(|i| i.linkedin_organization_id.as_deref());
    body.push_str(&actions(award, &facts, &url, organization_id));
    let mut description = super::markdown::plain(&facts.description);
    if description.chars().count() > 200 {
        description = description.chars().take(197).collect::<String>() + "…";
    }
    let head = Head {
        title: format!("{} · {}", facts.name, facts.issuer_name),
        description,
        url: url.clone(),
        image: Some(preview),
        image_alt: format!("Badge: {}", facts.name),
        brand: issuer.and_then(brand::stylesheet_url),
    };
    let footer = facts
        .issuer_url
        .as_deref()
        .map(|u| (facts.issuer_name.as_str(), u));
    layout::page(&head, &body, footer)
}

/// What the signed credential says, read leniently (a field missing is simply not shown).
#[derive(Debug, Default)]
struct Facts {
    name: String,
    description: String,
    image: Option<String>,
    achievement_id: Option<String>,
    criteria_narrative: Option<String>,
    criteria_url: Option<String>,
    credits_available: Option<f64>,
    credits_earned: Option<f64>,
    issuer_name: String,
    issuer_id: Option<String>,
    issuer_url: Option<String>,
    issuer_image: Option<String>,
    awarded: Option<DateTime<Utc>>,
    valid_from: Option<DateTime<Utc>>,
    valid_until: Option<DateTime<Utc>>,
}

impl Facts {
    fn read(credential: &Value) -> Self {
        let text = |value: &Value, pointer: &str| {
            value
                .pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let image = |value: Option<&Value>| {
            value
                .and_then(|image| image.get("id").or(Some(image)))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let date = |pointer: &str| {
            text(credential, pointer)
                .as_deref()
                .and_then(html::parse_date)
        };
        let achievement = credential
            .pointer("/credentialSubject/achievement")
            .cloned()
            .unwrap_or_default();
        let issuer = credential.get("issuer").cloned().unwrap_or_default();
        Facts {
            name: text(&achievement, "/name")
                .or_else(|| text(credential, "/name"))
                .unwrap_or_else(|| "Badge".into()),
            description: text(&achievement, "/description").unwrap_or_default(),
            image: image(achievement.get("image")),
            achievement_id: text(&achievement, "/id"),
            criteria_narrative: text(&achievement, "/criteria/narrative"),
            criteria_url: text(&achievement, "/criteria/id"),
            credits_available: achievement.get("creditsAvailable").and_then(Value::as_f64),
            credits_earned: credential
                .pointer("/credentialSubject/creditsEarned")
                .and_then(Value::as_f64),
            issuer_name: text(&issuer, "/name").unwrap_or_else(|| "an unnamed issuer".into()),
            issuer_id: text(&issuer, "/id").or_else(|| issuer.as_str().map(str::to_owned)),
            issuer_url: text(&issuer, "/url"),
            issuer_image: image(issuer.get("image")),
            awarded: date("/awardedDate"),
            valid_from: date("/validFrom"),
            valid_until: date("/validUntil"),
        }
    }
}

/// Revoked, suspended, expired: said first and plainly.
fn notices(award: &Award, facts: &Facts, now: DateTime<Utc>) -> String {
    let reason = |reason: &Option<String>| match reason {
        Some(reason) => format!("<p>Reason given by the issuer: {}</p>", esc(reason)),
        None => String::new(),
    };
    let mut out = String::new();
    if let Some(at) = award.revoked_at {
        out.push_str(&format!(
            r#"<div class="notice" id="revoked" role="alert"><p><strong>This credential has been revoked</strong> by its issuer on {}. It is no longer valid.</p>{}</div>
"#,
            esc(&html::date(at)),
            reason(&award.revocation_reason)
        ));
    }
    if let Some(at) = award.suspended_at {
        out.push_str(&format!(
            r#"<div class="notice warn" id="suspended" role="alert"><p><strong>This credential is suspended</strong> by its issuer since {}. It is not valid while suspended.</p>{}</div>
"#,
            esc(&html::date(at)),
            reason(&award.suspension_reason)
        ));
    }
    let until = award.valid_until.or(facts.valid_until);
    if let Some(until) = until.filter(|until| *until <= now) {
        out.push_str(&format!(
            r#"<div class="notice warn" id="expired" role="alert"><p><strong>This credential expired</strong> on {}.</p></div>
"#,
            esc(&html::date(until))
        ));
    }
    out
}

fn issuer_line(facts: &Facts, valid: bool) -> String {
    let logo = facts
        .issuer_image
        .as_deref()
        .and_then(link)
        .map(|src| {
            format!(
                r#"<img class="logo" src="{src}" alt="{}">"#,
                esc(&format!("{} logo", facts.issuer_name))
            )
        })
        .unwrap_or_default();
    let name = esc(&facts.issuer_name);
    let named = match facts.issuer_id.as_deref().and_then(link) {
        Some(href) => format!(r#"<a href="{href}">{name}</a>"#),
        None => name,
    };
    let site = facts
        .issuer_url
        .as_deref()
        .and_then(link)
        .map(|href| format!(r#" (<a href="{href}" rel="noopener">website</a>)"#))
        .unwrap_or_default();
    // Stated as fact only when the check bound the signing key to the issuer.
    let by = if valid { "Issued by" } else { "From" };
    format!(r#"<p class="issuer">{logo}{by} {named}{site}</p>"#)
}

/// The verdict as one plain sentence, then the verifier's steps, collapsed.
pub fn verification_section(report: &Report, now: DateTime<Utc>) -> String {
    format!(
        r#"<section aria-labelledby="verification">
<h2 id="verification">Verification</h2>
{verdict}{details}</section>
"#,
        verdict = verdict_text::verdict_paragraph(report),
        details = verdict_text::technical_details(report, now),
    )
}

fn details(facts: &Facts) -> String {
    let mut rows = String::new();
    let mut row = |term: &str, value: String| {
        rows.push_str(&format!("<dt>{}</dt><dd>{value}</dd>\n", esc(term)));
    };
    if let Some(at) = facts.awarded {
        row("Issued", esc(&html::date(at)));
    }
    if let Some(at) = facts.valid_from {
        row("Valid from", esc(&html::date(at)));
    }
    if let Some(at) = facts.valid_until {
        row("Valid until", esc(&html::date(at)));
    }
    if let Some(credits) = facts.credits_earned {
        row(
            "Credits earned",
            esc(&format!("{} hours", html::hours(credits))),
        );
    }
    if let Some(credits) = facts.credits_available {
        row(
            "Credits available",
            esc(&format!("{} hours", html::hours(credits))),
        );
    }
    if let Some(href) = facts.achievement_id.as_deref().and_then(link) {
        row(
            "Achievement",
            format!(r#"<a href="{href}">About this achievement</a>"#),
        );
    }
    let mut criteria = String::new();
    if let Some(narrative) = &facts.criteria_narrative {
        criteria.push_str(&format!(
            "<div class=\"narrative\">{}</div>\n",
            super::markdown::render(narrative)
        ));
    }
    if let Some(url) = &facts.criteria_url {
        match link(url) {
            Some(href) => criteria.push_str(&format!(
                "<p><a href=\"{href}\" rel=\"noopener\">Full criteria</a></p>\n"
            )),
            None => criteria.push_str(&format!("<p>Criteria: {}</p>\n", esc(url))),
        }
    }
    if !criteria.is_empty() {
        criteria = format!("<h2>What it takes</h2>\n{criteria}");
    }
    format!("{criteria}<h2>Details</h2>\n<dl class=\"facts\">\n{rows}</dl>\n")
}

fn evidence(credential: &Value) -> String {
    let items: Vec<&Value> = match credential.get("evidence") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(item @ Value::Object(_)) => vec![item],
        _ => return String::new(),
    };
    if items.is_empty() {
        return String::new();
    }
    let text =
        |item: &Value, field: &str| item.get(field).and_then(Value::as_str).map(str::to_owned);
    let list: String = items
        .iter()
        .map(|item| {
            let title = text(item, "name").unwrap_or_else(|| "Evidence".into());
            let title = match text(item, "id").as_deref().and_then(link) {
                Some(href) => format!(r#"<a href="{href}" rel="noopener">{}</a>"#, esc(&title)),
                None => esc(&title),
            };
            let more: String = ["narrative", "description"]
                .iter()
                .filter_map(|field| text(item, field))
                .map(|t| {
                    format!(
                        r#"<div class="narrative">{}</div>"#,
                        super::markdown::render(&t)
                    )
                })
                .collect();
            format!("<li><strong>{title}</strong>{more}</li>\n")
        })
        .collect();
    format!("<h2>Evidence</h2>\n<ul class=\"plain\">\n{list}</ul>\n")
}

fn actions(award: &Award, facts: &Facts, url: &str, organization_id: Option<&str>) -> String {
    let href = esc(url);
    let in_good_standing = award.revoked_at.is_none() && award.suspended_at.is_none();
    let linkedin = if in_good_standing {
        format!(
            r#"<li><a class="primary" id="linkedin" href="{}" rel="noopener">Add to LinkedIn profile</a></li>
"#,
            esc(&linkedin_url(award, facts, url, organization_id))
        )
    } else {
        String::new()
    };
    let mail = format!(
        "mailto:?{}",
        html::query(&[
            ("subject", facts.name.clone()),
            (
                "body",
                format!("{} — issued by {}: {url}", facts.name, facts.issuer_name),
            ),
        ])
    );
    format!(
        r#"<section class="no-print" aria-labelledby="share">
<h2 id="share">Download and share</h2>
<ul class="actions">
{linkedin}<li><a href="{href}.png" download>Badge image (PNG)</a></li>
<li><a href="{href}.svg" download>Badge image (SVG)</a></li>
<li><a href="{href}.json" download>Credential (JSON)</a></li>
<li><a href="{href}.jwt" download>Credential (VC-JWT)</a></li>
<li><a href="{mail}" id="email">Share by email</a></li>
<li><button type="button" data-copy="{href}" hidden>Copy link</button></li>
</ul>
<p class="share"><label for="link">Link to this credential</label><br>
<input id="link" type="url" readonly value="{href}"> <a href="{href}">{href}</a></p>
<p class="muted">The downloaded images carry the signed credential inside them: any Open Badges verifier can check them.</p>
</section>
"#,
        mail = esc(&mail),
    )
}

/// LinkedIn's "Add to profile" link for an award (what the page's button and the
/// notification email link to): `url` is the credential's public URL.
pub fn linkedin_link(award: &Award, issuer: Option<&Issuer>, url: &str) -> String {
    let credential: Value = serde_json::from_str(&award.credential).unwrap_or(Value::Null);
    let facts = Facts::read(&credential);
    let organization_id = issuer.and_then(|i| i.linkedin_organization_id.as_deref());
    linkedin_url(award, &facts, url, organization_id)
}

/// LinkedIn's "Add to profile" link, every field it takes that the credential has, and
/// `organizationId` when the issuer set its LinkedIn company id (LinkedIn then shows the
/// company's logo and links its page).
fn linkedin_url(award: &Award, facts: &Facts, url: &str, organization_id: Option<&str>) -> String {
    let mut pairs = vec![
        ("startTask", "CERTIFICATION_NAME".to_string()),
        ("name", facts.name.clone()),
        ("organizationName", facts.issuer_name.clone()),
    ];
    if let Some(id) = organization_id {
        pairs.push(("organizationId", id.to_string()));
    }
    if let Some(at) = facts.awarded.or(facts.valid_from) {
        pairs.push(("issueYear", at.year().to_string()));
        pairs.push(("issueMonth", at.month().to_string()));
    }
    if let Some(at) = facts.valid_until {
        pairs.push(("expirationYear", at.year().to_string()));
        pairs.push(("expirationMonth", at.month().to_string()));
    }
    pairs.push(("certUrl", url.to_string()));
    pairs.push(("certId", award.id.to_string()));
    format!(
        "https://www.linkedin.com/profile/add?{}",
        html::query(&pairs)
    )
}
