//! A wallet holder's `did:web` DID document, read to check its DID Authentication.
//!
//! A `did:key` carries its key; a `did:web`'s keys are in a document its host serves
//! (`did:web:wallet.example` at `https://wallet.example/.well-known/did.json`,
//! `did:web:wallet.example:users:ada` at `https://wallet.example/users/ada/did.json`). The
//! presentation names the DID, so it names the host Laurel would fetch from: whoever holds a
//! claim link could point Laurel at any address. So the document is fetched only
//!
//! - for an exchange that is open, after the presentation's challenge, domain, purpose and
//!   cryptosuite have passed (a replayed or misdirected presentation fetches nothing);
//! - over HTTPS, from the origin the DID names, following no redirect;
//! - from public addresses only: loopback, private, link-local, CGNAT, metadata and other
//!   reserved addresses are refused, whether the DID names one or its host name resolves to
//!   one, so a wallet cannot make Laurel probe the network it runs in (SSRF);
//! - within [`HOLDER_DOCUMENT_TIME`] and [`HOLDER_DOCUMENT_BYTES`]; and it is never kept (a
//!   holder may change its keys).
//!
//! The fetching is the service's one fetcher of documents from elsewhere
//! ([`crate::Service::remote_documents`], see [`crate::remote`] for its limits, the ones
//! above); without one, did:web holders are refused in plain words
//! ([`crate::remote::NoLookups`]).
//!
//! The key that signed must be listed under the document's `authentication` relationship (by
//! reference or embedded): a key the holder keeps for other purposes (`assertionMethod`) does
//! not authenticate it. The document's `id` must be the DID, the key's controller the DID,
//! and a key its controller marked `revoked` is refused.

use std::time::{Duration, Instant};

use laurel_core::keys::PublicKey;
use laurel_verify::{Fetch, KeySource, KeyStore};
use serde_json::{Value, json};

/// The most bytes of a holder's DID document read.
pub const HOLDER_DOCUMENT_BYTES: u64 = crate::remote::DOCUMENT_BYTES;

/// The longest a holder's DID document may take, connecting and reading included.
pub const HOLDER_DOCUMENT_TIME: Duration = crate::remote::DOCUMENT_TIME;

/// How a holder's document is fetched, in words for refusals.
pub const FETCH_RULES: &str = "Laurel reads a holder's DID document over HTTPS from the host \
     the did:web names, at a public address, within 5 seconds and 64 KB, without redirects";

/// The key `method` (a DID URL of `holder`, a `did:web`) names, if the holder's DID document
/// lists it under `authentication`. The error completes "the wallet's presentation …".
pub fn authentication_key(
    documents: &dyn Fetch,
    holder: &str,
    method: &str,
) -> Result<PublicKey, String> {
    let Some(url) = laurel_verify::document_url(holder) else {
        return Err(format!(
            "is signed by {holder}, a did:web that does not name a host Laurel can look up"
        ));
    };
    let deadline = Instant::now() + HOLDER_DOCUMENT_TIME;
    let document = documents.fetch_json(&url, deadline).map_err(|reason| {
        format!(
            "is signed by the did:web {holder}, whose DID document could not be read: \
             {reason} ({FETCH_RULES})"
        )
    })?;
    let id = document.get("id").and_then(Value::as_str);
    if id != Some(holder) {
        return Err(format!(
            "is signed by {holder}, but the DID document at {url} is not that DID's (its id \
             is {})",
            id.map_or_else(|| "missing".to_string(), |id| format!("{id:?}"))
        ));
    }
    if !laurel_verify::lists_method(&document, "authentication", holder, method) {
        return Err(format!(
            "is signed with {method}, which the holder's DID document at {url} does not list \
             under \"authentication\": DID Authentication needs one of the holder's \
             authentication keys"
        ));
    }
    // Keys are under `verificationMethod`, or embedded in `authentication` itself.
    let embedded = |member: &str| -> Vec<Value> {
        match document.get(member) {
            Some(Value::Array(items)) => items.iter().filter(|i| i.is_object()).cloned().collect(),
            Some(one @ Value::Object(_)) => vec![one.clone()],
            _ => Vec::new(),
        }
    };
    let mut methods = embedded("verificationMethod");
    methods.extend(embedded("authentication"));
    let keys_document = json!({"id": holder, "verificationMethod": methods});
    let mut keys = KeyStore::default();
    // As for issuers: a listed `#z6Mk…` fragment is a key even with no key material beside it.
    let added = keys.add_with_source(&keys_document, &KeySource::Published(url.clone()));
    let found = keys.resolve(method).map_err(|_| match added {
        Err(error) => format!("names a DID document whose keys cannot be read: {error}"),
        Ok(_) => format!(
            "is signed with {method}, which the holder's DID document at {url} lists but gives \
             no public key for"
        ),
    })?;
    if found.controller.as_deref() != Some(holder) {
        return Err(format!(
            "is signed with {method}, whose controller in {url} is not {holder}"
        ));
    }
    if found.revoked.is_some() {
        return Err(format!(
            "is signed with {method}, which the holder's DID document marks as revoked"
        ));
    }
    Ok(found.key)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::HashMap;

    use laurel_core::keys::SigningKey;

    use super::*;

    /// Documents by URL; anything else "could not be fetched".
    struct Served(HashMap<String, Value>);

    impl Fetch for Served {
        fn fetch_json(&self, url: &str, _: Instant) -> Result<Value, String> {
            self.0
                .get(url)
                .cloned()
                .ok_or_else(|| format!("could not fetch {url}"))
        }
    }

    const HOLDER: &str = "did:web:wallet.example:users:ada";
    const URL: &str = "https://wallet.example/users/ada/did.json";

    fn multikey(seed: u8) -> (PublicKey, String) {
        let key = SigningKey::from_ed25519_seed(&[seed; 32]).public_key();
        let did = key.to_did_key().unwrap();
        (key, did.trim_start_matches("did:key:").to_string())
    }

    fn served(document: Value) -> Served {
        Served(HashMap::from([(URL.to_string(), document)]))
    }

    #[test]
    fn keys_by_reference_relative_or_embedded_under_authentication() {
        let (key, multibase) = multikey(1);
        let method = format!("{HOLDER}#key-1");
        for authentication in [
            json!(["#key-1"]),
            json!([method.clone()]),
            json!([{"id": "#key-1", "type": "Multikey", "controller": HOLDER,
                    "publicKeyMultibase": multibase}]),
        ] {
            let mut document = json!({"id": HOLDER, "authentication": authentication});
            if document["authentication"][0].is_string() {
                document["verificationMethod"] = json!([{"id": "#key-1", "type": "Multikey",
                    "controller": HOLDER, "publicKeyMultibase": multibase}]);
            }
            let found = authentication_key(&served(document.clone()), HOLDER, &method);
            assert_eq!(found, Ok(key.clone()), "{document}");
        }
    }

    #[test]
    fn refusals_say_why() {
        let (_, multibase) = multikey(2);
        let method = format!("{HOLDER}#key-1");
        let vm = json!([{"id": "#key-1", "type": "Multikey", "controller": HOLDER,
                         "publicKeyMultibase": multibase}]);
        let refused =
            |document: Value| authentication_key(&served(document), HOLDER, &method).unwrap_err();
        // Listed for assertions only.
        let error = refused(json!({"id": HOLDER, "verificationMethod": vm,
                                   "assertionMethod": ["#key-1"]}));
        assert!(
            error.contains("does not list under \"authentication\""),
            "{error}"
        );
        // Another DID's document.
        let error = refused(
            json!({"id": "did:web:evil.example", "verificationMethod": vm,
                                   "authentication": ["#key-1"]}),
        );
        assert!(error.contains("is not that DID's"), "{error}");
        // Listed, but no key given.
        let error = refused(json!({"id": HOLDER, "authentication": ["#key-1"]}));
        assert!(
            error.contains("keys cannot be read") || error.contains("no public key"),
            "{error}"
        );
        // Marked compromised.
        let mut revoked = vm.clone();
        revoked[0]["revoked"] = json!("2026-01-01T00:00:00Z");
        let error = refused(json!({"id": HOLDER, "verificationMethod": revoked,
                                   "authentication": ["#key-1"]}));
        assert!(error.contains("revoked"), "{error}");
        // Not served at all.
        let error = authentication_key(&Served(HashMap::new()), HOLDER, &method).unwrap_err();
        assert!(error.contains(&format!("could not fetch {URL}")), "{error}");
        // Nothing is looked up without a fetcher.
        let error = authentication_key(&crate::remote::NoLookups, HOLDER, &method).unwrap_err();
        assert!(
            error.contains("does not fetch documents from elsewhere"),
            "{error}"
        );
    }
}
