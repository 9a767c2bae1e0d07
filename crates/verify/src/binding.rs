//! Whether the key behind a proof is the issuer's: the rule that keeps forgeries from being
//! called valid.
//!
//! Anyone can make a key and sign a credential that names any issuer. So a verified signature
//! counts only when the key is *bound* to the issuer, and the report says how:
//!
//! - the issuer id is a `did:key` and the key is that DID's key;
//! - the user pinned the key (`--keys`), or a trust list names it as the issuer's (`--trust`,
//!   or, in the service, one of the issuer's keys in its store);
//! - with `--online`, the issuer publishes it at its own address: the document at the issuer
//!   id (for `did:web`, its DID document) lists the method under `assertionMethod`, or the
//!   method's document lives under the issuer id's own path and names the issuer as its
//!   controller (`https://host/issuers/1/keys/2` for the issuer `https://host/issuers/1`).
//!
//! A key that only the credential vouches for (a VC-JWT header `jwk`, `<issuer id>#z6Mk…`), or
//! a document elsewhere claiming the issuer as its controller, is *could not check*; a key a
//! trust list says is not the issuer's (by id or by name) is *invalid*: an impersonation.

use laurel_core::keys::PublicKey;
use serde_json::Value;

use crate::keys::{KeySource, KeyStore, ResolvedKey, Unresolved};
use crate::report::Outcome;
use crate::run::Run;
use crate::trust::Trust;

/// The issuer a credential names.
pub(crate) struct Issuer<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: Option<&'a str>,
}

/// Finds the key `method` names: offline first; with a fetcher, through the issuer's own
/// documents when offline gave no bound key. A key found offline but not bound (a fragment or
/// header key) is still returned, so that a trust list can judge it; the second value says
/// why the issuer's documents did not bind it, when they were asked.
pub(crate) fn resolve(
    run: &Run,
    method: &str,
    issuer: &str,
) -> (Result<ResolvedKey, Unresolved>, Option<String>) {
    let offline = run.keys.resolve(method);
    if matches!(&offline, Ok(found) if found.source.binds()) || run.fetcher.is_none() {
        return (offline, None);
    }
    match published(run, method, issuer) {
        Ok(found) => (run.keys.with_revocation(method, found), None),
        Err(reason) => match offline {
            Ok(found) => (Ok(found), Some(reason)),
            Err(_) => (Err(Unresolved(reason)), None),
        },
    }
}

/// Judges a verified key: bound (the key, with how), or the outcome and reason why not.
pub(crate) fn bind(
    run: &Run,
    mut found: ResolvedKey,
    issuer: &Issuer,
    online_reason: Option<String>,
) -> Result<ResolvedKey, (Outcome, String)> {
    if let Some(list) = &run.trust {
        match list.judge(issuer.id, issuer.name, Some(&found.key)) {
            Trust::Trusted => {
                found.source = KeySource::Listed(list.label().to_string());
                return Ok(found);
            }
            Trust::Impersonated => {
                return Err((
                    Outcome::Failed,
                    impersonation(list.label(), issuer, &found.key),
                ));
            }
            Trust::Unknown => {}
        }
    }
    if found.source.binds() {
        return Ok(found);
    }
    let mut reason = format!(
        "the signing key is not one the issuer publishes: the key {} is {}",
        found.key.describe(),
        found.source
    );
    match online_reason {
        Some(online) => {
            reason.push_str("; ");
            reason.push_str(&online);
        }
        None if run.fetcher.is_none() => reason.push_str(
            "; look the issuer's keys up at its own address (laurel-verify --online) or pin them (--keys)",
        ),
        None => {}
    }
    Err((Outcome::CouldNotCheck, reason))
}

fn impersonation(list: &str, issuer: &Issuer, key: &PublicKey) -> String {
    let named = match issuer.name {
        Some(name) => format!("{name} ({})", issuer.id),
        None => issuer.id.to_string(),
    };
    format!(
        "forged: the credential claims to be from {named}, an issuer {list} knows, but it was signed with {}, which is not one of that issuer's keys",
        key.describe()
    )
}

/// Binds `method` to `issuer` through the issuer's own published documents (see the module
/// docs), fetching at most the issuer's document and the method's.
fn published(run: &Run, method: &str, issuer: &str) -> Result<ResolvedKey, String> {
    let Some(controller_url) = document_url(issuer) else {
        return Err(format!(
            "the issuer id {issuer} is neither an https URL nor a did:web, so it publishes no keys"
        ));
    };
    let mut listed_by_controller = false;
    let controller_document = match run.fetch(&controller_url) {
        Some(Ok(document)) => Some(document),
        // The method's own document under the issuer's path can still bind it.
        Some(Err(_)) if under_issuer_path(method, issuer) => None,
        Some(Err(reason)) => return Err(reason),
        None => None,
    };
    if let Some(document) = controller_document {
        let document_id = document.get("id").and_then(Value::as_str);
        if document_id == Some(issuer) && lists_assertion_method(&document, issuer, method) {
            listed_by_controller = true;
            let source = KeySource::Published(controller_url.clone());
            let mut keys = KeyStore::default();
            // A document with the listing but no key material is fine: the key is then in
            // the method's own document, or in the method id (a fragment key).
            let _ = keys.add_with_source(&document, &source);
            match keys.resolve(method) {
                Ok(mut found) => {
                    // A fragment key the issuer lists is the issuer's.
                    found.source = source;
                    found.controller = Some(issuer.to_string());
                    return Ok(found);
                }
                Err(_) if !same_origin(method, issuer) => {
                    return Err(format!(
                        "the issuer lists {method} at {controller_url} but gives no key for it there"
                    ));
                }
                Err(_) => {}
            }
        }
    }
    if !listed_by_controller && !under_issuer_path(method, issuer) {
        return Err(format!(
            "the issuer's document at {controller_url} does not list the key {method} under assertionMethod"
        ));
    }
    let Some(method_url) = document_url(method) else {
        return Err(format!("the key {method} is not an https URL"));
    };
    let document = run
        .fetch(&method_url)
        .unwrap_or_else(|| Err("offline".into()))?;
    let mut keys = KeyStore::default();
    keys.add_with_source(&document, &KeySource::Published(method_url.clone()))
        .map_err(|error| format!("the key document at {method_url}: {error}"))?;
    let found = keys.resolve(method).map_err(|Unresolved(reason)| reason)?;
    if found.controller.as_deref() != Some(issuer) {
        return Err(format!(
            "the key document at {method_url} does not name the issuer {issuer} as its controller"
        ));
    }
    Ok(found)
}

/// Whether `document`'s `assertionMethod` names `method` (by reference, relative to the
/// document id, or embedded with that id).
fn lists_assertion_method(document: &Value, document_id: &str, method: &str) -> bool {
    lists_method(document, "assertionMethod", document_id, method)
}

/// Whether the verification relationship `relationship` (`assertionMethod`,
/// `authentication`, …) of the DID or controller document `document`, whose id is
/// `document_id`, names `method`: by reference, by a reference relative to the document id
/// (`#key-1`), or embedded with that id.
pub fn lists_method(document: &Value, relationship: &str, document_id: &str, method: &str) -> bool {
    let entries = match document.get(relationship) {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    entries.into_iter().any(|entry| {
        let id = match entry {
            Value::String(id) => Some(id.as_str()),
            Value::Object(map) => map.get("id").and_then(Value::as_str),
            _ => None,
        };
        id.is_some_and(|id| match id.strip_prefix('#') {
            Some(fragment) => method.strip_prefix(document_id) == Some(&format!("#{fragment}")),
            None => id == method,
        })
    })
}

/// Where an identifier's document lives: did:web per the did:web spec
/// (`did:web:host:a:b` is `https://host/a/b/did.json`, a bare host
/// `https://host/.well-known/did.json`), HTTP(S) as is (without the fragment). `None` for a
/// did:web whose host or path holds anything (`@`, `/`, `..`) that would point elsewhere.
pub fn document_url(id: &str) -> Option<String> {
    let base = id.split('#').next()?;
    if let Some(rest) = base.strip_prefix("did:web:") {
        let mut parts = rest.split(':').map(|part| part.replace("%3A", ":"));
        let host = parts.next()?;
        // A host name (with an optional `%3A`-encoded port) and plain path segments: nothing
        // (`@`, `/`, `?`) that would make the URL point somewhere the id does not say.
        let plain = |text: &str, extra: &[char]| {
            !text.is_empty()
                && text.chars().all(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, '-' | '.') || extra.contains(&c)
                })
        };
        if !plain(&host, &[':']) {
            return None;
        }
        let path: Vec<String> = parts.collect();
        if !path
            .iter()
            .all(|segment| plain(segment, &['_', '~']) && segment != "..")
        {
            return None;
        }
        return Some(if path.is_empty() {
            format!("https://{host}/.well-known/did.json")
        } else {
            format!("https://{host}/{}/did.json", path.join("/"))
        });
    }
    (base.starts_with("https://") || base.starts_with("http://")).then(|| base.to_string())
}

/// `scheme://host[:port]` of a URL.
fn origin(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&url[..scheme.len() + 3 + end])
}

fn same_origin(a: &str, b: &str) -> bool {
    origin(a).is_some_and(|origin_a| origin(b) == Some(origin_a))
}

/// Whether the method URL is a document under the issuer id's own path (not the issuer id
/// with a fragment, which only the issuer's own document can vouch for).
fn under_issuer_path(method: &str, issuer: &str) -> bool {
    if !issuer.starts_with("https://") && !issuer.starts_with("http://") {
        return false;
    }
    if issuer.contains(['?', '#']) {
        return false;
    }
    let prefix = format!("{}/", issuer.trim_end_matches('/'));
    let Some(rest) = method.strip_prefix(&prefix) else {
        return false;
    };
    // Plain path segments only: no percent-encoding, backslashes, queries or empty, `.` or
    // `..` segments, any of which a URL parser may turn into another issuer's path
    // (`%2e%2e/2/keys` is `../2/keys` to the WHATWG parser).
    let path = rest.split('#').next().unwrap_or_default();
    !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '/' | ':'))
        && path
            .split('/')
            .all(|segment| !matches!(segment, "" | "." | ".."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_urls_under_the_issuer_path_only() {
        let issuer = "https://host.example/issuers/1";
        assert!(under_issuer_path(
            "https://host.example/issuers/1/keys/2",
            issuer
        ));
        assert!(!under_issuer_path(
            "https://host.example/issuers/10/keys/2",
            issuer
        ));
        assert!(!under_issuer_path(
            "https://host.example/issuers/1#z6Mk",
            issuer
        ));
        assert!(!under_issuer_path(
            "https://other.example/issuers/1/keys/2",
            issuer
        ));
        assert!(!under_issuer_path(
            "https://host.example/issuers/1/../2/keys",
            issuer
        ));
        for tricky in [
            "https://host.example/issuers/1/%2e%2e/2/keys/3",
            "https://host.example/issuers/1/%2E%2E/2/keys/3",
            "https://host.example/issuers/1/.%2e/2/keys/3",
            "https://host.example/issuers/1/..\\2/keys/3",
            "https://host.example/issuers/1//keys",
            "https://host.example/issuers/1/./keys",
            "https://host.example/issuers/1/keys?x=../2",
            "https://host.example/issuers/1/",
        ] {
            assert!(!under_issuer_path(tricky, issuer), "{tricky}");
        }
        assert!(!under_issuer_path(
            "did:web:host.example#key",
            "did:web:host.example"
        ));
    }

    #[test]
    fn assertion_methods_by_reference_relative_or_embedded() {
        let id = "https://host.example/issuers/1";
        let document = serde_json::json!({
            "id": id,
            "assertionMethod": ["#key-1", "https://host.example/k/2", {"id": "https://host.example/k/3"}]
        });
        for method in [
            "https://host.example/issuers/1#key-1",
            "https://host.example/k/2",
            "https://host.example/k/3",
        ] {
            assert!(lists_assertion_method(&document, id, method), "{method}");
        }
        assert!(!lists_assertion_method(
            &document,
            id,
            "https://host.example/issuers/1#key-2"
        ));
        assert!(!lists_assertion_method(
            &document,
            id,
            "https://evil.example/k/2"
        ));
    }

    #[test]
    fn origins() {
        assert!(same_origin("https://a.example/x", "https://a.example/y#z"));
        assert!(!same_origin(
            "https://a.example/x",
            "https://a.example:8443/x"
        ));
        assert!(!same_origin("https://a.example/x", "http://a.example/x"));
        assert_eq!(
            document_url("did:web:a.example:issuers:1#key"),
            Some("https://a.example/issuers/1/did.json".into())
        );
        for tricky in [
            "did:web:trusted.example@evil.example",
            "did:web:trusted.example%2Fevil",
            "did:web:a.example:..:x",
            "did:web:",
        ] {
            assert_eq!(document_url(tricky), None, "{tricky}");
        }
    }
}
