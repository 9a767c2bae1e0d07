//! The printable certificate (`/credentials/{id}.pdf`) read back with a PDF parser, the
//! issuer's certificate settings through the API, and the credential page's button and print
//! view.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::util::{ORIGIN, TestApp, TestResponse, id};

const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><circle cx="50" cy="50" r="40" fill="#336699"/></svg>"##;

async fn public_get(app: &TestApp, path: &str) -> TestResponse {
    app.send(Method::GET, path, None, None, None, &[]).await
}

fn local(url: &str) -> &str {
    url.strip_prefix(ORIGIN).unwrap_or(url)
}

/// The PDF's text (one page) and page width and height.
fn read(pdf: &[u8]) -> (String, f32, f32) {
    assert!(pdf.starts_with(b"%PDF-"));
    let document = lopdf::Document::load_mem(pdf).unwrap();
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    assert_eq!(pages, [1]);
    let text: String = document
        .extract_text(&pages)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let page = *document.get_pages().values().next().unwrap();
    let media = document
        .get_dictionary(page)
        .unwrap()
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_float().unwrap())
        .collect::<Vec<_>>();
    (text, media[2], media[3])
}

async fn certificate(app: &TestApp, award: &Value) -> (String, f32, f32) {
    let url = award["credential_url"].as_str().unwrap();
    let response = public_get(app, &format!("{}.pdf", local(url))).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.content_type(), "application/pdf");
    read(&response.body)
}

#[tokio::test]
async fn the_certificate_prints_name_number_and_url_on_the_issuers_paper() {
    let app = TestApp::new().await;
    let issuer = app
        .issuer(json!({
            "paper_size": "a4",
            "signatory_name": "Jörg Müller",
            "signatory_title": "Directeur",
        }))
        .await;
    assert_eq!(issuer["paper_size"], "a4");
    assert_eq!(issuer["signatory_name"], "Jörg Müller");
    let achievement = app.achievement(&issuer, json!({})).await;
    let response = app
        .send(
            Method::PUT,
            &format!("/api/v1/achievements/{}/image", id(&achievement)),
            Some(&app.admin),
            Some("image/svg+xml"),
            Some(SVG.as_bytes().to_vec()),
            &[],
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let award = app
        .award(
            &achievement,
            json!({ "email": "zoe@example.org", "name": "Zoë Núñez" }),
        )
        .await
        .json();
    let (text, width, height) = certificate(&app, &award).await;
    let number = laurel_service::certificate::number(id(&award).parse().unwrap());
    let url = award["credential_url"].as_str().unwrap();
    for expected in [
        "ZoëNúñez",
        number.as_str(),
        url,
        "JörgMüller",
        "Catalogageavancé",
    ] {
        assert!(text.contains(expected), "{expected} not in {text}");
    }
    assert!(!text.contains("zoe@example.org"));
    assert!((width - 595.28).abs() < 0.01 && (height - 841.89).abs() < 0.01);

    // Letter once the issuer says so; a Japanese name prints too.
    let response = app
        .patch(
            &format!("/api/v1/issuers/{}", id(&issuer)),
            json!({ "paper_size": "letter", "signatory_name": null }),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.json()["signatory_name"], Value::Null);
    let award = app
        .award(
            &achievement,
            json!({ "email": "mei@example.org", "name": "田中芽衣" }),
        )
        .await
        .json();
    let (text, width, height) = certificate(&app, &award).await;
    assert!(text.contains("田中芽衣"), "{text}");
    assert_eq!((width, height), (612.0, 792.0));

    // Revoked: still printed, stamped.
    let response = app
        .post(
            &format!("/api/v1/credentials/{}/revoke", id(&award)),
            json!({ "reason": "Issued in error" }),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let (text, _, _) = certificate(&app, &award).await;
    assert!(text.contains("REVOKED"), "{text}");
}

#[tokio::test]
async fn unknown_or_bad_settings_and_ids_are_refused_in_words() {
    let app = TestApp::new().await;
    let detail = app
        .post(
            "/api/v1/issuers",
            json!({ "name": "B5", "paper_size": "b5" }),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert!(
        detail.contains("paper_size must be letter or a4"),
        "{detail}"
    );
    let issuer = app.issuer(json!({})).await;
    assert_eq!(issuer["paper_size"], "letter");
    let response = public_get(
        &app,
        "/credentials/0190f4a2-7b1c-7d3e-8f45-1a2b3c4d5e6f.pdf",
    )
    .await;
    let detail = response.problem(StatusCode::NOT_FOUND);
    assert!(detail.contains("credential"), "{detail}");
}

#[tokio::test]
async fn the_credential_page_links_the_certificate_and_prints_a_qr_code() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let award = app
        .award(
            &achievement,
            json!({ "email": "a@example.org", "name": "Åberg" }),
        )
        .await
        .json();
    let url = award["credential_url"].as_str().unwrap();
    let page = app
        .send(
            Method::GET,
            local(url),
            None,
            None,
            None,
            &[("accept", "text/html")],
        )
        .await
        .text();
    assert!(
        page.contains(&format!("href=\"{url}.pdf\" id=\"certificate\"")),
        "{page}"
    );
    assert!(page.contains("id=\"print-verify\""));
    assert!(page.contains("<svg class=\"qr\""));
}

#[tokio::test]
async fn the_certificate_dates_the_award_in_the_issuers_time_zone() {
    let app = TestApp::new().await;
    // 09:00 UTC on 1 March is 23:00 on 28 February in Honolulu.
    let issuer = app.issuer(json!({ "time_zone": "Pacific/Honolulu" })).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let award = app
        .award(
            &achievement,
            json!({ "email": "kai@example.org", "name": "Kai" }),
        )
        .await
        .json();
    let (text, _, _) = certificate(&app, &award).await;
    assert!(text.contains("Awarded28February2026"), "{text}");

    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let award = app
        .award(
            &achievement,
            json!({ "email": "kai@example.org", "name": "Kai" }),
        )
        .await
        .json();
    let (text, _, _) = certificate(&app, &award).await;
    assert!(text.contains("Awarded1March2026"), "{text}");
}

/// How many images a PDF embeds.
fn images(pdf: &[u8]) -> usize {
    let document = lopdf::Document::load_mem(pdf).unwrap();
    document
        .objects
        .values()
        .filter(|object| {
            object.as_stream().is_ok_and(|stream| {
                stream
                    .dict
                    .get(b"Subtype")
                    .and_then(|subtype| subtype.as_name())
                    .is_ok_and(|name| name == b"Image")
            })
        })
        .count()
}

#[tokio::test]
async fn a_badge_without_artwork_prints_the_medal() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    assert!(achievement["image"].is_null(), "{achievement}");
    let award = app
        .award(
            &achievement,
            json!({ "email": "kai@example.org", "name": "Kai" }),
        )
        .await
        .json();
    let url = award["credential_url"].as_str().unwrap();
    let response = public_get(&app, &format!("{}.pdf", local(url))).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert!(images(&response.body) >= 1, "no image in the certificate");
}
