//! The console's layout and the pieces its screens share.
//!
//! Every console screen is an askama template (`templates/console/*.html`) that extends
//! `console/base.html`; its Rust struct holds view data already computed, with a [`Layout`]
//! for the title and navigation. Askama escapes every value by default, so no screen builds
//! markup in Rust. This module also answers with those pages: the headers every console page
//! carries (no caching, no framing, a strict Content-Security-Policy), errors, and CSV files.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};

use super::session::{Rejection, Staff};
use crate::HttpError;
use crate::pages::assets;

/// The policy of every console page: the binary's own stylesheet and script, forms posting
/// only here, no framing.
pub const CONSOLE_CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; \
     img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// What `console/base.html` needs: the page's title, the stylesheet and script, and who is
/// signed in (for the navigation and every form's CSRF token).
#[derive(Debug, Clone)]
pub struct Layout {
    /// The `<title>` and `<h1>`.
    pub title: String,
    /// The stylesheet's URL (content-addressed).
    pub css: String,
    /// The script's URL (content-addressed).
    pub js: String,
    /// The session's CSRF token, for the forms of the page; empty when nobody is signed in.
    pub csrf: String,
    /// The navigation, when someone is signed in.
    pub nav: Option<Nav>,
}

/// The navigation bar of a signed-in member of staff.
#[derive(Debug, Clone)]
pub struct Nav {
    pub username: String,
    pub role: &'static str,
    /// Administrators also see accounts, API tokens and the audit log.
    pub admin: bool,
}

impl Layout {
    /// The layout of a page called `title`, for `staff` if someone is signed in.
    pub fn new(title: impl Into<String>, staff: Option<&Staff>) -> Self {
        Layout {
            title: title.into(),
            css: assets::css_url(),
            js: assets::js_url(),
            csrf: staff
                .map(|s| s.session.csrf_token.clone())
                .unwrap_or_default(),
            nav: staff.map(|staff| Nav {
                username: staff.user.username.clone(),
                role: staff.user.role.as_str(),
                admin: staff.is_admin(),
            }),
        }
    }

    /// The layout of a page with a form that is not signed in yet (sign-in): its own token.
    pub fn with_csrf(title: impl Into<String>, csrf: &str) -> Self {
        Layout {
            csrf: csrf.to_string(),
            ..Layout::new(title, None)
        }
    }
}

/// One `<option>` of a `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: impl ToString, label: impl Into<String>, selected: bool) -> Self {
        Choice {
            value: value.to_string(),
            label: label.into(),
            selected,
        }
    }
}

/// A mistake in a form field: its name and what to say.
pub type FieldError = (&'static str, String);

/// The mistakes of a form shown again (if any), for its template: each message beside its
/// field and the attributes tying it to the input (see `console/macros.html`).
#[derive(Debug, Clone, Default)]
pub struct FieldErrors {
    errors: Vec<FieldError>,
    /// Put before a field's name to make the message's id (`new-` in the award form).
    pub id_prefix: &'static str,
}

impl FieldErrors {
    pub fn new(error: Option<&FieldError>) -> Self {
        FieldErrors {
            errors: error.cloned().into_iter().collect(),
            id_prefix: "",
        }
    }

    /// Every mistake of a form, shown at once (the first about a field is shown beside it).
    pub fn all(errors: &[FieldError]) -> Self {
        FieldErrors {
            errors: errors.to_vec(),
            id_prefix: "",
        }
    }

    /// The same, with message ids `{prefix}{field}-error`.
    pub fn prefixed(error: Option<&FieldError>, id_prefix: &'static str) -> Self {
        FieldErrors {
            id_prefix,
            ..FieldErrors::new(error)
        }
    }

    /// What is wrong with `field`, if a mistake is about it.
    pub fn about(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, message)| message.as_str())
    }

    pub fn is_some(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// A date for people: `1 March 2026` (UTC).
pub fn date(at: DateTime<Utc>) -> String {
    at.format("%-d %B %Y").to_string()
}

pub use laurel_service::links::{query, query_value};

/// An HTML response that is never cached or framed.
pub fn respond_html(status: StatusCode, html: String) -> Response {
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

/// A console page from its template, with `status`; a page that cannot be rendered (a
/// template's value failed to format) is logged and answered with a plain 500.
pub fn respond(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => respond_html(status, html),
        Err(error) => {
            tracing::error!(%error, "a console page could not be rendered");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side; it has been logged.",
            )
                .into_response()
        }
    }
}

/// A page that only says something: an error, or why something is not allowed.
#[derive(Template)]
#[template(path = "console/message.html")]
pub struct MessagePage {
    pub layout: Layout,
    pub message: String,
}

/// An error as a console page.
pub fn error(error: &HttpError) -> Response {
    let detail = match error {
        HttpError::Internal(_) => "Something went wrong on our side; it has been logged.".into(),
        other => other.to_string(),
    };
    respond(
        error.status(),
        &MessagePage {
            layout: Layout::new("Something went wrong", None),
            message: detail,
        },
    )
}

/// A 403 page saying why.
pub fn not_allowed(staff: &Staff, why: &str) -> Response {
    respond(
        StatusCode::FORBIDDEN,
        &MessagePage {
            layout: Layout::new("Not allowed", Some(staff)),
            message: why.to_string(),
        },
    )
}

/// The sign-in form, with what was typed and an error if the last try failed.
#[derive(Template)]
#[template(path = "console/sign_in.html")]
pub struct SignInPage<'a> {
    pub layout: Layout,
    pub username: &'a str,
    pub error: Option<&'a str>,
}

/// The sign-in page with `status`.
pub fn sign_in(status: StatusCode, csrf: &str, username: &str, error: Option<&str>) -> Response {
    respond(
        status,
        &SignInPage {
            layout: Layout::with_csrf("Sign in", csrf),
            username,
            error,
        },
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

/// A console request without a usable session: to the sign-in page, or the error as a page.
/// (Here rather than beside [`Rejection`] so the session module does not depend on the layout.)
impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        match self {
            Rejection::SignIn => Redirect::to("/console/sign-in").into_response(),
            Rejection::Failed(failure) => error(&failure),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_escaped() {
        let page = MessagePage {
            layout: Layout::new("<i>Title</i>", None),
            message: "<script>alert(1)</script> & \"quotes\"".into(),
        };
        let html = page.render().unwrap();
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("<i>Title"), "{html}");
        assert!(!html.contains("\"quotes\""), "{html}");
        assert!(html.contains("<p role=\"alert\">"), "{html}");
        assert!(
            !html.contains("Signed in as"),
            "no navigation without a session"
        );
    }

    #[test]
    fn a_mistake_is_about_its_own_field_only() {
        let error: FieldError = ("title", "Give a title.".into());
        let errors = FieldErrors::new(Some(&error));
        assert_eq!(errors.about("title"), Some("Give a title."));
        assert_eq!(errors.about("starts_at"), None);
        assert!(FieldErrors::new(None).about("title").is_none());
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            query(&[("q", "a b&c".into()), ("offset", "50".into())]),
            "q=a%20b%26c&offset=50"
        );
    }
}
