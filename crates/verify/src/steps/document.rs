//! The document steps: the `@context` and `type` a credential must have, and its JSON Schema
//! (with the compaction a signed VCDM 1.1 or compacted credential needs before checking).

use super::*;

pub(super) fn context_and_type(credential: &Value, kind: Kind) -> (Outcome, String) {
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
        Kind::Clr => &["ClrCredential"],
    };
    if !types.iter().any(|t| wanted.contains(t)) {
        return (
            Outcome::Failed,
            format!("type does not include {}", wanted.join(" or ")),
        );
    }
    if kind == Kind::Clr && !contexts.iter().any(|c| clr::is_clr_context(c)) {
        return (
            Outcome::Failed,
            "no CLR 2.0 context (https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.x.json)"
                .into(),
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

pub(super) fn schema(credential: &Value, kind: Kind) -> (Outcome, String) {
    let canonical = match kind {
        Kind::Endorsement => Schema::EndorsementCredential,
        Kind::Clr => Schema::ClrCredential,
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
    let mut detail = match kind {
        Kind::Clr => "conforms to the CLR 2.0 ClrCredential JSON Schema".to_string(),
        _ => "conforms to the Open Badges 3.0 JSON Schema".to_string(),
    };
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
pub(super) fn expand_compacted(value: &mut Value) {
    const STRING_TYPES: [&str; 5] = [
        "IdentityObject",
        "Image",
        "IdentifierEntry",
        "GeoCoordinates",
        // CLR 2.0.
        "Association",
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
pub(super) fn as_vcdm2(credential: &Value) -> Value {
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
