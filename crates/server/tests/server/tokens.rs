//! Tokens limited to issuers, expiring tokens, their last use, read tokens without recipients'
//! emails, and the audit log of API calls: as a client and the store see them, on SQLite and
//! (with `LAUREL_TEST_POSTGRES_URL`) PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::util;

use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Duration, Utc};
use laurel_server::api;
use laurel_service::{Clock, Vault};
use laurel_store::AuditFilter;
use serde_json::{Value, json};
use util::{TestApp, TestResponse, id};
use uuid::Uuid;

/// A clock tests can move.
struct MovableClock(Mutex<DateTime<Utc>>);

impl Clock for MovableClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// An app on PostgreSQL, or `None` without `LAUREL_TEST_POSTGRES_URL`.
async fn postgres_app() -> Option<(TestApp, util::PostgresDb)> {
    let db = util::PostgresDb::create().await?;
    let store = laurel_store::connect(&db.url)
        .await
        .expect("postgres store");
    let (vault, _) = Vault::generate().expect("vault");
    let app = TestApp::builder()
        .store(store, vault, tempfile::tempdir().unwrap())
        .build()
        .await;
    Some((app, db))
}

/// One issuer's things, made through the API as an unlimited admin.
struct Division {
    issuer: String,
    achievement: String,
    award: String,
    series: String,
    event: String,
    import: String,
    endorsement: String,
}

async fn division(app: &TestApp, name: &str, email: &str) -> Division {
    let issuer = app.issuer(json!({ "name": name })).await;
    let settings = app
        .call(
            Method::PUT,
            &format!("/api/v1/issuers/{}/email", id(&issuer)),
            Some(&app.admin),
            Some(&json!({ "host": "smtp.example.org", "from_address": "badges@example.org", "dry_run": true })),
        )
        .await;
    assert_eq!(settings.status, StatusCode::OK, "{}", settings.text());
    let achievement = app.achievement(&issuer, json!({})).await;
    let award = app
        .award(
            &achievement,
            json!({ "email": email, "name": "Ada Lovelace" }),
        )
        .await;
    assert_eq!(award.status, StatusCode::CREATED, "{}", award.text());
    let series = app
        .post(
            "/api/v1/series",
            json!({ "issuer_id": id(&issuer), "title": "Webinars" }),
        )
        .await;
    assert_eq!(series.status, StatusCode::CREATED, "{}", series.text());
    let event = app
        .post(
            "/api/v1/events",
            json!({ "issuer_id": id(&issuer), "title": "Cataloguing", "starts_at": "2026-02-01T10:00:00Z", "duration_minutes": 60 }),
        )
        .await;
    assert_eq!(event.status, StatusCode::CREATED, "{}", event.text());
    let import = app
        .send(
            Method::POST,
            &format!("/api/v1/events/{}/attendance/import", id(&event.json())),
            Some(&app.admin),
            Some("text/csv"),
            Some(format!("email,minutes\n{email},55\n").into_bytes()),
            &[],
        )
        .await;
    assert_eq!(import.status, StatusCode::ACCEPTED, "{}", import.text());
    let endorser = app
        .issuer(json!({ "name": format!("{name} endorser") }))
        .await;
    let endorsement = app
        .post(
            &format!("/api/v1/achievements/{}/endorsements", id(&achievement)),
            json!({ "endorser_issuer_id": id(&endorser), "comment": "Recommended." }),
        )
        .await;
    assert_eq!(
        endorsement.status,
        StatusCode::CREATED,
        "{}",
        endorsement.text()
    );
    Division {
        issuer: id(&issuer),
        achievement: id(&achievement),
        award: id(&award.json()),
        series: id(&series.json()),
        event: id(&event.json()),
        import: id(&import.json()),
        endorsement: id(&endorsement.json()),
    }
}

/// The answer for `path`, with `id` replaced by a placeholder, for comparing answers about
/// different ids.
fn anonymous(response: &TestResponse, ids: &[&str]) -> (StatusCode, String) {
    let mut text = response.text();
    for id in ids {
        text = text.replace(id, "{id}");
    }
    (response.status, text)
}

/// A body each route accepts (so that only the id decides the answer).
fn body_for(method: &Method, path: &str) -> (Option<&'static str>, Option<Vec<u8>>) {
    let json = |value: Value| {
        (
            Some("application/json"),
            Some(value.to_string().into_bytes()),
        )
    };
    match (method.as_str(), path) {
        ("PATCH", "/issuers/{id}" | "/achievements/{id}") => json(json!({ "name": "Taken over" })),
        ("PATCH", "/series/{id}" | "/events/{id}") => json(json!({ "title": "Taken over" })),
        ("PUT", "/issuers/{id}/image" | "/achievements/{id}/image") => (
            Some("image/svg+xml"),
            Some(br#"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>"#.to_vec()),
        ),
        ("PUT", "/issuers/{id}/email") => {
            json(json!({ "host": "evil.example.org", "from_address": "x@example.org" }))
        }
        ("PUT", "/issuers/{id}/email/template" | "/achievements/{id}/email/template") => {
            json(json!({ "subject": "Hi", "text": "Hello {{recipient_name}}" }))
        }
        ("POST", "/achievements/{id}/awards") => json(json!({ "email": "mallory@example.org" })),
        ("PUT", "/issuers/{id}/categories") => json(json!({ "categories": ["Taken over"] })),
        ("PUT", "/achievements/{id}/category") => json(json!({ "category": null })),
        ("PUT", "/achievements/{id}/pathway") => json(json!({ "rule": { "steps": [] } })),
        ("POST", "/credentials/{id}/revoke") => json(json!({ "reason": "taken over" })),
        ("POST", "/achievements/{id}/endorsements" | "/issuers/{id}/endorsements") => {
            json(json!({ "endorser_issuer_id": Uuid::nil(), "comment": "Taken over" }))
        }
        ("POST", "/events/{id}/attendance") => {
            json(json!({ "attendance": [{ "email": "mallory@example.org", "minutes": 60 }] }))
        }
        ("POST", "/events/{id}/attendance/import") => (
            Some("text/csv"),
            Some(b"email,minutes\nmallory@example.org,60\n".to_vec()),
        ),
        _ => (None, None),
    }
}

/// The id of `other` a route with `{id}` names.
fn id_for<'a>(path: &str, other: &'a Division) -> &'a str {
    let kind = path.split('/').nth(1).unwrap_or("");
    match kind {
        "issuers" => &other.issuer,
        "achievements" => &other.achievement,
        "credentials" | "awards" => &other.award,
        "series" => &other.series,
        "events" => &other.event,
        "imports" => &other.import,
        "endorsements" => &other.endorsement,
        _ => panic!("no id of {path}: add its kind to this test"),
    }
}

async fn limited_token_sees_only_its_issuers(app: &TestApp) {
    let north = division(app, "North Division", "north@example.org").await;
    let south = division(app, "South Division", "south@example.org").await;
    let north_id = Uuid::parse_str(&north.issuer).unwrap();
    let token = app
        .token_with(&["admin"], |t| t.issuer_ids = vec![north_id])
        .await;
    let call = |method: Method, path: String, body: Option<Value>| {
        let token = token.clone();
        async move { app.call(method, &path, Some(&token), body.as_ref()).await }
    };
    let before = app
        .state
        .store
        .issuer_keys(Uuid::parse_str(&south.issuer).unwrap())
        .await
        .unwrap();

    let mut walked = 0;
    for route in api::ROUTES {
        let (method, path) = (route.method.clone(), route.path);
        let prefixed = |path: &str| format!("{}{path}", api::PREFIX);
        if path.starts_with("/tokens") {
            // Tokens are for every issuer's administrators only: a limited token could
            // otherwise mint itself a wider one.
            let path = prefixed(&path.replace("{id}", &Uuid::now_v7().to_string()));
            let body = (method == Method::POST).then(|| json!({"name": "wider", "scope": "admin"}));
            let refused = call(method.clone(), path, body).await;
            assert!(
                refused
                    .problem(StatusCode::FORBIDDEN)
                    .contains("cannot manage tokens"),
                "{method} {}",
                route.path
            );
            walked += 1;
            continue;
        }
        if path.contains("{id}") {
            // Another issuer's id answers exactly as a missing one.
            let theirs = id_for(path, &south).to_string();
            let missing = Uuid::now_v7().to_string();
            let (content_type, body) = body_for(&method, path);
            let mut answers = Vec::new();
            for id in [&theirs, &missing] {
                let response = app
                    .send(
                        method.clone(),
                        &prefixed(&path.replace("{id}", id)),
                        Some(&token),
                        content_type,
                        body.clone(),
                        &[],
                    )
                    .await;
                answers.push(anonymous(&response, &[&theirs, &missing]));
            }
            assert_eq!(
                answers[0].0,
                StatusCode::NOT_FOUND,
                "{method} {path}: {}",
                answers[0].1
            );
            assert_eq!(answers[0], answers[1], "{method} {path}");
            walked += 1;
            continue;
        }
        match (method.as_str(), path) {
            ("GET", "/openapi.json") | ("POST", "/verify") => continue,
            ("GET", "/issuers") => {
                let found = call(method, prefixed(path), None).await.json();
                let ids: Vec<&str> = found["issuers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["id"].as_str().unwrap())
                    .collect();
                assert_eq!(ids, [north.issuer.as_str()]);
            }
            ("POST", "/issuers") => {
                let refused = call(method, prefixed(path), Some(json!({ "name": "Rogue" }))).await;
                assert!(
                    refused
                        .problem(StatusCode::FORBIDDEN)
                        .contains("cannot create issuers")
                );
            }
            ("GET", "/achievements" | "/series" | "/events") => {
                let key = &path[1..];
                let found = call(method.clone(), prefixed(path), None).await.json();
                let items = found[key].as_array().unwrap();
                assert_eq!(items.len(), 1, "{path}: {found}");
                assert_eq!(items[0]["issuer_id"], north.issuer.as_str());
                let asked = call(
                    method,
                    format!("{}?issuer={}", prefixed(path), south.issuer),
                    None,
                )
                .await
                .json();
                assert_eq!(asked[key], json!([]), "{path}");
            }
            ("POST", "/achievements" | "/series" | "/events") => {
                let body = |issuer: &str| match path {
                    "/achievements" => {
                        json!({ "issuer_id": issuer, "name": "X", "description": "X" })
                    }
                    "/series" => json!({ "issuer_id": issuer, "title": "X" }),
                    _ => {
                        json!({ "issuer_id": issuer, "title": "X", "starts_at": "2026-02-01T10:00:00Z", "duration_minutes": 60 })
                    }
                };
                let missing = Uuid::now_v7().to_string();
                let theirs = call(method.clone(), prefixed(path), Some(body(&south.issuer))).await;
                let absent = call(method, prefixed(path), Some(body(&missing))).await;
                assert_eq!(
                    theirs.status,
                    StatusCode::NOT_FOUND,
                    "{path}: {}",
                    theirs.text()
                );
                assert_eq!(
                    anonymous(&theirs, &[&south.issuer, &missing]),
                    anonymous(&absent, &[&south.issuer, &missing])
                );
            }
            ("POST", "/credentials/revoke") => {
                let answer = call(
                    method,
                    prefixed(path),
                    Some(json!({ "ids": [south.award], "reason": "x" })),
                )
                .await;
                assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
                assert_eq!(
                    answer.json(),
                    json!({ "revoked": 0, "already_revoked": 0, "missing": [south.award] })
                );
            }
            ("GET", "/awards") => {
                let found = call(method.clone(), prefixed(path), None).await.json();
                assert_eq!(found["total"], 1, "{found}");
                assert_eq!(found["awards"][0]["id"], north.award.as_str());
                let asked = call(
                    method,
                    format!("{}?issuer={}", prefixed(path), south.issuer),
                    None,
                )
                .await
                .json();
                assert_eq!(asked["total"], 0);
            }
            ("GET", "/imports") => {
                let found = call(method, prefixed(path), None).await.json();
                let ids: Vec<&str> = found["imports"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["id"].as_str().unwrap())
                    .collect();
                assert_eq!(ids, [north.import.as_str()]);
            }
            ("GET", "/notifications") => {
                let found = call(method, prefixed(path), None).await.json();
                assert_eq!(found["total"], 1, "{found}");
                assert_eq!(
                    found["notifications"][0]["credential_id"],
                    north.award.as_str()
                );
            }
            ("GET", "/completions") => {
                let missing = Uuid::now_v7();
                let theirs = call(
                    method.clone(),
                    format!("{}?issuer={}", prefixed(path), south.issuer),
                    None,
                )
                .await;
                let absent =
                    call(method, format!("{}?issuer={missing}", prefixed(path)), None).await;
                assert_eq!(theirs.status, StatusCode::OK);
                assert_eq!(theirs.json(), absent.json());
            }
            ("POST", "/completions") => {
                let missing = Uuid::now_v7().to_string();
                let body = |issuer: &str| json!({ "issuer_id": issuer, "what": "course-1", "email": "mallory@example.org" });
                let theirs = call(method.clone(), prefixed(path), Some(body(&south.issuer))).await;
                let absent = call(method, prefixed(path), Some(body(&missing))).await;
                assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{}", theirs.text());
                assert_eq!(
                    anonymous(&theirs, &[&south.issuer, &missing]),
                    anonymous(&absent, &[&south.issuer, &missing])
                );
            }
            ("GET", "/recipients/{email}/transcript") => {
                let missing = Uuid::now_v7().to_string();
                let path = prefixed("/recipients/mallory@example.org/transcript");
                let theirs = call(
                    method.clone(),
                    format!("{path}?issuer={}", south.issuer),
                    None,
                )
                .await;
                let absent = call(method, format!("{path}?issuer={missing}"), None).await;
                assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{}", theirs.text());
                assert_eq!(
                    anonymous(&theirs, &[&south.issuer, &missing]),
                    anonymous(&absent, &[&south.issuer, &missing])
                );
            }
            _ => panic!("{method} {path} is not walked: add it to this test"),
        }
        walked += 1;
    }
    assert_eq!(
        walked,
        api::ROUTES.len() - 2,
        "every route but two without a token"
    );

    // Nothing of the other division changed.
    let store = &app.state.store;
    let south_issuer = store
        .issuer(Uuid::parse_str(&south.issuer).unwrap())
        .await
        .unwrap();
    assert_eq!(south_issuer.name, "South Division");
    assert_eq!(south_issuer.image, None);
    let award = store
        .award(Uuid::parse_str(&south.award).unwrap())
        .await
        .unwrap();
    assert_eq!((award.revoked_at, award.suspended_at), (None, None));
    let achievement = store
        .achievement(Uuid::parse_str(&south.achievement).unwrap())
        .await
        .unwrap();
    assert_eq!(achievement.name, "Catalogage avancé");
    assert_eq!(
        store
            .series(Uuid::parse_str(&south.series).unwrap())
            .await
            .unwrap()
            .title,
        "Webinars"
    );
    assert_eq!(
        store
            .event(Uuid::parse_str(&south.event).unwrap())
            .await
            .unwrap()
            .title,
        "Cataloguing"
    );
    assert_eq!(store.issuer_keys(south_issuer.id).await.unwrap(), before);
    let settings = store
        .email_settings(south_issuer.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(settings.host, "smtp.example.org");
    let attendance = store
        .attendance_of(&[Uuid::parse_str(&south.event).unwrap()])
        .await
        .unwrap();
    assert!(
        attendance
            .iter()
            .all(|a| a.recipient_email != "mallory@example.org")
    );

    // Within its own issuer the token works as its scope says.
    let changed = call(
        Method::PATCH,
        format!("/api/v1/achievements/{}", north.achievement),
        Some(json!({ "name": "Renamed" })),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    let revoked = call(
        Method::POST,
        format!("/api/v1/credentials/{}/revoke", north.award),
        Some(json!({ "reason": "left" })),
    )
    .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    assert!(
        store
            .award(Uuid::parse_str(&north.award).unwrap())
            .await
            .unwrap()
            .revoked_at
            .is_some()
    );
}

#[tokio::test]
async fn a_limited_token_finds_nothing_of_other_issuers_on_sqlite() {
    limited_token_sees_only_its_issuers(&TestApp::new().await).await;
}

#[tokio::test]
async fn a_limited_token_finds_nothing_of_other_issuers_on_postgres() {
    let Some((app, _db)) = postgres_app().await else {
        return;
    };
    limited_token_sees_only_its_issuers(&app).await;
}

async fn expiry_and_last_use(app: &TestApp, clock: &MovableClock) {
    let start = util::now();
    let token = app
        .token_with(&["read"], |t| {
            t.expires_at = Some(start + Duration::days(90))
        })
        .await;
    let last_used = || async {
        let tokens = app.state.store.list_tokens().await.unwrap();
        tokens
            .iter()
            .find(|t| t.expires_at.is_some())
            .unwrap()
            .last_used_at
    };
    assert_eq!(last_used().await, None);
    let get = || app.call(Method::GET, "/api/v1/issuers", Some(&token), None);
    assert_eq!(get().await.status, StatusCode::OK);
    assert_eq!(last_used().await, Some(start));
    // Within a minute, no write; after it, the time moves on.
    *clock.0.lock().unwrap() = start + Duration::seconds(30);
    assert_eq!(get().await.status, StatusCode::OK);
    assert_eq!(last_used().await, Some(start));
    *clock.0.lock().unwrap() = start + Duration::seconds(61);
    assert_eq!(get().await.status, StatusCode::OK);
    assert_eq!(last_used().await, Some(start + Duration::seconds(61)));
    // At its expiry it stops, saying when.
    *clock.0.lock().unwrap() = start + Duration::days(90);
    let expired = get().await;
    assert_eq!(
        expired.problem(StatusCode::UNAUTHORIZED),
        "the token expired on 2026-05-30T09:00:00Z: make a new one with `laurel token create`"
    );
    assert!(expired.headers.contains_key("www-authenticate"));
    assert_eq!(last_used().await, Some(start + Duration::seconds(61)));
}

#[tokio::test]
async fn tokens_expire_and_record_their_last_use_on_sqlite() {
    let clock = Arc::new(MovableClock(Mutex::new(util::now())));
    let app = TestApp::builder().clock(clock.clone()).build().await;
    expiry_and_last_use(&app, &clock).await;
}

#[tokio::test]
async fn tokens_expire_and_record_their_last_use_on_postgres() {
    let Some(db) = util::PostgresDb::create().await else {
        return;
    };
    let store = laurel_store::connect(&db.url)
        .await
        .expect("postgres store");
    let (vault, _) = Vault::generate().expect("vault");
    let clock = Arc::new(MovableClock(Mutex::new(util::now())));
    let app = TestApp::builder()
        .store(store, vault, tempfile::tempdir().unwrap())
        .clock(clock.clone())
        .build()
        .await;
    expiry_and_last_use(&app, &clock).await;
}

#[tokio::test]
async fn read_tokens_see_recipients_only_when_made_with_emails() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let award = app
        .award(
            &achievement,
            json!({ "email": "ada@example.org", "name": "Ada Lovelace" }),
        )
        .await
        .json();
    let event = app
        .post(
            "/api/v1/events",
            json!({ "issuer_id": id(&issuer), "title": "Webinar", "starts_at": "2026-02-01T10:00:00Z", "duration_minutes": 60 }),
        )
        .await
        .json();
    let recorded = app
        .post(
            &format!("/api/v1/events/{}/attendance", id(&event)),
            json!({ "attendance": [{ "email": "grace@example.org", "name": "Grace Hopper", "minutes": 50 }] }),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.text());

    let plain = app.token_with(&["read"], |t| t.with_emails = false).await;
    let with_emails = app.token_with(&["read"], |t| t.with_emails = true).await;
    let issuer_token = app.token_with(&["issue"], |t| t.with_emails = false).await;
    let award_path = format!("/api/v1/awards/{}", id(&award));
    let attendance_path = format!("/api/v1/events/{}/attendance", id(&event));

    let hidden = app
        .call(Method::GET, &award_path, Some(&plain), None)
        .await
        .json();
    assert_eq!(hidden["recipient_email"], Value::Null);
    assert_eq!(hidden["recipient_name"], Value::Null);
    assert_eq!(hidden["credential"], Value::Null);
    assert_eq!(hidden["jwt"], Value::Null);
    assert_eq!(hidden["id"], award["id"], "the rest is shown");
    let listed = app
        .call(Method::GET, "/api/v1/awards", Some(&plain), None)
        .await
        .json();
    assert_eq!(listed["awards"][0]["recipient_email"], Value::Null);
    let attendance = app
        .call(Method::GET, &attendance_path, Some(&plain), None)
        .await
        .json();
    assert_eq!(attendance["attendance"][0]["email"], Value::Null);
    assert_eq!(attendance["attendance"][0]["name"], Value::Null);
    assert_eq!(attendance["attendance"][0]["minutes"], 50);
    assert!(
        !app.call(Method::GET, "/api/v1/awards", Some(&plain), None)
            .await
            .text()
            .contains("example.org\"")
    );

    // Searching by address or name would tell, one guess at a time, what the answer hides.
    for search in ["email=ada@example.org", "q=ada"] {
        let refused = app
            .call(
                Method::GET,
                &format!("/api/v1/awards?{search}"),
                Some(&plain),
                None,
            )
            .await;
        assert!(
            refused
                .problem(StatusCode::FORBIDDEN)
                .contains("cannot search by them"),
            "{search}"
        );
        let found = app
            .call(
                Method::GET,
                &format!("/api/v1/awards?{search}"),
                Some(&with_emails),
                None,
            )
            .await
            .json();
        assert_eq!(found["total"], 1, "{search}: {found}");
    }

    for token in [&with_emails, &issuer_token] {
        let shown = app
            .call(Method::GET, &award_path, Some(token), None)
            .await
            .json();
        assert_eq!(shown["recipient_email"], "ada@example.org");
        assert_eq!(shown["recipient_name"], "Ada Lovelace");
        let attendance = app
            .call(Method::GET, &attendance_path, Some(token), None)
            .await
            .json();
        assert_eq!(attendance["attendance"][0]["email"], "grace@example.org");
    }
    // A preview of a real credential's email would show it: refused to the plain token.
    let preview = app
        .call(
            Method::POST,
            &format!("/api/v1/achievements/{}/email/preview", id(&achievement)),
            Some(&plain),
            Some(&json!({ "credential_id": id(&award) })),
        )
        .await;
    assert!(
        preview
            .problem(StatusCode::FORBIDDEN)
            .contains("--with-emails")
    );
}

async fn api_changes_are_audited_once_per_call(app: &TestApp) {
    let named = |name: &'static str| move |t: &mut laurel_store::ApiToken| t.name = name.into();
    let registrar = app.token_with(&["admin"], named("registrar")).await;
    let call = |method: Method, path: String, body: Value| {
        let token = registrar.clone();
        async move { app.call(method, &path, Some(&token), Some(&body)).await }
    };
    let issuer = call(
        Method::POST,
        "/api/v1/issuers".into(),
        json!({ "name": "Guild" }),
    )
    .await
    .json();
    let achievement = call(
        Method::POST,
        "/api/v1/achievements".into(),
        json!({ "issuer_id": id(&issuer), "name": "Member", "description": "Joined.", "criteria_narrative": "Join." }),
    )
    .await;
    assert_eq!(
        achievement.status,
        StatusCode::CREATED,
        "{}",
        achievement.text()
    );
    let achievement = achievement.json();
    let rows: Vec<Value> = (0..250)
        .map(|n| json!({ "email": format!("member{n}@example.org") }))
        .collect();
    let batch = call(
        Method::POST,
        format!("/api/v1/achievements/{}/awards", id(&achievement)),
        json!({ "awards": rows, "notify": false }),
    )
    .await;
    assert_eq!(batch.json()["created"], 250, "{}", batch.text());
    // A failed call changes nothing and is not logged; nor are reads.
    let failed = call(
        Method::PATCH,
        format!("/api/v1/issuers/{}", id(&issuer)),
        json!({ "name": "" }),
    )
    .await;
    failed.problem(StatusCode::BAD_REQUEST);
    app.call(Method::GET, "/api/v1/awards", Some(&registrar), None)
        .await;
    // Email settings: which fields changed, never the password.
    let email = format!("/api/v1/issuers/{}/email", id(&issuer));
    let settings = json!({ "host": "smtp.example.org", "username": "guild", "password": "s3cret-Passw0rd", "from_address": "badges@example.org" });
    assert_eq!(
        call(Method::PUT, email.clone(), settings.clone())
            .await
            .status,
        StatusCode::OK
    );
    let mut changed = settings.clone();
    changed["password"] = json!("an0ther-Passw0rd");
    changed["from_name"] = json!("The Guild");
    assert_eq!(
        call(Method::PUT, email, changed).await.status,
        StatusCode::OK
    );

    let (entries, total) = app
        .state
        .store
        .search_audit(&AuditFilter {
            via: Some("api".into()),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = entries.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "issuer.create",
            "achievement.create",
            "award.create",
            "email_settings.update",
            "email_settings.update"
        ]
    );
    assert_eq!(total, 5);
    assert!(
        entries
            .iter()
            .all(|e| e.username == "registrar" && e.via == "api")
    );
    let award_entry = &entries[2];
    assert_eq!(
        award_entry.target.as_deref(),
        Some(id(&achievement).as_str())
    );
    let detail: Value = serde_json::from_str(&award_entry.detail).unwrap();
    assert_eq!(
        (detail["created"].clone(), detail["status"].clone()),
        (json!(250), json!(200))
    );
    assert_eq!(
        detail["award_ids"].as_array().unwrap().len(),
        api::audit::MAX_IDS
    );
    assert_eq!(
        entries[4].target.as_deref(),
        Some(id(&issuer).as_str()),
        "a create names what it made"
    );
    let first: Value = serde_json::from_str(&entries[1].detail).unwrap();
    assert_eq!(first["changed"], json!(["created"]));
    let second: Value = serde_json::from_str(&entries[0].detail).unwrap();
    assert_eq!(second["changed"], json!(["password", "from_name"]));
    for entry in &entries {
        assert!(!entry.detail.contains("Passw0rd"), "{}", entry.detail);
    }
}

#[tokio::test]
async fn api_changes_are_audited_once_per_call_on_sqlite() {
    api_changes_are_audited_once_per_call(&TestApp::new().await).await;
}

#[tokio::test]
async fn api_changes_are_audited_once_per_call_on_postgres() {
    let Some((app, _db)) = postgres_app().await else {
        return;
    };
    api_changes_are_audited_once_per_call(&app).await;
}

#[tokio::test]
async fn awards_by_rule_write_one_entry_per_evaluation() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let event = app
        .post(
            "/api/v1/events",
            json!({ "issuer_id": id(&issuer), "title": "Webinar", "starts_at": "2026-02-01T10:00:00Z", "duration_minutes": 60 }),
        )
        .await
        .json();
    app.achievement(
        &issuer,
        json!({ "award_rules": [{ "kind": "participation", "session": id(&event), "min_minutes": 30 }] }),
    )
    .await;
    let records: Vec<Value> = (0..40)
        .map(|n| json!({ "email": format!("p{n}@example.org"), "minutes": 45 }))
        .collect();
    let recorded = app
        .post(
            &format!("/api/v1/events/{}/attendance", id(&event)),
            json!({ "attendance": records }),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.text());
    let (entries, _) = app
        .state
        .store
        .search_audit(&AuditFilter {
            actor: Some("rules".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(entries.len(), 1, "{entries:#?}");
    assert_eq!(
        (entries[0].via.as_str(), entries[0].action.as_str()),
        ("system", "rules.award")
    );
    let detail: Value = serde_json::from_str(&entries[0].detail).unwrap();
    assert_eq!(detail["created"], 40);
    assert_eq!(detail["award_ids"].as_array().unwrap().len(), 40);
    let (_, awards) = app
        .state
        .store
        .list_awards(&laurel_store::AwardFilter::default())
        .await
        .unwrap();
    assert_eq!(awards, 40);
}

#[tokio::test]
async fn administrators_create_list_and_revoke_tokens_through_the_api() {
    let app = TestApp::new().await;
    let north = division(&app, "North Division", "north@example.org").await;
    let _south = division(&app, "South Division", "south@example.org").await;

    // A token limited to one issuer, made through the API: its secret works, once shown.
    let created = app
        .post(
            "/api/v1/tokens",
            json!({"name": "north script", "scope": "issue", "issuer_ids": [north.issuer], "expires": "90d"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let token = created.json();
    let secret = token["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("laurel_"));
    assert_eq!(token["issuer_ids"], json!([north.issuer]));
    assert_eq!(token["scopes"], json!(["issue"]));
    assert_eq!(
        token["expires_at"].as_str().unwrap(),
        (util::now() + Duration::days(90)).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    );
    assert_eq!(
        created.headers["location"].to_str().unwrap(),
        token["url"].as_str().unwrap()
    );
    let issuers = app
        .call(Method::GET, "/api/v1/issuers", Some(&secret), None)
        .await
        .json();
    assert_eq!(
        issuers["issuers"].as_array().map(Vec::len),
        Some(1),
        "{issuers}"
    );

    // Listed and fetched without the secret.
    let listed = app.get("/api/v1/tokens").await;
    assert!(!listed.text().contains(&secret));
    assert!(
        listed.json()["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == token["id"])
    );
    let one = app.get(token["url"].as_str().unwrap()).await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.json().get("secret").is_none());

    // Audited, without the secret.
    let (entries, _) = app
        .state
        .store
        .search_audit(&AuditFilter {
            action: Some("token.create".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].target.as_deref(), token["id"].as_str());
    assert!(!entries[0].detail.contains(&secret));

    // Mistakes, each named; nothing stored for them.
    for (body, expected, status) in [
        (
            json!({"name": "x", "scope": "root"}),
            "scope must be one of",
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"name": "x", "scope": "read", "issuer_ids": [Uuid::now_v7()]}),
            "issuer_ids[0]: there is no issuer",
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"name": "x", "scope": "read", "expires": "soon"}),
            "expires:",
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"name": " ", "scope": "read"}),
            "name must not be empty",
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"name": "north script", "scope": "read"}),
            "exists already",
            StatusCode::CONFLICT,
        ),
    ] {
        let response = app.post("/api/v1/tokens", body.clone()).await;
        assert!(
            response.problem(status).contains(expected),
            "{body}: {}",
            response.text()
        );
    }
    let count = app.get("/api/v1/tokens").await.json()["tokens"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        count, 2,
        "the test's own admin token and the one made above"
    );

    // A token without the admin scope may not manage tokens.
    let reader = app.token(&["read"]).await;
    let refused = app
        .call(Method::GET, "/api/v1/tokens", Some(&reader), None)
        .await;
    assert!(refused.problem(StatusCode::FORBIDDEN).contains("admin"));

    // Revoked: it authenticates nothing from then on.
    let revoked = app
        .call(
            Method::POST,
            &format!("{}/revoke", token["url"].as_str().unwrap()),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    assert!(revoked.json()["revoked_at"].is_string());
    let after = app
        .call(Method::GET, "/api/v1/issuers", Some(&secret), None)
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    let missing = app
        .call(
            Method::POST,
            &format!("/api/v1/tokens/{}/revoke", Uuid::now_v7()),
            Some(&app.admin),
            None,
        )
        .await;
    assert!(
        missing
            .problem(StatusCode::NOT_FOUND)
            .contains("no token with id")
    );
}
