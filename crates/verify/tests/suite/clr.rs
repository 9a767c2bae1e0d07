//! CLR 2.0: a ClrCredential is verified as a whole (its schema, its proof and key binding) and
//! every credential nested in it on its own; a tampered nested badge makes the CLR invalid and
//! the report names it.

use chrono::{DateTime, Utc};
use laurel_core::keys::{KeyType, SigningKey};
use laurel_core::model::{Association, ClrCredential, ClrSubject, IdentityObject, Profile};
use laurel_core::proof::{self, Cryptosuite, ProofOptions};
use laurel_verify::{Options, Outcome, Report, Verdict, Verifier};
use serde_json::{Value, json};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("date").to_utc()
}

fn sign(document: &Value, key: &SigningKey) -> Value {
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        verification_method: key
            .public_key()
            .to_did_key_verification_method()
            .expect("vm"),
        created: at("2026-03-01T09:00:00Z"),
    };
    proof::sign(document, key, &options).expect("sign")
}

/// A badge of `issuer` (a did:key) for zoë@example.org, signed.
fn badge(key: &SigningKey, name: &str, achievement: &str) -> Value {
    let did = key.public_key().to_did_key().expect("did");
    let identity = IdentityObject::hashed_email("zoë@example.org", "s4lt");
    sign(
        &json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": format!("urn:uuid:{}", uuid_like(name)),
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": name,
            "issuer": { "id": did, "type": ["Profile"], "name": format!("Issuer of {name}") },
            "validFrom": "2026-03-01T09:00:00Z",
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "identifier": [identity],
                "creditsEarned": 1.5,
                "achievement": {
                    "id": achievement,
                    "type": ["Achievement"],
                    "name": name,
                    "description": "A session.",
                    "criteria": { "narrative": "Attend." }
                }
            }
        }),
        key,
    )
}

fn uuid_like(seed: &str) -> String {
    let hex = format!(
        "{:032x}",
        seed.bytes()
            .fold(7u128, |h, b| h.wrapping_mul(31).wrapping_add(b as u128))
    );
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// A CLR by `publisher` holding `credentials`, unsigned, as JSON.
fn clr(publisher: &SigningKey, credentials: Vec<Value>, associations: Vec<Association>) -> Value {
    let did = publisher.public_key().to_did_key().expect("did");
    let achievements = credentials
        .iter()
        .map(|c| {
            serde_json::from_value(c["credentialSubject"]["achievement"].clone())
                .expect("achievement")
        })
        .collect();
    let mut subject = ClrSubject::new(
        vec![IdentityObject::hashed_email("zoë@example.org", "p3pper")],
        credentials,
    );
    subject.achievement = laurel_core::model::OneOrMany::Many(achievements);
    subject.association = laurel_core::model::OneOrMany::Many(associations);
    let credential = ClrCredential::new(
        "urn:uuid:6f1d3c2b-9a8e-4f7d-8c6b-5a4e3d2c1b0a",
        Profile::new(did, "Library Association"),
        at("2026-03-02T09:00:00Z"),
        "Continuing-education transcript, 2026",
        subject,
    )
    .expect("build");
    serde_json::to_value(credential).expect("json")
}

fn verify(document: &Value, recipient: Option<&str>) -> Report {
    let mut options = Options::offline(at("2026-06-01T00:00:00Z"));
    options.recipient = recipient.map(str::to_string);
    Verifier::new(options).verify_bytes(document.to_string().as_bytes())
}

fn keys() -> (SigningKey, SigningKey, SigningKey) {
    (
        SigningKey::generate(KeyType::Ed25519).expect("key"),
        SigningKey::generate(KeyType::Ed25519).expect("key"),
        SigningKey::generate(KeyType::Ed25519).expect("key"),
    )
}

#[test]
fn a_clr_and_every_credential_in_it_verify() {
    let (publisher, one, two) = keys();
    let first = badge(
        &one,
        "Cataloguing webinar",
        "https://a.example/achievements/1",
    );
    let second = badge(
        &two,
        "Leadership workshop",
        "https://b.example/achievements/2",
    );
    let parent = Association::parent_of(
        "https://b.example/achievements/2",
        "https://a.example/achievements/1",
    );
    let signed = sign(
        &clr(&publisher, vec![first, second], vec![parent]),
        &publisher,
    );
    let report = verify(&signed, Some("Zoë@example.org"));
    assert_eq!(report.verdict, Verdict::Valid, "{}", report.to_text("clr"));
    for step in [
        "context",
        "schema",
        "proof",
        "dates",
        "recipient",
        "credentials",
    ] {
        assert_eq!(
            report.step(step).expect(step).outcome,
            Outcome::Passed,
            "{step}: {}",
            report.to_text("clr")
        );
    }
    assert!(report.step("schema").unwrap().detail.contains("CLR 2.0"));
    assert_eq!(report.nested.len(), 2);
    assert!(report.nested.iter().all(|r| r.verdict == Verdict::Valid));
    // Each nested badge is checked for the recipient too.
    assert!(
        report
            .nested
            .iter()
            .all(|r| r.step("recipient").unwrap().outcome == Outcome::Passed)
    );
    assert!(report.to_text("clr").contains("nested credential 2 of 2"));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["nested"].as_array().unwrap().len(), 2);

    let report = verify(&signed, Some("mallory@example.org"));
    assert_eq!(report.verdict, Verdict::Invalid);
}

#[test]
fn a_tampered_nested_credential_is_named() {
    let (publisher, one, two) = keys();
    let first = badge(
        &one,
        "Cataloguing webinar",
        "https://a.example/achievements/1",
    );
    let second = badge(
        &two,
        "Leadership workshop",
        "https://b.example/achievements/2",
    );
    let second_id = second["id"].as_str().unwrap().to_string();
    let mut document = clr(&publisher, vec![first, second], vec![]);
    document["credentialSubject"]["verifiableCredential"][1]["credentialSubject"]["creditsEarned"] =
        json!(15);
    // The publisher signs over the forged badge: its own proof holds, the badge's does not.
    let signed = sign(&document, &publisher);
    let report = verify(&signed, None);
    assert_eq!(
        report.verdict,
        Verdict::Invalid,
        "{}",
        report.to_text("clr")
    );
    assert_eq!(report.step("proof").unwrap().outcome, Outcome::Passed);
    let step = report.step("credentials").unwrap();
    assert_eq!(step.outcome, Outcome::Failed);
    assert!(
        step.detail.starts_with(&format!(
            "credential 2 of 2 ({second_id}) is invalid (proof:"
        )),
        "{}",
        step.detail
    );
    assert_eq!(report.nested[0].verdict, Verdict::Valid);
    assert_eq!(report.failed_step, Some("credentials"));

    // Changed after the CLR was signed: its own proof fails as well.
    let mut after = sign(
        &clr(
            &publisher,
            vec![badge(&one, "A", "https://a.example/a")],
            vec![],
        ),
        &publisher,
    );
    after["credentialSubject"]["verifiableCredential"][0]["name"] = json!("Forged");
    let report = verify(&after, None);
    assert_eq!(report.step("proof").unwrap().outcome, Outcome::Failed);
    assert_eq!(report.step("credentials").unwrap().outcome, Outcome::Failed);
}

#[test]
fn a_clr_must_be_shaped_as_clr_2_0_says() {
    let (publisher, one, _) = keys();
    let good = clr(
        &publisher,
        vec![badge(&one, "A", "https://a.example/a")],
        vec![],
    );
    // No credential inside: the schema and the credentials step both say so.
    let mut empty = good.clone();
    empty["credentialSubject"]["verifiableCredential"] = json!([]);
    let report = verify(&sign(&empty, &publisher), None);
    assert_eq!(report.verdict, Verdict::Invalid);
    assert_eq!(report.step("credentials").unwrap().outcome, Outcome::Failed);
    // Without the CLR context, the type is undefined: refused at the context step.
    let mut no_context = good.clone();
    no_context["@context"] = json!([
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
    ]);
    let report = verify(&no_context, None);
    assert_eq!(report.step("context").unwrap().outcome, Outcome::Failed);
    // A bare string where a nested credential should be.
    let mut string = good;
    string["credentialSubject"]["verifiableCredential"] = json!(["eyJhbGciOiJFZERTQSJ9.e30.sig"]);
    let report = verify(&sign(&string, &publisher), None);
    assert_eq!(report.verdict, Verdict::Invalid);
}

#[test]
fn a_hostile_record_is_refused_quickly() {
    let (publisher, one, _) = keys();
    let badge = badge(&one, "Webinar", "https://a.example/achievements/1");
    let mut record = sign(&clr(&publisher, vec![badge.clone()], vec![]), &publisher);
    // Claims the most credentials a record may hold (and more), all the same badge, which
    // buys the largest canonicalization budget; then hides cliques of indistinguishable blank
    // nodes (the exponential case of RDFC-1.0) in the record's own graph.
    record["credentialSubject"]["verifiableCredential"] = Value::Array(vec![badge; 250]);
    let mut cliques = Vec::new();
    for clique in 0..6 {
        for node in 0..8 {
            let links: Vec<Value> = (0..8)
                .filter(|other| *other != node)
                .map(|other| json!({ "id": format!("_:c{clique}n{other}") }))
                .collect();
            cliques.push(
                json!({ "id": format!("_:c{clique}n{node}"), "https://example.org/link": links }),
            );
        }
    }
    record["https://example.org/cliques"] = Value::Array(cliques);
    let started = std::time::Instant::now();
    let report = verify(&record, None);
    assert_ne!(report.verdict, Verdict::Valid, "{}", report.to_text("clr"));
    let proof = report.step("proof").expect("proof");
    assert!(proof.detail.contains("too complex"), "{}", proof.detail);
    // Only as many nested credentials as a record may hold are checked.
    assert_eq!(report.nested.len(), 250);
    assert!(
        report.nested[200..]
            .iter()
            .all(|r| r.verdict == Verdict::CouldNotCheck)
    );
    // A bound on work, not a benchmark.
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
}
