//! `/console/tokens`: API tokens for administrators: create (the secret shown once), list,
//! revoke. The same tokens as `laurel token`; only their SHA-256 is kept.

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
    render(&state, &staff, StatusCode::OK, "", None, None).await
}

/// The new-token form's fields.
#[derive(Debug, Deserialize)]
pub struct NewToken {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: String,
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
    if !staff.check_csrf(&form.csrf) {
        return super::forged();
    }
    let name = form.name.trim().to_string();
    let problem =
        if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control)
        {
            Some(format!(
                "Give a name of 1 to {MAX_NAME} characters saying who uses the token."
            ))
        } else if !auth::SCOPES.contains(&form.scope.as_str()) {
            Some("Choose what the token may do.".to_string())
        } else {
            None
        };
    if let Some(problem) = problem {
        return render(
            &state,
            &staff,
            StatusCode::BAD_REQUEST,
            &name,
            Some(&problem),
            None,
        )
        .await;
    }
    let (secret, hash) = auth::new_token();
    let token = ApiToken {
        id: Uuid::now_v7(),
        name: name.clone(),
        scopes: vec![form.scope.clone()],
        created_at: state.clock.now(),
        revoked_at: None,
    };
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
                &name,
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
        json!({ "name": name, "scope": form.scope }),
    )
    .await;
    render(
        &state,
        &staff,
        StatusCode::CREATED,
        "",
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
            render(&state, &staff, StatusCode::OK, "", None, None).await
        }
        Err(StoreError::NotFound) => {
            render(
                &state,
                &staff,
                StatusCode::NOT_FOUND,
                "",
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
    typed_name: &str,
    problem: Option<&str>,
    created: Option<(&str, &str)>,
) -> Response {
    let tokens = match state.store.list_tokens().await {
        Ok(tokens) => tokens,
        Err(error) => return pages::error(&error.into()),
    };
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
    let rows: String = tokens
        .iter()
        .map(|t| {
            let action = if t.revoked_at.is_some() {
                format!("revoked {}", t.revoked_at.map(date).unwrap_or_default())
            } else {
                format!(
                    r#"<form method="post" action="/console/tokens/revoke" class="inline">
<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="id" value="{}">
<button type="submit">Revoke</button></form>"#,
                    t.id
                )
            };
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{action}</td></tr>\n",
                esc(&t.name),
                esc(&t.scopes.join(", ")),
                date(t.created_at),
            )
        })
        .collect();
    let options: String = auth::SCOPES
        .iter()
        .map(|scope| format!(r#"<option value="{scope}">{scope}</option>"#))
        .collect();
    let body = format!(
        r#"{shown}<section aria-labelledby="new"><h2 id="new">New token</h2>
{error}<form method="post" action="/console/tokens">
<input type="hidden" name="csrf" value="{csrf}">
<p><label for="name">Name (who or what uses it)</label><br>
<input id="name" name="name" required maxlength="{MAX_NAME}" value="{name}"{described}></p>
<p><label for="scope">May</label><br>
<select id="scope" name="scope">{options}</select></p>
<p><button type="submit">Create token</button></p>
</form></section>
<section aria-labelledby="all"><h2 id="all">Tokens</h2>
<table><thead><tr><th scope="col">Name</th><th scope="col">Scope</th><th scope="col">Created</th><th scope="col"></th></tr></thead>
<tbody>
{rows}</tbody></table></section>"#,
        name = esc(typed_name),
    );
    pages::respond(status, pages::page("API tokens", Some(staff), &body))
}
