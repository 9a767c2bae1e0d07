//! Hardening seen from outside: security headers on every kind of response, metric labels a
//! client cannot multiply, uploaded SVGs rebuilt from an allow-list, and the peer address
//! reaching handlers through the connection-bounded server. (Connection timeouts and the
//! connection cap are timing checks: `tests/hardening/connections.sh` drives a real server.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::util;
use crate::util::hosting;

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::{Method, StatusCode, header};
use laurel_server::connections::ConnectionLimits;
use laurel_server::console;
use laurel_server::middleware::Limits;
use laurel_server::telemetry;
use laurel_store::Role;
use serde_json::json;
use util::{TestApp, TestResponse, id, now};

const PASSWORD: &str = "correct horse battery staple";

fn header<'a>(response: &'a TestResponse, name: &header::HeaderName) -> Option<&'a str> {
    response
        .headers
        .get(name)
        .map(|value| value.to_str().unwrap())
}

/// A signed-in administrator's session cookie.
async fn admin_session(app: &TestApp) -> String {
    let user = console::new_user("ada", PASSWORD, Role::Admin, Vec::new(), now()).unwrap();
    app.state.store.create_user(&user).await.unwrap();
    let page = app
        .send(Method::GET, "/console/sign-in", None, None, None, &[])
        .await;
    let html = page.text();
    let start = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    let csrf = &html[start..start + html[start..].find('"').unwrap()];
    let cookie = cookie_of(&page, "laurel_sign_in");
    let body = format!(
        "csrf={csrf}&username=ada&password={}",
        PASSWORD.replace(' ', "+")
    );
    let signed = app
        .send(
            Method::POST,
            "/console/sign-in",
            None,
            Some("application/x-www-form-urlencoded"),
            Some(body.into_bytes()),
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.text());
    cookie_of(&signed, "laurel_session")
}

fn cookie_of(response: &TestResponse, name: &str) -> String {
    response
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok()?.split(';').next().map(str::to_owned))
        .find(|pair| pair.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie in {:?}", response.headers))
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    // The test app's public URL is https://badges.example.org.
    let app = TestApp::new().await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    app.award(&achievement, json!({ "email": "a@example.org" }))
        .await;
    let session = admin_session(&app).await;
    let html = [("accept", "text/html")];
    let cookie = [("cookie", session.as_str())];
    let issuer_page = format!("/issuers/{}", id(&issuer));
    // What, method, path, request headers, status, content type.
    type Case<'a> = (
        &'a str,
        Method,
        String,
        &'a [(&'a str, &'a str)],
        StatusCode,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            "health",
            Method::GET,
            "/healthz".into(),
            &[],
            StatusCode::OK,
            "text/plain",
        ),
        (
            "public page",
            Method::GET,
            issuer_page.clone(),
            &html,
            StatusCode::OK,
            "text/html",
        ),
        (
            "public document",
            Method::GET,
            issuer_page,
            &[],
            StatusCode::OK,
            "application/ld+json",
        ),
        (
            "API problem",
            Method::GET,
            "/api/v1/issuers".into(),
            &[],
            StatusCode::UNAUTHORIZED,
            "application/problem+json",
        ),
        (
            "404",
            Method::GET,
            "/no/such/page".into(),
            &[],
            StatusCode::NOT_FOUND,
            "application/problem+json",
        ),
        (
            "405",
            Method::DELETE,
            "/healthz".into(),
            &[],
            StatusCode::METHOD_NOT_ALLOWED,
            "application/problem+json",
        ),
        (
            "console page",
            Method::GET,
            "/console".into(),
            &cookie,
            StatusCode::OK,
            "text/html",
        ),
        (
            "console sign-in",
            Method::GET,
            "/console/sign-in".into(),
            &[],
            StatusCode::OK,
            "text/html",
        ),
        (
            "CSV download",
            Method::GET,
            "/console/awards.csv".into(),
            &cookie,
            StatusCode::OK,
            "text/csv",
        ),
        (
            "metrics",
            Method::GET,
            "/metrics".into(),
            &[],
            StatusCode::NOT_FOUND,
            "application/problem+json",
        ),
    ];
    for (what, method, path, headers, status, content_type) in cases {
        let response = app.send(method, &path, None, None, None, headers).await;
        assert_eq!(response.status, status, "{what}: {}", response.text());
        assert!(
            response.content_type().starts_with(content_type),
            "{what}: {}",
            response.content_type()
        );
        assert_eq!(
            header(&response, &header::X_CONTENT_TYPE_OPTIONS),
            Some("nosniff"),
            "{what}"
        );
        assert_eq!(
            header(&response, &header::REFERRER_POLICY),
            Some("no-referrer"),
            "{what}"
        );
        assert_eq!(
            header(&response, &header::STRICT_TRANSPORT_SECURITY),
            Some("max-age=31536000"),
            "{what}"
        );
    }

    // /metrics on its own listener (--metrics-listen) has them too.
    let recorder = telemetry::metrics_recorder().build_recorder();
    let metrics = TestApp {
        router: telemetry::metrics_router(recorder.handle()),
        ..TestApp::new().await
    };
    let response = metrics
        .send(Method::GET, "/metrics", None, None, None, &[])
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(response.content_type().starts_with("text/plain"));
    assert_eq!(
        header(&response, &header::X_CONTENT_TYPE_OPTIONS),
        Some("nosniff")
    );
    let other = metrics
        .send(Method::GET, "/healthz", None, None, None, &[])
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn strict_transport_security_only_when_the_public_url_is_https() {
    let (app, _) = hosting::test_app("http://127.0.0.1:8080", &Limits::default(), None).await;
    let response = app
        .send(Method::GET, "/healthz", None, None, None, &[])
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(header(&response, &header::STRICT_TRANSPORT_SECURITY), None);
    assert_eq!(
        header(&response, &header::X_CONTENT_TYPE_OPTIONS),
        Some("nosniff")
    );
}

/// The number of `laurel_http_requests_total` series in `/metrics` not labelled with one of
/// the standard methods (other tests in this binary add those at the same time).
async fn series(app: &TestApp) -> (usize, String) {
    let text = app
        .send(Method::GET, "/metrics", None, None, None, &[])
        .await
        .text();
    let count = text
        .lines()
        .filter(|line| {
            line.starts_with("laurel_http_requests_total{")
                && !["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
                    .iter()
                    .any(|method| line.contains(&format!("method=\"{method}\"")))
        })
        .count();
    (count, text)
}

#[tokio::test]
async fn made_up_methods_and_paths_do_not_grow_the_metrics() {
    // The test binary's one recorder (the recorder is process-wide).
    let handle = hosting::metrics_handle();
    let (app, _) =
        hosting::test_app("http://127.0.0.1:8080", &Limits::default(), Some(handle)).await;
    let send_bogus = |n: usize| {
        let method = Method::from_bytes(format!("BREW{n}").as_bytes()).unwrap();
        let path = format!("/teapot/{n}/{}", "x".repeat(n % 300));
        let app = &app;
        async move { app.send(method, &path, None, None, None, &[]).await.status }
    };
    for n in 0..20 {
        assert_eq!(send_bogus(n).await, StatusCode::NOT_FOUND);
        let method = Method::from_bytes(format!("BREW{n}").as_bytes()).unwrap();
        app.send(method, "/healthz", None, None, None, &[]).await;
    }
    let (before, _) = series(&app).await;
    for n in 20..500 {
        assert_eq!(send_bogus(n).await, StatusCode::NOT_FOUND);
        let method = Method::from_bytes(format!("BREW{n}").as_bytes()).unwrap();
        app.send(method, "/healthz", None, None, None, &[]).await;
    }
    let (after, text) = series(&app).await;
    assert!(before >= 1, "{text}");
    assert_eq!(before, after, "{before} series grew to {after}:\n{text}");
    assert!(!text.contains("BREW"), "{text}");
    assert!(!text.contains("teapot"), "{text}");
    assert!(
        text.contains(
            r#"laurel_http_requests_total{method="other",route="unmatched",status="404"} 500"#
        ),
        "{text}"
    );
}

/// `PUT`s an image for a new achievement; the response.
async fn upload(app: &TestApp, content_type: &str, body: &str) -> TestResponse {
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    app.send(
        Method::PUT,
        &format!("/api/v1/achievements/{}/image", id(&achievement)),
        Some(&app.admin),
        Some(content_type),
        Some(body.as_bytes().to_vec()),
        &[],
    )
    .await
}

#[tokio::test]
async fn uploaded_svgs_are_stored_rebuilt_from_the_allow_list() {
    let app = TestApp::new().await;
    let hostile = r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="urn:evil" viewBox="0 0 10 10">
        <script>alert(document.cookie)</script>
        <style>@import url(https://evil.example/a.css); .c { fill: #336699 }</style>
        <circle class="c" cx="5" cy="5" r="4" onclick="alert(1)"/>
        <a href="javascript:alert(1)"><rect width="2" height="2" fill="url(javascript:alert(1))"/></a>
        <foreignObject><body xmlns="http://www.w3.org/1999/xhtml">hi</body></foreignObject>
        <x:payload x:on="1"/>
    </svg>"##;
    let response = upload(&app, "image/svg+xml", hostile).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let url = response.json()["image"].as_str().unwrap().to_string();
    let path = url.strip_prefix(util::ORIGIN).unwrap();
    let served = app.send(Method::GET, path, None, None, None, &[]).await;
    assert_eq!(served.status, StatusCode::OK);
    let stored = served.text();
    assert!(
        stored.contains("<path") && stored.contains("#336699"),
        "{stored}"
    );
    for gone in [
        "script",
        "alert",
        "cookie",
        "@import",
        "evil",
        "onclick",
        "javascript",
        "foreignObject",
        "body",
        "payload",
        "<style",
        "<a ",
    ] {
        assert!(!stored.contains(gone), "{gone} kept in {stored}");
    }
    // The stored file is named by the hash of what is stored.
    let digest = {
        use sha2::Digest as _;
        hex::encode(sha2::Sha256::digest(stored.as_bytes()))
    };
    assert!(path.contains(&digest), "{path} is not named by {digest}");

    for (svg, expected) in [
        (
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><text x="1" y="8">Hi</text></svg>"#,
            "convert the text to paths",
        ),
        (
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><image href="data:image/png;base64,iVBORw0KGgo=" width="5" height="5"/></svg>"#,
            "(<image>)",
        ),
        (
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><use href="/etc/passwd#x"/></svg>"#,
            "another file or address",
        ),
        (
            r#"<!DOCTYPE svg [<!ENTITY lol "lol">]><svg xmlns="http://www.w3.org/2000/svg"/>"#,
            "DOCTYPE",
        ),
    ] {
        let detail = upload(&app, "image/svg+xml", svg)
            .await
            .problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(detail.contains(expected), "{svg}: {detail}");
    }
}

#[tokio::test]
async fn handlers_get_the_peer_address_from_the_bounded_server() {
    let app = axum::Router::new().route(
        "/peer",
        axum::routing::get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move {
            peer.ip().to_string()
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(laurel_server::serve::serve_with(
        listener,
        app,
        ConnectionLimits::default(),
        async move {
            let _ = stopped.await;
        },
    ));
    let body = reqwest::get(format!("http://{address}/peer"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body, "127.0.0.1");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
