//! The verify page: anyone checks a credential they were given, in the browser.
//!
//! `GET /verify` is a form. Pasting JSON or a VC-JWT works without any script: the form posts
//! to `POST /verify`, which answers with the same page and the result. Choosing a file (JSON,
//! JWT, baked PNG or SVG) is enhanced by the site's script, which sends the file's bytes to
//! `POST /api/v1/verify` and shows the steps. Either way the check is
//! [`crate::api::verify::check`], the credential is never stored, and the answer is never
//! cached.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use serde::Deserialize;

use super::credential::verification_section;
use super::html::esc;
use super::layout;
use crate::public::cache::{Cache, Document};
use crate::{ApiResult, AppState};

/// The verify page's policy: like every page's, but the form may post here and the script may
/// call the verify API.
const VERIFY_CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; \
     img-src 'self' https: data:; connect-src 'self'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// `GET /verify`: the form.
pub async fn form(State(state): State<AppState>) -> Response {
    respond(page(&state, "", None))
}

/// The form's fields.
#[derive(Debug, Deserialize)]
pub struct Pasted {
    #[serde(default)]
    credential: String,
}

/// `POST /verify`: the form again, with the result of checking what was pasted.
pub async fn check(
    State(state): State<AppState>,
    Form(input): Form<Pasted>,
) -> ApiResult<Response> {
    let pasted = input.credential.trim();
    let result = if pasted.is_empty() {
        "<p id=\"verdict\" data-verdict=\"could-not-check\" role=\"status\">Paste a credential \
         (its JSON, or a VC-JWT) or choose a file first.</p>"
            .to_string()
    } else {
        let report = crate::api::verify::check(&state, pasted.as_bytes().to_vec()).await?;
        verification_section(&report, state.clock.now())
    };
    Ok(respond(page(&state, pasted, Some(&result))))
}

fn page(state: &AppState, pasted: &str, result: Option<&str>) -> String {
    let head = layout::Head {
        title: "Verify an Open Badge".into(),
        description:
            "Check an Open Badges 3.0 credential: its signature, its status and its dates.".into(),
        url: format!("{}/verify", state.urls.origin()),
        ..Default::default()
    };
    let body = format!(
        r#"<h1>Verify an Open Badge</h1>
<p>Check a credential someone shared with you: that its issuer signed it, that it was not
changed, revoked or suspended, and that it is in force. What you check is not kept.</p>
<form id="verify-form" method="post" action="/verify">
<p><label for="verify-file">A credential file (JSON, JWT, or a badge image: PNG or SVG)</label><br>
<input type="file" id="verify-file" name="file" accept=".json,.jwt,.txt,.png,.svg,application/json,image/png,image/svg+xml"></p>
<p><label for="verify-text">Or paste the credential (its JSON, or a VC-JWT)</label><br>
<textarea id="verify-text" name="credential" rows="8" spellcheck="false">{pasted}</textarea></p>
<p><button type="submit">Verify</button></p>
</form>
<div id="verify-result" aria-live="polite">
{result}</div>
"#,
        pasted = esc(pasted),
        result = result.unwrap_or(""),
    );
    layout::page(&head, &body, None)
}

fn respond(html: String) -> Response {
    Document::new(html, "text/html; charset=utf-8", Cache::NoStore)
        .with(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(VERIFY_CSP),
        )
        .with(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        )
        .respond(&HeaderMap::new())
}
