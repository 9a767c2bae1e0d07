//! Personal claim links: `{public_url}/claim/{token}`, sent to one recipient, good for one
//! wallet.
//!
//! The token is 32 random bytes (base64url); the store keeps only its SHA-256, so a leaked
//! database leaks no working link. A link works until a wallet receives the badge through it;
//! a fresh one can be made at any time (a staff resend, the recipient asking), and older
//! unused ones keep working until used. Links of a revoked or suspended award are refused.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use laurel_store::{Award, Redemption, StoreError};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::copy::{CopyFormat, check_can_copy, signed_copy};
use crate::{Service, ServiceError, ServiceResult};

/// A claim link just made: the secret, shown once (in an email), and the URL that carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimLink {
    /// The stored link's id.
    pub id: Uuid,
    /// The award it hands out.
    pub award_id: Uuid,
    /// The secret token (base64url of 32 random bytes).
    pub token: String,
    /// `{public_url}/claim/{token}`.
    pub url: String,
}

/// A claim link found by its token, with its award: still usable when returned.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    /// The stored link.
    pub link: laurel_store::ClaimLink,
    /// Its award, as stored now.
    pub award: Award,
}

/// The longest token accepted when looking one up (ours are 43 characters).
const MAX_TOKEN_CHARS: usize = 64;

/// Makes a new claim link for an award. Older unused links of the award keep working.
pub async fn issue_claim(service: &Service, award_id: Uuid) -> ServiceResult<ClaimLink> {
    let award = service
        .store
        .award(award_id)
        .await
        .map_err(|error| ServiceError::from_store(error, "award", award_id))?;
    check_can_copy(&award)?;
    let (stored, link) = new_link(service, award_id)?;
    service
        .store
        .create_claim_link(&stored)
        .await
        .map_err(|error| ServiceError::from_store(error, "award", award_id))?;
    Ok(link)
}

/// Makes a new claim link for each of `awards` (read just now by the caller, which has
/// checked that each [can be copied](check_can_copy)), stored in one call: the email worker's
/// batch. In the order given.
pub async fn issue_claims(service: &Service, awards: &[&Award]) -> ServiceResult<Vec<ClaimLink>> {
    let mut stored = Vec::with_capacity(awards.len());
    let mut links = Vec::with_capacity(awards.len());
    for award in awards {
        check_can_copy(award)?;
        let (row, link) = new_link(service, award.id)?;
        stored.push(row);
        links.push(link);
    }
    service.store.create_claim_links(&stored).await?;
    Ok(links)
}

/// A fresh token for `award_id`: the row to store (its hash) and the link to send.
fn new_link(
    service: &Service,
    award_id: Uuid,
) -> ServiceResult<(laurel_store::ClaimLink, ClaimLink)> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|error| ServiceError::Internal(format!("no random bytes: {error}")))?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let stored = laurel_store::ClaimLink {
        id: Uuid::now_v7(),
        award_id,
        token_sha256: token_hash(&token),
        created_at: service.clock.now(),
        used_at: None,
    };
    let link = ClaimLink {
        id: stored.id,
        award_id,
        url: claim_url(service, &token),
        token,
    };
    Ok((stored, link))
}

/// `{public_url}/claim/{token}`.
pub fn claim_url(service: &Service, token: &str) -> String {
    format!("{}/claim/{token}", service.urls.origin())
}

/// The SHA-256 (lowercase hex) of a token: what the store keeps.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The usable claim link a token names, with its award. Unknown, used, and links of revoked
/// or suspended awards are refused, each in words the recipient can act on.
pub async fn find_claim(service: &Service, token: &str) -> ServiceResult<Claim> {
    let unknown = || {
        ServiceError::NotFound(
            "this claim link is not known: check that the whole link from the email was \
             opened, or ask for a new one on the badge's page"
                .into(),
        )
    };
    if token.is_empty() || token.len() > MAX_TOKEN_CHARS {
        return Err(unknown());
    }
    let link = service
        .store
        .claim_link_by_hash(&token_hash(token))
        .await?
        .ok_or_else(unknown)?;
    claim_of(service, link).await
}

/// The award a claim link was made for, whether or not the link was used or the award is
/// still valid. A claim link is the recipient's proof of who they are: their transcript stays
/// reachable through it after a wallet took the badge, or when that one badge was revoked.
/// Only an unknown link is refused.
pub async fn award_of_link(service: &Service, token: &str) -> ServiceResult<Award> {
    let unknown = || {
        ServiceError::NotFound(
            "this link is not known: check that the whole link from the email was opened".into(),
        )
    };
    if token.is_empty() || token.len() > MAX_TOKEN_CHARS {
        return Err(unknown());
    }
    let link = service
        .store
        .claim_link_by_hash(&token_hash(token))
        .await?
        .ok_or_else(unknown)?;
    Ok(service.store.award(link.award_id).await?)
}

/// The claim of a stored link (by id), checked as [`find_claim`] checks it.
pub async fn claim_by_id(service: &Service, claim_id: Uuid) -> ServiceResult<Claim> {
    let link = service
        .store
        .claim_link(claim_id)
        .await
        .map_err(|error| ServiceError::from_store(error, "claim link", claim_id))?;
    claim_of(service, link).await
}

async fn claim_of(service: &Service, link: laurel_store::ClaimLink) -> ServiceResult<Claim> {
    if link.used_at.is_some() {
        return Err(used());
    }
    let award = service.store.award(link.award_id).await?;
    check_can_copy(&award)?;
    Ok(Claim { link, award })
}

fn used() -> ServiceError {
    ServiceError::Conflict(
        "this claim link was already used to add the badge to a wallet, and works only once: \
         ask for a new link on the badge's page"
            .into(),
    )
}

/// Uses a claim: makes the copy bound to `holder`, then, in one transaction, marks the link
/// used, completes the exchange (if any) and stores the copy. Returns the copy (JSON text or a
/// JWT). Of two wallets racing for one link, one gets the copy; the other is refused.
pub async fn redeem_claim(
    service: &Service,
    claim: &Claim,
    exchange_id: Option<Uuid>,
    holder: &str,
    format: CopyFormat,
) -> ServiceResult<String> {
    // The award as it is now: revoked since the claim was found means no copy.
    let award = service.store.award(claim.award.id).await?;
    let copy = signed_copy(service, &award, holder, format).await?;
    let credential = copy.credential.clone();
    let redemption = Redemption {
        claim_id: claim.link.id,
        exchange_id,
        copy: Some(copy),
        at: service.clock.now(),
    };
    match service.store.redeem_claim_link(&redemption).await {
        Ok(()) => Ok(credential),
        Err(StoreError::Conflict(_)) => Err(match exchange_id {
            Some(_) => ServiceError::Conflict(
                "this exchange has already been used, or its claim link was used by another \
                 wallet: start again from a new claim link"
                    .into(),
            ),
            None => used(),
        }),
        Err(error) => Err(error.into()),
    }
}
