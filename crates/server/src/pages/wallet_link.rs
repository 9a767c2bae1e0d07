//! "Email me my wallet link": a recipient asks, on their badge's public page, for a fresh
//! personal claim link, by typing their email address.
//!
//! The domain checks the address against the credential's hashed identifier before anything
//! is sent ([`laurel_service::wallet::requests::request_claim_link`]); this page answers the
//! same whether or not it matched, so it tells nobody who holds a badge. Defences:
//! - **CSRF**: the form carries no session, so a cross-site post is refused by its `Origin`
//!   (or `Sec-Fetch-Site`) header: a browser always sends one on a cross-site form post.
//!   Non-browser clients send neither and are no CSRF risk.
//! - **Rate limits**, kept in memory per instance ([`RequestLimits`]): per credential
//!   ([`PER_CREDENTIAL`] an hour) and per client address ([`PER_ADDRESS`] an hour, IPv6 per
//!   /64 as for sign-ins), so nobody can flood a recipient's inbox or probe many addresses.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use askama::Template;
use axum::extract::{ConnectInfo, Extension, Form, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::layout::{Head, Layout};
use crate::console::sign_in::{TrustForwardedFor, client_address};
use crate::routes::parse_id;
use crate::{AppState, HttpError};
use laurel_service::wallet::requests::request_claim_link;

/// Requests per credential per hour.
pub const PER_CREDENTIAL: usize = 5;
/// Requests per client address per hour.
pub const PER_ADDRESS: usize = 20;
/// Keys remembered at most per limit; beyond, new keys are refused until old ones age out.
pub const MAX_KEYS: usize = 10_000;

/// A sliding one-hour window of request times per key.
#[derive(Debug, Default)]
struct Window {
    entries: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

impl Window {
    /// Whether `key` has fewer than `limit` requests in the last hour (without recording).
    fn allows(&self, key: &str, limit: usize, now: DateTime<Utc>) -> bool {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let since = now - Duration::hours(1);
        entries.retain(|_, times| times.back().is_some_and(|last| *last > since));
        match entries.get_mut(key) {
            Some(times) => {
                while times.front().is_some_and(|first| *first <= since) {
                    times.pop_front();
                }
                times.len() < limit
            }
            None => entries.len() < MAX_KEYS,
        }
    }

    fn record(&self, key: &str, now: DateTime<Utc>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.entry(key.to_string()).or_default().push_back(now);
    }
}

/// The limits of recipients' link requests, one per instance.
#[derive(Debug, Default)]
pub struct RequestLimits {
    credentials: Window,
    addresses: Window,
}

impl RequestLimits {
    /// Admits and counts a request about `credential` (a credential's id, or any other key a
    /// form limits by, such as `transcript:{email}`) from `address`, or refuses it.
    pub fn admit(&self, credential: &str, address: Option<IpAddr>, now: DateTime<Utc>) -> bool {
        let address = address.map(per_network);
        let allowed = self.credentials.allows(credential, PER_CREDENTIAL, now)
            && address
                .as_deref()
                .is_none_or(|a| self.addresses.allows(a, PER_ADDRESS, now));
        if allowed {
            self.credentials.record(credential, now);
            if let Some(address) = address {
                self.addresses.record(&address, now);
            }
        }
        allowed
    }
}

/// An IPv4 address, or an IPv6 address's /64.
fn per_network(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// The form's field.
#[derive(Debug, Deserialize)]
pub struct WalletLinkForm {
    #[serde(default)]
    email: String,
}

/// The answer (`templates/pages/wallet_link_sent.html`).
#[derive(Template)]
#[template(path = "pages/wallet_link_sent.html")]
struct Answer {
    layout: Layout,
    credential_url: String,
    too_many: bool,
}

/// `POST /credentials/{id}/wallet-link`.
pub async fn request(
    State(state): State<AppState>,
    Path(id): Path<String>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    trust: Option<Extension<TrustForwardedFor>>,
    headers: HeaderMap,
    Form(form): Form<WalletLinkForm>,
) -> Response {
    if !same_origin(&headers, state.urls.origin()) {
        return HttpError::Forbidden("this form can only be sent from the badge's own page".into())
            .into_response();
    }
    let Ok(id) = parse_id(&id, "credential") else {
        return super::error_page(HttpError::not_found("credential", id));
    };
    let address = peer
        .map(|Extension(ConnectInfo(peer))| client_address(peer.ip(), &headers, trust.is_some()));
    let now = state.clock.now();
    let too_many = !state.wallet_requests.admit(&id.to_string(), address, now);
    if !too_many && let Err(error) = request_claim_link(&state, id, form.email.trim()).await {
        return super::error_page(error.into());
    }
    let head = Head {
        title: "Your wallet link".into(),
        description: "A personal link for adding a badge to a wallet.".into(),
        ..Head::default()
    };
    let page = Answer {
        layout: Layout::new(head, None),
        credential_url: state.urls.credential(id),
        too_many,
    };
    let status = if too_many {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::OK
    };
    match super::render(&page) {
        Ok(html) => {
            let mut response = (status, html).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(super::PAGE_CSP),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => error.into_response(),
    }
}

/// Whether a form post came from this site: its `Origin` is ours, or, without one, its
/// `Sec-Fetch-Site` is `same-origin`; with neither (not a browser) it cannot be a forgery.
///
/// Our pages send `Referrer-Policy: no-referrer`, and under it browsers send `Origin: null`
/// with a form's post even from our own page; then only a `Sec-Fetch-Site` of `same-origin`
/// (a header no page's script can set) admits it.
pub(super) fn same_origin(headers: &HeaderMap, origin: &str) -> bool {
    let ours = origin
        .split_once("://")
        .map(|(scheme, rest)| format!("{scheme}://{}", rest.split('/').next().unwrap_or(rest)))
        .unwrap_or_else(|| origin.to_string());
    let fetched_from_here = headers
        .get("sec-fetch-site")
        .map(|site| site.as_bytes() == b"same-origin");
    match headers.get(header::ORIGIN).map(HeaderValue::as_bytes) {
        Some(b"null") => fetched_from_here == Some(true),
        Some(sent) => sent == ours.as_bytes(),
        None => fetched_from_here.unwrap_or(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_credential_and_per_address() {
        let limits = RequestLimits::default();
        let now = Utc::now();
        let ip: IpAddr = "192.0.2.7".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        for _ in 0..PER_CREDENTIAL {
            assert!(limits.admit("one", Some(ip), now));
        }
        assert!(!limits.admit("one", Some(ip), now));
        // An hour later the credential may ask again.
        assert!(limits.admit("one", Some(ip), now + Duration::minutes(61)));
        // One address asking about many credentials is stopped too.
        let other: IpAddr = "2001:db8::1".parse().unwrap_or(ip);
        let mut admitted = 0;
        for n in 0..PER_ADDRESS + 5 {
            if limits.admit(&format!("c{n}"), Some(other), now) {
                admitted += 1;
            }
        }
        assert_eq!(admitted, PER_ADDRESS);
    }

    #[test]
    fn cross_site_posts_are_refused() {
        let origin = "https://badges.example.org";
        let mut headers = HeaderMap::new();
        assert!(same_origin(&headers, origin));
        headers.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!same_origin(&headers, origin));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://badges.example.org"),
        );
        assert!(same_origin(&headers, origin));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&headers, origin));
        // Under `Referrer-Policy: no-referrer` a browser's post from our own page says
        // `Origin: null`: admitted only when the browser also says the page was ours.
        headers.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&headers, origin));
        headers.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        assert!(same_origin(&headers, origin));
        headers.remove("sec-fetch-site");
        assert!(!same_origin(&headers, origin));
    }
}
