//! A verification report in words a non-expert reads: the verdict as one sentence, why a badge
//! is not valid, who its issuer is, and the verifier's steps by plain names. [`super::views`]
//! arranges these words for the templates (the badge as the credential *claims* it, the steps
//! kept below, collapsed, for whoever wants them).
//!
//! Shared by the verify page and each credential's page. The issuer's name is stated as fact
//! ("Issued by …") only next to a valid verdict, that is when the signing key is bound to the
//! issuer; otherwise it is what the credential says. Command-line advice the verifier gives
//! (its flags) never reaches the page: [`clean`] takes it out.

use laurel_verify::{Binding, Outcome, Report, Trust, Verdict};

use crate::api::verify::HOSTED;

/// How the issuer a credential names is known to this site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hosting {
    /// The issuer lives in this site's store.
    Hosted,
    /// Not hosted here, but its key is published at its own address.
    Published,
    /// Identified by its key (did:key).
    DidKey,
    /// None of the above.
    Unknown,
}

impl Hosting {
    /// How the report's issuer is known, `origin` being this site's address.
    pub fn of(report: &Report, origin: &str) -> Self {
        let Some(issuer) = &report.issuer else {
            return Hosting::Unknown;
        };
        let under_origin = issuer
            .id
            .strip_prefix(origin)
            .is_some_and(|rest| rest.starts_with('/'));
        match &issuer.bound_by {
            Some(Binding::Listed(list)) if list == HOSTED => Hosting::Hosted,
            _ if under_origin => Hosting::Hosted,
            Some(Binding::Published(_)) => Hosting::Published,
            Some(Binding::DidKey) => Hosting::DidKey,
            _ if issuer.id.starts_with("did:key:") => Hosting::DidKey,
            _ => Hosting::Unknown,
        }
    }
}

/// The `data-verdict` value and the one plain sentence for a report.
pub fn sentence(report: &Report) -> (&'static str, String) {
    match report.verdict {
        // A did:key is anyone's to make: the signature is the key's, but the name beside it
        // is only what the credential says.
        Verdict::Valid if key_only(report) => (
            "valid",
            format!(
                "This badge has not been changed since it was signed and is in good standing. Its issuer is known only by its key and calls itself {}, which this site cannot confirm.",
                claimed_issuer(report, "nothing")
            ),
        ),
        Verdict::Valid => {
            let by = claimed_issuer(report, "its issuer");
            (
                "valid",
                format!(
                    "This badge is genuine: {by} issued it, it has not been changed, and it is in good standing."
                ),
            )
        }
        Verdict::Invalid => {
            let reason = plain_reason(report);
            let lead = if not_genuine(report) {
                "This is not a genuine badge"
            } else {
                "This badge is not valid"
            };
            ("invalid", format!("{lead}: {reason}"))
        }
        // Nothing readable: there was no badge to check at all.
        Verdict::CouldNotCheck if report.failed_step == Some("parse") => (
            "could-not-check",
            "We could not read this as a badge. Choose the badge file you were sent, paste the text of its credential, or paste the link of a badge hosted on this site.".into(),
        ),
        Verdict::CouldNotCheck => (
            "could-not-check",
            format!(
                "We could not fully check this badge: {}",
                plain_reason(report)
            ),
        ),
    }
}

/// Whether every proof verified with a key bound to the issuer, whatever else failed.
pub fn signed_by_issuer(report: &Report) -> bool {
    report
        .issuer
        .as_ref()
        .is_some_and(|issuer| issuer.bound_by.is_some())
}

/// Whether the signing key is bound to the issuer only by being its did:key.
pub fn key_only(report: &Report) -> bool {
    report
        .issuer
        .as_ref()
        .is_some_and(|issuer| issuer.bound_by == Some(Binding::DidKey))
}

/// The issuer's name as the credential gives it (its id if it has none, `otherwise` if it
/// names no issuer).
fn claimed_issuer(report: &Report, otherwise: &str) -> String {
    report
        .issuer
        .as_ref()
        .map(|issuer| issuer.name.clone().unwrap_or_else(|| issuer.id.clone()))
        .unwrap_or_else(|| otherwise.into())
}

/// Whether an invalid verdict means the badge is not what it claims (rather than a genuine
/// badge that is revoked, suspended, out of date or someone else's).
fn not_genuine(report: &Report) -> bool {
    !matches!(
        report.failed_step,
        Some("status" | "suspension" | "dates" | "recipient")
    )
}

/// Whether the report says the credential borrows a hosted issuer's name or id.
pub fn forged(report: &Report) -> bool {
    let reason = report.reason.as_deref().unwrap_or("");
    reason.starts_with("forged")
        || report.failed_step == Some("trust")
        || report
            .issuer
            .as_ref()
            .is_some_and(|issuer| issuer.trust == Trust::Impersonated)
}

/// Why a report is not valid, in plain words (a clause ending in a full stop).
pub fn plain_reason(report: &Report) -> String {
    let reason = report.reason.as_deref().unwrap_or("");
    let lower = reason.to_lowercase();
    let step = report.failed_step.unwrap_or("");
    let outcome = report
        .step(step)
        .map_or(Outcome::Failed, |found| found.outcome);
    let detail = report
        .step(step)
        .map(|found| found.detail.clone())
        .unwrap_or_default();
    let issuer = claimed_issuer(report, "the issuer it names");
    if step == "issued here" {
        return "it is forged. Its address says it comes from this site, but this site never issued it.".into();
    }
    if forged(report) {
        return format!(
            "it is forged. It claims to come from {issuer}, an issuer hosted on this site, but it was signed with a key that issuer does not use: the real issuer did not sign it."
        );
    }
    // "refused to canonicalize" starts every refusal of a poisoned dataset (too much work, too
    // many blank nodes, out of time), whatever its reason.
    if [
        "refused to canonicalize",
        "too complex",
        "ran out",
        "too deeply",
        "too many",
    ]
    .iter()
    .any(|words| lower.contains(words))
    {
        return "it is too complex to check here.".into();
    }
    match step {
        "parse" => "we could not read it as a badge. Choose the badge file you were sent, paste the text of its credential, or paste the link of a badge hosted on this site.".into(),
        "context" => "it uses a vocabulary this site does not know, so it cannot be checked safely.".into(),
        "schema" => "the credential is not shaped as an Open Badge should be (the details are in the technical details below).".into(),
        "status" if lower.contains("suspended") => "its issuer has suspended it.".into(),
        "status" if outcome == Outcome::Failed => format!(
            "its issuer has revoked it{}.",
            issuer_words(&detail, "the credential is revoked: ")
        ),
        "status" => "we could not find out whether its issuer has revoked it: its revocation list is kept where this site does not look.".into(),
        "suspension" => format!(
            "its issuer has suspended it{}.",
            issuer_words(&detail, "suspended by its issuer on ")
                .replacen(" (", " (on ", 1)
        ),
        "dates" if lower.starts_with("expired") => "it has expired: its period of validity is over.".into(),
        "dates" if lower.contains("not yet valid") => "it is not valid yet: its period of validity has not started.".into(),
        "dates" => "its dates cannot be read.".into(),
        "recipient" => "it was not awarded to the email address you entered.".into(),
        "proof" | "key" if outcome == Outcome::CouldNotCheck
            || lower.contains("not one the issuer publishes") =>
        {
            format!(
                "we could not confirm that the key that signed it belongs to {issuer}. The issuer does not publish that key anywhere this site can check. Badges hosted on this site, and badges whose issuer is known only by its key, can be fully checked here; for others, ask the issuer."
            )
        }
        "proof" => "it was changed after it was signed, or it was not signed by the key it names.".into(),
        _ if reason.is_empty() => "a check could not be completed.".into(),
        _ => {
            let mut text = clean(reason);
            if !text.ends_with('.') {
                text.push('.');
            }
            text
        }
    }
}

/// What the issuer said, quoted from a step's `detail` after `prefix`: ` ("Issued in error")`,
/// or nothing when the detail does not carry it.
fn issuer_words(detail: &str, prefix: &str) -> String {
    detail
        .split_once(prefix)
        .map(|(_, said)| said.trim())
        .filter(|said| !said.is_empty())
        .map(|said| format!(" ({said})"))
        .unwrap_or_default()
}

/// A verifier's detail without its command-line advice: clauses naming a flag or the
/// command are left out.
pub fn clean(detail: &str) -> String {
    let mentions_cli = |text: &str| text.contains("--") || text.contains("laurel-verify");
    let kept: Vec<String> = detail
        .split("; ")
        .map(|clause| {
            // "X: pass … with --keys, or use --online": keep "X".
            let mut clause = clause.to_string();
            while mentions_cli(&clause) {
                match clause.rfind(": ") {
                    Some(at) => clause.truncate(at),
                    None => {
                        clause.clear();
                        break;
                    }
                }
            }
            clause
        })
        .filter(|clause| !clause.is_empty())
        .collect();
    kept.join("; ")
}

/// A step's name in plain language.
pub fn step_title(name: &'static str) -> &'static str {
    match name {
        "parse" => "Readable",
        "context" => "Format",
        "schema" => "Open Badges structure",
        "proof" => "Issuer's signature",
        "status" => "Revocation",
        "dates" => "Validity period",
        "recipient" => "Recipient",
        "endorsements" => "Endorsements",
        "credentials" => "Credentials in this record",
        "suspension" => "Suspension",
        "issued here" => "Known to this site",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use laurel_verify::Step;

    #[test]
    fn command_line_advice_is_left_out() {
        assert_eq!(
            clean(
                "the signing key is not one the issuer publishes: the key k is embedded; look the issuer's keys up at its own address (laurel-verify --online) or pin them (--keys)"
            ),
            "the signing key is not one the issuer publishes: the key k is embedded"
        );
        assert_eq!(
            clean(
                "the key m is not available offline: pass its key or DID document with --keys FILE, or use --online"
            ),
            "the key m is not available offline"
        );
        assert_eq!(clean("no --recipient given"), "");
    }

    fn report_with(step: Step, bound_by: Option<Binding>) -> Report {
        Report::from_steps(
            None,
            None,
            Some(laurel_verify::IssuerReport {
                id: "did:key:z6MkExample".into(),
                name: Some("American Library Association".into()),
                key: None,
                bound_by,
                trust: Trust::Unknown,
            }),
            vec![step],
        )
    }

    #[test]
    fn a_poisoned_input_is_too_complex_not_a_key_problem() {
        for detail in [
            "refused to canonicalize: canonicalization too complex (a possible RDF dataset poisoning attack)",
            "refused to canonicalize: 602 blank nodes, more than the 512 allowed (a possible RDF dataset poisoning attack)",
        ] {
            let report = report_with(
                Step {
                    name: "proof",
                    outcome: Outcome::CouldNotCheck,
                    detail: detail.into(),
                },
                None,
            );
            let (kind, line) = sentence(&report);
            assert_eq!(kind, "could-not-check");
            assert!(line.contains("too complex to check"), "{line}");
        }
    }

    #[test]
    fn a_did_key_issuer_name_is_only_claimed() {
        let passed = Step {
            name: "proof",
            outcome: Outcome::Passed,
            detail: "ok".into(),
        };
        let (kind, line) = sentence(&report_with(passed.clone(), Some(Binding::DidKey)));
        assert_eq!(kind, "valid");
        assert!(!line.contains("issued it"), "{line}");
        assert!(
            line.contains("calls itself American Library Association"),
            "{line}"
        );
        let (_, hosted) = sentence(&report_with(passed, Some(Binding::Listed(HOSTED.into()))));
        assert!(
            hosted.contains("American Library Association issued it"),
            "{hosted}"
        );
    }

    #[test]
    fn an_unbound_key_is_could_not_check_in_plain_words() {
        let report = Report::from_steps(
            None,
            None,
            None,
            vec![Step {
                name: "proof",
                outcome: Outcome::CouldNotCheck,
                detail:
                    "the key m is not available offline: pass it with --keys FILE, or use --online"
                        .into(),
            }],
        );
        let (kind, line) = sentence(&report);
        assert_eq!(kind, "could-not-check");
        assert!(line.starts_with("We could not fully check this badge: we could not confirm"));
        assert!(!line.contains("--"));
    }
}
