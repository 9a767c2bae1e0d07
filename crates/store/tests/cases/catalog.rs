//! Issuers, their keys, and achievements.

use laurel_store::{Achievement, KeyPurpose, PaperSize, StoreError};
use uuid::Uuid;

use crate::support::{TestDb, achievement, issuer, key, now};

pub async fn issuer_round_trip(db: &TestDb) {
    let store = db.open().await;
    let first = issuer("First");
    let current = key(first.id, KeyPurpose::DataIntegrity);
    let mut retired = key(first.id, KeyPurpose::Jwt);
    retired.retired_at = Some(now());
    let keys = vec![current, retired];
    store.create_issuer(&first, &keys).await.unwrap();
    let second = laurel_store::Issuer {
        brand_color: Some("#0b5394".into()),
        show_award_count: false,
        linkedin_organization_id: Some("1337".into()),
        include_recipient_name: false,
        paper_size: PaperSize::A4,
        signatory_name: Some("Åsa Núñez".into()),
        signatory_title: Some("Directrice".into()),
        ..issuer("Second")
    };
    let second_key = key(second.id, KeyPurpose::Jwt);
    store
        .create_issuer(&second, std::slice::from_ref(&second_key))
        .await
        .unwrap();

    assert_eq!(store.issuer(first.id).await.unwrap(), first);
    assert_eq!(
        store.list_issuers().await.unwrap(),
        vec![first.clone(), second.clone()]
    );
    assert_eq!(store.issuer_keys(first.id).await.unwrap(), keys);
    assert_eq!(store.issuer_keys(Uuid::new_v4()).await.unwrap(), vec![]);
    let mut all = keys.clone();
    all.push(second_key);
    assert_eq!(store.all_keys().await.unwrap(), all);

    let edited = laurel_store::Issuer {
        name: "First, renamed".into(),
        url: None,
        email: None,
        description: None,
        image: Some("ab".repeat(32)),
        jwt_algorithm: "EdDSA".into(),
        brand_color: Some("#a0c4ff".into()),
        show_award_count: false,
        linkedin_organization_id: Some("2414183".into()),
        include_recipient_name: false,
        paper_size: PaperSize::A4,
        signatory_name: Some("田中芽衣".into()),
        signatory_title: Some("Head of training".into()),
        updated_at: now(),
        // Neither id nor creation time can change.
        created_at: now() + chrono::Duration::days(1),
        ..first.clone()
    };
    store.update_issuer(&edited).await.unwrap();
    let stored = store.issuer(first.id).await.unwrap();
    assert_eq!(
        stored,
        laurel_store::Issuer {
            created_at: first.created_at,
            ..edited.clone()
        }
    );
    // And back: the settings clear.
    let cleared = laurel_store::Issuer {
        brand_color: None,
        show_award_count: true,
        linkedin_organization_id: None,
        include_recipient_name: true,
        paper_size: PaperSize::Letter,
        signatory_name: None,
        signatory_title: None,
        updated_at: now(),
        ..stored
    };
    store.update_issuer(&cleared).await.unwrap();
    assert_eq!(store.issuer(first.id).await.unwrap(), cleared);

    let err = store.create_issuer(&first, &[]).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}

pub async fn create_issuer_is_one_transaction(db: &TestDb) {
    let store = db.open().await;
    let lone = issuer("Lone");
    // The second key names an issuer that does not exist: nothing may be stored.
    let keys = vec![
        key(lone.id, KeyPurpose::Jwt),
        key(Uuid::new_v4(), KeyPurpose::Jwt),
    ];
    let err = store.create_issuer(&lone, &keys).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert!(matches!(
        store.issuer(lone.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.all_keys().await.unwrap(), vec![]);
}

pub async fn achievement_round_trip(db: &TestDb) {
    let store = db.open().await;
    let (one, two) = (issuer("One"), issuer("Two"));
    store.create_issuer(&one, &[]).await.unwrap();
    store.create_issuer(&two, &[]).await.unwrap();
    let a = achievement(one.id, "A");
    let bare = Achievement {
        criteria_narrative: None,
        criteria_url: Some("https://example.org/criteria".into()),
        achievement_type: None,
        tags: vec![],
        alignment: "[]".into(),
        credits_available: None,
        valid_for_days: None,
        ..achievement(two.id, "B")
    };
    let c = achievement(one.id, "C");
    for x in [&a, &bare, &c] {
        store.create_achievement(x).await.unwrap();
    }

    assert_eq!(store.achievement(a.id).await.unwrap(), a);
    assert_eq!(store.achievement(bare.id).await.unwrap(), bare);
    assert_eq!(
        store.list_achievements(None).await.unwrap(),
        vec![a.clone(), bare.clone(), c.clone()]
    );
    assert_eq!(
        store.list_achievements(Some(one.id)).await.unwrap(),
        vec![a.clone(), c]
    );
    assert_eq!(
        store.list_achievements(Some(Uuid::new_v4())).await.unwrap(),
        vec![]
    );

    let edited = Achievement {
        name: "A, edited".into(),
        tags: vec!["x".into()],
        credits_available: Some(3.25),
        valid_for_days: None,
        image: Some("cd".repeat(32)),
        updated_at: now(),
        ..a.clone()
    };
    store.update_achievement(&edited).await.unwrap();
    assert_eq!(store.achievement(a.id).await.unwrap(), edited);
}

pub async fn not_found_is_mapped(db: &TestDb) {
    let store = db.open().await;
    let ghost = issuer("Ghost");
    let orphan = achievement(ghost.id, "Orphan");

    let errors = [
        store.issuer(ghost.id).await.err(),
        store.update_issuer(&ghost).await.err(),
        store.achievement(orphan.id).await.err(),
        store.create_achievement(&orphan).await.err(),
        store.update_achievement(&orphan).await.err(),
        store.award(Uuid::new_v4()).await.err(),
        store
            .insert_awards(vec![crate::support::award(&orphan, "a@example.org")], false)
            .await
            .err(),
    ];
    for (i, err) in errors.into_iter().enumerate() {
        assert!(
            matches!(err, Some(StoreError::NotFound)),
            "call {i}: {err:?}"
        );
    }
}
