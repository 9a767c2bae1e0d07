//! Races and load: two instances on one database, many writers, repeated migrations.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use chrono::Duration;
use laurel_store::{Attendance, Award, Image, Recorded, StatusChange, Stored};
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::cases::status::{REVOCATION, award_at, set_bits};
use crate::support::{
    TestDb, attendance, award, completion, issuer_with_achievement, issuer_with_event, now, token,
};

/// Sixteen tasks on two stores (two pools, as two instances would have) all award the same
/// fifty recipients, in different orders and batches: each recipient ends with exactly one
/// award, and every caller is told about that one.
pub async fn exactly_once_across_instances(db: &TestDb) {
    let stores = [db.open().await, db.open().await];
    let (_, achievement) = issuer_with_achievement(&*stores[0]).await;
    let emails: Vec<String> = (0..50).map(|i| format!("r{i}@example.org")).collect();

    let mut tasks = JoinSet::new();
    for task in 0..16 {
        let store = stores[task % 2].clone();
        let mut mine: Vec<Award> = emails.iter().map(|e| award(&achievement, e)).collect();
        mine.rotate_left(task * 7 % 50);
        if task % 3 == 0 {
            mine.reverse();
        }
        tasks.spawn(async move {
            let mut results = Vec::new();
            for batch in mine.chunks(10 + task) {
                results.extend(
                    store
                        .insert_awards(batch.to_vec(), false)
                        .await
                        .expect("insert_awards"),
                );
            }
            results
        });
    }
    let mut by_email: HashMap<String, Vec<Stored>> = HashMap::new();
    for results in tasks.join_all().await {
        for stored in results {
            by_email
                .entry(stored.award().recipient_email.clone())
                .or_default()
                .push(stored);
        }
    }

    let stored = stores[1].awards_for(achievement.id, &emails).await.unwrap();
    assert_eq!(stored.len(), 50);
    for kept in stored {
        let results = &by_email[&kept.recipient_email];
        assert_eq!(results.len(), 16);
        let created: Vec<_> = results
            .iter()
            .filter(|s| matches!(s, Stored::Created(_)))
            .collect();
        assert_eq!(created.len(), 1, "{}: {created:?}", kept.recipient_email);
        // Every caller saw the one stored award, credential text included.
        assert!(results.iter().all(|s| s.award() == &kept));
    }
}

/// Sixteen tasks on two stores, twenty write transactions each, plus reads: no write fails
/// with "database is locked" (on SQLite, `BEGIN IMMEDIATE` makes them queue).
pub async fn concurrent_writers_all_succeed(db: &TestDb) {
    let stores = [db.open().await, db.open().await];
    let (_, achievement) = issuer_with_achievement(&*stores[0]).await;

    let mut tasks = JoinSet::new();
    for task in 0..16 {
        let store = stores[task % 2].clone();
        let achievement = achievement.clone();
        tasks.spawn(async move {
            let mut errors = Vec::new();
            for write in 0..20 {
                let email = format!("t{task}w{write}@example.org");
                let done = match write % 4 {
                    0 => store
                        .setting_init(&format!("t{task}w{write}"), "x")
                        .await
                        .map(drop),
                    1 => {
                        let image = Image {
                            sha256: format!("{task:032x}{write:032x}"),
                            content_type: "image/png".into(),
                            bytes: vec![7; 1000],
                        };
                        store.put_image(&image).await
                    }
                    2 => store.create_token(&token(&email), &email).await,
                    _ => store
                        .insert_awards(vec![award(&achievement, &email)], false)
                        .await
                        .map(drop),
                };
                errors.extend(done.err());
                // A read between writes, as a busy server would do.
                errors.extend(store.awards_for(achievement.id, &[email]).await.err());
            }
            errors
        });
    }
    let errors: Vec<_> = tasks.join_all().await.into_iter().flatten().collect();
    assert!(errors.is_empty(), "{} failed: {errors:?}", errors.len());
    assert_eq!(stores[0].list_tokens().await.unwrap().len(), 16 * 5);
}

/// Instances racing at first start agree on a setting: the first writer wins.
pub async fn setting_init_race(db: &TestDb) {
    let stores = [db.open().await, db.open().await];
    let mut tasks = JoinSet::new();
    for task in 0..16 {
        let store = stores[task % 2].clone();
        tasks.spawn(async move { store.setting_init("instance", &format!("v{task}")).await });
    }
    let values: Vec<String> = tasks
        .join_all()
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let stored = stores[0].setting("instance").await.unwrap().unwrap();
    assert!(values.iter().all(|v| v == &stored), "{values:?}");
}

/// Reconnecting runs the migrations again, which must change nothing.
pub async fn migrations_run_twice(db: &TestDb) {
    let first = db.open().await;
    first.create_token(&token("kept"), "hash").await.unwrap();
    let second = db.open().await;
    assert_eq!(second.list_tokens().await.unwrap().len(), 1);
}

/// Instances starting at once on a new database: one migrates, the others find it done.
pub async fn simultaneous_first_start(db: &TestDb) {
    let (a, b, c) = tokio::join!(db.open(), db.open(), db.open());
    for store in [a, b, c] {
        store.ping().await.unwrap();
    }
}

/// The hot path of a bulk import: 10,000 awards of realistic size, in batches of 500.
pub async fn bulk_import_throughput(db: &TestDb) {
    let store = db.open().await;
    let (_, achievement) = issuer_with_achievement(&*store).await;
    let awards: Vec<Award> = (0..10_000)
        .map(|i| {
            let mut x = award(&achievement, &format!("learner{i}@example.org"));
            x.credential = format!("{}{}", x.credential, " ".repeat(3000));
            x.jwt = format!("{}{}", x.jwt, "a".repeat(2000));
            x
        })
        .collect();

    let started = Instant::now();
    for batch in awards.chunks(500) {
        let stored = store.insert_awards(batch.to_vec(), false).await.unwrap();
        assert!(stored.iter().all(|s| matches!(s, Stored::Created(_))));
    }
    let rate = awards.len() as f64 / started.elapsed().as_secs_f64();
    // Printed for people, never asserted: speed is measured by the benchmarks in `bench/`
    // against a same-run baseline, not by a timed test that fails on a busy machine.
    eprintln!("{}: {rate:.0} awards/s stored", db.url);
}

/// Eight tasks on two stores record attendance of the same fifty people at one event, each with
/// its own minutes and join times, in different orders and batches (some listing a person
/// twice): every call succeeds, each person is `New` exactly once, and the rows end with the
/// most minutes, the earliest join and the latest leave any task recorded.
pub async fn concurrent_attendance_keeps_max_minutes(db: &TestDb) {
    let stores = [db.open().await, db.open().await];
    let (_, event) = issuer_with_event(&*stores[0]).await;
    let emails: Vec<String> = (0..50).map(|i| format!("p{i}@example.org")).collect();
    let t0 = now() - Duration::hours(2);
    let record = |task: usize, i: usize| Attendance {
        first_join: Some(t0 + Duration::minutes(((task * 7 + i) % 13) as i64)),
        last_leave: Some(t0 + Duration::minutes(60 + ((task * 5 + i) % 17) as i64)),
        ..attendance(event.id, &emails[i], ((task * 31 + i * 17) % 97) as u32)
    };

    let mut tasks = JoinSet::new();
    for task in 0..8 {
        let store = stores[task % 2].clone();
        let mut mine: Vec<Attendance> = (0..50).map(|i| record(task, i)).collect();
        mine.rotate_left(task * 7 % 50);
        if task % 3 == 0 {
            mine.reverse();
        }
        // A person listed twice in one call.
        mine.push(mine[task].clone());
        tasks.spawn(async move {
            let mut results = Vec::new();
            for batch in mine.chunks(7 + task) {
                let outcomes = store.record_attendance(batch).await?;
                results.extend(
                    batch
                        .iter()
                        .map(|a| a.recipient_email.clone())
                        .zip(outcomes),
                );
            }
            Ok::<_, laurel_store::StoreError>(results)
        });
    }
    let mut new: HashMap<String, usize> = HashMap::new();
    for results in tasks.join_all().await {
        for (email, outcome) in results.expect("record_attendance") {
            *new.entry(email).or_default() += usize::from(outcome == Recorded::New);
        }
    }
    assert!(new.values().all(|&n| n == 1), "{new:?}");

    let rows = stores[1].attendance_of(&[event.id]).await.unwrap();
    assert_eq!(rows.len(), 50);
    for row in rows {
        let i = emails
            .iter()
            .position(|e| *e == row.recipient_email)
            .unwrap();
        let all: Vec<Attendance> = (0..8).map(|task| record(task, i)).collect();
        assert_eq!(row.minutes, all.iter().map(|a| a.minutes).max().unwrap());
        assert_eq!(
            row.first_join,
            all.iter().filter_map(|a| a.first_join).min()
        );
        assert_eq!(
            row.last_leave,
            all.iter().filter_map(|a| a.last_leave).max()
        );
    }
}

/// Eight tasks on two stores record the same completions: each is `New` exactly once.
pub async fn concurrent_completions_exactly_once(db: &TestDb) {
    let stores = [db.open().await, db.open().await];
    let (issuer, _) = issuer_with_event(&*stores[0]).await;
    let emails: Vec<String> = (0..40).map(|i| format!("c{i}@example.org")).collect();

    let mut tasks = JoinSet::new();
    for task in 0..8 {
        let store = stores[task % 2].clone();
        let mut mine: Vec<_> = emails
            .iter()
            .map(|e| completion(issuer.id, "course", e))
            .collect();
        mine.rotate_left(task * 11 % 40);
        if task % 2 == 0 {
            mine.reverse();
        }
        tasks.spawn(async move {
            let mut new = Vec::new();
            for batch in mine.chunks(5 + task) {
                let outcomes = store.record_completions(batch).await?;
                for (c, outcome) in batch.iter().zip(outcomes) {
                    if outcome == Recorded::New {
                        new.push(c.clone());
                    }
                }
            }
            Ok::<_, laurel_store::StoreError>(new)
        });
    }
    let mut new: Vec<_> = Vec::new();
    for results in tasks.join_all().await {
        new.extend(results.expect("record_completions"));
    }
    new.sort_by_key(|c| c.recipient_email.clone());
    let mut stored = stores[1].completions(issuer.id, None).await.unwrap();
    stored.sort_by_key(|c| c.recipient_email.clone());
    // The one each caller was told is new is the one stored.
    assert_eq!(new, stored);
    assert_eq!(stored.len(), 40);
}

/// The store's part of an attendance import: 10,000 records in one call, new, then the same
/// again (all unchanged), then each with more minutes (all updated).
pub async fn bulk_attendance_throughput(db: &TestDb) {
    let store = db.open().await;
    let (_, event) = issuer_with_event(&*store).await;
    let t0 = now() - Duration::hours(2);
    let records: Vec<Attendance> = (0..10_000)
        .map(|i| Attendance {
            recipient_name: Some(format!("Learner {i}")),
            first_join: Some(t0 + Duration::seconds(i)),
            last_leave: Some(t0 + Duration::minutes(90)),
            source: "import:zoom".into(),
            ..attendance(event.id, &format!("learner{i}@example.org"), 60)
        })
        .collect();
    let more: Vec<Attendance> = records
        .iter()
        .map(|a| Attendance {
            minutes: a.minutes + 1,
            ..a.clone()
        })
        .collect();

    let mut times = Vec::new();
    for (batch, expected) in [
        (&records, Recorded::New),
        (&records, Recorded::Unchanged),
        (&more, Recorded::Updated),
    ] {
        let started = Instant::now();
        let outcomes = store.record_attendance(batch).await.unwrap();
        times.push(started.elapsed());
        assert!(outcomes.iter().all(|o| *o == expected), "{expected:?}");
    }
    eprintln!(
        "{}: 10,000 attendance records new, unchanged, updated: {times:?}",
        db.url
    );
    assert_eq!(
        store.attendance_of(&[event.id]).await.unwrap().len(),
        10_000
    );
}

/// Eight tasks on two stores hand out positions on one issuer's lists at once, in calls of
/// different sizes, some spanning lists: no position is handed out twice, and every list's
/// `allocated` is exactly the positions handed out on it.
pub async fn concurrent_allocation_never_repeats(db: &TestDb) {
    let stores = [db.open().await, db.open().await];
    let (issuer, _) = issuer_with_achievement(&*stores[0]).await;

    let mut tasks = JoinSet::new();
    for task in 0..8u32 {
        let store = stores[task as usize % 2].clone();
        tasks.spawn(async move {
            let mut handed = Vec::new();
            for call in 0..12u32 {
                let count = 1 + (task * 5 + call * 3) % 9;
                handed.extend(
                    store
                        .allocate_status(issuer.id, REVOCATION, count, 50, now())
                        .await?,
                );
            }
            Ok::<_, laurel_store::StoreError>(handed)
        });
    }
    let mut by_list: HashMap<Uuid, Vec<u32>> = HashMap::new();
    let mut total = 0;
    for handed in tasks.join_all().await {
        for a in handed.expect("allocate_status") {
            assert_eq!(a.size, 50);
            by_list.entry(a.list_id).or_default().push(a.position);
            total += 1;
        }
    }
    let lists = stores[1].status_lists(Some(issuer.id)).await.unwrap();
    assert_eq!(lists.len(), by_list.len());
    for list in lists {
        let mut positions = by_list.remove(&list.id).unwrap();
        positions.sort_unstable();
        let expected: Vec<u32> = (0..list.allocated).collect();
        assert_eq!(positions, expected, "list {}", list.id);
    }
    eprintln!("{}: {total} positions handed out", db.url);
}

/// Eight tasks on two stores revoke disjoint awards of one list at once, in calls of one to
/// three awards: every bit ends set, and the list's version counts every call.
pub async fn concurrent_revocations_keep_every_bit(db: &TestDb) {
    let stores = [db.open().await, db.open().await];
    let (issuer, achievement) = issuer_with_achievement(&*stores[0]).await;
    let handed = stores[0]
        .allocate_status(issuer.id, REVOCATION, 200, 256, now())
        .await
        .unwrap();
    let list_id = handed[0].list_id;
    let awards: Vec<Award> = (0..200)
        .map(|i| award_at(&achievement, &format!("r{i}@example.org"), list_id, i))
        .collect();
    stores[0]
        .insert_awards(awards.clone(), false)
        .await
        .unwrap();

    let mut tasks = JoinSet::new();
    for task in 0..8usize {
        let store = stores[task % 2].clone();
        let mine: Vec<Uuid> = awards.iter().skip(task).step_by(8).map(|a| a.id).collect();
        tasks.spawn(async move {
            let mut calls = 0;
            for batch in mine.chunks(1 + task % 3) {
                let outcomes = store.revoke_awards(batch, "race", now()).await?;
                assert!(
                    outcomes
                        .iter()
                        .all(|o| matches!(o, StatusChange::Changed(_)))
                );
                calls += 1;
            }
            Ok::<_, laurel_store::StoreError>(calls)
        });
    }
    let mut calls = 0;
    for done in tasks.join_all().await {
        calls += done.expect("revoke_awards");
    }

    let list = stores[1].status_list(list_id).await.unwrap();
    assert_eq!(set_bits(&list.bits), (0..200).collect::<Vec<u32>>());
    assert_eq!(list.version, 1 + calls);
    let ids: Vec<Uuid> = awards.iter().map(|a| a.id).collect();
    let again = stores[1].revoke_awards(&ids, "again", now()).await.unwrap();
    assert!(again.iter().all(|o| matches!(o, StatusChange::Unchanged(a)
        if a.revocation_reason.as_deref() == Some("race"))));
}

/// Revoking 10,000 awards in one call (a course withdrawn), then again (all unchanged).
pub async fn bulk_revoke_throughput(db: &TestDb) {
    let store = db.open().await;
    let (issuer, achievement) = issuer_with_achievement(&*store).await;
    let handed = store
        .allocate_status(issuer.id, REVOCATION, 10_000, 131_072, now())
        .await
        .unwrap();
    assert_eq!(handed.len(), 10_000);
    let list_id = handed[0].list_id;
    let awards: Vec<Award> = handed
        .iter()
        .enumerate()
        // Spread over the list, as shuffled indexes would be.
        .map(|(i, a)| {
            let index = (a.position * 13) % 131_072;
            award_at(
                &achievement,
                &format!("learner{i}@example.org"),
                list_id,
                index,
            )
        })
        .collect();
    for batch in awards.chunks(1000) {
        store.insert_awards(batch.to_vec(), false).await.unwrap();
    }
    let ids: Vec<Uuid> = awards.iter().map(|a| a.id).collect();

    let mut times = Vec::new();
    for changed in [true, false] {
        let started = Instant::now();
        let outcomes = store
            .revoke_awards(&ids, "Course withdrawn", now())
            .await
            .unwrap();
        times.push(started.elapsed());
        assert_eq!(outcomes.len(), 10_000);
        assert!(outcomes.iter().zip(&ids).all(|(o, id)| match o {
            StatusChange::Changed(a) => changed && a.id == *id,
            StatusChange::Unchanged(a) => !changed && a.id == *id,
            StatusChange::Missing(_) => false,
        }));
    }
    eprintln!("{}: 10,000 revocations, then none: {times:?}", db.url);
    let list = store.status_list(list_id).await.unwrap();
    let expected: HashSet<u32> = awards
        .iter()
        .filter_map(|a| a.status)
        .map(|s| s.index)
        .collect();
    assert_eq!(
        set_bits(&list.bits).into_iter().collect::<HashSet<_>>(),
        expected
    );
    assert_eq!(list.version, 2);
}
