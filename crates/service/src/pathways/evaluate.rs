//! Evaluating pathways after an award, and for everyone at once.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use laurel_core::model::Evidence;
use laurel_store::{Award, Invitation, Pathway, PathwayOutcome};
use uuid::Uuid;

use super::{MAX_CASCADE, stored_rule};
use crate::mint::{self, Outcome, Recipient};
use crate::{Service, ServiceResult};

/// Whether an award counts toward a pathway now: not revoked, not suspended, not expired.
pub fn counts(award: &Award, now: DateTime<Utc>) -> bool {
    award.revoked_at.is_none()
        && award.suspended_at.is_none()
        && award.valid_until.is_none_or(|until| until > now)
}

/// Evaluates every pathway `achievement_id` takes part in for the recipients of `created`
/// (awards of it made just now) and completes those they now meet: awarding the pathway's
/// badge through [`mint::award`] (at `depth + 1`, which evaluates further up in turn) or
/// recording an invitation. How many pathway badges and invitations it gave.
///
/// Called by [`mint::award`] itself; a failure here leaves the awards made, and is reported
/// to the caller, which logs it (staff can evaluate a pathway for everyone again).
pub async fn evaluate(
    service: &Service,
    achievement_id: Uuid,
    created: &[&Award],
    notify: bool,
    depth: u32,
) -> ServiceResult<usize> {
    if created.is_empty() {
        return Ok(0);
    }
    let pathways = service.store.pathways_requiring(&[achievement_id]).await?;
    let names: HashMap<&str, Option<&str>> = created
        .iter()
        .map(|a| (a.recipient_email.as_str(), a.recipient_name.as_deref()))
        .collect();
    let mut given = 0;
    for pathway in pathways {
        given += complete(service, &pathway, &names, notify, depth).await?;
    }
    Ok(given)
}

/// Evaluates one pathway for everyone holding any badge it names, and completes it for those
/// who meet it: for a pathway made after its steps were awarded. How many it gave.
pub async fn evaluate_all(service: &Service, achievement_id: Uuid) -> ServiceResult<usize> {
    let Some(pathway) = service.store.pathway(achievement_id).await? else {
        return Ok(0);
    };
    let mut names: HashMap<String, Option<String>> = HashMap::new();
    for required in &pathway.requires {
        let filter = laurel_store::AwardFilter {
            achievement_id: Some(*required),
            limit: u32::MAX,
            ..laurel_store::AwardFilter::default()
        };
        for award in service.store.list_awards(&filter).await?.0 {
            let name = award.recipient_name.clone();
            let slot = names.entry(award.recipient_email).or_insert(None);
            if slot.is_none() {
                *slot = name;
            }
        }
    }
    let names: HashMap<&str, Option<&str>> = names
        .iter()
        .map(|(email, name)| (email.as_str(), name.as_deref()))
        .collect();
    complete(service, &pathway, &names, true, 0).await
}

/// Completes `pathway` for those of `people` (email → name) who meet it now.
async fn complete(
    service: &Service,
    pathway: &Pathway,
    people: &HashMap<&str, Option<&str>>,
    notify: bool,
    depth: u32,
) -> ServiceResult<usize> {
    let rule = stored_rule(pathway)?;
    let now = service.clock.now();
    let emails: Vec<String> = people.keys().map(|e| (*e).to_string()).collect();
    // Each recipient's valid badges among those the rule names, with their awards (evidence).
    let mut held: HashMap<String, Vec<Award>> = HashMap::new();
    for required in &pathway.requires {
        for award in service.store.awards_for(*required, &emails).await? {
            if counts(&award, now) {
                held.entry(award.recipient_email.clone())
                    .or_default()
                    .push(award);
            }
        }
    }
    let mut met: Vec<(String, Vec<Award>)> = Vec::new();
    for email in &emails {
        let awards = held.remove(email).unwrap_or_default();
        let ids: HashSet<Uuid> = awards.iter().map(|a| a.achievement_id).collect();
        if rule.satisfied(&ids) {
            met.push((email.clone(), awards));
        }
    }
    if met.is_empty() {
        return Ok(0);
    }
    match pathway.outcome {
        PathwayOutcome::Invite => {
            let mut recorded = 0;
            for (email, _) in &met {
                let name = people.get(email.as_str()).copied().flatten();
                let invitation =
                    Invitation::queued(pathway.achievement_id, pathway.issuer_id, email, name, now);
                if service.store.record_invitation(&invitation).await? {
                    recorded += 1;
                }
            }
            if recorded > 0 {
                tracing::info!(pathway = %pathway.achievement_id, recorded, "invitations queued");
                service.outbox.wake();
            }
            Ok(recorded)
        }
        PathwayOutcome::Award => {
            if depth >= MAX_CASCADE {
                tracing::warn!(
                    pathway = %pathway.achievement_id,
                    depth,
                    "pathways cascade too deep: not awarding further"
                );
                return Ok(0);
            }
            let names = super::badge_names(service, pathway.issuer_id).await?;
            let rows: Vec<ServiceResult<Recipient>> = met
                .iter()
                .map(|(email, awards)| {
                    Ok(recipient(
                        service,
                        email,
                        people.get(email.as_str()).copied().flatten(),
                        awards,
                        &names,
                    ))
                })
                .collect();
            let outcomes =
                mint::award_at_depth(service, pathway.achievement_id, rows, notify, depth + 1)
                    .await?;
            let mut created = 0;
            for outcome in outcomes {
                match outcome {
                    Outcome::Created(_) => created += 1,
                    Outcome::Existing(_) => {}
                    Outcome::Failed(error) => tracing::warn!(
                        pathway = %pathway.achievement_id,
                        %error,
                        "a completed pathway's badge was not awarded"
                    ),
                }
            }
            Ok(created)
        }
    }
}

/// What a pathway badge's credential says: the badges that completed it, as evidence.
fn recipient(
    service: &Service,
    email: &str,
    name: Option<&str>,
    awards: &[Award],
    names: &HashMap<Uuid, String>,
) -> Recipient {
    let mut evidence = Vec::new();
    for award in awards.iter().take(mint::MAX_EVIDENCE) {
        let mut item = Evidence::new();
        item.id = Some(service.urls.credential(award.id));
        item.name = names.get(&award.achievement_id).cloned();
        item.genre = Some("Pathway step".into());
        item.description = Some(format!(
            "Held since {}.",
            award.issued_at.format("%Y-%m-%d")
        ));
        evidence.push(item);
    }
    let held: Vec<String> = awards
        .iter()
        .filter_map(|a| names.get(&a.achievement_id).map(|n| format!("\"{n}\"")))
        .collect();
    Recipient {
        email: email.to_string(),
        name: name.map(str::to_string),
        include_name: None,
        narrative: Some(format!(
            "Earned by completing a pathway, holding {}.",
            held.join(", ")
        )),
        evidence,
        activity_start_date: None,
        activity_end_date: None,
        result: None,
        credits_earned: None,
        // A pathway badge is earned by holding badges, not in a role at a session.
        role: None,
        awarded_date: None,
    }
}
