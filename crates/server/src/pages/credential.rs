//! The credential page: what the badge is and who it was issued to, then the recipient's
//! actions (LinkedIn, wallet, certificate, downloads), then whether it checks out in one
//! sentence ("This badge is valid: issued by X to Y on DATE"), with the verifier's steps
//! collapsed below it for whoever wants them.
//!
//! Everything about the badge is read from the **signed credential**, not from the current
//! achievement or issuer rows: the page shows what was awarded, as the JSON at the same URL
//! says. The recipient's name is the one signed into the credential (a `name` identity) when
//! it carries one, else the award row's. From the award row come otherwise only what the
//! issuer says *now* (revoked, suspended and why). The email is never read here.
//!
//! The verification is the service's own ([`crate::api::verify::check`], the same report as
//! `POST /api/v1/verify`), run on the stored credential and cached ([`super::verdicts`]).
//! The rendered page is kept for a second ([`super::kept`], which says how a change of
//! standing still shows at once).

use askama::Template;
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use laurel_store::{Award, Issuer, StoreError};
use laurel_verify::{Report, Verdict};
use serde_json::Value;
use uuid::Uuid;

use super::brand;
use super::html;
use super::kept::Kept;
use super::layout::{Head, Layout};
use super::verdict_text::{key_only, signed_by_issuer};
use super::verdicts::VerdictKey;
use super::views::{Fact, Technical, VerdictLine};
use crate::cache::Cache;
use crate::routes::parse_id;
use crate::{AppState, HttpError, HttpResult};
use laurel_service::{Urls, certificate, links};

/// `GET /credentials/{id}` for a browser: the page rendered within the last second
/// ([`super::kept`]), else rendered now.
pub async fn page(state: &AppState, id: &str, request: &HeaderMap) -> Response {
    let id = match parse_id(id, "credential") {
        Ok(id) => id,
        Err(error) => return super::error_page(error),
    };
    let now = state.clock.now();
    if let Some(kept) = state.pages.get(id, now) {
        return super::respond_tagged(kept.html, kept.etag, Cache::Minute, request);
    }
    let generation = state.pages.generation();
    match build(state, id, now).await {
        Ok(Built {
            html,
            valid_until,
            list,
        }) => {
            let html = Bytes::from(html);
            let etag = crate::cache::etag(&html);
            let kept = Kept {
                html: html.clone(),
                etag: etag.clone(),
                day: now.date_naive(),
                valid_until,
                list,
            };
            state.pages.insert(id, kept, generation);
            super::respond_tagged(html, etag, Cache::Minute, request)
        }
        Err(error) => super::error_page(error),
    }
}

/// A rendered page and what decides how long it may be kept.
struct Built {
    html: String,
    /// When the credential expires (the award's date, else the credential's).
    valid_until: Option<DateTime<Utc>>,
    /// Its status list.
    list: Option<Uuid>,
}

async fn build(state: &AppState, id: Uuid, now: DateTime<Utc>) -> HttpResult<Built> {
    let award = state.store.award(id).await.map_err(|error| match error {
        StoreError::NotFound => HttpError::not_found("credential", id),
        other => other.into(),
    })?;
    let credential: Value = serde_json::from_str(&award.credential)
        .map_err(|error| HttpError::Internal(format!("credential {id}: stored JSON: {error}")))?;
    let report = verification(state, &award, now).await?;
    // The issuer's page settings as they are now (colour, LinkedIn id); never its published
    // facts, which come from the signed credential.
    let issuer = match state.store.issuer(award.issuer_id).await {
        Ok(issuer) => Some(issuer),
        Err(StoreError::NotFound) => None,
        Err(other) => return Err(other.into()),
    };
    let page = render(
        &state.urls,
        &award,
        issuer.as_ref(),
        &credential,
        &report,
        now,
    )?;
    let signed_until = credential
        .get("validUntil")
        .and_then(Value::as_str)
        .and_then(html::parse_date);
    Ok(Built {
        html: page,
        valid_until: award.valid_until.or(signed_until),
        list: award.status.map(|slot| slot.list_id),
    })
}

/// The verification report of an award's stored credential, from the cache when nothing it
/// depends on has changed.
pub async fn verification(
    state: &AppState,
    award: &Award,
    now: DateTime<Utc>,
) -> HttpResult<std::sync::Arc<Report>> {
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

/// The credential page (`templates/pages/credential.html`).
#[derive(Template)]
#[template(path = "pages/credential.html")]
struct CredentialPage {
    layout: Layout,
    notices: Notices,
    /// The badge image (a checked link target, empty when there is none).
    image: String,
    name: String,
    recipient_name: Option<String>,
    /// The recipient's role as signed (`credentialSubject.role`), if any.
    role: Option<String>,
    /// The short certificate number ([`laurel_service::certificate::number`]).
    certificate_number: String,
    issuer: IssuerLine,
    /// The description, as sanitized HTML ([`super::markdown::render`]).
    description: String,
    verdict: VerdictLine,
    technical: Technical,
    criteria: Option<Criteria>,
    facts: Vec<Fact>,
    /// The achievement's page (a checked link target).
    achievement_href: Option<String>,
    evidence: Vec<Evidence>,
    /// The endorsements signed into the credential, as the verifier found them.
    endorsements: Vec<super::endorsements::EndorsementLine>,
    share: Share,
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
) -> HttpResult<String> {
    let facts = Facts::read(credential);
    let url = urls.credential(award.id);
    let recipient_name = facts
        .recipient_name
        .clone()
        .or_else(|| award.recipient_name.clone());
    let image = facts.image.clone().unwrap_or_else(|| format!("{url}.svg"));
    // Link previews want a raster image: the achievement's own PNG, else the baked PNG (an SVG
    // badge rendered to PNG).
    let preview = match &facts.image {
        Some(image) if image.ends_with(".png") => image.clone(),
        _ => format!("{url}.png"),
    };
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
    let page = CredentialPage {
        layout: Layout::new(head, footer),
        notices: Notices::of(award, &facts, now),
        image: html::href(&image).unwrap_or_default().to_owned(),
        name: facts.name.clone(),
        certificate_number: certificate::number(award.id),
        issuer: IssuerLine::of(&facts, report.verdict == Verdict::Valid),
        description: super::markdown::render(&facts.description),
        verdict: verdict_line(report, &facts, recipient_name.as_deref()),
        recipient_name,
        role: facts.role.clone(),
        technical: Technical::of(report, now),
        criteria: Criteria::of(&facts),
        facts: details(&facts, &certificate::number(award.id)),
        achievement_href: facts
            .achievement_id
            .as_deref()
            .and_then(html::href)
            .map(str::to_owned),
        evidence: evidence(credential),
        endorsements: super::endorsements::from_report(report),
        share: Share::of(award, issuer, &facts, &url),
    };
    super::render(&page)
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
    /// The name signed into the credential, if any.
    recipient_name: Option<String>,
    /// The recipient's role signed into the credential, if any.
    role: Option<String>,
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
            recipient_name: credential
                .get("credentialSubject")
                .and_then(laurel_core::model::subject_name),
            role: text(credential, "/credentialSubject/role"),
        }
    }
}

/// The verdict in one sentence: for a valid badge, "This badge is valid: issued by X to Y on
/// DATE." (the earned date); otherwise the verifier's own sentence, which says why not. A badge
/// whose issuer is known only by its key keeps the sentence that says so.
fn verdict_line(report: &Report, facts: &Facts, recipient: Option<&str>) -> VerdictLine {
    let line = VerdictLine::of(report);
    if report.verdict != Verdict::Valid || !signed_by_issuer(report) || key_only(report) {
        return line;
    }
    let mut sentence = format!("This badge is valid: issued by {}", facts.issuer_name);
    if let Some(name) = recipient {
        sentence.push_str(&format!(" to {name}"));
    }
    if let Some(at) = facts.awarded.or(facts.valid_from) {
        sentence.push_str(&format!(" on {}", html::date(at)));
    }
    sentence.push('.');
    VerdictLine {
        kind: line.kind,
        sentence,
    }
}

/// Revoked, suspended, expired: said first and plainly.
struct Notices {
    revoked: Option<Notice>,
    suspended: Option<Notice>,
    /// When it expired, if it has.
    expired: Option<String>,
}

/// A revocation or suspension: since when, and why if the issuer said.
struct Notice {
    date: String,
    reason: Option<String>,
}

impl Notices {
    fn of(award: &Award, facts: &Facts, now: DateTime<Utc>) -> Self {
        let until = award.valid_until.or(facts.valid_until);
        Notices {
            revoked: award.revoked_at.map(|at| Notice {
                date: html::date(at),
                reason: award.revocation_reason.clone(),
            }),
            suspended: award.suspended_at.map(|at| Notice {
                date: html::date(at),
                reason: award.suspension_reason.clone(),
            }),
            expired: until.filter(|until| *until <= now).map(html::date),
        }
    }
}

/// Who issued it, as the credential says.
struct IssuerLine {
    /// The issuer's logo (a checked link target).
    logo: Option<String>,
    name: String,
    /// The issuer's profile (a checked link target).
    href: Option<String>,
    /// The issuer's site (a checked link target).
    site: Option<String>,
    /// "Issued by" when the check bound the signing key to the issuer, else "From".
    by: &'static str,
}

impl IssuerLine {
    fn of(facts: &Facts, valid: bool) -> Self {
        let checked = |url: &Option<String>| url.as_deref().and_then(html::href).map(str::to_owned);
        IssuerLine {
            logo: checked(&facts.issuer_image),
            name: facts.issuer_name.clone(),
            href: checked(&facts.issuer_id),
            site: checked(&facts.issuer_url),
            // Stated as fact only when the check bound the signing key to the issuer.
            by: if valid { "Issued by" } else { "From" },
        }
    }
}

/// What it takes: the narrative (sanitized HTML) and the full criteria's address.
struct Criteria {
    narrative: Option<String>,
    link: Option<CriteriaLink>,
}

/// The full criteria's address: a link when it is a web address, else shown as text.
enum CriteriaLink {
    Link(String),
    Text(String),
}

impl Criteria {
    fn of(facts: &Facts) -> Option<Self> {
        let narrative = facts
            .criteria_narrative
            .as_deref()
            .map(super::markdown::render);
        let link = facts
            .criteria_url
            .as_deref()
            .map(|url| match html::href(url) {
                Some(href) => CriteriaLink::Link(href.to_owned()),
                None => CriteriaLink::Text(url.to_owned()),
            });
        (narrative.is_some() || link.is_some()).then_some(Criteria { narrative, link })
    }
}

fn details(facts: &Facts, number: &str) -> Vec<Fact> {
    let mut rows = vec![Fact::new("Certificate number", number)];
    if let Some(at) = facts.awarded {
        rows.push(Fact::new("Issued", html::date(at)));
    }
    if let Some(at) = facts.valid_from {
        rows.push(Fact::new("Valid from", html::date(at)));
    }
    if let Some(at) = facts.valid_until {
        rows.push(Fact::new("Valid until", html::date(at)));
    }
    if let Some(role) = &facts.role {
        rows.push(Fact::new("Role", role.as_str()));
    }
    if let Some(credits) = facts.credits_earned {
        rows.push(Fact::new(
            "Credits earned",
            laurel_service::units::hours_in_words(credits),
        ));
    }
    if let Some(credits) = facts.credits_available {
        rows.push(Fact::new(
            "Credits available",
            laurel_service::units::hours_in_words(credits),
        ));
    }
    rows
}

/// One piece of evidence.
struct Evidence {
    title: String,
    /// Its address (a checked link target).
    href: Option<String>,
    /// Its narrative and description, as sanitized HTML.
    texts: Vec<String>,
}

fn evidence(credential: &Value) -> Vec<Evidence> {
    let items: Vec<&Value> = match credential.get("evidence") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(item @ Value::Object(_)) => vec![item],
        _ => return Vec::new(),
    };
    fn text<'a>(item: &'a Value, field: &str) -> Option<&'a str> {
        item.get(field).and_then(Value::as_str)
    }
    items
        .iter()
        .map(|item| Evidence {
            title: text(item, "name").unwrap_or("Evidence").to_owned(),
            href: text(item, "id").and_then(html::href).map(str::to_owned),
            texts: ["narrative", "description"]
                .iter()
                .filter_map(|field| text(item, field))
                .map(super::markdown::render)
                .collect(),
        })
        .collect()
}

/// The print view's QR code: SVG path data and the viewBox side (code and quiet zone).
struct PrintQr {
    path: String,
    side: usize,
}

/// Download and share.
struct Share {
    /// The credential's URL.
    url: String,
    /// LinkedIn's "Add to profile", while the credential is in good standing.
    linkedin: Option<String>,
    /// A `mailto:` link with the badge's name and URL.
    mail: String,
    /// The short certificate number, printed with the page.
    number: String,
}

impl Share {
    fn of(award: &Award, issuer: Option<&Issuer>, facts: &Facts, url: &str) -> Self {
        let mail = format!(
            "mailto:?{}",
            links::query(&[
                ("subject", facts.name.clone()),
                (
                    "body",
                    format!("{} — issued by {}: {url}", facts.name, facts.issuer_name),
                ),
            ])
        );
        Share {
            url: url.to_owned(),
            linkedin: links::linkedin(award, issuer, url).ok(),
            mail,
            number: laurel_service::certificate::number(award.id),
        }
    }

    /// The QR code of the URL for the print view; none if the URL is too long for one.
    fn qr(&self) -> Option<PrintQr> {
        let code = laurel_certificate::qr::Code::new(&self.url).ok()?;
        Some(PrintQr {
            path: code.svg_path(),
            side: code.width + 8,
        })
    }
}
