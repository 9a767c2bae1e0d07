//! The public URL is part of everything the service signs.
//!
//! Issuer ids, credential ids, status list addresses and key documents all start with it, so
//! every credential issued points at it for good. Starting the service later under another
//! address would leave those links dead (and status unreadable) without anyone noticing, so
//! `laurel serve` records the URL it signs with and refuses to start under another one once
//! anything has been signed, unless told `--change-public-url`. A URL nobody else can reach
//! (loopback) or one without TLS is allowed, for trying things out, but said on every start
//! and on the console's dashboard.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use laurel_store::{Store, StoreError};

/// The setting that remembers the public URL `laurel serve` last ran with, so commands that
/// sign on the service's behalf (`laurel import`, `laurel credential`) use the same one.
pub const SETTING: &str = "public_url";

/// Why the service may not start with this public URL.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PublicUrlError {
    /// Credentials were signed under another URL.
    #[error(
        "this service has signed credentials as {recorded}, and was started as {given}: every \
         credential issued so far links to {recorded}, so changing it breaks their links and \
         status checks. Start with --public-url {recorded}, or, to move for good, start once \
         with --change-public-url (the README's \"Moving to a new address\" says what happens \
         to credentials already issued)"
    )]
    Changed {
        /// The URL recorded.
        recorded: String,
        /// The URL given now.
        given: String,
    },
    /// The database could not be read or written.
    #[error("cannot read or record the public URL")]
    Store(#[from] StoreError),
}

/// Checks `url` against the one recorded and records it. Another URL is refused once any
/// issuer exists (issuers, their keys and everything they issued carry the URL), unless
/// `change` is set; before that, the new URL is simply recorded.
/// A change made with `change` once something was signed is written to the audit log (as
/// `laurel serve`, the command that was started with `--change-public-url`).
pub async fn record(
    store: &dyn Store,
    url: &str,
    change: bool,
    now: DateTime<Utc>,
) -> Result<(), PublicUrlError> {
    let recorded = store.setting(SETTING).await?;
    let moved = match recorded {
        Some(recorded) if recorded != url && !store.list_issuers().await?.is_empty() => {
            if !change {
                return Err(PublicUrlError::Changed {
                    recorded,
                    given: url.to_string(),
                });
            }
            Some(recorded)
        }
        _ => None,
    };
    store.set_setting(SETTING, url).await?;
    if let Some(from) = moved {
        crate::audit::write(
            store,
            now,
            &crate::audit::Actor::cli(),
            "public_url.change",
            None,
            serde_json::json!({ "from": from, "to": url }),
        )
        .await;
    }
    Ok(())
}

/// What is wrong with serving credentials under `url`, in plain words (empty when nothing).
pub fn warnings(url: &str) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(parsed) = url::Url::parse(url) else {
        return found;
    };
    if parsed.scheme() == "http" {
        found.push(format!(
            "The public URL {url} uses plain http: browsers and wallets warn about it and \
             anything on the way can change what people download. Serve the service over \
             https (behind a proxy that holds the certificate) before issuing for real."
        ));
    }
    if is_loopback(&parsed) {
        found.push(format!(
            "The public URL {url} is this computer's own address: nobody else can open the \
             links in the credentials issued with it. Set --public-url to the address people \
             use before issuing for real."
        ));
    }
    found
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback() || ip.is_unspecified(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback() || ip.is_unspecified(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_and_loopback_are_named() {
        assert!(warnings("https://badges.example.org").is_empty());
        let local = warnings("http://127.0.0.1:8080");
        assert_eq!(local.len(), 2, "{local:?}");
        assert!(local[0].contains("plain http"));
        assert!(local[1].contains("own address"));
        assert_eq!(warnings("https://localhost:8443").len(), 1);
        assert_eq!(warnings("https://app.localhost").len(), 1);
        assert_eq!(warnings("https://[::1]").len(), 1);
        assert_eq!(warnings("http://badges.example.org").len(), 1);
    }
}
