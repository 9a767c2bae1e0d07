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
/// credential. One that does not verify, or has expired, is reported as its own finding (a
/// warning): the badge is still the issuer's badge.
pub(super) fn endorsements(options: &Run, credential: &Value, depth: usize) -> (Outcome, String) {
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
pub(super) fn collect_endorsements(value: &Value, found: &mut Vec<Credential>, level: usize) {
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
