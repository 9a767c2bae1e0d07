//! Pathway badges whose requirements no longer hold: flagged for staff, never revoked.
//!
//! Revoking (or suspending, or letting expire) a badge a pathway required leaves the pathway
//! badge as it was: whether it should go too is a judgement (a badge revoked for a typo, a
//! recipient who earned it again). These lists are computed from what is stored now, so a
//! warning goes away by itself once the requirements hold again.

use std::collections::{HashMap, HashSet};

use laurel_store::{Award, AwardFilter, PathwayOutcome};
use serde::Serialize;
use uuid::Uuid;

use super::evaluate::counts;
use super::stored_rule;
use crate::{Service, ServiceResult};

/// A pathway badge whose requirements no longer hold.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unmet {
    /// The pathway badge's award.
    pub award_id: Uuid,
    /// Its achievement.
    pub achievement_id: Uuid,
    /// The badge's name.
    pub badge: String,
    /// The recipient.
    pub recipient_email: String,
    /// Their name, if known.
    pub recipient_name: Option<String>,
    /// Each required badge that does not count now, in words ("\"B\" was revoked").
    pub reasons: Vec<String>,
}

/// The pathway badges of these issuers (valid ones: a revoked pathway badge needs nothing
/// more) whose pathway's requirements their recipients no longer meet.
pub async fn warnings(service: &Service, issuer_ids: &[Uuid]) -> ServiceResult<Vec<Unmet>> {
    let mut found = Vec::new();
    for issuer_id in issuer_ids {
        let names = super::badge_names(service, *issuer_id).await?;
        for pathway in service.store.pathways(Some(*issuer_id)).await? {
            if pathway.outcome != PathwayOutcome::Award {
                continue;
            }
            let filter = AwardFilter {
                achievement_id: Some(pathway.achievement_id),
                limit: u32::MAX,
                ..AwardFilter::default()
            };
            let now = service.clock.now();
            let awards: Vec<Award> = service
                .store
                .list_awards(&filter)
                .await?
                .0
                .into_iter()
                .filter(|a| counts(a, now))
                .collect();
            found.extend(unmet(service, &pathway, &awards, &names).await?);
        }
    }
    Ok(found)
}

/// Whether one award of a pathway badge has its requirements unmet now (for its page).
pub async fn unmet_for_award(service: &Service, award: &Award) -> ServiceResult<Option<Unmet>> {
    let Some(pathway) = service.store.pathway(award.achievement_id).await? else {
        return Ok(None);
    };
    if pathway.outcome != PathwayOutcome::Award || !counts(award, service.clock.now()) {
        return Ok(None);
    }
    let names = super::badge_names(service, award.issuer_id).await?;
    Ok(
        unmet(service, &pathway, std::slice::from_ref(award), &names)
            .await?
            .into_iter()
            .next(),
    )
}

async fn unmet(
    service: &Service,
    pathway: &laurel_store::Pathway,
    awards: &[Award],
    names: &HashMap<Uuid, String>,
) -> ServiceResult<Vec<Unmet>> {
    if awards.is_empty() {
        return Ok(Vec::new());
    }
    let rule = stored_rule(pathway)?;
    let now = service.clock.now();
    let emails: Vec<String> = awards.iter().map(|a| a.recipient_email.clone()).collect();
    // Per recipient: every award of a required badge, valid or not.
    let mut held: HashMap<String, Vec<Award>> = HashMap::new();
    for required in &pathway.requires {
        for award in service.store.awards_for(*required, &emails).await? {
            held.entry(award.recipient_email.clone())
                .or_default()
                .push(award);
        }
    }
    let mut found = Vec::new();
    for award in awards {
        let theirs = held.remove(&award.recipient_email).unwrap_or_default();
        let valid: HashSet<Uuid> = theirs
            .iter()
            .filter(|a| counts(a, now))
            .map(|a| a.achievement_id)
            .collect();
        if rule.satisfied(&valid) {
            continue;
        }
        let name = |id: &Uuid| names.get(id).cloned().unwrap_or_else(|| id.to_string());
        let mut reasons = Vec::new();
        // What changed: required badges held once that no longer count. Badges never held
        // are not listed: an "at least N of" pathway never needed them all.
        for required in &pathway.requires {
            let Some(other) = theirs.iter().find(|a| a.achievement_id == *required) else {
                continue;
            };
            if let Some(at) = other.revoked_at {
                reasons.push(format!(
                    "\"{}\" was revoked on {}",
                    name(required),
                    at.format("%-d %B %Y")
                ));
            } else if other.suspended_at.is_some() {
                reasons.push(format!("\"{}\" is suspended", name(required)));
            } else if let Some(until) = other.valid_until.filter(|until| *until <= now) {
                reasons.push(format!(
                    "\"{}\" expired on {}",
                    name(required),
                    until.format("%-d %B %Y")
                ));
            }
        }
        if reasons.is_empty() {
            reasons.push(
                "the badges held do not complete the pathway (it was awarded another way, or \
                 the pathway changed since)"
                    .into(),
            );
        }
        found.push(Unmet {
            award_id: award.id,
            achievement_id: award.achievement_id,
            badge: name(&award.achievement_id),
            recipient_email: award.recipient_email.clone(),
            recipient_name: award.recipient_name.clone(),
            reasons,
        });
    }
    Ok(found)
}
