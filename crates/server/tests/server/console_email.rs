//! Email in the console: the settings form (every mistake at once, nothing stored on a
//! mistake, post/redirect/get, the password never shown), the test email's wording against a
//! real SMTP server on loopback, the template editor and its preview, per-badge templates,
//! delivery on the awards table and the dashboard, the revoke confirmation, and the reports.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::util;
use crate::util::forms::{get_as as get, post_as as post, see_other as location};
use crate::util::forms::{hidden_csrf, session_cookie};
use crate::util::smtp::{Behaviour, SmtpSink, closed_port};

use std::time::Duration;

use axum::http::StatusCode;
use laurel_server::console;
use laurel_service::email::EmailOptions;
use laurel_service::email::worker::drain;
use laurel_store::Role;
use serde_json::{Value, json};
use util::{TestApp, TestResponse, id, now};

const PASSWORD: &str = "correct horse battery staple";

/// An app whose emails are tried once, quickly.
async fn app() -> TestApp {
    TestApp::builder()
        .email(EmailOptions {
            max_attempts: 1,
            backoff: Duration::ZERO,
            timeout: Duration::from_secs(2),
            ..EmailOptions::default()
        })
        .build()
        .await
}

/// An administrator, signed in: (session cookie, CSRF token).
async fn admin(app: &TestApp) -> (String, String) {
    let user =
        console::new_user("ada@example.org", PASSWORD, Role::Admin, Vec::new(), now()).unwrap();
    app.state.store.create_user(&user).await.unwrap();
    let cookie = session_cookie(app, "ada@example.org", PASSWORD).await;
    let csrf = hidden_csrf(&get(app, "/console", &cookie).await.text());
    (cookie, csrf)
}

/// Saves settings for `issuer` through the form, sending to a loopback port.
async fn save_settings(
    app: &TestApp,
    cookie: &str,
    csrf: &str,
    issuer: &str,
    port: u16,
    extra: &[(&str, &str)],
) {
    let port = port.to_string();
    let mut pairs = vec![
        ("csrf", csrf),
        ("host", "127.0.0.1"),
        ("port", &port),
        ("security", "none"),
        ("from_address", "badges@example.org"),
        ("from_name", "Badges"),
    ];
    pairs.extend_from_slice(extra);
    let saved = post(
        app,
        &format!("/console/issuers/{issuer}/email"),
        cookie,
        &pairs,
    )
    .await;
    assert_eq!(
        location(&saved),
        format!("/console/issuers/{issuer}/email?saved=1")
    );
}

#[tokio::test]
async fn the_settings_form_shows_every_mistake_and_stores_nothing() {
    let app = app().await;
    let (cookie, csrf) = admin(&app).await;
    let issuer = app.issuer(json!({})).await;
    let path = format!("/console/issuers/{}/email", id(&issuer));
    let page = get(&app, &path, &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains("sends no email yet"),
        "{}",
        page.text()
    );
    let bad = post(
        &app,
        &path,
        &cookie,
        &[
            ("csrf", &csrf),
            ("host", "smtp.example.org:587"),
            ("port", "seventy"),
            ("security", "none"),
            ("username", "someone"),
            ("from_address", "not an address"),
            ("reply_to", "nope"),
            ("rate_per_minute", "0"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let html = bad.text();
    for field in [
        "host",
        "port",
        "security",
        "from_address",
        "reply_to",
        "rate_per_minute",
    ] {
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {html}"
        );
    }
    assert!(html.contains("6 things to fix"), "{html}");
    assert!(html.contains("value=\"seventy\""), "what was typed is kept");
    let id = id(&issuer).parse().unwrap();
    assert!(
        app.state.store.email_settings(id).await.unwrap().is_none(),
        "nothing stored"
    );
}

#[tokio::test]
async fn the_password_is_kept_secret_and_only_goes_to_its_server() {
    let app = app().await;
    let (cookie, csrf) = admin(&app).await;
    let issuer = app.issuer(json!({})).await;
    let issuer_id = id(&issuer);
    save_settings(
        &app,
        &cookie,
        &csrf,
        &issuer_id,
        2525,
        &[("username", "mailer"), ("password", "s3cret-Password")],
    )
    .await;
    let page = get(
        &app,
        &format!("/console/issuers/{issuer_id}/email?saved=1"),
        &cookie,
    )
    .await
    .text();
    assert!(page.contains("Saved the email settings."), "{page}");
    assert!(
        !page.contains("s3cret-Password"),
        "the password is never shown"
    );
    assert!(page.contains("a password is saved"), "{page}");
    // Saved again without it: kept.
    save_settings(
        &app,
        &cookie,
        &csrf,
        &issuer_id,
        2525,
        &[("username", "mailer")],
    )
    .await;
    let uuid = issuer_id.parse().unwrap();
    let stored = app.state.store.email_settings(uuid).await.unwrap().unwrap();
    assert!(stored.sealed_password.is_some());
    // Another server without the password again: refused, nothing changed.
    let moved = post(
        &app,
        &format!("/console/issuers/{issuer_id}/email"),
        &cookie,
        &[
            ("csrf", &csrf),
            ("host", "localhost"),
            ("port", "2626"),
            ("security", "none"),
            ("username", "mailer"),
            ("from_address", "badges@example.org"),
        ],
    )
    .await;
    assert_eq!(moved.status, StatusCode::BAD_REQUEST);
    assert!(
        moved.text().contains("id=\"password-error\""),
        "{}",
        moved.text()
    );
    let after = app.state.store.email_settings(uuid).await.unwrap().unwrap();
    assert_eq!(after.port, 2525);
    let audit = get(&app, "/console/audit", &cookie).await.text();
    assert!(audit.contains("email_settings.update"), "{audit}");
}

/// Sends the test email of `issuer` to `to`; the page.
async fn send_test(
    app: &TestApp,
    cookie: &str,
    csrf: &str,
    issuer: &str,
    to: &str,
) -> TestResponse {
    post(
        app,
        &format!("/console/issuers/{issuer}/email/test"),
        cookie,
        &[("csrf", csrf), ("to", to)],
    )
    .await
}

#[tokio::test]
async fn the_test_email_reports_the_servers_answer_in_words() {
    let app = app().await;
    let (cookie, csrf) = admin(&app).await;
    let sink = SmtpSink::start().await;
    let issuer = app.issuer(json!({})).await;
    let issuer_id = id(&issuer);
    // Before any settings: said plainly, no button.
    let page = get(
        &app,
        &format!("/console/issuers/{issuer_id}/email"),
        &cookie,
    )
    .await
    .text();
    assert!(page.contains("Save the settings first"), "{page}");

    save_settings(&app, &cookie, &csrf, &issuer_id, sink.port, &[]).await;
    let page = get(
        &app,
        &format!("/console/issuers/{issuer_id}/email"),
        &cookie,
    )
    .await
    .text();
    assert!(
        page.contains("value=\"ada@example.org\""),
        "to me by default: {page}"
    );
    let sent = send_test(&app, &cookie, &csrf, &issuer_id, "ada@example.org").await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(
        sent.text()
            .contains("Sent; the server answered 250 2.0.0 Ok: queued as M1"),
        "{}",
        sent.text()
    );
    assert_eq!(sink.count(), 1);
    assert_eq!(sink.received()[0].to, vec!["ada@example.org".to_string()]);

    // A typed address that is none: beside the field, nothing sent.
    let bad = send_test(&app, &cookie, &csrf, &issuer_id, "ada at example").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("id=\"to-error\""));
    assert_eq!(sink.count(), 1);
}

#[tokio::test]
async fn a_test_email_that_fails_says_why() {
    let app = app().await;
    let (cookie, csrf) = admin(&app).await;
    let issuer_id = id(&app.issuer(json!({})).await);

    // Nothing listening.
    let port = closed_port().await;
    save_settings(&app, &cookie, &csrf, &issuer_id, port, &[]).await;
    let text = send_test(&app, &cookie, &csrf, &issuer_id, "me@example.org")
        .await
        .text();
    assert!(
        text.contains(&format!(
            "Could not reach 127.0.0.1 on port {port}: nothing answered on that port"
        )),
        "{text}"
    );

    // A server that never greets.
    let slow = SmtpSink::with(Behaviour {
        greeting_delay: Duration::from_secs(10),
        ..Behaviour::default()
    })
    .await;
    save_settings(&app, &cookie, &csrf, &issuer_id, slow.port, &[]).await;
    let text = send_test(&app, &cookie, &csrf, &issuer_id, "me@example.org")
        .await
        .text();
    assert!(
        text.contains(&format!(
            "Could not reach 127.0.0.1 on port {} within 2 seconds.",
            slow.port
        )),
        "{text}"
    );

    // A wrong password.
    let guarded = SmtpSink::with(Behaviour {
        login: Some(("mailer".into(), "right".into())),
        ..Behaviour::default()
    })
    .await;
    save_settings(
        &app,
        &cookie,
        &csrf,
        &issuer_id,
        guarded.port,
        &[("username", "mailer"), ("password", "wrong")],
    )
    .await;
    let text = send_test(&app, &cookie, &csrf, &issuer_id, "me@example.org")
        .await
        .text();
    assert!(text.contains("The server refused the password"), "{text}");
    assert!(text.contains("535 5.7.8"), "{text}");
    assert_eq!(guarded.count(), 0);
    save_settings(
        &app,
        &cookie,
        &csrf,
        &issuer_id,
        guarded.port,
        &[("username", "mailer"), ("password", "right")],
    )
    .await;
    let text = send_test(&app, &cookie, &csrf, &issuer_id, "me@example.org")
        .await
        .text();
    assert!(text.contains("Sent; the server answered 250"), "{text}");

    // A refused recipient.
    let picky = SmtpSink::with(Behaviour {
        reject: vec!["me@example.org".into()],
        ..Behaviour::default()
    })
    .await;
    // (The saved password goes only to its server: removed when the server changes.)
    save_settings(
        &app,
        &cookie,
        &csrf,
        &issuer_id,
        picky.port,
        &[("remove_password", "yes")],
    )
    .await;
    let text = send_test(&app, &cookie, &csrf, &issuer_id, "me@example.org")
        .await
        .text();
    assert!(
        text.contains("The server refused to send to me@example.org"),
        "{text}"
    );
    assert!(text.contains("550 5.1.1"), "{text}");
}

#[tokio::test]
async fn templates_are_edited_previewed_with_a_real_credential_and_fall_back() {
    let app = app().await;
    let (cookie, csrf) = admin(&app).await;
    let issuer = app.issuer(json!({ "brand_color": "#7a1f5c" })).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let issuer_id = id(&issuer);
    let badge_id = id(&achievement);
    let issuer_path = format!("/console/issuers/{issuer_id}/email/template");
    let badge_path = format!("/console/achievements/{badge_id}/email");

    // The default, previewed with a sample (nothing awarded yet), with colour and picture.
    let page = get(&app, &issuer_path, &cookie).await.text();
    assert!(
        page.contains("Laurel&#39;s default template")
            || page.contains("Laurel's default template"),
        "{page}"
    );
    assert!(page.contains("A sample recipient"), "{page}");
    assert!(page.contains("#7a1f5c"), "the issuer's colour: {page}");
    assert!(page.contains("srcdoc="), "{page}");

    // Mistakes in two parts: both shown, nothing stored.
    let bad = post(
        &app,
        &issuer_path,
        &cookie,
        &[
            ("csrf", &csrf),
            ("subject", "Hi {{badge_nmae}}"),
            ("text", " "),
            ("html", ""),
            ("action", "save"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let html = bad.text();
    assert!(
        html.contains("id=\"subject-error\"") && html.contains("id=\"text-error\""),
        "{html}"
    );
    assert!(html.contains("There is no {{badge_nmae}}"), "{html}");
    let uuid = issuer_id.parse().unwrap();
    assert!(
        app.state
            .store
            .email_template(uuid)
            .await
            .unwrap()
            .is_none()
    );

    // A real credential in the preview, once there is one.
    let award = app
        .award(
            &achievement,
            json!({ "email": "zoe@example.org", "name": "Zoë <Z>" }),
        )
        .await;
    assert_eq!(award.status, StatusCode::CREATED);
    let preview = post(
        &app,
        &issuer_path,
        &cookie,
        &[
            ("csrf", &csrf),
            ("subject", "For {{recipient_name}}"),
            ("text", "See {{credential_url}}"),
            ("html", ""),
            ("action", "preview"),
        ],
    )
    .await;
    assert_eq!(preview.status, StatusCode::OK);
    let html = preview.text();
    assert!(html.contains("For Zoë &#60;Z&#62;"), "{html}");
    assert!(
        html.contains(&format!("credentials/{}", id(&award.json()))),
        "{html}"
    );
    assert!(
        app.state
            .store
            .email_template(uuid)
            .await
            .unwrap()
            .is_none(),
        "a preview stores nothing"
    );

    // Saved: post/redirect/get; the badge uses it.
    let saved = post(
        &app,
        &issuer_path,
        &cookie,
        &[
            ("csrf", &csrf),
            ("subject", "Issuer subject {{badge_name}}"),
            ("text", "Issuer text"),
            ("html", ""),
            ("action", "save"),
        ],
    )
    .await;
    assert_eq!(location(&saved), format!("{issuer_path}?saved=1"));
    let page = get(&app, &badge_path, &cookie).await.text();
    assert!(
        page.contains("the issuer&#39;s template") || page.contains("the issuer's template"),
        "{page}"
    );
    assert!(
        page.contains("value=\"Issuer subject {{badge_name}}\""),
        "{page}"
    );

    // The badge's own overrides it, and removing it falls back again.
    let own = post(
        &app,
        &badge_path,
        &cookie,
        &[
            ("csrf", &csrf),
            ("subject", "Badge subject"),
            ("text", "Badge text"),
            ("html", "<p>{{badge_name}}</p>"),
            ("action", "save"),
        ],
    )
    .await;
    assert_eq!(location(&own), format!("{badge_path}?saved=1"));
    let badge_uuid = badge_id.parse().unwrap();
    let stored = app
        .state
        .store
        .email_template(badge_uuid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.subject, "Badge subject");
    let page = get(&app, &badge_path, &cookie).await.text();
    assert!(
        page.contains("this badge&#39;s own template")
            || page.contains("this badge's own template"),
        "{page}"
    );
    let reset = post(
        &app,
        &badge_path,
        &cookie,
        &[("csrf", &csrf), ("action", "reset")],
    )
    .await;
    assert_eq!(location(&reset), format!("{badge_path}?reset=1"));
    assert!(
        app.state
            .store
            .email_template(badge_uuid)
            .await
            .unwrap()
            .is_none()
    );
    let audit = get(&app, "/console/audit", &cookie).await.text();
    assert!(
        audit.contains("email_template.update") && audit.contains("email_template.delete"),
        "{audit}"
    );
}

/// An issuer sending to `sink`, a badge, and awards to `emails` (emailed).
async fn emailed(
    app: &TestApp,
    cookie: &str,
    csrf: &str,
    port: u16,
    emails: &[&str],
) -> (Value, Value, Vec<String>) {
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    save_settings(app, cookie, csrf, &id(&issuer), port, &[]).await;
    let mut ids = Vec::new();
    for email in emails {
        let award = app
            .award(&achievement, json!({ "email": email, "credits_earned": 2 }))
            .await;
        assert_eq!(award.status, StatusCode::CREATED, "{}", award.text());
        ids.push(id(&award.json()));
    }
    (issuer, achievement, ids)
}

#[tokio::test]
async fn delivery_shows_on_the_awards_table_and_failures_on_the_dashboard() {
    let app = app().await;
    let (cookie, csrf) = admin(&app).await;
    let sink = SmtpSink::with(Behaviour {
        reject: vec!["gone@example.org".into()],
        ..Behaviour::default()
    })
    .await;
    let (_, _, ids) = emailed(
        &app,
        &cookie,
        &csrf,
        sink.port,
        &["zoe@example.org", "gone@example.org"],
    )
    .await;
    let table = get(&app, "/console/awards", &cookie).await.text();
    assert!(table.contains(">Queued<"), "{table}");
    drain(&app.state.service).await.unwrap();
    let table = get(&app, "/console/awards", &cookie).await.text();
    assert!(table.contains("delivery-sent\">Sent "), "{table}");
    assert!(table.contains("delivery-failed\">Failed: "), "{table}");
    assert!(table.contains("550 5.1.1"), "the server's reply: {table}");
    assert!(
        table.contains("Resend the email to gone@example.org"),
        "{table}"
    );

    let dashboard = get(&app, "/console", &cookie).await.text();
    assert!(
        dashboard.contains("1 notification emails failed."),
        "{dashboard}"
    );
    assert!(dashboard.contains("id=\"email-failures\""), "{dashboard}");
    assert!(
        dashboard.contains("/console/awards?q=gone%40example.org"),
        "{dashboard}"
    );

    // Resend: post/redirect/get, back to the same search.
    let resent = post(
        &app,
        &format!("/console/awards/{}/notify", ids[1]),
        &cookie,
        &[("csrf", &csrf), ("q", "gone")],
    )
    .await;
    let back = location(&resent);
    assert!(back.starts_with("/console/awards?q=gone&"), "{back}");
    let page = get(&app, &back, &cookie).await.text();
    assert!(
        page.contains("Queued the email to gone@example.org."),
        "{page}"
    );
    assert!(page.contains("value=\"gone\""), "the search is kept");
}

#[tokio::test]
async fn revoking_asks_first_names_the_recipient_and_keeps_the_filters() {
    let app = app().await;
    let (cookie, csrf) = admin(&app).await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let award = app
        .award(
            &achievement,
            json!({ "email": "zoe@example.org", "name": "Zoë Åberg" }),
        )
        .await;
    let award_id = id(&award.json());

    let table = get(&app, "/console/awards?q=zoe", &cookie).await.text();
    assert!(
        table.contains(&format!("action=\"/console/awards/{award_id}/revoke\"")),
        "{table}"
    );
    let confirm = get(
        &app,
        &format!("/console/awards/{award_id}/revoke?q=zoe&offset=0"),
        &cookie,
    )
    .await;
    assert_eq!(confirm.status, StatusCode::OK);
    let html = confirm.text();
    assert!(
        html.contains("Revoke the badge of Zoë Åberg (zoe@example.org)"),
        "{html}"
    );
    assert!(html.contains("The reason you give is public"), "{html}");
    assert!(html.contains("<textarea id=\"reason\""), "{html}");
    assert!(
        html.contains("name=\"q\" value=\"zoe\""),
        "the filters travel: {html}"
    );

    let path = format!("/console/awards/{award_id}/revoke");
    let empty = post(
        &app,
        &path,
        &cookie,
        &[("csrf", &csrf), ("reason", "  "), ("q", "zoe")],
    )
    .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(
        empty.text().contains("id=\"reason-error\""),
        "{}",
        empty.text()
    );
    let uuid = award_id.parse().unwrap();
    assert!(
        app.state
            .store
            .award(uuid)
            .await
            .unwrap()
            .revoked_at
            .is_none()
    );

    let done = post(
        &app,
        &path,
        &cookie,
        &[("csrf", &csrf), ("reason", "Issued in error"), ("q", "zoe")],
    )
    .await;
    let back = location(&done);
    assert!(back.starts_with("/console/awards?q=zoe&"), "{back}");
    assert!(back.contains("done=revoke"), "{back}");
    let page = get(&app, &back, &cookie).await.text();
    assert!(page.contains("Revoked the award of"), "{page}");
    assert!(
        page.contains("Revoked 1 March 2026: Issued in error"),
        "{page}"
    );
    assert!(
        !page.contains(&format!("/console/awards/{award_id}/revoke\"")),
        "no second revoke: {page}"
    );
    // Reloading the page the redirect led to changes nothing and says so again harmlessly.
    let again = post(
        &app,
        &path,
        &cookie,
        &[("csrf", &csrf), ("reason", "twice")],
    )
    .await;
    assert!(location(&again).contains("done=revoke-already"));
    let award = app.state.store.award(uuid).await.unwrap();
    assert_eq!(award.revocation_reason.as_deref(), Some("Issued in error"));
}

#[tokio::test]
async fn the_awards_csv_opens_in_excel_with_every_column() {
    let app = app().await;
    let (cookie, csrf) = admin(&app).await;
    let sink = SmtpSink::start().await;
    let (_, _, ids) = emailed(&app, &cookie, &csrf, sink.port, &["zoe@example.org"]).await;
    drain(&app.state.service).await.unwrap();
    let other = app.issuer(json!({})).await;
    let badge = app.achievement(&other, json!({ "name": "Second" })).await;
    let made = app
        .award(
            &badge,
            json!({ "email": "minus@example.org", "name": "@evil", "activity_start_date": "2026-02-10T15:00:00Z" }),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    let csv = get(&app, "/console/awards.csv", &cookie).await;
    assert_eq!(csv.status, StatusCode::OK);
    let body = csv.body.to_vec();
    assert_eq!(&body[..3], b"\xEF\xBB\xBF", "a UTF-8 byte-order mark first");
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'),
        "CRLF line ends"
    );
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert_eq!(
        lines[0],
        "\"Name\",\"Email\",\"Badge\",\"Awarded\",\"Activity date\",\"Credits\",\"Status\",\"Revoked on\",\"Revocation reason\",\"Email state\",\"Email detail\",\"Credential\""
    );
    assert!(text.contains(&format!("\"zoe@example.org\",\"Catalogage avancé\",\"2026-03-01\",\"\",\"2\",\"active\",\"\",\"\",\"sent\",\"\",\"{}", util::ORIGIN)), "{text}");
    assert!(
        text.contains("\"'@evil\",\"minus@example.org\",\"Second\",\"2026-03-01\",\"2026-02-10\""),
        "{text}"
    );
    assert!(text.contains(&ids[0]));
}

#[tokio::test]
async fn the_programme_summary_counts_awards_and_credits_over_a_period() {
    let app = app().await;
    let (cookie, _) = admin(&app).await;
    let issuer = app.issuer(json!({ "name": "Library Association" })).await;
    let webinar = app.achievement(&issuer, json!({ "name": "Webinar" })).await;
    let workshop = app
        .achievement(&issuer, json!({ "name": "Workshop" }))
        .await;
    for (badge, email, credits) in [
        (&webinar, "zoe@example.org", 1.5),
        (&workshop, "zoe@example.org", 3.0),
        (&webinar, "ada@example.org", 1.5),
    ] {
        let made = app
            .award(badge, json!({ "email": email, "credits_earned": credits }))
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    }
    let issuer_id = id(&issuer);
    let page = get(
        &app,
        &format!("/console/reports?issuer={issuer_id}&from=2026-01-01&to=2026-12-31"),
        &cookie,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("3 awards, 6 hours of credit in all."),
        "{html}"
    );
    assert!(html.contains("<td>Webinar</td><td class=\"number\">2</td><td class=\"number\">0</td><td class=\"number\">3 hours</td>"), "{html}");
    assert!(
        html.contains(
            "<td>zoe@example.org</td><td class=\"number\">2</td><td class=\"number\">4.5 hours</td>"
        ),
        "{html}"
    );

    // Outside the period: nothing.
    let none = get(
        &app,
        &format!("/console/reports?issuer={issuer_id}&from=2027-01-01"),
        &cookie,
    )
    .await
    .text();
    assert!(
        none.contains("0 awards, 0 hours of credit in all."),
        "{none}"
    );
    // Mistakes shown together.
    let bad = get(
        &app,
        "/console/reports?issuer=nope&from=March&to=later",
        &cookie,
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let html = bad.text();
    for field in ["issuer", "from", "to"] {
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {html}"
        );
    }
    let csv = get(
        &app,
        &format!("/console/reports.csv?issuer={issuer_id}"),
        &cookie,
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.text();
    assert!(text.starts_with('\u{feff}'), "{text}");
    assert!(text.contains("\"Webinar\",\"2\",\"0\",\"3\"\r\n"), "{text}");
    assert!(
        text.contains("\"\",\"zoe@example.org\",\"2\",\"4.5\"\r\n"),
        "{text}"
    );
}
