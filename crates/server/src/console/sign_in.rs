//! `/console/sign-in`: signing in, built to hold under attack.
//!
//! - One answer: an unknown username, a wrong password, a disabled account and an attempt
//!   refused because the account or the client's address must wait all get the same page,
//!   status (401) and message, and take as long (an argon2 check against a decoy hash when
//!   there is no real one to check), so nothing tells them apart.
//! - Counted before checked: the account's attempt is counted in the store
//!   ([`laurel_store::Store::begin_sign_in`]) before its password is looked at, so forty
//!   guesses sent at once are forty counted attempts, not forty reads of a count of zero.
//! - Growing waits instead of a lock ([`super::throttle`]): per account (in the store, shared
//!   by every instance) and per client address (in memory, per instance).
//! - Argon2 runs on the blocking pool, a bounded number at a time ([`super::password::Pool`]);
//!   when too many are in flight the answer is "try again in a moment" (503), at once.
//!
//! The client address is the connection's peer. When the peer is this machine itself
//! (loopback), it is taken to be a reverse proxy on the same host and the last address of its
//! `X-Forwarded-For` header is used instead, so that clients behind a local proxy are not
//! all counted as one.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Extension, Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use laurel_store::Session;
use serde::Deserialize;

use super::password::{self, PoolError};
use super::session::{self, SESSION_COOKIE, SESSION_HOURS, SIGN_IN_COOKIE};
use super::{append_cookie, audit_log, layout, throttle};
use crate::{AppState, HttpError};

/// What every refused sign-in is told, whatever the reason.
pub const REFUSED: &str = "Wrong username or password. After a few failed attempts each \
                           sign-in must wait a little longer: wait a moment and try again.";

/// What a sign-in is told when too many passwords are being checked at once.
pub const BUSY: &str = "Too many sign-ins at this moment. Please try again in a moment.";

/// One instance's defences: the argon2 pool and the per-address limit.
#[derive(Debug, Default)]
pub struct Guard {
    /// Runs argon2 off the async workers, a bounded number at a time.
    pub passwords: password::Pool,
    /// Failed sign-ins per client address.
    pub addresses: throttle::AddressLimiter,
}

/// `GET /console/sign-in`.
pub async fn form(State(state): State<AppState>) -> Response {
    match session::random_token() {
        Ok(csrf) => with_sign_in_cookie(
            &state,
            layout::sign_in(StatusCode::OK, &csrf, "", None),
            &csrf,
        ),
        Err(error) => layout::error(&HttpError::Internal(error.to_string())),
    }
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub struct SignIn {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

/// `POST /console/sign-in`.
pub async fn submit(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    trust: Option<Extension<TrustForwardedFor>>,
    headers: HeaderMap,
    Form(form): Form<SignIn>,
) -> Response {
    let address = peer
        .map(|Extension(ConnectInfo(peer))| client_address(peer.ip(), &headers, trust.is_some()));
    match try_sign_in(&state, address, &headers, form).await {
        Ok(response) => response,
        Err(error) => layout::error(&error),
    }
}

/// Set (as a request extension, by `laurel serve --trust-forwarded-for`) when a reverse proxy
/// on this host appends the client's address to `X-Forwarded-For`.
#[derive(Debug, Clone, Copy)]
pub struct TrustForwardedFor;

/// `app`, counting sign-ins under the address a proxy on this host forwarded for.
pub fn trust_forwarded_for(app: axum::Router) -> axum::Router {
    app.layer(Extension(TrustForwardedFor))
}

/// The address a request counts under: the peer's; only when told to trust it, and only from
/// a proxy on this host, the last address the proxy forwarded for. Not trusted by default: a
/// proxy that passes the client's own header through unchanged would let a guesser pick a new
/// address for every attempt.
pub(crate) fn client_address(
    peer: IpAddr,
    headers: &HeaderMap,
    trust_forwarded_for: bool,
) -> IpAddr {
    if !trust_forwarded_for || !peer.is_loopback() {
        return peer;
    }
    // Only the last entry: the proxy appended it; earlier ones are whatever the client sent.
    headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.rsplit(',').next())
        .and_then(|last| last.trim().parse::<IpAddr>().ok())
        .unwrap_or(peer)
}

async fn try_sign_in(
    state: &AppState,
    address: Option<IpAddr>,
    headers: &HeaderMap,
    form: SignIn,
) -> Result<Response, HttpError> {
    let fresh = session::random_token().map_err(|e| HttpError::Internal(e.to_string()))?;
    // Usernames have at most 64 bytes; more (a password typed in the wrong field, say) is cut
    // before it is looked up, shown back or written to the audit log.
    let mut username = form.username.trim().to_lowercase();
    if username.len() > 64 {
        let mut end = 64;
        while !username.is_char_boundary(end) {
            end -= 1;
        }
        username.truncate(end);
    }
    let again = |status: StatusCode, message: &str| {
        with_sign_in_cookie(
            state,
            layout::sign_in(status, &fresh, &username, Some(message)),
            &fresh,
        )
    };
    let expected = session::cookie(headers, SIGN_IN_COOKIE).unwrap_or_default();
    if !session::same(&form.csrf, &expected) {
        return Ok(again(
            StatusCode::FORBIDDEN,
            "The form expired or came from another site. Please sign in again.",
        ));
    }
    let now = state.clock.now();
    let guard = state.sign_in_guard();
    if let Some(address) = address
        && !guard.addresses.admit(address, now)
    {
        // The client knows its own address: answering at once tells it nothing about
        // accounts, and spares the service an argon2 run per flooded request.
        tracing::info!(%address, "sign-in refused: this address must wait");
        return Ok(again(StatusCode::UNAUTHORIZED, REFUSED));
    }
    let attempt = state
        .store
        .begin_sign_in(&username, now, throttle::account_delay)
        .await?;
    let (stored, reason) = match &attempt {
        None => (password::decoy(), "unknown username"),
        Some(a) if !a.admitted => (password::decoy(), "the account must wait"),
        Some(a) if a.user.disabled_at.is_some() => (password::decoy(), "disabled account"),
        Some(a) => (a.user.password_hash.as_str(), "wrong password"),
    };
    let matches = match guard
        .passwords
        .verify(form.password, stored.to_string())
        .await
    {
        Ok(matches) => matches,
        Err(PoolError::Busy) => {
            let mut response = again(StatusCode::SERVICE_UNAVAILABLE, BUSY);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
            return Ok(response);
        }
        Err(PoolError::Failed(error)) => return Err(HttpError::Internal(error)),
    };
    let user = match attempt {
        Some(a) if a.admitted && a.user.disabled_at.is_none() && matches => a.user,
        other => {
            let failures = other
                .as_ref()
                .map(|a| a.user.failed_sign_ins + u32::from(a.admitted));
            let user = other.map(|a| a.user);
            audit_log(
                state,
                user.as_ref(),
                user.as_ref().map_or(&username, |u| &u.username),
                "sign_in_failed",
                None,
                serde_json::json!({ "reason": reason, "failures": failures }),
            )
            .await;
            return Ok(again(StatusCode::UNAUTHORIZED, REFUSED));
        }
    };
    state.store.set_sign_in_state(user.id, 0, None).await?;
    if let Some(address) = address {
        guard.addresses.succeeded(address);
    }
    let secret = session::random_token().map_err(|e| HttpError::Internal(e.to_string()))?;
    let csrf = session::random_token().map_err(|e| HttpError::Internal(e.to_string()))?;
    state
        .store
        .create_session(&Session {
            secret_sha256: session::digest(&secret),
            user_id: user.id,
            csrf_token: csrf,
            created_at: now,
            expires_at: now + Duration::hours(SESSION_HOURS),
        })
        .await?;
    audit_log(
        state,
        Some(&user),
        &user.username,
        "sign_in",
        None,
        serde_json::json!({}),
    )
    .await;
    let mut response = Redirect::to("/console").into_response();
    append_cookie(
        &mut response,
        &session::set_cookie(state, SESSION_COOKIE, &secret, SESSION_HOURS * 3600),
    );
    append_cookie(
        &mut response,
        &session::set_cookie(state, SIGN_IN_COOKIE, "", 0),
    );
    Ok(response)
}

fn with_sign_in_cookie(state: &AppState, mut response: Response, csrf: &str) -> Response {
    append_cookie(
        &mut response,
        &session::set_cookie(state, SIGN_IN_COOKIE, csrf, 3600),
    );
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_local_proxy_names_the_client() {
        let mut headers = HeaderMap::new();
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        let remote: IpAddr = "198.51.100.4".parse().unwrap();
        assert_eq!(client_address(local, &headers, true), local);
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.9, 192.0.2.1"),
        );
        assert_eq!(
            client_address(local, &headers, false),
            local,
            "not trusted unless told"
        );
        assert_eq!(
            client_address(local, &headers, true),
            "192.0.2.1".parse::<IpAddr>().unwrap(),
            "the last hop, the one the proxy saw"
        );
        assert_eq!(
            client_address(remote, &headers, true),
            remote,
            "others cannot claim"
        );
    }
}
