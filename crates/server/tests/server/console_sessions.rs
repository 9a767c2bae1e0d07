//! Sessions in the console: the issuer's time zone, the session form (all mistakes at once,
//! nothing stored on a failed form, post/redirect/get), a run of sessions, editing with the
//! rules settled again, duplicating a session and a badge, and series pages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::util;
use crate::util::forms;
use crate::util::forms::{get_as as get, post_as as post, see_other as location};

use axum::http::StatusCode;
use forms::{hidden_csrf, session_cookie};
use laurel_server::console;
use laurel_store::{EventFilter, Role};
use serde_json::{Value, json};
use util::{TestApp, now};
use uuid::Uuid;

const PASSWORD: &str = "correct horse battery staple";

/// An administrator signed in: the cookie header and the session's CSRF token.
async fn admin(app: &TestApp) -> (String, String) {
    let user = console::new_user("ada", PASSWORD, Role::Admin, Vec::new(), now()).unwrap();
    app.state.store.create_user(&user).await.unwrap();
    let cookie = session_cookie(app, "ada", PASSWORD).await;
    let page = get(app, "/console/events", &cookie).await;
    (cookie, hidden_csrf(&page.text()))
}

async fn chicago(app: &TestApp) -> Value {
    app.issuer(json!({ "name": "Prairie Libraries", "time_zone": "America/Chicago" }))
        .await
}

async fn events(app: &TestApp) -> Vec<laurel_store::Event> {
    app.state
        .store
        .list_events(&EventFilter::default())
        .await
        .unwrap()
}

fn utc(text: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

#[tokio::test]
async fn the_issuer_time_zone_is_set_in_the_api_and_the_console() {
    let app = TestApp::new().await;
    let issuer = chicago(&app).await;
    assert_eq!(issuer["time_zone"], "America/Chicago");
    let plain = app.issuer(json!({ "name": "Plain" })).await;
    assert_eq!(plain["time_zone"], "UTC");
    let bad = app
        .post(
            "/api/v1/issuers",
            json!({ "name": "Lost", "time_zone": "Mars/Olympus" }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.text().contains("is not a time zone we know"),
        "{}",
        bad.text()
    );
    let patched = app
        .patch(
            &format!("/api/v1/issuers/{}", util::id(&plain)),
            json!({ "time_zone": "Europe/London" }),
        )
        .await;
    assert_eq!(patched.json()["time_zone"], "Europe/London");

    let (cookie, csrf) = admin(&app).await;
    let path = format!("/console/issuers/{}", util::id(&issuer));
    let page = get(&app, &path, &cookie).await.text();
    assert!(page.contains("value=\"America/Chicago\""), "{page}");
    assert!(page.contains("<datalist id=\"time-zones\">"));
    let wrong = post(
        &app,
        &path,
        &cookie,
        &[
            ("csrf", &csrf),
            ("name", "Prairie Libraries"),
            ("time_zone", "America/Chicag"),
        ],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(
        wrong
            .text()
            .contains("“America/Chicag” is not a time zone we know"),
        "{}",
        wrong.text()
    );
    let id: Uuid = util::id(&issuer).parse().unwrap();
    assert_eq!(
        app.state.store.issuer_time_zone(id).await.unwrap(),
        "America/Chicago"
    );
    let saved = post(
        &app,
        &path,
        &cookie,
        &[
            ("csrf", &csrf),
            ("name", "Prairie Libraries"),
            ("time_zone", "america/denver"),
        ],
    )
    .await;
    assert_eq!(location(&saved), format!("{path}?saved=1"));
    assert_eq!(
        app.state.store.issuer_time_zone(id).await.unwrap(),
        "America/Denver"
    );
}

#[tokio::test]
async fn sessions_are_entered_and_shown_in_the_issuer_zone_with_every_mistake_at_once() {
    let app = TestApp::new().await;
    let issuer = chicago(&app).await;
    let issuer_id = util::id(&issuer);
    let (cookie, csrf) = admin(&app).await;

    let wrong = post(
        &app,
        "/console/events",
        &cookie,
        &[
            ("csrf", &csrf),
            ("issuer", &issuer_id),
            ("title", "  "),
            ("starts_at", "2026-03-08T02:30"),
            ("duration_minutes", "0"),
        ],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let html = wrong.text();
    for field in ["title", "starts_at", "duration_minutes"] {
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {html}"
        );
    }
    assert!(
        html.contains("02:30 on 8 March 2026 does not exist in America/Chicago"),
        "{html}"
    );
    assert!(
        html.contains("value=\"2026-03-08T02:30\""),
        "what was typed stays"
    );
    assert!(events(&app).await.is_empty(), "nothing stored");

    let made = post(
        &app,
        "/console/events",
        &cookie,
        &[
            ("csrf", &csrf),
            ("issuer", &issuer_id),
            ("title", "Cataloguing webinar"),
            ("starts_at", "2026-03-10T09:00"),
            ("duration_minutes", "60"),
            ("format", "online"),
        ],
    )
    .await;
    let event_path = location(&made);
    let stored = events(&app).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].starts_at, utc("2026-03-10T14:00:00Z"));
    let list = get(&app, "/console/events", &cookie).await.text();
    assert!(list.contains("Tue 10 March 2026, 09:00 CDT"), "{list}");
    assert!(list.contains("Times are in America/Chicago."), "{list}");
    let page = get(&app, &event_path, &cookie).await.text();
    assert!(
        page.contains("Tue 10 March 2026, 09:00 CDT (America/Chicago)"),
        "{page}"
    );
    assert!(
        page.contains(", America/Chicago)"),
        "the report's zone: {page}"
    );
    // The API stays UTC.
    let api = app
        .get(&format!("/api/v1/events/{}", stored[0].id))
        .await
        .json();
    assert_eq!(api["starts_at"], "2026-03-10T14:00:00Z");
}

#[tokio::test]
async fn a_run_of_ten_weekly_webinars_is_made_in_one_form() {
    let app = TestApp::new().await;
    let issuer = chicago(&app).await;
    let issuer_id = util::id(&issuer);
    let series = app
        .post(
            "/api/v1/series",
            json!({ "issuer_id": issuer_id, "title": "Cataloguing basics" }),
        )
        .await
        .json();
    let series_id = util::id(&series);
    let (cookie, csrf) = admin(&app).await;
    let page = get(&app, "/console/events/run", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("type=\"datetime-local\""));

    let wrong = post(
        &app,
        "/console/events/run",
        &cookie,
        &[
            ("csrf", &csrf),
            ("issuer", &issuer_id),
            ("series", &series_id),
            ("title", ""),
            ("first_start", "soon"),
            ("count", "0"),
            ("every", "1"),
            ("unit", "weeks"),
            ("duration_minutes", "60"),
        ],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let html = wrong.text();
    for field in ["title", "first_start", "count"] {
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {html}"
        );
    }
    assert!(events(&app).await.is_empty(), "nothing stored");

    let made = post(
        &app,
        "/console/events/run",
        &cookie,
        &[
            ("csrf", &csrf),
            ("issuer", &issuer_id),
            ("series", &series_id),
            ("title", "Webinar {n}"),
            ("first_start", "2026-02-24T09:00"),
            ("count", "10"),
            ("every", "1"),
            ("unit", "weeks"),
            ("duration_minutes", "60"),
            ("format", "online"),
        ],
    )
    .await;
    assert_eq!(location(&made), format!("/console/series/{series_id}"));
    let stored = events(&app).await;
    assert_eq!(stored.len(), 10);
    assert_eq!(stored[0].title, "Webinar 1");
    assert_eq!(stored[9].title, "Webinar 10");
    assert_eq!(stored[0].starts_at, utc("2026-02-24T15:00:00Z"), "CST");
    assert_eq!(stored[2].starts_at, utc("2026-03-10T14:00:00Z"), "CDT");
    assert!(
        stored
            .iter()
            .all(|e| e.series_id.map(|s| s.to_string()) == Some(series_id.clone()))
    );
    let series_page = get(&app, &format!("/console/series/{series_id}"), &cookie)
        .await
        .text();
    assert!(series_page.contains("Webinar 10"), "{series_page}");
    assert_eq!(
        series_page.matches(", 09:00 C").count(),
        10,
        "{series_page}"
    );
}

#[tokio::test]
async fn editing_a_session_awards_the_newly_qualified_and_keeps_every_badge() {
    let app = TestApp::new().await;
    let issuer = chicago(&app).await;
    let event = app
        .post(
            "/api/v1/events",
            json!({
                "issuer_id": issuer["id"],
                "title": "Cataloguing webinar",
                "starts_at": "2026-03-10T14:00:00Z",
                "duration_minutes": 60,
            }),
        )
        .await
        .json();
    let event_id = util::id(&event);
    let badge = app
        .achievement(
            &issuer,
            json!({ "award_rules": [{ "kind": "participation", "session": event_id, "min_percent": 75 }] }),
        )
        .await;
    let recorded = app
        .post(
            &format!("/api/v1/events/{event_id}/attendance"),
            json!({ "attendance": [
                { "email": "a@example.org", "minutes": 50 },
                { "email": "b@example.org", "minutes": 40 },
            ] }),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.text());
    let (cookie, csrf) = admin(&app).await;
    let edit_path = format!("/console/events/{event_id}/edit");
    let page = get(&app, &edit_path, &cookie).await.text();
    assert!(page.contains("value=\"2026-03-10T09:00\""), "{page}");
    assert!(page.contains("value=\"Cataloguing webinar\""));

    let wrong = post(
        &app,
        &edit_path,
        &cookie,
        &[
            ("csrf", &csrf),
            ("title", ""),
            ("starts_at", "2026-03-10T09:00"),
            ("duration_minutes", "an hour"),
        ],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.text().contains("id=\"title-error\""));
    assert!(wrong.text().contains("id=\"duration_minutes-error\""));
    let id: Uuid = event_id.parse().unwrap();
    assert_eq!(
        app.state.store.event(id).await.unwrap().duration_minutes,
        60,
        "nothing stored"
    );

    let shorter = post(
        &app,
        &edit_path,
        &cookie,
        &[
            ("csrf", &csrf),
            ("title", "Cataloguing webinar"),
            ("starts_at", "2026-03-10T09:30"),
            ("duration_minutes", "50"),
            ("format", "online"),
        ],
    )
    .await;
    let after = location(&shorter);
    assert_eq!(after, format!("{edit_path}?saved=1&awarded=1&kept=0"));
    assert!(
        get(&app, &after, &cookie)
            .await
            .text()
            .contains("Saved. 1 person newly awarded under the new details.")
    );
    let stored = app.state.store.event(id).await.unwrap();
    assert_eq!(stored.starts_at, utc("2026-03-10T14:30:00Z"));
    let longer = post(
        &app,
        &edit_path,
        &cookie,
        &[
            ("csrf", &csrf),
            ("title", "Cataloguing webinar"),
            ("starts_at", "2026-03-10T09:30"),
            ("duration_minutes", "90"),
            ("format", "online"),
        ],
    )
    .await;
    let after = location(&longer);
    let shown = get(&app, &after, &cookie).await.text();
    assert!(
        shown.contains("2 people already awarded would not qualify under the new details; their badges are kept."),
        "{shown}"
    );
    let awards = app
        .state
        .store
        .awards_for(
            util::id(&badge).parse().unwrap(),
            &["a@example.org".into(), "b@example.org".into()],
        )
        .await
        .unwrap();
    assert_eq!(awards.len(), 2);
    assert!(
        awards.iter().all(|a| a.revoked_at.is_none()),
        "nobody loses a badge"
    );
    let (entries, _) = app.state.store.list_audit(50, 0).await.unwrap();
    let edit = entries
        .iter()
        .find(|e| e.action == "event.update" && e.detail.contains("\"to\":90"))
        .expect("the edit is audited");
    assert!(edit.detail.contains("duration_minutes"), "{}", edit.detail);

    // The API's edit says the same.
    let path = format!("/api/v1/events/{event_id}");
    let back = app
        .patch(&path, json!({ "duration_minutes": 50 }))
        .await
        .json();
    assert_eq!(
        (back["kept"].clone(), back["awards"][0]["created"].clone()),
        (json!(0), json!(0))
    );
    let patched = app
        .patch(&path, json!({ "duration_minutes": 90 }))
        .await
        .json();
    assert_eq!(patched["kept"], 2);
}

#[tokio::test]
async fn a_session_and_a_badge_are_duplicated() {
    let app = TestApp::new().await;
    let issuer = chicago(&app).await;
    let event = app
        .post(
            "/api/v1/events",
            json!({
                "issuer_id": issuer["id"],
                "title": "Cataloguing webinar",
                "starts_at": "2026-01-13T15:00:00Z",
                "duration_minutes": 45,
                "format": "in_person",
            }),
        )
        .await
        .json();
    let (cookie, csrf) = admin(&app).await;
    let page = get(
        &app,
        &format!("/console/events/{}/duplicate", util::id(&event)),
        &cookie,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("value=\"2026-01-13T09:00\""), "{html}");
    assert!(html.contains("value=\"45\""));
    assert!(html.contains("action=\"/console/events\""));
    let made = post(
        &app,
        "/console/events",
        &cookie,
        &[
            ("csrf", &csrf),
            ("issuer", &util::id(&issuer)),
            ("title", "Cataloguing webinar"),
            ("starts_at", "2026-01-20T09:00"),
            ("duration_minutes", "45"),
            ("format", "in_person"),
        ],
    )
    .await;
    location(&made);
    assert_eq!(events(&app).await.len(), 2);

    let badge = app
        .achievement(
            &issuer,
            json!({ "name": "Cataloguer", "award_rules": [{ "kind": "participation", "session": util::id(&event) }] }),
        )
        .await;
    let badge_path = format!("/console/achievements/{}", util::id(&badge));
    assert!(
        get(&app, &badge_path, &cookie)
            .await
            .text()
            .contains(&format!("action=\"{badge_path}/duplicate\""))
    );
    let copied = post(
        &app,
        &format!("{badge_path}/duplicate"),
        &cookie,
        &[("csrf", &csrf)],
    )
    .await;
    let copy_path = location(&copied);
    assert_ne!(copy_path, badge_path);
    let copy_id: Uuid = copy_path.rsplit('/').next().unwrap().parse().unwrap();
    let copy = app.state.store.achievement(copy_id).await.unwrap();
    let original = app
        .state
        .store
        .achievement(util::id(&badge).parse().unwrap())
        .await
        .unwrap();
    assert_eq!(copy.name, "Copy of Cataloguer");
    assert_eq!(copy.award_rules, original.award_rules);
    assert_eq!(copy.description, original.description);
    assert_eq!(copy.image, original.image);
}

#[tokio::test]
async fn a_series_lists_its_sessions_and_is_renamed() {
    let app = TestApp::new().await;
    let issuer = chicago(&app).await;
    let series = app
        .post(
            "/api/v1/series",
            json!({ "issuer_id": issuer["id"], "title": "Cataloguing basics" }),
        )
        .await
        .json();
    app.post(
        "/api/v1/events",
        json!({
            "issuer_id": issuer["id"],
            "series_id": series["id"],
            "title": "Part one",
            "starts_at": "2026-11-02T15:00:00Z",
            "duration_minutes": 60,
        }),
    )
    .await;
    let (cookie, csrf) = admin(&app).await;
    let path = format!("/console/series/{}", util::id(&series));
    let page = get(&app, &path, &cookie).await.text();
    assert!(page.contains("Part one"), "{page}");
    assert!(page.contains("Mon 2 November 2026, 09:00 CST"), "{page}");

    let wrong = post(&app, &path, &cookie, &[("csrf", &csrf), ("title", " ")]).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.text().contains("Give the series a title."));
    let id: Uuid = util::id(&series).parse().unwrap();
    assert_eq!(
        app.state.store.series(id).await.unwrap().title,
        "Cataloguing basics"
    );

    let renamed = post(
        &app,
        &path,
        &cookie,
        &[
            ("csrf", &csrf),
            ("title", "Cataloguing essentials"),
            ("description", "Four webinars."),
        ],
    )
    .await;
    assert_eq!(location(&renamed), format!("{path}?saved=1"));
    let stored = app.state.store.series(id).await.unwrap();
    assert_eq!(stored.title, "Cataloguing essentials");
    assert_eq!(stored.description.as_deref(), Some("Four webinars."));
}

#[tokio::test]
async fn a_new_series_with_mistakes_shows_them_beside_its_fields_and_stores_nothing() {
    let app = TestApp::new().await;
    let issuer = chicago(&app).await;
    let (cookie, csrf) = admin(&app).await;

    let wrong = post(
        &app,
        "/console/series",
        &cookie,
        &[("csrf", &csrf), ("issuer", ""), ("title", " ")],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let page = wrong.text();
    assert!(page.contains(r#"id="issuer-error""#), "{page}");
    assert!(page.contains("Choose the issuer of the series."), "{page}");
    assert!(page.contains(r#"id="title-error""#), "{page}");
    assert!(page.contains("Give the series a title."), "{page}");
    assert!(
        page.contains("New session"),
        "the sessions page is shown again: {page}"
    );
    assert!(app.state.store.list_series(None).await.unwrap().is_empty());

    let made = post(
        &app,
        "/console/series",
        &cookie,
        &[
            ("csrf", &csrf),
            ("issuer", util::id(&issuer).as_str()),
            ("title", "Metadata month"),
        ],
    )
    .await;
    let series = app.state.store.list_series(None).await.unwrap();
    assert_eq!(series.len(), 1);
    assert_eq!(location(&made), format!("/console/series/{}", series[0].id));
}
