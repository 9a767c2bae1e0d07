//! CE transcripts over HTTP: categories through the API, a person's transcript as JSON, CSV,
//! PDF and a signed CLR (verified with every credential in it), problem+json for bad dates,
//! emails and formats; the console's pages and the recipient's own page through their claim
//! link.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::{Method, StatusCode};
use laurel_server::console;
use laurel_service::wallet::claims;
use laurel_store::Role;
use laurel_verify::{Options, Verdict, Verifier};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::util::forms::{get_as, hidden_csrf, post_as, see_other, session_cookie};
use crate::util::{TestApp, id, now};

const EMAIL: &str = "ada@example.org";

struct World {
    app: TestApp,
    first: Value,
    second: Value,
    workshop: Value,
    award: Uuid,
}

async fn put(app: &TestApp, path: &str, body: Value) -> crate::util::TestResponse {
    app.call(Method::PUT, path, Some(&app.admin), Some(&body))
        .await
}

async fn world() -> World {
    let app = TestApp::new().await;
    let first = app.issuer(json!({"name": "Library Association"})).await;
    let second = app.issuer(json!({"name": "State Library"})).await;
    let webinar = app
        .achievement(
            &first,
            json!({"name": "Cataloguing webinar", "credits_available": 1.5}),
        )
        .await;
    let workshop = app
        .achievement(
            &second,
            json!({"name": "Leadership workshop", "credits_available": 3}),
        )
        .await;
    let response = put(
        &app,
        &format!("/api/v1/issuers/{}/categories", id(&first)),
        json!({"categories": ["Technology", " Management "]}),
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(
        response.json(),
        json!({"categories": ["Technology", "Management"]})
    );
    let response = put(
        &app,
        &format!("/api/v1/achievements/{}/category", id(&webinar)),
        json!({"category": "technology"}),
    )
    .await;
    assert_eq!(response.json(), json!({"category": "Technology"}));
    let award = app
        .award(&webinar, json!({"email": EMAIL, "name": "Ada Lovelace"}))
        .await;
    assert_eq!(award.status, StatusCode::CREATED, "{}", award.text());
    let award = Uuid::parse_str(&id(&award.json())).unwrap();
    let other = app
        .award(&workshop, json!({"email": EMAIL, "credits_earned": 2}))
        .await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text());
    World {
        app,
        first,
        second,
        workshop,
        award,
    }
}

fn year() -> String {
    now().format("%Y").to_string()
}

#[tokio::test]
async fn categories_are_kept_and_checked_through_the_api() {
    let World {
        app,
        first,
        workshop,
        ..
    } = world().await;
    let got = app
        .get(&format!("/api/v1/issuers/{}/categories", id(&first)))
        .await;
    assert_eq!(
        got.json(),
        json!({"categories": ["Technology", "Management"]})
    );
    // A category in use cannot be left out; a badge cannot take another issuer's category.
    let response = put(
        &app,
        &format!("/api/v1/issuers/{}/categories", id(&first)),
        json!({"categories": ["Management"]}),
    )
    .await;
    assert!(
        response
            .problem(StatusCode::CONFLICT)
            .contains("Technology")
    );
    let response = put(
        &app,
        &format!("/api/v1/issuers/{}/categories", id(&first)),
        json!({"categories": ["A", "a"]}),
    )
    .await;
    assert!(response.problem(StatusCode::BAD_REQUEST).contains("twice"));
    let response = put(
        &app,
        &format!("/api/v1/achievements/{}/category", id(&workshop)),
        json!({"category": "Technology"}),
    )
    .await;
    assert!(
        response
            .problem(StatusCode::BAD_REQUEST)
            .contains("none yet")
    );
    let got = app
        .get(&format!("/api/v1/achievements/{}/category", id(&workshop)))
        .await;
    assert_eq!(got.json(), json!({"category": null}));
}

#[tokio::test]
async fn a_transcript_as_json_csv_pdf_and_a_verified_clr() {
    let World {
        app,
        first,
        second,
        award,
        ..
    } = world().await;
    let base = format!("/api/v1/recipients/{EMAIL}/transcript?from={}", year());
    let json = app.get(&base).await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.text());
    let t = json.json();
    assert_eq!(t["name"], "Ada Lovelace");
    assert_eq!(t["credentials"].as_array().unwrap().len(), 2);
    assert_eq!(t["total_credits"], 3.5);
    assert_eq!(
        t["totals"][0],
        json!({"category": "Technology", "credentials": 1, "credits": 1.5})
    );
    assert_eq!(
        t["totals"][1],
        json!({"category": null, "credentials": 1, "credits": 2.0})
    );

    // Revoked: excluded, and said so.
    let revoked = app
        .post(
            &format!("/api/v1/credentials/{award}/revoke"),
            json!({"reason": "Awarded in error"}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    let t = app.get(&base).await.json();
    assert_eq!(t["credentials"].as_array().unwrap().len(), 1);
    assert_eq!(t["excluded"][0]["reason"], "revoked");
    assert!(
        t["excluded"][0]["reason_text"]
            .as_str()
            .unwrap()
            .ends_with("Awarded in error")
    );

    let csv = app.get(&format!("{base}&format=csv")).await;
    assert_eq!(csv.content_type(), "text/csv; charset=utf-8");
    let text = csv.text();
    assert!(
        text.contains("\"Leadership workshop\",\"\",\"2\",\"Counted\""),
        "{text}"
    );
    assert!(text.contains("Not counted: Revoked on"), "{text}");

    let pdf = app.get(&format!("{base}&format=pdf")).await;
    assert_eq!(pdf.content_type(), "application/pdf");
    let document = lopdf::Document::load_mem(&pdf.body).unwrap();
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    let words = document.extract_text(&pages).unwrap();
    for expected in [
        "Ada Lovelace",
        "Leadership workshop",
        "State Library",
        "Not counted",
        "Total credits",
    ] {
        assert!(words.contains(expected), "{expected:?} not in {words}");
    }

    // The CLR, signed by the first issuer asked for; verified with both issuers' keys.
    let clr = app
        .get(&format!(
            "{base}&format=clr&issuer={},{}",
            id(&second),
            id(&first)
        ))
        .await;
    assert_eq!(clr.status, StatusCode::OK, "{}", clr.text());
    let clr_json = clr.json();
    assert!(
        clr_json["issuer"]["id"]
            .as_str()
            .unwrap()
            .ends_with(&id(&second))
    );
    let mut options = Options::offline(now() + chrono::Duration::days(1));
    for issuer in [&first, &second] {
        let pinned = app.pinned(issuer).await;
        options
            .keys
            .add_document(&pinned.keys, "keys.json")
            .unwrap();
        options.status_lists.extend(pinned.lists);
    }
    options.recipient = Some(EMAIL.into());
    let report = Verifier::new(options).verify_bytes(&clr.body);
    assert_eq!(report.verdict, Verdict::Valid, "{}", report.to_text("clr"));
    assert_eq!(report.nested.len(), 1);
}

#[tokio::test]
async fn bad_requests_are_problems() {
    let World { app, .. } = world().await;
    for (query, words) in [
        ("from=2026-02-30", "not a date"),
        ("from=2026-03-01&until=2026-01-01", "before"),
        ("format=docx", "format must be"),
        ("issuer=nope", "not an issuer id"),
        ("colour=red", "invalid query"),
    ] {
        let response = app
            .get(&format!("/api/v1/recipients/{EMAIL}/transcript?{query}"))
            .await;
        assert!(
            response.problem(StatusCode::BAD_REQUEST).contains(words),
            "{query}: {}",
            response.text()
        );
    }
    let response = app.get("/api/v1/recipients/not-an-email/transcript").await;
    response.problem(StatusCode::BAD_REQUEST);
    let response = app
        .get(&format!(
            "/api/v1/recipients/{EMAIL}/transcript?issuer={}",
            Uuid::now_v7()
        ))
        .await;
    response.problem(StatusCode::NOT_FOUND);
    // Nothing in the period: JSON says so; a CLR cannot be empty.
    let response = app
        .get(&format!("/api/v1/recipients/{EMAIL}/transcript?from=2001"))
        .await;
    assert_eq!(response.json()["credentials"], json!([]));
    let response = app
        .get(&format!(
            "/api/v1/recipients/{EMAIL}/transcript?from=2001&format=clr"
        ))
        .await;
    assert!(
        response
            .problem(StatusCode::NOT_FOUND)
            .contains("at least one")
    );
    // A token that does not see recipients cannot read transcripts.
    let token = app.token_with(&["read"], |t| t.with_emails = false).await;
    let response = app
        .call(
            Method::GET,
            &format!("/api/v1/recipients/{EMAIL}/transcript"),
            Some(&token),
            None,
        )
        .await;
    response.problem(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn staff_and_recipients_see_the_transcript() {
    let World {
        app, first, award, ..
    } = world().await;
    let user = console::new_user(
        "ada",
        "correct horse battery staple",
        Role::Admin,
        Vec::new(),
        now(),
    )
    .unwrap();
    app.state.store.create_user(&user).await.unwrap();
    let cookie = session_cookie(&app, "ada", "correct horse battery staple").await;
    let page = get_as(
        &app,
        &format!("/console/recipients/transcript?email={EMAIL}"),
        &cookie,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    assert!(
        html.contains("Cataloguing webinar") && html.contains("Leadership workshop"),
        "{html}"
    );
    assert!(
        html.contains("format=pdf") && html.contains("format=clr"),
        "{html}"
    );
    let wrong = get_as(
        &app,
        &format!("/console/recipients/transcript?email={EMAIL}&from=2026-13-01"),
        &cookie,
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(
        wrong.text().contains("id=\"from-error\""),
        "{}",
        wrong.text()
    );
    let csv = get_as(
        &app,
        &format!("/console/recipients/transcript?email={EMAIL}&format=csv"),
        &cookie,
    )
    .await;
    assert!(csv.text().contains("Cataloguing webinar"));
    let all = get_as(
        &app,
        &format!("/console/transcripts?format=csv&from={}", year()),
        &cookie,
    )
    .await;
    assert_eq!(all.content_type(), "text/csv; charset=utf-8");
    assert_eq!(all.text().lines().count(), 3, "{}", all.text());
    let categories = get_as(
        &app,
        &format!("/console/issuers/{}/categories", id(&first)),
        &cookie,
    )
    .await;
    assert!(
        categories.text().contains("Technology\nManagement"),
        "{}",
        categories.text()
    );

    // The recipient, through their claim link.
    let link = claims::issue_claim(&app.state, award).await.unwrap();
    let path = format!("/claim/{}/transcript", link.token);
    let page = app.call(Method::GET, &path, None, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("Leadership workshop"));
    let pdf = app
        .call(Method::GET, &format!("{path}?format=pdf"), None, None)
        .await;
    assert_eq!(pdf.content_type(), "application/pdf");
    let claim_page = app
        .call(Method::GET, &format!("/claim/{}", link.token), None, None)
        .await;
    assert!(claim_page.text().contains(&path));
    let unknown = app
        .call(Method::GET, "/claim/nope/transcript", None, None)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // Once a wallet has taken the badge through the link, the link still leads to the
    // transcript, and the claim page (which refuses a second copy) says where it is.
    app.state
        .store
        .redeem_claim_link(&laurel_store::Redemption {
            claim_id: link.id,
            exchange_id: None,
            copy: None,
            at: now(),
        })
        .await
        .unwrap();
    let again = app.call(Method::GET, &path, None, None).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert!(again.text().contains("Leadership workshop"));
    let used = app
        .call(Method::GET, &format!("/claim/{}", link.token), None, None)
        .await;
    assert_eq!(used.status, StatusCode::CONFLICT);
    assert!(used.text().contains("already used"), "{}", used.text());
    assert!(
        used.text().contains(&format!("href=\"{path}\"")),
        "{}",
        used.text()
    );
}

async fn patch(app: &TestApp, path: &str, body: Value) -> crate::util::TestResponse {
    app.call(Method::PATCH, path, Some(&app.admin), Some(&body))
        .await
}

/// The audit entries of `action`, newest first, as (target, detail).
async fn audited(app: &TestApp, action: &str) -> Vec<(Option<String>, Value)> {
    let (entries, _) = app.state.store.list_audit(100, 0).await.unwrap();
    entries
        .into_iter()
        .filter(|entry| entry.action == action)
        .map(|entry| (entry.target, serde_json::from_str(&entry.detail).unwrap()))
        .collect()
}

#[tokio::test]
async fn achievement_bodies_take_a_category() {
    let World {
        app,
        first,
        workshop,
        ..
    } = world().await;
    let count = || async { app.state.store.list_achievements(None).await.unwrap().len() };
    let before = count().await;
    // Created with a category (matched ignoring case, stored as the list spells it).
    let created = app
        .call(
            Method::POST,
            "/api/v1/achievements",
            Some(&app.admin),
            Some(&json!({
                "issuer_id": id(&first),
                "name": "Team leading",
                "description": "Attended the team-leading webinar.",
                "criteria_narrative": "Attend.",
                "category": "management",
            })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let created = created.json();
    assert_eq!(created["category"], "Management");
    let path = format!("/api/v1/achievements/{}", id(&created));
    assert_eq!(app.get(&path).await.json()["category"], "Management");
    assert_eq!(
        app.get(&format!("{path}/category")).await.json(),
        json!({"category": "Management"})
    );
    let (target, detail) = audited(&app, "achievement.create").await.remove(0);
    assert_eq!(target.as_deref(), Some(id(&created).as_str()));
    assert_eq!(detail["category"], "Management");

    // An unknown category refuses the whole body, naming it; nothing is stored.
    let refused = app
        .call(
            Method::POST,
            "/api/v1/achievements",
            Some(&app.admin),
            Some(&json!({
                "issuer_id": id(&first),
                "name": "Gardening",
                "description": "Attended.",
                "criteria_narrative": "Attend.",
                "category": "Gardening",
            })),
        )
        .await;
    let detail = refused.problem(StatusCode::BAD_REQUEST);
    assert!(
        detail.contains("“Gardening”") && detail.contains("Technology, Management"),
        "{detail}"
    );
    assert_eq!(count().await, before + 1);

    // Edited: an unknown one changes nothing (not even the other fields sent with it).
    let refused = patch(
        &app,
        &path,
        json!({"name": "Renamed", "category": "Gardening"}),
    )
    .await;
    assert!(
        refused
            .problem(StatusCode::BAD_REQUEST)
            .contains("“Gardening”")
    );
    let kept = app.get(&path).await.json();
    assert_eq!(
        (kept["name"].as_str(), kept["category"].as_str()),
        (Some("Team leading"), Some("Management"))
    );
    // Absent: kept; another: changed; null: cleared.
    let renamed = patch(&app, &path, json!({"name": "Team leading (2026)"})).await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text());
    assert_eq!(renamed.json()["category"], "Management");
    let changed = patch(&app, &path, json!({"category": "TECHNOLOGY"})).await;
    assert_eq!(changed.json()["category"], "Technology");
    let (_, detail) = audited(&app, "achievement.update").await.remove(0);
    assert_eq!(detail["category"], "Technology");
    let cleared = patch(&app, &path, json!({"category": null})).await;
    assert_eq!(cleared.json()["category"], Value::Null);
    assert_eq!(
        app.get(&format!("{path}/category")).await.json(),
        json!({"category": null})
    );
    // The list shows each badge's category; an issuer without categories refuses one.
    let list = app
        .get(&format!("/api/v1/achievements?issuer={}", id(&first)))
        .await
        .json();
    let webinar = list["achievements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Cataloguing webinar")
        .unwrap()
        .clone();
    assert_eq!(webinar["category"], "Technology");
    let refused = patch(
        &app,
        &format!("/api/v1/achievements/{}", id(&workshop)),
        json!({"category": "Technology"}),
    )
    .await;
    assert!(
        refused
            .problem(StatusCode::BAD_REQUEST)
            .contains("none yet")
    );
}

#[tokio::test]
async fn the_badge_form_offers_the_issuers_categories() {
    let World { app, first, .. } = world().await;
    let user = console::new_user(
        "ada",
        "correct horse battery staple",
        Role::Admin,
        Vec::new(),
        now(),
    )
    .unwrap();
    app.state.store.create_user(&user).await.unwrap();
    let cookie = session_cookie(&app, "ada", "correct horse battery staple").await;
    let list = app.state.store.list_achievements(None).await.unwrap();
    let webinar = list
        .iter()
        .find(|a| a.name == "Cataloguing webinar")
        .unwrap();
    let page_path = format!("/console/achievements/{}", webinar.id);
    let page = get_as(&app, &page_path, &cookie).await;
    let html = page.text();
    // The menu: no category, or one of the issuer's, its current one chosen; a link to the list.
    assert!(
        html.contains("<select id=\"category\" name=\"category\""),
        "{html}"
    );
    assert!(
        html.contains("<option value=\"Technology\" selected>Technology</option>"),
        "{html}"
    );
    assert!(
        html.contains("<option value=\"Management\">Management</option>"),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "href=\"/console/issuers/{}/categories\"",
            id(&first)
        )),
        "{html}"
    );
    let csrf = hidden_csrf(&html);
    let fields = |category: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("action", "save".to_string()),
            ("name", "Cataloguing webinar".to_string()),
            (
                "description",
                "Attended the cataloguing webinar.".to_string(),
            ),
            (
                "criteria_narrative",
                "Attend the whole webinar.".to_string(),
            ),
            ("credits_available", "1.5".to_string()),
            ("category", category.to_string()),
        ]
    };
    let send = |pairs: Vec<(&'static str, String)>, path: String| {
        let app = &app;
        let cookie = cookie.clone();
        async move {
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_as(app, &path, &cookie, &pairs).await
        }
    };
    // A category the issuer does not have: said beside the menu, nothing saved.
    let wrong = send(fields("Gardening"), page_path.clone()).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let html = wrong.text();
    assert!(html.contains("id=\"category-error\""), "{html}");
    assert!(
        html.contains("“Gardening” is not a category of this issuer"),
        "{html}"
    );
    assert!(
        html.contains("aria-describedby=\"category-error\""),
        "{html}"
    );
    let category = |id| {
        let app = &app;
        async move {
            app.state
                .store
                .achievement_categories(None)
                .await
                .unwrap()
                .get(&id)
                .cloned()
        }
    };
    assert_eq!(category(webinar.id).await.as_deref(), Some("Technology"));
    // Another one, then none.
    see_other(&send(fields("Management"), page_path.clone()).await);
    assert_eq!(category(webinar.id).await.as_deref(), Some("Management"));
    see_other(&send(fields(""), page_path.clone()).await);
    assert_eq!(category(webinar.id).await, None);

    // A new badge made with a category.
    let mut new = fields("technology");
    new.push(("issuer", id(&first)));
    new.retain(|(k, v)| *k != "name" || v.is_empty());
    new.push(("name", "Metadata basics".to_string()));
    let location = see_other(&send(new, "/console/achievements".into()).await);
    let made = app
        .state
        .store
        .list_achievements(None)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.name == "Metadata basics")
        .unwrap();
    assert!(location.contains(&made.id.to_string()));
    assert_eq!(category(made.id).await.as_deref(), Some("Technology"));
}
