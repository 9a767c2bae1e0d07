//! "Endorsed by …" on the public pages: the achievement and issuer pages list the
//! endorsements in force now (from the store), the credential page those signed into the
//! credential, each with whether it verified (from the verifier's report, which checks them
//! apart from the badge).

use laurel_store::Endorsement;
use laurel_verify::{Report, Verdict};

use super::html;
use laurel_service::Urls;

/// One endorsement as a page shows it (`templates/pages/endorsements.html`).
pub struct EndorsementLine {
    /// Who endorsed.
    pub endorser: String,
    /// The endorser's page or profile (a checked link target).
    pub endorser_href: Option<String>,
    /// What they said.
    pub comment: Option<String>,
    /// The signed endorsement (JSON-LD), when this service hosts it.
    pub document_href: Option<String>,
    /// On the credential page: whether it verified, in words; `None` elsewhere.
    pub state: Option<String>,
    /// True when it did not verify (styled as a warning).
    pub failed: bool,
}

/// The endorsements in force among `stored` (withdrawn ones are left out).
pub fn from_store(urls: &Urls, stored: &[Endorsement]) -> Vec<EndorsementLine> {
    stored
        .iter()
        .filter(|endorsement| endorsement.withdrawn_at.is_none())
        .map(|endorsement| EndorsementLine {
            endorser: endorsement.endorser_name.clone(),
            endorser_href: html::href(&endorsement.endorser_id).map(str::to_owned),
            comment: endorsement.comment.clone(),
            document_href: Some(urls.endorsement(endorsement.id)),
            state: None,
            failed: false,
        })
        .collect()
}

/// The endorsements signed into a credential, as its verification report found them.
pub fn from_report(report: &Report) -> Vec<EndorsementLine> {
    report
        .endorsements
        .iter()
        .map(|endorsement| {
            let endorser = endorsement
                .endorser_name
                .clone()
                .or_else(|| endorsement.endorser_id.clone())
                .unwrap_or_else(|| "an unnamed organisation".into());
            let of = match endorsement.attached_to {
                "achievement" => "of this badge",
                "issuer" => "of the issuer",
                "credential" => "of this credential",
                _ => "",
            };
            let (state, failed) = match endorsement.verdict {
                Verdict::Valid => (format!("Endorsement {of} verified."), false),
                _ => (
                    format!(
                        "This endorsement {of} could not be verified{}; it does not change whether the badge is valid.",
                        endorsement
                            .reason
                            .as_deref()
                            .map(|reason| format!(" ({reason})"))
                            .unwrap_or_default()
                    ),
                    true,
                ),
            };
            EndorsementLine {
                endorser,
                endorser_href: endorsement
                    .endorser_id
                    .as_deref()
                    .and_then(html::href)
                    .map(str::to_owned),
                comment: endorsement.comment.clone(),
                document_href: None,
                state: Some(state),
                failed,
            }
        })
        .collect()
}
