//! CE categories: an issuer's ordered list, an achievement's one category, and a category in
//! use that cannot be removed.

use laurel_store::StoreError;
use uuid::Uuid;

use crate::support::{TestDb, achievement, issuer_with_achievement};

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|n| n.to_string()).collect()
}

pub async fn categories_round_trip(db: &TestDb) {
    let store = db.open().await;
    let (issuer, badge) = issuer_with_achievement(&*store).await;
    let other = achievement(issuer.id, "Leading teams");
    store.create_achievement(&other).await.unwrap();
    assert!(store.ce_categories(issuer.id).await.unwrap().is_empty());

    store
        .set_ce_categories(issuer.id, &names(&["Technology", "Management"]))
        .await
        .unwrap();
    assert_eq!(
        store.ce_categories(issuer.id).await.unwrap(),
        names(&["Technology", "Management"])
    );
    // Reordering and adding keeps the order given.
    store
        .set_ce_categories(issuer.id, &names(&["Management", "Outreach", "Technology"]))
        .await
        .unwrap();
    assert_eq!(
        store.ce_categories(issuer.id).await.unwrap(),
        names(&["Management", "Outreach", "Technology"])
    );

    store
        .set_achievement_category(badge.id, Some("Technology"))
        .await
        .unwrap();
    store
        .set_achievement_category(other.id, Some("Management"))
        .await
        .unwrap();
    store
        .set_achievement_category(other.id, Some("Outreach"))
        .await
        .unwrap();
    let all = store.achievement_categories(None).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[&badge.id], "Technology");
    assert_eq!(all[&other.id], "Outreach");
    assert_eq!(
        store.achievement_categories(Some(issuer.id)).await.unwrap(),
        all
    );
    assert!(
        store
            .achievement_categories(Some(Uuid::now_v7()))
            .await
            .unwrap()
            .is_empty()
    );

    // A category not on the issuer's list, or an unknown achievement: not found.
    assert!(matches!(
        store
            .set_achievement_category(badge.id, Some("Cooking"))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .set_achievement_category(Uuid::now_v7(), Some("Technology"))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .set_ce_categories(Uuid::now_v7(), &names(&["X"]))
            .await,
        Err(StoreError::NotFound)
    ));

    // A category in use cannot be removed, and then nothing changes.
    let err = store
        .set_ce_categories(issuer.id, &names(&["Management", "Outreach", "New"]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict(m) if m.contains("Technology") && m.contains("1 badge")),
        "{err:?}"
    );
    assert_eq!(
        store.ce_categories(issuer.id).await.unwrap(),
        names(&["Management", "Outreach", "Technology"])
    );

    // Cleared, it can go.
    store
        .set_achievement_category(badge.id, None)
        .await
        .unwrap();
    store
        .set_ce_categories(issuer.id, &names(&["Outreach"]))
        .await
        .unwrap();
    assert_eq!(
        store.ce_categories(issuer.id).await.unwrap(),
        names(&["Outreach"])
    );
    let all = store.achievement_categories(None).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[&other.id], "Outreach");
}
