//! `/console/tokens`: API tokens for administrators: create (the secret shown once), list,
//! revoke. The same tokens as `laurel token`, with the same choices (issuers, expiry, whether a
//! read-only token sees recipients' emails); only their SHA-256 is kept.
//!
//! The form's issuer checkboxes are named `issuer:<id>`, one name each, because the form
//! decoder reads each name once.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use laurel_store::{ApiToken, StoreError};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::audit_log;
use super::layout::{self, Choice, Layout, date};
use super::session::Staff;
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
        return super::csrf_rejected();
    }
    let asked = Asked::from(&form);
    let name = asked.name.clone();
    let now = state.clock.now();
    let issuers = match state.store.list_issuers().await {
        Ok(issuers) => issuers,
        Err(error) => return layout::error(&error.into()),
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
        Err(error) => return layout::error(&error.into()),
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
        return super::csrf_rejected();
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
        Err(error) => layout::error(&error.into()),
    }
}

fn admin_only(staff: &Staff) -> Option<Response> {
    (!staff.is_admin())
        .then(|| layout::not_allowed(staff, "Only administrators manage API tokens."))
}

/// `console/tokens.html`.
#[derive(Template)]
#[template(path = "console/tokens.html")]
struct TokensPage<'a> {
    layout: Layout,
    /// The name and secret of the token just made, shown once.
    created: Option<(&'a str, &'a str)>,
    problem: Option<&'a str>,
    asked: &'a Asked,
    max_name: usize,
    scopes: Vec<Choice>,
    issuers: Vec<IssuerBox>,
    tokens: Vec<TokenRow>,
}

/// One issuer's checkbox in the form.
struct IssuerBox {
    id: Uuid,
    name: String,
    checked: bool,
}

/// One token in the table.
struct TokenRow {
    id: Uuid,
    name: String,
    scope: String,
    reach: String,
    created: String,
    expires: String,
    last_used: String,
    /// Why it no longer works (revoked, expired); none for a token that can be revoked.
    ended: Option<String>,
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
        Err(error) => return layout::error(&error.into()),
    };
    let issuers = match state.store.list_issuers().await {
        Ok(issuers) => issuers,
        Err(error) => return layout::error(&error.into()),
    };
    let names: HashMap<Uuid, &str> = issuers.iter().map(|i| (i.id, i.name.as_str())).collect();
    let now = state.clock.now();
    let tokens = tokens
        .iter()
        .map(|t| {
            let ended = if t.revoked_at.is_some() {
                Some(format!(
                    "revoked {}",
                    t.revoked_at.map(date).unwrap_or_default()
                ))
            } else if t.expires_at.is_some_and(|at| at <= now) {
                Some("expired".to_string())
            } else {
                None
            };
            let reach = if t.issuer_ids.is_empty() {
                "every issuer".to_string()
            } else {
                t.issuer_ids
                    .iter()
                    .map(|id| {
                        names
                            .get(id)
                            .map_or_else(|| id.to_string(), |n| (*n).to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let scope = if crate::auth::Bearer(t.clone()).shows_recipients() {
                t.scopes.join(", ")
            } else {
                format!("{} (without recipients' emails)", t.scopes.join(", "))
            };
            TokenRow {
                id: t.id,
                name: t.name.clone(),
                scope,
                reach,
                created: date(t.created_at),
                expires: t.expires_at.map_or_else(|| "never".to_string(), date),
                last_used: t.last_used_at.map_or_else(
                    || "never".to_string(),
                    |at| at.format("%Y-%m-%d %H:%M").to_string(),
                ),
                ended,
            }
        })
        .collect();
    let scopes = auth::SCOPES
        .iter()
        .map(|scope| Choice::new(scope, *scope, *scope == asked.scope))
        .collect();
    let issuers = issuers
        .iter()
        .map(|issuer| IssuerBox {
            id: issuer.id,
            name: issuer.name.clone(),
            checked: asked.issuer_ids.contains(&issuer.id),
        })
        .collect();
    layout::respond(
        status,
        &TokensPage {
            layout: Layout::new("API tokens", Some(staff)),
            created,
            problem,
            asked,
            max_name: MAX_NAME,
            scopes,
            issuers,
            tokens,
        },
    )
}
