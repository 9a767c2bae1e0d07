//! After issuing: status lists, revocation and suspension, re-issue and key rotation, seen as
//! a verifier sees them (the public list and `laurel-verify`). What verifiers see online, of a
//! compromised key, and through `POST /api/v1/verify` is in [`crate::lifecycle_verify`].

use crate::util;

use axum::http::{Method, StatusCode, header};
use laurel_core::status::{Bitstring, MIN_ENTRIES};
use laurel_verify::{Options, Report, Verdict, Verifier};
use serde_json::{Value, json};
use util::{TestApp, assert_valid, id};

/// Issues one award to `email`; the award with its credential.
pub(crate) async fn issue(app: &TestApp, achievement: &Value, email: &str) -> Value {
    let response = app.award(achievement, json!({ "email": email })).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    response.json()
}

/// The public status list at `url` (an absolute URL on the test origin): body and ETag.
async fn status_list(app: &TestApp, url: &str) -> (Value, String) {
    let path = url
        .strip_prefix(util::ORIGIN)
        .expect("list on the test origin");
    let response = app.call(Method::GET, path, None, None).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.content_type(), "application/ld+json");
    assert_eq!(
        response.headers[header::CACHE_CONTROL],
        "public, max-age=60"
    );
    let etag = response.headers[header::ETAG]
        .to_str()
        .expect("etag")
        .to_string();
    (response.json(), etag)
}

/// Verifies a credential (a JSON credential, or a VC-JWT as a JSON string) offline with the
/// issuer's keys and this status list, a day later.
fn verify_with_list(keys: &Value, list: &Value, credential: &Value, email: &str) -> Report {
    let mut options = Options::offline(util::now() + chrono::Duration::days(1));
    options.keys.add_document(keys, "keys.json").expect("keys");
    options.status_lists.push(list.clone());
    options.recipient = Some(email.to_string());
    let bytes = match credential {
        // A VC-JWT, as its compact text.
        Value::String(jwt) => jwt.as_bytes().to_vec(),
        other => other.to_string().into_bytes(),
    };
    Verifier::new(options).verify_bytes(&bytes)
}

fn bit(list: &Value, index: &str) -> bool {
    let encoded = list["credentialSubject"]["encodedList"]
        .as_str()
        .expect("encodedList");
    let bits = Bitstring::decode(encoded).expect("decodes");
    assert_eq!(bits.len(), MIN_ENTRIES);
    bits.get(index.parse().expect("index")).expect("in range")
}

#[tokio::test]
async fn every_credential_has_a_revocation_entry_on_a_signed_public_list() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let award = issue(&app, &achievement, "ana@example.org").await;
    let status = &award["credential"]["credentialStatus"];
    assert_eq!(status["type"], "BitstringStatusListEntry");
    assert_eq!(status["statusPurpose"], "revocation");
    let index = status["statusListIndex"]
        .as_str()
        .expect("index is a string");
    let url = status["statusListCredential"].as_str().expect("list url");
    assert!(
        url.starts_with(&format!("{}/status/", util::ORIGIN)),
        "{url}"
    );
    assert_eq!(award["status_list_url"], url);

    let (list, etag) = status_list(&app, url).await;
    assert_eq!(list["id"], url);
    assert_eq!(
        list["type"],
        json!(["VerifiableCredential", "BitstringStatusListCredential"])
    );
    assert_eq!(list["issuer"], issuer["public_id"]);
    assert_eq!(list["credentialSubject"]["statusPurpose"], "revocation");
    assert_eq!(list["credentialSubject"]["ttl"], 60_000);
    assert!(!bit(&list, index));
    // The list is served as signed, again and again, until a bit changes.
    assert_eq!(status_list(&app, url).await.1, etag);
    let keys = app.key_document(&issuer).await;
    let report = verify_with_list(&keys, &list, &award["credential"], "ana@example.org");
    assert_valid(&report);
    let text = report.to_text("credential");
    assert!(text.contains("not set for revocation"), "{text}");
}

#[tokio::test]
async fn indexes_are_distinct_and_not_in_issue_order() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let batch: Vec<Value> = (0..40)
        .map(|i| json!({ "email": format!("p{i}@example.org") }))
        .collect();
    let response = app.award(&achievement, json!({ "awards": batch })).await;
    assert_eq!(response.json()["created"], 40);
    let page = app
        .get(&format!(
            "/api/v1/awards?achievement={}&limit=100",
            id(&achievement)
        ))
        .await
        .json();
    let mut by_time: Vec<(String, u64)> = page["awards"]
        .as_array()
        .expect("awards")
        .iter()
        .map(|award| {
            (
                award["id"].as_str().expect("id").to_string(),
                award["status_list_index"].as_u64().expect("index"),
            )
        })
        .collect();
    by_time.sort();
    let indexes: Vec<u64> = by_time.iter().map(|(_, index)| *index).collect();
    let mut distinct = indexes.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 40);
    assert_ne!(indexes, distinct, "indexes follow issue order: {indexes:?}");
    assert!(indexes.iter().all(|index| *index < MIN_ENTRIES as u64));
}

#[tokio::test]
async fn revocation_sets_the_bit_at_once_and_is_permanent() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let award = issue(&app, &achievement, "bo@example.org").await;
    let other = issue(&app, &achievement, "cy@example.org").await;
    let url = award["status_list_url"].as_str().expect("list").to_string();
    let index = award["credential"]["credentialStatus"]["statusListIndex"]
        .as_str()
        .expect("index")
        .to_string();
    let (_, before) = status_list(&app, &url).await;

    let path = format!("/api/v1/credentials/{}/revoke", id(&award));
    let missing_reason = app.post(&path, json!({})).await;
    assert!(
        missing_reason
            .problem(StatusCode::BAD_REQUEST)
            .contains("reason")
    );
    let reader = app.token(&["read"]).await;
    app.call(
        Method::POST,
        &path,
        Some(&reader),
        Some(&json!({"reason": "x"})),
    )
    .await
    .problem(StatusCode::FORBIDDEN);

    let revoked = app
        .post(
            &path,
            json!({"reason": "Attendance was recorded in error."}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    let revoked = revoked.json();
    assert_eq!(revoked["outcome"], "revoked");
    assert_eq!(
        revoked["revocation_reason"],
        "Attendance was recorded in error."
    );

    let (list, after) = status_list(&app, &url).await;
    assert_ne!(after, before, "a changed list gets a new ETag");
    assert!(bit(&list, &index));
    assert!(
        !list.to_string().contains("recorded in error"),
        "the reason stays private"
    );
    let keys = app.key_document(&issuer).await;
    let report = verify_with_list(&keys, &list, &award["credential"], "bo@example.org");
    assert_eq!(report.verdict, Verdict::Invalid, "{}", report.to_text("x"));
    assert!(
        report.to_text("credential").contains("revoked"),
        "{}",
        report.to_text("credential")
    );
    // The other credential on the same list is untouched.
    assert_valid(&verify_with_list(
        &keys,
        &list,
        &other["credential"],
        "cy@example.org",
    ));

    // Permanent: again is a no-op keeping the first reason; it cannot be suspended.
    let again = app.post(&path, json!({"reason": "other"})).await.json();
    assert_eq!(again["outcome"], "already_revoked");
    assert_eq!(
        again["revocation_reason"],
        "Attendance was recorded in error."
    );
    assert_eq!(status_list(&app, &url).await.1, after);
    app.call(
        Method::POST,
        &format!("/api/v1/credentials/{}/suspend", id(&award)),
        Some(&app.admin),
        None,
    )
    .await
    .problem(StatusCode::CONFLICT);
    app.post(
        &format!("/api/v1/credentials/{}/reissue", id(&award)),
        json!({}),
    )
    .await
    .problem(StatusCode::CONFLICT);
    let shown = app
        .get(&format!("/api/v1/awards/{}", id(&award)))
        .await
        .json();
    assert!(shown["revoked_at"].is_string());

    // A batch: one new, one already revoked, one unknown.
    let unknown = uuid::Uuid::now_v7();
    let batch = app
        .post(
            "/api/v1/credentials/revoke",
            json!({"ids": [other["id"], award["id"], unknown], "reason": "Cohort cancelled."}),
        )
        .await;
    assert_eq!(batch.status, StatusCode::OK, "{}", batch.text());
    assert_eq!(
        batch.json(),
        json!({"revoked": 1, "already_revoked": 1, "missing": [unknown]})
    );
}

#[tokio::test]
async fn suspension_is_kept_by_the_issuer_and_lifted() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let award = issue(&app, &achievement, "di@example.org").await;
    let url = award["status_list_url"].as_str().expect("list").to_string();
    let (_, etag) = status_list(&app, &url).await;
    let suspended = app
        .post(
            &format!("/api/v1/credentials/{}/suspend", id(&award)),
            json!({"reason": "Under review"}),
        )
        .await
        .json();
    assert_eq!(suspended["outcome"], "suspended");
    assert_eq!(suspended["suspension_reason"], "Under review");
    assert_eq!(
        status_list(&app, &url).await.1,
        etag,
        "the list is untouched"
    );
    let lifted = app
        .call(
            Method::POST,
            &format!("/api/v1/credentials/{}/unsuspend", id(&award)),
            Some(&app.admin),
            None,
        )
        .await
        .json();
    assert_eq!(lifted["outcome"], "unsuspended");
    assert_eq!(lifted["suspended_at"], Value::Null);
    app.post(
        &format!("/api/v1/credentials/{}/suspend", uuid::Uuid::now_v7()),
        json!({}),
    )
    .await
    .problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn rotated_keys_stay_published_and_both_generations_verify() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let old = issue(&app, &achievement, "ed@example.org").await;
    let rotated = app
        .post(
            &format!("/api/v1/issuers/{}/keys/rotate", id(&issuer)),
            json!({}),
        )
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.text());
    let keys = rotated.json()["keys"].as_array().expect("keys").clone();
    assert_eq!(keys.len(), 4);
    assert_eq!(
        keys.iter()
            .filter(|key| key["retired_at"].is_string())
            .count(),
        2
    );
    let new = issue(&app, &achievement, "fay@example.org").await;
    let method = |award: &Value| {
        let proof = &award["credential"]["proof"];
        let proof = if proof.is_array() { &proof[0] } else { proof };
        proof["verificationMethod"]
            .as_str()
            .expect("method")
            .to_string()
    };
    assert_ne!(method(&old), method(&new));

    // The public controller document has every key, the old ones marked retired.
    let public = app
        .call(
            Method::GET,
            &format!("/issuers/{}/keys", id(&issuer)),
            None,
            None,
        )
        .await
        .json();
    let methods = public["verificationMethod"].as_array().expect("methods");
    assert_eq!(methods.len(), 4);
    assert_eq!(
        methods.iter().filter(|m| m["retired"].is_string()).count(),
        2
    );
    for (award, email) in [(&old, "ed@example.org"), (&new, "fay@example.org")] {
        let (list, _) = status_list(&app, award["status_list_url"].as_str().expect("url")).await;
        assert_valid(&verify_with_list(
            &public,
            &list,
            &award["credential"],
            email,
        ));
        let jwt = Value::String(award["jwt"].as_str().expect("jwt").to_string());
        assert_valid(&verify_with_list(&public, &list, &jwt, email));
    }
}

#[tokio::test]
async fn reissue_keeps_the_id_and_awarded_date_and_serves_the_newest() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app
        .achievement(&issuer, json!({"name": "Catalogage avancé"}))
        .await;
    let award = issue(&app, &achievement, "gus@example.org").await;
    let public_path = format!("/credentials/{}", id(&award));
    let first = app.call(Method::GET, &public_path, None, None).await;
    assert_eq!(first.json()["name"], "Catalogage avancé");

    app.patch(
        &format!("/api/v1/achievements/{}", id(&achievement)),
        json!({"name": "Catalogage avancé (RDA)"}),
    )
    .await;
    let reissued = app
        .post(
            &format!("/api/v1/credentials/{}/reissue", id(&award)),
            json!({"recipient_name": "Gus Dupont"}),
        )
        .await;
    assert_eq!(reissued.status, StatusCode::OK, "{}", reissued.text());
    let reissued = reissued.json();
    let credential = &reissued["credential"];
    assert_eq!(credential["id"], award["credential"]["id"]);
    assert_eq!(
        credential["awardedDate"],
        award["credential"]["awardedDate"]
    );
    assert_eq!(
        credential["credentialStatus"],
        award["credential"]["credentialStatus"]
    );
    assert!(credential["validFrom"].as_str() >= award["credential"]["validFrom"].as_str());
    assert_eq!(
        credential["credentialSubject"]["achievement"]["name"],
        "Catalogage avancé (RDA)"
    );
    assert_eq!(reissued["recipient_name"], "Gus Dupont");
    let served = app.call(Method::GET, &public_path, None, None).await;
    assert_eq!(served.json()["name"], "Catalogage avancé (RDA)");
    let keys = app.pinned(&issuer).await;
    assert_valid(&util::verify(
        &keys,
        credential.to_string().as_bytes(),
        "gus@example.org",
    ));
    assert_valid(&util::verify(
        &keys,
        reissued["jwt"].as_str().expect("jwt").as_bytes(),
        "gus@example.org",
    ));
}

#[tokio::test]
async fn unknown_lists_and_credentials_are_404() {
    let app = TestApp::new().await;
    app.call(
        Method::GET,
        &format!("/status/{}", uuid::Uuid::now_v7()),
        None,
        None,
    )
    .await
    .problem(StatusCode::NOT_FOUND);
    app.call(Method::GET, "/status/not-an-id", None, None)
        .await
        .problem(StatusCode::NOT_FOUND);
    app.post(
        &format!("/api/v1/credentials/{}/revoke", uuid::Uuid::now_v7()),
        json!({"reason": "x"}),
    )
    .await
    .problem(StatusCode::NOT_FOUND);
}
