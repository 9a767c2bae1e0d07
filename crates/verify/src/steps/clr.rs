//! CLR 2.0: a ClrCredential's own steps are a badge's (context and type, the CLR JSON
//! schema, proof and key binding, status, dates, recipient); then every credential nested in
//! `credentialSubject.verifiableCredential` is verified as an Open Badge of its own, with its
//! own proof, key binding and status, and reported one by one. The CLR is valid only if each
//! of them is: a record whose signature holds but that carries a tampered badge says which.

use super::*;

/// The most nested credentials checked in one CLR; more are reported as not checked.
pub(super) const MAX_NESTED: usize = laurel_core::budget::MAX_RECORD_CREDENTIALS;

/// How many credentials `credential` nests (`credentialSubject.verifiableCredential`).
pub(super) fn count(credential: &Value) -> usize {
    credential
        .get("credentialSubject")
        .map(value_list)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|subject| subject.get("verifiableCredential"))
        .map(|list| value_list(list).len())
        .sum()
}

/// True if `uri` is a CLR 2.0 context URL (`…/clr/v2p0/context.json` or `context-2.x.y.json`).
pub(super) fn is_clr_context(uri: &str) -> bool {
    uri.strip_prefix("https://purl.imsglobal.org/spec/clr/v2p0/context")
        .and_then(|rest| rest.strip_suffix(".json"))
        .is_some_and(|version| {
            version.is_empty()
                || (version.len() == 6
                    && version.starts_with("-2.")
                    && version.as_bytes()[3].is_ascii_digit()
                    && version.as_bytes()[4] == b'.'
                    && version.as_bytes()[5].is_ascii_digit())
        })
}

/// The `credentials` step and the report of each nested credential.
pub(super) fn nested(options: &Run, credential: &Value) -> ((Outcome, String), Vec<Report>) {
    let items: Vec<&Value> = credential
        .get("credentialSubject")
        .map(value_list)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|subject| subject.get("verifiableCredential"))
        .flat_map(value_list)
        .collect();
    if items.is_empty() {
        return (
            (
                Outcome::Failed,
                "the CLR holds no credential (credentialSubject.verifiableCredential is empty)"
                    .into(),
            ),
            Vec::new(),
        );
    }
    let total = items.len();
    let mut reports = Vec::with_capacity(total.min(MAX_NESTED));
    for (index, item) in items.into_iter().enumerate() {
        let report = if index >= MAX_NESTED {
            Report::unreadable(format!(
                "not checked: a CLR may hold at most {MAX_NESTED} credentials to check"
            ))
        } else if options.out_of_time() {
            Report::unreadable("not checked: the time allowed for checking this CLR ran out".into())
        } else if !item.is_object() {
            Report::from_steps(
                None,
                None,
                None,
                vec![Step {
                    name: "parse",
                    outcome: Outcome::Failed,
                    detail: "a nested credential must be a JSON credential with an embedded proof"
                        .into(),
                }],
            )
        } else {
            // Each nested credential is a verification of its own (its own fetch allowance
            // and canonicalization budget), as if it had been handed in alone, within the
            // record's deadline.
            let own = options.nested();
            let mut report = run_value(&own, item.clone(), Kind::Achievement, 1);
            report.container = Some(Container::Json);
            report
        };
        reports.push(report);
    }
    let label = |index: usize, report: &Report| {
        format!(
            "credential {} of {total}{}",
            index + 1,
            report
                .credential_id
                .as_deref()
                .map(|id| format!(" ({id})"))
                .unwrap_or_default()
        )
    };
    let why = |report: &Report| match (report.failed_step, report.reason.as_deref()) {
        (Some(step), Some(reason)) => format!("{step}: {reason}"),
        _ => "see its report".into(),
    };
    let invalid: Vec<String> = reports
        .iter()
        .enumerate()
        .filter(|(_, report)| report.verdict == crate::Verdict::Invalid)
        .map(|(index, report)| format!("{} is invalid ({})", label(index, report), why(report)))
        .collect();
    if !invalid.is_empty() {
        return ((Outcome::Failed, invalid.join("; ")), reports);
    }
    let unchecked: Vec<String> = reports
        .iter()
        .enumerate()
        .filter(|(_, report)| report.verdict == crate::Verdict::CouldNotCheck)
        .map(|(index, report)| {
            format!(
                "{} could not be checked ({})",
                label(index, report),
                why(report)
            )
        })
        .collect();
    if !unchecked.is_empty() {
        return ((Outcome::CouldNotCheck, unchecked.join("; ")), reports);
    }
    let detail = if total == 1 {
        "the 1 credential in the CLR verifies".to_string()
    } else {
        format!("all {total} credentials in the CLR verify")
    };
    ((Outcome::Passed, detail), reports)
}
