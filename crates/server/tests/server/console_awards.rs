//! The awards table and reports in the console, as a coordinator watches them after email is
//! set up: delivery state on the awards table and failures on the dashboard, the revoke
//! confirmation (names the recipient, says the reason is public, keeps the filters), the
//! awards CSV as Excel opens it, the programme summary, and a person's page sending a wallet
//! link as the table does. Apart from [`crate::console_email`]
//! (whose set-up helpers it uses) because these are the awards pages, not the email forms.

use crate::console_email::{admin, app, save_settings};
use crate::util;
use crate::util::forms::{get_as as get, post_as as post, see_other as location};
use crate::util::smtp::{Behaviour, SmtpSink};

use axum::http::StatusCode;
use laurel_service::email::worker::drain;
use serde_json::{Value, json};
use util::{TestApp, id};

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
            json!({ "email": "minus@example.org", "name": "@evil", "activity_start_date": "2026-02-10T15:00:00Z", "role": "presenter" }),
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
        "\"Name\",\"Email\",\"Badge\",\"Awarded\",\"Activity date\",\"Credits\",\"Status\",\"Revoked on\",\"Revocation reason\",\"Email state\",\"Email detail\",\"Credential\",\"Role\""
    );
    assert!(text.contains(&format!("\"zoe@example.org\",\"Catalogage avancé\",\"2026-03-01\",\"\",\"2\",\"active\",\"\",\"\",\"sent\",\"\",\"{}", util::ORIGIN)), "{text}");
    assert!(
        text.contains("\"'@evil\",\"minus@example.org\",\"Second\",\"2026-03-01\",\"2026-02-10\""),
        "{text}"
    );
    assert!(text.contains(&ids[0]));
    let minus = lines
        .iter()
        .find(|line| line.contains("minus@example.org"))
        .unwrap();
    assert!(minus.ends_with(",\"Presenter\""), "{minus}");
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

#[tokio::test]
async fn a_persons_page_sends_a_wallet_link_like_the_awards_table() {
    let app = app().await;
    let (cookie, csrf) = admin(&app).await;
    let sink = SmtpSink::start().await;
    let (issuer, achievement, ids) =
        emailed(&app, &cookie, &csrf, sink.port, &["zoe@example.org"]).await;
    // A second badge of Zoë's, revoked: no link is offered for it.
    let second = app.achievement(&issuer, json!({"name": "Second"})).await;
    let revoked = app
        .award(&second, json!({"email": "zoe@example.org"}))
        .await;
    let revoked_id = id(&revoked.json());
    let answer = app
        .post(
            &format!("/api/v1/credentials/{revoked_id}/revoke"),
            json!({"reason": "issued in error"}),
        )
        .await;
    assert!(answer.status.is_success(), "{}", answer.text());
    drain(&app.state.service).await.unwrap();
    let before = sink.count();

    let person = "/console/recipients?email=zoe%40example.org";
    let html = get(&app, person, &cookie).await.text();
    let action = format!("action=\"/console/awards/{}/claim-link\"", ids[0]);
    assert!(html.contains(&action), "{html}");
    assert!(html.contains("name=\"back\" value=\"recipient\""), "{html}");
    assert!(html.contains(">Send wallet link</button>"), "{html}");
    assert!(
        !html.contains(&format!("/console/awards/{revoked_id}/claim-link")),
        "{html}"
    );

    // The same action as the awards table, back to the person's page with its notice.
    let sent = post(
        &app,
        &format!("/console/awards/{}/claim-link", ids[0]),
        &cookie,
        &[("csrf", &csrf), ("back", "recipient")],
    )
    .await;
    let back = location(&sent);
    assert_eq!(back, format!("{person}&done=claim-link&award={}", ids[0]));
    let page = get(&app, &back, &cookie).await.text();
    assert!(
        page.contains("Queued an email to zoe@example.org with a fresh wallet link."),
        "{page}"
    );
    // The email is on its way: no second button until it has gone.
    assert!(!page.contains(&action), "{page}");
    drain(&app.state.service).await.unwrap();
    assert_eq!(sink.count(), before + 1);
    let last = sink.received().pop().unwrap();
    assert_eq!(last.to, ["zoe@example.org"]);
    let message = String::from_utf8_lossy(&last.data).into_owned();
    assert!(message.contains("/claim/"), "a fresh claim link: {message}");
    let html = get(&app, person, &cookie).await.text();
    assert!(html.contains(&action), "{html}");

    // Without the form's CSRF token nothing is sent; a notice names only this person's awards.
    let forged = post(
        &app,
        &format!("/console/awards/{}/claim-link", ids[0]),
        &cookie,
        &[("csrf", "wrong"), ("back", "recipient")],
    )
    .await;
    assert_ne!(forged.status, StatusCode::SEE_OTHER);
    let other = app
        .award(&achievement, json!({"email": "ann@example.org"}))
        .await;
    let elsewhere = format!("{person}&done=claim-link&award={}", id(&other.json()));
    let html = get(&app, &elsewhere, &cookie).await.text();
    assert!(!html.contains("ann@example.org"), "{html}");
}
