//! `/console/users`: staff accounts, for administrators: list; create with a role and, for a
//! manager, the issuers managed; disable (ending the account's sessions at once) and enable.
//! Administrators cannot disable their own account, so one always remains.

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use laurel_store::{Role, StoreError};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::layout::{self, Choice, FieldErrors, Layout, date};
use super::password::PoolError;
use super::session::Staff;
use super::{account, audit_log, check_new_user, csrf_rejected};
use crate::AppState;

/// The new-account form's fields.
#[derive(Debug, Default, Deserialize)]
pub struct NewUser {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    /// Issuer ids, comma-separated (managers).
    #[serde(default)]
    issuers: String,
}

/// `GET /console/users`.
pub async fn list(State(state): State<AppState>, staff: Staff) -> Response {
    if !staff.is_admin() {
        return layout::not_allowed(&staff, "Only administrators manage accounts.");
    }
    render(
        &state,
        &staff,
        &NewUser::default(),
        None,
        None,
        StatusCode::OK,
    )
    .await
}

/// `POST /console/users`: creates an account.
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<NewUser>,
) -> Response {
    if !staff.is_admin() {
        return layout::not_allowed(&staff, "Only administrators manage accounts.");
    }
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let refuse = |field: &'static str, message: String| (field, message);
    let role = match form.role.as_str() {
        "admin" => Ok(Role::Admin),
        "manager" => Ok(Role::Manager),
        "viewer" => Ok(Role::Viewer),
        _ => Err(refuse("role", "Choose a role.".into())),
    };
    let issuers: Result<Vec<Uuid>, _> = form
        .issuers
        .split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            Uuid::parse_str(t).map_err(|_| refuse("issuers", format!("“{t}” is not an issuer id.")))
        })
        .collect();
    let checked = match (role, issuers) {
        (Err(e), _) | (_, Err(e)) => Err(e),
        (Ok(Role::Manager), Ok(list)) if list.is_empty() => Err(refuse(
            "issuers",
            "A manager manages at least one issuer.".into(),
        )),
        (Ok(role), Ok(list)) if role != Role::Manager && !list.is_empty() => {
            Err(refuse("issuers", "Only managers are given issuers.".into()))
        }
        (Ok(role), Ok(list)) => Ok((role, list)),
    };
    let (role, issuers) = match checked {
        Ok(found) => found,
        Err(error) => {
            return render(
                &state,
                &staff,
                &form,
                Some(&error),
                None,
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    for issuer in &issuers {
        if state.store.issuer(*issuer).await.is_err() {
            let error = ("issuers", format!("There is no issuer {issuer}."));
            return render(
                &state,
                &staff,
                &form,
                Some(&error),
                None,
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    }
    let username = match check_new_user(&form.username, &form.password) {
        Ok(username) => username,
        Err(message) => {
            let field = if message.contains("password") {
                "password"
            } else {
                "username"
            };
            return render(
                &state,
                &staff,
                &form,
                Some(&(field, message)),
                None,
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    let password_hash = match state
        .sign_in_guard()
        .passwords
        .hash(form.password.clone())
        .await
    {
        Ok(hash) => hash,
        Err(PoolError::Busy) => {
            let error = ("password", super::sign_in::BUSY.to_string());
            return render(
                &state,
                &staff,
                &form,
                Some(&error),
                None,
                StatusCode::SERVICE_UNAVAILABLE,
            )
            .await;
        }
        Err(PoolError::Failed(error)) => return layout::error(&crate::HttpError::Internal(error)),
    };
    let user = account(username, password_hash, role, issuers, state.clock.now());
    match state.store.create_user(&user).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            let error = (
                "username",
                format!("The username “{}” is taken.", user.username),
            );
            return render(
                &state,
                &staff,
                &form,
                Some(&error),
                None,
                StatusCode::CONFLICT,
            )
            .await;
        }
        Err(error) => return layout::error(&error.into()),
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        "user.create",
        Some(user.id.to_string()),
        json!({ "username": user.username, "role": user.role.as_str() }),
    )
    .await;
    let notice = format!("Created {} “{}”.", user.role.as_str(), user.username);
    render(
        &state,
        &staff,
        &NewUser::default(),
        None,
        Some(&notice),
        StatusCode::CREATED,
    )
    .await
}

/// `console/users.html`.
#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage<'a> {
    layout: Layout,
    notice: Option<&'a str>,
    accounts: Vec<AccountRow>,
    form: &'a NewUser,
    roles: Vec<Choice>,
    errors: FieldErrors,
}

/// One account in the table.
struct AccountRow {
    id: Uuid,
    username: String,
    role: &'static str,
    issuers: String,
    created: String,
    state: String,
    /// Enable or Disable; none for one's own account.
    toggle: Option<&'static str>,
}

async fn render(
    state: &AppState,
    staff: &Staff,
    form: &NewUser,
    error: Option<&(&'static str, String)>,
    notice: Option<&str>,
    status: StatusCode,
) -> Response {
    let users = match state.store.list_users().await {
        Ok(users) => users,
        Err(error) => return layout::error(&error.into()),
    };
    let accounts = users
        .iter()
        .map(|u| {
            let issuers: Vec<String> = u.issuer_ids.iter().map(Uuid::to_string).collect();
            let (state_text, button) = match u.disabled_at {
                Some(at) => (format!("disabled {}", date(at)), "Enable"),
                None => ("active".to_string(), "Disable"),
            };
            AccountRow {
                id: u.id,
                username: u.username.clone(),
                role: u.role.as_str(),
                issuers: issuers.join(", "),
                created: date(u.created_at),
                state: state_text,
                toggle: (u.id != staff.user.id).then_some(button),
            }
        })
        .collect();
    let roles = ["viewer", "manager", "admin"]
        .iter()
        .map(|r| Choice::new(r, *r, *r == form.role))
        .collect();
    layout::respond(
        status,
        &UsersPage {
            layout: Layout::new("Accounts", Some(staff)),
            notice,
            accounts,
            form,
            roles,
            errors: FieldErrors::new(error),
        },
    )
}

/// The disable/enable form's fields.
#[derive(Debug, Deserialize)]
pub struct Toggle {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
}

/// `POST /console/users/toggle`: disables an active account, enables a disabled one.
pub async fn toggle(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<Toggle>,
) -> Response {
    if !staff.is_admin() {
        return layout::not_allowed(&staff, "Only administrators manage accounts.");
    }
    if !staff.check_csrf(&form.csrf) {
        return csrf_rejected();
    }
    let Ok(id) = Uuid::parse_str(form.id.trim()) else {
        return layout::error(&crate::HttpError::NotFound("no such account".into()));
    };
    if id == staff.user.id {
        return layout::error(&crate::HttpError::Conflict(
            "you cannot disable your own account".into(),
        ));
    }
    let user = match state.store.user(id).await {
        Ok(user) => user,
        Err(error) => return layout::error(&crate::error::not_found_in(error, "account", id)),
    };
    let disable = user.disabled_at.is_none();
    let at = disable.then(|| state.clock.now());
    if let Err(error) = state.store.set_user_disabled(id, at).await {
        return layout::error(&error.into());
    }
    audit_log(
        &state,
        Some(&staff.user),
        &staff.user.username,
        if disable {
            "user.disable"
        } else {
            "user.enable"
        },
        Some(id.to_string()),
        json!({ "username": user.username }),
    )
    .await;
    let notice = format!(
        "{} “{}”.",
        if disable { "Disabled" } else { "Enabled" },
        user.username
    );
    render(
        &state,
        &staff,
        &NewUser::default(),
        None,
        Some(&notice),
        StatusCode::OK,
    )
    .await
}
