//! CE transcripts: a person with credentials from two issuers over two years, with categories
//! and a revoked credential (excluded, and said so); the CLR 2.0 credential signed from it and
//! verified, with each nested credential, by laurel-verify.

use chrono::{DateTime, NaiveDate, Utc};
use laurel_service::keys::{self, JwtAlgorithm};
use laurel_service::mint::{self, IssuerSigner, Outcome};
use laurel_service::transcript::{self, Exclusion, Period, Request, categories, clr};
use laurel_service::{ServiceError, documents, lifecycle, status};
use laurel_store::{Achievement, Award, Issuer};
use laurel_verify::{Options, Outcome as Step, Verdict, Verifier};
use serde_json::Value;
use uuid::Uuid;

use super::{Setup, now, recipient, setup};

mod large;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|n| n.to_string()).collect()
}

struct World {
    setup: Setup,
    first: Uuid,
    second: Issuer,
    cataloguing: Achievement,
    leading: Achievement,
    outreach: Achievement,
}

fn achievement(issuer_id: Uuid, name: &str, credits: f64) -> Achievement {
    Achievement {
        id: Uuid::new_v4(),
        issuer_id,
        name: name.into(),
        description: format!("Completed {name}."),
        criteria_narrative: Some("Attend the whole session.".into()),
        criteria_url: None,
        image: None,
        achievement_type: None,
        tags: vec![],
        alignment: "[]".into(),
        credits_available: Some(credits),
        valid_for_days: None,
        award_rules: "[]".into(),
        created_at: now(),
        updated_at: now(),
    }
}

async fn award(
    setup: &Setup,
    achievement: Uuid,
    email: &str,
    earned: &str,
    credits: Option<f64>,
) -> Award {
    award_as(setup, achievement, email, earned, credits, None).await
}

async fn award_as(
    setup: &Setup,
    achievement: Uuid,
    email: &str,
    earned: &str,
    credits: Option<f64>,
    role: Option<&str>,
) -> Award {
    let mut row = recipient(email);
    row.role = role.map(str::to_string);
    row.awarded_date = Some(at(earned));
    row.credits_earned = credits;
    let mut outcomes = mint::award(&setup.service, achievement, vec![Ok(row)], false)
        .await
        .unwrap();
    match outcomes.remove(0) {
        Outcome::Created(award) => award,
        other => panic!("not created: {other:?}"),
    }
}

/// Two issuers (the second made a day later), categories on both, and Ada's credentials:
/// Cataloguing (first issuer, "Technology", 2025), Leading Teams (second issuer,
/// "Management", 2026, 2.5 of 3 credits earned), Outreach (first issuer, no category, 2026,
/// revoked), and Bo's Cataloguing.
async fn world() -> World {
    let setup = setup().await;
    let service = &setup.service;
    let cataloguing = setup.achievement.clone();
    let first = cataloguing.issuer_id;
    let second = Issuer {
        id: Uuid::new_v4(),
        name: "State Library".into(),
        created_at: now() + chrono::Duration::days(1),
        ..service.store.issuer(first).await.unwrap()
    };
    keys::create_issuer(service, &second, JwtAlgorithm::Es256)
        .await
        .unwrap();
    let leading = achievement(second.id, "Leading Teams", 3.0);
    let outreach = achievement(first, "Outreach Basics", 2.0);
    for a in [&leading, &outreach] {
        service.store.create_achievement(a).await.unwrap();
    }
    categories::set(service, first, &names(&["Technology", " Management "]))
        .await
        .unwrap();
    categories::set(service, second.id, &names(&["Management"]))
        .await
        .unwrap();
    categories::set_for_achievement(service, cataloguing.id, Some("technology"))
        .await
        .unwrap();
    categories::set_for_achievement(service, leading.id, Some("Management"))
        .await
        .unwrap();

    award(
        &setup,
        cataloguing.id,
        "ada@example.org",
        "2025-04-10T15:00:00Z",
        None,
    )
    .await;
    award_as(
        &setup,
        leading.id,
        "ada@example.org",
        "2026-02-01T15:00:00Z",
        Some(2.5),
        Some("Mentor"),
    )
    .await;
    let revoked = award(
        &setup,
        outreach.id,
        "ada@example.org",
        "2026-01-15T15:00:00Z",
        None,
    )
    .await;
    award(
        &setup,
        cataloguing.id,
        "bo@example.org",
        "2025-04-10T15:00:00Z",
        None,
    )
    .await;
    lifecycle::revoke(service, &[revoked.id], "Awarded in error")
        .await
        .unwrap();
    World {
        setup,
        first,
        second,
        cataloguing,
        leading,
        outreach,
    }
}

/// A transcript row as (date, provider, title, credits, category).
type Line<'a> = (NaiveDate, &'a str, &'a str, Option<f64>, Option<&'a str>);

fn request(period: Period, issuers: Vec<Uuid>) -> Request {
    Request {
        email: " ADA@example.org ".into(),
        period,
        issuers,
    }
}

fn two_years() -> Period {
    Period::parse(Some("2025"), Some("2026"), day("2026-03-01")).unwrap()
}

#[tokio::test]
async fn categories_are_checked_and_kept_in_order() {
    let world = world().await;
    let service = &world.setup.service;
    assert_eq!(
        categories::list(service, world.first).await.unwrap(),
        names(&["Technology", "Management"])
    );
    assert_eq!(
        categories::of_achievement(service, world.cataloguing.id)
            .await
            .unwrap(),
        Some("Technology".into())
    );
    let err = categories::set_for_achievement(service, world.outreach.id, Some("Cooking"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ServiceError::Invalid(m) if m.contains("Technology, Management")),
        "{err:?}"
    );
    let err = categories::set(service, world.first, &names(&["Management"]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ServiceError::Conflict(m) if m.contains("Technology")),
        "{err:?}"
    );
    let err = categories::set(service, world.first, &names(&["A", "a"]))
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Invalid(_)), "{err:?}");
}

#[tokio::test]
async fn a_transcript_over_two_years_and_two_issuers_counts_and_excludes() {
    let world = world().await;
    let service = &world.setup.service;
    let t = transcript::build(service, &request(two_years(), vec![]), None)
        .await
        .unwrap();
    assert_eq!(t.email, "ada@example.org");
    assert_eq!(t.name.as_deref(), Some("Ada Lovelace"));
    let rows: Vec<Line> = t
        .rows
        .iter()
        .map(|r| {
            (
                r.date,
                r.provider.as_str(),
                r.title.as_str(),
                r.credits,
                r.category.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                day("2025-04-10"),
                "Library Association",
                "Cataloguing Basics",
                Some(1.5),
                Some("Technology")
            ),
            (
                day("2026-02-01"),
                "State Library",
                "Leading Teams",
                Some(2.5),
                Some("Management")
            ),
        ]
    );
    // The revoked credential is not counted, and the transcript says why.
    assert_eq!(t.excluded.len(), 1);
    assert_eq!(t.excluded[0].row.title, "Outreach Basics");
    assert!(matches!(
        &t.excluded[0].reason,
        Exclusion::Revoked { reason: Some(r), .. } if r == "Awarded in error"
    ));
    assert_eq!(
        t.excluded[0].reason_text,
        "Revoked on 1 March 2026: Awarded in error"
    );
    let totals: Vec<(Option<&str>, u64, f64)> = t
        .totals
        .iter()
        .map(|c| (c.category.as_deref(), c.credentials, c.credits))
        .collect();
    assert_eq!(
        totals,
        vec![(Some("Technology"), 1, 1.5), (Some("Management"), 1, 2.5)]
    );
    assert_eq!(t.total_credits, 4.0);

    // One year, one issuer.
    let t2025 = transcript::build(service, &request(Period::year(2025).unwrap(), vec![]), None)
        .await
        .unwrap();
    assert_eq!(t2025.rows.len(), 1);
    assert!(t2025.excluded.is_empty());
    let second = transcript::build(service, &request(two_years(), vec![world.second.id]), None)
        .await
        .unwrap();
    assert_eq!(second.rows.len(), 1);
    assert_eq!(second.rows[0].achievement_id, world.leading.id);
    // An issuer manager of the first issuer sees only its credentials; asking for another
    // issuer's is "not found".
    let visible = [world.first];
    let mine = transcript::build(service, &request(two_years(), vec![]), Some(&visible))
        .await
        .unwrap();
    assert_eq!(mine.rows.len(), 1);
    assert_eq!(mine.excluded.len(), 1);
    let err = transcript::build(
        service,
        &request(two_years(), vec![world.second.id]),
        Some(&visible),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ServiceError::NotFound(_)), "{err:?}");
    let err = transcript::build(
        service,
        &Request {
            email: "not an email".into(),
            period: two_years(),
            issuers: vec![],
        },
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ServiceError::Invalid(_)), "{err:?}");

    // CSV: the rows, the exclusion with its reason, the totals.
    let csv = transcript::csv::transcript(&t, &|id| service.urls.credential(id));
    assert!(csv.contains("\"2025-04-10\",\"Library Association\",\"Cataloguing Basics\",\"Technology\",\"1.5\",\"Counted\""), "{csv}");
    assert!(csv.contains("\"Outreach Basics\",\"\",\"\",\"Not counted: Revoked on 1 March 2026: Awarded in error\""), "{csv}");
    assert!(
        csv.contains("\"Total: Management\",\"Management\",\"2.5\""),
        "{csv}"
    );
    assert!(csv.contains("\"Total\",\"\",\"4\""), "{csv}");
    let mentor = csv.lines().find(|l| l.contains("Leading Teams")).unwrap();
    assert!(
        mentor.ends_with(",\"Mentor\""),
        "the role is its own column: {mentor}"
    );
    let words = transcript::pdf::words(service, &t).await.unwrap();
    assert!(
        words
            .lines
            .iter()
            .any(|l| l.title == "Leading Teams (as Mentor)"),
        "the PDF names the role: {:?}",
        words.lines
    );
    let all = transcript::csv::all(std::slice::from_ref(&t), &|id| service.urls.credential(id));
    assert_eq!(all.lines().count(), 4, "{all}");
    assert!(
        all.lines()
            .nth(1)
            .unwrap()
            .starts_with("\"ada@example.org\",\"Ada Lovelace\",\"2025-04-10\"")
    );
}

/// A verifier pinned to both issuers' keys and status lists, checking Ada's email.
async fn verifier(world: &World) -> Verifier {
    let service = &world.setup.service;
    let mut options = Options::offline(now() + chrono::Duration::days(1));
    for issuer in [world.first, world.second.id] {
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
    }
    options.recipient = Some("ada@example.org".into());
    Verifier::new(options)
}

fn list(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        Value::Null => vec![],
        one => vec![one.clone()],
    }
}

#[tokio::test]
async fn the_clr_nests_the_signed_credentials_and_verifies() {
    let world = world().await;
    let service = &world.setup.service;
    let t = transcript::build(service, &request(two_years(), vec![]), None)
        .await
        .unwrap();
    let signed = clr::signed(service, &t, None, &[]).await.unwrap();
    assert_eq!(
        signed["@context"],
        serde_json::json!([
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
        ])
    );
    assert_eq!(
        signed["type"],
        serde_json::json!(["VerifiableCredential", "ClrCredential"])
    );
    // Signed by the first (oldest) issuer, as no issuer was asked for.
    assert_eq!(signed["issuer"]["id"], service.urls.issuer(world.first));
    let subject = &signed["credentialSubject"];
    assert_eq!(subject["type"], serde_json::json!(["ClrSubject"]));
    let nested = list(&subject["verifiableCredential"]);
    assert_eq!(nested.len(), 2);
    // Exactly as stored, signatures and all.
    assert_eq!(
        nested[0],
        serde_json::from_str::<Value>(&t.rows[0].award.credential).unwrap()
    );
    assert_eq!(list(&subject["achievement"]).len(), 2);
    assert!(subject.get("association").is_none());
    let identities: Vec<String> = list(&subject["identifier"])
        .iter()
        .map(|i| i["identityType"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(identities, ["name", "emailAddress"]);
    // The revoked credential is not in it.
    assert!(!signed.to_string().contains("Outreach Basics"));

    let verifier = verifier(&world).await;
    let report = verifier.verify_bytes(signed.to_string().as_bytes());
    assert_eq!(report.verdict, Verdict::Valid, "{}", report.to_text("clr"));
    assert_eq!(report.nested.len(), 2);
    assert!(report.nested.iter().all(|r| r.verdict == Verdict::Valid));
    assert_eq!(report.step("schema").unwrap().outcome, Step::Passed);
    assert_eq!(report.step("recipient").unwrap().outcome, Step::Passed);
    assert!(report.issuer.as_ref().unwrap().bound_by.is_some());

    // One issuer asked for: that issuer signs.
    let second = transcript::build(service, &request(two_years(), vec![world.second.id]), None)
        .await
        .unwrap();
    let signed2 = clr::signed(service, &second, None, &[]).await.unwrap();
    assert_eq!(
        signed2["issuer"]["id"],
        service.urls.issuer(world.second.id)
    );
    assert_eq!(
        verifier
            .verify_bytes(signed2.to_string().as_bytes())
            .verdict,
        Verdict::Valid
    );

    // Nothing to put in a CLR: said so.
    let empty = transcript::build(service, &request(Period::year(2024).unwrap(), vec![]), None)
        .await
        .unwrap();
    assert!(matches!(
        clr::signed(service, &empty, None, &[]).await,
        Err(ServiceError::NotFound(_))
    ));
}

#[tokio::test]
async fn associations_come_from_the_pairs_given() {
    let world = world().await;
    let service = &world.setup.service;
    let t = transcript::build(service, &request(two_years(), vec![]), None)
        .await
        .unwrap();
    // Leading Teams is made of Cataloguing (a hand-made pair); a pair naming an achievement
    // not in the CLR is left out.
    let pairs = [
        (world.leading.id, world.cataloguing.id),
        (world.leading.id, world.outreach.id),
    ];
    let signed = clr::signed(service, &t, None, &pairs).await.unwrap();
    assert_eq!(
        signed["credentialSubject"]["association"],
        serde_json::json!([{
            "type": "Association",
            "associationType": "isParentOf",
            "sourceId": service.urls.achievement(world.leading.id),
            "targetId": service.urls.achievement(world.cataloguing.id),
        }])
    );
    let verifier = verifier(&world).await;
    let report = verifier.verify_bytes(signed.to_string().as_bytes());
    assert_eq!(report.verdict, Verdict::Valid, "{}", report.to_text("clr"));
}

#[tokio::test]
async fn pathways_become_associations_in_the_signed_record() {
    let world = world().await;
    let service = &world.setup.service;
    // A certificate of the first issuer, earned by holding Cataloguing: a pathway, then the
    // certificate awarded to Ada.
    let certificate = achievement(world.first, "Cataloguing Certificate", 0.0);
    service
        .store
        .create_achievement(&certificate)
        .await
        .unwrap();
    let input: laurel_service::pathways::PathwayInput = serde_json::from_value(
        serde_json::json!({ "rule": { "steps": [{ "achievement_id": world.cataloguing.id }] } }),
    )
    .unwrap();
    laurel_service::pathways::save(service, certificate.id, &input)
        .await
        .unwrap();
    award(
        &world.setup,
        certificate.id,
        "ada@example.org",
        "2026-02-20T15:00:00Z",
        None,
    )
    .await;
    let t = transcript::build(service, &request(two_years(), vec![]), None)
        .await
        .unwrap();
    let pairs = clr::pathway_pairs(service, &t).await.unwrap();
    assert_eq!(pairs, vec![(certificate.id, world.cataloguing.id)]);
    let signed = clr::signed(service, &t, None, &pairs).await.unwrap();
    assert_eq!(
        signed["credentialSubject"]["association"],
        serde_json::json!([{
            "type": "Association",
            "associationType": "isParentOf",
            "sourceId": service.urls.achievement(certificate.id),
            "targetId": service.urls.achievement(world.cataloguing.id),
        }])
    );
    let verifier = verifier(&world).await;
    let report = verifier.verify_bytes(signed.to_string().as_bytes());
    assert_eq!(report.verdict, Verdict::Valid, "{}", report.to_text("clr"));
}

#[tokio::test]
async fn a_tampered_nested_credential_is_named() {
    let world = world().await;
    let service = &world.setup.service;
    let t = transcript::build(service, &request(two_years(), vec![]), None)
        .await
        .unwrap();
    let issuer = service.store.issuer(world.first).await.unwrap();
    let mut document = clr::document(service, &t, &issuer, &[]).unwrap();
    // The second badge claims more credits than its issuer signed.
    let second_id = service.urls.credential(t.rows[1].award.id);
    document["credentialSubject"]["verifiableCredential"][1]["credentialSubject"]["creditsEarned"] =
        serde_json::json!(30);
    // The CLR's own issuer signs over it: the CLR's proof holds, the nested one does not.
    let signer = IssuerSigner::open(service, world.first).await.unwrap();
    let signed = signer.data_integrity(&document, now()).unwrap();
    let verifier = verifier(&world).await;
    let report = verifier.verify_bytes(signed.to_string().as_bytes());
    assert_eq!(
        report.verdict,
        Verdict::Invalid,
        "{}",
        report.to_text("clr")
    );
    assert_eq!(report.step("proof").unwrap().outcome, Step::Passed);
    let step = report.step("credentials").unwrap();
    assert_eq!(step.outcome, Step::Failed);
    assert!(step.detail.contains("credential 2 of 2"), "{}", step.detail);
    assert!(step.detail.contains(&second_id), "{}", step.detail);
    assert!(
        !step.detail.contains("credential 1 of 2"),
        "{}",
        step.detail
    );
    assert_eq!(report.nested[0].verdict, Verdict::Valid);
    assert_eq!(report.nested[1].verdict, Verdict::Invalid);
    assert_eq!(report.nested[1].failed_step, Some("proof"));
    assert!(report.to_text("clr").contains("nested credential 2 of 2"));

    // Tampered after signing: the CLR's own proof fails too.
    let mut after = clr::signed(service, &t, None, &[]).await.unwrap();
    after["credentialSubject"]["verifiableCredential"][0]["name"] = serde_json::json!("Forged");
    let report = verifier.verify_bytes(after.to_string().as_bytes());
    assert_eq!(report.verdict, Verdict::Invalid);
    assert_eq!(report.step("proof").unwrap().outcome, Step::Failed);
    assert!(
        report
            .step("credentials")
            .unwrap()
            .detail
            .contains("credential 1 of 2")
    );
}
