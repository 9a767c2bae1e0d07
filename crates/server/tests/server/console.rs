//! The staff console: signing in and out, CSRF, lock-out, roles, the audit log, the dashboard.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::util;
use crate::util::forms;
use crate::util::forms::get_as as get;

use std::sync::Arc;

use axum::http::{Method, StatusCode, header};
use forms::{cookie_value, cookies, form, hidden_csrf};
use laurel_server::console;
use laurel_service::Clock;
use laurel_store::Role;
use serde_json::json;
use util::{TestApp, TestResponse, now};

const PASSWORD: &str = "correct horse battery staple";

async fn add_user(app: &TestApp, name: &str, role: Role) {
    let user = console::new_user(name, PASSWORD, role, Vec::new(), now()).unwrap();
    app.state.store.create_user(&user).await.unwrap();
}

/// The sign-in form, then a POST of it: the response.
async fn try_sign_in(app: &TestApp, username: &str, password: &str) -> TestResponse {
    let page = app
        .send(Method::GET, "/console/sign-in", None, None, None, &[])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = hidden_csrf(&page.text());
    let cookie = format!(
        "laurel_sign_in={}",
        cookie_value(&page, "laurel_sign_in").unwrap()
    );
    app.send(
        Method::POST,
        "/console/sign-in",
        None,
        Some("application/x-www-form-urlencoded"),
        Some(form(&[
            ("csrf", &csrf),
            ("username", username),
            ("password", password),
        ])),
        &[("cookie", &cookie)],
    )
    .await
}

/// Signs in; the session cookie header to send.
async fn signed_in(app: &TestApp, username: &str) -> String {
    let response = try_sign_in(app, username, PASSWORD).await;
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "{}",
        response.text()
    );
    format!(
        "laurel_session={}",
        cookie_value(&response, "laurel_session").unwrap()
    )
}

#[tokio::test]
async fn pages_need_a_session() {
    let app = TestApp::new().await;
    let id = "0190a8c4-5f6e-7b8a-9c0d-1e2f3a4b5c6d";
    let mut walked = 0;
    for route in console::ROUTES {
        if route.path == "/console/sign-in" {
            continue;
        }
        let path = route.path.replace("{id}", id).replace("{action}", "revoke");
        let (content_type, body) = if route.method == Method::POST {
            (
                Some("application/x-www-form-urlencoded"),
                Some(b"csrf=x".to_vec()),
            )
        } else {
            (None, None)
        };
        let response = app
            .send(route.method.clone(), &path, None, content_type, body, &[])
            .await;
        assert_eq!(
            response.status,
            StatusCode::SEE_OTHER,
            "{} {path}",
            route.method
        );
        assert_eq!(response.headers[header::LOCATION], "/console/sign-in");
        walked += 1;
    }
    assert_eq!(
        walked,
        console::ROUTES.len() - 2,
        "every route but signing in"
    );
    let forged = get(&app, "/console", "laurel_session=made-up").await;
    assert_eq!(forged.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn signing_in_sets_a_safe_cookie_and_shows_the_dashboard() {
    let app = TestApp::new().await;
    add_user(&app, "ada", Role::Admin).await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let awarded = app
        .award(
            &achievement,
            json!({ "email": "zoe@example.org", "name": "Zoë <b>" }),
        )
        .await;
    assert_eq!(awarded.status, StatusCode::CREATED);

    let response = try_sign_in(&app, "  Ada ", PASSWORD).await;
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "{}",
        response.text()
    );
    assert_eq!(response.headers[header::LOCATION], "/console");
    let session = cookies(&response)
        .into_iter()
        .find(|c| c.starts_with("laurel_session="))
        .unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/console"] {
        assert!(session.contains(attribute), "{session}");
    }
    let cookie = session.split(';').next().unwrap().to_string();
    let dashboard = get(&app, "/console", &cookie).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert_eq!(dashboard.headers[header::CACHE_CONTROL], "no-store");
    let html = dashboard.text();
    assert!(
        html.contains("Signed in as <strong>ada</strong> (admin)"),
        "{html}"
    );
    // Escaped (as a named or a numeric character reference), never markup.
    assert!(
        html.contains("Zoë &lt;b&gt;") || html.contains("Zoë &#60;b&#62;"),
        "escaped: {html}"
    );
    assert!(!html.contains("Zoë <b>"), "escaped: {html}");
    assert!(html.contains("zoe@example.org"));
    assert!(html.contains("<td>Catalogage avancé</td><td class=\"number\">1</td>"));
    assert!(html.contains(&format!(
        "<td>{}</td><td class=\"number\">1</td>",
        now().format("%Y-%m")
    )));
    assert!(html.contains("0 notification emails failed."));
    assert!(html.contains("No import is in progress."));
    // The public URL every badge links to; an https one on a public name needs no warning.
    assert!(
        html.contains(r#"<a id="public-url" href="https://badges.example.org">"#),
        "{html}"
    );
    assert!(!html.contains("plain http"), "{html}");
}

/// A clock tests can move.
struct MovableClock(std::sync::Mutex<chrono::DateTime<chrono::Utc>>);

impl Clock for MovableClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        *self.0.lock().unwrap()
    }
}

impl MovableClock {
    fn advance(&self, seconds: i64) {
        *self.0.lock().unwrap() += chrono::Duration::seconds(seconds);
    }
}

/// A refused sign-in's status and page, with what differs by nature (the fresh CSRF token,
/// the username typed) blanked out: what tells one refusal from another, if anything.
fn shape(response: &TestResponse, username: &str) -> (StatusCode, String) {
    let text = response.text();
    let csrf = hidden_csrf(&text);
    let text = text
        .replace(&csrf, "CSRF")
        .replace(&format!("value=\"{username}\""), "value=\"NAME\"");
    (response.status, text)
}

#[tokio::test]
async fn refused_sign_ins_all_look_alike_and_waits_grow() {
    let clock = Arc::new(MovableClock(std::sync::Mutex::new(now())));
    let app = TestApp::builder().clock(clock.clone()).build().await;
    add_user(&app, "ada", Role::Admin).await;
    add_user(&app, "dis", Role::Admin).await;
    let dis = app.state.store.user_by_name("dis").await.unwrap().unwrap();
    app.state
        .store
        .set_user_disabled(dis.id, Some(now()))
        .await
        .unwrap();
    let stored = || async { app.state.store.user_by_name("ada").await.unwrap().unwrap() };

    let wrong = try_sign_in(&app, "ada", "wrong password!!").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.text().contains("Wrong username or password."));
    assert!(
        wrong.text().contains("value=\"ada\""),
        "the username is kept"
    );
    assert!(cookie_value(&wrong, "laurel_session").is_none());
    let refused = shape(&wrong, "ada");
    let unknown = try_sign_in(&app, "nobody", PASSWORD).await;
    assert_eq!(shape(&unknown, "nobody"), refused, "unknown username");
    let disabled = try_sign_in(&app, "dis", PASSWORD).await;
    assert_eq!(shape(&disabled, "dis"), refused, "disabled account");
    for _ in 0..4 {
        let again = try_sign_in(&app, "ada", "wrong password!!").await;
        assert_eq!(shape(&again, "ada"), refused);
    }
    // Five failures are free; the fifth makes the next attempt wait a second (and the clock's
    // second: it counts whole seconds).
    let ada = stored().await;
    assert_eq!(ada.failed_sign_ins, 5);
    assert_eq!(ada.locked_until, Some(now() + chrono::Duration::seconds(2)));
    // The right password while the wait runs: the same answer, and nothing counted.
    let waiting = try_sign_in(&app, "ada", PASSWORD).await;
    assert_eq!(shape(&waiting, "ada"), refused, "the account must wait");
    assert!(cookie_value(&waiting, "laurel_session").is_none());
    assert_eq!(stored().await, ada);
    // Then one attempt is checked; failing, it makes the next wait two seconds.
    clock.advance(2);
    let wrong = try_sign_in(&app, "ada", "wrong password!!").await;
    assert_eq!(shape(&wrong, "ada"), refused);
    let ada = stored().await;
    assert_eq!(ada.failed_sign_ins, 6);
    assert_eq!(ada.locked_until, Some(now() + chrono::Duration::seconds(5)));
    clock.advance(2);
    let early = try_sign_in(&app, "ada", PASSWORD).await;
    assert_eq!(shape(&early, "ada"), refused, "still waiting");
    clock.advance(1);
    let right = try_sign_in(&app, "ada", PASSWORD).await;
    assert_eq!(right.status, StatusCode::SEE_OTHER, "{}", right.text());
    let ada = stored().await;
    assert_eq!((ada.failed_sign_ins, ada.locked_until), (0, None));
    // Every refusal is in the audit log with its real reason.
    let (entries, _) = app.state.store.list_audit(100, 0).await.unwrap();
    let reasons: Vec<String> = entries
        .iter()
        .filter(|e| e.action == "sign_in_failed")
        .map(|e| {
            serde_json::from_str::<serde_json::Value>(&e.detail).unwrap()["reason"].to_string()
        })
        .collect();
    for reason in [
        "unknown username",
        "disabled account",
        "wrong password",
        "the account must wait",
    ] {
        assert!(
            reasons.iter().any(|r| r.contains(reason)),
            "{reason}: {reasons:?}"
        );
    }
}

/// A sign-in sent from `peer`, with extra headers.
/// Not a header: asks [`try_sign_in_from`] to send the request as `--trust-forwarded-for`
/// would.
const TRUST_FORWARDED_FOR: &str = "trust-forwarded-for";

async fn try_sign_in_from(
    app: &TestApp,
    peer: &str,
    headers: &[(&str, &str)],
    username: &str,
    password: &str,
) -> TestResponse {
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;
    let page = app
        .send(Method::GET, "/console/sign-in", None, None, None, &[])
        .await;
    let csrf = hidden_csrf(&page.text());
    let cookie = format!(
        "laurel_sign_in={}",
        cookie_value(&page, "laurel_sign_in").unwrap()
    );
    let peer: std::net::SocketAddr = peer.parse().unwrap();
    let mut request = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/console/sign-in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .extension(axum::extract::ConnectInfo(peer));
    for (name, value) in headers {
        if *name == TRUST_FORWARDED_FOR {
            // What `laurel serve --trust-forwarded-for` adds to every request.
            request = request.extension(laurel_server::console::sign_in::TrustForwardedFor);
        } else {
            request = request.header(*name, *value);
        }
    }
    let request = request
        .body(axum::body::Body::from(form(&[
            ("csrf", &csrf),
            ("username", username),
            ("password", password),
        ])))
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    TestResponse {
        status,
        headers,
        body,
    }
}

#[tokio::test]
async fn one_address_guessing_many_accounts_must_wait() {
    let app = TestApp::new().await;
    add_user(&app, "ada", Role::Admin).await;
    let guesser = "203.0.113.5:40000";
    for n in 0..laurel_server::console::throttle::ADDRESS_FREE {
        let guess = try_sign_in_from(&app, guesser, &[], &format!("guess{n}"), PASSWORD).await;
        assert_eq!(guess.status, StatusCode::UNAUTHORIZED);
    }
    let refused = try_sign_in_from(&app, guesser, &[], "ada", PASSWORD).await;
    assert_eq!(
        shape(&refused, "ada"),
        shape(&try_sign_in(&app, "nobody", PASSWORD).await, "nobody"),
        "the same answer as any refusal"
    );
    let ada = app.state.store.user_by_name("ada").await.unwrap().unwrap();
    assert_eq!(ada.failed_sign_ins, 0, "the account was not even tried");
    // Behind a proxy on this host, the address it forwards for counts, when the service is
    // told to trust it; never by default (a proxy passing the client's header through would
    // let a guesser pick a new address each time).
    let proxied = try_sign_in_from(
        &app,
        "127.0.0.1:50000",
        &[
            ("x-forwarded-for", "203.0.113.5"),
            (TRUST_FORWARDED_FOR, ""),
        ],
        "ada",
        PASSWORD,
    )
    .await;
    assert_eq!(proxied.status, StatusCode::UNAUTHORIZED);
    let claimed = try_sign_in_from(
        &app,
        "127.0.0.1:50001",
        &[("x-forwarded-for", "198.51.100.99")],
        "nobody",
        PASSWORD,
    )
    .await;
    let untrusted = try_sign_in_from(
        &app,
        "127.0.0.1:50002",
        &[("x-forwarded-for", "203.0.113.5")],
        "ada",
        PASSWORD,
    )
    .await;
    assert_eq!(claimed.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        untrusted.status,
        StatusCode::SEE_OTHER,
        "the header alone changes nothing: the peer counts"
    );
    // Other addresses are not held up.
    let elsewhere = try_sign_in_from(&app, "198.51.100.7:40000", &[], "ada", PASSWORD).await;
    assert_eq!(
        elsewhere.status,
        StatusCode::SEE_OTHER,
        "{}",
        elsewhere.text()
    );
}

#[tokio::test]
async fn staff_change_their_password_and_their_other_sessions_end() {
    let app = TestApp::new().await;
    add_user(&app, "ada", Role::Admin).await;
    let here = signed_in(&app, "ada").await;
    let there = signed_in(&app, "ada").await;
    let page = get(&app, "/console/password", &here).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("autocomplete=\"current-password\""));
    assert!(
        html.contains("href=\"/console/password\""),
        "in the navigation"
    );
    let csrf = hidden_csrf(&html);
    let change = |current: &'static str, new: &'static str, again: &'static str| {
        let (app, here, csrf) = (&app, here.clone(), csrf.clone());
        async move {
            post_form(
                app,
                "/console/password",
                &here,
                &[
                    ("csrf", &csrf),
                    ("current", current),
                    ("new", new),
                    ("again", again),
                ],
            )
            .await
        }
    };
    let new = "a much better passphrase";
    for (current, typed, again, field, says) in [
        (
            "not my password!",
            new,
            new,
            "current",
            "not your current password",
        ),
        (PASSWORD, "short", "short", "new", "at least 12 characters"),
        (
            PASSWORD,
            "zzzzzzzzzzzzzzzz",
            "zzzzzzzzzzzzzzzz",
            "new",
            "one character repeated",
        ),
        (PASSWORD, new, "a much better passphrasE", "again", "differ"),
    ] {
        let refused = change(current, typed, again).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{field}");
        let html = refused.text();
        assert!(html.contains(&format!("id=\"{field}-error\"")), "{html}");
        assert!(html.contains(says), "{says}: {html}");
        assert!(!html.contains(PASSWORD), "passwords are never echoed");
    }
    let forged = post_form(
        &app,
        "/console/password",
        &here,
        &[
            ("csrf", "x"),
            ("current", PASSWORD),
            ("new", new),
            ("again", new),
        ],
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        get(&app, "/console", &there).await.status,
        StatusCode::OK,
        "nothing changed yet"
    );
    let changed = change(PASSWORD, new, new).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    assert!(changed.text().contains("Your password was changed."));
    assert_eq!(get(&app, "/console", &here).await.status, StatusCode::OK);
    assert_eq!(
        get(&app, "/console", &there).await.status,
        StatusCode::SEE_OTHER,
        "the other session ended"
    );
    assert_eq!(
        try_sign_in(&app, "ada", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        try_sign_in(&app, "ada", new).await.status,
        StatusCode::SEE_OTHER
    );
    let audit = get(&app, "/console/audit", &here).await.text();
    assert!(audit.contains("user.password"), "{audit}");
}

#[tokio::test]
async fn forms_without_their_csrf_token_change_nothing() {
    let app = TestApp::new().await;
    add_user(&app, "ada", Role::Admin).await;
    // Sign-in posted without the form's cookie (as from another site).
    let forged = app
        .send(
            Method::POST,
            "/console/sign-in",
            None,
            Some("application/x-www-form-urlencoded"),
            Some(form(&[
                ("csrf", "x"),
                ("username", "ada"),
                ("password", PASSWORD),
            ])),
            &[],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(cookie_value(&forged, "laurel_session").is_none());

    let cookie = signed_in(&app, "ada").await;
    let sign_out = |csrf: String| {
        let cookie = cookie.clone();
        let app = &app;
        async move {
            app.send(
                Method::POST,
                "/console/sign-out",
                None,
                Some("application/x-www-form-urlencoded"),
                Some(form(&[("csrf", &csrf)])),
                &[("cookie", &cookie)],
            )
            .await
        }
    };
    let refused = sign_out("not-the-token".into()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(get(&app, "/console", &cookie).await.status, StatusCode::OK);
    let csrf = hidden_csrf(&get(&app, "/console", &cookie).await.text());
    let done = sign_out(csrf).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        get(&app, "/console", &cookie).await.status,
        StatusCode::SEE_OTHER,
        "the session ended"
    );
}

#[tokio::test]
async fn only_administrators_read_the_audit_log() {
    let app = TestApp::new().await;
    add_user(&app, "ada", Role::Admin).await;
    add_user(&app, "val", Role::Viewer).await;
    try_sign_in(&app, "ada", "wrong password!!").await;
    let viewer = signed_in(&app, "val").await;
    let refused = get(&app, "/console/audit", &viewer).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        !get(&app, "/console", &viewer)
            .await
            .text()
            .contains("Audit log</a>")
    );

    let admin = signed_in(&app, "ada").await;
    let page = get(&app, "/console/audit", &admin).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("3 entries"), "{html}");
    for line in [
        "<td>ada</td><td>sign_in_failed</td>",
        "<td>val</td><td>sign_in</td>",
        "<td>ada</td><td>sign_in</td>",
    ] {
        assert!(html.contains(line), "{line}: {html}");
    }
}

#[tokio::test]
async fn administrators_create_list_and_revoke_api_tokens() {
    let app = TestApp::new().await;
    add_user(&app, "ada", Role::Admin).await;
    add_user(&app, "val", Role::Viewer).await;
    let viewer = signed_in(&app, "val").await;
    assert_eq!(
        get(&app, "/console/tokens", &viewer).await.status,
        StatusCode::FORBIDDEN
    );
    let admin = signed_in(&app, "ada").await;
    let page = get(&app, "/console/tokens", &admin).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = hidden_csrf(&page.text());
    let post = |path: &'static str, fields: Vec<(&'static str, String)>| {
        let admin = admin.clone();
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.send(
                Method::POST,
                path,
                None,
                Some("application/x-www-form-urlencoded"),
                Some(form(&pairs)),
                &[("cookie", &admin)],
            )
            .await
        }
    };
    // A bad name is shown next to the field, what was typed kept, nothing stored.
    let tokens_before = app.state.store.list_tokens().await.unwrap().len();
    let bad = post(
        "/console/tokens",
        vec![
            ("csrf", csrf.clone()),
            ("name", "   ".into()),
            ("scope", "read".into()),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("aria-describedby=\"token-error\""));
    let forged = post(
        "/console/tokens",
        vec![
            ("csrf", "nope".into()),
            ("name", "lms".into()),
            ("scope", "read".into()),
        ],
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.state.store.list_tokens().await.unwrap().len(),
        tokens_before
    );

    let created = post(
        "/console/tokens",
        vec![
            ("csrf", csrf.clone()),
            ("name", "lms-sync".into()),
            ("scope", "issue".into()),
        ],
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let html = created.text();
    let start = html.find("<code id=\"new-token\">").unwrap() + 21;
    let secret = html[start..start + html[start..].find('<').unwrap()].to_string();
    assert!(secret.starts_with("laurel_"));
    // The token works on the API, once shown; the list never shows it again.
    let api = app
        .call(Method::GET, "/api/v1/awards", Some(&secret), None)
        .await;
    assert_eq!(api.status, StatusCode::OK);
    let listed = get(&app, "/console/tokens", &admin).await.text();
    assert!(listed.contains("lms-sync") && !listed.contains(&secret));

    let id = app
        .state
        .store
        .list_tokens()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "lms-sync")
        .unwrap()
        .id
        .to_string();
    let revoked = post("/console/tokens/revoke", vec![("csrf", csrf), ("id", id)]).await;
    assert_eq!(revoked.status, StatusCode::OK);
    let api = app
        .call(Method::GET, "/api/v1/awards", Some(&secret), None)
        .await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    let audit = get(&app, "/console/audit", &admin).await.text();
    assert!(audit.contains("token.create") && audit.contains("token.revoke"));
}

async fn post_form(
    app: &TestApp,
    path: &str,
    cookie: &str,
    pairs: &[(&str, &str)],
) -> TestResponse {
    app.send(
        Method::POST,
        path,
        None,
        Some("application/x-www-form-urlencoded"),
        Some(form(pairs)),
        &[("cookie", cookie)],
    )
    .await
}

#[tokio::test]
async fn staff_find_revoke_and_export_awards() {
    let app = TestApp::new().await;
    add_user(&app, "ada", Role::Admin).await;
    add_user(&app, "val", Role::Viewer).await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let mut ids = Vec::new();
    for (email, name) in [
        ("zoe@example.org", "Zoë Åberg"),
        ("grace@example.org", "=HYPERLINK(\"http://evil\")"),
        ("ada@example.org", "Ada, Countess"),
    ] {
        let response = app
            .award(
                &achievement,
                json!({ "email": email, "name": name, "credits_earned": 1.5 }),
            )
            .await;
        ids.push(util::id(&response.json()));
    }
    let admin = signed_in(&app, "ada").await;
    let found = get(&app, "/console/awards?q=GRACE", &admin).await;
    assert_eq!(found.status, StatusCode::OK);
    let html = found.text();
    assert!(html.contains("1 award found."), "{html}");
    assert!(html.contains("grace@example.org") && !html.contains("zoe@example.org"));
    assert!(html.contains("value=\"GRACE\""), "the search is kept");

    // A bad date is shown beside its field.
    let bad = get(&app, "/console/awards?from=March", &admin).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("id=\"from-error\""));

    // Viewers read but may not act; forms need the CSRF token and a reason.
    let viewer = signed_in(&app, "val").await;
    let viewer_page = get(&app, "/console/awards", &viewer).await.text();
    assert!(!viewer_page.contains("/revoke"), "no actions for viewers");
    let viewer_csrf = hidden_csrf(&viewer_page);
    let path = format!("/console/awards/{}/revoke", ids[0]);
    let refused = post_form(
        &app,
        &path,
        &viewer,
        &[("csrf", &viewer_csrf), ("reason", "x")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let csrf = hidden_csrf(&get(&app, "/console", &admin).await.text());
    let forged = post_form(&app, &path, &admin, &[("csrf", "nope"), ("reason", "x")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let no_reason = post_form(&app, &path, &admin, &[("csrf", &csrf), ("reason", " ")]).await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    let award = app
        .state
        .store
        .award(ids[0].parse().unwrap())
        .await
        .unwrap();
    assert!(
        award.revoked_at.is_none(),
        "nothing changed on a refused form"
    );

    let revoked = post_form(
        &app,
        &path,
        &admin,
        &[("csrf", &csrf), ("reason", "issued in error")],
    )
    .await;
    // Post/redirect/get: the table comes back with a notice.
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.text());
    let location = revoked.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let after = get(&app, &location, &admin).await.text();
    assert!(
        after.contains("Revoked the award of “Catalogage avancé” to zoe@example.org."),
        "{after}"
    );
    let award = app
        .state
        .store
        .award(ids[0].parse().unwrap())
        .await
        .unwrap();
    assert_eq!(award.revocation_reason.as_deref(), Some("issued in error"));
    let audit = get(&app, "/console/audit", &admin).await.text();
    assert!(audit.contains("award.revoke"), "{audit}");
    // The email cannot be resent while the issuer has no email settings: said plainly.
    let resend = post_form(
        &app,
        &format!("/console/awards/{}/notify", ids[1]),
        &admin,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(resend.status, StatusCode::CONFLICT);
    assert!(resend.text().contains("no email settings"));

    // The CSV export: every award found, every field quoted, formulas neutralised.
    let csv = get(&app, "/console/awards.csv", &admin).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.content_type().starts_with("text/csv"));
    let text = csv.text();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("\u{feff}\"Name\",\"Email\",\"Badge\",\"Awarded\""));
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://evil\"\")\",\"grace@example.org\""),
        "{text}"
    );
    assert!(
        text.contains("\"Ada, Countess\",\"ada@example.org\",\"Catalogage avancé\","),
        "{text}"
    );
    assert!(
        text.contains(",\"1.5\",\"revoked\",") && text.contains(",\"1.5\",\"active\","),
        "{text}"
    );
    assert!(
        text.contains(
            "\"Zoë Åberg\",\"zoe@example.org\",\"Catalogage avancé\",\"2026-03-01\",\"\",\"1.5\",\"revoked\",\"2026-03-01\",\"issued in error\","
        ),
        "{text}"
    );
}

#[tokio::test]
async fn staff_award_by_hand_and_mistakes_are_shown_beside_the_field() {
    let app = TestApp::new().await;
    add_user(&app, "ada", Role::Admin).await;
    add_user(&app, "val", Role::Viewer).await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let badge = util::id(&achievement);
    let viewer = signed_in(&app, "val").await;
    assert!(
        !get(&app, "/console/awards", &viewer)
            .await
            .text()
            .contains("award-form")
    );

    let admin = signed_in(&app, "ada").await;
    let csrf = hidden_csrf(&get(&app, "/console", &admin).await.text());
    let bad = post_form(
        &app,
        "/console/awards/new",
        &admin,
        &[
            ("csrf", &csrf),
            ("achievement", &badge),
            ("email", "not-an-email"),
            ("name", "Zoë"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let html = bad.text();
    assert!(html.contains("id=\"new-email-error\""), "{html}");
    assert!(
        html.contains("value=\"not-an-email\"") && html.contains("value=\"Zoë\""),
        "kept"
    );
    let (_, total) = app
        .state
        .store
        .list_awards(&laurel_store::AwardFilter::default())
        .await
        .unwrap();
    assert_eq!(total, 0, "nothing stored");

    let made = post_form(
        &app,
        "/console/awards/new",
        &admin,
        &[
            ("csrf", &csrf),
            ("achievement", &badge),
            ("email", "Zoe@Example.org"),
            ("name", "Zoë"),
        ],
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    let location = made.headers[header::LOCATION].to_str().unwrap().to_string();
    assert!(
        get(&app, &location, &admin)
            .await
            .text()
            .contains("Awarded “Catalogage avancé” to zoe@example.org.")
    );
    let again = post_form(
        &app,
        "/console/awards/new",
        &admin,
        &[
            ("csrf", &csrf),
            ("achievement", &badge),
            ("email", "zoe@example.org"),
        ],
    )
    .await;
    let location = again.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let again = get(&app, &location, &admin).await;
    assert!(again.text().contains("already has"), "{}", again.text());
    let (awards, total) = app
        .state
        .store
        .list_awards(&laurel_store::AwardFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(awards[0].recipient_name.as_deref(), Some("Zoë"));
    assert!(
        get(&app, "/console/audit", &admin)
            .await
            .text()
            .contains("award.create")
    );
}

#[tokio::test]
async fn administrators_create_and_edit_issuers_and_rotate_their_keys() {
    let app = TestApp::new().await;
    add_user(&app, "ada", Role::Admin).await;
    add_user(&app, "val", Role::Viewer).await;
    let admin = signed_in(&app, "ada").await;
    let csrf = hidden_csrf(&get(&app, "/console", &admin).await.text());

    let bad = post_form(
        &app,
        "/console/issuers",
        &admin,
        &[
            ("csrf", &csrf),
            ("name", "Library Association"),
            ("url", "ftp://nope"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let html = bad.text();
    assert!(html.contains("id=\"url-error\""), "{html}");
    assert!(
        html.contains("value=\"Library Association\""),
        "what was typed is kept"
    );
    assert!(app.state.store.list_issuers().await.unwrap().is_empty());

    let made = post_form(
        &app,
        "/console/issuers",
        &admin,
        &[
            ("csrf", &csrf),
            ("name", "Library Association"),
            ("url", "https://library.example.org"),
            ("show_award_count", "yes"),
        ],
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    let page_path = made.headers[header::LOCATION].to_str().unwrap().to_string();
    let issuer = app.state.store.list_issuers().await.unwrap().pop().unwrap();
    assert_eq!(page_path, format!("/console/issuers/{}", issuer.id));
    let page = get(&app, &page_path, &admin).await.text();
    assert_eq!(
        page.matches("class=\"key-state\">in use").count(),
        2,
        "two keys in use: {page}"
    );

    let colour = post_form(
        &app,
        &page_path,
        &admin,
        &[
            ("csrf", &csrf),
            ("name", "Library Association"),
            ("brand_color", "red"),
        ],
    )
    .await;
    assert_eq!(colour.status, StatusCode::BAD_REQUEST);
    assert!(colour.text().contains("id=\"brand_color-error\""));
    assert_eq!(
        app.state.store.issuer(issuer.id).await.unwrap().brand_color,
        None
    );
    let saved = post_form(
        &app,
        &page_path,
        &admin,
        &[
            ("csrf", &csrf),
            ("name", "Library Association"),
            ("brand_color", "#1A5F7A"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "post/redirect/get");
    let shown = saved.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(shown, format!("{page_path}?saved=1"));
    let again = get(&app, &shown, &admin).await;
    assert!(again.text().contains("Saved."), "{}", again.text());
    let stored = app.state.store.issuer(issuer.id).await.unwrap();
    assert_eq!(stored.brand_color.as_deref(), Some("#1a5f7a"));
    assert!(!stored.show_award_count, "an unticked box is false");

    let rotated = post_form(
        &app,
        &format!("{page_path}/rotate-keys"),
        &admin,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(rotated.status, StatusCode::OK);
    let html = rotated.text();
    assert_eq!(html.matches("class=\"key-state\">in use").count(), 2);
    assert_eq!(
        html.matches("class=\"key-state\">retired ").count(),
        2,
        "{html}"
    );

    let viewer = signed_in(&app, "val").await;
    let viewer_page = get(&app, &page_path, &viewer).await.text();
    assert!(!viewer_page.contains("rotate-keys"));
    let viewer_csrf = hidden_csrf(&viewer_page);
    let refused = post_form(
        &app,
        &format!("{page_path}/rotate-keys"),
        &viewer,
        &[("csrf", &viewer_csrf)],
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let audit = get(&app, "/console/audit", &admin).await.text();
    for action in ["issuer.create", "issuer.update", "issuer.rotate_keys"] {
        assert!(audit.contains(action), "{action}");
    }
}

#[tokio::test]
async fn badges_are_previewed_before_they_are_saved() {
    let app = TestApp::new().await;
    add_user(&app, "ada", Role::Admin).await;
    let issuer = app.issuer(json!({})).await;
    let other = app.issuer(json!({ "name": "Other Association" })).await;
    let manager = console::new_user(
        "mia",
        PASSWORD,
        Role::Manager,
        vec![util::id(&other).parse().unwrap()],
        now(),
    )
    .unwrap();
    app.state.store.create_user(&manager).await.unwrap();
    let admin = signed_in(&app, "ada").await;
    let csrf = hidden_csrf(&get(&app, "/console/achievements", &admin).await.text());
    let issuer_id = util::id(&issuer);
    let fields = |extra: &[(&'static str, &'static str)]| {
        let mut all: Vec<(&str, String)> = vec![
            ("csrf", csrf.clone()),
            ("issuer", issuer_id.clone()),
            ("name", "Cataloguing webinar".into()),
            ("description", "Attended the cataloguing webinar.".into()),
            ("criteria_narrative", "Attend the whole webinar.".into()),
            ("achievement_type", "CertificateOfCompletion".into()),
            ("tags", "cataloguing, RDA".into()),
            ("credits_available", "1.5".into()),
            ("valid_for_days", "730".into()),
        ];
        for (k, v) in extra {
            all.retain(|(key, _)| key != k);
            all.push((k, v.to_string()));
        }
        all
    };
    let send = |pairs: Vec<(&'static str, String)>, cookie: String, path: String| {
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(app, &path, &cookie, &pairs).await
        }
    };
    let preview = send(
        fields(&[("action", "preview")]),
        admin.clone(),
        "/console/achievements".into(),
    )
    .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    let html = preview.text();
    assert!(html.contains("id=\"credential-preview\""), "{html}");
    assert!(html.contains("OpenBadgeCredential") && html.contains("validUntil"));
    assert!(
        app.state
            .store
            .list_achievements(None)
            .await
            .unwrap()
            .is_empty(),
        "a preview saves nothing"
    );

    let bad = send(
        fields(&[("credits_available", "lots")]),
        admin.clone(),
        "/console/achievements".into(),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("id=\"credits_available-error\""));
    let no_criteria = send(
        fields(&[("criteria_narrative", "")]),
        admin.clone(),
        "/console/achievements".into(),
    )
    .await;
    assert_eq!(no_criteria.status, StatusCode::BAD_REQUEST);
    assert!(no_criteria.text().contains("Say what earns the badge here"));
    assert!(
        app.state
            .store
            .list_achievements(None)
            .await
            .unwrap()
            .is_empty()
    );

    let saved = send(
        fields(&[("action", "save")]),
        admin.clone(),
        "/console/achievements".into(),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let path = saved.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let stored = app
        .state
        .store
        .list_achievements(None)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(stored.tags, ["cataloguing", "RDA"]);
    assert_eq!(
        (stored.credits_available, stored.valid_for_days),
        (Some(1.5), Some(730))
    );

    // A manager of another issuer neither sees it nor changes it.
    let mia = signed_in(&app, "mia").await;
    assert_eq!(get(&app, &path, &mia).await.status, StatusCode::FORBIDDEN);
    let list = get(&app, "/console/achievements", &mia).await.text();
    assert!(!list.contains("Cataloguing webinar</a>"), "{list}");
    let mia_csrf = hidden_csrf(&get(&app, "/console", &mia).await.text());
    let mut theirs = fields(&[("name", "Renamed")]);
    theirs.retain(|(k, _)| *k != "csrf");
    theirs.push(("csrf", mia_csrf));
    let refused = send(theirs, mia.clone(), path.clone()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.state.store.achievement(stored.id).await.unwrap().name,
        "Cataloguing webinar"
    );

    let renamed = send(
        fields(&[("name", "Cataloguing webinar (2026)"), ("action", "save")]),
        admin.clone(),
        path,
    )
    .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.state.store.achievement(stored.id).await.unwrap().name,
        "Cataloguing webinar (2026)"
    );
}

#[tokio::test]
async fn administrators_make_accounts_and_mistakes_are_shown_beside_the_field() {
    let app = TestApp::new().await;
    add_user(&app, "ada", Role::Admin).await;
    add_user(&app, "val", Role::Viewer).await;
    let issuer = app.issuer(json!({})).await;
    let viewer = signed_in(&app, "val").await;
    assert_eq!(
        get(&app, "/console/users", &viewer).await.status,
        StatusCode::FORBIDDEN
    );
    let admin = signed_in(&app, "ada").await;
    let csrf = hidden_csrf(&get(&app, "/console/users", &admin).await.text());
    let short = post_form(
        &app,
        "/console/users",
        &admin,
        &[
            ("csrf", &csrf),
            ("username", "mia"),
            ("password", "short"),
            ("role", "viewer"),
        ],
    )
    .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(short.text().contains("id=\"password-error\""));
    assert!(short.text().contains("value=\"mia\""), "kept");
    let manager_without = post_form(
        &app,
        "/console/users",
        &admin,
        &[
            ("csrf", &csrf),
            ("username", "mia"),
            ("password", PASSWORD),
            ("role", "manager"),
        ],
    )
    .await;
    assert!(manager_without.text().contains("id=\"issuers-error\""));
    assert!(
        app.state.store.user_by_name("mia").await.unwrap().is_none(),
        "nothing stored"
    );
    let made = post_form(
        &app,
        "/console/users",
        &admin,
        &[
            ("csrf", &csrf),
            ("username", "Mia"),
            ("password", PASSWORD),
            ("role", "manager"),
            ("issuers", &util::id(&issuer)),
        ],
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    let mia = app.state.store.user_by_name("mia").await.unwrap().unwrap();
    assert_eq!(mia.role, Role::Manager);
    assert_eq!(
        mia.issuer_ids,
        [util::id(&issuer).parse::<uuid::Uuid>().unwrap()]
    );
    let taken = post_form(
        &app,
        "/console/users",
        &admin,
        &[
            ("csrf", &csrf),
            ("username", "mia"),
            ("password", PASSWORD),
            ("role", "viewer"),
        ],
    )
    .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    // The new account signs in; disabled, its session ends and it cannot sign in again.
    let mia_session = signed_in(&app, "mia").await;
    let page = get(&app, "/console/users", &admin).await.text();
    assert_eq!(page.matches("value=\"Disable\"").count(), 0);
    assert_eq!(
        page.matches(">Disable</button>").count(),
        2,
        "every account but one's own"
    );
    let toggled = post_form(
        &app,
        "/console/users/toggle",
        &admin,
        &[("csrf", &csrf), ("id", &mia.id.to_string())],
    )
    .await;
    assert_eq!(toggled.status, StatusCode::OK);
    assert!(toggled.text().contains("Disabled “mia”."));
    assert_eq!(
        get(&app, "/console", &mia_session).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        try_sign_in(&app, "mia", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    post_form(
        &app,
        "/console/users/toggle",
        &admin,
        &[("csrf", &csrf), ("id", &mia.id.to_string())],
    )
    .await;
    signed_in(&app, "mia").await;
    let ada = app.state.store.user_by_name("ada").await.unwrap().unwrap();
    let own = post_form(
        &app,
        "/console/users/toggle",
        &admin,
        &[("csrf", &csrf), ("id", &ada.id.to_string())],
    )
    .await;
    assert_eq!(own.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_session_report_is_reviewed_then_imported_and_awarded() {
    let app = TestApp::new().await;
    add_user(&app, "ada", Role::Admin).await;
    let issuer = app.issuer(json!({})).await;
    let admin = signed_in(&app, "ada").await;
    let csrf = hidden_csrf(&get(&app, "/console/events", &admin).await.text());
    let issuer_id = util::id(&issuer);

    let bad = post_form(
        &app,
        "/console/events",
        &admin,
        &[
            ("csrf", &csrf),
            ("issuer", &issuer_id),
            ("title", "Cataloguing webinar"),
            ("starts_at", "tomorrow"),
            ("duration_minutes", "60"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("id=\"starts_at-error\""));
    assert!(bad.text().contains("value=\"Cataloguing webinar\""));
    let made = post_form(
        &app,
        "/console/events",
        &admin,
        &[
            ("csrf", &csrf),
            ("issuer", &issuer_id),
            ("title", "Cataloguing webinar"),
            ("starts_at", "2026-02-20 14:00"),
            ("duration_minutes", "60"),
            ("format", "online"),
        ],
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    let event_path = made.headers[header::LOCATION].to_str().unwrap().to_string();
    let event_id = event_path.rsplit('/').next().unwrap().to_string();
    app.achievement(
        &issuer,
        json!({ "award_rules": [{ "kind": "participation", "session": event_id, "min_minutes": 30 }] }),
    )
    .await;

    let report =
        "email,name,minutes\nada@example.org,Ada,55\nbob@example.org,Bob,10\nnot-an-email,X,40\n";
    let import_path = format!("{event_path}/import");
    let review = post_form(
        &app,
        &import_path,
        &admin,
        &[
            ("csrf", &csrf),
            ("action", "review"),
            ("report", report),
            ("file_name", "webinar.csv"),
        ],
    )
    .await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.text());
    let html = review.text();
    assert!(html.contains("id=\"import-review\""), "{html}");
    assert!(html.contains("<strong>1 rejected</strong>"), "{html}");
    assert!(
        html.contains(
            "1 would be awarded (<a href=\"/console/recipients?email=ada%40example.org\">ada@example.org</a>)"
        ),
        "{html}"
    );
    assert!(html.contains("id=\"confirm-import\""));
    assert!(
        app.state
            .store
            .attendance_of(&[event_id.parse().unwrap()])
            .await
            .unwrap()
            .is_empty(),
        "a review records nothing"
    );

    let unreadable = post_form(
        &app,
        &import_path,
        &admin,
        &[
            ("csrf", &csrf),
            ("action", "review"),
            ("report", "just some words"),
        ],
    )
    .await;
    assert_eq!(unreadable.status, StatusCode::BAD_REQUEST);
    assert!(unreadable.text().contains("id=\"report-error\""));

    let confirmed = post_form(
        &app,
        &import_path,
        &admin,
        &[
            ("csrf", &csrf),
            ("action", "confirm"),
            ("report", report),
            ("file_name", "webinar.csv"),
        ],
    )
    .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.text()
    );
    let job_path = confirmed.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    app.state.jobs.idle().await;
    let job = get(&app, &job_path, &admin).await;
    let html = job.text();
    assert!(html.contains("data-status=\"succeeded\""), "{html}");
    assert!(html.contains("1 awarded now"), "{html}");
    let csv = get(&app, &format!("{job_path}/result.csv"), &admin).await;
    assert!(csv.content_type().starts_with("text/csv"));
    let text = csv.text();
    assert!(
        text.starts_with(
            "line,outcome,email,minutes,reason\r\n\"2\",\"recorded\",\"ada@example.org\",\"55\","
        ),
        "{text}"
    );
    assert!(
        text.contains("\"4\",\"rejected\",\"not-an-email\","),
        "{text}"
    );
    assert_eq!(
        app.state
            .store
            .attendance_of(&[event_id.parse().unwrap()])
            .await
            .unwrap()
            .len(),
        2
    );
    let (_, awarded) = app
        .state
        .store
        .list_awards(&laurel_store::AwardFilter::default())
        .await
        .unwrap();
    assert_eq!(awarded, 1);
}

#[tokio::test]
async fn images_are_uploaded_with_the_csrf_token_and_checked() {
    let app = TestApp::new().await;
    add_user(&app, "ada", Role::Admin).await;
    add_user(&app, "val", Role::Viewer).await;
    let issuer = app.issuer(json!({})).await;
    let achievement = app.achievement(&issuer, json!({})).await;
    let admin = signed_in(&app, "ada").await;
    let page_path = format!("/console/achievements/{}", util::id(&achievement));
    let page = get(&app, &page_path, &admin).await.text();
    assert!(
        page.contains("data-upload=\"/console/achievements/"),
        "{page}"
    );
    let csrf = hidden_csrf(&page);
    let png = include_bytes!("../../../service/src/images/medal.png").to_vec();
    let upload = |token: String, cookie: String, content_type: &'static str, body: Vec<u8>| {
        let app = &app;
        let path = format!("{page_path}/image");
        async move {
            app.send(
                Method::POST,
                &path,
                None,
                Some(content_type),
                Some(body),
                &[("cookie", &cookie), ("x-csrf-token", &token)],
            )
            .await
        }
    };
    let forged = upload("nope".into(), admin.clone(), "image/png", png.clone()).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let wrong = upload(csrf.clone(), admin.clone(), "image/gif", png.clone()).await;
    assert_eq!(
        wrong.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        wrong.text()
    );
    let texted = upload(
        csrf.clone(),
        admin.clone(),
        "image/svg+xml",
        br#"<svg xmlns="http://www.w3.org/2000/svg"><text>Hi</text></svg>"#.to_vec(),
    )
    .await;
    assert_eq!(texted.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        texted.text().contains("convert the text to paths"),
        "{}",
        texted.text()
    );
    let stored = app
        .state
        .store
        .achievement(util::id(&achievement).parse().unwrap())
        .await
        .unwrap();
    assert_eq!(stored.image, None, "nothing stored from a refused upload");

    let viewer = signed_in(&app, "val").await;
    let viewer_csrf = hidden_csrf(&get(&app, "/console", &viewer).await.text());
    let refused = upload(viewer_csrf, viewer, "image/png", png.clone()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let saved = upload(csrf, admin.clone(), "image/png", png).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    let stored = app
        .state
        .store
        .achievement(util::id(&achievement).parse().unwrap())
        .await
        .unwrap();
    assert!(stored.image.is_some());
    assert!(
        get(&app, &page_path, &admin)
            .await
            .text()
            .contains("alt=\"The current image\"")
    );
}

#[tokio::test]
async fn managers_see_only_their_issuers() {
    let app = TestApp::new().await;
    let ours = app.issuer(json!({ "name": "Our Association" })).await;
    let theirs = app.issuer(json!({ "name": "Their Association" })).await;
    let our_badge = app.achievement(&ours, json!({ "name": "Our badge" })).await;
    let their_badge = app
        .achievement(&theirs, json!({ "name": "Their badge" }))
        .await;
    app.award(&our_badge, json!({ "email": "ours@example.org" }))
        .await;
    app.award(&their_badge, json!({ "email": "theirs@example.org" }))
        .await;
    let manager = console::new_user(
        "mia",
        PASSWORD,
        Role::Manager,
        vec![util::id(&ours).parse().unwrap()],
        now(),
    )
    .unwrap();
    app.state.store.create_user(&manager).await.unwrap();
    let mia = signed_in(&app, "mia").await;
    for path in [
        "/console",
        "/console/awards",
        "/console/awards.csv",
        "/console/issuers",
        "/console/achievements",
    ] {
        let text = get(&app, path, &mia).await.text();
        assert!(
            !text.contains("theirs@example.org")
                && !text.contains("Their badge")
                && !text.contains("Their Association"),
            "{path}: {text}"
        );
    }
    assert!(
        get(&app, "/console/awards", &mia)
            .await
            .text()
            .contains("ours@example.org")
    );
    assert_eq!(
        get(
            &app,
            &format!("/console/issuers/{}", util::id(&theirs)),
            &mia
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}
