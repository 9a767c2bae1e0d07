//! Pathways and invitations: stored whole, found by the badges they name, invitations once.

use std::sync::Arc;

use chrono::Duration;
use laurel_store::{
    DeliveryOutcome, Invitation, InvitationDelivery, NotificationState, Pathway, PathwayOutcome,
    Store, StoreError,
};
use uuid::Uuid;

use crate::support::{TestDb, achievement, issuer_with_achievement, now};

fn pathway(target: &laurel_store::Achievement, requires: &[Uuid]) -> Pathway {
    Pathway {
        achievement_id: target.id,
        issuer_id: target.issuer_id,
        rule: r#"{"steps":[]}"#.into(),
        requires: requires.to_vec(),
        outcome: PathwayOutcome::Award,
        invitation_subject: None,
        invitation_body: None,
        updated_at: now(),
    }
}

pub async fn pathways_round_trip(db: &TestDb) {
    let store = db.open().await;
    let (issuer, target) = issuer_with_achievement(&*store).await;
    let mut steps = Vec::new();
    for name in ["A", "B", "C"] {
        let step = achievement(issuer.id, name);
        store.create_achievement(&step).await.unwrap();
        steps.push(step.id);
    }
    steps.sort();
    assert_eq!(store.pathway(target.id).await.unwrap(), None);

    let mut stored = pathway(&target, &steps);
    store.set_pathway(&stored).await.unwrap();
    assert_eq!(
        store.pathway(target.id).await.unwrap(),
        Some(stored.clone())
    );
    assert_eq!(
        store.pathways(Some(issuer.id)).await.unwrap(),
        vec![stored.clone()]
    );
    assert_eq!(store.pathways(None).await.unwrap(), vec![stored.clone()]);
    assert_eq!(store.pathways(Some(Uuid::now_v7())).await.unwrap(), vec![]);
    let found = store.pathways_requiring(&[steps[1]]).await.unwrap();
    assert_eq!(found, vec![stored.clone()]);
    assert_eq!(
        store.pathways_requiring(&[target.id]).await.unwrap(),
        vec![]
    );
    assert_eq!(store.pathways_requiring(&[]).await.unwrap(), vec![]);

    // Replacing rewrites the requirement rows: B is no longer named.
    stored.requires = vec![steps[0], steps[2]];
    stored.outcome = PathwayOutcome::Invite;
    stored.invitation_subject = Some("Come to the workshop".into());
    stored.invitation_body = Some("Hello {{recipient_name}}".into());
    stored.rule = r#"{"at_least":1,"steps":[]}"#.into();
    store.set_pathway(&stored).await.unwrap();
    assert_eq!(
        store.pathway(target.id).await.unwrap(),
        Some(stored.clone())
    );
    assert_eq!(store.pathways_requiring(&[steps[1]]).await.unwrap(), vec![]);
    assert_eq!(
        store
            .pathways_requiring(&[steps[2], steps[1]])
            .await
            .unwrap(),
        vec![stored.clone()]
    );

    // A missing required badge stores nothing: the previous pathway stays whole.
    let mut broken = stored.clone();
    broken.requires.push(Uuid::now_v7());
    broken.rule = "changed".into();
    let error = store.set_pathway(&broken).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound), "{error:?}");
    assert_eq!(store.pathway(target.id).await.unwrap(), Some(stored));

    assert!(store.delete_pathway(target.id).await.unwrap());
    assert!(!store.delete_pathway(target.id).await.unwrap());
    assert_eq!(store.pathway(target.id).await.unwrap(), None);
    assert_eq!(store.pathways_requiring(&[steps[0]]).await.unwrap(), vec![]);
}

pub async fn invitations_are_recorded_once_and_delivered(db: &TestDb) {
    let store = db.open().await;
    let (issuer, target) = issuer_with_achievement(&*store).await;
    let at = now();
    let first = Invitation::queued(target.id, issuer.id, "ada@example.org", Some("Ada"), at);
    assert!(store.record_invitation(&first).await.unwrap());
    let again = Invitation::queued(target.id, issuer.id, "ada@example.org", None, at);
    assert!(!store.record_invitation(&again).await.unwrap());
    let other = Invitation::queued(target.id, issuer.id, "bob@example.org", None, at);
    assert!(store.record_invitation(&other).await.unwrap());
    let listed = store.invitations(target.id).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].recipient_name.as_deref(), Some("Ada"));
    let missing = Invitation::queued(Uuid::now_v7(), issuer.id, "ada@example.org", None, at);
    assert!(matches!(
        store.record_invitation(&missing).await,
        Err(StoreError::NotFound)
    ));

    // Claimed once while the lease holds; finished as sent; a stale claim changes nothing.
    let worker = Uuid::now_v7();
    let lease = at + Duration::minutes(5);
    let claimed = store
        .claim_invitations(worker, at, lease, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
    assert!(claimed.iter().all(|i| i.state == NotificationState::Sending
        && i.attempts == 1
        && i.claim == Some(worker)));
    assert!(
        store
            .claim_invitations(Uuid::now_v7(), at, lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let sent = InvitationDelivery {
        achievement_id: target.id,
        recipient_email: "ada@example.org".into(),
        claim: worker,
        at,
        outcome: DeliveryOutcome::Sent {
            message_id: "<1@example.org>".into(),
            subject: "Come".into(),
            reply: None,
            dry_run: true,
        },
    };
    let stale = InvitationDelivery {
        recipient_email: "bob@example.org".into(),
        claim: Uuid::now_v7(),
        ..sent.clone()
    };
    store.finish_invitations(&[sent, stale]).await.unwrap();
    let listed = store.invitations(target.id).await.unwrap();
    let ada = listed
        .iter()
        .find(|i| i.recipient_email == "ada@example.org")
        .unwrap();
    assert_eq!(ada.state, NotificationState::Sent);
    assert_eq!(ada.subject.as_deref(), Some("Come"));
    assert!(ada.dry_run && ada.claim.is_none());
    let bob = listed
        .iter()
        .find(|i| i.recipient_email == "bob@example.org")
        .unwrap();
    assert_eq!(bob.state, NotificationState::Sending);
    // Bob's claim lapses: another worker claims it and records a retry.
    let later = lease + Duration::seconds(1);
    let second = Uuid::now_v7();
    let reclaimed = store
        .claim_invitations(second, later, later + Duration::minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(reclaimed.len(), 1);
    assert_eq!(reclaimed[0].attempts, 2);
    let retry = InvitationDelivery {
        achievement_id: target.id,
        recipient_email: "bob@example.org".into(),
        claim: second,
        at: later,
        outcome: DeliveryOutcome::Retry {
            message_id: Some("<2@example.org>".into()),
            error: "busy".into(),
            reply: None,
            next_attempt_at: later + Duration::minutes(10),
        },
    };
    store.finish_invitations(&[retry]).await.unwrap();
    let bob = store
        .invitations(target.id)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.recipient_email == "bob@example.org")
        .unwrap();
    assert_eq!(bob.state, NotificationState::Queued);
    assert_eq!(bob.last_error.as_deref(), Some("busy"));
    assert_eq!(bob.message_id.as_deref(), Some("<2@example.org>"));
    assert!(
        store
            .claim_invitations(second, later, later, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Invitations count in their issuer's emails-per-minute window, the one award emails use.
pub async fn invitations_share_the_issuers_rate_limit(db: &TestDb) {
    let store = db.open().await;
    let (issuer, target) = issuer_with_achievement(&*store).await;
    let mut limited = crate::cases::email::settings(issuer.id);
    limited.rate_per_minute = Some(3);
    store.set_email_settings(&limited).await.unwrap();
    crate::cases::email::awarded(&*store, &target, 1).await;
    let at = now();
    for n in 0..5 {
        let invitation =
            Invitation::queued(target.id, issuer.id, &format!("p{n}@example.org"), None, at);
        assert!(store.record_invitation(&invitation).await.unwrap());
    }
    let t0 = at + Duration::seconds(1);
    let lease = t0 + Duration::hours(1);
    let notifications = store
        .claim_notifications(Uuid::now_v7(), t0, lease, 100)
        .await
        .unwrap();
    assert_eq!(notifications.len(), 1);
    // The award email took one of the minute's three.
    let first = store
        .claim_invitations(Uuid::now_v7(), t0, lease, 100)
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    let same_minute = store
        .claim_invitations(Uuid::now_v7(), t0 + Duration::seconds(59), lease, 100)
        .await
        .unwrap();
    assert!(same_minute.is_empty(), "{same_minute:?}");
    let next_minute = store
        .claim_invitations(Uuid::now_v7(), t0 + Duration::seconds(60), lease, 100)
        .await
        .unwrap();
    assert_eq!(next_minute.len(), 3);
    // The window is spent for award emails too.
    let another = achievement(issuer.id, "Another");
    store.create_achievement(&another).await.unwrap();
    crate::cases::email::awarded(&*store, &another, 1).await;
    assert!(
        store
            .claim_notifications(Uuid::now_v7(), t0 + Duration::seconds(61), lease, 100)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Two instances recording the same invitation at once: one row, one `true`.
pub async fn concurrent_invitations_record_once(db: &TestDb) {
    let first: Arc<dyn Store> = db.open().await;
    let second: Arc<dyn Store> = db.open().await;
    let (issuer, target) = issuer_with_achievement(&*first).await;
    let mut tasks = Vec::new();
    for round in 0..8 {
        let store = if round % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        let invitation = Invitation::queued(target.id, issuer.id, "ada@example.org", None, now());
        tasks.push(tokio::spawn(async move {
            store.record_invitation(&invitation).await.unwrap()
        }));
    }
    let mut recorded = 0;
    for task in tasks {
        if task.await.unwrap() {
            recorded += 1;
        }
    }
    assert_eq!(recorded, 1);
    assert_eq!(first.invitations(target.id).await.unwrap().len(), 1);
}
