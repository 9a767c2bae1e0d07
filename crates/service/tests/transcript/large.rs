//! The largest record: a librarian's years of webinars (up to 200 credentials, the most a
//! verifier checks in one CLR) sign as one CLR 2.0 credential and verify, nested credentials
//! and all; one more is refused in plain words before anything is signed.

use std::time::Instant;

use laurel_core::budget::Budget;
use laurel_core::jsonld;
use laurel_service::mint::{self, Outcome};
use laurel_service::transcript::{self, Period, Request, clr};
use laurel_service::{ServiceError, documents, status};
use laurel_store::Achievement;
use laurel_verify::{Options, Verdict, Verifier};
use serde_json::Value;
use uuid::Uuid;

use super::super::{Setup, now, recipient, setup};

/// The most credentials one signed record holds (the verifier's limit too).
const MOST: usize = laurel_core::budget::MAX_RECORD_CREDENTIALS;

/// `count` webinars of the setup's issuer, each awarded once to Ada on its own day.
async fn webinars(setup: &Setup, count: usize) {
    let start = chrono::DateTime::parse_from_rfc3339("2021-01-04T15:00:00Z")
        .unwrap()
        .to_utc();
    for index in 0..count {
        let achievement = Achievement {
            id: Uuid::new_v4(),
            name: format!("Webinar {}: cataloguing practice", index + 1),
            description: format!("Attended webinar {} of the series.", index + 1),
            credits_available: Some(1.0),
            ..setup.achievement.clone()
        };
        setup
            .service
            .store
            .create_achievement(&achievement)
            .await
            .unwrap();
        let mut row = recipient("ada@example.org");
        row.awarded_date = Some(start + chrono::Duration::days(7 * index as i64));
        match mint::award(&setup.service, achievement.id, vec![Ok(row)], false)
            .await
            .unwrap()
            .remove(0)
        {
            Outcome::Created(_) => {}
            other => panic!("not created: {other:?}"),
        }
    }
}

async fn verifier(setup: &Setup) -> Verifier {
    let service = &setup.service;
    let issuer = setup.achievement.issuer_id;
    let mut options = Options::offline(now() + chrono::Duration::days(1));
    let keys = service.store.issuer_keys(issuer).await.unwrap();
    let document = documents::keys::controller_document(&service.urls, issuer, &keys).unwrap();
    options
        .keys
        .add_document(&document, "issuer-keys.json")
        .unwrap();
    for list in service.store.status_lists(Some(issuer)).await.unwrap() {
        let (_, signed) = status::signed(service, list.id).await.unwrap();
        options
            .status_lists
            .push(serde_json::from_str(&signed).unwrap());
    }
    options.recipient = Some("ada@example.org".into());
    Verifier::new(options)
}

/// What canonicalizing `document` takes: its blank nodes and the work units spent (see
/// `laurel_core::budget`), measured with a budget no record reaches.
fn cost(document: &Value) -> (usize, u64) {
    let quads = jsonld::to_rdf(document).unwrap();
    let blank = blank_nodes(document);
    let budget = Budget::new(1 << 40).with_record(MOST);
    let before = budget.remaining();
    jsonld::canonical_nquads_within(quads, &budget).unwrap();
    (blank, before - budget.remaining())
}

fn blank_nodes(document: &Value) -> usize {
    let mut seen = std::collections::HashSet::new();
    for quad in jsonld::to_rdf(document).unwrap() {
        let text = quad.to_string();
        for word in text.split(' ') {
            if word.starts_with("_:") {
                seen.insert(word.to_string());
            }
        }
    }
    seen.len()
}

#[tokio::test]
async fn a_record_of_two_hundred_credentials_signs_and_verifies() {
    let setup = setup().await;
    webinars(&setup, MOST + 1).await;
    let service = &setup.service;
    let request = Request {
        email: "ada@example.org".into(),
        period: Period::parse(Some("2021"), Some("2026"), now().date_naive()).unwrap(),
        issuers: vec![],
    };
    let all = transcript::build(service, &request, None).await.unwrap();
    assert_eq!(all.rows.len(), MOST + 1);
    let verifier = verifier(&setup).await;
    for count in [50, 100, MOST] {
        let mut t = all.clone();
        t.rows.truncate(count);
        let started = Instant::now();
        let signed = clr::signed(service, &t, None, &[]).await.unwrap();
        let signing = started.elapsed();
        let bytes = signed.to_string();
        let started = Instant::now();
        let report = verifier.verify_bytes(bytes.as_bytes());
        let verifying = started.elapsed();
        assert_eq!(report.verdict, Verdict::Valid, "{}", report.to_text("clr"));
        assert_eq!(report.nested.len(), count);
        let mut unsigned = signed.clone();
        unsigned.as_object_mut().unwrap().remove("proof");
        let (blank, units) = cost(&unsigned);
        // Within what signing and verifying allow a record of this size, with room to spare.
        let allowed = Budget::for_record(count);
        assert!(
            blank * 3 / 2 <= allowed.blank_nodes(),
            "{blank} blank nodes"
        );
        assert!(units * 4 <= allowed.remaining(), "{units} units");
        eprintln!(
            "CLR of {count} credentials: {} bytes, {blank} blank nodes, {units} units, signed in {signing:?}, verified in {verifying:?}",
            bytes.len()
        );
    }
    // One more than a record holds: refused in words, before signing.
    match clr::signed(service, &all, None, &[]).await {
        Err(ServiceError::Invalid(message)) => {
            assert!(message.contains(&format!("{}", MOST + 1)), "{message}");
            assert!(message.contains(&format!("at most {MOST}")), "{message}");
        }
        other => panic!("not refused: {:?}", other.map(|_| ())),
    }
}
