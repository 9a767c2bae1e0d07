//! Endorsements through the admin API, the console and the public pages: signed here for a
//! hosted state library, imported (and refused when tampered with or about something else),
//! embedded in credentials issued afterwards, shown as "Endorsed by …" and reported by the
//! verify API apart from the badge's verdict.

use axum::http::{Method, StatusCode};
use chrono::Duration;
use laurel_core::keys::SigningKey;
use laurel_core::model::{CredentialSchema, EndorsementCredential, EndorsementSubject, Profile};
use laurel_core::proof::{self, Cryptosuite, ProofOptions};
use serde_json::{Value, json};

use crate::util::forms::{get_as, hidden_csrf, post_as, see_other};
use crate::util::hosting::LiveServer;
use crate::util::{ORIGIN, TestApp, id, now};
use laurel_server::remote::{RemoteDocuments, remote_document_policy};
use laurel_verify::fetch::FetchPolicy;
use std::sync::Arc;

const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// An endorsement of `subject` signed elsewhere by a did:key "State Library of Indiana".
fn signed_elsewhere(subject: &str) -> Value {
    let key = SigningKey::from_ed25519_seed(&[9; 32]);
    let credential = EndorsementCredential::builder(
        "urn:uuid:4b0b2a86-6d8e-4b47-9a3c-6f4b1f7c1a11",
        Profile::new(
            key.public_key().to_did_key().unwrap(),
            "State Library of Indiana",
        ),
        now() - Duration::days(1),
        EndorsementSubject::new(subject, Some("Approved for LEU credit.".into())),
    )
    .name("Indiana State Library endorses this badge")
    .credential_schema(CredentialSchema::endorsement_credential())
    .build()
    .unwrap();
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: key.public_key().to_did_key_verification_method().unwrap(),
        created: now() - Duration::days(1),
    };
    proof::sign(&serde_json::to_value(&credential).unwrap(), &key, &options).unwrap()
}

async fn browse(app: &TestApp, path: &str) -> String {
    let response = app
        .send(Method::GET, path, None, None, None, &[("accept", BROWSER)])
        .await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{path}: {}",
        response.text()
    );
    response.text()
}

fn path(url: &str) -> &str {
    url.strip_prefix(ORIGIN).expect("own URL")
}

#[tokio::test]
async fn endorsements_through_the_api_are_embedded_shown_and_verified() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let library = app
        .issuer(json!({"name": "Nebraska Library Commission", "url": "https://nlc.nebraska.gov"}))
        .await;
    let endorsements = format!("/api/v1/achievements/{}/endorsements", id(&achievement));

    // Signed here, with the library's keys.
    let response = app
        .post(
            &endorsements,
            json!({"endorser_issuer_id": id(&library), "comment": "Counts toward Nebraska CE renewal."}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let signed = response.json();
    assert_eq!(signed["origin"], "signed");
    assert_eq!(signed["endorser_name"], "Nebraska Library Commission");
    assert_eq!(
        signed["credential"]["credentialSubject"]["id"],
        format!("{ORIGIN}/achievements/{}", id(&achievement))
    );
    assert_eq!(
        response.headers["location"],
        format!("/api/v1/endorsements/{}", id(&signed))
    );

    // Served publicly, exactly as signed, and verified by the verify API.
    let public = app
        .call(
            Method::GET,
            path(signed["url"].as_str().unwrap()),
            None,
            None,
        )
        .await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(public.content_type(), "application/ld+json");
    assert_eq!(public.json(), signed["credential"]);
    let report = app
        .call(
            Method::POST,
            "/api/v1/verify",
            None,
            Some(&signed["credential"]),
        )
        .await
        .json();
    assert_eq!(report["verdict"], "valid", "{report:#}");

    // Imported: tampered, about something else, both halves at once: refused, nothing stored.
    let genuine = signed_elsewhere(&format!("{ORIGIN}/achievements/{}", id(&achievement)));
    let mut tampered = genuine.clone();
    tampered["credentialSubject"]["endorsementComment"] = json!("Approved for double credit.");
    let detail = app
        .post(&endorsements, json!({"credential": tampered}))
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert!(detail.contains("does not verify"), "{detail}");
    let elsewhere = signed_elsewhere(&format!("{ORIGIN}/issuers/{}", id(&issuer)));
    let detail = app
        .post(&endorsements, json!({"credential": elsewhere}))
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert!(detail.contains("endorses"), "{detail}");
    let detail = app
        .post(
            &endorsements,
            json!({"credential": genuine, "endorser_issuer_id": id(&library)}),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert!(detail.contains("not both"), "{detail}");
    let detail = app
        .post(
            &endorsements,
            json!({"endorser_issuer_id": id(&issuer), "comment": "Ourselves"}),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert!(detail.contains("cannot endorse itself"), "{detail}");

    // Imported, genuine.
    let response = app
        .post(&endorsements, json!({"credential": genuine}))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    assert_eq!(response.json()["origin"], "imported");
    assert_eq!(response.json()["endorser_name"], "State Library of Indiana");
    let list = app.get(&endorsements).await.json();
    assert_eq!(list["endorsements"].as_array().unwrap().len(), 2);

    // The issuer endorsed too.
    let response = app
        .post(
            &format!("/api/v1/issuers/{}/endorsements", id(&issuer)),
            json!({"endorser_issuer_id": id(&library), "comment": "A trusted CE provider."}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());

    // A credential issued now embeds all three and still verifies, reporting each apart.
    let award = app
        .award(
            &achievement,
            json!({"email": "ada@example.org", "name": "Ada"}),
        )
        .await
        .json();
    let credential = app
        .call(
            Method::GET,
            &format!("{}.json", path(award["credential_url"].as_str().unwrap())),
            None,
            None,
        )
        .await
        .json();
    assert_eq!(
        credential["credentialSubject"]["achievement"]["endorsement"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        credential["issuer"]["endorsement"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let report = app
        .call(Method::POST, "/api/v1/verify", None, Some(&credential))
        .await
        .json();
    assert_eq!(report["verdict"], "valid", "{report:#}");
    let found = report["endorsements"].as_array().unwrap();
    assert_eq!(found.len(), 3, "{report:#}");
    assert!(found.iter().all(|e| e["verdict"] == "valid"), "{report:#}");
    assert!(
        found
            .iter()
            .any(|e| e["endorser_name"] == "State Library of Indiana")
    );

    // The pages say so.
    let html = browse(&app, path(achievement_url(&achievement).as_str())).await;
    assert!(
        html.contains("Endorsed by <a href=\"")
            && html.contains("Nebraska Library Commission</a>, with their comment: <q>Counts toward Nebraska CE renewal.</q>"),
        "{html}"
    );
    assert!(html.contains("State Library of Indiana"), "{html}");
    let html = browse(&app, &format!("/issuers/{}", id(&issuer))).await;
    assert!(html.contains("A trusted CE provider."), "{html}");
    let html = browse(&app, path(award["credential_url"].as_str().unwrap())).await;
    assert!(html.contains("Endorsed by"), "{html}");
    assert!(
        html.contains("Endorsement of this badge verified."),
        "{html}"
    );
    assert!(
        html.contains("Endorsement of the issuer verified."),
        "{html}"
    );

    // Withdrawn: no longer served nor embedded; the credential issued before keeps it.
    let withdrawn = app
        .post(
            &format!("/api/v1/endorsements/{}/withdraw", id(&signed)),
            json!({}),
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.text());
    assert!(withdrawn.json()["withdrawn_at"].is_string());
    let public = app
        .call(
            Method::GET,
            path(signed["url"].as_str().unwrap()),
            None,
            None,
        )
        .await;
    assert_eq!(public.status, StatusCode::NOT_FOUND);
    let later = app
        .award(&achievement, json!({"email": "bob@example.org"}))
        .await
        .json();
    let later = app
        .call(
            Method::GET,
            &format!("{}.json", path(later["credential_url"].as_str().unwrap())),
            None,
            None,
        )
        .await
        .json();
    assert_eq!(
        later["credentialSubject"]["achievement"]["endorsement"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let before = app
        .call(
            Method::GET,
            &format!("{}.json", path(award["credential_url"].as_str().unwrap())),
            None,
            None,
        )
        .await
        .json();
    assert_eq!(before, credential);
}

fn achievement_url(achievement: &Value) -> String {
    format!("{ORIGIN}/achievements/{}", id(achievement))
}

#[tokio::test]
async fn endorsements_need_the_right_scope_and_issuers() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let library = app
        .issuer(json!({"name": "Nebraska Library Commission"}))
        .await;
    let endorsements = format!("/api/v1/achievements/{}/endorsements", id(&achievement));
    let body = json!({"endorser_issuer_id": id(&library), "comment": "Good."});
    let read = app.token(&["read"]).await;
    let response = app
        .call(Method::POST, &endorsements, Some(&read), Some(&body))
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    // An admin token limited to the endorsed issuer may not sign with the library's keys.
    let issuer_id = uuid::Uuid::parse_str(&id(&issuer)).unwrap();
    let limited = app
        .token_with(&["admin"], |token| token.issuer_ids = vec![issuer_id])
        .await;
    let response = app
        .call(Method::POST, &endorsements, Some(&limited), Some(&body))
        .await;
    assert_eq!(
        response.status,
        StatusCode::NOT_FOUND,
        "{}",
        response.text()
    );
    assert!(
        app.get(&endorsements).await.json()["endorsements"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn staff_sign_and_import_endorsements_in_the_console() {
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let library = app
        .issuer(json!({"name": "Nebraska Library Commission"}))
        .await;
    let (cookie, csrf) = crate::console_email::admin(&app).await;
    let page = format!("/console/achievements/{}/endorsements", id(&achievement));

    let html = get_as(
        &app,
        &format!("/console/achievements/{}", id(&achievement)),
        &cookie,
    )
    .await
    .text();
    assert!(html.contains(&format!("href=\"{page}\"")), "{html}");
    let html = get_as(&app, &page, &cookie).await.text();
    assert!(html.contains("No endorsements yet."), "{html}");
    assert!(html.contains("Nebraska Library Commission"), "{html}");
    assert_eq!(hidden_csrf(&html), csrf);

    // A mistake is shown beside its field, in words; nothing is stored.
    let response = post_as(
        &app,
        &page,
        &cookie,
        &[
            ("csrf", &csrf),
            ("action", "sign"),
            ("endorser", &id(&library)),
            ("comment", ""),
        ],
    )
    .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    let html = response.text();
    assert!(
        html.contains("id=\"comment-error\">Write what the endorser says"),
        "{html}"
    );

    let location = see_other(
        &post_as(
            &app,
            &page,
            &cookie,
            &[
                ("csrf", &csrf),
                ("action", "sign"),
                ("endorser", &id(&library)),
                ("comment", "Counts toward Nebraska CE renewal."),
            ],
        )
        .await,
    );
    assert_eq!(location, format!("{page}?done=signed"));
    let html = get_as(&app, &location, &cookie).await.text();
    assert!(html.contains("Endorsement signed and recorded."), "{html}");
    assert!(
        html.contains("Counts toward Nebraska CE renewal."),
        "{html}"
    );
    assert!(!html.contains("{\""), "staff never see JSON: {html}");

    // A tampered file: refused beside the field, in words.
    let mut tampered = signed_elsewhere(&achievement_url(&achievement));
    tampered["credentialSubject"]["endorsementComment"] = json!("Approved for double credit.");
    let tampered = tampered.to_string();
    let response = post_as(
        &app,
        &page,
        &cookie,
        &[
            ("csrf", &csrf),
            ("action", "import"),
            ("credential", &tampered),
        ],
    )
    .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    let html = response.text();
    assert!(
        html.contains("id=\"credential-error\">It does not verify, so it was not recorded"),
        "{html}"
    );

    let genuine = signed_elsewhere(&achievement_url(&achievement)).to_string();
    let location = see_other(
        &post_as(
            &app,
            &page,
            &cookie,
            &[
                ("csrf", &csrf),
                ("action", "import"),
                ("credential", &genuine),
            ],
        )
        .await,
    );
    let html = get_as(&app, &location, &cookie).await.text();
    assert!(html.contains("Endorsement checked and recorded."), "{html}");
    assert!(html.contains("State Library of Indiana"), "{html}");

    // Withdrawing one.
    let stored = app
        .state
        .store
        .endorsements_of(
            uuid::Uuid::parse_str(&id(&issuer)).unwrap(),
            Some(uuid::Uuid::parse_str(&id(&achievement)).unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    let location = see_other(
        &post_as(
            &app,
            &format!("/console/endorsements/{}/withdraw", stored[0].id),
            &cookie,
            &[("csrf", &csrf)],
        )
        .await,
    );
    let html = get_as(&app, &location, &cookie).await.text();
    assert!(html.contains("Withdrawn on"), "{html}");

    // The issuer's page has its own.
    let html = get_as(
        &app,
        &format!("/console/issuers/{}/endorsements", id(&issuer)),
        &cookie,
    )
    .await
    .text();
    assert!(html.contains("No endorsements yet."), "{html}");
    // Unknown ids are simply not there.
    let response = get_as(
        &app,
        &format!(
            "/console/achievements/{}/endorsements",
            uuid::Uuid::new_v4()
        ),
        &cookie,
    )
    .await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
}

/// An endorser elsewhere (another service, on its own origin) publishes its keys there: the
/// import fetches its key document through the service's one fetcher of documents from
/// elsewhere, within its bounds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endorsement_from_another_origin_is_bound_by_its_published_keys() {
    let remote = LiveServer::start().await;
    let port = remote
        .origin
        .rsplit(':')
        .next()
        .unwrap()
        .parse::<u16>()
        .unwrap();
    let library = remote
        .app
        .issuer(json!({"name": "Montana State Library"}))
        .await;
    let library_id = uuid::Uuid::parse_str(&id(&library)).unwrap();

    // The service's one fetcher of documents from elsewhere, as `laurel serve` sets it, but
    // allowed to reach this test's own address.
    let allowed = FetchPolicy {
        allow_local: true,
        only_ports: Some(vec![port]),
        ..remote_document_policy()
    };
    let app = TestApp::builder()
        .remote_documents(Arc::new(RemoteDocuments::new(allowed)))
        .build()
        .await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;

    // The library's own service signs an endorsement of our badge with the library's key.
    let stored = remote.app.state.store.issuer(library_id).await.unwrap();
    let credential = EndorsementCredential::builder(
        "urn:uuid:7d1d7c55-2f7e-4a0e-8f0c-2b1c5d2b9e01",
        laurel_service::documents::issuer_profile(&remote.app.state.urls, &stored),
        now() - Duration::days(1),
        EndorsementSubject::new(
            achievement_url(&achievement),
            Some("Presenters earn double credit.".into()),
        ),
    )
    .name("Montana State Library endorses this badge")
    .credential_schema(CredentialSchema::endorsement_credential())
    .build()
    .unwrap();
    let signer = laurel_service::mint::IssuerSigner::open(&remote.app.state, library_id)
        .await
        .unwrap();
    let signed = signer
        .data_integrity(
            &serde_json::to_value(&credential).unwrap(),
            now() - Duration::days(1),
        )
        .unwrap();
    assert!(
        signed["proof"][0]["verificationMethod"]
            .as_str()
            .unwrap()
            .starts_with(&remote.origin)
    );

    let endorsements = format!("/api/v1/achievements/{}/endorsements", id(&achievement));
    let response = app.post(&endorsements, json!({"credential": signed})).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    assert_eq!(response.json()["endorser_name"], "Montana State Library");
    assert_eq!(
        response.json()["endorser_id"],
        format!("{}/issuers/{}", remote.origin, id(&library))
    );

    // A service set not to fetch cannot tie the key to the endorser: refused, in words.
    let offline = TestApp::builder().build().await;
    let issuer = offline.issuer(json!({})).await;
    let achievement = offline.achievement(&issuer, json!({})).await;
    let detail = offline
        .post(
            &format!("/api/v1/achievements/{}/endorsements", id(&achievement)),
            json!({"credential": signed}),
        )
        .await
        .problem(StatusCode::BAD_REQUEST);
    assert!(detail.contains("could not be checked"), "{detail}");
    remote.stop().await.unwrap();
}
