//! Claim links and wallet copies: a link works once, for one wallet; a copy is the award
//! bound to the holder's DID, with the award's status entry, signed again.

use laurel_core::keys::SigningKey;
use laurel_service::mint::Outcome;
use laurel_service::wallet::claims::{self, find_claim, issue_claim, redeem_claim};
use laurel_service::wallet::copy::{CopyFormat, bound_copy};
use laurel_service::{ServiceError, lifecycle};
use laurel_store::{Award, WalletFormat};
use serde_json::Value;

use super::{Setup, award_one, setup};

async fn awarded(setup: &Setup) -> Award {
    match award_one(setup, "ada@example.org").await {
        Outcome::Created(award) => award,
        other => panic!("not created: {other:?}"),
    }
}

fn holder(seed: u8) -> String {
    SigningKey::from_ed25519_seed(&[seed; 32])
        .public_key()
        .to_did_key()
        .expect("did:key")
}

#[tokio::test]
async fn a_claim_link_is_hashed_personal_and_used_once() {
    let setup = setup().await;
    let service = &setup.service;
    let award = awarded(&setup).await;
    let link = issue_claim(service, award.id).await.unwrap();
    assert_eq!(link.token.len(), 43, "base64url of 32 bytes");
    assert_eq!(
        link.url,
        format!("https://badges.example.org/claim/{}", link.token)
    );
    // Only the hash is stored.
    let stored = service.store.claim_link(link.id).await.unwrap();
    assert_eq!(stored.token_sha256, claims::token_hash(&link.token));
    assert_ne!(stored.token_sha256, link.token);

    let claim = find_claim(service, &link.token).await.unwrap();
    assert_eq!(claim.award.id, award.id);
    let unknown = find_claim(service, "nope").await.unwrap_err();
    assert!(matches!(&unknown, ServiceError::NotFound(m) if m.contains("not known")));

    let ada = holder(1);
    let copy = redeem_claim(service, &claim, None, &ada, CopyFormat::DataIntegrity)
        .await
        .unwrap();
    let copy: Value = serde_json::from_str(&copy).unwrap();
    assert_eq!(copy["credentialSubject"]["id"], ada.as_str());
    let original: Value = serde_json::from_str(&award.credential).unwrap();
    assert_eq!(copy["credentialStatus"], original["credentialStatus"]);
    assert_eq!(copy["id"], original["id"]);
    assert_ne!(copy["proof"], original["proof"]);
    assert_eq!(copy["proof"][0]["cryptosuite"], "eddsa-rdfc-2022");

    // Used: the same link is refused, by token and on a second redemption.
    let again = find_claim(service, &link.token).await.unwrap_err();
    assert!(matches!(&again, ServiceError::Conflict(m) if m.contains("already used")));
    let twice = redeem_claim(service, &claim, None, &holder(2), CopyFormat::DataIntegrity)
        .await
        .unwrap_err();
    assert!(matches!(twice, ServiceError::Conflict(_)), "{twice:?}");
    let copies = service.store.wallet_copies(award.id).await.unwrap();
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0].holder, ada);

    // A fresh link for the same award works.
    let fresh = issue_claim(service, award.id).await.unwrap();
    assert_ne!(fresh.token, link.token);
    assert!(find_claim(service, &fresh.token).await.is_ok());
}

#[tokio::test]
async fn copies_in_both_formats_and_refusals() {
    let setup = setup().await;
    let service = &setup.service;
    let award = awarded(&setup).await;
    let jwt = bound_copy(service, &award, &holder(3), CopyFormat::Jwt)
        .await
        .unwrap();
    assert_eq!(jwt.split('.').count(), 3, "a compact JWT");
    let copies = service.store.wallet_copies(award.id).await.unwrap();
    assert_eq!(copies[0].format, WalletFormat::JwtVcJson);

    let bad = bound_copy(service, &award, "mailto:ada@example.org", CopyFormat::Jwt)
        .await
        .unwrap_err();
    assert!(
        matches!(&bad, ServiceError::Invalid(m) if m.contains("did:key")),
        "{bad:?}"
    );

    let link = issue_claim(service, award.id).await.unwrap();
    lifecycle::revoke(service, &[award.id], "issued in error")
        .await
        .unwrap();
    let revoked = find_claim(service, &link.token).await.unwrap_err();
    assert!(matches!(&revoked, ServiceError::Conflict(m) if m.contains("revoked")));
    let award = service.store.award(award.id).await.unwrap();
    let copy = bound_copy(service, &award, &holder(4), CopyFormat::DataIntegrity)
        .await
        .unwrap_err();
    assert!(matches!(&copy, ServiceError::Conflict(m) if m.contains("revoked")));
    assert!(issue_claim(service, award.id).await.is_err());
}

mod housekeeping;
