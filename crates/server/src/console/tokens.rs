//! `/console/tokens`: API tokens for administrators: create (the secret shown once), list,
//! revoke. The same tokens as `laurel token`, with the same choices (issuers, expiry, whether a
//! read-only token sees recipients' emails); only their SHA-256 is kept.
//!
//! The form's issuer checkboxes are named `issuer:<id>`, one name each, because the form
//! decoder reads each name once.

use std::collections::HashMap;

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use laurel_store::{ApiToken, StoreError};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::session::Staff;
use super::{audit_log, pages};
use crate::pages::html::{date, esc};
use crate::{AppState, auth};

/// The longest token name accepted.
const MAX_NAME: usize = 100;

/// `GET /console/tokens`.
pub async fn list(State(state): State<AppState>, staff: Staff) -> Response {
    if let Some(refused) = admin_only(&staff) {
        return refused;
    }
    render(
        &state,
        &staff,
        StatusCode::OK,
        &Asked::from(&NewToken::new()),
        None,
        None,
    )
    .await
}

/// The new-token form's fields, by name (issuer checkboxes are `issuer:<id>`).
pub type NewToken = HashMap<String, String>;

/// What the form asked for, checked.
struct Asked {
    name: String,
    scope: String,
    issuer_ids: Vec<Uuid>,
    expires: String,
    with_emails: bool,
}

impl Asked {
    fn from(form: &NewToken) -> Self {
        let text = |name: &str| {
            form.get(name)
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        let mut issuer_ids: Vec<Uuid> = form
            .keys()
            .filter_map(|key| key.strip_prefix("issuer:"))
            .filter_map(|id| Uuid::parse_str(id).ok())
            .collect();
        issuer_ids.sort();
        Asked {
            name: text("name"),
            scope: text("scope"),
            issuer_ids,
            expires: text("expires"),
            with_emails: form.contains_key("with_emails"),
        }
    }
}

/// `POST /console/tokens`: creates a token and shows its secret, once.
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<NewToken>,
) -> Response {
    if let Some(refused) = admin_only(&staff) {
        return refused;
    }
    if !staff.check_csrf(form.get("csrf").map_or("", String::as_str)) {
        return super::forged();
    }
    let asked = Asked::from(&form);
    let name = asked.name.clone();
    let now = state.clock.now();
    let issuers = match state.store.list_issuers().await {
        Ok(issuers) => issuers,
        Err(error) => return pages::error(&error.into()),
    };
    let mut expires_at = None;
    let problem =
        if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control)
        {
            Some(format!(
                "Give a name of 1 to {MAX_NAME} characters saying who uses the token."
            ))
        } else if !auth::SCOPES.contains(&asked.scope.as_str()) {
            Some("Choose what the token may do.".to_string())
        } else if let Some(unknown) = asked
            .issuer_ids
            .iter()
            .find(|id| !issuers.iter().any(|issuer| issuer.id == **id))
        {
            Some(format!(
                "There is no issuer {unknown}: tick issuers from the list."
            ))
        } else if asked.expires.is_empty() {
            None
        } else {
            match auth::parse_expiry(&asked.expires, now) {
                Ok(at) => {
                    expires_at = Some(at);
                    None
                }
                Err(problem) => Some(format!("Expires: {problem}.")),
            }
        };
    if let Some(problem) = problem {
        return render(
            &state,
            &staff,
            StatusCode::BAD_REQUEST,
            &asked,
            Some(&problem),
            None,
        )
        .await;
    }
    let (secret, hash) = auth::new_token();
    let mut token = ApiToken::new(Uuid::now_v7(), &name, vec![asked.scope.clone()], now);
    token.issuer_ids = asked.issuer_ids.clone();
    token.expires_at = expires_at;
    token.with_emails = asked.with_emails;
    match state.store.create_token(&token, &hash).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            let problem = format!(
                "A token named “{name}” exists already (names stay taken after revoking): choose another."
            );
            return render(
                &state,
                &staff,
                StatusCode::CONFLICT,
                &asked,
                Some(&problem),
                None,
            )
            .await;
        }
        Err(error) => return pages::error(&error.into()),
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "token.create",
        Some(token.id.to_string()),
        json!({
            "name": name,
            "scope": asked.scope,
            "issuer_ids": token.issuer_ids,
            "expires_at": token.expires_at,
            "with_emails": token.with_emails,
        }),
    )
    .await;
    render(
        &state,
        &staff,
        StatusCode::CREATED,
        &Asked::from(&NewToken::new()),
        None,
        Some((&name, &secret)),
    )
    .await
}

/// The revoke form's fields.
#[derive(Debug, Deserialize)]
pub struct Revoke {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
}

/// `POST /console/tokens/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<Revoke>,
) -> Response {
    if let Some(refused) = admin_only(&staff) {
        return refused;
    }
    if !staff.check_csrf(&form.csrf) {
        return super::forged();
    }
    match state.store.revoke_token(&form.id, state.clock.now()).await {
        Ok(token) => {
            audit_log(
                &state,
                Some(&staff.user),
                &staff.user.username,
                "token.revoke",
                Some(token.id.to_string()),
                json!({ "name": token.name }),
            )
            .await;
            render(
                &state,
                &staff,
                StatusCode::OK,
                &Asked::from(&NewToken::new()),
                None,
                None,
            )
            .await
        }
        Err(StoreError::NotFound) => {
            render(
                &state,
                &staff,
                StatusCode::NOT_FOUND,
                &Asked::from(&NewToken::new()),
                Some("There is no such token."),
                None,
            )
            .await
        }
        Err(error) => pages::error(&error.into()),
    }
}

fn admin_only(staff: &Staff) -> Option<Response> {
    (!staff.is_admin()).then(|| {
        pages::respond(
            StatusCode::FORBIDDEN,
            pages::page(
                "Not allowed",
                Some(staff),
                "<p role=\"alert\">Only administrators manage API tokens.</p>",
            ),
        )
    })
}

async fn render(
    state: &AppState,
    staff: &Staff,
    status: StatusCode,
    asked: &Asked,
    problem: Option<&str>,
    created: Option<(&str, &str)>,
) -> Response {
    let tokens = match state.store.list_tokens().await {
        Ok(tokens) => tokens,
        Err(error) => return pages::error(&error.into()),
    };
    let issuers = match state.store.list_issuers().await {
        Ok(issuers) => issuers,
        Err(error) => return pages::error(&error.into()),
    };
    let names: HashMap<Uuid, &str> = issuers.iter().map(|i| (i.id, i.name.as_str())).collect();
    let csrf = esc(&staff.session.csrf_token);
    let shown = created
        .map(|(name, secret)| {
            format!(
                r#"<div class="notice warn" role="status"><p>Token “{}” created. Copy it now: it is shown only this once.</p>
<p><code id="new-token">{}</code></p></div>"#,
                esc(name),
                esc(secret)
            )
        })
        .unwrap_or_default();
    let (error, described) = match problem {
        Some(problem) => (
            format!(r#"<p class="error" id="token-error">{}</p>"#, esc(problem)),
            r#" aria-describedby="token-error" aria-invalid="true""#,
        ),
        None => (String::new(), ""),
    };
    let now = state.clock.now();
    let rows: String = tokens
        .iter()
        .map(|t| {
            let action = if t.revoked_at.is_some() {
                format!("revoked {}", t.revoked_at.map(date).unwrap_or_default())
            } else if t.expires_at.is_some_and(|at| at <= now) {
                "expired".to_string()
            } else {
                format!(
                    r#"<form method="post" action="/console/tokens/revoke" class="inline">
<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="id" value="{}">
<button type="submit">Revoke</button></form>"#,
                    t.id
                )
            };
            let reach = if t.issuer_ids.is_empty() {
                "every issuer".to_string()
            } else {
                t.issuer_ids
                    .iter()
                    .map(|id| names.get(id).map_or_else(|| id.to_string(), |n| (*n).to_string()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let scope = if crate::auth::Bearer(t.clone()).shows_recipients() {
                t.scopes.join(", ")
            } else {
                format!("{} (without recipients' emails)", t.scopes.join(", "))
            };
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{action}</td></tr>\n",
                esc(&t.name),
                esc(&scope),
                esc(&reach),
                date(t.created_at),
                t.expires_at.map_or_else(|| "never".to_string(), date),
                t.last_used_at.map_or_else(|| "never".to_string(), |at| at.format("%Y-%m-%d %H:%M").to_string()),
            )
        })
        .collect();
    let options: String = auth::SCOPES
        .iter()
        .map(|scope| {
            let selected = if *scope == asked.scope {
                " selected"
            } else {
                ""
            };
            format!(r#"<option value="{scope}"{selected}>{scope}</option>"#)
        })
        .collect();
    let boxes: String = issuers
        .iter()
        .map(|issuer| {
            let checked = if asked.issuer_ids.contains(&issuer.id) { " checked" } else { "" };
            format!(
                r#"<label><input type="checkbox" name="issuer:{id}" value="on"{checked}> {name}</label><br>
"#,
                id = issuer.id,
                name = esc(&issuer.name),
            )
        })
        .collect();
    let with_emails = if asked.with_emails { " checked" } else { "" };
    let body = format!(
        r#"{shown}<section aria-labelledby="new"><h2 id="new">New token</h2>
{error}<form method="post" action="/console/tokens">
<input type="hidden" name="csrf" value="{csrf}">
<p><label for="name">Name (who or what uses it)</label><br>
<input id="name" name="name" required maxlength="{MAX_NAME}" value="{name}"{described}></p>
<p><label for="scope">May</label><br>
<select id="scope" name="scope">{options}</select><br>
<small>admin: everything; issue: award, revoke and read; read: read only.</small></p>
<fieldset><legend>Only for these issuers</legend>
<small>Tick issuers to limit the token to them: everything of other issuers is “not found” to it,
and it cannot create issuers. Tick none for a token that reaches every issuer.</small><br>
{boxes}</fieldset>
<p><label for="expires">Expires</label><br>
<input id="expires" name="expires" value="{expires}" placeholder="90d"><br>
<small>After a while (90d, 12h, 2w, 30m) or at a time (2027-01-31T00:00:00Z). Leave empty for a
token that works until revoked.</small></p>
<p><label><input type="checkbox" name="with_emails" value="on"{with_emails}> A read-only token sees
recipients' email addresses and names</label><br>
<small>Unticked, a read token's answers show null instead. Issue and admin tokens always see
them.</small></p>
<p><button type="submit">Create token</button></p>
</form></section>
<section aria-labelledby="all"><h2 id="all">Tokens</h2>
<table><thead><tr><th scope="col">Name</th><th scope="col">Scope</th><th scope="col">Issuers</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used (UTC)</th><th scope="col"></th></tr></thead>
<tbody>
{rows}</tbody></table></section>"#,
        name = esc(&asked.name),
        expires = esc(&asked.expires),
    );
    pages::respond(status, pages::page("API tokens", Some(staff), &body))
}
