//! The recipient's name in the credential: signed in as an unhashed `name` identity (first,
//! beside the hashed email) unless the issuer or the award leaves it out; shown by the verify
//! page and `laurel-verify` as the issuer's word, while only the email proves the holder.
//! Also LinkedIn's link through this site (`/credentials/{id}/linkedin`), refused for a
//! revoked or suspended badge, and the console's switches.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::util;
use crate::util::forms::{get_as, hidden_csrf, post_as, session_cookie};

use axum::http::{Method, StatusCode, header};
use base64::Engine as _;
use laurel_core::schema::Schema;
use laurel_server::console;
use laurel_store::Role;
use laurel_verify::Outcome;
use serde_json::{Value, json};
use util::{ORIGIN, TestApp, id, now};

const EMAIL: &str = "ana.reader@example.org";
const NAME: &str = "Ana Reader-Øster";
const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// An award to [`EMAIL`] named `name`, from an issuer made with `issuer_extra`, with
/// `award_extra` merged into the award's body.
async fn awarded(app: &TestApp, issuer_extra: Value, award_extra: Value) -> (Value, Value) {
    let issuer = app.issuer(issuer_extra).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let mut body = json!({ "email": EMAIL, "name": NAME });
    for (key, value) in award_extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    let response = app.award(&achievement, body).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    (issuer, response.json())
}

fn identifiers(credential: &Value) -> Vec<Value> {
    match &credential["credentialSubject"]["identifier"] {
        Value::Array(items) => items.clone(),
        one => vec![one.clone()],
    }
}

/// The credential inside a VC-JWT's payload.
fn jwt_credential(compact: &str) -> Value {
    let payload = compact.split('.').nth(1).expect("payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    let claims: Value = serde_json::from_slice(&bytes).expect("json");
    claims.get("vc").cloned().unwrap_or(claims)
}

#[tokio::test]
async fn the_name_is_signed_in_first_beside_the_hashed_email_in_both_encodings() {
    let app = TestApp::new().await;
    let (issuer, award) = awarded(&app, json!({}), json!({})).await;
    assert_eq!(issuer["include_recipient_name"], true, "on by default");
    let credential = &award["credential"];
    let ids = identifiers(credential);
    assert_eq!(ids.len(), 2, "{credential}");
    assert_eq!(
        ids[0],
        json!({
            "type": "IdentityObject",
            "hashed": false,
            "identityHash": NAME,
            "identityType": "name"
        })
    );
    assert_eq!(ids[1]["identityType"], "emailAddress");
    assert_eq!(ids[1]["hashed"], true);
    assert!(
        ids[1]["identityHash"]
            .as_str()
            .unwrap()
            .starts_with("sha256$")
    );
    assert!(
        !credential.to_string().contains(EMAIL),
        "the email stays hidden"
    );
    // The OB 3.0 schema allows it (`name` is an IdentifierTypeEnum value).
    let violations = Schema::AchievementCredential.validate(credential);
    assert!(violations.is_empty(), "{violations:?}");
    // The VC-JWT carries the same identities.
    let jwt = jwt_credential(award["jwt"].as_str().unwrap());
    assert_eq!(identifiers(&jwt), ids);

    // Offline verification: valid, the name reported, the email still the proof.
    let pinned = app.pinned(&issuer).await;
    for bytes in [
        credential.to_string().into_bytes(),
        award["jwt"].as_str().unwrap().as_bytes().to_vec(),
    ] {
        let report = util::verify(&pinned, &bytes, EMAIL);
        util::assert_valid(&report);
        assert_eq!(report.recipient_name.as_deref(), Some(NAME));
        let text = report.to_text("badge");
        assert!(
            text.contains(&format!(
                "issued to: {NAME} (the name as the issuer wrote it"
            )),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_name_never_passes_the_email_check() {
    let app = TestApp::new().await;
    // A "name" with an address in it is never signed in: it would publish the address.
    let (_, with_address) =
        awarded(&app, json!({}), json!({ "name": "Name of x@example.org" })).await;
    assert_eq!(identifiers(&with_address["credential"]).len(), 1);
    assert!(
        !with_address["credential"]
            .to_string()
            .contains("x@example.org")
    );
    // A name identity holding someone else's email (edited in by hand, which breaks the
    // signature but not the question): the email check must not accept it.
    let (issuer, award) = awarded(&app, json!({}), json!({})).await;
    let mut edited = award["credential"].clone();
    edited["credentialSubject"]["identifier"][0]["identityHash"] = json!("impostor@example.org");
    assert_eq!(identifiers(&edited)[0]["identityType"], "name");
    let credential = edited.to_string();
    let pinned = app.pinned(&issuer).await;
    let report = util::verify(&pinned, credential.as_bytes(), "impostor@example.org");
    let step = report.step("recipient").expect("recipient step");
    assert_eq!(step.outcome, Outcome::Failed, "{}", report.to_text("badge"));
    let right = util::verify(&pinned, credential.as_bytes(), EMAIL);
    assert_eq!(right.step("recipient").unwrap().outcome, Outcome::Passed);

    // The verify page's email box says the same.
    let app = &app;
    let ask = |email: &'static str| {
        let form = format!(
            "credential={}&recipient={}",
            laurel_service::links::query_value(&credential),
            laurel_service::links::query_value(email)
        );
        async move {
            app.send(
                Method::POST,
                "/verify",
                None,
                Some("application/x-www-form-urlencoded"),
                Some(form.into_bytes()),
                &[("accept", BROWSER)],
            )
            .await
            .text()
        }
    };
    let wrong = ask("impostor@example.org").await;
    assert!(
        wrong.contains("Awarded to this email address: <strong>no</strong>"),
        "{wrong}"
    );
    assert!(wrong.contains("impostor@example.org</strong>"), "{wrong}");
    let right = ask(EMAIL).await;
    assert!(
        right.contains("Awarded to this email address: <strong>yes</strong>"),
        "{right}"
    );
}

#[tokio::test]
async fn an_issuer_or_an_award_can_leave_the_name_out() {
    let app = TestApp::new().await;
    // The issuer turns names off: only the hashed email.
    let (issuer, award) =
        awarded(&app, json!({ "include_recipient_name": false }), json!({})).await;
    assert_eq!(issuer["include_recipient_name"], false);
    let ids = identifiers(&award["credential"]);
    assert_eq!(ids.len(), 1);
    assert_eq!(ids[0]["identityType"], "emailAddress");
    assert_eq!(award["recipient_name"], NAME, "kept for staff");
    // An award cannot publish a name its issuer keeps out.
    let achievement = app.achievement(&issuer, json!({ "name": "Second" })).await;
    let forced = app
        .award(
            &achievement,
            json!({ "email": EMAIL, "name": NAME, "include_name": true }),
        )
        .await
        .json();
    assert_eq!(identifiers(&forced["credential"]).len(), 1);

    // The issuer includes names; this award leaves it out.
    let (_, award) = awarded(&app, json!({}), json!({ "include_name": false })).await;
    let ids = identifiers(&award["credential"]);
    assert_eq!(ids.len(), 1);
    assert_eq!(ids[0]["identityType"], "emailAddress");
    // No name given: nothing to include.
    let (_, award) = awarded(&app, json!({}), json!({ "name": null })).await;
    assert_eq!(identifiers(&award["credential"]).len(), 1);

    // The setting is changed with PATCH, and a wrong type is a problem+json naming it.
    let path = format!("/api/v1/issuers/{}", id(&issuer));
    let patched = app
        .patch(&path, json!({ "include_recipient_name": true }))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text());
    assert_eq!(patched.json()["include_recipient_name"], true);
    let bad = app
        .patch(&path, json!({ "include_recipient_name": "no" }))
        .await;
    let detail = bad.problem(StatusCode::BAD_REQUEST);
    assert!(detail.contains("include_recipient_name"), "{detail}");
    let bad_award = app
        .award(
            &achievement,
            json!({ "email": "x@example.org", "include_name": "no" }),
        )
        .await;
    assert_eq!(
        bad_award.status,
        StatusCode::BAD_REQUEST,
        "{}",
        bad_award.text()
    );
}

#[tokio::test]
async fn the_openapi_document_describes_both_switches() {
    let app = TestApp::new().await;
    let document = app.get("/api/v1/openapi.json").await.json();
    let schemas = &document["components"]["schemas"];
    for schema in ["Issuer", "IssuerInput", "IssuerPatch"] {
        let kind = &schemas[schema]["properties"]["include_recipient_name"]["type"];
        assert!(
            kind == "boolean" || *kind == json!(["boolean", "null"]),
            "{schema}: {kind}"
        );
    }
    let input = &schemas["AwardInput"]["properties"]["include_name"];
    assert!(
        input["type"] == "boolean" || input["type"] == json!(["boolean", "null"]),
        "{input}"
    );
    assert!(input["description"].as_str().unwrap().contains("issuer"));
}

#[tokio::test]
async fn the_credential_page_names_the_recipient_from_the_credential_in_its_verdict() {
    let app = TestApp::new().await;
    let (issuer, award) = awarded(&app, json!({}), json!({})).await;
    let path = award["credential_url"]
        .as_str()
        .unwrap()
        .replace(ORIGIN, "");
    let html = app
        .send(Method::GET, &path, None, None, None, &[("accept", BROWSER)])
        .await
        .text();
    let name = issuer["name"].as_str().unwrap();
    let sentence = format!("This badge is valid: issued by {name} to {NAME} on ");
    assert!(html.contains(&sentence.replace('\'', "&#39;")), "{html}");
    let number = laurel_service::certificate::number(id(&award).parse().unwrap());
    assert!(
        html.contains(&format!(
            "<strong id=\"certificate-number\">{number}</strong>"
        )),
        "{html}"
    );
    // Actions first, then the verdict, then the steps, collapsed.
    let actions = html.find("id=\"actions\"").expect("actions");
    let verdict = html.find("id=\"verdict\"").expect("verdict");
    let details = html
        .find("<details class=\"technical\">")
        .expect("collapsed steps");
    assert!(actions < verdict && verdict < details);
    assert!(html.find("id=\"linkedin\"").unwrap() > actions);
    // Credits in words.
    assert!(html.contains("<dd>3 hours</dd>"), "{html}");
}

#[tokio::test]
async fn linkedin_through_this_site_is_refused_while_revoked_or_suspended() {
    let app = TestApp::new().await;
    let (_, award) = awarded(&app, json!({}), json!({})).await;
    let credential = id(&award);
    let path = format!("/credentials/{credential}/linkedin");
    let follow = |accept: &'static str| {
        let path = path.clone();
        let app = &app;
        async move {
            app.send(Method::GET, &path, None, None, None, &[("accept", accept)])
                .await
        }
    };
    let sent = follow(BROWSER).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
    let location = sent.headers[header::LOCATION].to_str().unwrap();
    assert!(location.starts_with("https://www.linkedin.com/profile/add?"));
    let number = laurel_service::certificate::number(credential.parse().unwrap());
    assert!(location.contains(&format!("certId={number}")), "{location}");
    let cert_id = location.split("certId=").nth(1).unwrap();
    assert_eq!(cert_id, number, "never the UUID: {location}");
    assert_eq!(sent.headers[header::CACHE_CONTROL], "no-store");

    let suspend = app
        .post(
            &format!("/api/v1/credentials/{credential}/suspend"),
            json!({ "reason": "Under review" }),
        )
        .await;
    assert_eq!(suspend.status, StatusCode::OK, "{}", suspend.text());
    let page = follow(BROWSER).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert_eq!(page.content_type(), "text/html; charset=utf-8");
    let html = page.text();
    assert!(
        html.contains("so it cannot be added to a LinkedIn profile while it is suspended"),
        "{html}"
    );
    assert!(!html.contains("linkedin.com/profile/add"));
    let problem = follow("application/json").await;
    let detail = problem.problem(StatusCode::CONFLICT);
    assert!(detail.contains("suspended by its issuer since"), "{detail}");

    let lifted = app
        .post(
            &format!("/api/v1/credentials/{credential}/unsuspend"),
            json!({}),
        )
        .await;
    assert_eq!(lifted.status, StatusCode::OK);
    assert_eq!(
        follow(BROWSER).await.status,
        StatusCode::SEE_OTHER,
        "back in good standing"
    );

    let revoked = app
        .post(
            &format!("/api/v1/credentials/{credential}/revoke"),
            json!({ "reason": "Recorded in error." }),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK);
    let refused = follow(BROWSER).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused
            .text()
            .contains("This badge was revoked by its issuer on")
    );

    let unknown = follow_missing(&app).await;
    assert_eq!(unknown, StatusCode::NOT_FOUND);
}

async fn follow_missing(app: &TestApp) -> StatusCode {
    let path = format!("/credentials/{}/linkedin", uuid::Uuid::new_v4());
    app.send(Method::GET, &path, None, None, None, &[("accept", BROWSER)])
        .await
        .status
}

#[tokio::test]
async fn the_console_switches_names_off_per_issuer_and_per_award() {
    let app = TestApp::new().await;
    let user = console::new_user(
        "ada",
        "correct horse battery staple",
        Role::Admin,
        Vec::new(),
        now(),
    )
    .unwrap();
    app.state.store.create_user(&user).await.unwrap();
    let cookie = session_cookie(&app, "ada", "correct horse battery staple").await;
    let page = get_as(&app, "/console/issuers", &cookie).await.text();
    // Ticked for a new issuer, and the help says the name becomes public.
    assert!(
        page.contains("name=\"include_recipient_name\" value=\"yes\" checked"),
        "{page}"
    );
    assert!(
        page.contains("anyone the recipient shares it with sees it"),
        "{page}"
    );
    let csrf = hidden_csrf(&page);
    let made = post_as(
        &app,
        "/console/issuers",
        &cookie,
        &[("csrf", &csrf), ("name", "Library Association")],
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    let issuer = app.state.store.list_issuers().await.unwrap().pop().unwrap();
    assert!(!issuer.include_recipient_name, "an unticked box is off");
    let page_path = made.headers[header::LOCATION].to_str().unwrap().to_string();
    let saved = post_as(
        &app,
        &page_path,
        &cookie,
        &[
            ("csrf", &csrf),
            ("name", "Library Association"),
            ("include_recipient_name", "yes"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    assert!(
        app.state
            .store
            .issuer(issuer.id)
            .await
            .unwrap()
            .include_recipient_name
    );

    // Award by hand, leaving the name out of this one badge.
    let issuer_view = json!({ "id": issuer.id });
    let achievement = app.achievement(&issuer_view, json!({})).await;
    let awards_page = get_as(&app, "/console/awards", &cookie).await.text();
    assert!(
        awards_page.contains("name=\"leave_name_out\""),
        "{awards_page}"
    );
    let given = post_as(
        &app,
        "/console/awards/new",
        &cookie,
        &[
            ("csrf", &csrf),
            ("achievement", &id(&achievement)),
            ("email", EMAIL),
            ("name", NAME),
            ("leave_name_out", "yes"),
        ],
    )
    .await;
    assert_eq!(given.status, StatusCode::SEE_OTHER, "{}", given.text());
    let award = app
        .state
        .store
        .awards_for(
            achievement["id"].as_str().unwrap().parse().unwrap(),
            &[EMAIL.to_string()],
        )
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(award.recipient_name.as_deref(), Some(NAME));
    let credential: Value = serde_json::from_str(&award.credential).unwrap();
    assert_eq!(identifiers(&credential).len(), 1, "{credential}");
}
