//! A recipient's progress on a pathway ("2 of 3 done"), and the token that shows it.
//!
//! Progress names what one person holds, so it is never shown from a guessable URL. The claim
//! page (reached through the recipient's personal claim link) links to the pathway page with a
//! **progress token**: the id of the award the claim link is for, an expiry, and an HMAC of
//! both under a key this installation keeps ([`crate::signed`]). The token shows that award's
//! recipient's progress on the issuer's pathways and nothing else: it cannot claim a badge, it
//! cannot be made for another award without the key, and it stops working after
//! [`PROGRESS_LINK_DAYS`] (a link copied from the page, a forwarded or shared URL, does not
//! show someone's progress for ever). The claim page mints a fresh one each time it is shown,
//! so a recipient coming back through their claim link always gets a working one. The claim
//! link's own secret never leaves the claim page.

use std::collections::{HashMap, HashSet};

use laurel_store::Pathway;
use serde::Serialize;
use uuid::Uuid;

use super::evaluate::counts;
use super::rule::{Group, step_done};
use super::stored_rule;
use crate::signed::{self, Purpose, Refused};
use crate::{Service, ServiceError, ServiceResult};

/// One group's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupProgress {
    /// The group's name, if it has one.
    pub title: Option<String>,
    /// "all of", "at least 2 of", "any one of".
    pub quantifier: String,
    /// Steps done.
    pub done: usize,
    /// Steps needed.
    pub needed: usize,
    /// Whether the group is complete.
    pub complete: bool,
    /// Its steps.
    pub steps: Vec<StepProgress>,
}

/// One step's progress: a badge held or not, or a group's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepProgress {
    /// The badge, for a badge step.
    pub achievement_id: Option<Uuid>,
    /// Its name (a badge's, or the group's title).
    pub name: String,
    /// Whether it is done.
    pub done: bool,
    /// The group's progress, for a group step.
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub group: Option<Box<GroupProgress>>,
}

impl GroupProgress {
    /// The group as it stands for someone holding `held` (valid badges); `held` empty shows
    /// the rule with nothing done (the public page).
    pub fn of(group: &Group, held: &HashSet<Uuid>, names: &HashMap<Uuid, String>) -> Self {
        let steps: Vec<StepProgress> = group
            .steps
            .iter()
            .map(|step| {
                let done = step_done(step, held);
                match (&step.achievement_id, &step.group) {
                    (Some(id), _) => StepProgress {
                        achievement_id: Some(*id),
                        name: names.get(id).cloned().unwrap_or_else(|| "a badge".into()),
                        done,
                        group: None,
                    },
                    (None, inner) => {
                        let inner = inner
                            .as_ref()
                            .map(|g| Box::new(GroupProgress::of(g, held, names)));
                        StepProgress {
                            achievement_id: None,
                            name: inner
                                .as_ref()
                                .and_then(|g| g.title.clone())
                                .unwrap_or_else(|| "a group".into()),
                            done,
                            group: inner,
                        }
                    }
                }
            })
            .collect();
        let done = steps.iter().filter(|s| s.done).count();
        GroupProgress {
            title: group.title.clone(),
            quantifier: group.quantifier(),
            done,
            needed: group.needed(),
            complete: group.satisfied(held),
            steps,
        }
    }

    /// "2 of 3 done".
    pub fn in_words(&self) -> String {
        format!("{} of {} done", self.done.min(self.needed), self.needed)
    }
}

/// `email`'s progress on `pathway` now: only valid badges count.
pub async fn progress(
    service: &Service,
    pathway: &Pathway,
    email: &str,
) -> ServiceResult<GroupProgress> {
    let rule = stored_rule(pathway)?;
    let now = service.clock.now();
    let filter = laurel_store::AwardFilter {
        issuer_id: Some(pathway.issuer_id),
        recipient_email: Some(email.to_string()),
        limit: u32::MAX,
        ..laurel_store::AwardFilter::default()
    };
    let held: HashSet<Uuid> = service
        .store
        .list_awards(&filter)
        .await?
        .0
        .iter()
        .filter(|a| counts(a, now))
        .map(|a| a.achievement_id)
        .collect();
    let names = super::badge_names(service, pathway.issuer_id).await?;
    Ok(GroupProgress::of(&rule, &held, &names))
}

/// A pathway an award takes part in, and its recipient's progress on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnTheWay {
    /// The badge the pathway leads to.
    pub achievement_id: Uuid,
    /// Its name.
    pub name: String,
    /// An invitation pathway (it leads to an invitation, not a badge).
    pub invitation: bool,
    /// The recipient's progress now.
    pub progress: GroupProgress,
}

/// The pathways of the award's issuer its badge takes part in, with its recipient's progress
/// on each: what the claim page lists.
pub async fn on_the_way(
    service: &Service,
    award: &laurel_store::Award,
) -> ServiceResult<Vec<OnTheWay>> {
    let pathways = service
        .store
        .pathways_requiring(&[award.achievement_id])
        .await?;
    let mut found = Vec::new();
    for pathway in pathways.iter().filter(|p| p.issuer_id == award.issuer_id) {
        let achievement = service.store.achievement(pathway.achievement_id).await?;
        found.push(OnTheWay {
            achievement_id: pathway.achievement_id,
            name: achievement.name,
            invitation: pathway.outcome == laurel_store::PathwayOutcome::Invite,
            progress: progress(service, pathway, &award.recipient_email).await?,
        });
    }
    Ok(found)
}

/// How long a progress link works: the claim page makes a fresh one each time it is shown.
pub const PROGRESS_LINK_DAYS: i64 = 7;

/// The progress token of an award's recipient (see the module doc), working for
/// [`PROGRESS_LINK_DAYS`] from now.
pub async fn progress_token(service: &Service, award_id: Uuid) -> ServiceResult<String> {
    let expires = service.clock.now() + chrono::Duration::days(PROGRESS_LINK_DAYS);
    signed::token(service, Purpose::Progress, award_id, expires).await
}

/// The recipient's email and progress on `achievement_id`'s pathway that a progress token
/// shows; [`ServiceError::NotFound`] for a token that is not one of ours (or whose award is
/// gone), for the achievement without a pathway, or of another issuer, and for an expired
/// token (each in words that say what to do).
pub async fn progress_for_token(
    service: &Service,
    achievement_id: Uuid,
    token: &str,
) -> ServiceResult<(String, GroupProgress)> {
    let refused = || {
        ServiceError::NotFound(
            "this progress link is not known: open it again from your claim link".into(),
        )
    };
    let award_id =
        match signed::open(service, Purpose::Progress, token, service.clock.now()).await? {
            Ok(award_id) => award_id,
            Err(Refused::Unknown) => return Err(refused()),
            Err(Refused::Expired) => {
                return Err(ServiceError::NotFound(format!(
                    "this progress link has expired (they work for {PROGRESS_LINK_DAYS} days): \
                 open your claim link again for a fresh one"
                )));
            }
        };
    let award = service.store.award(award_id).await.map_err(|_| refused())?;
    let pathway = service
        .store
        .pathway(achievement_id)
        .await?
        .filter(|p| p.issuer_id == award.issuer_id)
        .ok_or_else(refused)?;
    let progress = progress(service, &pathway, &award.recipient_email).await?;
    Ok((award.recipient_email, progress))
}
