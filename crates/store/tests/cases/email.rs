//! Email: settings and templates, the outbox filled with awards, claims, rate limits, resends.

use std::collections::HashSet;

use chrono::Duration;
use laurel_store::{
    Achievement, Delivery, DeliveryOutcome, EmailSettings, EmailTemplate, NotificationFilter,
    NotificationState, Requeued, Resend, SmtpSecurity, Store, StoreError,
};
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::support::{TestDb, award, issuer_with_achievement, now};

pub fn settings(issuer_id: Uuid) -> EmailSettings {
    EmailSettings {
        issuer_id,
        host: "smtp.example.org".into(),
        port: 587,
        security: SmtpSecurity::Starttls,
        username: Some("badges".into()),
        sealed_password: Some(vec![1, 2, 3, 250]),
        from_address: "badges@example.org".into(),
        from_name: Some("Bibliothèque « Badges »".into()),
        reply_to: None,
        rate_per_minute: None,
        dry_run: false,
        updated_at: now(),
    }
}

/// Awards `count` recipients of `achievement` with notifications queued (its issuer must have
/// settings); returns the award ids.
pub(crate) async fn awarded(
    store: &dyn Store,
    achievement: &Achievement,
    count: usize,
) -> Vec<Uuid> {
    let awards: Vec<_> = (0..count)
        .map(|i| award(achievement, &format!("r{i}@example.org")))
        .collect();
    store.insert_awards(awards.clone(), true).await.unwrap();
    awards.iter().map(|a| a.id).collect()
}

pub async fn settings_and_templates_round_trip(db: &TestDb) {
    let store = db.open().await;
    let (issuer, achievement) = issuer_with_achievement(&*store).await;
    assert_eq!(store.email_settings(issuer.id).await.unwrap(), None);

    let mut first = settings(issuer.id);
    store.set_email_settings(&first).await.unwrap();
    assert_eq!(
        store.email_settings(issuer.id).await.unwrap(),
        Some(first.clone())
    );
    first.security = SmtpSecurity::Tls;
    first.port = 465;
    first.sealed_password = None;
    first.rate_per_minute = Some(30);
    first.dry_run = true;
    store.set_email_settings(&first).await.unwrap();
    assert_eq!(store.email_settings(issuer.id).await.unwrap(), Some(first));
    assert!(matches!(
        store.set_email_settings(&settings(Uuid::now_v7())).await,
        Err(StoreError::NotFound)
    ));

    let issuer_template = EmailTemplate {
        issuer_id: issuer.id,
        achievement_id: None,
        subject: "Your badge: {{badge_name}}".into(),
        text_body: "Hello {{recipient_name}}".into(),
        html_body: Some("<p>Hello {{recipient_name}}</p>".into()),
        updated_at: now(),
    };
    let badge_template = EmailTemplate {
        achievement_id: Some(achievement.id),
        subject: "Félicitations".into(),
        html_body: None,
        ..issuer_template.clone()
    };
    store.set_email_template(&issuer_template).await.unwrap();
    store.set_email_template(&badge_template).await.unwrap();
    assert_eq!(
        store.email_template(issuer.id).await.unwrap(),
        Some(issuer_template.clone())
    );
    assert_eq!(
        store.email_template(achievement.id).await.unwrap(),
        Some(badge_template.clone())
    );
    let replaced = EmailTemplate {
        subject: "Replaced".into(),
        ..badge_template
    };
    store.set_email_template(&replaced).await.unwrap();
    assert_eq!(
        store.email_template(achievement.id).await.unwrap(),
        Some(replaced)
    );
    // An achievement of another issuer cannot be given this issuer's template.
    let (_, other) = issuer_with_achievement(&*store).await;
    let stray = EmailTemplate {
        achievement_id: Some(other.id),
        ..issuer_template
    };
    assert!(matches!(
        store.set_email_template(&stray).await,
        Err(StoreError::NotFound)
    ));

    assert!(store.delete_email_template(achievement.id).await.unwrap());
    assert!(!store.delete_email_template(achievement.id).await.unwrap());
    assert_eq!(store.email_template(achievement.id).await.unwrap(), None);
    assert!(store.delete_email_settings(issuer.id).await.unwrap());
    assert!(!store.delete_email_settings(issuer.id).await.unwrap());
}

/// The outbox is filled by the award insert itself: only for new awards, only with `notify`,
/// only for issuers with email settings.
pub async fn awards_fill_the_outbox(db: &TestDb) {
    let store = db.open().await;
    let (issuer, achievement) = issuer_with_achievement(&*store).await;
    let before = award(&achievement, "before@example.org");
    store
        .insert_awards(vec![before.clone()], true)
        .await
        .unwrap();
    assert_eq!(store.notification(before.id).await.unwrap(), None);

    store
        .set_email_settings(&settings(issuer.id))
        .await
        .unwrap();
    let ada = award(&achievement, "ada@example.org");
    let quiet = award(&achievement, "quiet@example.org");
    store
        .insert_awards(vec![ada.clone(), before.clone()], true)
        .await
        .unwrap();
    store
        .insert_awards(vec![quiet.clone()], false)
        .await
        .unwrap();
    let queued = store.notification(ada.id).await.unwrap().expect("queued");
    assert_eq!(queued.state, NotificationState::Queued);
    assert_eq!(queued.attempts, 0);
    assert_eq!(queued.next_attempt_at, ada.issued_at);
    assert_eq!(queued.achievement_id, achievement.id);
    // An award that already existed is not announced again; `notify: false` queues nothing.
    assert_eq!(store.notification(before.id).await.unwrap(), None);
    assert_eq!(store.notification(quiet.id).await.unwrap(), None);
    // A retry of the same award (exactly once) queues nothing more.
    let again = award(&achievement, "ada@example.org");
    store.insert_awards(vec![again], true).await.unwrap();
    let (all, total) = store
        .list_notifications(&NotificationFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((all.len(), total), (1, 1));
}

pub async fn claim_and_finish(db: &TestDb) {
    let store = db.open().await;
    let (issuer, achievement) = issuer_with_achievement(&*store).await;
    store
        .set_email_settings(&settings(issuer.id))
        .await
        .unwrap();
    let ids = awarded(&*store, &achievement, 3).await;
    let t0 = now() + Duration::seconds(1);
    let lease = t0 + Duration::minutes(5);
    let worker = Uuid::now_v7();
    let claimed = store
        .claim_notifications(worker, t0, lease, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);
    for n in &claimed {
        assert_eq!(n.state, NotificationState::Sending);
        assert_eq!(n.attempts, 1);
        assert_eq!(n.claim, Some(worker));
        assert_eq!(n.claimed_until, Some(lease));
    }
    // Nothing is due while the claim holds.
    let other = Uuid::now_v7();
    assert!(
        store
            .claim_notifications(other, t0, lease, 10)
            .await
            .unwrap()
            .is_empty()
    );

    let retry_at = t0 + Duration::seconds(30);
    store
        .finish_notifications(&[
            Delivery {
                award_id: ids[0],
                claim: worker,
                at: t0,
                outcome: DeliveryOutcome::Sent {
                    message_id: "<a@example.org>".into(),
                    subject: "Your badge".into(),
                    reply: Some("250 2.0.0 Ok: queued".into()),
                    dry_run: false,
                },
            },
            Delivery {
                award_id: ids[1],
                claim: worker,
                at: t0,
                outcome: DeliveryOutcome::Retry {
                    message_id: Some("<b@example.org>".into()),
                    error: "connection refused".into(),
                    reply: None,
                    next_attempt_at: retry_at,
                },
            },
            Delivery {
                award_id: ids[2],
                claim: worker,
                at: t0,
                outcome: DeliveryOutcome::Failed {
                    error: "recipient rejected".into(),
                    reply: Some("550 5.1.1 no such user".into()),
                },
            },
            // A report under a claim that does not hold the row changes nothing.
            Delivery {
                award_id: ids[2],
                claim: other,
                at: t0,
                outcome: DeliveryOutcome::Sent {
                    message_id: "<stale@example.org>".into(),
                    subject: "stale".into(),
                    reply: None,
                    dry_run: false,
                },
            },
        ])
        .await
        .unwrap();
    let sent = store.notification(ids[0]).await.unwrap().unwrap();
    assert_eq!(sent.state, NotificationState::Sent);
    assert_eq!(sent.sent_at, Some(t0));
    assert_eq!(sent.message_id.as_deref(), Some("<a@example.org>"));
    assert_eq!(sent.smtp_reply.as_deref(), Some("250 2.0.0 Ok: queued"));
    assert_eq!(sent.claim, None);
    let retry = store.notification(ids[1]).await.unwrap().unwrap();
    assert_eq!(retry.state, NotificationState::Queued);
    assert_eq!(retry.next_attempt_at, retry_at);
    assert_eq!(retry.last_error.as_deref(), Some("connection refused"));
    assert_eq!(retry.message_id.as_deref(), Some("<b@example.org>"));
    let failed = store.notification(ids[2]).await.unwrap().unwrap();
    assert_eq!(failed.state, NotificationState::Failed);
    assert_eq!(failed.failed_at, Some(t0));
    assert_eq!(failed.smtp_reply.as_deref(), Some("550 5.1.1 no such user"));

    // The retry waits for its time, then is claimed with a second attempt.
    assert!(
        store
            .claim_notifications(worker, t0 + Duration::seconds(29), lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let again = store
        .claim_notifications(worker, retry_at, retry_at + Duration::minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].award_id, again[0].attempts), (ids[1], 2));
    // A crashed worker's claim lapses and the row is claimed by another.
    let later = retry_at + Duration::minutes(5);
    let taken = store
        .claim_notifications(other, later, later + Duration::minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!((taken[0].claim, taken[0].attempts), (Some(other), 3));
}

pub async fn rate_limit_caps_claims(db: &TestDb) {
    let store = db.open().await;
    let (issuer, achievement) = issuer_with_achievement(&*store).await;
    let mut limited = settings(issuer.id);
    limited.rate_per_minute = Some(3);
    store.set_email_settings(&limited).await.unwrap();
    awarded(&*store, &achievement, 8).await;
    let (_, unlimited_achievement) = issuer_with_achievement(&*store).await;
    store
        .set_email_settings(&settings(unlimited_achievement.issuer_id))
        .await
        .unwrap();
    awarded(&*store, &unlimited_achievement, 5).await;

    let t0 = now() + Duration::seconds(1);
    let lease = t0 + Duration::hours(1);
    let worker = Uuid::now_v7();
    let first = store
        .claim_notifications(worker, t0, lease, 100)
        .await
        .unwrap();
    let of = |list: &[laurel_store::Notification], issuer_id| {
        list.iter().filter(|n| n.issuer_id == issuer_id).count()
    };
    assert_eq!(of(&first, issuer.id), 3);
    assert_eq!(of(&first, unlimited_achievement.issuer_id), 5);
    // The same minute: the budget is spent, also for another worker (another instance).
    let second = store
        .claim_notifications(Uuid::now_v7(), t0 + Duration::seconds(59), lease, 100)
        .await
        .unwrap();
    assert!(second.is_empty(), "{second:?}");
    // A new minute, a new budget.
    let third = store
        .claim_notifications(worker, t0 + Duration::seconds(60), lease, 100)
        .await
        .unwrap();
    assert_eq!(of(&third, issuer.id), 3);
}

pub async fn queue_and_resend(db: &TestDb) {
    let store = db.open().await;
    let (issuer, achievement) = issuer_with_achievement(&*store).await;
    let old = award(&achievement, "old@example.org");
    store.insert_awards(vec![old.clone()], true).await.unwrap();
    store
        .set_email_settings(&settings(issuer.id))
        .await
        .unwrap();
    let ids = awarded(&*store, &achievement, 3).await;
    let t0 = now() + Duration::seconds(1);
    let worker = Uuid::now_v7();
    store
        .claim_notifications(worker, t0, t0 + Duration::minutes(5), 2)
        .await
        .unwrap();
    let (sending, _) = store
        .list_notifications(&NotificationFilter {
            state: Some(NotificationState::Sending),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let [a, b] = [sending[0].award_id, sending[1].award_id];
    let queued_one = ids.iter().copied().find(|id| *id != a && *id != b).unwrap();
    let failed = |award_id| Delivery {
        award_id,
        claim: worker,
        at: t0,
        outcome: DeliveryOutcome::Failed {
            error: "refused".into(),
            reply: None,
        },
    };
    let dry = Delivery {
        outcome: DeliveryOutcome::Sent {
            message_id: "<dry@example.org>".into(),
            subject: "s".into(),
            reply: None,
            dry_run: true,
        },
        ..failed(b)
    };
    store.finish_notifications(&[failed(a), dry]).await.unwrap();

    let t1 = t0 + Duration::minutes(1);
    let results = store
        .queue_notifications(&[a, queued_one, old.id, Uuid::now_v7()], t1)
        .await
        .unwrap();
    assert!(
        matches!(&results[0], Requeued::Queued(n) if n.attempts == 0 && n.next_attempt_at == t1 && n.last_error.is_none() && n.message_id.is_none())
    );
    assert!(matches!(&results[1], Requeued::Unchanged(n) if n.state == NotificationState::Queued));
    // A credential awarded before email was set up gets its first notification.
    assert!(matches!(&results[2], Requeued::Queued(n) if n.award_id == old.id));
    assert_eq!(results[3], Requeued::Missing);

    // Bulk: the dry-run one, then nothing left to resend.
    assert_eq!(
        store
            .resend_notifications(achievement.id, &[Resend::Failed, Resend::Unsent], t1)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .resend_notifications(achievement.id, &[Resend::DryRun], t1)
            .await
            .unwrap(),
        1
    );
    let (queued, total) = store
        .list_notifications(&NotificationFilter {
            achievement_id: Some(achievement.id),
            state: Some(NotificationState::Queued),
            limit: 2,
            offset: 0,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((queued.len(), total), (2, 4));
    let new = award(&achievement, "new@example.org");
    store.insert_awards(vec![new.clone()], false).await.unwrap();
    assert_eq!(
        store
            .resend_notifications(achievement.id, &[Resend::Unsent], t1)
            .await
            .unwrap(),
        1
    );
    assert!(store.notification(new.id).await.unwrap().is_some());
}

/// Eight workers on two stores (two instances) claim from one outbox at once: every row is
/// claimed exactly once.
pub async fn concurrent_claims_never_overlap(db: &TestDb) {
    let stores = [db.open().await, db.open().await];
    let (issuer, achievement) = issuer_with_achievement(&*stores[0]).await;
    stores[0]
        .set_email_settings(&settings(issuer.id))
        .await
        .unwrap();
    let ids = awarded(&*stores[0], &achievement, 300).await;
    let t0 = now() + Duration::seconds(1);
    let mut tasks = JoinSet::new();
    for task in 0..8 {
        let store = stores[task % 2].clone();
        tasks.spawn(async move {
            let worker = Uuid::now_v7();
            let mut mine = Vec::new();
            loop {
                let batch = store
                    .claim_notifications(worker, t0, t0 + Duration::minutes(5), 7)
                    .await
                    .expect("claim");
                if batch.is_empty() {
                    return mine;
                }
                mine.extend(batch.into_iter().map(|n| n.award_id));
            }
        });
    }
    let mut seen = HashSet::new();
    let mut claimed = 0;
    for mine in tasks.join_all().await {
        claimed += mine.len();
        seen.extend(mine);
    }
    assert_eq!(claimed, ids.len(), "a row was claimed twice or never");
    assert_eq!(seen, ids.into_iter().collect());
}

/// One issuer's backlog does not hold up another's emails: a batch is shared between the
/// issuers with work due, oldest first.
pub async fn claims_share_the_batch_between_issuers(db: &TestDb) {
    let store = db.open().await;
    let (busy, busy_badge) = issuer_with_achievement(&*store).await;
    let (quiet, quiet_badge) = issuer_with_achievement(&*store).await;
    store.set_email_settings(&settings(busy.id)).await.unwrap();
    store.set_email_settings(&settings(quiet.id)).await.unwrap();
    awarded(&*store, &busy_badge, 40).await;
    awarded(&*store, &quiet_badge, 3).await;
    let t0 = now() + Duration::seconds(1);
    let claimed = store
        .claim_notifications(Uuid::now_v7(), t0, t0 + Duration::minutes(5), 10)
        .await
        .unwrap();
    let quiet_ones = claimed.iter().filter(|n| n.issuer_id == quiet.id).count();
    assert_eq!(quiet_ones, 3, "{claimed:?}");
    assert_eq!(
        claimed.len(),
        8,
        "five for the busy issuer, three for the quiet one"
    );
}
