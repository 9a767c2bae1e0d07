//! Pathways: an achievement earned by holding others, or an invitation sent for holding them.
//!
//! A pathway is a tree of groups: each group needs "all of" its steps or "at least N of"
//! them, and a step is one of the issuer's badges or a group of its own (a certificate made of
//! three competency sets, each with its own rule). Completing a pathway either awards its
//! achievement (through [`crate::mint::award`], like every other award) or, for an invitation,
//! queues one email to the recipient from the pathway's template, once per recipient.
//!
//! **When.** Pathways are evaluated whenever a badge is created by the one award path
//! ([`crate::mint::award`]): every pathway the new badge takes part in, for that recipient
//! ([`evaluate`]). A completed pathway awards through the same path, which may complete
//! pathways further up (bounded by [`MAX_CASCADE`]; cycles are refused when a pathway is saved).
//! Only badges that are valid now count: not revoked, not suspended, not expired.
//!
//! **Exactly once.** Two awards completing one pathway at once both evaluate it (each after its
//! own award is stored, so the later of the two sees both); both then award the pathway's badge,
//! and the store's one-credential-per-recipient-and-achievement insert keeps one. An invitation
//! is recorded under (achievement, recipient), so it too is sent once.
//!
//! **Revocation.** Revoking a required badge never revokes the pathway badge: staff see it
//! among the pathway badges whose requirements no longer hold ([`warnings`]) and decide.
//!
//! **Same issuer.** A pathway only names its own issuer's badges, hosted issuers included: a
//! credential an issuer signs attests to what that issuer itself awarded.

mod evaluate;
mod invitations;
mod progress;
mod rule;
mod warnings;

use std::collections::{HashMap, HashSet};

use laurel_store::{Achievement, Pathway, PathwayOutcome};
use uuid::Uuid;

use crate::{Service, ServiceError, ServiceResult};

pub use evaluate::{evaluate, evaluate_all};
pub use invitations::{
    DEFAULT_INVITATION_BODY, DEFAULT_INVITATION_SUBJECT, deliver_invitations, invitation_template,
};
pub use progress::{
    GroupProgress, OnTheWay, PROGRESS_LINK_DAYS, StepProgress, on_the_way, progress,
    progress_for_token, progress_token,
};
pub use rule::{Group, MAX_DEPTH, MAX_STEPS, Problem, Step};
pub use warnings::{Unmet, unmet_for_award, warnings};

/// How many pathways deep one award may cascade (a pathway badge completing another).
pub const MAX_CASCADE: u32 = 8;

/// A pathway as the API and the console send it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PathwayInput {
    /// `award` (default): holding the steps awards this badge. `invite`: it sends the recipient
    /// an invitation to it (an email), once.
    #[serde(default)]
    pub outcome: OutcomeName,
    /// The steps and how many of them are needed.
    pub rule: Group,
    /// The invitation email's subject (`invite` only; absent: the default). Uses the email
    /// template variables.
    #[serde(default)]
    pub invitation_subject: Option<String>,
    /// The invitation email's plain-text body (`invite` only; absent: the default).
    #[serde(default)]
    pub invitation_body: Option<String>,
}

/// What completing a pathway does, by name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OutcomeName {
    /// Award the badge.
    #[default]
    Award,
    /// Send an invitation to it.
    Invite,
}

impl From<OutcomeName> for PathwayOutcome {
    fn from(name: OutcomeName) -> Self {
        match name {
            OutcomeName::Award => PathwayOutcome::Award,
            OutcomeName::Invite => PathwayOutcome::Invite,
        }
    }
}

impl From<PathwayOutcome> for OutcomeName {
    fn from(outcome: PathwayOutcome) -> Self {
        match outcome {
            PathwayOutcome::Award => OutcomeName::Award,
            PathwayOutcome::Invite => OutcomeName::Invite,
        }
    }
}

/// A stored pathway, read.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PathwayView {
    /// The badge it leads to.
    pub achievement_id: Uuid,
    /// What completing it does.
    pub outcome: OutcomeName,
    /// The steps.
    pub rule: Group,
    /// The rule in words ("all of: A, B, and at least 2 of: C, D, E").
    pub summary: String,
    /// The invitation email's subject, when set.
    pub invitation_subject: Option<String>,
    /// The invitation email's body, when set.
    pub invitation_body: Option<String>,
    /// When it was last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// One edge of the issuer's pathways: `pathway` is earned (partly) by holding `required`. What
/// a Comprehensive Learner Record's `association`s are made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PathwayLink {
    /// The badge a pathway awards.
    pub pathway: Uuid,
    /// A badge its rule names (at any depth).
    pub required: Uuid,
}

/// Why a pathway was refused: every problem found, each where it belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub Vec<Problem>);

impl From<Refused> for ServiceError {
    fn from(refused: Refused) -> Self {
        let words: Vec<String> = refused.0.iter().map(Problem::sentence).collect();
        ServiceError::Invalid(words.join("; "))
    }
}

/// Reads a stored pathway's rule (a corrupt one is an internal error).
pub fn stored_rule(pathway: &Pathway) -> ServiceResult<Group> {
    serde_json::from_str(&pathway.rule).map_err(|error| {
        ServiceError::Internal(format!(
            "the pathway of {} does not read: {error}",
            pathway.achievement_id
        ))
    })
}

/// The achievement's pathway, if it has one, with its rule in words.
pub async fn get(service: &Service, achievement_id: Uuid) -> ServiceResult<Option<PathwayView>> {
    let Some(pathway) = service.store.pathway(achievement_id).await? else {
        return Ok(None);
    };
    let names = badge_names(service, pathway.issuer_id).await?;
    view(&pathway, &names).map(Some)
}

/// A stored pathway as the API shows it.
pub fn view(pathway: &Pathway, names: &HashMap<Uuid, String>) -> ServiceResult<PathwayView> {
    let rule = stored_rule(pathway)?;
    Ok(PathwayView {
        achievement_id: pathway.achievement_id,
        outcome: pathway.outcome.into(),
        summary: rule.in_words(names),
        rule,
        invitation_subject: pathway.invitation_subject.clone(),
        invitation_body: pathway.invitation_body.clone(),
        updated_at: pathway.updated_at,
    })
}

/// The issuer's badges' names, by id.
pub async fn badge_names(
    service: &Service,
    issuer_id: Uuid,
) -> ServiceResult<HashMap<Uuid, String>> {
    Ok(service
        .store
        .list_achievements(Some(issuer_id))
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect())
}

/// Checks a pathway for `achievement` against its issuer's badges and pathways: every
/// problem, each placed at its group. Nothing is stored.
pub async fn check(
    service: &Service,
    achievement: &Achievement,
    input: &PathwayInput,
) -> ServiceResult<Result<Pathway, Refused>> {
    let badges = service
        .store
        .list_achievements(Some(achievement.issuer_id))
        .await?;
    let names: HashMap<Uuid, String> = badges.iter().map(|a| (a.id, a.name.clone())).collect();
    let mut problems = input.rule.problems(achievement.id, &names);
    // Ids of other issuers' badges get a message of their own.
    if problems.iter().any(|p| p.unknown.is_some()) {
        let own = issuer_name(service, achievement.issuer_id).await;
        for problem in &mut problems {
            let Some(id) = problem.unknown else { continue };
            if let Ok(other) = service.store.achievement(id).await {
                problem.message = format!(
                    "\"{}\" is another issuer's badge: a pathway can only require {own}'s own \
                     badges",
                    other.name
                );
            }
        }
    }
    let outcome: PathwayOutcome = input.outcome.into();
    let subject = crate::fields::optional(
        "invitation subject",
        input.invitation_subject.as_deref(),
        crate::email::template::MAX_SUBJECT,
    );
    let body = crate::fields::optional(
        "invitation text",
        input.invitation_body.as_deref(),
        crate::email::template::MAX_BODY,
    );
    let (subject, body) = match (subject, body) {
        (Ok(subject), Ok(body)) => (subject, body),
        (Err(error), _) | (_, Err(error)) => {
            problems.push(Problem::invitation(error.to_string()));
            (None, None)
        }
    };
    if outcome == PathwayOutcome::Invite {
        let template = invitation_template(subject.as_deref(), body.as_deref());
        if let Err(error) = template.check() {
            problems.push(Problem::invitation(error.to_string()));
        }
    }
    let mut requires = input.rule.achievements();
    // As the store reads them back.
    requires.sort();
    if problems.is_empty() && outcome == PathwayOutcome::Award {
        let pathways = service.store.pathways(Some(achievement.issuer_id)).await?;
        if let Some(cycle) = cycle(achievement.id, &requires, &pathways, &names) {
            problems.push(Problem::top(cycle));
        }
    }
    if !problems.is_empty() {
        return Ok(Err(Refused(problems)));
    }
    let (invitation_subject, invitation_body) = match outcome {
        PathwayOutcome::Invite => (subject, body),
        PathwayOutcome::Award => (None, None),
    };
    Ok(Ok(Pathway {
        achievement_id: achievement.id,
        issuer_id: achievement.issuer_id,
        rule: serde_json::to_string(&input.rule.trimmed())
            .map_err(|error| ServiceError::Internal(error.to_string()))?,
        requires,
        outcome,
        invitation_subject,
        invitation_body,
        updated_at: service.clock.now(),
    }))
}

async fn issuer_name(service: &Service, issuer_id: Uuid) -> String {
    match service.store.issuer(issuer_id).await {
        Ok(issuer) => issuer.name,
        Err(_) => "this issuer".into(),
    }
}

/// Checks and stores an achievement's pathway (replacing any). A refused pathway is
/// [`ServiceError::Invalid`] naming every problem; [`check`] gives them one by one.
pub async fn save(
    service: &Service,
    achievement_id: Uuid,
    input: &PathwayInput,
) -> ServiceResult<PathwayView> {
    let achievement = service
        .store
        .achievement(achievement_id)
        .await
        .map_err(|error| ServiceError::from_store(error, "achievement", achievement_id))?;
    let pathway = check(service, &achievement, input).await??;
    service.store.set_pathway(&pathway).await?;
    let names = badge_names(service, achievement.issuer_id).await?;
    view(&pathway, &names)
}

/// Deletes an achievement's pathway; whether it had one. Badges and invitations already
/// given stay.
pub async fn delete(service: &Service, achievement_id: Uuid) -> ServiceResult<bool> {
    Ok(service.store.delete_pathway(achievement_id).await?)
}

/// For an issuer's badges, every (pathway badge, required badge) pair of its award pathways:
/// what a Comprehensive Learner Record states as `association`s.
pub async fn links(service: &Service, issuer_id: Uuid) -> ServiceResult<Vec<PathwayLink>> {
    let pathways = service.store.pathways(Some(issuer_id)).await?;
    Ok(pathways
        .iter()
        .filter(|p| p.outcome == PathwayOutcome::Award)
        .flat_map(|p| {
            p.requires.iter().map(|required| PathwayLink {
                pathway: p.achievement_id,
                required: *required,
            })
        })
        .collect())
}

/// A sentence naming the cycle that `target` requiring `requires` would close, if any: a badge
/// it requires that already leads (through award pathways) back to `target`.
fn cycle(
    target: Uuid,
    requires: &[Uuid],
    pathways: &[Pathway],
    names: &HashMap<Uuid, String>,
) -> Option<String> {
    let edges: HashMap<Uuid, &[Uuid]> = pathways
        .iter()
        .filter(|p| p.outcome == PathwayOutcome::Award && p.achievement_id != target)
        .map(|p| (p.achievement_id, p.requires.as_slice()))
        .collect();
    let name = |id: &Uuid| {
        names
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("badge {id}"))
    };
    // Does any badge `target` would require lead to `target`? Search from `target`'s own
    // badge: X "leads to" Y when Y's pathway requires X, so walk the reverse edges.
    let mut leads_to: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (pathway, required) in &edges {
        for r in required.iter() {
            leads_to.entry(*r).or_default().push(*pathway);
        }
    }
    for start in requires {
        // Path from `target` upward to `start`: target → … → start means start's pathway
        // (transitively) requires target.
        let mut seen = HashSet::new();
        let mut stack = vec![(target, vec![target])];
        while let Some((at, path)) = stack.pop() {
            if at == *start {
                let chain: Vec<String> = path.iter().map(&name).collect();
                return Some(format!(
                    "\"{}\" cannot require \"{}\": {} already leads to it ({}), so the pathway \
                     would go round in a circle",
                    name(&target),
                    name(start),
                    name(&target),
                    chain.join(" → ")
                ));
            }
            if !seen.insert(at) {
                continue;
            }
            for next in leads_to.get(&at).into_iter().flatten() {
                let mut path = path.clone();
                path.push(*next);
                stack.push((*next, path));
            }
        }
    }
    None
}
