//! Issuers' public keys as the documents verifiers read: a Multikey document per Data
//! Integrity key, a bare JWK per VC-JWT key, the issuer's controller document, and a JWK Set.
//!
//! Keys are re-encoded from their parsed public half, never copied from the stored text, so a
//! stored JWK that somehow held private members could not leak through here. The HTTP server
//! hosts them; `laurel issuer export-keys` writes the controller document for offline use.

use laurel_core::keys::PublicKey;
use laurel_store::{IssuerKey, KeyPurpose};
use serde_json::{Value, json};

use crate::{ServiceError, Urls};

/// The JSON-LD context of a standalone Multikey document.
pub const MULTIKEY_CONTEXT: &str = "https://w3id.org/security/multikey/v1";
/// The JSON-LD context of a controller document.
pub const CONTROLLER_CONTEXT: &str = "https://www.w3.org/ns/cid/v1";

/// A Data Integrity key as a standalone Multikey document.
pub fn multikey_document(urls: &Urls, key: &IssuerKey) -> Result<Value, ServiceError> {
    let mut method = verification_method(urls, key)?;
    if let Value::Object(members) = &mut method {
        // `@context` first, as JSON-LD readers expect.
        let mut document = serde_json::Map::new();
        document.insert("@context".into(), MULTIKEY_CONTEXT.into());
        document.extend(std::mem::take(members));
        return Ok(Value::Object(document));
    }
    Ok(method)
}

/// A key as a bare JWK with `kid` (its URL), `iss` (the issuer id) and, for VC-JWT keys, `alg`.
pub fn jwk(urls: &Urls, key: &IssuerKey) -> Result<Value, ServiceError> {
    let public = public_key(key)?;
    let mut jwk = public.to_jwk();
    jwk["kid"] = urls.key(key.issuer_id, key.id).into();
    jwk["iss"] = urls.issuer(key.issuer_id).into();
    jwk["use"] = "sig".into();
    if key.purpose == KeyPurpose::Jwt {
        jwk["alg"] = public.key_type().jws_alg().into();
    }
    // A VC-JWT `kid` dereferences to this bare JWK, so it carries the marks too.
    mark_lifecycle(&mut jwk, key);
    Ok(jwk)
}

/// A key as a verification method of the issuer's controller document: `Multikey` for Data
/// Integrity keys, `JsonWebKey` for VC-JWT keys.
pub fn verification_method(urls: &Urls, key: &IssuerKey) -> Result<Value, ServiceError> {
    let public = public_key(key)?;
    let id = urls.key(key.issuer_id, key.id);
    let controller = urls.issuer(key.issuer_id);
    let mut method = match (key.purpose, public.to_multikey()) {
        (KeyPurpose::DataIntegrity, Some(multikey)) => json!({
            "id": id,
            "type": "Multikey",
            "controller": controller,
            "publicKeyMultibase": multikey,
        }),
        (KeyPurpose::DataIntegrity, None) => {
            return Err(ServiceError::Internal(format!(
                "key {} is a Data Integrity key but not Ed25519",
                key.id
            )));
        }
        (KeyPurpose::Jwt, _) => json!({
            "id": id,
            "type": "JsonWebKey",
            "controller": controller,
            "publicKeyJwk": public.to_jwk(),
        }),
    };
    mark_lifecycle(&mut method, key);
    Ok(method)
}

/// Marks a published key as retired (no longer signing new credentials; what it signed stays
/// valid) and, when compromised, with the Controlled Identifiers `revoked` time: proofs made
/// from then on are not to be trusted.
fn mark_lifecycle(document: &mut Value, key: &IssuerKey) {
    let timestamp = |at: chrono::DateTime<chrono::Utc>| {
        Value::String(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    };
    if let Some(at) = key.retired_at {
        document["retired"] = timestamp(at);
    }
    if let Some(since) = key.compromised_since {
        document["revoked"] = timestamp(since);
    }
}

/// The issuer's controller document: every key, each also an assertion method.
pub fn controller_document(
    urls: &Urls,
    issuer: uuid::Uuid,
    keys: &[IssuerKey],
) -> Result<Value, ServiceError> {
    let methods = keys
        .iter()
        .map(|key| verification_method(urls, key))
        .collect::<Result<Vec<_>, _>>()?;
    let ids: Vec<Value> = methods.iter().map(|method| method["id"].clone()).collect();
    Ok(json!({
        "@context": [CONTROLLER_CONTEXT],
        "id": urls.issuer(issuer),
        "verificationMethod": methods,
        "assertionMethod": ids,
    }))
}

/// A JWK Set of these keys.
pub fn jwk_set(urls: &Urls, keys: &[IssuerKey]) -> Result<Value, ServiceError> {
    let keys = keys
        .iter()
        .map(|key| jwk(urls, key))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({ "keys": keys }))
}

/// A stored key's public half, parsed from its JWK.
pub fn public_key(key: &IssuerKey) -> Result<PublicKey, ServiceError> {
    let jwk: Value = serde_json::from_str(&key.public_jwk)
        .map_err(|error| ServiceError::Internal(format!("key {}: stored JWK: {error}", key.id)))?;
    PublicKey::from_jwk(&jwk)
        .map_err(|error| ServiceError::Internal(format!("key {}: stored JWK: {error}", key.id)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::Utc;
    use laurel_core::keys::{KeyType, SigningKey};
    use laurel_verify::{KeySource, KeyStore};
    use uuid::Uuid;

    use super::*;

    fn key(issuer: Uuid, purpose: KeyPurpose, key_type: KeyType) -> (IssuerKey, PublicKey) {
        let signing = SigningKey::generate(key_type).unwrap();
        let public = signing.public_key();
        let key = IssuerKey {
            id: Uuid::new_v4(),
            issuer_id: issuer,
            purpose,
            algorithm: key_type.name().into(),
            public_jwk: public.to_jwk().to_string(),
            sealed_private_key: vec![1, 2, 3],
            created_at: Utc::now(),
            retired_at: None,
            compromised_since: None,
        };
        (key, public)
    }

    /// Every published form resolves in laurel-verify's key store, with the issuer as
    /// controller: the single documents, the controller document and the JWK Set.
    #[test]
    fn laurel_verify_resolves_every_published_form_with_the_issuer_as_controller() {
        let urls = Urls::new("https://badges.example.org");
        let issuer = Uuid::new_v4();
        let (di, di_public) = key(issuer, KeyPurpose::DataIntegrity, KeyType::Ed25519);
        let (jwt, jwt_public) = key(issuer, KeyPurpose::Jwt, KeyType::P256);
        let issuer_id = urls.issuer(issuer);
        let keys = [di.clone(), jwt.clone()];
        let documents = [
            multikey_document(&urls, &di).unwrap(),
            jwk(&urls, &jwt).unwrap(),
            controller_document(&urls, issuer, &keys).unwrap(),
            jwk_set(&urls, &keys).unwrap(),
        ];
        for (index, document) in documents.iter().enumerate() {
            let mut store = KeyStore::default();
            store.add_document(document, "saved.json").unwrap();
            let wanted: &[(&IssuerKey, &PublicKey)] = match index {
                0 => &[(&di, &di_public)],
                1 => &[(&jwt, &jwt_public)],
                _ => &[(&di, &di_public), (&jwt, &jwt_public)],
            };
            for (key, public) in wanted {
                let resolved = store.resolve(&urls.key(issuer, key.id)).unwrap();
                assert_eq!(&resolved.key, *public, "document {index}");
                assert_eq!(resolved.controller.as_deref(), Some(issuer_id.as_str()));
                assert_eq!(resolved.source, KeySource::Pinned("saved.json".into()));
            }
        }
        let multikey = &documents[0];
        assert_eq!(multikey["type"], "Multikey");
        assert_eq!(multikey["controller"], issuer_id.as_str());
        assert!(
            multikey["publicKeyMultibase"]
                .as_str()
                .unwrap()
                .starts_with("z6Mk")
        );
        assert_eq!(documents[1]["alg"], "ES256");
        assert_eq!(documents[1]["use"], "sig");
    }
}
