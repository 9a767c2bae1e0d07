//! Awards: storing exactly once, reading back, listing.

use chrono::Duration;
use laurel_store::{Award, AwardFilter, Stored};

use crate::support::{TestDb, award, issuer_with_achievement, now};

pub async fn award_round_trip(db: &TestDb) {
    let store = db.open().await;
    let (_, achievement) = issuer_with_achievement(&*store).await;
    let plain = Award {
        role: None,
        ..award(&achievement, "ada@example.org")
    };
    let full = Award {
        recipient_name: None,
        role: Some("Student President of the « Club »".into()),
        valid_until: Some(now() + Duration::days(365)),
        credential: "{\"name\":\"Ünïcode ✓\"}".repeat(500),
        ..award(&achievement, "grace@example.org")
    };

    let stored = store
        .insert_awards(vec![plain.clone(), full.clone()], false)
        .await
        .unwrap();
    assert_eq!(
        stored,
        vec![
            Stored::Created(plain.clone()),
            Stored::Created(full.clone())
        ]
    );
    assert_eq!(store.award(plain.id).await.unwrap(), plain);
    assert_eq!(store.award(full.id).await.unwrap(), full);
    assert_eq!(store.insert_awards(vec![], false).await.unwrap(), vec![]);

    // Timestamps keep microseconds, on both backends, and a `Created` result says what a read
    // will return.
    let mut fine = award(&achievement, "nano@example.org");
    fine.issued_at += Duration::nanoseconds(789);
    let created = store
        .insert_awards(vec![fine.clone()], false)
        .await
        .unwrap();
    assert_eq!(created[0].award(), &store.award(fine.id).await.unwrap());
    assert_eq!(
        created[0].award().issued_at,
        fine.issued_at - Duration::nanoseconds(789)
    );
}

pub async fn batch_with_duplicates(db: &TestDb) {
    let store = db.open().await;
    let (_, achievement) = issuer_with_achievement(&*store).await;
    let x = award(&achievement, "x@example.org");
    let y = award(&achievement, "y@example.org");
    let x_again = award(&achievement, "x@example.org");

    let stored = store
        .insert_awards(vec![x.clone(), y.clone(), x_again], false)
        .await
        .unwrap();
    assert_eq!(
        stored,
        vec![
            Stored::Created(x.clone()),
            Stored::Created(y.clone()),
            Stored::Existing(x.clone())
        ]
    );

    // A retry with new ids and credentials changes nothing.
    let retry = vec![
        award(&achievement, "y@example.org"),
        award(&achievement, "x@example.org"),
    ];
    let stored = store.insert_awards(retry.clone(), false).await.unwrap();
    assert_eq!(stored, vec![Stored::Existing(y), Stored::Existing(x)]);
    let (_, total) = store
        .list_awards(&AwardFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(total, 2);
}

pub async fn awards_for_many_emails(db: &TestDb) {
    let store = db.open().await;
    let (issuer, achievement) = issuer_with_achievement(&*store).await;
    let other = crate::support::achievement(issuer.id, "Other");
    store.create_achievement(&other).await.unwrap();

    let emails: Vec<String> = (0..1500).map(|i| format!("r{i}@example.org")).collect();
    let awards: Vec<Award> = emails[..1200]
        .iter()
        .map(|e| award(&achievement, e))
        .collect();
    for chunk in awards.chunks(500) {
        store.insert_awards(chunk.to_vec(), false).await.unwrap();
    }
    store
        .insert_awards(vec![award(&other, &emails[1300])], false)
        .await
        .unwrap();

    let mut found = store.awards_for(achievement.id, &emails).await.unwrap();
    found.sort_by_key(|a| a.id);
    assert_eq!(found, awards);
    assert_eq!(store.awards_for(achievement.id, &[]).await.unwrap(), vec![]);
    let one = store
        .awards_for(other.id, &emails[1300..1301])
        .await
        .unwrap();
    assert_eq!(one.len(), 1);

    // By id (the email worker's batch read): any number at once, an unknown id left out.
    let mut ids: Vec<uuid::Uuid> = awards.iter().map(|a| a.id).collect();
    ids.push(uuid::Uuid::now_v7());
    let mut by_id = store.awards_by_id(&ids).await.unwrap();
    by_id.sort_by_key(|a| a.id);
    assert_eq!(by_id, awards);
    assert_eq!(store.awards_by_id(&[]).await.unwrap(), vec![]);
}

pub async fn list_awards_filters_and_pages(db: &TestDb) {
    let store = db.open().await;
    let (issuer, a) = issuer_with_achievement(&*store).await;
    let b = crate::support::achievement(issuer.id, "B");
    store.create_achievement(&b).await.unwrap();
    let (other_issuer, c) = issuer_with_achievement(&*store).await;

    // Awards an hour apart, newest last; two share a time so the id breaks the tie.
    let start = now() - Duration::hours(100);
    let mut all = Vec::new();
    for (i, achievement) in [&a, &b, &c, &a, &b, &c, &a].into_iter().enumerate() {
        let mut x = award(achievement, &format!("r{}@example.org", i % 4));
        x.issued_at = start + Duration::hours(i as i64);
        all.push(x);
    }
    all[4].issued_at = all[3].issued_at;
    store.insert_awards(all.clone(), false).await.unwrap();

    let mut newest_first = all.clone();
    newest_first.sort_by_key(|x| std::cmp::Reverse((x.issued_at, x.id)));
    let list = |filter: AwardFilter| {
        let store = store.clone();
        async move { store.list_awards(&filter).await.unwrap() }
    };
    let matching = |keep: &dyn Fn(&Award) -> bool| -> Vec<Award> {
        newest_first.iter().filter(|x| keep(x)).cloned().collect()
    };

    let (page, total) = list(AwardFilter {
        limit: 100,
        ..Default::default()
    })
    .await;
    assert_eq!((page, total), (newest_first.clone(), 7));

    let (page, total) = list(AwardFilter {
        limit: 3,
        offset: 2,
        ..Default::default()
    })
    .await;
    assert_eq!((page, total), (newest_first[2..5].to_vec(), 7));
    let (page, total) = list(AwardFilter {
        limit: 3,
        offset: 9,
        ..Default::default()
    })
    .await;
    assert_eq!((page, total), (vec![], 7));
    let (page, total) = list(AwardFilter {
        limit: 0,
        ..Default::default()
    })
    .await;
    assert_eq!((page, total), (vec![], 7));

    let filter = AwardFilter {
        achievement_id: Some(a.id),
        limit: 100,
        ..Default::default()
    };
    assert_eq!(
        list(filter).await,
        (matching(&|x| x.achievement_id == a.id), 3)
    );

    let filter = AwardFilter {
        issuer_id: Some(other_issuer.id),
        limit: 100,
        ..Default::default()
    };
    assert_eq!(
        list(filter).await,
        (matching(&|x| x.issuer_id == other_issuer.id), 2)
    );

    let email = "r1@example.org".to_string();
    let filter = AwardFilter {
        recipient_email: Some(email.clone()),
        limit: 1,
        ..Default::default()
    };
    let (page, total) = list(filter).await;
    assert_eq!(
        (page, total),
        (matching(&|x| x.recipient_email == email)[..1].to_vec(), 2)
    );

    // From is inclusive, until exclusive.
    let (from, until) = (all[2].issued_at, all[5].issued_at);
    let filter = AwardFilter {
        issued_from: Some(from),
        issued_until: Some(until),
        limit: 100,
        ..Default::default()
    };
    let expected = matching(&|x| x.issued_at >= from && x.issued_at < until);
    assert_eq!(expected.len(), 3);
    assert_eq!(list(filter).await, (expected, 3));

    let filter = AwardFilter {
        issuer_id: Some(issuer.id),
        achievement_id: Some(b.id),
        recipient_email: Some("r1@example.org".into()),
        issued_from: Some(start),
        limit: 100,
        ..Default::default()
    };
    assert_eq!(list(filter).await, (vec![all[1].clone()], 1));
}

pub async fn failed_batch_stores_nothing(db: &TestDb) {
    let store = db.open().await;
    let (issuer, achievement) = issuer_with_achievement(&*store).await;
    let good = award(&achievement, "good@example.org");
    let ghost = crate::support::achievement(issuer.id, "Never stored");
    let orphan = award(&ghost, "orphan@example.org");

    let err = store
        .insert_awards(vec![good.clone(), orphan], false)
        .await
        .unwrap_err();
    assert!(matches!(err, laurel_store::StoreError::NotFound), "{err:?}");
    assert!(store.award(good.id).await.is_err());
    // The store is usable afterwards and the good award can be stored on its own.
    let stored = store
        .insert_awards(vec![good.clone()], false)
        .await
        .unwrap();
    assert_eq!(stored, vec![Stored::Created(good)]);
}

/// Staff search awards by part of a recipient's email or name; `%` and `_` are plain text.
pub async fn search_by_part_of_email_or_name(db: &TestDb) {
    let store = db.open().await;
    let (_, achievement) = crate::support::issuer_with_achievement(&*store).await;
    let mut ada = award(&achievement, "ada.lovelace@example.org");
    ada.recipient_name = Some("Ada Lovelace".into());
    let mut grace = award(&achievement, "grace@navy.example");
    grace.recipient_name = Some("Grace Hopper".into());
    let mut odd = award(&achievement, "x_100%@example.org");
    odd.recipient_name = None;
    store
        .insert_awards(vec![ada.clone(), grace.clone(), odd.clone()], false)
        .await
        .unwrap();
    let search = |text: &str| {
        let store = store.clone();
        let text = text.to_string();
        async move {
            let (found, _) = store
                .list_awards(&AwardFilter {
                    recipient_contains: Some(text),
                    limit: 10,
                    ..AwardFilter::default()
                })
                .await
                .unwrap();
            let mut emails: Vec<String> = found.into_iter().map(|a| a.recipient_email).collect();
            emails.sort();
            emails
        }
    };
    assert_eq!(search("LOVELACE").await, ["ada.lovelace@example.org"]);
    assert_eq!(search("hopper").await, ["grace@navy.example"]);
    assert_eq!(search("example").await.len(), 3);
    assert_eq!(search("0%").await, ["x_100%@example.org"]);
    assert!(search("a%e").await.is_empty(), "% is not a wildcard");

    // An issuer manager sees only their issuers' awards.
    let (_, elsewhere) = crate::support::issuer_with_achievement(&*store).await;
    store
        .insert_awards(vec![award(&elsewhere, "ada.lovelace@example.org")], false)
        .await
        .unwrap();
    let scoped = |issuer_ids: Vec<uuid::Uuid>| {
        let store = store.clone();
        async move {
            store
                .list_awards(&AwardFilter {
                    issuer_ids,
                    limit: 10,
                    ..AwardFilter::default()
                })
                .await
                .unwrap()
                .1
        }
    };
    assert_eq!(scoped(vec![achievement.issuer_id]).await, 3);
    assert_eq!(scoped(vec![elsewhere.issuer_id]).await, 1);
    assert_eq!(
        scoped(vec![achievement.issuer_id, elsewhere.issuer_id]).await,
        4
    );
    assert_eq!(scoped(Vec::new()).await, 4, "empty: everyone's");
}
