//! Transcript links: recorded with their address and expiry, their emails claimed once within
//! the issuer's emails-per-minute window, finished, and swept after they expire.

use chrono::Duration;
use laurel_store::{
    DeliveryOutcome, NotificationState, StoreError, TranscriptLink, TranscriptLinkDelivery,
};
use uuid::Uuid;

use crate::support::{TestDb, issuer_with_achievement, now};

pub async fn transcript_links_round_trip(db: &TestDb) {
    let store = db.open().await;
    let (issuer, _) = issuer_with_achievement(&*store).await;
    let mut limited = crate::cases::email::settings(issuer.id);
    limited.rate_per_minute = Some(2);
    store.set_email_settings(&limited).await.unwrap();
    let at = now();
    let expires = at + Duration::days(7);
    let links: Vec<TranscriptLink> = (0..3)
        .map(|n| TranscriptLink::queued(issuer.id, &format!("p{n}@example.org"), at, expires))
        .collect();
    for link in &links {
        store.record_transcript_link(link).await.unwrap();
    }
    assert_eq!(
        store.transcript_link(links[0].id).await.unwrap().as_ref(),
        Some(&links[0])
    );
    assert_eq!(store.transcript_link(Uuid::now_v7()).await.unwrap(), None);
    let orphan = TranscriptLink::queued(Uuid::now_v7(), "ada@example.org", at, expires);
    assert!(matches!(
        store.record_transcript_link(&orphan).await,
        Err(StoreError::NotFound)
    ));

    // Two a minute; a second worker in the same minute gets none.
    let worker = Uuid::now_v7();
    let lease = at + Duration::minutes(5);
    let claimed = store
        .claim_transcript_links(worker, at, lease, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
    assert!(claimed.iter().all(|l| l.state == NotificationState::Sending
        && l.attempts == 1
        && l.claim == Some(worker)));
    assert!(
        store
            .claim_transcript_links(Uuid::now_v7(), at + Duration::seconds(30), lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let sent = TranscriptLinkDelivery {
        id: claimed[0].id,
        claim: worker,
        at,
        outcome: DeliveryOutcome::Sent {
            message_id: "<1@example.org>".into(),
            subject: "Your transcript".into(),
            reply: None,
            dry_run: false,
        },
    };
    let stale = TranscriptLinkDelivery {
        id: claimed[1].id,
        claim: Uuid::now_v7(),
        ..sent.clone()
    };
    store.finish_transcript_links(&[sent, stale]).await.unwrap();
    let first = store.transcript_link(claimed[0].id).await.unwrap().unwrap();
    assert_eq!(first.state, NotificationState::Sent);
    assert_eq!(first.subject.as_deref(), Some("Your transcript"));
    assert!(first.claim.is_none() && first.sent_at.is_some());
    let second = store.transcript_link(claimed[1].id).await.unwrap().unwrap();
    assert_eq!(
        second.state,
        NotificationState::Sending,
        "a stale claim changes nothing"
    );
    // The next minute: the third.
    let next = store
        .claim_transcript_links(worker, at + Duration::seconds(60), lease, 10)
        .await
        .unwrap();
    assert_eq!(next.len(), 1);

    // Swept once expired, not before.
    assert_eq!(
        store
            .delete_expired_transcript_links(expires)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .delete_expired_transcript_links(expires + Duration::seconds(1))
            .await
            .unwrap(),
        3
    );
    assert_eq!(store.transcript_link(links[0].id).await.unwrap(), None);
}
