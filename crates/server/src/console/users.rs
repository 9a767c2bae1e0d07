//! `/console/users`: staff accounts, for administrators: list; create with a role and, for a
//! manager, the issuers managed; disable (ending the account's sessions at once) and enable.
//! Administrators cannot disable their own account, so one always remains.

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use laurel_store::{Role, StoreError};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::password::PoolError;
use super::session::Staff;
use super::{account, audit_log, check_new_user, forged, pages};
use crate::AppState;
use crate::pages::html::{date, esc};

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
        return pages::not_allowed(&staff, "Only administrators manage accounts.");
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
        return pages::not_allowed(&staff, "Only administrators manage accounts.");
    }
    if !staff.check_csrf(&form.csrf) {
        return forged();
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
        Err(PoolError::Failed(error)) => return pages::error(&crate::ApiError::Internal(error)),
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
        Err(error) => return pages::error(&error.into()),
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
        Err(error) => return pages::error(&error.into()),
    };
    let csrf = esc(&staff.session.csrf_token);
    let rows: String = users
        .iter()
        .map(|u| {
            let issuers: Vec<String> = u.issuer_ids.iter().map(Uuid::to_string).collect();
            let (state_text, button) = match u.disabled_at {
                Some(at) => (format!("disabled {}", date(at)), "Enable"),
                None => ("active".to_string(), "Disable"),
            };
            let action = if u.id == staff.user.id {
                String::new()
            } else {
                format!(
                    r#"<form method="post" action="/console/users/toggle" class="inline"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="id" value="{}"><button type="submit">{button}</button></form>"#,
                    u.id
                )
            };
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{action}</td></tr>\n",
                esc(&u.username),
                u.role.as_str(),
                esc(&issuers.join(", ")),
                date(u.created_at),
                state_text,
            )
        })
        .collect();
    let mark = |name: &str| match error {
        Some((f, message)) if *f == name => (
            format!(
                r#" <span class="error" id="{name}-error">{}</span>"#,
                esc(message)
            ),
            format!(r#" aria-invalid="true" aria-describedby="{name}-error""#),
        ),
        _ => (String::new(), String::new()),
    };
    let (username_error, username_attrs) = mark("username");
    let (password_error, password_attrs) = mark("password");
    let (role_error, role_attrs) = mark("role");
    let (issuers_error, issuers_attrs) = mark("issuers");
    let role_options: String = ["viewer", "manager", "admin"]
        .iter()
        .map(|r| {
            let selected = if *r == form.role { " selected" } else { "" };
            format!(r#"<option value="{r}"{selected}>{r}</option>"#)
        })
        .collect();
    let notice = pages::notice(notice);
    let body = format!(
        r#"{notice}<table><thead><tr><th scope="col">Username</th><th scope="col">Role</th><th scope="col">Issuers</th><th scope="col">Created</th><th scope="col">State</th><th scope="col"></th></tr></thead>
<tbody>
{rows}</tbody></table>
<h2>New account</h2>
<form method="post" action="/console/users">
<input type="hidden" name="csrf" value="{csrf}">
<p><label for="username">Username</label><br><input id="username" name="username" autocomplete="off" value="{username}"{username_attrs}>{username_error}</p>
<p><label for="password">Password (12 characters or more)</label><br><input id="password" name="password" type="password" autocomplete="new-password"{password_attrs}>{password_error}</p>
<p><label for="role">Role</label><br><select id="role" name="role"{role_attrs}>{role_options}</select>{role_error}</p>
<p><label for="issuers">Issuers managed (ids, for managers)</label><br><input id="issuers" name="issuers" value="{issuers}"{issuers_attrs}>{issuers_error}</p>
<p><button type="submit">Create account</button></p>
</form>"#,
        username = esc(&form.username),
        issuers = esc(&form.issuers),
    );
    pages::respond(status, pages::page("Accounts", Some(staff), &body))
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
        return pages::not_allowed(&staff, "Only administrators manage accounts.");
    }
    if !staff.check_csrf(&form.csrf) {
        return forged();
    }
    let Ok(id) = Uuid::parse_str(form.id.trim()) else {
        return pages::error(&crate::ApiError::NotFound("no such account".into()));
    };
    if id == staff.user.id {
        return pages::error(&crate::ApiError::Conflict(
            "you cannot disable your own account".into(),
        ));
    }
    let user = match state.store.user(id).await {
        Ok(user) => user,
        Err(error) => return pages::error(&crate::error::not_found_in(error, "account", id)),
    };
    let disable = user.disabled_at.is_none();
    let at = disable.then(|| state.clock.now());
    if let Err(error) = state.store.set_user_disabled(id, at).await {
        return pages::error(&error.into());
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
