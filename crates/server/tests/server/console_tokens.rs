//! The console's token page (issuers, expiry, recipients' emails) and the audit log page with
//! its filters and CSV export.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::util;
use crate::util::forms;
use crate::util::forms::{get_as as get, post_as as post};

use axum::http::{Method, StatusCode};
use chrono::Duration;
use forms::{hidden_csrf, session_cookie};
use laurel_server::console;
use laurel_store::{AuditEntry, Role};
use serde_json::json;
use util::{TestApp, id, now};
use uuid::Uuid;

const PASSWORD: &str = "correct horse battery staple";

/// A new account of this role, signed in: its session cookie header.
async fn signed_in(app: &TestApp, username: &str, role: Role) -> String {
    let user = console::new_user(username, PASSWORD, role, Vec::new(), now()).unwrap();
    app.state.store.create_user(&user).await.unwrap();
    session_cookie(app, username, PASSWORD).await
}

#[tokio::test]
async fn the_token_page_makes_tokens_limited_to_issuers_with_an_expiry() {
    let app = TestApp::new().await;
    let north = app.issuer(json!({ "name": "North Division" })).await;
    let south = app.issuer(json!({ "name": "South Division" })).await;
    let admin = signed_in(&app, "ada", Role::Admin).await;
    let page = get(&app, "/console/tokens", &admin).await.text();
    assert!(
        page.contains("North Division") && page.contains("South Division"),
        "{page}"
    );
    assert!(page.contains("Tick none for a token that reaches every issuer"));
    let csrf = hidden_csrf(&page);
    let before = app.state.store.list_tokens().await.unwrap().len();

    // A bad expiry or an unknown issuer is said beside the form; nothing is stored.
    let north_box = format!("issuer:{}", id(&north));
    let bad = post(
        &app,
        "/console/tokens",
        &admin,
        &[
            ("csrf", &csrf),
            ("name", "north-sync"),
            ("scope", "read"),
            ("expires", "90 days"),
            (&north_box, "on"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let html = bad.text();
    assert!(
        html.contains("id=\"token-error\"") && html.contains("90d"),
        "{html}"
    );
    assert!(html.contains("value=\"90 days\""), "what was typed is kept");
    let ghost = format!("issuer:{}", Uuid::now_v7());
    let unknown = post(
        &app,
        "/console/tokens",
        &admin,
        &[
            ("csrf", &csrf),
            ("name", "north-sync"),
            ("scope", "read"),
            (&ghost, "on"),
        ],
    )
    .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.text().contains("There is no issuer"));
    assert_eq!(app.state.store.list_tokens().await.unwrap().len(), before);

    let created = post(
        &app,
        "/console/tokens",
        &admin,
        &[
            ("csrf", &csrf),
            ("name", "north-sync"),
            ("scope", "read"),
            ("expires", "90d"),
            (&north_box, "on"),
        ],
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let stored = app
        .state
        .store
        .list_tokens()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "north-sync")
        .unwrap();
    assert_eq!(
        stored.issuer_ids,
        vec![Uuid::parse_str(&id(&north)).unwrap()]
    );
    assert_eq!(stored.expires_at, Some(now() + Duration::days(90)));
    assert!(!stored.with_emails);
    let html = created.text();
    assert!(html.contains("<td>North Division</td>"), "{html}");
    assert!(
        html.contains("(without recipients&#39; emails)")
            || html.contains("(without recipients' emails)"),
        "{html}"
    );
    assert!(
        html.contains("29 May 2026") || html.contains("30 May 2026"),
        "{html}"
    );

    // The secret works for its issuer only.
    let start = html.find("<code id=\"new-token\">").unwrap() + 21;
    let secret = &html[start..start + html[start..].find('<').unwrap()];
    let mine = app
        .call(
            Method::GET,
            &format!("/api/v1/issuers/{}", id(&north)),
            Some(secret),
            None,
        )
        .await;
    assert_eq!(mine.status, StatusCode::OK);
    let theirs = app
        .call(
            Method::GET,
            &format!("/api/v1/issuers/{}", id(&south)),
            Some(secret),
            None,
        )
        .await;
    theirs.problem(StatusCode::NOT_FOUND);

    // With emails ticked, a read token sees them; the creation is audited with its choices.
    let emails = post(
        &app,
        "/console/tokens",
        &admin,
        &[
            ("csrf", &csrf),
            ("name", "reports"),
            ("scope", "read"),
            ("with_emails", "on"),
        ],
    )
    .await;
    assert_eq!(emails.status, StatusCode::CREATED, "{}", emails.text());
    let reports = app
        .state
        .store
        .list_tokens()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "reports")
        .unwrap();
    assert!(reports.with_emails && reports.issuer_ids.is_empty() && reports.expires_at.is_none());
    let (entries, _) = app.state.store.list_audit(10, 0).await.unwrap();
    let created_entry = entries
        .iter()
        .find(|e| e.action == "token.create" && e.detail.contains("north-sync"))
        .unwrap();
    assert_eq!(created_entry.via, "console");
    assert!(created_entry.detail.contains(&id(&north)));
}

#[tokio::test]
async fn the_audit_log_filters_and_exports_csv() {
    let app = TestApp::new().await;
    let admin = signed_in(&app, "ada", Role::Admin).await;
    let viewer = signed_in(&app, "val", Role::Viewer).await;
    let registrar = app
        .token_with(&["admin"], |t| t.name = "registrar".into())
        .await;
    let issuer = app
        .call(
            Method::POST,
            "/api/v1/issuers",
            Some(&registrar),
            Some(&json!({ "name": "Guild" })),
        )
        .await;
    assert_eq!(issuer.status, StatusCode::CREATED);
    // A command-line entry whose actor looks like a formula.
    app.state
        .store
        .append_audit(&AuditEntry {
            id: Uuid::now_v7(),
            at: now() + Duration::days(2),
            user_id: None,
            username: "=cmd|' /C calc'!A0".into(),
            action: "token.revoke".into(),
            target: Some("-1+1".into()),
            detail: "{}".into(),
            via: "cli".into(),
        })
        .await
        .unwrap();

    let html = get(&app, "/console/audit?via=api", &admin).await.text();
    assert!(
        html.contains("<td>registrar</td><td>issuer.create</td><td>api</td>"),
        "{html}"
    );
    assert!(!html.contains("sign_in<"), "{html}");
    assert!(html.contains("1 entries"), "{html}");
    let html = get(&app, "/console/audit?actor=ADA&action=sign", &admin)
        .await
        .text();
    assert!(
        html.contains("1 entries") && html.contains("<td>ada</td><td>sign_in</td><td>console</td>"),
        "{html}"
    );
    let html = get(&app, "/console/audit?from=2026-03-02", &admin)
        .await
        .text();
    assert!(
        html.contains("1 entries") && html.contains("token.revoke"),
        "{html}"
    );
    let html = get(&app, "/console/audit?until=2026-03-01&via=cli", &admin)
        .await
        .text();
    assert!(html.contains("0 entries"), "{html}");
    let bad = get(&app, "/console/audit?from=yesterday", &admin).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("id=\"from-error\""), "{}", bad.text());
    let bad = get(&app, "/console/audit?via=email", &admin).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let csv = get(&app, "/console/audit.csv?via=cli", &admin).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.content_type().starts_with("text/csv"));
    assert_eq!(
        csv.text(),
        "at,actor,via,action,target,detail\r\n\"2026-03-03T09:00:00Z\",\"'=cmd|' /C calc'!A0\",\"cli\",\"token.revoke\",\"'-1+1\",\"{}\"\r\n"
    );
    let all = get(&app, "/console/audit.csv", &admin).await.text();
    assert_eq!(all.lines().count(), 1 + 4, "{all}");
    assert!(
        all.contains(",\"registrar\",\"api\",\"issuer.create\","),
        "{all}"
    );

    for path in ["/console/audit", "/console/audit.csv"] {
        assert_eq!(
            get(&app, path, &viewer).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
}
