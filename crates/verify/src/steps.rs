//! The verification steps, in the order OB 3.0 "Verification and Validation" gives them.

use chrono::{DateTime, Utc};
use laurel_core::jwt::{self, JwtError, KeyReference, issuer_id};
use laurel_core::keys::PublicKey;
use laurel_core::model::IdentityObject;
use laurel_core::proof::{self, ProofError};
use laurel_core::schema::Schema;
use serde_json::{Map, Value};

use crate::input::{Container, Credential};
use crate::keys::{KeySource, KeyStore, ResolvedKey, Unresolved, format_time};
use crate::report::{IssuerReport, Outcome, Report, Step};
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
pub(crate) fn run_value(options: &Options, credential: Value, kind: Kind, depth: usize) -> Report {
    let steps = vec![Step {
        name: "parse",
        outcome: Outcome::Passed,
        detail: "JSON credential".into(),
    }];
    let proof = |steps: &mut Vec<Step>| check_proofs(options, &credential, steps);
    finish(options, &credential, kind, depth, steps, proof)
}

fn run_jwt(
    options: &Options,
    container: Container,
    compact: &str,
    kind: Kind,
    depth: usize,
) -> Report {
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
    let proof = |steps: &mut Vec<Step>| -> Option<(PublicKey, KeySource)> {
        let issuer = credential
            .as_object()
            .and_then(issuer_id)
            .unwrap_or_default()
            .to_string();
        let (resolved, key_name) = match &decoded.key {
            KeyReference::Jwk(key) => {
                let name = key.describe();
                (
                    options.keys.resolve_embedded(key.clone(), None, &name),
                    name,
                )
            }
            KeyReference::Kid(kid) => (resolve(options, kid), kid.clone()),
        };
        let resolved = match resolved {
            Ok(resolved) => resolved,
            Err(Unresolved(reason)) => {
                steps.push(Step {
                    name: "proof",
                    outcome: Outcome::CouldNotCheck,
                    detail: reason,
                });
                return None;
            }
        };
        if let Some(problem) = controller_problem(&resolved, &issuer) {
            steps.push(Step {
                name: "proof",
                outcome: Outcome::Failed,
                detail: problem,
            });
            return None;
        }
        let result = decoded
            .verify_signature(&resolved.key)
            .and_then(|()| decoded.check_claims())
            .map_err(|error| error.to_string())
            .and_then(|()| {
                compromise(&key_name, resolved.revoked, jwt_signed_at(&decoded.payload))
            });
        match result {
            Ok(note) => {
                let mut detail = format!(
                    "VC-JWT {} signature and claims verify; key {}",
                    decoded.alg.jws_alg(),
                    resolved.source
                );
                if let Some(note) = note {
                    detail.push_str("; ");
                    detail.push_str(&note);
                }
                steps.push(Step {
                    name: "proof",
                    outcome: Outcome::Passed,
                    detail,
                });
                Some((resolved.key, resolved.source))
            }
            Err(reason) => {
                steps.push(Step {
                    name: "proof",
                    outcome: Outcome::Failed,
                    detail: reason,
                });
                None
            }
        }
    };
    let mut report = finish(options, &credential, kind, depth, steps, proof);
    report.container = Some(container);
    report
}

/// The steps after parsing, shared by JSON and JWT; `proof` adds the proof step.
fn finish(
    options: &Options,
    credential: &Value,
    kind: Kind,
    depth: usize,
    mut steps: Vec<Step>,
    proof: impl FnOnce(&mut Vec<Step>) -> Option<(PublicKey, KeySource)>,
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
    let map = credential.as_object();
    let issuer = map.and_then(issuer_id).map(|id| {
        let name = map
            .and_then(|m| m.get("issuer"))
            .and_then(|issuer| issuer.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let trust = match &options.trust {
            Some(list) => list.judge(id, name.as_deref(), signer.as_ref().map(|(key, _)| key)),
            None => Trust::Unknown,
        };
        IssuerReport {
            id: id.to_string(),
            name,
            key: signer
                .as_ref()
                .map(|(key, source)| format!("{} ({source})", key.describe())),
            trust,
        }
    });
    let id = credential
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_string);
    Report::from_steps(None, id, issuer, steps)
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
    const STRING_TYPES: [&str; 3] = ["IdentityObject", "Image", "IdentifierEntry"];
    match value {
        Value::Object(map) => {
            if let Some(Value::String(kind)) = map.get("type")
                && !STRING_TYPES.contains(&kind.as_str())
            {
                let kind = Value::String(kind.clone());
                map.insert("type".into(), Value::Array(vec![kind]));
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

fn check_proofs(
    options: &Options,
    credential: &Value,
    steps: &mut Vec<Step>,
) -> Option<(PublicKey, KeySource)> {
    let proofs = proof::proofs_of(credential);
    if proofs.is_empty() {
        steps.push(Step {
            name: "proof",
            outcome: Outcome::Failed,
            detail: "the credential has no proof".into(),
        });
        return None;
    }
    let issuer = credential
        .as_object()
        .and_then(issuer_id)
        .unwrap_or_default()
        .to_string();
    // Any proof that verifies suffices; otherwise one that was checked and failed makes the
    // credential invalid, and only proofs that could not be checked at all leave it open.
    let mut notes = Vec::new();
    let mut any_failed = false;
    for (index, proof) in proofs.iter().enumerate() {
        match check_one_proof(options, credential, proof, &issuer) {
            Ok((_, prepared, _)) if !prepared.unsigned_terms.is_empty() => {
                any_failed = true;
                notes.push(format!(
                    "proof {}: signature valid, but these fields are not covered by it: {}",
                    index + 1,
                    prepared.unsigned_terms.join(", ")
                ));
            }
            Ok((resolved, prepared, compromise_note)) => {
                let mut detail = format!(
                    "{} signature verifies with {} (key {})",
                    prepared.cryptosuite.name(),
                    prepared.verification_method,
                    resolved.source
                );
                for note in compromise_note.iter().chain(&notes) {
                    detail.push_str("; ");
                    detail.push_str(note);
                }
                steps.push(Step {
                    name: "proof",
                    outcome: Outcome::Passed,
                    detail,
                });
                return Some((resolved.key, resolved.source));
            }
            Err((outcome, reason)) => {
                any_failed |= outcome == Outcome::Failed;
                notes.push(format!("proof {}: {reason}", index + 1));
            }
        }
    }
    steps.push(Step {
        name: "proof",
        outcome: if any_failed {
            Outcome::Failed
        } else {
            Outcome::CouldNotCheck
        },
        detail: notes.join("; "),
    });
    None
}

/// Checks one proof. Ok holds the key, what was signed, and a note when the key was marked
/// compromised after the proof was made.
fn check_one_proof(
    options: &Options,
    credential: &Value,
    proof: &Map<String, Value>,
    issuer: &str,
) -> Result<(ResolvedKey, proof::Prepared, Option<String>), (Outcome, String)> {
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
    let resolved =
        resolve(options, method).map_err(|Unresolved(reason)| (Outcome::CouldNotCheck, reason))?;
    if let Some(problem) = controller_problem(&resolved, issuer) {
        return Err((Outcome::Failed, problem));
    }
    let prepared = match proof::verify(credential, proof, &resolved.key) {
        Ok(prepared) => prepared,
        Err(error @ (ProofError::BadSignature | ProofError::Malformed(_))) => {
            return Err((Outcome::Failed, error.to_string()));
        }
        Err(ProofError::JsonLd(error)) => return Err((Outcome::CouldNotCheck, error.to_string())),
        Err(error) => return Err((Outcome::CouldNotCheck, error.to_string())),
    };
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

/// Resolves a verification method offline, then (with `--online`) by fetching it.
fn resolve(options: &Options, method: &str) -> Result<ResolvedKey, Unresolved> {
    let offline = options.keys.resolve(method);
    let (Err(unresolved), Some(fetcher)) = (&offline, &options.fetcher) else {
        return offline;
    };
    let url = match document_url(method) {
        Some(url) => url,
        None => return Err(unresolved.clone()),
    };
    let document = fetcher
        .fetch_json(
            &url,
            std::time::Instant::now() + std::time::Duration::from_secs(10),
        )
        .map_err(Unresolved)?;
    let mut fetched = KeyStore::default();
    fetched
        .add_with_source(&document, &KeySource::Fetched(url.clone()))
        .map_err(Unresolved)?;
    // A `--keys` file marking this key compromised still counts when the key is fetched.
    options
        .keys
        .with_revocation(method, fetched.resolve(method)?)
}

/// Where a verification method's document lives: did:web per the did:web spec, HTTP(S) as is.
fn document_url(method: &str) -> Option<String> {
    let base = method.split('#').next()?;
    if let Some(rest) = base.strip_prefix("did:web:") {
        let mut parts = rest.split(':').map(|part| part.replace("%3A", ":"));
        let host = parts.next()?;
        let path: Vec<String> = parts.collect();
        return Some(if path.is_empty() {
            format!("https://{host}/.well-known/did.json")
        } else {
            format!("https://{host}/{}/did.json", path.join("/"))
        });
    }
    (base.starts_with("https://") || base.starts_with("http://")).then(|| base.to_string())
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

fn endorsements(options: &Options, credential: &Value, depth: usize) -> (Outcome, String) {
    let mut found = Vec::new();
    collect_endorsements(credential, &mut found, 0);
    if found.is_empty() {
        return (Outcome::Skipped, "no endorsements".into());
    }
    if depth >= MAX_DEPTH {
        return (
            Outcome::CouldNotCheck,
            "endorsements nested too deeply".into(),
        );
    }
    let mut worst = (
        Outcome::Passed,
        format!("{} endorsement(s) verify", found.len()),
    );
    for (index, endorsement) in found.into_iter().enumerate() {
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
        let detail = format!(
            "endorsement {}: {}",
            index + 1,
            report.reason.clone().unwrap_or_default()
        );
        match report.verdict {
            crate::Verdict::Invalid => return (Outcome::Failed, detail),
            crate::Verdict::CouldNotCheck => worst = (Outcome::CouldNotCheck, detail),
            crate::Verdict::Valid => {}
        }
    }
    worst
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
