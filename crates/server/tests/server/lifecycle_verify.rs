//! Lifecycle as verifiers check it beyond the offline list: `laurel-verify --online` seeing a
//! revocation at once from a served list, a key marked compromised failing what it signed
//! after the time, and `POST /api/v1/verify` saying why a credential is not valid. Apart from
//! [`crate::lifecycle`] (whose `issue` helper it shares) because each runs a verifier against a
//! served instance or the verify API rather than reading the lists itself.

use crate::lifecycle::issue;
use crate::util;
use crate::util::hosting;

use axum::http::{Method, StatusCode};
use laurel_verify::fetch::{FetchPolicy, HttpFetcher};
use laurel_verify::{Options, Verdict, Verifier};
use serde_json::json;
use util::{TestApp, assert_valid, id};

/// `laurel-verify --online` against a live service: valid, then revoked once the issuer
/// revokes, with no restart and no cache in the way on the service's side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_is_seen_online_at_once() {
    let server = hosting::LiveServer::start().await;
    let app = &server.app;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let award = issue(app, &achievement, "hal@example.org").await;
    let credential_url = award["credential_url"].as_str().expect("url").to_string();
    let check = || {
        let url = credential_url.clone();
        tokio::task::spawn_blocking(move || {
            let mut options = Options::offline(util::now() + chrono::Duration::days(1));
            options.fetcher = Some(Box::new(
                HttpFetcher::new(FetchPolicy {
                    allow_local: true,
                    ..FetchPolicy::default()
                })
                .expect("fetcher"),
            ));
            let bytes = reqwest::blocking::get(&url)
                .expect("credential")
                .bytes()
                .expect("body");
            Verifier::new(options).verify_bytes(&bytes)
        })
    };
    assert_valid(&check().await.expect("task"));
    let revoked = app
        .post(
            &format!("/api/v1/credentials/{}/revoke", id(&award)),
            json!({"reason": "Issued to the wrong person."}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    let report = check().await.expect("task");
    assert_eq!(report.verdict, Verdict::Invalid, "{}", report.to_text("x"));
    assert!(report.to_text("credential").contains("revoked"));
    server.stop().await.expect("stops");
}

/// A key marked compromised before a proof was made fails that proof, with the reason; a
/// mark after it leaves the proof valid. The compromised key is rotated out first.
#[tokio::test]
async fn a_key_marked_compromised_fails_what_it_signed_after_the_time() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let award = issue(&app, &achievement, "ivy@example.org").await;
    let view = app
        .get(&format!("/api/v1/issuers/{}", id(&issuer)))
        .await
        .json();
    let key_id: uuid::Uuid = view["keys"][0]["id"]
        .as_str()
        .expect("key id")
        .parse()
        .expect("uuid");
    assert_eq!(view["keys"][0]["purpose"], "data_integrity");

    // Marked compromised only after the credential was signed: still valid.
    let later = util::now() + chrono::Duration::hours(1);
    laurel_service::lifecycle::compromise_key(&app.state, key_id, later)
        .await
        .expect("marked");
    let pinned = app.pinned(&issuer).await;
    assert_valid(&util::verify(
        &pinned,
        award["credential"].to_string().as_bytes(),
        "ivy@example.org",
    ));
    let methods = pinned.keys["verificationMethod"]
        .as_array()
        .expect("methods");
    assert!(
        methods.iter().any(|m| m["revoked"].is_string()),
        "{methods:?}"
    );
    assert_eq!(
        methods.len(),
        4,
        "the compromised key in use was rotated out"
    );

    // Compromised since before it signed: invalid, and the reason says why.
    let earlier = util::now() - chrono::Duration::days(1);
    laurel_service::lifecycle::compromise_key(&app.state, key_id, earlier)
        .await
        .expect("marked");
    let report = util::verify(
        &app.pinned(&issuer).await,
        award["credential"].to_string().as_bytes(),
        "ivy@example.org",
    );
    assert_eq!(report.verdict, Verdict::Invalid, "{}", report.to_text("x"));
    assert!(
        report.to_text("credential").contains("compromised"),
        "{}",
        report.to_text("x")
    );
    // New credentials are signed with the new key and verify.
    let fresh = issue(&app, &achievement, "jo@example.org").await;
    assert_valid(&util::verify(
        &app.pinned(&issuer).await,
        fresh["credential"].to_string().as_bytes(),
        "jo@example.org",
    ));
}

/// `POST /api/v1/verify` (no token): the verifier's report, with this service's keys and
/// lists read from its store, and the issuer's suspension and revocation reason added.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_verify_api_checks_our_credentials_and_says_why_not() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let award = issue(&app, &achievement, "kim@example.org").await;
    let verify = |body: Vec<u8>, content_type: &'static str| {
        let app = &app;
        async move {
            let response = app
                .send(
                    Method::POST,
                    "/api/v1/verify",
                    None,
                    Some(content_type),
                    Some(body),
                    &[],
                )
                .await;
            assert_eq!(response.status, StatusCode::OK, "{}", response.text());
            response.json()
        }
    };
    let credential = award["credential"].to_string().into_bytes();
    let report = verify(credential.clone(), "application/json").await;
    assert_eq!(report["verdict"], "valid", "{report:#}");
    let status = report["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|step| step["name"] == "status")
        .expect("status step")
        .clone();
    assert_eq!(status["outcome"], "passed", "{status}");
    let jwt = award["jwt"].as_str().expect("jwt").as_bytes().to_vec();
    assert_eq!(verify(jwt, "application/jwt").await["verdict"], "valid");
    let png = app
        .call(
            Method::GET,
            &format!("/credentials/{}.png", id(&award)),
            None,
            None,
        )
        .await
        .body;
    assert_eq!(verify(png, "image/png").await["verdict"], "valid");

    app.post(
        &format!("/api/v1/credentials/{}/suspend", id(&award)),
        json!({"reason": "Under review"}),
    )
    .await;
    let suspended = verify(credential.clone(), "application/json").await;
    assert_eq!(suspended["verdict"], "invalid");
    assert_eq!(suspended["failed_step"], "suspension");
    assert!(
        suspended["reason"]
            .as_str()
            .expect("reason")
            .contains("Under review"),
        "{suspended:#}"
    );
    app.call(
        Method::POST,
        &format!("/api/v1/credentials/{}/unsuspend", id(&award)),
        Some(&app.admin),
        None,
    )
    .await;
    app.post(
        &format!("/api/v1/credentials/{}/revoke", id(&award)),
        json!({"reason": "Duplicate record"}),
    )
    .await;
    let revoked = verify(credential, "application/json").await;
    assert_eq!(revoked["verdict"], "invalid");
    let reason = revoked["reason"].as_str().expect("reason");
    assert!(
        reason.contains("revoked") && reason.contains("Duplicate record"),
        "{reason}"
    );

    let garbage = verify(b"not a credential".to_vec(), "text/plain").await;
    assert_ne!(garbage["verdict"], "valid");
    app.send(Method::POST, "/api/v1/verify", None, None, None, &[])
        .await
        .problem(StatusCode::BAD_REQUEST);
}
