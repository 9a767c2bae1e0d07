//! The verification steps, in the order OB 3.0 "Verification and Validation" gives them.
//!
//! This module runs them and adds up the report; the steps themselves live by concern:
//! [`document`] (context, type, schema), [`proofs`] (signatures and key binding) and
//! [`claims`] (dates, recipient, endorsements).

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
use crate::report::{EndorsementReport, IssuerReport, Outcome, Report, Step, Verdict};
use crate::run::Run;
use crate::trust::Trust;
use crate::{Options, status};

mod claims;
mod clr;
mod document;
mod proofs;

use claims::{dates, endorsements, recipient};
use document::{context_and_type, schema};
use proofs::{Signer, check_jwt_proof, check_proofs};

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
    /// A CLR 2.0 ClrCredential: every step of its own, then each credential nested in it
    /// (`credentialSubject.verifiableCredential`) verified as an Open Badge of its own.
    Clr,
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
    let is_clr = |value: &Value| string_list(value.get("type")).contains(&"ClrCredential");
    match credential {
        Credential::Json(value) => {
            let kind = if is_endorsement(&value) {
                Kind::Endorsement
            } else if is_clr(&value) {
                Kind::Clr
            } else {
                kind
            };
            // A record's own proof covers every credential it nests: its budget grows with
            // them (bounded: see `Budget::with_record`).
            let run = if kind == Kind::Clr {
                Run::for_record(options, clr::count(&value))
            } else {
                Run::new(options)
            };
            let mut report = run_value(&run, value, kind, 0);
            report.container = Some(container);
            report
        }
        Credential::Jwt(compact) => run_jwt(&Run::new(options), container, &compact, kind, 0),
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
    let mut endorsement_reports = Vec::new();
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
        let (outcome, detail, found) = endorsements(options, credential, depth);
        push(&mut steps, "endorsements", (outcome, detail));
        endorsement_reports = found;
    }
    let mut nested = Vec::new();
    if kind == Kind::Clr {
        push(
            &mut steps,
            "recipient",
            recipient(credential, options.recipient.as_deref()),
        );
        let (outcome, reports) = clr::nested(options, credential);
        push(&mut steps, "credentials", outcome);
        nested = reports;
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
    report.nested = nested;
    report.endorsements = endorsement_reports;
    if kind == Kind::Achievement {
        report.recipient_name = credential
            .get("credentialSubject")
            .map(value_list)
            .unwrap_or_default()
            .into_iter()
            .find_map(laurel_core::model::subject_name);
        report.recipient_role = credential
            .get("credentialSubject")
            .map(value_list)
            .unwrap_or_default()
            .into_iter()
            .find_map(|subject| subject.get("role").and_then(Value::as_str))
            .map(str::to_owned);
    }
    report
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
