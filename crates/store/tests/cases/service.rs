//! Settings, API tokens, images and idempotency records.

use laurel_store::{IdempotentResponse, Image, StoreError};
use uuid::Uuid;

use crate::support::{TestDb, now, token};

pub async fn settings_round_trip(db: &TestDb) {
    let store = db.open().await;
    assert_eq!(store.setting("instance").await.unwrap(), None);
    assert_eq!(
        store.setting_init("instance", "first").await.unwrap(),
        "first"
    );
    assert_eq!(
        store.setting_init("instance", "second").await.unwrap(),
        "first"
    );
    assert_eq!(
        store.setting("instance").await.unwrap().as_deref(),
        Some("first")
    );
    store.set_setting("instance", "third").await.unwrap();
    store.set_setting("other", "x").await.unwrap();
    assert_eq!(
        store.setting("instance").await.unwrap().as_deref(),
        Some("third")
    );
}

pub async fn token_round_trip(db: &TestDb) {
    let store = db.open().await;
    let (ci, admin) = (token("ci"), token("admin"));
    store.create_token(&ci, "hash-ci").await.unwrap();
    store.create_token(&admin, "hash-admin").await.unwrap();

    assert_eq!(
        store.token_by_secret("hash-ci").await.unwrap(),
        Some(ci.clone())
    );
    assert_eq!(store.token_by_secret("hash-other").await.unwrap(), None);
    assert_eq!(store.list_tokens().await.unwrap(), vec![ci, admin]);
}

pub async fn token_name_conflict(db: &TestDb) {
    let store = db.open().await;
    store.create_token(&token("ci"), "hash-1").await.unwrap();
    let err = store
        .create_token(&token("ci"), "hash-2")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict(m) if m == "a token named ci already exists"),
        "{err:?}"
    );
    // The message never shows the secret's hash, whichever unique value clashed.
    let err = store
        .create_token(&token("other"), "hash-1")
        .await
        .unwrap_err();
    assert!(matches!(&err, StoreError::Conflict(_)), "{err:?}");
    assert!(!err.to_string().contains("hash-1"), "{err}");
    assert_eq!(store.list_tokens().await.unwrap().len(), 1);
}

pub async fn revoked_token_is_not_found_by_secret(db: &TestDb) {
    let store = db.open().await;
    let (ci, deploy) = (token("ci"), token("deploy"));
    store.create_token(&ci, "hash-ci").await.unwrap();
    store.create_token(&deploy, "hash-deploy").await.unwrap();

    let at = now();
    let revoked = store.revoke_token("ci", at).await.unwrap();
    assert_eq!(revoked.revoked_at, Some(at));
    assert_eq!(revoked.id, ci.id);
    assert_eq!(store.token_by_secret("hash-ci").await.unwrap(), None);
    // Revoking again keeps the first time; an id works as well as a name.
    let later = at + chrono::Duration::seconds(5);
    let again = store.revoke_token(&ci.id.to_string(), later).await.unwrap();
    assert_eq!(again.revoked_at, Some(at));
    let by_id = store
        .revoke_token(&deploy.id.to_string(), later)
        .await
        .unwrap();
    assert_eq!(by_id.revoked_at, Some(later));

    // Revoked tokens stay listed.
    let listed = store.list_tokens().await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|t| t.revoked_at.is_some()));

    let missing = store.revoke_token("nobody", at).await.unwrap_err();
    assert!(matches!(missing, StoreError::NotFound), "{missing:?}");
    let missing = store
        .revoke_token(&Uuid::new_v4().to_string(), at)
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::NotFound), "{missing:?}");
}

pub async fn image_round_trip(db: &TestDb) {
    let store = db.open().await;
    let image = Image {
        sha256: "ab".repeat(32),
        content_type: "image/png".into(),
        bytes: vec![0x89, b'P', b'N', b'G', 0, 255],
    };
    store.put_image(&image).await.unwrap();
    // The same hash again is a no-op, never an error.
    store
        .put_image(&Image {
            bytes: vec![1],
            ..image.clone()
        })
        .await
        .unwrap();
    assert_eq!(store.image(&image.sha256).await.unwrap(), image);
    let missing = store.image(&"cd".repeat(32)).await.unwrap_err();
    assert!(matches!(missing, StoreError::NotFound), "{missing:?}");
}

pub async fn idempotency_insert_if_absent(db: &TestDb) {
    let store = db.open().await;
    let tok = token("ci");
    store.create_token(&tok, "hash-ci").await.unwrap();
    assert_eq!(store.idempotent_response("k1", tok.id).await.unwrap(), None);

    let first = IdempotentResponse {
        key: "k1".into(),
        token_id: tok.id,
        request_hash: "f00d".into(),
        status: 201,
        body: r#"{"id":"1"}"#.into(),
        created_at: now(),
    };
    assert_eq!(store.save_idempotent_response(&first).await.unwrap(), first);
    let second = IdempotentResponse {
        status: 500,
        body: "{}".into(),
        ..first.clone()
    };
    assert_eq!(
        store.save_idempotent_response(&second).await.unwrap(),
        first
    );
    assert_eq!(
        store.idempotent_response("k1", tok.id).await.unwrap(),
        Some(first.clone())
    );

    // Keys are per token.
    let other = token("other");
    store.create_token(&other, "hash-other").await.unwrap();
    assert_eq!(
        store.idempotent_response("k1", other.id).await.unwrap(),
        None
    );
    let theirs = IdempotentResponse {
        token_id: other.id,
        status: 200,
        ..first.clone()
    };
    assert_eq!(
        store.save_idempotent_response(&theirs).await.unwrap(),
        theirs
    );

    // An unknown token is a missing parent.
    let orphan = IdempotentResponse {
        token_id: Uuid::new_v4(),
        ..first
    };
    let err = store.save_idempotent_response(&orphan).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
}

pub async fn limited_token_round_trip(db: &TestDb) {
    let store = db.open().await;
    let mut limited = token("division-north");
    limited.scopes = vec!["read".into()];
    limited.issuer_ids = vec![Uuid::now_v7(), Uuid::now_v7()];
    limited.expires_at = Some(now() + chrono::Duration::days(90));
    limited.with_emails = false;
    store.create_token(&limited, "hash-north").await.unwrap();
    let everyone = token("everyone");
    store
        .create_token(&everyone, "hash-everyone")
        .await
        .unwrap();

    let found = store.token_by_secret("hash-north").await.unwrap().unwrap();
    assert_eq!(found, limited);
    assert_eq!(found.issuer_ids.len(), 2);
    assert!(!found.with_emails);
    let found = store
        .token_by_secret("hash-everyone")
        .await
        .unwrap()
        .unwrap();
    assert!(found.issuer_ids.is_empty());
    assert_eq!(found.expires_at, None);
    assert!(found.with_emails);
    assert_eq!(store.list_tokens().await.unwrap(), vec![limited, everyone]);
}

pub async fn touching_a_token_only_moves_forward(db: &TestDb) {
    let store = db.open().await;
    let ci = token("ci");
    store.create_token(&ci, "hash-ci").await.unwrap();
    assert_eq!(
        store
            .token_by_secret("hash-ci")
            .await
            .unwrap()
            .unwrap()
            .last_used_at,
        None
    );
    let later = now() + chrono::Duration::minutes(5);
    store.touch_token(ci.id, later).await.unwrap();
    store.touch_token(ci.id, now()).await.unwrap();
    let found = store.token_by_secret("hash-ci").await.unwrap().unwrap();
    assert_eq!(found.last_used_at, Some(later));
    // An unknown token changes nothing and is no error.
    store.touch_token(Uuid::now_v7(), later).await.unwrap();
    assert_eq!(store.list_tokens().await.unwrap(), vec![found]);
}
