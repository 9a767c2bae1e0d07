//! Public pages: the credential, achievement and issuer pages a browser gets on the same URLs
//! as the JSON-LD (content negotiation), in every state a credential can be in, with hostile
//! text in every field, and the recipient's email nowhere.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::util;

use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode, header};
use chrono::{DateTime, Utc};
use laurel_service::Clock;
use serde_json::{Value, json};
use util::{ORIGIN, TestApp, TestResponse, id};

/// What a browser sends.
const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const EMAIL: &str = "Camille.Durand@Example.org";
const NAME: &str = "Camille Durand";
/// Hostile text: a script, and an attribute break-out.
const SCRIPT: &str = "<script>alert(1)</script>";
const BREAKOUT: &str = "\"><img src=x onerror=alert(2)>";

async fn browse(app: &TestApp, path: &str) -> TestResponse {
    app.send(Method::GET, path, None, None, None, &[("accept", BROWSER)])
        .await
}

fn path(url: &str) -> String {
    url.strip_prefix(ORIGIN).unwrap_or(url).to_string()
}

fn header<'a>(response: &'a TestResponse, name: &str) -> &'a str {
    response
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// An issuer, an achievement with `extra`, and an award to [`EMAIL`] named [`NAME`].
async fn awarded(app: &TestApp, extra: Value) -> (Value, Value, Value) {
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, extra).await;
    let response = app
        .award(&achievement, json!({ "email": EMAIL, "name": NAME }))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    (issuer, achievement, response.json())
}

/// The credential page of an award, as a browser gets it (asserting a 200 HTML page).
async fn page(app: &TestApp, award: &Value) -> String {
    let response = browse(app, &path(award["credential_url"].as_str().unwrap())).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.content_type(), "text/html; charset=utf-8");
    response.text()
}

/// The `data-verdict` of the page's verdict element.
fn verdict(html: &str) -> &str {
    let start = html
        .find("id=\"verdict\" data-verdict=\"")
        .expect("verdict element")
        + "id=\"verdict\" data-verdict=\"".len();
    &html[start..start + html[start..].find('"').unwrap()]
}

/// The value of an attribute `name="…"` of the element with `id`.
fn attribute<'a>(html: &'a str, element_id: &str, name: &str) -> &'a str {
    let at = html.find(&format!("id=\"{element_id}\"")).expect("element");
    let tag_start = html[..at].rfind('<').unwrap();
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>').unwrap()];
    let key = format!("{name}=\"");
    let start = tag.find(&key).expect("attribute") + key.len();
    &tag[start..start + tag[start..].find('"').unwrap()]
}

/// Undoes HTML escaping: the templates' (askama: numeric entities) and the Markdown
/// sanitizer's (named entities).
fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&#60;", "<")
        .replace("&gt;", ">")
        .replace("&#62;", ">")
        .replace("&amp;", "&")
        .replace("&#38;", "&")
}

fn query_pairs(url: &str) -> Vec<(String, String)> {
    let query = url.split_once('?').unwrap().1;
    query
        .split('&')
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap();
            (name.to_string(), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[track_caller]
fn assert_page_shape(html: &str) {
    assert!(html.starts_with("<!doctype html>"), "{html}");
    for part in [
        "<html lang=\"en\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<title>",
        "<header",
        "<main>",
        "<footer",
        "<link rel=\"stylesheet\" href=\"/assets/laurel.css?v=",
        "<script src=\"/assets/laurel.js?v=",
    ] {
        assert!(html.contains(part), "missing {part}");
    }
    // Nothing is loaded from elsewhere: no external scripts, styles or fonts.
    assert!(!html.contains("<script src=\"http"), "{html}");
    assert!(!html.contains("stylesheet\" href=\"http"), "{html}");
}

// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_valid_credential_page_shows_the_badge_the_people_and_a_valid_verdict() {
    let app = TestApp::new().await;
    let (issuer, achievement, award) = awarded(&app, json!({})).await;
    let html = page(&app, &award).await;
    if let Ok(file) = std::env::var("LAUREL_DUMP_PAGE") {
        std::fs::write(file, &html).unwrap();
    }
    assert_page_shape(&html);
    assert_eq!(verdict(&html), "valid", "{html}");
    assert!(html.contains("Catalogage avancé"));
    assert!(html.contains("Atelier de trois heures sur le catalogage RDA."));
    assert!(html.contains("Assister à l'atelier complet"), "{html}");
    assert!(html.contains("Association des Bibliothécaires"));
    assert!(html.contains(&format!(
        "href=\"{}\"",
        issuer["public_id"].as_str().unwrap()
    )));
    assert!(html.contains("href=\"https://bibliotheques.example.org\""));
    assert!(html.contains(&format!("Awarded to <strong>{NAME}</strong>")));
    assert!(html.contains("1 March 2026"), "the issue date");
    assert!(html.contains("3 hours"), "credits");
    assert!(!html.contains("id=\"revoked\"") && !html.contains("id=\"suspended\""));
    assert!(!html.contains("id=\"expired\""));
    // No image uploaded: the baked SVG is the picture, the baked PNG the preview.
    let url = award["credential_url"].as_str().unwrap();
    assert!(html.contains(&format!(
        "<img class=\"badge\" src=\"{url}.svg\" alt=\"Badge: Catalogage avancé\""
    )));
    assert!(html.contains(&format!(
        "<meta property=\"og:image\" content=\"{url}.png\">"
    )));
    for (property, value) in [
        (
            "og:title",
            "Catalogage avancé · Association des Bibliothécaires",
        ),
        ("og:url", url),
        (
            "og:description",
            "Atelier de trois heures sur le catalogage RDA.",
        ),
    ] {
        assert!(
            html.contains(&format!(
                "<meta property=\"{property}\" content=\"{value}\">"
            )),
            "{property}: {html}"
        );
    }
    assert!(html.contains("<meta name=\"twitter:card\" content=\"summary\">"));
    assert!(html.contains(&format!(
        "<meta name=\"twitter:image\" content=\"{url}.png\">"
    )));
    // Steps in plain language, and every download.
    assert!(html.contains("Issuer&#39;s signature"), "{html}");
    assert!(!html.contains("--recipient"), "no command-line wording");
    for extension in ["png", "svg", "json", "jwt"] {
        assert!(
            html.contains(&format!("href=\"{url}.{extension}\" download")),
            "{extension}"
        );
    }
    assert!(html.contains(&format!("data-copy=\"{url}\"")));
    assert!(html.contains("id=\"email\""));
    // The achievement link leads to its page.
    assert!(html.contains(&format!(
        "href=\"{ORIGIN}/achievements/{}\"",
        id(&achievement)
    )));
    // The email never appears.
    assert!(!html.to_lowercase().contains(&EMAIL.to_lowercase()));
}

#[tokio::test]
async fn the_linkedin_link_fills_every_field() {
    let app = TestApp::new().await;
    let (_, _, award) = awarded(&app, json!({ "valid_for_days": 400 })).await;
    let html = page(&app, &award).await;
    let href = unescape(attribute(&html, "linkedin", "href"));
    assert!(
        href.starts_with("https://www.linkedin.com/profile/add?"),
        "{href}"
    );
    let url = award["credential_url"].as_str().unwrap();
    // The short certificate number, never the UUID.
    let number = laurel_service::certificate::number(id(&award).parse().unwrap());
    let expected: Vec<(String, String)> = [
        ("startTask", "CERTIFICATION_NAME"),
        ("name", "Catalogage avancé"),
        ("organizationName", "Association des Bibliothécaires"),
        ("issueYear", "2026"),
        ("issueMonth", "3"),
        ("expirationYear", "2027"),
        ("expirationMonth", "4"),
        ("certUrl", url),
        ("certId", &number),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(query_pairs(&href), expected);
    // Encoded, not raw: no space or accent survives in the link.
    assert!(!href.contains(' ') && !href.contains('é'), "{href}");
}

#[tokio::test]
async fn a_revoked_credential_says_so_with_its_reason() {
    let app = TestApp::new().await;
    let (_, _, award) = awarded(&app, json!({})).await;
    assert_eq!(verdict(&page(&app, &award).await), "valid");
    let revoked = app
        .post(
            &format!("/api/v1/credentials/{}/revoke", id(&award)),
            json!({ "reason": "Attendance was recorded in error." }),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    let html = page(&app, &award).await;
    assert!(html.contains("id=\"revoked\""), "{html}");
    assert!(html.contains("This credential has been revoked"));
    assert!(html.contains("Attendance was recorded in error."));
    assert!(
        html.find("id=\"revoked\"").unwrap() < html.find("<h1>").unwrap(),
        "at the top"
    );
    assert_eq!(verdict(&html), "invalid", "{html}");
    assert!(
        !html.contains("id=\"linkedin\""),
        "no LinkedIn link for a revoked credential"
    );
}

#[tokio::test]
async fn a_suspended_credential_says_so_with_its_reason_and_comes_back() {
    let app = TestApp::new().await;
    let (_, _, award) = awarded(&app, json!({})).await;
    assert_eq!(verdict(&page(&app, &award).await), "valid");
    let suspend = app
        .post(
            &format!("/api/v1/credentials/{}/suspend", id(&award)),
            json!({ "reason": "Under review" }),
        )
        .await;
    assert_eq!(suspend.status, StatusCode::OK, "{}", suspend.text());
    let html = page(&app, &award).await;
    assert!(html.contains("id=\"suspended\""), "{html}");
    assert!(html.contains("This credential is suspended"));
    assert!(html.contains("Under review"));
    assert_eq!(verdict(&html), "invalid");

    let lifted = app
        .post(
            &format!("/api/v1/credentials/{}/unsuspend", id(&award)),
            json!({}),
        )
        .await;
    assert_eq!(lifted.status, StatusCode::OK, "{}", lifted.text());
    let html = page(&app, &award).await;
    assert!(!html.contains("id=\"suspended\""));
    assert_eq!(verdict(&html), "valid", "the cached verdict is not reused");
}

/// A clock tests can move.
struct MovableClock(Mutex<DateTime<Utc>>);

impl Clock for MovableClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

#[tokio::test]
async fn an_expired_credential_says_so() {
    let clock = Arc::new(MovableClock(Mutex::new(util::now())));
    let app = TestApp::builder().clock(clock.clone()).build().await;
    let (_, _, award) = awarded(&app, json!({ "valid_for_days": 30 })).await;
    let html = page(&app, &award).await;
    assert_eq!(verdict(&html), "valid");
    assert!(html.contains("Valid until"));
    assert!(html.contains("31 March 2026"), "{html}");

    *clock.0.lock().unwrap() = util::now() + chrono::Duration::days(60);
    let html = page(&app, &award).await;
    assert!(html.contains("id=\"expired\""), "{html}");
    assert!(html.contains("This credential expired</strong> on 31 March 2026"));
    assert_eq!(verdict(&html), "invalid", "{html}");
}

#[tokio::test]
async fn hostile_text_in_every_field_is_escaped() {
    let app = TestApp::new().await;
    let hostile = |field: &str| format!("{field} {SCRIPT} {BREAKOUT}");
    let issuer = app
        .issuer(json!({ "name": hostile("issuer"), "description": hostile("issuer description") }))
        .await;
    let achievement = app
        .achievement(
            &issuer,
            json!({
                "name": hostile("achievement"),
                "description": hostile("description"),
                "criteria_narrative": hostile("criteria"),
                "tags": [hostile("tag")],
            }),
        )
        .await;
    let response = app
        .award(
            &achievement,
            json!({
                "email": EMAIL,
                "name": hostile("recipient"),
                "evidence": [{
                    "id": "https://evidence.example.org/1",
                    "name": hostile("evidence name"),
                    "narrative": hostile("evidence narrative"),
                }],
            }),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let award = response.json();
    let suspend = app
        .post(
            &format!("/api/v1/credentials/{}/suspend", id(&award)),
            json!({ "reason": hostile("suspension") }),
        )
        .await;
    assert_eq!(suspend.status, StatusCode::OK, "{}", suspend.text());

    let mut pages = vec![page(&app, &award).await];
    // Revoke after the suspension was seen: a revoked credential cannot be suspended.
    let revoke = app
        .post(
            &format!("/api/v1/credentials/{}/revoke", id(&award)),
            json!({ "reason": hostile("revocation") }),
        )
        .await;
    assert_eq!(revoke.status, StatusCode::OK, "{}", revoke.text());
    pages.push(page(&app, &award).await);
    for path in [
        format!("/achievements/{}", id(&achievement)),
        format!("/issuers/{}", id(&issuer)),
    ] {
        let response = browse(&app, &path).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        pages.push(response.text());
    }
    // Plain fields are escaped by the templates (askama: numeric entities); Markdown fields
    // are rendered, then serialized by the sanitizer (named entities), which leaves a quote in
    // text as it is (harmless outside attributes).
    let escaped_script = "&#60;script&#62;alert(1)&#60;/script&#62;";
    let escaped_breakout = "&#34;&#62;&#60;img src=x onerror=alert(2)&#62;";
    let markdown_script = "&lt;script&gt;alert(1)&lt;/script&gt;";
    let markdown_breakout = "\"&gt;&lt;img src=x onerror=alert(2)&gt;";
    let markdown = |field: &str| {
        [
            "description",
            "criteria",
            "evidence narrative",
            "issuer description",
        ]
        .contains(&field)
    };
    for html in &pages {
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(!html.contains("\"><img"), "{html}");
        assert!(!html.to_lowercase().contains(&EMAIL.to_lowercase()));
    }
    let credential_pages = format!("{}{}", pages[0], pages[1]);
    for field in [
        "issuer",
        "achievement",
        "description",
        "criteria",
        "recipient",
        "evidence name",
        "evidence narrative",
        "suspension",
        "revocation",
    ] {
        let (script, breakout) = if markdown(field) {
            (markdown_script, markdown_breakout)
        } else {
            (escaped_script, escaped_breakout)
        };
        assert!(
            credential_pages.contains(&format!("{field} {script} {breakout}")),
            "{field} not shown escaped"
        );
    }
    let script = |field: &str| {
        if markdown(field) {
            markdown_script
        } else {
            escaped_script
        }
    };
    for field in ["achievement", "description", "criteria", "tag", "issuer"] {
        assert!(
            pages[2].contains(&format!("{field} {}", script(field))),
            "{field}"
        );
    }
    for field in ["issuer", "issuer description", "achievement"] {
        assert!(
            pages[3].contains(&format!("{field} {}", script(field))),
            "{field}"
        );
    }
}

#[tokio::test]
async fn json_clients_still_get_json_ld_and_every_answer_varies_on_accept() {
    let app = TestApp::new().await;
    let (issuer, achievement, award) = awarded(&app, json!({})).await;
    let paths = [
        path(award["credential_url"].as_str().unwrap()),
        format!("/achievements/{}", id(&achievement)),
        format!("/issuers/{}", id(&issuer)),
    ];
    for path in &paths {
        for accept in [
            None,
            Some("*/*"),
            Some("application/ld+json"),
            Some("application/json"),
        ] {
            let headers: Vec<(&str, &str)> = accept.iter().map(|a| ("accept", *a)).collect();
            let response = app
                .send(Method::GET, path, None, None, None, &headers)
                .await;
            assert_eq!(response.status, StatusCode::OK, "{path} {accept:?}");
            assert_eq!(
                response.content_type(),
                "application/ld+json",
                "{path} {accept:?}"
            );
            assert_eq!(header(&response, "vary"), "Accept", "{path} {accept:?}");
            response.json();
        }
        let html = browse(&app, path).await;
        assert_eq!(html.content_type(), "text/html; charset=utf-8", "{path}");
        assert_eq!(header(&html, "vary"), "Accept", "{path}");
        assert!(header(&html, "content-security-policy").contains("default-src 'none'"));
        assert!(!header(&html, "etag").is_empty());
        // A conditional request gets a 304 for the page too.
        let again = app
            .send(
                Method::GET,
                path,
                None,
                None,
                None,
                &[
                    ("accept", BROWSER),
                    ("if-none-match", header(&html, "etag")),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
    }
    // Downloads are not negotiated.
    let json = browse(&app, &format!("{}.json", paths[0])).await;
    assert_eq!(json.content_type(), "application/vc+ld+json");
}

#[tokio::test]
async fn achievement_and_issuer_pages_say_what_it_takes_and_who_issues_it() {
    let app = TestApp::new().await;
    let (issuer, achievement, _) = awarded(&app, json!({})).await;
    for email in ["a@example.org", "b@example.org"] {
        app.award(&achievement, json!({ "email": email })).await;
    }
    let html = browse(&app, &format!("/achievements/{}", id(&achievement)))
        .await
        .text();
    assert_page_shape(&html);
    assert!(html.contains("<h1>Catalogage avancé</h1>"));
    assert!(html.contains("What it takes"));
    assert!(html.contains("Assister à l'atelier complet"), "{html}");
    assert!(html.contains("<dd id=\"awarded\">3 times</dd>"), "{html}");
    assert!(html.contains(&format!("href=\"{ORIGIN}/issuers/{}\"", id(&issuer))));
    assert!(html.contains("<meta property=\"og:title\""));

    let html = browse(&app, &format!("/issuers/{}", id(&issuer)))
        .await
        .text();
    assert_page_shape(&html);
    assert!(html.contains("<h1>Association des Bibliothécaires</h1>"));
    assert!(html.contains("National library association"));
    assert!(html.contains("href=\"https://bibliotheques.example.org\""));
    assert!(html.contains(&format!(
        "href=\"{ORIGIN}/achievements/{}\"",
        id(&achievement)
    )));
}

#[tokio::test]
async fn unknown_ids_are_an_html_404_for_browsers_and_a_problem_for_the_rest() {
    let app = TestApp::new().await;
    let unknown = uuid::Uuid::new_v4();
    for path in [
        format!("/credentials/{unknown}"),
        format!("/achievements/{unknown}"),
        format!("/issuers/{unknown}"),
        "/credentials/not-a-uuid".to_string(),
    ] {
        let html = browse(&app, &path).await;
        assert_eq!(html.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(html.content_type(), "text/html; charset=utf-8", "{path}");
        assert!(html.text().contains("<h1>Not found</h1>"));
        assert_page_shape(&html.text());
        let json = app.send(Method::GET, &path, None, None, None, &[]).await;
        json.problem(StatusCode::NOT_FOUND);
    }
    // Any other address a browser opens is the same page.
    let elsewhere = browse(&app, "/no/such/page").await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
    assert!(elsewhere.text().contains("<h1>Not found</h1>"));
    app.send(Method::GET, "/no/such/page", None, None, None, &[])
        .await
        .problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn assets_are_served_long_cached_and_pages_link_their_versions() {
    let app = TestApp::new().await;
    let (_, _, award) = awarded(&app, json!({})).await;
    let html = page(&app, &award).await;
    for (name, content_type) in [
        ("laurel.css", "text/css; charset=utf-8"),
        ("laurel.js", "text/javascript; charset=utf-8"),
    ] {
        let start = html.find(&format!("/assets/{name}?v=")).unwrap();
        let url = &html[start..start + html[start..].find('"').unwrap()];
        let response = app.send(Method::GET, url, None, None, None, &[]).await;
        assert_eq!(response.status, StatusCode::OK, "{url}");
        assert_eq!(response.content_type(), content_type);
        assert_eq!(
            header(&response, "cache-control"),
            "public, max-age=31536000, immutable"
        );
    }
    let css = app
        .send(Method::GET, "/assets/laurel.css", None, None, None, &[])
        .await;
    assert!(css.text().contains("@media print"));
    let missing = app
        .send(Method::GET, "/assets/other.css", None, None, None, &[])
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// An issuer with `settings`, an achievement and an award, as in [`awarded`].
async fn awarded_by(app: &TestApp, settings: Value) -> (Value, Value, Value) {
    let issuer = app.issuer(settings).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let response = app
        .award(&achievement, json!({ "email": EMAIL, "name": NAME }))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    (issuer, achievement, response.json())
}

#[tokio::test]
async fn an_issuers_colour_is_a_stylesheet_of_its_own_linked_from_its_pages() {
    let app = TestApp::new().await;
    let (issuer, achievement, award) = awarded_by(&app, json!({ "brand_color": "#FFD700" })).await;
    assert_eq!(issuer["brand_color"], "#ffd700");
    let issuer_id = id(&issuer);
    let link = format!("<link rel=\"stylesheet\" href=\"/assets/brand/{issuer_id}.css?v=ffd700\">");
    let credential_page = page(&app, &award).await;
    assert_page_shape(&credential_page);
    assert!(credential_page.contains(&link), "{credential_page}");
    for path in [
        format!("/achievements/{}", id(&achievement)),
        format!("/issuers/{issuer_id}"),
    ] {
        let html = browse(&app, &path).await.text();
        assert!(html.contains(&link), "{path}: {html}");
    }
    // No inline style anywhere: the policy would block it.
    assert!(!credential_page.contains("style="), "{credential_page}");
    assert!(!credential_page.contains("<style"), "{credential_page}");

    let css_path = format!("/assets/brand/{issuer_id}.css");
    let css = app
        .send(Method::GET, &css_path, None, None, None, &[])
        .await;
    assert_eq!(css.status, StatusCode::OK, "{}", css.text());
    assert_eq!(css.content_type(), "text/css; charset=utf-8");
    // Gold is light: near-black text on it.
    assert!(
        css.text()
            .contains("--brand: #ffd700; --brand-text: #1b1f24;"),
        "{}",
        css.text()
    );
    assert_eq!(header(&css, "cache-control"), "public, max-age=300");
    let etag = header(&css, "etag").to_string();
    assert!(etag.starts_with('"'), "{etag}");
    let again = app
        .send(
            Method::GET,
            &css_path,
            None,
            None,
            None,
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    // laurel.css paints the header bar and the main button with it.
    let base = app
        .send(Method::GET, "/assets/laurel.css", None, None, None, &[])
        .await
        .text();
    assert!(base.contains("var(--brand,"), "{base}");
    assert!(base.contains("var(--brand-text,"), "{base}");

    // A dark colour gets white text, and a new link version.
    let patched = app
        .patch(
            &format!("/api/v1/issuers/{issuer_id}"),
            json!({ "brand_color": "#0b5394" }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text());
    let css = app
        .send(Method::GET, &css_path, None, None, None, &[])
        .await;
    assert!(
        css.text()
            .contains("--brand: #0b5394; --brand-text: #ffffff;")
    );
    assert_ne!(header(&css, "etag"), etag);
    let html = browse(&app, &format!("/issuers/{issuer_id}")).await.text();
    assert!(html.contains(&format!("/assets/brand/{issuer_id}.css?v=0b5394")));

    // Cleared: no link, and no stylesheet.
    let patched = app
        .patch(
            &format!("/api/v1/issuers/{issuer_id}"),
            json!({ "brand_color": null }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text());
    assert_eq!(patched.json()["brand_color"], Value::Null);
    assert!(!page(&app, &award).await.contains("/assets/brand/"));
    let gone = app
        .send(Method::GET, &css_path, None, None, None, &[])
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    for path in [
        format!("/assets/brand/{}.css", uuid::Uuid::new_v4()),
        "/assets/brand/not-an-id.css".to_string(),
        format!("/assets/brand/{issuer_id}.js"),
    ] {
        let response = app.send(Method::GET, &path, None, None, None, &[]).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn an_invalid_colour_or_linkedin_id_is_a_400_naming_the_field() {
    let app = TestApp::new().await;
    for bad in [
        "red",
        "#12345",
        "#1234567",
        "#12345g",
        "0b5394",
        "#fff",
        " # 0b5394",
    ] {
        let response = app
            .post(
                "/api/v1/issuers",
                json!({ "name": "Colourful", "brand_color": bad }),
            )
            .await;
        let detail = response.problem(StatusCode::BAD_REQUEST);
        assert!(detail.contains("brand_color"), "{bad}: {detail}");
    }
    let issuer = app.issuer(json!({})).await;
    let path = format!("/api/v1/issuers/{}", id(&issuer));
    let detail = app
        .patch(&path, json!({ "brand_color": "blue" }))
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert!(detail.contains("brand_color"), "{detail}");
    for bad in ["acme", "12a4", "-5", "1.5"] {
        let detail = app
            .patch(&path, json!({ "linkedin_organization_id": bad }))
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert!(
            detail.contains("linkedin_organization_id"),
            "{bad}: {detail}"
        );
    }
    let detail = app
        .post(
            "/api/v1/issuers",
            json!({ "name": "Linked", "linkedin_organization_id": "x1" }),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert!(detail.contains("linkedin_organization_id"), "{detail}");
    // Nothing was changed by the refused edits.
    let stored = app.get(&path).await.json();
    assert_eq!(stored["brand_color"], Value::Null);
    assert_eq!(stored["linkedin_organization_id"], Value::Null);
    assert_eq!(stored["show_award_count"], true);
}

#[tokio::test]
async fn the_award_count_shows_only_when_the_issuer_allows_it() {
    let app = TestApp::new().await;
    let (issuer, achievement, _) = awarded_by(&app, json!({ "show_award_count": false })).await;
    assert_eq!(issuer["show_award_count"], false);
    let path = format!("/achievements/{}", id(&achievement));
    let html = browse(&app, &path).await.text();
    assert_page_shape(&html);
    assert!(html.contains("What it takes"));
    assert!(!html.contains("id=\"awarded\""), "{html}");
    assert!(!html.contains("1 time"), "{html}");

    let patched = app
        .patch(
            &format!("/api/v1/issuers/{}", id(&issuer)),
            json!({ "show_award_count": true }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text());
    let html = browse(&app, &path).await.text();
    assert!(html.contains("<dd id=\"awarded\">1 time</dd>"), "{html}");
}

#[tokio::test]
async fn the_linkedin_link_names_the_organization_id_only_when_set() {
    let app = TestApp::new().await;
    let (issuer, _, award) =
        awarded_by(&app, json!({ "linkedin_organization_id": "2414183" })).await;
    assert_eq!(issuer["linkedin_organization_id"], "2414183");
    let html = page(&app, &award).await;
    let href = unescape(attribute(&html, "linkedin", "href"));
    let pairs = query_pairs(&href);
    assert!(
        pairs.contains(&("organizationId".to_string(), "2414183".to_string())),
        "{href}"
    );
    assert!(pairs.contains(&(
        "organizationName".to_string(),
        "Association des Bibliothécaires".to_string()
    )));

    // Cleared: gone from the link.
    let patched = app
        .patch(
            &format!("/api/v1/issuers/{}", id(&issuer)),
            json!({ "linkedin_organization_id": null }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text());
    let html = page(&app, &award).await;
    let href = unescape(attribute(&html, "linkedin", "href"));
    assert!(!href.contains("organizationId"), "{href}");

    // An issuer that never set it: absent.
    let (_, _, other) = awarded(&app, json!({})).await;
    let html = page(&app, &other).await;
    let href = unescape(attribute(&html, "linkedin", "href"));
    assert!(!href.contains("organizationId"), "{href}");
}

/// A page view verifies once: later views of the same credential, in the same state, reuse
/// the result (its speed is measured by `bench/load.sh`, not here).
#[tokio::test]
async fn a_credential_page_verifies_once_while_nothing_changes() {
    let app = TestApp::new().await;
    let (_, _, award) = awarded(&app, json!({})).await;
    let path = path(award["credential_url"].as_str().unwrap());
    for _ in 0..3 {
        let response = browse(&app, &path).await;
        assert_eq!(response.status, StatusCode::OK);
    }
    assert_eq!(app.state.verdicts.len(), 1);
    app.post(
        &format!("/api/v1/credentials/{}/suspend", id(&award)),
        json!({"reason": "Under review"}),
    )
    .await;
    // A new state is verified anew, not served from the old result.
    let html = browse(&app, &path).await.text();
    assert!(html.contains("Under review"));
    assert!(html.contains(r#"data-verdict="invalid""#), "{html}");
}

/// A page is kept for a second ([`laurel_server::pages::kept`]), but never past a change of
/// the credential's standing made on the same instance: a revocation shows on the next view
/// there, and on another instance over the same database (behind a load balancer), which
/// cannot be told, on the first view once the kept page's second is up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_shows_at_once_where_made_and_within_a_second_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("laurel.db").display());
    let (_, kek) = laurel_service::Vault::generate().unwrap();
    let instance = || async {
        let store = laurel_store::connect(&url).await.unwrap();
        let vault = laurel_service::Vault::from_text(&kek).unwrap();
        TestApp::builder()
            .store(store, vault, tempfile::tempdir().unwrap())
            .build()
            .await
    };
    let (here, elsewhere) = (instance().await, instance().await);
    let (_, _, award) = awarded(&here, json!({})).await;
    assert_eq!(verdict(&page(&here, &award).await), "valid");
    assert_eq!(verdict(&page(&elsewhere, &award).await), "valid");
    assert_eq!(here.state.pages.len(), 1, "kept for the next views");

    let revoked = here
        .post(
            &format!("/api/v1/credentials/{}/revoke", id(&award)),
            json!({ "reason": "Recorded in error." }),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    let html = page(&here, &award).await;
    assert_eq!(verdict(&html), "invalid", "at once where revoked");
    assert!(html.contains("id=\"revoked\""));

    // The other instance may still show its kept page for what is left of the second.
    tokio::time::sleep(laurel_server::pages::kept::PageCache::TTL).await;
    let html = page(&elsewhere, &award).await;
    assert_eq!(verdict(&html), "invalid", "within the second elsewhere");
    assert!(html.contains("Recorded in error."));
}

/// A write through the admin API (here an issuer's colour) forgets the kept pages, so it shows
/// on the next view.
#[tokio::test]
async fn an_issuer_change_shows_on_the_next_view_of_a_kept_page() {
    let app = TestApp::new().await;
    let (issuer, _, award) = awarded(&app, json!({})).await;
    assert!(!page(&app, &award).await.contains("/assets/brand/"));
    assert_eq!(app.state.pages.len(), 1);
    let changed = app
        .patch(
            &format!("/api/v1/issuers/{}", id(&issuer)),
            json!({ "brand_color": "#1a7f37" }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    assert!(page(&app, &award).await.contains("/assets/brand/"));
}

/// The verify page: a form anyone can use; pasted credentials are checked without any script
/// and the answer is never cached; hostile paste comes back escaped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_verify_page_checks_a_pasted_credential() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let award = app
        .award(&achievement, json!({"email": "lee@example.org"}))
        .await
        .json();

    let form = app.call(Method::GET, "/verify", None, None).await;
    assert_eq!(form.status, StatusCode::OK);
    let html = form.text();
    assert!(
        html.contains(r#"<form id="verify-form" method="post" action="/verify">"#),
        "{html}"
    );
    assert!(html.contains(r#"<label for="verify-file">"#));
    assert!(html.contains(r#"<label for="verify-text">"#));

    let post = |body: String| {
        let app = &app;
        async move {
            app.send(
                Method::POST,
                "/verify",
                None,
                Some("application/x-www-form-urlencoded"),
                Some(body.into_bytes()),
                &[],
            )
            .await
        }
    };
    let valid = post(format!(
        "credential={}",
        url_encoded(&award["credential"].to_string())
    ))
    .await;
    assert_eq!(valid.status, StatusCode::OK, "{}", valid.text());
    assert_eq!(valid.headers[header::CACHE_CONTROL], "no-store");
    assert!(
        valid.text().contains(r#"data-verdict="valid""#),
        "{}",
        valid.text()
    );
    let jwt = post(format!(
        "credential={}",
        url_encoded(award["jwt"].as_str().unwrap())
    ))
    .await;
    assert!(jwt.text().contains(r#"data-verdict="valid""#));

    let hostile = post(format!(
        "credential={}",
        url_encoded("<script>alert(1)</script>")
    ))
    .await;
    let text = hostile.text();
    assert!(!text.contains("<script>alert(1)</script>"), "{text}");
    assert!(text.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(!text.contains(r#"data-verdict="valid""#));
    let empty = post("credential=".into()).await;
    assert!(empty.text().contains("Paste a credential"));
}

// ---------------------------------------------------------------------------------------------
// The verify page in plain words.

/// A form field's value as `application/x-www-form-urlencoded` writes it.
fn url_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Posts the verify form with these fields, as a browser without script would.
async fn verify_form(app: &TestApp, fields: &[(&str, &str)]) -> String {
    let body = fields
        .iter()
        .map(|(name, value)| format!("{name}={}", url_encoded(value)))
        .collect::<Vec<_>>()
        .join("&");
    let response = app
        .send(
            Method::POST,
            "/verify",
            None,
            Some("application/x-www-form-urlencoded"),
            Some(body.into_bytes()),
            &[],
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let html = response.text();
    assert_no_command_line(&html);
    html
}

#[track_caller]
fn assert_no_command_line(html: &str) {
    for flag in ["--recipient", "--online", "--keys", "laurel-verify"] {
        assert!(!html.contains(flag), "{flag} shown: {html}");
    }
}

/// The technical steps are there, collapsed, and after the verdict.
#[track_caller]
fn assert_details_collapsed(html: &str) {
    let details = html
        .find("<details class=\"technical\"><summary>Technical details</summary>")
        .expect("collapsed details");
    assert!(html.find("id=\"verdict\"").unwrap() < details);
    assert!(html[details..].contains("Issuer&#39;s signature"));
}

/// A hosted credential with its achievement renamed, re-signed with a fresh key that claims
/// to be the issuer's.
fn forged(credential: &Value) -> (Value, laurel_core::keys::SigningKey) {
    use laurel_core::keys::{KeyType, SigningKey};
    use laurel_core::proof::{Cryptosuite, ProofOptions};
    let mut copy = credential.clone();
    copy.as_object_mut().unwrap().remove("proof");
    copy["credentialSubject"]["achievement"]["name"] = json!("Catalogage forgé");
    let key = SigningKey::generate(KeyType::Ed25519).unwrap();
    let multikey = key.public_key().to_multikey().unwrap();
    let issuer = copy["issuer"]["id"].as_str().unwrap().to_string();
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: format!("{issuer}#{multikey}"),
        created: util::now(),
    };
    (
        laurel_core::proof::sign(&copy, &key, &options).unwrap(),
        key,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_genuine_hosted_credential_is_said_genuine_with_its_issuer_and_dates() {
    let app = TestApp::new().await;
    let (issuer, _, award) = awarded(&app, json!({})).await;
    let html = verify_form(&app, &[("credential", &award["credential"].to_string())]).await;
    assert_page_shape(&html);
    assert_eq!(verdict(&html), "valid", "{html}");
    let name = issuer["name"].as_str().unwrap();
    assert!(
        html.contains(&esc_like(&format!(
            "This badge is genuine: {name} issued it, it has not been changed, and it is in good standing."
        ))),
        "{html}"
    );
    assert!(
        html.contains(&format!("Issued by <strong>{}</strong>", esc_like(name))),
        "{html}"
    );
    assert!(html.contains("hosted by this site"), "{html}");
    assert!(html.contains("Catalogage avancé"));
    // The recipient's name is signed into the credential, and said to be the issuer's word.
    assert!(
        html.contains(&format!("Issued to <strong>{NAME}</strong>")),
        "{html}"
    );
    assert!(html.contains("the name as the issuer wrote it"), "{html}");
    assert!(html.contains("1 March 2026"), "the issue date: {html}");
    assert!(html.contains("3 hours"), "credits: {html}");
    assert!(
        !html.contains("Awarded to this email address"),
        "no email asked"
    );
    assert_details_collapsed(&html);
    // The badge comes after the verdict and before the details.
    let badge = html.find("id=\"badge-heading\"").expect("badge section");
    assert!(html.find("id=\"verdict\"").unwrap() < badge);
    assert!(badge < html.find("<details").unwrap());
    // The credential page says the same sentence.
    let own = page(&app, &award).await;
    assert!(
        own.contains(&esc_like(&format!(
            "This badge is valid: issued by {name} to {NAME} on 1 March 2026."
        ))),
        "{own}"
    );
    assert!(own.contains("<summary>Technical details</summary>"));
    assert_no_command_line(&own);
}

/// What the tests expect `esc` to have made of text with an apostrophe.
fn esc_like(text: &str) -> String {
    text.replace('&', "&#38;").replace('\'', "&#39;")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forgery_of_a_hosted_issuer_is_red_and_never_issued_by() {
    let app = TestApp::new().await;
    let (issuer, _, award) = awarded(&app, json!({})).await;
    let (forgery, key) = forged(&award["credential"]);
    let html = verify_form(&app, &[("credential", &forgery.to_string())]).await;
    assert_shown_as_forgery(&html);
    assert!(
        html.contains("This is not a genuine badge: it is forged."),
        "{html}"
    );
    assert!(html.contains("did not sign"), "{html}");
    assert!(html.contains(&esc_like(issuer["name"].as_str().unwrap())));
    assert_details_collapsed(&html);

    // The same forgery as a VC-JWT carrying its own key in the header.
    let mut claims = forgery.clone();
    claims.as_object_mut().unwrap().remove("proof");
    let jwt = laurel_core::jwt::sign(&claims, &key, None).unwrap();
    let html = verify_form(&app, &[("credential", &jwt)]).await;
    assert_shown_as_forgery(&html);
}

/// A forgery's verify page: red, said to be forged, never "Issued by", its claims shown as
/// claims.
fn assert_shown_as_forgery(html: &str) {
    assert_eq!(verdict(html), "invalid", "{html}");
    assert!(html.contains("not a genuine badge"), "{html}");
    assert!(html.contains("forged"), "{html}");
    assert!(!html.contains("Issued by"), "{html}");
    assert!(
        html.contains("Catalogage forgé"),
        "shown as a claim: {html}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_genuine_credential_is_the_issuers_but_not_valid() {
    let app = TestApp::new().await;
    let (_, _, award) = awarded(&app, json!({})).await;
    let revoked = app
        .post(
            &format!("/api/v1/credentials/{}/revoke", id(&award)),
            json!({ "reason": "Attendance was recorded in error." }),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    let html = verify_form(&app, &[("credential", &award["credential"].to_string())]).await;
    assert_eq!(verdict(&html), "invalid", "{html}");
    assert!(
        html.contains("This badge is not valid: its issuer has revoked it (Attendance was recorded in error.)."),
        "{html}"
    );
    assert!(html.contains("signature on it checks out"), "{html}");
    assert!(!html.contains("not confirmed"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_genuine_credential_reads_as_changed_not_forged() {
    let app = TestApp::new().await;
    let (_, _, award) = awarded(&app, json!({})).await;
    let mut changed = award["credential"].clone();
    changed["credentialSubject"]["achievement"]["name"] = json!("Catalogage retouché");
    let html = verify_form(&app, &[("credential", &changed.to_string())]).await;
    assert_eq!(verdict(&html), "invalid", "{html}");
    assert!(html.contains("changed after it was signed"), "{html}");
    assert!(!html.contains("forged"), "{html}");
    assert!(
        html.contains("What this credential claims (not confirmed)"),
        "{html}"
    );
    assert!(!html.contains("Issued by"), "{html}");
    // The result comes before the form, and the keyboard can be taken to it.
    let result_at = html.find("id=\"verify-result\"").expect("result");
    let form_at = html.find("id=\"verify-form\"").expect("form");
    assert!(result_at < form_at, "{html}");
    assert!(html.contains("tabindex=\"-1\""), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credential_pages_address_is_verified_and_other_addresses_are_refused() {
    let app = TestApp::new().await;
    let (_, _, award) = awarded(&app, json!({})).await;
    let url = award["credential_url"].as_str().unwrap();
    assert!(url.starts_with(ORIGIN));
    let html = verify_form(&app, &[("credential", url)]).await;
    assert_eq!(verdict(&html), "valid", "{html}");
    assert!(html.contains("Catalogage avancé"));
    let html = verify_form(&app, &[("credential", &format!("{url}.json"))]).await;
    assert_eq!(verdict(&html), "valid", "{html}");

    for foreign in [
        "https://elsewhere.example.org/credentials/1",
        &format!("{ORIGIN}/credentials/{}", uuid::Uuid::new_v4()),
        &format!("{ORIGIN}/achievements/x"),
    ] {
        let html = verify_form(&app, &[("credential", foreign)]).await;
        assert!(
            html.contains(
                "Paste the credential itself, or the address of a badge hosted on this site"
            ),
            "{foreign}: {html}"
        );
        assert_ne!(verdict(&html), "valid");
        assert!(!html.contains("<details"), "nothing was checked");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recipient_email_box_says_yes_or_no() {
    let app = TestApp::new().await;
    let (_, _, award) = awarded(&app, json!({})).await;
    let credential = award["credential"].to_string();
    let right = verify_form(&app, &[("credential", &credential), ("recipient", EMAIL)]).await;
    assert!(
        right.contains("Awarded to this email address: <strong>yes</strong>"),
        "{right}"
    );
    assert_eq!(verdict(&right), "valid");
    let wrong = verify_form(
        &app,
        &[
            ("credential", &credential),
            ("recipient", "someone@example.org"),
        ],
    )
    .await;
    assert!(
        wrong.contains("Awarded to this email address: <strong>no</strong>"),
        "{wrong}"
    );
    assert!(
        wrong.contains("not awarded to the email address you entered"),
        "{wrong}"
    );
    let empty = verify_form(&app, &[("credential", &credential), ("recipient", "")]).await;
    assert!(!empty.contains("Awarded to this email address"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chosen_file_is_posted_as_base64_and_rendered_the_same() {
    use base64::Engine;
    let app = TestApp::new().await;
    let (_, _, award) = awarded(&app, json!({})).await;
    let url = award["credential_url"].as_str().unwrap();
    let png = app
        .send(
            Method::GET,
            &path(&format!("{url}.png")),
            None,
            None,
            None,
            &[],
        )
        .await;
    assert_eq!(png.status, StatusCode::OK);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&png.body);
    let html = verify_form(&app, &[("credential", ""), ("file_base64", &encoded)]).await;
    assert_eq!(verdict(&html), "valid", "{html}");
    assert!(html.contains("This badge is genuine"));
    assert!(html.contains("Catalogage avancé"));
    let junk = verify_form(&app, &[("file_base64", "not base64!")]).await;
    assert!(junk.contains("could not be read"), "{junk}");
    // Something unreadable is said plainly.
    let unreadable = verify_form(&app, &[("credential", "{\"not\": \"a credential\"}")]).await;
    assert_ne!(verdict(&unreadable), "valid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_verify_api_never_calls_a_forgery_altered_content_or_a_poisoned_input_valid() {
    let app = TestApp::new().await;
    let (_, _, award) = awarded(&app, json!({})).await;
    let check = |body: Vec<u8>| {
        let app = &app;
        async move {
            let response = app
                .send(
                    Method::POST,
                    "/api/v1/verify",
                    None,
                    Some("application/json"),
                    Some(body),
                    &[],
                )
                .await;
            assert_eq!(response.status, StatusCode::OK, "{}", response.text());
            response.json()
        }
    };
    let genuine = award["credential"].clone();
    assert_eq!(
        check(genuine.to_string().into_bytes()).await["verdict"],
        "valid"
    );

    // Signed with a key the hosted issuer does not use.
    let (forgery, _) = forged(&genuine);
    let report = check(forgery.to_string().into_bytes()).await;
    assert_eq!(report["verdict"], "invalid", "{report}");
    assert!(
        report["reason"].as_str().unwrap().starts_with("forged"),
        "{report}"
    );

    // Content the signature does not cover: an evidence id JSON-LD would drop.
    let mut added = genuine.clone();
    added["evidence"] = json!([{ "id": "https://x.example/transcript\"", "type": ["Evidence"], "name": "Summa cum laude" }]);
    let report = check(added.to_string().into_bytes()).await;
    assert_eq!(report["verdict"], "invalid", "{report}");

    // A clique of indistinguishable blank nodes: stopped by the work budget.
    let mut poisoned = genuine.clone();
    let nodes: Vec<Value> = (0..8)
        .map(|i| {
            let links: Vec<Value> = (0..8)
                .filter(|j| *j != i)
                .map(|j| json!({ "id": format!("_:n{j}") }))
                .collect();
            json!({ "id": format!("_:n{i}"), "https://x.example/link": links })
        })
        .collect();
    poisoned["https://x.example/links"] = Value::Array(nodes);
    let report = check(poisoned.to_string().into_bytes()).await;
    assert_ne!(report["verdict"], "valid", "{report}");
}

#[tokio::test]
async fn markdown_in_descriptions_and_criteria_is_shown_as_text_formatting() {
    let app = TestApp::new().await;
    let issuer = app
        .issuer(json!({ "description": "A *national* association" }))
        .await;
    let achievement = app
        .achievement(
            &issuer,
            json!({
                "description": "Learn **RDA** cataloguing",
                "criteria_narrative": "1. Attend the workshop\n2. Pass the [quiz](https://quiz.example.org)",
            }),
        )
        .await;
    let html = browse(&app, &format!("/achievements/{}", id(&achievement)))
        .await
        .text();
    assert!(
        html.contains("Learn <strong>RDA</strong> cataloguing"),
        "{html}"
    );
    assert!(html.contains("<li>Attend the workshop</li>"), "{html}");
    assert!(
        html.contains(
            r#"<a href="https://quiz.example.org" rel="noopener noreferrer nofollow">quiz</a>"#
        ),
        "{html}"
    );
    assert!(!html.contains("**"), "{html}");
    // Link previews and lists get the plain text.
    assert!(
        html.contains(r#"content="Learn RDA cataloguing""#),
        "{html}"
    );
    let issuer_page = browse(&app, &format!("/issuers/{}", id(&issuer)))
        .await
        .text();
    assert!(
        issuer_page.contains("A <em>national</em> association"),
        "{issuer_page}"
    );
    assert!(
        issuer_page.contains(": Learn RDA cataloguing</li>"),
        "{issuer_page}"
    );
}
