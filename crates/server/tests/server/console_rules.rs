//! The badge form's rule builder and the forms that help: a rule built from menus, previewed
//! ("who would be awarded now") before it is saved, shown back in words; every mistake of a
//! form shown at once in plain words, nothing stored.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::util;
use crate::util::forms::{get_as as get, post_as as post};
use crate::util::forms::{hidden_csrf, session_cookie};

use axum::http::{StatusCode, header};
use laurel_server::console;
use laurel_store::Role;
use serde_json::{Value, json};
use util::{TestApp, id, now};

const PASSWORD: &str = "correct horse battery staple";

async fn admin(app: &TestApp) -> String {
    let user = console::new_user("ada", PASSWORD, Role::Admin, Vec::new(), now()).unwrap();
    app.state.store.create_user(&user).await.unwrap();
    session_cookie(app, "ada", PASSWORD).await
}

async fn event(
    app: &TestApp,
    issuer: &Value,
    series: &Value,
    title: &str,
    day: u32,
    format: &str,
) -> Value {
    let response = app
        .post(
            "/api/v1/events",
            json!({
                "issuer_id": issuer["id"],
                "series_id": series["id"],
                "title": title,
                "starts_at": format!("2026-02-{day:02}T14:00:00Z"),
                "duration_minutes": 60,
                "format": format,
            }),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    response.json()
}

async fn attend(app: &TestApp, event: &Value, people: &[&str]) {
    let records: Vec<Value> = people
        .iter()
        .map(|email| json!({"email": email, "minutes": 60, "name": format!("Name of {email}")}))
        .collect();
    let response = app
        .post(
            &format!("/api/v1/events/{}/attendance", id(event)),
            json!({ "attendance": records }),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
}

/// A series of two webinars and a workshop: ann saw both webinars, bob one webinar and the
/// workshop, cat everything.
async fn programme(app: &TestApp, issuer: &Value) -> Value {
    let series = app
        .post(
            "/api/v1/series",
            json!({"issuer_id": issuer["id"], "title": "Metadata month"}),
        )
        .await
        .json();
    let first = event(app, issuer, &series, "Webinar one", 2, "online").await;
    let second = event(app, issuer, &series, "Webinar two", 9, "online").await;
    let workshop = event(app, issuer, &series, "Workshop", 16, "in_person").await;
    attend(
        app,
        &first,
        &["ann@example.org", "bob@example.org", "cat@example.org"],
    )
    .await;
    attend(app, &second, &["ann@example.org", "cat@example.org"]).await;
    attend(app, &workshop, &["bob@example.org", "cat@example.org"]).await;
    series
}

#[tokio::test]
async fn a_series_rule_built_from_the_menus_is_previewed_saved_and_shown_in_words() {
    let app = TestApp::new().await;
    let cookie = admin(&app).await;
    let issuer = app.issuer(json!({})).await;
    let series = programme(&app, &issuer).await;
    let issuer_id = id(&issuer);
    let series_id = id(&series);

    let page = get(&app, "/console/achievements", &cookie).await.text();
    let csrf = hidden_csrf(&page);
    // The menus name sessions and series, with dates; nobody copies an id.
    assert!(page.contains(">Metadata month</option>"), "{page}");
    assert!(
        page.contains("Webinar two (9 February 2026, webinar)"),
        "{page}"
    );
    assert!(page.contains("value=\"CertificateOfCompletion\">Certificate of completion</option>"));

    let fields = |action: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("action", action.to_string()),
            ("issuer", issuer_id.clone()),
            ("name", "Metadata month: webinars".to_string()),
            (
                "description",
                "Attended the webinars of Metadata month.".to_string(),
            ),
            ("criteria_narrative", "Attend both webinars.".to_string()),
            ("achievement_type", "CertificateOfCompletion".to_string()),
            ("rule_kind", "series".to_string()),
            ("rule_series", series_id.clone()),
            ("rule_series_at_least", "2".to_string()),
            ("rule_series_format", "online".to_string()),
        ]
    };
    let pairs =
        |fields: &[(&'static str, String)]| -> Vec<(&'static str, String)> { fields.to_vec() };
    let send = |fields: Vec<(&'static str, String)>| {
        let app = &app;
        let cookie = cookie.clone();
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post(app, "/console/achievements", &cookie, &pairs).await
        }
    };

    let preview = send(pairs(&fields("preview"))).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    let html = preview.text();
    assert!(
        html.contains("Attended at least 2 of the webinars of “Metadata month”."),
        "{html}"
    );
    // Bob's workshop does not make two webinars.
    assert!(
        html.contains("<strong>2 people</strong> would be awarded now"),
        "{html}"
    );
    assert!(html.contains("ann@example.org") && html.contains("cat@example.org"));
    assert!(!html.contains("<td>bob@example.org</td>"), "{html}");
    assert!(html.contains("<td>Name of ann@example.org</td>"));
    assert!(
        app.state
            .store
            .list_achievements(None)
            .await
            .unwrap()
            .is_empty(),
        "a preview saves nothing"
    );

    let saved = send(pairs(&fields("save"))).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let path = saved.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let stored = app
        .state
        .store
        .list_achievements(None)
        .await
        .unwrap()
        .pop()
        .unwrap();
    let rules: Value = serde_json::from_str(&stored.award_rules).unwrap();
    assert_eq!(
        rules,
        json!([{"kind": "series_completion", "series": series_id, "at_least": 2, "min_minutes": null, "min_percent": null, "format": "online"}])
    );
    // The API shows the same rule, format included.
    let view = app
        .get(&format!("/api/v1/achievements/{}", stored.id))
        .await
        .json();
    assert_eq!(view["award_rules"][0]["format"], "online");

    let badge = get(&app, &path, &cookie).await.text();
    assert!(
        badge.contains("<strong>Who earns it:</strong> Attended at least 2 of the webinars of “Metadata month”."),
        "{badge}"
    );
    // The builder shows the saved rule again.
    assert!(
        badge.contains("name=\"rule_kind\" value=\"series\" checked"),
        "{badge}"
    );
    assert!(badge.contains(&format!(
        "<option value=\"{series_id}\" selected>Metadata month</option>"
    )));
    let list = get(&app, "/console/achievements", &cookie).await.text();
    assert!(
        list.contains("<td>Attended at least 2 of the webinars of “Metadata month”.</td>"),
        "{list}"
    );

    // Changing it to "any session" previews bob too; saving redirects and says so.
    let mut any = fields("preview");
    any.retain(|(k, _)| *k != "rule_series_format" && *k != "issuer");
    any.push(("rule_series_format", "any".into()));
    let html = {
        let pairs: Vec<(&str, &str)> = any.iter().map(|(k, v)| (*k, v.as_str())).collect();
        post(&app, &path, &cookie, &pairs).await.text()
    };
    assert!(
        html.contains("<strong>3 people</strong> would be awarded now"),
        "{html}"
    );
    assert!(html.contains("Preview only: nothing was saved."));
    let mut none = fields("save");
    none.retain(|(k, _)| *k != "rule_kind" && *k != "issuer");
    none.push(("rule_kind", "none".into()));
    let pairs: Vec<(&str, &str)> = none.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = post(&app, &path, &cookie, &pairs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.state
            .store
            .achievement(stored.id)
            .await
            .unwrap()
            .award_rules,
        "[]"
    );
    let badge = get(&app, &format!("{path}?saved=1"), &cookie).await.text();
    assert!(badge.contains("No rule: awarded by hand."));
    assert!(badge.contains("Saved."));
}

#[tokio::test]
async fn every_mistake_of_the_badge_form_is_shown_at_once_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let cookie = admin(&app).await;
    let issuer = app.issuer(json!({})).await;
    let other = app.issuer(json!({"name": "Other Association"})).await;
    let theirs = programme(&app, &other).await;
    let page = get(&app, "/console/achievements", &cookie).await.text();
    let csrf = hidden_csrf(&page);
    let theirs_id = id(&theirs);
    let issuer_id = id(&issuer);
    let response = post(
        &app,
        "/console/achievements",
        &cookie,
        &[
            ("csrf", &csrf),
            ("action", "save"),
            ("issuer", &issuer_id),
            ("name", " "),
            ("description", ""),
            ("criteria_url", "not a page"),
            ("achievement_type", "Trophy"),
            ("credits_available", "lots"),
            ("valid_for_days", "0"),
            ("rule_kind", "series"),
            // Another issuer's series is not in this issuer's menu.
            ("rule_series", &theirs_id),
            ("rule_series_at_least", "two"),
            ("rule_series_percent", "140"),
        ],
    )
    .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    let html = response.text();
    for field in [
        "name",
        "description",
        "criteria_url",
        "achievement_type",
        "credits_available",
        "valid_for_days",
        "rule_series",
        "rule_series_at_least",
        "rule_series_percent",
    ] {
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {html}"
        );
    }
    assert!(html.contains("9 things to fix before saving"), "{html}");
    assert!(
        html.contains("Choose one of this issuer&#39;s series.")
            || html.contains("Choose one of this issuer's series."),
        "{html}"
    );
    assert!(html.contains("“lots” is not a number of hours"));
    for jargon in ["credits_available must", "bytes", "UUID"] {
        assert!(!html.contains(jargon), "{jargon}: {html}");
    }
    // What was typed is kept.
    assert!(html.contains("value=\"lots\""));
    assert!(
        app.state
            .store
            .list_achievements(None)
            .await
            .unwrap()
            .is_empty()
    );

    // A preview with mistakes in other fields still says who the rule would award.
    let theirs_csrf = csrf.clone();
    let other_id = id(&other);
    let preview = post(
        &app,
        "/console/achievements",
        &cookie,
        &[
            ("csrf", &theirs_csrf),
            ("action", "preview"),
            ("issuer", &other_id),
            ("rule_kind", "series"),
            ("rule_series", &theirs_id),
        ],
    )
    .await;
    assert_eq!(preview.status, StatusCode::BAD_REQUEST);
    let html = preview.text();
    assert!(
        html.contains("Attended every one of the sessions of “Metadata month”."),
        "{html}"
    );
    assert!(
        html.contains("<strong>1 person</strong> would be awarded now"),
        "{html}"
    );
}

#[tokio::test]
async fn every_mistake_of_the_issuer_form_is_shown_at_once_in_plain_words() {
    let app = TestApp::new().await;
    let cookie = admin(&app).await;
    let page = get(&app, "/console/issuers", &cookie).await.text();
    assert!(page.contains("type=\"color\""), "{page}");
    assert!(page.contains("linkedin.com/company/12345678/admin"));
    let csrf = hidden_csrf(&page);
    let response = post(
        &app,
        "/console/issuers",
        &cookie,
        &[
            ("csrf", &csrf),
            ("name", ""),
            ("url", "library"),
            ("email", "nope"),
            ("brand_color", "red"),
            ("linkedin_organization_id", "acme"),
        ],
    )
    .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    let html = response.text();
    for field in [
        "name",
        "url",
        "email",
        "brand_color",
        "linkedin_organization_id",
    ] {
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {html}"
        );
    }
    for jargon in ["brand_color must", "linkedin_organization_id must", "bytes"] {
        assert!(!html.contains(jargon), "{jargon}: {html}");
    }
    assert!(app.state.store.list_issuers().await.unwrap().is_empty());

    let made = post(
        &app,
        "/console/issuers",
        &cookie,
        &[
            ("csrf", &csrf),
            ("name", "Library Association"),
            ("brand_color", "#1A5F7A"),
            (
                "linkedin_organization_id",
                "https://www.linkedin.com/company/2414183/admin/",
            ),
        ],
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    let stored = app.state.store.list_issuers().await.unwrap().pop().unwrap();
    assert_eq!(stored.brand_color.as_deref(), Some("#1a5f7a"));
    assert_eq!(stored.linkedin_organization_id.as_deref(), Some("2414183"));
    // "No colour of its own" wins over the picker's value.
    let path = made.headers[header::LOCATION].to_str().unwrap().to_string();
    let saved = post(
        &app,
        &path,
        &cookie,
        &[
            ("csrf", &csrf),
            ("name", "Library Association"),
            ("brand_color", "#1a5f7a"),
            ("no_brand_color", "yes"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    assert_eq!(
        app.state.store.issuer(stored.id).await.unwrap().brand_color,
        None
    );
}
