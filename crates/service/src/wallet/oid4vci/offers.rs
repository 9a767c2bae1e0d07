//! Credential offers: what the claim page's QR code carries, served by reference.
//!
//! An offer's URL holds a random secret; its pre-authorized code is derived from that secret
//! (SHA-256 of the secret and a label), so the offer can be served again while only hashes of
//! both are stored, and a leaked database yields neither. Each claim page view makes a fresh
//! offer: they are cheap, and the page never has to show a stale one.

use chrono::{DateTime, Duration, Utc};
use laurel_store::{CredentialOffer, OfferSecret};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    JWT_VC_CONFIGURATION, LDP_VC_CONFIGURATION, OFFER_MINUTES, PRE_AUTHORIZED_GRANT, hash,
    random_secret,
};
use crate::wallet::claims::{Claim, claim_by_id};
use crate::{Service, ServiceError, ServiceResult};

/// The scheme wallets register for credential offers.
pub const OFFER_SCHEME: &str = "openid-credential-offer://";

/// The longest offer secret looked up (ours are 43 characters).
const MAX_SECRET_CHARS: usize = 64;

/// An offer just made, for the claim page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// The stored offer's id.
    pub id: Uuid,
    /// `openid-credential-offer://?credential_offer_uri=` + the URL-encoded [`Offer::url`]:
    /// what the QR code and the link carry.
    pub uri: String,
    /// `{public_url}/offers/{secret}`: where the wallet fetches the offer.
    pub url: String,
    /// After this the code is refused (the page can say so).
    pub expires_at: DateTime<Utc>,
}

/// Makes a credential offer for a usable claim (the claim page calls this).
pub async fn offer_for_claim(service: &Service, claim: &Claim) -> ServiceResult<Offer> {
    let secret = random_secret()?;
    let now = service.clock.now();
    let offer = CredentialOffer {
        id: Uuid::now_v7(),
        claim_id: claim.link.id,
        offer_sha256: hash(&secret),
        code_sha256: hash(&pre_authorized_code(&secret)),
        created_at: now,
        expires_at: now + Duration::minutes(OFFER_MINUTES),
        token_sha256: None,
        token_expires_at: None,
        used_at: None,
    };
    service
        .store
        .create_credential_offer(&offer)
        .await
        .map_err(|error| ServiceError::from_store(error, "claim link", claim.link.id))?;
    let url = format!("{}/offers/{secret}", service.urls.origin());
    let encoded: String = url::form_urlencoded::byte_serialize(url.as_bytes()).collect();
    Ok(Offer {
        id: offer.id,
        uri: format!("{OFFER_SCHEME}?credential_offer_uri={encoded}"),
        url,
        expires_at: offer.expires_at,
    })
}

/// The pre-authorized code of an offer secret: base64url of SHA-256("… code" ‖ secret).
fn pre_authorized_code(secret: &str) -> String {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(b"laurel oid4vci pre-authorized code\n")
        .chain_update(secret.as_bytes())
        .finalize();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

/// `GET /offers/{secret}`: the credential offer object (OID4VCI 1.0 §4.1.1), while its code
/// may still be traded and its claim link is usable.
pub async fn credential_offer(service: &Service, secret: &str) -> ServiceResult<Value> {
    let unknown = || {
        ServiceError::NotFound(
            "this credential offer is not known: scan the code on the claim page again".into(),
        )
    };
    if secret.is_empty() || secret.len() > MAX_SECRET_CHARS {
        return Err(unknown());
    }
    let offer = service
        .store
        .credential_offer(OfferSecret::Offer(&hash(secret)))
        .await?
        .ok_or_else(unknown)?;
    if offer.token_sha256.is_some() {
        return Err(ServiceError::Conflict(
            "this credential offer was already accepted by a wallet, and works once: open the \
             claim link again for a new code"
                .into(),
        ));
    }
    if service.clock.now() >= offer.expires_at {
        return Err(ServiceError::Conflict(format!(
            "this credential offer expired (offers last {OFFER_MINUTES} minutes): open the \
             claim link again and scan the new code"
        )));
    }
    // The claim link must still be usable (not used through another wallet, award not revoked).
    claim_by_id(service, offer.claim_id).await?;
    Ok(json!({
        "credential_issuer": service.urls.origin(),
        "credential_configuration_ids": [LDP_VC_CONFIGURATION, JWT_VC_CONFIGURATION],
        "grants": {
            PRE_AUTHORIZED_GRANT: {
                "pre-authorized_code": pre_authorized_code(secret),
            },
        },
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_code_is_derived_from_the_secret_and_differs_from_it() {
        let code = super::pre_authorized_code("secret");
        assert_eq!(code, super::pre_authorized_code("secret"));
        assert_ne!(code, super::pre_authorized_code("secret2"));
        assert_ne!(code, "secret");
        assert_eq!(code.len(), 43);
    }
}
