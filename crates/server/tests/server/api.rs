//! The admin API as a user drives it: issuers, achievements, awards, tokens, bad input.

use crate::util;

use axum::http::{Method, StatusCode, header};
use laurel_core::schema::Schema;
use laurel_verify::Verdict;
use serde_json::{Value, json};
use util::{TestApp, assert_valid, id, verify};

#[tokio::test]
async fn an_award_verifies_as_json_and_jwt_and_passes_the_schema() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    assert_eq!(issuer["jwt_algorithm"], "ES256");
    let achievement = app
        .achievement(
            &issuer,
            json!({
                "criteria_url": "https://bibliotheques.example.org/criteres",
                "alignment": [{
                    "targetName": "Catalogage", "targetUrl": "https://cadre.example.org/c/1",
                    "targetFramework": "Cadre national", "targetCode": "C1", "targetType": "CFItem"
                }],
                "valid_for_days": 365,
            }),
        )
        .await;
    let response = app
        .award(
            &achievement,
            json!({
                "email": "  Zoë.Martin@Example.ORG ",
                "name": "Zoë Martin",
                "narrative": "A catalogué 40 notices.",
                "evidence": [{"url": "https://portfolio.example.org/zoe", "name": "Portfolio"}],
                "activity_start_date": "2026-02-20",
                "activity_end_date": "2026-02-20T17:00:00+01:00",
                "result": {"status": "Completed", "value": "40/40"},
                "credits_earned": 2.5,
            }),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let award = response.json();
    assert_eq!(award["recipient_email"], "zoë.martin@example.org");
    assert_eq!(award["recipient_name"], "Zoë Martin");
    let credential = &award["credential"];
    assert_eq!(credential["id"], award["credential_url"]);
    assert_eq!(credential["issuer"]["id"], issuer["public_id"]);
    assert_eq!(credential["validFrom"], util::NOW);
    assert_eq!(credential["awardedDate"], util::NOW);
    assert_eq!(credential["validUntil"], "2027-03-01T09:00:00Z");
    assert_eq!(
        credential["type"],
        json!(["VerifiableCredential", "OpenBadgeCredential"])
    );
    let subject = &credential["credentialSubject"];
    assert_eq!(subject["activityStartDate"], "2026-02-20T00:00:00Z");
    assert_eq!(subject["activityEndDate"], "2026-02-20T16:00:00Z");
    assert_eq!(subject["achievement"]["id"], achievement["public_id"]);
    assert_eq!(subject["achievement"]["creditsAvailable"], 3);
    assert_eq!(subject["creditsEarned"], 2.5);
    assert_eq!(
        subject["result"],
        json!([{"type": ["Result"], "status": "Completed", "value": "40/40"}])
    );
    // The name first (as the Learner Credential Wallet reads it), then the hashed email.
    assert_eq!(subject["identifier"][0]["identityType"], "name");
    assert_eq!(subject["identifier"][1]["identityType"], "emailAddress");
    assert_eq!(subject["identifier"][1]["hashed"], true);
    assert_eq!(
        credential["evidence"][0]["id"],
        "https://portfolio.example.org/zoe"
    );
    assert_eq!(credential["proof"][0]["cryptosuite"], "eddsa-rdfc-2022");
    let di_key = issuer["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|key| key["purpose"] == "data_integrity")
        .expect("di key");
    assert_eq!(credential["proof"][0]["verificationMethod"], di_key["url"]);

    let violations = Schema::AchievementCredential.validate(credential);
    assert!(violations.is_empty(), "{violations:?}");

    let keys = app.pinned(&issuer).await;
    assert_valid(&verify(
        &keys,
        credential.to_string().as_bytes(),
        "zoë.martin@example.org",
    ));
    let jwt = award["jwt"].as_str().expect("jwt");
    assert_valid(&verify(&keys, jwt.as_bytes(), "Zoë.Martin@example.org"));
    let payload: Value = serde_json::from_str(&decode_jwt_payload(jwt)).expect("payload");
    let jwt_subject = &payload["credentialSubject"];
    assert_eq!(jwt_subject["creditsEarned"], 2.5);
    assert_eq!(jwt_subject["result"][0]["status"], "Completed");
    let wrong = verify(&keys, jwt.as_bytes(), "someone.else@example.org");
    assert_eq!(wrong.verdict, Verdict::Invalid);

    // The email is never published: not in the credential, not in the JWT payload. The
    // name is, as the issuer included names (the default).
    for text in [credential.to_string(), decode_jwt_payload(jwt)] {
        assert!(!text.to_lowercase().contains("martin@example"), "{text}");
        assert!(text.contains("Zoë Martin"), "{text}");
    }
}

#[tokio::test]
async fn awards_refuse_unknown_result_statuses_and_too_many_credits() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let detail = app
        .award(
            &achievement,
            json!({"email": "a@example.org", "result": {"status": "Passed"}}),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert!(detail.contains("result"), "{detail}");
    assert!(
        detail.contains("Completed, Enrolled, Failed, InProgress, OnHold, Provisional, Withdrew"),
        "{detail}"
    );
    let detail = app
        .award(
            &achievement,
            json!({"email": "a@example.org", "result": {"value": "A"}}),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert!(detail.contains("status"), "{detail}");
    // The test achievement has credits_available 3.
    let detail = app
        .award(
            &achievement,
            json!({"email": "a@example.org", "credits_earned": 3.5}),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert!(detail.contains("credits_available (3)"), "{detail}");
    let detail = app
        .award(
            &achievement,
            json!({"email": "a@example.org", "credits_earned": -1}),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert!(detail.contains("credits_earned"), "{detail}");

    // Batch rows fail alone; omitted credits stay omitted.
    let response = app
        .award(
            &achievement,
            json!({"awards": [
                {"email": "b@example.org", "credits_earned": 4},
                {"email": "c@example.org", "result": {"status": "Withdrawn"}},
                {"email": "d@example.org", "result": {"status": "InProgress"}, "credits_earned": 3},
                {"email": "e@example.org"},
            ]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let results = response.json()["results"].clone();
    assert_eq!(results[0]["status"], "failed");
    assert!(
        results[0]["error"]
            .as_str()
            .expect("error")
            .contains("greater than the achievement's credits_available")
    );
    assert_eq!(results[1]["status"], "failed");
    assert!(
        results[1]["error"]
            .as_str()
            .expect("error")
            .contains("Withdrew")
    );
    assert_eq!(results[2]["status"], "created");
    assert_eq!(results[3]["status"], "created");
    let shown = |row: &Value| {
        let id = row["award"]["id"].as_str().expect("id").to_string();
        let app = &app;
        async move { app.get(&format!("/api/v1/awards/{id}")).await.json() }
    };
    let d = shown(&results[2]).await;
    let subject = &d["credential"]["credentialSubject"];
    assert_eq!(subject["creditsEarned"], 3);
    assert_eq!(subject["result"][0]["status"], "InProgress");
    assert!(subject["result"][0].get("value").is_none());
    let violations = Schema::AchievementCredential.validate(&d["credential"]);
    assert!(violations.is_empty(), "{violations:?}");
    let e = shown(&results[3]).await;
    let subject = &e["credential"]["credentialSubject"];
    assert!(subject.get("creditsEarned").is_none(), "{subject}");
    assert!(subject.get("result").is_none(), "{subject}");
}

#[tokio::test]
async fn repeating_an_award_returns_the_same_credential() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let first = app
        .award(&achievement, json!({"email": "a@example.org"}))
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = app
        .award(
            &achievement,
            json!({"email": " A@Example.org", "name": "Other"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!(again.json()["id"], first.json()["id"]);
    assert_eq!(again.json()["credential"], first.json()["credential"]);
}

#[tokio::test]
async fn idempotency_key_replays_and_refuses_another_request() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let path = format!("/api/v1/achievements/{}/awards", id(&achievement));
    let send = |body: Value, key: &'static str| {
        let app = &app;
        let path = path.clone();
        async move {
            app.send(
                Method::POST,
                &path,
                Some(&app.admin),
                Some("application/json"),
                Some(body.to_string().into_bytes()),
                &[("Idempotency-Key", key)],
            )
            .await
        }
    };
    let first = send(json!({"email": "b@example.org"}), "key-1").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let replay = send(json!({"email": "b@example.org"}), "key-1").await;
    assert_eq!(
        replay.status,
        StatusCode::CREATED,
        "the first status is replayed"
    );
    assert_eq!(replay.body, first.body);
    assert_eq!(
        replay
            .headers
            .get("idempotent-replayed")
            .map(|v| v.as_bytes()),
        Some(&b"true"[..])
    );
    let other = send(json!({"email": "c@example.org"}), "key-1").await;
    let detail = other.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(detail.contains("different request"), "{detail}");

    // Keys belong to the token that sent them: another token's "key-1" is its own.
    let issue = app.token(&["issue"]).await;
    let theirs = app
        .send(
            Method::POST,
            &path,
            Some(&issue),
            Some("application/json"),
            Some(json!({"email": "c@example.org"}).to_string().into_bytes()),
            &[("Idempotency-Key", "key-1")],
        )
        .await;
    assert_eq!(theirs.status, StatusCode::CREATED, "{}", theirs.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_awards_mint_exactly_one_credential() {
    let app = std::sync::Arc::new(TestApp::new().await);
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let app = app.clone();
            let achievement = achievement.clone();
            tokio::spawn(async move {
                app.award(&achievement, json!({"email": "race@example.org"}))
                    .await
            })
        })
        .collect();
    let mut created = 0;
    let mut ids = std::collections::BTreeSet::new();
    for task in tasks {
        let response = task.await.expect("task");
        assert!(response.status.is_success(), "{}", response.text());
        if response.status == StatusCode::CREATED {
            created += 1;
        }
        ids.insert(response.json()["id"].as_str().expect("id").to_string());
    }
    assert_eq!(created, 1);
    assert_eq!(ids.len(), 1, "every request returns the one credential");
    let list = app
        .get(&format!("/api/v1/awards?achievement={}", id(&achievement)))
        .await
        .json();
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn a_batch_reports_each_row_and_bad_rows_do_not_sink_the_rest() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let before = app
        .award(&achievement, json!({"email": "old@example.org"}))
        .await;
    assert_eq!(before.status, StatusCode::CREATED);
    let response = app
        .award(
            &achievement,
            json!({"awards": [
                {"email": "one@example.org"},
                {"email": "not an email"},
                {"email": "two@example.org", "colour": "blue"},
                {"email": "OLD@example.org"},
                {"email": "one@example.org"},
                {"email": "three@example.org", "activity_start_date": "yesterday"},
                {"email": "four@example.org", "evidence": [{"name": "Essay"}]},
            ]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let body = response.json();
    let statuses: Vec<&str> = body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|row| row["status"].as_str().expect("status"))
        .collect();
    assert_eq!(
        statuses,
        [
            "created", "failed", "failed", "existing", "existing", "failed", "created"
        ]
    );
    let results = body["results"].as_array().expect("results");
    for (index, row) in results.iter().enumerate() {
        assert_eq!(row["index"], index);
    }
    assert!(
        results[1]["error"]
            .as_str()
            .expect("error")
            .contains("not an email")
    );
    assert!(
        results[2]["error"]
            .as_str()
            .expect("error")
            .contains("colour")
    );
    assert!(
        results[5]["error"]
            .as_str()
            .expect("error")
            .contains("activity_start_date")
    );
    assert_eq!(results[3]["award"]["id"], before.json()["id"]);
    assert_eq!(results[4]["award"]["id"], results[0]["award"]["id"]);
    assert_eq!(
        (
            body["created"].clone(),
            body["existing"].clone(),
            body["failed"].clone()
        ),
        (json!(2), json!(2), json!(3))
    );
    let list = app
        .get(&format!("/api/v1/awards?achievement={}", id(&achievement)))
        .await
        .json();
    assert_eq!(list["total"], 3);

    let too_many: Vec<Value> = (0..1001)
        .map(|n| json!({"email": format!("p{n}@example.org")}))
        .collect();
    let refused = app.award(&achievement, json!({"awards": too_many})).await;
    assert!(
        refused
            .problem(StatusCode::BAD_REQUEST)
            .contains("at most 1000")
    );
}

#[tokio::test]
async fn tokens_are_required_and_scoped() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;

    let none = app.call(Method::GET, "/api/v1/issuers", None, None).await;
    none.problem(StatusCode::UNAUTHORIZED);
    assert!(
        none.headers
            .get(header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Bearer"))
    );
    let malformed = app
        .send(
            Method::GET,
            "/api/v1/issuers",
            None,
            None,
            None,
            &[("Authorization", "Basic abc")],
        )
        .await;
    malformed.problem(StatusCode::UNAUTHORIZED);
    let unknown = app
        .call(Method::GET, "/api/v1/issuers", Some("laurel_nope"), None)
        .await;
    unknown.problem(StatusCode::UNAUTHORIZED);

    let read = app.token(&["read"]).await;
    let issue = app.token(&["issue"]).await;
    assert_eq!(
        app.call(Method::GET, "/api/v1/issuers", Some(&read), None)
            .await
            .status,
        StatusCode::OK
    );
    let forbidden = app
        .call(
            Method::POST,
            "/api/v1/issuers",
            Some(&issue),
            Some(&json!({"name": "X"})),
        )
        .await;
    assert!(
        forbidden
            .problem(StatusCode::FORBIDDEN)
            .contains("\"admin\"")
    );
    let awards = format!("/api/v1/achievements/{}/awards", id(&achievement));
    let by_reader = app
        .call(
            Method::POST,
            &awards,
            Some(&read),
            Some(&json!({"email": "r@example.org"})),
        )
        .await;
    assert!(
        by_reader
            .problem(StatusCode::FORBIDDEN)
            .contains("\"issue\"")
    );
    let by_issuer = app
        .call(
            Method::POST,
            &awards,
            Some(&issue),
            Some(&json!({"email": "r@example.org"})),
        )
        .await;
    assert_eq!(by_issuer.status, StatusCode::CREATED);

    let tokens = app.state.store.list_tokens().await.expect("tokens");
    let read_token = tokens
        .iter()
        .find(|t| t.scopes == ["read"])
        .expect("read token");
    app.state
        .store
        .revoke_token(&read_token.name, util::now())
        .await
        .expect("revoke");
    let revoked = app
        .call(Method::GET, "/api/v1/issuers", Some(&read), None)
        .await;
    assert!(
        revoked
            .problem(StatusCode::UNAUTHORIZED)
            .contains("revoked")
    );

    // The OpenAPI document is public.
    let openapi = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(openapi.status, StatusCode::OK);
    assert_eq!(openapi.json()["openapi"], "3.1.0");
}

#[tokio::test]
async fn unknown_ids_and_paths_are_404_problems() {
    let app = TestApp::new().await;
    let random = uuid::Uuid::new_v4();
    for path in [
        format!("/api/v1/issuers/{random}"),
        "/api/v1/issuers/not-a-uuid".to_string(),
        format!("/api/v1/achievements/{random}"),
        format!("/api/v1/awards/{random}"),
        "/api/v1/awards/123".to_string(),
        "/api/v1/no-such-thing".to_string(),
    ] {
        let detail = app.get(&path).await.problem(StatusCode::NOT_FOUND);
        assert!(!detail.is_empty(), "{path}");
    }
    let award = app
        .post(
            &format!("/api/v1/achievements/{random}/awards"),
            json!({"email": "a@example.org"}),
        )
        .await;
    assert!(
        award
            .problem(StatusCode::NOT_FOUND)
            .contains(&random.to_string())
    );
    let wrong_method = app
        .call(Method::DELETE, "/api/v1/issuers", Some(&app.admin), None)
        .await;
    wrong_method.problem(StatusCode::METHOD_NOT_ALLOWED);
    let missing_issuer = app
        .post(
            "/api/v1/achievements",
            json!({"issuer_id": random, "name": "X", "description": "Y", "criteria_narrative": "Z"}),
        )
        .await;
    missing_issuer.problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_input_is_a_problem_that_says_what_to_fix() {
    let app = TestApp::new().await;
    let malformed = app
        .send(
            Method::POST,
            "/api/v1/issuers",
            Some(&app.admin),
            Some("application/json"),
            Some(b"{\"name\": ".to_vec()),
            &[],
        )
        .await;
    assert!(
        malformed
            .problem(StatusCode::BAD_REQUEST)
            .contains("not valid JSON")
    );
    // serde would fill a struct from an array of its fields; a body must be an object.
    let array = app.post("/api/v1/issuers", json!(["X", null])).await;
    let detail = array.problem(StatusCode::BAD_REQUEST);
    assert!(detail.contains("must be a JSON object"), "{detail}");
    let unknown = app
        .post(
            "/api/v1/issuers",
            json!({"name": "X", "homepage": "https://x.org"}),
        )
        .await;
    let detail = unknown.problem(StatusCode::BAD_REQUEST);
    assert!(detail.contains("unknown field `homepage`"), "{detail}");
    let missing = app
        .post("/api/v1/issuers", json!({"url": "https://x.org"}))
        .await;
    assert!(
        missing
            .problem(StatusCode::BAD_REQUEST)
            .contains("missing field `name`")
    );
    let no_type = app
        .send(
            Method::POST,
            "/api/v1/issuers",
            Some(&app.admin),
            None,
            Some(b"{\"name\":\"X\"}".to_vec()),
            &[],
        )
        .await;
    assert!(
        no_type
            .problem(StatusCode::UNSUPPORTED_MEDIA_TYPE)
            .contains("application/json")
    );
    let algorithm = app
        .post(
            "/api/v1/issuers",
            json!({"name": "X", "jwt_algorithm": "HS256"}),
        )
        .await;
    assert!(
        algorithm
            .problem(StatusCode::BAD_REQUEST)
            .contains("ES256, RS256, EdDSA")
    );
    let url = app
        .post(
            "/api/v1/issuers",
            json!({"name": "X", "url": "javascript:alert(1)"}),
        )
        .await;
    assert!(url.problem(StatusCode::BAD_REQUEST).contains("url"));

    let issuer = app.issuer(json!({})).await;
    let achievement_errors = [
        (json!({"criteria_narrative": null}), "criteria"),
        (json!({"achievement_type": "Seminar"}), "achievement_type"),
        (json!({"credits_available": -1}), "credits_available"),
        (json!({"valid_for_days": 0}), "valid_for_days"),
        (
            json!({"alignment": [{"targetName": "X", "targetUrl": "not a url"}]}),
            "alignment[0].targetUrl",
        ),
        (json!({"alignment": [{"targetName": "X"}]}), "targetUrl"),
        (json!({"name": "  "}), "name"),
    ];
    for (extra, field) in achievement_errors {
        let mut body = json!({
            "issuer_id": issuer["id"], "name": "N", "description": "D", "criteria_narrative": "C"
        });
        for (key, value) in extra.as_object().expect("object") {
            if value.is_null() {
                body.as_object_mut().expect("object").remove(key);
            } else {
                body[key] = value.clone();
            }
        }
        let response = app.post("/api/v1/achievements", body).await;
        let detail = response.problem(StatusCode::BAD_REQUEST);
        assert!(detail.contains(field), "{field}: {detail}");
    }

    let achievement = app.achievement(&issuer, json!({})).await;
    let bad_email = app.award(&achievement, json!({"email": "nobody"})).await;
    assert!(
        bad_email
            .problem(StatusCode::BAD_REQUEST)
            .contains("nobody")
    );

    let query = app.get("/api/v1/awards?limit=0").await;
    query.problem(StatusCode::BAD_REQUEST);
    let query = app.get("/api/v1/awards?colour=blue").await;
    assert!(query.problem(StatusCode::BAD_REQUEST).contains("colour"));
    let query = app.get("/api/v1/awards?from=last-week").await;
    assert!(query.problem(StatusCode::BAD_REQUEST).contains("from"));

    let huge =
        json!({"awards": [{"email": "a@example.org", "narrative": "x".repeat(5 * 1024 * 1024)}]});
    let too_big = app.award(&achievement, huge).await;
    too_big.problem(StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn images_are_type_and_size_checked() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let path = format!("/api/v1/achievements/{}/image", id(&achievement));
    let put = |content_type: &'static str, bytes: Vec<u8>| {
        let app = &app;
        let path = path.clone();
        async move {
            app.send(
                Method::PUT,
                &path,
                Some(&app.admin),
                Some(content_type),
                Some(bytes),
                &[],
            )
            .await
        }
    };
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>"#;
    let ok = put("image/svg+xml", svg.to_vec()).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let image = ok.json()["image"].as_str().expect("image url").to_string();
    assert!(image.starts_with("https://badges.example.org/images/") && image.ends_with(".svg"));

    // An SVG is stored rebuilt from an allow-list (see tests/hardening.rs); text, which
    // would need fonts, is refused with what to do.
    let texted = br#"<svg xmlns="http://www.w3.org/2000/svg"><text>Hi</text></svg>"#;
    assert!(
        put("image/svg+xml", texted.to_vec())
            .await
            .problem(StatusCode::UNSUPPORTED_MEDIA_TYPE)
            .contains("convert the text to paths")
    );
    put("image/png", svg.to_vec())
        .await
        .problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    put("image/gif", b"GIF89a".to_vec())
        .await
        .problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.resize(1024 * 1024 + 1, 0);
    put("image/png", png)
        .await
        .problem(StatusCode::PAYLOAD_TOO_LARGE);

    // The issuer's logo too; then awards embed both images.
    let logo = app
        .send(
            Method::PUT,
            &format!("/api/v1/issuers/{}/image", id(&issuer)),
            Some(&app.admin),
            Some("image/png"),
            Some(b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec()),
            &[],
        )
        .await;
    assert_eq!(logo.status, StatusCode::OK, "{}", logo.text());
    let award = app
        .award(&achievement, json!({"email": "img@example.org"}))
        .await
        .json();
    let credential = &award["credential"];
    assert_eq!(
        credential["credentialSubject"]["achievement"]["image"]["id"],
        image
    );
    assert_eq!(
        credential["credentialSubject"]["achievement"]["image"]["type"],
        "Image"
    );
    assert!(
        credential["issuer"]["image"]["id"]
            .as_str()
            .expect("logo")
            .ends_with(".png")
    );
    let keys = app.pinned(&issuer).await;
    assert_valid(&verify(
        &keys,
        credential.to_string().as_bytes(),
        "img@example.org",
    ));
}

#[tokio::test]
async fn editing_an_achievement_never_changes_issued_credentials() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let award = app
        .award(&achievement, json!({"email": "e@example.org"}))
        .await
        .json();
    let edited = app
        .patch(
            &format!("/api/v1/achievements/{}", id(&achievement)),
            json!({"name": "Catalogage expert", "tags": ["expert"], "credits_available": null, "valid_for_days": 30}),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text());
    assert_eq!(edited.json()["name"], "Catalogage expert");
    assert_eq!(edited.json()["credits_available"], Value::Null);
    let renamed_issuer = app
        .patch(
            &format!("/api/v1/issuers/{}", id(&issuer)),
            json!({"name": "ABF", "email": null}),
        )
        .await;
    assert_eq!(
        renamed_issuer.status,
        StatusCode::OK,
        "{}",
        renamed_issuer.text()
    );
    assert_eq!(renamed_issuer.json()["email"], Value::Null);

    let stored = app
        .get(&format!("/api/v1/awards/{}", id(&award)))
        .await
        .json();
    assert_eq!(stored["credential"], award["credential"]);
    assert_eq!(stored["jwt"], award["jwt"]);
    assert_eq!(
        stored["credential"]["credentialSubject"]["achievement"]["name"],
        "Catalogage avancé"
    );
    // A new award carries the edit.
    let new = app
        .award(&achievement, json!({"email": "f@example.org"}))
        .await
        .json();
    let subject = &new["credential"]["credentialSubject"];
    assert_eq!(subject["achievement"]["name"], "Catalogage expert");
    assert_eq!(new["credential"]["issuer"]["name"], "ABF");
    assert_eq!(new["credential"]["validUntil"], "2026-03-31T09:00:00Z");
    let keys = app.pinned(&issuer).await;
    assert_valid(&verify(
        &keys,
        new["credential"].to_string().as_bytes(),
        "f@example.org",
    ));
}

#[tokio::test]
async fn rs256_and_eddsa_issuers_sign_verifiable_jwts() {
    let app = TestApp::new().await;
    for (algorithm, kty) in [("RS256", "RSA"), ("EdDSA", "OKP")] {
        let issuer = app.issuer(json!({"jwt_algorithm": algorithm})).await;
        assert_eq!(issuer["jwt_algorithm"], algorithm);
        let jwt_key = issuer["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .find(|key| key["purpose"] == "jwt")
            .expect("jwt key");
        assert_eq!(jwt_key["public_jwk"]["kty"], kty);
        let achievement = app.achievement(&issuer, json!({})).await;
        let award = app
            .award(&achievement, json!({"email": "j@example.org"}))
            .await
            .json();
        let jwt = award["jwt"].as_str().expect("jwt");
        let decoded = laurel_core::jwt::decode(jwt).expect("decodes");
        assert_eq!(decoded.alg.jws_alg(), algorithm);
        let keys = app.pinned(&issuer).await;
        assert_valid(&verify(&keys, jwt.as_bytes(), "j@example.org"));
        assert_valid(&verify(
            &keys,
            award["credential"].to_string().as_bytes(),
            "j@example.org",
        ));

        let change = app
            .patch(
                &format!("/api/v1/issuers/{}", id(&issuer)),
                json!({"jwt_algorithm": "ES256"}),
            )
            .await;
        assert!(change.problem(StatusCode::CONFLICT).contains("fixed"));
    }
}

#[tokio::test]
async fn awards_can_be_searched_by_achievement_email_and_date() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let first = app.achievement(&issuer, json!({})).await;
    let second = app
        .achievement(&issuer, json!({"name": "Indexation"}))
        .await;
    let emails: Vec<Value> = (0..5)
        .map(|n| json!({"email": format!("p{n}@example.org")}))
        .collect();
    let batch = app.award(&first, json!({"awards": emails})).await;
    assert_eq!(batch.json()["created"], 5);
    app.award(&second, json!({"email": "P1@example.org"})).await;

    let page = app
        .get(&format!(
            "/api/v1/awards?achievement={}&limit=2&offset=1",
            id(&first)
        ))
        .await
        .json();
    assert_eq!(page["total"], 5);
    assert_eq!(page["awards"].as_array().expect("awards").len(), 2);
    assert!(
        page["awards"][0].get("credential").is_none(),
        "lists stay small"
    );
    let by_email = app
        .get("/api/v1/awards?email=%20p1@EXAMPLE.org")
        .await
        .json();
    assert_eq!(by_email["total"], 2);
    let by_issuer = app
        .get(&format!("/api/v1/awards?issuer={}", id(&issuer)))
        .await
        .json();
    assert_eq!(by_issuer["total"], 6);
    let on_the_day = app
        .get("/api/v1/awards?from=2026-03-01&until=2026-03-01")
        .await
        .json();
    assert_eq!(on_the_day["total"], 6);
    let later = app.get("/api/v1/awards?from=2026-03-02").await.json();
    assert_eq!(later["total"], 0);
    let listed = app
        .get(&format!("/api/v1/achievements?issuer={}", id(&issuer)))
        .await
        .json();
    assert_eq!(listed["achievements"].as_array().expect("list").len(), 2);
}

#[tokio::test]
async fn no_private_key_material_in_responses_or_debug_output() {
    let app = TestApp::new().await;
    let mut bodies = Vec::new();
    for algorithm in ["ES256", "RS256", "EdDSA"] {
        let issuer = app.issuer(json!({"jwt_algorithm": algorithm})).await;
        bodies.push(issuer.to_string());
        bodies.push(
            app.get(&format!("/api/v1/issuers/{}", id(&issuer)))
                .await
                .text(),
        );
        let achievement = app.achievement(&issuer, json!({})).await;
        let award = app
            .award(&achievement, json!({"email": "k@example.org"}))
            .await;
        bodies.push(award.text());
        bodies.push(
            app.get(&format!("/api/v1/awards/{}", id(&award.json())))
                .await
                .text(),
        );
    }
    bodies.push(app.get("/api/v1/issuers").await.text());
    let debug = format!("{:?}", app.state);
    bodies.push(debug.clone());

    let keys = app.state.store.all_keys().await.expect("keys");
    assert_eq!(keys.len(), 6);
    for key in &keys {
        bodies.push(format!("{key:?}"));
        let pem = app
            .state
            .vault
            .open(key.id.as_bytes(), &key.sealed_private_key)
            .expect("opens");
        let pem = String::from_utf8(pem.to_vec()).expect("pem");
        let body_lines: Vec<&str> = pem
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect();
        for body in &bodies {
            assert!(!body.contains("PRIVATE KEY"));
            for line in &body_lines {
                assert!(!body.contains(line), "private key material leaked");
            }
            assert!(!body.contains("\"d\""), "a private JWK member leaked");
        }
        // Sealed keys open only for their own row.
        assert!(
            app.state
                .vault
                .open(uuid::Uuid::nil().as_bytes(), &key.sealed_private_key)
                .is_err()
        );
    }
    assert!(debug.contains("[redacted]"), "{debug}");
}

fn decode_jwt_payload(jwt: &str) -> String {
    use base64::Engine as _;
    let payload = jwt.split('.').nth(1).expect("payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    String::from_utf8(bytes).expect("utf-8")
}

/// Every kind of credential the service mints verifies in implementations that share no code
/// with Laurel (`tests/interop/verify.mjs`: Digital Bazaar's Data Integrity stack and `jose`),
/// with the key's controller checked against the issuer id. Needs Node 20+; installs the
/// checker's pinned packages with `npm ci` when they are missing.
#[tokio::test]
#[ignore = "needs Node.js 20 and npm; .ci/run runs it"]
async fn minted_credentials_pass_the_independent_verifier() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let interop = root.join("tests/interop");
    if !interop.join("node_modules").exists() {
        let status = std::process::Command::new("npm")
            .args([
                "ci",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "--prefix",
            ])
            .arg(&interop)
            .status()
            .expect("npm (Node 20+) is needed for the interoperability check");
        assert!(status.success(), "npm ci in tests/interop failed");
    }

    let app = TestApp::new().await;
    let mut cases = Vec::new();
    for algorithm in ["ES256", "RS256", "EdDSA"] {
        let issuer = app.issuer(json!({"jwt_algorithm": algorithm})).await;
        let achievement = app
            .achievement(
                &issuer,
                json!({
                    "criteria_url": "https://bibliotheques.example.org/criteres",
                    "alignment": [{"targetName": "Catalogage", "targetUrl": "https://cadre.example.org/c/1", "targetType": "CFItem"}],
                    "valid_for_days": 730,
                }),
            )
            .await;
        let award = app
            .award(
                &achievement,
                json!({
                    "email": "interop@example.org",
                    // Signed in as a `name` identity beside the hashed email.
                    "name": "Zoë Åberg-Núñez",
                    "narrative": "Travail remarquable — 図書館 📚",
                    "evidence": [{"id": "https://portfolio.example.org/1", "name": "Portfolio"}, {"narrative": "Observed"}],
                    "activity_start_date": "2026-02-01",
                    "activity_end_date": "2026-02-02",
                }),
            )
            .await
            .json();
        let keys = issuer["keys"].as_array().expect("keys");
        let key = |purpose: &str| {
            keys.iter()
                .find(|key| key["purpose"] == purpose)
                .expect("key")["public_jwk"]
                .clone()
        };
        let multikey = laurel_core::keys::PublicKey::from_jwk(&key("data_integrity"))
            .expect("jwk")
            .to_multikey()
            .expect("ed25519");
        let credential = award["credential"].clone();
        cases.push(json!({
            "name": format!("{algorithm} issuer: eddsa-rdfc-2022"), "format": "eddsa-rdfc-2022",
            "document": credential, "publicKey": {"publicKeyMultibase": multikey},
            "controller": issuer["public_id"], "expect": "valid", "statusCheck": "skip",
        }));
        let mut tampered = credential.clone();
        tampered["credentialSubject"]["achievement"]["name"] = json!("Forged");
        cases.push(json!({
            "name": format!("{algorithm} issuer: eddsa-rdfc-2022 tampered"), "format": "eddsa-rdfc-2022",
            "document": tampered, "publicKey": {"publicKeyMultibase": multikey},
            "controller": issuer["public_id"], "expect": "invalid", "statusCheck": "skip",
        }));
        cases.push(json!({
            "name": format!("{algorithm} issuer: vc-jwt"), "format": "vc-jwt",
            "document": award["jwt"], "publicKey": {"jwk": key("jwt")}, "expect": "valid",
            "statusCheck": "skip",
        }));
        // The revocation list the credential points at, as served: a credential of its own,
        // signed by the same key.
        let list_url = award["credential"]["credentialStatus"]["statusListCredential"]
            .as_str()
            .expect("status list url");
        let list = app
            .call(
                Method::GET,
                list_url
                    .strip_prefix(util::ORIGIN)
                    .expect("on the test origin"),
                None,
                None,
            )
            .await
            .json();
        cases.push(json!({
            "name": format!("{algorithm} issuer: its status list"), "format": "eddsa-rdfc-2022",
            "document": list, "publicKey": {"publicKeyMultibase": multikey},
            "controller": issuer["public_id"], "expect": "valid",
        }));
    }
    let manifest = app.dir.path().join("manifest.json");
    std::fs::write(&manifest, serde_json::to_vec_pretty(&cases).expect("json")).expect("write");
    let output = std::process::Command::new("node")
        .arg(interop.join("verify.mjs"))
        .arg("--contexts")
        .arg(root.join("contexts"))
        .arg(&manifest)
        .output()
        .expect("node (20+) is needed for the interoperability check");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("12 passed, 0 failed"), "{stdout}");
}

/// Two instances sharing one PostgreSQL database (and key-encryption key) race to award the
/// same recipient: one credential is minted, both answer with it. Runs when
/// `LAUREL_TEST_POSTGRES_URL` is set (as `.ci/run` does), and then fails if it is unreachable.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_postgres_mint_exactly_once() {
    let Some(database) = util::PostgresDb::create().await else {
        eprintln!("LAUREL_TEST_POSTGRES_URL is not set: the PostgreSQL race is not run");
        return;
    };
    let (_, kek) = laurel_service::Vault::generate().expect("kek");
    let instance = || async {
        let store = laurel_store::connect(&database.url)
            .await
            .expect("postgres store");
        let vault = laurel_service::Vault::from_text(&kek).expect("kek");
        std::sync::Arc::new(
            TestApp::builder()
                .store(store, vault, tempfile::tempdir().expect("tempdir"))
                .build()
                .await,
        )
    };
    let a = instance().await;
    let b = instance().await;
    let issuer = a.issuer(json!({})).await;
    let achievement = a.achievement(&issuer, json!({})).await;
    let email = "race@example.org".to_string();
    let tasks: Vec<_> = (0..8)
        .map(|n| {
            let app = if n % 2 == 0 { a.clone() } else { b.clone() };
            let achievement = achievement.clone();
            let email = email.clone();
            tokio::spawn(async move { app.award(&achievement, json!({"email": email})).await })
        })
        .collect();
    let mut created = 0;
    let mut ids = std::collections::BTreeSet::new();
    for task in tasks {
        let response = task.await.expect("task");
        assert!(response.status.is_success(), "{}", response.text());
        created += usize::from(response.status == StatusCode::CREATED);
        ids.insert(response.json()["id"].as_str().expect("id").to_string());
    }
    assert_eq!(created, 1);
    assert_eq!(ids.len(), 1);
    let listed = b
        .get(&format!("/api/v1/awards?achievement={}", id(&achievement)))
        .await
        .json();
    assert_eq!(listed["total"], 1);
}

/// An instance started with another key-encryption key than the one that sealed the
/// database's issuer keys refuses to start, saying why.
#[tokio::test]
async fn another_key_encryption_key_is_refused_at_start() {
    let app = TestApp::new().await;
    let (stranger, _) = laurel_service::Vault::generate().expect("kek");
    let error = stranger
        .check(app.state.store.as_ref())
        .await
        .expect_err("a different key must be refused");
    assert!(
        error
            .to_string()
            .contains("LAUREL_SECRET_KEY does not match the key that sealed"),
        "{error}"
    );
    app.state
        .vault
        .check(app.state.store.as_ref())
        .await
        .expect("the right key still passes");
}

#[tokio::test]
async fn evidence_and_link_fields_must_be_http_iris_so_nothing_signed_can_be_dropped() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    for bad in [
        "https://ok.example/x?a=1&b=\"2\"",
        "https://x.example/with space",
        "javascript:alert(1)",
        "data:text/html,hello",
    ] {
        let response = app
            .award(
                &achievement,
                json!({"email": "zoe@example.org", "evidence": [{"id": bad, "name": "Transcript"}]}),
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            response.text()
        );
        assert!(response.text().contains("http(s)"), "{}", response.text());
    }
    // Nothing was awarded by the refused requests.
    let list = app
        .get(&format!("/api/v1/awards?achievement={}", id(&achievement)))
        .await
        .json();
    assert_eq!(list["total"], 0);
    let response = app
        .award(
            &achievement,
            json!({"email": "zoe@example.org", "evidence": [{"id": "https://portfolio.example.org/é", "name": "Portfolio"}]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
}
