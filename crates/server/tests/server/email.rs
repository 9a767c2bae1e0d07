//! Telling recipients by email, checked at a real SMTP server on loopback: what arrives
//! (headers, encoded names, links), retries when the server is down, timeouts when it is
//! slow, permanent failure when it refuses the recipient, dry mode, resends, templates,
//! rate limits, and two instances sharing one outbox.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::util;
use crate::util::smtp;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use laurel_service::email::EmailOptions;
use laurel_service::email::worker::drain;
use laurel_service::{FixedClock, Vault};
use mail_parser::{MessageParser, MimeHeaders as _};
use serde_json::{Value, json};
use smtp::{Behaviour, SmtpSink, closed_port};
use util::{ORIGIN, TestApp, id, now};

/// Options for tests: quick timeouts, retries at once (the clock stands still).
fn quick() -> EmailOptions {
    EmailOptions {
        max_attempts: 3,
        backoff: Duration::ZERO,
        timeout: Duration::from_secs(5),
        ..EmailOptions::default()
    }
}

async fn put(app: &TestApp, path: &str, body: Value) -> util::TestResponse {
    app.call(Method::PUT, path, Some(&app.admin), Some(&body))
        .await
}

/// An issuer sending through `port` (plain SMTP on loopback), and an achievement.
async fn setup(app: &TestApp, port: u16, extra: Value) -> (Value, Value) {
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let mut body = json!({
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "from_address": "badges@bibliotheques.example.org",
        "from_name": "Association des Bibliothécaires",
        "reply_to": "aide@bibliotheques.example.org",
    });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let response = put(app, &format!("/api/v1/issuers/{}/email", id(&issuer)), body).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    (issuer, achievement)
}

async fn award(app: &TestApp, achievement: &Value, email: &str, name: &str) -> String {
    let response = app
        .award(achievement, json!({ "email": email, "name": name }))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    id(&response.json())
}

async fn notification(app: &TestApp, credential: &str) -> Value {
    let response = app
        .get(&format!("/api/v1/credentials/{credential}/notification"))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()
}

#[tokio::test]
async fn an_award_arrives_with_encoded_names_and_working_links() {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder().email(quick()).build().await;
    let (_, achievement) = setup(&app, sink.port, json!({})).await;
    let credential = award(&app, &achievement, "zoe@example.org", "Zoë Åberg-Núñez").await;
    assert_eq!(notification(&app, &credential).await["state"], "queued");

    let tally = drain(&app.state.service).await.unwrap();
    assert_eq!((tally.claimed, tally.sent), (1, 1));
    let received = sink.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].from, "badges@bibliotheques.example.org");
    assert_eq!(received[0].to, ["zoe@example.org"]);
    // Non-ASCII names travel as RFC 2047 encoded words, never raw 8-bit headers.
    let raw = String::from_utf8_lossy(&received[0].data).to_string();
    let headers = raw.split("\r\n\r\n").next().unwrap();
    assert!(headers.is_ascii(), "{headers}");

    // An independent parser reads it back.
    let message = MessageParser::default()
        .parse(&received[0].data)
        .expect("a parsable message");
    let to = message.to().unwrap().first().unwrap();
    assert_eq!(to.name(), Some("Zoë Åberg-Núñez"));
    assert_eq!(to.address(), Some("zoe@example.org"));
    let from = message.from().unwrap().first().unwrap();
    assert_eq!(from.name(), Some("Association des Bibliothécaires"));
    assert_eq!(
        message.reply_to().unwrap().first().unwrap().address(),
        Some("aide@bibliotheques.example.org")
    );
    assert_eq!(
        message.subject(),
        Some(
            "You have earned the badge \"Catalogage avancé\" from Association des Bibliothécaires"
        )
    );
    assert!(message.date().is_some());
    let url = format!("{ORIGIN}/credentials/{credential}");
    let text = message.body_text(0).unwrap();
    assert!(text.contains("Hello Zoë Åberg-Núñez,"), "{text}");
    assert!(text.contains(&url), "{text}");
    // LinkedIn through this site, which asks again when the link is followed (a badge
    // revoked or suspended by then is refused).
    assert!(text.contains(&format!("{url}/linkedin")), "{text}");
    let html = message.body_html(0).unwrap();
    assert!(html.contains(&format!("href=\"{url}\"")), "{html}");
    assert!(html.contains(&format!("href=\"{url}/linkedin\"")), "{html}");
    assert_eq!(message.attachment_count(), 0, "nothing attached");
    for part in message.parts.iter() {
        assert!(part.attachment_name().is_none());
    }

    let state = notification(&app, &credential).await;
    assert_eq!(state["state"], "sent");
    assert_eq!(state["attempts"], 1);
    assert_eq!(state["dry_run"], false);
    assert_eq!(state["recipient_email"], "zoe@example.org");
    assert!(
        state["smtp_reply"].as_str().unwrap().starts_with("250 "),
        "{state}"
    );
    assert_eq!(
        format!("<{}>", message.message_id().unwrap()),
        state["message_id"].as_str().unwrap()
    );
    // Sent once: a second drain finds nothing.
    assert_eq!(drain(&app.state.service).await.unwrap().claimed, 0);
    assert_eq!(sink.count(), 1);
}

#[tokio::test]
async fn a_server_that_is_down_is_retried_then_given_up() {
    let port = closed_port().await;
    let app = TestApp::builder().email(quick()).build().await;
    let (_, achievement) = setup(&app, port, json!({})).await;
    let credential = award(&app, &achievement, "ada@example.org", "Ada").await;
    let tally = drain(&app.state.service).await.unwrap();
    assert_eq!((tally.claimed, tally.retried, tally.failed), (3, 2, 1));
    let state = notification(&app, &credential).await;
    assert_eq!(state["state"], "failed");
    assert_eq!(state["attempts"], 3);
    let error = state["last_error"].as_str().unwrap();
    assert!(error.starts_with("gave up after 3 attempts: "), "{error}");
    assert!(error.contains("could not be reached"), "{error}");
    assert!(state["failed_at"].is_string());
}

#[tokio::test]
async fn retries_wait_their_backoff() {
    let port = closed_port().await;
    let app = TestApp::builder()
        .email(EmailOptions {
            backoff: Duration::from_secs(60),
            ..quick()
        })
        .build()
        .await;
    let (_, achievement) = setup(&app, port, json!({})).await;
    let credential = award(&app, &achievement, "ada@example.org", "Ada").await;
    let tally = drain(&app.state.service).await.unwrap();
    assert_eq!((tally.claimed, tally.retried), (1, 1));
    let state = notification(&app, &credential).await;
    assert_eq!(state["state"], "queued");
    assert_eq!(state["attempts"], 1);
    let next: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(state["next_attempt_at"].clone()).unwrap();
    assert_eq!(next, now() + chrono::Duration::seconds(60));
}

#[tokio::test]
async fn a_slow_server_times_out() {
    let sink = SmtpSink::with(Behaviour {
        greeting_delay: Duration::from_secs(3),
        ..Behaviour::default()
    })
    .await;
    let app = TestApp::builder()
        .email(EmailOptions {
            timeout: Duration::from_millis(300),
            max_attempts: 1,
            ..quick()
        })
        .build()
        .await;
    let (_, achievement) = setup(&app, sink.port, json!({})).await;
    let credential = award(&app, &achievement, "ada@example.org", "Ada").await;
    let started = std::time::Instant::now();
    drain(&app.state.service).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "did not time out"
    );
    let state = notification(&app, &credential).await;
    assert_eq!(state["state"], "failed");
    let error = state["last_error"].as_str().unwrap();
    assert!(error.contains("did not answer in time"), "{error}");
    assert_eq!(sink.count(), 0);
}

#[tokio::test]
async fn a_rejected_recipient_fails_at_once_with_the_reply() {
    let sink = SmtpSink::with(Behaviour {
        reject: vec!["nobody@example.org".into()],
        defer: vec!["busy@example.org".into()],
        ..Behaviour::default()
    })
    .await;
    let app = TestApp::builder()
        .email(EmailOptions {
            backoff: Duration::from_secs(60),
            ..quick()
        })
        .build()
        .await;
    let (_, achievement) = setup(&app, sink.port, json!({})).await;
    let nobody = award(&app, &achievement, "nobody@example.org", "No One").await;
    let busy = award(&app, &achievement, "busy@example.org", "Busy").await;
    let ada = award(&app, &achievement, "ada@example.org", "Ada").await;
    drain(&app.state.service).await.unwrap();

    let rejected = notification(&app, &nobody).await;
    assert_eq!(rejected["state"], "failed");
    assert_eq!(
        rejected["attempts"], 1,
        "a permanent failure is not retried"
    );
    let reply = rejected["smtp_reply"].as_str().unwrap();
    assert!(reply.starts_with("550"), "{reply}");
    assert!(reply.contains("User unknown"), "{reply}");
    let deferred = notification(&app, &busy).await;
    assert_eq!(deferred["state"], "queued", "a 4xx reply is retried");
    assert!(deferred["smtp_reply"].as_str().unwrap().starts_with("451"));
    assert_eq!(notification(&app, &ada).await["state"], "sent");
    assert_eq!(sink.count(), 1);

    // Staff see the failures, and resend them once the address is fixed on the server side.
    let failed = app
        .get(&format!(
            "/api/v1/notifications?state=failed&achievement_id={}",
            id(&achievement)
        ))
        .await
        .json();
    assert_eq!(failed["total"], 1);
    assert_eq!(failed["notifications"][0]["credential_id"], nobody.as_str());
}

/// STARTTLS is required, not opportunistic: a server that does not offer it gets nothing, and
/// staff are told why, without a pointless retry.
#[tokio::test]
async fn starttls_is_required_not_hoped_for() {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder().email(quick()).build().await;
    let (_, achievement) = setup(&app, sink.port, json!({ "security": "starttls" })).await;
    let credential = award(&app, &achievement, "ada@example.org", "Ada").await;
    drain(&app.state.service).await.unwrap();
    let state = notification(&app, &credential).await;
    assert_eq!(state["state"], "failed");
    assert_eq!(state["attempts"], 1);
    let error = state["last_error"].as_str().unwrap();
    assert!(error.contains("STARTTLS"), "{error}");
    assert_eq!(sink.count(), 0, "nothing may travel in the clear");
    // The award's admin view carries the delivery state too.
    let view = app
        .get(&format!("/api/v1/awards/{credential}"))
        .await
        .json();
    assert_eq!(view["notification"]["state"], "failed");
}

#[tokio::test]
async fn dry_mode_records_everything_and_sends_nothing() {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder().email(quick()).build().await;
    let (issuer, achievement) = setup(&app, sink.port, json!({ "dry_run": true })).await;
    let credential = award(&app, &achievement, "ada@example.org", "Ada").await;
    drain(&app.state.service).await.unwrap();
    let state = notification(&app, &credential).await;
    assert_eq!(state["state"], "sent");
    assert_eq!(state["dry_run"], true);
    assert!(
        state["subject"]
            .as_str()
            .unwrap()
            .contains("Catalogage avancé")
    );
    assert_eq!(sink.count(), 0);

    // Leaving dry mode, the recorded ones can be sent for real.
    let mut settings = app
        .get(&format!("/api/v1/issuers/{}/email", id(&issuer)))
        .await
        .json();
    settings["dry_run"] = json!(false);
    for field in ["issuer_id", "password_set", "updated_at"] {
        settings.as_object_mut().unwrap().remove(field);
    }
    let response = put(
        &app,
        &format!("/api/v1/issuers/{}/email", id(&issuer)),
        settings,
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let resend = app
        .post(
            &format!("/api/v1/achievements/{}/notify", id(&achievement)),
            json!({ "which": ["dry_run"] }),
        )
        .await;
    assert_eq!(resend.status, StatusCode::ACCEPTED, "{}", resend.text());
    assert_eq!(resend.json()["queued"], 1);
    drain(&app.state.service).await.unwrap();
    assert_eq!(sink.count(), 1);
    assert_eq!(notification(&app, &credential).await["dry_run"], false);
}

#[tokio::test]
async fn the_service_wide_dry_mode_sends_nothing() {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder()
        .email(EmailOptions {
            dry_run: true,
            ..quick()
        })
        .build()
        .await;
    let (_, achievement) = setup(&app, sink.port, json!({})).await;
    let credential = award(&app, &achievement, "ada@example.org", "Ada").await;
    drain(&app.state.service).await.unwrap();
    assert_eq!(notification(&app, &credential).await["dry_run"], true);
    assert_eq!(sink.count(), 0);
}

#[tokio::test]
async fn resending_sends_again_with_a_new_message_id() {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder().email(quick()).build().await;
    let (_, achievement) = setup(&app, sink.port, json!({})).await;
    let credential = award(&app, &achievement, "ada@example.org", "Ada").await;
    drain(&app.state.service).await.unwrap();
    let path = format!("/api/v1/credentials/{credential}/notify");
    let response = app.post(&path, json!(null)).await;
    assert_eq!(response.status, StatusCode::ACCEPTED, "{}", response.text());
    assert_eq!(response.json()["state"], "queued");
    assert_eq!(response.json()["queued"], true);
    // Asking again while it is queued changes nothing.
    assert_eq!(app.post(&path, json!(null)).await.json()["queued"], false);
    drain(&app.state.service).await.unwrap();
    let received = sink.received();
    assert_eq!(received.len(), 2);
    let ids: Vec<String> = received
        .iter()
        .map(|r| {
            let message = MessageParser::default().parse(&r.data).unwrap();
            message.message_id().unwrap().to_string()
        })
        .collect();
    assert_ne!(ids[0], ids[1]);

    // A revoked credential is not announced.
    let revoke = app
        .post(
            &format!("/api/v1/credentials/{credential}/revoke"),
            json!({ "reason": "issued in error" }),
        )
        .await;
    assert_eq!(revoke.status, StatusCode::OK, "{}", revoke.text());
    let detail = app
        .post(&path, json!(null))
        .await
        .problem(StatusCode::CONFLICT);
    assert!(detail.contains("revoked"), "{detail}");
}

#[tokio::test]
async fn without_settings_or_with_notify_false_nothing_is_queued() {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder().email(quick()).build().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let early = award(&app, &achievement, "early@example.org", "Early").await;
    let detail = app
        .get(&format!("/api/v1/credentials/{early}/notification"))
        .await
        .problem(StatusCode::NOT_FOUND);
    assert!(detail.contains("no email"), "{detail}");
    let detail = app
        .post(&format!("/api/v1/credentials/{early}/notify"), json!(null))
        .await
        .problem(StatusCode::CONFLICT);
    assert!(detail.contains("no email settings"), "{detail}");

    let response = put(
        &app,
        &format!("/api/v1/issuers/{}/email", id(&issuer)),
        json!({ "host": "127.0.0.1", "port": sink.port, "security": "none",
                "from_address": "badges@example.org" }),
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let quiet = app
        .award(
            &achievement,
            json!({ "email": "quiet@example.org", "notify": false }),
        )
        .await;
    assert_eq!(quiet.status, StatusCode::CREATED, "{}", quiet.text());
    let batch = app
        .award(
            &achievement,
            json!({ "notify": false, "awards": [{ "email": "b1@example.org" }] }),
        )
        .await;
    assert_eq!(batch.json()["created"], 1, "{}", batch.text());
    assert_eq!(drain(&app.state.service).await.unwrap().claimed, 0);

    // Those never told can be told in one go.
    let resend = app
        .post(
            &format!("/api/v1/achievements/{}/notify", id(&achievement)),
            json!({ "which": ["unsent"] }),
        )
        .await;
    assert_eq!(resend.json()["queued"], 3, "{}", resend.text());
    drain(&app.state.service).await.unwrap();
    let mut told: Vec<String> = sink.received().into_iter().flat_map(|r| r.to).collect();
    told.sort();
    assert_eq!(
        told,
        ["b1@example.org", "early@example.org", "quiet@example.org"]
    );
}

#[tokio::test]
async fn settings_keep_the_password_secret_and_check_their_fields() {
    let app = TestApp::builder().email(quick()).build().await;
    let issuer = app.issuer(json!({})).await;
    let path = format!("/api/v1/issuers/{}/email", id(&issuer));
    let detail = app.get(&path).await.problem(StatusCode::NOT_FOUND);
    assert!(detail.contains("no email settings"), "{detail}");
    let body = json!({
        "host": "smtp.example.org",
        "username": "badges",
        "password": "s3cret-Pässword",
        "from_address": "badges@example.org",
        "rate_per_minute": 120,
    });
    let response = put(&app, &path, body.clone()).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let shown = app.get(&path).await;
    assert!(!shown.text().contains("s3cret"), "{}", shown.text());
    let shown = shown.json();
    assert_eq!(shown["password_set"], true);
    assert_eq!(shown["security"], "starttls");
    assert_eq!(shown["port"], 587);
    assert_eq!(shown["rate_per_minute"], 120);
    // Leaving the password out keeps it; null removes it.
    let mut without = body.clone();
    without.as_object_mut().unwrap().remove("password");
    put(&app, &path, without).await;
    assert_eq!(app.get(&path).await.json()["password_set"], true);
    let mut cleared = body.clone();
    cleared["password"] = json!(null);
    put(&app, &path, cleared).await;
    assert_eq!(app.get(&path).await.json()["password_set"], false);

    for (field, value, says) in [
        ("from_address", json!("not an address"), "from_address"),
        ("reply_to", json!("x@"), "reply_to"),
        ("security", json!("ssl"), "security"),
        ("rate_per_minute", json!(0), "rate_per_minute"),
        ("host", json!("  "), "host"),
    ] {
        let mut bad = body.clone();
        bad[field] = value;
        let detail = put(&app, &path, bad).await.problem(StatusCode::BAD_REQUEST);
        assert!(detail.contains(says), "{field}: {detail}");
    }
    // A kept password never follows the settings to another server.
    let mut elsewhere = body.clone();
    elsewhere.as_object_mut().unwrap().remove("password");
    elsewhere["host"] = json!("smtp.attacker.example");
    put(&app, &path, body.clone()).await;
    let detail = put(&app, &path, elsewhere)
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert!(detail.contains("give the password again"), "{detail}");
    // No password in the clear to another host.
    let mut clear = body.clone();
    clear["security"] = json!("none");
    let detail = put(&app, &path, clear.clone())
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert!(detail.contains("in the clear"), "{detail}");
    clear["host"] = json!("127.0.0.1");
    assert_eq!(put(&app, &path, clear).await.status, StatusCode::OK);

    let response = app
        .call(Method::DELETE, &path, Some(&app.admin), None)
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    app.get(&path).await.problem(StatusCode::NOT_FOUND);
    // Settings are the admin's: an issuing token may not change them.
    let issuing = app.token(&["issue"]).await;
    let response = app
        .call(Method::PUT, &path, Some(&issuing), Some(&body))
        .await;
    response.problem(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn templates_are_checked_previewed_and_used() {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder().email(quick()).build().await;
    let (issuer, achievement) = setup(&app, sink.port, json!({})).await;
    let template_path = format!("/api/v1/achievements/{}/email/template", id(&achievement));
    assert_eq!(app.get(&template_path).await.json()["source"], "default");

    let detail = put(
        &app,
        &template_path,
        json!({ "subject": "Hi", "text": "Your {{badge_nmae}}" }),
    )
    .await
    .problem(StatusCode::BAD_REQUEST);
    assert!(detail.contains("{{badge_nmae}}"), "{detail}");

    let issuer_template = json!({
        "subject": "{{issuer_name}}: {{badge_name}}",
        "text": "Bonjour {{recipient_name|à vous}} — {{credential_url}}",
    });
    let response = put(
        &app,
        &format!("/api/v1/issuers/{}/email/template", id(&issuer)),
        issuer_template,
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(app.get(&template_path).await.json()["source"], "issuer");
    let response = put(
        &app,
        &template_path,
        json!({
            "subject": "Badge « {{badge_name}} » pour {{recipient_name|vous}}",
            "text": "Voir : {{credential_url}}",
            "html": "<p>Voir <a href=\"{{credential_url}}\">{{badge_name}}</a></p>",
        }),
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());

    // The preview renders as the worker will, for a sample or a real credential.
    let preview_path = format!("/api/v1/achievements/{}/email/preview", id(&achievement));
    let sample = app
        .post(&preview_path, json!({ "recipient_name": "<Zoë>" }))
        .await
        .json();
    assert_eq!(sample["subject"], "Badge « Catalogage avancé » pour <Zoë>");
    assert_eq!(sample["template_source"], "achievement");
    assert!(
        sample["from"]
            .as_str()
            .unwrap()
            .contains("badges@bibliotheques.example.org")
    );
    let credential = award(&app, &achievement, "zoe@example.org", "Zoë").await;
    let real = app
        .post(&preview_path, json!({ "credential_id": credential }))
        .await
        .json();
    assert_eq!(
        real["text"],
        format!("Voir : {ORIGIN}/credentials/{credential}")
    );
    assert_eq!(real["to"], "Zoë <zoe@example.org>");
    let trial = app
        .post(
            &preview_path,
            json!({ "template": { "subject": "{{nope}}", "text": "x" } }),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert!(trial.contains("{{nope}}"), "{trial}");

    drain(&app.state.service).await.unwrap();
    let message = sink.received().pop().unwrap();
    let message = MessageParser::default().parse(&message.data).unwrap();
    assert_eq!(
        message.subject(),
        Some("Badge « Catalogage avancé » pour Zoë")
    );

    // An achievement's template is not deleted through the issuer's path.
    let wrong = format!("/api/v1/issuers/{}/email/template", id(&achievement));
    app.call(Method::DELETE, &wrong, Some(&app.admin), None)
        .await
        .problem(StatusCode::NOT_FOUND);
    let response = app
        .call(Method::DELETE, &template_path, Some(&app.admin), None)
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&template_path).await.json()["source"], "issuer");
}

#[tokio::test]
async fn the_rate_limit_spreads_sending_over_minutes() {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder().email(quick()).build().await;
    let (_, achievement) = setup(&app, sink.port, json!({ "rate_per_minute": 2 })).await;
    let rows: Vec<Value> = (0..5)
        .map(|i| json!({ "email": format!("r{i}@example.org") }))
        .collect();
    let response = app.award(&achievement, json!({ "awards": rows })).await;
    assert_eq!(response.json()["created"], 5);
    let tally = drain(&app.state.service).await.unwrap();
    assert_eq!(tally.sent, 2);
    assert_eq!(sink.count(), 2);
    let queued = app
        .get(&format!(
            "/api/v1/notifications?state=queued&achievement_id={}",
            id(&achievement)
        ))
        .await
        .json();
    assert_eq!(queued["total"], 3);
}

/// Two instances over one SQLite file drain one outbox together: every email arrives once.
#[tokio::test]
async fn two_instances_send_each_email_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("laurel.db").display());
    two_instances_share_one_outbox(&url).await;
}

/// The same on one PostgreSQL database (`LAUREL_TEST_POSTGRES_URL`): claims lock rows with
/// `FOR UPDATE SKIP LOCKED`.
#[tokio::test]
async fn two_instances_on_postgres_send_each_email_once() {
    let Some(db) = util::PostgresDb::create().await else {
        return;
    };
    two_instances_share_one_outbox(&db.url).await;
}

async fn two_instances_share_one_outbox(url: &str) {
    let sink = SmtpSink::start().await;
    let (vault, key) = Vault::generate().unwrap();
    let small = EmailOptions {
        batch: 7,
        ..quick()
    };
    let instance = |vault| {
        let small = small.clone();
        async move {
            let store = laurel_store::connect(url).await.unwrap();
            let dir = tempfile::tempdir().unwrap();
            TestApp::builder()
                .store(store, vault, dir)
                .clock(Arc::new(FixedClock(now())))
                .email(small)
                .build()
                .await
        }
    };
    let first = instance(vault).await;
    let second = instance(Vault::from_text(&key).unwrap()).await;
    let (_, achievement) = setup(&first, sink.port, json!({})).await;
    let rows: Vec<Value> = (0..200)
        .map(|i| json!({ "email": format!("r{i}@example.org") }))
        .collect();
    let response = first.award(&achievement, json!({ "awards": rows })).await;
    assert_eq!(response.json()["created"], 200);
    let (a, b) = tokio::join!(drain(&first.state.service), drain(&second.state.service));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, 200);
    let mut told: Vec<String> = sink.received().into_iter().flat_map(|r| r.to).collect();
    told.sort();
    told.dedup();
    assert_eq!(told.len(), 200);
    assert_eq!(sink.count(), 200, "an email was sent twice");
}

/// The worker as `laurel serve` runs it: an award wakes it, the email arrives without anyone
/// draining by hand, and it stops when told.
#[tokio::test]
async fn the_running_worker_sends_what_is_awarded_and_stops_when_told() {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder()
        .email(EmailOptions {
            // Only the wake-up can explain a quick delivery.
            poll: Duration::from_secs(600),
            ..quick()
        })
        .build()
        .await;
    let (_, achievement) = setup(&app, sink.port, json!({})).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(laurel_service::email::worker::run(
        app.state.service.clone(),
        stopped,
    ));
    let credential = award(&app, &achievement, "ada@example.org", "Ada").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while sink.count() == 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(sink.count(), 1, "the worker did not send");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while notification(&app, &credential).await["state"] != "sent"
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(notification(&app, &credential).await["state"], "sent");
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(10), worker)
        .await
        .expect("the worker stops")
        .unwrap();
}

/// A worker that dies mid-batch leaves its rows claimed; once the claim lapses another worker
/// takes them, and a row interrupted more often than attempts allow fails instead of looping.
#[tokio::test]
async fn rows_of_a_crashed_worker_are_taken_over_then_given_up() {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder()
        .email(EmailOptions {
            max_attempts: 2,
            ..quick()
        })
        .build()
        .await;
    let (_, achievement) = setup(&app, sink.port, json!({})).await;
    let first = award(&app, &achievement, "ada@example.org", "Ada").await;
    // A worker claims it with a lease that has already lapsed, then "dies".
    let store = &app.state.store;
    let crashed = store
        .claim_notifications(uuid::Uuid::now_v7(), now(), now(), 10)
        .await
        .unwrap();
    assert_eq!(crashed.len(), 1);
    assert_eq!(notification(&app, &first).await["state"], "sending");
    // The next worker sends it (attempt 2 of 2).
    drain(&app.state.service).await.unwrap();
    assert_eq!(notification(&app, &first).await["state"], "sent");
    assert_eq!(sink.count(), 1);

    let second = award(&app, &achievement, "grace@example.org", "Grace").await;
    for _ in 0..2 {
        store
            .claim_notifications(uuid::Uuid::now_v7(), now(), now(), 10)
            .await
            .unwrap();
    }
    drain(&app.state.service).await.unwrap();
    let state = notification(&app, &second).await;
    assert_eq!(state["state"], "failed");
    assert!(
        state["last_error"]
            .as_str()
            .unwrap()
            .contains("interrupted"),
        "{state}"
    );
    assert_eq!(sink.count(), 1, "given up, not sent");
}

/// One claim holds several batches: every email in it is sent once and recorded with its own
/// outcome, whichever batch its recording fell in (7 emails, batches of 2, 3 batches a claim:
/// a claim of 6 recorded as 2 + 2 + 2, then a claim of 1).
#[tokio::test]
async fn a_claim_of_several_batches_records_every_outcome() {
    let sink = SmtpSink::with(Behaviour {
        reject: vec!["r1@example.org".into(), "r4@example.org".into()],
        defer: vec!["r5@example.org".into()],
        ..Behaviour::default()
    })
    .await;
    let app = TestApp::builder()
        .email(EmailOptions {
            batch: 2,
            batches_per_claim: 3,
            concurrency: 2,
            backoff: Duration::from_secs(60),
            ..quick()
        })
        .build()
        .await;
    let (_, achievement) = setup(&app, sink.port, json!({})).await;
    let mut credentials = Vec::new();
    for i in 0..7 {
        let email = format!("r{i}@example.org");
        credentials.push((award(&app, &achievement, &email, "R").await, i));
    }
    let tally = drain(&app.state.service).await.unwrap();
    assert_eq!(
        (tally.claimed, tally.sent, tally.failed, tally.retried),
        (7, 4, 2, 1)
    );
    for (credential, i) in &credentials {
        let expected = match i {
            1 | 4 => "failed",
            5 => "queued",
            _ => "sent",
        };
        let state = notification(&app, credential).await;
        assert_eq!(state["state"], expected, "r{i}: {state}");
    }
    assert_eq!(sink.count(), 4, "an email was sent twice or not at all");
}
