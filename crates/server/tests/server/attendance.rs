//! Attendance and completion as programme staff drive them: series of webinars, award rules,
//! late records, previews, completions, report imports as jobs, and bad input.

use crate::util;

use std::time::Duration;

use axum::http::{Method, StatusCode};
use laurel_core::schema::Schema;
use serde_json::{Value, json};
use util::{TestApp, assert_valid, id, verify};

/// Sessions of a webinar series, an hour each, a week apart, before the test clock's "now".
async fn series_with_sessions(app: &TestApp, issuer: &Value, count: usize) -> (Value, Vec<Value>) {
    let series = app
        .post(
            "/api/v1/series",
            json!({"issuer_id": issuer["id"], "title": "Cataloguing basics"}),
        )
        .await;
    assert_eq!(series.status, StatusCode::CREATED, "{}", series.text());
    let series = series.json();
    let mut sessions = Vec::new();
    for index in 0..count {
        sessions.push(
            event(
                app,
                issuer,
                json!({
                    "title": format!("Cataloguing basics {}", index + 1),
                    "starts_at": format!("2026-02-{:02}T14:00:00Z", 2 + 7 * index),
                    "series_id": series["id"],
                }),
            )
            .await,
        );
    }
    (series, sessions)
}

async fn event(app: &TestApp, issuer: &Value, extra: Value) -> Value {
    let mut body = json!({
        "issuer_id": issuer["id"],
        "title": "Open data webinar",
        "starts_at": "2026-02-02T14:00:00Z",
        "duration_minutes": 60,
        "format": "online",
    });
    for (key, value) in extra.as_object().expect("object") {
        body[key] = value.clone();
    }
    let response = app.post("/api/v1/events", body).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    response.json()
}

/// Records attendance `(email, minutes)` for an event; the response.
async fn attend(app: &TestApp, event: &Value, people: &[(&str, u32)]) -> Value {
    let records: Vec<Value> = people
        .iter()
        .map(|(email, minutes)| json!({"email": email, "minutes": minutes, "name": format!("Name of {email}")}))
        .collect();
    let response = app
        .post(
            &format!("/api/v1/events/{}/attendance", id(event)),
            json!({ "attendance": records }),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()
}

fn created(response: &Value) -> u64 {
    response["awards"]
        .as_array()
        .expect("awards")
        .iter()
        .map(|award| award["created"].as_u64().expect("created"))
        .sum()
}

async fn awards_of(app: &TestApp, achievement: &Value) -> Vec<Value> {
    let page = app
        .get(&format!("/api/v1/awards?achievement={}", id(achievement)))
        .await
        .json();
    page["awards"].as_array().expect("awards").clone()
}

async fn credential_of(app: &TestApp, award: &Value) -> Value {
    app.get(&format!("/api/v1/awards/{}", id(award)))
        .await
        .json()
}

#[tokio::test]
async fn a_series_is_awarded_to_those_who_attended_every_session_with_what_happened() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let (series, sessions) = series_with_sessions(&app, &issuer, 3).await;
    let achievement = app
        .achievement(
            &issuer,
            json!({
                "name": "Cataloguing basics: the series",
                "credits_available": 3,
                "award_rules": [{"kind": "series_completion", "series": series["id"], "min_percent": 75}],
            }),
        )
        .await;
    assert_eq!(achievement["award_rules"][0]["kind"], "series_completion");

    assert_eq!(
        created(
            &attend(
                &app,
                &sessions[0],
                &[("alice@example.org", 60), ("Bob@Example.org", 50)]
            )
            .await
        ),
        0
    );
    // Bob stays 20 minutes of 60: under 75 %.
    attend(
        &app,
        &sessions[1],
        &[("alice@example.org", 55), ("bob@example.org", 20)],
    )
    .await;
    let third = attend(
        &app,
        &sessions[2],
        &[("alice@example.org", 46), ("bob@example.org", 60)],
    )
    .await;
    assert_eq!(created(&third), 1, "{third}");

    let awards = awards_of(&app, &achievement).await;
    assert_eq!(awards.len(), 1);
    assert_eq!(awards[0]["recipient_email"], "alice@example.org");
    assert_eq!(awards[0]["recipient_name"], "Name of alice@example.org");
    let full = credential_of(&app, &awards[0]).await;
    let credential = &full["credential"];
    let subject = &credential["credentialSubject"];
    assert_eq!(subject["activityStartDate"], "2026-02-02T14:00:00Z");
    assert_eq!(subject["activityEndDate"], "2026-02-16T15:00:00Z");
    assert_eq!(subject["result"][0]["status"], "Completed");
    assert_eq!(subject["creditsEarned"], 3.0);
    let evidence: Vec<&str> = credential["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .map(|item| item["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        evidence,
        [
            "Cataloguing basics 1",
            "Cataloguing basics 2",
            "Cataloguing basics 3"
        ]
    );
    assert!(
        credential["evidence"][2]["description"]
            .as_str()
            .expect("description")
            .contains("46 of 60 minutes"),
        "{}",
        credential["evidence"]
    );
    assert!(
        !credential.to_string().contains("alice@example.org"),
        "the email is never published"
    );
    let violations = Schema::AchievementCredential.validate(credential);
    assert!(violations.is_empty(), "{violations:?}");
    let keys = app.pinned(&issuer).await;
    assert_valid(&verify(
        &keys,
        credential.to_string().as_bytes(),
        "alice@example.org",
    ));
    assert_valid(&verify(
        &keys,
        full["jwt"].as_str().expect("jwt").as_bytes(),
        "alice@example.org",
    ));

    // The same attendance again changes nothing and mints nothing.
    let again = attend(
        &app,
        &sessions[2],
        &[("alice@example.org", 46), ("bob@example.org", 60)],
    )
    .await;
    assert_eq!(again["duplicate"], 2, "{again}");
    assert_eq!(created(&again), 0);

    // Two records of one person in one request are one attendance, summed (a rejoin).
    let rejoin = app
        .post(
            &format!("/api/v1/events/{}/attendance", id(&sessions[0])),
            json!({"attendance": [
                {"email": "eve@example.org", "minutes": 30},
                {"email": "EVE@example.org", "minutes": 25},
            ]}),
        )
        .await
        .json();
    assert_eq!(
        (rejoin["recorded"].clone(), rejoin["merged"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(rejoin["results"][1]["into_index"], 0);
    let recorded = app
        .get(&format!("/api/v1/events/{}/attendance", id(&sessions[0])))
        .await
        .json();
    let eve = recorded["attendance"]
        .as_array()
        .expect("attendance")
        .iter()
        .find(|record| record["email"] == "eve@example.org")
        .expect("eve")
        .clone();
    assert_eq!(eve["minutes"], 55);

    // A late record: Bob's rejoin in session 2 arrives from another source with more minutes.
    let late = attend(&app, &sessions[1], &[("bob@example.org", 52)]).await;
    assert_eq!(late["updated"], 1, "{late}");
    assert_eq!(created(&late), 1);
    assert_eq!(awards_of(&app, &achievement).await.len(), 2);
}

#[tokio::test]
async fn a_session_added_to_a_series_later_awards_the_newly_qualified_and_nobody_twice() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let (series, sessions) = series_with_sessions(&app, &issuer, 2).await;
    let achievement = app
        .achievement(
            &issuer,
            json!({"award_rules": [{"kind": "series_completion", "series": series["id"], "at_least": 2}]}),
        )
        .await;
    attend(
        &app,
        &sessions[0],
        &[("alice@example.org", 60), ("carol@example.org", 60)],
    )
    .await;
    assert_eq!(
        created(&attend(&app, &sessions[1], &[("alice@example.org", 60)]).await),
        1
    );
    // Carol also came to a session that was not in the series yet.
    let extra = event(
        &app,
        &issuer,
        json!({"title": "Bonus session", "starts_at": "2026-02-20T14:00:00Z"}),
    )
    .await;
    assert_eq!(
        created(&attend(&app, &extra, &[("carol@example.org", 45)]).await),
        0
    );

    let moved = app
        .patch(
            &format!("/api/v1/events/{}", id(&extra)),
            json!({"series_id": series["id"]}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text());
    assert_eq!(created(&moved.json()), 1, "{}", moved.text());
    let mut emails: Vec<String> = awards_of(&app, &achievement)
        .await
        .iter()
        .map(|award| {
            award["recipient_email"]
                .as_str()
                .expect("email")
                .to_string()
        })
        .collect();
    emails.sort();
    assert_eq!(emails, ["alice@example.org", "carol@example.org"]);

    // A new session in the series evaluates again: nobody is awarded twice.
    let fourth = event(
        &app,
        &issuer,
        json!({"title": "Cataloguing basics 4", "starts_at": "2026-02-25T14:00:00Z", "series_id": series["id"]}),
    )
    .await;
    assert_eq!(fourth["awards"][0]["created"], 0, "{fourth}");
    assert_eq!(awards_of(&app, &achievement).await.len(), 2);
}

#[tokio::test]
async fn rules_set_after_the_fact_are_previewed_then_awarded_once() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let webinar = event(&app, &issuer, json!({})).await;
    attend(
        &app,
        &webinar,
        &[
            ("alice@example.org", 45),
            ("bob@example.org", 10),
            ("dan@example.org", 30),
        ],
    )
    .await;
    let achievement = app
        .achievement(&issuer, json!({"name": "Open data webinar"}))
        .await;
    let set = app
        .patch(
            &format!("/api/v1/achievements/{}", id(&achievement)),
            json!({"award_rules": [{"kind": "participation", "session": webinar["id"], "min_minutes": 30}]}),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    // Setting a rule mints nothing by itself.
    assert!(awards_of(&app, &achievement).await.is_empty());

    let preview = app
        .get(&format!(
            "/api/v1/achievements/{}/rules/preview",
            id(&achievement)
        ))
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    let preview = preview.json();
    assert_eq!(preview["would_award"], 2);
    let pending: Vec<&str> = preview["pending"]
        .as_array()
        .expect("pending")
        .iter()
        .map(|person| person["email"].as_str().expect("email"))
        .collect();
    assert_eq!(pending, ["alice@example.org", "dan@example.org"]);
    // Participation is not completion: no result.
    assert_eq!(preview["pending"][0]["result"], Value::Null);

    let path = format!("/api/v1/achievements/{}/rules/evaluate", id(&achievement));
    let first = app.post(&path, json!({})).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert_eq!(first.json()["created"], 2);
    assert_eq!(app.post(&path, json!({})).await.json()["created"], 0);
    let after = app
        .get(&format!(
            "/api/v1/achievements/{}/rules/preview",
            id(&achievement)
        ))
        .await
        .json();
    assert_eq!(
        (
            after["would_award"].clone(),
            after["already_awarded"].clone()
        ),
        (json!(0), json!(2))
    );
    let awards = awards_of(&app, &achievement).await;
    let credential = &credential_of(&app, &awards[0]).await["credential"];
    assert!(credential["credentialSubject"].get("result").is_none());
}

#[tokio::test]
async fn a_recorded_completion_awards_with_its_score_and_evidence() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app
        .achievement(
            &issuer,
            json!({"award_rules": [{"kind": "completion", "what": "cataloguing-101"}]}),
        )
        .await;
    let body = json!({
        "issuer_id": issuer["id"], "what": "cataloguing-101", "email": "Erin@Example.org",
        "name": "Erin", "completed_at": "2026-02-27", "score": "92",
        "evidence": "https://lms.example.org/submissions/42",
    });
    let response = app.post("/api/v1/completions", body.clone()).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let response = response.json();
    assert_eq!(
        (response["recorded"].clone(), created(&response)),
        (json!(1), 1)
    );

    let awards = awards_of(&app, &achievement).await;
    let credential = &credential_of(&app, &awards[0]).await["credential"];
    let subject = &credential["credentialSubject"];
    assert_eq!(subject["result"][0]["status"], "Completed");
    assert_eq!(subject["result"][0]["value"], "92");
    assert_eq!(subject["activityStartDate"], "2026-02-27T00:00:00Z");
    assert_eq!(
        credential["evidence"][0]["id"],
        "https://lms.example.org/submissions/42"
    );
    assert_valid(&verify(
        &app.pinned(&issuer).await,
        credential.to_string().as_bytes(),
        "erin@example.org",
    ));

    let again = app
        .post("/api/v1/completions", json!({"completions": [body]}))
        .await
        .json();
    assert_eq!((again["duplicate"].clone(), created(&again)), (json!(1), 0));
    let listed = app
        .get(&format!(
            "/api/v1/completions?issuer={}&what=cataloguing-101",
            id(&issuer)
        ))
        .await
        .json();
    assert_eq!(listed["completions"].as_array().expect("list").len(), 1);
}

/// Starts an import of `bytes` into `event`; the job as accepted.
async fn start_import(app: &TestApp, event: &Value, query: &str, bytes: &[u8]) -> Value {
    let response = app
        .send(
            Method::POST,
            &format!("/api/v1/events/{}/attendance/import{query}", id(event)),
            Some(&app.admin),
            Some("text/csv"),
            Some(bytes.to_vec()),
            &[],
        )
        .await;
    assert_eq!(response.status, StatusCode::ACCEPTED, "{}", response.text());
    let location = response
        .headers
        .get("location")
        .and_then(|value| value.to_str().ok())
        .expect("location")
        .to_string();
    let job = response.json();
    assert_eq!(location, job["url"]);
    job
}

/// Polls a job until it finishes.
async fn finished(app: &TestApp, job: &Value) -> Value {
    for _ in 0..1_500 {
        let view = app.get(job["url"].as_str().expect("url")).await.json();
        if view["status"] == "succeeded" || view["status"] == "failed" {
            return view;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the import did not finish: {job}");
}

fn zoom_report() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/attendance/zoom_webinar.csv"
    ))
    .expect("sample report")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zoom_report_imports_as_a_job_with_a_result_per_line_and_reruns_harmlessly() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let webinar = event(
        &app,
        &issuer,
        json!({"title": "Open Data for Community Health", "starts_at": "2024-03-14T10:00:00Z", "duration_minutes": 64}),
    )
    .await;
    let achievement = app
        .achievement(
            &issuer,
            json!({"award_rules": [{"kind": "participation", "session": webinar["id"], "min_minutes": 40}]}),
        )
        .await;

    // A dry run says what would happen and records nothing.
    let dry = finished(
        &app,
        &start_import(&app, &webinar, "?dry_run=true", &zoom_report()).await,
    )
    .await;
    assert_eq!(dry["status"], "succeeded", "{dry}");
    let result = &dry["result"];
    assert_eq!(result["format"], "zoom");
    assert_eq!(result["awards"][0]["would_award"], 4, "{result}");
    let attendance = app
        .get(&format!("/api/v1/events/{}/attendance", id(&webinar)))
        .await
        .json();
    assert!(
        attendance["attendance"]
            .as_array()
            .expect("list")
            .is_empty()
    );
    assert!(awards_of(&app, &achievement).await.is_empty());

    let job = start_import(&app, &webinar, "?file_name=zoom.csv", &zoom_report()).await;
    assert_eq!(job["file_name"], "zoom.csv");
    let done = finished(&app, &job).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["processed_rows"], done["total_rows"]);
    let result = &done["result"];
    let summary = &result["summary"];
    assert_eq!(summary["recorded"], 4, "{summary}");
    assert_eq!(summary["merged"], 2, "{summary}");
    assert_eq!(summary["skipped"], 1, "{summary}");
    assert_eq!(summary["rejected"], 1, "{summary}");
    // Amara rejoined twice: 32 + 27 + 3 minutes in one record, from her first line.
    let lines = result["lines"].as_array().expect("lines");
    let amara = lines
        .iter()
        .find(|line| line["email"] == "amara.okafor@example.org")
        .expect("Amara's line");
    assert_eq!(amara["outcome"], "recorded");
    assert!(
        lines
            .iter()
            .any(|line| line["outcome"] == "merged" && line["into_line"] == amara["line"])
    );
    assert_eq!(result["awards"][0]["created"], 4, "{result}");
    // The report's times were read at UTC (the earliest join is right at the start).
    let recorded = app
        .get(&format!("/api/v1/events/{}/attendance", id(&webinar)))
        .await
        .json();
    let amara = recorded["attendance"]
        .as_array()
        .expect("attendance")
        .iter()
        .find(|record| record["email"] == "amara.okafor@example.org")
        .expect("recorded")
        .clone();
    assert_eq!(amara["minutes"], 62);
    assert_eq!(amara["joined_at"], "2024-03-14T10:00:03Z");
    assert_eq!(amara["source"], "import:zoom");

    // The same file again: every person a duplicate, nobody minted twice.
    let rerun = finished(
        &app,
        &start_import(&app, &webinar, "", &zoom_report()).await,
    )
    .await;
    assert_eq!(rerun["result"]["summary"]["duplicate"], 4, "{rerun}");
    assert_eq!(rerun["result"]["awards"][0]["created"], 0);
    assert_eq!(awards_of(&app, &achievement).await.len(), 4);

    let listed = app
        .get(&format!("/api/v1/imports?event={}", id(&webinar)))
        .await
        .json();
    let listed = listed["imports"].as_array().expect("imports");
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[0]["id"], rerun["id"], "newest first");
    assert!(listed[0].get("result").is_none());
}

/// A plain report of `people` (email index range) with 50 minutes each.
fn plain_report(people: std::ops::Range<usize>) -> Vec<u8> {
    let mut text = String::from("email,name,minutes\n");
    for index in people {
        text.push_str(&format!("person{index}@example.org,Person {index},50\n"));
    }
    text.into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_overlapping_imports_at_once_award_each_person_once() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let webinar = event(&app, &issuer, json!({})).await;
    let achievement = app
        .achievement(
            &issuer,
            json!({"award_rules": [{"kind": "participation", "session": webinar["id"], "min_percent": 80}]}),
        )
        .await;
    let first = start_import(&app, &webinar, "", &plain_report(0..300)).await;
    let second = start_import(&app, &webinar, "", &plain_report(150..450)).await;
    let (first, second) = tokio::join!(finished(&app, &first), finished(&app, &second));
    assert_eq!(first["status"], "succeeded", "{first}");
    assert_eq!(second["status"], "succeeded", "{second}");
    let minted = first["result"]["awards"][0]["created"]
        .as_u64()
        .expect("created")
        + second["result"]["awards"][0]["created"]
            .as_u64()
            .expect("created");
    assert_eq!(minted, 450);
    let page = app
        .get(&format!(
            "/api/v1/awards?achievement={}&limit=1",
            id(&achievement)
        ))
        .await
        .json();
    assert_eq!(page["total"], 450);
}

#[tokio::test]
async fn bad_input_is_refused_with_a_reason_and_nothing_stored() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let webinar = event(&app, &issuer, json!({})).await;
    let other_issuer = app.issuer(json!({"name": "Another association"})).await;

    let cases = [
        (
            json!({"issuer_id": issuer["id"], "title": "x", "starts_at": "March 3", "duration_minutes": 60}),
            "starts_at",
        ),
        (
            json!({"issuer_id": issuer["id"], "title": "x", "starts_at": "2026-03-03T10:00:00Z", "duration_minutes": 0}),
            "duration_minutes",
        ),
        (
            json!({"issuer_id": issuer["id"], "title": "x", "starts_at": "2026-03-03T10:00:00Z", "duration_minutes": 60, "format": "hybrid"}),
            "format",
        ),
        (
            json!({"issuer_id": issuer["id"], "title": " ", "starts_at": "2026-03-03T10:00:00Z", "duration_minutes": 60}),
            "title",
        ),
    ];
    for (body, field) in cases {
        let response = app.post("/api/v1/events", body).await;
        assert!(response.problem(StatusCode::BAD_REQUEST).contains(field));
    }

    let rule = |rule: Value| json!({"award_rules": [rule]});
    let rule_cases = [
        (
            rule(json!({"kind": "participation", "session": "not-an-id"})),
            "session",
        ),
        (
            rule(json!({"kind": "participation", "session": uuid::Uuid::nil()})),
            "no event",
        ),
        (
            rule(json!({"kind": "participation", "session": webinar["id"], "min_percent": 140})),
            "award_rules[0]",
        ),
        (
            rule(json!({"kind": "attendance", "session": webinar["id"]})),
            "award_rules[0]",
        ),
        (
            rule(json!({"kind": "series_completion", "series": uuid::Uuid::nil()})),
            "no series",
        ),
    ];
    for (extra, expected) in rule_cases {
        let mut body = extra;
        body["issuer_id"] = issuer["id"].clone();
        body["name"] = json!("Badge");
        body["description"] = json!("A badge.");
        body["criteria_narrative"] = json!("Attend.");
        let response = app.post("/api/v1/achievements", body).await;
        let detail = response.problem(StatusCode::BAD_REQUEST);
        assert!(detail.contains(expected), "{detail}");
    }
    // A rule may not name another issuer's session: it reads as missing (so a token limited
    // to one issuer learns nothing of the others' ids).
    let other = app.achievement(&other_issuer, json!({})).await;
    let response = app
        .patch(
            &format!("/api/v1/achievements/{}", id(&other)),
            json!({"award_rules": [{"kind": "participation", "session": webinar["id"]}]}),
        )
        .await;
    assert_eq!(
        response.problem(StatusCode::BAD_REQUEST),
        format!(
            "award_rules[0].session: this issuer has no event with id {}",
            id(&webinar)
        )
    );

    // A bad attendance record is rejected alone.
    let response = app
        .post(
            &format!("/api/v1/events/{}/attendance", id(&webinar)),
            json!({"attendance": [{"email": "not an email", "minutes": 5}, {"email": "ok@example.org", "minutes": 5}]}),
        )
        .await
        .json();
    assert_eq!(
        (response["recorded"].clone(), response["rejected"].clone()),
        (json!(1), json!(1))
    );
    assert!(
        response["results"][0]["error"]
            .as_str()
            .expect("error")
            .contains("not a valid address")
    );

    // Reports that cannot be read are refused before a job exists.
    let import = format!("/api/v1/events/{}/attendance/import", id(&webinar));
    let send = |path: String, body: &'static [u8], token: String| {
        let app = &app;
        async move {
            app.send(
                Method::POST,
                &path,
                Some(&token),
                Some("text/csv"),
                Some(body.to_vec()),
                &[],
            )
            .await
        }
    };
    let no_header = send(
        import.clone(),
        b"who,when\nsomeone,today\n",
        app.admin.clone(),
    )
    .await;
    assert!(
        no_header
            .problem(StatusCode::UNPROCESSABLE_ENTITY)
            .contains("header")
    );
    let empty = send(import.clone(), b"", app.admin.clone()).await;
    empty.problem(StatusCode::UNPROCESSABLE_ENTITY);
    let mapping = send(
        format!("{import}?name_column=Name"),
        b"email,minutes\n",
        app.admin.clone(),
    )
    .await;
    assert!(
        mapping
            .problem(StatusCode::BAD_REQUEST)
            .contains("email_column")
    );
    let offset = send(
        format!("{import}?utc_offset=EST"),
        b"email,minutes\n",
        app.admin.clone(),
    )
    .await;
    assert!(
        offset
            .problem(StatusCode::BAD_REQUEST)
            .contains("utc_offset")
    );
    let unknown = send(
        format!("/api/v1/events/{}/attendance/import", uuid::Uuid::nil()),
        b"email,minutes\na@example.org,5\n",
        app.admin.clone(),
    )
    .await;
    unknown.problem(StatusCode::NOT_FOUND);
    let reader = app.token(&["read"]).await;
    let forbidden = send(import.clone(), b"email,minutes\na@example.org,5\n", reader).await;
    forbidden.problem(StatusCode::FORBIDDEN);
    let jobs = app.get("/api/v1/imports").await.json();
    assert!(jobs["imports"].as_array().expect("imports").is_empty());
    app.get(&format!("/api/v1/imports/{}", uuid::Uuid::nil()))
        .await
        .problem(StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_explicit_column_mapping_and_offset_read_any_csv() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let workshop = event(
        &app,
        &issuer,
        json!({"title": "Workshop", "starts_at": "2026-02-10T14:00:00Z", "duration_minutes": 120, "format": "in_person"}),
    )
    .await;
    let report = "Sign-in sheet\nParticipant,Mail,Arrived,Left\n\
                  Jo Smith,jo@example.org,2026-02-10 09:02,2026-02-10 11:00\n\
                  Sam Lee,SAM@example.org,2026-02-10 09:30,2026-02-10 10:00\n";
    let job = start_import(
        &app,
        &workshop,
        "?email_column=Mail&name_column=%231&join_column=Arrived&leave_column=Left&utc_offset=-05:00",
        report.as_bytes(),
    )
    .await;
    let done = finished(&app, &job).await;
    assert_eq!(done["result"]["format"], "mapped", "{done}");
    assert_eq!(done["result"]["summary"]["recorded"], 2, "{done}");
    let recorded = app
        .get(&format!("/api/v1/events/{}/attendance", id(&workshop)))
        .await
        .json();
    let jo = &recorded["attendance"][0];
    assert_eq!(jo["email"], "jo@example.org");
    assert_eq!(jo["name"], "Jo Smith");
    assert_eq!(jo["minutes"], 118);
    assert_eq!(jo["joined_at"], "2026-02-10T14:02:00Z");
}

/// A clock tests can move.
struct MovableClock(std::sync::Mutex<chrono::DateTime<chrono::Utc>>);

impl laurel_service::clock::Clock for MovableClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        *self.0.lock().expect("clock")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issuer_may_have_three_imports_waiting_and_old_per_line_results_expire() {
    let clock = std::sync::Arc::new(MovableClock(std::sync::Mutex::new(util::now())));
    let app = TestApp::builder().clock(clock.clone()).build().await;
    let busy = app.issuer(json!({"name": "Busy Library"})).await;
    let calm = app.issuer(json!({"name": "Calm Library"})).await;
    let busy_event = event(&app, &busy, json!({})).await;
    let calm_event = event(&app, &calm, json!({})).await;

    // Three imports of the busy issuer are waiting (as if still parsing elsewhere).
    let event_id = uuid::Uuid::parse_str(&id(&busy_event)).expect("uuid");
    for _ in 0..3 {
        let job = laurel_store::ImportJob {
            id: uuid::Uuid::now_v7(),
            event_id,
            status: laurel_store::ImportStatus::Queued,
            dry_run: false,
            file_name: None,
            total_rows: 1,
            processed_rows: 0,
            result: None,
            error: None,
            created_at: util::now(),
            updated_at: util::now(),
            finished_at: None,
        };
        app.state.store.create_import(&job).await.expect("stored");
    }
    let before = app.get("/api/v1/imports").await.json()["imports"]
        .as_array()
        .map(Vec::len);
    let response = app
        .send(
            Method::POST,
            &format!("/api/v1/events/{}/attendance/import", id(&busy_event)),
            Some(&app.admin),
            Some("text/csv"),
            Some(plain_report(0..3)),
            &[],
        )
        .await;
    let detail = response.problem(StatusCode::TOO_MANY_REQUESTS);
    assert!(
        detail.contains("already has 3 imports waiting or running"),
        "{detail}"
    );
    assert_eq!(
        response
            .headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("30")
    );
    let after = app.get("/api/v1/imports").await.json()["imports"]
        .as_array()
        .map(Vec::len);
    assert_eq!(before, after, "nothing stored for the refused import");

    // Another issuer is not held up; its result names every attendee, for a while.
    let job = finished(
        &app,
        &start_import(&app, &calm_event, "", &plain_report(0..3)).await,
    )
    .await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["result"]["lines"].as_array().map(Vec::len), Some(3));
    let review = finished(
        &app,
        &start_import(&app, &calm_event, "?dry_run=true", &plain_report(0..5)).await,
    )
    .await;
    assert!(review["result"].to_string().contains("@"), "{review}");

    // A day on, the review's per-line results are gone; the import's stay for 30 days.
    *clock.0.lock().expect("clock") = util::now() + chrono::Duration::hours(25);
    let seen = app.get(review["url"].as_str().expect("url")).await.json();
    assert!(seen["result"]["lines"].is_null(), "{seen}");
    assert!(!seen["result"].to_string().contains("@example"), "{seen}");
    assert!(seen["result"]["lines_expired_at"].is_string(), "{seen}");
    assert_eq!(seen["result"]["summary"]["lines"], 5, "the summary stays");
    let kept = app.get(job["url"].as_str().expect("url")).await.json();
    assert_eq!(kept["result"]["lines"].as_array().map(Vec::len), Some(3));

    // Dropped from the database too, once the issuer imports again.
    let _ = finished(
        &app,
        &start_import(&app, &calm_event, "", &plain_report(0..1)).await,
    )
    .await;
    // The job says "succeeded" once its own result is stored; dropping older results follows
    // right after, in the same job.
    let review_id = uuid::Uuid::parse_str(review["id"].as_str().expect("id")).expect("uuid");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let stored = app.state.store.import(review_id).await.expect("job");
        if !stored.result.expect("result").contains("@example") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the stored review still names attendees"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    *clock.0.lock().expect("clock") = util::now() + chrono::Duration::days(31);
    let old = app.get(job["url"].as_str().expect("url")).await.json();
    assert!(old["result"]["lines"].is_null(), "{old}");
}
