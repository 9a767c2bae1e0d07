//! Public hosting and operations: documents, caching, privacy, key resolution by
//! `laurel-verify` (online against a live server, and offline from a saved document), baked
//! downloads, health, readiness, metrics, middleware errors and graceful shutdown.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::util;
use crate::util::hosting;

use std::time::Duration;

use axum::http::{Method, StatusCode, header};
use hosting::{LiveServer, test_app};
use laurel_core::bake;
use laurel_server::middleware::{self, Limits};
use laurel_server::public::badge;
use laurel_verify::fetch::{FetchPolicy, HttpFetcher};
use laurel_verify::{KeyStore, Options, Report, Verdict, Verifier};
use serde_json::{Value, json};
use util::{ORIGIN, TestApp, TestResponse, id};

/// The email and name of the recipient in these tests: they must never be published.
const EMAIL: &str = "Camille.Durand@Example.org";
const NAME: &str = "Camille Durand";

/// An issuer, an achievement (with `extra` fields) and one award; returns the award view.
async fn awarded(app: &TestApp, extra: Value) -> (Value, Value, Value) {
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, extra).await;
    let response = app
        .award(&achievement, json!({ "email": EMAIL, "name": NAME }))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    (issuer, achievement, response.json())
}

/// Uploads `bytes` as the achievement's image.
async fn put_image(app: &TestApp, achievement: &Value, content_type: &str, bytes: Vec<u8>) {
    let response = app
        .send(
            Method::PUT,
            &format!("/api/v1/achievements/{}/image", id(achievement)),
            Some(&app.admin),
            Some(content_type),
            Some(bytes),
            &[],
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
}

/// A GET with no token, as the public makes it.
async fn public_get(app: &TestApp, path: &str) -> TestResponse {
    app.send(Method::GET, path, None, None, None, &[]).await
}

fn header(response: &TestResponse, name: header::HeaderName) -> &str {
    response
        .headers
        .get(&name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
}

/// The path of a public URL of the test origin.
fn path(url: &str) -> &str {
    url.strip_prefix(ORIGIN).unwrap_or(url)
}

/// A verifier pinned to the keys in `document` (as `laurel-verify --keys FILE` does).
fn offline_verifier(document: &Value, file: &str, status_lists: Vec<Value>) -> Verifier {
    let mut keys = KeyStore::default();
    keys.add_document(document, file).unwrap();
    let mut options = Options::offline(util::now() + chrono::Duration::days(1));
    options.keys = keys;
    options.status_lists = status_lists;
    Verifier::new(options)
}

#[track_caller]
fn assert_valid(report: &Report) {
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
}

// ---------------------------------------------------------------------------------------------
// documents, media types, caching
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn public_documents_have_their_media_types_and_cache_policies() {
    let app = TestApp::new().await;
    let (issuer, achievement, award) = awarded(&app, json!({})).await;
    let issuer_path = format!("/issuers/{}", id(&issuer));
    let credential_path = path(award["credential_url"].as_str().unwrap()).to_string();
    let keys = public_get(&app, &format!("{issuer_path}/keys"))
        .await
        .json();
    let di_key = path(keys["verificationMethod"][0]["id"].as_str().unwrap()).to_string();
    let jwt_key = path(keys["verificationMethod"][1]["id"].as_str().unwrap()).to_string();

    let cases = [
        (
            issuer_path.clone(),
            "application/ld+json",
            "public, max-age=300",
        ),
        (
            format!("/achievements/{}", id(&achievement)),
            "application/ld+json",
            "public, max-age=300",
        ),
        (
            format!("{issuer_path}/keys"),
            "application/ld+json",
            "public, max-age=3600",
        ),
        (di_key, "application/ld+json", "public, max-age=3600"),
        (jwt_key, "application/jwk+json", "public, max-age=3600"),
        (
            "/.well-known/jwks.json".into(),
            "application/jwk-set+json",
            "public, max-age=300",
        ),
        (
            credential_path.clone(),
            "application/ld+json",
            "public, max-age=3600",
        ),
        (
            format!("{credential_path}.json"),
            "application/vc+ld+json",
            "public, max-age=3600",
        ),
        (
            format!("{credential_path}.jwt"),
            "application/jwt",
            "public, max-age=3600",
        ),
        (
            format!("{credential_path}.png"),
            "image/png",
            "public, max-age=3600",
        ),
        (
            format!("{credential_path}.svg"),
            "image/svg+xml",
            "public, max-age=3600",
        ),
    ];
    for (path, content_type, cache) in cases {
        let response = public_get(&app, &path).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{path}: {}",
            response.text()
        );
        assert_eq!(response.content_type(), content_type, "{path}");
        assert_eq!(header(&response, header::CACHE_CONTROL), cache, "{path}");
        assert!(
            header(&response, header::ETAG).starts_with('"'),
            "{path}: strong ETag"
        );
        assert_eq!(
            header(&response, header::ACCESS_CONTROL_ALLOW_ORIGIN),
            "*",
            "{path}"
        );
        assert_eq!(
            header(&response, header::X_CONTENT_TYPE_OPTIONS),
            "nosniff",
            "{path}"
        );
    }

    let profile = public_get(&app, &issuer_path).await.json();
    assert_eq!(profile["id"], format!("{ORIGIN}{issuer_path}"));
    assert_eq!(profile["type"], json!(["Profile"]));
    assert_eq!(
        profile["@context"][0],
        "https://www.w3.org/ns/credentials/v2"
    );

    // The credential is served byte for byte as stored; `.json` is the same bytes, as a file.
    let stored = app
        .state
        .store
        .award(id(&award).parse().unwrap())
        .await
        .unwrap();
    let document = public_get(&app, &credential_path).await;
    assert_eq!(document.text(), stored.credential);
    let download = public_get(&app, &format!("{credential_path}.json")).await;
    assert_eq!(download.body, document.body);
    assert!(header(&download, header::CONTENT_DISPOSITION).starts_with("attachment; filename="));
    let jwt = public_get(&app, &format!("{credential_path}.jwt")).await;
    assert_eq!(jwt.text(), stored.jwt);
}

#[tokio::test]
async fn a_matching_if_none_match_is_answered_304() {
    let app = TestApp::new().await;
    let (issuer, _, award) = awarded(&app, json!({})).await;
    let credential = path(award["credential_url"].as_str().unwrap()).to_string();
    for path in [
        format!("/issuers/{}", id(&issuer)),
        credential.clone(),
        format!("{credential}.png"),
        "/.well-known/jwks.json".into(),
    ] {
        let first = public_get(&app, &path).await;
        let etag = header(&first, header::ETAG).to_string();
        let again = app
            .send(
                Method::GET,
                &path,
                None,
                None,
                None,
                &[("if-none-match", &etag)],
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(again.body.is_empty(), "{path}");
        assert_eq!(header(&again, header::ETAG), etag, "{path}");
        assert!(!header(&again, header::CACHE_CONTROL).is_empty(), "{path}");
        let other = app
            .send(
                Method::GET,
                &path,
                None,
                None,
                None,
                &[("if-none-match", "\"stale\"")],
            )
            .await;
        assert_eq!(other.status, StatusCode::OK, "{path}");
    }

    // Editing the issuer changes its profile, and so its ETag.
    let path = format!("/issuers/{}", id(&issuer));
    let before = header(&public_get(&app, &path).await, header::ETAG).to_string();
    let edited = app
        .patch(
            &format!("/api/v1/issuers/{}", id(&issuer)),
            json!({ "description": "Edited" }),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text());
    let after = public_get(&app, &path).await;
    assert_ne!(header(&after, header::ETAG), before);
}

#[tokio::test]
async fn public_responses_never_reveal_the_recipient() {
    let app = TestApp::new().await;
    // The name is signed into credentials unless left out (see `recipient_name`): this award
    // leaves it out, so nothing public may name the recipient.
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let award = app
        .award(
            &achievement,
            json!({ "email": EMAIL, "name": NAME, "include_name": false }),
        )
        .await
        .json();
    put_image(
        &app,
        &achievement,
        "image/png",
        badge::generated_png().to_vec(),
    )
    .await;
    let credential = path(award["credential_url"].as_str().unwrap()).to_string();
    let mut texts = Vec::new();
    for path in [
        credential.clone(),
        format!("{credential}.json"),
        format!("/issuers/{}", id(&issuer)),
        format!("/achievements/{}", id(&achievement)),
        "/.well-known/jwks.json".into(),
    ] {
        texts.push(public_get(&app, &path).await.text());
    }
    let jwt = public_get(&app, &format!("{credential}.jwt")).await.text();
    texts.push(
        laurel_core::jwt::decode(&jwt)
            .unwrap()
            .credential
            .to_string(),
    );
    for extension in ["png", "svg"] {
        let baked = public_get(&app, &format!("{credential}.{extension}")).await;
        texts.push(bake::extract(&baked.body).unwrap().payload);
        texts.push(String::from_utf8_lossy(&baked.body).into_owned());
    }
    for text in texts {
        let lower = text.to_lowercase();
        assert!(
            !lower.contains(&EMAIL.to_lowercase()),
            "email published: {text}"
        );
        assert!(!lower.contains("camille"), "name published: {text}");
    }
    // What the credential does say: a salted hash of the email.
    let document = public_get(&app, &credential).await.json();
    let identifier = &document["credentialSubject"]["identifier"][0];
    assert_eq!(identifier["hashed"], true, "{document:#}");
    assert!(
        identifier["identityHash"]
            .as_str()
            .unwrap()
            .starts_with("sha256$")
    );
}

#[tokio::test]
async fn key_documents_name_the_issuer_as_controller() {
    let app = TestApp::new().await;
    let (issuer, _, award) = awarded(&app, json!({})).await;
    let issuer_id = format!("{ORIGIN}/issuers/{}", id(&issuer));
    let controller = public_get(&app, &format!("/issuers/{}/keys", id(&issuer)))
        .await
        .json();
    assert_eq!(controller["id"], issuer_id.as_str());
    let methods = controller["verificationMethod"].as_array().unwrap();
    assert_eq!(methods.len(), 2, "{controller:#}");
    assert_eq!(
        controller["assertionMethod"],
        json!(methods.iter().map(|m| m["id"].clone()).collect::<Vec<_>>())
    );

    // The proof's verification method is the Multikey document; the JWT's kid the bare JWK.
    let credential = &award["credential"];
    let method = credential["proof"][0]["verificationMethod"]
        .as_str()
        .unwrap();
    let multikey = public_get(&app, path(method)).await.json();
    assert_eq!(
        multikey["@context"],
        "https://w3id.org/security/multikey/v1"
    );
    assert_eq!(multikey["id"], method);
    assert_eq!(multikey["type"], "Multikey");
    assert_eq!(multikey["controller"], issuer_id.as_str());
    assert!(
        multikey["publicKeyMultibase"]
            .as_str()
            .unwrap()
            .starts_with("z6Mk")
    );

    let jwt = laurel_core::jwt::decode(award["jwt"].as_str().unwrap()).unwrap();
    let laurel_core::jwt::KeyReference::Kid(kid) = &jwt.key else {
        panic!("the JWT names its key by kid");
    };
    let jwk = public_get(&app, path(kid)).await.json();
    assert_eq!(jwk["kid"], kid.as_str());
    assert_eq!(jwk["iss"], issuer_id.as_str());
    assert_eq!(jwk["use"], "sig");
    assert_eq!(jwk["alg"], jwt.alg.jws_alg());
    assert!(jwk.get("d").is_none(), "no private member: {jwk}");

    // The JWK Set holds both keys with kid and iss.
    let jwks = public_get(&app, "/.well-known/jwks.json").await.json();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .inspect(|key| assert_eq!(key["iss"], issuer_id.as_str()))
        .map(|key| key["kid"].as_str().unwrap())
        .collect();
    assert!(
        kids.contains(&method) && kids.contains(&kid.as_str()),
        "{jwks:#}"
    );

    // Another issuer's key is not found under this issuer.
    let other = app.issuer(json!({ "name": "Other" })).await;
    let response = public_get(
        &app,
        &format!(
            "/issuers/{}/keys/{}",
            id(&other),
            method.rsplit('/').next().unwrap()
        ),
    )
    .await;
    response.problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_404_problems() {
    let app = TestApp::new().await;
    let (issuer, _, _) = awarded(&app, json!({})).await;
    let random = uuid::Uuid::new_v4();
    for path in [
        "/issuers/not-a-uuid".to_string(),
        format!("/issuers/{random}"),
        format!("/issuers/{random}/keys"),
        format!("/issuers/{}/keys/{random}", id(&issuer)),
        format!("/issuers/{}/keys/nope", id(&issuer)),
        format!("/achievements/{random}"),
        format!("/credentials/{random}"),
        format!("/credentials/{random}.png"),
        format!("/credentials/{random}.exe"),
        "/credentials/..json".into(),
        "/images/zzz.png".into(),
        format!("/images/{}.png", "0".repeat(64)),
        "/no/such/route".into(),
    ] {
        let detail = public_get(&app, &path).await.problem(StatusCode::NOT_FOUND);
        assert!(!detail.is_empty(), "{path}");
    }
}

// ---------------------------------------------------------------------------------------------
// images and baked downloads
// ---------------------------------------------------------------------------------------------

const PLAIN_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><circle cx="50" cy="50" r="40" fill="#336699"/></svg>"##;

#[tokio::test]
async fn images_are_immutable_and_svgs_are_sandboxed() {
    let app = TestApp::new().await;
    let (_, achievement, _) = awarded(&app, json!({})).await;
    put_image(
        &app,
        &achievement,
        "image/svg+xml",
        PLAIN_SVG.as_bytes().to_vec(),
    )
    .await;
    let document = public_get(&app, &format!("/achievements/{}", id(&achievement)))
        .await
        .json();
    let image = path(document["image"]["id"].as_str().unwrap()).to_string();
    assert!(
        image.starts_with("/images/") && image.ends_with(".svg"),
        "{image}"
    );

    let response = public_get(&app, &image).await;
    assert_eq!(response.status, StatusCode::OK);
    // Stored as rebuilt from the allow-list: the circle is now a path, its colour kept.
    let stored = response.text();
    assert!(
        stored.contains("<path") && stored.contains("#336699"),
        "{stored}"
    );
    assert_eq!(response.content_type(), "image/svg+xml");
    assert_eq!(
        header(&response, header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        header(&response, header::CONTENT_SECURITY_POLICY),
        "default-src 'none'; style-src 'unsafe-inline'"
    );
    assert_eq!(header(&response, header::X_CONTENT_TYPE_OPTIONS), "nosniff");

    // The same hash with the other extension is not this image.
    let detail = public_get(&app, &image.replace(".svg", ".png"))
        .await
        .problem(StatusCode::NOT_FOUND);
    assert!(detail.contains(".svg"), "{detail}");
}

/// Decodes a PNG to RGBA: width, height and the pixels.
fn rgba(png: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buffer).unwrap();
    buffer.truncate(info.buffer_size());
    if info.color_type == png::ColorType::Rgb {
        buffer = buffer
            .chunks(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect();
    }
    (info.width, info.height, buffer)
}

/// Checks a baked download: the right container, the credential byte for byte, and valid.
async fn check_baked(
    app: &TestApp,
    award: &Value,
    verifier: &Verifier,
    extension: &str,
) -> Vec<u8> {
    let credential = path(award["credential_url"].as_str().unwrap()).to_string();
    let response = public_get(app, &format!("{credential}.{extension}")).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let extracted = bake::extract(&response.body).unwrap();
    let expected = match extension {
        "png" => bake::ImageFormat::Png,
        _ => bake::ImageFormat::Svg,
    };
    assert_eq!(extracted.format, expected);
    let stored = app
        .state
        .store
        .award(id(award).parse().unwrap())
        .await
        .unwrap();
    assert_eq!(extracted.payload, stored.credential);
    assert_valid(&verifier.verify_bytes(&response.body));
    if extension == "svg" {
        assert_eq!(
            header(&response, header::CONTENT_SECURITY_POLICY),
            "default-src 'none'; style-src 'unsafe-inline'"
        );
    }
    response.body
}

#[tokio::test]
async fn baked_downloads_carry_the_credential_and_verify() {
    let app = TestApp::new().await;
    let (issuer, achievement, award) = awarded(&app, json!({})).await;
    let keys = public_get(&app, &format!("/issuers/{}/keys", id(&issuer)))
        .await
        .json();
    let verifier = offline_verifier(&keys, "keys.json", app.pinned(&issuer).await.lists);

    // No image: a generated medal in both formats, the SVG naming the achievement.
    let png = check_baked(&app, &award, &verifier, "png").await;
    assert!(png.starts_with(b"\x89PNG"));
    let svg = check_baked(&app, &award, &verifier, "svg").await;
    assert!(
        String::from_utf8(svg)
            .unwrap()
            .contains("Catalogage avancé")
    );

    // A PNG image: baked as is into .png, shown inside an SVG for .svg.
    let (_, with_png, png_award) = {
        let achievement = app
            .achievement(&issuer, json!({ "name": "With PNG" }))
            .await;
        put_image(
            &app,
            &achievement,
            "image/png",
            badge::generated_png().to_vec(),
        )
        .await;
        let award = app
            .award(&achievement, json!({ "email": EMAIL }))
            .await
            .json();
        (issuer.clone(), achievement, award)
    };
    let png = check_baked(&app, &png_award, &verifier, "png").await;
    assert!(png.len() > badge::generated_png().len());
    let svg = check_baked(&app, &png_award, &verifier, "svg").await;
    assert!(
        String::from_utf8(svg)
            .unwrap()
            .contains("data:image/png;base64,")
    );

    // An SVG image: baked as is into .svg; the artwork survives.
    let with_svg = app
        .achievement(&issuer, json!({ "name": "With SVG" }))
        .await;
    put_image(
        &app,
        &with_svg,
        "image/svg+xml",
        PLAIN_SVG.as_bytes().to_vec(),
    )
    .await;
    let svg_award = app.award(&with_svg, json!({ "email": EMAIL })).await.json();
    let svg = check_baked(&app, &svg_award, &verifier, "svg").await;
    assert!(String::from_utf8(svg).unwrap().contains("#336699"));
    // ... and rendered for .png: the artwork (a blue disc on transparent), not the medal.
    let png = check_baked(&app, &svg_award, &verifier, "png").await;
    let (width, height, pixels) = rgba(&png);
    assert_eq!((width, height), (512, 512));
    let blue = pixels
        .chunks(4)
        .filter(|p| p[3] == 255 && (p[0], p[1], p[2]) == (0x33, 0x66, 0x99))
        .count();
    let drawn = pixels.chunks(4).filter(|p| p[3] > 0).count();
    // A disc of radius 40/100 of the side covers about half of the square (π·0.16 ≈ 0.50).
    assert!(
        blue > 120_000 && drawn < 140_000,
        "{blue} blue of {drawn} drawn"
    );
    let (_, _, medal) = rgba(badge::generated_png());
    assert!(
        !medal
            .chunks(4)
            .any(|p| (p[0], p[1], p[2]) == (0x33, 0x66, 0x99))
    );

    // Changing the achievement's image later does not change an issued badge.
    let before = public_get(
        &app,
        &format!(
            "{}.png",
            path(png_award["credential_url"].as_str().unwrap())
        ),
    )
    .await;
    put_image(
        &app,
        &with_png,
        "image/svg+xml",
        PLAIN_SVG.as_bytes().to_vec(),
    )
    .await;
    let after = public_get(
        &app,
        &format!(
            "{}.png",
            path(png_award["credential_url"].as_str().unwrap())
        ),
    )
    .await;
    assert_eq!(before.body, after.body);
    let _ = achievement;
}

// ---------------------------------------------------------------------------------------------
// laurel-verify against the live service
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_verify_online_with_keys_fetched_from_the_service() {
    let server = LiveServer::start().await;
    let (issuer, _, award) = awarded(&server.app, json!({})).await;
    let issuer_id = server.url(&format!("/issuers/{}", id(&issuer)));
    assert_eq!(award["credential"]["issuer"]["id"], issuer_id.as_str());
    let credential_url = award["credential_url"].as_str().unwrap().to_string();
    assert!(credential_url.starts_with(&server.origin));

    // The verifier's fetcher is blocking reqwest: off the async threads.
    let reports = tokio::task::spawn_blocking(move || {
        let mut options = Options::offline(util::now() + chrono::Duration::days(1));
        options.fetcher = Some(Box::new(
            HttpFetcher::new(FetchPolicy {
                allow_local: true,
                ..FetchPolicy::default()
            })
            .unwrap(),
        ));
        let verifier = Verifier::new(options);
        let mut reports = Vec::new();
        // The document at the credential's id, its JWT, and its baked PNG, all over HTTP.
        let json = reqwest::blocking::get(&credential_url)
            .unwrap()
            .bytes()
            .unwrap();
        reports.push(verifier.verify_bytes(&json));
        let jwt = reqwest::blocking::get(format!("{credential_url}.jwt"))
            .unwrap()
            .bytes()
            .unwrap();
        reports.push(verifier.verify_bytes(&jwt));
        let png = reqwest::blocking::get(format!("{credential_url}.png"))
            .unwrap()
            .bytes()
            .unwrap();
        reports.push(verifier.verify_bytes(&png));
        reports
    })
    .await
    .unwrap();

    for report in &reports {
        assert_valid(report);
        let issuer = report.issuer.as_ref().unwrap();
        assert_eq!(issuer.id, issuer_id);
        let key = issuer.key.as_deref().unwrap();
        assert!(
            key.contains(&format!(
                "(published by the issuer at {}/issuers/",
                server.origin
            )),
            "{key}"
        );
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn credentials_verify_offline_with_the_saved_keys_document() {
    let app = TestApp::new().await;
    let (issuer, _, award) = awarded(&app, json!({})).await;
    let document = public_get(&app, &format!("/issuers/{}/keys", id(&issuer)))
        .await
        .json();
    // Saved to a file and read back, as a verifier would with `laurel-verify --keys FILE`.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("issuer-keys.json");
    std::fs::write(&file, document.to_string()).unwrap();
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let verifier = offline_verifier(
        &saved,
        &file.display().to_string(),
        app.pinned(&issuer).await.lists,
    );

    let credential = path(award["credential_url"].as_str().unwrap()).to_string();
    for form in [credential.clone(), format!("{credential}.jwt")] {
        let bytes = public_get(&app, &form).await.body;
        let report = verifier.verify_bytes(&bytes);
        assert_valid(&report);
        let key = report.issuer.as_ref().unwrap().key.clone().unwrap();
        assert!(key.contains("(pinned by "), "{key}");
    }

    // Without the document (and offline) the keys cannot be found: not "valid".
    let bare = Verifier::new(Options::offline(util::now()));
    let report = bare.verify_bytes(&public_get(&app, &credential).await.body);
    assert_eq!(report.verdict, Verdict::CouldNotCheck, "{report:#?}");
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn health_readiness_and_metrics() {
    let (app, store) = test_app(ORIGIN, &Limits::default(), Some(hosting::metrics_handle())).await;
    let health = public_get(&app, "/healthz").await;
    assert_eq!(
        (health.status, health.text().as_str()),
        (StatusCode::OK, "ok")
    );
    let ready = public_get(&app, "/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);

    // An award, so the issued counter moves.
    let (_, _, _) = awarded(&app, json!({})).await;
    public_get(&app, "/no/such/thing").await;

    let metrics = public_get(&app, "/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(
        metrics.content_type().starts_with("text/plain"),
        "{}",
        metrics.content_type()
    );
    let text = metrics.text();
    for needle in [
        r#"laurel_http_requests_total{method="GET",route="/healthz",status="200"}"#,
        r#"route="/api/v1/achievements/{id}/awards",status="201""#,
        r#"laurel_http_requests_total{method="GET",route="unmatched",status="404"}"#,
        "laurel_http_request_duration_seconds_bucket{",
        "# HELP laurel_http_requests_total",
        "laurel_credentials_issued_total",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }

    // The database goes away: not ready (503 problem), still alive.
    store.set_down(true);
    let detail = public_get(&app, "/readyz")
        .await
        .problem(StatusCode::SERVICE_UNAVAILABLE);
    assert!(detail.contains("database"), "{detail}");
    assert_eq!(public_get(&app, "/healthz").await.status, StatusCode::OK);
    store.set_down(false);
    assert_eq!(public_get(&app, "/readyz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn middleware_errors_are_problems() {
    let limits = Limits {
        body_limit: 1024,
        request_timeout: Duration::from_millis(200),
    };
    let (app, store) = test_app(ORIGIN, &limits, None).await;

    // Unknown route, wrong method.
    let detail = public_get(&app, "/nothing-here")
        .await
        .problem(StatusCode::NOT_FOUND);
    assert!(detail.contains("/nothing-here"), "{detail}");
    let response = app
        .send(Method::POST, "/healthz", None, None, None, &[])
        .await;
    let detail = response.problem(StatusCode::METHOD_NOT_ALLOWED);
    assert!(detail.contains("POST"), "{detail}");
    assert!(
        header(&response, header::ALLOW).contains("GET"),
        "{:?}",
        response.headers
    );

    // A body over the limit, announced by Content-Length.
    let big = json!({ "name": "x".repeat(2000) }).to_string().into_bytes();
    let length = big.len().to_string();
    let response = app
        .send(
            Method::POST,
            "/api/v1/issuers",
            Some(&app.admin),
            Some("application/json"),
            Some(big),
            &[("content-length", &length)],
        )
        .await;
    let detail = response.problem(StatusCode::PAYLOAD_TOO_LARGE);
    assert!(detail.contains("1024"), "{detail}");

    // A request slower than the timeout.
    store.set_ping_delay(Duration::from_secs(1));
    let detail = public_get(&app, "/readyz")
        .await
        .problem(StatusCode::SERVICE_UNAVAILABLE);
    assert!(detail.contains("longer than"), "{detail}");
}

#[tokio::test]
async fn request_ids_are_echoed_or_made() {
    let app = TestApp::new().await;
    let made = public_get(&app, "/healthz").await;
    let id = header(&made, middleware::REQUEST_ID.clone()).to_string();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let echoed = app
        .send(
            Method::GET,
            "/healthz",
            None,
            None,
            None,
            &[("x-request-id", "abc-123")],
        )
        .await;
    assert_eq!(header(&echoed, middleware::REQUEST_ID.clone()), "abc-123");
    let replaced = app
        .send(
            Method::GET,
            "/healthz",
            None,
            None,
            None,
            &[("x-request-id", "a b\"c")],
        )
        .await;
    assert_ne!(header(&replaced, middleware::REQUEST_ID.clone()), "a b\"c");
    // Errors carry it too.
    let missing = public_get(&app, "/nowhere").await;
    assert!(missing.headers.contains_key("x-request-id"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_finishes_a_request_in_flight() {
    let mut server = LiveServer::start().await;
    server.store.set_ping_delay(Duration::from_millis(600));
    let url = server.url("/readyz");
    let client = reqwest::Client::new();
    let before = server.store.pings_started();
    let in_flight = tokio::spawn(async move { client.get(url).send().await });
    // Wait until the request is inside the handler, then ask the server to stop.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while server.store.pings_started() == before {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the request never arrived"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.begin_shutdown();
    let response = in_flight
        .await
        .unwrap()
        .expect("the request in flight is answered");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "ready");
    let health = server.url("/healthz");
    server.stop().await.unwrap();
    // Stopped: new connections are refused.
    assert!(reqwest::get(health).await.is_err());
}

/// A body announced larger than the limit is refused from its headers, before it is read. The
/// client here sends only the headers and part of the body, then reads the answer: a client
/// that insists on writing all 4 MiB may find the connection closed under it, which is the
/// point of refusing early.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_over_a_socket_is_a_413_problem() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let server = LiveServer::start().await;
    let url = server.url("/api/v1/issuers");
    let address = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .expect("address")
        .to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/v1/issuers HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        server.app.admin,
        laurel_server::middleware::DEFAULT_BODY_LIMIT + 1
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&[b' '; 1024]).await.unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(
        response
            .to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{response}"
    );
    let body = response.split_once("\r\n\r\n").expect("body").1;
    let problem: Value = serde_json::from_str(body).expect("problem json");
    assert_eq!(problem["status"], 413);
    server.stop().await.unwrap();
}
