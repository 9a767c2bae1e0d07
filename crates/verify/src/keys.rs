//! Finding the public key a proof names, and saying how far that key can be trusted.
//!
//! A verification method resolves without the network when it carries its key (did:key, or
//! `<issuer id>#z6Mk…` as 1EdTech's samples do), when a `--keys` file holds a document for it
//! (a JWK, JWKS, Multikey, controller document or DID document, did:web ones included), or,
//! only with `--online`, by fetching it. The key's controller must be the credential's issuer;
//! a key that only the credential itself vouches for is reported as self-asserted.

use std::collections::HashMap;

use laurel_core::keys::PublicKey;
use serde_json::Value;

/// Where a key came from, which decides how much it proves about the issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A did:key: the key is the identifier, so it proves itself.
    DidKey,
    /// A `--keys` file the user supplied.
    Pinned(String),
    /// Fetched from the issuer's published document (`--online`).
    Fetched(String),
    /// Only the credential vouches for it (a header `jwk`, or a key in a URL fragment).
    SelfAsserted,
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::DidKey => f.write_str("did:key"),
            KeySource::Pinned(file) => write!(f, "pinned by {file}"),
            KeySource::Fetched(url) => write!(f, "published at {url}"),
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
}

/// Why no key could be found (a "could not check", never "invalid").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unresolved(pub String);

/// Keys known without the network: those from `--keys` files.
#[derive(Debug, Default, Clone)]
pub struct KeyStore {
    /// Verification method id (or `kid`) → key, controller and where it came from.
    by_id: HashMap<String, (PublicKey, Option<String>, KeySource)>,
    /// Keys with no id, usable for a self-asserted key that they equal.
    anonymous: Vec<(PublicKey, KeySource)>,
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
        let before = self.by_id.len() + self.anonymous.len();
        self.add_value(document, None, source)?;
        let added = self.by_id.len() + self.anonymous.len() - before;
        if added == 0 {
            return Err(format!(
                "{source}: no public key found (expected a JWK, JWKS, Multikey, controller or DID document)"
            ));
        }
        Ok(added)
    }

    fn add_value(
        &mut self,
        value: &Value,
        controller: Option<&str>,
        source: &KeySource,
    ) -> Result<(), String> {
        let file = source.to_string();
        let Some(object) = value.as_object() else {
            return Ok(());
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
            match id {
                Some(id) => {
                    let id = absolute_id(id, controller.as_deref());
                    self.by_id.insert(id, (key, controller, source.clone()));
                }
                None => self.anonymous.push((key, source.clone())),
            }
            return Ok(());
        }
        // A document holding keys: JWKS "keys", DID/controller document "verificationMethod"
        // (and keys embedded in "assertionMethod").
        let document_id = object.get("id").and_then(Value::as_str);
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
                    self.add_value(&item, own_controller.or(document_id), source)?;
                }
            }
        }
        Ok(())
    }

    /// Resolves a verification method id (or JWT `kid`) without the network.
    pub fn resolve(&self, method: &str) -> Result<ResolvedKey, Unresolved> {
        if method.starts_with("did:key:") {
            let key = PublicKey::from_did_key(method).map_err(|e| Unresolved(e.to_string()))?;
            let did = method.split('#').next().unwrap_or(method);
            return Ok(ResolvedKey {
                key,
                controller: Some(did.to_string()),
                source: KeySource::DidKey,
            });
        }
        if let Some((key, controller, source)) = self.by_id.get(method) {
            return Ok(ResolvedKey {
                key: key.clone(),
                controller: controller.clone(),
                source: source.clone(),
            });
        }
        // `<controller>#z6Mk…`: the fragment is the key itself (1EdTech's samples use this).
        if let Some((controller, fragment)) = method.split_once('#')
            && fragment.starts_with("z6Mk")
            && let Ok(key) = PublicKey::from_multikey(fragment)
        {
            let source = self.pinned_equal(&key).unwrap_or(KeySource::SelfAsserted);
            return Ok(ResolvedKey {
                key,
                controller: Some(controller.to_string()),
                source,
            });
        }
        Err(Unresolved(format!(
            "the key {method} is not available offline: pass its key or DID document with --keys FILE, or use --online"
        )))
    }

    /// How a key carried by the credential itself is vouched for: pinned if a `--keys` file
    /// holds the same key, else self-asserted.
    pub fn pinned_equal(&self, key: &PublicKey) -> Option<KeySource> {
        self.by_id
            .values()
            .map(|(known, _, source)| (known, source))
            .chain(self.anonymous.iter().map(|(known, source)| (known, source)))
            .find(|(known, _)| *known == key)
            .map(|(_, source)| source.clone())
    }
}

/// A key id relative to its controller (`#key-1`) made absolute.
fn absolute_id(id: &str, controller: Option<&str>) -> String {
    match (id.strip_prefix('#'), controller) {
        (Some(_), Some(controller)) => format!("{controller}{id}"),
        _ => id.to_string(),
    }
}
