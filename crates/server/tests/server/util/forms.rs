//! Console forms in tests: encoding a form body, reading a cookie the answer set, the CSRF
//! token a page's form carries, and signing in.

#![allow(dead_code)]

use axum::http::{Method, StatusCode, header};

use crate::util::{TestApp, TestResponse};

/// `application/x-www-form-urlencoded` body of these pairs.
pub fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".into(),
                other => format!("%{other:02X}"),
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

/// Every `Set-Cookie` of the answer.
pub fn cookies(response: &TestResponse) -> Vec<String> {
    response
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_string)
        .collect()
}

/// The value the answer set for cookie `name` (not a deletion).
pub fn cookie_value(response: &TestResponse, name: &str) -> Option<String> {
    cookies(response).into_iter().find_map(|c| {
        let (key, value) = c.split(';').next()?.split_once('=')?;
        (key == name && !value.is_empty()).then(|| value.to_string())
    })
}

/// The CSRF token of the page's (first) form.
pub fn hidden_csrf(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[start..start + html[start..].find('"').expect("closing quote")].to_string()
}

/// Signs `username` in through the sign-in form (its CSRF cookie and token); the session
/// cookie header, `laurel_session=…`.
pub async fn session_cookie(app: &TestApp, username: &str, password: &str) -> String {
    let page = app
        .send(Method::GET, "/console/sign-in", None, None, None, &[])
        .await;
    let cookie = format!(
        "laurel_sign_in={}",
        cookie_value(&page, "laurel_sign_in").expect("a sign-in cookie")
    );
    let response = app
        .send(
            Method::POST,
            "/console/sign-in",
            None,
            Some("application/x-www-form-urlencoded"),
            Some(form(&[
                ("csrf", &hidden_csrf(&page.text())),
                ("username", username),
                ("password", password),
            ])),
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "{}",
        response.text()
    );
    format!(
        "laurel_session={}",
        cookie_value(&response, "laurel_session").expect("a session cookie")
    )
}

/// `GET path` as the signed-in staff member whose session cookie header is `cookie`.
pub async fn get_as(app: &TestApp, path: &str, cookie: &str) -> TestResponse {
    app.send(Method::GET, path, None, None, None, &[("cookie", cookie)])
        .await
}

/// A form posted as the signed-in staff member whose session cookie header is `cookie`.
pub async fn post_as(
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

/// Where a redirect after a post goes (and that it is one: 303 See Other).
pub fn see_other(response: &TestResponse) -> String {
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "{}",
        response.text()
    );
    response.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string()
}
