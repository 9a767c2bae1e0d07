//! The Learner Credential Wallet's VC-API exchange, played from the wallet's side: open the
//! claim page, POST `{}`, sign a DID Authentication presentation with a `did:key`, POST it,
//! and check the credential returned. Then each way it must fail: a replayed link, a wrong
//! challenge, an expired exchange, a presentation signed by another key, a revoked award.

use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use laurel_core::keys::{SigningKey, encode_multibase_base58};
use laurel_core::proof;
use laurel_service::Clock;
use laurel_service::wallet::claims;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::util::{self, TestApp, assert_valid, id};

/// A clock the test moves.
pub(crate) struct TestClock(pub(crate) Mutex<DateTime<Utc>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

pub(crate) struct Setup {
    pub(crate) app: TestApp,
    pub(crate) clock: Arc<TestClock>,
    pub(crate) issuer: Value,
    pub(crate) award_id: Uuid,
}

pub(crate) const EMAIL: &str = "ada@example.org";

async fn setup() -> Setup {
    setup_with(TestApp::builder()).await
}

/// [`setup`] with an app made by `builder` (its clock is the test's).
pub(crate) async fn setup_with(builder: util::TestAppBuilder) -> Setup {
    let clock = Arc::new(TestClock(Mutex::new(util::now())));
    let app = builder.clock(clock.clone()).build().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let award = app
        .award(&achievement, json!({"email": EMAIL, "name": "Ada"}))
        .await;
    assert_eq!(award.status, StatusCode::CREATED, "{}", award.text());
    let award_id = Uuid::parse_str(&id(&award.json())).unwrap();
    Setup {
        app,
        clock,
        issuer,
        award_id,
    }
}

/// A wallet: an Ed25519 key and its did:key.
pub(crate) struct Wallet {
    pub(crate) key: SigningKey,
    pub(crate) did: String,
}

pub(crate) fn wallet(seed: u8) -> Wallet {
    let key = SigningKey::from_ed25519_seed(&[seed; 32]);
    let did = key.public_key().to_did_key().unwrap();
    Wallet { key, did }
}

impl Wallet {
    /// A DID Authentication presentation as LCW makes it (`vc.signPresentation` with an
    /// `Ed25519Signature2020` suite), for `holder`, signed with this wallet's key.
    pub(crate) fn did_auth(&self, holder: &str, challenge: &str, domain: &str) -> Value {
        let fragment = self.did.trim_start_matches("did:key:");
        let method = format!("{}#{fragment}", self.did);
        self.did_auth_by(holder, &method, challenge, domain)
    }

    /// The same, naming `method` as the verification method (a did:web holder's key).
    pub(crate) fn did_auth_by(
        &self,
        holder: &str,
        method: &str,
        challenge: &str,
        domain: &str,
    ) -> Value {
        let presentation = json!({
            "@context": [
                "https://www.w3.org/2018/credentials/v1",
                "https://w3id.org/security/suites/ed25519-2020/v1"
            ],
            "type": ["VerifiablePresentation"],
            "holder": holder,
        });
        let mut options = Map::new();
        options.insert("type".into(), "Ed25519Signature2020".into());
        options.insert(
            "created".into(),
            util::now()
                .to_rfc3339_opts(SecondsFormat::Secs, true)
                .into(),
        );
        options.insert("verificationMethod".into(), method.into());
        options.insert("proofPurpose".into(), "authentication".into());
        options.insert("challenge".into(), challenge.into());
        options.insert("domain".into(), domain.into());
        let prepared = proof::prepare(&presentation, &options).unwrap();
        let signature = self.key.sign(&prepared.hash_data).unwrap();
        options.insert(
            "proofValue".into(),
            encode_multibase_base58(&signature).into(),
        );
        let mut signed = presentation;
        signed["proof"] = Value::Object(options);
        signed
    }
}

/// Opens the claim page, returns the exchange path its LCW link names.
pub(crate) async fn open_claim_page(app: &TestApp, token: &str) -> String {
    let page = app
        .send(
            Method::GET,
            &format!("/claim/{token}"),
            None,
            None,
            None,
            &[("accept", "text/html")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert_eq!(page.headers["cache-control"], "no-store");
    let html = page.text();
    let start = html
        .find("https://lcw.app/request?request=")
        .expect("LCW link");
    let link = &html[start..];
    let link = &link[..link.find('"').unwrap()];
    let encoded = link.trim_start_matches("https://lcw.app/request?request=");
    let decoded: String = url::form_urlencoded::parse(format!("r={encoded}").as_bytes())
        .next()
        .unwrap()
        .1
        .into_owned();
    let request: Value = serde_json::from_str(&decoded).unwrap();
    assert_eq!(request["credentialRequestOrigin"], util::ORIGIN);
    let exchange = request["protocols"]["vcapi"].as_str().unwrap();
    assert!(exchange.starts_with(&format!("{}/exchanges/", util::ORIGIN)));
    assert!(html.contains("data:image/svg+xml;base64,"), "a QR code");
    exchange.trim_start_matches(util::ORIGIN).to_string()
}

pub(crate) async fn post(app: &TestApp, path: &str, body: Value) -> util::TestResponse {
    app.call(Method::POST, path, None, Some(&body)).await
}

/// Step 1: the presentation request; returns (challenge, domain).
pub(crate) async fn request(app: &TestApp, exchange: &str) -> (String, String) {
    let answer = post(app, exchange, json!({})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let vpr = &answer.json()["verifiablePresentationRequest"];
    assert_eq!(vpr["query"][0]["type"], "DIDAuthentication");
    assert_eq!(
        vpr["query"][0]["acceptedMethods"],
        json!([{"method": "key"}, {"method": "web"}])
    );
    assert_eq!(
        vpr["interact"]["service"][0]["type"],
        "VerifiableCredentialApiExchangeService"
    );
    assert_eq!(
        vpr["interact"]["service"][0]["serviceEndpoint"],
        format!("{}{exchange}", util::ORIGIN)
    );
    (
        vpr["challenge"].as_str().unwrap().to_string(),
        vpr["domain"].as_str().unwrap().to_string(),
    )
}

pub(crate) async fn new_link(setup: &Setup) -> String {
    claims::issue_claim(&setup.app.state, setup.award_id)
        .await
        .unwrap()
        .token
}

#[tokio::test]
async fn a_wallet_receives_a_copy_bound_to_its_did() {
    let setup = setup().await;
    let app = &setup.app;
    let token = new_link(&setup).await;
    let exchange = open_claim_page(app, &token).await;
    // Opening the page again reuses the open exchange; it does not use the link.
    assert_eq!(open_claim_page(app, &token).await, exchange);
    let (challenge, domain) = request(app, &exchange).await;
    assert_eq!(domain, "badges.example.org");

    let ada = wallet(1);
    let vp = ada.did_auth(&ada.did, &challenge, &domain);
    let answer = post(app, &exchange, json!({"verifiablePresentation": vp})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let body = answer.json();
    let returned = &body["verifiablePresentation"];
    assert_eq!(returned["type"][0], "VerifiablePresentation");
    let vc = &returned["verifiableCredential"][0];
    assert_eq!(vc["credentialSubject"]["id"], ada.did.as_str());
    assert_eq!(vc["proof"][0]["cryptosuite"], "eddsa-rdfc-2022");

    // The copy verifies, names the recipient's email (hashed) and carries the award's status.
    let original: Value = app
        .send(
            Method::GET,
            &format!("/credentials/{}", setup.award_id),
            None,
            None,
            None,
            &[],
        )
        .await
        .json();
    assert_eq!(vc["credentialStatus"], original["credentialStatus"]);
    let pinned = app.pinned(&setup.issuer).await;
    assert_valid(&util::verify(&pinned, vc.to_string().as_bytes(), EMAIL));

    // Stored with the award.
    let copies = app.state.store.wallet_copies(setup.award_id).await.unwrap();
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0].holder, ada.did);

    // Replayed: the exchange is complete, the link used.
    let replay = post(app, &exchange, json!({"verifiablePresentation": vp})).await;
    assert!(replay.problem(StatusCode::CONFLICT).contains("complete"));
    let again = app
        .send(
            Method::GET,
            &format!("/claim/{token}"),
            None,
            None,
            None,
            &[("accept", "text/html")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.text().contains("already used"), "{}", again.text());
}

#[tokio::test]
async fn wrong_challenge_wrong_key_and_expiry_are_refused() {
    let setup = setup().await;
    let app = &setup.app;
    let token = new_link(&setup).await;
    let exchange = open_claim_page(app, &token).await;
    let (challenge, domain) = request(app, &exchange).await;
    let ada = wallet(2);
    let eve = wallet(3);

    let wrong = ada.did_auth(&ada.did, "another-challenge", &domain);
    let answer = post(app, &exchange, json!({"verifiablePresentation": wrong})).await;
    assert!(
        answer
            .problem(StatusCode::BAD_REQUEST)
            .contains("challenge")
    );

    let wrong_domain = ada.did_auth(&ada.did, &challenge, "evil.example");
    let answer = post(
        app,
        &exchange,
        json!({"verifiablePresentation": wrong_domain}),
    )
    .await;
    assert!(answer.problem(StatusCode::BAD_REQUEST).contains("domain"));

    // Eve signs a presentation naming Ada as the holder.
    let borrowed = eve.did_auth(&ada.did, &challenge, &domain);
    let answer = post(app, &exchange, json!({"verifiablePresentation": borrowed})).await;
    assert!(answer.problem(StatusCode::BAD_REQUEST).contains("holder"));

    // Ada's presentation with its content changed after signing.
    let mut tampered = ada.did_auth(&ada.did, &challenge, &domain);
    tampered["holder"] = json!(ada.did.clone());
    tampered["id"] = json!("urn:uuid:00000000-0000-4000-8000-000000000000");
    let answer = post(app, &exchange, json!({"verifiablePresentation": tampered})).await;
    assert!(
        answer
            .problem(StatusCode::BAD_REQUEST)
            .contains("signature")
    );

    // Unsigned.
    let answer = post(
        app,
        &exchange,
        json!({"verifiablePresentation": {"type": ["VerifiablePresentation"]}}),
    )
    .await;
    assert!(
        answer
            .problem(StatusCode::BAD_REQUEST)
            .contains("not signed")
    );
    assert!(
        app.state
            .store
            .wallet_copies(setup.award_id)
            .await
            .unwrap()
            .is_empty()
    );

    // Too late: the exchange expired.
    *setup.clock.0.lock().unwrap() += Duration::minutes(16);
    let late = ada.did_auth(&ada.did, &challenge, &domain);
    let answer = post(app, &exchange, json!({"verifiablePresentation": late})).await;
    assert!(answer.problem(StatusCode::CONFLICT).contains("expired"));
    let answer = post(app, &exchange, json!({})).await;
    assert!(answer.problem(StatusCode::CONFLICT).contains("expired"));

    // The link itself still works: a new exchange, and the wallet gets its copy.
    let fresh = open_claim_page(app, &token).await;
    assert_ne!(fresh, exchange);
    let (challenge, domain) = request(app, &fresh).await;
    let vp = ada.did_auth(&ada.did, &challenge, &domain);
    let answer = post(app, &fresh, json!({"verifiablePresentation": vp})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());

    // Unknown exchanges and bodies that are not objects.
    let unknown = post(app, &format!("/exchanges/{}", Uuid::now_v7()), json!({})).await;
    unknown.problem(StatusCode::NOT_FOUND);
    let bad = post(app, &fresh, json!([1, 2])).await;
    bad.problem(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_revoked_award_is_not_handed_out() {
    let setup = setup().await;
    let app = &setup.app;
    let token = new_link(&setup).await;
    let exchange = open_claim_page(app, &token).await;
    let (challenge, domain) = request(app, &exchange).await;
    let revoked = app
        .post(
            &format!("/api/v1/credentials/{}/revoke", setup.award_id),
            json!({"reason": "issued in error"}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    let ada = wallet(4);
    let vp = ada.did_auth(&ada.did, &challenge, &domain);
    let answer = post(app, &exchange, json!({"verifiablePresentation": vp})).await;
    assert!(answer.problem(StatusCode::CONFLICT).contains("revoked"));
    let page = app
        .send(
            Method::GET,
            &format!("/claim/{token}"),
            None,
            None,
            None,
            &[("accept", "text/html")],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.text().contains("revoked"));
    assert!(
        app.state
            .store
            .wallet_copies(setup.award_id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_oversized_exchange_message_is_refused() {
    let setup = setup().await;
    let app = &setup.app;
    let token = new_link(&setup).await;
    let exchange = open_claim_page(app, &token).await;
    let big = json!({"verifiablePresentation": {"pad": "x".repeat(70 * 1024)}});
    let answer = post(app, &exchange, big).await;
    answer.problem(StatusCode::PAYLOAD_TOO_LARGE);
}
