//! Claim links, VC-API exchanges and wallet copies: a link is used once, by one wallet.

use std::sync::Arc;

use chrono::Duration;
use laurel_store::{
    Award, ClaimLink, Redemption, Store, StoreError, WalletCopy, WalletExchange, WalletFormat,
};
use uuid::Uuid;

use crate::support::{TestDb, award, issuer_with_achievement, now};

async fn stored_award(store: &dyn Store) -> Award {
    let (_, achievement) = issuer_with_achievement(store).await;
    let award = award(&achievement, "ada@example.org");
    store
        .insert_awards(vec![award.clone()], false)
        .await
        .unwrap();
    award
}

fn link(award_id: Uuid, secret: &str) -> ClaimLink {
    ClaimLink {
        id: Uuid::now_v7(),
        award_id,
        token_sha256: format!("{secret:0>64}"),
        created_at: now(),
        used_at: None,
    }
}

fn exchange(claim_id: Uuid, expires_in: Duration) -> WalletExchange {
    WalletExchange {
        id: Uuid::now_v7(),
        claim_id,
        challenge: Uuid::new_v4().to_string(),
        domain: "badges.example.org".into(),
        created_at: now(),
        expires_at: now() + expires_in,
        completed_at: None,
    }
}

fn copy(award_id: Uuid, holder: &str, format: WalletFormat) -> WalletCopy {
    WalletCopy {
        id: Uuid::now_v7(),
        award_id,
        holder: holder.into(),
        format,
        credential: "{\"credentialSubject\":{\"id\":\"did:key:z6Mk…\"}}".into(),
        created_at: now(),
    }
}

pub async fn claim_links_round_trip(db: &TestDb) {
    let store = db.open().await;
    let award = stored_award(&*store).await;
    let first = link(award.id, "a1");
    let second = link(award.id, "b2");
    store.create_claim_link(&first).await.unwrap();
    store.create_claim_link(&second).await.unwrap();
    assert_eq!(
        store.claim_link_by_hash(&first.token_sha256).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(store.claim_link(second.id).await.unwrap(), second);
    assert_eq!(
        store.claim_link_by_hash(&"c3".repeat(32)).await.unwrap(),
        None
    );
    assert!(matches!(
        store.claim_link(Uuid::now_v7()).await,
        Err(StoreError::NotFound)
    ));
    // A link for an award that does not exist is refused.
    let orphan = link(Uuid::now_v7(), "d4");
    assert!(matches!(
        store.create_claim_link(&orphan).await,
        Err(StoreError::NotFound)
    ));
    // The same secret twice is a conflict (it never happens with random tokens).
    let twin = ClaimLink {
        id: Uuid::now_v7(),
        ..first.clone()
    };
    assert!(matches!(
        store.create_claim_link(&twin).await,
        Err(StoreError::Conflict(_))
    ));
}

/// The email worker stores a batch's links in one call: all of them, or none.
pub async fn claim_links_in_one_call(db: &TestDb) {
    let store = db.open().await;
    let award = stored_award(&*store).await;
    let links: Vec<ClaimLink> = ["g1", "g2", "g3"]
        .iter()
        .map(|secret| link(award.id, secret))
        .collect();
    store.create_claim_links(&links).await.unwrap();
    for stored in &links {
        assert_eq!(
            store
                .claim_link_by_hash(&stored.token_sha256)
                .await
                .unwrap(),
            Some(stored.clone())
        );
    }
    store.create_claim_links(&[]).await.unwrap();
    // One link for an award that does not exist: none of the batch is stored.
    let good = link(award.id, "h1");
    let orphan = link(Uuid::now_v7(), "h2");
    assert!(matches!(
        store.create_claim_links(&[good.clone(), orphan]).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.claim_link_by_hash(&good.token_sha256).await.unwrap(),
        None
    );
}

pub async fn redeeming_a_link_is_once_and_whole(db: &TestDb) {
    let store = db.open().await;
    let award = stored_award(&*store).await;
    let claim = link(award.id, "e5");
    store.create_claim_link(&claim).await.unwrap();
    let open = exchange(claim.id, Duration::minutes(15));
    let old = WalletExchange {
        expires_at: now() - Duration::minutes(1),
        ..exchange(claim.id, Duration::zero())
    };
    store.create_exchange(&old).await.unwrap();
    store.create_exchange(&open).await.unwrap();
    assert_eq!(store.exchange(open.id).await.unwrap(), open);
    assert_eq!(
        store.open_exchange(claim.id, now()).await.unwrap(),
        Some(open.clone())
    );

    // A redemption naming an exchange of another claim changes nothing.
    let other_claim = link(award.id, "f6");
    store.create_claim_link(&other_claim).await.unwrap();
    let wrong = Redemption {
        claim_id: other_claim.id,
        exchange_id: Some(open.id),
        copy: Some(copy(award.id, "did:key:zWrong", WalletFormat::LdpVc)),
        at: now(),
    };
    assert!(matches!(
        store.redeem_claim_link(&wrong).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.claim_link(other_claim.id).await.unwrap().used_at,
        None
    );
    assert!(store.wallet_copies(award.id).await.unwrap().is_empty());

    let bound = copy(award.id, "did:key:z6MkHolder", WalletFormat::LdpVc);
    let at = now();
    let redemption = Redemption {
        claim_id: claim.id,
        exchange_id: Some(open.id),
        copy: Some(bound.clone()),
        at,
    };
    store.redeem_claim_link(&redemption).await.unwrap();
    assert_eq!(store.claim_link(claim.id).await.unwrap().used_at, Some(at));
    assert_eq!(
        store.exchange(open.id).await.unwrap().completed_at,
        Some(at)
    );
    assert_eq!(store.open_exchange(claim.id, now()).await.unwrap(), None);
    assert_eq!(store.wallet_copies(award.id).await.unwrap(), vec![bound]);

    // Replayed: refused, nothing more stored.
    let replay = Redemption {
        copy: Some(copy(award.id, "did:key:z6MkOther", WalletFormat::JwtVcJson)),
        ..redemption
    };
    assert!(matches!(
        store.redeem_claim_link(&replay).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.wallet_copies(award.id).await.unwrap().len(), 1);
    assert!(matches!(
        store
            .redeem_claim_link(&Redemption {
                claim_id: Uuid::now_v7(),
                ..replay
            })
            .await,
        Err(StoreError::NotFound)
    ));

    // Without an exchange (another protocol), a JWT copy.
    let jwt = copy(award.id, "did:jwk:eyJ", WalletFormat::JwtVcJson);
    store
        .redeem_claim_link(&Redemption {
            claim_id: other_claim.id,
            exchange_id: None,
            copy: Some(jwt.clone()),
            at: now(),
        })
        .await
        .unwrap();
    assert_eq!(store.wallet_copies(award.id).await.unwrap()[1], jwt);

    // A copy made outside a claim link.
    let direct = copy(award.id, "did:web:example.org", WalletFormat::LdpVc);
    store.insert_wallet_copy(&direct).await.unwrap();
    assert_eq!(store.wallet_copies(award.id).await.unwrap()[2], direct);
    let orphan = copy(Uuid::now_v7(), "did:web:example.org", WalletFormat::LdpVc);
    assert!(matches!(
        store.insert_wallet_copy(&orphan).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn concurrent_redemptions_one_wins(db: &TestDb) {
    let store = db.open().await;
    let award = stored_award(&*store).await;
    let claim = link(award.id, "a7");
    store.create_claim_link(&claim).await.unwrap();
    let mut tasks = Vec::new();
    for n in 0..8 {
        // Two instances sharing the database.
        let store: Arc<dyn Store> = if n % 2 == 0 {
            store.clone()
        } else {
            db.open().await
        };
        let redemption = Redemption {
            claim_id: claim.id,
            exchange_id: None,
            copy: Some(copy(
                award.id,
                &format!("did:key:z{n}"),
                WalletFormat::LdpVc,
            )),
            at: now(),
        };
        tasks.push(tokio::spawn(async move {
            store.redeem_claim_link(&redemption).await
        }));
    }
    let mut won = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => won += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(store.wallet_copies(award.id).await.unwrap().len(), 1);
}

pub async fn expired_exchanges_are_deleted_and_open_ones_kept(db: &TestDb) {
    let store = db.open().await;
    let award = stored_award(&*store).await;
    let claim = link(award.id, "e1");
    store.create_claim_link(&claim).await.unwrap();
    let cut = now();
    let expired = exchange(claim.id, Duration::minutes(-30));
    let mut completed = exchange(claim.id, Duration::minutes(-20));
    completed.completed_at = Some(now() - Duration::minutes(25));
    let open = exchange(claim.id, Duration::minutes(10));
    // Expiring exactly at the cut: not before it, so kept.
    let mut at_cut = exchange(claim.id, Duration::zero());
    at_cut.expires_at = cut;
    for e in [&expired, &completed, &open, &at_cut] {
        store.create_exchange(e).await.unwrap();
    }
    assert_eq!(store.delete_expired_exchanges(cut).await.unwrap(), 2);
    for gone in [&expired, &completed] {
        assert!(matches!(
            store.exchange(gone.id).await,
            Err(StoreError::NotFound)
        ));
    }
    assert_eq!(store.exchange(open.id).await.unwrap(), open);
    assert_eq!(store.exchange(at_cut.id).await.unwrap(), at_cut);
    assert_eq!(
        store.open_exchange(claim.id, cut).await.unwrap(),
        Some(open.clone())
    );
    // The link itself stays; nothing more to delete.
    assert_eq!(store.claim_link(claim.id).await.unwrap(), claim);
    assert_eq!(store.delete_expired_exchanges(cut).await.unwrap(), 0);
}
