//! The staff console's accounts, sessions and audit log.

use chrono::Duration;
use laurel_store::{AuditEntry, Role, Session, StoreError, User};
use uuid::Uuid;

use crate::support::{TestDb, now};

fn user(name: &str, role: Role) -> User {
    User {
        id: Uuid::now_v7(),
        username: name.into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role,
        issuer_ids: vec![Uuid::now_v7()],
        failed_sign_ins: 0,
        locked_until: None,
        created_at: now(),
        disabled_at: None,
    }
}

pub async fn users_sessions_and_audit_round_trip(db: &TestDb) {
    let store = db.open().await;
    let ada = user("ada", Role::Admin);
    let bob = user("bob", Role::Manager);
    store.create_user(&bob).await.unwrap();
    store.create_user(&ada).await.unwrap();
    assert!(matches!(
        store.create_user(&user("ada", Role::Viewer)).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.user_by_name("ada").await.unwrap(), Some(ada.clone()));
    assert_eq!(store.user_by_name("nobody").await.unwrap(), None);
    assert_eq!(store.user(bob.id).await.unwrap(), bob);
    let names: Vec<String> = store
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["ada", "bob"]);

    let locked = now() + Duration::minutes(15);
    store
        .set_sign_in_state(ada.id, 5, Some(locked))
        .await
        .unwrap();
    let read = store.user(ada.id).await.unwrap();
    assert_eq!((read.failed_sign_ins, read.locked_until), (5, Some(locked)));
    assert!(matches!(
        store.set_sign_in_state(Uuid::now_v7(), 0, None).await,
        Err(StoreError::NotFound)
    ));

    let session = Session {
        secret_sha256: "ab".repeat(32),
        user_id: ada.id,
        csrf_token: "csrf".into(),
        created_at: now(),
        expires_at: now() + Duration::hours(8),
    };
    store.create_session(&session).await.unwrap();
    assert_eq!(
        store.session(&session.secret_sha256, now()).await.unwrap(),
        Some(session.clone())
    );
    // Expired sessions are not found.
    assert_eq!(
        store
            .session(&session.secret_sha256, now() + Duration::hours(9))
            .await
            .unwrap(),
        None
    );
    // Disabling an account ends its sessions; enabling it again does not bring them back.
    store.set_user_disabled(ada.id, Some(now())).await.unwrap();
    assert!(store.user(ada.id).await.unwrap().disabled_at.is_some());
    assert_eq!(
        store.session(&session.secret_sha256, now()).await.unwrap(),
        None
    );
    store.set_user_disabled(ada.id, None).await.unwrap();
    assert_eq!(store.user(ada.id).await.unwrap().disabled_at, None);
    assert!(matches!(
        store.set_user_disabled(Uuid::now_v7(), None).await,
        Err(StoreError::NotFound)
    ));
    store.create_session(&session).await.unwrap();
    assert!(store.delete_session(&session.secret_sha256).await.unwrap());
    assert!(!store.delete_session(&session.secret_sha256).await.unwrap());
    assert_eq!(
        store.session(&session.secret_sha256, now()).await.unwrap(),
        None
    );

    for (i, action) in ["sign_in", "issuer.update", "sign_out"].iter().enumerate() {
        store
            .append_audit(&AuditEntry {
                id: Uuid::now_v7(),
                at: now() + Duration::seconds(i as i64),
                user_id: Some(ada.id),
                username: "ada".into(),
                action: action.to_string(),
                target: Some("x".into()),
                detail: "{}".into(),
                via: "console".into(),
            })
            .await
            .unwrap();
    }
    let (page, total) = store.list_audit(2, 0).await.unwrap();
    assert_eq!(total, 3);
    assert_eq!(
        page.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["sign_out", "issuer.update"]
    );
}
