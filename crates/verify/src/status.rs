//! The status step: revocation and suspension via Bitstring Status Lists and 1EdTech
//! revocation lists, read from `--status-list` files or, with `--online`, fetched.
//!
//! A list we cannot get, or whose own proof does not verify, is "could not check": a verifier
//! that says "valid" when it could not look is worse than none.

use laurel_core::status::Bitstring;
use serde_json::Value;

use crate::report::Outcome;
use crate::run::Run;
use crate::steps::{self, Kind};

/// Checks every `credentialStatus` entry of `credential`.
pub(crate) fn check(options: &Run, credential: &Value, depth: usize) -> (Outcome, String) {
    let entries: Vec<&Value> = match credential.get("credentialStatus") {
        None => {
            return (
                Outcome::Passed,
                "no credentialStatus: nothing to revoke".into(),
            );
        }
        Some(Value::Array(entries)) => entries.iter().collect(),
        Some(entry) => vec![entry],
    };
    let credential_id = credential
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut results = Vec::new();
    for entry in entries {
        let result = match entry.get("type").and_then(Value::as_str) {
            Some("BitstringStatusListEntry") => bitstring(options, entry, depth),
            Some("1EdTechRevocationList") => revocation_list(options, entry, credential_id),
            Some(other) => (
                Outcome::CouldNotCheck,
                format!("status type {other} is not supported"),
            ),
            None => (
                Outcome::Failed,
                "a credentialStatus entry has no type".into(),
            ),
        };
        results.push(result);
    }
    // Failed beats could-not-check beats passed.
    for wanted in [Outcome::Failed, Outcome::CouldNotCheck] {
        if let Some((outcome, detail)) = results.iter().find(|(o, _)| *o == wanted) {
            return (*outcome, detail.clone());
        }
    }
    let details: Vec<String> = results.into_iter().map(|(_, detail)| detail).collect();
    (Outcome::Passed, details.join("; "))
}

fn find_list(options: &Run, url: &str) -> Result<Value, String> {
    if let Some(list) = options
        .status_lists
        .iter()
        .find(|list| list.get("id").and_then(Value::as_str) == Some(url))
    {
        return Ok(list.clone());
    }
    match options.fetch(url) {
        Some(fetched) => fetched,
        None => Err(format!(
            "the status list {url} is not available offline: pass it with --status-list FILE, or use --online"
        )),
    }
}

fn bitstring(options: &Run, entry: &Value, depth: usize) -> (Outcome, String) {
    let text = |name: &str| entry.get(name).and_then(Value::as_str);
    let (Some(url), Some(purpose), Some(index)) = (
        text("statusListCredential"),
        text("statusPurpose"),
        text("statusListIndex"),
    ) else {
        return (
            Outcome::Failed,
            "a BitstringStatusListEntry needs statusListCredential, statusPurpose and statusListIndex".into(),
        );
    };
    let Ok(index) = index.parse::<usize>() else {
        return (
            Outcome::Failed,
            format!("statusListIndex {index:?} is not a number"),
        );
    };
    let list = match find_list(options, url) {
        Ok(list) => list,
        Err(reason) => return (Outcome::CouldNotCheck, reason),
    };
    // The list is itself a credential: its proof and dates must hold.
    let report = steps::run_value(options, list.clone(), Kind::StatusList, depth + 1);
    if report.verdict != crate::Verdict::Valid {
        return (
            Outcome::CouldNotCheck,
            format!(
                "the status list {url} does not verify: {}",
                report.reason.unwrap_or_default()
            ),
        );
    }
    let subject = &list["credentialSubject"];
    let list_purpose = subject.get("statusPurpose").and_then(Value::as_str);
    if list_purpose != Some(purpose) {
        return (
            Outcome::CouldNotCheck,
            format!("the status list is for {list_purpose:?}, the entry for {purpose:?}"),
        );
    }
    let bits = match subject
        .get("encodedList")
        .and_then(Value::as_str)
        .ok_or_else(|| "the status list has no encodedList".to_string())
        .and_then(|encoded| Bitstring::decode(encoded).map_err(|e| e.to_string()))
    {
        Ok(bits) => bits,
        Err(reason) => return (Outcome::CouldNotCheck, reason),
    };
    match bits.get(index) {
        Ok(false) => (Outcome::Passed, format!("not set for {purpose} in {url}")),
        Ok(true) if purpose == "suspension" => {
            (Outcome::Failed, "the credential is suspended".into())
        }
        Ok(true) if purpose == "revocation" => {
            (Outcome::Failed, "the credential is revoked".into())
        }
        Ok(true) => (Outcome::Failed, format!("the {purpose} status is set")),
        Err(error) => (Outcome::Failed, error.to_string()),
    }
}

fn revocation_list(options: &Run, entry: &Value, credential_id: &str) -> (Outcome, String) {
    let Some(url) = entry.get("id").and_then(Value::as_str) else {
        return (
            Outcome::Failed,
            "a 1EdTechRevocationList entry has no id".into(),
        );
    };
    let list = match find_list(options, url) {
        Ok(list) => list,
        Err(reason) => return (Outcome::CouldNotCheck, reason),
    };
    let revoked = list
        .get("revokedCredential")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|item| item.get("id").and_then(Value::as_str) == Some(credential_id));
    match revoked {
        Some(item) if item.get("revoked") != Some(&Value::Bool(false)) => {
            let reason = item
                .get("revocationReason")
                .and_then(Value::as_str)
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            (
                Outcome::Failed,
                format!("the credential is revoked{reason}"),
            )
        }
        _ => (Outcome::Passed, format!("not in the revocation list {url}")),
    }
}
