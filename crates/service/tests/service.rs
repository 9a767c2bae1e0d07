//! The domain without HTTP: what the API, the console and the `laurel` commands all rely on,
//! checked against [`Service`] itself over a temporary SQLite store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use laurel_service::keys::{self, JwtAlgorithm};
use laurel_service::mint::{self, Outcome, Recipient};
use laurel_service::{Changes, FixedClock, Service, ServiceError, Urls, Vault, lifecycle};
use laurel_store::{Achievement, Issuer, StatusChange};
use uuid::Uuid;

mod endorsements;
mod session_edits;
mod transcript;
mod wallet;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T09:00:00Z")
        .unwrap()
        .to_utc()
}

/// What the front doors were told.
#[derive(Default)]
struct Heard {
    credentials: Mutex<Vec<Uuid>>,
    lists: Mutex<Vec<Uuid>>,
}

impl Changes for Heard {
    fn credential_changed(&self, id: Uuid) {
        self.credentials.lock().unwrap().push(id);
    }
    fn status_list_changed(&self, list: Uuid) {
        self.lists.lock().unwrap().push(list);
    }
}

struct Setup {
    service: Arc<Service>,
    heard: Arc<Heard>,
    achievement: Achievement,
    _dir: tempfile::TempDir,
}

/// A service with one issuer (keys made and sealed) and one achievement.
async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("laurel.db").display());
    let store = laurel_store::connect(&url).await.unwrap();
    let (vault, _) = Vault::generate().unwrap();
    vault.check(store.as_ref()).await.unwrap();
    let heard = Arc::new(Heard::default());
    let service = Service::new(
        store,
        Urls::new("https://badges.example.org"),
        vault,
        Arc::new(FixedClock(now())),
    )
    .with_changes(heard.clone());
    let issuer = Issuer {
        id: Uuid::new_v4(),
        name: "Library Association".into(),
        url: Some("https://library.example.org".into()),
        email: None,
        description: None,
        image: None,
        jwt_algorithm: "ES256".into(),
        brand_color: None,
        show_award_count: false,
        linkedin_organization_id: None,
        include_recipient_name: true,
        paper_size: laurel_store::PaperSize::Letter,
        signatory_name: None,
        signatory_title: None,
        created_at: now(),
        updated_at: now(),
    };
    keys::create_issuer(&service, &issuer, JwtAlgorithm::Es256)
        .await
        .unwrap();
    let achievement = Achievement {
        id: Uuid::new_v4(),
        issuer_id: issuer.id,
        name: "Cataloguing Basics".into(),
        description: "Completed the cataloguing webinar.".into(),
        criteria_narrative: Some("Attend the whole webinar.".into()),
        criteria_url: None,
        image: None,
        achievement_type: None,
        tags: vec![],
        alignment: "[]".into(),
        credits_available: Some(1.5),
        valid_for_days: None,
        award_rules: "[]".into(),
        created_at: now(),
        updated_at: now(),
    };
    service
        .store
        .create_achievement(&achievement)
        .await
        .unwrap();
    Setup {
        service: Arc::new(service),
        heard,
        achievement,
        _dir: dir,
    }
}

fn recipient(email: &str) -> Recipient {
    Recipient {
        email: email.into(),
        name: Some("Ada Lovelace".into()),
        include_name: None,
        narrative: None,
        evidence: vec![],
        activity_start_date: None,
        activity_end_date: None,
        result: None,
        credits_earned: None,
        role: None,
        awarded_date: None,
    }
}

async fn award_one(setup: &Setup, email: &str) -> Outcome {
    let mut outcomes = mint::award(
        &setup.service,
        setup.achievement.id,
        vec![Ok(recipient(email))],
        false,
    )
    .await
    .unwrap();
    assert_eq!(outcomes.len(), 1);
    outcomes.remove(0)
}

#[tokio::test]
async fn awarding_twice_mints_once() {
    let setup = setup().await;
    let Outcome::Created(first) = award_one(&setup, "ada@example.org").await else {
        panic!("the first award is created");
    };
    // The same person however the address is typed, once normalized as every door does.
    let typed = mint::recipient_email(" ADA@Example.org ").unwrap();
    let Outcome::Existing(again) = award_one(&setup, &typed).await else {
        panic!("the second is the first, unchanged");
    };
    assert_eq!(first.id, again.id);
    assert_eq!(first.credential, again.credential);
    let credential: serde_json::Value = serde_json::from_str(&first.credential).unwrap();
    let proof = match &credential["proof"] {
        serde_json::Value::Array(proofs) => proofs[0].clone(),
        other => other.clone(),
    };
    assert_eq!(proof["cryptosuite"], "eddsa-rdfc-2022", "{credential}");
    assert_eq!(first.jwt.split('.').count(), 3);
    // A batch naming one recipient twice mints one credential for both rows.
    let outcomes = mint::award(
        &setup.service,
        setup.achievement.id,
        vec![
            Ok(recipient("bo@example.org")),
            Ok(recipient("bo@example.org")),
        ],
        false,
    )
    .await
    .unwrap();
    match (&outcomes[0], &outcomes[1]) {
        (Outcome::Created(a), Outcome::Existing(b)) => assert_eq!(a.id, b.id),
        other => panic!("one created, then the same existing: {other:?}"),
    }
}

/// The identities in a stored credential: (identityType, hashed, identityHash).
fn identities(award: &laurel_store::Award) -> Vec<(String, bool, String)> {
    let credential: serde_json::Value = serde_json::from_str(&award.credential).unwrap();
    let list = match &credential["credentialSubject"]["identifier"] {
        serde_json::Value::Array(items) => items.clone(),
        one => vec![one.clone()],
    };
    list.iter()
        .map(|identity| {
            (
                identity["identityType"].as_str().unwrap().to_string(),
                identity["hashed"].as_bool().unwrap(),
                identity["identityHash"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_name_goes_into_the_credential_unless_the_issuer_or_the_award_says_not() {
    let setup = setup().await;
    let Outcome::Created(named) = award_one(&setup, "ada@example.org").await else {
        panic!("created");
    };
    let ids = identities(&named);
    assert_eq!(ids[0], ("name".into(), false, "Ada Lovelace".into()));
    assert_eq!((ids[1].0.as_str(), ids[1].1), ("emailAddress", true));
    assert_eq!(ids.len(), 2);

    // This award leaves it out.
    let mut quiet = recipient("bo@example.org");
    quiet.include_name = Some(false);
    let outcome = mint::award(&setup.service, setup.achievement.id, vec![Ok(quiet)], false)
        .await
        .unwrap()
        .remove(0);
    let Outcome::Created(quiet) = outcome else {
        panic!("created");
    };
    assert_eq!(identities(&quiet).len(), 1);
    assert_eq!(
        quiet.recipient_name.as_deref(),
        Some("Ada Lovelace"),
        "kept for staff"
    );

    // The issuer turns names off: an award asking for it does not override that.
    let mut issuer = setup
        .service
        .store
        .issuer(setup.achievement.issuer_id)
        .await
        .unwrap();
    issuer.include_recipient_name = false;
    setup.service.store.update_issuer(&issuer).await.unwrap();
    let mut asking = recipient("cy@example.org");
    asking.include_name = Some(true);
    let outcome = mint::award(
        &setup.service,
        setup.achievement.id,
        vec![Ok(asking)],
        false,
    )
    .await
    .unwrap()
    .remove(0);
    let Outcome::Created(off) = outcome else {
        panic!("created");
    };
    let ids = identities(&off);
    assert_eq!(ids.len(), 1);
    assert_eq!(ids[0].0, "emailAddress");
}

#[tokio::test]
async fn an_unknown_achievement_is_not_found_in_words() {
    let setup = setup().await;
    let missing = Uuid::new_v4();
    let error = mint::award(
        &setup.service,
        missing,
        vec![Ok(recipient("a@b.org"))],
        false,
    )
    .await
    .unwrap_err();
    assert_eq!(
        error,
        ServiceError::NotFound(format!("no achievement with id {missing}"))
    );
}

#[tokio::test]
async fn revoking_is_permanent_and_tells_the_front_doors() {
    let setup = setup().await;
    let Outcome::Created(award) = award_one(&setup, "ada@example.org").await else {
        panic!("created");
    };
    let list = award.status.expect("a status entry").list_id;
    let changes = lifecycle::revoke(&setup.service, &[award.id], "issued in error")
        .await
        .unwrap();
    assert!(matches!(&changes[..], [StatusChange::Changed(a)] if a.id == award.id));
    assert_eq!(*setup.heard.credentials.lock().unwrap(), vec![award.id]);
    assert_eq!(*setup.heard.lists.lock().unwrap(), vec![list]);
    // The list was signed again with the bit set.
    let stored = setup.service.store.status_list(list).await.unwrap();
    assert!(
        stored.credential.is_some(),
        "the list is signed after a revocation"
    );
    assert_eq!(
        stored.signed_version, stored.version,
        "the signed list shows the revocation"
    );

    let again = lifecycle::revoke(&setup.service, &[award.id], "twice")
        .await
        .unwrap();
    assert!(matches!(&again[..], [StatusChange::Unchanged(_)]));
    let reissue = lifecycle::reissue(&setup.service, award.id, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&reissue, ServiceError::Conflict(m) if m.contains("revoked")),
        "{reissue:?}"
    );
    let suspend = lifecycle::suspend(&setup.service, award.id, Some("x"))
        .await
        .unwrap_err();
    assert!(matches!(suspend, ServiceError::Conflict(_)), "{suspend:?}");
}

#[tokio::test]
async fn reissuing_keeps_the_id_and_signs_anew() {
    let setup = setup().await;
    let Outcome::Created(award) = award_one(&setup, "ada@example.org").await else {
        panic!("created");
    };
    let reissued = lifecycle::reissue(&setup.service, award.id, Some("Ada King".into()))
        .await
        .unwrap();
    assert_eq!(reissued.id, award.id);
    assert_ne!(reissued.credential, award.credential);
    assert_eq!(reissued.recipient_name.as_deref(), Some("Ada King"));
    assert!(reissued.issued_at > award.issued_at);
    assert_eq!(*setup.heard.credentials.lock().unwrap(), vec![award.id]);
}

/// Awarding by rule a month after the session: the credential says when the badge was earned
/// (`awardedDate`, and so LinkedIn's issue date), while `validFrom` stays the signing time.
#[tokio::test]
async fn an_award_by_rule_after_the_session_is_dated_by_the_session() {
    use laurel_service::activity::rules::{Scope, mint as mint_plans, plan};
    use laurel_store::{Attendance, Event, EventFormat};

    let setup = setup().await;
    let session_start = DateTime::parse_from_rfc3339("2026-01-29T15:00:00Z")
        .unwrap()
        .to_utc();
    let event = Event {
        id: Uuid::new_v4(),
        issuer_id: setup.achievement.issuer_id,
        series_id: None,
        title: "Cataloguing basics".into(),
        starts_at: session_start,
        duration_minutes: 60,
        format: EventFormat::Online,
        created_at: now(),
        updated_at: now(),
    };
    setup.service.store.create_event(&event).await.unwrap();
    setup
        .service
        .store
        .record_attendance(&[Attendance {
            event_id: event.id,
            recipient_email: "ann@example.org".into(),
            recipient_name: Some("Ann".into()),
            minutes: 55,
            first_join: None,
            last_leave: None,
            source: "api".into(),
            recorded_at: now(),
            role: None,
        }])
        .await
        .unwrap();
    let mut achievement = setup.achievement.clone();
    achievement.award_rules = format!(
        r#"[{{"kind":"participation","session":"{}","min_minutes":45}}]"#,
        event.id
    );
    setup
        .service
        .store
        .update_achievement(&achievement)
        .await
        .unwrap();

    let plans = plan(
        &setup.service,
        &Scope::Achievement(achievement.clone()),
        &[],
    )
    .await
    .unwrap();
    let minted = mint_plans(&setup.service, plans).await.unwrap();
    assert_eq!(minted[0].created, 1);
    let award = setup
        .service
        .store
        .awards_for(achievement.id, &["ann@example.org".to_string()])
        .await
        .unwrap()
        .pop()
        .unwrap();
    let credential: serde_json::Value = serde_json::from_str(&award.credential).unwrap();
    // Earned when the session ended (no leave time known: its planned end).
    assert_eq!(credential["awardedDate"], "2026-01-29T16:00:00Z");
    assert_eq!(credential["validFrom"], "2026-03-01T09:00:00Z");
    let link = laurel_service::links::linkedin(&award, None, "https://badges.example.org/c/1")
        .expect("in good standing");
    assert!(link.contains("issueYear=2026&issueMonth=1&"), "{link}");
    // certId is the short certificate number.
    let number = laurel_service::certificate::number(award.id);
    assert!(link.ends_with(&format!("certId={number}")), "{link}");

    // An award by hand is dated when it is made.
    let Outcome::Created(by_hand) = award_one(&setup, "bob@example.org").await else {
        panic!("created")
    };
    let credential: serde_json::Value = serde_json::from_str(&by_hand.credential).unwrap();
    assert_eq!(credential["awardedDate"], credential["validFrom"]);
}
