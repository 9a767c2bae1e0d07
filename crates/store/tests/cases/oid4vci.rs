//! OpenID4VCI offers and nonces: each secret works once, and a credential is handed out once.

use chrono::Duration;
use laurel_store::{
    Award, ClaimLink, CredentialOffer, ExpiredOid4vci, OfferSecret, Redemption, Store, StoreError,
    WalletCopy, WalletFormat,
};
use uuid::Uuid;

use crate::support::{TestDb, award, issuer_with_achievement, now};

async fn claim(store: &dyn Store) -> (Award, ClaimLink) {
    let (_, achievement) = issuer_with_achievement(store).await;
    let award = award(&achievement, "ada@example.org");
    store
        .insert_awards(vec![award.clone()], false)
        .await
        .unwrap();
    let link = ClaimLink {
        id: Uuid::now_v7(),
        award_id: award.id,
        token_sha256: "c".repeat(64),
        created_at: now(),
        used_at: None,
    };
    store.create_claim_link(&link).await.unwrap();
    (award, link)
}

fn offer(claim_id: Uuid, secret: char) -> CredentialOffer {
    CredentialOffer {
        id: Uuid::now_v7(),
        claim_id,
        offer_sha256: secret.to_string().repeat(64),
        code_sha256: format!("{secret}").repeat(63) + "0",
        created_at: now(),
        expires_at: now() + Duration::minutes(10),
        token_sha256: None,
        token_expires_at: None,
        used_at: None,
    }
}

fn copy(award_id: Uuid) -> WalletCopy {
    WalletCopy {
        id: Uuid::now_v7(),
        award_id,
        holder: "did:key:z6MkHolder".into(),
        format: WalletFormat::JwtVcJson,
        credential: "eyJ.eyJ.sig".into(),
        created_at: now(),
    }
}

pub async fn offers_trade_code_for_token_once(db: &TestDb) {
    let store = db.open().await;
    let (_, link) = claim(&*store).await;
    let first = offer(link.id, 'a');
    store.create_credential_offer(&first).await.unwrap();
    for secret in [
        OfferSecret::Offer(&first.offer_sha256),
        OfferSecret::Code(&first.code_sha256),
    ] {
        assert_eq!(
            store.credential_offer(secret).await.unwrap(),
            Some(first.clone())
        );
    }
    assert_eq!(
        store
            .credential_offer(OfferSecret::Token(&"f".repeat(64)))
            .await
            .unwrap(),
        None
    );
    let expires = now() + Duration::minutes(10);
    store
        .grant_access_token(first.id, &"t".repeat(64), expires)
        .await
        .unwrap();
    let granted = store
        .credential_offer(OfferSecret::Token(&"t".repeat(64)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(granted.token_expires_at, Some(expires));
    assert_eq!(granted.id, first.id);
    // The code is traded once.
    assert!(matches!(
        store
            .grant_access_token(first.id, &"u".repeat(64), expires)
            .await,
        Err(StoreError::Conflict(_))
    ));
    // An offer of a claim link that does not exist is refused.
    assert!(matches!(
        store
            .create_credential_offer(&offer(Uuid::now_v7(), 'b'))
            .await,
        Err(StoreError::NotFound)
    ));
}

pub async fn nonces_are_used_once_and_expire(db: &TestDb) {
    let store = db.open().await;
    let fresh = "1".repeat(64);
    let old = "2".repeat(64);
    store
        .create_nonce(&fresh, now(), now() + Duration::minutes(5))
        .await
        .unwrap();
    store
        .create_nonce(
            &old,
            now() - Duration::minutes(10),
            now() - Duration::minutes(5),
        )
        .await
        .unwrap();
    assert!(!store.use_nonce(&old, now()).await.unwrap());
    assert!(!store.use_nonce(&"3".repeat(64), now()).await.unwrap());
    assert!(store.use_nonce(&fresh, now()).await.unwrap());
    assert!(!store.use_nonce(&fresh, now()).await.unwrap());
}

pub async fn redeeming_an_offer_is_once_and_whole(db: &TestDb) {
    let store = db.open().await;
    let (award, link) = claim(&*store).await;
    let first = offer(link.id, 'd');
    let second = offer(link.id, 'e');
    store.create_credential_offer(&first).await.unwrap();
    store.create_credential_offer(&second).await.unwrap();
    let at = now();
    let redemption = Redemption {
        claim_id: link.id,
        exchange_id: None,
        copy: Some(copy(award.id)),
        at,
    };
    store
        .redeem_credential_offer(first.id, &redemption)
        .await
        .unwrap();
    let used = store
        .credential_offer(OfferSecret::Offer(&first.offer_sha256))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(used.used_at, Some(at));
    assert_eq!(store.claim_link(link.id).await.unwrap().used_at, Some(at));
    assert_eq!(store.wallet_copies(award.id).await.unwrap().len(), 1);

    // The same offer again, or another offer of the used link: refused, nothing changed.
    for offer_id in [first.id, second.id] {
        let again = Redemption {
            copy: Some(copy(award.id)),
            ..redemption.clone()
        };
        assert!(matches!(
            store.redeem_credential_offer(offer_id, &again).await,
            Err(StoreError::Conflict(_))
        ));
    }
    let untouched = store
        .credential_offer(OfferSecret::Offer(&second.offer_sha256))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(untouched.used_at, None);
    assert_eq!(store.wallet_copies(award.id).await.unwrap().len(), 1);
}

pub async fn expired_offers_and_nonces_are_deleted_and_live_ones_kept(db: &TestDb) {
    let store = db.open().await;
    let (_, link) = claim(&*store).await;
    // The code expired, no token: gone.
    let mut stale = offer(link.id, 'p');
    stale.expires_at = now() - Duration::minutes(1);
    // The code expired but the token it was traded for still works: kept.
    let mut traded = offer(link.id, 'q');
    traded.expires_at = now() - Duration::minutes(1);
    traded.token_sha256 = Some("r".repeat(64));
    traded.token_expires_at = Some(now() + Duration::minutes(5));
    // Code and token both expired: gone.
    let mut spent = offer(link.id, 's');
    spent.expires_at = now() - Duration::minutes(30);
    spent.token_sha256 = Some("u".repeat(64));
    spent.token_expires_at = Some(now() - Duration::minutes(10));
    // Still good.
    let live = offer(link.id, 'v');
    for o in [&stale, &traded, &spent, &live] {
        store.create_credential_offer(o).await.unwrap();
    }
    let old_nonce = "7".repeat(64);
    let just_expired = "8".repeat(64);
    let live_nonce = "9".repeat(64);
    store
        .create_nonce(
            &old_nonce,
            now() - Duration::minutes(10),
            now() - Duration::minutes(5),
        )
        .await
        .unwrap();
    store
        .create_nonce(
            &just_expired,
            now() - Duration::minutes(10),
            now() - Duration::minutes(1),
        )
        .await
        .unwrap();
    store
        .create_nonce(&live_nonce, now(), now() + Duration::minutes(5))
        .await
        .unwrap();

    let deleted = store.delete_expired_oid4vci(now()).await.unwrap();
    // (Every time above is minutes from "now", so the few milliseconds between calls do not
    // matter.)
    assert_eq!(
        deleted,
        ExpiredOid4vci {
            offers: 2,
            nonces: 2
        }
    );
    for gone in [&stale, &spent] {
        assert_eq!(
            store
                .credential_offer(OfferSecret::Offer(&gone.offer_sha256))
                .await
                .unwrap(),
            None
        );
    }
    for kept in [&traded, &live] {
        assert_eq!(
            store
                .credential_offer(OfferSecret::Offer(&kept.offer_sha256))
                .await
                .unwrap(),
            Some(kept.clone())
        );
    }
    assert!(store.use_nonce(&live_nonce, now()).await.unwrap());
    assert_eq!(
        store.delete_expired_oid4vci(now()).await.unwrap(),
        ExpiredOid4vci::default()
    );
}
