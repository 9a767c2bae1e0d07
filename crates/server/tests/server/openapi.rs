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
