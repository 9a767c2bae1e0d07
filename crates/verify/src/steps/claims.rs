//! The steps about what the credential claims, after its proof: the validity dates, the
//! recipient (when an email is given to check) and the endorsements it carries, each verified
//! as a credential of its own to a bounded depth.

use super::*;

pub(super) fn dates(credential: &Value, now: DateTime<Utc>) -> (Outcome, String) {
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

pub(super) fn recipient(credential: &Value, email: Option<&str>) -> (Outcome, String) {
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
/// credential. Each is verified as a credential of its own and reported on its own
/// ([`EndorsementReport`]): one that does not verify, has expired, or endorses something other
/// than what it is attached to is a warning, never a change in the verdict on the badge, which
/// is still the issuer's badge.
pub(super) fn endorsements(
    options: &Run,
    credential: &Value,
    depth: usize,
) -> (Outcome, String, Vec<EndorsementReport>) {
    let mut found = Vec::new();
    collect_endorsements(credential, None, &mut found, 0);
    if found.is_empty() {
        return (Outcome::Skipped, "no endorsements".into(), Vec::new());
    }
    if depth >= MAX_DEPTH {
        return (
            Outcome::Warning,
            "endorsements nested too deeply were not checked".into(),
            Vec::new(),
        );
    }
    let total = found.len();
    let mut findings = Vec::new();
    let mut reports = Vec::new();
    for (index, (endorsement, attached)) in found.into_iter().take(MAX_ENDORSEMENTS).enumerate() {
        let (report, subject, comment) = match endorsement {
            Credential::Json(value) => {
                let subject = endorsed_id(&value);
                let comment = object_list(value.get("credentialSubject"))
                    .into_iter()
                    .find_map(|s| s.get("endorsementComment").and_then(Value::as_str))
                    .map(str::to_string);
                let report = run_value(options, value, Kind::Endorsement, depth + 1);
                (report, subject, comment)
            }
            Credential::Jwt(compact) => {
                let report = run_jwt(
                    options,
                    Container::Jwt,
                    &compact,
                    Kind::Endorsement,
                    depth + 1,
                );
                (report, None, None)
            }
        };
        let by = report
            .issuer
            .as_ref()
            .map(|issuer| issuer.name.clone().unwrap_or_else(|| issuer.id.clone()))
            .map(|by| format!(" (by {by})"))
            .unwrap_or_default();
        let mut verdict = report.verdict;
        let mut reason = report.reason.clone();
        // An endorsement is about what it is attached to (OB 3.0: an Achievement's or a
        // Profile's `endorsement`); one that names something else says nothing about this.
        if let (Verdict::Valid, Some(owner), Some(named)) =
            (verdict, attached.id.as_deref(), subject.as_deref())
            && owner != named
        {
            verdict = Verdict::Invalid;
            reason = Some(format!(
                "it endorses {named}, not the {} it is attached to ({owner})",
                attached.place
            ));
        }
        let what = match verdict {
            Verdict::Valid => None,
            Verdict::Invalid => Some("does not verify"),
            Verdict::CouldNotCheck => Some("could not be checked"),
        };
        if let Some(what) = what {
            findings.push(format!(
                "endorsement {}{by} {what}: {}",
                index + 1,
                reason.clone().unwrap_or_default()
            ));
        }
        reports.push(EndorsementReport {
            verdict,
            reason: if verdict == Verdict::Valid {
                None
            } else {
                reason
            },
            endorser_id: report.issuer.as_ref().map(|issuer| issuer.id.clone()),
            endorser_name: report
                .issuer
                .as_ref()
                .and_then(|issuer| issuer.name.clone()),
            endorses: subject,
            attached_to: attached.place,
            comment,
        });
    }
    if total > MAX_ENDORSEMENTS {
        findings.push(format!(
            "only the first {MAX_ENDORSEMENTS} of {total} endorsements were checked"
        ));
    }
    if findings.is_empty() {
        let names: Vec<String> = reports
            .iter()
            .map(|r| {
                let by = r
                    .endorser_name
                    .clone()
                    .or_else(|| r.endorser_id.clone())
                    .unwrap_or_else(|| "an unnamed endorser".into());
                format!("by {by} (of the {})", r.attached_to)
            })
            .collect();
        (
            Outcome::Passed,
            format!("{total} endorsement(s) verify: {}", names.join("; ")),
            reports,
        )
    } else {
        (Outcome::Warning, findings.join("; "), reports)
    }
}

/// Where an endorsement was found: the id of the object whose `endorsement` it is, and what
/// that object is (`achievement`, `issuer`, `credential`, or `object`).
#[derive(Debug, Clone)]
pub(super) struct Attached {
    id: Option<String>,
    place: &'static str,
}

fn attached_to(map: &Map<String, Value>, parent_key: Option<&str>) -> Attached {
    let types = string_list(map.get("type"));
    let place = if types.contains(&"Achievement") {
        "achievement"
    } else if types.contains(&"VerifiableCredential") {
        "credential"
    } else if types.contains(&"Profile") || parent_key == Some("issuer") {
        "issuer"
    } else {
        "object"
    };
    Attached {
        id: map.get("id").and_then(Value::as_str).map(str::to_string),
        place,
    }
}

/// The id an endorsement's subject names.
fn endorsed_id(endorsement: &Value) -> Option<String> {
    object_list(endorsement.get("credentialSubject"))
        .into_iter()
        .find_map(|subject| subject.get("id").and_then(Value::as_str))
        .map(str::to_string)
}

/// Endorsements embedded anywhere in the credential (`endorsement`, `endorsementJwt`), each
/// with what it is attached to.
pub(super) fn collect_endorsements(
    value: &Value,
    parent_key: Option<&str>,
    found: &mut Vec<(Credential, Attached)>,
    level: usize,
) {
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
                            .map(|v| (Credential::Json(v), attached_to(map, parent_key))),
                    ),
                    "endorsementJwt" => {
                        found.extend(value_list(child).into_iter().filter_map(Value::as_str).map(
                            |s| (Credential::Jwt(s.to_string()), attached_to(map, parent_key)),
                        ))
                    }
                    "proof" => {}
                    _ => collect_endorsements(child, Some(key), found, level + 1),
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_endorsements(item, parent_key, found, level + 1)),
        _ => {}
    }
}
