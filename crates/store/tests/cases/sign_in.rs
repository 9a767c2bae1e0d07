//! Sign-in attempts counted before the password is checked, and password changes.

use chrono::Duration;
use laurel_store::{Role, Session, StoreError, User};
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::support::{TestDb, now};

/// Free for three attempts, then a minute's wait.
fn delay(failures: u32) -> Option<Duration> {
    (failures >= 3).then(|| Duration::minutes(1))
}

fn account(name: &str) -> User {
    User {
        id: Uuid::now_v7(),
        username: name.into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role: Role::Admin,
        issuer_ids: Vec::new(),
        failed_sign_ins: 0,
        locked_until: None,
        created_at: now(),
        disabled_at: None,
    }
}

fn session(user: &User, secret: &str) -> Session {
    Session {
        secret_sha256: secret.repeat(64 / secret.len()),
        user_id: user.id,
        csrf_token: "csrf".into(),
        created_at: now(),
        expires_at: now() + Duration::hours(8),
    }
}

pub async fn attempts_are_counted_before_the_check(db: &TestDb) {
    let store = db.open().await;
    let ada = account("ada");
    store.create_user(&ada).await.unwrap();
    let at = now();
    assert_eq!(
        store.begin_sign_in("nobody", at, delay).await.unwrap(),
        None
    );
    for expected in 0..3 {
        let attempt = store
            .begin_sign_in("ada", at, delay)
            .await
            .unwrap()
            .unwrap();
        assert!(attempt.admitted);
        assert_eq!(attempt.user.failed_sign_ins, expected, "the count before");
    }
    let stored = store.user(ada.id).await.unwrap();
    assert_eq!(stored.failed_sign_ins, 3);
    assert_eq!(stored.locked_until, Some(at + Duration::minutes(1)));
    // While the delay runs, an attempt is refused and changes nothing.
    let refused = store
        .begin_sign_in("ada", at + Duration::seconds(59), delay)
        .await
        .unwrap()
        .unwrap();
    assert!(!refused.admitted);
    assert_eq!(store.user(ada.id).await.unwrap(), stored);
    // Once it is over, the next attempt is admitted and starts the next delay.
    let later = at + Duration::minutes(1);
    let admitted = store
        .begin_sign_in("ada", later, delay)
        .await
        .unwrap()
        .unwrap();
    assert!(admitted.admitted);
    assert_eq!(admitted.user.failed_sign_ins, 3);
    let stored = store.user(ada.id).await.unwrap();
    assert_eq!(stored.failed_sign_ins, 4);
    assert_eq!(stored.locked_until, Some(later + Duration::minutes(1)));
}

/// Forty attempts at once, from two instances sharing the database: exactly the free ones
/// are admitted, each with a count of its own.
pub async fn concurrent_attempts_are_each_counted(db: &TestDb) {
    let stores = [db.open().await, db.open().await];
    let ada = account("ada");
    stores[0].create_user(&ada).await.unwrap();
    let at = now();
    let mut tasks = JoinSet::new();
    for task in 0..40 {
        let store = stores[task % 2].clone();
        tasks.spawn(async move {
            store
                .begin_sign_in("ada", at, delay)
                .await
                .unwrap()
                .unwrap()
        });
    }
    let mut admitted = Vec::new();
    while let Some(attempt) = tasks.join_next().await {
        let attempt = attempt.unwrap();
        if attempt.admitted {
            admitted.push(attempt.user.failed_sign_ins);
        }
    }
    admitted.sort_unstable();
    assert_eq!(admitted, [0, 1, 2]);
    assert_eq!(stores[1].user(ada.id).await.unwrap().failed_sign_ins, 3);
}

pub async fn a_new_password_ends_the_other_sessions(db: &TestDb) {
    let store = db.open().await;
    let ada = account("ada");
    let bob = account("bob");
    store.create_user(&ada).await.unwrap();
    store.create_user(&bob).await.unwrap();
    store
        .set_sign_in_state(ada.id, 4, Some(now() + Duration::minutes(5)))
        .await
        .unwrap();
    let (here, there, elsewhere) = (session(&ada, "a"), session(&ada, "b"), session(&bob, "c"));
    for s in [&here, &there, &elsewhere] {
        store.create_session(s).await.unwrap();
    }
    store
        .set_password(ada.id, "$argon2id$new", Some(&here.secret_sha256))
        .await
        .unwrap();
    let stored = store.user(ada.id).await.unwrap();
    assert_eq!(stored.password_hash, "$argon2id$new");
    assert_eq!((stored.failed_sign_ins, stored.locked_until), (0, None));
    let alive = |s: &Session| {
        let store = store.clone();
        let secret = s.secret_sha256.clone();
        async move { store.session(&secret, now()).await.unwrap().is_some() }
    };
    assert!(alive(&here).await, "the session that changed it stays");
    assert!(!alive(&there).await, "the account's other sessions end");
    assert!(alive(&elsewhere).await, "other accounts' sessions stay");
    // A reset from the command line keeps no session.
    store
        .set_password(ada.id, "$argon2id$reset", None)
        .await
        .unwrap();
    assert!(!alive(&here).await);
    assert!(matches!(
        store.set_password(Uuid::now_v7(), "x", None).await,
        Err(StoreError::NotFound)
    ));
}
