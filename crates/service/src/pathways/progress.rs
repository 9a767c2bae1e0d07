//! A recipient's progress on a pathway ("2 of 3 done"), and the token that shows it.
//!
//! Progress names what one person holds, so it is never shown from a guessable URL. The claim
//! page (reached through the recipient's personal claim link) links to the pathway page with a
//! **progress token**: the id of the award the claim link is for and an HMAC-SHA256 of it under
//! a random key this installation keeps (setting `pathways.progress_key`). The token shows that
//! award's recipient's progress on the issuer's pathways and nothing else: it cannot claim a
//! badge, and it cannot be made for another award without the key. The claim link's own secret
//! never leaves the claim page.

use std::collections::{HashMap, HashSet};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use laurel_store::Pathway;
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::evaluate::counts;
use super::rule::{Group, step_done};
use super::stored_rule;
use crate::{Service, ServiceError, ServiceResult};

/// The setting holding the progress tokens' key.
const KEY_SETTING: &str = "pathways.progress_key";

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

/// The progress token of an award's recipient (see the module doc).
pub async fn progress_token(service: &Service, award_id: Uuid) -> ServiceResult<String> {
    let key = key(service).await?;
    Ok(format!(
        "{}.{}",
        award_id.simple(),
        URL_SAFE_NO_PAD.encode(hmac(&key, award_id.as_bytes()))
    ))
}

/// The recipient's email and progress on `achievement_id`'s pathway that a progress token
/// shows; [`ServiceError::NotFound`] for a token that is not one of ours (or whose award is
/// gone), for the achievement without a pathway, or of another issuer.
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
    let (id, mac) = token.split_once('.').ok_or_else(refused)?;
    let award_id = Uuid::try_parse(id).map_err(|_| refused())?;
    let mac = URL_SAFE_NO_PAD.decode(mac).map_err(|_| refused())?;
    let key = key(service).await?;
    let expected = hmac(&key, award_id.as_bytes());
    // Constant time: every byte is compared whatever the first difference.
    let same = mac.len() == expected.len()
        && mac
            .iter()
            .zip(expected.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same {
        return Err(refused());
    }
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

/// The installation's key for progress tokens, made at first use (the first writer wins, so
/// instances agree).
async fn key(service: &Service) -> ServiceResult<Vec<u8>> {
    if let Some(stored) = service.store.setting(KEY_SETTING).await? {
        return decode_key(&stored);
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|error| ServiceError::Internal(format!("no random bytes: {error}")))?;
    let stored = service
        .store
        .setting_init(KEY_SETTING, &URL_SAFE_NO_PAD.encode(bytes))
        .await?;
    decode_key(&stored)
}

fn decode_key(text: &str) -> ServiceResult<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(text.trim())
        .map_err(|_| ServiceError::Internal(format!("the setting {KEY_SETTING} is not base64url")))
}

/// HMAC-SHA256 (RFC 2104) of `message` under `key`.
fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    let mut out = [0u8; 32];
    out.copy_from_slice(&outer);
    out
}

#[cfg(test)]
mod tests {
    use super::hmac;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
