//! Checking a wallet's DID Authentication: a Verifiable Presentation signed by the holder's
//! key, for this exchange's challenge and domain, with proof purpose `authentication`.
//!
//! Accepted proofs: `Ed25519Signature2020` (what the Learner Credential Wallet signs with,
//! through Digital Bazaar's `vc.signPresentation`) and `eddsa-rdfc-2022`. The key must be the
//! holder DID's own: a `did:key` is resolved locally (the key is in the DID); a `did:web`'s key
//! must be listed under `authentication` in the DID document its host serves, fetched within
//! strict limits once every other check has passed ([`super::did_web`]).

use laurel_core::budget::Budget;
use laurel_core::keys::PublicKey;
use laurel_core::proof::{self, Cryptosuite, ProofError};
use laurel_verify::Fetch;
use serde_json::{Map, Value};

use super::did::check_holder;
use super::did_web::authentication_key;
use crate::ServiceError;

/// Checks `presentation`'s DID Authentication and returns the holder's DID. A `did:web`
/// holder's DID document is read through `documents` (blocking: call off the async threads).
pub fn verify_did_auth(
    presentation: &Value,
    challenge: &str,
    domain: &str,
    documents: &dyn Fetch,
) -> Result<String, ServiceError> {
    let refuse = |why: String| ServiceError::Invalid(format!("the wallet's presentation {why}"));
    let types = match presentation.get("type") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.contains(&"VerifiablePresentation") {
        return Err(refuse("is not of type VerifiablePresentation".into()));
    }
    let proofs = proof::proofs_of(presentation);
    let proof = match proofs.as_slice() {
        [] => return Err(refuse("is not signed (it has no proof)".into())),
        [one] => *one,
        _ => return Err(refuse("has more than one proof; send one".into())),
    };
    let text = |name: &str| proof.get(name).and_then(Value::as_str).unwrap_or_default();
    if text("proofPurpose") != "authentication" {
        return Err(refuse(format!(
            "has proofPurpose {:?}; DID Authentication needs \"authentication\"",
            text("proofPurpose")
        )));
    }
    if text("challenge") != challenge {
        return Err(refuse(
            "answers another challenge than this exchange's: it may be a replay, or from \
             another exchange"
                .into(),
        ));
    }
    if !domain_matches(proof, domain) {
        return Err(refuse(format!(
            "names the domain {:?}, not {domain:?}",
            text("domain")
        )));
    }
    match Cryptosuite::of_proof(proof) {
        Ok(Cryptosuite::EddsaRdfc2022 | Cryptosuite::Ed25519Signature2020) => {}
        _ => {
            return Err(refuse(
                "is signed with a proof Laurel does not accept here: use Ed25519Signature2020 \
                 or eddsa-rdfc-2022"
                    .into(),
            ));
        }
    }
    let method = text("verificationMethod");
    let holder = method.split('#').next().unwrap_or_default().to_string();
    if !holder.starts_with("did:key:") && !holder.starts_with("did:web:") {
        return Err(refuse(format!(
            "is signed by {method:?}, which is not a did:key or did:web key"
        )));
    }
    match holder_of(presentation) {
        Some(named) if named != holder => {
            return Err(refuse(format!(
                "names the holder {named:?} but is signed by another key ({holder})"
            )));
        }
        _ => {}
    }
    let key = if holder.starts_with("did:web:") {
        // The DID's syntax first: nothing is fetched for a malformed one.
        check_holder(&holder)?;
        authentication_key(documents, &holder, method).map_err(refuse)?
    } else {
        PublicKey::from_did_key(method)
            .map_err(|error| refuse(format!("names a key that cannot be read: {error}")))?
    };
    match proof::verify_within(presentation, proof, &key, &Budget::for_one_document()) {
        Ok(_) => Ok(holder),
        Err(ProofError::BadSignature) => Err(refuse(
            "has a signature that does not match its content and the holder's key".into(),
        )),
        Err(error) => Err(refuse(format!("could not be checked: {error}"))),
    }
}

/// The presentation's `holder` (a string, or an object's `id`).
fn holder_of(presentation: &Value) -> Option<&str> {
    match presentation.get("holder")? {
        Value::String(id) => Some(id),
        Value::Object(holder) => holder.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// Whether the proof's `domain` (a string, or a list) is `domain`.
fn domain_matches(proof: &Map<String, Value>, domain: &str) -> bool {
    match proof.get("domain") {
        Some(Value::String(one)) => one == domain,
        Some(Value::Array(many)) => many.iter().any(|d| d.as_str() == Some(domain)),
        _ => false,
    }
}
