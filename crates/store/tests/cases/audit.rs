//! The audit log's filters: actor, action, via, target text and a time range, with paging.

use chrono::{DateTime, Duration, Utc};
use laurel_store::{AuditEntry, AuditFilter};
use uuid::Uuid;

use crate::support::{TestDb, now};

fn entry(
    start: DateTime<Utc>,
    minute: i64,
    username: &str,
    action: &str,
    via: &str,
    target: Option<&str>,
) -> AuditEntry {
    AuditEntry {
        id: Uuid::now_v7(),
        at: start + Duration::minutes(minute),
        user_id: None,
        username: username.into(),
        action: action.into(),
        target: target.map(str::to_string),
        detail: r#"{"n":1}"#.into(),
        via: via.into(),
    }
}

pub async fn audit_filters_match_on_both_backends(db: &TestDb) {
    let store = db.open().await;
    // One "now" for the whole case: the support clock moves.
    let start = now();
    let entries = [
        entry(start, 0, "ada", "sign_in", "console", None),
        entry(
            start,
            1,
            "registrar",
            "award.create",
            "api",
            Some("0190-achievement-A"),
        ),
        entry(start, 2, "cli:root", "token.create", "cli", Some("token-1")),
        entry(
            start,
            3,
            "rules",
            "rules.award",
            "system",
            Some("0190-achievement-A"),
        ),
        entry(
            start,
            4,
            "Ada",
            "issuer.update",
            "console",
            Some("issuer_50%_off"),
        ),
    ];
    for e in &entries {
        store.append_audit(e).await.unwrap();
    }
    let actions = |found: &[AuditEntry]| {
        found
            .iter()
            .map(|e| e.action.clone())
            .collect::<Vec<String>>()
    };
    let all = AuditFilter {
        limit: 100,
        ..AuditFilter::default()
    };
    let (found, total) = store.search_audit(&all).await.unwrap();
    assert_eq!(total, 5);
    assert_eq!(found[0], entries[4]);
    assert_eq!(
        actions(&found),
        [
            "issuer.update",
            "rules.award",
            "token.create",
            "award.create",
            "sign_in"
        ]
    );

    // The actor matches a part, ignoring case.
    let (found, total) = store
        .search_audit(&AuditFilter {
            actor: Some("ADA".into()),
            ..all.clone()
        })
        .await
        .unwrap();
    assert_eq!(
        (actions(&found), total),
        (vec!["issuer.update".into(), "sign_in".into()], 2)
    );
    // Through what, exactly.
    let (found, _) = store
        .search_audit(&AuditFilter {
            via: Some("system".into()),
            ..all.clone()
        })
        .await
        .unwrap();
    assert_eq!(actions(&found), ["rules.award"]);
    // The action by a part; the target by a part, wildcards matched as written.
    let (found, _) = store
        .search_audit(&AuditFilter {
            action: Some("token.".into()),
            ..all.clone()
        })
        .await
        .unwrap();
    assert_eq!(actions(&found), ["token.create"]);
    let (found, _) = store
        .search_audit(&AuditFilter {
            target: Some("50%_".into()),
            ..all.clone()
        })
        .await
        .unwrap();
    assert_eq!(actions(&found), ["issuer.update"]);
    let (found, _) = store
        .search_audit(&AuditFilter {
            target: Some("%".into()),
            ..all.clone()
        })
        .await
        .unwrap();
    assert_eq!(actions(&found), ["issuer.update"]);
    // From is inclusive, until exclusive; filters combine; paging counts every match.
    let (found, total) = store
        .search_audit(&AuditFilter {
            from: Some(start + Duration::minutes(1)),
            until: Some(start + Duration::minutes(4)),
            limit: 2,
            offset: 1,
            ..all.clone()
        })
        .await
        .unwrap();
    assert_eq!(
        (actions(&found), total),
        (vec!["token.create".into(), "award.create".into()], 3)
    );
    let (found, total) = store
        .search_audit(&AuditFilter {
            target: Some("achievement-a".into()),
            via: Some("api".into()),
            limit: 0,
            ..all.clone()
        })
        .await
        .unwrap();
    assert_eq!((found.len(), total), (0, 1));
    // The unfiltered listing keeps working as before.
    let (found, total) = store.list_audit(1, 0).await.unwrap();
    assert_eq!((actions(&found), total), (vec!["issuer.update".into()], 5));
}
