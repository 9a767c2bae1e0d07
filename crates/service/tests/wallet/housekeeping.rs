//! The periodic sweep: exchanges, offers and nonces expired for a day go; live ones stay.

use std::sync::Arc;

use chrono::Duration;
use laurel_service::housekeeping::{KEPT_AFTER_EXPIRY, Swept, sweep};
use laurel_service::wallet::claims::{find_claim, issue_claim};
use laurel_service::wallet::exchange::open_exchange;
use laurel_service::wallet::oid4vci::{issue::nonce, offers};
use laurel_service::{FixedClock, Service, ServiceError, Urls, Vault};
use laurel_store::StoreError;

use super::{awarded, setup};

/// The same store, seen at `at` (the sweep needs only the store and the clock).
fn at(service: &Service, at: chrono::DateTime<chrono::Utc>) -> Service {
    let (vault, _) = Vault::generate().unwrap();
    Service::new(
        service.store.clone(),
        Urls::new("https://badges.example.org"),
        vault,
        Arc::new(FixedClock(at)),
    )
}

/// The secret in an offer's URL (`…/offers/{secret}`).
fn secret(offer: &offers::Offer) -> String {
    offer.url.rsplit('/').next().unwrap().to_string()
}

#[tokio::test]
async fn expired_wallet_rows_go_and_live_ones_stay() {
    let setup = setup().await;
    let service = &setup.service;
    let start = service.clock.now();
    let award = awarded(&setup).await;
    let link = issue_claim(service, award.id).await.unwrap();
    let claim = find_claim(service, &link.token).await.unwrap();

    // Made now: they expire within a quarter of an hour.
    let old_exchange = open_exchange(service, &claim).await.unwrap();
    let old_offer = offers::offer_for_claim(service, &claim).await.unwrap();
    nonce(service).await.unwrap();

    // Expired, but for less than a day: kept (a late wallet hears "expired").
    let soon = at(service, start + Duration::hours(2));
    assert_eq!(sweep(&soon).await.unwrap(), Swept::default());
    let late = offers::credential_offer(&soon, &secret(&old_offer))
        .await
        .unwrap_err();
    assert!(!matches!(late, ServiceError::NotFound(_)), "{late:?}");

    // A day and more later: a fresh exchange, offer and nonce, and the sweep.
    let later = at(service, start + KEPT_AFTER_EXPIRY + Duration::minutes(20));
    let new_exchange = open_exchange(&later, &claim).await.unwrap();
    assert_ne!(new_exchange.id, old_exchange.id);
    let new_offer = offers::offer_for_claim(&later, &claim).await.unwrap();
    nonce(&later).await.unwrap();
    assert_eq!(
        sweep(&later).await.unwrap(),
        Swept {
            exchanges: 1,
            offers: 1,
            nonces: 1,
            transcript_links: 0
        }
    );
    assert!(matches!(
        later.store.exchange(old_exchange.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        later.store.exchange(new_exchange.id).await.unwrap(),
        new_exchange
    );
    let gone = offers::credential_offer(&later, &secret(&old_offer))
        .await
        .unwrap_err();
    assert!(matches!(gone, ServiceError::NotFound(_)), "{gone:?}");
    assert!(
        offers::credential_offer(&later, &secret(&new_offer))
            .await
            .is_ok()
    );
    // The claim link itself is untouched, and a second sweep finds nothing.
    assert!(find_claim(&later, &link.token).await.is_ok());
    assert_eq!(sweep(&later).await.unwrap(), Swept::default());
}
