//! The bounds on an issuer's imports: how many may wait or run at once, and dropping old
//! per-line results.

use std::collections::HashSet;

use chrono::Duration;
use laurel_store::{ImportJob, ImportQuota, ImportStatus, StoreError};
use tokio::task::JoinSet;

use crate::support::{TestDb, event, import_job, issuer, issuer_with_event, now};

fn quota(issuer_id: uuid::Uuid, max_unfinished: u32) -> ImportQuota {
    ImportQuota {
        issuer_id,
        max_unfinished,
        fresh_since: now() - Duration::minutes(10),
    }
}

pub async fn import_quota_counts_one_issuers_unfinished_imports(db: &TestDb) {
    let store = db.open().await;
    let (mine, my_event) = issuer_with_event(&*store).await;
    let other = issuer("Other Library");
    store.create_issuer(&other, &[]).await.unwrap();
    let other_event = event(other.id, None, now());
    store.create_event(&other_event).await.unwrap();

    // Two fresh unfinished imports of mine, one stale one, one finished one, and one of
    // another issuer: only the first two count.
    let stale = ImportJob {
        status: ImportStatus::Running,
        updated_at: now() - Duration::hours(1),
        ..import_job(my_event.id)
    };
    let finished = ImportJob {
        status: ImportStatus::Succeeded,
        finished_at: Some(now()),
        ..import_job(my_event.id)
    };
    for job in [&stale, &finished] {
        store.create_import(job).await.unwrap();
    }
    store
        .create_import(&import_job(other_event.id))
        .await
        .unwrap();
    for _ in 0..2 {
        let job = import_job(my_event.id);
        assert!(
            store
                .create_import_within(&job, &quota(mine.id, 3))
                .await
                .unwrap()
        );
        assert_eq!(store.import(job.id).await.unwrap().id, job.id);
    }
    let third = import_job(my_event.id);
    assert!(
        store
            .create_import_within(&third, &quota(mine.id, 3))
            .await
            .unwrap()
    );
    // The fourth is refused, and nothing of it is stored.
    let fourth = import_job(my_event.id);
    assert!(
        !store
            .create_import_within(&fourth, &quota(mine.id, 3))
            .await
            .unwrap()
    );
    assert!(matches!(
        store.import(fourth.id).await,
        Err(StoreError::NotFound)
    ));
    // The other issuer still has room.
    let theirs = import_job(other_event.id);
    assert!(
        store
            .create_import_within(&theirs, &quota(other.id, 3))
            .await
            .unwrap()
    );
    // Listed by issuer: each sees only its own, newest first; no issuer, nothing.
    let mine_listed = store.list_imports_of(&[mine.id], 100).await.unwrap();
    assert_eq!(
        mine_listed.len(),
        5,
        "two stored first, three within the quota"
    );
    assert!(mine_listed.iter().all(|job| job.event_id == my_event.id));
    assert!(mine_listed.iter().all(|job| job.result.is_none()));
    assert!(
        mine_listed
            .windows(2)
            .all(|pair| (pair[0].created_at, pair[0].id) >= (pair[1].created_at, pair[1].id))
    );
    assert_eq!(store.list_imports_of(&[mine.id], 2).await.unwrap().len(), 2);
    let both = store
        .list_imports_of(&[mine.id, other.id], 100)
        .await
        .unwrap();
    assert_eq!(both.len(), 7);
    assert!(store.list_imports_of(&[], 100).await.unwrap().is_empty());
    // An event of another issuer than the quota names is not found.
    let crossed = import_job(other_event.id);
    assert!(matches!(
        store
            .create_import_within(&crossed, &quota(mine.id, 9))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.import(crossed.id).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn concurrent_imports_respect_the_quota(db: &TestDb) {
    let stores = [db.open().await, db.open().await];
    let (issuer, event) = issuer_with_event(&*stores[0]).await;
    let mut tasks = JoinSet::new();
    for task in 0..12 {
        let store = stores[task % 2].clone();
        let job = import_job(event.id);
        let quota = quota(issuer.id, 3);
        tasks.spawn(async move {
            let stored = store
                .create_import_within(&job, &quota)
                .await
                .expect("create");
            (job.id, stored)
        });
    }
    let results = tasks.join_all().await;
    let accepted: HashSet<_> = results
        .iter()
        .filter(|(_, ok)| *ok)
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(accepted.len(), 3, "{results:?}");
    let listed: HashSet<_> = stores[0]
        .list_imports(Some(event.id), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|job| job.id)
        .collect();
    assert_eq!(listed, accepted);
}

pub async fn old_import_results_are_shortened(db: &TestDb) {
    let store = db.open().await;
    let (issuer, event) = issuer_with_event(&*store).await;
    let result = r#"{"summary":{"lines":1},"lines":[{"email":"ada@example.org"}]}"#;
    let mut jobs = Vec::new();
    for (hours_ago, dry_run) in [(30, true), (2, false)] {
        let at = now() - Duration::hours(hours_ago);
        let job = ImportJob {
            status: ImportStatus::Succeeded,
            dry_run,
            result: Some(result.into()),
            finished_at: Some(at),
            updated_at: at,
            created_at: at,
            ..import_job(event.id)
        };
        store.create_import(&job).await.unwrap();
        jobs.push(job);
    }
    // Unfinished jobs and jobs without a result are not listed.
    store.create_import(&import_job(event.id)).await.unwrap();

    let listed = store.import_results(Some(issuer.id)).await.unwrap();
    assert_eq!(
        listed.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![jobs[1].id, jobs[0].id],
        "newest first"
    );
    assert_eq!(listed[0].bytes, result.len() as u64);
    assert_eq!(listed[0].issuer_id, issuer.id);
    assert!(listed[1].dry_run);
    assert_eq!(store.import_results(None).await.unwrap(), listed);
    assert!(
        store
            .import_results(Some(uuid::Uuid::now_v7()))
            .await
            .unwrap()
            .is_empty()
    );

    let short = r#"{"summary":{"lines":1},"lines_expired_at":"2026-03-01T00:00:00Z"}"#;
    store
        .expire_import_result(jobs[0].id, short, now())
        .await
        .unwrap();
    assert_eq!(
        store.import(jobs[0].id).await.unwrap().result.as_deref(),
        Some(short)
    );
    // Once shortened, it is listed no more.
    let listed = store.import_results(Some(issuer.id)).await.unwrap();
    assert_eq!(
        listed.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![jobs[1].id]
    );
    assert!(matches!(
        store
            .expire_import_result(uuid::Uuid::now_v7(), short, now())
            .await,
        Err(StoreError::NotFound)
    ));
}
