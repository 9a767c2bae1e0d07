//! Pathways through HTTP: the admin API, the public achievement page, the recipient's
//! progress reached from their claim page (and only with its token), and the console editor.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::{Method, StatusCode};
use laurel_service::wallet::claims;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::console_email::admin;
use crate::util::forms::{get_as, post_as, see_other};
use crate::util::{ORIGIN, TestApp, TestResponse, id};

const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

async fn browse(app: &TestApp, path: &str) -> TestResponse {
    app.send(Method::GET, path, None, None, None, &[("accept", BROWSER)])
        .await
}

/// An issuer with badges A, B, C and "Certificate", whose pathway is A and at least one of
/// B and C (a group named "Electives").
async fn setup(app: &TestApp) -> (Value, Vec<Value>, Value) {
    let issuer = app.issuer(json!({})).await;
    let mut badges = Vec::new();
    for name in ["Webinar A", "Webinar B", "Webinar C"] {
        badges.push(app.achievement(&issuer, json!({ "name": name })).await);
    }
    let cert = app
        .achievement(&issuer, json!({ "name": "Certificate" }))
        .await;
    let pathway = json!({
        "rule": {
            "steps": [
                { "achievement_id": id(&badges[0]) },
                { "group": {
                    "title": "Electives",
                    "at_least": 1,
                    "steps": [
                        { "achievement_id": id(&badges[1]) },
                        { "achievement_id": id(&badges[2]) }
                    ]
                } }
            ]
        }
    });
    let put = app
        .call(
            Method::PUT,
            &format!("/api/v1/achievements/{}/pathway", id(&cert)),
            Some(&app.admin),
            Some(&pathway),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text());
    assert_eq!(
        put.json()["summary"],
        "all of: \"Webinar A\" and Electives (any one of: \"Webinar B\" and \"Webinar C\")"
    );
    (issuer, badges, cert)
}

async fn holders(app: &TestApp, achievement: &Value) -> u64 {
    let list = app
        .get(&format!("/api/v1/awards?achievement={}", id(achievement)))
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    list.json()["total"].as_u64().unwrap()
}

#[tokio::test]
async fn api_sets_checks_and_evaluates_pathways() {
    let app = TestApp::new().await;
    let (_, badges, cert) = setup(&app).await;
    let path = format!("/api/v1/achievements/{}/pathway", id(&cert));
    let got = app.get(&path).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json()["outcome"], "award");

    // "At least 3 of 2" and a cycle are refused with a problem naming them; nothing changes.
    let bad = json!({ "rule": { "at_least": 3, "steps": [
        { "achievement_id": id(&badges[0]) }, { "achievement_id": id(&badges[1]) } ] } });
    let refused = app
        .call(Method::PUT, &path, Some(&app.admin), Some(&bad))
        .await;
    assert!(
        refused
            .problem(StatusCode::BAD_REQUEST)
            .contains("at least 3 of 2"),
        "{}",
        refused.text()
    );
    let circle = json!({ "rule": { "steps": [ { "achievement_id": id(&cert) } ] } });
    let refused = app
        .call(
            Method::PUT,
            &format!("/api/v1/achievements/{}/pathway", id(&badges[0])),
            Some(&app.admin),
            Some(&circle),
        )
        .await;
    assert!(
        refused.problem(StatusCode::BAD_REQUEST).contains("circle"),
        "{}",
        refused.text()
    );

    // Awards through the API complete the pathway: A, then C.
    let ada = json!({ "email": "ada@example.org", "name": "Ada" });
    assert_eq!(
        app.award(&badges[0], ada.clone()).await.status,
        StatusCode::CREATED
    );
    assert_eq!(holders(&app, &cert).await, 0);
    assert_eq!(
        app.award(&badges[2], ada.clone()).await.status,
        StatusCode::CREATED
    );
    assert_eq!(holders(&app, &cert).await, 1);

    // Revoking A flags the certificate; it stays valid.
    let a_award = app
        .get(&format!("/api/v1/awards?achievement={}", id(&badges[0])))
        .await
        .json()["awards"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let revoked = app
        .post(
            &format!("/api/v1/credentials/{a_award}/revoke"),
            json!({ "reason": "in error" }),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    let unmet = app.get(&format!("{path}/unmet")).await;
    assert_eq!(unmet.status, StatusCode::OK);
    let unmet = unmet.json();
    assert_eq!(unmet.as_array().unwrap().len(), 1, "{unmet}");
    assert!(
        unmet[0]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("\"Webinar A\" was revoked")
    );
    assert_eq!(holders(&app, &cert).await, 1);
    let cert_award = app
        .get(&format!(
            "/api/v1/awards/{}",
            unmet[0]["award_id"].as_str().unwrap()
        ))
        .await
        .json();
    assert!(cert_award["revoked_at"].is_null(), "{cert_award}");
    assert!(
        cert_award["pathway_unmet"][0]
            .as_str()
            .unwrap()
            .contains("was revoked"),
        "{cert_award}"
    );
    let a_view = app.get(&format!("/api/v1/awards/{a_award}")).await.json();
    assert!(a_view["pathway_unmet"].is_null(), "{a_view}");

    // Evaluating for everyone finds nobody new; removing leaves the badge awarded.
    let evaluated = app.post(&format!("{path}/evaluate"), json!({})).await;
    assert_eq!(evaluated.json()["completed"], 0);
    let removed = app
        .call(Method::DELETE, &path, Some(&app.admin), None)
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(holders(&app, &cert).await, 1);
}

#[tokio::test]
async fn progress_is_shown_only_through_the_recipients_link() {
    let app = TestApp::new().await;
    let (_, badges, cert) = setup(&app).await;

    // The public page shows the rule, nobody's progress.
    let public = browse(&app, &format!("/achievements/{}", id(&cert))).await;
    assert_eq!(public.status, StatusCode::OK);
    let html = public.text();
    assert!(html.contains("Earned by holding all of:"), "{html}");
    assert!(html.contains("Electives: any one of"), "{html}");
    assert!(!html.contains("done"), "{html}");

    let award = app
        .award(&badges[0], json!({ "email": "ada@example.org" }))
        .await
        .json();
    let award_id = Uuid::parse_str(&id(&award)).unwrap();
    let link = claims::issue_claim(&app.state, award_id).await.unwrap();
    let claim = browse(&app, &format!("/claim/{}", link.token)).await;
    assert_eq!(claim.status, StatusCode::OK, "{}", claim.text());
    let claim = claim.text();
    assert!(claim.contains("Your progress"), "{claim}");
    assert!(claim.contains("1 of 2 done"), "{claim}");
    let prefix = format!("{ORIGIN}/achievements/{}/progress/", id(&cert));
    let start = claim.find(&prefix).expect("a progress link");
    let href: String = claim[start..].chars().take_while(|c| *c != '"').collect();
    let token = href.strip_prefix(&prefix).unwrap().to_string();
    assert!(
        !token.contains(&link.token),
        "the claim secret never leaves its page"
    );

    let progress = browse(&app, href.strip_prefix(ORIGIN).unwrap()).await;
    assert_eq!(progress.status, StatusCode::OK, "{}", progress.text());
    assert_eq!(progress.headers["cache-control"], "no-store");
    assert_eq!(progress.headers["referrer-policy"], "no-referrer");
    let page = progress.text();
    assert!(page.contains("1 of 2 done"), "{page}");
    assert!(page.contains("Done: </span><a"), "{page}");

    // A guessed or altered token shows nothing.
    let mut altered = token.clone();
    let last = altered.pop().unwrap();
    altered.push(if last == 'A' { 'B' } else { 'A' });
    for token in [altered, award_id.simple().to_string(), "x.y".into()] {
        let refused = browse(
            &app,
            &format!("/achievements/{}/progress/{token}", id(&cert)),
        )
        .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{token}");
        assert!(!refused.text().contains("done"));
    }
}

/// A clock tests can move.
struct MovableClock(std::sync::Mutex<chrono::DateTime<chrono::Utc>>);

impl laurel_service::Clock for MovableClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        *self.0.lock().unwrap()
    }
}

#[tokio::test]
async fn a_progress_link_expires_and_the_claim_page_makes_a_fresh_one() {
    let clock = std::sync::Arc::new(MovableClock(std::sync::Mutex::new(crate::util::now())));
    let app = TestApp::builder().clock(clock.clone()).build().await;
    let (_, badges, cert) = setup(&app).await;
    let award = app
        .award(&badges[0], json!({ "email": "ada@example.org" }))
        .await
        .json();
    let link = claims::issue_claim(&app.state, Uuid::parse_str(&id(&award)).unwrap())
        .await
        .unwrap();
    let progress_href = |claim: &str| {
        let prefix = format!("{ORIGIN}/achievements/{}/progress/", id(&cert));
        let start = claim.find(&prefix).expect("a progress link") + ORIGIN.len();
        claim[start..]
            .chars()
            .take_while(|c| *c != '"')
            .collect::<String>()
    };
    let first = progress_href(&browse(&app, &format!("/claim/{}", link.token)).await.text());
    assert_eq!(browse(&app, &first).await.status, StatusCode::OK);

    let days = laurel_service::pathways::PROGRESS_LINK_DAYS;
    *clock.0.lock().unwrap() = crate::util::now() + chrono::Duration::days(days);
    let expired = browse(&app, &first).await;
    assert_eq!(expired.status, StatusCode::NOT_FOUND);
    let text = expired.text();
    assert!(text.contains("This progress link has expired"), "{text}");
    assert!(!text.contains("done"), "{text}");
    // The claim link still works, and gives a fresh progress link.
    let fresh = progress_href(&browse(&app, &format!("/claim/{}", link.token)).await.text());
    assert_ne!(fresh, first);
    let page = browse(&app, &fresh).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("1 of 2 done"));
}

#[tokio::test]
async fn console_edits_pathways_in_plain_words() {
    let app = TestApp::new().await;
    let (_, badges, cert) = setup(&app).await;
    let (cookie, csrf) = admin(&app).await;
    let path = format!("/console/achievements/{}/pathway", id(&cert));
    let page = get_as(&app, &path, &cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    assert!(html.contains("Earned by holding all of:"), "{html}");
    assert!(html.contains("Electives"), "{html}");
    assert!(!html.contains("\"steps\""), "staff never see JSON");

    // At least 5 of two badges: the mistake is beside the steps, nothing is stored.
    let (a, b, c) = (id(&badges[0]), id(&badges[1]), id(&badges[2]));
    let wrong = post_as(
        &app,
        &path,
        &cookie,
        &[
            ("csrf", csrf.as_str()),
            ("action", "save"),
            ("outcome", "award"),
            ("g0_rule", "at_least"),
            ("g0_n", "5"),
            ("g0_badge", a.as_str()),
            ("g0_badge", b.as_str()),
        ],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.text());
    let html = wrong.text();
    assert!(html.contains("id=\"g0-error\""), "{html}");
    assert!(
        html.contains("At least 5 of 2 is more than the group has"),
        "{html}"
    );
    let stored = app
        .get(&format!("/api/v1/achievements/{}/pathway", id(&cert)))
        .await
        .json();
    assert!(stored["summary"].as_str().unwrap().contains("Electives"));

    // Two of three, in a named group: saved, then shown back in words.
    let saved = post_as(
        &app,
        &path,
        &cookie,
        &[
            ("csrf", csrf.as_str()),
            ("action", "save"),
            ("outcome", "award"),
            ("g0_rule", "all"),
            ("g1_title", "Core"),
            ("g1_rule", "at_least"),
            ("g1_n", "2"),
            ("g1_badge", a.as_str()),
            ("g1_badge", b.as_str()),
            ("g1_badge", c.as_str()),
        ],
    )
    .await;
    assert_eq!(see_other(&saved), format!("{path}?saved=1"));
    let shown = get_as(&app, &format!("{path}?saved=1"), &cookie)
        .await
        .text();
    assert!(
        shown.contains("Earned by holding all of: Core (at least 2 of:"),
        "{shown}"
    );

    // Two of the three earn the certificate; revoking one flags it, in the awards table and
    // on the pathway page, and leaves it valid.
    let ada = json!({ "email": "ada@example.org", "name": "Ada" });
    let a_award = app.award(&badges[0], ada.clone()).await.json();
    app.award(&badges[1], ada).await;
    assert_eq!(holders(&app, &cert).await, 1);
    let revoked = app
        .post(
            &format!("/api/v1/credentials/{}/revoke", id(&a_award)),
            json!({ "reason": "in error" }),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    let table = get_as(&app, "/console/awards", &cookie).await.text();
    assert!(table.contains("Pathway no longer met:"), "{table}");
    let page = get_as(&app, &path, &cookie).await.text();
    assert!(page.contains("Requirements no longer met"), "{page}");
    assert!(page.contains("was revoked on"), "{page}");

    // Groups in groups (from the API) are shown, never offered for a save that would drop them.
    let deep = json!({ "rule": { "steps": [ { "group": { "steps": [
        { "achievement_id": a }, { "group": { "steps": [ { "achievement_id": b } ] } } ] } } ] } });
    let put = app
        .call(
            Method::PUT,
            &format!("/api/v1/achievements/{}/pathway", id(&cert)),
            Some(&app.admin),
            Some(&deep),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text());
    let page = get_as(&app, &path, &cookie).await.text();
    assert!(page.contains("id=\"pathway-too-deep\""), "{page}");
    assert!(!page.contains("id=\"pathway-form\""), "{page}");
}

/// Three webinars lead to an invitation to the workshop: one email over SMTP, from the
/// pathway's template, once, however many times the pathway is completed.
#[tokio::test]
async fn an_invitation_is_emailed_once() {
    use crate::util::smtp::SmtpSink;
    use laurel_service::email::worker::drain;

    let sink = SmtpSink::start().await;
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let settings = app
        .call(
            Method::PUT,
            &format!("/api/v1/issuers/{}/email", id(&issuer)),
            Some(&app.admin),
            Some(&json!({
                "host": "127.0.0.1",
                "port": sink.port,
                "security": "none",
                "from_address": "badges@example.org",
            })),
        )
        .await;
    assert_eq!(settings.status, StatusCode::OK, "{}", settings.text());
    let mut webinars = Vec::new();
    for name in ["Webinar 1", "Webinar 2", "Webinar 3"] {
        webinars.push(app.achievement(&issuer, json!({ "name": name })).await);
    }
    let workshop = app
        .achievement(&issuer, json!({ "name": "In-person workshop" }))
        .await;
    let pathway = json!({
        "outcome": "invite",
        "rule": { "steps": webinars.iter().map(|w| json!({ "achievement_id": id(w) })).collect::<Vec<_>>() },
        "invitation_subject": "{{recipient_name}}, join us at the {{badge_name}}",
        "invitation_body": "You finished the three webinars. Details: {{credential_url}}",
    });
    let path = format!("/api/v1/achievements/{}/pathway", id(&workshop));
    let put = app
        .call(Method::PUT, &path, Some(&app.admin), Some(&pathway))
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text());

    let ada = json!({ "email": "ada@example.org", "name": "Ada", "notify": false });
    for webinar in &webinars {
        let awarded = app.award(webinar, ada.clone()).await;
        assert_eq!(awarded.status, StatusCode::CREATED, "{}", awarded.text());
    }
    drain(&app.state.service).await.unwrap();
    // Completing it again sends nothing more.
    let again = app.post(&format!("{path}/evaluate"), json!({})).await;
    assert_eq!(again.json()["completed"], 0);
    drain(&app.state.service).await.unwrap();

    let received = sink.received();
    assert_eq!(received.len(), 1, "one invitation, no badge emails");
    assert_eq!(received[0].to, ["ada@example.org"]);
    let message = mail_parser::MessageParser::default()
        .parse(&received[0].data)
        .expect("a parsable message");
    assert_eq!(
        message.subject(),
        Some("Ada, join us at the In-person workshop")
    );
    let text = message.body_text(0).unwrap().to_string();
    assert_eq!(
        text.trim(),
        format!(
            "You finished the three webinars. Details: {ORIGIN}/achievements/{}",
            id(&workshop)
        )
    );
    assert_eq!(holders(&app, &workshop).await, 0, "invited, not awarded");
    let invitations = app.get(&format!("{path}/invitations")).await.json();
    assert_eq!(invitations.as_array().unwrap().len(), 1, "{invitations}");
    assert_eq!(invitations[0]["state"], "sent");
}
