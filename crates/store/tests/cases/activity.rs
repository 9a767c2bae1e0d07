//! Series, events, attendance, completions, import jobs, and achievements' award rules.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use laurel_store::{
    Achievement, Attendance, EventFilter, EventFormat, ImportJob, ImportStatus, Recorded, Series,
    StoreError,
};
use uuid::Uuid;

use crate::support::{
    TestDb, achievement, attendance, completion, event, import_job, issuer, issuer_with_event, now,
    series,
};

use Recorded::{New, Unchanged, Updated};

/// A time with nanoseconds, which both databases cut to microseconds.
fn fine(at: DateTime<Utc>) -> DateTime<Utc> {
    at + Duration::nanoseconds(789)
}

/// What the database keeps of a time.
fn cut(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

pub async fn series_round_trip(db: &TestDb) {
    let store = db.open().await;
    let (one, two) = (issuer("One"), issuer("Two"));
    store.create_issuer(&one, &[]).await.unwrap();
    store.create_issuer(&two, &[]).await.unwrap();
    let a = series(one.id, "A");
    let b = Series {
        description: None,
        ..series(two.id, "B")
    };
    let mut c = series(one.id, "C");
    c.created_at = fine(c.created_at);
    for s in [&a, &b, &c] {
        store.create_series(s).await.unwrap();
    }
    let c = Series {
        created_at: cut(c.created_at),
        ..c
    };

    assert_eq!(store.series(a.id).await.unwrap(), a);
    assert_eq!(store.series(b.id).await.unwrap(), b);
    assert_eq!(store.series(c.id).await.unwrap(), c);
    assert_eq!(
        store.list_series(None).await.unwrap(),
        vec![a.clone(), b.clone(), c.clone()]
    );
    assert_eq!(
        store.list_series(Some(one.id)).await.unwrap(),
        vec![a.clone(), c.clone()]
    );
    assert_eq!(
        store.list_series(Some(Uuid::new_v4())).await.unwrap(),
        vec![]
    );

    let edited = Series {
        title: "A, edited".into(),
        description: None,
        updated_at: now() + Duration::hours(1),
        // Neither the issuer nor the creation time can change.
        issuer_id: two.id,
        created_at: now() + Duration::days(1),
        ..a.clone()
    };
    store.update_series(&edited).await.unwrap();
    assert_eq!(
        store.series(a.id).await.unwrap(),
        Series {
            issuer_id: a.issuer_id,
            created_at: a.created_at,
            ..edited
        }
    );
}

pub async fn event_round_trip(db: &TestDb) {
    let store = db.open().await;
    let (one, two) = (issuer("One"), issuer("Two"));
    store.create_issuer(&one, &[]).await.unwrap();
    store.create_issuer(&two, &[]).await.unwrap();
    let (s1, s2, other) = (
        series(one.id, "S1"),
        series(one.id, "S2"),
        series(two.id, "X"),
    );
    for s in [&s1, &s2, &other] {
        store.create_series(s).await.unwrap();
    }

    // Created out of start order; two start at the same time, so the id breaks the tie.
    let start = now() - Duration::days(10);
    let late = event(one.id, Some(s1.id), start + Duration::days(2));
    let mut early = event(one.id, Some(s1.id), fine(start));
    early.format = EventFormat::InPerson;
    early.duration_minutes = u32::MAX;
    let alone = event(one.id, None, start + Duration::days(1));
    let tied = event(one.id, Some(s2.id), start + Duration::days(1));
    let elsewhere = event(two.id, Some(other.id), start + Duration::days(3));
    for e in [&late, &early, &alone, &tied, &elsewhere] {
        store.create_event(e).await.unwrap();
    }
    let early = laurel_store::Event {
        starts_at: cut(early.starts_at),
        ..early
    };

    assert_eq!(store.event(early.id).await.unwrap(), early);
    assert_eq!(store.event(alone.id).await.unwrap(), alone);
    let list = |filter: EventFilter| {
        let store = store.clone();
        async move { store.list_events(&filter).await.unwrap() }
    };
    let all = vec![
        early.clone(),
        alone.clone(),
        tied.clone(),
        late.clone(),
        elsewhere.clone(),
    ];
    assert_eq!(list(EventFilter::default()).await, all);
    assert_eq!(
        list(EventFilter {
            issuer_id: Some(one.id),
            series_id: None,
        })
        .await,
        all[..4].to_vec()
    );
    assert_eq!(
        list(EventFilter {
            issuer_id: None,
            series_id: Some(s1.id),
        })
        .await,
        vec![early.clone(), late.clone()]
    );
    assert_eq!(
        list(EventFilter {
            issuer_id: Some(two.id),
            series_id: Some(s1.id),
        })
        .await,
        vec![]
    );

    // Editable: series, title, start, length, format. Not the issuer or creation time.
    let edited = laurel_store::Event {
        series_id: Some(s2.id),
        title: "Cataloguing, advanced".into(),
        starts_at: start + Duration::days(5),
        duration_minutes: 45,
        format: EventFormat::InPerson,
        updated_at: now(),
        issuer_id: two.id,
        created_at: now() + Duration::days(1),
        ..alone.clone()
    };
    store.update_event(&edited).await.unwrap();
    let expected = laurel_store::Event {
        issuer_id: alone.issuer_id,
        created_at: alone.created_at,
        ..edited.clone()
    };
    assert_eq!(store.event(alone.id).await.unwrap(), expected);
    let out_of_series = laurel_store::Event {
        series_id: None,
        ..expected.clone()
    };
    store.update_event(&out_of_series).await.unwrap();
    assert_eq!(store.event(alone.id).await.unwrap(), out_of_series);

    // A series that does not exist, or belongs to another issuer, is not found; nothing
    // changes.
    for series_id in [Uuid::new_v4(), other.id] {
        let moved = laurel_store::Event {
            series_id: Some(series_id),
            ..out_of_series.clone()
        };
        let err = store.update_event(&moved).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err:?}");
        let err = store
            .create_event(&event(one.id, Some(series_id), now()))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err:?}");
    }
    assert_eq!(store.event(alone.id).await.unwrap(), out_of_series);
    assert_eq!(list(EventFilter::default()).await.len(), 5);
}

pub async fn activity_not_found_is_mapped(db: &TestDb) {
    let store = db.open().await;
    let (real, kept) = issuer_with_event(&*store).await;
    let ghost = issuer("Ghost");
    let orphan_series = series(ghost.id, "Orphan");
    let orphan_event = event(ghost.id, None, now());
    let orphan_job = import_job(orphan_event.id);

    let errors = [
        store.series(orphan_series.id).await.err(),
        store.create_series(&orphan_series).await.err(),
        store.update_series(&orphan_series).await.err(),
        store.event(orphan_event.id).await.err(),
        store.create_event(&orphan_event).await.err(),
        store
            .create_event(&event(real.id, Some(orphan_series.id), now()))
            .await
            .err(),
        store.update_event(&orphan_event).await.err(),
        store.import(orphan_job.id).await.err(),
        store.create_import(&orphan_job).await.err(),
        store.update_import(&orphan_job).await.err(),
        // One good record and one for an unknown event: nothing is stored.
        store
            .record_attendance(&[
                attendance(kept.id, "a@example.org", 10),
                attendance(orphan_event.id, "b@example.org", 10),
            ])
            .await
            .err(),
        store
            .record_completions(&[
                completion(real.id, "course", "a@example.org"),
                completion(ghost.id, "course", "b@example.org"),
            ])
            .await
            .err(),
    ];
    for (i, err) in errors.into_iter().enumerate() {
        assert!(
            matches!(err, Some(StoreError::NotFound)),
            "call {i}: {err:?}"
        );
    }
    assert_eq!(store.list_series(None).await.unwrap(), vec![]);
    assert_eq!(
        store.list_events(&EventFilter::default()).await.unwrap(),
        vec![kept.clone()]
    );
    assert_eq!(store.list_imports(None, 10).await.unwrap(), vec![]);
    assert_eq!(store.attendance_of(&[kept.id]).await.unwrap(), vec![]);
    assert_eq!(store.completions(real.id, None).await.unwrap(), vec![]);

    // The store is usable afterwards, and the good records can be stored on their own.
    let good = attendance(kept.id, "a@example.org", 10);
    assert_eq!(
        store
            .record_attendance(std::slice::from_ref(&good))
            .await
            .unwrap(),
        vec![New]
    );
    assert_eq!(store.attendance_of(&[kept.id]).await.unwrap(), vec![good]);
}

pub async fn attendance_of_one_recipient(db: &TestDb) {
    let store = db.open().await;
    let (issuer, later) = issuer_with_event(&*store).await;
    let earlier = event(issuer.id, None, later.starts_at - Duration::days(7));
    let other = event(issuer.id, None, later.starts_at + Duration::days(7));
    for event in [&earlier, &other] {
        store.create_event(event).await.unwrap();
    }
    let records = vec![
        attendance(later.id, "ada@example.org", 40),
        attendance(other.id, "bob@example.org", 50),
        attendance(earlier.id, "ada@example.org", 0),
        attendance(later.id, "ada.l@example.org", 10),
    ];
    store.record_attendance(&records).await.unwrap();
    let ada = store
        .attendance_of_recipient("ada@example.org")
        .await
        .unwrap();
    let sessions: Vec<(Uuid, u32)> = ada.iter().map(|a| (a.event_id, a.minutes)).collect();
    assert_eq!(
        sessions,
        [(earlier.id, 0), (later.id, 40)],
        "one person's sessions, earliest first"
    );
    assert!(
        store
            .attendance_of_recipient("nobody@example.org")
            .await
            .unwrap()
            .is_empty()
    );
}

/// A role recorded with attendance is kept, replaced by a record giving another, and left by a
/// record giving none.
pub async fn attendance_roles(db: &TestDb) {
    let store = db.open().await;
    let (_, event) = issuer_with_event(&*store).await;
    let presenter = Attendance {
        role: Some("Presenter".into()),
        recorded_at: fine(now()),
        ..attendance(event.id, "ada@example.org", 60)
    };
    let participant = Attendance {
        recorded_at: fine(now()),
        ..attendance(event.id, "bob@example.org", 30)
    };
    assert_eq!(
        store
            .record_attendance(&[presenter.clone(), participant.clone()])
            .await
            .unwrap(),
        vec![New, New]
    );
    let role_of = |rows: &[Attendance], email: &str| {
        rows.iter()
            .find(|a| a.recipient_email == email)
            .and_then(|a| a.role.clone())
    };
    let rows = store.attendance_of(&[event.id]).await.unwrap();
    assert_eq!(
        role_of(&rows, "ada@example.org").as_deref(),
        Some("Presenter")
    );
    assert_eq!(role_of(&rows, "bob@example.org"), None);

    // Without a role: nothing changes. With another: it replaces the stored one.
    let no_role = Attendance {
        role: None,
        ..presenter.clone()
    };
    let mentor = Attendance {
        role: Some("Mentor".into()),
        ..participant.clone()
    };
    assert_eq!(
        store.record_attendance(&[no_role, mentor]).await.unwrap(),
        vec![Unchanged, Updated]
    );
    let rows = store.attendance_of(&[event.id]).await.unwrap();
    assert_eq!(
        role_of(&rows, "ada@example.org").as_deref(),
        Some("Presenter")
    );
    assert_eq!(role_of(&rows, "bob@example.org").as_deref(), Some("Mentor"));
    let ada = store
        .attendance_of_recipient("ada@example.org")
        .await
        .unwrap();
    assert_eq!(ada[0].role.as_deref(), Some("Presenter"));
}

pub async fn attendance_merges(db: &TestDb) {
    let store = db.open().await;
    let (issuer, first) = issuer_with_event(&*store).await;
    let second = event(issuer.id, None, now());
    store.create_event(&second).await.unwrap();
    let t0 = now() - Duration::hours(3);
    let at = |minutes: i64| fine(t0 + Duration::minutes(minutes));

    let ada = Attendance {
        recipient_name: Some("Ada".into()),
        first_join: Some(at(5)),
        last_leave: Some(at(65)),
        source: "import:zoom".into(),
        ..attendance(first.id, "ada@example.org", 60)
    };
    let bob = attendance(first.id, "bob@example.org", 30);
    // Ada rejoined: an earlier join, fewer minutes, another name, another source.
    let ada_again = Attendance {
        recipient_name: Some("Ada L.".into()),
        minutes: 45,
        first_join: Some(at(2)),
        last_leave: None,
        source: "api".into(),
        recorded_at: now() + Duration::hours(1),
        ..ada.clone()
    };
    let batch = vec![
        ada.clone(),
        bob.clone(),
        ada_again.clone(),
        ada_again.clone(),
    ];
    assert_eq!(
        store.record_attendance(&batch).await.unwrap(),
        vec![New, New, Updated, Unchanged]
    );
    let ada_row = Attendance {
        first_join: Some(cut(at(2))),
        last_leave: Some(cut(at(65))),
        ..ada.clone()
    };
    assert_eq!(
        store.attendance_of(&[first.id]).await.unwrap(),
        vec![ada_row.clone(), bob.clone()]
    );

    // The same batch again changes nothing: nanoseconds included, it is what is stored.
    assert_eq!(
        store.record_attendance(&batch).await.unwrap(),
        vec![Unchanged; 4]
    );

    // Bob gains a name (his minutes stay: 20 < 30; his source stays); Ada more minutes, then a
    // record that says less than the one before it in the same call; Carol is new; Ada at the
    // second event is a row of her own.
    let bob_named = Attendance {
        recipient_name: Some("Bob".into()),
        minutes: 20,
        source: "cli:plain".into(),
        ..bob.clone()
    };
    let ada_more = Attendance {
        minutes: 90,
        recipient_name: None,
        first_join: None,
        last_leave: Some(at(95)),
        ..attendance(first.id, "ada@example.org", 0)
    };
    let ada_less = attendance(first.id, "ada@example.org", 80);
    let carol = attendance(first.id, "carol@example.org", 5);
    let ada_elsewhere = attendance(second.id, "ada@example.org", 50);
    let outcomes = store
        .record_attendance(&[
            bob_named.clone(),
            ada_more,
            ada_less,
            carol.clone(),
            ada_elsewhere.clone(),
            bob.clone(),
        ])
        .await
        .unwrap();
    assert_eq!(
        outcomes,
        vec![Updated, Updated, Unchanged, New, New, Unchanged]
    );
    let ada_row = Attendance {
        minutes: 90,
        last_leave: Some(cut(at(95))),
        ..ada_row
    };
    let bob_row = Attendance {
        recipient_name: Some("Bob".into()),
        ..bob.clone()
    };
    assert_eq!(
        store.attendance_of(&[first.id]).await.unwrap(),
        vec![ada_row.clone(), bob_row.clone(), carol.clone()]
    );

    // Listing is by event, then email, whichever events are asked for; emails sort bytewise
    // on both backends.
    let odd: Vec<Attendance> = [
        "a.b@example.org",
        "a_b@example.org",
        "ab@example.org",
        "a-b@x",
    ]
    .into_iter()
    .map(|email| attendance(second.id, email, 1))
    .collect();
    assert_eq!(store.record_attendance(&odd).await.unwrap(), vec![New; 4]);
    let mut expected = vec![ada_row, bob_row, carol, ada_elsewhere];
    expected.extend(odd);
    expected
        .sort_by(|a, b| (a.event_id, &a.recipient_email).cmp(&(b.event_id, &b.recipient_email)));
    assert_eq!(
        store.attendance_of(&[second.id, first.id]).await.unwrap(),
        expected
    );
    assert_eq!(
        store
            .attendance_of(&[Uuid::new_v4(), first.id])
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(store.attendance_of(&[]).await.unwrap(), vec![]);
    assert_eq!(store.record_attendance(&[]).await.unwrap(), vec![]);
}

/// Every way a record can change a stored row, and a record listed twice after a row existed.
pub async fn attendance_outcomes_against_stored_rows(db: &TestDb) {
    let store = db.open().await;
    let (_, e) = issuer_with_event(&*store).await;
    let t0 = now() - Duration::hours(1);
    let stored = Attendance {
        recipient_name: None,
        first_join: Some(t0 + Duration::minutes(10)),
        last_leave: Some(t0 + Duration::minutes(40)),
        ..attendance(e.id, "x@example.org", 30)
    };
    store
        .record_attendance(std::slice::from_ref(&stored))
        .await
        .unwrap();

    let with = |f: &dyn Fn(&mut Attendance)| {
        let mut r = attendance(e.id, "x@example.org", 0);
        f(&mut r);
        r
    };
    // Each alone: (record, outcome).
    let cases = [
        (with(&|_| ()), Unchanged),
        (with(&|r| r.minutes = 30), Unchanged),
        (with(&|r| r.minutes = 31), Updated),
        (
            with(&|r| r.first_join = Some(t0 + Duration::minutes(10))),
            Unchanged,
        ),
        (
            with(&|r| r.first_join = Some(t0 + Duration::minutes(11))),
            Unchanged,
        ),
        (
            with(&|r| r.first_join = Some(t0 + Duration::minutes(9))),
            Updated,
        ),
        (
            with(&|r| r.last_leave = Some(t0 + Duration::minutes(39))),
            Unchanged,
        ),
        (
            with(&|r| r.last_leave = Some(t0 + Duration::minutes(41))),
            Updated,
        ),
        (with(&|r| r.recipient_name = Some("X".into())), Updated),
    ];
    for (i, (record, outcome)) in cases.into_iter().enumerate() {
        let handle = store.clone();
        let before = handle.attendance_of(&[e.id]).await.unwrap();
        let got = handle
            .record_attendance(std::slice::from_ref(&record))
            .await
            .unwrap();
        assert_eq!(got, vec![outcome], "case {i}: {record:?}");
        let after = handle.attendance_of(&[e.id]).await.unwrap();
        assert_eq!(after.len(), 1);
        assert_eq!(outcome == Unchanged, before == after, "case {i}");
        // The first source and recording time stay.
        assert_eq!(after[0].source, stored.source);
        assert_eq!(after[0].recorded_at, stored.recorded_at);
    }

    // A row that already says more than both of two records for it in one call: both are
    // unchanged, even though the second says more than the first.
    let row = store.attendance_of(&[e.id]).await.unwrap().remove(0);
    assert_eq!(
        (row.minutes, row.recipient_name.as_deref()),
        (31, Some("X"))
    );
    let outcomes = store
        .record_attendance(&[
            attendance(e.id, "x@example.org", 20),
            attendance(e.id, "x@example.org", 25),
            attendance(e.id, "x@example.org", 40),
            attendance(e.id, "x@example.org", 35),
        ])
        .await
        .unwrap();
    assert_eq!(outcomes, vec![Unchanged, Unchanged, Updated, Unchanged]);
    assert_eq!(store.attendance_of(&[e.id]).await.unwrap()[0].minutes, 40);
}

pub async fn completions_insert_if_absent(db: &TestDb) {
    let store = db.open().await;
    let (one, other) = (issuer("One"), issuer("Other"));
    store.create_issuer(&one, &[]).await.unwrap();
    store.create_issuer(&other, &[]).await.unwrap();

    let t0 = now() - Duration::days(3);
    let mut ada_b = completion(one.id, "course-b", "ada@example.org");
    ada_b.completed_at = fine(t0);
    ada_b.recorded_at = fine(ada_b.recorded_at);
    let mut bob_a = completion(one.id, "course-a", "bob@example.org");
    bob_a.completed_at = t0 + Duration::hours(2);
    bob_a.recipient_name = None;
    bob_a.score = None;
    bob_a.evidence = None;
    bob_a.role = None;
    let mut ada_a = completion(one.id, "course-a", "ada@example.org");
    ada_a.completed_at = t0 + Duration::hours(1);
    // The same completion again in the same call, with another id and score: the first stays.
    let mut ada_a_again = completion(one.id, "course-a", "ada@example.org");
    ada_a_again.score = Some("pass".into());
    let elsewhere = completion(other.id, "course-a", "ada@example.org");

    let batch = vec![
        ada_b.clone(),
        bob_a.clone(),
        ada_a.clone(),
        ada_a_again.clone(),
        elsewhere.clone(),
    ];
    assert_eq!(
        store.record_completions(&batch).await.unwrap(),
        vec![New, New, New, Unchanged, New]
    );
    let ada_b = laurel_store::Completion {
        completed_at: cut(ada_b.completed_at),
        recorded_at: cut(ada_b.recorded_at),
        ..ada_b
    };
    // By what, then completion time.
    assert_eq!(
        store.completions(one.id, None).await.unwrap(),
        vec![ada_a.clone(), bob_a.clone(), ada_b.clone()]
    );
    assert_eq!(
        store.completions(one.id, Some("course-a")).await.unwrap(),
        vec![ada_a.clone(), bob_a.clone()]
    );
    assert_eq!(
        store.completions(one.id, Some("course-c")).await.unwrap(),
        vec![]
    );
    assert_eq!(
        store.completions(other.id, None).await.unwrap(),
        vec![elsewhere]
    );

    // Recording again, with new ids, changes nothing.
    let again: Vec<_> = batch
        .iter()
        .map(|c| laurel_store::Completion {
            id: Uuid::now_v7(),
            score: Some("100".into()),
            ..c.clone()
        })
        .collect();
    assert_eq!(
        store.record_completions(&again).await.unwrap(),
        vec![Unchanged; 5]
    );
    assert_eq!(
        store.completions(one.id, None).await.unwrap(),
        vec![ada_a, bob_a, ada_b]
    );
    assert_eq!(store.record_completions(&[]).await.unwrap(), vec![]);
}

pub async fn import_jobs_round_trip(db: &TestDb) {
    let store = db.open().await;
    let (issuer, first) = issuer_with_event(&*store).await;
    let second = event(issuer.id, None, now());
    store.create_event(&second).await.unwrap();

    // Created an hour apart, oldest first; the last two at the same time, so the id breaks the
    // tie.
    let start = now() - Duration::hours(5);
    let mut jobs: Vec<ImportJob> = [first.id, second.id, first.id, second.id]
        .into_iter()
        .enumerate()
        .map(|(i, event_id)| ImportJob {
            created_at: start + Duration::hours(i as i64),
            updated_at: start + Duration::hours(i as i64),
            ..import_job(event_id)
        })
        .collect();
    jobs[3].created_at = jobs[2].created_at;
    jobs[1].dry_run = true;
    jobs[1].file_name = None;
    jobs[2].created_at = fine(jobs[2].created_at);
    jobs[3].created_at = jobs[2].created_at;
    for job in &jobs {
        store.create_import(job).await.unwrap();
    }
    for job in &mut jobs {
        job.created_at = cut(job.created_at);
    }
    assert_eq!(store.import(jobs[1].id).await.unwrap(), jobs[1]);

    // Progress, then the end: all but the event, dry run, file name and creation time change.
    let result = format!(
        r#"{{"summary":{{"new":3}},"lines":[{}]}}"#,
        "{}".repeat(10_000)
    );
    let finished = ImportJob {
        status: ImportStatus::Succeeded,
        total_rows: u32::MAX,
        processed_rows: 12,
        result: Some(result),
        error: Some("line 7: no email".into()),
        updated_at: now(),
        finished_at: Some(fine(now())),
        event_id: second.id,
        dry_run: true,
        file_name: Some("other.csv".into()),
        created_at: now(),
        ..jobs[0].clone()
    };
    store.update_import(&finished).await.unwrap();
    jobs[0] = ImportJob {
        event_id: jobs[0].event_id,
        dry_run: jobs[0].dry_run,
        file_name: jobs[0].file_name.clone(),
        created_at: jobs[0].created_at,
        finished_at: finished.finished_at.map(cut),
        ..finished
    };
    assert_eq!(store.import(jobs[0].id).await.unwrap(), jobs[0]);

    // Listings leave the result out, newest first.
    let listed = |indexes: &[usize]| -> Vec<ImportJob> {
        indexes
            .iter()
            .map(|&i| ImportJob {
                result: None,
                ..jobs[i].clone()
            })
            .collect()
    };
    let (newer, older) = match jobs[2].id > jobs[3].id {
        true => (2, 3),
        false => (3, 2),
    };
    assert_eq!(
        store.list_imports(None, 10).await.unwrap(),
        listed(&[newer, older, 1, 0])
    );
    assert_eq!(
        store.list_imports(None, 2).await.unwrap(),
        listed(&[newer, older])
    );
    assert_eq!(store.list_imports(None, 0).await.unwrap(), vec![]);
    assert_eq!(
        store.list_imports(Some(first.id), 10).await.unwrap(),
        listed(&[2, 0])
    );
    assert_eq!(
        store.list_imports(Some(second.id), 1).await.unwrap(),
        listed(&[3])
    );
    assert_eq!(
        store.list_imports(Some(Uuid::new_v4()), 10).await.unwrap(),
        vec![]
    );
}

pub async fn award_rules_round_trip(db: &TestDb) {
    let store = db.open().await;
    let one = issuer("One");
    store.create_issuer(&one, &[]).await.unwrap();
    let none = achievement(one.id, "No rules");
    let ruled = Achievement {
        award_rules: r#"[{"kind":"participation","minutes":45}]"#.into(),
        ..achievement(one.id, "Participation")
    };
    store.create_achievement(&none).await.unwrap();
    store.create_achievement(&ruled).await.unwrap();
    assert_eq!(store.achievement(none.id).await.unwrap().award_rules, "[]");
    assert_eq!(store.achievement(ruled.id).await.unwrap(), ruled);
    assert_eq!(
        store.list_achievements(Some(one.id)).await.unwrap(),
        vec![none.clone(), ruled.clone()]
    );

    let edited = Achievement {
        award_rules: r#"[{"kind":"series","series_id":"x"},{"kind":"completion"}]"#.into(),
        updated_at: now(),
        ..ruled.clone()
    };
    store.update_achievement(&edited).await.unwrap();
    assert_eq!(store.achievement(ruled.id).await.unwrap(), edited);
    let cleared = Achievement {
        award_rules: "[]".into(),
        ..edited
    };
    store.update_achievement(&cleared).await.unwrap();
    assert_eq!(store.achievement(ruled.id).await.unwrap(), cleared);
}
