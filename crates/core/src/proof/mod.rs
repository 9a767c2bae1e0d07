//! Data Integrity proofs: `eddsa-rdfc-2022`, `eddsa-jcs-2022`, and legacy `Ed25519Signature2020`.
//!
//! All three sign the same thing: `SHA-256(canonical proof options) ‖ SHA-256(canonical
//! document)`, where the document is the credential without its `proof`, and the proof options
//! are the proof without its `proofValue`, given the document's `@context`. They differ only in
//! the canonical form (RDFC-1.0 N-Quads or RFC 8785 JCS), so one code path serves all three and
//! the verifier can report the intermediate values when a signature fails.
//!
//! Signing and verifying refuse documents that fail JSON-LD safe mode or use terms no context
//! defines: under `eddsa-rdfc-2022` such content would be silently left out of the signature
//! (see [`crate::jsonld`]); under `eddsa-jcs-2022` it is signed but other consumers drop it.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::budget::Budget;
use crate::jsonld::{self, Document, JsonLdError};
use crate::keys::{
    BadSignature, KeyError, KeyType, PublicKey, SigningKey, decode_multibase_base58,
    encode_multibase_base58,
};

/// The proof suites this module creates or checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cryptosuite {
    /// DataIntegrityProof with RDF Dataset Canonicalization: the Open Badges default.
    EddsaRdfc2022,
    /// DataIntegrityProof with the JSON Canonicalization Scheme.
    EddsaJcs2022,
    /// The pre-standard `Ed25519Signature2020` suite (verify only).
    Ed25519Signature2020,
}

impl Cryptosuite {
    /// The name as it appears in a proof (`cryptosuite`, or `type` for the legacy suite).
    pub fn name(self) -> &'static str {
        match self {
            Cryptosuite::EddsaRdfc2022 => "eddsa-rdfc-2022",
            Cryptosuite::EddsaJcs2022 => "eddsa-jcs-2022",
            Cryptosuite::Ed25519Signature2020 => "Ed25519Signature2020",
        }
    }

    /// Which suite a proof object uses, if one we know.
    pub fn of_proof(proof: &Map<String, Value>) -> Result<Self, ProofError> {
        let proof_type = proof
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let suite = proof.get("cryptosuite").and_then(Value::as_str);
        match (proof_type, suite) {
            ("DataIntegrityProof", Some("eddsa-rdfc-2022")) => Ok(Cryptosuite::EddsaRdfc2022),
            // The cryptosuite's name before the W3C renamed it; same algorithm.
            ("DataIntegrityProof", Some("eddsa-2022")) => Ok(Cryptosuite::EddsaRdfc2022),
            ("DataIntegrityProof", Some("eddsa-jcs-2022")) => Ok(Cryptosuite::EddsaJcs2022),
            ("Ed25519Signature2020", _) => Ok(Cryptosuite::Ed25519Signature2020),
            ("DataIntegrityProof", other) => Err(ProofError::Unsupported(format!(
                "cryptosuite {}",
                other.map_or("(missing)".to_string(), |s| format!("{s:?}"))
            ))),
            (other, _) => Err(ProofError::Unsupported(format!("proof type {other:?}"))),
        }
    }
}

/// Why a proof could not be created or checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The document or proof is not shaped as the suite requires.
    #[error("malformed: {0}")]
    Malformed(String),
    /// A suite, proof type or key type we do not handle.
    #[error("unsupported {0}")]
    Unsupported(String),
    /// JSON-LD processing failed (unknown context, undefined term, too complex).
    #[error(transparent)]
    JsonLd(#[from] JsonLdError),
    /// The key could not be used.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The signature does not match the document and key.
    #[error("the signature does not match the credential and key")]
    BadSignature,
}

impl From<BadSignature> for ProofError {
    fn from(_: BadSignature) -> Self {
        ProofError::BadSignature
    }
}

/// What a new proof says besides its signature.
#[derive(Debug, Clone)]
pub struct ProofOptions {
    /// `eddsa-rdfc-2022` or `eddsa-jcs-2022`.
    pub cryptosuite: Cryptosuite,
    /// The URL of the public key, e.g. `did:key:z6Mk…#z6Mk…` or `https://issuer#key-1`.
    pub verification_method: String,
    /// When the proof was made (written in UTC with `Z`).
    pub created: DateTime<Utc>,
}

/// The data a proof's signature covers, with the canonical forms it was computed from.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The suite of the proof.
    pub cryptosuite: Cryptosuite,
    /// The proof's `verificationMethod`.
    pub verification_method: String,
    /// The canonical proof options.
    pub canonical_proof: String,
    /// The canonical document.
    pub canonical_document: String,
    /// `SHA-256(canonical_proof) ‖ SHA-256(canonical_document)`: what is signed.
    pub hash_data: Vec<u8>,
    /// Terms of the document that no context defines and that the signature does not cover
    /// (RDF suites only; always empty for documents Laurel signs).
    pub unsigned_terms: Vec<String>,
}

/// Adds a Data Integrity proof to `document`, returning the signed document.
///
/// `proof` is always written as an array, as Open Badges requires; an existing proof is kept
/// (a proof set), and, as the spec says, is not itself covered by the new signature.
pub fn sign(
    document: &Value,
    key: &SigningKey,
    options: &ProofOptions,
) -> Result<Value, ProofError> {
    sign_within(document, key, options, &Budget::for_one_document())
}

/// [`sign`], charging canonicalization to `budget` (a learner record nesting many credentials
/// needs [`Budget::for_record`]).
pub fn sign_within(
    document: &Value,
    key: &SigningKey,
    options: &ProofOptions,
    budget: &Budget,
) -> Result<Value, ProofError> {
    if key.key_type() != KeyType::Ed25519 {
        return Err(ProofError::Unsupported(format!(
            "key type for {}: Data Integrity EdDSA proofs need an Ed25519 key",
            options.cryptosuite.name()
        )));
    }
    let (unsecured, existing) = split_proofs(document)?;
    let mut proof = Map::new();
    match options.cryptosuite {
        Cryptosuite::EddsaRdfc2022 | Cryptosuite::EddsaJcs2022 => {
            proof.insert("type".into(), "DataIntegrityProof".into());
            proof.insert("cryptosuite".into(), options.cryptosuite.name().into());
        }
        Cryptosuite::Ed25519Signature2020 => {
            return Err(ProofError::Unsupported(
                "Ed25519Signature2020 for signing (it is accepted only when verifying)".into(),
            ));
        }
    }
    let created = options.created.to_rfc3339_opts(SecondsFormat::Secs, true);
    proof.insert("created".into(), created.into());
    proof.insert(
        "verificationMethod".into(),
        options.verification_method.clone().into(),
    );
    proof.insert("proofPurpose".into(), "assertionMethod".into());
    if options.cryptosuite == Cryptosuite::EddsaJcs2022 {
        let context = unsecured
            .get("@context")
            .cloned()
            .ok_or_else(|| ProofError::Malformed("the document has no @context".into()))?;
        proof.insert("@context".into(), context);
    }
    let prepared = prepare_parts(
        Document::new(&unsecured),
        Document::new(&proof),
        options.cryptosuite,
        true,
        budget,
    )?;
    let signature = key.sign(&prepared.hash_data)?;
    proof.insert(
        "proofValue".into(),
        encode_multibase_base58(&signature).into(),
    );
    let mut proofs = existing;
    proofs.push(Value::Object(proof));
    let mut signed = unsecured;
    signed.insert("proof".into(), Value::Array(proofs));
    Ok(Value::Object(signed))
}

/// The proofs of a document, each as an object (a single `proof` object counts as one).
pub fn proofs_of(document: &Value) -> Vec<&Map<String, Value>> {
    match document.get("proof") {
        Some(Value::Array(proofs)) => proofs.iter().filter_map(Value::as_object).collect(),
        Some(Value::Object(proof)) => vec![proof],
        _ => Vec::new(),
    }
}

/// Recomputes what `proof` (one of `document`'s proofs) signed.
pub fn prepare(document: &Value, proof: &Map<String, Value>) -> Result<Prepared, ProofError> {
    prepare_within(document, proof, &Budget::for_one_document())
}

/// [`prepare`], charging canonicalization to `budget`.
pub fn prepare_within(
    document: &Value,
    proof: &Map<String, Value>,
    budget: &Budget,
) -> Result<Prepared, ProofError> {
    let members = document
        .as_object()
        .ok_or_else(|| ProofError::Malformed("a credential must be a JSON object".into()))?;
    match members.get("proof") {
        None | Some(Value::Array(_) | Value::Object(_)) => {}
        Some(_) => {
            return Err(ProofError::Malformed(
                "proof must be an object or array".into(),
            ));
        }
    }
    // Read in place: the document without its proofs, the proof without its value.
    let unsecured = Document {
        members,
        without: &["proof"],
        context: None,
    };
    let options = Document {
        members: proof,
        without: &["proofValue"],
        context: None,
    };
    let cryptosuite = Cryptosuite::of_proof(proof)?;
    if cryptosuite == Cryptosuite::EddsaJcs2022 {
        check_jcs_context(&unsecured, &options)?;
    }
    prepare_parts(unsecured, options, cryptosuite, false, budget)
}

/// Checks `proof` on `document` with `key`.
pub fn verify(
    document: &Value,
    proof: &Map<String, Value>,
    key: &PublicKey,
) -> Result<Prepared, ProofError> {
    verify_within(document, proof, key, &Budget::for_one_document())
}

/// [`verify`], charging canonicalization to `budget`: what a verifier of untrusted input uses,
/// so that all the documents of one input share one bound.
pub fn verify_within(
    document: &Value,
    proof: &Map<String, Value>,
    key: &PublicKey,
    budget: &Budget,
) -> Result<Prepared, ProofError> {
    let prepared = prepare_within(document, proof, budget)?;
    let signature = signature_of(proof)?;
    if key.key_type() != KeyType::Ed25519 {
        return Err(ProofError::Unsupported(format!(
            "{:?} key for {}",
            key.key_type(),
            prepared.cryptosuite.name()
        )));
    }
    key.verify(&prepared.hash_data, &signature)?;
    Ok(prepared)
}

/// The decoded `proofValue` of a proof.
pub fn signature_of(proof: &Map<String, Value>) -> Result<Vec<u8>, ProofError> {
    let value = proof
        .get("proofValue")
        .and_then(Value::as_str)
        .ok_or_else(|| ProofError::Malformed("the proof has no proofValue".into()))?;
    let signature = decode_multibase_base58(value)
        .map_err(|_| ProofError::Malformed("proofValue is not multibase base58btc".into()))?;
    if signature.len() != 64 {
        return Err(ProofError::Malformed(format!(
            "proofValue holds {} bytes; an Ed25519 signature has 64",
            signature.len()
        )));
    }
    Ok(signature)
}

/// The document without `proof`, and its existing proofs.
fn split_proofs(document: &Value) -> Result<(Map<String, Value>, Vec<Value>), ProofError> {
    let mut unsecured = document
        .as_object()
        .cloned()
        .ok_or_else(|| ProofError::Malformed("a credential must be a JSON object".into()))?;
    let existing = match unsecured.remove("proof") {
        Some(Value::Array(proofs)) => proofs,
        Some(proof @ Value::Object(_)) => vec![proof],
        Some(_) => {
            return Err(ProofError::Malformed(
                "proof must be an object or array".into(),
            ));
        }
        None => Vec::new(),
    };
    Ok((unsecured, existing))
}

/// eddsa-jcs-2022: the document's `@context` must start with the proof's, in order.
fn check_jcs_context(document: &Document<'_>, options: &Document<'_>) -> Result<(), ProofError> {
    let as_list = |value: Option<&Value>| match value {
        Some(Value::Array(items)) => items.clone(),
        Some(other) => vec![other.clone()],
        None => Vec::new(),
    };
    let document_context = as_list(document.get("@context"));
    let proof_context = as_list(options.get("@context"));
    if !proof_context.is_empty() && !document_context.starts_with(&proof_context) {
        return Err(ProofError::Malformed(
            "the proof's @context is not a prefix of the document's @context".into(),
        ));
    }
    Ok(())
}

fn prepare_parts(
    unsecured: Document<'_>,
    options: Document<'_>,
    cryptosuite: Cryptosuite,
    signing: bool,
    budget: &Budget,
) -> Result<Prepared, ProofError> {
    let verification_method = options
        .get("verificationMethod")
        .and_then(Value::as_str)
        .ok_or_else(|| ProofError::Malformed("the proof has no verificationMethod".into()))?
        .to_string();
    if let Some(created) = options.get("created") {
        let valid = created
            .as_str()
            .is_some_and(|text| DateTime::parse_from_rfc3339(text).is_ok());
        if !valid {
            return Err(ProofError::Malformed(
                "the proof's created is not an RFC 3339 date-time".into(),
            ));
        }
    }
    let (canonical_proof, canonical_document, unsigned_terms) = match cryptosuite {
        Cryptosuite::EddsaJcs2022 => {
            // JCS signs the JSON itself, so nothing goes unsigned; but every JSON-LD consumer
            // of the credential would see less than its JSON says, so the same safe-mode rules
            // apply as for the RDF suite.
            jsonld::check_safe_document(&unsecured)?;
            (
                jcs(&options.owned_value())?,
                jcs(&unsecured.owned_value())?,
                vec![],
            )
        }
        Cryptosuite::EddsaRdfc2022 | Cryptosuite::Ed25519Signature2020 => {
            let context = unsecured
                .get("@context")
                .ok_or_else(|| ProofError::Malformed("the document has no @context".into()))?;
            // The proof options, given the document's @context.
            let options = Document {
                context: Some(context),
                ..options
            };
            // Signing only, with the options `sign_within` built (see `options_memo`).
            let proof = if signing && options.without.is_empty() {
                options_memo::canonical_proof_options(context, options.members, || {
                    jsonld::canonicalize_strict_document_within(&options, budget)
                })?
            } else {
                jsonld::canonicalize_strict_document_within(&options, budget)?
            };
            let (document, unsigned) = if signing {
                (
                    jsonld::canonicalize_strict_document_within(&unsecured, budget)?,
                    Vec::new(),
                )
            } else {
                let canonical = jsonld::canonicalize_document_within(&unsecured, budget)?;
                (canonical.nquads, canonical.undefined_terms)
            };
            (proof, document, unsigned)
        }
    };
    let mut hash_data = Sha256::digest(canonical_proof.as_bytes()).to_vec();
    hash_data.extend_from_slice(&Sha256::digest(canonical_document.as_bytes()));
    Ok(Prepared {
        cryptosuite,
        verification_method,
        canonical_proof,
        canonical_document,
        hash_data,
        unsigned_terms,
    })
}

fn jcs(value: &Value) -> Result<String, ProofError> {
    serde_json_canonicalizer::to_string(value)
        .map_err(|error| ProofError::Malformed(format!("cannot canonicalize JSON: {error}")))
}

mod options_memo;

#[cfg(test)]
mod tests;
