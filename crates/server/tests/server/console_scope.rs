//! Issuer managers see and change only their issuers' things, on every console route.
//!
//! Issuer B gets a badge, an award, a session in a series, and a finished attendance import.
//! Then a manager of issuer A only, and a manager of no issuer at all, walk every route of
//! [`console::ROUTES`] (GET pages and CSVs, and POST actions with their valid CSRF token)
//! with B's ids. Nothing of B may be shown, and the store must hold exactly what it held
//! before. A route added to the console without a case here fails the test, so none is
//! forgotten. Runs on SQLite, and on PostgreSQL when `LAUREL_TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::util;
use crate::util::forms;

use std::time::Duration;

use axum::http::{Method, StatusCode, header};
use forms::{form, hidden_csrf, session_cookie};
use laurel_server::console;
use laurel_store::{AwardFilter, EventFilter, NotificationFilter, Role};
use serde_json::{Value, json};
use util::{TestApp, now};
use uuid::Uuid;

const PASSWORD: &str = "correct horse battery staple";

/// What only issuer B's things contain: none may appear on a page shown to the others.
const B_MARKERS: &[&str] = &[
    "Their Association",
    "Their badge",
    "theirs@example.org",
    "Their Person",
    "theirs-attendee@example.org",
    "Their session",
    "Their series",
];

/// Signs `username` in; the session cookie header and the session's CSRF token.
async fn signed_in(app: &TestApp, username: &str) -> (String, String) {
    let session = session_cookie(app, username, PASSWORD).await;
    let dashboard = app
        .send(
            Method::GET,
            "/console",
            None,
            None,
            None,
            &[("cookie", &session)],
        )
        .await;
    (session, hidden_csrf(&dashboard.text()))
}

/// Issuer B's things, by id.
struct Theirs {
    issuer: String,
    achievement: String,
    award: String,
    event: String,
    series: String,
    import: String,
    admin: String,
    token: String,
    endorsement: String,
}

/// Issuers A ("Our Association") and B ("Their Association") with a badge and an award each;
/// B also has a series, a session in it and a finished import; an administrator; a manager of
/// A ("mia") and a manager of no issuer ("nil").
async fn two_issuers(app: &TestApp) -> Theirs {
    let ours = app.issuer(json!({ "name": "Our Association" })).await;
    let theirs = app.issuer(json!({ "name": "Their Association" })).await;
    let our_badge = app.achievement(&ours, json!({ "name": "Our badge" })).await;
    let their_badge = app
        .achievement(&theirs, json!({ "name": "Their badge" }))
        .await;
    let ours_award = app
        .award(&our_badge, json!({ "email": "ours@example.org" }))
        .await;
    assert_eq!(ours_award.status, StatusCode::CREATED);
    let award = app
        .award(
            &their_badge,
            json!({ "email": "theirs@example.org", "name": "Their Person" }),
        )
        .await;
    assert_eq!(award.status, StatusCode::CREATED, "{}", award.text());
    let series = app
        .post(
            "/api/v1/series",
            json!({ "issuer_id": theirs["id"], "title": "Their series" }),
        )
        .await;
    assert_eq!(series.status, StatusCode::CREATED, "{}", series.text());
    let event = app
        .post(
            "/api/v1/events",
            json!({
                "issuer_id": theirs["id"],
                "series_id": series.json()["id"],
                "title": "Their session",
                "starts_at": "2026-02-02T14:00:00Z",
                "duration_minutes": 60,
                "format": "online",
            }),
        )
        .await;
    assert_eq!(event.status, StatusCode::CREATED, "{}", event.text());
    let event = event.json();
    let import = app
        .send(
            Method::POST,
            &format!("/api/v1/events/{}/attendance/import", util::id(&event)),
            Some(&app.admin),
            Some("text/csv"),
            Some(b"email,name,minutes\ntheirs-attendee@example.org,Attendee,55\n".to_vec()),
            &[],
        )
        .await;
    assert_eq!(import.status, StatusCode::ACCEPTED, "{}", import.text());
    let import = import.json();
    finished(app, &import).await;

    let admin = console::new_user("ada", PASSWORD, Role::Admin, Vec::new(), now()).unwrap();
    app.state.store.create_user(&admin).await.unwrap();
    let our_id: Uuid = util::id(&ours).parse().unwrap();
    for (name, issuers) in [("mia", vec![our_id]), ("nil", Vec::new())] {
        let user = console::new_user(name, PASSWORD, Role::Manager, issuers, now()).unwrap();
        app.state.store.create_user(&user).await.unwrap();
    }
    let token = app.state.store.list_tokens().await.unwrap().remove(0);
    let endorser = app.issuer(json!({ "name": "Their endorser" })).await;
    let endorsement = app
        .post(
            &format!(
                "/api/v1/achievements/{}/endorsements",
                util::id(&their_badge)
            ),
            json!({ "endorser_issuer_id": endorser["id"], "comment": "Recommended." }),
        )
        .await;
    assert_eq!(
        endorsement.status,
        StatusCode::CREATED,
        "{}",
        endorsement.text()
    );
    Theirs {
        issuer: util::id(&theirs),
        achievement: util::id(&their_badge),
        award: util::id(&award.json()),
        event: util::id(&event),
        series: util::id(&series.json()),
        import: util::id(&import),
        admin: admin.id.to_string(),
        token: token.id.to_string(),
        endorsement: util::id(&endorsement.json()),
    }
}

/// Waits for an import the service runs in the background to finish.
async fn finished(app: &TestApp, job: &Value) {
    for _ in 0..1_500 {
        let view = app.get(job["url"].as_str().expect("url")).await.json();
        if view["status"] == "succeeded" {
            return;
        }
        assert_ne!(view["status"], "failed", "{view}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the import did not finish: {job}");
}

/// Everything the console could change, as text.
async fn snapshot(app: &TestApp) -> String {
    let store = &app.state.store;
    let users: Vec<_> = store
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| {
            (
                u.username,
                u.role,
                u.issuer_ids,
                u.disabled_at,
                u.password_hash,
            )
        })
        .collect();
    let events = store.list_events(&EventFilter::default()).await.unwrap();
    let event_ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
    let mut email = Vec::new();
    for issuer in store.list_issuers().await.unwrap() {
        email.push(format!(
            "{:?}",
            store.email_settings(issuer.id).await.unwrap()
        ));
        email.push(format!(
            "{:?}",
            store.email_template(issuer.id).await.unwrap()
        ));
        email.push(format!(
            "{:?}",
            store.endorsements_of(issuer.id, None).await.unwrap()
        ));
    }
    for achievement in store.list_achievements(None).await.unwrap() {
        email.push(format!(
            "{:?}",
            store.email_template(achievement.id).await.unwrap()
        ));
        email.push(format!(
            "{:?}",
            store
                .endorsements_of(achievement.issuer_id, Some(achievement.id))
                .await
                .unwrap()
        ));
    }
    format!(
        "{email:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        store.list_issuers().await.unwrap(),
        store.all_keys().await.unwrap(),
        store.list_achievements(None).await.unwrap(),
        store
            .list_awards(&AwardFilter {
                limit: 1000,
                ..AwardFilter::default()
            })
            .await
            .unwrap(),
        events,
        store.list_series(None).await.unwrap(),
        store.list_imports(None, 1000).await.unwrap(),
        store.attendance_of(&event_ids).await.unwrap(),
        store
            .list_notifications(&NotificationFilter {
                limit: 1000,
                ..NotificationFilter::default()
            })
            .await
            .unwrap(),
        store.list_tokens().await.unwrap(),
        users,
    )
}

/// One request of the walk.
struct Walk {
    method: Method,
    path: String,
    content_type: &'static str,
    body: Vec<u8>,
    /// Whether it names one of B's things: then the answer must be a refusal.
    targets_b: bool,
}

/// The requests that walk `route` with B's ids. Panics for a route without a case.
fn walks(method: &Method, path: &str, b: &Theirs, csrf: &str) -> Vec<Walk> {
    let get = |path: String, targets_b: bool| Walk {
        method: Method::GET,
        path,
        content_type: "",
        body: Vec::new(),
        targets_b,
    };
    let post = |path: String, pairs: &[(&str, &str)], targets_b: bool| {
        let mut pairs = pairs.to_vec();
        pairs.push(("csrf", csrf));
        Walk {
            method: Method::POST,
            path,
            content_type: "application/x-www-form-urlencoded",
            body: form(&pairs),
            targets_b,
        }
    };
    let image = |path: String| Walk {
        method: Method::POST,
        path,
        content_type: "image/png",
        body: include_bytes!("../../../service/src/images/medal.png").to_vec(),
        targets_b: true,
    };
    let report = "email,name,minutes\nintruder@example.org,Intruder,60\n";
    match (method.as_str(), path) {
        ("GET", "/console" | "/console/sign-in" | "/console/password" | "/console/audit")
        | ("GET", "/console/audit.csv")
        | ("GET", "/console/tokens" | "/console/users" | "/console/issuers")
        | ("GET", "/console/events" | "/console/achievements") => {
            vec![get(path.to_string(), false)]
        }
        ("GET", "/console/awards" | "/console/awards.csv") => vec![
            get(path.to_string(), false),
            get(format!("{path}?q=theirs"), false),
            get(format!("{path}?achievement={}", b.achievement), false),
        ],
        // Addresses typed with capitals: the page shows what was asked as typed, and must
        // show nothing of B's records.
        ("GET", "/console/recipients") => vec![
            get(path.to_string(), false),
            get(format!("{path}?email=Theirs@Example.org"), false),
            get(format!("{path}?email=Theirs-Attendee@Example.org"), false),
            get(format!("{path}?q=theirs"), false),
            get(format!("{path}?q=Theirs@Example.org"), false),
        ],
        ("GET", "/console/issuers/{id}") => {
            vec![get(format!("/console/issuers/{}", b.issuer), true)]
        }
        ("GET", "/console/events/{id}") => vec![get(format!("/console/events/{}", b.event), true)],
        ("GET", "/console/events/run") => vec![get(path.to_string(), false)],
        ("GET", "/console/events/{id}/edit" | "/console/events/{id}/duplicate") => {
            vec![get(path.replace("{id}", &b.event), true)]
        }
        ("GET", "/console/series/{id}") => vec![get(format!("/console/series/{}", b.series), true)],
        ("POST", "/console/events/run") => vec![post(
            path.into(),
            &[
                ("issuer", &b.issuer),
                ("series", &b.series),
                ("title", "Intruder {n}"),
                ("first_start", "2026-03-10T14:00"),
                ("count", "3"),
                ("every", "1"),
                ("unit", "weeks"),
                ("duration_minutes", "60"),
            ],
            true,
        )],
        ("POST", "/console/events/{id}/edit") => vec![post(
            format!("/console/events/{}/edit", b.event),
            &[
                ("title", "Hijacked session"),
                ("starts_at", "2026-03-10T14:00"),
                ("duration_minutes", "60"),
            ],
            true,
        )],
        ("POST", "/console/series/{id}") => vec![post(
            format!("/console/series/{}", b.series),
            &[("title", "Hijacked series")],
            true,
        )],
        ("POST", "/console/achievements/{id}/duplicate") => vec![post(
            format!("/console/achievements/{}/duplicate", b.achievement),
            &[],
            true,
        )],
        ("GET", "/console/imports/{id}") => {
            vec![get(format!("/console/imports/{}", b.import), true)]
        }
        ("GET", "/console/imports/{id}/result.csv") => vec![get(
            format!("/console/imports/{}/result.csv", b.import),
            true,
        )],
        ("GET", "/console/achievements/{id}") => vec![get(
            format!("/console/achievements/{}", b.achievement),
            true,
        )],
        ("POST", "/console/sign-in") => vec![post(
            path.into(),
            &[("username", "ada"), ("password", PASSWORD)],
            false,
        )],
        // Walked last: it ends the session.
        ("POST", "/console/sign-out") => vec![post(path.into(), &[], false)],
        ("POST", "/console/password") => vec![post(
            path.into(),
            &[
                ("current", "not the password at all"),
                ("new", "a new password here"),
                ("again", "a new password here"),
            ],
            false,
        )],
        ("POST", "/console/awards/new") => vec![post(
            path.into(),
            &[
                ("achievement", &b.achievement),
                ("email", "intruder@example.org"),
            ],
            true,
        )],
        ("POST", "/console/awards/{id}/{action}") => ["revoke", "suspend", "unsuspend", "notify"]
            .iter()
            .map(|action| {
                post(
                    format!("/console/awards/{}/{action}", b.award),
                    &[("reason", "intruder")],
                    true,
                )
            })
            .collect(),
        ("POST", "/console/tokens") => vec![post(
            path.into(),
            &[("name", "intruder"), ("scope", "admin")],
            false,
        )],
        ("POST", "/console/tokens/revoke") => vec![post(path.into(), &[("id", &b.token)], true)],
        ("POST", "/console/users") => vec![post(
            path.into(),
            &[
                ("username", "intruder"),
                ("password", PASSWORD),
                ("role", "manager"),
                ("issuers", &b.issuer),
            ],
            true,
        )],
        ("POST", "/console/users/toggle") => vec![post(path.into(), &[("id", &b.admin)], true)],
        ("POST", "/console/issuers") => vec![post(
            path.into(),
            &[
                ("name", "Intruder Inc"),
                ("url", "https://intruder.example.org"),
            ],
            false,
        )],
        ("POST", "/console/issuers/{id}") => vec![post(
            format!("/console/issuers/{}", b.issuer),
            &[
                ("name", "Hijacked"),
                ("url", "https://intruder.example.org"),
            ],
            true,
        )],
        ("POST", "/console/issuers/{id}/rotate-keys") => vec![post(
            format!("/console/issuers/{}/rotate-keys", b.issuer),
            &[],
            true,
        )],
        ("POST", "/console/issuers/{id}/image") => {
            vec![image(format!("/console/issuers/{}/image", b.issuer))]
        }
        ("POST", "/console/events") => vec![post(
            path.into(),
            &[
                ("issuer", &b.issuer),
                ("title", "Intruder session"),
                ("starts_at", "2026-03-10 14:00"),
                ("duration_minutes", "60"),
            ],
            true,
        )],
        ("POST", "/console/series") => vec![post(
            path.into(),
            &[("issuer", &b.issuer), ("title", "Intruder series")],
            true,
        )],
        ("POST", "/console/events/{id}/import") => ["review", "confirm"]
            .iter()
            .map(|action| {
                post(
                    format!("/console/events/{}/import", b.event),
                    &[("report", report), ("action", action)],
                    true,
                )
            })
            .collect(),
        ("POST", "/console/achievements") => vec![post(
            path.into(),
            &[
                ("issuer", &b.issuer),
                ("name", "Intruder badge"),
                ("description", "Made by an intruder."),
                ("criteria_narrative", "None."),
                ("action", "save"),
            ],
            true,
        )],
        ("POST", "/console/achievements/{id}") => vec![post(
            format!("/console/achievements/{}", b.achievement),
            &[
                ("issuer", &b.issuer),
                ("name", "Hijacked badge"),
                ("description", "Changed by an intruder."),
                ("criteria_narrative", "None."),
                ("action", "save"),
            ],
            true,
        )],
        ("POST", "/console/achievements/{id}/image") => {
            vec![image(format!(
                "/console/achievements/{}/image",
                b.achievement
            ))]
        }
        ("GET", "/console/reports" | "/console/reports.csv") => vec![
            get(path.to_string(), false),
            get(format!("{path}?issuer={}", b.issuer), false),
        ],
        ("GET", "/console/awards/{id}/{action}") => ["revoke", "suspend"]
            .iter()
            .map(|action| get(format!("/console/awards/{}/{action}", b.award), true))
            .collect(),
        ("GET", "/console/issuers/{id}/email" | "/console/issuers/{id}/email/template") => {
            vec![get(path.replace("{id}", &b.issuer), true)]
        }
        ("POST", "/console/issuers/{id}/email") => vec![post(
            format!("/console/issuers/{}/email", b.issuer),
            &[
                ("host", "smtp.intruder.example"),
                ("from_address", "intruder@example.org"),
            ],
            true,
        )],
        ("GET", "/console/issuers/{id}/categories") => vec![get(
            format!("/console/issuers/{}/categories", b.issuer),
            true,
        )],
        ("POST", "/console/issuers/{id}/categories") => vec![post(
            format!("/console/issuers/{}/categories", b.issuer),
            &[("categories", "Hijacked")],
            true,
        )],
        ("POST", "/console/achievements/{id}/category") => vec![post(
            format!("/console/achievements/{}/category", b.achievement),
            &[("category", "")],
            true,
        )],
        // Only the manager's own issuers' credentials are on a transcript.
        ("GET", "/console/recipients/transcript") => {
            vec![get(format!("{path}?email=Theirs@Example.org"), false)]
        }
        ("GET", "/console/transcripts") => vec![
            get(path.to_string(), false),
            get(format!("{path}?format=csv"), false),
        ],
        ("POST", "/console/issuers/{id}/email/test") => vec![post(
            format!("/console/issuers/{}/email/test", b.issuer),
            &[("to", "intruder@example.org")],
            true,
        )],
        ("POST", "/console/issuers/{id}/email/template") => ["save", "reset", "preview"]
            .iter()
            .map(|action| {
                post(
                    format!("/console/issuers/{}/email/template", b.issuer),
                    &[
                        ("subject", "Hijacked"),
                        ("text", "Hijacked"),
                        ("action", action),
                    ],
                    true,
                )
            })
            .collect(),
        ("GET", "/console/achievements/{id}/email") => {
            vec![get(
                format!("/console/achievements/{}/email", b.achievement),
                true,
            )]
        }
        ("POST", "/console/achievements/{id}/email") => ["save", "reset", "preview"]
            .iter()
            .map(|action| {
                post(
                    format!("/console/achievements/{}/email", b.achievement),
                    &[
                        ("subject", "Hijacked"),
                        ("text", "Hijacked"),
                        ("action", action),
                    ],
                    true,
                )
            })
            .collect(),
        ("GET", "/console/achievements/{id}/endorsements") => {
            vec![get(path.replace("{id}", &b.achievement), true)]
        }
        ("GET", "/console/issuers/{id}/endorsements") => {
            vec![get(path.replace("{id}", &b.issuer), true)]
        }
        (
            "POST",
            "/console/achievements/{id}/endorsements" | "/console/issuers/{id}/endorsements",
        ) => {
            let id = if path.starts_with("/console/achievements") {
                &b.achievement
            } else {
                &b.issuer
            };
            vec![
                post(
                    path.replace("{id}", id),
                    &[
                        ("action", "sign"),
                        ("endorser", &b.issuer),
                        ("comment", "Hijacked"),
                    ],
                    true,
                ),
                post(
                    path.replace("{id}", id),
                    &[("action", "import"), ("credential", "{}")],
                    true,
                ),
            ]
        }
        ("POST", "/console/endorsements/{id}/withdraw") => vec![post(
            format!("/console/endorsements/{}/withdraw", b.endorsement),
            &[],
            true,
        )],
        ("GET", "/console/achievements/{id}/pathway") => {
            vec![get(
                format!("/console/achievements/{}/pathway", b.achievement),
                true,
            )]
        }
        ("POST", "/console/achievements/{id}/pathway") => ["save", "delete", "evaluate"]
            .iter()
            .map(|action| {
                post(
                    format!("/console/achievements/{}/pathway", b.achievement),
                    &[("g0_badge", b.achievement.as_str()), ("action", action)],
                    true,
                )
            })
            .collect(),
        (method, path) => panic!(
            "the console route {method} {path} has no case in this test: add one, so that \
             managers of another issuer are checked on it"
        ),
    }
}

/// `username` walks every console route with B's ids: nothing of B is shown or changed.
async fn walk_as(app: &TestApp, b: &Theirs, username: &str) {
    let (session, csrf) = signed_in(app, username).await;
    let before = snapshot(app).await;
    let mut routes: Vec<&console::Route> = console::ROUTES.iter().collect();
    // Signing out ends the session the walk uses: last.
    routes.sort_by_key(|r| r.path == "/console/sign-out");
    let mut walked = 0;
    for route in routes {
        for walk in walks(&route.method, route.path, b, &csrf) {
            let mut headers = vec![("cookie", session.as_str())];
            if walk.content_type == "image/png" {
                headers.push(("x-csrf-token", csrf.as_str()));
            }
            let content_type = (!walk.content_type.is_empty()).then_some(walk.content_type);
            let body = (walk.method == Method::POST).then(|| walk.body.clone());
            let response = app
                .send(
                    walk.method.clone(),
                    &walk.path,
                    None,
                    content_type,
                    body,
                    &headers,
                )
                .await;
            let what = format!("{username}: {} {}", walk.method, walk.path);
            let text = response.text();
            for marker in B_MARKERS {
                assert!(!text.contains(marker), "{what} shows {marker:?}: {text}");
            }
            let location = response.headers.get(header::LOCATION);
            if route.path != "/console/sign-out" {
                assert!(
                    location.is_none_or(|l| l != "/console/sign-in"),
                    "{what}: the walk was signed out, so it proves nothing"
                );
            }
            if walk.targets_b {
                assert!(
                    matches!(
                        response.status,
                        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
                    ),
                    "{what} answered {}: {text}",
                    response.status
                );
            }
            walked += 1;
        }
    }
    assert!(walked > console::ROUTES.len());
    assert_eq!(snapshot(app).await, before, "{username} changed something");
}

async fn managers_of_other_issuers_see_and_change_nothing(app: TestApp) {
    let b = two_issuers(&app).await;
    // The walk is not vacuous: the same pages show a manager their own issuer's things, and
    // an administrator B's.
    let (mia, _) = signed_in(&app, "mia").await;
    let awards = app
        .send(
            Method::GET,
            "/console/awards",
            None,
            None,
            None,
            &[("cookie", &mia)],
        )
        .await;
    assert!(awards.text().contains("ours@example.org"));
    let (ada, _) = signed_in(&app, "ada").await;
    for path in [
        format!("/console/imports/{}", b.import),
        format!("/console/imports/{}/result.csv", b.import),
    ] {
        let page = app
            .send(Method::GET, &path, None, None, None, &[("cookie", &ada)])
            .await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            page.text().contains("theirs-attendee@example.org"),
            "{path}"
        );
    }
    walk_as(&app, &b, "mia").await;
    walk_as(&app, &b, "nil").await;
}

#[tokio::test]
async fn on_sqlite() {
    managers_of_other_issuers_see_and_change_nothing(TestApp::new().await).await;
}

#[tokio::test]
async fn on_postgres() {
    let Some(db) = util::PostgresDb::create().await else {
        eprintln!("LAUREL_TEST_POSTGRES_URL is not set: the PostgreSQL half is not run");
        return;
    };
    let store = laurel_store::connect(&db.url).await.unwrap();
    let (vault, _) = laurel_service::Vault::generate().unwrap();
    let app = TestApp::builder()
        .store(store, vault, tempfile::tempdir().unwrap())
        .build()
        .await;
    managers_of_other_issuers_see_and_change_nothing(app).await;
    drop(db);
}
