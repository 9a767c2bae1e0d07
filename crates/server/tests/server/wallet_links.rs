//! Sending a fresh wallet link: staff through the API, the recipient from the credential page
//! (checked against the hashed email, the same answer either way, same-origin only, limited).

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::util::{self, TestApp, id};

/// An issuer with dry-run email settings, and an award made without its email.
async fn setup(app: &TestApp) -> String {
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let settings = json!({
        "host": "127.0.0.1", "port": 2525, "security": "none", "dry_run": true,
        "from_address": "badges@bibliotheques.example.org",
    });
    let response = app
        .call(
            Method::PUT,
            &format!("/api/v1/issuers/{}/email", id(&issuer)),
            Some(&app.admin),
            Some(&settings),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let award = app
        .award(
            &achievement,
            json!({"email": "Ada@Example.org", "name": "Ada", "notify": false}),
        )
        .await;
    assert_eq!(award.status, StatusCode::CREATED, "{}", award.text());
    id(&award.json())
}

async fn notification(app: &TestApp, award: &str) -> StatusCode {
    app.get(&format!("/api/v1/credentials/{award}/notification"))
        .await
        .status
}

async fn ask(app: &TestApp, award: &str, email: &str, origin: &str) -> util::TestResponse {
    let body = format!("email={}", email.replace('@', "%40"));
    app.send(
        Method::POST,
        &format!("/credentials/{award}/wallet-link"),
        None,
        Some("application/x-www-form-urlencoded"),
        Some(body.into_bytes()),
        &[("origin", origin)],
    )
    .await
}

#[tokio::test]
async fn staff_send_a_fresh_link_through_the_api() {
    let app = TestApp::new().await;
    let award = setup(&app).await;
    let path = format!("/api/v1/awards/{award}/claim-link");
    let sent = app.post(&path, json!({})).await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.text());
    let body: Value = sent.json();
    assert_eq!(body["award_id"], award.as_str());
    assert_eq!(body["queued"], true);
    assert!(body.get("token").is_none() && !sent.text().contains("/claim/"));
    let again = app.post(&path, json!({})).await.json();
    assert_eq!(again["queued"], false);

    let reader = app.token(&["read"]).await;
    let refused = app.call(Method::POST, &path, Some(&reader), None).await;
    refused.problem(StatusCode::FORBIDDEN);
    let missing = app
        .post(
            &format!("/api/v1/awards/{}/claim-link", uuid::Uuid::now_v7()),
            json!({}),
        )
        .await;
    missing.problem(StatusCode::NOT_FOUND);
    app.post(
        &format!("/api/v1/credentials/{award}/revoke"),
        json!({"reason": "issued in error"}),
    )
    .await;
    let revoked = app.post(&path, json!({})).await;
    assert!(revoked.problem(StatusCode::CONFLICT).contains("revoked"));
}

#[tokio::test]
async fn a_recipient_asks_without_learning_anything() {
    let app = TestApp::new().await;
    let award = setup(&app).await;
    let origin = util::ORIGIN;

    let cross_site = ask(&app, &award, "ada@example.org", "https://evil.example").await;
    cross_site.problem(StatusCode::FORBIDDEN);

    let wrong = ask(&app, &award, "eve@example.org", origin).await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert_eq!(
        notification(&app, &award).await,
        StatusCode::NOT_FOUND,
        "nothing queued"
    );

    let right = ask(&app, &award, " ADA@example.org ", origin).await;
    assert_eq!(right.status, StatusCode::OK);
    assert_eq!(right.text(), wrong.text(), "the same answer either way");
    assert_eq!(
        notification(&app, &award).await,
        StatusCode::OK,
        "the email is queued"
    );

    // Per credential, a few an hour.
    let mut last = right;
    for _ in 0..5 {
        last = ask(&app, &award, "eve@example.org", origin).await;
    }
    assert_eq!(last.status, StatusCode::TOO_MANY_REQUESTS);

    // The credential page offers the form, and allows posting it.
    let page = app
        .send(
            Method::GET,
            &format!("/credentials/{award}"),
            None,
            None,
            None,
            &[("accept", "text/html")],
        )
        .await;
    assert!(page.text().contains("Email me my wallet link"));
    assert!(
        page.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("form-action 'self'")
    );
}
