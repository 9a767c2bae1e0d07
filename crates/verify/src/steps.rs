//! The verification steps, in the order OB 3.0 "Verification and Validation" gives them.

use chrono::{DateTime, Utc};
use laurel_core::jwt::{self, JwtError, KeyReference, issuer_id};
use laurel_core::keys::PublicKey;
use laurel_core::model::IdentityObject;
use laurel_core::proof::{self, ProofError};
use laurel_core::schema::Schema;
use serde_json::{Map, Value};

use crate::binding::{self, Issuer};
use crate::input::{Container, Credential};
use crate::keys::{KeySource, ResolvedKey, Unresolved, format_time};
use crate::report::{IssuerReport, Outcome, Report, Step};
use crate::run::Run;
use crate::trust::Trust;
use crate::{Options, status};

const VC_V2: &str = "https://www.w3.org/ns/credentials/v2";
const VC_V1: &str = "https://www.w3.org/2018/credentials/v1";
const OB_CONTEXTS: [&str; 5] = [
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.0.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
];
/// Endorsements inside endorsements inside status lists: deeper than this is refused.
const MAX_DEPTH: usize = 3;
/// The most proofs one credential may carry (a proof set); more are not checked.
const MAX_PROOFS: usize = 4;
/// The most endorsements checked in one credential.
const MAX_ENDORSEMENTS: usize = 16;

/// What kind of credential is being checked, which decides the steps that apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An OpenBadgeCredential / AchievementCredential: every step.
    Achievement,
    /// An EndorsementCredential found inside another credential.
    Endorsement,
    /// A BitstringStatusListCredential: proof and dates only.
    StatusList,
}

/// Runs every step on one credential.
pub(crate) fn run(
    options: &Options,
    container: Container,
    credential: Credential,
    kind: Kind,
) -> Report {
    let options = &Run::new(options);
    let is_endorsement =
        |value: &Value| string_list(value.get("type")).contains(&"EndorsementCredential");
    match credential {
        Credential::Json(value) => {
            let kind = if is_endorsement(&value) {
                Kind::Endorsement
            } else {
                kind
            };
            let mut report = run_value(options, value, kind, 0);
            report.container = Some(container);
            report
        }
        Credential::Jwt(compact) => run_jwt(options, container, &compact, kind, 0),
    }
}

/// Runs every step on a JSON credential (embedded proof).
pub(crate) fn run_value(options: &Run, credential: Value, kind: Kind, depth: usize) -> Report {
    let steps = vec![Step {
        name: "parse",
        outcome: Outcome::Passed,
        detail: "JSON credential".into(),
    }];
    let proof = |steps: &mut Vec<Step>| check_proofs(options, &credential, steps);
    finish(options, &credential, kind, depth, steps, proof)
}

fn run_jwt(options: &Run, container: Container, compact: &str, kind: Kind, depth: usize) -> Report {
    let decoded = match jwt::decode(compact) {
        Ok(decoded) => decoded,
        Err(error @ JwtError::Malformed(_)) => return Report::unreadable(error.to_string()),
        Err(error) => {
            let steps = vec![
                Step {
                    name: "parse",
                    outcome: Outcome::Passed,
                    detail: "compact JWS".into(),
                },
                Step {
                    name: "proof",
                    outcome: Outcome::Failed,
                    detail: error.to_string(),
                },
            ];
            return Report::from_steps(Some(container), None, None, steps);
        }
    };
    let steps = vec![Step {
        name: "parse",
        outcome: Outcome::Passed,
        detail: format!("VC-JWT ({})", decoded.alg.jws_alg()),
    }];
    let credential = decoded.credential.clone();
    let proof = |steps: &mut Vec<Step>| -> Signer {
        let mut verified = None;
        let result = check_jwt_proof(options, &decoded, &credential, &mut verified);
        let (outcome, detail, bound) = match result {
            Ok((resolved, detail)) => (Outcome::Passed, detail, Some(resolved)),
            Err((outcome, detail)) => (outcome, detail, None),
        };
        steps.push(Step {
            name: "proof",
            outcome,
            detail,
        });
        Signer {
            bound: bound.map(|resolved| (resolved.key, resolved.source)),
            verified,
        }
    };
    let mut report = finish(options, &credential, kind, depth, steps, proof);
    report.container = Some(container);
    report
}

/// Who signed: the key bound to the issuer when every proof passed, and any key whose
/// signature verified, bound or not (a trust list judges that one: a verified signature by a
/// key that is not the named issuer's is an impersonation; a signature that does not verify
/// says nothing about who made it).
struct Signer {
    bound: Option<(PublicKey, KeySource)>,
    verified: Option<PublicKey>,
}

/// Checks a VC-JWT's signature, claims and key binding. Ok holds the bound key and the
/// step's detail; `verified` gets the key once its signature verifies.
fn check_jwt_proof(
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

/// A JWT's signature covers its JSON, but readers of the credential process it as JSON-LD:
/// what they would drop (safe mode) or not understand makes it invalid, as for embedded
/// proofs; a context we do not have leaves it unchecked.
fn safe_json_ld(credential: &Value) -> Result<(), (Outcome, String)> {
    use laurel_core::jsonld::{JsonLdError, check_safe};
    match check_safe(credential) {
        Ok(()) => Ok(()),
        Err(error @ (JsonLdError::UnknownContext(_) | JsonLdError::TooComplex(_))) => {
            Err((Outcome::CouldNotCheck, error.to_string()))
        }
        Err(error) => Err((Outcome::Failed, error.to_string())),
    }
}

/// The issuer a credential names: its id (empty if none) and name.
fn issuer_of(credential: &Value) -> Issuer<'_> {
    let map = credential.as_object();
    Issuer {
        id: map.and_then(issuer_id).unwrap_or_default(),
        name: map
            .and_then(|m| m.get("issuer"))
            .and_then(|issuer| issuer.get("name"))
            .and_then(Value::as_str),
    }
}

/// The steps after parsing, shared by JSON and JWT; `proof` adds the proof step.
fn finish(
    options: &Run,
    credential: &Value,
    kind: Kind,
    depth: usize,
    mut steps: Vec<Step>,
    proof: impl FnOnce(&mut Vec<Step>) -> Signer,
) -> Report {
    let push = |steps: &mut Vec<Step>, name, (outcome, detail): (Outcome, String)| {
        steps.push(Step {
            name,
            outcome,
            detail,
        });
    };
    push(&mut steps, "context", context_and_type(credential, kind));
    if kind != Kind::StatusList {
        push(&mut steps, "schema", schema(credential, kind));
    }
    let signer = proof(&mut steps);
    if kind != Kind::StatusList {
        push(
            &mut steps,
            "status",
            status::check(options, credential, depth),
        );
    }
    push(&mut steps, "dates", dates(credential, options.now));
    if kind == Kind::Achievement {
        push(
            &mut steps,
            "recipient",
            recipient(credential, options.recipient.as_deref()),
        );
        push(
            &mut steps,
            "endorsements",
            endorsements(options, credential, depth),
        );
    }
    let named = issuer_of(credential);
    let issuer = (!named.id.is_empty()).then(|| {
        let trust = match &options.trust {
            Some(list) => list.judge(named.id, named.name, signer.verified.as_ref()),
            None => Trust::Unknown,
        };
        IssuerReport {
            id: named.id.to_string(),
            name: named.name.map(str::to_string),
            key: signer
                .bound
                .as_ref()
                .map(|(key, source)| format!("{} ({source})", key.describe())),
            bound_by: signer
                .bound
                .as_ref()
                .and_then(|(_, source)| crate::Binding::of(source)),
            trust,
        }
    });
    let id = credential
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut report = Report::from_steps(None, id, issuer, steps);
    if kind == Kind::Achievement {
        report.recipient_name = credential
            .get("credentialSubject")
            .map(value_list)
            .unwrap_or_default()
            .into_iter()
            .find_map(laurel_core::model::subject_name);
    }
    report
}

fn context_and_type(credential: &Value, kind: Kind) -> (Outcome, String) {
    let contexts: Vec<&str> = match credential.get("@context") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(one)) => vec![one.as_str()],
        _ => return (Outcome::Failed, "the credential has no @context".into()),
    };
    if !matches!(contexts.first(), Some(&VC_V2) | Some(&VC_V1)) {
        return (
            Outcome::Failed,
            format!("the first @context must be {VC_V2} (or the VCDM 1.1 {VC_V1})"),
        );
    }
    let types = string_list(credential.get("type"));
    if !types.contains(&"VerifiableCredential") {
        return (
            Outcome::Failed,
            "type does not include VerifiableCredential".into(),
        );
    }
    let wanted: &[&str] = match kind {
        Kind::Achievement => &["OpenBadgeCredential", "AchievementCredential"],
        Kind::Endorsement => &["EndorsementCredential"],
        Kind::StatusList => &["BitstringStatusListCredential"],
    };
    if !types.iter().any(|t| wanted.contains(t)) {
        return (
            Outcome::Failed,
            format!("type does not include {}", wanted.join(" or ")),
        );
    }
    if kind != Kind::StatusList && !contexts.iter().any(|c| OB_CONTEXTS.contains(c)) {
        return (
            Outcome::Failed,
            "no Open Badges 3.0 context (https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.x.json)".into(),
        );
    }
    (
        Outcome::Passed,
        format!("{} with {}", types.join(", "), contexts.join(", ")),
    )
}

fn schema(credential: &Value, kind: Kind) -> (Outcome, String) {
    let canonical = match kind {
        Kind::Endorsement => Schema::EndorsementCredential,
        _ => Schema::AchievementCredential,
    };
    // The bundled schemas are for VCDM 2.0; a VCDM 1.1 credential is checked in its 2.0 shape.
    let mut document = if credential.get("issuanceDate").is_some() {
        as_vcdm2(credential)
    } else {
        credential.clone()
    };
    expand_compacted(&mut document);
    let mut violations = canonical.validate(&document);
    let mut unchecked = Vec::new();
    for entry in object_list(credential.get("credentialSchema")) {
        let id = entry.get("id").and_then(Value::as_str).unwrap_or_default();
        match Schema::by_id(id) {
            Some(schema) if schema != canonical => violations.extend(schema.validate(&document)),
            Some(_) => {}
            None => unchecked.push(id.to_string()),
        }
    }
    if let Some(violation) = violations.first() {
        let more = if violations.len() > 1 {
            format!(" (and {} more)", violations.len() - 1)
        } else {
            String::new()
        };
        return (Outcome::Failed, format!("{violation}{more}"));
    }
    let mut detail = "conforms to the Open Badges 3.0 JSON Schema".to_string();
    if !unchecked.is_empty() {
        detail.push_str(&format!(
            "; credentialSchema {} not bundled, not checked",
            unchecked.join(", ")
        ));
    }
    (Outcome::Passed, detail)
}

/// Undoes JSON-LD compaction of one-element arrays, for schema checks only: `type` strings
/// become arrays (except the classes whose schema wants a string), as do a single `proof` or
/// `credentialSchema` object. The data is the same; 1EdTech's validator accepts both forms.
fn expand_compacted(value: &mut Value) {
    const STRING_TYPES: [&str; 4] = [
        "IdentityObject",
        "Image",
        "IdentifierEntry",
        "GeoCoordinates",
    ];
    match value {
        Value::Object(map) => {
            match map.get("type") {
                Some(Value::String(kind)) if !STRING_TYPES.contains(&kind.as_str()) => {
                    let kind = Value::String(kind.clone());
                    map.insert("type".into(), Value::Array(vec![kind]));
                }
                // The same data the other way round: a one-element array where the schema
                // wants the class name as a string (DCC's fixtures write `["GeoCoordinates"]`).
                Some(Value::Array(kinds))
                    if kinds.len() == 1
                        && kinds[0]
                            .as_str()
                            .is_some_and(|kind| STRING_TYPES.contains(&kind)) =>
                {
                    let kind = kinds[0].clone();
                    map.insert("type".into(), kind);
                }
                _ => {}
            }
            for key in ["proof", "credentialSchema"] {
                if let Some(single @ Value::Object(_)) = map.get_mut(key) {
                    *single = Value::Array(vec![single.take()]);
                }
            }
            for (key, child) in map.iter_mut() {
                // These objects' `type` is a plain string in the schema.
                let leave = [
                    "proof",
                    "credentialStatus",
                    "credentialSchema",
                    "refreshService",
                    "termsOfUse",
                ];
                if !leave.contains(&key.as_str()) {
                    expand_compacted(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(expand_compacted),
        _ => {}
    }
}

/// A VCDM 1.1 credential in VCDM 2.0 shape, for schema checks only.
fn as_vcdm2(credential: &Value) -> Value {
    let mut copy = credential.clone();
    if let Some(map) = copy.as_object_mut() {
        if let Some(date) = map.remove("issuanceDate") {
            map.insert("validFrom".into(), date);
        }
        if let Some(date) = map.remove("expirationDate") {
            map.insert("validUntil".into(), date);
        }
        if let Some(Value::Array(contexts)) = map.get_mut("@context")
            && let Some(first) = contexts.first_mut()
        {
            *first = Value::String(VC_V2.into());
        }
    }
    copy
}

fn check_proofs(options: &Run, credential: &Value, steps: &mut Vec<Step>) -> Signer {
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
fn check_one_proof(
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
fn proof_error(error: ProofError) -> (Outcome, String) {
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
fn compromise(
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
fn jwt_signed_at(payload: &Map<String, Value>) -> Result<DateTime<Utc>, String> {
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
fn looks_like_url(text: &str) -> bool {
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
fn controller_problem(resolved: &ResolvedKey, issuer: &str) -> Option<String> {
    match &resolved.controller {
        Some(controller) if controller != issuer => Some(format!(
            "the key's controller {controller} is not the issuer {issuer}"
        )),
        _ => None,
    }
}

fn dates(credential: &Value, now: DateTime<Utc>) -> (Outcome, String) {
    let date = |names: &[&str]| -> Result<Option<DateTime<Utc>>, String> {
        for name in names {
            if let Some(value) = credential.get(*name) {
                return value
                    .as_str()
                    .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
                    .map(|date| Some(date.to_utc()))
                    .ok_or(format!("{name} is not an RFC 3339 date-time"));
            }
        }
        Ok(None)
    };
    let (from, until) = match (
        date(&["validFrom", "issuanceDate"]),
        date(&["validUntil", "expirationDate"]),
    ) {
        (Ok(from), Ok(until)) => (from, until),
        (Err(reason), _) | (_, Err(reason)) => return (Outcome::Failed, reason),
    };
    let at = now.format("%Y-%m-%dT%H:%M:%SZ");
    if let Some(from) = from.filter(|from| *from > now) {
        return (
            Outcome::Failed,
            format!(
                "not yet valid: valid from {} (checked at {at})",
                from.format("%Y-%m-%dT%H:%M:%SZ")
            ),
        );
    }
    if let Some(until) = until.filter(|until| *until < now) {
        return (
            Outcome::Failed,
            format!(
                "expired on {} (checked at {at})",
                until.format("%Y-%m-%dT%H:%M:%SZ")
            ),
        );
    }
    let range = match until {
        Some(until) => format!("valid until {}", until.format("%Y-%m-%dT%H:%M:%SZ")),
        None => "no expiry".to_string(),
    };
    (Outcome::Passed, format!("in force at {at}; {range}"))
}

fn recipient(credential: &Value, email: Option<&str>) -> (Outcome, String) {
    let Some(email) = email else {
        return (Outcome::Skipped, "no --recipient given".into());
    };
    let subjects = object_list(credential.get("credentialSubject"));
    let matched = subjects.iter().any(|subject| {
        let by_id = subject.get("id").and_then(Value::as_str)
            == Some(format!("mailto:{}", laurel_core::model::normalize_email(email)).as_str());
        let by_identifier = object_list(subject.get("identifier"))
            .iter()
            .any(|identifier| {
                serde_json::from_value::<IdentityObject>(Value::Object((*identifier).clone()))
                    .is_ok_and(|identity| identity.matches("emailAddress", email))
            });
        by_id || by_identifier
    });
    if matched {
        (Outcome::Passed, format!("issued to {email}"))
    } else {
        (Outcome::Failed, format!("not issued to {email}"))
    }
}

/// Endorsements are third parties' claims about the issuer, the achievement or the
/// credential. One that does not verify, or has expired, is reported as its own finding (a
/// warning): the badge is still the issuer's badge.
fn endorsements(options: &Run, credential: &Value, depth: usize) -> (Outcome, String) {
    let mut found = Vec::new();
    collect_endorsements(credential, &mut found, 0);
    if found.is_empty() {
        return (Outcome::Skipped, "no endorsements".into());
    }
    if depth >= MAX_DEPTH {
        return (
            Outcome::Warning,
            "endorsements nested too deeply were not checked".into(),
        );
    }
    let total = found.len();
    let mut findings = Vec::new();
    for (index, endorsement) in found.into_iter().take(MAX_ENDORSEMENTS).enumerate() {
        let report = match endorsement {
            Credential::Json(value) => run_value(options, value, Kind::Endorsement, depth + 1),
            Credential::Jwt(compact) => run_jwt(
                options,
                Container::Jwt,
                &compact,
                Kind::Endorsement,
                depth + 1,
            ),
        };
        let by = report
            .issuer
            .as_ref()
            .map(|issuer| issuer.name.clone().unwrap_or_else(|| issuer.id.clone()))
            .map(|by| format!(" (by {by})"))
            .unwrap_or_default();
        let what = match report.verdict {
            crate::Verdict::Valid => continue,
            crate::Verdict::Invalid => "does not verify",
            crate::Verdict::CouldNotCheck => "could not be checked",
        };
        findings.push(format!(
            "endorsement {}{by} {what}: {}",
            index + 1,
            report.reason.unwrap_or_default()
        ));
    }
    if total > MAX_ENDORSEMENTS {
        findings.push(format!(
            "only the first {MAX_ENDORSEMENTS} of {total} endorsements were checked"
        ));
    }
    if findings.is_empty() {
        (Outcome::Passed, format!("{total} endorsement(s) verify"))
    } else {
        (Outcome::Warning, findings.join("; "))
    }
}

/// Endorsements embedded anywhere in the credential (`endorsement`, `endorsementJwt`).
fn collect_endorsements(value: &Value, found: &mut Vec<Credential>, level: usize) {
    if level > 16 {
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match key.as_str() {
                    "endorsement" => found.extend(
                        value_list(child)
                            .into_iter()
                            .filter(|v| v.is_object())
                            .cloned()
                            .map(Credential::Json),
                    ),
                    "endorsementJwt" => found.extend(
                        value_list(child)
                            .into_iter()
                            .filter_map(Value::as_str)
                            .map(|s| Credential::Jwt(s.to_string())),
                    ),
                    "proof" => {}
                    _ => collect_endorsements(child, found, level + 1),
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_endorsements(item, found, level + 1)),
        _ => {}
    }
}

fn value_list(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

fn object_list(value: Option<&Value>) -> Vec<&Map<String, Value>> {
    value
        .map(value_list)
        .unwrap_or_default()
        .into_iter()
        .filter_map(Value::as_object)
        .collect()
}

fn string_list(value: Option<&Value>) -> Vec<&str> {
    value
        .map(value_list)
        .unwrap_or_default()
        .into_iter()
        .filter_map(Value::as_str)
        .collect()
}
