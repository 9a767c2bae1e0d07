//! OpenID4VCI's pre-authorized code flow, played from the wallet's side: the claim page's
//! offer, the metadata, the token, a nonce, a key proof signed with a did:key (Ed25519) or a
//! P-256 JWK, and the credential in both formats and both request shapes (1.0 and draft 13),
//! each verified and checked to be bound to the wallet. Then each way it must fail: a replayed
//! or expired code, a wrong or reused nonce, a wrong `aud`, no `typ`, a proof signed by a key
//! other than its `kid`, a spent or unknown token, a revoked award.

use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Duration, Utc};
use laurel_server::pages::claim_offer;
use laurel_service::Clock;
use laurel_service::wallet::claims;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::util::oid4vci_wallet::Wallet;
use crate::util::{self, ORIGIN, TestApp, TestResponse, assert_valid, id};

/// A clock the test moves.
struct TestClock(Mutex<DateTime<Utc>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

impl TestClock {
    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

struct Setup {
    app: TestApp,
    clock: Arc<TestClock>,
    issuer: Value,
    award_id: Uuid,
}

const EMAIL: &str = "ada@example.org";
const GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";

async fn setup() -> Setup {
    let clock = Arc::new(TestClock(Mutex::new(util::now())));
    let app = TestApp::builder().clock(clock.clone()).build().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let award = app.award(&achievement, json!({"email": EMAIL})).await;
    assert_eq!(award.status, StatusCode::CREATED, "{}", award.text());
    let award_id = Uuid::parse_str(&id(&award.json())).unwrap();
    Setup {
        app,
        clock,
        issuer,
        award_id,
    }
}

/// A fresh claim link's offer, as the claim page shows it: returns the offer's path.
async fn offer_path(setup: &Setup) -> String {
    let service = &setup.app.state.service;
    let link = claims::issue_claim(service, setup.award_id).await.unwrap();
    let claim = claims::find_claim(service, &link.token).await.unwrap();
    let shown = claim_offer::other_wallets(service, &claim).await.unwrap();
    assert!(shown.offer_qr.starts_with("data:image/svg+xml;base64,"));
    let encoded = shown
        .offer_uri
        .strip_prefix("openid-credential-offer://?credential_offer_uri=")
        .unwrap();
    let url: String = url::form_urlencoded::parse(format!("u={encoded}").as_bytes())
        .next()
        .unwrap()
        .1
        .into_owned();
    url.strip_prefix(ORIGIN).unwrap().to_string()
}

/// Fetches the offer and returns its pre-authorized code.
async fn code(app: &TestApp, offer_path: &str) -> String {
    let offer = app.call(Method::GET, offer_path, None, None).await;
    assert_eq!(offer.status, StatusCode::OK, "{}", offer.text());
    assert_eq!(offer.headers["cache-control"], "no-store");
    let offer = offer.json();
    assert_eq!(offer["credential_issuer"], ORIGIN);
    assert_eq!(
        offer["credential_configuration_ids"],
        json!([
            "OpenBadgeCredential_ldp_vc",
            "OpenBadgeCredential_jwt_vc_json"
        ])
    );
    offer["grants"][GRANT]["pre-authorized_code"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn token_request(app: &TestApp, code: &str) -> TestResponse {
    let form = util::forms::form(&[("grant_type", GRANT), ("pre-authorized_code", code)]);
    app.send(
        Method::POST,
        "/token",
        None,
        Some("application/x-www-form-urlencoded"),
        Some(form),
        &[],
    )
    .await
}

/// Trades a code for a token; returns the token and its c_nonce.
async fn token(app: &TestApp, code: &str) -> (String, String) {
    let response = token_request(app, code).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.headers["cache-control"], "no-store");
    let body = response.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 600);
    (
        body["access_token"].as_str().unwrap().to_string(),
        body["c_nonce"].as_str().unwrap().to_string(),
    )
}

async fn nonce(app: &TestApp) -> String {
    let response = app.call(Method::POST, "/nonce", None, None).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.headers["cache-control"], "no-store");
    response.json()["c_nonce"].as_str().unwrap().to_string()
}

async fn credential(app: &TestApp, token: &str, body: &Value) -> TestResponse {
    app.call(Method::POST, "/credential", Some(token), Some(body))
        .await
}

fn v1(configuration: &str, proof: &str) -> Value {
    json!({"credential_configuration_id": configuration, "proofs": {"jwt": [proof]}})
}

fn draft13(format: &str, proof: &str) -> Value {
    json!({
        "format": format,
        "credential_definition": {"type": ["VerifiableCredential", "OpenBadgeCredential"]},
        "proof": {"proof_type": "jwt", "jwt": proof},
    })
}

/// The protocol error of a refusal.
fn refused(response: &TestResponse, status: StatusCode, code: &str) -> String {
    assert_eq!(response.status, status, "{}", response.text());
    let body = response.json();
    assert_eq!(body["error"], code, "{body}");
    body["error_description"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn metadata_describes_the_issuer_and_its_token_endpoint() {
    let setup = setup().await;
    let app = &setup.app;
    let metadata = app
        .call(
            Method::GET,
            "/.well-known/openid-credential-issuer",
            None,
            None,
        )
        .await;
    assert_eq!(metadata.status, StatusCode::OK);
    assert_eq!(metadata.headers["access-control-allow-origin"], "*");
    assert_eq!(metadata.headers["cache-control"], "public, max-age=300");
    let metadata = metadata.json();
    assert_eq!(metadata["credential_issuer"], ORIGIN);
    assert_eq!(
        metadata["credential_endpoint"],
        format!("{ORIGIN}/credential")
    );
    assert_eq!(metadata["nonce_endpoint"], format!("{ORIGIN}/nonce"));
    assert_eq!(metadata["display"][0]["name"], setup.issuer["name"]);
    let configurations = &metadata["credential_configurations_supported"];
    let ldp = &configurations["OpenBadgeCredential_ldp_vc"];
    assert_eq!(ldp["format"], "ldp_vc");
    assert_eq!(
        ldp["credential_definition"]["type"],
        json!(["VerifiableCredential", "OpenBadgeCredential"])
    );
    assert!(ldp["credential_definition"]["@context"].is_array());
    let jwt = &configurations["OpenBadgeCredential_jwt_vc_json"];
    assert_eq!(jwt["format"], "jwt_vc_json");
    for configuration in [ldp, jwt] {
        assert_eq!(
            configuration["cryptographic_binding_methods_supported"],
            json!(["did:key", "did:jwk"])
        );
        assert_eq!(
            configuration["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"],
            json!(["EdDSA", "ES256"])
        );
    }

    let server = app
        .call(
            Method::GET,
            "/.well-known/oauth-authorization-server",
            None,
            None,
        )
        .await;
    assert_eq!(server.status, StatusCode::OK);
    let server = server.json();
    assert_eq!(server["issuer"], ORIGIN);
    assert_eq!(server["token_endpoint"], format!("{ORIGIN}/token"));
    assert_eq!(
        server["pre-authorized_grant_anonymous_access_supported"],
        true
    );
    assert_eq!(server["grant_types_supported"], json!([GRANT]));

    // A browser wallet's preflight for the credential request is answered.
    let preflight = app
        .send(
            Method::OPTIONS,
            "/credential",
            None,
            None,
            None,
            &[
                ("origin", "https://wallet.example"),
                ("access-control-request-method", "POST"),
                (
                    "access-control-request-headers",
                    "authorization, content-type",
                ),
            ],
        )
        .await;
    assert!(preflight.status.is_success(), "{}", preflight.status);
    assert_eq!(preflight.headers["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn wallets_receive_bound_badges_in_both_formats_and_shapes() {
    let setup = setup().await;
    let app = &setup.app;
    let pinned = app.pinned(&setup.issuer).await;
    let cases = [
        (
            Wallet::did_key(),
            v1 as fn(&str, &str) -> Value,
            "OpenBadgeCredential_ldp_vc",
            true,
        ),
        (
            Wallet::p256_jwk(),
            v1,
            "OpenBadgeCredential_jwt_vc_json",
            false,
        ),
        (Wallet::p256_jwk(), draft13, "ldp_vc", true),
        (Wallet::did_key(), draft13, "jwt_vc_json", false),
    ];
    for (wallet, shape, asked, data_integrity) in cases {
        let offer = offer_path(&setup).await;
        let code = code(app, &offer).await;
        let (token, _) = token(app, &code).await;
        let c_nonce = nonce(app).await;
        let now = setup.clock.now();
        let body = shape(asked, &wallet.proof(&c_nonce, now));
        let response = credential(app, &token, &body).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{asked}: {}",
            response.text()
        );
        assert_eq!(response.headers["cache-control"], "no-store");
        let answer = response.json();
        let issued = if body.get("format").is_some() {
            assert_eq!(answer["format"], asked);
            answer["credential"].clone()
        } else {
            answer["credentials"][0]["credential"].clone()
        };
        let (bytes, subject) = if data_integrity {
            assert!(issued.is_object(), "{asked}: {issued}");
            (
                issued.to_string(),
                issued["credentialSubject"]["id"].clone(),
            )
        } else {
            let jwt = issued.as_str().unwrap().to_string();
            let payload = jwt.split('.').nth(1).unwrap();
            let payload: Value = serde_json::from_slice(&B64.decode(payload).unwrap()).unwrap();
            assert_eq!(payload["sub"], wallet.holder());
            (jwt, payload["credentialSubject"]["id"].clone())
        };
        assert_eq!(subject, wallet.holder(), "{asked}");
        assert_valid(&util::verify(&pinned, bytes.as_bytes(), EMAIL));

        // The token gave its badge: a second request with it is refused.
        let again = credential(app, &token, &body).await;
        refused(&again, StatusCode::UNAUTHORIZED, "invalid_token");
        assert!(
            again.headers["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
        // So is the offer, now its claim link is used.
        let offer_again = app.call(Method::GET, &offer, None, None).await;
        assert_eq!(
            offer_again.status,
            StatusCode::CONFLICT,
            "{}",
            offer_again.text()
        );
    }
    let copies = app.state.store.wallet_copies(setup.award_id).await.unwrap();
    assert_eq!(copies.len(), 4);
}

#[tokio::test]
async fn codes_work_once_and_expire() {
    let setup = setup().await;
    let app = &setup.app;
    let code = code(app, &offer_path(&setup).await).await;
    token(app, &code).await;
    let replay = token_request(app, &code).await;
    assert!(refused(&replay, StatusCode::BAD_REQUEST, "invalid_grant").contains("once"));

    let late = code_of_fresh_offer(&setup).await;
    setup.clock.advance(Duration::minutes(11));
    let expired = token_request(app, &late).await;
    assert!(refused(&expired, StatusCode::BAD_REQUEST, "invalid_grant").contains("expired"));

    let unknown = token_request(app, "not-a-code").await;
    refused(&unknown, StatusCode::BAD_REQUEST, "invalid_grant");
    let form = util::forms::form(&[("grant_type", "authorization_code"), ("code", "x")]);
    let wrong_grant = app
        .send(
            Method::POST,
            "/token",
            None,
            Some("application/x-www-form-urlencoded"),
            Some(form),
            &[],
        )
        .await;
    refused(
        &wrong_grant,
        StatusCode::BAD_REQUEST,
        "unsupported_grant_type",
    );
    let as_json = app
        .call(
            Method::POST,
            "/token",
            None,
            Some(&json!({"grant_type": GRANT})),
        )
        .await;
    refused(&as_json, StatusCode::BAD_REQUEST, "invalid_request");
}

async fn code_of_fresh_offer(setup: &Setup) -> String {
    code(&setup.app, &offer_path(setup).await).await
}

#[tokio::test]
async fn proofs_and_nonces_are_checked() {
    let setup = setup().await;
    let app = &setup.app;
    let wallet = Wallet::did_key();
    let (first, c_nonce) = token(app, &code_of_fresh_offer(&setup).await).await;
    let now = setup.clock.now();
    let ask = |proof: String| v1("OpenBadgeCredential_ldp_vc", &proof);

    let wrong_nonce = credential(app, &first, &ask(wallet.proof("made-up", now))).await;
    refused(&wrong_nonce, StatusCode::BAD_REQUEST, "invalid_nonce");

    let mut claims = wallet.claims(&c_nonce, now);
    claims["aud"] = json!("https://other-issuer.example");
    let wrong_aud = credential(app, &first, &ask(wallet.sign(&wallet.header(), &claims))).await;
    assert!(refused(&wrong_aud, StatusCode::BAD_REQUEST, "invalid_proof").contains("aud"));

    let mut header = wallet.header();
    header.as_object_mut().unwrap().remove("typ");
    let no_typ = credential(
        app,
        &first,
        &ask(wallet.sign(&header, &wallet.claims(&c_nonce, now))),
    )
    .await;
    assert!(refused(&no_typ, StatusCode::BAD_REQUEST, "invalid_proof").contains("typ"));

    // Signed by another key than the kid names.
    let impostor = Wallet::did_key();
    let forged = impostor.sign(&wallet.header(), &wallet.claims(&c_nonce, now));
    let forged = credential(app, &first, &ask(forged)).await;
    assert!(refused(&forged, StatusCode::BAD_REQUEST, "invalid_proof").contains("signature"));

    let unknown_configuration =
        credential(app, &first, &v1("Diploma", &wallet.proof(&c_nonce, now))).await;
    refused(
        &unknown_configuration,
        StatusCode::BAD_REQUEST,
        "unknown_credential_configuration",
    );

    // None of these used the nonce or the token: the right proof still works, once.
    let good = credential(app, &first, &ask(wallet.proof(&c_nonce, now))).await;
    assert_eq!(good.status, StatusCode::OK, "{}", good.text());

    // The nonce is spent: another offer's token with it is refused.
    let (second, _) = token(app, &code_of_fresh_offer(&setup).await).await;
    let reused = credential(app, &second, &ask(wallet.proof(&c_nonce, now))).await;
    refused(&reused, StatusCode::BAD_REQUEST, "invalid_nonce");

    // An expired nonce too.
    let old = nonce(app).await;
    setup.clock.advance(Duration::minutes(6));
    let later = setup.clock.now();
    let expired = credential(app, &second, &ask(wallet.proof(&old, later))).await;
    refused(&expired, StatusCode::BAD_REQUEST, "invalid_nonce");

    for bad in [None, Some("unknown-token")] {
        let response = match bad {
            Some(token) => credential(app, token, &ask(wallet.proof(&old, later))).await,
            None => {
                app.call(Method::POST, "/credential", None, Some(&json!({})))
                    .await
            }
        };
        refused(&response, StatusCode::UNAUTHORIZED, "invalid_token");
    }
    let oversized = credential(app, &second, &json!({"padding": "x".repeat(64 * 1024)})).await;
    let words = refused(&oversized, StatusCode::PAYLOAD_TOO_LARGE, "invalid_request");
    assert!(words.contains("larger"), "{words}");
}

#[tokio::test]
async fn a_revoked_award_is_refused_in_plain_words() {
    let setup = setup().await;
    let app = &setup.app;
    let wallet = Wallet::p256_jwk();
    let (token, c_nonce) = token(app, &code_of_fresh_offer(&setup).await).await;
    let offer = offer_path(&setup).await;
    let revoked = app
        .post(
            &format!("/api/v1/credentials/{}/revoke", setup.award_id),
            json!({"reason": "Recorded in error."}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    let now = setup.clock.now();
    let response = credential(
        app,
        &token,
        &v1(
            "OpenBadgeCredential_jwt_vc_json",
            &wallet.proof(&c_nonce, now),
        ),
    )
    .await;
    let words = refused(
        &response,
        StatusCode::BAD_REQUEST,
        "invalid_credential_request",
    );
    assert!(words.contains("revoked"), "{words}");
    let code = app.call(Method::GET, &offer, None, None).await;
    assert_eq!(code.status, StatusCode::CONFLICT);
    assert!(
        app.state
            .store
            .wallet_copies(setup.award_id)
            .await
            .unwrap()
            .is_empty()
    );
}
