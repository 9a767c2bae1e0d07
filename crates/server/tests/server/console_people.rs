//! The console's people side: attendee lists of in-person sessions (reviewed, then recorded
//! and awarded exactly once), the minutes and near misses an import review shows, a
//! recipient's page, and the dashboard's first steps.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::util;
use crate::util::forms;
use crate::util::forms::get_as as get;

use axum::http::{Method, StatusCode, header};
use forms::{form, hidden_csrf, session_cookie};
use laurel_server::console;
use laurel_store::{AwardFilter, Role};
use serde_json::{Value, json};
use util::{TestApp, TestResponse, now};
use uuid::Uuid;

const PASSWORD: &str = "correct horse battery staple";

/// An administrator "ada", signed in: the session cookie header.
async fn admin(app: &TestApp) -> String {
    let user = console::new_user("ada", PASSWORD, Role::Admin, Vec::new(), now()).unwrap();
    app.state.store.create_user(&user).await.unwrap();
    session_cookie(app, "ada", PASSWORD).await
}

async fn post_form(
    app: &TestApp,
    path: &str,
    cookie: &str,
    pairs: &[(&str, &str)],
) -> TestResponse {
    app.send(
        Method::POST,
        path,
        None,
        Some("application/x-www-form-urlencoded"),
        Some(form(pairs)),
        &[("cookie", cookie)],
    )
    .await
}

/// A session of `issuer` through the API.
async fn session(app: &TestApp, issuer: &Value, title: &str, format: &str, minutes: u32) -> Value {
    let event = app
        .post(
            "/api/v1/events",
            json!({
                "issuer_id": issuer["id"],
                "title": title,
                "starts_at": "2026-02-20T14:00:00Z",
                "duration_minutes": minutes,
                "format": format,
            }),
        )
        .await;
    assert_eq!(event.status, StatusCode::CREATED, "{}", event.text());
    event.json()
}

/// A badge awarded for attending `event`, at least `min_minutes` when given.
async fn badge_for(
    app: &TestApp,
    issuer: &Value,
    name: &str,
    event: &Value,
    min_minutes: Option<u32>,
) -> Value {
    let mut rule = json!({ "kind": "participation", "session": event["id"] });
    if let Some(minutes) = min_minutes {
        rule["min_minutes"] = json!(minutes);
    }
    app.achievement(
        issuer,
        json!({ "name": name, "credits_available": 1.5, "award_rules": [rule] }),
    )
    .await
}

async fn awards_of(app: &TestApp, badge: &Value) -> Vec<String> {
    let (awards, _) = app
        .state
        .store
        .list_awards(&AwardFilter {
            achievement_id: Some(util::id(badge).parse::<Uuid>().unwrap()),
            limit: 100,
            ..AwardFilter::default()
        })
        .await
        .unwrap();
    let mut emails: Vec<String> = awards.into_iter().map(|a| a.recipient_email).collect();
    emails.sort();
    emails
}

const SIGN_IN_SHEET: &str = "Name,Email\nJane Doe,jane@example.org\n\"Lee, Sam\",Sam@Example.org\nNo address here,\nJane again,JANE@example.org\n";

#[tokio::test]
async fn an_attendee_list_is_reviewed_then_recorded_and_awarded_once() {
    let app = TestApp::new().await;
    let cookie = admin(&app).await;
    let issuer = app.issuer(json!({})).await;
    let workshop = session(&app, &issuer, "Cataloguing workshop", "in_person", 120).await;
    let attended = badge_for(&app, &issuer, "Workshop attended", &workshop, None).await;
    let full = badge_for(&app, &issuer, "Workshop full time", &workshop, Some(100)).await;
    let page_path = format!("/console/events/{}", util::id(&workshop));
    let page = get(&app, &page_path, &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("<details id=\"attendee-list\" open>"),
        "an in-person session opens the list form: {html}"
    );
    let csrf = hidden_csrf(&html);
    let import = format!("{page_path}/import");

    let empty = post_form(
        &app,
        &import,
        &cookie,
        &[
            ("csrf", &csrf),
            ("kind", "list"),
            ("action", "review"),
            ("report", " \n"),
        ],
    )
    .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(
        empty.text().contains("id=\"list-error\""),
        "{}",
        empty.text()
    );

    let review = post_form(
        &app,
        &import,
        &cookie,
        &[
            ("csrf", &csrf),
            ("kind", "list"),
            ("action", "review"),
            ("report", SIGN_IN_SHEET),
        ],
    )
    .await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.text());
    let html = review.text();
    assert!(html.contains("Review of the attendee list"), "{html}");
    assert!(html.contains("<strong>1 rejected</strong>"), "{html}");
    assert!(html.contains("id=\"confirm-list\""), "{html}");
    assert!(!html.contains("id=\"confirm-import\""), "{html}");
    // Every line: its address and its minutes (none, for a list), rejected and merged too.
    for row in [
        "<td class=\"number\">2</td><td>recorded</td><td><a href=\"/console/recipients?email=jane%40example.org\">jane@example.org</a></td><td>none (a list)</td>",
        "<td class=\"number\">3</td><td>recorded</td><td><a href=\"/console/recipients?email=sam%40example.org\">sam@example.org</a></td><td>none (a list)</td>",
        "<td class=\"number\">4</td><td>rejected</td><td>No address here</td><td></td><td>no email address on this line</td>",
        "<td class=\"number\">5</td><td>merged</td><td><a href=\"/console/recipients?email=jane%40example.org\">jane@example.org</a></td><td>none (a list)</td><td>same person as line 2</td>",
    ] {
        assert!(html.contains(row), "missing {row}: {html}");
    }
    assert!(
        html.contains("<strong>Workshop attended</strong>: 2 would be awarded"),
        "{html}"
    );
    assert!(
        html.contains("<strong>Workshop full time</strong>: 0 would be awarded"),
        "{html}"
    );
    assert!(
        html.contains("jane@example.org</a>: attended, no minutes recorded"),
        "a rule asking for minutes says why a list's people are not awarded: {html}"
    );
    let event_id: Uuid = util::id(&workshop).parse().unwrap();
    assert!(
        app.state
            .store
            .attendance_of(&[event_id])
            .await
            .unwrap()
            .is_empty(),
        "a review records nothing"
    );

    // Confirmed twice (a double click, a reload): recorded and awarded once.
    let mut results = Vec::new();
    for _ in 0..2 {
        let confirmed = post_form(
            &app,
            &import,
            &cookie,
            &[
                ("csrf", &csrf),
                ("kind", "list"),
                ("action", "confirm"),
                ("report", SIGN_IN_SHEET),
            ],
        )
        .await;
        assert_eq!(
            confirmed.status,
            StatusCode::SEE_OTHER,
            "{}",
            confirmed.text()
        );
        let job = confirmed.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .to_string();
        app.state.jobs.idle().await;
        results.push(get(&app, &job, &cookie).await.text());
    }
    assert!(
        results[0].contains("data-status=\"succeeded\""),
        "{}",
        results[0]
    );
    assert!(results[0].contains("An attendee list"), "{}", results[0]);
    assert!(
        results[0].contains("<strong>Workshop attended</strong>: 2 awarded now, 0 already had it"),
        "{}",
        results[0]
    );
    assert!(
        results[1].contains("<strong>Workshop attended</strong>: 0 awarded now"),
        "{}",
        results[1]
    );
    assert!(
        results[1].contains("attended, no minutes recorded"),
        "the result lists who did not qualify too: {}",
        results[1]
    );
    assert_eq!(
        awards_of(&app, &attended).await,
        ["jane@example.org", "sam@example.org"]
    );
    assert!(awards_of(&app, &full).await.is_empty());
    let recorded = app.state.store.attendance_of(&[event_id]).await.unwrap();
    assert_eq!(recorded.len(), 2);
    assert!(
        recorded
            .iter()
            .all(|r| r.minutes == 0 && r.source == "import:list")
    );
}

#[tokio::test]
async fn a_report_review_shows_minutes_and_who_fell_short() {
    let app = TestApp::new().await;
    let cookie = admin(&app).await;
    let issuer = app.issuer(json!({})).await;
    let webinar = session(&app, &issuer, "Metadata webinar", "online", 60).await;
    badge_for(&app, &issuer, "Webinar attended", &webinar, Some(45)).await;
    let page_path = format!("/console/events/{}", util::id(&webinar));
    let page = get(&app, &page_path, &cookie).await.text();
    assert!(
        page.contains("<details id=\"attendee-list\">"),
        "closed for a webinar: {page}"
    );
    let csrf = hidden_csrf(&page);
    let report = "email,name,minutes\nada@example.org,Ada,30\nbob@example.org,Bob,38\nada@example.org,Ada,25\nnot-an-email,X,40\n";
    let review = post_form(
        &app,
        &format!("{page_path}/import"),
        &cookie,
        &[("csrf", &csrf), ("action", "review"), ("report", report)],
    )
    .await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.text());
    let html = review.text();
    for row in [
        "<td class=\"number\">2</td><td>recorded</td><td><a href=\"/console/recipients?email=ada%40example.org\">ada@example.org</a></td><td>30 (55 in all)</td>",
        "<td class=\"number\">3</td><td>recorded</td><td><a href=\"/console/recipients?email=bob%40example.org\">bob@example.org</a></td><td>38</td>",
        "<td class=\"number\">4</td><td>merged</td><td><a href=\"/console/recipients?email=ada%40example.org\">ada@example.org</a></td><td>25</td>",
        "<td class=\"number\">5</td><td>rejected</td><td>not-an-email</td><td></td>",
    ] {
        assert!(html.contains(row), "missing {row}: {html}");
    }
    assert!(
        html.contains("1 would be awarded (<a href=\"/console/recipients?email=ada%40example.org\">ada@example.org</a>)"),
        "{html}"
    );
    assert!(
        html.contains("bob@example.org</a>: attended 38 of 45 minutes"),
        "{html}"
    );
}

#[tokio::test]
async fn a_recipients_page_shows_badges_sessions_emails_and_credits() {
    let app = TestApp::new().await;
    let cookie = admin(&app).await;
    let issuer = app.issuer(json!({})).await;
    let workshop = session(&app, &issuer, "Cataloguing workshop", "in_person", 120).await;
    let webinar = session(&app, &issuer, "Metadata webinar", "online", 60).await;
    badge_for(&app, &issuer, "Workshop attended", &workshop, None).await;
    badge_for(&app, &issuer, "Webinar attended", &webinar, Some(45)).await;
    let revoked_badge = app
        .achievement(
            &issuer,
            json!({ "name": "Old badge", "credits_available": 2 }),
        )
        .await;
    let old = app
        .award(
            &revoked_badge,
            json!({ "email": "jane@example.org", "name": "Jane Doe" }),
        )
        .await;
    assert_eq!(old.status, StatusCode::CREATED, "{}", old.text());
    let revoked = app
        .post(
            &format!("/api/v1/credentials/{}/revoke", util::id(&old.json())),
            json!({ "reason": "awarded by mistake" }),
        )
        .await;
    assert!(revoked.status.is_success(), "{}", revoked.text());
    for (event, report) in [
        (&workshop, "jane@example.org\n"),
        (
            &webinar,
            "email,name,minutes\njane@example.org,Jane Doe,50\n",
        ),
    ] {
        let page_path = format!("/console/events/{}", util::id(event));
        let csrf = hidden_csrf(&get(&app, &page_path, &cookie).await.text());
        let kind = if report.starts_with("email,") {
            "report"
        } else {
            "list"
        };
        let confirmed = post_form(
            &app,
            &format!("{page_path}/import"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("kind", kind),
                ("action", "confirm"),
                ("report", report),
            ],
        )
        .await;
        assert_eq!(
            confirmed.status,
            StatusCode::SEE_OTHER,
            "{}",
            confirmed.text()
        );
        app.state.jobs.idle().await;
    }

    let awards = get(&app, "/console/awards", &cookie).await.text();
    let link = "href=\"/console/recipients?email=jane%40example.org\"";
    assert!(
        awards.contains(link),
        "every award row links to the person: {awards}"
    );
    let dashboard = get(&app, "/console", &cookie).await.text();
    assert!(dashboard.contains(link), "{dashboard}");

    let page = get(&app, "/console/recipients?email=Jane@Example.org", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("<title>Jane Doe · Laurel console</title>"),
        "{html}"
    );
    assert!(html.contains("3 badges, 2 sessions attended"), "{html}");
    assert!(
        html.contains("<strong id=\"credits\">3 hours of credit earned</strong>"),
        "1.5 + 1.5, the revoked badge's 2 not counted: {html}"
    );
    assert!(html.contains("<td>Workshop attended</td>"), "{html}");
    assert!(html.contains(": awarded by mistake</td>"), "{html}");
    assert!(html.contains(">Cataloguing workshop</a></td>"), "{html}");
    assert!(
        html.contains("<td>attended, no minutes recorded</td>"),
        "{html}"
    );
    assert!(html.contains("<td>50 of 60 minutes</td>"), "{html}");
    assert!(html.contains("id=\"person-badges\""), "{html}");

    let search = get(&app, "/console/recipients?q=jane", &cookie)
        .await
        .text();
    assert!(search.contains(link), "{search}");
    let nobody = get(
        &app,
        "/console/recipients?email=nobody@example.org",
        &cookie,
    )
    .await
    .text();
    assert!(nobody.contains("Nobody with this address"), "{nobody}");
}

#[tokio::test]
async fn an_empty_dashboard_says_what_to_do_first() {
    let app = TestApp::new().await;
    let cookie = admin(&app).await;
    // Which steps are links still to follow (the navigation has the same links: not counted).
    let steps = |html: &str| -> Vec<bool> {
        let start = html.find("id=\"first-steps\"").expect("the first steps");
        let section = &html[start..];
        let section = &section[..section.find("</section>").expect("their end")];
        [
            "/console/issuers",
            "/console/achievements",
            "/console/events",
        ]
        .iter()
        .map(|url| section.contains(&format!("<li><a href=\"{url}\">")))
        .collect()
    };
    let first = get(&app, "/console", &cookie).await.text();
    assert!(first.contains("id=\"first-steps\""), "{first}");
    assert_eq!(steps(&first), [true, true, true], "{first}");

    let issuer = app.issuer(json!({})).await;
    let next = get(&app, "/console", &cookie).await.text();
    assert!(
        next.contains("<li class=\"done\">Create the issuer (done)</li>"),
        "{next}"
    );
    assert_eq!(steps(&next), [false, true, true], "{next}");

    app.achievement(&issuer, json!({})).await;
    session(&app, &issuer, "Cataloguing workshop", "in_person", 120).await;
    let done = get(&app, "/console", &cookie).await.text();
    assert!(!done.contains("id=\"first-steps\""), "all done: {done}");
}
