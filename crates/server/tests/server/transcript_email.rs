//! "Your transcript by email": the same answer whoever asks, an email with a link that opens
//! that address's transcript only, links that expire, and a plain refusal past the limits.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Utc};
use laurel_service::Clock;
use laurel_service::email::worker::drain;
use laurel_service::transcript::by_email::LINK_DAYS;
use mail_parser::MessageParser;
use serde_json::json;

use crate::util::smtp::SmtpSink;
use crate::util::{self, ORIGIN, TestApp, id};

/// A clock tests can move.
struct MovableClock(Mutex<DateTime<Utc>>);

impl Clock for MovableClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// An issuer sending through the sink, and `badge` awarded (without its own email) to each
/// of `emails`: the awards' ids.
async fn setup(app: &TestApp, sink: &SmtpSink, badge: &str, emails: &[&str]) -> Vec<String> {
    let issuer = app.issuer(json!({ "name": "Library Association" })).await;
    let settings = json!({
        "host": "127.0.0.1", "port": sink.port, "security": "none",
        "from_address": "badges@library.example.org",
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
    let achievement = app.achievement(&issuer, json!({ "name": badge })).await;
    let mut ids = Vec::new();
    for email in emails {
        let made = app
            .award(&achievement, json!({ "email": email, "notify": false }))
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
        ids.push(id(&made.json()));
    }
    ids
}

async fn ask(app: &TestApp, email: &str) -> util::TestResponse {
    let body = format!("email={}", email.replace('@', "%40").replace(' ', "+"));
    let answer = app
        .send(
            Method::POST,
            "/transcript",
            None,
            Some("application/x-www-form-urlencoded"),
            Some(body.into_bytes()),
            &[("origin", ORIGIN), ("accept", "text/html")],
        )
        .await;
    // The look-up runs in the background: let it finish before looking at the outbox.
    app.state.service.jobs.idle().await;
    answer
}

async fn browse(app: &TestApp, path: &str) -> util::TestResponse {
    app.send(
        Method::GET,
        path,
        None,
        None,
        None,
        &[("accept", "text/html")],
    )
    .await
}

/// The transcript links (paths) in the emails the sink received to `email`.
fn links_to(sink: &SmtpSink, email: &str) -> Vec<String> {
    sink.received()
        .into_iter()
        .filter(|r| r.to == [email.to_string()])
        .map(|r| {
            let message = MessageParser::default().parse(&r.data).unwrap();
            assert_eq!(
                message.subject(),
                Some("Your continuing-education transcript")
            );
            let text = message.body_text(0).unwrap().to_string();
            assert!(
                text.contains(&format!("works for {LINK_DAYS} days")),
                "{text}"
            );
            let prefix = format!("{ORIGIN}/transcript/");
            let start = text.find(&prefix).expect("a transcript link") + ORIGIN.len();
            text[start..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn the_answer_is_the_same_for_known_and_unknown_addresses() {
    let sink = SmtpSink::start().await;
    let app = TestApp::new().await;
    setup(&app, &sink, "Cataloguing", &["ada@example.org"]).await;

    let form = browse(&app, "/transcript").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains("Email me a link to my transcript"));

    let unknown = ask(&app, "nobody@example.org").await;
    let known = ask(&app, " ADA@example.org ").await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(unknown.status, known.status);
    assert_eq!(unknown.text(), known.text(), "the same answer either way");
    assert!(known.text().contains("If badges were sent to that address"));

    // Only the address with credentials is sent anything.
    drain(&app.state.service).await.unwrap();
    assert_eq!(sink.count(), 1);
    assert_eq!(links_to(&sink, "ada@example.org").len(), 1);

    // Not an address at all: said beside the field (this tells nothing about anyone).
    let bad = ask(&app, "not an address").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.text().contains("Type an email address"),
        "{}",
        bad.text()
    );
    // Only from this site's own page.
    let cross_site = app
        .send(
            Method::POST,
            "/transcript",
            None,
            Some("application/x-www-form-urlencoded"),
            Some(b"email=ada%40example.org".to_vec()),
            &[("origin", "https://evil.example")],
        )
        .await;
    cross_site.problem(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_emailed_link_opens_that_addresss_transcript_only() {
    let sink = SmtpSink::start().await;
    let app = TestApp::new().await;
    setup(&app, &sink, "Cataloguing", &["ada@example.org"]).await;
    setup(&app, &sink, "Storytime", &["bob@example.org"]).await;
    ask(&app, "ada@example.org").await;
    ask(&app, "bob@example.org").await;
    drain(&app.state.service).await.unwrap();
    let ada = links_to(&sink, "ada@example.org").pop().unwrap();
    let bob = links_to(&sink, "bob@example.org").pop().unwrap();
    assert!(
        !ada.contains("ada"),
        "the address is not in the link: {ada}"
    );

    let page = browse(&app, &ada).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert_eq!(page.headers["cache-control"], "no-store");
    assert_eq!(page.headers["referrer-policy"], "no-referrer");
    let html = page.text();
    assert!(html.contains("Cataloguing"), "{html}");
    assert!(!html.contains("Storytime"), "{html}");
    assert!(
        html.contains("This link from your email works until 8 March 2026"),
        "{html}"
    );
    assert!(
        html.contains(&format!("href=\"{ada}?")),
        "downloads: {html}"
    );
    let csv = app.get(&format!("{ada}?format=csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.text().contains("Cataloguing") && !csv.text().contains("Storytime"));

    // Bob's link shows Bob's; Ada's signature on Bob's link id (or a changed one) shows nothing.
    assert!(browse(&app, &bob).await.text().contains("Storytime"));
    let token = |path: &str| path.trim_start_matches("/transcript/").to_string();
    let (ada_token, bob_token) = (token(&ada), token(&bob));
    let (bob_id, _) = bob_token.split_once('.').unwrap();
    let (_, ada_rest) = ada_token.split_once('.').unwrap();
    for forged in [
        format!("{bob_id}.{ada_rest}"),
        format!("{ada_token}x"),
        "x.y.z".into(),
    ] {
        let refused = browse(&app, &format!("/transcript/{forged}")).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{forged}");
        let text = refused.text();
        assert!(text.contains("is not known"), "{text}");
        assert!(!text.contains("Cataloguing") && !text.contains("Storytime"));
    }
}

#[tokio::test]
async fn an_expired_link_is_refused_in_plain_words() {
    let clock = Arc::new(MovableClock(Mutex::new(util::now())));
    let sink = SmtpSink::start().await;
    let app = TestApp::builder().clock(clock.clone()).build().await;
    setup(&app, &sink, "Cataloguing", &["ada@example.org"]).await;
    ask(&app, "ada@example.org").await;
    drain(&app.state.service).await.unwrap();
    let link = links_to(&sink, "ada@example.org").pop().unwrap();

    *clock.0.lock().unwrap() = util::now() + chrono::Duration::days(LINK_DAYS - 1);
    assert_eq!(browse(&app, &link).await.status, StatusCode::OK);
    *clock.0.lock().unwrap() = util::now() + chrono::Duration::days(LINK_DAYS);
    let refused = browse(&app, &link).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let text = refused.text();
    assert!(text.contains("This transcript link has expired"), "{text}");
    assert!(text.contains("href=\"/transcript\""), "{text}");
    assert!(!text.contains("Cataloguing"));
    // The same once the sweep has deleted it.
    *clock.0.lock().unwrap() = util::now() + chrono::Duration::days(LINK_DAYS + 2);
    let swept = laurel_service::housekeeping::sweep(&app.state.service)
        .await
        .unwrap();
    assert_eq!(swept.transcript_links, 1);
    assert!(browse(&app, &link).await.text().contains("has expired"));
}

#[tokio::test]
async fn too_many_requests_get_a_plain_refusal() {
    let sink = SmtpSink::start().await;
    let app = TestApp::new().await;
    setup(&app, &sink, "Cataloguing", &["ada@example.org"]).await;
    for _ in 0..laurel_server::pages::wallet_link::PER_CREDENTIAL {
        assert_eq!(ask(&app, "ada@example.org").await.status, StatusCode::OK);
    }
    let refused = ask(&app, "ada@example.org").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        refused.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        refused
            .text()
            .contains("Too many links were asked for lately")
    );
    // Another address is not held up by Ada's.
    assert_eq!(ask(&app, "bob@example.org").await.status, StatusCode::OK);
    drain(&app.state.service).await.unwrap();
    assert_eq!(
        links_to(&sink, "ada@example.org").len(),
        laurel_server::pages::wallet_link::PER_CREDENTIAL
    );
}

#[tokio::test]
async fn the_claim_transcript_and_credential_pages_point_to_it() {
    let sink = SmtpSink::start().await;
    let app = TestApp::new().await;
    let award = setup(&app, &sink, "Cataloguing", &["ada@example.org"])
        .await
        .remove(0);
    let credential = browse(&app, &format!("/credentials/{award}")).await.text();
    assert!(credential.contains("href=\"/transcript\""), "{credential}");
    let link = laurel_service::wallet::claims::issue_claim(&app.state, award.parse().unwrap())
        .await
        .unwrap();
    let transcript = browse(&app, &format!("/claim/{}/transcript", link.token)).await;
    assert_eq!(transcript.status, StatusCode::OK);
    assert!(transcript.text().contains("href=\"/transcript\""));
}
