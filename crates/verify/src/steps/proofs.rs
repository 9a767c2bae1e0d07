//! The proof step: every Data Integrity proof, or the VC-JWT's signature, checked with a key
//! resolved offline (or online when asked) and bound to the issuer; compromised keys refused
//! for proofs made after their revocation. Apart because it is the step with the most rules.

use super::*;

/// Who signed: the key bound to the issuer when every proof passed, and any key whose
/// signature verified, bound or not (a trust list judges that one: a verified signature by a
/// key that is not the named issuer's is an impersonation; a signature that does not verify
/// says nothing about who made it).
pub(super) struct Signer {
    pub(super) bound: Option<(PublicKey, KeySource)>,
    pub(super) verified: Option<PublicKey>,
}

/// Checks a VC-JWT's signature, claims and key binding. Ok holds the bound key and the
/// step's detail; `verified` gets the key once its signature verifies.
pub(super) fn check_jwt_proof(
    options: &Run,
    decoded: &jwt::DecodedJwt,
    credential: &Value,
    verified: &mut Option<PublicKey>,
) -> Result<(ResolvedKey, String), (Outcome, String)> {
    let issuer = issuer_of(credential);
    let (resolved, key_name, online_reason) = match &decoded.key {
        KeyReference::Jwk(key) => {
            let name = key.describe();
            (
                options.keys.resolve_embedded(key.clone(), None, &name),
                name,
                None,
            )
        }
        KeyReference::Kid(kid) => {
            let (resolved, reason) = binding::resolve(options, kid, issuer.id);
            (resolved, kid.clone(), reason)
        }
    };
    let resolved = resolved.map_err(|Unresolved(reason)| (Outcome::CouldNotCheck, reason))?;
    if let Some(problem) = controller_problem(&resolved, issuer.id) {
        return Err((Outcome::Failed, problem));
    }
    decoded
        .verify_signature(&resolved.key)
        .and_then(|()| decoded.check_claims())
        .map_err(|error| (Outcome::Failed, error.to_string()))?;
    *verified = Some(resolved.key.clone());
    let resolved = binding::bind(options, resolved, &issuer, online_reason)?;
    safe_json_ld(credential)?;
    let note = compromise(&key_name, resolved.revoked, jwt_signed_at(&decoded.payload))
        .map_err(|reason| (Outcome::Failed, reason))?;
    let mut detail = format!(
        "VC-JWT {} signature and claims verify; key {}",
        decoded.alg.jws_alg(),
        resolved.source
    );
    if let Some(note) = note {
        detail.push_str("; ");
        detail.push_str(&note);
    }
    Ok((resolved, detail))
}

pub(super) fn check_proofs(options: &Run, credential: &Value, steps: &mut Vec<Step>) -> Signer {
    let mut verified = None;
    let unsigned = Signer {
        bound: None,
        verified: None,
    };
    let proofs = proof::proofs_of(credential);
    if proofs.is_empty() {
        steps.push(Step {
            name: "proof",
            outcome: Outcome::Failed,
            detail: "the credential has no proof".into(),
        });
        return unsigned;
    }
    if proofs.len() > MAX_PROOFS {
        steps.push(Step {
            name: "proof",
            outcome: Outcome::CouldNotCheck,
            detail: format!(
                "the credential has {} proofs; at most {MAX_PROOFS} are checked",
                proofs.len()
            ),
        });
        return unsigned;
    }
    let issuer = issuer_of(credential);
    // A proof set: every proof must verify (Data Integrity). One that fails makes the
    // credential invalid whatever the others say; one that could not be checked leaves it
    // unchecked.
    let mut passed = Vec::new();
    let mut failed = Vec::new();
    let mut unchecked = Vec::new();
    let mut ignored = Vec::new();
    let mut signer = None;
    for (index, proof) in proofs.iter().enumerate() {
        let label = |text: String| {
            if proofs.len() == 1 {
                text
            } else {
                format!("proof {}: {text}", index + 1)
            }
        };
        match check_one_proof(options, credential, proof, &issuer, &mut verified) {
            Ok((resolved, prepared, compromise_note)) => {
                let mut detail = format!(
                    "{} signature verifies with {} (key {})",
                    prepared.cryptosuite.name(),
                    prepared.verification_method,
                    resolved.source
                );
                if let Some(note) = compromise_note {
                    detail.push_str("; ");
                    detail.push_str(&note);
                }
                passed.push(label(detail));
                signer.get_or_insert((resolved.key, resolved.source));
            }
            Err((Outcome::Failed, reason)) => failed.push(label(reason)),
            Err((Outcome::Skipped, reason)) => ignored.push(label(reason)),
            Err((_, reason)) => unchecked.push(label(reason)),
        }
    }
    let (outcome, mut details) = if !failed.is_empty() {
        (Outcome::Failed, failed)
    } else if !unchecked.is_empty() {
        (Outcome::CouldNotCheck, unchecked)
    } else if passed.is_empty() {
        (Outcome::CouldNotCheck, ignored.clone())
    } else {
        (Outcome::Passed, passed)
    };
    if outcome == Outcome::Passed {
        details.extend(ignored);
    }
    steps.push(Step {
        name: "proof",
        outcome,
        detail: details.join("; "),
    });
    Signer {
        bound: (outcome == Outcome::Passed).then_some(signer).flatten(),
        verified,
    }
}

/// Checks one proof: its shape, its key, the signature, that nothing escaped the signature,
/// and that the key is the issuer's. Ok holds the bound key, what was signed, and a note when
/// the key was marked compromised after the proof was made.
pub(super) fn check_one_proof(
    options: &Run,
    credential: &Value,
    proof: &Map<String, Value>,
    issuer: &Issuer,
    verified: &mut Option<PublicKey>,
) -> Result<(ResolvedKey, proof::Prepared, Option<String>), (Outcome, String)> {
    // A proof of a kind we do not know is no Data Integrity proof we can judge: it is set
    // aside (and said), as 1EdTech's validator does; the known ones must all verify.
    if let Err(error) = proof::Cryptosuite::of_proof(proof) {
        return Err((
            Outcome::Skipped,
            format!("not checked: {error} is not a proof type this verifier knows"),
        ));
    }
    let method = proof
        .get("verificationMethod")
        .and_then(Value::as_str)
        .ok_or((
            Outcome::Failed,
            "the proof has no verificationMethod".to_string(),
        ))?;
    if proof.get("proofPurpose").and_then(Value::as_str) != Some("assertionMethod") {
        return Err((
            Outcome::Failed,
            "proofPurpose is not assertionMethod".into(),
        ));
    }
    if !looks_like_url(method) {
        return Err((
            Outcome::Failed,
            format!("verificationMethod {method:?} is not a URL"),
        ));
    }
    if options.out_of_time() {
        return Err((
            Outcome::CouldNotCheck,
            "the time allowed for checking this credential ran out".into(),
        ));
    }
    let (resolved, online_reason) = binding::resolve(options, method, issuer.id);
    let resolved = resolved.map_err(|Unresolved(reason)| (Outcome::CouldNotCheck, reason))?;
    if let Some(problem) = controller_problem(&resolved, issuer.id) {
        return Err((Outcome::Failed, problem));
    }
    let prepared = match proof::verify_within(credential, proof, &resolved.key, &options.budget) {
        Ok(prepared) => prepared,
        Err(error) => return Err(proof_error(error)),
    };
    if !prepared.unsigned_terms.is_empty() {
        return Err((
            Outcome::Failed,
            format!(
                "the signature is valid, but these fields are not covered by it: {}",
                prepared.unsigned_terms.join(", ")
            ),
        ));
    }
    verified.get_or_insert_with(|| resolved.key.clone());
    let resolved = binding::bind(options, resolved, issuer, online_reason)?;
    let created = match proof.get("created") {
        None => Err("the proof has no created time".to_string()),
        Some(value) => value
            .as_str()
            .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
            .map(|created| created.to_utc())
            .ok_or_else(|| "the proof's created is not an RFC 3339 date-time".to_string()),
    };
    let note = compromise(method, resolved.revoked, created).map_err(|r| (Outcome::Failed, r))?;
    Ok((resolved, prepared, note))
}

/// How a proof error counts: a bad signature, a malformed proof, a document that is not valid
/// JSON-LD, or content the signature cannot cover (safe mode) is a checked failure; a context
/// we do not have, a suite we do not know, or a document too costly to canonicalize is "could
/// not check".
pub(super) fn proof_error(error: ProofError) -> (Outcome, String) {
    use laurel_core::jsonld::JsonLdError;
    let outcome = match &error {
        ProofError::BadSignature | ProofError::Malformed(_) => Outcome::Failed,
        ProofError::JsonLd(
            JsonLdError::Unsafe { .. } | JsonLdError::UndefinedTerms(_) | JsonLdError::Syntax(_),
        ) => Outcome::Failed,
        _ => Outcome::CouldNotCheck,
    };
    (outcome, error.to_string())
}

/// Whether a valid signature by a key its controller marked compromised (`revoked`) still
/// counts. Once the private key may be in other hands a signature proves nothing by itself,
/// so only a proof that says it was made before the compromise is kept; one made at or after
/// it, or that does not say when it was made, is invalid: the controller told us not to trust
/// it, which is a checked failure, not a missing piece.
///
/// `signed` is when the proof says it was made (`created`, or a JWT's `iat` or `nbf`), or why
/// that cannot be told. Ok holds a note for the report when the key is marked at all.
pub(super) fn compromise(
    key: &str,
    revoked: Option<DateTime<Utc>>,
    signed: Result<DateTime<Utc>, String>,
) -> Result<Option<String>, String> {
    let Some(since) = revoked else {
        return Ok(None);
    };
    match signed {
        Ok(at) if at < since => Ok(Some(format!(
            "its controller has since marked key {key} compromised, from {}, after this proof was made on {}",
            format_time(since),
            format_time(at)
        ))),
        Ok(at) => Err(format!(
            "signed by key {key} on {}, but its controller marked that key compromised since {}",
            format_time(at),
            format_time(since)
        )),
        Err(unknown) => Err(format!(
            "signed by key {key}, but its controller marked that key compromised since {} and {unknown}, so the proof cannot be shown to predate the compromise",
            format_time(since)
        )),
    }
}

/// When a VC-JWT says it was signed: `iat`, else `nbf` (a NumericDate, seconds since the
/// epoch; a fraction is rounded up, never making the JWT look older than it says).
pub(super) fn jwt_signed_at(payload: &Map<String, Value>) -> Result<DateTime<Utc>, String> {
    let (claim, value) = ["iat", "nbf"]
        .into_iter()
        .find_map(|claim| payload.get(claim).map(|value| (claim, value)))
        .ok_or_else(|| "the JWT has neither iat nor nbf to say when it was signed".to_string())?;
    let at = match value.as_i64() {
        Some(seconds) => DateTime::from_timestamp(seconds, 0),
        None => value
            .as_f64()
            .filter(|seconds| seconds.is_finite())
            .and_then(|seconds| DateTime::from_timestamp_micros((seconds * 1e6).ceil() as i64)),
    };
    at.ok_or_else(|| format!("the JWT's {claim} is not a NumericDate"))
}

/// A URI needs a scheme: letters, digits, `+`, `-` or `.`, then `:`.
pub(super) fn looks_like_url(text: &str) -> bool {
    text.split_once(':').is_some_and(|(scheme, rest)| {
        !rest.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// The key's controller must be the issuer (a key without a stated controller was vouched for
/// by the user, who pinned it).
pub(super) fn controller_problem(resolved: &ResolvedKey, issuer: &str) -> Option<String> {
    match &resolved.controller {
        Some(controller) if controller != issuer => Some(format!(
            "the key's controller {controller} is not the issuer {issuer}"
        )),
        _ => None,
    }
}
