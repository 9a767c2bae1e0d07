//! The console's HTML: one layout, and the pages of this release.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::session::Staff;
use crate::ApiError;
use crate::pages::assets;
use crate::pages::html::esc;

/// The policy of every console page: the binary's own stylesheet and script, forms posting
/// only here, no framing.
pub const CONSOLE_CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; \
     img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// A whole page: navigation for who is signed in (if anyone), then `body`.
pub fn page(title: &str, staff: Option<&Staff>, body: &str) -> String {
    let nav = match staff {
        Some(staff) => {
            let audit = if staff.is_admin() {
                r#"<li><a href="/console/users">Accounts</a></li><li><a href="/console/tokens">API tokens</a></li><li><a href="/console/audit">Audit log</a></li>"#
            } else {
                ""
            };
            format!(
                r#"<nav aria-label="Console"><ul class="plain inline">
<li><a href="/console">Dashboard</a></li><li><a href="/console/issuers">Issuers</a></li><li><a href="/console/achievements">Badges</a></li><li><a href="/console/events">Sessions</a></li><li><a href="/console/awards">Awards</a></li>{audit}<li><a href="/console/password">Password</a></li>
</ul>
<form method="post" action="/console/sign-out" class="inline">
<input type="hidden" name="csrf" value="{csrf}">
<span>Signed in as <strong>{name}</strong> ({role})</span>
<button type="submit">Sign out</button>
</form></nav>"#,
                csrf = esc(&staff.session.csrf_token),
                name = esc(&staff.user.username),
                role = staff.user.role.as_str(),
            )
        }
        None => String::new(),
    };
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title} · Laurel console</title>
<link rel="stylesheet" href="{css}">
<script src="{js}" defer></script>
</head>
<body>
<header class="site"><strong>Laurel console</strong>
{nav}</header>
<main>
<h1>{title}</h1>
{body}
</main>
</body>
</html>
"#,
        title = esc(title),
        css = esc(&assets::css_url()),
        js = esc(&assets::js_url()),
    )
}

/// An HTML response that is never cached or framed.
pub fn respond(status: StatusCode, html: String) -> Response {
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONSOLE_CSP),
    );
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    response
}

/// An error as a console page.
pub fn error(error: &ApiError) -> Response {
    let detail = match error {
        ApiError::Internal(_) => "Something went wrong on our side; it has been logged.".into(),
        other => other.to_string(),
    };
    respond(
        error.status(),
        page(
            "Something went wrong",
            None,
            &format!("<p role=\"alert\">{}</p>", esc(&detail)),
        ),
    )
}

/// The sign-in form, with what was typed and an error if the last try failed.
pub fn sign_in(csrf: &str, username: &str, error: Option<&str>) -> String {
    let error = error
        .map(|e| {
            format!(
                r#"<p class="error" id="sign-in-error" role="alert">{}</p>"#,
                esc(e)
            )
        })
        .unwrap_or_default();
    let described = if error.is_empty() {
        ""
    } else {
        r#" aria-describedby="sign-in-error""#
    };
    page(
        "Sign in",
        None,
        &format!(
            r#"{error}<form method="post" action="/console/sign-in">
<input type="hidden" name="csrf" value="{csrf}">
<p><label for="username">Username</label><br>
<input id="username" name="username" autocomplete="username" required value="{username}"{described}></p>
<p><label for="password">Password</label><br>
<input id="password" name="password" type="password" autocomplete="current-password" required{described}></p>
<p><button type="submit">Sign in</button></p>
</form>"#,
            csrf = esc(csrf),
            username = esc(username),
        ),
    )
}

/// A mistake in a form field: its name and what to say.
pub type FieldError = (&'static str, String);

/// For the field `name`: the message to show beside it and the attributes tying it to the
/// input (`aria-invalid`, `aria-describedby`), when `error` is about it; else empty.
pub fn field_error(error: Option<&FieldError>, name: &str) -> (String, String) {
    match error {
        Some((field, message)) if *field == name => (
            format!(
                r#" <span class="error" id="{name}-error">{}</span>"#,
                esc(message)
            ),
            format!(r#" aria-invalid="true" aria-describedby="{name}-error""#),
        ),
        _ => (String::new(), String::new()),
    }
}

/// A status line at the top of a page ("Saved.").
pub fn notice(text: Option<&str>) -> String {
    text.map(|n| format!(r#"<p class="notice warn" role="status">{}</p>"#, esc(n)))
        .unwrap_or_default()
}

/// A 403 page saying why.
pub fn not_allowed(staff: &Staff, why: &str) -> Response {
    respond(
        StatusCode::FORBIDDEN,
        page(
            "Not allowed",
            Some(staff),
            &format!("<p role=\"alert\">{}</p>", esc(why)),
        ),
    )
}

/// A CSV download that is never cached.
pub fn csv(body: String, file_name: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
