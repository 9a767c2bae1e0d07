//! Endorsements: stored as signed, listed per subject (the issuer itself, or one achievement),
//! withdrawn once, and refused when what they name does not exist.

use chrono::Duration;
use laurel_store::{Endorsement, EndorsementOrigin, StoreError};
use uuid::Uuid;

use crate::support::{TestDb, issuer, issuer_with_achievement, now};

fn endorsement(issuer_id: Uuid, achievement_id: Option<Uuid>, comment: &str) -> Endorsement {
    Endorsement {
        id: Uuid::now_v7(),
        issuer_id,
        achievement_id,
        endorser_id: "did:key:z6MkEndorser".into(),
        endorser_name: "State Library of Nebraska".into(),
        endorser_issuer_id: None,
        comment: Some(comment.into()),
        origin: EndorsementOrigin::Imported,
        credential: r#"{"type":["VerifiableCredential","EndorsementCredential"]}"#.into(),
        created_at: now(),
        withdrawn_at: None,
    }
}

pub async fn endorsements_round_trip(db: &TestDb) {
    let store = db.open().await;
    let (issuer_row, achievement) = issuer_with_achievement(&*store).await;
    let endorser = issuer("Nebraska Library Commission");
    store.create_issuer(&endorser, &[]).await.unwrap();

    let of_issuer = endorsement(issuer_row.id, None, "A trusted provider");
    let mut of_achievement = endorsement(issuer_row.id, Some(achievement.id), "Counts for CE");
    of_achievement.endorser_issuer_id = Some(endorser.id);
    of_achievement.origin = EndorsementOrigin::Signed;
    of_achievement.created_at = now() + Duration::seconds(1);
    let mut later = endorsement(issuer_row.id, Some(achievement.id), "Renewed");
    later.created_at = now() + Duration::seconds(2);
    later.comment = None;
    for e in [&later, &of_issuer, &of_achievement] {
        store.create_endorsement(e).await.unwrap();
    }

    assert_eq!(
        store.endorsement(of_achievement.id).await.unwrap(),
        of_achievement
    );
    assert_eq!(
        store.endorsements_of(issuer_row.id, None).await.unwrap(),
        vec![of_issuer.clone()]
    );
    assert_eq!(
        store
            .endorsements_of(issuer_row.id, Some(achievement.id))
            .await
            .unwrap(),
        vec![of_achievement.clone(), later.clone()]
    );
    assert!(
        store
            .endorsements_of(endorser.id, None)
            .await
            .unwrap()
            .is_empty()
    );

    let at = now() + Duration::minutes(5);
    let withdrawn = store.withdraw_endorsement(later.id, at).await.unwrap();
    assert_eq!(withdrawn.withdrawn_at, Some(at));
    // A second withdrawal keeps the first time.
    let again = store
        .withdraw_endorsement(later.id, at + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(again.withdrawn_at, Some(at));
    assert_eq!(store.endorsement(later.id).await.unwrap(), again);

    assert!(matches!(
        store.endorsement(Uuid::now_v7()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.withdraw_endorsement(Uuid::now_v7(), at).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.create_endorsement(&of_issuer).await,
        Err(StoreError::Conflict(_))
    ));
}

pub async fn endorsement_of_missing_subject_is_not_found(db: &TestDb) {
    let store = db.open().await;
    let (issuer_row, _) = issuer_with_achievement(&*store).await;
    for e in [
        endorsement(Uuid::now_v7(), None, "no such issuer"),
        endorsement(issuer_row.id, Some(Uuid::now_v7()), "no such achievement"),
        Endorsement {
            endorser_issuer_id: Some(Uuid::now_v7()),
            ..endorsement(issuer_row.id, None, "no such endorser")
        },
    ] {
        assert!(
            matches!(
                store.create_endorsement(&e).await,
                Err(StoreError::NotFound)
            ),
            "{:?}",
            e.comment
        );
    }
    assert!(
        store
            .endorsements_of(issuer_row.id, None)
            .await
            .unwrap()
            .is_empty()
    );
}
