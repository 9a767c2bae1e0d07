//! A run of sessions stored at once, and each issuer's time zone.

use chrono::Duration;
use laurel_store::{EventFilter, StoreError};
use uuid::Uuid;

use crate::support::{TestDb, event, issuer, now, series};

pub async fn create_events_is_all_or_none(db: &TestDb) {
    let store = db.open().await;
    let one = issuer("One");
    store.create_issuer(&one, &[]).await.unwrap();
    let webinars = series(one.id, "Webinars");
    store.create_series(&webinars).await.unwrap();
    let start = now();
    let run: Vec<_> = (0..10)
        .map(|week| {
            let mut e = event(one.id, Some(webinars.id), start + Duration::weeks(week));
            e.title = format!("Webinar {}", week + 1);
            e
        })
        .collect();
    store.create_events(&run).await.unwrap();
    let stored = store
        .list_events(&EventFilter {
            series_id: Some(webinars.id),
            ..EventFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(stored.len(), 10);
    assert_eq!(stored[0].title, "Webinar 1");
    assert_eq!(stored[9].title, "Webinar 10");
    assert_eq!(stored[9].starts_at, run[9].starts_at);

    // One with a series that does not exist: nothing of the run is stored.
    let mut broken: Vec<_> = (0..3)
        .map(|day| event(one.id, None, start + Duration::days(day)))
        .collect();
    broken[2].series_id = Some(Uuid::now_v7());
    let err = store.create_events(&broken).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert!(store.event(broken[0].id).await.is_err());
    let all = store.list_events(&EventFilter::default()).await.unwrap();
    assert_eq!(all.len(), 10);
    store.create_events(&[]).await.unwrap();
}

pub async fn issuer_time_zone_round_trip(db: &TestDb) {
    let store = db.open().await;
    let (one, two) = (issuer("One"), issuer("Two"));
    store.create_issuer(&one, &[]).await.unwrap();
    store.create_issuer(&two, &[]).await.unwrap();
    assert_eq!(store.issuer_time_zone(one.id).await.unwrap(), "UTC");
    store
        .set_issuer_time_zone(one.id, "America/Chicago")
        .await
        .unwrap();
    assert_eq!(
        store.issuer_time_zone(one.id).await.unwrap(),
        "America/Chicago"
    );
    assert_eq!(store.issuer_time_zone(two.id).await.unwrap(), "UTC");
    // The rest of the issuer is untouched.
    assert_eq!(store.issuer(one.id).await.unwrap(), one);
    let missing = Uuid::now_v7();
    let err = store.issuer_time_zone(missing).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    let err = store
        .set_issuer_time_zone(missing, "Europe/Paris")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
}
