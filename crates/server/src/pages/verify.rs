//! The verify page: anyone checks a credential they were given, in the browser.
//!
//! `GET /verify` is a form. Pasting JSON or a VC-JWT works without any script: the form posts
//! to `POST /verify`, which answers with the same page and the result. Choosing a file (JSON,
//! JWT, baked PNG or SVG) is enhanced by the site's script, which puts the file's bytes,
//! base64-encoded, in the form's `file_base64` field and submits it: one renderer
//! ([`super::verdict_text`]) for both. Pasting the address of a credential page of this site
//! checks that stored credential; no other address is fetched. An optional email checks the
//! recipient. Either way the check is [`crate::api::verify::check_with`], the credential is
//! never stored, and the answer is never cached.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use serde::Deserialize;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use laurel_store::StoreError;
use laurel_verify::{Credential, input};
use serde_json::Value;

use askama::Template;

use super::layout::{self, Layout};
use super::views::{BadgeClaim, IssuerText, Technical, VerdictLine};
use crate::cache::{Cache, Representation};
use crate::{AppState, HttpResult};

/// The verify page's policy: like every page's, but the form may post here.
const VERIFY_CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; \
     img-src 'self' https: data:; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// `GET /verify`: the form.
pub async fn form(State(state): State<AppState>) -> HttpResult<Response> {
    Ok(respond(page(&state, String::new(), String::new(), None)?))
}

/// The form's fields.
#[derive(Debug, Default, Deserialize)]
pub struct Pasted {
    /// Pasted text: a credential's JSON, a VC-JWT, or a credential page's address here.
    #[serde(default)]
    credential: String,
    /// A chosen file's bytes, base64-encoded by the page's script.
    #[serde(default)]
    file_base64: String,
    /// The email the credential should have been awarded to (optional).
    #[serde(default)]
    recipient: String,
}

/// `POST /verify`: the form again, with the result of checking what was pasted.
pub async fn check(
    State(state): State<AppState>,
    Form(input): Form<Pasted>,
) -> HttpResult<Response> {
    let pasted = input.credential.trim();
    let recipient = Some(input.recipient.trim().to_string()).filter(|email| !email.is_empty());
    let file = input.file_base64.trim();
    let bytes = if !file.is_empty() {
        // A data: URL's prefix is tolerated; whitespace (line breaks) too.
        let encoded: String = file
            .rsplit_once(";base64,")
            .map_or(file, |(_, data)| data)
            .split_whitespace()
            .collect();
        BASE64.decode(encoded).map_err(|_| {
            "The chosen file could not be read. Choose it again, or paste the credential instead."
        })
    } else if pasted.is_empty() {
        Err(
            "Paste a credential (its link or its text) or choose the badge file you were sent, then press Verify.",
        )
    } else if is_address(pasted) {
        hosted_credential(&state, pasted).await?.ok_or(
            "Paste the credential itself, or the address of a badge hosted on this site. This site does not fetch other addresses.",
        )
    } else {
        Ok(pasted.as_bytes().to_vec())
    };
    let result = match bytes {
        Err(message) => VerifyResult::Unreadable(message),
        Ok(bytes) => {
            let credential = claims(&bytes);
            let asked = recipient.is_some();
            let report = crate::api::verify::check_with(&state, bytes, recipient).await?;
            let now = state.clock.now();
            VerifyResult::Checked(Box::new(Checked {
                verdict: VerdictLine::of(&report),
                recipient_match: super::views::recipient_answer(&report, asked),
                badge: credential
                    .as_ref()
                    .map(|credential| BadgeClaim::of(credential, &report, state.urls.origin())),
                technical: Technical::of(&report, now),
                endorsements: super::endorsements::from_report(&report),
                nested: NestedLine::all(&report),
            }))
        }
    };
    let shown = if file.is_empty() { pasted } else { "" };
    Ok(respond(page(
        &state,
        shown.to_owned(),
        input.recipient,
        Some(result),
    )?))
}

/// Whether pasted text is a web address rather than a credential.
fn is_address(text: &str) -> bool {
    (text.starts_with("https://") || text.starts_with("http://"))
        && !text.contains(char::is_whitespace)
}

/// The stored credential a pasted address names, when it is a credential page of this site
/// (`{origin}/credentials/{id}`, with or without a download extension); `None` for any other
/// address. Nothing is fetched.
async fn hosted_credential(state: &AppState, address: &str) -> HttpResult<Option<Vec<u8>>> {
    let address = address
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('/');
    let address = [".json", ".jwt", ".png", ".svg"]
        .iter()
        .find_map(|extension| address.strip_suffix(extension))
        .unwrap_or(address);
    let Some(id) = crate::api::verify::own_credential(state, address) else {
        return Ok(None);
    };
    match state.store.award(id).await {
        Ok(award) => Ok(Some(award.credential.into_bytes())),
        Err(StoreError::NotFound) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// The credential's JSON as it claims itself, for showing: read as the verifier reads it
/// (a baked image's credential, a VC-JWT's claims).
fn claims(bytes: &[u8]) -> Option<Value> {
    match input::read(bytes).ok()?.1 {
        Credential::Json(value) => Some(value),
        Credential::Jwt(compact) => laurel_core::jwt::decode(&compact)
            .ok()
            .map(|d| d.credential),
    }
    .filter(Value::is_object)
}

/// The verify page (`templates/pages/verify.html`).
#[derive(Template)]
#[template(path = "pages/verify.html")]
struct VerifyPage {
    layout: Layout,
    /// What was pasted, shown again in the text area.
    pasted: String,
    /// The email asked about, shown again.
    recipient: String,
    /// The result, after a check.
    result: Option<VerifyResult>,
}

/// What checking gave.
enum VerifyResult {
    /// Nothing to check: the sentence says what to do.
    Unreadable(&'static str),
    /// A report, in words.
    Checked(Box<Checked>),
}

/// A report in words: the verdict, whether the email matched, the badge, the steps.
struct Checked {
    verdict: VerdictLine,
    recipient_match: Option<&'static str>,
    badge: Option<BadgeClaim>,
    technical: Technical,
    /// The endorsements inside, each verified apart from the badge.
    endorsements: Vec<super::endorsements::EndorsementLine>,
    /// For a CLR (a transcript): each credential in it, with its own verdict.
    nested: Vec<NestedLine>,
}

/// One credential inside a CLR, as its own verification ended.
struct NestedLine {
    /// "Credential 2 of 3: Cataloguing Basics".
    label: String,
    /// "Valid", "Not valid", "Could not be checked".
    verdict: &'static str,
    /// Why, when not valid.
    reason: String,
}

impl NestedLine {
    fn all(report: &laurel_verify::Report) -> Vec<NestedLine> {
        let total = report.nested.len();
        report
            .nested
            .iter()
            .enumerate()
            .map(|(index, nested)| NestedLine {
                label: format!(
                    "Credential {} of {total}{}",
                    index + 1,
                    nested
                        .credential_id
                        .as_deref()
                        .map(|id| format!(" ({id})"))
                        .unwrap_or_default()
                ),
                verdict: match nested.verdict {
                    laurel_verify::Verdict::Valid => "Valid",
                    laurel_verify::Verdict::Invalid => "Not valid",
                    laurel_verify::Verdict::CouldNotCheck => "Could not be checked",
                },
                reason: match (nested.failed_step, nested.reason.as_deref()) {
                    (Some(step), Some(reason)) => format!(
                        "{}: {}",
                        super::verdict_text::step_title(step),
                        super::verdict_text::clean(reason)
                    ),
                    _ => String::new(),
                },
            })
            .collect()
    }
}

fn page(
    state: &AppState,
    pasted: String,
    recipient: String,
    result: Option<VerifyResult>,
) -> HttpResult<String> {
    let head = layout::Head {
        title: "Verify an Open Badge".into(),
        description:
            "Check an Open Badges 3.0 credential: its signature, its status and its dates.".into(),
        url: format!("{}/verify", state.urls.origin()),
        ..Default::default()
    };
    super::render(&VerifyPage {
        layout: Layout::new(head, None),
        pasted,
        recipient,
        result,
    })
}

fn respond(html: String) -> Response {
    Representation::new(html, "text/html; charset=utf-8", Cache::NoStore)
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
