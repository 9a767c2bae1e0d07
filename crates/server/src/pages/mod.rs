//! Public pages: what a recipient shares and an employer clicks, as server-rendered HTML on
//! the same URLs as the JSON-LD (`/credentials/{id}`, `/achievements/{id}`, `/issuers/{id}`).
//!
//! **Content negotiation.** A request whose `Accept` prefers `text/html` to JSON (a browser)
//! gets the page; everything else (verifiers, backpacks, `curl`) gets the JSON-LD exactly as
//! before. Both carry `Vary: Accept` so caches keep them apart. See [`wants_html`].
//!
//! **Why askama templates.** The markup lives in `templates/pages/*.html`, one file per page
//! plus the shared layout and the fragments both credential and verify pages show; the Rust
//! here only computes what they show (strings, options, small row structs). askama compiles
//! each template into the binary and checks it with the struct it renders (a misspelt field
//! is a build error, not a blank on a page), escapes every value written into an `.html`
//! template by default (text and attributes alike), loads nothing at run time and adds one
//! small dependency. Only one kind of value is written unescaped (`|safe`): Markdown fields
//! after [`markdown::render`] sanitized them. Link targets are checked by [`html::href`]
//! besides, since escaping does not stop a `javascript:` URL. Pages load only the stylesheet
//! and script served by this binary ([`assets`]), under a Content-Security-Policy that allows
//! nothing else, so they work offline on an intranet and carry no trackers.
//!
//! - [`credential`]: the credential page, with a live verification ([`verdicts`] caches it);
//!   [`kept`] keeps each rendered page for a second.
//! - [`catalog`]: achievement and issuer pages.
//! - [`claim`]: the claim page a recipient's personal wallet link opens.
//! - [`wallet_link`]: "Email me my wallet link" on the credential page.
//! - [`transcript_email`]: "Your transcript by email", for a recipient without their claim
//!   link.
//! - [`verdict_text`]: a verification report in plain words (both pages).
//! - [`views`]: what the verification fragments show, for the templates.
//! - [`verify`]: the verify page (paste or choose a file), for anyone.
//! - [`linkedin`]: the email's LinkedIn link, refused while a badge is revoked or suspended.
//! - [`layout`]: `<head>` (Open Graph and Twitter card tags), header, footer.
//! - [`html`]: checked link targets and dates.
//! - [`brand`]: an issuer's colour, as a stylesheet of its own (the policy allows no inline style).

pub mod assets;
pub mod brand;
pub mod catalog;
pub mod claim;
pub mod claim_offer;
pub mod claim_transcript;
pub mod credential;
pub mod endorsements;
pub mod html;
pub mod kept;
pub mod layout;
pub mod linkedin;
pub mod markdown;
pub mod pathway;
pub mod transcript_email;
pub mod verdict_text;
pub mod verdicts;
pub mod verify;
pub mod views;
pub mod wallet_link;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::cache::{Cache, Representation};
use crate::{AppState, HttpError, HttpResult};

/// The policy of every page: its own stylesheet and script, images from here or any HTTPS
/// site (an issuer's logo may live on its own site), forms posted only here (the credential
/// page's "Email me my wallet link"), nothing else; no framing.
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; \
     img-src 'self' https: data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The asset routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/{file}", get(assets::asset))
        .route("/assets/brand/{file}", get(brand::serve))
        .route("/verify", get(verify::form).post(verify::check))
        .route("/credentials/{id}/linkedin", get(linkedin::add_to_profile))
        .route("/claim/{token}", get(claim::page))
        .route("/claim/{token}/transcript", get(claim_transcript::page))
        .route(
            "/transcript",
            get(transcript_email::form).post(transcript_email::request),
        )
        .route("/transcript/{token}", get(transcript_email::page))
        .route(
            "/achievements/{id}/progress/{token}",
            get(pathway::progress_page),
        )
        .route(
            "/credentials/{id}/wallet-link",
            axum::routing::post(wallet_link::request),
        )
}

/// Whether the request prefers HTML to JSON: the best `q` for `text/html` (or
/// `application/xhtml+xml`) is above zero and above the best for any JSON type. Each type's `q`
/// comes from its most specific matching range (`text/html` over `text/*` over `*/*`). No
/// `Accept`, or `*/*` alone, is JSON: the documents' long-standing answer.
pub fn wants_html(headers: &HeaderMap) -> bool {
    let ranges: Vec<(String, f32)> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(parse_range)
        .collect();
    if ranges.is_empty() {
        return false;
    }
    let q = |media: &str| quality(&ranges, media);
    let html = q("text/html").max(q("application/xhtml+xml"));
    let json = q("application/ld+json")
        .max(q("application/json"))
        .max(q("application/vc+ld+json"));
    html > 0.0 && html > json
}

fn parse_range(text: &str) -> Option<(String, f32)> {
    let mut parts = text.split(';').map(str::trim);
    let media = parts.next().filter(|m| !m.is_empty())?.to_ascii_lowercase();
    let q = parts
        .filter_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
        .find_map(|v| v.trim().parse::<f32>().ok())
        .unwrap_or(1.0);
    Some((media, q.clamp(0.0, 1.0)))
}

fn quality(ranges: &[(String, f32)], media: &str) -> f32 {
    let kind = media.split('/').next().unwrap_or("");
    let specificity = |range: &str| {
        if range == media {
            Some(3)
        } else if range.strip_suffix("/*") == Some(kind) {
            Some(2)
        } else if range == "*/*" {
            Some(1)
        } else {
            None
        }
    };
    ranges
        .iter()
        .filter_map(|(range, q)| specificity(range).map(|s| (s, *q)))
        .max_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)))
        .map_or(0.0, |(_, q)| q)
}

/// `Vary: Accept`, for every negotiated response.
pub fn vary() -> (header::HeaderName, HeaderValue) {
    (header::VARY, HeaderValue::from_static("Accept"))
}

/// An HTML page response: ETag, cache policy, CSP, `Vary: Accept`.
pub fn respond(html: String, cache: Cache, request: &HeaderMap) -> Response {
    respond_tagged(Bytes::from(html), None, cache, request)
}

/// [`respond`] for a page whose ETag was computed earlier (`None`: computed now).
pub fn respond_tagged(
    html: Bytes,
    etag: Option<HeaderValue>,
    cache: Cache,
    request: &HeaderMap,
) -> Response {
    let (name, value) = vary();
    Representation::new(html, "text/html; charset=utf-8", cache)
        .with_etag(etag)
        .with(name, value)
        .with(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        )
        .with(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        )
        .respond(request)
}

/// Forgets every kept credential page ([`kept`]) once a write through the admin API or the
/// console has been answered: whatever it changed (an issuer's colour, a key marked
/// compromised, a revocation) shows on the next view. Public forms (verify, wallet link) change
/// nothing a credential page shows and leave the pages kept.
pub async fn forget_pages_after_writes(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let write = !request.method().is_safe()
        && (path.starts_with(crate::api::PREFIX) || path.starts_with("/console"));
    let response = next.run(request).await;
    if write {
        state.pages.clear();
    }
    response
}

/// A page template as HTML. Rendering fails only if a value's `Display` does (none of ours
/// can), which would be a bug: a 500.
pub fn render(template: &impl Template) -> HttpResult<String> {
    template
        .render()
        .map_err(|error| HttpError::Internal(format!("page template: {error}")))
}

/// The 404 page (`templates/pages/not_found.html`).
#[derive(Template)]
#[template(path = "pages/not_found.html")]
struct NotFoundPage {
    layout: layout::Layout,
}

/// An error for a browser: the HTML 404 page for a missing thing, the problem+json otherwise
/// (a 500 is logged and answered the same way for everyone).
pub fn error_page(error: HttpError) -> Response {
    let HttpError::NotFound(_) = error else {
        return error.into_response();
    };
    let head = layout::Head {
        title: "Not found".into(),
        description: "There is nothing at this address.".into(),
        ..Default::default()
    };
    let page = NotFoundPage {
        layout: layout::Layout::new(head, None),
    };
    let html = match render(&page) {
        Ok(html) => html,
        Err(error) => return error.into_response(),
    };
    let mut response = (StatusCode::NOT_FOUND, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    let (name, value) = vary();
    headers.insert(name, value);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(header::ACCEPT, value);
        }
        headers
    }

    #[test]
    fn browsers_get_html_and_everyone_else_json() {
        let firefox = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        let chrome = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7";
        assert!(wants_html(&accept(firefox)));
        assert!(wants_html(&accept(chrome)));
        assert!(wants_html(&accept("text/html")));
        assert!(wants_html(&accept("text/*, application/json;q=0.5")));
        for json in [
            "",
            "*/*",
            "application/ld+json",
            "application/json, text/html;q=0.5",
            "application/ld+json, text/html",
            "text/html;q=0",
            "application/*",
        ] {
            assert!(!wants_html(&accept(json)), "{json}");
        }
        assert!(!wants_html(&HeaderMap::new()));
    }
}
