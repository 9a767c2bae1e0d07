//! Roles in a cohort: an award's role signed into `credentialSubject.role` and shown on the
//! page, the certificate and by the verifier; roles recorded with attendance (the API, a
//! report's role column, a pasted sign-in sheet); award rules that count only one role or give
//! a role a multiple of the credits, through the one award path; bad roles refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::util;
use crate::util::forms::{form, get_as, hidden_csrf, session_cookie};

use axum::http::{Method, StatusCode, header};
use laurel_core::schema::Schema;
use laurel_server::console;
use serde_json::{Value, json};
use util::{ORIGIN, TestApp, TestResponse, assert_valid, id, now, verify};

const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

async fn session(app: &TestApp, issuer: &Value, format: &str) -> Value {
    let response = app
        .post(
            "/api/v1/events",
            json!({
                "issuer_id": issuer["id"],
                "title": "Open data webinar",
                "starts_at": "2026-02-02T14:00:00Z",
                "duration_minutes": 60,
                "format": format,
            }),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    response.json()
}

/// The signed credentials of an achievement's awards, by recipient email.
async fn credentials(app: &TestApp, achievement: &Value) -> Vec<(String, Value)> {
    let page = app
        .get(&format!("/api/v1/awards?achievement={}", id(achievement)))
        .await
        .json();
    let mut found = Vec::new();
    for award in page["awards"].as_array().expect("awards") {
        let full = app
            .get(&format!("/api/v1/awards/{}", id(award)))
            .await
            .json();
        found.push((
            award["recipient_email"].as_str().unwrap().to_string(),
            full["credential"].clone(),
        ));
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

fn local(url: &str) -> &str {
    url.strip_prefix(ORIGIN).unwrap_or(url)
}

#[tokio::test]
async fn a_role_is_signed_shown_printed_and_verified() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let response = app
        .award(
            &achievement,
            json!({"email": "ana@example.org", "name": "Ana Reader", "role": "  presenter "}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let award = response.json();
    assert_eq!(award["role"], "Presenter", "{award}");
    let credential = &award["credential"];
    assert_eq!(credential["credentialSubject"]["role"], "Presenter");
    let violations = Schema::AchievementCredential.validate(credential);
    assert!(violations.is_empty(), "{violations:?}");

    // The verifier (JSON-LD expansion in safe mode included) accepts it and reports the role.
    let keys = app.pinned(&issuer).await;
    let report = verify(&keys, credential.to_string().as_bytes(), "ana@example.org");
    assert_valid(&report);
    assert_eq!(report.recipient_role.as_deref(), Some("Presenter"));
    assert!(
        report
            .to_text("credential")
            .contains("role: Presenter (as the issuer signed it)")
    );
    assert_valid(&verify(
        &keys,
        award["jwt"].as_str().unwrap().as_bytes(),
        "ana@example.org",
    ));

    // The public page says it, beside the name.
    let url = award["credential_url"].as_str().unwrap();
    let page = app
        .send(
            Method::GET,
            local(url),
            None,
            None,
            None,
            &[("accept", BROWSER)],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains(
            "Awarded to <strong>Ana Reader</strong> as <strong id=\"role\">Presenter</strong>"
        ),
        "{html}"
    );
    assert!(html.contains("Role"), "{html}");

    // The certificate prints it.
    let pdf = app
        .send(
            Method::GET,
            &format!("{}.pdf", local(url)),
            None,
            None,
            None,
            &[],
        )
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    let document = lopdf::Document::load_mem(&pdf.body).unwrap();
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    let text: String = document
        .extract_text(&pages)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(text.contains("asPresenter,hasearned"), "{text}");

    // The issuer's own words are signed as written; no role signs none.
    let own = app
        .award(
            &achievement,
            json!({"email": "bo@example.org", "role": "Student  President"}),
        )
        .await
        .json();
    assert_eq!(
        own["credential"]["credentialSubject"]["role"],
        "Student President"
    );
    let none = app
        .award(&achievement, json!({"email": "cy@example.org", "role": ""}))
        .await
        .json();
    assert!(
        none["credential"]["credentialSubject"]
            .get("role")
            .is_none()
    );
    assert_eq!(none["role"], Value::Null);
}

#[tokio::test]
async fn roles_too_long_or_with_control_characters_are_refused_plainly() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let long = app
        .award(
            &achievement,
            json!({"email": "ana@example.org", "role": "x".repeat(61)}),
        )
        .await;
    let detail = long.problem(StatusCode::BAD_REQUEST);
    assert!(
        detail.contains("role: the role is 61 characters long") && detail.contains("at most 60"),
        "{detail}"
    );
    let control = app
        .award(
            &achievement,
            json!({"email": "ana@example.org", "role": "Pre\u{7}senter"}),
        )
        .await;
    let detail = control.problem(StatusCode::BAD_REQUEST);
    assert!(detail.contains("control character"), "{detail}");
    // Nothing was awarded.
    assert!(credentials(&app, &achievement).await.is_empty());

    // Attendance and completions refuse them the same way, row by row.
    let event = session(&app, &issuer, "online").await;
    let response = app
        .post(
            &format!("/api/v1/events/{}/attendance", id(&event)),
            json!({"attendance": [
                {"email": "ana@example.org", "minutes": 60, "role": "a\nb"},
                {"email": "bo@example.org", "minutes": 60, "role": "mentor"},
            ]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let body = response.json();
    assert_eq!(body["rejected"], 1, "{body}");
    assert!(
        body["results"][0]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("control character"),
        "{body}"
    );
    let recorded = app
        .get(&format!("/api/v1/events/{}/attendance", id(&event)))
        .await
        .json();
    assert_eq!(recorded["attendance"][0]["role"], "Mentor", "{recorded}");

    // An award rule naming a role that cannot be signed is refused too.
    let bad_rule = app
        .post(
            "/api/v1/achievements",
            json!({
                "issuer_id": issuer["id"], "name": "X", "description": "X",
                "award_rules": [{"kind": "participation", "session": event["id"], "role_credits": {"Presenter": 20}}],
            }),
        )
        .await;
    let detail = bad_rule.problem(StatusCode::BAD_REQUEST);
    assert!(detail.contains("from 0.01 to 5, not 20"), "{detail}");
}

#[tokio::test]
async fn presenters_earn_twice_the_credits_and_a_rule_may_count_only_presenters() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let event = session(&app, &issuer, "online").await;
    let attended = app
        .achievement(
            &issuer,
            json!({
                "name": "Open data webinar",
                "credits_available": 1.5,
                "award_rules": [{"kind": "participation", "session": event["id"], "min_minutes": 45, "role_credits": {"presenters": 2}}],
            }),
        )
        .await;
    assert_eq!(
        attended["award_rules"][0]["role_credits"],
        json!({"Presenter": 2.0})
    );
    let presented = app
        .achievement(
            &issuer,
            json!({
                "name": "Webinar presenter",
                "award_rules": [{"kind": "participation", "session": event["id"], "role": "Presenter"}],
            }),
        )
        .await;
    assert_eq!(presented["award_rules"][0]["role"], "Presenter");

    let response = app
        .post(
            &format!("/api/v1/events/{}/attendance", id(&event)),
            json!({"attendance": [
                {"email": "pat@example.org", "minutes": 20, "role": "PRESENTER"},
                {"email": "pat@example.org", "minutes": 40},
                {"email": "sam@example.org", "minutes": 60, "role": "Participant"},
                {"email": "lee@example.org", "minutes": 50},
            ]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());

    let earned = credentials(&app, &attended).await;
    let summary: Vec<(&str, Value, Value)> = earned
        .iter()
        .map(|(email, credential)| {
            let subject = &credential["credentialSubject"];
            (
                email.as_str(),
                json!(subject["creditsEarned"].as_f64()),
                subject.get("role").cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("lee@example.org", json!(1.5), Value::Null),
            ("pat@example.org", json!(3.0), json!("Presenter")),
            ("sam@example.org", json!(1.5), json!("Participant")),
        ]
    );
    let pat = &earned[1].1;
    assert_eq!(
        pat["credentialSubject"]["achievement"]["creditsAvailable"],
        json!(1.5),
        "credits available stay the achievement's nominal value"
    );
    assert!(Schema::AchievementCredential.validate(pat).is_empty());
    let keys = app.pinned(&issuer).await;
    assert_valid(&verify(
        &keys,
        pat.to_string().as_bytes(),
        "pat@example.org",
    ));

    let presenters: Vec<String> = credentials(&app, &presented)
        .await
        .into_iter()
        .map(|(email, _)| email)
        .collect();
    assert_eq!(presenters, ["pat@example.org"]);

    // By hand, a presenter may be given up to twice the credits, and nobody more.
    let by_hand = |email: &str, role: &str, credits: f64| json!({"email": email, "role": role, "credits_earned": credits});
    let ok = app
        .award(&attended, by_hand("kim@example.org", "Presenter", 3.0))
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text());
    let over = app
        .award(&attended, by_hand("jo@example.org", "Presenter", 3.5))
        .await;
    let detail = over.problem(StatusCode::BAD_REQUEST);
    assert!(detail.contains("times 2"), "{detail}");
    let participant = app
        .award(&attended, by_hand("al@example.org", "Participant", 2.0))
        .await;
    participant.problem(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_report_and_a_pasted_sign_in_sheet_carry_roles() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let webinar = session(&app, &issuer, "online").await;
    let badge = app
        .achievement(
            &issuer,
            json!({
                "credits_available": 2,
                "award_rules": [{"kind": "participation", "session": webinar["id"], "role_credits": {"Presenter": 2}}],
            }),
        )
        .await;

    // A plain report with a role column, one role refused with its line.
    let report = format!(
        "email,name,minutes,Role\nada@example.org,Ada,60,presenter\nbob@example.org,Bob,55,\ncy@example.org,Cy,50,{}\n",
        "x".repeat(61)
    );
    let response = app
        .send(
            Method::POST,
            &format!("/api/v1/events/{}/attendance/import", id(&webinar)),
            Some(&app.admin),
            Some("text/csv"),
            Some(report.into_bytes()),
            &[],
        )
        .await;
    assert_eq!(response.status, StatusCode::ACCEPTED, "{}", response.text());
    app.state.jobs.idle().await;
    let job = response.json();
    let done = app.get(local(job["url"].as_str().unwrap())).await.json();
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["result"]["summary"]["recorded"], 2, "{done}");
    assert_eq!(done["result"]["summary"]["rejected"], 1, "{done}");
    let recorded = app
        .get(&format!("/api/v1/events/{}/attendance", id(&webinar)))
        .await
        .json();
    let roles: Vec<(Value, Value)> = recorded["attendance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["email"].clone(), a["role"].clone()))
        .collect();
    assert_eq!(
        roles,
        [
            (json!("ada@example.org"), json!("Presenter")),
            (json!("bob@example.org"), Value::Null)
        ]
    );
    let earned: Vec<(String, Value)> = credentials(&app, &badge)
        .await
        .into_iter()
        .map(|(email, c)| {
            (
                email,
                json!(c["credentialSubject"]["creditsEarned"].as_f64()),
            )
        })
        .collect();
    assert_eq!(
        earned,
        [
            ("ada@example.org".to_string(), json!(4.0)),
            ("bob@example.org".to_string(), json!(2.0))
        ]
    );

    // A sign-in sheet pasted in the console, copied from a spreadsheet with a Role column.
    let user = console::new_user(
        "ada",
        "correct horse battery staple",
        laurel_store::Role::Admin,
        Vec::new(),
        now(),
    )
    .unwrap();
    app.state.store.create_user(&user).await.unwrap();
    let cookie = session_cookie(&app, "ada", "correct horse battery staple").await;
    let workshop = session(&app, &issuer, "in_person").await;
    let page_path = format!("/console/events/{}", id(&workshop));
    let csrf = hidden_csrf(&get_as(&app, &page_path, &cookie).await.text());
    let sheet = "Name\tEmail\tRole\nJane Doe\tjane@example.org\tMentor\nSam Lee\tsam@example.org\tinstructor\n";
    let confirmed = post_form(
        &app,
        &format!("{page_path}/import"),
        &cookie,
        &[
            ("csrf", &csrf),
            ("kind", "list"),
            ("action", "confirm"),
            ("report", sheet),
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
    let workshop_id = id(&workshop).parse().unwrap();
    let mut rows = app.state.store.attendance_of(&[workshop_id]).await.unwrap();
    rows.sort_by(|a, b| a.recipient_email.cmp(&b.recipient_email));
    let roles: Vec<(&str, Option<&str>)> = rows
        .iter()
        .map(|r| (r.recipient_email.as_str(), r.role.as_deref()))
        .collect();
    assert_eq!(
        roles,
        [
            ("jane@example.org", Some("Mentor")),
            ("sam@example.org", Some("Instructor"))
        ]
    );

    // The recipient's page shows the role of the badge and of the session.
    let person = get_as(&app, "/console/recipients?email=ada%40example.org", &cookie)
        .await
        .text();
    assert!(person.contains("<td>Presenter</td>"), "{person}");
    let awards = get_as(&app, "/console/awards", &cookie).await.text();
    assert!(awards.contains("as Presenter"), "{awards}");
}

#[tokio::test]
async fn the_console_awards_with_a_role_and_builds_a_credits_by_role_rule() {
    let app = TestApp::new().await;
    let user = console::new_user(
        "ada",
        "correct horse battery staple",
        laurel_store::Role::Admin,
        Vec::new(),
        now(),
    )
    .unwrap();
    app.state.store.create_user(&user).await.unwrap();
    let cookie = session_cookie(&app, "ada", "correct horse battery staple").await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let page = get_as(&app, "/console/awards", &cookie).await.text();
    assert!(page.contains("<datalist id=\"new-roles\">"), "{page}");
    let csrf = hidden_csrf(&page);
    let achievement_id = id(&achievement);
    let fields = |role: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("achievement", achievement_id.clone()),
            ("email", "mo@example.org".to_string()),
            ("name", "Mo".to_string()),
            ("role", role.to_string()),
        ]
    };
    let bad: Vec<(&str, String)> = fields("Mentor\tand more");
    let pairs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = post_form(&app, "/console/awards/new", &cookie, &pairs).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.text().contains("control character"),
        "{}",
        refused.text()
    );
    assert!(credentials(&app, &achievement).await.is_empty());

    let good = fields("mentor");
    let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = post_form(&app, "/console/awards/new", &cookie, &pairs).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    assert!(done.headers.contains_key(header::LOCATION));
    let issued = credentials(&app, &achievement).await;
    assert_eq!(issued[0].1["credentialSubject"]["role"], "Mentor");

    // The badge form: "those recorded as Presenter earn 2 times the badge's credits", in plain
    // fields, previewed with each person's role and credits, then saved as the rule.
    let event = session(&app, &issuer, "online").await;
    let response = app
        .post(
            &format!("/api/v1/events/{}/attendance", id(&event)),
            json!({"attendance": [
                {"email": "pat@example.org", "minutes": 60, "role": "Presenter"},
                {"email": "sam@example.org", "minutes": 60},
            ]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let page = get_as(&app, "/console/achievements", &cookie).await.text();
    assert!(page.contains("id=\"rule_credit_role\""), "{page}");
    let csrf = hidden_csrf(&page);
    let fields = |action: &str, times: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("action", action.to_string()),
            ("issuer", id(&issuer)),
            ("name", "Open data webinar".to_string()),
            ("description", "Attended the webinar.".to_string()),
            ("criteria_narrative", "Attend the webinar.".to_string()),
            ("credits_available", "1.5".to_string()),
            ("rule_kind", "session".to_string()),
            ("rule_session", id(&event)),
            ("rule_credit_role", "presenter".to_string()),
            ("rule_credit_times", times.to_string()),
        ]
    };
    let send = |fields: Vec<(&'static str, String)>| {
        let app = &app;
        let cookie = cookie.clone();
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(app, "/console/achievements", &cookie, &pairs).await
        }
    };
    let wrong = send(fields("preview", "twice")).await;
    assert!(
        wrong.text().contains("“twice” is not a number"),
        "{}",
        wrong.text()
    );
    let preview = send(fields("preview", "2")).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    let html = preview.text();
    assert!(html.contains("Presenter: 2 × the credits."), "{html}");
    assert!(
        html.contains("<td>pat@example.org</td><td>Presenter</td><td>3 hours</td>"),
        "{html}"
    );
    assert!(
        html.contains("<td>sam@example.org</td><td></td><td>1.5 hours</td>"),
        "{html}"
    );
    let saved = send(fields("save", "2")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let stored = app
        .state
        .store
        .list_achievements(None)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.name == "Open data webinar")
        .unwrap();
    let rules: Value = serde_json::from_str(&stored.award_rules).unwrap();
    assert_eq!(
        rules[0]["role_credits"],
        json!({"Presenter": 2.0}),
        "{rules}"
    );
    let badge = get_as(
        &app,
        saved.headers[header::LOCATION].to_str().unwrap(),
        &cookie,
    )
    .await
    .text();
    assert!(badge.contains("id=\"rule_credit_times\" name=\"rule_credit_times\" inputmode=\"decimal\" size=\"4\" value=\"2\""), "{badge}");
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
