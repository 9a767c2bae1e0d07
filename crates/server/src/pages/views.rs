//! What the verification fragments of the credential and verify pages show, computed from a
//! report: the verdict line (`templates/pages/verdict.html`), the verifier's steps
//! (`technical.html`) and the badge as its credential claims it (`badge_claim.html`). The
//! words themselves come from [`super::verdict_text`]; the markup from the templates.

use chrono::{DateTime, Utc};
use laurel_verify::{Outcome, Report, Verdict};
use serde_json::Value;

use super::html;
use super::verdict_text::{
    Hosting, clean, forged, key_only, sentence, signed_by_issuer, step_title,
};

/// The verdict as the page's `#verdict` shows it (`templates/pages/verdict.html`; focusable,
/// so the page's script can move the keyboard to it once the result is shown).
#[derive(Debug, Clone)]
pub struct VerdictLine {
    /// The `data-verdict` value.
    pub kind: &'static str,
    /// The one plain sentence.
    pub sentence: String,
}

impl VerdictLine {
    /// The verdict line of a report.
    pub fn of(report: &Report) -> Self {
        let (kind, sentence) = sentence(report);
        VerdictLine { kind, sentence }
    }
}

/// The verifier's steps in words, shown collapsed (`templates/pages/technical.html`).
#[derive(Debug, Clone)]
pub struct Technical {
    /// One line per step, in the verifier's order.
    pub steps: Vec<StepLine>,
    /// When it was checked (a date for people).
    pub checked: String,
}

/// One step of a verification.
#[derive(Debug, Clone)]
pub struct StepLine {
    /// Passed, Failed, …
    pub outcome: &'static str,
    /// The step's name in plain language.
    pub title: &'static str,
    /// What the verifier found, without command-line advice.
    pub detail: String,
}

impl Technical {
    /// The steps of a report checked at `now`.
    pub fn of(report: &Report, now: DateTime<Utc>) -> Self {
        let steps = report
            .steps
            .iter()
            .map(|step| {
                let outcome = match step.outcome {
                    Outcome::Passed => "Passed",
                    Outcome::Failed => "Failed",
                    Outcome::CouldNotCheck => "Could not check",
                    Outcome::Skipped => "Not applicable",
                    Outcome::Warning => "Note",
                };
                let detail = if step.name == "recipient" && step.outcome == Outcome::Skipped {
                    "the recipient is named by a salted hash of their email, which only someone who knows the email can check".to_string()
                } else {
                    clean(&step.detail)
                };
                StepLine {
                    outcome,
                    title: step_title(step.name),
                    detail,
                }
            })
            .collect();
        Technical {
            steps,
            checked: html::date(now),
        }
    }
}

/// Whether the email asked about matched (`yes`, `no`, `we could not tell`); `None` when no
/// email was asked about.
pub fn recipient_answer(report: &Report, asked: bool) -> Option<&'static str> {
    if !asked {
        return None;
    }
    Some(match report.step("recipient").map(|step| step.outcome) {
        Some(Outcome::Passed) => "yes",
        Some(Outcome::Failed) => "no",
        _ => "we could not tell",
    })
}

/// The badge as the credential describes it, its issuer as the report knows it, its dates
/// and credits (`templates/pages/badge_claim.html`).
#[derive(Debug, Clone)]
pub struct BadgeClaim {
    /// "The badge", or a heading saying none of it is confirmed.
    pub heading: &'static str,
    /// Whether to warn that the check failed and nothing below is confirmed.
    pub unconfirmed: bool,
    /// Whether to say the issuer's signature holds although the badge is not valid.
    pub signed_but_not_valid: bool,
    /// The badge's image (an `https` or `data:image` URL).
    pub image: Option<String>,
    /// The achievement's name.
    pub name: String,
    /// The recipient's name, when the credential carries one: its unhashed `name` identity
    /// (as the Learner Credential Wallet reads it), else a `credentialSubject.name`.
    pub recipient: Option<String>,
    /// Who the issuer is.
    pub issuer: IssuerText,
    /// Dates and credits.
    pub facts: Vec<Fact>,
}

/// One term of a `<dl class="facts">`, with its value as text.
#[derive(Debug, Clone)]
pub struct Fact {
    /// The term.
    pub term: &'static str,
    /// Its value.
    pub value: String,
}

impl Fact {
    /// A term and its value.
    pub fn new(term: &'static str, value: impl Into<String>) -> Self {
        Fact {
            term,
            value: value.into(),
        }
    }
}

/// Who the issuer is: stated only with a valid verdict, else what the credential claims.
#[derive(Debug, Clone)]
pub enum IssuerText {
    /// Valid, signed by a did:key: the key is all there is to know.
    KeyOnly {
        /// The did:key.
        key: String,
        /// The name it gives itself.
        name: String,
    },
    /// `{lead} <strong>{name}</strong> ({id}). {tail}`.
    Named {
        /// "Issued by", "The credential says it comes from", …
        lead: &'static str,
        /// The issuer's name as the credential gives it.
        name: String,
        /// Its id, when there is one.
        id: Option<String>,
        /// How this site knows it.
        tail: &'static str,
    },
}

impl BadgeClaim {
    /// The badge section of a credential's JSON, its report and this site's `origin`.
    pub fn of(credential: &Value, report: &Report, origin: &str) -> Self {
        let text = |pointer: &str| {
            credential
                .pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let name = text("/credentialSubject/achievement/name")
            .or_else(|| text("/name"))
            .unwrap_or_else(|| "A badge with no name".into());
        let image = credential
            .pointer("/credentialSubject/achievement/image")
            .and_then(|image| image.get("id").or(Some(image)))
            .and_then(Value::as_str)
            .filter(|url| url.starts_with("https://") || url.starts_with("data:image/"))
            .and_then(|url| {
                if url.starts_with("data:") {
                    Some(url)
                } else {
                    html::href(url)
                }
            })
            .map(str::to_owned);
        let mut facts = Vec::new();
        let date = |pointer: &str| text(pointer).as_deref().and_then(html::parse_date);
        if let Some(at) = date("/validFrom").or_else(|| date("/issuanceDate")) {
            facts.push(Fact::new("Issued", html::date(at)));
        }
        if let Some(at) = date("/awardedDate") {
            facts.push(Fact::new("Awarded", html::date(at)));
        }
        if let Some(at) = date("/validUntil").or_else(|| date("/expirationDate")) {
            facts.push(Fact::new("Valid until", html::date(at)));
        }
        let credits = |pointer: &str| credential.pointer(pointer).and_then(Value::as_f64);
        if let Some(credits) = credits("/credentialSubject/creditsEarned") {
            facts.push(Fact::new(
                "Credits earned",
                laurel_service::units::hours_in_words(credits),
            ));
        }
        if let Some(credits) = credits("/credentialSubject/achievement/creditsAvailable") {
            facts.push(Fact::new(
                "Credits available",
                laurel_service::units::hours_in_words(credits),
            ));
        }
        // A genuine badge that is not in force (revoked, expired, someone else's) is still its
        // issuer's; anything else is only what the credential says about itself.
        let valid = report.verdict == Verdict::Valid;
        let signed = signed_by_issuer(report);
        BadgeClaim {
            heading: if valid || signed {
                "The badge"
            } else {
                "What this credential claims (not confirmed)"
            },
            unconfirmed: !valid && !signed,
            signed_but_not_valid: !valid && signed,
            image,
            name,
            recipient: credential
                .get("credentialSubject")
                .and_then(laurel_core::model::subject_name)
                .or_else(|| text("/credentialSubject/name")),
            issuer: issuer_text(credential, report, origin),
            facts,
        }
    }
}

/// Who the issuer is: stated only with a valid verdict, else what the credential claims.
fn issuer_text(credential: &Value, report: &Report, origin: &str) -> IssuerText {
    let issuer = credential.get("issuer");
    let id = issuer
        .and_then(|issuer| issuer.get("id").or(Some(issuer)))
        .and_then(Value::as_str)
        .or_else(|| report.issuer.as_ref().map(|issuer| issuer.id.as_str()))
        .unwrap_or("");
    let name = issuer
        .and_then(|issuer| issuer.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("an unnamed issuer")
        .to_owned();
    let hosting = Hosting::of(report, origin);
    let bound = signed_by_issuer(report);
    if report.verdict == Verdict::Valid && key_only(report) {
        return IssuerText::KeyOnly {
            key: id.to_owned(),
            name,
        };
    }
    let id = Some(id.to_owned()).filter(|id| !id.is_empty());
    let (lead, tail) = if report.verdict == Verdict::Valid && bound {
        let how = match hosting {
            Hosting::Hosted => "This issuer is hosted by this site.",
            Hosting::Published => {
                "This issuer is not hosted here, but its key is published at its own address."
            }
            Hosting::DidKey => "This issuer is identified by its key (did:key).",
            Hosting::Unknown => "This issuer is unknown to this site.",
        };
        ("Issued by", how)
    } else if forged(report) || report.failed_step == Some("issued here") {
        (
            "The credential claims to come from",
            "That issuer is hosted by this site, and it did not sign this credential.",
        )
    } else {
        let how = match hosting {
            Hosting::Hosted => "That issuer is hosted by this site.",
            Hosting::Published => "That issuer publishes its key at its own address.",
            Hosting::DidKey => "That issuer is identified by its key (did:key).",
            Hosting::Unknown => "That issuer is unknown to this site.",
        };
        ("The credential says it comes from", how)
    };
    IssuerText::Named {
        lead,
        name,
        id,
        tail,
    }
}
