//! The OpenAPI document against real answers: bodies that endpoints return validate against
//! the schemas the document gives for them, and name no member the schema leaves out.

use crate::util::{self, TestApp};

use axum::http::{Method, StatusCode};
use serde_json::{Map, Value, json};

/// The schema the document gives for the JSON body of `method path`'s `status` answer.
fn response_schema(document: &Value, path: &str, method: &str, status: StatusCode) -> Value {
    let schema = &document["paths"][path][method]["responses"][status.as_str()]["content"]["application/json"]
        ["schema"];
    assert!(
        schema.is_object(),
        "{method} {path} documents no JSON body for {status}"
    );
    schema.clone()
}

/// The schema at a `#/components/schemas/…` reference, or the schema itself.
fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            let target = document.pointer(pointer).expect("the reference resolves");
            resolve(document, target)
        }
        None => schema,
    }
}

/// The properties an object schema names, through references and `allOf`; `None` when the
/// schema does not say (a free-form object, or a choice of several).
fn properties(document: &Value, schema: &Value) -> Option<Map<String, Value>> {
    let schema = resolve(document, schema);
    let mut all = Map::new();
    let mut said = false;
    if let Some(own) = schema["properties"].as_object() {
        all.extend(own.clone());
        said = true;
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        all.extend(properties(document, part)?);
        said = true;
    }
    said.then_some(all)
}

/// Every member of `body` is one the schema names, at every depth the schema describes.
fn check_documented(document: &Value, schema: &Value, body: &Value, at: &str) {
    let schema = resolve(document, schema);
    match body {
        Value::Object(members) => {
            let Some(known) = properties(document, schema) else {
                return;
            };
            for (name, value) in members {
                let Some(member) = known.get(name) else {
                    panic!("{at}.{name} is answered but not documented");
                };
                check_documented(document, member, value, &format!("{at}.{name}"));
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.get("items") {
                for (index, value) in items.iter().enumerate() {
                    check_documented(document, item, value, &format!("{at}[{index}]"));
                }
            }
        }
        _ => {}
    }
}

/// Fails unless `body` validates against the document's schema for the answer and names
/// nothing the schema leaves out.
fn assert_documented(document: &Value, method: &str, path: &str, status: StatusCode, body: &Value) {
    let schema = response_schema(document, path, method, status);
    let root = json!({ "allOf": [schema], "components": document["components"] });
    let validator = jsonschema::validator_for(&root).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} ({status}) does not match its schema: {errors:#?}\n{body:#}"
    );
    check_documented(document, &schema, body, &format!("{method} {path}"));
}

#[tokio::test]
async fn answers_validate_against_the_documented_schemas() {
    let app = TestApp::new().await;
    let document = app.get("/api/v1/openapi.json").await.json();

    let issuer = app.issuer(json!({})).await;
    let issuer_id = issuer["id"].as_str().expect("issuer id").to_string();
    let fetched = app.get(&format!("/api/v1/issuers/{issuer_id}")).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_documented(
        &document,
        "get",
        "/issuers/{id}",
        StatusCode::OK,
        &fetched.json(),
    );
    let issuers = app.get("/api/v1/issuers").await.json();
    assert_documented(&document, "get", "/issuers", StatusCode::OK, &issuers);

    let achievement = app.achievement(&issuer, json!({})).await;
    let achievements = app.get("/api/v1/achievements").await.json();
    assert_documented(
        &document,
        "get",
        "/achievements",
        StatusCode::OK,
        &achievements,
    );

    let created = app
        .award(&achievement, json!({"email": "a@example.org"}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let award = created.json();
    assert_documented(
        &document,
        "post",
        "/achievements/{id}/awards",
        StatusCode::CREATED,
        &award,
    );
    let award_id = award["id"].as_str().expect("award id").to_string();
    let batch = app
        .award(
            &achievement,
            json!({"awards": [
                {"email": "a@example.org"},
                {"email": "b@example.org"},
                {"email": "not an address"}
            ]}),
        )
        .await;
    assert_eq!(batch.status, StatusCode::OK, "{}", batch.text());
    assert_documented(
        &document,
        "post",
        "/achievements/{id}/awards",
        StatusCode::OK,
        &batch.json(),
    );
    let detail = app.get(&format!("/api/v1/awards/{award_id}")).await.json();
    assert_documented(&document, "get", "/awards/{id}", StatusCode::OK, &detail);
    let page = app.get("/api/v1/awards").await.json();
    assert_documented(&document, "get", "/awards", StatusCode::OK, &page);

    let suspended = app
        .post(
            &format!("/api/v1/credentials/{award_id}/suspend"),
            json!({"reason": "checking"}),
        )
        .await;
    assert_eq!(suspended.status, StatusCode::OK, "{}", suspended.text());
    assert_documented(
        &document,
        "post",
        "/credentials/{id}/suspend",
        StatusCode::OK,
        &suspended.json(),
    );

    let event = app
        .post(
            "/api/v1/events",
            json!({
                "issuer_id": issuer_id,
                "title": "Webinar",
                "starts_at": util::NOW,
                "duration_minutes": 60
            }),
        )
        .await;
    assert_eq!(event.status, StatusCode::CREATED, "{}", event.text());
    let event = event.json();
    assert_documented(&document, "post", "/events", StatusCode::CREATED, &event);
    let event_id = event["id"].as_str().expect("event id").to_string();
    let recorded = app
        .post(
            &format!("/api/v1/events/{event_id}/attendance"),
            json!({"attendance": [
                {"email": "c@example.org", "minutes": 50},
                {"email": "c@example.org", "minutes": 5},
                {"email": "nobody", "minutes": 5}
            ]}),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.text());
    assert_documented(
        &document,
        "post",
        "/events/{id}/attendance",
        StatusCode::OK,
        &recorded.json(),
    );
    let attendance = app
        .get(&format!("/api/v1/events/{event_id}/attendance"))
        .await
        .json();
    assert_documented(
        &document,
        "get",
        "/events/{id}/attendance",
        StatusCode::OK,
        &attendance,
    );

    let tokens = app
        .call(Method::GET, "/api/v1/tokens", Some(&app.admin), None)
        .await
        .json();
    assert_documented(&document, "get", "/tokens", StatusCode::OK, &tokens);

    let problem = app.get("/api/v1/issuers/not-a-uuid").await;
    assert_eq!(problem.status, StatusCode::NOT_FOUND);
    let problem_schema = json!({ "$ref": "#/components/schemas/Problem" });
    check_documented(&document, &problem_schema, &problem.json(), "a 404 problem");
}

/// The schema the document gives for the JSON request body of `method path`.
fn request_schema(document: &Value, path: &str, method: &str) -> Value {
    let schema =
        &document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
    assert!(
        schema.is_object(),
        "{method} {path} documents no JSON request body"
    );
    schema.clone()
}

/// The errors of `body` against `schema` (resolved in the document's components).
fn schema_errors(document: &Value, schema: &Value, body: &Value) -> Vec<String> {
    let root = json!({ "allOf": [schema], "components": document["components"] });
    let validator = jsonschema::validator_for(&root).expect("the schema compiles");
    validator
        .iter_errors(body)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect()
}

/// Fails unless `body`, which the server accepted, validates against the request schema the
/// document gives and names nothing the schema leaves out.
fn assert_request_documented(document: &Value, method: &str, path: &str, body: &Value) {
    let schema = request_schema(document, path, method);
    let errors = schema_errors(document, &schema, body);
    assert!(
        errors.is_empty(),
        "a request {method} {path} accepted does not match its schema: {errors:#?}\n{body:#}"
    );
    check_documented(document, &schema, body, &format!("request {method} {path}"));
}

/// Fails unless `body`, which the server refused for its shape, is refused by the schema too.
fn assert_request_refused(document: &Value, method: &str, path: &str, body: &Value) {
    let schema = request_schema(document, path, method);
    assert!(
        !schema_errors(document, &schema, body).is_empty(),
        "the schema of {method} {path} accepts a body the server refuses: {body:#}"
    );
}

/// Each request body read as raw JSON and then row by row (awards, completions, award rules),
/// and the suspend body, against the schemas derived from the structs the handlers read them
/// into; and the documents other crates write (an import's result, the verifier's report)
/// against theirs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_and_documents_validate_against_the_derived_schemas() {
    let app = TestApp::new().await;
    let document = app.get("/api/v1/openapi.json").await.json();
    let issuer = app.issuer(json!({})).await;
    let issuer_id = util::id(&issuer);

    // AwardInput with Evidence and a result; then an AwardBatch.
    let achievement = app.achievement(&issuer, json!({})).await;
    let awards = format!("/api/v1/achievements/{}/awards", util::id(&achievement));
    let single = json!({
        "email": "a@example.org",
        "name": "Ada",
        "narrative": "Catalogued **twelve** books.",
        "evidence": [
            {"id": "https://example.org/work/1", "name": "Work", "genre": "Portfolio"},
            {"narrative": "Observed in class", "audience": "staff"}
        ],
        "activity_start_date": "2026-03-01",
        "activity_end_date": "2026-03-02T12:00:00Z",
        "result": {"status": "Completed", "value": "A"},
        "credits_earned": 1.5,
        "notify": false
    });
    let created = app.post(&awards, single.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_request_documented(&document, "post", "/achievements/{id}/awards", &single);
    let award = created.json();
    let batch = json!({
        "awards": [{"email": "b@example.org"}, {"email": "c@example.org", "name": "Cy"}],
        "notify": false
    });
    let answered = app.post(&awards, batch.clone()).await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.text());
    assert_eq!(answered.json()["created"], 2, "{}", answered.text());
    assert_request_documented(&document, "post", "/achievements/{id}/awards", &batch);
    for refused in [
        json!({"email": "d@example.org", "colour": "red"}),
        json!({"email": "d@example.org", "result": {"status": "Passed"}}),
        json!({"awards": [{"email": "d@example.org"}], "extra": true}),
    ] {
        let answer = app.post(&awards, refused.clone()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text());
        assert_request_refused(&document, "post", "/achievements/{id}/awards", &refused);
    }

    // SuspendInput.
    let suspend = json!({"reason": "checking the records"});
    let suspended = app
        .post(
            &format!("/api/v1/credentials/{}/suspend", util::id(&award)),
            suspend.clone(),
        )
        .await;
    assert_eq!(suspended.status, StatusCode::OK, "{}", suspended.text());
    assert_request_documented(&document, "post", "/credentials/{id}/suspend", &suspend);

    // AwardRule, each kind, in an achievement's award_rules.
    let series = app
        .post(
            "/api/v1/series",
            json!({"issuer_id": issuer_id, "title": "Cataloguing basics"}),
        )
        .await
        .json();
    let event = app
        .post(
            "/api/v1/events",
            json!({
                "issuer_id": issuer_id,
                "title": "Cataloguing basics 1",
                "starts_at": "2026-02-02T14:00:00Z",
                "duration_minutes": 60,
                "series_id": series["id"]
            }),
        )
        .await;
    assert_eq!(event.status, StatusCode::CREATED, "{}", event.text());
    let event = event.json();
    let ruled = json!({
        "issuer_id": issuer_id,
        "name": "Cataloguing basics",
        "description": "Attended the series",
        "criteria_narrative": "Attend",
        "award_rules": [
            {"kind": "participation", "session": event["id"], "min_minutes": 45},
            {"kind": "participation", "session": event["id"], "min_minutes": null, "min_percent": 75},
            {"kind": "series_completion", "series": series["id"], "at_least": 1, "format": "online"},
            {"kind": "completion", "what": "cataloguing-101"}
        ]
    });
    let created = app.post("/api/v1/achievements", ruled.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    assert_request_documented(&document, "post", "/achievements", &ruled);
    let mut refused = ruled.clone();
    refused["award_rules"] =
        json!([{"kind": "participation", "session": event["id"], "minutes": 45}]);
    let answer = app.post("/api/v1/achievements", refused.clone()).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text());
    assert_request_refused(&document, "post", "/achievements", &refused);

    // CompletionInput, one and a CompletionBatch.
    let one = json!({
        "issuer_id": issuer_id,
        "what": "cataloguing-101",
        "email": "e@example.org",
        "name": "Eve",
        "completed_at": "2026-03-01",
        "score": "87",
        "evidence": "https://example.org/grades"
    });
    let recorded = app.post("/api/v1/completions", one.clone()).await;
    assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.text());
    assert_request_documented(&document, "post", "/completions", &one);
    let completions = json!({"completions": [
        {"issuer_id": issuer_id, "what": "cataloguing-101", "email": "f@example.org"}
    ]});
    let recorded = app.post("/api/v1/completions", completions.clone()).await;
    assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.text());
    assert_request_documented(&document, "post", "/completions", &completions);
    let refused = json!({"completions": "f@example.org"});
    let answer = app.post("/api/v1/completions", refused.clone()).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text());
    assert_request_refused(&document, "post", "/completions", &refused);

    // ImportResult: a dry run (who would be awarded) and an import (what minting did), with
    // recorded, merged and rejected lines.
    let report = "email,name,minutes\ng@example.org,Gil,50\ng@example.org,Gil,5\nh@example.org,Hal,10\nnot an address,Ivy,30\n";
    for query in ["?dry_run=true", ""] {
        let path = format!(
            "/api/v1/events/{}/attendance/import{query}",
            util::id(&event)
        );
        let started = app
            .send(
                Method::POST,
                &path,
                Some(&app.admin),
                Some("text/csv"),
                Some(report.as_bytes().to_vec()),
                &[],
            )
            .await;
        assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.text());
        let url = started.json()["url"].as_str().expect("url").to_string();
        let mut job = Value::Null;
        for _ in 0..1_500 {
            job = app.get(&url).await.json();
            if job["status"] == "succeeded" || job["status"] == "failed" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(job["status"], "succeeded", "{job:#}");
        assert_eq!(job["result"]["summary"]["rejected"], 1, "{job:#}");
        assert!(
            !job["result"]["awards"]
                .as_array()
                .expect("awards")
                .is_empty(),
            "{job:#}"
        );
        assert_documented(&document, "get", "/imports/{id}", StatusCode::OK, &job);
    }

    // VerificationReport.
    let verified = app
        .send(
            Method::POST,
            "/api/v1/verify",
            None,
            Some("application/json"),
            Some(award["credential"].to_string().into_bytes()),
            &[],
        )
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.text());
    assert_documented(
        &document,
        "post",
        "/verify",
        StatusCode::OK,
        &verified.json(),
    );
}
