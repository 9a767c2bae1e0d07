//! Finding the public key a proof names, and saying how far that key can be trusted.
//!
//! A verification method resolves without the network when it carries its key (did:key, or
//! `<issuer id>#z6Mk…` as 1EdTech's samples do), when a `--keys` file holds a document for it
//! (a JWK, JWKS, Multikey, controller document or DID document, did:web ones included), or,
//! only with `--online`, by fetching the issuer's own documents (see the `binding` module).
//!
//! Finding a key is not enough: a signature proves only that *some* key signed. The key must
//! also be *bound* to the issuer ([`KeySource::binds`]): the issuer is that did:key, the user
//! pinned the key, a trust list (or the hosting service) names it as the issuer's, or the
//! issuer publishes it at its own address. A key only the credential vouches for (a VC-JWT
//! header `jwk`, a key in a URL fragment), or a key document elsewhere that merely claims the
//! issuer, never makes a credential valid.
//!
//! A verification method may carry `"revoked": "<dateTime>"` (W3C Controlled Identifiers): its
//! controller says the private key was compromised then, so proofs made from then on prove
//! nothing. Compromise belongs to the key material, not to one id: a key marked revoked in any
//! document we hold is revoked under every id that names it, and the earliest time wins. A
//! `revoked` we cannot read makes the key unusable, since we could not tell which proofs
//! predate it. (`retired` and other informational members are ignored.)

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, SecondsFormat, TimeDelta, Utc};
use laurel_core::keys::PublicKey;
use serde_json::{Map, Value};

/// Where a key came from, which decides how much it proves about the issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A did:key: the key is the identifier, so it proves itself.
    DidKey,
    /// A `--keys` file the user supplied.
    Pinned(String),
    /// A trust list names it as the issuer's key (`--trust`, or the hosting service's own
    /// issuers); the string says which list.
    Listed(String),
    /// Published by the issuer at its own address (`--online`): listed under
    /// `assertionMethod` in the document at the issuer id (or its DID document), or served
    /// under the issuer id's own path with the issuer as its controller.
    Published(String),
    /// Only the credential vouches for it (a header `jwk`, or a key in a URL fragment).
    SelfAsserted,
}

impl KeySource {
    /// Whether this source ties the key to the issuer, so that a signature by it can make a
    /// credential valid (the controller must still be the issuer).
    pub fn binds(&self) -> bool {
        matches!(
            self,
            KeySource::DidKey
                | KeySource::Pinned(_)
                | KeySource::Listed(_)
                | KeySource::Published(_)
        )
    }
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::DidKey => f.write_str("did:key"),
            KeySource::Pinned(file) => write!(f, "pinned by {file}"),
            KeySource::Listed(list) => write!(f, "listed by {list}"),
            KeySource::Published(url) => write!(f, "published by the issuer at {url}"),
            KeySource::SelfAsserted => {
                f.write_str("self-asserted (only the credential vouches for it)")
            }
        }
    }
}

/// A key found for a verification method.
#[derive(Debug, Clone)]
pub struct ResolvedKey {
    /// The key.
    pub key: PublicKey,
    /// Its controller: must equal the issuer id.
    pub controller: Option<String>,
    /// How it was found.
    pub source: KeySource,
    /// When its controller marked it compromised (`revoked`): proofs made at or after this
    /// time are not to be trusted. `None` when no document we hold marks it.
    pub revoked: Option<DateTime<Utc>>,
}

/// Why no usable key could be found: none was available, or the one found is marked
/// compromised at a time we cannot read (a "could not check", never "invalid").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unresolved(pub String);

/// What a document's `revoked` member says.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Revocation {
    /// Compromised since this time.
    Since(DateTime<Utc>),
    /// `revoked` is there but is not a dateTime (the JSON value as written).
    Unreadable(String),
}

/// One key from a document.
#[derive(Debug, Clone)]
struct Entry {
    key: PublicKey,
    controller: Option<String>,
    source: KeySource,
    revoked: Option<Revocation>,
}

/// Keys known without the network: those from `--keys` files.
#[derive(Debug, Default, Clone)]
pub struct KeyStore {
    /// Verification method id (or `kid`) → key, controller, where it came from, `revoked`.
    by_id: HashMap<String, Entry>,
    /// Keys with no id, usable for a self-asserted key that they equal.
    anonymous: Vec<Entry>,
}

impl KeyStore {
    /// Adds every key in a JSON document read from `file`: a JWK, a JWKS, a Multikey, or a
    /// controller / DID document. Returns how many keys were found.
    pub fn add_document(&mut self, document: &Value, file: &str) -> Result<usize, String> {
        self.add_with_source(document, &KeySource::Pinned(file.to_string()))
    }

    /// Adds every key of a document, recording `source` as where the keys came from.
    pub fn add_with_source(
        &mut self,
        document: &Value,
        source: &KeySource,
    ) -> Result<usize, String> {
        // Counted as read, not as the store's growth: a document repeating keys already held
        // (the controller document and a key's own document) is not empty.
        let added = self.add_value(document, None, source)?;
        if added == 0 {
            return Err(format!(
                "{source}: no public key found (expected a JWK, JWKS, Multikey, controller or DID document)"
            ));
        }
        Ok(added)
    }

    /// Adds the keys in `value`, returning how many it held.
    fn add_value(
        &mut self,
        value: &Value,
        controller: Option<&str>,
        source: &KeySource,
    ) -> Result<usize, String> {
        let file = source.to_string();
        let Some(object) = value.as_object() else {
            return Ok(0);
        };
        let id = object
            .get("id")
            .and_then(Value::as_str)
            .or(object.get("kid").and_then(Value::as_str));
        let own_controller = object
            .get("controller")
            .and_then(Value::as_str)
            .or(controller);
        let key = if object.contains_key("kty") {
            Some(PublicKey::from_jwk(value).map_err(|e| format!("{file}: {e}"))?)
        } else if let Some(jwk) = object.get("publicKeyJwk") {
            Some(PublicKey::from_jwk(jwk).map_err(|e| format!("{file}: {e}"))?)
        } else if let Some(Value::String(multikey)) = object.get("publicKeyMultibase") {
            Some(PublicKey::from_multikey(multikey).map_err(|e| format!("{file}: {e}"))?)
        } else {
            None
        };
        if let Some(key) = key {
            // A JWK's "iss" member names the issuer for multi-issuer platforms (OB impl guide).
            let controller = own_controller
                .or(object.get("iss").and_then(Value::as_str))
                .map(str::to_string);
            let mut entry = Entry {
                key,
                controller,
                source: source.clone(),
                revoked: revocation(object),
            };
            match id {
                Some(id) => {
                    let id = absolute_id(id, entry.controller.as_deref());
                    // The same key pinned twice (a controller document and a key document):
                    // a `revoked` in either copy must survive, whichever was read last.
                    if let Some(earlier) = self.by_id.get(&id)
                        && earlier.key == entry.key
                    {
                        entry.revoked = earliest(earlier.revoked.clone(), entry.revoked);
                    }
                    self.by_id.insert(id, entry);
                }
                None => self.anonymous.push(entry),
            }
            return Ok(1);
        }
        // A document holding keys: JWKS "keys", DID/controller document "verificationMethod"
        // (and keys embedded in "assertionMethod").
        let document_id = object.get("id").and_then(Value::as_str);
        let mut added = 0;
        for member in ["keys", "verificationMethod", "assertionMethod"] {
            if let Some(Value::Array(items)) = object.get(member) {
                for item in items {
                    let mut item = item.clone();
                    if let (Some(doc), Some(Value::String(vm))) =
                        (document_id, item.get("id").cloned())
                        && vm.starts_with('#')
                    {
                        item["id"] = Value::String(format!("{doc}{vm}"));
                    }
                    added += self.add_value(&item, own_controller.or(document_id), source)?;
                }
            }
        }
        Ok(added)
    }

    /// Resolves a verification method id (or JWT `kid`) without the network.
    ///
    /// The key comes with the `revoked` time any document we hold gives it; a key whose
    /// `revoked` cannot be read does not resolve.
    pub fn resolve(&self, method: &str) -> Result<ResolvedKey, Unresolved> {
        if method.starts_with("did:key:") {
            let key = PublicKey::from_did_key(method).map_err(|e| Unresolved(e.to_string()))?;
            let did = method.split('#').next().unwrap_or(method);
            let resolved = ResolvedKey {
                key,
                controller: Some(did.to_string()),
                source: KeySource::DidKey,
                revoked: None,
            };
            return self.with_revocation(method, resolved);
        }
        if let Some(entry) = self.by_id.get(method) {
            let resolved = ResolvedKey {
                key: entry.key.clone(),
                controller: entry.controller.clone(),
                source: entry.source.clone(),
                revoked: None,
            };
            return self.with_revocation(method, resolved);
        }
        // `<controller>#z6Mk…`: the fragment is the key itself (1EdTech's samples use this).
        if let Some((controller, fragment)) = method.split_once('#')
            && fragment.starts_with("z6Mk")
            && let Ok(key) = PublicKey::from_multikey(fragment)
        {
            return self.resolve_embedded(key, Some(controller.to_string()), method);
        }
        Err(Unresolved(format!(
            "the key {method} is not available offline: pass its key or DID document with --keys FILE, or use --online"
        )))
    }

    /// A key the credential carries itself (a VC-JWT header `jwk`, a key in a URL fragment),
    /// named `name` in messages: pinned if a `--keys` file holds the same key, else
    /// self-asserted, and revoked if a document we hold marks that key so.
    pub fn resolve_embedded(
        &self,
        key: PublicKey,
        controller: Option<String>,
        name: &str,
    ) -> Result<ResolvedKey, Unresolved> {
        let source = self.pinned_equal(&key).unwrap_or(KeySource::SelfAsserted);
        let resolved = ResolvedKey {
            key,
            controller,
            source,
            revoked: None,
        };
        self.with_revocation(name, resolved)
    }

    /// How a key carried by the credential itself is vouched for: pinned if a `--keys` file
    /// holds the same key, else self-asserted.
    pub fn pinned_equal(&self, key: &PublicKey) -> Option<KeySource> {
        self.entries()
            .find(|entry| entry.key == *key)
            .map(|entry| entry.source.clone())
    }

    /// Adds to `resolved` the earliest `revoked` that any document here gives its key, or
    /// refuses the key (named `name`) when one of them is unreadable. A key found elsewhere
    /// (fetched online) passes through here too, so that a pinned document's compromise mark
    /// cannot be outvoted by a fetched document that lacks it.
    pub(crate) fn with_revocation(
        &self,
        name: &str,
        mut resolved: ResolvedKey,
    ) -> Result<ResolvedKey, Unresolved> {
        for entry in self.entries().filter(|entry| entry.key == resolved.key) {
            match &entry.revoked {
                Some(Revocation::Unreadable(value)) => {
                    return Err(Unresolved(format!(
                        "the key {name} cannot be used: {} marks it compromised with \"revoked\": {value}, which is not an XML Schema dateTime, so no proof can be shown to predate the compromise",
                        entry.source
                    )));
                }
                Some(Revocation::Since(since)) => {
                    resolved.revoked = Some(resolved.revoked.map_or(*since, |r| r.min(*since)));
                }
                None => {}
            }
        }
        Ok(resolved)
    }

    fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.by_id.values().chain(self.anonymous.iter())
    }
}

/// A key object's `revoked` member, if it has one.
fn revocation(object: &Map<String, Value>) -> Option<Revocation> {
    let value = object.get("revoked")?;
    Some(match value.as_str().and_then(parse_date_time) {
        Some(since) => Revocation::Since(since),
        None => Revocation::Unreadable(value.to_string()),
    })
}

/// The earlier of two `revoked` marks; an unreadable one wins, so the key stays unusable.
fn earliest(a: Option<Revocation>, b: Option<Revocation>) -> Option<Revocation> {
    match (a, b) {
        (Some(Revocation::Since(a)), Some(Revocation::Since(b))) => {
            Some(Revocation::Since(a.min(b)))
        }
        (Some(unreadable @ Revocation::Unreadable(_)), _)
        | (_, Some(unreadable @ Revocation::Unreadable(_))) => Some(unreadable),
        (a, b) => a.or(b),
    }
}

/// Reads an XML Schema dateTime (RFC 3339 with an offset, the usual form).
///
/// A dateTime without a time zone could be any of 28 hours; we take the earliest instant it
/// can name (its local time at +14:00), so that a guess about the zone never makes a proof
/// look older than the compromise.
pub(crate) fn parse_date_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.to_utc());
    }
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    local.and_utc().checked_sub_signed(TimeDelta::hours(14))
}

/// A time as the reports write it: UTC, `Z`, fractions of a second only when there are some.
pub(crate) fn format_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A key id relative to its controller (`#key-1`) made absolute.
fn absolute_id(id: &str, controller: Option<&str>) -> String {
    match (id.strip_prefix('#'), controller) {
        (Some(_), Some(controller)) => format!("{controller}{id}"),
        _ => id.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn revoked_times_read_as_xml_schema_date_times() {
        let utc = |text: &str| DateTime::parse_from_rfc3339(text).unwrap().to_utc();
        for (text, expected) in [
            ("2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z"),
            ("2026-03-01T01:30:00+01:30", "2026-03-01T00:00:00Z"),
            ("2026-03-01T00:00:00.250Z", "2026-03-01T00:00:00.250Z"),
            // No time zone: the earliest instant it can name, 14 hours before UTC.
            ("2026-03-01T14:00:00", "2026-03-01T00:00:00Z"),
            ("2026-03-01T14:00:00.5", "2026-03-01T00:00:00.5Z"),
        ] {
            assert_eq!(parse_date_time(text), Some(utc(expected)), "{text}");
        }
        for text in ["2026-03-01", "yesterday", "2026-13-01T00:00:00Z", ""] {
            assert_eq!(parse_date_time(text), None, "{text}");
        }
    }

    #[test]
    fn the_earliest_revoked_wins_and_an_unreadable_one_wins_over_all() {
        let since = |text: &str| Some(Revocation::Since(parse_date_time(text).unwrap()));
        let unreadable = Some(Revocation::Unreadable("\"soon\"".into()));
        let (early, late) = (since("2026-01-01T00:00:00Z"), since("2026-06-01T00:00:00Z"));
        assert_eq!(earliest(late.clone(), early.clone()), early);
        assert_eq!(earliest(None, late.clone()), late);
        assert_eq!(earliest(late.clone(), None), late);
        assert_eq!(earliest(early.clone(), unreadable.clone()), unreadable);
        assert_eq!(earliest(unreadable.clone(), early), unreadable);
        assert_eq!(earliest(None, None), None);
    }

    #[test]
    fn a_revoked_jwt_header_key_equal_to_a_pinned_one_is_revoked() {
        let key = laurel_core::keys::SigningKey::generate(laurel_core::keys::KeyType::P256)
            .unwrap()
            .public_key();
        let mut store = KeyStore::default();
        let mut jwk = key.to_jwk();
        jwk["revoked"] = "2026-03-01T00:00:00Z".into();
        store.add_document(&jwk, "jwk.json").unwrap();
        let resolved = store.resolve_embedded(key, None, "header jwk").unwrap();
        assert_eq!(resolved.source, KeySource::Pinned("jwk.json".into()));
        assert_eq!(resolved.revoked, parse_date_time("2026-03-01T00:00:00Z"));
    }
}
