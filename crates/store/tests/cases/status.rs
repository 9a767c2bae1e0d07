//! Status lists, revocation and suspension, re-issued credentials, key rotation and
//! compromise. The races and the bulk revocation are in `concurrency.rs`.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use laurel_store::{
    Achievement, Allocation, Award, IssuerKey, KeyPurpose, StatusChange, StatusList, StatusSlot,
    StoreError,
};
use uuid::Uuid;

use crate::support::{TestDb, award, issuer, issuer_with_achievement, key, now};

use StatusChange::{Changed, Missing, Unchanged};

/// The purpose of the lists these cases use.
pub const REVOCATION: &str = "revocation";

/// A time with nanoseconds, which both databases cut to microseconds.
fn fine(at: DateTime<Utc>) -> DateTime<Utc> {
    at + Duration::nanoseconds(789)
}

/// What the database keeps of a time.
fn cut(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

/// An award holding bit `index` of list `list_id`.
pub fn award_at(achievement: &Achievement, email: &str, list_id: Uuid, index: u32) -> Award {
    Award {
        status: Some(StatusSlot { list_id, index }),
        ..award(achievement, email)
    }
}

/// The indexes whose bit is set (index 0 is the most significant bit of the first byte).
pub fn set_bits(bits: &[u8]) -> Vec<u32> {
    (0..bits.len() as u32 * 8)
        .filter(|i| bits[(i / 8) as usize] & (0x80 >> (i % 8)) != 0)
        .collect()
}

/// (list, position) of each allocation.
fn positions(handed: &[Allocation]) -> Vec<(Uuid, u32)> {
    handed.iter().map(|a| (a.list_id, a.position)).collect()
}

/// `n` positions of one list from `from` on.
fn run(list_id: Uuid, from: u32, n: u32) -> Vec<(Uuid, u32)> {
    (from..from + n).map(|p| (list_id, p)).collect()
}

/// An award as revoking it leaves it.
fn revoked(award: &Award, reason: &str, at: DateTime<Utc>) -> Award {
    Award {
        revoked_at: Some(cut(at)),
        revocation_reason: Some(reason.to_string()),
        ..award.clone()
    }
}

pub async fn allocation_spans_lists(db: &TestDb) {
    let store = db.open().await;
    let (issuer_a, _) = issuer_with_achievement(&*store).await;
    let t0 = now();
    let nothing = store.allocate_status(issuer_a.id, REVOCATION, 0, 12, t0);
    assert_eq!(nothing.await.unwrap(), vec![]);
    assert_eq!(store.status_lists(None).await.unwrap(), vec![]);

    // The first call starts a list: 12 entries are 2 bytes.
    let first = store
        .allocate_status(issuer_a.id, REVOCATION, 5, 12, fine(t0))
        .await
        .unwrap();
    let a = first[0].list_id;
    assert_eq!(positions(&first), run(a, 0, 5));
    assert!(first.iter().all(|x| x.size == 12 && x.key == first[0].key));
    assert_eq!(first[0].key.len(), 16);
    let list_a = StatusList {
        id: a,
        issuer_id: issuer_a.id,
        purpose: REVOCATION.into(),
        size: 12,
        allocated: 5,
        key: first[0].key.clone(),
        bits: vec![0, 0],
        version: 1,
        credential: None,
        signed_version: 0,
        created_at: cut(fine(t0)),
        updated_at: cut(fine(t0)),
    };
    assert_eq!(store.status_list(a).await.unwrap(), list_a);

    // The rest of that list, then a new one with a key of its own.
    let t1 = t0 + Duration::seconds(1);
    let second = store
        .allocate_status(issuer_a.id, REVOCATION, 10, 12, t1)
        .await
        .unwrap();
    let b = second[9].list_id;
    assert_ne!(a, b);
    assert_eq!(positions(&second), [run(a, 5, 7), run(b, 0, 3)].concat());
    assert_ne!(second[9].key, first[0].key);
    // Handing out positions changes no bit: neither version nor time moves.
    assert_eq!(
        store.status_list(a).await.unwrap(),
        StatusList {
            allocated: 12,
            ..list_a.clone()
        }
    );
    let list_b = store.status_list(b).await.unwrap();
    assert_eq!(
        (list_b.allocated, list_b.version, list_b.created_at),
        (3, 1, t1)
    );

    // Exactly what is left of a list fills it.
    let t2 = t1 + Duration::seconds(1);
    let third = store
        .allocate_status(issuer_a.id, REVOCATION, 9, 12, t2)
        .await
        .unwrap();
    assert_eq!(positions(&third), run(b, 3, 9));

    // More than a list holds spans new lists.
    let t3 = t2 + Duration::seconds(1);
    let fourth = store
        .allocate_status(issuer_a.id, REVOCATION, 30, 12, t3)
        .await
        .unwrap();
    let (c, d, e) = (fourth[0].list_id, fourth[12].list_id, fourth[24].list_id);
    assert_eq!(
        positions(&fourth),
        [run(c, 0, 12), run(d, 0, 12), run(e, 0, 6)].concat()
    );
    let lists = store.status_lists(Some(issuer_a.id)).await.unwrap();
    let summary: Vec<(Uuid, u32)> = lists.iter().map(|l| (l.id, l.allocated)).collect();
    assert_eq!(summary, vec![(a, 12), (b, 12), (c, 12), (d, 12), (e, 6)]);

    // Another issuer, or another purpose, has lists of its own.
    let issuer_b = issuer("Other");
    store.create_issuer(&issuer_b, &[]).await.unwrap();
    let other = store
        .allocate_status(issuer_b.id, REVOCATION, 1, 12, t3)
        .await
        .unwrap();
    let suspension = store
        .allocate_status(issuer_a.id, "suspension", 1, 12, t3)
        .await
        .unwrap();
    assert_eq!(other[0].position, 0);
    assert_eq!(suspension[0].position, 0);
    assert!(![a, b, c, d, e].contains(&other[0].list_id));
    assert!(![a, b, c, d, e].contains(&suspension[0].list_id));
    assert_eq!(store.status_lists(None).await.unwrap().len(), 7);
    let of_b = store.status_lists(Some(issuer_b.id)).await.unwrap();
    assert_eq!(of_b.len(), 1);
    assert_eq!(of_b[0].id, other[0].list_id);
    assert_eq!(
        store.status_lists(Some(Uuid::new_v4())).await.unwrap(),
        vec![]
    );

    let err = store.status_list(Uuid::new_v4()).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    let err = store
        .allocate_status(Uuid::new_v4(), REVOCATION, 1, 12, t3)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert!(
        store
            .allocate_status(issuer_a.id, REVOCATION, 1, 0, t3)
            .await
            .is_err()
    );
    assert_eq!(store.status_lists(None).await.unwrap().len(), 7);
}

pub async fn revoke_sets_bits(db: &TestDb) {
    let store = db.open().await;
    let (issuer, achievement) = issuer_with_achievement(&*store).await;
    let handed = store
        .allocate_status(issuer.id, REVOCATION, 18, 16, now())
        .await
        .unwrap();
    let (a, b) = (handed[0].list_id, handed[17].list_id);
    assert_ne!(a, b);

    let x = award_at(&achievement, "x@example.org", a, 0);
    let y = award_at(&achievement, "y@example.org", a, 9);
    let z = award_at(&achievement, "z@example.org", a, 15);
    let w = award_at(&achievement, "w@example.org", b, 3);
    let untouched = award_at(&achievement, "u@example.org", a, 1);
    let plain = award(&achievement, "plain@example.org");
    let all = [&x, &y, &z, &w, &untouched, &plain].map(Clone::clone);
    store.insert_awards(all.to_vec(), false).await.unwrap();
    assert_eq!(store.award(x.id).await.unwrap(), x);
    assert_eq!(store.award(plain.id).await.unwrap(), plain);

    // A bit is one credential's: a second award on it is refused, and nothing is stored.
    let clash = award_at(&achievement, "clash@example.org", a, 9);
    let err = store
        .insert_awards(vec![clash.clone()], false)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert!(matches!(
        store.award(clash.id).await,
        Err(StoreError::NotFound)
    ));

    let missing = Uuid::new_v4();
    let at = fine(now() + Duration::hours(1));
    let reason = "Issued in error";
    let outcomes = store
        .revoke_awards(
            &[x.id, y.id, missing, x.id, plain.id, w.id, z.id],
            reason,
            at,
        )
        .await
        .unwrap();
    assert_eq!(
        outcomes,
        vec![
            Changed(revoked(&x, reason, at)),
            Changed(revoked(&y, reason, at)),
            Missing(missing),
            Unchanged(revoked(&x, reason, at)),
            Changed(revoked(&plain, reason, at)),
            Changed(revoked(&w, reason, at)),
            Changed(revoked(&z, reason, at)),
        ]
    );
    for award in [&x, &y, &z, &w, &plain] {
        assert_eq!(
            store.award(award.id).await.unwrap(),
            revoked(award, reason, at)
        );
    }
    assert_eq!(store.award(untouched.id).await.unwrap(), untouched);
    // Each list changed once: one version bump, whatever the number of bits.
    let list_a = store.status_list(a).await.unwrap();
    assert_eq!(list_a.bits, vec![0x80, 0x41]);
    assert_eq!(set_bits(&list_a.bits), vec![0, 9, 15]);
    assert_eq!((list_a.version, list_a.updated_at), (2, cut(at)));
    let list_b = store.status_list(b).await.unwrap();
    assert_eq!(set_bits(&list_b.bits), vec![3]);
    assert_eq!((list_b.version, list_b.updated_at), (2, cut(at)));

    // Revocation is permanent: the first reason and time stay.
    let later = at + Duration::hours(1);
    let outcomes = store
        .revoke_awards(&[x.id, untouched.id], "Another reason", later)
        .await
        .unwrap();
    assert_eq!(
        outcomes,
        vec![
            Unchanged(revoked(&x, reason, at)),
            Changed(revoked(&untouched, "Another reason", later)),
        ]
    );
    let list_a = store.status_list(a).await.unwrap();
    assert_eq!(set_bits(&list_a.bits), vec![0, 1, 9, 15]);
    assert_eq!((list_a.version, list_a.updated_at), (3, cut(later)));
    assert_eq!(store.status_list(b).await.unwrap().version, 2);

    // Nothing left to change: no list moves.
    let outcomes = store
        .revoke_awards(&[x.id, w.id, missing], "Again", later + Duration::hours(1))
        .await
        .unwrap();
    assert!(matches!(
        outcomes.as_slice(),
        [Unchanged(_), Unchanged(_), Missing(_)]
    ));
    assert_eq!(store.status_list(a).await.unwrap().version, 3);
    assert_eq!(store.status_list(b).await.unwrap().version, 2);
    assert_eq!(store.revoke_awards(&[], reason, at).await.unwrap(), vec![]);
}

pub async fn suspend_round_trip(db: &TestDb) {
    let store = db.open().await;
    let (issuer, achievement) = issuer_with_achievement(&*store).await;
    let handed = store
        .allocate_status(issuer.id, REVOCATION, 1, 16, now())
        .await
        .unwrap();
    let list_id = handed[0].list_id;
    let x = award_at(&achievement, "x@example.org", list_id, 2);
    store.insert_awards(vec![x.clone()], false).await.unwrap();

    let at = fine(now());
    let suspended = Award {
        suspended_at: Some(cut(at)),
        suspension_reason: Some("Under review".into()),
        ..x.clone()
    };
    let done = store.suspend_award(x.id, Some("Under review"), at).await;
    assert_eq!(done.unwrap(), Changed(suspended.clone()));
    assert_eq!(store.award(x.id).await.unwrap(), suspended);
    // Suspended already: the first suspension stays.
    let again = store
        .suspend_award(x.id, None, at + Duration::hours(1))
        .await;
    assert_eq!(again.unwrap(), Unchanged(suspended.clone()));

    assert_eq!(
        store.unsuspend_award(x.id).await.unwrap(),
        Changed(x.clone())
    );
    assert_eq!(store.award(x.id).await.unwrap(), x);
    assert_eq!(
        store.unsuspend_award(x.id).await.unwrap(),
        Unchanged(x.clone())
    );

    // A reason is optional.
    let bare = store.suspend_award(x.id, None, at).await.unwrap();
    assert_eq!(
        bare,
        Changed(Award {
            suspended_at: Some(cut(at)),
            ..x.clone()
        })
    );

    // Suspension is issuer-side: the list does not change.
    let list = store.status_list(list_id).await.unwrap();
    assert_eq!((list.version, set_bits(&list.bits)), (1, vec![]));

    let err = store
        .suspend_award(Uuid::new_v4(), None, at)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    let err = store.unsuspend_award(Uuid::new_v4()).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
}

pub async fn status_credential_keeps_newest(db: &TestDb) {
    let store = db.open().await;
    let (issuer, _) = issuer_with_achievement(&*store).await;
    let handed = store
        .allocate_status(issuer.id, REVOCATION, 1, 16, now())
        .await
        .unwrap();
    let list_id = handed[0].list_id;

    let saved = |version: i64, text: &'static str| {
        let store = store.clone();
        async move {
            store
                .save_status_credential(list_id, version, text)
                .await
                .unwrap()
        }
    };
    assert!(saved(1, "{\"v\":1}").await);
    assert!(!saved(1, "{\"v\":\"1 again\"}").await);
    assert!(saved(3, "{\"v\":3}").await);
    // An older version, signed late, never replaces a newer one.
    assert!(!saved(2, "{\"v\":2}").await);
    let list = store.status_list(list_id).await.unwrap();
    assert_eq!(list.credential.as_deref(), Some("{\"v\":3}"));
    assert_eq!(list.signed_version, 3);
    // Saving changes neither the bits' version nor the time they changed.
    assert_eq!(list.version, 1);
    assert_eq!(list.updated_at, list.created_at);

    assert!(
        !store
            .save_status_credential(Uuid::new_v4(), 1, "{}")
            .await
            .unwrap()
    );

    // After a key change every list of the issuer is out of date, and takes a new signature
    // for its current version.
    store.resign_status_lists(issuer.id).await.unwrap();
    let list = store.status_list(list_id).await.unwrap();
    assert_eq!(list.signed_version, 0);
    assert!(list.signed_version < list.version);
    assert!(saved(1, "{\"v\":\"1, new key\"}").await);
}

pub async fn replace_credential_round_trip(db: &TestDb) {
    let store = db.open().await;
    let (issuer, achievement) = issuer_with_achievement(&*store).await;
    let handed = store
        .allocate_status(issuer.id, REVOCATION, 1, 16, now())
        .await
        .unwrap();
    let x = award_at(&achievement, "x@example.org", handed[0].list_id, 5);
    store.insert_awards(vec![x.clone()], false).await.unwrap();

    let reissued = Award {
        credential: "{\"reissued\":true}".into(),
        jwt: "eyJ.reissued.sig".into(),
        issued_at: fine(now() + Duration::days(1)),
        valid_until: Some(now() + Duration::days(366)),
        recipient_name: None,
        // None of these change.
        recipient_email: "someone-else@example.org".into(),
        status: None,
        suspended_at: Some(now()),
        revoked_at: Some(now()),
        ..x.clone()
    };
    store.replace_credential(&reissued).await.unwrap();
    assert_eq!(
        store.award(x.id).await.unwrap(),
        Award {
            credential: reissued.credential.clone(),
            jwt: reissued.jwt.clone(),
            issued_at: cut(reissued.issued_at),
            valid_until: reissued.valid_until,
            recipient_name: None,
            ..x.clone()
        }
    );

    let err = store
        .replace_credential(&award(&achievement, "nobody@example.org"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
}

pub async fn rotate_keys_retires_previous(db: &TestDb) {
    let store = db.open().await;
    let rotating = issuer("Rotating");
    let di = key(rotating.id, KeyPurpose::DataIntegrity);
    let jwt = key(rotating.id, KeyPurpose::Jwt);
    let old_jwt = IssuerKey {
        retired_at: Some(now() - Duration::days(30)),
        ..key(rotating.id, KeyPurpose::Jwt)
    };
    store
        .create_issuer(&rotating, &[di.clone(), jwt.clone(), old_jwt.clone()])
        .await
        .unwrap();
    let bystander = issuer("Bystander");
    let bystander_key = key(bystander.id, KeyPurpose::DataIntegrity);
    store
        .create_issuer(&bystander, std::slice::from_ref(&bystander_key))
        .await
        .unwrap();
    let retired = |k: &IssuerKey, at: DateTime<Utc>| IssuerKey {
        retired_at: Some(cut(at)),
        ..k.clone()
    };

    // Only the current key of the new key's purpose is retired.
    let at = fine(now() + Duration::hours(1));
    let new_di = key(rotating.id, KeyPurpose::DataIntegrity);
    store
        .rotate_keys(rotating.id, std::slice::from_ref(&new_di), at)
        .await
        .unwrap();
    assert_eq!(
        store.issuer_keys(rotating.id).await.unwrap(),
        vec![
            retired(&di, at),
            jwt.clone(),
            old_jwt.clone(),
            new_di.clone()
        ]
    );
    assert_eq!(
        store.issuer_keys(bystander.id).await.unwrap(),
        vec![bystander_key.clone()]
    );

    // Both purposes at once; a key retired earlier keeps its time.
    let at2 = at + Duration::hours(1);
    let (newer_di, new_jwt) = (
        key(rotating.id, KeyPurpose::DataIntegrity),
        key(rotating.id, KeyPurpose::Jwt),
    );
    store
        .rotate_keys(rotating.id, &[newer_di.clone(), new_jwt.clone()], at2)
        .await
        .unwrap();
    let expected = vec![
        retired(&di, at),
        retired(&jwt, at2),
        old_jwt.clone(),
        retired(&new_di, at2),
        newer_di.clone(),
        new_jwt.clone(),
    ];
    assert_eq!(store.issuer_keys(rotating.id).await.unwrap(), expected);

    // No keys, no change.
    store
        .rotate_keys(rotating.id, &[], at2 + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(store.issuer_keys(rotating.id).await.unwrap(), expected);

    // One transaction: a key that cannot be stored retires nothing.
    let err = store
        .rotate_keys(
            rotating.id,
            std::slice::from_ref(&new_jwt),
            at2 + Duration::hours(2),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(store.issuer_keys(rotating.id).await.unwrap(), expected);

    let nobody = Uuid::new_v4();
    let err = store
        .rotate_keys(nobody, &[key(nobody, KeyPurpose::Jwt)], at2)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert_eq!(store.all_keys().await.unwrap().len(), 7);
}

pub async fn compromise_key_marks(db: &TestDb) {
    let store = db.open().await;
    let owner = issuer("Leaky");
    let (k, other) = (
        key(owner.id, KeyPurpose::Jwt),
        key(owner.id, KeyPurpose::DataIntegrity),
    );
    store
        .create_issuer(&owner, &[k.clone(), other.clone()])
        .await
        .unwrap();

    let since = fine(now() - Duration::days(1));
    let marked = store.compromise_key(k.id, since).await.unwrap();
    assert_eq!(
        marked,
        IssuerKey {
            compromised_since: Some(cut(since)),
            ..k.clone()
        }
    );
    assert_eq!(
        store.issuer_keys(owner.id).await.unwrap(),
        vec![marked.clone(), other.clone()]
    );

    // A later finding replaces the mark.
    let earlier = since - Duration::days(6);
    let remarked = store.compromise_key(k.id, earlier).await.unwrap();
    assert_eq!(remarked.compromised_since, Some(cut(earlier)));
    assert_eq!(store.all_keys().await.unwrap(), vec![remarked, other]);

    let err = store
        .compromise_key(Uuid::new_v4(), since)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
}
